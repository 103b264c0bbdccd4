//! Editing the social map in the browser: the list of what this editor may edit, a service's
//! and an organisation's form (with the error summary, keeping what was typed), a record's
//! history and its versions. Handlers only translate; the capability (`MapEditor`) decides who
//! may edit what, and whether a save publishes or suggests.

use crate::error::PageError;
use crate::extract::SignedIn;
use crate::extract::params::Pairs;
use crate::i18n::{Lang, Tr};
use crate::pro::admin::{form_of, granted, to};
use crate::render::{self, InLang};
use crate::state::AppState;
use crate::views::{Layout, TypedForm};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use kapstok_app::editing::{MapEditor, MapReview, Saved};
use kapstok_app::editing::{RecordType, ServiceLine, Version, Via};
use kapstok_domain::audit::RecordKind;
use kapstok_domain::editing::{Problem, Problems, Shown, organization_values, service_values};
use kapstok_domain::model::ServiceStatus;

pub(crate) async fn editor(state: &AppState, me: &SignedIn) -> Result<MapEditor, PageError> {
    let capability = state
        .app()
        .map_editor(&me.actor)
        .await
        .in_lang(me.visitor.lang)?;
    granted(state, me, capability, RecordKind::SocialMap).await
}

pub(crate) async fn reviewer(state: &AppState, me: &SignedIn) -> Result<MapReview, PageError> {
    let capability = state
        .app()
        .map_editor(&me.actor)
        .await
        .in_lang(me.visitor.lang)?
        .and_then(|e| e.review());
    granted(state, me, capability, RecordKind::SocialMap).await
}

pub(crate) fn layout(state: &AppState, me: &SignedIn, title: String) -> Layout {
    Layout::signed_in(&me.visitor, title, state.catalog().demo, me.me())
}

/// A field's name as the form's label says it.
pub(crate) fn field_label(tr: Tr, field: &str) -> String {
    for (prefix, key) in [("opens_", "edit-opens"), ("closes_", "edit-closes")] {
        if let Some(day) = field.strip_prefix(prefix) {
            return format!("{} {}", tr.t(&format!("edit-day-{day}")), tr.t(key));
        }
    }
    tr.t(&format!("edit-field-{field}"))
}

pub(crate) fn problem_text(tr: Tr, field: &str, p: Problem) -> String {
    let what = match p {
        Problem::Required => tr.t("edit-problem-required"),
        Problem::TooLong(n) => format!("{} {n}", tr.t("edit-problem-too-long")),
        Problem::NotALink => tr.t("edit-problem-link"),
        Problem::NotAnEmail => tr.t("edit-problem-email"),
        Problem::NotAPhone => tr.t("edit-problem-phone"),
        Problem::NotAnAge => tr.t("edit-problem-age"),
        Problem::AgeOrder => tr.t("edit-problem-age-order"),
        Problem::NotATime => tr.t("edit-problem-time"),
        Problem::HoursIncomplete => tr.t("edit-problem-hours"),
        Problem::NotAnAmount => tr.t("edit-problem-amount"),
        Problem::NotAPostcode => tr.t("edit-problem-postcode"),
        Problem::AddressIncomplete => tr.t("edit-problem-address"),
        Problem::UnknownTag => tr.t("edit-problem-tag"),
        Problem::UnknownStatus => tr.t("edit-problem-status"),
        Problem::NotACode => tr.t("edit-problem-code"),
        Problem::CodeTaken => tr.t("edit-problem-code-taken"),
        Problem::NotANumber => tr.t("edit-problem-number"),
        Problem::NotADate => tr.t("edit-problem-date"),
        Problem::EndBeforeStart => tr.t("edit-problem-end-before-start"),
        Problem::AfterStart => tr.t("edit-problem-after-start"),
        Problem::HoldsBsn => tr.t("edit-problem-holds-bsn"),
        Problem::HoldsEmail => tr.t("edit-problem-holds-email"),
        Problem::HoldsPhone => tr.t("edit-problem-holds-phone"),
        Problem::DatesTaken => tr.t("edit-problem-dates-taken"),
    };
    format!("{}: {what}", field_label(tr, field))
}

