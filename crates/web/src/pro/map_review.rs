//! The steunpunt's review of the social map: organisations' suggestions (a diff, accept or
//! reject with an answer) and visitors' reports of a wrong page (answer by mail, close). Only
//! a redacteur in a whole-map team gets here (`MapReview`).

use crate::error::PageError;
use crate::extract::SignedIn;
use crate::extract::params::Pairs;
use crate::i18n::Tr;
use crate::pro::admin::{form_of, to};
use crate::pro::map_edit::{
    ChangeLine, ListLine, change_lines, field_label, layout, path_of, reviewer,
};
use crate::render::{self, InLang};
use crate::state::AppState;
use crate::views::Layout;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use kapstok_app::corrections::Answered;
use kapstok_app::editing::Decided;
use kapstok_app::editing::SuggestionState;

#[derive(Template)]
#[template(path = "map_suggestions.html")]
struct SuggestionsPage {
    l: Layout,
    lines: Vec<ListLine>,
    notice: Option<String>,
}

fn decided_notice(tr: Tr, q: &Pairs) -> Option<String> {
    match q.get("klaar") {
        Some("aangenomen") => Some(tr.t("review-done-accepted")),
        Some("afgewezen") => Some(tr.t("review-done-rejected")),
        Some("al-besloten") => Some(tr.t("review-done-not-open")),
        Some("beantwoord") => Some(tr.t("review-done-answered")),
        Some("gesloten") => Some(tr.t("review-done-closed")),
        _ => None,
    }
}

/// Open suggestions, oldest first.
pub async fn suggestions(
    State(state): State<AppState>,
    me: SignedIn,
    query: Pairs,
) -> Result<Response, PageError> {
    let rv = reviewer(&state, &me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let lines = rv
        .open_suggestions()
        .await
        .in_lang(lang)?
        .into_iter()
        .map(|v| ListLine {
            href: format!("/werk/kaart/voorstellen/{}", v.suggestion.id),
            note: format!(
                "{} · {} · {}",
                v.suggestion
                    .author_name
                    .clone()
                    .unwrap_or_else(|| tr.t("log-nobody")),
                kapstok_domain::calendar::local(&v.suggestion.at),
                v.suggestion
                    .changed
                    .iter()
                    .map(|f| field_label(tr, f))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            name: v.name,
        })
        .collect();
    let page = SuggestionsPage {
        l: layout(&state, &me, tr.t("review-suggestions-title")),
        lines,
        notice: decided_notice(tr, &query),
    };
    render::ok(&page, lang)
}

#[derive(Template)]
#[template(path = "map_suggestion.html")]
struct SuggestionPage {
    l: Layout,
    csrf: String,
    id: String,
    record_href: String,
    author: String,
    at: String,
    open: bool,
    state: String,
    answer: Option<String>,
    changed_since: bool,
    changes: Vec<ChangeLine>,
}

/// One suggestion: what it changes, field by field, and the decision.
pub async fn suggestion(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let rv = reviewer(&state, &me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let Some(v) = rv.suggestion(&id).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    let s = &v.suggestion;
    let kind = path_of(s.kind);
    let page = SuggestionPage {
        l: layout(
            &state,
            &me,
            format!("{}: {}", tr.t("review-suggestion-title"), v.name),
        ),
        csrf: me.csrf.clone(),
        id: s.id.clone(),
        record_href: format!("/werk/kaart/{kind}/{}", s.record_id),
        author: s.author_name.clone().unwrap_or_else(|| tr.t("log-nobody")),
        at: kapstok_domain::calendar::local(&s.at),
        open: s.state == SuggestionState::Open,
        state: tr.t(&format!("edit-suggestion-{}", s.state.code())),
        answer: s.answer.clone(),
        changed_since: v.changed_since,
        changes: change_lines(tr, v.changes.clone()),
    };
    render::ok(&page, lang)
}

/// Accepts or rejects a suggestion (`besluit=aannemen|afwijzen`), with an optional answer.
pub async fn decide(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let rv = reviewer(&state, &me).await?;
    let form = form_of(&body);
    me.check_form(&form)?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let accept = match form.get("besluit") {
        Some("aannemen") => true,
        Some("afwijzen") => false,
        _ => {
            return Err(PageError::new(
                crate::error::AppError::bad("besluit", tr.t("review-error-decision")),
                lang,
            ));
        }
    };
    let answer = form.get("antwoord");
    match rv.decide(&id, accept, answer).await.in_lang(lang)? {
        None => Err(PageError::not_found(lang)),
        Some(d) => {
            let klaar = match d {
                Decided::Accepted => "aangenomen",
                Decided::Rejected => "afgewezen",
                Decided::NotOpen => "al-besloten",
            };
            Ok(to(&format!("/werk/kaart/voorstellen?klaar={klaar}")))
        }
    }
}

#[derive(Template)]
#[template(path = "map_corrections.html")]
struct CorrectionsPage {
    l: Layout,
    lines: Vec<ListLine>,
    notice: Option<String>,
}

/// Visitors' open reports, oldest first.
pub async fn corrections(
    State(state): State<AppState>,
    me: SignedIn,
    query: Pairs,
) -> Result<Response, PageError> {
    let rv = reviewer(&state, &me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let lines = rv
        .corrections(true)
        .await
        .in_lang(lang)?
        .into_iter()
        .map(|c| ListLine {
            href: format!("/werk/kaart/meldingen/{}", c.correction.id),
            note: format!(
                "{}{}",
                kapstok_domain::calendar::local(&c.correction.at),
                if c.correction.email.is_some() {
                    format!(" · {}", tr.t("review-wants-answer"))
                } else {
                    String::new()
                }
            ),
            name: c.service_name,
        })
        .collect();
    let page = CorrectionsPage {
        l: layout(&state, &me, tr.t("review-corrections-title")),
        lines,
        notice: decided_notice(tr, &query),
    };
    render::ok(&page, lang)
}

#[derive(Template)]
#[template(path = "map_correction.html")]
struct CorrectionPage {
    l: Layout,
    csrf: String,
    id: String,
    service: String,
    service_href: String,
    at: String,
    message: String,
    wants_answer: bool,
    open: bool,
    answer: Option<String>,
}

pub async fn correction(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let rv = reviewer(&state, &me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let Some(c) = rv.correction(&id).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    let page = CorrectionPage {
        l: layout(&state, &me, tr.t("review-correction-title")),
        csrf: me.csrf.clone(),
        id: c.correction.id.clone(),
        service_href: format!("/werk/kaart/aanbod/{}", c.correction.service_id),
        service: c.service_name,
        at: kapstok_domain::calendar::local(&c.correction.at),
        message: c.correction.message,
        wants_answer: c.correction.email.is_some(),
        open: c.correction.open,
        answer: c.correction.answer,
    };
    render::ok(&page, lang)
}

/// Closes a report, mailing the answer when the visitor left an address.
pub async fn answer(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let rv = reviewer(&state, &me).await?;
    let form = form_of(&body);
    me.check_form(&form)?;
    let lang = me.visitor.lang;
    match rv.answer(&id, form.get("antwoord")).await.in_lang(lang)? {
        None => Err(PageError::not_found(lang)),
        Some(Answered::Closed { mailed: true }) => Ok(to("/werk/kaart/meldingen?klaar=beantwoord")),
        Some(Answered::Closed { mailed: false }) => Ok(to("/werk/kaart/meldingen?klaar=gesloten")),
        Some(Answered::NotOpen) => Ok(to("/werk/kaart/meldingen?klaar=al-besloten")),
    }
}
