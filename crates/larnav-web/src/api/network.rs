//! The network: learning-meeting programmes and mentorship rounds with the network's themes.
//! The same `App` methods as the pages under `/meetings` and `/mentorship`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use larnav_app::App;
use larnav_app::meetings::{
    EvaluationForm, MeetingPlanForm, PairView, ProgrammeForm, ProgrammeView, RegistrationForm,
};
use larnav_app::mentorship::{
    ApplicationForm, LogForm, MentorshipPairView, OfferForm, PairSpaceForm, RoundForm, RoundView,
};
use larnav_app::records::{MeetingProgramme, MentorshipRound, NetworkTheme};
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiResult, Created, created};
use crate::ctx::Ctx;
use crate::error::Problem;

/// How many were made (pairs proposed, meetings planned).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Count {
    pub count: usize,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MeetingPairForm {
    pub first: i64,
    pub second: i64,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NoteForm {
    pub body: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ThemeForm {
    pub name: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MentorshipPairForm {
    pub application_id: i64,
    /// The model's offer; none leaves the application unpaired.
    pub offer_id: Option<i64>,
}

/// Learning-meeting programmes (signed in).
#[utoipa::path(get, path = "/api/v1/meetings", tag = "network",
    responses((status = 200, body = [MeetingProgramme]), (status = 401, body = Problem)))]
pub async fn programmes(
    State(app): State<App>,
    ctx: Ctx,
) -> ApiResult<Json<Vec<MeetingProgramme>>> {
    Ok(Json(app.programmes(&ctx.actor).await?))
}

/// Opens a learning-meeting programme for an organisation (its coordinators).
#[utoipa::path(post, path = "/api/v1/organisations/{id}/meetings", tag = "network",
    request_body = ProgrammeForm,
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn open_programme(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
    ApiJson(f): ApiJson<ProgrammeForm>,
) -> ApiResult<Response> {
    let id = app.open_programme(&ctx.actor, org, &f).await?;
    Ok(created(Created { id }))
}

/// A programme: everything for its organiser, one's own registration for others.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "network",
    responses((status = 200, body = ProgrammeView), (status = 404, body = Problem)))]
pub async fn programme(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<ProgrammeView>> {
    Ok(Json(app.programme_view(&ctx.actor, id, &ctx.tr).await?))
}

/// Registers the caller in an open programme.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/registration", tag = "network",
    request_body = RegistrationForm,
    responses((status = 201, body = Created), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn register(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<RegistrationForm>,
) -> ApiResult<Response> {
    let id = app.register_for_meetings(&ctx.actor, id, &f).await?;
    Ok(created(Created { id }))
}

/// Lets Lärnav propose pairs, replacing the current ones (organiser).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/propose", tag = "network",
    responses((status = 200, body = Count), (status = 409, body = Problem)))]
pub async fn propose_pairs(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Count>> {
    let count = app.propose_pairs(&ctx.actor, id).await?;
    Ok(Json(Count { count }))
}

/// Pairs two participants by hand (organiser).
#[utoipa::path(put, path = "/api/v1/meetings/{id}/pairs", tag = "network",
    request_body = MeetingPairForm,
    responses((status = 204), (status = 409, body = Problem)))]
pub async fn set_pair(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<MeetingPairForm>,
) -> ApiResult<StatusCode> {
    app.set_meeting_pair(&ctx.actor, id, f.first, f.second)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends a pair (organiser, while the programme is open).
#[utoipa::path(delete, path = "/api/v1/meetings/{id}/pairs/{pair}", tag = "network",
    responses((status = 204), (status = 409, body = Problem)))]
