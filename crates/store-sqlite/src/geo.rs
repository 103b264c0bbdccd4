//! `GeoStore`: postcodes with coordinates and the postcode → area mapping.

use crate::SqliteStore;
use crate::meta::bump_version;
use async_trait::async_trait;
use kapstok_domain::geo::{Area, AreaPostcode, GeoData, GeoPoint, Postcode, PostcodeEntry};
use kapstok_store::{GeoStore, StoreResult};
use tracing::instrument;

#[async_trait]
impl GeoStore for SqliteStore {
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
        bump_version(&mut tx).await?;
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
        bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
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
