//! Lärnav's HTTP face: server-rendered pages, the JSON API, sessions and CSRF, assets, health
//! and metrics. Handlers are thin: they call `larnav_app::App` and render the result. Only this
//! crate knows HTTP status codes (see [`error::status`]).

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, Request, StatusCode, header};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use larnav_app::uploads::Upload;
use larnav_app::{App, AppError};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa::OpenApi;

pub mod api;
mod assets;
mod charts;
pub mod ctx;
pub mod error;
pub mod metrics;
mod middleware;
pub mod pages;
mod shared_lists;

use ctx::Ctx;
use error::WebError;
use pages::{Base, PageResult, render};

/// The caller's network address, for login rate limiting only (hashed, never logged).
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl FromRequestParts<App> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let Some(peer) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
            return Ok(Self("unknown".into()));
        };
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Ok(Self(client_address(
            peer.0.ip(),
            forwarded,
            &app.settings.server.trusted_proxies,
        )))
    }
}

/// The client's address: the TCP peer, unless the peer is one of the configured reverse
/// proxies — then the nearest address in `X-Forwarded-For` that is not a trusted proxy itself
/// (entries further left were written by the client and can be anything).
fn client_address(peer: std::net::IpAddr, forwarded: Option<&str>, trusted: &[String]) -> String {
    let is_trusted = |ip: &str| trusted.iter().any(|t| t.trim() == ip);
    let peer = peer.to_string();
    if !is_trusted(&peer) {
        return peer;
    }
    forwarded
        .into_iter()
        .flat_map(|f| f.rsplit(','))
        .map(str::trim)
        .find(|ip| !ip.is_empty() && !is_trusted(ip))
        .and_then(|ip| ip.parse::<std::net::IpAddr>().ok())
        .map_or(peer, |ip| ip.to_string())
}

#[derive(Clone, Default)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let id = &larnav_app::security::random_token()[..16];
        HeaderValue::from_str(id).ok().map(RequestId::new)
    }
}

/// The path as it may appear in logs: secrets in links (reset and invitation tokens) removed.
fn loggable_path(path: &str) -> String {
    for prefix in [
        "/password-reset/",
        "/verify-email/",
        "/invitations/",
        "/api/v1/password-reset/",
        "/api/v1/invitations/",
    ] {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest
                .split_once('/')
                .map(|(_, t)| format!("/{t}"))
                .unwrap_or_default();
            return format!("{prefix}{{token}}{tail}");
        }
    }
    path.to_string()
}

