//! Admission rounds (for the provider's staff) and applications (for the signed-in person):
//! the same use cases as the pages.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use larnav_app::App;
use larnav_app::admission::{
    ApplicationView, DecisionForm, RoundForm, RoundOccasionForm, RoundView, RunSummary, WhatIf,
};
use larnav_app::domain::admission::round::Eligibility;
use larnav_app::records::{AdmissionRound, ChoiceRow};
use serde::Deserialize;

use super::{ApiJson, ApiResult, created};
use crate::ctx::Ctx;
use crate::error::Problem;

/// A provider's admission rounds.
#[utoipa::path(get, path = "/api/v1/organisations/{id}/rounds", tag = "admission",
    responses((status = 200, body = [AdmissionRound]), (status = 403, body = Problem)))]
pub async fn rounds(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
) -> ApiResult<Json<Vec<AdmissionRound>>> {
    Ok(Json(app.provider_rounds(&ctx.actor, org).await?))
}

/// Opens a round (201 with the round).
#[utoipa::path(post, path = "/api/v1/organisations/{id}/rounds", tag = "admission", request_body = RoundForm,
    responses((status = 201, body = AdmissionRound), (status = 422, body = Problem)))]
pub async fn create_round(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
    ApiJson(f): ApiJson<RoundForm>,
) -> ApiResult<Response> {
    let id = app.create_round(&ctx.actor, org, &f).await?;
    Ok(created(app.admission_round(&ctx.actor, id).await?))
}

/// A round with its occasions, decisions so far and statistics.
#[utoipa::path(get, path = "/api/v1/rounds/{id}", tag = "admission",
    responses((status = 200, body = RoundView), (status = 404, body = Problem)))]
