//! Page layout: turns a [`Booklet`] into pages of positioned, shaped lines plus a logical
//! structure (the future tag tree) whose leaves point at those lines.
//!
//! Layout is a pure function of the booklet and of the page numbers it prints (contents and
//! register). [`layout`] runs it until the page numbers it finds equal the ones it printed.

use std::collections::BTreeMap;
use std::num::NonZeroU16;

use krilla::tagging::ArtifactType;

use crate::text::{Fonts, Line, Weight, paragraphs, wrap};
use crate::{Booklet, BookletError, Entry};

/// A4 portrait, in pt.
pub(crate) const PAGE_W: f32 = 595.276;
pub(crate) const PAGE_H: f32 = 841.89;
pub(crate) const LEFT: f32 = 70.0;
const RIGHT: f32 = PAGE_W - 70.0;
pub(crate) const WIDTH: f32 = RIGHT - LEFT;
pub(crate) const TOP: f32 = 72.0;
/// Lowest line bottom of the body text.
const BOTTOM: f32 = PAGE_H - 80.0;
const FOOTER_BASELINE: f32 = PAGE_H - 44.0;
/// The labels' column in an entry ("Wat is het", "Kosten", …).
const LABEL_COLUMN: f32 = 96.0;
/// Room kept for page numbers at the right of the contents.
const NUMBER_COLUMN: f32 = 44.0;
const INDEX_COLUMN_GAP: f32 = 24.0;
const LEADER_STEP: f32 = 4.5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Rgb(pub(crate) u8, pub(crate) u8, pub(crate) u8);

/// Near-black body text (contrast ≈ 17:1 on white).
const INK: Rgb = Rgb(0x1a, 0x1a, 0x1a);
/// Dark blue headings (≈ 11:1).
const ACCENT: Rgb = Rgb(0x0b, 0x3d, 0x6b);
/// Secondary text: organisation, footer (≈ 9:1).
const MUTED: Rgb = Rgb(0x45, 0x45, 0x45);
/// Decorative rules (artifacts, carry no information).
pub(crate) const RULE: Rgb = Rgb(0x9a, 0xa9, 0xb8);

#[derive(Clone, Copy, Debug)]
pub(crate) struct Style {
    pub(crate) weight: Weight,
    pub(crate) size: f32,
    /// Line height.
    pub(crate) lead: f32,
    pub(crate) color: Rgb,
}

const fn style(weight: Weight, size: f32, lead: f32, color: Rgb) -> Style {
    Style {
        weight,
        size,
        lead,
        color,
    }
}

pub(crate) const TITLE: Style = style(Weight::Bold, 30.0, 38.0, ACCENT);
pub(crate) const SUBTITLE: Style = style(Weight::Regular, 18.0, 25.0, INK);
pub(crate) const INTRO: Style = style(Weight::Regular, 12.5, 19.0, INK);
pub(crate) const H1: Style = style(Weight::Bold, 22.0, 29.0, ACCENT);
const H2: Style = style(Weight::Bold, 14.0, 19.0, ACCENT);
pub(crate) const BODY: Style = style(Weight::Regular, 11.0, 16.0, INK);
pub(crate) const ORG: Style = style(Weight::Regular, 11.0, 16.0, MUTED);
const LABEL: Style = style(Weight::Bold, 11.0, 16.0, INK);
const TOC: Style = style(Weight::Regular, 12.0, 18.0, INK);
const LETTER: Style = style(Weight::Bold, 13.0, 20.0, ACCENT);
const INDEX: Style = style(Weight::Regular, 10.5, 15.0, INK);
pub(crate) const FOOTER: Style = style(Weight::Regular, 9.5, 12.0, MUTED);

/// How drawn content is marked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Mark {
    /// Real content: leaf number in the structure.
    Content(usize),
    Artifact(ArtifactType),
}

