//! The storage conformance suite for accounts, sessions, mail and the access log: one story
//! through the traits, run on every backend; and what the database itself guarantees about the
//! access log (no changes, no early deletes, fail closed), tried behind the app's back.

use crate::support::{Backend, TestApp};
use kapstok_domain::account::{Email, Membership, Role, Team};
use kapstok_domain::audit::{Action, ChainCheck, NewEntry, RecordKind};
use kapstok_domain::ids::{TeamId, UserId};
use kapstok_store::{LinkPurpose, LogFilter, NewUser, Store};
use std::sync::Arc;

fn entry(n: u32, action: Action) -> NewEntry {
    let mut e = NewEntry::new(
        format!("2026-12-02T10:00:{n:02}.000Z"),
        action,
        RecordKind::Account,
        true,
    );
    e.user_id = Some("u-beheer".into());
    e.origin = Some("127.0.0.1".into());
    e
}

fn team(id: &str, name: &str) -> Team {
    Team {
        id: TeamId::new(id),
        name: name.into(),
        organization_id: Some("org-steunpunt".into()),
        whole_map: id == "steunpunt",
        areas: vec!["de-blokken".into(), "emmen-centrum".into()],
        reasons: vec!["overbelasting".into()],
    }
}

async fn story(store: Arc<dyn Store>, b: Backend) {
    // Teams.
    assert!(
        store
            .create_team(
                &team("steunpunt", "Steunpunt Mantelzorg Emmen"),
                &entry(1, Action::Create)
            )
            .await
            .unwrap()
    );
    assert!(
        store
            .create_team(
                &team("wijk", "Sociaal wijkteam De Velden"),
                &entry(2, Action::Create)
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .create_team(
                &team("ander", "Steunpunt Mantelzorg Emmen"),
                &entry(3, Action::Create)
            )
            .await
            .unwrap(),
        "{b:?}: a name once"
    );
    let teams = store.teams().await.unwrap();
    assert_eq!(teams.len(), 2, "{b:?}");
    assert_eq!(
        teams[0],
        team("wijk", "Sociaal wijkteam De Velden"),
        "{b:?}: by name, areas sorted"
    );
    assert!(teams[1].whole_map);

    // Users.
    let anna = NewUser {
        id: UserId::new("u-anna"),
        email: Email::parse("Anna@Emmen.nl").unwrap(),
        name: "Anna de Vries".into(),
        memberships: vec![
            Membership {
                team: TeamId::new("steunpunt"),
                role: Role::Teamlid,
            },
            Membership {
                team: TeamId::new("steunpunt"),
                role: Role::Coordinator,
            },
        ],
        password_hash: Some("$argon2id$fake".into()),
    };
    assert!(
        store
            .create_user(&anna, &entry(4, Action::Create))
            .await
            .unwrap()
    );
    let same_email = NewUser {
        id: UserId::new("u-other"),
        ..anna.clone()
    };
    assert!(
        !store
            .create_user(&same_email, &entry(5, Action::Create))
            .await
            .unwrap(),
        "{b:?}: an address once"
    );
    let bram = NewUser {
        id: UserId::new("u-bram"),
        email: Email::parse("bram@wijkteam.nl").unwrap(),
        name: "Bram Bakker".into(),
        memberships: vec![Membership {
            team: TeamId::new("wijk"),
            role: Role::Verwijzer,
        }],
        password_hash: None,
    };
    assert!(
        store
            .create_user(&bram, &entry(6, Action::Create))
            .await
            .unwrap()
    );
    let users = store.users().await.unwrap();
    assert_eq!(
        users.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(),
        ["Anna de Vries", "Bram Bakker"],
        "{b:?}"
    );
    let a = store.user("u-anna").await.unwrap().unwrap();
    assert_eq!(a.email.as_str(), "anna@emmen.nl");
    assert_eq!(a.memberships.len(), 2);
    assert!(a.has_password && !a.has_totp && a.active);
    assert!(!users[1].has_password);
    assert_eq!(store.user("u-nobody").await.unwrap(), None);

    // Credentials, failures and the pause.
    let c = store
        .credentials(&Email::parse("ANNA@emmen.nl").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.password_hash.as_deref(), Some("$argon2id$fake"));
    assert_eq!((c.failed_sign_ins, c.paused_until), (0, 0));
    store
        .sign_in_failed("u-anna", 2, 4_000_000_000, &entry(7, Action::SignIn))
        .await
        .unwrap();
    store
        .sign_in_failed("u-anna", 2, 4_000_000_000, &entry(8, Action::SignIn))
        .await
        .unwrap();
    let c = store.credentials_by_id("u-anna").await.unwrap().unwrap();
    assert_eq!(
        (c.failed_sign_ins, c.paused_until),
        (2, 4_000_000_000),
        "{b:?}"
    );

    // Second factor: a time step counts once; recovery codes once each.
    store
        .set_totp(
            "u-anna",
            "JBSWY3DPEHPK3PXP",
            100,
            &["h1".into(), "h2".into()],
            &entry(9, Action::Change),
        )
        .await
        .unwrap();
    assert!(store.user("u-anna").await.unwrap().unwrap().has_totp);
    assert!(
        !store
            .sign_in_succeeded("u-anna", Some(100), &entry(10, Action::SignIn))
            .await
            .unwrap(),
        "{b:?}: step 100 was taken"
    );
    assert!(
        store
            .sign_in_succeeded("u-anna", Some(101), &entry(11, Action::SignIn))
            .await
            .unwrap()
    );
    assert!(
        !store
            .sign_in_succeeded("u-anna", Some(101), &entry(12, Action::SignIn))
            .await
            .unwrap(),
        "{b:?}: a replay"
    );
    let c = store.credentials_by_id("u-anna").await.unwrap().unwrap();
    assert_eq!(
        (c.failed_sign_ins, c.paused_until, c.totp_last_step),
        (0, 0, 101),
        "{b:?}"
    );
    assert_eq!(store.unused_recovery_codes("u-anna").await.unwrap(), 2);
    assert!(
        store
            .use_recovery_code("u-anna", "h1", &entry(13, Action::SignIn))
            .await
            .unwrap()
    );
    assert!(
        !store
            .use_recovery_code("u-anna", "h1", &entry(14, Action::SignIn))
            .await
            .unwrap(),
        "{b:?}: used"
    );
    assert!(
        !store
            .use_recovery_code("u-bram", "h2", &entry(15, Action::SignIn))
            .await
            .unwrap(),
        "{b:?}: not Bram's"
    );
    assert_eq!(store.unused_recovery_codes("u-anna").await.unwrap(), 1);
    store
        .set_password("u-bram", "$argon2id$bram", &entry(16, Action::Change))
        .await
        .unwrap();
    assert!(store.user("u-bram").await.unwrap().unwrap().has_password);

    // Memberships are replaced as a whole.
    let both = [
        Membership {
            team: TeamId::new("wijk"),
            role: Role::Verwijzer,
        },
        Membership {
            team: TeamId::new("steunpunt"),
            role: Role::Redacteur,
        },
    ];
    store
        .set_memberships("u-bram", &both, &entry(17, Action::Change))
        .await
        .unwrap();
    let mut got = store.user("u-bram").await.unwrap().unwrap().memberships;
    got.sort();
    let mut want = both.to_vec();
    want.sort();
    assert_eq!(got, want, "{b:?}");

    // Single-use links: valid once, until they expire, for their purpose only.
    store
        .create_link(
            "tok-1",
            "u-bram",
            LinkPurpose::Invitation,
            2_000,
            &entry(18, Action::Create),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .link_user("tok-1", LinkPurpose::Reset, 1_000)
            .await
            .unwrap(),
        None,
        "{b:?}"
    );
    assert_eq!(
        store
            .link_user("tok-1", LinkPurpose::Invitation, 2_000)
            .await
            .unwrap(),
        None,
        "{b:?}: expired"
    );
    assert_eq!(
        store
            .link_user("tok-1", LinkPurpose::Invitation, 1_000)
            .await
            .unwrap()
            .as_deref(),
        Some("u-bram")
    );
    assert_eq!(
        store
            .take_link("tok-1", LinkPurpose::Invitation, 1_000)
            .await
            .unwrap()
            .as_deref(),
        Some("u-bram")
    );
    assert_eq!(
        store
            .take_link("tok-1", LinkPurpose::Invitation, 1_000)
            .await
            .unwrap(),
        None,
        "{b:?}: used"
    );

    // Sessions: expire, end one by one, all of a user's at once, and with deactivation.
    assert!(
        store
            .create_session("s1", Some("u-anna"), "{\"a\":1}", 5_000)
            .await
            .unwrap()
    );
    assert!(
        !store.create_session("s1", None, "{}", 9_000).await.unwrap(),
        "{b:?}: the id is taken"
    );
    store
        .save_session("s1", Some("u-anna"), "{\"a\":2}", 5_000)
        .await
        .unwrap();
    store
        .create_session("s2", Some("u-anna"), "{}", 5_000)
        .await
        .unwrap();
    store.create_session("s3", None, "{}", 5_000).await.unwrap();
    store
        .create_session("s4", Some("u-bram"), "{}", 5_000)
        .await
        .unwrap();
    assert_eq!(
        store.load_session("s1", 4_999).await.unwrap().as_deref(),
        Some("{\"a\":2}"),
        "{b:?}"
    );
    assert_eq!(
        store.load_session("s1", 5_000).await.unwrap(),
        None,
        "{b:?}: expired"
    );
    assert_eq!(
        store
            .delete_user_sessions("u-anna", &entry(19, Action::SignOut))
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.load_session("s2", 1).await.unwrap(), None);
    assert!(store.load_session("s3", 1).await.unwrap().is_some());
    store.delete_session("s3").await.unwrap();
    // A request still running when its session ended does not bring it back.
    store.save_session("s3", None, "{}", 5_000).await.unwrap();
    assert_eq!(
        store.load_session("s3", 1).await.unwrap(),
        None,
        "{b:?}: not resurrected"
    );
    assert_eq!(store.load_session("s3", 1).await.unwrap(), None);
    store
        .set_active("u-bram", false, &entry(20, Action::Change))
        .await
        .unwrap();
    assert!(!store.user("u-bram").await.unwrap().unwrap().active);
    assert_eq!(
        store.load_session("s4", 1).await.unwrap(),
        None,
        "{b:?}: deactivation ends sessions"
    );
    store.create_session("s5", None, "{}", 10).await.unwrap();
    assert_eq!(store.delete_expired_sessions(10).await.unwrap(), 1);

    // The outbox.
    store
        .keep_mail(
            "bram@wijkteam.nl",
            "Uitnodiging",
            "Beste Bram",
            false,
            &entry(21, Action::Send),
        )
        .await
        .unwrap();
    store
        .keep_mail(
            "anna@emmen.nl",
            "Herstel",
            "Beste Anna",
            true,
            &entry(22, Action::Send),
        )
        .await
        .unwrap();
    let mails = store.outbox(10).await.unwrap();
    assert_eq!(mails.len(), 2);
    assert_eq!(
        (mails[0].to.as_str(), mails[0].sent_at.is_some()),
        ("anna@emmen.nl", true),
        "{b:?}: newest first"
    );
    assert_eq!(
        (mails[1].subject.as_str(), mails[1].sent_at.is_none()),
        ("Uitnodiging", true)
    );

    // The access log: every change above wrote its entry, in one intact chain.
    let seq = store.append(&entry(23, Action::View)).await.unwrap();
    let all = store.entries_after(0, 1_000).await.unwrap();
    // Entries 3, 5, 10, 12, 14 and 15 recorded nothing that happened: not written.
    assert_eq!(
        all.len(),
        17,
        "{b:?}: {:?}",
        all.iter().map(|e| &e.entry.at).collect::<Vec<_>>()
    );
    assert_eq!(all.last().unwrap().seq, seq);
    let mut check = ChainCheck::default();
    for e in &all {
        check.check(e).unwrap_or_else(|x| panic!("{b:?}: {x}"));
    }
    let (page, total) = store.entries(&LogFilter::default(), 0, 5).await.unwrap();
    assert_eq!(
        (page.len(), total, page[0].seq),
        (5, 17, seq),
        "{b:?}: newest first"
    );
    let sign_ins = LogFilter {
        action: Some("sign_in".into()),
        ..LogFilter::default()
    };
    assert_eq!(
        store.entries(&sign_ins, 0, 100).await.unwrap().1,
        4,
        "{b:?}"
    );
    let period = LogFilter {
        from: Some("2026-12-02T10:00:20.000Z".into()),
        until: Some("2026-12-02T10:00:22.000Z".into()),
        ..LogFilter::default()
    };
    let (in_period, n) = store.entries(&period, 0, 100).await.unwrap();
    assert_eq!(n, 2, "{b:?}");
    assert_eq!(in_period[0].entry.at, "2026-12-02T10:00:21.000Z");
    let nobody = LogFilter {
        user_id: Some("u-nobody".into()),
        ..LogFilter::default()
    };
    assert_eq!(store.entries(&nobody, 0, 100).await.unwrap(), (vec![], 0));
}

#[tokio::test]
async fn every_backend_keeps_accounts_sessions_mail_and_the_log_alike() {
    for backend in Backend::ALL {
        let app = TestApp::init().with_backend(backend).build().await;
        story(app.store.clone(), backend).await;
    }
}

#[tokio::test]
async fn the_database_refuses_changes_to_the_log_and_a_failing_log_write_changes_nothing() {
    for backend in Backend::ALL {
        let app = TestApp::init().with_backend(backend).build().await;
        let store = &app.store;
        store.append(&entry(1, Action::View)).await.unwrap();
        store.append(&entry(2, Action::View)).await.unwrap();
        for sql in [
            "UPDATE access_log SET person = 'iemand anders' WHERE seq = 1",
            "DELETE FROM access_log WHERE seq = 2",
        ] {
            let e = app.raw_sql(sql).await.expect_err(sql);
            assert!(e.to_string().contains("access log"), "{backend:?}: {e}");
        }
        assert_eq!(store.entries_after(0, 10).await.unwrap().len(), 2);

        // The log cannot be written: the change it records does not happen either.
        app.raw_sql(match backend {
            Backend::Sqlite => "CREATE TRIGGER broken BEFORE INSERT ON access_log BEGIN SELECT RAISE(ABORT, 'disk full'); END",
            Backend::Postgres => "CREATE FUNCTION broken() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$; \
                 CREATE TRIGGER broken BEFORE INSERT ON access_log FOR EACH ROW EXECUTE FUNCTION broken()",
        })
        .await
        .unwrap();
        let t = team("wijk", "Sociaal wijkteam De Velden");
        assert!(
            store
                .create_team(&t, &entry(3, Action::Create))
                .await
                .is_err(),
            "{backend:?}"
        );
        assert!(
            store.teams().await.unwrap().is_empty(),
            "{backend:?}: no team without its log entry"
        );
        assert!(store.append(&entry(4, Action::View)).await.is_err());
    }
}

/// Referrals on every backend: stored with consent and history, numbered per year, the same
/// form twice gives one referral, a move applies only from the state it was read in.
#[tokio::test]
async fn every_backend_keeps_referrals_alike() {
    use kapstok_domain::referral::{CarerDetails, ConsentMethod, Source, State};
    use kapstok_store::{
        Assigned, Created, Forward, InboxFilter, NewConsent, NewReferral, ReferralNote, StoredMove,
    };
    for backend in Backend::ALL {
        let app = TestApp::init().with_backend(backend).build().await;
        let store = app.store.clone();
        store
            .create_team(
                &team("wijk", "Sociaal wijkteam De Velden"),
                &entry(1, Action::Create),
            )
            .await
            .unwrap();
        // One team by id, as the list has it (areas and reasons too).
        let listed = store.teams().await.unwrap();
        assert_eq!(
            store.team("wijk").await.unwrap().as_ref(),
            listed.iter().find(|t| t.id.as_str() == "wijk"),
            "{backend:?}"
        );
        assert_eq!(
            store.team("wijk").await.unwrap().unwrap().reasons,
            ["overbelasting"]
        );
        assert_eq!(store.team("nope").await.unwrap(), None);
        let petra = NewUser {
            id: UserId::new("u-petra"),
            email: Email::parse("petra@praktijk.nl").unwrap(),
            name: "Petra".into(),
            memberships: vec![Membership {
                team: TeamId::new("wijk"),
                role: Role::Verwijzer,
            }],
            password_hash: None,
        };
        store
            .create_user(&petra, &entry(2, Action::Create))
            .await
            .unwrap();
        let new = |id: &str, key: &str| NewReferral {
            id: id.into(),
            team_id: "wijk".into(),
            referrer_id: Some("u-petra".into()),
            source: Source::Verwijzer,
            state: State::Requested,
            reason: "overbelasting".into(),
            part_of: None,
            person: format!("p-{id}"),
            area_code: Some("de-velden".into()),
            carer: CarerDetails {
                name: "Jan Jansen".into(),
                phone: Some("0591 000 111".into()),
                postcode: Some("7891".into()),
                relationship: Some("partner".into()),
                condition: Some("dementie".into()),
                ..CarerDetails::default()
            },
            idempotency_key: Some(key.into()),
            at: "2026-12-02T09:00:00.000Z".into(),
        };
        let consent = |id: &str| NewConsent {
            id: id.into(),
            team_id: "wijk".into(),
            purpose: "contact over ondersteuning".into(),
            data_shared: "naam, telefoon, postcode, reden".into(),
            given_by: "mantelzorger".into(),
            method: ConsentMethod::Mondeling,
            given_at: "2026-12-02T08:59:00.000Z".into(),
            recorded_by: Some("u-petra".into()),
            receipt_hash: format!("hash-{id}"),
            covers_forward: false,
        };
        let Created::New(first) = store
            .create_referral(&new("r1", "k1"), &consent("c1"), &entry(3, Action::Create))
            .await
            .unwrap()
        else {
            panic!("{backend:?}: a new referral");
        };
        assert_eq!(
            (first.reference.as_str(), first.state),
            ("K-2026-0001", State::Requested),
            "{backend:?}"
        );
        assert_eq!(first.carer.as_ref().unwrap().name, "Jan Jansen");
        assert_eq!(first.sent_at.as_deref(), Some("2026-12-02T09:00:00.000Z"));
        // The same form again (a double click, a retry): the first referral, nothing new.
        let again = store
            .create_referral(
                &new("r1-bis", "k1"),
                &consent("c1-bis"),
                &entry(4, Action::Create),
            )
            .await
            .unwrap();
        assert_eq!(again, Created::Existing(first.clone()), "{backend:?}");
        let Created::New(second) = store
            .create_referral(&new("r2", "k2"), &consent("c2"), &entry(5, Action::Create))
            .await
            .unwrap()
        else {
            panic!("a second referral");
        };
        assert_eq!(second.reference, "K-2026-0002");

        // Moves: from the state it was read in only.
        let accept = StoredMove {
            from: State::Requested,
            to: State::Accepted,
            move_code: "accept",
            user_id: Some("u-petra"),
            outcome: None,
            at: "2026-12-02T10:00:00.000Z",
        };
        assert!(
            store
                .move_referral("r1", &accept, &entry(6, Action::Change))
                .await
                .unwrap()
        );
        assert!(
            !store
                .move_referral("r1", &accept, &entry(7, Action::Change))
                .await
                .unwrap(),
            "{backend:?}: stale"
        );
        let close = StoredMove {
            from: State::Accepted,
            to: State::Completed,
            move_code: "close",
            user_id: Some("u-petra"),
            outcome: Some("hulp-geregeld"),
            at: "2026-12-02T11:00:00.000Z",
        };
        assert!(
            store
                .move_referral("r1", &close, &entry(8, Action::Change))
                .await
                .unwrap()
        );
        let r1 = store.referral("r1").await.unwrap().unwrap();
        assert_eq!(
            (r1.state, r1.outcome.as_deref()),
            (State::Completed, Some("hulp-geregeld"))
        );
        assert_eq!(r1.accepted_at.as_deref(), Some("2026-12-02T10:00:00.000Z"));
        assert_eq!(r1.closed_at.as_deref(), Some("2026-12-02T11:00:00.000Z"));
        let events = store.referral_events("r1").await.unwrap();
        assert_eq!(
            events.iter().map(|e| (e.from, e.to)).collect::<Vec<_>>(),
            [
                (None, State::Requested),
                (Some(State::Requested), State::Accepted),
                (Some(State::Accepted), State::Completed)
            ],
            "{backend:?}"
        );

        // The team's inbox, filtered; the referrer's own list.
        let open = InboxFilter {
            states: vec![State::Requested],
            ..InboxFilter::default()
        };
        let (list, total) = store.team_referrals("wijk", &open, 0, 10).await.unwrap();
        assert_eq!(
            (list.len(), total, list[0].id.as_str()),
            (1, 1, "r2"),
            "{backend:?}"
        );
        let (all, total) = store
            .team_referrals("wijk", &InboxFilter::default(), 0, 10)
            .await
            .unwrap();
        assert_eq!((all.len(), total), (2, 2));
        let other = InboxFilter {
            reason: Some("financieel".into()),
            ..InboxFilter::default()
        };
        assert_eq!(
            store.team_referrals("wijk", &other, 0, 10).await.unwrap().1,
            0
        );
        assert_eq!(
            store
                .team_referrals("ander-team", &InboxFilter::default(), 0, 10)
                .await
                .unwrap()
                .1,
            0
        );
        assert_eq!(store.referrals_by("u-petra", 10).await.unwrap().len(), 2);

        // Assigning, and listing by who has it.
        assert!(
            store
                .assign_referral("r2", Some("u-petra"), &entry(9, Action::Change))
                .await
                .unwrap()
        );
        assert!(
            !store
                .assign_referral("nope", Some("u-petra"), &entry(10, Action::Change))
                .await
                .unwrap()
        );
        let by = |a: Assigned| InboxFilter {
            assigned: a,
            ..InboxFilter::default()
        };
        let ids = |(list, _): (Vec<kapstok_domain::referral::Referral>, usize)| {
            list.into_iter().map(|r| r.id).collect::<Vec<_>>()
        };
        assert_eq!(
            ids(store
                .team_referrals("wijk", &by(Assigned::To("u-petra".into())), 0, 10)
                .await
                .unwrap()),
            ["r2"],
            "{backend:?}"
        );
        assert_eq!(
            ids(store
                .team_referrals("wijk", &by(Assigned::Nobody), 0, 10)
                .await
                .unwrap()),
            ["r1"]
        );
        // New ones first: r2 (requested) before r1 (completed), whatever their dates.
        assert_eq!(
            ids(store
                .team_referrals("wijk", &InboxFilter::default(), 0, 10)
                .await
                .unwrap()),
            ["r2", "r1"]
        );
        // Notes, oldest first; none on a referral that is not there.
        for (i, text) in ["Gebeld.", "Terugbellen dinsdag."].iter().enumerate() {
            let note = ReferralNote {
                at: format!("2026-12-02T12:0{i}:00.000Z"),
                author_id: Some("u-petra".into()),
                text: text.to_string(),
            };
            assert!(
                store
                    .add_referral_note("r2", &note, &entry(11 + i as u32, Action::Change))
                    .await
                    .unwrap()
            );
        }
        let note = ReferralNote {
            at: "2026-12-02T12:05:00.000Z".into(),
            author_id: None,
            text: "x".into(),
        };
        assert!(
            !store
                .add_referral_note("nope", &note, &entry(13, Action::Change))
                .await
                .unwrap()
        );
        let notes = store.referral_notes("r2").await.unwrap();
        assert_eq!(
            notes.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
            ["Gebeld.", "Terugbellen dinsdag."],
            "{backend:?}"
        );
        assert!(store.referral_notes("r1").await.unwrap().is_empty());
        let consents = store.consents("r2").await.unwrap();
        assert_eq!(consents.len(), 1);
        assert_eq!(
            (
                consents[0].id.as_str(),
                consents[0].method,
                consents[0].withdrawn_at.as_deref()
            ),
            ("c2", ConsentMethod::Mondeling, None),
            "{backend:?}"
        );

        // A forward: r2 ends as doorverwezen, r3 starts for the next team, linked, with the
        // same person and the reason on both; again with the same key is r3; stale is nothing.
        store
            .create_team(&team("sp", "Steunpunt"), &entry(14, Action::Create))
            .await
            .unwrap();
        let forward = |key: &str| Forward {
            moved: StoredMove {
                from: State::Requested,
                to: State::Completed,
                move_code: "forward",
                user_id: Some("u-petra"),
                outcome: Some(kapstok_domain::referral::FORWARDED),
                at: "2026-12-03T09:00:00.000Z",
            },
            next: NewReferral {
                team_id: "sp".into(),
                part_of: Some("r2".into()),
                person: "p-r2".into(),
                at: "2026-12-03T09:00:00.000Z".into(),
                ..new("r3", key)
            },
            consent: NewConsent {
                team_id: "sp".into(),
                ..consent("c3")
            },
            reason: ReferralNote {
                at: "2026-12-03T09:00:00.000Z".into(),
                author_id: Some("u-petra".into()),
                text: "Doorgestuurd naar Steunpunt: past beter.".into(),
            },
        };
        let Some(Created::New(r3)) = store
            .forward_referral("r2", &forward("k3"), &entry(15, Action::Change))
            .await
            .unwrap()
        else {
            panic!("{backend:?}: forwarded");
        };
        assert_eq!(
            (
                r3.reference.as_str(),
                r3.team_id.as_str(),
                r3.part_of.as_deref(),
                r3.state
            ),
            ("K-2026-0003", "sp", Some("r2"), State::Requested),
            "{backend:?}"
        );
        let again = store
            .forward_referral("r2", &forward("k3"), &entry(16, Action::Change))
            .await
            .unwrap();
        assert_eq!(again, Some(Created::Existing(r3.clone())), "{backend:?}");
        assert_eq!(
            store
                .forward_referral("r2", &forward("k4"), &entry(17, Action::Change))
                .await
                .unwrap(),
            None,
            "{backend:?}: r2 is no longer requested"
        );
        let r2 = store.referral("r2").await.unwrap().unwrap();
        assert_eq!(
            (r2.state, r2.outcome.as_deref()),
            (State::Completed, Some(kapstok_domain::referral::FORWARDED))
        );
        assert_eq!(
            store.referral_events("r3").await.unwrap()[0].move_code,
            "forward"
        );
        assert!(
            store.referral_notes("r3").await.unwrap()[0]
                .text
                .contains("past beter")
        );

        // The receipt (by the first consent's code) reaches both tasks and both consents.
        let receipt = store.receipt("hash-c2").await.unwrap().unwrap();
        assert_eq!(
            receipt
                .referrals
                .iter()
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>(),
            ["r2", "r3"],
            "{backend:?}"
        );
        assert_eq!(receipt.consents.len(), 2);
        assert_eq!(store.receipt("hash-nope").await.unwrap(), None);
        assert_eq!(store.tasks_of("p-r2").await.unwrap().len(), 2);

        // Withdrawal: the open task stops, every consent is withdrawn, details and notes go.
        assert_eq!(
            store
                .withdraw_consent(
                    "hash-nope",
                    "2026-12-04T09:00:00.000Z",
                    &entry(18, Action::Change)
                )
                .await
                .unwrap(),
            None
        );
        let stopped = store
            .withdraw_consent(
                "hash-c3",
                "2026-12-04T09:00:00.000Z",
                &entry(19, Action::Change),
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            stopped
                .iter()
                .map(|r| (r.id.as_str(), r.state))
                .collect::<Vec<_>>(),
            [("r3", State::Cancelled)],
            "{backend:?}"
        );
        let receipt = store.receipt("hash-c2").await.unwrap().unwrap();
        assert!(receipt.referrals.iter().all(|r| r.carer.is_none()));
        assert_eq!(receipt.referrals[0].state, State::Completed);
        assert_eq!(receipt.referrals[0].area_code.as_deref(), Some("de-velden"));
        assert!(
            receipt.consents.iter().all(|c| c.withdrawn_at.as_deref()
                == Some("2026-12-04T09:00:00.000Z")
                && c.given_by == kapstok_domain::referral::REMOVED),
            "{backend:?}: {:?}",
            receipt.consents
        );
        assert!(store.referral_notes("r2").await.unwrap().is_empty());
        assert!(store.referral_notes("r3").await.unwrap().is_empty());
        assert_eq!(
            store
                .referral_events("r3")
                .await
                .unwrap()
                .last()
                .unwrap()
                .move_code,
            "withdraw"
        );
        // Withdrawn again: nothing open any more.
        assert_eq!(
            store
                .withdraw_consent(
                    "hash-c2",
                    "2026-12-05T09:00:00.000Z",
                    &entry(20, Action::Change)
                )
                .await
                .unwrap(),
            Some(Vec::new())
        );

        // Every change wrote its log entry: team, user, two referrals, two moves (not the
        // duplicate, not the stale move), the assignment and two notes (not those on nothing);
        // the second team, the forward (one per task), each withdrawal (one per task).
        assert_eq!(
            store.entries_after(0, 100).await.unwrap().len(),
            9 + 1 + 2 + 2 + 2,
            "{backend:?}"
        );
        assert_eq!(store.referral("nope").await.unwrap(), None);
    }
}