/// The whole application as one axum router.
pub fn router(app: App) -> Router {
    let metrics: metrics::SharedMetrics = Arc::new(metrics::Metrics::default());
    let pages = Router::new()
        .route("/", get(pages::home::home))
        .route(
            "/login",
            get(pages::auth::login_page).post(pages::auth::login),
        )
        .route("/logout", post(pages::auth::logout))
        .route(
            "/register",
            get(pages::auth::register_page).post(pages::auth::register),
        )
        .route(
            "/password-reset",
            get(pages::auth::reset_request_page).post(pages::auth::reset_request),
        )
        .route(
            "/password-reset/{token}",
            get(pages::auth::reset_new_page).post(pages::auth::reset_new),
        )
        .route(
            "/verify-email/{token}",
            get(pages::account::verify_email_page).post(pages::account::verify_email),
        )
        .route("/language", post(pages::auth::language))
        .route("/account", get(pages::account::show))
        .route("/account/record", get(pages::development::record))
        .route(
            "/account/enrolments/{id}/certificate",
            get(pages::enrolments::certificate),
        )
        .route(
            "/account/enrolments/{id}/reporting",
            get(pages::enrolments::reporting).post(pages::enrolments::give_reporting),
        )
        .route("/account/record.json", get(pages::development::record_json))
        .route("/account/erase", post(pages::development::erase_account))
        .route("/account/profile", post(pages::account::update_profile))
        .route(
            "/account/verify-email",
            post(pages::account::resend_verification),
        )
        .route("/account/password", post(pages::account::change_password))
        .route("/account/tokens", post(pages::account::create_token))
        .route(
            "/account/tokens/{id}/revoke",
            post(pages::account::revoke_token),
        )
        .route("/organisations", get(pages::organisations::mine))
        .route(
            "/organisations/{id}",
            get(pages::organisations::show).post(pages::organisations::update),
        )
        .route(
            "/organisations/{id}/invitations",
            post(pages::organisations::invite),
        )
        .route(
            "/organisations/{id}/invitations/{invitation}/revoke",
            post(pages::organisations::revoke_invitation),
        )
        .route(
            "/organisations/{id}/members/{user}/roles",
            post(pages::organisations::set_roles),
        )
        .route("/organisations/{id}/audit", get(pages::audit::organisation))
        .route(
            "/organisations/{id}/audit/export/{format}",
            get(pages::audit::organisation_export),
        )
        .route(
            "/organisations/{id}/areas",
            get(pages::areas::list).post(pages::areas::create),
        )
        .route(
            "/areas/{id}",
            get(pages::areas::show).post(pages::areas::update),
        )
        .route("/areas/{id}/delete", post(pages::areas::delete))
        .route(
            "/invitations/{token}",
            get(pages::organisations::invitation).post(pages::organisations::accept),
        )
        .route("/admin", get(pages::admin::index))
        .route(
            "/admin/organisations",
            get(pages::admin::organisations).post(pages::admin::create_organisation),
        )
        .route("/admin/users", get(pages::admin::users))
        .route("/admin/users/{id}", post(pages::admin::set_flags))
        .route("/admin/audit", get(pages::audit::platform))
        .route(
            "/admin/audit/export/{format}",
            get(pages::audit::platform_export),
        )
        .route("/admin/mail", get(pages::admin::mail))
        .route("/admin/mail/retry", post(pages::admin::retry_mail))
        .route("/admin/mail/{id}/resend", post(pages::admin::resend_mail))
        .route("/reference", get(pages::reference::overview))
        .route("/reference/search", get(pages::reference::search))
        .route("/reference/occupations", get(pages::reference::occupations))
        .route(
            "/reference/occupations/{code}",
            get(pages::reference::occupation),
        )
        .route("/reference/places", get(pages::reference::places))
        .route("/reference/places/{lan}", get(pages::reference::lan))
        .route("/reference/sun", get(pages::reference::sun))
        .route("/reference/seqf", get(pages::reference::seqf))
        .route("/signals", get(pages::signals::show))
        .route("/signals/import", post(pages::signals::import))
        .route("/catalogue", get(pages::catalogue::search))
        .route("/catalogue/{id}", get(pages::catalogue::show))
        .route(
            "/catalogue/{id}/edit",
            get(pages::catalogue::edit_form).post(pages::catalogue::update),
        )
        .route(
            "/catalogue/{id}/status",
            post(pages::catalogue::move_status),
        )
        .route(
            "/catalogue/{id}/occasions",
            post(pages::catalogue::add_occasion),
        )
        .route(
            "/catalogue/{id}/occasions/{occasion}/delete",
            post(pages::catalogue::delete_occasion),
        )
        .route(
            "/catalogue/{id}/occasions/{occasion}/calendar.ics",
            get(pages::catalogue::calendar),
        )
        .route(
            "/catalogue/{id}/occasions/{occasion}/sessions",
            post(pages::catalogue::add_sessions),
        )
        .route(
            "/catalogue/{id}/occasions/{occasion}/sessions/{session}/delete",
            post(pages::catalogue::delete_session),
        )
        .route(
            "/catalogue/{id}/occasions/{occasion}/staffing",
            post(pages::catalogue::set_staffing),
        )
        .route("/occasions/{occasion}/group", get(pages::enrolments::group))
        .route("/outcomes", get(pages::enrolments::outcomes))
        .route(
            "/outcomes/export/{format}",
            get(pages::enrolments::outcomes_download),
        )
        .route(
            "/outcomes/reports/vocational/{format}",
            get(pages::enrolments::vocational_report),
        )
        .route(
            "/organisations/{id}/reports/esf/{format}",
            get(pages::enrolments::esf_report),
        )
        .route(
            "/follow-up/{token}",
            get(pages::enrolments::follow_up).post(pages::enrolments::answer),
        )
        .route(
            "/occasions/{occasion}/group/enrol",
            post(pages::enrolments::enrol),
        )
        .route(
            "/occasions/{occasion}/group/end",
            post(pages::enrolments::end),
        )
        .route(
            "/occasions/{occasion}/group/import/{which}",
            post(pages::enrolments::import_group_file)
                .layer(DefaultBodyLimit::max(Upload::GroupFile.limit() + 64 * 1024)),
        )
        .route(
            "/occasions/{occasion}/group/attendance/{format}",
            get(pages::enrolments::attendance_sheet),
        )
        .route(
            "/occasions/{occasion}/sessions/{session}/attendance",
            get(pages::enrolments::roll_call).post(pages::enrolments::mark),
        )
        .route("/offerings/new", get(pages::catalogue::answer_need))
        .route(
            "/organisations/{id}/offerings",
            get(pages::catalogue::workspace).post(pages::catalogue::create),
        )
        .route(
            "/organisations/{id}/offerings/new",
            get(pages::catalogue::new_form),
        )
        .route(
            "/organisations/{id}/offerings/import",
            post(pages::catalogue::import_offerings).layer(DefaultBodyLimit::max(
                Upload::OfferingFile.limit() + 64 * 1024,
            )),
        )
        .route(
            "/organisations/{id}/offerings/export/{format}",
            get(pages::catalogue::export_offerings),
        )
        .route(
            "/catalogue/template/{format}",
            get(pages::catalogue::offering_template),
        )
        .route(
            "/organisations/{id}/teachers",
            post(pages::catalogue::create_teacher),
        )
        .route("/semaforen", get(pages::semaforen::index))
        .route("/semaforen/method", get(pages::semaforen::method))
        .route("/semaforen/{area}", get(pages::semaforen::list))
        .route("/semaforen/{area}/gaps", get(pages::semaforen::gaps))
        .route(
            "/semaforen/{area}/gaps/export/{format}",
            get(pages::semaforen::export_gaps),
        )
        .route(
            "/semaforen/{area}/export/{format}",
            get(pages::semaforen::export),
        )
        .route("/semaforen/{area}/{ssyk}", get(pages::semaforen::explain))
        .route("/published", get(pages::semaforen::published_index))
        .route("/published/{id}", get(pages::semaforen::published))
        .route(
            "/published/{id}/export/{format}",
            get(pages::semaforen::published_export),
        )
        .route(
            "/organisations/{id}/needs",
            get(pages::needs::list).post(pages::needs::create),
        )
        .route(
            "/organisations/{id}/needs/import",
            post(pages::needs::import)
                .layer(DefaultBodyLimit::max(Upload::NeedFile.limit() + 64 * 1024)),
        )
        .route(
            "/signals/ads",
            get(pages::ads::list)
                .post(pages::ads::upload)
                .layer(DefaultBodyLimit::max(Upload::AdFile.limit() + 64 * 1024)),
        )
        .route("/signals/ads/{id}", get(pages::ads::show))
        .route("/signals/ads/{id}/withdraw", post(pages::ads::withdraw))
        .route("/supply", get(pages::supply::list))
        .route("/supply/{id}/link", post(pages::supply::link))
        .route("/supply/confirm", post(pages::supply::confirm))
        .route("/needs", get(pages::needs::all))
        .route("/needs/export/{format}", get(pages::needs::export))
        .route("/needs/template/{format}", get(pages::needs::template))
        .route("/needs/{id}/delete", post(pages::needs::delete))
        .route(
            "/organisations/{id}/lists",
            get(pages::lists::list).post(pages::lists::create),
        )
        .route(
            "/lists/{id}",
            get(pages::lists::show).post(pages::lists::update),
        )
        .route("/lists/{id}/override", post(pages::lists::set_override))
        .route("/lists/{id}/publish", post(pages::lists::publish))
        .route("/lists/{id}/export/{format}", get(pages::lists::export))
        .route("/lists/{id}/{ssyk}", get(pages::semaforen::explain_in_list))
        .route("/admission", get(pages::admission::index))
        .route("/admission/{id}", get(pages::admission::application))
        .route("/admission/{id}/apply", post(pages::admission::apply))
        .route(
            "/admission/{id}/documents",
            post(pages::admission::upload).layer(document_limit()),
        )
        .route(
            "/admission/{id}/choices/{choice}/reply",
            post(pages::admission::reply),
        )
        .route("/documents/{id}", get(pages::admission::document))
        .route(
            "/meetings",
            get(pages::meetings::index).post(pages::meetings::create),
        )
        .route("/meetings/{id}", get(pages::meetings::show))
        .route("/meetings/{id}/register", post(pages::meetings::register))
        .route("/meetings/{id}/propose", post(pages::meetings::propose))
        .route("/meetings/{id}/pairs", post(pages::meetings::set_pair))
        .route(
            "/meetings/{id}/pairs/{pair}/remove",
            post(pages::meetings::remove_pair),
        )
        .route("/meetings/{id}/publish", post(pages::meetings::publish))
        .route("/meetings/{id}/reopen", post(pages::meetings::reopen))
        .route("/meetings/{id}/close", post(pages::meetings::close))
        .route("/meetings/{id}/evaluation", post(pages::meetings::evaluate))
        .route("/meetings/pairs/{id}", get(pages::meetings::show_pair))
        .route("/meetings/pairs/{id}/plan", post(pages::meetings::plan))
        .route(
            "/meetings/pairs/{id}/notes",
            post(pages::meetings::add_note),
        )
        .route(
            "/meetings/pairs/{id}/calendar.ics",
            get(pages::meetings::calendar),
        )
        .route(
            "/mentorship",
            get(pages::mentorship::index).post(pages::mentorship::create),
        )
        .route("/mentorship/themes", post(pages::mentorship::add_theme))
        .route("/mentorship/{id}", get(pages::mentorship::show))
        .route("/mentorship/{id}/offers", post(pages::mentorship::offer))
        .route(
            "/mentorship/{id}/applications",
            post(pages::mentorship::apply),
        )
        .route(
            "/mentorship/{id}/withdraw",
            post(pages::mentorship::withdraw),
        )
        .route("/mentorship/{id}/propose", post(pages::mentorship::propose))
        .route("/mentorship/{id}/pairs", post(pages::mentorship::set_pair))
        .route("/mentorship/{id}/publish", post(pages::mentorship::publish))
        .route("/mentorship/{id}/reopen", post(pages::mentorship::reopen))
        .route("/mentorship/{id}/close", post(pages::mentorship::close))
        .route(
            "/mentorship/{id}/close-applications",
            post(pages::mentorship::close_applications),
        )
        .route("/mentorship/pairs/{id}", get(pages::mentorship::show_pair))
        .route(
            "/mentorship/pairs/{id}/space",
            post(pages::mentorship::save_space),
        )
        .route(
            "/mentorship/pairs/{id}/log",
            post(pages::mentorship::add_log),
        )
        .route(
            "/mentorship/pairs/{id}/evaluation",
            post(pages::mentorship::evaluate),
        )
        .route(
            "/mentorship/pairs/{id}/documents",
            post(pages::mentorship::upload_document).layer(document_limit()),
        )
        .route(
            "/materials",
            get(pages::material::materials).post(pages::material::create_material),
        )
        .route("/materials/new", get(pages::material::new_material))
        .route("/materials/{id}", get(pages::material::material))
        .route(
            "/materials/{id}/edit",
            get(pages::material::edit_material).post(pages::material::save_material),
        )
        .route("/materials/{id}/submit", post(pages::material::submit))
        .route("/materials/{id}/review", post(pages::material::review))
        .route(
            "/materials/{id}/attachments",
            post(pages::material::upload_attachment).layer(document_limit()),
        )
        .route(
            "/material-attachments/{id}",
            get(pages::material::attachment),
        )
        .route(
            "/material-attachments/{id}/delete",
            post(pages::material::delete_attachment),
        )
        .route("/materials/usage", get(pages::development::usage))
        .route(
            "/materials/{id}/completion",
            post(pages::development::complete_material),
        )
        .route(
            "/materials/{id}/rating",
            post(pages::development::rate_material),
        )
        .route(
            "/materials/{id}/comments",
            post(pages::development::comment_material),
        )
        .route(
            "/material-comments/{id}/delete",
            post(pages::development::delete_comment),
        )
        .route(
            "/collections",
            get(pages::development::collections).post(pages::development::create_collection),
        )
        .route(
            "/collections/{id}",
            get(pages::development::collection).post(pages::development::update_collection),
        )
        .route(
            "/collections/{id}/steps",
            post(pages::development::add_collection_step),
        )
        .route(
            "/collection-steps/{id}",
            post(pages::development::change_collection_step),
        )
        .route(
            "/collection-steps/{id}/edit",
            post(pages::development::edit_collection_step),
        )
        .route(
            "/collection-steps/{id}/done",
            post(pages::development::mark_collection_step),
        )
        .route(
            "/staff-groups",
            get(pages::development::staff_groups).post(pages::development::create_staff_group),
        )
        .route(
            "/staff-groups/{id}/members",
            post(pages::development::set_staff_member),
        )
        .route(
            "/plans",
            get(pages::development::plans).post(pages::development::create_plan),
        )
        .route(
            "/plans/{id}",
            get(pages::development::plan).post(pages::development::update_plan),
        )
        .route(
            "/plans/{id}/activities",
            post(pages::development::add_plan_activity),
        )
        .route("/plans/{id}/groups", post(pages::development::assign_plan))
        .route(
            "/plan-activities/{id}",
            post(pages::development::change_plan_activity),
        )
        .route(
            "/plan-activities/{id}/edit",
            post(pages::development::edit_plan_activity),
        )
        .route(
            "/plan-activities/{id}/progress",
            post(pages::development::set_progress),
        )
        .route("/centres", get(pages::registry::centres))
        .route("/centres/{id}", get(pages::registry::centre))
        .route(
            "/centres/{id}/edit",
            get(pages::registry::edit_centre).post(pages::registry::save_centre),
        )
        .route(
            "/models",
            get(pages::registry::models).post(pages::registry::create_model),
        )
        .route("/models/new", get(pages::registry::new_model))
        .route("/models/{id}", get(pages::registry::model))
        .route(
            "/models/{id}/edit",
            get(pages::registry::edit_model).post(pages::registry::update_model),
        )
        .route("/models/{id}/adoptions", post(pages::registry::adopt))
        .route(
            "/models/{id}/documents",
            post(pages::registry::upload_model_document).layer(document_limit()),
        )
        .route("/network-documents/{id}", get(pages::registry::document))
        .route(
            "/network-documents/{id}/delete",
            post(pages::registry::delete_document),
        )
        .route(
            "/organisations/{id}/rounds",
            get(pages::admission::rounds).post(pages::admission::create_round),
        )
        .route(
            "/rounds/{id}",
            get(pages::admission::show_round).post(pages::admission::update_round),
        )
        .route(
            "/rounds/{id}/occasions",
            post(pages::admission::set_occasion),
        )
        .route("/rounds/{id}/queue", get(pages::admission::queue))
        .route(
            "/rounds/{id}/decisions",
            post(pages::admission::decide_many),
        )
        .route(
            "/rounds/{id}/choices/{choice}",
            post(pages::admission::decide),
        )
        .route(
            "/rounds/{id}/choices/{choice}/reply",
            post(pages::admission::reply_for),
        )
        .route("/rounds/{id}/run", post(pages::admission::run))
        .route(
            "/rounds/{id}/close",
            post(pages::admission::close_applications),
        )
        .route("/rounds/{id}/publish", post(pages::admission::publish))
        .route("/rounds/{id}/results", get(pages::admission::results))
        .route("/rounds/{id}/seats", post(pages::admission::add_seats))
        .route(
            "/rounds/{id}/export/{format}",
            get(pages::admission::export),
        )
        .route("/api", get(api_docs))
        .nest("/api/v1", api::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // Panics become a generic 500 that `middleware::finish` renders like any other error.
        .layer(CatchPanicLayer::custom(|_| {
            WebError(AppError::bug("handler panicked")).into_response()
        }))
        .layer(from_fn_with_state(app.clone(), middleware::context))
        .layer(axum::Extension(Arc::new(
            shared_lists::SharedLists::default(),
        )))
        .with_state(app.clone());

    let security_headers = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                 form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        // Links carry secrets in their paths (reset, invitation): never send them onwards.
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ));

    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .with_state(app.clone())
        .route("/metrics", get({
            let token = app.settings.server.metrics_token.expose().to_string();
            move |State(m): State<metrics::SharedMetrics>, request: axum::extract::Request| async move {
                let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|p| p.0);
                metrics_answer(&m, &token, peer, request.headers())
            }
        }))
        .route("/assets/{file}", get(assets::serve))
        .with_state(metrics.clone())
        .merge(pages)
        .layer(security_headers)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), RandomRequestId))
                .layer(TraceLayer::new_for_http().make_span_with(|r: &Request<_>| {
                    let id = r.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
                    tracing::info_span!("request", id, method = %r.method(), path = %loggable_path(r.uri().path()))
                }).on_response(DefaultOnResponse::new().level(tracing::Level::INFO)))
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(from_fn(request_limits))
                .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(60)))
                .layer(from_fn_with_state(metrics, metrics::track)),
        )
}

