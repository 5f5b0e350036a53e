//! Labour-market areas.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use larnav_app::App;
use larnav_app::areas::AreaForm;
use larnav_app::records::Area;
use serde::Deserialize;

use super::{ApiJson, ApiResult, created};
use crate::ctx::Ctx;
use crate::error::Problem;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AreaParams {
    /// Only the areas of this organisation.
    organisation: Option<i64>,
}

/// Labour-market areas (all, or one organisation's).
#[utoipa::path(get, path = "/api/v1/areas", tag = "areas", params(AreaParams), security(()),
    responses((status = 200, body = [Area])))]
pub async fn list(
    State(app): State<App>,
    ctx: Ctx,
    Query(p): Query<AreaParams>,
) -> ApiResult<Json<Vec<Area>>> {
    Ok(Json(app.areas(&ctx.actor, p.organisation).await?))
}

/// One area with its kommuner.
#[utoipa::path(get, path = "/api/v1/areas/{id}", tag = "areas", security(()),
    responses((status = 200, body = Area), (status = 404, body = Problem)))]
pub async fn get_one(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Area>> {
    Ok(Json(app.area(&ctx.actor, id).await?))
}

/// Defines an area for an organisation (its analysts and administrators).
#[utoipa::path(post, path = "/api/v1/organisations/{id}/areas", tag = "areas", request_body = AreaForm,
    responses((status = 201, body = Area), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
    ApiJson(f): ApiJson<AreaForm>,
) -> ApiResult<Response> {
    Ok(created(app.create_area(&ctx.actor, org, &f).await?))
}

/// Renames an area and replaces its kommuner.
#[utoipa::path(put, path = "/api/v1/areas/{id}", tag = "areas", request_body = AreaForm,
    responses((status = 200, body = Area), (status = 422, body = Problem)))]
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<AreaForm>,
) -> ApiResult<Json<Area>> {
    Ok(Json(app.update_area(&ctx.actor, id, &f).await?))
}

/// Removes an area.
#[utoipa::path(delete, path = "/api/v1/areas/{id}", tag = "areas",
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    app.delete_area(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
