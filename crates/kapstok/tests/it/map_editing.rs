//! Editing the social map over HTTP, on both backends: the steunpunt's redacteur publishes (seen
//! in search, on the page and in the API on the next request), a form with mistakes comes back
//! with its errors and what was typed, changing nothing; an organisation's editor suggests and
//! the steunpunt accepts; an old version is restored; a visitor's report is answered by mail;
//! the freshness list and its check.

use crate::sign_in::sign_in_demo;
use crate::support::{Backend, Browser, TestApp, csrf, demo_service_id, location, result_names};
use axum::http::StatusCode;
use kapstok_app::Clock;
use kapstok_domain::calendar::{SignedDuration, Timestamp};

/// The form's fields as the page fills them (the domain's own filling; the browser suite fills
/// the real form), with the page's form token.
pub(crate) async fn form_fields(app: &TestApp, page: &str, id: &str) -> Vec<(String, String)> {
    let s = app.store.service(id).await.unwrap().unwrap();
    let mut f = kapstok_domain::editing::service_values(&s);
    f.push(("csrf".into(), csrf(page)));
    f
}

pub(crate) fn set(fields: &mut Vec<(String, String)>, key: &str, value: &str) {
    match fields.iter_mut().find(|(k, _)| k == key) {
        Some(f) => f.1 = value.into(),
        None => fields.push((key.into(), value.into())),
    }
}

pub(crate) async fn post_fields(
    b: &Browser,
    url: &str,
    fields: &[(String, String)],
) -> crate::support::Reply {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post(url, &pairs).await
}

