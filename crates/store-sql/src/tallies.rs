//! `TallyStore`: anonymous counts per instrument, band, area and month.

use crate::SqlStore;
use async_trait::async_trait;
use kapstok_store::{SelfCheckTally, StoreResult, TallyStore};

#[async_trait]
impl TallyStore for SqlStore {
    async fn count_self_check(&self, tally: &SelfCheckTally) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO self_check_counts (instrument, band, area_code, month, count) VALUES ($1, $2, $3, $4, 1) \
             ON CONFLICT (instrument, band, area_code, month) DO UPDATE SET count = self_check_counts.count + 1",
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
}
