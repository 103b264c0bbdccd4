//! Editing the social map by hand. A redacteur in the steunpunt's team (a whole-map team) edits
//! every record and publishes at once; a redacteur in an organisation's team edits only that
//! organisation's records, and what they save becomes a suggestion for the steunpunt. Every
//! published change keeps a version, and the read model is rebuilt before the call returns, so
//! search, pages and the API show it on the next request.
//!
//! [`MapEditor`] is the capability to edit (its [`Reach`] says what); [`MapReview`], granted only
//! in a whole-map team, decides suggestions, answers visitors' corrections, restores versions and
//! lists what is due for a check.

use crate::{Actor, App, AppResult, Clock};
use kapstok_domain::account::{Membership, Role};
use kapstok_domain::audit::{Action, NewEntry, RecordKind};
use kapstok_domain::calendar;
use kapstok_domain::editing::{
    Change, Problems, Shown, Typed, apply_organization_form, apply_service_form, changes,
    show_organization, show_service,
};
use kapstok_domain::model::{Organization, Service, Taxonomy, TaxonomyTerm};
use kapstok_store::{MapRecord, NewSuggestion, NewVersion, Store, Suggestion};
use std::sync::Arc;

pub use kapstok_store::{RecordType, ServiceLine, SuggestionState, Version, Via};

/// What an editor may edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Every record; changes are published at once.
    WholeMap,
    /// The records of this organisation; changes become suggestions.
    Organization(String),
}

/// What saving a form did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// Nothing differed from the record (and it was not confirmed as correct).
    Unchanged,
    /// Published as this version.
    Published(i64),
    /// Kept as a suggestion with this id, for the steunpunt to decide.
    Suggested(String),
}

/// A version with what changed from the one before it.
#[derive(Debug, Clone)]
pub struct HistoryLine {
    pub version: Version,
    pub changes: Vec<Change>,
}

/// A suggestion as the reviewer sees it.
#[derive(Debug, Clone)]
pub struct SuggestionView {
    pub suggestion: Suggestion,
    /// The record's name now (or as proposed, for a record that is gone).
    pub name: String,
    /// From the record as the editor saw it to the proposal.
    pub changes: Vec<Change>,
    /// The record was changed by someone else after the editor saw it.
    pub changed_since: bool,
}

/// The capability to edit the social map, within its reach.
#[derive(Clone)]
pub struct MapEditor {
    pub(crate) actor: Actor,
    pub(crate) membership: Membership,
    reach: Reach,
    pub(crate) store: Arc<dyn Store>,
    /// For rebuilding the read model after a publish, the terms and postcodes the forms use,
    /// and the mailer; not handed out.
    pub(crate) app: App,
    pub(crate) clock: Clock,
}

fn record_ref(kind: RecordType, id: &str) -> String {
    format!(
        "{}: {}",
        kind.code(),
        id.chars().take(150).collect::<String>()
    )
}

fn parse_service(json: &str) -> Option<Service> {
    serde_json::from_str(json).ok()
}

fn parse_organization(json: &str) -> Option<Organization> {
    serde_json::from_str(json).ok()
}

impl MapEditor {
    /// For a redacteur: in a whole-map team if they are in one, else in their organisation's
    /// team. `None` for anyone else, and for a redacteur whose team has neither.
    pub(crate) async fn grant(app: &App, actor: &Actor) -> AppResult<Option<MapEditor>> {
        let Some(user) = actor.signed_in() else {
            return Ok(None);
        };
        let mut best: Option<(Membership, Reach)> = None;
        for m in user
            .memberships
            .iter()
            .filter(|m| m.role == Role::Redacteur)
        {
            let Some(team) = app.store.team(m.team.as_str()).await? else {
                continue;
            };
            if team.whole_map {
                best = Some((m.clone(), Reach::WholeMap));
                break;
            }
            if let (None, Some(org)) = (&best, team.organization_id) {
                best = Some((m.clone(), Reach::Organization(org)));
            }
        }
        Ok(best.map(|(membership, reach)| MapEditor {
            actor: actor.clone(),
            membership,
            reach,
            store: app.store.clone(),
            app: app.clone(),
            clock: app.clock.clone(),
        }))
    }

    pub fn reach(&self) -> &Reach {
        &self.reach
    }

