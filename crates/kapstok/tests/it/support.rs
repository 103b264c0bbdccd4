//! Test harness: a fresh database per test, the real router in-process, small request helpers.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use kapstok_store::{SqliteStore, Store};
use kapstok_web::AppState;
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt;

pub struct TestApp {
    pub state: AppState,
    pub store: Arc<SqliteStore>,
    pub dir: tempfile::TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// `../shared` beside the repository, where the real postcode tables and HSDS schemas live.
pub fn shared(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(path)
}

impl TestApp {
    pub async fn empty() -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(
            SqliteStore::open(&dir.path().join("kapstok.db"))
                .await
                .expect("open store"),
        );
        let state = AppState::new(store.clone(), Default::default())
            .await
            .expect("state");
        TestApp { state, store, dir }
    }

    pub async fn demo() -> TestApp {
        let app = TestApp::empty().await;
        kapstok::commands::load_demo(app.store.as_ref())
            .await
            .expect("demo loads");
        app.state.refresh().await.expect("refresh");
        app
    }

    pub fn router(&self) -> Router {
        kapstok_web::router(self.state.clone())
    }

    pub async fn request(&self, request: Request<Body>) -> Reply {
        let response = self.router().oneshot(request).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024)
            .await
            .expect("body");
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.request(Request::get(uri).body(Body::empty()).expect("request"))
            .await
    }

    pub async fn get_with_cookie(&self, uri: &str, cookie: &str) -> Reply {
        self.request(
            Request::get(uri)
                .header("cookie", cookie)
                .body(Body::empty())
                .expect("request"),
        )
        .await
    }

    pub async fn export(&self) -> String {
        serde_json::to_string_pretty(&self.store.load_directory().await.expect("export"))
            .expect("json")
    }
}

/// A demo service id by its name and organisation.
pub fn demo_service_id(org: &str, offer: &str) -> String {
    kapstok_demo::id(&format!("service:{org}:{offer}"))
}
