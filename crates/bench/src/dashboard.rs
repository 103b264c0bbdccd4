//! The municipality's dashboard benchmark (issue 16): a database with `referrals` referrals
//! (three years, Emmen's six areas and none, every reason, source and outcome, a few still
//! waiting or withdrawn) and as many access-log rows, the demo's social map, postcodes and
//! areas; the dashboard page asked through the real router in-process, signed in as a
//! beleidsmedewerker. Measured: the first answer after start (it loads the referrals' facts),
//! p50/p99 of the page (this year, and a whole year before), of a CSV, and of the page when
//! each request follows a change to a referral (the changed day is reloaded), plus the
//! process's memory before and after the facts are loaded.

use crate::inbox::{Client, percentile, sign_in};
use anyhow::{Context, Result};
use kapstok_app::{Actor, App, ConsoleAccounts, Maintenance};
use kapstok_domain::account::{Membership, Role};
use kapstok_store::Store;
use kapstok_store_sql::{Database, SqlStore};
use sqlx::Connection;
use std::sync::Arc;
use std::time::{Duration, Instant};

const EMAIL: &str = "beleid@dashboard.test";
const PASSWORD: &str = "een lang bench wachtwoord";
const AREAS: [&str; 6] = [
    "'emmen-noord'",
    "'emmen-zuid'",
    "'emmen-centrum-oost'",
    "'de-monden'",
    "'de-blokken'",
    "'de-velden'",
];
const REASONS: [&str; 8] = [
    "overbelasting",
    "respijt",
    "informatie-advies",
    "praktische-hulp",
    "emotionele-steun",
    "financieel",
    "werk-zorg",
    "jonge-mantelzorger",
];
const OUTCOMES: [&str; 5] = [
    "hulp-geregeld",
    "advies-gegeven",
    "wil-geen-hulp",
    "geen-ondersteuning-nodig",
    "niet-bereikbaar",
];

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn stamp(t: kapstok_domain::calendar::Timestamp) -> String {
    kapstok_domain::calendar::stored(t)
}

/// A connection of its own to the benchmark's database.
async fn connect(db: &Database) -> Result<sqlx::AnyConnection> {
    sqlx::any::install_default_drivers();
    let url = match db {
        Database::Sqlite(path) => format!("sqlite://{}", path.display()),
        Database::Postgres(url) => url.clone(),
    };
    Ok(sqlx::AnyConnection::connect(&url).await?)
}

