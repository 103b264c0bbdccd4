use std::path::PathBuf;
use std::process::Command;

use crate::layout::{self, Item, Kind, Mark, Node, sort_key};
use crate::text::{Fonts, paragraphs, wrap};
use crate::{Booklet, BookletError, Entry, Labels, Section, render};

const FUNCTIONS: [&str; 4] = [
    "Informatie en advies",
    "Emotionele steun",
    "Respijtzorg – even vrij van de zorg",
    "Financiële regelingen",
];

/// A realistic booklet: `per_section` entries in each of the four sections, with Dutch text
/// (ë, é, ï, €, en dashes, curly quotes), long descriptions and an overlong web address.
pub(crate) fn sample(per_section: usize) -> Booklet {
    let sections = FUNCTIONS
        .iter()
        .enumerate()
        .map(|(s, title)| Section {
            title: (*title).to_owned(),
            entries: (0..per_section).map(|e| entry(s, e)).collect(),
        })
        .collect();
    Booklet {
        title: "Mantelzorgwijzer Emmen".into(),
        subtitle: "De Velden".into(),
        printed_on: "7 december 2026".into(),
        lang: "nl-NL".into(),
        intro: "Zorgt u voor iemand in uw omgeving die ziek is, een beperking heeft of ouder \
                wordt? Dan bent u mantelzorger. In dit boekje staat de ondersteuning die er in \
                de gemeente voor u is: informatie, een luisterend oor, even vrij (respijtzorg) \
                en geldzaken. Bel gerust: de consulenten denken met u mee, ook als u niet \
                precies weet wat u zoekt."
            .into(),
        sections,
        labels: Labels::dutch(),
    }
}

fn entry(s: usize, e: usize) -> Entry {
    let names = [
        "Mantelzorgcafé",
        "Dagopvang ’t Hofje",
        "Logeerhuis De Eik",
        "Steunpunt Mantelzorg",
        "Wmo-loket",
        "Oppascentrale",
        "Ééndaagse cursus ‘Omgaan met dementie’",
        "Naïeve vragen-spreekuur",
        "Financieel café",
        "Vrijwillige thuishulp",
    ];
    let name = format!("{} {}", names[(s * 3 + e) % names.len()], e + 1);
    let sentences = [
        "Een plek waar mantelzorgers elkaar ontmoeten, ervaringen delen en tips uitwisselen.",
        "Elke maand is er een thema, bijvoorbeeld ‘zorg en werk’, ‘de dagbesteding kiezen’ of ‘wat als ik zelf ziek word?’.",
        "Een consulent van het steunpunt is erbij en beantwoordt vragen over regelingen, zoals de mantelzorgwaardering en respijtzorg.",
        "Koffie en thee staan klaar; u hoeft zich niet aan te melden en mag iemand meenemen.",
        "Wie dat wil, krijgt na afloop een gesprek van een half uur met een vrijwilliger die zelf mantelzorger is geweest.",
        "De bijeenkomsten zijn in het buurthuis, dat goed bereikbaar is met de bus en een invalidenparkeerplaats heeft.",
    ];
    // Every entry its own text (rotated sentences, numbered), so lines are not all alike.
    let rotated: Vec<&str> = (0..sentences.len())
        .map(|k| sentences[(k + s + e) % sentences.len()])
        .collect();
    let long = format!("Aanbod {}.{}: {}", s + 1, e + 1, rotated.join(" "));
    let what = if e.is_multiple_of(3) {
        format!("{long}\n{}", rotated[..3].join(" "))
    } else {
        long
    };
    Entry {
        name,
        organization: format!("Stichting Welzijn De Velden (locatie {})", e + 1),
        what,
        for_whom: Some("Mantelzorgers van een naaste met dementie, niet-aangeboren hersenletsel of een chronische ziekte".into()),
        cost: e.is_multiple_of(2).then(|| "Gratis; de eigen bijdrage is € 2,50 per dagdeel – vergoed via de Wmo".into()),
        apply: (e % 4 != 1).then(|| "Zelf aanmelden of via de huisarts, praktijkondersteuner of Wmo-consulent".into()),
        contact: vec![
            "0591 – 68 50 00".into(),
            "info@welzijndevelden.nl".into(),
            "https://www.welzijndevelden-emmen.nl/ondersteuning/mantelzorg/activiteitenkalender-en-aanmeldformulier".into(),
            "Hoofdstraat 12, 7811 EP Emmen".into(),
        ],
    }
}

