//! Accounts: signing in with a password and a second factor (TOTP, recovery codes), single-use
//! links, and the beheerder's work on users and teams. Every step writes its access-log entry
//! in the same transaction as its change.

use crate::{Actor, AppResult};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use kapstok_domain::account::{
    Email, Membership, PasswordProblem, Role, Team, User, check_new_password,
};
use kapstok_domain::audit::{Action, RecordKind};
use kapstok_domain::ids::{TeamId, UserId};
pub use kapstok_store::LinkPurpose as Link;
use kapstok_store::{AccountStore, AuditStore, LinkPurpose, NewUser, SessionStore, Store};
use sha2::{Digest, Sha256};
use std::sync::{Arc, LazyLock};

/// Failed sign-ins in a row before each further one pauses the account.
pub const FAILURES_BEFORE_PAUSE: i64 = 5;
/// How long such a pause lasts.
pub const PAUSE_SECONDS: i64 = 15 * 60;
/// A session ends after this long without a request…
pub const IDLE_SECONDS: i64 = 30 * 60;
/// …and this long after signing in, whatever happens.
pub const ABSOLUTE_SECONDS: i64 = 12 * 60 * 60;
/// Invitation links hold 72 hours, reset links one.
pub const INVITATION_SECONDS: i64 = 72 * 60 * 60;
pub const RESET_SECONDS: i64 = 60 * 60;
/// Recovery codes made when two-factor sign-in is set up.
pub const RECOVERY_CODES: usize = 10;

pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `n` random bytes from the operating system, as hex.
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).expect("the operating system gives random bytes");
    hex(&buf)
}

/// SHA-256 of a high-entropy secret (link tokens, session ids, recovery codes), as hex. Such
/// secrets need no slow hash: they cannot be guessed from a list.
pub fn secret_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// argon2id with the crate's defaults (19 MiB, 2 passes: OWASP's minimum), on a blocking thread.
async fn hash_password(password: &str) -> String {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .expect("argon2id hashes any password")
            .to_string()
    })
    .await
    .expect("hashing does not panic")
}

/// A hash that matches no password: checked for unknown addresses so that they take as long.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(random_hex(16).as_bytes())
        .expect("argon2id hashes any password")
        .to_string()
});

async fn verify_password(password: &str, hash: Option<&str>) -> bool {
    let password = password.to_string();
    let hash = hash.map_or_else(|| DUMMY_HASH.clone(), str::to_string);
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// A sign-in that did not work. One kind only: the page never says whether the address is
/// known, the password wrong, the code wrong or the account paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused;

/// Where a sign-in stands after the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Signed in.
    Done(UserId),
    /// The password was right; a code from the authenticator app comes next.
    SecondFactor(UserId),
    /// The password was right; the role needs two factors, which are set up next.
    SetUpSecondFactor(UserId),
}

/// A new TOTP secret with what an authenticator app reads.
#[derive(Debug, Clone)]
pub struct TotpSetup {
    /// Base32, also for typing in by hand.
    pub secret: String,
    pub otpauth_url: String,
    /// The address as a QR code, an inline SVG.
    pub qr_svg: String,
}

fn totp(secret_base32: &str, account: &str) -> Option<totp_rs::Totp> {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).ok()?;
    totp_rs::Builder::new()
        .with_secret(secret)
        .with_account_name(account.replace(':', ""))
        .with_issuer(Some("Kapstok"))
        .build()
        .ok()
}

/// A six-digit code typed with spaces or not.
fn clean_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

/// Signing in, for anyone: the password, the second factor, setting one up, single-use links,
/// asking for a new password.
#[derive(Clone)]
pub struct SignIn {
    accounts: Arc<dyn AccountStore>,
    audit: Arc<dyn AuditStore>,
    mail: Option<(crate::mail::Mailer, Arc<String>)>,
    /// The demo's accounts sign in only while the data is the demo's.
    demo: bool,
}

/// Why a new password (from an invitation or reset link) is not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    /// Unknown, used or expired: one answer for all three.
    NotValid,
    Password(PasswordProblem),
}

