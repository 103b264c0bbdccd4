//! The coördinator's activity form: what was typed becomes an [`Activity`] or the problems per
//! field (nothing saved). Dates as people type them here (`15-09-2026`, `15-9-2026` or
//! `2026-09-15`), times as `9:00` or `09.00`, all local (Europe/Amsterdam).

use crate::activity::{
    Activity, ActivityLists, Freq, Rule, Schedule, ScheduleProblem, Until, stored_local,
};
use crate::calendar::{stored, zone};
use crate::editing::{Problem, Problems, Typed};
use crate::fields::web_link;
use jiff::civil::{Date, DateTime, Time};

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 4_000;
pub const LINE_MAX: usize = 300;
pub const CAPACITY_MAX: u32 = 10_000;
pub const POINTS_MAX: u32 = 100;
/// Further dates in the list.
pub const DATES_MAX: usize = 100;

/// `15-09-2026`, `15-9-2026`, `15/09/2026` or `2026-09-15`.
pub fn date_of(text: &str) -> Option<Date> {
    let t = text.trim().replace('/', "-");
    let parts: Vec<&str> = t.split('-').collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (y, m, d) = if a.len() == 4 { (a, b, c) } else { (c, b, a) };
    if y.len() != 4 {
        return None;
    }
    let year: i16 = y.parse().ok()?;
    // Dates people mean; far years would overflow the arithmetic on them.
    if !(1900..=2200).contains(&year) {
        return None;
    }
    Date::new(year, m.parse().ok()?, d.parse().ok()?).ok()
}

/// `9:00`, `09.00` or `9` (whole hour).
pub fn time_of(text: &str) -> Option<Time> {
    let t = text.trim().replace('.', ":");
    let (h, m) = t.split_once(':').unwrap_or((&t, "0"));
    let (h, m): (i8, i8) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
    Time::new(h, m, 0, 0).ok()
}

/// A date as the form shows it: `15-09-2026`.
pub fn shown_date(d: Date) -> String {
    d.strftime("%d-%m-%Y").to_string()
}

fn limited(f: Typed, key: &'static str, max: usize, p: &mut Problems) -> Option<String> {
    let v = f.get(key)?;
    if v.chars().count() > max {
        p.push((key, Problem::TooLong(max)));
    }
    Some(v.to_string())
}

fn number(
    f: Typed,
    key: &'static str,
    range: std::ops::RangeInclusive<u32>,
    p: &mut Problems,
) -> Option<u32> {
    let v = f.get(key)?;
    match v.parse::<u32>() {
        Ok(n) if range.contains(&n) => Some(n),
        _ => {
            p.push((key, Problem::NotANumber));
            None
        }
    }
}

/// The form's values of an activity, to fill the form with.
pub fn activity_values(a: &Activity) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = vec![
        ("kind".into(), a.kind.clone()),
        ("title".into(), a.title.clone()),
        ("description".into(), a.description.clone()),
        ("area".into(), a.area.clone().unwrap_or_default()),
        (
            "location_id".into(),
            a.location_id.clone().unwrap_or_default(),
        ),
        ("address".into(), a.address.clone().unwrap_or_default()),
        (
            "capacity".into(),
            a.capacity.map(|c| c.to_string()).unwrap_or_default(),
        ),
        (
            "points".into(),
            a.points.map(|c| c.to_string()).unwrap_or_default(),
        ),
        ("contact".into(), a.contact.clone().unwrap_or_default()),
        ("url".into(), a.url.clone().unwrap_or_default()),
    ];
    v.extend(
        a.audiences
            .iter()
            .map(|c| ("audience".to_string(), c.clone())),
    );
    if a.published {
        v.push(("published".into(), "1".into()));
    }
    if let Some(d) = a
        .deadline
        .as_deref()
        .and_then(|d| d.parse::<jiff::Timestamp>().ok())
    {
        v.push(("deadline".into(), shown_date(d.to_zoned(zone()).date())));
    }
    if let Some(s) = &a.schedule {
        v.push(("date".into(), shown_date(s.start.date())));
        v.push(("starts".into(), s.start.strftime("%H:%M").to_string()));
        v.push(("ends".into(), s.end.strftime("%H:%M").to_string()));
        let (repeat, count, until) = match s.rule {
            None if s.extra.is_empty() => ("geen", None, None),
            None => ("datums", None, None),
            Some(r) => (
                match r.freq {
                    Freq::Yearly => "jaarlijks",
                    Freq::Monthly => "maandelijks",
                    Freq::Weekly => "wekelijks",
                },
                match r.until {
                    Until::Count(n) => Some(n.to_string()),
                    _ => None,
                },
                match r.until {
                    Until::Date(d) => Some(shown_date(d)),
                    _ => None,
                },
            ),
        };
        v.push(("repeat".into(), repeat.into()));
        v.extend(count.map(|c| ("repeat_count".to_string(), c)));
        v.extend(until.map(|u| ("repeat_until".to_string(), u)));
        v.push((
            "dates".into(),
            s.extra
                .iter()
                .map(|d| shown_date(d.date()))
                .collect::<Vec<_>>()
                .join("\n"),
        ));
    }
    v
}

