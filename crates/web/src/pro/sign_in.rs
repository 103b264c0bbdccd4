//! Signing in: the password, the second factor (a code, or a recovery code), setting one up,
//! and choosing a password through an invitation link. One answer for every failure, so the
//! pages never tell whether an address has an account.

use crate::error::{AppError, PageError};
use crate::extract::Visitor;
use crate::extract::params::Pairs;
use crate::extract::signed_in::{ClientOrigin, csrf_token, same_token};
use crate::i18n::Tr;
use crate::redirect::{LocalPath, see_other};
use crate::render::{self, InLang};
use crate::session::{self, PENDING_SECONDS, Pending};
use crate::state::AppState;
use crate::views::Layout;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kapstok_app::accounts::{Link, LinkProblem, Step};
use kapstok_domain::account::PasswordProblem;
use kapstok_domain::ids::UserId;
use tower_sessions::Session;

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Session trouble (the database is away): a 503 page.
fn session_error(lang: crate::i18n::Lang) -> impl Fn(tower_sessions::session::Error) -> PageError {
    move |_| PageError::new(AppError::Refused(StatusCode::SERVICE_UNAVAILABLE), lang)
}

fn forbidden(lang: crate::i18n::Lang) -> PageError {
    PageError::new(AppError::Refused(StatusCode::FORBIDDEN), lang)
}

/// The form's token against the session's.
async fn check_csrf(
    session: &Session,
    form: &Pairs,
    lang: crate::i18n::Lang,
) -> Result<(), PageError> {
    let expected = session
        .get::<String>(session::CSRF)
        .await
        .map_err(session_error(lang))?
        .unwrap_or_default();
    if same_token(form.get("csrf").unwrap_or(""), &expected) {
        Ok(())
    } else {
        Err(forbidden(lang))
    }
}

/// Where to go after signing in: a path on this site, else the workspace.
fn back_target(raw: Option<&str>) -> String {
    raw.and_then(LocalPath::parse)
        .filter(|p| !p.as_str().starts_with("/inloggen") && !p.as_str().starts_with("/uitloggen"))
        .map_or_else(|| "/werk".to_string(), |p| p.as_str().to_string())
}

/// The last step of every sign-in: a new session id, the user in it, a fresh form token.
async fn complete(
    session: &Session,
    user: &UserId,
    two_factor: bool,
    lang: crate::i18n::Lang,
) -> Result<(), PageError> {
    let e = session_error(lang);
    session.cycle_id().await.map_err(&e)?;
    session.remove_value(session::PENDING).await.map_err(&e)?;
    session
        .remove_value(session::TOTP_SETUP)
        .await
        .map_err(&e)?;
    session.remove_value(session::CSRF).await.map_err(&e)?;
    session
        .insert(session::USER, user.as_str())
        .await
        .map_err(&e)?;
    session.insert(session::SINCE, now()).await.map_err(&e)?;
    session
        .insert(session::TWO_FACTOR, two_factor)
        .await
        .map_err(&e)?;
    csrf_token(session).await.map_err(&e)?;
    Ok(())
}

async fn pending(session: &Session, lang: crate::i18n::Lang) -> Result<Option<Pending>, PageError> {
    Ok(session
        .get::<Pending>(session::PENDING)
        .await
        .map_err(session_error(lang))?
        .filter(|p| now() - p.at < PENDING_SECONDS))
}

/// The code typed in (a six-digit code or a recovery code; more is not read).
fn typed_code(form: &Pairs) -> String {
    form.get("code").unwrap_or("").chars().take(40).collect()
}

fn to(path: &str) -> Response {
    see_other(&LocalPath::parse_or_home(Some(path)))
}