impl SignIn {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        SignIn {
            accounts: store.clone(),
            audit: store,
            mail: None,
            demo: false,
        }
    }

    pub(crate) fn in_demo(mut self, demo: bool) -> Self {
        self.demo = demo;
        self
    }

    pub(crate) fn with_mail(
        mut self,
        mailer: crate::mail::Mailer,
        public_url: Arc<String>,
    ) -> Self {
        self.mail = Some((mailer, public_url));
        self
    }

    /// Someone forgot their password: when `email` belongs to an active account with a
    /// password, a reset link (1 hour) goes to it. The work happens after the answer, so the
    /// answer takes as long for every address; the caller says the same either way.
    pub fn request_reset(&self, email: &str, origin: &str) {
        let (me, email, origin) = (self.clone(), email.to_string(), origin.to_string());
        tokio::spawn(async move {
            if let Err(e) = me.reset_now(&email, &origin).await {
                tracing::error!(error = %e, "a reset link could not be made");
            }
        });
    }

    async fn reset_now(&self, email: &str, origin: &str) -> AppResult<()> {
        let Some(c) = (match Email::parse(email) {
            Some(e) => self.accounts.credentials(&e).await?,
            None => None,
        }) else {
            return Ok(());
        };
        if !c.user.active || c.password_hash.is_none() {
            return Ok(());
        }
        let token = random_hex(32);
        let e = self.entry(&c.user, origin, Action::Create);
        self.accounts
            .create_link(
                &secret_hash(&token),
                &c.user.id,
                LinkPurpose::Reset,
                unix_now() + RESET_SECONDS,
                &e,
            )
            .await?;
        if let Some((mailer, url)) = &self.mail {
            let (subject, body) = link_mail(
                &c.user.name,
                LinkPurpose::Reset,
                &format!("{url}{}{token}", link_path(LinkPurpose::Reset)),
            );
            let mut e = self.entry(&c.user, origin, Action::Send);
            e.record_kind = RecordKind::Mail.code().into();
            mailer
                .send(&c.user.email, &subject, &body, Some(&token), &e)
                .await?;
        }
        Ok(())
    }

    async fn refuse(&self, user: Option<&User>, origin: &str) -> AppResult<Refused> {
        let mut e = Actor::visitor().log_entry(None, Action::SignIn, RecordKind::Account, false);
        e.origin = Some(origin.to_string());
        if let Some(u) = user {
            // Not signed in: nobody acted; the account tried is the record and the person.
            e.record_id = Some(u.id.to_string());
            e.person = Some(u.id.to_string());
            self.accounts
                .sign_in_failed(&u.id, FAILURES_BEFORE_PAUSE, unix_now() + PAUSE_SECONDS, &e)
                .await?;
        } else {
            self.audit.append(&e).await?;
        }
        Ok(Refused)
    }

    fn entry(&self, user: &User, origin: &str, action: Action) -> kapstok_domain::audit::NewEntry {
        let mut e = Actor::visitor().log_entry(None, action, RecordKind::Account, true);
        e.user_id = Some(user.id.to_string());
        e.record_id = Some(user.id.to_string());
        e.person = Some(user.id.to_string());
        e.origin = Some(origin.to_string());
        e
    }

    /// The first step: e-mail address and password.
    pub async fn password(
        &self,
        email: &str,
        password: &str,
        origin: &str,
    ) -> AppResult<Result<Step, Refused>> {
        let creds = match Email::parse(email) {
            Some(e) => self.accounts.credentials(&e).await?,
            None => None,
        };
        let usable = creds.as_ref().filter(|c| {
            c.user.active
                && c.password_hash.is_some()
                && (self.demo || !crate::is_demo_address(c.user.email.as_str()))
        });
        let right =
            verify_password(password, usable.and_then(|c| c.password_hash.as_deref())).await;
        let Some(c) = usable else {
            return Ok(Err(self.refuse(None, origin).await?));
        };
        if !right || c.paused_until > unix_now() {
            return Ok(Err(self.refuse(Some(&c.user), origin).await?));
        }
        if c.user.has_totp {
            Ok(Ok(Step::SecondFactor(c.user.id.clone())))
        } else if c.user.needs_second_factor() {
            Ok(Ok(Step::SetUpSecondFactor(c.user.id.clone())))
        } else {
            let e = self.entry(&c.user, origin, Action::SignIn);
            self.accounts
                .sign_in_succeeded(&c.user.id, None, &e)
                .await?;
            Ok(Ok(Step::Done(c.user.id.clone())))
        }
    }

    /// The second step: a code from the authenticator app (each counts once) or a recovery code.
    pub async fn second_factor(
        &self,
        user: &UserId,
        code: &str,
        origin: &str,
    ) -> AppResult<Result<UserId, Refused>> {
        let Some(c) = self.accounts.credentials_by_id(user).await? else {
            return Ok(Err(self.refuse(None, origin).await?));
        };
        if !c.user.active || c.paused_until > unix_now() {
            return Ok(Err(self.refuse(Some(&c.user), origin).await?));
        }
        let code = clean_code(code);
        let e = self.entry(&c.user, origin, Action::SignIn);
        let accepted = if code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()) {
            let step = c
                .totp_secret
                .as_deref()
                .and_then(|s| totp(s, c.user.email.as_str()))
                .and_then(|t| t.check(&code, unix_now() as u64));
            match step {
                Some(step) => {
                    self.accounts
                        .sign_in_succeeded(&c.user.id, Some(step as i64), &e)
                        .await?
                }
                None => false,
            }
        } else {
            let hash = secret_hash(&code.to_lowercase());
            self.accounts
                .use_recovery_code(&c.user.id, &hash, &e)
                .await?
        };
        if accepted {
            Ok(Ok(c.user.id))
        } else {
            Ok(Err(self.refuse(Some(&c.user), origin).await?))
        }
    }

    /// A fresh secret for setting up two-factor sign-in (nothing stored until confirmed).
    pub fn new_totp(&self, account: &str) -> TotpSetup {
        let mut bytes = [0u8; 20];
        getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
        self.totp_for(&totp_rs::Secret::from(bytes).to_base32(), account)
    }

    /// The authenticator's address and QR code for a secret.
    pub fn totp_for(&self, secret: &str, account: &str) -> TotpSetup {
        let otpauth_url = totp(secret, account)
            .and_then(|t| t.to_url().ok())
            .unwrap_or_default();
        let qr_svg = qrcode::QrCode::new(otpauth_url.as_bytes())
            .map(|q| {
                q.render::<qrcode::render::svg::Color>()
                    .min_dimensions(200, 200)
                    .build()
            })
            .unwrap_or_default();
        TotpSetup {
            secret: secret.to_string(),
            otpauth_url,
            qr_svg,
        }
    }

    /// The name an authenticator app shows for the account: its e-mail address.
    pub async fn account_name(&self, user: &UserId) -> AppResult<String> {
        Ok(self
            .accounts
            .user(user)
            .await?
            .map(|u| u.email.to_string())
            .unwrap_or_default())
    }

    /// Confirms a new secret with a code from it, stores it with fresh recovery codes (shown
    /// once, returned here) and completes the sign-in. `Err` when the code does not fit.
    pub async fn confirm_totp(
        &self,
        user: &UserId,
        secret: &str,
        code: &str,
        origin: &str,
    ) -> AppResult<Result<Vec<String>, Refused>> {
        let Some(c) = self.accounts.credentials_by_id(user).await? else {
            return Ok(Err(self.refuse(None, origin).await?));
        };
        let step = totp(secret, c.user.email.as_str())
            .and_then(|t| t.check(&clean_code(code), unix_now() as u64));
        let Some(step) = step.filter(|_| c.user.active) else {
            return Ok(Err(self.refuse(Some(&c.user), origin).await?));
        };
        let codes: Vec<String> = (0..RECOVERY_CODES)
            .map(|_| {
                let h = random_hex(6);
                format!("{}-{}", &h[..6], &h[6..])
            })
            .collect();
        let hashes: Vec<String> = codes.iter().map(|c| secret_hash(&clean_code(c))).collect();
        let e = self.entry(&c.user, origin, Action::Change);
        self.accounts
            .set_totp(&c.user.id, secret, step as i64, &hashes, &e)
            .await?;
        let e = self.entry(&c.user, origin, Action::SignIn);
        self.accounts
            .sign_in_succeeded(&c.user.id, None, &e)
            .await?;
        Ok(Ok(codes))
    }

    /// The user an invitation or reset link is for, if it is still valid (nothing used yet).
    pub async fn link(&self, token: &str, purpose: LinkPurpose) -> AppResult<Option<User>> {
        match self
            .accounts
            .link_user(&secret_hash(token), purpose, unix_now())
            .await?
        {
            Some(id) => Ok(self.accounts.user(&id).await?.filter(|u| u.active)),
            None => Ok(None),
        }
    }

    /// Sets the password through a valid link, which is then used up.
    pub async fn accept_link(
        &self,
        token: &str,
        purpose: LinkPurpose,
        password: &str,
        origin: &str,
    ) -> AppResult<Result<UserId, LinkProblem>> {
        let Some(user) = self.link(token, purpose).await? else {
            return Ok(Err(LinkProblem::NotValid));
        };
        if let Err(p) = check_new_password(password, &user.email) {
            return Ok(Err(LinkProblem::Password(p)));
        }
        let hash = hash_password(password).await;
        let e = self.entry(&user, origin, Action::Change);
        // The link, the password, the end of every session and other link, and the log entry:
        // one transaction.
        match self
            .accounts
            .redeem_link(&secret_hash(token), purpose, unix_now(), &hash, &e)
            .await?
        {
            Some(_) => Ok(Ok(user.id)),
            None => Ok(Err(LinkProblem::NotValid)),
        }
    }
}

