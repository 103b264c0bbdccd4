//! `/werk/dashboard`: the municipality's figures per area and period, compared with the
//! previous period; small counts suppressed (by the application), charts as SVG beside data
//! tables with the same figures, and each table as CSV for Dutch Excel. No person is in it.

use crate::error::PageError;
use crate::extract::SignedIn;
use crate::extract::params::Pairs;
use crate::i18n::{Lang, Tr};
use crate::pro::admin::{granted, period_of};
use crate::pro::map_edit::layout;
use crate::render::{self, InLang};
use crate::state::AppState;
use crate::views::chart::{Series, bars, lines};
use crate::views::{Layout, TypedForm};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use kapstok_app::dashboard::{ALL_AREAS, Dashboard, Figures, NO_AREA, Period, Table};
use kapstok_domain::activity_form::shown_date;
use kapstok_domain::audit::RecordKind;
use kapstok_domain::disclosure::{Shown, difference};
use kapstok_domain::referral_figures::{Durations, days_text};

async fn dashboard(state: &AppState, me: &SignedIn) -> Result<Dashboard, PageError> {
    let c = state.app().dashboard(&me.actor);
    granted(state, me, c, RecordKind::Referral).await
}

fn shown(s: Shown) -> String {
    match s {
        Shown::Value(v) => v.to_string(),
        Shown::Small => "< 5".into(),
        Shown::Hidden => "•".into(),
    }
}

/// A table as the page and the CSV show it.
pub struct TableView {
    pub id: &'static str,
    pub caption: String,
    pub corner: String,
    pub cols: Vec<String>,
    /// (label, cells, total, total before, difference)
    pub rows: Vec<(String, Vec<String>, String, String, String)>,
    pub totals: Vec<String>,
    pub total: String,
    pub total_before: String,
    pub total_difference: String,
    pub csv: String,
}

fn label(
    state: &AppState,
    d: &Dashboard,
    lang: Lang,
    table: &str,
    dimension: &str,
    code: &str,
) -> String {
    let tr = Tr { lang };
    let en = lang == Lang::En;
    let pick = |nl: &str, english: &str| {
        if en {
            english.to_string()
        } else {
            nl.to_string()
        }
    };
    match dimension {
        "area" => {
            if code == ALL_AREAS {
                tr.t("dash-all-areas")
            } else if code == NO_AREA {
                tr.t("dash-no-area")
            } else {
                d.area_name(code).unwrap_or_else(|| code.to_string())
            }
        }
        "reason" => d
            .route_lists()
            .reasons
            .iter()
            .find(|r| r.code == code)
            .map_or(code.to_string(), |r| pick(&r.label, &r.label_en)),
        "source" => tr.t(&format!("dash-source-{code}")),
        "outcome" => {
            if code.is_empty() {
                tr.t("dash-outcome-open")
            } else {
                d.route_lists()
                    .outcomes
                    .iter()
                    .find(|o| o.code == code)
                    .map_or(code.to_string(), |o| pick(&o.label, &o.label_en))
            }
        }
        "band" => {
            let (instrument, band) = code.split_once('/').unwrap_or((code, ""));
            state
                .guides()
                .instrument(instrument)
                .and_then(|i| {
                    i.bands
                        .iter()
                        .find(|b| b.id == band)
                        .map(|b| b.label.clone())
                })
                .unwrap_or_else(|| code.to_string())
        }
        "audience" => d
            .activity_lists()
            .audience(code)
            .map_or(code.to_string(), |a| pick(&a.label, &a.label_en)),
        "kind" => d
            .activity_lists()
            .kind(code)
            .map_or(code.to_string(), |k| pick(&k.label, &k.label_en)),
        "theme" => d
            .signal_lists()
            .theme(code)
            .map_or(code.to_string(), |t| pick(&t.label, &t.label_en)),
        "state" => tr.t(&format!("sig-state-{code}")),
        "term" => tr.t(&format!("dash-term-{code}")),
        "month" => month_label(code, lang),
        _ => {
            let _ = table;
            code.to_string()
        }
    }
}

/// `2026-03` as "mrt 2026" (or "Mar 2026").
fn month_label(code: &str, lang: Lang) -> String {
    const NL: [&str; 12] = [
        "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
    ];
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let Some((year, month)) = code.split_once('-') else {
        return code.to_string();
    };
    let names = if lang == Lang::En { EN } else { NL };
    match month.parse::<usize>() {
        Ok(m @ 1..=12) => format!("{} {year}", names[m - 1]),
        _ => code.to_string(),
    }
}

