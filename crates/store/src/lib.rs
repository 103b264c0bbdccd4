#![forbid(unsafe_code)]
//! Kapstok's storage interface, split by capability so each use case gets only what it needs:
//! [`MetaStore`], [`SocialMapRead`], [`SocialMapWrite`], [`GeoStore`], [`TallyStore`],
//! [`AccountStore`], [`SessionStore`], [`AuditStore`], [`OutboxStore`]. A backend
//! (crate `kapstok-store-sql`: SQLite and PostgreSQL) implements them all and so is a [`Store`];
//! the conformance suite in the integration tests runs the same story against every backend.

use async_trait::async_trait;
use kapstok_domain::account::{Email, Membership, Team, User};
use kapstok_domain::activity::{Activity, Registration, RegistrationState};
use kapstok_domain::audit::{Entry, NewEntry};
use kapstok_domain::geo::{Area, AreaPostcode, GeoData, PostcodeEntry};
use kapstok_domain::hsds::KnownIds;
use kapstok_domain::model::{Directory, Organization, Service, Taxonomy, TaxonomyTerm};
use kapstok_domain::signal::{Signal, SignalState};
pub use kapstok_domain::tally::SelfCheckTally;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored record {id} cannot be read: {reason}")]
    Corrupt { id: String, reason: String },
    #[error("cannot open the database: {0}")]
    Open(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// What an import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub taxonomies: usize,
    pub taxonomy_terms: usize,
    pub organizations: usize,
    pub services: usize,
    pub locations: usize,
}

/// Small settings and the change counter.
#[async_trait]
pub trait MetaStore: Send + Sync {
    /// Goes up by one with every committed change to the social map, postcodes or areas, so
    /// each app instance knows when to rebuild its search index.
    async fn directory_version(&self) -> StoreResult<i64>;
    async fn meta(&self, key: &str) -> StoreResult<Option<String>>;
    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()>;
    /// The value of `key`, storing `value` first when there is none (the first writer wins).
    async fn meta_or_insert(&self, key: &str, value: &str) -> StoreResult<String>;

    /// This database's own id, made on first use: tells one database from another (a read-model
    /// snapshot of another database at the same version is not this one's).
    async fn database_id(&self) -> StoreResult<String> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let fresh = format!("{nanos:x}-{:x}", std::process::id());
        self.meta_or_insert("database_id", &fresh).await
    }
}

/// Reading the social map (HSDS records). Public pages and the API read the app's in-memory
/// read model, which is built from here by streaming: the map's frame first, then services a
/// page at a time.
#[async_trait]
pub trait SocialMapRead: Send + Sync {
    /// No organisations and no services yet.
    async fn is_empty(&self) -> StoreResult<bool>;
    /// Taxonomies, terms and organisations, sorted by id; no services.
    async fn map_frame(&self) -> StoreResult<Directory>;
    /// Up to `limit` services with ids after `after` (from the first when `None`), sorted by
    /// id, with their links and locations: page after page, the whole map without holding it.
    async fn services_after(&self, after: Option<&str>, limit: usize) -> StoreResult<Vec<Service>>;
    async fn known_ids(&self) -> StoreResult<KnownIds>;
    /// Services by id, in the order asked, skipping unknown ids.
    async fn services(&self, ids: &[String]) -> StoreResult<Vec<Service>>;
    async fn service(&self, id: &str) -> StoreResult<Option<Service>> {
        Ok(self.services(&[id.to_string()]).await?.pop())
    }
    async fn organization(&self, id: &str) -> StoreResult<Option<Organization>>;

    /// The whole social map, sorted by id (the export): the frame plus every page of services.
    async fn load_directory(&self) -> StoreResult<Directory> {
        let mut dir = self.map_frame().await?;
        loop {
            let after = dir.services.last().map(|s| s.id.to_string());
            let page = self.services_after(after.as_deref(), SERVICE_PAGE).await?;
            let done = page.len() < SERVICE_PAGE;
            dir.services.extend(page);
            if done {
                break;
            }
        }
        dir.normalize();
        Ok(dir)
    }
}

/// Services per page when the whole map is streamed.
pub const SERVICE_PAGE: usize = 2_000;

/// Changing the social map.
#[async_trait]
pub trait SocialMapWrite: Send + Sync {
    /// Starts an import: one transaction that batches of checked records are written into as
    /// they come, in any order (references are checked at commit).
    async fn begin_import(&self) -> StoreResult<Box<dyn ImportSession>>;

    /// Inserts or updates every record of a checked document in one transaction.
    async fn import_directory(&self, dir: &Directory) -> StoreResult<ImportSummary> {
        let mut session = self.begin_import().await?;
        session.taxonomies(&dir.taxonomies).await?;
        session.taxonomy_terms(&dir.taxonomy_terms).await?;
        session.organizations(&dir.organizations).await?;
        for round in dir.services.chunks(SERVICE_PAGE) {
            session.services(round).await?;
        }
        session.commit().await
    }
}