/// Users, teams and roles: the beheerder's, or the operator's at the command line.
pub struct AccountAdmin {
    actor: Actor,
    acting: Option<Membership>,
    accounts: Arc<dyn AccountStore>,
    audit: Arc<dyn AuditStore>,
    outbox: Arc<dyn kapstok_store::OutboxStore>,
    mail: Option<(crate::mail::Mailer, Arc<String>)>,
}

/// Why a user cannot be added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddUserProblem {
    #[error("dat is geen e-mailadres")]
    Email,
    #[error("vul een naam in")]
    Name,
    #[error("er is al een account met dit e-mailadres")]
    Taken,
    #[error("kies minstens één rol in een team")]
    NoMembership,
    #[error("onbekend team")]
    UnknownTeam,
    #[error("het wachtwoord voldoet niet: {}", password_rule(*.0))]
    Password(PasswordProblem),
}

/// The path of a link's page, up to its secret.
fn link_path(purpose: LinkPurpose) -> &'static str {
    match purpose {
        LinkPurpose::Invitation => "/uitnodiging/",
        LinkPurpose::Reset => "/herstel/",
    }
}

/// Subject and text of a link mail, Dutch first, English second.
fn link_mail(name: &str, purpose: LinkPurpose, link: &str) -> (String, String) {
    match purpose {
        LinkPurpose::Invitation => (
            "Uw uitnodiging voor Kapstok / Your invitation to Kapstok".into(),
            format!(
                "Beste {name},\n\nU bent uitgenodigd voor Kapstok, voor de ondersteuning van mantelzorgers. \
                 Kies met deze link een wachtwoord (72 uur geldig, één keer te gebruiken):\n\n{link}\n\n\
                 Daarna stelt u de tweestapsverificatie in met een authenticator-app.\n\
                 Verwachtte u deze uitnodiging niet? Dan kunt u deze mail negeren.\n\n\
                 You have been invited to Kapstok. Choose a password with the link above (valid for 72 hours, once).\n"
            ),
        ),
        LinkPurpose::Reset => (
            "Nieuw wachtwoord voor Kapstok / New password for Kapstok".into(),
            format!(
                "Beste {name},\n\nMet deze link kiest u een nieuw wachtwoord voor Kapstok (1 uur geldig, één keer te gebruiken):\n\n{link}\n\n\
                 Uw tweestapsverificatie blijft zoals hij was.\n\
                 Vroeg u dit niet aan? Dan kunt u deze mail negeren; uw wachtwoord blijft hetzelfde.\n\n\
                 Choose a new password with the link above (valid for one hour, once). Did not ask for it? Ignore this mail.\n"
            ),
        ),
    }
}

