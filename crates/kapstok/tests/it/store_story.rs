//! The storage conformance suite: one story, written once against the capability traits, run
//! against every backend (atuin's `db_story`, but on all backends). The PostgreSQL backend joins
//! by adding itself to `support::Backend::ALL`.

use crate::support::Backend;
use kapstok_domain::geo::Postcode;
use kapstok_domain::model::{Directory, ServiceStatus};
use kapstok_store::{SelfCheckTally, Store};
use std::sync::Arc;

/// The demo as a backend hands it back: links name their service.
fn as_stored(mut dir: Directory) -> Directory {
    for s in &mut dir.services {
        for sal in &mut s.service_at_locations {
            sal.service_id = Some(s.id.clone());
        }
        for a in &mut s.attributes {
            a.link_id = Some(s.id.to_string());
        }
    }
    dir.normalize();
    dir
}

async fn story(store: Arc<dyn Store>, backend: Backend) {
    let b = format!("{backend:?}");
    // Empty.
    assert!(store.is_empty().await.unwrap(), "{b}");
    assert_eq!(store.directory_version().await.unwrap(), 0, "{b}");
    assert_eq!(store.meta("demo").await.unwrap(), None, "{b}");

    // Meta.
    store.set_meta("demo", "true").await.unwrap();
    store.set_meta("demo", "false").await.unwrap();
    assert_eq!(store.meta("demo").await.unwrap().as_deref(), Some("false"));

    // Import and read back: the same map, sorted by id.
    let mut demo: Directory = kapstok_demo::emmen_directory();
    let summary = store.import_directory(&demo).await.unwrap();
    assert_eq!(summary.services, demo.services.len(), "{b}");
    assert_eq!(summary.organizations, demo.organizations.len(), "{b}");
    assert_eq!(store.directory_version().await.unwrap(), 1, "{b}");
    assert!(!store.is_empty().await.unwrap());
    demo = as_stored(demo);
    let loaded = store.load_directory().await.unwrap();
    // `assert!` rather than `assert_eq!`: a failure should not print two whole social maps.
    assert!(loaded == demo, "{b}: what goes in comes out");
    // Importing again updates, never duplicates.
    store.import_directory(&demo).await.unwrap();
    assert!(store.load_directory().await.unwrap() == demo, "{b}");
    assert_eq!(store.directory_version().await.unwrap(), 2, "{b}");

    // A write that fails part-way leaves nothing behind: the new organisation before the broken
    // service is rolled back too, and the version does not move.
    let mut broken = Directory {
        organizations: vec![demo.organizations[0].clone()],
        services: vec![demo.services[0].clone()],
        ..Directory::default()
    };
    broken.organizations[0].id = "nieuw-en-teruggedraaid".into();
    broken.services[0].organization_id = "bestaat-niet".into();
    assert!(store.import_directory(&broken).await.is_err(), "{b}");
    assert!(
        store.load_directory().await.unwrap() == demo,
        "{b}: rolled back"
    );
    assert!(
        store
            .organization("nieuw-en-teruggedraaid")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.directory_version().await.unwrap(), 2, "{b}");

    let known = store.known_ids().await.unwrap();
    assert_eq!(known.organizations.len(), demo.organizations.len());
    assert_eq!(known.taxonomy_terms.len(), demo.taxonomy_terms.len());

    // By id, in the order asked, unknown ids skipped.
    let (a, c) = (&demo.services[3], &demo.services[1]);
    let got = store
        .services(&[a.id.to_string(), "bestaat-niet".into(), c.id.to_string()])
        .await
        .unwrap();
    assert!(got == vec![a.clone(), c.clone()], "{b}: services by id");
    assert!(store.service(&a.id).await.unwrap().as_ref() == Some(a));
    assert_eq!(store.service("x").await.unwrap(), None);
    let org = &demo.organizations[0];
    assert_eq!(
        store.organization(&org.id).await.unwrap().as_ref(),
        Some(org)
    );
    assert_eq!(store.organization("x").await.unwrap(), None);

    // The frame: everything but services, sorted by id.
    let frame = store.map_frame().await.unwrap();
    assert!(frame.services.is_empty(), "{b}");
    assert!(frame.taxonomies == demo.taxonomies, "{b}: taxonomies");
    assert!(frame.taxonomy_terms == demo.taxonomy_terms, "{b}: terms");
    assert!(
        frame.organizations == demo.organizations,
        "{b}: organisations"
    );

    // Services streamed page by page: in id order, each page after the last, nothing twice or
    // left out, with links and locations.
    let mut streamed = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store.services_after(after.as_deref(), 7).await.unwrap();
        assert!(page.len() <= 7, "{b}");
        let done = page.len() < 7;
        after = page.last().map(|s| s.id.to_string());
        streamed.extend(page);
        if done {
            break;
        }
    }
    assert!(
        streamed == demo.services,
        "{b}: streamed services are the map's"
    );
    let last = demo.services.last().unwrap();
    assert!(
        store
            .services_after(Some(&last.id), 7)
            .await
            .unwrap()
            .is_empty()
    );

    // A changed status is stored and read back.
    let with_locations = demo
        .services
        .iter()
        .find(|s| !s.service_at_locations.is_empty())
        .unwrap();
    let mut closed = with_locations.clone();
    closed.status = ServiceStatus::Inactive;
    let one = |s| Directory {
        services: vec![s],
        ..Directory::default()
    };
    store.import_directory(&one(closed)).await.unwrap();
    assert_eq!(
        store
            .service(&with_locations.id)
            .await
            .unwrap()
            .map(|s| s.status),
        Some(ServiceStatus::Inactive),
        "{b}"
    );
    store
        .import_directory(&one(with_locations.clone()))
        .await
        .unwrap();
    assert!(store.service(&with_locations.id).await.unwrap().as_ref() == Some(with_locations));

    // Geo: postcodes and areas.
    let postcodes = kapstok_demo::emmen::postcodes();
    assert_eq!(
        store.import_postcodes(&postcodes).await.unwrap(),
        postcodes.len()
    );
    store
        .replace_areas(
            &kapstok_demo::emmen::areas(),
            &kapstok_demo::emmen::area_postcodes(),
        )
        .await
        .unwrap();
    let geo = store.geo_data().await.unwrap();
    assert_eq!(geo.postcode_count(), postcodes.len(), "{b}");
    assert_eq!(geo.areas, kapstok_demo::emmen::areas(), "{b}: in order");
    let pc = Postcode::parse("7891").unwrap();
    assert!(geo.locate(&pc).is_some());
    assert_eq!(
        geo.area_of(&pc).map(|a| a.code.as_str()),
        Some("de-blokken")
    );
    assert_eq!(store.directory_version().await.unwrap(), 6, "{b}");
    store.replace_areas(&[], &[]).await.unwrap();
    assert!(store.geo_data().await.unwrap().areas.is_empty());

    // Tallies: counted up, nothing else kept.
    let t = SelfCheckTally {
        instrument: "indicatief".into(),
        band: "hoog".into(),
        area_code: Some("de-blokken".into()),
        month: "2026-12".into(),
    };
    let without_area = SelfCheckTally {
        area_code: None,
        ..t.clone()
    };
    for _ in 0..3 {
        store.count_self_check(&t).await.unwrap();
    }
    store.count_self_check(&without_area).await.unwrap();
    let counts = store.self_check_counts().await.unwrap();
    assert_eq!(counts.len(), 2, "{b}");
    assert!(counts.contains(&(t, 3)), "{b}");
    assert!(counts.contains(&(without_area, 1)), "{b}");
}

