//! Notification mail of the verwijsroute: to a team's members when a referral arrives (sent or
//! forwarded to them) or its consent is withdrawn, and to the referrer when their referral
//! moves. A mail carries **no personal data**: only the reference (`K-2026-0042`), the team's
//! name and a link that needs signing in. A mail that cannot be sent does not undo the step:
//! it stays in the outbox and the ordinary log says so (without addresses).

use crate::mail::Mailer;
use crate::{Actor, AppResult};
use kapstok_domain::account::{Role, User};
use kapstok_domain::audit::{Action, RecordKind};
use kapstok_domain::referral::Referral;
use kapstok_store::AccountStore;
use std::sync::Arc;

/// Why a team is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamNotice {
    /// A new referral in the team's inbox (sent, forwarded, or a carer's own request).
    Arrived,
    /// The carer withdrew consent: the referral stopped and its details are gone.
    Withdrawn,
}

/// The subject and body of a mail to a team's member.
pub fn team_mail(notice: TeamNotice, reference: &str, team: &str, link: &str) -> (String, String) {
    match notice {
        TeamNotice::Arrived => (
            format!("Nieuwe verwijzing {reference} / New referral {reference}"),
            format!(
                "Er is een nieuwe verwijzing voor {team}: {reference}.\n\
                 Bekijk hem na inloggen:\n\n{link}\n\n\
                 Deze mail noemt bewust geen naam of andere gegevens van de mantelzorger.\n\n\
                 There is a new referral for {team}: {reference}. Sign in to see it (link above).\n"
            ),
        ),
        TeamNotice::Withdrawn => (
            format!("Toestemming ingetrokken: {reference} / Consent withdrawn: {reference}"),
            format!(
                "De mantelzorger heeft de toestemming voor verwijzing {reference} ({team}) ingetrokken.\n\
                 De verwijzing is gestopt en de gegevens van de mantelzorger zijn verwijderd; neem \
                 geen contact meer op over deze verwijzing.\n\n{link}\n\n\
                 The carer withdrew consent for referral {reference}: it has stopped and their \
                 details were removed. Do not contact them about it.\n"
            ),
        ),
    }
}

/// The subject and body of a mail to the referrer.
pub fn referrer_mail(reference: &str, link: &str) -> (String, String) {
    (
        format!("Uw verwijzing {reference} is bijgewerkt / Your referral {reference} was updated"),
        format!(
            "Er is iets veranderd aan uw verwijzing {reference}. Bekijk de status en de uitkomst \
             na inloggen:\n\n{link}\n\n\
             Something changed in your referral {reference}. Sign in to see its state and outcome \
             (link above).\n"
        ),
    )
}

/// The subject and body of the consent receipt mailed to the carer (their own address, given
/// with the referral): the reference, the team, the code and where to use it.
pub fn receipt_mail(reference: &str, team: &str, code: &str, link: &str) -> (String, String) {
    (
        format!("Bewijs van uw toestemming: {reference} / Your consent receipt"),
        format!(
            "U gaf toestemming dat {team} uw gegevens krijgt om contact met u op te nemen over \
             ondersteuning als mantelzorger (kenmerk {reference}).\n\n\
             Uw code: {code}\n\n\
             Met deze code ziet u wat er is gedeeld en met wie, wie uw verwijzing heeft bekeken, \
             en kunt u uw toestemming intrekken:\n\n{link}\n\n\
             Bewaar deze mail; de code staat nergens anders leesbaar.\n\n\
             You consented to {team} receiving your details to contact you about support. With \
             the code above you can see what was shared and withdraw consent (link above).\n"
        ),
    )
}

/// Sends the verwijsroute's notifications.
#[derive(Clone)]
pub struct Notifier {
    mailer: Mailer,
    public_url: Arc<String>,
    accounts: Arc<dyn AccountStore>,
}

impl Notifier {
    pub(crate) fn new(
        mailer: Mailer,
        public_url: Arc<String>,
        accounts: Arc<dyn AccountStore>,
    ) -> Notifier {
        Notifier {
            mailer,
            public_url,
            accounts,
        }
    }

