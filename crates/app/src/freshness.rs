//! The monthly request to check: each organisation with services not confirmed as correct for
//! the term (`--check-months`, 12 by default), or never, gets one mail a month at its own
//! address, naming those services, with the link to its records (after signing in). Only the
//! social map's public data goes in it. The server runs it daily; a month's mail goes once.

use crate::mail::Mailer;
use crate::{Actor, AppResult, Clock};
use kapstok_domain::account::Email;
use kapstok_domain::audit::{Action, RecordKind};
use kapstok_domain::calendar;
use kapstok_store::Store;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Months after which a check is due unless a deployment says otherwise.
pub const DEFAULT_MONTHS: i32 = 12;

/// What one run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reminded {
    /// Organisations mailed this run.
    pub mailed: usize,
    /// Organisations with services due but no address of their own.
    pub without_address: usize,
}

/// The reminder job: the operator or the server's scheduler.
pub struct FreshnessReminder {
    actor: Actor,
    store: Arc<dyn Store>,
    mailer: Mailer,
    public_url: Arc<String>,
    clock: Clock,
    months: i32,
}

fn meta_key(org: &str) -> String {
    format!("freshness-mailed:{org}")
}

/// The mail for one organisation: subject and text.
pub fn reminder_mail(organization: &str, services: &[String], link: &str) -> (String, String) {
    let list: String = services.iter().map(|s| format!("- {s}\n")).collect();
    (
        format!("Klopt uw aanbod nog? ({organization})"),
        format!(
            "Beste {organization},\n\nMantelzorgers en hun hulpverleners vinden uw aanbod in de \
             Mantelzorgwijzer. Dit aanbod is al een tijd niet nagekeken:\n\n{list}\nWilt u het \
             nakijken? Meld u aan en open:\n{link}\n\nKlopt alles, zet dan het vinkje \"Ik heb \
             alles nagekeken\" en sla op. Klopt er iets niet, pas het aan: de redactie van het \
             steunpunt zet het op de site.\n\nMet vriendelijke groet,\nde redactie van de \
             Mantelzorgwijzer\n"
        ),
    )
}

impl FreshnessReminder {
    pub(crate) fn grant(
        store: Arc<dyn Store>,
        actor: &Actor,
        mailer: Mailer,
        public_url: Arc<String>,
        clock: Clock,
        months: i32,
    ) -> Option<FreshnessReminder> {
        (actor.is_operator() || actor.is_scheduler()).then(|| FreshnessReminder {
            actor: actor.clone(),
            store,
            mailer,
            public_url,
            clock,
            months: months.clamp(1, 120),
        })
    }

    /// Mails every organisation with services due that was not mailed this month yet.
    pub async fn run(&self) -> AppResult<Reminded> {
        let now = self.clock.now();
        let month = calendar::date_of(now)[..7].to_string();
        let cutoff = calendar::months_before(now, self.months);
        let mut due: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for l in self.store.service_lines(None).await? {
            let public = kapstok_domain::model::ServiceStatus::parse(&l.status)
                .is_some_and(|s| s.is_public());
            if public
                && l.assured_date
                    .as_deref()
                    .is_none_or(|d| d < cutoff.as_str())
            {
                due.entry(l.organization_id).or_default().push(l.name);
            }
        }
        let mut done = Reminded::default();
        for (org_id, services) in due {
            if self.store.meta(&meta_key(&org_id)).await?.as_deref() == Some(month.as_str()) {
                continue;
            }
            let Some(org) = self.store.organization(&org_id).await? else {
                continue;
            };
            let Some(to) = org.email.as_deref().and_then(Email::parse) else {
                done.without_address += 1;
                continue;
            };
            let link = format!("{}/werk/kaart", self.public_url);
            let (subject, body) = reminder_mail(&org.name, &services, &link);
            let mut log = self
                .actor
                .log_entry(None, Action::Send, RecordKind::Mail, true);
            log.at = calendar::stored(now);
            log.record_id = Some(format!("check reminder: organization {org_id}"));
            self.mailer.send(&to, &subject, &body, None, &log).await?;
            self.store.set_meta(&meta_key(&org_id), &month).await?;
            done.mailed += 1;
        }
        Ok(done)
    }
}
