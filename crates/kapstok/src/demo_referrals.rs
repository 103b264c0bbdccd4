//! Loads the demo's referrals (`kapstok_demo::referrals`) into a demo database: sent days ago,
//! moved by the teams' demo members a day at a time, so the inboxes show new, overdue, worked,
//! closed and forwarded referrals. Written through the storage capability with the operator's
//! log entries (the demo is loaded at the server's command line).

use anyhow::{Context, Result};
use kapstok_domain::account::Role;
use kapstok_domain::audit::{Action, NewEntry, RecordKind};
use kapstok_domain::calendar::{SignedDuration, Timestamp, stored};
use kapstok_domain::referral::{
    CarerDetails, ConsentMethod, Ending, FORWARDED, Move, Party, RouteLists, Source, State, next,
};
use kapstok_store::{Forward, NewConsent, NewReferral, ReferralNote, Store, StoredMove};
use std::sync::Arc;

fn entry(at: &str, action: Action) -> NewEntry {
    let mut e = NewEntry::new(at.to_string(), action, RecordKind::Referral, true);
    e.user_role = Some("operator".into());
    e.origin = Some("console".into());
    e
}

/// Loads them unless the database has referrals already; how many tasks were made.
pub async fn load(store: Arc<dyn Store>) -> Result<usize> {
    let lists = RouteLists::default();
    let teams = store.teams().await?;
    let users = store.users().await?;
    let team_id = |name: &str| {
        teams
            .iter()
            .find(|t| t.name == name)
            .map(|t| t.id.to_string())
            .with_context(|| format!("demo team {name}"))
    };
    let user_id = |name: &str| {
        users
            .iter()
            .find(|u| u.email.as_str() == format!("{name}@{}", kapstok_demo::accounts::DEMO_DOMAIN))
            .map(|u| u.id.to_string())
            .with_context(|| format!("demo account {name}"))
    };
    // Who moves a team's referrals: its first teamlid.
    let member_of = |team: &str| {
        users
            .iter()
            .find(|u| {
                u.memberships
                    .iter()
                    .any(|m| m.team.as_str() == team && m.role == Role::Teamlid)
            })
            .map(|u| u.id.to_string())
    };
    let now = Timestamp::now();
    let mut made = 0;
    for (n, d) in kapstok_demo::referrals::REFERRALS.iter().enumerate() {
        if store.referral(&format!("r-demo-{n:02}")).await?.is_some() {
            continue;
        }
        let sent = now - SignedDuration::from_hours(24 * d.days_ago + 1);
        let at = stored(sent);
        let referrer = d.referrer.map(user_id).transpose()?;
        let team = team_id(d.team)?;
        anyhow::ensure!(lists.reason(d.reason).is_some(), "demo reason {}", d.reason);
        let area = kapstok_demo::emmen::area_postcodes()
            .into_iter()
            .find(|m| d.postcode.starts_with(m.postcode.as_str()))
            .map(|m| m.area_code);
        let person = format!("p-demo-{n:02}");
        let mut current = NewReferral {
            id: format!("r-demo-{n:02}"),
            team_id: team.clone(),
            referrer_id: referrer.clone(),
            source: if referrer.is_some() {
                Source::Verwijzer
            } else {
                Source::Zelf
            },
            state: State::Requested,
            reason: d.reason.into(),
            part_of: None,
            person: person.clone(),
            area_code: area,
            carer: CarerDetails {
                name: d.carer.into(),
                phone: d.phone.map(str::to_string),
                email: d.email.map(str::to_string),
                postcode: Some(d.postcode.into()),
                relationship: d.relationship.map(str::to_string),
                condition: d.condition.map(str::to_string),
                note: d.note.map(str::to_string),
                ..CarerDetails::default()
            },
            idempotency_key: None,
            at: at.clone(),
        };
        let covers_forward = d.moves.iter().any(|m| m.starts_with("forward:"));
        let consent = NewConsent {
            id: format!("c-demo-{n:02}"),
            team_id: team.clone(),
            purpose: format!("Contact over ondersteuning door {}", d.team),
            data_shared: "naam, contactgegevens, postcode, contactmoment, reden, relatie, aandoening, notitie".into(),
            given_by: kapstok_domain::referral::CONSENT_BY_ONESELF.into(),
            method: if referrer.is_some() {
                ConsentMethod::Mondeling
            } else {
                ConsentMethod::Digitaal
            },
            given_at: at.clone(),
            recorded_by: referrer.clone(),
            receipt_hash: kapstok_app::accounts::secret_hash(d.receipt),
            covers_forward,
        };
        store
            .create_referral(&current, &consent, &entry(&at, Action::Create))
            .await?;
        made += 1;
        let mut state = State::Requested;
        for (i, m) in d.moves.iter().enumerate() {
            let at = stored((sent + SignedDuration::from_hours(24 * (i as i64 + 1))).min(now));
            let who = member_of(&current.team_id);
            if let Some(next_team) = m.strip_prefix("forward:") {
                let next_team = team_id(next_team)?;
                let next_id = format!("r-demo-{n:02}-{i}");
                let to =
                    next(state, Move::Forward, Party::Team).map_err(|e| anyhow::anyhow!("{e}"))?;
                let f = Forward {
                    moved: StoredMove {
                        from: state,
                        to,
                        move_code: "forward",
                        user_id: who.as_deref(),
                        outcome: Some(FORWARDED),
                        at: &at,
                    },
                    next: NewReferral {
                        id: next_id.clone(),
                        team_id: next_team.clone(),
                        part_of: Some(current.id.clone()),
                        at: at.clone(),
                        ..current.clone()
                    },
                    consent: NewConsent {
                        id: format!("c-demo-{n:02}-{i}"),
                        team_id: next_team.clone(),
                        receipt_hash: kapstok_app::accounts::secret_hash(&format!(
                            "{}-{i}",
                            d.receipt
                        )),
                        ..consent.clone()
                    },
                    reason: ReferralNote {
                        at: at.clone(),
                        author_id: who.clone(),
                        text: "Doorgestuurd: praktische hulp thuis past beter bij het wijkteam."
                            .into(),
                    },
                };
                store
                    .forward_referral(&current.id, &f, &entry(&at, Action::Change))
                    .await?;
                made += 1;
                current = f.next;
                state = State::Requested;
                continue;
            }
            let (mv, outcome) = match m.split_once(':') {
                Some(("close", o)) => {
                    let o = lists
                        .outcome(o)
                        .with_context(|| format!("demo outcome {o}"))?;
                    let ending = if o.state == "failed" {
                        Ending::Failed
                    } else {
                        Ending::Completed
                    };
                    (Move::Close(ending), Some(o.code.as_str()))
                }
                _ => (
                    Move::parse(m).with_context(|| format!("demo move {m}"))?,
                    None,
                ),
            };
            let to = next(state, mv, Party::Team).map_err(|e| anyhow::anyhow!("{m}: {e}"))?;
            store
                .move_referral(
                    &current.id,
                    &StoredMove {
                        from: state,
                        to,
                        move_code: mv.code(),
                        user_id: who.as_deref(),
                        outcome,
                        at: &at,
                    },
                    &entry(&at, Action::Change),
                )
                .await?;
            state = to;
        }
        // Worked on: assigned to the member who works it.
        if state == State::InProgress
            && let Some(who) = member_of(&current.team_id)
        {
            store
                .assign_referral(
                    &current.id,
                    Some(&who),
                    &entry(&stored(now), Action::Change),
                )
                .await?;
        }
    }
    Ok(made)
}
