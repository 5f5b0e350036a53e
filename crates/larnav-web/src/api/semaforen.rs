//! Semaforen in the API: computed lists, explanations, need reports, priority lists, published
//! lists, education supply and the streamed job-ad import.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use larnav_app::ads::AdImportReport;
use larnav_app::answers::EntryAnswer;
use larnav_app::domain::score::Weights;
use larnav_app::needs::{NeedForm, NeedImport, RepeatedRows};
use larnav_app::records::{AdImport, NeedReport, PriorityList, PublishedEntry, PublishedList};
use larnav_app::semaforen::{
    Explanation, NewListForm, OverrideForm, PriorityListView, ShortageList,
};
use larnav_app::supply::{SupplyFilter, SupplyList};
use larnav_app::{App, AppError};
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiResult, created};
use crate::ctx::Ctx;
use crate::error::Problem;
use crate::shared_lists::SharedLists;

/// The computed shortage list of an area (`SE`, a län code, a kommun code or `A<id>`).
#[utoipa::path(get, path = "/api/v1/semaforen/{area}", tag = "semaforen", security(()),
    responses((status = 200, body = ShortageList), (status = 404, body = Problem)))]
pub async fn list(
    State(app): State<App>,
    Extension(shared): Extension<Arc<SharedLists>>,
    ctx: Ctx,
    Path(area): Path<String>,
) -> ApiResult<Response> {
    let list = app.shortage_list(&ctx.actor, &area).await?;
    let json = shared
        .json
        .get_or_make(list.area.key.clone(), &list, |l| {
            serde_json::to_vec(l).map(Bytes::from)
        })
        .map_err(|e| AppError::internal("serialising a list", e))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response())
}

/// Every input behind one occupation's score in an area.
#[utoipa::path(get, path = "/api/v1/semaforen/{area}/{ssyk}", tag = "semaforen", security(()),
    responses((status = 200, body = Explanation), (status = 404, body = Problem)))]
pub async fn explain(
    State(app): State<App>,
    ctx: Ctx,
    Path((area, ssyk)): Path<(String, String)>,
) -> ApiResult<Json<Explanation>> {
    Ok(Json(app.explain(&ctx.actor, &area, &ssyk, None).await?))
}

/// Published priority lists, newest first.
#[utoipa::path(get, path = "/api/v1/published", tag = "semaforen", security(()),
    responses((status = 200, body = [PublishedList])))]
pub async fn published_lists(
    State(app): State<App>,
    ctx: Ctx,
) -> ApiResult<Json<Vec<PublishedList>>> {
    Ok(Json(app.published_lists(&ctx.actor).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PublishedWithEntries {
    pub list: PublishedList,
    pub entries: Vec<PublishedEntry>,
    /// What answered each entry (courses, seats and protected people counts), in entry order.
    pub answers: Vec<EntryAnswer>,
}

/// One published list with its occupations in list order.
#[utoipa::path(get, path = "/api/v1/published/{id}", tag = "semaforen", security(()),
    responses((status = 200, body = PublishedWithEntries), (status = 404, body = Problem)))]
pub async fn published(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<PublishedWithEntries>> {
    let (list, entries) = app.published_list(&ctx.actor, id).await?;
    let answers = app.published_answers(&ctx.actor, id).await?;
    Ok(Json(PublishedWithEntries {
        list,
        entries,
        answers,
    }))
}

/// The need reports an organisation filed (its members).
#[utoipa::path(get, path = "/api/v1/organisations/{id}/needs", tag = "semaforen",
    responses((status = 200, body = [NeedReport]), (status = 403, body = Problem)))]
pub async fn needs(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
) -> ApiResult<Json<Vec<NeedReport>>> {
    Ok(Json(app.need_reports(&ctx.actor, Some(org)).await?))
}

/// Every need report (analysts).
#[utoipa::path(get, path = "/api/v1/needs", tag = "semaforen",
    responses((status = 200, body = [NeedReport]), (status = 403, body = Problem)))]
pub async fn all_needs(State(app): State<App>, ctx: Ctx) -> ApiResult<Json<Vec<NeedReport>>> {
    Ok(Json(app.need_reports(&ctx.actor, None).await?))
}

