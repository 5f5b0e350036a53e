//! The transactional e-mail outbox. A change that causes e-mail writes the messages here in
//! its own transaction ([`enqueue_mails!`]), so a crash right after the commit loses nothing
//! and a failed change sends nothing; the app's worker claims due rows, sends them and marks
//! them sent, or schedules a retry with backoff until the row is dead-lettered.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::{BeginWrite, Result, Store, on_pool};

/// An e-mail to send: the message template (`mail.admission.offer` → `.subject`, `.body`)
/// with its arguments, rendered in the recipient's language when it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    /// Enqueueing the same key again does nothing: a retried publish or a second worker can
    /// never make a second message.
    pub dedupe_key: String,
    pub recipient: String,
    pub locale: String,
    pub template: String,
    pub args: Vec<(String, String)>,
    /// For an offer: the reply-by clock of the application's offers starts when it is sent.
    pub reply_clock: Option<ReplyClock>,
}

/// Whose offers an e-mail's sending starts the reply-by clock of, and for how many days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyClock {
    pub round_id: i64,
    pub application_id: i64,
    pub days: i64,
}

/// A row of the outbox.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct OutboxMail {
    pub id: i64,
    pub dedupe_key: String,
    pub recipient: String,
    pub locale: String,
    pub template: String,
    /// JSON list of [name, value]; emptied once sent.
    #[serde(skip)]
    pub args: String,
    #[serde(skip)]
    pub reply_round_id: Option<i64>,
    #[serde(skip)]
    pub reply_application_id: Option<i64>,
    #[serde(skip)]
    pub reply_days: Option<i64>,
    /// `pending`, `sent` or `dead` (gave up after the last retry).
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl OutboxMail {
    /// The template's arguments.
    pub fn args(&self) -> Vec<(String, String)> {
        serde_json::from_str(&self.args).unwrap_or_default()
    }

    pub fn reply_clock(&self) -> Option<ReplyClock> {
        Some(ReplyClock {
            round_id: self.reply_round_id?,
            application_id: self.reply_application_id?,
            days: self.reply_days?,
        })
    }
}

/// Counts per status, for the administrators' view.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sent: i64,
    pub dead: i64,
}

/// Writes `$mails` (a `&[NewMail]`) to the outbox inside the transaction `$ex`; a mail whose
/// dedupe key is queued already is skipped.
macro_rules! enqueue_mails {
    ($ex:expr, $mails:expr, $at:expr) => {{
        let mails: &[$crate::NewMail] = $mails;
        let mut result: std::result::Result<(), sqlx::Error> = Ok(());
        for m in mails {
            let args = serde_json::to_string(&m.args).expect("pairs of strings serialise");
            let clock = m.reply_clock;
            if let Err(e) = sqlx::query(
                "INSERT INTO mail_outbox (dedupe_key, recipient, locale, template, args, reply_round_id,
                                          reply_application_id, reply_days, status, attempts, next_attempt_at,
                                          last_error, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, '', $9)
                 ON CONFLICT (dedupe_key) DO NOTHING",
            )
            .bind(&m.dedupe_key)
            .bind(&m.recipient)
            .bind(&m.locale)
            .bind(&m.template)
            .bind(args)
            .bind(clock.map(|c| c.round_id))
            .bind(clock.map(|c| c.application_id))
            .bind(clock.map(|c| c.days))
            .bind($at)
            .execute(&mut *$ex)
            .await
            {
                result = Err(e);
                break;
            }
        }
        result
    }};
}
pub(crate) use enqueue_mails;

const OUTBOX_SELECT: &str = "SELECT id, dedupe_key, recipient, locale, template, args, reply_round_id,
        reply_application_id, reply_days, status, attempts, next_attempt_at, last_error, created_at, sent_at
     FROM mail_outbox";

