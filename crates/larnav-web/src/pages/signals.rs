//! The demand-signal sources page, with the import for analysts.

use askama::Template;
use axum::extract::State;
use larnav_app::App;
use larnav_app::domain::Action;
use larnav_app::records::SignalSource;

use super::{Base, PageResult, render};
use crate::ctx::Ctx;

#[derive(Template)]
#[template(path = "signals.html")]
struct SignalsPage<'a> {
    base: Base<'a>,
    sources: Vec<SignalSource>,
    can_import: bool,
}

impl SignalsPage<'_> {
    fn kind_label(&self, kind: &str) -> &str {
        self.base.tr.t(match kind {
            "forecast" => "signals.kind_forecast",
            "supply" => "signals.kind_supply",
            _ => "signals.kind_ads",
        })
    }
}

pub async fn show(State(app): State<App>, ctx: Ctx) -> PageResult {
    render(&SignalsPage {
        base: Base::new(&ctx, ctx.tr.t("signals.title")),
        sources: app.signal_sources(&ctx.actor).await?,
        can_import: app.may(&ctx.actor, Action::ImportSignals),
    })
}

pub async fn import(State(app): State<App>, ctx: Ctx) -> PageResult {
    let i = app.import_signals(&ctx.actor).await?;
    let counts = [
        ("forecasts", i.forecasts as i64),
        ("ads", i.ad_counts as i64),
        ("supply", i.supply_rows as i64),
        ("skipped", i.skipped.len() as i64),
    ];
    Ok(super::redirect_with_counts(
        &app,
        "/signals",
        "signals.imported",
        &counts,
    ))
}