#[derive(Debug)]
pub(crate) enum Item {
    Text {
        x: f32,
        baseline: f32,
        style: Style,
        line: Line,
        mark: Mark,
    },
    /// A filled rectangle, always a layout artifact.
    Rule { x: f32, y: f32, w: f32, h: f32 },
}

/// An internal link: an annotation over `rect` to the top of page `target`.
#[derive(Debug)]
pub(crate) struct Link {
    pub(crate) rect: [f32; 4],
    pub(crate) target: usize,
    pub(crate) target_y: f32,
    pub(crate) alt: String,
    pub(crate) leaf: usize,
}

#[derive(Debug, Default)]
pub(crate) struct PageOut {
    pub(crate) items: Vec<Item>,
    pub(crate) links: Vec<Link>,
}

/// Structure element kinds used by the booklet (mapped to krilla tags in `pdf.rs`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    Part,
    Sect,
    Heading(NonZeroU16, String),
    P,
    Toc,
    TocItem,
    Reference,
    Link,
    Index,
    List,
    ListItem,
    Label,
    ListBody,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    Group(Kind, Vec<Node>),
    Leaf(usize),
}

fn group(kind: Kind, children: Vec<Node>) -> Node {
    Node::Group(kind, children)
}

fn leaves(ids: Vec<usize>) -> Vec<Node> {
    ids.into_iter().map(Node::Leaf).collect()
}

fn heading(level: u16, title: &str, ids: Vec<usize>) -> Node {
    let level = NonZeroU16::new(level).unwrap_or(NonZeroU16::MIN);
    group(Kind::Heading(level, title.to_owned()), leaves(ids))
}

/// A bookmark.
#[derive(Debug)]
pub(crate) struct Bookmark {
    pub(crate) title: String,
    pub(crate) page: usize,
    pub(crate) y: f32,
    pub(crate) children: Vec<Bookmark>,
}

/// Where things landed (0-based page indices); what the contents and register print.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Places {
    pub(crate) sections: Vec<usize>,
    /// Per section, per entry: the page of the entry's heading.
    pub(crate) entries: Vec<Vec<usize>>,
    pub(crate) index: usize,
}

#[derive(Debug)]
pub(crate) struct Layout {
    pub(crate) pages: Vec<PageOut>,
    pub(crate) structure: Vec<Node>,
    pub(crate) leaf_count: usize,
    pub(crate) outline: Vec<Bookmark>,
    pub(crate) places: Places,
}

/// Lay the booklet out, repeating until the page numbers printed in the contents and register
/// are the pages things actually landed on (the second pass normally agrees: the number
/// column has a fixed width, so numbers never change how titles wrap).
pub(crate) fn layout(b: &Booklet, fonts: &Fonts) -> Result<Layout, BookletError> {
    let mut places = Places::default();
    for _ in 0..4 {
        let out = Flow::new(b, fonts).run(&places);
        if out.places == places {
            return Ok(out);
        }
        places = out.places;
    }
    Err(BookletError::Layout(
        "the page numbers of the contents and register did not settle".into(),
    ))
}

fn page_number(index: usize) -> String {
    (index + 1).to_string()
}

struct Flow<'a> {
    b: &'a Booklet,
    fonts: &'a Fonts,
    pages: Vec<PageOut>,
    y: f32,
    leaf_count: usize,
}

impl<'a> Flow<'a> {
    fn new(b: &'a Booklet, fonts: &'a Fonts) -> Self {
        Flow {
            b,
            fonts,
            pages: Vec::new(),
            y: TOP,
            leaf_count: 0,
        }
    }

    fn page(&self) -> usize {
        self.pages.len().saturating_sub(1)
    }

    fn new_page(&mut self) {
        self.pages.push(PageOut::default());
        self.y = TOP;
    }

    fn at_top(&self) -> bool {
        self.y <= TOP + 0.01
    }

    fn fits(&self, height: f32) -> bool {
        self.y + height <= BOTTOM + 0.01
    }

