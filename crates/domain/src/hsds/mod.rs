//! Reading an HSDS 3 document: every problem is reported with the record, its id and the field,
//! and a document with any problem is refused as a whole.
//!
//! The format is found from the document itself ([`Format`]): Kapstok's own envelope, compiled
//! services (one, an array, or one per line as NDJSON), a compiled organisation with its
//! services, an HSDS API page (`contents`), or a Tabular Data Package ([`tabular`]). Other
//! producers' documents are read leniently where their data cannot be stored as it is: a
//! position no place on earth has, or a reference to a term or taxonomy the document does not
//! hold, is left out with a warning rather than refused. Kapstok's own envelope is held to
//! every rule.

pub mod compiled;
pub mod tabular;

use crate::fields::{NestedIds, check_record};
use crate::geo::{Bounds, GeoPoint, Postcode};
use crate::model::{
    Directory, Location, LocationId, Organization, Service, Taxonomy, TaxonomyRole, TaxonomyTerm,
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

/// Ids already in the database, so a partial document may refer to them (and a dry run can
/// tell a new record from an update).
#[derive(Debug, Default)]
pub struct KnownIds {
    pub taxonomies: HashSet<String>,
    pub taxonomy_terms: HashSet<String>,
    pub organizations: HashSet<String>,
    pub services: HashSet<String>,
}

/// The shapes of HSDS document Kapstok reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `{taxonomies, taxonomy_terms, organizations, services}`, as `kapstok export hsds` writes.
    Envelope,
    /// One compiled service (`service_full.json`).
    CompiledService,
    /// A JSON array of compiled services.
    CompiledServices,
    /// One compiled organisation with its services nested (`organization_full.json`).
    CompiledOrganization,
    /// A page of the HSDS API: paging fields and `contents`.
    ApiPage,
    /// One compiled record per line.
    Ndjson,
    /// CSV tables with a `datapackage.json`.
    TabularPackage,
}

impl Format {
    /// How the command line names it.
    pub fn describe(self) -> &'static str {
        match self {
            Format::Envelope => {
                "Kapstok-export (taxonomies, taxonomy_terms, organizations, services)"
            }
            Format::CompiledService => "één HSDS-dienst (compiled)",
            Format::CompiledServices => "een lijst HSDS-diensten (compiled)",
            Format::CompiledOrganization => "een HSDS-organisatie met haar diensten (compiled)",
            Format::ApiPage => "een pagina van een HSDS-API (contents)",
            Format::Ndjson => "NDJSON (één HSDS-record per regel)",
            Format::TabularPackage => "een HSDS Tabular Data Package (CSV)",
        }
    }
}

/// A document that can be stored: its format, and what was taken leniently.
#[derive(Debug)]
pub struct Checked {
    pub format: Format,
    pub warnings: Vec<ImportProblem>,
}

const LOCATION_TYPES: [&str; 3] = ["physical", "postal", "virtual"];

/// Parses and checks an HSDS document. `Ok` means it can be stored as it is.
pub fn parse_directory(text: &str, known: &KnownIds) -> Result<Directory, Vec<ImportProblem>> {
    parse_directory_from(text.as_bytes(), known)
}

/// As [`parse_directory`], reading the document as it goes.
pub fn parse_directory_from(
    input: impl std::io::Read,
    known: &KnownIds,
) -> Result<Directory, Vec<ImportProblem>> {
    collect(|sink| parse_in_batches(input, known, usize::MAX, sink)).map(|(dir, _)| dir)
}

/// What a document holds, gathered from a reader such as [`parse_in_batches`] into one
/// directory (for tests and small documents).
pub fn collect(
    read: impl FnOnce(&mut dyn FnMut(Batch) -> bool) -> Result<Checked, Vec<ImportProblem>>,
) -> Result<(Directory, Checked), Vec<ImportProblem>> {
    let mut dir = Directory::default();
    let checked = read(&mut |batch| {
        match batch {
            Batch::Taxonomies(v) => dir.taxonomies.extend(v),
            Batch::TaxonomyTerms(v) => dir.taxonomy_terms.extend(v),
            Batch::Organizations(v) => dir.organizations.extend(v),
            Batch::Services(v) => dir.services.extend(v),
        }
        true
    })?;
    Ok((dir, checked))
}

