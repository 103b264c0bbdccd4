//! The Respijtzorgwijzer: one question per page, answers carried in the URL (no session, works
//! without JavaScript, bookmarkable), a result with offers, funding routes and next steps.

use crate::error::{AppError, PageError};
use crate::extract::Visitor;
use crate::extract::params::{Pairs, query_string};
use crate::i18n::Tr;
use crate::render;
use crate::state::{AppState, Catalog};
use crate::views::Layout;
use crate::views::ResultItem;
use crate::views::{locate_postcode, nearby};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::HOST;
use axum::http::request::Parts;
use axum::response::Response;
use kapstok_domain::geo::GeoPoint;
use kapstok_domain::respite::{
    Answers, OfferFacts, OpenRoute, Question, QuestionKind, RespiteGuide,
};
use std::collections::HashSet;

/// Answers read from the query string: only known questions, in guide order.
fn read_answers(guide: &RespiteGuide, pairs: &Pairs) -> Answers {
    guide
        .questions
        .iter()
        .filter_map(|q| {
            pairs
                .get(&q.id)
                .map(|v| (q.id.clone(), v.chars().take(40).collect()))
        })
        .collect()
}

/// The answers as query pairs, in question order, leaving one out if asked.
fn answer_pairs<'a>(
    guide: &'a RespiteGuide,
    answers: &'a Answers,
    except: Option<&str>,
) -> Vec<(&'a str, &'a str)> {
    guide
        .questions
        .iter()
        .filter(|q| Some(q.id.as_str()) != except)
        .filter_map(|q| answers.get(&q.id).map(|a| (q.id.as_str(), a.as_str())))
        .collect()
}

fn question_href(guide: &RespiteGuide, answers: &Answers, step: usize) -> String {
    let step = step.to_string();
    let mut pairs = vec![("stap", step.as_str())];
    pairs.extend(answer_pairs(guide, answers, None));
    format!("/respijtwijzer/vraag{}", query_string(pairs))
}

pub struct UrgentBox {
    pub title: String,
    pub text: String,
    pub contacts: Vec<ResultItem>,
}

fn urgent_box(
    guide: &RespiteGuide,
    answers: &Answers,
    catalog: &Catalog,
    near: Option<GeoPoint>,
    tr: Tr,
) -> Option<UrgentBox> {
    guide.is_urgent(answers).then(|| UrgentBox {
        title: guide.urgent.title.clone(),
        text: guide.urgent.text.clone(),
        contacts: nearby(
            catalog,
            guide
                .urgent
                .filters
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            near,
            5,
            tr,
        ),
    })
}

#[derive(Template)]
#[template(path = "respite_start.html")]
struct StartPage {
    l: Layout,
    title: String,
    intro: String,
    count: usize,
}

pub async fn start(State(state): State<AppState>, visitor: Visitor) -> Result<Response, PageError> {
    let g = &state.guides().respite;
    let page = StartPage {
        l: Layout::new(&visitor, g.title.clone(), state.catalog().demo),
        title: g.title.clone(),
        intro: g.intro.clone(),
        count: g.questions.len(),
    };
    render::ok(&page, visitor.lang)
}

pub struct Hidden {
    pub name: String,
    pub value: String,
}

pub struct OptionView {
    pub id: String,
    pub label: String,
    pub checked: bool,
    pub input_id: String,
}

#[derive(Template)]
#[template(path = "respite_question.html")]
struct QuestionPage {
    l: Layout,
    guide_title: String,
    step: usize,
    steps: usize,
    question: Question,
    is_postcode: bool,
    options: Vec<OptionView>,
    value: String,
    hidden: Vec<Hidden>,
    next_step: String,
    action: String,
    back: String,
    error: Option<String>,
    urgent: Option<UrgentBox>,
}

