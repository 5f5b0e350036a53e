//! The one place where errors become responses.
//!
//! Handlers return [`WebError`] (any [`AppError`]). Its status code is decided by
//! [`status`]'s single match; [`crate::middleware::finish`], called on every response,
//! renders the body: an RFC 9457 `application/problem+json` document with a stable `code` for
//! the API, a Swedish (or English) error page for browsers. Internal errors show a generic
//! message and the request id; their detail is logged, never shown.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use larnav_app::{AppError, FieldError, ImportProblem};
use serde::Serialize;

/// Any app error, on its way to becoming a response.
#[derive(Debug)]
pub struct WebError(pub AppError);

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

/// What [`crate::middleware::finish`] needs to render an error, carried in the response's extensions.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub message_key: &'static str,
    pub fields: Vec<FieldError>,
    pub problems: Vec<ImportProblem>,
}

/// The HTTP status of each error: the only such match in Lärnav.
pub fn status(e: &AppError) -> StatusCode {
    match e {
        AppError::Unauthenticated | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
        AppError::Forbidden | AppError::CsrfRejected => StatusCode::FORBIDDEN,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Validation(_) | AppError::ImportRejected(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::LinkInvalid => StatusCode::GONE,
        AppError::Store(_) | AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = status(&e);
        if status.is_server_error() {
            // The detail goes to the log (with the request id from the trace span), never out.
            tracing::error!(error = %e.causes(), "request failed");
        }
        let info = ErrorInfo {
            code: e.code(),
            message_key: e.message_key(),
            fields: match &e {
                AppError::Validation(f) => f.clone(),
                _ => Vec::new(),
            },
            problems: match &e {
                AppError::ImportRejected(p) => p.clone(),
                _ => Vec::new(),
            },
        };
        let mut response = (status, info.code).into_response();
        if let AppError::RateLimited { retry_after_secs } = e {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response.extensions_mut().insert(info);
        response
    }
}

/// RFC 9457 problem details, with Lärnav's stable `code` and the invalid fields.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `about:blank`: the `code` identifies the problem.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// A human-readable summary in the request's language.
    pub title: String,
    pub status: u16,
    /// Stable, machine-readable: `validation_failed`, `forbidden`, `email_taken` …
    pub code: &'static str,
    /// The request id, to quote when reporting a problem.
    pub instance: String,
    /// For `validation_failed`: each invalid field with its message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// For `import_rejected`: each problem with its line, field and value.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<ProblemLine>,
}

/// One problem in an imported file.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemLine {
    pub line: u64,
    pub field: String,
    pub value: String,
    pub message: String,
}

/// The problems of a rejected file to list under its form: those of the rows, or the form's
/// own field errors (no file, too large …) as problems of line 0.
pub fn import_problems(e: &AppError) -> Vec<ImportProblem> {
    match e {
        AppError::ImportRejected(p) => p.clone(),
        AppError::Validation(fields) => fields
            .iter()
            .map(|f| ImportProblem {
                line: 0,
                field: f.field.to_string(),
                value: String::new(),
                expected_key: f.message_key,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Import problems in the request's language.
pub fn problem_lines(tr: larnav_app::i18n::Tr, problems: &[ImportProblem]) -> Vec<ProblemLine> {
    problems
        .iter()
        .map(|p| ProblemLine {
            line: p.line,
            field: p.field.clone(),
            value: p.value.clone(),
            message: tr.fmt(p.expected_key, &[("value", &p.value)]),
        })
        .collect()
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    pub field: &'static str,
    pub message: String,
}