/// Writes `n` referrals and `n` access-log rows in batches of literal rows (bench data only).
async fn fill(db: &Database, team: &str, n: usize) -> Result<()> {
    let mut conn = connect(db).await?;
    let now = kapstok_domain::calendar::Timestamp::now();
    let span = 3 * 365 * 86_400i64;
    let started = Instant::now();
    const BATCH: usize = 1_000;
    for chunk in (0..n).collect::<Vec<_>>().chunks(BATCH) {
        let mut referrals = Vec::with_capacity(BATCH);
        let mut log = Vec::with_capacity(BATCH);
        for &i in chunk {
            // Evenly over three years up to now, oldest first.
            let sent = now
                - kapstok_domain::calendar::SignedDuration::from_secs(
                    span - span * i as i64 / n as i64,
                );
            let hours =
                |h: i64| stamp(sent + kapstok_domain::calendar::SignedDuration::from_hours(h));
            let recent = now.duration_since(sent).as_secs() < 10 * 86_400;
            let (state, outcome, accepted, closed) = match i % 50 {
                // A few withdrawn before anyone took them on.
                0 => ("cancelled", None, None, Some(hours(30))),
                // Still waiting (recent ones) or under way.
                1..=3 if recent => ("requested", None, None, None),
                4..=6 if recent => ("in-progress", None, Some(hours(20)), None),
                _ => {
                    let ack = 1 + (i * 7 % 96) as i64;
                    let close = ack + 24 * (1 + (i * 13 % 60) as i64);
                    let o = OUTCOMES[i % OUTCOMES.len()];
                    let s = if o == "niet-bereikbaar" {
                        "failed"
                    } else {
                        "completed"
                    };
                    (s, Some(o), Some(hours(ack)), Some(hours(close)))
                }
            };
            let q = |v: Option<String>| v.map_or("NULL".into(), |v| format!("'{v}'"));
            // Area, reason and source independent of each other and of the outcome.
            let h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20;
            let area = if h.is_multiple_of(40) {
                "NULL"
            } else {
                AREAS[(h / 40 % 6) as usize]
            };
            let reason = REASONS[(h / 240 % 8) as usize];
            let source = if (h / 1920).is_multiple_of(5) {
                "zelf"
            } else {
                "verwijzer"
            };
            let sent = stamp(sent);
            referrals.push(format!(
                "('rb-{i}', 'B-{i}', 2000, {i}, '{team}', '{source}', '{state}', '{reason}', {}, 'pb-{i}', {area}, '{sent}', '{sent}', {}, {})",
                q(outcome.map(String::from)),
                q(accepted),
                q(closed),
            ));
            log.push(format!(
                "({}, '{sent}', 'u-bench', 'teamlid', '{team}', 'view', 'referral', 'rb-{i}', 'pb-{i}', 'bench', 1, 'x', 'x')",
                // After the few rows signing up the bench user wrote.
                1_000 + i
            ));
        }
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "INSERT INTO referrals (id, reference, year, number, team_id, source, state, reason, outcome, person, area_code, created_at, sent_at, accepted_at, closed_at) VALUES {}",
            referrals.join(", ")
        )))
        .execute(&mut conn)
        .await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "INSERT INTO access_log (seq, at, user_id, user_role, team_id, action, record_kind, record_id, person, origin, permitted, prev_hash, hash) VALUES {}",
            log.join(", ")
        )))
        .execute(&mut conn)
        .await?;
        let done = chunk[chunk.len() - 1] + 1;
        if done.is_multiple_of(100_000) {
            eprintln!("{done} referrals and log rows in {:.0?}", started.elapsed());
        }
    }
    if matches!(db, Database::Postgres(_)) {
        sqlx::raw_sql("ANALYZE").execute(&mut conn).await?;
    }
    conn.close().await?;
    Ok(())
}

fn timed(times: &mut [Duration]) -> (f64, f64) {
    times.sort();
    (percentile(times, 0.5), percentile(times, 0.99))
}