fn render_question(
    state: &AppState,
    visitor: &Visitor,
    answers: &Answers,
    step: usize,
    error: Option<String>,
) -> Result<Response, PageError> {
    let g = &state.guides().respite;
    let catalog = state.catalog();
    let tr = Tr { lang: visitor.lang };
    let question = g.questions[step - 1].clone();
    let current = answers.get(&question.id).cloned().unwrap_or_default();
    let last = step == g.questions.len();
    let page = QuestionPage {
        l: Layout::new(
            visitor,
            format!("{} – {} {step}", g.title, tr.t("respite-question")),
            catalog.demo,
        ),
        guide_title: g.title.clone(),
        step,
        steps: g.questions.len(),
        is_postcode: question.kind == QuestionKind::Postcode,
        options: question
            .options
            .iter()
            .map(|o| OptionView {
                id: o.id.clone(),
                label: o.label.clone(),
                checked: o.id == current,
                input_id: format!("{}-{}", question.id, o.id),
            })
            .collect(),
        value: current.clone(),
        hidden: answer_pairs(g, answers, Some(&question.id))
            .into_iter()
            .map(|(k, v)| Hidden {
                name: k.into(),
                value: v.into(),
            })
            .collect(),
        next_step: (step + 1).to_string(),
        action: if last {
            "/respijtwijzer/resultaat".into()
        } else {
            "/respijtwijzer/vraag".into()
        },
        back: if step > 1 {
            question_href(g, answers, step - 1)
        } else {
            "/respijtwijzer".into()
        },
        urgent: if step > 1 {
            urgent_box(g, answers, &catalog, None, tr)
        } else {
            None
        },
        error: error.clone(),
        question,
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    render::page(&page, status, visitor.lang)
}

/// The first required question without a (valid) answer, as a 1-based step, and why.
fn first_problem(
    g: &RespiteGuide,
    answers: &Answers,
    upto: usize,
    tr: Tr,
) -> Option<(usize, String)> {
    let invalid: HashSet<&str> = g
        .invalid_answers(answers)
        .iter()
        .map(|q| q.id.as_str())
        .collect();
    g.questions
        .iter()
        .take(upto)
        .enumerate()
        .find_map(|(i, q)| {
            if invalid.contains(q.id.as_str()) {
                Some((i + 1, tr.t("respite-invalid")))
            } else if q.kind == QuestionKind::Choice && !q.optional && !answers.contains_key(&q.id)
            {
                Some((i + 1, tr.t("respite-choose")))
            } else {
                None
            }
        })
}

pub async fn question(
    State(state): State<AppState>,
    visitor: Visitor,
    pairs: Pairs,
) -> Result<Response, PageError> {
    let g = &state.guides().respite;
    let tr = Tr { lang: visitor.lang };
    let answers = read_answers(g, &pairs);
    let step = match pairs.get("stap") {
        None => 1,
        Some(s) => match s.parse::<usize>() {
            Ok(n @ 1..=100) => n.min(g.questions.len()),
            _ => {
                return Err(PageError::new(
                    AppError::bad("stap", tr.t("respite-invalid-step")),
                    visitor.lang,
                ));
            }
        },
    };
    // Every earlier question must be answered; the last one asked is shown again with the reason.
    if let Some((at, why)) = first_problem(g, &answers, step - 1, tr) {
        return render_question(&state, &visitor, &answers, at, Some(why));
    }
    render_question(&state, &visitor, &answers, step, None)
}

pub struct RouteView {
    pub label: String,
    pub explanation: String,
    pub next_step: String,
}

impl From<&OpenRoute<'_>> for RouteView {
    fn from(o: &OpenRoute<'_>) -> Self {
        RouteView {
            label: o.route.label.clone(),
            explanation: o.route.explanation.clone(),
            next_step: o.next_step.to_string(),
        }
    }
}

pub struct OfferView {
    pub item: ResultItem,
    pub routes: Vec<RouteView>,
}

pub struct OfferGroup {
    pub kind: String,
    pub chosen: bool,
    pub offers: Vec<OfferView>,
}

pub struct SummaryLine {
    pub question: String,
    pub answer: String,
    pub change: String,
}

#[derive(Template)]
#[template(path = "respite_result.html")]
struct ResultPage {
    l: Layout,
    guide_title: String,
    urgent: Option<UrgentBox>,
    summary: Vec<SummaryLine>,
    routes: Vec<RouteView>,
    groups: Vec<OfferGroup>,
    mail_href: String,
    near: Option<String>,
}

/// Offers of one respite kind that fit the situation, each with the routes open to it. Which
/// offers fit is the guide's rule (`RespiteGuide::routes_for_offer`); this reads the facts.
fn offers_of_kind(
    state: &AppState,
    catalog: &Catalog,
    answers: &Answers,
    kind: &str,
    near: Option<GeoPoint>,
    limit: usize,
    tr: Tr,
) -> Vec<OfferView> {
    let g = &state.guides().respite;
    let m = &g.matching;
    let result = catalog.index.search(&kapstok_search::SearchQuery {
        filters: vec![
            (m.function_facet.clone(), vec![m.function.clone()]),
            (m.break_facet.clone(), vec![kind.into()]),
        ],
        near,
        limit: 200,
        ..Default::default()
    });
    let codes = |doc, facet: &str| -> Vec<&str> {
        catalog
            .index
            .facet_values_of(doc, facet)
            .map(|(code, _)| code.as_str())
            .collect()
    };
    result
        .hits
        .iter()
        .filter_map(|h| {
            // Age limits are in the record; the index has the facets only.
            let (minimum_age, maximum_age) = catalog
                .ages
                .get(h.doc.id())
                .copied()
                .unwrap_or((None, None));
            let facts = OfferFacts {
                conditions: codes(h.doc, &m.condition_facet),
                funding: codes(h.doc, &m.funding_facet),
                minimum_age,
                maximum_age,
            };
            let routes: Vec<RouteView> = g
                .routes_for_offer(answers, &facts)
                .iter()
                .map(RouteView::from)
                .collect();
            (!routes.is_empty()).then(|| OfferView {
                item: ResultItem::from_hit(h, catalog, tr),
                routes,
            })
        })
        .take(limit)
        .collect()
}