/// An import under way. Records are inserted or updated; each service's links and locations are
/// replaced as a whole. Nothing is visible to anyone else until `commit`; a session dropped
/// without it changes nothing.
#[async_trait]
pub trait ImportSession: Send {
    async fn taxonomies(&mut self, records: &[Taxonomy]) -> StoreResult<()>;
    async fn taxonomy_terms(&mut self, records: &[TaxonomyTerm]) -> StoreResult<()>;
    async fn organizations(&mut self, records: &[Organization]) -> StoreResult<()>;
    async fn services(&mut self, records: &[Service]) -> StoreResult<()>;
    /// Checks every reference, moves the directory version and makes it all visible at once.
    async fn commit(self: Box<Self>) -> StoreResult<ImportSummary>;
}

/// Postcodes with coordinates, and areas (deelgebieden) as a postcode → area mapping.
#[async_trait]
pub trait GeoStore: Send + Sync {
    /// Adds or replaces postcode rows; returns how many were written.
    async fn import_postcodes(&self, entries: &[PostcodeEntry]) -> StoreResult<usize>;
    /// Replaces all areas and the postcode → area mapping.
    async fn replace_areas(&self, areas: &[Area], mapping: &[AreaPostcode]) -> StoreResult<()>;
    async fn geo_data(&self) -> StoreResult<GeoData>;
}

/// Anonymous counts of the guided flows.
#[async_trait]
pub trait TallyStore: Send + Sync {
    /// Adds one to the anonymous tally; nothing else about the check is kept.
    async fn count_self_check(&self, tally: &SelfCheckTally) -> StoreResult<()>;
    async fn self_check_counts(&self) -> StoreResult<Vec<(SelfCheckTally, i64)>>;
}

/// A user with what a sign-in checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub user: User,
    /// argon2id, PHC string.
    pub password_hash: Option<String>,
    /// Base32 TOTP secret.
    pub totp_secret: Option<String>,
    /// The last time step whose code was accepted (a code counts once).
    pub totp_last_step: i64,
    pub failed_sign_ins: i64,
    /// Unix seconds until which sign-ins are refused after repeated failures.
    pub paused_until: i64,
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: kapstok_domain::ids::UserId,
    pub email: Email,
    pub name: String,
    pub memberships: Vec<Membership>,
    pub password_hash: Option<String>,
}

/// Why a single-use link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    Invitation,
    Reset,
}

impl LinkPurpose {
    pub fn code(self) -> &'static str {
        match self {
            LinkPurpose::Invitation => "invitation",
            LinkPurpose::Reset => "reset",
        }
    }
}

/// Accounts: users, teams, memberships, second factors, single-use links. Every change takes
/// the access-log entry that records it and writes both in one transaction: when the entry
/// cannot be written, nothing changes (fail closed).
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// `false` when a team of that name exists (nothing written).
    async fn create_team(&self, team: &Team, log: &NewEntry) -> StoreResult<bool>;
    async fn teams(&self) -> StoreResult<Vec<Team>>;
    /// One team, with its areas and reasons.
    async fn team(&self, id: &str) -> StoreResult<Option<Team>>;
    /// The roles' names as a deployment calls them: (code, Dutch, English).
    async fn role_names(&self) -> StoreResult<Vec<(String, String, String)>>;
    /// Replaces a team's organisation, whole-map flag, the areas it serves and the referral
    /// reasons it takes (its name stays).
    async fn update_team(&self, team: &Team, log: &NewEntry) -> StoreResult<()>;
    /// `false` when the e-mail address is taken (nothing written).
    async fn create_user(&self, user: &NewUser, log: &NewEntry) -> StoreResult<bool>;
    async fn user(&self, id: &str) -> StoreResult<Option<User>>;
    /// Every user, by name.
    async fn users(&self) -> StoreResult<Vec<User>>;
    async fn credentials(&self, email: &Email) -> StoreResult<Option<Credentials>>;
    async fn credentials_by_id(&self, id: &str) -> StoreResult<Option<Credentials>>;
    /// Counts a failed sign-in; the one that reaches `pause_after` failures in a row (and each
    /// after it) pauses further ones until `paused_until`.
    async fn sign_in_failed(
        &self,
        id: &str,
        pause_after: i64,
        paused_until: i64,
        log: &NewEntry,
    ) -> StoreResult<()>;
    /// Clears the failures; with `totp_step`, takes that step only if it is later than the last
    /// one taken (`false`: the code was used already, nothing written).
    async fn sign_in_succeeded(
        &self,
        id: &str,
        totp_step: Option<i64>,
        log: &NewEntry,
    ) -> StoreResult<bool>;
    async fn set_password(&self, id: &str, password_hash: &str, log: &NewEntry) -> StoreResult<()>;
    /// Sets up two-factor sign-in: the secret, the step of the code that confirmed it, and new
    /// recovery codes (SHA-256 of each) replacing any old ones.
    async fn set_totp(
        &self,
        id: &str,
        secret: &str,
        step: i64,
        recovery_hashes: &[String],
        log: &NewEntry,
    ) -> StoreResult<()>;
    /// Uses up a recovery code; `false` when it is unknown or used.
    async fn use_recovery_code(
        &self,
        id: &str,
        code_hash: &str,
        log: &NewEntry,
    ) -> StoreResult<bool>;
    async fn unused_recovery_codes(&self, id: &str) -> StoreResult<usize>;
    async fn set_memberships(
        &self,
        id: &str,
        memberships: &[Membership],
        log: &NewEntry,
    ) -> StoreResult<()>;
    /// Deactivating also ends every session of the user, in the same transaction.
    async fn set_active(&self, id: &str, active: bool, log: &NewEntry) -> StoreResult<()>;
    async fn create_link(
        &self,
        token_hash: &str,
        user_id: &str,
        purpose: LinkPurpose,
        expires_at: i64,
        log: &NewEntry,
    ) -> StoreResult<()>;
    /// The user of an unused, unexpired link; `None` otherwise.
    async fn link_user(
        &self,
        token_hash: &str,
        purpose: LinkPurpose,
        now: i64,
    ) -> StoreResult<Option<String>>;
    /// Uses up a valid link and sets the account's password, ending every session and every
    /// other link of the account, with the log entry, in one transaction; the user, or `None`
    /// (nothing changed) when the link is not valid.
    async fn redeem_link(
        &self,
        token_hash: &str,
        purpose: LinkPurpose,
        now: i64,
        password_hash: &str,
        log: &NewEntry,
    ) -> StoreResult<Option<String>>;
    /// As `link_user`, marking the link used.
    async fn take_link(
        &self,
        token_hash: &str,
        purpose: LinkPurpose,
        now: i64,
    ) -> StoreResult<Option<String>>;
}

