//! The access log for the functionaris gegevensbescherming: filter by user, person, record,
//! action and period, page through, export as CSV. Looking and exporting are logged first (the
//! capability does it). Also a user's own entries: what they did.

use crate::error::PageError;
use crate::extract::SignedIn;
use crate::extract::params::{Pairs, query_string};
use crate::i18n::{Lang, Tr};
use crate::render::{self, InLang};
use crate::state::AppState;
use crate::views::Layout;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use kapstok_app::audit::LogFilter;
use kapstok_domain::audit::{Action, Entry, RecordKind};

const PAGE: usize = 50;

/// One entry as the page shows it.
pub struct Line {
    pub seq: i64,
    pub at: String,
    pub user: String,
    pub role: String,
    pub action: String,
    pub record: String,
    pub person: String,
    pub origin: String,
    pub permitted: bool,
}

fn line(state: &AppState, tr: Tr, e: &Entry, names: &dyn Fn(&str) -> Option<String>) -> Line {
    let n = &e.entry;
    let action = Action::parse(&n.action).map_or(n.action.clone(), |a| {
        tr.t(&format!("log-action-{}", a.code()))
    });
    let kind = RecordKind::parse(&n.record_kind).map_or(n.record_kind.clone(), |k| {
        tr.t(&format!("log-kind-{}", k.code()))
    });
    Line {
        seq: e.seq,
        at: n.at.replace('T', " ").trim_end_matches('Z').to_string(),
        user: n
            .user_id
            .as_deref()
            .map(|u| names(u).map_or(u.to_string(), |name| format!("{name} ({u})")))
            .unwrap_or_else(|| tr.t("log-nobody")),
        role: n
            .user_role
            .as_deref()
            .map(|r| match kapstok_domain::account::Role::parse(r) {
                Some(role) => crate::views::role_label(state, tr.lang, role),
                None if r == "operator" => tr.t("log-operator"),
                None => r.to_string(),
            })
            .unwrap_or_default(),
        action,
        record: match &n.record_id {
            Some(id) => format!("{kind}: {id}"),
            None => kind,
        },
        person: n.person.clone().unwrap_or_default(),
        origin: n.origin.clone().unwrap_or_default(),
        permitted: n.permitted,
    }
}

/// A period bound typed as a date (`2026-12-01`), as the log's text; `Err` for anything else.
fn day(raw: Option<&str>, end: bool) -> Result<Option<String>, ()> {
    let Some(raw) = raw else { return Ok(None) };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(raw, format).map_err(|_| ())?;
    // Until a day means up to and including it.
    let date = if end {
        date.next_day().ok_or(())?
    } else {
        date
    };
    Ok(Some(format!("{date}T00:00:00.000Z")))
}

fn text(p: &Pairs, key: &str) -> Option<String> {
    p.get(key).map(|v| v.chars().take(100).collect())
}

/// The filter from the address, or the fields that are wrong.
fn filter_of(q: &Pairs, tr: Tr) -> (LogFilter, Vec<(String, String)>) {
    let mut errors = Vec::new();
    let from = day(q.get("van"), false).unwrap_or_else(|_| {
        errors.push(("van".into(), tr.t("log-error-date")));
        None
    });
    let until = day(q.get("tot"), true).unwrap_or_else(|_| {
        errors.push(("tot".into(), tr.t("log-error-date")));
        None
    });
    let action = match q.get("actie") {
        None => None,
        Some(a) if Action::parse(a).is_some() => Some(a.to_string()),
        Some(_) => {
            errors.push(("actie".into(), tr.t("log-error-action")));
            None
        }
    };
    (
        LogFilter {
            user_id: text(q, "gebruiker"),
            person: text(q, "persoon"),
            record_id: text(q, "record"),
            action,
            from,
            until,
        },
        errors,
    )
}

#[derive(Template)]
#[template(path = "access_log.html")]
struct LogPage {
    l: Layout,
    lines: Vec<Line>,
    total: usize,
    errors: Vec<(String, String)>,
    f_user: String,
    f_person: String,
    f_record: String,
    f_action: String,
    f_from: String,
    f_until: String,
    actions: Vec<(String, String)>,
    csv_href: String,
    prev_href: Option<String>,
    next_href: Option<String>,
    page: usize,
    pages: usize,
}

fn forbidden(lang: Lang) -> PageError {
    crate::pro::admin::forbidden(lang)
}

