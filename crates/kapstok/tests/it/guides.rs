//! The two guided flows: Respijtzorgwijzer and Mantelzorgtest, through the router as a visitor
//! uses them, plus their data files and what they (do not) keep.

use crate::support::{TestApp, result_names};
use axum::http::StatusCode;

const ACCEPTANCE: &str = "urgent=nee&leeftijd=oudere&aandoening=dementie&pauze=dagprogramma&hoe-vaak=wekelijks&regeling=geen&postcode=7891";

#[tokio::test]
async fn respite_flow_one_question_per_page_with_answers_in_the_url() {
    let app = TestApp::init().with_demo().build().await;
    let start = app.get("/respijtwijzer").await;
    assert_eq!(start.status, StatusCode::OK);
    assert!(start.body.contains("href=\"/respijtwijzer/vraag\""));
    let q1 = app.get("/respijtwijzer/vraag").await;
    assert!(q1.body.contains("Kunt u het nu niet meer volhouden"));
    assert!(q1.body.contains("name=\"stap\" value=\"2\""));
    // Step 3 with the first two answers: previous answers travel as hidden fields, back keeps them.
    let q3 = app
        .get("/respijtwijzer/vraag?stap=3&urgent=nee&leeftijd=oudere")
        .await;
    assert_eq!(q3.status, StatusCode::OK);
    assert!(q3.body.contains("Wat is de belangrijkste reden"));
    assert!(
        q3.body
            .contains("<input type=\"hidden\" name=\"urgent\" value=\"nee\">")
    );
    assert!(
        q3.body
            .contains("<input type=\"hidden\" name=\"leeftijd\" value=\"oudere\">")
    );
    assert!(
        q3.body
            .contains("href=\"/respijtwijzer/vraag?stap=2&#38;urgent=nee&#38;leeftijd=oudere\"")
    );
    let back = app
        .get("/respijtwijzer/vraag?stap=2&urgent=nee&leeftijd=oudere")
        .await;
    assert!(
        back.body.contains("value=\"oudere\" checked"),
        "going back keeps the answer"
    );
}

#[tokio::test]
async fn respite_flow_refuses_missing_and_unknown_answers() {
    let app = TestApp::init().with_demo().build().await;
    let skipped = app.get("/respijtwijzer/vraag?stap=3&urgent=nee").await;
    assert_eq!(skipped.status, StatusCode::BAD_REQUEST);
    assert!(
        skipped.body.contains("Hoe oud is degene"),
        "the unanswered question is asked again"
    );
    assert!(skipped.body.contains("Kies een van de antwoorden"));
    let unknown = app
        .get("/respijtwijzer/vraag?stap=3&urgent=nee&leeftijd=baby")
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.body.contains("Dit antwoord kennen we niet"));
    let bad_step = app.get("/respijtwijzer/vraag?stap=x").await;
    assert_eq!(bad_step.status, StatusCode::BAD_REQUEST);
    let bad_postcode = app
        .get(&format!(
            "/respijtwijzer/resultaat?{}",
            ACCEPTANCE.replace("postcode=7891", "postcode=abcd")
        ))
        .await;
    assert_eq!(bad_postcode.status, StatusCode::BAD_REQUEST);
    assert!(bad_postcode.body.contains("is geen geldige postcode"));
    assert!(bad_postcode.body.contains("Wat is de postcode"));
}

#[tokio::test]
async fn urgent_answer_shows_whom_to_call_today_and_allows_continuing() {
    let app = TestApp::init().with_demo().build().await;
    let r = app.get("/respijtwijzer/vraag?stap=2&urgent=ja").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Hebt u vandaag hulp nodig?"));
    assert!(
        r.body.contains("Sociaal wijkteam"),
        "contacts from the social map"
    );
    assert!(
        r.body.contains("Hoe oud is degene"),
        "and the next question"
    );
}