#[tokio::test]
async fn redacteuren_edit_review_restore_and_answer() {
    for backend in Backend::ALL {
        let smtp = crate::support::smtp::Smtp::start();
        let clock = Clock::fixed(Timestamp::now());
        let app = TestApp::init()
            .with_backend(backend)
            .with_demo()
            .with_mail(smtp.config())
            .with_clock(clock.clone())
            .build()
            .await;
        let b = format!("{backend:?}");
        let service = demo_service_id("Steunpunt Mantelzorg De Kapstok", "mantelzorgconsulent");
        let edit = format!("/werk/kaart/aanbod/{service}");
        let redactie = app.browser();
        sign_in_demo(&redactie, "redactie").await;

        // The list and the form, filled with the record.
        let list = redactie.get("/werk/kaart").await;
        assert_eq!(list.status, StatusCode::OK, "{b}");
        assert!(list.body.contains(&edit), "{b}");
        let page = redactie.get(&edit).await;
        assert_eq!(page.status, StatusCode::OK, "{b}: {}", page.body);
        let mut fields = form_fields(&app, &page.body, &service).await;
        let original_name = fields.iter().find(|(k, _)| k == "name").unwrap().1.clone();
        assert!(!original_name.is_empty());

        // Mistakes: shown with what was typed, nothing changed.
        let mut wrong = fields.clone();
        set(&mut wrong, "name", "Zwaluwstaart-consulent");
        set(&mut wrong, "email", "geen-adres");
        set(&mut wrong, "opens_mo", "25:00");
        set(&mut wrong, "closes_mo", "17:00");
        let r = post_fields(&redactie, &edit, &wrong).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}");
        assert!(r.body.contains("error-summary"), "{b}");
        assert!(r.body.contains("href=\"#email\""), "{b}");
        assert!(r.body.contains("href=\"#opens_mo\""), "{b}");
        assert!(
            r.body.contains("value=\"Zwaluwstaart-consulent\""),
            "{b}: kept"
        );
        assert!(r.body.contains("value=\"geen-adres\""), "{b}: kept");
        assert!(
            result_names(&app.get("/zoeken?q=zwaluwstaart").await.body).is_empty(),
            "{b}: nothing published"
        );

        // Published: on the next request in search, on the page and in the API.
        set(&mut fields, "name", "Zwaluwstaart-consulent");
        set(&mut fields, "phone", "0591 123 999");
        let r = post_fields(&redactie, &edit, &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.body);
        assert_eq!(location(&r), format!("{edit}?klaar=gepubliceerd"));
        let found = result_names(&app.get("/zoeken?q=zwaluwstaart").await.body);
        assert_eq!(found, vec!["Zwaluwstaart-consulent".to_string()], "{b}");
        assert!(
            app.get(&format!("/aanbod/{service}"))
                .await
                .body
                .contains("0591 123 999")
        );
        let api = app.get(&format!("/api/services/{service}")).await.json();
        assert_eq!(api["name"], "Zwaluwstaart-consulent", "{b}");
        // Saving the same again changes nothing.
        let r = post_fields(&redactie, &edit, &fields).await;
        assert_eq!(location(&r), format!("{edit}?klaar=ongewijzigd"), "{b}");

        // The history: the import's state and the edit, with what changed.
        let history = redactie.get(&format!("{edit}/geschiedenis")).await;
        assert_eq!(history.status, StatusCode::OK, "{b}");
        assert!(history.body.contains("Ruud Redactie"), "{b}");
        assert!(history.body.contains("Zwaluwstaart-consulent"), "{b}");
        assert!(history.body.contains(&original_name), "{b}");
        let v1 = redactie.get(&format!("{edit}/geschiedenis/1")).await;
        assert_eq!(v1.status, StatusCode::OK, "{b}");
        assert!(v1.body.contains(&original_name));

        // Restore version 1: the old name is back, as version 3.
        let r = redactie
            .post(
                &format!("{edit}/geschiedenis/1/terugzetten"),
                &[("csrf", &csrf(&v1.body))],
            )
            .await;
        assert_eq!(location(&r), format!("{edit}?klaar=teruggezet"), "{b}");
        assert!(result_names(&app.get("/zoeken?q=zwaluwstaart").await.body).is_empty());
        assert_eq!(
            app.get(&format!("/api/services/{service}")).await.json()["name"],
            original_name.as_str()
        );
        assert!(
            redactie
                .get(&format!("{edit}/geschiedenis"))
                .await
                .body
                .contains("teruggezet naar versie 1"),
            "{b}"
        );

        // An organisation's editor: only its own records, as suggestions.
        let own = demo_service_id("Vrijwillige Hulpdienst Emmen", "klussendienst");
        let own_edit = format!("/werk/kaart/aanbod/{own}");
        let vera = app.browser();
        sign_in_demo(&vera, "vrijwilligers").await;
        assert_eq!(vera.get(&edit).await.status, StatusCode::NOT_FOUND, "{b}");
        let vlist = vera.get("/werk/kaart").await.body;
        assert!(vlist.contains(&own_edit) && !vlist.contains(&edit), "{b}");
        let page = vera.get(&own_edit).await;
        let mut own_fields = form_fields(&app, &page.body, &own).await;
        set(&mut own_fields, "wait_time", "Binnen een week");
        let r = post_fields(&vera, &own_edit, &own_fields).await;
        assert_eq!(location(&r), format!("{own_edit}?klaar=voorstel"), "{b}");
        let public = format!("/aanbod/{own}");
        assert!(
            !app.get(&public).await.body.contains("Binnen een week"),
            "{b}: not yet"
        );
        assert!(
            vera.get("/werk/kaart")
                .await
                .body
                .contains("wacht op de redactie")
        );
        // Not for the organisation's editor: the review.
        assert_eq!(
            vera.get("/werk/kaart/voorstellen").await.status,
            StatusCode::FORBIDDEN
        );

        // The steunpunt sees the diff and accepts.
        let queue = redactie.get("/werk/kaart/voorstellen").await;
        let href = queue
            .body
            .split("href=\"/werk/kaart/voorstellen/")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(|id| format!("/werk/kaart/voorstellen/{id}"))
            .expect("the suggestion is listed");
        let detail = redactie.get(&href).await;
        assert!(detail.body.contains("Binnen een week"), "{b}: the diff");
        assert!(detail.body.contains("Vera Vrijwilligers"), "{b}");
        let r = redactie
            .post(
                &href,
                &[
                    ("csrf", &csrf(&detail.body)),
                    ("besluit", "aannemen"),
                    ("antwoord", "Dank, staat erop."),
                ],
            )
            .await;
        assert_eq!(
            location(&r),
            "/werk/kaart/voorstellen?klaar=aangenomen",
            "{b}"
        );
        assert!(
            app.get(&public).await.body.contains("Binnen een week"),
            "{b}"
        );
        let again = redactie
            .post(
                &href,
                &[("csrf", &csrf(&detail.body)), ("besluit", "afwijzen")],
            )
            .await;
        assert_eq!(
            location(&again),
            "/werk/kaart/voorstellen?klaar=al-besloten"
        );
        assert!(
            vera.get("/werk/kaart")
                .await
                .body
                .contains("Dank, staat erop."),
            "{b}"
        );

        // A visitor's report: refused when sent at once, by a script, or without text.
        let form_url = format!("/aanbod/{service}/klopt-er-iets-niet");
        let visitor = app.browser();
        assert!(
            app.get(&format!("/aanbod/{service}"))
                .await
                .body
                .contains(&form_url)
        );
        let form = visitor.get(&form_url).await;
        assert_eq!(form.status, StatusCode::OK, "{b}");
        let stamp = form
            .body
            .split("name=\"stempel\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_string();
        let report = [
            ("stempel", stamp.as_str()),
            ("message", "Het spreekuur is op dinsdag, niet op maandag."),
            ("email", "bezoeker@example.org"),
        ];
        let fast = visitor.post(&form_url, &report).await;
        assert_eq!(fast.status, StatusCode::BAD_REQUEST, "{b}");
        assert!(fast.body.contains("heel snel"), "{b}");
        assert!(fast.body.contains("niet op maandag"), "{b}: kept");
        clock.set(clock.now() + SignedDuration::from_secs(10));
        let mut robot = report.to_vec();
        robot.push(("website", "http://spam.example"));
        assert_eq!(
            visitor.post(&form_url, &robot).await.status,
            StatusCode::BAD_REQUEST
        );
        let empty = [("stempel", stamp.as_str()), ("message", " ")];
        assert_eq!(
            visitor.post(&form_url, &empty).await.status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            visitor
                .get("/aanbod/bestaat-niet/klopt-er-iets-niet")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let sent = visitor.post(&form_url, &report).await;
        assert_eq!(sent.status, StatusCode::OK, "{b}: {}", sent.body);
        assert!(sent.body.contains("antwoord per e-mail"), "{b}");

        // In the queue without the address; answered by mail, the address then erased.
        let queue = redactie.get("/werk/kaart/meldingen").await;
        assert!(queue.body.contains("wil antwoord"), "{b}");
        assert!(!queue.body.contains("bezoeker@example.org"), "{b}");
        let href = queue
            .body
            .split("href=\"/werk/kaart/meldingen/")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(|id| format!("/werk/kaart/meldingen/{id}"))
            .unwrap();
        let detail = redactie.get(&href).await;
        assert!(detail.body.contains("niet op maandag"));
        assert!(!detail.body.contains("bezoeker@example.org"), "{b}");
        let r = redactie
            .post(
                &href,
                &[
                    ("csrf", &csrf(&detail.body)),
                    ("antwoord", "Dank u, we hebben het aangepast."),
                ],
            )
            .await;
        assert_eq!(
            location(&r),
            "/werk/kaart/meldingen?klaar=beantwoord",
            "{b}"
        );
        let mail = smtp.wait_for(1).await;
        assert_eq!(mail.len(), 1, "{b}");
        assert!(mail[0].contains("bezoeker@example.org"), "{b}");
        assert!(mail[0].contains("we hebben het aangepast"), "{b}");
        let stored = app.store.corrections(false).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].email, None, "{b}: erased");
        assert!(!stored[0].open);

        // Freshness: the list names services never checked; a check takes one off.
        let due = redactie.get("/werk/kaart/controle").await;
        assert_eq!(due.status, StatusCode::OK, "{b}");
        let n_before = due_count(&app).await;
        assert!(n_before > 0, "{b}");
        let r = redactie
            .post(
                &format!("{edit}/gecontroleerd"),
                &[("csrf", &csrf(&due.body)), ("terug", "controle")],
            )
            .await;
        assert_eq!(
            location(&r),
            "/werk/kaart/controle?klaar=gecontroleerd",
            "{b}"
        );
        let today = kapstok_domain::calendar::date_of(clock.now());
        assert_eq!(
            app.store
                .service(&service)
                .await
                .unwrap()
                .unwrap()
                .assured_date,
            Some(today),
            "{b}"
        );
        assert_eq!(due_count(&app).await, n_before - 1, "{b}");
        assert_eq!(
            redactie
                .get("/werk/kaart/controle?maanden=abc")
                .await
                .status,
            StatusCode::BAD_REQUEST
        );

        // Every change is in the access log, by whom and in which role.
        let log = app.store.entries_after(0, 100_000).await.unwrap();
        let map_changes = log
            .iter()
            .filter(|e| e.entry.record_kind == "social_map" && e.entry.action == "change")
            .count();
        // The edit, the restore, the accepted suggestion, the check.
        assert_eq!(map_changes, 4, "{b}");
        assert!(
            log.iter()
                .any(|e| e.entry.record_kind == "correction" && e.entry.user_id.is_none()),
            "{b}: the visitor's report"
        );
    }
}