pub async fn remove_pair(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, pair)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    app.remove_meeting_pair(&ctx.actor, id, pair).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Closes a mentorship round's applications today, before its last day: the coordinators of
/// every organisation taking part are e-mailed the reason and the round's page shows it.
/// Cannot be undone; afterwards the pairs can be published (which is refused, 409
/// `applications_open`, until the last day has passed or applications were closed early).
#[utoipa::path(post, path = "/api/v1/mentorship/{id}/close-applications", tag = "network",
    request_body = super::admission::CloseApplicationsRequest,
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn close_round_applications(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<super::admission::CloseApplicationsRequest>,
) -> ApiResult<StatusCode> {
    app.close_mentorship_applications(&ctx.actor, id, &r.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A status change of a programme or round, one endpoint each.
macro_rules! status_change {
    ($(#[$doc:meta] $name:ident => $method:ident, $path:literal;)+) => {$(
        #[$doc]
        #[utoipa::path(post, path = $path, tag = "network",
            responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
        pub async fn $name(
            State(app): State<App>,
            ctx: Ctx,
            Path(id): Path<i64>,
        ) -> ApiResult<StatusCode> {
            app.$method(&ctx.actor, id).await?;
            Ok(StatusCode::NO_CONTENT)
        }
    )+};
}

status_change! {
    /// Publishes a programme's pairs (participants are e-mailed).
    publish_programme => publish_programme, "/api/v1/meetings/{id}/publish";
    /// Reopens a published programme so that its pairs can change (audited).
    reopen_programme => reopen_programme, "/api/v1/meetings/{id}/reopen";
    /// Ends a programme; participants are asked for their evaluation.
    close_programme => close_programme, "/api/v1/meetings/{id}/close";
    /// Publishes a round's pairs (public list, e-mails).
    publish_round => publish_mentorship_round, "/api/v1/mentorship/{id}/publish";
    /// Reopens a published round so that its pairs can change (audited).
    reopen_round => reopen_mentorship_round, "/api/v1/mentorship/{id}/reopen";
    /// Ends a round; both sides of every pair are asked for their evaluation.
    close_round => close_mentorship_round, "/api/v1/mentorship/{id}/close";
}

/// The caller's closing evaluation of a programme.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/evaluation", tag = "network",
    request_body = EvaluationForm,
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn evaluate_programme(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<EvaluationForm>,
) -> ApiResult<StatusCode> {
    app.evaluate_meetings(&ctx.actor, id, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A learning-meeting pair: members, shared topics, meetings, notes.
#[utoipa::path(get, path = "/api/v1/meeting-pairs/{id}", tag = "network",
    responses((status = 200, body = PairView), (status = 404, body = Problem)))]
pub async fn meeting_pair(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<PairView>> {
    Ok(Json(app.pair_view(&ctx.actor, id).await?))
}

/// Plans recurring meetings for the caller's pair.
#[utoipa::path(post, path = "/api/v1/meeting-pairs/{id}/plan", tag = "network",
    request_body = MeetingPlanForm,
    responses((status = 200, body = Count), (status = 422, body = Problem)))]
pub async fn plan(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<MeetingPlanForm>,
) -> ApiResult<Json<Count>> {
    let count = app.plan_meetings(&ctx.actor, id, &f).await?;
    Ok(Json(Count { count }))
}

/// Adds a note to the caller's pair.
#[utoipa::path(post, path = "/api/v1/meeting-pairs/{id}/notes", tag = "network",
    request_body = NoteForm,
    responses((status = 204), (status = 422, body = Problem)))]
pub async fn add_note(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<NoteForm>,
) -> ApiResult<StatusCode> {
    app.add_meeting_note(&ctx.actor, id, &f.body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The network's themes.
#[utoipa::path(get, path = "/api/v1/themes", tag = "network", security(()),
    responses((status = 200, body = [NetworkTheme])))]
pub async fn themes(State(app): State<App>) -> ApiResult<Json<Vec<NetworkTheme>>> {
    Ok(Json(app.network_themes().await?))
}

/// Adds a theme (platform administrators).
#[utoipa::path(post, path = "/api/v1/themes", tag = "network", request_body = ThemeForm,
    responses((status = 201, body = Created), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_theme(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(f): ApiJson<ThemeForm>,
) -> ApiResult<Response> {
    let id = app.add_network_theme(&ctx.actor, &f.name).await?;
    Ok(created(Created { id }))
}

/// Mentorship rounds (public).
#[utoipa::path(get, path = "/api/v1/mentorship", tag = "network", security(()),
    responses((status = 200, body = [MentorshipRound])))]
