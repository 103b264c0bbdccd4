//! The referral figures' rules, apart from storage: what counts as the first acknowledgement
//! and as closing, when a referral is on time or late, and the order statistics (median, 90th
//! percentile) the municipality sees per area.
//!
//! - **First acknowledgement**: the team takes the referral on (`accepted_at`), or closes it
//!   from the start by turning it down or passing it on (its `closed_at`). A referral the
//!   referrer or the carer withdrew before anyone acknowledged it has none.
//! - **Closing**: the moment an acknowledged referral reached a final state.
//! - **On time / late**: acknowledged before the end of the term (`service_level`), or not; a
//!   referral still waiting is late once its term has passed, on time until then.

use crate::referral::{FORWARDED, State};
use jiff::Timestamp;

/// Where a referral stands against the term to acknowledge it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    OnTime,
    Late,
    /// Withdrawn (or entered in error) before anyone acknowledged it: neither.
    None,
}

impl Term {
    pub const ALL: [Term; 3] = [Term::OnTime, Term::Late, Term::None];

    pub fn code(self) -> &'static str {
        match self {
            Term::OnTime => "op-tijd",
            Term::Late => "te-laat",
            Term::None => "niet-opgepakt",
        }
    }
}

/// When a referral was first acknowledged, if it was.
pub fn acknowledged(
    state: State,
    outcome: Option<&str>,
    accepted: Option<Timestamp>,
    closed: Option<Timestamp>,
) -> Option<Timestamp> {
    if accepted.is_some() {
        return accepted;
    }
    match state {
        State::Rejected | State::Completed | State::Failed => closed,
        _ if outcome == Some(FORWARDED) => closed,
        _ => None,
    }
}

/// Whole minutes from `from` to `to` (0 if `to` is earlier).
pub fn minutes_between(from: Timestamp, to: Timestamp) -> u32 {
    let secs = to.as_second().saturating_sub(from.as_second()).max(0);
    u32::try_from(secs / 60).unwrap_or(u32::MAX)
}

/// The `p`-th percentile (nearest rank: the smallest value with at least `p` % of the values
/// at or below it) of `values`, reordering them; `None` for no values.
pub fn percentile(values: &mut [u32], p: u32) -> Option<u32> {
    if values.is_empty() {
        return None;
    }
    let n = values.len();
    let rank = (n * p.min(100) as usize).div_ceil(100).max(1);
    let (_, v, _) = values.select_nth_unstable(rank - 1);
    Some(*v)
}

/// Median and 90th percentile of a group of durations (minutes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spread {
    pub n: u64,
    pub median: u32,
    pub p90: u32,
}

/// What a group of durations shows: nothing when it is empty, only "too few" when it has
/// fewer than `threshold` (an order statistic of two or three people tells about them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durations {
    Empty,
    Small,
    Shown(Spread),
}

pub fn durations(values: &mut [u32], threshold: u64) -> Durations {
    let n = values.len() as u64;
    if n == 0 {
        return Durations::Empty;
    }
    if n < threshold.max(2) {
        return Durations::Small;
    }
    let median = percentile(values, 50).unwrap_or(0);
    let p90 = percentile(values, 90).unwrap_or(0);
    Durations::Shown(Spread { n, median, p90 })
}

/// Minutes as days with one decimal, Dutch style (`1,5`).
pub fn days_text(minutes: u32) -> String {
    let tenths = (u64::from(minutes) * 10 + 720) / 1440;
    format!("{},{}", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_first_acknowledgement_is_taking_on_or_closing_from_the_start() {
        let a = Some(at("2026-03-02T10:00:00Z"));
        let c = Some(at("2026-03-09T10:00:00Z"));
        assert_eq!(acknowledged(State::Completed, Some("x"), a, c), a);
        assert_eq!(acknowledged(State::Rejected, None, None, c), c);
        assert_eq!(acknowledged(State::Completed, Some(FORWARDED), None, c), c);
        assert_eq!(acknowledged(State::Cancelled, None, None, c), None);
        assert_eq!(acknowledged(State::EnteredInError, None, None, c), None);
        assert_eq!(acknowledged(State::Requested, None, None, None), None);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut v = vec![5, 1, 4, 2, 3];
        assert_eq!(percentile(&mut v, 50), Some(3));
        assert_eq!(percentile(&mut v, 90), Some(5));
        let mut v: Vec<u32> = (1..=10).collect();
        assert_eq!(percentile(&mut v, 50), Some(5));
        assert_eq!(percentile(&mut v, 90), Some(9));
        assert_eq!(percentile(&mut [], 50), None);
        assert_eq!(durations(&mut [1, 2, 3, 4], 5), Durations::Small);
        assert_eq!(durations(&mut [], 5), Durations::Empty);
        assert_eq!(days_text(36 * 60), "1,5");
        assert_eq!(days_text(0), "0,0");
        assert_eq!(
            minutes_between(at("2026-01-02T00:00:00Z"), at("2026-01-01T00:00:00Z")),
            0
        );
    }

    proptest! {
        /// Against sorting: the value at rank ⌈p·n/100⌉.
        #[test]
        fn a_percentile_is_the_sorted_value_at_its_rank(mut v in prop::collection::vec(0u32..1000, 1..60), p in 1u32..=100) {
            let mut sorted = v.clone();
            sorted.sort_unstable();
            let rank = (v.len() * p as usize).div_ceil(100).max(1);
            let got = percentile(&mut v, p).unwrap();
            prop_assert_eq!(got, sorted[rank - 1]);
            // At least p % at or below it, and fewer than p % strictly below it.
            let at_or_below = sorted.iter().filter(|x| **x <= got).count();
            let below = sorted.iter().filter(|x| **x < got).count();
            prop_assert!(at_or_below * 100 >= p as usize * sorted.len());
            prop_assert!(below * 100 < p as usize * sorted.len());
        }
    }
}
