//! Rows and their mapping to the domain model, and the shared query shapes: one record by id,
//! multi-row inserts.

use kapstok_domain::model::{ServiceAtLocation, Taxonomy, TaxonomyRole, TaxonomyTerm};
use kapstok_store::{StoreError, StoreResult};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::AnyPool;
use sqlx::FromRow;
use sqlx::any::AnyRow;

pub(crate) type TaxonomyRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
);
pub(crate) type TermRow = (
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
/// (service id, service_at_location id, description, location id, location details)
pub(crate) type SalRow = (String, String, Option<String>, String, String);
/// (id, details as JSON)
pub(crate) type DetailsRow = (String, String);

pub(crate) const TAXONOMY_SELECT: &str =
    "SELECT id, name, description, uri, version, facet_key, sort_order, role FROM taxonomies";
pub(crate) const TERM_SELECT: &str = "SELECT id, taxonomy_id, code, name, description, parent_id, language, term_uri, sort_order FROM taxonomy_terms";
/// Service-at-location rows with their location.
pub(crate) const SAL_SELECT: &str = "SELECT sal.service_id, sal.id, sal.description, l.id, l.details FROM service_at_locations sal JOIN locations l ON l.id = sal.location_id";

pub(crate) fn taxonomy_from(r: TaxonomyRow) -> StoreResult<Taxonomy> {
    let kapstok_role = match r.7.as_deref() {
        None => None,
        Some(role) => Some(
            TaxonomyRole::parse(role).ok_or_else(|| StoreError::Corrupt {
                id: r.0.clone(),
                reason: format!("unknown taxonomy role {role}"),
            })?,
        ),
    };
    Ok(Taxonomy {
        id: r.0.into(),
        name: r.1,
        description: r.2,
        uri: r.3,
        version: r.4,
        kapstok_facet: r.5,
        kapstok_order: r.6,
        kapstok_role,
    })
}

pub(crate) fn term_from(r: TermRow) -> StoreResult<TaxonomyTerm> {
    Ok(TaxonomyTerm {
        id: r.0.into(),
        taxonomy_id: r.1.map(Into::into),
        code: r.2,
        name: r.3,
        description: r.4,
        parent_id: r.5.map(Into::into),
        language: r.6,
        term_uri: r.7,
        kapstok_order: r.8,
    })
}

pub(crate) fn sal_from(
    (service_id, id, description, location_id, details): SalRow,
) -> StoreResult<ServiceAtLocation> {
    Ok(ServiceAtLocation {
        id,
        service_id: Some(service_id.into()),
        description,
        location: from_json(&location_id, &details)?,
    })
}

/// A record kept as JSON in `details`.
pub(crate) fn details_from<T: DeserializeOwned>((id, details): DetailsRow) -> StoreResult<T> {
    from_json(&id, &details)
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("domain types always serialize")
}

pub(crate) fn from_json<T: DeserializeOwned>(id: &str, text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        id: id.to_string(),
        reason: e.to_string(),
    })
}

/// One record of `select` (ending in a `WHERE … = $1`), mapped by `map`.
pub(crate) async fn by_id<R, T>(
    pool: &AnyPool,
    select: &str,
    id: &str,
    map: fn(R) -> StoreResult<T>,
) -> StoreResult<Option<T>>
where
    R: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
{
    sqlx::query_as::<_, R>(sqlx::AssertSqlSafe(select.to_string()))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .map(map)
        .transpose()
}

pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Most parameters in one statement: SQLite takes 32,766, but beyond a few thousand a longer
/// statement saves it nothing; PostgreSQL (65,535) gains from fewer round trips.
fn max_params(mark: char) -> usize {
    if mark == '$' { 30_000 } else { 4_000 }
}

/// Writes `rows` with multi-row `INSERT`s (one round trip per few thousand rows instead of one
/// per row). `head` is `INSERT INTO t (a, b, …)` naming `width` columns, `tail` follows the
/// values (an `ON CONFLICT` clause or nothing); `bind` binds one row's `width` values in order.
/// `mark` is the backend's `placeholder()`: `$` numbered (`$1`, `$2`…), or a bare `?` each.
pub(crate) async fn insert_all<T>(
    conn: &mut sqlx::AnyConnection,
    mark: char,
    head: &str,
    width: usize,
    tail: &str,
    rows: &[T],
    bind: for<'q> fn(AnyQuery<'q>, &T) -> AnyQuery<'q>,
) -> StoreResult<()> {
    for chunk in rows.chunks((max_params(mark) / width).max(1)) {
        let mut sql = String::with_capacity(head.len() + tail.len() + chunk.len() * width * 6);
        sql.push_str(head);
        sql.push_str(" VALUES ");
        let mut n = 0;
        for (i, _) in chunk.iter().enumerate() {
            sql.push_str(if i == 0 { "(" } else { ", (" });
            for c in 0..width {
                n += 1;
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push(mark);
                if mark == '$' {
                    sql.push_str(&n.to_string());
                }
            }
            sql.push(')');
        }
        sql.push(' ');
        sql.push_str(tail);
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            query = bind(query, row);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}
