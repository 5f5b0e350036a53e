//! The network's shared knowledge: learning-centre profiles, the working-model registry with
//! adoptions, and documents of models and mentorship pairs. The same `App` methods as the
//! pages under `/centres`, `/models` and the pair space.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use larnav_app::App;
use larnav_app::records::{DocumentOwner, NetworkDocument};
use larnav_app::registry::{
    AdoptionForm, CentreFilter, CentreProfile, LanCentres, ModelForm, ModelQuery, ModelSearch,
    ModelView, ProfileForm,
};
use serde::Deserialize;

use super::{ApiJson, ApiResult, Created, created};
use crate::ctx::Ctx;
use crate::error::Problem;

/// The name of an uploaded file (the body is the file itself).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct Upload {
    /// `rapport.pdf`: its extension must agree with the content.
    pub file_name: String,
}

/// Learning-centre profiles by län, filtered by län, service and theme.
#[utoipa::path(get, path = "/api/v1/centres", tag = "network", params(CentreFilter), security(()),
    responses((status = 200, body = [LanCentres])))]
pub async fn centres(
    State(app): State<App>,
    Query(f): Query<CentreFilter>,
) -> ApiResult<Json<Vec<LanCentres>>> {
    Ok(Json(app.centre_profiles(&f).await?))
}

/// One organisation's profile.
#[utoipa::path(get, path = "/api/v1/centres/{id}", tag = "network", security(()),
    responses((status = 200, body = CentreProfile), (status = 404, body = Problem)))]
pub async fn centre(State(app): State<App>, Path(id): Path<i64>) -> ApiResult<Json<CentreProfile>> {
    Ok(Json(app.centre_profile(id).await?))
}

/// Creates or replaces an organisation's profile (its coordinators and administrators).
#[utoipa::path(put, path = "/api/v1/centres/{id}", tag = "network", request_body = ProfileForm,
    responses((status = 204), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn save_centre(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ProfileForm>,
) -> ApiResult<StatusCode> {
    app.save_centre_profile(&ctx.actor, id, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Searches the working models (the catalogue's Swedish search), by theme and län.
#[utoipa::path(get, path = "/api/v1/working-models", tag = "network", params(ModelQuery), security(()),
    responses((status = 200, body = ModelSearch)))]
pub async fn models(
    State(app): State<App>,
    Query(q): Query<ModelQuery>,
) -> ApiResult<Json<ModelSearch>> {
    Ok(Json(app.search_working_models(&q).await?))
}

/// Registers a working model owned by `organisation_id`.
#[utoipa::path(post, path = "/api/v1/working-models", tag = "network", request_body = ModelForm,
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn register_model(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(f): ApiJson<ModelForm>,
) -> ApiResult<Response> {
    let id = app.register_working_model(&ctx.actor, &f).await?;
    Ok(created(Created { id }))
}

/// A model with its adoption history and documents.
#[utoipa::path(get, path = "/api/v1/working-models/{id}", tag = "network", security(()),
    responses((status = 200, body = ModelView), (status = 404, body = Problem)))]
pub async fn model(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<ModelView>> {
    Ok(Json(app.working_model_view(&ctx.actor, id).await?))
}

/// Changes a model (its owner's coordinators and administrators).
#[utoipa::path(put, path = "/api/v1/working-models/{id}", tag = "network", request_body = ModelForm,
    responses((status = 204), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_model(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ModelForm>,
) -> ApiResult<StatusCode> {
    app.update_working_model(&ctx.actor, id, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records or updates that `organisation_id` adopted the model, when and how it went.
#[utoipa::path(put, path = "/api/v1/working-models/{id}/adoptions", tag = "network",
    request_body = AdoptionForm,
    responses((status = 204), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn adopt(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<AdoptionForm>,
) -> ApiResult<StatusCode> {
    app.record_adoption(&ctx.actor, id, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes an organisation's adoption record.
#[utoipa::path(delete, path = "/api/v1/working-models/{id}/adoptions/{organisation}", tag = "network",
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_adoption(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, org)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    app.remove_adoption(&ctx.actor, id, &org.to_string())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn upload(
    app: &App,
    ctx: &Ctx,
    owner: DocumentOwner,
    name: &str,
    body: &[u8],
) -> ApiResult<Response> {
    let id = app
        .upload_network_document(&ctx.actor, owner, name, body)
        .await?;
    Ok(created(Created { id }))
}

/// Uploads a document to a model (the body is the file: PDF, PNG, JPEG or an office
/// document, at most 10 MB).
#[utoipa::path(post, path = "/api/v1/working-models/{id}/documents", tag = "network", params(Upload),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn upload_model_document(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(u): Query<Upload>,
    body: Bytes,
) -> ApiResult<Response> {
    upload(&app, &ctx, DocumentOwner::Model(id), &u.file_name, &body).await
}

/// A mentorship pair's documents.
#[utoipa::path(get, path = "/api/v1/mentorship-pairs/{id}/documents", tag = "network",
    responses((status = 200, body = [NetworkDocument]), (status = 404, body = Problem)))]
pub async fn pair_documents(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<NetworkDocument>>> {
    Ok(Json(app.pair_documents(&ctx.actor, id).await?))
}

/// Uploads a document to a mentorship pair's space (either side, while the round is published).
#[utoipa::path(post, path = "/api/v1/mentorship-pairs/{id}/documents", tag = "network", params(Upload),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn upload_pair_document(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(u): Query<Upload>,
    body: Bytes,
) -> ApiResult<Response> {
    upload(&app, &ctx, DocumentOwner::Pair(id), &u.file_name, &body).await
}

/// A document's content (a model's for everyone, a pair's for the pair and its organiser).
#[utoipa::path(get, path = "/api/v1/network-documents/{id}", tag = "network", security(()),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = Problem)))]
pub async fn document(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let (doc, bytes) = app.network_document(&ctx.actor, id).await?;
    Ok(crate::pages::download(
        &doc.file_name,
        &doc.content_type,
        bytes,
    ))
}

/// Removes a document (whoever may upload to its model or pair).
#[utoipa::path(delete, path = "/api/v1/network-documents/{id}", tag = "network",
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_document(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    app.delete_network_document(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
