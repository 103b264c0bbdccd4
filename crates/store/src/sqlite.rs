//! The embedded SQLite backend.

use crate::{ImportSummary, SelfCheckTally, Store, StoreError, StoreResult};
use async_trait::async_trait;
use kapstok_domain::geo::{Area, AreaPostcode, GeoData, GeoPoint, Postcode, PostcodeEntry};
use kapstok_domain::hsds::KnownIds;
use kapstok_domain::model::{
    Attribute, Directory, Location, Organization, Service, ServiceAtLocation, Taxonomy,
    TaxonomyTerm,
};
use kapstok_domain::paging::Paging;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqliteConnection, SqlitePool};
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;
use tracing::instrument;

/// Migrations in order; each runs once, inside a transaction.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_social_map.sql")),
    (
        2,
        include_str!("../migrations/sqlite/0002_self_check_counts.sql"),
    ),
];

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

type TaxonomyRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);
type TermRow = (
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// (id, taxonomy_term_id, link_type, link_entity, value)
type AttributeRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);
/// (service id, service_at_location id, description, location id, location details)
type SalRow = (String, String, Option<String>, String, String);

/// Columns of a `SalRow`, for queries joining `service_at_locations sal` with `locations l`.
const SAL_COLUMNS: &str = "sal.service_id, sal.id, sal.description, l.id, l.details";

fn sal_from(
    (service_id, id, description, location_id, details): SalRow,
) -> StoreResult<ServiceAtLocation> {
    Ok(ServiceAtLocation {
        id,
        service_id: Some(service_id),
        description,
        location: from_json(&location_id, &details)?,
    })
}

const TAXONOMY_COLUMNS: &str = "id, name, description, uri, version, facet_key, sort_order";
const TERM_COLUMNS: &str =
    "id, taxonomy_id, code, name, description, parent_id, language, term_uri, sort_order";

fn taxonomy_from(r: TaxonomyRow) -> Taxonomy {
    Taxonomy {
        id: r.0,
        name: r.1,
        description: r.2,
        uri: r.3,
        version: r.4,
        kapstok_facet: r.5,
        kapstok_order: r.6,
    }
}

fn term_from(r: TermRow) -> TaxonomyTerm {
    TaxonomyTerm {
        id: r.0,
        taxonomy_id: r.1,
        code: r.2,
        name: r.3,
        description: r.4,
        parent_id: r.5,
        language: r.6,
        term_uri: r.7,
        kapstok_order: r.8,
    }
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("domain types always serialize")
}

fn from_json<T: DeserializeOwned>(id: &str, text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        id: id.to_string(),
        reason: e.to_string(),
    })
}

fn limit_offset(p: Paging) -> (i64, i64) {
    (p.per_page as i64, p.offset() as i64)
}

