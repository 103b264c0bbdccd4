//! Rules every field of imported records obeys, whatever record it sits in: a size limit per
//! field, links that are only web addresses, e-mail addresses that are only addresses, and ids
//! that are unique per kind of record. Checked on the JSON tree before it becomes the model, so
//! no field can slip through because a struct forgot to check it.
//!
//! Limits (characters), by field name:
//!
//! | fields | limit |
//! |---|---|
//! | `description`, `application_process`, `eligibility_description`, `fees_description`, `kapstok_referral`, `alert`, `notes`, `transportation`, `details`, `amount_description`, `wait_time`, `kapstok_source` | 10,000 |
//! | `url`, `website`, `uri`, `term_uri` (only `http://` or `https://`) | 2,000 |
//! | `email`, `assurer_email` (an e-mail address) | 254 |
//! | `number` (phone) | 50 |
//! | `id` and every `…_id` | 250 |
//! | `name`, `alternate_name`, `title`, `department`, `address_1`, `address_2`, `city`, and every other text | 1,000 |

use crate::hsds::ImportProblem;
use crate::model::ServiceStatus;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

const LONG_TEXT: [&str; 12] = [
    "description",
    "application_process",
    "eligibility_description",
    "fees_description",
    "kapstok_referral",
    "alert",
    "notes",
    "transportation",
    "details",
    "amount_description",
    "wait_time",
    "kapstok_source",
];
const LINK_FIELDS: [&str; 4] = ["url", "website", "uri", "term_uri"];
const EMAIL_FIELDS: [&str; 2] = ["email", "assurer_email"];

/// The most characters a field of this name may hold.
pub fn max_chars(field: &str) -> usize {
    if LONG_TEXT.contains(&field) {
        10_000
    } else if LINK_FIELDS.contains(&field) {
        2_000
    } else if EMAIL_FIELDS.contains(&field) {
        254
    } else if field == "number" {
        50
    } else if field == "id" || field.ends_with("_id") {
        250
    } else {
        1_000
    }
}

/// The address when it is a plain `http(s)://host…` web address; anything else (`javascript:`,
/// `data:`, relative paths, addresses with spaces or control characters) is `None`.
pub fn web_link(s: &str) -> Option<&str> {
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &s[8..]
    } else if lower.starts_with("http://") {
        &s[7..]
    } else {
        return None;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let clean = s
        .chars()
        .all(|c| !c.is_control() && !c.is_whitespace() && !"\"<>\\`{}|^".contains(c));
    (clean && !host.is_empty() && !host.starts_with('@')).then_some(s)
}

/// Whether this is one e-mail address (`name@domain.tld`), safe behind `mailto:`.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let ok_char = |c: char| c.is_alphanumeric() || "._%+-!#$&'*/=^`{|}~".contains(c);
    !local.is_empty()
        && local.chars().all(ok_char)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
}

/// Drops links and e-mail addresses that are not what they say from a service and what it holds,
/// for records stored before these checks existed: nothing but `http(s)` and real addresses
/// leaves Kapstok, through pages or the API.
pub fn clean_service(s: &mut crate::model::Service) {
    clean_link(&mut s.url);
    clean_email(&mut s.email);
    clean_email(&mut s.assurer_email);
    for c in &mut s.contacts {
        clean_email(&mut c.email);
    }
}

/// The same for an organisation.
pub fn clean_organization(o: &mut crate::model::Organization) {
    clean_link(&mut o.website);
    clean_email(&mut o.email);
    for c in &mut o.contacts {
        clean_email(&mut c.email);
    }
}

fn clean_link(v: &mut Option<String>) {
    if v.as_deref().is_some_and(|u| web_link(u).is_none()) {
        *v = None;
    }
}

fn clean_email(v: &mut Option<String>) {
    if v.as_deref().is_some_and(|e| !is_email(e)) {
        *v = None;
    }
}

/// Checks every field of one top-level record (`rec`, e.g. `services[3]`) and every record
/// nested in it. `ids` collects ids per kind of record over the whole document; a location
/// (with what it holds) repeated identically in another service is one shared record, not a
/// duplicate.
pub fn check_record(
    rec: &str,
    record: &Value,
    ids: &mut NestedIds,
    problems: &mut Vec<ImportProblem>,
) {
    let id = record.get("id").and_then(Value::as_str).map(str::to_owned);
    let mut walk = Walk {
        rec,
        id: id.as_deref(),
        ids,
        problems,
    };
    if let Value::Object(map) = record {
        for (key, value) in map {
            walk.value(key, key, value, 0);
        }
    }
}

