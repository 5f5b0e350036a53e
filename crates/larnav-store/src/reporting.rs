//! Reporting attributes per enrolment (`larnav_domain::reporting`) and the retention the
//! housekeeping tick enforces on them and on follow-up answers.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{AuditRecord, BeginWrite, Result, Store, on_pool, write_audit};

/// One attribute as stored: `value` None means asked and declined.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredAttribute {
    pub enrolment_id: i64,
    pub name: String,
    pub value: Option<String>,
}

impl Store {
    /// The attributes a person gave on any of their enrolments.
    ///
    /// # Errors
    /// A database error.
    pub async fn learner_attributes(&self, user_id: i64) -> Result<Vec<StoredAttribute>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT a.enrolment_id, a.name, a.value FROM enrolment_attribute a
             JOIN enrolment e ON e.id = a.enrolment_id
             WHERE e.user_id = $1 ORDER BY a.enrolment_id, a.name")
            .bind(user_id).fetch_all(p).await)?)
    }

    /// Replaces the named attributes of one enrolment, `(name, Some(value) | None = declined)`,
    /// all or none; names not given stay as they were.
    ///
    /// # Errors
    /// A database error.
    pub async fn set_enrolment_attributes(
        &self,
        enrolment_id: i64,
        given: &[(&str, Option<&str>)],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            for (name, value) in given {
                sqlx::query(
                    "INSERT INTO enrolment_attribute (enrolment_id, name, value, given_at)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (enrolment_id, name) DO UPDATE SET value = excluded.value,
                        given_at = excluded.given_at")
                    .bind(enrolment_id).bind(name).bind(value).bind(now)
                    .execute(&mut *tx).await?;
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Deletes what is kept no longer, in one transaction: each attribute `(name, last_end)`
    /// of every enrolment that ended on or before that day, and every follow-up (questions and
    /// answers; nothing of it is asked again) answered before `answered_before`. The audit row
    /// (with the counts in its detail) is written only when something went. Yields the counts:
    /// (attributes, follow-ups).
    ///
    /// # Errors
    /// A database error.
    pub async fn delete_expired(
        &self,
        attributes: &[(&str, NaiveDate)],
        answered_before: DateTime<Utc>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<(u64, u64)> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let mut gone = 0;
            for (name, last_end) in attributes {
                gone += sqlx::query(
                    "DELETE FROM enrolment_attribute WHERE name = $1 AND enrolment_id IN
                        (SELECT id FROM enrolment WHERE ended_on <= $2)")
                    .bind(name).bind(last_end).execute(&mut *tx).await?.rows_affected();
            }
            let follow_ups = sqlx::query("DELETE FROM follow_up WHERE answered_at < $1")
                .bind(answered_before).execute(&mut *tx).await?.rows_affected();
            if gone + follow_ups > 0 {
                let mut audit = audit.clone();
                audit.detail = format!("attributes={gone} follow_ups={follow_ups}");
                write_audit!(&mut *tx, &audit, now)?;
            }
            tx.commit().await?;
            Ok((gone, follow_ups))
        })
    }
}
