//! The team inbox benchmark (issue 13): a database with `referrals` referrals over `teams`
//! teams, and the inbox page of one team (a large one: 1 % of all referrals) asked through the
//! real router in-process, signed in as a teamlid: session, capability, queries, rendering —
//! everything but the network. p50/p99 per page.

use anyhow::{Context, Result};
use axum::body::Body;
use axum::http::Request;
use kapstok_app::{Actor, App, ConsoleAccounts};
use kapstok_domain::account::{Membership, Role};
use kapstok_domain::audit::{Action, NewEntry, RecordKind};
use kapstok_domain::referral::{CarerDetails, ConsentMethod, Source, State};
use kapstok_store::{NewConsent, NewReferral, Store};
use kapstok_store_sql::{Database, SqlStore};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

const EMAIL: &str = "bench@inbox.test";
const PASSWORD: &str = "een lang bench wachtwoord";

/// A browser in-process: keeps the session cookie, finds form tokens.
pub(crate) struct Client {
    router: axum::Router,
    cookies: BTreeMap<String, String>,
}

impl Client {
    pub(crate) fn new(router: axum::Router) -> Client {
        Client {
            router,
            cookies: BTreeMap::new(),
        }
    }

    async fn send(&mut self, mut request: Request<Body>) -> Result<(u16, String, String)> {
        let jar = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        if !jar.is_empty() {
            request.headers_mut().insert("cookie", jar.parse()?);
        }
        let response = self.router.clone().oneshot(request).await?;
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        for set in response.headers().get_all("set-cookie") {
            let text = set.to_str()?;
            let pair = text.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies.insert(name.trim().into(), value.trim().into());
            }
        }
        let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024).await?;
        Ok((
            status,
            location,
            String::from_utf8_lossy(&bytes).into_owned(),
        ))
    }

    pub(crate) async fn get(&mut self, path: &str) -> Result<(u16, String, String)> {
        self.send(Request::get(path).body(Body::empty())?).await
    }

    pub(crate) async fn post(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Result<(u16, String, String)> {
        let mut body = form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields {
            body.append_pair(k, v);
        }
        self.send(
            Request::post(path)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(body.finish()))?,
        )
        .await
    }
}

pub(crate) fn between<'a>(text: &'a str, before: &str, after: &str) -> Option<&'a str> {
    text.split(before).nth(1)?.split(after).next()
}

fn entry() -> NewEntry {
    NewEntry::new(
        kapstok_domain::audit::timestamp(time::OffsetDateTime::now_utc()),
        Action::Create,
        RecordKind::Referral,
        true,
    )
}

/// Fills the database and returns the measured team's id.
async fn fill(store: Arc<dyn Store>, referrals: usize, teams: usize) -> Result<String> {
    let console = ConsoleAccounts::grant(store.clone(), &Actor::console_operator())
        .context("the operator may add accounts")?;
    let admin = console.admin();
    let mut ids = Vec::new();
    for t in 0..teams {
        let id = admin
            .add_team(
                &format!("Team {t:04}"),
                None,
                false,
                Vec::new(),
                vec!["overbelasting".into(), "respijt".into()],
            )
            .await?
            .context("a new team")?;
        ids.push(id);
    }
    let memberships = vec![
        Membership {
            team: ids[0].clone(),
            role: Role::Teamlid,
        },
        Membership {
            team: ids[1].clone(),
            role: Role::Verwijzer,
        },
    ];
    let hash = console
        .password_hash(EMAIL, PASSWORD)
        .await
        .map_err(|p| anyhow::anyhow!("{p}"))?;
    console
        .add_user_with_hash(EMAIL, "Bench Teamlid", memberships, &hash, None)
        .await?
        .map_err(|p| anyhow::anyhow!("the bench user: {p:?}"))?;
    let states = [
        State::Requested,
        State::Accepted,
        State::InProgress,
        State::OnHold,
        State::Completed,
        State::Completed,
        State::Completed,
        State::Failed,
        State::Rejected,
        State::Cancelled,
    ];
    let reasons = [
        "overbelasting",
        "respijt",
        "informatie-advies",
        "praktische-hulp",
    ];
    let areas = ["noord", "zuid", "oost", "west", "midden", "velden"];
    let started = Instant::now();
    for i in 0..referrals {
        // 1 % for the measured team; the rest spread over the others.
        let team = if i % 100 == 0 {
            &ids[0]
        } else {
            &ids[1 + i % (teams - 1)]
        };
        // Two years back, one referral every ~10 minutes.
        let at = time::OffsetDateTime::now_utc()
            - time::Duration::minutes(((referrals - i) * 10) as i64);
        let at = kapstok_domain::audit::timestamp(at);
        let id = format!("r-bench-{i:07}");
        let referral = NewReferral {
            id: id.clone(),
            team_id: team.to_string(),
            referrer_id: None,
            source: if i % 5 == 0 {
                Source::Zelf
            } else {
                Source::Verwijzer
            },
            state: states[i % states.len()],
            reason: reasons[i % reasons.len()].into(),
            part_of: None,
            person: format!("p-bench-{i:07}"),
            area_code: Some(areas[i % areas.len()].into()),
            carer: CarerDetails {
                name: format!("Mantelzorger {i}"),
                phone: Some("0591 000 000".into()),
                postcode: Some("7811".into()),
                note: Some("Graag 's ochtends bellen.".into()),
                ..CarerDetails::default()
            },
            idempotency_key: None,
            at: at.clone(),
        };
        let consent = NewConsent {
            id: format!("c-bench-{i:07}"),
            team_id: team.to_string(),
            purpose: "contact over ondersteuning".into(),
            data_shared: "naam, telefoon, postcode".into(),
            given_by: "de mantelzorger zelf".into(),
            method: ConsentMethod::Mondeling,
            given_at: at,
            recorded_by: None,
            receipt_hash: format!("bench-{i}"),
            covers_forward: false,
        };
        store.create_referral(&referral, &consent, &entry()).await?;
        if (i + 1) % 10_000 == 0 {
            eprintln!("{} referrals in {:.0?}", i + 1, started.elapsed());
        }
    }
    Ok(ids[0].to_string())
}

