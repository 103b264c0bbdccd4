//! Activities: theme meetings, refresher training, Wmo/Zorgloket training, network meetings,
//! carer cafés and e-learning. The rules here are plain (no I/O): the coded lists, when an
//! activity takes place (local Europe/Amsterdam times, repeats as the RFC 5545 RRULE subset
//! Kapstok expands and writes, dates moved or cancelled), and who gets a place.

use crate::calendar::zone;
use jiff::civil::{Date, DateTime};
use jiff::{SignedDuration, Timestamp, Zoned};
use serde::Deserialize;

/// A kind of activity, from the lists' data file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kind {
    pub code: String,
    pub label: String,
    pub label_en: String,
    /// Without a date (e-learning): a link and a "completed" registration.
    #[serde(default)]
    pub undated: bool,
}

/// Whom an activity is for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Audience {
    pub code: String,
    pub label: String,
    pub label_en: String,
    /// A professional group (they register signed in, and see theirs first).
    #[serde(default)]
    pub professional: bool,
}

/// The activity lists, from a data file (`defaults/activiteiten.toml` unless a deployment brings
/// its own).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityLists {
    pub kinds: Vec<Kind>,
    pub audiences: Vec<Audience>,
}

fn plain_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 40
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl ActivityLists {
    /// Reads and checks the lists; a mistake is named with the file.
    pub fn parse(name: &str, text: &str) -> Result<ActivityLists, String> {
        let lists: ActivityLists =
            toml::from_str(text).map_err(|e| format!("{name}: {}", e.message()))?;
        for (what, codes) in [
            (
                "kinds",
                lists
                    .kinds
                    .iter()
                    .map(|k| (&k.code, &k.label))
                    .collect::<Vec<_>>(),
            ),
            (
                "audiences",
                lists
                    .audiences
                    .iter()
                    .map(|a| (&a.code, &a.label))
                    .collect(),
            ),
        ] {
            if codes.is_empty() {
                return Err(format!("{name}: {what} is empty"));
            }
            let mut seen = std::collections::HashSet::new();
            for (code, label) in codes {
                if !plain_code(code) {
                    return Err(format!(
                        "{name}: {what} code {code:?}: use lower-case letters, digits and hyphens"
                    ));
                }
                if label.trim().is_empty() {
                    return Err(format!("{name}: {what} code {code} has no label"));
                }
                if !seen.insert(code) {
                    return Err(format!("{name}: {what} code {code} appears twice"));
                }
            }
        }
        Ok(lists)
    }

    pub fn kind(&self, code: &str) -> Option<&Kind> {
        self.kinds.iter().find(|k| k.code == code)
    }

    pub fn audience(&self, code: &str) -> Option<&Audience> {
        self.audiences.iter().find(|a| a.code == code)
    }
}

impl Default for ActivityLists {
    fn default() -> Self {
        ActivityLists::parse(
            "defaults/activiteiten.toml",
            include_str!("../defaults/activiteiten.toml"),
        )
        .expect("the shipped lists are valid")
    }
}

/// How often a rule repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freq {
    Yearly,
    Monthly,
    Weekly,
}

/// When a rule stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// After this many occurrences (the first included).
    Count(u32),
    /// On or before this local date.
    Date(Date),
    /// Not: expanded as far as asked.
    Never,
}

/// An RFC 5545 RRULE as Kapstok expands and writes it: `FREQ` (YEARLY, MONTHLY or WEEKLY),
/// `INTERVAL`, and `COUNT` or `UNTIL`. Anything else is refused rather than half understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub freq: Freq,
    pub interval: u32,
    pub until: Until,
}

/// Why a rule was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleProblem {
    /// A part Kapstok does not expand (BYDAY, FREQ=DAILY, …), named.
    Unsupported(String),
    /// A part without a valid value, named.
    Invalid(String),
    NoFreq,
    /// Both COUNT and UNTIL (RFC 5545 forbids it).
    CountAndUntil,
}

/// The longest a rule is followed: occurrences and years.
pub const MAX_OCCURRENCES: usize = 500;
const MAX_YEARS: i16 = 20;

