//! The streamed job-ad import: runs, their batches and rejected lines, and the ids already
//! counted. Each batch is one transaction, so an import stopped at any point (a crash, Ctrl-C)
//! has counted exactly the ads of its committed batches; running the file again skips those ids
//! and counts the rest — every ad once.

use crate::Conflict;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::model::*;
use crate::{AuditRecord, BeginWrite, Result, Store, on_pool, write_audit};

/// The signal source streamed ads accumulate in.
pub const STREAM_KIND: &str = "jobtech";
const STREAM_PERIOD: &str = "stream";

/// Rejected lines kept per import (the rest are counted, not listed).
pub const KEPT_REJECTIONS: i64 = 10_000;

impl Store {
    /// What one import added, per period (month) and län: its coverage.
    ///
    /// # Errors
    /// A database error.
    pub async fn ad_import_coverage(&self, import_id: i64) -> Result<Vec<(String, String, i64)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT period, SUBSTR(kommun_code, 1, 2) AS lan, CAST(SUM(ads) AS BIGINT) AS ads
             FROM ad_import_count WHERE import_id = $1
             GROUP BY period, SUBSTR(kommun_code, 1, 2) ORDER BY period")
            .bind(import_id).fetch_all(p).await)?)
    }

    /// Starts an import run; returns its id and the id of the source its ads go into.
    ///
    /// # Errors
    /// A database error.
    pub async fn start_ad_import(
        &self,
        file_name: &str,
        file_bytes: i64,
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<(i64, i64)> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO ad_import (file_name, file_bytes, status, lines_done, bytes_done, accepted, duplicates,
                                        rejected, message, started_at, imported_by, tracked)
                 VALUES ($1, $2, 'running', 0, 0, 0, 0, 0, '', $3, $4, TRUE) RETURNING id")
                .bind(file_name).bind(file_bytes).bind(now).bind(by).fetch_one(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO signal_source (kind, name, publisher, period, row_count, imported_at, imported_by)
                 VALUES ($1, 'Historiska platsannonser', 'JobTech (Arbetsförmedlingen)', $2, 0, $3, $4)
                 ON CONFLICT (kind, period) DO NOTHING")
                .bind(STREAM_KIND).bind(STREAM_PERIOD).bind(now).bind(by).execute(&mut *tx).await?;
            let (source,): (i64,) = sqlx::query_as("SELECT id FROM signal_source WHERE kind = $1 AND period = $2")
                .bind(STREAM_KIND).bind(STREAM_PERIOD).fetch_one(&mut *tx).await?;
            let audit = AuditRecord { target: format!("ad_import:{id}"), ..audit.clone() };
            write_audit!(&mut *tx, &audit, now)?;
            tx.commit().await?;
            Ok((id, source))
        })
    }

    /// Stores one batch: counts the ads whose ids were not counted before into the monthly
    /// totals, keeps rejected lines (up to [`KEPT_REJECTIONS`] per run) and advances the run's
    /// progress — all in one transaction.
    ///
    /// # Errors
    /// A database error; the batch is then not counted at all.
    #[allow(clippy::too_many_arguments)]
    pub async fn store_ad_batch(
        &self,
        import_id: i64,
        source_id: i64,
        ads: &[NewAd],
        rejected: &[(i64, String)],
        lines: i64,
        bytes: i64,
        now: DateTime<Utc>,
    ) -> Result<AdBatchResult> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            // Progress first: the write takes SQLite's lock before any read.
            sqlx::query("UPDATE ad_import SET lines_done = lines_done + $1, bytes_done = bytes_done + $2, progress_at = $3
                         WHERE id = $4")
                .bind(lines).bind(bytes).bind(now).bind(import_id).execute(&mut *tx).await?;
            // Ids repeated inside the batch count once; ids stored before are not new.
            let mut unique: Vec<&NewAd> = Vec::with_capacity(ads.len());
            let mut in_batch: HashSet<&str> = HashSet::with_capacity(ads.len());
            for ad in ads {
                if in_batch.insert(ad.id.as_str()) {
                    unique.push(ad);
                }
            }
            let mut new_ids: HashSet<String> = HashSet::with_capacity(unique.len());
            for chunk in unique.chunks(crate::CHUNK) {
                let mut sql = String::from("INSERT INTO ad_seen (ad_id, import_id) VALUES ");
                for i in 0..chunk.len() {
                    if i > 0 { sql.push_str(", "); }
                    sql.push_str(&format!("(${}, ${})", 2 * i + 1, 2 * i + 2));
                }
                sql.push_str(" ON CONFLICT (ad_id) DO NOTHING RETURNING ad_id");
                // Only placeholders are interpolated.
                let mut q = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql));
                for ad in chunk {
                    q = q.bind(&ad.id).bind(import_id);
                }
                for (id,) in q.fetch_all(&mut *tx).await? {
                    new_ids.insert(id);
                }
            }
            let mut cells: HashMap<(&str, &str, &str), (i64, i64)> = HashMap::new();
            for ad in unique.iter().filter(|a| new_ids.contains(&a.id)) {
                let c = cells.entry((&ad.ssyk_code, &ad.kommun_code, &ad.period)).or_default();
                c.0 += 1;
                c.1 += ad.vacancies;
            }
            let cells: Vec<_> = cells.into_iter().collect();
            for chunk in cells.chunks(crate::CHUNK) {
                let mut sql = String::from("INSERT INTO ad_count (source_id, ssyk_code, kommun_code, period, ads, vacancies) VALUES ");
                for i in 0..chunk.len() {
                    if i > 0 { sql.push_str(", "); }
                    let b = 6 * i;
                    sql.push_str(&format!("(${}, ${}, ${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6));
                }
                sql.push_str(" ON CONFLICT (source_id, ssyk_code, kommun_code, period) DO UPDATE
                    SET ads = ad_count.ads + excluded.ads,
                        vacancies = COALESCE(ad_count.vacancies, 0) + excluded.vacancies");
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for ((ssyk, kommun, period), (n, v)) in chunk {
                    q = q.bind(source_id).bind(*ssyk).bind(*kommun).bind(*period).bind(*n).bind(*v);
                }
                q.execute(&mut *tx).await?;
                // The same cells per import, so that the import can be withdrawn exactly.
                let mut sql = String::from("INSERT INTO ad_import_count (import_id, ssyk_code, kommun_code, period, ads, vacancies) VALUES ");
                for i in 0..chunk.len() {
                    if i > 0 { sql.push_str(", "); }
                    let b = 6 * i;
                    sql.push_str(&format!("(${}, ${}, ${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6));
                }
                sql.push_str(" ON CONFLICT (import_id, ssyk_code, kommun_code, period) DO UPDATE
                    SET ads = ad_import_count.ads + excluded.ads,
                        vacancies = ad_import_count.vacancies + excluded.vacancies");
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for ((ssyk, kommun, period), (n, v)) in chunk {
                    q = q.bind(import_id).bind(*ssyk).bind(*kommun).bind(*period).bind(*n).bind(*v);
                }
                q.execute(&mut *tx).await?;
            }
            let (kept,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM ad_import_rejection WHERE import_id = $1")
                .bind(import_id).fetch_one(&mut *tx).await?;
            let room = (KEPT_REJECTIONS - kept).max(0) as usize;
            for (line, reason) in rejected.iter().take(room) {
                sqlx::query("INSERT INTO ad_import_rejection (import_id, line, reason) VALUES ($1, $2, $3)
                             ON CONFLICT (import_id, line) DO NOTHING")
                    .bind(import_id).bind(line).bind(reason).execute(&mut *tx).await?;
            }
            let result = AdBatchResult {
                accepted: new_ids.len() as i64,
                duplicates: (ads.len() - new_ids.len()) as i64,
            };
            sqlx::query("UPDATE ad_import SET accepted = accepted + $1, duplicates = duplicates + $2, rejected = rejected + $3
                         WHERE id = $4")
                .bind(result.accepted).bind(result.duplicates).bind(rejected.len() as i64).bind(import_id)
                .execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(result)
        })
    }

    /// Ends a run (`done` or `failed`) and makes its source the newest, so that its months
    /// take precedence over older counts of the same year.
    ///
    /// # Errors
    /// A database error.
    pub async fn finish_ad_import(
        &self,
        import_id: i64,
        source_id: i64,
        status: &str,
        message: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            sqlx::query("UPDATE ad_import SET status = $1, message = $2, finished_at = $3 WHERE id = $4")
                .bind(status).bind(message).bind(now).bind(import_id).execute(&mut *tx).await?;
            sqlx::query("UPDATE signal_source SET imported_at = $1,
                            row_count = (SELECT COUNT(*) FROM ad_count WHERE source_id = $2) WHERE id = $2")
                .bind(now).bind(source_id).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// # Errors
    /// [`crate::StoreError::NotFound`].
    pub async fn get_ad_import(&self, id: i64) -> Result<AdImport> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT id, file_name, file_bytes, status, lines_done, bytes_done, accepted, duplicates, rejected, message,
                    started_at, finished_at, COALESCE(progress_at, started_at) AS progress_at, tracked, withdrawn_at
             FROM ad_import WHERE id = $1")
            .bind(id).fetch_one(p).await)?)
    }

    /// Runs, newest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn list_ad_imports(&self) -> Result<Vec<AdImport>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT id, file_name, file_bytes, status, lines_done, bytes_done, accepted, duplicates, rejected, message,
                    started_at, finished_at, COALESCE(progress_at, started_at) AS progress_at, tracked, withdrawn_at
             FROM ad_import ORDER BY id DESC")
            .fetch_all(p).await)?)
    }

    /// The first `limit` kept rejected lines of a run, by line.
    ///
    /// # Errors
    /// A database error.
    pub async fn ad_import_rejections(&self, id: i64, limit: i64) -> Result<Vec<(i64, String)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT line, reason FROM ad_import_rejection WHERE import_id = $1 ORDER BY line LIMIT $2")
            .bind(id).bind(limit).fetch_all(p).await)?)
    }

    /// Withdraws an import: subtracts exactly what it added to the monthly counts, forgets the
    /// ad ids it counted (so a corrected file can be imported again) and marks it `withdrawn`,
    /// in one transaction. Returns the number of ads removed.
    ///
    /// # Errors
    /// [`crate::StoreError::NotFound`] for an unknown import, [`crate::StoreError::Conflict`]
    /// (`not_withdrawable`) for one that is withdrawn already or that
    /// predates per-import counts.
    pub async fn withdraw_ad_import(
        &self,
        import_id: i64,
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            // The status write first: it takes SQLite's write lock and stops a second withdrawal.
            let r = sqlx::query("UPDATE ad_import SET status = 'withdrawn', withdrawn_at = $1, withdrawn_by = $2
                                 WHERE id = $3 AND tracked AND withdrawn_at IS NULL")
                .bind(now).bind(by).bind(import_id).execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM ad_import WHERE id = $1")
                    .bind(import_id).fetch_optional(&mut *tx).await?;
                return Err(match exists {
                    None => crate::StoreError::NotFound,
                    Some(_) => crate::StoreError::Conflict(Conflict::NotWithdrawable),
                });
            }
            let cells: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
                "SELECT ssyk_code, kommun_code, period, ads, vacancies FROM ad_import_count WHERE import_id = $1")
                .bind(import_id).fetch_all(&mut *tx).await?;
            let (source,): (i64,) = sqlx::query_as("SELECT id FROM signal_source WHERE kind = $1 AND period = $2")
                .bind(STREAM_KIND).bind(STREAM_PERIOD).fetch_one(&mut *tx).await?;
            let mut removed = 0;
            for (ssyk, kommun, period, ads, vacancies) in &cells {
                removed += ads;
                sqlx::query("UPDATE ad_count SET ads = ads - $1, vacancies = COALESCE(vacancies, 0) - $2
                             WHERE source_id = $3 AND ssyk_code = $4 AND kommun_code = $5 AND period = $6")
                    .bind(ads).bind(vacancies).bind(source).bind(ssyk).bind(kommun).bind(period)
                    .execute(&mut *tx).await?;
            }
            sqlx::query("DELETE FROM ad_count WHERE source_id = $1 AND ads <= 0").bind(source).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM ad_seen WHERE import_id = $1").bind(import_id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM ad_import_count WHERE import_id = $1").bind(import_id).execute(&mut *tx).await?;
            sqlx::query("UPDATE signal_source SET row_count = (SELECT COUNT(*) FROM ad_count WHERE source_id = $1) WHERE id = $1")
                .bind(source).execute(&mut *tx).await?;
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(removed)
        })
    }

    /// Marks runs that stopped making progress before `quiet_before` as `interrupted` (their
    /// process was killed or restarted): they are no longer shown as running, keep what they
    /// counted, and can be completed by importing the file again or withdrawn.
    ///
    /// # Errors
    /// A database error.
    pub async fn interrupt_stalled_ad_imports(&self, quiet_before: DateTime<Utc>) -> Result<u64> {
        Ok(on_pool!(self, p => sqlx::query(
            "UPDATE ad_import SET status = 'interrupted',
                    message = 'stopped without finishing (the server was restarted or the process ended)'
             WHERE status = 'running' AND COALESCE(progress_at, started_at) < $1")
            .bind(quiet_before).execute(p).await.map(|r| r.rows_affected()))?)
    }
}
