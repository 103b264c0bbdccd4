//! The municipality's dashboard: where carers are and aren't reached, per area and period,
//! compared with the previous period — and never a person. Every count of people goes through
//! the domain's disclosure rules (`disclosure::protect`) before it leaves here, so a page, its
//! chart and its CSV show the same protected figures. Only beleidsmedewerkers get one.

use crate::access::Actor;
use crate::{AppResult, Clock};
use jiff::civil::Date;
use kapstok_domain::account::Role;
use kapstok_domain::activity::ActivityLists;
use kapstok_domain::calendar::zone;
use kapstok_domain::disclosure::{Grid, Protected, Shown, protect, protect_together};
use kapstok_domain::model::TaxonomyRole;
use kapstok_domain::referral::RouteLists;
use kapstok_domain::referral_figures::{Durations, Term, durations};
use kapstok_domain::service_level::WorkingDays;
use kapstok_domain::signal::{SignalLists, SignalState};
use kapstok_search::{AREA_FACET, Catalog, SearchQuery};
use kapstok_store::Store;
use std::sync::Arc;

mod facts;
use facts::NONE;
pub(crate) use facts::{ReferralFacts, Rules};

/// A period of local dates, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    /// The period of the same length right before.
    pub fn previous(self) -> Period {
        let days = (self.to - self.from).get_days() as i64 + 1;
        let to = self.from.yesterday().unwrap_or(self.from);
        let from = to
            .checked_sub(jiff::Span::new().days(days - 1))
            .unwrap_or(to);
        Period { from, to }
    }

    /// The months the period touches (`2026-01`), in order.
    pub fn month_codes(self) -> Vec<String> {
        let (first, last) = (month_number(self.from), month_number(self.to));
        (first..=last)
            .map(|m| format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1))
            .collect()
    }

    fn months(self) -> (String, String) {
        (
            self.from.strftime("%Y-%m").to_string(),
            self.to.strftime("%Y-%m").to_string(),
        )
    }
}

/// Referrals per month, all areas together, from the `areas × months` grid. Its total is the
/// grand total of the referral tables (`total`, as they show it), so it is protected given
/// that total: when they show it and this table's own protection shows it too, that
/// protection stands; otherwise no month is shown (nothing then narrows a total they hide).
fn protect_months(g: &Grid, total: Shown, k: u64) -> Protected {
    let cols = g.cols;
    let row = Grid {
        rows: 1,
        cols,
        cells: (0..cols)
            .map(|j| (0..g.rows).map(|i| g.cells[i * cols + j]).sum())
            .collect(),
    };
    if let Shown::Value(t) = total {
        let p = protect(&row, k);
        if p.total == Shown::Value(t) {
            return p;
        }
    }
    Protected {
        rows: 1,
        cols,
        cells: vec![Shown::Hidden; cols],
        row_totals: vec![total],
        col_totals: vec![Shown::Hidden; cols],
        total,
    }
}

/// Tables protected lately, by what went in: the disclosure rules are a pure function of the
/// counts and the threshold, and far the dearest part of a page, so the same counts (a page
/// asked again, its CSV, the previous period while today's referrals come in) are not
/// protected twice.
#[derive(Debug, Default)]
pub(crate) struct Remembered(std::collections::VecDeque<(Vec<Grid>, u64, Vec<Protected>)>);

const REMEMBERED: usize = 32;

impl Remembered {
    fn protect(memo: &std::sync::Mutex<Remembered>, grids: &[Grid], k: u64) -> Vec<Protected> {
        let lock = || memo.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, _, p)) = lock().0.iter().find(|(g, t, _)| g == grids && *t == k) {
            return p.clone();
        }
        let p = protect_together(grids, k);
        let mut m = lock();
        if m.0.len() >= REMEMBERED {
            m.0.pop_front();
        }
        m.0.push_back((grids.to_vec(), k, p.clone()));
        p
    }
}

