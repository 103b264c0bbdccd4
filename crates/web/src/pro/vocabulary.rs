//! The steunpunt keeps the search's vocabulary in the browser: taxonomies and their terms (the
//! tags, facets and basic functions) and the word lists (synonyms, compound parts). Only a
//! redacteur in a whole-map team gets here (`Vocabulary`); handlers only translate.

use crate::error::PageError;
use crate::extract::SignedIn;
use crate::extract::params::Pairs;
use crate::i18n::Tr;
use crate::pro::admin::{form_of, granted, to, values_of};
use crate::pro::map_edit::{Field, editor, errors_of, field, layout};
use crate::render::{self, InLang};
use crate::state::AppState;
use crate::views::{Layout, TypedForm};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use kapstok_app::vocabulary::{ListProblem, ListSource, Vocabulary, WordListKind};
use kapstok_domain::audit::RecordKind;
use kapstok_domain::vocabulary::{
    CODE_MAX, DESCRIPTION_MAX, NAME_MAX, taxonomy_values, term_values,
};

async fn vocabulary(state: &AppState, me: &SignedIn) -> Result<Vocabulary, PageError> {
    let capability = editor(state, me).await?.vocabulary();
    granted(state, me, capability, RecordKind::SocialMap).await
}

fn notice(tr: Tr, q: &Pairs) -> Option<String> {
    match q.get("klaar") {
        Some("opgeslagen") => Some(tr.t("vocab-done-saved")),
        Some("ongewijzigd") => Some(tr.t("edit-done-unchanged")),
        Some("standaard") => Some(tr.t("vocab-done-reset")),
        _ => None,
    }
}

pub struct TermRow {
    pub name: String,
    pub code: String,
    pub used: usize,
    pub href: String,
}

pub struct TaxonomyBlock {
    pub id: String,
    pub name: String,
    pub description: String,
    pub facet: Option<String>,
    pub terms: Vec<TermRow>,
}

#[derive(Template)]
#[template(path = "map_vocabulary.html")]
struct VocabularyPage {
    l: Layout,
    taxonomies: Vec<TaxonomyBlock>,
    notice: Option<String>,
}

