//! The streamed job-ad import in the browser: upload a file, follow its progress, read the
//! rejected lines. Uploads are saved under the data directory and imported in the background;
//! the page polls the run's JSON (or reloads without script).

use askama::Template;
use axum::extract::{Multipart, Path, State};
use larnav_app::ads::AdImportReport;
use larnav_app::records::AdImport;
use larnav_app::uploads::Upload;
use larnav_app::{App, AppError};

use super::{Base, PageResult, redirect_with, render};
use crate::ctx::Ctx;

#[derive(Template)]
#[template(path = "ads.html")]
struct AdsPage<'a> {
    base: Base<'a>,
    imports: Vec<AdImport>,
    error: Option<String>,
}

impl AdsPage<'_> {
    fn stalled(&self, i: &AdImport) -> bool {
        i.stalled(larnav_app::now(), larnav_app::ads::stall_limit())
    }
}

async fn ads_page(app: &App, ctx: &Ctx, error: Option<String>) -> PageResult {
    render(&AdsPage {
        base: Base::new(ctx, ctx.tr.t("ads.title")),
        imports: app.ad_imports(&ctx.actor).await?,
        error,
    })
}

pub async fn list(State(app): State<App>, ctx: Ctx) -> PageResult {
    ads_page(&app, &ctx, None).await
}

pub async fn upload(State(app): State<App>, ctx: Ctx, mut multipart: Multipart) -> PageResult {
    let result = async {
        while let Ok(Some(field)) = multipart.next_field().await {
            if field.name() != Some("file") {
                continue;
            }
            let name = field.file_name().unwrap_or("upload.jsonl").to_string();
            return app.import_uploaded_ads(&ctx.actor, &name, field).await;
        }
        Err(Upload::AdFile.missing())
    }
    .await;
    match result {
        Ok(id) => Ok(redirect_with(
            &app,
            &format!("/signals/ads/{id}"),
            "ads.started",
        )),
        Err(AppError::Validation(f)) => {
            let message = f
                .first()
                .map(|f| ctx.tr.t(f.message_key).to_string())
                .unwrap_or_default();
            let e = AppError::Validation(f);
            super::shown_again(&e, ads_page(&app, &ctx, Some(message)).await)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "ad_import.html")]
struct AdImportPage<'a> {
    base: Base<'a>,
    report: AdImportReport,
}

impl AdImportPage<'_> {
    /// Percent of the file read, when its size is known.
    fn percent(&self) -> Option<i64> {
        let i = &self.report.import;
        (i.file_bytes > 0).then(|| (i.bytes_done * 100 / i.file_bytes).min(100))
    }

    fn coverage(&self, c: &larnav_app::ads::ImportCoverage) -> String {
        let tr = &self.base.tr;
        let names: Vec<&str> = c.lan.iter().map(|l| l.1.as_str()).collect();
        tr.fmt(
            "ads.coverage",
            &[
                ("first", &c.first_period),
                ("last", &c.last_period),
                ("months", &c.months.to_string()),
                ("count", &c.lan.len().to_string()),
                ("lan", &names.join(", ")),
                ("ads", &tr.number(c.ads)),
            ],
        )
    }

    fn year<'y>(&self, years: &'y larnav_app::domain::ad_years::AdYears) -> Option<&'y str> {
        years.latest.as_ref().map(|y| y.year.as_str())
    }
}

pub async fn show(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let report = app.ad_import(&ctx.actor, id).await?;
    render(&AdImportPage {
        base: Base::new(&ctx, ctx.tr.t("ads.run_title")),
        report,
    })
}

/// Withdraws an import (its ads stop counting at once) and shows it again.
pub async fn withdraw(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    app.withdraw_ad_import(&ctx.actor, id).await?;
    Ok(redirect_with(
        &app,
        &format!("/signals/ads/{id}"),
        "ads.withdrawn",
    ))
}
