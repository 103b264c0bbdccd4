//! The coördinator's activity pages (`/werk/activiteiten`: publish, repeat next year, move or
//! cancel a date, participants, attendance, CSV for Excel, certificates, reach) and every
//! signed-in professional's list (`/werk/scholing`: their group's activities first, registering
//! with their account). Handlers get `ActivityDesk` (coördinatoren only) or `ActivityBoard`.

use crate::error::PageError;
use crate::extract::SignedIn;
use crate::extract::params::Pairs;
use crate::i18n::Tr;
use crate::pro::admin::{form_of, granted, period_of, to, values_of};
use crate::pro::map_edit::{Field, errors_of, field, layout};
use crate::public::activities::{
    Choice, Line, PageParts, activity_page, audience_label, kind_label, line_of, refusal_errors,
    registered_page, when,
};
use crate::render::{self, InLang};
use crate::state::AppState;
use crate::views::{Layout, TypedForm};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use kapstok_app::activities::desk::ActivityDesk;
use kapstok_domain::activity::RegistrationState;
use kapstok_domain::activity_form::{
    DESCRIPTION_MAX, LINE_MAX, TITLE_MAX, activity_values, shown_date,
};
use kapstok_domain::audit::RecordKind;

async fn desk(state: &AppState, me: &SignedIn) -> Result<ActivityDesk, PageError> {
    let capability = state.app().activity_desk(&me.actor);
    granted(state, me, capability, RecordKind::Registration).await
}

/// A date in a path: its stored key, or `online` for e-learning (no date).
fn key_in_path(segment: &str) -> String {
    if segment == "online" {
        String::new()
    } else {
        segment.to_string()
    }
}

fn path_of_key(key: &str) -> &str {
    if key.is_empty() { "online" } else { key }
}

fn notice(tr: Tr, q: &Pairs) -> Option<String> {
    let key = match q.get("klaar")? {
        "opgeslagen" => "act-desk-saved",
        "nieuw" => "act-desk-created",
        "volgend-jaar" => "act-desk-next-year",
        "vervalt" => "act-desk-date-cancelled",
        "verplaatst" => "act-desk-date-moved",
        "aanwezig" => "act-desk-attendance-saved",
        "doorgeschoven" => "act-desk-moved-up",
        "groep" => "act-mine-group-saved",
        "onbekend" => "act-mine-group-unknown",
        _ => return None,
    };
    Some(tr.t(key))
}

/// A line of the coördinator's list.
pub struct DeskRow {
    pub href: String,
    pub title: String,
    pub kind: String,
    pub next: String,
    pub places: String,
    pub waiting: u64,
    pub published: bool,
}

#[derive(Template)]
#[template(path = "activity_desk.html")]
struct DeskPage {
    l: Layout,
    rows: Vec<DeskRow>,
    notice: Option<String>,
}

