//! A team's inbox, for its teamlid members: the list (new first, filtered by state, area,
//! reason and who has it), one referral's file (the carer's details, consent, history, the
//! team's notes), and the team's steps on it: the moves the domain allows, assigning, notes.
//! Every look and change is logged by the capability.

use crate::error::{AppError, PageError};
use crate::extract::SignedIn;
use crate::extract::params::{Pairs, query_string};
use crate::i18n::{Lang, Tr};
use crate::pro::admin::{form_of, plain_id, team_id, to};
use crate::render::{self, InLang};
use crate::state::AppState;
use crate::views::Layout;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kapstok_app::referrals::{Assigned, InboxFilter, InboxProblem, ReferralFile, TeamInbox};
use kapstok_domain::audit::RecordKind;
use kapstok_domain::calendar::local;
use kapstok_domain::referral::State as RefState;
use kapstok_domain::referral::{Move, MoveError, Party, Reason, RouteLists, Source, moves_from};

/// Referrals per inbox page.
const PAGE: usize = 50;

/// The inbox's status filter for referrals not acknowledged within the service level.
const OVERDUE: &str = "te-laat";

pub(crate) async fn inbox_of(
    state: &AppState,
    me: &SignedIn,
    team: &str,
) -> Result<TeamInbox, PageError> {
    let team_id = team_id(team, me.visitor.lang)?;
    let capability = state.app().team_inbox(&me.actor, &team_id);
    crate::pro::admin::granted(state, me, capability, RecordKind::Referral).await
}

pub(crate) fn bad(lang: Lang) -> PageError {
    PageError::new(AppError::Refused(StatusCode::BAD_REQUEST), lang)
}

fn label(list: &[Reason], code: &str, lang: Lang) -> String {
    list.iter()
        .find(|r| r.code == code)
        .map_or(code.to_string(), |r| {
            r.label_in(lang == Lang::En).to_string()
        })
}

pub(crate) fn outcome_label(lists: &RouteLists, code: &str, tr: Tr) -> String {
    if code == kapstok_domain::referral::FORWARDED {
        return tr.t("outcome-forwarded");
    }
    lists.outcome(code).map_or(code.to_string(), |o| {
        o.label_in(tr.lang == Lang::En).to_string()
    })
}

pub(crate) fn state_label(tr: Tr, s: RefState) -> String {
    tr.t(&format!("state-{}", s.code()))
}

pub(crate) async fn team_name(inbox: &TeamInbox, lang: Lang) -> Result<String, PageError> {
    Ok(inbox
        .team_name()
        .await
        .in_lang(lang)?
        .unwrap_or_else(|| inbox.team().to_string()))
}

pub struct InboxLine {
    pub href: String,
    pub reference: String,
    pub reason: String,
    pub area: String,
    pub state: String,
    pub new: bool,
    /// Not acknowledged within the service level.
    pub overdue: bool,
    pub assigned: String,
    pub received: String,
}

#[derive(Template)]
#[template(path = "referral_inbox.html")]
struct InboxPage {
    l: Layout,
    team: String,
    action: String,
    lines: Vec<InboxLine>,
    total: usize,
    /// (value, label) for each filter, and the chosen value.
    states: Vec<(String, String)>,
    areas: Vec<(String, String)>,
    reasons: Vec<(String, String)>,
    assignees: Vec<(String, String)>,
    chosen: Pairs,
    previous: Option<String>,
    next: Option<String>,
    page: usize,
    /// How many are overdue, and where they are listed.
    overdue: usize,
    overdue_href: String,
}

impl InboxPage {
    fn is(&self, key: &str, value: &str) -> bool {
        self.chosen.get(key).unwrap_or("") == value
    }
}