/// The rule a refused password broke, in Dutch (the command line; pages translate).
pub fn password_rule(p: PasswordProblem) -> &'static str {
    match p {
        PasswordProblem::TooShort => "het moet minstens 12 tekens hebben",
        PasswordProblem::TooLong => "het mag hoogstens 256 tekens hebben",
        PasswordProblem::Common => "het staat in de lijst van veelgebruikte wachtwoorden",
        PasswordProblem::IsEmail => "het mag niet uw e-mailadres zijn",
    }
}

/// A new account and its invitation link's secret (mailed, or printed at the command line).
#[derive(Debug, Clone)]
pub struct Invited {
    pub user: UserId,
    pub token: String,
}

impl AccountAdmin {
    /// For the operator, or a user who is beheerder in some team.
    pub fn grant(store: Arc<dyn Store>, actor: &Actor) -> Option<AccountAdmin> {
        let acting = actor.membership(Role::Beheerder);
        (actor.is_operator() || acting.is_some()).then(|| AccountAdmin {
            actor: actor.clone(),
            acting,
            accounts: store.clone(),
            audit: store.clone(),
            outbox: store,
            mail: None,
        })
    }

    /// Sends invitations and reset links with `mailer`, linking to `public_url`.
    pub(crate) fn with_mail(
        mut self,
        mailer: crate::mail::Mailer,
        public_url: Arc<String>,
    ) -> Self {
        self.mail = Some((mailer, public_url));
        self
    }

