//! The social map as CSV for people: what an editor may edit, downloaded as a table that opens
//! right in Dutch Excel (`;` between cells, UTF-8 with a byte-order mark, CRLF), and uploaded
//! again with a report row by row. An upload with any problem saves nothing; one without is
//! published in one transaction (the steunpunt) or becomes one suggestion per changed service
//! (an organisation's editor).

use crate::AppResult;
use crate::editing::{MapEditor, Saved};
use kapstok_domain::audit::Action;
use kapstok_domain::calendar;
use kapstok_domain::editing::{Problem, Typed, apply_service_form, changes, service_values};
use kapstok_domain::map_table::{
    CellProblem, ID, READ_ONLY, columns, form_of_row, header_of, read_cell, row_of, safe_cell,
};
use kapstok_domain::model::{Service, TaxonomyTerm};
use kapstok_store::{MapRecord, NewVersion, RecordType, Via};
use std::collections::HashSet;

/// Most rows one upload may have.
pub const MAX_ROWS: usize = 20_000;

/// What is wrong with an uploaded table or one of its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowIssue {
    /// Not a table: no header row, or not CSV at all (the reader's words).
    Unreadable(String),
    /// A header that is not one of the table's columns.
    UnknownColumn(String),
    /// There is no `id` column.
    NoIdColumn,
    TooManyRows,
    /// A row without an id.
    NoId,
    /// An id that is not a service this editor may edit.
    UnknownId(String),
    /// The same id twice.
    Duplicate(String),
    Cell(CellProblem),
    Field(Problem),
}

/// A problem with its place: the spreadsheet's row number (the header is row 1) and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub row: usize,
    pub column: Option<String>,
    pub issue: RowIssue,
}

/// What an upload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TableSaved {
    pub rows: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Whether the changes were published (else they became suggestions).
    pub published: bool,
}

/// The bytes as text: UTF-8 (its byte-order mark dropped), or else Windows-1252, which Excel
/// writes when "CSV" rather than "CSV UTF-8" is chosen.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

impl MapEditor {
    /// The services this editor may edit as a CSV table for Dutch Excel.
    pub async fn export_csv(&self) -> AppResult<Vec<u8>> {
        let lines = self.services().await?;
        let ids: Vec<String> = lines.iter().map(|l| l.id.clone()).collect();
        let services = self.store.services(&ids).await?;
        let orgs = self.store.map_frame().await?.organizations;
        let org_name = |id: &str| {
            orgs.iter()
                .find(|o| o.id.as_str() == id)
                .map_or_else(|| id.to_string(), |o| o.name.clone())
        };
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .from_writer(b"\xEF\xBB\xBF".to_vec());
        let headers: Vec<String> = columns().into_iter().map(|(h, _)| h).collect();
        w.write_record(&headers)?;
        for s in &services {
            let row = row_of(s, &org_name(&s.organization_id), &|id| self.term_name(id));
            w.write_record(row.iter().map(|c| safe_cell(c)))?;
        }
        let mut log = self.entry(Action::Export, RecordType::Service, "csv");
        log.record_id = Some(format!("social map table: {} services", services.len()));
        self.store.append(&log).await?;
        w.into_inner()
            .map_err(|e| crate::AppError::Csv(e.into_error().into()))
    }

