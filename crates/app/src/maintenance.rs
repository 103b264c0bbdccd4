//! The operator's work at the server's command line: imports (all-or-nothing, checked first),
//! the export, the read model on demand.

use crate::Actor;
use kapstok_domain::geo::{Area, AreaPostcode, PostcodeEntry};
use kapstok_domain::hsds::{Batch, ImportProblem, parse_directory, parse_in_batches};
use kapstok_domain::model::Directory;
use kapstok_search::{Catalog, SearchConfig};
use kapstok_store::{
    GeoStore, ImportSummary, MetaStore, SERVICE_PAGE, SocialMapRead, SocialMapWrite, Store,
    StoreError,
};
use std::sync::Arc;

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
    /// whole document.
    pub async fn import_hsds_from(
        &self,
        input: impl std::io::Read + Send + 'static,
    ) -> Result<ImportSummary, ImportError> {
        let known = self.read.known_ids().await?;
        let (send, mut batches) = tokio::sync::mpsc::channel::<Batch>(2);
        let reader = tokio::task::spawn_blocking(move || {
            parse_in_batches(input, &known, SERVICE_PAGE, &mut |batch| {
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
        read.map_err(ImportError::Refused)?;
        Ok(session.commit().await?)
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
