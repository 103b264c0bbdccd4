//! The verwijsroute's use cases: a verwijzer refers a carer with recorded consent; a team works
//! its inbox through the moves the domain allows. Every view and change of a referral is in the
//! access log, with the carer by pseudonym.

use crate::notify::{Notifier, TeamNotice};
use crate::teams::TeamMember;
use crate::{Actor, AppResult, Audited};
use kapstok_domain::account::{Membership, Role};
use kapstok_domain::audit::{Action, RecordKind, timestamp};
use kapstok_domain::calendar::{Timestamp, parse_stored, stored};
use kapstok_domain::ids::TeamId;
use kapstok_domain::referral::{
    CarerDetails, ConsentMethod, Ending, Move, MoveError, Party, Referral, RouteLists, Source,
    State, Suggestion, find_bsn, next,
};
use kapstok_domain::service_level::WorkingDays;
use kapstok_store::{
    AccountStore, Created, Forward, NewConsent, NewReferral, ReferralStore, Store, StoredMove,
};
pub use kapstok_store::{Assigned, Consent, InboxFilter, ReferralEvent, ReferralNote};
use std::sync::Arc;

/// Longest note accepted (a note says what the team needs to know, not a file).
pub const MAX_NOTE_CHARS: usize = 500;

/// What a verwijzer fills in.
#[derive(Debug, Clone, Default)]
pub struct ReferralForm {
    pub team_id: String,
    pub reason: String,
    pub carer: CarerDetails,
    /// The carer agreed to this referral, to this team, for this purpose.
    pub consent_given: bool,
    pub consent_method: String,
    /// Who consented when not the carer themselves (a representative).
    pub consent_by: Option<String>,
    /// The carer also agreed that the team may pass it on to another team that fits better.
    pub consent_forward: bool,
    pub idempotency_key: Option<String>,
}

/// Why a referral is not sent; nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferralProblem {
    Name,
    NoContact,
    Email,
    Reason,
    Team,
    Relationship,
    Condition,
    NoteTooLong,
    /// The note holds a number that passes the 11-test.
    Bsn,
    NoConsent,
    ConsentMethod,
}

/// A sent referral and the code on the carer's receipt (shown once).
#[derive(Debug, Clone)]
pub struct Sent {
    pub referral: Referral,
    pub receipt_code: String,
    /// The same form had been sent before: no new referral, no new receipt.
    pub repeated: bool,
}

fn clean(v: &Option<String>, max: usize) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(max).collect())
}

/// What storing a referral gave, as the page shows it: a new one is announced to its team and
/// its receipt mailed to the carer (if they gave an address); a repeat has no new code.
pub(crate) async fn announce(
    created: Created,
    receipt_code: String,
    actor: &Actor,
    notifier: &Notifier,
) -> Sent {
    match created {
        Created::New(referral) => {
            notifier.team(actor, &referral, TeamNotice::Arrived).await;
            notifier
                .carer_receipt(actor, &referral, &receipt_code)
                .await;
            Sent {
                referral,
                receipt_code,
                repeated: false,
            }
        }
        Created::Existing(referral) => Sent {
            referral,
            receipt_code: String::new(),
            repeated: true,
        },
    }
}

/// What a referral shares with the team, as the consent records it.
pub(crate) const DATA_SHARED: &str =
    "naam, contactgegevens, postcode, contactmoment, reden, relatie, aandoening, notitie";

/// Who consented: a representative's name as typed, else the carer themselves.
pub(crate) fn given_by(typed: Option<&str>) -> String {
    typed
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(kapstok_domain::referral::CONSENT_BY_ONESELF)
        .chars()
        .take(200)
        .collect()
}

