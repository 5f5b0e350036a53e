//! Demand signals: sources, forecasts and ad counts.

use chrono::{DateTime, Utc};

use crate::model::*;
use crate::{AuditRecord, BeginWrite, Result, Store, bulk_insert, on_pool, write_audit};

/// Replaces the source of the same kind and period (its rows go with it) by a new one with
/// `$rows`, bulk-inserted by `$insert`, and audits it — all in one transaction, so a reader
/// sees the old figures or the new ones, never a mix.
macro_rules! replace_source {
    ($self:expr, $source:expr, $rows:expr, $now:expr, $audit:expr, |$tx:ident, $id:ident| $insert:block) => {{
        let source: &NewSignalSource = $source;
        on_pool!($self, p => {
            let mut $tx = p.begin_write().await?;
            sqlx::query("DELETE FROM signal_source WHERE kind = $1 AND period = $2")
                .bind(&source.kind).bind(&source.period).execute(&mut *$tx).await?;
            let ($id,): (i64,) = sqlx::query_as(
                "INSERT INTO signal_source (kind, name, publisher, period, row_count, imported_at, imported_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
                .bind(&source.kind).bind(&source.name).bind(&source.publisher).bind(&source.period)
                .bind($rows.len() as i64).bind($now).bind(source.imported_by)
                .fetch_one(&mut *$tx).await?;
            $insert
            let audit = AuditRecord { target: format!("signal_source:{}", $id), ..$audit.clone() };
            write_audit!(&mut *$tx, &audit, $now)?;
            $tx.commit().await?;
            Ok($id)
        })
    }};
}

impl Store {
    /// Stores a forecast source and its rows, replacing the earlier import of the same period.
    ///
    /// # Errors
    /// A database error (for example an SSYK code outside the reference data); nothing changes.
    pub async fn replace_forecasts(
        &self,
        source: &NewSignalSource,
        rows: &[NewForecast],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        replace_source!(self, source, rows, now, audit, |tx, id| {
            bulk_insert!(
                tx,
                "forecast",
                [
                    "source_id",
                    "barometer_id",
                    "barometer_name",
                    "ssyk_code",
                    "area_code",
                    "job_chances",
                    "outlook"
                ],
                rows,
                |q, r| q
                    .bind(id)
                    .bind(&r.barometer_id)
                    .bind(&r.barometer_name)
                    .bind(&r.ssyk_code)
                    .bind(&r.area_code)
                    .bind(&r.job_chances)
                    .bind(&r.outlook)
            );
        })
    }

    /// Stores an ad-count source and its rows, replacing the earlier import of the same period.
    ///
    /// # Errors
    /// A database error; nothing changes.
    pub async fn replace_ad_counts(
        &self,
        source: &NewSignalSource,
        rows: &[NewAdCount],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        replace_source!(self, source, rows, now, audit, |tx, id| {
            bulk_insert!(
                tx,
                "ad_count",
                ["source_id", "ssyk_code", "kommun_code", "period", "ads"],
                rows,
                |q, r| q
                    .bind(id)
                    .bind(&r.ssyk_code)
                    .bind(&r.kommun_code)
                    .bind(&r.period)
                    .bind(r.ads)
            );
        })
    }

    /// All sources, newest import first.
    ///
    /// # Errors
    /// A database error.
    pub async fn list_signal_sources(&self) -> Result<Vec<SignalSource>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT id, kind, name, publisher, period, row_count, imported_at, imported_by
             FROM signal_source ORDER BY imported_at DESC, id DESC")
            .fetch_all(p).await)?)
    }

    /// The forecasts for one SSYK-4 group, riket first, then the län by code.
    ///
    /// # Errors
    /// A database error.
    pub async fn forecasts_for(&self, ssyk_code: &str) -> Result<Vec<ForecastRecord>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT f.area_code, COALESCE(l.name, 'Riket') AS area_name, f.barometer_name, f.job_chances, f.outlook,
                    f.source_id
             FROM forecast f LEFT JOIN lan l ON l.code = f.area_code
             WHERE f.ssyk_code = $1
             ORDER BY CASE WHEN f.area_code = 'SE' THEN 0 ELSE 1 END, l.sort_key, f.barometer_name")
            .bind(ssyk_code).fetch_all(p).await)?)
    }

    /// Ads for one SSYK-4 group per län and for the whole country, per period and source.
    ///
    /// # Errors
    /// A database error.
    pub async fn ads_by_area_for(&self, ssyk_code: &str) -> Result<Vec<AdsByArea>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT 'SE' AS area_code, 'Riket' AS area_name, a.period, CAST(SUM(a.ads) AS BIGINT) AS ads, a.source_id
             FROM ad_count a WHERE a.ssyk_code = $1 GROUP BY a.period, a.source_id
             UNION ALL
             SELECT l.code AS area_code, l.name AS area_name, a.period, CAST(SUM(a.ads) AS BIGINT) AS ads, a.source_id
             FROM ad_count a JOIN kommun k ON k.code = a.kommun_code JOIN lan l ON l.code = k.lan_code
             WHERE a.ssyk_code = $1 GROUP BY l.code, l.name, a.period, a.source_id
             ORDER BY area_code")
            .bind(ssyk_code).fetch_all(p).await)?)
    }
}
