//! Activities on the public site: what is coming (by audience, area and kind), each activity's
//! page with its dates and places left, registering without an account (name and e-mail or
//! phone), the personal cancel link, and the calendar feeds (`webcal:` links). Handlers only
//! translate; `ActivityBoard` decides.

use crate::error::PageError;
use crate::extract::Visitor;
use crate::extract::params::Pairs;
use crate::extract::signed_in::ClientOrigin;
use crate::i18n::{Lang, Tr};
use crate::render::{self, InLang};
use crate::state::AppState;
use crate::views::{Layout, TypedForm};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use kapstok_app::Actor;
use kapstok_app::activities::board::{ActivityBoard, BoardItem, Filter, Refusal};
use kapstok_app::activities::letters::{when_en, when_nl};
use kapstok_domain::activity::{ActivityLists, Occurrence, RegistrationState};
use kapstok_domain::activity_form::registrant_of;
use kapstok_domain::editing::Typed;

const HONEYPOT: &str = "website";

/// A choice in a filter or form: (code, label, chosen).
pub struct Choice {
    pub code: String,
    pub label: String,
    pub chosen: bool,
}

/// A date as people read it in `lang`.
pub fn when(lang: Lang, o: &Occurrence) -> String {
    match lang {
        Lang::En => when_en(o),
        _ => when_nl(o),
    }
}

pub(crate) fn kind_label(lists: &ActivityLists, lang: Lang, code: &str) -> String {
    lists.kind(code).map_or_else(
        || code.to_string(),
        |k| match lang {
            Lang::En => k.label_en.clone(),
            _ => k.label.clone(),
        },
    )
}

pub(crate) fn audience_label(lists: &ActivityLists, lang: Lang, code: &str) -> String {
    lists.audience(code).map_or_else(
        || code.to_string(),
        |k| match lang {
            Lang::En => k.label_en.clone(),
            _ => k.label.clone(),
        },
    )
}

/// A line of a public list.
pub struct Line {
    pub href: String,
    pub title: String,
    pub kind: String,
    pub audiences: String,
    /// The next date (none: e-learning).
    pub when: Option<String>,
    pub more_dates: usize,
    pub place: Option<String>,
    pub area: Option<String>,
    /// "Nog 4 plaatsen", "Vol: wachtlijst", "Gaat niet door".
    pub places: String,
}

pub(crate) fn places_text(tr: Tr, left: Option<u64>, cancelled: bool, open: bool) -> String {
    if cancelled {
        return tr.t("act-date-cancelled");
    }
    if !open {
        return tr.t("act-closed");
    }
    match left {
        None => tr.t("act-places-open"),
        Some(0) => tr.t("act-full"),
        Some(n) => format!("{} {n}", tr.t("act-places-left")),
    }
}

pub(crate) fn line_of(board: &ActivityBoard, lang: Lang, i: &BoardItem, href: String) -> Line {
    let tr = Tr { lang };
    let a = &i.activity;
    let next = i.next();
    Line {
        href,
        title: a.title.clone(),
        kind: kind_label(board.lists(), lang, &a.kind),
        audiences: a
            .audiences
            .iter()
            .map(|c| audience_label(board.lists(), lang, c))
            .collect::<Vec<_>>()
            .join(", "),
        when: next.map(|d| when(lang, &d.occurrence)),
        more_dates: i.dates.len().saturating_sub(1),
        place: i.place.clone(),
        area: a.area.as_deref().and_then(|c| board.area_name(c)),
        places: match next {
            Some(d) => places_text(tr, d.left, d.occurrence.cancelled, d.open),
            None => places_text(tr, None, false, i.open),
        },
    }
}

/// The feeds one can subscribe to from a list: (label, webcal address, https address).
pub struct Feed {
    pub label: String,
    pub webcal: String,
    pub href: String,
}

fn feed(board: &ActivityBoard, label: String, path: String) -> Feed {
    let base = board.letters().public_url();
    let host = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))
        .unwrap_or(base);
    Feed {
        label,
        webcal: format!("webcal://{host}{path}"),
        href: path,
    }
}

#[derive(Template)]
#[template(path = "activities.html")]
struct ListPage {
    l: Layout,
    lines: Vec<Line>,
    audiences: Vec<Choice>,
    areas: Vec<Choice>,
    kinds: Vec<Choice>,
    feeds: Vec<Feed>,
    filtered: bool,
}

fn choices(all: Vec<(String, String)>, chosen: Option<&str>) -> Vec<Choice> {
    all.into_iter()
        .map(|(code, label)| Choice {
            chosen: chosen == Some(code.as_str()),
            code,
            label,
        })
        .collect()
}

