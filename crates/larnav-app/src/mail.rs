//! E-mail: over SMTP when configured, otherwise to an outbox directory of `.eml` files that a
//! developer (or the demo's user) can open. Texts come from the locale files.

use std::path::PathBuf;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::i18n::Tr;

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(AsyncFileTransport<Tokio1Executor>),
}

/// Sends Lärnav's messages.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    /// Where the outbox is, when there is one (shown at start-up).
    pub outbox: Option<PathBuf>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("outbox", &self.outbox)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the mail settings are invalid: {0}")]
    Config(String),
    #[error("the message could not be sent: {0}")]
    Send(String),
}

/// A message Lärnav sends, with what it needs to say.
#[derive(Debug, Clone)]
pub enum Mail<'a> {
    Invitation {
        organisation: &'a str,
        role: &'a str,
        inviter: &'a str,
        link: &'a str,
        days: i64,
    },
    PasswordReset {
        link: &'a str,
        minutes: i64,
    },
    Welcome {
        name: &'a str,
        link: &'a str,
    },
    /// A step of an admission round (`mail.admission.{step}.subject` and `.body`): application
    /// received, result, offer to a reserve, reply recorded, offer expired.
    Admission {
        step: &'a str,
        args: &'a [(&'a str, &'a str)],
    },
    /// A step of a learning-meeting programme (`mail.network.{step}.subject` and `.body`):
    /// paired, meetings planned, a meeting tomorrow, evaluation open.
    Network {
        step: &'a str,
        args: &'a [(&'a str, &'a str)],
    },
    /// A step of a review (`mail.review.{step}.subject` and `.body`): a course or material
    /// submitted for review, published or approved, or sent back with changes requested.
    Review {
        step: &'a str,
        args: &'a [(&'a str, &'a str)],
    },
    /// An outcome follow-up after a course (`mail.follow_up.subject` and `.body`).
    FollowUp {
        args: &'a [(&'a str, &'a str)],
    },
}

impl Mailer {
    /// # Errors
    /// [`MailError::Config`] for an unusable SMTP URL, sender or outbox directory.
    pub fn new(smtp_url: &str, from: &str, outbox: PathBuf) -> Result<Self, MailError> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| MailError::Config(format!("mail.from {from:?}: {e}")))?;
        if smtp_url.is_empty() {
            std::fs::create_dir_all(&outbox).map_err(|e| {
                MailError::Config(format!(
                    "cannot create the outbox {}: {e}",
                    outbox.display()
                ))
            })?;
            Ok(Self {
                transport: Transport::Outbox(AsyncFileTransport::new(&outbox)),
                from,
                outbox: Some(outbox),
            })
        } else {
            let smtp = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
                .map_err(|e| MailError::Config(format!("mail.smtp_url: {e}")))?
                .timeout(Some(std::time::Duration::from_secs(15)))
                .build();
            Ok(Self {
                transport: Transport::Smtp(smtp),
                from,
                outbox: None,
            })
        }
    }

    /// Sends `mail` to `to` in the language of `tr`.
    ///
    /// # Errors
    /// [`MailError::Send`] when the server refuses or cannot be reached.
    pub async fn send(&self, to: &str, tr: Tr, mail: Mail<'_>) -> Result<(), MailError> {
        let (subject, body) = render(tr, &mail);
        self.send_text(to, subject, body).await
    }

    /// Sends a rendered message.
    ///
    /// # Errors
    /// [`MailError::Send`] when the server refuses or cannot be reached.
    pub async fn send_text(
        &self,
        to: &str,
        subject: String,
        body: String,
    ) -> Result<(), MailError> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| MailError::Send(format!("recipient: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| MailError::Send(e.to_string()))?;
        match &self.transport {
            Transport::Smtp(t) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| MailError::Send(e.to_string())),
            Transport::Outbox(t) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| MailError::Send(e.to_string())),
        }
    }
}

impl Mail<'_> {
    /// The message's template (its `.subject` and `.body` keys in the locale files) and
    /// arguments: what the outbox stores, so it can be rendered when it is sent.
    pub fn template_and_args(&self) -> (String, Vec<(String, String)>) {
        let pairs = |args: &[(&str, &str)]| {
            args.iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect()
        };
        match self {
            Mail::Invitation {
                organisation,
                role,
                inviter,
                link,
                days,
            } => (
                "mail.invitation".into(),
                pairs(&[
                    ("organisation", organisation),
                    ("role", role),
                    ("inviter", inviter),
                    ("link", link),
                    ("days", &days.to_string()),
                ]),
            ),
            Mail::PasswordReset { link, minutes } => (
                "mail.reset".into(),
                pairs(&[("link", link), ("minutes", &minutes.to_string())]),
            ),
            Mail::Welcome { name, link } => (
                "mail.welcome".into(),
                pairs(&[("name", name), ("link", link)]),
            ),
            Mail::Admission { step, args } => (format!("mail.admission.{step}"), pairs(args)),
            Mail::Network { step, args } => (format!("mail.network.{step}"), pairs(args)),
            Mail::Review { step, args } => (format!("mail.review.{step}"), pairs(args)),
            Mail::FollowUp { args } => ("mail.follow_up".into(), pairs(args)),
        }
    }
}

/// Subject and plain-text body of a message.
pub fn render(tr: Tr, mail: &Mail<'_>) -> (String, String) {
    let (template, args) = mail.template_and_args();
    render_template(tr, &template, &args)
}

/// Subject and body of a stored template with its arguments.
pub fn render_template(tr: Tr, template: &str, args: &[(String, String)]) -> (String, String) {
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    (
        tr.fmt(&format!("{template}.subject"), &args),
        tr.fmt(&format!("{template}.body"), &args),
    )
}
