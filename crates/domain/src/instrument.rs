//! Self-check instruments as data: items with scored options, bands over the total score, advice
//! and the kinds of help to show per band. Scoring is a plain sum.

use crate::data_file::{FileError, error_at, parse_toml};
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstrumentFile {
    id: Spanned<String>,
    title: String,
    intro: String,
    /// Kapstok's own check says so on every page; a validated instrument sets `false`.
    indicative: bool,
    #[serde(default)]
    disclaimer: Option<String>,
    #[serde(default)]
    source: Option<String>,
    scale: Spanned<Scale>,
    #[serde(rename = "item")]
    items: Vec<Spanned<Item>>,
    #[serde(rename = "band")]
    bands: Vec<Spanned<Band>>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub min: i64,
    pub max: i64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: String,
    pub text: String,
    pub options: Vec<AnswerOption>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AnswerOption {
    pub label: String,
    pub score: i64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub id: String,
    pub min: i64,
    pub max: i64,
    pub label: String,
    pub meaning: String,
    #[serde(default)]
    pub advice: Vec<String>,
    /// Help to show, as `taxonomy-facet:term-code` (e.g. `functie:respijtzorg`).
    #[serde(default)]
    pub help: Vec<String>,
}

impl Band {
    /// The help to show, as (facet key, term code) pairs; the file check made sure each has both.
    pub fn help_links(&self) -> impl Iterator<Item = (&str, &str)> {
        self.help.iter().filter_map(|h| h.split_once(':'))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Instrument {
    pub id: String,
    pub title: String,
    pub intro: String,
    pub indicative: bool,
    pub disclaimer: Option<String>,
    pub source: Option<String>,
    pub items: Vec<Item>,
    pub bands: Vec<Band>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    #[error("question {0} is not answered")]
    Missing(usize),
    #[error("answer to question {0} is not one of its options")]
    Invalid(usize),
}

impl Instrument {
    /// Reads and checks an instrument: unknown fields, option scores outside the scale, and bands
    /// that overlap or leave scores uncovered are refused with their line.
    pub fn parse(file: &str, text: &str) -> Result<Instrument, FileError> {
        let f: InstrumentFile = parse_toml(file, text)?;
        let at = |span: std::ops::Range<usize>, msg: String| error_at(file, text, span.start, msg);
        if f.id.get_ref().trim().is_empty()
            || !f
                .id
                .get_ref()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(at(
                f.id.span(),
                "id must be letters, digits and hyphens (it is part of the page address)".into(),
            ));
        }
        let scale = *f.scale.get_ref();
        if scale.min > scale.max {
            return Err(at(
                f.scale.span(),
                format!("scale min {} is above max {}", scale.min, scale.max),
            ));
        }
        if f.items.is_empty() {
            return Err(error_at(
                file,
                text,
                0,
                "an instrument needs at least one [[item]]",
            ));
        }
        let (mut lowest, mut highest) = (0i64, 0i64);
        let mut ids = std::collections::HashSet::new();
        for item in &f.items {
            let i = item.get_ref();
            if !ids.insert(i.id.clone()) {
                return Err(at(item.span(), format!("item id {} is used twice", i.id)));
            }
            if i.options.len() < 2 {
                return Err(at(
                    item.span(),
                    format!("item {} needs at least two options", i.id),
                ));
            }
            for o in &i.options {
                if o.score < scale.min || o.score > scale.max {
                    return Err(at(
                        item.span(),
                        format!(
                            "item {}: option '{}' scores {}, outside the scale {}..{}",
                            i.id, o.label, o.score, scale.min, scale.max
                        ),
                    ));
                }
            }
            lowest += i.options.iter().map(|o| o.score).min().unwrap_or(0);
            highest += i.options.iter().map(|o| o.score).max().unwrap_or(0);
        }
        let mut bands: Vec<&Spanned<Band>> = f.bands.iter().collect();
        bands.sort_by_key(|b| b.get_ref().min);
        let mut expected = lowest;
        for b in &bands {
            let band = b.get_ref();
            if band.min > band.max {
                return Err(at(
                    b.span(),
                    format!(
                        "band {}: min {} is above max {}",
                        band.id, band.min, band.max
                    ),
                ));
            }
            if band.min < expected {
                return Err(at(
                    b.span(),
                    format!(
                        "band {} overlaps the band before it (score {} is in both)",
                        band.id, band.min
                    ),
                ));
            }
            if band.min > expected {
                return Err(at(
                    b.span(),
                    format!(
                        "band {} leaves scores {}..{} without a band",
                        band.id,
                        expected,
                        band.min - 1
                    ),
                ));
            }
            for h in &band.help {
                if h.split_once(':')
                    .is_none_or(|(a, b)| a.is_empty() || b.is_empty())
                {
                    return Err(at(
                        b.span(),
                        format!(
                            "band {}: help '{h}' must look like functie:respijtzorg",
                            band.id
                        ),
                    ));
                }
            }
            expected = band.max + 1;
        }
        if expected <= highest {
            let span = bands.last().map_or(0..0, |b| b.span());
            return Err(at(
                span,
                format!(
                    "scores {}..{} have no band (the highest possible score is {highest})",
                    expected, highest
                ),
            ));
        }
        Ok(Instrument {
            id: f.id.into_inner(),
            title: f.title,
            intro: f.intro,
            indicative: f.indicative,
            disclaimer: f.disclaimer,
            source: f.source,
            items: f.items.into_iter().map(Spanned::into_inner).collect(),
            bands: bands.into_iter().map(|b| b.get_ref().clone()).collect(),
        })
    }

    /// Total score and its band. `answers[i]` is the chosen option of item `i`.
    pub fn score(&self, answers: &[Option<usize>]) -> Result<(i64, &Band), ScoreError> {
        let mut total = 0;
        for (i, item) in self.items.iter().enumerate() {
            let choice = answers
                .get(i)
                .copied()
                .flatten()
                .ok_or(ScoreError::Missing(i))?;
            total += item
                .options
                .get(choice)
                .ok_or(ScoreError::Invalid(i))?
                .score;
        }
        let band = self
            .bands
            .iter()
            .find(|b| (b.min..=b.max).contains(&total))
            .expect("bands cover every score (checked at parse)");
        Ok((total, band))
    }
}

pub const DEFAULT_INSTRUMENT: &str = include_str!("../defaults/mantelzorgtest.toml");

#[cfg(test)]
mod tests {
    use super::*;

    /// A synthetic instrument written for the tests: three yes/no items and a 0–2 item.
    const TEST_INSTRUMENT: &str = r#"
id = "test"
title = "Test"
intro = "Test instrument"
indicative = false
scale = { min = 0, max = 2 }

[[item]]
id = "a"
text = "A?"
options = [{ label = "nee", score = 0 }, { label = "ja", score = 1 }]

[[item]]
id = "b"
text = "B?"
options = [{ label = "nee", score = 0 }, { label = "ja", score = 1 }]

[[item]]
id = "c"
text = "C?"
options = [{ label = "nee", score = 0 }, { label = "wat", score = 1 }, { label = "ja", score = 2 }]

[[band]]
id = "laag"
min = 0
max = 1
label = "Laag"
meaning = "laag"

[[band]]
id = "midden"
min = 2
max = 3
label = "Midden"
meaning = "midden"

[[band]]
id = "hoog"
min = 4
max = 4
label = "Hoog"
meaning = "hoog"
"#;

    #[test]
    fn scores_fall_in_the_right_band_at_every_boundary() {
        let i = Instrument::parse("test.toml", TEST_INSTRUMENT).unwrap();
        let cases = [
            ([0, 0, 0], 0, "laag"),
            ([1, 0, 0], 1, "laag"),
            ([1, 1, 0], 2, "midden"),
            ([0, 0, 2], 2, "midden"),
            ([1, 1, 1], 3, "midden"),
            ([1, 1, 2], 4, "hoog"),
        ];
        for (answers, total, band) in cases {
            let a: Vec<Option<usize>> = answers.iter().map(|&x| Some(x)).collect();
            let (t, b) = i.score(&a).unwrap();
            assert_eq!((t, b.id.as_str()), (total, band), "{answers:?}");
        }
        assert_eq!(
            i.score(&[Some(0), None, Some(0)]),
            Err(ScoreError::Missing(1))
        );
        assert_eq!(
            i.score(&[Some(0), Some(5), Some(0)]),
            Err(ScoreError::Invalid(1))
        );
    }

    #[test]
    fn the_shipped_check_is_valid_and_indicative() {
        let i = Instrument::parse("mantelzorgtest.toml", DEFAULT_INSTRUMENT).unwrap();
        assert!(i.indicative);
        assert_eq!(i.items.len(), 7);
        assert_eq!(i.score(&[Some(0); 7]).unwrap().1.id, "licht");
        assert_eq!(
            i.score(&[
                Some(4),
                Some(1),
                Some(1),
                Some(1),
                Some(1),
                Some(1),
                Some(1)
            ])
            .unwrap()
            .0,
            10
        );
        assert_eq!(
            i.score(&[
                Some(2),
                Some(1),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(0)
            ])
            .unwrap()
            .1
            .id,
            "matig"
        );
        assert_eq!(
            i.score(&[
                Some(4),
                Some(1),
                Some(1),
                Some(1),
                Some(1),
                Some(0),
                Some(0)
            ])
            .unwrap()
            .1
            .id,
            "overbelast"
        );
    }

    fn error(text: &str) -> FileError {
        Instrument::parse("x.toml", text).unwrap_err()
    }

    #[test]
    fn bad_instruments_are_refused_with_file_and_line() {
        let unknown = TEST_INSTRUMENT.replace(
            "intro = \"Test instrument\"",
            "intro = \"Test instrument\"\ncolour = \"red\"",
        );
        let e = error(&unknown);
        assert_eq!((e.file.as_str(), e.line), ("x.toml", 5));
        assert!(e.message.contains("colour"), "{e}");

        let overlap =
            TEST_INSTRUMENT.replace("id = \"midden\"\nmin = 2", "id = \"midden\"\nmin = 1");
        let e = error(&overlap);
        assert!(e.message.contains("overlaps"), "{e}");
        assert_eq!(e.line, 30, "{e}");

        let gap = TEST_INSTRUMENT
            .replace("id = \"hoog\"\nmin = 4", "id = \"hoog\"\nmin = 5")
            .replace("max = 4\nlabel = \"Hoog\"", "max = 5\nlabel = \"Hoog\"");
        assert!(
            error(&gap).message.contains("without a band"),
            "{}",
            error(&gap)
        );

        let short = TEST_INSTRUMENT.replace(
            "id = \"hoog\"\nmin = 4\nmax = 4",
            "id = \"hoog\"\nmin = 4\nmax = 3",
        );
        assert!(
            error(&short).message.contains("above max"),
            "{}",
            error(&short)
        );

        let out_of_scale = TEST_INSTRUMENT.replace(
            "{ label = \"ja\", score = 2 }",
            "{ label = \"ja\", score = 7 }",
        );
        let e = error(&out_of_scale);
        assert!(e.message.contains("outside the scale"), "{e}");
        assert_eq!(e.line, 18, "{e}");

        let syntax = error("id = \"x\"\ntitle = \n");
        assert_eq!(syntax.line, 2, "{syntax}");
    }
}
