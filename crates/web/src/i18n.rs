//! Interface texts in Dutch (first) and English, from Fluent files in `locales/`.

use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "nl",
        // Unicode isolation marks would end up as invisible characters in the HTML.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static NL: LanguageIdentifier = langid!("nl");
static EN: LanguageIdentifier = langid!("en");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Nl,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }
    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::Nl => Lang::En,
            Lang::En => Lang::Nl,
        }
    }
    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Nl => &NL,
            Lang::En => &EN,
        }
    }
}

/// The translator templates call: `{{ tr.t("search-button") }}`.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(self.lang.id(), key)
    }
    /// Whether a key exists in a language (without falling back).
    pub fn has(lang: Lang, key: &str) -> bool {
        LOCALES.try_lookup(lang.id(), key).is_some()
    }
}

/// Every message id of a locale file, for the completeness test.
pub fn keys(lang: Lang) -> Vec<String> {
    let text = match lang {
        Lang::Nl => include_str!("../locales/nl/main.ftl"),
        Lang::En => include_str!("../locales/en/main.ftl"),
    };
    text.lines()
        .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_string()))
        .filter(|k| !k.is_empty() && !k.starts_with('#'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_exists_in_both_languages() {
        for lang in [Lang::Nl, Lang::En] {
            for key in keys(lang) {
                assert!(
                    Tr::has(lang.other(), &key),
                    "{key} is missing in {}",
                    lang.other().code()
                );
            }
        }
        assert_eq!(Tr { lang: Lang::En }.t("search-button"), "Search");
        assert_eq!(Tr { lang: Lang::Nl }.t("search-button"), "Zoeken");
    }
}
