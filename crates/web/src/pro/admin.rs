//! The beheerder's pages: users (invite, roles in teams, deactivate, a new link), teams (areas
//! served), areas (postcode → area from CSV) and the outbox. Each handler gets the
//! `AccountAdmin` or `AreaAdmin` capability, which only a beheerder has.

use crate::error::{AppError, PageError};
use crate::extract::SignedIn;
use crate::extract::params::Pairs;
use crate::i18n::{Lang, Tr};
use crate::redirect::{LocalPath, see_other};
use crate::render::{self, InLang};
use crate::state::AppState;
use crate::views::Layout;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kapstok_app::AccountAdmin;
use kapstok_app::accounts::AddUserProblem;
use kapstok_app::mail::Delivery;
use kapstok_app::tables::{AreaAdmin, AreasProblem};
use kapstok_domain::account::{Membership, Role, Team, User};
use kapstok_domain::ids::{TeamId, UserId};

pub fn forbidden(lang: Lang) -> PageError {
    PageError::new(AppError::Refused(StatusCode::FORBIDDEN), lang)
}

/// A capability the user's roles do not give: the refusal is logged, then 403.
pub async fn granted<T>(
    state: &AppState,
    me: &SignedIn,
    capability: Option<T>,
    kind: kapstok_domain::audit::RecordKind,
) -> Result<T, PageError> {
    match capability {
        Some(c) => Ok(c),
        None => {
            let what = me.visitor.path_and_query.split('?').next().unwrap_or("");
            state
                .app()
                .record_refusal(&me.actor, kind, what)
                .await
                .in_lang(me.visitor.lang)?;
            Err(forbidden(me.visitor.lang))
        }
    }
}

async fn admin(state: &AppState, me: &SignedIn) -> Result<AccountAdmin, PageError> {
    let capability = state.app().account_admin(&me.actor);
    granted(
        state,
        me,
        capability,
        kapstok_domain::audit::RecordKind::Account,
    )
    .await
}

async fn area_admin(state: &AppState, me: &SignedIn) -> Result<AreaAdmin, PageError> {
    let capability = state.app().area_admin(&me.actor);
    granted(
        state,
        me,
        capability,
        kapstok_domain::audit::RecordKind::Team,
    )
    .await
}

pub(crate) fn form_of(body: &Bytes) -> Pairs {
    Pairs::parse(&String::from_utf8_lossy(body))
}

/// A form's values without its token.
pub(crate) fn values_of(form: &Pairs) -> Vec<(String, String)> {
    form.0
        .iter()
        .filter(|(k, _)| k != "csrf")
        .cloned()
        .collect()
}

/// The dates `van` and `tot` of a query as people type them, else `from` and `to`; a date
/// that cannot be read keeps its default and is named for the error summary.
pub(crate) fn period_of(
    q: &Pairs,
    tr: Tr,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
) -> (jiff::civil::Date, jiff::civil::Date, Vec<(String, String)>) {
    let mut errors = Vec::new();
    let mut day = |key: &'static str, default: jiff::civil::Date| match q.get(key) {
        None => default,
        Some(t) => kapstok_domain::activity_form::date_of(t).unwrap_or_else(|| {
            errors.push((
                key.to_string(),
                format!(
                    "{}: {}",
                    tr.t(&format!("edit-field-{key}")),
                    tr.t("edit-problem-date")
                ),
            ));
            default
        }),
    };
    let from = day("van", from);
    let to = day("tot", to);
    (from, to, errors)
}

pub(crate) fn to(path: &str) -> Response {
    see_other(&LocalPath::parse_or_home(Some(path)))
}

pub fn problem_text(tr: Tr, p: &AddUserProblem) -> String {
    tr.t(match p {
        AddUserProblem::Email => "admin-error-email",
        AddUserProblem::Name => "admin-error-name",
        AddUserProblem::Taken => "admin-error-taken",
        AddUserProblem::NoMembership => "admin-error-roles",
        AddUserProblem::UnknownTeam => "admin-error-team",
        AddUserProblem::Password(p) => return crate::pro::sign_in::password_message(tr, *p),
    })
}

