//! Platform administration: people, their flags, and the audit log.

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
    /// administrators. Newest first, `limit` events before `before_id`.
    ///
    /// # Errors
    /// A refusal or a store error.
    pub async fn audit_log(
        &self,
        actor: &Actor,
        organisation_id: Option<i64>,
        before_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEvent>> {
        let action = match organisation_id {
            Some(org) => Action::ViewOrganisationAudit(org),
            None => Action::AdministerPlatform,
        };
        self.authorize(actor, action).await?;
        Ok(self
            .store
            .list_audit_events(AuditFilter {
                organisation_id,
                before_id,
                limit: limit.clamp(1, 500),
            })
            .await?)
    }
}