/// The inbox: new first, then newest; open ones unless another state is chosen.
pub async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    Path(team): Path<String>,
    query: Pairs,
) -> Result<Response, PageError> {
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let inbox = inbox_of(&state, &me, &team).await?;
    let catalog = state.catalog();
    let lists = inbox.lists();
    let colleagues = inbox.colleagues().await.in_lang(lang)?;
    let me_id = me.user().id.to_string();

    // The filters, from the address: a value no list has is refused.
    let status = query
        .get("status")
        .or(query.get("alle").map(|_| "alle"))
        .unwrap_or("open");
    let mut sent_before = None;
    let states = match status {
        "open" => RefState::ALL.into_iter().filter(|s| s.is_open()).collect(),
        "alle" => Vec::new(),
        OVERDUE => {
            let overdue = inbox.overdue_filter();
            sent_before = overdue.sent_before;
            overdue.states
        }
        code => vec![RefState::parse(code).ok_or_else(|| bad(lang))?],
    };
    let area_code = query.get("gebied").map(str::to_string);
    if area_code
        .as_deref()
        .is_some_and(|a| catalog.geo.area(a).is_none())
    {
        return Err(bad(lang));
    }
    let reason = query.get("reden").map(str::to_string);
    if reason.as_deref().is_some_and(|r| lists.reason(r).is_none()) {
        return Err(bad(lang));
    }
    let assigned = match query.get("toegewezen") {
        None => Assigned::Anyone,
        Some("niemand") => Assigned::Nobody,
        Some("mij") => Assigned::To(me_id.clone()),
        Some(id) if colleagues.iter().any(|c| c.id == id) => Assigned::To(id.to_string()),
        Some(_) => return Err(bad(lang)),
    };
    let page: usize = match query.get("pagina") {
        None => 1,
        Some(p) => p
            .parse()
            .ok()
            .filter(|p| (1..=10_000).contains(p))
            .ok_or_else(|| bad(lang))?,
    };
    let filter = InboxFilter {
        states,
        area_code,
        reason,
        assigned,
        sent_before,
    };
    let overdue = inbox.overdue_count().await.in_lang(lang)?;
    let (list, total) = inbox
        .list(&filter, (page - 1) * PAGE, PAGE)
        .await
        .in_lang(lang)?
        .into_value();

    let base = format!("/werk/teams/{}/verwijzingen", inbox.team());
    let kept: Vec<(&str, &str)> = ["status", "gebied", "reden", "toegewezen"]
        .into_iter()
        .filter_map(|k| query.get(k).map(|v| (k, v)))
        .collect();
    let page_href = |n: usize| {
        let n = n.to_string();
        let mut q = kept.clone();
        q.push(("pagina", &n));
        format!("{base}?{}", query_string(q))
    };
    let previous = (page > 1).then(|| page_href(page - 1));
    let next = (page * PAGE < total).then(|| page_href(page + 1));
    let mut chosen = Pairs(vec![("status".to_string(), status.to_string())]);
    for (k, v) in &kept {
        if *k != "status" {
            chosen.0.push((k.to_string(), v.to_string()));
        }
    }

    let name_of = |id: &str| {
        colleagues
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| tr.t("inbox-former-member"), |c| c.name.clone())
    };
    let team = team_name(&inbox, lang).await?;
    let page = InboxPage {
        l: Layout::signed_in(
            &me.visitor,
            format!("{} · {team}", tr.t("inbox-title")),
            catalog.demo,
            me.me(),
        ),
        lines: list
            .into_iter()
            .map(|r| InboxLine {
                href: format!("{base}/{}", r.id),
                reason: label(&lists.reasons, &r.reason, lang),
                area: r
                    .area_code
                    .as_deref()
                    .and_then(|a| catalog.geo.area(a))
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
                state: state_label(tr, r.state),
                new: r.state == RefState::Requested,
                overdue: inbox.is_overdue(&r),
                assigned: r.assigned_to.as_deref().map(name_of).unwrap_or_default(),
                received: local(r.sent_at.as_deref().unwrap_or(&r.created_at)),
                reference: r.reference,
            })
            .collect(),
        overdue_href: format!("{base}?status={OVERDUE}"),
        overdue,
        action: base,
        team,
        total,
        states: [
            ("open".to_string(), tr.t("inbox-open")),
            ("alle".to_string(), tr.t("inbox-all")),
            (OVERDUE.to_string(), tr.t("inbox-overdue")),
        ]
        .into_iter()
        .chain(
            RefState::ALL
                .into_iter()
                .filter(|s| *s != RefState::Draft)
                .map(|s| (s.code().to_string(), state_label(tr, s))),
        )
        .collect(),
        areas: catalog
            .geo
            .areas
            .iter()
            .map(|a| (a.code.clone(), a.name.clone()))
            .collect(),
        reasons: lists
            .reasons
            .iter()
            .map(|r| (r.code.clone(), r.label_in(lang == Lang::En).to_string()))
            .collect(),
        assignees: [
            ("mij".to_string(), tr.t("inbox-assigned-me")),
            ("niemand".to_string(), tr.t("inbox-assigned-nobody")),
        ]
        .into_iter()
        .chain(colleagues.iter().map(|c| (c.id.clone(), c.name.clone())))
        .collect(),
        chosen,
        previous,
        next,
        page,
    };
    render::ok(&page, lang)
}