/// The longest request target (path and query) Lärnav reads; browsers and proxies keep to
/// about this much, and no page of Lärnav's links to a longer one.
const MAX_URI_BYTES: usize = 16 * 1024;
/// The most header bytes (names and values) one request may carry.
const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Answers an over-long address (414) or oversized headers (431) at once, with a problem body,
/// before any session lookup or page work is done for it.
async fn request_limits(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let uri = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    let headers: usize = request
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len())
        .sum();
    let refused = if uri > MAX_URI_BYTES {
        Some((
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            "The address is too long.",
        ))
    } else if headers > MAX_HEADER_BYTES {
        Some((
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            "The request's headers are too large.",
        ))
    } else {
        None
    };
    match refused {
        Some((status, code, title)) => {
            let body = serde_json::json!({
                "type": "about:blank", "title": title, "status": status.as_u16(), "code": code,
            });
            let mut r = (status, body.to_string()).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/problem+json"),
            );
            r
        }
        None => next.run(request).await,
    }
}

/// `/metrics` for Prometheus: with `server.metrics_token` set, only to `Authorization: Bearer
/// <token>`; without it, only to clients on this machine (a scraper beside the server).
fn metrics_answer(
    m: &metrics::SharedMetrics,
    token: &str,
    peer: Option<SocketAddr>,
    headers: &axum::http::HeaderMap,
) -> Response {
    let allowed = if token.is_empty() {
        peer.is_some_and(|p| p.ip().is_loopback())
    } else {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| {
                larnav_app::security::token_hash(given) == larnav_app::security::token_hash(token)
            })
    };
    if allowed {
        m.render().into_response()
    } else {
        (StatusCode::NOT_FOUND, "not found").into_response()
    }
}

