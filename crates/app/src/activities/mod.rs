//! Activities: trainings, theme and network meetings, carer cafés, e-learning. The coördinator
//! publishes and fills them ([`desk::ActivityDesk`]); anyone finds them, registers without an
//! account and cancels by a personal link ([`board::ActivityBoard`]); calendars subscribe to
//! feeds ([`ics`]); reminders go out two days before and participants' details are erased a
//! term after the date ([`jobs`]). Only counts leave an activity ([`reach`]).

pub mod board;
pub mod desk;
pub mod ics;
pub mod jobs;
pub mod letters;
pub mod reach;

use kapstok_domain::activity::{Activity, Occurrence, RegistrationState, parse_local};
use kapstok_domain::calendar::Timestamp;
use kapstok_search::Catalog;
use std::collections::HashMap;

/// Days after a date that its participants' details are kept (then erased; counts stay): long
/// enough to hand out certificates and answer questions about attendance.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;

/// How many registrations of one date are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Holding a place (attended included).
    pub places: u64,
    pub waiting: u64,
    pub cancelled: u64,
    pub attended: u64,
    pub completed: u64,
}

impl Counts {
    fn add(&mut self, state: RegistrationState, n: u64) {
        match state {
            RegistrationState::Place => self.places += n,
            RegistrationState::Attended => {
                self.places += n;
                self.attended += n;
            }
            RegistrationState::Waiting => self.waiting += n,
            RegistrationState::Cancelled => self.cancelled += n,
            RegistrationState::Completed => self.completed += n,
        }
    }

    /// Every registration, cancelled ones included.
    pub fn registrations(&self) -> u64 {
        self.places + self.waiting + self.cancelled + self.completed
    }

    /// Places still free with `capacity` (none: unlimited).
    pub fn left(&self, capacity: Option<u32>) -> Option<u64> {
        capacity.map(|c| u64::from(c).saturating_sub(self.places))
    }
}

/// `(activity, occurrence)` → counts.
pub(crate) type CountTable = HashMap<(String, String), Counts>;

pub(crate) fn count_table(rows: Vec<(String, String, RegistrationState, u64)>) -> CountTable {
    let mut t = CountTable::new();
    for (a, o, state, n) in rows {
        t.entry((a, o)).or_default().add(state, n);
    }
    t
}

pub(crate) fn counts_of(t: &CountTable, activity: &str, key: &str) -> Counts {
    t.get(&(activity.to_string(), key.to_string()))
        .copied()
        .unwrap_or_default()
}

/// The stored key of a date (`2026-09-15T09:00`); e-learning's is empty.
pub fn key_of(o: &Occurrence) -> String {
    kapstok_domain::activity::stored_local(o.key)
}

/// The date of an activity with this stored key, if it has one.
pub fn occurrence_of(a: &Activity, key: &str) -> Option<Occurrence> {
    a.schedule.as_ref()?.occurrence(parse_local(key)?)
}

/// The social map's locations (of public services), as a coördinator chooses a venue:
/// `(id, "Name, street, place")`, sorted by id; made once per read-model version.
#[derive(Debug, Default)]
pub struct LocationBook {
    version: i64,
    by_id: Vec<(String, String)>,
}

impl LocationBook {
    pub(crate) fn build(catalog: &Catalog) -> LocationBook {
        let mut by_id: Vec<(String, String)> = (0..catalog.records.len() as u32)
            .filter_map(|n| catalog.records.service_at(n))
            .flat_map(|s| s.service_at_locations)
            .map(|sal| {
                let l = sal.location;
                let mut parts: Vec<String> = l.name.into_iter().collect();
                if let Some(a) = l.addresses.first() {
                    parts.push(a.address_1.clone());
                    parts.push(a.city.clone());
                }
                (l.id.to_string(), parts.join(", "))
            })
            .filter(|(_, label)| !label.is_empty())
            .collect();
        by_id.sort();
        by_id.dedup_by(|a, b| a.0 == b.0);
        LocationBook {
            version: catalog.version,
            by_id,
        }
    }

    pub(crate) fn version(&self) -> i64 {
        self.version
    }

    pub fn label(&self, id: &str) -> Option<&str> {
        self.by_id
            .binary_search_by(|(k, _)| k.as_str().cmp(id))
            .ok()
            .map(|n| self.by_id[n].1.as_str())
    }

    /// Every location as (id, label), by label.
    pub fn choices(&self) -> Vec<(String, String)> {
        let mut v = self.by_id.clone();
        v.sort_by(|a, b| a.1.cmp(&b.1));
        v
    }
}

/// Where an activity is, as people read it: its location from the social map, else the address
/// typed, else its organisation's name.
pub(crate) fn place_of(a: &Activity, catalog: &Catalog, book: &LocationBook) -> Option<String> {
    a.location_id
        .as_deref()
        .and_then(|id| book.label(id))
        .map(str::to_string)
        .or_else(|| a.address.clone())
        .or_else(|| {
            a.organization_id
                .as_deref()
                .and_then(|id| catalog.organization(id))
                .map(|o| o.name)
        })
}

/// Whether one can still register for `o` at `now`.
pub(crate) fn open_for(a: &Activity, o: Option<&Occurrence>, now: Timestamp) -> bool {
    let deadline = a
        .deadline
        .as_deref()
        .and_then(|d| d.parse::<Timestamp>().ok());
    a.published
        && !o.is_some_and(|o| o.cancelled)
        && kapstok_domain::activity::registration_open(deadline, o.map(Occurrence::starts_at), now)
}

/// The deployment's areas as (code, name).
pub(crate) fn areas(catalog: &Catalog) -> Vec<(String, String)> {
    catalog
        .geo
        .areas
        .iter()
        .map(|a| (a.code.clone(), a.name.clone()))
        .collect()
}

/// The organisations of the social map as (id, name), by name: the organiser to choose.
pub(crate) fn organizations(catalog: &Catalog) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = (0..catalog.organizations.len() as u32)
        .filter_map(|n| {
            catalog
                .organizations
                .get_at::<kapstok_domain::model::Organization>(n)
        })
        .map(|o| (o.id.to_string(), o.name))
        .collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    v
}
