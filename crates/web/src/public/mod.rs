//! The public site: pages for carers and anyone looking for help. No sign-in.

pub mod activities;
pub mod booklet;
pub mod consent;
pub mod contact;
pub mod correction;
pub mod home;
pub mod respite;
pub mod search;
pub mod selfcheck;
pub mod service;

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};

/// The public pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/zoeken", get(search::search_page))
        .route("/functies", get(home::functions))
        .route("/gebieden", get(home::areas))
        .route("/aanbod/{id}", get(service::service_page))
        .route(
            "/aanbod/{id}/klopt-er-iets-niet",
            get(correction::form).post(correction::submit),
        )
        .route("/organisaties/{id}", get(service::organization_page))
        .route("/afdrukken", get(service::print_page))
        .route("/boekje", get(booklet::page))
        .route("/boekje/gemeente.pdf", get(booklet::whole))
        .route("/boekje/gebied/{file}", get(booklet::area))
        .route("/taal/{lang}", get(home::switch_language))
        .route("/respijtwijzer", get(respite::start))
        .route("/respijtwijzer/vraag", get(respite::question))
        .route("/respijtwijzer/resultaat", get(respite::result))
        .route("/mantelzorgtest", get(selfcheck::list))
        .route(
            "/mantelzorgtest/{id}",
            get(selfcheck::form).post(selfcheck::submit),
        )
        .route("/toestemming", get(consent::form).post(consent::submit))
        .route("/neem-contact-op", get(contact::form).post(contact::submit))
        .route("/toestemming/{code}", get(consent::receipt))
        .route("/toestemming/{code}/intrekken", post(consent::withdraw))
        .route("/activiteiten", get(activities::list))
        .route("/activiteiten/{id}", get(activities::page))
        .route("/activiteiten/{id}/aanmelden", post(activities::register))
        .route(
            "/activiteiten/{id}/agenda.ics",
            get(activities::activity_calendar),
        )
        .route(
            "/activiteiten/afmelden/{token}",
            get(activities::cancel_form).post(activities::cancel),
        )
        .route("/agenda/activiteiten.ics", get(activities::feed_all))
        .route("/agenda/{by}/{file}", get(activities::feed_of))
        .route("/static/kapstok.css", get(home::stylesheet))
}