impl Store {
    /// Queues mails on their own (for messages that follow a change rather than being part
    /// of it, such as a welcome message).
    ///
    /// # Errors
    /// A database error.
    pub async fn enqueue_mails(&self, mails: &[NewMail], now: DateTime<Utc>) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            enqueue_mails!(tx, mails, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Claims up to `limit` due mails for `lease`: each claimed row is this caller's to send
    /// until the lease ends (then another worker may retry it). Returns the claimed rows.
    ///
    /// # Errors
    /// A database error.
    pub async fn claim_due_mails(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> Result<Vec<OutboxMail>> {
        let due: Vec<OutboxMail> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{OUTBOX_SELECT} WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY id LIMIT $2")))
            .bind(now).bind(limit).fetch_all(p).await)?;
        let mut claimed = Vec::with_capacity(due.len());
        for mail in due {
            // Only one worker wins the row: the update checks that it is still due.
            let r = on_pool!(self, p => sqlx::query(
                "UPDATE mail_outbox SET next_attempt_at = $1
                 WHERE id = $2 AND status = 'pending' AND next_attempt_at <= $3")
                .bind(now + lease).bind(mail.id).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
            if r == 1 {
                claimed.push(mail);
            }
        }
        Ok(claimed)
    }

    /// Marks a mail sent and forgets its arguments (names, links). For an offer, the
    /// application's open offers now answer by `reply_by` (never earlier than before).
    ///
    /// # Errors
    /// A database error.
    pub async fn mark_mail_sent(
        &self,
        mail: &OutboxMail,
        reply_by: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            sqlx::query("UPDATE mail_outbox SET status = 'sent', sent_at = $1, args = '[]', attempts = attempts + 1,
                                last_error = '' WHERE id = $2")
                .bind(now).bind(mail.id).execute(&mut *tx).await?;
            if let (Some(clock), Some(reply_by)) = (mail.reply_clock(), reply_by) {
                sqlx::query(
                    "UPDATE admission_offer SET reply_by = $1
                     WHERE round_id = $2 AND status = 'offered' AND reply_by < $1
                       AND choice_id IN (SELECT id FROM application_choice WHERE application_id = $3)")
                    .bind(reply_by).bind(clock.round_id).bind(clock.application_id)
                    .execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Records a failed attempt: retried at `retry_at`, or dead-lettered when `give_up`.
    ///
    /// # Errors
    /// A database error.
    pub async fn mark_mail_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: DateTime<Utc>,
        give_up: bool,
    ) -> Result<()> {
        let status = if give_up { "dead" } else { "pending" };
        on_pool!(self, p => sqlx::query(
            "UPDATE mail_outbox SET status = $1, attempts = attempts + 1, next_attempt_at = $2, last_error = $3
             WHERE id = $4")
            .bind(status).bind(retry_at).bind(error).bind(id).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Puts a dead mail back in the queue (an administrator's resend): the same row, so the
    /// message still goes out at most once.
    ///
    /// # Errors
    /// [`crate::StoreError::NotFound`] for a mail that is not dead.
    pub async fn requeue_mail(
        &self,
        id: i64,
        now: DateTime<Utc>,
        audit: &crate::AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let r = sqlx::query("UPDATE mail_outbox SET status = 'pending', attempts = 0, next_attempt_at = $1
                                 WHERE id = $2 AND status = 'dead'")
                .bind(now).bind(id).execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                return Err(crate::StoreError::NotFound);
            }
            crate::write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Makes every pending mail due now (an administrator fixed the mail server and does not
    /// want to wait for the backoff). Returns how many.
    ///
    /// # Errors
    /// A database error.
    pub async fn retry_pending_mails(&self, now: DateTime<Utc>) -> Result<u64> {
        Ok(on_pool!(self, p => sqlx::query(
            "UPDATE mail_outbox SET next_attempt_at = $1 WHERE status = 'pending' AND next_attempt_at > $1")
            .bind(now).execute(p).await.map(|r| r.rows_affected()))?)
    }

    /// Mails that are not sent (pending and dead), oldest first, and the counts per status.
    ///
    /// # Errors
    /// A database error.
    pub async fn unsent_mails(&self, limit: i64) -> Result<(Vec<OutboxMail>, OutboxCounts)> {
        let rows: Vec<OutboxMail> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{OUTBOX_SELECT} WHERE status <> 'sent' ORDER BY status, id LIMIT $1")))
            .bind(limit).fetch_all(p).await)?;
        let counts: Vec<(String, i64)> = on_pool!(self, p => sqlx::query_as(
            "SELECT status, COUNT(*) FROM mail_outbox GROUP BY status").fetch_all(p).await)?;
        let mut c = OutboxCounts::default();
        for (status, n) in counts {
            match status.as_str() {
                "pending" => c.pending = n,
                "sent" => c.sent = n,
                _ => c.dead += n,
            }
        }
        Ok((rows, c))
    }
}
