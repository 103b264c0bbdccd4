//! Dutch text analysis: folding, tokens, stop words, stemming, compounds, synonyms, typos.

use rust_stemmers::{Algorithm, Stemmer};
use std::collections::{HashMap, HashSet};

/// Lower-case and strip diacritics from Latin letters (financiële → financiele, café → cafe).
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars().flat_map(char::to_lowercase) {
        let base = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            'ĳ' => {
                out.push('i');
                'j'
            }
            other => other,
        };
        out.push(base);
    }
    out
}

/// Longest word indexed; longer words are not words a person searches for.
pub const MAX_WORD_CHARS: usize = 40;

/// Folded words of a text, in order (stop words kept; the caller decides), longer ones included.
pub fn all_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(fold)
}

/// Folded words of a text up to [`MAX_WORD_CHARS`], as the index holds them.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    all_words(text).filter(|w| w.chars().count() <= MAX_WORD_CHARS)
}

const STOP_WORDS: &[&str] = &[
    "aan", "al", "als", "bij", "dan", "dat", "de", "der", "des", "die", "dit", "door", "een", "en",
    "er", "het", "hij", "hoe", "hun", "ik", "in", "is", "je", "jij", "kan", "kunt", "maar", "met",
    "na", "naar", "niet", "nog", "of", "om", "ons", "onze", "ook", "op", "over", "te", "tot", "u",
    "uit", "uw", "van", "voor", "wat", "we", "wie", "wij", "worden", "wordt", "ze", "zich", "zij",
    "zijn", "zo", "zoals",
];

pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.binary_search(&word).is_ok()
}

/// FNV-1a, 64 bits: a stable hash (the same in every process) for ids and fingerprints.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Dutch Snowball stemmer over folded words.
pub struct Analyzer {
    stemmer: Stemmer,
    compounds: CompoundSplitter,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::new(CompoundSplitter::default())
    }
}

impl Analyzer {
    pub fn new(compounds: CompoundSplitter) -> Self {
        Analyzer {
            stemmer: Stemmer::create(Algorithm::Dutch),
            compounds,
        }
    }
    pub fn stem(&self, folded_word: &str) -> String {
        self.stemmer.stem(folded_word).into_owned()
    }

    /// As `stem`, without a copy when the word is its own stem.
    pub fn stem_ref<'w>(&self, folded_word: &'w str) -> std::borrow::Cow<'w, str> {
        self.stemmer.stem(folded_word)
    }
    /// Parts of a compound word from the dictionary, empty when it is no known compound.
    pub fn split(&self, folded_word: &str) -> Vec<String> {
        self.compounds.split(folded_word)
    }
}

/// Splits compounds (dagbesteding → dag + besteding) using a word-part dictionary, nothing else:
/// guessing splits without one breaks too many Dutch words.
#[derive(Debug, Clone, Default)]
pub struct CompoundSplitter {
    parts: HashSet<String>,
}

impl CompoundSplitter {
    /// One part per line; `#` starts a comment.
    pub fn parse(text: &str) -> Self {
        let parts = text
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty())
            .map(fold)
            .collect();
        CompoundSplitter { parts }
    }

    /// Its parts, sorted: the same dictionary gives the same text.
    pub fn canonical(&self) -> String {
        let mut parts: Vec<&str> = self.parts.iter().map(String::as_str).collect();
        parts.sort_unstable();
        parts.join("\n")
    }

    pub fn split(&self, word: &str) -> Vec<String> {
        if word.len() < 6 || self.parts.is_empty() {
            return Vec::new();
        }
        self.split_rec(word, 0).unwrap_or_default()
    }

    fn split_rec(&self, word: &str, depth: u8) -> Option<Vec<String>> {
        if depth > 3 {
            return None;
        }
        // Longest known head first, so "mantelzorgers" prefers mantel + zorgers over shorter heads.
        let boundaries: Vec<usize> = word
            .char_indices()
            .map(|(i, _)| i)
            .filter(|&i| i >= 3)
            .collect();
        for &i in boundaries.iter().rev() {
            let (head, tail) = word.split_at(i);
            if !self.parts.contains(head) {
                continue;
            }
            for tail in [
                tail,
                tail.strip_prefix('s').unwrap_or(""),
                tail.strip_prefix("en").unwrap_or(""),
            ] {
                if tail.len() < 3 {
                    continue;
                }
                if self.parts.contains(tail) || self.is_inflected_part(tail) {
                    return Some(vec![head.to_string(), tail.to_string()]);
                }
                if let Some(mut rest) = self.split_rec(tail, depth + 1) {
                    rest.insert(0, head.to_string());
                    return Some(rest);
                }
            }
        }
        None
    }

    /// A tail like "zorgers" or "groepen": a known part with a plural/agent ending.
    fn is_inflected_part(&self, tail: &str) -> bool {
        ["en", "s", "er", "ers", "e"].iter().any(|suffix| {
            tail.strip_suffix(suffix)
                .is_some_and(|base| base.len() >= 3 && self.parts.contains(base))
        })
    }
}

