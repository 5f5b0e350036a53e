//! Enrolments and attendance. The rules (when an enrolment may end, which sessions take
//! attendance) are `larnav_domain::enrolment`'s; this module stores what staff decided, each
//! change with its audit row, and guards concurrent edits with the enrolment's version.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;

use crate::{AuditRecord, BeginWrite, Conflict, Result, Store, StoreError, on_pool, write_audit};

/// One person on an occasion's group list.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct EnrolmentRow {
    pub id: i64,
    pub occasion_id: i64,
    pub user_id: i64,
    pub name: String,
    #[serde(skip)]
    pub email: String,
    /// offer or direct.
    pub source: String,
    /// enrolled, completed, interrupted or not_passed.
    pub status: String,
    pub ended_on: Option<NaiveDate>,
    /// The interruption's reason (a key of the fixed list).
    pub reason: Option<String>,
    pub note: String,
    pub credits: Option<f64>,
    pub grade: Option<String>,
    /// Sessions marked present / marked at all.
    pub present: i64,
    pub marked: i64,
    pub version: i64,
    pub corrections: i64,
}

/// One of a learner's own enrolments, for their record.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct LearnerEnrolment {
    pub id: i64,
    pub offering_id: i64,
    pub title: String,
    pub provider_name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: String,
    pub ended_on: Option<NaiveDate>,
    pub reason: Option<String>,
    pub credits: Option<f64>,
    pub grade: Option<String>,
    pub present: i64,
    /// The occasion's sessions that have begun (attendance can have been marked for them).
    pub sessions_held: i64,
}

/// One attendance mark on a session's roll call.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct AttendanceMark {
    pub enrolment_id: i64,
    pub present: bool,
}

/// How an enrolment ends (checked by the app layer).
#[derive(Debug, Clone)]
pub struct EnrolmentEnding<'a> {
    pub status: &'a str,
    pub ended_on: NaiveDate,
    pub reason: Option<&'a str>,
    pub note: &'a str,
    pub credits: Option<f64>,
    pub grade: Option<&'a str>,
    /// A correction of a finished enrolment (counted; the audit row carries the reason).
    pub correction: bool,
    /// The outcome follow-ups to ask: (months after the end, due day). A correction moves the
    /// ones not sent yet.
    pub follow_ups: &'a [(i64, NaiveDate)],
}

/// A follow-up whose day has come and whose e-mail has not gone.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueFollowUp {
    pub id: i64,
    pub months: i64,
    pub email: String,
    pub name: String,
    pub locale: String,
    pub title: String,
}

/// A follow-up as its link opens it: the questions' context and what is answered so far.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct FollowUp {
    pub id: i64,
    pub months: i64,
    #[serde(skip)]
    pub expires_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub in_work: Option<bool>,
    pub in_occupation: Option<bool>,
    pub kommun_code: Option<String>,
    pub with_employer: Option<bool>,
    pub further_studies: Option<bool>,
    pub title: String,
    /// The occupation the course was for (its first), if any.
    pub occupation: Option<String>,
    /// The employer that ordered the course, if one did.
    pub employer: Option<String>,
}

/// One answer to store.
#[derive(Debug, Clone, Copy)]
pub enum FollowUpColumn {
    InWork,
    InOccupation,
    Kommun,
    WithEmployer,
    FurtherStudies,
}

const ENROLMENT: &str = "SELECT e.id, e.occasion_id, e.user_id, u.display_name AS name, u.email,
        e.source, e.status, e.ended_on, e.reason, e.note, e.credits, e.grade,
        (SELECT COUNT(*) FROM attendance a WHERE a.enrolment_id = e.id AND a.present) AS present,
        (SELECT COUNT(*) FROM attendance a WHERE a.enrolment_id = e.id) AS marked,
        e.version, e.corrections
     FROM enrolment e JOIN app_user u ON u.id = e.user_id";

const FOLLOW_UP: &str = "SELECT f.id, f.months, f.expires_at, f.answered_at, f.in_work,
        f.in_occupation, f.kommun_code, f.with_employer, f.further_studies, o.title,
        (SELECT g.name FROM offering_occupation x JOIN occupation_group g ON g.code = x.ssyk_code
         WHERE x.offering_id = o.id ORDER BY x.ssyk_code LIMIT 1) AS occupation,
        (SELECT w.name FROM organisation w WHERE w.id = o.employer_id) AS employer
     FROM follow_up f
     JOIN enrolment e ON e.id = f.enrolment_id
     JOIN occasion c ON c.id = e.occasion_id
     JOIN offering o ON o.id = c.offering_id";

