#![forbid(unsafe_code)]
//! The printed Mantelzorgwijzer booklet as a tagged, accessible PDF (PDF/UA-1).
//!
//! [`render`] lays a [`Booklet`] out on A4 pages — cover, contents, one chapter per basic
//! function, register — and writes it with krilla, whose PDF/UA-1 validator must accept the
//! result. Fonts (Lato, SIL OFL 1.1) are compiled in; nothing is read or downloaded at run time.

mod certificate;
mod layout;
mod pdf;
mod text;

pub use certificate::{Certificate, certificate};

#[cfg(test)]
mod tests;

/// A booklet to print: a municipality's (or one area's) social map of carer support.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booklet {
    /// E.g. "Mantelzorgwijzer Emmen".
    pub title: String,
    /// E.g. "De Velden" or "Hele gemeente".
    pub subtitle: String,
    /// E.g. "7 december 2026", already formatted by the caller.
    pub printed_on: String,
    /// BCP 47 language tag of the text, e.g. "nl-NL".
    pub lang: String,
    /// One paragraph for the cover (line breaks start new paragraphs).
    pub intro: String,
    /// One per basic function, in the caller's order.
    pub sections: Vec<Section>,
    pub labels: Labels,
}

/// A chapter: one basic function with its services.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub entries: Vec<Entry>,
}

/// One service. Empty or `None` parts are left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    /// The service's name.
    pub name: String,
    pub organization: String,
    /// Description.
    pub what: String,
    pub for_whom: Option<String>,
    pub cost: Option<String>,
    /// How to apply / who may refer.
    pub apply: Option<String>,
    /// Lines: phone, e-mail, website, address.
    pub contact: Vec<String>,
}

/// The booklet's fixed words, so that the caller can translate them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Labels {
    pub contents: String,
    pub what: String,
    pub for_whom: String,
    pub cost: String,
    pub apply: String,
    pub contact: String,
    pub index: String,
    pub printed_on: String,
    /// Before a page number: "blz. 3".
    pub page: String,
}

impl Labels {
    /// Inhoud, Wat is het, Voor wie, Kosten, Aanmelden, Contact, Register, Gedrukt op, blz.
    pub fn dutch() -> Labels {
        Labels {
            contents: "Inhoud".into(),
            what: "Wat is het".into(),
            for_whom: "Voor wie".into(),
            cost: "Kosten".into(),
            apply: "Aanmelden".into(),
            contact: "Contact".into(),
            index: "Register".into(),
            printed_on: "Gedrukt op".into(),
            page: "blz.".into(),
        }
    }
}

/// Why a booklet could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum BookletError {
    /// The booklet has no title (PDF/UA requires a document title).
    #[error("the booklet has no title")]
    MissingTitle,
    /// The booklet has no language tag (PDF/UA requires the document language).
    #[error("the booklet has no language")]
    MissingLanguage,
    /// A bundled font could not be read (a broken build).
    #[error("cannot read the bundled font {0}")]
    Font(&'static str),
    /// Page layout failed.
    #[error("booklet layout failed: {0}")]
    Layout(String),
    /// krilla's PDF/UA-1 validator rejected the document; krilla's findings.
    #[error("the booklet is not valid PDF/UA-1: {0}")]
    Validation(String),
    /// krilla could not write the PDF.
    #[error("cannot write the booklet PDF: {0}")]
    Pdf(String),
}

/// Render the booklet as a tagged PDF/UA-1 document.
pub fn render(b: &Booklet) -> Result<Vec<u8>, BookletError> {
    if b.title.trim().is_empty() {
        return Err(BookletError::MissingTitle);
    }
    if b.lang.trim().is_empty() {
        return Err(BookletError::MissingLanguage);
    }
    let fonts = text::Fonts::load()?;
    let layout = layout::layout(b, &fonts)?;
    pdf::write(b, &fonts, layout)
}
