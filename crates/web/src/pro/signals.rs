//! Signalen: recording a bottleneck (`/werk/signalen/nieuw`), following one's own
//! (`/werk/signalen`), the receiver's inbox with its steps and groups
//! (`/werk/signalen/ontvangen`), and the municipality's printable report
//! (`/werk/signalen/rapport`). Handlers get `SignalDesk`, `SignalInbox` or `SignalReport`.

use crate::error::PageError;
use crate::extract::SignedIn;
use crate::extract::params::Pairs;
use crate::i18n::{Lang, Tr};
use crate::pro::admin::{form_of, granted, period_of, to, values_of};
use crate::pro::map_edit::{errors_of, layout};
use crate::public::activities::Choice;
use crate::render::{self, InLang};
use crate::state::AppState;
use crate::views::{Layout, TypedForm};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use kapstok_app::signals::{SignalDesk, SignalInbox, SignalReport};
use kapstok_domain::activity_form::shown_date;
use kapstok_domain::audit::RecordKind;
use kapstok_domain::signal::{Signal, SignalLists, SignalState, TEXT_MAX, steps};

async fn desk(state: &AppState, me: &SignedIn) -> Result<SignalDesk, PageError> {
    let c = state.app().signal_desk(&me.actor);
    granted(state, me, c, RecordKind::Signal).await
}

async fn inbox(state: &AppState, me: &SignedIn) -> Result<SignalInbox, PageError> {
    let c = state.app().signal_inbox(&me.actor);
    granted(state, me, c, RecordKind::Signal).await
}

async fn reporter(state: &AppState, me: &SignedIn) -> Result<SignalReport, PageError> {
    let c = state.app().signal_report(&me.actor);
    granted(state, me, c, RecordKind::Signal).await
}

fn theme_label(lists: &SignalLists, lang: Lang, code: &str) -> String {
    lists.theme(code).map_or_else(
        || code.to_string(),
        |t| match lang {
            Lang::En => t.label_en.clone(),
            _ => t.label.clone(),
        },
    )
}

pub(crate) fn state_label(tr: Tr, s: SignalState) -> String {
    tr.t(&format!("sig-state-{}", s.code()))
}

fn notice(tr: Tr, q: &Pairs) -> Option<String> {
    let key = match q.get("klaar")? {
        "verstuurd" => "sig-done-sent",
        "stap" => "sig-done-step",
        "gegroepeerd" => "sig-done-grouped",
        _ => return None,
    };
    Some(tr.t(key))
}

/// A signal as a line or a page shows it (no person: the sender's team).
pub struct SignalView {
    pub id: String,
    pub reference: String,
    pub theme: String,
    pub area: String,
    pub period: String,
    pub text: String,
    pub addressee: String,
    pub sender: String,
    pub state: String,
    pub answer: Option<String>,
    pub group: Option<String>,
    pub sent: String,
}

async fn view(state: &AppState, lang: Lang, s: &Signal) -> Result<SignalView, PageError> {
    let tr = Tr { lang };
    let lists = SignalLists::default();
    let catalog = state.catalog();
    let area = s
        .area
        .as_deref()
        .and_then(|c| catalog.geo.areas.iter().find(|a| a.code == c))
        .map_or_else(|| tr.t("sig-no-area"), |a| a.name.clone());
    let sender = match &s.sender_team {
        Some(t) => state.app().team_name(t).await.in_lang(lang)?,
        None => String::new(),
    };
    Ok(SignalView {
        id: s.id.clone(),
        reference: s.reference.clone(),
        theme: theme_label(&lists, lang, &s.theme),
        area,
        period: format!("{} – {}", shown_date(s.from), shown_date(s.to)),
        text: s.text.clone(),
        addressee: state
            .app()
            .signal_addressee(&s.addressee)
            .await
            .in_lang(lang)?,
        sender,
        state: state_label(tr, s.state),
        answer: s.answer.clone(),
        group: s.group.clone(),
        sent: kapstok_domain::calendar::local(&s.created_at),
    })
}

async fn views(
    state: &AppState,
    lang: Lang,
    list: &[Signal],
) -> Result<Vec<SignalView>, PageError> {
    let mut out = Vec::with_capacity(list.len());
    for s in list {
        out.push(view(state, lang, s).await?);
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "signal_mine.html")]
struct MinePage {
    l: Layout,
    signals: Vec<SignalView>,
    report: bool,
    notice: Option<String>,
}

