//! Editing the social map by hand: a service's or an organisation's form as typed, checked field
//! by field and applied to the record it edits (what the form does not show stays as it was),
//! and what changed between two versions of a record, field by field, for the history and for
//! reviewing an organisation's suggestion. No I/O: the caller gives the taxonomy terms and the
//! postcodes it knows.

use crate::fields::{is_email, max_chars, web_link};
use crate::geo::{GeoData, Postcode};
use crate::model::{
    Address, Attribute, Contact, CostOption, Location, LocationId, Organization, Phone, Schedule,
    Service, ServiceAtLocation, ServiceStatus, TaxonomyTerm,
};
use std::collections::BTreeSet;

/// The form's values as sent: `key=value` pairs in order (a key may repeat: the tags).
#[derive(Debug, Clone, Copy)]
pub struct Typed<'a>(pub &'a [(String, String)]);

impl<'a> Typed<'a> {
    /// The first value of `key`, trimmed; `None` when absent or empty.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
    pub fn all(&self, key: &str) -> Vec<&'a str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect()
    }
}

/// What is wrong with one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Required,
    /// More characters than the field holds (its limit).
    TooLong(usize),
    NotALink,
    NotAnEmail,
    NotAPhone,
    /// A whole number of years from 0 to 120.
    NotAnAge,
    /// The minimum age lies above the maximum.
    AgeOrder,
    /// Not a time of day (`9:00`, `17:30`).
    NotATime,
    /// Opening without closing or the other way round, or closing when it opens.
    HoursIncomplete,
    NotAnAmount,
    NotAPostcode,
    /// Part of an address without the rest (street, postcode and place go together).
    AddressIncomplete,
    UnknownTag,
    UnknownStatus,
    /// Not a code for addresses: lower-case letters, digits and hyphens.
    NotACode,
    /// Another term of the taxonomy has this code.
    CodeTaken,
    /// Not a whole number (a position in a list).
    NotANumber,
    /// Not a date (`15-09-2026`).
    NotADate,
    /// The end lies before the start (or more than a week after it).
    EndBeforeStart,
    /// A signal's text holds what looks like a BSN, an e-mail address or a phone number.
    HoldsBsn,
    HoldsEmail,
    HoldsPhone,
    /// A date people registered for would fall away (move it instead).
    DatesTaken,
    /// After the activity's (first) date.
    AfterStart,
}

/// The problems of a form, each with its field (the form's `name`, which is the input's id).
pub type Problems = Vec<(&'static str, Problem)>;

/// The weekdays as RFC 5545 writes them, with the form's field suffix.
pub const WEEKDAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/// A service's form fields, each its HSDS field name where it has one.
pub const SERVICE_TEXT_FIELDS: [&str; 14] = [
    "name",
    "alternate_name",
    "description",
    "url",
    "email",
    "phone",
    "application_process",
    "kapstok_referral",
    "eligibility_description",
    "fees_description",
    "wait_time",
    "contact_name",
    "contact_email",
    "contact_phone",
];

fn opens_key(day: &str) -> String {
    format!("opens_{}", day.to_lowercase())
}
fn closes_key(day: &str) -> String {
    format!("closes_{}", day.to_lowercase())
}

/// The form's values for a service as it is: what the empty form shows.
pub fn service_values(s: &Service) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, val: Option<&str>| {
        if let Some(val) = val.filter(|x| !x.is_empty()) {
            v.push((k.to_string(), val.to_string()));
        }
    };
    put("name", Some(&s.name));
    put("alternate_name", s.alternate_name.as_deref());
    put("description", Some(&s.description));
    put("status", Some(s.status.as_str()));
    put("url", s.url.as_deref());
    put("email", s.email.as_deref());
    put("phone", s.phones.first().map(|p| p.number.as_str()));
    put("application_process", s.application_process.as_deref());
    put("kapstok_referral", s.kapstok_referral.as_deref());
    put(
        "eligibility_description",
        s.eligibility_description.as_deref(),
    );
    put("fees_description", s.fees_description.as_deref());
    let amount = s
        .cost_options
        .first()
        .and_then(|c| c.amount)
        .map(format_amount);
    put("cost_amount", amount.as_deref());
    put("wait_time", s.wait_time.as_deref());
    put(
        "minimum_age",
        s.minimum_age.map(|a| a.to_string()).as_deref(),
    );
    put(
        "maximum_age",
        s.maximum_age.map(|a| a.to_string()).as_deref(),
    );
    let contact = s.contacts.first();
    put("contact_name", contact.and_then(|c| c.name.as_deref()));
    put("contact_email", contact.and_then(|c| c.email.as_deref()));
    put(
        "contact_phone",
        contact
            .and_then(|c| c.phones.first())
            .map(|p| p.number.as_str()),
    );
    if let Some(l) = s.locations().next() {
        put("location_name", l.name.as_deref());
        if let Some(a) = l.addresses.first() {
            put("address_1", Some(&a.address_1));
            put("postal_code", Some(&a.postal_code));
            put("city", Some(&a.city));
        }
    }
    for (day, (opens, closes)) in weekly_hours(&s.schedules) {
        put(&opens_key(day), Some(&opens));
        put(&closes_key(day), Some(&closes));
    }
    put(
        "hours_note",
        s.schedules.iter().find_map(|h| h.description.as_deref()),
    );
    for a in &s.attributes {
        v.push(("tag".into(), a.taxonomy_term_id.to_string()));
    }
    v
}