impl Store {
    /// The occasion's group, in name order (the app sorts Swedish names again).
    ///
    /// # Errors
    /// A database error.
    pub async fn enrolments(&self, occasion_id: i64) -> Result<Vec<EnrolmentRow>> {
        let sql = format!("{ENROLMENT} WHERE e.occasion_id = $1 ORDER BY u.display_name, e.id");
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(occasion_id).fetch_all(p).await)?,
        )
    }

    /// Enrols a person directly (rolling intake, contract education).
    ///
    /// # Errors
    /// [`Conflict::Duplicate`] when the person is on the occasion already.
    pub async fn enrol(
        &self,
        occasion_id: i64,
        user_id: i64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        Ok(crate::audited_insert!(
            self,
            audit,
            now,
            target = "enrolment",
            sqlx::query_as(
                "INSERT INTO enrolment (occasion_id, user_id, source, status, created_at, updated_at)
                 VALUES ($1, $2, 'direct', 'enrolled', $3, $3) RETURNING id"
            )
            .bind(occasion_id)
            .bind(user_id)
            .bind(now)
        ))
    }

    /// Enrols several people directly, all or none (an imported list).
    ///
    /// # Errors
    /// [`Conflict::Duplicate`] when one of them is on the occasion already (nobody is
    /// enrolled then).
    pub async fn enrol_many(
        &self,
        occasion_id: i64,
        user_ids: &[i64],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            for user in user_ids {
                sqlx::query(
                    "INSERT INTO enrolment (occasion_id, user_id, source, status, created_at, updated_at)
                     VALUES ($1, $2, 'direct', 'enrolled', $3, $3)")
                    .bind(occasion_id).bind(user).bind(now).execute(&mut *tx).await?;
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Records how enrolments of one occasion ended, all or none: each `(id, version)` must
    /// still be at that version.
    ///
    /// # Errors
    /// [`Conflict::EnrolmentChanged`] when one was saved by someone else since it was read
    /// (nothing is stored).
    pub async fn end_enrolments(
        &self,
        occasion_id: i64,
        ids: &[(i64, i64)],
        ending: &EnrolmentEnding<'_>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            for (id, version) in ids {
                let r = sqlx::query(
                    "UPDATE enrolment SET status = $1, ended_on = $2, reason = $3, note = $4,
                        credits = $5, grade = $6, version = version + 1,
                        corrections = corrections + $7, updated_at = $8
                     WHERE id = $9 AND occasion_id = $10 AND version = $11")
                    .bind(ending.status).bind(ending.ended_on).bind(ending.reason).bind(ending.note)
                    .bind(ending.credits).bind(ending.grade).bind(i64::from(ending.correction))
                    .bind(now).bind(id).bind(occasion_id).bind(version)
                    .execute(&mut *tx).await?;
                if r.rows_affected() == 0 {
                    return Err(StoreError::Conflict(Conflict::EnrolmentChanged));
                }
                for (months, due) in ending.follow_ups {
                    sqlx::query(
                        "INSERT INTO follow_up (enrolment_id, months, due_on) VALUES ($1, $2, $3)
                         ON CONFLICT (enrolment_id, months) DO UPDATE SET due_on = excluded.due_on
                         WHERE follow_up.sent_at IS NULL")
                        .bind(id).bind(months).bind(due).execute(&mut *tx).await?;
                }
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The marks of one session.
    ///
    /// # Errors
    /// A database error.
    pub async fn attendance(&self, session_id: i64) -> Result<Vec<AttendanceMark>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT enrolment_id, present FROM attendance WHERE session_id = $1")
            .bind(session_id).fetch_all(p).await)?)
    }

    /// Stores attendance marks, `(session, enrolment, present)`, replacing earlier marks: a
    /// session's roll call or an imported sheet, all or none.
    ///
    /// # Errors
    /// A database error.
    pub async fn mark_attendance(
        &self,
        marks: &[(i64, i64, bool)],
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            for (session_id, enrolment, present) in marks {
                sqlx::query(
                    "INSERT INTO attendance (enrolment_id, session_id, present, marked_by, marked_at)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (enrolment_id, session_id) DO UPDATE SET present = excluded.present,
                        marked_by = excluded.marked_by, marked_at = excluded.marked_at")
                    .bind(enrolment).bind(session_id).bind(present).bind(by).bind(now)
                    .execute(&mut *tx).await?;
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// A person's enrolments, newest occasion first. `now` (Swedish local time) decides which
    /// sessions have been held.
    ///
    /// # Errors
    /// A database error.
    pub async fn learner_enrolments(
        &self,
        user_id: i64,
        now: NaiveDateTime,
    ) -> Result<Vec<LearnerEnrolment>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT e.id, f.id AS offering_id, f.title, COALESCE(o.name, f.provider_name) AS provider_name,
                c.starts_on, c.ends_on, e.status, e.ended_on, e.reason, e.credits, e.grade,
                (SELECT COUNT(*) FROM attendance a WHERE a.enrolment_id = e.id AND a.present) AS present,
                (SELECT COUNT(*) FROM offering_session s WHERE s.occasion_id = c.id AND s.starts_at <= $2)
                    AS sessions_held
             FROM enrolment e
             JOIN occasion c ON c.id = e.occasion_id
             JOIN offering f ON f.id = c.offering_id
             LEFT JOIN organisation o ON o.id = f.provider_id
             WHERE e.user_id = $1 ORDER BY c.starts_on DESC, e.id DESC")
            .bind(user_id).bind(now).fetch_all(p).await)?)
    }

    /// Follow-ups due by `today` whose e-mail has not been sent, oldest first (at most `limit`).
    ///
    /// # Errors
    /// A database error.
    pub async fn due_follow_ups(&self, today: NaiveDate, limit: i64) -> Result<Vec<DueFollowUp>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT f.id, f.months, u.email, u.display_name AS name, u.locale, o.title
             FROM follow_up f
             JOIN enrolment e ON e.id = f.enrolment_id
             JOIN app_user u ON u.id = e.user_id
             JOIN occasion c ON c.id = e.occasion_id
             JOIN offering o ON o.id = c.offering_id
             WHERE f.sent_at IS NULL AND f.due_on <= $1
               -- A learner is asked once: when a later follow-up is due too, only that one.
               AND NOT EXISTS (SELECT 1 FROM follow_up g WHERE g.enrolment_id = f.enrolment_id
                               AND g.months > f.months AND g.due_on <= $1)
             ORDER BY f.due_on, f.id LIMIT $2")
            .bind(today).bind(limit).fetch_all(p).await)?)
    }

    /// Gives a due follow-up its link and queues its e-mail, in one transaction; false when
    /// another instance sent it first.
    ///
    /// # Errors
    /// A database error.
    pub async fn send_follow_up(
        &self,
        id: i64,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: &crate::NewMail,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let r = sqlx::query(
                "UPDATE follow_up SET token_hash = $1, sent_at = $2, expires_at = $3
                 WHERE id = $4 AND sent_at IS NULL")
                .bind(token_hash).bind(now).bind(expires_at).bind(id)
                .execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                return Ok(false);
            }
            crate::outbox::enqueue_mails!(tx, std::slice::from_ref(mail), now)?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// The follow-up a link's token hash opens, if any.
    ///
    /// # Errors
    /// A database error.
    pub async fn follow_up_by_token(&self, token_hash: &str) -> Result<Option<FollowUp>> {
        let sql = format!("{FOLLOW_UP} WHERE f.token_hash = $1");
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(token_hash).fetch_optional(p).await)?,
        )
    }

    /// Stores one answer (a boolean, or for `Kommun` a code in `text`).
    ///
    /// # Errors
    /// A database error.
    pub async fn answer_follow_up(
        &self,
        id: i64,
        column: FollowUpColumn,
        yes: Option<bool>,
        text: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let column = match column {
            FollowUpColumn::InWork => "in_work",
            FollowUpColumn::InOccupation => "in_occupation",
            FollowUpColumn::Kommun => "kommun_code",
            FollowUpColumn::WithEmployer => "with_employer",
            FollowUpColumn::FurtherStudies => "further_studies",
        };
        let sql = format!("UPDATE follow_up SET {column} = $1, answered_at = $2 WHERE id = $3");
        on_pool!(self, p => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            let q = if column == "kommun_code" { q.bind(text) } else { q.bind(yes) };
            q.bind(now).bind(id).execute(p).await?;
            Ok(())
        })
    }

    /// A person's follow-ups that have been sent, for their record (newest first).
    ///
    /// # Errors
    /// A database error.
    pub async fn learner_follow_ups(&self, user_id: i64) -> Result<Vec<FollowUp>> {
        let sql = format!(
            "{FOLLOW_UP} WHERE e.user_id = $1 AND f.sent_at IS NOT NULL
             ORDER BY f.sent_at DESC, f.id DESC"
        );
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(user_id).fetch_all(p).await)?,
        )
    }

    /// Enrolments on occasions starting in `[from, to)` in offerings given in a kommun whose
    /// code starts with `area` ("" for the whole country), counted in one pass per kommun
    /// ("" at a distance), kind of course and SeQF level ("kind level", level "" when none),
    /// and status.
    ///
    /// # Errors
    /// A database error.
    pub async fn enrolment_counts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        area: &str,
    ) -> Result<Vec<(String, String, String, i64)>> {
        // Counted per occasion first (its enrolments straight from the covering index, in
        // occasion order, so without sorting 400,000 rows), then summed per kommun and kind.
        // CROSS JOIN fixes that order on SQLite, whose planner otherwise may start from the
        // enrolments of every year; PostgreSQL plans it as the inner join it is.
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT COALESCE(f.kommun_code, '') AS kommun,
                 f.kind || ' ' || COALESCE(CAST(f.seqf_level AS TEXT), '') AS kind_level,
                 t.status, CAST(SUM(t.n) AS BIGINT) AS n
             FROM (SELECT c.offering_id, e.status, COUNT(*) AS n
                   FROM occasion c CROSS JOIN enrolment e
                   WHERE e.occasion_id = c.id AND c.starts_on >= $1 AND c.starts_on < $2
                   GROUP BY c.id, c.offering_id, e.status) t
             JOIN offering f ON f.id = t.offering_id
             WHERE $3 = '' OR COALESCE(f.kommun_code, '') LIKE $3 || '%'
             GROUP BY 1, 2, 3")
            .bind(from).bind(to).bind(area).fetch_all(p).await)?)
    }

    /// Follow-ups `months` after the end, sent for the same enrolments: per occupation the
    /// course was for (its first SSYK code, "" for none), (code, name, sent, answered, in
    /// work, in the occupation).
    ///
    /// # Errors
    /// A database error.
    pub async fn outcomes_by_occupation(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        area: &str,
        months: i64,
    ) -> Result<Vec<(String, String, i64, i64, i64, i64)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            // Counted per occasion first (in the order fixed as above), then named by the
            // offering's first occupation: one lookup per occasion rather than per person.
            "SELECT COALESCE(o.code, '') AS code, COALESCE(o.name, '') AS name,
                CAST(SUM(t.sent) AS BIGINT) AS sent, CAST(SUM(t.answered) AS BIGINT) AS answered,
                CAST(SUM(t.in_work) AS BIGINT) AS in_work,
                CAST(SUM(t.in_occupation) AS BIGINT) AS in_occupation
             FROM (SELECT c.offering_id, COUNT(*) AS sent,
                       SUM(CASE WHEN u.answered_at IS NOT NULL THEN 1 ELSE 0 END) AS answered,
                       SUM(CASE WHEN u.in_work THEN 1 ELSE 0 END) AS in_work,
                       SUM(CASE WHEN u.in_occupation THEN 1 ELSE 0 END) AS in_occupation
                   FROM occasion c CROSS JOIN enrolment e CROSS JOIN follow_up u
                   WHERE e.occasion_id = c.id AND u.enrolment_id = e.id AND u.months = $4
                     AND u.sent_at IS NOT NULL AND c.starts_on >= $1 AND c.starts_on < $2
                   GROUP BY c.id, c.offering_id) t
             JOIN offering f ON f.id = t.offering_id
             LEFT JOIN occupation_group o ON o.code = (SELECT MIN(x.ssyk_code)
                 FROM offering_occupation x WHERE x.offering_id = f.id)
             WHERE $3 = '' OR COALESCE(f.kommun_code, '') LIKE $3 || '%'
             GROUP BY COALESCE(o.code, ''), COALESCE(o.name, '')")
            .bind(from).bind(to).bind(area).bind(months).fetch_all(p).await)?)
    }
}

