//! Signalen: bottlenecks seen in practice (a waiting list for respite, an offer nobody knows,
//! no offer in an area…), passed on to an organisation or the municipality, which acknowledges,
//! answers and closes them while the sender follows. A signal is about a situation, never a
//! person: names are not asked for, and a text holding what looks like a BSN, an e-mail address
//! or a phone number is refused. The rules here are plain (no I/O).

use crate::editing::{Problem, Problems, Typed};
use jiff::civil::Date;
use serde::Deserialize;

/// A theme of signals, from the data file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    pub code: String,
    pub label: String,
    pub label_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignalLists {
    pub themes: Vec<Theme>,
}

impl SignalLists {
    pub fn parse(name: &str, text: &str) -> Result<SignalLists, String> {
        let lists: SignalLists =
            toml::from_str(text).map_err(|e| format!("{name}: {}", e.message()))?;
        let mut seen = std::collections::BTreeSet::new();
        for t in &lists.themes {
            let plain = !t.code.is_empty()
                && t.code.len() <= 40
                && t.code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !plain {
                return Err(format!(
                    "{name}: theme code {:?} is not a plain code",
                    t.code
                ));
            }
            if !seen.insert(t.code.as_str()) {
                return Err(format!("{name}: theme {} twice", t.code));
            }
        }
        if lists.themes.is_empty() {
            return Err(format!("{name}: no themes"));
        }
        Ok(lists)
    }

    pub fn theme(&self, code: &str) -> Option<&Theme> {
        self.themes.iter().find(|t| t.code == code)
    }
}

impl Default for SignalLists {
    fn default() -> Self {
        SignalLists::parse(
            "defaults/signalen.toml",
            include_str!("../defaults/signalen.toml"),
        )
        .expect("the shipped themes are valid")
    }
}

/// Where a signal is in its loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SignalState {
    /// Sent, not yet seen to.
    Open,
    /// The receiver has taken it up.
    Acknowledged,
    /// The receiver answered.
    Answered,
    Closed,
}

impl SignalState {
    pub const ALL: [SignalState; 4] = [
        SignalState::Open,
        SignalState::Acknowledged,
        SignalState::Answered,
        SignalState::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SignalState::Open => "open",
            SignalState::Acknowledged => "acknowledged",
            SignalState::Answered => "answered",
            SignalState::Closed => "closed",
        }
    }

    pub fn parse(code: &str) -> Option<SignalState> {
        SignalState::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// What the receiver does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalStep {
    Acknowledge,
    Answer,
    Close,
    /// Open again after closing.
    Reopen,
}

impl SignalStep {
    pub fn parse(code: &str) -> Option<SignalStep> {
        match code {
            "oppakken" => Some(SignalStep::Acknowledge),
            "beantwoorden" => Some(SignalStep::Answer),
            "sluiten" => Some(SignalStep::Close),
            "heropenen" => Some(SignalStep::Reopen),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            SignalStep::Acknowledge => "oppakken",
            SignalStep::Answer => "beantwoorden",
            SignalStep::Close => "sluiten",
            SignalStep::Reopen => "heropenen",
        }
    }
}

/// The state after `step` from `from`; `None`: not a step from there.
pub fn next(from: SignalState, step: SignalStep) -> Option<SignalState> {
    use SignalState::*;
    match (from, step) {
        (Open, SignalStep::Acknowledge) => Some(Acknowledged),
        (Open | Acknowledged | Answered, SignalStep::Answer) => Some(Answered),
        (Open | Acknowledged | Answered, SignalStep::Close) => Some(Closed),
        (Closed, SignalStep::Reopen) => Some(Acknowledged),
        _ => None,
    }
}

/// The steps open from `state`, in the order a page offers them.
pub fn steps(state: SignalState) -> Vec<SignalStep> {
    [
        SignalStep::Acknowledge,
        SignalStep::Answer,
        SignalStep::Close,
        SignalStep::Reopen,
    ]
    .into_iter()
    .filter(|s| next(state, *s).is_some())
    .collect()
}

/// Whom a signal goes to: the municipality, or a team (an organisation's).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Addressee {
    Municipality,
    Team(String),
}

pub const MUNICIPALITY: &str = "gemeente";

impl Addressee {
    pub fn code(&self) -> &str {
        match self {
            Addressee::Municipality => MUNICIPALITY,
            Addressee::Team(t) => t,
        }
    }

