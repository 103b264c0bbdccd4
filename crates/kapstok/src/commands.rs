//! What each command does. Messages are for an administrator at a terminal, in Dutch.

use crate::config::ServeArgs;
use crate::postcode_table::{parse_areas, parse_postcodes};
use anyhow::{Context, Result, bail};
use kapstok_app::{Actor, App, ConsoleAccounts, HsdsSource, ImportError, Maintenance};
use kapstok_domain::account::{Membership, Role};
use kapstok_domain::geo::Bounds;
use kapstok_domain::instrument::Instrument;
use kapstok_domain::respite::RespiteGuide;
use kapstok_search::SearchConfig;
use kapstok_store::{ImportSummary, Store};
use kapstok_store_sql::{Database, SqlStore};
use kapstok_web::AppState;
use kapstok_web::state::Guides;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub async fn open_store(db: &Database) -> Result<SqlStore> {
    SqlStore::open(db)
        .await
        .with_context(|| format!("kan de database {db} niet openen"))
}

/// The operator's capability on the database `db`.
pub async fn operator_on(db: &Database) -> Result<Maintenance> {
    Ok(operator(Arc::new(open_store(db).await?)))
}

/// Loads the demo social map, postcodes and areas, and marks the data as demo.
/// The command line acts as the operator: it may import.
pub fn operator(store: Arc<dyn Store>) -> Maintenance {
    Maintenance::grant(store, &Actor::console_operator()).expect("the operator may maintain")
}

/// The whole demo: `load_demo`, the demo's referrals in the teams' inboxes, and a suggestion
/// and a visitor's report for the redacteuren.
pub async fn load_full_demo(store: Arc<dyn Store>) -> Result<ImportSummary> {
    let summary = load_demo(store.clone()).await?;
    crate::demo_referrals::load(store.clone()).await?;
    crate::demo_activities::load(store.clone()).await?;
    crate::demo_signals::load(store.clone()).await?;
    crate::demo_history::load(store.clone()).await?;
    crate::demo_map::load(store).await?;
    Ok(summary)
}

/// Loads the demo social map, postcodes, areas, teams and accounts (one per role), and marks
/// the data as demo.
pub async fn load_demo(store: Arc<dyn Store>) -> Result<ImportSummary> {
    let importer = operator(store.clone());
    let summary = importer.directory(&kapstok_demo::emmen_directory()).await?;
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
    load_demo_accounts(store).await?;
    importer.mark_demo().await?;
    Ok(summary)
}

async fn load_demo_accounts(store: Arc<dyn Store>) -> Result<()> {
    use kapstok_demo::accounts::{ACCOUNTS, DEMO_PASSWORD, TEAMS};
    let console = ConsoleAccounts::grant(store, &Actor::console_operator())
        .expect("the operator may add accounts");
    let admin = console.admin();
    let existing = admin.teams().await?;
    for t in TEAMS {
        if let Some(e) = existing.iter().find(|e| e.name == t.name) {
            // A team of that name made before the demo (`user add --team`) becomes the demo's
            // team if it has no areas and reasons of its own.
            if e.areas.is_empty() && e.reasons.is_empty() {
                admin
                    .update_team(&kapstok_domain::account::Team {
                        organization_id: t
                            .organization
                            .map(|o| kapstok_demo::id(&format!("organization:{o}"))),
                        whole_map: t.whole_map,
                        areas: t.areas.iter().map(|a| a.to_string()).collect(),
                        reasons: t.reasons.iter().map(|r| r.to_string()).collect(),
                        ..e.clone()
                    })
                    .await?;
            }
            continue;
        }
        admin
            .add_team(
                t.name,
                t.organization
                    .map(|o| kapstok_demo::id(&format!("organization:{o}"))),
                t.whole_map,
                t.areas.iter().map(|a| a.to_string()).collect(),
                t.reasons.iter().map(|r| r.to_string()).collect(),
            )
            .await?;
    }
    let teams = admin.teams().await?;
    // One hash for all: the demo accounts share their published password.
    let hash = console
        .password_hash("demo@demo.kapstok.nl", DEMO_PASSWORD)
        .await
        .map_err(|p| anyhow::anyhow!("demo-wachtwoord: {p}"))?;
    for a in ACCOUNTS {
        let memberships: Vec<Membership> = a
            .memberships
            .iter()
            .map(|(team, role)| Membership {
                team: teams
                    .iter()
                    .find(|t| t.name == *team)
                    .map(|t| t.id.clone())
                    .expect("demo teams exist"),
                role: Role::parse(role).expect("demo roles exist"),
            })
            .collect();
        let email = a.email();
        // A second factor where the role asks for one (its codes show on the demo's page).
        let needs_two: bool = memberships
            .iter()
            .any(|m: &Membership| m.role.sees_personal_data());
        let secret = needs_two.then(|| kapstok_app::accounts::derived_totp_secret(&email));
        match console
            .add_user_with_hash(&email, a.name, memberships, &hash, secret.as_deref())
            .await?
        {
            Ok(_) | Err(kapstok_app::accounts::AddUserProblem::Taken) => {}
            Err(p) => bail!("demo-account {email}: {p}"),
        }
    }
    Ok(())
}

