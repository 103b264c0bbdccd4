//! The pages as a visitor meets them: content, form errors, escaping, language, headers.

use crate::support::{TestApp, demo_service_id, result_names};
use axum::http::StatusCode;

#[tokio::test]
async fn home_offers_the_eight_basic_functions_and_a_search() {
    let app = TestApp::init().with_demo().build().await;
    let r = app.get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    for f in [
        "Informatie",
        "Advies en begeleiding",
        "Emotionele steun",
        "Educatie",
        "Praktische hulp",
        "Respijtzorg",
        "Financiële tegemoetkoming",
        "Materiële hulp",
    ] {
        assert!(r.body.contains(f), "{f}");
    }
    assert!(
        r.body
            .contains("<form class=\"search-box\" method=\"get\" action=\"/zoeken\"")
    );
    assert!(r.body.contains("Voorbeeldgegevens"), "demo data is marked");
    assert!(r.body.contains("href=\"#inhoud\""), "skip link");
    assert!(r.body.contains("<html lang=\"nl\">"));
}

#[tokio::test]
async fn search_page_puts_klazienaveen_first_with_distances() {
    let app = TestApp::init().with_demo().build().await;
    let r = app
        .get("/zoeken?q=dagbesteding+dementie&postcode=7891")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let names = result_names(&r.body);
    assert!(names.len() >= 10, "{names:?}");
    assert!(names[0].contains("Klazienaveen"), "{names:?}");
    assert!(r.body.contains("0,2 km"), "distance shown");
    assert!(r.body.contains("dichtbij 7891"));
    assert!(r.body.contains("Gesorteerd op afstand"));
}

#[tokio::test]
async fn facets_narrow_and_show_counts() {
    let app = TestApp::init().with_demo().build().await;
    let all = app.get("/zoeken?q=dementie").await;
    let narrowed = app
        .get("/zoeken?q=dementie&functie=respijtzorg&gebied=de-blokken")
        .await;
    assert_eq!(narrowed.status, StatusCode::OK);
    let (a, n) = (
        result_names(&all.body).len(),
        result_names(&narrowed.body).len(),
    );
    assert!(n > 0 && n < a, "{n} < {a}");
    assert!(
        narrowed
            .body
            .contains("name=\"functie\" value=\"respijtzorg\" checked")
    );
    assert!(narrowed.body.contains("Actieve filters"));
    assert!(all.body.contains("<span class=\"count\">("), "counts shown");
}

#[tokio::test]
async fn paging_links_keep_the_search() {
    let app = TestApp::init().with_demo().build().await;
    let r = app.get("/zoeken?functie=respijtzorg").await;
    assert!(r.body.contains("rel=\"next\""));
    assert!(
        r.body
            .contains("href=\"/zoeken?functie=respijtzorg&#38;pagina=2\""),
        "next page link keeps the filter"
    );
    let p2 = app.get("/zoeken?functie=respijtzorg&pagina=2").await;
    assert_eq!(p2.status, StatusCode::OK);
    assert_ne!(result_names(&r.body), result_names(&p2.body));
}