/// `/werk/activiteiten`.
pub async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    q: Pairs,
) -> Result<Response, PageError> {
    let d = desk(&state, &me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let rows = d
        .overview()
        .await
        .in_lang(lang)?
        .into_iter()
        .map(|line| {
            let a = &line.activity;
            DeskRow {
                href: format!("/werk/activiteiten/{}", a.id),
                title: a.title.clone(),
                kind: kind_label(d.lists(), lang, &a.kind),
                next: match (&line.next, &a.schedule) {
                    (Some(o), _) => when(lang, o),
                    (None, None) => tr.t("act-undated"),
                    (None, Some(_)) => tr.t("act-desk-past"),
                },
                places: match a.capacity {
                    Some(c) => format!("{} / {c}", line.counts.places),
                    None => line.counts.places.to_string(),
                },
                waiting: line.counts.waiting,
                published: a.published,
            }
        })
        .collect();
    let page = DeskPage {
        l: layout(&state, &me, tr.t("act-desk-title")),
        rows,
        notice: notice(tr, &q),
    };
    render::ok(&page, lang)
}

#[derive(Template)]
#[template(path = "activity_form.html")]
struct FormPage {
    l: Layout,
    csrf: String,
    action: String,
    kinds: Vec<Choice>,
    audiences: Vec<Choice>,
    areas: Vec<Choice>,
    organizations: Vec<Choice>,
    locations: Vec<Choice>,
    repeats: Vec<Choice>,
    text_fields: Vec<Field>,
    place_fields: Vec<Field>,
    time_fields: Vec<Field>,
    repeat_fields: Vec<Field>,
    more_fields: Vec<Field>,
    /// An existing activity: its dates with their counts, and its id.
    dates: Vec<DateLink>,
    existing: Option<String>,
    f: Pairs,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

impl TypedForm for FormPage {
    fn typed(&self) -> &Pairs {
        &self.f
    }
    fn field_errors(&self) -> &[(String, String)] {
        &self.errors
    }
}

pub struct DateLink {
    pub href: String,
    pub when: String,
    pub places: String,
    pub waiting: u64,
    pub cancelled: bool,
}

fn chosen(all: Vec<(String, String)>, f: &Pairs, key: &str) -> Vec<Choice> {
    let picked = f.all(key);
    all.into_iter()
        .map(|(code, label)| Choice {
            chosen: picked.contains(&code.as_str()),
            code,
            label,
        })
        .collect()
}

async fn show_form(
    state: &AppState,
    me: &SignedIn,
    d: &ActivityDesk,
    existing: Option<&kapstok_domain::activity::Activity>,
    f: Pairs,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let lists = d.lists();
    let mut dates = Vec::new();
    if let Some(a) = existing {
        if a.schedule.is_none() {
            let c = d.undated_counts(a).await.in_lang(lang)?;
            dates.push(DateLink {
                href: format!("/werk/activiteiten/{}/datums/online", a.id),
                when: tr.t("act-undated"),
                places: c.places.to_string(),
                waiting: c.waiting,
                cancelled: false,
            });
        }
        for (o, c) in d.dates(a).await.in_lang(lang)? {
            dates.push(DateLink {
                href: format!(
                    "/werk/activiteiten/{}/datums/{}",
                    a.id,
                    kapstok_app::activities::key_of(&o)
                ),
                when: when(lang, &o),
                places: match a.capacity {
                    Some(cap) => format!("{} / {cap}", c.places),
                    None => c.places.to_string(),
                },
                waiting: c.waiting,
                cancelled: o.cancelled,
            });
        }
    }
    let repeats = ["geen", "jaarlijks", "maandelijks", "wekelijks", "datums"]
        .iter()
        .map(|r| (r.to_string(), tr.t(&format!("act-repeat-{r}"))))
        .collect();
    let mut f = f;
    if f.get("repeat").is_none() {
        f.0.push(("repeat".into(), "geen".into()));
    }
    let status = render::form_status(&errors);
    let page = FormPage {
        l: layout(
            state,
            me,
            existing.map_or_else(|| tr.t("act-desk-new"), |a| a.title.clone()),
        ),
        csrf: me.csrf.clone(),
        action: existing.map_or_else(
            || "/werk/activiteiten/nieuw".to_string(),
            |a| format!("/werk/activiteiten/{}", a.id),
        ),
        kinds: chosen(
            lists
                .kinds
                .iter()
                .map(|k| (k.code.clone(), kind_label(lists, lang, &k.code)))
                .collect(),
            &f,
            "kind",
        ),
        audiences: chosen(
            lists
                .audiences
                .iter()
                .map(|a| (a.code.clone(), audience_label(lists, lang, &a.code)))
                .collect(),
            &f,
            "audience",
        ),
        areas: chosen(d.areas(), &f, "area"),
        organizations: chosen(d.organizations(), &f, "organization"),
        locations: chosen(d.locations(), &f, "location_id"),
        repeats: chosen(repeats, &f, "repeat"),
        text_fields: vec![
            field(tr, "title", "text", TITLE_MAX),
            field(tr, "description", "textarea", DESCRIPTION_MAX),
        ],
        place_fields: vec![
            field(tr, "address", "text", LINE_MAX),
            field(tr, "contact", "text", LINE_MAX),
            field(tr, "url", "url", LINE_MAX),
        ],
        time_fields: vec![
            field(tr, "date", "text", 10),
            field(tr, "starts", "text", 5),
            field(tr, "ends", "text", 5),
        ],
        repeat_fields: vec![
            field(tr, "repeat_count", "text", 3),
            field(tr, "repeat_until", "text", 10),
            field(tr, "dates", "textarea", 2_000),
        ],
        more_fields: vec![
            field(tr, "capacity", "text", 5),
            field(tr, "deadline", "text", 10),
            field(tr, "points", "text", 3),
        ],
        dates,
        existing: existing.map(|a| a.id.clone()),
        f,
        errors,
        notice,
    };
    render::page(&page, status, lang)
}

/// `/werk/activiteiten/nieuw`.
pub async fn new_form(State(state): State<AppState>, me: SignedIn) -> Result<Response, PageError> {
    let d = desk(&state, &me).await?;
    show_form(&state, &me, &d, None, Pairs::default(), Vec::new(), None).await
}

pub async fn create(
    State(state): State<AppState>,
    me: SignedIn,
    body: Bytes,
) -> Result<Response, PageError> {
    let d = desk(&state, &me).await?;
    let form = form_of(&body);
    me.check_form(&form)?;
    let lang = me.visitor.lang;
    match d.create(&values_of(&form)).await.in_lang(lang)? {
        Ok(a) => Ok(to(&format!("/werk/activiteiten/{}?klaar=nieuw", a.id))),
        Err(p) => {
            let errors = errors_of(Tr { lang }, &p);
            show_form(&state, &me, &d, None, form, errors, None).await
        }
    }
}

/// `/werk/activiteiten/{id}`: its form and its dates.
pub async fn edit_form(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    q: Pairs,
) -> Result<Response, PageError> {
    let d = desk(&state, &me).await?;
    let lang = me.visitor.lang;
    let Some(a) = d.activity(&id).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    let mut values = activity_values(&a);
    if let Some(o) = &a.organization_id {
        values.push(("organization".into(), o.clone()));
    }
    show_form(
        &state,
        &me,
        &d,
        Some(&a),
        Pairs(values),
        Vec::new(),
        notice(Tr { lang }, &q),
    )
    .await
}

pub async fn save(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let d = desk(&state, &me).await?;
    let form = form_of(&body);
    me.check_form(&form)?;
    let lang = me.visitor.lang;
    match d.save(&id, &values_of(&form)).await.in_lang(lang)? {
        None => Err(PageError::not_found(lang)),
        Some(Ok((a, moved))) => Ok(to(&format!(
            "/werk/activiteiten/{}?klaar={}",
            a.id,
            if moved > 0 {
                "doorgeschoven"
            } else {
                "opgeslagen"
            }
        ))),
        Some(Err(p)) => {
            let Some(a) = d.activity(&id).await.in_lang(lang)? else {
                return Err(PageError::not_found(lang));
            };
            let errors = errors_of(Tr { lang }, &p);
            show_form(&state, &me, &d, Some(&a), form, errors, None).await
        }
    }
}

/// "Herhaal volgend jaar": a copy 52 weeks on, to check and publish.
pub async fn next_year(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let d = desk(&state, &me).await?;
    me.check_form(&form_of(&body))?;
    let lang = me.visitor.lang;
    match d.repeat_next_year(&id).await.in_lang(lang)? {
        Some(a) => Ok(to(&format!(
            "/werk/activiteiten/{}?klaar=volgend-jaar",
            a.id
        ))),
        None => Err(PageError::not_found(lang)),
    }
}

pub struct ParticipantRow {
    pub id: String,
    pub name: String,
    pub reach: String,
    pub state: String,
    pub present: bool,
    /// Holding a place: attendance can be marked.
    pub markable: bool,
    pub certificate: Option<String>,
}

#[derive(Template)]
#[template(path = "activity_date.html")]
struct DatePage {
    l: Layout,
    csrf: String,
    activity_href: String,
    base: String,
    when: Option<String>,
    cancelled: bool,
    capacity: Option<u32>,
    places: usize,
    waiting: usize,
    rows: Vec<ParticipantRow>,
    f: Pairs,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

impl TypedForm for DatePage {
    fn typed(&self) -> &Pairs {
        &self.f
    }
    fn field_errors(&self) -> &[(String, String)] {
        &self.errors
    }
}

fn state_label(tr: Tr, s: RegistrationState) -> String {
    tr.t(match s {
        RegistrationState::Place => "act-state-place",
        RegistrationState::Waiting => "act-state-waiting",
        RegistrationState::Cancelled => "act-state-cancelled",
        RegistrationState::Attended => "act-state-attended",
        RegistrationState::Completed => "act-state-completed",
    })
}

async fn show_date(
    state: &AppState,
    me: &SignedIn,
    id: &str,
    key: &str,
    f: Pairs,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let d = desk(state, me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let Some(list) = d.participants(id, key).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    let l = list.into_value();
    let base = format!("/werk/activiteiten/{id}/datums/{}", path_of_key(key));
    let rows: Vec<ParticipantRow> = l
        .registrations
        .iter()
        .map(|r| ParticipantRow {
            id: r.id.clone(),
            name: r.name.clone().unwrap_or_else(|| tr.t("act-erased")),
            reach: [r.email.as_deref(), r.phone.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
            state: state_label(tr, r.state),
            present: matches!(
                r.state,
                RegistrationState::Attended | RegistrationState::Completed
            ),
            markable: r.state.takes_place() || r.state == RegistrationState::Completed,
            certificate: (matches!(
                r.state,
                RegistrationState::Attended | RegistrationState::Completed
            ) && r.name.is_some())
            .then(|| format!("{base}/bewijs/{}", r.id)),
        })
        .collect();
    let status = render::form_status(&errors);
    let page = DatePage {
        l: layout(state, me, l.activity.title.clone()),
        csrf: me.csrf.clone(),
        activity_href: format!("/werk/activiteiten/{id}"),
        when: l.occurrence.as_ref().map(|o| when(lang, o)),
        cancelled: l.occurrence.as_ref().is_some_and(|o| o.cancelled),
        capacity: l.activity.capacity,
        places: l
            .registrations
            .iter()
            .filter(|r| r.state.takes_place())
            .count(),
        waiting: l
            .registrations
            .iter()
            .filter(|r| r.state == RegistrationState::Waiting)
            .count(),
        rows,
        base,
        f,
        errors,
        notice,
    };
    render::page(&page, status, lang)
}

/// `/werk/activiteiten/{id}/datums/{key}`: who registered (access-logged), attendance.
pub async fn date(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, key)): Path<(String, String)>,
    q: Pairs,
) -> Result<Response, PageError> {
    let n = notice(
        Tr {
            lang: me.visitor.lang,
        },
        &q,
    );
    show_date(
        &state,
        &me,
        &id,
        &key_in_path(&key),
        Pairs::default(),
        Vec::new(),
        n,
    )
    .await
}

pub async fn attendance(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, key)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let d = desk(&state, &me).await?;
    let form = form_of(&body);
    me.check_form(&form)?;
    let lang = me.visitor.lang;
    let present: Vec<String> = form
        .all("aanwezig")
        .into_iter()
        .map(str::to_string)
        .collect();
    match d
        .mark_attendance(&id, &key_in_path(&key), &present)
        .await
        .in_lang(lang)?
    {
        Some(_) => Ok(to(&format!(
            "/werk/activiteiten/{id}/datums/{key}?klaar=aanwezig"
        ))),
        None => Err(PageError::not_found(lang)),
    }
}

pub async fn cancel_date(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, key)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let d = desk(&state, &me).await?;
    me.check_form(&form_of(&body))?;
    let lang = me.visitor.lang;
    match d.cancel_date(&id, &key).await.in_lang(lang)? {
        Some(()) => Ok(to(&format!(
            "/werk/activiteiten/{id}/datums/{key}?klaar=vervalt"
        ))),
        None => Err(PageError::not_found(lang)),
    }
}

pub async fn move_date(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, key)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let d = desk(&state, &me).await?;
    let form = form_of(&body);
    me.check_form(&form)?;
    let lang = me.visitor.lang;
    match d
        .move_date(&id, &key, &values_of(&form))
        .await
        .in_lang(lang)?
    {
        None => Err(PageError::not_found(lang)),
        Some(Ok(())) => Ok(to(&format!(
            "/werk/activiteiten/{id}/datums/{key}?klaar=verplaatst"
        ))),
        Some(Err(p)) => {
            let errors = errors_of(Tr { lang }, &p);
            show_date(&state, &me, &id, &key, form, errors, None).await
        }
    }
}