/// Checks a form against the lists; the details as they will be stored.
pub fn check_form(
    form: &ReferralForm,
    lists: &RouteLists,
) -> Result<CarerDetails, ReferralProblem> {
    let c = &form.carer;
    let name = c.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ReferralProblem::Name);
    }
    let phone = clean(&c.phone, 50);
    let email = clean(&c.email, 254);
    if phone.is_none() && email.is_none() {
        return Err(ReferralProblem::NoContact);
    }
    if let Some(e) = &email
        && kapstok_domain::account::Email::parse(e).is_none()
    {
        return Err(ReferralProblem::Email);
    }
    if lists.reason(&form.reason).is_none() {
        return Err(ReferralProblem::Reason);
    }
    let relationship = clean(&c.relationship, 40);
    if relationship
        .as_deref()
        .is_some_and(|r| !lists.relationships.iter().any(|x| x.code == r))
    {
        return Err(ReferralProblem::Relationship);
    }
    let condition = clean(&c.condition, 40);
    if condition
        .as_deref()
        .is_some_and(|r| !lists.conditions.iter().any(|x| x.code == r))
    {
        return Err(ReferralProblem::Condition);
    }
    let note = c.note.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if note.is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS) {
        return Err(ReferralProblem::NoteTooLong);
    }
    // Not in the note, nor in any other field.
    for field in [
        Some(name),
        phone.as_deref(),
        note,
        c.contact_time.as_deref(),
    ] {
        if field.and_then(find_bsn).is_some() {
            return Err(ReferralProblem::Bsn);
        }
    }
    if !form.consent_given {
        return Err(ReferralProblem::NoConsent);
    }
    if ConsentMethod::parse(&form.consent_method).is_none() {
        return Err(ReferralProblem::ConsentMethod);
    }
    Ok(CarerDetails {
        name: name.to_string(),
        phone,
        email,
        postcode: clean(&c.postcode, 10),
        contact_time: clean(&c.contact_time, 100),
        relationship,
        condition,
        self_check_band: clean(&c.self_check_band, 40),
        note: note.map(str::to_string),
    })
}

/// Referring: the verwijzer's.
pub struct ReferralDesk {
    actor: Actor,
    acting: Membership,
    referrals: Arc<dyn ReferralStore>,
    accounts: Arc<dyn AccountStore>,
    audit: Arc<dyn kapstok_store::AuditStore>,
    lists: Arc<RouteLists>,
    notifier: Notifier,
}

impl ReferralDesk {
    pub fn grant(
        store: Arc<dyn Store>,
        actor: &Actor,
        lists: Arc<RouteLists>,
        notifier: Notifier,
    ) -> Option<Self> {
        Some(ReferralDesk {
            acting: actor.membership(Role::Verwijzer)?,
            actor: actor.clone(),
            referrals: store.clone(),
            accounts: store.clone(),
            audit: store,
            lists,
            notifier,
        })
    }

    pub fn lists(&self) -> &RouteLists {
        &self.lists
    }

