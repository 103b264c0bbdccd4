//! Reading an HSDS 3 document: every problem is reported with the record, its id and the field,
//! and a document with any problem is refused as a whole.

use crate::fields::{NestedIds, check_record};
use crate::geo::{Bounds, GeoPoint, Postcode};
use crate::model::{
    Directory, Location, LocationId, Organization, Service, Taxonomy, TaxonomyTerm,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    /// Where in the document: `services[3]`.
    pub record: String,
    pub id: Option<String>,
    pub field: String,
    pub message: String,
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.id {
            Some(id) => write!(
                f,
                "{} (id {id}), field {}: {}",
                self.record, self.field, self.message
            ),
            None => write!(f, "{}, field {}: {}", self.record, self.field, self.message),
        }
    }
}

/// Ids already in the database, so a partial document may refer to them.
#[derive(Debug, Default)]
pub struct KnownIds {
    pub taxonomies: HashSet<String>,
    pub taxonomy_terms: HashSet<String>,
    pub organizations: HashSet<String>,
}

const LOCATION_TYPES: [&str; 3] = ["physical", "postal", "virtual"];

/// Parses and checks an HSDS document. `Ok` means it can be stored as it is.
pub fn parse_directory(text: &str, known: &KnownIds) -> Result<Directory, Vec<ImportProblem>> {
    // Windows tools start UTF-8 files with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let root: Value = serde_json::from_str(text).map_err(|e| {
        vec![ImportProblem {
            record: "document".into(),
            id: None,
            field: "-".into(),
            message: format!(
                "not valid JSON (line {}, column {}): {e}",
                e.line(),
                e.column()
            ),
        }]
    })?;
    let Value::Object(mut root) = root else {
        return Err(vec![problem(
            "document",
            None,
            "-",
            "expected a JSON object with the lists taxonomies, taxonomy_terms, organizations and services",
        )]);
    };
    let mut problems = Vec::new();
    let mut ids = NestedIds::default();
    let mut dir = Directory {
        taxonomies: records(&mut root, "taxonomies", &mut ids, &mut problems),
        taxonomy_terms: records(&mut root, "taxonomy_terms", &mut ids, &mut problems),
        organizations: records(&mut root, "organizations", &mut ids, &mut problems),
        services: records(&mut root, "services", &mut ids, &mut problems),
    };
    for key in root.keys() {
        problems.push(problem(
            key,
            None,
            "-",
            "unknown list; expected taxonomies, taxonomy_terms, organizations or services",
        ));
    }
    problems.extend(check_directory(&mut dir, known));
    if problems.is_empty() {
        Ok(dir)
    } else {
        Err(problems)
    }
}

fn problem(record: &str, id: Option<&str>, field: &str, message: &str) -> ImportProblem {
    ImportProblem {
        record: record.into(),
        id: id.map(Into::into),
        field: field.into(),
        message: message.into(),
    }
}

fn records<T: DeserializeOwned>(
    root: &mut serde_json::Map<String, Value>,
    key: &str,
    ids: &mut NestedIds,
    problems: &mut Vec<ImportProblem>,
) -> Vec<T> {
    let Some(value) = root.remove(key) else {
        return Vec::new();
    };
    let Value::Array(items) = value else {
        problems.push(problem(key, None, "-", "expected a list"));
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let id = item.get("id").and_then(Value::as_str).map(str::to_owned);
        let before = problems.len();
        check_record(key, i, &item, ids, problems);
        let mut item = item;
        if problems[before..].iter().any(|p| p.field == "status")
            && let Some(status) = item.get_mut("status")
        {
            // Reported already; a neutral value lets the record's other checks still run.
            *status = Value::from("inactive");
        }
        match serde_json::from_value::<T>(item) {
            Ok(v) => out.push(v),
            Err(e) => {
                let message = e.to_string();
                let field = field_of(&message);
                problems.push(ImportProblem {
                    record: format!("{key}[{i}]"),
                    id,
                    field,
                    message,
                });
            }
        }
    }
    out
}