pub fn search_config(args: &ServeArgs) -> Result<SearchConfig> {
    let mut config = SearchConfig::default();
    if let Some(path) = &args.synonyms {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("kan {} niet lezen", path.display()))?;
        config = config
            .with_synonyms(&text)
            .map_err(|e| anyhow::anyhow!("synoniemenlijst {}: {e}", path.display()))?;
    }
    if let Some(path) = &args.compounds {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("kan {} niet lezen", path.display()))?;
        config = config.with_compounds(&text);
    }
    Ok(config)
}

/// The guided flows' data files, checked: any mistake stops the start with file and line.
pub fn load_guides(args: &ServeArgs) -> Result<Guides> {
    let mut guides = Guides::default();
    if let Some(path) = &args.respite_guide {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("kan {} niet lezen", path.display()))?;
        guides.respite = RespiteGuide::parse(&path.display().to_string(), &text)
            .map_err(|e| anyhow::anyhow!("fout in de respijtwijzer: {e}"))?;
    }
    if let Some(dir) = &args.instruments {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .with_context(|| format!("kan de map {} niet lezen", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("kan {} niet lezen", path.display()))?;
            let instrument = Instrument::parse(&path.display().to_string(), &text)
                .map_err(|e| anyhow::anyhow!("fout in instrument: {e}"))?;
            if guides.instruments.iter().any(|i| i.id == instrument.id) {
                bail!(
                    "{}: instrument-id {} bestaat al",
                    path.display(),
                    instrument.id
                );
            }
            guides.instruments.push(instrument);
        }
    }
    Ok(guides)
}

