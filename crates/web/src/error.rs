//! The one place where errors become responses: a Dutch (or English) page for people, a JSON
//! body for the API. Causes are logged, never shown.

use crate::i18n::{Lang, Tr};
use crate::views::Layout;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// Input that cannot be used; `parameter` names what was wrong.
    #[error("bad {parameter}: {message}")]
    BadRequest { parameter: String, message: String },
    #[error(transparent)]
    App(#[from] kapstok_app::AppError),
    #[error("template: {0}")]
    Template(#[from] askama::Error),
    /// A request refused before or around the handlers (405, 413, 415, 429, …).
    #[error("refused with {0}")]
    Refused(StatusCode),
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
            AppError::App(_) | AppError::Template(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Refused(status) => *status,
        }
    }

    fn log(&self) {
        if self.status().is_server_error() && !matches!(self, AppError::Refused(_)) {
            tracing::error!(error = %self, "request failed");
        }
    }
}

/// An error on an HTML page, rendered in the visitor's language.
pub struct PageError {
    pub error: AppError,
    pub lang: Lang,
}

impl PageError {
    pub fn new(error: impl Into<AppError>, lang: Lang) -> Self {
        PageError {
            error: error.into(),
            lang,
        }
    }

    pub fn not_found(lang: Lang) -> Self {
        PageError::new(AppError::NotFound, lang)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    title: String,
    text: String,
}

/// Marks a response as rendered by this module, so the finishing layer leaves it alone.
#[derive(Clone, Copy, Debug)]
pub struct Rendered;

/// Title and text of the page for a status, in the visitor's language.
fn page_texts(status: StatusCode, tr: Tr) -> (String, String) {
    let code = status.as_u16();
    let known = [400, 403, 404, 405, 408, 413, 414, 415, 429, 431, 500, 503];
    let code = if known.contains(&code) {
        code
    } else if status.is_server_error() {
        500
    } else {
        400
    };
    (
        tr.t(&format!("error-title-{code}")),
        tr.t(&format!("error-text-{code}")),
    )
}

fn render_page(status: StatusCode, lang: Lang, title: String, text: String) -> String {
    let page = ErrorPage {
        l: Layout::plain(lang, &title),
        title,
        text,
    };
    page.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "error page failed to render");
        format!(
            "<!doctype html><title>{status}</title><p>Er ging iets mis. Something went wrong.</p>"
        )
    })
}

/// The HTML body for a status, for people (also written by the server for requests that never
/// reached the router).
pub fn page_html(status: StatusCode, lang: Lang) -> String {
    let (title, text) = page_texts(status, Tr { lang });
    render_page(status, lang, title, text)
}

/// The JSON body for a status, for API clients.
pub fn api_json(status: StatusCode) -> String {
    serde_json::to_string(&ErrorBody::for_status(status)).unwrap_or_default()
}

/// An error response for a status: a page in the visitor's language, or JSON for the API.
pub fn status_response(status: StatusCode, lang: Lang, api: bool) -> Response {
    if api {
        ApiError(AppError::Refused(status)).into_response()
    } else {
        PageError {
            error: AppError::Refused(status),
            lang,
        }
        .into_response()
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.error.log();
        let tr = Tr { lang: self.lang };
        let status = self.error.status();
        let (title, text) = match &self.error {
            AppError::BadRequest { message, .. } => (tr.t("error-title-400"), message.clone()),
            _ => page_texts(status, tr),
        };
        let mut response =
            (status, Html(render_page(status, self.lang, title, text))).into_response();
        response.extensions_mut().insert(Rendered);
        response
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

impl ErrorBody {
    /// The body for a status without further detail.
    pub fn for_status(status: StatusCode) -> ErrorBody {
        let (error, message) = match status.as_u16() {
            400 => ("bad_request", "The request could not be read."),
            403 => (
                "forbidden",
                "This request is not allowed from another site.",
            ),
            404 => ("not_found", "No record with this id."),
            405 => ("method_not_allowed", "This method is not allowed here."),
            408 => ("request_timeout", "The request took too long to arrive."),
            413 => ("payload_too_large", "The request body is too large."),
            414 => ("uri_too_long", "The address is too long."),
            415 => (
                "unsupported_media_type",
                "Send a form (application/x-www-form-urlencoded).",
            ),
            429 => (
                "too_many_requests",
                "Too many requests; try again in a minute.",
            ),
            431 => (
                "request_header_fields_too_large",
                "The request headers are too large.",
            ),
            503 => (
                "service_unavailable",
                "The service is busy; try again shortly.",
            ),
            _ if status.is_server_error() => (
                "internal_error",
                "Something went wrong on our side; it has been logged.",
            ),
            _ => ("bad_request", "The request could not be read."),
        };
        ErrorBody {
            error: error.into(),
            parameter: None,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let status = self.0.status();
        let body = match self.0 {
            AppError::BadRequest { parameter, message } => ErrorBody {
                error: "bad_request".into(),
                parameter: Some(parameter),
                message,
            },
            _ => ErrorBody::for_status(status),
        };
        let mut response = (status, axum::Json(body)).into_response();
        response.extensions_mut().insert(Rendered);
        response
    }
}
