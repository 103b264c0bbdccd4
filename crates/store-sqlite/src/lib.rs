#![forbid(unsafe_code)]
//! The embedded SQLite backend: one module per capability trait of `kapstok-store`, the row
//! mapping and the shared query shapes in `rows`, migrations embedded from `migrations/`.

mod geo;
mod meta;
mod rows;
mod social_map;
mod social_map_write;
mod tallies;

use kapstok_store::{StoreError, StoreResult};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// Migrations in order; each runs once, inside a transaction.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_social_map.sql")),
    (
        2,
        include_str!("../migrations/sqlite/0002_self_check_counts.sql"),
    ),
    (
        3,
        include_str!("../migrations/sqlite/0003_taxonomy_role.sql"),
    ),
];

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating when missing) the database file and brings its schema up to date.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Open(format!("{}: {e}", dir.display())))?;
        }
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(StoreError::Database)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit that returned survives a power cut, not only a crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // A local file: no ping before each use (a round trip to the connection thread).
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        let store = SqliteStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> StoreResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
            .execute(&mut *tx)
            .await?;
        let applied: Vec<(i64,)> = sqlx::query_as("SELECT version FROM schema_migrations")
            .fetch_all(&mut *tx)
            .await?;
        for (version, sql) in MIGRATIONS {
            if applied.iter().any(|(v,)| v == version) {
                continue;
            }
            sqlx::raw_sql(*sql).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?, datetime('now'))",
            )
            .bind(version)
            .execute(&mut *tx)
            .await?;
            tracing::info!(version, "applied database migration");
        }
        tx.commit().await?;
        Ok(())
    }

    /// SQLite's own consistency check: `Ok(())` when the file is sound, else what it found.
    pub async fn integrity_check(&self) -> StoreResult<Result<(), String>> {
        let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
            .fetch_all(&self.pool)
            .await?;
        let found: Vec<String> = rows.into_iter().map(|(r,)| r).collect();
        Ok(if found == ["ok"] {
            Ok(())
        } else {
            Err(found.join("; "))
        })
    }

    /// A consistent copy of the whole database, made while the app runs.
    pub async fn backup_to(&self, path: &Path) -> StoreResult<()> {
        sqlx::query("VACUUM INTO ?")
            .bind(path.to_string_lossy().into_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
