//! The one place where errors become responses: a Dutch (or English) page for people, a JSON
//! body for the API. Causes are logged, never shown.

use crate::i18n::{Lang, Tr};
use crate::pages::layout::Layout;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use kapstok_store::StoreError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// Input that cannot be used; `parameter` names what was wrong.
    #[error("bad {parameter}: {message}")]
    BadRequest { parameter: String, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("template: {0}")]
    Template(#[from] askama::Error),
}

impl AppError {
    pub fn bad(parameter: &str, message: impl Into<String>) -> Self {
        AppError::BadRequest {
            parameter: parameter.into(),
            message: message.into(),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Store(_) | AppError::Template(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn log(&self) {
        if self.status().is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
    }
}

/// An error on an HTML page, rendered in the visitor's language.
pub struct PageError {
    pub error: AppError,
    pub lang: Lang,
}

impl<E: Into<AppError>> From<(E, Lang)> for PageError {
    fn from((e, lang): (E, Lang)) -> Self {
        PageError {
            error: e.into(),
            lang,
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    title: String,
    text: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.error.log();
        let tr = Tr { lang: self.lang };
        let status = self.error.status();
        let (title, text) = match &self.error {
            AppError::NotFound => (tr.t("error-title-404"), tr.t("error-text-404")),
            AppError::BadRequest { message, .. } => (tr.t("error-title-400"), message.clone()),
            _ => (tr.t("error-title-500"), tr.t("error-text-500")),
        };
        let page = ErrorPage {
            l: Layout::plain(self.lang, &title),
            title,
            text,
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "error page failed to render");
                (status, "Er ging iets mis. Something went wrong.").into_response()
            }
        }
    }
}

/// An error of the JSON API.
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// `bad_request`, `not_found` or `internal_error`.
    pub error: String,
    /// The query parameter that was wrong, for `bad_request`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    pub message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let status = self.0.status();
        let body = match self.0 {
            AppError::NotFound => ErrorBody {
                error: "not_found".into(),
                parameter: None,
                message: "No record with this id.".into(),
            },
            AppError::BadRequest { parameter, message } => ErrorBody {
                error: "bad_request".into(),
                parameter: Some(parameter),
                message,
            },
            _ => ErrorBody {
                error: "internal_error".into(),
                parameter: None,
                message: "Something went wrong on our side; it has been logged.".into(),
            },
        };
        (status, axum::Json(body)).into_response()
    }
}
