//! What only SQLite does: the file and its pragmas, migrations, `VACUUM INTO` backups.

use kapstok_store::{StoreError, StoreResult};
use sqlx::AnyPool;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Executor};
use std::path::Path;

/// Migrations in order; each runs once, inside a transaction.
pub(crate) const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_social_map.sql")),
    (
        2,
        include_str!("../migrations/sqlite/0002_self_check_counts.sql"),
    ),
    (
        3,
        include_str!("../migrations/sqlite/0003_taxonomy_role.sql"),
    ),
    (
        4,
        include_str!("../migrations/sqlite/0004_accounts_and_access_log.sql"),
    ),
    (5, include_str!("../migrations/sqlite/0005_referrals.sql")),
    (
        6,
        include_str!("../migrations/sqlite/0006_forward_and_withdrawal.sql"),
    ),
    (
        7,
        include_str!("../migrations/sqlite/0007_team_reasons.sql"),
    ),
    (8, include_str!("../migrations/sqlite/0008_map_editing.sql")),
    (9, include_str!("../migrations/sqlite/0009_word_lists.sql")),
    (10, include_str!("../migrations/sqlite/0010_activities.sql")),
    (
        11,
        include_str!("../migrations/sqlite/0011_registration_reminders.sql"),
    ),
    (12, include_str!("../migrations/sqlite/0012_signals.sql")),
    (13, include_str!("../migrations/sqlite/0013_figures.sql")),
];

pub(crate) const NOW: &str = "datetime('now')";

/// Per connection: WAL (readers never wait for the writer), FULL sync (a commit that returned
/// survives a power cut, not only a crash), foreign keys, and a writer waits up to 10 s.
const PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                       PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;";

pub(crate) async fn connect(path: &Path) -> StoreResult<AnyPool> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Open(format!("{}: {e}", dir.display())))?;
    }
    // The file name encoded into a URL by SQLite's own options, so any path survives.
    let url = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .to_url_lossy();
    let options = AnyConnectOptions::from_url(&url)?;
    Ok(AnyPoolOptions::new()
        .max_connections(8)
        // A local file: no ping before each use (a round trip to the connection thread).
        .test_before_acquire(false)
        .after_connect(|conn, _| Box::pin(async move { conn.execute(PRAGMAS).await.map(drop) }))
        .connect_with(options)
        .await?)
}

pub(crate) async fn integrity_check(pool: &AnyPool) -> StoreResult<Result<(), String>> {
    let found: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(pool)
        .await?;
    Ok(if found == ["ok"] {
        Ok(())
    } else {
        Err(found.join("; "))
    })
}

pub(crate) async fn backup_to(pool: &AnyPool, path: &Path) -> StoreResult<()> {
    sqlx::query("VACUUM INTO $1")
        .bind(path.to_string_lossy().into_owned())
        .execute(pool)
        .await?;
    Ok(())
}