    /// One user's account, for the beheerder's page about them (a view of a record about a
    /// person: logged before it is returned).
    pub async fn user(&self, id: &UserId) -> AppResult<Option<crate::Audited<User>>> {
        let Some(user) = self.accounts.user(id).await? else {
            return Ok(None);
        };
        let e = self.entry_about(Action::View, RecordKind::Account, id);
        let seq = self.audit_append(&e).await?;
        Ok(Some(crate::Audited::logged(user, seq)))
    }

    async fn audit_append(&self, e: &kapstok_domain::audit::NewEntry) -> AppResult<i64> {
        Ok(self.audit.append(e).await?)
    }

    /// Adds an account and mails its invitation link (72 hours, once).
    pub async fn invite(
        &self,
        email: &str,
        name: &str,
        memberships: Vec<Membership>,
    ) -> AppResult<Result<(Invited, crate::mail::Delivery), AddUserProblem>> {
        let invited = match self.add_user(email, name, memberships).await? {
            Ok(i) => i,
            Err(p) => return Ok(Err(p)),
        };
        let delivery = self
            .mail_link(&invited.user, LinkPurpose::Invitation, &invited.token)
            .await?;
        Ok(Ok((invited, delivery)))
    }

    /// A fresh link for a user, mailed: an invitation while they have no password, else a
    /// reset link (1 hour).
    pub async fn send_link(&self, user: &UserId) -> AppResult<Option<crate::mail::Delivery>> {
        let Some(u) = self.accounts.user(user).await?.filter(|u| u.active) else {
            return Ok(None);
        };
        let purpose = if u.has_password {
            LinkPurpose::Reset
        } else {
            LinkPurpose::Invitation
        };
        let token = self.new_link(user, purpose).await?;
        Ok(Some(self.mail_link(user, purpose, &token).await?))
    }

    async fn mail_link(
        &self,
        user: &UserId,
        purpose: LinkPurpose,
        token: &str,
    ) -> AppResult<crate::mail::Delivery> {
        let Some(u) = self.accounts.user(user).await? else {
            return Ok(crate::mail::Delivery::Failed);
        };
        let Some((mailer, url)) = &self.mail else {
            return Ok(crate::mail::Delivery::Failed);
        };
        let (subject, body) = link_mail(
            &u.name,
            purpose,
            &format!("{url}{}{token}", link_path(purpose)),
        );
        let e = self.entry_about(Action::Send, RecordKind::Mail, user);
        mailer
            .send(&u.email, &subject, &body, Some(token), &e)
            .await
    }

    /// The newest mails (a view of mail to people: logged).
    pub async fn outbox(
        &self,
        limit: usize,
    ) -> AppResult<crate::Audited<Vec<kapstok_store::OutboxMail>>> {
        let mails = self.outbox.outbox(limit).await?;
        let mut e = self.entry(Action::View, RecordKind::Mail);
        e.record_id = Some("outbox".into());
        let seq = self.audit_append(&e).await?;
        Ok(crate::Audited::logged(mails, seq))
    }

    /// Replaces a user's roles in teams.
    pub async fn set_memberships(
        &self,
        user: &UserId,
        memberships: &[Membership],
    ) -> AppResult<Result<(), AddUserProblem>> {
        let teams = self.teams().await?;
        if !memberships
            .iter()
            .all(|m| teams.iter().any(|t| t.id == m.team))
        {
            return Ok(Err(AddUserProblem::UnknownTeam));
        }
        if memberships.is_empty() {
            return Ok(Err(AddUserProblem::NoMembership));
        }
        let e = self.entry_about(Action::Change, RecordKind::Account, user);
        self.accounts.set_memberships(user, memberships, &e).await?;
        Ok(Ok(()))
    }

    /// Lets a deactivated user sign in again.
    pub async fn reactivate(&self, user: &UserId) -> AppResult<()> {
        let e = self.entry_about(Action::Change, RecordKind::Account, user);
        self.accounts.set_active(user, true, &e).await?;
        Ok(())
    }

