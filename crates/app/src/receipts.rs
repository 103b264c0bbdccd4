//! The carer's side of consent: with the code on their receipt anyone holding it (the carer)
//! sees what was shared with which team, where each task stands and who looked at it, and can
//! withdraw consent. And the team's side of the carer's right of access: the list of everyone who
//! viewed or changed the referral, from the access log, for the carer.

use crate::notify::{Notifier, TeamNotice};
use crate::referrals::TeamInbox;
use crate::{Actor, AppResult, Audited};
use kapstok_domain::audit::{Action, Entry, NewEntry, RecordKind, timestamp};
use kapstok_domain::referral::Referral;
use kapstok_store::{AccountStore, AuditStore, LogFilter, Receipt, ReferralStore, Store};
use std::sync::Arc;

/// The role an entry names when the carer acted through their receipt's code.
pub const CARER_ROLE: &str = "mantelzorger";

/// Most access-log entries one report lists (a referral is looked at tens of times, not more).
const MAX_ENTRIES: usize = 2_000;

/// A receipt's code as typed: lower case, spaces and dashes left out; `None` if it cannot be
/// one (ten hexadecimal characters).
pub fn normalise_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    (code.len() == 10 && code.bytes().all(|b| b.is_ascii_hexdigit())).then_some(code)
}

/// One line of an access report: who did what when, in which role and team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessLine {
    pub at: String,
    /// The user's name; `None` for the carer themselves (through the code) or the system.
    pub who: Option<String>,
    pub role: Option<String>,
    pub team: Option<String>,
    pub action: Action,
    /// Which task (its reference).
    pub reference: Option<String>,
    pub permitted: bool,
}

/// Everyone who viewed or changed a carer's referral, oldest first.
#[derive(Debug, Clone)]
pub struct AccessReport {
    pub referrals: Vec<Referral>,
    pub lines: Vec<AccessLine>,
    /// The log had more entries than one report lists.
    pub cut: bool,
}

async fn report(
    referrals: Vec<Referral>,
    person: &str,
    audit: &dyn AuditStore,
    accounts: &dyn AccountStore,
) -> AppResult<AccessReport> {
    let filter = LogFilter {
        person: Some(person.to_string()),
        ..LogFilter::default()
    };
    let (mut entries, total): (Vec<Entry>, usize) = audit.entries(&filter, 0, MAX_ENTRIES).await?;
    entries.reverse();
    let users = accounts.users().await?;
    let teams = accounts.teams().await?;
    let lines = entries
        .into_iter()
        .map(|e| {
            let n = e.entry;
            AccessLine {
                who: n.user_id.as_deref().map(|u| {
                    users
                        .iter()
                        .find(|x| x.id.as_str() == u)
                        .map_or(u.to_string(), |x| x.name.clone())
                }),
                role: n.user_role,
                team: n.team_id.as_deref().map(|t| {
                    teams
                        .iter()
                        .find(|x| x.id.as_str() == t)
                        .map_or(t.to_string(), |x| x.name.clone())
                }),
                action: Action::parse(&n.action).unwrap_or(Action::View),
                reference: n.record_id.as_deref().and_then(|id| {
                    referrals
                        .iter()
                        .find(|r| r.id == id)
                        .map(|r| r.reference.clone())
                }),
                at: n.at,
                permitted: n.permitted,
            }
        })
        .collect();
    Ok(AccessReport {
        referrals,
        lines,
        cut: total > MAX_ENTRIES,
    })
}

impl TeamInbox {
    /// For the carer (their right of access): everyone who viewed or changed their referral,
    /// every team's task of it included. Producing it is logged first, as a print.
    pub async fn access_report(&self, id: &str) -> AppResult<Option<Audited<AccessReport>>> {
        let Some(r) = self.ours(id).await? else {
            return Ok(None);
        };
        let seq = self.audit.append(&self.entry(Action::Print, &r)).await?;
        let tasks = self.referrals.tasks_of(&r.person).await?;
        let report = report(
            tasks,
            &r.person,
            self.audit.as_ref(),
            self.accounts.as_ref(),
        )
        .await?;
        Ok(Some(Audited::logged(report, seq)))
    }
}

