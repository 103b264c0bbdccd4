//! `MapEditStore`: publishing a record with its version, suggestions, visitors' corrections.
//! A published record is written by the import's writer, so a service's links and locations are
//! stored exactly as an import stores them.

use crate::SqlStore;
use crate::accounts::{Bind, execute};
use crate::audit::append_in;
use crate::social_map_write::SqlImport;
use async_trait::async_trait;
use kapstok_domain::audit::NewEntry;
use kapstok_store::{
    Correction, ImportSession, MapEditStore, MapRecord, NewCorrection, NewSuggestion, NewVersion,
    RecordType, ServiceLine, StoreError, StoreResult, Suggestion, SuggestionState, Version, Via,
};
use sqlx::Row;
use sqlx::any::AnyRow;

fn corrupt(id: &str, what: &str) -> StoreError {
    StoreError::Corrupt {
        id: id.to_string(),
        reason: what.to_string(),
    }
}

fn list(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn version_from(r: &AnyRow) -> StoreResult<Version> {
    let via: String = r.try_get(4)?;
    let seq: i64 = r.try_get(0)?;
    Ok(Version {
        seq,
        at: r.try_get(1)?,
        user_id: r.try_get(2)?,
        user_name: r.try_get(3)?,
        via: Via::parse(&via).ok_or_else(|| corrupt(&seq.to_string(), "unknown version kind"))?,
        changed: list(&r.try_get::<String, _>(5)?),
        restored_from: r.try_get(6)?,
        document: r.try_get(7)?,
    })
}

const SUGGESTION_SELECT: &str = "SELECT s.id, s.kind, s.record_id, s.organization_id, s.author_id, u.name, s.at, s.base, \
     s.document, s.changed, s.state, s.decided_by, s.decided_at, s.answer \
     FROM suggestions s LEFT JOIN users u ON u.id = s.author_id";

fn suggestion_from(r: &AnyRow) -> StoreResult<Suggestion> {
    let id: String = r.try_get(0)?;
    let kind: String = r.try_get(1)?;
    let state: String = r.try_get(10)?;
    Ok(Suggestion {
        kind: RecordType::parse(&kind).ok_or_else(|| corrupt(&id, "unknown record kind"))?,
        state: SuggestionState::parse(&state).ok_or_else(|| corrupt(&id, "unknown state"))?,
        record_id: r.try_get(2)?,
        organization_id: r.try_get(3)?,
        author_id: r.try_get(4)?,
        author_name: r.try_get(5)?,
        at: r.try_get(6)?,
        base: r.try_get(7)?,
        document: r.try_get(8)?,
        changed: list(&r.try_get::<String, _>(9)?),
        decided_by: r.try_get(11)?,
        decided_at: r.try_get(12)?,
        answer: r.try_get(13)?,
        id,
    })
}

const CORRECTION_SELECT: &str = "SELECT id, service_id, at, message, email, state, answer, answered_by, answered_at FROM corrections";

fn correction_from(r: &AnyRow) -> StoreResult<Correction> {
    let state: String = r.try_get(5)?;
    Ok(Correction {
        id: r.try_get(0)?,
        service_id: r.try_get(1)?,
        at: r.try_get(2)?,
        message: r.try_get(3)?,
        email: r.try_get(4)?,
        open: state == "open",
        answer: r.try_get(6)?,
        answered_by: r.try_get(7)?,
        answered_at: r.try_get(8)?,
    })
}

/// Writes the record and its version into the writer's transaction; the version's number.
async fn write_published(
    w: &mut SqlImport,
    record: MapRecord<'_>,
    v: &NewVersion,
) -> StoreResult<i64> {
    match record {
        MapRecord::Service(s) => w.services(std::slice::from_ref(s)).await?,
        MapRecord::Organization(o) => w.organizations(std::slice::from_ref(o)).await?,
    }
    let kind = record.kind().code();
    let last: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(seq) FROM record_versions WHERE kind = $1 AND record_id = $2",
    )
    .bind(kind)
    .bind(record.id().to_string())
    .fetch_one(&mut *w.tx)
    .await?;
    let mut seq = last.unwrap_or(0);
    let insert = "INSERT INTO record_versions (kind, record_id, seq, at, user_id, via, changed, restored_from, document) \
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    if let (None, Some(previous)) = (last, &v.previous) {
        seq += 1;
        sqlx::query(insert)
            .bind(kind)
            .bind(record.id().to_string())
            .bind(seq)
            .bind(v.at.clone())
            .bind(None::<String>)
            .bind(Via::Import.code())
            .bind(String::new())
            .bind(None::<i64>)
            .bind(previous.clone())
            .execute(&mut *w.tx)
            .await?;
    }
    seq += 1;
    sqlx::query(insert)
        .bind(kind)
        .bind(record.id().to_string())
        .bind(seq)
        .bind(v.at.clone())
        .bind(v.user_id.clone())
        .bind(v.via.code())
        .bind(v.changed.join(","))
        .bind(v.restored_from)
        .bind(record.document())
        .execute(&mut *w.tx)
        .await?;
    Ok(seq)
}

#[async_trait]
impl MapEditStore for SqlStore {
    async fn publish(
        &self,
        record: MapRecord<'_>,
        version: &NewVersion,
        log: &NewEntry,
    ) -> StoreResult<i64> {
        let mut w = self.writer().await?;
        let seq = write_published(&mut w, record, version).await?;
        append_in(self.backend, &mut w.tx, log).await?;
        Box::new(w).commit().await?;
        Ok(seq)
    }

