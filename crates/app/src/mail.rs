//! Mail Kapstok sends (invitations, reset links): over SMTP when configured, and always kept in
//! the outbox, where a beheerder reads it (the embedded default has no SMTP: the outbox is then
//! the only way out). Sending and keeping write their access-log entry together.

use crate::AppResult;
use kapstok_domain::audit::NewEntry;
use kapstok_store::OutboxStore;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;

/// Where mail goes: an SMTP server, or nowhere but the outbox.
#[derive(Clone, Default)]
pub struct MailConfig {
    /// `smtp://host:25` (plain, for a local relay), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host:465` (TLS).
    pub smtp_url: Option<String>,
    /// The sender, such as `Kapstok Emmen <kapstok@emmen.nl>`.
    pub from: Option<String>,
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password in the URL.
        f.debug_struct("MailConfig")
            .field("smtp", &self.smtp_url.as_ref().map(|_| "…"))
            .field("from", &self.from)
            .finish()
    }
}

/// A configuration that cannot work, said at start.
#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    #[error(
        "KAPSTOK_SMTP_URL is geen bruikbaar SMTP-adres (smtp://server:poort of smtps://gebruiker:wachtwoord@server)"
    )]
    Url,
    #[error("KAPSTOK_MAIL_FROM is geen afzender (zoals: Kapstok <kapstok@gemeente.nl>)")]
    From,
}

/// What happened to a mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The SMTP server took it (and it is in the outbox).
    Sent,
    /// No SMTP configured: in the outbox only.
    KeptOnly,
    /// SMTP refused or was unreachable: in the outbox, not sent.
    Failed,
}

/// A file sent with a mail.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub filename: String,
    /// Such as `text/calendar; charset=utf-8; method=PUBLISH`.
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

#[derive(Clone)]
pub struct Mailer {
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    outbox: Arc<dyn OutboxStore>,
}

impl Mailer {
    pub fn new(
        config: &MailConfig,
        outbox: Arc<dyn OutboxStore>,
    ) -> Result<Mailer, MailConfigError> {
        let from = match &config.from {
            Some(f) => f.parse::<Mailbox>().map_err(|_| MailConfigError::From)?,
            None => "Kapstok <kapstok@localhost>"
                .parse()
                .expect("a valid default sender"),
        };
        let smtp = match &config.smtp_url {
            Some(url) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|_| MailConfigError::Url)?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build(),
            ),
            None => None,
        };
        Ok(Mailer { smtp, from, outbox })
    }

    /// Keeps the mail with its log entry (fail closed: no entry, no mail), then sends it when
    /// SMTP is set. Once SMTP has taken it, `secret` (a link's token) is masked in the kept copy:
    /// the outbox then holds no usable link. Without SMTP the outbox is how the link travels.
    pub async fn send(
        &self,
        to: &kapstok_domain::account::Email,
        subject: &str,
        body: &str,
        secret: Option<&str>,
        log: &NewEntry,
    ) -> AppResult<Delivery> {
        self.send_with(to, subject, body, None, secret, log).await
    }

    /// As `send`, with a file attached (an activity's `.ics`). The outbox keeps the text and
    /// names the attachment; SMTP carries it as a MIME part.
    pub async fn send_with(
        &self,
        to: &kapstok_domain::account::Email,
        subject: &str,
        body: &str,
        attachment: Option<&Attachment>,
        secret: Option<&str>,
        log: &NewEntry,
    ) -> AppResult<Delivery> {
        let kept_body = match attachment {
            Some(a) => format!("{body}\n[Bijlage / Attachment: {}]\n", a.filename),
            None => body.to_string(),
        };
        let id = self
            .outbox
            .keep_mail(to.as_str(), subject, &kept_body, false, log)
            .await?;
        let Some(smtp) = &self.smtp else {
            return Ok(Delivery::KeptOnly);
        };
        let message = to.as_str().parse::<Mailbox>().ok().and_then(|rcpt| {
            let builder = Message::builder()
                .from(self.from.clone())
                .to(rcpt)
                .subject(subject);
            match attachment {
                None => builder
                    .header(lettre::message::header::ContentType::TEXT_PLAIN)
                    .body(body.to_string())
                    .ok(),
                Some(a) => {
                    let kind = lettre::message::header::ContentType::parse(a.content_type).ok()?;
                    builder
                        .multipart(
                            MultiPart::mixed()
                                .singlepart(SinglePart::plain(body.to_string()))
                                .singlepart(
                                    lettre::message::Attachment::new(a.filename.clone())
                                        .body(a.bytes.clone(), kind),
                                ),
                        )
                        .ok()
                }
            }
        });
        let Some(message) = message else {
            return Ok(Delivery::Failed);
        };
        match smtp.send(message).await {
            Ok(_) => {
                let kept = match secret {
                    Some(s) if !s.is_empty() => kept_body.replace(s, "…"),
                    _ => kept_body.clone(),
                };
                self.outbox.mark_sent(id, &kept).await?;
                Ok(Delivery::Sent)
            }
            Err(e) => {
                // The kind only: a server's answer may quote the address.
                let kind = if e.is_permanent() {
                    "permanent"
                } else if e.is_transient() {
                    "transient"
                } else {
                    "connection"
                };
                tracing::warn!(kind, "SMTP did not take a mail; it is kept in the outbox");
                Ok(Delivery::Failed)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_mail_is_a_valid_message() {
        let from: Mailbox = "Kapstok Emmen <kapstok@emmen.test>".parse().unwrap();
        let m = Message::builder()
            .from(from)
            .to("wmo@emmen.test".parse::<Mailbox>().unwrap())
            .subject("Uw uitnodiging voor Kapstok / Your invitation to Kapstok")
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body("Beste Willem,\n\nhttp://kapstok.test/uitnodiging/ab\n".to_string());
        assert!(m.is_ok(), "{m:?}");
    }
}
