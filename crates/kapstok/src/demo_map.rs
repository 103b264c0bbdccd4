//! The demo's work for the redacteuren: an open suggestion by the volunteer organisation's
//! editor and an open report by a visitor, so the review queues have something to show.
//! Written through the storage capability with the operator's log entries.

use anyhow::{Context, Result};
use kapstok_domain::audit::{Action, NewEntry, RecordKind};
use kapstok_domain::calendar::{SignedDuration, Timestamp, stored};
use kapstok_store::{MapRecord, NewCorrection, NewSuggestion, RecordType, Store};
use std::sync::Arc;

fn entry(at: &str, action: Action, kind: RecordKind, record: String) -> NewEntry {
    let mut e = NewEntry::new(at.to_string(), action, kind, true);
    e.user_role = Some("operator".into());
    e.origin = Some("console".into());
    e.record_id = Some(record);
    e
}

/// Loads them unless the database has suggestions or reports already.
pub async fn load(store: Arc<dyn Store>) -> Result<()> {
    if !store.suggestions(None, None).await?.is_empty()
        || !store.corrections(false).await?.is_empty()
    {
        return Ok(());
    }
    let at = stored(Timestamp::now() - SignedDuration::from_hours(26));
    let author = store
        .users()
        .await?
        .into_iter()
        .find(|u| {
            u.email.as_str() == format!("vrijwilligers@{}", kapstok_demo::accounts::DEMO_DOMAIN)
        })
        .map(|u| u.id.to_string());
    let id = kapstok_demo::id("service:Vrijwillige Hulpdienst Emmen:klussendienst");
    let base = store
        .service(&id)
        .await?
        .context("the demo's klussendienst")?;
    let mut proposed = base.clone();
    proposed.wait_time = Some("Meestal binnen een week".into());
    proposed.description = format!(
        "{} Nieuw: ook kleine klussen in de tuin.",
        proposed.description.trim_end()
    );
    let suggestion = NewSuggestion {
        id: "v-demo-01".into(),
        kind: RecordType::Service,
        record_id: id.clone(),
        organization_id: base.organization_id.to_string(),
        author_id: author,
        at: at.clone(),
        base: Some(MapRecord::Service(&base).document()),
        document: MapRecord::Service(&proposed).document(),
        changed: vec!["description".into(), "wait_time".into()],
    };
    store
        .suggest(
            &suggestion,
            &entry(
                &at,
                Action::Create,
                RecordKind::SocialMap,
                format!("suggestion v-demo-01 for service: {id}"),
            ),
        )
        .await?;
    let service = kapstok_demo::id("service:Steunpunt Mantelzorg De Kapstok:mantelzorgconsulent");
    let report = NewCorrection {
        id: "m-demo-01".into(),
        service_id: service.clone(),
        at: at.clone(),
        message: "Het spreekuur op woensdag is verplaatst naar donderdagochtend.".into(),
        email: Some("bezoeker@example.org".into()),
    };
    store
        .report_correction(
            &report,
            &entry(
                &at,
                Action::Create,
                RecordKind::Correction,
                format!("m-demo-01 about service: {service}"),
            ),
        )
        .await?;
    Ok(())
}
