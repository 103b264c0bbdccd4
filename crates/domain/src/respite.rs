//! The Respijtzorgwijzer as data: questions, funding routes, the rules that open routes for a
//! situation, and which social-map facets an offer is matched on. Which questions carry the age,
//! the condition and the kind of break is data too (a question's `role`), so no question id or
//! facet key is written in code. Matching an offer is a pure function over the offer's facts.

use crate::data_file::{FileError, error_at, parse_toml};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct GuideFile {
    title: String,
    intro: String,
    urgent: Spanned<Urgent>,
    #[serde(default)]
    matching: Matching,
    #[serde(rename = "question")]
    questions: Vec<Spanned<Question>>,
    #[serde(rename = "route")]
    routes: Vec<Spanned<Route>>,
    #[serde(rename = "rule")]
    rules: Vec<Spanned<Rule>>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Urgent {
    /// The question and answer that mean "I need help today".
    pub question: String,
    pub answer: String,
    pub title: String,
    pub text: String,
    /// Social-map filters (facet key → term codes) for whom to call.
    pub filters: BTreeMap<String, Vec<String>>,
}

/// Which facets of the social map an offer is matched on.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Matching {
    /// Offers are services with this term (facet key and code), e.g. `functie` / `respijtzorg`.
    pub function_facet: String,
    pub function: String,
    /// The facet whose codes are the answers of the `break` question (`respijtvorm`).
    pub break_facet: String,
    /// The facet whose codes are the answers of the `condition` question (`aandoening`).
    pub condition_facet: String,
    /// The facet whose codes are route ids (`financiering`).
    pub funding_facet: String,
}

impl Default for Matching {
    /// The facet keys of Kapstok's standard taxonomies (a guide without `[matching]`).
    fn default() -> Self {
        Matching {
            function_facet: "functie".into(),
            function: "respijtzorg".into(),
            break_facet: "respijtvorm".into(),
            condition_facet: "aandoening".into(),
            funding_facet: "financiering".into(),
        }
    }
}

/// Query keys the guide's pages use themselves; no question may be called so.
const RESERVED_IDS: [&str; 1] = ["stap"];

/// What a question's answer means for matching offers.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The age of the person cared for; options may be marked `minor`.
    Age,
    /// The main condition; option ids are codes of the condition facet, or marked `any`.
    Condition,
    /// The kind of break; option ids are codes of the break facet.
    Break,
}

/// The facts of one offer that matching looks at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OfferFacts<'a> {
    /// Codes of the condition facet; none: the offer is for any condition.
    pub conditions: Vec<&'a str>,
    /// Codes of the funding facet.
    pub funding: Vec<&'a str>,
    pub minimum_age: Option<i64>,
    pub maximum_age: Option<i64>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum QuestionKind {
    #[default]
    Choice,
    Postcode,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub help: Option<String>,
    #[serde(default)]
    pub kind: QuestionKind,
    #[serde(default)]
    pub optional: bool,
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub options: Vec<Choice>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: String,
    pub label: String,
    /// For the age question: the person cared for is under 18.
    #[serde(default)]
    pub minor: bool,
    /// For the condition question: any condition (offers for every condition fit).
    #[serde(default)]
    pub any: bool,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// A code of the `financiering` taxonomy.
    pub id: String,
    pub label: String,
    /// One plain sentence: who pays and how.
    pub explanation: String,
    /// Whom to contact.
    pub next_step: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    #[serde(default)]
    pub note: Option<String>,
    /// Question id → answers for which the rule applies; empty: always.
    #[serde(default)]
    pub when: BTreeMap<String, Vec<String>>,
    pub routes: Vec<String>,
    /// Route id → a more specific next step for this situation.
    #[serde(default)]
    pub next_step: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RespiteGuide {
    pub title: String,
    pub intro: String,
    pub urgent: Urgent,
    pub matching: Matching,
    pub questions: Vec<Question>,
    pub routes: Vec<Route>,
    pub rules: Vec<Rule>,
}

/// Answers by question id.
pub type Answers = HashMap<String, String>;

/// A funding route open to this situation, with what to do next.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenRoute<'a> {
    pub route: &'a Route,
    pub next_step: &'a str,
}

pub const DEFAULT_GUIDE: &str = include_str!("../defaults/respijtwijzer.toml");