#[tokio::test]
async fn every_backend_tells_the_same_story() {
    for backend in Backend::ALL {
        let app = crate::support::TestApp::init()
            .with_backend(backend)
            .build()
            .await;
        story(app.store.clone(), backend).await;
    }
}

/// Editing by hand: a published change keeps versions (the imported state first), the map's
/// version moves; a suggestion is decided once; a correction's address goes when it is closed.
async fn map_edit_story(store: Arc<dyn Store>, backend: Backend) {
    use kapstok_domain::audit::{Action, NewEntry, RecordKind};
    use kapstok_store::{
        MapRecord, NewCorrection, NewSuggestion, NewVersion, RecordType, SuggestionState, Via,
    };
    let b = format!("{backend:?}");
    let user = store.users().await.unwrap().remove(0);
    let log = |action| NewEntry {
        user_id: Some(user.id.to_string()),
        record_id: Some("x".into()),
        ..NewEntry::new(
            "2026-12-07T10:00:00.000Z".into(),
            action,
            RecordKind::SocialMap,
            true,
        )
    };
    let entries_before = store.entries_after(0, 100_000).await.unwrap().len();
    let lines = store.service_lines(None).await.unwrap();
    let services = store.load_directory().await.unwrap().services;
    assert_eq!(
        lines.len(),
        services.len(),
        "{b}: every service, any status"
    );
    let original = services
        .iter()
        .find(|s| !s.service_at_locations.is_empty())
        .unwrap()
        .clone();
    let mine = store
        .service_lines(Some(&original.organization_id))
        .await
        .unwrap();
    assert!(
        mine.iter()
            .all(|l| l.organization_id == original.organization_id)
    );
    assert!(mine.iter().any(|l| l.id == original.id.as_str()), "{b}");
    assert!(
        store
            .versions(RecordType::Service, &original.id)
            .await
            .unwrap()
            .is_empty()
    );

    let version_before = store.directory_version().await.unwrap();
    let mut edited = original.clone();
    edited.name = "Nieuwe naam".into();
    let v = NewVersion {
        at: "2026-12-07T10:00:00.000Z".into(),
        user_id: Some(user.id.to_string()),
        via: Via::Edit,
        changed: vec!["name".into()],
        restored_from: None,
        previous: Some(MapRecord::Service(&original).document()),
    };
    let seq = store
        .publish(MapRecord::Service(&edited), &v, &log(Action::Change))
        .await
        .unwrap();
    assert_eq!(seq, 2, "{b}: the imported state is version 1");
    assert!(
        store.directory_version().await.unwrap() > version_before,
        "{b}"
    );
    let stored = store.service(&original.id).await.unwrap().unwrap();
    assert_eq!(stored.name, "Nieuwe naam");
    assert!(
        stored.service_at_locations.len() == original.service_at_locations.len(),
        "{b}: locations kept"
    );
    let versions = store
        .versions(RecordType::Service, &original.id)
        .await
        .unwrap();
    assert_eq!(versions.len(), 2, "{b}");
    assert_eq!(versions[0].seq, 2);
    assert_eq!(versions[0].via, Via::Edit);
    assert_eq!(versions[0].changed, vec!["name".to_string()]);
    assert_eq!(versions[0].user_name.as_deref(), Some(user.name.as_str()));
    assert_eq!(versions[1].via, Via::Import);
    assert_eq!(versions[1].user_id, None);
    let first: kapstok_domain::model::Service =
        serde_json::from_str(&versions[1].document).unwrap();
    assert_eq!(first.name, original.name, "{b}: the import's state is kept");

    // A second edit does not repeat the imported state.
    let restore = NewVersion {
        via: Via::Restore,
        restored_from: Some(1),
        changed: vec!["name".into()],
        ..v.clone()
    };
    assert_eq!(
        store
            .publish(MapRecord::Service(&first), &restore, &log(Action::Change))
            .await
            .unwrap(),
        3
    );
    let versions = store
        .versions(RecordType::Service, &original.id)
        .await
        .unwrap();
    assert_eq!(versions.len(), 3);
    assert_eq!(versions[0].restored_from, Some(1));
    assert_eq!(
        store.service(&original.id).await.unwrap().unwrap().name,
        original.name
    );

    // Organisations too.
    let org = store
        .organization(&original.organization_id)
        .await
        .unwrap()
        .unwrap();
    let mut renamed = org.clone();
    renamed.description = "Anders beschreven".into();
    store
        .publish(
            MapRecord::Organization(&renamed),
            &NewVersion {
                previous: Some(MapRecord::Organization(&org).document()),
                ..v.clone()
            },
            &log(Action::Change),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .organization(&org.id)
            .await
            .unwrap()
            .unwrap()
            .description
            .as_str(),
        "Anders beschreven"
    );
    assert_eq!(
        store
            .versions(RecordType::Organization, &org.id)
            .await
            .unwrap()
            .len(),
        2
    );

    // A suggestion: listed while open, decided once.
    let mut proposed = original.clone();
    proposed.description = "Voorgesteld".into();
    let s = NewSuggestion {
        id: "voorstel-1".into(),
        kind: RecordType::Service,
        record_id: original.id.to_string(),
        organization_id: original.organization_id.to_string(),
        author_id: Some(user.id.to_string()),
        at: "2026-12-07T10:05:00.000Z".into(),
        base: Some(MapRecord::Service(&original).document()),
        document: MapRecord::Service(&proposed).document(),
        changed: vec!["description".into()],
    };
    store.suggest(&s, &log(Action::Create)).await.unwrap();
    store
        .suggest(
            &NewSuggestion {
                id: "voorstel-2".into(),
                at: "2026-12-07T10:06:00.000Z".into(),
                ..s.clone()
            },
            &log(Action::Create),
        )
        .await
        .unwrap();
    let open = store
        .suggestions(Some(SuggestionState::Open), None)
        .await
        .unwrap();
    assert_eq!(
        open.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["voorstel-1", "voorstel-2"],
        "{b}: oldest first"
    );
    assert_eq!(open[0].author_name.as_deref(), Some(user.name.as_str()));
    assert_eq!(open[0].changed, vec!["description".to_string()]);
    assert!(
        store
            .suggestions(None, Some("andere-organisatie"))
            .await
            .unwrap()
            .is_empty()
    );
    let accept = NewVersion {
        via: Via::Suggestion,
        changed: vec!["description".into()],
        previous: None,
        ..v.clone()
    };
    assert!(
        store
            .decide_suggestion(
                "voorstel-1",
                Some((MapRecord::Service(&proposed), &accept)),
                &user.id,
                "2026-12-07T11:00:00.000Z",
                Some("Dank u"),
                &log(Action::Change),
            )
            .await
            .unwrap(),
        "{b}"
    );
    assert!(
        !store
            .decide_suggestion(
                "voorstel-1",
                None,
                &user.id,
                "2026-12-07T11:00:00.000Z",
                None,
                &log(Action::Change)
            )
            .await
            .unwrap(),
        "{b}: decided once"
    );
    assert_eq!(
        store
            .service(&original.id)
            .await
            .unwrap()
            .unwrap()
            .description
            .as_str(),
        "Voorgesteld"
    );
    let decided = store.suggestion("voorstel-1").await.unwrap().unwrap();
    assert_eq!(decided.state, SuggestionState::Accepted);
    assert_eq!(decided.answer.as_deref(), Some("Dank u"));
    assert_eq!(
        store
            .versions(RecordType::Service, &original.id)
            .await
            .unwrap()[0]
            .via,
        Via::Suggestion
    );
    let before_reject = store.service(&original.id).await.unwrap();
    assert!(
        store
            .decide_suggestion(
                "voorstel-2",
                None,
                &user.id,
                "2026-12-07T11:00:00.000Z",
                None,
                &log(Action::Change)
            )
            .await
            .unwrap()
    );
    assert!(
        store.service(&original.id).await.unwrap() == before_reject,
        "{b}: rejected changes nothing"
    );
    assert!(
        store
            .suggestions(Some(SuggestionState::Open), None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.suggestions(None, None).await.unwrap().len(), 2);
    assert!(store.suggestion("bestaat-niet").await.unwrap().is_none());

    // Corrections: the address is kept only until the report is answered.
    let c = NewCorrection {
        id: "melding-1".into(),
        service_id: original.id.to_string(),
        at: "2026-12-07T12:00:00.000Z".into(),
        message: "Het telefoonnummer klopt niet".into(),
        email: Some("bezoeker@example.org".into()),
    };
    store
        .report_correction(&c, &log(Action::Create))
        .await
        .unwrap();
    assert_eq!(store.corrections(true).await.unwrap().len(), 1, "{b}");
    assert!(
        store
            .close_correction(
                "melding-1",
                Some("Aangepast"),
                &user.id,
                "2026-12-07T13:00:00.000Z",
                &log(Action::Send)
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .close_correction(
                "melding-1",
                None,
                &user.id,
                "2026-12-07T13:00:00.000Z",
                &log(Action::Send)
            )
            .await
            .unwrap()
    );
    assert!(store.corrections(true).await.unwrap().is_empty());
    let closed = store.correction("melding-1").await.unwrap().unwrap();
    assert!(!closed.open);
    assert_eq!(closed.email, None, "{b}: the address is gone");
    assert_eq!(closed.answer.as_deref(), Some("Aangepast"));
    assert_eq!(store.corrections(false).await.unwrap().len(), 1);

    // Every write above took its log entry, in its own transaction.
    let entries = store.entries_after(0, 100_000).await.unwrap().len();
    assert_eq!(
        entries - entries_before,
        9,
        "{b}: refused decisions write nothing"
    );
}

#[tokio::test]
async fn every_backend_edits_the_map_alike() {
    for backend in Backend::ALL {
        let app = crate::support::TestApp::init()
            .with_backend(backend)
            .with_demo()
            .build()
            .await;
        map_edit_story(app.store.clone(), backend).await;
    }
}

/// The vocabulary: word lists set, read back and reset; a taxonomy and a term changed and a
/// term added; each write bumps the change counter and appends its log entry.
async fn vocabulary_story(store: Arc<dyn Store>, backend: Backend) {
    use kapstok_domain::audit::{Action, NewEntry, RecordKind};
    use kapstok_store::{WordList, WordListKind};
    let b = format!("{backend:?}");
    let user = store.users().await.unwrap().remove(0);
    let log = || NewEntry {
        user_id: Some(user.id.to_string()),
        record_id: Some("word_list: synonyms".into()),
        ..NewEntry::new(
            "2026-12-07T10:00:00.000Z".into(),
            Action::Change,
            RecordKind::SocialMap,
            true,
        )
    };
    let entries = || async { store.entries_after(0, 100_000).await.unwrap().len() };
    let before = entries().await;
    assert!(
        store.word_lists().await.unwrap().is_empty(),
        "{b}: none set"
    );
    let version = store.directory_version().await.unwrap();
    let list = WordList {
        kind: WordListKind::Synonyms,
        body: "oppas, zwaluw # één regel\n".into(),
        at: "2026-12-07T10:00:00.000Z".into(),
        user_id: Some(user.id.to_string()),
    };
    store
        .set_word_list(WordListKind::Synonyms, Some(&list), &log())
        .await
        .unwrap();
    assert_eq!(store.word_lists().await.unwrap(), vec![list.clone()], "{b}");
    assert!(store.directory_version().await.unwrap() > version, "{b}");
    let replaced = WordList {
        body: "a, b\n".into(),
        ..list.clone()
    };
    store
        .set_word_list(WordListKind::Synonyms, Some(&replaced), &log())
        .await
        .unwrap();
    assert_eq!(store.word_lists().await.unwrap(), vec![replaced], "{b}");
    store
        .set_word_list(WordListKind::Synonyms, None, &log())
        .await
        .unwrap();
    assert!(store.word_lists().await.unwrap().is_empty(), "{b}: reset");

    let frame = store.map_frame().await.unwrap();
    let mut taxonomy = frame.taxonomies[0].clone();
    taxonomy.name = "Hernoemd".into();
    store.save_taxonomy(&taxonomy, &log()).await.unwrap();
    let mut term = frame
        .taxonomy_terms
        .iter()
        .find(|t| t.taxonomy_id.as_deref() == Some(taxonomy.id.as_str()))
        .unwrap()
        .clone();
    term.name = "Andere naam".into();
    term.kapstok_order = Some(99);
    store.save_term(&term, &log()).await.unwrap();
    let mut added = term.clone();
    added.id = "4f1c9a52-8d7e-4b0e-9a1d-2c3b4a5d6e7f".into();
    added.code = Some("nieuw".into());
    added.name = "Nieuwe term".into();
    store.save_term(&added, &log()).await.unwrap();
    let after = store.map_frame().await.unwrap();
    assert!(after.taxonomies.contains(&taxonomy), "{b}");
    assert!(after.taxonomy_terms.contains(&term), "{b}");
    assert!(after.taxonomy_terms.contains(&added), "{b}");
    assert_eq!(
        after.taxonomy_terms.len(),
        frame.taxonomy_terms.len() + 1,
        "{b}"
    );
    // A term of a taxonomy that does not exist is refused, and nothing is written.
    let mut orphan = added.clone();
    orphan.id = "5f1c9a52-8d7e-4b0e-9a1d-2c3b4a5d6e7f".into();
    orphan.taxonomy_id = Some("bestaat-niet".into());
    assert!(store.save_term(&orphan, &log()).await.is_err(), "{b}");
    assert_eq!(
        store.map_frame().await.unwrap().taxonomy_terms.len(),
        after.taxonomy_terms.len(),
        "{b}"
    );
    assert_eq!(entries().await, before + 6, "{b}: one log entry per write");
}

#[tokio::test]
async fn every_backend_keeps_the_vocabulary_alike() {
    for backend in Backend::ALL {
        let app = crate::support::TestApp::init()
            .with_backend(backend)
            .with_demo()
            .build()
            .await;
        vocabulary_story(app.store.clone(), backend).await;
    }
}

/// Activities: saved and read back (schedule included); 13 people registering for 12 places at
/// the same moment get 12 places and one waiting position; a cancellation moves the first
/// waiting up in the same transaction; a link cancels once.
async fn activity_story(store: Arc<dyn Store>, backend: Backend) {
    use kapstok_domain::activity::{
        Activity, RegistrationState, Rule, Schedule, parse_local, stored_local,
    };
    use kapstok_domain::audit::{Action, NewEntry, RecordKind};
    use kapstok_store::NewRegistration;
    let b = format!("{backend:?}");
    let log = || {
        NewEntry::new(
            "2026-12-07T10:00:00.000Z".into(),
            Action::Create,
            RecordKind::SocialMap,
            true,
        )
    };
    let start = parse_local("2027-01-19T09:00").unwrap();
    let activity = Activity {
        id: format!("a-story-{b}"),
        kind: "scholing-wmo-zorgloket".into(),
        title: "Scholing mantelzorg voor Wmo-consulenten".into(),
        description: "Herkennen en doorverwijzen.".into(),
        audiences: vec!["wmo-consulent".into(), "wijkteam".into()],
        area: Some("de-velden".into()),
        location_id: None,
        address: Some("Raadhuisplein 1, 7811 AP Emmen".into()),
        schedule: Some(Schedule {
            rule: Some(Rule::parse("FREQ=YEARLY;COUNT=3").unwrap()),
            ..Schedule::once(start, parse_local("2027-01-19T12:30").unwrap()).unwrap()
        }),
        capacity: Some(12),
        deadline: Some("2027-01-12T23:00:00.000Z".into()),
        points: Some(3),
        organization_id: None,
        contact: Some("Steunpunt, 0591 000 200".into()),
        url: None,
        published: true,
        sequence: 0,
        updated_at: "2026-12-07T10:00:00.000Z".into(),
    };
    store.save_activity(&activity, &log()).await.unwrap();
    assert_eq!(
        store.activity(&activity.id).await.unwrap().as_ref(),
        Some(&activity),
        "{b}"
    );
    let changed = Activity {
        sequence: 1,
        capacity: Some(12),
        title: "Scholing mantelzorg (Wmo)".into(),
        ..activity.clone()
    };
    store.save_activity(&changed, &log()).await.unwrap();
    assert_eq!(
        store.activity(&activity.id).await.unwrap(),
        Some(changed.clone()),
        "{b}"
    );
    assert!(store.activities().await.unwrap().contains(&changed), "{b}");
    let undated = Activity {
        id: format!("a-elearning-{b}"),
        kind: "e-learning".into(),
        schedule: None,
        capacity: None,
        url: Some("https://example.org/module".into()),
        ..activity.clone()
    };
    store.save_activity(&undated, &log()).await.unwrap();
    assert_eq!(
        store.activity(&undated.id).await.unwrap(),
        Some(undated),
        "{b}"
    );

    // Thirteen at once for twelve places.
    let date = stored_local(start);
    let mut tasks = Vec::new();
    for n in 0..13 {
        let store = store.clone();
        let r = NewRegistration {
            id: format!("r-{b}-{n}"),
            activity_id: activity.id.clone(),
            occurrence: date.clone(),
            name: Some(format!("Deelnemer {n}")),
            email: Some(format!("deelnemer{n}@example.org")),
            phone: None,
            user_id: None,
            token_hash: format!("hash-{b}-{n}"),
            at: "2026-12-07T10:00:00.000Z".into(),
        };
        tasks.push(tokio::spawn(async move {
            store.register(&r, &log()).await.unwrap().unwrap()
        }));
    }
    let mut placed = Vec::new();
    for t in tasks {
        placed.push(t.await.unwrap());
    }
    let places = placed
        .iter()
        .filter(|r| r.state == RegistrationState::Place)
        .count();
    assert_eq!(places, 12, "{b}: never more than the capacity");
    let waiting: Vec<_> = placed
        .iter()
        .filter(|r| r.state == RegistrationState::Waiting)
        .collect();
    assert_eq!(waiting.len(), 1, "{b}");
    let listed = store.registrations(&activity.id, &date).await.unwrap();
    assert_eq!(listed.len(), 13, "{b}");
    assert!(
        listed.windows(2).all(|w| w[0].seq < w[1].seq),
        "{b}: in order"
    );

    // A place is cancelled: the one waiting moves up. The same link cancels nothing again.
    let holder = placed
        .iter()
        .find(|r| r.state == RegistrationState::Place)
        .unwrap();
    let n = holder.id.rsplit('-').next().unwrap();
    let (gone, up) = store
        .cancel_registration(&format!("hash-{b}-{n}"), "2026-12-08T10:00:00.000Z", &log())
        .await
        .unwrap()
        .expect("cancelled");
    assert_eq!(gone.state, RegistrationState::Cancelled, "{b}");
    let up = up.expect("the first waiting moves up");
    assert_eq!(up.id, waiting[0].id, "{b}");
    assert_eq!(up.state, RegistrationState::Place, "{b}");
    assert!(
        store
            .cancel_registration(&format!("hash-{b}-{n}"), "2026-12-08T10:00:00.000Z", &log())
            .await
            .unwrap()
            .is_none(),
        "{b}"
    );
    let after = store.registrations(&activity.id, &date).await.unwrap();
    assert_eq!(
        after.iter().filter(|r| r.state.takes_place()).count(),
        12,
        "{b}"
    );
    // Cancelling a waiting position moves nobody.
    let newcomer = NewRegistration {
        id: format!("r-{b}-late"),
        token_hash: format!("hash-{b}-late"),
        ..NewRegistration {
            id: String::new(),
            activity_id: activity.id.clone(),
            occurrence: date.clone(),
            name: Some("Laat".into()),
            email: None,
            phone: Some("0591 000 111".into()),
            user_id: None,
            token_hash: String::new(),
            at: "2026-12-09T10:00:00.000Z".into(),
        }
    };
    let late = store.register(&newcomer, &log()).await.unwrap().unwrap();
    assert_eq!(late.state, RegistrationState::Waiting, "{b}");
    let (_, up) = store
        .cancel_registration(
            &format!("hash-{b}-late"),
            "2026-12-09T11:00:00.000Z",
            &log(),
        )
        .await
        .unwrap()
        .unwrap();
    assert!(up.is_none(), "{b}");
    // Attendance, a reminder once, promotion without free places, the counts.
    let first = after
        .iter()
        .find(|r| r.state == RegistrationState::Place)
        .unwrap();
    assert!(
        store
            .set_registration_state(
                &first.id,
                RegistrationState::Place,
                RegistrationState::Attended,
                "2026-12-10T10:00:00.000Z",
                &log()
            )
            .await
            .unwrap(),
        "{b}"
    );
    assert!(
        store
            .mark_reminded(&first.id, "2026-12-10T10:00:00.000Z")
            .await
            .unwrap(),
        "{b}"
    );
    assert!(
        !store
            .mark_reminded(&first.id, "2026-12-10T11:00:00.000Z")
            .await
            .unwrap(),
        "{b}: once"
    );
    assert!(
        store
            .promote_waiting(&activity.id, &date, "2026-12-10T10:00:00.000Z", &log())
            .await
            .unwrap()
            .is_empty(),
        "{b}: no free place"
    );
    let counts = store.registration_counts().await.unwrap();
    let count = |state| {
        counts
            .iter()
            .find(|(a, o, s, _)| a == &activity.id && o == &date && *s == state)
            .map_or(0, |c| c.3)
    };
    assert_eq!(count(RegistrationState::Attended), 1, "{b}");
    assert_eq!(count(RegistrationState::Place), 11, "{b}");
    assert_eq!(count(RegistrationState::Cancelled), 2, "{b}");
    assert!(
        store
            .registration_by_token(&format!("hash-{b}-{n}"))
            .await
            .unwrap()
            .is_some(),
        "{b}: found by its link"
    );
    // Erasing: only those made before the time given, then all; the states and counts stay,
    // and the link no longer finds anyone.
    assert_eq!(
        store
            .erase_registrations(
                &activity.id,
                &date,
                Some("2026-12-08T00:00:00.000Z"),
                &log()
            )
            .await
            .unwrap(),
        13,
        "{b}: the thirteen of 7 December"
    );
    assert_eq!(
        store
            .erase_registrations(&activity.id, &date, None, &log())
            .await
            .unwrap(),
        1,
        "{b}: the late one"
    );
    let erased = store.registrations(&activity.id, &date).await.unwrap();
    assert!(
        erased
            .iter()
            .all(|r| r.name.is_none() && r.email.is_none() && r.phone.is_none()),
        "{b}"
    );
    assert_eq!(
        store.registration_counts().await.unwrap(),
        counts,
        "{b}: counts stay"
    );
    assert!(
        store
            .registration_by_token(&format!("hash-{b}-{n}"))
            .await
            .unwrap()
            .is_none(),
        "{b}"
    );
    // A user's professional group.
    assert_eq!(store.user_audience("nobody").await.unwrap(), None, "{b}");

    // An unknown activity registers nothing.
    let nowhere = NewRegistration {
        activity_id: "bestaat-niet".into(),
        id: format!("r-{b}-x"),
        token_hash: format!("hash-{b}-x"),
        ..newcomer
    };
    assert!(
        store.register(&nowhere, &log()).await.unwrap().is_none(),
        "{b}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_backend_fills_activities_alike_and_never_past_capacity() {
    for backend in Backend::ALL {
        let app = crate::support::TestApp::init()
            .with_backend(backend)
            .build()
            .await;
        activity_story(app.store.clone(), backend).await;
    }
}
