//! The carer's own page for their consent, reached with the code on their receipt: what was
//! shared with which team, where each team's task stands, who looked at it — and withdrawing
//! consent, which stops the referral and removes their details. No account; the code is the
//! key, so looking codes up is throttled per client address.

use crate::error::PageError;
use crate::extract::Visitor;
use crate::extract::params::Pairs;
use crate::extract::signed_in::ClientOrigin;
use crate::i18n::{Lang, Tr};
use crate::pro::admin::to;
use crate::pro::inzage::{ReportLine, report_lines};
use crate::render::{self, InLang};
use crate::state::AppState;
use crate::views::Layout;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kapstok_app::Actor;
use kapstok_app::receipts::normalise_code;
use kapstok_domain::calendar::local;

#[derive(Template)]
#[template(path = "consent_lookup.html")]
struct LookupPage {
    l: Layout,
    code: String,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

fn lookup(
    state: &AppState,
    visitor: &Visitor,
    code: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let tr = Tr { lang: visitor.lang };
    let page = LookupPage {
        l: Layout::new(visitor, tr.t("consent-title"), state.catalog().demo),
        code: code.chars().take(40).collect(),
        errors: error
            .map(|k| vec![("code".to_string(), tr.t(k))])
            .unwrap_or_default(),
        notice: None,
    };
    render::page(&page, status, visitor.lang)
}

pub async fn form(State(state): State<AppState>, visitor: Visitor) -> Result<Response, PageError> {
    lookup(&state, &visitor, "", None, StatusCode::OK)
}

/// The code typed in: to its page, or the form again saying why not.
pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = Pairs::parse(&String::from_utf8_lossy(&body));
    let typed = f.get("code").unwrap_or("");
    match normalise_code(typed) {
        Some(code) => Ok(to(&format!("/toestemming/{code}"))),
        None => lookup(
            &state,
            &visitor,
            typed,
            Some("consent-error-format"),
            StatusCode::BAD_REQUEST,
        ),
    }
}

pub struct TaskLine {
    pub reference: String,
    pub team: String,
    pub state: String,
    pub outcome: String,
    pub since: String,
}

pub struct ConsentLine {
    pub team: String,
    pub given_at: String,
    pub method: String,
    pub purpose: String,
    pub data_shared: String,
    pub withdrawn_at: String,
}

#[derive(Template)]
#[template(path = "consent_receipt.html")]
struct ReceiptPage {
    l: Layout,
    action: String,
    tasks: Vec<TaskLine>,
    consents: Vec<ConsentLine>,
    withdrawn: bool,
    lines: Vec<ReportLine>,
    cut: bool,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

async fn show(
    state: &AppState,
    visitor: &Visitor,
    client: ClientOrigin,
    code: &str,
    notice: Option<String>,
    error: Option<&str>,
) -> Result<Response, PageError> {
    let lang = visitor.lang;
    let tr = Tr { lang };
    if !state.receipt_throttle.allow(client.0) {
        return lookup(
            state,
            visitor,
            code,
            Some("consent-error-throttled"),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let Some(code) = normalise_code(code) else {
        return lookup(
            state,
            visitor,
            code,
            Some("consent-error-unknown"),
            StatusCode::NOT_FOUND,
        );
    };
    let receipts = state.app().carer_receipts(&Actor::visitor());
    let Some(view) = receipts.look(&code).await.in_lang(lang)? else {
        return lookup(
            state,
            visitor,
            &code,
            Some("consent-error-unknown"),
            StatusCode::NOT_FOUND,
        );
    };
    let view = view.into_value();
    let lists = state.app().route_lists();
    let page = ReceiptPage {
        l: Layout::new(visitor, tr.t("consent-title"), state.catalog().demo),
        action: format!("/toestemming/{code}/intrekken"),
        tasks: view
            .receipt
            .referrals
            .iter()
            .map(|r| TaskLine {
                reference: r.reference.clone(),
                team: view.team_name(&r.team_id).to_string(),
                state: tr.t(&format!("state-{}", r.state.code())),
                outcome: r
                    .outcome
                    .as_deref()
                    .map(|o| crate::pro::inbox::outcome_label(lists, o, tr))
                    .unwrap_or_default(),
                since: local(r.sent_at.as_deref().unwrap_or(&r.created_at)),
            })
            .collect(),
        consents: view
            .receipt
            .consents
            .iter()
            .map(|c| ConsentLine {
                team: view.team_name(&c.team_id).to_string(),
                given_at: local(&c.given_at),
                method: tr.t(&format!("ref-method-{}", c.method.code())),
                purpose: c.purpose.clone(),
                data_shared: c.data_shared.clone(),
                withdrawn_at: c.withdrawn_at.as_deref().map(local).unwrap_or_default(),
            })
            .collect(),
        withdrawn: view.withdrawn(),
        lines: report_lines(state, lang, &view.access),
        cut: view.access.cut,
        errors: error
            .map(|k| vec![("zeker".to_string(), tr.t(k))])
            .unwrap_or_default(),
        notice,
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    render::page(&page, status, lang)
}

pub async fn receipt(
    State(state): State<AppState>,
    visitor: Visitor,
    client: ClientOrigin,
    Path(code): Path<String>,
    query: Pairs,
) -> Result<Response, PageError> {
    let tr = Tr { lang: visitor.lang };
    let notice =
        (query.get("klaar") == Some("ingetrokken")).then(|| tr.t("consent-withdrawn-done"));
    show(&state, &visitor, client, &code, notice, None).await
}

/// Withdrawing consent, once the carer ticked that they are sure.
pub async fn withdraw(
    State(state): State<AppState>,
    visitor: Visitor,
    client: ClientOrigin,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let lang: Lang = visitor.lang;
    let f = Pairs::parse(&String::from_utf8_lossy(&body));
    if f.get("zeker").is_none() {
        return show(
            &state,
            &visitor,
            client,
            &code,
            None,
            Some("consent-error-sure"),
        )
        .await;
    }
    let Some(code) = normalise_code(&code) else {
        return Err(PageError::not_found(lang));
    };
    if !state.receipt_throttle.allow(client.0) {
        return lookup(
            &state,
            &visitor,
            &code,
            Some("consent-error-throttled"),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let receipts = state.app().carer_receipts(&Actor::visitor());
    match receipts.withdraw(&code).await.in_lang(lang)? {
        None => Err(PageError::not_found(lang)),
        Some(_) => Ok(to(&format!("/toestemming/{code}?klaar=ingetrokken"))),
    }
}