    /// Whether saving publishes (a whole-map editor) rather than suggests.
    pub fn publishes(&self) -> bool {
        self.reach == Reach::WholeMap
    }

    /// Deciding suggestions and corrections: whole-map editors only.
    pub fn review(&self) -> Option<MapReview> {
        self.publishes().then(|| MapReview {
            editor: self.clone(),
        })
    }

    fn in_reach(&self, organization_id: &str) -> bool {
        match &self.reach {
            Reach::WholeMap => true,
            Reach::Organization(o) => o == organization_id,
        }
    }

    fn org_filter(&self) -> Option<&str> {
        match &self.reach {
            Reach::WholeMap => None,
            Reach::Organization(o) => Some(o),
        }
    }

    pub(crate) fn entry(&self, action: Action, kind: RecordType, id: &str) -> NewEntry {
        self.entry_about(action, record_ref(kind, id))
    }

    /// An access-log entry of this editor's, about `what` (e.g. `taxonomy: {id}`).
    pub(crate) fn entry_about(&self, action: Action, what: String) -> NewEntry {
        let mut e =
            self.actor
                .log_entry(Some(&self.membership), action, RecordKind::SocialMap, true);
        e.at = calendar::stored(self.clock.now());
        e.record_id = Some(what);
        e
    }

    pub(crate) fn now(&self) -> String {
        calendar::stored(self.clock.now())
    }

    /// The services this editor may edit (any status), by name.
    pub async fn services(&self) -> AppResult<Vec<ServiceLine>> {
        Ok(self.store.service_lines(self.org_filter()).await?)
    }

    /// The organisations this editor may edit, by name.
    pub async fn organizations(&self) -> AppResult<Vec<Organization>> {
        let mut orgs: Vec<Organization> = self
            .store
            .map_frame()
            .await?
            .organizations
            .into_iter()
            .filter(|o| self.in_reach(&o.id))
            .collect();
        orgs.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        Ok(orgs)
    }

    /// A service as stored (any status), if within reach.
    pub async fn service(&self, id: &str) -> AppResult<Option<Service>> {
        Ok(self
            .store
            .service(id)
            .await?
            .filter(|s| self.in_reach(&s.organization_id)))
    }

    pub async fn organization(&self, id: &str) -> AppResult<Option<Organization>> {
        Ok(self
            .store
            .organization(id)
            .await?
            .filter(|o| self.in_reach(&o.id)))
    }

    /// The tags a service may carry, by taxonomy (in its order) and then name.
    pub fn tag_choices(&self) -> Vec<(Taxonomy, Vec<TaxonomyTerm>)> {
        let catalog = self.app.catalog();
        let mut taxonomies = catalog.taxonomies.clone();
        taxonomies.sort_by_key(|t| (t.kapstok_order.unwrap_or(i64::MAX), t.name.clone()));
        taxonomies
            .into_iter()
            .map(|t| {
                let mut terms: Vec<TaxonomyTerm> = catalog
                    .terms
                    .values()
                    .filter(|x| x.taxonomy_id.as_deref() == Some(t.id.as_str()))
                    .cloned()
                    .collect();
                terms.sort_by_key(|x| (x.kapstok_order.unwrap_or(i64::MAX), x.name.clone()));
                (t, terms)
            })
            .filter(|(_, terms)| !terms.is_empty())
            .collect()
    }

    /// A tag's name (its id if unknown).
    pub fn term_name(&self, id: &str) -> String {
        self.app
            .catalog()
            .terms
            .get(id)
            .map_or_else(|| id.to_string(), |t| t.name.clone())
    }

    fn shown_service(&self, s: &Service) -> Vec<Shown> {
        let catalog = self.app.catalog();
        show_service(s, &|id| {
            catalog
                .terms
                .get(id)
                .map_or_else(|| id.to_string(), |t| t.name.clone())
        })
    }

    fn shown(&self, kind: RecordType, json: &str) -> Vec<Shown> {
        match kind {
            RecordType::Service => parse_service(json)
                .map(|s| self.shown_service(&s))
                .unwrap_or_default(),
            RecordType::Organization => parse_organization(json)
                .map(|o| show_organization(&o))
                .unwrap_or_default(),
        }
    }