    /// A team's organisation, whole-map flag, areas and referral reasons, replaced.
    pub async fn update_team(&self, team: &Team) -> AppResult<()> {
        let mut e = self.entry(Action::Change, RecordKind::Team);
        e.record_id = Some(team.id.to_string());
        self.accounts.update_team(team, &e).await?;
        Ok(())
    }

    fn entry(&self, action: Action, kind: RecordKind) -> kapstok_domain::audit::NewEntry {
        self.actor
            .log_entry(self.acting.as_ref(), action, kind, true)
    }

    pub async fn teams(&self) -> AppResult<Vec<Team>> {
        Ok(self.accounts.teams().await?)
    }

    /// Adds a team; `false` when one of that name exists.
    pub async fn add_team(
        &self,
        name: &str,
        organization_id: Option<String>,
        whole_map: bool,
        areas: Vec<String>,
        reasons: Vec<String>,
    ) -> AppResult<Option<TeamId>> {
        let team = Team {
            id: TeamId::new(format!("team-{}", random_hex(8))),
            name: name.trim().to_string(),
            organization_id,
            whole_map,
            areas,
            reasons,
        };
        let mut e = self.entry(Action::Create, RecordKind::Team);
        e.record_id = Some(team.id.to_string());
        Ok(self
            .accounts
            .create_team(&team, &e)
            .await?
            .then_some(team.id))
    }

    /// The team of that name, made when there is none.
    pub async fn team_named(&self, name: &str) -> AppResult<TeamId> {
        let name = name.trim();
        if let Some(t) = self.teams().await?.into_iter().find(|t| t.name == name) {
            return Ok(t.id);
        }
        match self
            .add_team(name, None, false, Vec::new(), Vec::new())
            .await?
        {
            Some(id) => Ok(id),
            // Made by someone else at the same moment.
            None => self
                .teams()
                .await?
                .into_iter()
                .find(|t| t.name == name)
                .map(|t| t.id)
                .ok_or_else(|| {
                    kapstok_store::StoreError::Corrupt {
                        id: name.to_string(),
                        reason: "team vanished".into(),
                    }
                    .into()
                }),
        }
    }

    pub async fn users(&self) -> AppResult<Vec<User>> {
        Ok(self.accounts.users().await?)
    }

    /// Whether an account exists (nothing about it is shown, so nothing is logged).
    pub async fn exists(&self, id: &UserId) -> AppResult<bool> {
        Ok(self.accounts.user(id).await?.is_some())
    }

    /// Every user, for a page that shows them (names and addresses: the look is logged).
    pub async fn users_shown(&self, scope: &str) -> AppResult<crate::Audited<Vec<User>>> {
        let mut e = self.entry(Action::View, RecordKind::Account);
        e.record_id = Some(scope.to_string());
        let seq = self.audit_append(&e).await?;
        Ok(crate::Audited::logged(self.accounts.users().await?, seq))
    }

    /// Adds an account without a password and makes its invitation link (72 hours).
    pub async fn add_user(
        &self,
        email: &str,
        name: &str,
        memberships: Vec<Membership>,
    ) -> AppResult<Result<Invited, AddUserProblem>> {
        let user = match self.create(email, name, memberships, None).await? {
            Ok(user) => user,
            Err(p) => return Ok(Err(p)),
        };
        let token = self.new_link(&user, LinkPurpose::Invitation).await?;
        Ok(Ok(Invited { user, token }))
    }

