//! The professional side: signing in (password, second factor, invitations) and what signed-in
//! users do. Every page here needs a session; the session middleware wraps these routes only,
//! so the public site never reads or writes one.

pub mod access_log;
pub mod activities;
pub mod admin;
pub mod dashboard;
pub mod forward;
pub mod inbox;
pub mod inzage;
pub mod map_edit;
pub mod map_review;
pub mod referrals;
pub mod sign_in;
pub mod signals;
pub mod vocabulary;
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

/// Editing the social map, and the steunpunt's review.
fn map_routes() -> Router<AppState> {
    let r = Router::new()
        .route("/werk/kaart", get(map_edit::list))
        .route(
            "/werk/kaart/aanbod/{id}",
            get(map_edit::service_form).post(map_edit::service_save),
        )
        .route(
            "/werk/kaart/aanbod/{id}/gecontroleerd",
            post(map_edit::confirm),
        )
        .route(
            "/werk/kaart/organisaties/{id}",
            get(map_edit::organization_form).post(map_edit::organization_save),
        )
        .route("/werk/kaart/controle", get(map_edit::due))
        .route(
            "/werk/kaart/tabel",
            get(map_edit::table).post(map_edit::table_upload),
        )
        .route(
            "/werk/kaart/tabel/sociale-kaart.csv",
            get(map_edit::table_download),
        )
        .route("/werk/kaart/indelingen", get(vocabulary::list))
        .route(
            "/werk/kaart/indelingen/{taxonomy}",
            get(vocabulary::taxonomy_form).post(vocabulary::taxonomy_save),
        )
        .route(
            "/werk/kaart/indelingen/{taxonomy}/nieuw",
            get(vocabulary::new_term_form).post(vocabulary::new_term_save),
        )
        .route(
            "/werk/kaart/indelingen/{taxonomy}/termen/{term}",
            get(vocabulary::term_form).post(vocabulary::term_save),
        )
        .route("/werk/kaart/zoekwoorden", get(vocabulary::words))
        .route(
            "/werk/kaart/zoekwoorden/{list}",
            post(vocabulary::words_save),
        )
        .route(
            "/werk/kaart/zoekwoorden/{list}/standaard",
            post(vocabulary::words_reset),
        )
        .route("/werk/kaart/voorstellen", get(map_review::suggestions))
        .route(
            "/werk/kaart/voorstellen/{id}",
            get(map_review::suggestion).post(map_review::decide),
        )
        .route("/werk/kaart/meldingen", get(map_review::corrections))
        .route(
            "/werk/kaart/meldingen/{id}",
            get(map_review::correction).post(map_review::answer),
        );
    r.route(
        "/werk/kaart/aanbod/{id}/geschiedenis",
        get(|s, me, p| map_edit::history("aanbod", s, me, p)),
    )
    .route(
        "/werk/kaart/aanbod/{id}/geschiedenis/{seq}",
        get(|s, me, p| map_edit::version("aanbod", s, me, p)),
    )
    .route(
        "/werk/kaart/aanbod/{id}/geschiedenis/{seq}/terugzetten",
        post(|s, me, p, b| map_edit::restore("aanbod", s, me, p, b)),
    )
    .route(
        "/werk/kaart/organisaties/{id}/geschiedenis",
        get(|s, me, p| map_edit::history("organisaties", s, me, p)),
    )
    .route(
        "/werk/kaart/organisaties/{id}/geschiedenis/{seq}",
        get(|s, me, p| map_edit::version("organisaties", s, me, p)),
    )
    .route(
        "/werk/kaart/organisaties/{id}/geschiedenis/{seq}/terugzetten",
        post(|s, me, p, b| map_edit::restore("organisaties", s, me, p, b)),
    )
}

/// The coördinator's activities, and the professionals' list.
fn activity_routes() -> Router<AppState> {
    Router::new()
        .route("/werk/activiteiten", get(activities::list))
        .route(
            "/werk/activiteiten/nieuw",
            get(activities::new_form).post(activities::create),
        )
        .route("/werk/activiteiten/bereik", get(activities::reach))
        .route(
            "/werk/activiteiten/{id}",
            get(activities::edit_form).post(activities::save),
        )
        .route(
            "/werk/activiteiten/{id}/volgend-jaar",
            post(activities::next_year),
        )
        .route(
            "/werk/activiteiten/{id}/datums/{key}",
            get(activities::date),
        )
        .route(
            "/werk/activiteiten/{id}/datums/{key}/aanwezig",
            post(activities::attendance),
        )
        .route(
            "/werk/activiteiten/{id}/datums/{key}/vervalt",
            post(activities::cancel_date),
        )
        .route(
            "/werk/activiteiten/{id}/datums/{key}/verplaatsen",
            post(activities::move_date),
        )
        .route(
            "/werk/activiteiten/{id}/datums/{key}/deelnemers.csv",
            get(activities::export),
        )
        .route(
            "/werk/activiteiten/{id}/datums/{key}/bewijs/{registration}",
            get(activities::certificate),
        )
        .route("/werk/scholing", get(activities::mine))
        .route("/werk/scholing/groep", post(activities::set_group))
        .route("/werk/scholing/{id}", get(activities::mine_page))
        .route(
            "/werk/scholing/{id}/aanmelden",
            post(activities::mine_register),
        )
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
        .merge(map_routes())
        .merge(activity_routes())
        .route("/werk/signalen", get(signals::mine))
        .route(
            "/werk/signalen/nieuw",
            get(signals::new_form).post(signals::create),
        )
        .route("/werk/signalen/ontvangen", get(signals::received))
        .route("/werk/signalen/ontvangen/groeperen", post(signals::group))
        .route(
            "/werk/signalen/ontvangen/{id}",
            get(signals::file).post(signals::step),
        )
        .route("/werk/signalen/rapport", get(signals::report))
        .route("/werk/dashboard", get(dashboard::page))
        .route("/werk/dashboard/rapport", get(dashboard::report))
        .route("/werk/dashboard/{file}", get(dashboard::csv))
        .route("/werk/signalen/{id}", get(signals::follow))
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