/// serde_json says "missing field `name`" or "invalid type: …"; pull the field name out when it is there.
fn field_of(message: &str) -> String {
    message
        .split('`')
        .nth(1)
        .filter(|_| message.contains("field"))
        .unwrap_or("-")
        .to_string()
}

fn is_date(s: &str) -> bool {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).is_ok()
}

fn is_timestamp(s: &str) -> bool {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok()
}

/// Cross-record rules: unique ids, references that resolve, values in range.
pub fn check_directory(dir: &mut Directory, known: &KnownIds) -> Vec<ImportProblem> {
    let mut p = Vec::new();
    let taxonomy_ids = unique_ids(
        &dir.taxonomies,
        "taxonomies",
        |t: &Taxonomy| t.id.as_str(),
        &mut p,
    );
    let term_ids = unique_ids(
        &dir.taxonomy_terms,
        "taxonomy_terms",
        |t: &TaxonomyTerm| t.id.as_str(),
        &mut p,
    );
    let org_ids = unique_ids(
        &dir.organizations,
        "organizations",
        |o: &Organization| o.id.as_str(),
        &mut p,
    );
    unique_ids(
        &dir.services,
        "services",
        |s: &Service| s.id.as_str(),
        &mut p,
    );

    let mut roles = HashSet::new();
    for (i, t) in dir.taxonomies.iter().enumerate() {
        let rec = format!("taxonomies[{i}]");
        if let Some(role) = t.kapstok_role
            && !roles.insert(role)
        {
            p.push(problem(
                &rec,
                Some(&t.id),
                "kapstok_role",
                &format!("role {role:?} is given to two taxonomies"),
            ));
        }
        if t.name.trim().is_empty() {
            p.push(problem(&rec, Some(&t.id), "name", "must not be empty"));
        }
    }
    let mut codes = HashSet::new();
    for (i, t) in dir.taxonomy_terms.iter().enumerate() {
        let rec = format!("taxonomy_terms[{i}]");
        if t.name.trim().is_empty() {
            p.push(problem(&rec, Some(&t.id), "name", "must not be empty"));
        }
        if let Some(tax) = &t.taxonomy_id {
            if !taxonomy_ids.contains(tax.as_str()) && !known.taxonomies.contains(tax.as_str()) {
                p.push(problem(
                    &rec,
                    Some(&t.id),
                    "taxonomy_id",
                    &format!("unknown taxonomy {tax}"),
                ));
            }
            if let Some(code) = &t.code
                && !codes.insert((tax.clone(), code.clone()))
            {
                p.push(problem(
                    &rec,
                    Some(&t.id),
                    "code",
                    &format!("code {code} is used twice in one taxonomy"),
                ));
            }
        }
        if let Some(parent) = &t.parent_id
            && !term_ids.contains(parent.as_str())
            && !known.taxonomy_terms.contains(parent.as_str())
        {
            p.push(problem(
                &rec,
                Some(&t.id),
                "parent_id",
                &format!("unknown taxonomy term {parent}"),
            ));
        }
    }
    for (i, o) in dir.organizations.iter().enumerate() {
        if o.name.trim().is_empty() {
            p.push(problem(
                &format!("organizations[{i}]"),
                Some(&o.id),
                "name",
                "must not be empty",
            ));
        }
    }

    let mut locations: HashMap<LocationId, (String, Location)> = HashMap::new();
    for (i, s) in dir.services.iter_mut().enumerate() {
        let rec = format!("services[{i}]");
        let id = Some(s.id.as_str());
        if s.name.trim().is_empty() {
            p.push(problem(&rec, id, "name", "must not be empty"));
        }
        if !org_ids.contains(s.organization_id.as_str())
            && !known.organizations.contains(s.organization_id.as_str())
        {
            p.push(problem(
                &rec,
                id,
                "organization_id",
                &format!("unknown organization {}", s.organization_id),
            ));
        }
        if let Some(d) = &s.assured_date
            && !is_date(d)
        {
            p.push(problem(
                &rec,
                id,
                "assured_date",
                "must be a date like 2026-11-01",
            ));
        }
        if let Some(d) = &s.last_modified
            && !is_timestamp(d)
        {
            p.push(problem(
                &rec,
                id,
                "last_modified",
                "must be an RFC 3339 timestamp like 2026-11-01T09:00:00Z",
            ));
        }
        if let (Some(min), Some(max)) = (s.minimum_age, s.maximum_age)
            && min > max
        {
            p.push(problem(&rec, id, "minimum_age", "is above maximum_age"));
        }
        let mut seen_terms = HashSet::new();
        for (j, a) in s.attributes.iter_mut().enumerate() {
            let t = &a.taxonomy_term_id;
            if !term_ids.contains(t.as_str()) && !known.taxonomy_terms.contains(t.as_str()) {
                p.push(problem(
                    &rec,
                    id,
                    &format!("attributes[{j}].taxonomy_term_id"),
                    &format!("unknown taxonomy term {t}"),
                ));
            }
            if !seen_terms.insert(t.clone()) {
                p.push(problem(
                    &rec,
                    id,
                    &format!("attributes[{j}].taxonomy_term_id"),
                    &format!("taxonomy term {t} is linked twice"),
                ));
            }
        }
        for (j, sal) in s.service_at_locations.iter().enumerate() {
            let field = format!("service_at_locations[{j}].location");
            check_location(&sal.location, &rec, id, &field, &mut p);
            match locations.get(&sal.location.id) {
                Some((first, loc)) if *loc != sal.location => p.push(problem(
                    &rec,
                    id,
                    &field,
                    &format!(
                        "location {} differs from the one in {first}",
                        sal.location.id
                    ),
                )),
                Some(_) => {}
                None => {
                    locations.insert(sal.location.id.clone(), (rec.clone(), sal.location.clone()));
                }
            }
        }
    }
    p
}

