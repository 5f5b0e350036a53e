//! The catalogue: search, offerings with their occasions, sessions and staffing, teachers.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use larnav_app::catalogue::{
    LoadRow, OccasionForm, OfferingForm, OfferingView, SessionForm, TeacherForm,
};
use larnav_app::catalogue_files::{CatalogueExport, OfferingImport};
use larnav_app::domain::catalogue::OfferingStatus;
use larnav_app::records::{OfferingSummary, Teacher};
use larnav_app::search::{CatalogueImport, CatalogueQuery, CatalogueResults};
use larnav_app::{App, AppError};
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiResult, Created, created};
use crate::ctx::Ctx;
use crate::error::Problem;

/// A workflow move: `draft`, `review`, `published`, `closed` or `completed`.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct StatusChange {
    #[schema(value_type = larnav_app::domain::catalogue::OfferingStatus, required)]
    pub status: String,
    /// Why (shown in the offering's history); optional.
    #[serde(default)]
    pub note: String,
    /// Publish what one sent to review oneself, without someone else reviewing it (only with
    /// the right to: organisation administrators; audited). Otherwise such a publication is
    /// refused with 409 `own_review`.
    #[serde(default)]
    pub without_review: bool,
}

/// Hours a teacher is planned for on an occasion (`0` removes the assignment).
#[derive(Deserialize, utoipa::ToSchema)]
pub struct StaffingHours {
    pub hours: String,
    /// Save although the hours take the teacher over their yearly capacity (otherwise that is
    /// refused with 409 `over_capacity` and nothing is saved).
    #[serde(default)]
    pub over_capacity_ok: bool,
}

/// How many sessions were added.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionsAdded {
    pub added: usize,
}

/// How many offerings the rebuilt index holds.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Reindexed {
    pub indexed: u64,
}

/// Searches the catalogue (Swedish stemming, prefixes, typos, synonyms) with facet counts.
/// Internal offerings show only to their employer and provider.
#[utoipa::path(get, path = "/api/v1/catalogue", tag = "catalogue", params(CatalogueQuery), security(()),
    responses((status = 200, body = CatalogueResults), (status = 404, body = Problem)))]
pub async fn search(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<CatalogueQuery>,
) -> ApiResult<Json<CatalogueResults>> {
    Ok(Json(app.search_catalogue(&ctx.actor, &q).await?))
}

/// One offering with its occupations, occasions, sessions, staffing and history.
#[utoipa::path(get, path = "/api/v1/catalogue/{id}", tag = "catalogue", security(()),
    responses((status = 200, body = OfferingView), (status = 404, body = Problem)))]
pub async fn get_one(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<OfferingView>> {
    Ok(Json(app.offering_view(&ctx.actor, id).await?))
}

/// Saves an edit. `version` must be the version that was read; an older one is refused with
/// `offering_edited_elsewhere` and nothing is overwritten.
#[utoipa::path(put, path = "/api/v1/catalogue/{id}", tag = "catalogue", request_body = OfferingForm,
    responses((status = 200, body = OfferingView), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<OfferingForm>,
) -> ApiResult<Json<OfferingView>> {
    app.update_offering(&ctx.actor, id, &f).await?;
    Ok(Json(app.offering_view(&ctx.actor, id).await?))
}

/// Moves an offering in its workflow; publishing checks the required fields and is refused
/// (409 `own_review`) to whoever sent the offering to review, unless `without_review` is set by
/// someone with that right.
#[utoipa::path(post, path = "/api/v1/catalogue/{id}/status", tag = "catalogue", request_body = StatusChange,
    responses((status = 200, body = OfferingView), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn move_status(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(c): ApiJson<StatusChange>,
) -> ApiResult<Json<OfferingView>> {
    let to = OfferingStatus::parse(&c.status)
        .ok_or_else(|| AppError::invalid("status", "field.choice_invalid"))?;
    app.move_offering(&ctx.actor, id, to, &c.note, c.without_review)
        .await?;
    Ok(Json(app.offering_view(&ctx.actor, id).await?))
}

/// A provider's offerings, drafts included.
#[utoipa::path(get, path = "/api/v1/organisations/{id}/offerings", tag = "catalogue",
    responses((status = 200, body = [OfferingSummary]), (status = 403, body = Problem)))]
pub async fn provider_offerings(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
) -> ApiResult<Json<Vec<OfferingSummary>>> {
    Ok(Json(app.provider_offerings(&ctx.actor, org).await?))
}

/// Creates a draft offering for a provider.
#[utoipa::path(post, path = "/api/v1/organisations/{id}/offerings", tag = "catalogue", request_body = OfferingForm,
    responses((status = 201, body = Created), (status = 422, body = Problem)))]
pub async fn create(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
    ApiJson(f): ApiJson<OfferingForm>,
) -> ApiResult<Response> {
    let id = app.create_offering(&ctx.actor, org, &f, None).await?;
    Ok(created(Created { id }))
}

/// Adds an occasion (dates, application window, seats).
#[utoipa::path(post, path = "/api/v1/catalogue/{id}/occasions", tag = "catalogue", request_body = OccasionForm,
    responses((status = 201, body = Created), (status = 422, body = Problem)))]
pub async fn add_occasion(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<OccasionForm>,
) -> ApiResult<Response> {
    let id = app.save_occasion(&ctx.actor, id, None, &f).await?;
    Ok(created(Created { id }))
}

/// Changes an occasion; its sessions must stay within the new dates.
#[utoipa::path(put, path = "/api/v1/catalogue/{id}/occasions/{occasion}", tag = "catalogue", request_body = OccasionForm,
    responses((status = 204), (status = 422, body = Problem)))]