    /// Reads an uploaded table: every row checked first; with any problem nothing is saved.
    pub async fn import_csv(&self, bytes: &[u8]) -> AppResult<Result<TableSaved, Vec<RowProblem>>> {
        let text = decode(bytes);
        let first_line = text.lines().next().unwrap_or("");
        let delimiter = if first_line.contains(';') { b';' } else { b',' };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(text.as_bytes());
        let fail = |row, column, issue| Ok(Err(vec![RowProblem { row, column, issue }]));
        let headers: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(|c| c.trim().to_lowercase()).collect(),
            Err(e) => return fail(1, None, RowIssue::Unreadable(e.to_string())),
        };
        let known: Vec<String> = columns().into_iter().map(|(h, _)| h).collect();
        let mut problems = Vec::new();
        for h in &headers {
            if !known.contains(h) {
                problems.push(RowProblem {
                    row: 1,
                    column: Some(h.clone()),
                    issue: RowIssue::UnknownColumn(h.clone()),
                });
            }
        }
        let Some(id_at) = headers.iter().position(|h| h == ID) else {
            problems.push(RowProblem {
                row: 1,
                column: None,
                issue: RowIssue::NoIdColumn,
            });
            return Ok(Err(problems));
        };
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
        for (n, record) in reader.records().enumerate() {
            let row = n + 2;
            if rows.len() >= MAX_ROWS {
                return fail(row, None, RowIssue::TooManyRows);
            }
            match record {
                Ok(r) => {
                    let cells: Vec<String> = r.iter().map(|c| read_cell(c).to_string()).collect();
                    if cells.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    rows.push((row, cells));
                }
                Err(e) => return fail(row, None, RowIssue::Unreadable(e.to_string())),
            }
        }
        let in_reach: HashSet<String> = self.services().await?.into_iter().map(|l| l.id).collect();
        let catalog = self.app.catalog();
        let terms: Vec<&TaxonomyTerm> = catalog.terms.values().collect();
        let mut seen = HashSet::new();
        let mut changed: Vec<(Service, Service, Vec<String>)> = Vec::new();
        let mut unchanged = 0;
        let editable: Vec<String> = headers
            .iter()
            .map(|h| {
                if READ_ONLY.contains(&h.as_str()) {
                    String::new()
                } else {
                    h.clone()
                }
            })
            .collect();
        for (row, cells) in &rows {
            let id = cells.get(id_at).map(|c| c.trim()).unwrap_or("");
            let place = |column: Option<String>, issue| RowProblem {
                row: *row,
                column,
                issue,
            };
            if id.is_empty() {
                problems.push(place(Some(ID.into()), RowIssue::NoId));
                continue;
            }
            if !in_reach.contains(id) {
                problems.push(place(Some(ID.into()), RowIssue::UnknownId(id.into())));
                continue;
            }
            if !seen.insert(id.to_string()) {
                problems.push(place(Some(ID.into()), RowIssue::Duplicate(id.into())));
                continue;
            }
            let Some(base) = self.store.service(id).await? else {
                problems.push(place(Some(ID.into()), RowIssue::UnknownId(id.into())));
                continue;
            };
            let (form, cell_problems) =
                form_of_row(service_values(&base), &editable, cells, &terms);
            let row_ok = cell_problems.is_empty();
            for (column, p) in cell_problems {
                problems.push(place(Some(column), RowIssue::Cell(p)));
            }
            let mut after = match apply_service_form(&base, Typed(&form), &terms, &catalog.geo) {
                Ok(s) if row_ok => s,
                Ok(_) => continue,
                Err(field_problems) => {
                    for (field, p) in field_problems {
                        problems.push(place(Some(header_of(field)), RowIssue::Field(p)));
                    }
                    continue;
                }
            };
            let fields: Vec<String> = changes(
                &self.fields_of_service(&base),
                &self.fields_of_service(&after),
            )
            .into_iter()
            .map(|c| c.field.to_string())
            .collect();
            if fields.is_empty() {
                unchanged += 1;
            } else {
                after.last_modified = Some(self.now());
                changed.push((base, after, fields));
            }
        }
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        let saved = TableSaved {
            rows: rows.len(),
            changed: changed.len(),
            unchanged,
            published: self.publishes(),
        };
        if changed.is_empty() {
            return Ok(Ok(saved));
        }
        if self.publishes() {
            let by = self.actor.signed_in().map(|u| u.id.to_string());
            let versions: Vec<NewVersion> = changed
                .iter()
                .map(|(base, _, fields)| NewVersion {
                    at: self.now(),
                    user_id: by.clone(),
                    via: Via::Edit,
                    changed: fields.clone(),
                    restored_from: None,
                    previous: Some(MapRecord::Service(base).document()),
                })
                .collect();
            let records: Vec<(MapRecord<'_>, NewVersion)> = changed
                .iter()
                .zip(versions)
                .map(|((_, after, _), v)| (MapRecord::Service(after), v))
                .collect();
            let mut log = self.entry(Action::Change, RecordType::Service, "csv");
            log.record_id = Some(format!(
                "social map table: {} services ({})",
                records.len(),
                calendar::local(&self.now())
            ));
            self.store.publish_many(&records, &log).await?;
            self.app.refresh().await?;
        } else {
            for (base, after, fields) in &changed {
                let saved = self
                    .save(
                        MapRecord::Service(after),
                        MapRecord::Service(base),
                        fields.clone(),
                    )
                    .await?;
                debug_assert!(matches!(saved, Saved::Suggested(_)));
            }
        }
        Ok(Ok(saved))
    }
}