/// `/activiteiten`: what is coming, with filters (`doelgroep`, `gebied`, `soort`).
pub async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    q: Pairs,
) -> Result<Response, PageError> {
    let lang = visitor.lang;
    let tr = Tr { lang };
    let board = state.app().activity_board(&Actor::visitor());
    let lists = board.lists();
    // Unknown codes are dropped rather than showing nothing.
    let filter = Filter {
        audience: q
            .get("doelgroep")
            .filter(|c| lists.audience(c).is_some())
            .map(str::to_string),
        area: q
            .get("gebied")
            .filter(|c| board.area_name(c).is_some())
            .map(str::to_string),
        kind: q
            .get("soort")
            .filter(|c| lists.kind(c).is_some())
            .map(str::to_string),
        organization: None,
    };
    let items = board.upcoming(&filter).await.in_lang(lang)?;
    let lines = items
        .iter()
        .map(|i| line_of(&board, lang, i, format!("/activiteiten/{}", i.activity.id)))
        .collect();
    let mut feeds = vec![feed(
        &board,
        tr.t("act-feed-all"),
        "/agenda/activiteiten.ics".into(),
    )];
    if let Some(a) = &filter.audience {
        feeds.push(feed(
            &board,
            format!(
                "{}: {}",
                tr.t("act-feed-audience"),
                audience_label(lists, lang, a)
            ),
            format!("/agenda/doelgroep/{a}.ics"),
        ));
    }
    if let Some(a) = &filter.area {
        feeds.push(feed(
            &board,
            format!(
                "{}: {}",
                tr.t("act-feed-area"),
                board.area_name(a).unwrap_or_default()
            ),
            format!("/agenda/gebied/{a}.ics"),
        ));
    }
    let page = ListPage {
        l: Layout::new(&visitor, tr.t("act-title"), state.catalog().demo),
        lines,
        audiences: choices(
            lists
                .audiences
                .iter()
                .map(|a| (a.code.clone(), audience_label(lists, lang, &a.code)))
                .collect(),
            filter.audience.as_deref(),
        ),
        areas: choices(board.areas(), filter.area.as_deref()),
        kinds: choices(
            lists
                .kinds
                .iter()
                .map(|k| (k.code.clone(), kind_label(lists, lang, &k.code)))
                .collect(),
            filter.kind.as_deref(),
        ),
        feeds,
        filtered: filter != Filter::default(),
    };
    render::ok(&page, lang)
}

/// One date on an activity's page.
pub struct DateRow {
    pub key: String,
    pub when: String,
    pub places: String,
    pub open: bool,
    pub cancelled: bool,
    pub moved: bool,
    /// Full: registering puts one on the waiting list.
    pub full: bool,
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityPage {
    l: Layout,
    kind: String,
    audiences: String,
    description: String,
    place: Option<String>,
    area: Option<String>,
    organiser: Option<(String, String)>,
    contact: Option<String>,
    url: Option<String>,
    points: Option<u32>,
    deadline: Option<String>,
    dates: Vec<DateRow>,
    /// E-learning: no dates, one can sign up while open.
    undated_open: bool,
    /// A date one can register for.
    any_open: bool,
    feed: Feed,
    /// The register form's action (public, or the signed-in professional's).
    action: String,
    /// Signed in: registering with one's account (no fields).
    signed_in: bool,
    csrf: String,
    f: Pairs,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

impl TypedForm for ActivityPage {
    fn typed(&self) -> &Pairs {
        &self.f
    }
    fn field_errors(&self) -> &[(String, String)] {
        &self.errors
    }
}

pub(crate) struct PageParts<'a> {
    pub layout: Layout,
    pub action: String,
    pub signed_in: bool,
    pub csrf: String,
    pub board: &'a ActivityBoard,
    pub notice: Option<String>,
}

pub(crate) fn activity_page(
    parts: PageParts,
    item: BoardItem,
    f: Pairs,
    errors: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let lang = parts.layout.lang;
    let tr = Tr { lang };
    let board = parts.board;
    let a = &item.activity;
    let dates = item
        .dates
        .iter()
        .map(|d| DateRow {
            key: d.key.clone(),
            when: when(lang, &d.occurrence),
            places: places_text(tr, d.left, d.occurrence.cancelled, d.open),
            open: d.open,
            cancelled: d.occurrence.cancelled,
            moved: d.occurrence.moved,
            full: d.left == Some(0),
        })
        .collect();
    let deadline = a
        .deadline
        .as_deref()
        .map(kapstok_domain::calendar::local_date)
        .and_then(|d| kapstok_domain::activity_form::date_of(&d))
        .map(kapstok_domain::activity_form::shown_date);
    let page = ActivityPage {
        kind: kind_label(board.lists(), lang, &a.kind),
        audiences: a
            .audiences
            .iter()
            .map(|c| audience_label(board.lists(), lang, c))
            .collect::<Vec<_>>()
            .join(", "),
        description: a.description.clone(),
        place: item.place.clone(),
        area: a.area.as_deref().and_then(|c| board.area_name(c)),
        organiser: a
            .organization_id
            .as_deref()
            .and_then(|o| board.organization_name(o).map(|n| (o.to_string(), n))),
        contact: a.contact.clone(),
        url: a.url.clone(),
        points: a.points.filter(|p| *p > 0),
        deadline,
        dates,
        undated_open: a.schedule.is_none() && item.open,
        any_open: item.dates.iter().any(|d| d.open),
        feed: feed(
            board,
            tr.t("act-feed-this"),
            format!("/activiteiten/{}/agenda.ics", a.id),
        ),
        action: parts.action,
        signed_in: parts.signed_in,
        csrf: parts.csrf,
        f,
        errors,
        notice: parts.notice,
        l: parts.layout,
    };
    let status = render::form_status(&page.errors);
    render::page(&page, status, lang)
}

/// `/activiteiten/{id}`.
pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let lang = visitor.lang;
    let board = state.app().activity_board(&Actor::visitor());
    let Some(item) = board.page(&id).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    let parts = PageParts {
        layout: Layout::new(&visitor, item.activity.title.clone(), state.catalog().demo),
        action: format!("/activiteiten/{id}/aanmelden"),
        signed_in: false,
        csrf: String::new(),
        board: &board,
        notice: None,
    };
    activity_page(parts, item, Pairs::default(), Vec::new())
}

