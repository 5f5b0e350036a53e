//! The demand-signal sources page, with the import for analysts.

use askama::Template;
use axum::extract::State;
use larnav_app::App;
use larnav_app::domain::Action;
use larnav_app::records::SignalSource;
use larnav_app::signals::SignalImport;

use super::{Base, PageResult, render};
use crate::ctx::Ctx;

#[derive(Template)]
#[template(path = "signals.html")]
struct SignalsPage<'a> {
    base: Base<'a>,
    sources: Vec<SignalSource>,
    can_import: bool,
    imported: Option<SignalImport>,
}

impl SignalsPage<'_> {
    fn kind_label(&self, kind: &str) -> &str {
        self.base.tr.t(match kind {
            "forecast" => "signals.kind_forecast",
            "supply" => "signals.kind_supply",
            _ => "signals.kind_ads",
        })
    }

    fn imported_text(&self, i: &SignalImport) -> String {
        let tr = self.base.tr;
        tr.fmt(
            "signals.imported",
            &[
                ("forecasts", &tr.number(i.forecasts as i64)),
                ("ads", &tr.number(i.ad_counts as i64)),
                ("supply", &tr.number(i.supply_rows as i64)),
            ],
        )
    }
}

async fn page(app: &App, ctx: &Ctx, imported: Option<SignalImport>) -> PageResult {
    render(&SignalsPage {
        base: Base::new(ctx, ctx.tr.t("signals.title")),
        sources: app.signal_sources(&ctx.actor).await?,
        can_import: app.may(&ctx.actor, Action::ImportSignals),
        imported,
    })
}

pub async fn show(State(app): State<App>, ctx: Ctx) -> PageResult {
    page(&app, &ctx, None).await
}

pub async fn import(State(app): State<App>, ctx: Ctx) -> PageResult {
    let imported = app.import_signals(&ctx.actor).await?;
    page(&app, &ctx, Some(imported)).await
}