fn format_amount(a: f64) -> String {
    format!("{a:.2}").replace('.', ",")
}

/// Opening and closing time per weekday (`HH:MM`), from weekly rules.
pub fn weekly_hours(schedules: &[Schedule]) -> Vec<(&'static str, (String, String))> {
    let short = |t: &str| t.get(..5).unwrap_or(t).to_string();
    WEEKDAYS
        .iter()
        .filter_map(|day| {
            schedules
                .iter()
                .find(|h| {
                    h.byday
                        .as_deref()
                        .is_some_and(|b| b.split(',').any(|d| d.trim() == *day))
                })
                .and_then(|h| {
                    Some((
                        *day,
                        (
                            short(h.opens_at.as_deref()?),
                            short(h.closes_at.as_deref()?),
                        ),
                    ))
                })
        })
        .collect()
}

/// `9:00`, `09.00` or `9:00:00` as `09:00:00`.
fn time_of_day(text: &str) -> Option<String> {
    let t = text.trim().replace('.', ":");
    let mut parts = t.split(':');
    let h: u8 = parts.next()?.parse().ok()?;
    let m: u8 = parts.next().unwrap_or("0").parse().ok()?;
    let s: u8 = parts.next().unwrap_or("0").parse().ok()?;
    (parts.next().is_none() && h < 24 && m < 60 && s < 60).then(|| format!("{h:02}:{m:02}:00"))
}

pub(crate) fn is_phone(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    (3..=15).contains(&digits)
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()/.".contains(c))
}

/// The checks every text field passes: its limit, and links and addresses where they belong.
fn text(f: Typed, key: &'static str, hsds: &str, p: &mut Problems) -> Option<String> {
    let value = f.get(key)?;
    if value.chars().count() > max_chars(hsds) {
        p.push((key, Problem::TooLong(max_chars(hsds))));
    } else if hsds == "url" && web_link(value).is_none() {
        p.push((key, Problem::NotALink));
    } else if hsds == "email" && !is_email(value) {
        p.push((key, Problem::NotAnEmail));
    } else if hsds == "number" && !is_phone(value) {
        p.push((key, Problem::NotAPhone));
    }
    Some(value.to_string())
}

fn required(f: Typed, key: &'static str, p: &mut Problems) -> String {
    let v = text(f, key, key, p);
    if v.is_none() {
        p.push((key, Problem::Required));
    }
    v.unwrap_or_default()
}

fn age(f: Typed, key: &'static str, p: &mut Problems) -> Option<i64> {
    let v = f.get(key)?;
    match v.parse::<i64>() {
        Ok(a) if (0..=120).contains(&a) => Some(a),
        _ => {
            p.push((key, Problem::NotAnAge));
            None
        }
    }
}

/// `12,50`, `12.50`, `€ 12` as 12.5.
fn amount(f: Typed, key: &'static str, p: &mut Problems) -> Option<f64> {
    let v = f.get(key)?;
    let cleaned: String = v
        .trim_start_matches('€')
        .trim()
        .replace(',', ".")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    match cleaned.parse::<f64>() {
        Ok(a) if a.is_finite() && (0.0..1_000_000.0).contains(&a) => {
            Some((a * 100.0).round() / 100.0)
        }
        _ => {
            p.push((key, Problem::NotAnAmount));
            None
        }
    }
}