fn delivery_text(tr: Tr, d: Delivery) -> String {
    tr.t(match d {
        Delivery::Sent => "admin-mail-sent",
        Delivery::KeptOnly => "admin-mail-kept",
        Delivery::Failed => "admin-mail-failed",
    })
}

/// A checkbox of the team × role grid.
pub struct Cell {
    pub name: String,
    pub label: String,
    pub checked: bool,
}

pub struct TeamRow {
    pub team: String,
    pub cells: Vec<Cell>,
}

/// Every team × role, ticked where `memberships` has it; fields `r-{team}-{role}`.
fn grid(state: &AppState, lang: Lang, teams: &[Team], memberships: &[Membership]) -> Vec<TeamRow> {
    teams
        .iter()
        .map(|t| TeamRow {
            team: t.name.clone(),
            cells: Role::ALL
                .iter()
                .map(|&r| Cell {
                    name: format!("r-{}-{}", t.id, r.code()),
                    label: crate::views::role_label(state, lang, r),
                    checked: memberships.iter().any(|m| m.team == t.id && m.role == r),
                })
                .collect(),
        })
        .collect()
}

/// The ticked cells of the grid (unknown fields are ignored).
fn ticked(form: &Pairs, teams: &[Team]) -> Vec<Membership> {
    let mut out = Vec::new();
    for t in teams {
        for r in Role::ALL {
            if form.get(&format!("r-{}-{}", t.id, r.code())).is_some() {
                out.push(Membership {
                    team: t.id.clone(),
                    role: r,
                });
            }
        }
    }
    out
}

pub struct UserLine {
    pub href: String,
    pub name: String,
    pub email: String,
    pub roles: String,
    pub active: bool,
    pub pending: bool,
}

fn user_line(state: &AppState, lang: Lang, u: &User, teams: &[Team]) -> UserLine {
    UserLine {
        href: format!("/beheer/gebruikers/{}", u.id),
        name: u.name.clone(),
        email: u.email.to_string(),
        roles: roles_text(state, lang, u, teams),
        active: u.active,
        pending: !u.has_password,
    }
}