pub(crate) fn errors_of(tr: Tr, problems: &Problems) -> Vec<(String, String)> {
    problems
        .iter()
        .map(|(f, p)| {
            let anchor = if *f == "tag" { "tags" } else { f };
            (anchor.to_string(), problem_text(tr, f, *p))
        })
        .collect()
}

fn saved_notice(tr: Tr, q: &Pairs) -> Option<String> {
    match q.get("klaar") {
        Some("gepubliceerd") => Some(tr.t("edit-done-published")),
        Some("voorstel") => Some(tr.t("edit-done-suggested")),
        Some("ongewijzigd") => Some(tr.t("edit-done-unchanged")),
        Some("teruggezet") => Some(tr.t("edit-done-restored")),
        Some("gecontroleerd") => Some(tr.t("edit-done-checked")),
        _ => None,
    }
}

fn after_save(base: &str, saved: &Saved) -> Response {
    let klaar = match saved {
        Saved::Unchanged => "ongewijzigd",
        Saved::Published(_) => "gepubliceerd",
        Saved::Suggested(_) => "voorstel",
    };
    to(&format!("{base}?klaar={klaar}"))
}

pub struct ListLine {
    pub href: String,
    pub name: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "map_list.html")]
struct ListPage {
    l: Layout,
    publishes: bool,
    services: Vec<ListLine>,
    organizations: Vec<ListLine>,
    suggestions: Vec<ListLine>,
    q: String,
}

fn status_label(tr: Tr, status: &str) -> String {
    tr.t(&format!("edit-status-{}", status.replace(' ', "-")))
}

/// What this editor may edit, with a name filter.
pub async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    query: Pairs,
) -> Result<Response, PageError> {
    let ed = editor(&state, &me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let q: String = query.get("q").unwrap_or("").chars().take(100).collect();
    let needle = q.to_lowercase();
    let services = ed
        .services()
        .await
        .in_lang(lang)?
        .into_iter()
        .filter(|s| needle.is_empty() || s.name.to_lowercase().contains(&needle))
        .map(|s| ListLine {
            href: format!("/werk/kaart/aanbod/{}", s.id),
            note: format!(
                "{} · {} {}",
                status_label(tr, &s.status),
                tr.t("edit-checked-on"),
                s.assured_date.unwrap_or_else(|| tr.t("edit-never"))
            ),
            name: s.name,
        })
        .collect();
    let organizations = ed
        .organizations()
        .await
        .in_lang(lang)?
        .into_iter()
        .filter(|o| needle.is_empty() || o.name.to_lowercase().contains(&needle))
        .map(|o| ListLine {
            href: format!("/werk/kaart/organisaties/{}", o.id),
            name: o.name,
            note: String::new(),
        })
        .collect();
    let suggestions = if ed.publishes() {
        Vec::new()
    } else {
        ed.suggestions()
            .await
            .in_lang(lang)?
            .into_iter()
            .map(|s| ListLine {
                href: format!("/werk/kaart/{}/{}", path_of(s.kind), s.record_id),
                name: s
                    .changed
                    .iter()
                    .map(|f| field_label(tr, f))
                    .collect::<Vec<_>>()
                    .join(", "),
                note: format!(
                    "{} · {}{}",
                    kapstok_domain::calendar::local(&s.at),
                    tr.t(&format!("edit-suggestion-{}", s.state.code())),
                    s.answer.map(|a| format!(": {a}")).unwrap_or_default()
                ),
            })
            .collect()
    };
    let page = ListPage {
        l: layout(&state, &me, tr.t("edit-title")),
        publishes: ed.publishes(),
        services,
        organizations,
        suggestions,
        q,
    };
    render::ok(&page, lang)
}

pub(crate) fn path_of(kind: RecordType) -> &'static str {
    match kind {
        RecordType::Service => "aanbod",
        RecordType::Organization => "organisaties",
    }
}

/// One input of a form.
pub struct Field {
    pub name: &'static str,
    pub label: String,
    pub hint: Option<String>,
    /// `text`, `email`, `url`, `tel`, or `textarea`.
    pub kind: &'static str,
    pub max: usize,
    pub inputmode: &'static str,
}

pub struct Section {
    pub legend: String,
    pub fields: Vec<Field>,
}

