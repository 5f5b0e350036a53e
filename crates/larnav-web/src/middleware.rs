//! The middleware every request passes: [`context`] resolves the session cookie (or an API
//! token) to a [`Caller`](larnav_app::accounts::Caller), picks the language, makes sure the
//! browser has a CSRF cookie and refuses any state-changing request whose CSRF token does not
//! match — so no handler can forget the check. On the way out, [`finish`] renders every error
//! response: a problem document for the API, an error page for browsers.

use askama::Template;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use larnav_app::i18n::{Lang, Tr};
use larnav_app::{App, AppError, security};

use crate::ctx::*;
use crate::error::{ErrorInfo, Problem, ProblemField, ProblemLine, WebError, problem_lines};
use crate::pages::Base;

/// The API's changes that anonymous visitors may make: registering, asking for and using a
/// password-reset link, accepting an invitation.
fn open_to_anonymous(path: &str) -> bool {
    path == "/api/v1/register"
        || path == "/api/v1/password-reset"
        || path.starts_with("/api/v1/password-reset/")
        || (path.starts_with("/api/v1/invitations/") && path.ends_with("/accept"))
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// The middleware that builds [`Ctx`] and enforces CSRF.
pub async fn context(State(app): State<App>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let path = parts.uri.path().to_string();
    let request_id = parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();

    // Who is calling: an API token wins over a session cookie.
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .map(str::to_string);
    let session_token = cookie_value(&app, &parts.headers, SESSION_COOKIE);
    let resolved = match (&bearer, &session_token) {
        (Some(t), _) => app.api_token_caller(t).await.map(|c| (c, true)),
        (None, Some(s)) => app.session_caller(s).await.map(|c| (c, false)),
        (None, None) => Ok((None, false)),
    };
    let failure = match &resolved {
        Err(_) => true,
        // A wrong or revoked API token is an error, not an anonymous request.
        Ok((None, _)) => bearer.is_some(),
        Ok(_) => false,
    };
    if failure {
        let lang = accept_language(&parts.headers).unwrap_or_default();
        let ctx = Ctx::anonymous(path, request_id, lang);
        let error = resolved.err().unwrap_or(AppError::Unauthenticated);
        return finish(&ctx, WebError(error).into_response());
    }
    let (caller, via_api_token) = resolved.unwrap_or((None, false));
    // Authenticate first: an anonymous change to the API is refused before its path or body
    // is looked at, so nobody learns whether an id exists (401 for every id, not 401 or 404)
    // or gets a 422 for a body they were never allowed to send.
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && caller.is_none() && is_api(&path) && !open_to_anonymous(&path) {
        let lang = accept_language(&parts.headers).unwrap_or_default();
        let ctx = Ctx::anonymous(path, request_id, lang);
        return finish(&ctx, WebError(AppError::Unauthenticated).into_response());
    }

    let lang = cookie_value(&app, &parts.headers, LANG_COOKIE)
        .and_then(|l| Lang::parse(&l))
        .or_else(|| caller.as_ref().and_then(|c| Lang::parse(&c.user.locale)))
        .or_else(|| accept_language(&parts.headers))
        .unwrap_or_default();

    let existing_csrf = cookie_value(&app, &parts.headers, CSRF_COOKIE);
    let csrf_cookie = existing_csrf.clone().unwrap_or_else(security::random_token);
    // A signed-in browser's token is bound to its session as well as to the cookie: a cookie
    // planted by another site (or a sibling subdomain) together with the planter's own form
    // token is worth nothing against someone else's session.
    let signed_in_session = session_token
        .as_deref()
        .filter(|_| caller.is_some() && !via_api_token);
    let csrf_binding = |cookie: &str| match signed_in_session {
        Some(session) => format!("{cookie}:{}", security::token_hash(session)),
        None => cookie.to_string(),
    };
    let flash = cookie_value(&app, &parts.headers, FLASH_COOKIE);

    let ctx = Ctx {
        actor: caller.as_ref().map(|c| c.actor.clone()).unwrap_or_default(),
        caller,
        tr: Tr::new(lang),
        csrf_token: app.csrf_token(&csrf_binding(&csrf_cookie)),
        session_token: if via_api_token {
            None
        } else {
            session_token.clone()
        },
        via_api_token,
        flash: flash.clone(),
        path: path.clone(),
        request_id,
    };

    // CSRF: browsers carry ambient authority in cookies, so every state-changing request that
    // does not authenticate with an API token must prove it came from one of our pages. JSON
    // API calls without a session cookie carry no authority to abuse and need no token.
    let mut body = body;
    if unsafe_method && !via_api_token && (!is_api(&path) || session_token.is_some()) {
        let mut submitted = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        // File uploads (multipart) are not buffered here: their forms carry the token in the
        // action's query string instead.
        let multipart = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if submitted.is_none() && multipart {
            submitted = parts.uri.query().and_then(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .find(|(k, _)| k == CSRF_FIELD)
                    .map(|(_, v)| v.into_owned())
            });
        } else if submitted.is_none() && !is_api(&path) {
            let Ok(bytes) = axum::body::to_bytes(body, FORM_LIMIT).await else {
                return finish(
                    &ctx,
                    WebError(AppError::invalid("form", "error.payload")).into_response(),
                );
            };
            submitted = form_urlencoded::parse(&bytes)
                .find(|(k, _)| k == CSRF_FIELD)
                .map(|(_, v)| v.into_owned());
            body = Body::from(bytes);
        }
        let valid = matches!((&existing_csrf, submitted), (Some(cookie), Some(token)) if app.verify_csrf(&csrf_binding(cookie), &token));
        if !valid {
            tracing::info!(path, "CSRF token rejected");
            return finish(&ctx, WebError(AppError::CsrfRejected).into_response());
        }
    }

    parts.extensions.insert(ctx.clone());
    let response = next.run(Request::from_parts(parts, body)).await;
    let mut response = finish(&ctx, response);
    // Pages for a signed-in person, API answers and downloads hold personal data: no shared
    // or browser cache may keep them (a handler that knows better sets its own header).
    let headers = response.headers_mut();
    if (ctx.caller.is_some() || is_api(&path)) && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if app.settings.public_url().starts_with("https://") {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if existing_csrf.is_none() {
        // A year: the cookie only binds forms to this browser, it grants nothing by itself.
        let c = make_cookie(&app, CSRF_COOKIE, csrf_cookie, Some(YEAR_SECS));
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    if flash.is_some() && !response.headers().contains_key(header::LOCATION) {
        response.headers_mut().append(
            header::SET_COOKIE,
            make_cookie(&app, FLASH_COOKIE, String::new(), Some(0)),
        );
    }
    response
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
