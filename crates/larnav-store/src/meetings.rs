//! Learning-meeting programmes: registrations, pairs, planned meetings, notes and the closing
//! evaluation. The pairing itself runs in the app layer (`larnav_domain::network::meetings`);
//! this module stores what the organiser decided.

use crate::Conflict;
use crate::audited_insert;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{
    AuditRecord, BeginWrite, Result, Store, StoreError, bulk_insert, on_pool, require_open,
    write_audit,
};

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct MeetingProgramme {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub name: String,
    pub description: String,
    /// The programme's topics as JSON (`["Ledarskap", …]`).
    #[serde(skip)]
    pub topics: String,
    /// open, published or closed.
    pub status: String,
    pub participants: i64,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A registration as typed (checked by the app layer).
#[derive(Debug, Clone)]
pub struct ParticipantFields {
    pub sector: String,
    pub role: String,
    pub organisation_name: String,
    /// Indices into the programme's topics, as JSON.
    pub topics: String,
    pub availability: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct MeetingParticipant {
    pub id: i64,
    pub programme_id: i64,
    pub user_id: i64,
    pub name: String,
    #[serde(skip)]
    pub email: String,
    #[serde(skip)]
    pub locale: String,
    pub sector: String,
    pub role: String,
    pub organisation_name: String,
    /// Indices into the programme's topics, as JSON.
    pub topics: String,
    pub availability: i64,
    /// The pair the participant is in, if any.
    pub pair_id: Option<i64>,
    pub evaluated: bool,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct MeetingPair {
    pub id: i64,
    pub programme_id: i64,
    pub first_id: i64,
    pub second_id: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Meeting {
    pub id: i64,
    pub pair_id: i64,
    pub starts_at: DateTime<Utc>,
    pub minutes: i64,
    pub place: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct MeetingNote {
    pub id: i64,
    pub author_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct MeetingEvaluation {
    pub participant_id: i64,
    /// Answers on the 1–5 scale as JSON (`[4, 5, 3, 4]`).
    pub answers: String,
    pub comment: String,
}

/// A meeting starting soon whose participants have not been reminded: one row per person.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MeetingReminder {
    pub meeting_id: i64,
    pub pair_id: i64,
    pub starts_at: DateTime<Utc>,
    pub place: String,
    pub programme_name: String,
    pub name: String,
    pub email: String,
    pub locale: String,
    pub partner_name: String,
}

const PROGRAMME: &str = "SELECT p.id, p.organisation_id, o.name AS organisation_name, p.name,
        p.description, p.topics, p.status,
        (SELECT COUNT(*) FROM meeting_participant m WHERE m.programme_id = p.id) AS participants,
        p.published_at, p.created_at
     FROM meeting_programme p JOIN organisation o ON o.id = p.organisation_id";

const PARTICIPANT: &str = "SELECT m.id, m.programme_id, m.user_id, u.display_name AS name,
        u.email, u.locale, m.sector, m.role, m.organisation_name, m.topics, m.availability,
        (SELECT x.id FROM meeting_pair x WHERE m.id IN (x.first_id, x.second_id)) AS pair_id,
        EXISTS (SELECT 1 FROM meeting_evaluation e WHERE e.participant_id = m.id) AS evaluated
     FROM meeting_participant m JOIN app_user u ON u.id = m.user_id";

/// Inserts pairs (lower participant id first) with multi-row INSERTs.
macro_rules! insert_pairs {
    ($tx:expr, $programme:expr, $pairs:expr, $now:expr) => {
        bulk_insert!(
            $tx,
            "meeting_pair",
            ["programme_id", "first_id", "second_id", "created_at"],
            $pairs,
            |q, p| q
                .bind($programme)
                .bind(p.0.min(p.1))
                .bind(p.0.max(p.1))
                .bind($now)
        )
    };
}

impl Store {
    /// # Errors
    /// A database error.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_programme(
        &self,
        organisation_id: i64,
        name: &str,
        description: &str,
        topics: &str,
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        Ok(audited_insert!(
            self,
            audit,
            now,
            target = "meeting_programme",
            sqlx::query_as(
                "INSERT INTO meeting_programme (organisation_id, name, description, topics,
                    status, created_by, created_at)
                 VALUES ($1, $2, $3, $4, 'open', $5, $6) RETURNING id"
            )
            .bind(organisation_id)
            .bind(name)
            .bind(description)
            .bind(topics)
            .bind(by)
            .bind(now)
        ))
    }

    /// Every programme, newest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn programmes(&self) -> Result<Vec<MeetingProgramme>> {
        let sql = format!("{PROGRAMME} ORDER BY p.created_at DESC, p.id DESC");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?))
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn programme(&self, id: i64) -> Result<MeetingProgramme> {
        let sql = format!("{PROGRAMME} WHERE p.id = $1");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(p).await?))
    }

    /// Moves a programme from status `from` to `to` (published also stamps the time).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`programme_changed`) if it is no longer in `from`.
    pub async fn set_programme_status(
        &self,
        id: i64,
        from: &str,
        to: &str,
        mails: &[crate::NewMail],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        self.transition("meeting_programme", id, from, to, mails, now, audit)
            .await
    }

    /// Moves a row of `table` (a programme or a round) from status `from` to `to`; published
    /// also stamps the time. The e-mails the move causes are queued in the same transaction.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn transition(
        &self,
        table: &'static str,
        id: i64,
        from: &str,
        to: &str,
        mails: &[crate::NewMail],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        let sql = format!(
            "UPDATE {table} SET status = $1,
                published_at = CASE WHEN $1 = 'published' THEN $2 ELSE published_at END
             WHERE id = $3 AND status = $4"
        );
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let done = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(to).bind(now).bind(id).bind(from)
                .execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict(Conflict::StatusChanged));
            }
            crate::outbox::enqueue_mails!(tx, mails, now)?;
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Registers a person in an open programme.
    ///
    /// # Errors
    /// [`StoreError::Conflict`]: `programme_not_open`, or a unique violation when the person
    /// is already registered.
    pub async fn register_participant(
        &self,
        programme_id: i64,
        user_id: i64,
        f: &ParticipantFields,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            require_open!(tx, "meeting_programme", programme_id);
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO meeting_participant (programme_id, user_id, sector, role,
                    organisation_name, topics, availability, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
                .bind(programme_id).bind(user_id).bind(&f.sector).bind(&f.role)
                .bind(&f.organisation_name).bind(&f.topics).bind(f.availability).bind(now)
                .fetch_one(&mut *tx).await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// A programme's participants in registration order.
    ///
    /// # Errors
    /// A database error.
    pub async fn participants(&self, programme_id: i64) -> Result<Vec<MeetingParticipant>> {
        let sql = format!("{PARTICIPANT} WHERE m.programme_id = $1 ORDER BY m.id");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(programme_id).fetch_all(p).await?))
    }

    /// # Errors
    /// A database error.
    pub async fn participant_of(
        &self,
        programme_id: i64,
        user_id: i64,
    ) -> Result<Option<MeetingParticipant>> {
        let sql = format!("{PARTICIPANT} WHERE m.programme_id = $1 AND m.user_id = $2");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(programme_id).bind(user_id).fetch_optional(p).await?))
    }

    /// Replaces all pairs of an open programme (`pairs` with the lower id first).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`programme_not_open`).
    pub async fn replace_pairs(
        &self,
        programme_id: i64,
        pairs: &[(i64, i64)],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            require_open!(tx, "meeting_programme", programme_id);
            sqlx::query("DELETE FROM meeting_pair WHERE programme_id = $1")
                .bind(programme_id).execute(&mut *tx).await?;
            insert_pairs!(tx, programme_id, pairs, now);
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Pairs two participants of an open programme by hand, ending the pairs they were in.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`programme_not_open`).
    pub async fn set_pair(
        &self,
        programme_id: i64,
        a: i64,
        b: i64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            require_open!(tx, "meeting_programme", programme_id);
            sqlx::query(
                "DELETE FROM meeting_pair WHERE programme_id = $1
                   AND (first_id IN ($2, $3) OR second_id IN ($2, $3))")
                .bind(programme_id).bind(a).bind(b).execute(&mut *tx).await?;
            insert_pairs!(tx, programme_id, &[(a, b)], now);
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Ends a pair of an open programme (both become unpaired).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`programme_not_open`); [`StoreError::NotFound`].
    pub async fn remove_pair(
        &self,
        programme_id: i64,
        pair_id: i64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            require_open!(tx, "meeting_programme", programme_id);
            let done = sqlx::query("DELETE FROM meeting_pair WHERE id = $1 AND programme_id = $2")
                .bind(pair_id).bind(programme_id).execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// # Errors
    /// A database error.
    pub async fn pairs(&self, programme_id: i64) -> Result<Vec<MeetingPair>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT id, programme_id, first_id, second_id FROM meeting_pair
             WHERE programme_id = $1 ORDER BY id")
            .bind(programme_id).fetch_all(p).await?))
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn pair(&self, pair_id: i64) -> Result<MeetingPair> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT id, programme_id, first_id, second_id FROM meeting_pair WHERE id = $1")
            .bind(pair_id).fetch_one(p).await?))
    }

    /// Adds planned meetings to a pair.
    ///
    /// # Errors
    /// A database error.
    pub async fn add_meetings(
        &self,
        pair_id: i64,
        meetings: &[(DateTime<Utc>, i64, String)],
        by: Option<i64>,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            bulk_insert!(tx, "meeting", ["pair_id", "starts_at", "minutes", "place", "created_by"],
                meetings, |q, m| q.bind(pair_id).bind(m.0).bind(m.1).bind(&m.2).bind(by));
            tx.commit().await?;
            Ok(())
        })
    }

    /// # Errors
    /// A database error.
    pub async fn meetings(&self, pair_id: i64) -> Result<Vec<Meeting>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT id, pair_id, starts_at, minutes, place FROM meeting
             WHERE pair_id = $1 ORDER BY starts_at, id")
            .bind(pair_id).fetch_all(p).await?))
    }

    /// # Errors
    /// A database error.
    pub async fn add_meeting_note(
        &self,
        pair_id: i64,
        author: Option<i64>,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO meeting_note (pair_id, author_id, body, created_at)
                 VALUES ($1, $2, $3, $4)")
                .bind(pair_id).bind(author).bind(body).bind(now)
                .execute(p).await?;
            Ok(())
        })
    }

    /// A pair's notes, newest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn meeting_notes(&self, pair_id: i64) -> Result<Vec<MeetingNote>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT n.id, COALESCE(u.display_name, '') AS author_name, n.body, n.created_at
             FROM meeting_note n LEFT JOIN app_user u ON u.id = n.author_id
             WHERE n.pair_id = $1 ORDER BY n.created_at DESC, n.id DESC")
            .bind(pair_id).fetch_all(p).await?))
    }

    /// Stores a participant's evaluation (once).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the participant already answered.
    pub async fn save_evaluation(
        &self,
        participant_id: i64,
        answers: &str,
        comment: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO meeting_evaluation (participant_id, answers, comment, created_at)
                 VALUES ($1, $2, $3, $4)")
                .bind(participant_id).bind(answers).bind(comment).bind(now)
                .execute(p).await?;
            Ok(())
        })
    }

    /// # Errors
    /// A database error.
    pub async fn evaluations(&self, programme_id: i64) -> Result<Vec<MeetingEvaluation>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT e.participant_id, e.answers, e.comment FROM meeting_evaluation e
             JOIN meeting_participant m ON m.id = e.participant_id
             WHERE m.programme_id = $1 ORDER BY e.created_at, e.participant_id")
            .bind(programme_id).fetch_all(p).await?))
    }

    /// Meetings of published programmes starting before `until` (and not yet begun) whose
    /// participants have not been reminded, one row per participant; marks them reminded.
    ///
    /// # Errors
    /// A database error.
    pub async fn take_meeting_reminders(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<MeetingReminder>> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let rows: Vec<MeetingReminder> = sqlx::query_as(
                "SELECT t.id AS meeting_id, t.pair_id, t.starts_at, t.place,
                        g.name AS programme_name, u.display_name AS name, u.email, u.locale,
                        pu.display_name AS partner_name
                 FROM meeting t
                 JOIN meeting_pair x ON x.id = t.pair_id
                 JOIN meeting_programme g ON g.id = x.programme_id
                 JOIN meeting_participant m ON m.id IN (x.first_id, x.second_id)
                 JOIN app_user u ON u.id = m.user_id
                 JOIN meeting_participant pm
                   ON pm.id IN (x.first_id, x.second_id) AND pm.id <> m.id
                 JOIN app_user pu ON pu.id = pm.user_id
                 WHERE t.reminded = FALSE AND t.starts_at > $1 AND t.starts_at <= $2
                   AND g.status = 'published'
                 ORDER BY t.starts_at, t.id, m.id")
                .bind(now).bind(until).fetch_all(&mut *tx).await?;
            // Exactly the meetings read, not whatever matches by now.
            let mut ids: Vec<i64> = rows.iter().map(|r| r.meeting_id).collect();
            ids.dedup();
            for id in ids {
                sqlx::query("UPDATE meeting SET reminded = TRUE WHERE id = $1")
                    .bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(rows)
        })
    }
}
