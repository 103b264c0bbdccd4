//! `SessionStore`: server-side sessions by a hash of their id, and `OutboxStore`: kept mail.

use crate::SqlStore;
use crate::accounts::{Bind, execute};
use crate::audit::append_in;
use async_trait::async_trait;
use kapstok_domain::audit::NewEntry;
use kapstok_store::{OutboxMail, OutboxStore, SessionStore, StoreResult};

#[async_trait]
impl SessionStore for SqlStore {
    async fn create_session(
        &self,
        id_hash: &str,
        user_id: Option<&str>,
        data: &str,
        expires_at: i64,
    ) -> StoreResult<bool> {
        let n = sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, data, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id_hash) DO NOTHING",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(data)
        .bind(expires_at)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    async fn save_session(
        &self,
        id_hash: &str,
        user_id: Option<&str>,
        data: &str,
        expires_at: i64,
    ) -> StoreResult<()> {
        // An update only: a session ended meanwhile (signed out everywhere, a new password)
        // is not written back by a request that was still running.
        sqlx::query(
            "UPDATE sessions SET user_id = $2, data = $3, expires_at = $4 WHERE id_hash = $1",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(data)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn load_session(&self, id_hash: &str, now: i64) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT data FROM sessions WHERE id_hash = $1 AND expires_at > $2")
                .bind(id_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_user_sessions(&self, user_id: &str, log: &NewEntry) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        let n = execute(
            &mut tx,
            "DELETE FROM sessions WHERE user_id = $1",
            &[Bind::Text(user_id)],
        )
        .await?;
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(n)
    }

    async fn delete_expired_sessions(&self, now: i64) -> StoreResult<u64> {
        Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }
}

#[async_trait]
impl OutboxStore for SqlStore {
    async fn keep_mail(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        sent: bool,
        log: &NewEntry,
    ) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let now = self.now_sql();
        let sent_at = if sent { now } else { "NULL" };
        let id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "INSERT INTO outbox (to_address, subject, body, created_at, sent_at) VALUES ($1, $2, $3, {now}, {sent_at}) RETURNING id"
        )))
        .bind(to)
        .bind(subject)
        .bind(body)
        .fetch_one(&mut *tx)
        .await?;
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn mark_sent(&self, id: i64, body: &str) -> StoreResult<()> {
        let now = self.now_sql();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE outbox SET sent_at = {now}, body = $2 WHERE id = $1"
        )))
        .bind(id)
        .bind(body)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn outbox(&self, limit: usize) -> StoreResult<Vec<OutboxMail>> {
        let rows: Vec<(i64, String, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT id, to_address, subject, body, created_at, sent_at FROM outbox ORDER BY id DESC LIMIT $1",
        )
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, to, subject, body, created_at, sent_at)| OutboxMail {
                id,
                to,
                subject,
                body,
                created_at,
                sent_at,
            })
            .collect())
    }
}
