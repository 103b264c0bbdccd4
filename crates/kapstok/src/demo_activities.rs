//! Loads the demo's activities (`kapstok_demo::activities`) into a demo database, dated from
//! today: past dates with attendance, coming ones with places taken and a waiting list.
//! Written through the storage capability with the operator's log entries.

use anyhow::{Context, Result};
use kapstok_domain::activity::{Activity, RegistrationState, Rule, Schedule};
use kapstok_domain::activity_form::time_of;
use kapstok_domain::audit::{Action, NewEntry, RecordKind};
use kapstok_domain::calendar::{SignedDuration, Timestamp, stored, zone};
use kapstok_store::{NewRegistration, Store};
use std::sync::Arc;

fn entry(at: &str, action: Action, kind: RecordKind) -> NewEntry {
    let mut e = NewEntry::new(at.to_string(), action, kind, true);
    e.user_role = Some("operator".into());
    e.origin = Some("console".into());
    e
}

/// Loads them unless they are there; how many activities were made.
pub async fn load(store: Arc<dyn Store>) -> Result<usize> {
    let frame = store.map_frame().await?;
    let org = |name: &str| {
        frame
            .organizations
            .iter()
            .find(|o| o.name == name)
            .map(|o| o.id.to_string())
            .with_context(|| format!("demo organisation {name}"))
    };
    let now = Timestamp::now();
    let today = now.to_zoned(zone()).date();
    let at = stored(now);
    let mut made = 0;
    for d in kapstok_demo::activities::ACTIVITIES {
        let id = format!("act-demo-{}", d.key);
        if store.activity(&id).await?.is_some() {
            continue;
        }
        let schedule = match d.first {
            None => None,
            Some((days, starts, ends)) => {
                let mut day = today
                    .checked_add(SignedDuration::from_hours(24 * days))
                    .context("a demo date")?;
                // On a weekday.
                while day.weekday().to_monday_one_offset() > 5 {
                    day = day.tomorrow().context("a demo date")?;
                }
                let start = day.to_datetime(time_of(starts).context("a demo time")?);
                let end = day.to_datetime(time_of(ends).context("a demo time")?);
                let mut s = Schedule::once(start, end)
                    .map_err(|e| anyhow::anyhow!("demo schedule {}: {e:?}", d.key))?;
                s.rule = d
                    .rrule
                    .map(Rule::parse)
                    .transpose()
                    .map_err(|e| anyhow::anyhow!("demo rule {}: {e:?}", d.key))?;
                Some(s)
            }
        };
        let a = Activity {
            id: id.clone(),
            kind: d.kind.into(),
            title: d.title.into(),
            description: d.description.into(),
            audiences: d.audiences.iter().map(|s| s.to_string()).collect(),
            area: d.area.map(str::to_string),
            location_id: None,
            address: d.address.map(str::to_string),
            schedule,
            capacity: d.capacity,
            deadline: None,
            points: d.points,
            organization_id: d.organization.map(org).transpose()?,
            contact: d.contact.map(str::to_string),
            url: d.url.map(str::to_string),
            published: true,
            sequence: 0,
            updated_at: at.clone(),
        };
        let mut log = entry(&at, Action::Create, RecordKind::Activity);
        log.record_id = Some(id.clone());
        store.save_activity(&a, &log).await?;
        let dates = a
            .schedule
            .as_ref()
            .map(|s| s.occurrences())
            .unwrap_or_default();
        for (n, p) in d.participants.iter().enumerate() {
            let key = match &a.schedule {
                None => String::new(),
                Some(_) => dates
                    .get(p.date)
                    .map(kapstok_app::activities::key_of)
                    .with_context(|| format!("date {} of {}", p.date, d.key))?,
            };
            let reg_id = format!("reg-demo-{}-{n:02}", d.key);
            let mut log = entry(&at, Action::Create, RecordKind::Registration);
            log.record_id = Some(format!("{id}/{key}"));
            log.person = Some(reg_id.clone());
            let new = NewRegistration {
                id: reg_id.clone(),
                activity_id: id.clone(),
                occurrence: key,
                name: Some(p.name.into()),
                email: p.email.map(str::to_string),
                phone: p.phone.map(str::to_string),
                user_id: None,
                // No link: the demo's participants are not mailed.
                token_hash: kapstok_app::accounts::secret_hash(&format!("demo-{reg_id}")),
                at: at.clone(),
            };
            store.register(&new, &log).await?;
            let state = RegistrationState::parse(p.state).context("a demo state")?;
            if state != RegistrationState::Place {
                let mut log = entry(&at, Action::Change, RecordKind::Registration);
                log.person = Some(reg_id.clone());
                store
                    .set_registration_state(&reg_id, RegistrationState::Place, state, &at, &log)
                    .await?;
            }
        }
        made += 1;
    }
    // The demo's professionals have chosen their group.
    for (user, group) in [
        ("poh", "poh"),
        ("wijkteam", "wijkteam"),
        ("consulent", "wmo-consulent"),
    ] {
        let email = format!("{user}@{}", kapstok_demo::accounts::DEMO_DOMAIN);
        if let Some(u) = store
            .users()
            .await?
            .into_iter()
            .find(|u| u.email.as_str() == email)
        {
            store.set_user_audience(u.id.as_str(), Some(group)).await?;
        }
    }
    Ok(made)
}