    /// Sends a referral with its consent; the same form twice gives the first one back.
    pub async fn refer(
        &self,
        form: &ReferralForm,
        area_code: Option<String>,
    ) -> AppResult<Result<Sent, ReferralProblem>> {
        let carer = match check_form(form, &self.lists) {
            Ok(c) => c,
            Err(p) => return Ok(Err(p)),
        };
        let teams = self.accounts.teams().await?;
        let Some(team) = teams
            .iter()
            .find(|t| t.id == form.team_id && !t.reasons.is_empty())
        else {
            return Ok(Err(ReferralProblem::Team));
        };
        let method = ConsentMethod::parse(&form.consent_method).expect("checked");
        let at = timestamp(time::OffsetDateTime::now_utc());
        let id = format!("r-{}", crate::accounts::random_hex(8));
        let receipt_code = crate::accounts::random_hex(5);
        let me = self.actor.signed_in().map(|u| u.id.to_string());
        let reason = self
            .lists
            .reason(&form.reason)
            .map_or(form.reason.clone(), |r| r.label.clone());
        let referral = NewReferral {
            id: id.clone(),
            team_id: team.id.to_string(),
            referrer_id: me.clone(),
            source: Source::Verwijzer,
            state: State::Requested,
            reason: form.reason.clone(),
            part_of: None,
            person: format!("p-{}", crate::accounts::random_hex(8)),
            area_code,
            carer,
            idempotency_key: form.idempotency_key.clone(),
            at: at.clone(),
        };
        let consent = NewConsent {
            id: format!("c-{}", crate::accounts::random_hex(8)),
            team_id: team.id.to_string(),
            purpose: format!("Contact over ondersteuning ({reason}) door {}", team.name),
            data_shared: DATA_SHARED.into(),
            given_by: given_by(form.consent_by.as_deref()),
            method,
            given_at: at.clone(),
            recorded_by: me,
            receipt_hash: crate::accounts::secret_hash(&receipt_code),
            covers_forward: form.consent_forward,
        };
        let e = self.actor.log_entry(
            Some(&self.acting),
            Action::Create,
            RecordKind::Referral,
            true,
        );
        let created = self
            .referrals
            .create_referral(&referral, &consent, &e)
            .await?;
        Ok(Ok(announce(
            created,
            receipt_code,
            &self.actor,
            &self.notifier,
        )
        .await))
    }

    /// The teams that take referrals (names, areas and reasons; nothing about a person).
    pub async fn teams(&self) -> AppResult<Vec<kapstok_domain::account::Team>> {
        Ok(self
            .accounts
            .teams()
            .await?
            .into_iter()
            .filter(|t| !t.reasons.is_empty())
            .collect())
    }

    /// The team the teams' data suggests for a carer in `area` with `reason`, and why.
    pub async fn suggest(
        &self,
        area: Option<&str>,
        reason: &str,
    ) -> AppResult<Option<(kapstok_domain::account::Team, Suggestion)>> {
        let teams = self.teams().await?;
        Ok(
            kapstok_domain::referral::suggest(&teams, area, reason)
                .map(|(t, why)| (t.clone(), why)),
        )
    }

    /// The referrals this verwijzer made: reference, team, state, outcome (no notes, no more).
    pub async fn mine(&self, limit: usize) -> AppResult<Vec<Referral>> {
        let Some(me) = self.actor.signed_in() else {
            return Ok(Vec::new());
        };
        let list = self.referrals.referrals_by(&me.id, limit).await?;
        // The referrer sees the loop, not the carer's details again.
        Ok(list
            .into_iter()
            .map(|mut r| {
                r.carer = None;
                r
            })
            .collect())
    }
}

/// What a referrer sees of a referral they made: where it is, not what the team knows.
#[derive(Debug, Clone)]
pub struct FollowUp {
    /// Without the carer's details.
    pub referral: Referral,
    /// States and outcomes, without who moved it.
    pub events: Vec<ReferralEvent>,
    /// The tasks it was forwarded to (without the carer's details).
    pub forwarded_to: Vec<Referral>,
}

impl ReferralDesk {
    /// One referral this verwijzer made, as the referrer may see it; logged. `None` for any
    /// other.
    pub async fn follow(&self, id: &str) -> AppResult<Option<Audited<FollowUp>>> {
        let Some(me) = self.actor.signed_in() else {
            return Ok(None);
        };
        let Some(mut r) = self
            .referrals
            .referral(id)
            .await?
            .filter(|r| r.referrer_id.as_deref() == Some(me.id.as_str()))
        else {
            return Ok(None);
        };
        let mut e =
            self.actor
                .log_entry(Some(&self.acting), Action::View, RecordKind::Referral, true);
        e.record_id = Some(r.id.clone());
        e.person = Some(r.person.clone());
        let seq = self.audit.append(&e).await?;
        r.carer = None;
        let events = self
            .referrals
            .referral_events(id)
            .await?
            .into_iter()
            .map(|mut ev| {
                ev.user_id = None;
                ev
            })
            .collect();
        let forwarded_to = self
            .referrals
            .tasks_of(&r.person)
            .await?
            .into_iter()
            .filter(|t| t.part_of.as_deref() == Some(id))
            .map(|mut t| {
                t.carer = None;
                t
            })
            .collect();
        Ok(Some(Audited::logged(
            FollowUp {
                referral: r,
                events,
                forwarded_to,
            },
            seq,
        )))
    }
}

