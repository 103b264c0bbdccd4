//! The social map as a table for people: one row per service, one column per field of the
//! editing form, headed in Dutch, as it opens in a spreadsheet. A row read back becomes the
//! form's values (on top of the record as it is, so a column left out changes nothing) and goes
//! through the same checks as the form. No I/O and no CSV syntax here: the caller reads and
//! writes the cells.

use crate::editing::{HOUR_KEYS, service_values};
use crate::model::{ServiceStatus, TaxonomyTerm};

/// The id column: which record a row is.
pub const ID: &str = "id";
/// Shown for reading only: changes in these columns are ignored.
pub const READ_ONLY: [&str; 2] = ["organisatie", "laatst_gecontroleerd"];
/// The tags' column: term names separated by this.
pub const TAG_SEPARATOR: &str = " | ";

/// Every column in order: its header, and the form field it fills (`None`: read-only).
pub fn columns() -> Vec<(String, Option<&'static str>)> {
    let mut c: Vec<(String, Option<&'static str>)> = vec![
        (ID.into(), None),
        ("organisatie".into(), None),
        ("naam".into(), Some("name")),
        ("andere_naam".into(), Some("alternate_name")),
        ("status".into(), Some("status")),
        ("beschrijving".into(), Some("description")),
        ("voor_wie".into(), Some("eligibility_description")),
        ("leeftijd_vanaf".into(), Some("minimum_age")),
        ("leeftijd_tot".into(), Some("maximum_age")),
        ("wie_mag_verwijzen".into(), Some("kapstok_referral")),
        ("aanmelden".into(), Some("application_process")),
        ("wachttijd".into(), Some("wait_time")),
        ("kosten".into(), Some("fees_description")),
        ("bedrag".into(), Some("cost_amount")),
        ("telefoon".into(), Some("phone")),
        ("email".into(), Some("email")),
        ("website".into(), Some("url")),
        ("contactpersoon".into(), Some("contact_name")),
        ("contact_telefoon".into(), Some("contact_phone")),
        ("contact_email".into(), Some("contact_email")),
        ("locatie".into(), Some("location_name")),
        ("adres".into(), Some("address_1")),
        ("postcode".into(), Some("postal_code")),
        ("plaats".into(), Some("city")),
    ];
    const DAYS: [&str; 7] = ["ma", "di", "wo", "do", "vr", "za", "zo"];
    for (n, key) in HOUR_KEYS.iter().enumerate() {
        let part = if n % 2 == 0 { "open" } else { "dicht" };
        c.push((format!("{}_{part}", DAYS[n / 2]), Some(key)));
    }
    c.push(("tijden_toelichting".into(), Some("hours_note")));
    c.push(("labels".into(), Some("tag")));
    c.push(("laatst_gecontroleerd".into(), None));
    c
}

/// A status as people write it: Dutch or the HSDS code.
pub fn status_word(status: ServiceStatus) -> &'static str {
    match status {
        ServiceStatus::Active => "actief",
        ServiceStatus::Inactive => "niet actief",
        ServiceStatus::Defunct => "opgeheven",
        ServiceStatus::TemporarilyClosed => "tijdelijk gesloten",
    }
}

fn parse_status(text: &str) -> Option<ServiceStatus> {
    let t = text.trim().to_lowercase();
    ServiceStatus::ALL
        .into_iter()
        .find(|s| status_word(*s) == t || s.as_str() == t)
}

/// A service as a row (one cell per column of [`columns`]); `term_name` names a tag,
/// `organization` is the organisation's name.
pub fn row_of(
    s: &crate::model::Service,
    organization: &str,
    term_name: &dyn Fn(&str) -> String,
) -> Vec<String> {
    let values = service_values(s);
    let get = |k: &str| {
        values
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    columns()
        .into_iter()
        .map(|(header, field)| match (header.as_str(), field) {
            (ID, _) => s.id.to_string(),
            ("organisatie", _) => organization.to_string(),
            ("laatst_gecontroleerd", _) => s.assured_date.clone().unwrap_or_default(),
            (_, Some("status")) => status_word(s.status).to_string(),
            (_, Some("tag")) => {
                let mut names: Vec<String> = s.term_ids().map(term_name).collect();
                names.sort();
                names.join(TAG_SEPARATOR)
            }
            (_, Some(f)) => get(f),
            (_, None) => String::new(),
        })
        .collect()
}

/// The cells of a row that could not be read, by column.
pub type CellProblems = Vec<(String, CellProblem)>;

/// What is wrong with a cell, before the form's own checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellProblem {
    UnknownStatus,
    /// A tag name that is not one of the map's terms.
    UnknownTag(String),
}

