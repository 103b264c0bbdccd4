//! A signed-in user's own page ("Mijn Kapstok"): who they are, their roles in their teams, and
//! signing out here or everywhere.

use crate::error::PageError;
use crate::extract::SignedIn;
use crate::extract::params::Pairs;
use crate::i18n::Tr;
use crate::redirect::{LocalPath, see_other};
use crate::render::{self, InLang};
use crate::state::AppState;
use crate::views::Layout;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use kapstok_app::Workspace;

pub struct RoleLine {
    pub role: String,
    pub team: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "workspace.html")]
struct HomePage {
    l: Layout,
    name: String,
    email: String,
    roles: Vec<RoleLine>,
    csrf: String,
    has_totp: bool,
    recovery_left: usize,
    /// What the user's roles open: (address, label).
    links: Vec<(String, String)>,
}

fn workspace(state: &AppState, me: &SignedIn) -> Result<Workspace, PageError> {
    state.app().workspace(&me.actor).ok_or_else(|| {
        PageError::new(
            crate::error::AppError::Refused(StatusCode::FORBIDDEN),
            me.visitor.lang,
        )
    })
}

pub async fn home(State(state): State<AppState>, me: SignedIn) -> Result<Response, PageError> {
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let ws = workspace(&state, &me)?;
    let teams = ws.teams().await.in_lang(lang)?;
    let user = ws.user();
    let roles = user
        .memberships
        .iter()
        .map(|m| RoleLine {
            role: crate::views::role_label(&state, lang, m.role),
            href: format!("/werk/teams/{}", m.team),
            team: teams
                .iter()
                .find(|t| t.id == m.team)
                .map_or_else(|| m.team.to_string(), |t| t.name.clone()),
        })
        .collect();
    let page = HomePage {
        l: Layout::signed_in(
            &me.visitor,
            tr.t("workspace-title"),
            state.catalog().demo,
            me.me(),
        ),
        name: user.name.clone(),
        email: user.email.to_string(),
        roles,
        csrf: me.csrf.clone(),
        has_totp: user.has_totp,
        recovery_left: ws.recovery_codes_left().await.in_lang(lang)?,
        links: {
            let mut links = Vec::new();
            if state.app().account_admin(&me.actor).is_some() {
                for (href, key) in [
                    ("/beheer/gebruikers", "admin-users-title"),
                    ("/beheer/teams", "admin-teams-title"),
                    ("/beheer/gebieden", "admin-areas-title"),
                    ("/beheer/mail", "admin-mail-title"),
                ] {
                    links.push((href.to_string(), tr.t(key)));
                }
            }
            if state.app().activity_desk(&me.actor).is_some() {
                links.push(("/werk/activiteiten".to_string(), tr.t("act-desk-title")));
            }
            links.push(("/werk/scholing".to_string(), tr.t("act-mine-title")));
            links.push(("/werk/signalen".to_string(), tr.t("sig-title")));
            links.push((
                "/werk/signalen/ontvangen".to_string(),
                tr.t("sig-inbox-title"),
            ));
            if state.app().dashboard(&me.actor).is_some() {
                links.push(("/werk/dashboard".to_string(), tr.t("dash-title")));
            }
            if state.app().signal_report(&me.actor).is_some() {
                links.push((
                    "/werk/signalen/rapport".to_string(),
                    tr.t("sig-report-title"),
                ));
            }
            if state.app().referral_desk(&me.actor).is_some() {
                links.push(("/werk/verwijzen".to_string(), tr.t("ref-title")));
                links.push(("/werk/verwijzingen".to_string(), tr.t("ref-mine-title")));
            }
            // Each team whose inbox this user works.
            let mut inboxes: Vec<&kapstok_domain::ids::TeamId> = user
                .memberships
                .iter()
                .filter(|m| state.app().team_inbox(&me.actor, &m.team).is_some())
                .map(|m| &m.team)
                .collect();
            inboxes.dedup();
            for team in inboxes {
                let name = teams
                    .iter()
                    .find(|t| &t.id == team)
                    .map_or_else(|| team.to_string(), |t| t.name.clone());
                links.push((
                    format!("/werk/teams/{team}/verwijzingen"),
                    format!("{} · {name}", tr.t("inbox-title")),
                ));
            }
            if let Some(ed) = state.app().map_editor(&me.actor).await.in_lang(lang)? {
                links.push(("/werk/kaart".to_string(), tr.t("edit-title")));
                if ed.publishes() {
                    for (href, key) in [
                        ("/werk/kaart/voorstellen", "review-suggestions-title"),
                        ("/werk/kaart/meldingen", "review-corrections-title"),
                        ("/werk/kaart/controle", "edit-due-title"),
                    ] {
                        links.push((href.to_string(), tr.t(key)));
                    }
                }
            }
            if state.app().access_log_reader(&me.actor).is_some() {
                links.push(("/toegangslog".to_string(), tr.t("log-title")));
            }
            links
        },
    };
    render::ok(&page, lang)
}

