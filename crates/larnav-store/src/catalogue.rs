//! The catalogue: offerings, occasions, sessions, teachers and staffing, the workflow history,
//! and the change log that every instance's search index follows.
//!
//! Every write that changes what an offering shows appends to `catalogue_change` in the same
//! transaction, so an index that has applied change *n* holds everything up to *n*.

use crate::Conflict;
use crate::audited_insert;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use larnav_domain::catalogue::{ApplicationMode, CreditKind, Format, OfferingKind, OfferingStatus};
use serde::Serialize;

use crate::{
    AuditRecord, BeginWrite, Result, Store, StoreError, bulk_insert, on_pool, write_audit,
};

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Offering {
    pub id: i64,
    pub provider_id: Option<i64>,
    pub provider_name: String,
    pub employer_id: Option<i64>,
    pub employer_name: Option<String>,
    pub internal: bool,
    #[sqlx(try_from = "String")]
    pub kind: OfferingKind,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub sun_field: Option<String>,
    pub sun_field_name: Option<String>,
    pub seqf_level: Option<i64>,
    pub credits: Option<f64>,
    #[sqlx(try_from = "String")]
    pub credit_kind: CreditKind,
    pub pace_percent: i64,
    #[sqlx(try_from = "String")]
    pub format: Format,
    pub kommun_code: Option<String>,
    pub kommun_name: Option<String>,
    pub lan_code: Option<String>,
    pub lan_name: Option<String>,
    pub address: String,
    pub language: String,
    pub price_sek: Option<i64>,
    pub payer: String,
    pub eligibility: String,
    pub url: String,
    #[sqlx(try_from = "String")]
    pub status: OfferingStatus,
    pub source: String,
    pub source_ref: Option<String>,
    pub copied_from: Option<i64>,
    /// Grows with every edit: a save must name the version it was based on.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An offering's content as written (new or edited). Codes are validated by the app layer.
#[derive(Debug, Clone, Default)]
pub struct OfferingFields {
    pub provider_id: Option<i64>,
    pub provider_name: String,
    pub employer_id: Option<i64>,
    pub internal: bool,
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub sun_field: Option<String>,
    pub seqf_level: Option<i64>,
    pub credits: Option<f64>,
    pub credit_kind: String,
    pub pace_percent: i64,
    pub format: String,
    pub kommun_code: Option<String>,
    pub address: String,
    pub language: String,
    pub price_sek: Option<i64>,
    pub payer: String,
    pub eligibility: String,
    pub url: String,
    pub ssyk_codes: Vec<String>,
}

/// An imported offering of the national catalogue, with its occasions.
#[derive(Debug, Clone)]
pub struct ImportedOffering {
    pub source_ref: String,
    pub fields: OfferingFields,
    pub occasions: Vec<NewOccasion>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct OfferingOccupation {
    pub offering_id: i64,
    pub ssyk_code: String,
    pub name: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Occasion {
    pub id: i64,
    pub offering_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[sqlx(try_from = "String")]
    pub application_mode: ApplicationMode,
    pub opens_on: Option<NaiveDate>,
    pub closes_on: Option<NaiveDate>,
    pub seats: i64,
    pub place: String,
}

#[derive(Debug, Clone)]
pub struct NewOccasion {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub application_mode: ApplicationMode,
    pub opens_on: Option<NaiveDate>,
    pub closes_on: Option<NaiveDate>,
    pub seats: i64,
    pub place: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct OfferingSession {
    pub id: i64,
    pub occasion_id: i64,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub title: String,
    pub link: String,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub title: String,
    pub link: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Teacher {
    pub id: i64,
    pub organisation_id: i64,
    pub name: String,
    pub email: String,
    pub capacity_hours: f64,
}

/// A teacher's hours on one occasion, with what the load view shows.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Staffing {
    pub occasion_id: i64,
    pub teacher_id: i64,
    pub teacher_name: String,
    pub hours: f64,
    pub offering_id: i64,
    pub offering_title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct OfferingEvent {
    #[sqlx(try_from = "String")]
    pub status: OfferingStatus,
    pub note: String,
    pub user_name: Option<String>,
    pub at: DateTime<Utc>,
}

/// An offering in a list: what the provider workspace shows.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct OfferingSummary {
    pub id: i64,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub kind: OfferingKind,
    #[sqlx(try_from = "String")]
    pub status: OfferingStatus,
    pub kommun_name: Option<String>,
    pub next_start: Option<NaiveDate>,
    pub occasions: i64,
    pub updated_at: DateTime<Utc>,
}

/// Everything the search index needs about some offerings, read in three queries.
#[derive(Debug, Clone, Default)]
pub struct IndexRows {
    pub offerings: Vec<Offering>,
    pub occupations: Vec<OfferingOccupation>,
    pub occasions: Vec<Occasion>,
}

const OFFERING_SELECT: &str = "SELECT f.id, f.provider_id, f.provider_name, f.employer_id,
        e.name AS employer_name, f.internal, f.kind, f.title, f.summary, f.description,
        f.sun_field, s.name AS sun_field_name, f.seqf_level, f.credits, f.credit_kind,
        f.pace_percent, f.format, f.kommun_code, k.name AS kommun_name, k.lan_code,
        l.name AS lan_name, f.address, f.language, f.price_sek, f.payer, f.eligibility, f.url,
        f.status, f.source, f.source_ref, f.copied_from, f.version, f.created_at, f.updated_at
     FROM offering f
     LEFT JOIN organisation e ON e.id = f.employer_id
     LEFT JOIN sun_field s ON s.code = f.sun_field
     LEFT JOIN kommun k ON k.code = f.kommun_code
     LEFT JOIN lan l ON l.code = k.lan_code";

const OCCASION_SELECT: &str = "SELECT id, offering_id, starts_on, ends_on, application_mode,
        opens_on, closes_on, seats, place FROM occasion";

/// `IN ($first, …)` with `n` placeholders (only placeholders are interpolated).
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    let list: Vec<String> = (first..first + n).map(|i| format!("${i}")).collect();
    format!("({})", list.join(", "))
}

/// Appends to the change log inside a transaction.
macro_rules! log_change {
    ($tx:expr, $offering:expr, $now:expr) => {
        sqlx::query("INSERT INTO catalogue_change (offering_id, changed_at) VALUES ($1, $2)")
            .bind($offering)
            .bind($now)
            .execute(&mut *$tx)
            .await
    };
}

/// Replaces one offering's content (and occupations) inside a transaction, if its version is
/// still `version` (`None`: any version); returns the database's result.
macro_rules! update_offering_row {
    ($tx:expr, $id:expr, $version:expr, $f:expr, $by:expr, $now:expr) => {{
        let f: &OfferingFields = $f;
        let r = sqlx::query(
            "UPDATE offering SET employer_id = $1, internal = $2, kind = $3, title = $4,
                summary = $5, description = $6, sun_field = $7, seqf_level = $8, credits = $9,
                credit_kind = $10, pace_percent = $11, format = $12, kommun_code = $13,
                address = $14, language = $15, price_sek = $16, payer = $17, eligibility = $18,
                url = $19, provider_name = $20, version = version + 1, updated_by = $21,
                updated_at = $22
             WHERE id = $23 AND ($24 IS NULL OR version = $24)",
        )
        .bind(f.employer_id)
        .bind(f.internal)
        .bind(&f.kind)
        .bind(&f.title)
        .bind(&f.summary)
        .bind(&f.description)
        .bind(&f.sun_field)
        .bind(f.seqf_level)
        .bind(f.credits)
        .bind(&f.credit_kind)
        .bind(f.pace_percent)
        .bind(&f.format)
        .bind(&f.kommun_code)
        .bind(&f.address)
        .bind(&f.language)
        .bind(f.price_sek)
        .bind(&f.payer)
        .bind(&f.eligibility)
        .bind(&f.url)
        .bind(&f.provider_name)
        .bind($by)
        .bind($now)
        .bind($id)
        .bind($version)
        .execute(&mut *$tx)
        .await?;
        if r.rows_affected() > 0 {
            sqlx::query("DELETE FROM offering_occupation WHERE offering_id = $1")
                .bind($id)
                .execute(&mut *$tx)
                .await?;
            let codes: Vec<&String> = f.ssyk_codes.iter().collect();
            bulk_insert!(
                $tx,
                "offering_occupation",
                ["offering_id", "ssyk_code"],
                codes,
                |q, c| q.bind($id).bind(*c)
            );
        }
        r
    }};
}

/// Inserts one offering's row and occupations inside a transaction; returns its id.
macro_rules! insert_offering_row {
    ($tx:expr, $f:expr, $status:expr, $source:expr, $source_ref:expr, $copied:expr, $by:expr, $now:expr) => {{
        let f: &OfferingFields = $f;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO offering (provider_id, provider_name, employer_id, internal, kind, title,
                summary, description, sun_field, seqf_level, credits, credit_kind, pace_percent,
                format, kommun_code, address, language, price_sek, payer, eligibility, url, status,
                source, source_ref, copied_from, version, created_by, created_at, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                $18, $19, $20, $21, $22, $23, $24, $25, 1, $26, $27, $26, $27)
             RETURNING id",
        )
        .bind(f.provider_id)
        .bind(&f.provider_name)
        .bind(f.employer_id)
        .bind(f.internal)
        .bind(&f.kind)
        .bind(&f.title)
        .bind(&f.summary)
        .bind(&f.description)
        .bind(&f.sun_field)
        .bind(f.seqf_level)
        .bind(f.credits)
        .bind(&f.credit_kind)
        .bind(f.pace_percent)
        .bind(&f.format)
        .bind(&f.kommun_code)
        .bind(&f.address)
        .bind(&f.language)
        .bind(f.price_sek)
        .bind(&f.payer)
        .bind(&f.eligibility)
        .bind(&f.url)
        .bind($status)
        .bind($source)
        .bind($source_ref)
        .bind($copied)
        .bind($by)
        .bind($now)
        .fetch_one(&mut *$tx)
        .await?;
        let codes: Vec<&String> = f.ssyk_codes.iter().collect();
        bulk_insert!($tx, "offering_occupation", ["offering_id", "ssyk_code"], codes,
            |q, c| q.bind(id).bind(*c));
        id
    }};
}

impl Store {
    /// Creates an offering as a draft, with its first workflow event and the published list
    /// entries it answers (`(published list, SSYK code)`).
    ///
    /// # Errors
    /// A database error (an unknown code); nothing is stored.
    pub async fn create_offering(
        &self,
        fields: &OfferingFields,
        copied_from: Option<i64>,
        answers: &[(i64, String)],
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let draft = OfferingStatus::Draft.as_str();
            let id = insert_offering_row!(tx, fields, draft, "lärnav", None::<String>, copied_from, by, now);
            sqlx::query("INSERT INTO offering_event (offering_id, status, note, user_id, at) VALUES ($1, $2, '', $3, $4)")
                .bind(id).bind(draft).bind(by).bind(now).execute(&mut *tx).await?;
            for (published, ssyk) in answers {
                sqlx::query("INSERT INTO offering_answer (offering_id, published_id, ssyk_code, created_at)
                             VALUES ($1, $2, $3, $4)")
                    .bind(id).bind(published).bind(ssyk).bind(now).execute(&mut *tx).await?;
            }
            log_change!(tx, id, now)?;
            let mut audit = audit.clone();
            audit.target = format!("offering:{id}");
            write_audit!(&mut *tx, &audit, now)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Creates drafts from a provider's file, each with its occasion when the file gave one,
    /// in one transaction: all of them or none. Returns their ids in order.
    ///
    /// # Errors
    /// A database error (nothing is stored).
    pub async fn create_offerings(
        &self,
        drafts: &[(OfferingFields, Option<NewOccasion>)],
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<Vec<i64>> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let draft = OfferingStatus::Draft.as_str();
            let mut ids = Vec::with_capacity(drafts.len());
            for (fields, occasion) in drafts {
                let id = insert_offering_row!(tx, fields, draft, "lärnav", None::<String>, None::<i64>, by, now);
                sqlx::query("INSERT INTO offering_event (offering_id, status, note, user_id, at) VALUES ($1, $2, '', $3, $4)")
                    .bind(id).bind(draft).bind(by).bind(now).execute(&mut *tx).await?;
                if let Some(o) = occasion {
                    sqlx::query(
                        "INSERT INTO occasion (offering_id, starts_on, ends_on, application_mode, opens_on, closes_on, seats, place)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                        .bind(id).bind(o.starts_on).bind(o.ends_on).bind(o.application_mode.as_str())
                        .bind(o.opens_on).bind(o.closes_on).bind(o.seats).bind(&o.place)
                        .execute(&mut *tx).await?;
                }
                log_change!(tx, id, now)?;
                ids.push(id);
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(ids)
        })
    }

    /// Saves new content of an offering, if nobody saved since `version`.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`offering_version`) when the stored version is newer;
    /// [`StoreError::NotFound`].
    pub async fn update_offering(
        &self,
        id: i64,
        version: i64,
        fields: &OfferingFields,
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        let f = fields;
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let r = update_offering_row!(tx, id, Some(version), f, by, now);
            if r.rows_affected() == 0 {
                let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM offering WHERE id = $1")
                    .bind(id).fetch_optional(&mut *tx).await?;
                return Err(match exists {
                    Some(_) => StoreError::Conflict(Conflict::OfferingVersion),
                    None => StoreError::NotFound,
                });
            }
            log_change!(tx, id, now)?;
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Moves an offering from `from` to `to` in the workflow, recording why and who (the
    /// audit record's actor).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`offering_status`) when its status is no longer `from`.
    pub async fn set_offering_status(
        &self,
        id: i64,
        (from, to): (OfferingStatus, OfferingStatus),
        note: &str,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        let by = audit.actor_user_id;
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let r = sqlx::query(
                "UPDATE offering SET status = $1, version = version + 1, updated_by = $2, updated_at = $3
                 WHERE id = $4 AND status = $5")
                .bind(to.as_str()).bind(by).bind(now).bind(id).bind(from.as_str())
                .execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::Conflict(Conflict::OfferingStatus));
            }
            sqlx::query("INSERT INTO offering_event (offering_id, status, note, user_id, at) VALUES ($1, $2, $3, $4, $5)")
                .bind(id).bind(to.as_str()).bind(note).bind(by).bind(now).execute(&mut *tx).await?;
            log_change!(tx, id, now)?;
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn offering(&self, id: i64) -> Result<Offering> {
        let sql = format!("{OFFERING_SELECT} WHERE f.id = $1");
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id).fetch_one(p).await)?,
        )
    }

    /// # Errors
    /// A database error.
    pub async fn offering_occupations(&self, id: i64) -> Result<Vec<OfferingOccupation>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT o.offering_id, o.ssyk_code, g.name FROM offering_occupation o
             JOIN occupation_group g ON g.code = o.ssyk_code WHERE o.offering_id = $1 ORDER BY o.ssyk_code")
            .bind(id).fetch_all(p).await)?)
    }

    /// Who last sent the offering to review, if anyone did.
    ///
    /// # Errors
    /// A database error.
    pub async fn offering_submitter(&self, id: i64) -> Result<Option<i64>> {
        let row: Option<(Option<i64>,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT user_id FROM offering_event WHERE offering_id = $1 AND status = 'review'
             ORDER BY at DESC, id DESC LIMIT 1")
            .bind(id).fetch_optional(p).await)?;
        Ok(row.and_then(|r| r.0))
    }

    /// # Errors
    /// A database error.
    pub async fn offering_events(&self, id: i64) -> Result<Vec<OfferingEvent>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT e.status, e.note, u.display_name AS user_name, e.at FROM offering_event e
             LEFT JOIN app_user u ON u.id = e.user_id WHERE e.offering_id = $1 ORDER BY e.at, e.id")
            .bind(id).fetch_all(p).await)?)
    }

    /// An organisation's offerings, most recently changed first.
    ///
    /// # Errors
    /// A database error.
    pub async fn offerings_of(&self, provider_id: i64) -> Result<Vec<OfferingSummary>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT f.id, f.title, f.kind, f.status, k.name AS kommun_name,
                (SELECT MIN(o.starts_on) FROM occasion o WHERE o.offering_id = f.id) AS next_start,
                (SELECT COUNT(*) FROM occasion o WHERE o.offering_id = f.id) AS occasions,
                f.updated_at
             FROM offering f LEFT JOIN kommun k ON k.code = f.kommun_code
             WHERE f.provider_id = $1 ORDER BY f.updated_at DESC, f.id DESC")
            .bind(provider_id).fetch_all(p).await)?)
    }

    /// # Errors
    /// A database error.
    pub async fn occasions(&self, offering_id: i64) -> Result<Vec<Occasion>> {
        let sql = format!("{OCCASION_SELECT} WHERE offering_id = $1 ORDER BY starts_on, id");
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(offering_id).fetch_all(p).await)?,
        )
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn occasion(&self, id: i64) -> Result<Occasion> {
        let sql = format!("{OCCASION_SELECT} WHERE id = $1");
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id).fetch_one(p).await)?,
        )
    }

    /// Adds an occasion (`id` = `None`) or replaces one's values.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown occasion; a database error.
    pub async fn save_occasion(
        &self,
        offering_id: i64,
        id: Option<i64>,
        o: &NewOccasion,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let id = match id {
                None => {
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO occasion (offering_id, starts_on, ends_on, application_mode, opens_on, closes_on, seats, place)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
                        .bind(offering_id).bind(o.starts_on).bind(o.ends_on).bind(o.application_mode.as_str())
                        .bind(o.opens_on).bind(o.closes_on).bind(o.seats).bind(&o.place)
                        .fetch_one(&mut *tx).await?;
                    id
                }
                Some(id) => {
                    let r = sqlx::query(
                        "UPDATE occasion SET starts_on = $1, ends_on = $2, application_mode = $3, opens_on = $4,
                            closes_on = $5, seats = $6, place = $7 WHERE id = $8 AND offering_id = $9")
                        .bind(o.starts_on).bind(o.ends_on).bind(o.application_mode.as_str()).bind(o.opens_on)
                        .bind(o.closes_on).bind(o.seats).bind(&o.place).bind(id).bind(offering_id)
                        .execute(&mut *tx).await?;
                    if r.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    id
                }
            };
            log_change!(tx, offering_id, now)?;
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Removes an occasion with its sessions and staffing.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn delete_occasion(
        &self,
        offering_id: i64,
        id: i64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let r = sqlx::query("DELETE FROM occasion WHERE id = $1 AND offering_id = $2")
                .bind(id).bind(offering_id).execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            log_change!(tx, offering_id, now)?;
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// # Errors
    /// A database error.
    pub async fn offering_sessions(&self, occasion_id: i64) -> Result<Vec<OfferingSession>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT id, occasion_id, starts_at, ends_at, title, link FROM offering_session
             WHERE occasion_id = $1 ORDER BY starts_at, id")
            .bind(occasion_id).fetch_all(p).await)?)
    }

    /// Adds sessions to an occasion, all or none.
    ///
    /// # Errors
    /// A database error; nothing is stored.
    pub async fn add_offering_sessions(
        &self,
        occasion_id: i64,
        sessions: &[NewSession],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            bulk_insert!(tx, "offering_session", ["occasion_id", "starts_at", "ends_at", "title", "link"],
                sessions, |q, s| q.bind(occasion_id).bind(s.starts_at).bind(s.ends_at).bind(&s.title).bind(&s.link));
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn delete_offering_session(
        &self,
        occasion_id: i64,
        id: i64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let r = sqlx::query("DELETE FROM offering_session WHERE id = $1 AND occasion_id = $2")
                .bind(id).bind(occasion_id).execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// An organisation's teachers, by name.
    ///
    /// # Errors
    /// A database error.
    pub async fn teachers(&self, organisation_id: i64) -> Result<Vec<Teacher>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT id, organisation_id, name, email, capacity_hours FROM teacher
             WHERE organisation_id = $1 ORDER BY name, id")
            .bind(organisation_id).fetch_all(p).await)?)
    }

    /// # Errors
    /// A database error.
    pub async fn create_teacher(
        &self,
        organisation_id: i64,
        name: &str,
        email: &str,
        capacity_hours: f64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        Ok(audited_insert!(
            self,
            audit,
            now,
            sqlx::query_as(
                "INSERT INTO teacher (organisation_id, name, email, capacity_hours, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id"
            )
            .bind(organisation_id)
            .bind(name)
            .bind(email)
            .bind(capacity_hours)
            .bind(now)
        ))
    }

    /// Sets a teacher's hours on an occasion (adding the teacher if new); 0 hours removes.
    ///
    /// # Errors
    /// A database error.
    pub async fn set_staffing(
        &self,
        occasion_id: i64,
        teacher_id: i64,
        hours: f64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            sqlx::query("DELETE FROM occasion_teacher WHERE occasion_id = $1 AND teacher_id = $2")
                .bind(occasion_id).bind(teacher_id).execute(&mut *tx).await?;
            if hours > 0.0 {
                sqlx::query("INSERT INTO occasion_teacher (occasion_id, teacher_id, hours) VALUES ($1, $2, $3)")
                    .bind(occasion_id).bind(teacher_id).bind(hours).execute(&mut *tx).await?;
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Staffing of one offering's occasions, or of all occasions of an organisation's
    /// teachers (for the load view).
    ///
    /// # Errors
    /// A database error.
    pub async fn staffing(
        &self,
        offering_id: Option<i64>,
        organisation_id: Option<i64>,
    ) -> Result<Vec<Staffing>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT s.occasion_id, s.teacher_id, t.name AS teacher_name, s.hours, o.offering_id,
                f.title AS offering_title, o.starts_on, o.ends_on
             FROM occasion_teacher s JOIN teacher t ON t.id = s.teacher_id
             JOIN occasion o ON o.id = s.occasion_id JOIN offering f ON f.id = o.offering_id
             WHERE ($1 IS NULL OR o.offering_id = $1) AND ($2 IS NULL OR t.organisation_id = $2)
             ORDER BY t.name, o.starts_on")
            .bind(offering_id).bind(organisation_id).fetch_all(p).await)?)
    }

    /// Replaces every offering of an import `source` with `offerings`, all or nothing: an
    /// offering with an unchanged `source_ref` keeps its id (and links to it stay valid).
    /// Returns how many offerings the source has now.
    ///
    /// # Errors
    /// A database error; the previous import then stays as it was.
    pub async fn replace_imported_offerings(
        &self,
        source: &str,
        offerings: &[ImportedOffering],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<usize> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let existing: Vec<(i64, String)> = sqlx::query_as(
                "SELECT id, source_ref FROM offering WHERE source = $1 AND source_ref IS NOT NULL")
                .bind(source).fetch_all(&mut *tx).await?;
            let existing: std::collections::HashMap<String, i64> =
                existing.into_iter().map(|(id, r)| (r, id)).collect();
            let wanted: std::collections::HashSet<&str> =
                offerings.iter().map(|o| o.source_ref.as_str()).collect();
            for (reference, id) in &existing {
                if !wanted.contains(reference.as_str()) {
                    sqlx::query("DELETE FROM offering WHERE id = $1").bind(id).execute(&mut *tx).await?;
                    log_change!(tx, *id, now)?;
                }
            }
            let published = OfferingStatus::Published.as_str();
            for o in offerings {
                let id = match existing.get(&o.source_ref) {
                    // Re-imported: new content under the same id; occasions are replaced.
                    Some(&id) => {
                        update_offering_row!(tx, id, None::<i64>, &o.fields, None::<i64>, now);
                        sqlx::query("DELETE FROM occasion WHERE offering_id = $1")
                            .bind(id).execute(&mut *tx).await?;
                        id
                    }
                    None => insert_offering_row!(tx, &o.fields, published, source,
                        Some(&o.source_ref), None::<i64>, None::<i64>, now),
                };
                let occasions: Vec<&NewOccasion> = o.occasions.iter().collect();
                bulk_insert!(tx, "occasion",
                    ["offering_id", "starts_on", "ends_on", "application_mode", "opens_on", "closes_on", "seats", "place"],
                    occasions,
                    |q, c| q.bind(id).bind(c.starts_on).bind(c.ends_on).bind(c.application_mode.as_str())
                        .bind(c.opens_on).bind(c.closes_on).bind(c.seats).bind(&c.place));
                log_change!(tx, id, now)?;
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(offerings.len())
        })
    }

    /// The newest change id (0 when there is none).
    ///
    /// # Errors
    /// A database error.
    pub async fn latest_catalogue_change(&self) -> Result<i64> {
        let (id,): (Option<i64>,) = on_pool!(self, p => sqlx::query_as(
            "SELECT MAX(id) FROM catalogue_change").fetch_one(p).await)?;
        Ok(id.unwrap_or(0))
    }

    /// Changes after `after`, plus every change recorded since `recent` (a transaction that
    /// took its id before a newer one but committed after it would otherwise be skipped;
    /// applying a change twice is harmless). Returns (change id, offering id) pairs.
    ///
    /// # Errors
    /// A database error.
    pub async fn catalogue_changes(
        &self,
        after: i64,
        recent: DateTime<Utc>,
    ) -> Result<Vec<(i64, i64)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT id, offering_id FROM catalogue_change WHERE id > $1 OR changed_at >= $2 ORDER BY id")
            .bind(after).bind(recent).fetch_all(p).await)?)
    }

    /// What the index needs about the given offerings (all of them when `ids` is `None`).
    ///
    /// # Errors
    /// A database error.
    pub async fn index_rows(&self, ids: Option<&[i64]>) -> Result<IndexRows> {
        let mut rows = IndexRows::default();
        let all = [None];
        let chunks: Vec<Option<&[i64]>> = match ids {
            None => all.to_vec(),
            Some(ids) => ids.chunks(500).map(Some).collect(),
        };
        for chunk in chunks {
            let filter = |col: &str| match chunk {
                None => String::new(),
                Some(c) => format!(" WHERE {col} IN {}", placeholders(1, c.len())),
            };
            let offerings = format!("{OFFERING_SELECT}{}", filter("f.id"));
            let occupations = format!(
                "SELECT o.offering_id, o.ssyk_code, g.name FROM offering_occupation o
                 JOIN occupation_group g ON g.code = o.ssyk_code{}",
                filter("o.offering_id")
            );
            let occasions = format!("{OCCASION_SELECT}{}", filter("offering_id"));
            let binds = chunk.unwrap_or_default();
            on_pool!(self, p => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(offerings));
                for id in binds { q = q.bind(id); }
                rows.offerings.extend(q.fetch_all(p).await?);
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(occupations));
                for id in binds { q = q.bind(id); }
                rows.occupations.extend(q.fetch_all(p).await?);
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(occasions));
                for id in binds { q = q.bind(id); }
                rows.occasions.extend(q.fetch_all(p).await?);
            });
        }
        Ok(rows)
    }
}