/// A team member who can take referrals (teamlid), for assigning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Colleague {
    pub id: String,
    pub name: String,
}

/// Everything a team sees of one referral.
#[derive(Debug, Clone)]
pub struct ReferralFile {
    pub referral: Referral,
    pub events: Vec<ReferralEvent>,
    pub notes: Vec<ReferralNote>,
    pub consents: Vec<Consent>,
    /// The team's teamlid members (to assign to, and to name who did what).
    pub colleagues: Vec<Colleague>,
    /// Names of users that appear in the history or notes (other teams' too, the referrer).
    pub names: Vec<(String, String)>,
}

impl ReferralFile {
    pub fn name_of(&self, id: &str) -> Option<&str> {
        self.names
            .iter()
            .find(|(u, _)| u == id)
            .map(|(_, n)| n.as_str())
    }
}

/// Why a note or an assignment is not saved; nothing is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboxProblem {
    /// No such referral in this team's inbox.
    NotFound,
    EmptyNote,
    NoteTooLong,
    /// The note holds a number that passes the 11-test.
    Bsn,
    /// Not a member of this team who takes referrals.
    NotAColleague,
}

/// A team's inbox: its members who receive referrals (teamlid).
pub struct TeamInbox {
    actor: Actor,
    member: TeamMember,
    acting: Membership,
    pub(crate) referrals: Arc<dyn ReferralStore>,
    pub(crate) accounts: Arc<dyn AccountStore>,
    pub(crate) audit: Arc<dyn kapstok_store::AuditStore>,
    lists: Arc<RouteLists>,
    working_days: Arc<WorkingDays>,
    clock: crate::Clock,
    notifier: Notifier,
}

impl TeamInbox {
    pub fn grant(
        store: Arc<dyn Store>,
        actor: &Actor,
        team: &TeamId,
        lists: Arc<RouteLists>,
        notifier: Notifier,
    ) -> Option<TeamInbox> {
        let member = TeamMember::of(actor, team)?;
        let acting = actor
            .signed_in()?
            .memberships
            .iter()
            .find(|m| &m.team == team && m.role == Role::Teamlid)?
            .clone();
        Some(TeamInbox {
            actor: actor.clone(),
            member,
            acting,
            referrals: store.clone(),
            accounts: store.clone(),
            audit: store,
            lists,
            working_days: Arc::new(WorkingDays::default()),
            clock: crate::Clock::default(),
            notifier,
        })
    }

    pub(crate) fn with_service_level(
        mut self,
        days: Arc<WorkingDays>,
        clock: crate::Clock,
    ) -> Self {
        self.working_days = days;
        self.clock = clock;
        self
    }

    /// When a referral still waiting for this team must be acknowledged by (`None` once it is).
    pub fn due(&self, r: &Referral) -> Option<Timestamp> {
        if r.state != State::Requested {
            return None;
        }
        let sent = parse_stored(r.sent_at.as_deref().unwrap_or(&r.created_at))?;
        Some(self.working_days.due(sent, self.lists.acknowledge_within))
    }

    /// Still waiting past its term.
    pub fn is_overdue(&self, r: &Referral) -> bool {
        self.due(r).is_some_and(|due| self.clock.now() >= due)
    }

    /// The filter for this team's overdue referrals (not acknowledged within the term).
    pub fn overdue_filter(&self) -> InboxFilter {
        let cutoff = self
            .working_days
            .overdue_before(self.clock.now(), self.lists.acknowledge_within);
        InboxFilter {
            states: vec![State::Requested],
            sent_before: Some(stored(cutoff)),
            ..InboxFilter::default()
        }
    }