#[derive(Template)]
#[template(path = "activity_registered.html")]
struct RegisteredPage {
    l: Layout,
    title: String,
    href: String,
    when: Option<String>,
    waiting: bool,
    mailed: bool,
    cancel: String,
}

pub(crate) fn refusal_errors(tr: Tr, r: &Refusal) -> Vec<(String, String)> {
    match r {
        Refusal::NotFound => vec![("datum".into(), tr.t("act-error-date"))],
        Refusal::Closed => vec![("datum".into(), tr.t("act-error-closed"))],
        Refusal::Already => vec![("datum".into(), tr.t("act-error-already"))],
        Refusal::Form(p) => crate::pro::map_edit::errors_of(tr, p),
    }
}

pub(crate) fn registered_page(
    layout: Layout,
    board: &ActivityBoard,
    r: kapstok_app::activities::board::Registered,
) -> Result<Response, PageError> {
    let lang = layout.lang;
    let page = RegisteredPage {
        title: r.activity.title.clone(),
        href: format!("/activiteiten/{}", r.activity.id),
        when: r.occurrence.as_ref().map(|o| when(lang, o)),
        waiting: r.registration.state == RegistrationState::Waiting,
        mailed: r.registration.email.is_some(),
        cancel: board.letters().cancel_url(&r.token),
        l: layout,
    };
    render::ok(&page, lang)
}

/// Registering from the public page.
pub async fn register(
    State(state): State<AppState>,
    visitor: Visitor,
    client: ClientOrigin,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let lang = visitor.lang;
    let tr = Tr { lang };
    let mut f = Pairs::parse(&String::from_utf8_lossy(&body));
    let board = state.app().activity_board(&Actor::visitor());
    let Some(item) = board.page(&id).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    let again = |f: Pairs, errors, item| {
        let parts = PageParts {
            layout: Layout::new(&visitor, tr.t("act-error-title"), state.catalog().demo),
            action: format!("/activiteiten/{id}/aanmelden"),
            signed_in: false,
            csrf: String::new(),
            board: &board,
            notice: None,
        };
        activity_page(parts, item, f, errors)
    };
    if f.get(HONEYPOT).is_some() {
        f.0.retain(|(k, _)| k != HONEYPOT);
        return again(f, vec![("name".into(), tr.t("contact-error-robot"))], item);
    }
    let who = registrant_of(Typed(&f.0));
    if who.is_ok() && !state.registration_throttle.allow(client.0) {
        let r = again(
            f,
            vec![("name".into(), tr.t("contact-error-throttled"))],
            item,
        )?;
        return Ok((StatusCode::TOO_MANY_REQUESTS, r).into_response());
    }
    let key = f.get("datum").unwrap_or("").to_string();
    match board.register(&id, &key, who).await.in_lang(lang)? {
        Ok(r) => registered_page(
            Layout::new(&visitor, tr.t("act-registered-title"), state.catalog().demo),
            &board,
            r,
        ),
        Err(refusal) => {
            let errors = refusal_errors(tr, &refusal);
            again(f, errors, item)
        }
    }
}