/// Which dimensions a table's rows and columns are.
fn dimensions(id: &str) -> (&'static str, &'static str) {
    match id {
        "verwijzingen-reden" => ("area", "reason"),
        "verwijzingen-bron" => ("area", "source"),
        "verwijzingen-uitkomst" => ("area", "outcome"),
        "verwijzingen-termijn" => ("area", "term"),
        "verwijzingen-maand" => ("area", "month"),
        "mantelzorgtest" => ("area", "band"),
        "activiteiten-aanmeldingen" | "activiteiten-aanwezig" => ("audience", "kind"),
        "signalen" => ("theme", "state"),
        _ => ("", ""),
    }
}

fn view(state: &AppState, d: &Dashboard, lang: Lang, t: &Table, query: &str) -> TableView {
    let tr = Tr { lang };
    let (rd, cd) = dimensions(t.id);
    let diff = |now: Shown, before: Shown| {
        difference(now, before).map_or_else(|| "–".to_string(), |x| format!("{x:+}"))
    };
    TableView {
        id: t.id,
        caption: tr.t(&format!("dash-table-{}", t.id)),
        corner: tr.t(&format!("dash-dim-{rd}")),
        cols: t
            .cols
            .iter()
            .map(|c| label(state, d, lang, t.id, cd, c))
            .collect(),
        rows: t
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    label(state, d, lang, t.id, rd, r),
                    (0..t.cols.len()).map(|j| shown(t.now.cell(i, j))).collect(),
                    shown(t.now.row_totals[i]),
                    shown(t.before.row_totals[i]),
                    diff(t.now.row_totals[i], t.before.row_totals[i]),
                )
            })
            .collect(),
        totals: t.now.col_totals.iter().map(|s| shown(*s)).collect(),
        total: shown(t.now.total),
        total_before: shown(t.before.total),
        total_difference: diff(t.now.total, t.before.total),
        csv: format!("/werk/dashboard/{}.csv{query}", t.id),
    }
}

/// The durations per area as the page and the CSV show them.
pub struct TimingView {
    pub caption: String,
    pub head: Vec<String>,
    pub rows: Vec<(String, Vec<String>)>,
    pub csv: String,
}

/// A group of no referrals shows as one of fewer than the threshold: "–" would tell that it
/// is 0 (and so pin a "< 5" beside it, such as the referrals taken on in time).
fn duration_text(d: Durations, median: bool) -> String {
    match d {
        Durations::Empty | Durations::Small => "< 5".into(),
        Durations::Shown(s) => days_text(if median { s.median } else { s.p90 }),
    }
}

/// The share of late acknowledgements from the protected term table: only where both counts
/// are shown (a suppressed one stays unknown).
fn late_share(on_time: Shown, late: Shown) -> String {
    match (on_time, late) {
        (Shown::Value(a), Shown::Value(b)) if a + b > 0 => {
            format!("{} %", (b * 100 + (a + b) / 2) / (a + b))
        }
        (Shown::Value(0), Shown::Value(0)) => "–".into(),
        _ => "•".into(),
    }
}

