//! Crash safety: imports and the server are killed with SIGKILL at arbitrary moments. After each
//! round the database is sound, every acknowledged import is there whole, no import is there in
//! part, and a restarted server's index agrees with the database.

use crate::support::binary::Running;
use crate::support::{Kapstok, raw_http};
use kapstok_store::SocialMapRead;
use kapstok_store_sql::SqlStore;
use std::process::Stdio;
use std::time::{Duration, Instant};

const ROUNDS: u64 = 20;
const PER_ROUND: usize = 300;

fn start_server(data: &std::path::Path) -> Running {
    Kapstok::new(data).serve(&["--refresh-seconds", "1"])
}

fn http_get(addr: &str, path: &str) -> String {
    raw_http(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    )
}

fn total_items(addr: &str) -> u64 {
    let response = http_get(addr, "/api/services?per_page=1");
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("");
    serde_json::from_str::<serde_json::Value>(body).unwrap()["total_items"]
        .as_u64()
        .unwrap()
}

/// A round's document: new services linked to the demo's organisations and terms. Records
/// nested in a service get ids of their own; the shared location stays one record.
fn round_document(round: u64) -> String {
    fn own_ids(v: &mut serde_json::Value, suffix: &str) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    if k == "location" {
                        continue;
                    }
                    if let serde_json::Value::Object(inner) = child
                        && let Some(serde_json::Value::String(id)) = inner.get_mut("id")
                    {
                        id.push_str(suffix);
                    }
                    own_ids(child, suffix);
                }
            }
            serde_json::Value::Array(items) => {
                for item in items {
                    if let Some(serde_json::Value::String(id)) = item.get_mut("id") {
                        id.push_str(suffix);
                    }
                    if let serde_json::Value::Object(map) = item {
                        for (k, child) in map.iter_mut() {
                            if k != "location" {
                                own_ids(child, suffix);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let demo = kapstok_demo::emmen_directory();
    let template = &demo.services[0];
    let services: Vec<_> = (0..PER_ROUND)
        .map(|i| {
            let mut s = template.clone();
            s.id = format!("crash-{round}-{i}").into();
            s.name = format!("Ronde {round} dienst {i}");
            let mut v = serde_json::to_value(&s).unwrap();
            if let serde_json::Value::Object(map) = &mut v {
                for (_, child) in map.iter_mut() {
                    own_ids(child, &format!("-crash-{round}-{i}"));
                }
            }
            v
        })
        .collect();
    serde_json::json!({ "services": services }).to_string()
}

/// Repeatable pseudo-random delays (no dependency for ten lines).
fn delays() -> impl Iterator<Item = u64> {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut n = 0u32;
    std::iter::repeat_with(move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        n += 1;
        // Up to 1.2 s: long enough that some finish also on a loaded machine; every fifth
        // round under 15 ms, so that some are interrupted also on a fast one (where a whole
        // import can take less than the shortest of the long delays).
        if n.is_multiple_of(5) {
            x % 15
        } else {
            x % 1200
        }
    })
}

#[tokio::test]
async fn killed_imports_and_servers_leave_a_whole_database() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let kapstok = Kapstok::new(&data);
    assert!(kapstok.run(&["demo"]).ok);
    let mut server = start_server(&data);
    let mut acknowledged = Vec::new();
    let mut delay = delays();
    for round in 0..ROUNDS {
        let file = dir.path().join(format!("round-{round}.json"));
        std::fs::write(&file, round_document(round)).unwrap();
        let mut import = kapstok
            .command(&["import", "hsds", file.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let kill_at = Instant::now() + Duration::from_millis(delay.next().unwrap());
        let finished = loop {
            if let Some(status) = import.try_wait().unwrap() {
                break Some(status);
            }
            if Instant::now() >= kill_at {
                break None;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        match finished {
            Some(status) => {
                assert!(status.success(), "round {round}: import failed on its own");
                acknowledged.push(round);
            }
            None => {
                import.kill().unwrap(); // SIGKILL
                let _ = import.wait();
            }
        }
        if round % 4 == 3 {
            server.kill();
            server = start_server(&data);
        }
        let store = SqlStore::open_sqlite(&data.join("kapstok.db"))
            .await
            .unwrap();
        assert_eq!(
            store.integrity_check().await.unwrap(),
            Ok(()),
            "round {round}"
        );
        let ids: Vec<String> = (0..PER_ROUND)
            .map(|i| format!("crash-{round}-{i}"))
            .collect();
        let present = store.services(&ids).await.unwrap().len();
        assert!(
            present == 0 || present == PER_ROUND,
            "round {round}: {present} of {PER_ROUND} services, a half import"
        );
        if acknowledged.contains(&round) {
            assert_eq!(
                present, PER_ROUND,
                "round {round}: acknowledged import lost"
            );
        }
    }
    server.kill();
    let server = start_server(&data);
    let addr = server.addr.clone();
    let store = SqlStore::open_sqlite(&data.join("kapstok.db"))
        .await
        .unwrap();
    let in_db = store.load_directory().await.unwrap().services.len() as u64;
    assert_eq!(
        total_items(&addr),
        in_db,
        "index agrees with the database after restart"
    );
    assert_eq!(
        in_db,
        152 + (PER_ROUND as u64) * in_db.saturating_sub(152) / PER_ROUND as u64
    );
    assert!(
        !acknowledged.is_empty() && acknowledged.len() < ROUNDS as usize,
        "the delays should both finish and interrupt imports: {acknowledged:?}"
    );
}

/// One "Neem contact met mij op" submission over a fresh connection: the reference on the
/// confirmation page, or `None` when the server died before it answered in full.
fn submit_contact(addr: &str, key: &str) -> Option<String> {
    use std::io::{Read, Write};
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("key", key)
        .append_pair("name", &format!("Crash {key}"))
        .append_pair("phone", "0591 000 999")
        .append_pair("postcode", "7811")
        .append_pair("consent", "1")
        .finish();
    let request = format!(
        "POST /neem-contact-op HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    s.write_all(request.as_bytes()).ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    if !out.starts_with("HTTP/1.1 200") || !out.contains("</html>") {
        return None;
    }
    // The reference in the notice, on the first answer and on a repeat alike.
    let notice = out.split("class=\"notice\" role=\"status\">").nth(1)?;
    let at = notice.find("K-")?;
    let reference: String = notice[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    Some(reference)
}

/// ≥ 20 rounds of SIGKILL while carers' requests (referrals) are being submitted: every one
/// whose confirmation page arrived is there after the restart, under its reference; sending the
/// unanswered ones again (the carer's retry) makes no duplicates.
#[tokio::test]
async fn killed_servers_keep_every_confirmed_referral_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let kapstok = Kapstok::new(&data);
    assert!(kapstok.run(&["demo"]).ok);
    let serve = || {
        kapstok.serve(&[
            "--contact-requests",
            "1000000",
            "--writes-per-minute",
            "1000000",
        ])
    };
    // The steunpunt's inbox as the demo fills it, before any request.
    let in_inbox = || async {
        use kapstok_store::{AccountStore, ReferralStore};
        let store = SqlStore::open_sqlite(&data.join("kapstok.db"))
            .await
            .unwrap();
        let steunpunt = store
            .teams()
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.whole_map)
            .unwrap()
            .id;
        store
            .team_referrals(&steunpunt, &kapstok_store::InboxFilter::default(), 0, 0)
            .await
            .unwrap()
            .1
    };
    let demo = in_inbox().await;
    let mut delay = delays();
    let mut confirmed: Vec<(String, String)> = Vec::new();
    let mut all_keys: Vec<String> = Vec::new();
    let mut interrupted_rounds = 0;
    for round in 0..ROUNDS {
        let mut server = serve();
        let addr = server.addr.clone();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let clients: Vec<_> = (0..3)
            .map(|t| {
                let addr = addr.clone();
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let mut sent = Vec::new();
                    for i in 0.. {
                        if stop.load(std::sync::atomic::Ordering::Relaxed) {
                            break;
                        }
                        let key = format!("crash-{round}-{t}-{i}");
                        let answer = submit_contact(&addr, &key);
                        let died = answer.is_none();
                        sent.push((key, answer));
                        if died {
                            break;
                        }
                    }
                    sent
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(20 + delay.next().unwrap() % 400));
        server.kill(); // SIGKILL, mid-submission
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut unanswered = Vec::new();
        for c in clients {
            for (key, answer) in c.join().unwrap() {
                all_keys.push(key.clone());
                match answer {
                    Some(reference) => confirmed.push((key, reference)),
                    None => unanswered.push(key),
                }
            }
        }
        if !unanswered.is_empty() {
            interrupted_rounds += 1;
        }
        let store = SqlStore::open_sqlite(&data.join("kapstok.db"))
            .await
            .unwrap();
        assert_eq!(
            store.integrity_check().await.unwrap(),
            Ok(()),
            "round {round}"
        );
        for (key, reference) in &confirmed {
            use kapstok_store::ReferralStore;
            let r = store.referral_by_key(key).await.unwrap();
            assert_eq!(
                r.map(|r| r.reference).as_deref(),
                Some(reference.as_str()),
                "round {round}: confirmed {key} lost"
            );
        }
        drop(store);
        // The carer's retry of what got no answer: one referral each, however it went.
        let server = serve();
        for key in &unanswered {
            assert!(
                submit_contact(&server.addr, key).is_some(),
                "round {round}: retry of {key}"
            );
        }
        drop(server);
    }
    // No key twice, every key once (all were answered in the end).
    let stored = in_inbox().await - demo;
    all_keys.sort();
    all_keys.dedup();
    assert_eq!(stored, all_keys.len(), "one referral per submitted form");
    assert!(
        confirmed.len() > ROUNDS as usize && interrupted_rounds > 0,
        "the kills should land both between and during submissions: {} confirmed, {interrupted_rounds} rounds interrupted",
        confirmed.len()
    );
}
