//! What every request passes on its way in and out: security headers, the cache policy, the
//! checks on state-changing requests (same site, form content type, a per-client rate), and the
//! finishing step that gives every error response a page or a JSON body, whoever produced it.

use crate::error::{Rendered, status_response};
use crate::i18n::Lang;
use crate::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{
    ALLOW, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, REFERRER_POLICY,
    RETRY_AFTER, VARY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::Response;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;

/// No inline script or style anywhere, so the policy can be strict.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Headers on every response, also those the server writes itself.
pub const SECURITY_HEADERS: [(HeaderName, &str); 4] = [
    (CONTENT_SECURITY_POLICY, CSP),
    (X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (REFERRER_POLICY, "same-origin"),
    (X_FRAME_OPTIONS, "DENY"),
];

/// Adds the security headers to every response that does not set its own.
pub async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in &SECURITY_HEADERS {
        if !headers.contains_key(name) {
            headers.insert(name.clone(), HeaderValue::from_static(value));
        }
    }
    response
}

/// Longest request target (path and query) accepted; longer gets a 414 page.
pub const MAX_URI_BYTES: usize = 32 * 1024;

/// The visitor's language from the `lang` cookie.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix("lang="))
        .find_map(Lang::parse)
        .unwrap_or_default()
}

fn is_api(uri: &Uri) -> bool {
    uri.path() == "/api" || uri.path().starts_with("/api/")
}

/// `no-store` for anything that carries a person's answers or postcode: the guided flows'
/// questions and results, anything with a `postcode` parameter, every form submission and every
/// error. Other pages and API answers may be kept but must be revalidated (`no-cache`): the
/// social map changes with each import and the language comes from a cookie.
pub fn cache_policy(method: &Method, uri: &Uri, status: StatusCode) -> &'static str {
    let path = uri.path();
    let personal_path = path.starts_with("/respijtwijzer/")
        || path.starts_with("/mantelzorgtest/")
        || path == "/toestemming"
        || path == "/neem-contact-op"
        || path.starts_with("/toestemming/")
        || path.starts_with("/activiteiten/afmelden/")
        || crate::pro::is_pro_path(path);
    let has_postcode = uri.query().is_some_and(|q| {
        form_urlencoded::parse(q.as_bytes()).any(|(k, v)| k == "postcode" && !v.trim().is_empty())
    });
    let safe = method == Method::GET || method == Method::HEAD;
    if personal_path || has_postcode || !safe || status.as_u16() >= 400 {
        "no-store"
    } else {
        "no-cache"
    }
}

/// The outermost step inside the security headers: refuses over-long addresses, replaces any
/// bare error response (from axum's extractors, the body limit, the timeout, the CSRF check) by
/// a page in the visitor's language or a JSON body, and sets the cache policy.
pub async fn finish(request: Request, next: Next) -> Response {
    let lang = lang_of(request.headers());
    let api = is_api(request.uri());
    let method = request.method().clone();
    let uri = request.uri().clone();
    let too_long = uri.path_and_query().map_or(0, |p| p.as_str().len()) > MAX_URI_BYTES;
    let mut response = if too_long {
        status_response(StatusCode::URI_TOO_LONG, lang, api)
    } else {
        next.run(request).await
    };
    let status = response.status();
    // Bare answers have no body type or plain text (axum's extractors); pages and JSON that
    // handlers made (a form shown again with its errors) are left alone.
    let bare = response.extensions().get::<Rendered>().is_none()
        && response
            .headers()
            .get(CONTENT_TYPE)
            .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    if (status.is_client_error() || status.is_server_error()) && bare {
        let mut fresh = status_response(status, lang, api);
        for name in [ALLOW, RETRY_AFTER] {
            if let Some(v) = response.headers().get(&name) {
                fresh.headers_mut().insert(name, v.clone());
            }
        }
        response = fresh;
    }
    let headers = response.headers_mut();
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(
            CACHE_CONTROL,
            HeaderValue::from_static(cache_policy(&method, &uri, status)),
        );
    }
    let html = headers
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if html {
        headers.append(VARY, HeaderValue::from_static("Cookie"));
    }
    response
}

/// The key a client is counted by: its IPv4 address, or the /64 of its IPv6 address (one
/// household or phone can pick any address in its /64).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// The client of a request: the peer, or behind a trusted reverse proxy the last address in
/// `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_of(request: &Request, trusted_proxies: &[IpAddr]) -> IpAddr {
    client_from(request.extensions(), request.headers(), trusted_proxies)
}

/// As [`client_of`], from a request's parts.
pub fn client_from(
    extensions: &axum::http::Extensions,
    headers: &HeaderMap,
    trusted_proxies: &[IpAddr],
) -> IpAddr {
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .rev()
        .find(|a| !trusted_proxies.contains(a))
        .unwrap_or(peer)
}

/// Per-client budget for state-changing requests (form submissions).
pub struct Throttle {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    checks: std::sync::atomic::AtomicU64,
}

