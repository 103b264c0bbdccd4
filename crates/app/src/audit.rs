//! Checking the access log's chain (`kapstok audit verify`): the operator's, streamed page by
//! page so a long log is never held at once.

use crate::{Actor, AppResult};
use kapstok_domain::audit::{Broken, ChainCheck};
use kapstok_store::{AuditStore, Store};
use std::sync::Arc;

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
                _ => return Ok(Ok(check)),
            }
        }
    }
}
