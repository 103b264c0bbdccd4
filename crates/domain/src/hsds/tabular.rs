//! The Tabular Data Package: HSDS as CSV tables (one per kind of record, linked by `…_id`
//! columns) with a `datapackage.json`, read into records and written from the social map.
//!
//! Reading is given the tables' contents (the caller reads the files); the descriptor, when it
//! lists resources, says which file holds which table, else the HSDS file names are used
//! (HSDS's own example ships a descriptor that only points elsewhere).

use super::{Batch, Checked, Format, ImportProblem, Kind, KnownIds, parse_records, problem};
use crate::model::Directory;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The tables Kapstok reads and writes: name, file, columns (HSDS's, then Kapstok's own).
pub const TABLES: [(&str, &str, &[&str]); 15] = [
    (
        "taxonomies",
        "taxonomies.csv",
        &[
            "id",
            "name",
            "description",
            "uri",
            "version",
            "kapstok_facet",
            "kapstok_order",
            "kapstok_role",
        ],
    ),
    (
        "taxonomy_terms",
        "taxonomy_terms.csv",
        &[
            "id",
            "code",
            "name",
            "description",
            "parent_id",
            "taxonomy",
            "language",
            "taxonomy_id",
            "term_uri",
            "kapstok_order",
        ],
    ),
    (
        "organizations",
        "organizations.csv",
        &[
            "id",
            "name",
            "alternate_name",
            "description",
            "email",
            "website",
            "tax_status",
            "tax_id",
            "year_incorporated",
            "legal_status",
            "logo",
            "uri",
            "parent_organization_id",
            "kapstok_volunteer",
        ],
    ),
    (
        "services",
        "services.csv",
        &[
            "id",
            "organization_id",
            "program_id",
            "name",
            "alternate_name",
            "description",
            "url",
            "email",
            "status",
            "interpretation_services",
            "application_process",
            "fees_description",
            "wait_time",
            "fees",
            "accreditations",
            "eligibility_description",
            "minimum_age",
            "maximum_age",
            "assured_date",
            "assurer_email",
            "licenses",
            "alert",
            "last_modified",
            "kapstok_source",
            "kapstok_referral",
        ],
    ),
    (
        "attributes",
        "attributes.csv",
        &[
            "id",
            "link_id",
            "taxonomy_term_id",
            "link_type",
            "link_entity",
            "value",
        ],
    ),
    (
        "service_at_locations",
        "service_at_location.csv",
        &["id", "service_id", "location_id", "description"],
    ),
    (
        "locations",
        "locations.csv",
        &[
            "id",
            "location_type",
            "url",
            "organization_id",
            "name",
            "alternate_name",
            "description",
            "transportation",
            "latitude",
            "longitude",
            "external_identifier",
            "external_identifier_type",
        ],
    ),
    (
        "addresses",
        "addresses.csv",
        &[
            "id",
            "location_id",
            "attention",
            "address_1",
            "address_2",
            "city",
            "region",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ],
    ),
    (
        "contacts",
        "contacts.csv",
        &[
            "id",
            "organization_id",
            "service_id",
            "service_at_location_id",
            "location_id",
            "name",
            "title",
            "department",
            "email",
        ],
    ),
    (
        "phones",
        "phones.csv",
        &[
            "id",
            "location_id",
            "service_id",
            "organization_id",
            "contact_id",
            "service_at_location_id",
            "number",
            "extension",
            "type",
            "description",
        ],
    ),
    (
        "schedules",
        "schedules.csv",
        &[
            "id",
            "service_id",
            "location_id",
            "service_at_location_id",
            "valid_from",
            "valid_to",
            "dtstart",
            "timezone",
            "until",
            "count",
            "wkst",
            "freq",
            "interval",
            "byday",
            "byweekno",
            "bymonthday",
            "byyearday",
            "description",
            "opens_at",
            "closes_at",
            "schedule_link",
            "attending_type",
            "notes",
        ],
    ),
    (
        "languages",
        "languages.csv",
        &[
            "id",
            "service_id",
            "location_id",
            "phone_id",
            "name",
            "code",
            "note",
        ],
    ),
    (
        "cost_options",
        "cost_options.csv",
        &[
            "id",
            "service_id",
            "valid_from",
            "valid_to",
            "option",
            "currency",
            "amount",
            "amount_description",
        ],
    ),
    (
        "service_areas",
        "service_areas.csv",
        &[
            "id",
            "service_id",
            "name",
            "description",
            "extent",
            "extent_type",
            "uri",
        ],
    ),
    (
        "accessibility",
        "accessibility.csv",
        &["id", "location_id", "description", "details", "url"],
    ),
];

