//! Organisations, members, invitations and an organisation's audit log.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use larnav_app::accounts::Registration;
use larnav_app::admin::AuditSearch;
use larnav_app::organisations::{Acceptance, OrganisationForm};
use larnav_app::records::{AuditEvent, Invitation, Member, Organisation};
use larnav_app::{App, AppError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ApiResult, Paging, created};
use crate::ctx::Ctx;
use crate::error::Problem;

/// All organisations (platform administrators).
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations", params(Paging),
    responses((status = 200, body = [Organisation]), (status = 403, body = Problem)))]
pub async fn list(
    State(app): State<App>,
    ctx: Ctx,
    Query(p): Query<Paging>,
) -> ApiResult<Json<Vec<Organisation>>> {
    Ok(Json(
        app.list_organisations(&ctx.actor, Some(&p.q), p.limit(), p.offset())
            .await?,
    ))
}

/// Registers an organisation (platform administrators).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations", request_body = OrganisationForm,
    responses((status = 201, body = Organisation), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(f): ApiJson<OrganisationForm>,
) -> ApiResult<Response> {
    Ok(created(app.create_organisation(&ctx.actor, &f).await?))
}

/// One organisation's profile.
#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "organisations",
    responses((status = 200, body = Organisation), (status = 404, body = Problem)))]
pub async fn get_one(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Organisation>> {
    Ok(Json(app.organisation(&ctx.actor, id).await?))
}

/// Changes an organisation's details (its administrators).
#[utoipa::path(put, path = "/api/v1/organisations/{id}", tag = "organisations", request_body = OrganisationForm,
    responses((status = 200, body = Organisation), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<OrganisationForm>,
) -> ApiResult<Json<Organisation>> {
    Ok(Json(app.update_organisation(&ctx.actor, id, &f).await?))
}

/// The members and their roles (members of the organisation).
#[utoipa::path(get, path = "/api/v1/organisations/{id}/members", tag = "organisations",
    responses((status = 200, body = [Member]), (status = 403, body = Problem)))]
pub async fn members(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Member>>> {
    Ok(Json(app.members(&ctx.actor, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct Roles {
    /// Role keys, e.g. `["coordinator", "organisation_admin"]`. Empty removes the member.
    #[schema(value_type = Vec<larnav_app::domain::Role>)]
    roles: Vec<String>,
}

/// Replaces a member's roles (the organisation's administrators).
#[utoipa::path(put, path = "/api/v1/organisations/{id}/members/{user_id}", tag = "organisations", request_body = Roles,
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_roles(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, user_id)): Path<(i64, i64)>,
    ApiJson(r): ApiJson<Roles>,
) -> ApiResult<StatusCode> {
    app.set_member_roles(ctx.caller()?, id, user_id, &r.roles)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a member from the organisation.
#[utoipa::path(delete, path = "/api/v1/organisations/{id}/members/{user_id}", tag = "organisations",
    responses((status = 204), (status = 409, body = Problem)))]
pub async fn remove_member(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, user_id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    app.set_member_roles(ctx.caller()?, id, user_id, &[])
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Open invitations (the organisation's administrators).
#[utoipa::path(get, path = "/api/v1/organisations/{id}/invitations", tag = "organisations",
    responses((status = 200, body = [Invitation]), (status = 403, body = Problem)))]
pub async fn invitations(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Invitation>>> {
    Ok(Json(app.open_invitations(&ctx.actor, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct NewInvitation {
    email: String,
    /// A role key, e.g. `coordinator`.
    role: String,
}

#[derive(Serialize, ToSchema)]
pub struct InvitationCreated {
    id: i64,
    /// False when the invitation exists but its e-mail could not be sent.
    mail_sent: bool,
}

/// Invites someone by e-mail (the organisation's administrators).
#[utoipa::path(post, path = "/api/v1/organisations/{id}/invitations", tag = "organisations", request_body = NewInvitation,
    responses((status = 201, body = InvitationCreated), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn invite(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(i): ApiJson<NewInvitation>,
) -> ApiResult<Response> {
    let sent = app.invite(ctx.caller()?, id, &i.email, &i.role).await?;
    Ok(created(InvitationCreated {
        id: sent.id,
        mail_sent: sent.mail_sent,
    }))
}

/// Withdraws an open invitation.
#[utoipa::path(delete, path = "/api/v1/organisations/{id}/invitations/{invitation_id}", tag = "organisations",
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn revoke_invitation(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, invitation_id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    app.revoke_invitation(ctx.caller()?, id, invitation_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The invitation behind a link (the token is the capability).
#[utoipa::path(get, path = "/api/v1/invitations/{token}", tag = "organisations", security(()),
    responses((status = 200, body = Invitation), (status = 410, body = Problem)))]
pub async fn invitation(
    State(app): State<App>,
    Path(token): Path<String>,
) -> ApiResult<Json<Invitation>> {
    Ok(Json(app.invitation(&token).await?))
}

/// Accepts an invitation: as the signed-in invitee (empty body), or by creating the invitee's
/// account (`display_name`, `password`, `password_confirm`).
#[utoipa::path(post, path = "/api/v1/invitations/{token}/accept", tag = "organisations", request_body = Registration,
    responses((status = 204), (status = 409, body = Problem), (status = 410, body = Problem), (status = 422, body = Problem)))]
pub async fn accept_invitation(
    State(app): State<App>,
    ctx: Ctx,
    Path(token): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let how = match &ctx.caller {
        Some(c) => Acceptance::SignedIn(c.clone()),
        None => {
            let registration: Registration = serde_json::from_slice(&body)
                .map_err(|_| AppError::invalid("body", "error.payload"))?;
            Acceptance::NewAccount(registration)
        }
    };
    if let Some(login) = app.accept_invitation(&token, &how, ctx.tr.lang).await? {
        app.logout(&login.session_token).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditParams {
    /// Only events older than this id.
    pub before: Option<i64>,
    /// At most this many (1–500, default 100).
    pub limit: Option<i64>,
}

/// The organisation's audit log, newest first (its administrators).
#[utoipa::path(get, path = "/api/v1/organisations/{id}/audit", tag = "organisations", params(AuditParams, AuditSearch),
    responses((status = 200, body = [AuditEvent]), (status = 403, body = Problem)))]
pub async fn audit(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(p): Query<AuditParams>,
    Query(search): Query<AuditSearch>,
) -> ApiResult<Json<Vec<AuditEvent>>> {
    Ok(Json(
        app.audit_log(
            &ctx.actor,
            Some(id),
            &search,
            p.before,
            p.limit.unwrap_or(100).min(500),
        )
        .await?,
    ))
}
