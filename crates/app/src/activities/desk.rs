//! The coördinator's desk: publishing activities, repeating them next year, moving or
//! cancelling a date, the list of participants (access-logged), attendance, the CSV for Excel
//! and the certificate. Only an actor in the role coördinator gets one.

use super::letters::Letters;
use super::{Counts, count_table, counts_of, key_of, occurrence_of, organizations, place_of};
use crate::access::{Actor, Audited};
use crate::{AppResult, Clock};
use kapstok_domain::account::{Membership, Role};
use kapstok_domain::activity::{
    Activity, ActivityLists, Occurrence, Registration, RegistrationState,
};
use kapstok_domain::activity_form::{apply_activity_form, date_of, time_of};
use kapstok_domain::audit::{Action, RecordKind};
use kapstok_domain::calendar::{stored, zone};
use kapstok_domain::editing::{Problem, Problems, Typed};
use kapstok_search::Catalog;
use kapstok_store::Store;
use std::sync::Arc;

/// A line of the coördinator's list.
pub struct DeskLine {
    pub activity: Activity,
    /// The next date that has not ended (none: all past, or e-learning).
    pub next: Option<Occurrence>,
    pub counts: Counts,
}

/// One date's participants: personal data, handed out with its access-log entry.
pub struct DateList {
    pub activity: Activity,
    pub occurrence: Option<Occurrence>,
    pub registrations: Vec<Registration>,
}

pub struct ActivityDesk {
    store: Arc<dyn Store>,
    actor: Actor,
    acting: Membership,
    lists: Arc<ActivityLists>,
    catalog: Arc<Catalog>,
    locations: Arc<super::LocationBook>,
    letters: Letters,
    clock: Clock,
}

fn new_id() -> String {
    format!("act-{}", crate::accounts::random_hex(8))
}

impl ActivityDesk {
    pub(crate) fn grant(
        store: Arc<dyn Store>,
        actor: &Actor,
        lists: Arc<ActivityLists>,
        catalog: Arc<Catalog>,
        locations: Arc<super::LocationBook>,
        letters: Letters,
        clock: Clock,
    ) -> Option<ActivityDesk> {
        Some(ActivityDesk {
            acting: actor.membership(Role::Coordinator)?,
            actor: actor.clone(),
            store,
            lists,
            catalog,
            locations,
            letters,
            clock,
        })
    }

    pub fn lists(&self) -> &ActivityLists {
        &self.lists
    }

    /// The deployment's areas as (code, name).
    pub fn areas(&self) -> Vec<(String, String)> {
        super::areas(&self.catalog)
    }

    /// The social map's locations as (id, label), by label: the venue.
    pub fn locations(&self) -> Vec<(String, String)> {
        self.locations.choices()
    }

    /// The social map's organisations as (id, name): the organiser.
    pub fn organizations(&self) -> Vec<(String, String)> {
        organizations(&self.catalog)
    }

    fn entry(
        &self,
        action: Action,
        kind: RecordKind,
        record: &str,
    ) -> kapstok_domain::audit::NewEntry {
        let mut e = self.actor.log_entry(Some(&self.acting), action, kind, true);
        e.record_id = Some(record.chars().take(200).collect());
        e
    }

    /// Every activity with its next date and that date's counts, the soonest first, then those
    /// without a coming date.
    pub async fn overview(&self) -> AppResult<Vec<DeskLine>> {
        let now = self.clock.now();
        let counts = count_table(self.store.registration_counts().await?);
        let mut lines: Vec<DeskLine> = self
            .store
            .activities()
            .await?
            .into_iter()
            .map(|a| {
                let next = a
                    .schedule
                    .as_ref()
                    .and_then(|s| s.upcoming(now).into_iter().next());
                let key = next.as_ref().map(key_of).unwrap_or_default();
                DeskLine {
                    counts: counts_of(&counts, &a.id, &key),
                    activity: a,
                    next,
                }
            })
            .collect();
        lines.sort_by_key(|l| (l.next.is_none(), l.next.as_ref().map(Occurrence::starts_at)));
        Ok(lines)
    }