    /// Saves a service's form: published, suggested, or the field problems (nothing saved).
    /// `confirmed`: the editor says the record is correct (sets "laatst gecontroleerd").
    /// `Ok(None)`: no such service within reach.
    pub async fn save_service(
        &self,
        id: &str,
        form: &[(String, String)],
        confirmed: bool,
    ) -> AppResult<Option<Result<Saved, Problems>>> {
        let Some(base) = self.service(id).await? else {
            return Ok(None);
        };
        let catalog = self.app.catalog();
        let terms: Vec<&TaxonomyTerm> = catalog.terms.values().collect();
        let mut after = match apply_service_form(&base, Typed(form), &terms, &catalog.geo) {
            Ok(s) => s,
            Err(p) => return Ok(Some(Err(p))),
        };
        if confirmed {
            after.assured_date = Some(calendar::date_of(self.clock.now()));
        }
        let changed: Vec<String> = changes(&self.shown_service(&base), &self.shown_service(&after))
            .into_iter()
            .map(|c| c.field.to_string())
            .collect();
        if changed.is_empty() {
            return Ok(Some(Ok(Saved::Unchanged)));
        }
        after.last_modified = Some(self.now());
        let saved = self
            .save(
                MapRecord::Service(&after),
                MapRecord::Service(&base),
                changed,
            )
            .await?;
        Ok(Some(Ok(saved)))
    }

    /// As `save_service`, for an organisation.
    pub async fn save_organization(
        &self,
        id: &str,
        form: &[(String, String)],
    ) -> AppResult<Option<Result<Saved, Problems>>> {
        let Some(base) = self.organization(id).await? else {
            return Ok(None);
        };
        let after = match apply_organization_form(&base, Typed(form)) {
            Ok(o) => o,
            Err(p) => return Ok(Some(Err(p))),
        };
        let changed: Vec<String> = changes(&show_organization(&base), &show_organization(&after))
            .into_iter()
            .map(|c| c.field.to_string())
            .collect();
        if changed.is_empty() {
            return Ok(Some(Ok(Saved::Unchanged)));
        }
        let saved = self
            .save(
                MapRecord::Organization(&after),
                MapRecord::Organization(&base),
                changed,
            )
            .await?;
        Ok(Some(Ok(saved)))
    }

    pub(crate) async fn save(
        &self,
        after: MapRecord<'_>,
        before: MapRecord<'_>,
        changed: Vec<String>,
    ) -> AppResult<Saved> {
        let kind = after.kind();
        let organization_id = match after {
            MapRecord::Service(s) => s.organization_id.to_string(),
            MapRecord::Organization(o) => o.id.to_string(),
        };
        if self.publishes() {
            let via = if changed == ["assured_date"] {
                Via::Check
            } else {
                Via::Edit
            };
            let seq = self
                .publish(after, Some(before.document()), via, changed, None)
                .await?;
            return Ok(Saved::Published(seq));
        }
        let id = format!("v-{}", crate::accounts::random_hex(8));
        let s = NewSuggestion {
            id: id.clone(),
            kind,
            record_id: after.id().to_string(),
            organization_id,
            author_id: self.actor.signed_in().map(|u| u.id.to_string()),
            at: self.now(),
            base: Some(before.document()),
            document: after.document(),
            changed,
        };
        let mut log = self.entry(Action::Create, kind, after.id());
        log.record_id = Some(format!(
            "suggestion {id} for {}",
            record_ref(kind, after.id())
        ));
        self.store.suggest(&s, &log).await?;
        Ok(Saved::Suggested(id))
    }

    async fn publish(
        &self,
        record: MapRecord<'_>,
        previous: Option<String>,
        via: Via,
        changed: Vec<String>,
        restored_from: Option<i64>,
    ) -> AppResult<i64> {
        let v = NewVersion {
            at: self.now(),
            user_id: self.actor.signed_in().map(|u| u.id.to_string()),
            via,
            changed,
            restored_from,
            previous,
        };
        let log = self.entry(Action::Change, record.kind(), record.id());
        let seq = self.store.publish(record, &v, &log).await?;
        self.app.refresh().await?;
        Ok(seq)
    }

