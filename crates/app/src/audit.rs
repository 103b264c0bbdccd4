//! The access log for the functionaris gegevensbescherming (looking at it and exporting it are
//! logged too), and checking its chain (`kapstok audit verify`, the operator's), streamed page
//! by page so a long log is never held at once.

use crate::{Actor, AppResult, Audited};
use kapstok_domain::account::{Membership, Role};
use kapstok_domain::audit::{Action, Broken, ChainCheck, Entry, RecordKind};
pub use kapstok_store::LogFilter;
use kapstok_store::{AuditStore, Store};
use std::sync::Arc;

/// The shortest retention term accepted.
pub const MIN_RETENTION_DAYS: i64 = 365;

/// Entries read per page while checking.
const PAGE: usize = 1_000;

pub struct AuditCheck {
    audit: Arc<dyn AuditStore>,
}

impl AuditCheck {
    /// For the operator at the server's command line.
    pub fn grant(store: Arc<dyn Store>, actor: &Actor) -> Option<AuditCheck> {
        actor.is_operator().then(|| AuditCheck { audit: store })
    }

    /// How many days the log keeps its rows.
    pub async fn retention_days(&self) -> AppResult<i64> {
        Ok(self.audit.retention_days().await?)
    }

    /// Sets the retention term; `Err` below a year (NEN 7513 asks for a documented term; less
    /// than a year leaves too little to check).
    pub async fn set_retention_days(&self, days: i64) -> AppResult<Result<(), i64>> {
        if days < MIN_RETENTION_DAYS {
            return Ok(Err(MIN_RETENTION_DAYS));
        }
        let mut e =
            Actor::console_operator().log_entry(None, Action::Change, RecordKind::AccessLog, true);
        e.record_id = Some(format!("retention {days} days"));
        self.audit.set_retention_days(days, &e).await?;
        Ok(Ok(()))
    }

    /// Removes the rows past the retention term; how many went. The chain stays checkable: the
    /// oldest remaining row's link is the anchor.
    pub async fn purge(&self) -> AppResult<u64> {
        let days = self.audit.retention_days().await?;
        let before = kapstok_domain::audit::timestamp(
            time::OffsetDateTime::now_utc() - time::Duration::days(days),
        );
        let mut e =
            Actor::console_operator().log_entry(None, Action::Change, RecordKind::AccessLog, true);
        e.record_id = Some(format!("purged before {before}:"));
        Ok(self.audit.purge_before(&before, &e).await?)
    }

    /// Checks every entry in order: how many and from which number, or the first bad one.
    pub async fn verify(&self) -> AppResult<Result<ChainCheck, Broken>> {
        let mut check = ChainCheck::default();
        let mut after = 0;
        loop {
            let page = self.audit.entries_after(after, PAGE).await?;
            for e in &page {
                if let Err(broken) = check.check(e) {
                    return Ok(Err(broken));
                }
            }
            match page.last() {
                Some(last) if page.len() == PAGE => after = last.seq,
                _ => return Ok(check.finish()),
            }
        }
    }
}

/// Most rows in one CSV export.
pub const EXPORT_LIMIT: usize = 100_000;

/// Reading the access log: the functionaris gegevensbescherming's.
pub struct AccessLogReader {
    actor: Actor,
    acting: Membership,
    audit: Arc<dyn AuditStore>,
    accounts: Arc<dyn kapstok_store::AccountStore>,
}

/// A filter in words for the log entry about looking at the log (ids only, no names).
fn described(filter: &LogFilter) -> String {
    let parts: Vec<String> = [
        ("user", &filter.user_id),
        ("person", &filter.person),
        ("record", &filter.record_id),
        ("action", &filter.action),
        ("from", &filter.from),
        ("until", &filter.until),
    ]
    .iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", id_or_text(v))))
    .collect();
    if parts.is_empty() {
        "all".into()
    } else {
        parts.join(" ")
    }
}

/// A filter value as the log may hold it: an id or a date as typed, anything else (a name
/// typed where a pseudonym belongs) only as "(text)".
fn id_or_text(v: &str) -> &str {
    let id_like = v.len() <= 64
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    if id_like { v } else { "(tekst)" }
}

