//! The verwijsroute's service level: a team acknowledges (takes on, turns down or passes on) a
//! referral within a number of working days, counted in Europe/Amsterdam, without weekends and
//! public holidays (data: `defaults/feestdagen.toml`). A referral still waiting after that is
//! overdue.
//!
//! The term ends at the end of the n-th working day after the day the referral arrived (that
//! day itself does not count): sent on Monday at any hour, with two working days, it is due by
//! the end of Wednesday; sent on Friday or Saturday, by the end of Tuesday.

use crate::calendar::zone;
use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Working days: every Monday to Friday that is not a public holiday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingDays {
    holidays: BTreeMap<Date, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayFile {
    day: Vec<HolidayRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayRow {
    date: String,
    name: String,
}

impl WorkingDays {
    /// Reads a holiday file; a mistake is named with the file and the day.
    pub fn parse(name: &str, text: &str) -> Result<WorkingDays, String> {
        let file: HolidayFile =
            toml::from_str(text).map_err(|e| format!("{name}: {}", e.message()))?;
        let mut holidays = BTreeMap::new();
        for row in file.day {
            let date: Date = row
                .date
                .parse()
                .map_err(|_| format!("{name}: {:?} is not a date (YYYY-MM-DD)", row.date))?;
            if row.name.trim().is_empty() {
                return Err(format!("{name}: {} has no name", row.date));
            }
            if holidays.insert(date, row.name).is_some() {
                return Err(format!("{name}: {} appears twice", row.date));
            }
        }
        if holidays.is_empty() {
            return Err(format!("{name}: no days"));
        }
        Ok(WorkingDays { holidays })
    }

    pub fn is_working_day(&self, d: Date) -> bool {
        !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
            && !self.holidays.contains_key(&d)
    }

    /// The holiday's name, if `d` is one.
    pub fn holiday(&self, d: Date) -> Option<&str> {
        self.holidays.get(&d).map(String::as_str)
    }

    /// The last year the data has holidays for (later years count weekends only).
    pub fn last_year(&self) -> i16 {
        self.holidays.keys().next_back().map_or(0, |d| d.year())
    }

    /// The `n`-th working day after `d` (`d` itself does not count).
    pub fn nth_after(&self, d: Date, n: u32) -> Date {
        let mut day = d;
        let mut left = n;
        while left > 0 {
            day = day.tomorrow().unwrap_or(day);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// When a referral that arrived at `sent` must be acknowledged: the start (local midnight)
    /// of the day after the `n`-th working day after its local day.
    pub fn due(&self, sent: Timestamp, n: u32) -> Timestamp {
        let day = sent.to_zoned(zone()).date();
        self.due_for_day(day, n)
    }

    fn due_for_day(&self, day: Date, n: u32) -> Timestamp {
        let last = self.nth_after(day, n);
        let next = last.tomorrow().unwrap_or(last);
        next.to_zoned(zone())
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::MAX)
    }

    /// Whether a referral that arrived at `sent` and is still not acknowledged is overdue `now`.
    pub fn is_overdue(&self, sent: Timestamp, now: Timestamp, n: u32) -> bool {
        now >= self.due(sent, n)
    }

    /// The instant before which every referral still waiting is overdue `now` (those sent
    /// from it on are not yet): for listing the overdue ones with one comparison.
    pub fn overdue_before(&self, now: Timestamp, n: u32) -> Timestamp {
        // The latest day whose term has ended; terms only grow later with the day, so every day
        // up to it is overdue and none after. A term is at most a few weeks: the walk is short.
        let mut day = now.to_zoned(zone()).date();
        for _ in 0..400 {
            if self.due_for_day(day, n) <= now {
                let next = day.tomorrow().unwrap_or(day);
                return next
                    .to_zoned(zone())
                    .map(|z| z.timestamp())
                    .unwrap_or(Timestamp::MIN);
            }
            day = day.yesterday().unwrap_or(day);
        }
        Timestamp::MIN
    }
}

impl Default for WorkingDays {
    fn default() -> Self {
        WorkingDays::parse(
            "defaults/feestdagen.toml",
            include_str!("../defaults/feestdagen.toml"),
        )
        .expect("the shipped holidays are valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn the_shipped_holidays_are_the_termijnenwet_days() {
        let w = WorkingDays::default();
        assert_eq!(w.holiday(date("2026-04-06")), Some("Tweede Paasdag"));
        assert_eq!(w.holiday(date("2026-05-14")), Some("Hemelvaartsdag"));
        assert_eq!(w.holiday(date("2026-05-25")), Some("Tweede Pinksterdag"));
        assert_eq!(w.holiday(date("2026-04-27")), Some("Koningsdag"));
        // 27 April 2025 was a Sunday: Koningsdag was on the Saturday.
        assert_eq!(w.holiday(date("2025-04-26")), Some("Koningsdag"));
        assert_eq!(
            w.holiday(date("2026-04-03")),
            None,
            "Goede Vrijdag is not one"
        );
        assert!(w.last_year() >= 2030);
        assert!(WorkingDays::parse("x", "[[day]]\ndate = \"2026-13-01\"\nname = \"X\"\n").is_err());
        assert!(
            WorkingDays::parse(
                "x",
                "[[day]]\ndate = \"2026-01-01\"\nname = \"X\"\n[[day]]\ndate = \"2026-01-01\"\nname = \"Y\"\n"
            )
            .unwrap_err()
            .contains("twice")
        );
        assert!(WorkingDays::parse("x", "day = []").is_err());
    }

    #[test]
    fn two_working_days_skip_weekends_and_holidays() {
        let w = WorkingDays::default();
        // Monday 30 November 2026 → due by the end of Wednesday.
        assert_eq!(w.nth_after(date("2026-11-30"), 2), date("2026-12-02"));
        // Friday → Tuesday; Saturday and Sunday too.
        for d in ["2026-12-04", "2026-12-05", "2026-12-06"] {
            assert_eq!(w.nth_after(date(d), 2), date("2026-12-08"), "{d}");
        }
        // Christmas: Thursday 24 December 2026 → Friday 25 and Saturday 26 are off, Monday 28
        // and Tuesday 29 count.
        assert_eq!(w.nth_after(date("2026-12-24"), 2), date("2026-12-29"));
        // Easter 2026: Thursday 2 April → Friday 3 counts (Goede Vrijdag), Monday 6 does not.
        assert_eq!(w.nth_after(date("2026-04-02"), 2), date("2026-04-07"));
        // Ascension Day (Thursday 14 May 2026): sent Wednesday → Friday 15, Monday 18.
        assert_eq!(w.nth_after(date("2026-05-13"), 2), date("2026-05-18"));
    }

    #[test]
    fn due_at_local_midnight_across_daylight_saving() {
        let w = WorkingDays::default();
        // Sent Monday 10:00 CET (09:00 UTC) → due Thursday 00:00 CET = Wednesday 23:00 UTC.
        assert_eq!(
            w.due(ts("2026-11-30T09:00:00Z"), 2),
            ts("2026-12-02T23:00:00Z")
        );
        // Sent late on Monday 23:30 CET (22:30 UTC) is still Monday.
        assert_eq!(
            w.due(ts("2026-11-30T22:30:00Z"), 2),
            ts("2026-12-02T23:00:00Z")
        );
        // 23:30 UTC on Monday is already Tuesday 00:30 CET: due a day later.
        assert_eq!(
            w.due(ts("2026-11-30T23:30:00Z"), 2),
            ts("2026-12-03T23:00:00Z")
        );
        // Sent Friday 23 October 2026 (CEST): due by the end of Tuesday 27, after the clocks
        // went back on Sunday 25: midnight CET is 23:00 UTC.
        assert_eq!(
            w.due(ts("2026-10-23T08:00:00Z"), 2),
            ts("2026-10-27T23:00:00Z")
        );
        // Sent Friday 27 March 2026 (CET): due at the end of Tuesday 31 March, CEST by then.
        assert_eq!(
            w.due(ts("2026-03-27T08:00:00Z"), 2),
            ts("2026-03-31T22:00:00Z")
        );
    }

    #[test]
    fn overdue_is_one_comparison_with_the_cutoff() {
        let w = WorkingDays::default();
        // Every hour over three weeks around Christmas, sent × now on a coarse grid: the cutoff
        // says the same as the rule.
        let start = ts("2026-12-14T00:00:00Z");
        for now_h in (0..24 * 21).step_by(5) {
            let now = start + jiff::SignedDuration::from_hours(now_h);
            let cutoff = w.overdue_before(now, 2);
            for sent_h in (0..=now_h).step_by(7) {
                let sent = start + jiff::SignedDuration::from_hours(sent_h);
                assert_eq!(
                    w.is_overdue(sent, now, 2),
                    sent < cutoff,
                    "sent {sent}, now {now}, cutoff {cutoff}"
                );
            }
        }
    }
}
