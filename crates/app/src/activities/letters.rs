//! The mail a participant gets: the confirmation (with the date as `.ics` and the personal
//! cancel link), moving up from the waiting list, the reminder two days before, and a date
//! that does not take place. Mail goes to the person who registered and names only the
//! activity; Dutch first, then English.

use crate::mail::{Attachment, Mailer};
use crate::{Actor, AppResult};
use kapstok_domain::account::Email;
use kapstok_domain::activity::{Activity, Occurrence, Registration, RegistrationState};
use kapstok_domain::audit::{Action, RecordKind};
use std::sync::Arc;

/// A date as people read it: `dinsdag 15 september 2026, 09:00–12:00`.
pub fn when_nl(o: &Occurrence) -> String {
    const DAYS: [&str; 7] = [
        "maandag",
        "dinsdag",
        "woensdag",
        "donderdag",
        "vrijdag",
        "zaterdag",
        "zondag",
    ];
    const MONTHS: [&str; 12] = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    let s = &o.start;
    format!(
        "{} {} {} {}, {}–{}",
        DAYS[s.weekday().to_monday_zero_offset() as usize],
        s.day(),
        MONTHS[(s.month() - 1) as usize],
        s.year(),
        s.strftime("%H:%M"),
        o.end.strftime("%H:%M")
    )
}

/// The same in English: `Tuesday 15 September 2026, 09:00–12:00`.
pub fn when_en(o: &Occurrence) -> String {
    format!(
        "{}, {}–{}",
        o.start.strftime("%A %-d %B %Y"),
        o.start.strftime("%H:%M"),
        o.end.strftime("%H:%M")
    )
}

#[derive(Clone)]
pub struct Letters {
    mailer: Mailer,
    public_url: Arc<String>,
}

impl Letters {
    pub(crate) fn new(mailer: Mailer, public_url: Arc<String>) -> Letters {
        Letters { mailer, public_url }
    }

    pub fn page_url(&self, a: &Activity) -> String {
        format!("{}/activiteiten/{}", self.public_url, a.id)
    }

    pub fn cancel_url(&self, token: &str) -> String {
        format!("{}/activiteiten/afmelden/{token}", self.public_url)
    }

    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    async fn send(
        &self,
        actor: &Actor,
        r: &Registration,
        subject: String,
        body: String,
        attachment: Option<Attachment>,
        secret: Option<&str>,
    ) -> AppResult<()> {
        let Some(to) = r.email.as_deref().and_then(Email::parse) else {
            return Ok(());
        };
        let mut log = actor.log_entry(None, Action::Send, RecordKind::Mail, true);
        log.record_id = Some(r.activity_id.clone());
        log.person = Some(r.id.clone());
        let delivery = self
            .mailer
            .send_with(&to, &subject, &body, attachment.as_ref(), secret, &log)
            .await?;
        if delivery == crate::mail::Delivery::Failed {
            tracing::warn!("a participant's mail was not sent; it is in the outbox");
        }
        Ok(())
    }

    /// After registering: a place or the waiting list, the date attached, the cancel link.
    #[allow(clippy::too_many_arguments)]
    pub async fn confirmation(
        &self,
        actor: &Actor,
        a: &Activity,
        o: Option<&Occurrence>,
        place: Option<&str>,
        r: &Registration,
        token: &str,
        ics: Option<String>,
    ) -> AppResult<()> {
        let link = self.cancel_url(token);
        let when = o.map(|o| format!("{}\n", when_nl(o))).unwrap_or_default();
        let when_en = o.map(|o| format!("{}\n", when_en(o))).unwrap_or_default();
        let at = place.map(|p| format!("{p}\n")).unwrap_or_default();
        let (subject, state_nl, state_en) = match r.state {
            RegistrationState::Waiting => (
                format!("Op de wachtlijst: {} / On the waiting list", a.title),
                "U staat op de wachtlijst. Komt er een plaats vrij, dan krijgt u die en een mail.",
                "You are on the waiting list. When a place comes free it is yours and we mail you.",
            ),
            _ => (
                format!("Aangemeld: {} / Registered", a.title),
                "U bent aangemeld; er is een plaats voor u.",
                "You are registered; there is a place for you.",
            ),
        };
        let body = format!(
            "Beste {name},\n\n{state_nl}\n\n{title}\n{when}{at}\n\
             Meer informatie: {page}\n\n\
             Kunt u niet? Meld u dan af met deze persoonlijke link (u hebt geen account nodig):\n{link}\n\n\
             ---\n{state_en}\n{title}\n{when_en}{at}\nCannot come? Cancel with your personal link above.\n",
            name = r.name.as_deref().unwrap_or(""),
            title = a.title,
            page = self.page_url(a),
        );
        let attachment = ics.map(|text| Attachment {
            filename: "activiteit.ics".into(),
            content_type: "text/calendar; charset=utf-8; method=PUBLISH",
            bytes: text.into_bytes(),
        });
        self.send(actor, r, subject, body, attachment, Some(token))
            .await
    }

