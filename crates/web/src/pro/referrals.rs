//! The verwijzer's pages: refer a carer with their consent (the receipt follows), and the
//! referrals they made with each one's state and outcome.

use crate::error::PageError;
use crate::extract::SignedIn;
use crate::extract::params::Pairs;
use crate::i18n::{Lang, Tr};
use crate::render::{self, InLang};
use crate::state::AppState;
use crate::views::{Layout, TypedForm};
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use kapstok_app::referrals::{ReferralDesk, ReferralForm, ReferralProblem};
use kapstok_domain::audit::RecordKind;
use kapstok_domain::referral::{CarerDetails, Reason};

async fn desk(state: &AppState, me: &SignedIn) -> Result<ReferralDesk, PageError> {
    let capability = state.app().referral_desk(&me.actor);
    crate::pro::admin::granted(state, me, capability, RecordKind::Referral).await
}

/// Every team (names and areas; nothing about a person), for choosing and naming them.
async fn teams(
    state: &AppState,
    me: &SignedIn,
) -> Result<Vec<kapstok_domain::account::Team>, PageError> {
    let lang = me.visitor.lang;
    state
        .app()
        .workspace(&me.actor)
        .ok_or_else(|| crate::pro::admin::forbidden(lang))?
        .teams()
        .await
        .in_lang(lang)
}

/// A coded list as (code, label) in the visitor's language.
fn options(list: &[Reason], lang: Lang) -> Vec<(String, String)> {
    list.iter()
        .map(|r| (r.code.clone(), r.label_in(lang == Lang::En).to_string()))
        .collect()
}

fn problem(tr: Tr, p: &ReferralProblem) -> (&'static str, String) {
    let (field, key) = match p {
        ReferralProblem::Name => ("name", "ref-error-name"),
        ReferralProblem::NoContact => ("phone", "ref-error-contact"),
        ReferralProblem::Email => ("email", "ref-error-email"),
        ReferralProblem::Reason => ("reason", "ref-error-reason"),
        ReferralProblem::Team => ("team", "ref-error-team"),
        ReferralProblem::Relationship => ("relationship", "ref-error-list"),
        ReferralProblem::Condition => ("condition", "ref-error-list"),
        ReferralProblem::NoteTooLong => ("note", "ref-error-note-long"),
        ReferralProblem::Bsn => ("note", "ref-error-bsn"),
        ReferralProblem::NoConsent => ("consent", "ref-error-consent"),
        ReferralProblem::ConsentMethod => ("method-mondeling", "ref-error-method"),
    };
    (field, tr.t(key))
}