    /// Start a new page unless `height` still fits (or the page is empty anyway).
    fn need(&mut self, height: f32) {
        if !self.fits(height) && !self.at_top() {
            self.new_page();
        }
    }

    fn gap(&mut self, height: f32) {
        if !self.at_top() {
            self.y += height;
        }
    }

    fn leaf(&mut self) -> usize {
        self.leaf_count += 1;
        self.leaf_count - 1
    }

    fn push(&mut self, item: Item) {
        if self.pages.is_empty() {
            self.new_page();
        }
        let page = self.pages.len() - 1;
        self.pages[page].items.push(item);
    }

    /// Draw `line` with its top at the current y, without advancing; returns its leaf.
    fn put(&mut self, x: f32, style: Style, line: Line) -> usize {
        let leaf = self.leaf();
        let baseline = baseline(self.y, style);
        self.push(Item::Text {
            x,
            baseline,
            style,
            line,
            mark: Mark::Content(leaf),
        });
        leaf
    }

    /// Lines one below the other, breaking pages between them as needed.
    fn lines(&mut self, x: f32, style: Style, lines: Vec<Line>) -> Vec<usize> {
        let mut ids = Vec::with_capacity(lines.len());
        for line in lines {
            self.need(style.lead);
            ids.push(self.put(x, style, line));
            self.y += style.lead;
        }
        ids
    }

    fn wrap(&self, style: Style, text: &str, width: f32) -> Vec<Line> {
        let face = self.fonts.face(style.weight);
        paragraphs(text)
            .flat_map(|p| wrap(face, style.size, &self.fonts.clean(p), width))
            .collect()
    }

    /// Wrapped paragraphs, each a list of lines.
    fn wrap_paragraphs(&self, style: Style, text: &str, width: f32) -> Vec<Vec<Line>> {
        let face = self.fonts.face(style.weight);
        paragraphs(text)
            .map(|p| wrap(face, style.size, &self.fonts.clean(p), width))
            .filter(|lines| !lines.is_empty())
            .collect()
    }

    fn rule(&mut self, x: f32, y: f32, w: f32, h: f32) {
        self.push(Item::Rule { x, y, w, h });
    }

    fn run(mut self, places: &Places) -> Layout {
        let b = self.b;
        let mut structure = Vec::new();
        let mut outline = Vec::new();
        let title = display(&b.title, "Mantelzorgwijzer");

        // 1. Cover.
        self.new_page();
        self.rule(LEFT, TOP - 24.0, WIDTH, 6.0);
        self.y = TOP + 110.0;
        let mut cover = Vec::new();
        let title_lines = self.wrap(TITLE, title, WIDTH);
        let ids = self.lines(LEFT, TITLE, title_lines);
        cover.push(heading(1, title, ids));
        outline.push(Bookmark {
            title: title.to_owned(),
            page: 0,
            y: 0.0,
            children: Vec::new(),
        });
        self.y += 8.0;
        let subtitle = self.wrap(SUBTITLE, &b.subtitle, WIDTH);
        if !subtitle.is_empty() {
            let ids = self.lines(LEFT, SUBTITLE, subtitle);
            cover.push(group(Kind::P, leaves(ids)));
        }
        self.gap(30.0);
        for paragraph in self.wrap_paragraphs(INTRO, &b.intro, WIDTH) {
            let ids = self.lines(LEFT, INTRO, paragraph);
            cover.push(group(Kind::P, leaves(ids)));
            self.gap(8.0);
        }
        self.gap(22.0);
        let printed = format!("{} {}", b.labels.printed_on, b.printed_on);
        let printed = self.wrap(ORG, printed.trim(), WIDTH);
        let ids = self.lines(LEFT, ORG, printed);
        if !ids.is_empty() {
            cover.push(group(Kind::P, leaves(ids)));
        }
        structure.push(group(Kind::Sect, cover));

        let has_entries = b.sections.iter().any(|s| !s.entries.is_empty());

        // 2. Contents.
        if !b.sections.is_empty() {
            let (node, mark) = self.contents(places, has_entries);
            structure.push(node);
            outline.push(mark);
        }

        // 3. The sections.
        let mut found = Places::default();
        let mut part = Vec::new();
        for s in 0..b.sections.len() {
            let (node, mark, entry_pages) = self.section(s);
            found.sections.push(mark.page);
            found.entries.push(entry_pages);
            part.push(node);
            outline.push(mark);
        }
        if !part.is_empty() {
            structure.push(group(Kind::Part, part));
        }

        // 4. Register.
        if has_entries {
            let (node, mark) = self.register(places);
            found.index = mark.page;
            structure.push(node);
            outline.push(mark);
        }

        // 5. Footers (artifacts), on every page but the cover.
        let count = self.pages.len();
        for p in 1..count {
            self.footer(p);
        }

        Layout {
            pages: self.pages,
            structure,
            leaf_count: self.leaf_count,
            outline,
            places: found,
        }
    }

