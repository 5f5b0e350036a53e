//! Staff development: collections and completion, a material's community and usage, staff
//! groups, development plans and progress, and the caller's own learning record. The same
//! `App` methods as the pages under `/collections`, `/plans`, `/staff-groups` and
//! `/account/record`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use larnav_app::development::{
    CollectionForm, CollectionHit, CollectionView, PlanForm, PlanView, ProgressForm, StaffGroups,
    StepChange, StepForm, StepTexts, UsageStats,
};
use larnav_app::record::LearnerRecord;
use larnav_app::records::PlanRow;
use larnav_app::{App, AppError};
use serde::Deserialize;

use super::{ApiJson, ApiResult, Created, created};
use crate::ctx::Ctx;
use crate::error::Problem;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct SearchParam {
    /// Words (the catalogue's Swedish search); empty: every collection, newest first.
    pub q: String,
}

/// Done or not done.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Done {
    pub done: bool,
}

/// Where a step moves: `up` or `down`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Move {
    pub direction: String,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Rating {
    /// 1–5.
    pub stars: String,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CommentBody {
    pub body: String,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct GroupName {
    pub name: String,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct SinceParam {
    /// Count from this day (YYYY-MM-DD); a year back when left out.
    pub since: Option<NaiveDate>,
}

/// The password confirms the erasure; `confirm` says the caller understands it is final.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Erasure {
    pub password: String,
    pub confirm: bool,
}

fn direction(m: &Move) -> Result<StepChange, AppError> {
    match m.direction.as_str() {
        "up" => Ok(StepChange::Up),
        "down" => Ok(StepChange::Down),
        _ => Err(AppError::invalid("direction", "field.choice_invalid")),
    }
}

/// Collections (learning paths) the caller may read.
#[utoipa::path(get, path = "/api/v1/collections", tag = "collections", params(SearchParam),
    security(()), responses((status = 200, body = Vec<CollectionHit>)))]
pub async fn collections(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<SearchParam>,
) -> ApiResult<Json<Vec<CollectionHit>>> {
    Ok(Json(app.search_collections(&ctx.actor, &q.q).await?))
}

/// Creates a collection for an organisation the caller curates for.
#[utoipa::path(post, path = "/api/v1/collections", tag = "collections", request_body = CollectionForm,
    responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_collection(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(f): ApiJson<CollectionForm>,
) -> ApiResult<Response> {
    let id = app.create_collection(&ctx.actor, &f).await?;
    Ok(created(Created { id }))
}

/// A collection with its steps and the caller's completion.
#[utoipa::path(get, path = "/api/v1/collections/{id}", tag = "collections", security(()),
    responses((status = 200, body = CollectionView), (status = 404, body = Problem)))]