/// Server-side sessions, by a hash of their id.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores a new session; `false` (nothing written) when the id is taken.
    async fn create_session(
        &self,
        id_hash: &str,
        user_id: Option<&str>,
        data: &str,
        expires_at: i64,
    ) -> StoreResult<bool>;
    /// Updates a session that exists; one that was ended meanwhile stays ended.
    async fn save_session(
        &self,
        id_hash: &str,
        user_id: Option<&str>,
        data: &str,
        expires_at: i64,
    ) -> StoreResult<()>;
    /// The data of a session that has not expired at `now`.
    async fn load_session(&self, id_hash: &str, now: i64) -> StoreResult<Option<String>>;
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;
    /// Ends every session of a user (sign out everywhere); how many there were.
    async fn delete_user_sessions(&self, user_id: &str, log: &NewEntry) -> StoreResult<u64>;
    async fn delete_expired_sessions(&self, now: i64) -> StoreResult<u64>;
}

/// Which access-log entries to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    pub user_id: Option<String>,
    pub person: Option<String>,
    pub record_id: Option<String>,
    pub action: Option<String>,
    /// From this instant on (inclusive) and before that one, as `audit::timestamp` text.
    pub from: Option<String>,
    pub until: Option<String>,
}

/// The access log: appended to, read, never changed.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends an entry on its own (a view of a record is logged before it is shown); its number.
    async fn append(&self, entry: &NewEntry) -> StoreResult<i64>;
    /// The newest entries first matching `filter`, `limit` from `offset`, and how many match.
    async fn entries(
        &self,
        filter: &LogFilter,
        offset: usize,
        limit: usize,
    ) -> StoreResult<(Vec<Entry>, usize)>;
    /// Up to `limit` entries after number `after`, oldest first (for checking the chain).
    async fn entries_after(&self, after: i64, limit: usize) -> StoreResult<Vec<Entry>>;
    /// How many days rows are kept.
    async fn retention_days(&self) -> StoreResult<i64>;
    /// Sets the term (at least 365 days; the database refuses less), with its log entry.
    async fn set_retention_days(&self, days: i64, log: &NewEntry) -> StoreResult<()>;
    /// Removes the rows older than `before` (an `audit::timestamp`), which must lie past the
    /// term (the database refuses younger ones), with a log entry saying so; how many went.
    async fn purge_before(&self, before: &str, log: &NewEntry) -> StoreResult<u64>;
}

/// A mail as kept in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: String,
    /// When SMTP took it; `None`: kept here only (no SMTP settings).
    pub sent_at: Option<String>,
}

/// Mail Kapstok sent or, without SMTP, keeps for a beheerder to read.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    async fn keep_mail(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        sent: bool,
        log: &NewEntry,
    ) -> StoreResult<i64>;
    /// Marks a kept mail as taken by SMTP, its body replaced (a secret link masked).
    async fn mark_sent(&self, id: i64, body: &str) -> StoreResult<()>;
    /// The newest first.
    async fn outbox(&self, limit: usize) -> StoreResult<Vec<OutboxMail>>;
}