    fn contents(&mut self, places: &Places, has_entries: bool) -> (Node, Bookmark) {
        let b = self.b;
        let labels = &b.labels;
        self.new_page();
        let start = self.page();
        let title = display(&labels.contents, "Inhoud");
        let lines = self.wrap(H1, title, WIDTH);
        let ids = self.lines(LEFT, H1, lines);
        let mut children = vec![heading(1, title, ids)];
        self.y += 18.0;

        let mut items = Vec::new();
        let targets = b
            .sections
            .iter()
            .enumerate()
            .map(|(s, section)| {
                let target = places.sections.get(s).copied().unwrap_or(0);
                (display(&section.title, "–").to_owned(), target)
            })
            .chain(
                has_entries.then(|| (display(&labels.index, "Register").to_owned(), places.index)),
            )
            .collect::<Vec<_>>();
        for (text, target) in targets {
            let lines = self.wrap(TOC, &text, WIDTH - NUMBER_COLUMN - 12.0);
            let lead = TOC.lead;
            self.need(lead * lines.len() as f32);
            let top = self.y;
            let number = self.fonts.regular.line(page_number(target), TOC.size);
            let count = lines.len();
            let mut ids = Vec::new();
            let mut right_of_text = LEFT;
            for (k, line) in lines.into_iter().enumerate() {
                if k + 1 == count {
                    right_of_text = LEFT + line.width;
                }
                ids.push(self.put(LEFT, TOC, line));
                if k + 1 < count {
                    self.y += lead;
                }
            }
            let number_x = RIGHT - number.width;
            self.leaders(TOC, right_of_text + 6.0, number_x - 6.0);
            ids.push(self.put(number_x, TOC, number));
            self.y += lead;
            let link_leaf = self.leaf();
            let alt = format!("{text}, {} {}", labels.page, page_number(target));
            self.link([LEFT, top, RIGHT, self.y], target, alt, link_leaf);
            let mut link = vec![Node::Leaf(link_leaf)];
            link.extend(leaves(ids));
            items.push(group(
                Kind::TocItem,
                vec![group(Kind::Reference, vec![group(Kind::Link, link)])],
            ));
            self.y += 6.0;
        }
        if !items.is_empty() {
            children.push(group(Kind::Toc, items));
        }
        let mark = Bookmark {
            title: title.to_owned(),
            page: start,
            y: TOP,
            children: Vec::new(),
        };
        (group(Kind::Sect, children), mark)
    }

    fn leaders(&mut self, style: Style, from: f32, to: f32) {
        let face = self.fonts.face(style.weight);
        if let Some((x, line)) = face.leader(LEFT, from, to, LEADER_STEP, style.size) {
            let baseline = baseline(self.y, style);
            self.push(Item::Text {
                x,
                baseline,
                style: Style {
                    color: MUTED,
                    ..style
                },
                line,
                mark: Mark::Artifact(ArtifactType::Layout),
            });
        }
    }

