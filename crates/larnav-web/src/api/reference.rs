//! Reference data: public, read-only.

use axum::Json;
use axum::extract::{Path, Query, State};
use larnav_app::App;
use larnav_app::domain::reference::SEQF_LEVELS;
use larnav_app::records::{KommunRecord, LanRecord, OccupationGroupRecord, SunRecord};
use larnav_app::reference::{OccupationGroupView, ReferenceHits};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiResult;
use crate::ctx::Ctx;
use crate::error::Problem;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct SearchParams {
    /// The text typed so far; Swedish case folding, matched anywhere in names and at the start
    /// of codes.
    #[serde(default)]
    q: String,
    /// Hits per kind (1–50, default 10).
    limit: Option<i64>,
}

/// Search-as-you-type over occupations (SSYK groups, occupation names) and places.
#[utoipa::path(get, path = "/api/v1/reference/search", tag = "reference", params(SearchParams), security(()),
    responses((status = 200, body = ReferenceHits)))]
pub async fn search(
    State(app): State<App>,
    ctx: Ctx,
    Query(p): Query<SearchParams>,
) -> ApiResult<Json<ReferenceHits>> {
    Ok(Json(
        app.search_reference(&ctx.actor, &p.q, p.limit.unwrap_or(10))
            .await?,
    ))
}

/// The ten SSYK 2012 major groups.
#[utoipa::path(get, path = "/api/v1/reference/occupations", tag = "reference", security(()),
    responses((status = 200, body = [OccupationGroupRecord])))]
pub async fn occupations(
    State(app): State<App>,
    ctx: Ctx,
) -> ApiResult<Json<Vec<OccupationGroupRecord>>> {
    Ok(Json(app.occupation_roots(&ctx.actor).await?))
}

/// One SSYK group with its ancestors, subgroups, occupation names and skills.
#[utoipa::path(get, path = "/api/v1/reference/occupations/{code}", tag = "reference", security(()),
    responses((status = 200, body = OccupationGroupView), (status = 404, body = Problem)))]
pub async fn occupation(
    State(app): State<App>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> ApiResult<Json<OccupationGroupView>> {
    Ok(Json(app.occupation_group(&ctx.actor, &code).await?))
}

/// The 21 län in Swedish order.
#[utoipa::path(get, path = "/api/v1/reference/lan", tag = "reference", security(()),
    responses((status = 200, body = [LanRecord])))]
pub async fn lan(State(app): State<App>, ctx: Ctx) -> ApiResult<Json<Vec<LanRecord>>> {
    Ok(Json(app.lan(&ctx.actor).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct KommunParams {
    /// Only the kommuner of this län (two digits).
    lan: Option<String>,
}

/// Kommuner in Swedish order.
#[utoipa::path(get, path = "/api/v1/reference/kommuner", tag = "reference", params(KommunParams), security(()),
    responses((status = 200, body = [KommunRecord])))]
pub async fn kommuner(
    State(app): State<App>,
    ctx: Ctx,
    Query(p): Query<KommunParams>,
) -> ApiResult<Json<Vec<KommunRecord>>> {
    Ok(Json(app.kommuner(&ctx.actor, p.lan.as_deref()).await?))
}

/// SUN 2020 education fields.
#[utoipa::path(get, path = "/api/v1/reference/sun/fields", tag = "reference", security(()),
    responses((status = 200, body = [SunRecord])))]
pub async fn sun_fields(State(app): State<App>, ctx: Ctx) -> ApiResult<Json<Vec<SunRecord>>> {
    Ok(Json(app.sun(&ctx.actor, false).await?))
}

/// SUN 2020 education levels.
#[utoipa::path(get, path = "/api/v1/reference/sun/levels", tag = "reference", security(()),
    responses((status = 200, body = [SunRecord])))]
pub async fn sun_levels(State(app): State<App>, ctx: Ctx) -> ApiResult<Json<Vec<SunRecord>>> {
    Ok(Json(app.sun(&ctx.actor, true).await?))
}

#[derive(Serialize, ToSchema)]
pub struct SeqfLevel {
    level: u8,
    sv: &'static str,
    en: &'static str,
}

/// The eight SeQF levels.
#[utoipa::path(get, path = "/api/v1/reference/seqf", tag = "reference", security(()),
    responses((status = 200, body = [SeqfLevel])))]
pub async fn seqf() -> Json<Vec<SeqfLevel>> {
    Json(
        SEQF_LEVELS
            .iter()
            .map(|l| SeqfLevel {
                level: l.level,
                sv: l.sv,
                en: l.en,
            })
            .collect(),
    )
}