impl RespiteGuide {
    /// Reads and checks a guide: unknown fields, rules naming questions, answers or routes that
    /// do not exist, duplicate ids, an urgent answer that is no option.
    pub fn parse(file: &str, text: &str) -> Result<RespiteGuide, FileError> {
        let f: GuideFile = parse_toml(file, text)?;
        let at = |span: std::ops::Range<usize>, msg: String| error_at(file, text, span.start, msg);
        let mut seen = std::collections::HashSet::new();
        for q in &f.questions {
            let question = q.get_ref();
            if !seen.insert(question.id.as_str()) {
                return Err(at(
                    q.span(),
                    format!("question id {} is used twice", question.id),
                ));
            }
            match question.kind {
                QuestionKind::Choice if question.options.len() < 2 => {
                    return Err(at(
                        q.span(),
                        format!("question {} needs at least two options", question.id),
                    ));
                }
                QuestionKind::Postcode if !question.options.is_empty() => {
                    return Err(at(
                        q.span(),
                        format!(
                            "question {} asks a postcode and has no options",
                            question.id
                        ),
                    ));
                }
                _ => {}
            }
            let mut option_ids = std::collections::HashSet::new();
            if let Some(o) = question
                .options
                .iter()
                .find(|o| !option_ids.insert(o.id.as_str()))
            {
                return Err(at(
                    q.span(),
                    format!("question {}: option {} is used twice", question.id, o.id),
                ));
            }
        }
        if let Some(q) = f
            .questions
            .iter()
            .find(|q| RESERVED_IDS.contains(&q.get_ref().id.as_str()))
        {
            return Err(at(
                q.span(),
                format!("question id {} is reserved; choose another", q.get_ref().id),
            ));
        }
        let mut roles = std::collections::HashSet::new();
        for q in &f.questions {
            if let Some(role) = q.get_ref().role
                && !roles.insert(role)
            {
                return Err(at(
                    q.span(),
                    format!("role {role:?} is given to two questions"),
                ));
            }
        }
        if !roles.contains(&Role::Break) {
            return Err(at(
                0..0,
                "no question has role = \"break\" (the kind of break the offers are grouped by)"
                    .into(),
            ));
        }
        let question = |id: &str| {
            f.questions
                .iter()
                .map(Spanned::get_ref)
                .find(|q| q.id == id)
        };
        let urgent = f.urgent.get_ref();
        match question(&urgent.question) {
            Some(q) if q.options.iter().any(|o| o.id == urgent.answer) => {}
            _ => {
                return Err(at(
                    f.urgent.span(),
                    format!(
                        "urgent: question {} has no option {}",
                        urgent.question, urgent.answer
                    ),
                ));
            }
        }
        let mut route_ids = std::collections::HashSet::new();
        for r in &f.routes {
            if !route_ids.insert(r.get_ref().id.as_str()) {
                return Err(at(
                    r.span(),
                    format!("route id {} is used twice", r.get_ref().id),
                ));
            }
        }
        for r in &f.rules {
            let rule = r.get_ref();
            if rule.routes.is_empty() {
                return Err(at(r.span(), "a rule needs at least one route".into()));
            }
            for (qid, answers) in &rule.when {
                let Some(q) = question(qid) else {
                    return Err(at(
                        r.span(),
                        format!("rule names question {qid}, which does not exist"),
                    ));
                };
                if let Some(a) = answers
                    .iter()
                    .find(|a| !q.options.iter().any(|o| &o.id == *a))
                {
                    return Err(at(
                        r.span(),
                        format!(
                            "rule names answer {a} of question {qid}, which is not one of its options"
                        ),
                    ));
                }
            }
            for route in rule.routes.iter().chain(rule.next_step.keys()) {
                if !route_ids.contains(route.as_str()) {
                    return Err(at(
                        r.span(),
                        format!("rule names route {route}, which is not defined as a [[route]]"),
                    ));
                }
            }
        }
        Ok(RespiteGuide {
            title: f.title,
            intro: f.intro,
            urgent: f.urgent.into_inner(),
            matching: f.matching,
            questions: f.questions.into_iter().map(Spanned::into_inner).collect(),
            routes: f.routes.into_iter().map(Spanned::into_inner).collect(),
            rules: f.rules.into_iter().map(Spanned::into_inner).collect(),
        })
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// Problems with a set of answers: unknown option ids (keyed by question id).
    pub fn invalid_answers(&self, answers: &Answers) -> Vec<&Question> {
        self.questions
            .iter()
            .filter(|q| q.kind == QuestionKind::Choice)
            .filter(|q| {
                answers
                    .get(&q.id)
                    .is_some_and(|a| !q.options.iter().any(|o| &o.id == a))
            })
            .collect()
    }

    /// The chosen option of the question with this role.
    fn choice(&self, role: Role, answers: &Answers) -> Option<&Choice> {
        let q = self.questions.iter().find(|q| q.role == Some(role))?;
        let a = answers.get(&q.id)?;
        q.options.iter().find(|o| &o.id == a)
    }

    /// The kind of break asked for: a code of the break facet.
    pub fn chosen_break(&self, answers: &Answers) -> Option<&str> {
        self.choice(Role::Break, answers).map(|c| c.id.as_str())
    }

    /// The funding routes through which this offer fits the situation, in guide order; empty
    /// when it does not fit. An offer fits when it is for the condition (or names none, or any
    /// condition was answered), its age limits allow the person cared for (minor or adult), and
    /// one of its funding routes is open.
    pub fn routes_for_offer(&self, answers: &Answers, offer: &OfferFacts) -> Vec<OpenRoute<'_>> {
        let condition = self.choice(Role::Condition, answers);
        let condition_fits = offer.conditions.is_empty()
            || condition.is_none_or(|c| c.any || offer.conditions.contains(&c.id.as_str()));
        let age_fits = match self.choice(Role::Age, answers) {
            Some(c) if c.minor => offer.minimum_age.is_none_or(|min| min < 18),
            Some(_) => offer.maximum_age.is_none_or(|max| max >= 18),
            None => true,
        };
        if !(condition_fits && age_fits) {
            return Vec::new();
        }
        self.open_routes(answers)
            .into_iter()
            .filter(|o| offer.funding.contains(&o.route.id.as_str()))
            .collect()
    }

