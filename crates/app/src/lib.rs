#![forbid(unsafe_code)]
//! Kapstok's application layer: the use cases, and the one place where access is decided.
//!
//! A caller never gets the store. It shows who it is (an [`Actor`]) and receives a capability
//! for one job ([`MapReader`], [`SelfCheckCounter`], [`Maintenance`]) that holds only the storage
//! capability that job needs. Capabilities that hand out records about a person (referrals, from
//! the accounts issue on) are granted only for an actor with the right role and team, and return
//! such records only wrapped in [`access::Audited`], which exists only once its access-log entry
//! is written.

pub mod access;
pub mod accounts;
pub mod activities;
pub mod audit;
pub mod booklets;
pub mod corrections;
pub mod dashboard;
pub mod editing;
pub mod freshness;
pub mod guides;
pub mod mail;
pub mod maintenance;
pub mod map_csv;
pub mod notify;
pub mod receipts;
pub mod referrals;
pub mod retention;
pub mod self_requests;
pub mod signals;
pub mod socialmap;
pub mod tables;
pub mod teams;
pub mod vocabulary;

pub use access::{Actor, Audited};
pub use accounts::{AccountAdmin, ConsoleAccounts, Sessions, SignIn, Workspace};
pub use audit::AuditCheck;
pub use guides::{Guides, SelfCheckCounter};
pub use maintenance::{DryRun, HsdsSource, ImportError, Imported, Maintenance, Planned};
pub use socialmap::MapReader;

use kapstok_search::{Catalog, SearchConfig};
use kapstok_store::{Store, StoreError};
use std::sync::{Arc, RwLock};
use std::time::Duration;

pub(crate) fn is_demo_address(email: &str) -> bool {
    email.ends_with(&format!("@{}", kapstok_demo::accounts::DEMO_DOMAIN))
}

/// What time it is for rules that depend on it (service levels, retention): the system's, or
/// in tests one that is set and moved by hand.
#[derive(Clone, Default)]
pub struct Clock(Option<Arc<std::sync::Mutex<kapstok_domain::calendar::Timestamp>>>);

impl Clock {
    /// A clock that stands at `at` until it is set again.
    pub fn fixed(at: kapstok_domain::calendar::Timestamp) -> Clock {
        Clock(Some(Arc::new(std::sync::Mutex::new(at))))
    }