/// What the form makes of `base` (a new activity: `Activity` with only its id and times set),
/// checked against the lists and the deployment's `areas` (codes). The sequence is raised when
/// anything a calendar shows changed; `now` is the stored time of the change.
pub fn apply_activity_form(
    base: &Activity,
    f: Typed,
    lists: &ActivityLists,
    areas: &[String],
    now: jiff::Timestamp,
) -> Result<Activity, Problems> {
    let mut p = Problems::new();
    let kind = f.get("kind").unwrap_or_default().to_string();
    let undated = match lists.kind(&kind) {
        Some(k) => k.undated,
        None => {
            p.push(("kind", Problem::Required));
            false
        }
    };
    let title = limited(f, "title", TITLE_MAX, &mut p).unwrap_or_default();
    if title.is_empty() {
        p.push(("title", Problem::Required));
    }
    let description = limited(f, "description", DESCRIPTION_MAX, &mut p).unwrap_or_default();
    let audiences: Vec<String> = f.all("audience").into_iter().map(str::to_string).collect();
    if audiences.is_empty() {
        p.push(("audience", Problem::Required));
    } else if audiences.iter().any(|a| lists.audience(a).is_none()) {
        p.push(("audience", Problem::UnknownTag));
    }
    let area = f.get("area").map(str::to_string);
    if area.as_ref().is_some_and(|a| !areas.contains(a)) {
        p.push(("area", Problem::UnknownTag));
    }
    let address = limited(f, "address", LINE_MAX, &mut p);
    let contact = limited(f, "contact", LINE_MAX, &mut p);
    let url = limited(f, "url", LINE_MAX, &mut p);
    if url.as_deref().is_some_and(|u| web_link(u).is_none()) {
        p.push(("url", Problem::NotALink));
    }
    if undated && url.is_none() {
        p.push(("url", Problem::Required));
    }
    let capacity = number(f, "capacity", 1..=CAPACITY_MAX, &mut p);
    let points = number(f, "points", 0..=POINTS_MAX, &mut p);

    let schedule = if undated { None } else { schedule(f, &mut p) };
    let deadline = match f.get("deadline") {
        None => None,
        Some(text) => match date_of(text) {
            None => {
                p.push(("deadline", Problem::NotADate));
                None
            }
            Some(d) => {
                if schedule.as_ref().is_some_and(|s| d > s.start.date()) {
                    p.push(("deadline", Problem::AfterStart));
                }
                // Until the end of that day, local time.
                d.to_datetime(Time::new(23, 59, 59, 0).expect("a time"))
                    .to_zoned(zone())
                    .ok()
                    .map(|z| stored(z.timestamp()))
            }
        },
    };
    if !p.is_empty() {
        return Err(p);
    }
    let mut a = Activity {
        kind,
        title,
        description,
        audiences,
        area,
        location_id: f.get("location_id").map(str::to_string),
        address,
        schedule,
        capacity,
        deadline,
        points,
        contact,
        url,
        published: f.get("published").is_some(),
        updated_at: stored(now),
        ..base.clone()
    };
    // Moves and cancellations of dates that are no longer part of it are dropped.
    if let Some(s) = &mut a.schedule {
        let keys = s.keys();
        let old = base.schedule.as_ref();
        s.cancelled = old
            .map(|o| {
                o.cancelled
                    .iter()
                    .copied()
                    .filter(|d| keys.contains(d))
                    .collect()
            })
            .unwrap_or_default();
        s.moved = old
            .map(|o| {
                o.moved
                    .iter()
                    .copied()
                    .filter(|(d, _)| keys.contains(d))
                    .collect()
            })
            .unwrap_or_default();
    }
    let shown = |x: &Activity| {
        (
            x.title.clone(),
            x.description.clone(),
            x.address.clone(),
            x.location_id.clone(),
            x.schedule.clone(),
            x.url.clone(),
            x.published,
        )
    };
    if shown(&a) != shown(base) {
        a.sequence = base.sequence + 1;
    }
    Ok(a)
}

