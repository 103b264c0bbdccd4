//! `ReferralStore`: referrals with their consent and history. References are numbered per year
//! inside the transaction (SQLite's write lock; an advisory lock on PostgreSQL); a move is applied
//! only if the referral is still in the state it was read in.

use crate::accounts::{Bind, execute};
use crate::audit::append_in;
use crate::{Backend, SqlStore};
use async_trait::async_trait;
use kapstok_domain::audit::NewEntry;
use kapstok_domain::referral::{CONSENT_BY_ONESELF as ONESELF, REMOVED};
use kapstok_domain::referral::{CarerDetails, ConsentMethod, Referral, Source, State, reference};
use kapstok_store::{
    Assigned, Consent, Created, Forward, InboxFilter, NewConsent, NewReferral, Receipt,
    ReferralEvent, ReferralNote, ReferralStore, StoreError, StoreResult, StoredMove,
};
use sqlx::Row;

/// The carer's details, cleared: what anonymising a task does (area, reason, outcome and dates
/// stay for the municipality's figures).
const CLEARED: &str = "carer_name = NULL, carer_phone = NULL, carer_email = NULL, postcode = NULL, \
     contact_time = NULL, relationship = NULL, condition = NULL, self_check_band = NULL, note = NULL";

const COLUMNS: &str = "id, reference, team_id, referrer_id, source, state, reason, outcome, part_of, person, area_code, \
     carer_name, carer_phone, carer_email, postcode, contact_time, relationship, condition, self_check_band, note, \
     assigned_to, created_at, sent_at, accepted_at, closed_at";

fn text(row: &sqlx::any::AnyRow, i: usize) -> StoreResult<Option<String>> {
    Ok(row.try_get::<Option<String>, _>(i)?)
}

fn referral_from(row: &sqlx::any::AnyRow) -> StoreResult<Referral> {
    let id: String = row.try_get(0)?;
    let corrupt = |what: &str| StoreError::Corrupt {
        id: id.clone(),
        reason: what.to_string(),
    };
    let source: String = row.try_get(4)?;
    let state: String = row.try_get(5)?;
    let carer = match text(row, 11)? {
        None => None,
        Some(name) => Some(CarerDetails {
            name,
            phone: text(row, 12)?,
            email: text(row, 13)?,
            postcode: text(row, 14)?,
            contact_time: text(row, 15)?,
            relationship: text(row, 16)?,
            condition: text(row, 17)?,
            self_check_band: text(row, 18)?,
            note: text(row, 19)?,
        }),
    };
    Ok(Referral {
        reference: row.try_get(1)?,
        team_id: row.try_get(2)?,
        referrer_id: text(row, 3)?,
        source: Source::parse(&source).ok_or_else(|| corrupt("unknown source"))?,
        state: State::parse(&state).ok_or_else(|| corrupt("unknown state"))?,
        reason: row.try_get(6)?,
        outcome: text(row, 7)?,
        part_of: text(row, 8)?,
        person: row.try_get(9)?,
        area_code: text(row, 10)?,
        carer,
        assigned_to: text(row, 20)?,
        created_at: row.try_get(21)?,
        sent_at: text(row, 22)?,
        accepted_at: text(row, 23)?,
        closed_at: text(row, 24)?,
        id,
    })
}

impl SqlStore {
    /// References are numbered per year: one writer at a time (SQLite's write lock already is).
    async fn lock_numbers(&self, conn: &mut sqlx::AnyConnection) -> StoreResult<()> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(7261302)")
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// The referral a form's key made before, if any.
    async fn by_key(
        &self,
        conn: &mut sqlx::AnyConnection,
        key: Option<&str>,
    ) -> StoreResult<Option<Referral>> {
        let Some(key) = key else {
            return Ok(None);
        };
        let existing: Option<String> =
            sqlx::query_scalar("SELECT id FROM referrals WHERE idempotency_key = $1")
                .bind(key)
                .fetch_optional(&mut *conn)
                .await?;
        match existing {
            None => Ok(None),
            Some(id) => match self.referral_in(conn, &id).await? {
                Some(r) => Ok(Some(r)),
                None => Err(StoreError::Corrupt {
                    id,
                    reason: "vanished".into(),
                }),
            },
        }
    }