pub async fn serve(
    db: &Database,
    data_dir: &Path,
    args: ServeArgs,
    public_url: Option<String>,
) -> Result<()> {
    let guides = load_guides(&args)?;
    let store: Arc<dyn Store> = Arc::new(open_store(db).await?);
    let maintenance = operator(store.clone());
    if maintenance.is_empty().await? && !args.no_demo {
        let s = load_full_demo(store.clone()).await?;
        tracing::info!(
            services = s.services,
            organizations = s.organizations,
            "empty database: loaded the demo social map"
        );
    }
    let listener = kapstok_web::server::bind(args.listen).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            anyhow::anyhow!(
                "poort {} op {} is al in gebruik door een ander programma. Stop dat programma of kies een andere poort met --listen (bijvoorbeeld --listen 127.0.0.1:8081).",
                args.listen.port(),
                args.listen.ip()
            )
        } else {
            anyhow::anyhow!("kan niet luisteren op {}: {e}", args.listen)
        }
    })?;
    // Bound before the read model is built: the address is known for links in mail, and a
    // port in use is reported at once.
    let addr = listener.local_addr()?;
    let mail = kapstok_app::mail::MailConfig {
        smtp_url: args.smtp_url.clone(),
        from: args.mail_from.clone(),
    };
    // Without --public-url: this machine's address; "localhost" when listening on all of them.
    let site = public_url.clone().unwrap_or_else(|| {
        if addr.ip().is_unspecified() {
            format!("http://localhost:{}", addr.port())
        } else {
            format!("http://{addr}")
        }
    });
    spawn_log_purge(store.clone());
    let app = App::open_with_snapshot(store, search_config(&args)?, args.snapshot_path(data_dir))
        .await?
        .with_guides(guides)
        .with_mail(&mail)?
        .with_public_url(&site)
        .with_referral_retention_days(args.referral_retention_days)
        .with_activity_retention_days(args.activity_retention_days)
        .with_check_months(args.check_months);
    app.spawn_refresher(Duration::from_secs(args.refresh_seconds.max(1)));
    app.spawn_retention(Duration::from_secs(3600));
    app.spawn_freshness(Duration::from_secs(24 * 3600));
    // Hourly: a reminder goes out two days before a date, whenever the server was up.
    app.spawn_activity_jobs(Duration::from_secs(3600));
    let state = AppState::new(app).with_web_config(args.web_config(public_url));
    tracing::info!(%addr, "Kapstok is running");
    println!("Kapstok draait op http://{addr}/  (stoppen: Ctrl+C)");
    kapstok_web::serve(listener, state, args.limits(), async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

fn print_problems(
    what: &str,
    problems: impl IntoIterator<Item = impl std::fmt::Display>,
) -> anyhow::Error {
    eprintln!("{what} is niet ingelezen; er is niets veranderd. Gevonden problemen:");
    let mut n = 0;
    for p in problems {
        eprintln!("  - {p}");
        n += 1;
    }
    anyhow::anyhow!("{n} probleem/problemen in {what}")
}

pub async fn import_hsds(importer: &Maintenance, path: &Path) -> Result<ImportSummary> {
    let source = hsds_source(path)?;
    let started = Instant::now();
    let imported = match importer.import_hsds(source).await {
        Ok(imported) => imported,
        Err(ImportError::Refused(problems)) => {
            return Err(print_problems(&path.display().to_string(), problems));
        }
        Err(e) => return Err(e.into()),
    };
    print_warnings("Ingelezen met waarschuwingen", &imported.warnings);
    let summary = imported.summary;
    println!(
        "Ingelezen als {} in {:.1} s: {} taxonomieën, {} termen, {} organisaties, {} diensten, {} locaties.",
        imported.format.describe(),
        started.elapsed().as_secs_f64(),
        summary.taxonomies,
        summary.taxonomy_terms,
        summary.organizations,
        summary.services,
        summary.locations
    );
    Ok(summary)
}

/// `kapstok import hsds --dry-run`: what would be created, updated and refused, per record.
pub async fn dry_run_hsds(importer: &Maintenance, path: &Path) -> Result<kapstok_app::DryRun> {
    let run = match importer.dry_run_hsds(hsds_source(path)?).await {
        Ok(run) => run,
        Err(ImportError::Refused(problems)) => {
            eprintln!(
                "Proefrun: {} zou worden geweigerd; per record:",
                path.display()
            );
            for p in &problems {
                eprintln!("  geweigerd  {p}");
            }
            bail!(
                "{} probleem/problemen in {}; er is niets veranderd",
                problems.len(),
                path.display()
            );
        }
        Err(e) => return Err(e.into()),
    };
    println!(
        "Proefrun ({}), er is niets veranderd:",
        run.format.describe()
    );
    for r in &run.records {
        let what = if r.new { "nieuw     " } else { "bijwerken " };
        println!("  {what} {} {}  {}", r.kind, r.id, r.name);
    }
    print_warnings("Waarschuwingen", &run.warnings);
    let new = run.records.iter().filter(|r| r.new).count();
    println!(
        "{} records: {new} nieuw, {} bijgewerkt, 0 geweigerd.",
        run.records.len(),
        run.records.len() - new
    );
    Ok(run)
}

fn print_warnings(heading: &str, warnings: &[kapstok_domain::hsds::ImportProblem]) {
    if warnings.is_empty() {
        return;
    }
    eprintln!("{heading} ({}):", warnings.len());
    for w in warnings {
        eprintln!("  - {w}");
    }
}

/// A file is read as HSDS JSON (its format found from its content); a directory, or a
/// `datapackage.json`, as a Tabular Data Package. On a terminal a large file shows a
/// progress bar.
fn hsds_source(path: &Path) -> Result<HsdsSource> {
    let package = if path.is_dir() {
        Some(path.to_path_buf())
    } else if path.file_name().is_some_and(|n| n == "datapackage.json") {
        Some(path.parent().unwrap_or(Path::new(".")).to_path_buf())
    } else {
        None
    };
    if let Some(dir) = package {
        return tabular_source(&dir);
    }
    let file = std::fs::File::open(path).with_context(|| {
        format!(
            "kan {} niet lezen (bestaat het, en is het UTF-8?)",
            path.display()
        )
    })?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) && size >= 1 << 20 {
        let bar = indicatif::ProgressBar::new(size).with_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} ({eta} te gaan)",
            )
            .expect("a valid template"),
        );
        return Ok(HsdsSource::Json(Box::new(bar.wrap_read(file))));
    }
    Ok(HsdsSource::Json(Box::new(file)))
}