fn schedule(f: Typed, p: &mut Problems) -> Option<Schedule> {
    let date = match f.get("date").map(date_of) {
        None => {
            p.push(("date", Problem::Required));
            None
        }
        Some(None) => {
            p.push(("date", Problem::NotADate));
            None
        }
        Some(d) => d,
    };
    let mut time = |key: &'static str| match f.get(key).map(time_of) {
        None => {
            p.push((key, Problem::Required));
            None
        }
        Some(None) => {
            p.push((key, Problem::NotATime));
            None
        }
        Some(t) => t,
    };
    let (starts, ends) = (time("starts"), time("ends"));
    let rule = match f.get("repeat").unwrap_or("geen") {
        "geen" | "datums" => None,
        freq @ ("jaarlijks" | "maandelijks" | "wekelijks") => {
            let count = number(f, "repeat_count", 1..=50, p);
            let until = match f.get("repeat_until").map(date_of) {
                None => None,
                Some(None) => {
                    p.push(("repeat_until", Problem::NotADate));
                    None
                }
                Some(d) => d,
            };
            Some(Rule {
                freq: match freq {
                    "jaarlijks" => Freq::Yearly,
                    "maandelijks" => Freq::Monthly,
                    _ => Freq::Weekly,
                },
                interval: 1,
                until: match (count, until) {
                    (Some(n), _) => Until::Count(n),
                    (None, Some(d)) => Until::Date(d),
                    // A repeat without an end: as far as asked, twenty years at most.
                    (None, None) => Until::Never,
                },
            })
        }
        _ => {
            p.push(("repeat", Problem::Required));
            None
        }
    };
    let mut extra = Vec::new();
    if f.get("repeat") == Some("datums") {
        let lines: Vec<&str> = f
            .get("dates")
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() {
            p.push(("dates", Problem::Required));
        } else if lines.len() > DATES_MAX {
            p.push(("dates", Problem::TooLong(DATES_MAX)));
        }
        for line in lines.iter().take(DATES_MAX) {
            match date_of(line) {
                Some(d) => extra.push(d),
                None => {
                    p.push(("dates", Problem::NotADate));
                    break;
                }
            }
        }
    }
    let (date, starts, ends) = (date?, starts?, ends?);
    let start = date.to_datetime(starts);
    let end = date.to_datetime(ends);
    let extra: Vec<DateTime> = extra.into_iter().map(|d| d.to_datetime(starts)).collect();
    let s = Schedule {
        rule,
        extra,
        ..Schedule {
            start,
            end,
            rule: None,
            extra: Vec::new(),
            cancelled: Vec::new(),
            moved: Vec::new(),
        }
    };
    match s.check() {
        Ok(()) => Some(s),
        Err(ScheduleProblem::EndsBeforeStart) => {
            p.push(("ends", Problem::EndBeforeStart));
            None
        }
        Err(ScheduleProblem::TooLong) => {
            p.push(("ends", Problem::EndBeforeStart));
            None
        }
    }
}

/// The key of a date as registrations hold it.
pub fn occurrence_key(start: DateTime) -> String {
    stored_local(start)
}

/// Who registers without an account: a name and an e-mail address or a phone number, nothing
/// more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registrant {
    pub name: String,
    pub email: Option<crate::account::Email>,
    pub phone: Option<String>,
}

pub const NAME_MAX: usize = 120;

