//! The one way a page becomes a response, and the one way an error gets the visitor's language.

use crate::error::{AppError, PageError};
use crate::i18n::Lang;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// A page with a status: `OK`, or `BAD_REQUEST` for a form shown again with its errors.
pub fn page(
    template: &impl Template,
    status: StatusCode,
    lang: Lang,
) -> Result<Response, PageError> {
    let html = template.render().in_lang(lang)?;
    Ok((status, Html(html)).into_response())
}

/// The status of a form page: `OK`, or `BAD_REQUEST` when it is shown again with errors.
pub fn form_status<T>(errors: &[T]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    }
}

/// A page that rendered as asked.
pub fn ok(template: &impl Template, lang: Lang) -> Result<Response, PageError> {
    page(template, StatusCode::OK, lang)
}

/// `result.in_lang(lang)?`: any error of a use case or template, as a page in this language.
pub trait InLang<T> {
    fn in_lang(self, lang: Lang) -> Result<T, PageError>;
}

impl<T, E: Into<AppError>> InLang<T> for Result<T, E> {
    fn in_lang(self, lang: Lang) -> Result<T, PageError> {
        self.map_err(|e| PageError {
            error: e.into(),
            lang,
        })
    }
}