impl Rule {
    pub fn parse(text: &str) -> Result<Rule, RuleProblem> {
        let text = text.trim();
        let text = text.strip_prefix("RRULE:").unwrap_or(text);
        let (mut freq, mut interval, mut count, mut until) = (None, 1u32, None, None);
        for part in text.split(';').filter(|p| !p.trim().is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| RuleProblem::Invalid(part.to_string()))?;
            let key = key.trim().to_ascii_uppercase();
            let value = value.trim().to_ascii_uppercase();
            let invalid = || RuleProblem::Invalid(key.clone());
            match key.as_str() {
                "FREQ" => {
                    freq = Some(match value.as_str() {
                        "YEARLY" => Freq::Yearly,
                        "MONTHLY" => Freq::Monthly,
                        "WEEKLY" => Freq::Weekly,
                        _ => return Err(RuleProblem::Unsupported(format!("FREQ={value}"))),
                    })
                }
                "INTERVAL" => {
                    interval = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=99).contains(n))
                        .ok_or_else(invalid)?
                }
                "COUNT" => {
                    count = Some(
                        value
                            .parse::<u32>()
                            .ok()
                            .filter(|n| (1..=MAX_OCCURRENCES as u32).contains(n))
                            .ok_or_else(invalid)?,
                    )
                }
                "UNTIL" => {
                    let date = value.get(..8).ok_or_else(invalid)?;
                    until = Some(Date::strptime("%Y%m%d", date).map_err(|_| invalid())?)
                }
                _ => return Err(RuleProblem::Unsupported(key)),
            }
        }
        let freq = freq.ok_or(RuleProblem::NoFreq)?;
        let until = match (count, until) {
            (Some(_), Some(_)) => return Err(RuleProblem::CountAndUntil),
            (Some(n), None) => Until::Count(n),
            (None, Some(d)) => Until::Date(d),
            (None, None) => Until::Never,
        };
        Ok(Rule {
            freq,
            interval,
            until,
        })
    }

    /// The rule as an RRULE value (`FREQ=YEARLY;COUNT=3`), the form it is stored and written in.
    pub fn to_rrule(&self) -> String {
        let mut out = format!(
            "FREQ={}",
            match self.freq {
                Freq::Yearly => "YEARLY",
                Freq::Monthly => "MONTHLY",
                Freq::Weekly => "WEEKLY",
            }
        );
        if self.interval != 1 {
            out.push_str(&format!(";INTERVAL={}", self.interval));
        }
        match self.until {
            Until::Count(n) => out.push_str(&format!(";COUNT={n}")),
            // A date-only UNTIL with a local start: the day's end in UTC covers the day.
            Until::Date(d) => out.push_str(&d.strftime(";UNTIL=%Y%m%dT235959Z").to_string()),
            Until::Never => {}
        }
        out
    }

    /// The local starts from `first` on, in order: the `n`-th step of the rule, skipping dates a
    /// month or year lacks (the 31st, 29 February) as RFC 5545 does; at most `limit`.
    pub fn starts(&self, first: DateTime, limit: usize) -> Vec<DateTime> {
        let limit = limit.min(MAX_OCCURRENCES);
        let mut out = Vec::new();
        let interval = i64::from(self.interval);
        for n in 0.. {
            if out.len() >= limit {
                break;
            }
            if let Until::Count(c) = self.until
                && out.len() >= c as usize
            {
                break;
            }
            let candidate = match self.freq {
                Freq::Weekly => first
                    .checked_add(SignedDuration::from_hours(24 * 7 * n * interval))
                    .ok(),
                Freq::Monthly | Freq::Yearly => {
                    let months = if self.freq == Freq::Monthly {
                        n * interval
                    } else {
                        n * interval * 12
                    };
                    let index =
                        i64::from(first.year()) * 12 + i64::from(first.month() - 1) + months;
                    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
                    if year > i64::from(first.year() + MAX_YEARS) {
                        break;
                    }
                    // A month without the day is skipped, not clamped.
                    Date::new(year as i16, month as i8, first.day())
                        .ok()
                        .map(|d| d.to_datetime(first.time()))
                }
            };
            let Some(start) = candidate else {
                if self.freq == Freq::Weekly {
                    break;
                }
                continue;
            };
            if start.year() > first.year() + MAX_YEARS {
                break;
            }
            if let Until::Date(d) = self.until
                && start.date() > d
            {
                break;
            }
            out.push(start);
        }
        out
    }
}