fn check_location(
    l: &Location,
    rec: &str,
    id: Option<&str>,
    field: &str,
    p: &mut Vec<ImportProblem>,
) {
    if !LOCATION_TYPES.contains(&l.location_type.as_str()) {
        p.push(problem(
            rec,
            id,
            &format!("{field}.location_type"),
            "must be physical, postal or virtual",
        ));
    }
    match (l.latitude, l.longitude) {
        (Some(lat), Some(lon)) if GeoPoint::new(lat, lon).is_none() => p.push(problem(
            rec,
            id,
            &format!("{field}.latitude"),
            "coordinates out of range",
        )),
        (Some(_), None) | (None, Some(_)) => p.push(problem(
            rec,
            id,
            &format!("{field}.longitude"),
            "latitude and longitude go together",
        )),
        _ => {}
    }
    let in_nl = l
        .addresses
        .iter()
        .any(|a| a.country.eq_ignore_ascii_case("NL"));
    if let (true, Some(lat), Some(lon)) = (in_nl, l.latitude, l.longitude)
        && let Some(point) = GeoPoint::new(lat, lon)
        && !Bounds::NETHERLANDS.contains(&point)
    {
        p.push(problem(
            rec,
            id,
            &format!("{field}.latitude"),
            &format!(
                "{lat}, {lon} lies outside the Netherlands, but the address is in NL (latitude and longitude swapped?)"
            ),
        ));
    }
    for (k, a) in l.addresses.iter().enumerate() {
        if a.country.eq_ignore_ascii_case("NL") && Postcode::parse(&a.postal_code).is_err() {
            p.push(problem(
                rec,
                id,
                &format!("{field}.addresses[{k}].postal_code"),
                &format!("'{}' is not a Dutch postcode (1234 AB)", a.postal_code),
            ));
        }
    }
}

fn unique_ids<'a, T>(
    items: &'a [T],
    list: &str,
    id_of: impl Fn(&'a T) -> &'a str,
    p: &mut Vec<ImportProblem>,
) -> HashSet<&'a str> {
    let mut seen = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let id = id_of(item);
        if id.trim().is_empty() {
            p.push(problem(
                &format!("{list}[{i}]"),
                None,
                "id",
                "must not be empty",
            ));
        } else if !seen.insert(id) {
            p.push(problem(
                &format!("{list}[{i}]"),
                Some(id),
                "id",
                "duplicate id in this document",
            ));
        }
    }
    seen
}
