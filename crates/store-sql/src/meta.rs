//! `MetaStore`: settings and the change counter.

use crate::SqlStore;
use async_trait::async_trait;
use kapstok_store::{MetaStore, StoreResult};
use sqlx::AnyConnection;

/// Every write to the social map, postcodes or areas moves the version, inside its transaction.
pub(crate) async fn bump_version(conn: &mut AnyConnection) -> StoreResult<()> {
    sqlx::query("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'directory_version'")
        .execute(conn)
        .await?;
    Ok(())
}

#[async_trait]
impl MetaStore for SqlStore {
    async fn directory_version(&self) -> StoreResult<i64> {
        let v: Option<String> = self.meta("directory_version").await?;
        Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    async fn meta(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn meta_or_insert(&self, key: &str, value: &str) -> StoreResult<String> {
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(self.meta(key).await?.unwrap_or_else(|| value.to_string()))
    }

    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()> {
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