#[tokio::test]
async fn day_programme_for_a_parent_with_dementia_in_7891_without_indication() {
    let app = TestApp::init().with_demo().build().await;
    let r = app
        .get(&format!("/respijtwijzer/resultaat?{ACCEPTANCE}"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let names = result_names(&r.body);
    assert!(names[0].contains("Klazienaveen"), "{names:?}");
    let first = &r.body[r.body.find("Aanbod dat bij u past").unwrap()..];
    let first = &first[..first.find("</li>\n  \n").unwrap_or(first.len())];
    assert!(first.contains("Wmo (gemeente)"), "funding Wmo");
    assert!(
        first.contains("Volgende stap: Wmo-toegang / steunpunt"),
        "next step"
    );
    assert!(
        !first[..first.find("</li>").unwrap()].contains("Wlz (zorgkantoor)"),
        "no Wlz without an indication"
    );
    assert!(r.body.contains("Uw situatie"));
    assert!(r.body.contains("Elke week"));
}

#[tokio::test]
async fn a_child_staying_overnight_goes_through_the_jeugdwet() {
    let app = TestApp::init().with_demo().build().await;
    let r = app
        .get("/respijtwijzer/resultaat?urgent=nee&leeftijd=kind&aandoening=verstandelijke-beperking&pauze=logeren&hoe-vaak=af-en-toe&regeling=geen&postcode=")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let names = result_names(&r.body);
    assert!(
        names
            .iter()
            .any(|n| n.contains("Logeerweekend voor kinderen")),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.starts_with("Logeeropvang")),
        "adult respite (18+) is not offered for a child: {names:?}"
    );
    assert!(r.body.contains("Jeugdwet (gemeente)"));
    assert!(r.body.contains("jeugdconsulent"));
}

#[tokio::test]
async fn volunteer_help_at_home_needs_no_indication() {
    let app = TestApp::init().with_demo().build().await;
    let r = app
        .get("/respijtwijzer/resultaat?urgent=nee&leeftijd=volwassene&aandoening=chronische-ziekte&pauze=thuis-uren&hoe-vaak=wekelijks&regeling=weet-niet&postcode=7761")
        .await;
    let names = result_names(&r.body);
    assert!(
        names[0].contains("Vrijwillige respijtzorg thuis Schoonebeek"),
        "{names:?}"
    );
    assert!(r.body.contains("er is geen indicatie of beschikking nodig"));
}

#[tokio::test]
async fn self_check_scores_shows_help_and_keeps_only_an_anonymous_count() {
    let app = TestApp::init().with_demo().build().await;
    let list = app.get("/mantelzorgtest").await;
    assert!(list.body.contains("href=\"/mantelzorgtest/indicatief\""));
    assert!(list.body.contains("Indicatief: geen gevalideerde meting"));
    let form = app.get("/mantelzorgtest/indicatief").await;
    assert!(form.body.contains("method=\"post\""));
    assert!(form.body.contains("Uw antwoorden worden niet bewaard"));

    let incomplete = app
        .post_form("/mantelzorgtest/indicatief", "v0=4&v1=1&postcode=7891AB")
        .await;
    assert_eq!(incomplete.status, StatusCode::BAD_REQUEST);
    assert!(incomplete.body.contains("Vraag 3: kies een antwoord"));
    assert!(
        incomplete
            .body
            .contains("id=\"v0-4\" name=\"v0\" value=\"4\" checked"),
        "answers kept"
    );

    let done = app
        .post_form(
            "/mantelzorgtest/indicatief",
            "v0=4&v1=1&v2=1&v3=1&v4=1&v5=0&v6=1&postcode=7891AB",
        )
        .await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.body.contains("U bent mogelijk overbelast"));
    assert!(done.body.contains("Dit is een indicatie"));
    assert!(
        done.body.contains("Respijtzorg"),
        "help from the social map"
    );
    assert!(done.body.contains("Klazienaveen"), "near the postcode");
    assert!(done.body.contains("href=\"/respijtwijzer\""));

    let counts = kapstok_store::TallyStore::self_check_counts(app.store.as_ref())
        .await
        .unwrap();
    assert_eq!(counts.len(), 1);
    let (tally, n) = &counts[0];
    assert_eq!(
        (
            tally.instrument.as_str(),
            tally.band.as_str(),
            tally.area_code.as_deref(),
            *n
        ),
        ("indicatief", "overbelast", Some("de-blokken"), 1)
    );
    assert_eq!(tally.month.len(), 7);

    // The database holds no answers and no postcode: only the social map and the tally.
    let db = std::fs::read(app.dir.path().join("kapstok.db")).unwrap();
    let wal = std::fs::read(app.dir.path().join("kapstok.db-wal")).unwrap_or_default();
    for haystack in [&db, &wal] {
        assert!(
            !haystack.windows(6).any(|w| w == b"7891AB"),
            "postcode stored"
        );
        assert!(!haystack.windows(4).any(|w| w == b"v0=4"), "answers stored");
    }
}

