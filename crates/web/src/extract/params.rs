//! Query strings: read leniently (any bytes), then checked field by field so every problem gets
//! its own message.

use axum::extract::{FromRequestParts, RawQuery};
use axum::http::request::Parts;
use std::convert::Infallible;

/// Most characters a search may have; longer input is refused with a message.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most pairs read from one query string; the rest is ignored.
const MAX_PAIRS: usize = 200;

/// The decoded `key=value` pairs of the query string, in order. Invalid UTF-8 becomes U+FFFD.
#[derive(Debug, Default, Clone)]
pub struct Pairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Pairs {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let RawQuery(raw) = RawQuery::from_request_parts(parts, state).await?;
        Ok(Pairs::parse(raw.as_deref().unwrap_or("")))
    }
}

impl Pairs {
    pub fn parse(raw: &str) -> Self {
        Pairs(
            form_urlencoded::parse(raw.as_bytes())
                .take(MAX_PAIRS)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }
    /// The first value of `key`, trimmed; `None` when absent or empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
    /// The first value of `key` as sent, not trimmed (passwords may begin or end with a space).
    pub fn raw(&self, key: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    }
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect()
    }
}

/// Builds a query string (`?a=1&b=2`) with proper escaping.
pub fn query_string<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    let mut any = false;
    for (k, v) in pairs {
        s.append_pair(k, v);
        any = true;
    }
    if any {
        format!("?{}", s.finish())
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_repeated_and_escaped_pairs() {
        let p = Pairs::parse("q=dag%20besteding&functie=a&functie=b&postcode=+7811+AB+&x=");
        assert_eq!(p.get("q"), Some("dag besteding"));
        assert_eq!(p.all("functie"), vec!["a", "b"]);
        assert_eq!(p.get("postcode"), Some("7811 AB"));
        assert_eq!(p.get("x"), None);
        assert_eq!(query_string([("q", "a&b"), ("p", "1")]), "?q=a%26b&p=1");
        assert_eq!(Pairs::parse("q=%FF%FE").get("q"), Some("\u{fffd}\u{fffd}"));
    }
}