/// Rows of the loop back into Semaforen: `(SSYK code, kommun, a count, a count)` per occupation
/// of an offering and the kommun it is given in (offerings without one, at a distance, are not
/// placed in any area).
pub type LoopRow = (String, String, i64, i64);

impl Store {
    /// Participants who ended since `since`, and of them those who completed: the delivered
    /// supply per occupation and kommun.
    ///
    /// # Errors
    /// A database error.
    pub async fn delivered_rows(&self, since: NaiveDate) -> Result<Vec<LoopRow>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            // Per occasion first (the enrolments that ended from their index), then per
            // occupation and kommun: one join per occasion rather than per person.
            "SELECT x.ssyk_code, f.kommun_code, CAST(SUM(t.ended) AS BIGINT) AS ended,
                 CAST(SUM(t.completed) AS BIGINT) AS completed
             FROM (SELECT e.occasion_id, COUNT(*) AS ended,
                       SUM(CASE WHEN e.status = 'completed' THEN 1 ELSE 0 END) AS completed
                   FROM enrolment e WHERE e.ended_on >= $1 GROUP BY e.occasion_id) t
             JOIN occasion c ON c.id = t.occasion_id
             JOIN offering f ON f.id = c.offering_id
             JOIN offering_occupation x ON x.offering_id = f.id
             WHERE f.kommun_code IS NOT NULL
             GROUP BY x.ssyk_code, f.kommun_code")
            .bind(since).fetch_all(p).await)?)
    }

    /// Participants who completed since `since` and answered a follow-up, and of them those
    /// working in the occupation at their latest answer.
    ///
    /// # Errors
    /// A database error.
    pub async fn outcome_rows(&self, since: NaiveDate) -> Result<Vec<LoopRow>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            // Per occasion first: each completed person's latest answer (no later one
            // exists), enrolments driving (CROSS JOIN fixes the order on SQLite).
            "SELECT x.ssyk_code, f.kommun_code, CAST(SUM(t.respondents) AS BIGINT) AS respondents,
                 CAST(SUM(t.in_occupation) AS BIGINT) AS in_occupation
             FROM (SELECT e.occasion_id, COUNT(*) AS respondents,
                       SUM(CASE WHEN u.in_occupation THEN 1 ELSE 0 END) AS in_occupation
                   FROM enrolment e CROSS JOIN follow_up u
                   WHERE u.enrolment_id = e.id AND e.status = 'completed' AND e.ended_on >= $1
                     AND u.answered_at IS NOT NULL
                     AND NOT EXISTS (SELECT 1 FROM follow_up v WHERE v.enrolment_id = e.id
                                     AND v.months > u.months AND v.answered_at IS NOT NULL)
                   GROUP BY e.occasion_id) t
             JOIN occasion c ON c.id = t.occasion_id
             JOIN offering f ON f.id = c.offering_id
             JOIN offering_occupation x ON x.offering_id = f.id
             WHERE f.kommun_code IS NOT NULL
             GROUP BY x.ssyk_code, f.kommun_code")
            .bind(since).fetch_all(p).await)?)
    }

    /// Seats of catalogue occasions starting in `from..to`, per occupation and kommun: the
    /// planned supply of courses, komvux and folkhögskola. Higher vocational education is left
    /// out (its places come from the YH application round), and so are drafts.
    ///
    /// # Errors
    /// A database error.
    pub async fn catalogue_places(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(String, String, i64)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT x.ssyk_code, f.kommun_code, CAST(SUM(c.seats) AS BIGINT) AS seats
             FROM occasion c JOIN offering f ON f.id = c.offering_id
             JOIN offering_occupation x ON x.offering_id = f.id
             WHERE c.starts_on >= $1 AND c.starts_on < $2 AND f.kommun_code IS NOT NULL
               AND f.kind <> 'higher_vocational' AND f.status IN ('published', 'closed', 'completed')
             GROUP BY x.ssyk_code, f.kommun_code")
            .bind(from).bind(to).fetch_all(p).await)?)
    }
}

