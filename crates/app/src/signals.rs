//! Signalen: anyone signed in records a bottleneck seen in practice for the municipality or an
//! organisation's team ([`SignalDesk`]) and follows it; the receiver — the municipality's
//! beleidsmedewerkers, or the team's members — acknowledges, answers, groups and closes it
//! ([`SignalInbox`]); the municipality prints a periodic report ([`SignalReport`]). A signal
//! holds no personal data (checked by the domain's rules); the receiver sees the sender's team,
//! not the person.

use crate::access::Actor;
use crate::{AppResult, Clock};
use kapstok_domain::account::{Membership, Role};
use kapstok_domain::audit::{Action, NewEntry, RecordKind};
use kapstok_domain::calendar::{stored, zone};
use kapstok_domain::editing::{Problem, Problems, Typed};
use kapstok_domain::signal::{
    ANSWER_MAX, Addressee, GROUP_MAX, MUNICIPALITY, Signal, SignalLists, SignalState, SignalStep,
    clean_text, next, signal_form,
};
use kapstok_search::Catalog;
use kapstok_store::{NewSignal, Store};
use std::collections::BTreeMap;
use std::sync::Arc;

fn entry(actor: &Actor, acting: Option<&Membership>, action: Action, id: &str) -> NewEntry {
    let mut e = actor.log_entry(acting, action, RecordKind::Signal, true);
    e.record_id = Some(id.to_string());
    e
}

/// Who may receive signals, as (code, name): the municipality and every organisation's team.
async fn addressees(store: &dyn Store) -> AppResult<Vec<(String, String)>> {
    let mut v = vec![(MUNICIPALITY.to_string(), "Gemeente".to_string())];
    let mut teams: Vec<(String, String)> = store
        .teams()
        .await?
        .into_iter()
        .filter(|t| t.organization_id.is_some())
        .map(|t| (t.id.to_string(), t.name))
        .collect();
    teams.sort_by(|a, b| a.1.cmp(&b.1));
    v.extend(teams);
    Ok(v)
}

/// Recording and following one's own signals: anyone signed in with a team.
pub struct SignalDesk {
    store: Arc<dyn Store>,
    actor: Actor,
    acting: Membership,
    lists: Arc<SignalLists>,
    catalog: Arc<Catalog>,
    clock: Clock,
}

impl SignalDesk {
    pub(crate) fn grant(
        store: Arc<dyn Store>,
        actor: &Actor,
        lists: Arc<SignalLists>,
        catalog: Arc<Catalog>,
        clock: Clock,
    ) -> Option<SignalDesk> {
        Some(SignalDesk {
            acting: actor.signed_in()?.memberships.first()?.clone(),
            actor: actor.clone(),
            store,
            lists,
            catalog,
            clock,
        })
    }

    pub fn lists(&self) -> &SignalLists {
        &self.lists
    }

    pub fn areas(&self) -> Vec<(String, String)> {
        crate::activities::areas(&self.catalog)
    }

    pub async fn addressees(&self) -> AppResult<Vec<(String, String)>> {
        addressees(self.store.as_ref()).await
    }

    /// Records the form as a signal; nothing is stored when a field is wrong.
    pub async fn record(&self, typed: &[(String, String)]) -> AppResult<Result<Signal, Problems>> {
        let areas: Vec<String> = self.areas().into_iter().map(|(c, _)| c).collect();
        let to: Vec<String> = self
            .addressees()
            .await?
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        let now = self.clock.now();
        let today = now.to_zoned(zone()).date();
        let form = match signal_form(Typed(typed), &self.lists, &areas, &to, today) {
            Ok(f) => f,
            Err(p) => return Ok(Err(p)),
        };
        let id = format!("sig-{}", crate::accounts::random_hex(8));
        let new = NewSignal {
            id: id.clone(),
            theme: form.theme,
            area: form.area,
            from: form.from.to_string(),
            to: form.to.to_string(),
            text: form.text,
            sender_user: self.actor.signed_in().map(|u| u.id.to_string()),
            sender_team: Some(self.acting.team.to_string()),
            addressee: form.addressee.code().to_string(),
            at: stored(now),
        };
        let log = entry(&self.actor, Some(&self.acting), Action::Create, &id);
        Ok(Ok(self.store.add_signal(&new, &log).await?))
    }

    /// One's own signals, newest first.
    pub async fn mine(&self) -> AppResult<Vec<Signal>> {
        match self.actor.signed_in() {
            Some(u) => Ok(self.store.signals_sent_by(u.id.as_str()).await?),
            None => Ok(Vec::new()),
        }
    }

    /// One of one's own signals.
    pub async fn mine_one(&self, id: &str) -> AppResult<Option<Signal>> {
        let me = self.actor.signed_in().map(|u| u.id.to_string());
        Ok(self
            .store
            .signal(id)
            .await?
            .filter(|s| s.sender_user.is_some() && s.sender_user == me))
    }
}

/// The signals addressed to the municipality (its beleidsmedewerkers) or to one's teams.
pub struct SignalInbox {
    store: Arc<dyn Store>,
    actor: Actor,
    /// The addressee codes this user handles, with the membership acting for each.
    handles: Vec<(String, Membership)>,
    clock: Clock,
}

impl SignalInbox {
    pub(crate) fn grant(store: Arc<dyn Store>, actor: &Actor, clock: Clock) -> Option<SignalInbox> {
        let user = actor.signed_in()?;
        let mut handles: Vec<(String, Membership)> = Vec::new();
        if let Some(m) = actor.membership(Role::Beleidsmedewerker) {
            handles.push((MUNICIPALITY.to_string(), m));
        }
        for m in &user.memberships {
            if !handles.iter().any(|(code, _)| code == m.team.as_str()) {
                handles.push((m.team.to_string(), m.clone()));
            }
        }
        (!handles.is_empty()).then(|| SignalInbox {
            store,
            actor: actor.clone(),
            handles,
            clock,
        })
    }

