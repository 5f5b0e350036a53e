//! The JSON API under `/api/v1`, described by OpenAPI (utoipa) at `/api/v1/openapi.json`.
//!
//! Every endpoint calls the same `App` method as the page that does the same thing. Scripts
//! authenticate with a personal API token (`Authorization: Bearer lnv_…`); the browser's own
//! calls use the session cookie and send the CSRF token in `X-CSRF-Token`.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use larnav_app::uploads::Upload;
use larnav_app::{App, AppError};
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::WebError;

use crate::document_limit;

mod accounts;
mod admin;
mod admission;
mod areas;
mod catalogue;
mod development;
mod enrolments;
mod material;
mod network;
mod organisations;
mod reference;
mod registry;
pub mod semaforen;
mod signals;

pub type ApiResult<T> = Result<T, WebError>;

/// `Json<T>` whose rejections (wrong content type, malformed or mistyped JSON) become the same
/// problem+json errors as everything else.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Self(v)),
            Err(rejection) => {
                let _: &JsonRejection = &rejection;
                Err(WebError(AppError::invalid("body", "error.payload")))
            }
        }
    }
}

/// The id of what was created.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: i64,
}

/// `201 Created` with a JSON body.
pub fn created<T: serde::Serialize>(value: T) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Lärnav API",
        description = "Regional competence supply and lifelong learning. Errors are RFC 9457 problem+json documents with a stable `code`. Integers are written without a decimal point (`12`, not `12.0`).",
        license(name = "EUPL-1.2")
    ),
    paths(
        accounts::me, accounts::update_me, accounts::change_password, accounts::my_memberships,
        accounts::list_tokens, accounts::create_token, accounts::revoke_token, accounts::register,
        accounts::request_reset, accounts::reset_password,
        organisations::list, organisations::create, organisations::get_one, organisations::update,
        organisations::members, organisations::set_roles, organisations::remove_member,
        organisations::invitations, organisations::invite, organisations::revoke_invitation,
        organisations::invitation, organisations::accept_invitation, organisations::audit,
        admin::users, admin::user, admin::set_flags, admin::audit,
        reference::search, reference::occupations, reference::occupation, reference::lan,
        reference::kommuner, reference::sun_fields, reference::sun_levels, reference::seqf,
        signals::sources, signals::import, signals::occupation,
        areas::list, areas::get_one, areas::create, areas::update, areas::delete,
        semaforen::list, semaforen::explain, semaforen::published_lists, semaforen::published,
        semaforen::needs, semaforen::all_needs, semaforen::report_need, semaforen::import_needs,
        semaforen::delete_need, semaforen::lists, semaforen::create_list, semaforen::get_list,
        semaforen::update_list, semaforen::set_override, semaforen::publish, semaforen::supply,
        semaforen::link_supply, semaforen::confirm_supply, semaforen::ad_imports, semaforen::ad_import, semaforen::withdraw_ad_import,
        semaforen::start_ad_import,
        catalogue::search, catalogue::get_one, catalogue::update, catalogue::move_status,
        catalogue::provider_offerings, catalogue::create, catalogue::add_occasion,
        catalogue::update_occasion, catalogue::delete_occasion, catalogue::add_sessions,
        catalogue::delete_session, catalogue::set_staffing, catalogue::teachers,
        catalogue::create_teacher, catalogue::teacher_load, catalogue::reindex,
        catalogue::import_national, catalogue::import_offerings, catalogue::export_offerings,
        admission::rounds, admission::create_round, admission::round, admission::update_round,
        admission::set_occasion, admission::choices, admission::decide, admission::close_applications, admission::run,
        admission::what_if, admission::publish, admission::add_seats, admission::reply_for,
        admission::open_rounds, admission::application, admission::apply, admission::reply,
        network::programmes, network::open_programme, network::programme, network::register,
        network::propose_pairs, network::set_pair, network::remove_pair,
        network::publish_programme, network::reopen_programme, network::close_programme, network::evaluate_programme, network::meeting_pair,
        network::plan, network::add_note, network::themes, network::add_theme, network::rounds,
        network::open_round, network::round, network::offer, network::apply, network::withdraw,
        network::propose_mentors, network::set_mentor, network::close_round_applications, network::publish_round, network::reopen_round, network::close_round,
        network::mentorship_pair, network::save_space, network::log, network::evaluate_pair,
        registry::centres, registry::centre, registry::save_centre, registry::models,
        registry::register_model, registry::model, registry::update_model, registry::adopt,
        registry::remove_adoption, registry::upload_model_document, registry::pair_documents,
        registry::upload_pair_document, registry::document, registry::delete_document,
        material::search, material::create, material::mine, material::get_one, material::update,
        material::submit, material::review, material::upload_attachment, material::attachment,
        material::delete_attachment,
        development::collections, development::create_collection, development::collection,
        development::update_collection, development::add_step, development::move_step,
        development::edit_step, development::remove_step, development::mark_step, development::complete_material,
        development::rate_material, development::comment_material, development::delete_comment,
        development::usage, development::staff_groups, development::create_staff_group,
        development::add_staff_member, development::remove_staff_member, development::plans,
        development::create_plan, development::plan, development::update_plan,
        development::add_activity, development::move_activity, development::edit_activity, development::remove_activity,
        development::set_progress, development::assign, development::unassign,
        development::record, development::erase,
        enrolments::list, enrolments::enrol, enrolments::end, enrolments::roll_call,
        enrolments::mark, enrolments::mine, enrolments::outcomes,
        enrolments::import_enrolments, enrolments::import_attendance,
    ),
    components(schemas(crate::error::Problem, crate::error::ProblemField)),
    modifiers(&BearerAuth, &ProblemAnswers, &OperationIds, &RequiredHaveNoDefault),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("lnv_…")
                    .build(),
            ),
        );
    }
}

