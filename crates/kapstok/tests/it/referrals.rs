//! The verwijsroute through the application's capabilities, on both backends: who may refer and
//! who sees which inbox, bad forms change nothing, the same form twice is one referral, moves
//! follow the domain's route, the referrer sees the loop closed, and the access log has every
//! step with the carer by pseudonym only.

use crate::support::{Backend, TestApp};
use kapstok_app::Actor;
use kapstok_app::referrals::{ReferralForm, ReferralProblem};
use kapstok_domain::ids::TeamId;
use kapstok_domain::referral::{CarerDetails, Ending, Move, MoveError, State};
use kapstok_store::InboxFilter;

async fn actor(app: &TestApp, user: &str) -> Actor {
    let users = app.store.users().await.unwrap();
    let u = users
        .iter()
        .find(|u| u.email.as_str() == format!("{user}@demo.kapstok.nl"))
        .unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    app.state
        .app()
        .signed_in(&u.id, now, "127.0.0.1")
        .await
        .unwrap()
        .unwrap()
}

async fn team(app: &TestApp, name: &str) -> TeamId {
    app.store
        .teams()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == name)
        .unwrap()
        .id
}

#[tokio::test]
async fn a_carer_is_referred_with_consent_and_the_loop_closes() {
    for backend in Backend::ALL {
        let app = TestApp::init()
            .with_backend(backend)
            .with_demo()
            .build()
            .await;
        let a = app.state.app();
        let steunpunt = team(&app, "Steunpunt Mantelzorg De Kapstok").await;
        let poh = actor(&app, "poh").await;
        let carla = actor(&app, "consulent").await;
        let wim = actor(&app, "wijkteam").await;
        assert!(
            a.referral_desk(&carla).is_none(),
            "a teamlid without verwijzer role does not refer"
        );
        assert!(a.referral_desk(&actor(&app, "beleid").await).is_none());
        let desk = a.referral_desk(&poh).expect("the practice nurse refers");

        let good = ReferralForm {
            team_id: steunpunt.to_string(),
            reason: "overbelasting".into(),
            carer: CarerDetails {
                name: "Jan Jansen".into(),
                phone: Some("0591 000 111".into()),
                postcode: Some("7811".into()),
                relationship: Some("partner".into()),
                condition: Some("dementie".into()),
                note: Some("Zorgt al twee jaar alleen; graag 's ochtends bellen.".into()),
                ..CarerDetails::default()
            },
            consent_given: true,
            consent_method: "mondeling".into(),
            idempotency_key: Some("form-1".into()),
            ..ReferralForm::default()
        };
        // Bad forms: a reason, and nothing stored.
        let with = |f: &dyn Fn(&mut ReferralForm)| {
            let mut form = good.clone();
            form.idempotency_key = None;
            f(&mut form);
            form
        };
        for (form, problem) in [
            (with(&|f| f.carer.name = " ".into()), ReferralProblem::Name),
            (with(&|f| f.carer.phone = None), ReferralProblem::NoContact),
            (
                with(&|f| f.carer.email = Some("geen adres".into())),
                ReferralProblem::Email,
            ),
            (
                with(&|f| f.reason = "zomaar".into()),
                ReferralProblem::Reason,
            ),
            (
                with(&|f| f.carer.relationship = Some("collega".into())),
                ReferralProblem::Relationship,
            ),
            (
                with(&|f| f.carer.note = Some("BSN 111 222 333, graag bellen".into())),
                ReferralProblem::Bsn,
            ),
            (
                with(&|f| f.carer.note = Some("x".repeat(501))),
                ReferralProblem::NoteTooLong,
            ),
            (
                with(&|f| f.consent_given = false),
                ReferralProblem::NoConsent,
            ),
            (
                with(&|f| f.consent_method = "per fax".into()),
                ReferralProblem::ConsentMethod,
            ),
            (
                with(&|f| f.team_id = "team-bestaat-niet".into()),
                ReferralProblem::Team,
            ),
        ] {
            assert_eq!(
                desk.refer(&form, None).await.unwrap().unwrap_err(),
                problem,
                "{backend:?}"
            );
        }
        let inbox = a
            .team_inbox(&carla, &steunpunt)
            .expect("the steunpunt's teamlid has its inbox");
        assert_eq!(
            inbox
                .list(&InboxFilter::default(), 0, 10)
                .await
                .unwrap()
                .value()
                .1,
            0,
            "nothing stored"
        );

        // Sent; and sent again by a double click: one referral.
        let sent = desk
            .refer(&good, Some("emmen-centrum-oost".into()))
            .await
            .unwrap()
            .unwrap();
        assert!(
            !sent.repeated && sent.receipt_code.len() == 10,
            "{backend:?}"
        );
        assert!(sent.referral.reference.starts_with("K-20"));
        let again = desk.refer(&good, None).await.unwrap().unwrap();
        assert!(again.repeated && again.receipt_code.is_empty());
        assert_eq!(again.referral.id, sent.referral.id);
        let id = sent.referral.id.clone();

        // Only the receiving team's teamlid sees it.
        assert!(
            a.team_inbox(&wim, &steunpunt).is_none(),
            "another team's member"
        );
        assert!(
            a.team_inbox(&actor(&app, "redactie").await, &steunpunt)
                .is_none(),
            "same team, no teamlid role"
        );
        let velden = a
            .team_inbox(&wim, &team(&app, "Sociaal Wijkteam De Velden").await)
            .unwrap();
        assert!(
            velden.open(&id).await.unwrap().is_none(),
            "not in their inbox"
        );
        assert_eq!(
            velden.act(&id, Move::Accept, None).await.unwrap(),
            Err(MoveError::NotYours)
        );
        let (list, total) = inbox
            .list(&InboxFilter::default(), 0, 10)
            .await
            .unwrap()
            .into_value();
        assert_eq!(
            (total, list[0].id.as_str()),
            (1, id.as_str()),
            "{backend:?}"
        );
        let opened = inbox.open(&id).await.unwrap().unwrap().into_value();
        assert_eq!(opened.carer.as_ref().unwrap().name, "Jan Jansen");

        // The team's moves, by the domain's route.
        let close = |o: &'static str| inbox.act(&id, Move::Close(Ending::Completed), Some(o));
        assert_eq!(
            close("hulp-geregeld").await.unwrap(),
            Err(MoveError::NotNow),
            "accept first"
        );
        assert_eq!(
            inbox.act(&id, Move::Accept, None).await.unwrap(),
            Ok(State::Accepted)
        );
        assert_eq!(
            inbox.act(&id, Move::Accept, None).await.unwrap(),
            Err(MoveError::NotNow),
            "once"
        );
        assert_eq!(
            close("bestaat-niet").await.unwrap(),
            Err(MoveError::NotNow),
            "a known outcome"
        );
        assert_eq!(
            inbox.act(&id, Move::Start, None).await.unwrap(),
            Ok(State::InProgress)
        );
        assert_eq!(close("hulp-geregeld").await.unwrap(), Ok(State::Completed));

        // The referrer sees the loop closed: state and outcome, not the details again.
        let mine = desk.mine(10).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(
            (mine[0].state, mine[0].outcome.as_deref()),
            (State::Completed, Some("hulp-geregeld"))
        );
        assert!(mine[0].carer.is_none());

        // The log: every step, the carer by pseudonym, never by name.
        let all = app.store.entries_after(0, 10_000).await.unwrap();
        let about: Vec<_> = all
            .iter()
            .filter(|e| e.entry.record_kind == "referral")
            .collect();
        let actions: Vec<&str> = about.iter().map(|e| e.entry.action.as_str()).collect();
        assert!(
            actions.starts_with(&["view", "create", "view", "view"]),
            "{backend:?}: {actions:?}"
        );
        assert_eq!(
            actions.iter().filter(|a| **a == "change").count(),
            3,
            "{actions:?}"
        );
        assert!(
            about
                .iter()
                .filter(|e| e.entry.record_id.as_deref() == Some(id.as_str()))
                .all(|e| e.entry.person.as_deref() == Some(sent.referral.person.as_str()))
        );
        for e in &all {
            let text = format!("{:?}", e.entry);
            assert!(
                !text.contains("Jan Jansen") && !text.contains("0591"),
                "{text}"
            );
        }
    }
}