/// The body limit of document uploads: the largest document plus room for the form around it.
pub(crate) fn document_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(
        Upload::SharedDocument
            .limit()
            .max(Upload::ApplicationDocument.limit())
            + 64 * 1024,
    )
}

async fn not_found() -> WebError {
    WebError(AppError::NotFound)
}

async fn method_not_allowed() -> Response {
    let mut r = WebError(AppError::NotFound).into_response();
    *r.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    r
}

async fn readyz(State(app): State<App>) -> Response {
    match app.ready().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::error!(error = %e, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage<'a> {
    base: Base<'a>,
    operations: Vec<(String, String, String)>,
    codes: &'static [&'static str],
}

/// A readable list of the API's operations, generated from the same OpenAPI document.
async fn api_docs(ctx: Ctx) -> PageResult {
    let doc = api::ApiDoc::openapi();
    let mut operations = Vec::new();
    for (path, item) in &doc.paths.paths {
        let ops = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, op) in ops {
            if let Some(op) = op {
                let summary = op
                    .summary
                    .clone()
                    .or_else(|| op.description.clone())
                    .unwrap_or_default();
                operations.push((method.to_string(), path.clone(), summary));
            }
        }
    }
    render(&ApiDocsPage {
        base: Base::new(&ctx, ctx.tr.t("api.title")),
        operations,
        codes: AppError::CODES,
    })
}