/// The filter's pairs for links (CSV, pages).
fn kept(q: &Pairs) -> Vec<(&'static str, String)> {
    ["gebruiker", "persoon", "record", "actie", "van", "tot"]
        .into_iter()
        .filter_map(|k| q.get(k).map(|v| (k, v.to_string())))
        .collect()
}

pub async fn page(
    State(state): State<AppState>,
    me: SignedIn,
    q: Pairs,
) -> Result<Response, PageError> {
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let capability = state.app().access_log_reader(&me.actor);
    let reader = crate::pro::admin::granted(&state, &me, capability, RecordKind::AccessLog).await?;
    let (filter, errors) = filter_of(&q, tr);
    let page_no = q
        .get("pagina")
        .and_then(|p| p.parse::<usize>().ok())
        .filter(|p| *p >= 1 && *p <= 100_000)
        .unwrap_or(1);
    let (entries, total) = if errors.is_empty() {
        reader
            .entries(&filter, (page_no - 1) * PAGE, PAGE)
            .await
            .in_lang(lang)?
            .into_value()
    } else {
        (Vec::new(), 0)
    };
    let names = reader.user_names().await.in_lang(lang)?;
    let name_of = |id: &str| names.iter().find(|(u, _)| u == id).map(|(_, n)| n.clone());
    let pages = total.div_ceil(PAGE).max(1);
    let keep = kept(&q);
    let link = |p: usize| {
        let mut pairs: Vec<(&str, &str)> = keep.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let n = p.to_string();
        pairs.push(("pagina", &n));
        format!("/toegangslog{}", query_string(pairs))
    };
    let status = render::form_status(&errors);
    let page = LogPage {
        l: Layout::signed_in(
            &me.visitor,
            tr.t("log-title"),
            state.catalog().demo,
            me.me(),
        ),
        lines: entries
            .iter()
            .map(|e| line(&state, tr, e, &name_of))
            .collect(),
        total,
        f_user: q.get("gebruiker").unwrap_or("").chars().take(100).collect(),
        f_person: q.get("persoon").unwrap_or("").chars().take(100).collect(),
        f_record: q.get("record").unwrap_or("").chars().take(100).collect(),
        f_action: filter.action.clone().unwrap_or_default(),
        f_from: q.get("van").unwrap_or("").chars().take(10).collect(),
        f_until: q.get("tot").unwrap_or("").chars().take(10).collect(),
        actions: Action::ALL
            .iter()
            .map(|a| {
                (
                    a.code().to_string(),
                    tr.t(&format!("log-action-{}", a.code())),
                )
            })
            .collect(),
        csv_href: format!(
            "/toegangslog/export{}",
            query_string(keep.iter().map(|(k, v)| (*k, v.as_str())))
        ),
        prev_href: (page_no > 1).then(|| link(page_no - 1)),
        next_href: (page_no < pages).then(|| link(page_no + 1)),
        page: page_no,
        pages,
        errors,
    };
    render::page(&page, status, lang)
}

pub async fn export(
    State(state): State<AppState>,
    me: SignedIn,
    q: Pairs,
) -> Result<Response, PageError> {
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let capability = state.app().access_log_reader(&me.actor);
    let reader = crate::pro::admin::granted(&state, &me, capability, RecordKind::AccessLog).await?;
    let (filter, errors) = filter_of(&q, tr);
    if let Some((_, message)) = errors.first() {
        return Err(PageError::new(
            crate::error::AppError::bad("filter", message.clone()),
            lang,
        ));
    }
    let csv = reader.export_csv(&filter).await.in_lang(lang)?.into_value();
    let mut response = csv.into_response();
    let h = response.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"toegangslog.csv\""),
    );
    Ok(response)
}

#[derive(Template)]
#[template(path = "own_activity.html")]
struct OwnPage {
    l: Layout,
    lines: Vec<Line>,
}

pub async fn own(State(state): State<AppState>, me: SignedIn) -> Result<Response, PageError> {
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let ws = state
        .app()
        .workspace(&me.actor)
        .ok_or_else(|| forbidden(lang))?;
    let entries = ws.own_entries(100).await.in_lang(lang)?.into_value();
    let me_name = me.user().name.clone();
    let my_id = me.user().id.to_string();
    let name_of = |id: &str| (id == my_id).then(|| me_name.clone());
    let page = OwnPage {
        l: Layout::signed_in(
            &me.visitor,
            tr.t("own-title"),
            state.catalog().demo,
            me.me(),
        ),
        lines: entries
            .iter()
            .map(|e| line(&state, tr, e, &name_of))
            .collect(),
    };
    render::ok(&page, lang)
}
