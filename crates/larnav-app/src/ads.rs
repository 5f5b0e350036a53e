//! The streamed job-ad import (JobTech historical ads): the CLI and the web page both run it
//! through [`App::import_ads`]. Parsing runs on blocking threads; each parsed block is stored
//! in its own transaction as soon as it is ready (see `larnav_store::ads`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;

use futures_util::{Stream, StreamExt};
use larnav_domain::ad_years::{AdYears, choose_ad_years};
use larnav_domain::{Action, Actor};
use larnav_ingest::ads::{self as stream, Known};
use larnav_store::{AdImport, AuditRecord, NewAd};
use tokio::io::AsyncWriteExt;

use crate::accounts::not_found;
use crate::i18n::Tr;
use crate::uploads::Upload;
use crate::{App, AppError, Result, now};

/// Rejected lines a report lists (the rest are counted per reason).
pub const LISTED_REJECTIONS: i64 = 200;

/// A run without progress for this long is reported as stopped (blocks take well under a
/// second; the longest pause is a slow disk).
pub fn stall_limit() -> chrono::Duration {
    chrono::Duration::minutes(2)
}

/// What an import covered, and which years of ads the Semaforen compares after it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ImportCoverage {
    /// The first and last month with ads (`2025-01`; a whole year is `2025`).
    pub first_period: String,
    pub last_period: String,
    /// Months with ads.
    pub months: usize,
    /// Län with ads: (code, name).
    pub lan: Vec<(String, String)>,
    pub ads: i64,
    /// Per area — riket, and each län the file covered when there are at most three — the
    /// area's name and the years its list compares now.
    pub basis: Vec<(String, AdYears)>,
}

/// A finished (or stopped) import with its rejected lines summarised.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AdImportReport {
    pub import: AdImport,
    /// Marked running but without progress for two minutes: stopped by a crash or Ctrl-C.
    /// Importing the same file again completes it, counting each ad once.
    pub stalled: bool,
    /// How many lines were rejected for each kind of reason (`broken`, `unknown_ssyk` …).
    pub rejected_by_kind: BTreeMap<String, i64>,
    /// The first rejected lines.
    pub rejections: Vec<AdRejection>,
    /// What it covered (once it has counted ads and is no longer running).
    pub coverage: Option<ImportCoverage>,
}

/// A rejected line: the kind of reason (`ads.kind_<kind>` names it), and the field and value
/// it concerns. Stored as `kind<TAB>field<TAB>value`, so that every page shows it in its own
/// language; lines stored earlier as an English sentence keep it in `value`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct AdRejection {
    pub line: i64,
    pub kind: String,
    pub field: String,
    pub value: String,
}

impl AdRejection {
    fn stored(rejection: &stream::Rejection) -> String {
        let (field, value) = rejection.detail();
        let value: String = value.chars().filter(|c| *c != '\t').collect();
        format!("{}\t{field}\t{value}", rejection.kind())
    }

    fn parse(line: i64, stored: &str) -> Self {
        let (kind, field, value) = match stored.split_once('\t') {
            Some((kind, rest)) => {
                let (field, value) = rest.split_once('\t').unwrap_or((rest, ""));
                (kind, field, value)
            }
            None => {
                let (kind, sentence) = stored.split_once(": ").unwrap_or(("", stored));
                (kind, "", sentence)
            }
        };
        Self {
            line,
            kind: kind.to_string(),
            field: field.to_string(),
            value: value.to_string(),
        }
    }

