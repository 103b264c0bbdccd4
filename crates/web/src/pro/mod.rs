//! The professional side: signing in (password, second factor, invitations) and what signed-in
//! users do. Every page here needs a session; the session middleware wraps these routes only,
//! so the public site never reads or writes one.

pub mod access_log;
pub mod admin;
pub mod forward;
pub mod inbox;
pub mod inzage;
pub mod referrals;
pub mod sign_in;
pub mod workspace;

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};

/// Paths of the professional side: never stored by caches.
const PREFIXES: [&str; 5] = [
    "/inloggen",
    "/uitloggen",
    "/uitnodiging",
    "/werk",
    "/beheer",
];

pub fn is_pro_path(path: &str) -> bool {
    PREFIXES
        .iter()
        .any(|p| path == *p || path.strip_prefix(p).is_some_and(|r| r.starts_with('/')))
}

/// The routes with their session middleware.
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/inloggen", get(sign_in::form).post(sign_in::submit))
        .route(
            "/inloggen/code",
            get(sign_in::code_form).post(sign_in::code_submit),
        )
        .route(
            "/inloggen/instellen",
            get(sign_in::setup_form).post(sign_in::setup_submit),
        )
        .route(
            "/uitnodiging/{token}",
            get(sign_in::invitation_form).post(sign_in::invitation_submit),
        )
        .route(
            "/wachtwoord-vergeten",
            get(sign_in::forgot_form).post(sign_in::forgot_submit),
        )
        .route(
            "/herstel/{token}",
            get(sign_in::reset_form).post(sign_in::reset_submit),
        )
        .route("/uitloggen", post(workspace::sign_out))
        .route("/uitloggen/overal", post(workspace::sign_out_everywhere))
        .route("/werk", get(workspace::home))
        .route("/werk/activiteit", get(access_log::own))
        .route(
            "/werk/verwijzen",
            get(referrals::form).post(referrals::submit),
        )
        .route("/werk/verwijzingen", get(referrals::mine))
        .route("/werk/teams/{id}", get(workspace::team))
        .route("/werk/verwijzingen/{ref}", get(referrals::follow))
        .route("/werk/teams/{id}/verwijzingen", get(inbox::list))
        .route("/werk/teams/{id}/verwijzingen/{ref}", get(inbox::file))
        .route(
            "/werk/teams/{id}/verwijzingen/{ref}/stap",
            post(inbox::step),
        )
        .route(
            "/werk/teams/{id}/verwijzingen/{ref}/toewijzen",
            post(inbox::assign),
        )
        .route(
            "/werk/teams/{id}/verwijzingen/{ref}/notitie",
            post(inbox::note),
        )
        .route(
            "/werk/teams/{id}/verwijzingen/{ref}/doorsturen",
            get(forward::form).post(forward::submit),
        )
        .route(
            "/werk/teams/{id}/verwijzingen/{ref}/inzage",
            get(inzage::page),
        )
        .route("/toegangslog", get(access_log::page))
        .route("/toegangslog/export", get(access_log::export))
        .route("/beheer/gebruikers", get(admin::users).post(admin::invite))
        .route(
            "/beheer/gebruikers/{id}",
            get(admin::user).post(admin::save_user),
        )
        .route(
            "/beheer/gebruikers/{id}/deactiveren",
            post(admin::deactivate),
        )
        .route("/beheer/gebruikers/{id}/activeren", post(admin::activate))
        .route("/beheer/gebruikers/{id}/link", post(admin::send_link))
        .route("/beheer/teams", get(admin::teams).post(admin::add_team))
        .route(
            "/beheer/teams/{id}",
            get(admin::team).post(admin::save_team),
        )
        .route(
            "/beheer/gebieden",
            get(admin::areas).post(admin::replace_areas),
        )
        .route("/beheer/mail", get(admin::outbox))
        .layer(crate::session::layer(
            state.app().sessions(),
            state.web.https(),
        ))
}