/// What a carer sees with their receipt's code.
#[derive(Debug, Clone)]
pub struct ReceiptView {
    pub receipt: Receipt,
    pub team_names: Vec<(String, String)>,
    pub access: AccessReport,
}

impl ReceiptView {
    pub fn team_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.team_names
            .iter()
            .find(|(t, _)| t == id)
            .map_or(id, |(_, n)| n.as_str())
    }

    /// Consent is withdrawn (every consent of the referral carries the date).
    pub fn withdrawn(&self) -> bool {
        !self.receipt.consents.is_empty()
            && self
                .receipt
                .consents
                .iter()
                .all(|c| c.withdrawn_at.is_some())
    }
}

/// The carer's receipt: anyone with the code.
pub struct CarerReceipts {
    actor: Actor,
    referrals: Arc<dyn ReferralStore>,
    accounts: Arc<dyn AccountStore>,
    audit: Arc<dyn AuditStore>,
    notifier: Notifier,
}

impl CarerReceipts {
    pub(crate) fn new(store: Arc<dyn Store>, actor: &Actor, notifier: Notifier) -> CarerReceipts {
        CarerReceipts {
            actor: actor.clone(),
            referrals: store.clone(),
            accounts: store.clone(),
            audit: store,
            notifier,
        }
    }

    fn entry(&self, action: Action) -> NewEntry {
        let mut e = self
            .actor
            .log_entry(None, action, RecordKind::Referral, true);
        e.user_role = Some(CARER_ROLE.into());
        e
    }

    /// What was shared with whom, where it stands, who looked; the look is logged first (one
    /// entry per task). `None` for a code that is no receipt's.
    pub async fn look(&self, code: &str) -> AppResult<Option<Audited<ReceiptView>>> {
        let hash = crate::accounts::secret_hash(code);
        let Some(receipt) = self.referrals.receipt(&hash).await? else {
            return Ok(None);
        };
        let mut seq = 0;
        for r in &receipt.referrals {
            let mut e = self.entry(Action::View);
            e.at = timestamp(time::OffsetDateTime::now_utc());
            e.record_id = Some(r.id.clone());
            e.person = Some(r.person.clone());
            seq = self.audit.append(&e).await?;
        }
        let person = receipt
            .referrals
            .first()
            .map(|r| r.person.clone())
            .unwrap_or_default();
        let access = report(
            receipt.referrals.clone(),
            &person,
            self.audit.as_ref(),
            self.accounts.as_ref(),
        )
        .await?;
        let team_names = self
            .accounts
            .teams()
            .await?
            .into_iter()
            .map(|t| (t.id.to_string(), t.name))
            .collect();
        // The carer's own details stay off this page: whoever holds the code sees what was
        // shared and with whom, not the name and number themselves.
        let mut receipt = receipt;
        for r in &mut receipt.referrals {
            r.carer = None;
        }
        Ok(Some(Audited::logged(
            ReceiptView {
                receipt,
                team_names,
                access,
            },
            seq,
        )))
    }

    /// Withdraws consent: open tasks stop, the carer's details are removed. The tasks that
    /// were open (their teams are told), or `None` for an unknown code.
    pub async fn withdraw(&self, code: &str) -> AppResult<Option<Vec<Referral>>> {
        let hash = crate::accounts::secret_hash(code);
        let at = timestamp(time::OffsetDateTime::now_utc());
        let e = self.entry(Action::Change);
        let stopped = self.referrals.withdraw_consent(&hash, &at, &e).await?;
        for r in stopped.iter().flatten() {
            self.notifier
                .team(&self.actor, r, TeamNotice::Withdrawn)
                .await;
            self.notifier.referrer(&self.actor, r).await;
        }
        Ok(stopped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_read_as_people_type_it() {
        assert_eq!(
            normalise_code("AB12 cd34-EF").as_deref(),
            Some("ab12cd34ef")
        );
        assert_eq!(normalise_code("ab12cd34e"), None);
        assert_eq!(normalise_code("ab12cd34eg"), None);
        assert_eq!(normalise_code(""), None);
    }
}
