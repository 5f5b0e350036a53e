//! Server-rendered HTML pages. Handlers are thin: they read the form, call one `App` method,
//! and render a template or redirect. Texts come from the locale files through `base.tr`.

use std::collections::HashMap;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use larnav_app::uploads::Upload;
use larnav_app::{App, AppError};

use crate::ctx::{Ctx, FLASH_COOKIE, make_cookie};
use crate::error::{WebError, status};

pub mod account;
pub mod admin;
pub mod admission;
pub mod ads;
pub mod areas;
pub mod audit;
pub mod auth;
pub mod catalogue;
pub mod development;
pub mod enrolments;
pub mod home;
pub mod lists;
pub mod material;
pub mod meetings;
pub mod mentorship;
pub mod needs;
pub mod organisations;
pub mod reference;
pub mod registry;
pub mod semaforen;
pub mod signals;
pub mod supply;

pub type PageResult = Result<Response, WebError>;

/// What every page's layout needs: the translator, the title, who is signed in, the CSRF token.
pub struct Base<'a> {
    pub ctx: &'a Ctx,
    pub tr: larnav_app::i18n::Tr,
    pub title: String,
}

/// What a kept fragment of a page may know of its request: the language and the page's title,
/// never who asks — so the fragment can be served to every visitor (see `shared_lists.rs`).
pub struct FragmentBase {
    pub tr: larnav_app::i18n::Tr,
    pub title: String,
}

impl<'a> Base<'a> {
    pub fn new(ctx: &'a Ctx, title: &str) -> Self {
        Self {
            ctx,
            tr: ctx.tr,
            title: title.to_string(),
        }
    }

    pub fn csrf(&self) -> &str {
        &self.ctx.csrf_token
    }

    pub fn signed_in(&self) -> bool {
        self.ctx.caller.is_some()
    }

    pub fn user_name(&self) -> &str {
        self.ctx
            .caller
            .as_ref()
            .map(|c| c.user.display_name.as_str())
            .unwrap_or_default()
    }

    pub fn is_platform_admin(&self) -> bool {
        self.ctx.actor.platform_admin
    }

    pub fn has_organisations(&self) -> bool {
        !self.ctx.actor.memberships.is_empty()
    }

    /// The main menu's links (path, label key) for who is signed in: each role sees the
    /// sections it works in, not all seventeen (every page stays reachable by its address and
    /// from the start page). Platform admins see everything.
    pub fn menu(&self) -> Vec<(&'static str, &'static str)> {
        use larnav_app::domain::organisation::Role::{
            Analyst, Coordinator, EmployerContact, ProviderStaff, Reviewer,
        };
        let actor = &self.ctx.actor;
        let signed_in = self.signed_in();
        let any = |roles: &[larnav_app::domain::organisation::Role]| {
            actor.platform_admin || actor.memberships.iter().any(|m| roles.contains(&m.role))
        };
        // Administering an organisation (a region's, an employer's) is not working in the
        // network: the network's sections follow the roles that do.
        let network = any(&[Coordinator, Reviewer, ProviderStaff]);
        // Learners apply; the shortage list is for visitors and everyone at work.
        let staff = actor.platform_admin || self.has_organisations();
        [
            ("/", "nav.home", true),
            ("/catalogue", "nav.catalogue", true),
            ("/admission", "nav.admission", true),
            ("/semaforen", "nav.semaforen", !signed_in || staff),
            ("/signals", "nav.signals", any(&[Analyst, EmployerContact])),
            ("/reference", "nav.reference", any(&[Analyst])),
            ("/centres", "nav.centres", true),
            ("/models", "nav.models", network),
            ("/materials", "nav.materials", network),
            ("/collections", "nav.collections", network),
            ("/mentorship", "nav.mentorship", network),
            ("/meetings", "nav.meetings", signed_in),
            // Plans are run by coordinators and followed by school staff; anyone assigned one
            // also finds it on their record.
            ("/plans", "nav.plans", network),
            (
                "/organisations",
                "nav.organisations",
                self.has_organisations(),
            ),
            ("/admin", "nav.admin", self.is_platform_admin()),
            ("/account", "nav.account", signed_in),
            ("/login", "nav.login", !signed_in),
            ("/register", "nav.register", !signed_in),
        ]
        .into_iter()
        .filter(|(_, _, shown)| *shown)
        .map(|(href, key, _)| (href, key))
        .collect()
    }

