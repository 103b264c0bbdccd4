//! The operator's work at the server's command line: imports (all-or-nothing, checked first),
//! the export, the read model on demand.

use crate::Actor;
use kapstok_domain::geo::{Area, AreaPostcode, PostcodeEntry};
use kapstok_domain::hsds::{
    Batch, Checked, Format, ImportProblem, KnownIds, parse_directory, parse_in_batches, tabular,
};
use kapstok_domain::model::Directory;
use kapstok_search::{Catalog, SearchConfig};
use kapstok_store::{
    GeoStore, ImportSummary, MetaStore, SERVICE_PAGE, SocialMapRead, SocialMapWrite, Store,
    StoreError,
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Where an HSDS import reads from.
pub enum HsdsSource {
    /// A JSON document in any of the JSON formats, read as it goes.
    Json(Box<dyn std::io::Read + Send>),
    /// A Tabular Data Package's tables, by table name (see [`tabular::table_files`]).
    Tabular(HashMap<&'static str, Vec<u8>>),
}

/// A stored import: the counts, the format found, and what was taken leniently.
#[derive(Debug)]
pub struct Imported {
    pub summary: ImportSummary,
    pub format: Format,
    pub warnings: Vec<ImportProblem>,
}

/// What an import would do, record by record, without storing anything.
#[derive(Debug)]
pub struct DryRun {
    pub format: Format,
    pub warnings: Vec<ImportProblem>,
    pub records: Vec<Planned>,
}

/// One record an import would store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// `taxonomy`, `taxonomy_term`, `organization` or `service`.
    pub kind: &'static str,
    pub id: String,
    pub name: String,
    /// Not stored yet (else it is updated).
    pub new: bool,
}

impl Planned {
    fn all(batch: &Batch, known: &KnownIds) -> Vec<Planned> {
        fn plan<'a>(
            kind: &'static str,
            known: &HashSet<String>,
            items: impl Iterator<Item = (&'a str, &'a str)>,
        ) -> Vec<Planned> {
            items
                .map(|(id, name)| Planned {
                    kind,
                    id: id.to_string(),
                    name: name.to_string(),
                    new: !known.contains(id),
                })
                .collect()
        }
        match batch {
            Batch::Taxonomies(v) => plan(
                "taxonomy",
                &known.taxonomies,
                v.iter().map(|t| (t.id.as_str(), t.name.as_str())),
            ),
            Batch::TaxonomyTerms(v) => plan(
                "taxonomy_term",
                &known.taxonomy_terms,
                v.iter().map(|t| (t.id.as_str(), t.name.as_str())),
            ),
            Batch::Organizations(v) => plan(
                "organization",
                &known.organizations,
                v.iter().map(|o| (o.id.as_str(), o.name.as_str())),
            ),
            Batch::Services(v) => plan(
                "service",
                &known.services,
                v.iter().map(|s| (s.id.as_str(), s.name.as_str())),
            ),
        }
    }
}