/// Months counted from year 0, to step through months.
fn month_number(d: Date) -> i32 {
    i32::from(d.year()) * 12 + i32::from(d.month()) - 1
}

/// One table of people counts, protected, with the previous period's beside it.
#[derive(Debug, Clone)]
pub struct Table {
    /// In addresses (`verwijzingen-reden.csv`).
    pub id: &'static str,
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    pub now: Protected,
    pub before: Protected,
}

/// Services per basic function and area (not people: shown as they are), and how many were
/// not checked for the check term.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    pub functions: Vec<String>,
    pub areas: Vec<String>,
    /// `[function][area]`.
    pub counts: Vec<Vec<u64>>,
    pub services: u64,
    pub unchecked: u64,
}

/// Time to the first acknowledgement and to closing, per area (the area codes of the referral
/// tables) and for all areas together (last), this period and the one before. A group with
/// fewer than the threshold shows only that.
#[derive(Debug, Clone)]
pub struct Timing {
    pub rows: Vec<String>,
    pub acknowledged: Vec<Durations>,
    pub acknowledged_before: Vec<Durations>,
    pub closed: Vec<Durations>,
    pub closed_before: Vec<Durations>,
}

#[derive(Debug, Clone)]
pub struct Figures {
    pub period: Period,
    pub previous: Period,
    pub threshold: u64,
    pub tables: Vec<Table>,
    pub timing: Timing,
    pub coverage: Coverage,
}

pub struct Dashboard {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) route_lists: Arc<RouteLists>,
    pub(crate) activity_lists: Arc<ActivityLists>,
    pub(crate) signal_lists: Arc<SignalLists>,
    pub(crate) working_days: Arc<WorkingDays>,
    pub(crate) facts: Arc<tokio::sync::Mutex<ReferralFacts>>,
    pub(crate) protected: Arc<std::sync::Mutex<Remembered>>,
    pub(crate) clock: Clock,
    pub(crate) threshold: u64,
    pub(crate) check_months: i32,
}

/// Counts into a grid: `rows × cols`, each item at (row, col) by its codes.
fn grid(
    rows: &[String],
    cols: &[String],
    items: impl Iterator<Item = (String, String, u64)>,
) -> Grid {
    let mut cells = vec![0u64; rows.len() * cols.len()];
    for (r, c, n) in items {
        if let (Some(i), Some(j)) = (
            rows.iter().position(|x| *x == r),
            cols.iter().position(|x| *x == c),
        ) {
            cells[i * cols.len() + j] += n;
        }
    }
    Grid {
        rows: rows.len(),
        cols: cols.len(),
        cells,
    }
}

/// The codes along the tables' rows and columns.
struct Axes {
    areas: Vec<String>,
    reasons: Vec<String>,
    sources: Vec<String>,
    outcomes: Vec<String>,
    audiences: Vec<String>,
    kinds: Vec<String>,
    themes: Vec<String>,
    states: Vec<String>,
}

/// The code standing for "no area".
pub const NO_AREA: &str = "";
/// The row of the durations standing for all areas together.
pub const ALL_AREAS: &str = "*";

impl Dashboard {
    /// The dashboard made of `parts`, for a beleidsmedewerker only.
    pub(crate) fn grant(actor: &Actor, parts: Dashboard) -> Option<Dashboard> {
        actor.membership(Role::Beleidsmedewerker)?;
        Some(parts)
    }

    pub fn today(&self) -> Date {
        self.clock.now().to_zoned(zone()).date()
    }

    pub fn route_lists(&self) -> &RouteLists {
        &self.route_lists
    }

    pub fn activity_lists(&self) -> &ActivityLists {
        &self.activity_lists
    }

    pub fn signal_lists(&self) -> &SignalLists {
        &self.signal_lists
    }

    /// The deployment's areas as (code, name), then "no area".
    pub fn area_codes(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .catalog
            .geo
            .areas
            .iter()
            .map(|a| a.code.clone())
            .collect();
        v.push(NO_AREA.to_string());
        v
    }

