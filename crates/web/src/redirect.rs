//! Every redirect the app makes goes through here. A target is a [`LocalPath`]: parsed, rebuilt
//! byte by byte, and only ever a path on this site, so no input can send a visitor elsewhere.

use axum::http::header::LOCATION;
use axum::http::uri::PathAndQuery;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Longest target kept; anything longer falls back to the home page.
const MAX_TARGET: usize = 2048;

/// A path (with optional query) on this site: starts with exactly one `/`, holds only visible
/// ASCII, and is a valid request target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalPath(PathAndQuery);

impl LocalPath {
    pub fn home() -> Self {
        LocalPath(PathAndQuery::from_static("/"))
    }

    /// Reads a target from untrusted input. Anything not a visible ASCII character of a URL
    /// (controls such as tab and newline, which browsers silently drop; spaces; backslashes,
    /// which browsers read as `/`; non-ASCII) is percent-encoded, so it can never join two
    /// slashes into a scheme-relative `//host`. Fragments are dropped. `None` for anything that
    /// is not a path starting with a single `/`.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.split('#').next().unwrap_or("");
        if !raw.starts_with('/') || raw.len() > MAX_TARGET {
            return None;
        }
        let mut out = String::with_capacity(raw.len());
        for b in raw.bytes() {
            let keep = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b);
            if keep {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        // After encoding, `//x` and `/\x` are the only ways left to leave the site; the second
        // is encoded already, the first is refused.
        if out.as_bytes().get(1) == Some(&b'/') {
            return None;
        }
        out.parse::<PathAndQuery>().ok().map(LocalPath)
    }

    /// The target from untrusted input, or the home page.
    pub fn parse_or_home(raw: Option<&str>) -> Self {
        raw.and_then(Self::parse).unwrap_or_else(Self::home)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// `303 See Other` to a local path: the one way the app redirects.
pub fn see_other(target: &LocalPath) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let value = HeaderValue::from_str(target.as_str()).unwrap_or(HeaderValue::from_static("/"));
    response.headers_mut().insert(LOCATION, value);
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lands_on_this_site(target: &str) -> bool {
        let base = url::Url::parse("https://kapstok.example/zoeken?q=x").expect("base");
        match base.join(target) {
            Ok(u) => u.scheme() == "https" && u.host_str() == Some("kapstok.example"),
            Err(_) => false,
        }
    }

    #[test]
    fn known_tricks_stay_on_the_site() {
        for raw in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/\\evil.example",
            "/\\/evil.example",
            "/ /evil.example",
            "/%09/evil.example",
            "/\u{3000}/evil.example",
            "/.//evil.example",
        ] {
            let p = LocalPath::parse(raw).expect("a local path");
            assert!(lands_on_this_site(p.as_str()), "{raw:?} -> {}", p.as_str());
            assert!(!p.as_str().starts_with("//"));
        }
        for raw in [
            "//evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "evil.example",
            "",
            " /x",
        ] {
            assert_eq!(LocalPath::parse(raw), None, "{raw:?}");
        }
        assert_eq!(
            LocalPath::parse("/zoeken?q=dag besteding&functie=respijtzorg#x")
                .unwrap()
                .as_str(),
            "/zoeken?q=dag%20besteding&functie=respijtzorg"
        );
        assert_eq!(
            LocalPath::parse("/zoeken?q=financi%C3%ABle")
                .unwrap()
                .as_str(),
            "/zoeken?q=financi%C3%ABle"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn every_target_is_a_path_on_this_site(raw in "[/\\\\\t\n\r %a-z.:@?#]{0,12}\\PC{0,8}") {
            if let Some(p) = LocalPath::parse(&raw) {
                let s = p.as_str();
                prop_assert!(s.starts_with('/') && !s.starts_with("//"));
                prop_assert!(s.bytes().all(|b| b.is_ascii_graphic()));
                prop_assert!(HeaderValue::from_str(s).is_ok());
                prop_assert!(lands_on_this_site(s), "{:?} -> {}", raw, s);
            }
            let r = see_other(&LocalPath::parse_or_home(Some(&raw)));
            let location = r.headers().get(LOCATION).unwrap().to_str().unwrap();
            prop_assert!(lands_on_this_site(location));
        }
    }
}
