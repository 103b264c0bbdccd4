//! Compiled HSDS records: a service with its organisation and taxonomy terms nested in it (as
//! other directories and the HSDS API publish them), taken apart into Kapstok's flat records on
//! the way in, and put together again on the way out.

use crate::geo::GeoPoint;
use crate::model::{Directory, Organization, Service, Taxonomy, TaxonomyTerm};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// One compiled service taken apart: the records nested in it, and the service itself with
/// references (`organization_id`, `taxonomy_term_id`, `taxonomy_id`) where the nesting was.
#[derive(Debug, Default)]
pub struct Parts {
    pub taxonomies: Vec<Value>,
    pub terms: Vec<Value>,
    pub organization: Option<Value>,
    pub service: Value,
}

/// A note on something taken leniently: the field (as in problems) and what was done.
pub type Note = (String, String);

/// Whether a record is a service (rather than an organisation): HSDS services always have a
/// status; organisations never do.
pub fn is_service(v: &Value) -> bool {
    [
        "status",
        "organization_id",
        "organization",
        "service_at_locations",
    ]
    .iter()
    .any(|k| v.get(k).is_some())
}

/// Takes a compiled service apart. `organization` is the id of the organisation it is nested
/// in, if any. With `lenient`, coordinates no place on earth has are dropped (with a note)
/// rather than refused: other directories' example data has them.
pub fn split_service(
    mut service: Value,
    organization: Option<&str>,
    lenient: bool,
    notes: &mut Vec<Note>,
) -> Parts {
    let mut parts = Parts::default();
    let Some(map) = service.as_object_mut() else {
        parts.service = service;
        return parts;
    };
    if let Some(Value::Object(mut org)) = map.remove("organization") {
        org.remove("services");
        if let Some(id) = org.get("id").cloned() {
            map.entry("organization_id").or_insert(id);
        }
        parts.organization = Some(Value::Object(org));
    }
    if let Some(id) = organization {
        map.entry("organization_id")
            .or_insert_with(|| Value::from(id));
    }
    if let Some(Value::Array(attributes)) = map.get_mut("attributes") {
        for attribute in attributes.iter_mut().filter_map(Value::as_object_mut) {
            let Some(Value::Object(mut term)) = attribute.remove("taxonomy_term") else {
                continue;
            };
            if let Some(id) = term.get("id").cloned() {
                attribute.entry("taxonomy_term_id").or_insert(id);
            }
            if let Some(Value::Object(detail)) = term.remove("taxonomy_detail") {
                if let Some(id) = detail.get("id").cloned() {
                    term.entry("taxonomy_id").or_insert(id);
                }
                parts.taxonomies.push(Value::Object(detail));
            }
            parts.terms.push(Value::Object(term));
        }
    }
    if lenient && let Some(Value::Array(sals)) = map.get_mut("service_at_locations") {
        for (j, sal) in sals.iter_mut().enumerate() {
            if let Some(Value::Object(location)) = sal.get_mut("location") {
                let field = format!("service_at_locations[{j}].location");
                drop_impossible_position(location, &field, notes);
            }
        }
    }
    parts.service = service;
    parts
}

/// Takes a compiled organisation apart: the organisation, and the services nested in it.
pub fn split_organization(mut organization: Value) -> (Value, Vec<Value>) {
    let services = match organization.as_object_mut().map(|m| m.remove("services")) {
        Some(Some(Value::Array(services))) => services,
        _ => Vec::new(),
    };
    (organization, services)
}

/// Coordinates outside the range of latitude and longitude, or only one of the two, are no
/// position: removed, with a note.
fn drop_impossible_position(location: &mut Map<String, Value>, field: &str, notes: &mut Vec<Note>) {
    let lat = location.get("latitude");
    let lon = location.get("longitude");
    if lat.is_none() && lon.is_none() {
        return;
    }
    let point = match (lat.and_then(Value::as_f64), lon.and_then(Value::as_f64)) {
        (Some(lat), Some(lon)) => GeoPoint::new(lat, lon),
        _ => None,
    };
    if point.is_none() {
        let shown = |v: Option<&Value>| v.map_or("-".to_string(), Value::to_string);
        notes.push((
            format!("{field}.latitude"),
            format!(
                "{}, {} is no position on earth; imported without coordinates",
                shown(lat),
                shown(lon)
            ),
        ));
        location.remove("latitude");
        location.remove("longitude");
    }
}

