//! The network's themes and mentorship rounds: offers to be a model, applications, pairs, the
//! pair's shared space and the closing evaluation. The proposal itself runs in the app layer
//! (`larnav_domain::network::mentorship`); this module stores what the organiser decided.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::audited_insert;
use crate::{
    AuditRecord, BeginWrite, Conflict, Result, Store, StoreError, bulk_insert, on_pool,
    require_open, write_audit,
};

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct NetworkTheme {
    pub id: i64,
    pub name: String,
}

/// A round as typed (checked by the app layer).
#[derive(Debug, Clone)]
pub struct MentorshipRoundFields {
    pub name: String,
    pub description: String,
    /// Theme ids as JSON.
    pub themes: String,
    pub applications_close: NaiveDate,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct MentorshipRound {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub name: String,
    pub description: String,
    /// Theme ids as JSON (`[1, 2, 3, 4]`).
    #[serde(skip)]
    pub themes: String,
    pub applications_close: NaiveDate,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// open, published or closed.
    pub status: String,
    pub offers: i64,
    pub applications: i64,
    pub published_at: Option<DateTime<Utc>>,
    /// When the organiser closed applications before the last day (which then says that day).
    pub closed_early_at: Option<DateTime<Utc>>,
    /// Why they did, as told to every organisation taking part.
    pub closed_early_reason: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct MentorshipOffer {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub theme_id: i64,
    pub theme_name: String,
    pub capacity: i64,
    /// Members paired with this model.
    pub taken: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct MentorshipApplicationRow {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub theme_id: i64,
    pub theme_name: String,
    /// Offer ids, most wanted first, as JSON.
    pub preferences: String,
    pub motivation: String,
    pub pair_id: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct MentorshipPair {
    pub id: i64,
    pub round_id: i64,
    pub application_id: i64,
    pub offer_id: i64,
    pub member_id: i64,
    pub member_name: String,
    pub model_id: i64,
    pub model_name: String,
    pub theme_name: String,
    pub goals: String,
    pub plan: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct MentorshipLogEntry {
    pub id: i64,
    /// meeting, note or document.
    pub kind: String,
    pub met_on: Option<NaiveDate>,
    pub body: String,
    pub url: Option<String>,
    pub author_name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct MentorshipEvaluation {
    pub pair_id: i64,
    pub organisation_id: i64,
    /// Answers on the 1–5 scale as JSON.
    pub answers: String,
    pub comment: String,
}

const ROUND: &str = "SELECT r.id, r.organisation_id, o.name AS organisation_name, r.name,
        r.description, r.themes, r.applications_close, r.starts_on, r.ends_on, r.status,
        (SELECT COUNT(*) FROM mentorship_offer f WHERE f.round_id = r.id) AS offers,
        (SELECT COUNT(*) FROM mentorship_application a WHERE a.round_id = r.id) AS applications,
        r.published_at, r.closed_early_at, r.closed_early_reason
     FROM mentorship_round r JOIN organisation o ON o.id = r.organisation_id";

const PAIR: &str = "SELECT x.id, x.round_id, x.application_id, x.offer_id,
        a.organisation_id AS member_id, mo.name AS member_name,
        f.organisation_id AS model_id, fo.name AS model_name, t.name AS theme_name,
        x.goals, x.plan
     FROM mentorship_pair x
     JOIN mentorship_application a ON a.id = x.application_id
     JOIN organisation mo ON mo.id = a.organisation_id
     JOIN mentorship_offer f ON f.id = x.offer_id
     JOIN organisation fo ON fo.id = f.organisation_id
     JOIN network_theme t ON t.id = f.theme_id";

impl Store {
    /// The themes in the order they were added (the association's four first).
    ///
    /// # Errors
    /// A database error.
    pub async fn themes(&self) -> Result<Vec<NetworkTheme>> {
        on_pool!(self, p => Ok(sqlx::query_as("SELECT id, name FROM network_theme ORDER BY id")
            .fetch_all(p).await?))
    }

    /// # Errors
    /// [`StoreError::Conflict`] when a theme of that (folded) name exists.
    pub async fn add_theme(
        &self,
        name: &str,
        name_fold: &str,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        Ok(audited_insert!(
            self,
            audit,
            now,
            sqlx::query_as(
                "INSERT INTO network_theme (name, name_fold, created_at) VALUES ($1, $2, $3)
                 RETURNING id"
            )
            .bind(name)
            .bind(name_fold)
            .bind(now)
        ))
    }

    /// # Errors
    /// A database error.
    pub async fn create_mentorship_round(
        &self,
        organisation_id: i64,
        f: &MentorshipRoundFields,
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        Ok(audited_insert!(
            self,
            audit,
            now,
            target = "mentorship_round",
            sqlx::query_as(
                "INSERT INTO mentorship_round (organisation_id, name, description, themes,
                    applications_close, starts_on, ends_on, status, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9) RETURNING id"
            )
            .bind(organisation_id)
            .bind(&f.name)
            .bind(&f.description)
            .bind(&f.themes)
            .bind(f.applications_close)
            .bind(f.starts_on)
            .bind(f.ends_on)
            .bind(by)
            .bind(now)
        ))
    }

    /// Every round, newest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn mentorship_rounds(&self) -> Result<Vec<MentorshipRound>> {
        let sql = format!("{ROUND} ORDER BY r.starts_on DESC, r.id DESC");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?))
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn mentorship_round(&self, id: i64) -> Result<MentorshipRound> {
        let sql = format!("{ROUND} WHERE r.id = $1");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(p).await?))
    }

    /// Moves a round between open, published and closed.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`mentorship_round_changed`) if it is no longer in `from`.
    pub async fn set_mentorship_round_status(
        &self,
        id: i64,
        from: &str,
        to: &str,
        mails: &[crate::NewMail],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        self.transition("mentorship_round", id, from, to, mails, now, audit)
            .await
    }

    /// Closes applications to an open round before its last day: the last day becomes `day`,
    /// the reason is kept and the e-mails are queued in the same transaction.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`NotOpen`: not open, or closed early already).
    #[allow(clippy::too_many_arguments)]
    pub async fn close_mentorship_applications(
        &self,
        id: i64,
        day: NaiveDate,
        reason: &str,
        mails: &[crate::NewMail],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let r = sqlx::query(
                "UPDATE mentorship_round SET applications_close = $1, closed_early_at = $2,
                    closed_early_reason = $3
                 WHERE id = $4 AND status = 'open' AND closed_early_at IS NULL")
                .bind(day).bind(now).bind(reason).bind(id)
                .execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::Conflict(Conflict::NotOpen));
            }
            crate::outbox::enqueue_mails!(tx, mails, now)?;
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// # Errors
    /// A database error.
    pub async fn mentorship_offers(&self, round_id: i64) -> Result<Vec<MentorshipOffer>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT f.id, f.organisation_id, o.name AS organisation_name, f.theme_id,
                    t.name AS theme_name, f.capacity,
                    (SELECT COUNT(*) FROM mentorship_pair x WHERE x.offer_id = f.id) AS taken
             FROM mentorship_offer f
             JOIN organisation o ON o.id = f.organisation_id
             JOIN network_theme t ON t.id = f.theme_id
             WHERE f.round_id = $1 ORDER BY f.theme_id, f.id")
            .bind(round_id).fetch_all(p).await?))
    }

    /// Sets an organisation's offer to be a model within a theme of an open round; capacity 0
    /// withdraws it (and ends its pairs).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`round_not_open`).
    #[allow(clippy::too_many_arguments)]
    pub async fn save_mentorship_offer(
        &self,
        round_id: i64,
        organisation_id: i64,
        theme_id: i64,
        capacity: i64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            require_open!(tx, "mentorship_round", round_id);
            sqlx::query(
                "DELETE FROM mentorship_offer
                 WHERE round_id = $1 AND organisation_id = $2 AND theme_id = $3 AND $4 = 0")
                .bind(round_id).bind(organisation_id).bind(theme_id).bind(capacity)
                .execute(&mut *tx).await?;
            if capacity > 0 {
                sqlx::query(
                    "INSERT INTO mentorship_offer (round_id, organisation_id, theme_id, capacity,
                        created_at) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (round_id, organisation_id, theme_id)
                     DO UPDATE SET capacity = excluded.capacity")
                    .bind(round_id).bind(organisation_id).bind(theme_id).bind(capacity).bind(now)
                    .execute(&mut *tx).await?;
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// # Errors
    /// A database error.
    pub async fn mentorship_applications(
        &self,
        round_id: i64,
    ) -> Result<Vec<MentorshipApplicationRow>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT a.id, a.organisation_id, o.name AS organisation_name, a.theme_id,
                    t.name AS theme_name, a.preferences, a.motivation,
                    (SELECT x.id FROM mentorship_pair x WHERE x.application_id = a.id) AS pair_id
             FROM mentorship_application a
             JOIN organisation o ON o.id = a.organisation_id
             JOIN network_theme t ON t.id = a.theme_id
             WHERE a.round_id = $1 ORDER BY a.theme_id, a.id")
            .bind(round_id).fetch_all(p).await?))
    }

    /// An organisation's application to an open round.
    ///
    /// # Errors
    /// [`StoreError::Conflict`]: `round_not_open`, or a unique violation when the organisation
    /// already applied.
    #[allow(clippy::too_many_arguments)]
    pub async fn apply_for_mentorship(
        &self,
        round_id: i64,
        organisation_id: i64,
        theme_id: i64,
        preferences: &str,
        motivation: &str,
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            require_open!(tx, "mentorship_round", round_id);
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO mentorship_application (round_id, organisation_id, theme_id,
                    preferences, motivation, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
                .bind(round_id).bind(organisation_id).bind(theme_id).bind(preferences)
                .bind(motivation).bind(by).bind(now)
                .fetch_one(&mut *tx).await?;
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Withdraws an organisation's application to an open round (and ends its pair).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`round_not_open`); [`StoreError::NotFound`].
    pub async fn withdraw_application(
        &self,
        round_id: i64,
        organisation_id: i64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            require_open!(tx, "mentorship_round", round_id);
            let done = sqlx::query(
                "DELETE FROM mentorship_application WHERE round_id = $1 AND organisation_id = $2")
                .bind(round_id).bind(organisation_id).execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Replaces all pairs of an open round with (application, offer) pairs, recording the
    /// lottery seed that produced them.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`round_not_open`).
    pub async fn replace_mentorship_pairs(
        &self,
        round_id: i64,
        pairs: &[(i64, i64)],
        seed: i64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            require_open!(tx, "mentorship_round", round_id);
            sqlx::query("DELETE FROM mentorship_pair WHERE round_id = $1")
                .bind(round_id).execute(&mut *tx).await?;
            sqlx::query("UPDATE mentorship_round SET seed = $1 WHERE id = $2")
                .bind(seed).bind(round_id).execute(&mut *tx).await?;
            bulk_insert!(tx, "mentorship_pair",
                ["round_id", "application_id", "offer_id", "created_at"], pairs,
                |q, x| q.bind(round_id).bind(x.0).bind(x.1).bind(now));
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Pairs an application with an offer by hand (ending the application's pair), or only
    /// ends it when `offer_id` is `None`.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`round_not_open`).
    pub async fn set_mentorship_pair(
        &self,
        round_id: i64,
        application_id: i64,
        offer_id: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            require_open!(tx, "mentorship_round", round_id);
            sqlx::query("DELETE FROM mentorship_pair WHERE round_id = $1 AND application_id = $2")
                .bind(round_id).bind(application_id).execute(&mut *tx).await?;
            if let Some(offer_id) = offer_id {
                sqlx::query(
                    "INSERT INTO mentorship_pair (round_id, application_id, offer_id, created_at)
                     VALUES ($1, $2, $3, $4)")
                    .bind(round_id).bind(application_id).bind(offer_id).bind(now)
                    .execute(&mut *tx).await?;
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// A round's pairs by theme and member.
    ///
    /// # Errors
    /// A database error.
    pub async fn mentorship_pairs(&self, round_id: i64) -> Result<Vec<MentorshipPair>> {
        let sql = format!("{PAIR} WHERE x.round_id = $1 ORDER BY f.theme_id, mo.name, x.id");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(round_id).fetch_all(p).await?))
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn mentorship_pair(&self, pair_id: i64) -> Result<MentorshipPair> {
        let sql = format!("{PAIR} WHERE x.id = $1");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(pair_id).fetch_one(p).await?))
    }

    /// Saves the pair's goals and meeting plan.
    ///
    /// # Errors
    /// A database error.
    pub async fn save_pair_space(&self, pair_id: i64, goals: &str, plan: &str) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query("UPDATE mentorship_pair SET goals = $1, plan = $2 WHERE id = $3")
                .bind(goals).bind(plan).bind(pair_id).execute(p).await?;
            Ok(())
        })
    }

    /// # Errors
    /// A database error.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_mentorship_log(
        &self,
        pair_id: i64,
        kind: &str,
        met_on: Option<NaiveDate>,
        body: &str,
        url: Option<&str>,
        author: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO mentorship_log (pair_id, kind, met_on, body, url, author_id,
                    created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(pair_id).bind(kind).bind(met_on).bind(body).bind(url).bind(author)
                .bind(now).execute(p).await?;
            Ok(())
        })
    }

    /// A pair's log, newest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn mentorship_log(&self, pair_id: i64) -> Result<Vec<MentorshipLogEntry>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT l.id, l.kind, l.met_on, l.body, l.url,
                    COALESCE(u.display_name, '') AS author_name, l.created_at
             FROM mentorship_log l LEFT JOIN app_user u ON u.id = l.author_id
             WHERE l.pair_id = $1 ORDER BY l.created_at DESC, l.id DESC")
            .bind(pair_id).fetch_all(p).await?))
    }

    /// Stores one side's evaluation of a pair (once).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when that side already answered.
    pub async fn save_mentorship_evaluation(
        &self,
        pair_id: i64,
        organisation_id: i64,
        answers: &str,
        comment: &str,
        by: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO mentorship_evaluation (pair_id, organisation_id, answers, comment,
                    created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(pair_id).bind(organisation_id).bind(answers).bind(comment).bind(by)
                .bind(now).execute(p).await?;
            Ok(())
        })
    }

    /// # Errors
    /// A database error.
    pub async fn mentorship_evaluations(&self, round_id: i64) -> Result<Vec<MentorshipEvaluation>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT e.pair_id, e.organisation_id, e.answers, e.comment
             FROM mentorship_evaluation e JOIN mentorship_pair x ON x.id = e.pair_id
             WHERE x.round_id = $1 ORDER BY e.created_at, e.pair_id")
            .bind(round_id).fetch_all(p).await?))
    }
}
