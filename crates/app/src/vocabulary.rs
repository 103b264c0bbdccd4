//! The search's vocabulary, kept by the steunpunt in the browser: taxonomies and their terms
//! (the tags, facets and basic functions), and the word lists search reads (synonyms, compound
//! parts). Granted only to a whole-map editor ([`MapEditor::vocabulary`]). Every save writes the
//! access log and rebuilds the read model before it returns, so search, facets and pages use
//! the change on the next request; a word list set here replaces the built-in (or configured)
//! one until it is reset.

use crate::AppResult;
use crate::editing::MapEditor;
use kapstok_domain::audit::{Action, NewEntry};
use kapstok_domain::editing::{Problems, Typed};
use kapstok_domain::model::{Taxonomy, TaxonomyTerm};
use kapstok_domain::vocabulary::{apply_taxonomy_form, apply_term_form};
use kapstok_search::text::Synonyms;
use kapstok_search::{SearchConfig, SearchQuery};
use kapstok_store::{Store, WordList};

pub use kapstok_store::WordListKind;

/// Characters a word list may hold (the built-in ones are under 3,000).
pub const WORD_LIST_MAX_CHARS: usize = 100_000;
/// Lines a word list may hold.
pub const WORD_LIST_MAX_LINES: usize = 5_000;

/// What is wrong with a word list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListProblem {
    /// Nothing but comments and empty lines (to go back to the standard list, reset it).
    Empty,
    TooLong,
    TooManyLines,
    /// A synonym line with fewer than two phrases (1-based line number).
    OnePhrase(usize),
    /// A compound part with a space or comma in it.
    NotOneWord(usize),
}

/// Where the list in use comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListSource {
    /// Built in, or the file given at start (`--synonyms`, `--compounds`).
    Configured,
    /// Set in the browser, at this time by this person (their name now, if the account exists).
    Own { at: String, by: Option<String> },
}

/// A word list as the page shows it.
#[derive(Debug, Clone)]
pub struct WordListView {
    pub kind: WordListKind,
    pub text: String,
    pub source: ListSource,
}

/// A taxonomy with its terms (by position, then name) and how many public services carry each.
#[derive(Debug, Clone)]
pub struct TaxonomyLine {
    pub taxonomy: Taxonomy,
    pub terms: Vec<(TaxonomyTerm, usize)>,
}

/// The capability to keep the vocabulary: the steunpunt's redacteuren.
pub struct Vocabulary {
    editor: MapEditor,
}

/// The read model's search configuration: `base` with the word lists set in the browser. A
/// stored list that no longer parses (not expected: it was checked when saved) is skipped.
pub(crate) async fn effective_config(
    store: &dyn Store,
    base: &SearchConfig,
) -> AppResult<SearchConfig> {
    let mut config = base.clone();
    for list in store.word_lists().await? {
        config = match list.kind {
            WordListKind::Synonyms => match config.clone().with_synonyms(&list.body) {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "the stored synonym list does not parse; using the configured one");
                    config
                }
            },
            WordListKind::Compounds => config.with_compounds(&list.body),
        };
    }
    Ok(config)
}

/// The problems of a word list (none: it can be saved).
pub fn check_word_list(kind: WordListKind, text: &str) -> Vec<ListProblem> {
    if text.chars().count() > WORD_LIST_MAX_CHARS {
        return vec![ListProblem::TooLong];
    }
    if text.lines().count() > WORD_LIST_MAX_LINES {
        return vec![ListProblem::TooManyLines];
    }
    let mut problems = Vec::new();
    if text
        .lines()
        .all(|l| l.split('#').next().unwrap_or("").trim().is_empty())
    {
        return vec![ListProblem::Empty];
    }
    for (n, line) in text.lines().enumerate() {
        let content = line.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        match kind {
            // The search's own parser decides, line by line.
            WordListKind::Synonyms => {
                if Synonyms::parse(content).is_err() {
                    problems.push(ListProblem::OnePhrase(n + 1));
                }
            }
            WordListKind::Compounds => {
                if content.contains(|c: char| c.is_whitespace() || c == ',') {
                    problems.push(ListProblem::NotOneWord(n + 1));
                }
            }
        }
    }
    problems
}

