//! "Klopt er iets niet?" on every service's page: what is wrong, and an e-mail address only if
//! the visitor wants an answer. No third-party captcha: a honeypot field, the form's stamp (not
//! sent back within seconds of being shown), and a per-address budget.

use crate::error::PageError;
use crate::extract::Visitor;
use crate::extract::params::Pairs;
use crate::extract::signed_in::ClientOrigin;
use crate::i18n::Tr;
use crate::render::{self, InLang};
use crate::state::AppState;
use crate::views::{Layout, TypedForm};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kapstok_app::Actor;
use kapstok_app::corrections::{CorrectionProblem, MAX_MESSAGE};

/// The field people do not see; a script that fills every field fills it.
const HONEYPOT: &str = "website";

#[derive(Template)]
#[template(path = "correction_form.html")]
struct FormPage {
    l: Layout,
    id: String,
    service: String,
    stamp: String,
    max: usize,
    f: Pairs,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

impl TypedForm for FormPage {
    fn typed(&self) -> &Pairs {
        &self.f
    }
    fn field_errors(&self) -> &[(String, String)] {
        &self.errors
    }
}

#[derive(Template)]
#[template(path = "correction_sent.html")]
struct SentPage {
    l: Layout,
    id: String,
    service: String,
    answered: bool,
}

fn render_form(
    state: &AppState,
    visitor: &Visitor,
    id: &str,
    mut f: Pairs,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let tr = Tr { lang: visitor.lang };
    let desk = state.app().correction_desk(&Actor::visitor());
    let Some(service) = desk.service_name(id) else {
        return Err(PageError::not_found(visitor.lang));
    };
    f.0.retain(|(k, _)| k != HONEYPOT && k != "stempel");
    let page = FormPage {
        l: Layout::new(visitor, tr.t("correction-title"), state.catalog().demo),
        id: id.to_string(),
        service,
        stamp: desk.stamp(),
        max: MAX_MESSAGE,
        f,
        errors,
        notice: None,
    };
    render::page(&page, status, visitor.lang)
}

pub async fn form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    render_form(
        &state,
        &visitor,
        &id,
        Pairs::default(),
        Vec::new(),
        StatusCode::OK,
    )
}

fn problem(p: CorrectionProblem) -> (&'static str, &'static str) {
    match p {
        CorrectionProblem::NoMessage => ("message", "correction-error-empty"),
        CorrectionProblem::TooLong => ("message", "correction-error-long"),
        CorrectionProblem::Email => ("email", "correction-error-email"),
        CorrectionProblem::Bsn => ("message", "contact-error-bsn"),
        CorrectionProblem::TooFast => ("message", "correction-error-fast"),
        CorrectionProblem::Expired => ("message", "correction-error-expired"),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    client: ClientOrigin,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let lang = visitor.lang;
    let tr = Tr { lang };
    let f = Pairs::parse(&String::from_utf8_lossy(&body));
    let refuse = |field: &str, key: &str, status| {
        render_form(
            &state,
            &visitor,
            &id,
            f.clone(),
            vec![(field.to_string(), tr.t(key))],
            status,
        )
    };
    if f.get(HONEYPOT).is_some() {
        return refuse("message", "contact-error-robot", StatusCode::BAD_REQUEST);
    }
    if !state.correction_throttle.allow(client.0) {
        return refuse(
            "message",
            "contact-error-throttled",
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let desk = state.app().correction_desk(&Actor::visitor());
    let email = f.get("email");
    match desk
        .report(
            &id,
            f.get("message").unwrap_or(""),
            email,
            f.get("stempel").unwrap_or(""),
        )
        .await
        .in_lang(lang)?
    {
        None => Err(PageError::not_found(lang)),
        Some(Ok(())) => {
            let page = SentPage {
                l: Layout::new(
                    &visitor,
                    tr.t("correction-sent-title"),
                    state.catalog().demo,
                ),
                service: desk.service_name(&id).unwrap_or_default(),
                id,
                answered: email.is_some(),
            };
            render::ok(&page, lang)
        }
        Some(Err(p)) => {
            let (field, key) = problem(p);
            refuse(field, key, StatusCode::BAD_REQUEST)
        }
    }
}