/// Replaces the first element of `list` by `item` (or drops it with `None`), keeping the rest.
fn set_first<T>(list: &mut Vec<T>, item: Option<T>) {
    match (item, list.is_empty()) {
        (Some(x), true) => list.push(x),
        (Some(x), false) => list[0] = x,
        (None, false) => {
            list.remove(0);
        }
        (None, true) => {}
    }
}

/// The first phone with its number as typed (its other fields kept), or a new one.
fn phone(old: Option<&Phone>, id: String, number: Option<String>) -> Option<Phone> {
    number.map(|number| match old {
        Some(p) => Phone {
            number,
            ..p.clone()
        },
        None => Phone {
            id,
            number,
            kind: Some("voice".into()),
            description: None,
        },
    })
}

/// The service as the form says, on top of `base` (what the form does not show stays). `terms`:
/// the tags that may be chosen; `geo`: to place the address on the map.
pub fn apply_service_form(
    base: &Service,
    f: Typed,
    terms: &[&TaxonomyTerm],
    geo: &GeoData,
) -> Result<Service, Problems> {
    let mut p = Problems::new();
    let mut s = base.clone();
    let sid = s.id.to_string();
    s.name = required(f, "name", &mut p);
    s.description = required(f, "description", &mut p);
    s.alternate_name = text(f, "alternate_name", "alternate_name", &mut p);
    match f.get("status").map(ServiceStatus::parse) {
        Some(Some(status)) => s.status = status,
        Some(None) => p.push(("status", Problem::UnknownStatus)),
        None => p.push(("status", Problem::Required)),
    }
    s.url = text(f, "url", "url", &mut p);
    s.email = text(f, "email", "email", &mut p);
    let number = text(f, "phone", "number", &mut p);
    let first = phone(s.phones.first(), format!("{sid}-phone"), number);
    set_first(&mut s.phones, first);
    s.application_process = text(f, "application_process", "application_process", &mut p);
    s.kapstok_referral = text(f, "kapstok_referral", "kapstok_referral", &mut p);
    s.eligibility_description = text(
        f,
        "eligibility_description",
        "eligibility_description",
        &mut p,
    );
    s.fees_description = text(f, "fees_description", "fees_description", &mut p);
    s.wait_time = text(f, "wait_time", "wait_time", &mut p);
    let cost = amount(f, "cost_amount", &mut p);
    let cost_id = s.cost_options.first().map(|c| c.id.clone());
    let kept = s.cost_options.first().cloned();
    set_first(
        &mut s.cost_options,
        cost.map(|a| CostOption {
            id: cost_id.unwrap_or(format!("{sid}-cost")),
            amount: Some(a),
            currency: Some("EUR".into()),
            ..kept.unwrap_or(CostOption {
                id: String::new(),
                option: None,
                amount: None,
                currency: None,
                amount_description: None,
                valid_from: None,
                valid_to: None,
            })
        }),
    );
    s.minimum_age = age(f, "minimum_age", &mut p);
    s.maximum_age = age(f, "maximum_age", &mut p);
    if let (Some(a), Some(b)) = (s.minimum_age, s.maximum_age)
        && a > b
    {
        p.push(("maximum_age", Problem::AgeOrder));
    }
    contact(&mut s, f, &mut p);
    location(&mut s, f, geo, &mut p);
    hours(&mut s, f, &mut p);
    tags(&mut s, f, terms, &mut p);
    if p.is_empty() { Ok(s) } else { Err(p) }
}

fn contact(s: &mut Service, f: Typed, p: &mut Problems) {
    let sid = s.id.to_string();
    let name = text(f, "contact_name", "name", p);
    let email = text(f, "contact_email", "email", p);
    let number = text(f, "contact_phone", "number", p);
    let old = s.contacts.first().cloned();
    let any = name.is_some() || email.is_some() || number.is_some();
    let new = any.then(|| {
        let id = old
            .as_ref()
            .map_or(format!("{sid}-contact"), |c| c.id.clone());
        let mut phones = old.as_ref().map(|c| c.phones.clone()).unwrap_or_default();
        let first = phone(phones.first(), format!("{id}-phone"), number);
        set_first(&mut phones, first);
        Contact {
            id,
            name,
            email,
            phones,
            ..old.unwrap_or(Contact {
                id: String::new(),
                name: None,
                title: None,
                department: None,
                email: None,
                phones: Vec::new(),
            })
        }
    });
    set_first(&mut s.contacts, new);
}