/// A new term's id: a random UUID, as HSDS ids are.
fn new_term_id() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// A list's text with Windows line ends made plain and a final line end.
fn tidy(text: &str) -> String {
    let mut t = text.replace("\r\n", "\n").replace('\r', "\n");
    if !t.ends_with('\n') {
        t.push('\n');
    }
    t
}

impl MapEditor {
    /// Keeping the vocabulary: whole-map editors only.
    pub fn vocabulary(&self) -> Option<Vocabulary> {
        self.publishes().then(|| Vocabulary {
            editor: self.clone(),
        })
    }
}

impl Vocabulary {
    fn entry(&self, action: Action, what: &str) -> NewEntry {
        self.editor
            .entry_about(action, what.chars().take(200).collect())
    }

    /// Every taxonomy (in its order) with its terms.
    pub async fn taxonomies(&self) -> AppResult<Vec<TaxonomyLine>> {
        let frame = self.editor.store.map_frame().await?;
        let catalog = self.editor.app.catalog();
        let mut taxonomies = frame.taxonomies;
        taxonomies.sort_by_key(|t| (t.kapstok_order.unwrap_or(i64::MAX), t.name.clone()));
        Ok(taxonomies
            .into_iter()
            .map(|taxonomy| {
                let mut terms: Vec<(TaxonomyTerm, usize)> = frame
                    .taxonomy_terms
                    .iter()
                    .filter(|t| t.taxonomy_id.as_deref() == Some(taxonomy.id.as_str()))
                    .map(|t| {
                        let used = catalog
                            .index
                            .search(&SearchQuery {
                                taxonomy_term_id: Some(t.id.to_string()),
                                limit: 0,
                                ..SearchQuery::default()
                            })
                            .total;
                        (t.clone(), used)
                    })
                    .collect();
                terms.sort_by_key(|(t, _)| (t.kapstok_order.unwrap_or(i64::MAX), t.name.clone()));
                TaxonomyLine { taxonomy, terms }
            })
            .collect())
    }

    /// One taxonomy with its terms.
    pub async fn taxonomy(&self, id: &str) -> AppResult<Option<TaxonomyLine>> {
        Ok(self
            .taxonomies()
            .await?
            .into_iter()
            .find(|t| t.taxonomy.id == id))
    }

    /// Saves a taxonomy's name and description: `Ok(true)` saved, `Ok(false)` nothing differed;
    /// `None`: no such taxonomy.
    pub async fn save_taxonomy(
        &self,
        id: &str,
        form: &[(String, String)],
    ) -> AppResult<Option<Result<bool, Problems>>> {
        let Some(line) = self.taxonomy(id).await? else {
            return Ok(None);
        };
        let after = match apply_taxonomy_form(&line.taxonomy, Typed(form)) {
            Ok(t) => t,
            Err(p) => return Ok(Some(Err(p))),
        };
        if after == line.taxonomy {
            return Ok(Some(Ok(false)));
        }
        let log = self.entry(Action::Change, &format!("taxonomy: {id}"));
        self.editor.store.save_taxonomy(&after, &log).await?;
        self.editor.app.refresh().await?;
        Ok(Some(Ok(true)))
    }

    /// Saves a term of `taxonomy_id` (`term_id` `None`: a new one); its id when saved. `None`:
    /// no such taxonomy or term.
    pub async fn save_term(
        &self,
        taxonomy_id: &str,
        term_id: Option<&str>,
        form: &[(String, String)],
    ) -> AppResult<Option<Result<String, Problems>>> {
        let Some(line) = self.taxonomy(taxonomy_id).await? else {
            return Ok(None);
        };
        let base = match term_id {
            Some(id) => match line.terms.iter().find(|(t, _)| t.id == id) {
                Some((t, _)) => Some(t.clone()),
                None => return Ok(None),
            },
            None => None,
        };
        let siblings: Vec<TaxonomyTerm> = line.terms.into_iter().map(|(t, _)| t).collect();
        let new_id = match &base {
            Some(b) => b.id.to_string(),
            None => new_term_id(),
        };
        let after =
            match apply_term_form(base.as_ref(), taxonomy_id, &new_id, Typed(form), &siblings) {
                Ok(t) => t,
                Err(p) => return Ok(Some(Err(p))),
            };
        if base.as_ref() == Some(&after) {
            return Ok(Some(Ok(after.id.to_string())));
        }
        let action = if base.is_some() {
            Action::Change
        } else {
            Action::Create
        };
        let log = self.entry(action, &format!("taxonomy_term: {}", after.id));
        self.editor.store.save_term(&after, &log).await?;
        self.editor.app.refresh().await?;
        Ok(Some(Ok(after.id.to_string())))
    }

