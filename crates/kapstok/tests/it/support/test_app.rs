//! `TestApp`: a fresh app on a fresh store of any backend, built with a small builder
//! (`TestApp::init().with_demo().with_backend(Backend::Sqlite).build()`), with clients that send
//! requests through the real router in-process, or the app served on a loopback socket.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use kapstok_app::{App, Guides, Maintenance};
use kapstok_store::Store;
use kapstok_store_sql::{Database, SqlStore};
use kapstok_web::AppState;
use kapstok_web::state::WebConfig;
use std::sync::Arc;
use tower::ServiceExt;

/// The backends a deployment can run on; every storage test runs on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    /// A new database on the test run's own PostgreSQL cluster (`support::postgres`).
    Postgres,
}

impl Backend {
    pub const ALL: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

    /// Where a fresh, empty store of this backend lives (SQLite: a file in `dir`).
    pub fn fresh_database(self, dir: &std::path::Path) -> Database {
        match self {
            Backend::Sqlite => Database::Sqlite(dir.join("kapstok.db")),
            Backend::Postgres => Database::Postgres(super::postgres::fresh_database()),
        }
    }

    /// As `open`, with where it lives.
    pub async fn open_database(self, dir: &std::path::Path) -> (Arc<dyn Store>, Database) {
        let db = self.fresh_database(dir);
        let store = SqlStore::open(&db)
            .await
            .unwrap_or_else(|e| panic!("open {db}: {e}"));
        (Arc::new(store), db)
    }
}

pub struct TestApp {
    pub state: AppState,
    pub store: Arc<dyn Store>,
    pub database: Database,
    pub dir: tempfile::TempDir,
}

/// How to build a [`TestApp`].
pub struct Builder {
    mail: Option<kapstok_app::mail::MailConfig>,
    demo: bool,
    demo_referrals: bool,
    backend: Backend,
    web: WebConfig,
    guides: Option<Guides>,
    clock: Option<kapstok_app::Clock>,
}

impl Builder {
    /// Telling the time by this clock (service levels, retention), which the test moves.
    pub fn with_clock(mut self, clock: kapstok_app::Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// With the fictional Emmen demo loaded (map, postcodes, areas, teams, accounts), its
    /// inboxes empty.
    pub fn with_demo(mut self) -> Self {
        self.demo = true;
        self
    }

    /// With the demo's referrals in the inboxes too, as `kapstok demo` loads them.
    pub fn with_demo_referrals(mut self) -> Self {
        self.demo = true;
        self.demo_referrals = true;
        self
    }

    pub fn with_backend(mut self, backend: Backend) -> Self {
        self.backend = backend;
        self
    }

    pub fn with_web_config(mut self, web: WebConfig) -> Self {
        self.web = web;
        self
    }

    /// Mail through this SMTP server (else kept in the outbox only).
    pub fn with_mail(mut self, mail: kapstok_app::mail::MailConfig) -> Self {
        self.mail = Some(mail);
        self
    }

    /// With another respite guide or other self-check instruments.
    pub fn with_guides(mut self, guides: Guides) -> Self {
        self.guides = Some(guides);
        self
    }

    pub async fn build(self) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, database) = self.backend.open_database(dir.path()).await;
        if self.demo {
            kapstok::commands::load_demo(store.clone())
                .await
                .expect("demo loads");
            if self.demo_referrals {
                kapstok::demo_referrals::load(store.clone())
                    .await
                    .expect("demo referrals load");
            }
        }
        let mut app = App::open(store.clone(), Default::default())
            .await
            .expect("app");
        if let Some(guides) = self.guides {
            app = app.with_guides(guides);
        }
        if let Some(mail) = &self.mail {
            app = app.with_mail(mail).expect("valid mail settings");
        }
        if let Some(clock) = self.clock {
            app = app.with_clock(clock);
        }
        app = app.with_public_url("http://kapstok.test");
        TestApp {
            state: AppState::new(app).with_web_config(self.web),
            store,
            database,
            dir,
        }
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent (for files such as the booklet's PDF).
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Someone using the app: sends requests through the real router, with their cookies.
pub struct Client {
    router: Router,
    cookie: Option<String>,
}

impl Client {
    pub async fn request(&self, mut request: Request<Body>) -> Reply {
        if let Some(c) = &self.cookie {
            request
                .headers_mut()
                .insert("cookie", c.parse().expect("cookie"));
        }
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024)
            .await
            .expect("body");
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.request(Request::get(uri).body(Body::empty()).expect("request"))
            .await
    }

    /// A form as a browser on this site sends it.
    pub async fn post_form(&self, uri: &str, body: &str) -> Reply {
        self.request(
            Request::post(uri)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(body.to_string()))
                .expect("request"),
        )
        .await
    }
}

impl TestApp {
    /// A builder: `TestApp::init().with_demo().build().await`.
    pub fn init() -> Builder {
        Builder {
            mail: None,
            demo: false,
            demo_referrals: false,
            backend: Backend::Sqlite,
            web: WebConfig::default(),
            guides: None,
            clock: None,
        }
    }

    pub fn router(&self) -> Router {
        kapstok_web::router(self.state.clone())
    }

    /// A browser that keeps its cookies (sessions on the professional side).
    pub fn browser(&self) -> super::Browser {
        super::Browser::new(self.router())
    }

    /// A visitor of the public site (no cookies).
    pub fn visitor(&self) -> Client {
        Client {
            router: self.router(),
            cookie: None,
        }
    }

    /// A visitor with a cookie (such as `lang=en`).
    pub fn visitor_with_cookie(&self, cookie: &str) -> Client {
        Client {
            router: self.router(),
            cookie: Some(cookie.into()),
        }
    }

    pub async fn request(&self, request: Request<Body>) -> Reply {
        self.visitor().request(request).await
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.visitor().get(uri).await
    }

    pub async fn post_form(&self, uri: &str, body: &str) -> Reply {
        self.visitor().post_form(uri, body).await
    }

    pub async fn get_with_cookie(&self, uri: &str, cookie: &str) -> Reply {
        self.visitor_with_cookie(cookie).get(uri).await
    }

    /// The command line's capability, as `kapstok import` has it.
    pub fn importer(&self) -> Maintenance {
        kapstok::commands::operator(self.store.clone())
    }

    /// Rebuilds the read model now (a served app does this every second by itself).
    pub async fn refresh(&self) {
        self.state.refresh().await.expect("refresh");
    }

    /// The app on a real socket (loopback, free port) with the given connection limits.
    pub async fn serve(&self, limits: kapstok_web::server::Limits) -> Served {
        let listener = kapstok_web::server::bind("127.0.0.1:0".parse().expect("address"))
            .await
            .expect("bind");
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

    /// Runs SQL on the database behind the app's back, as someone with the database file or
    /// server would (tampering, breaking a table); rows affected.
    pub async fn raw_sql(&self, sql: &str) -> Result<u64, sqlx::Error> {
        raw_sql(&self.database, sql).await
    }

    /// The whole social map as `kapstok export hsds` writes it.
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

/// SQL on a database through a connection of its own.
pub async fn raw_sql(db: &Database, sql: &str) -> Result<u64, sqlx::Error> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let url = match db {
        Database::Sqlite(path) => format!("sqlite://{}", path.display()),
        Database::Postgres(url) => url.clone(),
    };
    let mut conn = sqlx::AnyConnection::connect(&url).await?;
    let n = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await?
        .rows_affected();
    conn.close().await?;
    Ok(n)
}