fn roles_text(state: &AppState, lang: Lang, u: &User, teams: &[Team]) -> String {
    u.memberships
        .iter()
        .map(|m| {
            let team = teams
                .iter()
                .find(|t| t.id == m.team)
                .map_or(m.team.as_str(), |t| t.name.as_str());
            format!("{} ({team})", crate::views::role_label(state, lang, m.role))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    l: Layout,
    csrf: String,
    users: Vec<UserLine>,
    grid: Vec<TeamRow>,
    email: String,
    name: String,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

async fn render_users(
    state: &AppState,
    me: &SignedIn,
    a: &AccountAdmin,
    form: Option<&Pairs>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let teams = a.teams().await.in_lang(lang)?;
    let users = a
        .users_shown("accounts: all")
        .await
        .in_lang(lang)?
        .into_value();
    let chosen = form.map(|f| ticked(f, &teams)).unwrap_or_default();
    let status = render::form_status(&errors);
    let page = UsersPage {
        l: Layout::signed_in(
            &me.visitor,
            tr.t("admin-users-title"),
            state.catalog().demo,
            me.me(),
        ),
        csrf: me.csrf.clone(),
        users: users
            .iter()
            .map(|u| user_line(state, lang, u, &teams))
            .collect(),
        grid: grid(state, lang, &teams, &chosen),
        email: form
            .and_then(|f| f.get("email"))
            .unwrap_or("")
            .chars()
            .take(254)
            .collect(),
        name: form
            .and_then(|f| f.get("name"))
            .unwrap_or("")
            .chars()
            .take(200)
            .collect(),
        errors,
        notice,
    };
    render::page(&page, status, lang)
}

pub async fn users(
    State(state): State<AppState>,
    me: SignedIn,
    query: Pairs,
) -> Result<Response, PageError> {
    let a = admin(&state, &me).await?;
    let tr = Tr {
        lang: me.visitor.lang,
    };
    let notice = match query.get("klaar") {
        Some("uitgenodigd") => Some(tr.t("admin-invited")),
        _ => None,
    };
    render_users(&state, &me, &a, None, Vec::new(), notice).await
}

pub async fn invite(
    State(state): State<AppState>,
    me: SignedIn,
    body: Bytes,
) -> Result<Response, PageError> {
    let a = admin(&state, &me).await?;
    let form = form_of(&body);
    me.check_form(&form)?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let teams = a.teams().await.in_lang(lang)?;
    let result = a
        .invite(
            form.get("email").unwrap_or(""),
            form.get("name").unwrap_or(""),
            ticked(&form, &teams),
        )
        .await
        .in_lang(lang)?;
    match result {
        Ok((_, delivery)) => {
            let notice = format!("{} {}", tr.t("admin-invited"), delivery_text(tr, delivery));
            render_users(&state, &me, &a, None, Vec::new(), Some(notice)).await
        }
        Err(p) => {
            let field = match p {
                AddUserProblem::Email | AddUserProblem::Taken => "email",
                AddUserProblem::Name => "name",
                _ => "roles",
            };
            let errors = vec![(field.to_string(), problem_text(tr, &p))];
            render_users(&state, &me, &a, Some(&form), errors, None).await
        }
    }
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage {
    l: Layout,
    csrf: String,
    id: String,
    name: String,
    email: String,
    active: bool,
    pending: bool,
    has_totp: bool,
    grid: Vec<TeamRow>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    is_me: bool,
}

async fn render_user(
    state: &AppState,
    me: &SignedIn,
    a: &AccountAdmin,
    id: &UserId,
    form: Option<&Pairs>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let lang = me.visitor.lang;
    let Some(user) = a.user(id).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    let user = user.into_value();
    let teams = a.teams().await.in_lang(lang)?;
    let memberships = match form {
        Some(f) => ticked(f, &teams),
        None => user.memberships.clone(),
    };
    let status = render::form_status(&errors);
    let page = UserPage {
        l: Layout::signed_in(
            &me.visitor,
            user.name.clone(),
            state.catalog().demo,
            me.me(),
        ),
        csrf: me.csrf.clone(),
        id: user.id.to_string(),
        name: user.name.clone(),
        email: user.email.to_string(),
        active: user.active,
        pending: !user.has_password,
        has_totp: user.has_totp,
        grid: grid(state, lang, &teams, &memberships),
        errors,
        notice,
        is_me: me.user().id == user.id,
    };
    render::page(&page, status, lang)
}

/// 404 unless the user exists (checked before anything is changed or logged about them).
async fn existing(a: &AccountAdmin, id: &UserId, lang: Lang) -> Result<(), PageError> {
    if a.exists(id).await.in_lang(lang)? {
        Ok(())
    } else {
        Err(PageError::not_found(lang))
    }
}

/// An id from the address: plausible characters only (else 404 without a lookup).
pub(crate) fn plain_id(raw: &str, lang: Lang) -> Result<&str, PageError> {
    if raw.len() <= 64 && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        Ok(raw)
    } else {
        Err(PageError::not_found(lang))
    }
}

fn user_id(raw: &str, lang: Lang) -> Result<UserId, PageError> {
    plain_id(raw, lang).map(UserId::new)
}

pub async fn user(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    query: Pairs,
) -> Result<Response, PageError> {
    let a = admin(&state, &me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let id = user_id(&id, lang)?;
    let notice = query.get("klaar").map(|k| {
        tr.t(&format!(
            "admin-done-{}",
            match k {
                "rollen" => "roles",
                "gedeactiveerd" => "deactivated",
                "geactiveerd" => "activated",
                "link-verstuurd" => "link",
                "link-bewaard" => "link-kept",
                "link-mislukt" => "link-failed",
                _ => "saved",
            }
        ))
    });
    render_user(&state, &me, &a, &id, None, Vec::new(), notice).await
}

pub async fn save_user(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let a = admin(&state, &me).await?;
    let form = form_of(&body);
    me.check_form(&form)?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let id = user_id(&id, lang)?;
    existing(&a, &id, lang).await?;
    let teams = a.teams().await.in_lang(lang)?;
    let chosen = ticked(&form, &teams);
    // A beheerder cannot take away their own last way back in.
    if me.user().id == id && !chosen.iter().any(|m| m.role == Role::Beheerder) {
        let errors = vec![("roles".to_string(), tr.t("admin-error-own-beheerder"))];
        return render_user(&state, &me, &a, &id, Some(&form), errors, None).await;
    }
    match a.set_memberships(&id, &chosen).await.in_lang(lang)? {
        Ok(()) => Ok(to(&format!("/beheer/gebruikers/{id}?klaar=rollen"))),
        Err(p) => {
            let errors = vec![("roles".to_string(), problem_text(tr, &p))];
            render_user(&state, &me, &a, &id, Some(&form), errors, None).await
        }
    }
}

pub async fn deactivate(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let a = admin(&state, &me).await?;
    me.check_form(&form_of(&body))?;
    let lang = me.visitor.lang;
    let id = user_id(&id, lang)?;
    existing(&a, &id, lang).await?;
    if me.user().id == id {
        let tr = Tr { lang };
        let errors = vec![("deactivate".to_string(), tr.t("admin-error-own-deactivate"))];
        return render_user(&state, &me, &a, &id, None, errors, None).await;
    }
    a.deactivate(&id).await.in_lang(lang)?;
    Ok(to(&format!("/beheer/gebruikers/{id}?klaar=gedeactiveerd")))
}

pub async fn activate(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let a = admin(&state, &me).await?;
    me.check_form(&form_of(&body))?;
    let id = user_id(&id, me.visitor.lang)?;
    existing(&a, &id, me.visitor.lang).await?;
    a.reactivate(&id).await.in_lang(me.visitor.lang)?;
    Ok(to(&format!("/beheer/gebruikers/{id}?klaar=geactiveerd")))
}

pub async fn send_link(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let a = admin(&state, &me).await?;
    me.check_form(&form_of(&body))?;
    let lang = me.visitor.lang;
    let id = user_id(&id, lang)?;
    let done = match a.send_link(&id).await.in_lang(lang)? {
        None => return Err(PageError::not_found(lang)),
        Some(Delivery::Sent) => "link-verstuurd",
        Some(Delivery::KeptOnly) => "link-bewaard",
        Some(Delivery::Failed) => "link-mislukt",
    };
    Ok(to(&format!("/beheer/gebruikers/{id}?klaar={done}")))
}

pub struct TeamLine {
    pub href: String,
    pub name: String,
    pub areas: String,
    pub members: usize,
    pub whole_map: bool,
}

#[derive(Template)]
#[template(path = "admin_teams.html")]
struct TeamsPage {
    l: Layout,
    csrf: String,
    teams: Vec<TeamLine>,
    name: String,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

async fn render_teams(
    state: &AppState,
    me: &SignedIn,
    a: &AccountAdmin,
    name: &str,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let teams = a.teams().await.in_lang(lang)?;
    let users = a.users().await.in_lang(lang)?;
    let areas = state.catalog().geo.areas.clone();
    let status = render::form_status(&errors);
    let page = TeamsPage {
        l: Layout::signed_in(
            &me.visitor,
            tr.t("admin-teams-title"),
            state.catalog().demo,
            me.me(),
        ),
        csrf: me.csrf.clone(),
        teams: teams
            .iter()
            .map(|t| TeamLine {
                href: format!("/beheer/teams/{}", t.id),
                name: t.name.clone(),
                areas: t
                    .areas
                    .iter()
                    .map(|code| {
                        areas
                            .iter()
                            .find(|a| &a.code == code)
                            .map_or(code.clone(), |a| a.name.clone())
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                members: users
                    .iter()
                    .filter(|u| u.memberships.iter().any(|m| m.team == t.id))
                    .count(),
                whole_map: t.whole_map,
            })
            .collect(),
        name: name.chars().take(200).collect(),
        errors,
        notice,
    };
    render::page(&page, status, lang)
}

pub async fn teams(State(state): State<AppState>, me: SignedIn) -> Result<Response, PageError> {
    let a = admin(&state, &me).await?;
    render_teams(&state, &me, &a, "", Vec::new(), None).await
}

pub async fn add_team(
    State(state): State<AppState>,
    me: SignedIn,
    body: Bytes,
) -> Result<Response, PageError> {
    let a = admin(&state, &me).await?;
    let form = form_of(&body);
    me.check_form(&form)?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let name = form.get("name").unwrap_or("");
    if name.is_empty() || name.chars().count() > 200 {
        let errors = vec![("name".to_string(), tr.t("admin-error-team-name"))];
        return render_teams(&state, &me, &a, name, errors, None).await;
    }
    match a
        .add_team(
            name,
            None,
            form.get("whole_map").is_some(),
            Vec::new(),
            Vec::new(),
        )
        .await
        .in_lang(lang)?
    {
        Some(id) => Ok(to(&format!("/beheer/teams/{id}"))),
        None => {
            let errors = vec![("name".to_string(), tr.t("admin-error-team-taken"))];
            render_teams(&state, &me, &a, name, errors, None).await
        }
    }
}

pub struct AreaBox {
    pub code: String,
    pub name: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "admin_team.html")]
struct TeamPage {
    l: Layout,
    csrf: String,
    id: String,
    name: String,
    whole_map: bool,
    areas: Vec<AreaBox>,
    /// The referral reasons the team takes.
    reasons: Vec<AreaBox>,
    members: Vec<UserLine>,
    notice: Option<String>,
}

pub fn team_id(raw: &str, lang: Lang) -> Result<TeamId, PageError> {
    plain_id(raw, lang).map(TeamId::new)
}

pub async fn team(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    query: Pairs,
) -> Result<Response, PageError> {
    let a = admin(&state, &me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let id = team_id(&id, lang)?;
    let teams = a.teams().await.in_lang(lang)?;
    let Some(team) = teams.iter().find(|t| t.id == id) else {
        return Err(PageError::not_found(lang));
    };
    let users = a
        .users_shown(&format!("team members: {}", team.id))
        .await
        .in_lang(lang)?
        .into_value();
    let page = TeamPage {
        l: Layout::signed_in(
            &me.visitor,
            team.name.clone(),
            state.catalog().demo,
            me.me(),
        ),
        csrf: me.csrf.clone(),
        id: team.id.to_string(),
        name: team.name.clone(),
        whole_map: team.whole_map,
        areas: state
            .catalog()
            .geo
            .areas
            .iter()
            .map(|ar| AreaBox {
                code: ar.code.clone(),
                name: ar.name.clone(),
                checked: team.areas.contains(&ar.code),
            })
            .collect(),
        reasons: state
            .app()
            .route_lists()
            .reasons
            .iter()
            .map(|r| AreaBox {
                code: r.code.clone(),
                name: r.label_in(lang == Lang::En).to_string(),
                checked: team.reasons.contains(&r.code),
            })
            .collect(),
        members: users
            .iter()
            .filter(|u| u.memberships.iter().any(|m| m.team == team.id))
            .map(|u| user_line(&state, lang, u, &teams))
            .collect(),
        notice: query.get("klaar").map(|_| tr.t("admin-done-saved")),
    };
    render::ok(&page, lang)
}

pub async fn save_team(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let a = admin(&state, &me).await?;
    let form = form_of(&body);
    me.check_form(&form)?;
    let lang = me.visitor.lang;
    let id = team_id(&id, lang)?;
    let Some(mut team) = a
        .teams()
        .await
        .in_lang(lang)?
        .into_iter()
        .find(|t| t.id == id)
    else {
        return Err(PageError::not_found(lang));
    };
    let known = state.catalog().geo.areas.clone();
    let chosen: Vec<String> = form
        .all("area")
        .into_iter()
        .filter(|c| known.iter().any(|a| a.code == *c))
        .map(str::to_string)
        .collect();
    let lists = state.app().route_lists();
    let reasons: Vec<String> = form
        .all("reason")
        .into_iter()
        .filter(|c| lists.reason(c).is_some())
        .map(str::to_string)
        .collect();
    team.areas = chosen;
    team.reasons = reasons;
    a.update_team(&team).await.in_lang(lang)?;
    Ok(to(&format!("/beheer/teams/{id}?klaar=1")))
}

#[derive(Template)]
#[template(path = "admin_areas.html")]
struct AreasPage {
    l: Layout,
    csrf: String,
    areas: Vec<(String, String, String, usize)>,
    csv: String,
    errors: Vec<String>,
    notice: Option<String>,
}

/// Longest CSV text taken from the form (the request body limit is 1 MiB).
const MAX_CSV: usize = 900 * 1024;

async fn render_areas(
    state: &AppState,
    me: &SignedIn,
    aa: &AreaAdmin,
    csv: &str,
    errors: Vec<String>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let status = render::form_status(&errors);
    let page = AreasPage {
        l: Layout::signed_in(
            &me.visitor,
            tr.t("admin-areas-title"),
            state.catalog().demo,
            me.me(),
        ),
        csrf: me.csrf.clone(),
        areas: aa
            .areas()
            .await
            .in_lang(lang)?
            .into_iter()
            .map(|(a, n)| (a.code, a.name, a.municipality, n))
            .collect(),
        csv: csv.to_string(),
        errors,
        notice,
    };
    render::page(&page, status, lang)
}

pub async fn areas(
    State(state): State<AppState>,
    me: SignedIn,
    query: Pairs,
) -> Result<Response, PageError> {
    let aa = area_admin(&state, &me).await?;
    let tr = Tr {
        lang: me.visitor.lang,
    };
    let notice = query.get("klaar").map(|_| tr.t("admin-areas-done"));
    render_areas(&state, &me, &aa, "", Vec::new(), notice).await
}

pub async fn replace_areas(
    State(state): State<AppState>,
    me: SignedIn,
    body: Bytes,
) -> Result<Response, PageError> {
    let aa = area_admin(&state, &me).await?;
    let form = form_of(&body);
    me.check_form(&form)?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let csv = form.raw("csv");
    if csv.len() > MAX_CSV {
        return render_areas(
            &state,
            &me,
            &aa,
            "",
            vec![tr.t("admin-areas-too-big")],
            None,
        )
        .await;
    }
    match aa.replace_from_csv(csv).await.in_lang(lang)? {
        Ok(_) => {
            // The public pages show areas from the read model: rebuild it now.
            state.refresh().await.in_lang(lang)?;
            Ok(to("/beheer/gebieden?klaar=1"))
        }
        Err(AreasProblem::Empty) => {
            render_areas(&state, &me, &aa, csv, vec![tr.t("admin-areas-empty")], None).await
        }
        Err(AreasProblem::Rows(rows)) => {
            let errors = rows.iter().take(50).map(|r| r.to_string()).collect();
            render_areas(&state, &me, &aa, csv, errors, None).await
        }
    }
}

pub struct MailLine {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: String,
    pub sent: bool,
}

#[derive(Template)]
#[template(path = "admin_mail.html")]
struct MailPage {
    l: Layout,
    mails: Vec<MailLine>,
}

pub async fn outbox(State(state): State<AppState>, me: SignedIn) -> Result<Response, PageError> {
    let a = admin(&state, &me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let mails = a.outbox(100).await.in_lang(lang)?.into_value();
    let page = MailPage {
        l: Layout::signed_in(
            &me.visitor,
            tr.t("admin-mail-title"),
            state.catalog().demo,
            me.me(),
        ),
        mails: mails
            .into_iter()
            .map(|m| MailLine {
                to: m.to,
                subject: m.subject,
                body: m.body,
                created_at: m.created_at,
                sent: m.sent_at.is_some(),
            })
            .collect(),
    };
    render::ok(&page, lang)
}