    pub async fn activity(&self, id: &str) -> AppResult<Option<Activity>> {
        Ok(self.store.activity(id).await?)
    }

    /// Every date of an activity with its counts.
    pub async fn dates(&self, a: &Activity) -> AppResult<Vec<(Occurrence, Counts)>> {
        let counts = count_table(self.store.registration_counts().await?);
        Ok(a.schedule
            .as_ref()
            .map(|s| s.occurrences())
            .unwrap_or_default()
            .into_iter()
            .map(|o| {
                let c = counts_of(&counts, &a.id, &key_of(&o));
                (o, c)
            })
            .collect())
    }

    /// The counts of an e-learning module (registrations without a date).
    pub async fn undated_counts(&self, a: &Activity) -> AppResult<Counts> {
        let counts = count_table(self.store.registration_counts().await?);
        Ok(counts_of(&counts, &a.id, ""))
    }

    fn apply(&self, base: &Activity, typed: &[(String, String)]) -> Result<Activity, Problems> {
        let areas: Vec<String> = self.areas().into_iter().map(|(c, _)| c).collect();
        let result = apply_activity_form(base, Typed(typed), &self.lists, &areas, self.clock.now());
        let organization = Typed(typed).get("organization").map(str::to_string);
        let mut extra = Problems::new();
        if organization
            .as_deref()
            .is_some_and(|id| self.catalog.organization(id).is_none())
        {
            extra.push(("organization", Problem::UnknownTag));
        }
        if Typed(typed)
            .get("location_id")
            .is_some_and(|id| self.locations.label(id).is_none())
        {
            extra.push(("location_id", Problem::UnknownTag));
        }
        match result {
            Ok(mut a) if extra.is_empty() => {
                // A calendar shows the organiser's name when there is no address.
                if organization != base.organization_id && a.sequence == base.sequence {
                    a.sequence += 1;
                }
                a.organization_id = organization;
                Ok(a)
            }
            Ok(_) => Err(extra),
            Err(mut p) => {
                p.extend(extra);
                Err(p)
            }
        }
    }

    /// A new activity from the form; nothing is saved when a field is wrong.
    pub async fn create(
        &self,
        typed: &[(String, String)],
    ) -> AppResult<Result<Activity, Problems>> {
        let base = Activity {
            id: new_id(),
            ..Activity::default()
        };
        let a = match self.apply(&base, typed) {
            Ok(a) => a,
            Err(p) => return Ok(Err(p)),
        };
        self.store
            .save_activity(&a, &self.entry(Action::Create, RecordKind::Activity, &a.id))
            .await?;
        Ok(Ok(a))
    }

    /// Saves the form over activity `id`; when its capacity went up, the waiting lists of its
    /// coming dates move up (and are mailed). `None`: no such activity.
    pub async fn save(
        &self,
        id: &str,
        typed: &[(String, String)],
    ) -> AppResult<Option<Result<(Activity, usize), Problems>>> {
        let Some(old) = self.store.activity(id).await? else {
            return Ok(None);
        };
        let a = match self.apply(&old, typed) {
            Ok(a) => a,
            Err(p) => return Ok(Some(Err(p))),
        };
        // A date people registered for cannot fall away by an edit (it can be moved or
        // cancelled, and they are told).
        let keys: Vec<String> = match &a.schedule {
            Some(s) => s
                .keys()
                .into_iter()
                .map(kapstok_domain::activity::stored_local)
                .collect(),
            None => vec![String::new()],
        };
        let counts = count_table(self.store.registration_counts().await?);
        let dropped = counts.iter().any(|((act, key), c)| {
            act == id && !keys.contains(key) && c.registrations() > c.cancelled
        });
        if dropped {
            return Ok(Some(Err(vec![("date", Problem::DatesTaken)])));
        }
        self.store
            .save_activity(&a, &self.entry(Action::Change, RecordKind::Activity, &a.id))
            .await?;
        let raised = match (old.capacity, a.capacity) {
            (Some(o), Some(n)) => n > o,
            (Some(_), None) => true,
            _ => false,
        };
        let mut moved = 0;
        if raised {
            moved = self.fill_from_waiting(&a).await?;
        }
        Ok(Some(Ok((a, moved))))
    }