#[derive(Template)]
#[template(path = "referral_form.html")]
struct FormPage {
    l: Layout,
    csrf: String,
    key: String,
    teams: Vec<(String, String)>,
    reasons: Vec<(String, String)>,
    relationships: Vec<(String, String)>,
    conditions: Vec<(String, String)>,
    f: Pairs,
    errors: Vec<(String, String)>,
    /// The team suggested, and why.
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

async fn render_form(
    state: &AppState,
    me: &SignedIn,
    desk: &ReferralDesk,
    form: Pairs,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let lists = desk.lists();
    let teams = desk.teams().await.in_lang(lang)?;
    let status = render::form_status(&errors);
    let page = FormPage {
        l: Layout::signed_in(
            &me.visitor,
            tr.t("ref-title"),
            state.catalog().demo,
            me.me(),
        ),
        csrf: me.csrf.clone(),
        // A fresh key per form shown: sending it twice makes one referral.
        key: form
            .get("key")
            .map(str::to_string)
            .unwrap_or_else(|| kapstok_app::accounts::random_hex(16)),
        teams: teams
            .into_iter()
            .map(|t| (t.id.to_string(), t.name))
            .collect(),
        reasons: options(&lists.reasons, lang),
        relationships: options(&lists.relationships, lang),
        conditions: options(&lists.conditions, lang),
        f: form,
        errors,
        notice,
    };
    render::page(&page, status, lang)
}

/// A self-check's band from the form's `test` and `uitslag`, as the referral stores it.
fn band_of(state: &AppState, f: &Pairs) -> Option<String> {
    let i = state.guides().instrument(f.get("test")?)?;
    let b = i
        .bands
        .iter()
        .find(|b| Some(b.id.as_str()) == f.get("uitslag"))?;
    Some(format!("{}: {}", i.title, b.label))
}

/// The form; from a service's page (`?aanbod=`: the organisation's team chosen, if it takes
/// referrals) or from a self-check gone through with the carer (`?test=&uitslag=`: the band
/// goes along, never the answers).
pub async fn form(
    State(state): State<AppState>,
    me: SignedIn,
    query: Pairs,
) -> Result<Response, PageError> {
    let desk = desk(&state, &me).await?;
    let tr = Tr {
        lang: me.visitor.lang,
    };
    let mut f = Pairs::default();
    let mut notice = Vec::new();
    if let Some(service) = query
        .get("aanbod")
        .and_then(|id| state.map_reader().service(id))
    {
        let team = desk
            .teams()
            .await
            .in_lang(me.visitor.lang)?
            .into_iter()
            .find(|t| t.organization_id.as_deref() == Some(service.organization_id.as_str()));
        match team {
            Some(t) => {
                notice.push(format!(
                    "{} {}: {}.",
                    tr.t("ref-from-service"),
                    service.name,
                    t.name
                ));
                f.0.push(("team".into(), t.id.to_string()));
            }
            None => notice.push(format!(
                "{} {}. {}",
                tr.t("ref-from-service"),
                service.name,
                tr.t("ref-service-no-team")
            )),
        }
    }
    if let Some(band) = band_of(&state, &query) {
        notice.push(format!("{} {band}.", tr.t("ref-from-selfcheck")));
        for k in ["test", "uitslag"] {
            f.0.push((k.into(), query.get(k).unwrap_or("").to_string()));
        }
    }
    let notice = (!notice.is_empty()).then(|| notice.join(" "));
    render_form(&state, &me, &desk, f, Vec::new(), notice).await
}

#[derive(Template)]
#[template(path = "referral_receipt.html")]
struct ReceiptPage {
    l: Layout,
    reference: String,
    team: String,
    code: String,
    /// Where the carer sees and withdraws their consent with the code.
    link: String,
    repeated: bool,
}

/// The carer's page for a receipt's code, as a full address for paper and mail.
pub fn receipt_link(state: &AppState, code: &str) -> String {
    let base = state
        .web
        .public_url
        .as_deref()
        .unwrap_or("http://127.0.0.1:8080")
        .trim_end_matches('/');
    format!("{base}/toestemming/{code}")
}

pub async fn submit(
    State(state): State<AppState>,
    me: SignedIn,
    body: Bytes,
) -> Result<Response, PageError> {
    let desk = desk(&state, &me).await?;
    let f = Pairs::parse(&String::from_utf8_lossy(&body));
    me.check_form(&f)?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let opt = |k: &str| f.get(k).map(str::to_string);
    let form = ReferralForm {
        team_id: f.get("team").unwrap_or("").to_string(),
        reason: f.get("reason").unwrap_or("").to_string(),
        carer: CarerDetails {
            name: f.get("name").unwrap_or("").to_string(),
            phone: opt("phone"),
            email: opt("email"),
            postcode: opt("postcode"),
            contact_time: opt("contact_time"),
            relationship: opt("relationship"),
            condition: opt("condition"),
            self_check_band: band_of(&state, &f),
            note: opt("note"),
        },
        consent_given: f.get("consent").is_some(),
        consent_method: f.get("method").unwrap_or("").to_string(),
        consent_by: opt("consent_by"),
        consent_forward: f.get("consent_forward").is_some(),
        idempotency_key: f.get("key").map(|k| k.chars().take(64).collect()),
    };
    // The postcode's area, for the team's filters and the municipality's figures.
    let catalog = state.catalog();
    let area = form
        .carer
        .postcode
        .as_deref()
        .and_then(|p| kapstok_domain::geo::Postcode::parse(p).ok())
        .and_then(|p| catalog.geo.area_of(&p).map(|a| a.code.clone()));
    // No team chosen: the form again with the team the teams' data suggests, to check before
    // sending (the consent names the team).
    if form.team_id.is_empty() && desk.lists().reason(&form.reason).is_some() {
        let mut f = f;
        f.0.retain(|(k, _)| k != "csrf" && k != "team");
        return match desk
            .suggest(area.as_deref(), &form.reason)
            .await
            .in_lang(lang)?
        {
            Some((team, why)) => {
                let area_name = area
                    .as_deref()
                    .and_then(|a| catalog.geo.area(a))
                    .map(|a| a.name.clone());
                let reason = desk
                    .lists()
                    .reason(&form.reason)
                    .map(|r| r.label_in(lang == Lang::En).to_string())
                    .unwrap_or_default();
                let because = match (why, area_name) {
                    (kapstok_domain::referral::Suggestion::Area, Some(a)) => {
                        format!(
                            "{} {a}, {}: {reason}",
                            tr.t("ref-suggest-area"),
                            tr.t("ref-suggest-takes")
                        )
                    }
                    _ => format!("{}: {reason}", tr.t("ref-suggest-everywhere")),
                };
                f.0.push(("team".into(), team.id.to_string()));
                let notice = format!(
                    "{} {} ({because}). {}",
                    tr.t("ref-suggested"),
                    team.name,
                    tr.t("ref-suggest-check")
                );
                render_form(&state, &me, &desk, f, Vec::new(), Some(notice)).await
            }
            None => {
                render_form(
                    &state,
                    &me,
                    &desk,
                    f,
                    vec![("team".into(), tr.t("ref-error-no-suggestion"))],
                    None,
                )
                .await
            }
        };
    }
    match desk.refer(&form, area).await.in_lang(lang)? {
        Ok(sent) => {
            let teams = teams(&state, &me).await?;
            let page = ReceiptPage {
                l: Layout::signed_in(&me.visitor, tr.t("ref-sent-title"), catalog.demo, me.me()),
                team: teams
                    .iter()
                    .find(|t| t.id == sent.referral.team_id)
                    .map_or(sent.referral.team_id.clone(), |t| t.name.clone()),
                reference: sent.referral.reference,
                link: receipt_link(&state, &sent.receipt_code),
                code: sent.receipt_code,
                repeated: sent.repeated,
            };
            render::ok(&page, lang)
        }
        Err(p) => {
            let (field, message) = problem(tr, &p);
            render_form(
                &state,
                &me,
                &desk,
                f,
                vec![(field.to_string(), message)],
                None,
            )
            .await
        }
    }
}

pub struct MineLine {
    pub href: String,
    pub reference: String,
    pub team: String,
    pub reason: String,
    pub state: String,
    pub outcome: String,
    pub sent: String,
}

#[derive(Template)]
#[template(path = "referral_mine.html")]
struct MinePage {
    l: Layout,
    lines: Vec<MineLine>,
}

pub async fn mine(State(state): State<AppState>, me: SignedIn) -> Result<Response, PageError> {
    let desk = desk(&state, &me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let teams = teams(&state, &me).await?;
    let lists = desk.lists();
    let label = |list: &[Reason], code: &str| {
        list.iter()
            .find(|r| r.code == code)
            .map_or(code.to_string(), |r| {
                r.label_in(lang == Lang::En).to_string()
            })
    };
    let lines = desk
        .mine(200)
        .await
        .in_lang(lang)?
        .into_iter()
        .map(|r| MineLine {
            team: teams
                .iter()
                .find(|t| t.id == r.team_id)
                .map_or(r.team_id.clone(), |t| t.name.clone()),
            reason: label(&lists.reasons, &r.reason),
            state: tr.t(&format!("state-{}", r.state.code())),
            outcome: r
                .outcome
                .as_deref()
                .map(|o| {
                    lists
                        .outcome(o)
                        .map_or(o.to_string(), |x| x.label_in(lang == Lang::En).to_string())
                })
                .unwrap_or_default(),
            sent: kapstok_domain::calendar::local_date(
                r.sent_at.as_deref().unwrap_or(&r.created_at),
            ),
            href: format!("/werk/verwijzingen/{}", r.id),
            reference: r.reference,
        })
        .collect();
    let page = MinePage {
        l: Layout::signed_in(
            &me.visitor,
            tr.t("ref-mine-title"),
            state.catalog().demo,
            me.me(),
        ),
        lines,
    };
    render::ok(&page, lang)
}

pub struct FollowLine {
    pub at: String,
    pub state: String,
    pub outcome: String,
}

#[derive(Template)]
#[template(path = "referral_follow.html")]
struct FollowPage {
    l: Layout,
    team: String,
    reason: String,
    state: String,
    outcome: String,
    lines: Vec<FollowLine>,
    /// (href, reference, team) of the tasks it was forwarded to.
    forwarded: Vec<(String, String, String)>,
}

/// One referral this verwijzer made: each state change and the outcome, nothing the team wrote.
pub async fn follow(
    State(state): State<AppState>,
    me: SignedIn,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, PageError> {
    let desk = desk(&state, &me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let id = crate::pro::admin::plain_id(&id, lang)?;
    let Some(f) = desk.follow(id).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    let f = f.into_value();
    let lists = desk.lists();
    let outcome = |o: &str| {
        if o == kapstok_domain::referral::FORWARDED {
            tr.t("outcome-forwarded")
        } else {
            lists
                .outcome(o)
                .map_or(o.to_string(), |x| x.label_in(lang == Lang::En).to_string())
        }
    };
    let r = &f.referral;
    let all_teams = teams(&state, &me).await?;
    let name_of = |id: &str| {
        all_teams
            .iter()
            .find(|t| t.id.as_str() == id)
            .map_or(id.to_string(), |t| t.name.clone())
    };
    let team = name_of(&r.team_id);
    let forwarded = f
        .forwarded_to
        .iter()
        .map(|t| {
            (
                format!("/werk/verwijzingen/{}", t.id),
                t.reference.clone(),
                name_of(&t.team_id),
            )
        })
        .collect();
    let page = FollowPage {
        l: Layout::signed_in(
            &me.visitor,
            format!("{} {}", tr.t("file-title"), r.reference),
            state.catalog().demo,
            me.me(),
        ),
        team,
        forwarded,
        reason: lists.reason(&r.reason).map_or(r.reason.clone(), |x| {
            x.label_in(lang == Lang::En).to_string()
        }),
        state: tr.t(&format!("state-{}", r.state.code())),
        outcome: r.outcome.as_deref().map(outcome).unwrap_or_default(),
        lines: f
            .events
            .iter()
            .rev()
            .map(|e| FollowLine {
                at: kapstok_domain::calendar::local(&e.at),
                state: tr.t(&format!("state-{}", e.to.code())),
                outcome: e.outcome.as_deref().map(outcome).unwrap_or_default(),
            })
            .collect(),
    };
    render::ok(&page, lang)
}