    fn link(&mut self, rect: [f32; 4], target: usize, alt: String, leaf: usize) {
        let page = self.page();
        self.pages[page].links.push(Link {
            rect,
            target,
            target_y: TOP,
            alt,
            leaf,
        });
    }

    fn section(&mut self, s: usize) -> (Node, Bookmark, Vec<usize>) {
        let b = self.b;
        let section = &b.sections[s];
        self.new_page();
        let start = self.page();
        let title = display(&section.title, "–");
        let lines = self.wrap(H1, title, WIDTH);
        let ids = self.lines(LEFT, H1, lines);
        let mut children = vec![heading(1, title, ids)];
        self.y += 2.0;
        self.rule(LEFT, self.y, WIDTH, 1.5);
        self.y += 16.0;

        let mut marks = Vec::new();
        let mut pages = Vec::new();
        for (k, entry) in section.entries.iter().enumerate() {
            let (node, mark) = self.entry(entry, k == 0);
            pages.push(mark.page);
            marks.push(mark);
            children.push(node);
        }
        let mark = Bookmark {
            title: title.to_owned(),
            page: start,
            y: TOP,
            children: marks,
        };
        (group(Kind::Sect, children), mark, pages)
    }

    fn entry(&mut self, entry: &'a Entry, first: bool) -> (Node, Bookmark) {
        let b = self.b;
        let labels = &b.labels;
        let name = display(&entry.name, display(&entry.organization, "–"));
        let name_lines = self.wrap(H2, name, WIDTH);
        let org_lines = self.wrap(ORG, &entry.organization, WIDTH);

        let value_width = WIDTH - LABEL_COLUMN;
        let mut parts: Vec<(Vec<Line>, Vec<Vec<Line>>)> = Vec::new();
        let mut add = |flow: &Self, label: &str, value: &str| {
            let value = flow.wrap_paragraphs(BODY, value, value_width);
            if !value.is_empty() {
                let label = flow.wrap(LABEL, label, LABEL_COLUMN - 10.0);
                parts.push((label, value));
            }
        };
        add(self, &labels.what, &entry.what);
        if let Some(v) = &entry.for_whom {
            add(self, &labels.for_whom, v);
        }
        if let Some(v) = &entry.cost {
            add(self, &labels.cost, v);
        }
        if let Some(v) = &entry.apply {
            add(self, &labels.apply, v);
        }
        let contact = entry.contact.join("\n");
        add(self, &labels.contact, &contact);
        let contact_part = parts
            .len()
            .checked_sub(1)
            .filter(|_| entry.contact.iter().any(|c| !c.trim().is_empty()));

        // Keep the heading with the organisation and the first lines of what follows (two, or
        // one if that is all there is: the same rule as for the parts below).
        let separator = if first { 0.0 } else { 22.0 };
        let first_lines = parts.first().map_or(0, |(_, value)| {
            value.iter().map(Vec::len).sum::<usize>().min(2)
        });
        let keep = separator
            + H2.lead * name_lines.len() as f32
            + ORG.lead * org_lines.len() as f32
            + if parts.is_empty() {
                0.0
            } else {
                6.0 + BODY.lead * first_lines as f32
            };
        if !self.fits(keep) && !self.at_top() {
            self.new_page();
        } else if !first && !self.at_top() {
            self.y += 8.0;
            self.rule(LEFT, self.y, WIDTH, 0.6);
            self.y += 14.0;
        }

        let page = self.page();
        let top = self.y;
        let ids = self.lines(LEFT, H2, name_lines);
        let mut children = vec![heading(2, name, ids)];
        if !org_lines.is_empty() {
            let ids = self.lines(LEFT, ORG, org_lines);
            children.push(group(Kind::P, leaves(ids)));
        }
        if !parts.is_empty() {
            self.y += 6.0;
        }

        let mut items = Vec::new();
        for (p, (label, value)) in parts.into_iter().enumerate() {
            let total: usize = value.iter().map(Vec::len).sum();
            // Paragraphs of a description are spaced; contact lines are not.
            let paragraph_gap = if Some(p) == contact_part { 0.0 } else { 5.0 };
            // No lone first line at the foot of a page.
            self.need(BODY.lead * total.min(2) as f32);
            let mut label = label.into_iter();
            let mut label_ids = Vec::new();
            let mut body = Vec::new();
            for (k, paragraph) in value.into_iter().enumerate() {
                if k > 0 {
                    self.gap(paragraph_gap);
                }
                let mut ids = Vec::new();
                for line in paragraph {
                    self.need(BODY.lead);
                    if let Some(l) = label.next() {
                        label_ids.push(self.put(LEFT, LABEL, l));
                    }
                    ids.push(self.put(LEFT + LABEL_COLUMN, BODY, line));
                    self.y += BODY.lead;
                }
                body.push(group(Kind::P, leaves(ids)));
            }
            // A label longer than its value (rare): its remaining lines.
            for l in label {
                self.need(BODY.lead);
                label_ids.push(self.put(LEFT, LABEL, l));
                self.y += BODY.lead;
            }
            let mut item = Vec::new();
            if !label_ids.is_empty() {
                item.push(group(Kind::Label, leaves(label_ids)));
            }
            item.push(group(Kind::ListBody, body));
            items.push(group(Kind::ListItem, item));
            self.y += 4.0;
        }
        if !items.is_empty() {
            children.push(group(Kind::List, items));
        }
        let mark = Bookmark {
            title: name.to_owned(),
            page,
            y: top,
            children: Vec::new(),
        };
        (group(Kind::Sect, children), mark)
    }