/// The social map as compiled services, in id order: each with its organisation and, in each
/// attribute, its taxonomy term with the taxonomy as `taxonomy_detail`. Every reference in the
/// result resolves inside it: a term's parent that no exported service uses is left out.
pub fn compile(dir: &Directory) -> Vec<Value> {
    let organizations: HashMap<&str, &Organization> = dir
        .organizations
        .iter()
        .map(|o| (o.id.as_str(), o))
        .collect();
    let terms: HashMap<&str, &TaxonomyTerm> = dir
        .taxonomy_terms
        .iter()
        .map(|t| (t.id.as_str(), t))
        .collect();
    let taxonomies: HashMap<&str, &Taxonomy> =
        dir.taxonomies.iter().map(|t| (t.id.as_str(), t)).collect();
    let used: HashSet<&str> = dir.services.iter().flat_map(Service::term_ids).collect();
    let mut services: Vec<&Service> = dir.services.iter().collect();
    services.sort_by(|a, b| a.id.cmp(&b.id));
    services
        .into_iter()
        .map(|s| compile_service(s, &organizations, &terms, &taxonomies, &used))
        .collect()
}

fn compile_service(
    s: &Service,
    organizations: &HashMap<&str, &Organization>,
    terms: &HashMap<&str, &TaxonomyTerm>,
    taxonomies: &HashMap<&str, &Taxonomy>,
    used: &HashSet<&str>,
) -> Value {
    let v = serde_json::to_value(s).expect("domain types always serialize");
    let term = |id: &str| {
        let term = terms.get(id)?;
        let taxonomy = term
            .taxonomy_id
            .as_deref()
            .and_then(|t| taxonomies.get(t).copied());
        let keep_parent = term.parent_id.as_deref().is_some_and(|p| used.contains(p));
        Some(nest_term(term, taxonomy, keep_parent))
    };
    nest_service(
        v,
        organizations.get(s.organization_id.as_str()).copied(),
        &term,
    )
}

/// A service's JSON with its organisation nested as `organization` and, in each attribute, its
/// taxonomy term as `taxonomy_term` (from `term`, by id), as the HSDS API's `full` has it.
pub fn nest_service(
    mut service: Value,
    organization: Option<&Organization>,
    term: &dyn Fn(&str) -> Option<Value>,
) -> Value {
    let Some(map) = service.as_object_mut() else {
        return service;
    };
    if let Some(org) = organization {
        map.insert(
            "organization".into(),
            serde_json::to_value(org).expect("domain types always serialize"),
        );
    }
    if let Some(Value::Array(attributes)) = map.get_mut("attributes") {
        for attribute in attributes.iter_mut() {
            let nested = attribute
                .get("taxonomy_term_id")
                .and_then(Value::as_str)
                .and_then(term);
            if let Some(t) = nested {
                attribute["taxonomy_term"] = t;
            }
        }
    }
    service
}

/// A term's JSON with its taxonomy as `taxonomy_detail` (and without a `taxonomy_id` that
/// names no taxonomy); `keep_parent` false leaves the parent out.
pub fn nest_term(term: &TaxonomyTerm, taxonomy: Option<&Taxonomy>, keep_parent: bool) -> Value {
    let mut t = serde_json::to_value(term).expect("domain types always serialize");
    let tm = t.as_object_mut().expect("a term is an object");
    if !keep_parent {
        tm.remove("parent_id");
    }
    match taxonomy {
        Some(tax) => {
            tm.insert(
                "taxonomy_detail".into(),
                serde_json::to_value(tax).expect("domain types always serialize"),
            );
        }
        None => {
            tm.remove("taxonomy_id");
        }
    }
    t
}