    /// Inserts a task with its consent and its first event (`first`: move and who made it).
    async fn insert_in(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        r: &NewReferral,
        consent: &NewConsent,
        first: (&str, Option<&str>),
    ) -> StoreResult<()> {
        let year: i64 = r.at.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
        let number: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM referrals WHERE year = $1",
        )
        .bind(year)
        .fetch_one(&mut **tx)
        .await?;
        let c = &r.carer;
        let sent = (r.state != State::Draft).then_some(r.at.as_str());
        execute(
            tx,
            &format!(
                "INSERT INTO referrals ({COLUMNS}, year, number, idempotency_key) VALUES \
                 ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, NULL, $20, $21, NULL, NULL, $22, $23, $24)"
            ),
            &[
                Bind::Text(&r.id),
                Bind::Text(&reference(year as i32, number)),
                Bind::Text(&r.team_id),
                Bind::OptText(r.referrer_id.as_deref()),
                Bind::Text(r.source.code()),
                Bind::Text(r.state.code()),
                Bind::Text(&r.reason),
                Bind::OptText(r.part_of.as_deref()),
                Bind::Text(&r.person),
                Bind::OptText(r.area_code.as_deref()),
                Bind::Text(&c.name),
                Bind::OptText(c.phone.as_deref()),
                Bind::OptText(c.email.as_deref()),
                Bind::OptText(c.postcode.as_deref()),
                Bind::OptText(c.contact_time.as_deref()),
                Bind::OptText(c.relationship.as_deref()),
                Bind::OptText(c.condition.as_deref()),
                Bind::OptText(c.self_check_band.as_deref()),
                Bind::OptText(c.note.as_deref()),
                Bind::Text(&r.at),
                Bind::OptText(sent),
                Bind::Int(year),
                Bind::Int(number),
                Bind::OptText(r.idempotency_key.as_deref()),
            ],
        )
        .await?;
        execute(
            tx,
            "INSERT INTO consents (id, referral_id, team_id, purpose, data_shared, given_by, method, given_at, recorded_by, receipt_hash, covers_forward) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &[
                Bind::Text(&consent.id),
                Bind::Text(&r.id),
                Bind::Text(&consent.team_id),
                Bind::Text(&consent.purpose),
                Bind::Text(&consent.data_shared),
                Bind::Text(&consent.given_by),
                Bind::Text(consent.method.code()),
                Bind::Text(&consent.given_at),
                Bind::OptText(consent.recorded_by.as_deref()),
                Bind::Text(&consent.receipt_hash),
                Bind::Int(i64::from(consent.covers_forward)),
            ],
        )
        .await?;
        execute(
            tx,
            "INSERT INTO referral_events (referral_id, seq, at, user_id, move, from_state, to_state) VALUES ($1, 1, $2, $3, $4, NULL, $5)",
            &[
                Bind::Text(&r.id),
                Bind::Text(&r.at),
                Bind::OptText(first.1),
                Bind::Text(first.0),
                Bind::Text(r.state.code()),
            ],
        )
        .await?;
        Ok(())
    }

    /// Applies a move if the referral is still in `m.from`, with its event; `false` if not.
    async fn move_in(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        id: &str,
        m: &StoredMove<'_>,
    ) -> StoreResult<bool> {
        let n = execute(
            tx,
            "UPDATE referrals SET state = $3, outcome = COALESCE($4, outcome), \
             accepted_at = CASE WHEN $3 = 'accepted' THEN $5 ELSE accepted_at END, \
             closed_at = CASE WHEN $6 = 1 THEN $5 ELSE closed_at END \
             WHERE id = $1 AND state = $2",
            &[
                Bind::Text(id),
                Bind::Text(m.from.code()),
                Bind::Text(m.to.code()),
                Bind::OptText(m.outcome),
                Bind::Text(m.at),
                Bind::Int(i64::from(m.to.is_final())),
            ],
        )
        .await?;
        if n == 0 {
            return Ok(false);
        }
        let seq: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM referral_events WHERE referral_id = $1",
        )
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
        execute(
            tx,
            "INSERT INTO referral_events (referral_id, seq, at, user_id, move, from_state, to_state, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                Bind::Text(id),
                Bind::Int(seq),
                Bind::Text(m.at),
                Bind::OptText(m.user_id),
                Bind::Text(m.move_code),
                Bind::Text(m.from.code()),
                Bind::Text(m.to.code()),
                Bind::OptText(m.outcome),
            ],
        )
        .await?;
        Ok(true)
    }

    async fn note_in(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        id: &str,
        note: &ReferralNote,
    ) -> StoreResult<u64> {
        execute(
            tx,
            "INSERT INTO referral_notes (referral_id, at, author_id, text) \
             SELECT id, $2, $3, $4 FROM referrals WHERE id = $1",
            &[
                Bind::Text(id),
                Bind::Text(&note.at),
                Bind::OptText(note.author_id.as_deref()),
                Bind::Text(&note.text),
            ],
        )
        .await
    }

    /// Removes one task's personal details (see `CLEARED`), its notes, a representative's name
    /// in its consents, and the outbox's copies of mail to the carer's address.
    async fn anonymise_in(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        id: &str,
        at: &str,
    ) -> StoreResult<()> {
        // The consent receipt mailed to the carer's own address: its kept copy names them.
        execute(
            tx,
            "DELETE FROM outbox WHERE to_address IN \
             (SELECT carer_email FROM referrals WHERE id = $1 AND carer_email IS NOT NULL)",
            &[Bind::Text(id)],
        )
        .await?;
        execute(
            tx,
            &format!(
                "UPDATE referrals SET {CLEARED}, anonymised_at = COALESCE(anonymised_at, $2) WHERE id = $1"
            ),
            &[Bind::Text(id), Bind::Text(at)],
        )
        .await?;
        execute(
            tx,
            "DELETE FROM referral_notes WHERE referral_id = $1",
            &[Bind::Text(id)],
        )
        .await?;
        execute(
            tx,
            &format!(
                "UPDATE consents SET given_by = '{REMOVED}' WHERE referral_id = $1 AND given_by <> '{ONESELF}'"
            ),
            &[Bind::Text(id)],
        )
        .await?;
        Ok(())
    }

    /// The person (pseudonym) a receipt's code is for.
    async fn person_of_receipt(
        &self,
        conn: &mut sqlx::AnyConnection,
        receipt_hash: &str,
    ) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT r.person FROM consents c JOIN referrals r ON r.id = c.referral_id WHERE c.receipt_hash = $1",
        )
        .bind(receipt_hash)
        .fetch_optional(&mut *conn)
        .await?)
    }

    async fn tasks_in(
        &self,
        conn: &mut sqlx::AnyConnection,
        person: &str,
    ) -> StoreResult<Vec<Referral>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM referrals WHERE person = $1 ORDER BY created_at, id"
        )))
        .bind(person)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(referral_from).collect()
    }

    async fn consents_where(
        &self,
        conn: &mut sqlx::AnyConnection,
        condition: &str,
        value: &str,
    ) -> StoreResult<Vec<Consent>> {
        type ConsentRow = (
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            i64,
        );
        let rows: Vec<ConsentRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT id, team_id, purpose, data_shared, given_by, method, given_at, recorded_by, withdrawn_at, covers_forward \
             FROM consents WHERE {condition} ORDER BY given_at, id"
        )))
        .bind(value)
        .fetch_all(&mut *conn)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(Consent {
                    method: ConsentMethod::parse(&r.5).ok_or_else(|| StoreError::Corrupt {
                        id: r.0.clone(),
                        reason: format!("unknown consent method {}", r.5),
                    })?,
                    id: r.0,
                    team_id: r.1,
                    purpose: r.2,
                    data_shared: r.3,
                    given_by: r.4,
                    given_at: r.6,
                    recorded_by: r.7,
                    withdrawn_at: r.8,
                    covers_forward: r.9 != 0,
                })
            })
            .collect()
    }
    async fn referral_in(
        &self,
        conn: &mut sqlx::AnyConnection,
        id: &str,
    ) -> StoreResult<Option<Referral>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM referrals WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        row.as_ref().map(referral_from).transpose()
    }
}