pub async fn collection(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<CollectionView>> {
    Ok(Json(app.collection_view(&ctx.actor, id).await?))
}

/// Changes a collection's title, summary and sharing.
#[utoipa::path(put, path = "/api/v1/collections/{id}", tag = "collections", request_body = CollectionForm,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_collection(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<CollectionForm>,
) -> ApiResult<StatusCode> {
    app.update_collection(&ctx.actor, id, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a step (material, offering or activity) at the end of a collection.
#[utoipa::path(post, path = "/api/v1/collections/{id}/steps", tag = "collections", request_body = StepForm,
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn add_step(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<StepForm>,
) -> ApiResult<Response> {
    let id = app.add_collection_step(&ctx.actor, id, &f).await?;
    Ok(created(Created { id }))
}

/// Moves a step one place up or down.
#[utoipa::path(post, path = "/api/v1/collection-steps/{id}/move", tag = "collections", request_body = Move,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn move_step(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(m): ApiJson<Move>,
) -> ApiResult<StatusCode> {
    ctx.caller()?;
    app.change_collection_step(&ctx.actor, id, direction(&m)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes a step's heading (an activity's title) and description in place; what it links to
/// and learners' completion stay.
#[utoipa::path(put, path = "/api/v1/collection-steps/{id}", tag = "collections", request_body = StepTexts,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn edit_step(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<StepTexts>,
) -> ApiResult<StatusCode> {
    app.edit_collection_step(&ctx.actor, id, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a step.
#[utoipa::path(delete, path = "/api/v1/collection-steps/{id}", tag = "collections",
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_step(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    app.change_collection_step(&ctx.actor, id, StepChange::Remove)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks a step done (or not) for the caller; a material step completes the material.
#[utoipa::path(put, path = "/api/v1/collection-steps/{id}/done", tag = "collections", request_body = Done,
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn mark_step(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(d): ApiJson<Done>,
) -> ApiResult<StatusCode> {
    app.mark_step(&ctx.actor, id, d.done).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks a published material completed (or not) by the caller.
#[utoipa::path(put, path = "/api/v1/materials/{id}/completion", tag = "materials", request_body = Done,
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn complete_material(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(d): ApiJson<Done>,
) -> ApiResult<StatusCode> {
    app.complete_material(&ctx.actor, id, d.done).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Rates a published material 1–5 (again: replaces the rating).
#[utoipa::path(put, path = "/api/v1/materials/{id}/rating", tag = "materials", request_body = Rating,
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn rate_material(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<Rating>,
) -> ApiResult<StatusCode> {
    app.rate_material(&ctx.actor, id, &r.stars).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Comments on a published material.
#[utoipa::path(post, path = "/api/v1/materials/{id}/comments", tag = "materials", request_body = CommentBody,
    responses((status = 201, body = Created), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn comment_material(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(c): ApiJson<CommentBody>,
) -> ApiResult<Response> {
    let id = app.comment_material(&ctx.actor, id, &c.body).await?;
    Ok(created(Created { id }))
}

/// Removes a comment (its author, or the material's coordinators).
#[utoipa::path(delete, path = "/api/v1/material-comments/{id}", tag = "materials",
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_comment(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    app.delete_material_comment(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Views and completions of material per organisation and school, and per material.
#[utoipa::path(get, path = "/api/v1/organisations/{id}/material-usage", tag = "materials", params(SinceParam),
    responses((status = 200, body = UsageStats), (status = 403, body = Problem)))]
pub async fn usage(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(s): Query<SinceParam>,
) -> ApiResult<Json<UsageStats>> {
    Ok(Json(app.usage_stats(&ctx.actor, id, s.since).await?))
}

/// An organiser's staff groups, their members and who may be added.
#[utoipa::path(get, path = "/api/v1/organisations/{id}/staff-groups", tag = "plans",
    responses((status = 200, body = StaffGroups), (status = 403, body = Problem)))]
pub async fn staff_groups(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<StaffGroups>> {
    Ok(Json(app.staff_groups(&ctx.actor, id).await?))
}

/// Creates a staff group.
#[utoipa::path(post, path = "/api/v1/organisations/{id}/staff-groups", tag = "plans", request_body = GroupName,
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_staff_group(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(g): ApiJson<GroupName>,
) -> ApiResult<Response> {
    let id = app.create_staff_group(&ctx.actor, id, &g.name).await?;
    Ok(created(Created { id }))
}

/// Adds a member of the organiser (or of one of its schools) to a staff group.
#[utoipa::path(put, path = "/api/v1/staff-groups/{id}/members/{user}", tag = "plans",
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_staff_member(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, user)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    app.set_staff_member(&ctx.actor, id, &user.to_string(), true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes someone from a staff group.
#[utoipa::path(delete, path = "/api/v1/staff-groups/{id}/members/{user}", tag = "plans",
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_staff_member(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, user)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    app.set_staff_member(&ctx.actor, id, &user.to_string(), false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The plans the caller runs and those assigned to them.
#[utoipa::path(get, path = "/api/v1/plans", tag = "plans",
    responses((status = 200, body = Vec<PlanRow>), (status = 401, body = Problem)))]
pub async fn plans(State(app): State<App>, ctx: Ctx) -> ApiResult<Json<Vec<PlanRow>>> {
    ctx.caller()?;
    Ok(Json(app.plans(&ctx.actor).await?))
}

/// Creates a development plan for a school organiser.
#[utoipa::path(post, path = "/api/v1/plans", tag = "plans", request_body = PlanForm,
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_plan(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(f): ApiJson<PlanForm>,
) -> ApiResult<Response> {
    let id = app.create_plan(&ctx.actor, &f).await?;
    Ok(created(Created { id }))
}

/// A plan: the caller's own progress if assigned, progress per school if they run it.
#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "plans",
    responses((status = 200, body = PlanView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn plan(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<PlanView>> {
    Ok(Json(app.plan_view(&ctx.actor, id).await?))
}

/// Changes a plan's year, title and goals.
#[utoipa::path(put, path = "/api/v1/plans/{id}", tag = "plans", request_body = PlanForm,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_plan(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<PlanForm>,
) -> ApiResult<StatusCode> {
    app.update_plan(&ctx.actor, id, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds an activity (material, collection, offering or learning meeting) to a plan.
#[utoipa::path(post, path = "/api/v1/plans/{id}/activities", tag = "plans", request_body = StepForm,
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_activity(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<StepForm>,
) -> ApiResult<Response> {
    let id = app.add_plan_activity(&ctx.actor, id, &f).await?;
    Ok(created(Created { id }))
}

/// Moves an activity one place up or down.
#[utoipa::path(post, path = "/api/v1/plan-activities/{id}/move", tag = "plans", request_body = Move,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn move_activity(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(m): ApiJson<Move>,
) -> ApiResult<StatusCode> {
    ctx.caller()?;
    app.change_plan_activity(&ctx.actor, id, direction(&m)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes an activity's title (or heading), description and date in place; what it links to
/// stays, and so do staff's progress and reflections.
#[utoipa::path(put, path = "/api/v1/plan-activities/{id}", tag = "plans", request_body = StepTexts,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn edit_activity(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<StepTexts>,
) -> ApiResult<StatusCode> {
    app.edit_plan_activity(&ctx.actor, id, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes an activity.
#[utoipa::path(delete, path = "/api/v1/plan-activities/{id}", tag = "plans",
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_activity(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    app.change_plan_activity(&ctx.actor, id, StepChange::Remove)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's progress and reflection on an activity of a plan assigned to them.
#[utoipa::path(put, path = "/api/v1/plan-activities/{id}/progress", tag = "plans", request_body = ProgressForm,
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_progress(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ProgressForm>,
) -> ApiResult<StatusCode> {
    app.set_progress(&ctx.actor, id, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Assigns a plan to one of the organiser's staff groups.
#[utoipa::path(put, path = "/api/v1/plans/{id}/groups/{group}", tag = "plans",
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn assign(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, group)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    app.assign_plan(&ctx.actor, id, &group.to_string(), true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes a plan back from a staff group.
#[utoipa::path(delete, path = "/api/v1/plans/{id}/groups/{group}", tag = "plans",
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn unassign(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, group)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    app.assign_plan(&ctx.actor, id, &group.to_string(), false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Everything the caller did in Lärnav (GDPR art. 15 and 20).
#[utoipa::path(get, path = "/api/v1/me/record", tag = "record",
    responses((status = 200, body = LearnerRecord), (status = 401, body = Problem)))]
pub async fn record(State(app): State<App>, ctx: Ctx) -> ApiResult<Json<LearnerRecord>> {
    Ok(Json(app.learner_record(ctx.caller()?).await?))
}

/// Erases the caller's account and personal data (GDPR art. 17). What others depend on is
/// kept without their name: admission decisions, learning-meeting pairs, published material,
/// the audit log.
#[utoipa::path(post, path = "/api/v1/me/erase", tag = "record", request_body = Erasure,
    responses((status = 204), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn erase(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(e): ApiJson<Erasure>,
) -> ApiResult<StatusCode> {
    app.erase_account(ctx.caller()?, &e.password, e.confirm)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