impl Throttle {
    /// `per_minute` submissions per client address, all of them usable at once.
    pub fn per_minute(per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute.max(1)).expect("at least one");
        Self::with_quota(Quota::per_minute(n))
    }

    /// `burst` at once, then one more every `every`.
    pub fn burst_then_every(burst: u32, every: std::time::Duration) -> Self {
        let burst = NonZeroU32::new(burst.max(1)).expect("at least one");
        let quota = Quota::with_period(every)
            .unwrap_or_else(|| Quota::per_minute(burst))
            .allow_burst(burst);
        Self::with_quota(quota)
    }

    fn with_quota(quota: Quota) -> Self {
        Throttle {
            limiter: RateLimiter::keyed(quota),
            checks: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Whether this client may make one more submission now.
    pub fn allow(&self, client: IpAddr) -> bool {
        // Forget clients whose budget is full again, now and then (bounded work per request).
        let n = self
            .checks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if n % 10_000 == 9_999 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&client_key(client)).is_ok()
    }
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// The forms that upload a file (`multipart/form-data`); every other form is urlencoded.
const UPLOAD_PATHS: [&str; 1] = ["/werk/kaart/tabel"];

fn is_upload(request: &Request) -> bool {
    UPLOAD_PATHS.contains(&request.uri().path())
        && request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("multipart/form-data"))
}

/// Whether a request carries a body (hyper knows from `Content-Length` / chunked encoding).
fn has_body(request: &Request) -> bool {
    use axum::body::HttpBody;
    request.body().size_hint().upper() != Some(0)
}

/// For state-changing requests, after the same-site check: only form bodies, and only as many
/// per client as a person could send.
pub async fn guard_writes(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe {
        return next.run(request).await;
    }
    let lang = lang_of(request.headers());
    let api = is_api(request.uri());
    if has_body(&request) && !is_form(request.headers()) && !is_upload(&request) {
        return status_response(StatusCode::UNSUPPORTED_MEDIA_TYPE, lang, api);
    }
    let client = client_of(&request, &state.web.trusted_proxies);
    if !state.throttle.allow(client) {
        let mut response = status_response(StatusCode::TOO_MANY_REQUESTS, lang, api);
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_static("60"));
        return response;
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_and_postcodes_are_never_stored_by_caches() {
        let get = Method::GET;
        let ok = StatusCode::OK;
        let policy = |uri: &str| cache_policy(&get, &uri.parse().unwrap(), ok);
        assert_eq!(policy("/respijtwijzer/resultaat?acuut=nee"), "no-store");
        assert_eq!(policy("/respijtwijzer/vraag?stap=2"), "no-store");
        assert_eq!(policy("/mantelzorgtest/kapstok"), "no-store");
        assert_eq!(policy("/zoeken?q=x&postcode=7811"), "no-store");
        assert_eq!(policy("/api/services?postcode=7811"), "no-store");
        assert_eq!(policy("/zoeken?q=x&postcode="), "no-cache");
        assert_eq!(policy("/zoeken?q=dagbesteding"), "no-cache");
        assert_eq!(policy("/respijtwijzer"), "no-cache");
        assert_eq!(
            cache_policy(&Method::POST, &"/x".parse().unwrap(), ok),
            "no-store"
        );
        assert_eq!(
            cache_policy(&get, &"/x".parse().unwrap(), StatusCode::NOT_FOUND),
            "no-store"
        );
    }

    /// The request timeout's bare 503 (and any other bare error) becomes a page or JSON.
    #[tokio::test]
    async fn bare_errors_from_layers_become_pages() {
        use axum::Router;
        use axum::body::Body;
        use axum::routing::get;
        use tower::ServiceExt;
        let app = Router::new()
            .route(
                "/traag",
                get(|| async {
                    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                    "te laat"
                }),
            )
            .route("/api/traag", get(|| async { StatusCode::IM_A_TEAPOT }))
            .layer(tower_http::timeout::TimeoutLayer::with_status_code(
                StatusCode::SERVICE_UNAVAILABLE,
                std::time::Duration::from_millis(20),
            ))
            .layer(axum::middleware::from_fn(finish))
            .layer(axum::middleware::map_response(security_headers));
        let call = |uri: &str, cookie: &str| {
            app.clone().oneshot(
                axum::http::Request::get(uri)
                    .header(COOKIE, cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
        };
        let r = call("/traag", "lang=en").await.unwrap();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(r.headers().contains_key(CONTENT_SECURITY_POLICY));
        assert_eq!(r.headers()[CACHE_CONTROL], "no-store");
        let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        let html = String::from_utf8_lossy(&body);
        assert!(
            html.contains("<html lang=\"en\"") && html.contains("too busy"),
            "{html}"
        );
        let r = call("/api/traag", "").await.unwrap();
        assert_eq!(r.status(), StatusCode::IM_A_TEAPOT);
        let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["error"], "bad_request");
    }

    #[test]
    fn throttle_counts_per_client() {
        let t = Throttle::per_minute(3);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert!((0..3).all(|_| t.allow(a)));
        assert!(!t.allow(a));
        assert!(t.allow(b));
        // Another address in the same IPv6 /64 is the same client.
        let c: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let d: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let e: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!((0..3).all(|_| t.allow(c)));
        assert!(!t.allow(d));
        assert!(t.allow(e));
    }

    #[test]
    fn behind_a_trusted_proxy_the_forwarded_client_counts() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let request = |peer: IpAddr, xff: &str| {
            let mut r = axum::http::Request::post("/x")
                .header("x-forwarded-for", xff)
                .body(axum::body::Body::empty())
                .unwrap();
            r.extensions_mut()
                .insert(ConnectInfo(SocketAddr::new(peer, 4000)));
            r
        };
        let visitor: IpAddr = "198.51.100.7".parse().unwrap();
        let r = request(proxy, "203.0.113.9, 198.51.100.7");
        assert_eq!(client_of(&r, &[proxy]), visitor, "the hop the proxy saw");
        assert_eq!(client_of(&r, &[]), proxy, "an untrusted peer is the client");
        let spoofed = request(visitor, "1.2.3.4");
        assert_eq!(client_of(&spoofed, &[proxy]), visitor, "not from the proxy");
    }
}
