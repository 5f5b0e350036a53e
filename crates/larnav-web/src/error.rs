//! The one place where errors become responses.
//!
//! Handlers return [`WebError`] (any [`AppError`]). Its status code is decided by
//! [`status`]'s single match; [`finish`], called by the context middleware on every response,
//! renders the body: an RFC 9457 `application/problem+json` document with a stable `code` for
//! the API, a Swedish (or English) error page for browsers. Internal errors show a generic
//! message and the request id; their detail is logged, never shown.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use larnav_app::{AppError, FieldError, ImportProblem};
use serde::Serialize;

use crate::ctx::Ctx;
use crate::pages::Base;

/// Any app error, on its way to becoming a response.
#[derive(Debug)]
pub struct WebError(pub AppError);

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl From<larnav_app::store::StoreError> for WebError {
    fn from(e: larnav_app::store::StoreError) -> Self {
        Self(e.into())
    }
}

/// What [`finish`] needs to render an error, carried in the response's extensions.
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
        AppError::Store(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = status(&e);
        if status.is_server_error() {
            // The detail goes to the log (with the request id from the trace span), never out.
            tracing::error!(error = %e, "request failed");
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

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    base: Base<'a>,
    status: u16,
    message: &'a str,
    fields: Vec<ProblemField>,
    lines: Vec<ProblemLine>,
    show_login: bool,
}

/// An extractor's own rejection (a path parameter that is not a number, a query that cannot
/// be read, a body over its limit) comes as plain text: it gets the same rendering as every
/// other error. Pages re-shown with a 422 are HTML and stay as they are.
fn rejection_info(response: &Response) -> Option<ErrorInfo> {
    let plain_text = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !response.status().is_client_error() || !plain_text {
        return None;
    }
    let (code, message_key) = match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "error.too_large"),
        _ => ("bad_request", "error.bad_request"),
    };
    Some(ErrorInfo {
        code,
        message_key,
        fields: Vec::new(),
        problems: Vec::new(),
    })
}

/// Renders the body of an error response for the request in `ctx`.
pub fn finish(ctx: &Ctx, response: Response) -> Response {
    let Some(info) = response
        .extensions()
        .get::<ErrorInfo>()
        .cloned()
        .or_else(|| rejection_info(&response))
    else {
        return response;
    };
    let status = response.status();
    let tr = ctx.tr;
    let fields: Vec<ProblemField> = info
        .fields
        .iter()
        .map(|f| ProblemField {
            field: f.field,
            message: tr.t(f.message_key).to_string(),
        })
        .collect();
    let mut headers = response.headers().clone();
    headers.remove(header::CONTENT_TYPE);
    headers.remove(header::CONTENT_LENGTH);
    let mut out = if ctx.path.starts_with("/api/")
        || ctx.path.starts_with("/healthz")
        || ctx.path.starts_with("/readyz")
    {
        let problem = Problem {
            kind: "about:blank",
            title: tr.t(info.message_key).to_string(),
            status: status.as_u16(),
            code: info.code,
            instance: ctx.request_id.clone(),
            errors: fields,
            lines: problem_lines(tr, &info.problems),
        };
        let mut r = (status, axum::Json(problem)).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        r
    } else {
        let page = ErrorPage {
            base: Base::new(ctx, tr.t("error.title")),
            status: status.as_u16(),
            message: tr.t(info.message_key),
            fields,
            lines: problem_lines(tr, &info.problems),
            show_login: status == StatusCode::UNAUTHORIZED && ctx.caller.is_none(),
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "error page failed to render");
                (status, "Lärnav: error").into_response()
            }
        }
    };
    for (name, value) in headers.iter() {
        out.headers_mut().append(name, value.clone());
    }
    out
}