pub struct FileEvent {
    pub at: String,
    pub step: String,
    pub state: String,
    pub outcome: String,
    pub who: String,
}

pub struct FileNote {
    pub at: String,
    pub author: String,
    pub text: String,
}

pub struct FileConsent {
    pub given_by: String,
    pub method: String,
    pub given_at: String,
    pub purpose: String,
    pub data_shared: String,
    pub recorded_by: String,
    pub withdrawn_at: String,
}

#[derive(Template)]
#[template(path = "referral_file.html")]
struct FilePage {
    l: Layout,
    csrf: String,
    action: String,
    back: String,
    reference: String,
    state: String,
    /// (label, value) of the carer's details that are there.
    details: Vec<(String, String)>,
    anonymised: bool,
    /// The last day to acknowledge it (while it waits), and whether that has passed.
    due: Option<String>,
    overdue: bool,
    consents: Vec<FileConsent>,
    /// The moves the team may make now, as (code, label); closing is its own form.
    moves: Vec<(String, String)>,
    can_close: bool,
    can_forward: bool,
    outcomes: Vec<(String, String)>,
    assignees: Vec<(String, String)>,
    assigned: String,
    events: Vec<FileEvent>,
    notes: Vec<FileNote>,
    note_typed: String,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

impl FilePage {
    fn is_assigned(&self, id: &str) -> bool {
        self.assigned == id
    }
}

struct Shown {
    notice: Option<String>,
    errors: Vec<(String, String)>,
    note_typed: String,
    status: StatusCode,
}

fn file_page(
    state: &AppState,
    me: &SignedIn,
    inbox: &TeamInbox,
    f: ReferralFile,
    shown: Shown,
) -> FilePage {
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let lists = inbox.lists();
    let catalog = state.catalog();
    let r = &f.referral;
    let someone = |id: Option<&str>| {
        id.map(|u| {
            f.name_of(u)
                .map_or_else(|| tr.t("inbox-former-member"), str::to_string)
        })
        .unwrap_or_else(|| tr.t("file-nobody"))
    };
    let mut details = Vec::new();
    let mut add = |key: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            details.push((tr.t(key), v));
        }
    };
    add(
        "file-source",
        Some(match r.source {
            Source::Verwijzer => someone(r.referrer_id.as_deref()),
            Source::Zelf => tr.t("file-source-self"),
        }),
    );
    add("ref-reason", Some(label(&lists.reasons, &r.reason, lang)));
    if let Some(c) = &r.carer {
        add("admin-name", Some(c.name.clone()));
        add("ref-phone", c.phone.clone());
        add("sign-in-email", c.email.clone());
        add("ref-postcode", c.postcode.clone());
        add(
            "admin-team-areas",
            r.area_code
                .as_deref()
                .and_then(|a| catalog.geo.area(a))
                .map(|a| a.name.clone()),
        );
        add("ref-contact-time", c.contact_time.clone());
        add(
            "ref-relationship",
            c.relationship
                .as_deref()
                .map(|x| label(&lists.relationships, x, lang)),
        );
        add(
            "ref-condition",
            c.condition
                .as_deref()
                .map(|x| label(&lists.conditions, x, lang)),
        );
        add("file-band", c.self_check_band.clone());
        add("ref-note", c.note.clone());
    }
    add(
        "inbox-received",
        Some(local(r.sent_at.as_deref().unwrap_or(&r.created_at))),
    );
    let moves: Vec<Move> = moves_from(r.state, Party::Team);
    FilePage {
        l: Layout::signed_in(
            &me.visitor,
            format!("{} {}", tr.t("file-title"), r.reference),
            catalog.demo,
            me.me(),
        ),
        csrf: me.csrf.clone(),
        action: format!("/werk/teams/{}/verwijzingen/{}", inbox.team(), r.id),
        back: format!("/werk/teams/{}/verwijzingen", inbox.team()),
        reference: r.reference.clone(),
        state: state_label(tr, r.state),
        anonymised: r.carer.is_none(),
        due: inbox.due(r).map(|d| {
            let last = d - kapstok_domain::calendar::SignedDuration::from_secs(1);
            kapstok_domain::calendar::local_date(&kapstok_domain::calendar::stored(last))
        }),
        overdue: inbox.is_overdue(r),
        details,
        consents: f
            .consents
            .iter()
            .map(|c| FileConsent {
                given_by: c.given_by.clone(),
                method: tr.t(&format!("ref-method-{}", c.method.code())),
                given_at: local(&c.given_at),
                purpose: c.purpose.clone(),
                data_shared: c.data_shared.clone(),
                recorded_by: someone(c.recorded_by.as_deref()),
                withdrawn_at: c.withdrawn_at.as_deref().map(local).unwrap_or_default(),
            })
            .collect(),
        can_close: moves.iter().any(|m| matches!(m, Move::Close(_))),
        can_forward: r.carer.is_some() && moves.contains(&Move::Forward),
        moves: moves
            .iter()
            // Closing has its own form with the outcome; forwarding has its own page.
            .filter(|m| !matches!(m, Move::Close(_) | Move::Forward))
            .map(|m| (m.code().to_string(), tr.t(&format!("move-{}", m.code()))))
            .collect(),
        outcomes: lists
            .outcomes
            .iter()
            .map(|o| (o.code.clone(), o.label_in(lang == Lang::En).to_string()))
            .collect(),
        assignees: f
            .colleagues
            .iter()
            .map(|c| (c.id.clone(), c.name.clone()))
            .collect(),
        assigned: r.assigned_to.clone().unwrap_or_default(),
        events: f
            .events
            .iter()
            .rev()
            .map(|e| FileEvent {
                at: local(&e.at),
                step: tr.t(&format!("move-{}", e.move_code)),
                state: state_label(tr, e.to),
                outcome: e
                    .outcome
                    .as_deref()
                    .map(|o| outcome_label(lists, o, tr))
                    .unwrap_or_default(),
                who: someone(e.user_id.as_deref()),
            })
            .collect(),
        notes: f
            .notes
            .iter()
            .map(|n| FileNote {
                at: local(&n.at),
                author: someone(n.author_id.as_deref()),
                text: n.text.clone(),
            })
            .collect(),
        note_typed: shown.note_typed,
        errors: shown.errors,
        notice: shown.notice,
    }
}