/// When an activity takes place, in local time (Europe/Amsterdam): its first date, how it
/// repeats (a rule and/or a list of further dates), and single dates moved or cancelled. Every
/// date lasts as long as the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub start: DateTime,
    pub end: DateTime,
    pub rule: Option<Rule>,
    /// Further dates (RFC 5545 RDATE): their starts.
    pub extra: Vec<DateTime>,
    /// Dates that do not take place (still shown, and `STATUS:CANCELLED` in feeds), by their
    /// original start.
    pub cancelled: Vec<DateTime>,
    /// Dates moved: (original start, new start).
    pub moved: Vec<(DateTime, DateTime)>,
}

/// One date of an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// The date's original start: its identity (a registration's date, RECURRENCE-ID).
    pub key: DateTime,
    pub start: Zoned,
    pub end: Zoned,
    pub cancelled: bool,
    pub moved: bool,
}

impl Occurrence {
    pub fn starts_at(&self) -> Timestamp {
        self.start.timestamp()
    }
}

/// Why a schedule was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleProblem {
    /// It ends before (or when) it starts.
    EndsBeforeStart,
    /// Longer than a week a date.
    TooLong,
}

fn local(dt: DateTime) -> Zoned {
    // A time in the spring-forward gap moves to after it (RFC 5545 and jiff's "compatible").
    dt.to_zoned(zone())
        .unwrap_or_else(|_| Timestamp::UNIX_EPOCH.to_zoned(zone()))
}

impl Schedule {
    /// A single date.
    pub fn once(start: DateTime, end: DateTime) -> Result<Schedule, ScheduleProblem> {
        let s = Schedule {
            start,
            end,
            rule: None,
            extra: Vec::new(),
            cancelled: Vec::new(),
            moved: Vec::new(),
        };
        s.check()?;
        Ok(s)
    }

    pub fn check(&self) -> Result<(), ScheduleProblem> {
        if self.end <= self.start {
            return Err(ScheduleProblem::EndsBeforeStart);
        }
        if self.start.duration_until(self.end) > SignedDuration::from_hours(24 * 7) {
            return Err(ScheduleProblem::TooLong);
        }
        Ok(())
    }

    /// How long each date lasts (local clock time, so 19:30–21:30 stays two hours on the
    /// clock on the night the clocks change).
    fn length(&self) -> SignedDuration {
        self.start.duration_until(self.end)
    }

    /// Every date's original start, in order, without doubles: the first, the rule's, the extra.
    pub fn keys(&self) -> Vec<DateTime> {
        let mut keys = match &self.rule {
            Some(r) => r.starts(self.start, MAX_OCCURRENCES),
            None => vec![self.start],
        };
        keys.extend(self.extra.iter().copied());
        keys.sort();
        keys.dedup();
        keys.truncate(MAX_OCCURRENCES);
        keys
    }

    /// Every date, ordered by when it takes place (a moved date at its new time).
    pub fn occurrences(&self) -> Vec<Occurrence> {
        let length = self.length();
        let mut out: Vec<Occurrence> = self
            .keys()
            .into_iter()
            .map(|key| {
                let moved_to = self
                    .moved
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, to)| *to);
                let start = moved_to.unwrap_or(key);
                let end = start.checked_add(length).unwrap_or(start);
                Occurrence {
                    key,
                    start: local(start),
                    end: local(end),
                    cancelled: self.cancelled.contains(&key),
                    moved: moved_to.is_some(),
                }
            })
            .collect();
        out.sort_by_key(|o| (o.start.timestamp(), o.key));
        out
    }

    /// The dates that have not ended at `now` (cancelled ones included), in order.
    pub fn upcoming(&self, now: Timestamp) -> Vec<Occurrence> {
        self.occurrences()
            .into_iter()
            .filter(|o| o.end.timestamp() > now)
            .collect()
    }

    /// The date with this original start.
    pub fn occurrence(&self, key: DateTime) -> Option<Occurrence> {
        self.occurrences().into_iter().find(|o| o.key == key)
    }

    /// The same activity a year later: every date 52 weeks on (the same weekday: a Tuesday
    /// training stays on a Tuesday), without this year's moves and cancellations.
    pub fn next_year(&self) -> Schedule {
        let year = SignedDuration::from_hours(24 * 7 * 52);
        let on = |d: DateTime| d.checked_add(year).unwrap_or(d);
        Schedule {
            start: on(self.start),
            end: on(self.end),
            rule: self.rule.map(|r| Rule {
                until: match r.until {
                    Until::Date(d) => Until::Date(d.checked_add(year).unwrap_or(d)),
                    other => other,
                },
                ..r
            }),
            extra: self.extra.iter().map(|d| on(*d)).collect(),
            cancelled: Vec::new(),
            moved: Vec::new(),
        }
    }
}

