//! Activities as iCalendar (RFC 5545): the feeds calendar clients subscribe to and the file a
//! confirmation mail carries. One event per date, its UID made of the activity's id and the
//! date's original start (stable across edits and moves), SEQUENCE from the activity (raised
//! when what a calendar shows changed), a cancelled date as `STATUS:CANCELLED`; times local with
//! `TZID=Europe/Amsterdam` and the zone's VTIMEZONE, so clients agree across DST.

use ics::components::Parameter;
use ics::properties::{
    Description, DtEnd, DtStart, LastModified, Location, Method, RRule, Sequence, Status, Summary,
    TzName, URL,
};
use ics::{Daylight, Event, ICalendar, Standard, TimeZone, escape_text};
use jiff::Timestamp;
use kapstok_domain::activity::{Activity, Occurrence};

pub const TZID: &str = "Europe/Amsterdam";

/// The rules of Europe/Amsterdam since 1996 (EU summer time: last Sunday of March to the last
/// Sunday of October).
fn amsterdam() -> TimeZone<'static> {
    let mut summer = Daylight::new("19810329T020000", "+0100", "+0200");
    summer.push(TzName::new("CEST"));
    summer.push(RRule::new("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"));
    let mut winter = Standard::new("19961027T030000", "+0200", "+0100");
    winter.push(TzName::new("CET"));
    winter.push(RRule::new("FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"));
    let mut tz = TimeZone::daylight(TZID, summer);
    tz.add_standard(winter);
    tz
}

fn utc(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

fn local(z: &jiff::Zoned) -> String {
    z.strftime("%Y%m%dT%H%M%S").to_string()
}

/// The UID of one date of an activity.
pub fn uid(activity_id: &str, o: &Occurrence) -> String {
    format!("{activity_id}-{}@kapstok", o.key.strftime("%Y%m%dT%H%M"))
}

/// What a feed shows of one date.
pub struct Item<'a> {
    pub activity: &'a Activity,
    pub occurrence: &'a Occurrence,
    /// The activity's public page.
    pub url: String,
    /// Where it is, as people read it.
    pub place: Option<String>,
}

fn event(item: &Item, stamp: &str) -> Event<'static> {
    let a = item.activity;
    let o = item.occurrence;
    let mut e = Event::new(uid(&a.id, o), stamp.to_string());
    let mut start = DtStart::new(local(&o.start));
    start.add(Parameter::new("TZID", TZID));
    e.push(start);
    let mut end = DtEnd::new(local(&o.end));
    end.add(Parameter::new("TZID", TZID));
    e.push(end);
    e.push(Summary::new(escape_text(a.title.clone()).into_owned()));
    if !a.description.is_empty() {
        e.push(Description::new(
            escape_text(format!("{}\n\n{}", a.description, item.url)).into_owned(),
        ));
    }
    if let Some(p) = &item.place {
        e.push(Location::new(escape_text(p.clone()).into_owned()));
    }
    e.push(URL::new(item.url.clone()));
    e.push(Sequence::new(a.sequence.to_string()));
    if let Ok(t) = a.updated_at.parse::<Timestamp>() {
        e.push(LastModified::new(utc(t)));
    }
    e.push(Status::new(if o.cancelled || !a.published {
        "CANCELLED"
    } else {
        "CONFIRMED"
    }));
    e
}

/// A calendar of `items` named `name` (`X-WR-CALNAME`, and RFC 7986's NAME).
pub fn calendar(name: &str, items: &[Item], now: Timestamp) -> String {
    let mut cal = ICalendar::new("2.0", "-//Kapstok//Activiteiten//NL");
    cal.push(Method::new("PUBLISH"));
    cal.push(ics::properties::CalScale::new("GREGORIAN"));
    cal.push(ics::components::Property::new(
        "X-WR-CALNAME",
        escape_text(name.to_string()).into_owned(),
    ));
    cal.push(ics::components::Property::new("X-WR-TIMEZONE", TZID));
    cal.push(ics::components::Property::new(
        "REFRESH-INTERVAL;VALUE=DURATION",
        "PT6H",
    ));
    cal.push(ics::components::Property::new("X-PUBLISHED-TTL", "PT6H"));
    cal.add_timezone(amsterdam());
    let stamp = utc(now);
    for item in items {
        cal.add_event(event(item, &stamp));
    }
    cal.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use kapstok_domain::activity::Schedule;

    #[test]
    fn a_date_has_a_stable_uid_its_zone_and_escaped_text() {
        let schedule = Schedule::once(
            date(2026, 3, 26).at(19, 30, 0, 0),
            date(2026, 3, 26).at(21, 0, 0, 0),
        )
        .unwrap();
        let a = Activity {
            id: "act-1".into(),
            kind: "mantelzorgcafe".into(),
            title: "Café; koffie, thee".into(),
            description: "Welkom".into(),
            audiences: vec!["mantelzorgers".into()],
            published: true,
            sequence: 3,
            updated_at: "2026-03-01T10:00:00.000Z".into(),
            schedule: Some(schedule.clone()),
            ..Activity::default()
        };
        let o = &schedule.occurrences()[0];
        let text = calendar(
            "Kapstok",
            &[Item {
                activity: &a,
                occurrence: o,
                url: "http://kapstok.test/activiteiten/act-1".into(),
                place: Some("Wijkcentrum, Emmen".into()),
            }],
            "2026-03-02T10:00:00Z".parse().unwrap(),
        );
        assert!(text.contains("UID:act-1-20260326T1930@kapstok"), "{text}");
        assert!(text.contains("DTSTART;TZID=Europe/Amsterdam:20260326T193000"));
        assert!(text.contains("BEGIN:VTIMEZONE"));
        assert!(text.contains("SUMMARY:Café\\; koffie\\, thee"));
        assert!(text.contains("SEQUENCE:3"));
        assert!(text.contains("STATUS:CONFIRMED"));
        assert!(text.lines().all(|l| l.len() <= 75 + 1), "lines are folded");
    }
}
