//! The material library: search, writing, versions, quality review and attachments. The same
//! `App` methods as the pages under `/materials`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use larnav_app::App;
use larnav_app::material::{
    MaterialForm, MaterialQuery, MaterialSearch, MaterialSummary, MaterialView, ReviewForm,
};
use serde::{Deserialize, Serialize};

use super::registry::Upload;
use super::{ApiJson, ApiResult, Created, created};
use crate::ctx::Ctx;
use crate::error::Problem;

/// Which version to show.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct VersionParam {
    /// A version's number (those who work on the material may ask for any; readers see the
    /// published one).
    pub version: Option<i64>,
}

/// The version the author submits, as last read (its id and revision).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SubmitForm {
    pub version_id: String,
    pub revision: String,
}

/// The number of the version a save wrote to (a new one when the last was published).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Saved {
    pub number: i64,
}

/// The caller's own material and the material waiting for their review.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Mine {
    pub own: Vec<MaterialSummary>,
    pub waiting_for_review: Vec<MaterialSummary>,
}

/// Searches the published material the caller may read (anonymous callers: what is shared
/// with everyone).
#[utoipa::path(get, path = "/api/v1/materials", tag = "materials", params(MaterialQuery),
    security(()), responses((status = 200, body = MaterialSearch)))]
pub async fn search(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<MaterialQuery>,
) -> ApiResult<Json<MaterialSearch>> {
    Ok(Json(app.search_materials(&ctx.actor, &q).await?))
}

/// Writes a new material (a first draft) for one of the caller's organisations.
#[utoipa::path(post, path = "/api/v1/materials", tag = "materials", request_body = MaterialForm,
    responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(f): ApiJson<MaterialForm>,
) -> ApiResult<Response> {
    let id = app.create_material(&ctx.actor, &f).await?;
    Ok(created(Created { id }))
}

/// The caller's own material and what waits for their review, latest versions.
#[utoipa::path(get, path = "/api/v1/materials/mine", tag = "materials",
    responses((status = 200, body = Mine), (status = 401, body = Problem)))]
pub async fn mine(State(app): State<App>, ctx: Ctx) -> ApiResult<Json<Mine>> {
    ctx.caller()?;
    let (own, waiting_for_review) = app.my_materials(&ctx.actor).await?;
    Ok(Json(Mine {
        own,
        waiting_for_review,
    }))
}

/// A material with the version shown, and for those who work on it every version and review.
#[utoipa::path(get, path = "/api/v1/materials/{id}", tag = "materials", params(VersionParam),
    security(()),
    responses((status = 200, body = MaterialView), (status = 404, body = Problem)))]
pub async fn get_one(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(v): Query<VersionParam>,
) -> ApiResult<Json<MaterialView>> {
    Ok(Json(app.material_view(&ctx.actor, id, v.version).await?))
}

/// Saves the material: a draft in place, else a new draft version. Send the `version_id` and
/// `revision` last read; `409 material_stale` when someone saved meanwhile.
#[utoipa::path(put, path = "/api/v1/materials/{id}", tag = "materials", request_body = MaterialForm,
    responses((status = 200, body = Saved), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<MaterialForm>,
) -> ApiResult<Json<Saved>> {
    let number = app.save_material(&ctx.actor, id, &f).await?;
    Ok(Json(Saved { number }))
}

/// Submits the draft for quality review.
#[utoipa::path(post, path = "/api/v1/materials/{id}/submit", tag = "materials", request_body = SubmitForm,
    responses((status = 204), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn submit(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<SubmitForm>,
) -> ApiResult<StatusCode> {
    app.submit_material(&ctx.actor, id, &f.version_id, &f.revision)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A reviewer approves (publishes) the version in review or requests changes.
#[utoipa::path(post, path = "/api/v1/materials/{id}/reviews", tag = "materials", request_body = ReviewForm,
    responses((status = 204), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn review(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ReviewForm>,
) -> ApiResult<StatusCode> {
    app.review_material(&ctx.actor, id, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Attaches a file to the draft (the body is the file: PNG, JPEG, PDF or an office document,
/// at most 10 MB).
#[utoipa::path(post, path = "/api/v1/materials/{id}/attachments", tag = "materials", params(Upload),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn upload_attachment(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(u): Query<Upload>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = app
        .upload_material_attachment(&ctx.actor, id, &u.file_name, &body)
        .await?;
    Ok(created(Created { id }))
}

/// An attachment's content.
#[utoipa::path(get, path = "/api/v1/material-attachments/{id}", tag = "materials",
    security(()),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = Problem)))]
pub async fn attachment(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let (file, bytes) = app.material_attachment(&ctx.actor, id).await?;
    Ok(crate::pages::download(
        &file.file_name,
        &file.content_type,
        bytes,
    ))
}

/// Removes an attachment added to the current draft.
#[utoipa::path(delete, path = "/api/v1/material-attachments/{id}", tag = "materials",
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_attachment(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    app.delete_material_attachment(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
