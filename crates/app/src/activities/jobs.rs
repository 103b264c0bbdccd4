//! The activities' scheduled work: the reminder two days before a date, and erasing
//! participants' details a term after it (their states stay, for the counts). The server's
//! scheduler and the operator run it.

use super::letters::Letters;
use super::{key_of, place_of};
use crate::access::Actor;
use crate::{AppResult, Clock};
use kapstok_domain::activity::RegistrationState;
use kapstok_domain::audit::{Action, RecordKind};
use kapstok_domain::calendar::{SignedDuration, stored};
use kapstok_search::Catalog;
use kapstok_store::Store;
use std::sync::Arc;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Done {
    pub reminded: usize,
    pub erased: u64,
}

pub struct ActivityJobs {
    store: Arc<dyn Store>,
    actor: Actor,
    catalog: Arc<Catalog>,
    locations: Arc<super::LocationBook>,
    letters: Letters,
    clock: Clock,
    retention_days: u32,
}

impl ActivityJobs {
    pub(crate) fn grant(
        store: Arc<dyn Store>,
        actor: &Actor,
        catalog: Arc<Catalog>,
        locations: Arc<super::LocationBook>,
        letters: Letters,
        clock: Clock,
        retention_days: u32,
    ) -> Option<ActivityJobs> {
        (actor.is_scheduler() || actor.is_operator()).then(|| ActivityJobs {
            store,
            actor: actor.clone(),
            catalog,
            locations,
            letters,
            clock,
            retention_days,
        })
    }

    /// Reminds everyone with a place on a date that starts within two days (once each; not
    /// who registered within those two days: their confirmation is fresh), and erases the
    /// details of dates that ended more than the term ago.
    pub async fn run(&self) -> AppResult<Done> {
        let now = self.clock.now();
        let two_days = SignedDuration::from_hours(48);
        let term = SignedDuration::from_hours(24 * i64::from(self.retention_days));
        let mut done = Done::default();
        for a in self.store.activities().await? {
            let Some(s) = a.schedule.as_ref() else {
                // E-learning has no date: a registration's details go a term after it was made.
                let mut log =
                    self.actor
                        .log_entry(None, Action::Change, RecordKind::Registration, true);
                log.record_id = Some(format!("{}/ erased", a.id));
                let before = stored(now.checked_sub(term).unwrap_or(now));
                done.erased += self
                    .store
                    .erase_registrations(&a.id, "", Some(&before), &log)
                    .await?;
                continue;
            };
            for o in s.occurrences() {
                let key = key_of(&o);
                let starts = o.starts_at();
                let ends = o.end.timestamp();
                let soon = now.checked_add(two_days).unwrap_or(now);
                if a.published && !o.cancelled && starts > now && starts <= soon {
                    let window = stored(starts.checked_sub(two_days).unwrap_or(starts));
                    for r in self.store.registrations(&a.id, &key).await? {
                        if r.state != RegistrationState::Place
                            || r.created_at >= window
                            || r.email.is_none()
                        {
                            continue;
                        }
                        if self.store.mark_reminded(&r.id, &stored(now)).await? {
                            let place = place_of(&a, &self.catalog, &self.locations);
                            self.letters
                                .reminder(&self.actor, &a, &o, place.as_deref(), &r)
                                .await?;
                            done.reminded += 1;
                        }
                    }
                }
                if ends.checked_add(term).is_ok_and(|t| t < now) {
                    let mut log =
                        self.actor
                            .log_entry(None, Action::Change, RecordKind::Registration, true);
                    log.record_id = Some(format!("{}/{key} erased", a.id));
                    done.erased += self
                        .store
                        .erase_registrations(&a.id, &key, None, &log)
                        .await?;
                }
            }
        }
        Ok(done)
    }
}