    /// Checks and stores a new account (with a password hash, or none until invited).
    async fn create(
        &self,
        email: &str,
        name: &str,
        memberships: Vec<Membership>,
        password_hash: Option<String>,
    ) -> AppResult<Result<UserId, AddUserProblem>> {
        let Some(email) = Email::parse(email) else {
            return Ok(Err(AddUserProblem::Email));
        };
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Ok(Err(AddUserProblem::Name));
        }
        if let Err(p) = self.known_teams(&memberships).await? {
            return Ok(Err(p));
        }
        let user = NewUser {
            id: UserId::new(format!("u-{}", random_hex(8))),
            email,
            name: name.to_string(),
            memberships,
            password_hash,
        };
        let e = self.entry_about(Action::Create, RecordKind::Account, &user.id);
        if !self.accounts.create_user(&user, &e).await? {
            return Ok(Err(AddUserProblem::Taken));
        }
        Ok(Ok(user.id))
    }

    /// At least one membership, each in a team that exists.
    async fn known_teams(
        &self,
        memberships: &[Membership],
    ) -> AppResult<Result<(), AddUserProblem>> {
        if memberships.is_empty() {
            return Ok(Err(AddUserProblem::NoMembership));
        }
        let teams = self.teams().await?;
        if memberships
            .iter()
            .all(|m| teams.iter().any(|t| t.id == m.team))
        {
            Ok(Ok(()))
        } else {
            Ok(Err(AddUserProblem::UnknownTeam))
        }
    }

    /// An entry about a user's account (the user is the record and the person).
    fn entry_about(
        &self,
        action: Action,
        kind: RecordKind,
        user: &UserId,
    ) -> kapstok_domain::audit::NewEntry {
        let mut e = self.entry(action, kind);
        e.record_id = Some(user.to_string());
        e.person = Some(user.to_string());
        e
    }

    /// A fresh single-use link for a user; its secret.
    pub async fn new_link(&self, user: &UserId, purpose: LinkPurpose) -> AppResult<String> {
        let token = random_hex(32);
        let seconds = match purpose {
            LinkPurpose::Invitation => INVITATION_SECONDS,
            LinkPurpose::Reset => RESET_SECONDS,
        };
        let e = self.entry_about(Action::Create, RecordKind::Account, user);
        self.accounts
            .create_link(
                &secret_hash(&token),
                user,
                purpose,
                unix_now() + seconds,
                &e,
            )
            .await?;
        Ok(token)
    }

    /// Deactivates a user: their sessions end at once.
    pub async fn deactivate(&self, user: &UserId) -> AppResult<()> {
        let e = self.entry_about(Action::Change, RecordKind::Account, user);
        self.accounts.set_active(user, false, &e).await?;
        Ok(())
    }
}

/// What only the operator at the command line does with accounts: an account with a password
/// set at once (`kapstok user add --password-stdin`), and the demo's accounts with their known
/// second-factor secrets.
pub struct ConsoleAccounts {
    admin: AccountAdmin,
}

impl ConsoleAccounts {
    pub fn grant(store: Arc<dyn Store>, actor: &Actor) -> Option<ConsoleAccounts> {
        if !actor.is_operator() {
            return None;
        }
        Some(ConsoleAccounts {
            admin: AccountAdmin::grant(store, actor)?,
        })
    }

    /// Users and teams, as a beheerder has them.
    pub fn admin(&self) -> &AccountAdmin {
        &self.admin
    }

    /// The argon2id hash of a new password for `email`, once it passes the rules.
    pub async fn password_hash(
        &self,
        email: &str,
        password: &str,
    ) -> Result<String, AddUserProblem> {
        let email = Email::parse(email).ok_or(AddUserProblem::Email)?;
        check_new_password(password, &email).map_err(AddUserProblem::Password)?;
        Ok(hash_password(password).await)
    }

    /// Adds an account with a password hash from [`Self::password_hash`] and, when given, this
    /// TOTP secret (the demo's, so that its codes can be shown on the demo's sign-in page).
    pub async fn add_user_with_hash(
        &self,
        email: &str,
        name: &str,
        memberships: Vec<Membership>,
        password_hash: &str,
        totp_secret: Option<&str>,
    ) -> AppResult<Result<UserId, AddUserProblem>> {
        let a = &self.admin;
        let user = match a
            .create(email, name, memberships, Some(password_hash.to_string()))
            .await?
        {
            Ok(user) => user,
            Err(p) => return Ok(Err(p)),
        };
        if let Some(secret) = totp_secret {
            let e = a.entry_about(Action::Change, RecordKind::Account, &user);
            a.accounts.set_totp(&user, secret, 0, &[], &e).await?;
        }
        Ok(Ok(user))
    }

    /// Deactivates the demo's accounts (their password is published): done when a deployment
    /// adds its own first account. How many were active.
    pub async fn deactivate_demo_accounts(&self) -> AppResult<usize> {
        let a = &self.admin;
        let mut n = 0;
        for u in a.users().await? {
            if u.active && crate::is_demo_address(u.email.as_str()) {
                a.deactivate(&u.id).await?;
                n += 1;
            }
        }
        Ok(n)
    }
}

/// A TOTP secret derived from `seed` (the demo's accounts: the same secret on every demo).
pub fn derived_totp_secret(seed: &str) -> String {
    let digest = Sha256::digest(format!("kapstok-demo-totp:{seed}").as_bytes());
    let mut bytes = [0u8; 20];
    bytes.copy_from_slice(&digest[..20]);
    totp_rs::Secret::from(bytes).to_base32()
}