/// The real program at the most verbose log level: a self-check and a respite result leave no
/// answer and no postcode in its log.
#[test]
fn nothing_personal_reaches_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let mut command =
        crate::support::Kapstok::new(dir.path()).command(&["serve", "--listen", "127.0.0.1:0"]);
    // Most verbose level, into a file (a pipe nobody reads would fill up and stall the server).
    command
        .env("RUST_LOG", "trace")
        .stderr(std::fs::File::create(dir.path().join("log.txt")).unwrap());
    let mut server = crate::support::binary::start(command);
    let addr = server.addr.clone();
    let send = |request: String| crate::support::raw_http(&addr, &request);
    let body = "v0=3&v1=1&v2=1&v3=0&v4=1&v5=0&v6=1&postcode=7891XQ";
    let answer = send(format!(
        "POST /mantelzorgtest/indicatief HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "{}",
        &answer[..60.min(answer.len())]
    );
    let respite = send(format!(
        "GET /respijtwijzer/resultaat?{} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        ACCEPTANCE.replace("7891", "7891XQ")
    ));
    assert!(
        respite.starts_with("HTTP/1.1 200"),
        "{}",
        &respite[..60.min(respite.len())]
    );
    server.kill();
    let logged = std::fs::read_to_string(dir.path().join("log.txt")).unwrap();
    assert!(
        logged.contains("/mantelzorgtest/indicatief")
            && logged.contains("/respijtwijzer/resultaat"),
        "requests are logged"
    );
    // Not a bare "7891": log timestamps may hold those digits.
    for secret in [
        "7891XQ",
        "7891 XQ",
        "postcode=",
        "v0=3",
        "dagprogramma",
        "regeling=geen",
    ] {
        assert!(!logged.contains(secret), "'{secret}' is in the log");
    }
}

const SYNTHETIC: &str = r#"id = "synthetisch"
title = "Synthetische test"
intro = "Alleen voor tests."
indicative = false
scale = { min = 0, max = 1 }

[[item]]
id = "a"
text = "Vraag A"
options = [{ label = "nee", score = 0 }, { label = "ja", score = 1 }]

[[band]]
id = "laag"
min = 0
max = 0
label = "Laag"
meaning = "laag"

[[band]]
id = "hoog"
min = 1
max = 1
label = "Hoog"
meaning = "hoog"
help = ["functie:respijtzorg"]
"#;

#[test]
fn deployments_add_instruments_from_their_own_folder_and_bad_files_stop_the_start() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("synthetisch.toml"), SYNTHETIC).unwrap();
    let args = kapstok::config::ServeArgs {
        instruments: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let guides = kapstok::commands::load_guides(&args).unwrap();
    assert_eq!(
        guides
            .instruments
            .iter()
            .map(|i| i.id.as_str())
            .collect::<Vec<_>>(),
        vec!["indicatief", "synthetisch"]
    );

    std::fs::write(
        dir.path().join("kapot.toml"),
        SYNTHETIC.replace("max = 0\n", "max = 1\n"),
    )
    .unwrap();
    let err = kapstok::commands::load_guides(&args)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("kapot.toml:") && err.contains("overlaps"),
        "{err}"
    );

    let guide = dir.path().join("gids.toml");
    std::fs::write(
        &guide,
        kapstok_domain::respite::DEFAULT_GUIDE
            .replace("routes = [\"zvw\"]", "routes = [\"zvw\", \"loterij\"]"),
    )
    .unwrap();
    let args = kapstok::config::ServeArgs {
        respite_guide: Some(guide),
        ..Default::default()
    };
    let err = kapstok::commands::load_guides(&args)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("gids.toml:") && err.contains("loterij"),
        "{err}"
    );
}

#[tokio::test]
async fn a_deployments_own_instrument_is_offered_and_scored() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("synthetisch.toml"), SYNTHETIC).unwrap();
    let args = kapstok::config::ServeArgs {
        instruments: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let app = TestApp::init()
        .with_demo()
        .with_guides(kapstok::commands::load_guides(&args).unwrap())
        .build()
        .await;
    let list = app.get("/mantelzorgtest").await;
    assert!(list.body.contains("href=\"/mantelzorgtest/synthetisch\""));
    let form = app.get("/mantelzorgtest/synthetisch").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Synthetische test"));
}
