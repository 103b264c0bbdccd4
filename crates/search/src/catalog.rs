//! The read model: the search index plus everything public pages and the API read, derived from
//! the database and rebuilt when its directory version moves. Never the truth, always derivable.
//!
//! Built by streaming: the map's frame (taxonomies, terms, organisations), then services a page
//! at a time, each turned into its index document and its compact public record and dropped, so
//! the whole directory is never held in memory.

use crate::directory::DocMaker;
use crate::records::{Records, SalIndex};
use crate::snapshot::{self, Loaded, SnapshotKey};
use crate::{Index, SearchConfig};
use kapstok_domain::fields::{clean_organization, clean_service};
use kapstok_domain::geo::GeoData;
use kapstok_domain::model::{
    Organization, ServiceId, Taxonomy, TaxonomyRole, TaxonomyTerm, TermId,
};
use kapstok_store::{GeoStore, MetaStore, SERVICE_PAGE, SocialMapRead, StoreResult};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

/// Everything pages and the API read without touching the database. Saved whole as the
/// read-model snapshot (`snapshot.rs`).
#[derive(Serialize, Deserialize)]
pub struct Catalog {
    pub version: i64,
    pub index: Index,
    #[serde(with = "as_json")]
    pub geo: GeoData,
    /// Sorted by id.
    #[serde(with = "as_json")]
    pub taxonomies: Vec<Taxonomy>,
    #[serde(with = "as_json")]
    pub terms: HashMap<TermId, TaxonomyTerm>,
    /// Cleaned, like every record handed out; numbered by (name, id), the API list's order.
    pub organizations: Records,
    /// The public services as the API hands them out.
    pub records: Records,
    /// Service-at-location records of public services, by id.
    pub service_at_locations: SalIndex,
    /// Age limits of services (minimum, maximum), for the respite guide.
    pub ages: HashMap<ServiceId, (Option<i64>, Option<i64>)>,
    /// Whether the data is the shipped demo (a banner says so on every page).
    pub demo: bool,
}

/// HSDS records leave out empty fields in JSON (`skip_serializing_if`), which a compact format
/// without field names cannot read back; in the snapshot they travel as their JSON text.
mod as_json {
    use serde::de::DeserializeOwned;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(value).map_err(serde::ser::Error::custom)?;
        s.serialize_str(&text)
    }

    pub fn deserialize<'de, T: DeserializeOwned, D: Deserializer<'de>>(
        d: D,
    ) -> Result<T, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        serde_json::from_str(&text).map_err(serde::de::Error::custom)
    }
}

impl Catalog {
    /// The read model from its snapshot at `snapshot` when that matches the database now, else
    /// built from the database (and then saved there). Without a path: always built.
    pub async fn open(
        meta: &dyn MetaStore,
        map: &dyn SocialMapRead,
        geo_store: &dyn GeoStore,
        config: &SearchConfig,
        snapshot: Option<&Path>,
    ) -> StoreResult<Catalog> {
        let Some(path) = snapshot else {
            return Catalog::load(meta, map, geo_store, config).await;
        };
        let started = Instant::now();
        let mut key = SnapshotKey {
            database: meta.database_id().await?,
            version: meta.directory_version().await?,
            config: config.fingerprint(),
        };
        match snapshot::load(path, &key, config) {
            Loaded::Fresh(catalog) => {
                tracing::info!(
                    version = catalog.version,
                    services = catalog.index.len(),
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "read model loaded from its snapshot"
                );
                return Ok(*catalog);
            }
            Loaded::Missing => {}
            Loaded::Stale => tracing::info!("read-model snapshot is out of date; rebuilding"),
            Loaded::Damaged(why) => {
                tracing::warn!(%why, path = %path.display(), "read-model snapshot unreadable; rebuilding")
            }
        }
        let catalog = Catalog::load(meta, map, geo_store, config).await?;
        key.version = catalog.version;
        let saving = Instant::now();
        match snapshot::save(path, &key, &catalog) {
            Ok(()) => tracing::info!(
                elapsed_ms = saving.elapsed().as_millis() as u64,
                "read-model snapshot saved"
            ),
            Err(e) => {
                tracing::warn!(error = %e, path = %path.display(), "cannot save the read-model snapshot")
            }
        }
        Ok(catalog)
    }

    /// Saves this read model as the snapshot at `path`, for the database with id `database`
    /// and the search configuration with `fingerprint` (blocking file I/O; atomic).
    pub fn save_snapshot(
        &self,
        path: &Path,
        database: String,
        fingerprint: u64,
    ) -> std::io::Result<()> {
        let key = SnapshotKey {
            database,
            version: self.version,
            config: fingerprint,
        };
        snapshot::save(path, &key, self)
    }