    /// A record's versions, newest first, each with what changed from the one before; `None`
    /// when the record is not within reach.
    pub async fn history(&self, kind: RecordType, id: &str) -> AppResult<Option<Vec<HistoryLine>>> {
        if !self.record_in_reach(kind, id).await? {
            return Ok(None);
        }
        let versions = self.store.versions(kind, id).await?;
        let shown: Vec<Vec<Shown>> = versions
            .iter()
            .map(|v| self.shown(kind, &v.document))
            .collect();
        Ok(Some(
            versions
                .into_iter()
                .enumerate()
                .map(|(n, version)| HistoryLine {
                    changes: changes(shown.get(n + 1).map_or(&[][..], |s| s), &shown[n]),
                    version,
                })
                .collect(),
        ))
    }

    /// One version of a record, as its fields read.
    pub async fn version(
        &self,
        kind: RecordType,
        id: &str,
        seq: i64,
    ) -> AppResult<Option<(Version, Vec<Shown>)>> {
        if !self.record_in_reach(kind, id).await? {
            return Ok(None);
        }
        let Some(v) = self
            .store
            .versions(kind, id)
            .await?
            .into_iter()
            .find(|v| v.seq == seq)
        else {
            return Ok(None);
        };
        let shown = self.shown(kind, &v.document);
        Ok(Some((v, shown)))
    }

    async fn record_in_reach(&self, kind: RecordType, id: &str) -> AppResult<bool> {
        Ok(match kind {
            RecordType::Service => self.service(id).await?.is_some(),
            RecordType::Organization => self.organization(id).await?.is_some(),
        })
    }

    /// This editor's organisation's suggestions (all, newest first); for a whole-map editor
    /// every suggestion.
    pub async fn suggestions(&self) -> AppResult<Vec<Suggestion>> {
        let mut all = self.store.suggestions(None, self.org_filter()).await?;
        all.reverse();
        Ok(all)
    }

    /// The fields a record shows, for the suggestion form's diff.
    pub fn fields_of_service(&self, s: &Service) -> Vec<Shown> {
        self.shown_service(s)
    }
}

/// Deciding suggestions, answering corrections, restoring versions and the freshness list: the
/// steunpunt's redacteuren (a whole-map team) only.
pub struct MapReview {
    editor: MapEditor,
}

/// What deciding a suggestion did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    Accepted,
    Rejected,
    /// It was not open (any more): nothing changed.
    NotOpen,
}

impl MapReview {
    pub fn editor(&self) -> &MapEditor {
        &self.editor
    }

    /// Open suggestions, oldest first.
    pub async fn open_suggestions(&self) -> AppResult<Vec<SuggestionView>> {
        let open = self
            .editor
            .store
            .suggestions(Some(SuggestionState::Open), None)
            .await?;
        let mut out = Vec::with_capacity(open.len());
        for s in open {
            out.push(self.view(s).await?);
        }
        Ok(out)
    }

    async fn current(&self, kind: RecordType, id: &str) -> AppResult<Option<String>> {
        Ok(match kind {
            RecordType::Service => self
                .editor
                .store
                .service(id)
                .await?
                .map(|s| MapRecord::Service(&s).document()),
            RecordType::Organization => self
                .editor
                .store
                .organization(id)
                .await?
                .map(|o| MapRecord::Organization(&o).document()),
        })
    }

    async fn view(&self, s: Suggestion) -> AppResult<SuggestionView> {
        let e = &self.editor;
        let current = self.current(s.kind, &s.record_id).await?;
        let base = s
            .base
            .as_deref()
            .map(|b| e.shown(s.kind, b))
            .unwrap_or_default();
        let proposed = e.shown(s.kind, &s.document);
        let now = current.as_deref().map(|c| e.shown(s.kind, c));
        let name = now
            .as_ref()
            .unwrap_or(&proposed)
            .iter()
            .find(|f| f.field == "name")
            .map(|f| f.value.clone())
            .unwrap_or_default();
        Ok(SuggestionView {
            changes: changes(&base, &proposed),
            changed_since: now.is_some_and(|n| !changes(&base, &n).is_empty()),
            name,
            suggestion: s,
        })
    }

    pub async fn suggestion(&self, id: &str) -> AppResult<Option<SuggestionView>> {
        match self.editor.store.suggestion(id).await? {
            Some(s) => Ok(Some(self.view(s).await?)),
            None => Ok(None),
        }
    }

