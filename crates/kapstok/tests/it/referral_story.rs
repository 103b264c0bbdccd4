//! The verwijsroute's whole story over HTTP, on both backends, with the access log checked at
//! every step: a practice nurse refers a carer with consent (covering a forward), the steunpunt
//! accepts and forwards to the district team, which closes it with an outcome; the referrer
//! sees the loop closed; another carer withdraws consent; a year later the retention job
//! anonymises what is closed, keeping what the figures need.

use crate::sign_in::sign_in_demo;
use crate::support::{Backend, Browser, TestApp, csrf};
use axum::http::StatusCode;
use kapstok_app::{Actor, Clock};
use kapstok_domain::calendar::{SignedDuration, Timestamp, parse_stored};
use kapstok_domain::referral::State;
use std::sync::Arc;

/// The access-log rows written since `after`, as (action, kind, role, record, person).
async fn rows_since(
    store: &Arc<dyn kapstok_store::Store>,
    after: &mut i64,
) -> Vec<(String, String, String, String, String)> {
    let entries = store.entries_after(*after, 10_000).await.unwrap();
    if let Some(last) = entries.last() {
        *after = last.seq;
    }
    entries
        .into_iter()
        .map(|e| {
            let n = e.entry;
            (
                n.action,
                n.record_kind,
                n.user_role.unwrap_or_default(),
                n.record_id.unwrap_or_default(),
                n.person.unwrap_or_default(),
            )
        })
        .collect()
}

fn has(
    rows: &[(String, String, String, String, String)],
    action: &str,
    role: &str,
    record: &str,
) -> bool {
    rows.iter()
        .any(|r| r.0 == action && r.1 == "referral" && r.2 == role && r.3 == record)
}