    /// Builds the read model from the three storage capabilities it reads.
    pub async fn load(
        meta: &dyn MetaStore,
        map: &dyn SocialMapRead,
        geo_store: &dyn GeoStore,
        config: &SearchConfig,
    ) -> StoreResult<Catalog> {
        let started = Instant::now();
        // Read the version first: a change that lands while we build is seen on the next check.
        let version = meta.directory_version().await?;
        let geo = geo_store.geo_data().await?;
        let demo = meta.meta("demo").await?.as_deref() == Some("true");
        let frame = map.map_frame().await?;
        let mut records = Records::default();
        let mut service_at_locations = Vec::new();
        let mut ages = HashMap::new();
        let index = {
            let maker = DocMaker::new(&frame, &geo);
            let mut builder = DocMaker::builder(&frame, &geo, config);
            let mut after: Option<ServiceId> = None;
            loop {
                let page = map.services_after(after.as_deref(), SERVICE_PAGE).await?;
                let done = page.len() < SERVICE_PAGE;
                after = page.last().map(|s| s.id.clone());
                for mut s in page.into_iter().filter(|s| s.status.is_public()) {
                    builder.add(maker.doc(&s));
                    clean_service(&mut s);
                    records.insert(&s);
                    let number = (records.len() - 1) as u32;
                    service_at_locations.extend(
                        s.service_at_locations
                            .iter()
                            .enumerate()
                            .map(|(p, l)| (l.id.clone(), number, p as u32)),
                    );
                    if s.minimum_age.is_some() || s.maximum_age.is_some() {
                        ages.insert(s.id.clone(), (s.minimum_age, s.maximum_age));
                    }
                }
                if done {
                    break;
                }
            }
            builder.build()
        };
        records.finish();
        let service_at_locations = SalIndex::build(service_at_locations);
        // Cleaned once here, like the records a MapReader hands out: pages that show an
        // organisation's address from the read model get only real links and addresses.
        let mut by_name: Vec<Organization> = frame.organizations;
        by_name.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        let mut organizations = Records::default();
        for mut o in by_name {
            clean_organization(&mut o);
            organizations.insert_record(&o.id, &o);
        }
        organizations.finish();
        tracing::info!(
            version,
            services = index.len(),
            terms = index.term_count(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "search index built"
        );
        Ok(Catalog {
            version,
            index,
            geo,
            taxonomies: frame.taxonomies,
            terms: frame
                .taxonomy_terms
                .into_iter()
                .map(|t| (t.id.clone(), t))
                .collect(),
            organizations,
            records,
            service_at_locations,
            ages,
            demo,
        })
    }

    /// The facet key of a taxonomy term, with the term, e.g. ("functie", Respijtzorg).
    pub fn facet_of(&self, term: &TaxonomyTerm) -> Option<&str> {
        let tax = term.taxonomy_id.as_deref()?;
        self.taxonomies
            .iter()
            .find(|t| t.id == tax)?
            .kapstok_facet
            .as_deref()
    }

    /// The facet key of the taxonomy that holds `role` in the data (`kapstok_role`); an empty
    /// key, which no facet has, when no taxonomy holds it.
    pub fn facet_key(&self, role: TaxonomyRole) -> &str {
        self.taxonomies
            .iter()
            .find(|t| t.kapstok_role == Some(role))
            .and_then(|t| t.kapstok_facet.as_deref())
            .unwrap_or("")
    }

    /// An organisation (cleaned).
    pub fn organization(&self, id: &str) -> Option<Organization> {
        self.organizations.get(id)
    }

    pub fn taxonomy_name(&self, id: &str) -> Option<&str> {
        self.taxonomies
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.name.as_str())
    }

    /// Where the read model's bytes go, counted: (part, bytes held), largest parts first.
    pub fn sizes(&self) -> Vec<(&'static str, usize)> {
        let (_, records) = self.records.sizes();
        let (_, orgs) = self.organizations.sizes();
        let sals = self.service_at_locations.bytes();
        let mut parts = self.index.sizes();
        parts.push(("service records (LZ4 + dictionary)", records));
        parts.push(("organisation records (LZ4 + dictionary)", orgs));
        parts.push(("service-at-location ids", sals));
        parts.sort_by_key(|(_, b)| std::cmp::Reverse(*b));
        parts
    }
}