fn empty() -> Booklet {
    Booklet {
        sections: Vec::new(),
        ..sample(0)
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

fn tool(name: &str) -> bool {
    Command::new(name).arg("-v").output().is_ok()
}

fn write_temp(name: &str, pdf: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kapstok-booklet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    path
}

#[test]
fn sample_is_tagged_pdf_ua() {
    let pdf = render(&sample(10)).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(contains(&pdf, "/StructTreeRoot"));
    assert!(contains(&pdf, "/MarkInfo"));
    assert!(
        contains(&pdf, "pdfuaid"),
        "PDF/UA identifier in the XMP metadata"
    );
    assert!(contains(&pdf, "/DisplayDocTitle true"));
    assert!(contains(&pdf, "/Lang"));
    assert!(contains(&pdf, "/Outlines"));
}

#[test]
fn empty_booklet_renders() {
    let pdf = render(&empty()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(contains(&pdf, "/StructTreeRoot"));
    // Sections without entries: no register, but contents and chapters.
    let mut b = sample(0);
    b.intro.clear();
    b.subtitle.clear();
    let pdf = render(&b).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
}

#[test]
fn missing_title_or_language_is_an_error() {
    let mut b = empty();
    b.title = "  ".into();
    assert!(matches!(render(&b), Err(BookletError::MissingTitle)));
    let mut b = empty();
    b.lang.clear();
    assert!(matches!(render(&b), Err(BookletError::MissingLanguage)));
}

#[test]
fn characters_outside_the_fonts_are_replaced_not_fatal() {
    let mut b = sample(1);
    b.sections[0].entries[0].what = "Met een glimlach 😀, een BOM \u{FEFF} en ✓ vinkje".into();
    b.sections[0].entries[0].name = "Naam\u{AD}loos\u{200B}".into();
    assert!(render(&b).unwrap().starts_with(b"%PDF-"));
}

#[test]
fn fonts_cover_dutch() {
    let fonts = Fonts::load().unwrap();
    for c in "ëéïöüèáó€–—‘’“”…·ÉËÏ €".chars() {
        assert!(fonts.regular.covers(c), "regular lacks {c:?}");
        assert!(fonts.bold.covers(c), "bold lacks {c:?}");
    }
    let text = "Financiële ‘regelingen’ – € 2,50";
    assert_eq!(fonts.clean(text), text);
}

#[test]
fn wrapping_respects_the_width_and_keeps_every_character() {
    let fonts = Fonts::load().unwrap();
    let text = "Een plek waar mantelzorgers elkaar ontmoeten, ervaringen delen en tips \
                uitwisselen: https://www.welzijndevelden-emmen.nl/ondersteuning/mantelzorg \
                Supercalifragilisticexpialidociousmantelzorgondersteuningsregeling";
    for width in [60.0, 120.0, 300.0] {
        let lines = wrap(&fonts.regular, 11.0, text, width);
        assert!(lines.len() > 1);
        for line in &lines {
            assert!(
                line.width <= width + 0.01,
                "{} > {width}: {:?}",
                line.width,
                line.text
            );
            assert!(!line.text.starts_with(' ') && !line.text.ends_with(' '));
        }
        let joined: String = lines.iter().map(|l| l.text.as_str()).collect();
        let expected: String = text.chars().filter(|c| *c != ' ').collect();
        assert_eq!(joined.replace(' ', ""), expected);
    }
    // Hyphenated words break after the hyphen when needed.
    let lines = wrap(
        &fonts.regular,
        11.0,
        "Wmo-consulent",
        fonts.regular.width("Wmo-con", 11.0),
    );
    assert_eq!(lines[0].text, "Wmo-");
    assert!(paragraphs("a\n\n b \n").eq(["a", "b"]));
}

fn count_leaves(node: &Node) -> usize {
    match node {
        Node::Leaf(_) => 1,
        Node::Group(_, children) => children.iter().map(count_leaves).sum(),
    }
}

fn find_kinds<'n>(node: &'n Node, out: &mut Vec<&'n Kind>) {
    if let Node::Group(kind, children) = node {
        out.push(kind);
        for c in children {
            find_kinds(c, out);
        }
    }
}

#[test]
fn layout_places_sections_on_new_pages_and_never_strands_headings() {
    let b = sample(10);
    let fonts = Fonts::load().unwrap();
    let l = layout::layout(&b, &fonts).unwrap();
    // Every leaf exactly once in the structure, every content item a leaf.
    let in_tree: usize = l.structure.iter().map(count_leaves).sum();
    assert_eq!(in_tree, l.leaf_count);
    let mut kinds = Vec::new();
    for n in &l.structure {
        find_kinds(n, &mut kinds);
    }
    for k in [
        Kind::Toc,
        Kind::TocItem,
        Kind::Index,
        Kind::List,
        Kind::ListItem,
        Kind::Part,
    ] {
        assert!(kinds.contains(&&k), "{k:?} missing");
    }
    // Sections start on distinct, increasing pages after the contents; entries flow.
    let places = &l.places;
    assert!(places.sections.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(places.sections[0], 2);
    assert!(places.index > *places.sections.last().unwrap());
    assert!(l.pages.len() > 12, "{} pages", l.pages.len());
    // Each entry heading has room below it for at least one more line on its page.
    for page in &l.pages {
        let texts: Vec<_> = page
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text {
                    baseline,
                    style,
                    mark: Mark::Content(_),
                    ..
                } => Some((*baseline, style.size)),
                _ => None,
            })
            .collect();
        if let Some(&(last_baseline, size)) = texts.last() {
            assert!(
                size <= 12.5,
                "page ends with a heading (size {size}) at {last_baseline}"
            );
        }
    }
}

#[test]
fn register_sorts_like_a_dutch_reader() {
    assert_eq!(sort_key("’t Hofje"), "hofje");
    assert_eq!(sort_key("'s-Hertogenbosch"), "hertogenbosch");
    assert!(sort_key("Ééndaagse cursus") < sort_key("Emmen"));
    assert!(sort_key("emotionele steun") < sort_key("Financieel café"));
    assert!(sort_key("Huis 2") < sort_key("Huis 12"));
    assert!(sort_key("Huis 12") < sort_key("Huis 12a"));
}

#[test]
fn poppler_sees_a_tagged_pdf_with_the_text() {
    if !tool("pdfinfo") || !tool("pdftotext") {
        println!("note: pdfinfo/pdftotext (poppler-utils) not installed; skipping these checks");
        return;
    }
    let pdf = render(&sample(10)).unwrap();
    let path = write_temp("sample.pdf", &pdf);
    let info = Command::new("pdfinfo").arg(&path).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    let field = |key: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .map(str::trim)
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(field("Tagged"), "yes", "{info}");
    assert_eq!(
        field("Title"),
        "Mantelzorgwijzer Emmen – De Velden",
        "{info}"
    );
    assert_eq!(field("Page size"), "595.276 x 841.89 pts (A4)", "{info}");
    let text = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    for needle in [
        "Mantelzorgwijzer Emmen",
        "Inhoud",
        "Financiële regelingen",
        "Mantelzorgcafé 1",
        "Dagopvang ’t Hofje",
        "€ 2,50",
        "Register",
        "Gedrukt op 7 december 2026",
        "blz. 3",
    ] {
        assert!(text.contains(needle), "pdftotext lacks {needle:?}");
    }
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

/// `cargo test -p kapstok-booklet --release -- --ignored --nocapture timing`
#[test]
#[ignore = "timing; run in release"]
fn timing_300_entries() {
    let b = sample(75);
    let fonts = Fonts::load().unwrap();
    let start = std::time::Instant::now();
    let l = layout::layout(&b, &fonts).unwrap();
    println!(
        "layout alone: {:?} for {} pages",
        start.elapsed(),
        l.pages.len()
    );
    let start = std::time::Instant::now();
    let pdf = render(&b).unwrap();
    let elapsed = start.elapsed();
    let path = write_temp("big.pdf", &pdf);
    println!(
        "300 entries: {} bytes in {elapsed:?} ({})",
        pdf.len(),
        path.display()
    );
}

#[test]
fn long_contents_and_overlong_entries_flow_over_pages() {
    let mut b = sample(1);
    b.sections = (0..60)
        .map(|i| Section {
            title: format!("Hoofdstuk {} met een titel die lang genoeg is om soms af te breken over twee regels in de inhoudsopgave", i + 1),
            entries: vec![entry(i % 4, i)],
        })
        .collect();
    b.sections[5].entries[0].what = "Heel lange beschrijving. ".repeat(400);
    let fonts = Fonts::load().unwrap();
    let l = layout::layout(&b, &fonts).unwrap();
    // The contents take more than one page, so the first chapter starts later.
    assert!(l.places.sections[0] > 2, "{:?}", l.places.sections);
    // The overlong entry takes several pages: the next chapter starts pages later.
    assert!(l.places.sections[6] - l.places.sections[5] >= 3);
    let pdf = render(&b).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
}