    async fn fill_from_waiting(&self, a: &Activity) -> AppResult<usize> {
        let now = self.clock.now();
        let keys: Vec<(Option<Occurrence>, String)> = match &a.schedule {
            Some(s) => s
                .upcoming(now)
                .into_iter()
                .filter(|o| !o.cancelled)
                .map(|o| {
                    let k = key_of(&o);
                    (Some(o), k)
                })
                .collect(),
            None => vec![(None, String::new())],
        };
        let mut moved = 0;
        for (o, key) in keys {
            let log = self.entry(
                Action::Change,
                RecordKind::Registration,
                &format!("{}/{key}", a.id),
            );
            for r in self
                .store
                .promote_waiting(&a.id, &key, &stored(now), &log)
                .await?
            {
                moved += 1;
                self.letters
                    .moved_up(&self.actor, a, o.as_ref(), &r)
                    .await?;
            }
        }
        Ok(moved)
    }

    /// "Repeat next year": a copy, not yet published, every date 52 weeks on. `None`: no such
    /// activity, or it has no dates.
    pub async fn repeat_next_year(&self, id: &str) -> AppResult<Option<Activity>> {
        let Some(old) = self.store.activity(id).await? else {
            return Ok(None);
        };
        let Some(schedule) = old.schedule.as_ref().map(|s| s.next_year()) else {
            return Ok(None);
        };
        let year = jiff::SignedDuration::from_hours(24 * 7 * 52);
        let deadline = old
            .deadline
            .as_deref()
            .and_then(|d| d.parse::<jiff::Timestamp>().ok())
            .and_then(|d| d.checked_add(year).ok())
            .map(stored);
        let a = Activity {
            id: new_id(),
            schedule: Some(schedule),
            deadline,
            published: false,
            sequence: 0,
            updated_at: stored(self.clock.now()),
            ..old
        };
        self.store
            .save_activity(&a, &self.entry(Action::Create, RecordKind::Activity, &a.id))
            .await?;
        Ok(Some(a))
    }

    /// Cancels one date (it stays listed, and `STATUS:CANCELLED` in feeds); those registered
    /// for it are mailed. `None`: no such activity or date.
    pub async fn cancel_date(&self, id: &str, key: &str) -> AppResult<Option<()>> {
        let Some(mut a) = self.store.activity(id).await? else {
            return Ok(None);
        };
        let Some(o) = occurrence_of(&a, key) else {
            return Ok(None);
        };
        if o.cancelled {
            return Ok(Some(()));
        }
        if let Some(s) = a.schedule.as_mut() {
            s.cancelled.push(o.key);
        }
        a.sequence += 1;
        a.updated_at = stored(self.clock.now());
        self.store
            .save_activity(&a, &self.entry(Action::Change, RecordKind::Activity, &a.id))
            .await?;
        let o = occurrence_of(&a, key).unwrap_or(o);
        for r in self.store.registrations(id, key).await? {
            if matches!(
                r.state,
                RegistrationState::Place | RegistrationState::Waiting
            ) {
                self.letters.date_cancelled(&self.actor, &a, &o, &r).await?;
            }
        }
        Ok(Some(()))
    }