    /// `aria-current="page"` for the navigation link of the current section.
    pub fn current(&self, prefix: &str) -> &'static str {
        let here = &self.ctx.path;
        let matches = if prefix == "/" {
            here == "/"
        } else {
            here.starts_with(prefix)
        };
        if matches { "page" } else { "false" }
    }

    /// The message a redirect left for this page ([`redirect_with`], [`redirect_with_counts`]).
    pub fn flash(&self) -> Option<String> {
        // Only known message keys are shown, with whole numbers as their only arguments: the
        // cookie can never inject text.
        let value = self.ctx.flash.as_deref()?;
        let (key, args) = value.split_once('?').unwrap_or((value, ""));
        self.tr.get(key)?;
        let numbers: Vec<(&str, i64)> = args
            .split('&')
            .filter_map(|a| a.split_once('='))
            .filter_map(|(name, n)| Some((name, n.parse().ok()?)))
            .collect();
        let written: Vec<(&str, String)> = numbers
            .iter()
            .map(|(k, n)| (*k, self.tr.number(*n)))
            .collect();
        let args: Vec<(&str, &str)> = written.iter().map(|(k, v)| (*k, v.as_str())).collect();
        // `n` picks the singular form when it is one ("1 utkast är skapat").
        Some(match numbers.iter().find(|(k, _)| *k == "n") {
            Some((_, n)) => self.tr.count(key, *n, &args),
            None => self.tr.fmt(key, &args),
        })
    }

    pub fn lang(&self) -> &'static str {
        self.tr.code()
    }

    pub fn path(&self) -> &str {
        &self.ctx.path
    }
}

