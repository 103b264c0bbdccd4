//! The Mantelzorgtest: a self-check from an instrument file. Answers are sent by POST, scored,
//! shown and forgotten; only an anonymous tally (instrument, band, area, month) is kept.

use crate::error::{AppError, PageError};
use crate::extract::Visitor;
use crate::extract::params::Pairs;
use crate::i18n::Tr;
use crate::render::{self, InLang};
use crate::state::AppState;
use crate::views::Layout;
use crate::views::ResultItem;
use crate::views::{locate_postcode, nearby};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use kapstok_domain::instrument::{Band, Instrument};

#[derive(Template)]
#[template(path = "selfcheck_list.html")]
struct ListPage {
    l: Layout,
    instruments: Vec<Instrument>,
}

pub async fn list(State(state): State<AppState>, visitor: Visitor) -> Result<Response, PageError> {
    let tr = Tr { lang: visitor.lang };
    let page = ListPage {
        l: Layout::new(&visitor, tr.t("selfcheck-title"), state.catalog().demo),
        instruments: state.guides().instruments.clone(),
    };
    render::ok(&page, visitor.lang)
}

pub struct ItemView {
    pub number: usize,
    pub text: String,
    pub options: Vec<(usize, String, bool)>,
    pub missing: bool,
}

#[derive(Template)]
#[template(path = "selfcheck_form.html")]
struct FormPage {
    l: Layout,
    i: Instrument,
    items: Vec<ItemView>,
    postcode: String,
    errors: Vec<(String, String)>,
}

fn instrument<'a>(
    state: &'a AppState,
    id: &str,
    visitor: &Visitor,
) -> Result<&'a Instrument, PageError> {
    state
        .guides()
        .instrument(id)
        .ok_or(PageError::not_found(visitor.lang))
}

fn render_form(
    visitor: &Visitor,
    demo: bool,
    i: &Instrument,
    answers: &[Option<usize>],
    postcode: &str,
    errors: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let missing: Vec<String> = errors.iter().map(|(f, _)| f.clone()).collect();
    let items = i
        .items
        .iter()
        .enumerate()
        .map(|(n, item)| ItemView {
            number: n + 1,
            text: item.text.clone(),
            options: item
                .options
                .iter()
                .enumerate()
                .map(|(k, o)| {
                    (
                        k,
                        o.label.clone(),
                        answers.get(n).copied().flatten() == Some(k),
                    )
                })
                .collect(),
            missing: missing.contains(&format!("v{n}-0")),
        })
        .collect();
    let status = render::form_status(&errors);
    let page = FormPage {
        l: Layout::new(visitor, i.title.clone(), demo),
        i: i.clone(),
        items,
        postcode: postcode.into(),
        errors,
    };
    render::page(&page, status, visitor.lang)
}

pub async fn form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let i = instrument(&state, &id, &visitor)?;
    render_form(&visitor, state.catalog().demo, i, &[], "", Vec::new())
}

pub struct HelpGroup {
    pub label: String,
    pub href: String,
    pub offers: Vec<ResultItem>,
}

#[derive(Template)]
#[template(path = "selfcheck_result.html")]
struct ResultPage {
    l: Layout,
    i: Instrument,
    band: Band,
    help: Vec<HelpGroup>,
}

pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let tr = Tr { lang: visitor.lang };
    let i = instrument(&state, &id, &visitor)?;
    let catalog = state.catalog();
    let form = Pairs::parse(&String::from_utf8_lossy(&body));
    let answers: Vec<Option<usize>> = (0..i.items.len())
        .map(|n| {
            form.get(&format!("v{n}"))
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|&k| k < i.items[n].options.len())
        })
        .collect();
    let postcode = form
        .get("postcode")
        .unwrap_or("")
        .chars()
        .take(20)
        .collect::<String>();
    let mut errors: Vec<(String, String)> = answers
        .iter()
        .enumerate()
        .filter(|(_, a)| a.is_none())
        .map(|(n, _)| {
            (
                format!("v{n}-0"),
                format!(
                    "{} {}: {}",
                    tr.t("selfcheck-question"),
                    n + 1,
                    tr.t("selfcheck-missing")
                ),
            )
        })
        .collect();
    let located = match locate_postcode(&postcode, &catalog, tr) {
        Ok(found) => found,
        Err(message) => {
            errors.push(("postcode".into(), message));
            None
        }
    };
    if !errors.is_empty() {
        return render_form(&visitor, catalog.demo, i, &answers, &postcode, errors);
    }
    let (_, band) = i
        .score(&answers)
        .map_err(|e| PageError::new(AppError::bad("antwoorden", e.to_string()), visitor.lang))?;
    let area = located
        .as_ref()
        .and_then(|(pc, _)| catalog.geo.area_of(pc))
        .map(|a| a.code.as_str());
    state
        .self_check_counter()
        .count(&i.id, &band.id, area)
        .await
        .in_lang(visitor.lang)?;
    let near = located.map(|(_, p)| p);
    let help = band
        .help_links()
        .filter_map(|(key, code)| {
            let facet = catalog.index.facets().iter().find(|f| f.key == key)?;
            let label = facet.values.iter().find(|(c, _)| c == code)?.1.clone();
            let offers = nearby(
                &catalog,
                vec![(key.to_string(), vec![code.to_string()])],
                near,
                3,
                tr,
            );
            Some(HelpGroup {
                label,
                href: format!(
                    "/zoeken{}",
                    crate::extract::params::query_string([(key, code)])
                ),
                offers,
            })
        })
        .collect();
    let page = ResultPage {
        l: Layout::new(&visitor, band.label.clone(), catalog.demo),
        i: i.clone(),
        band: band.clone(),
        help,
    };
    render::ok(&page, visitor.lang)
}
