#![forbid(unsafe_code)]
//! Kapstok's web layer: HTML pages for people, a JSON API for systems. One room per audience
//! (`public`, `api`; later `pro` and `admin`), each with its own `router()`; `extract` for what
//! handlers read from a request, `views` for what pages share, `render` and `error` as the one
//! path from a result to a response.

pub mod api;
pub mod error;
pub mod extract;
pub mod guard;
pub mod i18n;
pub mod pro;
pub mod public;
pub mod redirect;
pub mod render;
pub mod server;
pub mod session;
pub mod state;
pub mod views;

pub use state::{AppState, Catalog};

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use error::{ApiError, AppError};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Clone, Default)]
struct Counter(Arc<AtomicU64>);

impl MakeRequestId for Counter {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.0.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{:x}-{n}", std::process::id()))
            .ok()
            .map(RequestId::new)
    }
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    // The finishing layer turns this into a page or a JSON body.
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

async fn fallback(visitor: extract::Visitor, request: Request) -> Response {
    if request.uri().path().starts_with("/api/") {
        ApiError(AppError::NotFound).into_response()
    } else {
        public::home::not_found(visitor).await.into_response()
    }
}

/// All routes with their middleware.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(public::router())
        .merge(pro::router(&state))
        .merge(api::router())
        .fallback(fallback)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard_writes,
        ))
        .layer(csrf(&state))
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(1024 * 1024))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn(guard::finish))
        .layer(axum::middleware::map_response(guard::security_headers))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let id = req
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                // The path only: query strings may hold postcodes or search words; secrets in
                // paths (invitation links) are left out too.
                tracing::info_span!("request", id, method = %req.method(), path = loggable_path(req.uri().path()))
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, Counter::default()))
}

/// A path as the ordinary log may show it: without the secret of an invitation link or a
/// carer's receipt code.
pub fn loggable_path(path: &str) -> &str {
    if path.starts_with("/uitnodiging/") {
        "/uitnodiging/…"
    } else if path.starts_with("/herstel/") {
        "/herstel/…"
    } else if path.starts_with("/toestemming/") {
        "/toestemming/…"
    } else if path.starts_with("/activiteiten/afmelden/") {
        "/activiteiten/afmelden/…"
    } else {
        path
    }
}

/// Refuses cross-site state-changing requests (`Sec-Fetch-Site`, or `Origin` against `Host`).
/// Origins named in the configuration (a site behind a proxy that rewrites `Host`) are trusted.
fn csrf(state: &AppState) -> CsrfLayer {
    let mut layer = CsrfLayer::new();
    for origin in &state.web.trusted_origins {
        match layer.clone().add_trusted_origin(origin) {
            Ok(l) => layer = l,
            Err(e) => tracing::warn!(origin, error = %e, "ignoring an invalid trusted origin"),
        }
    }
    layer
}

/// Serves until `shutdown` completes, with the connection limits of [`server::Limits`].
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    limits: server::Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    server::serve(listener, router(state), limits, shutdown).await
}