/// The verwijzer's form over HTTP: bad input comes back with a Dutch message and nothing is
/// stored; a good one gives the receipt; the same form sent twice makes one referral.
#[tokio::test]
async fn the_referral_form_refuses_what_it_must_and_sends_once() {
    use crate::sign_in::sign_in_demo;
    use crate::support::csrf;
    use axum::http::StatusCode;
    let app = TestApp::init().with_demo().build().await;
    let b = app.browser();
    sign_in_demo(&b, "poh").await;
    let page = b.get("/werk/verwijzen").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let token = csrf(&page.body);
    let key = page
        .body
        .split("name=\"key\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let steunpunt = team(&app, "Steunpunt Mantelzorg De Kapstok")
        .await
        .to_string();
    let form = |note: &str, consent: bool| {
        let mut f = vec![
            ("csrf", token.clone()),
            ("key", key.clone()),
            ("team", steunpunt.clone()),
            ("reason", "respijt".to_string()),
            ("name", "Jan Jansen".to_string()),
            ("phone", "0591 000 111".to_string()),
            ("postcode", "7811".to_string()),
            ("method", "mondeling".to_string()),
            ("note", note.to_string()),
        ];
        if consent {
            f.push(("consent", "1".to_string()));
        }
        f
    };
    let send = |f: Vec<(&'static str, String)>| {
        let b = &b;
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            b.post("/werk/verwijzen", &pairs).await
        }
    };
    let r = send(form("BSN 111222333", true)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("Er staat een BSN in") && r.body.contains("Jan Jansen"),
        "the form is kept: {}",
        r.body
    );
    let r = send(form("", false)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Zonder toestemming"), "{}", r.body);
    // No team chosen: the teams' data suggests one (from the postcode's area and the reason)
    // and nothing is sent yet; a team that takes no referrals cannot be chosen.
    let velden = team(&app, "Sociaal Wijkteam De Velden").await.to_string();
    let choose = |team: &str, reason: &str, postcode: &str| {
        let mut f = form("", true);
        for (k, v) in &mut f {
            match *k {
                "team" => *v = team.to_string(),
                "reason" => *v = reason.to_string(),
                "postcode" => *v = postcode.to_string(),
                _ => {}
            }
        }
        f
    };
    for (reason, postcode, expected, because) in [
        ("financieel", "7764", velden.as_str(), "werkt in De Velden"),
        ("financieel", "7811", "", "werkt in de hele gemeente"),
        ("respijt", "7764", steunpunt.as_str(), "werkt in De Velden"),
    ] {
        let r = send(choose("", reason, postcode)).await;
        assert_eq!(r.status, StatusCode::OK, "{reason} {postcode}: {}", r.body);
        assert!(
            r.body.contains("Voorgesteld:") && r.body.contains(because),
            "{reason} {postcode}: {}",
            r.body
        );
        if !expected.is_empty() {
            assert!(
                r.body
                    .contains(&format!("<option value=\"{expected}\" selected>")),
                "{reason} {postcode}: {}",
                r.body
            );
        }
    }
    let r = send(choose("", "jonge-mantelzorger", "7764")).await;
    assert_eq!(r.status, StatusCode::OK);
    let gp = team(&app, "Huisartsenpraktijk Emmermeer").await.to_string();
    assert!(
        !page.body.contains(&format!("value=\"{gp}\"")),
        "no GP practice to refer to"
    );
    let r = send(choose(&gp, "respijt", "7811")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        b.get("/werk/verwijzingen")
            .await
            .body
            .contains("nog niemand verwezen")
    );
    let r = send(form("Graag na 10 uur bellen.", true)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body
            .contains("De verwijzing is verstuurd naar Steunpunt Mantelzorg De Kapstok: K-20"),
        "{}",
        r.body
    );
    assert!(r.body.contains("Bewijs van toestemming"));
    let again = send(form("Graag na 10 uur bellen.", true)).await;
    assert!(again.body.contains("al verstuurd"), "{}", again.body);
    let mine = b.get("/werk/verwijzingen").await;
    assert_eq!(
        mine.body.matches("\">K-20").count(),
        1,
        "one referral: {}",
        mine.body
    );
    assert!(
        mine.body.contains("verstuurd") && !mine.body.contains("Jan Jansen"),
        "{}",
        mine.body
    );
}

/// The team's side over HTTP: the inbox lists the new referral first, the file shows the
/// carer's details and consent, a note with a BSN is refused and the text kept, the team
/// assigns, accepts and closes with an outcome (a stale step is refused), and the referrer then
/// sees each state and the outcome, without the note or the carer's name. Another team's member
/// gets nothing.
#[tokio::test]
async fn the_team_works_a_referral_and_the_referrer_sees_the_loop_closed() {
    use crate::sign_in::sign_in_demo;
    use crate::support::csrf;
    use axum::http::StatusCode;
    let app = TestApp::init().with_demo().build().await;
    let a = app.state.app();
    let steunpunt = team(&app, "Steunpunt Mantelzorg De Kapstok").await;
    let form = ReferralForm {
        team_id: steunpunt.to_string(),
        reason: "overbelasting".into(),
        carer: CarerDetails {
            name: "Jan Jansen".into(),
            phone: Some("0591 000 111".into()),
            postcode: Some("7811".into()),
            ..CarerDetails::default()
        },
        consent_given: true,
        consent_method: "mondeling".into(),
        ..ReferralForm::default()
    };
    let sent = a
        .referral_desk(&actor(&app, "poh").await)
        .unwrap()
        .refer(&form, Some("emmen-centrum-oost".into()))
        .await
        .unwrap()
        .unwrap();
    let id = sent.referral.id.clone();
    let inbox = format!("/werk/teams/{steunpunt}/verwijzingen");
    let file = format!("{inbox}/{id}");

    let carla = app.browser();
    sign_in_demo(&carla, "consulent").await;
    let list = carla.get(&inbox).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains(&format!("href=\"{file}\"")) && list.body.contains("1 verwijzingen"),
        "{}",
        list.body
    );
    assert!(!list.body.contains("Jan Jansen"), "the list shows no names");
    for (filter, count) in [
        ("?reden=overbelasting", 1),
        ("?reden=financieel", 0),
        ("?toegewezen=niemand", 1),
        ("?toegewezen=mij", 0),
        ("?status=completed", 0),
        ("?gebied=emmen-centrum-oost", 1),
    ] {
        let page = carla.get(&format!("{inbox}{filter}")).await;
        assert!(
            page.body.contains(&format!("{count} verwijzingen")),
            "{filter}: {}",
            page.body
        );
    }
    assert_eq!(
        carla.get(&format!("{inbox}?status=zomaar")).await.status,
        StatusCode::BAD_REQUEST
    );
    let page = carla.get(&file).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Jan Jansen") && page.body.contains("0591 000 111"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Petra Praktijkondersteuner"),
        "the referrer is named"
    );
    assert!(page.body.contains("de mantelzorger zelf") && page.body.contains("Mondeling"));
    let token = csrf(&page.body);

    // A note with a BSN: refused, the text kept; a good one is kept for the team.
    let r = carla
        .post(
            &format!("{file}/notitie"),
            &[("csrf", &token), ("tekst", "Zijn BSN is 111222333")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Er staat een BSN in") && r.body.contains("Zijn BSN is 111222333"));
    let r = carla
        .post(
            &format!("{file}/notitie"),
            &[
                ("csrf", &token),
                ("tekst", "Gebeld, voicemail ingesproken."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // Assign to oneself; someone outside the team cannot be chosen.
    let carla_id = app
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email.as_str() == "consulent@demo.kapstok.nl")
        .unwrap()
        .id
        .to_string();
    let wim_id = app
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email.as_str() == "wijkteam@demo.kapstok.nl")
        .unwrap()
        .id
        .to_string();
    let r = carla
        .post(
            &format!("{file}/toewijzen"),
            &[("csrf", &token), ("aan", &wim_id)],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = carla
        .post(
            &format!("{file}/toewijzen"),
            &[("csrf", &token), ("aan", &carla_id)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let mine = carla.get(&format!("{inbox}?toegewezen=mij")).await;
    assert!(mine.body.contains("1 verwijzingen"), "{}", mine.body);

    // Steps: closing before accepting is refused; accept, then close with an outcome.
    let step = |fields: Vec<(&'static str, &'static str)>| {
        let carla = &carla;
        let token = token.clone();
        let url = format!("{file}/stap");
        async move {
            let mut f = vec![("csrf", token.as_str())];
            f.extend(fields);
            carla.post(&url, &f).await
        }
    };
    let r = step(vec![("stap", "close"), ("uitkomst", "hulp-geregeld")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("Die stap kan nu niet"));
    let r = step(vec![("stap", "accept")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = step(vec![("stap", "close"), ("uitkomst", "verzonnen")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = step(vec![("stap", "forward")]).await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "forwarding has its own page"
    );
    let r = step(vec![("stap", "close"), ("uitkomst", "hulp-geregeld")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = carla.get(&file).await;
    assert!(
        page.body.contains("afgerond")
            && page.body.contains("Hulp geregeld")
            && page.body.contains("Gebeld, voicemail ingesproken.")
            && page.body.contains("geen stappen meer"),
        "{}",
        page.body
    );

    // Another team's member: not through their own team's address either.
    let wim = app.browser();
    sign_in_demo(&wim, "wijkteam").await;
    let velden = team(&app, "Sociaal Wijkteam De Velden").await;
    assert_eq!(
        wim.get(&format!("/werk/teams/{velden}/verwijzingen/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(wim.get(&file).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        wim.get(&format!("/werk/verwijzingen/{id}")).await.status,
        StatusCode::NOT_FOUND,
        "not the referrer"
    );

    // The referrer: each state and the outcome; not the note, not the name.
    let petra = app.browser();
    sign_in_demo(&petra, "poh").await;
    let list = petra.get("/werk/verwijzingen").await;
    assert!(
        list.body
            .contains(&format!("href=\"/werk/verwijzingen/{id}\""))
    );
    let follow = petra.get(&format!("/werk/verwijzingen/{id}")).await;
    assert_eq!(follow.status, StatusCode::OK);
    for shown in ["verstuurd", "aangenomen", "afgerond", "Hulp geregeld"] {
        assert!(follow.body.contains(shown), "{shown}: {}", follow.body);
    }
    for hidden in ["Jan Jansen", "0591", "voicemail", "Carla"] {
        assert!(!follow.body.contains(hidden), "{hidden}: {}", follow.body);
    }

    // The log: the file's views and each change, by whom, the carer by pseudonym (the
    // notification mails about it are entries of their own, about their addressee).
    let entries = app.store.entries_after(0, 10_000).await.unwrap();
    let on_it: Vec<(String, String)> = entries
        .iter()
        .filter(|e| {
            e.entry.record_id.as_deref() == Some(id.as_str()) && e.entry.record_kind == "referral"
        })
        .map(|e| {
            assert_eq!(
                e.entry.person.as_deref(),
                Some(sent.referral.person.as_str())
            );
            (
                e.entry.action.clone(),
                e.entry.user_id.clone().unwrap_or_default(),
            )
        })
        .collect();
    let changes_by_carla = on_it
        .iter()
        .filter(|(a, u)| a == "change" && *u == carla_id)
        .count();
    assert_eq!(
        changes_by_carla, 4,
        "note, assign, accept, close: {on_it:?}"
    );
    assert!(
        on_it
            .iter()
            .any(|(a, u)| a == "view" && *u != carla_id && !u.is_empty() && *u != wim_id),
        "the referrer's look: {on_it:?}"
    );
}

/// The code in a receipt page's `<dd class="secret"><code>…</code></dd>`.
fn receipt_code(body: &str) -> String {
    let start = body
        .find("class=\"secret\"><code>")
        .map(|i| i + "class=\"secret\"><code>".len())
        .unwrap_or_else(|| panic!("no receipt code in {body}"));
    body[start..start + 10].to_string()
}

/// Forwarding and withdrawal over HTTP, on both backends: a forward needs consent that covers
/// it or a new one (nothing changes without), makes one linked task for the next team however
/// often it is sent, and the referrer follows both; a consent that covers forwarding needs no
/// new one. The carer's code shows what was shared with whom and who looked, without their
/// name; withdrawing stops every open task, removes the details and the team's notes, and is
/// in the log; the team's access report lists everyone who looked, every team included.
#[tokio::test]
async fn a_referral_is_forwarded_with_consent_and_the_carer_withdraws() {
    use crate::sign_in::sign_in_demo;
    use crate::support::csrf;
    use axum::http::StatusCode;
    for backend in Backend::ALL {
        let web = kapstok_web::state::WebConfig {
            sign_in_attempts: 1_000,
            ..Default::default()
        };
        let app = TestApp::init()
            .with_backend(backend)
            .with_demo()
            .with_web_config(web)
            .build()
            .await;
        let a = app.state.app();
        let steunpunt = team(&app, "Steunpunt Mantelzorg De Kapstok").await;
        let velden = team(&app, "Sociaal Wijkteam De Velden").await;
        let desk = a.referral_desk(&actor(&app, "poh").await).unwrap();
        let form = |name: &str, forward: bool| ReferralForm {
            team_id: steunpunt.to_string(),
            reason: "praktische-hulp".into(),
            carer: CarerDetails {
                name: name.into(),
                phone: Some("0591 000 222".into()),
                postcode: Some("7812".into()),
                ..CarerDetails::default()
            },
            consent_given: true,
            consent_method: "mondeling".into(),
            consent_forward: forward,
            ..ReferralForm::default()
        };
        let first = desk
            .refer(&form("Els Evers", false), None)
            .await
            .unwrap()
            .unwrap();
        let id = first.referral.id.clone();
        let file = format!("/werk/teams/{steunpunt}/verwijzingen/{id}");

        let carla = app.browser();
        sign_in_demo(&carla, "consulent").await;
        let page = carla.get(&format!("{file}/doorsturen")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body.contains("geldt alleen voor uw team"),
            "{}",
            page.body
        );
        let token = csrf(&page.body);
        let key = "fwd-key-1";
        let post = |fields: Vec<(&'static str, String)>| {
            let carla = &carla;
            let url = format!("{file}/doorsturen");
            let token = token.clone();
            async move {
                let mut f: Vec<(&str, String)> = vec![("csrf", token), ("key", key.into())];
                f.extend(fields);
                let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
                carla.post(&url, &f).await
            }
        };
        let to_velden = ("naar", velden.to_string());
        let why = (
            "waarom",
            "Woont in De Velden; het wijkteam helpt thuis.".to_string(),
        );
        // Not covered, no new consent: refused, nothing changed.
        let r = post(vec![to_velden.clone(), why.clone()]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("dekt doorsturen niet"), "{}", r.body);
        assert!(r.body.contains("Woont in De Velden"), "the reason is kept");
        let r = post(vec![
            to_velden.clone(),
            ("waarom", "BSN 111222333".into()),
            ("toestemming", "1".into()),
            ("method", "mondeling".into()),
        ])
        .await;
        assert!(r.body.contains("Er staat een BSN in"), "{}", r.body);
        let r = post(vec![("naar", steunpunt.to_string()), why.clone()]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "not to one's own team");
        assert_eq!(
            a.team_inbox(&actor(&app, "wijkteam").await, &velden)
                .unwrap()
                .list(&InboxFilter::default(), 0, 10)
                .await
                .unwrap()
                .into_value()
                .1,
            0
        );
        assert_eq!(
            app.store.referral(&id).await.unwrap().unwrap().state,
            State::Requested
        );
        // With a new consent: forwarded, with a code for the carer; twice is once.
        let consented = vec![
            to_velden.clone(),
            why.clone(),
            ("toestemming", "1".into()),
            ("method", "mondeling".into()),
        ];
        let r = post(consented.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            r.body
                .contains("doorgestuurd naar Sociaal Wijkteam De Velden")
        );
        let second_code = receipt_code(&r.body);
        let again = post(consented).await;
        assert!(again.body.contains("al doorgestuurd"), "{}", again.body);
        let old = app.store.referral(&id).await.unwrap().unwrap();
        assert_eq!(old.state, State::Completed);
        assert_eq!(
            old.outcome.as_deref(),
            Some(kapstok_domain::referral::FORWARDED)
        );
        let (list, n) = a
            .team_inbox(&actor(&app, "wijkteam").await, &velden)
            .unwrap()
            .list(&InboxFilter::default(), 0, 10)
            .await
            .unwrap()
            .into_value();
        assert_eq!(n, 1, "one task for the next team");
        let next = &list[0];
        assert_eq!(next.part_of.as_deref(), Some(id.as_str()));
        assert_eq!(next.person, old.person);
        assert_eq!(next.state, State::Requested);
        let next_file = format!("/werk/teams/{velden}/verwijzingen/{}", next.id);

        // The next team sees the details and why; accepts and closes.
        let wim = app.browser();
        sign_in_demo(&wim, "wijkteam").await;
        let page = wim.get(&next_file).await;
        assert!(
            page.body.contains("Els Evers") && page.body.contains("Woont in De Velden"),
            "{}",
            page.body
        );
        let t = csrf(&page.body);
        for step in [
            vec![("stap", "accept")],
            vec![("stap", "close"), ("uitkomst", "hulp-geregeld")],
        ] {
            let mut f = vec![("csrf", t.as_str())];
            f.extend(step);
            assert_eq!(
                wim.post(&format!("{next_file}/stap"), &f).await.status,
                StatusCode::SEE_OTHER
            );
        }
        // The referrer follows both tasks: forwarded, then help arranged.
        let petra = app.browser();
        sign_in_demo(&petra, "poh").await;
        let mine = petra.get("/werk/verwijzingen").await;
        assert!(
            mine.body.contains(&old.reference) && mine.body.contains(&next.reference),
            "{}",
            mine.body
        );
        let follow = petra.get(&format!("/werk/verwijzingen/{id}")).await;
        assert!(
            follow.body.contains("doorverwezen")
                && follow.body.contains(&format!(
                    "Doorgestuurd naar Sociaal Wijkteam De Velden: <a href=\"/werk/verwijzingen/{}\">{}</a>",
                    next.id, next.reference
                )),
            "{}",
            follow.body
        );
        let follow = petra.get(&format!("/werk/verwijzingen/{}", next.id)).await;
        assert!(follow.body.contains("Hulp geregeld"), "{}", follow.body);
        assert!(
            !follow.body.contains("Woont in De Velden"),
            "not the team's notes"
        );

        // The access report, for the carer: every team's looks.
        let report = wim.get(&format!("{next_file}/inzage")).await;
        assert_eq!(report.status, StatusCode::OK);
        for who in [
            "Carla",
            "Petra Praktijkondersteuner",
            "Wim",
            &old.reference,
            &next.reference,
        ] {
            assert!(report.body.contains(who), "{who}: {}", report.body);
        }

        // A consent that covers forwarding: no new consent needed, no new code.
        let covered = desk
            .refer(&form("Kees Kok", true), None)
            .await
            .unwrap()
            .unwrap();
        let covered_file = format!(
            "/werk/teams/{steunpunt}/verwijzingen/{}",
            covered.referral.id
        );
        let page = carla.get(&format!("{covered_file}/doorsturen")).await;
        assert!(
            page.body.contains("toestemming om door te sturen op"),
            "{}",
            page.body
        );
        let r = carla
            .post(
                &format!("{covered_file}/doorsturen"),
                &[
                    ("csrf", &csrf(&page.body)),
                    ("naar", velden.as_str()),
                    ("waarom", "Past beter bij het wijkteam."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(!r.body.contains("class=\"secret\""), "no new receipt");

        // The carer, with the first code: both tasks, both teams, no name; who looked.
        let visitor = app.browser();
        let bad = visitor.post("/toestemming", &[("code", "geen code")]).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(
            bad.body.contains("geen code van een bewijs"),
            "{}",
            bad.body
        );
        let typed = first.receipt_code.to_uppercase();
        let r = visitor.post("/toestemming", &[("code", &typed)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let receipt = format!("/toestemming/{}", first.receipt_code);
        assert_eq!(
            r.headers.get("location").unwrap().to_str().unwrap(),
            receipt
        );
        assert_eq!(
            visitor.get("/toestemming/0123456789").await.status,
            StatusCode::NOT_FOUND
        );
        let page = visitor.get(&receipt).await;
        assert_eq!(page.status, StatusCode::OK);
        for shown in [
            old.reference.as_str(),
            next.reference.as_str(),
            "Steunpunt Mantelzorg De Kapstok",
            "Sociaal Wijkteam De Velden",
            "Carla",
        ] {
            assert!(page.body.contains(shown), "{shown}: {}", page.body);
        }
        assert!(!page.body.contains("Els Evers") && !page.body.contains("0591"));
        assert_eq!(
            visitor
                .get(&format!("/toestemming/{second_code}"))
                .await
                .status,
            StatusCode::OK,
            "the forward's code shows the same referral"
        );

        // Withdrawal of the covered one while it is open at De Velden.
        let kees = format!("/toestemming/{}", covered.receipt_code);
        let r = visitor.post(&format!("{kees}/intrekken"), &[]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("Vink aan"), "{}", r.body);
        let tasks = app.store.tasks_of(&covered.referral.person).await.unwrap();
        assert!(tasks.iter().all(|t| t.carer.is_some()), "nothing changed");
        let r = visitor
            .post(&format!("{kees}/intrekken"), &[("zeker", "1")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = visitor.get(&format!("{kees}?klaar=ingetrokken")).await;
        assert!(
            page.body.contains("Uw toestemming is ingetrokken"),
            "{}",
            page.body
        );
        assert!(
            !page.body.contains("id=\"zeker\""),
            "nothing left to withdraw"
        );
        let tasks = app.store.tasks_of(&covered.referral.person).await.unwrap();
        assert_eq!(tasks.len(), 2);
        assert_eq!(tasks[0].state, State::Completed, "the forwarded task stays");
        assert_eq!(tasks[1].state, State::Cancelled, "the open one stops");
        assert!(tasks.iter().all(|t| t.carer.is_none()), "details removed");
        for t in &tasks {
            assert!(app.store.referral_notes(&t.id).await.unwrap().is_empty());
            for c in app.store.consents(&t.id).await.unwrap() {
                assert!(c.withdrawn_at.is_some());
            }
        }
        let page = wim
            .get(&format!(
                "/werk/teams/{velden}/verwijzingen/{}",
                tasks[1].id
            ))
            .await;
        assert!(
            page.body.contains("ingetrokken")
                && page.body.contains("persoonsgegevens zijn verwijderd")
                && !page.body.contains("Kees Kok"),
            "{}",
            page.body
        );
        // In the log: the carer's looks and the withdrawal, by role, on each task.
        let entries = app.store.entries_after(0, 100_000).await.unwrap();
        let by_carer: Vec<_> = entries
            .iter()
            .filter(|e| {
                e.entry.person.as_deref() == Some(covered.referral.person.as_str())
                    && e.entry.user_role.as_deref() == Some("mantelzorger")
            })
            .map(|e| e.entry.action.as_str())
            .collect();
        assert_eq!(
            by_carer.iter().filter(|a| **a == "change").count(),
            2,
            "{by_carer:?}"
        );
        assert!(by_carer.contains(&"view"));
    }
}

/// The service level and the notifications: a referral not acknowledged within two working
/// days (the clock moved by hand, the term computed by the domain's rules) is flagged and
/// listed as overdue until the team takes it on; each step mails the team's members or the
/// referrer through a real SMTP server with the reference and a sign-in link, and nothing about
/// the carer.
#[tokio::test]
async fn an_unanswered_referral_becomes_overdue_and_mail_names_no_one() {
    use crate::sign_in::sign_in_demo;
    use crate::support::csrf;
    use axum::http::StatusCode;
    use kapstok_domain::calendar::{SignedDuration, Timestamp, parse_stored};
    let smtp = crate::support::smtp::Smtp::start();
    let clock = kapstok_app::Clock::fixed(Timestamp::now());
    let app = TestApp::init()
        .with_demo()
        .with_mail(smtp.config())
        .with_clock(clock.clone())
        .build()
        .await;
    let a = app.state.app();
    let steunpunt = team(&app, "Steunpunt Mantelzorg De Kapstok").await;
    let form = ReferralForm {
        team_id: steunpunt.to_string(),
        reason: "overbelasting".into(),
        carer: CarerDetails {
            name: "Jan Jansen".into(),
            phone: Some("0591 000 111".into()),
            email: Some("jan.jansen@example.org".into()),
            postcode: Some("7811".into()),
            note: Some("Graag na tien uur bellen.".into()),
            ..CarerDetails::default()
        },
        consent_given: true,
        consent_method: "mondeling".into(),
        ..ReferralForm::default()
    };
    let sent = a
        .referral_desk(&actor(&app, "poh").await)
        .unwrap()
        .refer(&form, None)
        .await
        .unwrap()
        .unwrap();
    let r = &sent.referral;
    let inbox = format!("/werk/teams/{steunpunt}/verwijzingen");
    let file = format!("{inbox}/{}", r.id);
    let due = kapstok_domain::service_level::WorkingDays::default()
        .due(parse_stored(r.sent_at.as_deref().unwrap()).unwrap(), 2);

    let carla = app.browser();
    sign_in_demo(&carla, "consulent").await;
    clock.set(due - SignedDuration::from_secs(1));
    let list = carla.get(&format!("{inbox}?status=te-laat")).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("0 verwijzingen"), "{}", list.body);
    let page = carla.get(&file).await;
    assert!(
        page.body.contains("Reageren uiterlijk") && !page.body.contains("termijn is verstreken"),
        "{}",
        page.body
    );
    clock.set(due);
    let list = carla.get(&format!("{inbox}?status=te-laat")).await;
    assert!(
        list.body.contains("1 verwijzingen")
            && list.body.contains(&r.reference)
            && list.body.contains("te laat</strong>"),
        "{}",
        list.body
    );
    let open = carla.get(&inbox).await;
    assert!(
        open.body.contains("1 niet binnen de termijn aangenomen"),
        "{}",
        open.body
    );
    let page = carla.get(&file).await;
    assert!(page.body.contains("termijn is verstreken"), "{}", page.body);
    let r2 = carla
        .post(
            &format!("{file}/stap"),
            &[("csrf", &csrf(&page.body)), ("stap", "accept")],
        )
        .await;
    assert_eq!(r2.status, StatusCode::SEE_OTHER);
    let list = carla.get(&format!("{inbox}?status=te-laat")).await;
    assert!(
        list.body.contains("0 verwijzingen"),
        "acknowledged: {}",
        list.body
    );

    // The mail: one to each of the team's teamlid members, then one to the referrer.
    let members: Vec<String> = app
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .filter(|u| {
            u.active
                && u.memberships.iter().any(|m| {
                    m.team == steunpunt && m.role == kapstok_domain::account::Role::Teamlid
                })
        })
        .map(|u| u.email.as_str().to_string())
        .collect();
    assert!(members.contains(&"consulent@demo.kapstok.nl".to_string()));
    // And the consent receipt to the carer's own address (their code, for their page).
    let mails = smtp.wait_for(members.len() + 2).await;
    assert_eq!(mails.len(), members.len() + 2, "{mails:?}");
    let (to_carer, to_colleagues): (Vec<&String>, Vec<&String>) = mails
        .iter()
        .partition(|m| m.contains("To: jan.jansen@example.org"));
    let receipt = to_carer[0].replace("=\r\n", "").replace("=\n", "");
    assert!(
        receipt.contains(&format!(
            "http://kapstok.test/toestemming/{}",
            sent.receipt_code
        )),
        "{receipt}"
    );
    for raw in to_colleagues {
        assert!(
            !raw.contains("Content-Transfer-Encoding: base64"),
            "readable for the check: {raw}"
        );
        let text = raw.replace("=\r\n", "").replace("=\n", "");
        assert!(text.contains(&r.reference), "{text}");
        // Without the links: their random ids may hold any digits.
        let words: String = text
            .split_whitespace()
            .filter(|w| !w.starts_with("http"))
            .collect::<Vec<_>>()
            .join(" ");
        for personal in ["Jan", "Jansen", "0591", "7811", "tien uur", "jan.jansen"] {
            assert!(!words.contains(personal), "{personal} in {text}");
        }
    }
    let to = |who: &str| {
        mails
            .iter()
            .find(|m| m.contains(&format!("To: {who}")))
            .unwrap_or_else(|| panic!("no mail to {who}: {mails:?}"))
            .replace("=\r\n", "")
            .replace("=\n", "")
    };
    assert!(to("consulent@demo.kapstok.nl").contains(&format!("http://kapstok.test{file}")));
    assert!(
        to("poh@demo.kapstok.nl")
            .contains(&format!("http://kapstok.test/werk/verwijzingen/{}", r.id))
    );
}

/// "Neem contact met mij op" over HTTP: from a service's page and from a self-check's result;
/// without consent, with the honeypot filled or a BSN in the message nothing is stored and the
/// form says why; a good request lands once in the steunpunt's inbox as source `zelf` with the
/// band (not the answers), the carer gets the receipt's code on the page and by mail, the team
/// a mail without personal data; the per-address budget holds.
#[tokio::test]
async fn a_carer_asks_for_contact_themselves() {
    use axum::http::StatusCode;
    let web = kapstok_web::state::WebConfig {
        contact_requests: 4,
        ..Default::default()
    };
    let app = TestApp::init()
        .with_demo()
        .with_web_config(web)
        .build()
        .await;
    let steunpunt = team(&app, "Steunpunt Mantelzorg De Kapstok").await;
    let count = || {
        let app = &app;
        let steunpunt = steunpunt.clone();
        async move {
            app.store
                .team_referrals(&steunpunt, &InboxFilter::default(), 0, 10)
                .await
                .unwrap()
        }
    };
    let service =
        crate::support::demo_service_id("Steunpunt Mantelzorg De Kapstok", "mantelzorgconsulent");
    let visitor = app.browser();
    let page = visitor.get(&format!("/aanbod/{service}")).await;
    assert!(
        page.body
            .contains(&format!("href=\"/neem-contact-op?aanbod={service}\"")),
        "{}",
        page.body
    );
    let form = visitor
        .get(&format!("/neem-contact-op?aanbod={service}"))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("Doel: het Steunpunt Mantelzorg"),
        "{}",
        form.body
    );
    let fields = |extra: &[(&'static str, &'static str)]| {
        let mut f = vec![
            ("key", "contact-key-1"),
            ("aanbod", service.as_str()),
            ("name", "Ria Rijks"),
            ("email", "ria@example.org"),
            ("postcode", "7764 AB"),
            ("message", "Ik zorg voor mijn moeder en ben moe."),
        ];
        f.extend_from_slice(extra);
        f
    };
    let r = visitor.post("/neem-contact-op", &fields(&[])).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("er is nu niets opgeslagen") && r.body.contains("Ria Rijks"),
        "{}",
        r.body
    );
    let r = visitor
        .post(
            "/neem-contact-op",
            &fields(&[("consent", "1"), ("website", "http://spam.example")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Laat dit veld leeg"), "{}", r.body);
    let mut bsn = fields(&[("consent", "1")]);
    bsn[5] = ("message", "Mijn BSN is 111222333");
    let r = visitor.post("/neem-contact-op", &bsn).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("BSN in uw bericht"), "{}", r.body);
    assert_eq!(count().await.1, 0, "nothing stored");

    let r = visitor
        .post("/neem-contact-op", &fields(&[("consent", "1")]))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body
            .contains("Steunpunt Mantelzorg De Kapstok neemt contact met u op"),
        "{}",
        r.body
    );
    let code = receipt_code(&r.body);
    let again = visitor
        .post("/neem-contact-op", &fields(&[("consent", "1")]))
        .await;
    assert!(again.body.contains("al verstuurd"), "{}", again.body);
    let (list, n) = count().await;
    assert_eq!(n, 1, "one request");
    let asked = &list[0];
    assert_eq!(asked.source, kapstok_domain::referral::Source::Zelf);
    assert_eq!(asked.referrer_id, None);
    assert_eq!(asked.area_code.as_deref(), Some("de-velden"));
    assert_eq!(asked.reason, "informatie-advies");
    let carer = asked.carer.as_ref().unwrap();
    assert!(
        carer.note.as_deref().unwrap().starts_with("Via ")
            && carer.note.as_deref().unwrap().ends_with("ben moe."),
        "{carer:?}"
    );
    let consents = app.store.consents(&asked.id).await.unwrap();
    assert_eq!(
        consents[0].method,
        kapstok_domain::referral::ConsentMethod::Digitaal
    );
    assert_eq!(consents[0].recorded_by, None);
    // The receipt's code works on the carer's page; it went by mail to the carer, the team got
    // a mail with the reference only.
    assert_eq!(
        visitor.get(&format!("/toestemming/{code}")).await.status,
        StatusCode::OK
    );
    let outbox = app.store.outbox(50).await.unwrap();
    let to_carer = outbox.iter().find(|m| m.to == "ria@example.org").unwrap();
    assert!(to_carer.body.contains(&code) && to_carer.body.contains(&asked.reference));
    let to_team: Vec<_> = outbox
        .iter()
        .filter(|m| m.to.ends_with("@demo.kapstok.nl"))
        .collect();
    assert!(!to_team.is_empty());
    for m in to_team {
        assert!(
            m.body.contains(&asked.reference) && !m.body.contains("Ria"),
            "{m:?}"
        );
    }
    // Withdrawing removes the kept copy of the receipt mail too: it names her address.
    let r = visitor
        .post(&format!("/toestemming/{code}/intrekken"), &[("zeker", "1")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let outbox = app.store.outbox(50).await.unwrap();
    assert!(
        !outbox.iter().any(|m| m.to == "ria@example.org"),
        "{outbox:?}"
    );

    // From a self-check's result: the band goes along, not the answers.
    let begin = visitor
        .post(
            "/neem-contact-op",
            &[
                ("begin", "1"),
                ("test", "indicatief"),
                ("uitslag", "overbelast"),
            ],
        )
        .await;
    assert_eq!(begin.status, StatusCode::OK);
    assert!(
        begin.body.contains("name=\"uitslag\" value=\"overbelast\""),
        "{}",
        begin.body
    );
    let r = visitor
        .post(
            "/neem-contact-op",
            &[
                ("key", "contact-key-2"),
                ("test", "indicatief"),
                ("uitslag", "overbelast"),
                ("name", "Bram Bos"),
                ("phone", "0591 222 333"),
                ("postcode", "7811"),
                ("consent", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (list, _) = count().await;
    let bram = list
        .iter()
        .find(|r| r.carer.as_ref().is_some_and(|c| c.name == "Bram Bos"))
        .unwrap();
    assert!(
        bram.carer
            .as_ref()
            .unwrap()
            .self_check_band
            .as_deref()
            .is_some_and(|b| b.starts_with("Mantelzorgtest")),
        "{bram:?}"
    );
    // The budget: four requests from this address (the refused BSN and the repeat count), the
    // fifth waits.
    let r = visitor
        .post(
            "/neem-contact-op",
            &[
                ("key", "contact-key-3"),
                ("name", "Derde"),
                ("phone", "0591 222 444"),
                ("postcode", "7811"),
                ("consent", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(r.body.contains("over tien minuten"), "{}", r.body);
}

/// The demo's referrals, on both backends: the steunpunt's inbox shows new, overdue, worked and
/// closed ones, a forward reached the district team, the practice nurse follows hers, and a
/// demo carer's receipt code opens their page.
#[tokio::test]
async fn the_demo_fills_the_inboxes() {
    use crate::sign_in::sign_in_demo;
    use axum::http::StatusCode;
    for backend in Backend::ALL {
        let app = TestApp::init()
            .with_backend(backend)
            .with_demo_referrals()
            .build()
            .await;
        let steunpunt = team(&app, "Steunpunt Mantelzorg De Kapstok").await;
        let velden = team(&app, "Sociaal Wijkteam De Velden").await;
        let all = |t: TeamId| {
            let app = &app;
            async move {
                app.store
                    .team_referrals(&t, &InboxFilter::default(), 0, 100)
                    .await
                    .unwrap()
                    .0
            }
        };
        let states: Vec<State> = all(steunpunt.clone())
            .await
            .iter()
            .map(|r| r.state)
            .collect();
        for s in [
            State::Requested,
            State::InProgress,
            State::Completed,
            State::Failed,
        ] {
            assert!(states.contains(&s), "{backend:?}: {s:?} in {states:?}");
        }
        let forwarded = all(velden.clone()).await;
        assert!(
            forwarded.iter().any(|r| r.part_of.is_some()
                && r.state == State::InProgress
                && r.assigned_to.is_some()),
            "{backend:?}: {forwarded:?}"
        );
        let carla = app.browser();
        sign_in_demo(&carla, "consulent").await;
        let inbox = carla
            .get(&format!("/werk/teams/{steunpunt}/verwijzingen"))
            .await;
        assert!(
            inbox.body.contains("niet binnen de termijn aangenomen"),
            "{}",
            inbox.body
        );
        let petra = app.browser();
        sign_in_demo(&petra, "poh").await;
        let mine = petra.get("/werk/verwijzingen").await;
        assert!(mine.body.matches("\">K-20").count() >= 6, "{}", mine.body);
        let page = app.browser().get("/toestemming/de00000001").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Steunpunt Mantelzorg De Kapstok"));
        // Loading again adds nothing.
        assert_eq!(
            kapstok::demo_referrals::load(app.store.clone())
                .await
                .unwrap(),
            0
        );
    }
}

/// "Verwijs hiernaartoe" from a service's page chooses that organisation's team; from a
/// self-check gone through with the carer the band goes along (never the answers) and is
/// stored; an organisation without a team that takes referrals is named as such.
#[tokio::test]
async fn a_referral_starts_from_a_service_or_a_self_check() {
    use crate::sign_in::sign_in_demo;
    use crate::support::csrf;
    use axum::http::StatusCode;
    let app = TestApp::init().with_demo().build().await;
    let steunpunt = team(&app, "Steunpunt Mantelzorg De Kapstok").await;
    let service =
        crate::support::demo_service_id("Steunpunt Mantelzorg De Kapstok", "mantelzorgconsulent");
    let public = app.browser().get(&format!("/aanbod/{service}")).await;
    assert!(
        public
            .body
            .contains(&format!("href=\"/werk/verwijzen?aanbod={service}\""))
    );
    let petra = app.browser();
    sign_in_demo(&petra, "poh").await;
    let page = petra
        .get(&format!("/werk/verwijzen?aanbod={service}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(&format!("<option value=\"{steunpunt}\" selected>")),
        "{}",
        page.body
    );
    let page = petra
        .get("/werk/verwijzen?test=indicatief&uitslag=overbelast")
        .await;
    assert!(
        page.body.contains("Met de uitslag van de mantelzorgtest:"),
        "{}",
        page.body
    );
    assert!(page.body.contains("name=\"uitslag\" value=\"overbelast\""));
    let r = petra
        .post(
            "/werk/verwijzen",
            &[
                ("csrf", &csrf(&page.body)),
                ("test", "indicatief"),
                ("uitslag", "overbelast"),
                ("team", steunpunt.as_str()),
                ("reason", "overbelasting"),
                ("name", "Lies Laan"),
                ("phone", "0591 000 555"),
                ("consent", "1"),
                ("method", "mondeling"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (list, _) = app
        .store
        .team_referrals(&steunpunt, &InboxFilter::default(), 0, 10)
        .await
        .unwrap();
    let band = list[0].carer.as_ref().unwrap().self_check_band.clone();
    assert!(
        band.as_deref()
            .is_some_and(|b| b.starts_with("Mantelzorgtest") && !b.contains("overbelast\"")),
        "{band:?}"
    );
    // A made-up band is not taken along.
    let page = petra
        .get("/werk/verwijzen?test=indicatief&uitslag=verzonnen")
        .await;
    assert!(!page.body.contains("name=\"uitslag\""));
}