    fn register(&mut self, places: &Places) -> (Node, Bookmark) {
        let b = self.b;
        let labels = &b.labels;
        self.new_page();
        let start = self.page();
        let title = display(&labels.index, "Register");
        let lines = self.wrap(H1, title, WIDTH);
        let ids = self.lines(LEFT, H1, lines);
        let mut children = vec![heading(1, title, ids)];
        self.y += 2.0;
        self.rule(LEFT, self.y, WIDTH, 1.5);
        self.y += 16.0;

        // Every entry name with the pages of its headings, sorted as a Dutch reader expects.
        let mut names: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
        for (s, section) in b.sections.iter().enumerate() {
            for (e, entry) in section.entries.iter().enumerate() {
                let name = display(&entry.name, display(&entry.organization, "–"));
                let page = places
                    .entries
                    .get(s)
                    .and_then(|pages| pages.get(e))
                    .copied()
                    .unwrap_or(0);
                let key = (sort_key(name), name.to_owned());
                let pages = names.entry(key).or_default();
                if !pages.contains(&page) {
                    pages.push(page);
                }
            }
        }
        let mut groups: Vec<LetterGroup> = Vec::new();
        for ((key, name), mut pages) in names {
            pages.sort_unstable();
            let letter = group_letter(&key);
            match groups.last_mut() {
                Some((l, list)) if *l == letter => list.push((name, pages)),
                _ => groups.push((letter, vec![(name, pages)])),
            }
        }

        // Two columns.
        let column_width = (WIDTH - INDEX_COLUMN_GAP) / 2.0;
        let mut column = 0;
        let mut column_top = self.y;
        let mut index = Vec::new();
        for (letter, list) in groups {
            // Shape every row of the group first, so the letter can be kept with its first row.
            let comma = self.fonts.regular.line(", ".into(), INDEX.size);
            let rows: Vec<_> = list
                .into_iter()
                .map(|(name, pages)| {
                    let numbers: Vec<Line> = pages
                        .iter()
                        .map(|p| self.fonts.regular.line(page_number(*p), INDEX.size))
                        .collect();
                    let numbers_width = numbers.iter().map(|n| n.width).sum::<f32>()
                        + comma.width * numbers.len().saturating_sub(1) as f32;
                    let width = column_width - numbers_width.max(16.0) - 10.0;
                    let lines = self.wrap(INDEX, &name, width);
                    (name, pages, numbers, numbers_width, lines)
                })
                .collect();
            let first_height = rows.first().map_or(0.0, |r| INDEX.lead * r.4.len() as f32);
            self.column_need(LETTER.lead + first_height, &mut column, &mut column_top);
            let x0 = LEFT + column as f32 * (column_width + INDEX_COLUMN_GAP);
            let line = self.fonts.bold.line(letter.clone(), LETTER.size);
            let id = self.put(x0, LETTER, line);
            self.y += LETTER.lead;
            index.push(heading(2, &letter, vec![id]));

            let mut items = Vec::new();
            for (name, pages, numbers, numbers_width, lines) in rows {
                self.column_need(
                    INDEX.lead * lines.len() as f32,
                    &mut column,
                    &mut column_top,
                );
                let x0 = LEFT + column as f32 * (column_width + INDEX_COLUMN_GAP);
                let right = x0 + column_width;
                let count = lines.len();
                let mut body = Vec::new();
                let mut right_of_text = x0;
                for (k, line) in lines.into_iter().enumerate() {
                    if k + 1 == count {
                        right_of_text = x0 + line.width;
                    }
                    body.push(Node::Leaf(self.put(x0, INDEX, line)));
                    if k + 1 < count {
                        self.y += INDEX.lead;
                    }
                }
                let mut x = right - numbers_width;
                self.leaders(INDEX, right_of_text.max(x0) + 5.0, x - 5.0);
                let n = numbers.len();
                for (k, (number, page)) in numbers.into_iter().zip(&pages).enumerate() {
                    let width = number.width;
                    let top = self.y;
                    let id = self.put(x, INDEX, number);
                    let link_leaf = self.leaf();
                    let alt = format!("{name}, {} {}", labels.page, page_number(*page));
                    self.link(
                        [x - 1.0, top, x + width + 1.0, top + INDEX.lead],
                        *page,
                        alt,
                        link_leaf,
                    );
                    body.push(group(
                        Kind::Reference,
                        vec![group(
                            Kind::Link,
                            vec![Node::Leaf(link_leaf), Node::Leaf(id)],
                        )],
                    ));
                    x += width;
                    if k + 1 < n {
                        let comma = comma.clone();
                        let w = comma.width;
                        body.push(Node::Leaf(self.put(x, INDEX, comma)));
                        x += w;
                    }
                }
                self.y += INDEX.lead;
                items.push(group(Kind::ListItem, vec![group(Kind::ListBody, body)]));
            }
            index.push(group(Kind::List, items));
            self.y += 6.0;
        }
        children.push(group(Kind::Index, index));
        let mark = Bookmark {
            title: title.to_owned(),
            page: start,
            y: TOP,
            children: Vec::new(),
        };
        (group(Kind::Sect, children), mark)
    }