    /// Moves one date to `date` at `starts` (same length); registrations keep their place.
    pub async fn move_date(
        &self,
        id: &str,
        key: &str,
        typed: &[(String, String)],
    ) -> AppResult<Option<Result<(), Problems>>> {
        let Some(mut a) = self.store.activity(id).await? else {
            return Ok(None);
        };
        let Some(o) = occurrence_of(&a, key) else {
            return Ok(None);
        };
        let f = Typed(typed);
        let mut p = Problems::new();
        let day = f.get("date").and_then(date_of);
        if day.is_none() {
            p.push(("date", Problem::NotADate));
        }
        let at = f.get("starts").and_then(time_of);
        if at.is_none() {
            p.push(("starts", Problem::NotATime));
        }
        let (Some(day), Some(at)) = (day, at) else {
            return Ok(Some(Err(p)));
        };
        let to = day.to_datetime(at);
        if to.to_zoned(zone()).is_err() {
            return Ok(Some(Err(vec![("starts", Problem::NotATime)])));
        }
        if let Some(s) = a.schedule.as_mut() {
            s.moved.retain(|(k, _)| *k != o.key);
            if to != o.key {
                s.moved.push((o.key, to));
            }
        }
        a.sequence += 1;
        a.updated_at = stored(self.clock.now());
        self.store
            .save_activity(&a, &self.entry(Action::Change, RecordKind::Activity, &a.id))
            .await?;
        // Those registered hear of it, and get a reminder for the new date.
        self.store.reset_reminders(id, key).await?;
        if let Some(moved) = occurrence_of(&a, key) {
            for r in self.store.registrations(id, key).await? {
                if matches!(
                    r.state,
                    RegistrationState::Place | RegistrationState::Waiting
                ) {
                    self.letters.date_moved(&self.actor, &a, &moved, &r).await?;
                }
            }
        }
        Ok(Some(Ok(())))
    }

    /// One date's participants (`key` empty: an e-learning module's), access-logged.
    pub async fn participants(&self, id: &str, key: &str) -> AppResult<Option<Audited<DateList>>> {
        self.participants_as(id, key, Action::View).await
    }

    async fn participants_as(
        &self,
        id: &str,
        key: &str,
        action: Action,
    ) -> AppResult<Option<Audited<DateList>>> {
        let Some(a) = self.store.activity(id).await? else {
            return Ok(None);
        };
        let occurrence = occurrence_of(&a, key);
        if occurrence.is_none() != key.is_empty() {
            return Ok(None);
        }
        let registrations = self.store.registrations(id, key).await?;
        let e = self.entry(action, RecordKind::Registration, &format!("{id}/{key}"));
        let n = self.store.append(&e).await?;
        Ok(Some(Audited::logged(
            DateList {
                activity: a,
                occurrence,
                registrations,
            },
            n,
        )))
    }

    /// Attendance of one date: those in `present` attended (or, for e-learning, completed);
    /// the others holding a place did not. Returns how many changed.
    pub async fn mark_attendance(
        &self,
        id: &str,
        key: &str,
        present: &[String],
    ) -> AppResult<Option<usize>> {
        let Some(list) = self.participants(id, key).await? else {
            return Ok(None);
        };
        let now = stored(self.clock.now());
        let mut changed = 0;
        let done = if key.is_empty() {
            RegistrationState::Completed
        } else {
            RegistrationState::Attended
        };
        for r in &list.value().registrations {
            let here = present.contains(&r.id);
            let to = match (r.state, here) {
                (RegistrationState::Place, true) => done,
                (RegistrationState::Attended | RegistrationState::Completed, false) => {
                    RegistrationState::Place
                }
                _ => continue,
            };
            if to == r.state {
                continue;
            }
            let mut e = self.entry(
                Action::Change,
                RecordKind::Registration,
                &format!("{id}/{key}"),
            );
            e.person = Some(r.id.clone());
            if self
                .store
                .set_registration_state(&r.id, r.state, to, &now, &e)
                .await?
            {
                changed += 1;
            }
        }
        Ok(Some(changed))
    }