    /// Whether this is the urgent situation.
    pub fn is_urgent(&self, answers: &Answers) -> bool {
        answers.get(&self.urgent.question) == Some(&self.urgent.answer)
    }

    fn applies(rule: &Rule, answers: &Answers) -> bool {
        rule.when
            .iter()
            .all(|(q, allowed)| answers.get(q).is_some_and(|a| allowed.contains(a)))
    }

    /// The funding routes open to this situation, in the order the guide lists them, each with
    /// the most specific next step a matching rule gives.
    pub fn open_routes(&self, answers: &Answers) -> Vec<OpenRoute<'_>> {
        let matching: Vec<&Rule> = self
            .rules
            .iter()
            .filter(|r| Self::applies(r, answers))
            .collect();
        self.routes
            .iter()
            .filter(|route| matching.iter().any(|r| r.routes.contains(&route.id)))
            .map(|route| {
                // A rule with more conditions is more specific and wins.
                let next_step = matching
                    .iter()
                    .filter_map(|r| {
                        r.next_step
                            .get(&route.id)
                            .map(|s| (r.when.len(), s.as_str()))
                    })
                    .max_by_key(|(n, _)| *n)
                    .map_or(route.next_step.as_str(), |(_, s)| s);
                OpenRoute { route, next_step }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guide() -> RespiteGuide {
        RespiteGuide::parse("respijtwijzer.toml", DEFAULT_GUIDE).unwrap()
    }

    fn answers(pairs: &[(&str, &str)]) -> Answers {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn route_ids(g: &RespiteGuide, a: &Answers) -> Vec<String> {
        g.open_routes(a)
            .iter()
            .map(|r| r.route.id.clone())
            .collect()
    }

    #[test]
    fn every_combination_of_answers_opens_at_least_one_route() {
        let g = guide();
        let choice: Vec<&Question> = g
            .questions
            .iter()
            .filter(|q| q.kind == QuestionKind::Choice)
            .collect();
        let mut combos: Vec<Answers> = vec![Answers::new()];
        for q in &choice {
            combos = combos
                .into_iter()
                .flat_map(|a| {
                    q.options.iter().map(move |o| {
                        let mut a = a.clone();
                        a.insert(q.id.clone(), o.id.clone());
                        a
                    })
                })
                .collect();
        }
        assert_eq!(combos.len(), 2 * 3 * 8 * 5 * 3 * 6);
        for a in &combos {
            let routes = route_ids(&g, a);
            assert!(!routes.is_empty(), "{a:?}");
            assert!(
                routes.contains(&"gratis".to_string()),
                "volunteers never need an indication: {a:?}"
            );
            let child = a["leeftijd"] == "kind";
            assert_eq!(
                routes.contains(&"wmo".to_string()),
                !child && a["regeling"] != "wlz" && a["regeling"] != "jeugdwet",
                "{a:?}"
            );
            if child && a["regeling"] != "wlz" {
                assert!(routes.contains(&"jeugdwet".to_string()), "{a:?}");
            }
            if a["regeling"] == "wlz" {
                assert!(routes.contains(&"wlz".to_string()), "{a:?}");
            }
        }
    }

    #[test]
    fn offers_fit_by_condition_age_and_open_route() {
        let g = guide();
        let a = answers(&[
            ("urgent", "nee"),
            ("leeftijd", "kind"),
            ("aandoening", "dementie"),
            ("pauze", "logeren"),
            ("hoe-vaak", "wekelijks"),
            ("regeling", "geen"),
        ]);
        assert_eq!(g.chosen_break(&a), Some("logeren"));
        let free = OfferFacts {
            funding: vec!["gratis"],
            ..OfferFacts::default()
        };
        let ids = |offer: &OfferFacts| -> Vec<String> {
            g.routes_for_offer(&a, offer)
                .iter()
                .map(|o| o.route.id.clone())
                .collect()
        };
        assert_eq!(ids(&free), vec!["gratis"], "no condition named: fits");
        let other_condition = OfferFacts {
            conditions: vec!["ggz"],
            ..free.clone()
        };
        assert!(ids(&other_condition).is_empty());
        let adults_only = OfferFacts {
            minimum_age: Some(18),
            ..free.clone()
        };
        assert!(ids(&adults_only).is_empty(), "a child is not offered 18+");
        let closed_route = OfferFacts {
            funding: vec!["wlz"],
            ..OfferFacts::default()
        };
        assert!(ids(&closed_route).is_empty(), "no Wlz indication");
        let mut any = a.clone();
        any.insert("aandoening".into(), "meerdere".into());
        any.insert("leeftijd".into(), "oudere".into());
        assert_eq!(
            g.routes_for_offer(&any, &other_condition).len(),
            1,
            "any condition"
        );
        let children_only = OfferFacts {
            maximum_age: Some(17),
            ..free
        };
        assert!(g.routes_for_offer(&any, &children_only).is_empty());
    }

    #[test]
    fn a_guide_needs_a_break_question_and_no_reserved_ids() {
        let no_break = DEFAULT_GUIDE.replace("role = \"break\"\n", "");
        let e = RespiteGuide::parse("r.toml", &no_break).unwrap_err();
        assert!(e.message.contains("role = \"break\""), "{e}");
        let reserved = DEFAULT_GUIDE.replace("id = \"hoe-vaak\"", "id = \"stap\"");
        let e = RespiteGuide::parse("r.toml", &reserved).unwrap_err();
        assert!(e.message.contains("stap is reserved"), "{e}");
        // A guide without [matching] uses the standard facet keys.
        let cut = DEFAULT_GUIDE
            .split("[matching]")
            .next()
            .unwrap()
            .to_string()
            + "[[question]]"
            + DEFAULT_GUIDE.split_once("[[question]]").unwrap().1;
        let g = RespiteGuide::parse("r.toml", &cut).unwrap();
        assert_eq!(g.matching, Matching::default());
    }

    #[test]
    fn a_role_is_given_to_one_question_only() {
        let twice = DEFAULT_GUIDE.replace(
            "id = \"pauze\"\nrole = \"break\"",
            "id = \"pauze\"\nrole = \"age\"",
        );
        assert!(twice != DEFAULT_GUIDE);
        let e = RespiteGuide::parse("r.toml", &twice).unwrap_err();
        assert!(
            e.message.contains("role Age is given to two questions"),
            "{e}"
        );
    }

    #[test]
    fn real_rules_for_known_situations() {
        let g = guide();
        /// (answers, routes that must be open, routes that must not, (route, words of its next step))
        type Case<'a> = (
            &'a [(&'a str, &'a str)],
            &'a [&'a str],
            &'a [&'a str],
            Option<(&'a str, &'a str)>,
        );
        let table: &[Case] = &[
            // child, overnight, no arrangement → Jeugdwet (not Wmo), jeugdconsulent
            (
                &[
                    ("leeftijd", "kind"),
                    ("pauze", "logeren"),
                    ("regeling", "geen"),
                    ("aandoening", "verstandelijke-beperking"),
                ],
                &["jeugdwet", "gratis"],
                &["wmo", "wlz"],
                Some(("jeugdwet", "jeugdconsulent")),
            ),
            // child with Wlz, overnight → Wlz through the zorgkantoor
            (
                &[
                    ("leeftijd", "kind"),
                    ("pauze", "logeren"),
                    ("regeling", "wlz"),
                ],
                &["wlz", "jeugdwet"],
                &["wmo"],
                Some(("wlz", "zorgkantoor")),
            ),
            // adult with Wlz, overnight → zorgkantoor
            (
                &[
                    ("leeftijd", "oudere"),
                    ("pauze", "logeren"),
                    ("regeling", "wlz"),
                ],
                &["wlz"],
                &["wmo"],
                Some(("wlz", "zorgkantoor")),
            ),
            // older person, day programme, no indication → Wmo via the Wmo-toegang
            (
                &[
                    ("leeftijd", "oudere"),
                    ("pauze", "dagprogramma"),
                    ("regeling", "geen"),
                ],
                &["wmo", "gratis"],
                &["wlz", "jeugdwet"],
                Some(("wmo", "Wmo-toegang / steunpunt")),
            ),
            // volunteer help at home needs no indication
            (
                &[
                    ("leeftijd", "volwassene"),
                    ("pauze", "thuis-uren"),
                    ("regeling", "weet-niet"),
                ],
                &["gratis", "wmo"],
                &["wlz"],
                Some(("gratis", "vrijwilligersorganisatie")),
            ),
            // night care in the last phase → health insurance
            (
                &[
                    ("leeftijd", "oudere"),
                    ("pauze", "nachtzorg"),
                    ("aandoening", "palliatief"),
                    ("regeling", "geen"),
                ],
                &["zvw"],
                &[],
                Some(("zvw", "huisarts")),
            ),
        ];
        for (given, has, lacks, step) in table {
            let a = answers(given);
            let ids = route_ids(&g, &a);
            for r in *has {
                assert!(
                    ids.iter().any(|i| i == r),
                    "{given:?} should open {r}: {ids:?}"
                );
            }
            for r in *lacks {
                assert!(
                    !ids.iter().any(|i| i == r),
                    "{given:?} should not open {r}: {ids:?}"
                );
            }
            if let Some((route, words)) = step {
                let open = g.open_routes(&a);
                let next = open
                    .iter()
                    .find(|o| o.route.id == *route)
                    .unwrap()
                    .next_step;
                assert!(
                    next.contains(words),
                    "{given:?}: next step for {route} is '{next}'"
                );
            }
        }
    }