/// Serves `router(app)` on `listener` until `shutdown` resolves.
///
/// # Errors
/// An I/O error from the listener.
pub async fn serve(
    app: App,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let housekeeping = {
        let app = app.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(3600));
            let mut at_start_up = true;
            loop {
                // The first tick is at once: what a crash left behind is tidied at start-up.
                every.tick().await;
                if let Err(e) = app.clean_up_interrupted_work(at_start_up).await {
                    tracing::warn!(error = %e, "cleaning up after an interruption failed");
                }
                at_start_up = false;
                if let Err(e) = app.purge_expired().await {
                    tracing::warn!(error = %e, "purging expired sessions failed");
                }
                if let Err(e) = app.refresh_statistics().await {
                    tracing::warn!(error = %e, "refreshing the query statistics failed");
                }
                // Offers whose reply-by date passed: their seats go to the next reserves.
                match app
                    .expire_overdue_offers(larnav_app::catalogue::today_in_sweden())
                    .await
                {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(expired = n, "admission offers expired"),
                    Err(e) => tracing::warn!(error = %e, "expiring admission offers failed"),
                }
                // Outcome follow-ups whose day has come (1, 6 and 12 months after a course).
                match app
                    .send_due_follow_ups(larnav_app::catalogue::today_in_sweden())
                    .await
                {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(sent = n, "follow-ups sent"),
                    Err(e) => tracing::warn!(error = %e, "sending follow-ups failed"),
                }
                // What is kept no longer (reporting attributes, old follow-up answers) goes.
                match app
                    .enforce_retention(larnav_app::catalogue::today_in_sweden())
                    .await
                {
                    Ok((0, 0)) => {}
                    Ok((attributes, follow_ups)) => {
                        tracing::info!(attributes, follow_ups, "expired details deleted");
                    }
                    Err(e) => tracing::warn!(error = %e, "deleting expired details failed"),
                }
                // Learning meetings within a day: both in the pair get a reminder.
                match app.remind_meetings().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(reminders = n, "meeting reminders sent"),
                    Err(e) => tracing::warn!(error = %e, "meeting reminders failed"),
                }
            }
        })
    };
    // Other instances write to the same database: follow their catalogue changes so that this
    // instance's search shows them within `search.sync_interval_ms` (plus the apply time).
    let search_sync = {
        let app = app.clone();
        let interval = Duration::from_millis(app.settings.search.sync_interval_ms.max(50));
        tokio::spawn(async move {
            let mut every = tokio::time::interval(interval);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                if let Err(e) = app.refresh_search().await {
                    tracing::warn!(error = %e, "search index sync failed; retrying");
                }
            }
        })
    };
    // The e-mail outbox: sent when something is queued (woken) and every few seconds, so
    // that retries come due and mail queued by another instance or the CLI goes out too.
    let mail_worker = {
        let app = app.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = app.deliver_mail().await {
                    tracing::warn!(error = %e, "e-mail outbox not processed; retrying");
                }
                let _ =
                    tokio::time::timeout(Duration::from_secs(5), app.mail_wake.notified()).await;
            }
        })
    };
    // Graceful, but bounded: a request that never finishes must not keep the process alive
    // after SIGTERM (an orchestrator would kill it mid-write instead).
    let grace = Duration::from_secs(app.settings.server.shutdown_grace_secs);
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    let signal = async move {
        shutdown.await;
        let _ = stopping.send(true);
    };
    let service = router(app).into_make_service_with_connect_info::<SocketAddr>();
    let server = axum::serve(listener, service).with_graceful_shutdown(signal);
    let result = tokio::select! {
        r = server.into_future() => r,
        () = async {
            let _ = stopped.wait_for(|s| *s).await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!(grace_secs = grace.as_secs(), "requests still running after the grace period; closing them");
            Ok(())
        }
    };
    housekeeping.abort();
    search_sync.abort();
    mail_worker.abort();
    result
}

