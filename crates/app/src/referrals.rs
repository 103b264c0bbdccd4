//! The verwijsroute's use cases: a verwijzer refers a carer with recorded consent; a team works
//! its inbox through the moves the domain allows. Every view and change of a referral is in the
//! access log, with the carer by pseudonym.

use crate::teams::TeamMember;
use crate::{Actor, AppResult, Audited};
use kapstok_domain::account::{Membership, Role};
use kapstok_domain::audit::{Action, RecordKind, timestamp};
use kapstok_domain::ids::TeamId;
use kapstok_domain::referral::{
    CarerDetails, ConsentMethod, Ending, Move, MoveError, Party, Referral, RouteLists, Source,
    State, find_bsn, next,
};
pub use kapstok_store::InboxFilter;
use kapstok_store::{
    AccountStore, Created, NewConsent, NewReferral, ReferralStore, Store, StoredMove,
};
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
    lists: Arc<RouteLists>,
}

impl ReferralDesk {
    pub fn grant(store: Arc<dyn Store>, actor: &Actor, lists: Arc<RouteLists>) -> Option<Self> {
        Some(ReferralDesk {
            acting: actor.membership(Role::Verwijzer)?,
            actor: actor.clone(),
            referrals: store.clone(),
            accounts: store,
            lists,
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
        let Some(team) = teams.iter().find(|t| t.id == form.team_id) else {
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
            data_shared: "naam, contactgegevens, postcode, contactmoment, reden, relatie, aandoening, notitie".into(),
            given_by: form
                .consent_by
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .unwrap_or("de mantelzorger zelf")
                .chars()
                .take(200)
                .collect(),
            method,
            given_at: at.clone(),
            recorded_by: me,
            receipt_hash: crate::accounts::secret_hash(&receipt_code),
        };
        let e = self.actor.log_entry(
            Some(&self.acting),
            Action::Create,
            RecordKind::Referral,
            true,
        );
        Ok(Ok(
            match self
                .referrals
                .create_referral(&referral, &consent, &e)
                .await?
            {
                Created::New(referral) => Sent {
                    referral,
                    receipt_code,
                    repeated: false,
                },
                Created::Existing(referral) => Sent {
                    referral,
                    receipt_code: String::new(),
                    repeated: true,
                },
            },
        ))
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

/// A team's inbox: its members who receive referrals (teamlid).
pub struct TeamInbox {
    actor: Actor,
    member: TeamMember,
    acting: Membership,
    referrals: Arc<dyn ReferralStore>,
    audit: Arc<dyn kapstok_store::AuditStore>,
    lists: Arc<RouteLists>,
}

impl TeamInbox {
    pub fn grant(
        store: Arc<dyn Store>,
        actor: &Actor,
        team: &TeamId,
        lists: Arc<RouteLists>,
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
            audit: store,
            lists,
        })
    }

    fn entry(&self, action: Action, r: &Referral) -> kapstok_domain::audit::NewEntry {
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
        let Some(r) = self
            .referrals
            .referral(id)
            .await?
            .filter(|r| r.team_id == self.member.team().as_str())
        else {
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
        let Some(r) = self
            .referrals
            .referral(id)
            .await?
            .filter(|r| r.team_id == self.member.team().as_str())
        else {
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
            move_code: move_code(m),
            user_id: me.as_deref(),
            outcome,
            at: &at,
        };
        if self
            .referrals
            .move_referral(id, &stored, &self.entry(Action::Change, &r))
            .await?
        {
            Ok(Ok(to))
        } else {
            // Someone else moved it first.
            Ok(Err(MoveError::NotNow))
        }
    }
}

fn move_code(m: Move) -> &'static str {
    match m {
        Move::Send => "send",
        Move::Accept => "accept",
        Move::Reject => "reject",
        Move::Start => "start",
        Move::Hold => "hold",
        Move::Resume => "resume",
        Move::Close(_) => "close",
        Move::Forward => "forward",
        Move::Cancel => "cancel",
        Move::Withdraw => "withdraw",
        Move::MarkInError => "mark-in-error",
    }
}
