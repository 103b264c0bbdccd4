//! A team as its members see it: who is in it and what it serves. Access is by membership:
//! [`TeamMember`] is the proof, made only here, that the actor belongs to that team; the
//! team-bound capabilities (this one, and the referral inbox that comes next) hold one.

use crate::{Actor, AppResult, Audited};
use kapstok_domain::account::{Membership, Team, User};
use kapstok_domain::audit::{Action, RecordKind};
use kapstok_domain::ids::TeamId;
use kapstok_store::{AccountStore, AuditStore, Store};
use std::sync::Arc;

/// The actor belongs to `team` (in the role of `membership`). Only [`TeamMember::of`] makes one.
#[derive(Debug, Clone)]
pub struct TeamMember {
    membership: Membership,
}

impl TeamMember {
    /// The proof for `actor` in `team`, if they have any role in it.
    pub(crate) fn of(actor: &Actor, team: &TeamId) -> Option<TeamMember> {
        let user = actor.signed_in()?;
        user.memberships
            .iter()
            .find(|m| &m.team == team)
            .cloned()
            .map(|membership| TeamMember { membership })
    }

    pub fn team(&self) -> &TeamId {
        &self.membership.team
    }
}

/// A team's page for its own members.
pub struct TeamView {
    actor: Actor,
    member: TeamMember,
    accounts: Arc<dyn AccountStore>,
    audit: Arc<dyn AuditStore>,
}

impl TeamView {
    pub fn grant(store: Arc<dyn Store>, actor: &Actor, team: &TeamId) -> Option<TeamView> {
        Some(TeamView {
            member: TeamMember::of(actor, team)?,
            actor: actor.clone(),
            accounts: store.clone(),
            audit: store,
        })
    }

    pub async fn team(&self) -> AppResult<Option<Team>> {
        Ok(self
            .accounts
            .teams()
            .await?
            .into_iter()
            .find(|t| &t.id == self.member.team()))
    }

    /// The team's active members (names and addresses: the look is logged).
    pub async fn members(&self) -> AppResult<Audited<Vec<User>>> {
        let mut e = self.actor.log_entry(
            Some(&self.member.membership),
            Action::View,
            RecordKind::Team,
            true,
        );
        e.record_id = Some(format!("team members: {}", self.member.team()));
        let seq = self.audit.append(&e).await?;
        let members = self
            .accounts
            .users()
            .await?
            .into_iter()
            .filter(|u| u.active && u.memberships.iter().any(|m| &m.team == self.member.team()))
            .collect();
        Ok(Audited::logged(members, seq))
    }
}