/// Records of one list, in document order, as the streaming parser hands them on.
#[derive(Debug)]
pub enum Batch {
    Taxonomies(Vec<Taxonomy>),
    TaxonomyTerms(Vec<TaxonomyTerm>),
    Organizations(Vec<Organization>),
    Services(Vec<Service>),
}

/// Reads and checks an HSDS JSON document record by record, whatever its [`Format`]: one
/// record at a time is held as JSON, never the whole document (100,000 services are 185 MB of
/// text and several times that as a JSON tree), and checked records go to `sink` in batches of
/// up to `batch` while no problem has been found. After the first problem nothing more is
/// handed on, but the whole document is still read so every problem is reported. `Ok` means
/// every record went to `sink` and the document can be stored as it is; `sink` returning
/// `false` stops the reading.
///
/// Checks that need the whole document (references to records further on) are settled at the
/// end, so a caller that stores batches as they come must keep them in one transaction and
/// commit only on `Ok`.
pub fn parse_in_batches(
    mut input: impl std::io::Read,
    known: &KnownIds,
    batch: usize,
    sink: &mut dyn FnMut(Batch) -> bool,
) -> Result<Checked, Vec<ImportProblem>> {
    // Windows tools start UTF-8 files with a byte-order mark.
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    let mut read_one = |head: &mut Vec<u8>| match input.read(&mut byte) {
        Ok(0) => Ok(false),
        Ok(_) => {
            head.push(byte[0]);
            Ok(true)
        }
        Err(e) => Err(e),
    };
    let io_problem = |e: std::io::Error| not_json(1, 1, &e);
    while head.len() < 3 && read_one(&mut head).map_err(io_problem)? {}
    if head == b"\xef\xbb\xbf" {
        head.clear();
    }
    while head.iter().all(u8::is_ascii_whitespace)
        && head.len() < 4096
        && read_one(&mut head).map_err(io_problem)?
    {}
    let first = head.iter().copied().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| b != b'{' && b != b'[') {
        return Err(vec![problem(
            "document",
            None,
            "-",
            "expected HSDS JSON: an object (Kapstok's export with the lists taxonomies, taxonomy_terms, organizations and services; a compiled service or organization; an API page with contents), an array of compiled services, or NDJSON",
        )]);
    }
    let mut checker = Checker::new(known, batch.max(1), sink);
    let reader = std::io::Read::chain(head.as_slice(), input);
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
    if let Err(e) = serde::Deserializer::deserialize_any(&mut de, TopVisitor(&mut checker)) {
        if checker.stopped {
            return Err(Vec::new());
        }
        return Err(not_json(e.line(), e.column(), &e));
    }
    // More documents after the first: one compiled record per line.
    for next in de.into_iter::<Value>() {
        let value = match next {
            Ok(v) => v,
            Err(e) => return Err(not_json(e.line(), e.column(), &e)),
        };
        match checker.format {
            Some(Format::CompiledService | Format::CompiledOrganization | Format::Ndjson) => {
                checker.format = Some(Format::Ndjson);
            }
            _ => {
                checker.problems.push(problem(
                    "document",
                    None,
                    "-",
                    "more than one JSON document; only NDJSON (one compiled record per line) holds several",
                ));
                break;
            }
        }
        if !checker.compiled_record(value) {
            return Err(Vec::new());
        }
    }
    checker.finish()
}

/// Reads and checks records that are already taken apart (a Tabular Data Package's tables),
/// with the leniency of other producers' documents.
fn parse_records(
    records: Vec<(Kind, String, Value)>,
    format: Format,
    known: &KnownIds,
    batch: usize,
    sink: &mut dyn FnMut(Batch) -> bool,
) -> Result<Checked, Vec<ImportProblem>> {
    let mut checker = Checker::new(known, batch.max(1), sink);
    checker.set_format(format);
    for (kind, rec, value) in records {
        let go_on = match kind {
            Kind::Services => checker.service_named(rec, value, None),
            _ => checker.list(kind, &rec, value),
        };
        if !go_on {
            return Err(Vec::new());
        }
    }
    checker.finish()
}