/// Groups of phrases that mean the same to a searcher (`dagopvang, dagbesteding`).
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    /// Folded phrase (words joined by one space) → group numbers.
    phrase_groups: HashMap<String, Vec<usize>>,
    /// Each group's phrases as folded word lists.
    groups: Vec<Vec<Vec<String>>>,
    /// Longest phrase in words, to bound matching.
    max_words: usize,
}

impl Synonyms {
    /// One group per line, phrases separated by commas; `#` starts a comment.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut syn = Synonyms::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let phrases: Vec<Vec<String>> = line
                .split(',')
                .map(|p| words(p).collect::<Vec<_>>())
                .filter(|p| !p.is_empty())
                .collect();
            if phrases.len() < 2 {
                return Err(format!(
                    "line {}: a synonym group needs at least two phrases separated by commas",
                    n + 1
                ));
            }
            let g = syn.groups.len();
            for p in &phrases {
                syn.max_words = syn.max_words.max(p.len());
                syn.phrase_groups.entry(p.join(" ")).or_default().push(g);
            }
            syn.groups.push(phrases);
        }
        Ok(syn)
    }

    pub fn max_words(&self) -> usize {
        self.max_words
    }

    /// The groups in order, one per line: the same list gives the same text.
    pub fn canonical(&self) -> String {
        self.groups
            .iter()
            .map(|g| g.iter().map(|p| p.join(" ")).collect::<Vec<_>>().join(","))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Every phrase equivalent to `phrase` (itself included), or `None` when it is in no group.
    pub fn alternatives(&self, phrase: &[String]) -> Option<Vec<Vec<String>>> {
        let groups = self.phrase_groups.get(&phrase.join(" "))?;
        let mut out: Vec<Vec<String>> = vec![phrase.to_vec()];
        for &g in groups {
            for p in &self.groups[g] {
                if !out.contains(p) {
                    out.push(p.clone());
                }
            }
        }
        Some(out)
    }
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), stopping early
/// once it exceeds `max`.
pub fn edit_distance_within(a: &str, b: &str, max: usize) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for (j, cell) in d.iter_mut().take(w).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        d[i * w] = i;
        let mut row_min = usize::MAX;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return false;
        }
    }
    d[a.len() * w + b.len()] <= max
}

/// Every string that is `word` with one character removed.
pub fn single_deletions(word: &str) -> Vec<String> {
    let idx: Vec<usize> = word.char_indices().map(|(i, _)| i).collect();
    idx.iter()
        .map(|&i| {
            let next = word[i..].chars().next().map_or(i, |c| i + c.len_utf8());
            format!("{}{}", &word[..i], &word[next..])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        let mut sorted = STOP_WORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, STOP_WORDS);
    }

    #[test]
    fn folds_dutch_diacritics() {
        assert_eq!(
            fold("Financiële Tegemoetkoming"),
            "financiele tegemoetkoming"
        );
        assert_eq!(fold("ruïne café"), "ruine cafe");
    }

    #[test]
    fn splits_compounds_only_from_the_dictionary() {
        let s = CompoundSplitter::parse("dag\nbesteding\nmantel\nzorg\nlotgenoten\ncontact\n");
        assert_eq!(s.split("dagbesteding"), vec!["dag", "besteding"]);
        assert_eq!(s.split("mantelzorgers"), vec!["mantel", "zorgers"]);
        assert_eq!(s.split("lotgenotencontact"), vec!["lotgenoten", "contact"]);
        assert!(s.split("dagelijks").is_empty());
    }

    #[test]
    fn synonyms_are_symmetric_and_multiword() {
        let s = Synonyms::parse("oppas, respijtzorg thuis\n# comment\ndagopvang, dagbesteding\n")
            .unwrap();
        let alts = s.alternatives(&["oppas".to_string()]).unwrap();
        assert!(alts.contains(&vec!["respijtzorg".to_string(), "thuis".to_string()]));
        let back = s
            .alternatives(&["respijtzorg".to_string(), "thuis".to_string()])
            .unwrap();
        assert!(back.contains(&vec!["oppas".to_string()]));
        assert!(Synonyms::parse("alleen\n").is_err());
    }

    #[test]
    fn edit_distance_counts_transpositions_as_one() {
        assert!(edit_distance_within("dagbestedng", "dagbesteding", 1));
        assert!(edit_distance_within("mantelzrog", "mantelzorg", 1));
        assert!(!edit_distance_within("dagbested", "dagbesteding", 1));
    }
}
