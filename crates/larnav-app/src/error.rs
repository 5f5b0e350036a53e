//! The app layer's one error type. It knows nothing of HTTP: the web crate maps each variant
//! to a status code, and every variant has a stable machine-readable `code` and a translation key.

use larnav_store::StoreError;

/// A problem with one input field: the field's name and a translation key for the message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: &'static str,
    pub message_key: &'static str,
}

/// One problem in an imported file: where, what was there, and what was expected (a
/// translation key whose text may use `{value}`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ImportProblem {
    pub line: u64,
    pub field: String,
    pub value: String,
    pub expected_key: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The action needs a signed-in person.
    #[error("sign-in required")]
    Unauthenticated,
    /// The policy refuses the action (already audited).
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Input fields are missing or invalid; nothing was changed.
    #[error("invalid input: {0:?}")]
    Validation(Vec<FieldError>),
    /// The change conflicts with existing data; `code` says how (e.g. `email_taken`).
    #[error("conflict: {code}")]
    Conflict {
        code: &'static str,
        message_key: &'static str,
    },
    #[error("wrong e-mail address or password")]
    InvalidCredentials,
    #[error("too many attempts; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: i64 },
    /// A link (password reset, invitation) that is unknown, used, revoked or expired.
    #[error("the link is no longer valid")]
    LinkInvalid,
    /// The form's CSRF token did not match (checked in the web layer, defined here so that all
    /// errors share one set of codes).
    #[error("the form has expired")]
    CsrfRejected,
    /// An imported file had problems; nothing from it was stored.
    #[error("import rejected: {} problems", .0.len())]
    ImportRejected(Vec<ImportProblem>),
    #[error("storage failure: {0}")]
    Store(#[from] StoreError),
    /// Something that should not fail did: the context says what Lärnav was doing, the source
    /// (if any) why. Logged with its whole cause chain ([`AppError::causes`]), never shown.
    #[error("internal error: {context}")]
    Internal {
        context: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl AppError {
    /// A stable code for API clients (`problem+json`'s `code`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Validation(_) => "validation_failed",
            Self::Conflict { code, .. } => code,
            Self::InvalidCredentials => "invalid_credentials",
            Self::RateLimited { .. } => "rate_limited",
            Self::LinkInvalid => "link_invalid",
            Self::CsrfRejected => "csrf_rejected",
            Self::ImportRejected(_) => "import_rejected",
            Self::Store(_) | Self::Internal { .. } => "internal_error",
        }
    }

    /// The translation key of the message shown to people. Internal errors get a generic
    /// message: their detail goes to the log only.
    pub fn message_key(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "error.unauthenticated",
            Self::Forbidden => "error.forbidden",
            Self::NotFound => "error.not_found",
            Self::Validation(_) => "error.validation",
            Self::Conflict { message_key, .. } => message_key,
            Self::InvalidCredentials => "error.invalid_credentials",
            Self::RateLimited { .. } => "error.rate_limited",
            Self::LinkInvalid => "error.link_invalid",
            Self::CsrfRejected => "error.csrf",
            Self::ImportRejected(_) => "error.import_rejected",
            Self::Store(_) | Self::Internal { .. } => "error.internal",
        }
    }

    /// An internal error caused by `source` while doing `context`.
    pub fn internal(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self::Internal {
            context: context.into(),
            source: Some(source.into()),
        }
    }

    /// An internal error without a cause: a rule that was checked earlier does not hold.
    pub fn bug(context: impl Into<String>) -> Self {
        Self::Internal {
            context: context.into(),
            source: None,
        }
    }

    /// The error and every cause under it, `outer: inner: …`, for the log.
    pub fn causes(&self) -> String {
        let mut text = self.to_string();
        let mut next = std::error::Error::source(self);
        while let Some(cause) = next {
            // A wrapper that already prints its cause (`#[error("…: {0}")]`) is not repeated.
            let cause_text = cause.to_string();
            if !text.ends_with(&cause_text) {
                text.push_str(": ");
                text.push_str(&cause_text);
            }
            next = cause.source();
        }
        text
    }

    pub fn invalid(field: &'static str, message_key: &'static str) -> Self {
        Self::Validation(vec![FieldError { field, message_key }])
    }
}

/// The reason given for a decision that others are told about (field `reason`): trimmed,
/// required, at most 500 characters.
///
/// # Errors
/// [`AppError::Validation`] on `reason`.
pub(crate) fn reason_text(reason: &str) -> Result<&str, AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid("reason", "field.required"));
    }
    if reason.chars().count() > 500 {
        return Err(AppError::invalid("reason", "field.too_long"));
    }
    Ok(reason)
}

