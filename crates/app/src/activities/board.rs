//! The public side of activities: what is coming (by audience, area, kind, organisation), each
//! activity's page with its dates and places left, registering without an account (or signed
//! in, as a professional), cancelling by the personal link, and the calendar feeds.

use super::ics::{self, Item};
use super::letters::Letters;
use super::{
    CountTable, Counts, count_table, counts_of, key_of, occurrence_of, open_for, place_of,
};
use crate::access::Actor;
use crate::accounts::{random_hex, secret_hash};
use crate::{AppResult, Clock};
use kapstok_domain::activity::{Activity, ActivityLists, Occurrence, Registration};
use kapstok_domain::activity_form::Registrant;
use kapstok_domain::audit::{Action, RecordKind};
use kapstok_domain::calendar::stored;
use kapstok_search::Catalog;
use kapstok_store::{NewRegistration, Store};
use std::sync::Arc;

/// Which activities a list or feed shows (all set parts must hold).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub audience: Option<String>,
    pub area: Option<String>,
    pub kind: Option<String>,
    pub organization: Option<String>,
}

impl Filter {
    fn holds(&self, a: &Activity) -> bool {
        self.audience
            .as_ref()
            .is_none_or(|x| a.audiences.contains(x))
            && self
                .area
                .as_ref()
                .is_none_or(|x| a.area.as_ref() == Some(x))
            && self.kind.as_ref().is_none_or(|x| &a.kind == x)
            && self
                .organization
                .as_ref()
                .is_none_or(|x| a.organization_id.as_ref() == Some(x))
    }
}

/// One date on a public page.
pub struct DateLine {
    pub occurrence: Occurrence,
    pub key: String,
    pub counts: Counts,
    /// Places left (none: unlimited).
    pub left: Option<u64>,
    /// Registering is possible now (a full date takes the waiting list).
    pub open: bool,
}

/// A published activity with its coming dates.
pub struct BoardItem {
    pub activity: Activity,
    pub dates: Vec<DateLine>,
    /// Where, as people read it.
    pub place: Option<String>,
    /// For e-learning: whether one can sign up.
    pub open: bool,
}

impl BoardItem {
    pub fn next(&self) -> Option<&DateLine> {
        self.dates.first()
    }
}

/// What registering gave.
pub struct Registered {
    pub activity: Activity,
    pub occurrence: Option<Occurrence>,
    pub registration: Registration,
    /// The personal cancel link's secret (shown once, and mailed).
    pub token: String,
}

/// Why a registration was not taken (nothing stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No such published activity or date.
    NotFound,
    /// Past its deadline, cancelled, or begun.
    Closed,
    /// This e-mail address or account already has a place or waits for that date.
    Already,
    /// The form's fields.
    Form(kapstok_domain::editing::Problems),
}

pub struct ActivityBoard {
    store: Arc<dyn Store>,
    actor: Actor,
    lists: Arc<ActivityLists>,
    catalog: Arc<Catalog>,
    locations: Arc<super::LocationBook>,
    letters: Letters,
    clock: Clock,
}