fn not_json(line: usize, column: usize, e: &dyn fmt::Display) -> Vec<ImportProblem> {
    vec![ImportProblem {
        record: "document".into(),
        id: None,
        field: "-".into(),
        message: format!("not valid JSON (line {line}, column {column}): {e}"),
    }]
}

/// Which list a record is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Taxonomies,
    TaxonomyTerms,
    Organizations,
    Services,
}

impl Kind {
    fn key(self) -> &'static str {
        match self {
            Kind::Taxonomies => "taxonomies",
            Kind::TaxonomyTerms => "taxonomy_terms",
            Kind::Organizations => "organizations",
            Kind::Services => "services",
        }
    }

    fn envelope_list(key: &str) -> Option<Kind> {
        [
            Kind::Taxonomies,
            Kind::TaxonomyTerms,
            Kind::Organizations,
            Kind::Services,
        ]
        .into_iter()
        .find(|k| k.key() == key)
    }
}

/// A reference that was not resolved when its record was read: checked once the document ends.
struct Pending {
    rec: String,
    id: String,
    field: String,
    target: Kind,
    to: String,
}

/// The checks of a document, record by record, and the batches on their way to the sink.
struct Checker<'a> {
    known: &'a KnownIds,
    batch: usize,
    sink: &'a mut dyn FnMut(Batch) -> bool,
    /// Set when the sink asked to stop.
    stopped: bool,
    /// Known from the document's first key (or its first byte).
    format: Option<Format>,
    problems: Vec<ImportProblem>,
    warnings: Vec<ImportProblem>,
    nested: NestedIds,
    ids: [HashSet<String>; 4],
    /// Records of each kind so far, to name them (`services[3]`).
    counts: [usize; 4],
    /// Organisations, terms and taxonomies nested in compiled services: handed on once per id,
    /// with a fingerprint to notice a copy that differs.
    merged: HashMap<(usize, String), (String, u64)>,
    /// Terms of other producers whose parent or taxonomy was not there yet when read: settled
    /// at the end, when a reference still unresolved is left out.
    held_terms: Vec<(String, TaxonomyTerm)>,
    roles: HashSet<TaxonomyRole>,
    codes: HashSet<(String, String)>,
    /// A location shared by services must be the same everywhere: compared by a fingerprint of
    /// its JSON, so the check holds no second copy of every location.
    locations: HashMap<LocationId, (String, u64)>,
    pending: Vec<Pending>,
    out: Option<Batch>,
}

impl<'a> Checker<'a> {
    fn new(known: &'a KnownIds, batch: usize, sink: &'a mut dyn FnMut(Batch) -> bool) -> Self {
        Checker {
            known,
            batch,
            sink,
            stopped: false,
            format: None,
            problems: Vec::new(),
            warnings: Vec::new(),
            nested: NestedIds::default(),
            ids: Default::default(),
            counts: [0; 4],
            merged: HashMap::new(),
            held_terms: Vec::new(),
            roles: HashSet::new(),
            codes: HashSet::new(),
            locations: HashMap::new(),
            pending: Vec::new(),
            out: None,
        }
    }

    fn set_format(&mut self, format: Format) {
        if self.format.is_none() && format != Format::Envelope {
            self.nested = NestedIds::for_compiled_records();
        }
        self.format = Some(format);
    }

    /// Other producers' documents are read leniently; Kapstok's own envelope is not.
    fn lenient(&self) -> bool {
        self.format.is_some_and(|f| f != Format::Envelope)
    }

    /// The name of the next record of `kind` (`services[3]`).
    fn next_name(&mut self, kind: Kind) -> String {
        let n = &mut self.counts[kind as usize];
        *n += 1;
        format!("{}[{}]", kind.key(), *n - 1)
    }

