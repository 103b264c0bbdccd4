//! What only PostgreSQL does: connecting, the migration lock between instances, `pg_dump`.

use kapstok_store::{StoreError, StoreResult};
use sqlx::AnyPool;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, ConnectOptions, Connection};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub(crate) const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        include_str!("../migrations/postgres/0001_social_map.sql"),
    ),
    (
        2,
        include_str!("../migrations/postgres/0002_self_check_counts.sql"),
    ),
    (
        3,
        include_str!("../migrations/postgres/0003_taxonomy_role.sql"),
    ),
    (
        4,
        include_str!("../migrations/postgres/0004_deferrable_references.sql"),
    ),
    (
        5,
        include_str!("../migrations/postgres/0005_accounts_and_access_log.sql"),
    ),
    (6, include_str!("../migrations/postgres/0006_referrals.sql")),
    (
        7,
        include_str!("../migrations/postgres/0007_forward_and_withdrawal.sql"),
    ),
    (
        8,
        include_str!("../migrations/postgres/0008_team_reasons.sql"),
    ),
    (
        9,
        include_str!("../migrations/postgres/0009_map_editing.sql"),
    ),
    (
        10,
        include_str!("../migrations/postgres/0010_word_lists.sql"),
    ),
    (
        11,
        include_str!("../migrations/postgres/0011_activities.sql"),
    ),
    (
        12,
        include_str!("../migrations/postgres/0012_registration_reminders.sql"),
    ),
    (13, include_str!("../migrations/postgres/0013_signals.sql")),
    (14, include_str!("../migrations/postgres/0014_figures.sql")),
];

pub(crate) const NOW: &str = "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')";

pub(crate) async fn connect(url: &str) -> StoreResult<AnyPool> {
    let options = AnyConnectOptions::from_str(url)?;
    // One connection first, so a wrong host, port or password is reported as itself at once
    // rather than as a pool timeout after 10 s.
    options.connect().await?.close().await?;
    Ok(AnyPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await?)
}

/// Held until the transaction ends: a second instance starting at the same moment waits, then
/// finds the migrations applied.
pub(crate) async fn lock_for_migration(
    tx: &mut sqlx::Transaction<'static, Any>,
) -> StoreResult<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(7261300)")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Held until the transaction ends: appends to the access log's chain one after the other, also
/// from several instances.
pub(crate) async fn lock_access_log(tx: &mut sqlx::Transaction<'static, Any>) -> StoreResult<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(7261301)")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// `pg_dump --format=custom`: one consistent snapshot, restored with `pg_restore`.
pub(crate) async fn backup_to(url: &str, path: &Path) -> StoreResult<()> {
    let out = tokio::process::Command::new("pg_dump")
        .arg("--format=custom")
        .arg("--no-owner")
        .arg("--file")
        .arg(path)
        .arg("--dbname")
        .arg(url)
        .output()
        .await
        .map_err(|e| StoreError::Open(format!("cannot run pg_dump (is it installed?): {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(StoreError::Open(format!(
            "pg_dump failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}