fn location(s: &mut Service, f: Typed, geo: &GeoData, p: &mut Problems) {
    let sid = s.id.to_string();
    let name = text(f, "location_name", "name", p);
    let street = text(f, "address_1", "address_1", p);
    let city = text(f, "city", "city", p);
    let postcode = f.get("postal_code").map(|v| match Postcode::parse(v) {
        Ok(pc) => Some(pc),
        Err(_) => {
            p.push(("postal_code", Problem::NotAPostcode));
            None
        }
    });
    let given = [street.is_some(), postcode.is_some(), city.is_some()];
    if given.contains(&true) && given.contains(&false) {
        for (key, there) in ["address_1", "postal_code", "city"].into_iter().zip(given) {
            if !there {
                p.push((key, Problem::AddressIncomplete));
            }
        }
        return;
    }
    let old = s.service_at_locations.first().cloned();
    let new = match (street, postcode.flatten(), city) {
        (Some(street), Some(pc), Some(city)) => {
            let old_loc = old.as_ref().map(|sal| sal.location.clone());
            let loc_id = old_loc
                .as_ref()
                .map_or(LocationId::new(format!("{sid}-location")), |l| l.id.clone());
            let mut loc = old_loc.unwrap_or(Location {
                id: loc_id.clone(),
                location_type: "physical".into(),
                organization_id: Some(s.organization_id.clone()),
                name: None,
                description: None,
                transportation: None,
                latitude: None,
                longitude: None,
                addresses: Vec::new(),
                phones: Vec::new(),
                schedules: Vec::new(),
                accessibility: Vec::new(),
                languages: Vec::new(),
            });
            let moved = loc.postal_code().and_then(|x| Postcode::parse(x).ok()) != Some(pc.clone());
            if moved || loc.latitude.is_none() {
                let point = geo.locate(&pc);
                loc.latitude = point.map(|e| e.point.lat);
                loc.longitude = point.map(|e| e.point.lon);
            }
            let address = Address {
                id: loc
                    .addresses
                    .first()
                    .map_or(format!("{loc_id}-address"), |a| a.id.clone()),
                address_1: street,
                address_2: loc.addresses.first().and_then(|a| a.address_2.clone()),
                city,
                state_province: loc
                    .addresses
                    .first()
                    .map_or("Drenthe".into(), |a| a.state_province.clone()),
                postal_code: pc.display(),
                country: "NL".into(),
                address_type: "physical".into(),
            };
            set_first(&mut loc.addresses, Some(address));
            loc.name = name;
            Some(ServiceAtLocation {
                id: old
                    .as_ref()
                    .map_or(format!("{sid}-at-{loc_id}"), |x| x.id.clone()),
                service_id: Some(s.id.clone()),
                description: old.as_ref().and_then(|x| x.description.clone()),
                location: loc,
            })
        }
        _ => None,
    };
    set_first(&mut s.service_at_locations, new);
}