    fn warn(&mut self, rec: &str, id: Option<&str>, field: &str, message: &str) {
        self.warnings.push(problem(rec, id, field, message));
    }

    /// A compiled record of unknown kind: a service, or an organisation (with its services).
    fn compiled_record(&mut self, value: Value) -> bool {
        if compiled::is_service(&value) {
            self.compiled_service(value, None)
        } else {
            self.compiled_organization(value)
        }
    }

    fn compiled_organization(&mut self, value: Value) -> bool {
        let (organization, services) = compiled::split_organization(value);
        let id = organization
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let rec = self.next_name(Kind::Organizations);
        if !self.list(Kind::Organizations, &rec, organization) {
            return false;
        }
        services
            .into_iter()
            .all(|s| self.compiled_service(s, id.as_deref()))
    }

    /// A service, compiled or flat: the records nested in it go first, each once.
    fn compiled_service(&mut self, value: Value, organization: Option<&str>) -> bool {
        let rec = self.next_name(Kind::Services);
        self.service_named(rec, value, organization)
    }

    fn service_named(&mut self, rec: String, value: Value, organization: Option<&str>) -> bool {
        let mut notes = Vec::new();
        let parts = compiled::split_service(value, organization, self.lenient(), &mut notes);
        let id = parts.service.get("id").and_then(Value::as_str);
        for (field, message) in notes {
            self.warnings.push(problem(&rec, id, &field, &message));
        }
        let nested = parts
            .taxonomies
            .into_iter()
            .map(|v| {
                (
                    Kind::Taxonomies,
                    "attributes[].taxonomy_term.taxonomy_detail",
                    v,
                )
            })
            .chain(
                parts
                    .terms
                    .into_iter()
                    .map(|v| (Kind::TaxonomyTerms, "attributes[].taxonomy_term", v)),
            )
            .chain(
                parts
                    .organization
                    .map(|v| (Kind::Organizations, "organization", v)),
            );
        for (kind, field, value) in nested {
            if !self.nested_record(kind, &format!("{rec}.{field}"), value) {
                return false;
            }
        }
        self.list(Kind::Services, &rec, parts.service)
    }

    /// A record nested in a compiled service: handed on the first time its id is seen; a later
    /// copy that differs is noted, and the first is kept.
    fn nested_record(&mut self, kind: Kind, rec: &str, value: Value) -> bool {
        let Some(id) = value.get("id").and_then(Value::as_str).map(str::to_owned) else {
            return self.list(kind, rec, value);
        };
        let print = fingerprint(&value);
        match self.merged.get(&(kind as usize, id.clone())) {
            Some((_, first)) if *first == print => true,
            Some((first_rec, _)) => {
                let message = format!("differs from the copy in {first_rec}; the first is kept");
                self.warn(rec, Some(&id), "-", &message);
                true
            }
            None => {
                self.merged
                    .insert((kind as usize, id), (rec.to_string(), print));
                self.list(kind, rec, value)
            }
        }
    }

    fn list(&mut self, kind: Kind, rec: &str, item: Value) -> bool {
        if self.format.is_none() {
            self.set_format(Format::Envelope);
        }
        match kind {
            Kind::Taxonomies => {
                if let Some(t) = record::<Taxonomy>(rec, item, &mut self.nested, &mut self.problems)
                {
                    self.taxonomy(rec, &t);
                    return self.hand_on(t, Batch::Taxonomies);
                }
            }
            Kind::TaxonomyTerms => {
                if let Some(t) =
                    record::<TaxonomyTerm>(rec, item, &mut self.nested, &mut self.problems)
                {
                    self.term(rec, &t);
                    if self.lenient() && !self.term_resolves(&t) {
                        self.held_terms.push((rec.to_string(), t));
                        return true;
                    }
                    return self.hand_on(t, Batch::TaxonomyTerms);
                }
            }
            Kind::Organizations => {
                if let Some(o) =
                    record::<Organization>(rec, item, &mut self.nested, &mut self.problems)
                {
                    self.organization(rec, &o);
                    return self.hand_on(o, Batch::Organizations);
                }
            }
            Kind::Services => {
                if let Some(s) = record::<Service>(rec, item, &mut self.nested, &mut self.problems)
                {
                    self.service(rec, &s);
                    return self.hand_on(s, Batch::Services);
                }
            }
        }
        true
    }

