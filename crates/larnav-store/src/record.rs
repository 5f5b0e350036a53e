//! The learner's record: what one person did in Lärnav, read across the modules, and the
//! erasure of their personal data on request (GDPR art. 17) — with what must stay for others.

use chrono::{DateTime, Utc};
use serde::Serialize;

use larnav_domain::text::{fold, swedish_sort_key};

use crate::{AuditRecord, BeginWrite, Result, Store, StoreError, on_pool, write_audit};

/// One choice of one application, with its outcome.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct RecordChoice {
    pub round_id: i64,
    pub round_name: String,
    pub provider_name: String,
    pub submitted_at: DateTime<Utc>,
    pub rank: i64,
    pub offering_id: i64,
    pub offering_title: String,
    /// pending, eligible, not_eligible, needs_completion.
    pub eligibility: String,
    /// The published outcome (admitted, reserve, not_tried, not_eligible), if any.
    pub outcome: Option<String>,
    /// The offer (offered, accepted, declined, expired, released), if any.
    pub offer: Option<String>,
    /// The occasion's last day: a course accepted and over is a course completed.
    pub ends_on: chrono::NaiveDate,
}

/// A learning-meeting programme the person registered for.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct RecordMeetings {
    pub programme_id: i64,
    pub programme_name: String,
    pub registered_at: DateTime<Utc>,
    /// Meetings planned in the person's pair.
    pub meetings: i64,
}

impl Store {
    /// Every choice of every application the person made, oldest round first.
    ///
    /// # Errors
    /// A database error.
    pub async fn record_choices(&self, user_id: i64) -> Result<Vec<RecordChoice>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT r.id AS round_id, r.name AS round_name, o.name AS provider_name,
                a.submitted_at, c.rank, f.id AS offering_id, f.title AS offering_title,
                c.eligibility,
                CASE WHEN r.status = 'published' THEN res.outcome END AS outcome,
                ofr.status AS offer, oc.ends_on
             FROM application a
             JOIN admission_round r ON r.id = a.round_id
             JOIN organisation o ON o.id = r.provider_id
             JOIN application_choice c ON c.application_id = a.id
             JOIN occasion oc ON oc.id = c.occasion_id
             JOIN offering f ON f.id = oc.offering_id
             LEFT JOIN admission_result res ON res.choice_id = c.id
             LEFT JOIN admission_offer ofr ON ofr.choice_id = c.id
             WHERE a.user_id = $1 ORDER BY a.submitted_at, r.id, c.rank")
            .bind(user_id).fetch_all(p).await?))
    }

    /// The learning-meeting programmes the person registered for.
    ///
    /// # Errors
    /// A database error.
    pub async fn record_meetings(&self, user_id: i64) -> Result<Vec<RecordMeetings>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT g.id AS programme_id, g.name AS programme_name, t.created_at AS registered_at,
                (SELECT COUNT(*) FROM meeting m JOIN meeting_pair pr ON pr.id = m.pair_id
                 WHERE pr.first_id = t.id OR pr.second_id = t.id) AS meetings
             FROM meeting_participant t JOIN meeting_programme g ON g.id = t.programme_id
             WHERE t.user_id = $1 ORDER BY t.created_at")
            .bind(user_id).fetch_all(p).await?))
    }

    /// Erases a person's personal data: their learning (completions, progress and
    /// reflections, ratings, comments, staff-group places), sign-in (sessions, tokens, reset
    /// links, memberships), and their name and e-mail, which become `Raderad användare` and
    /// an address that cannot receive mail. What others depend on stays, no longer naming
    /// them: applications and admission decisions (the provider must be able to show how
    /// admission went), learning-meeting pairs and notes (their partner's), material they
    /// published (under its licence) and the audit log.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn erase_user(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        const NAME: &str = "Raderad användare";
        let email = format!("raderad-{user_id}@larnav.invalid");
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let old: Option<(String,)> = sqlx::query_as("SELECT email FROM app_user WHERE id = $1")
                .bind(user_id).fetch_optional(&mut *tx).await?;
            let Some((old_email,)) = old else {
                return Err(StoreError::NotFound);
            };
            for table in [
                "user_session", "api_token", "password_reset", "membership", "material_rating",
                "material_completion", "collection_item_done", "plan_progress",
                "staff_group_member", "material_comment",
            ] {
                // Only fixed table names are interpolated: safe.
                sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE user_id = $1")))
                    .bind(user_id).execute(&mut *tx).await?;
            }
            // Follow-up answers and reporting attributes are the person's own; the enrolment
            // itself stays, nameless.
            for table in ["follow_up", "enrolment_attribute"] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DELETE FROM {table} WHERE enrolment_id IN (SELECT id FROM enrolment WHERE user_id = $1)")))
                    .bind(user_id).execute(&mut *tx).await?;
            }
            sqlx::query("DELETE FROM invitation WHERE email = $1")
                .bind(&old_email).execute(&mut *tx).await?;
            // Messages to the person, sent or not: an erased person gets no more e-mail.
            sqlx::query("DELETE FROM mail_outbox WHERE recipient = $1")
                .bind(&old_email).execute(&mut *tx).await?;
            sqlx::query(
                "UPDATE app_user SET email = $2, display_name = $3, name_fold = $4, sort_key = $5,
                    password_hash = NULL, platform_admin = FALSE, disabled = TRUE WHERE id = $1")
                .bind(user_id).bind(&email).bind(NAME).bind(fold(NAME))
                .bind(swedish_sort_key(NAME)).execute(&mut *tx).await?;
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }
}