async fn render_file(
    state: &AppState,
    me: &SignedIn,
    inbox: &TeamInbox,
    id: &str,
    shown: Shown,
) -> Result<Response, PageError> {
    let lang = me.visitor.lang;
    let Some(f) = inbox.file(id).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    let status = shown.status;
    let page = file_page(state, me, inbox, f.into_value(), shown);
    render::page(&page, status, lang)
}

/// One referral of the team.
pub async fn file(
    State(state): State<AppState>,
    me: SignedIn,
    Path((team, id)): Path<(String, String)>,
    query: Pairs,
) -> Result<Response, PageError> {
    let inbox = inbox_of(&state, &me, &team).await?;
    let id = plain_id(&id, me.visitor.lang)?;
    let tr = Tr {
        lang: me.visitor.lang,
    };
    let notice = query.get("klaar").and_then(|k| match k {
        "stap" => Some(tr.t("file-done-step")),
        "toegewezen" => Some(tr.t("file-done-assigned")),
        "notitie" => Some(tr.t("file-done-note")),
        _ => None,
    });
    let shown = Shown {
        notice,
        errors: Vec::new(),
        note_typed: String::new(),
        status: StatusCode::OK,
    };
    render_file(&state, &me, &inbox, id, shown).await
}

impl Shown {
    /// One error shown on the file again, with its status.
    fn error(me: &SignedIn, field: &str, key: &str, status: StatusCode) -> Shown {
        let tr = Tr {
            lang: me.visitor.lang,
        };
        Shown {
            notice: None,
            errors: vec![(field.to_string(), tr.t(key))],
            note_typed: String::new(),
            status,
        }
    }
}