    /// Adds a checked record to the current batch (of its kind), handing the batch on when full.
    fn hand_on<T>(&mut self, record: T, wrap: fn(Vec<T>) -> Batch) -> bool
    where
        Batch: Holds<T>,
    {
        if !self.problems.is_empty() {
            self.out = None;
            return true;
        }
        match self.out.as_mut().and_then(|b| b.records_mut()) {
            Some(list) => list.push(record),
            None => {
                self.flush();
                self.out = Some(wrap(vec![record]));
            }
        }
        if self.out.as_ref().is_some_and(|b| b.len() >= self.batch) {
            return self.flush();
        }
        true
    }

    /// Hands on what is waiting; `false` when the sink wants no more.
    fn flush(&mut self) -> bool {
        if let Some(b) = self.out.take()
            && self.problems.is_empty()
            && !(self.sink)(b)
        {
            self.stopped = true;
            return false;
        }
        true
    }

    fn unique(&mut self, kind: Kind, rec: &str, id: &str) {
        if id.trim().is_empty() {
            self.problems
                .push(problem(rec, None, "id", "must not be empty"));
        } else if !self.ids[kind as usize].insert(id.to_string()) {
            self.problems.push(problem(
                rec,
                Some(id),
                "id",
                "duplicate id in this document",
            ));
        }
    }

    /// Whether `to` is a record of `target` in the document so far or in the database; when
    /// not, it is looked up again at the end.
    fn refer(&mut self, rec: &str, id: &str, field: &str, target: Kind, to: &str) {
        if !self.resolves(target, to) {
            self.pending.push(Pending {
                rec: rec.to_string(),
                id: id.to_string(),
                field: field.to_string(),
                target,
                to: to.to_string(),
            });
        }
    }

    fn resolves(&self, target: Kind, to: &str) -> bool {
        self.ids[target as usize].contains(to)
            || match target {
                Kind::Taxonomies => self.known.taxonomies.contains(to),
                Kind::TaxonomyTerms => self.known.taxonomy_terms.contains(to),
                Kind::Organizations => self.known.organizations.contains(to),
                Kind::Services => self.known.services.contains(to),
            }
    }

    fn term_resolves(&self, t: &TaxonomyTerm) -> bool {
        t.parent_id
            .as_deref()
            .is_none_or(|p| self.resolves(Kind::TaxonomyTerms, p))
            && t.taxonomy_id
                .as_deref()
                .is_none_or(|x| self.resolves(Kind::Taxonomies, x))
    }

    fn taxonomy(&mut self, rec: &str, t: &Taxonomy) {
        self.unique(Kind::Taxonomies, rec, &t.id);
        if let Some(role) = t.kapstok_role
            && !self.roles.insert(role)
        {
            self.problems.push(problem(
                rec,
                Some(&t.id),
                "kapstok_role",
                &format!("role {role:?} is given to two taxonomies"),
            ));
        }
        if t.name.trim().is_empty() {
            self.problems
                .push(problem(rec, Some(&t.id), "name", "must not be empty"));
        }
    }

    fn term(&mut self, rec: &str, t: &TaxonomyTerm) {
        self.unique(Kind::TaxonomyTerms, rec, &t.id);
        if t.name.trim().is_empty() {
            self.problems
                .push(problem(rec, Some(&t.id), "name", "must not be empty"));
        }
        let lenient = self.lenient();
        if let Some(tax) = &t.taxonomy_id {
            if !lenient {
                self.refer(rec, &t.id, "taxonomy_id", Kind::Taxonomies, tax);
            }
            if let Some(code) = &t.code
                && !self.codes.insert((tax.to_string(), code.clone()))
            {
                self.problems.push(problem(
                    rec,
                    Some(&t.id),
                    "code",
                    &format!("code {code} is used twice in one taxonomy"),
                ));
            }
        }
        if let Some(parent) = &t.parent_id
            && !lenient
        {
            self.refer(rec, &t.id, "parent_id", Kind::TaxonomyTerms, parent);
        }
    }