    pub fn parse(code: &str) -> Addressee {
        if code == MUNICIPALITY {
            Addressee::Municipality
        } else {
            Addressee::Team(code.to_string())
        }
    }
}

/// A signal as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    pub id: String,
    /// `S-2026-0007`.
    pub reference: String,
    pub theme: String,
    pub area: Option<String>,
    /// The period it was seen in (local dates, inclusive).
    pub from: Date,
    pub to: Date,
    pub text: String,
    pub sender_user: Option<String>,
    /// The team the sender acted in (shown to the receiver instead of the person).
    pub sender_team: Option<String>,
    pub addressee: Addressee,
    pub state: SignalState,
    pub answer: Option<String>,
    /// Similar signals share a group name.
    pub group: Option<String>,
    pub created_at: String,
    pub acknowledged_at: Option<String>,
    pub answered_at: Option<String>,
    pub closed_at: Option<String>,
}

/// What was found that a signal must not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalData {
    Bsn,
    Email,
    Phone,
}

/// What looks like personal data in `text`: a BSN (nine digits passing the 11-test), an e-mail
/// address (a word with `@` and a dot after it), or a phone number (a run of at least nine
/// digits, spaces, dashes, dots, slashes or brackets allowed between them, as `06-12345678`,
/// `0591 123 456`, `+31 6 1234 5678`). Dates, years and counts have fewer digits.
pub fn personal_data(text: &str) -> Option<PersonalData> {
    if crate::referral::find_bsn(text).is_some() {
        return Some(PersonalData::Bsn);
    }
    let email = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '<' | '>' | '(' | ')'))
        .any(|w| {
            w.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.trim_end_matches('.').contains('.')
            })
        });
    if email {
        return Some(PersonalData::Email);
    }
    let mut digits = 0;
    let mut gap = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits += 1;
            gap = 0;
            if digits >= 9 {
                return Some(PersonalData::Phone);
            }
        } else if matches!(c, ' ' | '-' | '.' | '/' | '(' | ')' | '+') && digits > 0 && gap < 2 {
            gap += 1;
        } else if c == '+' {
            gap = 0;
        } else {
            digits = 0;
            gap = 0;
        }
    }
    None
}

pub const TEXT_MAX: usize = 2_000;
pub const ANSWER_MAX: usize = 2_000;
pub const GROUP_MAX: usize = 80;

/// A new signal's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignalForm {
    pub theme: String,
    pub area: Option<String>,
    pub from: Date,
    pub to: Date,
    pub text: String,
    pub addressee: Addressee,
}

fn refusal(p: PersonalData) -> Problem {
    match p {
        PersonalData::Bsn => Problem::HoldsBsn,
        PersonalData::Email => Problem::HoldsEmail,
        PersonalData::Phone => Problem::HoldsPhone,
    }
}

/// A text (a signal's, or an answer) with no personal data, within `max`.
pub fn clean_text(f: Typed, key: &'static str, max: usize, p: &mut Problems) -> String {
    let text = f.get(key).unwrap_or_default().to_string();
    if text.is_empty() {
        p.push((key, Problem::Required));
    } else if text.chars().count() > max {
        p.push((key, Problem::TooLong(max)));
    } else if let Some(found) = personal_data(&text) {
        p.push((key, refusal(found)));
    }
    text
}

/// The form (`theme`, `area`, `from`, `to`, `text`, `addressee`, and the box `no_personal`
/// that says it holds no personal data), against the themes, the deployment's area codes and
/// the addressees one may choose; `today` fills an empty period.
pub fn signal_form(
    f: Typed,
    lists: &SignalLists,
    areas: &[String],
    addressees: &[String],
    today: Date,
) -> Result<SignalForm, Problems> {
    let mut p = Problems::new();
    let theme = f.get("theme").unwrap_or_default().to_string();
    if lists.theme(&theme).is_none() {
        p.push(("theme", Problem::Required));
    }
    let area = f.get("area").map(str::to_string);
    if area.as_ref().is_some_and(|a| !areas.contains(a)) {
        p.push(("area", Problem::UnknownTag));
    }
    let mut day = |key: &'static str, default: Date| match f.get(key) {
        None => default,
        Some(t) => crate::activity_form::date_of(t).unwrap_or_else(|| {
            p.push((key, Problem::NotADate));
            default
        }),
    };
    let to = day("to", today);
    let from = day("from", to.first_of_month());
    if from > to {
        p.push(("to", Problem::EndBeforeStart));
    }
    let text = clean_text(f, "text", TEXT_MAX, &mut p);
    let addressee = f.get("addressee").unwrap_or_default().to_string();
    if !addressees.contains(&addressee) {
        p.push(("addressee", Problem::Required));
    }
    if f.get("no_personal").is_none() {
        p.push(("no_personal", Problem::Required));
    }
    if !p.is_empty() {
        return Err(p);
    }
    Ok(SignalForm {
        theme,
        area,
        from,
        to,
        text,
        addressee: Addressee::parse(&addressee),
    })
}

