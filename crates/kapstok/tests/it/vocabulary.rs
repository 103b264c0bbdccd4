//! The steunpunt keeps the vocabulary in the browser, on both backends: a basic function
//! renamed shows on the home page and in search's filters on the next request, a new term can be
//! tagged and filtered on, a synonym added to the list finds services at once and a list with a
//! mistake comes back with the line and changes nothing; an organisation's editor may not.

use crate::map_editing::{form_fields, post_fields};
use crate::sign_in::sign_in_demo;
use crate::support::{Backend, TestApp, csrf, demo_service_id, location, result_names};
use axum::http::StatusCode;
use kapstok_demo::taxonomy::{taxonomy_id, term_id};

#[tokio::test]
async fn the_steunpunt_keeps_taxonomies_and_search_words() {
    for backend in Backend::ALL {
        let app = TestApp::init()
            .with_backend(backend)
            .with_demo()
            .build()
            .await;
        let b = format!("{backend:?}");
        let redactie = app.browser();
        sign_in_demo(&redactie, "redactie").await;
        let functions = taxonomy_id("functie");
        let respite = term_id("functie", "respijtzorg");

        // The list: every taxonomy, its terms with their codes and use.
        let list = redactie.get("/werk/kaart/indelingen").await;
        assert_eq!(list.status, StatusCode::OK, "{b}");
        assert!(list.body.contains("Respijtzorg"), "{b}");
        assert!(list.body.contains("<code>respijtzorg</code>"), "{b}");

        // Renaming a basic function: the home page and the filter say so on the next request,
        // and the code (the addresses) stays.
        let term_url = format!("/werk/kaart/indelingen/{functions}/termen/{respite}");
        let form = redactie.get(&term_url).await;
        assert_eq!(form.status, StatusCode::OK, "{b}");
        assert!(form.body.contains("value=\"respijtzorg\""), "{b}");
        let r = redactie
            .post(
                &term_url,
                &[
                    ("csrf", &csrf(&form.body)),
                    ("name", "Even vrij van de zorg"),
                    ("code", "respijtzorg"),
                    ("description", "Iemand neemt de zorg even over."),
                    ("order", "6"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.body);
        assert_eq!(location(&r), "/werk/kaart/indelingen?klaar=opgeslagen");
        assert!(
            app.get("/").await.body.contains("Even vrij van de zorg"),
            "{b}"
        );
        let filtered = app.get("/zoeken?functie=respijtzorg").await;
        assert_eq!(filtered.status, StatusCode::OK, "{b}");
        assert!(filtered.body.contains("Even vrij van de zorg"), "{b}");
        assert!(!result_names(&filtered.body).is_empty(), "{b}");

        // Mistakes come back with what was typed; nothing changes.
        let form = redactie.get(&term_url).await;
        let r = redactie
            .post(
                &term_url,
                &[
                    ("csrf", &csrf(&form.body)),
                    ("name", ""),
                    ("code", "Met Spatie"),
                    ("order", "zes"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}");
        for anchor in ["#name", "#code", "#order"] {
            assert!(
                r.body.contains(&format!("href=\"{anchor}\"")),
                "{b}: {anchor}"
            );
        }
        assert!(r.body.contains("value=\"Met Spatie\""), "{b}: kept");
        // Another term's code is taken.
        let r = redactie
            .post(
                &term_url,
                &[
                    ("csrf", &csrf(&form.body)),
                    ("name", "Even vrij van de zorg"),
                    ("code", "informatie"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}");
        assert!(r.body.contains("al een andere term"), "{b}");
        assert!(
            app.get("/").await.body.contains("Even vrij van de zorg"),
            "{b}"
        );

        // A new term, its code made from its name; a service tagged with it is found by it.
        let target = taxonomy_id("doelgroep");
        let new_url = format!("/werk/kaart/indelingen/{target}/nieuw");
        let form = redactie.get(&new_url).await;
        assert_eq!(form.status, StatusCode::OK, "{b}: {}", form.body);
        let r = redactie
            .post(
                &new_url,
                &[
                    ("csrf", &csrf(&form.body)),
                    ("name", "Mantelzorgers met een baan én kinderen"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.body);
        let catalog = app.state.catalog();
        let new_term = catalog
            .terms
            .values()
            .find(|t| t.name == "Mantelzorgers met een baan én kinderen")
            .expect("in the read model at once")
            .clone();
        assert_eq!(
            new_term.code.as_deref(),
            Some("mantelzorgers-met-een-baan-en-kinderen")
        );
        let id = new_term.id.to_string();
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{b}: a UUID, {id}");
        assert!(
            id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()),
            "{b}: {id}"
        );
        let service = demo_service_id("Steunpunt Mantelzorg De Kapstok", "mantelzorgconsulent");
        let edit = format!("/werk/kaart/aanbod/{service}");
        let page = redactie.get(&edit).await;
        assert!(
            page.body.contains(&format!("value=\"{}\"", new_term.id)),
            "{b}: a tag to choose"
        );
        let mut fields = form_fields(&app, &page.body, &service).await;
        fields.push(("tag".into(), new_term.id.to_string()));
        let r = post_fields(&redactie, &edit, &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.body);
        let facet = app
            .get("/zoeken?doelgroep=mantelzorgers-met-een-baan-en-kinderen")
            .await;
        assert_eq!(facet.status, StatusCode::OK, "{b}: {}", facet.body);
        assert_eq!(result_names(&facet.body).len(), 1, "{b}");

        // The taxonomy's own name.
        let tax_url = format!("/werk/kaart/indelingen/{target}");
        let form = redactie.get(&tax_url).await;
        let r = redactie
            .post(
                &tax_url,
                &[
                    ("csrf", &csrf(&form.body)),
                    ("name", "Wie er baat bij heeft"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.body);
        let search = app.get("/zoeken?q=mantelzorg").await.body;
        assert!(
            search.contains("Wie er baat bij heeft"),
            "{b}: the filter's heading"
        );

        // Synonyms: a new group finds services at once; a bad line is named and changes nothing.
        assert!(result_names(&app.get("/zoeken?q=zwaluwstaart").await.body).is_empty());
        let words = redactie.get("/werk/kaart/zoekwoorden").await;
        assert_eq!(words.status, StatusCode::OK, "{b}");
        assert!(
            words.body.contains("dagbesteding, dagopvang"),
            "{b}: the list in use"
        );
        assert!(words.body.contains("de standaardlijst"), "{b}");
        let text = format!(
            "{}zwaluwstaart, dagbesteding\n",
            kapstok_search::directory::DEFAULT_SYNONYMS
        );
        let bad = format!("{text}alleen dit\n");
        let r = redactie
            .post(
                "/werk/kaart/zoekwoorden/synoniemen",
                &[("csrf", &csrf(&words.body)), ("list", &bad)],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}");
        let lines = bad.lines().count();
        assert!(
            r.body.contains(&format!("Regel {lines}:")),
            "{b}: {}",
            r.body
        );
        assert!(r.body.contains("alleen dit"), "{b}: kept as typed");
        assert!(result_names(&app.get("/zoeken?q=zwaluwstaart").await.body).is_empty());
        let r = redactie
            .post(
                "/werk/kaart/zoekwoorden/synoniemen",
                &[("csrf", &csrf(&words.body)), ("list", &text)],
            )
            .await;
        assert_eq!(
            location(&r),
            "/werk/kaart/zoekwoorden?klaar=opgeslagen",
            "{b}"
        );
        let found = result_names(&app.get("/zoeken?q=zwaluwstaart").await.body);
        assert!(!found.is_empty(), "{b}: the synonym finds dagbesteding");
        let words = redactie.get("/werk/kaart/zoekwoorden").await;
        assert!(words.body.contains("eigen lijst"), "{b}");
        assert!(words.body.contains("Ruud Redactie"), "{b}: who saved it");
        // Compound parts: one word per line.
        let r = redactie
            .post(
                "/werk/kaart/zoekwoorden/samenstellingen",
                &[("csrf", &csrf(&words.body)), ("list", "dag\nbe steding\n")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}");
        assert!(r.body.contains("Regel 2:"), "{b}");
        // Back to the standard list.
        let r = redactie
            .post(
                "/werk/kaart/zoekwoorden/synoniemen/standaard",
                &[("csrf", &csrf(&words.body))],
            )
            .await;
        assert_eq!(
            location(&r),
            "/werk/kaart/zoekwoorden?klaar=standaard",
            "{b}"
        );
        assert!(result_names(&app.get("/zoeken?q=zwaluwstaart").await.body).is_empty());

        // The access log holds each change.
        let entries = app.store.entries_after(0, 100_000).await.unwrap();
        for what in [
            format!("taxonomy_term: {respite}"),
            format!("taxonomy_term: {}", new_term.id),
            format!("taxonomy: {target}"),
            "word_list: synonyms".to_string(),
            "word_list: synonyms (reset)".to_string(),
        ] {
            assert!(
                entries
                    .iter()
                    .any(|e| e.entry.record_id.as_deref() == Some(&what)),
                "{b}: {what} logged"
            );
        }

        // An organisation's editor may not; nor may anyone else.
        let other = app.browser();
        sign_in_demo(&other, "vrijwilligers").await;
        for url in [
            "/werk/kaart/indelingen",
            "/werk/kaart/zoekwoorden",
            &term_url,
        ] {
            assert_eq!(
                other.get(url).await.status,
                StatusCode::FORBIDDEN,
                "{b}: {url}"
            );
        }
        // Unknown taxonomies, terms and lists are pages not found.
        for url in [
            "/werk/kaart/indelingen/bestaat-niet".to_string(),
            format!("/werk/kaart/indelingen/{functions}/termen/bestaat-niet"),
            format!("/werk/kaart/indelingen/{target}/termen/{respite}"),
        ] {
            assert_eq!(
                redactie.get(&url).await.status,
                StatusCode::NOT_FOUND,
                "{b}: {url}"
            );
        }
        let r = redactie
            .post(
                "/werk/kaart/zoekwoorden/onzin",
                &[("csrf", &csrf(&words.body)), ("list", "a, b")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{b}");
    }
}