/// `/werk/kaart/indelingen`: every taxonomy with its terms.
pub async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    query: Pairs,
) -> Result<Response, PageError> {
    let v = vocabulary(&state, &me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let taxonomies = v
        .taxonomies()
        .await
        .in_lang(lang)?
        .into_iter()
        .map(|line| TaxonomyBlock {
            terms: line
                .terms
                .into_iter()
                .map(|(t, used)| TermRow {
                    href: format!(
                        "/werk/kaart/indelingen/{}/termen/{}",
                        line.taxonomy.id, t.id
                    ),
                    name: t.name,
                    code: t.code.unwrap_or_default(),
                    used,
                })
                .collect(),
            id: line.taxonomy.id.to_string(),
            name: line.taxonomy.name,
            description: line.taxonomy.description,
            facet: line.taxonomy.kapstok_facet,
        })
        .collect();
    let page = VocabularyPage {
        l: layout(&state, &me, tr.t("vocab-title")),
        taxonomies,
        notice: notice(tr, &query),
    };
    render::ok(&page, lang)
}

#[derive(Template)]
#[template(path = "map_vocab_form.html")]
struct VocabForm {
    l: Layout,
    csrf: String,
    action: String,
    /// The taxonomy's name (for a term) or none (the taxonomy's own form).
    within: Option<String>,
    intro: String,
    fields: Vec<Field>,
    f: Pairs,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

impl TypedForm for VocabForm {
    fn typed(&self) -> &Pairs {
        &self.f
    }
    fn field_errors(&self) -> &[(String, String)] {
        &self.errors
    }
}

fn taxonomy_fields(tr: Tr) -> Vec<Field> {
    vec![
        field(tr, "name", "text", NAME_MAX),
        field(tr, "description", "textarea", DESCRIPTION_MAX),
    ]
}

fn term_fields(tr: Tr) -> Vec<Field> {
    vec![
        field(tr, "name", "text", NAME_MAX),
        field(tr, "code", "text", CODE_MAX),
        field(tr, "description", "textarea", DESCRIPTION_MAX),
        field(tr, "order", "text", 6),
    ]
}

#[allow(clippy::too_many_arguments)]
fn render_form(
    state: &AppState,
    me: &SignedIn,
    title: String,
    action: String,
    within: Option<String>,
    intro: String,
    fields: Vec<Field>,
    f: Pairs,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let status = render::form_status(&errors);
    let page = VocabForm {
        l: layout(state, me, title),
        csrf: me.csrf.clone(),
        action,
        within,
        intro,
        fields,
        f,
        errors,
        notice,
    };
    render::page(&page, status, me.visitor.lang)
}

/// `/werk/kaart/indelingen/{taxonomy}`: its name and description.
pub async fn taxonomy_form(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    query: Pairs,
) -> Result<Response, PageError> {
    let v = vocabulary(&state, &me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let Some(line) = v.taxonomy(&id).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    render_form(
        &state,
        &me,
        line.taxonomy.name.clone(),
        format!("/werk/kaart/indelingen/{id}"),
        None,
        tr.t("vocab-taxonomy-intro"),
        taxonomy_fields(tr),
        Pairs(taxonomy_values(&line.taxonomy)),
        Vec::new(),
        notice(tr, &query),
    )
}

pub async fn taxonomy_save(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let v = vocabulary(&state, &me).await?;
    let form = form_of(&body);
    me.check_form(&form)?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let typed = values_of(&form);
    match v.save_taxonomy(&id, &typed).await.in_lang(lang)? {
        None => Err(PageError::not_found(lang)),
        Some(Ok(changed)) => Ok(to(&format!(
            "/werk/kaart/indelingen?klaar={}",
            if changed { "opgeslagen" } else { "ongewijzigd" }
        ))),
        Some(Err(problems)) => {
            let Some(line) = v.taxonomy(&id).await.in_lang(lang)? else {
                return Err(PageError::not_found(lang));
            };
            render_form(
                &state,
                &me,
                line.taxonomy.name.clone(),
                format!("/werk/kaart/indelingen/{id}"),
                None,
                tr.t("vocab-taxonomy-intro"),
                taxonomy_fields(tr),
                Pairs(typed),
                errors_of(tr, &problems),
                None,
            )
        }
    }
}

/// `/werk/kaart/indelingen/{taxonomy}/nieuw` and `…/termen/{term}`: a term's form.
async fn show_term(
    state: &AppState,
    me: &SignedIn,
    taxonomy: &str,
    term: Option<&str>,
    typed: Option<Vec<(String, String)>>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let v = vocabulary(state, me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let Some(line) = v.taxonomy(taxonomy).await.in_lang(lang)? else {
        return Err(PageError::not_found(lang));
    };
    let (title, action, stored) = match term {
        Some(id) => {
            let Some((t, _)) = line.terms.iter().find(|(t, _)| t.id == id) else {
                return Err(PageError::not_found(lang));
            };
            (
                t.name.clone(),
                format!("/werk/kaart/indelingen/{taxonomy}/termen/{id}"),
                term_values(t),
            )
        }
        None => (
            tr.t("vocab-new-term"),
            format!("/werk/kaart/indelingen/{taxonomy}/nieuw"),
            Vec::new(),
        ),
    };
    render_form(
        state,
        me,
        title,
        action,
        Some(line.taxonomy.name.clone()),
        tr.t("vocab-term-intro"),
        term_fields(tr),
        Pairs(typed.unwrap_or(stored)),
        errors,
        notice,
    )
}

async fn save_term(
    state: &AppState,
    me: &SignedIn,
    taxonomy: &str,
    term: Option<&str>,
    body: &Bytes,
) -> Result<Response, PageError> {
    let v = vocabulary(state, me).await?;
    let form = form_of(body);
    me.check_form(&form)?;
    let lang = me.visitor.lang;
    let typed = values_of(&form);
    match v.save_term(taxonomy, term, &typed).await.in_lang(lang)? {
        None => Err(PageError::not_found(lang)),
        Some(Ok(_)) => Ok(to("/werk/kaart/indelingen?klaar=opgeslagen")),
        Some(Err(problems)) => {
            let errors = errors_of(Tr { lang }, &problems);
            show_term(state, me, taxonomy, term, Some(typed), errors, None).await
        }
    }
}

pub async fn new_term_form(
    State(state): State<AppState>,
    me: SignedIn,
    Path(taxonomy): Path<String>,
) -> Result<Response, PageError> {
    show_term(&state, &me, &taxonomy, None, None, Vec::new(), None).await
}

pub async fn new_term_save(
    State(state): State<AppState>,
    me: SignedIn,
    Path(taxonomy): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    save_term(&state, &me, &taxonomy, None, &body).await
}

pub async fn term_form(
    State(state): State<AppState>,
    me: SignedIn,
    Path((taxonomy, term)): Path<(String, String)>,
) -> Result<Response, PageError> {
    show_term(&state, &me, &taxonomy, Some(&term), None, Vec::new(), None).await
}

pub async fn term_save(
    State(state): State<AppState>,
    me: SignedIn,
    Path((taxonomy, term)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    save_term(&state, &me, &taxonomy, Some(&term), &body).await
}

/// A word list's place in addresses.
fn kind_of(slug: &str) -> Option<WordListKind> {
    match slug {
        "synoniemen" => Some(WordListKind::Synonyms),
        "samenstellingen" => Some(WordListKind::Compounds),
        _ => None,
    }
}

fn slug_of(kind: WordListKind) -> &'static str {
    match kind {
        WordListKind::Synonyms => "synoniemen",
        WordListKind::Compounds => "samenstellingen",
    }
}

pub struct ListBlock {
    pub slug: &'static str,
    pub title: String,
    pub help: String,
    pub text: String,
    pub source: String,
    pub own: bool,
    pub errors: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "map_words.html")]
struct WordsPage {
    l: Layout,
    csrf: String,
    lists: Vec<ListBlock>,
    /// All lists' problems, for the summary.
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

fn list_problem_text(tr: Tr, p: &ListProblem) -> String {
    match p {
        ListProblem::Empty => tr.t("vocab-problem-empty"),
        ListProblem::TooLong => format!(
            "{} {}",
            tr.t("vocab-problem-too-long"),
            kapstok_app::vocabulary::WORD_LIST_MAX_CHARS
        ),
        ListProblem::TooManyLines => format!(
            "{} {}",
            tr.t("vocab-problem-too-many-lines"),
            kapstok_app::vocabulary::WORD_LIST_MAX_LINES
        ),
        ListProblem::OnePhrase(n) => format!(
            "{} {n}: {}",
            tr.t("vocab-line"),
            tr.t("vocab-problem-one-phrase")
        ),
        ListProblem::NotOneWord(n) => format!(
            "{} {n}: {}",
            tr.t("vocab-line"),
            tr.t("vocab-problem-one-word")
        ),
    }
}

/// The word-list page; `typed`: a list sent with mistakes (kept as typed, with its problems).
async fn show_words(
    state: &AppState,
    me: &SignedIn,
    typed: Option<(WordListKind, String, Vec<ListProblem>)>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let v = vocabulary(state, me).await?;
    let lang = me.visitor.lang;
    let tr = Tr { lang };
    let mut all_errors = Vec::new();
    let lists: Vec<ListBlock> = v
        .word_lists()
        .await
        .in_lang(lang)?
        .into_iter()
        .map(|l| {
            let slug = slug_of(l.kind);
            let (text, errors) = match &typed {
                Some((kind, text, problems)) if *kind == l.kind => (
                    text.clone(),
                    problems
                        .iter()
                        .map(|p| (format!("lijst-{slug}"), list_problem_text(tr, p)))
                        .collect(),
                ),
                _ => (l.text, Vec::new()),
            };
            all_errors.extend(errors.iter().cloned());
            let (source, own) = match l.source {
                ListSource::Configured => (tr.t("vocab-source-configured"), false),
                ListSource::Own { at, by } => (
                    format!(
                        "{} {} {}",
                        tr.t("vocab-source-own"),
                        kapstok_domain::calendar::local(&at),
                        by.map(|b| format!("({b})")).unwrap_or_default()
                    )
                    .trim()
                    .to_string(),
                    true,
                ),
            };
            ListBlock {
                slug,
                title: tr.t(&format!("vocab-{slug}-title")),
                help: tr.t(&format!("vocab-{slug}-help")),
                text,
                source,
                own,
                errors,
            }
        })
        .collect();
    let status = render::form_status(&all_errors);
    let page = WordsPage {
        l: layout(state, me, tr.t("vocab-words-title")),
        csrf: me.csrf.clone(),
        lists,
        errors: all_errors,
        notice,
    };
    render::page(&page, status, lang)
}

/// `/werk/kaart/zoekwoorden`: the synonym list and the compound parts.
pub async fn words(
    State(state): State<AppState>,
    me: SignedIn,
    query: Pairs,
) -> Result<Response, PageError> {
    let tr = Tr {
        lang: me.visitor.lang,
    };
    show_words(&state, &me, None, notice(tr, &query)).await
}

pub async fn words_save(
    State(state): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let v = vocabulary(&state, &me).await?;
    let lang = me.visitor.lang;
    let Some(kind) = kind_of(&slug) else {
        return Err(PageError::not_found(lang));
    };
    let form = form_of(&body);
    me.check_form(&form)?;
    let text = form.get("list").unwrap_or_default().to_string();
    match v.save_word_list(kind, &text).await.in_lang(lang)? {
        Ok(true) => Ok(to("/werk/kaart/zoekwoorden?klaar=opgeslagen")),
        Ok(false) => Ok(to("/werk/kaart/zoekwoorden?klaar=ongewijzigd")),
        Err(problems) => show_words(&state, &me, Some((kind, text, problems)), None).await,
    }
}

pub async fn words_reset(
    State(state): State<AppState>,
    me: SignedIn,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let v = vocabulary(&state, &me).await?;
    let lang = me.visitor.lang;
    let Some(kind) = kind_of(&slug) else {
        return Err(PageError::not_found(lang));
    };
    let form = form_of(&body);
    me.check_form(&form)?;
    let reset = v.reset_word_list(kind).await.in_lang(lang)?;
    Ok(to(&format!(
        "/werk/kaart/zoekwoorden?klaar={}",
        if reset { "standaard" } else { "ongewijzigd" }
    )))
}