#[async_trait]
impl ReferralStore for SqlStore {
    async fn create_referral(
        &self,
        r: &NewReferral,
        consent: &NewConsent,
        log: &NewEntry,
    ) -> StoreResult<Created> {
        let mut tx = self.begin().await?;
        self.lock_numbers(&mut tx).await?;
        if let Some(found) = self.by_key(&mut tx, r.idempotency_key.as_deref()).await? {
            return Ok(Created::Existing(found));
        }
        self.insert_in(&mut tx, r, consent, ("send", r.referrer_id.as_deref()))
            .await?;
        let mut log = log.clone();
        log.record_id = Some(r.id.clone());
        log.person = Some(r.person.clone());
        append_in(self.backend, &mut tx, &log).await?;
        let made = self.referral_in(&mut tx, &r.id).await?;
        tx.commit().await?;
        made.map(Created::New).ok_or_else(|| StoreError::Corrupt {
            id: r.id.clone(),
            reason: "not stored".into(),
        })
    }

    async fn referral(&self, id: &str) -> StoreResult<Option<Referral>> {
        let mut conn = self.pool.acquire().await?;
        self.referral_in(&mut conn, id).await
    }

    async fn team_referrals(
        &self,
        team_id: &str,
        filter: &InboxFilter,
        offset: usize,
        limit: usize,
    ) -> StoreResult<(Vec<Referral>, usize)> {
        let states =
            serde_json::to_string(&filter.states.iter().map(|s| s.code()).collect::<Vec<_>>())
                .unwrap_or_else(|_| "[]".into());
        let in_states = self.json_strings("$2");
        let conditions = format!(
            "team_id = $1 AND ($3 = 0 OR state IN ({in_states})) AND ($4 IS NULL OR area_code = $4) \
             AND ($5 IS NULL OR reason = $5) \
             AND ($6 = 0 OR ($6 = 1 AND assigned_to IS NULL) OR ($6 = 2 AND assigned_to = $7)) \
             AND ($8 IS NULL OR sent_at < $8)"
        );
        let (assigned, to) = match &filter.assigned {
            Assigned::Anyone => (0, None),
            Assigned::Nobody => (1, None),
            Assigned::To(u) => (2, Some(u.clone())),
        };
        let bind = |sql: String| {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(team_id.to_string())
                .bind(states.clone())
                .bind(i64::from(!filter.states.is_empty()))
                .bind(filter.area_code.clone())
                .bind(filter.reason.clone())
                .bind(assigned as i64)
                .bind(to.clone())
                .bind(filter.sent_before.clone())
        };
        let total: i64 = bind(format!("SELECT count(*) FROM referrals WHERE {conditions}"))
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        let rows = bind(format!(
            "SELECT {COLUMNS} FROM referrals WHERE {conditions} ORDER BY CASE WHEN state = 'requested' THEN 0 ELSE 1 END, created_at DESC, id DESC LIMIT $9 OFFSET $10"
        ))
        .bind(limit as i64)
        .bind(offset as i64)
        .fetch_all(&self.pool)
        .await?;
        let list = rows
            .iter()
            .map(referral_from)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((list, total as usize))
    }

