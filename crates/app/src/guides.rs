//! The guided flows' data (respite guide, self-check instruments) and the one thing they write:
//! an anonymous count.

use crate::AppResult;
use kapstok_domain::instrument::{DEFAULT_INSTRUMENT, Instrument};
use kapstok_domain::respite::{DEFAULT_GUIDE, RespiteGuide};
use kapstok_domain::tally::SelfCheckTally;
use kapstok_store::TallyStore;
use std::sync::Arc;

/// The guided flows' data: the respite guide and the self-check instruments.
#[derive(Debug)]
pub struct Guides {
    pub respite: RespiteGuide,
    pub instruments: Vec<Instrument>,
}

impl Default for Guides {
    fn default() -> Self {
        Guides {
            respite: RespiteGuide::parse("respijtwijzer.toml (ingebouwd)", DEFAULT_GUIDE)
                .expect("the shipped guide is valid"),
            instruments: vec![
                Instrument::parse("mantelzorgtest.toml (ingebouwd)", DEFAULT_INSTRUMENT)
                    .expect("the shipped check is valid"),
            ],
        }
    }
}

impl Guides {
    pub fn instrument(&self, id: &str) -> Option<&Instrument> {
        self.instruments.iter().find(|i| i.id == id)
    }
}

/// The capability to add one finished self-check to the anonymous tally. Nothing else about
/// the check (answers, postcode) reaches the store.
pub struct SelfCheckCounter {
    store: Arc<dyn TallyStore>,
}

impl SelfCheckCounter {
    pub(crate) fn new(store: Arc<dyn TallyStore>) -> Self {
        SelfCheckCounter { store }
    }

    /// Counts a result of `instrument` in `band`, in the area (if known), this month.
    pub async fn count(
        &self,
        instrument: &str,
        band: &str,
        area_code: Option<&str>,
    ) -> AppResult<()> {
        let tally = SelfCheckTally {
            instrument: instrument.to_string(),
            band: band.to_string(),
            area_code: area_code.map(str::to_owned),
            month: SelfCheckTally::month_of(time::OffsetDateTime::now_utc()),
        };
        Ok(self.store.count_self_check(&tally).await?)
    }
}