    async fn publish_many(
        &self,
        records: &[(MapRecord<'_>, NewVersion)],
        log: &NewEntry,
    ) -> StoreResult<()> {
        let mut w = self.writer().await?;
        for (record, version) in records {
            write_published(&mut w, *record, version).await?;
        }
        append_in(self.backend, &mut w.tx, log).await?;
        Box::new(w).commit().await?;
        Ok(())
    }

    async fn versions(&self, kind: RecordType, id: &str) -> StoreResult<Vec<Version>> {
        let rows = sqlx::query(
            "SELECT v.seq, v.at, v.user_id, u.name, v.via, v.changed, v.restored_from, v.document \
             FROM record_versions v LEFT JOIN users u ON u.id = v.user_id \
             WHERE v.kind = $1 AND v.record_id = $2 ORDER BY v.seq DESC",
        )
        .bind(kind.code())
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(version_from).collect()
    }

    async fn service_lines(&self, organization: Option<&str>) -> StoreResult<Vec<ServiceLine>> {
        let rows: Vec<(String, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT id, organization_id, name, status, assured_date FROM services \
             WHERE $1 IS NULL OR organization_id = $1 ORDER BY name, id",
        )
        .bind(organization.map(str::to_string))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| ServiceLine {
                id: r.0,
                organization_id: r.1,
                name: r.2,
                status: r.3,
                assured_date: r.4,
            })
            .collect())
    }

    async fn suggest(&self, s: &NewSuggestion, log: &NewEntry) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let changed = s.changed.join(",");
        execute(
            &mut tx,
            "INSERT INTO suggestions (id, kind, record_id, organization_id, author_id, at, base, document, changed, state) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open')",
            &[
                Bind::Text(&s.id),
                Bind::Text(s.kind.code()),
                Bind::Text(&s.record_id),
                Bind::Text(&s.organization_id),
                Bind::OptText(s.author_id.as_deref()),
                Bind::Text(&s.at),
                Bind::OptText(s.base.as_deref()),
                Bind::Text(&s.document),
                Bind::Text(&changed),
            ],
        )
        .await?;
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn suggestions(
        &self,
        state: Option<SuggestionState>,
        organization: Option<&str>,
    ) -> StoreResult<Vec<Suggestion>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SUGGESTION_SELECT} WHERE ($1 IS NULL OR s.state = $1) AND ($2 IS NULL OR s.organization_id = $2) \
             ORDER BY s.at, s.id"
        )))
        .bind(state.map(|s| s.code().to_string()))
        .bind(organization.map(str::to_string))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(suggestion_from).collect()
    }

    async fn suggestion(&self, id: &str) -> StoreResult<Option<Suggestion>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SUGGESTION_SELECT} WHERE s.id = $1"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(suggestion_from).transpose()
    }

    async fn decide_suggestion(
        &self,
        id: &str,
        accept: Option<(MapRecord<'_>, &NewVersion)>,
        by: &str,
        at: &str,
        answer: Option<&str>,
        log: &NewEntry,
    ) -> StoreResult<bool> {
        let mut w = self.writer().await?;
        let state = if accept.is_some() {
            SuggestionState::Accepted
        } else {
            SuggestionState::Rejected
        };
        let n = execute(
            &mut w.tx,
            "UPDATE suggestions SET state = $2, decided_by = $3, decided_at = $4, answer = $5 \
             WHERE id = $1 AND state = 'open'",
            &[
                Bind::Text(id),
                Bind::Text(state.code()),
                Bind::Text(by),
                Bind::Text(at),
                Bind::OptText(answer),
            ],
        )
        .await?;
        if n == 0 {
            return Ok(false);
        }
        if let Some((record, version)) = accept {
            write_published(&mut w, record, version).await?;
        }
        append_in(self.backend, &mut w.tx, log).await?;
        if accept.is_some() {
            Box::new(w).commit().await?;
        } else {
            w.tx.commit().await?;
        }
        Ok(true)
    }

    async fn report_correction(&self, c: &NewCorrection, log: &NewEntry) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        execute(
            &mut tx,
            "INSERT INTO corrections (id, service_id, at, message, email, state) VALUES ($1, $2, $3, $4, $5, 'open')",
            &[
                Bind::Text(&c.id),
                Bind::Text(&c.service_id),
                Bind::Text(&c.at),
                Bind::Text(&c.message),
                Bind::OptText(c.email.as_deref()),
            ],
        )
        .await?;
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn corrections(&self, open_only: bool) -> StoreResult<Vec<Correction>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{CORRECTION_SELECT} WHERE $1 = 0 OR state = 'open' ORDER BY at, id"
        )))
        .bind(i64::from(open_only))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(correction_from).collect()
    }

    async fn correction(&self, id: &str) -> StoreResult<Option<Correction>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{CORRECTION_SELECT} WHERE id = $1"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(correction_from).transpose()
    }

    async fn close_correction(
        &self,
        id: &str,
        answer: Option<&str>,
        by: &str,
        at: &str,
        log: &NewEntry,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let n = execute(
            &mut tx,
            "UPDATE corrections SET state = 'closed', email = NULL, answer = $2, answered_by = $3, answered_at = $4 \
             WHERE id = $1 AND state = 'open'",
            &[
                Bind::Text(id),
                Bind::OptText(answer),
                Bind::Text(by),
                Bind::Text(at),
            ],
        )
        .await?;
        if n == 0 {
            return Ok(false);
        }
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(true)
    }
}
