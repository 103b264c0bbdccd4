//! `GeoStore`: postcodes with coordinates and the postcode → area mapping.

use crate::SqlStore;
use crate::meta::bump_version;
use crate::rows::insert_all;
use async_trait::async_trait;
use kapstok_domain::geo::{Area, AreaPostcode, GeoData, GeoPoint, Postcode, PostcodeEntry};
use kapstok_store::{GeoStore, StoreResult};
use tracing::instrument;

#[async_trait]
impl GeoStore for SqlStore {
    #[instrument(skip_all, fields(rows = entries.len()))]
    async fn import_postcodes(&self, entries: &[PostcodeEntry]) -> StoreResult<usize> {
        let mut tx = self.begin().await?;
        insert_all(
            &mut tx,
            self.placeholder(),
            "INSERT INTO postcodes (postcode, latitude, longitude, place)",
            4,
            "ON CONFLICT (postcode) DO UPDATE SET latitude = excluded.latitude, \
             longitude = excluded.longitude, place = excluded.place",
            entries,
            |q, e| {
                q.bind(e.postcode.as_str().to_string())
                    .bind(e.point.lat)
                    .bind(e.point.lon)
                    .bind(e.place.clone())
            },
        )
        .await?;
        bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(entries.len())
    }

    async fn replace_areas(&self, areas: &[Area], mapping: &[AreaPostcode]) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM area_postcodes")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM areas").execute(&mut *tx).await?;
        let positioned: Vec<(usize, &Area)> = areas.iter().enumerate().collect();
        insert_all(
            &mut tx,
            self.placeholder(),
            "INSERT INTO areas (code, name, municipality, position)",
            4,
            "",
            &positioned,
            |q, (i, a)| {
                q.bind(a.code.clone())
                    .bind(a.name.clone())
                    .bind(a.municipality.clone())
                    .bind(*i as i64)
            },
        )
        .await?;
        insert_all(
            &mut tx,
            self.placeholder(),
            "INSERT INTO area_postcodes (postcode, area_code)",
            2,
            "",
            mapping,
            |q, m| {
                q.bind(m.postcode.as_str().to_string())
                    .bind(m.area_code.clone())
            },
        )
        .await?;
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
