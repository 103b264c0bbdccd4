//! Time as people here read it: Europe/Amsterdam, across daylight-saving changes (from the
//! bundled tz database).

use jiff::tz::TimeZone;
pub use jiff::{SignedDuration, Timestamp};

/// The municipality's time zone.
pub fn zone() -> TimeZone {
    TimeZone::get("Europe/Amsterdam").expect("the bundled tz database has Europe/Amsterdam")
}

/// A stored UTC timestamp (`2026-12-02T09:00:00.000Z`) as local date and time
/// (`2026-12-02 10:00`); what cannot be read is shown as it is.
pub fn local(ts: &str) -> String {
    match ts.parse::<Timestamp>() {
        Ok(t) => t.to_zoned(zone()).strftime("%Y-%m-%d %H:%M").to_string(),
        Err(_) => ts.to_string(),
    }
}

/// Only the local date (`2026-12-02`).
pub fn local_date(ts: &str) -> String {
    match ts.parse::<Timestamp>() {
        Ok(t) => t.to_zoned(zone()).strftime("%Y-%m-%d").to_string(),
        Err(_) => ts.get(..10).unwrap_or(ts).to_string(),
    }
}

/// An instant in the stored form (`2026-12-02T09:00:00.000Z`, as `audit::timestamp`), so that
/// stored times compare with it as text.
pub fn stored(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The local date of `t` (`2026-12-02`), as `assured_date` holds it.
pub fn date_of(t: Timestamp) -> String {
    t.to_zoned(zone()).strftime("%Y-%m-%d").to_string()
}

/// The local date `months` before `t`'s (the end of a shorter month when the day is missing).
pub fn months_before(t: Timestamp, months: i32) -> String {
    let d = t.to_zoned(zone()).date();
    d.checked_sub(jiff::Span::new().months(i64::from(months)))
        .unwrap_or(d)
        .strftime("%Y-%m-%d")
        .to_string()
}

/// A stored timestamp read back; `None` if it is not one.
pub fn parse_stored(ts: &str) -> Option<Timestamp> {
    ts.parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn months_before_keeps_to_the_calendar() {
        let t: super::Timestamp = "2026-03-31T12:00:00Z".parse().unwrap();
        assert_eq!(super::date_of(t), "2026-03-31");
        assert_eq!(super::months_before(t, 12), "2025-03-31");
        assert_eq!(super::months_before(t, 1), "2026-02-28");
    }
    use super::*;

    #[test]
    fn the_stored_form_is_the_logs() {
        let t: Timestamp = "2026-12-02T09:00:00Z".parse().unwrap();
        assert_eq!(stored(t), "2026-12-02T09:00:00.000Z");
        let now = time::OffsetDateTime::now_utc();
        let text = crate::audit::timestamp(now);
        assert_eq!(stored(parse_stored(&text).unwrap()), text);
    }

    #[test]
    fn winter_and_summer_time() {
        assert_eq!(local("2026-12-02T09:00:00.000Z"), "2026-12-02 10:00");
        assert_eq!(local("2026-07-01T09:00:00.000Z"), "2026-07-01 11:00");
        // The night the clocks go back: 01:30 UTC is 02:30 CET, 00:30 UTC was 02:30 CEST.
        assert_eq!(local("2026-10-25T00:30:00Z"), "2026-10-25 02:30");
        assert_eq!(local("2026-10-25T01:30:00Z"), "2026-10-25 02:30");
        assert_eq!(local_date("2026-12-31T23:30:00.000Z"), "2027-01-01");
        assert_eq!(local("geen tijd"), "geen tijd");
    }
}
