//! Test harness: a fresh database per test, the real router in-process, small request helpers.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use kapstok_store::SocialMapRead;
use kapstok_store_sqlite::SqliteStore;
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

    /// The app on a real socket (loopback, free port) with the given connection limits.
    pub async fn serve(&self, limits: kapstok_web::server::Limits) -> Served {
        let listener =
            kapstok_web::server::bind("127.0.0.1:0".parse().expect("address")).expect("bind");
        let addr = listener.local_addr().expect("address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(kapstok_web::serve(
            listener,
            self.state.clone(),
            limits,
            async {
                let _ = stopped.await;
            },
        ));
        Served {
            addr,
            stop: Some(stop),
            handle,
        }
    }

    pub async fn export(&self) -> String {
        serde_json::to_string_pretty(&self.store.load_directory().await.expect("export"))
            .expect("json")
    }
}

/// A server started by [`TestApp::serve`]; [`Served::stop`] shuts it down gracefully.
pub struct Served {
    pub addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Served {
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.handle)
            .await
            .expect("server task")
            .expect("server ends cleanly");
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// A demo service id by its name and organisation.
pub fn demo_service_id(org: &str, offer: &str) -> String {
    kapstok_demo::id(&format!("service:{org}:{offer}"))
}

/// `kapstok --data-dir DATA serve` on a free loopback port, to be adjusted and passed to `start`.
pub fn serve_command(data: &std::path::Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_kapstok"));
    c.arg("--data-dir")
        .arg(data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "warn");
    c
}

/// Starts the real server and returns it with the address it printed.
pub fn start(mut command: std::process::Command) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("kapstok starts");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("address line");
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .expect("address in the first line")
        .to_string();
    (child, addr)
}

/// Sends one raw HTTP/1.1 request (with `Connection: close`) and returns the whole response.
pub fn raw_http(addr: &str, request: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.write_all(request.as_bytes()).expect("send");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("receive");
    out
}

/// Names of the results listed on a page, in order.
pub fn result_names(html: &str) -> Vec<String> {
    html.split("<li class=\"result\">")
        .skip(1)
        .filter_map(|chunk| {
            let start = chunk.find("\">")? + 2;
            let end = chunk[start..].find("</a>")? + start;
            Some(chunk[start..end].to_string())
        })
        .collect()
}
