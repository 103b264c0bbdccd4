//! The publish benchmark (issue 14): how soon a change a redacteur publishes is found by search.
//! A synthetic map of `services` services (postcodes and areas as well), a steunpunt redacteur
//! signed in through the real router in-process; each run renames one service through its
//! editing form and then searches for the new name until it is found: the time from sending the
//! form to the first search that finds it (the server rebuilds its read model before it answers
//! the form, so this is one publish and one search), and the form's own answer time.

use crate::inbox::{Client, between, percentile};
use anyhow::{Context, Result};
use kapstok_app::{Actor, App, ConsoleAccounts, Maintenance};
use kapstok_demo::synthetic::{self, Pc4};
use kapstok_domain::account::{Membership, Role};
use kapstok_store::Store;
use kapstok_store_sql::{Database, SqlStore};
use std::sync::Arc;
use std::time::Instant;

const EMAIL: &str = "redactie@publish.test";
const PASSWORD: &str = "een lang bench wachtwoord";

pub async fn run(
    pc4: &[Pc4],
    services: usize,
    runs: usize,
    database: Option<String>,
) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = match database {
        Some(url) => Database::Postgres(url),
        None => Database::Sqlite(dir.path().join("kapstok.db")),
    };
    let store: Arc<dyn Store> = Arc::new(SqlStore::open(&db).await?);
    let national = synthetic::national(services, pc4);
    let operator = Maintenance::grant(store.clone(), &Actor::console_operator())
        .context("the operator may import")?;
    operator.postcodes(&national.postcodes).await?;
    operator
        .areas(&national.areas, &national.area_postcodes, true)
        .await?;
    let loading = Instant::now();
    operator.directory(&national.directory).await?;
    let loaded = loading.elapsed();
    let console = ConsoleAccounts::grant(store.clone(), &Actor::console_operator())
        .context("the operator may add accounts")?;
    let team = console
        .admin()
        .add_team("Steunpunt (bench)", None, true, Vec::new(), Vec::new())
        .await?
        .context("a new team")?;
    let hash = console
        .password_hash(EMAIL, PASSWORD)
        .await
        .map_err(|p| anyhow::anyhow!("{p}"))?;
    console
        .add_user_with_hash(
            EMAIL,
            "Bench Redacteur",
            vec![Membership {
                team,
                role: Role::Redacteur,
            }],
            &hash,
            None,
        )
        .await?
        .map_err(|p| anyhow::anyhow!("the bench user: {p:?}"))?;
    // As `kapstok serve` runs by default: with the read-model snapshot in the data folder.
    let app = App::open_with_snapshot(
        store.clone(),
        Default::default(),
        Some(dir.path().join("readmodel.snapshot")),
    )
    .await?;
    let state = kapstok_web::AppState::new(app).with_web_config(kapstok_web::state::WebConfig {
        sign_in_attempts: 1000,
        writes_per_minute: 100_000,
        ..Default::default()
    });
    let mut c = Client::new(kapstok_web::router(state));
    crate::inbox::sign_in(&mut c, EMAIL, PASSWORD).await?;
    let ids: Vec<String> = national
        .directory
        .services
        .iter()
        .filter(|s| s.status.is_public())
        .map(|s| s.id.to_string())
        .collect();
    let mut posted = Vec::with_capacity(runs);
    let mut visible = Vec::with_capacity(runs);
    let mut searches = 0;
    for run in 0..runs + 5 {
        let id = &ids[(run * 7919) % ids.len()];
        let path = format!("/werk/kaart/aanbod/{id}");
        let (status, _, form) = c.get(&path).await?;
        anyhow::ensure!(status == 200, "{path}: {status}");
        let token = between(&form, "name=\"csrf\" value=\"", "\"")
            .context("csrf")?
            .to_string();
        let service = store.service(id).await?.context("the service")?;
        let word = format!("zwaluwbench{run}q");
        let mut fields = kapstok_domain::editing::service_values(&service);
        for f in &mut fields {
            if f.0 == "name" {
                f.1 = format!("{} {word}", f.1);
            }
        }
        fields.push(("csrf".into(), token));
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let start = Instant::now();
        let (status, to, body) = c.post(&path, &pairs).await?;
        let answered = start.elapsed();
        anyhow::ensure!(
            status == 303 && to.ends_with("klaar=gepubliceerd"),
            "{path}: {status} {to} {}",
            body.chars().take(2000).collect::<String>()
        );
        loop {
            searches += 1;
            let (_, _, results) = c.get(&format!("/zoeken?q={word}")).await?;
            if results.contains(&word) {
                break;
            }
            anyhow::ensure!(start.elapsed().as_secs() < 30, "not found in 30 s");
        }
        if run >= 5 {
            posted.push(answered);
            visible.push(start.elapsed());
        }
    }
    posted.sort();
    visible.sort();
    println!(
        "{services} services ({} public), imported in {loaded:.0?}; {runs} publishes after 5 warm-up ones, each a different service renamed through its form, in-process through the router; {searches} searches in all",
        ids.len()
    );
    println!();
    println!("| measure | p50 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|");
    for (name, times) in [
        (
            "form sent → answer (publish, version, index rebuilt)",
            &posted,
        ),
        ("form sent → first search that finds the new name", &visible),
    ] {
        println!(
            "| {name} | {:.0} | {:.0} | {:.0} |",
            percentile(times, 0.5),
            percentile(times, 0.99),
            times.last().map_or(0.0, |t| t.as_secs_f64() * 1000.0)
        );
    }
    Ok(())
}