impl ActivityBoard {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        actor: &Actor,
        lists: Arc<ActivityLists>,
        catalog: Arc<Catalog>,
        locations: Arc<super::LocationBook>,
        letters: Letters,
        clock: Clock,
    ) -> ActivityBoard {
        ActivityBoard {
            store,
            actor: actor.clone(),
            lists,
            catalog,
            locations,
            letters,
            clock,
        }
    }

    pub fn lists(&self) -> &ActivityLists {
        &self.lists
    }

    /// The deployment's areas as (code, name).
    pub fn areas(&self) -> Vec<(String, String)> {
        super::areas(&self.catalog)
    }

    pub fn area_name(&self, code: &str) -> Option<String> {
        self.catalog
            .geo
            .areas
            .iter()
            .find(|a| a.code == code)
            .map(|a| a.name.clone())
    }

    pub fn organization_name(&self, id: &str) -> Option<String> {
        self.catalog.organization(id).map(|o| o.name)
    }

    pub fn letters(&self) -> &Letters {
        &self.letters
    }

    fn item(&self, a: Activity, counts: &CountTable) -> BoardItem {
        let now = self.clock.now();
        let dates = a
            .schedule
            .as_ref()
            .map(|s| s.upcoming(now))
            .unwrap_or_default()
            .into_iter()
            .map(|o| {
                let key = key_of(&o);
                let c = counts_of(counts, &a.id, &key);
                DateLine {
                    open: open_for(&a, Some(&o), now),
                    left: c.left(a.capacity),
                    counts: c,
                    key,
                    occurrence: o,
                }
            })
            .collect();
        BoardItem {
            open: a.schedule.is_none() && open_for(&a, None, now),
            place: place_of(&a, &self.catalog, &self.locations),
            dates,
            activity: a,
        }
    }

    /// Published activities with a coming date (or without dates: e-learning) that `filter`
    /// lets through, the soonest first, e-learning last.
    pub async fn upcoming(&self, filter: &Filter) -> AppResult<Vec<BoardItem>> {
        let counts = count_table(self.store.registration_counts().await?);
        let mut items: Vec<BoardItem> = self
            .store
            .activities()
            .await?
            .into_iter()
            .filter(|a| a.published && filter.holds(a))
            .map(|a| self.item(a, &counts))
            .filter(|i| i.activity.schedule.is_none() || !i.dates.is_empty())
            .collect();
        items.sort_by_key(|i| {
            (
                i.activity.schedule.is_none(),
                i.next().map(|d| d.occurrence.starts_at()),
            )
        });
        Ok(items)
    }

    /// A published activity's page. `None`: no such activity (or not published).
    pub async fn page(&self, id: &str) -> AppResult<Option<BoardItem>> {
        let Some(a) = self.store.activity(id).await?.filter(|a| a.published) else {
            return Ok(None);
        };
        let counts = count_table(self.store.registration_counts().await?);
        Ok(Some(self.item(a, &counts)))
    }

    /// Registers `who` for date `key` (empty for e-learning): a place while there is one, else
    /// the waiting list; the confirmation goes by mail with the date attached.
    pub async fn register(
        &self,
        id: &str,
        key: &str,
        who: Result<Registrant, kapstok_domain::editing::Problems>,
    ) -> AppResult<Result<Registered, Refusal>> {
        let Some(a) = self.store.activity(id).await?.filter(|a| a.published) else {
            return Ok(Err(Refusal::NotFound));
        };
        // The date as stored (`2026-9-15T9:00` is the same date as `2026-09-15T09:00`).
        let (occurrence, key) = match (&a.schedule, occurrence_of(&a, key)) {
            (None, _) if key.is_empty() => (None, String::new()),
            (Some(_), Some(o)) => {
                let k = key_of(&o);
                (Some(o), k)
            }
            _ => return Ok(Err(Refusal::NotFound)),
        };
        let now = self.clock.now();
        if !open_for(&a, occurrence.as_ref(), now) {
            return Ok(Err(Refusal::Closed));
        }
        let who = match who {
            Ok(w) => w,
            Err(p) => return Ok(Err(Refusal::Form(p))),
        };
        let user = self.actor.signed_in();
        let token = random_hex(24);
        let new = NewRegistration {
            id: format!("reg-{}", random_hex(10)),
            activity_id: a.id.clone(),
            occurrence: key.to_string(),
            name: Some(who.name),
            email: who.email.map(|e| e.as_str().to_string()),
            phone: who.phone,
            user_id: user.map(|u| u.id.to_string()),
            token_hash: secret_hash(&token),
            at: stored(now),
        };
        let mut log = self
            .actor
            .log_entry(None, Action::Create, RecordKind::Registration, true);
        log.record_id = Some(format!("{}/{key}", a.id));
        log.person = Some(new.id.clone());
        let Some(registration) = self.store.register(&new, &log).await? else {
            return Ok(Err(Refusal::NotFound));
        };
        if registration.id != new.id {
            return Ok(Err(Refusal::Already));
        }
        let place = place_of(&a, &self.catalog, &self.locations);
        let attachment = occurrence.as_ref().map(|o| self.one_date(&a, o));
        self.letters
            .confirmation(
                &self.actor,
                &a,
                occurrence.as_ref(),
                place.as_deref(),
                &registration,
                &token,
                attachment,
            )
            .await?;
        Ok(Ok(Registered {
            activity: a,
            occurrence,
            registration,
            token,
        }))
    }

    /// Registers the signed-in professional with the name and address of their account.
    pub async fn register_me(&self, id: &str, key: &str) -> AppResult<Result<Registered, Refusal>> {
        let Some(user) = self.actor.signed_in() else {
            return Ok(Err(Refusal::NotFound));
        };
        let who = Registrant {
            name: user.name.clone(),
            email: Some(user.email.clone()),
            phone: None,
        };
        self.register(id, key, Ok(who)).await
    }

    /// What a cancel link is for: the activity, the date and the registration's state.
    pub async fn by_link(
        &self,
        token: &str,
    ) -> AppResult<Option<(Activity, Option<Occurrence>, Registration)>> {
        let Some(r) = self
            .store
            .registration_by_token(&secret_hash(token))
            .await?
        else {
            return Ok(None);
        };
        let Some(a) = self.store.activity(&r.activity_id).await? else {
            return Ok(None);
        };
        let o = occurrence_of(&a, &r.occurrence);
        Ok(Some((a, o, r)))
    }

    /// Whether a registration can still be cancelled: it holds a place or waits, and its date
    /// has not begun nor been cancelled.
    pub fn cancellable(&self, o: Option<&Occurrence>, r: &Registration) -> bool {
        matches!(
            r.state,
            kapstok_domain::activity::RegistrationState::Place
                | kapstok_domain::activity::RegistrationState::Waiting
        ) && o.is_none_or(|o| !o.cancelled && o.starts_at() > self.clock.now())
    }

    /// Cancels by the personal link; the first on the waiting list gets the place and a mail.
    /// `None`: an unknown link, one already used, or a date begun or cancelled.
    pub async fn cancel(&self, token: &str) -> AppResult<Option<(Activity, Registration)>> {
        let hash = secret_hash(token);
        let Some(r) = self.store.registration_by_token(&hash).await? else {
            return Ok(None);
        };
        let Some(a) = self.store.activity(&r.activity_id).await? else {
            return Ok(None);
        };
        if !self.cancellable(occurrence_of(&a, &r.occurrence).as_ref(), &r) {
            return Ok(None);
        }
        let mut log = self
            .actor
            .log_entry(None, Action::Change, RecordKind::Registration, true);
        log.record_id = Some(format!("{}/{}", r.activity_id, r.occurrence));
        log.person = Some(r.id.clone());
        let now = stored(self.clock.now());
        let Some((cancelled, moved_up)) = self.store.cancel_registration(&hash, &now, &log).await?
        else {
            return Ok(None);
        };
        if let Some(next) = moved_up {
            let o = occurrence_of(&a, &next.occurrence);
            self.letters
                .moved_up(&Actor::scheduler(), &a, o.as_ref(), &next)
                .await?;
        }
        Ok(Some((a, cancelled)))
    }

    fn one_date(&self, a: &Activity, o: &Occurrence) -> String {
        let item = Item {
            activity: a,
            occurrence: o,
            url: self.letters.page_url(a),
            place: place_of(a, &self.catalog, &self.locations),
        };
        ics::calendar(&a.title, &[item], self.clock.now())
    }

    /// A calendar of every date (a year back and all coming) of the published activities that
    /// `filter` lets through; unpublished ones that were published stay as cancelled.
    pub async fn feed(&self, name: &str, filter: &Filter) -> AppResult<String> {
        let now = self.clock.now();
        let since = now
            .checked_sub(jiff::SignedDuration::from_hours(24 * 366))
            .unwrap_or(now);
        let activities: Vec<Activity> = self
            .store
            .activities()
            .await?
            .into_iter()
            .filter(|a| a.published && filter.holds(a))
            .collect();
        let dates: Vec<(usize, Occurrence)> = activities
            .iter()
            .enumerate()
            .flat_map(|(n, a)| {
                a.schedule
                    .as_ref()
                    .map(|s| s.upcoming(since))
                    .unwrap_or_default()
                    .into_iter()
                    .map(move |o| (n, o))
            })
            .collect();
        let items: Vec<Item> = dates
            .iter()
            .map(|(n, o)| Item {
                activity: &activities[*n],
                occurrence: o,
                url: self.letters.page_url(&activities[*n]),
                place: place_of(&activities[*n], &self.catalog, &self.locations),
            })
            .collect();
        Ok(ics::calendar(name, &items, now))
    }

    /// One published activity's dates as a calendar file. `None`: no such activity.
    pub async fn activity_calendar(&self, id: &str) -> AppResult<Option<String>> {
        let Some(a) = self.store.activity(id).await?.filter(|a| a.published) else {
            return Ok(None);
        };
        let dates = a
            .schedule
            .as_ref()
            .map(|s| s.occurrences())
            .unwrap_or_default();
        let items: Vec<Item> = dates
            .iter()
            .map(|o| Item {
                activity: &a,
                occurrence: o,
                url: self.letters.page_url(&a),
                place: place_of(&a, &self.catalog, &self.locations),
            })
            .collect();
        Ok(Some(ics::calendar(&a.title, &items, self.clock.now())))
    }
}