/// One table row as JSON, with its name for problems (`services.csv row 2`).
type Row = (String, Map<String, Value>);

/// Columns holding numbers, and those holding yes/no.
const INTEGERS: [&str; 7] = [
    "minimum_age",
    "maximum_age",
    "year_incorporated",
    "extension",
    "count",
    "interval",
    "kapstok_order",
];
const NUMBERS: [&str; 4] = ["latitude", "longitude", "amount", "timezone"];
const BOOLEANS: [&str; 1] = ["kapstok_volunteer"];

/// The file each table is read from: the descriptor's resources where it lists them (only
/// plain relative paths inside the package), else the HSDS file names.
pub fn table_files(descriptor: Option<&str>) -> Vec<(&'static str, String)> {
    let listed: HashMap<String, String> = descriptor
        .and_then(|d| serde_json::from_str::<Value>(d).ok())
        .and_then(|d| d.get("resources").and_then(Value::as_array).cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|r| {
            let name = r.get("name")?.as_str()?;
            let path = r.get("path")?.as_str()?;
            let safe = !path.starts_with('/')
                && !path.contains('\\')
                && !path.split('/').any(|part| part == ".." || part.is_empty());
            safe.then(|| (table_of(name).to_string(), path.to_string()))
        })
        .collect();
    TABLES
        .iter()
        .map(|(name, file, _)| {
            let path = listed
                .get(*name)
                .cloned()
                .unwrap_or_else(|| file.to_string());
            (*name, path)
        })
        .collect()
}

/// HSDS names a few tables in the singular.
fn table_of(name: &str) -> &str {
    match name {
        "service_at_location" => "service_at_locations",
        "accessibility_for_disabilities" => "accessibility",
        other => other,
    }
}

/// One table's rows as JSON objects (empty cells left out), with the row's name for problems.
fn rows(file: &str, bytes: &[u8], problems: &mut Vec<ImportProblem>) -> Vec<Row> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
    let headers = match reader.headers() {
        Ok(h) => h.iter().map(str::to_owned).collect::<Vec<_>>(),
        Err(e) => {
            problems.push(problem(
                file,
                None,
                "-",
                &format!("not readable as CSV: {e}"),
            ));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (i, row) in reader.records().enumerate() {
        // Row 1 is the header line.
        let rec = format!("{file} row {}", i + 2);
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                problems.push(problem(
                    &rec,
                    None,
                    "-",
                    &format!("not readable as CSV: {e}"),
                ));
                continue;
            }
        };
        let mut map = Map::new();
        for (column, cell) in headers.iter().zip(row.iter()) {
            if cell.is_empty() {
                continue;
            }
            let value = if INTEGERS.contains(&column.as_str()) {
                cell.parse::<i64>().map(Value::from).ok()
            } else if NUMBERS.contains(&column.as_str()) {
                cell.parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
            } else if BOOLEANS.contains(&column.as_str()) {
                match cell {
                    "true" => Some(Value::Bool(true)),
                    "false" => Some(Value::Bool(false)),
                    _ => None,
                }
            } else {
                Some(Value::from(cell))
            };
            match value {
                Some(v) => {
                    map.insert(column.clone(), v);
                }
                None => problems.push(problem(
                    &rec,
                    map.get("id").and_then(Value::as_str),
                    column,
                    &format!("'{cell}' is not a {}", kind_of(column)),
                )),
            }
        }
        out.push((rec, map));
    }
    out
}

