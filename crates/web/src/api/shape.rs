//! How a list endpoint answers, as the HSDS API reference has it: a page of JSON, or every
//! result as NDJSON (`format=ndjson`, streamed, unpaged); records as listed, `full` (nested) or
//! `minimal` (id and last change).

use crate::error::{ApiError, AppError};
use crate::extract::params::Pairs;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::response::{IntoResponse, Response};
use kapstok_domain::paging::{Page, Paging};
use serde_json::value::RawValue;

/// The answer's shape, from `format`, `full`, `minimal` and `full_service`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shape {
    pub ndjson: bool,
    pub full: bool,
    pub minimal: bool,
    pub full_service: bool,
}

/// NDJSON lines per chunk of the streamed body.
const LINES_PER_CHUNK: usize = 64;

impl Shape {
    pub fn parse(p: &Pairs) -> Result<Shape, ApiError> {
        let ndjson = match p.get("format") {
            None | Some("json") => false,
            Some("ndjson") => true,
            Some(_) => return Err(AppError::bad("format", "format must be json or ndjson").into()),
        };
        let shape = Shape {
            ndjson,
            full: flag(p, "full")?,
            minimal: flag(p, "minimal")?,
            full_service: flag(p, "full_service")?,
        };
        if shape.full && shape.minimal {
            return Err(AppError::bad("minimal", "minimal and full exclude each other").into());
        }
        Ok(shape)
    }

    /// The paging asked for, or everything for NDJSON.
    pub fn paging(&self, asked: Paging) -> Paging {
        if self.ndjson {
            Paging::everything()
        } else {
            asked
        }
    }

    /// The answer: `keys` are the results to hand out (the page's, or all for NDJSON), each
    /// made into its JSON by `render`; `total` counts all results (for the page).
    pub fn answer<K: Send + 'static>(
        &self,
        paging: Paging,
        total: u64,
        keys: Vec<K>,
        render: impl Fn(&K) -> Option<Box<RawValue>> + Send + 'static,
    ) -> Response {
        if !self.ndjson {
            let contents: Vec<Box<RawValue>> = keys.iter().filter_map(&render).collect();
            return Json(Page::new(contents, total, paging)).into_response();
        }
        let mut keys = keys.into_iter();
        let chunks = std::iter::from_fn(move || {
            let mut chunk = Vec::new();
            let mut taken = 0;
            for key in keys.by_ref() {
                taken += 1;
                if let Some(line) = render(&key) {
                    chunk.extend_from_slice(line.get().as_bytes());
                    chunk.push(b'\n');
                }
                if taken == LINES_PER_CHUNK {
                    break;
                }
            }
            (taken > 0).then(|| Ok::<_, std::convert::Infallible>(Bytes::from(chunk)))
        });
        (
            [(axum::http::header::CONTENT_TYPE, "application/x-ndjson")],
            Body::from_stream(futures_util::stream::iter(chunks)),
        )
            .into_response()
    }
}

/// A boolean parameter: absent is false; `true` or `false`, anything else a 400.
fn flag(p: &Pairs, name: &str) -> Result<bool, ApiError> {
    match p.get(name) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(AppError::bad(name, format!("{name} must be true or false")).into()),
    }
}

/// A JSON value as embeddable raw JSON.
pub fn raw(value: &impl serde::Serialize) -> Option<Box<RawValue>> {
    serde_json::value::to_raw_value(value).ok()
}