/// Where a new registration goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placed {
    /// A place.
    Place,
    /// The waiting list, at this position (1 is next).
    Waiting(u32),
}

/// With `capacity` places (none: unlimited), `taken` places taken and `waiting` people waiting,
/// where the next registration goes. The store decides this inside the transaction that
/// counts, so two people taking the last place at once get a place and a waiting position.
pub fn place_for(capacity: Option<u32>, taken: u32, waiting: u32) -> Placed {
    match capacity {
        Some(c) if taken >= c || waiting > 0 => Placed::Waiting(waiting + 1),
        _ => Placed::Place,
    }
}

/// Whether registering is still possible at `now`: before the deadline (if any) and before
/// the date starts.
pub fn registration_open(
    deadline: Option<Timestamp>,
    starts: Option<Timestamp>,
    now: Timestamp,
) -> bool {
    deadline.is_none_or(|d| now <= d) && starts.is_none_or(|s| now < s)
}

/// An activity as stored: what it is, for whom, where, when (none: e-learning), how many.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activity {
    pub id: String,
    /// A code of `ActivityLists::kinds`.
    pub kind: String,
    pub title: String,
    pub description: String,
    /// Codes of `ActivityLists::audiences`.
    pub audiences: Vec<String>,
    /// An area code of the deployment.
    pub area: Option<String>,
    /// A location of the social map, or an address as typed.
    pub location_id: Option<String>,
    pub address: Option<String>,
    /// `None`: without a date (e-learning).
    pub schedule: Option<Schedule>,
    /// Places per date; `None`: no limit.
    pub capacity: Option<u32>,
    /// Registration closes at this instant (stored form).
    pub deadline: Option<String>,
    /// Accreditation points, where the activity carries them.
    pub points: Option<u32>,
    /// The organiser (an organisation of the social map).
    pub organization_id: Option<String>,
    /// How to reach the organiser about it (a name, phone, e-mail address).
    pub contact: Option<String>,
    /// The e-learning module's or the meeting's link.
    pub url: Option<String>,
    pub published: bool,
    /// Raised on every change (iCalendar SEQUENCE).
    pub sequence: u32,
    pub updated_at: String,
}

/// A civil date-time as stored: `2026-09-15T09:00`.
pub fn stored_local(dt: DateTime) -> String {
    dt.strftime("%Y-%m-%dT%H:%M").to_string()
}

/// A stored civil date-time read back.
pub fn parse_local(text: &str) -> Option<DateTime> {
    DateTime::strptime("%Y-%m-%dT%H:%M", text.trim()).ok()
}

fn list_of(dates: &[DateTime]) -> String {
    dates
        .iter()
        .map(|d| stored_local(*d))
        .collect::<Vec<_>>()
        .join(",")
}

fn dates_of(text: &str) -> Option<Vec<DateTime>> {
    text.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(parse_local)
        .collect()
}

/// A schedule's parts as stored, each a text column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredSchedule {
    pub start: String,
    pub end: String,
    pub rrule: Option<String>,
    /// Comma-separated starts.
    pub extra: String,
    pub cancelled: String,
    /// Comma-separated `original=new` pairs.
    pub moved: String,
}

impl Schedule {
    pub fn to_stored(&self) -> StoredSchedule {
        StoredSchedule {
            start: stored_local(self.start),
            end: stored_local(self.end),
            rrule: self.rule.map(|r| r.to_rrule()),
            extra: list_of(&self.extra),
            cancelled: list_of(&self.cancelled),
            moved: self
                .moved
                .iter()
                .map(|(a, b)| format!("{}={}", stored_local(*a), stored_local(*b)))
                .collect::<Vec<_>>()
                .join(","),
        }
    }

