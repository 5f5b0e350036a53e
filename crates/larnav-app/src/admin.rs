//! Platform administration: people, their flags, and the audit log.

use chrono::{NaiveDate, NaiveTime};
use larnav_domain::{Action, Actor, Email};
use larnav_store::{AuditEvent, AuditFilter, AuditRecord, NewUser, User};

use crate::accounts::{
    Caller, check_name, check_new_password, email_conflict, hash_blocking, not_found,
};
use crate::error::Checks;
use crate::{App, AppError, Result, now};

/// An account created by an administrator or the CLI (`larnav user create`).
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub platform_admin: bool,
}

impl App {
    /// # Errors
    /// A refusal or a store error.
    pub async fn list_users(
        &self,
        actor: &Actor,
        query: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<User>> {
        self.authorize(actor, Action::AdministerPlatform).await?;
        Ok(self
            .store
            .list_users(query.filter(|q| !q.trim().is_empty()), limit, offset)
            .await?)
    }

    /// # Errors
    /// [`AppError::NotFound`] or a refusal.
    pub async fn user(&self, actor: &Actor, user_id: i64) -> Result<User> {
        self.authorize(actor, Action::AdministerPlatform).await?;
        self.store.get_user(user_id).await.map_err(not_found)
    }

    /// Creates an account with a password (administrators; the CLI acts as the system).
    ///
    /// # Errors
    /// [`AppError::Validation`], [`AppError::Conflict`] (`email_taken`).
    pub async fn create_account(&self, actor: &Actor, account: &NewAccount) -> Result<User> {
        self.authorize(actor, Action::AdministerPlatform).await?;
        let mut checks = Checks::new();
        let display_name = check_name(&mut checks, "display_name", &account.display_name);
        let email = checks.check("email", "field.email_invalid", Email::parse(&account.email));
        check_new_password(&mut checks, &account.password, &account.password);
        checks.finish()?;
        let new_user = NewUser {
            email: email.expect("checked").to_string(),
            display_name,
            password_hash: Some(hash_blocking(account.password.clone()).await?),
            platform_admin: account.platform_admin,
            locale: "sv".into(),
            email_verified: true,
        };
        let audit = AuditRecord::new(actor.user_id, "user.create", "").with_detail(
            if account.platform_admin {
                "platform_admin"
            } else {
                ""
            },
        );
        self.store
            .create_user(&new_user, now(), &audit)
            .await
            .map_err(email_conflict)
    }

    /// Grants or withdraws platform administration and disables or enables an account. An
    /// administrator cannot lock themselves out, and the last administrator stays.
    ///
    /// # Errors
    /// [`AppError::Conflict`] (`last_platform_admin`), [`AppError::NotFound`].
    pub async fn set_user_flags(
        &self,
        caller: &Caller,
        user_id: i64,
        platform_admin: bool,
        disabled: bool,
    ) -> Result<()> {
        self.authorize(&caller.actor, Action::AdministerPlatform)
            .await?;
        let user = self.store.get_user(user_id).await.map_err(not_found)?;
        let loses_admin = user.platform_admin && !user.disabled && (!platform_admin || disabled);
        if loses_admin
            && (user_id == caller.user.id || self.store.count_platform_admins().await? <= 1)
        {
            return Err(AppError::Conflict {
                code: "last_platform_admin",
                message_key: "error.last_platform_admin",
            });
        }
        let audit = AuditRecord::new(
            Some(caller.user.id),
            "user.flags_change",
            format!("user:{user_id}"),
        )
        .with_detail(format!(
            "platform_admin={platform_admin} disabled={disabled}"
        ));
        Ok(self
            .store
            .set_user_flags(user_id, platform_admin, disabled, now(), &audit)
            .await?)
    }

    /// The audit log: all of it for platform administrators, one organisation's for its
    /// administrators, narrowed by `search`. Newest first, `limit` events (at most
    /// [`AUDIT_EXPORT_LIMIT`]) before `before_id`.
    ///
    /// # Errors
    /// [`AppError::Validation`] for a date that is not ÅÅÅÅ-MM-DD or an unknown event; a
    /// refusal or a store error.
    pub async fn audit_log(
        &self,
        actor: &Actor,
        organisation_id: Option<i64>,
        search: &AuditSearch,
        before_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEvent>> {
        let action = match organisation_id {
            Some(org) => Action::ViewOrganisationAudit(org),
            None => Action::AdministerPlatform,
        };
        self.authorize(actor, action).await?;
        let mut checks = Checks::new();
        let mut day = |field: &'static str, text: &str, days_after: i64| {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            let date = checks.check(field, "field.date_invalid", text.parse::<NaiveDate>())?;
            let midnight = (date + chrono::Duration::days(days_after)).and_time(NaiveTime::MIN);
            Some(crate::i18n::swedish_local_to_utc(midnight))
        };
        let from = day("from", &search.from, 0);
        // The last day counts whole: up to the next midnight in Sweden.
        let to = day("to", &search.to, 1);
        let what = search.what.trim();
        if !what.is_empty() && !AUDIT_EVENTS.contains(&what) {
            checks.fail("what", "field.choice_invalid");
        }
        checks.finish()?;
        Ok(self
            .store
            .list_audit_events(AuditFilter {
                organisation_id,
                before_id,
                limit: limit.clamp(1, AUDIT_EXPORT_LIMIT),
                actor_email: Some(search.who.trim())
                    .filter(|w| !w.is_empty())
                    .map(str::to_string),
                action: Some(what).filter(|w| !w.is_empty()).map(str::to_string),
                from,
                to,
            })
            .await?)
    }
}

/// The most events one export holds (newest first).
pub const AUDIT_EXPORT_LIMIT: i64 = 100_000;

/// What to look for in the audit log, as people type it: part of who's e-mail address, one
/// event (its action code), and the first and last day (ÅÅÅÅ-MM-DD, Swedish time).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditSearch {
    #[serde(default)]
    pub who: String,
    #[serde(default)]
    pub what: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// Every action the audit log records, each with a name in both languages
/// (`audit.event.<action>`): the log shows the name, and people filter by it. A test fails when
/// the code writes an action that is missing here.
pub const AUDIT_EVENTS: &[&str] = &[
    "access.denied",
    "admission.accept",
    "admission.decide",
    "admission.decline",
    "admission.expire",
    "admission.seats",
    "admission_round.close_early",
    "admission_round.create",
    "admission_round.occasion",
    "admission_round.publish",
    "admission_round.run",
    "admission_round.update",
    "ads.import",
    "ads.withdraw",
    "api_token.create",
    "api_token.revoke",
    "application.document",
    "application.save",
    "area.create",
    "area.delete",
    "area.update",
    "attendance.import",
    "attendance.mark",
    "catalogue.import",
    "centre_profile.save",
    "collection.add_step",
    "collection.create",
    "collection.edit_step",
    "collection.move_step",
    "collection.remove_step",
    "collection.update",
    "enrolment.attributes",
    "enrolment.correct",
    "enrolment.end",
    "enrolment.enrol",
    "enrolment.import",
    "invitation.accept",
    "invitation.create",
    "invitation.revoke",
    "mail.resend",
    "material.approve",
    "material.attachment_delete",
    "material.attachment_upload",
    "material.comment",
    "material.comment_delete",
    "material.create",
    "material.new_version",
    "material.request_changes",
    "material.save",
    "material.submit",
    "meeting_programme.close",
    "meeting_programme.create",
    "meeting_programme.pair",
    "meeting_programme.propose",
    "meeting_programme.publish",
    "meeting_programme.reopen",
    "meeting_programme.unpair",
    "member.remove",
    "member.roles_change",
    "mentorship_round.apply",
    "mentorship_round.close",
    "mentorship_round.close_applications",
    "mentorship_round.create",
    "mentorship_round.offer",
    "mentorship_round.pair",
    "mentorship_round.propose",
    "mentorship_round.publish",
    "mentorship_round.reopen",
    "mentorship_round.withdraw",
    "need.delete",
    "need.import",
    "need.report",
    "network_document.delete",
    "network_document.upload",
    "network_theme.create",
    "occasion.delete",
    "occasion.save",
    "offering.closed",
    "offering.completed",
    "offering.create",
    "offering.draft",
    "offering.import",
    "offering.published",
    "offering.published_without_review",
    "offering.review",
    "offering.update",
    "organisation.create",
    "organisation.update",
    "plan.add_activity",
    "plan.assign",
    "plan.create",
    "plan.edit_activity",
    "plan.move_activity",
    "plan.remove_activity",
    "plan.unassign",
    "plan.update",
    "priority_list.create",
    "priority_list.override",
    "priority_list.publish",
    "priority_list.update",
    "privacy.retention",
    "session.add",
    "session.delete",
    "signals.import",
    "staff_group.add",
    "staff_group.create",
    "staff_group.remove",
    "staffing.set",
    "supply.confirm",
    "supply.link",
    "teacher.create",
    "user.create",
    "user.email_verified",
    "user.erase",
    "user.flags_change",
    "user.login",
    "user.login_failed",
    "user.password_change",
    "user.password_reset",
    "user.profile_update",
    "user.register",
    "working_model.adopt",
    "working_model.adoption_removed",
    "working_model.create",
    "working_model.update",
];