    /// How many of this team's referrals are overdue (a count: nothing about a person).
    pub async fn overdue_count(&self) -> AppResult<usize> {
        Ok(self
            .referrals
            .team_referrals(self.member.team(), &self.overdue_filter(), 0, 0)
            .await?
            .1)
    }

    pub fn team(&self) -> &TeamId {
        self.member.team()
    }

    pub async fn team_name(&self) -> AppResult<Option<String>> {
        Ok(self
            .accounts
            .team(self.member.team())
            .await?
            .map(|t| t.name))
    }

    pub fn lists(&self) -> &RouteLists {
        &self.lists
    }

    /// The referral if it is this team's.
    pub(crate) async fn ours(&self, id: &str) -> AppResult<Option<Referral>> {
        Ok(self
            .referrals
            .referral(id)
            .await?
            .filter(|r| r.team_id == self.member.team().as_str()))
    }

    /// The team's active teamlid members.
    pub async fn colleagues(&self) -> AppResult<Vec<Colleague>> {
        let team = self.member.team();
        let mut list: Vec<Colleague> = self
            .accounts
            .users()
            .await?
            .into_iter()
            .filter(|u| {
                u.active
                    && u.memberships
                        .iter()
                        .any(|m| &m.team == team && m.role == Role::Teamlid)
            })
            .map(|u| Colleague {
                id: u.id.to_string(),
                name: u.name,
            })
            .collect();
        list.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(list)
    }

    /// One referral with its history, notes and consent; logged before it is returned.
    pub async fn file(&self, id: &str) -> AppResult<Option<Audited<ReferralFile>>> {
        let Some(r) = self.ours(id).await? else {
            return Ok(None);
        };
        let seq = self.audit.append(&self.entry(Action::View, &r)).await?;
        let events = self.referrals.referral_events(id).await?;
        let notes = self.referrals.referral_notes(id).await?;
        let consents = self.referrals.consents(id).await?;
        let wanted: std::collections::BTreeSet<&str> = events
            .iter()
            .filter_map(|e| e.user_id.as_deref())
            .chain(notes.iter().filter_map(|n| n.author_id.as_deref()))
            .chain(consents.iter().filter_map(|c| c.recorded_by.as_deref()))
            .chain(r.referrer_id.as_deref())
            .chain(r.assigned_to.as_deref())
            .collect();
        let names = self
            .accounts
            .users()
            .await?
            .into_iter()
            .filter(|u| wanted.contains(u.id.as_str()))
            .map(|u| (u.id.to_string(), u.name))
            .collect();
        let colleagues = self.colleagues().await?;
        Ok(Some(Audited::logged(
            ReferralFile {
                referral: r,
                events,
                notes,
                consents,
                colleagues,
                names,
            },
            seq,
        )))
    }

    /// Assigns the referral to a teamlid of this team, or to nobody.
    pub async fn assign(&self, id: &str, to: Option<&str>) -> AppResult<Result<(), InboxProblem>> {
        let Some(r) = self.ours(id).await? else {
            return Ok(Err(InboxProblem::NotFound));
        };
        if let Some(u) = to
            && !self.colleagues().await?.iter().any(|c| c.id == u)
        {
            return Ok(Err(InboxProblem::NotAColleague));
        }
        let done = self
            .referrals
            .assign_referral(id, to, &self.entry(Action::Change, &r))
            .await?;
        Ok(if done {
            Ok(())
        } else {
            Err(InboxProblem::NotFound)
        })
    }

