//! A certificate of attendance (deelnamebewijs) for accreditation: one tagged A4 page with
//! the participant, the activity, its date and place, the accreditation points and the
//! organiser, under the same PDF/UA-1 validator as the booklet.

use std::num::NonZeroU16;

use crate::BookletError;
use crate::layout::{
    BODY, H1, Item, Kind, LEFT, Layout, Mark, Node, ORG, PageOut, Places, SUBTITLE, Style, TITLE,
    TOP, WIDTH, baseline,
};
use crate::text::{Fonts, paragraphs, wrap};

/// What a certificate says; empty or `None` parts are left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    pub name: String,
    pub title: String,
    /// The kind of activity, such as "Nascholing".
    pub kind: String,
    /// Already formatted: "dinsdag 15 september 2026, 09:00–12:00".
    pub date: String,
    pub place: Option<String>,
    pub points: Option<u32>,
    pub organiser: Option<String>,
    /// dd-mm-jjjj.
    pub issued: String,
}

struct Page<'a> {
    fonts: &'a Fonts,
    y: f32,
    out: PageOut,
    leaves: usize,
}

impl Page<'_> {
    /// Wrapped text one line below the other; its leaves.
    fn text(&mut self, style: Style, text: &str) -> Vec<usize> {
        let face = self.fonts.face(style.weight);
        let mut ids = Vec::new();
        for p in paragraphs(text) {
            for line in wrap(face, style.size, &self.fonts.clean(p), WIDTH) {
                let leaf = self.leaves;
                self.leaves += 1;
                self.out.items.push(Item::Text {
                    x: LEFT,
                    baseline: baseline(self.y, style),
                    style,
                    line,
                    mark: Mark::Content(leaf),
                });
                self.y += style.lead;
                ids.push(leaf);
            }
        }
        ids
    }
}

fn leaves(ids: Vec<usize>) -> Vec<Node> {
    ids.into_iter().map(Node::Leaf).collect()
}

/// The certificate as a tagged PDF/UA-1 document in Dutch.
pub fn certificate(c: &Certificate) -> Result<Vec<u8>, BookletError> {
    if c.title.trim().is_empty() || c.name.trim().is_empty() {
        return Err(BookletError::MissingTitle);
    }
    let fonts = Fonts::load()?;
    let mut p = Page {
        fonts: &fonts,
        y: TOP + 60.0,
        out: PageOut::default(),
        leaves: 0,
    };
    let mut structure = Vec::new();
    let heading = p.text(TITLE, "Bewijs van deelname");
    structure.push(Node::Group(
        Kind::Heading(NonZeroU16::MIN, "Bewijs van deelname".into()),
        leaves(heading),
    ));
    p.y += 30.0;
    let intro = p.text(BODY, "Hierbij verklaren wij dat");
    structure.push(Node::Group(Kind::P, leaves(intro)));
    p.y += 8.0;
    let name = p.text(SUBTITLE, &c.name);
    structure.push(Node::Group(Kind::P, leaves(name)));
    p.y += 8.0;
    let took_part = p.text(BODY, "heeft deelgenomen aan");
    structure.push(Node::Group(Kind::P, leaves(took_part)));
    p.y += 8.0;
    let title = p.text(H1, &c.title);
    structure.push(Node::Group(
        Kind::Heading(
            NonZeroU16::new(2).unwrap_or(NonZeroU16::MIN),
            c.title.clone(),
        ),
        leaves(title),
    ));
    p.y += 12.0;
    let mut facts = Vec::new();
    if !c.kind.is_empty() {
        facts.push(format!("Soort: {}", c.kind));
    }
    facts.push(format!("Datum: {}", c.date));
    if let Some(place) = &c.place {
        facts.push(format!("Plaats: {place}"));
    }
    if let Some(points) = c.points.filter(|p| *p > 0) {
        facts.push(format!("Accreditatiepunten: {points}"));
    }
    if let Some(o) = &c.organiser {
        facts.push(format!("Georganiseerd door: {o}"));
    }
    for fact in facts {
        let ids = p.text(BODY, &fact);
        structure.push(Node::Group(Kind::P, leaves(ids)));
        p.y += 4.0;
    }
    p.y += 40.0;
    let issued = p.text(ORG, &format!("Afgegeven op {} via Kapstok", c.issued));
    structure.push(Node::Group(Kind::P, leaves(issued)));
    let layout = Layout {
        leaf_count: p.leaves,
        pages: vec![p.out],
        structure: vec![Node::Group(Kind::Part, structure)],
        outline: Vec::new(),
        places: Places::default(),
    };
    crate::pdf::write_document(
        &format!("Bewijs van deelname – {}", c.title.trim()),
        "nl-NL",
        &fonts,
        layout,
    )
}
