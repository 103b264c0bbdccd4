//! "Klopt er iets niet?": a visitor tells the redacteuren that a service's page is wrong. No
//! personal data is asked; an e-mail address is optional and only kept to send the answer (it
//! goes when the report is closed). Against spam, without third-party services: the web layer
//! has a honeypot field and a per-address budget, and here the form's stamp shows when it was
//! shown, so a form sent back within seconds, or days later, is refused.

use crate::editing::MapReview;
use crate::{Actor, AppResult, Clock};
use kapstok_domain::account::Email;
use kapstok_domain::audit::{Action, RecordKind};
use kapstok_domain::calendar;
use kapstok_search::Catalog;
use kapstok_store::{Correction, NewCorrection, Store};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Longest report.
pub const MAX_MESSAGE: usize = 1000;
/// Fewer seconds than this between showing and sending the form: a script, not a person.
pub const MIN_SECONDS: i64 = 3;
/// A form older than this is shown again to be sent anew.
pub const MAX_SECONDS: i64 = 24 * 3600;

/// What is wrong with a report (nothing was kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrectionProblem {
    NoMessage,
    TooLong,
    Email,
    /// A citizen service number in the text: never kept.
    Bsn,
    /// Sent too fast after the form was shown, or with a stamp that is not ours.
    TooFast,
    /// The form was shown too long ago (or before the server restarted).
    Expired,
}

/// The secret the form stamps are signed with: made when the application starts.
#[derive(Clone)]
pub struct StampKey(Arc<Vec<u8>>);

impl StampKey {
    pub(crate) fn new() -> StampKey {
        StampKey(Arc::new(crate::accounts::random_hex(32).into_bytes()))
    }

    fn sign(&self, at: i64) -> String {
        let mut h = Sha256::new();
        h.update(self.0.as_slice());
        h.update(at.to_be_bytes());
        let d = h.finalize();
        d.iter().take(12).map(|b| format!("{b:02x}")).collect()
    }
}

/// Reporting what is wrong on a public service's page: anyone.
pub struct CorrectionDesk {
    actor: Actor,
    store: Arc<dyn Store>,
    catalog: Arc<Catalog>,
    clock: Clock,
    key: StampKey,
}

fn unix(clock: &Clock) -> i64 {
    clock.now().as_second()
}

impl CorrectionDesk {
    pub(crate) fn new(
        actor: &Actor,
        store: Arc<dyn Store>,
        catalog: Arc<Catalog>,
        clock: Clock,
        key: StampKey,
    ) -> CorrectionDesk {
        CorrectionDesk {
            actor: actor.clone(),
            store,
            catalog,
            clock,
            key,
        }
    }

    /// The stamp for a form shown now.
    pub fn stamp(&self) -> String {
        let at = unix(&self.clock);
        format!("{at}.{}", self.key.sign(at))
    }

    fn check_stamp(&self, stamp: &str) -> Result<(), CorrectionProblem> {
        let (at, sig) = stamp.split_once('.').ok_or(CorrectionProblem::TooFast)?;
        let at: i64 = at.parse().map_err(|_| CorrectionProblem::TooFast)?;
        if self.key.sign(at) != sig {
            return Err(CorrectionProblem::Expired);
        }
        let age = unix(&self.clock) - at;
        if age < MIN_SECONDS {
            return Err(CorrectionProblem::TooFast);
        }
        if age > MAX_SECONDS {
            return Err(CorrectionProblem::Expired);
        }
        Ok(())
    }

    /// The public service a report is about.
    pub fn service_name(&self, id: &str) -> Option<String> {
        self.catalog.records.service(id).map(|s| s.name)
    }