    fn organization(&mut self, rec: &str, o: &Organization) {
        self.unique(Kind::Organizations, rec, &o.id);
        if o.name.trim().is_empty() {
            self.problems
                .push(problem(rec, Some(&o.id), "name", "must not be empty"));
        }
    }

    fn service(&mut self, rec: &str, s: &Service) {
        self.unique(Kind::Services, rec, &s.id);
        let id = Some(s.id.as_str());
        let p = &mut self.problems;
        if s.name.trim().is_empty() {
            p.push(problem(rec, id, "name", "must not be empty"));
        }
        if let Some(d) = &s.assured_date
            && !is_date(d)
        {
            p.push(problem(
                rec,
                id,
                "assured_date",
                "must be a date like 2026-11-01",
            ));
        }
        if let Some(d) = &s.last_modified
            && !is_timestamp(d)
        {
            p.push(problem(
                rec,
                id,
                "last_modified",
                "must be an RFC 3339 timestamp like 2026-11-01T09:00:00Z",
            ));
        }
        if let (Some(min), Some(max)) = (s.minimum_age, s.maximum_age)
            && min > max
        {
            p.push(problem(rec, id, "minimum_age", "is above maximum_age"));
        }
        let mut seen_terms = HashSet::new();
        for (j, a) in s.attributes.iter().enumerate() {
            let t = &a.taxonomy_term_id;
            if !seen_terms.insert(t.clone()) {
                self.problems.push(problem(
                    rec,
                    id,
                    &format!("attributes[{j}].taxonomy_term_id"),
                    &format!("taxonomy term {t} is linked twice"),
                ));
            }
        }
        self.refer(
            rec,
            &s.id,
            "organization_id",
            Kind::Organizations,
            &s.organization_id,
        );
        for (j, a) in s.attributes.iter().enumerate() {
            let field = format!("attributes[{j}].taxonomy_term_id");
            self.refer(rec, &s.id, &field, Kind::TaxonomyTerms, &a.taxonomy_term_id);
        }
        for (j, sal) in s.service_at_locations.iter().enumerate() {
            let field = format!("service_at_locations[{j}].location");
            check_location(&sal.location, rec, id, &field, &mut self.problems);
            let print = location_fingerprint(&sal.location);
            match self.locations.get(&sal.location.id) {
                Some((first, seen)) if *seen != print => self.problems.push(problem(
                    rec,
                    id,
                    &field,
                    &format!(
                        "location {} differs from the one in {first}",
                        sal.location.id
                    ),
                )),
                Some(_) => {}
                None => {
                    self.locations
                        .insert(sal.location.id.clone(), (rec.to_string(), print));
                }
            }
        }
    }

    /// Terms held back for a reference: what is still not there is left out, with a warning.
    fn settle_held_terms(&mut self) {
        for (rec, mut t) in std::mem::take(&mut self.held_terms) {
            if let Some(parent) = t.parent_id.clone()
                && !self.resolves(Kind::TaxonomyTerms, &parent)
            {
                let message = format!(
                    "parent term {parent} is not in the document nor stored; imported without a parent"
                );
                self.warn(&rec, Some(&t.id), "parent_id", &message);
                t.parent_id = None;
            }
            if let Some(tax) = t.taxonomy_id.clone()
                && !self.resolves(Kind::Taxonomies, &tax)
            {
                let message = format!(
                    "taxonomy {tax} is not in the document nor stored; imported without a taxonomy"
                );
                self.warn(&rec, Some(&t.id), "taxonomy_id", &message);
                t.taxonomy_id = None;
            }
            if !self.hand_on(t, Batch::TaxonomyTerms) {
                return;
            }
        }
    }