/// Ids seen per kind of nested record (`phones`, `service_at_locations`, `location`…), with
/// where they were first seen, and the location ids seen.
#[derive(Default)]
pub struct NestedIds {
    seen: HashMap<String, HashMap<String, (String, u64)>>,
    locations: HashSet<String>,
    /// Compiled HSDS repeats a record wherever it belongs (one phone under the service, its
    /// contact and its location): then an id seen again with the same content is the same
    /// record. Kapstok's own export never repeats one, so there an id seen twice is an error.
    same_record_may_repeat: bool,
}

impl NestedIds {
    pub fn for_compiled_records() -> Self {
        NestedIds {
            same_record_may_repeat: true,
            ..NestedIds::default()
        }
    }
}

fn fingerprint(v: &Value) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    v.to_string().hash(&mut h);
    h.finish()
}

struct Walk<'a> {
    rec: &'a str,
    id: Option<&'a str>,
    ids: &'a mut NestedIds,
    problems: &'a mut Vec<ImportProblem>,
}

const MAX_DEPTH: usize = 8;

impl Walk<'_> {
    fn problem(&mut self, field: &str, message: String) {
        self.problems.push(ImportProblem {
            record: self.rec.to_string(),
            id: self.id.map(str::to_owned),
            field: field.to_string(),
            message,
        });
    }

    /// `path` is the field as shown in messages (`phones[1].number`), `key` its own name.
    fn value(&mut self, path: &str, key: &str, value: &Value, depth: usize) {
        if depth > MAX_DEPTH {
            self.problem(path, "is nested too deeply".into());
            return;
        }
        match value {
            Value::String(s) => self.text(path, key, s),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let p = format!("{path}[{i}]");
                    if let Value::Object(_) = item {
                        self.record(&p, key, item, depth + 1);
                    } else {
                        self.value(&p, key, item, depth + 1);
                    }
                }
            }
            Value::Object(_) => self.record(path, key, value, depth + 1),
            _ => {}
        }
    }

    fn record(&mut self, path: &str, key: &str, value: &Value, depth: usize) {
        let Value::Object(map) = value else { return };
        if let Some(id) = map.get("id").and_then(Value::as_str) {
            if key == "location" {
                // A shared location seen before: its nested records were checked already (a
                // different record under that id is reported by the document check, with
                // where it was first seen).
                if !self.ids.locations.insert(id.to_string()) {
                    return;
                }
            }
            let here = format!("{} {}", self.rec, path);
            let print = if self.ids.same_record_may_repeat {
                fingerprint(value)
            } else {
                0
            };
            let may_repeat = self.ids.same_record_may_repeat;
            let seen = self.ids.seen.entry(key.to_string()).or_default();
            match seen.get(id) {
                Some((_, first_print)) if may_repeat && *first_print == print => return,
                Some((first, _)) => {
                    let message = format!("id {id} is used twice (first in {first})");
                    self.problem(&format!("{path}.id"), message);
                }
                None => {
                    seen.insert(id.to_string(), (here, print));
                }
            }
        }
        for (k, v) in map {
            self.value(&format!("{path}.{k}"), k, v, depth);
        }
    }

    fn text(&mut self, path: &str, key: &str, s: &str) {
        let max = max_chars(key);
        // Byte length first: cheap, and never below the character count.
        if s.len() > max && s.chars().count() > max {
            self.problem(
                path,
                format!("is longer than {max} characters ({})", s.chars().count()),
            );
            return;
        }
        if LINK_FIELDS.contains(&key) && !s.trim().is_empty() && web_link(s).is_none() {
            self.problem(
                path,
                format!(
                    "'{}' is not a web address; only http:// and https:// links are accepted",
                    shorten(s)
                ),
            );
        }
        if key == "status" && path == "status" && ServiceStatus::parse(s).is_none() {
            let all: Vec<&str> = ServiceStatus::ALL.iter().map(|v| v.as_str()).collect();
            self.problem(path, format!("must be one of {}", all.join(", ")));
        }
        if EMAIL_FIELDS.contains(&key) && !s.trim().is_empty() && !is_email(s) {
            self.problem(path, format!("'{}' is not an e-mail address", shorten(s)));
        }
    }
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(60).filter(|c| !c.is_control()).collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_addresses_are_links() {
        for ok in [
            "https://example.nl",
            "http://example.nl/a?b=c",
            "HTTPS://Example.nl/",
        ] {
            assert_eq!(web_link(ok), Some(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "data:text/html,x",
            "vbscript:x",
            "//evil.example",
            "/relative",
            "https://",
            "https://@evil",
            "https://a b",
            "https://a\tb",
            "ftp://example.nl",
        ] {
            assert_eq!(web_link(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_email_addresses_are_mail_links() {
        assert!(is_email("info@steunpunt.example.nl"));
        for bad in [
            "javascript:alert(1)@x.nl",
            "a@b",
            "@b.nl",
            "a b@c.nl",
            "a@b.nl?subject=x",
            "a@b.nl\n",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