async fn step(b: &Browser, file: &str, fields: &[(&str, &str)]) {
    let page = b.get(file).await;
    let token = csrf(&page.body);
    let mut f = vec![("csrf", token.as_str())];
    f.extend_from_slice(fields);
    let r = b.post(&format!("{file}/stap"), &f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{fields:?}: {}", r.body);
}

#[tokio::test]
async fn refer_accept_forward_close_follow_withdraw_and_anonymise() {
    for backend in Backend::ALL {
        let clock = Clock::fixed(Timestamp::now());
        let app = TestApp::init()
            .with_backend(backend)
            .with_demo()
            .with_clock(clock.clone())
            .build()
            .await;
        let store = app.store.clone();
        let teams = store.teams().await.unwrap();
        let id_of = |name: &str| {
            teams
                .iter()
                .find(|t| t.name == name)
                .unwrap()
                .id
                .to_string()
        };
        let steunpunt = id_of("Steunpunt Mantelzorg De Kapstok");
        let velden = id_of("Sociaal Wijkteam De Velden");
        let mut seq = store
            .entries_after(0, 100_000)
            .await
            .unwrap()
            .last()
            .map_or(0, |e| e.seq);

        // 1. The practice nurse refers, with consent that covers a forward.
        let petra = app.browser();
        sign_in_demo(&petra, "poh").await;
        let _ = rows_since(&store, &mut seq).await;
        let form = petra.get("/werk/verwijzen").await;
        let key = form
            .body
            .split("name=\"key\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let fields = |name: &'static str, key: String| {
            vec![
                ("csrf", csrf(&form.body)),
                ("key", key),
                ("team", steunpunt.clone()),
                ("reason", "overbelasting".to_string()),
                ("name", name.to_string()),
                ("phone", "0591 000 333".to_string()),
                ("postcode", "7764".to_string()),
                ("consent", "1".to_string()),
                ("consent_forward", "1".to_string()),
                ("method", "mondeling".to_string()),
            ]
        };
        let send = |f: Vec<(&'static str, String)>| {
            let petra = &petra;
            async move {
                let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
                petra.post("/werk/verwijzen", &pairs).await
            }
        };
        let r = send(fields("Anna Aalders", key)).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        let (list, _) = store
            .team_referrals(&steunpunt, &kapstok_store::InboxFilter::default(), 0, 10)
            .await
            .unwrap();
        let first = list[0].clone();
        let person = first.person.clone();
        let rows = rows_since(&store, &mut seq).await;
        assert!(
            has(&rows, "create", "verwijzer", &first.id),
            "{backend:?}: {rows:?}"
        );
        assert!(
            rows.iter().all(|r| r.1 != "referral" || r.4 == person),
            "by pseudonym only"
        );
        assert!(
            rows.iter().all(|r| !r.4.contains("Anna")),
            "no names in the log"
        );

        // 2. The steunpunt's consultant opens it and accepts.
        let carla = app.browser();
        sign_in_demo(&carla, "consulent").await;
        let file = format!("/werk/teams/{steunpunt}/verwijzingen/{}", first.id);
        let _ = rows_since(&store, &mut seq).await;
        step(&carla, &file, &[("stap", "accept")]).await;
        let rows = rows_since(&store, &mut seq).await;
        assert!(
            has(&rows, "view", "teamlid", &first.id),
            "{backend:?}: {rows:?}"
        );
        assert!(
            has(&rows, "change", "teamlid", &first.id),
            "{backend:?}: {rows:?}"
        );

        // 3. And forwards it to the district team (the consent covers it).
        let page = carla.get(&format!("{file}/doorsturen")).await;
        let r = carla
            .post(
                &format!("{file}/doorsturen"),
                &[
                    ("csrf", &csrf(&page.body)),
                    ("key", "story-forward"),
                    ("naar", &velden),
                    ("waarom", "Praktische hulp thuis nodig."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.body);
        let tasks = store.tasks_of(&person).await.unwrap();
        assert_eq!(tasks.len(), 2);
        let second = tasks[1].clone();
        assert_eq!(
            (tasks[0].state, second.state),
            (State::Completed, State::Requested)
        );
        let rows = rows_since(&store, &mut seq).await;
        assert!(
            has(&rows, "change", "teamlid", &first.id)
                && has(&rows, "change", "teamlid", &second.id),
            "{backend:?}: {rows:?}"
        );

        // 4. The district team closes it with an outcome.
        let wim = app.browser();
        sign_in_demo(&wim, "wijkteam").await;
        let file2 = format!("/werk/teams/{velden}/verwijzingen/{}", second.id);
        step(&wim, &file2, &[("stap", "accept")]).await;
        step(
            &wim,
            &file2,
            &[("stap", "close"), ("uitkomst", "hulp-geregeld")],
        )
        .await;
        let rows = rows_since(&store, &mut seq).await;
        let wim_changes = rows
            .iter()
            .filter(|r| r.0 == "change" && r.3 == second.id && r.2 == "teamlid")
            .count();
        assert_eq!(wim_changes, 2, "{backend:?}: {rows:?}");
        assert_eq!(
            store
                .referral(&second.id)
                .await
                .unwrap()
                .unwrap()
                .outcome
                .as_deref(),
            Some("hulp-geregeld")
        );

        // 5. The referrer sees the loop closed: forwarded, then help arranged; not the notes.
        let follow = petra.get(&format!("/werk/verwijzingen/{}", first.id)).await;
        assert!(follow.body.contains(&second.reference), "{}", follow.body);
        let follow = petra
            .get(&format!("/werk/verwijzingen/{}", second.id))
            .await;
        assert!(
            follow.body.contains("Hulp geregeld") && !follow.body.contains("Praktische hulp thuis"),
            "{}",
            follow.body
        );
        let rows = rows_since(&store, &mut seq).await;
        assert!(
            has(&rows, "view", "verwijzer", &second.id),
            "{backend:?}: {rows:?}"
        );

        // 6. Another carer withdraws consent with their code.
        let key2 = "story-second".to_string();
        let r = send(fields("Bert Bakker", key2)).await;
        let code = r.body.split("class=\"secret\"><code>").nth(1).unwrap()[..10].to_string();
        let visitor = app.browser();
        let r = visitor
            .post(&format!("/toestemming/{code}/intrekken"), &[("zeker", "1")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let (list, _) = store
            .team_referrals(&steunpunt, &kapstok_store::InboxFilter::default(), 0, 10)
            .await
            .unwrap();
        let bert = list
            .iter()
            .find(|r| r.state == State::Cancelled)
            .unwrap()
            .clone();
        assert!(bert.carer.is_none(), "withdrawn: details gone at once");
        let rows = rows_since(&store, &mut seq).await;
        assert!(
            has(&rows, "change", "mantelzorger", &bert.id),
            "{backend:?}: {rows:?}"
        );

        // 7. A year and a day after closing, the retention job anonymises what is closed.
        let closed = parse_stored(
            store
                .referral(&second.id)
                .await
                .unwrap()
                .unwrap()
                .closed_at
                .as_deref()
                .unwrap(),
        )
        .unwrap();
        let job = app
            .state
            .app()
            .referral_retention(&Actor::console_operator())
            .expect("the operator runs it");
        assert!(
            app.state
                .app()
                .referral_retention(&Actor::visitor())
                .is_none()
        );
        clock.set(closed + SignedDuration::from_hours(24 * 364));
        assert_eq!(job.run().await.unwrap(), 0, "{backend:?}: not yet");
        clock.set(closed + SignedDuration::from_hours(24 * 366));
        // Both of Anna's tasks (the forwarded one closed first); Bert's was anonymised already.
        assert_eq!(job.run().await.unwrap(), 2, "{backend:?}");
        for t in store.tasks_of(&person).await.unwrap() {
            assert!(t.carer.is_none(), "{backend:?}: {t:?}");
            assert!(t.area_code.as_deref() == Some("de-velden") && t.reason == "overbelasting");
            assert!(t.outcome.is_some() && t.sent_at.is_some() && t.closed_at.is_some());
            assert!(store.referral_notes(&t.id).await.unwrap().is_empty());
        }
        let rows = rows_since(&store, &mut seq).await;
        assert!(
            has(&rows, "change", "operator", &first.id)
                && has(&rows, "change", "operator", &second.id),
            "{backend:?}: {rows:?}"
        );
        assert_eq!(job.run().await.unwrap(), 0, "once");
        // The team sees the history, not the person.
        let page = wim.get(&file2).await;
        assert!(
            page.body.contains("persoonsgegevens zijn verwijderd") && !page.body.contains("Anna"),
            "{}",
            page.body
        );
    }
}
