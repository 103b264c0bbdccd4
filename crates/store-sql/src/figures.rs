//! `FiguresStore`: counts for the municipality's dashboard, grouped in the database.

use crate::SqlStore;
use async_trait::async_trait;
use kapstok_store::{FiguresStore, ReferralCount, StoreResult};

#[async_trait]
impl FiguresStore for SqlStore {
    async fn referral_counts(&self, from: &str, until: &str) -> StoreResult<Vec<ReferralCount>> {
        let rows: Vec<(Option<String>, String, String, Option<String>, i64)> = sqlx::query_as(
            "SELECT area_code, reason, source, outcome, COUNT(*) FROM referrals \
             WHERE part_of IS NULL AND sent_at >= $1 AND sent_at < $2 \
             GROUP BY area_code, reason, source, outcome",
        )
        .bind(from.to_string())
        .bind(until.to_string())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(area, reason, source, outcome, n)| ReferralCount {
                area,
                reason,
                source,
                outcome,
                n: n as u64,
            })
            .collect())
    }
}