#[tokio::test]
async fn bad_postcodes_get_a_clear_dutch_message() {
    let app = TestApp::init().with_demo().build().await;
    for (pc, message) in [
        ("abcd", "is geen geldige postcode"),
        ("7811+ZZZ", "is geen geldige postcode"),
        ("1234", "kennen we niet"),
    ] {
        let r = app.get(&format!("/zoeken?q=dementie&postcode={pc}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{pc}");
        assert!(r.body.contains("Er is een probleem"), "{pc}");
        assert!(r.body.contains(message), "{pc}");
        assert!(r.body.contains("aria-invalid=\"true\""), "{pc}");
        assert!(
            !result_names(&r.body).is_empty(),
            "results still shown without distance for {pc}"
        );
    }
    let ok = app.get("/zoeken?postcode=7811ab").await;
    assert_eq!(ok.status, StatusCode::OK, "PC6 in lower case without space");
}

#[tokio::test]
async fn other_bad_input_is_explained_not_crashed() {
    let app = TestApp::init().with_demo().build().await;
    let cases = [
        ("/zoeken?functie=onzin", "bestaat niet als filter"),
        ("/zoeken?pagina=-4", "paginanummer"),
        ("/zoeken?postcode=7811&straal=9999", "afstand"),
        ("/zoeken?straal=5", "postcode"),
    ];
    for (uri, message) in cases {
        let r = app.get(uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(r.body.contains(message), "{uri}");
    }
    let long = "dementie ".repeat(1200);
    let r = app
        .get(&format!("/zoeken?q={}", long.replace(' ', "+")))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("te lang"));
}

#[tokio::test]
async fn empty_result_page_helps_further() {
    let app = TestApp::init().with_demo().build().await;
    let r = app
        .get("/zoeken?q=xyzzyq&functie=educatie&postcode=7891&straal=2")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Geen aanbod gevonden"));
    assert!(r.body.contains("xyzzyq"), "names the unknown word");
    assert!(r.body.contains("Zoek zonder het filter: Educatie"));
    assert!(r.body.contains("Zoek in een grotere straal (5 km)"));
    assert!(r.body.contains("Toon alles zonder zoekwoorden"));
    assert!(
        r.body.contains("href=\"/zoeken?functie=respijtzorg\""),
        "related categories"
    );
}

#[tokio::test]
async fn script_in_the_query_is_shown_escaped() {
    let app = TestApp::init().with_demo().build().await;
    let r = app
        .get("/zoeken?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await;
    assert!(!r.body.contains("<script>alert(1)</script>"));
    assert!(r.body.contains("&#60;script&#62;alert(1)"), "shown escaped");
}

#[tokio::test]
async fn service_page_shows_what_a_carer_needs() {
    let app = TestApp::init().with_demo().build().await;
    let id = demo_service_id("Dagcentrum De Turfstee", "dagbesteding-dementie");
    let r = app.get(&format!("/aanbod/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    for needle in [
        "Dagbesteding voor mensen met dementie in Klazienaveen",
        "Wat is het",
        "Voor wie",
        "Kosten en vergoeding",
        "Wmo (gemeente)",
        "Hoe meldt u zich aan",
        "Wie kan verwijzen",
        "Openingstijden",
        "maandag, dinsdag, woensdag, donderdag, vrijdag 09:30–16:00",
        "Turfstekerstraat 9",
        "De Blokken",
        "Laatst gecontroleerd",
        "tel:0591",
        "/organisaties/",
    ] {
        assert!(r.body.contains(needle), "{needle}");
    }
    let org = app
        .get(&format!(
            "/organisaties/{}",
            kapstok_demo::id("organization:Dagcentrum De Turfstee")
        ))
        .await;
    assert_eq!(org.status, StatusCode::OK);
    assert_eq!(result_names(&org.body).len(), 3);
}

#[tokio::test]
async fn unknown_pages_get_a_dutch_404_without_internals() {
    let app = TestApp::init().with_demo().build().await;
    for uri in [
        "/aanbod/bestaat-niet",
        "/organisaties/bestaat-niet",
        "/nergens",
        "/taal/fr",
    ] {
        let r = app.get(uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(r.body.contains("Pagina niet gevonden"), "{uri}");
        assert!(
            !r.body.contains("panicked") && !r.body.contains("src/"),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn browse_pages_list_functions_and_areas() {
    let app = TestApp::init().with_demo().build().await;
    let f = app.get("/functies").await;
    assert_eq!(f.status, StatusCode::OK);
    assert!(f.body.contains("href=\"/zoeken?functie=respijtzorg\""));
    let a = app.get("/gebieden").await;
    for area in [
        "Emmen-Noord",
        "Emmen-Zuid",
        "Emmen-Centrum/Oost",
        "De Monden",
        "De Blokken",
        "De Velden",
    ] {
        assert!(a.body.contains(area), "{area}");
    }
    assert!(a.body.contains("7891"), "postcodes of an area are listed");
}

#[tokio::test]
async fn print_selection_shows_every_chosen_service() {
    let app = TestApp::init().with_demo().build().await;
    let a = demo_service_id("Dagcentrum De Turfstee", "dagbesteding-dementie");
    let b = demo_service_id("Burenhulp Klazienaveen", "vrijwillige-respijt-thuis");
    let r = app.get(&format!("/afdrukken?id={a}&id={b}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body
            .contains("Dagbesteding voor mensen met dementie in Klazienaveen")
    );
    assert!(
        r.body
            .contains("Vrijwillige respijtzorg thuis Klazienaveen")
    );
    let empty = app.get("/afdrukken").await;
    assert!(empty.body.contains("nog niets geselecteerd"));
    let many: String = (0..51).map(|i| format!("id=x{i}&")).collect();
    assert_eq!(
        app.get(&format!("/afdrukken?{many}")).await.status,
        StatusCode::BAD_REQUEST
    );
    let css = app.get("/static/kapstok.css").await;
    assert!(css.body.contains("@media print"));
}

#[tokio::test]
async fn english_switch_remembers_the_choice_and_returns() {
    let app = TestApp::init().with_demo().build().await;
    let r = app.get("/taal/en?terug=%2Fzoeken%3Fq%3Dmantelzorg").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "/zoeken?q=mantelzorg");
    assert!(
        r.headers["set-cookie"]
            .to_str()
            .unwrap()
            .starts_with("lang=en")
    );
    let page = app.get_with_cookie("/zoeken?q=mantelzorg", "lang=en").await;
    assert!(page.body.contains("<html lang=\"en\">"));
    assert!(page.body.contains("Search results"));
    assert!(page.body.contains("Nederlands"));
    let evil = app.get("/taal/en?terug=https%3A%2F%2Fevil.example").await;
    assert_eq!(evil.headers["location"], "/");
    let evil2 = app.get("/taal/en?terug=%2F%2Fevil.example").await;
    assert_eq!(evil2.headers["location"], "/");
}

#[tokio::test]
async fn every_response_carries_security_headers() {
    let app = TestApp::init().with_demo().build().await;
    for uri in [
        "/",
        "/zoeken?q=x",
        "/nergens",
        "/api/services",
        "/api/nope",
        "/static/kapstok.css",
    ] {
        let r = app.get(uri).await;
        let csp = r.headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
            "{uri}"
        );
        assert_eq!(r.headers["x-content-type-options"], "nosniff", "{uri}");
        assert!(r.headers.contains_key("referrer-policy"), "{uri}");
        assert!(r.headers.contains_key("x-request-id"), "{uri}");
    }
}

#[tokio::test]
async fn changes_in_the_database_reach_the_index() {
    let app = TestApp::init().with_demo().build().await;
    let mut dir = kapstok_demo::emmen_directory();
    dir.services
        .retain(|s| s.name.starts_with("Mantelzorgcafé Schoonebeek"));
    dir.services[0].name = "Mantelzorgcafé Schoonebeek met zangkoor".into();
    dir.taxonomies.clear();
    dir.taxonomy_terms.clear();
    dir.organizations.clear();
    kapstok_store::SocialMapWrite::import_directory(app.store.as_ref(), &dir)
        .await
        .unwrap();
    assert!(
        !app.get("/zoeken?q=zangkoor")
            .await
            .body
            .contains("met zangkoor</a>")
    );
    assert!(app.state.refresh().await.unwrap(), "version moved");
    assert!(
        app.get("/zoeken?q=zangkoor")
            .await
            .body
            .contains("met zangkoor</a>")
    );
}

#[tokio::test]
async fn a_real_server_answers_over_tcp() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::init().with_demo().build().await;
    let server = app.serve(Default::default()).await;
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(b"GET /zoeken?q=oppas HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(
        response.starts_with("HTTP/1.1 200"),
        "{}",
        &response[..80.min(response.len())]
    );
    assert!(response.contains("Vrijwillige respijtzorg thuis"));
    server.stop().await;
}

#[tokio::test]
async fn a_service_that_is_not_active_is_neither_found_nor_shown() {
    use kapstok_domain::model::ServiceStatus;
    let app = TestApp::init().with_demo().build().await;
    let mut dir = kapstok_store::SocialMapRead::load_directory(app.store.as_ref())
        .await
        .unwrap();
    let at = dir
        .services
        .iter()
        .position(|s| !s.service_at_locations.is_empty())
        .unwrap();
    let service = dir.services[at].clone();
    let sal = service.service_at_locations[0].id.clone();
    assert_eq!(
        app.get(&format!("/aanbod/{}", service.id)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/api/service_at_locations/{sal}"))
            .await
            .status,
        StatusCode::OK
    );
    for status in [
        ServiceStatus::Inactive,
        ServiceStatus::Defunct,
        ServiceStatus::TemporarilyClosed,
    ] {
        dir.services[at].status = status;
        kapstok_store::SocialMapWrite::import_directory(app.store.as_ref(), &dir)
            .await
            .unwrap();
        app.refresh().await;
        let page = app.get(&format!("/aanbod/{}", service.id)).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{status:?}");
        let api = app
            .get(&format!(
                "/api/services?search={}",
                service.name.replace(' ', "+")
            ))
            .await
            .json();
        let ids: Vec<&str> = api["contents"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["id"].as_str())
            .collect();
        assert!(!ids.contains(&service.id.as_str()), "{status:?}");
        // The API follows the same rule, also for its locations.
        for uri in [
            format!("/api/services/{}", service.id),
            format!("/api/service_at_locations/{sal}"),
        ] {
            assert_eq!(app.get(&uri).await.status, StatusCode::NOT_FOUND, "{uri}");
        }
        let all = app.get("/api/service_at_locations?per_page=100").await.body;
        assert!(!all.contains(&format!("\"{sal}\"")), "{status:?}");
    }
}