fn tabular_source(dir: &Path) -> Result<HsdsSource> {
    let descriptor = std::fs::read_to_string(dir.join("datapackage.json")).ok();
    let mut tables = std::collections::HashMap::new();
    for (name, file) in kapstok_domain::hsds::tabular::table_files(descriptor.as_deref()) {
        let at = dir.join(&file);
        if at.is_file() {
            let bytes =
                std::fs::read(&at).with_context(|| format!("kan {} niet lezen", at.display()))?;
            tables.insert(name, bytes);
        }
    }
    if !tables.contains_key("services") && !tables.contains_key("organizations") {
        bail!(
            "{} bevat geen HSDS-tabellen (services.csv, organizations.csv, …); er is niets ingelezen",
            dir.display()
        );
    }
    Ok(HsdsSource::Tabular(tables))
}

pub async fn import_postcodes(
    importer: &Maintenance,
    path: &Path,
    bounds: &Bounds,
) -> Result<usize> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("kan {} niet lezen", path.display()))?;
    let rows = parse_postcodes(&text, bounds)
        .map_err(|p| print_problems(&path.display().to_string(), p))?;
    let n = importer.postcodes(&rows).await?;
    println!("{n} postcodes ingelezen.");
    Ok(n)
}

/// Replaces all areas. A file without any area would wipe them all: refused unless `force`.
pub async fn import_areas(importer: &Maintenance, path: &Path, force: bool) -> Result<usize> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("kan {} niet lezen", path.display()))?;
    let (areas, mapping) =
        parse_areas(&text).map_err(|p| print_problems(&path.display().to_string(), p))?;
    match importer.areas(&areas, &mapping, force).await {
        Ok(()) => {}
        Err(ImportError::WouldEmptyAreas { existing: 0 }) => bail!(
            "{} bevat geen gebieden (alleen een kopregel?); er is niets ingelezen of veranderd.",
            path.display()
        ),
        Err(ImportError::WouldEmptyAreas { existing }) => bail!(
            "{} bevat geen gebieden; inlezen zou alle {existing} bestaande gebieden wissen. Er is niets veranderd. Wilt u echt alle gebieden wissen, voeg dan --force toe.",
            path.display()
        ),
        Err(e) => return Err(e.into()),
    }
    println!(
        "{} gebieden met {} postcodes ingelezen.",
        areas.len(),
        mapping.len()
    );
    Ok(areas.len())
}

/// Writes the social map in `format`; `-` is standard output (not for a package, which is a
/// directory of files).
pub async fn export_hsds(
    maintenance: &Maintenance,
    path: &Path,
    format: crate::config::ExportFormat,
) -> Result<()> {
    use crate::config::ExportFormat;
    use kapstok_domain::hsds::{compiled, tabular};
    use std::io::Write;
    let dir = maintenance.export().await?;
    let to_stdout = path.as_os_str() == "-";
    let text = match format {
        ExportFormat::Kapstok => serde_json::to_string_pretty(&dir)? + "\n",
        ExportFormat::Compiled => serde_json::to_string_pretty(&compiled::compile(&dir))? + "\n",
        ExportFormat::Ndjson => {
            let mut out = String::new();
            for record in compiled::compile(&dir) {
                out.push_str(&serde_json::to_string(&record)?);
                out.push('\n');
            }
            out
        }
        ExportFormat::Tabular => {
            if to_stdout {
                bail!(
                    "een Tabular Data Package is een map met bestanden; geef een map op in plaats van -"
                );
            }
            std::fs::create_dir_all(path)
                .with_context(|| format!("kan map {} niet maken", path.display()))?;
            for (file, bytes) in tabular::write_package(&dir) {
                let at = path.join(file);
                std::fs::write(&at, bytes)
                    .with_context(|| format!("kan {} niet schrijven", at.display()))?;
            }
            eprintln!(
                "{} diensten geschreven naar {} (CSV-tabellen en datapackage.json).",
                dir.services.len(),
                path.display()
            );
            return Ok(());
        }
    };
    if to_stdout {
        std::io::stdout().lock().write_all(text.as_bytes())?;
    } else {
        std::fs::write(path, text)
            .with_context(|| format!("kan {} niet schrijven", path.display()))?;
        eprintln!(
            "{} diensten geschreven naar {}.",
            dir.services.len(),
            path.display()
        );
    }
    Ok(())
}

