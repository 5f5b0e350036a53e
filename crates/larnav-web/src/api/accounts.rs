//! `/me`, tokens, registration and password reset.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use larnav_app::App;
use larnav_app::accounts::Registration;
use larnav_app::records::{ApiToken, MembershipRecord, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ApiResult, created};
use crate::ctx::Ctx;
use crate::error::Problem;

/// The signed-in person.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = User), (status = 401, body = Problem)))]
pub async fn me(ctx: Ctx) -> ApiResult<Json<User>> {
    Ok(Json(ctx.caller()?.user.clone()))
}

#[derive(Deserialize, ToSchema)]
pub struct ProfileUpdate {
    display_name: String,
    /// `sv` or `en`.
    locale: String,
}

/// Changes one's own name and language.
#[utoipa::path(patch, path = "/api/v1/me", tag = "account", request_body = ProfileUpdate,
    responses((status = 200, body = User), (status = 422, body = Problem)))]
pub async fn update_me(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(p): ApiJson<ProfileUpdate>,
) -> ApiResult<Json<User>> {
    let caller = ctx.caller()?;
    Ok(Json(
        app.update_profile(caller, &p.display_name, &p.locale)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    current_password: String,
    password: String,
    password_confirm: String,
}

/// Changes one's own password; other sessions end.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "account", request_body = PasswordChange,
    responses((status = 204), (status = 422, body = Problem)))]
pub async fn change_password(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(p): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    app.change_password(
        ctx.caller()?,
        &p.current_password,
        &p.password,
        &p.password_confirm,
        ctx.session_token.as_deref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every role the signed-in person holds, per organisation.
#[utoipa::path(get, path = "/api/v1/me/organisations", tag = "account",
    responses((status = 200, body = [MembershipRecord])))]
pub async fn my_memberships(
    State(app): State<App>,
    ctx: Ctx,
) -> ApiResult<Json<Vec<MembershipRecord>>> {
    Ok(Json(app.my_memberships(ctx.caller()?).await?))
}

/// The signed-in person's API tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "account", responses((status = 200, body = [ApiToken])))]
pub async fn list_tokens(State(app): State<App>, ctx: Ctx) -> ApiResult<Json<Vec<ApiToken>>> {
    Ok(Json(app.api_tokens(ctx.caller()?).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct NewToken {
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    token: ApiToken,
    /// The secret: shown only in this response.
    secret: String,
}

/// Creates a personal API token.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "account", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 422, body = Problem)))]
pub async fn create_token(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(t): ApiJson<NewToken>,
) -> ApiResult<Response> {
    let (token, secret) = app.create_api_token(ctx.caller()?, &t.name).await?;
    Ok(created(CreatedToken { token, secret }))
}

/// Revokes one of one's own API tokens.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "account",
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn revoke_token(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    app.revoke_api_token(ctx.caller()?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Self-registration of a learner. Returns the new account (signing in is a browser matter).
#[utoipa::path(post, path = "/api/v1/register", tag = "account", request_body = Registration, security(()),
    responses((status = 201, body = User), (status = 403, description = "Already signed in.", body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn register(
    State(app): State<App>,
    ctx: Ctx,
    ApiJson(r): ApiJson<Registration>,
) -> ApiResult<Response> {
    let login = app.register(&ctx.actor, &r, ctx.tr.lang).await?;
    // The API does not use the browser session that registration starts.
    app.logout(&login.session_token).await?;
    Ok(created(login.user))
}

#[derive(Deserialize, ToSchema)]
pub struct ResetRequest {
    email: String,
}

/// Sends a password-reset link if the address has an account (the answer is the same either way).
#[utoipa::path(post, path = "/api/v1/password-reset", tag = "account", request_body = ResetRequest, security(()),
    responses((status = 202), (status = 422, body = Problem)))]
pub async fn request_reset(
    State(app): State<App>,
    ctx: Ctx,
    client: crate::ClientAddr,
    ApiJson(r): ApiJson<ResetRequest>,
) -> ApiResult<Response> {
    app.request_password_reset(&r.email, ctx.tr.lang, &client.0)
        .await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct NewPassword {
    password: String,
    password_confirm: String,
}

/// Sets a new password with the token from a reset link.
#[utoipa::path(post, path = "/api/v1/password-reset/{token}", tag = "account", request_body = NewPassword, security(()),
    responses((status = 204), (status = 410, body = Problem), (status = 422, body = Problem)))]
pub async fn reset_password(
    State(app): State<App>,
    Path(token): Path<String>,
    ApiJson(p): ApiJson<NewPassword>,
) -> ApiResult<StatusCode> {
    app.reset_password(&token, &p.password, &p.password_confirm)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
