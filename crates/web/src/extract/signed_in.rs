//! Who is asking on the professional side: a user whose session is checked on every request
//! (the account still active, the absolute term not passed), with the session's form token.

use crate::error::PageError;
use crate::extract::Visitor;
use crate::extract::params::{Pairs, query_string};
use crate::redirect::{LocalPath, see_other};
use crate::session;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use kapstok_app::Actor;
use kapstok_domain::account::User;
use tower_sessions::Session;

/// A signed-in user. Handlers that need more (a beheerder, a team member) ask the application
/// for that capability with [`SignedIn::actor`]; it is `None` without the role.
pub struct SignedIn {
    pub actor: Actor,
    pub session: Session,
    pub csrf: String,
    pub visitor: Visitor,
    /// The client's address (for the access log).
    pub origin: String,
}

impl SignedIn {
    pub fn user(&self) -> &User {
        self.actor
            .signed_in()
            .expect("made from a signed-in actor only")
    }

    /// The header's sign-out button and name.
    pub fn me(&self) -> crate::views::Me {
        crate::views::Me {
            name: self.user().name.clone(),
            csrf: self.csrf.clone(),
        }
    }

    /// A form of this session: its token must match, else 403 (a request from another site,
    /// or a form left open in a session that ended).
    pub fn check_form(&self, form: &Pairs) -> Result<(), PageError> {
        if same_token(form.get("csrf").unwrap_or(""), &self.csrf) {
            Ok(())
        } else {
            Err(PageError::new(
                crate::error::AppError::Refused(StatusCode::FORBIDDEN),
                self.visitor.lang,
            ))
        }
    }
}

/// Compares two tokens in time that does not depend on where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && !b.is_empty()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The session's form token, made on first use.
pub async fn csrf_token(session: &Session) -> Result<String, tower_sessions::session::Error> {
    if let Some(t) = session.get::<String>(session::CSRF).await? {
        return Ok(t);
    }
    let token = kapstok_app::accounts::random_hex(32);
    session.insert(session::CSRF, &token).await?;
    Ok(token)
}

/// To the sign-in page, coming back here afterwards.
pub fn to_sign_in(back: &str) -> Response {
    let target = format!("/inloggen{}", query_string([("terug", back)]));
    see_other(&LocalPath::parse_or_home(Some(&target)))
}

fn session_failed(lang: crate::i18n::Lang) -> Response {
    PageError::new(
        crate::error::AppError::Refused(StatusCode::SERVICE_UNAVAILABLE),
        lang,
    )
    .into_response()
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let visitor = Visitor::from_request_parts(parts, state)
            .await
            .unwrap_or_else(|never| match never {});
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| session_failed(visitor.lang))?;
        let user = session.get::<String>(session::USER).await;
        let since = session.get::<i64>(session::SINCE).await;
        let (Ok(Some(user)), Ok(Some(since))) = (user, since) else {
            return Err(to_sign_in(&visitor.path_and_query));
        };
        let origin = crate::guard::client_from(
            &parts.extensions,
            &parts.headers,
            &state.web.trusted_proxies,
        )
        .to_string();
        let actor = state
            .app()
            .signed_in(&user, since, &origin)
            .await
            .map_err(|e| PageError::new(e, visitor.lang).into_response())?;
        // A role that needs a second factor, given after a sign-in without one: sign in again.
        let two_factor = session
            .get::<bool>(session::TWO_FACTOR)
            .await
            .ok()
            .flatten()
            .unwrap_or(false);
        let actor =
            actor.filter(|a| two_factor || !a.signed_in().is_some_and(|u| u.needs_second_factor()));
        let Some(actor) = actor else {
            // Deactivated, removed, past the 12-hour term, or short of a factor: it is over.
            let _ = session.flush().await;
            return Err(to_sign_in(&visitor.path_and_query));
        };
        let csrf = csrf_token(&session)
            .await
            .map_err(|_| session_failed(visitor.lang))?;
        Ok(SignedIn {
            actor,
            session,
            csrf,
            visitor,
            origin,
        })
    }
}

/// The client's address, as the access log records it.
pub struct ClientOrigin(pub std::net::IpAddr);

impl FromRequestParts<AppState> for ClientOrigin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientOrigin(crate::guard::client_from(
            &parts.extensions,
            &parts.headers,
            &state.web.trusted_proxies,
        )))
    }
}