pub(crate) fn field(tr: Tr, name: &'static str, kind: &'static str, max: usize) -> Field {
    let hint_key = format!("edit-hint-{name}");
    Field {
        name,
        label: field_label(tr, name),
        hint: crate::i18n::Tr::has(tr.lang, &hint_key).then(|| tr.t(&hint_key)),
        kind,
        max,
        inputmode: match name {
            "minimum_age" | "maximum_age" | "order" => "numeric",
            "cost_amount" => "decimal",
            _ => "",
        },
    }
}

fn service_sections(tr: Tr) -> Vec<Section> {
    let s = |legend: &str, fields: Vec<Field>| Section {
        legend: tr.t(legend),
        fields,
    };
    vec![
        s(
            "edit-section-what",
            vec![
                field(tr, "name", "text", 200),
                field(tr, "alternate_name", "text", 200),
                field(tr, "description", "textarea", 4000),
            ],
        ),
        s(
            "edit-section-who",
            vec![
                field(tr, "eligibility_description", "textarea", 2000),
                field(tr, "minimum_age", "text", 3),
                field(tr, "maximum_age", "text", 3),
                field(tr, "kapstok_referral", "textarea", 1000),
                field(tr, "application_process", "textarea", 2000),
                field(tr, "wait_time", "text", 200),
            ],
        ),
        s(
            "edit-section-cost",
            vec![
                field(tr, "fees_description", "textarea", 1000),
                field(tr, "cost_amount", "text", 12),
            ],
        ),
        s(
            "edit-section-contact",
            vec![
                field(tr, "phone", "tel", 50),
                field(tr, "email", "email", 254),
                field(tr, "url", "url", 500),
                field(tr, "contact_name", "text", 200),
                field(tr, "contact_phone", "tel", 50),
                field(tr, "contact_email", "email", 254),
            ],
        ),
        s(
            "edit-section-place",
            vec![
                field(tr, "location_name", "text", 200),
                field(tr, "address_1", "text", 200),
                field(tr, "postal_code", "text", 7),
                field(tr, "city", "text", 100),
            ],
        ),
    ]
}

pub struct Day {
    pub code: String,
    pub name: String,
}

pub struct TagGroup {
    pub legend: String,
    pub tags: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "map_service_form.html")]