fn signed_out() -> Response {
    see_other(&LocalPath::parse_or_home(Some("/inloggen?afgemeld=1")))
}

pub async fn sign_out(
    State(state): State<AppState>,
    me: SignedIn,
    body: Bytes,
) -> Result<Response, PageError> {
    me.check_form(&Pairs::parse(&String::from_utf8_lossy(&body)))?;
    workspace(&state, &me)?
        .signed_out()
        .await
        .in_lang(me.visitor.lang)?;
    let _ = me.session.flush().await;
    Ok(signed_out())
}

pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    me: SignedIn,
    body: Bytes,
) -> Result<Response, PageError> {
    me.check_form(&Pairs::parse(&String::from_utf8_lossy(&body)))?;
    workspace(&state, &me)?
        .sign_out_everywhere()
        .await
        .in_lang(me.visitor.lang)?;
    let _ = me.session.flush().await;
    Ok(signed_out())
}

pub struct MemberLine {
    pub name: String,
    pub email: String,
    pub roles: String,
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    l: Layout,
    name: String,
    areas: String,
    members: Vec<MemberLine>,
    /// The team's inbox, for those who work it.
    inbox: Option<String>,
}

/// A team's page for its members: who is in it (and in which roles) and the areas it serves.
pub async fn team(
    State(state): State<AppState>,
    me: SignedIn,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, PageError> {
    let lang = me.visitor.lang;
    let id = crate::pro::admin::team_id(&id, lang)?;
    let capability = state.app().team_view(&me.actor, &id);
    let view = crate::pro::admin::granted(
        &state,
        &me,
        capability,
        kapstok_domain::audit::RecordKind::Team,
    )
    .await?;
    let Some(team) = view.team().await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    let members = view.members().await.in_lang(lang)?.into_value();
    let areas = state.catalog().geo.areas.clone();
    let page = TeamPage {
        l: Layout::signed_in(
            &me.visitor,
            team.name.clone(),
            state.catalog().demo,
            me.me(),
        ),
        name: team.name.clone(),
        inbox: state
            .app()
            .team_inbox(&me.actor, &team.id)
            .map(|_| format!("/werk/teams/{}/verwijzingen", team.id)),
        areas: team
            .areas
            .iter()
            .map(|c| {
                areas
                    .iter()
                    .find(|a| &a.code == c)
                    .map_or(c.clone(), |a| a.name.clone())
            })
            .collect::<Vec<_>>()
            .join(", "),
        members: members
            .iter()
            .map(|u| MemberLine {
                name: u.name.clone(),
                email: u.email.to_string(),
                roles: u
                    .memberships
                    .iter()
                    .filter(|m| m.team == team.id)
                    .map(|m| crate::views::role_label(&state, lang, m.role))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
    };
    render::ok(&page, lang)
}