pub async fn reindex(maintenance: &Maintenance, args: &ServeArgs) -> Result<()> {
    let started = Instant::now();
    let catalog = maintenance.read_model(&search_config(args)?).await?;
    println!(
        "Zoekindex opgebouwd in {:.2} s: {} diensten, {} zoektermen, {} postcodes, {} gebieden.",
        started.elapsed().as_secs_f64(),
        catalog.index.len(),
        catalog.index.term_count(),
        catalog.geo.postcode_count(),
        catalog.geo.areas.len()
    );
    let parts = catalog.sizes();
    let total: usize = parts.iter().map(|(_, b)| b).sum();
    println!(
        "Leesmodel in het geheugen: {:.1} MB (geteld, zonder allocator-overhead):",
        total as f64 / 1e6
    );
    for (part, bytes) in parts {
        println!("  {:>8.1} MB  {part}", bytes as f64 / 1e6);
    }
    println!(
        "Een draaiende Kapstok bouwt zijn eigen index opnieuw op zodra de database verandert."
    );
    Ok(())
}

pub async fn backup(store: &SqlStore, path: &Path) -> Result<()> {
    if path.exists() {
        bail!(
            "{} bestaat al; kies een nieuwe bestandsnaam",
            path.display()
        );
    }
    store.backup_to(path).await?;
    println!("Kopie gemaakt: {}", path.display());
    Ok(())
}

/// What `kapstok user add` was given.
pub struct NewAccount {
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub team: String,
    pub password_stdin: bool,
}

pub async fn user_add(db: &Database, new: NewAccount, public_url: &str) -> Result<()> {
    let store: Arc<dyn Store> = Arc::new(open_store(db).await?);
    let console = ConsoleAccounts::grant(store, &Actor::console_operator())
        .expect("the operator may add accounts");
    let team = console.admin().team_named(&new.team).await?;
    let memberships: Vec<Membership> = new
        .roles
        .iter()
        .map(|&role| Membership {
            team: team.clone(),
            role,
        })
        .collect();
    let roles = new
        .roles
        .iter()
        .map(|r| r.code())
        .collect::<Vec<_>>()
        .join(", ");
    if new.password_stdin {
        let mut password = String::new();
        std::io::stdin()
            .read_line(&mut password)
            .context("kan het wachtwoord niet lezen van standaardinvoer")?;
        let password = password.trim_end_matches(['\r', '\n']);
        let hash = console
            .password_hash(&new.email, password)
            .await
            .map_err(|p| anyhow::anyhow!("{p}; er is niets veranderd"))?;
        console
            .add_user_with_hash(&new.email, &new.name, memberships, &hash, None)
            .await?
            .map_err(|p| anyhow::anyhow!("{p}; er is niets veranderd"))?;
        println!(
            "Account gemaakt voor {} ({roles} in {}). Bij de eerste keer aanmelden stelt u de tweestapsverificatie in.",
            new.email, new.team
        );
        demo_accounts_off(&console, &new.email).await?;
    } else {
        let invited = console
            .admin()
            .add_user(&new.email, &new.name, memberships)
            .await?
            .map_err(|p| anyhow::anyhow!("{p}; er is niets veranderd"))?;
        println!(
            "Account gemaakt voor {} ({roles} in {}).\nOpen deze link om een wachtwoord te kiezen (72 uur geldig, één keer te gebruiken):\n{}/uitnodiging/{}",
            new.email,
            new.team,
            public_url.trim_end_matches('/'),
            invited.token
        );
        demo_accounts_off(&console, &new.email).await?;
    }
    Ok(())
}

/// A deployment's own account: the demo's accounts (published password) stop working.
async fn demo_accounts_off(console: &ConsoleAccounts, added: &str) -> Result<()> {
    if added
        .to_lowercase()
        .ends_with(&format!("@{}", kapstok_demo::accounts::DEMO_DOMAIN))
    {
        return Ok(());
    }
    let n = console.deactivate_demo_accounts().await?;
    if n > 0 {
        println!("De {n} demo-accounts (met het openbare demo-wachtwoord) zijn gedeactiveerd.");
    }
    Ok(())
}

