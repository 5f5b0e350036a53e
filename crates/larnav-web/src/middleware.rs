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

/// The boundary of a `multipart/form-data` content type.
fn multipart_boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

/// How much of a multipart body is read to find its first part, the CSRF token.
const MULTIPART_PEEK: usize = 8 * 1024;

/// The CSRF token of a multipart form — its first part, named `csrf` (every upload form puts
/// the hidden field before its file input, and browsers send fields in that order) — and the
/// body to pass on: what was read, then the rest as it streams in.
async fn multipart_csrf(body: Body, boundary: &str) -> (Option<String>, Body) {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let mut head: Vec<u8> = Vec::new();
    let mut token = None;
    while head.len() < MULTIPART_PEEK {
        let Some(Ok(chunk)) = stream.next().await else {
            break;
        };
        head.extend_from_slice(&chunk);
        if let Some(t) = first_part_value(&head, boundary, CSRF_FIELD) {
            token = t;
            break;
        }
    }
    let rest = futures_util::stream::iter([Ok::<_, axum::Error>(axum::body::Bytes::from(head))])
        .chain(stream);
    (token, Body::from_stream(rest))
}

/// `Some(value)` once `head` holds the whole first part and it is the field `name`;
/// `Some(None)` once it is clear the first part is another field; `None` while more is needed.
fn first_part_value(head: &[u8], boundary: &str, name: &str) -> Option<Option<String>> {
    let delimiter = format!("--{boundary}");
    let start = find(head, delimiter.as_bytes())? + delimiter.len();
    let headers_end = start + find(&head[start..], b"\r\n\r\n")?;
    let headers = String::from_utf8_lossy(&head[start..headers_end]);
    let named = format!("name=\"{name}\"");
    if !headers.contains(&named) {
        return Some(None);
    }
    let value_start = headers_end + 4;
    let end = format!("\r\n{delimiter}");
    let value_end = value_start + find(&head[value_start..], end.as_bytes())?;
    Some(String::from_utf8(head[value_start..value_end].to_vec()).ok())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
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
        // File uploads (multipart) are not buffered: the token is their first part, read on
        // its own, and the body passes on whole. (It never travels in the URL, where it would
        // land in the address bar, the history and access logs.)
        let boundary = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(multipart_boundary);
        if let (None, Some(boundary)) = (&submitted, boundary) {
            let (token, whole) = multipart_csrf(body, &boundary).await;
            submitted = token;
            body = whole;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_boundary_comes_from_a_multipart_content_type_only() {
        assert_eq!(
            multipart_boundary("multipart/form-data; boundary=----WebKitFormBoundaryAb1"),
            Some("----WebKitFormBoundaryAb1".into())
        );
        assert_eq!(
            multipart_boundary("multipart/form-data; charset=utf-8; boundary=\"x y\""),
            Some("x y".into())
        );
        assert_eq!(
            multipart_boundary("application/x-www-form-urlencoded"),
            None
        );
        assert_eq!(multipart_boundary("multipart/form-data"), None);
    }

    #[test]
    fn the_token_is_the_first_part_once_it_has_arrived_whole() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok123\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nx;y\r\n--b--\r\n";
        assert_eq!(
            first_part_value(body, "b", "csrf"),
            Some(Some("tok123".into()))
        );
        // Cut inside the token: more is needed.
        assert_eq!(first_part_value(&body[..60], "b", "csrf"), None);
        // A form whose first part is the file has no token to offer.
        let file_first =
            b"--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx\r\n--b--\r\n";
        assert_eq!(first_part_value(file_first, "b", "csrf"), Some(None));
    }

    /// A token in an address lands in the address bar, the history and access logs.
    #[test]
    fn no_form_puts_the_csrf_token_in_its_address() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(!text.contains("csrf="), "{}", path.display());
        }
    }
}
