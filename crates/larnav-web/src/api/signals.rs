//! Demand signals: sources, the import, and the figures per occupation.

use axum::Json;
use axum::extract::{Path, State};
use larnav_app::App;
use larnav_app::records::SignalSource;
use larnav_app::signals::{OccupationSignals, SignalImport};

use super::ApiResult;
use crate::ctx::Ctx;
use crate::error::Problem;

/// The imported signal sources, newest first.
#[utoipa::path(get, path = "/api/v1/signals/sources", tag = "signals", security(()),
    responses((status = 200, body = [SignalSource])))]
pub async fn sources(State(app): State<App>, ctx: Ctx) -> ApiResult<Json<Vec<SignalSource>>> {
    Ok(Json(app.signal_sources(&ctx.actor).await?))
}

/// Imports the labour-market figures shipped with Lärnav (analysts and platform administrators).
#[utoipa::path(post, path = "/api/v1/signals/import", tag = "signals",
    responses((status = 200, body = SignalImport), (status = 403, body = Problem)))]
pub async fn import(State(app): State<App>, ctx: Ctx) -> ApiResult<Json<SignalImport>> {
    Ok(Json(app.import_signals(&ctx.actor).await?))
}

/// Forecasts and ad counts for one SSYK-4 group, with their sources.
#[utoipa::path(get, path = "/api/v1/signals/occupations/{code}", tag = "signals", security(()),
    responses((status = 200, body = OccupationSignals)))]
pub async fn occupation(
    State(app): State<App>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> ApiResult<Json<OccupationSignals>> {
    Ok(Json(app.occupation_signals(&ctx.actor, &code).await?))
}