struct ServiceForm {
    l: Layout,
    csrf: String,
    id: String,
    publishes: bool,
    sections: Vec<Section>,
    statuses: Vec<(String, String)>,
    days: Vec<Day>,
    tag_groups: Vec<TagGroup>,
    hours_note: Field,
    assured: String,
    f: Pairs,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

impl TypedForm for ServiceForm {
    fn typed(&self) -> &Pairs {
        &self.f
    }
    fn field_errors(&self) -> &[(String, String)] {
        &self.errors
    }
}

impl ServiceForm {
    fn tagged(&self, id: &str) -> bool {
        self.f.all("tag").contains(&id)
    }
}

fn render_service(
    state: &AppState,
    me: &SignedIn,
    ed: &MapEditor,
    s: &kapstok_domain::model::Service,
    f: Pairs,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let status = render::form_status(&errors);
    let page = ServiceForm {
        l: layout(state, me, s.name.clone()),
        csrf: me.csrf.clone(),
        id: s.id.to_string(),
        publishes: ed.publishes(),
        sections: service_sections(tr),
        statuses: ServiceStatus::ALL
            .iter()
            .map(|x| (x.as_str().to_string(), status_label(tr, x.as_str())))
            .collect(),
        days: kapstok_domain::editing::WEEKDAYS
            .iter()
            .map(|d| Day {
                code: d.to_lowercase(),
                name: tr.t(&format!("edit-day-{}", d.to_lowercase())),
            })
            .collect(),
        tag_groups: ed
            .tag_choices()
            .into_iter()
            .map(|(t, terms)| TagGroup {
                legend: t.name,
                tags: terms
                    .into_iter()
                    .map(|x| (x.id.to_string(), x.name))
                    .collect(),
            })
            .collect(),
        hours_note: field(tr, "hours_note", "text", 500),
        assured: s.assured_date.clone().unwrap_or_else(|| tr.t("edit-never")),
        f,
        errors,
        notice,
    };
    render::page(&page, status, lang)
}

/// A service's form, filled with the record as stored.
pub async fn service_form(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    query: Pairs,
) -> Result<Response, PageError> {
    let ed = editor(&state, &me).await?;
    let lang = me.visitor.lang;
    let Some(s) = ed.service(&id).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    let f = Pairs(service_values(&s));
    let notice = saved_notice(Tr { lang }, &query);
    render_service(&state, &me, &ed, &s, f, Vec::new(), notice)
}

/// Saves a service's form: published or suggested, or shown again with its errors.
pub async fn service_save(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let ed = editor(&state, &me).await?;
    let form = form_of(&body);
    me.check_form(&form)?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let values: Vec<(String, String)> = form
        .0
        .iter()
        .filter(|(k, _)| k != "csrf" && k != "confirmed")
        .cloned()
        .collect();
    let confirmed = form.get("confirmed") == Some("1");
    match ed
        .save_service(&id, &values, confirmed)
        .await
        .in_lang(lang)?
    {
        None => Err(PageError::not_found(lang)),
        Some(Ok(saved)) => Ok(after_save(&format!("/werk/kaart/aanbod/{id}"), &saved)),
        Some(Err(problems)) => {
            let Some(s) = ed.service(&id).await.in_lang(lang)? else {
                return Err(PageError::not_found(lang));
            };
            let errors = errors_of(tr, &problems);
            render_service(&state, &me, &ed, &s, Pairs(values), errors, None)
        }
    }
}

#[derive(Template)]
#[template(path = "map_org_form.html")]
struct OrganizationForm {
    l: Layout,
    csrf: String,
    id: String,
    publishes: bool,
    fields: Vec<Field>,
    f: Pairs,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

impl TypedForm for OrganizationForm {
    fn typed(&self) -> &Pairs {
        &self.f
    }
    fn field_errors(&self) -> &[(String, String)] {
        &self.errors
    }
}

fn render_organization(
    state: &AppState,
    me: &SignedIn,
    ed: &MapEditor,
    o: &kapstok_domain::model::Organization,
    f: Pairs,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let status = render::form_status(&errors);
    let page = OrganizationForm {
        l: layout(state, me, o.name.clone()),
        csrf: me.csrf.clone(),
        id: o.id.to_string(),
        publishes: ed.publishes(),
        fields: vec![
            field(tr, "name", "text", 200),
            field(tr, "alternate_name", "text", 200),
            field(tr, "description", "textarea", 4000),
            field(tr, "phone", "tel", 50),
            field(tr, "email", "email", 254),
            field(tr, "website", "url", 500),
        ],
        f,
        errors,
        notice,
    };
    render::page(&page, status, lang)
}

pub async fn organization_form(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    query: Pairs,
) -> Result<Response, PageError> {
    let ed = editor(&state, &me).await?;
    let lang = me.visitor.lang;
    let Some(o) = ed.organization(&id).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    let f = Pairs(organization_values(&o));
    let notice = saved_notice(Tr { lang }, &query);
    render_organization(&state, &me, &ed, &o, f, Vec::new(), notice)
}

pub async fn organization_save(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let ed = editor(&state, &me).await?;
    let form = form_of(&body);
    me.check_form(&form)?;
    let lang = me.visitor.lang;
    let values = crate::pro::admin::values_of(&form);
    match ed.save_organization(&id, &values).await.in_lang(lang)? {
        None => Err(PageError::not_found(lang)),
        Some(Ok(saved)) => Ok(after_save(
            &format!("/werk/kaart/organisaties/{id}"),
            &saved,
        )),
        Some(Err(problems)) => {
            let Some(o) = ed.organization(&id).await.in_lang(lang)? else {
                return Err(PageError::not_found(lang));
            };
            let errors = errors_of(Tr { lang }, &problems);
            render_organization(&state, &me, &ed, &o, Pairs(values), errors, None)
        }
    }
}

pub struct ChangeLine {
    pub field: String,
    pub before: String,
    pub after: String,
}

pub struct HistoryEntry {
    pub seq: i64,
    pub href: String,
    pub at: String,
    pub who: String,
    pub how: String,
    pub changes: Vec<ChangeLine>,
    pub caption: String,
    pub newest: bool,
}

#[derive(Template)]
#[template(path = "map_history.html")]
struct HistoryPage {
    l: Layout,
    back: String,
    may_restore: bool,
    entries: Vec<HistoryEntry>,
}

fn kind_of(path: &str, lang: Lang) -> Result<RecordType, PageError> {
    match path {
        "aanbod" => Ok(RecordType::Service),
        "organisaties" => Ok(RecordType::Organization),
        _ => Err(PageError::not_found(lang)),
    }
}

fn how(tr: Tr, v: &Version) -> String {
    let text = tr.t(&format!("edit-via-{}", v.via.code()));
    match (v.via, v.restored_from) {
        (Via::Restore, Some(n)) => format!("{text} {n}"),
        _ => text,
    }
}

fn who(tr: Tr, v: &Version) -> String {
    match (&v.user_name, &v.user_id) {
        (Some(n), _) => n.clone(),
        (None, Some(id)) => id.clone(),
        (None, None) => tr.t("edit-who-import"),
    }
}

pub(crate) fn change_lines(
    tr: Tr,
    changes: Vec<kapstok_domain::editing::Change>,
) -> Vec<ChangeLine> {
    let empty = tr.t("edit-empty");
    changes
        .into_iter()
        .map(|c| ChangeLine {
            field: field_label(tr, c.field),
            before: if c.before.is_empty() {
                empty.clone()
            } else {
                c.before
            },
            after: if c.after.is_empty() {
                empty.clone()
            } else {
                c.after
            },
        })
        .collect()
}

/// A record's versions, newest first, with what each changed.
pub async fn history(
    kind: &'static str,
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let ed = editor(&state, &me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let record = kind_of(kind, lang)?;
    let Some(lines) = ed.history(record, &id).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    let back = format!("/werk/kaart/{kind}/{id}");
    let entries = lines
        .into_iter()
        .enumerate()
        .map(|(n, h)| HistoryEntry {
            seq: h.version.seq,
            href: format!("{back}/geschiedenis/{}", h.version.seq),
            at: kapstok_domain::calendar::local(&h.version.at),
            who: who(tr, &h.version),
            how: how(tr, &h.version),
            changes: change_lines(tr, h.changes),
            caption: format!("{} {}", tr.t("edit-changes-in"), h.version.seq),
            newest: n == 0,
        })
        .collect();
    let page = HistoryPage {
        l: layout(&state, &me, tr.t("edit-history-title")),
        may_restore: ed.publishes(),
        back,
        entries,
    };
    render::ok(&page, lang)
}

#[derive(Template)]
#[template(path = "map_version.html")]
struct VersionPage {
    l: Layout,
    csrf: String,
    back: String,
    restore: Option<String>,
    at: String,
    who: String,
    how: String,
    fields: Vec<(String, String)>,
}

fn shown_lines(tr: Tr, shown: Vec<Shown>) -> Vec<(String, String)> {
    shown
        .into_iter()
        .filter(|s| !s.value.is_empty())
        .map(|s| (field_label(tr, s.field), s.value))
        .collect()
}

/// One version of a record, field by field.
pub async fn version(
    kind: &'static str,
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, seq)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let ed = editor(&state, &me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let record = kind_of(kind, lang)?;
    let Ok(seq) = seq.parse::<i64>() else {
        return Err(PageError::not_found(lang));
    };
    let Some((v, shown)) = ed.version(record, &id, seq).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    let back = format!("/werk/kaart/{kind}/{id}/geschiedenis");
    let page = VersionPage {
        l: layout(&state, &me, format!("{} {seq}", tr.t("edit-version"))),
        csrf: me.csrf.clone(),
        restore: ed.publishes().then(|| format!("{back}/{seq}/terugzetten")),
        back,
        at: kapstok_domain::calendar::local(&v.at),
        who: who(tr, &v),
        how: how(tr, &v),
        fields: shown_lines(tr, shown),
    };
    render::ok(&page, lang)
}

/// Publishes an old version again (steunpunt only).
pub async fn restore(
    kind: &'static str,
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, seq)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let rv = reviewer(&state, &me).await?;
    let form = form_of(&body);
    me.check_form(&form)?;
    let lang = me.visitor.lang;
    let record = kind_of(kind, lang)?;
    let Ok(seq) = seq.parse::<i64>() else {
        return Err(PageError::not_found(lang));
    };
    match rv.restore(record, &id, seq).await.in_lang(lang)? {
        Some(_) => Ok(to(&format!("/werk/kaart/{kind}/{id}?klaar=teruggezet"))),
        None => Err(PageError::not_found(lang)),
    }
}

/// The list of services not confirmed for a while, oldest first (`?maanden=`, 12 by default).
#[derive(Template)]
#[template(path = "map_due.html")]
struct DuePage {
    l: Layout,
    csrf: String,
    months: i32,
    lines: Vec<ListLine>,
    notice: Option<String>,
}

pub async fn due(
    State(state): State<AppState>,
    me: SignedIn,
    query: Pairs,
) -> Result<Response, PageError> {
    let rv = reviewer(&state, &me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let months = match query.get("maanden") {
        None => state.web.check_months(),
        Some(m) => match m.parse::<i32>() {
            Ok(n) if (1..=120).contains(&n) => n,
            _ => {
                return Err(PageError::new(
                    crate::error::AppError::bad("maanden", tr.t("edit-error-months")),
                    lang,
                ));
            }
        },
    };
    let lines: Vec<ServiceLine> = rv.due_for_check(months).await.in_lang(lang)?;
    let page = DuePage {
        l: layout(&state, &me, tr.t("edit-due-title")),
        csrf: me.csrf.clone(),
        months,
        lines: lines
            .into_iter()
            .map(|s| ListLine {
                href: format!("/werk/kaart/aanbod/{}", s.id),
                note: s.assured_date.unwrap_or_else(|| tr.t("edit-never")),
                name: s.name,
            })
            .collect(),
        notice: saved_notice(tr, &query),
    };
    render::ok(&page, lang)
}

/// Confirms one service as correct today (from the freshness list or the form).
pub async fn confirm(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let rv = reviewer(&state, &me).await?;
    let form = form_of(&body);
    me.check_form(&form)?;
    let lang = me.visitor.lang;
    match rv.confirm(&id).await.in_lang(lang)? {
        Some(_) => {
            let back = if form.get("terug") == Some("controle") {
                "/werk/kaart/controle".to_string()
            } else {
                format!("/werk/kaart/aanbod/{id}")
            };
            Ok(to(&format!("{back}?klaar=gecontroleerd")))
        }
        None => Err(PageError::not_found(lang)),
    }
}

#[derive(Template)]
#[template(path = "map_table.html")]
struct TablePage {
    l: Layout,
    csrf: String,
    publishes: bool,
    columns: String,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

fn render_table(
    state: &AppState,
    me: &SignedIn,
    ed: &MapEditor,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let status = render::form_status(&errors);
    let page = TablePage {
        l: layout(state, me, tr.t("table-title")),
        csrf: me.csrf.clone(),
        publishes: ed.publishes(),
        columns: kapstok_domain::map_table::columns()
            .into_iter()
            .map(|(h, _)| h)
            .collect::<Vec<_>>()
            .join(", "),
        errors,
        notice,
    };
    render::page(&page, status, lang)
}

/// Downloading and uploading the social map as a table.
pub async fn table(State(state): State<AppState>, me: SignedIn) -> Result<Response, PageError> {
    let ed = editor(&state, &me).await?;
    render_table(&state, &me, &ed, Vec::new(), None)
}

/// The table itself, for Dutch Excel.
pub async fn table_download(
    State(state): State<AppState>,
    me: SignedIn,
) -> Result<Response, PageError> {
    use axum::http::HeaderValue;
    use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
    use axum::response::IntoResponse;
    let ed = editor(&state, &me).await?;
    let bytes = ed.export_csv().await.in_lang(me.visitor.lang)?;
    let name = format!(
        "attachment; filename=\"sociale-kaart-{}.csv\"",
        kapstok_domain::calendar::date_of(kapstok_domain::calendar::Timestamp::now())
    );
    let mut r = bytes.into_response();
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&name) {
        r.headers_mut().insert(CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

fn row_issue_text(tr: Tr, issue: &kapstok_app::map_csv::RowIssue, column: Option<&str>) -> String {
    use kapstok_app::map_csv::RowIssue;
    use kapstok_domain::map_table::CellProblem;
    match issue {
        RowIssue::Unreadable(why) => format!("{} ({why})", tr.t("table-error-unreadable")),
        RowIssue::UnknownColumn(c) => format!("{}: {c}", tr.t("table-error-column")),
        RowIssue::NoIdColumn => tr.t("table-error-no-id-column"),
        RowIssue::TooManyRows => format!(
            "{} {}",
            tr.t("table-error-too-many"),
            kapstok_app::map_csv::MAX_ROWS
        ),
        RowIssue::NoId => tr.t("table-error-no-id"),
        RowIssue::UnknownId(id) => format!("{}: {id}", tr.t("table-error-unknown-id")),
        RowIssue::Duplicate(id) => format!("{}: {id}", tr.t("table-error-duplicate")),
        RowIssue::Cell(CellProblem::UnknownStatus) => tr.t("edit-problem-status"),
        RowIssue::Cell(CellProblem::UnknownTag(t)) => format!("{}: {t}", tr.t("edit-problem-tag")),
        RowIssue::Field(p) => {
            // The form's wording, without its field label (the column names it).
            let text = problem_text(tr, column.unwrap_or(""), *p);
            text.split_once(": ")
                .map_or(text.clone(), |(_, w)| w.to_string())
        }
    }
}

/// An uploaded table (multipart: the form token and the file). The body is read only once the
/// capability is granted, so a refusal is a refusal whatever was sent.
pub async fn table_upload(
    State(state): State<AppState>,
    me: SignedIn,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    use axum::extract::FromRequest;
    let ed = editor(&state, &me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let mut multipart = axum::extract::Multipart::from_request(request, &state)
        .await
        .map_err(|_| {
            PageError::new(
                crate::error::AppError::bad("bestand", tr.t("table-error-upload")),
                lang,
            )
        })?;
    let mut fields = Pairs::default();
    let mut file: Option<Vec<u8>> = None;
    let unreadable = |_| {
        PageError::new(
            crate::error::AppError::bad("bestand", tr.t("table-error-upload")),
            lang,
        )
    };
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_string();
        let bytes = field.bytes().await.map_err(unreadable)?;
        if name == "bestand" {
            file = Some(bytes.to_vec());
        } else {
            fields
                .0
                .push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    me.check_form(&fields)?;
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        let errors = vec![("bestand".to_string(), tr.t("table-error-no-file"))];
        return render_table(&state, &me, &ed, errors, None);
    };
    match ed.import_csv(&bytes).await.in_lang(lang)? {
        Ok(saved) => {
            let notice = format!(
                "{} {} · {} {} · {} {}",
                saved.rows,
                tr.t("table-done-rows"),
                saved.changed,
                tr.t(if saved.published {
                    "table-done-published"
                } else {
                    "table-done-suggested"
                }),
                saved.unchanged,
                tr.t("table-done-unchanged")
            );
            render_table(&state, &me, &ed, Vec::new(), Some(notice))
        }
        Err(problems) => {
            let errors = problems
                .iter()
                .take(200)
                .map(|p| {
                    let place = match &p.column {
                        Some(c) => format!(
                            "{} {}, {} {c}",
                            tr.t("table-row"),
                            p.row,
                            tr.t("table-column")
                        ),
                        None => format!("{} {}", tr.t("table-row"), p.row),
                    };
                    (
                        "bestand".to_string(),
                        format!(
                            "{place}: {}",
                            row_issue_text(
                                tr,
                                &p.issue,
                                p.column.as_deref().and_then(field_of_header)
                            )
                        ),
                    )
                })
                .collect();
            render_table(&state, &me, &ed, errors, None)
        }
    }
}

/// The form field a table column fills.
fn field_of_header(header: &str) -> Option<&'static str> {
    kapstok_domain::map_table::columns()
        .into_iter()
        .find(|(h, _)| h == header)
        .and_then(|(_, f)| f)
}