/// A submitted form's fields in order, repeated names kept (checkbox lists, ranked choices).
pub fn fields(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The first value of `name` ("" if absent).
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// Every value of `name`, in order.
pub fn all(fields: &[(String, String)], name: &str) -> Vec<String> {
    fields
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

/// Reads the file of an upload from a multipart form (the CSRF token is the form's first
/// field, checked by the middleware before this runs; never in the URL), refusing it as soon
/// as it grows past the upload's limit. Returns the file's name and content; App judges the content.
///
/// # Errors
/// [`AppError::Validation`] on the upload's field: no file, an empty one, or too large.
pub async fn read_upload(
    multipart: &mut axum::extract::Multipart,
    kind: Upload,
) -> Result<(String, Vec<u8>), AppError> {
    read_upload_with(multipart, kind, &mut Vec::new()).await
}

/// [`read_upload`], keeping the form's short text fields that come before the file (a choice
/// that goes with it) in `fields`, at most 1 KB each.
///
/// # Errors
/// As [`read_upload`].
pub async fn read_upload_with(
    multipart: &mut axum::extract::Multipart,
    kind: Upload,
    fields: &mut Vec<(String, String)>,
) -> Result<(String, Vec<u8>), AppError> {
    while let Some(mut field) = multipart.next_field().await.map_err(|_| kind.missing())? {
        if field.name() != Some(kind.field()) {
            if field.file_name().is_none()
                && let Some(name) = field.name().map(str::to_string)
                && let Ok(text) = field.text().await
            {
                fields.push((name, text.chars().take(1024).collect()));
            }
            continue;
        }
        let file_name = field.file_name().unwrap_or_default().to_string();
        let mut bytes = Vec::new();
        // The body limit ends the stream of a file that is too large; other errors mean the
        // upload broke off.
        let broken = |e: axum::extract::multipart::MultipartError| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                kind.too_large()
            } else {
                kind.missing()
            }
        };
        while let Some(chunk) = field.chunk().await.map_err(broken)? {
            if bytes.len() + chunk.len() > kind.limit() {
                return Err(kind.too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.is_empty() {
            return Err(kind.missing());
        }
        return Ok((file_name, bytes));
    }
    Err(kind.missing())
}

/// A table as a CSV or XLSX download (`format`), named `name` plus the format's extension.
///
/// # Errors
/// Not found for another format.
pub fn table_download(
    name: &str,
    format: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> PageResult {
    let (bytes, mime) = larnav_app::files::table_file(format, headers, rows)?;
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}.{format}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// A stored document sent as an attachment (never shown inline: it is someone's upload).
pub fn download(file_name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let name: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// A form that failed: which one, the error, and what was typed.
pub struct Failed<'a> {
    pub form: &'static str,
    pub error: &'a AppError,
    pub values: &'a [(String, String)],
}

impl<'a> Failed<'a> {
    pub fn new(form: &'static str, error: &'a AppError, values: &'a [(String, String)]) -> Self {
        Self {
            form,
            error,
            values,
        }
    }
}

/// The state of form `name`: the failure's messages and values if it was the one that failed.
pub fn state(ctx: &Ctx, failed: Option<&Failed<'_>>, name: &str) -> FormState {
    match failed {
        Some(f) if f.form == name => {
            let values: Vec<(&str, &str)> = f
                .values
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            FormState::failed(ctx, f.error, &values)
        }
        _ => FormState::default(),
    }
}

/// Values and errors of a form being shown again after a failed submit.
#[derive(Debug, Default, Clone)]
pub struct FormState {
    values: HashMap<String, String>,
    errors: Vec<(String, String)>,
    /// A message about the whole form (a conflict, wrong credentials …).
    pub summary: Option<String>,
}

impl FormState {
    pub fn with_values(values: &[(&str, &str)]) -> Self {
        Self {
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Self::default()
        }
    }

    /// The error of a failed submit, with the submitted values (never passwords) kept.
    pub fn failed(ctx: &Ctx, error: &AppError, values: &[(&str, &str)]) -> Self {
        let mut form = Self::with_values(values);
        match error {
            AppError::Validation(fields) => {
                form.errors = fields
                    .iter()
                    .map(|f| (f.field.to_string(), ctx.tr.t(f.message_key).to_string()))
                    .collect();
            }
            other => form.summary = Some(ctx.tr.t(other.message_key()).to_string()),
        }
        form
    }

    /// A form shown with `values`: as failed with `error`'s messages, or plainly without one.
    pub fn after(ctx: &Ctx, error: Option<&AppError>, values: &[(&str, &str)]) -> Self {
        match error {
            Some(e) => Self::failed(ctx, e, values),
            None => Self::with_values(values),
        }
    }

    /// Sets a field's value (shown in the form).
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.values.insert(name.to_string(), value.into());
    }

    pub fn value(&self, name: &str) -> &str {
        self.values
            .get(name)
            .map(String::as_str)
            .unwrap_or_default()
    }

    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, m)| m.as_str())
    }

    pub fn errors(&self) -> &[(String, String)] {
        &self.errors
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || self.summary.is_some()
    }
}

/// Whether an error belongs on the form (shown beside its fields) rather than on an error page.
pub fn is_form_error(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Validation(_)
            | AppError::Conflict { .. }
            | AppError::InvalidCredentials
            | AppError::RateLimited { .. }
    )
}

/// The end of a form POST: success redirects (`done`), so a reload never repeats it; a form
/// error (invalid input, a conflict, wrong credentials, too many attempts) shows the page again
/// (`again`, with the error to show) with the error's status; any other error becomes the
/// error page.
pub async fn submitted<T>(
    result: Result<T, AppError>,
    done: impl FnOnce(T) -> Response,
    again: impl AsyncFnOnce(&AppError) -> PageResult,
) -> PageResult {
    match result {
        Ok(v) => Ok(done(v)),
        Err(e) if is_form_error(&e) => shown_again(&e, again(&e).await),
        Err(e) => Err(e.into()),
    }
}

/// Renders a template with status 200.
pub fn render(t: &impl Template) -> PageResult {
    render_status(StatusCode::OK, t)
}

