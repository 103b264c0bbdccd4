//! `ActivityStore`: activities and registrations. A registration's place is decided inside the
//! transaction that counts the date's places: on SQLite the writer's `BEGIN IMMEDIATE`, on
//! PostgreSQL a row lock on the activity, so two people taking the last place at once are
//! served one after the other.

use crate::audit::append_in;
use crate::{Backend, SqlStore};
use async_trait::async_trait;
use kapstok_domain::activity::{
    Activity, Placed, Registration, RegistrationState, Schedule, StoredSchedule, place_for,
};
use kapstok_domain::audit::NewEntry;
use kapstok_store::{ActivityStore, NewRegistration, StoreError, StoreResult};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

const ACTIVITY_SELECT: &str = "SELECT id, kind, title, description, audiences, area_code, location_id, address, \
     starts_local, ends_local, rrule, extra_dates, cancelled_dates, moved_dates, capacity, deadline, points, \
     organization_id, contact, url, published, sequence, updated_at FROM activities";

const REGISTRATION_SELECT: &str = "SELECT id, activity_id, occurrence, state, seq, name, email, phone, user_id, created_at \
     FROM registrations";

fn corrupt(id: &str, what: &str) -> StoreError {
    StoreError::Corrupt {
        id: id.to_string(),
        reason: what.to_string(),
    }
}

fn activity_from(r: &AnyRow) -> StoreResult<Activity> {
    let id: String = r.try_get(0)?;
    let starts: Option<String> = r.try_get(8)?;
    let schedule = match starts {
        None => None,
        Some(start) => {
            let stored = StoredSchedule {
                start,
                end: r.try_get::<Option<String>, _>(9)?.unwrap_or_default(),
                rrule: r.try_get(10)?,
                extra: r.try_get(11)?,
                cancelled: r.try_get(12)?,
                moved: r.try_get(13)?,
            };
            Some(Schedule::from_stored(&stored).ok_or_else(|| corrupt(&id, "schedule"))?)
        }
    };
    let audiences: String = r.try_get(4)?;
    Ok(Activity {
        kind: r.try_get(1)?,
        title: r.try_get(2)?,
        description: r.try_get(3)?,
        audiences: audiences
            .split(',')
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect(),
        area: r.try_get(5)?,
        location_id: r.try_get(6)?,
        address: r.try_get(7)?,
        schedule,
        capacity: r.try_get::<Option<i64>, _>(14)?.map(|c| c as u32),
        deadline: r.try_get(15)?,
        points: r.try_get::<Option<i64>, _>(16)?.map(|c| c as u32),
        organization_id: r.try_get(17)?,
        contact: r.try_get(18)?,
        url: r.try_get(19)?,
        published: r.try_get::<i64, _>(20)? != 0,
        sequence: r.try_get::<i64, _>(21)? as u32,
        updated_at: r.try_get(22)?,
        id,
    })
}

fn registration_from(r: &AnyRow) -> StoreResult<Registration> {
    let id: String = r.try_get(0)?;
    let state: String = r.try_get(3)?;
    Ok(Registration {
        activity_id: r.try_get(1)?,
        occurrence: r.try_get(2)?,
        state: RegistrationState::parse(&state).ok_or_else(|| corrupt(&id, "state"))?,
        seq: r.try_get(4)?,
        name: r.try_get(5)?,
        email: r.try_get(6)?,
        phone: r.try_get(7)?,
        user_id: r.try_get(8)?,
        created_at: r.try_get(9)?,
        id,
    })
}

/// One date's registrations inside `tx`, in the order they came.
async fn registrations_in(
    tx: &mut Transaction<'static, Any>,
    activity_id: &str,
    occurrence: &str,
) -> StoreResult<Vec<Registration>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{REGISTRATION_SELECT} WHERE activity_id = $1 AND occurrence = $2 ORDER BY seq"
    )))
    .bind(activity_id.to_string())
    .bind(occurrence.to_string())
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(registration_from).collect()
}

/// On PostgreSQL, holds the activity's row until the transaction ends (SQLite's writer
/// transaction already runs alone). `false`: no such activity.
async fn lock_activity(
    backend: Backend,
    tx: &mut Transaction<'static, Any>,
    id: &str,
) -> StoreResult<bool> {
    let sql = match backend {
        Backend::Sqlite => "SELECT id FROM activities WHERE id = $1",
        Backend::Postgres => "SELECT id FROM activities WHERE id = $1 FOR UPDATE",
    };
    Ok(sqlx::query(sql)
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?
        .is_some())
}