#[cfg(test)]
mod tests {
    use super::{client_address, loggable_path};

    #[test]
    fn a_forwarded_address_counts_only_from_a_trusted_proxy() {
        let proxy: std::net::IpAddr = "10.0.0.2".parse().unwrap();
        let trusted = vec!["10.0.0.2".to_string()];
        let xff = Some("6.6.6.6, 192.0.2.7");
        assert_eq!(client_address(proxy, xff, &trusted), "192.0.2.7");
        assert_eq!(
            client_address(proxy, xff, &[]),
            "10.0.0.2",
            "not configured"
        );
        let stranger: std::net::IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(client_address(stranger, xff, &trusted), "198.51.100.1");
        assert_eq!(client_address(proxy, Some("junk"), &trusted), "10.0.0.2");
        assert_eq!(client_address(proxy, None, &trusted), "10.0.0.2");
    }

    #[test]
    fn secrets_in_link_paths_never_reach_the_log() {
        assert_eq!(
            loggable_path("/password-reset/abc123"),
            "/password-reset/{token}"
        );
        assert_eq!(
            loggable_path("/verify-email/abc123"),
            "/verify-email/{token}"
        );
        assert_eq!(
            loggable_path("/api/v1/invitations/abc/accept"),
            "/api/v1/invitations/{token}/accept"
        );
        assert_eq!(
            loggable_path("/reference/occupations/5321"),
            "/reference/occupations/5321"
        );
    }
}