fn timing_view(
    state: &AppState,
    d: &Dashboard,
    lang: Lang,
    f: &Figures,
    query: &str,
) -> TimingView {
    let tr = Tr { lang };
    let t = &f.timing;
    let term = f.tables.iter().find(|t| t.id == "verwijzingen-termijn");
    let head = [
        "dash-dim-area",
        "dash-ack-median",
        "dash-ack-p90",
        "dash-ack-median-before",
        "dash-close-median",
        "dash-close-p90",
        "dash-close-median-before",
        "dash-late-share",
    ]
    .iter()
    .map(|k| tr.t(k))
    .collect();
    let rows = t
        .rows
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let name = if code == ALL_AREAS {
                tr.t("dash-total")
            } else {
                label(state, d, lang, "", "area", code)
            };
            let share = term.map_or_else(
                || "–".to_string(),
                |term| {
                    let (a, b) = if i < term.rows.len() {
                        (term.now.cell(i, 0), term.now.cell(i, 1))
                    } else {
                        (term.now.col_totals[0], term.now.col_totals[1])
                    };
                    late_share(a, b)
                },
            );
            (
                name,
                vec![
                    duration_text(t.acknowledged[i], true),
                    duration_text(t.acknowledged[i], false),
                    duration_text(t.acknowledged_before[i], true),
                    duration_text(t.closed[i], true),
                    duration_text(t.closed[i], false),
                    duration_text(t.closed_before[i], true),
                    share,
                ],
            )
        })
        .collect();
    TimingView {
        caption: tr.t("dash-table-verwijzingen-doorlooptijd"),
        head,
        rows,
        csv: format!("/werk/dashboard/verwijzingen-doorlooptijd.csv{query}"),
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    l: Layout,
    from: String,
    to: String,
    before_from: String,
    before_to: String,
    tables: Vec<TableView>,
    timing: TimingView,
    chart: String,
    months_chart: String,
    /// The printable report: no form, no links.
    print: bool,
    /// `?van=…&tot=…` of the period shown.
    query: String,
    coverage_functions: Vec<String>,
    coverage_areas: Vec<String>,
    coverage: Vec<Vec<u64>>,
    services: u64,
    unchecked: u64,
    threshold: u64,
    f: Pairs,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

impl TypedForm for DashboardPage {
    fn typed(&self) -> &Pairs {
        &self.f
    }
    fn field_errors(&self) -> &[(String, String)] {
        &self.errors
    }
}

/// The period asked for (`van`, `tot`; default this year until today), with any mistakes.
fn period(d: &Dashboard, tr: Tr, q: &Pairs) -> (Period, Vec<(String, String)>) {
    let today = d.today();
    let (from, to, mut errors) = period_of(q, tr, today.first_of_year(), today);
    if from > to {
        errors.push((
            "tot".into(),
            format!(
                "{}: {}",
                tr.t("edit-field-tot"),
                tr.t("edit-problem-end-before-start")
            ),
        ));
        return (
            Period {
                from: today.first_of_year(),
                to: today,
            },
            errors,
        );
    }
    (Period { from, to }, errors)
}

async fn figures(
    state: &AppState,
    me: &SignedIn,
    q: &Pairs,
) -> Result<(Dashboard, Figures, Vec<(String, String)>), PageError> {
    let d = dashboard(state, me).await?;
    let lang = me.visitor.lang;
    let (p, errors) = period(&d, Tr { lang }, q);
    let f = d.figures(p).await.in_lang(lang)?;
    Ok((d, f, errors))
}

/// `/werk/dashboard?van=&tot=`.
pub async fn page(
    State(state): State<AppState>,
    me: SignedIn,
    q: Pairs,
) -> Result<Response, PageError> {
    show(&state, &me, q, false).await
}

/// `/werk/dashboard/rapport?van=&tot=`: the same figures as a printable report.
pub async fn report(
    State(state): State<AppState>,
    me: SignedIn,
    q: Pairs,
) -> Result<Response, PageError> {
    show(&state, &me, q, true).await
}

fn shown_value(s: Shown) -> Result<u64, &'static str> {
    match s {
        Shown::Value(v) => Ok(v),
        Shown::Small => Err("< 5"),
        Shown::Hidden => Err("•"),
    }
}