/// The reference of the `number`-th signal of `year`: `S-2026-0007`.
pub fn reference(year: i16, number: i64) -> String {
    format!("S-{year}-{number:04}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn personal_data_is_found_and_ordinary_numbers_are_not() {
        for (text, found) in [
            ("Mevrouw met BSN 111 222 333 wacht", Some(PersonalData::Bsn)),
            (
                "mail jan.jansen@example.org even",
                Some(PersonalData::Email),
            ),
            ("bel 06-12345678 terug", Some(PersonalData::Phone)),
            ("tel. 0591 123 456", Some(PersonalData::Phone)),
            ("+31 6 1234 5678", Some(PersonalData::Phone)),
            ("(0591) 12 34 56", Some(PersonalData::Phone)),
            (
                "Sinds 01-09-2026 wachten 12 mantelzorgers in 2026 op respijt",
                None,
            ),
            (
                "Wachttijd 6-8 weken, 3 aanvragen per week, postcode 7891",
                None,
            ),
            ("Kosten €1.250,00 per maand", None),
            ("Vraag het Zorgloket @ gemeente", None),
        ] {
            assert_eq!(personal_data(text), found, "{text}");
        }
    }

    #[test]
    fn the_form_is_checked_and_names_every_problem() {
        let lists = SignalLists::default();
        let areas = vec!["de-velden".to_string()];
        let to = vec!["gemeente".to_string(), "team-1".to_string()];
        let today = date(2026, 12, 7);
        let ok = signal_form(
            Typed(&pairs(&[
                ("theme", "wachtlijst-respijtzorg"),
                ("area", "de-velden"),
                (
                    "text",
                    "Dagopvang in Klazienaveen heeft een wachtlijst van 8 weken.",
                ),
                ("addressee", "gemeente"),
                ("no_personal", "1"),
            ])),
            &lists,
            &areas,
            &to,
            today,
        )
        .unwrap();
        assert_eq!(ok.from, date(2026, 12, 1));
        assert_eq!(ok.to, today);
        assert_eq!(ok.addressee, Addressee::Municipality);
        let bad = signal_form(
            Typed(&pairs(&[
                ("theme", "onzin"),
                ("area", "mars"),
                ("from", "31-12-2026"),
                ("to", "01-12-2026"),
                ("text", "Mevrouw Jansen, 06 12 34 56 78, wacht"),
                ("addressee", "team-9"),
            ])),
            &lists,
            &areas,
            &to,
            today,
        )
        .unwrap_err();
        assert_eq!(
            bad,
            vec![
                ("theme", Problem::Required),
                ("area", Problem::UnknownTag),
                ("to", Problem::EndBeforeStart),
                ("text", Problem::HoldsPhone),
                ("addressee", Problem::Required),
                ("no_personal", Problem::Required),
            ]
        );
    }

    #[test]
    fn the_loop_goes_forward_and_can_be_opened_again() {
        assert_eq!(
            next(SignalState::Open, SignalStep::Acknowledge),
            Some(SignalState::Acknowledged)
        );
        assert_eq!(
            next(SignalState::Acknowledged, SignalStep::Acknowledge),
            None
        );
        assert_eq!(
            next(SignalState::Answered, SignalStep::Close),
            Some(SignalState::Closed)
        );
        assert_eq!(steps(SignalState::Closed), vec![SignalStep::Reopen]);
        assert_eq!(SignalStep::parse("sluiten"), Some(SignalStep::Close));
        assert_eq!(reference(2026, 7), "S-2026-0007");
    }
}
