//! The request context: who is calling, in which language, with which CSRF token.
//!
//! [`crate::middleware::context`] builds it before every handler; handlers and pages take it as
//! an extractor.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use cookie::{Cookie, SameSite};
use larnav_app::accounts::Caller;
use larnav_app::domain::Actor;
use larnav_app::i18n::{Lang, Tr};
use larnav_app::{App, AppError};

use crate::error::WebError;

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
pub(crate) const FORM_LIMIT: usize = 256 * 1024;

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
            .ok_or_else(|| WebError(AppError::bug("request context missing")))
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

pub(crate) fn accept_language(headers: &HeaderMap) -> Option<Lang> {
    let v = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    v.split(',')
        .filter_map(|part| Lang::parse(part.trim()))
        .next()
}