    pub fn area_name(&self, code: &str) -> Option<String> {
        self.catalog
            .geo
            .areas
            .iter()
            .find(|a| a.code == code)
            .map(|a| a.name.clone())
    }

    /// The codes along every table's rows and columns.
    fn axes(&self) -> Axes {
        let codes = |v: &mut dyn Iterator<Item = &String>| v.cloned().collect::<Vec<String>>();
        let mut outcomes = codes(&mut self.route_lists.outcomes.iter().map(|o| &o.code));
        // Still open: no outcome yet.
        outcomes.push(String::new());
        Axes {
            areas: self.area_codes(),
            reasons: codes(&mut self.route_lists.reasons.iter().map(|r| &r.code)),
            sources: vec!["verwijzer".to_string(), "zelf".to_string()],
            outcomes,
            audiences: codes(&mut self.activity_lists.audiences.iter().map(|a| &a.code)),
            kinds: codes(&mut self.activity_lists.kinds.iter().map(|k| &k.code)),
            themes: codes(&mut self.signal_lists.themes.iter().map(|t| &t.code)),
            states: SignalState::ALL
                .iter()
                .map(|s| s.code().to_string())
                .collect(),
        }
    }

    /// The referral tables of a period from the facts in memory, with the durations per
    /// area (the last row: all areas).
    fn referral_tables(
        &self,
        facts: &ReferralFacts,
        p: Period,
        months: usize,
        first_not_overdue: Date,
    ) -> ([Grid; 5], Vec<Vec<u32>>, Vec<Vec<u32>>) {
        let Axes {
            areas,
            reasons,
            sources,
            outcomes,
            ..
        } = &self.axes();
        let (ar, re, so, ou) = (
            facts.areas.places(areas),
            facts.reasons.places(reasons),
            facts.sources.places(sources),
            facts.outcomes.places(outcomes),
        );
        let cols = [reasons.len(), sources.len(), outcomes.len(), 3, months];
        let mut grids = cols.map(|c| Grid {
            rows: areas.len(),
            cols: c,
            cells: vec![0; areas.len() * c],
        });
        let mut acknowledged = vec![Vec::new(); areas.len() + 1];
        let mut closed = vec![Vec::new(); areas.len() + 1];
        let start = month_number(p.from);
        for (day, list) in facts.days.range(p.from..=p.to) {
            let month = (month_number(*day) - start).clamp(0, months as i32 - 1) as usize;
            for f in list {
                let Some(a) = ar[f.area as usize] else {
                    continue;
                };
                let term = Term::ALL
                    .iter()
                    .position(|t| *t == f.term(*day, first_not_overdue))
                    .unwrap_or(2);
                for (g, place) in [
                    re[f.reason as usize],
                    so[f.source as usize],
                    ou[f.outcome as usize],
                    Some(term),
                    Some(month),
                ]
                .into_iter()
                .enumerate()
                {
                    if let Some(j) = place {
                        grids[g].cells[a * cols[g] + j] += 1;
                    }
                }
                for (list, v) in [(&mut acknowledged, f.acknowledged), (&mut closed, f.closed)] {
                    if v != NONE {
                        list[a].push(v);
                        list[areas.len()].push(v);
                    }
                }
            }
        }
        (grids, acknowledged, closed)
    }

    async fn self_check_table(&self, p: Period) -> AppResult<(Vec<String>, Grid)> {
        let (from, to) = p.months();
        let counts: Vec<_> = self
            .store
            .self_check_counts()
            .await?
            .into_iter()
            .filter(|(t, _)| t.month >= from && t.month <= to)
            .collect();
        let mut bands: Vec<String> = counts
            .iter()
            .map(|(t, _)| format!("{}/{}", t.instrument, t.band))
            .collect();
        bands.sort();
        bands.dedup();
        let areas = self.area_codes();
        let g = grid(
            &areas,
            &bands,
            counts.iter().map(|(t, n)| {
                (
                    t.area_code.clone().unwrap_or_default(),
                    format!("{}/{}", t.instrument, t.band),
                    *n as u64,
                )
            }),
        );
        Ok((bands, g))
    }