    /// "Ogiltigt värde: published_date = "igår"" in the reader's language.
    pub fn describe(&self, tr: &Tr) -> String {
        let mut text = tr.t(&format!("ads.kind_{}", self.kind)).to_string();
        let value = if self.kind == "broken" {
            let key = format!("ads.broken_{}", self.value.replace(' ', "_"));
            tr.get(&key).unwrap_or(&self.value).to_string()
        } else if self.value.is_empty() {
            String::new()
        } else {
            format!("\"{}\"", self.value)
        };
        let detail: Vec<&str> = [self.field.as_str(), value.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        if !detail.is_empty() {
            text = format!("{text}: {}", detail.join(" = "));
        }
        text
    }
}

/// Whether a file's first bytes show it is something else than JSON lines (plain or gzip):
/// an Excel workbook or another ZIP file, a PDF. Judged by content, not by the file's name, so
/// a workbook is refused as a whole instead of being reported as thousands of broken lines.
fn is_not_json_lines(start: &[u8]) -> bool {
    start.starts_with(b"PK\x03\x04")
        || start.starts_with(b"%PDF")
        || start.starts_with(b"\xD0\xCF\x11\xE0")
}

impl App {
    /// Starts an import run for a file an analyst supplied; returns the run's id. Call
    /// [`App::run_ad_import`] with it (the web page does so in the background).
    ///
    /// # Errors
    /// A refusal or a store error.
    pub async fn start_ad_import(
        &self,
        actor: &Actor,
        file_name: &str,
        file_bytes: u64,
    ) -> Result<(i64, i64)> {
        self.authorize(actor, Action::ImportSignals).await?;
        let audit = AuditRecord::new(actor.user_id, "ads.import", "").with_detail(file_name);
        Ok(self
            .store
            .start_ad_import(file_name, file_bytes as i64, actor.user_id, now(), &audit)
            .await?)
    }