pub async fn round(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<RoundView>> {
    Ok(Json(app.round_view(&ctx.actor, id, &ctx.tr).await?))
}

/// Changes a round's settings (until published).
#[utoipa::path(put, path = "/api/v1/rounds/{id}", tag = "admission", request_body = RoundForm,
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_round(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<RoundForm>,
) -> ApiResult<StatusCode> {
    app.update_round(&ctx.actor, id, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds an occasion to the round or changes its seats, credits and selection groups.
#[utoipa::path(put, path = "/api/v1/rounds/{id}/occasions", tag = "admission", request_body = RoundOccasionForm,
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_occasion(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<RoundOccasionForm>,
) -> ApiResult<StatusCode> {
    app.set_round_occasion(&ctx.actor, id, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ChoiceFilter {
    /// Only choices with this decision: pending, eligible, not_eligible, needs_completion.
    eligibility: Option<String>,
}

/// The round's choices in the engine's order, with decisions, results and offers.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/choices", tag = "admission", params(ChoiceFilter),
    responses((status = 200, body = [ChoiceRow]), (status = 403, body = Problem)))]
pub async fn choices(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(f): Query<ChoiceFilter>,
) -> ApiResult<Json<Vec<ChoiceRow>>> {
    let filter = f.eligibility.as_deref().and_then(Eligibility::parse);
    Ok(Json(app.review_queue(&ctx.actor, id, filter).await?.2))
}

/// Records the eligibility decision (with class, nominee mark and merits) on one choice.
#[utoipa::path(put, path = "/api/v1/rounds/{id}/choices/{choice}", tag = "admission", request_body = DecisionForm,
    responses((status = 204), (status = 422, body = Problem)))]
pub async fn decide(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, choice)): Path<(i64, i64)>,
    ApiJson(f): ApiJson<DecisionForm>,
) -> ApiResult<StatusCode> {
    app.decide_choice(&ctx.actor, id, choice, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CloseApplicationsRequest {
    /// Why applications close before the announced last day: e-mailed to every applicant and
    /// shown on the round's pages (at most 500 characters).
    pub reason: String,
}

/// Closes applications today, before the round's last day (late window included): every
/// applicant is e-mailed the reason and every page shows it. Cannot be undone; afterwards the
/// round can be run. 409 `applications_closed` when closed already, `round_not_open` before
/// the round opens.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/close-applications", tag = "admission",
    request_body = CloseApplicationsRequest,
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn close_applications(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<CloseApplicationsRequest>,
) -> ApiResult<StatusCode> {
    app.close_applications(&ctx.actor, id, &r.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct RunRequest {
    /// The lottery's seed; a fresh random one when absent.
    #[serde(default)]
    pub seed: Option<u64>,
}

/// Runs the round and stores the result: 409 `applications_open` until applications have
/// closed (the day after the last day for late applications, or closed early), 409
/// `round_running` while another run is under way.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/run", tag = "admission", request_body = RunRequest,
    responses((status = 200, body = RunSummary), (status = 409, body = Problem)))]
pub async fn run(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<RunRequest>,
) -> ApiResult<Json<RunSummary>> {
    Ok(Json(app.run_round(&ctx.actor, id, r.seed).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SeatChange {
    pub occasion_id: i64,
    pub seats: i64,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct WhatIfRequest {
    pub seats: Vec<SeatChange>,
}

/// Runs the round with changed seats beside the stored run, storing nothing.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/what-if", tag = "admission", request_body = WhatIfRequest,
    responses((status = 200, body = WhatIf), (status = 422, body = Problem)))]
pub async fn what_if(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<WhatIfRequest>,
) -> ApiResult<Json<WhatIf>> {
    let seats: Vec<(i64, i64)> = r.seats.iter().map(|s| (s.occasion_id, s.seats)).collect();
    Ok(Json(app.what_if(&ctx.actor, id, &seats).await?))
}

/// Publishes the stored run: offers and e-mails; the result is frozen from now on.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/publish", tag = "admission",
    responses((status = 204), (status = 409, body = Problem)))]
pub async fn publish(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    app.publish_round(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds seats to an occasion of a published round: the first reserves are offered them.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/seats", tag = "admission", request_body = SeatChange,
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_seats(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(s): ApiJson<SeatChange>,
) -> ApiResult<StatusCode> {
    app.add_seats(&ctx.actor, id, s.occasion_id, s.seats)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReplyRequest {
    pub accept: bool,
}

/// Staff record an applicant's reply given another way.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/choices/{choice}/reply", tag = "admission", request_body = ReplyRequest,
    responses((status = 204), (status = 409, body = Problem)))]
pub async fn reply_for(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, choice)): Path<(i64, i64)>,
    ApiJson(r): ApiJson<ReplyRequest>,
) -> ApiResult<StatusCode> {
    app.reply_for(&ctx.actor, id, choice, r.accept).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Rounds taking applications today.
#[utoipa::path(get, path = "/api/v1/admission/rounds", tag = "admission", security(()),
    responses((status = 200, body = [AdmissionRound])))]
pub async fn open_rounds(State(app): State<App>) -> ApiResult<Json<Vec<AdmissionRound>>> {
    Ok(Json(app.open_rounds().await?))
}

/// A round as the signed-in person sees it: occasions and their own application.
#[utoipa::path(get, path = "/api/v1/admission/rounds/{id}", tag = "admission",
    responses((status = 200, body = ApplicationView), (status = 404, body = Problem)))]
pub async fn application(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<ApplicationView>> {
    Ok(Json(app.application_view(&ctx.actor, id, &ctx.tr).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ApplicationRequest {
    /// Occasion ids, best first.
    pub occasions: Vec<i64>,
}

/// Saves the signed-in person's ranked choices.
#[utoipa::path(put, path = "/api/v1/admission/rounds/{id}/application", tag = "admission", request_body = ApplicationRequest,
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn apply(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<ApplicationRequest>,
) -> ApiResult<StatusCode> {
    app.apply(&ctx.actor, id, &r.occasions).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in person accepts or declines an offered place.
#[utoipa::path(post, path = "/api/v1/admission/choices/{choice}/reply", tag = "admission", request_body = ReplyRequest,
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn reply(
    State(app): State<App>,
    ctx: Ctx,
    Path(choice): Path<i64>,
    ApiJson(r): ApiJson<ReplyRequest>,
) -> ApiResult<StatusCode> {
    app.reply(&ctx.actor, choice, r.accept).await?;
    Ok(StatusCode::NO_CONTENT)
}
