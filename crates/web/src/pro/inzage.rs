//! The carer's right of access, produced by their team: everyone who viewed or changed their
//! referral (every team's task of it), from the access log, as a page to print and hand over.

use crate::error::PageError;
use crate::extract::SignedIn;
use crate::i18n::{Lang, Tr};
use crate::pro::admin::plain_id;
use crate::pro::inbox::inbox_of;
use crate::render::{self, InLang};
use crate::state::AppState;
use crate::views::Layout;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use kapstok_app::receipts::{AccessLine, AccessReport, CARER_ROLE};
use kapstok_domain::calendar::local;

/// One line as people read it.
pub struct ReportLine {
    pub at: String,
    pub who: String,
    pub role: String,
    pub action: String,
    pub reference: String,
    pub permitted: bool,
}

/// The report's lines in the visitor's language (the carer's own page uses them too).
pub fn report_lines(state: &AppState, lang: Lang, report: &AccessReport) -> Vec<ReportLine> {
    let tr = Tr { lang };
    report
        .lines
        .iter()
        .map(|l: &AccessLine| {
            let role = match l.role.as_deref() {
                Some(CARER_ROLE) => tr.t("access-carer"),
                Some(r) => kapstok_domain::account::Role::parse(r).map_or(r.to_string(), |role| {
                    crate::views::role_label(state, lang, role)
                }),
                None => String::new(),
            };
            ReportLine {
                at: local(&l.at),
                who: match (&l.who, l.role.as_deref()) {
                    (Some(name), _) => name.clone(),
                    (None, Some(CARER_ROLE)) => tr.t("access-carer-self"),
                    (None, _) => tr.t("access-system"),
                },
                role: match &l.team {
                    Some(team) if !role.is_empty() => format!("{role}, {team}"),
                    Some(team) => team.clone(),
                    None => role,
                },
                action: tr.t(&format!("log-action-{}", l.action.code())),
                reference: l.reference.clone().unwrap_or_default(),
                permitted: l.permitted,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "referral_access.html")]
struct AccessPage {
    l: Layout,
    back: String,
    printed: String,
    lines: Vec<ReportLine>,
    cut: bool,
}

pub async fn page(
    State(state): State<AppState>,
    me: SignedIn,
    Path((team, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let inbox = inbox_of(&state, &me, &team).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let id = plain_id(&id, lang)?;
    let Some(report) = inbox.access_report(id).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    let report = report.into_value();
    let references = report
        .referrals
        .iter()
        .map(|r| r.reference.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let page = AccessPage {
        l: Layout::signed_in(
            &me.visitor,
            format!("{} {references}", tr.t("access-title")),
            state.catalog().demo,
            me.me(),
        ),
        back: format!("/werk/teams/{}/verwijzingen/{id}", inbox.team()),
        printed: local(&kapstok_domain::audit::timestamp(
            time::OffsetDateTime::now_utc(),
        )),
        lines: report_lines(&state, lang, &report),
        cut: report.cut,
    };
    render::ok(&page, lang)
}