pub async fn rounds(State(app): State<App>) -> ApiResult<Json<Vec<MentorshipRound>>> {
    Ok(Json(app.mentorship_rounds().await?))
}

/// Opens a mentorship round for an organisation (its coordinators).
#[utoipa::path(post, path = "/api/v1/organisations/{id}/mentorship", tag = "network",
    request_body = RoundForm,
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn open_round(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
    ApiJson(f): ApiJson<RoundForm>,
) -> ApiResult<Response> {
    let id = app.open_mentorship_round(&ctx.actor, org, &f).await?;
    Ok(created(Created { id }))
}

/// A round as the caller may see it (public once published).
#[utoipa::path(get, path = "/api/v1/mentorship/{id}", tag = "network", security(()),
    responses((status = 200, body = RoundView), (status = 404, body = Problem)))]
pub async fn round(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<RoundView>> {
    Ok(Json(
        app.mentorship_round_view(&ctx.actor, id, &ctx.tr).await?,
    ))
}

/// Volunteers an organisation as a model within a theme (capacity 0 withdraws).
#[utoipa::path(post, path = "/api/v1/mentorship/{id}/offers", tag = "network",
    request_body = OfferForm,
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn offer(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<OfferForm>,
) -> ApiResult<StatusCode> {
    app.offer_mentorship(&ctx.actor, id, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A member organisation applies for a theme, ranking models or not.
#[utoipa::path(post, path = "/api/v1/mentorship/{id}/applications", tag = "network",
    request_body = ApplicationForm,
    responses((status = 201, body = Created), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn apply(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ApplicationForm>,
) -> ApiResult<Response> {
    let id = app.apply_for_mentorship(&ctx.actor, id, &f).await?;
    Ok(created(Created { id }))
}

/// Withdraws an organisation's application while the round is open.
#[utoipa::path(delete, path = "/api/v1/mentorship/{id}/applications/{organisation}", tag = "network",
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn withdraw(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, org)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    app.withdraw_mentorship_application(&ctx.actor, id, org)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lets Lärnav propose pairs, replacing the current ones (organiser).
#[utoipa::path(post, path = "/api/v1/mentorship/{id}/propose", tag = "network",
    responses((status = 200, body = Count), (status = 409, body = Problem)))]
pub async fn propose_mentors(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Count>> {
    let count = app.propose_mentorship_pairs(&ctx.actor, id).await?;
    Ok(Json(Count { count }))
}

/// Pairs an application with a model by hand, or leaves it unpaired (organiser).
#[utoipa::path(put, path = "/api/v1/mentorship/{id}/pairs", tag = "network",
    request_body = MentorshipPairForm,
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn set_mentor(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<MentorshipPairForm>,
) -> ApiResult<StatusCode> {
    app.set_mentorship_pair(&ctx.actor, id, f.application_id, f.offer_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A mentorship pair's shared space.
#[utoipa::path(get, path = "/api/v1/mentorship-pairs/{id}", tag = "network",
    responses((status = 200, body = MentorshipPairView), (status = 404, body = Problem)))]
pub async fn mentorship_pair(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<MentorshipPairView>> {
    Ok(Json(app.mentorship_pair_view(&ctx.actor, id).await?))
}

/// Saves the pair's goals and meeting plan.
#[utoipa::path(put, path = "/api/v1/mentorship-pairs/{id}/space", tag = "network",
    request_body = PairSpaceForm,
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn save_space(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<PairSpaceForm>,
) -> ApiResult<StatusCode> {
    app.save_mentorship_space(&ctx.actor, id, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a meeting held, a note or a document link to the pair's log.
#[utoipa::path(post, path = "/api/v1/mentorship-pairs/{id}/log", tag = "network",
    request_body = LogForm,
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn log(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<LogForm>,
) -> ApiResult<StatusCode> {
    app.log_mentorship(&ctx.actor, id, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One side's closing evaluation of its pair.
#[utoipa::path(post, path = "/api/v1/mentorship-pairs/{id}/evaluation", tag = "network",
    request_body = EvaluationForm,
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn evaluate_pair(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<EvaluationForm>,
) -> ApiResult<StatusCode> {
    app.evaluate_mentorship(&ctx.actor, id, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}
