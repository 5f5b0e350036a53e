//! The request context: who is calling, in which language, with which CSRF token.
//!
//! [`context`] runs before every handler. It resolves the session cookie (or an API token) to
//! a [`Caller`], picks the language, makes sure the browser has a CSRF cookie, and refuses any
//! state-changing request whose CSRF token does not match — so no handler can forget the check.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cookie::{Cookie, SameSite};
use larnav_app::accounts::Caller;
use larnav_app::domain::Actor;
use larnav_app::i18n::{Lang, Tr};
use larnav_app::{App, AppError, security};

use crate::error::{WebError, finish};

pub const SESSION_COOKIE: &str = "larnav_session";
pub const CSRF_COOKIE: &str = "larnav_csrf";
pub const LANG_COOKIE: &str = "larnav_lang";
pub const FLASH_COOKIE: &str = "larnav_flash";
/// Lifetime of the CSRF and language cookies: they grant nothing by themselves.
pub const YEAR_SECS: i64 = 365 * 24 * 3600;
/// The form field and header that carry the CSRF token.
pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The largest form body Lärnav reads (forms are small; uploads will use their own limit).
const FORM_LIMIT: usize = 256 * 1024;

/// Everything a handler needs to know about the request's origin.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub caller: Option<Caller>,
    pub actor: Actor,
    pub tr: Tr,
    pub csrf_token: String,
    pub session_token: Option<String>,
    /// The request came with an API token rather than a browser session.
    pub via_api_token: bool,
    /// A message key to show once (set by the previous request's redirect).
    pub flash: Option<String>,
    pub path: String,
    pub request_id: String,
}

impl Ctx {
    /// The caller, or [`AppError::Unauthenticated`].
    ///
    /// # Errors
    /// [`AppError::Unauthenticated`] for anonymous requests.
    pub fn caller(&self) -> Result<&Caller, AppError> {
        self.caller.as_ref().ok_or(AppError::Unauthenticated)
    }
}

impl Ctx {
    /// The context of a request that could not be attributed to anyone.
    pub fn anonymous(path: String, request_id: String, lang: Lang) -> Self {
        Self {
            caller: None,
            actor: Actor::anonymous(),
            tr: Tr::new(lang),
            csrf_token: String::new(),
            session_token: None,
            via_api_token: false,
            flash: None,
            path,
            request_id,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| WebError(AppError::Internal("request context missing".into())))
    }
}

fn cookies(headers: &HeaderMap) -> impl Iterator<Item = Cookie<'static>> + '_ {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| Cookie::split_parse(v.to_string()))
        .filter_map(Result::ok)
}

pub fn cookie_value(app: &App, headers: &HeaderMap, name: &str) -> Option<String> {
    let name = cookie_name(app, name);
    cookies(headers)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty())
}

/// A cookie's name as sent: over https with the `__Host-` prefix, which browsers accept only
/// from a secure origin, for the whole site and without a Domain — so neither plain http nor a
/// sibling subdomain can plant or overwrite it.
fn cookie_name(app: &App, name: &str) -> String {
    if app.settings.secure_cookies() {
        format!("__Host-{name}")
    } else {
        name.to_string()
    }
}

/// A cookie Lärnav sets: HttpOnly, SameSite=Lax, Secure when configured, whole site.
pub fn make_cookie(
    app: &App,
    name: &'static str,
    value: String,
    max_age_secs: Option<i64>,
) -> HeaderValue {
    let mut c = Cookie::build((cookie_name(app, name), value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(app.settings.secure_cookies())
        .build();
    if let Some(secs) = max_age_secs {
        c.set_max_age(cookie::time::Duration::seconds(secs));
    }
    HeaderValue::from_str(&c.to_string()).expect("cookie values are ASCII tokens")
}

fn accept_language(headers: &HeaderMap) -> Option<Lang> {
    let v = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    v.split(',')
        .filter_map(|part| Lang::parse(part.trim()))
        .next()
}

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