    /// References settled now the whole document is read; the last batch handed on.
    fn finish(mut self) -> Result<Checked, Vec<ImportProblem>> {
        self.settle_held_terms();
        for r in std::mem::take(&mut self.pending) {
            if !self.resolves(r.target, &r.to) {
                let what = match r.target {
                    Kind::Taxonomies => "taxonomy",
                    Kind::TaxonomyTerms => "taxonomy term",
                    Kind::Organizations => "organization",
                    Kind::Services => "service",
                };
                self.problems.push(problem(
                    &r.rec,
                    Some(&r.id),
                    &r.field,
                    &format!("unknown {what} {}", r.to),
                ));
            }
        }
        if self.problems.is_empty() {
            self.flush();
            if self.stopped {
                return Err(Vec::new());
            }
            Ok(Checked {
                format: self.format.unwrap_or(Format::Envelope),
                warnings: self.warnings,
            })
        } else {
            Err(self.problems)
        }
    }
}

fn location_fingerprint(l: &Location) -> u64 {
    fingerprint(&serde_json::to_value(l).expect("domain types always serialize"))
}

fn fingerprint(v: &Value) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    v.to_string().hash(&mut h);
    h.finish()
}

/// A batch that holds records of type `T`.
trait Holds<T> {
    fn records_mut(&mut self) -> Option<&mut Vec<T>>;
}

macro_rules! holds {
    ($t:ty, $variant:ident) => {
        impl Holds<$t> for Batch {
            fn records_mut(&mut self) -> Option<&mut Vec<$t>> {
                match self {
                    Batch::$variant(v) => Some(v),
                    _ => None,
                }
            }
        }
    };
}
holds!(Taxonomy, Taxonomies);
holds!(TaxonomyTerm, TaxonomyTerms);
holds!(Organization, Organizations);
holds!(Service, Services);