/// Signs in as a browser does: password, then the authenticator set up on first use.
pub(crate) async fn sign_in(c: &mut Client, email: &str, password: &str) -> Result<()> {
    let (_, _, page) = c.get("/inloggen").await?;
    let token = between(&page, "name=\"csrf\" value=\"", "\"")
        .context("csrf")?
        .to_string();
    let (_, to, _) = c
        .post(
            "/inloggen",
            &[("csrf", &token), ("email", email), ("password", password)],
        )
        .await?;
    // Roles that see no personal record need no second factor.
    if to == "/werk" {
        return Ok(());
    }
    anyhow::ensure!(to == "/inloggen/instellen", "sign-in went to {to:?}");
    let (_, _, setup) = c.get("/inloggen/instellen").await?;
    let secret: String = between(&setup, "class=\"secret\"><code>", "<")
        .context("secret")?
        .split_whitespace()
        .collect();
    let token = between(&setup, "name=\"csrf\" value=\"", "\"")
        .context("csrf")?
        .to_string();
    let code = kapstok_app::accounts::current_code(&secret, email).context("code")?;
    let (status, _, _) = c
        .post("/inloggen/instellen", &[("csrf", &token), ("code", &code)])
        .await?;
    anyhow::ensure!(status == 200, "second factor: {status}");

    Ok(())
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

pub async fn run(
    referrals: usize,
    teams: usize,
    runs: usize,
    database: Option<String>,
) -> Result<()> {
    anyhow::ensure!(teams >= 2, "at least two teams");
    let dir = tempfile::tempdir()?;
    let db = match database {
        Some(url) => Database::Postgres(url),
        None => Database::Sqlite(dir.path().join("kapstok.db")),
    };
    let store: Arc<dyn Store> = Arc::new(SqlStore::open(&db).await?);
    let loading = Instant::now();
    let team = fill(store.clone(), referrals, teams).await?;
    let loaded = loading.elapsed();
    let app = App::open(store, Default::default()).await?;
    let state = kapstok_web::AppState::new(app).with_web_config(kapstok_web::state::WebConfig {
        sign_in_attempts: 1000,
        writes_per_minute: 100_000,
        ..Default::default()
    });
    let mut c = Client {
        router: kapstok_web::router(state),
        cookies: BTreeMap::new(),
    };
    sign_in(&mut c, EMAIL, PASSWORD).await?;

    let inbox = format!("/werk/teams/{team}/verwijzingen");
    let (_, _, first) = c.get(&inbox).await?;
    let file = between(&first, &format!("href=\"{inbox}/"), "\"")
        .map(|r| format!("{inbox}/{r}"))
        .context("a referral in the inbox")?;
    let pages = [
        ("inbox, open (default)", inbox.clone()),
        ("inbox, all states", format!("{inbox}?status=alle")),
        (
            "inbox, all states, page 10",
            format!("{inbox}?status=alle&pagina=10"),
        ),
        (
            "inbox, reason + unassigned",
            format!("{inbox}?status=alle&reden=respijt&toegewezen=niemand"),
        ),
        ("inbox, overdue", format!("{inbox}?status=te-laat")),
        ("one referral's file", file),
    ];
    println!(
        "{referrals} referrals over {teams} teams ({} in the measured team); loaded in {:.0?}; {runs} timed runs per page after 50 warm-up runs, in-process through the router (session, access log, queries, rendering)",
        referrals.div_ceil(100),
        loaded
    );
    println!();
    println!("| page | p50 ms | p99 ms | bytes |");
    println!("|---|---:|---:|---:|");
    for (name, path) in pages {
        let mut times = Vec::with_capacity(runs);
        let mut bytes = 0;
        for i in 0..runs + 50 {
            let t = Instant::now();
            let (status, _, body) = c.get(&path).await?;
            let took = t.elapsed();
            anyhow::ensure!(status == 200, "{path}: {status}");
            bytes = body.len();
            if i >= 50 {
                times.push(took);
            }
        }
        times.sort();
        println!(
            "| {name} | {:.2} | {:.2} | {bytes} |",
            percentile(&times, 0.5),
            percentile(&times, 0.99)
        );
    }
    Ok(())
}