    /// One date's list for Dutch Excel (`;`, UTF-8 with BOM, dates as dd-mm-jjjj), logged as
    /// an export.
    pub async fn export(&self, id: &str, key: &str) -> AppResult<Option<Audited<Vec<u8>>>> {
        let Some(list) = self.participants_as(id, key, Action::Export).await? else {
            return Ok(None);
        };
        let entry = list.log_entry();
        let l = list.into_value();
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(b"\xEF\xBB\xBF".to_vec());
        w.write_record([
            "Activiteit",
            "Datum",
            "Naam",
            "E-mail",
            "Telefoon",
            "Status",
            "Aangemeld op",
        ])?;
        let date = l
            .occurrence
            .as_ref()
            .map(|o| o.start.strftime("%d-%m-%Y %H:%M").to_string())
            .unwrap_or_default();
        for r in &l.registrations {
            let state = match r.state {
                RegistrationState::Place => "aangemeld",
                RegistrationState::Waiting => "wachtlijst",
                RegistrationState::Cancelled => "afgemeld",
                RegistrationState::Attended => "aanwezig",
                RegistrationState::Completed => "afgerond",
            };
            let registered = r
                .created_at
                .parse::<jiff::Timestamp>()
                .map(|t| t.to_zoned(zone()).strftime("%d-%m-%Y").to_string())
                .unwrap_or_default();
            // What the public typed: never a formula when Excel opens it.
            let cell = |v: &str| {
                if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                    format!("'{v}")
                } else {
                    v.to_string()
                }
            };
            w.write_record([
                cell(&l.activity.title),
                date.clone(),
                cell(r.name.as_deref().unwrap_or("(verwijderd)")),
                cell(r.email.as_deref().unwrap_or("")),
                cell(r.phone.as_deref().unwrap_or("")),
                state.to_string(),
                registered,
            ])?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| crate::AppError::Booklet(e.to_string()))?;
        Ok(Some(Audited::logged(bytes, entry)))
    }

    /// A certificate of attendance for one participant who attended (or completed), for
    /// accreditation; logged as printed. `None`: no such participant, or not attended.
    pub async fn certificate(
        &self,
        id: &str,
        key: &str,
        registration: &str,
    ) -> AppResult<Option<Audited<Vec<u8>>>> {
        let Some(list) = self.participants_as(id, key, Action::Print).await? else {
            return Ok(None);
        };
        let entry = list.log_entry();
        let l = list.into_value();
        let Some(r) = l.registrations.iter().find(|r| {
            r.id == registration
                && matches!(
                    r.state,
                    RegistrationState::Attended | RegistrationState::Completed
                )
        }) else {
            return Ok(None);
        };
        let Some(name) = r.name.clone() else {
            return Ok(None);
        };
        let organiser = l
            .activity
            .organization_id
            .as_deref()
            .and_then(|o| self.catalog.organization(o))
            .map(|o| o.name);
        let kind = self
            .lists
            .kind(&l.activity.kind)
            .map(|k| k.label.clone())
            .unwrap_or_default();
        let c = kapstok_booklet::Certificate {
            name,
            title: l.activity.title.clone(),
            kind,
            date: l
                .occurrence
                .as_ref()
                .map(super::letters::when_nl)
                .unwrap_or_else(|| "e-learning".into()),
            place: place_of(&l.activity, &self.catalog, &self.locations),
            points: l.activity.points,
            organiser,
            issued: jiff::Timestamp::from_second(self.clock.now().as_second())
                .map(|t| t.to_zoned(zone()).strftime("%d-%m-%Y").to_string())
                .unwrap_or_default(),
        };
        let pdf = kapstok_booklet::certificate(&c)
            .map_err(|e| crate::AppError::Booklet(e.to_string()))?;
        Ok(Some(Audited::logged(pdf, entry)))
    }

    /// Today, local (the default period of the reach).
    pub fn today(&self) -> jiff::civil::Date {
        self.clock.now().to_zoned(zone()).date()
    }

    /// Whom the dates between `from` and `to` reached (counts only).
    pub async fn reach(
        &self,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> AppResult<super::reach::Reach> {
        super::reach::reach(self.store.as_ref(), from, to).await
    }
}