/// A referral to be stored (sent: consent recorded).
#[derive(Debug, Clone)]
pub struct NewReferral {
    pub id: String,
    pub team_id: String,
    pub referrer_id: Option<String>,
    pub source: kapstok_domain::referral::Source,
    pub state: kapstok_domain::referral::State,
    pub reason: String,
    pub part_of: Option<String>,
    pub person: String,
    pub area_code: Option<String>,
    pub carer: kapstok_domain::referral::CarerDetails,
    /// The form's key: sending the same form twice makes one referral.
    pub idempotency_key: Option<String>,
    /// When, as `audit::timestamp` (its year numbers the reference).
    pub at: String,
}

/// The consent a referral rests on.
#[derive(Debug, Clone)]
pub struct NewConsent {
    pub id: String,
    pub team_id: String,
    pub purpose: String,
    pub data_shared: String,
    pub given_by: String,
    pub method: kapstok_domain::referral::ConsentMethod,
    pub given_at: String,
    pub recorded_by: Option<String>,
    /// SHA-256 of the code on the carer's receipt.
    pub receipt_hash: String,
    /// The carer agreed that the team may pass the referral on to another team.
    pub covers_forward: bool,
}

/// What storing a referral did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    New(kapstok_domain::referral::Referral),
    /// The same form was sent before: that referral.
    Existing(kapstok_domain::referral::Referral),
}

/// One move in a referral's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralEvent {
    pub seq: i64,
    pub at: String,
    pub user_id: Option<String>,
    pub move_code: String,
    pub from: Option<kapstok_domain::referral::State>,
    pub to: kapstok_domain::referral::State,
    pub outcome: Option<String>,
}

/// Which referrals of a team to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxFilter {
    /// Empty: every state.
    pub states: Vec<kapstok_domain::referral::State>,
    pub area_code: Option<String>,
    pub reason: Option<String>,
    pub assigned: Assigned,
    /// Only those sent before this instant (stored form): with `states` = requested, the
    /// overdue ones.
    pub sent_before: Option<String>,
}

/// Whom a listed referral is assigned to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Assigned {
    #[default]
    Anyone,
    /// Not assigned yet.
    Nobody,
    /// This user (id).
    To(String),
}

/// A team's internal note on a referral (never shown to the referrer or the carer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralNote {
    pub at: String,
    pub author_id: Option<String>,
    pub text: String,
}

/// A consent as stored (the receipt's code only as its hash, never returned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub id: String,
    pub team_id: String,
    pub purpose: String,
    pub data_shared: String,
    pub given_by: String,
    pub method: kapstok_domain::referral::ConsentMethod,
    pub given_at: String,
    pub recorded_by: Option<String>,
    pub withdrawn_at: Option<String>,
    /// The carer agreed that the team may pass the referral on to another team.
    pub covers_forward: bool,
}

/// A forward: this team's task ends (`completed`, doorverwezen) and the next team's starts,
/// linked to it, with the consent it rests on and the reason on both; one transaction.
#[derive(Debug, Clone)]
pub struct Forward<'a> {
    pub moved: StoredMove<'a>,
    /// The next team's task: `part_of` the first, the same `person`, the carer's details.
    pub next: NewReferral,
    pub consent: NewConsent,
    /// Why it goes on, as a note on both tasks.
    pub reason: ReferralNote,
}

/// Everything one carer's referral is: each team's task (sharing `person`) and their consents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// Oldest first.
    pub referrals: Vec<kapstok_domain::referral::Referral>,
    pub consents: Vec<Consent>,
}

/// A move to store: from which state (it must still be in it) to which.
#[derive(Debug, Clone)]
pub struct StoredMove<'a> {
    pub from: kapstok_domain::referral::State,
    pub to: kapstok_domain::referral::State,
    pub move_code: &'a str,
    pub user_id: Option<&'a str>,
    pub outcome: Option<&'a str>,
    pub at: &'a str,
}