pub async fn run(referrals: usize, runs: usize, database: Option<String>) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = match database {
        Some(url) => Database::Postgres(url),
        None => Database::Sqlite(dir.path().join("kapstok.db")),
    };
    let store: Arc<dyn Store> = Arc::new(SqlStore::open(&db).await?);
    // The demo's map, postcodes and areas: the six areas the figures are per.
    let importer = Maintenance::grant(store.clone(), &Actor::console_operator())
        .context("the operator may import")?;
    importer.directory(&kapstok_demo::emmen_directory()).await?;
    importer
        .postcodes(&kapstok_demo::emmen::postcodes())
        .await?;
    importer
        .areas(
            &kapstok_demo::emmen::areas(),
            &kapstok_demo::emmen::area_postcodes(),
            true,
        )
        .await?;
    let console = ConsoleAccounts::grant(store.clone(), &Actor::console_operator())
        .context("the operator may add accounts")?;
    let team = console
        .admin()
        .add_team("Gemeente (bench)", None, false, Vec::new(), Vec::new())
        .await?
        .context("a new team")?;
    let hash = console
        .password_hash(EMAIL, PASSWORD)
        .await
        .map_err(|p| anyhow::anyhow!("{p}"))?;
    console
        .add_user_with_hash(
            EMAIL,
            "Bench Beleid",
            vec![Membership {
                team: team.clone(),
                role: Role::Beleidsmedewerker,
            }],
            &hash,
            None,
        )
        .await?
        .map_err(|p| anyhow::anyhow!("the bench user: {p:?}"))?;
    let loading = Instant::now();
    fill(&db, &team, referrals).await?;
    let loaded = loading.elapsed();
    let app = App::open(store.clone(), Default::default()).await?;
    let state = kapstok_web::AppState::new(app).with_web_config(kapstok_web::state::WebConfig {
        sign_in_attempts: 1000,
        writes_per_minute: 100_000,
        ..Default::default()
    });
    let mut c = Client::new(kapstok_web::router(state));
    sign_in(&mut c, EMAIL, PASSWORD).await?;
    let before = rss_mb();
    let t = Instant::now();
    let (status, _, first) = c.get("/werk/dashboard").await?;
    let cold = t.elapsed();
    anyhow::ensure!(status == 200, "dashboard: {status}");
    let after = rss_mb();
    let year = kapstok_domain::calendar::Timestamp::now()
        .to_zoned(kapstok_domain::calendar::zone())
        .year();
    let last_year = format!("?van=01-01-{}&tot=31-12-{}", year - 1, year - 1);
    println!(
        "{referrals} referrals and {referrals} access-log rows over three years; written in {loaded:.0?}; \
         {runs} timed runs per page after 20 warm-up runs, in-process through the router (session, \
         access log, reading the day marks, counting, disclosure rules, rendering)"
    );
    println!();
    println!(
        "First answer after start (loads every referral's facts): {:.0} ms; process RSS {before:.0} MB before, {after:.0} MB after ({} bytes of page)",
        cold.as_secs_f64() * 1000.0,
        first.len()
    );
    println!();
    println!("| page | p50 ms | p99 ms | bytes |");
    println!("|---|---:|---:|---:|");
    let pages = [
        (
            "dashboard, this year (default)",
            "/werk/dashboard".to_string(),
        ),
        (
            "dashboard, last year",
            format!("/werk/dashboard{last_year}"),
        ),
        (
            "CSV, referrals by area and reason, last year",
            format!("/werk/dashboard/verwijzingen-reden.csv{last_year}"),
        ),
        (
            "printable report, this year",
            "/werk/dashboard/rapport".to_string(),
        ),
    ];
    for (name, path) in &pages {
        let mut times = Vec::with_capacity(runs);
        let mut bytes = 0;
        for i in 0..runs + 20 {
            let t = Instant::now();
            let (status, _, body) = c.get(path).await?;
            let took = t.elapsed();
            anyhow::ensure!(status == 200, "{path}: {status}");
            bytes = body.len();
            if i >= 20 {
                times.push(took);
            }
        }
        let (p50, p99) = timed(&mut times);
        println!("| {name} | {p50:.2} | {p99:.2} | {bytes} |");
    }
    // Each request after a change: a referral of this month taken on, so its day is reloaded.
    let mut conn = connect(&db).await?;
    let mut times = Vec::with_capacity(runs);
    let mut bytes = 0;
    for i in 0..runs + 20 {
        let id = format!("rb-{}", referrals - 1 - (i % 1000));
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "UPDATE referrals SET outcome = '{}' WHERE id = '{id}'",
            OUTCOMES[i % OUTCOMES.len()]
        )))
        .execute(&mut conn)
        .await?;
        let t = Instant::now();
        let (status, _, body) = c.get("/werk/dashboard").await?;
        let took = t.elapsed();
        anyhow::ensure!(status == 200, "dashboard after a change: {status}");
        bytes = body.len();
        if i >= 20 {
            times.push(took);
        }
    }
    let (p50, p99) = timed(&mut times);
    println!(
        "| dashboard, this year, each request after a change to a referral | {p50:.2} | {p99:.2} | {bytes} |"
    );
    println!();
    println!("Process RSS at the end: {:.0} MB", rss_mb());
    conn.close().await?;
    Ok(())
}
