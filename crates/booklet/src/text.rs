//! Fonts, shaping and line breaking.
//!
//! Text is shaped with rustybuzz (krilla's own shaper for its `simple-text` feature, so nothing
//! extra is compiled). The same shaped glyphs are measured for line breaking and then handed to
//! krilla's `draw_glyphs`, so what is measured is exactly what is drawn.

use std::cell::RefCell;
use std::collections::HashMap;

use krilla::text::{Font, GlyphId, KrillaGlyph};

use crate::BookletError;

static LATO_REGULAR: &[u8] = include_bytes!("../fonts/Lato-Regular.ttf");
static LATO_BOLD: &[u8] = include_bytes!("../fonts/Lato-Bold.ttf");

/// Used for characters the fonts cannot show (krilla refuses `.notdef` glyphs under PDF/UA).
const REPLACEMENT: char = '?';

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// One font: krilla's handle for embedding, rustybuzz's for shaping.
pub(crate) struct Face {
    pub(crate) font: Font,
    shaper: rustybuzz::Face<'static>,
    /// Built once: making a plan per call was most of the layout time.
    plan: rustybuzz::ShapePlan,
    units_per_em: f32,
    /// Advance of U+0020 at 1 pt.
    space: f32,
    /// Advance at 1 pt of pieces already measured; words repeat a lot in a booklet.
    widths: RefCell<HashMap<String, f32>>,
    /// Lines already shaped: layout runs twice (the second pass confirms the page numbers),
    /// and shaping is most of its cost.
    lines: RefCell<HashMap<String, Vec<KrillaGlyph>>>,
}

impl Face {
    fn load(bytes: &'static [u8], name: &'static str) -> Result<Face, BookletError> {
        let font = Font::new(bytes.into(), 0).ok_or(BookletError::Font(name))?;
        let shaper = rustybuzz::Face::from_slice(bytes, 0).ok_or(BookletError::Font(name))?;
        let units_per_em = shaper.units_per_em() as f32;
        let plan = rustybuzz::ShapePlan::new(
            &shaper,
            rustybuzz::Direction::LeftToRight,
            Some(rustybuzz::script::LATIN),
            None,
            &[],
        );
        let mut face = Face {
            font,
            shaper,
            plan,
            units_per_em,
            space: 0.0,
            widths: RefCell::new(HashMap::new()),
            lines: RefCell::new(HashMap::new()),
        };
        face.space = face.shape(" ").iter().map(|g| g.x_advance).sum();
        Ok(face)
    }

    /// Whether the font has a glyph for `c`.
    pub(crate) fn covers(&self, c: char) -> bool {
        self.shaper.glyph_index(c).is_some()
    }

    /// Shape one left-to-right Latin run; advances and offsets are per 1 pt (divided by units
    /// per em), text ranges are byte ranges into `text`, as krilla expects.
    pub(crate) fn shape(&self, text: &str) -> Vec<KrillaGlyph> {
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(rustybuzz::Direction::LeftToRight);
        buffer.set_script(rustybuzz::script::LATIN);
        let shaped = rustybuzz::shape_with_plan(&self.shaper, &self.plan, buffer);
        let infos = shaped.glyph_infos();
        let positions = shaped.glyph_positions();
        let em = self.units_per_em;
        let mut glyphs = Vec::with_capacity(infos.len());
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            let end = infos[i + 1..]
                .iter()
                .find(|next| next.cluster != info.cluster)
                .map_or(text.len(), |next| next.cluster as usize);
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                pos.x_advance as f32 / em,
                pos.x_offset as f32 / em,
                pos.y_offset as f32 / em,
                pos.y_advance as f32 / em,
                start..end,
                None,
            ));
        }
        glyphs
    }

    /// Width of `text` at `size` pt.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        if let Some(w) = self.widths.borrow().get(text) {
            return w * size;
        }
        let w: f32 = self.shape(text).iter().map(|g| g.x_advance).sum();
        self.widths.borrow_mut().insert(text.to_owned(), w);
        w * size
    }

    /// A shaped line ready to draw.
    pub(crate) fn line(&self, text: String, size: f32) -> Line {
        let cached = self.lines.borrow().get(&text).cloned();
        let glyphs = match cached {
            Some(glyphs) => glyphs,
            None => {
                let glyphs = self.shape(&text);
                self.lines.borrow_mut().insert(text.clone(), glyphs.clone());
                glyphs
            }
        };
        let width = glyphs.iter().map(|g| g.x_advance).sum::<f32>() * size;
        Line {
            text,
            glyphs,
            width,
        }
    }

    /// A row of dots (table-of-contents leaders) from `from` to `to`, the dots on a grid of
    /// `step` pt measured from `origin` so that the dots of all rows line up.
    pub(crate) fn leader(
        &self,
        origin: f32,
        from: f32,
        to: f32,
        step: f32,
        size: f32,
    ) -> Option<(f32, Line)> {
        let first = ((from - origin) / step).ceil().max(0.0);
        let start = origin + first * step;
        let dot = self.shape(".").into_iter().next()?;
        let dot_width = dot.x_advance * size;
        let count = ((to - start - dot_width) / step).floor() + 1.0;
        if count < 2.0 {
            return None;
        }
        let count = count as usize;
        let text = ".".repeat(count);
        let glyphs = (0..count)
            .map(|i| KrillaGlyph {
                text_range: i..i + 1,
                x_advance: step / size,
                ..dot.clone()
            })
            .collect();
        let width = step * count as f32;
        Some((
            start,
            Line {
                text,
                glyphs,
                width,
            },
        ))
    }
}