    /// Like [`Flow::need`] for the register's two columns: left column, right column, next page.
    fn column_need(&mut self, height: f32, column: &mut usize, column_top: &mut f32) {
        if self.fits(height) || (self.y - *column_top).abs() < 0.01 {
            return;
        }
        if *column == 0 {
            *column = 1;
            self.y = *column_top;
        } else {
            self.new_page();
            *column = 0;
            *column_top = self.y;
        }
    }

    fn footer(&mut self, page: usize) {
        let b = self.b;
        let labels = &b.labels;
        let date = format!("{} {}", labels.printed_on, b.printed_on);
        let date = self
            .fonts
            .regular
            .line(self.fonts.clean(date.trim()), FOOTER.size);
        let number = format!("{} {}", labels.page, page_number(page));
        let number = self
            .fonts
            .regular
            .line(self.fonts.clean(number.trim()), FOOTER.size);
        let items = &mut self.pages[page].items;
        items.push(Item::Rule {
            x: LEFT,
            y: FOOTER_BASELINE - 16.0,
            w: WIDTH,
            h: 0.5,
        });
        items.push(Item::Text {
            x: LEFT,
            baseline: FOOTER_BASELINE,
            style: FOOTER,
            line: date,
            mark: Mark::Artifact(ArtifactType::Footer),
        });
        items.push(Item::Text {
            x: RIGHT - number.width,
            baseline: FOOTER_BASELINE,
            style: FOOTER,
            line: number,
            mark: Mark::Artifact(ArtifactType::PageNumber),
        });
    }
}

