//! `VocabularyStore`: taxonomies and terms (written by the import's writer, as an import writes
//! them) and the search's word lists, each write with the change counter and its log entry.

use crate::SqlStore;
use crate::audit::append_in;
use async_trait::async_trait;
use kapstok_domain::audit::NewEntry;
use kapstok_domain::model::{Taxonomy, TaxonomyTerm};
use kapstok_store::{
    ImportSession, StoreError, StoreResult, VocabularyStore, WordList, WordListKind,
};
use sqlx::Row;

#[async_trait]
impl VocabularyStore for SqlStore {
    async fn word_lists(&self) -> StoreResult<Vec<WordList>> {
        let rows = sqlx::query("SELECT kind, body, at, user_id FROM word_lists ORDER BY kind")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let code: String = r.try_get(0)?;
                Ok(WordList {
                    kind: WordListKind::parse(&code).ok_or_else(|| StoreError::Corrupt {
                        id: code.clone(),
                        reason: "unknown word list".into(),
                    })?,
                    body: r.try_get(1)?,
                    at: r.try_get(2)?,
                    user_id: r.try_get(3)?,
                })
            })
            .collect()
    }

    async fn set_word_list(
        &self,
        kind: WordListKind,
        list: Option<&WordList>,
        log: &NewEntry,
    ) -> StoreResult<()> {
        let mut w = self.writer().await?;
        sqlx::query("DELETE FROM word_lists WHERE kind = $1")
            .bind(kind.code())
            .execute(&mut *w.tx)
            .await?;
        if let Some(l) = list {
            sqlx::query("INSERT INTO word_lists (kind, body, at, user_id) VALUES ($1, $2, $3, $4)")
                .bind(kind.code())
                .bind(l.body.clone())
                .bind(l.at.clone())
                .bind(l.user_id.clone())
                .execute(&mut *w.tx)
                .await?;
        }
        append_in(self.backend, &mut w.tx, log).await?;
        Box::new(w).commit().await?;
        Ok(())
    }

    async fn save_taxonomy(&self, taxonomy: &Taxonomy, log: &NewEntry) -> StoreResult<()> {
        let mut w = self.writer().await?;
        w.taxonomies(std::slice::from_ref(taxonomy)).await?;
        append_in(self.backend, &mut w.tx, log).await?;
        Box::new(w).commit().await?;
        Ok(())
    }

    async fn save_term(&self, term: &TaxonomyTerm, log: &NewEntry) -> StoreResult<()> {
        let mut w = self.writer().await?;
        w.taxonomy_terms(std::slice::from_ref(term)).await?;
        append_in(self.backend, &mut w.tx, log).await?;
        Box::new(w).commit().await?;
        Ok(())
    }
}