/// Referrals: stored with their consent, moved, listed per team and per referrer. Every change
/// takes its access-log entry and writes both in one transaction.
#[async_trait]
pub trait ReferralStore: Send + Sync {
    /// Stores a referral with its consent and first event, numbering its reference per year.
    async fn create_referral(
        &self,
        referral: &NewReferral,
        consent: &NewConsent,
        log: &NewEntry,
    ) -> StoreResult<Created>;
    async fn referral(&self, id: &str) -> StoreResult<Option<kapstok_domain::referral::Referral>>;
    /// A team's referrals, newest first, and how many match.
    async fn team_referrals(
        &self,
        team_id: &str,
        filter: &InboxFilter,
        offset: usize,
        limit: usize,
    ) -> StoreResult<(Vec<kapstok_domain::referral::Referral>, usize)>;
    /// The referrals a user made, newest first.
    async fn referrals_by(
        &self,
        referrer_id: &str,
        limit: usize,
    ) -> StoreResult<Vec<kapstok_domain::referral::Referral>>;
    /// Applies a move if the referral is still in `m.from`; `false` (nothing written) if not.
    async fn move_referral(
        &self,
        id: &str,
        m: &StoredMove<'_>,
        log: &NewEntry,
    ) -> StoreResult<bool>;
    async fn referral_events(&self, id: &str) -> StoreResult<Vec<ReferralEvent>>;
    /// Assigns a referral to a member (or to nobody); `false` if there is no such referral.
    async fn assign_referral(
        &self,
        id: &str,
        to: Option<&str>,
        log: &NewEntry,
    ) -> StoreResult<bool>;
    /// Adds a team note; `false` if there is no such referral.
    async fn add_referral_note(
        &self,
        id: &str,
        note: &ReferralNote,
        log: &NewEntry,
    ) -> StoreResult<bool>;
    /// A referral's notes, oldest first.
    async fn referral_notes(&self, id: &str) -> StoreResult<Vec<ReferralNote>>;
    /// The consents a referral rests on, oldest first.
    async fn consents(&self, referral_id: &str) -> StoreResult<Vec<Consent>>;
    /// Forwards a referral if it is still in `f.moved.from` (`None`, nothing written, if not);
    /// the same form twice gives the next team's task made the first time. `log` is written
    /// once for each task.
    async fn forward_referral(
        &self,
        id: &str,
        f: &Forward<'_>,
        log: &NewEntry,
    ) -> StoreResult<Option<Created>>;
    /// The referral a form's idempotency key made, if any.
    async fn referral_by_key(
        &self,
        key: &str,
    ) -> StoreResult<Option<kapstok_domain::referral::Referral>>;
    /// Every task of one carer's referral (sharing `person`), oldest first.
    async fn tasks_of(&self, person: &str) -> StoreResult<Vec<kapstok_domain::referral::Referral>>;
    /// The referral a receipt's code (as its SHA-256) belongs to, with every task it became.
    async fn receipt(&self, receipt_hash: &str) -> StoreResult<Option<Receipt>>;
    /// Anonymises up to `limit` referrals closed (in a final state) before `before` and not
    /// anonymised yet: the carer's details, the team's notes and a representative's name go;
    /// area, reason, outcome, dates and the history stay (for the municipality's figures).
    /// `log` is written for each, in the same transaction. The ids anonymised.
    async fn anonymise_closed(
        &self,
        before: &str,
        at: &str,
        limit: usize,
        log: &NewEntry,
    ) -> StoreResult<Vec<String>>;
    /// The carer withdraws consent: every open task of the receipt's referral is cancelled,
    /// every consent marked withdrawn and the carer's details removed from every task, at `at`;
    /// `log` is written once for each task. The tasks that were open (for telling their teams),
    /// or `None` for an unknown code.
    async fn withdraw_consent(
        &self,
        receipt_hash: &str,
        at: &str,
        log: &NewEntry,
    ) -> StoreResult<Option<Vec<kapstok_domain::referral::Referral>>>;
}

/// Which kind of social-map record a version or suggestion is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordType {
    Service,
    Organization,
}

impl RecordType {
    pub fn code(self) -> &'static str {
        match self {
            RecordType::Service => "service",
            RecordType::Organization => "organization",
        }
    }
    pub fn parse(code: &str) -> Option<RecordType> {
        [RecordType::Service, RecordType::Organization]
            .into_iter()
            .find(|t| t.code() == code)
    }
}

/// A record to publish, as it is to become.
#[derive(Debug, Clone, Copy)]
pub enum MapRecord<'a> {
    Service(&'a Service),
    Organization(&'a Organization),
}

impl MapRecord<'_> {
    pub fn kind(&self) -> RecordType {
        match self {
            MapRecord::Service(_) => RecordType::Service,
            MapRecord::Organization(_) => RecordType::Organization,
        }
    }
    pub fn id(&self) -> &str {
        match self {
            MapRecord::Service(s) => s.id.as_str(),
            MapRecord::Organization(o) => o.id.as_str(),
        }
    }
    /// The record as JSON, as versions keep it.
    pub fn document(&self) -> String {
        match self {
            MapRecord::Service(s) => serde_json::to_string(s),
            MapRecord::Organization(o) => serde_json::to_string(o),
        }
        .expect("records serialize")
    }
}

/// How a version came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The record as it was before its first edit (from an import).
    Import,
    /// A redacteur of the whole map published it.
    Edit,
    /// An organisation's suggestion, accepted.
    Suggestion,
    /// An older version, published again.
    Restore,
    /// Confirmed as correct (`assured_date`).
    Check,
}