/// A register letter with its names and each name's pages.
type LetterGroup = (String, Vec<(String, Vec<usize>)>);

/// Baseline of a line whose box starts at `top`: capitals centred in the line box.
pub(crate) fn baseline(top: f32, style: Style) -> f32 {
    top + (style.lead + 0.72 * style.size) / 2.0
}

/// `text` trimmed, or `fallback` when it is empty (a PDF/UA heading needs a title).
fn display<'t>(text: &'t str, fallback: &'t str) -> &'t str {
    let t = text.trim();
    if t.is_empty() { fallback } else { t }
}

/// Sort key for the register: case and accents folded (é and ë sort as e), leading
/// punctuation ignored ('t Hofje under H), ties broken by the name itself.
pub(crate) fn sort_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for c in name.chars() {
        let folded = match c {
            'à'..='å' | 'À'..='Å' | 'ā' | 'Ā' => 'a',
            'ç' | 'Ç' => 'c',
            'è'..='ë' | 'È'..='Ë' | 'ē' | 'Ē' => 'e',
            'ì'..='ï' | 'Ì'..='Ï' => 'i',
            'ñ' | 'Ñ' => 'n',
            'ò'..='ö' | 'ø' | 'Ò'..='Ö' | 'Ø' => 'o',
            'ù'..='ü' | 'Ù'..='Ü' => 'u',
            'ý' | 'ÿ' | 'Ý' => 'y',
            c => c,
        };
        for lower in folded.to_lowercase() {
            key.push(lower);
        }
    }
    let start = key
        .char_indices()
        .find(|&(_, c)| c.is_alphanumeric())
        .map_or(0, |(i, _)| i);
    let rest = &key[start..];
    // 't, 's (as in 't Hofje, 's-Gravenhage) sort by the word after them.
    let rest = ["t ", "s-", "s "]
        .iter()
        .find_map(|p| {
            rest.strip_prefix(p)
                .filter(|_| key[..start].ends_with(['\'', '\u{2019}']))
        })
        .unwrap_or(rest);
    // Numbers compare by value ("Huis 2" before "Huis 12"): pad digit runs to equal length.
    let mut out = String::with_capacity(rest.len() + 8);
    let mut digits = String::new();
    for c in rest.chars().chain(std::iter::once('\0')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if !digits.is_empty() {
            let trimmed = digits.trim_start_matches('0');
            out.extend(std::iter::repeat_n(
                '0',
                12usize.saturating_sub(trimmed.len()),
            ));
            out.push_str(trimmed);
            digits.clear();
        }
        if c != '\0' {
            out.push(c);
        }
    }
    out
}

/// The register's group letter for a sort key: A–Z, or "0–9" / "#" for the rest.
fn group_letter(key: &str) -> String {
    match key.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => c.to_ascii_uppercase().to_string(),
        Some(c) if c.is_ascii_digit() => "0–9".to_owned(),
        Some(c) if c.is_alphabetic() => c.to_uppercase().collect(),
        _ => "#".to_owned(),
    }
}
