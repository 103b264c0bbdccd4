//! The printed Mantelzorgwijzer on the public site, on both backends: the page that offers the
//! booklets, an area's booklet holding that area's services and not another's, a tagged PDF that
//! poppler reads, `ETag`s, unknown areas, and a new booklet as soon as a redacteur changes the map.

use crate::map_editing::{form_fields, post_fields, set};
use crate::sign_in::sign_in_demo;
use crate::support::{Backend, TestApp};
use axum::http::StatusCode;
use std::process::Command;

fn tool(name: &str) -> bool {
    Command::new(name).arg("-v").output().is_ok()
}

/// What poppler reads in a PDF: (`pdfinfo`'s lines, the text with whitespace runs as one space).
fn poppler(pdf: &[u8]) -> Option<(String, String)> {
    if !tool("pdfinfo") || !tool("pdftotext") {
        println!("note: pdfinfo/pdftotext (poppler-utils) not installed; skipping those checks");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("boekje.pdf");
    std::fs::write(&path, pdf).unwrap();
    let info = Command::new("pdfinfo").arg(&path).output().unwrap();
    let text = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    Some((
        String::from_utf8_lossy(&info.stdout).into_owned(),
        text.split_whitespace().collect::<Vec<_>>().join(" "),
    ))
}

/// A public service offered in `area` only and one not offered there (by the site's own rule),
/// each with a name that is not part of another service's name.
fn in_and_out(app: &TestApp, area: &str) -> (String, String, String) {
    let catalog = app.state.catalog();
    let mut inside = None;
    let mut outside = None;
    let ids: Vec<String> = catalog
        .index
        .search(&kapstok_search::SearchQuery {
            limit: usize::MAX,
            ..Default::default()
        })
        .hits
        .iter()
        .map(|h| h.doc.id().to_string())
        .collect();
    let services: Vec<_> = ids
        .iter()
        .filter_map(|id| catalog.records.service(id))
        .collect();
    let unique = |name: &str| {
        services
            .iter()
            .filter(|s| s.name.contains(name) || name.contains(&s.name))
            .count()
            == 1
    };
    for s in &services {
        let codes = catalog.geo.area_codes_of(s);
        if inside.is_none() && codes == [area.to_string()] && unique(&s.name) {
            inside = Some((s.id.to_string(), s.name.clone()));
        }
        if outside.is_none()
            && !codes.is_empty()
            && !codes.iter().any(|c| c == area)
            && unique(&s.name)
        {
            outside = Some(s.name.clone());
        }
    }
    let (id, name) = inside.expect("a service in the area only");
    (id, name, outside.expect("a service elsewhere"))
}

#[tokio::test]
async fn the_booklet_per_area_follows_the_map() {
    for backend in Backend::ALL {
        let app = TestApp::init()
            .with_backend(backend)
            .with_demo()
            .build()
            .await;
        let b = format!("{backend:?}");

        // The page offers the whole municipality and each area, linked from home and areas.
        let page = app.get("/boekje").await;
        assert_eq!(page.status, StatusCode::OK, "{b}");
        assert!(page.body.contains("href=\"/boekje/gemeente.pdf\""), "{b}");
        assert!(
            page.body.contains("href=\"/boekje/gebied/de-velden.pdf\""),
            "{b}"
        );
        assert!(page.body.contains("Hele gemeente Emmen"), "{b}");
        assert!(app.get("/").await.body.contains("href=\"/boekje\""), "{b}");
        assert!(
            app.get("/gebieden").await.body.contains("href=\"/boekje\""),
            "{b}"
        );

        let (id, name, elsewhere) = in_and_out(&app, "de-velden");
        let r = app.get("/boekje/gebied/de-velden.pdf").await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.body);
        assert_eq!(r.headers["content-type"], "application/pdf", "{b}");
        assert!(
            r.headers["content-disposition"]
                .to_str()
                .unwrap()
                .contains("mantelzorgwijzer-de-velden.pdf"),
            "{b}"
        );
        assert!(r.bytes.starts_with(b"%PDF-"), "{b}");
        let etag = r.headers["etag"].to_str().unwrap().to_owned();
        if let Some((info, text)) = poppler(&r.bytes) {
            assert!(info.contains("Tagged:          yes"), "{b}: {info}");
            assert!(info.contains("Mantelzorgwijzer Emmen"), "{b}: {info}");
            assert!(text.contains("De Velden"), "{b}");
            assert!(text.contains(&name), "{b}: {name} missing");
            assert!(
                !text.contains(&elsewhere),
                "{b}: {elsewhere} is not in De Velden"
            );
            assert!(text.contains("Register"), "{b}");
        }
        let whole = app.get("/boekje/gemeente.pdf").await;
        assert_eq!(whole.status, StatusCode::OK, "{b}");
        if let Some((_, text)) = poppler(&whole.bytes) {
            assert!(text.contains(&name) && text.contains(&elsewhere), "{b}");
        }
        // In English: the same map, English words.
        let en = app.browser();
        en.get("/taal/en").await;
        let english = en.get("/boekje/gebied/de-velden.pdf").await;
        assert_eq!(english.status, StatusCode::OK, "{b}");
        assert_ne!(english.headers["etag"], etag.as_str(), "{b}");
        if let Some((_, text)) = poppler(&english.bytes) {
            assert!(text.contains("Contents") && text.contains(&name), "{b}");
        }

        // The same map: the same booklet, so a browser's copy is still good.
        let again = app
            .request(
                axum::http::Request::get("/boekje/gebied/de-velden.pdf")
                    .header("if-none-match", &etag)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{b}");

        // Unknown areas and names are pages not found, in Dutch.
        for bad in [
            "/boekje/gebied/atlantis.pdf",
            "/boekje/gebied/de-velden",
            "/boekje/gebied/de-velden.pdf.exe",
            "/boekje/gebied/%2e%2e.pdf",
            "/boekje/gemeente",
        ] {
            let r = app.get(bad).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{b}: {bad}");
            assert!(r.body.contains("lang=\"nl\""), "{b}: {bad}");
        }

        // A redacteur renames the service: the next booklet has the new name.
        let redactie = app.browser();
        sign_in_demo(&redactie, "redactie").await;
        let edit = format!("/werk/kaart/aanbod/{id}");
        let form = redactie.get(&edit).await;
        let mut fields = form_fields(&app, &form.body, &id).await;
        set(&mut fields, "name", "Zwaluwstaartcafé");
        let r = post_fields(&redactie, &edit, &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.body);
        let fresh = app
            .request(
                axum::http::Request::get("/boekje/gebied/de-velden.pdf")
                    .header("if-none-match", &etag)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(fresh.status, StatusCode::OK, "{b}: a new booklet");
        assert_ne!(fresh.headers["etag"], etag.as_str(), "{b}");
        if let Some((_, text)) = poppler(&fresh.bytes) {
            assert!(text.contains("Zwaluwstaartcafé"), "{b}");
            assert!(!text.contains(&name), "{b}: the old name is gone");
        }
    }
}