/// A file to download (its access-log entry is written).
fn file(kind: &'static str, disposition: &'static str, bytes: Vec<u8>) -> Response {
    (
        [(CONTENT_TYPE, kind), (CONTENT_DISPOSITION, disposition)],
        bytes,
    )
        .into_response()
}

/// The list for Dutch Excel.
pub async fn export(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, key)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let d = desk(&state, &me).await?;
    let lang = me.visitor.lang;
    let Some(csv) = d.export(&id, &key_in_path(&key)).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    Ok(file(
        "text/csv; charset=utf-8",
        "attachment; filename=\"deelnemers.csv\"",
        csv.into_value(),
    ))
}

/// A participant's certificate of attendance (PDF).
pub async fn certificate(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, key, registration)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let d = desk(&state, &me).await?;
    let lang = me.visitor.lang;
    let Some(pdf) = d
        .certificate(&id, &key_in_path(&key), &registration)
        .await
        .in_lang(lang)?
    else {
        return Err(PageError::not_found(lang));
    };
    Ok(file(
        "application/pdf",
        "inline; filename=\"bewijs-van-deelname.pdf\"",
        pdf.into_value(),
    ))
}

pub struct ReachRow {
    pub label: String,
    pub registrations: u64,
    pub attended: u64,
    pub waiting: u64,
    pub cancelled: u64,
    pub completed: u64,
}