/// Every operation in the document, with its path.
fn operations(
    openapi: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = (&str, &mut utoipa::openapi::path::Operation)> {
    openapi.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        .map(move |op| (path.as_str(), op))
    })
}

/// Documents the error answers as the server gives them, so no operation has to list them:
/// every error body is `application/problem+json`; an operation that needs a login can answer
/// 401 and 403 (not allowed, or a browser call without its CSRF header); one with a path
/// parameter 404, and 400 when a path or query parameter cannot be read; one that reads a
/// body or a query 422 for invalid fields.
struct ProblemAnswers;

impl Modify for ProblemAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{Operation, ParameterIn};
        use utoipa::openapi::security::SecurityRequirement;
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

        let problem = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/problem+json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        };
        let public = |op: &Operation| {
            op.security
                .as_ref()
                .is_some_and(|s| s.iter().all(|r| *r == SecurityRequirement::default()))
        };
        for (path, op) in operations(openapi) {
            let in_path = path.contains('{');
            let in_query = op
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p.parameter_in, ParameterIn::Query));
            let mut add = vec![];
            if !public(op) {
                add.push(("401", "Not logged in."));
                add.push((
                    "403",
                    "Not allowed, or a browser call without its CSRF header.",
                ));
            }
            if in_path {
                add.push(("404", "No such thing, or not visible to the caller."));
            }
            if in_path || in_query {
                add.push(("400", "A path or query parameter could not be read."));
            }
            if op.request_body.is_some() || in_query {
                add.push(("422", "Invalid fields; `errors` names each."));
            }
            let responses = &mut op.responses.responses;
            for (status, response) in responses.iter_mut() {
                // Error answers are problem documents, whatever the annotation said.
                if status.starts_with(['4', '5']) {
                    let description = match response {
                        RefOr::T(r) => r.description.clone(),
                        RefOr::Ref(_) => String::new(),
                    };
                    *response = problem(&description);
                }
            }
            for (status, description) in add {
                responses
                    .entry(status.to_string())
                    .or_insert_with(|| problem(description));
            }
        }
    }
}

/// The OpenAPI document (served at `/api/v1/openapi.json`, printed by `larnav openapi`).
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// utoipa takes an operation's id from its handler's name, and handlers in different modules
/// share names (`get_one`, `apply`): the id becomes `{tag}_{handler}`, unique in the document.
struct OperationIds;

impl Modify for OperationIds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (_, op) in operations(openapi) {
            let tag = op.tags.iter().flatten().next().cloned().unwrap_or_default();
            if let Some(id) = &mut op.operation_id {
                *id = format!("{}_{id}", tag.replace(|c: char| !c.is_alphanumeric(), "_"));
            }
        }
    }
}

/// Form bodies derive `Default` (a field left out reads as empty, and the app names it in a 422),
/// so utoipa gives every field a default — `""` even where only an enum's values are accepted.
/// A required field's default is never used: it is dropped.
struct RequiredHaveNoDefault;