    async fn referrals_by(&self, referrer_id: &str, limit: usize) -> StoreResult<Vec<Referral>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM referrals WHERE referrer_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
        )))
        .bind(referrer_id)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(referral_from).collect()
    }

    async fn move_referral(
        &self,
        id: &str,
        m: &StoredMove<'_>,
        log: &NewEntry,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        if !self.move_in(&mut tx, id, m).await? {
            return Ok(false);
        }
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn referral_events(&self, id: &str) -> StoreResult<Vec<ReferralEvent>> {
        type EventRow = (
            i64,
            String,
            Option<String>,
            String,
            Option<String>,
            String,
            Option<String>,
        );
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT seq, at, user_id, move, from_state, to_state, outcome FROM referral_events WHERE referral_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(ReferralEvent {
                    seq: r.0,
                    at: r.1,
                    user_id: r.2,
                    move_code: r.3,
                    from: r.4.as_deref().and_then(State::parse),
                    to: State::parse(&r.5).ok_or_else(|| StoreError::Corrupt {
                        id: id.to_string(),
                        reason: format!("unknown state {}", r.5),
                    })?,
                    outcome: r.6,
                })
            })
            .collect()
    }

    async fn assign_referral(
        &self,
        id: &str,
        to: Option<&str>,
        log: &NewEntry,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let n = execute(
            &mut tx,
            "UPDATE referrals SET assigned_to = $2 WHERE id = $1",
            &[Bind::Text(id), Bind::OptText(to)],
        )
        .await?;
        if n == 0 {
            return Ok(false);
        }
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn add_referral_note(
        &self,
        id: &str,
        note: &ReferralNote,
        log: &NewEntry,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        if self.note_in(&mut tx, id, note).await? == 0 {
            return Ok(false);
        }
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn referral_notes(&self, id: &str) -> StoreResult<Vec<ReferralNote>> {
        let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
            "SELECT at, author_id, text FROM referral_notes WHERE referral_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(at, author_id, text)| ReferralNote {
                at,
                author_id,
                text,
            })
            .collect())
    }

    async fn consents(&self, referral_id: &str) -> StoreResult<Vec<Consent>> {
        let mut conn = self.pool.acquire().await?;
        self.consents_where(&mut conn, "referral_id = $1", referral_id)
            .await
    }

    async fn forward_referral(
        &self,
        id: &str,
        f: &Forward<'_>,
        log: &NewEntry,
    ) -> StoreResult<Option<Created>> {
        let mut tx = self.begin().await?;
        self.lock_numbers(&mut tx).await?;
        if let Some(found) = self
            .by_key(&mut tx, f.next.idempotency_key.as_deref())
            .await?
        {
            return Ok(Some(Created::Existing(found)));
        }
        if !self.move_in(&mut tx, id, &f.moved).await? {
            return Ok(None);
        }
        self.insert_in(&mut tx, &f.next, &f.consent, ("forward", f.moved.user_id))
            .await?;
        for task in [id, f.next.id.as_str()] {
            self.note_in(&mut tx, task, &f.reason).await?;
            let mut log = log.clone();
            log.record_id = Some(task.to_string());
            log.person = Some(f.next.person.clone());
            append_in(self.backend, &mut tx, &log).await?;
        }
        let made = self.referral_in(&mut tx, &f.next.id).await?;
        tx.commit().await?;
        made.map(|r| Some(Created::New(r)))
            .ok_or_else(|| StoreError::Corrupt {
                id: f.next.id.clone(),
                reason: "not stored".into(),
            })
    }

    async fn referral_by_key(&self, key: &str) -> StoreResult<Option<Referral>> {
        let mut conn = self.pool.acquire().await?;
        self.by_key(&mut conn, Some(key)).await
    }

    async fn tasks_of(&self, person: &str) -> StoreResult<Vec<Referral>> {
        let mut conn = self.pool.acquire().await?;
        self.tasks_in(&mut conn, person).await
    }

    async fn receipt(&self, receipt_hash: &str) -> StoreResult<Option<Receipt>> {
        let mut conn = self.pool.acquire().await?;
        let Some(person) = self.person_of_receipt(&mut conn, receipt_hash).await? else {
            return Ok(None);
        };
        let referrals = self.tasks_in(&mut conn, &person).await?;
        let consents = self
            .consents_where(
                &mut conn,
                "referral_id IN (SELECT id FROM referrals WHERE person = $1)",
                &person,
            )
            .await?;
        Ok(Some(Receipt {
            referrals,
            consents,
        }))
    }

    async fn anonymise_closed(
        &self,
        before: &str,
        at: &str,
        limit: usize,
        log: &NewEntry,
    ) -> StoreResult<Vec<String>> {
        let mut tx = self.begin().await?;
        let due: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, person FROM referrals WHERE closed_at IS NOT NULL AND closed_at < $1 \
             AND anonymised_at IS NULL ORDER BY closed_at, id LIMIT $2",
        )
        .bind(before)
        .bind(limit as i64)
        .fetch_all(&mut *tx)
        .await?;
        for (id, person) in &due {
            self.anonymise_in(&mut tx, id, at).await?;
            let mut log = log.clone();
            log.record_id = Some(id.clone());
            log.person = Some(person.clone());
            append_in(self.backend, &mut tx, &log).await?;
        }
        tx.commit().await?;
        Ok(due.into_iter().map(|(id, _)| id).collect())
    }

    async fn withdraw_consent(
        &self,
        receipt_hash: &str,
        at: &str,
        log: &NewEntry,
    ) -> StoreResult<Option<Vec<Referral>>> {
        let mut tx = self.begin().await?;
        let Some(person) = self.person_of_receipt(&mut tx, receipt_hash).await? else {
            return Ok(None);
        };
        let tasks = self.tasks_in(&mut tx, &person).await?;
        let mut stopped = Vec::new();
        for r in &tasks {
            let Ok(to) = kapstok_domain::referral::next(
                r.state,
                kapstok_domain::referral::Move::Withdraw,
                kapstok_domain::referral::Party::Carer,
            ) else {
                continue;
            };
            let m = StoredMove {
                from: r.state,
                to,
                move_code: "withdraw",
                user_id: None,
                outcome: None,
                at,
            };
            if self.move_in(&mut tx, &r.id, &m).await? {
                stopped.push(r.id.clone());
            }
        }
        execute(
            &mut tx,
            "UPDATE consents SET withdrawn_at = $2 WHERE withdrawn_at IS NULL \
             AND referral_id IN (SELECT id FROM referrals WHERE person = $1)",
            &[Bind::Text(&person), Bind::Text(at)],
        )
        .await?;
        for r in &tasks {
            self.anonymise_in(&mut tx, &r.id, at).await?;
        }
        for r in &tasks {
            let mut log = log.clone();
            log.record_id = Some(r.id.clone());
            log.person = Some(person.clone());
            append_in(self.backend, &mut tx, &log).await?;
        }
        let after = self.tasks_in(&mut tx, &person).await?;
        tx.commit().await?;
        Ok(Some(
            after
                .into_iter()
                .filter(|r| stopped.contains(&r.id))
                .collect(),
        ))
    }
}
