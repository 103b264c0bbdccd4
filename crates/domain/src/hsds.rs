//! Reading an HSDS 3 document: every problem is reported with the record, its id and the field,
//! and a document with any problem is refused as a whole.

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
    parse_directory_from(text.as_bytes(), known)
}

/// As [`parse_directory`], reading the document as it goes.
pub fn parse_directory_from(
    input: impl std::io::Read,
    known: &KnownIds,
) -> Result<Directory, Vec<ImportProblem>> {
    let mut dir = Directory::default();
    parse_in_batches(input, known, usize::MAX, &mut |batch| {
        match batch {
            Batch::Taxonomies(v) => dir.taxonomies.extend(v),
            Batch::TaxonomyTerms(v) => dir.taxonomy_terms.extend(v),
            Batch::Organizations(v) => dir.organizations.extend(v),
            Batch::Services(v) => dir.services.extend(v),
        }
        true
    })?;
    Ok(dir)
}

/// Records of one list, in document order, as the streaming parser hands them on.
#[derive(Debug)]
pub enum Batch {
    Taxonomies(Vec<Taxonomy>),
    TaxonomyTerms(Vec<TaxonomyTerm>),
    Organizations(Vec<Organization>),
    Services(Vec<Service>),
}

/// Reads and checks an HSDS document record by record: one record at a time is held as JSON,
/// never the whole document (100,000 services are 185 MB of text and several times that as a
/// JSON tree), and checked records go to `sink` in batches of up to `batch` while no problem
/// has been found. After the first problem nothing more is handed on, but the whole document
/// is still read so every problem is reported. `Ok` means every record went to `sink` and the
/// document can be stored as it is; `sink` returning `false` stops the reading.
///
/// Checks that need the whole document (references to records further on) are settled at the
/// end, so a caller that stores batches as they come must keep them in one transaction and
/// commit only on `Ok`.
pub fn parse_in_batches(
    mut input: impl std::io::Read,
    known: &KnownIds,
    batch: usize,
    sink: &mut dyn FnMut(Batch) -> bool,
) -> Result<(), Vec<ImportProblem>> {
    let not_json = |line: usize, column: usize, e: &dyn fmt::Display| {
        vec![ImportProblem {
            record: "document".into(),
            id: None,
            field: "-".into(),
            message: format!("not valid JSON (line {line}, column {column}): {e}"),
        }]
    };
    // Windows tools start UTF-8 files with a byte-order mark; the document must be an object.
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
    if first.is_some_and(|b| b != b'{') {
        return Err(vec![problem(
            "document",
            None,
            "-",
            "expected a JSON object with the lists taxonomies, taxonomy_terms, organizations and services",
        )]);
    }
    let mut checker = Checker::new(known, batch.max(1), sink);
    let reader = std::io::Read::chain(head.as_slice(), input);
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
    if let Err(e) = serde::Deserializer::deserialize_map(&mut de, DocumentVisitor(&mut checker))
        .and_then(|()| de.end())
    {
        if checker.stopped {
            return Err(Vec::new());
        }
        return Err(not_json(e.line(), e.column(), &e));
    }
    checker.finish()
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
    problems: Vec<ImportProblem>,
    nested: NestedIds,
    ids: [HashSet<String>; 4],
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
            problems: Vec::new(),
            nested: NestedIds::default(),
            ids: Default::default(),
            roles: HashSet::new(),
            codes: HashSet::new(),
            locations: HashMap::new(),
            pending: Vec::new(),
            out: None,
        }
    }

    fn list(&mut self, kind: Kind, i: usize, item: Value) -> bool {
        match kind {
            Kind::Taxonomies => {
                if let Some(t) =
                    record::<Taxonomy>(kind.key(), i, item, &mut self.nested, &mut self.problems)
                {
                    self.taxonomy(i, &t);
                    return self.hand_on(t, Batch::Taxonomies);
                }
            }
            Kind::TaxonomyTerms => {
                if let Some(t) = record::<TaxonomyTerm>(
                    kind.key(),
                    i,
                    item,
                    &mut self.nested,
                    &mut self.problems,
                ) {
                    self.term(i, &t);
                    return self.hand_on(t, Batch::TaxonomyTerms);
                }
            }
            Kind::Organizations => {
                if let Some(o) = record::<Organization>(
                    kind.key(),
                    i,
                    item,
                    &mut self.nested,
                    &mut self.problems,
                ) {
                    self.organization(i, &o);
                    return self.hand_on(o, Batch::Organizations);
                }
            }
            Kind::Services => {
                if let Some(s) =
                    record::<Service>(kind.key(), i, item, &mut self.nested, &mut self.problems)
                {
                    self.service(i, &s);
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

    fn unique(&mut self, kind: Kind, i: usize, id: &str) {
        let rec = format!("{}[{i}]", kind.key());
        if id.trim().is_empty() {
            self.problems
                .push(problem(&rec, None, "id", "must not be empty"));
        } else if !self.ids[kind as usize].insert(id.to_string()) {
            self.problems.push(problem(
                &rec,
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
                Kind::Services => false,
            }
    }

    fn taxonomy(&mut self, i: usize, t: &Taxonomy) {
        self.unique(Kind::Taxonomies, i, &t.id);
        let rec = format!("taxonomies[{i}]");
        if let Some(role) = t.kapstok_role
            && !self.roles.insert(role)
        {
            self.problems.push(problem(
                &rec,
                Some(&t.id),
                "kapstok_role",
                &format!("role {role:?} is given to two taxonomies"),
            ));
        }
        if t.name.trim().is_empty() {
            self.problems
                .push(problem(&rec, Some(&t.id), "name", "must not be empty"));
        }
    }

    fn term(&mut self, i: usize, t: &TaxonomyTerm) {
        self.unique(Kind::TaxonomyTerms, i, &t.id);
        let rec = format!("taxonomy_terms[{i}]");
        if t.name.trim().is_empty() {
            self.problems
                .push(problem(&rec, Some(&t.id), "name", "must not be empty"));
        }
        if let Some(tax) = &t.taxonomy_id {
            self.refer(&rec, &t.id, "taxonomy_id", Kind::Taxonomies, tax);
            if let Some(code) = &t.code
                && !self.codes.insert((tax.to_string(), code.clone()))
            {
                self.problems.push(problem(
                    &rec,
                    Some(&t.id),
                    "code",
                    &format!("code {code} is used twice in one taxonomy"),
                ));
            }
        }
        if let Some(parent) = &t.parent_id {
            self.refer(&rec, &t.id, "parent_id", Kind::TaxonomyTerms, parent);
        }
    }

    fn organization(&mut self, i: usize, o: &Organization) {
        self.unique(Kind::Organizations, i, &o.id);
        if o.name.trim().is_empty() {
            self.problems.push(problem(
                &format!("organizations[{i}]"),
                Some(&o.id),
                "name",
                "must not be empty",
            ));
        }
    }

    fn service(&mut self, i: usize, s: &Service) {
        self.unique(Kind::Services, i, &s.id);
        let rec = format!("services[{i}]");
        let id = Some(s.id.as_str());
        let p = &mut self.problems;
        if s.name.trim().is_empty() {
            p.push(problem(&rec, id, "name", "must not be empty"));
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
        for (j, a) in s.attributes.iter().enumerate() {
            let t = &a.taxonomy_term_id;
            if !seen_terms.insert(t.clone()) {
                self.problems.push(problem(
                    &rec,
                    id,
                    &format!("attributes[{j}].taxonomy_term_id"),
                    &format!("taxonomy term {t} is linked twice"),
                ));
            }
        }
        self.refer(
            &rec,
            &s.id,
            "organization_id",
            Kind::Organizations,
            &s.organization_id,
        );
        for (j, a) in s.attributes.iter().enumerate() {
            let field = format!("attributes[{j}].taxonomy_term_id");
            self.refer(
                &rec,
                &s.id,
                &field,
                Kind::TaxonomyTerms,
                &a.taxonomy_term_id,
            );
        }
        for (j, sal) in s.service_at_locations.iter().enumerate() {
            let field = format!("service_at_locations[{j}].location");
            check_location(&sal.location, &rec, id, &field, &mut self.problems);
            let print = fingerprint(&sal.location);
            match self.locations.get(&sal.location.id) {
                Some((first, seen)) if *seen != print => self.problems.push(problem(
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
                    self.locations
                        .insert(sal.location.id.clone(), (rec.clone(), print));
                }
            }
        }
    }

    /// References settled now the whole document is read; the last batch handed on.
    fn finish(mut self) -> Result<(), Vec<ImportProblem>> {
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
            Ok(())
        } else {
            Err(self.problems)
        }
    }
}

fn fingerprint(l: &Location) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(l)
        .expect("domain types always serialize")
        .hash(&mut h);
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

/// The document's top level: each known list read record by record.
struct DocumentVisitor<'c, 'a>(&'c mut Checker<'a>);

impl<'de> serde::de::Visitor<'de> for DocumentVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(
            "a JSON object with the lists taxonomies, taxonomy_terms, organizations and services",
        )
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut unknown = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let kind = match key.as_str() {
                "taxonomies" => Kind::Taxonomies,
                "taxonomy_terms" => Kind::TaxonomyTerms,
                "organizations" => Kind::Organizations,
                "services" => Kind::Services,
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    unknown.push(key);
                    continue;
                }
            };
            map.next_value_seed(List {
                kind,
                checker: &mut *self.0,
            })?;
            if !self.0.flush() {
                return Err(serde::de::Error::custom("stopped"));
            }
        }
        for key in unknown {
            self.0.problems.push(problem(
                &key,
                None,
                "-",
                "unknown list; expected taxonomies, taxonomy_terms, organizations or services",
            ));
        }
        Ok(())
    }
}

/// One list of the document: each element checked as JSON (`check_record`), then read.
struct List<'c, 'a> {
    kind: Kind,
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
        let mut i = 0;
        while let Some(item) = seq.next_element::<Value>()? {
            if !self.checker.list(self.kind, i, item) {
                return Err(serde::de::Error::custom("stopped"));
            }
            i += 1;
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
        self.checker
            .problems
            .push(problem(self.kind.key(), None, "-", "expected a list"));
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

/// One element of a list: checked as JSON, then read as `T`; `None` (and the problems noted)
/// when it cannot be read.
fn record<T: DeserializeOwned>(
    key: &str,
    i: usize,
    mut item: Value,
    ids: &mut NestedIds,
    problems: &mut Vec<ImportProblem>,
) -> Option<T> {
    let id = item.get("id").and_then(Value::as_str).map(str::to_owned);
    let before = problems.len();
    check_record(key, i, &item, ids, problems);
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
                record: format!("{key}[{i}]"),
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
