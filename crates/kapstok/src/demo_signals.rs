//! Loads the demo's signals (`kapstok_demo::signals`) into a demo database, sent days ago and
//! moved on by the receiver, through the storage capability with the operator's log entries.

use anyhow::{Context, Result};
use kapstok_domain::audit::{Action, NewEntry, RecordKind};
use kapstok_domain::calendar::{SignedDuration, Timestamp, stored, zone};
use kapstok_domain::signal::{MUNICIPALITY, SignalLists, SignalState};
use kapstok_store::{NewSignal, Store};
use std::sync::Arc;

fn entry(at: &str, action: Action, id: &str) -> NewEntry {
    let mut e = NewEntry::new(at.to_string(), action, RecordKind::Signal, true);
    e.user_role = Some("operator".into());
    e.origin = Some("console".into());
    e.record_id = Some(id.to_string());
    e
}

/// Loads them unless the database has signals already; how many were made.
pub async fn load(store: Arc<dyn Store>) -> Result<usize> {
    if !store.all_signals().await?.is_empty() {
        return Ok(0);
    }
    let lists = SignalLists::default();
    let teams = store.teams().await?;
    let users = store.users().await?;
    let team = |name: &str| {
        teams
            .iter()
            .find(|t| t.name == name)
            .map(|t| t.id.to_string())
            .with_context(|| format!("demo team {name}"))
    };
    let now = Timestamp::now();
    let mut made = 0;
    for (n, d) in kapstok_demo::signals::SIGNALS.iter().enumerate() {
        anyhow::ensure!(lists.theme(d.theme).is_some(), "demo theme {}", d.theme);
        let sent = now - SignedDuration::from_hours(24 * d.days_ago);
        let at = stored(sent);
        let day = sent.to_zoned(zone()).date();
        let id = format!("sig-demo-{n:02}");
        let email = format!("{}@{}", d.sender, kapstok_demo::accounts::DEMO_DOMAIN);
        let sender = users
            .iter()
            .find(|u| u.email.as_str() == email)
            .map(|u| u.id.to_string());
        let new = NewSignal {
            id: id.clone(),
            theme: d.theme.into(),
            area: d.area.map(str::to_string),
            from: day.first_of_month().to_string(),
            to: day.to_string(),
            text: d.text.into(),
            sender_user: sender,
            sender_team: Some(team(d.team)?),
            addressee: if d.to == MUNICIPALITY {
                MUNICIPALITY.to_string()
            } else {
                team(d.to)?
            },
            at: at.clone(),
        };
        anyhow::ensure!(
            kapstok_domain::signal::personal_data(d.text).is_none(),
            "demo signal {n} looks personal"
        );
        store
            .add_signal(&new, &entry(&at, Action::Create, &id))
            .await?;
        let later = stored(sent + SignedDuration::from_hours(20));
        let state = SignalState::parse(d.state).context("a demo state")?;
        if state != SignalState::Open {
            store
                .signal_step(
                    &id,
                    SignalState::Acknowledged,
                    None,
                    &later,
                    &entry(&later, Action::Change, &id),
                )
                .await?;
        }
        if state != SignalState::Open && state != SignalState::Acknowledged {
            store
                .signal_step(
                    &id,
                    SignalState::Answered,
                    d.answer,
                    &later,
                    &entry(&later, Action::Change, &id),
                )
                .await?;
        }
        if state == SignalState::Closed {
            store
                .signal_step(
                    &id,
                    SignalState::Closed,
                    None,
                    &later,
                    &entry(&later, Action::Change, &id),
                )
                .await?;
        }
        if let Some(g) = d.group {
            store
                .group_signals(
                    std::slice::from_ref(&id),
                    Some(g),
                    &entry(&later, Action::Change, &id),
                )
                .await?;
        }
        made += 1;
    }
    Ok(made)
}
