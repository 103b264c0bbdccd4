//! Signalen on both backends: a practice nurse passes a bottleneck on to the municipality (a
//! text with a phone number or without the box ticked comes back and nothing is stored), the
//! beleidsmedewerker sees the sender's team but not the person, takes it up, answers (not with
//! an address), groups and closes it, and prints the report; the nurse follows the state and
//! the answer. A team's signal reaches its members only.

use crate::sign_in::sign_in_demo;
use crate::support::{Backend, TestApp, csrf, location};
use axum::http::StatusCode;

fn signal_id(location: &str) -> String {
    location
        .trim_start_matches("/werk/signalen/")
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_signal_goes_to_the_municipality_and_the_loop_closes() {
    for backend in Backend::ALL {
        let app = TestApp::init()
            .with_backend(backend)
            .with_demo()
            .build()
            .await;
        let b = format!("{backend:?}");
        let poh = app.browser();
        sign_in_demo(&poh, "poh").await;
        let form = poh.get("/werk/signalen/nieuw").await;
        assert_eq!(form.status, StatusCode::OK, "{b}: {}", form.body);
        assert!(
            form.body.contains("Geen persoonsgegevens."),
            "{b}: the warning"
        );
        let token = csrf(&form.body);

        // Personal data in the text, the box not ticked: named, nothing stored.
        let r = poh
            .post(
                "/werk/signalen/nieuw",
                &[
                    ("csrf", &token),
                    ("theme", "wachtlijst-respijtzorg"),
                    ("area", "de-velden"),
                    (
                        "text",
                        "Mevrouw J. (bel 06-12345678) wacht al weken op dagopvang.",
                    ),
                    ("addressee", "gemeente"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}");
        assert!(r.body.contains("href=\"#text\""), "{b}");
        assert!(r.body.contains("telefoonnummer"), "{b}");
        assert!(r.body.contains("href=\"#no_personal\""), "{b}");
        assert!(r.body.contains("bel 06-12345678"), "{b}: kept as typed");
        assert!(app.store.all_signals().await.unwrap().is_empty(), "{b}");

        let text = "Drie mantelzorgers hoorden deze maand dat de dagopvang in Klazienaveen een wachtlijst van acht weken heeft.";
        let r = poh
            .post(
                "/werk/signalen/nieuw",
                &[
                    ("csrf", &token),
                    ("theme", "wachtlijst-respijtzorg"),
                    ("area", "de-velden"),
                    ("from", "01-11-2026"),
                    ("to", "30-11-2026"),
                    ("text", text),
                    ("addressee", "gemeente"),
                    ("no_personal", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.body);
        let first = signal_id(&location(&r));
        let follow = poh.get(&location(&r)).await;
        assert_eq!(follow.status, StatusCode::OK, "{b}");
        assert!(follow.body.contains("S-20"), "{b}: its reference");
        assert!(follow.body.contains("nieuw"), "{b}");
        assert!(follow.body.contains("01-11-2026 – 30-11-2026"), "{b}");
        // A second one, to group with it.
        let r = poh
            .post(
                "/werk/signalen/nieuw",
                &[
                    ("csrf", &token),
                    ("theme", "wachtlijst-respijtzorg"),
                    (
                        "text",
                        "Ook in Emmen-Noord een wachtlijst voor logeeropvang.",
                    ),
                    ("addressee", "gemeente"),
                    ("no_personal", "1"),
                ],
            )
            .await;
        let second = signal_id(&location(&r));

        // The municipality: the team, not the person.
        let beleid = app.browser();
        sign_in_demo(&beleid, "beleid").await;
        let inbox = beleid.get("/werk/signalen/ontvangen").await;
        assert_eq!(inbox.status, StatusCode::OK, "{b}: {}", inbox.body);
        assert!(inbox.body.contains("2 signalen nog niet opgepakt"), "{b}");
        let file_url = format!("/werk/signalen/ontvangen/{first}");
        let file = beleid.get(&file_url).await;
        assert!(
            file.body.contains("Huisartsenpraktijk Emmermeer"),
            "{b}: the sender's team"
        );
        assert!(!file.body.contains("Petra"), "{b}: not the person");
        assert!(file.body.contains(text), "{b}");
        let token = csrf(&file.body);
        let r = beleid
            .post(&file_url, &[("csrf", &token), ("stap", "oppakken")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.body);
        let r = beleid
            .post(
                &file_url,
                &[
                    ("csrf", &token),
                    ("stap", "beantwoorden"),
                    ("answer", "Mail ons op beleid@emmen.example"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{b}: no address in an answer"
        );
        let answer = "We bespreken de wachtlijst met de aanbieders in het overleg van januari.";
        let r = beleid
            .post(
                &file_url,
                &[
                    ("csrf", &token),
                    ("stap", "beantwoorden"),
                    ("answer", answer),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}");
        let r = beleid
            .post(&file_url, &[("csrf", &token), ("stap", "onzin")])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}");
        // The sender follows it.
        let follow = poh.get(&format!("/werk/signalen/{first}")).await;
        assert!(follow.body.contains("beantwoord"), "{b}");
        assert!(follow.body.contains(answer), "{b}");

        // Grouped, closed, in the report.
        let r = beleid
            .post(
                "/werk/signalen/ontvangen/groeperen",
                &[
                    ("csrf", &token),
                    ("signaal", &first),
                    ("signaal", &second),
                    ("group", "Wachtlijsten respijt 2026"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.body);
        let r = beleid
            .post(&file_url, &[("csrf", &token), ("stap", "sluiten")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}");
        let report = beleid
            .get("/werk/signalen/rapport?van=01-01-2020&tot=31-12-2099")
            .await;
        assert_eq!(report.status, StatusCode::OK, "{b}: {}", report.body);
        assert!(report.body.contains("Wachtlijsten respijt 2026"), "{b}");
        assert!(report.body.contains("Wachtlijst respijtzorg"), "{b}");
        assert!(report.body.contains(answer), "{b}");
        let bad = beleid.get("/werk/signalen/rapport?van=gisteren").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{b}");
        assert_eq!(
            poh.get("/werk/signalen/rapport").await.status,
            StatusCode::FORBIDDEN,
            "{b}"
        );

        // To a team: its members see it, others do not.
        let steunpunt = app
            .store
            .teams()
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.name == "Steunpunt Mantelzorg De Kapstok")
            .unwrap();
        let wijkteam = app.browser();
        sign_in_demo(&wijkteam, "wijkteam").await;
        let form = wijkteam.get("/werk/signalen/nieuw").await;
        let r = wijkteam
            .post(
                "/werk/signalen/nieuw",
                &[
                    ("csrf", &csrf(&form.body)),
                    ("theme", "aanbod-onbekend"),
                    ("area", "de-velden"),
                    (
                        "text",
                        "Huisartsen in De Velden kennen het mantelzorgcafé niet.",
                    ),
                    ("addressee", steunpunt.id.as_str()),
                    ("no_personal", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.body);
        let third = signal_id(&location(&r));
        let consulent = app.browser();
        sign_in_demo(&consulent, "consulent").await;
        let theirs = format!("/werk/signalen/ontvangen/{third}");
        assert_eq!(consulent.get(&theirs).await.status, StatusCode::OK, "{b}");
        assert_eq!(
            beleid.get(&theirs).await.status,
            StatusCode::NOT_FOUND,
            "{b}"
        );
        assert_eq!(poh.get(&theirs).await.status, StatusCode::NOT_FOUND, "{b}");
        assert_eq!(
            poh.get(&format!("/werk/signalen/{third}")).await.status,
            StatusCode::NOT_FOUND,
            "{b}: only the sender follows it"
        );
        let log = app.store.entries_after(0, 100_000).await.unwrap();
        assert_eq!(
            log.iter()
                .filter(|e| e.entry.record_kind == "signal" && e.entry.action == "create")
                .count(),
            3,
            "{b}"
        );
    }
}