/// How many services the steunpunt's list has as due for a check (12 months).
async fn due_count(app: &TestApp) -> usize {
    let editor = app
        .state
        .app()
        .map_editor(&redactie_actor(app).await)
        .await
        .unwrap()
        .unwrap();
    editor
        .review()
        .unwrap()
        .due_for_check(12)
        .await
        .unwrap()
        .len()
}

/// The demo redacteur as the application knows them.
async fn redactie_actor(app: &TestApp) -> kapstok_app::Actor {
    let user = app
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email.as_str() == "redactie@demo.kapstok.nl")
        .unwrap();
    app.state
        .app()
        .signed_in(user.id.as_str(), Timestamp::now().as_second(), "test")
        .await
        .unwrap()
        .unwrap()
}

/// Splits a downloaded table into rows of cells (`;`, CRLF, quotes as Excel writes them).
fn table_rows(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn table_text(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

#[tokio::test]
async fn the_map_as_a_table_for_dutch_excel_down_and_up_with_a_report_per_row() {
    for backend in Backend::ALL {
        let app = TestApp::init()
            .with_backend(backend)
            .with_demo()
            .build()
            .await;
        let b = format!("{backend:?}");
        let redactie = app.browser();
        sign_in_demo(&redactie, "redactie").await;
        let page = redactie.get("/werk/kaart/tabel").await;
        assert_eq!(page.status, StatusCode::OK, "{b}");
        let token = csrf(&page.body);
        let file = redactie.get("/werk/kaart/tabel/sociale-kaart.csv").await;
        assert_eq!(file.status, StatusCode::OK, "{b}");
        assert!(
            file.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv"),
            "{b}"
        );
        assert!(
            file.body.starts_with('\u{feff}'),
            "{b}: a byte-order mark for Excel"
        );
        assert!(file.body.contains("\r\n"), "{b}: CRLF");
        let mut rows = table_rows(file.body.trim_start_matches('\u{feff}'));
        let header = rows[0].clone();
        assert_eq!(header[0], "id");
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        assert_eq!(
            rows.len() - 1,
            app.store.service_lines(None).await.unwrap().len(),
            "{b}"
        );
        // Phone numbers with a + stay text in Excel, and come back without the quote.
        assert!(
            rows.iter().all(|r| !r[col("telefoon")].starts_with('+')),
            "{b}: no cell starts as a formula"
        );

        // Mistakes in two rows: reported by row and column, nothing saved.
        let (first, second) = (rows[1][0].clone(), rows[2][0].clone());
        rows[1][col("naam")] = "Tabelnaam Kievit".into();
        rows[2][col("bedrag")] = "gratis?".into();
        rows[2][col("labels")] = "Bestaat Niet".into();
        let r = redactie
            .post_file(
                "/werk/kaart/tabel",
                &[("csrf", &token)],
                "bestand",
                "kaart.csv",
                &table_text(&rows),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}: {}", r.body);
        assert!(r.body.contains("Rij 3, kolom bedrag"), "{b}: {}", r.body);
        assert!(r.body.contains("Rij 3, kolom labels"), "{b}");
        assert!(r.body.contains("Bestaat Niet"), "{b}");
        assert!(
            result_names(&app.get("/zoeken?q=kievit").await.body).is_empty(),
            "{b}: all or nothing"
        );

        // Fixed, saved as Excel's plain "CSV" (Windows-1252): published in one go.
        rows[2] = table_rows(file.body.trim_start_matches('\u{feff}'))[2].clone();
        rows[1][col("naam")] = "Tabelnaam Kievit Café".into();
        let text = String::from_utf8(table_text(&rows)).unwrap();
        let (cp1252, _, lossy) = encoding_rs::WINDOWS_1252.encode(&text);
        assert!(!lossy);
        let r = redactie
            .post_file(
                "/werk/kaart/tabel",
                &[("csrf", &token)],
                "bestand",
                "kaart.csv",
                &cp1252,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.body);
        assert!(
            r.body.contains("1 gewijzigd en gepubliceerd"),
            "{b}: {}",
            r.body
        );
        assert_eq!(
            result_names(&app.get("/zoeken?q=kievit").await.body),
            vec!["Tabelnaam Kievit Café".to_string()],
            "{b}"
        );
        let v = app
            .store
            .versions(kapstok_app::editing::RecordType::Service, &first)
            .await
            .unwrap();
        assert_eq!(v.len(), 2, "{b}: the import's state and the table's");
        assert!(
            app.store
                .versions(kapstok_app::editing::RecordType::Service, &second)
                .await
                .unwrap()
                .is_empty()
        );

        // Not a table, a wrong column, no file, a foreign token.
        for (bytes, want) in [
            (&b"naam;iets\r\nx;y\r\n"[..], "onbekende kolom: iets"),
            (&b"naam\r\nx\r\n"[..], "de kolom id ontbreekt"),
            (&b""[..], "Kies een bestand"),
        ] {
            let r = redactie
                .post_file(
                    "/werk/kaart/tabel",
                    &[("csrf", &token)],
                    "bestand",
                    "x.csv",
                    bytes,
                )
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}");
            assert!(r.body.contains(want), "{b}: {want}: {}", r.body);
        }
        let r = redactie
            .post_file(
                "/werk/kaart/tabel",
                &[("csrf", "vals")],
                "bestand",
                "x.csv",
                b"id\r\n",
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{b}");

        // An organisation's editor: only its own rows; another's id is refused; a change is a
        // suggestion.
        let vera = app.browser();
        sign_in_demo(&vera, "vrijwilligers").await;
        let token = csrf(&vera.get("/werk/kaart/tabel").await.body);
        let own = table_rows(
            vera.get("/werk/kaart/tabel/sociale-kaart.csv")
                .await
                .body
                .trim_start_matches('\u{feff}'),
        );
        assert!(own.len() > 1 && own.len() < rows.len(), "{b}");
        let mut foreign = own.clone();
        foreign[1][0] = first.clone();
        let r = vera
            .post_file(
                "/werk/kaart/tabel",
                &[("csrf", &token)],
                "bestand",
                "x.csv",
                &table_text(&foreign),
            )
            .await;
        assert!(r.body.contains("onbekend aanbod"), "{b}");
        let mut changed = own.clone();
        changed[1][col("wachttijd")] = "Twee weken".into();
        let r = vera
            .post_file(
                "/werk/kaart/tabel",
                &[("csrf", &token)],
                "bestand",
                "x.csv",
                &table_text(&changed),
            )
            .await;
        assert!(
            r.body.contains("1 gewijzigd en als voorstel verstuurd"),
            "{b}: {}",
            r.body
        );
        assert_eq!(
            app.store
                .suggestions(Some(kapstok_app::editing::SuggestionState::Open), None)
                .await
                .unwrap()
                .len(),
            1,
            "{b}"
        );
    }
}

/// The monthly request to check: organisations with services not checked for a year (or
/// never) get one mail a month at their own address, over real SMTP, naming those services.
#[tokio::test]
async fn organisations_are_asked_once_a_month_to_check_their_records() {
    let smtp = crate::support::smtp::Smtp::start();
    let clock = Clock::fixed(Timestamp::now());
    let app = TestApp::init()
        .with_demo()
        .with_mail(smtp.config())
        .with_clock(clock.clone())
        .build()
        .await;
    let a = app.state.app();
    assert!(
        a.freshness_reminder(&kapstok_app::Actor::visitor())
            .is_none()
    );
    let job = a
        .freshness_reminder(&kapstok_app::Actor::console_operator())
        .unwrap();
    let first = job.run().await.unwrap();
    assert!(first.mailed > 0, "{first:?}");
    let mail = smtp.wait_for(first.mailed).await;
    assert_eq!(mail.len(), first.mailed);
    assert!(mail.iter().all(|m| m.contains("Klopt uw aanbod nog?")));
    assert!(mail.iter().all(|m| m.contains("/werk/kaart")));
    // Once a month: again now sends nothing.
    assert_eq!(job.run().await.unwrap().mailed, 0);
    // An organisation whose services are all checked today is not asked next month.
    let org = app
        .store
        .map_frame()
        .await
        .unwrap()
        .organizations
        .into_iter()
        .find(|o| o.name == "Vrijwillige Hulpdienst Emmen")
        .unwrap();
    let editor = a
        .map_editor(&crate::map_editing::redactie_actor(&app).await)
        .await
        .unwrap()
        .unwrap();
    let review = editor.review().unwrap();
    for l in app.store.service_lines(Some(&org.id)).await.unwrap() {
        review.confirm(&l.id).await.unwrap().unwrap();
    }
    clock.set(clock.now() + SignedDuration::from_hours(24 * 32));
    let second = job.run().await.unwrap();
    assert_eq!(second.mailed, first.mailed - 1, "{second:?}");
    let all = smtp.wait_for(first.mailed + second.mailed).await;
    assert!(
        !all[first.mailed..]
            .iter()
            .any(|m| m.contains("Vrijwillige Hulpdienst Emmen")),
    );
}
