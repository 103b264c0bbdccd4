//! Changing the social map, postcodes and areas wholesale: all-or-nothing, checked first.

use crate::Actor;
use kapstok_domain::geo::{Area, AreaPostcode, PostcodeEntry};
use kapstok_domain::hsds::{ImportProblem, parse_directory};
use kapstok_domain::model::Directory;
use kapstok_store::{ImportSummary, Store, StoreError};
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

/// The capability to import. Granted to the operator only.
pub struct Importer {
    store: Arc<dyn Store>,
}

impl Importer {
    /// The importer for `actor`, if it may import: only the operator (the command line on the
    /// server). Needs no read model, so a command-line import does not build the search index.
    pub fn grant(store: Arc<dyn Store>, actor: &Actor) -> Option<Importer> {
        matches!(actor, Actor::Operator).then_some(Importer { store })
    }

    /// Checks an HSDS document (it may refer to stored records) and stores it in one transaction.
    pub async fn hsds(&self, text: &str) -> Result<(Directory, ImportSummary), ImportError> {
        let known = self.store.known_ids().await?;
        let dir = parse_directory(text, &known).map_err(ImportError::Refused)?;
        let summary = self.store.import_directory(&dir).await?;
        Ok((dir, summary))
    }

    /// Stores a directory that is already checked (the shipped demo).
    pub async fn directory(&self, dir: &Directory) -> Result<ImportSummary, ImportError> {
        Ok(self.store.import_directory(dir).await?)
    }

    pub async fn postcodes(&self, rows: &[PostcodeEntry]) -> Result<usize, ImportError> {
        Ok(self.store.import_postcodes(rows).await?)
    }

    /// Replaces all areas. No areas at all would wipe them: refused unless `force`.
    pub async fn areas(
        &self,
        areas: &[Area],
        mapping: &[AreaPostcode],
        force: bool,
    ) -> Result<(), ImportError> {
        if areas.is_empty() && !force {
            let existing = self.store.geo_data().await?.areas.len();
            return Err(ImportError::WouldEmptyAreas { existing });
        }
        Ok(self.store.replace_areas(areas, mapping).await?)
    }

    pub async fn mark_demo(&self) -> Result<(), ImportError> {
        Ok(self.store.set_meta("demo", "true").await?)
    }
}
