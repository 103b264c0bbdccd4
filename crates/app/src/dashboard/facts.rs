//! The referrals' countable facts, kept in memory per local day so that the dashboard answers
//! a year of a million referrals in milliseconds: per referral its codes (as small numbers),
//! how long until the first acknowledgement and until closing, and whether it was on time. No
//! person, team or text is kept. The database marks every day whose referrals changed
//! (`FiguresStore::referral_days`); each read compares those marks with the ones loaded and
//! reloads just those days, so the figures are never older than the request.

use crate::AppResult;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use kapstok_domain::calendar::stored;
use kapstok_domain::referral::{RouteLists, State};
use kapstok_domain::referral_figures::{Term, acknowledged, minutes_between};
use kapstok_domain::service_level::WorkingDays;
use kapstok_store::{ReferralFactRow, Store};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Not there (no acknowledgement, not closed).
pub(crate) const NONE: u32 = u32::MAX;

/// One referral, as the figures count it. Codes are numbers into `Codes`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fact {
    pub area: u16,
    pub reason: u16,
    pub source: u16,
    pub outcome: u16,
    /// Minutes from sending to the first acknowledgement, or `NONE`.
    pub acknowledged: u32,
    /// Minutes from sending to closing (acknowledged ones only), or `NONE`.
    pub closed: u32,
    /// On time or late if acknowledged, `Waiting` if still new, else `None`.
    pub term: Standing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Standing {
    OnTime,
    Late,
    /// Still new: on time until its day's term has passed.
    Waiting,
    None,
}

impl Fact {
    /// Where it stands on `day` (its local day), given the first day not yet overdue.
    pub fn term(&self, day: Date, first_not_overdue: Date) -> Term {
        match self.term {
            Standing::OnTime => Term::OnTime,
            Standing::Late => Term::Late,
            Standing::Waiting if day < first_not_overdue => Term::Late,
            Standing::Waiting => Term::OnTime,
            Standing::None => Term::None,
        }
    }
}

/// The codes seen, each once; facts keep their number.
#[derive(Debug, Default)]
pub(crate) struct Codes(Vec<String>);

impl Codes {
    fn number(&mut self, code: &str) -> u16 {
        if let Some(i) = self.0.iter().position(|c| c == code) {
            return i as u16;
        }
        self.0.push(code.to_string());
        (self.0.len() - 1) as u16
    }

    /// For each number, its place in `axis` (`None`: not on it).
    pub fn places(&self, axis: &[String]) -> Vec<Option<usize>> {
        self.0
            .iter()
            .map(|c| axis.iter().position(|a| a == c))
            .collect()
    }
}

#[derive(Debug, Default)]
pub(crate) struct ReferralFacts {
    pub days: BTreeMap<Date, Vec<Fact>>,
    pub areas: Codes,
    pub reasons: Codes,
    pub sources: Codes,
    pub outcomes: Codes,
    versions: HashMap<String, i64>,
    loaded: bool,
}

/// What turns a stored row into a fact.
pub(crate) struct Rules<'a> {
    pub lists: &'a RouteLists,
    pub working_days: &'a WorkingDays,
}

fn start_of(d: Date, tz: &TimeZone) -> String {
    d.to_zoned(tz.clone())
        .map(|z| stored(z.timestamp()))
        .unwrap_or_default()
}

impl ReferralFacts {
    /// Brings the facts up to date with the database: everything the first time, then only the
    /// days whose mark moved.
    pub async fn refresh(&mut self, store: &dyn Store, rules: &Rules<'_>) -> AppResult<()> {
        // Marks first: a change committed after this read moves its mark again, so the next
        // read reloads that day; one committed before is in the facts read below.
        let versions: HashMap<String, i64> = store.referral_days().await?.into_iter().collect();
        let tz = kapstok_domain::calendar::zone();
        if !self.loaded {
            let rows = store.referral_facts("", "~").await?;
            self.days.clear();
            self.add(rows, rules, &tz);
            self.versions = versions;
            self.loaded = true;
            return Ok(());
        }
        // A UTC day's referrals fall on that local day or the next.
        let mut local: BTreeSet<Date> = BTreeSet::new();
        for (day, v) in &versions {
            if self.versions.get(day) == Some(v) {
                continue;
            }
            if let Ok(d) = day.parse::<Date>() {
                local.insert(d);
                local.insert(d.tomorrow().unwrap_or(d));
            }
        }
        if local.is_empty() {
            return Ok(());
        }
        // Runs of consecutive days, each read at once.
        let mut runs: Vec<(Date, Date)> = Vec::new();
        for d in local {
            match runs.last_mut() {
                Some((_, last)) if last.tomorrow().ok() == Some(d) => *last = d,
                _ => runs.push((d, d)),
            }
        }
        for (first, last) in runs {
            let until = last.tomorrow().unwrap_or(last);
            let rows = store
                .referral_facts(&start_of(first, &tz), &start_of(until, &tz))
                .await?;
            let gone: Vec<Date> = self.days.range(first..=last).map(|(d, _)| *d).collect();
            for d in gone {
                self.days.remove(&d);
            }
            self.add(rows, rules, &tz);
        }
        self.versions = versions;
        Ok(())
    }

    fn add(&mut self, rows: Vec<ReferralFactRow>, rules: &Rules<'_>, tz: &TimeZone) {
        let n = rules.lists.acknowledge_within;
        let mut due_of_day: HashMap<Date, Timestamp> = HashMap::new();
        for r in rows {
            let Ok(sent) = r.sent_at.parse::<Timestamp>() else {
                continue;
            };
            let day = sent.to_zoned(tz.clone()).date();
            let time = |t: &Option<String>| t.as_deref().and_then(|s| s.parse::<Timestamp>().ok());
            let state = State::parse(&r.state).unwrap_or(State::Requested);
            let ack = acknowledged(
                state,
                r.outcome.as_deref(),
                time(&r.accepted_at),
                time(&r.closed_at),
            );
            let due = *due_of_day
                .entry(day)
                .or_insert_with(|| rules.working_days.due(sent, n));
            let term = match ack {
                Some(a) if a < due => Standing::OnTime,
                Some(_) => Standing::Late,
                None if state == State::Requested => Standing::Waiting,
                None => Standing::None,
            };
            let closed = match (ack, time(&r.closed_at)) {
                (Some(_), Some(c)) if state.is_final() => minutes_between(sent, c),
                _ => NONE,
            };
            let fact = Fact {
                area: self.areas.number(r.area.as_deref().unwrap_or_default()),
                reason: self.reasons.number(&r.reason),
                source: self.sources.number(&r.source),
                outcome: self
                    .outcomes
                    .number(r.outcome.as_deref().unwrap_or_default()),
                acknowledged: ack.map_or(NONE, |a| minutes_between(sent, a)),
                closed,
                term,
            };
            self.days.entry(day).or_default().push(fact);
        }
    }
}
