//! Follow-up: an occasion's enrolments, ending them, and attendance per session — the same
//! `App` methods as the group page and the roll call.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use larnav_app::App;
use larnav_app::enrolments::{EndingForm, OutcomeView};
use larnav_app::group_files::AttendanceImport;
use larnav_app::records::{EnrolmentRow, LearnerEnrolment};
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiResult, Created, created};
use crate::ctx::Ctx;
use crate::error::Problem;

/// The occasion's group in Swedish name order.
#[utoipa::path(get, path = "/api/v1/occasions/{occasion}/enrolments", tag = "follow-up",
    responses((status = 200, body = [EnrolmentRow]), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    State(app): State<App>,
    ctx: Ctx,
    Path(occasion): Path<i64>,
) -> ApiResult<Json<Vec<EnrolmentRow>>> {
    Ok(Json(app.group(&ctx.actor, occasion).await?.enrolments))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct EnrolRequest {
    /// The e-mail address of a person with an account.
    pub email: String,
}

/// Enrols a person directly (rolling intake, contract education).
#[utoipa::path(post, path = "/api/v1/occasions/{occasion}/enrolments", tag = "follow-up", request_body = EnrolRequest,
    responses((status = 201, body = Created), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn enrol(
    State(app): State<App>,
    ctx: Ctx,
    Path(occasion): Path<i64>,
    ApiJson(r): ApiJson<EnrolRequest>,
) -> ApiResult<Response> {
    let id = app.enrol(&ctx.actor, occasion, &r.email).await?;
    Ok(created(Created { id }))
}

/// An enrolment as it was read: a save based on an older version is refused.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct EnrolmentVersion {
    pub id: i64,
    pub version: i64,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct EndRequest {
    pub enrolments: Vec<EnrolmentVersion>,
    #[serde(flatten)]
    pub ending: EndingForm,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Updated {
    pub updated: usize,
}

/// Ends enrolments (completed, not_passed, interrupted with a reason), all or none. Ending
/// one that has ended already is a correction and needs `correction`.
#[utoipa::path(post, path = "/api/v1/occasions/{occasion}/enrolments/end", tag = "follow-up", request_body = EndRequest,
    responses((status = 200, body = Updated), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn end(
    State(app): State<App>,
    ctx: Ctx,
    Path(occasion): Path<i64>,
    ApiJson(r): ApiJson<EndRequest>,
) -> ApiResult<Json<Updated>> {
    let chosen: Vec<(i64, i64)> = r.enrolments.iter().map(|e| (e.id, e.version)).collect();
    let updated = app
        .end_enrolments(&ctx.actor, occasion, &chosen, &r.ending)
        .await?;
    Ok(Json(Updated { updated }))
}

/// One person on a session's roll call.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RollCallEntry {
    pub enrolment_id: i64,
    pub name: String,
    pub status: String,
    /// Null: not marked yet.
    pub present: Option<bool>,
}

/// A session's roll call.
#[utoipa::path(get, path = "/api/v1/occasions/{occasion}/sessions/{session}/attendance", tag = "follow-up",
    responses((status = 200, body = [RollCallEntry]), (status = 404, body = Problem)))]
pub async fn roll_call(
    State(app): State<App>,
    ctx: Ctx,
    Path((occasion, session)): Path<(i64, i64)>,
) -> ApiResult<Json<Vec<RollCallEntry>>> {
    let call = app.roll_call(&ctx.actor, occasion, session).await?;
    Ok(Json(
        call.rows
            .into_iter()
            .map(|(e, present)| RollCallEntry {
                enrolment_id: e.id,
                name: e.name,
                status: e.status,
                present,
            })
            .collect(),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct AttendanceRequest {
    /// The enrolments present; every other ongoing enrolment is marked absent.
    pub present: Vec<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Marked {
    pub present: usize,
}

/// Stores a session's roll call (once the session has begun).
#[utoipa::path(put, path = "/api/v1/occasions/{occasion}/sessions/{session}/attendance", tag = "follow-up", request_body = AttendanceRequest,
    responses((status = 200, body = Marked), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn mark(
    State(app): State<App>,
    ctx: Ctx,
    Path((occasion, session)): Path<(i64, i64)>,
    ApiJson(r): ApiJson<AttendanceRequest>,
) -> ApiResult<Json<Marked>> {
    let present = app
        .mark_attendance(&ctx.actor, occasion, session, &r.present)
        .await?;
    Ok(Json(Marked { present }))
}

/// The caller's own enrolments with attendance and results.
#[utoipa::path(get, path = "/api/v1/me/enrolments", tag = "follow-up",
    responses((status = 200, body = [LearnerEnrolment]), (status = 401, body = Problem)))]
pub async fn mine(State(app): State<App>, ctx: Ctx) -> ApiResult<Json<Vec<LearnerEnrolment>>> {
    Ok(Json(app.my_enrolments(&ctx.actor).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct OutcomeParams {
    /// A län code; empty or absent for the whole country.
    #[serde(default)]
    area: String,
    year: i32,
}

/// The region's follow-up of an area and start year (analysts). Counts of 1–4 people are
/// null, as is a second count wherever a row would give a hidden one back.
#[utoipa::path(get, path = "/api/v1/outcomes", tag = "follow-up", params(OutcomeParams),
    responses((status = 200, body = OutcomeView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn outcomes(
    State(app): State<App>,
    ctx: Ctx,
    axum::extract::Query(p): axum::extract::Query<OutcomeParams>,
) -> ApiResult<Json<OutcomeView>> {
    Ok(Json(app.outcome_view(&ctx.actor, &p.area, p.year).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EnrolmentImport {
    pub enrolled: usize,
}

/// Enrols everyone on a CSV or XLSX list (column `e-post`). All or nothing: a rejected file
/// lists every problem by line, column and value.
#[utoipa::path(post, path = "/api/v1/occasions/{occasion}/enrolments/import", tag = "follow-up",
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = EnrolmentImport), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn import_enrolments(
    State(app): State<App>,
    ctx: Ctx,
    Path(occasion): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<EnrolmentImport>> {
    let enrolled = app.import_enrolments(&ctx.actor, occasion, &body).await?;
    Ok(Json(EnrolmentImport { enrolled }))
}

/// Stores a filled-in attendance sheet (columns `e-post`, `träff`, `närvaro`, as the group
/// page's sheet). All or nothing, every problem by line, column and value.
#[utoipa::path(post, path = "/api/v1/occasions/{occasion}/attendance/import", tag = "follow-up",
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = AttendanceImport), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn import_attendance(
    State(app): State<App>,
    ctx: Ctx,
    Path(occasion): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<AttendanceImport>> {
    Ok(Json(
        app.import_attendance(&ctx.actor, occasion, &body).await?,
    ))
}