/// A move: accept, reject, start, hold, resume, mark in error, or close with an outcome.
pub async fn step(
    State(state): State<AppState>,
    me: SignedIn,
    Path((team, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let inbox = inbox_of(&state, &me, &team).await?;
    let f = form_of(&body);
    me.check_form(&f)?;
    let lang = me.visitor.lang;
    let id = plain_id(&id, lang)?;
    let m = f
        .get("stap")
        .and_then(Move::parse)
        .filter(|m| !matches!(m, Move::Forward))
        .ok_or_else(|| bad(lang))?;
    let outcome = f.get("uitkomst");
    if matches!(m, Move::Close(_)) && outcome.is_none_or(|o| inbox.lists().outcome(o).is_none()) {
        return render_file(
            &state,
            &me,
            &inbox,
            id,
            Shown::error(
                &me,
                "uitkomst",
                "file-error-outcome",
                StatusCode::BAD_REQUEST,
            ),
        )
        .await;
    }
    match inbox.act(id, m, outcome).await.in_lang(lang)? {
        Ok(_) => Ok(to(&format!(
            "/werk/teams/{}/verwijzingen/{id}?klaar=stap",
            inbox.team()
        ))),
        Err(MoveError::NotYours) => Err(PageError::not_found(lang)),
        Err(MoveError::NotNow) => {
            render_file(
                &state,
                &me,
                &inbox,
                id,
                Shown::error(&me, "steps", "file-error-not-now", StatusCode::CONFLICT),
            )
            .await
        }
    }
}

/// Assign to a colleague (teamlid), or to nobody.
pub async fn assign(
    State(state): State<AppState>,
    me: SignedIn,
    Path((team, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let inbox = inbox_of(&state, &me, &team).await?;
    let f = form_of(&body);
    me.check_form(&f)?;
    let lang = me.visitor.lang;
    let id = plain_id(&id, lang)?;
    let to_whom = f.get("aan").filter(|v| !v.is_empty());
    match inbox.assign(id, to_whom).await.in_lang(lang)? {
        Ok(()) => Ok(to(&format!(
            "/werk/teams/{}/verwijzingen/{id}?klaar=toegewezen",
            inbox.team()
        ))),
        Err(InboxProblem::NotFound) => Err(PageError::not_found(lang)),
        Err(_) => {
            render_file(
                &state,
                &me,
                &inbox,
                id,
                Shown::error(&me, "aan", "file-error-assignee", StatusCode::BAD_REQUEST),
            )
            .await
        }
    }
}

/// An internal note: the team's only.
pub async fn note(
    State(state): State<AppState>,
    me: SignedIn,
    Path((team, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let inbox = inbox_of(&state, &me, &team).await?;
    let f = form_of(&body);
    me.check_form(&f)?;
    let lang = me.visitor.lang;
    let id = plain_id(&id, lang)?;
    let text = f.get("tekst").unwrap_or("");
    let key = match inbox.note(id, text).await.in_lang(lang)? {
        Ok(()) => {
            return Ok(to(&format!(
                "/werk/teams/{}/verwijzingen/{id}?klaar=notitie",
                inbox.team()
            )));
        }
        Err(InboxProblem::NotFound) => return Err(PageError::not_found(lang)),
        Err(InboxProblem::EmptyNote) => "file-error-note-empty",
        Err(InboxProblem::NoteTooLong) => "ref-error-note-long",
        Err(InboxProblem::Bsn) => "ref-error-bsn",
        Err(InboxProblem::NotAColleague) => "file-error-assignee",
    };
    let typed: String = text.chars().take(2_000).collect();
    render_file(
        &state,
        &me,
        &inbox,
        id,
        Shown {
            note_typed: typed,
            ..Shown::error(&me, "tekst", key, StatusCode::BAD_REQUEST)
        },
    )
    .await
}