    /// A place came free and is theirs now.
    pub async fn moved_up(
        &self,
        actor: &Actor,
        a: &Activity,
        o: Option<&Occurrence>,
        r: &Registration,
    ) -> AppResult<()> {
        let when = o.map(when_nl).unwrap_or_default();
        let when_en = o.map(when_en).unwrap_or_default();
        let body = format!(
            "Beste {name},\n\nEr is een plaats vrijgekomen: u bent nu aangemeld voor\n\n{title}\n{when}\n\n\
             Meer informatie: {page}\n\
             Kunt u toch niet? Meld u af met de persoonlijke link uit uw eerste mail, zodat de \
             volgende op de wachtlijst de plaats krijgt.\n\n\
             ---\nA place came free: you are now registered for {title}, {when_en}. Cannot come \
             after all? Cancel with the personal link in your first mail.\n",
            name = r.name.as_deref().unwrap_or(""),
            title = a.title,
            page = self.page_url(a),
        );
        let subject = format!("Er is een plaats voor u: {} / A place for you", a.title);
        self.send(actor, r, subject, body, None, None).await
    }

    /// Two days before.
    pub async fn reminder(
        &self,
        actor: &Actor,
        a: &Activity,
        o: &Occurrence,
        place: Option<&str>,
        r: &Registration,
    ) -> AppResult<()> {
        let at = place.map(|p| format!("{p}\n")).unwrap_or_default();
        let body = format!(
            "Beste {name},\n\nTot binnenkort! U bent aangemeld voor\n\n{title}\n{when}\n{at}\n\
             Meer informatie: {page}\n\
             Kunt u niet? Meld u af met de persoonlijke link uit uw eerste mail.\n\n\
             ---\nA reminder: you are registered for {title}, {when_en}. Cannot come? Cancel \
             with the personal link in your first mail.\n",
            name = r.name.as_deref().unwrap_or(""),
            title = a.title,
            when = when_nl(o),
            when_en = when_en(o),
            page = self.page_url(a),
        );
        let subject = format!("Herinnering: {} / Reminder", a.title);
        self.send(actor, r, subject, body, None, None).await
    }

    /// The coördinator moved their date.
    pub async fn date_moved(
        &self,
        actor: &Actor,
        a: &Activity,
        o: &Occurrence,
        r: &Registration,
    ) -> AppResult<()> {
        let body = format!(
            "Beste {name},\n\nDe datum van deze activiteit is veranderd. U bent aangemeld voor de nieuwe datum:\n\n\
             {title}\n{when}\n\nMeer informatie: {page}\n\
             Kunt u dan niet? Meld u af met de persoonlijke link uit uw eerste mail.\n\n\
             ---\nThe date of {title} changed to {when_en}. Cannot come then? Cancel with the \
             personal link in your first mail.\n",
            name = r.name.as_deref().unwrap_or(""),
            title = a.title,
            when = when_nl(o),
            when_en = when_en(o),
            page = self.page_url(a),
        );
        let subject = format!("Nieuwe datum: {} / New date", a.title);
        self.send(actor, r, subject, body, None, None).await
    }

    /// The coördinator cancelled their date.
    pub async fn date_cancelled(
        &self,
        actor: &Actor,
        a: &Activity,
        o: &Occurrence,
        r: &Registration,
    ) -> AppResult<()> {
        let body = format!(
            "Beste {name},\n\nHelaas gaat deze datum niet door:\n\n{title}\n{when}\n\n\
             Kijk voor andere data op {page}\n\n\
             ---\nUnfortunately this date does not take place: {title}, {when_en}. Other dates: \
             see the page above.\n",
            name = r.name.as_deref().unwrap_or(""),
            title = a.title,
            when = when_nl(o),
            when_en = when_en(o),
            page = self.page_url(a),
        );
        let subject = format!("Gaat niet door: {} / Cancelled", a.title);
        self.send(actor, r, subject, body, None, None).await
    }
}