/// The booklet's two fonts.
pub(crate) struct Fonts {
    pub(crate) regular: Face,
    pub(crate) bold: Face,
}

impl Fonts {
    pub(crate) fn load() -> Result<Fonts, BookletError> {
        Ok(Fonts {
            regular: Face::load(LATO_REGULAR, "Lato-Regular.ttf")?,
            bold: Face::load(LATO_BOLD, "Lato-Bold.ttf")?,
        })
    }

    pub(crate) fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// One paragraph's text made safe to draw: whitespace and control characters become
    /// spaces, invisible format characters go, and anything the fonts lack becomes `?` (a
    /// `.notdef` glyph would fail PDF/UA validation and show as an empty box).
    pub(crate) fn clean(&self, text: &str) -> String {
        text.chars()
            .filter_map(|c| match c {
                // Soft hyphen, zero-width space/joiners, word joiner, byte-order mark.
                '\u{AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => None,
                '\u{2011}' => Some('-'),
                c if c.is_whitespace() && c != '\u{A0}' && c != '\u{202F}' => Some(' '),
                c if c.is_control() => Some(' '),
                c if self.regular.covers(c) && self.bold.covers(c) => Some(c),
                _ => Some(REPLACEMENT),
            })
            .collect()
    }
}

/// A shaped line of text.
#[derive(Clone, Debug)]
pub(crate) struct Line {
    pub(crate) text: String,
    pub(crate) glyphs: Vec<KrillaGlyph>,
    /// Width in pt at the size it was shaped for.
    pub(crate) width: f32,
}

/// Split `text` into paragraphs at hard line breaks, dropping empty ones.
pub(crate) fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    text.split(['\n', '\u{2028}', '\u{2029}'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

/// Characters after which a word may break when the line is full.
fn breaks_after(c: char) -> bool {
    matches!(c, '-' | '/' | '\u{2013}' | '\u{2014}')
}

/// A word's pieces: it may break after a hyphen, slash or dash that has letters on both sides
/// (not between the slashes of `https://`).
fn pieces(word: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = word.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let end = i + c.len_utf8();
        if let Some(&(_, next)) = chars.peek()
            && breaks_after(c)
            && i > start
            && !breaks_after(next)
        {
            out.push(&word[start..end]);
            start = end;
        }
    }
    out.push(&word[start..]);
    out
}

/// Break a piece wider than `max` at glyph-cluster boundaries into chunks that fit (a chunk
/// holds at least one cluster, so nothing is ever lost).
fn split_to_width<'t>(face: &Face, piece: &'t str, size: f32, max: f32) -> Vec<&'t str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut width = 0.0;
    for glyph in face.shape(piece) {
        let advance = glyph.x_advance * size;
        let cluster = glyph.text_range.start;
        if width + advance > max && cluster > start {
            out.push(&piece[start..cluster]);
            start = cluster;
            width = 0.0;
        }
        width += advance;
    }
    out.push(&piece[start..]);
    out
}

/// Greedy word wrapping of one paragraph (already cleaned) to lines at most `max` pt wide.
///
/// Lines break at spaces; a line that would still overflow breaks after a hyphen, slash or
/// dash inside a word; a single word wider than the line is cut between glyph clusters.
pub(crate) fn wrap(face: &Face, size: f32, text: &str, max: f32) -> Vec<Line> {
    // A hair of slack for rounding, so that measured widths never exceed the column.
    let max = (max - 0.25).max(size);
    let space = face.space * size;
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut width = 0.0_f32;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        for (k, piece) in pieces(word).into_iter().enumerate() {
            let glue = k == 0 && !current.is_empty();
            let piece_width = face.width(piece, size);
            let added = piece_width + if glue { space } else { 0.0 };
            if width + added <= max {
                if glue {
                    current.push(' ');
                }
                current.push_str(piece);
                width += added;
                continue;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            if piece_width <= max {
                current.push_str(piece);
                width = piece_width;
            } else {
                let mut chunks = split_to_width(face, piece, size, max);
                let last = chunks.pop().unwrap_or_default();
                lines.extend(chunks.into_iter().map(str::to_owned));
                current.push_str(last);
                width = face.width(last, size);
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines.into_iter().map(|l| face.line(l, size)).collect()
}