    /// Tells every active teamlid of the referral's team.
    pub(crate) async fn team(&self, actor: &Actor, r: &Referral, notice: TeamNotice) {
        if let Err(e) = self.try_team(actor, r, notice).await {
            tracing::warn!(error = %e, "a team's notification was not kept");
        }
    }

    async fn try_team(&self, actor: &Actor, r: &Referral, notice: TeamNotice) -> AppResult<()> {
        let team = self
            .accounts
            .team(&r.team_id)
            .await?
            .map_or(r.team_id.clone(), |t| t.name);
        let link = format!(
            "{}/werk/teams/{}/verwijzingen/{}",
            self.public_url, r.team_id, r.id
        );
        let (subject, body) = team_mail(notice, &r.reference, &team, &link);
        let members: Vec<User> = self
            .accounts
            .users()
            .await?
            .into_iter()
            .filter(|u| {
                u.active
                    && u.memberships
                        .iter()
                        .any(|m| m.team.as_str() == r.team_id && m.role == Role::Teamlid)
            })
            .collect();
        for u in members {
            self.send(actor, &u, r, &subject, &body).await?;
        }
        Ok(())
    }

    /// Mails the carer their consent receipt, if they gave an e-mail address. The code is
    /// masked in the outbox once SMTP has taken the mail.
    pub(crate) async fn carer_receipt(&self, actor: &Actor, r: &Referral, code: &str) {
        let Some(email) = r
            .carer
            .as_ref()
            .and_then(|c| c.email.as_deref())
            .and_then(kapstok_domain::account::Email::parse)
        else {
            return;
        };
        let result = async {
            let team = self
                .accounts
                .team(&r.team_id)
                .await?
                .map_or(r.team_id.clone(), |t| t.name);
            let link = format!("{}/toestemming/{code}", self.public_url);
            let (subject, body) = receipt_mail(&r.reference, &team, code, &link);
            let mut e = actor.log_entry(None, Action::Send, RecordKind::Mail, true);
            e.record_id = Some(r.id.clone());
            e.person = Some(r.person.clone());
            self.mailer
                .send(&email, &subject, &body, Some(code), &e)
                .await?;
            AppResult::Ok(())
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "a consent receipt was not kept");
        }
    }

    /// Tells the referrer (if a professional referred) that their referral moved.
    pub(crate) async fn referrer(&self, actor: &Actor, r: &Referral) {
        let Some(referrer) = r.referrer_id.as_deref() else {
            return;
        };
        let result = async {
            let Some(u) = self.accounts.user(referrer).await? else {
                return Ok(());
            };
            if !u.active {
                return Ok(());
            }
            let link = format!("{}/werk/verwijzingen/{}", self.public_url, r.id);
            let (subject, body) = referrer_mail(&r.reference, &link);
            self.send(actor, &u, r, &subject, &body).await
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "a referrer's notification was not kept");
        }
    }

    async fn send(
        &self,
        actor: &Actor,
        to: &User,
        r: &Referral,
        subject: &str,
        body: &str,
    ) -> AppResult<()> {
        let mut e = actor.log_entry(None, Action::Send, RecordKind::Mail, true);
        e.record_id = Some(r.id.clone());
        // The mail is to a colleague and holds nothing about the carer: its person is the
        // addressee, as for every mail.
        e.person = Some(to.id.to_string());
        self.mailer.send(&to.email, subject, body, None, &e).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mails_hold_a_reference_and_a_link_only() {
        let (s, b) = team_mail(
            TeamNotice::Arrived,
            "K-2026-0042",
            "Steunpunt",
            "https://x.test/werk/teams/t/verwijzingen/r-1",
        );
        assert!(
            s.contains("K-2026-0042") && b.contains("https://x.test/werk/teams/t/verwijzingen/r-1")
        );
        let (s, b) = referrer_mail("K-2026-0042", "https://x.test/werk/verwijzingen/r-1");
        assert!(s.contains("K-2026-0042") && b.contains("/werk/verwijzingen/r-1"));
    }
}