    /// The two word lists in use.
    pub async fn word_lists(&self) -> AppResult<Vec<WordListView>> {
        let own = self.editor.store.word_lists().await?;
        let base = &self.editor.app.search_config;
        let mut out = Vec::new();
        for kind in WordListKind::ALL {
            out.push(match own.iter().find(|l| l.kind == kind) {
                Some(l) => {
                    let by = match &l.user_id {
                        Some(id) => self.editor.store.user(id).await?.map(|u| u.name),
                        None => None,
                    };
                    WordListView {
                        kind,
                        text: l.body.clone(),
                        source: ListSource::Own {
                            at: l.at.clone(),
                            by,
                        },
                    }
                }
                None => WordListView {
                    kind,
                    text: match kind {
                        WordListKind::Synonyms => base.synonyms_text.clone(),
                        WordListKind::Compounds => base.compounds_text.clone(),
                    },
                    source: ListSource::Configured,
                },
            });
        }
        Ok(out)
    }

    /// Sets a word list (search uses it on the next request): `Ok(false)` when it is the list
    /// in use already, the problems when it cannot be read (nothing saved).
    pub async fn save_word_list(
        &self,
        kind: WordListKind,
        text: &str,
    ) -> AppResult<Result<bool, Vec<ListProblem>>> {
        let text = tidy(text);
        let problems = check_word_list(kind, &text);
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        let current = self.word_lists().await?;
        if current
            .iter()
            .any(|l| l.kind == kind && tidy(&l.text) == text)
        {
            return Ok(Ok(false));
        }
        let list = WordList {
            kind,
            body: text,
            at: self.editor.now(),
            user_id: self.editor.actor.signed_in().map(|u| u.id.to_string()),
        };
        let log = self.entry(Action::Change, &format!("word_list: {}", kind.code()));
        self.editor
            .store
            .set_word_list(kind, Some(&list), &log)
            .await?;
        self.editor.app.refresh().await?;
        Ok(Ok(true))
    }

    /// Back to the built-in (or configured) list; `false` when none was set.
    pub async fn reset_word_list(&self, kind: WordListKind) -> AppResult<bool> {
        let own = self.editor.store.word_lists().await?;
        if !own.iter().any(|l| l.kind == kind) {
            return Ok(false);
        }
        let log = self.entry(
            Action::Change,
            &format!("word_list: {} (reset)", kind.code()),
        );
        self.editor.store.set_word_list(kind, None, &log).await?;
        self.editor.app.refresh().await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_checked_line_by_line() {
        assert!(
            check_word_list(
                WordListKind::Synonyms,
                kapstok_search::directory::DEFAULT_SYNONYMS
            )
            .is_empty()
        );
        assert!(
            check_word_list(
                WordListKind::Compounds,
                kapstok_search::directory::DEFAULT_COMPOUNDS
            )
            .is_empty()
        );
        assert_eq!(
            check_word_list(
                WordListKind::Synonyms,
                "# kop\noppas, respijtzorg thuis\nalleen\n\n, ,\nwmo, wet # uitleg\n"
            ),
            vec![ListProblem::OnePhrase(3), ListProblem::OnePhrase(5)]
        );
        assert_eq!(
            check_word_list(
                WordListKind::Compounds,
                "dag\nbe steding\nzorg,hulp\n# een opmerking\n"
            ),
            vec![ListProblem::NotOneWord(2), ListProblem::NotOneWord(3)]
        );
        assert_eq!(
            check_word_list(WordListKind::Synonyms, "# alleen uitleg\n\n"),
            vec![ListProblem::Empty]
        );
        assert_eq!(
            check_word_list(
                WordListKind::Compounds,
                &"a\n".repeat(WORD_LIST_MAX_LINES + 1)
            ),
            vec![ListProblem::TooManyLines]
        );
    }
}