fn hours(s: &mut Service, f: Typed, p: &mut Problems) {
    let sid = s.id.to_string();
    // Days with the same hours become one weekly rule, in the order of the week.
    let mut rules: Vec<(String, String, Vec<&str>)> = Vec::new();
    for day in WEEKDAYS {
        let (ok, ck) = (opens_key(day), closes_key(day));
        let opens = f.get(&ok).map(|t| time_of_day(t).ok_or(()));
        let closes = f.get(&ck).map(|t| time_of_day(t).ok_or(()));
        let field = |k: &str| -> &'static str {
            // The form's keys are fixed: find the static one.
            HOUR_KEYS
                .iter()
                .find(|x| **x == k)
                .copied()
                .unwrap_or("hours")
        };
        match (opens, closes) {
            (None, None) => {}
            (Some(Err(())), _) => p.push((field(&ok), Problem::NotATime)),
            (_, Some(Err(()))) => p.push((field(&ck), Problem::NotATime)),
            // Closing before opening is overnight (night care: 22:00 to 07:00).
            (Some(Ok(o)), Some(Ok(c))) if o != c => {
                match rules.iter_mut().find(|(ro, rc, _)| *ro == o && *rc == c) {
                    Some(rule) => rule.2.push(day),
                    None => rules.push((o, c, vec![day])),
                }
            }
            (Some(Ok(_)), _) => p.push((field(&ck), Problem::HoursIncomplete)),
            (None, Some(Ok(_))) => p.push((field(&ok), Problem::HoursIncomplete)),
        }
    }
    let note = text(f, "hours_note", "description", p);
    let mut schedules: Vec<Schedule> = rules
        .into_iter()
        .enumerate()
        .map(|(i, (opens, closes, days))| Schedule {
            id: s
                .schedules
                .get(i)
                .map_or(format!("{sid}-hours-{}", i + 1), |h| h.id.clone()),
            freq: Some("WEEKLY".into()),
            byday: Some(days.join(",")),
            opens_at: Some(opens),
            closes_at: Some(closes),
            description: None,
            valid_from: None,
            valid_to: None,
            notes: None,
        })
        .collect();
    // Rules the week grid cannot show (no weekdays or no times) are kept as they were.
    schedules.extend(
        s.schedules
            .iter()
            .filter(|h| h.byday.is_none() || h.opens_at.is_none() || h.closes_at.is_none())
            .cloned(),
    );
    if let Some(note) = note {
        match schedules.first_mut() {
            Some(h) => h.description = Some(note),
            None => schedules.push(Schedule {
                id: format!("{sid}-hours-note"),
                freq: None,
                byday: None,
                opens_at: None,
                closes_at: None,
                description: Some(note),
                valid_from: None,
                valid_to: None,
                notes: None,
            }),
        }
    }
    s.schedules = schedules;
}

/// The keys of the week grid, as static strings for the problem list.
pub const HOUR_KEYS: [&str; 14] = [
    "opens_mo",
    "closes_mo",
    "opens_tu",
    "closes_tu",
    "opens_we",
    "closes_we",
    "opens_th",
    "closes_th",
    "opens_fr",
    "closes_fr",
    "opens_sa",
    "closes_sa",
    "opens_su",
    "closes_su",
];

fn tags(s: &mut Service, f: Typed, terms: &[&TaxonomyTerm], p: &mut Problems) {
    let chosen: BTreeSet<&str> = f.all("tag").into_iter().collect();
    if chosen
        .iter()
        .any(|c| !terms.iter().any(|t| t.id.as_str() == *c))
    {
        p.push(("tags", Problem::UnknownTag));
        return;
    }
    let sid = s.id.to_string();
    // Kept in the order they had; new ones after, in the taxonomy's order.
    let mut kept: Vec<Attribute> = s
        .attributes
        .iter()
        .filter(|a| chosen.contains(a.taxonomy_term_id.as_str()))
        .cloned()
        .collect();
    for t in terms {
        if chosen.contains(t.id.as_str()) && !kept.iter().any(|a| a.taxonomy_term_id == t.id) {
            kept.push(Attribute {
                id: format!("{sid}-tag-{}", t.id),
                taxonomy_term_id: t.id.clone(),
                link_id: Some(sid.clone()),
                link_type: Some("service".into()),
                link_entity: Some("service".into()),
                value: None,
            });
        }
    }
    s.attributes = kept;
}

/// An organisation's form fields.
pub const ORGANIZATION_FIELDS: [&str; 6] = [
    "name",
    "alternate_name",
    "description",
    "email",
    "website",
    "phone",
];

pub fn organization_values(o: &Organization) -> Vec<(String, String)> {
    let mut v = Vec::new();
    for (k, val) in [
        ("name", Some(o.name.as_str())),
        ("alternate_name", o.alternate_name.as_deref()),
        ("description", Some(o.description.as_str())),
        ("email", o.email.as_deref()),
        ("website", o.website.as_deref()),
        ("phone", o.phones.first().map(|p| p.number.as_str())),
        ("volunteer", o.kapstok_volunteer.then_some("1")),
    ] {
        if let Some(val) = val.filter(|x| !x.is_empty()) {
            v.push((k.to_string(), val.to_string()));
        }
    }
    v
}

