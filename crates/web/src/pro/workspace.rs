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