/// A row's cells as the form's values, on top of `base` (the form's values of the record as it
/// is): the columns present replace those fields. `headers` name the cells' columns (already
/// checked to be known). `terms` are the tags that may be chosen, matched by name without
/// regard to case. With the values, the cells that could not be read (left out of the values,
/// so the form's own checks can still name the rest of the row's problems).
pub fn form_of_row(
    base: Vec<(String, String)>,
    headers: &[String],
    cells: &[String],
    terms: &[&TaxonomyTerm],
) -> (Vec<(String, String)>, CellProblems) {
    let columns = columns();
    let mut values = base;
    let mut problems = Vec::new();
    for (header, cell) in headers.iter().zip(cells) {
        let Some(field) = columns
            .iter()
            .find(|(h, _)| h == header)
            .and_then(|(_, f)| *f)
        else {
            continue;
        };
        let cell = cell.trim();
        values.retain(|(k, _)| k != field);
        match field {
            "status" => match parse_status(cell) {
                Some(s) => values.push(("status".into(), s.as_str().into())),
                None if cell.is_empty() => {}
                None => problems.push((header.clone(), CellProblem::UnknownStatus)),
            },
            "tag" => {
                for name in cell.split('|').map(str::trim).filter(|n| !n.is_empty()) {
                    match terms.iter().find(|t| {
                        t.name.to_lowercase() == name.to_lowercase() || t.id.as_str() == name
                    }) {
                        Some(t) => values.push(("tag".into(), t.id.to_string())),
                        None => {
                            problems.push((header.clone(), CellProblem::UnknownTag(name.into())))
                        }
                    }
                }
            }
            _ => {
                if !cell.is_empty() {
                    values.push((field.to_string(), cell.to_string()));
                }
            }
        }
    }
    (values, problems)
}

/// The column a form field is in (for naming it in a row's problems).
pub fn header_of(field: &str) -> String {
    columns()
        .into_iter()
        .find(|(_, f)| *f == Some(field))
        .map_or_else(|| field.to_string(), |(h, _)| h)
}

/// A cell as written to a spreadsheet: text a spreadsheet would run as a formula (`=`, `+`,
/// `-`, `@`, a tab or a carriage return first) gets a `'` in front, so it stays text.
pub fn safe_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// A cell as read back: the `'` that [`safe_cell`] put in front goes again.
pub fn read_cell(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Service, TermId};

    fn service() -> Service {
        serde_json::from_value(serde_json::json!({
            "id": "s1", "organization_id": "o1", "name": "Lotgenotengroep", "status": "active",
            "description": "Samen praten.",
            "phones": [{"id": "p1", "number": "+31 591 123 456"}],
            "schedules": [{"id": "h1", "freq": "WEEKLY", "byday": "MO", "opens_at": "09:00:00", "closes_at": "17:00:00"}],
            "attributes": [{"id": "a1", "taxonomy_term_id": "t1"}]
        }))
        .unwrap()
    }

    fn term(id: &str, name: &str) -> TaxonomyTerm {
        TaxonomyTerm {
            id: TermId::new(id),
            code: None,
            name: name.into(),
            description: String::new(),
            parent_id: None,
            taxonomy_id: None,
            language: None,
            term_uri: None,
            kapstok_order: None,
        }
    }

    #[test]
    fn a_row_reads_back_as_the_form_it_came_from() {
        let s = service();
        let t1 = term("t1", "Lotgenoten");
        let headers: Vec<String> = columns().into_iter().map(|(h, _)| h).collect();
        let row = row_of(&s, "Steunpunt", &|id| {
            if id == "t1" {
                "Lotgenoten".into()
            } else {
                id.into()
            }
        });
        assert_eq!(row.len(), headers.len());
        assert!(row.contains(&"actief".to_string()));
        assert!(row.contains(&"09:00".to_string()));
        let (back, problems) = form_of_row(Vec::new(), &headers, &row, &[&t1]);
        assert!(problems.is_empty());
        let mut want = service_values(&s);
        let mut got = back;
        want.sort();
        got.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn unknown_tags_and_statuses_name_their_column() {
        let headers = vec!["status".to_string(), "labels".to_string()];
        let cells = vec!["misschien".to_string(), "Lotgenoten | Onbekend".to_string()];
        let t1 = term("t1", "lotgenoten");
        let (_, err) = form_of_row(Vec::new(), &headers, &cells, &[&t1]);
        assert_eq!(
            err,
            vec![
                ("status".to_string(), CellProblem::UnknownStatus),
                (
                    "labels".to_string(),
                    CellProblem::UnknownTag("Onbekend".into())
                )
            ]
        );
    }

    #[test]
    fn formulas_stay_text_both_ways() {
        for t in ["=1+1", "+31 591", "-", "@x"] {
            assert!(safe_cell(t).starts_with('\''));
            assert_eq!(read_cell(&safe_cell(t)), t);
        }
        assert_eq!(safe_cell("gewoon"), "gewoon");
        assert_eq!(read_cell("'gewoon"), "'gewoon");
    }
}
