//! The streamed job-ad import in the browser: upload a file, follow its progress, read the
//! rejected lines. Uploads are saved under the data directory and imported in the background;
//! the page polls the run's JSON (or reloads without script).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use futures_util::{Stream, StreamExt};
use larnav_app::ads::AdImportReport;
use larnav_app::domain::Action;
use larnav_app::store::AdImport;
use larnav_app::{App, AppError};
use tokio::io::AsyncWriteExt;

use super::{Base, PageResult, redirect_with, render};
use crate::api::semaforen::upload_failed;
use crate::ctx::Ctx;

/// The largest file the browser and API upload accept; bigger files go through
/// `larnav import ads`, which reads any size.
pub const AD_UPLOAD_LIMIT: u64 = 2 * 1024 * 1024 * 1024;

/// Saves an uploaded stream under `<data_dir>/imports` and starts importing it in the
/// background; returns the run's id. The file is removed when the import ends.
///
/// # Errors
/// A refusal (checked before anything is saved), an upload over the limit, or an I/O error.
pub async fn save_and_start<E: std::fmt::Display>(
    app: &App,
    ctx: &Ctx,
    name: &str,
    mut stream: impl Stream<Item = Result<Bytes, E>> + Unpin,
) -> Result<i64, AppError> {
    app.authorize(&ctx.actor, Action::ImportSignals).await?;
    let dir = app.settings.server.data_dir.join("imports");
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(upload_failed)?;
    let path = dir.join(format!(
        "upload-{}.part",
        larnav_app::security::random_token()
    ));
    let mut file = tokio::fs::File::create(&path)
        .await
        .map_err(upload_failed)?;
    let mut size = 0u64;
    let outcome: Result<(), AppError> = async {
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                tracing::info!(error = %e, "upload interrupted");
                AppError::invalid("file", "field.file_required")
            })?;
            size += chunk.len() as u64;
            if size > AD_UPLOAD_LIMIT {
                return Err(AppError::invalid("file", "field.ad_file_too_large"));
            }
            file.write_all(&chunk).await.map_err(upload_failed)?;
        }
        file.flush().await.map_err(upload_failed)?;
        if size == 0 {
            return Err(AppError::invalid("file", "field.file_required"));
        }
        Ok(())
    }
    .await;
    if let Err(e) = outcome {
        let _ = tokio::fs::remove_file(&path).await;
        return Err(e);
    }
    let run = app.start_ad_import(&ctx.actor, name, size).await?;
    let app = app.clone();
    tokio::spawn(async move {
        let input = std::fs::File::open(&path).and_then(larnav_app::ingest::ads::open);
        match input {
            Ok(input) => {
                if let Err(e) = app.run_ad_import(run, input, |_| {}).await {
                    tracing::error!(error = %e, import_id = run.0, "ad import failed");
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot read the saved upload"),
        }
        let _ = tokio::fs::remove_file(&path).await;
    });
    Ok(run.0)
}

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
            let name = field
                .file_name()
                .map(|n| n.chars().filter(|c| !c.is_control()).take(200).collect())
                .unwrap_or_else(|| "upload.jsonl".to_string());
            return save_and_start(&app, &ctx, &name, field).await;
        }
        Err(AppError::invalid("file", "field.file_required"))
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