    /// Read back; `None` when a part is not what `to_stored` writes.
    pub fn from_stored(s: &StoredSchedule) -> Option<Schedule> {
        Some(Schedule {
            start: parse_local(&s.start)?,
            end: parse_local(&s.end)?,
            rule: match &s.rrule {
                Some(r) => Some(Rule::parse(r).ok()?),
                None => None,
            },
            extra: dates_of(&s.extra)?,
            cancelled: dates_of(&s.cancelled)?,
            moved: s
                .moved
                .split(',')
                .filter(|p| !p.trim().is_empty())
                .map(|p| {
                    let (a, b) = p.split_once('=')?;
                    Some((parse_local(a)?, parse_local(b)?))
                })
                .collect::<Option<Vec<_>>>()?,
        })
    }
}

/// Where a registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationState {
    /// Has a place.
    Place,
    /// On the waiting list.
    Waiting,
    Cancelled,
    /// Was there (marked by the coördinator).
    Attended,
    /// Finished the e-learning module.
    Completed,
}

impl RegistrationState {
    pub const ALL: [RegistrationState; 5] = [
        RegistrationState::Place,
        RegistrationState::Waiting,
        RegistrationState::Cancelled,
        RegistrationState::Attended,
        RegistrationState::Completed,
    ];
    pub fn code(self) -> &'static str {
        match self {
            RegistrationState::Place => "place",
            RegistrationState::Waiting => "waiting",
            RegistrationState::Cancelled => "cancelled",
            RegistrationState::Attended => "attended",
            RegistrationState::Completed => "completed",
        }
    }
    pub fn parse(code: &str) -> Option<RegistrationState> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
    /// Holds one of the date's places.
    pub fn takes_place(self) -> bool {
        matches!(self, RegistrationState::Place | RegistrationState::Attended)
    }
}

