//! Server-side sessions: tower-sessions' middleware (cookie, id rotation, expiry) over the
//! application's session table, which keeps only a hash of each id. What a session holds is
//! named here, in one place.

use async_trait::async_trait;
use kapstok_app::Sessions;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};

/// The signed-in user's id (only after every step of the sign-in).
pub const USER: &str = "user";
/// When they signed in, unix seconds (the absolute term counts from here).
pub const SINCE: &str = "since";
/// Whether the sign-in passed a second factor (a role that needs one needs this).
pub const TWO_FACTOR: &str = "two_factor";
/// A sign-in half done: the password was right, the second factor comes next.
pub const PENDING: &str = "pending";
/// A TOTP secret being set up (not stored with the account until confirmed).
pub const TOTP_SETUP: &str = "totp_setup";
/// The token every form of a session carries (CSRF).
pub const CSRF: &str = "csrf";
/// The cookie's name.
pub const COOKIE: &str = "kapstok_sessie";

/// A sign-in between the password and the second factor; gone after ten minutes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    pub user: String,
    /// The second factor is set up now (`true`) or asked for (`false`).
    pub set_up: bool,
    pub at: i64,
    /// Where to go once signed in.
    pub back: String,
}

pub const PENDING_SECONDS: i64 = 10 * 60;

#[derive(Clone)]
pub struct DbSessionStore(pub Sessions);

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbSessionStore")
    }
}

/// What the table's `data` column holds: the session's values and its expiry (the id is not
/// stored, only its hash as the key).
#[derive(Serialize, Deserialize)]
struct Stored {
    expires: i64,
    data: std::collections::HashMap<String, serde_json::Value>,
}

/// The user (for ending all of a user's sessions), the stored JSON, the expiry.
fn encode(record: &Record) -> Result<(Option<&str>, String, i64)> {
    let user = record.data.get(USER).and_then(|v| v.as_str());
    let expires = record.expiry_date.unix_timestamp();
    let stored = Stored {
        expires,
        data: record.data.clone(),
    };
    let json = serde_json::to_string(&stored).map_err(|e| Error::Encode(e.to_string()))?;
    Ok((user, json, expires))
}

fn backend(e: impl std::fmt::Display) -> Error {
    Error::Backend(e.to_string())
}

#[async_trait]
impl tower_sessions::SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        loop {
            let (user, json, expires) = encode(record)?;
            let made = self
                .0
                .create(&record.id.to_string(), user, &json, expires)
                .await
                .map_err(backend)?;
            if made {
                return Ok(());
            }
            // Taken (one in 2^128): another random id.
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let (user, json, expires) = encode(record)?;
        self.0
            .save(&record.id.to_string(), user, &json, expires)
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let Some(json) = self.0.load(&id.to_string()).await.map_err(backend)? else {
            return Ok(None);
        };
        let stored: Stored =
            serde_json::from_str(&json).map_err(|e| Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data: stored.data,
            expiry_date: OffsetDateTime::from_unix_timestamp(stored.expires)
                .map_err(|e| Error::Decode(e.to_string()))?,
        }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.0.delete(&id.to_string()).await.map_err(backend)
    }
}

/// The session middleware: HttpOnly, SameSite=Lax, `Secure` when the site is served over
/// HTTPS, ended after 30 minutes without a request (every request moves that on).
pub fn layer(sessions: Sessions, secure: bool) -> SessionManagerLayer<DbSessionStore> {
    SessionManagerLayer::new(DbSessionStore(sessions))
        .with_name(COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(
            kapstok_app::accounts::IDLE_SECONDS,
        )))
        .with_always_save(true)
}