#[derive(Template)]
#[template(path = "activity_cancel.html")]
struct CancelPage {
    l: Layout,
    /// None: the link is unknown.
    title: Option<String>,
    when: Option<String>,
    token: String,
    /// Already cancelled (or just now).
    done: bool,
    just_now: bool,
    /// Attended, or the date began or was cancelled: nothing to cancel.
    over: bool,
}

/// `/activiteiten/afmelden/{token}`: what the link cancels, with one button.
pub async fn cancel_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let lang = visitor.lang;
    let tr = Tr { lang };
    let board = state.app().activity_board(&Actor::visitor());
    let found = if token.len() <= 100 {
        board.by_link(&token).await.in_lang(lang)?
    } else {
        None
    };
    let status = if found.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let page = CancelPage {
        l: Layout::new(&visitor, tr.t("act-cancel-title"), state.catalog().demo),
        title: found.as_ref().map(|(a, ..)| a.title.clone()),
        when: found
            .as_ref()
            .and_then(|(_, o, _)| o.as_ref().map(|o| when(lang, o))),
        done: found
            .as_ref()
            .is_some_and(|(.., r)| r.state == RegistrationState::Cancelled),
        over: found.as_ref().is_some_and(|(_, o, r)| {
            r.state != RegistrationState::Cancelled && !board.cancellable(o.as_ref(), r)
        }),
        just_now: false,
        token,
    };
    render::page(&page, status, lang)
}

pub async fn cancel(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let lang = visitor.lang;
    let tr = Tr { lang };
    let board = state.app().activity_board(&Actor::visitor());
    if token.len() > 100 {
        return Err(PageError::not_found(lang));
    }
    let Some((a, o, r)) = board.by_link(&token).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    let over = r.state != RegistrationState::Cancelled && !board.cancellable(o.as_ref(), &r);
    let just_now = !over
        && r.state != RegistrationState::Cancelled
        && board.cancel(&token).await.in_lang(lang)?.is_some();
    let page = CancelPage {
        l: Layout::new(&visitor, tr.t("act-cancel-title"), state.catalog().demo),
        title: Some(a.title),
        when: o.as_ref().map(|o| when(lang, o)),
        done: !over,
        just_now,
        over,
        token,
    };
    render::ok(&page, lang)
}

fn calendar(text: String, file: &str) -> Response {
    (
        [
            (CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
            (CONTENT_DISPOSITION, format!("inline; filename=\"{file}\"")),
            (CACHE_CONTROL, "public, max-age=900".to_string()),
        ],
        text,
    )
        .into_response()
}

/// `/activiteiten/{id}/agenda.ics`: one activity's dates.
pub async fn activity_calendar(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let board = state.app().activity_board(&Actor::visitor());
    match board.activity_calendar(&id).await.in_lang(visitor.lang)? {
        Some(text) => Ok(calendar(text, "activiteit.ics")),
        None => Err(PageError::not_found(visitor.lang)),
    }
}

/// `/agenda/activiteiten.ics`: every published activity.
pub async fn feed_all(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, PageError> {
    let board = state.app().activity_board(&Actor::visitor());
    let text = board
        .feed("Activiteiten mantelzorg", &Filter::default())
        .await
        .in_lang(visitor.lang)?;
    Ok(calendar(text, "activiteiten.ics"))
}

/// `/agenda/{doelgroep|gebied|organisatie}/{code}.ics`.
pub async fn feed_of(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((by, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let lang = visitor.lang;
    let board = state.app().activity_board(&Actor::visitor());
    let Some(code) = file.strip_suffix(".ics") else {
        return Err(PageError::not_found(lang));
    };
    let lists = board.lists();
    let (name, filter) = match by.as_str() {
        "doelgroep" if lists.audience(code).is_some() => (
            audience_label(lists, Lang::Nl, code),
            Filter {
                audience: Some(code.into()),
                ..Filter::default()
            },
        ),
        "gebied" => match board.area_name(code) {
            Some(n) => (
                n,
                Filter {
                    area: Some(code.into()),
                    ..Filter::default()
                },
            ),
            None => return Err(PageError::not_found(lang)),
        },
        "organisatie" => match board.organization_name(code) {
            Some(n) => (
                n,
                Filter {
                    organization: Some(code.into()),
                    ..Filter::default()
                },
            ),
            None => return Err(PageError::not_found(lang)),
        },
        _ => return Err(PageError::not_found(lang)),
    };
    let text = board
        .feed(&format!("Activiteiten: {name}"), &filter)
        .await
        .in_lang(lang)?;
    Ok(calendar(text, &format!("{code}.ics")))
}
