#![forbid(unsafe_code)]
//! Kapstok's SQL storage: the embedded SQLite file (the default) and PostgreSQL (several app
//! instances on one database). The queries are written once, against sqlx's `Any` driver with
//! `$N` placeholders that both databases read; what differs (opening, migrations, locks, list
//! parameters, backups) lives in [`sqlite`] and [`postgres`] and nowhere else.
//!
//! One module per capability trait of `kapstok-store`; the row mapping and the shared query
//! shapes in `rows`; migrations embedded per backend from `migrations/{sqlite,postgres}`.

mod accounts;
mod activities;
mod audit;
mod figures;
mod geo;
mod map_edit;
mod meta;
mod postgres;
mod referrals;
mod rows;
mod sessions;
mod signals;
mod social_map;
mod social_map_write;
mod sqlite;
mod tallies;
mod vocabulary;

use kapstok_store::{StoreError, StoreResult};
use sqlx::AnyPool;
use sqlx::{Any, Transaction};
use std::fmt;
use std::path::{Path, PathBuf};

/// Where the data lives.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// The embedded SQLite file, created on first use.
    Sqlite(PathBuf),
    /// A PostgreSQL server, by its `postgres://` URL.
    Postgres(String),
}

impl Database {
    /// A `postgres://` (or `postgresql://`) URL, or a `sqlite:` path.
    pub fn parse(text: &str) -> Result<Database, String> {
        let text = text.trim();
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Ok(Database::Postgres(text.to_string()))
        } else if let Some(path) = text
            .strip_prefix("sqlite://")
            .or(text.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                Err("sqlite: needs a file name, e.g. sqlite:kapstok-data/kapstok.db".into())
            } else {
                Ok(Database::Sqlite(PathBuf::from(path)))
            }
        } else {
            Err("expected postgres://user:password@host/database or sqlite:path/to/file.db".into())
        }
    }
}

/// Never shows a password: the URL's user info is left out.
impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => {
                let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
                let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
                write!(f, "postgres://{}", host.split('?').next().unwrap_or(host))
            }
        }
    }
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Which SQL dialect a store speaks, for the few places where they differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
    database: Database,
}

impl SqlStore {
    /// Opens the database (creating an SQLite file when missing) and brings its schema up to
    /// date. Two instances starting at once on one PostgreSQL migrate one after the other.
    pub async fn open(database: &Database) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let (pool, backend) = match database {
            Database::Sqlite(path) => (sqlite::connect(path).await?, Backend::Sqlite),
            Database::Postgres(url) => (postgres::connect(url).await?, Backend::Postgres),
        };
        let store = SqlStore {
            pool,
            backend,
            database: database.clone(),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// The embedded SQLite file at `path`.
    pub async fn open_sqlite(path: &Path) -> StoreResult<Self> {
        Self::open(&Database::Sqlite(path.to_path_buf())).await
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A write transaction. SQLite takes its write lock at once (no upgrade deadlocks).
    pub(crate) async fn begin(&self) -> StoreResult<Transaction<'static, Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// The placeholder of long statements: on SQLite a bare `?` each, because sqlx asks SQLite
    /// the name of every parameter and a named or numbered one (`$N`, `?N`) costs a walk over
    /// all names: quadratic in a 4,000-value insert (found with perf: 54 % of an import).
    pub(crate) fn placeholder(&self) -> char {
        match self.backend {
            Backend::Sqlite => '?',
            Backend::Postgres => '$',
        }
    }

    /// A subquery yielding the strings of the JSON array bound at `param` (e.g. `$1`).
    pub(crate) fn json_strings(&self, param: &str) -> String {
        match self.backend {
            Backend::Sqlite => format!("SELECT value FROM json_each({param})"),
            Backend::Postgres => {
                format!("SELECT jsonb_array_elements_text(CAST({param} AS jsonb))")
            }
        }
    }

    async fn migrate(&self) -> StoreResult<()> {
        let (migrations, now) = match self.backend {
            Backend::Sqlite => (sqlite::MIGRATIONS, sqlite::NOW),
            Backend::Postgres => (postgres::MIGRATIONS, postgres::NOW),
        };
        let mut tx = self.begin().await?;
        if self.backend == Backend::Postgres {
            postgres::lock_for_migration(&mut tx).await?;
        }
        sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
            .execute(&mut *tx)
            .await?;
        let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
            .fetch_all(&mut *tx)
            .await?;
        if let Some(newer) = applied.iter().find(|v| **v > migrations.len() as i64) {
            return Err(StoreError::Open(format!(
                "the database has schema version {newer}, newer than this Kapstok knows; \
                 run the newer Kapstok or restore a backup"
            )));
        }
        for (version, sql) in migrations {
            if applied.contains(version) {
                continue;
            }
            sqlx::raw_sql(sqlx::AssertSqlSafe(*sql))
                .execute(&mut *tx)
                .await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, {now})"
            )))
            .bind(version)
            .execute(&mut *tx)
            .await?;
            tracing::info!(version, "applied database migration");
        }
        tx.commit().await?;
        Ok(())
    }

    /// SQLite's own consistency check: `Ok(())` when the file is sound, else what it found.
    /// PostgreSQL keeps its own checks; there it is always `Ok(())`.
    pub async fn integrity_check(&self) -> StoreResult<Result<(), String>> {
        match self.backend {
            Backend::Sqlite => sqlite::integrity_check(&self.pool).await,
            Backend::Postgres => Ok(Ok(())),
        }
    }

    /// A consistent copy of the whole database, made while the app runs: an SQLite file, or a
    /// `pg_dump` archive (custom format, for `pg_restore`).
    pub async fn backup_to(&self, path: &Path) -> StoreResult<()> {
        match &self.database {
            Database::Sqlite(_) => sqlite::backup_to(&self.pool, path).await,
            Database::Postgres(url) => postgres::backup_to(url, path).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_parse_and_never_show_a_password() {
        let pg =
            Database::parse("postgres://kapstok:geheim@db.example:5432/kapstok?sslmode=disable")
                .unwrap();
        assert_eq!(pg.to_string(), "postgres://db.example:5432/kapstok");
        assert!(!format!("{pg:?}").contains("geheim"));
        assert_eq!(
            Database::parse("sqlite:data/k.db").unwrap(),
            Database::Sqlite("data/k.db".into())
        );
        assert!(Database::parse("mysql://x").is_err());
        assert!(Database::parse("sqlite:").is_err());
        assert!(Database::parse("kapstok.db").is_err());
    }
}