    /// Adds an internal note (the team's only): short, no BSN.
    pub async fn note(&self, id: &str, text: &str) -> AppResult<Result<(), InboxProblem>> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Err(InboxProblem::EmptyNote));
        }
        if text.chars().count() > MAX_NOTE_CHARS {
            return Ok(Err(InboxProblem::NoteTooLong));
        }
        if find_bsn(text).is_some() {
            return Ok(Err(InboxProblem::Bsn));
        }
        let Some(r) = self.ours(id).await? else {
            return Ok(Err(InboxProblem::NotFound));
        };
        let note = ReferralNote {
            at: timestamp(time::OffsetDateTime::now_utc()),
            author_id: self.actor.signed_in().map(|u| u.id.to_string()),
            text: text.to_string(),
        };
        let done = self
            .referrals
            .add_referral_note(id, &note, &self.entry(Action::Change, &r))
            .await?;
        Ok(if done {
            Ok(())
        } else {
            Err(InboxProblem::NotFound)
        })
    }

    pub(crate) fn entry(&self, action: Action, r: &Referral) -> kapstok_domain::audit::NewEntry {
        let mut e = self
            .actor
            .log_entry(Some(&self.acting), action, RecordKind::Referral, true);
        e.record_id = Some(r.id.clone());
        e.person = Some(r.person.clone());
        e
    }

    /// The team's referrals (a page), newest first; the look is logged.
    pub async fn list(
        &self,
        filter: &InboxFilter,
        offset: usize,
        limit: usize,
    ) -> AppResult<Audited<(Vec<Referral>, usize)>> {
        let mut e =
            self.actor
                .log_entry(Some(&self.acting), Action::View, RecordKind::Referral, true);
        e.record_id = Some(format!("inbox {}", self.member.team()));
        let seq = self.audit.append(&e).await?;
        let page = self
            .referrals
            .team_referrals(self.member.team(), filter, offset, limit)
            .await?;
        Ok(Audited::logged(page, seq))
    }

    /// One referral of this team, logged before it is returned; `None` for another team's.
    pub async fn open(&self, id: &str) -> AppResult<Option<Audited<Referral>>> {
        let Some(r) = self.ours(id).await? else {
            return Ok(None);
        };
        let seq = self.audit.append(&self.entry(Action::View, &r)).await?;
        Ok(Some(Audited::logged(r, seq)))
    }

    /// A move by the team: accept, start, hold, resume, reject, or close with an outcome.
    pub async fn act(
        &self,
        id: &str,
        m: Move,
        outcome: Option<&str>,
    ) -> AppResult<Result<State, MoveError>> {
        let Some(r) = self.ours(id).await? else {
            return Ok(Err(MoveError::NotYours));
        };
        // Closing names its outcome, which decides between completed and failed.
        let (m, outcome) = match m {
            Move::Close(_) => match outcome.and_then(|o| self.lists.outcome(o)) {
                Some(o) if o.state == "failed" => {
                    (Move::Close(Ending::Failed), Some(o.code.as_str()))
                }
                Some(o) => (Move::Close(Ending::Completed), Some(o.code.as_str())),
                None => return Ok(Err(MoveError::NotNow)),
            },
            other => (other, None),
        };
        let to = match next(r.state, m, Party::Team) {
            Ok(to) => to,
            Err(e) => return Ok(Err(e)),
        };
        let at = timestamp(time::OffsetDateTime::now_utc());
        let me = self.actor.signed_in().map(|u| u.id.to_string());
        let stored = StoredMove {
            from: r.state,
            to,
            move_code: m.code(),
            user_id: me.as_deref(),
            outcome,
            at: &at,
        };
        if self
            .referrals
            .move_referral(id, &stored, &self.entry(Action::Change, &r))
            .await?
        {
            self.notifier.referrer(&self.actor, &r).await;
            Ok(Ok(to))
        } else {
            // Someone else moved it first.
            Ok(Err(MoveError::NotNow))
        }
    }
}

/// What a team fills in to pass a referral on.
#[derive(Debug, Clone, Default)]
pub struct ForwardForm {
    pub team_id: String,
    /// Why (a note on both tasks): short, no BSN.
    pub reason: String,
    /// When the consent does not cover forwarding: the carer was asked again and agreed.
    pub new_consent: bool,
    pub consent_method: String,
    pub consent_by: Option<String>,
    pub idempotency_key: Option<String>,
}