    /// Registrations and attendance (or completion) per audience and kind, for dates in the
    /// period.
    async fn activity_tables(&self, p: Period) -> AppResult<(Grid, Grid)> {
        let reach =
            crate::activities::reach::by_audience_and_kind(self.store.as_ref(), p.from, p.to)
                .await?;
        let Axes {
            audiences, kinds, ..
        } = &self.axes();
        let of = |pick: fn(&crate::activities::reach::ReachLine) -> u64| {
            grid(
                audiences,
                kinds,
                reach
                    .iter()
                    .map(|(a, k, line)| (a.clone(), k.clone(), pick(line))),
            )
        };
        Ok((of(|l| l.registrations), of(|l| l.attended + l.completed)))
    }

    async fn signal_table(&self, p: Period) -> AppResult<Grid> {
        let Axes { themes, states, .. } = &self.axes();
        let signals = self.store.all_signals().await?;
        Ok(grid(
            themes,
            states,
            signals.into_iter().filter_map(|s| {
                let day = s
                    .created_at
                    .parse::<jiff::Timestamp>()
                    .ok()?
                    .to_zoned(zone())
                    .date();
                (day >= p.from && day <= p.to).then(|| (s.theme, s.state.code().to_string(), 1))
            }),
        ))
    }

    fn coverage(&self) -> Coverage {
        let key = self.catalog.facet_key(TaxonomyRole::Function).to_string();
        let all = self.catalog.index.search(&SearchQuery {
            limit: 0,
            ..SearchQuery::default()
        });
        let functions: Vec<(String, String)> = all
            .facets
            .iter()
            .find(|f| f.key == key)
            .map(|f| {
                f.values
                    .iter()
                    .map(|v| (v.code.to_string(), v.label.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let areas: Vec<(String, String)> = self
            .catalog
            .geo
            .areas
            .iter()
            .map(|a| (a.code.clone(), a.name.clone()))
            .collect();
        let counts = functions
            .iter()
            .map(|(f, _)| {
                areas
                    .iter()
                    .map(|(a, _)| {
                        self.catalog
                            .index
                            .search(&SearchQuery {
                                filters: vec![
                                    (key.clone(), vec![f.clone()]),
                                    (AREA_FACET.to_string(), vec![a.clone()]),
                                ],
                                limit: 0,
                                ..SearchQuery::default()
                            })
                            .total as u64
                    })
                    .collect()
            })
            .collect();
        let due = kapstok_domain::calendar::months_before(self.clock.now(), self.check_months);
        let mut services = 0;
        let mut unchecked = 0;
        for n in 0..self.catalog.records.len() as u32 {
            if let Some(s) = self.catalog.records.service_at(n) {
                services += 1;
                if s.assured_date.as_deref().is_none_or(|d| d < due.as_str()) {
                    unchecked += 1;
                }
            }
        }
        Coverage {
            functions: functions.into_iter().map(|(_, l)| l).collect(),
            areas: areas.into_iter().map(|(_, n)| n).collect(),
            counts,
            services,
            unchecked,
        }
    }

    /// Every table of the period and of the one before, protected.
    pub async fn figures(&self, period: Period) -> AppResult<Figures> {
        let previous = period.previous();
        let k = self.threshold;
        let months = period.month_codes();
        let n = self.route_lists.acknowledge_within;
        let first_not_overdue = self
            .working_days
            .overdue_before(self.clock.now(), n)
            .to_zoned(zone())
            .date();
        let (now, before, timing) = {
            let mut facts = self.facts.lock().await;
            let rules = Rules {
                lists: &self.route_lists,
                working_days: &self.working_days,
            };
            facts.refresh(self.store.as_ref(), &rules).await?;
            let (now, mut ack, mut closed) =
                self.referral_tables(&facts, period, months.len(), first_not_overdue);
            let (before, mut ack_before, mut closed_before) =
                self.referral_tables(&facts, previous, months.len(), first_not_overdue);
            let spread = |lists: &mut Vec<Vec<u32>>| {
                lists
                    .iter_mut()
                    .map(|v| durations(v, k))
                    .collect::<Vec<_>>()
            };
            let mut rows = self.area_codes();
            rows.push(ALL_AREAS.to_string());
            let timing = Timing {
                rows,
                acknowledged: spread(&mut ack),
                acknowledged_before: spread(&mut ack_before),
                closed: spread(&mut closed),
                closed_before: spread(&mut closed_before),
            };
            (now, before, timing)
        };
        // The referral tables count the same referrals per area: protected together, so that
        // no total one hides is shown by another, and no difference of two pins a cell. The
        // months (all areas together) share only the grand total with them.
        let [r, s, o, t, m] = now;
        let now = Remembered::protect(&self.protected, &[r, s, o, t], k);
        let months_now = protect_months(&m, now[0].total, k);
        let [r, s, o, t, m] = before;
        let before = Remembered::protect(&self.protected, &[r, s, o, t], k);
        let months_before = protect_months(&m, before[0].total, k);
        let (bands, s_now) = self.self_check_table(period).await?;
        // The previous period's bands in this period's columns.
        let s_before = {
            let (before_bands, g) = self.self_check_table(previous).await?;
            let areas = self.area_codes();
            let mut cells = vec![0u64; areas.len() * bands.len()];
            for i in 0..areas.len() {
                for (j, b) in bands.iter().enumerate() {
                    if let Some(bj) = before_bands.iter().position(|x| x == b) {
                        cells[i * bands.len() + j] = g.cells[i * before_bands.len() + bj];
                    }
                }
            }
            Grid {
                rows: areas.len(),
                cols: bands.len(),
                cells,
            }
        };
        let Axes {
            areas,
            reasons,
            sources,
            outcomes,
            audiences,
            kinds,
            themes,
            states,
        } = &self.axes();
        let table = |id, rows: &Vec<String>, cols: &Vec<String>, now: &Grid, before: &Grid| Table {
            id,
            rows: rows.clone(),
            cols: cols.clone(),
            now: protect(now, k),
            before: protect(before, k),
        };
        let (registered_now, attended_now) = self.activity_tables(period).await?;
        let (registered_before, attended_before) = self.activity_tables(previous).await?;
        let referral = |id, cols: Vec<String>, n: usize| Table {
            id,
            rows: areas.clone(),
            cols,
            now: now[n].clone(),
            before: before[n].clone(),
        };
        let mut tables = vec![
            referral("verwijzingen-reden", reasons.clone(), 0),
            referral("verwijzingen-bron", sources.clone(), 1),
            referral("verwijzingen-uitkomst", outcomes.clone(), 2),
            referral(
                "verwijzingen-termijn",
                Term::ALL.iter().map(|t| t.code().to_string()).collect(),
                3,
            ),
            Table {
                id: "verwijzingen-maand",
                rows: vec![ALL_AREAS.to_string()],
                cols: months,
                now: months_now,
                before: months_before,
            },
        ];
        tables.extend([
            table("mantelzorgtest", areas, &bands, &s_now, &s_before),
            table(
                "activiteiten-aanmeldingen",
                audiences,
                kinds,
                &registered_now,
                &registered_before,
            ),
            table(
                "activiteiten-aanwezig",
                audiences,
                kinds,
                &attended_now,
                &attended_before,
            ),
            table(
                "signalen",
                themes,
                states,
                &self.signal_table(period).await?,
                &self.signal_table(previous).await?,
            ),
        ]);
        Ok(Figures {
            period,
            previous,
            threshold: k,
            tables,
            timing,
            coverage: self.coverage(),
        })
    }
}
