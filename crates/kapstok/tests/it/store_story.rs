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
