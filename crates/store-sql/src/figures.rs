//! `FiguresStore`: what the municipality's dashboard reads. Referrals' countable facts by the
//! day they were sent (`referrals_sent`), and the day versions the triggers of migration 13/14
//! keep, so the dashboard reloads only the days that changed.

use crate::SqlStore;
use async_trait::async_trait;
use kapstok_store::{FiguresStore, ReferralFactRow, StoreResult};

type FactTuple = (
    Option<String>,
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
);

#[async_trait]
impl FiguresStore for SqlStore {
    async fn referral_facts(&self, from: &str, until: &str) -> StoreResult<Vec<ReferralFactRow>> {
        let rows: Vec<FactTuple> = sqlx::query_as(
            "SELECT area_code, reason, source, outcome, state, sent_at, accepted_at, closed_at \
             FROM referrals WHERE sent_at >= $1 AND sent_at < $2 AND part_of IS NULL",
        )
        .bind(from.to_string())
        .bind(until.to_string())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(area, reason, source, outcome, state, sent_at, accepted_at, closed_at)| {
                    ReferralFactRow {
                        area,
                        reason,
                        source,
                        outcome,
                        state,
                        sent_at,
                        accepted_at,
                        closed_at,
                    }
                },
            )
            .collect())
    }

    async fn referral_days(&self) -> StoreResult<Vec<(String, i64)>> {
        Ok(sqlx::query_as("SELECT day, version FROM figures_days")
            .fetch_all(&self.pool)
            .await?)
    }
}