/// Why a forward is not made; nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardProblem {
    NotFound,
    /// No such team, or this one.
    Team,
    NoReason,
    ReasonTooLong,
    Bsn,
    /// The consent does not cover forwarding and no new one was recorded.
    NoConsent,
    ConsentMethod,
    /// The referral is no longer in a state that can be forwarded.
    NotNow,
}

/// What a forward can rest on, for the form.
#[derive(Debug, Clone)]
pub struct ForwardChoice {
    pub referral: Referral,
    /// Every other team (names and areas only).
    pub teams: Vec<kapstok_domain::account::Team>,
    /// The consent that lets the team forward, if the carer gave one.
    pub covering: Option<Consent>,
}

/// A forward made: the next team's task, and a receipt code when a new consent was recorded.
#[derive(Debug, Clone)]
pub struct Forwarded {
    pub next: Referral,
    pub team_name: String,
    pub receipt_code: Option<String>,
    pub repeated: bool,
}

impl TeamInbox {
    async fn covering(&self, id: &str) -> AppResult<Option<Consent>> {
        Ok(self
            .referrals
            .consents(id)
            .await?
            .into_iter()
            .rev()
            .find(|c| c.covers_forward && c.withdrawn_at.is_none()))
    }

    /// The forward form's choices; logged, as it names the referral.
    pub async fn forward_choice(&self, id: &str) -> AppResult<Option<Audited<ForwardChoice>>> {
        let Some(r) = self.ours(id).await? else {
            return Ok(None);
        };
        let seq = self.audit.append(&self.entry(Action::View, &r)).await?;
        let teams = self
            .accounts
            .teams()
            .await?
            .into_iter()
            .filter(|t| &t.id != self.member.team())
            .collect();
        let covering = self.covering(id).await?;
        Ok(Some(Audited::logged(
            ForwardChoice {
                referral: r,
                teams,
                covering,
            },
            seq,
        )))
    }