/// The public registration form (`name`, `email`, `phone`): a name and at least one way to
/// reach them, each checked.
pub fn registrant_of(f: Typed) -> Result<Registrant, Problems> {
    let mut p = Problems::new();
    let name = limited(f, "name", NAME_MAX, &mut p).unwrap_or_default();
    if name.is_empty() {
        p.push(("name", Problem::Required));
    }
    let email = match f.get("email") {
        None => None,
        Some(e) => match crate::account::Email::parse(e) {
            Some(e) => Some(e),
            None => {
                p.push(("email", Problem::NotAnEmail));
                None
            }
        },
    };
    let phone = match f.get("phone") {
        None => None,
        Some(t) if crate::editing::is_phone(t) => Some(t.to_string()),
        Some(_) => {
            p.push(("phone", Problem::NotAPhone));
            None
        }
    };
    if f.get("email").is_none() && f.get("phone").is_none() {
        p.push(("email", Problem::Required));
    }
    if p.is_empty() {
        Ok(Registrant { name, email, phone })
    } else {
        Err(p)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_registrant_gives_a_name_and_a_way_to_reach_them() {
        let ok = registrant_of(Typed(&pairs(&[
            ("name", " Els Jansen "),
            ("phone", "06-12345678"),
        ])))
        .unwrap();
        assert_eq!(ok.name, "Els Jansen");
        assert_eq!(ok.phone.as_deref(), Some("06-12345678"));
        let none = registrant_of(Typed(&pairs(&[("name", "Els")]))).unwrap_err();
        assert_eq!(none, vec![("email", Problem::Required)]);
        let bad =
            registrant_of(Typed(&pairs(&[("email", "els@"), ("phone", "bel me")]))).unwrap_err();
        assert_eq!(
            bad,
            vec![
                ("name", Problem::Required),
                ("email", Problem::NotAnEmail),
                ("phone", Problem::NotAPhone)
            ]
        );
    }
    use super::*;
    use jiff::civil::date;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn blank() -> Activity {
        Activity {
            id: "a1".into(),
            kind: String::new(),
            title: String::new(),
            description: String::new(),
            audiences: Vec::new(),
            area: None,
            location_id: None,
            address: None,
            schedule: None,
            capacity: None,
            deadline: None,
            points: None,
            organization_id: None,
            contact: None,
            url: None,
            published: false,
            sequence: 0,
            updated_at: String::new(),
        }
    }

    fn now() -> jiff::Timestamp {
        "2026-12-07T10:00:00Z".parse().unwrap()
    }

    const TRAINING: &[(&str, &str)] = &[
        ("kind", "scholing-wmo-zorgloket"),
        ("title", "Mantelzorg herkennen aan de Wmo-tafel"),
        ("audience", "wmo-consulent"),
        ("date", "19-1-2027"),
        ("starts", "9.00"),
        ("ends", "12:30"),
        ("repeat", "jaarlijks"),
        ("repeat_count", "3"),
        ("capacity", "12"),
        ("deadline", "12-01-2027"),
        ("published", "1"),
    ];

    #[test]
    fn dates_and_times_as_people_type_them() {
        for t in ["15-09-2026", "15-9-2026", "15/09/2026", "2026-09-15"] {
            assert_eq!(date_of(t), Some(date(2026, 9, 15)), "{t}");
        }
        for bad in ["31-02-2026", "15-09-26", "morgen", "", "2026-13-01"] {
            assert_eq!(date_of(bad), None, "{bad}");
        }
        assert_eq!(time_of("9.00"), Some(Time::new(9, 0, 0, 0).unwrap()));
        assert_eq!(time_of("19:30"), Some(Time::new(19, 30, 0, 0).unwrap()));
        assert_eq!(time_of("9"), Some(Time::new(9, 0, 0, 0).unwrap()));
        assert_eq!(time_of("25:00"), None);
    }

    #[test]
    fn a_yearly_training_with_twelve_places() {
        let lists = ActivityLists::default();
        let a = apply_activity_form(&blank(), Typed(&pairs(TRAINING)), &lists, &[], now()).unwrap();
        let s = a.schedule.as_ref().unwrap();
        assert_eq!(s.occurrences().len(), 3);
        assert_eq!(stored_local(s.start), "2027-01-19T09:00");
        assert_eq!(a.capacity, Some(12));
        // The end of 12 January in Emmen: 22:59:59 UTC in winter.
        assert_eq!(a.deadline.as_deref(), Some("2027-01-12T22:59:59.000Z"));
        assert!(a.published);
        assert_eq!(a.sequence, 1, "new to calendars");
        // The form shows it again as it was typed (normalised).
        let again =
            apply_activity_form(&a, Typed(&activity_values(&a)), &lists, &[], now()).unwrap();
        assert_eq!(again, a, "unchanged: the same sequence");
        // Moving the time raises the sequence.
        let mut later = activity_values(&a);
        later.retain(|(k, _)| k != "starts");
        later.push(("starts".into(), "10:00".into()));
        let moved = apply_activity_form(&a, Typed(&later), &lists, &[], now()).unwrap();
        assert_eq!(moved.sequence, 2);
    }

    #[test]
    fn mistakes_are_named_per_field_and_nothing_is_made() {
        let lists = ActivityLists::default();
        let p = apply_activity_form(
            &blank(),
            Typed(&pairs(&[
                ("kind", "borrel"),
                ("audience", "iedereen"),
                ("date", "30-02-2027"),
                ("starts", "14:00"),
                ("ends", "25:00"),
                ("capacity", "nul"),
                ("url", "javascript:alert(1)"),
                ("area", "atlantis"),
            ])),
            &lists,
            &["de-velden".to_string()],
            now(),
        )
        .unwrap_err();
        let fields: Vec<&str> = p.iter().map(|(f, _)| *f).collect();
        for f in [
            "kind", "title", "audience", "area", "url", "capacity", "date", "ends",
        ] {
            assert!(fields.contains(&f), "{f} in {p:?}");
        }
        let p = apply_activity_form(
            &blank(),
            Typed(&pairs(&[
                ("kind", "themabijeenkomst"),
                ("title", "Avond"),
                ("audience", "mantelzorgers"),
                ("date", "19-01-2027"),
                ("starts", "21:00"),
                ("ends", "19:00"),
                ("deadline", "20-01-2027"),
            ])),
            &lists,
            &[],
            now(),
        )
        .unwrap_err();
        assert_eq!(p, vec![("ends", Problem::EndBeforeStart)]);
        let p = apply_activity_form(
            &blank(),
            Typed(&pairs(&[
                ("kind", "themabijeenkomst"),
                ("title", "Avond"),
                ("audience", "mantelzorgers"),
                ("date", "19-01-2027"),
                ("starts", "19:00"),
                ("ends", "21:00"),
                ("deadline", "20-01-2027"),
            ])),
            &lists,
            &[],
            now(),
        )
        .unwrap_err();
        assert_eq!(p, vec![("deadline", Problem::AfterStart)]);
    }

    #[test]
    fn e_learning_has_no_date_but_a_link_and_a_list_of_dates_works() {
        let lists = ActivityLists::default();
        let e = apply_activity_form(
            &blank(),
            Typed(&pairs(&[
                ("kind", "e-learning"),
                ("title", "Mantelzorg in de huisartsenpraktijk"),
                ("audience", "poh"),
                ("audience", "doktersassistent"),
                ("url", "https://example.org/module"),
                ("points", "2"),
            ])),
            &lists,
            &[],
            now(),
        )
        .unwrap();
        assert!(e.schedule.is_none());
        assert_eq!(e.audiences, ["poh", "doktersassistent"]);
        let no_link = apply_activity_form(
            &blank(),
            Typed(&pairs(&[
                ("kind", "e-learning"),
                ("title", "X"),
                ("audience", "poh"),
            ])),
            &lists,
            &[],
            now(),
        )
        .unwrap_err();
        assert_eq!(no_link, vec![("url", Problem::Required)]);
        let network = apply_activity_form(
            &blank(),
            Typed(&pairs(&[
                ("kind", "netwerkbijeenkomst"),
                ("title", "Netwerk mantelzorg"),
                ("audience", "wijkteam"),
                ("date", "10-02-2027"),
                ("starts", "15:00"),
                ("ends", "17:00"),
                ("repeat", "datums"),
                ("dates", "12-05-2027\n\n15-09-2027\n"),
            ])),
            &lists,
            &[],
            now(),
        )
        .unwrap();
        let dates: Vec<String> = network
            .schedule
            .unwrap()
            .occurrences()
            .iter()
            .map(|o| o.start.strftime("%Y-%m-%d %H:%M").to_string())
            .collect();
        assert_eq!(
            dates,
            ["2027-02-10 15:00", "2027-05-12 15:00", "2027-09-15 15:00"]
        );
    }
}
