//! Who is asking, and the proof types that stand for a permission.
//!
//! Permissions are decided here and nowhere else: a capability (`Maintenance::grant`,
//! `App::account_admin`, …) is `None` for an actor without the role, so a handler without it
//! cannot even name the method it would call. Every access-log entry is made from the actor
//! ([`Actor::log_entry`]), so who, in which role and team, and from where is never left out.

use kapstok_domain::account::{Membership, Role, User};
use kapstok_domain::audit::{Action, NewEntry, RecordKind, timestamp};

/// Who a request or command acts for. Built only through its constructors: the web layer's
/// extractors make visitors, and signed-in users only from a verified session
/// (`App::signed_in`); only the command line makes the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(Kind);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Visitor,
    Operator,
    /// The server's own scheduled jobs (retention).
    Scheduler,
    User {
        user: Box<User>,
        origin: String,
    },
}

impl Actor {
    /// Someone on the public site, not signed in.
    pub fn visitor() -> Actor {
        Actor(Kind::Visitor)
    }

    /// The operator at the server's command line (imports, export, demo, backup, the first
    /// beheerder). Only the `kapstok` binary's commands call this.
    pub fn console_operator() -> Actor {
        Actor(Kind::Operator)
    }

    /// A signed-in user, from `origin` (the client's address). Made by the application once
    /// the session is checked.
    pub(crate) fn user(user: User, origin: String) -> Actor {
        Actor(Kind::User {
            user: Box::new(user),
            origin,
        })
    }

    /// The server's scheduled jobs. Only the application's scheduler makes it.
    pub(crate) fn scheduler() -> Actor {
        Actor(Kind::Scheduler)
    }

    pub(crate) fn is_operator(&self) -> bool {
        self.0 == Kind::Operator
    }

    pub(crate) fn is_scheduler(&self) -> bool {
        self.0 == Kind::Scheduler
    }

    /// The signed-in user, if any.
    pub fn signed_in(&self) -> Option<&User> {
        match &self.0 {
            Kind::User { user, .. } => Some(user),
            _ => None,
        }
    }

    /// The first of the user's memberships in `role`: the role and team a capability acts in.
    pub(crate) fn membership(&self, role: Role) -> Option<Membership> {
        self.signed_in()?
            .memberships
            .iter()
            .find(|m| m.role == role)
            .cloned()
    }

    /// An access-log entry for something this actor did now, acting as `acting` (role, team).
    pub(crate) fn log_entry(
        &self,
        acting: Option<&Membership>,
        action: Action,
        kind: RecordKind,
        permitted: bool,
    ) -> NewEntry {
        let mut e = NewEntry::new(
            timestamp(time::OffsetDateTime::now_utc()),
            action,
            kind,
            permitted,
        );
        match &self.0 {
            Kind::Visitor => {}
            Kind::Operator => {
                e.user_role = Some("operator".into());
                e.origin = Some("console".into());
            }
            Kind::Scheduler => {
                e.user_role = Some("system".into());
                e.origin = Some("scheduler".into());
            }
            Kind::User { user, origin } => {
                e.user_id = Some(user.id.to_string());
                e.origin = Some(origin.clone());
            }
        }
        if let Some(m) = acting {
            e.user_role = Some(m.role.code().into());
            e.team_id = Some(m.team.to_string());
        }
        e
    }
}

/// A record about a person, handed out together with the access-log entry that records who
/// saw it. It can only be built by the access log (`Audited::logged`, crate-private), so a view
/// of a personal record without a log row cannot be written.
#[derive(Debug, Clone)]
pub struct Audited<T> {
    value: T,
    log_entry: i64,
}

impl<T> Audited<T> {
    /// Built right after the access log wrote entry `log_entry`.
    #[allow(dead_code)] // the access-log page (next step of issue 12) is the first audited view
    pub(crate) fn logged(value: T, log_entry: i64) -> Self {
        Audited { value, log_entry }
    }

    pub fn value(&self) -> &T {
        &self.value
    }

    pub fn into_value(self) -> T {
        self.value
    }

    /// The access-log entry of this view.
    pub fn log_entry(&self) -> i64 {
        self.log_entry
    }
}
