//! Anonymous counts kept by the guided flows: nothing about a person, only what, where and when.

/// One anonymous self-check result: which instrument and band, where (area) and when (month).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfCheckTally {
    pub instrument: String,
    pub band: String,
    pub area_code: Option<String>,
    /// `YYYY-MM`.
    pub month: String,
}

impl SelfCheckTally {
    /// The tally month of a moment, `YYYY-MM`.
    pub fn month_of(moment: time::OffsetDateTime) -> String {
        format!("{:04}-{:02}", moment.year(), moment.month() as u8)
    }
}