pub async fn update_occasion(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, occasion)): Path<(i64, i64)>,
    ApiJson(f): ApiJson<OccasionForm>,
) -> ApiResult<StatusCode> {
    app.save_occasion(&ctx.actor, id, Some(occasion), &f)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes an occasion with its sessions and staffing.
#[utoipa::path(delete, path = "/api/v1/catalogue/{id}/occasions/{occasion}", tag = "catalogue",
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn delete_occasion(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, occasion)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    app.delete_occasion(&ctx.actor, id, occasion).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a session, or a weekly series (`repeat` = number of weeks, at most 104).
#[utoipa::path(post, path = "/api/v1/occasions/{occasion}/sessions", tag = "catalogue", request_body = SessionForm,
    responses((status = 201, body = SessionsAdded), (status = 422, body = Problem)))]
pub async fn add_sessions(
    State(app): State<App>,
    ctx: Ctx,
    Path(occasion): Path<i64>,
    ApiJson(f): ApiJson<SessionForm>,
) -> ApiResult<Response> {
    let added = app.add_sessions(&ctx.actor, occasion, &f).await?;
    Ok(created(SessionsAdded { added }))
}

/// Removes one session.
#[utoipa::path(delete, path = "/api/v1/occasions/{occasion}/sessions/{session}", tag = "catalogue",
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_session(
    State(app): State<App>,
    ctx: Ctx,
    Path((occasion, session)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    app.delete_session(&ctx.actor, occasion, session).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Plans a teacher's hours on an occasion; hours that take the teacher over their yearly
/// capacity are refused (409 `over_capacity`) unless `over_capacity_ok` is set.
#[utoipa::path(put, path = "/api/v1/occasions/{occasion}/staffing/{teacher}", tag = "catalogue", request_body = StaffingHours,
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_staffing(
    State(app): State<App>,
    ctx: Ctx,
    Path((occasion, teacher)): Path<(i64, i64)>,
    ApiJson(h): ApiJson<StaffingHours>,
) -> ApiResult<StatusCode> {
    match app
        .set_staffing(&ctx.actor, occasion, teacher, &h.hours, h.over_capacity_ok)
        .await?
    {
        None => Ok(StatusCode::NO_CONTENT),
        Some(warning) => Err(warning.refusal().into()),
    }
}

/// A provider's teachers.
#[utoipa::path(get, path = "/api/v1/organisations/{id}/teachers", tag = "catalogue",
    responses((status = 200, body = [Teacher]), (status = 403, body = Problem)))]
pub async fn teachers(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
) -> ApiResult<Json<Vec<Teacher>>> {
    Ok(Json(app.teachers(&ctx.actor, org).await?))
}

/// Adds a teacher with a yearly capacity in hours.
#[utoipa::path(post, path = "/api/v1/organisations/{id}/teachers", tag = "catalogue", request_body = TeacherForm,
    responses((status = 201, body = Created), (status = 422, body = Problem)))]
pub async fn create_teacher(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
    ApiJson(f): ApiJson<TeacherForm>,
) -> ApiResult<Response> {
    let id = app.create_teacher(&ctx.actor, org, &f).await?;
    Ok(created(Created { id }))
}

/// Planned hours per teacher and year against capacity, with the over-capacity warning.
#[utoipa::path(get, path = "/api/v1/organisations/{id}/teachers/load", tag = "catalogue",
    responses((status = 200, body = [LoadRow]), (status = 403, body = Problem)))]
pub async fn teacher_load(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
) -> ApiResult<Json<Vec<LoadRow>>> {
    Ok(Json(app.teacher_load(&ctx.actor, org).await?))
}

/// Rebuilds this instance's search index from the database (platform administrators).
#[utoipa::path(post, path = "/api/v1/catalogue/reindex", tag = "catalogue",
    responses((status = 200, body = Reindexed), (status = 403, body = Problem)))]
pub async fn reindex(State(app): State<App>, ctx: Ctx) -> ApiResult<Json<Reindexed>> {
    let indexed = app.reindex(&ctx.actor).await?;
    Ok(Json(Reindexed { indexed }))
}

/// Re-imports the national catalogue shipped with Lärnav (platform administrators).
#[utoipa::path(post, path = "/api/v1/catalogue/national", tag = "catalogue",
    responses((status = 200, body = CatalogueImport), (status = 403, body = Problem)))]
pub async fn import_national(State(app): State<App>, ctx: Ctx) -> ApiResult<Json<CatalogueImport>> {
    Ok(Json(app.import_national_catalogue(&ctx.actor).await?))
}

/// Imports a provider's list (CSV or XLSX, the columns of `/catalogue/template/xlsx`) as
/// drafts. All or nothing: a rejected file lists every problem by line and column.
#[utoipa::path(post, path = "/api/v1/organisations/{id}/offerings/import", tag = "catalogue",
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = OfferingImport), (status = 422, body = Problem)))]
pub async fn import_offerings(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<OfferingImport>> {
    Ok(Json(app.import_offerings(&ctx.actor, org, &body).await?))
}

/// A provider's offerings in the documented export format (`docs/catalogue-export.md`).
#[utoipa::path(get, path = "/api/v1/organisations/{id}/offerings/export", tag = "catalogue",
    responses((status = 200, body = CatalogueExport), (status = 403, body = Problem)))]
pub async fn export_offerings(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
) -> ApiResult<Json<CatalogueExport>> {
    Ok(Json(app.export_offerings(&ctx.actor, org).await?))
}