impl Batch {
    pub fn len(&self) -> usize {
        match self {
            Batch::Taxonomies(v) => v.len(),
            Batch::TaxonomyTerms(v) => v.len(),
            Batch::Organizations(v) => v.len(),
            Batch::Services(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The fields of an HSDS API page around its `contents`.
const PAGING: [&str; 8] = [
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
];

/// The document's top level: an array of compiled services, or an object whose first key
/// tells its format; lists are read record by record.
struct TopVisitor<'c, 'a>(&'c mut Checker<'a>);

impl<'de> serde::de::Visitor<'de> for TopVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an HSDS JSON object or an array of compiled services")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.set_format(Format::CompiledServices);
        while let Some(item) = seq.next_element::<Value>()? {
            if !self.0.compiled_record(item) {
                return Err(serde::de::Error::custom("stopped"));
            }
        }
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let checker = self.0;
        let mut unknown = Vec::new();
        let mut fields = serde_json::Map::new();
        let mut has_contents = false;
        while let Some(key) = map.next_key::<String>()? {
            if checker.format.is_none() {
                checker.set_format(if Kind::envelope_list(&key).is_some() {
                    Format::Envelope
                } else if PAGING.contains(&key.as_str()) {
                    Format::ApiPage
                } else {
                    Format::CompiledService
                });
            }
            let format = checker.format.unwrap_or(Format::Envelope);
            let source = match (format, key.as_str()) {
                (Format::CompiledService | Format::CompiledOrganization, "services") => {
                    checker.format = Some(Format::CompiledOrganization);
                    Some(Source::Compiled {
                        organization: fields.get("id").and_then(Value::as_str).map(str::to_owned),
                    })
                }
                (Format::Envelope, _) => Kind::envelope_list(&key).map(Source::Envelope),
                (Format::ApiPage, "contents") => {
                    has_contents = true;
                    Some(Source::Compiled { organization: None })
                }
                (Format::ApiPage, _) => None,
                _ => {
                    fields.insert(key, map.next_value::<Value>()?);
                    continue;
                }
            };
            match source {
                Some(source) => map.next_value_seed(List {
                    source,
                    checker: &mut *checker,
                })?,
                None => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    if !PAGING.contains(&key.as_str()) {
                        unknown.push(key);
                    }
                    continue;
                }
            }
            if !checker.flush() {
                return Err(serde::de::Error::custom("stopped"));
            }
        }
        match checker.format {
            Some(Format::Envelope) | None => {
                for key in unknown {
                    checker.problems.push(problem(
                        &key,
                        None,
                        "-",
                        "unknown list; expected taxonomies, taxonomy_terms, organizations or services",
                    ));
                }
            }
            Some(Format::ApiPage) if !has_contents => checker.problems.push(problem(
                "document",
                None,
                "contents",
                "an API page without contents",
            )),
            Some(Format::CompiledOrganization) => {
                fields.remove("services");
                let rec = checker.next_name(Kind::Organizations);
                if !checker.list(Kind::Organizations, &rec, Value::Object(fields)) {
                    return Err(serde::de::Error::custom("stopped"));
                }
            }
            Some(Format::CompiledService) => {
                let record = Value::Object(fields);
                if !compiled::is_service(&record) {
                    checker.format = Some(Format::CompiledOrganization);
                }
                if !checker.compiled_record(record) {
                    return Err(serde::de::Error::custom("stopped"));
                }
            }
            Some(_) => {}
        }
        Ok(())
    }
}

/// Where the records of a list come from.
enum Source {
    /// One of the envelope's lists.
    Envelope(Kind),
    /// Compiled records (services, or organisations), nested in an organisation if given.
    Compiled { organization: Option<String> },
}

/// One list of the document: each element checked as JSON (`check_record`), then read.
struct List<'c, 'a> {
    source: Source,
    checker: &'c mut Checker<'a>,
}

impl<'de> serde::de::DeserializeSeed<'de> for List<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for List<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<Value>()? {
            let go_on = match &self.source {
                Source::Envelope(Kind::Services) => self.checker.compiled_service(item, None),
                Source::Envelope(kind) => {
                    let rec = self.checker.next_name(*kind);
                    self.checker.list(*kind, &rec, item)
                }
                Source::Compiled {
                    organization: Some(org),
                } => self.checker.compiled_service(item, Some(org)),
                Source::Compiled { organization: None } => self.checker.compiled_record(item),
            };
            if !go_on {
                return Err(serde::de::Error::custom("stopped"));
            }
        }
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map
            .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
            .is_some()
        {}
        self.not_a_list();
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        self.not_a_list();
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.not_a_list();
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.not_a_list();
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.not_a_list();
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        self.not_a_list();
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.not_a_list();
        Ok(())
    }
}

impl List<'_, '_> {
    fn not_a_list(self) {
        let key = match self.source {
            Source::Envelope(kind) => kind.key(),
            Source::Compiled {
                organization: Some(_),
            } => "services",
            Source::Compiled { organization: None } => "contents",
        };
        self.checker
            .problems
            .push(problem(key, None, "-", "expected a list"));
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

/// One record: checked as JSON, then read as `T`; `None` (and the problems noted) when it
/// cannot be read.
fn record<T: DeserializeOwned>(
    rec: &str,
    mut item: Value,
    ids: &mut NestedIds,
    problems: &mut Vec<ImportProblem>,
) -> Option<T> {
    let id = item.get("id").and_then(Value::as_str).map(str::to_owned);
    let before = problems.len();
    check_record(rec, &item, ids, problems);
    if problems[before..].iter().any(|p| p.field == "status")
        && let Some(status) = item.get_mut("status")
    {
        // Reported already; a neutral value lets the record's other checks still run.
        *status = Value::from("inactive");
    }
    match serde_json::from_value::<T>(item) {
        Ok(v) => Some(v),
        Err(e) => {
            let message = e.to_string();
            let field = field_of(&message);
            problems.push(ImportProblem {
                record: rec.to_string(),
                id,
                field,
                message,
            });
            None
        }
    }
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
