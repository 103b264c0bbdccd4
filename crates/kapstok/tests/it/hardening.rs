//! What an outside probe of the public site and the importers found (issue 9), one test per class.

use crate::cli::kapstok;
use crate::support::{Kapstok, TestApp, raw_http};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use kapstok_domain::hsds::{KnownIds, parse_directory};
use kapstok_web::server::Limits;
use serde_json::Value;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

// 1. Redirects -----------------------------------------------------------------------------

#[tokio::test]
async fn the_language_switch_only_redirects_to_this_site() {
    let app = TestApp::init().with_demo().build().await;
    for (terug, expected) in [
        ("/%09/evil.example", "/%09/evil.example"),
        ("%2F%0A%2Fevil.example", "/%0A/evil.example"),
        ("/%0D%0A/evil.example", "/%0D%0A/evil.example"),
        ("/%5C/evil.example", "/%5C/evil.example"),
        ("%5C%5Cevil.example", "/"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/%E3%80%80/evil.example", "/%E3%80%80/evil.example"),
        (
            "/zoeken%3Fq%3Ddag%2520besteding",
            "/zoeken?q=dag%20besteding",
        ),
    ] {
        let r = app.get(&format!("/taal/en?terug={terug}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{terug}");
        let location = r.headers["location"].to_str().unwrap();
        assert_eq!(location, expected, "{terug}");
        assert!(location.starts_with('/') && !location.starts_with("//"));
        assert!(location.bytes().all(|b| b.is_ascii_graphic() && b != b'\\'));
    }
}

// 2. Slow and idle connections -------------------------------------------------------------

/// Reads until the server closes the connection; `Some(what was read)` if it did within `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => all.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .ok()?;
    Some(String::from_utf8_lossy(&all).into_owned())
}

async fn get_over_tcp(addr: SocketAddr, path: &str) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    closed_within(&mut s, Duration::from_secs(5))
        .await
        .expect("answered")
}

fn limits(header: u64, idle: u64, max: usize, per_client: usize) -> Limits {
    Limits {
        header_timeout: Duration::from_secs(header),
        idle_timeout: Duration::from_secs(idle),
        max_connections: max,
        max_connections_per_client: per_client,
    }
}

