//! Hostile input: generated garbage for every parser of outside input, and a table of nasty
//! requests against the router. Invariants: no panic, no 500, a message, nothing changed.

use crate::support::TestApp;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use kapstok_domain::geo::Postcode;
use kapstok_domain::hsds::{KnownIds, parse_directory};
use kapstok_search::SearchQuery;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn postcode_parser_never_panics_and_accepts_only_dutch_postcodes(s in "\\PC{0,12}") {
        if let Ok(p) = Postcode::parse(&s) {
            let c = p.as_str();
            prop_assert!(c.len() == 4 || c.len() == 6);
            prop_assert!(c[..4].bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn hsds_reader_never_panics_on_text(s in "\\PC{0,400}") {
        let _ = parse_directory(&s, &KnownIds::default());
    }

    #[test]
    fn hsds_reader_never_panics_on_json_shaped_input(
        name in "\\PC{0,20}", status in "\\PC{0,12}", lat in proptest::num::f64::ANY, pc in "\\PC{0,10}", id in "[a-z0-9-]{0,8}",
    ) {
        let doc = serde_json::json!({
            "organizations": [{"id": "o", "name": name, "description": ""}],
            "services": [{"id": id, "organization_id": "o", "name": name, "status": status,
                "service_at_locations": [{"id": "sal", "location": {"id": "l", "location_type": "physical", "latitude": lat, "longitude": 6.0,
                    "addresses": [{"id": "a", "address_1": "x", "city": "y", "state_province": "z", "postal_code": pc, "country": "NL", "address_type": "physical"}]}}]}]
        });
        if let Ok(dir) = parse_directory(&doc.to_string(), &KnownIds::default()) {
            prop_assert!(!dir.services[0].name.trim().is_empty());
            prop_assert!(Postcode::parse(&pc).is_ok());
        }
    }

    #[test]
    fn postcode_csv_reader_never_panics(s in "\\PC{0,300}") {
        let _ = kapstok::postcode_table::parse_postcodes(&format!("pc4,lat,lon\n{s}"), &kapstok_domain::geo::Bounds::NETHERLANDS);
        let _ = kapstok::postcode_table::parse_areas(&s);
    }

    #[test]
    fn query_strings_never_panic(s in "\\PC{0,200}") {
        let _ = kapstok_web::extract::Pairs::parse(&s);
    }

    #[test]
    fn search_never_panics_on_any_words(s in "\\PC{0,120}", prefix in any::<bool>()) {
        let index = crate::search_cases::demo_index();
        let r = index.search(&SearchQuery { text: s, prefix, limit: 10, ..SearchQuery::default() });
        prop_assert!(r.hits.len() <= 10);
        prop_assert!(r.total <= index.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The activity form's parsers: a rule, dates and times as typed, the whole form and the
    /// registration form take anything without panicking, and what they accept is sane.
    #[test]
    fn activity_parsers_never_panic(
        rule in "\\PC{0,60}",
        day in "\\PC{0,14}",
        time in "\\PC{0,8}",
        values in proptest::collection::vec(
            (prop_oneof![
                Just("kind"), Just("title"), Just("audience"), Just("date"), Just("starts"),
                Just("ends"), Just("repeat"), Just("repeat_count"), Just("repeat_until"),
                Just("dates"), Just("capacity"), Just("deadline"), Just("points"), Just("url"),
                Just("name"), Just("email"), Just("phone"),
            ], "\\PC{0,30}"),
            0..12,
        ),
    ) {
        use kapstok_domain::activity::{Activity, ActivityLists, MAX_OCCURRENCES, Rule};
        use kapstok_domain::activity_form::{apply_activity_form, date_of, registrant_of, time_of};
        use kapstok_domain::editing::Typed;
        if let Ok(r) = Rule::parse(&rule) {
            let start = kapstok_domain::activity::parse_local("2027-01-31T19:30").unwrap();
            prop_assert!(r.starts(start, MAX_OCCURRENCES).len() <= MAX_OCCURRENCES);
        }
        let _ = date_of(&day);
        let _ = time_of(&time);
        let typed: Vec<(String, String)> =
            values.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        let base = Activity { id: "act-x".into(), ..Activity::default() };
        let now = "2026-12-07T10:00:00Z".parse().unwrap();
        if let Ok(a) = apply_activity_form(
            &base,
            Typed(&typed),
            &ActivityLists::default(),
            &["de-velden".to_string()],
            now,
        ) {
            prop_assert!(!a.title.trim().is_empty());
            if let Some(s) = &a.schedule {
                prop_assert!(s.occurrences().len() <= MAX_OCCURRENCES + 100);
            }
        }
        if let Ok(r) = registrant_of(Typed(&typed)) {
            prop_assert!(r.email.is_some() || r.phone.is_some());
        }
    }
}

#[tokio::test]
async fn nasty_requests_never_get_a_500() {
    let app = TestApp::init().with_demo().build().await;
    let before = app.export().await;
    let long_path = format!("/aanbod/{}", "a".repeat(20_000));
    // 10,000 repeated parameters (an URI may hold 64 KiB).
    let repeated = format!("/zoeken?{}", "q=a&".repeat(10_000));
    let repeated_facet = format!("/zoeken?{}", "thema=x&".repeat(7_000));
    let repeated_api = format!("/api/services?{}", "page=2&".repeat(9_000));
    let sql = "/zoeken?q=%27%3B%20DROP%20TABLE%20services%3B%20--";
    let uris: Vec<String> = vec![
        long_path,
        repeated,
        repeated_facet,
        repeated_api,
        sql.into(),
        "/zoeken?q=%FF%FE%00".into(),
        "/zoeken?q=%".into(),
        "/zoeken?pagina=99999999999999999999".into(),
        "/zoeken?pagina=-1".into(),
        "/zoeken?straal=NaN&postcode=7811".into(),
        "/api/services?page=18446744073709551616".into(),
        "/api/services?per_page=-5".into(),
        "/api/services?search=%3Cscript%3E".into(),
        "/api/services?postcode=%00".into(),
        "/api/services/%27%20OR%201%3D1".into(),
        "/aanbod/%3Cscript%3E".into(),
        "/organisaties/..%2F..%2Fetc%2Fpasswd".into(),
        "/afdrukken?id=%27%20OR%201%3D1".into(),
        "/taal/en?terug=javascript:alert(1)".into(),
        // Issue 9's classes: redirects, words that fall away, over-long addresses, bad UTF-8 ids.
        "/taal/en?terug=/%09/evil.example".into(),
        "/taal/nl?terug=%5C%5Cevil.example".into(),
        format!("/zoeken?q={}", "x".repeat(41)),
        "/zoeken?q=%F0%9F%98%80".into(),
        "/api/services?search=%F0%9F%98%80".into(),
        format!("/zoeken?q={}", "a".repeat(40_000)),
        "/aanbod/%FF%FE".into(),
        "/api/organizations/%C0%AF".into(),
        "/static/../Cargo.toml".into(),
        // Activities: odd filters, ids, links and feeds.
        "/activiteiten?doelgroep=%3Cscript%3E&gebied=%FF&soort=%27".into(),
        "/activiteiten/%27%20OR%201%3D1".into(),
        "/activiteiten/%FF%FE/agenda.ics".into(),
        format!("/activiteiten/afmelden/{}", "a".repeat(5_000)),
        "/activiteiten/afmelden/%00".into(),
        "/agenda/doelgroep/%3Cscript%3E.ics".into(),
        "/agenda/gebied/..%2F..%2Fetc.ics".into(),
        "/agenda/organisatie/%27.ics".into(),
        "/agenda/onzin/x.ics".into(),
        "/agenda/doelgroep/poh".into(),
    ];
    for uri in &uris {
        let r = app.get(uri).await;
        assert!(
            r.status.is_client_error() || r.status.is_success() || r.status.is_redirection(),
            "{} → {}",
            &uri[..uri.len().min(80)],
            r.status
        );
        assert!(
            !r.body.contains("panicked")
                && !r.body.contains("sqlx")
                && !r.body.contains("stack backtrace"),
            "{uri}"
        );
        assert!(!r.body.contains("<script>"), "{uri} echoes a script tag");
    }
    let sql_page = app.get(sql).await;
    assert!(
        sql_page.body.contains("DROP TABLE services"),
        "shown as text"
    );
    assert_eq!(app.export().await, before, "no request changed the data");
}

#[tokio::test]
async fn wrong_methods_and_bodies_are_refused_cleanly() {
    let app = TestApp::init().with_demo().build().await;
    let big = vec![b'x'; 2 * 1024 * 1024];
    let before = app.export().await;
    for (method, uri, body) in [
        (Method::POST, "/zoeken", big.clone()),
        (Method::DELETE, "/api/services", Vec::new()),
        (Method::PUT, "/api/services/x", b"{}".to_vec()),
        (Method::POST, "/api/services", big),
        (Method::PATCH, "/", Vec::new()),
        (
            Method::POST,
            "/mantelzorgtest/indicatief",
            vec![b'x'; 2 * 1024 * 1024],
        ),
    ] {
        let r = app
            .request(
                Request::builder()
                    .method(method.clone())
                    .uri(uri)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert!(
            r.status == StatusCode::METHOD_NOT_ALLOWED || r.status == StatusCode::PAYLOAD_TOO_LARGE,
            "{method} {uri} → {}",
            r.status
        );
        assert!(r.headers.contains_key("content-security-policy"));
        assert!(
            r.body.contains("<html lang=\"nl\"") || r.body.contains("\"error\""),
            "{method} {uri}: a page or JSON, not a bare status"
        );
    }
    // Cross-site and non-form writes (issue 9).
    let answers = "v0=4&v1=1&v2=1&v3=1&v4=1&v5=0&v6=1&postcode=7891AB";
    for (content_type, header, expected) in [
        (
            "text/plain",
            ("origin", "https://evil.example"),
            StatusCode::FORBIDDEN,
        ),
        (
            "application/x-www-form-urlencoded",
            ("origin", "null"),
            StatusCode::FORBIDDEN,
        ),
        (
            "application/x-www-form-urlencoded",
            ("sec-fetch-site", "same-site"),
            StatusCode::FORBIDDEN,
        ),
        (
            "text/plain",
            ("x-nothing", "1"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        ("", ("x-nothing", "1"), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (
            "application/x-www-form-urlencodedx",
            ("x-nothing", "1"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
    ] {
        let r = app
            .request(
                Request::post("/mantelzorgtest/indicatief")
                    .header("host", "localhost")
                    .header("content-type", content_type)
                    .header(header.0, header.1)
                    .body(Body::from(answers))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, expected, "{content_type} {header:?}");
        assert!(r.body.contains("<html lang=\"nl\""));
    }
    assert!(
        kapstok_store::TallyStore::self_check_counts(app.store.as_ref())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(app.export().await, before);
}