impl SqliteStore {
    /// Opens (creating when missing) the database file and brings its schema up to date.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Open(format!("{}: {e}", dir.display())))?;
        }
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(StoreError::Database)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit that returned survives a power cut, not only a crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // A local file: no ping before each use (a round trip to the connection thread).
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        let store = SqliteStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> StoreResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
            .execute(&mut *tx)
            .await?;
        let applied: Vec<(i64,)> = sqlx::query_as("SELECT version FROM schema_migrations")
            .fetch_all(&mut *tx)
            .await?;
        for (version, sql) in MIGRATIONS {
            if applied.iter().any(|(v,)| v == version) {
                continue;
            }
            sqlx::raw_sql(*sql).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?, datetime('now'))",
            )
            .bind(version)
            .execute(&mut *tx)
            .await?;
            tracing::info!(version, "applied database migration");
        }
        tx.commit().await?;
        Ok(())
    }

    /// SQLite's own consistency check: `Ok(())` when the file is sound, else what it found.
    pub async fn integrity_check(&self) -> StoreResult<Result<(), String>> {
        let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
            .fetch_all(&self.pool)
            .await?;
        let found: Vec<String> = rows.into_iter().map(|(r,)| r).collect();
        Ok(if found == ["ok"] {
            Ok(())
        } else {
            Err(found.join("; "))
        })
    }

    /// A consistent copy of the whole database, made while the app runs.
    pub async fn backup_to(&self, path: &Path) -> StoreResult<()> {
        sqlx::query("VACUUM INTO ?")
            .bind(path.to_string_lossy().into_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn bump_version(conn: &mut SqliteConnection) -> StoreResult<()> {
        sqlx::query("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'directory_version'")
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Fills in attributes and locations of the given services: two queries, whatever the count.
    async fn attach(&self, mut services: Vec<Service>) -> StoreResult<Vec<Service>> {
        if services.is_empty() {
            return Ok(services);
        }
        let ids = to_json(&services.iter().map(|s| s.id.as_str()).collect::<Vec<_>>());
        let attrs: Vec<(String, AttributeRow)> = sqlx::query(
            "SELECT service_id, id, taxonomy_term_id, link_type, link_entity, value FROM service_attributes \
             WHERE service_id IN (SELECT value FROM json_each(?)) ORDER BY service_id, position",
        )
        .bind(&ids)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|r| Ok((r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?, r.try_get(5)?))))
        .collect::<Result<_, sqlx::Error>>()?;
        let sals: Vec<SalRow> = sqlx::query_as(
            sqlx::AssertSqlSafe(format!(
                "SELECT {SAL_COLUMNS} FROM service_at_locations sal JOIN locations l ON l.id = sal.location_id \
                 WHERE sal.service_id IN (SELECT value FROM json_each(?)) ORDER BY sal.service_id, sal.position"
            )),
        )
        .bind(&ids)
        .fetch_all(&self.pool)
        .await?;
        let position: HashMap<String, usize> = services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        for (service_id, (id, taxonomy_term_id, link_type, link_entity, value)) in attrs {
            if let Some(&i) = position.get(&service_id) {
                services[i].attributes.push(Attribute {
                    id,
                    taxonomy_term_id,
                    link_id: Some(service_id),
                    link_type,
                    link_entity,
                    value,
                });
            }
        }
        for row in sals {
            if let Some(&i) = position.get(&row.0) {
                services[i].service_at_locations.push(sal_from(row)?);
            }
        }
        Ok(services)
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn directory_version(&self) -> StoreResult<i64> {
        let v: Option<String> = self.meta("directory_version").await?;
        Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    async fn meta(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()> {
        sqlx::query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn is_empty(&self) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM services) + (SELECT COUNT(*) FROM organizations)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(n == 0)
    }

    #[instrument(skip_all)]
    async fn load_directory(&self) -> StoreResult<Directory> {
        let taxonomies: Vec<TaxonomyRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TAXONOMY_COLUMNS} FROM taxonomies ORDER BY id"
        )))
        .fetch_all(&self.pool)
        .await?;
        let terms: Vec<TermRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TERM_COLUMNS} FROM taxonomy_terms ORDER BY id"
        )))
        .fetch_all(&self.pool)
        .await?;
        let orgs: Vec<(String, String)> =
            sqlx::query_as("SELECT id, details FROM organizations ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        let locations: Vec<(String, String)> = sqlx::query_as("SELECT id, details FROM locations")
            .fetch_all(&self.pool)
            .await?;
        let locations: HashMap<String, Location> = locations
            .into_iter()
            .map(|(id, d)| Ok((id.clone(), from_json(&id, &d)?)))
            .collect::<StoreResult<_>>()?;
        let mut attrs: HashMap<String, Vec<Attribute>> = HashMap::new();
        let rows = sqlx::query(
            "SELECT id, service_id, taxonomy_term_id, link_type, link_entity, value FROM service_attributes ORDER BY service_id, position",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in rows {
            let service_id: String = r.try_get(1)?;
            attrs
                .entry(service_id.clone())
                .or_default()
                .push(Attribute {
                    id: r.try_get(0)?,
                    taxonomy_term_id: r.try_get(2)?,
                    link_id: Some(service_id),
                    link_type: r.try_get(3)?,
                    link_entity: r.try_get(4)?,
                    value: r.try_get(5)?,
                });
        }
        let mut sals: HashMap<String, Vec<ServiceAtLocation>> = HashMap::new();
        let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT id, service_id, location_id, description FROM service_at_locations ORDER BY service_id, position",
        )
        .fetch_all(&self.pool)
        .await?;
        for (id, service_id, location_id, description) in rows {
            let location =
                locations
                    .get(&location_id)
                    .cloned()
                    .ok_or_else(|| StoreError::Corrupt {
                        id: id.clone(),
                        reason: format!("missing location {location_id}"),
                    })?;
            sals.entry(service_id.clone())
                .or_default()
                .push(ServiceAtLocation {
                    id,
                    service_id: Some(service_id),
                    description,
                    location,
                });
        }
        let services: Vec<(String, String)> =
            sqlx::query_as("SELECT id, details FROM services ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        let mut dir = Directory {
            taxonomies: taxonomies.into_iter().map(taxonomy_from).collect(),
            taxonomy_terms: terms.into_iter().map(term_from).collect(),
            organizations: orgs
                .iter()
                .map(|(id, d)| from_json(id, d))
                .collect::<StoreResult<_>>()?,
            services: services
                .iter()
                .map(|(id, d)| {
                    let mut s: Service = from_json(id, d)?;
                    s.attributes = attrs.remove(id).unwrap_or_default();
                    s.service_at_locations = sals.remove(id).unwrap_or_default();
                    Ok(s)
                })
                .collect::<StoreResult<_>>()?,
        };
        dir.normalize();
        Ok(dir)
    }

    async fn known_ids(&self) -> StoreResult<KnownIds> {
        let ids = |sql: &'static str| async move {
            let v: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&self.pool).await?;
            Ok::<_, StoreError>(v.into_iter().map(|(s,)| s).collect())
        };
        Ok(KnownIds {
            taxonomies: ids("SELECT id FROM taxonomies").await?,
            taxonomy_terms: ids("SELECT id FROM taxonomy_terms").await?,
            organizations: ids("SELECT id FROM organizations").await?,
        })
    }

    #[instrument(skip_all, fields(services = dir.services.len()))]
    async fn import_directory(&self, dir: &Directory) -> StoreResult<ImportSummary> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut summary = ImportSummary::default();
        for t in &dir.taxonomies {
            sqlx::query(
                "INSERT INTO taxonomies (id, name, description, uri, version, facet_key, sort_order) VALUES (?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, uri = excluded.uri, \
                 version = excluded.version, facet_key = excluded.facet_key, sort_order = excluded.sort_order",
            )
            .bind(&t.id)
            .bind(&t.name)
            .bind(&t.description)
            .bind(&t.uri)
            .bind(&t.version)
            .bind(&t.kapstok_facet)
            .bind(t.kapstok_order)
            .execute(&mut *tx)
            .await?;
            summary.taxonomies += 1;
        }
        // Parents before children, so the parent_id reference always resolves.
        let mut terms: Vec<&TaxonomyTerm> = dir.taxonomy_terms.iter().collect();
        terms.sort_by_key(|t| t.parent_id.is_some());
        for t in terms {
            sqlx::query(
                "INSERT INTO taxonomy_terms (id, taxonomy_id, code, name, description, parent_id, language, term_uri, sort_order) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET taxonomy_id = excluded.taxonomy_id, \
                 code = excluded.code, name = excluded.name, description = excluded.description, parent_id = excluded.parent_id, \
                 language = excluded.language, term_uri = excluded.term_uri, sort_order = excluded.sort_order",
            )
            .bind(&t.id)
            .bind(&t.taxonomy_id)
            .bind(&t.code)
            .bind(&t.name)
            .bind(&t.description)
            .bind(&t.parent_id)
            .bind(&t.language)
            .bind(&t.term_uri)
            .bind(t.kapstok_order)
            .execute(&mut *tx)
            .await?;
            summary.taxonomy_terms += 1;
        }
        for o in &dir.organizations {
            sqlx::query(
                "INSERT INTO organizations (id, name, details) VALUES (?, ?, ?) \
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, details = excluded.details",
            )
            .bind(&o.id)
            .bind(&o.name)
            .bind(to_json(o))
            .execute(&mut *tx)
            .await?;
            summary.organizations += 1;
        }
        let mut written_locations = std::collections::HashSet::new();
        for s in &dir.services {
            for sal in &s.service_at_locations {
                let l = &sal.location;
                if !written_locations.insert(l.id.as_str()) {
                    continue;
                }
                sqlx::query(
                    "INSERT INTO locations (id, organization_id, location_type, postal_code, latitude, longitude, details) \
                     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id, \
                     location_type = excluded.location_type, postal_code = excluded.postal_code, latitude = excluded.latitude, \
                     longitude = excluded.longitude, details = excluded.details",
                )
                .bind(&l.id)
                .bind(&l.organization_id)
                .bind(&l.location_type)
                .bind(l.postal_code())
                .bind(l.latitude)
                .bind(l.longitude)
                .bind(to_json(l))
                .execute(&mut *tx)
                .await?;
                summary.locations += 1;
            }
            let core = Service {
                service_at_locations: Vec::new(),
                attributes: Vec::new(),
                ..s.clone()
            };
            sqlx::query(
                "INSERT INTO services (id, organization_id, name, status, assured_date, last_modified, details) VALUES (?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id, name = excluded.name, status = excluded.status, \
                 assured_date = excluded.assured_date, last_modified = excluded.last_modified, details = excluded.details",
            )
            .bind(&s.id)
            .bind(&s.organization_id)
            .bind(&s.name)
            .bind(&s.status)
            .bind(&s.assured_date)
            .bind(&s.last_modified)
            .bind(to_json(&core))
            .execute(&mut *tx)
            .await?;
            // Links are replaced as a whole: the document is the truth for this service.
            sqlx::query("DELETE FROM service_attributes WHERE service_id = ?")
                .bind(&s.id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM service_at_locations WHERE service_id = ?")
                .bind(&s.id)
                .execute(&mut *tx)
                .await?;
            for (i, a) in s.attributes.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO service_attributes (id, service_id, taxonomy_term_id, link_type, link_entity, value, position) \
                     VALUES (?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(&a.id)
                .bind(&s.id)
                .bind(&a.taxonomy_term_id)
                .bind(&a.link_type)
                .bind(&a.link_entity)
                .bind(&a.value)
                .bind(i as i64)
                .execute(&mut *tx)
                .await?;
            }
            for (i, sal) in s.service_at_locations.iter().enumerate() {
                sqlx::query("INSERT INTO service_at_locations (id, service_id, location_id, description, position) VALUES (?, ?, ?, ?, ?)")
                    .bind(&sal.id)
                    .bind(&s.id)
                    .bind(&sal.location.id)
                    .bind(&sal.description)
                    .bind(i as i64)
                    .execute(&mut *tx)
                    .await?;
            }
            summary.services += 1;
            if summary.services % 10_000 == 0 {
                // Progress for large imports (the command line shows it on standard error).
                tracing::info!(
                    done = summary.services,
                    of = dir.services.len(),
                    "importing services"
                );
            }
        }
        Self::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(summary)
    }

    async fn service(&self, id: &str) -> StoreResult<Option<Service>> {
        Ok(self.services(&[id.to_string()]).await?.pop())
    }

    async fn services(&self, ids: &[String]) -> StoreResult<Vec<Service>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let row: Option<(String,)> =
                sqlx::query_as("SELECT details FROM services WHERE id = ?")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
            if let Some((details,)) = row {
                out.push(from_json(id, &details)?);
            }
        }
        self.attach(out).await
    }

    async fn organization(&self, id: &str) -> StoreResult<Option<Organization>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT details FROM organizations WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(d,)| from_json(id, &d)).transpose()
    }

    async fn organizations(&self, paging: Paging) -> StoreResult<(Vec<Organization>, u64)> {
        let (limit, offset) = limit_offset(paging);
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, details FROM organizations ORDER BY name, id LIMIT ? OFFSET ?",
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations")
            .fetch_one(&self.pool)
            .await?;
        Ok((
            rows.iter()
                .map(|(id, d)| from_json(id, d))
                .collect::<StoreResult<_>>()?,
            total as u64,
        ))
    }

    async fn taxonomies(&self, paging: Paging) -> StoreResult<(Vec<Taxonomy>, u64)> {
        let (limit, offset) = limit_offset(paging);
        let rows: Vec<TaxonomyRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TAXONOMY_COLUMNS} FROM taxonomies ORDER BY sort_order, name LIMIT ? OFFSET ?"
        )))
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM taxonomies")
            .fetch_one(&self.pool)
            .await?;
        Ok((rows.into_iter().map(taxonomy_from).collect(), total as u64))
    }

    async fn taxonomy(&self, id: &str) -> StoreResult<Option<Taxonomy>> {
        let row: Option<TaxonomyRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TAXONOMY_COLUMNS} FROM taxonomies WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(taxonomy_from))
    }

    async fn taxonomy_terms(
        &self,
        taxonomy_id: Option<&str>,
        paging: Paging,
    ) -> StoreResult<(Vec<TaxonomyTerm>, u64)> {
        let (limit, offset) = limit_offset(paging);
        let rows: Vec<TermRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TERM_COLUMNS} FROM taxonomy_terms WHERE (?1 IS NULL OR taxonomy_id = ?1) \
             ORDER BY taxonomy_id, sort_order, name LIMIT ?2 OFFSET ?3"
        )))
        .bind(taxonomy_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM taxonomy_terms WHERE (?1 IS NULL OR taxonomy_id = ?1)",
        )
        .bind(taxonomy_id)
        .fetch_one(&self.pool)
        .await?;
        Ok((rows.into_iter().map(term_from).collect(), total as u64))
    }

    async fn taxonomy_term(&self, id: &str) -> StoreResult<Option<TaxonomyTerm>> {
        let row: Option<TermRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {TERM_COLUMNS} FROM taxonomy_terms WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(term_from))
    }

    async fn service_at_locations(
        &self,
        paging: Paging,
    ) -> StoreResult<(Vec<ServiceAtLocation>, u64)> {
        let (limit, offset) = limit_offset(paging);
        let rows: Vec<SalRow> = sqlx::query_as(
            sqlx::AssertSqlSafe(format!(
                "SELECT {SAL_COLUMNS} FROM service_at_locations sal JOIN locations l ON l.id = sal.location_id \
                 ORDER BY sal.id LIMIT ? OFFSET ?"
            )),
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM service_at_locations")
            .fetch_one(&self.pool)
            .await?;
        let items = rows.into_iter().map(sal_from).collect::<StoreResult<_>>()?;
        Ok((items, total as u64))
    }

    async fn service_at_location(&self, id: &str) -> StoreResult<Option<ServiceAtLocation>> {
        let row: Option<SalRow> = sqlx::query_as(
            sqlx::AssertSqlSafe(format!(
                "SELECT {SAL_COLUMNS} FROM service_at_locations sal JOIN locations l ON l.id = sal.location_id WHERE sal.id = ?"
            )),
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(sal_from).transpose()
    }

    #[instrument(skip_all, fields(rows = entries.len()))]
    async fn import_postcodes(&self, entries: &[PostcodeEntry]) -> StoreResult<usize> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for e in entries {
            sqlx::query(
                "INSERT INTO postcodes (postcode, latitude, longitude, place) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (postcode) DO UPDATE SET latitude = excluded.latitude, longitude = excluded.longitude, place = excluded.place",
            )
            .bind(e.postcode.as_str())
            .bind(e.point.lat)
            .bind(e.point.lon)
            .bind(&e.place)
            .execute(&mut *tx)
            .await?;
        }
        Self::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(entries.len())
    }

    async fn replace_areas(&self, areas: &[Area], mapping: &[AreaPostcode]) -> StoreResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("DELETE FROM area_postcodes")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM areas").execute(&mut *tx).await?;
        for (i, a) in areas.iter().enumerate() {
            sqlx::query(
                "INSERT INTO areas (code, name, municipality, position) VALUES (?, ?, ?, ?)",
            )
            .bind(&a.code)
            .bind(&a.name)
            .bind(&a.municipality)
            .bind(i as i64)
            .execute(&mut *tx)
            .await?;
        }
        for m in mapping {
            sqlx::query("INSERT INTO area_postcodes (postcode, area_code) VALUES (?, ?)")
                .bind(m.postcode.as_str())
                .bind(&m.area_code)
                .execute(&mut *tx)
                .await?;
        }
        Self::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn count_self_check(&self, tally: &SelfCheckTally) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO self_check_counts (instrument, band, area_code, month, count) VALUES (?, ?, ?, ?, 1) \
             ON CONFLICT (instrument, band, area_code, month) DO UPDATE SET count = count + 1",
        )
        .bind(&tally.instrument)
        .bind(&tally.band)
        .bind(tally.area_code.as_deref().unwrap_or(""))
        .bind(&tally.month)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn self_check_counts(&self) -> StoreResult<Vec<(SelfCheckTally, i64)>> {
        let rows: Vec<(String, String, String, String, i64)> =
            sqlx::query_as("SELECT instrument, band, area_code, month, count FROM self_check_counts ORDER BY month, instrument, band, area_code")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(instrument, band, area, month, count)| {
                (
                    SelfCheckTally {
                        instrument,
                        band,
                        area_code: (!area.is_empty()).then_some(area),
                        month,
                    },
                    count,
                )
            })
            .collect())
    }

    async fn geo_data(&self) -> StoreResult<GeoData> {
        let rows: Vec<(String, f64, f64, Option<String>)> =
            sqlx::query_as("SELECT postcode, latitude, longitude, place FROM postcodes")
                .fetch_all(&self.pool)
                .await?;
        let postcodes = rows
            .into_iter()
            .filter_map(|(pc, lat, lon, place)| {
                Some(PostcodeEntry {
                    postcode: Postcode::parse(&pc).ok()?,
                    point: GeoPoint::new(lat, lon)?,
                    place,
                })
            })
            .collect();
        let areas: Vec<(String, String, String)> =
            sqlx::query_as("SELECT code, name, municipality FROM areas ORDER BY position")
                .fetch_all(&self.pool)
                .await?;
        let mapping: Vec<(String, String)> =
            sqlx::query_as("SELECT postcode, area_code FROM area_postcodes")
                .fetch_all(&self.pool)
                .await?;
        Ok(GeoData::new(
            postcodes,
            areas
                .into_iter()
                .map(|(code, name, municipality)| Area {
                    code,
                    name,
                    municipality,
                })
                .collect(),
            mapping
                .into_iter()
                .filter_map(|(pc, area_code)| {
                    Some(AreaPostcode {
                        postcode: Postcode::parse(&pc).ok()?,
                        area_code,
                    })
                })
                .collect(),
        ))
    }
}