    pub fn now(&self) -> kapstok_domain::calendar::Timestamp {
        match &self.0 {
            None => kapstok_domain::calendar::Timestamp::now(),
            Some(t) => *t.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Moves a fixed clock (the system's cannot be moved).
    pub fn set(&self, at: kapstok_domain::calendar::Timestamp) {
        if let Some(t) = &self.0 {
            *t.lock().unwrap_or_else(|e| e.into_inner()) = at;
        }
    }
}

/// What a use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Import(#[from] ImportError),
    /// Writing a table (not expected: it goes to memory).
    #[error("writing a table: {0}")]
    Csv(#[from] csv::Error),
    /// Rendering a booklet failed (not expected: its layout and validator passed in tests).
    #[error("rendering the booklet: {0}")]
    Booklet(String),
}

pub type AppResult<T> = Result<T, AppError>;

/// The running application: storage, the current read model and the guided flows' data.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    /// The word lists given at start (built in or files); those set in the browser override.
    search_config: Arc<SearchConfig>,
    guides: Arc<Guides>,
    catalog: Arc<RwLock<Arc<Catalog>>>,
    /// Where the read-model snapshot is kept, if anywhere.
    snapshot: Option<std::path::PathBuf>,
    /// Held while the snapshot is written (one writer of its temporary file at a time).
    snapshot_saving: Arc<std::sync::Mutex<()>>,
    mailer: mail::Mailer,
    /// The verwijsroute's coded lists (reasons, outcomes, relationships, conditions).
    route_lists: Arc<kapstok_domain::referral::RouteLists>,
    /// Each role's name (Dutch, English) from the `roles` table: names are data.
    role_names: Arc<Vec<(kapstok_domain::account::Role, String, String)>>,
    /// The site's address as people reach it, for links in mail (no trailing slash).
    public_url: Arc<String>,
    /// Working days for the verwijsroute's service level.
    working_days: Arc<kapstok_domain::service_level::WorkingDays>,
    clock: Clock,
    /// Days a closed referral keeps its personal details.
    referral_retention_days: u32,
    /// Signs the public correction form's stamp (when it was shown).
    stamp_key: corrections::StampKey,
    /// Months after which a service's check is due again.
    check_months: i32,
    /// The printed booklets, kept until the map changes.
    booklets: booklets::BookletCache,
    /// The activities' kinds and audiences.
    activity_lists: Arc<kapstok_domain::activity::ActivityLists>,
    /// Days after a date that its participants' details are kept.
    activity_retention_days: u32,
    /// The signals' themes.
    signal_lists: Arc<kapstok_domain::signal::SignalLists>,
    /// The referrals' countable facts for the dashboard, kept up to date per day.
    referral_facts: Arc<tokio::sync::Mutex<dashboard::ReferralFacts>>,
    /// The dashboard's tables protected lately, by their counts.
    protected_tables: Arc<std::sync::Mutex<dashboard::Remembered>>,
    /// The social map's locations for activities, made again when the read model changes.
    location_book: Arc<std::sync::Mutex<Arc<activities::LocationBook>>>,
}

impl App {
    /// Opens the application on a store and builds the read model.
    pub async fn open(store: Arc<dyn Store>, search_config: SearchConfig) -> AppResult<App> {
        Self::open_with_snapshot(store, search_config, None).await
    }

    /// As `open`, loading the read model from its snapshot at `snapshot` when that is current
    /// (else building it and saving it there, as after every rebuild).
    pub async fn open_with_snapshot(
        store: Arc<dyn Store>,
        search_config: SearchConfig,
        snapshot: Option<std::path::PathBuf>,
    ) -> AppResult<App> {
        let effective = vocabulary::effective_config(store.as_ref(), &search_config).await?;
        let catalog = Catalog::open(
            store.as_ref(),
            store.as_ref(),
            store.as_ref(),
            &effective,
            snapshot.as_deref(),
        )
        .await?;
        let mailer = mail::Mailer::new(&mail::MailConfig::default(), store.clone())
            .expect("the default mail settings are valid");
        let role_names = store
            .role_names()
            .await?
            .into_iter()
            .filter_map(|(code, nl, en)| {
                Some((kapstok_domain::account::Role::parse(&code)?, nl, en))
            })
            .collect();
        Ok(App {
            store,
            search_config: Arc::new(search_config),
            guides: Arc::new(Guides::default()),
            catalog: Arc::new(RwLock::new(Arc::new(catalog))),
            snapshot,
            snapshot_saving: Arc::default(),
            mailer,
            role_names: Arc::new(role_names),
            route_lists: Arc::new(kapstok_domain::referral::RouteLists::default()),
            public_url: Arc::new("http://127.0.0.1:8080".into()),
            working_days: Arc::new(kapstok_domain::service_level::WorkingDays::default()),
            clock: Clock::default(),
            referral_retention_days: retention::DEFAULT_DAYS,
            stamp_key: corrections::StampKey::new(),
            check_months: freshness::DEFAULT_MONTHS,
            booklets: booklets::BookletCache::default(),
            activity_lists: Arc::new(kapstok_domain::activity::ActivityLists::default()),
            activity_retention_days: activities::DEFAULT_RETENTION_DAYS,
            signal_lists: Arc::new(kapstok_domain::signal::SignalLists::default()),
            referral_facts: Arc::default(),
            protected_tables: Arc::default(),
            location_book: Arc::new(std::sync::Mutex::new(Arc::new(
                activities::LocationBook::default(),
            ))),
        })
    }

    /// Sends mail as configured (without SMTP it is kept in the outbox only).
    pub fn with_mail(mut self, config: &mail::MailConfig) -> Result<Self, mail::MailConfigError> {
        self.mailer = mail::Mailer::new(config, self.store.clone())?;
        Ok(self)
    }

    /// Tells the time by `clock` (tests move it by hand).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Keeps a closed referral's personal details this many days (at least one).
    pub fn with_referral_retention_days(mut self, days: u32) -> Self {
        self.referral_retention_days = days.max(1);
        self
    }

    /// Keeps participants' details this many days after their date (at least one).
    pub fn with_activity_retention_days(mut self, days: u32) -> Self {
        self.activity_retention_days = days.max(1);
        self
    }

    /// The locations of the current read model (built on first use after each change).
    fn locations(&self) -> Arc<activities::LocationBook> {
        let catalog = self.catalog();
        let mut book = self.location_book.lock().unwrap_or_else(|e| e.into_inner());
        if book.version() != catalog.version || (book.version() == 0 && !catalog.records.is_empty())
        {
            *book = Arc::new(activities::LocationBook::build(&catalog));
        }
        book.clone()
    }

    fn letters(&self) -> activities::letters::Letters {
        activities::letters::Letters::new(self.mailer.clone(), self.public_url.clone())
    }

    /// Publishing and filling activities: coördinatoren only.
    pub fn activity_desk(&self, actor: &Actor) -> Option<activities::desk::ActivityDesk> {
        activities::desk::ActivityDesk::grant(
            self.store.clone(),
            actor,
            self.activity_lists.clone(),
            self.catalog(),
            self.locations(),
            self.letters(),
            self.clock.clone(),
        )
    }

    /// Finding activities, registering and cancelling, the feeds: anyone.
    pub fn activity_board(&self, actor: &Actor) -> activities::board::ActivityBoard {
        activities::board::ActivityBoard::new(
            self.store.clone(),
            actor,
            self.activity_lists.clone(),
            self.catalog(),
            self.locations(),
            self.letters(),
            self.clock.clone(),
        )
    }

    /// The activity audience (professional group) the signed-in user chose.
    pub async fn my_audience(&self, actor: &Actor) -> AppResult<Option<String>> {
        match actor.signed_in() {
            Some(u) => Ok(self.store.user_audience(u.id.as_str()).await?),
            None => Ok(None),
        }
    }

    /// Sets it: only a code of the audiences' list, or none. `false`: not a code.
    pub async fn set_my_audience(&self, actor: &Actor, code: Option<&str>) -> AppResult<bool> {
        let Some(u) = actor.signed_in() else {
            return Ok(false);
        };
        if code.is_some_and(|c| self.activity_lists.audience(c).is_none()) {
            return Ok(false);
        }
        self.store.set_user_audience(u.id.as_str(), code).await?;
        Ok(true)
    }

    /// Recording signals and following one's own: anyone signed in with a team.
    pub fn signal_desk(&self, actor: &Actor) -> Option<signals::SignalDesk> {
        signals::SignalDesk::grant(
            self.store.clone(),
            actor,
            self.signal_lists.clone(),
            self.catalog(),
            self.clock.clone(),
        )
    }

    /// Signals addressed to one's teams (and, for beleidsmedewerkers, to the municipality).
    pub fn signal_inbox(&self, actor: &Actor) -> Option<signals::SignalInbox> {
        signals::SignalInbox::grant(self.store.clone(), actor, self.clock.clone())
    }

    /// The municipality's figures: beleidsmedewerkers only.
    pub fn dashboard(&self, actor: &Actor) -> Option<dashboard::Dashboard> {
        dashboard::Dashboard::grant(
            actor,
            dashboard::Dashboard {
                store: self.store.clone(),
                catalog: self.catalog(),
                route_lists: self.route_lists.clone(),
                activity_lists: self.activity_lists.clone(),
                signal_lists: self.signal_lists.clone(),
                working_days: self.working_days.clone(),
                facts: self.referral_facts.clone(),
                protected: self.protected_tables.clone(),
                clock: self.clock.clone(),
                threshold: kapstok_domain::disclosure::DEFAULT_THRESHOLD,
                check_months: self.check_months,
            },
        )
    }

    /// The periodic signal report: beleidsmedewerkers only.
    pub fn signal_report(&self, actor: &Actor) -> Option<signals::SignalReport> {
        signals::SignalReport::grant(self.store.clone(), actor)
    }

    /// A signal's addressee by name.
    pub async fn signal_addressee(
        &self,
        a: &kapstok_domain::signal::Addressee,
    ) -> AppResult<String> {
        signals::addressee_name(self.store.as_ref(), a).await
    }

    /// A team's name (for a signal's sender), or its id.
    pub async fn team_name(&self, id: &str) -> AppResult<String> {
        Ok(self
            .store
            .teams()
            .await?
            .into_iter()
            .find(|t| t.id.as_str() == id)
            .map_or_else(|| id.to_string(), |t| t.name))
    }

    /// Reminders and erasing participants' details: the scheduler and the operator.
    pub fn activity_jobs(&self, actor: &Actor) -> Option<activities::jobs::ActivityJobs> {
        activities::jobs::ActivityJobs::grant(
            self.store.clone(),
            actor,
            self.catalog(),
            self.locations(),
            self.letters(),
            self.clock.clone(),
            self.activity_retention_days,
        )
    }

    /// Runs the activities' jobs now and then `every` after.
    pub fn spawn_activity_jobs(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let app = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(job) = app.activity_jobs(&Actor::scheduler()) else {
                    return;
                };
                match job.run().await {
                    Ok(d) if d.reminded == 0 && d.erased == 0 => {}
                    Ok(d) => tracing::info!(
                        reminded = d.reminded,
                        erased = d.erased,
                        "activity reminders sent and past participants erased"
                    ),
                    Err(e) => tracing::error!(error = %e, "the activity job failed"),
                }
            }
        })
    }

    /// A service's check is due again after this many months (1 to 120).
    pub fn with_check_months(mut self, months: i32) -> Self {
        self.check_months = months.clamp(1, 120);
        self
    }

    pub fn check_months(&self) -> i32 {
        self.check_months
    }

    /// The monthly request to organisations to check their records: the operator and the
    /// server's scheduler only.
    pub fn freshness_reminder(&self, actor: &Actor) -> Option<freshness::FreshnessReminder> {
        freshness::FreshnessReminder::grant(
            self.store.clone(),
            actor,
            self.mailer.clone(),
            self.public_url.clone(),
            self.clock.clone(),
            self.check_months,
        )
    }

    /// Runs the reminder now and then `every` after (a month's mail goes once).
    pub fn spawn_freshness(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let app = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let job = app
                .freshness_reminder(&Actor::scheduler())
                .expect("the scheduler sends reminders");
            loop {
                tick.tick().await;
                match job.run().await {
                    Ok(r) if r.mailed == 0 => {}
                    Ok(r) => tracing::info!(
                        organizations = r.mailed,
                        "asked organisations to check their records"
                    ),
                    Err(e) => tracing::error!(error = %e, "the check reminder failed"),
                }
            }
        })
    }

    /// The retention job: the operator (and the server's own scheduler) only.
    pub fn referral_retention(&self, actor: &Actor) -> Option<retention::ReferralRetention> {
        retention::ReferralRetention::grant(
            self.store.clone(),
            actor,
            self.clock.clone(),
            self.referral_retention_days,
        )
    }

    /// Runs the retention job now and then `every` after.
    pub fn spawn_retention(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let app = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let job = app
                .referral_retention(&Actor::scheduler())
                .expect("the scheduler runs retention");
            loop {
                tick.tick().await;
                match job.run().await {
                    Ok(0) => {}
                    Ok(n) => {
                        tracing::info!(referrals = n, "anonymised closed referrals past their term")
                    }
                    Err(e) => tracing::error!(error = %e, "the retention job failed"),
                }
            }
        })
    }

    /// The site's address for links in mail, such as `https://mantelzorg.emmen.nl`.
    pub fn with_public_url(mut self, url: &str) -> Self {
        self.public_url = Arc::new(url.trim_end_matches('/').to_string());
        self
    }

    pub fn with_guides(mut self, guides: Guides) -> Self {
        self.guides = Arc::new(guides);
        self
    }

    pub fn guides(&self) -> &Guides {
        &self.guides
    }

    /// The current read model (search index and lookups); never waits for a rebuild.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Rebuilds the read model when the database changed since it was built. Returns whether it did.
    pub async fn refresh(&self) -> AppResult<bool> {
        let current = self.store.directory_version().await?;
        if current == self.catalog().version {
            return Ok(false);
        }
        // The word lists set in the browser are read again: they change with the counter.
        let effective =
            vocabulary::effective_config(self.store.as_ref(), &self.search_config).await?;
        let fresh = Arc::new(
            Catalog::load(
                self.store.as_ref(),
                self.store.as_ref(),
                self.store.as_ref(),
                &effective,
            )
            .await?,
        );
        {
            let mut current = self.catalog.write().unwrap_or_else(|e| e.into_inner());
            // Two rebuilds at once: the one that read the later change stays.
            if fresh.version >= current.version {
                *current = fresh.clone();
            }
        }
        // The snapshot (for a quick restart) is written after the swap, one at a time, so a
        // publish does not wait for the file.
        if let Some(path) = self.snapshot.clone() {
            let database = self.store.database_id().await?;
            let fingerprint = effective.fingerprint();
            let saving = self.snapshot_saving.clone();
            tokio::task::spawn_blocking(move || {
                let _one = saving.lock().unwrap_or_else(|e| e.into_inner());
                let started = std::time::Instant::now();
                match fresh.save_snapshot(&path, database, fingerprint) {
                    Ok(()) => tracing::info!(
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "read-model snapshot saved"
                    ),
                    Err(e) => {
                        tracing::warn!(error = %e, path = %path.display(), "cannot save the read-model snapshot")
                    }
                }
            });
        }
        Ok(true)
    }

    /// Keeps the read model in step with the database (changes by another process).
    pub fn spawn_refresher(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let app = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = app.refresh().await {
                    tracing::error!(error = %e, "refreshing the search index failed");
                }
            }
        })
    }

    /// Reading the public social map: anyone may.
    pub fn map_reader(&self, _actor: &Actor) -> MapReader {
        MapReader::new(self.catalog())
    }

    /// Taking a printed booklet of the public social map: anyone may.
    pub fn booklet_shelf(&self, _actor: &Actor) -> booklets::BookletShelf {
        booklets::BookletShelf::new(self.catalog(), self.booklets.clone())
    }

    /// A role's name in Dutch or English, as the `roles` table has it (its code if missing).
    pub fn role_name(&self, role: kapstok_domain::account::Role, english: bool) -> String {
        self.role_names
            .iter()
            .find(|(r, ..)| *r == role)
            .map(|(_, nl, en)| if english { en.clone() } else { nl.clone() })
            .unwrap_or_else(|| role.code().to_string())
    }

    /// Signing in: anyone.
    pub fn sign_in(&self) -> SignIn {
        SignIn::new(self.store.clone())
            .with_mail(self.mailer.clone(), self.public_url.clone())
            .in_demo(self.is_demo())
    }

    /// Areas (deelgebieden) from CSV: beheerders only.
    pub fn area_admin(&self, actor: &Actor) -> Option<tables::AreaAdmin> {
        tables::AreaAdmin::grant(self.store.clone(), actor)
    }

    /// The session table, for the web layer's session middleware.
    pub fn sessions(&self) -> Sessions {
        Sessions::new(self.store.clone())
    }

    /// The actor of a session: the user `user_id`, signed in at `since` (unix seconds), from
    /// `origin`. `None` when the account is gone or deactivated, or the session is older than
    /// its absolute term; the caller then ends the session.
    pub async fn signed_in(
        &self,
        user_id: &str,
        since: i64,
        origin: &str,
    ) -> AppResult<Option<Actor>> {
        if accounts::unix_now() - since > accounts::ABSOLUTE_SECONDS {
            return Ok(None);
        }
        Ok(self
            .store
            .user(user_id)
            .await?
            .filter(|u| u.active)
            .map(|u| Actor::user(u, origin.to_string())))
    }

    /// A signed-in user's own page and signing out.
    pub fn workspace(&self, actor: &Actor) -> Option<Workspace> {
        Workspace::grant(self.store.clone(), actor)
    }

    /// Whether the data is the demo's (then the sign-in pages name the demo accounts).
    pub fn is_demo(&self) -> bool {
        self.catalog().demo
    }

    /// The current code of a demo account's authenticator, for the demo's sign-in page; `None`
    /// for every other account and outside the demo.
    pub async fn demo_code(&self, user_id: &str) -> AppResult<Option<String>> {
        if !self.is_demo() {
            return Ok(None);
        }
        let Some(c) = self.store.credentials_by_id(user_id).await? else {
            return Ok(None);
        };
        let email = c.user.email.as_str();
        if !is_demo_address(email) {
            return Ok(None);
        }
        Ok(c.totp_secret
            .and_then(|secret| accounts::usable_code(&secret, email, c.totp_last_step)))
    }

    /// The demo's accounts and their shared password, for the demo's sign-in page; nothing
    /// outside the demo.
    pub async fn demo_accounts(
        &self,
    ) -> AppResult<Option<(Vec<kapstok_domain::account::User>, &'static str)>> {
        if !self.is_demo() {
            return Ok(None);
        }
        let users = self
            .store
            .users()
            .await?
            .into_iter()
            .filter(|u| u.active && is_demo_address(u.email.as_str()))
            .collect();
        Ok(Some((users, kapstok_demo::accounts::DEMO_PASSWORD)))
    }

    /// Writes a refused attempt to the access log: a signed-in user asked for something their
    /// roles do not open (`what`: the address asked for).
    pub async fn record_refusal(
        &self,
        actor: &Actor,
        kind: kapstok_domain::audit::RecordKind,
        what: &str,
    ) -> AppResult<()> {
        let mut e = actor.log_entry(None, kapstok_domain::audit::Action::View, kind, false);
        e.record_id = Some(what.chars().take(200).collect());
        self.store.append(&e).await?;
        Ok(())
    }

    /// The verwijsroute's coded lists (not personal: anyone may read them).
    pub fn route_lists(&self) -> &kapstok_domain::referral::RouteLists {
        &self.route_lists
    }

    /// Referring a carer: verwijzers only.
    pub fn referral_desk(&self, actor: &Actor) -> Option<referrals::ReferralDesk> {
        referrals::ReferralDesk::grant(
            self.store.clone(),
            actor,
            self.route_lists.clone(),
            self.notifier(),
        )
    }

    /// A carer's receipt (what was shared, withdrawing consent): anyone with its code.
    pub fn carer_receipts(&self, actor: &Actor) -> receipts::CarerReceipts {
        receipts::CarerReceipts::new(self.store.clone(), actor, self.notifier())
    }

    /// A carer's own request for contact: anyone (with consent; throttled by the web layer).
    pub fn self_requests(&self, actor: &Actor) -> self_requests::SelfRequests {
        self_requests::SelfRequests::new(
            self.store.clone(),
            actor,
            self.route_lists.clone(),
            self.notifier(),
        )
    }

    fn notifier(&self) -> notify::Notifier {
        notify::Notifier::new(
            self.mailer.clone(),
            self.public_url.clone(),
            self.store.clone(),
        )
    }

    /// A team's referrals: its members in the role teamlid only.
    pub fn team_inbox(
        &self,
        actor: &Actor,
        team: &kapstok_domain::ids::TeamId,
    ) -> Option<referrals::TeamInbox> {
        referrals::TeamInbox::grant(
            self.store.clone(),
            actor,
            team,
            self.route_lists.clone(),
            self.notifier(),
        )
        .map(|i| i.with_service_level(self.working_days.clone(), self.clock.clone()))
    }

    /// A team's page: its own members only.
    pub fn team_view(
        &self,
        actor: &Actor,
        team: &kapstok_domain::ids::TeamId,
    ) -> Option<teams::TeamView> {
        teams::TeamView::grant(self.store.clone(), actor, team)
    }

    /// Users, teams and roles: beheerders only.
    pub fn account_admin(&self, actor: &Actor) -> Option<AccountAdmin> {
        AccountAdmin::grant(self.store.clone(), actor)
            .map(|a| a.with_mail(self.mailer.clone(), self.public_url.clone()))
    }

    /// The access log: the functionaris gegevensbescherming only.
    pub fn access_log_reader(&self, actor: &Actor) -> Option<audit::AccessLogReader> {
        audit::AccessLogReader::grant(self.store.clone(), actor)
    }

    /// Editing the social map: redacteuren, within their team's reach (the whole map, or their
    /// organisation's records as suggestions).
    pub async fn map_editor(&self, actor: &Actor) -> AppResult<Option<editing::MapEditor>> {
        editing::MapEditor::grant(self, actor).await
    }

    /// Reporting a wrong service page: anyone.
    pub fn correction_desk(&self, actor: &Actor) -> corrections::CorrectionDesk {
        corrections::CorrectionDesk::new(
            actor,
            self.store.clone(),
            self.catalog(),
            self.clock.clone(),
            self.stamp_key.clone(),
        )
    }

    /// Adding to the anonymous self-check tally: anyone who finished a check.
    pub fn self_check_counter(&self, _actor: &Actor) -> SelfCheckCounter {
        SelfCheckCounter::new(self.store.clone())
    }
}