#[tokio::test]
async fn slow_and_idle_clients_are_cut_off_and_the_caps_answer_busy() {
    let app = TestApp::init().with_demo().build().await;
    let second = Duration::from_secs(1);
    // Each timeout on a server where the other one is long, so each is shown to work by itself.
    let header_only = app.serve(limits(1, 10, 512, 512)).await;
    let idle_only = app.serve(limits(10, 1, 512, 512)).await;
    let capped = app.serve(limits(2, 2, 8, 8)).await;
    let per_client = app.serve(limits(2, 2, 512, 4)).await;
    let started = Instant::now();

    let half_lines = async {
        let addr = header_only.addr;
        let mut conns = Vec::new();
        for _ in 0..50 {
            let mut s = TcpStream::connect(addr).await.unwrap();
            s.write_all(b"GET /zoe").await.unwrap();
            conns.push(s);
        }
        // Meanwhile normal visitors are served at once.
        let t = Instant::now();
        assert!(get_over_tcp(addr, "/").await.starts_with("HTTP/1.1 200"));
        assert!(t.elapsed() < 2 * second, "{:?}", t.elapsed());
        for s in &mut conns {
            assert!(
                closed_within(s, 4 * second).await.is_some(),
                "half a request line is cut off by the header timeout"
            );
        }
    };

    let trickle = async {
        let s = TcpStream::connect(header_only.addr).await.unwrap();
        let (mut r, mut w) = s.into_split();
        let writer = tokio::spawn(async move {
            let head = format!("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: {}", "a".repeat(200));
            for b in head.bytes() {
                if w.write_all(&[b]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
        let t = Instant::now();
        let mut buf = [0u8; 64];
        let _ = tokio::time::timeout(6 * second, r.read(&mut buf)).await;
        assert!(
            t.elapsed() < 4 * second,
            "headers trickled byte by byte are cut off after the header timeout ({:?})",
            t.elapsed()
        );
        writer.abort();
    };

    let idle_keep_alive = async {
        let mut s = TcpStream::connect(idle_only.addr).await.unwrap();
        s.write_all(b"GET /static/kapstok.css HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let t = Instant::now();
        let got = closed_within(&mut s, 6 * second)
            .await
            .expect("an idle kept-alive connection is closed");
        assert!(got.starts_with("HTTP/1.1 200"), "{got}");
        // The header timeout is 10 s here: only the idle timer can have closed it this soon.
        assert!(
            t.elapsed() >= Duration::from_millis(500) && t.elapsed() < 5 * second,
            "{:?}",
            t.elapsed()
        );
    };

    let stalled_reader = async {
        // A client that asks for a long answer and never reads it.
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let mut s = socket.connect(idle_only.addr).await.unwrap();
        s.write_all(b"GET /api/services?per_page=100 HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        tokio::time::sleep(3 * second).await;
        // By now the server gave up; reading finds the end (or a reset), not a live connection.
        let mut sink = Vec::new();
        let ended = tokio::time::timeout(3 * second, async {
            loop {
                let mut buf = [0u8; 65536];
                match s.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => sink.extend_from_slice(&buf[..n]),
                }
            }
        })
        .await;
        assert!(ended.is_ok(), "a stalled reader is cut off");
    };

    let cap = async {
        let mut conns = Vec::new();
        for _ in 0..8 {
            conns.push(TcpStream::connect(capped.addr).await.unwrap());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        let busy = get_over_tcp(capped.addr, "/").await;
        assert!(busy.starts_with("HTTP/1.1 503"), "{busy}");
        assert!(busy.contains("content-security-policy: default-src 'none'"));
        assert!(busy.contains("x-content-type-options: nosniff"));
        assert!(busy.contains("<html lang=\"nl\"") && busy.contains("Het is even te druk"));
        for s in &mut conns {
            assert!(closed_within(s, 5 * second).await.is_some());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(
            get_over_tcp(capped.addr, "/")
                .await
                .starts_with("HTTP/1.1 200")
        );
    };

    let one_client = async {
        // One client may hold 4 connections here; the fifth is refused, not queued.
        let mut conns = Vec::new();
        for _ in 0..4 {
            conns.push(TcpStream::connect(per_client.addr).await.unwrap());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(
            get_over_tcp(per_client.addr, "/")
                .await
                .starts_with("HTTP/1.1 503")
        );
        drop(conns);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(
            get_over_tcp(per_client.addr, "/")
                .await
                .starts_with("HTTP/1.1 200")
        );
    };

    tokio::join!(
        half_lines,
        trickle,
        idle_keep_alive,
        stalled_reader,
        cap,
        one_client
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    for server in [header_only, idle_only, capped, per_client] {
        server.stop().await;
    }
}

// 3. Cross-site writes -----------------------------------------------------------------------

const ANSWERS: &str = "v0=4&v1=1&v2=1&v3=1&v4=1&v5=0&v6=1&postcode=7891AB";

fn self_check_post(content_type: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut r = Request::post("/mantelzorgtest/indicatief")
        .header("host", "kapstok.example")
        .header("content-type", content_type);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.body(Body::from(ANSWERS)).unwrap()
}

async fn tally(app: &TestApp) -> i64 {
    kapstok_store::TallyStore::self_check_counts(app.store.as_ref())
        .await
        .unwrap()
        .iter()
        .map(|(_, n)| n)
        .sum()
}

#[tokio::test]
async fn cross_site_and_non_form_posts_are_refused_and_posts_are_throttled() {
    let app = TestApp::init()
        .with_demo()
        .with_web_config(kapstok_web::state::WebConfig {
            writes_per_minute: 20,
            ..Default::default()
        })
        .build()
        .await;
    let form = "application/x-www-form-urlencoded";
    for _ in 0..1000 {
        let r = app
            .request(self_check_post(
                "text/plain",
                &[("origin", "https://evil.example")],
            ))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    let r = app
        .request(self_check_post(form, &[("origin", "https://evil.example")]))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Dit formulier kwam niet van deze website"));
    assert!(r.headers.contains_key("content-security-policy"));
    let r = app
        .request(self_check_post(form, &[("sec-fetch-site", "cross-site")]))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for ct in [
        "text/plain",
        "application/json",
        "multipart/form-data; boundary=x",
    ] {
        let r = app.request(self_check_post(ct, &[])).await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct}");
        assert!(r.body.contains("Dit formulier kunnen we niet lezen"));
    }
    assert_eq!(tally(&app).await, 0, "nothing refused was counted");

    // The site's own form: counted, up to the per-client budget.
    let same_site = [
        ("origin", "https://kapstok.example"),
        ("sec-fetch-site", "same-origin"),
    ];
    let mut ok = 0;
    let mut throttled = None;
    for _ in 0..40 {
        let r = app.request(self_check_post(form, &same_site)).await;
        match r.status {
            StatusCode::OK => ok += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                throttled = Some(r);
                break;
            }
            other => panic!("{other}"),
        }
    }
    // 20 at once; one more if the loop took longer than the 3 s in which one refills.
    assert!((20..=21).contains(&ok), "{ok}");
    let throttled = throttled.expect("throttled");
    assert_eq!(throttled.headers["retry-after"], "60");
    assert!(throttled.body.contains("Even wachten"));
    assert_eq!(tally(&app).await, ok);
    // Another client still gets through.
    let mut other = self_check_post(form, &same_site);
    other
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 7], 4000))));
    assert_eq!(app.request(other).await.status, StatusCode::OK);
    assert_eq!(tally(&app).await, ok + 1);
}

// 4, 7, 8, 10. What an HSDS import accepts ---------------------------------------------------

fn demo_export(app_export: &str) -> Value {
    serde_json::from_str(app_export).unwrap()
}

fn problems_of(doc: &Value) -> String {
    match parse_directory(&doc.to_string(), &KnownIds::default()) {
        Ok(_) => String::new(),
        Err(p) => p
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[tokio::test]
async fn imports_refuse_script_links_duplicate_ids_and_oversized_fields_and_accept_a_bom() {
    let app = TestApp::init().with_demo().build().await;
    let export = app.export().await;
    let clean = demo_export(&export);
    assert_eq!(problems_of(&clean), "", "the demo itself passes");
    // A byte-order mark, as Windows tools write it.
    assert!(parse_directory(&format!("\u{feff}{export}"), &KnownIds::default()).is_ok());

    let mut doc = clean.clone();
    doc["organizations"][0]["website"] = "javascript:alert(1)".into();
    doc["services"][0]["url"] = " JavaScript:alert(document.cookie)".into();
    doc["services"][1]["email"] = "javascript:alert(1)//@x.nl".into();
    doc["services"][2]["contacts"] = serde_json::json!([{"id": "c1", "email": "geen adres"}]);
    let p = problems_of(&doc);
    for needle in [
        "organizations[0]",
        "field website: 'javascript:alert(1)' is not a web address",
        "field url: ' JavaScript:alert(document.cookie)' is not a web address",
        "field email: 'javascript:alert(1)//@x.nl' is not an e-mail address",
        "field contacts[0].email: 'geen adres' is not an e-mail address",
    ] {
        assert!(p.contains(needle), "{needle} not in\n{p}");
    }

    let mut doc = clean.clone();
    let first_sal = doc["services"][0]["service_at_locations"][0]["id"].clone();
    doc["services"][1]["service_at_locations"][0]["id"] = first_sal.clone();
    doc["organizations"][0]["phones"] = serde_json::json!([
        {"id": "p1", "number": "0591 000 001"},
        {"id": "p1", "number": "0591 000 002"}
    ]);
    let p = problems_of(&doc);
    assert!(
        p.contains(&format!(
            "services[1] (id {}), field service_at_locations[0].id: id {} is used twice (first in services[0] service_at_locations[0])",
            doc["services"][1]["id"].as_str().unwrap(),
            first_sal.as_str().unwrap()
        )),
        "{p}"
    );
    assert!(p.contains("field phones[1].id: id p1 is used twice"), "{p}");

    let mut doc = clean.clone();
    doc["services"][0]["description"] = "x".repeat(10_001).into();
    doc["services"][1]["name"] = "n".repeat(1_001).into();
    doc["organizations"][1]["phones"] = serde_json::json!([{"id": "p9", "number": "1".repeat(51)}]);
    let p = problems_of(&doc);
    for needle in [
        "field description: is longer than 10000 characters (10001)",
        "field name: is longer than 1000 characters (1001)",
        "field phones[0].number: is longer than 50 characters (51)",
    ] {
        assert!(p.contains(needle), "{needle} not in\n{p}");
    }

    // A page's place (the basic functions on the home page, …) is held by one taxonomy only.
    let mut doc = clean.clone();
    doc["taxonomies"][0]["kapstok_role"] = "function".into();
    doc["taxonomies"][1]["kapstok_role"] = "function".into();
    let p = problems_of(&doc);
    assert!(p.contains("is given to two taxonomies"), "{p}");

    // Coordinates outside the Netherlands for a Dutch address: swapped, most likely.
    let mut doc = clean.clone();
    let (i, j) = doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .find_map(|(i, s)| {
            s["service_at_locations"]
                .as_array()
                .filter(|l| !l.is_empty())
                .map(|_| (i, 0))
        })
        .unwrap();
    let location = &mut doc["services"][i]["service_at_locations"][j]["location"];
    location["latitude"] = 6.9.into();
    location["longitude"] = 52.78.into();
    let p = problems_of(&doc);
    assert!(p.contains("lies outside the Netherlands"), "{p}");

    // Through the command: refused with the record named, nothing changed, no SQLite message.
    let file = app.dir.path().join("dup.json");
    let mut doc = clean.clone();
    doc["services"][1]["service_at_locations"][0]["id"] = first_sal;
    std::fs::write(&file, format!("\u{feff}{doc}")).unwrap();
    let err = kapstok::commands::import_hsds(&app.importer(), &file)
        .await
        .expect_err("refused");
    assert!(!format!("{err:#}").contains("UNIQUE"), "{err:#}");
    assert_eq!(app.export().await, export);
}

#[tokio::test]
async fn pages_link_only_web_and_mail_addresses_even_from_stored_records() {
    let app = TestApp::init().with_demo().build().await;
    let mut dir = kapstok_store::SocialMapRead::load_directory(app.store.as_ref())
        .await
        .unwrap();
    dir.services[0].url = Some("javascript:alert(1)".into());
    dir.services[0].email = Some("javascript:alert(1)".into());
    dir.organizations[0].website = Some("data:text/html,x".into());
    let (service, org) = (dir.services[0].id.clone(), dir.organizations[0].id.clone());
    kapstok_store::SocialMapWrite::import_directory(app.store.as_ref(), &dir)
        .await
        .unwrap();
    app.refresh().await;
    let page = app.get(&format!("/aanbod/{service}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("javascript:"), "service page");
    // A bad service address falls back to the organisation's good one.
    let owner = dir
        .organizations
        .iter()
        .find(|o| o.id == dir.services[0].organization_id)
        .unwrap();
    if let Some(email) = &owner.email {
        assert!(page.body.contains(&format!("mailto:{email}")), "{email}");
    }
    let page = app.get(&format!("/organisaties/{org}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("data:text"), "organisation page");
    // The API hands out no such links either.
    for uri in [
        format!("/api/services/{service}"),
        format!("/api/organizations/{org}"),
        "/api/organizations?per_page=100".to_string(),
    ] {
        let body = app.get(&uri).await.body;
        assert!(
            !body.contains("javascript:") && !body.contains("data:text"),
            "{uri}"
        );
    }
}

// 5. Caches -------------------------------------------------------------------------------------

#[tokio::test]
async fn pages_with_answers_or_a_postcode_are_never_stored() {
    let app = TestApp::init().with_demo().build().await;
    let cache = |r: &crate::support::Reply| {
        r.headers
            .get("cache-control")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    for uri in [
        "/respijtwijzer/resultaat?urgent=nee&leeftijd=volwassene&aandoening=dementie&pauze=dagbesteding&hoe-vaak=wekelijks&regeling=geen&postcode=7891",
        "/respijtwijzer/vraag?urgent=nee",
        "/zoeken?q=oppas&postcode=7891",
        "/api/services?postcode=7891",
        "/mantelzorgtest/indicatief",
        "/bestaat-niet",
    ] {
        assert_eq!(cache(&app.get(uri).await), "no-store", "{uri}");
    }
    let result = app
        .request(self_check_post("application/x-www-form-urlencoded", &[]))
        .await;
    assert_eq!(result.status, StatusCode::OK);
    assert_eq!(cache(&result), "no-store");
    for uri in ["/", "/zoeken?q=oppas", "/api/services", "/respijtwijzer"] {
        let r = app.get(uri).await;
        assert_eq!(cache(&r), "no-cache", "{uri}");
    }
    assert!(app.get("/").await.headers["vary"] == "Cookie");
    assert_eq!(
        cache(&app.get("/static/kapstok.css").await),
        "public, max-age=3600"
    );
}

// 6, 9, 10. Postcode and area tables ----------------------------------------------------------

#[test]
fn an_empty_areas_file_is_refused_unless_forced_and_postcodes_must_be_plausible() {
    let dir = tempfile::tempdir().unwrap();
    assert!(kapstok(dir.path(), &["demo"]).0);
    // What the index holds, without the time it took.
    let areas = |dir: &std::path::Path| {
        let (ok, out, err) = kapstok(dir, &["reindex"]);
        assert!(ok, "{err}");
        out.split_once(" s: ")
            .map(|(_, rest)| rest.to_string())
            .unwrap_or(out)
    };
    assert!(areas(dir.path()).contains(", 6 gebieden"));

    let empty = dir.path().join("leeg.csv");
    std::fs::write(
        &empty,
        "\u{feff}area_code,area_name,municipality,postcode\n",
    )
    .unwrap();
    let (ok, _, err) = kapstok(dir.path(), &["import", "areas", empty.to_str().unwrap()]);
    assert!(!ok);
    assert!(
        err.contains("zou alle 6 bestaande gebieden wissen") && err.contains("--force"),
        "{err}"
    );
    assert!(
        areas(dir.path()).contains(", 6 gebieden"),
        "nothing changed"
    );
    let (ok, _, err) = kapstok(
        dir.path(),
        &["import", "areas", "--force", empty.to_str().unwrap()],
    );
    assert!(ok, "{err}");
    assert!(areas(dir.path()).contains(", 0 gebieden"));

    let bad = dir.path().join("pc.csv");
    std::fs::write(
        &bad,
        "pc6,woonplaats,addresses,lat,lon\n7811AA,Emmen,12,52.78,6.89\n7811AB,Emmen,3,0,0\n7811AC,Emmen,3,40.7,-74.0\n7811AD,Emmen,veel,52.78,6.89\n7811AE,Emmen,4,6.89,52.78\n",
    )
    .unwrap();
    let before = areas(dir.path());
    let (ok, _, err) = kapstok(dir.path(), &["import", "postcodes", bad.to_str().unwrap()]);
    assert!(!ok);
    for needle in [
        "regel 3: coördinaten 0, 0 liggen niet in Nederland",
        "regel 4: coördinaten 40.7, -74.0 liggen niet in Nederland",
        "regel 5: aantal adressen 'veel' is geen geheel getal",
        "regel 6: coördinaten 6.89, 52.78 liggen niet in Nederland",
        "niets veranderd",
    ] {
        assert!(err.contains(needle), "{needle} not in\n{err}");
    }
    assert!(!err.contains("regel 2"), "{err}");
    assert_eq!(areas(dir.path()), before, "no postcode was written");

    // Another country, when configured.
    let ny = dir.path().join("ny.csv");
    std::fs::write(&ny, "pc4,lat,lon\n1000,40.7,-74.0\n").unwrap();
    let (ok, _, err) = kapstok(
        dir.path(),
        &[
            "import",
            "postcodes",
            "--bounds",
            "40,-75,41,-73",
            ny.to_str().unwrap(),
        ],
    );
    assert!(ok, "{err}");
}

// 11. Searches whose words all fall away -------------------------------------------------------

#[tokio::test]
async fn a_search_whose_words_fall_away_finds_nothing_and_says_so() {
    let app = TestApp::init().with_demo().build().await;
    let long = "x".repeat(41);
    for q in [
        long.as_str(),
        "%F0%9F%98%80",
        "%F0%9F%98%80%F0%9F%99%82",
        "---",
    ] {
        let api = app.get(&format!("/api/services?search={q}")).await.json();
        assert_eq!(api["total_items"], 0, "{q}");
        let page = app.get(&format!("/zoeken?q={q}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Deze woorden kennen we niet"), "{q}");
    }
    let page = app.get(&format!("/zoeken?q={long}")).await;
    assert!(
        page.body
            .contains(&format!("<strong>{}…</strong>", "x".repeat(40)))
    );
    let page = app.get("/zoeken?q=%F0%9F%98%80").await;
    assert!(page.body.contains("<strong>😀</strong>"));
    // A long word next to a real one narrows, it does not widen.
    let api = app
        .get(&format!("/api/services?search=dagbesteding%20{long}"))
        .await
        .json();
    assert_eq!(api["total_items"], 0);
    // An empty search still lists everything.
    let all = app.get("/api/services").await.json();
    assert_eq!(all["total_items"], 152);
}

// 12. Every response carries the security headers and a body --------------------------------

fn assert_full_answer(response: &str, status: u16, api: bool, what: &str) {
    assert!(
        response.starts_with(&format!("HTTP/1.1 {status} ")),
        "{what}: {}",
        &response[..response.len().min(200)]
    );
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((response, ""));
    let head = head.to_ascii_lowercase();
    for h in [
        "content-security-policy: default-src 'none'",
        "x-content-type-options: nosniff",
        "x-frame-options: deny",
        "referrer-policy: same-origin",
    ] {
        assert!(head.contains(h), "{what}: {h} missing in\n{head}");
    }
    if api {
        assert!(head.contains("content-type: application/json"), "{what}");
        let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{what}: {e}: {body}"));
        assert!(v["error"].is_string() && v["message"].is_string(), "{what}");
    } else {
        assert!(head.contains("content-type: text/html"), "{what}\n{head}");
        assert!(body.contains("<html lang=\"nl\""), "{what}: {body}");
        assert!(body.contains("Naar de startpagina"), "{what}");
    }
}

#[tokio::test]
async fn every_error_is_a_page_or_json_with_the_security_headers() {
    let app = TestApp::init().with_demo().build().await;
    let server = app.serve(Limits::default()).await;
    let addr = server.addr;
    let send = |raw: Vec<u8>| async move {
        let mut s = TcpStream::connect(addr).await.unwrap();
        let _ = s.write_all(&raw).await;
        closed_within(&mut s, Duration::from_secs(5))
            .await
            .expect("answered and closed")
    };
    let req = |line: &str, extra: &str| {
        format!("{line}\r\nHost: localhost\r\nConnection: close\r\n{extra}\r\n").into_bytes()
    };
    let many_headers: String = (0..150).map(|i| format!("X-H{i}: v\r\n")).collect();
    let cases: Vec<(&str, Vec<u8>, u16, bool)> = vec![
        (
            "405 api",
            req("POST /api/services HTTP/1.1", "Content-Length: 0\r\n"),
            405,
            true,
        ),
        ("405 page", req("DELETE / HTTP/1.1", ""), 405, false),
        (
            "413",
            req(
                "POST /mantelzorgtest/indicatief HTTP/1.1",
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 5000000\r\n",
            ),
            413,
            false,
        ),
        (
            "414",
            req(
                &format!("GET /zoeken?q={} HTTP/1.1", "a".repeat(40_000)),
                "",
            ),
            414,
            false,
        ),
        (
            "431 large",
            req(
                "GET / HTTP/1.1",
                &format!("X-Big: {}\r\n", "b".repeat(70_000)),
            ),
            431,
            false,
        ),
        ("431 many", req("GET / HTTP/1.1", &many_headers), 431, false),
        ("400 malformed", b"NONSENSE\r\n\r\n".to_vec(), 400, false),
        (
            "400 bad header",
            b"GET / HTTP/1.1\r\nHo st: x\r\n\r\n".to_vec(),
            400,
            false,
        ),
        (
            "400 utf-8 id",
            req("GET /aanbod/%FF%FE HTTP/1.1", ""),
            400,
            false,
        ),
        (
            "400 utf-8 api id",
            req("GET /api/services/%FF HTTP/1.1", ""),
            400,
            true,
        ),
        ("404", req("GET /bestaat-niet HTTP/1.1", ""), 404, false),
        (
            "404 api",
            req("GET /api/bestaat-niet HTTP/1.1", ""),
            404,
            true,
        ),
        (
            "415",
            req(
                "POST /mantelzorgtest/indicatief HTTP/1.1",
                "Content-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc",
            ),
            415,
            false,
        ),
    ];
    for (what, raw, status, api) in cases {
        let response = send(raw).await;
        assert_full_answer(&response, status, api, what);
    }
    let r = send(req("POST /api/services HTTP/1.1", "Content-Length: 0\r\n")).await;
    assert!(r.to_ascii_lowercase().contains("allow: get,head"), "{r}");
    server.stop().await;
}

// 13. Restart after a crash ------------------------------------------------------------------

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_restart_right_after_kill_binds_again_and_a_taken_port_is_named() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let kapstok = Kapstok::new(data.path());
    let mut first = kapstok.serve(&["--listen", &listen]);
    let addr = first.addr.clone();
    // The server closes these connections itself, so its side stays in TIME_WAIT.
    for _ in 0..3 {
        let r = raw_http(
            &addr,
            "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        assert!(r.starts_with("HTTP/1.1 200"));
    }
    first.kill();
    let again = kapstok.serve(&["--listen", &listen]);
    assert_eq!(again.addr, addr);
    assert!(
        raw_http(
            &addr,
            "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .starts_with("HTTP/1.1 200")
    );
    drop(again);

    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = kapstok.run(&["serve", "--listen", &format!("127.0.0.1:{port}")]);
    assert!(!out.ok);
    let err = out.stderr;
    assert!(
        err.contains(&format!("poort {port} op 127.0.0.1 is al in gebruik")),
        "{err}"
    );
}

// 14. A running server sees an import within 2 s ----------------------------------------------

/// A one-service HSDS file with a service no search has seen ("Wandelgroep … Zandpol"), made
/// from the demo as exported by the `kapstok` in `data` (with `extra` arguments).
pub(crate) fn new_service_file(data: &std::path::Path, extra: &[&str]) -> std::path::PathBuf {
    let export = {
        let args: Vec<&str> = ["export", "hsds", "-"]
            .iter()
            .chain(extra)
            .copied()
            .collect();
        let (ok, out, err) = kapstok(data, &args);
        assert!(ok, "{err}");
        demo_export(&out)
    };
    let mut service = export["services"][0].clone();
    service["id"] = "7a1d2c3b-0000-4000-8000-000000000001".into();
    service["name"] = "Wandelgroep voor mantelzorgers Zandpol".into();
    for a in service["attributes"].as_array_mut().unwrap() {
        a["id"] = format!("{}-w", a["id"].as_str().unwrap()).into();
    }
    service["service_at_locations"] = Value::Array(vec![]);
    let file = data.join("one.json");
    std::fs::write(
        &file,
        serde_json::json!({ "services": [service] }).to_string(),
    )
    .unwrap();
    file
}

/// Whether the server at `addr` finds the service of [`new_service_file`].
pub(crate) fn finds_new_service(addr: &str) -> bool {
    raw_http(
        addr,
        "GET /api/services?search=wandelgroep HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .contains("Wandelgroep voor mantelzorgers Zandpol")
}

/// Waits until every server finds the new service; fails after 2 s.
pub(crate) fn all_find_new_service_within_two_seconds(addrs: &[&str]) {
    let imported = Instant::now();
    for addr in addrs {
        while !finds_new_service(addr) {
            assert!(
                imported.elapsed() < Duration::from_secs(2),
                "{addr}: not visible after 2 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[test]
fn a_running_server_shows_an_import_within_two_seconds() {
    let data = tempfile::tempdir().unwrap();
    let server = Kapstok::new(data.path()).serve(&[]);
    let file = new_service_file(data.path(), &[]);
    assert!(!finds_new_service(&server.addr));
    let (ok, _, err) = kapstok(data.path(), &["import", "hsds", file.to_str().unwrap()]);
    assert!(ok, "{err}");
    all_find_new_service_within_two_seconds(&[&server.addr]);
}