impl Modify for RequiredHaveNoDefault {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{RefOr, Schema};
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for schema in components.schemas.values_mut() {
            let RefOr::T(Schema::Object(object)) = schema else {
                continue;
            };
            for name in &object.required {
                match object.properties.get_mut(name) {
                    Some(RefOr::T(Schema::Object(o))) => o.default = None,
                    Some(RefOr::T(Schema::OneOf(o))) => o.default = None,
                    Some(RefOr::T(Schema::AllOf(o))) => o.default = None,
                    _ => {}
                }
            }
        }
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

pub fn router() -> Router<App> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/me", get(accounts::me).patch(accounts::update_me))
        .route("/me/password", post(accounts::change_password))
        .route("/me/organisations", get(accounts::my_memberships))
        .route("/me/enrolments", get(enrolments::mine))
        .route("/outcomes", get(enrolments::outcomes))
        .route(
            "/occasions/{occasion}/enrolments",
            get(enrolments::list).post(enrolments::enrol),
        )
        .route(
            "/occasions/{occasion}/enrolments/end",
            post(enrolments::end),
        )
        .route(
            "/occasions/{occasion}/enrolments/import",
            post(enrolments::import_enrolments).layer(axum::extract::DefaultBodyLimit::max(
                Upload::GroupFile.limit(),
            )),
        )
        .route(
            "/occasions/{occasion}/attendance/import",
            post(enrolments::import_attendance).layer(axum::extract::DefaultBodyLimit::max(
                Upload::GroupFile.limit(),
            )),
        )
        .route(
            "/occasions/{occasion}/sessions/{session}/attendance",
            get(enrolments::roll_call).put(enrolments::mark),
        )
        .route(
            "/me/tokens",
            get(accounts::list_tokens).post(accounts::create_token),
        )
        .route(
            "/me/tokens/{id}",
            axum::routing::delete(accounts::revoke_token),
        )
        .route("/register", post(accounts::register))
        .route("/password-reset", post(accounts::request_reset))
        .route("/password-reset/{token}", post(accounts::reset_password))
        .route(
            "/organisations",
            get(organisations::list).post(organisations::create),
        )
        .route(
            "/organisations/{id}",
            get(organisations::get_one).put(organisations::update),
        )
        .route("/organisations/{id}/members", get(organisations::members))
        .route(
            "/organisations/{id}/members/{user_id}",
            put(organisations::set_roles).delete(organisations::remove_member),
        )
        .route(
            "/organisations/{id}/invitations",
            get(organisations::invitations).post(organisations::invite),
        )
        .route(
            "/organisations/{id}/invitations/{invitation_id}",
            axum::routing::delete(organisations::revoke_invitation),
        )
        .route("/organisations/{id}/audit", get(organisations::audit))
        .route("/invitations/{token}", get(organisations::invitation))
        .route(
            "/invitations/{token}/accept",
            post(organisations::accept_invitation),
        )
        .route("/users", get(admin::users))
        .route("/users/{id}", get(admin::user).patch(admin::set_flags))
        .route("/audit", get(admin::audit))
        .route("/reference/search", get(reference::search))
        .route("/reference/occupations", get(reference::occupations))
        .route("/reference/occupations/{code}", get(reference::occupation))
        .route("/reference/lan", get(reference::lan))
        .route("/reference/kommuner", get(reference::kommuner))
        .route("/reference/sun/fields", get(reference::sun_fields))
        .route("/reference/sun/levels", get(reference::sun_levels))
        .route("/reference/seqf", get(reference::seqf))
        .route("/areas", get(areas::list))
        .route(
            "/areas/{id}",
            get(areas::get_one).put(areas::update).delete(areas::delete),
        )
        .route("/organisations/{id}/areas", post(areas::create))
        .route("/signals/sources", get(signals::sources))
        .route("/signals/import", post(signals::import))
        .route("/signals/occupations/{code}", get(signals::occupation))
        .route("/semaforen/{area}", get(semaforen::list))
        .route("/semaforen/{area}/{ssyk}", get(semaforen::explain))
        .route("/published", get(semaforen::published_lists))
        .route("/published/{id}", get(semaforen::published))
        .route(
            "/organisations/{id}/needs",
            get(semaforen::needs).post(semaforen::report_need),
        )
        .route(
            "/organisations/{id}/needs/import",
            post(semaforen::import_needs).layer(axum::extract::DefaultBodyLimit::max(
                Upload::NeedFile.limit(),
            )),
        )
        .route("/needs", get(semaforen::all_needs))
        .route("/needs/{id}", axum::routing::delete(semaforen::delete_need))
        .route(
            "/organisations/{id}/lists",
            get(semaforen::lists).post(semaforen::create_list),
        )
        .route(
            "/lists/{id}",
            get(semaforen::get_list).put(semaforen::update_list),
        )
        .route("/lists/{id}/override", put(semaforen::set_override))
        .route("/lists/{id}/publish", post(semaforen::publish))
        .route("/supply", get(semaforen::supply))
        .route("/supply/{id}/link", put(semaforen::link_supply))
        .route("/supply/confirm", post(semaforen::confirm_supply))
        .route(
            "/signals/ads/imports",
            get(semaforen::ad_imports)
                .post(semaforen::start_ad_import)
                .layer(axum::extract::DefaultBodyLimit::max(Upload::AdFile.limit())),
        )
        .route(
            "/signals/ads/imports/{id}",
            get(semaforen::ad_import).delete(semaforen::withdraw_ad_import),
        )
        .route("/catalogue", get(catalogue::search))
        .route("/catalogue/reindex", post(catalogue::reindex))
        .route("/catalogue/national", post(catalogue::import_national))
        .route(
            "/catalogue/{id}",
            get(catalogue::get_one).put(catalogue::update),
        )
        .route("/catalogue/{id}/status", post(catalogue::move_status))
        .route("/catalogue/{id}/occasions", post(catalogue::add_occasion))
        .route(
            "/catalogue/{id}/occasions/{occasion}",
            put(catalogue::update_occasion).delete(catalogue::delete_occasion),
        )
        .route(
            "/occasions/{occasion}/sessions",
            post(catalogue::add_sessions),
        )
        .route(
            "/occasions/{occasion}/sessions/{session}",
            axum::routing::delete(catalogue::delete_session),
        )
        .route(
            "/occasions/{occasion}/staffing/{teacher}",
            put(catalogue::set_staffing),
        )
        .route(
            "/organisations/{id}/offerings",
            get(catalogue::provider_offerings).post(catalogue::create),
        )
        .route(
            "/organisations/{id}/teachers",
            get(catalogue::teachers).post(catalogue::create_teacher),
        )
        .route(
            "/organisations/{id}/teachers/load",
            get(catalogue::teacher_load),
        )
        .route(
            "/organisations/{id}/offerings/import",
            post(catalogue::import_offerings).layer(axum::extract::DefaultBodyLimit::max(
                Upload::OfferingFile.limit(),
            )),
        )
        .route(
            "/organisations/{id}/offerings/export",
            get(catalogue::export_offerings),
        )
        .route(
            "/organisations/{id}/rounds",
            get(admission::rounds).post(admission::create_round),
        )
        .route(
            "/rounds/{id}",
            get(admission::round).put(admission::update_round),
        )
        .route("/rounds/{id}/occasions", put(admission::set_occasion))
        .route("/rounds/{id}/choices", get(admission::choices))
        .route("/rounds/{id}/choices/{choice}", put(admission::decide))
        .route(
            "/rounds/{id}/choices/{choice}/reply",
            post(admission::reply_for),
        )
        .route(
            "/rounds/{id}/close-applications",
            post(admission::close_applications),
        )
        .route("/rounds/{id}/run", post(admission::run))
        .route("/rounds/{id}/what-if", post(admission::what_if))
        .route("/rounds/{id}/publish", post(admission::publish))
        .route("/rounds/{id}/seats", post(admission::add_seats))
        .route("/admission/rounds", get(admission::open_rounds))
        .route("/admission/rounds/{id}", get(admission::application))
        .route("/admission/rounds/{id}/application", put(admission::apply))
        .route("/admission/choices/{choice}/reply", post(admission::reply))
        .route("/meetings", get(network::programmes))
        .route(
            "/organisations/{id}/meetings",
            post(network::open_programme),
        )
        .route("/meetings/{id}", get(network::programme))
        .route("/meetings/{id}/registration", post(network::register))
        .route("/meetings/{id}/propose", post(network::propose_pairs))
        .route("/meetings/{id}/pairs", put(network::set_pair))
        .route(
            "/meetings/{id}/pairs/{pair}",
            axum::routing::delete(network::remove_pair),
        )
        .route(
            "/meetings/{id}/evaluation",
            post(network::evaluate_programme),
        )
        .route("/meetings/{id}/publish", post(network::publish_programme))
        .route("/meetings/{id}/reopen", post(network::reopen_programme))
        .route("/meetings/{id}/close", post(network::close_programme))
        .route("/meeting-pairs/{id}", get(network::meeting_pair))
        .route("/meeting-pairs/{id}/plan", post(network::plan))
        .route("/meeting-pairs/{id}/notes", post(network::add_note))
        .route("/themes", get(network::themes).post(network::add_theme))
        .route("/mentorship", get(network::rounds))
        .route("/organisations/{id}/mentorship", post(network::open_round))
        .route("/mentorship/{id}", get(network::round))
        .route("/mentorship/{id}/offers", post(network::offer))
        .route("/mentorship/{id}/applications", post(network::apply))
        .route(
            "/mentorship/{id}/applications/{organisation}",
            axum::routing::delete(network::withdraw),
        )
        .route("/mentorship/{id}/propose", post(network::propose_mentors))
        .route("/mentorship/{id}/pairs", put(network::set_mentor))
        .route(
            "/mentorship/{id}/close-applications",
            post(network::close_round_applications),
        )
        .route("/mentorship/{id}/publish", post(network::publish_round))
        .route("/mentorship/{id}/reopen", post(network::reopen_round))
        .route("/mentorship/{id}/close", post(network::close_round))
        .route("/mentorship-pairs/{id}", get(network::mentorship_pair))
        .route("/mentorship-pairs/{id}/space", put(network::save_space))
        .route("/mentorship-pairs/{id}/log", post(network::log))
        .route(
            "/mentorship-pairs/{id}/evaluation",
            post(network::evaluate_pair),
        )
        .route(
            "/mentorship-pairs/{id}/documents",
            get(registry::pair_documents)
                .post(registry::upload_pair_document)
                .layer(document_limit()),
        )
        .route("/centres", get(registry::centres))
        .route(
            "/centres/{id}",
            get(registry::centre).put(registry::save_centre),
        )
        .route(
            "/working-models",
            get(registry::models).post(registry::register_model),
        )
        .route(
            "/working-models/{id}",
            get(registry::model).put(registry::update_model),
        )
        .route("/working-models/{id}/adoptions", put(registry::adopt))
        .route(
            "/working-models/{id}/adoptions/{organisation}",
            axum::routing::delete(registry::remove_adoption),
        )
        .route(
            "/working-models/{id}/documents",
            post(registry::upload_model_document).layer(document_limit()),
        )
        .route(
            "/network-documents/{id}",
            get(registry::document).delete(registry::delete_document),
        )
        .route("/materials", get(material::search).post(material::create))
        .route("/materials/mine", get(material::mine))
        .route(
            "/materials/{id}",
            get(material::get_one).put(material::update),
        )
        .route("/materials/{id}/submit", post(material::submit))
        .route("/materials/{id}/reviews", post(material::review))
        .route(
            "/materials/{id}/attachments",
            post(material::upload_attachment).layer(document_limit()),
        )
        .route(
            "/material-attachments/{id}",
            get(material::attachment).delete(material::delete_attachment),
        )
        .route(
            "/materials/{id}/completion",
            put(development::complete_material),
        )
        .route("/materials/{id}/rating", put(development::rate_material))
        .route(
            "/materials/{id}/comments",
            post(development::comment_material),
        )
        .route(
            "/material-comments/{id}",
            axum::routing::delete(development::delete_comment),
        )
        .route(
            "/organisations/{id}/material-usage",
            get(development::usage),
        )
        .route(
            "/organisations/{id}/staff-groups",
            get(development::staff_groups).post(development::create_staff_group),
        )
        .route(
            "/staff-groups/{id}/members/{user}",
            put(development::add_staff_member).delete(development::remove_staff_member),
        )
        .route(
            "/collections",
            get(development::collections).post(development::create_collection),
        )
        .route(
            "/collections/{id}",
            get(development::collection).put(development::update_collection),
        )
        .route("/collections/{id}/steps", post(development::add_step))
        .route(
            "/collection-steps/{id}",
            put(development::edit_step).delete(development::remove_step),
        )
        .route("/collection-steps/{id}/move", post(development::move_step))
        .route("/collection-steps/{id}/done", put(development::mark_step))
        .route(
            "/plans",
            get(development::plans).post(development::create_plan),
        )
        .route(
            "/plans/{id}",
            get(development::plan).put(development::update_plan),
        )
        .route("/plans/{id}/activities", post(development::add_activity))
        .route(
            "/plans/{id}/groups/{group}",
            put(development::assign).delete(development::unassign),
        )
        .route(
            "/plan-activities/{id}",
            put(development::edit_activity).delete(development::remove_activity),
        )
        .route(
            "/plan-activities/{id}/move",
            post(development::move_activity),
        )
        .route(
            "/plan-activities/{id}/progress",
            put(development::set_progress),
        )
        .route("/me/record", get(development::record))
        .route("/me/erase", post(development::erase))
}

/// Paging parameters shared by list endpoints.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct Paging {
    /// Filter by a case-insensitive substring.
    #[serde(default)]
    pub q: String,
    /// Items per page (1–200, default 50).
    pub limit: Option<i64>,
    /// Items to skip.
    pub offset: Option<i64>,
}

impl Paging {
    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(50).clamp(1, 200)
    }

    pub fn offset(&self) -> i64 {
        self.offset.unwrap_or(0).max(0)
    }
}
