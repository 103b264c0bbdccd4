//! `SignalStore`: signals and their loop. References are numbered per year inside the writing
//! transaction (SQLite's writer; on PostgreSQL an advisory lock for the numbering).

use crate::audit::append_in;
use crate::{Backend, SqlStore};
use async_trait::async_trait;
use kapstok_domain::audit::NewEntry;
use kapstok_domain::signal::{Addressee, Signal, SignalState, reference};
use kapstok_store::{NewSignal, SignalStore, StoreError, StoreResult};
use sqlx::Row;
use sqlx::any::AnyRow;

const SELECT: &str = "SELECT id, reference, theme, area_code, period_from, period_to, body, sender_user_id, \
     sender_team_id, addressee, state, answer, group_name, created_at, acknowledged_at, answered_at, closed_at \
     FROM signals";

fn corrupt(id: &str, what: &str) -> StoreError {
    StoreError::Corrupt {
        id: id.to_string(),
        reason: what.to_string(),
    }
}

fn signal_from(r: &AnyRow) -> StoreResult<Signal> {
    let id: String = r.try_get(0)?;
    let day = |n: usize| -> StoreResult<_> {
        let text: String = r.try_get(n)?;
        kapstok_domain::activity_form::date_of(&text).ok_or_else(|| corrupt(&id, "period"))
    };
    let state: String = r.try_get(10)?;
    let addressee: String = r.try_get(9)?;
    Ok(Signal {
        reference: r.try_get(1)?,
        theme: r.try_get(2)?,
        area: r.try_get(3)?,
        from: day(4)?,
        to: day(5)?,
        text: r.try_get(6)?,
        sender_user: r.try_get(7)?,
        sender_team: r.try_get(8)?,
        addressee: Addressee::parse(&addressee),
        state: SignalState::parse(&state).ok_or_else(|| corrupt(&id, "state"))?,
        answer: r.try_get(11)?,
        group: r.try_get(12)?,
        created_at: r.try_get(13)?,
        acknowledged_at: r.try_get(14)?,
        answered_at: r.try_get(15)?,
        closed_at: r.try_get(16)?,
        id,
    })
}

#[async_trait]
impl SignalStore for SqlStore {
    async fn add_signal(&self, s: &NewSignal, log: &NewEntry) -> StoreResult<Signal> {
        let mut tx = self.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(16016)")
                .execute(&mut *tx)
                .await?;
        }
        let year: i64 = s.at.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
        let number: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(number), 0) + 1 FROM signals WHERE year = $1")
                .bind(year)
                .fetch_one(&mut *tx)
                .await?;
        let reference = reference(year as i16, number);
        sqlx::query(
            "INSERT INTO signals (id, reference, year, number, theme, area_code, period_from, period_to, body, \
             sender_user_id, sender_team_id, addressee, state, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'open', $13)",
        )
        .bind(s.id.clone())
        .bind(reference)
        .bind(year)
        .bind(number)
        .bind(s.theme.clone())
        .bind(s.area.clone())
        .bind(s.from.clone())
        .bind(s.to.clone())
        .bind(s.text.clone())
        .bind(s.sender_user.clone())
        .bind(s.sender_team.clone())
        .bind(s.addressee.clone())
        .bind(s.at.clone())
        .execute(&mut *tx)
        .await?;
        append_in(self.backend, &mut tx, log).await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
            .bind(s.id.clone())
            .fetch_one(&mut *tx)
            .await?;
        let stored = signal_from(&row)?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn signal(&self, id: &str) -> StoreResult<Option<Signal>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(signal_from).transpose()
    }

    async fn signals_sent_by(&self, user_id: &str) -> StoreResult<Vec<Signal>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE sender_user_id = $1 ORDER BY created_at DESC, id"
        )))
        .bind(user_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(signal_from).collect()
    }

    async fn signals_to(&self, addressees: &[String]) -> StoreResult<Vec<Signal>> {
        let mut out = Vec::new();
        for a in addressees {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE addressee = $1"
            )))
            .bind(a.clone())
            .fetch_all(&self.pool)
            .await?;
            for r in &rows {
                out.push(signal_from(r)?);
            }
        }
        out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    async fn all_signals(&self) -> StoreResult<Vec<Signal>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} ORDER BY created_at DESC, id"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(signal_from).collect()
    }

    async fn signal_step(
        &self,
        id: &str,
        state: SignalState,
        answer: Option<&str>,
        at: &str,
        log: &NewEntry,
    ) -> StoreResult<bool> {
        let column = match state {
            SignalState::Open => "created_at",
            SignalState::Acknowledged => "acknowledged_at",
            SignalState::Answered => "answered_at",
            SignalState::Closed => "closed_at",
        };
        let mut tx = self.begin().await?;
        // The first time of each step stays (a reopened signal keeps when it was first seen).
        let done = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE signals SET state = $1, answer = COALESCE($2, answer), \
             {column} = COALESCE({column}, $3) WHERE id = $4"
        )))
        .bind(state.code())
        .bind(answer.map(str::to_string))
        .bind(at.to_string())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Ok(false);
        }
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn group_signals(
        &self,
        ids: &[String],
        group: Option<&str>,
        log: &NewEntry,
    ) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        let mut n = 0;
        for id in ids {
            n += sqlx::query("UPDATE signals SET group_name = $1 WHERE id = $2")
                .bind(group.map(str::to_string))
                .bind(id.clone())
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        if n > 0 {
            append_in(self.backend, &mut tx, log).await?;
        }
        tx.commit().await?;
        Ok(n)
    }
}