impl Via {
    pub const ALL: [Via; 5] = [
        Via::Import,
        Via::Edit,
        Via::Suggestion,
        Via::Restore,
        Via::Check,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Via::Import => "import",
            Via::Edit => "edit",
            Via::Suggestion => "suggestion",
            Via::Restore => "restore",
            Via::Check => "check",
        }
    }
    pub fn parse(code: &str) -> Option<Via> {
        Via::ALL.into_iter().find(|v| v.code() == code)
    }
}

/// A version to write with a published change.
#[derive(Debug, Clone)]
pub struct NewVersion {
    pub at: String,
    pub user_id: Option<String>,
    pub via: Via,
    /// The form's field codes that changed.
    pub changed: Vec<String>,
    pub restored_from: Option<i64>,
    /// The record as it was before (JSON): kept as the first version when the record has none
    /// yet, so its state from the import can be restored too. `None` for a new record.
    pub previous: Option<String>,
}

/// A kept version of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub seq: i64,
    pub at: String,
    pub user_id: Option<String>,
    /// The user's name as it is now (the account may be gone: `None`).
    pub user_name: Option<String>,
    pub via: Via,
    pub changed: Vec<String>,
    pub restored_from: Option<i64>,
    pub document: String,
}

/// The state of a suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestionState {
    Open,
    Accepted,
    Rejected,
}

