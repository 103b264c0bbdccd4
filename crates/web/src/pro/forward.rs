//! Passing a referral on to another team: the form (which team, why, and the consent it rests
//! on: the carer's leave to forward, or a new consent asked for now) and what came of it.

use crate::error::PageError;
use crate::extract::SignedIn;
use crate::extract::params::Pairs;
use crate::i18n::Tr;
use crate::pro::admin::{form_of, plain_id};
use crate::pro::inbox::inbox_of;
use crate::render::{self, InLang};
use crate::state::AppState;
use crate::views::{Layout, TypedForm};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use kapstok_app::referrals::{ForwardChoice, ForwardForm, ForwardProblem, TeamInbox};
use kapstok_domain::calendar::local_date;

#[derive(Template)]
#[template(path = "referral_forward.html")]
struct ForwardPage {
    l: Layout,
    csrf: String,
    key: String,
    action: String,
    back: String,
    teams: Vec<(String, String)>,
    /// The date of the consent that covers forwarding, if the carer gave one.
    covered_since: Option<String>,
    f: Pairs,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

impl TypedForm for ForwardPage {
    fn typed(&self) -> &Pairs {
        &self.f
    }
    fn field_errors(&self) -> &[(String, String)] {
        &self.errors
    }
}

fn problem(tr: Tr, p: &ForwardProblem) -> (&'static str, String) {
    let (field, key) = match p {
        ForwardProblem::NotFound | ForwardProblem::Team => ("naar", "ref-error-team"),
        ForwardProblem::NoReason => ("waarom", "fwd-error-reason"),
        ForwardProblem::ReasonTooLong => ("waarom", "ref-error-note-long"),
        ForwardProblem::Bsn => ("waarom", "ref-error-bsn"),
        ForwardProblem::NoConsent => ("toestemming", "fwd-error-consent"),
        ForwardProblem::ConsentMethod => ("method-mondeling", "ref-error-method"),
        ForwardProblem::NotNow => ("naar", "fwd-error-not-now"),
    };
    (field, tr.t(key))
}

async fn render_form(
    state: &AppState,
    me: &SignedIn,
    inbox: &TeamInbox,
    id: &str,
    form: Pairs,
    errors: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let Some(choice) = inbox.forward_choice(id).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    let ForwardChoice {
        referral,
        teams,
        covering,
    } = choice.into_value();
    let status = render::form_status(&errors);
    let action = format!(
        "/werk/teams/{}/verwijzingen/{}/doorsturen",
        inbox.team(),
        referral.id
    );
    let open = referral.state.is_open() && referral.carer.is_some();
    let page = ForwardPage {
        l: Layout::signed_in(
            &me.visitor,
            format!("{} {}", tr.t("fwd-title"), referral.reference),
            state.catalog().demo,
            me.me(),
        ),
        csrf: me.csrf.clone(),
        key: form
            .get("key")
            .map(str::to_string)
            .unwrap_or_else(|| kapstok_app::accounts::random_hex(16)),
        back: format!("/werk/teams/{}/verwijzingen/{}", inbox.team(), referral.id),
        action,
        teams: teams
            .into_iter()
            .map(|t| (t.id.to_string(), t.name))
            .collect(),
        covered_since: covering.map(|c| local_date(&c.given_at)),
        notice: (!open).then(|| tr.t("fwd-error-not-now")),
        f: form,
        errors,
    };
    render::page(&page, status, lang)
}

pub async fn form(
    State(state): State<AppState>,
    me: SignedIn,
    Path((team, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let inbox = inbox_of(&state, &me, &team).await?;
    let id = plain_id(&id, me.visitor.lang)?;
    render_form(&state, &me, &inbox, id, Pairs::default(), Vec::new()).await
}

#[derive(Template)]
#[template(path = "referral_forwarded.html")]
struct ForwardedPage {
    l: Layout,
    team: String,
    reference: String,
    code: String,
    link: String,
    repeated: bool,
    back: String,
}

pub async fn submit(
    State(state): State<AppState>,
    me: SignedIn,
    Path((team, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let inbox = inbox_of(&state, &me, &team).await?;
    let f = form_of(&body);
    me.check_form(&f)?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let id = plain_id(&id, lang)?;
    let form = ForwardForm {
        team_id: f.get("naar").unwrap_or("").to_string(),
        reason: f.get("waarom").unwrap_or("").to_string(),
        new_consent: f.get("toestemming").is_some(),
        consent_method: f.get("method").unwrap_or("").to_string(),
        consent_by: f.get("consent_by").map(str::to_string),
        idempotency_key: f.get("key").map(|k| k.chars().take(64).collect()),
    };
    match inbox.forward(id, &form).await.in_lang(lang)? {
        Ok(done) => {
            let code = done.receipt_code.unwrap_or_default();
            let page = ForwardedPage {
                l: Layout::signed_in(
                    &me.visitor,
                    tr.t("fwd-done-title"),
                    state.catalog().demo,
                    me.me(),
                ),
                team: done.team_name,
                reference: done.next.reference,
                link: if code.is_empty() {
                    String::new()
                } else {
                    crate::pro::referrals::receipt_link(&state, &code)
                },
                code,
                repeated: done.repeated,
                back: format!("/werk/teams/{}/verwijzingen", inbox.team()),
            };
            render::ok(&page, lang)
        }
        Err(ForwardProblem::NotFound) => Err(PageError::not_found(lang)),
        Err(p) => {
            let (field, message) = problem(tr, &p);
            let mut typed = f;
            typed.0.retain(|(k, _)| k != "csrf");
            render_form(
                &state,
                &me,
                &inbox,
                id,
                typed,
                vec![(field.to_string(), message)],
            )
            .await
        }
    }
}