    #[test]
    fn bad_guides_are_refused_with_file_and_line() {
        let unknown_question = DEFAULT_GUIDE.replace(
            "when = { regeling = [\"wlz\"] }",
            "when = { regelingen = [\"wlz\"] }",
        );
        let e = RespiteGuide::parse("r.toml", &unknown_question).unwrap_err();
        assert!(e.message.contains("regelingen"), "{e}");
        assert_eq!(e.file, "r.toml");
        let line = DEFAULT_GUIDE
            .lines()
            .position(|l| l.contains("Met een Wlz-indicatie gaat respijtzorg"))
            .unwrap();
        assert!(
            (line..=line + 1).contains(&e.line),
            "{e} (rule starts near line {line})"
        );

        let unknown_route = DEFAULT_GUIDE.replace(
            "routes = [\"zvw\"]\n\n[[rule]]",
            "routes = [\"zvw\", \"lotto\"]\n\n[[rule]]",
        );
        assert!(
            RespiteGuide::parse("r.toml", &unknown_route)
                .unwrap_err()
                .message
                .contains("lotto")
        );

        let unknown_field = DEFAULT_GUIDE.replace(
            "title = \"Respijtzorgwijzer\"",
            "title = \"Respijtzorgwijzer\"\ncolour = 1",
        );
        let e = RespiteGuide::parse("r.toml", &unknown_field).unwrap_err();
        assert!(e.message.contains("colour"), "{e}");
        assert_eq!(
            e.line,
            DEFAULT_GUIDE
                .lines()
                .position(|l| l.starts_with("title ="))
                .unwrap()
                + 2
        );

        let bad_answer = DEFAULT_GUIDE.replace(
            "when = { leeftijd = [\"kind\"], pauze = [\"logeren\"] }",
            "when = { leeftijd = [\"baby\"], pauze = [\"logeren\"] }",
        );
        assert!(
            RespiteGuide::parse("r.toml", &bad_answer)
                .unwrap_err()
                .message
                .contains("baby")
        );
    }
}