#[async_trait]
impl ActivityStore for SqlStore {
    async fn save_activity(&self, a: &Activity, log: &NewEntry) -> StoreResult<()> {
        let s = a.schedule.as_ref().map(Schedule::to_stored);
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO activities (id, kind, title, description, audiences, area_code, location_id, address, \
             starts_local, ends_local, rrule, extra_dates, cancelled_dates, moved_dates, capacity, deadline, points, \
             organization_id, contact, url, published, sequence, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23) \
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, title = excluded.title, description = excluded.description, \
             audiences = excluded.audiences, area_code = excluded.area_code, location_id = excluded.location_id, \
             address = excluded.address, starts_local = excluded.starts_local, ends_local = excluded.ends_local, \
             rrule = excluded.rrule, extra_dates = excluded.extra_dates, cancelled_dates = excluded.cancelled_dates, \
             moved_dates = excluded.moved_dates, capacity = excluded.capacity, deadline = excluded.deadline, \
             points = excluded.points, organization_id = excluded.organization_id, contact = excluded.contact, \
             url = excluded.url, published = excluded.published, sequence = excluded.sequence, updated_at = excluded.updated_at",
        )
        .bind(a.id.clone())
        .bind(a.kind.clone())
        .bind(a.title.clone())
        .bind(a.description.clone())
        .bind(a.audiences.join(","))
        .bind(a.area.clone())
        .bind(a.location_id.clone())
        .bind(a.address.clone())
        .bind(s.as_ref().map(|s| s.start.clone()))
        .bind(s.as_ref().map(|s| s.end.clone()))
        .bind(s.as_ref().and_then(|s| s.rrule.clone()))
        .bind(s.as_ref().map(|s| s.extra.clone()).unwrap_or_default())
        .bind(s.as_ref().map(|s| s.cancelled.clone()).unwrap_or_default())
        .bind(s.as_ref().map(|s| s.moved.clone()).unwrap_or_default())
        .bind(a.capacity.map(i64::from))
        .bind(a.deadline.clone())
        .bind(a.points.map(i64::from))
        .bind(a.organization_id.clone())
        .bind(a.contact.clone())
        .bind(a.url.clone())
        .bind(i64::from(a.published))
        .bind(i64::from(a.sequence))
        .bind(a.updated_at.clone())
        .execute(&mut *tx)
        .await?;
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn activity(&self, id: &str) -> StoreResult<Option<Activity>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ACTIVITY_SELECT} WHERE id = $1"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(activity_from).transpose()
    }

    async fn activities(&self) -> StoreResult<Vec<Activity>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ACTIVITY_SELECT} ORDER BY title, id"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(activity_from).collect()
    }

    async fn register(
        &self,
        r: &NewRegistration,
        log: &NewEntry,
    ) -> StoreResult<Option<Registration>> {
        let mut tx = self.begin().await?;
        if !lock_activity(self.backend, &mut tx, &r.activity_id).await? {
            return Ok(None);
        }
        let capacity: Option<i64> =
            sqlx::query_scalar("SELECT capacity FROM activities WHERE id = $1")
                .bind(r.activity_id.clone())
                .fetch_one(&mut *tx)
                .await?;
        let present = registrations_in(&mut tx, &r.activity_id, &r.occurrence).await?;
        // Twice the same person (a double click, a second try): the first registration stands.
        let same = |x: &Registration| {
            matches!(
                x.state,
                RegistrationState::Place | RegistrationState::Waiting
            ) && ((r.email.is_some() && x.email == r.email)
                || (r.user_id.is_some() && x.user_id == r.user_id))
        };
        if let Some(existing) = present.iter().find(|x| same(x)) {
            return Ok(Some(existing.clone()));
        }
        let taken = present.iter().filter(|x| x.state.takes_place()).count() as u32;
        let waiting = present
            .iter()
            .filter(|x| x.state == RegistrationState::Waiting)
            .count() as u32;
        let state = match place_for(capacity.map(|c| c as u32), taken, waiting) {
            Placed::Place => RegistrationState::Place,
            Placed::Waiting(_) => RegistrationState::Waiting,
        };
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM registrations WHERE activity_id = $1")
                .bind(r.activity_id.clone())
                .fetch_one(&mut *tx)
                .await?;
        let seq = last.unwrap_or(0) + 1;
        sqlx::query(
            "INSERT INTO registrations (id, activity_id, occurrence, state, seq, name, email, phone, user_id, token_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(r.id.clone())
        .bind(r.activity_id.clone())
        .bind(r.occurrence.clone())
        .bind(state.code())
        .bind(seq)
        .bind(r.name.clone())
        .bind(r.email.clone())
        .bind(r.phone.clone())
        .bind(r.user_id.clone())
        .bind(r.token_hash.clone())
        .bind(r.at.clone())
        .execute(&mut *tx)
        .await?;
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(Some(Registration {
            id: r.id.clone(),
            activity_id: r.activity_id.clone(),
            occurrence: r.occurrence.clone(),
            state,
            seq,
            name: r.name.clone(),
            email: r.email.clone(),
            phone: r.phone.clone(),
            user_id: r.user_id.clone(),
            created_at: r.at.clone(),
        }))
    }

    async fn registrations(
        &self,
        activity_id: &str,
        occurrence: &str,
    ) -> StoreResult<Vec<Registration>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{REGISTRATION_SELECT} WHERE activity_id = $1 AND occurrence = $2 ORDER BY seq"
        )))
        .bind(activity_id.to_string())
        .bind(occurrence.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(registration_from).collect()
    }

    async fn cancel_registration(
        &self,
        token_hash: &str,
        at: &str,
        log: &NewEntry,
    ) -> StoreResult<Option<(Registration, Option<Registration>)>> {
        let mut tx = self.begin().await?;
        let found: Option<(String, String)> = sqlx::query_as(
            "SELECT activity_id, id FROM registrations WHERE token_hash = $1 AND state IN ('place', 'waiting')",
        )
        .bind(token_hash.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let Some((activity_id, id)) = found else {
            return Ok(None);
        };
        lock_activity(self.backend, &mut tx, &activity_id).await?;
        // Read again under the lock: a cancel at the same moment may have gone first.
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{REGISTRATION_SELECT} WHERE id = $1"
        )))
        .bind(id.clone())
        .fetch_one(&mut *tx)
        .await?;
        let mut cancelled = registration_from(&row)?;
        if !matches!(
            cancelled.state,
            RegistrationState::Place | RegistrationState::Waiting
        ) {
            return Ok(None);
        }
        let held_place = cancelled.state.takes_place();
        sqlx::query("UPDATE registrations SET state = 'cancelled', changed_at = $1 WHERE id = $2")
            .bind(at.to_string())
            .bind(id.clone())
            .execute(&mut *tx)
            .await?;
        cancelled.state = RegistrationState::Cancelled;
        let mut moved_up = None;
        if held_place {
            let first = registrations_in(&mut tx, &activity_id, &cancelled.occurrence)
                .await?
                .into_iter()
                .find(|x| x.state == RegistrationState::Waiting);
            if let Some(mut next) = first {
                sqlx::query(
                    "UPDATE registrations SET state = 'place', changed_at = $1 WHERE id = $2",
                )
                .bind(at.to_string())
                .bind(next.id.clone())
                .execute(&mut *tx)
                .await?;
                next.state = RegistrationState::Place;
                moved_up = Some(next);
            }
        }
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(Some((cancelled, moved_up)))
    }

    async fn registration_by_token(&self, token_hash: &str) -> StoreResult<Option<Registration>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{REGISTRATION_SELECT} WHERE token_hash = $1"
        )))
        .bind(token_hash.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(registration_from).transpose()
    }

    async fn set_registration_state(
        &self,
        id: &str,
        from: RegistrationState,
        state: RegistrationState,
        at: &str,
        log: &NewEntry,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE registrations SET state = $1, changed_at = $2 WHERE id = $3 AND state = $4",
        )
        .bind(state.code())
        .bind(at.to_string())
        .bind(id.to_string())
        .bind(from.code())
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

    async fn promote_waiting(
        &self,
        activity_id: &str,
        occurrence: &str,
        at: &str,
        log: &NewEntry,
    ) -> StoreResult<Vec<Registration>> {
        let mut tx = self.begin().await?;
        if !lock_activity(self.backend, &mut tx, activity_id).await? {
            return Ok(Vec::new());
        }
        let capacity: Option<i64> =
            sqlx::query_scalar("SELECT capacity FROM activities WHERE id = $1")
                .bind(activity_id.to_string())
                .fetch_one(&mut *tx)
                .await?;
        let present = registrations_in(&mut tx, activity_id, occurrence).await?;
        let taken = present.iter().filter(|x| x.state.takes_place()).count() as i64;
        let free = match capacity {
            None => usize::MAX,
            Some(c) => (c - taken).max(0) as usize,
        };
        let mut moved = Vec::new();
        for mut next in present
            .into_iter()
            .filter(|x| x.state == RegistrationState::Waiting)
            .take(free)
        {
            sqlx::query("UPDATE registrations SET state = 'place', changed_at = $1 WHERE id = $2")
                .bind(at.to_string())
                .bind(next.id.clone())
                .execute(&mut *tx)
                .await?;
            next.state = RegistrationState::Place;
            moved.push(next);
        }
        if !moved.is_empty() {
            append_in(self.backend, &mut tx, log).await?;
        }
        tx.commit().await?;
        Ok(moved)
    }

    async fn reset_reminders(&self, activity_id: &str, occurrence: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE registrations SET reminded_at = NULL WHERE activity_id = $1 AND occurrence = $2",
        )
        .bind(activity_id.to_string())
        .bind(occurrence.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn mark_reminded(&self, id: &str, at: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE registrations SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL",
        )
        .bind(at.to_string())
        .bind(id.to_string())
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(done == 1)
    }

    async fn erase_registrations(
        &self,
        activity_id: &str,
        occurrence: &str,
        registered_before: Option<&str>,
        log: &NewEntry,
    ) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        let before = registered_before.unwrap_or("9").to_string();
        // The kept copies of the mails about this activity to these people name them (and,
        // unsent, carry the link).
        sqlx::query(
            "DELETE FROM outbox WHERE body LIKE $4 AND to_address IN (SELECT email FROM registrations \
             WHERE activity_id = $1 AND occurrence = $2 AND created_at < $3 AND email IS NOT NULL)",
        )
        .bind(activity_id.to_string())
        .bind(occurrence.to_string())
        .bind(before.clone())
        .bind(format!("%/activiteiten/{activity_id}%"))
        .execute(&mut *tx)
        .await?;
        // The link's hash goes too: what stays is a state and an order, nobody's.
        let n = sqlx::query(
            "UPDATE registrations SET name = NULL, email = NULL, phone = NULL, user_id = NULL, \
             token_hash = 'erased-' || id WHERE activity_id = $1 AND occurrence = $2 \
             AND created_at < $3 \
             AND (name IS NOT NULL OR email IS NOT NULL OR phone IS NOT NULL OR user_id IS NOT NULL)",
        )
        .bind(activity_id.to_string())
        .bind(occurrence.to_string())
        // Every stored time is before "9".
        .bind(before)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n > 0 {
            append_in(self.backend, &mut tx, log).await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    async fn registration_counts(
        &self,
    ) -> StoreResult<Vec<(String, String, RegistrationState, u64)>> {
        let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT activity_id, occurrence, state, COUNT(*) FROM registrations \
             GROUP BY activity_id, occurrence, state ORDER BY activity_id, occurrence, state",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(a, o, state, n)| {
                let st = RegistrationState::parse(&state).ok_or_else(|| corrupt(&a, "state"))?;
                Ok((a, o, st, n as u64))
            })
            .collect()
    }

    async fn user_audience(&self, user_id: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT audience FROM user_audiences WHERE user_id = $1")
                .bind(user_id.to_string())
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn set_user_audience(&self, user_id: &str, audience: Option<&str>) -> StoreResult<()> {
        match audience {
            None => {
                sqlx::query("DELETE FROM user_audiences WHERE user_id = $1")
                    .bind(user_id.to_string())
                    .execute(&self.pool)
                    .await?;
            }
            Some(a) => {
                sqlx::query(
                    "INSERT INTO user_audiences (user_id, audience) VALUES ($1, $2) \
                     ON CONFLICT (user_id) DO UPDATE SET audience = excluded.audience",
                )
                .bind(user_id.to_string())
                .bind(a.to_string())
                .execute(&self.pool)
                .await?;
            }
        }
        Ok(())
    }
}