    /// Keeps a report about public service `service_id`. `Ok(None)`: no such public service.
    pub async fn report(
        &self,
        service_id: &str,
        message: &str,
        email: Option<&str>,
        stamp: &str,
    ) -> AppResult<Option<Result<(), CorrectionProblem>>> {
        if self.service_name(service_id).is_none() {
            return Ok(None);
        }
        let message = message.trim();
        let email = email.map(str::trim).filter(|e| !e.is_empty());
        let checked = (|| {
            if message.is_empty() {
                return Err(CorrectionProblem::NoMessage);
            }
            if message.chars().count() > MAX_MESSAGE {
                return Err(CorrectionProblem::TooLong);
            }
            if kapstok_domain::referral::find_bsn(message).is_some() {
                return Err(CorrectionProblem::Bsn);
            }
            let email = match email {
                Some(e) => Some(Email::parse(e).ok_or(CorrectionProblem::Email)?),
                None => None,
            };
            self.check_stamp(stamp)?;
            Ok(email)
        })();
        let email = match checked {
            Ok(e) => e,
            Err(p) => return Ok(Some(Err(p))),
        };
        let id = format!("m-{}", crate::accounts::random_hex(8));
        let mut log = self
            .actor
            .log_entry(None, Action::Create, RecordKind::Correction, true);
        log.at = calendar::stored(self.clock.now());
        log.record_id = Some(format!("{id} about service: {service_id}"));
        let c = NewCorrection {
            id,
            service_id: service_id.to_string(),
            at: calendar::stored(self.clock.now()),
            message: message.to_string(),
            email: email.map(|e| e.as_str().to_string()),
        };
        self.store.report_correction(&c, &log).await?;
        Ok(Some(Ok(())))
    }
}

/// A report as the queue shows it: whether an answer can be sent, never the address itself.
#[derive(Debug, Clone)]
pub struct CorrectionLine {
    pub correction: Correction,
    pub service_name: String,
}

/// What answering did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    /// Closed; the answer was mailed (or kept in the outbox) when an address was given.
    Closed {
        mailed: bool,
    },
    NotOpen,
}

impl MapReview {
    async fn line(&self, c: Correction) -> AppResult<CorrectionLine> {
        let service_name = self
            .editor()
            .store
            .service(&c.service_id)
            .await?
            .map_or_else(|| c.service_id.clone(), |s| s.name);
        Ok(CorrectionLine {
            correction: c,
            service_name,
        })
    }

    /// Reports, the open ones (or all) oldest first. The addresses are left out.
    pub async fn corrections(&self, open_only: bool) -> AppResult<Vec<CorrectionLine>> {
        let mut out = Vec::new();
        for mut c in self.editor().store.corrections(open_only).await? {
            c.email = c.email.map(|_| String::new());
            out.push(self.line(c).await?);
        }
        Ok(out)
    }

    /// One report, its address left out (whether there is one shows as `Some("")`).
    pub async fn correction(&self, id: &str) -> AppResult<Option<CorrectionLine>> {
        match self.editor().store.correction(id).await? {
            Some(mut c) => {
                c.email = c.email.map(|_| String::new());
                Ok(Some(self.line(c).await?))
            }
            None => Ok(None),
        }
    }

    /// Closes a report; with an answer and an address, mails the answer first. The address is
    /// used here only, and removed with the closing.
    pub async fn answer(&self, id: &str, answer: Option<&str>) -> AppResult<Option<Answered>> {
        let e = self.editor();
        let Some(c) = e.store.correction(id).await? else {
            return Ok(None);
        };
        if !c.open {
            return Ok(Some(Answered::NotOpen));
        }
        let answer = answer
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| a.chars().take(2000).collect::<String>());
        let by = e
            .actor
            .signed_in()
            .map(|u| u.id.to_string())
            .unwrap_or_default();
        let mut log = e.actor.log_entry(
            Some(&e.membership),
            Action::Change,
            RecordKind::Correction,
            true,
        );
        log.at = calendar::stored(e.clock.now());
        log.record_id = Some(c.id.clone());
        let mut mailed = false;
        if let (Some(text), Some(to)) = (&answer, c.email.as_deref().and_then(Email::parse)) {
            let name = self.line(c.clone()).await?.service_name;
            let subject = format!("Uw melding over {name}");
            let body = format!(
                "Beste bezoeker,\n\nU meldde dat er iets niet klopte op de pagina over {name}:\n\n\
                 \"{}\"\n\nOns antwoord:\n\n{text}\n\nMet vriendelijke groet,\nde redactie van de Mantelzorgwijzer\n\n\
                 Uw e-mailadres is na dit antwoord gewist.\n",
                c.message
            );
            let mut mail_log = log.clone();
            mail_log.action = Action::Send.code().into();
            mail_log.record_kind = RecordKind::Mail.code().into();
            e.app
                .mailer
                .send(&to, &subject, &body, None, &mail_log)
                .await?;
            mailed = true;
        }
        let done = e
            .store
            .close_correction(id, answer.as_deref(), &by, &e.now(), &log)
            .await?;
        Ok(Some(if done {
            Answered::Closed { mailed }
        } else {
            Answered::NotOpen
        }))
    }
}
