//! Sending the e-mail outbox. Use cases queue messages (in the transaction of their change,
//! see `larnav_store::outbox`); [`App::deliver_mail`] claims what is due, renders each message
//! in its recipient's language, sends it, and marks it sent — or retries with exponential
//! backoff and finally dead-letters it for the administrators' mail page. Delivery is at least
//! once: a crash between the SMTP server's acceptance and the "sent" mark sends that one
//! message again; a dedupe key keeps a retried change from queueing it twice.

use chrono::Duration;
use larnav_domain::{Action, Actor};
use larnav_store::{AuditRecord, NewMail, OutboxCounts, OutboxMail, ReplyClock};

use crate::catalogue::today_in_sweden;
use crate::i18n::{Lang, Tr};
use crate::mail::{Mail, render_template};
use crate::security::token_hash;
use crate::{App, Result, now};

/// Attempts before a message is dead-lettered: with the backoff below, a little over a day.
pub const MAX_ATTEMPTS: i64 = 14;
/// How long a claimed message is this worker's to send before another may try it.
const LEASE_SECS: i64 = 120;

/// The wait after the `attempt`-th failure: 30 s doubling, at most four hours.
pub fn backoff(attempt: i64) -> Duration {
    let secs = 30i64.saturating_mul(1 << attempt.clamp(0, 20));
    Duration::seconds(secs.min(4 * 3600))
}

/// What one delivery round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    pub failed: usize,
}

impl App {
    /// A message to queue. The dedupe key names the event (`admission_result:{round}:{app}`);
    /// `None` derives it from recipient and content, so the same message is queued once.
    pub fn new_mail(
        dedupe_key: Option<String>,
        to: &str,
        lang: Lang,
        mail: &Mail<'_>,
        reply_clock: Option<ReplyClock>,
    ) -> NewMail {
        let (template, args) = mail.template_and_args();
        let dedupe_key = dedupe_key.unwrap_or_else(|| {
            let content = serde_json::to_string(&args).unwrap_or_default();
            format!("{template}:{}", token_hash(&format!("{to}\n{content}")))
        });
        NewMail {
            dedupe_key,
            recipient: to.to_string(),
            locale: lang.code().to_string(),
            template,
            args,
            reply_clock,
        }
    }

    /// Queues messages that follow a change (not part of its transaction) and wakes the worker.
    ///
    /// # Errors
    /// A store error.
    pub async fn queue_mails(&self, mails: &[NewMail]) -> Result<()> {
        if mails.is_empty() {
            return Ok(());
        }
        self.store.enqueue_mails(mails, now()).await?;
        self.mail_wake.notify_one();
        Ok(())
    }

    /// Sends every message that is due. The server's worker calls it when woken and every few
    /// seconds; any instance may, since each message is claimed before it is sent.
    ///
    /// # Errors
    /// A store error (a failed send is recorded on the message instead).
    pub async fn deliver_mail(&self) -> Result<Delivered> {
        let mut done = Delivered::default();
        loop {
            let batch = self
                .store
                .claim_due_mails(now(), Duration::seconds(LEASE_SECS), 50)
                .await?;
            if batch.is_empty() {
                return Ok(done);
            }
            for mail in batch {
                if self.deliver_one(&mail).await? {
                    done.sent += 1;
                } else {
                    done.failed += 1;
                }
            }
        }
    }

    async fn deliver_one(&self, mail: &OutboxMail) -> Result<bool> {
        let tr = Tr::new(Lang::parse(&mail.locale).unwrap_or_default());
        let mut args = mail.args();
        // An offer's reply-by clock starts now: the message names the date it sets.
        let reply_by = mail
            .reply_clock()
            .map(|c| today_in_sweden() + Duration::days(c.days));
        if let Some(date) = reply_by {
            let text = tr.naive_date(&date);
            match args.iter_mut().find(|(k, _)| k == "reply_by") {
                Some((_, v)) => *v = text,
                None => args.push(("reply_by".into(), text)),
            }
        }
        let (subject, body) = render_template(tr, &mail.template, &args);
        match self.mailer.send_text(&mail.recipient, subject, body).await {
            Ok(()) => {
                self.store.mark_mail_sent(mail, reply_by, now()).await?;
                Ok(true)
            }
            Err(e) => {
                let attempt = mail.attempts + 1;
                let give_up = attempt >= MAX_ATTEMPTS;
                // The error text names the server's answer, never the recipient.
                tracing::warn!(mail_id = mail.id, attempt, give_up, error = %e, "e-mail not sent");
                self.store
                    .mark_mail_failed(mail.id, &e.to_string(), now() + backoff(attempt), give_up)
                    .await?;
                Ok(false)
            }
        }
    }

    /// The outbox for platform administrators: messages not (yet) sent and counts per status.
    ///
    /// # Errors
    /// A refusal or a store error.
    pub async fn unsent_mails(&self, actor: &Actor) -> Result<(Vec<OutboxMail>, OutboxCounts)> {
        self.authorize(actor, Action::AdministerPlatform).await?;
        Ok(self.store.unsent_mails(500).await?)
    }

    /// Tries every waiting message now instead of after its backoff (after the mail server is
    /// back). Returns how many were waiting.
    ///
    /// # Errors
    /// A refusal or a store error.
    pub async fn retry_mail_now(&self, actor: &Actor) -> Result<u64> {
        self.authorize(actor, Action::AdministerPlatform).await?;
        let n = self.store.retry_pending_mails(now()).await?;
        self.mail_wake.notify_one();
        Ok(n)
    }

    /// Sends a dead-lettered message again (the same message: at most once more).
    ///
    /// # Errors
    /// [`crate::AppError::NotFound`] for a message that is not dead, or a refusal.
    pub async fn resend_mail(&self, actor: &Actor, id: i64) -> Result<()> {
        self.authorize(actor, Action::AdministerPlatform).await?;
        let audit = AuditRecord::new(actor.user_id, "mail.resend", format!("mail:{id}"));
        self.store
            .requeue_mail(id, now(), &audit)
            .await
            .map_err(crate::accounts::not_found)?;
        self.mail_wake.notify_one();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_at_most_four_hours() {
        assert_eq!(backoff(1), Duration::seconds(60));
        assert_eq!(backoff(2), Duration::seconds(120));
        assert_eq!(backoff(MAX_ATTEMPTS), Duration::hours(4));
        let total: i64 = (1..MAX_ATTEMPTS).map(|a| backoff(a).num_seconds()).sum();
        assert!(total > 24 * 3600, "gives a day's outage time: {total} s");
    }
}