    /// Saves an uploaded file (its chunks as they arrive, from the page or the API) under
    /// `<data_dir>/imports` and imports it in the background; returns the run's id at once.
    /// The caller's right is checked before anything is saved, the size while it arrives
    /// ([`Upload::AdFile`]); the file is removed when the import ends.
    ///
    /// # Errors
    /// A refusal, an empty file or one over the limit, or an I/O error saving it.
    pub async fn import_uploaded_ads<B: AsRef<[u8]>, E: std::fmt::Display>(
        &self,
        actor: &Actor,
        file_name: &str,
        mut chunks: impl Stream<Item = std::result::Result<B, E>> + Unpin,
    ) -> Result<i64> {
        self.authorize(actor, Action::ImportSignals).await?;
        let failed = |e: std::io::Error| AppError::internal("saving the upload", e);
        let dir = self.settings.server.data_dir.join("imports");
        tokio::fs::create_dir_all(&dir).await.map_err(failed)?;
        let path = dir.join(format!("upload-{}.part", crate::security::random_token()));
        let mut file = tokio::fs::File::create(&path).await.map_err(failed)?;
        let mut size = 0usize;
        let saved: Result<()> = async {
            while let Some(chunk) = chunks.next().await {
                let chunk = chunk.map_err(|e| {
                    tracing::info!(error = %e, "upload interrupted");
                    Upload::AdFile.missing()
                })?;
                if size == 0 && is_not_json_lines(chunk.as_ref()) {
                    return Err(AppError::invalid("file", "ads.not_json_lines"));
                }
                size += chunk.as_ref().len();
                if size > Upload::AdFile.limit() {
                    return Err(Upload::AdFile.too_large());
                }
                file.write_all(chunk.as_ref()).await.map_err(failed)?;
            }
            file.flush().await.map_err(failed)?;
            if size == 0 {
                return Err(Upload::AdFile.missing());
            }
            Ok(())
        }
        .await;
        if let Err(e) = saved {
            let _ = tokio::fs::remove_file(&path).await;
            return Err(e);
        }
        let run = self
            .start_ad_import(
                actor,
                &crate::files::clean_file_name(file_name),
                size as u64,
            )
            .await?;
        let app = self.clone();
        tokio::spawn(async move {
            match std::fs::File::open(&path) {
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

    /// Streams `input` (plain or gzip JSON lines) into the run started by
    /// [`App::start_ad_import`], calling `progress(bytes read)` after each stored block.
    /// Valid lines are kept even when others are broken or the file ends early.
    ///
    /// # Errors
    /// A store error (the blocks stored before it stay counted; re-running completes the file).
    pub async fn run_ad_import(
        &self,
        (import_id, source_id): (i64, i64),
        input: impl Read + Send + 'static,
        progress: impl Fn(u64) + Send,
    ) -> Result<AdImportReport> {
        let groups = self.store.list_occupation_groups_at_level(4).await?;
        let kommuner = self.store.list_kommuner(None).await?;
        let known = Known::new(
            groups.iter().map(|g| g.code.as_str()),
            kommuner.iter().map(|k| k.code.as_str()),
        );
        let (tx, mut rx) = tokio::sync::mpsc::channel::<stream::Batch>(2);
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let parser = tokio::task::spawn_blocking(move || {
            let input = stream::open(input).map_err(|e| format!("the file cannot be read: {e}"))?;
            stream::stream(input, &known, threads, |batch| tx.blocking_send(batch))
                .map_err(|_| "the parser stopped".to_string())
        });
        let mut bytes = 0u64;
        let mut failure = None;
        while let Some(batch) = rx.recv().await {
            if failure.is_some() {
                continue;
            }
            let ads: Vec<NewAd> = batch
                .ads
                .iter()
                .map(|a| NewAd {
                    id: a.id.clone(),
                    ssyk_code: a.ssyk_code(),
                    kommun_code: a.kommun_code(),
                    period: a.period(),
                    vacancies: a.vacancies,
                })
                .collect();
            let rejected: Vec<(i64, String)> = batch
                .rejected
                .iter()
                .map(|(line, r)| (*line as i64, AdRejection::stored(r)))
                .collect();
            match self
                .store
                .store_ad_batch(
                    import_id,
                    source_id,
                    &ads,
                    &rejected,
                    batch.lines as i64,
                    batch.bytes as i64,
                    now(),
                )
                .await
            {
                Ok(_) => {
                    bytes += batch.bytes;
                    progress(bytes);
                }
                Err(e) => failure = Some(e),
            }
        }
        drop(rx);
        let end = parser
            .await
            .map_err(|e| AppError::internal("ad parser", e))?;
        let (status, message) = match (&failure, &end) {
            (Some(e), _) => ("failed", format!("stopped by a storage error: {e}")),
            (None, Ok(end)) => ("done", end.truncated.clone().unwrap_or_default()),
            (None, Err(why)) => ("failed", why.clone()),
        };
        self.store
            .finish_ad_import(import_id, source_id, status, &message, now())
            .await?;
        if let Some(e) = failure {
            return Err(e.into());
        }
        let report = self.ad_import_report(import_id).await?;
        tracing::info!(
            import_id,
            accepted = report.import.accepted,
            duplicates = report.import.duplicates,
            rejected = report.import.rejected,
            "job ads imported"
        );
        Ok(report)
    }

    async fn ad_import_report(&self, id: i64) -> Result<AdImportReport> {
        let import = self.store.get_ad_import(id).await.map_err(not_found)?;
        let all = self
            .store
            .ad_import_rejections(id, larnav_store::KEPT_REJECTIONS)
            .await?;
        let mut rejected_by_kind: BTreeMap<String, i64> = BTreeMap::new();
        let all: Vec<AdRejection> = all
            .iter()
            .map(|(line, stored)| AdRejection::parse(*line, stored))
            .collect();
        for r in &all {
            *rejected_by_kind.entry(r.kind.clone()).or_default() += 1;
        }
        let kept: i64 = rejected_by_kind.values().sum();
        if import.rejected > kept {
            rejected_by_kind.insert("not_listed".into(), import.rejected - kept);
        }
        let coverage = if import.status == "running" || import.withdrawn_at.is_some() {
            None
        } else {
            self.import_coverage(id).await?
        };
        Ok(AdImportReport {
            stalled: import.stalled(now(), stall_limit()),
            import,
            rejected_by_kind,
            rejections: all.into_iter().take(LISTED_REJECTIONS as usize).collect(),
            coverage,
        })
    }

    /// The period and län an import covered, and what the lists of riket and of those län
    /// compare after it: a partial file is reported as such, and left out of the score.
    async fn import_coverage(&self, id: i64) -> Result<Option<ImportCoverage>> {
        let rows = self.store.ad_import_coverage(id).await?;
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            return Ok(None);
        };
        let places = self.places().await?;
        let mut months: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        months.dedup();
        let covered: BTreeSet<&str> = rows.iter().map(|r| r.1.as_str()).collect();
        let lan: Vec<(String, String)> = covered
            .iter()
            .map(|c| (c.to_string(), places.name(c).unwrap_or(c).to_string()))
            .collect();
        let sources = self.store.list_signal_sources().await?;
        let newest: HashMap<i64, usize> =
            sources.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        let all = self.store.ad_coverage().await?;
        let riket: BTreeSet<String> = places.lan.iter().map(|l| l.0.clone()).collect();
        let mut basis = vec![("Riket".to_string(), choose_ad_years(&all, &newest, &riket))];
        if lan.len() <= 3 {
            for (code, name) in &lan {
                let area = BTreeSet::from([code.clone()]);
                basis.push((name.clone(), choose_ad_years(&all, &newest, &area)));
            }
        }
        Ok(Some(ImportCoverage {
            first_period: first.0.clone(),
            last_period: last.0.clone(),
            months: months.len(),
            ads: rows.iter().map(|r| r.2).sum(),
            lan,
            basis,
        }))
    }

    /// One run with its summary. Analysts.
    ///
    /// # Errors
    /// [`AppError::NotFound`] or a refusal.
    pub async fn ad_import(&self, actor: &Actor, id: i64) -> Result<AdImportReport> {
        self.authorize(actor, Action::ImportSignals).await?;
        self.ad_import_report(id).await
    }

    /// Every run, newest first. Analysts.
    ///
    /// # Errors
    /// A refusal or a store error.
    pub async fn ad_imports(&self, actor: &Actor) -> Result<Vec<AdImport>> {
        self.authorize(actor, Action::ImportSignals).await?;
        Ok(self.store.list_ad_imports().await?)
    }

    /// Withdraws an import: its ads stop counting in every Semaforen list at once (exactly
    /// what it added is subtracted) and a corrected file can be imported again. A run still in
    /// progress must finish or stall first. Analysts with national rights and platform admins.
    ///
    /// # Errors
    /// [`AppError::NotFound`], [`AppError::Conflict`] (`import_running`,
    /// `import_not_withdrawable`) or a refusal.
    pub async fn withdraw_ad_import(&self, actor: &Actor, id: i64) -> Result<i64> {
        self.authorize(actor, Action::ImportSignals).await?;
        let import = self.store.get_ad_import(id).await.map_err(not_found)?;
        if import.status == "running" && !import.stalled(now(), stall_limit()) {
            // Still making progress somewhere: let it finish (or stall) first.
            return Err(AppError::Conflict {
                code: "import_running",
                message_key: "error.import_running",
            });
        }
        let audit = AuditRecord::new(actor.user_id, "ads.withdraw", format!("ad_import:{id}"))
            .with_detail(format!("{} ({} ads)", import.file_name, import.accepted));
        match self
            .store
            .withdraw_ad_import(id, actor.user_id, now(), &audit)
            .await
        {
            Err(larnav_store::StoreError::Conflict(_)) => Err(AppError::Conflict {
                code: "import_not_withdrawable",
                message_key: "error.import_not_withdrawable",
            }),
            other => {
                let removed = other.map_err(not_found)?;
                tracing::info!(import_id = id, removed, "ad import withdrawn");
                Ok(removed)
            }
        }
    }

    /// Tidies what a crash or kill left behind: uploads half-saved by this instance (only at
    /// start-up, when none of its uploads can be under way) and imports that stopped making
    /// progress. Called when the server starts and on its hourly tick.
    ///
    /// # Errors
    /// A store error.
    pub async fn clean_up_interrupted_work(&self, at_start_up: bool) -> Result<()> {
        if at_start_up {
            let dir = self.settings.server.data_dir.join("imports");
            if let Ok(entries) = std::fs::read_dir(&dir) {
                for entry in entries.flatten() {
                    let path = entry.path();
                    if path.extension().is_some_and(|e| e == "part") {
                        match std::fs::remove_file(&path) {
                            Ok(()) => {
                                tracing::info!(file = %path.display(), "removed an upload left by a crash")
                            }
                            Err(e) => {
                                tracing::warn!(file = %path.display(), error = %e, "cannot remove a left-over upload")
                            }
                        }
                    }
                }
            }
        }
        let n = self
            .store
            .interrupt_stalled_ad_imports(now() - stall_limit())
            .await?;
        if n > 0 {
            tracing::info!(
                imports = n,
                "imports that stopped without finishing marked interrupted"
            );
        }
        Ok(())
    }
}
