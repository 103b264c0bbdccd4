//! "Neem contact met mij op": a carer asks the steunpunt of their area to get in touch, from a
//! self-check's result or a service's page. Only with consent (the purpose spelled out next to
//! the box); without it nothing is stored and the form says why. No third-party captcha: a
//! honeypot field people do not see, and a per-address budget.

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
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use kapstok_app::Actor;
use kapstok_app::referrals::ReferralProblem;
use kapstok_app::self_requests::ContactForm;

/// The field people do not see (hidden by the style sheet, labelled to leave it empty); a
/// script that fills every field fills it.
const HONEYPOT: &str = "website";

#[derive(Template)]
#[template(path = "contact_form.html")]
struct FormPage {
    l: Layout,
    key: String,
    /// Where the carer came from, kept in hidden fields: a service (id, name) or a self-check
    /// (instrument id, band id).
    service: Option<(String, String)>,
    test: Option<(String, String)>,
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

/// A pair of ids or names: (service id, name) or (instrument id, band id).
type Pair = Option<(String, String)>;

/// Where the carer came from, as the form's hidden fields name it; anything else is dropped.
fn origin(state: &AppState, f: &Pairs) -> (Pair, Pair) {
    let service = f.get("aanbod").and_then(|id| {
        state
            .map_reader()
            .service(id)
            .map(|s| (s.id.to_string(), s.name.clone()))
    });
    let test = match (f.get("test"), f.get("uitslag")) {
        (Some(t), Some(b)) => state.guides().instrument(t).and_then(|i| {
            i.bands
                .iter()
                .find(|x| x.id == b)
                .map(|x| (i.id.clone(), x.id.clone()))
        }),
        _ => None,
    };
    (service, test)
}

fn render_form(
    state: &AppState,
    visitor: &Visitor,
    mut f: Pairs,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let tr = Tr { lang: visitor.lang };
    let (service, test) = origin(state, &f);
    let key = f
        .get("key")
        .map(|k| k.chars().take(64).collect())
        .unwrap_or_else(|| kapstok_app::accounts::random_hex(16));
    f.0.retain(|(k, _)| k != HONEYPOT);
    let page = FormPage {
        l: Layout::new(visitor, tr.t("contact-title"), state.catalog().demo),
        key,
        service,
        test,
        f,
        errors,
        notice: None,
    };
    render::page(&page, status, visitor.lang)
}

/// The form, from a service's page (`?aanbod=`) or on its own.
pub async fn form(
    State(state): State<AppState>,
    visitor: Visitor,
    query: Pairs,
) -> Result<Response, PageError> {
    let mut f = Pairs::default();
    if let Some(id) = query.get("aanbod") {
        f.0.push(("aanbod".into(), id.chars().take(100).collect()));
    }
    render_form(&state, &visitor, f, Vec::new(), StatusCode::OK)
}

#[derive(Template)]
#[template(path = "contact_sent.html")]
struct SentPage {
    l: Layout,
    reference: String,
    team: String,
    code: String,
    link: String,
    repeated: bool,
    mailed: bool,
}

fn problem(tr: Tr, p: &ReferralProblem) -> (&'static str, String) {
    let (field, key) = match p {
        ReferralProblem::Name => ("name", "ref-error-name"),
        ReferralProblem::NoContact => ("phone", "contact-error-reach"),
        ReferralProblem::Email => ("email", "ref-error-email"),
        ReferralProblem::NoteTooLong => ("message", "ref-error-note-long"),
        ReferralProblem::Bsn => ("message", "contact-error-bsn"),
        ReferralProblem::NoConsent => ("consent", "contact-error-consent"),
        _ => ("postcode", "contact-error-team"),
    };
    (field, tr.t(key))
}

/// The request sent (or, with `begin`, the empty form from a self-check's result).
pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    client: ClientOrigin,
    body: Bytes,
) -> Result<Response, PageError> {
    let lang = visitor.lang;
    let tr = Tr { lang };
    let f = Pairs::parse(&String::from_utf8_lossy(&body));
    if f.get("begin").is_some() {
        let kept = Pairs(
            f.0.iter()
                .filter(|(k, _)| matches!(k.as_str(), "test" | "uitslag"))
                .cloned()
                .collect(),
        );
        return render_form(&state, &visitor, kept, Vec::new(), StatusCode::OK);
    }
    let refuse = |field: &str, key: &str, status| {
        render_form(
            &state,
            &visitor,
            f.clone(),
            vec![(field.to_string(), tr.t(key))],
            status,
        )
    };
    if f.get(HONEYPOT).is_some() {
        return refuse("name", "contact-error-robot", StatusCode::BAD_REQUEST);
    }
    // Without the postcode there is no area, so no steunpunt to send it to.
    let catalog = state.catalog();
    let Some(postcode) = f
        .get("postcode")
        .and_then(|p| kapstok_domain::geo::Postcode::parse(p).ok())
    else {
        return refuse(
            "postcode",
            "contact-error-postcode",
            StatusCode::BAD_REQUEST,
        );
    };
    let area = catalog.geo.area_of(&postcode).map(|a| a.code.clone());
    if f.get("consent").is_none() {
        // Checked before the budget: a refused form stores nothing and costs nothing.
        return refuse("consent", "contact-error-consent", StatusCode::BAD_REQUEST);
    }
    if !state.contact_throttle.allow(client.0) {
        return refuse(
            "name",
            "contact-error-throttled",
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let (service, test) = origin(&state, &f);
    let band = test.and_then(|(t, b)| {
        state.guides().instrument(&t).and_then(|i| {
            i.bands
                .iter()
                .find(|x| x.id == b)
                .map(|x| format!("{}: {}", i.title, x.label))
        })
    });
    let opt = |k: &str| f.get(k).map(str::to_string);
    let form = ContactForm {
        name: f.get("name").unwrap_or("").to_string(),
        phone: opt("phone"),
        email: opt("email"),
        postcode: opt("postcode"),
        message: opt("message"),
        self_check_band: band,
        service: service.map(|(_, name)| name),
        consent: true,
        idempotency_key: f.get("key").map(|k| k.chars().take(64).collect()),
    };
    let requests = state.app().self_requests(&Actor::visitor());
    match requests.ask(&form, area.clone()).await.in_lang(lang)? {
        Ok(sent) => {
            let team = requests
                .steunpunt(area.as_deref())
                .await
                .in_lang(lang)?
                .unwrap_or_default();
            let page = SentPage {
                l: Layout::new(&visitor, tr.t("contact-sent-title"), catalog.demo),
                reference: sent.referral.reference.clone(),
                team,
                link: crate::pro::referrals::receipt_link(&state, &sent.receipt_code),
                code: sent.receipt_code,
                repeated: sent.repeated,
                mailed: form.email.as_deref().is_some_and(|e| !e.trim().is_empty()),
            };
            render::ok(&page, lang)
        }
        Err(p) => {
            let (field, key) = problem(tr, &p);
            render_form(
                &state,
                &visitor,
                f,
                vec![(field.to_string(), key)],
                StatusCode::BAD_REQUEST,
            )
        }
    }
}