impl AppError {
    /// Every code an [`AppError`] can carry, so that a test can check each is documented.
    pub const CODES: &'static [&'static str] = &[
        "unauthenticated",
        "forbidden",
        "not_found",
        "validation_failed",
        "invalid_credentials",
        "rate_limited",
        "link_invalid",
        "csrf_rejected",
        "internal_error",
        "email_taken",
        "email_unverified",
        "organisation_number_taken",
        "already_member",
        "last_organisation_admin",
        "last_platform_admin",
        "invitation_other_address",
        "area_name_taken",
        "import_rejected",
        "import_repeated",
        "list_exists",
        "offering_edited_elsewhere",
        "offering_status_changed",
        "offering_imported",
        "offering_completed",
        "occasion_has_enrolments",
        "enrolment_changed",
        "already_enrolled",
        "offering_transition",
        "own_review",
        "over_capacity",
        "round_published",
        "round_changed",
        "round_running",
        "round_not_run",
        "round_not_published",
        "round_closed",
        "round_not_open",
        "eligibility_pending",
        "occasion_closed",
        "apply_first",
        "offer_not_open",
        "reply_too_late",
        "programme_not_open",
        "programme_not_published",
        "programme_not_closed",
        "already_registered",
        "pair_not_allowed",
        "material_stale",
        "material_not_draft",
        "material_not_in_review",
        "material_in_review",
        "no_pairs",
        "already_evaluated",
        "theme_exists",
        "applications_closed",
        "applications_open",
        "already_applied",
        "model_full",
        "round_not_closed",
        "model_exists",
    ];
}

/// Collects field errors so that a form reports every problem at once, not one per submit.
#[derive(Debug, Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn fail(&mut self, field: &'static str, message_key: &'static str) {
        self.0.push(FieldError { field, message_key });
    }

    /// Runs `parse` and records its failure under `field`.
    pub fn check<T, E>(
        &mut self,
        field: &'static str,
        message_key: &'static str,
        parse: Result<T, E>,
    ) -> Option<T> {
        match parse {
            Ok(v) => Some(v),
            Err(_) => {
                self.fail(field, message_key);
                None
            }
        }
    }

    /// # Errors
    /// [`AppError::Validation`] with every recorded problem.
    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_in_use_is_listed_in_codes() {
        let variants = [
            AppError::Unauthenticated,
            AppError::Forbidden,
            AppError::NotFound,
            AppError::Validation(vec![]),
            AppError::InvalidCredentials,
            AppError::RateLimited {
                retry_after_secs: 1,
            },
            AppError::LinkInvalid,
            AppError::CsrfRejected,
            AppError::ImportRejected(vec![]),
            AppError::bug(""),
        ];
        for v in &variants {
            assert!(
                AppError::CODES.contains(&v.code()),
                "{} is not in CODES",
                v.code()
            );
        }
        // Conflict codes are chosen where the conflict is detected: find them in the sources.
        let sources = [
            include_str!("accounts.rs"),
            include_str!("organisations.rs"),
            include_str!("admin.rs"),
            include_str!("areas.rs"),
            include_str!("semaforen.rs"),
            include_str!("needs.rs"),
            include_str!("catalogue.rs"),
            include_str!("admission/mod.rs"),
            include_str!("admission/applications.rs"),
            include_str!("admission/input.rs"),
            include_str!("admission/replies.rs"),
            include_str!("admission/review.rs"),
            include_str!("admission/rounds.rs"),
            include_str!("admission/run.rs"),
            include_str!("admission/texts.rs"),
            include_str!("admission/types.rs"),
            include_str!("meetings.rs"),
            include_str!("mentorship.rs"),
            include_str!("registry.rs"),
            include_str!("material.rs"),
            include_str!("enrolments.rs"),
        ];
        // Written as `code: "…"` or, in the admission module, `conflict("…", …)`; compared
        // without white space, which rustfmt moves.
        let sources: Vec<String> = sources
            .iter()
            .map(|s| s.split_whitespace().collect())
            .collect();
        let produced_in = |src: &str, code: &str| {
            src.contains(&format!("code:\"{code}\""))
                || src.contains(&format!("conflict(\"{code}\""))
        };
        let mut found = 0;
        for src in &sources {
            for part in src
                .split("code:\"")
                .skip(1)
                .chain(src.split("conflict(\"").skip(1))
            {
                let code = part.split('"').next().unwrap();
                assert!(
                    AppError::CODES.contains(&code),
                    "conflict code {code} is not in CODES"
                );
                found += 1;
            }
        }
        assert!(found >= 5, "the conflict codes were found in the sources");
        // And every listed code is produced somewhere.
        for code in AppError::CODES {
            let produced = variants.iter().any(|v| v.code() == *code)
                || sources.iter().any(|s| produced_in(s, code));
            assert!(produced, "{code} is listed but never produced");
        }
    }
}