async fn show(
    state: &AppState,
    me: &SignedIn,
    q: Pairs,
    print: bool,
) -> Result<Response, PageError> {
    let (d, f, errors) = figures(state, me, &q).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let query = format!(
        "?van={}&tot={}",
        shown_date(f.period.from),
        shown_date(f.period.to)
    );
    let tables: Vec<TableView> = f
        .tables
        .iter()
        .map(|t| view(state, &d, lang, t, &query))
        .collect();
    // Referrals per area, this period and the one before: the same figures as the table.
    let first = &f.tables[0];
    let value = shown_value;
    let chart = bars(
        "grafiek-verwijzingen",
        &tr.t("dash-chart-title"),
        &format!(
            "{} {} – {} / {} – {}",
            tr.t("dash-chart-desc"),
            shown_date(f.period.from),
            shown_date(f.period.to),
            shown_date(f.previous.from),
            shown_date(f.previous.to)
        ),
        &tables[0]
            .rows
            .iter()
            .map(|r| r.0.clone())
            .collect::<Vec<_>>(),
        &[
            Series {
                name: tr.t("dash-this-period"),
                values: first.now.row_totals.iter().map(|s| value(*s)).collect(),
            },
            Series {
                name: tr.t("dash-previous-period"),
                values: first.before.row_totals.iter().map(|s| value(*s)).collect(),
            },
        ],
    );
    let months = f.tables.iter().find(|t| t.id == "verwijzingen-maand");
    let months_chart = months.map_or_else(String::new, |m| {
        lines(
            "grafiek-maanden",
            &tr.t("dash-months-title"),
            &format!(
                "{} {} – {} / {} – {}",
                tr.t("dash-months-desc"),
                shown_date(f.period.from),
                shown_date(f.period.to),
                shown_date(f.previous.from),
                shown_date(f.previous.to)
            ),
            &m.cols
                .iter()
                .map(|c| month_label(c, lang))
                .collect::<Vec<_>>(),
            &[
                Series {
                    name: tr.t("dash-this-period"),
                    values: m.now.col_totals.iter().map(|s| value(*s)).collect(),
                },
                Series {
                    name: tr.t("dash-previous-period"),
                    values: m.before.col_totals.iter().map(|s| value(*s)).collect(),
                },
            ],
        )
    });
    let timing = timing_view(state, &d, lang, &f, &query);
    let status = render::form_status(&errors);
    let page = DashboardPage {
        l: layout(state, me, tr.t("dash-title")),
        from: shown_date(f.period.from),
        to: shown_date(f.period.to),
        before_from: shown_date(f.previous.from),
        before_to: shown_date(f.previous.to),
        tables,
        timing,
        chart,
        months_chart,
        print,
        query: query.clone(),
        coverage_functions: f.coverage.functions.clone(),
        coverage_areas: f.coverage.areas.clone(),
        coverage: f.coverage.counts.clone(),
        services: f.coverage.services,
        unchecked: f.coverage.unchecked,
        threshold: f.threshold,
        f: q,
        errors,
        notice: None,
    };
    render::page(&page, status, lang)
}

/// `/werk/dashboard/{table}.csv`: one table for Dutch Excel (`;`, UTF-8 with BOM, dates as
/// dd-mm-jjjj), the same protected figures as the page.
pub async fn csv(
    State(state): State<AppState>,
    me: SignedIn,
    Path(file): Path<String>,
    q: Pairs,
) -> Result<Response, PageError> {
    let lang = me.visitor.lang;
    let Some(id) = file.strip_suffix(".csv") else {
        return Err(PageError::not_found(lang));
    };
    let (d, f, errors) = figures(&state, &me, &q).await?;
    if !errors.is_empty() {
        return Err(PageError::new(
            crate::error::AppError::bad("van", errors[0].1.clone()),
            lang,
        ));
    }
    let tr = Tr { lang };
    let period = format!(
        "{} – {}",
        shown_date(f.period.from),
        shown_date(f.period.to)
    );
    let mut records: Vec<Vec<String>> = Vec::new();
    if id == "verwijzingen-doorlooptijd" {
        let v = timing_view(&state, &d, lang, &f, "");
        records.push(vec![v.caption.clone(), period]);
        records.push(v.head.clone());
        for (label, cells) in v.rows {
            let mut row = vec![label];
            row.extend(cells);
            records.push(row);
        }
        return Ok(csv_file(id, &records));
    }
    let Some(t) = f.tables.iter().find(|t| t.id == id) else {
        return Err(PageError::not_found(lang));
    };
    let v = view(&state, &d, lang, t, "");
    records.push(vec![v.caption.clone(), period]);
    let mut head = vec![v.corner.clone()];
    head.extend(v.cols.iter().cloned());
    head.push(tr.t("dash-total"));
    head.push(tr.t("dash-previous-period"));
    head.push(tr.t("dash-difference"));
    records.push(head);
    for (label, cells, total, before, diff) in &v.rows {
        let mut row = vec![label.clone()];
        row.extend(cells.iter().cloned());
        row.extend([total.clone(), before.clone(), diff.clone()]);
        records.push(row);
    }
    let mut row = vec![tr.t("dash-total")];
    row.extend(v.totals.iter().cloned());
    row.extend([
        v.total.clone(),
        v.total_before.clone(),
        v.total_difference.clone(),
    ]);
    records.push(row);
    Ok(csv_file(id, &records))
}

/// A table for Dutch Excel: `;` between fields, UTF-8 with a BOM.
fn csv_file(id: &str, records: &[Vec<String>]) -> Response {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    for r in records {
        let _ = w.write_record(r);
    }
    let bytes = w.into_inner().unwrap_or_default();
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{id}.csv\""),
            ),
        ],
        bytes,
    )
        .into_response()
}