/// One participant of a provider in a report year, for the ESF-style monthly file.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportedEnrolment {
    pub id: i64,
    pub offering_title: String,
    pub kommun_code: Option<String>,
    pub ssyk_code: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: String,
    pub ended_on: Option<NaiveDate>,
    pub in_work_1: Option<bool>,
    pub in_occupation_1: Option<bool>,
    pub in_work_6: Option<bool>,
    pub in_occupation_6: Option<bool>,
    /// The reporting attributes the participant gave (None: not given, or declined).
    pub home_kommun: Option<String>,
    pub birth_year_band: Option<String>,
    pub gender: Option<String>,
    pub prior_education: Option<String>,
    pub employment_at_start: Option<String>,
}

impl Store {
    /// Participants of `provider`'s occasions who took part in `from..to` (started before
    /// `to`, not ended before `from`), with their 1- and 6-month follow-up answers, in id order.
    ///
    /// # Errors
    /// A database error.
    pub async fn reported_enrolments(
        &self,
        provider: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<ReportedEnrolment>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT e.id, f.title AS offering_title, f.kommun_code,
                 (SELECT MIN(x.ssyk_code) FROM offering_occupation x WHERE x.offering_id = f.id) AS ssyk_code,
                 c.starts_on, c.ends_on, e.status, e.ended_on,
                 u1.in_work AS in_work_1, u1.in_occupation AS in_occupation_1,
                 u6.in_work AS in_work_6, u6.in_occupation AS in_occupation_6,
                 (SELECT a.value FROM enrolment_attribute a
                  WHERE a.enrolment_id = e.id AND a.name = 'home_kommun') AS home_kommun,
                 (SELECT a.value FROM enrolment_attribute a
                  WHERE a.enrolment_id = e.id AND a.name = 'birth_year_band') AS birth_year_band,
                 (SELECT a.value FROM enrolment_attribute a
                  WHERE a.enrolment_id = e.id AND a.name = 'gender') AS gender,
                 (SELECT a.value FROM enrolment_attribute a
                  WHERE a.enrolment_id = e.id AND a.name = 'prior_education') AS prior_education,
                 (SELECT a.value FROM enrolment_attribute a
                  WHERE a.enrolment_id = e.id AND a.name = 'employment_at_start') AS employment_at_start
             FROM enrolment e JOIN occasion c ON c.id = e.occasion_id
             JOIN offering f ON f.id = c.offering_id
             LEFT JOIN follow_up u1 ON u1.enrolment_id = e.id AND u1.months = 1 AND u1.answered_at IS NOT NULL
             LEFT JOIN follow_up u6 ON u6.enrolment_id = e.id AND u6.months = 6 AND u6.answered_at IS NOT NULL
             WHERE f.provider_id = $1 AND c.starts_on < $3
               AND (e.ended_on IS NULL OR e.ended_on >= $2)
             ORDER BY e.id")
            .bind(provider).bind(from).bind(to).fetch_all(p).await)?)
    }

    /// Per occupation: participants and seats of municipal adult education (komvux) occasions
    /// starting in `from..to` given in a kommun whose code starts with `lan`.
    ///
    /// # Errors
    /// A database error.
    pub async fn vocational_rows(
        &self,
        lan: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(String, i64, i64)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT x.ssyk_code,
                 CAST(COALESCE(SUM(o.participants), 0) AS BIGINT) AS participants,
                 CAST(COALESCE(SUM(o.seats), 0) AS BIGINT) AS seats
             FROM (SELECT c.offering_id, c.seats,
                       (SELECT COUNT(*) FROM enrolment e WHERE e.occasion_id = c.id) AS participants
                   FROM occasion c WHERE c.starts_on >= $2 AND c.starts_on < $3) o
             JOIN offering f ON f.id = o.offering_id
             JOIN offering_occupation x ON x.offering_id = f.id
             WHERE f.kind = 'municipal_adult_education' AND f.kommun_code LIKE $1 || '%'
             GROUP BY x.ssyk_code ORDER BY x.ssyk_code")
            .bind(lan).bind(from).bind(to).fetch_all(p).await)?)
    }
}
