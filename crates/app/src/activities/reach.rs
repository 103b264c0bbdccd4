//! Whom the activities reached: counts per kind, audience, area and period, for the
//! coördinator and (next) the municipality's dashboard. No names: only counts leave here.

use super::{Counts, count_table, occurrence_of};
use crate::AppResult;
use jiff::civil::Date;
use kapstok_domain::calendar::zone;
use kapstok_store::Store;
use std::collections::BTreeMap;

/// One line of the reach table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReachLine {
    pub registrations: u64,
    pub attended: u64,
    pub waiting: u64,
    pub cancelled: u64,
    pub completed: u64,
    /// Dates (with at least one registration).
    pub dates: u64,
}

impl ReachLine {
    fn add(&mut self, c: &Counts) {
        self.registrations += c.registrations();
        self.attended += c.attended;
        self.waiting += c.waiting;
        self.cancelled += c.cancelled;
        self.completed += c.completed;
        self.dates += 1;
    }
}

/// The counts of dates between `from` and `to` (local dates, inclusive), by kind, by audience
/// (an activity for two audiences counts for both) and by area (`""`: no area), and in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    pub by_kind: BTreeMap<String, ReachLine>,
    pub by_audience: BTreeMap<String, ReachLine>,
    pub by_area: BTreeMap<String, ReachLine>,
    pub total: ReachLine,
}

pub(crate) async fn reach(store: &dyn Store, from: Date, to: Date) -> AppResult<Reach> {
    let counts = count_table(store.registration_counts().await?);
    let activities: BTreeMap<String, _> = store
        .activities()
        .await?
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    let mut r = Reach::default();
    for ((id, key), c) in &counts {
        let Some(a) = activities.get(id) else {
            continue;
        };
        // E-learning counts by the day of registering is unknown here; it counts in every
        // period that asks (its registrations have no date).
        let inside = match occurrence_of(a, key) {
            Some(o) => {
                let d = o.start.with_time_zone(zone()).date();
                d >= from && d <= to
            }
            None => key.is_empty(),
        };
        if !inside {
            continue;
        }
        r.by_kind.entry(a.kind.clone()).or_default().add(c);
        for au in &a.audiences {
            r.by_audience.entry(au.clone()).or_default().add(c);
        }
        r.by_area
            .entry(a.area.clone().unwrap_or_default())
            .or_default()
            .add(c);
        r.total.add(c);
    }
    Ok(r)
}

/// The counts of dates between `from` and `to` by (audience, kind): an activity for two
/// audiences counts for both.
pub(crate) async fn by_audience_and_kind(
    store: &dyn Store,
    from: Date,
    to: Date,
) -> AppResult<Vec<(String, String, ReachLine)>> {
    let counts = count_table(store.registration_counts().await?);
    let activities: BTreeMap<String, _> = store
        .activities()
        .await?
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    let mut out: BTreeMap<(String, String), ReachLine> = BTreeMap::new();
    for ((id, key), c) in &counts {
        let Some(a) = activities.get(id) else {
            continue;
        };
        let inside = match occurrence_of(a, key) {
            Some(o) => {
                let d = o.start.with_time_zone(zone()).date();
                d >= from && d <= to
            }
            None => key.is_empty(),
        };
        if !inside {
            continue;
        }
        for au in &a.audiences {
            out.entry((au.clone(), a.kind.clone())).or_default().add(c);
        }
    }
    Ok(out.into_iter().map(|((a, k), l)| (a, k, l)).collect())
}