    /// Passes the referral on: this task ends as doorverwezen, the next team's starts, linked;
    /// only with consent that covers it or a new consent recorded now.
    pub async fn forward(
        &self,
        id: &str,
        form: &ForwardForm,
    ) -> AppResult<Result<Forwarded, ForwardProblem>> {
        let reason = form.reason.trim();
        if reason.is_empty() {
            return Ok(Err(ForwardProblem::NoReason));
        }
        if reason.chars().count() > MAX_NOTE_CHARS {
            return Ok(Err(ForwardProblem::ReasonTooLong));
        }
        if find_bsn(reason).is_some() {
            return Ok(Err(ForwardProblem::Bsn));
        }
        let Some(r) = self.ours(id).await? else {
            return Ok(Err(ForwardProblem::NotFound));
        };
        let teams = self.accounts.teams().await?;
        // The same form again (a double click, a retry after the first went through).
        if let Some(key) = &form.idempotency_key
            && let Some(next) = self.referrals.referral_by_key(key).await?
            && next.part_of.as_deref() == Some(id)
        {
            return Ok(Ok(Forwarded {
                team_name: teams
                    .iter()
                    .find(|t| t.id.as_str() == next.team_id)
                    .map_or(next.team_id.clone(), |t| t.name.clone()),
                next,
                receipt_code: None,
                repeated: true,
            }));
        }
        let Some(team) = teams
            .iter()
            .find(|t| t.id.as_str() == form.team_id && &t.id != self.member.team())
        else {
            return Ok(Err(ForwardProblem::Team));
        };
        let Ok(to) = next(r.state, Move::Forward, Party::Team) else {
            return Ok(Err(ForwardProblem::NotNow));
        };
        let Some(carer) = r.carer.clone() else {
            // Anonymised: nothing left to pass on.
            return Ok(Err(ForwardProblem::NotNow));
        };
        let at = timestamp(time::OffsetDateTime::now_utc());
        let me = self.actor.signed_in().map(|u| u.id.to_string());
        let reason_label = self
            .lists
            .reason(&r.reason)
            .map_or(r.reason.clone(), |x| x.label.clone());
        let purpose = format!(
            "Contact over ondersteuning ({reason_label}) door {}, doorgestuurd door {}",
            team.name,
            self.team_name().await?.unwrap_or_default()
        );
        let (consent, receipt_code) = match self.covering(id).await? {
            Some(c) if !form.new_consent => (
                NewConsent {
                    id: format!("c-{}", crate::accounts::random_hex(8)),
                    team_id: team.id.to_string(),
                    purpose: format!(
                        "{purpose} (toestemming van {} dekt doorsturen)",
                        c.given_at.get(..10).unwrap_or("")
                    ),
                    data_shared: c.data_shared.clone(),
                    given_by: c.given_by.clone(),
                    method: c.method,
                    given_at: c.given_at.clone(),
                    recorded_by: me.clone(),
                    // No receipt of its own: the carer's first code shows every task.
                    receipt_hash: crate::accounts::secret_hash(&crate::accounts::random_hex(16)),
                    covers_forward: true,
                },
                None,
            ),
            _ => {
                if !form.new_consent {
                    return Ok(Err(ForwardProblem::NoConsent));
                }
                let Some(method) = ConsentMethod::parse(&form.consent_method) else {
                    return Ok(Err(ForwardProblem::ConsentMethod));
                };
                let code = crate::accounts::random_hex(5);
                (
                    NewConsent {
                        id: format!("c-{}", crate::accounts::random_hex(8)),
                        team_id: team.id.to_string(),
                        purpose,
                        data_shared: DATA_SHARED.into(),
                        given_by: given_by(form.consent_by.as_deref()),
                        method,
                        given_at: at.clone(),
                        recorded_by: me.clone(),
                        receipt_hash: crate::accounts::secret_hash(&code),
                        covers_forward: false,
                    },
                    Some(code),
                )
            }
        };
        let next_task = NewReferral {
            id: format!("r-{}", crate::accounts::random_hex(8)),
            team_id: team.id.to_string(),
            referrer_id: r.referrer_id.clone(),
            source: r.source,
            state: State::Requested,
            reason: r.reason.clone(),
            part_of: Some(r.id.clone()),
            person: r.person.clone(),
            area_code: r.area_code.clone(),
            carer,
            idempotency_key: form.idempotency_key.clone(),
            at: at.clone(),
        };
        let f = Forward {
            moved: StoredMove {
                from: r.state,
                to,
                move_code: Move::Forward.code(),
                user_id: me.as_deref(),
                outcome: Some(kapstok_domain::referral::FORWARDED),
                at: &at,
            },
            next: next_task,
            consent,
            reason: ReferralNote {
                at: at.clone(),
                author_id: me.clone(),
                text: format!("Doorgestuurd naar {}: {reason}", team.name),
            },
        };
        let e = self.entry(Action::Change, &r);
        Ok(match self.referrals.forward_referral(id, &f, &e).await? {
            None => Err(ForwardProblem::NotNow),
            Some(Created::New(next)) => {
                self.notifier
                    .team(&self.actor, &next, TeamNotice::Arrived)
                    .await;
                if let Some(code) = &receipt_code {
                    self.notifier.carer_receipt(&self.actor, &next, code).await;
                }
                self.notifier.referrer(&self.actor, &r).await;
                Ok(Forwarded {
                    next,
                    team_name: team.name.clone(),
                    receipt_code,
                    repeated: false,
                })
            }
            Some(Created::Existing(next)) => Ok(Forwarded {
                team_name: teams
                    .iter()
                    .find(|t| t.id.as_str() == next.team_id)
                    .map_or(next.team_id.clone(), |t| t.name.clone()),
                next,
                receipt_code: None,
                repeated: true,
            }),
        })
    }
}