pub fn apply_organization_form(base: &Organization, f: Typed) -> Result<Organization, Problems> {
    let mut p = Problems::new();
    let mut o = base.clone();
    o.name = required(f, "name", &mut p);
    o.description = required(f, "description", &mut p);
    o.alternate_name = text(f, "alternate_name", "alternate_name", &mut p);
    o.email = text(f, "email", "email", &mut p);
    o.website = text(f, "website", "url", &mut p);
    let number = text(f, "phone", "number", &mut p);
    let first = phone(o.phones.first(), format!("{}-phone", o.id), number);
    set_first(&mut o.phones, first);
    o.kapstok_volunteer = f.get("volunteer") == Some("1");
    if p.is_empty() { Ok(o) } else { Err(p) }
}

/// One field of a record as people read it, for comparing versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// The field's code (a form field or a group: `hours`, `tags`, `address`).
    pub field: &'static str,
    pub value: String,
}

/// What changed in one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

/// A service's fields as text, in the form's order; `term_name` names a tag.
pub fn show_service(s: &Service, term_name: &dyn Fn(&str) -> String) -> Vec<Shown> {
    let hours = weekly_hours(&s.schedules)
        .into_iter()
        .map(|(d, (o, c))| format!("{d} {o}–{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let address = s
        .locations()
        .next()
        .map(|l| {
            [
                l.name.clone(),
                l.addresses
                    .first()
                    .map(|a| format!("{}, {} {}", a.address_1, a.postal_code, a.city)),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ")
        })
        .unwrap_or_default();
    let mut tags: Vec<String> = s.term_ids().map(term_name).collect();
    tags.sort();
    let values = service_values(s);
    let typed = Typed(&values);
    let mut out: Vec<Shown> = SERVICE_TEXT_FIELDS
        .iter()
        .map(|f| Shown {
            field: f,
            value: typed.get(f).unwrap_or("").to_string(),
        })
        .collect();
    for (field, value) in [
        ("status", s.status.as_str().to_string()),
        ("cost_amount", typed.get("cost_amount").unwrap_or("").into()),
        ("minimum_age", typed.get("minimum_age").unwrap_or("").into()),
        ("maximum_age", typed.get("maximum_age").unwrap_or("").into()),
        ("address", address),
        ("hours", hours),
        ("hours_note", typed.get("hours_note").unwrap_or("").into()),
        ("tags", tags.join(", ")),
        ("assured_date", s.assured_date.clone().unwrap_or_default()),
    ] {
        out.push(Shown { field, value });
    }
    out
}

pub fn show_organization(o: &Organization) -> Vec<Shown> {
    let values = organization_values(o);
    let typed = Typed(&values);
    ORGANIZATION_FIELDS
        .iter()
        .chain(&["volunteer"])
        .map(|f| Shown {
            field: f,
            value: typed.get(f).unwrap_or("").to_string(),
        })
        .collect()
}

/// The fields whose text differs between `before` and `after` (same field order).
pub fn changes(before: &[Shown], after: &[Shown]) -> Vec<Change> {
    after
        .iter()
        .filter_map(|a| {
            let b = before
                .iter()
                .find(|b| b.field == a.field)
                .map_or("", |b| b.value.as_str());
            (b != a.value).then(|| Change {
                field: a.field,
                before: b.to_string(),
                after: a.value.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TermId;

    fn service() -> Service {
        serde_json::from_value(serde_json::json!({
            "id": "s1", "organization_id": "o1", "name": "Lotgenotengroep", "status": "active",
            "description": "Samen praten.",
            "phones": [{"id": "p1", "number": "0591 123 456"}],
            "languages": [{"id": "l1", "name": "Nederlands"}],
            "schedules": [{"id": "h1", "freq": "WEEKLY", "byday": "MO,TU", "opens_at": "09:00:00", "closes_at": "17:00:00"}],
            "attributes": [{"id": "a1", "taxonomy_term_id": "t1"}]
        }))
        .unwrap()
    }

    fn term(id: &str) -> TaxonomyTerm {
        TaxonomyTerm {
            id: TermId::new(id),
            code: None,
            name: format!("term {id}"),
            description: String::new(),
            parent_id: None,
            taxonomy_id: None,
            language: None,
            term_uri: None,
            kapstok_order: None,
        }
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn the_form_of_a_record_gives_the_record_back_unchanged() {
        let s = service();
        let values = service_values(&s);
        let (t1, t2) = (term("t1"), term("t2"));
        let again =
            apply_service_form(&s, Typed(&values), &[&t1, &t2], &GeoData::default()).unwrap();
        assert_eq!(again, s);
    }

    #[test]
    fn a_form_changes_what_it_shows_and_keeps_the_rest() {
        let s = service();
        let mut values = service_values(&s);
        values.retain(|(k, _)| k != "tag" && !k.ends_with("_tu"));
        values.extend(pairs(&[
            ("tag", "t2"),
            ("opens_we", "9.00"),
            ("closes_we", "17:00"),
            ("opens_fr", "13:00"),
            ("closes_fr", "16:30"),
            ("cost_amount", "€ 12,50"),
            ("address_1", "Hoofdstraat 1"),
            ("postal_code", "7811ab"),
            ("city", "Emmen"),
        ]));
        let (t1, t2) = (term("t1"), term("t2"));
        let new = apply_service_form(&s, Typed(&values), &[&t1, &t2], &GeoData::default()).unwrap();
        assert_eq!(
            new.languages, s.languages,
            "what the form does not show stays"
        );
        assert_eq!(new.attributes.len(), 1);
        assert_eq!(new.attributes[0].taxonomy_term_id.as_str(), "t2");
        let hours: Vec<_> = new
            .schedules
            .iter()
            .map(|h| (h.byday.clone().unwrap(), h.opens_at.clone().unwrap()))
            .collect();
        assert_eq!(
            hours,
            vec![
                ("MO,WE".to_string(), "09:00:00".to_string()),
                ("FR".to_string(), "13:00:00".to_string())
            ]
        );
        assert_eq!(new.cost_options[0].amount, Some(12.5));
        assert_eq!(
            new.locations().next().unwrap().postal_code(),
            Some("7811 AB")
        );
        let shown = changes(
            &show_service(&s, &|t| t.to_string()),
            &show_service(&new, &|t| t.to_string()),
        );
        let fields: Vec<_> = shown.iter().map(|c| c.field).collect();
        assert_eq!(fields, vec!["cost_amount", "address", "hours", "tags"]);
    }

    #[test]
    fn every_problem_is_named_with_its_field() {
        let s = service();
        let values = pairs(&[
            ("name", ""),
            ("description", "x"),
            ("status", "weg"),
            ("url", "javascript:alert(1)"),
            ("email", "geen adres"),
            ("phone", "bel me"),
            ("minimum_age", "70"),
            ("maximum_age", "18"),
            ("opens_mo", "25:00"),
            ("opens_tu", "10:00"),
            ("cost_amount", "gratis"),
            ("address_1", "Hoofdstraat 1"),
            ("tag", "onbekend"),
        ]);
        let problems =
            apply_service_form(&s, Typed(&values), &[], &GeoData::default()).unwrap_err();
        let expected = vec![
            ("name", Problem::Required),
            ("status", Problem::UnknownStatus),
            ("url", Problem::NotALink),
            ("email", Problem::NotAnEmail),
            ("phone", Problem::NotAPhone),
            ("cost_amount", Problem::NotAnAmount),
            ("maximum_age", Problem::AgeOrder),
            ("postal_code", Problem::AddressIncomplete),
            ("city", Problem::AddressIncomplete),
            ("opens_mo", Problem::NotATime),
            ("closes_tu", Problem::HoursIncomplete),
            ("tags", Problem::UnknownTag),
        ];
        assert_eq!(problems, expected);
        let long = "x".repeat(1_001);
        let values = pairs(&[("name", &long), ("description", "d"), ("status", "active")]);
        assert_eq!(
            apply_service_form(&s, Typed(&values), &[], &GeoData::default()).unwrap_err(),
            vec![("name", Problem::TooLong(1_000))]
        );
    }

    #[test]
    fn an_organisation_form_round_trips_and_checks() {
        let o: Organization = serde_json::from_value(serde_json::json!({
            "id": "o1", "name": "Humanitas", "description": "Vrijwilligers.",
            "website": "https://humanitas.nl", "kapstok_volunteer": true
        }))
        .unwrap();
        let values = organization_values(&o);
        assert_eq!(apply_organization_form(&o, Typed(&values)).unwrap(), o);
        let bad = pairs(&[("name", "H"), ("description", "d"), ("website", "ftp://x")]);
        assert_eq!(
            apply_organization_form(&o, Typed(&bad)).unwrap_err(),
            vec![("website", Problem::NotALink)]
        );
    }
}