impl SuggestionState {
    pub fn code(self) -> &'static str {
        match self {
            SuggestionState::Open => "open",
            SuggestionState::Accepted => "accepted",
            SuggestionState::Rejected => "rejected",
        }
    }
    pub fn parse(code: &str) -> Option<SuggestionState> {
        [
            SuggestionState::Open,
            SuggestionState::Accepted,
            SuggestionState::Rejected,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// An organisation editor's proposed change.
#[derive(Debug, Clone)]
pub struct NewSuggestion {
    pub id: String,
    pub kind: RecordType,
    pub record_id: String,
    pub organization_id: String,
    pub author_id: Option<String>,
    pub at: String,
    /// The record as the editor saw it (JSON; `None`: a new record), and as proposed.
    pub base: Option<String>,
    pub document: String,
    pub changed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub id: String,
    pub kind: RecordType,
    pub record_id: String,
    pub organization_id: String,
    pub author_id: Option<String>,
    pub author_name: Option<String>,
    pub at: String,
    pub base: Option<String>,
    pub document: String,
    pub changed: Vec<String>,
    pub state: SuggestionState,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub answer: Option<String>,
}

/// A visitor's report that a service's page is wrong.
#[derive(Debug, Clone)]
pub struct NewCorrection {
    pub id: String,
    pub service_id: String,
    pub at: String,
    pub message: String,
    /// Where the answer goes, if they want one.
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub id: String,
    pub service_id: String,
    pub at: String,
    pub message: String,
    pub email: Option<String>,
    pub open: bool,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<String>,
}

/// A service as the editors' lists show it (also those not public).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceLine {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub status: String,
    pub assured_date: Option<String>,
}

/// Editing the social map by hand: publishing with versions, suggestions, visitors'
/// corrections. Every change takes its access-log entry and writes both in one transaction.
#[async_trait]
pub trait MapEditStore: Send + Sync {
    /// Writes the record (a service with its links and locations, as an import would), its new
    /// version (numbered after the last) and the change counter, at once; the version's number.
    async fn publish(
        &self,
        record: MapRecord<'_>,
        version: &NewVersion,
        log: &NewEntry,
    ) -> StoreResult<i64>;
    /// As `publish` for several records at once, all or none, with one log entry (a table
    /// uploaded by an editor).
    async fn publish_many(
        &self,
        records: &[(MapRecord<'_>, NewVersion)],
        log: &NewEntry,
    ) -> StoreResult<()>;
    /// A record's versions, the newest first.
    async fn versions(&self, kind: RecordType, id: &str) -> StoreResult<Vec<Version>>;
    /// Every service (any status), by name; of one organisation when given.
    async fn service_lines(&self, organization: Option<&str>) -> StoreResult<Vec<ServiceLine>>;
    async fn suggest(&self, s: &NewSuggestion, log: &NewEntry) -> StoreResult<()>;
    /// Suggestions in `state` (all when `None`), of one organisation when given, oldest first.
    async fn suggestions(
        &self,
        state: Option<SuggestionState>,
        organization: Option<&str>,
    ) -> StoreResult<Vec<Suggestion>>;
    async fn suggestion(&self, id: &str) -> StoreResult<Option<Suggestion>>;
    /// Decides an open suggestion (`false`, nothing written, if it is not open any more); an
    /// accepted one is published with `publish`'s version in the same transaction.
    async fn decide_suggestion(
        &self,
        id: &str,
        accept: Option<(MapRecord<'_>, &NewVersion)>,
        by: &str,
        at: &str,
        answer: Option<&str>,
        log: &NewEntry,
    ) -> StoreResult<bool>;
    async fn report_correction(&self, c: &NewCorrection, log: &NewEntry) -> StoreResult<()>;
    /// Open reports (or all), oldest first.
    async fn corrections(&self, open_only: bool) -> StoreResult<Vec<Correction>>;
    async fn correction(&self, id: &str) -> StoreResult<Option<Correction>>;
    /// Closes an open report with the answer sent (if any); the sender's address goes.
    /// `false` if it was not open.
    async fn close_correction(
        &self,
        id: &str,
        answer: Option<&str>,
        by: &str,
        at: &str,
        log: &NewEntry,
    ) -> StoreResult<bool>;
}

/// Which of the search's word lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WordListKind {
    /// Groups of words that find each other (`oppas, respijtzorg thuis`).
    Synonyms,
    /// Word parts for splitting compounds (`dag`, `besteding`).
    Compounds,
}

impl WordListKind {
    pub const ALL: [WordListKind; 2] = [WordListKind::Synonyms, WordListKind::Compounds];
    pub fn code(self) -> &'static str {
        match self {
            WordListKind::Synonyms => "synonyms",
            WordListKind::Compounds => "compounds",
        }
    }
    pub fn parse(code: &str) -> Option<WordListKind> {
        WordListKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A word list the steunpunt set in the browser, in place of the built-in (or configured) one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordList {
    pub kind: WordListKind,
    /// The list as typed (one group or part per line, `#` comments).
    pub body: String,
    pub at: String,
    pub user_id: Option<String>,
}

/// The search's vocabulary: taxonomies and their terms, and the word lists. Every write bumps
/// the change counter (the read model is rebuilt with it) and appends its log entry, at once.
#[async_trait]
pub trait VocabularyStore: Send + Sync {
    /// The word lists set in the browser (none for a list that was never set or was reset).
    async fn word_lists(&self) -> StoreResult<Vec<WordList>>;
    /// Sets a word list, or with `None` removes it (back to the built-in or configured one).
    async fn set_word_list(
        &self,
        kind: WordListKind,
        list: Option<&WordList>,
        log: &NewEntry,
    ) -> StoreResult<()>;
    /// Writes a taxonomy (new or changed).
    async fn save_taxonomy(&self, taxonomy: &Taxonomy, log: &NewEntry) -> StoreResult<()>;
    /// Writes a taxonomy term (new or changed); its taxonomy must exist.
    async fn save_term(&self, term: &TaxonomyTerm, log: &NewEntry) -> StoreResult<()>;
}

/// A registration to write (its place or waiting position is decided by the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRegistration {
    pub id: String,
    pub activity_id: String,
    pub occurrence: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub user_id: Option<String>,
    /// SHA-256 of the personal cancel link's secret.
    pub token_hash: String,
    pub at: String,
}

/// Activities and their registrations.
#[async_trait]
pub trait ActivityStore: Send + Sync {
    /// Writes an activity (new or changed) with its log entry.
    async fn save_activity(&self, activity: &Activity, log: &NewEntry) -> StoreResult<()>;
    async fn activity(&self, id: &str) -> StoreResult<Option<Activity>>;
    /// Every activity, published or not, by title.
    async fn activities(&self) -> StoreResult<Vec<Activity>>;
    /// Registers for one date: a place while the activity's capacity holds and nobody waits,
    /// else the waiting list, decided inside the transaction that counts (of two people taking
    /// the last place at once, one gets it). `None`: no such activity. When the same e-mail
    /// address or account already holds a place or waits for that date, that registration is
    /// returned instead (its id is not `r.id`) and nothing is stored.
    async fn register(
        &self,
        r: &NewRegistration,
        log: &NewEntry,
    ) -> StoreResult<Option<Registration>>;
    /// One date's registrations, in the order they came.
    async fn registrations(
        &self,
        activity_id: &str,
        occurrence: &str,
    ) -> StoreResult<Vec<Registration>>;
    /// Cancels the registration with this link hash; when it held a place, the first on the
    /// waiting list gets it, in the same transaction. `None`: no such registration, or already
    /// cancelled. `(cancelled, moved up)`.
    async fn cancel_registration(
        &self,
        token_hash: &str,
        at: &str,
        log: &NewEntry,
    ) -> StoreResult<Option<(Registration, Option<Registration>)>>;
    /// The registration with this cancel link's hash (any state).
    async fn registration_by_token(&self, token_hash: &str) -> StoreResult<Option<Registration>>;
    /// Sets a registration's state from `from` (attendance: place ⇄ attended, completed), with
    /// its entry. `false`: no such registration in that state (it changed meanwhile).
    async fn set_registration_state(
        &self,
        id: &str,
        from: RegistrationState,
        state: RegistrationState,
        at: &str,
        log: &NewEntry,
    ) -> StoreResult<bool>;
    /// Gives free places of one date (after the capacity was raised) to the waiting list, first
    /// come first; returns who moved up.
    async fn promote_waiting(
        &self,
        activity_id: &str,
        occurrence: &str,
        at: &str,
        log: &NewEntry,
    ) -> StoreResult<Vec<Registration>>;
    /// Forgets that one date's reminders went out (the date moved: a reminder for the new one).
    async fn reset_reminders(&self, activity_id: &str, occurrence: &str) -> StoreResult<()>;
    /// Marks that a registration's reminder went out; `false` when it already had (one mail).
    async fn mark_reminded(&self, id: &str, at: &str) -> StoreResult<bool>;
    /// Erases the personal details of one date's registrations (name, e-mail, phone, account,
    /// link), or only of those made before `registered_before` (e-learning, which has no date);
    /// their states stay, for the counts. Returns how many were erased.
    async fn erase_registrations(
        &self,
        activity_id: &str,
        occurrence: &str,
        registered_before: Option<&str>,
        log: &NewEntry,
    ) -> StoreResult<u64>;
    /// How many registrations each date has in each state: `(activity, occurrence, state, n)`.
    async fn registration_counts(
        &self,
    ) -> StoreResult<Vec<(String, String, RegistrationState, u64)>>;
    /// The audience (professional group) a user chose, if any.
    async fn user_audience(&self, user_id: &str) -> StoreResult<Option<String>>;
    /// Sets or (with `None`) clears it.
    async fn set_user_audience(&self, user_id: &str, audience: Option<&str>) -> StoreResult<()>;
}

/// A new signal, as the form checked it.
#[derive(Debug, Clone)]
pub struct NewSignal {
    pub id: String,
    pub theme: String,
    pub area: Option<String>,
    pub from: String,
    pub to: String,
    pub text: String,
    pub sender_user: Option<String>,
    pub sender_team: Option<String>,
    pub addressee: String,
    /// Stored time; its year numbers the reference.
    pub at: String,
}

/// Signals and their loop.
#[async_trait]
pub trait SignalStore: Send + Sync {
    /// Stores a signal, numbering its reference per year, with its log entry.
    async fn add_signal(&self, s: &NewSignal, log: &NewEntry) -> StoreResult<Signal>;
    async fn signal(&self, id: &str) -> StoreResult<Option<Signal>>;
    /// Signals sent by a user, newest first.
    async fn signals_sent_by(&self, user_id: &str) -> StoreResult<Vec<Signal>>;
    /// Signals to any of `addressees` (`gemeente`, team ids), newest first.
    async fn signals_to(&self, addressees: &[String]) -> StoreResult<Vec<Signal>>;
    /// Every signal (the municipality's report and figures).
    async fn all_signals(&self) -> StoreResult<Vec<Signal>>;
    /// Writes a step: the new state, the answer (kept when `None`) and the step's time.
    async fn signal_step(
        &self,
        id: &str,
        state: SignalState,
        answer: Option<&str>,
        at: &str,
        log: &NewEntry,
    ) -> StoreResult<bool>;
    /// Puts signals in a group (`None`: out of it); how many changed.
    async fn group_signals(
        &self,
        ids: &[String],
        group: Option<&str>,
        log: &NewEntry,
    ) -> StoreResult<u64>;
}

/// One referral's countable facts for the municipality's figures: no person, no team, only
/// what it was about and when it moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralFactRow {
    pub area: Option<String>,
    pub reason: String,
    /// `verwijzer` or `zelf`.
    pub source: String,
    pub outcome: Option<String>,
    /// The state's code.
    pub state: String,
    pub sent_at: String,
    pub accepted_at: Option<String>,
    pub closed_at: Option<String>,
}

/// What the municipality's dashboard reads (no personal data leaves here).
#[async_trait]
pub trait FiguresStore: Send + Sync {
    /// The facts of the referrals sent from `from` up to `until` (stored times). Forwarded
    /// tasks count once: only a carer's first task.
    async fn referral_facts(&self, from: &str, until: &str) -> StoreResult<Vec<ReferralFactRow>>;
    /// Every UTC day (`YYYY-MM-DD`) whose referrals changed since the database was made, with
    /// a version that grows with each change: a reader reloads the days whose version moved.
    async fn referral_days(&self) -> StoreResult<Vec<(String, i64)>>;
}

/// A whole backend: every capability.
pub trait Store:
    MetaStore
    + SocialMapRead
    + SocialMapWrite
    + GeoStore
    + TallyStore
    + AccountStore
    + SessionStore
    + AuditStore
    + OutboxStore
    + ReferralStore
    + MapEditStore
    + VocabularyStore
    + ActivityStore
    + SignalStore
    + FiguresStore
{
}

impl<
    T: MetaStore
        + SocialMapRead
        + SocialMapWrite
        + GeoStore
        + TallyStore
        + AccountStore
        + SessionStore
        + AuditStore
        + OutboxStore
        + ReferralStore
        + MapEditStore
        + VocabularyStore
        + ActivityStore
        + SignalStore
        + FiguresStore,
> Store for T
{
}
