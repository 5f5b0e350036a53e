//! Platform administration: users and the full audit log.

use axum::Json;
use axum::extract::{Path, Query, State};
use larnav_app::App;
use larnav_app::admin::AuditSearch;
use larnav_app::records::{AuditEvent, User};
use serde::Deserialize;
use utoipa::ToSchema;

use super::organisations::AuditParams;
use super::{ApiJson, ApiResult, Paging};
use crate::ctx::Ctx;
use crate::error::Problem;

/// All accounts (platform administrators).
#[utoipa::path(get, path = "/api/v1/users", tag = "admin", params(Paging),
    responses((status = 200, body = [User]), (status = 403, body = Problem)))]
pub async fn users(
    State(app): State<App>,
    ctx: Ctx,
    Query(p): Query<Paging>,
) -> ApiResult<Json<Vec<User>>> {
    Ok(Json(
        app.list_users(&ctx.actor, Some(&p.q), p.limit(), p.offset())
            .await?,
    ))
}

/// One account (platform administrators).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "admin",
    responses((status = 200, body = User), (status = 404, body = Problem)))]
pub async fn user(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<User>> {
    Ok(Json(app.user(&ctx.actor, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct Flags {
    platform_admin: bool,
    disabled: bool,
}

/// Grants or withdraws platform administration; disables or enables an account.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "admin", request_body = Flags,
    responses((status = 200, body = User), (status = 409, body = Problem)))]
pub async fn set_flags(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<Flags>,
) -> ApiResult<Json<User>> {
    app.set_user_flags(ctx.caller()?, id, f.platform_admin, f.disabled)
        .await?;
    Ok(Json(app.user(&ctx.actor, id).await?))
}

/// The whole audit log, newest first (platform administrators).
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", params(AuditParams, AuditSearch),
    responses((status = 200, body = [AuditEvent]), (status = 403, body = Problem)))]
pub async fn audit(
    State(app): State<App>,
    ctx: Ctx,
    Query(p): Query<AuditParams>,
    Query(search): Query<AuditSearch>,
) -> ApiResult<Json<Vec<AuditEvent>>> {
    Ok(Json(
        app.audit_log(
            &ctx.actor,
            None,
            &search,
            p.before,
            p.limit.unwrap_or(100).min(500),
        )
        .await?,
    ))
}