    /// Whether the municipality's signals come here.
    pub fn for_municipality(&self) -> bool {
        self.handles.iter().any(|(c, _)| c == MUNICIPALITY)
    }

    fn acting_for(&self, s: &Signal) -> Option<&Membership> {
        self.handles
            .iter()
            .find(|(c, _)| c == s.addressee.code())
            .map(|(_, m)| m)
    }

    pub async fn list(&self) -> AppResult<Vec<Signal>> {
        let codes: Vec<String> = self.handles.iter().map(|(c, _)| c.clone()).collect();
        Ok(self.store.signals_to(&codes).await?)
    }

    /// A signal addressed here; `None` for any other.
    pub async fn signal(&self, id: &str) -> AppResult<Option<Signal>> {
        Ok(self
            .store
            .signal(id)
            .await?
            .filter(|s| self.acting_for(s).is_some()))
    }

    /// A step (`oppakken`, `beantwoorden` with `answer`, `sluiten`, `heropenen`). `None`: no such
    /// signal here; the problems when the step or the answer does not do.
    pub async fn step(
        &self,
        id: &str,
        typed: &[(String, String)],
    ) -> AppResult<Option<Result<Signal, Problems>>> {
        let Some(s) = self.signal(id).await? else {
            return Ok(None);
        };
        let f = Typed(typed);
        let Some(step) = f.get("stap").and_then(SignalStep::parse) else {
            return Ok(Some(Err(vec![("stap", Problem::UnknownStatus)])));
        };
        let Some(to) = next(s.state, step) else {
            return Ok(Some(Err(vec![("stap", Problem::UnknownStatus)])));
        };
        let mut p = Problems::new();
        let answer = match step {
            SignalStep::Answer => Some(clean_text(f, "answer", ANSWER_MAX, &mut p)),
            _ => None,
        };
        if !p.is_empty() {
            return Ok(Some(Err(p)));
        }
        let log = entry(&self.actor, self.acting_for(&s), Action::Change, id);
        let at = stored(self.clock.now());
        self.store
            .signal_step(id, to, answer.as_deref(), &at, &log)
            .await?;
        Ok(self.store.signal(id).await?.map(Ok))
    }

    /// Puts signals addressed here in one group (an empty name takes them out).
    pub async fn group(&self, ids: &[String], name: &str) -> AppResult<Result<u64, Problems>> {
        let name = name.trim();
        if name.chars().count() > GROUP_MAX {
            return Ok(Err(vec![("group", Problem::TooLong(GROUP_MAX))]));
        }
        if ids.is_empty() {
            return Ok(Err(vec![("group", Problem::Required)]));
        }
        let mut mine = Vec::new();
        for id in ids {
            if self.signal(id).await?.is_some() {
                mine.push(id.clone());
            }
        }
        let mut log = self.actor.log_entry(
            self.handles.first().map(|(_, m)| m),
            Action::Change,
            RecordKind::Signal,
            true,
        );
        log.record_id = Some(
            format!("group: {}", mine.join(" "))
                .chars()
                .take(200)
                .collect(),
        );
        Ok(Ok(self
            .store
            .group_signals(&mine, (!name.is_empty()).then_some(name), &log)
            .await?))
    }
}

/// The periodic signal report for the municipality's policy meeting.
pub struct SignalReport {
    store: Arc<dyn Store>,
}

/// Signals of a period by theme and state, by area, and their texts by group.
#[derive(Debug, Default)]
pub struct Report {
    pub by_theme: BTreeMap<String, BTreeMap<SignalState, u64>>,
    pub by_area: BTreeMap<String, u64>,
    /// (group name or "", signals), grouped ones first.
    pub groups: Vec<(String, Vec<Signal>)>,
    pub total: u64,
}

impl SignalReport {
    pub(crate) fn grant(store: Arc<dyn Store>, actor: &Actor) -> Option<SignalReport> {
        actor.membership(Role::Beleidsmedewerker)?;
        Some(SignalReport { store })
    }

    /// The signals sent between `from` and `to` (local dates, inclusive), to anyone.
    pub async fn report(
        &self,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> AppResult<Report> {
        let mut r = Report::default();
        let mut groups: BTreeMap<String, Vec<Signal>> = BTreeMap::new();
        for s in self.store.all_signals().await? {
            let Ok(sent) = s.created_at.parse::<jiff::Timestamp>() else {
                continue;
            };
            let day = sent.to_zoned(zone()).date();
            if day < from || day > to {
                continue;
            }
            *r.by_theme
                .entry(s.theme.clone())
                .or_default()
                .entry(s.state)
                .or_default() += 1;
            *r.by_area
                .entry(s.area.clone().unwrap_or_default())
                .or_default() += 1;
            r.total += 1;
            groups
                .entry(s.group.clone().unwrap_or_default())
                .or_default()
                .push(s);
        }
        let ungrouped = groups.remove("");
        r.groups = groups.into_iter().collect();
        if let Some(u) = ungrouped {
            r.groups.push((String::new(), u));
        }
        Ok(r)
    }
}

/// An addressee's name.
pub async fn addressee_name(store: &dyn Store, a: &Addressee) -> AppResult<String> {
    Ok(addressees(store)
        .await?
        .into_iter()
        .find(|(c, _)| c == a.code())
        .map_or_else(|| a.code().to_string(), |(_, n)| n))
}