/// Files a need report for the organisation (employer contacts, competence brokers).
#[utoipa::path(post, path = "/api/v1/organisations/{id}/needs", tag = "semaforen", request_body = NeedForm,
    responses((status = 201), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub async fn report_need(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
    ApiJson(f): ApiJson<NeedForm>,
) -> ApiResult<Response> {
    app.report_need(&ctx.actor, org, &f).await?;
    Ok(StatusCode::CREATED.into_response())
}

/// How an import treats rows that repeat earlier reports.
#[derive(Deserialize, Default, utoipa::IntoParams)]
pub struct ImportNeedsQuery {
    /// `ask` (default: refuse the file with 409 `import_repeated`), `replace` (the earlier
    /// equal reports are removed) or `add`.
    #[serde(default)]
    #[param(inline)]
    pub repeated: RepeatedRows,
}

/// Imports need reports from a CSV or XLSX body laid out like the template; all or nothing. A
/// file whose rows repeat reports filed before is refused (409 `import_repeated`) unless
/// `repeated` says to replace them or add the rows anyway.
#[utoipa::path(post, path = "/api/v1/organisations/{id}/needs/import", tag = "semaforen",
    params(ImportNeedsQuery),
    request_body(content = Vec<u8>, content_type = "text/csv"),
    responses((status = 200, body = NeedImport), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn import_needs(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
    Query(q): Query<ImportNeedsQuery>,
    body: Bytes,
) -> ApiResult<Json<NeedImport>> {
    Ok(Json(
        app.import_needs(&ctx.actor, org, &body, q.repeated).await?,
    ))
}

/// Withdraws a need report.
#[utoipa::path(delete, path = "/api/v1/needs/{id}", tag = "semaforen",
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_need(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    app.delete_need_report(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An organisation's working priority lists (its members).
#[utoipa::path(get, path = "/api/v1/organisations/{id}/lists", tag = "semaforen",
    responses((status = 200, body = [PriorityList]), (status = 403, body = Problem)))]
pub async fn lists(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
) -> ApiResult<Json<Vec<PriorityList>>> {
    Ok(Json(app.priority_lists(&ctx.actor, org).await?))
}

/// Starts a priority list for an area and year (the organisation's analysts).
#[utoipa::path(post, path = "/api/v1/organisations/{id}/lists", tag = "semaforen", request_body = NewListForm,
    responses((status = 201, body = PriorityList), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_list(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
    ApiJson(f): ApiJson<NewListForm>,
) -> ApiResult<Response> {
    Ok(created(
        app.create_priority_list(&ctx.actor, org, &f).await?,
    ))
}

/// A working list: its computed rows with overrides, weights and published versions.
#[utoipa::path(get, path = "/api/v1/lists/{id}", tag = "semaforen",
    responses((status = 200, body = PriorityListView), (status = 404, body = Problem)))]
pub async fn get_list(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<PriorityListView>> {
    Ok(Json(app.priority_list(&ctx.actor, id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ListUpdate {
    pub title: String,
    pub weights: Weights,
}

/// Changes a list's title and weights.
#[utoipa::path(put, path = "/api/v1/lists/{id}", tag = "semaforen", request_body = ListUpdate,
    responses((status = 204), (status = 422, body = Problem)))]
pub async fn update_list(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(u): ApiJson<ListUpdate>,
) -> ApiResult<StatusCode> {
    app.update_priority_list(&ctx.actor, id, &u.title, &u.weights)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Overrides (or, with empty light and band, restores) one occupation on a list.
#[utoipa::path(put, path = "/api/v1/lists/{id}/override", tag = "semaforen", request_body = OverrideForm,
    responses((status = 204), (status = 422, body = Problem)))]
pub async fn set_override(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<OverrideForm>,
) -> ApiResult<StatusCode> {
    app.set_priority_override(&ctx.actor, id, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Published {
    /// The id of the new published version.
    pub id: i64,
}

/// Publishes the list as it is now, as a new immutable version.
#[utoipa::path(post, path = "/api/v1/lists/{id}/publish", tag = "semaforen",
    responses((status = 201, body = Published), (status = 403, body = Problem)))]
pub async fn publish(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Response> {
    let id = app.publish_priority_list(&ctx.actor, id).await?;
    Ok(created(Published { id }))
}

#[derive(Deserialize, Default, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
pub struct SupplyParams {
    /// `true` for linked educations, `false` for those waiting for review; all if absent.
    linked: Option<bool>,
    /// Words of the education's name, provider or MYH reference.
    #[serde(default)]
    q: String,
    /// A SUN 2020 education field of two digits (`48`).
    #[serde(default)]
    field: String,
    /// Only suggestions at least this sure (0–100).
    min_confidence: Option<i64>,
    /// 1-based page of 50 rows.
    page: Option<usize>,
}

impl SupplyParams {
    fn filter(&self) -> SupplyFilter {
        SupplyFilter {
            linked: self.linked,
            text: self.q.clone(),
            field: self.field.clone(),
            min_confidence: self.min_confidence,
        }
    }
}

/// Education places with their occupation links (analysts), filtered, 50 per page.
#[utoipa::path(get, path = "/api/v1/supply", tag = "semaforen", params(SupplyParams),
    responses((status = 200, body = SupplyList), (status = 403, body = Problem)))]
pub async fn supply(
    State(app): State<App>,
    ctx: Ctx,
    Query(p): Query<SupplyParams>,
) -> ApiResult<Json<SupplyList>> {
    Ok(Json(
        app.supply(&ctx.actor, &p.filter(), p.page.unwrap_or(1))
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SupplyConfirm {
    /// The selection, as for listing (`linked` is ignored: only waiting rows are confirmed).
    #[serde(flatten)]
    #[schema(inline)]
    pub selection: SupplyParams,
    /// Only these rows of the selection; every waiting suggestion in it when absent.
    pub rows: Option<Vec<i64>>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SupplyConfirmed {
    /// Educations whose suggestion was confirmed (in all their kommuner).
    pub confirmed: usize,
}

/// Confirms Lärnav's suggestions in bulk: for the listed rows, or for every education in the
/// selection that waits for an analyst. One audited step.
#[utoipa::path(post, path = "/api/v1/supply/confirm", tag = "semaforen", request_body = SupplyConfirm,
    responses((status = 200, body = SupplyConfirmed), (status = 403, body = Problem)))]
pub async fn confirm_supply(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(c): ApiJson<SupplyConfirm>,
) -> ApiResult<Json<SupplyConfirmed>> {
    let confirmed = match c.rows.as_deref() {
        // An empty list marks nothing (it does not mean the whole selection).
        Some([]) => 0,
        rows => {
            app.confirm_supply_suggestions(&ctx.actor, &c.selection.filter(), rows.unwrap_or(&[]))
                .await?
        }
    };
    Ok(Json(SupplyConfirmed { confirmed }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SupplyLink {
    /// An SSYK-4 code, or null to remove the link.
    pub ssyk_code: Option<String>,
}

/// Links an education (in all its kommuner) to an occupation, or removes the link.
#[utoipa::path(put, path = "/api/v1/supply/{id}/link", tag = "semaforen", request_body = SupplyLink,
    responses((status = 204), (status = 422, body = Problem)))]
pub async fn link_supply(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(l): ApiJson<SupplyLink>,
) -> ApiResult<StatusCode> {
    app.link_supply(&ctx.actor, id, l.ssyk_code.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Runs of the streamed job-ad import, newest first (analysts).
#[utoipa::path(get, path = "/api/v1/signals/ads/imports", tag = "semaforen",
    responses((status = 200, body = [AdImport]), (status = 403, body = Problem)))]
pub async fn ad_imports(State(app): State<App>, ctx: Ctx) -> ApiResult<Json<Vec<AdImport>>> {
    Ok(Json(app.ad_imports(&ctx.actor).await?))
}

/// One run with its progress and rejected lines.
#[utoipa::path(get, path = "/api/v1/signals/ads/imports/{id}", tag = "semaforen",
    responses((status = 200, body = AdImportReport), (status = 404, body = Problem)))]
pub async fn ad_import(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<AdImportReport>> {
    Ok(Json(app.ad_import(&ctx.actor, id).await?))
}

/// Withdraws an import: exactly the ads it counted are subtracted from every list's signal,
/// and its ad ids are forgotten so that a corrected file can be imported again.
#[utoipa::path(delete, path = "/api/v1/signals/ads/imports/{id}", tag = "semaforen",
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn withdraw_ad_import(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    app.withdraw_ad_import(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ImportStarted {
    pub id: i64,
}

/// Starts importing the request body (JobTech JSON lines, plain or gzip) in the background;
/// follow it at `/api/v1/signals/ads/imports/{id}`.
#[utoipa::path(post, path = "/api/v1/signals/ads/imports", tag = "semaforen",
    request_body(content = Vec<u8>, content_type = "application/x-ndjson"),
    responses((status = 202, body = ImportStarted), (status = 403, body = Problem)))]
pub async fn start_ad_import(State(app): State<App>, ctx: Ctx, body: Body) -> ApiResult<Response> {
    let stream = body.into_data_stream();
    let id = app
        .import_uploaded_ads(&ctx.actor, "api-upload.jsonl", stream)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(ImportStarted { id })).into_response())
}
