//! Admission rounds: occasions and rules, applications, eligibility decisions, the stored
//! result of a run, offers, and the replies after publication.
//!
//! The engine runs in the app layer; this module stores what people decided and what the engine
//! gave. A published round's results and seats are frozen by triggers (both backends).

use crate::Conflict;
use crate::audited_insert;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::{
    AuditRecord, BeginWrite, Result, Store, StoreError, bulk_insert, on_pool, write_audit,
};

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct AdmissionRound {
    pub id: i64,
    pub provider_id: i64,
    pub provider_name: String,
    pub name: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub late_until: NaiveDate,
    pub max_choices: i64,
    pub credit_cap: Option<f64>,
    pub reply_days: i64,
    pub status: String,
    pub seed: Option<i64>,
    pub ran_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    /// When staff closed applications before the last day (the dates then say that day).
    pub closed_early_at: Option<DateTime<Utc>>,
    /// Why they did, as told to every applicant.
    pub closed_early_reason: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

/// A round's settings as written (new or edited).
#[derive(Debug, Clone)]
pub struct RoundFields {
    pub name: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub late_until: NaiveDate,
    pub max_choices: i64,
    pub credit_cap: Option<f64>,
    pub reply_days: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct RoundOccasion {
    pub round_id: i64,
    pub occasion_id: i64,
    pub offering_id: i64,
    pub offering_title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub place: String,
    /// Whether the offering is published (only then may people choose it).
    pub offering_status: String,
    pub seats: i64,
    pub credits: f64,
    /// Selection groups as JSON (`[{"name", "quota", "nominated_only"}]`).
    pub groups: String,
    /// Per group, the last admitted of the latest run, as JSON (`[null, {"merit": 19.5, …}]`).
    pub cutoffs: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Application {
    pub id: i64,
    pub round_id: i64,
    pub user_id: i64,
    pub late: bool,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One choice with its applicant, decision, result and offer: what the review queue, the
/// results, the applicant's status page and the exports show.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ChoiceRow {
    pub id: i64,
    pub application_id: i64,
    pub user_id: i64,
    pub applicant_name: String,
    pub applicant_email: String,
    #[serde(skip)]
    pub applicant_locale: String,
    pub late: bool,
    pub occasion_id: i64,
    pub offering_title: String,
    pub starts_on: NaiveDate,
    pub rank: i64,
    pub eligibility: String,
    pub eligibility_note: String,
    pub priority_class: i64,
    pub nominated: bool,
    /// Merit per selection group as JSON (`[19.5, null]`).
    pub merits: String,
    pub documents: i64,
    pub outcome: Option<String>,
    pub selection_group: Option<i64>,
    pub shared: Option<bool>,
    pub reserve_position: Option<i64>,
    pub offer_status: Option<String>,
    pub promoted: Option<bool>,
    pub reply_by: Option<NaiveDate>,
}

/// What the engine reads of one choice (and the stored outcome), without the names and titles
/// that pages show: a national round has millions of choices.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EngineChoice {
    pub id: i64,
    pub application_id: i64,
    pub late: bool,
    pub occasion_id: i64,
    pub eligibility: String,
    pub priority_class: i64,
    pub nominated: bool,
    pub merits: String,
    pub outcome: Option<String>,
}

/// Staff's decision on one choice.
#[derive(Debug, Clone)]
pub struct ChoiceDecision {
    pub eligibility: String,
    pub note: String,
    pub priority_class: i64,
    pub nominated: bool,
    pub merits: String,
}

/// The engine's outcome of one choice, to store.
#[derive(Debug, Clone)]
pub struct ResultRow {
    pub choice_id: i64,
    pub outcome: &'static str,
    pub selection_group: Option<i64>,
    pub shared: bool,
    pub reserve_position: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Reply {
    pub id: i64,
    pub kind: String,
    pub choice_id: Option<i64>,
    pub occasion_id: Option<i64>,
    pub seats: Option<i64>,
    pub at: DateTime<Utc>,
}

/// A reply after publication and what it changed, stored together.
#[derive(Debug, Clone)]
pub struct ReplyChange {
    pub kind: &'static str,
    pub choice_id: Option<i64>,
    pub occasion_id: Option<i64>,
    pub seats: Option<i64>,
    /// Offers whose status changes: (choice, new status).
    pub statuses: Vec<(i64, &'static str)>,
    /// New offers to reserves: (choice, reply by).
    pub offers: Vec<(i64, NaiveDate)>,
    /// The e-mails the reply causes, queued in its transaction.
    pub mails: Vec<crate::NewMail>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ApplicationDocument {
    pub id: i64,
    pub application_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    #[serde(skip)]
    pub storage_key: String,
    pub uploaded_at: DateTime<Utc>,
}

const ROUND_SELECT: &str =
    "SELECT r.id, r.provider_id, o.name AS provider_name, r.name, r.opens_on,
        r.closes_on, r.late_until, r.max_choices, r.credit_cap, r.reply_days, r.status, r.seed,
        r.ran_at, r.published_at, r.closed_early_at, r.closed_early_reason, r.version,
        r.created_at
     FROM admission_round r JOIN organisation o ON o.id = r.provider_id";

const CHOICE_SELECT: &str = "SELECT c.id, c.application_id, a.user_id, u.display_name AS applicant_name,
        u.email AS applicant_email, u.locale AS applicant_locale, a.late, c.occasion_id, f.title AS offering_title, oc.starts_on,
        c.rank, c.eligibility, c.eligibility_note, c.priority_class, c.nominated, c.merits,
        (SELECT COUNT(*) FROM application_document d WHERE d.application_id = a.id) AS documents,
        res.outcome, res.selection_group, res.shared, res.reserve_position,
        off.status AS offer_status, off.promoted, off.reply_by
     FROM application_choice c
     JOIN application a ON a.id = c.application_id
     JOIN app_user u ON u.id = a.user_id
     JOIN occasion oc ON oc.id = c.occasion_id
     JOIN offering f ON f.id = oc.offering_id
     LEFT JOIN admission_result res ON res.choice_id = c.id
     LEFT JOIN admission_offer off ON off.choice_id = c.id";

/// Refuses a change to a round that is published (or gone) inside a transaction.
macro_rules! require_unpublished {
    ($tx:expr, $round:expr) => {{
        let status: Option<(String,)> =
            sqlx::query_as("SELECT status FROM admission_round WHERE id = $1")
                .bind($round)
                .fetch_optional(&mut *$tx)
                .await?;
        match status {
            None => return Err(StoreError::NotFound),
            Some((s,)) if s == "published" => {
                return Err(StoreError::Conflict(Conflict::RoundPublished));
            }
            Some(_) => {}
        }
    }};
}

/// After a change to what the engine reads: a stored run no longer matches the data, so the
/// round is open again (it must be run again before it can be published).
macro_rules! result_outdated {
    ($tx:expr, $round:expr) => {
        sqlx::query(
            "UPDATE admission_round SET status = 'open', version = version + 1
             WHERE id = $1 AND status = 'run'",
        )
        .bind($round)
        .execute(&mut *$tx)
        .await?
    };
}

impl Store {
    /// # Errors
    /// A database error.
    pub async fn create_round(
        &self,
        provider_id: i64,
        f: &RoundFields,
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        Ok(audited_insert!(
            self,
            audit,
            now,
            target = "admission_round",
            sqlx::query_as(
                "INSERT INTO admission_round (provider_id, name, opens_on, closes_on, late_until,
                    max_choices, credit_cap, reply_days, status, version, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', 1, $9, $10) RETURNING id"
            )
            .bind(provider_id)
            .bind(&f.name)
            .bind(f.opens_on)
            .bind(f.closes_on)
            .bind(f.late_until)
            .bind(f.max_choices)
            .bind(f.credit_cap)
            .bind(f.reply_days)
            .bind(by)
            .bind(now)
        ))
    }

    /// # Errors
    /// [`StoreError::Conflict`] (`round_published`); [`StoreError::NotFound`].
    pub async fn update_round(
        &self,
        id: i64,
        f: &RoundFields,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            require_unpublished!(tx, id);
            sqlx::query(
                "UPDATE admission_round SET name = $1, opens_on = $2, closes_on = $3,
                    late_until = $4, max_choices = $5, credit_cap = $6, reply_days = $7,
                    version = version + 1
                 WHERE id = $8")
                .bind(&f.name).bind(f.opens_on).bind(f.closes_on).bind(f.late_until)
                .bind(f.max_choices).bind(f.credit_cap).bind(f.reply_days).bind(id)
                .execute(&mut *tx).await?;
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn round(&self, id: i64) -> Result<AdmissionRound> {
        let sql = format!("{ROUND_SELECT} WHERE r.id = $1");
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(p).await)?,
        )
    }

    /// A provider's rounds, newest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn provider_rounds(&self, provider_id: i64) -> Result<Vec<AdmissionRound>> {
        let sql =
            format!("{ROUND_SELECT} WHERE r.provider_id = $1 ORDER BY r.opens_on DESC, r.id DESC");
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(provider_id).fetch_all(p).await)?,
        )
    }

    /// Rounds taking applications on `today` (late ones included), closing soonest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn open_rounds(&self, today: NaiveDate) -> Result<Vec<AdmissionRound>> {
        let sql = format!(
            "{ROUND_SELECT} WHERE r.status <> 'published' AND r.closed_early_at IS NULL
                AND r.opens_on <= $1 AND r.late_until >= $1
             ORDER BY r.closes_on, r.id"
        );
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(today).fetch_all(p).await)?,
        )
    }

    /// The rounds a person applied in, newest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn rounds_applied(&self, user_id: i64) -> Result<Vec<AdmissionRound>> {
        let sql = format!(
            "{ROUND_SELECT} JOIN application a ON a.round_id = r.id WHERE a.user_id = $1
             ORDER BY r.opens_on DESC, r.id DESC"
        );
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(user_id).fetch_all(p).await)?,
        )
    }

    /// Adds an occasion to a round or changes its seats, credits and groups.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`round_published`); [`StoreError::NotFound`].
    #[allow(clippy::too_many_arguments)]
    pub async fn set_round_occasion(
        &self,
        round_id: i64,
        occasion_id: i64,
        seats: i64,
        credits: f64,
        groups: &str,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            require_unpublished!(tx, round_id);
            sqlx::query(
                "INSERT INTO round_occasion (round_id, occasion_id, seats, credits, groups, cutoffs)
                 VALUES ($1, $2, $3, $4, $5, '[]')
                 ON CONFLICT (round_id, occasion_id) DO UPDATE
                 SET seats = excluded.seats, credits = excluded.credits, groups = excluded.groups")
                .bind(round_id).bind(occasion_id).bind(seats).bind(credits).bind(groups)
                .execute(&mut *tx).await?;
            sqlx::query("UPDATE admission_round SET version = version + 1 WHERE id = $1")
                .bind(round_id).execute(&mut *tx).await?;
            result_outdated!(tx, round_id);
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// # Errors
    /// A database error.
    pub async fn round_occasions(&self, round_id: i64) -> Result<Vec<RoundOccasion>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT ro.round_id, ro.occasion_id, oc.offering_id, f.title AS offering_title,
                    oc.starts_on, oc.ends_on, oc.place, f.status AS offering_status, ro.seats, ro.credits,
                    ro.groups, ro.cutoffs
             FROM round_occasion ro
             JOIN occasion oc ON oc.id = ro.occasion_id
             JOIN offering f ON f.id = oc.offering_id
             WHERE ro.round_id = $1 ORDER BY oc.starts_on, f.title, ro.occasion_id")
            .bind(round_id).fetch_all(p).await)?)
    }

    /// A provider's occasions that have not ended, for adding to a round: (occasion, offering
    /// title, start, seats, credits).
    ///
    /// # Errors
    /// A database error.
    pub async fn provider_occasions(
        &self,
        provider_id: i64,
        today: NaiveDate,
    ) -> Result<Vec<(i64, String, NaiveDate, i64, Option<f64>)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT oc.id, f.title, oc.starts_on, oc.seats, f.credits FROM occasion oc
             JOIN offering f ON f.id = oc.offering_id
             WHERE f.provider_id = $1 AND oc.ends_on >= $2 ORDER BY oc.starts_on, f.title, oc.id")
            .bind(provider_id).bind(today).fetch_all(p).await)?)
    }

    /// Saves a person's ranked choices (occasion ids, best first): choices kept keep staff's
    /// decisions, new ones wait for review, dropped ones are removed. Returns the application.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`round_published`); a database error.
    pub async fn save_application(
        &self,
        round_id: i64,
        user_id: i64,
        late: bool,
        occasions: &[i64],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            require_unpublished!(tx, round_id);
            let existing: Option<(i64,)> = sqlx::query_as(
                "SELECT id FROM application WHERE round_id = $1 AND user_id = $2")
                .bind(round_id).bind(user_id).fetch_optional(&mut *tx).await?;
            let id = match existing {
                Some((id,)) => {
                    sqlx::query("UPDATE application SET updated_at = $1 WHERE id = $2")
                        .bind(now).bind(id).execute(&mut *tx).await?;
                    id
                }
                None => {
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO application (round_id, user_id, late, submitted_at, updated_at)
                         VALUES ($1, $2, $3, $4, $4) RETURNING id")
                        .bind(round_id).bind(user_id).bind(late).bind(now)
                        .fetch_one(&mut *tx).await?;
                    id
                }
            };
            let kept: Vec<(i64,)> = sqlx::query_as(
                "SELECT occasion_id FROM application_choice WHERE application_id = $1")
                .bind(id).fetch_all(&mut *tx).await?;
            for (occasion,) in kept {
                if !occasions.contains(&occasion) {
                    sqlx::query("DELETE FROM application_choice WHERE application_id = $1 AND occasion_id = $2")
                        .bind(id).bind(occasion).execute(&mut *tx).await?;
                }
            }
            for (i, occasion) in occasions.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO application_choice (application_id, round_id, occasion_id, rank,
                        eligibility, eligibility_note, priority_class, nominated, merits)
                     VALUES ($1, $2, $3, $4, 'pending', '', 0, FALSE, '[]')
                     ON CONFLICT (application_id, occasion_id) DO UPDATE SET rank = excluded.rank")
                    .bind(id).bind(round_id).bind(*occasion).bind(i as i64 + 1)
                    .execute(&mut *tx).await?;
            }
            result_outdated!(tx, round_id);
            let mut audit = audit.clone();
            audit.target = format!("application:{id}");
            write_audit!(&mut *tx, &audit, now)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// # Errors
    /// A database error.
    pub async fn application_of(&self, round_id: i64, user_id: i64) -> Result<Option<Application>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT id, round_id, user_id, late, submitted_at, updated_at FROM application
             WHERE round_id = $1 AND user_id = $2")
            .bind(round_id).bind(user_id).fetch_optional(p).await)?)
    }

    /// A round's choices in the engine's order (application, then rank), optionally only one
    /// person's or only those with one eligibility decision.
    ///
    /// # Errors
    /// A database error.
    pub async fn round_choices(
        &self,
        round_id: i64,
        user_id: Option<i64>,
        eligibility: Option<&str>,
    ) -> Result<Vec<ChoiceRow>> {
        let sql = format!(
            "{CHOICE_SELECT} WHERE c.round_id = $1 AND ($2 IS NULL OR a.user_id = $2)
                AND ($3 IS NULL OR c.eligibility = $3)
             ORDER BY a.id, c.rank"
        );
        Ok(on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(round_id).bind(user_id).bind(eligibility).fetch_all(p).await)?)
    }

    /// A round's choices as the engine reads them, in application, rank order.
    ///
    /// # Errors
    /// A database error.
    pub async fn round_engine_input(&self, round_id: i64) -> Result<Vec<EngineChoice>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT c.id, c.application_id, a.late, c.occasion_id, c.eligibility, c.priority_class,
                    c.nominated, c.merits, res.outcome
             FROM application_choice c
             JOIN application a ON a.id = c.application_id
             LEFT JOIN admission_result res ON res.choice_id = c.id
             WHERE c.round_id = $1 ORDER BY a.id, c.rank")
            .bind(round_id).fetch_all(p).await)?)
    }

    /// One choice with its round.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn choice(&self, choice_id: i64) -> Result<(i64, ChoiceRow)> {
        let sql = format!("{CHOICE_SELECT} WHERE c.id = $1");
        let row: ChoiceRow = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(choice_id).fetch_one(p).await)?;
        let (round,): (i64,) = on_pool!(self, p => sqlx::query_as("SELECT round_id FROM application_choice WHERE id = $1")
            .bind(choice_id).fetch_one(p).await)?;
        Ok((round, row))
    }

    /// Records staff's decision on choices of one round (several at once for a bulk decision,
    /// which leaves class, nominee mark and merits as they are when `decision` is only an
    /// eligibility).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`round_published`); [`StoreError::NotFound`] when a choice is
    /// not in the round (nothing is changed).
    #[allow(clippy::too_many_arguments)]
    pub async fn decide_choices(
        &self,
        round_id: i64,
        choice_ids: &[i64],
        eligibility: &str,
        details: Option<&ChoiceDecision>,
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<u64> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            require_unpublished!(tx, round_id);
            let mut n = 0;
            for id in choice_ids {
                let r = match details {
                    Some(d) => sqlx::query(
                        "UPDATE application_choice SET eligibility = $1, eligibility_note = $2,
                            priority_class = $3, nominated = $4, merits = $5, decided_by = $6,
                            decided_at = $7
                         WHERE id = $8 AND round_id = $9")
                        .bind(eligibility).bind(&d.note).bind(d.priority_class).bind(d.nominated)
                        .bind(&d.merits).bind(by).bind(now).bind(id).bind(round_id)
                        .execute(&mut *tx).await?,
                    None => sqlx::query(
                        "UPDATE application_choice SET eligibility = $1, decided_by = $2, decided_at = $3
                         WHERE id = $4 AND round_id = $5")
                        .bind(eligibility).bind(by).bind(now).bind(id).bind(round_id)
                        .execute(&mut *tx).await?,
                };
                if r.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                n += 1;
            }
            result_outdated!(tx, round_id);
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(n)
        })
    }

    /// Sets merits and classes of many choices at once (files from the applicant register, the
    /// demo). Each entry: (choice, priority class, nominated, merits JSON).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`round_published`).
    pub async fn set_choice_merits(
        &self,
        round_id: i64,
        rows: &[(i64, i64, bool, String)],
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            require_unpublished!(tx, round_id);
            for (id, class, nominated, merits) in rows {
                sqlx::query("UPDATE application_choice SET priority_class = $1, nominated = $2, merits = $3
                             WHERE id = $4 AND round_id = $5")
                    .bind(class).bind(nominated).bind(merits).bind(id).bind(round_id)
                    .execute(&mut *tx).await?;
            }
            result_outdated!(tx, round_id);
            tx.commit().await?;
            Ok(())
        })
    }

    /// Takes the run lock. Returns false when another run holds it (a lock older than
    /// `stale_before` is taken over: its process is gone).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`round_published`); [`StoreError::NotFound`].
    pub async fn lock_run(
        &self,
        round_id: i64,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<bool> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            require_unpublished!(tx, round_id);
            let r = sqlx::query(
                "UPDATE admission_round SET running_since = $1
                 WHERE id = $2 AND (running_since IS NULL OR running_since < $3)")
                .bind(now).bind(round_id).bind(stale_before).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// # Errors
    /// A database error.
    pub async fn unlock_run(&self, round_id: i64) -> Result<()> {
        on_pool!(self, p => sqlx::query("UPDATE admission_round SET running_since = NULL WHERE id = $1")
            .bind(round_id).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Stores a run's result (replacing the previous run's) and its seed, if nothing changed
    /// since the round was read at `version`, and releases the lock.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`round_published`, `round_changed`).
    #[allow(clippy::too_many_arguments)]
    pub async fn save_run(
        &self,
        round_id: i64,
        version: i64,
        seed: i64,
        results: &[ResultRow],
        cutoffs: &[(i64, String)],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            require_unpublished!(tx, round_id);
            let r = sqlx::query(
                "UPDATE admission_round SET status = 'run', seed = $1, ran_at = $2,
                    running_since = NULL, version = version + 1 WHERE id = $3 AND version = $4")
                .bind(seed).bind(now).bind(round_id).bind(version).execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::Conflict(Conflict::RoundChanged));
            }
            sqlx::query("DELETE FROM admission_result WHERE round_id = $1")
                .bind(round_id).execute(&mut *tx).await?;
            bulk_insert!(tx, "admission_result",
                ["choice_id", "round_id", "outcome", "selection_group", "shared", "reserve_position"],
                results, |q, r| q.bind(r.choice_id).bind(round_id).bind(r.outcome)
                    .bind(r.selection_group).bind(r.shared).bind(r.reserve_position));
            for (occasion, c) in cutoffs {
                sqlx::query("UPDATE round_occasion SET cutoffs = $1 WHERE round_id = $2 AND occasion_id = $3")
                    .bind(c).bind(round_id).bind(occasion).execute(&mut *tx).await?;
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Publishes the stored run if the round is still at `version`: offers to every admitted
    /// choice, and from now on result and seats are frozen.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`round_changed`) when the round changed (or was published)
    /// since it was read.
    pub async fn publish_round(
        &self,
        round_id: i64,
        version: i64,
        reply_by: NaiveDate,
        mails: &[crate::NewMail],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let r = sqlx::query(
                "UPDATE admission_round SET status = 'published', published_at = $1,
                    version = version + 1
                 WHERE id = $2 AND version = $3 AND status = 'run' AND running_since IS NULL")
                .bind(now).bind(round_id).bind(version).execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::Conflict(Conflict::RoundChanged));
            }
            sqlx::query(
                "INSERT INTO admission_offer (choice_id, round_id, status, promoted, offered_at, reply_by)
                 SELECT choice_id, round_id, 'offered', FALSE, $1, $2 FROM admission_result
                 WHERE round_id = $3 AND outcome = 'admitted'")
                .bind(now).bind(reply_by).bind(round_id).execute(&mut *tx).await?;
            crate::outbox::enqueue_mails!(tx, mails, now)?;
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Closes applications before the round's last day: the closing dates become `day`, the
    /// reason is kept, and every applicant's e-mail is queued in the same transaction. Only
    /// while the round is still at `version`, unpublished and not closed early already.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`RoundChanged`).
    #[allow(clippy::too_many_arguments)]
    pub async fn close_round_early(
        &self,
        round_id: i64,
        version: i64,
        day: NaiveDate,
        reason: &str,
        mails: &[crate::NewMail],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let r = sqlx::query(
                "UPDATE admission_round SET closes_on = $1, late_until = $1,
                    closed_early_at = $2, closed_early_reason = $3, version = version + 1
                 WHERE id = $4 AND version = $5 AND status <> 'published'
                    AND closed_early_at IS NULL")
                .bind(day).bind(now).bind(reason).bind(round_id).bind(version)
                .execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::Conflict(Conflict::RoundChanged));
            }
            crate::outbox::enqueue_mails!(tx, mails, now)?;
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// A published round's replies in order.
    ///
    /// # Errors
    /// A database error.
    pub async fn replies(&self, round_id: i64) -> Result<Vec<Reply>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT id, kind, choice_id, occasion_id, seats, at FROM admission_reply
             WHERE round_id = $1 ORDER BY id")
            .bind(round_id).fetch_all(p).await)?)
    }

    /// Records a reply and what it changed, if the round is still at `version` (two replies
    /// processed at once: the second is told to try again, so no seat is given twice).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`round_changed`).
    pub async fn record_reply(
        &self,
        round_id: i64,
        version: i64,
        change: &ReplyChange,
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let r = sqlx::query(
                "UPDATE admission_round SET version = version + 1
                 WHERE id = $1 AND version = $2 AND status = 'published'")
                .bind(round_id).bind(version).execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::Conflict(Conflict::RoundChanged));
            }
            sqlx::query(
                "INSERT INTO admission_reply (round_id, kind, choice_id, occasion_id, seats, user_id, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(round_id).bind(change.kind).bind(change.choice_id).bind(change.occasion_id)
                .bind(change.seats).bind(by).bind(now).execute(&mut *tx).await?;
            for (choice, status) in &change.statuses {
                sqlx::query("UPDATE admission_offer SET status = $1, replied_at = $2 WHERE choice_id = $3")
                    .bind(*status).bind(now).bind(choice).execute(&mut *tx).await?;
                // An accepted place is an enrolment from that moment; a place given up for a
                // better one (released) goes again while nothing has been recorded on it.
                match *status {
                    "accepted" => sqlx::query(
                        "INSERT INTO enrolment (occasion_id, user_id, source, choice_id, status, created_at, updated_at)
                         SELECT c.occasion_id, a.user_id, 'offer', c.id, 'enrolled', $2, $2
                         FROM application_choice c JOIN application a ON a.id = c.application_id
                         WHERE c.id = $1
                         ON CONFLICT (occasion_id, user_id) DO NOTHING")
                        .bind(choice).bind(now).execute(&mut *tx).await?,
                    _ => sqlx::query(
                        "DELETE FROM enrolment WHERE choice_id = $1 AND status = 'enrolled'
                            AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.enrolment_id = enrolment.id)")
                        .bind(choice).execute(&mut *tx).await?,
                };
            }
            for (choice, reply_by) in &change.offers {
                sqlx::query(
                    "INSERT INTO admission_offer (choice_id, round_id, status, promoted, offered_at, reply_by)
                     VALUES ($1, $2, 'offered', TRUE, $3, $4)
                     ON CONFLICT (choice_id) DO UPDATE SET status = 'offered', promoted = TRUE,
                        offered_at = excluded.offered_at, reply_by = excluded.reply_by, replied_at = NULL")
                    .bind(choice).bind(round_id).bind(now).bind(reply_by).execute(&mut *tx).await?;
            }
            crate::outbox::enqueue_mails!(tx, &change.mails, now)?;
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Offers whose reply-by date has passed without a reply: (round, choice). An offer whose
    /// e-mail is still in the outbox has not started its clock and never expires.
    ///
    /// # Errors
    /// A database error.
    pub async fn overdue_offers(&self, today: NaiveDate) -> Result<Vec<(i64, i64)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT o.round_id, o.choice_id FROM admission_offer o
             JOIN application_choice c ON c.id = o.choice_id
             WHERE o.status = 'offered' AND o.reply_by < $1
               AND NOT EXISTS (SELECT 1 FROM mail_outbox m WHERE m.reply_round_id = o.round_id
                               AND m.reply_application_id = c.application_id AND m.status <> 'sent')
             ORDER BY o.round_id, o.choice_id")
            .bind(today).fetch_all(p).await)?)
    }

    /// # Errors
    /// A database error.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_document(
        &self,
        application_id: i64,
        file_name: &str,
        content_type: &str,
        size_bytes: i64,
        storage_key: &str,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        Ok(audited_insert!(self, audit, now, sqlx::query_as(
                "INSERT INTO application_document (application_id, file_name, content_type, size_bytes,
                    storage_key, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
                .bind(application_id).bind(file_name).bind(content_type).bind(size_bytes)
                .bind(storage_key).bind(now)))
    }

    /// # Errors
    /// A database error.
    pub async fn documents(&self, application_id: i64) -> Result<Vec<ApplicationDocument>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT id, application_id, file_name, content_type, size_bytes, storage_key, uploaded_at
             FROM application_document WHERE application_id = $1 ORDER BY id")
            .bind(application_id).fetch_all(p).await)?)
    }

    /// A document with the round and applicant it belongs to.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn document(&self, id: i64) -> Result<(ApplicationDocument, i64, i64)> {
        let doc: ApplicationDocument = on_pool!(self, p => sqlx::query_as(
            "SELECT id, application_id, file_name, content_type, size_bytes, storage_key, uploaded_at
             FROM application_document WHERE id = $1")
            .bind(id).fetch_one(p).await)?;
        let (round, user): (i64, i64) = on_pool!(self, p => sqlx::query_as(
            "SELECT round_id, user_id FROM application WHERE id = $1")
            .bind(doc.application_id).fetch_one(p).await)?;
        Ok((doc, round, user))
    }
}