impl AccessLogReader {
    pub fn grant(store: Arc<dyn Store>, actor: &Actor) -> Option<AccessLogReader> {
        Some(AccessLogReader {
            acting: actor.membership(Role::Privacy)?,
            actor: actor.clone(),
            audit: store.clone(),
            accounts: store,
        })
    }

    /// (id, name) of every user, to show who acted.
    pub async fn user_names(&self) -> AppResult<Vec<(String, String)>> {
        Ok(self
            .accounts
            .users()
            .await?
            .into_iter()
            .map(|u| (u.id.to_string(), u.name))
            .collect())
    }

    async fn logged(&self, action: Action, filter: &LogFilter) -> AppResult<i64> {
        let mut e = self
            .actor
            .log_entry(Some(&self.acting), action, RecordKind::AccessLog, true);
        e.record_id = Some(described(filter));
        e.person = filter.person.as_deref().map(id_or_text).map(str::to_string);
        Ok(self.audit.append(&e).await?)
    }

    /// The newest entries matching `filter` (a page), and how many match; this look is logged
    /// first.
    pub async fn entries(
        &self,
        filter: &LogFilter,
        offset: usize,
        limit: usize,
    ) -> AppResult<Audited<(Vec<Entry>, usize)>> {
        let seq = self.logged(Action::View, filter).await?;
        let page = self.audit.entries(filter, offset, limit).await?;
        Ok(Audited::logged(page, seq))
    }

    /// Every entry matching `filter` (at most [`EXPORT_LIMIT`]) as CSV; the export is logged.
    pub async fn export_csv(&self, filter: &LogFilter) -> AppResult<Audited<String>> {
        let seq = self.logged(Action::Export, filter).await?;
        let (entries, _) = self.audit.entries(filter, 0, EXPORT_LIMIT).await?;
        let mut w = csv::Writer::from_writer(Vec::new());
        let header = [
            "seq",
            "at",
            "user_id",
            "user_role",
            "team_id",
            "on_behalf_of",
            "action",
            "record_kind",
            "record_id",
            "person",
            "origin",
            "permitted",
            "hash",
        ];
        w.write_record(header).map_err(csv_error)?;
        for e in &entries {
            let n = &e.entry;
            let o = |v: &Option<String>| v.clone().unwrap_or_default();
            w.write_record([
                e.seq.to_string(),
                n.at.clone(),
                o(&n.user_id),
                o(&n.user_role),
                o(&n.team_id),
                o(&n.on_behalf_of),
                n.action.clone(),
                n.record_kind.clone(),
                o(&n.record_id),
                o(&n.person),
                o(&n.origin),
                if n.permitted { "ja" } else { "nee" }.to_string(),
                e.hash.clone(),
            ])
            .map_err(csv_error)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| csv_error(e.into_error().into()))?;
        Ok(Audited::logged(
            String::from_utf8(bytes).unwrap_or_default(),
            seq,
        ))
    }
}

fn csv_error(e: csv::Error) -> crate::AppError {
    crate::AppError::Store(kapstok_store::StoreError::Corrupt {
        id: "access_log".into(),
        reason: format!("CSV: {e}"),
    })
}

/// A signed-in user's own entries (what they did), newest first; looking is logged.
pub async fn own_entries(
    store: &dyn AuditStore,
    actor: &Actor,
    limit: usize,
) -> AppResult<Option<Audited<Vec<Entry>>>> {
    let Some(user) = actor.signed_in() else {
        return Ok(None);
    };
    let filter = LogFilter {
        user_id: Some(user.id.to_string()),
        ..LogFilter::default()
    };
    let mut e = actor.log_entry(None, Action::View, RecordKind::AccessLog, true);
    e.record_id = Some(described(&filter));
    e.person = Some(user.id.to_string());
    let seq = store.append(&e).await?;
    let (entries, _) = store.entries(&filter, 0, limit).await?;
    Ok(Some(Audited::logged(entries, seq)))
}