/// The current code of a TOTP secret.
pub fn current_code(secret: &str, account: &str) -> Option<String> {
    code_at(secret, account, unix_now())
}

/// The code of a TOTP secret at a unix time.
pub fn code_at(secret: &str, account: &str, at: i64) -> Option<String> {
    totp(secret, account).map(|t| t.generate(at.max(0) as u64).to_string())
}

/// The code a demo account can use now: the current step's, or when that was used already,
/// the next step's (still accepted), so the demo signs in twice within 30 seconds.
pub(crate) fn usable_code(secret: &str, account: &str, last_step: i64) -> Option<String> {
    let now = unix_now();
    let step = now / 30;
    let at = if last_step >= step {
        (step + 1) * 30
    } else {
        now
    };
    code_at(secret, account, at)
}

/// Server-side sessions, for the web layer's session middleware (which knows the ids; only
/// their hashes are stored).
#[derive(Clone)]
pub struct Sessions {
    store: Arc<dyn SessionStore>,
}

impl Sessions {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Sessions { store }
    }

    /// For the server's own upkeep (removing ended sessions), without an `App`.
    pub fn for_server(store: Arc<dyn Store>) -> Self {
        Sessions { store }
    }

    /// Stores a new session; `false` when the id is taken (the caller picks another).
    pub async fn create(
        &self,
        id: &str,
        user: Option<&str>,
        data: &str,
        expires_at: i64,
    ) -> AppResult<bool> {
        Ok(self
            .store
            .create_session(&secret_hash(id), user, data, expires_at)
            .await?)
    }

    pub async fn save(
        &self,
        id: &str,
        user: Option<&str>,
        data: &str,
        expires_at: i64,
    ) -> AppResult<()> {
        Ok(self
            .store
            .save_session(&secret_hash(id), user, data, expires_at)
            .await?)
    }

    pub async fn load(&self, id: &str) -> AppResult<Option<String>> {
        Ok(self
            .store
            .load_session(&secret_hash(id), unix_now())
            .await?)
    }

    pub async fn delete(&self, id: &str) -> AppResult<()> {
        Ok(self.store.delete_session(&secret_hash(id)).await?)
    }

    pub async fn delete_expired(&self) -> AppResult<u64> {
        Ok(self.store.delete_expired_sessions(unix_now()).await?)
    }
}

/// A signed-in user's own things: who they are, their teams, signing out.
pub struct Workspace {
    actor: Actor,
    accounts: Arc<dyn AccountStore>,
    audit: Arc<dyn AuditStore>,
    sessions: Arc<dyn SessionStore>,
}

impl Workspace {
    /// For anyone signed in.
    pub fn grant(store: Arc<dyn Store>, actor: &Actor) -> Option<Workspace> {
        actor.signed_in()?;
        Some(Workspace {
            actor: actor.clone(),
            accounts: store.clone(),
            audit: store.clone(),
            sessions: store,
        })
    }

    pub fn user(&self) -> &User {
        self.actor
            .signed_in()
            .expect("granted to signed-in users only")
    }

    /// Every team (names and areas: nothing about a person).
    pub async fn teams(&self) -> AppResult<Vec<Team>> {
        Ok(self.accounts.teams().await?)
    }

    pub async fn recovery_codes_left(&self) -> AppResult<usize> {
        Ok(self.accounts.unused_recovery_codes(&self.user().id).await?)
    }

    fn entry(&self) -> kapstok_domain::audit::NewEntry {
        let id = self.user().id.to_string();
        let mut e = self
            .actor
            .log_entry(None, Action::SignOut, RecordKind::Account, true);
        e.record_id = Some(id.clone());
        e.person = Some(id);
        e
    }

    /// Records signing out of this session (the web layer ends the session itself).
    pub async fn signed_out(&self) -> AppResult<()> {
        self.audit.append(&self.entry()).await?;
        Ok(())
    }

    /// What this user did, newest first (from the access log; looking is logged too).
    pub async fn own_entries(
        &self,
        limit: usize,
    ) -> AppResult<crate::Audited<Vec<kapstok_domain::audit::Entry>>> {
        Ok(
            crate::audit::own_entries(self.audit.as_ref(), &self.actor, limit)
                .await?
                .expect("a signed-in actor"),
        )
    }

    /// Ends every session of this user, on every device; how many there were.
    pub async fn sign_out_everywhere(&self) -> AppResult<u64> {
        Ok(self
            .sessions
            .delete_user_sessions(&self.user().id, &self.entry())
            .await?)
    }
}
