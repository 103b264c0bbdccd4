//! Command line and environment: small, typed, with defaults that run the demo.

use clap::{Parser, Subcommand, ValueEnum};
use kapstok_domain::geo::Bounds;
use kapstok_store_sql::Database;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "kapstok",
    version,
    about = "Kapstok: lokale mantelzorgondersteuning (Mantelzorgwijzer, HSDS API)"
)]
pub struct Cli {
    /// Folder for the database; created on first start.
    #[arg(
        long,
        env = "KAPSTOK_DATA_DIR",
        default_value = "kapstok-data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// PostgreSQL instead of the embedded SQLite file: postgres://user:password@host/database.
    /// Several Kapstok instances may share one database.
    #[arg(
        long,
        env = "KAPSTOK_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database: Option<String>,
    /// The address people use to reach Kapstok, such as https://mantelzorg.emmen.nl: links in
    /// e-mail and printed invitations start with it, and sessions cookies are `Secure` when it is
    /// https. Default: http:// and the listening address.
    #[arg(long, env = "KAPSTOK_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// `--database` when given, else the SQLite file in the data folder.
    pub fn database(&self) -> anyhow::Result<Database> {
        match &self.database {
            None => Ok(Database::Sqlite(self.data_dir.join("kapstok.db"))),
            Some(text) => Database::parse(text).map_err(|_| {
                anyhow::anyhow!(
                    "--database (of KAPSTOK_DATABASE_URL) verwacht postgres://gebruiker:wachtwoord@server/database \
                     of sqlite:pad/naar/kapstok.db"
                )
            }),
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "KAPSTOK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Do not load the demo social map into an empty database.
    #[arg(long, env = "KAPSTOK_NO_DEMO")]
    pub no_demo: bool,
    /// Synonym list replacing the built-in one (one group per line, phrases separated by commas).
    #[arg(long, env = "KAPSTOK_SYNONYMS")]
    pub synonyms: Option<PathBuf>,
    /// Compound-part dictionary replacing the built-in one (one word part per line).
    #[arg(long, env = "KAPSTOK_COMPOUNDS")]
    pub compounds: Option<PathBuf>,
    /// Respite guide (questions, funding routes, rules) replacing the built-in one (TOML).
    #[arg(long, env = "KAPSTOK_RESPITE_GUIDE")]
    pub respite_guide: Option<PathBuf>,
    /// Folder with extra self-check instruments (*.toml), e.g. a licensed EDIZ-plus.
    #[arg(long, env = "KAPSTOK_INSTRUMENTS")]
    pub instruments: Option<PathBuf>,
    /// Seconds between checks for changes made by other processes (imports). With the default
    /// of 1, a change shows in search within 2 s (check interval plus index rebuild).
    #[arg(long, env = "KAPSTOK_REFRESH_SECONDS", default_value_t = 1)]
    pub refresh_seconds: u64,
    /// Seconds a client has to send a complete request head (also the longest wait for the next
    /// request on a kept-alive connection).
    #[arg(long, env = "KAPSTOK_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout: u64,
    /// Seconds a connection may sit without any traffic while no request is handled (a kept-alive
    /// connection between requests), or with a client that stops reading.
    #[arg(long, env = "KAPSTOK_IDLE_TIMEOUT", default_value_t = 5)]
    pub idle_timeout: u64,
    /// Most open connections; beyond it new ones get a "too busy" page at once.
    #[arg(long, env = "KAPSTOK_MAX_CONNECTIONS", default_value_t = 512)]
    pub max_connections: usize,
    /// Most open connections of one client (an IPv6 client by its /64).
    #[arg(long, env = "KAPSTOK_MAX_CONNECTIONS_PER_CLIENT", default_value_t = 64)]
    pub max_connections_per_client: usize,
    /// Form submissions (such as a finished self-check) accepted per minute per client address.
    #[arg(long, env = "KAPSTOK_WRITES_PER_MINUTE", default_value_t = 20)]
    pub writes_per_minute: u32,
    /// Sign-in attempts (passwords, codes) one client address may make at once; after that one
    /// a minute. Each account also pauses for 15 minutes after five failures in a row.
    #[arg(long, env = "KAPSTOK_SIGN_IN_ATTEMPTS", default_value_t = 10)]
    pub sign_in_attempts: u32,
    /// Days a closed or withdrawn referral keeps the carer's details before the hourly job
    /// anonymises it (area, reason, outcome and dates stay). Withdrawal removes them at once.
    #[arg(long, env = "KAPSTOK_REFERRAL_RETENTION_DAYS", default_value_t = 365)]
    pub referral_retention_days: u32,
    /// Days after an activity's date that its participants' names, addresses and phone numbers
    /// are kept (for certificates and questions about attendance); then they are erased and
    /// only the counts stay.
    #[arg(long, env = "KAPSTOK_ACTIVITY_RETENTION_DAYS", default_value_t = 90)]
    pub activity_retention_days: u32,
    /// Carers' own requests for contact ("Neem contact met mij op") one client address may send
    /// at once; after that one every ten minutes.
    #[arg(long, env = "KAPSTOK_CONTACT_REQUESTS", default_value_t = 5)]
    pub contact_requests: u32,
    /// Months after which a service's "laatst gecontroleerd" is due again: the redacteuren's
    /// list at /werk/kaart/controle and the monthly request to organisations to check.
    #[arg(long, env = "KAPSTOK_CHECK_MONTHS", default_value_t = 12)]
    pub check_months: i32,
    /// Public origin(s) such as https://mantelzorg.example.nl, trusted for form submissions when a
    /// reverse proxy rewrites the Host header (comma-separated).
    #[arg(long, env = "KAPSTOK_TRUSTED_ORIGINS", value_delimiter = ',')]
    pub trusted_origins: Vec<String>,
    /// Do not keep the read model's snapshot in the data folder (it makes a restart answer
    /// within a second; without it every start rebuilds the search index).
    #[arg(long, env = "KAPSTOK_NO_SNAPSHOT")]
    pub no_snapshot: bool,
    /// Addresses of reverse proxies whose X-Forwarded-For names the client (comma-separated).
    #[arg(long, env = "KAPSTOK_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Mail server: smtp://host:25, smtp://user:password@host:587?tls=required (STARTTLS) or
    /// smtps://user:password@host:465. Without it, mail is kept in the outbox only (a beheerder
    /// reads it at /beheer/mail).
    #[arg(long, env = "KAPSTOK_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of Kapstok's mail, such as "Kapstok Emmen <kapstok@emmen.nl>".
    #[arg(long, env = "KAPSTOK_MAIL_FROM")]
    pub mail_from: Option<String>,
}

impl ServeArgs {
    /// Where the read-model snapshot lives: `readmodel.snapshot` in the data folder.
    pub fn snapshot_path(&self, data_dir: &std::path::Path) -> Option<PathBuf> {
        (!self.no_snapshot).then(|| data_dir.join("readmodel.snapshot"))
    }

    pub fn limits(&self) -> kapstok_web::server::Limits {
        kapstok_web::server::Limits {
            header_timeout: std::time::Duration::from_secs(self.header_timeout.max(1)),
            idle_timeout: std::time::Duration::from_secs(self.idle_timeout.max(1)),
            max_connections: self.max_connections.max(1),
            max_connections_per_client: self.max_connections_per_client.max(1),
        }
    }

    /// The web layer's settings; `public_url` from `--public-url`.
    pub fn web_config(&self, public_url: Option<String>) -> kapstok_web::state::WebConfig {
        kapstok_web::state::WebConfig {
            public_url,
            sign_in_attempts: self.sign_in_attempts.max(1),
            contact_requests: self.contact_requests.max(1),
            writes_per_minute: self.writes_per_minute.max(1),
            trusted_origins: self.trusted_origins.clone(),
            trusted_proxies: self.trusted_proxies.clone(),
            check_months: self.check_months.clamp(1, 120),
        }
    }
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs {
            listen: "127.0.0.1:8080".parse().expect("valid address"),
            no_demo: false,
            synonyms: None,
            compounds: None,
            respite_guide: None,
            instruments: None,
            refresh_seconds: 1,
            header_timeout: 10,
            idle_timeout: 5,
            max_connections: 512,
            max_connections_per_client: 64,
            writes_per_minute: 20,
            sign_in_attempts: 10,
            contact_requests: 5,
            check_months: 12,
            referral_retention_days: 365,
            activity_retention_days: 90,
            trusted_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            no_snapshot: false,
            smtp_url: None,
            mail_from: None,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web application (the default).
    Serve(ServeArgs),
    /// Read data into the database.
    Import {
        #[arg(value_enum)]
        kind: ImportKind,
        /// The file to read.
        path: PathBuf,
        /// Also when the file would replace the data with nothing (an areas file without areas).
        #[arg(long)]
        force: bool,
        /// Box that postcode coordinates must lie in: min_lat,min_lon,max_lat,max_lon.
        #[arg(long, env = "KAPSTOK_BOUNDS", default_value_t = Bounds::NETHERLANDS)]
        bounds: Bounds,
        /// Only show what would be created, updated and refused, per record (HSDS).
        #[arg(long)]
        dry_run: bool,
    },
    /// Write the social map as HSDS 3 ("-" for standard output).
    Export {
        #[arg(value_enum)]
        kind: ExportKind,
        path: PathBuf,
        /// kapstok: Kapstok's own JSON (everything, also unused terms); compiled: a JSON array
        /// of compiled services; ndjson: one compiled service per line; tabular: a Tabular
        /// Data Package (a directory of CSV tables with datapackage.json).
        #[arg(long, value_enum, default_value_t = ExportFormat::Kapstok)]
        format: ExportFormat,
    },
    /// Build the search index from the database and report what it holds.
    Reindex(ServeArgs),
    /// Load the fictional Emmen demo (taxonomies, social map, PC4 centres, six areas).
    Demo,
    /// Make a consistent copy of the database, also while the app runs.
    Backup { path: PathBuf },
    /// Accounts of people who sign in.
    #[command(subcommand)]
    User(UserCommand),
    /// The access log.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account (the first beheerder, say) and print its invitation link (72 hours, once).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// verwijzer, teamlid, redacteur, coordinator, beleidsmedewerker, privacy or beheerder;
        /// repeat for more roles in the team.
        #[arg(long = "role", required = true, value_parser = parse_role)]
        roles: Vec<kapstok_domain::account::Role>,
        /// The team (made when there is none of that name).
        #[arg(long)]
        team: String,
        /// Read the password from standard input instead of printing an invitation link.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts with their roles.
    List,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the access log's hash chain; names the first entry that does not fit.
    Verify,
    /// Show the retention term, or set it with --days (at least 365; default 1826, five years).
    Retention {
        #[arg(long)]
        days: Option<i64>,
    },
    /// Remove the rows past the retention term now (a running server does this daily).
    Purge,
}

fn parse_role(text: &str) -> Result<kapstok_domain::account::Role, String> {
    kapstok_domain::account::Role::parse(text).ok_or_else(|| {
        format!(
            "onbekende rol {text:?}; kies uit {}",
            kapstok_domain::account::Role::ALL
                .map(|r| r.code())
                .join(", ")
        )
    })
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImportKind {
    /// HSDS 3: Kapstok's export, compiled services (one, an array, NDJSON), a compiled
    /// organisation, an HSDS API page, or a Tabular Data Package (a directory with CSV tables).
    Hsds,
    /// A postcode table: CSV with pc4 or pc6, lat, lon (and optionally woonplaats).
    Postcodes,
    /// Areas: CSV with area_code, area_name, municipality, postcode. Replaces all areas.
    Areas,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportKind {
    Hsds,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Kapstok,
    Compiled,
    Ndjson,
    Tabular,
}
