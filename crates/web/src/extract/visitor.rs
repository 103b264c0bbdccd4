//! Who is asking, as the public site sees it: their language and the address they asked for.

use crate::i18n::Lang;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::convert::Infallible;

/// The visitor's language (cookie `lang`) and the address they asked for.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub lang: Lang,
    pub path_and_query: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let lang = crate::guard::lang_of(&parts.headers);
        let path_and_query = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        Ok(Visitor {
            lang,
            path_and_query,
        })
    }
}
