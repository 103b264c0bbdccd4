//! Drawing a [`Layout`] with krilla: pages, marked content, link annotations, the tag tree,
//! the outline and the metadata, under krilla's PDF/UA-1 validator.

use std::num::NonZeroU32;

use krilla::Document;
use krilla::SerializeSettings;
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::configure::{Accessibility, ConfigurationBuilder, ValidationError};
use krilla::destination::XyzDestination;
use krilla::error::KrillaError;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::{NumberingStyle, PageLabel, PageSettings};
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, ListNumbering, SpanTag, Tag, TagGroup, TagKind,
    TagTree,
};

use crate::layout::{Bookmark, Item, Kind, Layout, Mark, Node, PAGE_H, PAGE_W, Rgb};
use crate::text::Fonts;
use crate::{Booklet, BookletError};

pub(crate) fn write(b: &Booklet, fonts: &Fonts, layout: Layout) -> Result<Vec<u8>, BookletError> {
    let title = match b.subtitle.trim() {
        "" => b.title.trim().to_owned(),
        subtitle => format!("{} – {subtitle}", b.title.trim()),
    };
    write_document(&title, &b.lang, fonts, layout)
}

/// Any laid-out document with its title and language (the booklet, a certificate).
pub(crate) fn write_document(
    title: &str,
    lang: &str,
    fonts: &Fonts,
    layout: Layout,
) -> Result<Vec<u8>, BookletError> {
    let configuration = ConfigurationBuilder::new()
        .with_accessibility_validator(Accessibility::UA1)
        .finish()
        .map_err(|e| BookletError::Pdf(format!("PDF/UA-1 configuration: {e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        enable_tagging: true,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    let mut ids: Vec<Option<Identifier>> = vec![None; layout.leaf_count];

    for (index, page_out) in layout.pages.iter().enumerate() {
        let label = PageLabel::new(
            Some(NumberingStyle::Arabic),
            None,
            NonZeroU32::new(index as u32 + 1),
        );
        let page_settings = PageSettings::from_wh(PAGE_W, PAGE_H)
            .ok_or_else(|| BookletError::Pdf("invalid page size".into()))?
            .with_page_label(label);
        let mut page = document.start_page_with(page_settings);
        let mut surface = page.surface();
        for item in &page_out.items {
            draw(&mut surface, fonts, item, &mut ids);
        }
        surface.finish();
        for link in &page_out.links {
            let [l, t, r, bottom] = link.rect;
            let rect = Rect::from_ltrb(l, t, r, bottom)
                .ok_or_else(|| BookletError::Pdf("empty link area".into()))?;
            let target = XyzDestination::new(link.target, Point::from_xy(0.0, link.target_y));
            let annotation = LinkAnnotation::new(rect, Target::Destination(target.into()));
            let id = page
                .add_tagged_annotation(Annotation::new_link(annotation, Some(link.alt.clone())));
            ids[link.leaf] = Some(id);
        }
        page.finish();
    }

    let mut tree = TagTree::new().with_lang(Some(lang.to_string()));
    for node in &layout.structure {
        if let Some(node) = tag_node(node, &ids)? {
            tree.push(node);
        }
    }
    document.set_tag_tree(tree);

    let mut outline = Outline::new();
    for mark in &layout.outline {
        outline.push_child(outline_node(mark));
    }
    document.set_outline(outline);

    let metadata = Metadata::new()
        .title(title.to_string())
        .language(lang.to_string())
        .creator("Kapstok".into());
    document.set_metadata(metadata);

    document.finish().map_err(from_krilla)
}

fn fill(color: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

fn draw(surface: &mut Surface, fonts: &Fonts, item: &Item, ids: &mut [Option<Identifier>]) {
    match item {
        Item::Text {
            x,
            baseline,
            style,
            line,
            mark,
        } => {
            let tag = match mark {
                Mark::Content(_) => ContentTag::Span(SpanTag::empty()),
                Mark::Artifact(kind) => ContentTag::Artifact(Artifact::with_kind(*kind)),
            };
            surface.set_fill(Some(fill(style.color)));
            let id = surface.start_tagged(tag);
            surface.draw_glyphs(
                Point::from_xy(*x, *baseline),
                &line.glyphs,
                fonts.face(style.weight).font.clone(),
                &line.text,
                style.size,
                false,
            );
            surface.end_tagged();
            if let Mark::Content(leaf) = mark {
                ids[*leaf] = Some(id);
            }
        }
        Item::Rule { x, y, w, h } => {
            let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else {
                return;
            };
            let mut path = PathBuilder::new();
            path.push_rect(rect);
            let Some(path) = path.finish() else {
                return;
            };
            surface.set_fill(Some(fill(crate::layout::RULE)));
            surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(
                ArtifactType::Layout,
            )));
            surface.draw_path(&path);
            surface.end_tagged();
        }
    }
}

fn tag_kind(kind: &Kind) -> TagKind {
    match kind {
        Kind::Part => Tag::Part.into(),
        Kind::Sect => Tag::Section.into(),
        Kind::Heading(level, title) => Tag::Hn(*level, Some(title.clone())).into(),
        Kind::P => Tag::P.into(),
        Kind::Toc => Tag::TOC.into(),
        Kind::TocItem => Tag::TOCI.into(),
        Kind::Reference => Tag::Reference.into(),
        Kind::Link => Tag::Link.into(),
        Kind::Index => Tag::Index.into(),
        Kind::List => Tag::L(ListNumbering::None).into(),
        Kind::ListItem => Tag::LI.into(),
        Kind::Label => Tag::Lbl.into(),
        Kind::ListBody => Tag::LBody.into(),
    }
}

/// The krilla node for one structure node; empty groups are left out.
fn tag_node(
    node: &Node,
    ids: &[Option<Identifier>],
) -> Result<Option<krilla::tagging::Node>, BookletError> {
    match node {
        Node::Leaf(leaf) => ids
            .get(*leaf)
            .copied()
            .flatten()
            .map(|id| Some(id.into()))
            .ok_or_else(|| BookletError::Layout(format!("structure leaf {leaf} was never drawn"))),
        Node::Group(kind, children) => {
            let mut group = TagGroup::new(tag_kind(kind));
            for child in children {
                if let Some(child) = tag_node(child, ids)? {
                    group.push(child);
                }
            }
            Ok((!group.children.is_empty()).then(|| group.into()))
        }
    }
}

fn outline_node(mark: &Bookmark) -> OutlineNode {
    let destination = XyzDestination::new(mark.page, Point::from_xy(0.0, mark.y));
    let mut node = OutlineNode::new(mark.title.clone(), destination);
    for child in &mark.children {
        node.push_child(outline_node(child));
    }
    node
}

fn from_krilla(error: KrillaError) -> BookletError {
    match error {
        KrillaError::Validation(errors) => {
            let list = errors
                .iter()
                .map(|(e, _)| describe(e))
                .collect::<Vec<_>>()
                .join("; ");
            BookletError::Validation(list)
        }
        other => BookletError::Pdf(other.to_string()),
    }
}

fn describe(error: &ValidationError) -> String {
    match error {
        ValidationError::ContainsNotDefGlyph(_, _, text) => {
            format!("a character has no glyph in the font: {text:?}")
        }
        ValidationError::InvalidCodepointMapping(_, _, c, _) => {
            format!("invalid character U+{:04X}", u32::from(*c))
        }
        other => format!("{other:?}"),
    }
}