fn kind_of(column: &str) -> &'static str {
    if INTEGERS.contains(&column) {
        "whole number"
    } else if BOOLEANS.contains(&column) {
        "true or false"
    } else {
        "number"
    }
}

/// The rows of a table that refers to its parents by `…_id` columns.
struct Children {
    rows: Vec<Row>,
}

impl Children {
    fn of(&self, column: &str, parent: &str) -> Vec<Value> {
        self.rows
            .iter()
            .filter(|(_, r)| r.get(column).and_then(Value::as_str) == Some(parent))
            .map(|(_, r)| Value::Object(strip_links(r)))
            .collect()
    }
}

const LINKS: [&str; 6] = [
    "service_id",
    "location_id",
    "contact_id",
    "service_at_location_id",
    "phone_id",
    "organization_id",
];

fn strip_links(row: &Map<String, Value>) -> Map<String, Value> {
    let mut r = row.clone();
    for l in LINKS {
        r.remove(l);
    }
    r
}

fn insert_list(map: &mut Map<String, Value>, key: &str, items: Vec<Value>) {
    if !items.is_empty() {
        map.insert(key.into(), Value::Array(items));
    }
}

/// Reads and checks a package's tables (`tables` by table name, as [`table_files`] names
/// them; missing tables are empty) leniently, as other producers' documents are, and hands the
/// records on as [`super::parse_in_batches`] does.
pub fn read_package(
    tables: &HashMap<&str, Vec<u8>>,
    known: &KnownIds,
    batch: usize,
    sink: &mut dyn FnMut(Batch) -> bool,
) -> Result<Checked, Vec<ImportProblem>> {
    let mut problems = Vec::new();
    let mut table: HashMap<&str, Vec<Row>> = HashMap::new();
    for (name, file, _) in TABLES {
        let rows = tables
            .get(name)
            .map(|b| rows(file, b, &mut problems))
            .unwrap_or_default();
        table.insert(name, rows);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut take = |name: &str| Children {
        rows: table.remove(name).unwrap_or_default(),
    };
    let taxonomies = take("taxonomies");
    let terms = take("taxonomy_terms");
    let organizations = take("organizations");
    let services = take("services");
    let attributes = take("attributes");
    let sals = take("service_at_locations");
    let locations = take("locations");
    let addresses = take("addresses");
    let contacts = take("contacts");
    let phones = take("phones");
    let schedules = take("schedules");
    let languages = take("languages");
    let cost_options = take("cost_options");
    let service_areas = take("service_areas");
    let accessibility = take("accessibility");

    let contact = |row: &Map<String, Value>| {
        let mut c = strip_links(row);
        let id = row.get("id").and_then(Value::as_str).unwrap_or_default();
        insert_list(&mut c, "phones", phones.of("contact_id", id));
        Value::Object(c)
    };
    let contacts_of = |column: &str, id: &str| -> Vec<Value> {
        contacts
            .rows
            .iter()
            .filter(|(_, r)| r.get(column).and_then(Value::as_str) == Some(id))
            .map(|(_, r)| contact(r))
            .collect()
    };
    let location_rows: HashMap<&str, &Map<String, Value>> = locations
        .rows
        .iter()
        .filter_map(|(_, r)| Some((r.get("id")?.as_str()?, r)))
        .collect();
    let location = |id: &str| -> Option<Value> {
        let mut l = (*location_rows.get(id)?).clone();
        insert_list(&mut l, "addresses", addresses.of("location_id", id));
        insert_list(&mut l, "phones", phones.of("location_id", id));
        insert_list(&mut l, "schedules", schedules.of("location_id", id));
        insert_list(&mut l, "accessibility", accessibility.of("location_id", id));
        insert_list(&mut l, "languages", languages.of("location_id", id));
        Some(Value::Object(l))
    };

    let mut warnings = Vec::new();
    let mut records: Vec<(Kind, String, Value)> = Vec::new();
    for (rec, row) in &taxonomies.rows {
        records.push((Kind::Taxonomies, rec.clone(), Value::Object(row.clone())));
    }
    for (rec, row) in &terms.rows {
        records.push((Kind::TaxonomyTerms, rec.clone(), Value::Object(row.clone())));
    }
    for (rec, row) in &organizations.rows {
        let mut o = row.clone();
        let id = row.get("id").and_then(Value::as_str).unwrap_or_default();
        insert_list(&mut o, "phones", phones.of("organization_id", id));
        insert_list(&mut o, "contacts", contacts_of("organization_id", id));
        records.push((Kind::Organizations, rec.clone(), Value::Object(o)));
    }
    let service_ids: HashSet<&str> = services
        .rows
        .iter()
        .filter_map(|(_, r)| r.get("id")?.as_str())
        .collect();
    for (rec, row) in &services.rows {
        let mut s = row.clone();
        let id = row.get("id").and_then(Value::as_str).unwrap_or_default();
        insert_list(&mut s, "phones", phones.of("service_id", id));
        insert_list(&mut s, "schedules", schedules.of("service_id", id));
        insert_list(&mut s, "service_areas", service_areas.of("service_id", id));
        insert_list(&mut s, "languages", languages.of("service_id", id));
        insert_list(&mut s, "cost_options", cost_options.of("service_id", id));
        insert_list(&mut s, "contacts", contacts_of("service_id", id));
        let linked: Vec<Value> = attributes
            .rows
            .iter()
            .filter(|(_, r)| r.get("link_id").and_then(Value::as_str) == Some(id))
            .map(|(_, r)| Value::Object(r.clone()))
            .collect();
        insert_list(&mut s, "attributes", linked);
        let mut at = Vec::new();
        for (sal_rec, sal) in sals
            .rows
            .iter()
            .filter(|(_, r)| r.get("service_id").and_then(Value::as_str) == Some(id))
        {
            let location_id = sal.get("location_id").and_then(Value::as_str);
            match location_id.and_then(location) {
                Some(l) => {
                    let mut entry = strip_links(sal);
                    entry.insert("location".into(), l);
                    at.push(Value::Object(entry));
                }
                None => problems.push(problem(
                    sal_rec,
                    sal.get("id").and_then(Value::as_str),
                    "location_id",
                    &format!("unknown location {}", location_id.unwrap_or("(none given)")),
                )),
            }
        }
        insert_list(&mut s, "service_at_locations", at);
        records.push((Kind::Services, rec.clone(), Value::Object(s)));
    }
    for (rec, row) in &attributes.rows {
        let link = row.get("link_id").and_then(Value::as_str);
        if !link.is_some_and(|l| service_ids.contains(l)) {
            warnings.push(problem(
                rec,
                row.get("id").and_then(Value::as_str),
                "link_id",
                &format!(
                    "links to {}, not to a service in the package; left out",
                    link.unwrap_or("nothing")
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut checked = parse_records(records, Format::TabularPackage, known, batch, sink)?;
    warnings.append(&mut checked.warnings);
    checked.warnings = warnings;
    Ok(checked)
}

/// The social map as a Tabular Data Package: each table's file (CSV, header row first, rows in
/// id order) and `datapackage.json` describing them. A location shared by services is one row.
pub fn write_package(dir: &Directory) -> Vec<(String, Vec<u8>)> {
    let mut rows: BTreeMap<&str, Vec<Map<String, Value>>> = BTreeMap::new();
    let mut add = |table: &'static str, value: Value, links: &[(&str, &str)]| {
        let Value::Object(mut map) = value else {
            return;
        };
        for (column, id) in links {
            map.insert((*column).into(), Value::from(*id));
        }
        rows.entry(table).or_default().push(map);
    };
    for t in &dir.taxonomies {
        add("taxonomies", json(t), &[]);
    }
    for t in &dir.taxonomy_terms {
        add("taxonomy_terms", json(t), &[]);
    }
    for o in &dir.organizations {
        add("organizations", json(o), &[]);
        for p in &o.phones {
            add("phones", json(p), &[("organization_id", &o.id)]);
        }
        for c in &o.contacts {
            add("contacts", json(c), &[("organization_id", &o.id)]);
            for p in &c.phones {
                add("phones", json(p), &[("contact_id", &c.id)]);
            }
        }
    }
    let mut locations_written = HashSet::new();
    for s in &dir.services {
        add("services", json(s), &[]);
        let sid = s.id.as_str();
        for p in &s.phones {
            add("phones", json(p), &[("service_id", sid)]);
        }
        for x in &s.schedules {
            add("schedules", json(x), &[("service_id", sid)]);
        }
        for x in &s.service_areas {
            add("service_areas", json(x), &[("service_id", sid)]);
        }
        for x in &s.languages {
            add("languages", json(x), &[("service_id", sid)]);
        }
        for x in &s.cost_options {
            add("cost_options", json(x), &[("service_id", sid)]);
        }
        for c in &s.contacts {
            add("contacts", json(c), &[("service_id", sid)]);
            for p in &c.phones {
                add("phones", json(p), &[("contact_id", &c.id)]);
            }
        }
        for a in &s.attributes {
            add("attributes", json(a), &[("link_id", sid)]);
        }
        for sal in &s.service_at_locations {
            let l = &sal.location;
            let mut entry = json(sal);
            if let Some(m) = entry.as_object_mut() {
                m.remove("location");
            }
            add(
                "service_at_locations",
                entry,
                &[("service_id", sid), ("location_id", &l.id)],
            );
            if !locations_written.insert(l.id.clone()) {
                continue;
            }
            add("locations", json(l), &[]);
            let lid = l.id.as_str();
            for x in &l.addresses {
                add("addresses", json(x), &[("location_id", lid)]);
            }
            for x in &l.phones {
                add("phones", json(x), &[("location_id", lid)]);
            }
            for x in &l.schedules {
                add("schedules", json(x), &[("location_id", lid)]);
            }
            for x in &l.accessibility {
                add("accessibility", json(x), &[("location_id", lid)]);
            }
            for x in &l.languages {
                add("languages", json(x), &[("location_id", lid)]);
            }
        }
    }
    let mut files = Vec::new();
    let mut resources = Vec::new();
    for (name, file, columns) in TABLES {
        let mut table = rows.remove(name).unwrap_or_default();
        table.sort_by(|a, b| id_of(a).cmp(id_of(b)));
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(columns).expect("writing to memory");
        for row in &table {
            w.write_record(columns.iter().map(|c| cell(row.get(*c))))
                .expect("writing to memory");
        }
        files.push((file.to_string(), w.into_inner().expect("writing to memory")));
        resources.push(serde_json::json!({
            "name": name,
            "path": file,
            "profile": "tabular-data-resource",
            "schema": {"fields": columns.iter().map(|c| serde_json::json!({
                "name": c,
                "type": if INTEGERS.contains(c) { "integer" }
                    else if NUMBERS.contains(c) { "number" }
                    else if BOOLEANS.contains(c) { "boolean" }
                    else { "string" },
            })).collect::<Vec<_>>()},
        }));
    }
    let descriptor = serde_json::json!({
        "name": "kapstok-hsds",
        "profile": "tabular-data-package",
        "resources": resources,
    });
    let mut text = serde_json::to_vec_pretty(&descriptor).expect("JSON in memory");
    text.push(b'\n');
    files.push(("datapackage.json".into(), text));
    files
}

fn id_of(row: &Map<String, Value>) -> &str {
    row.get("id").and_then(Value::as_str).unwrap_or_default()
}

fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Any domain record as JSON.
fn json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("domain types always serialize")
}
