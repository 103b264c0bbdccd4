//! Who is asking, and the proof types that stand for a permission.
//!
//! Permissions are decided here and nowhere else: `App::importer(&actor)` returns `None` for a
//! visitor, so a handler without the capability cannot even name the method it would call. The
//! accounts issue adds signed-in users (roles, teams) to [`Actor`] and team-bound capabilities.

/// Who a request or command acts for. Built only through its constructors: the web layer's
/// extractors make visitors (and, from the accounts issue on, users from a verified session);
/// only the command line makes the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(Kind);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Visitor,
    Operator,
}

impl Actor {
    /// Someone on the public site, not signed in.
    pub fn visitor() -> Actor {
        Actor(Kind::Visitor)
    }

    /// The operator at the server's command line (imports, export, demo, backup). Only the
    /// `kapstok` binary's commands call this.
    pub fn console_operator() -> Actor {
        Actor(Kind::Operator)
    }

    pub(crate) fn is_operator(&self) -> bool {
        self.0 == Kind::Operator
    }
}

/// A record about a person, handed out together with the access-log entry that records who
/// saw it. It can only be built by the access log (`Audited::logged`, crate-private), so a view
/// of a personal record without a log row cannot be written.
#[derive(Debug, Clone)]
pub struct Audited<T> {
    value: T,
    log_entry: u64,
}

impl<T> Audited<T> {
    /// Built by the access log right after it wrote entry `log_entry`.
    #[allow(dead_code)] // the accounts issue writes the first audited views
    pub(crate) fn logged(value: T, log_entry: u64) -> Self {
        Audited { value, log_entry }
    }

    pub fn value(&self) -> &T {
        &self.value
    }

    /// The access-log entry of this view.
    pub fn log_entry(&self) -> u64 {
        self.log_entry
    }
}