pub struct DemoAccount {
    pub email: String,
    pub roles: String,
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    l: Layout,
    csrf: String,
    email: String,
    back: String,
    error: Option<String>,
    notice: Option<String>,
    demo: Option<(Vec<DemoAccount>, &'static str)>,
}

/// What the sign-in form shows besides its fields' labels.
#[derive(Default)]
struct Shown {
    email: String,
    back: String,
    error: Option<String>,
    notice: Option<String>,
}

async fn render_sign_in(
    state: &AppState,
    visitor: &Visitor,
    session: &Session,
    shown: Shown,
    status: StatusCode,
) -> Result<Response, PageError> {
    let tr = Tr { lang: visitor.lang };
    let csrf = csrf_token(session)
        .await
        .map_err(session_error(visitor.lang))?;
    let demo = state
        .app()
        .demo_accounts()
        .await
        .in_lang(visitor.lang)?
        .map(|(users, password)| {
            let accounts = users
                .iter()
                .map(|u| DemoAccount {
                    email: u.email.to_string(),
                    roles: u
                        .memberships
                        .iter()
                        .map(|m| crate::views::role_label(state, visitor.lang, m.role))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
                .collect();
            (accounts, password)
        });
    let page = SignInPage {
        l: Layout::new(visitor, tr.t("sign-in-title"), state.catalog().demo),
        csrf,
        email: shown.email,
        back: shown.back,
        error: shown.error,
        notice: shown.notice,
        demo,
    };
    render::page(&page, status, visitor.lang)
}

pub async fn form(
    State(state): State<AppState>,
    visitor: Visitor,
    session: Session,
    query: Pairs,
) -> Result<Response, PageError> {
    let tr = Tr { lang: visitor.lang };
    let back = back_target(query.get("terug"));
    if session
        .get::<String>(session::USER)
        .await
        .map_err(session_error(visitor.lang))?
        .is_some()
    {
        return Ok(to(&back));
    }
    let notice = if query.get("afgemeld").is_some() {
        Some(tr.t("sign-in-signed-out"))
    } else if query.get("welkom").is_some() {
        Some(tr.t("sign-in-password-set"))
    } else if query.get("hersteld").is_some() {
        Some(tr.t("sign-in-password-reset"))
    } else {
        None
    };
    render_sign_in(
        &state,
        &visitor,
        &session,
        Shown {
            back,
            notice,
            ..Shown::default()
        },
        StatusCode::OK,
    )
    .await
}

pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    session: Session,
    ClientOrigin(client): ClientOrigin,
    body: Bytes,
) -> Result<Response, PageError> {
    let tr = Tr { lang: visitor.lang };
    let form = Pairs::parse(&String::from_utf8_lossy(&body));
    check_csrf(&session, &form, visitor.lang).await?;
    let email = form
        .get("email")
        .unwrap_or("")
        .chars()
        .take(254)
        .collect::<String>();
    let back = back_target(form.get("terug"));
    if !state.sign_in_throttle.allow(client) {
        return render_sign_in(
            &state,
            &visitor,
            &session,
            Shown {
                email,
                back,
                error: Some(tr.t("sign-in-too-many")),
                notice: None,
            },
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    let step = state
        .app()
        .sign_in()
        .password(&email, form.raw("password"), &client.to_string())
        .await
        .in_lang(visitor.lang)?;
    let e = session_error(visitor.lang);
    match step {
        Ok(Step::Done(user)) => {
            complete(&session, &user, false, visitor.lang).await?;
            Ok(to(&back))
        }
        Ok(ref next @ (Step::SecondFactor(ref user) | Step::SetUpSecondFactor(ref user))) => {
            let set_up = matches!(next, Step::SetUpSecondFactor(_));
            session.cycle_id().await.map_err(&e)?;
            // A setup left by someone before on this browser is not theirs.
            session
                .remove_value(session::TOTP_SETUP)
                .await
                .map_err(&e)?;
            session
                .insert(
                    session::PENDING,
                    Pending {
                        user: user.to_string(),
                        set_up,
                        at: now(),
                        back,
                    },
                )
                .await
                .map_err(&e)?;
            Ok(to(if set_up {
                "/inloggen/instellen"
            } else {
                "/inloggen/code"
            }))
        }
        Err(_) => {
            render_sign_in(
                &state,
                &visitor,
                &session,
                Shown {
                    email,
                    back,
                    error: Some(tr.t("sign-in-refused")),
                    notice: None,
                },
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "sign_in_code.html")]
struct CodePage {
    l: Layout,
    csrf: String,
    error: Option<String>,
    demo_code: Option<String>,
}

async fn render_code(
    state: &AppState,
    visitor: &Visitor,
    session: &Session,
    p: &Pending,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let tr = Tr { lang: visitor.lang };
    let page = CodePage {
        l: Layout::new(visitor, tr.t("code-title"), state.catalog().demo),
        csrf: csrf_token(session)
            .await
            .map_err(session_error(visitor.lang))?,
        error,
        demo_code: state.app().demo_code(&p.user).await.in_lang(visitor.lang)?,
    };
    render::page(&page, status, visitor.lang)
}

pub async fn code_form(
    State(state): State<AppState>,
    visitor: Visitor,
    session: Session,
) -> Result<Response, PageError> {
    match pending(&session, visitor.lang).await? {
        Some(p) if p.set_up => Ok(to("/inloggen/instellen")),
        Some(p) => render_code(&state, &visitor, &session, &p, None, StatusCode::OK).await,
        None => Ok(to("/inloggen")),
    }
}

pub async fn code_submit(
    State(state): State<AppState>,
    visitor: Visitor,
    session: Session,
    ClientOrigin(client): ClientOrigin,
    body: Bytes,
) -> Result<Response, PageError> {
    let tr = Tr { lang: visitor.lang };
    let form = Pairs::parse(&String::from_utf8_lossy(&body));
    check_csrf(&session, &form, visitor.lang).await?;
    let Some(p) = pending(&session, visitor.lang).await?.filter(|p| !p.set_up) else {
        return Ok(to("/inloggen"));
    };
    if !state.sign_in_throttle.allow(client) {
        return render_code(
            &state,
            &visitor,
            &session,
            &p,
            Some(tr.t("sign-in-too-many")),
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    let code = typed_code(&form);
    let result = state
        .app()
        .sign_in()
        .second_factor(&UserId::new(p.user.clone()), &code, &client.to_string())
        .await
        .in_lang(visitor.lang)?;
    match result {
        Ok(user) => {
            complete(&session, &user, true, visitor.lang).await?;
            Ok(to(&p.back))
        }
        Err(_) => {
            render_code(
                &state,
                &visitor,
                &session,
                &p,
                Some(tr.t("code-refused")),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "totp_setup.html")]
struct SetupPage {
    l: Layout,
    csrf: String,
    error: Option<String>,
    qr_svg: String,
    secret_groups: Vec<String>,
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct RecoveryPage {
    l: Layout,
    codes: Vec<String>,
    next: String,
}

async fn render_setup(
    state: &AppState,
    visitor: &Visitor,
    session: &Session,
    p: &Pending,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let tr = Tr { lang: visitor.lang };
    let e = session_error(visitor.lang);
    let account = state
        .app()
        .sign_in()
        .account_name(&UserId::new(p.user.clone()))
        .await
        .in_lang(visitor.lang)?;
    // One secret for the whole setup: reloading the page shows the same code to scan.
    let secret = match session
        .get::<String>(session::TOTP_SETUP)
        .await
        .map_err(&e)?
    {
        Some(s) => s,
        None => {
            let fresh = state.app().sign_in().new_totp(&account).secret;
            session
                .insert(session::TOTP_SETUP, &fresh)
                .await
                .map_err(&e)?;
            fresh
        }
    };
    let setup = state.app().sign_in().totp_for(&secret, &account);
    let page = SetupPage {
        l: Layout::new(visitor, tr.t("setup-title"), state.catalog().demo),
        csrf: csrf_token(session).await.map_err(&e)?,
        error,
        qr_svg: setup.qr_svg,
        secret_groups: secret
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect(),
    };
    render::page(&page, status, visitor.lang)
}

pub async fn setup_form(
    State(state): State<AppState>,
    visitor: Visitor,
    session: Session,
) -> Result<Response, PageError> {
    match pending(&session, visitor.lang).await? {
        Some(p) if p.set_up => {
            render_setup(&state, &visitor, &session, &p, None, StatusCode::OK).await
        }
        Some(_) => Ok(to("/inloggen/code")),
        None => Ok(to("/inloggen")),
    }
}

pub async fn setup_submit(
    State(state): State<AppState>,
    visitor: Visitor,
    session: Session,
    ClientOrigin(client): ClientOrigin,
    body: Bytes,
) -> Result<Response, PageError> {
    let tr = Tr { lang: visitor.lang };
    let form = Pairs::parse(&String::from_utf8_lossy(&body));
    check_csrf(&session, &form, visitor.lang).await?;
    let Some(p) = pending(&session, visitor.lang).await?.filter(|p| p.set_up) else {
        return Ok(to("/inloggen"));
    };
    let Some(secret) = session
        .get::<String>(session::TOTP_SETUP)
        .await
        .map_err(session_error(visitor.lang))?
    else {
        return Ok(to("/inloggen/instellen"));
    };
    if !state.sign_in_throttle.allow(client) {
        return render_setup(
            &state,
            &visitor,
            &session,
            &p,
            Some(tr.t("sign-in-too-many")),
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    let code = typed_code(&form);
    let result = state
        .app()
        .sign_in()
        .confirm_totp(
            &UserId::new(p.user.clone()),
            &secret,
            &code,
            &client.to_string(),
        )
        .await
        .in_lang(visitor.lang)?;
    match result {
        Ok(codes) => {
            complete(&session, &UserId::new(p.user.clone()), true, visitor.lang).await?;
            let page = RecoveryPage {
                l: Layout::new(&visitor, tr.t("recovery-title"), state.catalog().demo),
                codes,
                next: p.back.clone(),
            };
            render::ok(&page, visitor.lang)
        }
        Err(_) => {
            render_setup(
                &state,
                &visitor,
                &session,
                &p,
                Some(tr.t("code-refused")),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    l: Layout,
    csrf: String,
    action: String,
    intro: String,
    button: String,
    /// `None`: the link does not work (unknown, used or expired).
    name: Option<String>,
    errors: Vec<(String, String)>,
}

/// A link's secret as it must look (64 hex digits); anything else is not looked up.
fn plausible_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

pub fn password_message(tr: Tr, p: PasswordProblem) -> String {
    tr.t(match p {
        PasswordProblem::TooShort => "password-too-short",
        PasswordProblem::TooLong => "password-too-long",
        PasswordProblem::Common => "password-common",
        PasswordProblem::IsEmail => "password-is-email",
    })
}

/// The page of a link: an invitation (`/uitnodiging/…`) or a reset (`/herstel/…`).
fn link_page(purpose: Link) -> (&'static str, &'static str, &'static str, &'static str) {
    match purpose {
        Link::Invitation => (
            "/uitnodiging/",
            "invitation-title",
            "invitation-intro",
            "invitation-button",
        ),
        Link::Reset => ("/herstel/", "reset-title", "reset-intro", "reset-button"),
    }
}

async fn render_link(
    state: &AppState,
    visitor: &Visitor,
    session: &Session,
    token: &str,
    purpose: Link,
    errors: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let tr = Tr { lang: visitor.lang };
    let user = if plausible_token(token) {
        state
            .app()
            .sign_in()
            .link(token, purpose)
            .await
            .in_lang(visitor.lang)?
    } else {
        None
    };
    let status = match (&user, errors.is_empty()) {
        (None, _) => StatusCode::GONE,
        (Some(_), true) => StatusCode::OK,
        (Some(_), false) => StatusCode::BAD_REQUEST,
    };
    let (path, title, intro, button) = link_page(purpose);
    let page = InvitationPage {
        l: Layout::new(visitor, tr.t(title), state.catalog().demo),
        csrf: csrf_token(session)
            .await
            .map_err(session_error(visitor.lang))?,
        action: format!("{path}{token}"),
        intro: tr.t(intro),
        button: tr.t(button),
        name: user.map(|u| u.name),
        errors,
    };
    render::page(&page, status, visitor.lang)
}

async fn link_submit(
    state: &AppState,
    visitor: &Visitor,
    session: &Session,
    client: std::net::IpAddr,
    token: &str,
    purpose: Link,
    body: &Bytes,
) -> Result<Response, PageError> {
    let tr = Tr { lang: visitor.lang };
    let form = Pairs::parse(&String::from_utf8_lossy(body));
    check_csrf(session, &form, visitor.lang).await?;
    if !plausible_token(token) {
        return render_link(state, visitor, session, token, purpose, Vec::new()).await;
    }
    let (password, again) = (form.raw("password"), form.raw("password2"));
    if password != again {
        let errors = vec![("password2".into(), tr.t("password-mismatch"))];
        return render_link(state, visitor, session, token, purpose, errors).await;
    }
    let result = state
        .app()
        .sign_in()
        .accept_link(token, purpose, password, &client.to_string())
        .await
        .in_lang(visitor.lang)?;
    match result {
        Ok(_) => Ok(to(match purpose {
            Link::Invitation => "/inloggen?welkom=1",
            Link::Reset => "/inloggen?hersteld=1",
        })),
        Err(LinkProblem::NotValid) => {
            render_link(state, visitor, session, token, purpose, Vec::new()).await
        }
        Err(LinkProblem::Password(p)) => {
            let errors = vec![("password".into(), password_message(tr, p))];
            render_link(state, visitor, session, token, purpose, errors).await
        }
    }
}

pub async fn invitation_form(
    State(state): State<AppState>,
    visitor: Visitor,
    session: Session,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    render_link(
        &state,
        &visitor,
        &session,
        &token,
        Link::Invitation,
        Vec::new(),
    )
    .await
}

pub async fn invitation_submit(
    State(state): State<AppState>,
    visitor: Visitor,
    session: Session,
    ClientOrigin(client): ClientOrigin,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    link_submit(
        &state,
        &visitor,
        &session,
        client,
        &token,
        Link::Invitation,
        &body,
    )
    .await
}

pub async fn reset_form(
    State(state): State<AppState>,
    visitor: Visitor,
    session: Session,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    render_link(&state, &visitor, &session, &token, Link::Reset, Vec::new()).await
}

pub async fn reset_submit(
    State(state): State<AppState>,
    visitor: Visitor,
    session: Session,
    ClientOrigin(client): ClientOrigin,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    link_submit(
        &state,
        &visitor,
        &session,
        client,
        &token,
        Link::Reset,
        &body,
    )
    .await
}

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    l: Layout,
    csrf: String,
    sent: bool,
    error: Option<String>,
}

pub async fn forgot_form(
    State(state): State<AppState>,
    visitor: Visitor,
    session: Session,
) -> Result<Response, PageError> {
    let tr = Tr { lang: visitor.lang };
    let page = ForgotPage {
        l: Layout::new(&visitor, tr.t("forgot-title"), state.catalog().demo),
        csrf: csrf_token(&session)
            .await
            .map_err(session_error(visitor.lang))?,
        sent: false,
        error: None,
    };
    render::ok(&page, visitor.lang)
}

pub async fn forgot_submit(
    State(state): State<AppState>,
    visitor: Visitor,
    session: Session,
    ClientOrigin(client): ClientOrigin,
    body: Bytes,
) -> Result<Response, PageError> {
    let tr = Tr { lang: visitor.lang };
    let form = Pairs::parse(&String::from_utf8_lossy(&body));
    check_csrf(&session, &form, visitor.lang).await?;
    let email = form.get("email").unwrap_or("");
    let csrf = csrf_token(&session)
        .await
        .map_err(session_error(visitor.lang))?;
    if kapstok_domain::account::Email::parse(email).is_none() {
        let page = ForgotPage {
            l: Layout::new(&visitor, tr.t("forgot-title"), state.catalog().demo),
            csrf,
            sent: false,
            error: Some(tr.t("admin-error-email")),
        };
        return render::page(&page, StatusCode::BAD_REQUEST, visitor.lang);
    }
    // The same budget as signing in: this form must not probe addresses or flood mailboxes.
    if state.sign_in_throttle.allow(client) {
        state
            .app()
            .sign_in()
            .request_reset(email, &client.to_string());
    }
    let page = ForgotPage {
        l: Layout::new(&visitor, tr.t("forgot-title"), state.catalog().demo),
        csrf,
        sent: true,
        error: None,
    };
    render::ok(&page, visitor.lang)
}
