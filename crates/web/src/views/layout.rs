//! What every page shares: language, title, the demo banner, the language switch.

use crate::extract::Visitor;
use crate::extract::params::query_string;
use crate::i18n::{Lang, Tr};

pub struct Layout {
    pub tr: Tr,
    pub lang: Lang,
    pub title: String,
    pub demo: bool,
    pub switch_href: String,
    /// On the professional side: who is signed in, and their session's form token (for the
    /// sign-out button in the header).
    pub me: Option<Me>,
}

pub struct Me {
    pub name: String,
    pub csrf: String,
}

impl Layout {
    pub fn new(visitor: &Visitor, title: impl Into<String>, demo: bool) -> Self {
        let back = visitor.path_and_query.as_str();
        Layout {
            tr: Tr { lang: visitor.lang },
            lang: visitor.lang,
            title: title.into(),
            demo,
            switch_href: format!(
                "/taal/{}{}",
                visitor.lang.other().code(),
                query_string([("terug", back)])
            ),
            me: None,
        }
    }

    /// A page of the professional side, for someone signed in.
    pub fn signed_in(visitor: &Visitor, title: impl Into<String>, demo: bool, me: Me) -> Self {
        Layout {
            me: Some(me),
            ..Layout::new(visitor, title, demo)
        }
    }

    /// For error pages, where the request may be unusable.
    pub fn plain(lang: Lang, title: &str) -> Self {
        Layout {
            tr: Tr { lang },
            lang,
            title: title.into(),
            demo: false,
            switch_href: format!("/taal/{}", lang.other().code()),
            me: None,
        }
    }
}

const MONTHS_NL: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `2026-03-12` → `12 maart 2026`.
pub fn long_date(iso: &str, lang: Lang) -> String {
    let parts: Vec<&str> = iso.get(..10).unwrap_or(iso).split('-').collect();
    match parts.as_slice() {
        [y, m, d] => match (m.parse::<usize>(), d.parse::<u32>()) {
            (Ok(m @ 1..=12), Ok(d)) => {
                let month = if lang == Lang::En {
                    MONTHS_EN[m - 1]
                } else {
                    MONTHS_NL[m - 1]
                };
                format!("{d} {month} {y}")
            }
            _ => iso.to_string(),
        },
        _ => iso.to_string(),
    }
}

/// `2.345` → `2,3 km` (Dutch decimal comma) or `2.3 km`.
pub fn distance(km: f64, lang: Lang) -> String {
    let s = if km < 10.0 {
        format!("{km:.1}")
    } else {
        format!("{km:.0}")
    };
    let s = if lang == Lang::Nl {
        s.replace('.', ",")
    } else {
        s
    };
    format!("{s} km")
}

/// `€ 7,50`.
pub fn euro(amount: f64, lang: Lang) -> String {
    let s = format!("{amount:.2}");
    if lang == Lang::Nl {
        format!("€ {}", s.replace('.', ","))
    } else {
        format!("€{s}")
    }
}

/// A `tel:` link target from a written number.
pub fn tel_href(number: &str) -> String {
    let digits: String = number
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    format!("tel:{digits}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates_distances_and_money_the_dutch_way() {
        assert_eq!(long_date("2026-03-12", Lang::Nl), "12 maart 2026");
        assert_eq!(long_date("2026-03-12T09:00:00Z", Lang::En), "12 March 2026");
        assert_eq!(long_date("rubbish", Lang::Nl), "rubbish");
        assert_eq!(distance(2.345, Lang::Nl), "2,3 km");
        assert_eq!(distance(12.6, Lang::En), "13 km");
        assert_eq!(euro(7.5, Lang::Nl), "€ 7,50");
        assert_eq!(tel_href("0591 000 123"), "tel:0591000123");
    }
}