    /// Accepts (publishes the proposal as a version) or rejects a suggestion, with an optional
    /// answer for its author.
    pub async fn decide(
        &self,
        id: &str,
        accept: bool,
        answer: Option<&str>,
    ) -> AppResult<Option<Decided>> {
        let e = &self.editor;
        let Some(s) = e.store.suggestion(id).await? else {
            return Ok(None);
        };
        if s.state != SuggestionState::Open {
            return Ok(Some(Decided::NotOpen));
        }
        let by = e
            .actor
            .signed_in()
            .map(|u| u.id.to_string())
            .unwrap_or_default();
        let mut log = e.entry(Action::Change, s.kind, &s.record_id);
        log.record_id = Some(format!(
            "suggestion {} for {}",
            s.id,
            record_ref(s.kind, &s.record_id)
        ));
        let answer = answer.map(|a| a.chars().take(1000).collect::<String>());
        let version = NewVersion {
            at: e.now(),
            user_id: Some(by.clone()),
            via: Via::Suggestion,
            changed: s.changed.clone(),
            restored_from: None,
            previous: self.current(s.kind, &s.record_id).await?,
        };
        let (service, org) = match s.kind {
            RecordType::Service => (parse_service(&s.document), None),
            RecordType::Organization => (None, parse_organization(&s.document)),
        };
        let record = match (&service, &org) {
            (Some(x), _) => Some(MapRecord::Service(x)),
            (_, Some(o)) => Some(MapRecord::Organization(o)),
            _ => None,
        };
        let accepted = if accept {
            record.map(|r| (r, &version))
        } else {
            None
        };
        if accept && accepted.is_none() {
            return Ok(Some(Decided::NotOpen));
        }
        let done = e
            .store
            .decide_suggestion(id, accepted, &by, &e.now(), answer.as_deref(), &log)
            .await?;
        if !done {
            return Ok(Some(Decided::NotOpen));
        }
        if accept {
            e.app.refresh().await?;
            Ok(Some(Decided::Accepted))
        } else {
            Ok(Some(Decided::Rejected))
        }
    }

    /// Publishes version `seq` of a record again, as a new version.
    pub async fn restore(&self, kind: RecordType, id: &str, seq: i64) -> AppResult<Option<i64>> {
        let e = &self.editor;
        let versions = e.store.versions(kind, id).await?;
        let (Some(old), Some(newest)) = (versions.iter().find(|v| v.seq == seq), versions.first())
        else {
            return Ok(None);
        };
        let changed: Vec<String> = changes(
            &e.shown(kind, &newest.document),
            &e.shown(kind, &old.document),
        )
        .into_iter()
        .map(|c| c.field.to_string())
        .collect();
        let (service, org) = match kind {
            RecordType::Service => (parse_service(&old.document), None),
            RecordType::Organization => (None, parse_organization(&old.document)),
        };
        let record = match (&service, &org) {
            (Some(s), _) => MapRecord::Service(s),
            (_, Some(o)) => MapRecord::Organization(o),
            _ => return Ok(None),
        };
        let seq = e
            .publish(record, None, Via::Restore, changed, Some(seq))
            .await?;
        Ok(Some(seq))
    }

    /// Services not confirmed as correct since `months` ago (or never), the oldest first.
    pub async fn due_for_check(&self, months: i32) -> AppResult<Vec<ServiceLine>> {
        let cutoff = calendar::months_before(self.editor.clock.now(), months);
        let mut due: Vec<ServiceLine> = self
            .editor
            .store
            .service_lines(None)
            .await?
            .into_iter()
            .filter(|l| {
                l.assured_date
                    .as_deref()
                    .is_none_or(|d| d < cutoff.as_str())
            })
            .collect();
        due.sort_by(|a, b| (&a.assured_date, &a.name).cmp(&(&b.assured_date, &b.name)));
        Ok(due)
    }

    /// Confirms a service as correct today, changing nothing else.
    pub async fn confirm(&self, id: &str) -> AppResult<Option<i64>> {
        let e = &self.editor;
        let Some(base) = e.store.service(id).await? else {
            return Ok(None);
        };
        let mut after = base.clone();
        after.assured_date = Some(calendar::date_of(e.clock.now()));
        after.last_modified = Some(e.now());
        let seq = e
            .publish(
                MapRecord::Service(&after),
                Some(MapRecord::Service(&base).document()),
                Via::Check,
                vec!["assured_date".into()],
                None,
            )
            .await?;
        Ok(Some(seq))
    }
}