/// `/werk/signalen`: one's own signals and where they stand.
pub async fn mine(
    State(state): State<AppState>,
    me: SignedIn,
    q: Pairs,
) -> Result<Response, PageError> {
    let d = desk(&state, &me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let list = d.mine().await.in_lang(lang)?;
    let page = MinePage {
        l: layout(&state, &me, tr.t("sig-title")),
        signals: views(&state, lang, &list).await?,
        report: state.app().signal_report(&me.actor).is_some(),
        notice: notice(tr, &q),
    };
    render::ok(&page, lang)
}

#[derive(Template)]
#[template(path = "signal_form.html")]
struct FormPage {
    l: Layout,
    csrf: String,
    themes: Vec<Choice>,
    areas: Vec<Choice>,
    addressees: Vec<Choice>,
    text_max: usize,
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

fn chosen(all: Vec<(String, String)>, f: &Pairs, key: &str) -> Vec<Choice> {
    let picked = f.get(key);
    all.into_iter()
        .map(|(code, label)| Choice {
            chosen: picked == Some(code.as_str()),
            code,
            label,
        })
        .collect()
}

async fn show_form(
    state: &AppState,
    me: &SignedIn,
    d: &SignalDesk,
    f: Pairs,
    errors: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let themes = d
        .lists()
        .themes
        .iter()
        .map(|t| (t.code.clone(), theme_label(d.lists(), lang, &t.code)))
        .collect();
    let mut addressees = d.addressees().await.in_lang(lang)?;
    if let Some(m) = addressees.first_mut() {
        m.1 = tr.t("sig-municipality");
    }
    let status = render::form_status(&errors);
    let page = FormPage {
        l: layout(state, me, tr.t("sig-new")),
        csrf: me.csrf.clone(),
        themes: chosen(themes, &f, "theme"),
        areas: chosen(d.areas(), &f, "area"),
        addressees: chosen(addressees, &f, "addressee"),
        text_max: TEXT_MAX,
        f,
        errors,
        notice: None,
    };
    render::page(&page, status, lang)
}

pub async fn new_form(State(state): State<AppState>, me: SignedIn) -> Result<Response, PageError> {
    let d = desk(&state, &me).await?;
    show_form(&state, &me, &d, Pairs::default(), Vec::new()).await
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
    match d.record(&values_of(&form)).await.in_lang(lang)? {
        Ok(s) => Ok(to(&format!("/werk/signalen/{}?klaar=verstuurd", s.id))),
        Err(p) => {
            let errors = errors_of(Tr { lang }, &p);
            show_form(&state, &me, &d, form, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "signal_follow.html")]
struct FollowPage {
    l: Layout,
    s: SignalView,
    notice: Option<String>,
}

/// `/werk/signalen/{id}`: the sender follows their signal.
pub async fn follow(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    q: Pairs,
) -> Result<Response, PageError> {
    let d = desk(&state, &me).await?;
    let lang = me.visitor.lang;
    let Some(s) = d.mine_one(&id).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    let v = view(&state, lang, &s).await?;
    let page = FollowPage {
        l: layout(&state, &me, v.reference.clone()),
        s: v,
        notice: notice(Tr { lang }, &q),
    };
    render::ok(&page, lang)
}

#[derive(Template)]
#[template(path = "signal_inbox.html")]
struct InboxPage {
    l: Layout,
    csrf: String,
    signals: Vec<SignalView>,
    states: Vec<Choice>,
    open_count: usize,
    f: Pairs,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

impl TypedForm for InboxPage {
    fn typed(&self) -> &Pairs {
        &self.f
    }
    fn field_errors(&self) -> &[(String, String)] {
        &self.errors
    }
}

/// `/werk/signalen/ontvangen?status=`: signals addressed to the user's teams (and the
/// municipality), open first; grouping similar ones.
pub async fn received(
    State(state): State<AppState>,
    me: SignedIn,
    q: Pairs,
) -> Result<Response, PageError> {
    received_page(&state, &me, &q, Vec::new()).await
}

async fn received_page(
    state: &AppState,
    me: &SignedIn,
    q: &Pairs,
    errors: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let i = inbox(state, me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let wanted = q.get("status").and_then(SignalState::parse);
    let mut list = i.list().await.in_lang(lang)?;
    let open_count = list.iter().filter(|s| s.state == SignalState::Open).count();
    list.retain(|s| wanted.is_none_or(|w| s.state == w));
    list.sort_by_key(|s| s.state == SignalState::Closed);
    let status = render::form_status(&errors);
    let page = InboxPage {
        l: layout(state, me, tr.t("sig-inbox-title")),
        csrf: me.csrf.clone(),
        signals: views(state, lang, &list).await?,
        states: SignalState::ALL
            .iter()
            .map(|s| Choice {
                code: s.code().into(),
                label: state_label(tr, *s),
                chosen: wanted == Some(*s),
            })
            .collect(),
        open_count,
        f: Pairs::default(),
        errors,
        notice: notice(tr, q),
    };
    render::page(&page, status, lang)
}

/// Grouping similar signals.
pub async fn group(
    State(state): State<AppState>,
    me: SignedIn,
    body: Bytes,
) -> Result<Response, PageError> {
    let i = inbox(&state, &me).await?;
    let form = form_of(&body);
    me.check_form(&form)?;
    let lang = me.visitor.lang;
    let ids: Vec<String> = form
        .all("signaal")
        .into_iter()
        .map(str::to_string)
        .collect();
    match i
        .group(&ids, form.get("group").unwrap_or(""))
        .await
        .in_lang(lang)?
    {
        Ok(_) => Ok(to("/werk/signalen/ontvangen?klaar=gegroepeerd")),
        Err(p) => received_page(&state, &me, &Pairs::default(), errors_of(Tr { lang }, &p)).await,
    }
}

#[derive(Template)]
#[template(path = "signal_file.html")]
struct FilePage {
    l: Layout,
    csrf: String,
    s: SignalView,
    steps: Vec<(String, String)>,
    can_answer: bool,
    f: Pairs,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

impl TypedForm for FilePage {
    fn typed(&self) -> &Pairs {
        &self.f
    }
    fn field_errors(&self) -> &[(String, String)] {
        &self.errors
    }
}

async fn show_file(
    state: &AppState,
    me: &SignedIn,
    id: &str,
    f: Pairs,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let i = inbox(state, me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let Some(s) = i.signal(id).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    let all = steps(s.state);
    let can_answer = all.contains(&kapstok_domain::signal::SignalStep::Answer);
    let v = view(state, lang, &s).await?;
    let status = render::form_status(&errors);
    let page = FilePage {
        l: layout(state, me, v.reference.clone()),
        csrf: me.csrf.clone(),
        steps: all
            .into_iter()
            .filter(|s| *s != kapstok_domain::signal::SignalStep::Answer)
            .map(|s| {
                (
                    s.code().to_string(),
                    tr.t(&format!("sig-step-{}", s.code())),
                )
            })
            .collect(),
        can_answer,
        s: v,
        f,
        errors,
        notice,
    };
    render::page(&page, status, lang)
}

/// `/werk/signalen/ontvangen/{id}`.
pub async fn file(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    q: Pairs,
) -> Result<Response, PageError> {
    let n = notice(
        Tr {
            lang: me.visitor.lang,
        },
        &q,
    );
    show_file(&state, &me, &id, Pairs::default(), Vec::new(), n).await
}

pub async fn step(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let i = inbox(&state, &me).await?;
    let form = form_of(&body);
    me.check_form(&form)?;
    let lang = me.visitor.lang;
    match i.step(&id, &values_of(&form)).await.in_lang(lang)? {
        None => Err(PageError::not_found(lang)),
        Some(Ok(_)) => Ok(to(&format!("/werk/signalen/ontvangen/{id}?klaar=stap"))),
        Some(Err(p)) => {
            let errors = errors_of(Tr { lang }, &p);
            show_file(&state, &me, &id, form, errors, None).await
        }
    }
}

pub struct ThemeRow {
    pub theme: String,
    pub counts: Vec<u64>,
    pub total: u64,
}

pub struct GroupBlock {
    pub name: String,
    pub signals: Vec<SignalView>,
}

#[derive(Template)]
#[template(path = "signal_report.html")]
struct ReportPage {
    l: Layout,
    from: String,
    to: String,
    states: Vec<String>,
    themes: Vec<ThemeRow>,
    areas: Vec<(String, u64)>,
    groups: Vec<GroupBlock>,
    total: u64,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

/// `/werk/signalen/rapport?van=&tot=`: the printable report (this quarter by default).
pub async fn report(
    State(state): State<AppState>,
    me: SignedIn,
    q: Pairs,
) -> Result<Response, PageError> {
    let r = reporter(&state, &me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let today = kapstok_domain::calendar::Timestamp::now()
        .to_zoned(kapstok_domain::calendar::zone())
        .date();
    let quarter = today
        .first_of_month()
        .saturating_sub(jiff::Span::new().months((today.month() - 1) % 3));
    let (from, until, errors) = period_of(&q, tr, quarter, today);
    let rep = r.report(from, until).await.in_lang(lang)?;
    let lists = SignalLists::default();
    let themes = rep
        .by_theme
        .iter()
        .map(|(t, counts)| ThemeRow {
            theme: theme_label(&lists, lang, t),
            counts: SignalState::ALL
                .iter()
                .map(|s| counts.get(s).copied().unwrap_or(0))
                .collect(),
            total: counts.values().sum(),
        })
        .collect();
    let catalog = state.catalog();
    let areas = rep
        .by_area
        .iter()
        .map(|(code, n)| {
            (
                catalog
                    .geo
                    .areas
                    .iter()
                    .find(|a| &a.code == code)
                    .map_or_else(|| tr.t("sig-no-area"), |a| a.name.clone()),
                *n,
            )
        })
        .collect();
    let mut groups = Vec::new();
    for (name, list) in &rep.groups {
        groups.push(GroupBlock {
            name: if name.is_empty() {
                tr.t("sig-ungrouped")
            } else {
                name.clone()
            },
            signals: views(&state, lang, list).await?,
        });
    }
    let status = render::form_status(&errors);
    let page = ReportPage {
        l: layout(&state, &me, tr.t("sig-report-title")),
        from: shown_date(from),
        to: shown_date(until),
        states: SignalState::ALL
            .iter()
            .map(|s| state_label(tr, *s))
            .collect(),
        themes,
        areas,
        groups,
        total: rep.total,
        errors,
        notice: None,
    };
    render::page(&page, status, lang)
}
