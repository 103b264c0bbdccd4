//! `AuditStore`: the access log's hash chain. Entries are appended inside the transaction of
//! the change they record ([`append_in`]), one after the other (SQLite's write lock, an advisory
//! lock on PostgreSQL); the database's triggers refuse changes and early deletes.

use crate::{Backend, SqlStore, postgres};
use async_trait::async_trait;
use kapstok_domain::audit::{Entry, GENESIS, NewEntry, chain_hash};
use kapstok_store::{AuditStore, LogFilter, StoreResult};
use sqlx::{Any, FromRow, Transaction};

type EntryRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    String,
    String,
);

const COLUMNS: &str = "seq, at, user_id, user_role, team_id, on_behalf_of, action, record_kind, record_id, person, origin, permitted, prev_hash, hash";

fn entry_from(r: EntryRow) -> Entry {
    Entry {
        seq: r.0,
        entry: NewEntry {
            at: r.1,
            user_id: r.2,
            user_role: r.3,
            team_id: r.4,
            on_behalf_of: r.5,
            action: r.6,
            record_kind: r.7,
            record_id: r.8,
            person: r.9,
            origin: r.10,
            permitted: r.11 != 0,
        },
        prev_hash: r.12,
        hash: r.13,
    }
}

/// Appends `e` to the chain inside `tx`; its number. If this fails, so does `tx`.
pub(crate) async fn append_in(
    backend: Backend,
    tx: &mut Transaction<'static, Any>,
    e: &NewEntry,
) -> StoreResult<i64> {
    if backend == Backend::Postgres {
        postgres::lock_access_log(tx).await?;
    }
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut **tx)
            .await?;
    let (seq, prev_hash) = last.map_or((1, GENESIS.to_string()), |(s, h)| (s + 1, h));
    let hash = chain_hash(&prev_hash, seq, e);
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO access_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    )))
    .bind(seq)
    .bind(&e.at)
    .bind(&e.user_id)
    .bind(&e.user_role)
    .bind(&e.team_id)
    .bind(&e.on_behalf_of)
    .bind(&e.action)
    .bind(&e.record_kind)
    .bind(&e.record_id)
    .bind(&e.person)
    .bind(&e.origin)
    .bind(i64::from(e.permitted))
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    Ok(seq)
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn append(&self, entry: &NewEntry) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let seq = append_in(self.backend, &mut tx, entry).await?;
        tx.commit().await?;
        Ok(seq)
    }

    async fn entries(
        &self,
        filter: &LogFilter,
        offset: usize,
        limit: usize,
    ) -> StoreResult<(Vec<Entry>, usize)> {
        // Each condition holds when its parameter is NULL, so one statement serves every filter.
        let conditions = "($1 IS NULL OR user_id = $1) AND ($2 IS NULL OR person = $2) \
             AND ($3 IS NULL OR record_id = $3) AND ($4 IS NULL OR action = $4) \
             AND ($5 IS NULL OR at >= $5) AND ($6 IS NULL OR at < $6)";
        let bind = |q: &str| {
            sqlx::query(sqlx::AssertSqlSafe(q.to_string()))
                .bind(filter.user_id.clone())
                .bind(filter.person.clone())
                .bind(filter.record_id.clone())
                .bind(filter.action.clone())
                .bind(filter.from.clone())
                .bind(filter.until.clone())
        };
        let total: i64 = sqlx::Row::try_get(
            &bind(&format!(
                "SELECT count(*) FROM access_log WHERE {conditions}"
            ))
            .fetch_one(&self.pool)
            .await?,
            0,
        )?;
        let rows = bind(&format!(
            "SELECT {COLUMNS} FROM access_log WHERE {conditions} ORDER BY seq DESC LIMIT $7 OFFSET $8"
        ))
        .bind(limit as i64)
        .bind(offset as i64)
        .fetch_all(&self.pool)
        .await?;
        let rows = rows
            .iter()
            .map(EntryRow::from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((rows.into_iter().map(entry_from).collect(), total as usize))
    }

    async fn retention_days(&self) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT keep_days FROM access_log_retention WHERE only_row = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn set_retention_days(&self, days: i64, log: &NewEntry) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE access_log_retention SET keep_days = $1 WHERE only_row = 1")
            .bind(days)
            .execute(&mut *tx)
            .await?;
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn purge_before(&self, before: &str, log: &NewEntry) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        if self.backend == Backend::Postgres {
            postgres::lock_access_log(&mut tx).await?;
        }
        // Up to the newest entry past the term, by number: the chain keeps no gap.
        let last: Option<(i64, String)> = sqlx::query_as(
            "SELECT seq, hash FROM access_log WHERE at < $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(before)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((through, hash)) = last else {
            return Ok(0);
        };
        let n = sqlx::query("DELETE FROM access_log WHERE seq <= $1")
            .bind(through)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let mut log = log.clone();
        log.record_id = Some(kapstok_domain::audit::purge_record(through, &hash));
        append_in(self.backend, &mut tx, &log).await?;
        tx.commit().await?;
        Ok(n)
    }

    async fn entries_after(&self, after: i64, limit: usize) -> StoreResult<Vec<Entry>> {
        let rows: Vec<EntryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM access_log WHERE seq > $1 ORDER BY seq LIMIT $2"
        )))
        .bind(after)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(entry_from).collect())
    }
}