/// Someone registered for one date of an activity (personal data: access-logged, erased a
/// while after the date; only counts stay).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub id: String,
    pub activity_id: String,
    /// The date's key (`stored_local` of its original start), empty for e-learning.
    pub occurrence: String,
    pub state: RegistrationState,
    /// Order of registering (the waiting list's order).
    pub seq: i64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// A signed-in professional.
    pub user_id: Option<String>,
    pub created_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn at(y: i16, m: i8, d: i8, h: i8, min: i8) -> DateTime {
        date(y, m, d).at(h, min, 0, 0)
    }

    fn utc(o: &Occurrence) -> String {
        o.start.timestamp().strftime("%Y-%m-%dT%H:%MZ").to_string()
    }

    #[test]
    fn the_shipped_lists_read_and_mistakes_are_named() {
        let lists = ActivityLists::default();
        assert!(lists.kind("e-learning").unwrap().undated);
        assert!(lists.audience("wmo-consulent").unwrap().professional);
        assert!(!lists.audience("mantelzorgers").unwrap().professional);
        let twice = "[[kinds]]\ncode = \"a\"\nlabel = \"A\"\nlabel_en = \"A\"\n[[kinds]]\ncode = \"a\"\nlabel = \"B\"\nlabel_en = \"B\"\n[[audiences]]\ncode = \"x\"\nlabel = \"X\"\nlabel_en = \"X\"\n";
        assert!(
            ActivityLists::parse("f.toml", twice)
                .unwrap_err()
                .contains("appears twice")
        );
        let bad = twice.replace(
            "code = \"a\"\nlabel = \"B\"",
            "code = \"B b\"\nlabel = \"B\"",
        );
        assert!(
            ActivityLists::parse("f.toml", &bad)
                .unwrap_err()
                .contains("lower-case")
        );
        assert!(
            ActivityLists::parse("f.toml", "kinds = []\naudiences = []")
                .unwrap_err()
                .contains("empty")
        );
    }

    #[test]
    fn rules_are_read_strictly_and_written_back() {
        let r = Rule::parse("RRULE:FREQ=YEARLY;COUNT=3").unwrap();
        assert_eq!(
            r,
            Rule {
                freq: Freq::Yearly,
                interval: 1,
                until: Until::Count(3)
            }
        );
        assert_eq!(r.to_rrule(), "FREQ=YEARLY;COUNT=3");
        let r = Rule::parse("freq=monthly;interval=2;until=20270630").unwrap();
        assert_eq!(
            r.to_rrule(),
            "FREQ=MONTHLY;INTERVAL=2;UNTIL=20270630T235959Z"
        );
        assert_eq!(Rule::parse(&r.to_rrule()).unwrap(), r);
        assert_eq!(
            Rule::parse("FREQ=DAILY"),
            Err(RuleProblem::Unsupported("FREQ=DAILY".into()))
        );
        assert_eq!(
            Rule::parse("FREQ=WEEKLY;BYDAY=TU"),
            Err(RuleProblem::Unsupported("BYDAY".into()))
        );
        assert_eq!(Rule::parse("COUNT=3"), Err(RuleProblem::NoFreq));
        assert_eq!(
            Rule::parse("FREQ=YEARLY;COUNT=0"),
            Err(RuleProblem::Invalid("COUNT".into()))
        );
        assert_eq!(
            Rule::parse("FREQ=YEARLY;COUNT=2;UNTIL=20300101"),
            Err(RuleProblem::CountAndUntil)
        );
        assert_eq!(
            Rule::parse("FREQ=YEARLY;UNTIL=morgen"),
            Err(RuleProblem::Invalid("UNTIL".into()))
        );
    }

    #[test]
    fn monthly_meetings_keep_their_local_time_across_daylight_saving() {
        // 19:30 in Emmen: 18:30 UTC in winter, 17:30 UTC after the clocks go forward on
        // 29 March 2026, and back to 18:30 UTC after 25 October 2026.
        let s = Schedule {
            rule: Some(Rule::parse("FREQ=MONTHLY;COUNT=10").unwrap()),
            ..Schedule::once(at(2026, 2, 10, 19, 30), at(2026, 2, 10, 21, 30)).unwrap()
        };
        let o = s.occurrences();
        assert_eq!(o.len(), 10);
        assert_eq!(utc(&o[0]), "2026-02-10T18:30Z");
        assert_eq!(utc(&o[1]), "2026-03-10T18:30Z");
        assert_eq!(utc(&o[2]), "2026-04-10T17:30Z");
        assert_eq!(utc(&o[9]), "2026-11-10T18:30Z");
        for x in &o {
            assert_eq!(x.start.strftime("%H:%M").to_string(), "19:30");
            assert_eq!(x.end.strftime("%H:%M").to_string(), "21:30");
        }
    }

    #[test]
    fn a_date_on_the_night_the_clocks_change_lasts_as_long_on_the_clock() {
        // 01:00–04:00 local on 29 March 2026: the clock skips 02:00–03:00, so it lasts two
        // hours of real time and ends at 04:00 on the clock.
        let s = Schedule::once(at(2026, 3, 29, 1, 0), at(2026, 3, 29, 4, 0)).unwrap();
        let o = &s.occurrences()[0];
        assert_eq!(o.end.strftime("%H:%M").to_string(), "04:00");
        assert_eq!(
            o.start.timestamp().duration_until(o.end.timestamp()),
            SignedDuration::from_hours(2)
        );
    }

    #[test]
    fn months_without_the_day_are_skipped_and_rules_end() {
        let r = Rule::parse("FREQ=MONTHLY;COUNT=4").unwrap();
        let starts = r.starts(at(2027, 1, 31, 10, 0), 100);
        let days: Vec<String> = starts
            .iter()
            .map(|d| d.strftime("%m-%d").to_string())
            .collect();
        assert_eq!(days, ["01-31", "03-31", "05-31", "07-31"]);
        let leap = Rule::parse("FREQ=YEARLY;COUNT=2")
            .unwrap()
            .starts(at(2028, 2, 29, 10, 0), 100);
        assert_eq!(leap[1].date(), date(2032, 2, 29));
        let until = Rule::parse("FREQ=WEEKLY;INTERVAL=2;UNTIL=20270301").unwrap();
        // 5 and 19 January, 2 and 16 February; 2 March is after the end.
        assert_eq!(until.starts(at(2027, 1, 5, 9, 0), 100).len(), 4);
        let never = Rule::parse("FREQ=YEARLY").unwrap();
        assert_eq!(
            never.starts(at(2026, 9, 1, 9, 0), 1000).len(),
            21,
            "at most twenty years on"
        );
        assert_eq!(
            Rule::parse("FREQ=WEEKLY")
                .unwrap()
                .starts(at(2026, 1, 1, 9, 0), 10_000)
                .len(),
            MAX_OCCURRENCES
        );
    }

    #[test]
    fn dates_are_moved_cancelled_and_added_and_next_year_keeps_the_weekday() {
        let first = at(2026, 9, 15, 9, 0);
        let mut s = Schedule {
            rule: Some(Rule::parse("FREQ=YEARLY;COUNT=2").unwrap()),
            extra: vec![at(2026, 10, 6, 9, 0), first],
            ..Schedule::once(first, at(2026, 9, 15, 12, 0)).unwrap()
        };
        s.cancelled.push(at(2026, 10, 6, 9, 0));
        s.moved.push((first, at(2026, 11, 3, 13, 0)));
        let o = s.occurrences();
        assert_eq!(o.len(), 3, "the double date once");
        assert_eq!((o[0].key, o[0].cancelled), (at(2026, 10, 6, 9, 0), true));
        assert_eq!(o[1].key, first);
        assert!(o[1].moved);
        assert_eq!(
            o[1].start.strftime("%Y-%m-%d %H:%M").to_string(),
            "2026-11-03 13:00"
        );
        assert_eq!(o[1].end.strftime("%H:%M").to_string(), "16:00");
        assert_eq!(o[2].key, at(2027, 9, 15, 9, 0));
        let now: Timestamp = "2026-10-20T00:00:00Z".parse().unwrap();
        assert_eq!(s.upcoming(now).len(), 2);
        let next = s.next_year();
        assert_eq!(next.start, at(2027, 9, 14, 9, 0));
        assert_eq!(next.start.date().weekday(), first.date().weekday());
        assert!(next.cancelled.is_empty() && next.moved.is_empty());
        assert_eq!(
            Schedule::once(first, first),
            Err(ScheduleProblem::EndsBeforeStart)
        );
        assert_eq!(
            Schedule::once(first, at(2026, 9, 30, 9, 0)),
            Err(ScheduleProblem::TooLong)
        );
    }

    #[test]
    fn schedules_are_stored_and_read_back() {
        let first = at(2026, 9, 15, 9, 0);
        let s = Schedule {
            rule: Some(Rule::parse("FREQ=YEARLY;COUNT=3").unwrap()),
            extra: vec![at(2026, 10, 6, 9, 0)],
            cancelled: vec![at(2026, 10, 6, 9, 0)],
            moved: vec![(first, at(2026, 9, 16, 13, 30))],
            ..Schedule::once(first, at(2026, 9, 15, 12, 0)).unwrap()
        };
        let stored = s.to_stored();
        assert_eq!(stored.start, "2026-09-15T09:00");
        assert_eq!(stored.moved, "2026-09-15T09:00=2026-09-16T13:30");
        assert_eq!(Schedule::from_stored(&stored), Some(s));
        let broken = StoredSchedule {
            extra: "morgen".into(),
            ..stored
        };
        assert_eq!(Schedule::from_stored(&broken), None);
        for st in RegistrationState::ALL {
            assert_eq!(RegistrationState::parse(st.code()), Some(st));
        }
    }

    #[test]
    fn the_last_place_then_the_waiting_list() {
        assert_eq!(place_for(Some(12), 11, 0), Placed::Place);
        assert_eq!(place_for(Some(12), 12, 0), Placed::Waiting(1));
        assert_eq!(place_for(Some(12), 12, 3), Placed::Waiting(4));
        // A place freed while people wait goes to the first of them, not to a newcomer.
        assert_eq!(place_for(Some(12), 11, 1), Placed::Waiting(2));
        assert_eq!(place_for(None, 1_000, 0), Placed::Place);
        let now: Timestamp = "2026-12-07T10:00:00Z".parse().unwrap();
        let later: Timestamp = "2026-12-08T10:00:00Z".parse().unwrap();
        assert!(registration_open(Some(later), Some(later), now));
        assert!(!registration_open(Some(now), Some(later), later));
        assert!(!registration_open(None, Some(now), now));
        assert!(registration_open(None, None, now));
    }
}
