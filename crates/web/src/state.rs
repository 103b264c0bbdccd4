//! Shared state: the application (use cases, capabilities, read model) and the web layer's own
//! settings.

use crate::guard::Throttle;
pub use kapstok_app::Guides;
use kapstok_app::{Actor, App, MapReader, SelfCheckCounter};
pub use kapstok_search::Catalog;
use std::sync::Arc;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Form submissions per minute per client address.
    pub writes_per_minute: u32,
    /// Sign-in attempts per client address at once; after that one a minute.
    pub sign_in_attempts: u32,
    /// Carers' own requests for contact per client address at once; after that one every ten
    /// minutes.
    pub contact_requests: u32,
    /// Origins (`https://host`) trusted for form submissions besides the request's own host; the
    /// first is also the site's public address (in links sent by e-mail).
    pub trusted_origins: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for the per-client budget).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The site's address as people reach it (links in e-mail); `https://…` makes the session
    /// cookie `Secure`.
    pub public_url: Option<String>,
    /// Months after which a service's last check is due again (the redacteuren's list).
    pub check_months: i32,
}

impl WebConfig {
    pub fn check_months(&self) -> i32 {
        self.check_months.clamp(1, 120)
    }

    pub fn https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            writes_per_minute: 20,
            sign_in_attempts: 10,
            contact_requests: 5,
            trusted_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            public_url: None,
            check_months: 12,
        }
    }
}

/// `attempts` sign-in attempts at once per client address, then one a minute.
fn sign_in_throttle(attempts: u32) -> Throttle {
    Throttle::burst_then_every(attempts, std::time::Duration::from_secs(60))
}

/// What handlers share: the application (use cases and capabilities) and the web layer's own
/// settings. Handlers reach storage only through capabilities the application hands out.
#[derive(Clone)]
pub struct AppState {
    app: App,
    pub web: Arc<WebConfig>,
    pub throttle: Arc<Throttle>,
    /// Sign-in attempts per client address (on top of the per-account pause).
    pub sign_in_throttle: Arc<Throttle>,
    /// Looking up a carer's receipt by its code, per client address (codes are not guessable
    /// at this pace).
    pub receipt_throttle: Arc<Throttle>,
    /// Carers' own requests for contact, per client address: a few at once, then one every
    /// ten minutes (a person asks once; a script is slowed down).
    pub contact_throttle: Arc<Throttle>,
    /// Visitors' reports of a wrong page ("Klopt er iets niet?"), per client address, as the
    /// contact requests.
    pub correction_throttle: Arc<Throttle>,
    /// Registrations for activities, per client address: twenty at once (a coördinator
    /// registering a group, a library computer), then one a minute.
    pub registration_throttle: Arc<Throttle>,
}

fn registration_throttle() -> Throttle {
    Throttle::burst_then_every(20, std::time::Duration::from_secs(60))
}

fn contact_throttle(burst: u32) -> Throttle {
    Throttle::burst_then_every(burst, std::time::Duration::from_secs(600))
}

impl AppState {
    pub fn new(app: App) -> Self {
        AppState {
            app,
            web: Arc::new(WebConfig::default()),
            throttle: Arc::new(Throttle::per_minute(WebConfig::default().writes_per_minute)),
            sign_in_throttle: Arc::new(sign_in_throttle(WebConfig::default().sign_in_attempts)),
            receipt_throttle: Arc::new(sign_in_throttle(WebConfig::default().sign_in_attempts)),
            contact_throttle: Arc::new(contact_throttle(WebConfig::default().contact_requests)),
            correction_throttle: Arc::new(contact_throttle(WebConfig::default().contact_requests)),
            registration_throttle: Arc::new(registration_throttle()),
        }
    }

    pub fn with_web_config(mut self, web: WebConfig) -> Self {
        self.throttle = Arc::new(Throttle::per_minute(web.writes_per_minute));
        self.sign_in_throttle = Arc::new(sign_in_throttle(web.sign_in_attempts));
        self.receipt_throttle = Arc::new(sign_in_throttle(web.sign_in_attempts));
        self.contact_throttle = Arc::new(contact_throttle(web.contact_requests));
        self.correction_throttle = Arc::new(contact_throttle(web.contact_requests));
        self.registration_throttle = Arc::new(registration_throttle());
        self.web = Arc::new(web);
        self
    }

    /// The application, for the professional side's extractors (capabilities by actor).
    pub fn app(&self) -> &App {
        &self.app
    }

    pub fn catalog(&self) -> Arc<Catalog> {
        self.app.catalog()
    }

    pub fn guides(&self) -> &Guides {
        self.app.guides()
    }

    /// Reading the public social map, for a visitor of the public site or an API client.
    pub fn map_reader(&self) -> MapReader {
        self.app.map_reader(&Actor::visitor())
    }

    /// Counting a finished self-check, for a visitor.
    pub fn self_check_counter(&self) -> SelfCheckCounter {
        self.app.self_check_counter(&Actor::visitor())
    }

    /// Rebuilds the read model when the database changed. Returns whether it did.
    pub async fn refresh(&self) -> Result<bool, kapstok_app::AppError> {
        self.app.refresh().await
    }
}