pub struct ReachTable {
    pub caption: String,
    pub rows: Vec<ReachRow>,
}

#[derive(Template)]
#[template(path = "activity_reach.html")]
struct ReachPage {
    l: Layout,
    from: String,
    to: String,
    tables: Vec<ReachTable>,
    f: Pairs,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

impl TypedForm for ReachPage {
    fn typed(&self) -> &Pairs {
        &self.f
    }
    fn field_errors(&self) -> &[(String, String)] {
        &self.errors
    }
}

/// `/werk/activiteiten/bereik?van=&tot=`: counts per kind, audience and area.
pub async fn reach(
    State(state): State<AppState>,
    me: SignedIn,
    q: Pairs,
) -> Result<Response, PageError> {
    let d = desk(&state, &me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let today = d.today();
    let (from, until, errors) = period_of(&q, tr, today.first_of_year(), today.last_of_year());
    let r = d.reach(from, until).await.in_lang(lang)?;
    let lists = d.lists();
    let areas = d.areas();
    let rows =
        |m: &std::collections::BTreeMap<String, kapstok_app::activities::reach::ReachLine>,
         label: &dyn Fn(&str) -> String| {
            m.iter()
                .map(|(k, v)| ReachRow {
                    label: label(k),
                    registrations: v.registrations,
                    attended: v.attended,
                    waiting: v.waiting,
                    cancelled: v.cancelled,
                    completed: v.completed,
                })
                .collect::<Vec<_>>()
        };
    let mut total = rows(
        &std::iter::once((tr.t("act-reach-total"), r.total.clone())).collect(),
        &|k| k.to_string(),
    );
    let tables = vec![
        ReachTable {
            caption: tr.t("act-reach-by-kind"),
            rows: rows(&r.by_kind, &|k| kind_label(lists, lang, k)),
        },
        ReachTable {
            caption: tr.t("act-reach-by-audience"),
            rows: rows(&r.by_audience, &|k| audience_label(lists, lang, k)),
        },
        ReachTable {
            caption: tr.t("act-reach-by-area"),
            rows: rows(&r.by_area, &|k| {
                areas
                    .iter()
                    .find(|(c, _)| c == k)
                    .map_or_else(|| tr.t("act-reach-no-area"), |(_, n)| n.clone())
            }),
        },
        ReachTable {
            caption: tr.t("act-reach-total"),
            rows: std::mem::take(&mut total),
        },
    ];
    let status = render::form_status(&errors);
    let page = ReachPage {
        l: layout(&state, &me, tr.t("act-reach-title")),
        from: shown_date(from),
        to: shown_date(until),
        tables,
        f: Pairs::default(),
        errors,
        notice: None,
    };
    render::page(&page, status, lang)
}

#[derive(Template)]
#[template(path = "activity_mine.html")]
struct MinePage {
    l: Layout,
    csrf: String,
    groups: Vec<Choice>,
    group: Option<String>,
    first: Vec<Line>,
    others: Vec<Line>,
    notice: Option<String>,
}

/// `/werk/scholing`: upcoming activities for professionals, their own group's first.
pub async fn mine(
    State(state): State<AppState>,
    me: SignedIn,
    q: Pairs,
) -> Result<Response, PageError> {
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let board = state.app().activity_board(&me.actor);
    let group = state.app().my_audience(&me.actor).await.in_lang(lang)?;
    let items = board.upcoming(&Default::default()).await.in_lang(lang)?;
    let lists = board.lists();
    let professional = |codes: &[String]| {
        codes
            .iter()
            .any(|c| lists.audience(c).is_some_and(|a| a.professional))
    };
    let (mut first, mut others) = (Vec::new(), Vec::new());
    for i in items.iter().filter(|i| professional(&i.activity.audiences)) {
        let line = line_of(&board, lang, i, format!("/werk/scholing/{}", i.activity.id));
        if group
            .as_ref()
            .is_some_and(|g| i.activity.audiences.contains(g))
        {
            first.push(line);
        } else {
            others.push(line);
        }
    }
    let page = MinePage {
        l: layout(&state, &me, tr.t("act-mine-title")),
        csrf: me.csrf.clone(),
        groups: lists
            .audiences
            .iter()
            .filter(|a| a.professional)
            .map(|a| Choice {
                chosen: group.as_deref() == Some(a.code.as_str()),
                code: a.code.clone(),
                label: audience_label(lists, lang, &a.code),
            })
            .collect(),
        group: group.as_deref().map(|g| audience_label(lists, lang, g)),
        first,
        others,
        notice: notice(tr, &q),
    };
    render::ok(&page, lang)
}

/// Choosing one's professional group.
pub async fn set_group(
    State(state): State<AppState>,
    me: SignedIn,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = form_of(&body);
    me.check_form(&form)?;
    let lang = me.visitor.lang;
    // An unknown code changes nothing, and the page says so.
    let saved = state
        .app()
        .set_my_audience(&me.actor, form.get("groep"))
        .await
        .in_lang(lang)?;
    Ok(to(if saved {
        "/werk/scholing?klaar=groep"
    } else {
        "/werk/scholing?klaar=onbekend"
    }))
}

fn mine_parts<'a>(
    state: &AppState,
    me: &SignedIn,
    id: &str,
    title: String,
    board: &'a kapstok_app::activities::board::ActivityBoard,
) -> PageParts<'a> {
    PageParts {
        layout: layout(state, me, title),
        action: format!("/werk/scholing/{id}/aanmelden"),
        signed_in: true,
        csrf: me.csrf.clone(),
        board,
        notice: None,
    }
}

/// `/werk/scholing/{id}`: the activity's page, registering with one's account.
pub async fn mine_page(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let lang = me.visitor.lang;
    let board = state.app().activity_board(&me.actor);
    let Some(item) = board.page(&id).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    let parts = mine_parts(&state, &me, &id, item.activity.title.clone(), &board);
    activity_page(parts, item, Pairs::default(), Vec::new())
}

pub async fn mine_register(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = form_of(&body);
    me.check_form(&form)?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let board = state.app().activity_board(&me.actor);
    let key = form.get("datum").unwrap_or("").to_string();
    match board.register_me(&id, &key).await.in_lang(lang)? {
        Ok(r) => registered_page(layout(&state, &me, tr.t("act-registered-title")), &board, r),
        Err(refusal) => {
            let Some(item) = board.page(&id).await.in_lang(lang)? else {
                return Err(PageError::not_found(lang));
            };
            let parts = mine_parts(&state, &me, &id, tr.t("act-error-title"), &board);
            activity_page(parts, item, form, refusal_errors(tr, &refusal))
        }
    }
}
