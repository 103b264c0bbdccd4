//! Retention of the verwijsroute: a referral closed (in a final state) longer ago than the
//! term is anonymised — the carer's details, the team's notes and a representative's name go;
//! area, reason, outcome, dates and the history stay for the municipality's figures. The server
//! runs it on start and every hour; the term is `--referral-retention-days` (default 365).

use crate::{Actor, AppResult, Clock};
use kapstok_domain::audit::{Action, RecordKind};
use kapstok_domain::calendar::{SignedDuration, stored};
use kapstok_store::{ReferralStore, Store};
use std::sync::Arc;

/// Days a closed referral keeps its personal details unless a deployment says otherwise.
pub const DEFAULT_DAYS: u32 = 365;

/// Referrals anonymised per transaction.
const BATCH: usize = 500;

/// The retention job: the operator or the server's scheduler.
pub struct ReferralRetention {
    actor: Actor,
    referrals: Arc<dyn ReferralStore>,
    clock: Clock,
    days: u32,
}

impl ReferralRetention {
    pub(crate) fn grant(
        store: Arc<dyn Store>,
        actor: &Actor,
        clock: Clock,
        days: u32,
    ) -> Option<ReferralRetention> {
        (actor.is_operator() || actor.is_scheduler()).then(|| ReferralRetention {
            actor: actor.clone(),
            referrals: store,
            clock,
            days,
        })
    }

    /// Anonymises every referral closed before now minus the term; how many.
    pub async fn run(&self) -> AppResult<usize> {
        let now = self.clock.now();
        let before = stored(now - SignedDuration::from_hours(24 * i64::from(self.days)));
        let at = stored(now);
        let mut total = 0;
        loop {
            let e = self
                .actor
                .log_entry(None, Action::Change, RecordKind::Referral, true);
            let done = self
                .referrals
                .anonymise_closed(&before, &at, BATCH, &e)
                .await?;
            total += done.len();
            if done.len() < BATCH {
                return Ok(total);
            }
        }
    }
}