pub async fn user_list(db: &Database) -> Result<()> {
    let store: Arc<dyn Store> = Arc::new(open_store(db).await?);
    let admin = kapstok_app::AccountAdmin::grant(store, &Actor::console_operator())
        .expect("the operator may list accounts");
    let teams = admin.teams().await?;
    let users = admin.users().await?;
    if users.is_empty() {
        println!(
            "Nog geen accounts. Maak de eerste beheerder met: kapstok user add --email … --name … --role beheerder --team …"
        );
    }
    for u in users {
        let roles: Vec<String> = u
            .memberships
            .iter()
            .map(|m| {
                let team = teams
                    .iter()
                    .find(|t| t.id == m.team)
                    .map_or(m.team.as_str(), |t| t.name.as_str());
                format!("{} in {team}", m.role.code())
            })
            .collect();
        println!(
            "{}  {}  {}{}",
            u.email,
            u.name,
            roles.join("; "),
            if u.active { "" } else { "  (gedeactiveerd)" }
        );
    }
    Ok(())
}

async fn audit_check(db: &Database) -> Result<kapstok_app::AuditCheck> {
    let store: Arc<dyn Store> = Arc::new(open_store(db).await?);
    Ok(
        kapstok_app::AuditCheck::grant(store, &Actor::console_operator())
            .expect("the operator may check the log"),
    )
}

pub async fn audit_retention(db: &Database, days: Option<i64>) -> Result<()> {
    let check = audit_check(db).await?;
    if let Some(days) = days
        && let Err(min) = check.set_retention_days(days).await?
    {
        bail!("een bewaartermijn van minder dan {min} dagen is te kort; er is niets veranderd");
    }
    println!(
        "Regels van het toegangslog worden {} dagen bewaard; daarna verwijdert Kapstok ze (dagelijks, of nu met: kapstok audit purge).",
        check.retention_days().await?
    );
    Ok(())
}

pub async fn audit_purge(db: &Database) -> Result<()> {
    let n = audit_check(db).await?.purge().await?;
    println!("{n} regels van het toegangslog waren over hun bewaartermijn en zijn verwijderd.");
    Ok(())
}

/// Removes access-log rows past their term now and then every day, and ended sessions every
/// hour.
fn spawn_log_purge(store: Arc<dyn Store>) {
    let check = kapstok_app::AuditCheck::grant(store.clone(), &Actor::console_operator())
        .expect("the server may keep its log");
    let sessions = kapstok_app::Sessions::for_server(store);
    tokio::spawn(async move {
        let mut hour = tokio::time::interval(Duration::from_secs(60 * 60));
        loop {
            hour.tick().await;
            if let Err(e) = sessions.delete_expired().await {
                tracing::error!(error = %e, "removing ended sessions failed");
            }
        }
    });
    tokio::spawn(async move {
        let mut day = tokio::time::interval(Duration::from_secs(24 * 60 * 60));
        loop {
            day.tick().await;
            match check.purge().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    rows = n,
                    "access log rows past their retention term removed"
                ),
                Err(e) => tracing::error!(error = %e, "removing old access log rows failed"),
            }
        }
    });
}

pub async fn audit_verify(db: &Database) -> Result<()> {
    let check = audit_check(db).await?;
    match check.verify().await? {
        Ok(c) => {
            match c.first_seq {
                Some(first) if first > 1 => println!(
                    "Toegangslog in orde: {} regels, vanaf regel {first} (eerdere regels zijn na hun bewaartermijn verwijderd).",
                    c.checked
                ),
                _ => println!("Toegangslog in orde: {} regels.", c.checked),
            }
            if let Some((seq, hash)) = &c.head {
                println!(
                    "Laatste regel: {seq}, hash {hash}. Noteer deze buiten de database: alleen daartegen valt op als de nieuwste regels verdwijnen."
                );
            }
            Ok(())
        }
        Err(broken) => bail!(
            "toegangslog beschadigd bij regel {}: {}. Alles vanaf die regel is niet te vertrouwen.",
            broken.seq,
            broken.reason
        ),
    }
}