/// Reads `source` on this thread, handing checked batches to `sink`.
fn read_source(
    source: HsdsSource,
    known: &KnownIds,
    sink: &mut dyn FnMut(Batch) -> bool,
) -> Result<Checked, Vec<ImportProblem>> {
    match source {
        HsdsSource::Json(input) => parse_in_batches(input, known, SERVICE_PAGE, sink),
        HsdsSource::Tabular(tables) => tabular::read_package(&tables, known, SERVICE_PAGE, sink),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The document has problems; nothing was written.
    #[error("{} probleem/problemen", .0.len())]
    Refused(Vec<ImportProblem>),
    /// The file would replace all areas with none; nothing was written.
    #[error(
        "het bestand bevat geen gebieden; inlezen zou alle {existing} bestaande gebieden wissen"
    )]
    WouldEmptyAreas { existing: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The operator's capability: imports, export, the read model. Holds no access to the
/// anonymous tallies (nor, later, to anything about a person).
pub struct Maintenance {
    meta: Arc<dyn MetaStore>,
    read: Arc<dyn SocialMapRead>,
    write: Arc<dyn SocialMapWrite>,
    geo: Arc<dyn GeoStore>,
}

impl Maintenance {
    /// The capability for `actor`, if it is the operator (the command line on the server).
    /// Needs no read model, so a command-line import does not build the search index.
    pub fn grant(store: Arc<dyn Store>, actor: &Actor) -> Option<Maintenance> {
        actor.is_operator().then(|| Maintenance {
            meta: store.clone(),
            read: store.clone(),
            write: store.clone(),
            geo: store,
        })
    }

    /// No organisations and no services yet (then `serve` loads the demo).
    pub async fn is_empty(&self) -> Result<bool, ImportError> {
        Ok(self.read.is_empty().await?)
    }

    /// The whole social map, sorted by id, as `kapstok export hsds` writes it.
    pub async fn export(&self) -> Result<Directory, ImportError> {
        Ok(self.read.load_directory().await?)
    }

    /// Builds the read model now, as a running server does after every change.
    pub async fn read_model(&self, config: &SearchConfig) -> Result<Catalog, ImportError> {
        Ok(Catalog::load(
            self.meta.as_ref(),
            self.read.as_ref(),
            self.geo.as_ref(),
            config,
        )
        .await?)
    }

    /// Checks an HSDS document; it may refer to records already stored.
    pub async fn check_hsds(&self, text: &str) -> Result<Directory, ImportError> {
        let known = self.read.known_ids().await?;
        parse_directory(text, &known).map_err(ImportError::Refused)
    }

    /// Reads, checks and stores an HSDS document in one go, all or nothing: the reading and
    /// checking runs on its own thread and hands checked records on in batches, which are
    /// written into one transaction while the rest is read; any problem in the document (found
    /// in any record, or at the end) rolls it all back. Holds one batch at a time, never the
    /// whole document (a Tabular Data Package's tables are read whole).
    pub async fn import_hsds(&self, source: HsdsSource) -> Result<Imported, ImportError> {
        let known = self.read.known_ids().await?;
        let (send, mut batches) = tokio::sync::mpsc::channel::<Batch>(2);
        let reader = tokio::task::spawn_blocking(move || {
            read_source(source, &known, &mut |batch| {
                send.blocking_send(batch).is_ok()
            })
        });
        let mut session = self.write.begin_import().await?;
        let mut written: Result<(), StoreError> = Ok(());
        while let Some(batch) = batches.recv().await {
            written = match &batch {
                Batch::Taxonomies(v) => session.taxonomies(v).await,
                Batch::TaxonomyTerms(v) => session.taxonomy_terms(v).await,
                Batch::Organizations(v) => session.organizations(v).await,
                Batch::Services(v) => session.services(v).await,
            };
            if written.is_err() {
                // The reader stops at its next batch; the session rolls back when dropped.
                break;
            }
        }
        drop(batches);
        let read = reader.await.expect("the document reader does not panic");
        written?;
        let checked = read.map_err(ImportError::Refused)?;
        Ok(Imported {
            summary: session.commit().await?,
            format: checked.format,
            warnings: checked.warnings,
        })
    }

    /// What [`Maintenance::import_hsds`] would create and update, record by record; stores
    /// nothing. A document with problems is refused as the import would refuse it.
    pub async fn dry_run_hsds(&self, source: HsdsSource) -> Result<DryRun, ImportError> {
        let known = self.read.known_ids().await?;
        let (checked, records) = tokio::task::spawn_blocking(move || {
            let mut records = Vec::new();
            let checked = read_source(source, &known, &mut |batch| {
                records.extend(Planned::all(&batch, &known));
                true
            });
            (checked, records)
        })
        .await
        .expect("the document reader does not panic");
        let checked = checked.map_err(ImportError::Refused)?;
        Ok(DryRun {
            format: checked.format,
            warnings: checked.warnings,
            records,
        })
    }

    /// Stores a checked directory (from `check_hsds`, or the shipped demo) in one transaction.
    pub async fn directory(&self, dir: &Directory) -> Result<ImportSummary, ImportError> {
        Ok(self.write.import_directory(dir).await?)
    }

    pub async fn postcodes(&self, rows: &[PostcodeEntry]) -> Result<usize, ImportError> {
        Ok(self.geo.import_postcodes(rows).await?)
    }

    /// Replaces all areas. No areas at all would wipe them: refused unless `force`.
    pub async fn areas(
        &self,
        areas: &[Area],
        mapping: &[AreaPostcode],
        force: bool,
    ) -> Result<(), ImportError> {
        if areas.is_empty() && !force {
            let existing = self.geo.geo_data().await?.areas.len();
            return Err(ImportError::WouldEmptyAreas { existing });
        }
        Ok(self.geo.replace_areas(areas, mapping).await?)
    }

    pub async fn mark_demo(&self) -> Result<(), ImportError> {
        Ok(self.meta.set_meta("demo", "true").await?)
    }
}