pub async fn result(
    State(state): State<AppState>,
    visitor: Visitor,
    parts: Parts,
    pairs: Pairs,
) -> Result<Response, PageError> {
    let g = &state.guides().respite;
    let tr = Tr { lang: visitor.lang };
    let catalog = state.catalog();
    let answers = read_answers(g, &pairs);
    if let Some((at, why)) = first_problem(g, &answers, g.questions.len(), tr) {
        return render_question(&state, &visitor, &answers, at, Some(why));
    }
    let near = match g
        .questions
        .iter()
        .find(|q| q.kind == QuestionKind::Postcode)
    {
        Some(pq) => {
            match locate_postcode(answers.get(&pq.id).map_or("", String::as_str), &catalog, tr) {
                Ok(found) => found,
                Err(message) => {
                    let step = g.questions.iter().position(|q| q.id == pq.id).unwrap_or(0) + 1;
                    return render_question(&state, &visitor, &answers, step, Some(message));
                }
            }
        }
        None => None,
    };
    let summary = g
        .questions
        .iter()
        .enumerate()
        .filter_map(|(i, q)| {
            let a = answers.get(&q.id)?;
            let answer = q
                .options
                .iter()
                .find(|o| &o.id == a)
                .map_or_else(|| a.clone(), |o| o.label.clone());
            Some(SummaryLine {
                question: q.text.clone(),
                answer,
                change: question_href(g, &answers, i + 1),
            })
        })
        .collect();
    let routes = g
        .open_routes(&answers)
        .iter()
        .map(RouteView::from)
        .collect();
    let chosen = g.chosen_break(&answers).unwrap_or_default().to_string();
    let kinds: Vec<(String, String)> = catalog
        .index
        .facets()
        .iter()
        .find(|f| f.key == g.matching.break_facet)
        .map(|f| f.values.clone())
        .unwrap_or_default();
    let mut groups: Vec<OfferGroup> = Vec::new();
    for (code, label) in kinds
        .iter()
        .filter(|(c, _)| *c == chosen)
        .chain(kinds.iter().filter(|(c, _)| *c != chosen))
    {
        let is_chosen = *code == chosen;
        let offers = offers_of_kind(
            &state,
            &catalog,
            &answers,
            code,
            near.as_ref().map(|(_, p)| *p),
            if is_chosen { 10 } else { 3 },
            tr,
        );
        if is_chosen || !offers.is_empty() {
            groups.push(OfferGroup {
                kind: label.clone(),
                chosen: is_chosen,
                offers,
            });
        }
    }
    // The site's configured public address; without one, the host the visitor used (only a
    // well-formed host name and port).
    let origin = match state.web.trusted_origins.first() {
        Some(o) => o.trim_end_matches('/').to_string(),
        None => {
            let host = parts
                .headers
                .get(HOST)
                .and_then(|h| h.to_str().ok())
                .filter(|h| {
                    h.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
                })
                .unwrap_or("localhost");
            format!("http://{host}")
        }
    };
    let link = format!("{origin}{}", visitor.path_and_query);
    // Mail programs show "+" literally; spaces go as %20 (a real "+" is already %2B).
    let mail_href = format!(
        "mailto:{}",
        query_string([("subject", g.title.as_str()), ("body", link.as_str())]).replace('+', "%20")
    );
    let page = ResultPage {
        l: Layout::new(
            &visitor,
            format!("{} – {}", g.title, tr.t("respite-result")),
            catalog.demo,
        ),
        guide_title: g.title.clone(),
        urgent: urgent_box(g, &answers, &catalog, near.as_ref().map(|(_, p)| *p), tr),
        summary,
        routes,
        groups,
        mail_href,
        near: near.as_ref().map(|(pc, _)| pc.display()),
    };
    render::ok(&page, visitor.lang)
}