/// Renders a template with a status (e.g. 422 for a form shown again with errors).
pub fn render_status(status: StatusCode, t: &impl Template) -> PageResult {
    let html = t.render().map_err(|e| AppError::internal("template", e))?;
    Ok((status, Html(name_error_fields(html))).into_response())
}

/// The marker on an error summary's links (`<a href="#f-title" data-error-link>`).
const ERROR_LINK: &str = " data-error-link>";

/// Error summaries name each error's field ("Startdatum: Skriv ett datum …"). The name is the
/// text of the field's `<label>` in the rendered page, so every form gets it without listing
/// its labels twice; a field without a label keeps the message alone.
fn name_error_fields(html: String) -> String {
    if !html.contains(ERROR_LINK) {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html.as_str();
    while let Some(i) = rest.find(ERROR_LINK) {
        let (tag, after) = rest.split_at(i + ERROR_LINK.len());
        out.push_str(tag);
        let target = tag
            .rfind("href=\"#")
            .map(|h| &tag[h + 7..i])
            .and_then(|t| t.split('"').next());
        if let Some(label) = target.and_then(|id| label_text(&html, id)) {
            out.push_str(label);
            out.push_str(": ");
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The text of `<label for="{id}">`, up to its first element (a "(required)" marker or
/// visually hidden context).
fn label_text<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    let start = html.find(&format!("<label for=\"{id}\""))?;
    let inner = &html[start..];
    let inner = &inner[inner.find('>')? + 1..];
    let text = inner[..inner.find('<')?].trim();
    (!text.is_empty()).then_some(text)
}

/// A form page rendered again after `error`, with the error's status (422, 409, 401 …).
/// Handlers use it as `Err(e) if is_form_error(&e) => shown_again(&e, page(&e).await)`.
pub fn shown_again(error: &AppError, page: PageResult) -> PageResult {
    let mut r = page?;
    *r.status_mut() = status(error);
    if let AppError::RateLimited { retry_after_secs } = error {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
    }
    Ok(r)
}

/// Redirects after a successful POST with a message that counts what was done ("12
/// utbildningar importerades"): the key's `{name}` placeholders filled with the numbers.
pub fn redirect_with_counts(
    app: &App,
    to: &str,
    flash_key: &str,
    counts: &[(&str, i64)],
) -> Response {
    let args: Vec<String> = counts.iter().map(|(k, n)| format!("{k}={n}")).collect();
    redirect_with(app, to, &format!("{flash_key}?{}", args.join("&")))
}

/// Redirects after a successful POST, with a message key to show once on the next page.
pub fn redirect_with(app: &App, to: &str, flash_key: &str) -> Response {
    let mut r = Redirect::to(to).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        make_cookie(app, FLASH_COOKIE, flash_key.to_string(), Some(60)),
    );
    r
}

/// Keeps redirects on this site: only absolute paths (not `//host`) are followed.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

/// "603 yrkesgrupper, 2 412 yrkesbenämningar, …" for the start and reference pages.
pub fn reference_counts_text(
    tr: larnav_app::i18n::Tr,
    c: &larnav_app::records::ReferenceCounts,
) -> String {
    tr.fmt(
        "ref.counts",
        &[
            ("groups", &tr.number(c.occupation_groups)),
            ("names", &tr.number(c.occupation_names)),
            ("skills", &tr.number(c.skills)),
            ("lan", &tr.number(c.lan)),
            ("kommuner", &tr.number(c.kommuner)),
        ],
    )
}

/// Kommuner grouped by län (both in Swedish order), for the kommun choice on forms.
pub type KommunGroups = Vec<(String, Vec<larnav_app::records::KommunRecord>)>;

/// # Errors
/// A store error.
pub async fn kommun_groups(app: &App, ctx: &Ctx) -> Result<KommunGroups, AppError> {
    let lan = app.lan(&ctx.actor).await?;
    let kommuner = app.kommuner(&ctx.actor, None).await?;
    Ok(lan
        .into_iter()
        .map(|l| {
            let members = kommuner
                .iter()
                .filter(|k| k.lan_code == l.code)
                .cloned()
                .collect();
            (l.name, members)
        })
        .collect())
}
