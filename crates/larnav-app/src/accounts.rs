//! Accounts: registration, login and logout, sessions, passwords, profile and API tokens.

use chrono::Duration;
use larnav_domain::{Action, Actor, Email, Membership, check_password};
use larnav_store::{ApiToken, AuditRecord, NewUser, StoreError, User};

use crate::error::Checks;
use crate::i18n::Lang;
use crate::mail::Mail;
use crate::security::{dummy_hash, hash_password, random_token, token_hash, verify_password};
use crate::{App, AppError, Result, now};

/// A self-registration (learners) or the account part of accepting an invitation.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Registration {
    pub display_name: String,
    pub email: String,
    pub password: String,
    pub password_confirm: String,
}

/// A new login: the session token goes into the cookie; only its hash is stored.
#[derive(Debug)]
pub struct Login {
    pub user: User,
    pub session_token: String,
}

/// Who is calling, resolved from a session or an API token.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub actor: Actor,
}

pub(crate) const NAME_MAX_CHARS: usize = 200;

/// Checks a display name: present, not absurdly long, no control characters.
pub(crate) fn check_name(checks: &mut Checks, field: &'static str, name: &str) -> String {
    let name = name.trim();
    if name.is_empty() {
        checks.fail(field, "field.required");
    } else if name.chars().count() > NAME_MAX_CHARS || name.chars().any(char::is_control) {
        checks.fail(field, "field.name_invalid");
    }
    name.to_string()
}

/// Checks a new password and its confirmation.
pub(crate) fn check_new_password(checks: &mut Checks, password: &str, confirm: &str) {
    match check_password(password) {
        Err(larnav_domain::PasswordError::TooShort) => {
            checks.fail("password", "field.password_short")
        }
        Err(larnav_domain::PasswordError::TooLong) => {
            checks.fail("password", "field.password_long")
        }
        Ok(()) if password != confirm => checks.fail("password_confirm", "field.password_mismatch"),
        Ok(()) => {}
    }
}

/// Runs Argon2id off the async threads.
pub(crate) async fn hash_blocking(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::internal("password hashing task failed", e))
}

pub(crate) async fn verify_blocking(password: String, hash: String) -> Result<bool> {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| AppError::internal("password verification task failed", e))
}

/// Password-reset requests one client may make per hour, over all addresses.
pub const RESETS_PER_CLIENT: i64 = 10;

/// How long an e-mail verification link stays valid.
pub const VERIFY_LINK_HOURS: i64 = 72;

impl App {
    /// The actor for a user: their platform flag and every role in every organisation.
    ///
    /// # Errors
    /// A store error.
    pub async fn actor_for(&self, user: &User) -> Result<Actor> {
        let memberships = self.store.memberships_of(user.id).await?;
        Ok(Actor {
            user_id: Some(user.id),
            platform_admin: user.platform_admin,
            system: false,
            email_unverified: user.email_verified_at.is_none(),
            memberships: memberships
                .into_iter()
                .map(|m| Membership {
                    organisation_id: m.organisation_id,
                    role: m.role,
                })
                .collect(),
        })
    }

    /// The caller behind a session token, if the session is live and the account enabled.
    ///
    /// # Errors
    /// A store error.
    pub async fn session_caller(&self, session_token: &str) -> Result<Option<Caller>> {
        match self
            .store
            .session_user(&token_hash(session_token), now())
            .await?
        {
            Some(user) => Ok(Some(Caller {
                actor: self.actor_for(&user).await?,
                user,
            })),
            None => Ok(None),
        }
    }

    /// The caller behind an API token (`Authorization: Bearer …`).
    ///
    /// # Errors
    /// A store error.
    pub async fn api_token_caller(&self, token: &str) -> Result<Option<Caller>> {
        match self.store.api_token_user(&token_hash(token), now()).await? {
            Some(user) => Ok(Some(Caller {
                actor: self.actor_for(&user).await?,
                user,
            })),
            None => Ok(None),
        }
    }

    async fn start_session(&self, user: User) -> Result<Login> {
        let token = random_token();
        let now = now();
        let expires = now + Duration::hours(self.settings.security.session_hours);
        self.store
            .create_session(&token_hash(&token), user.id, now, expires)
            .await?;
        Ok(Login {
            user,
            session_token: token,
        })
    }

    /// Creates a learner's own account and signs them in.
    ///
    /// # Errors
    /// [`AppError::Validation`] for bad fields, [`AppError::Conflict`] (`email_taken`).
    pub async fn register(&self, actor: &Actor, form: &Registration, lang: Lang) -> Result<Login> {
        self.authorize(actor, Action::Register).await?;
        let new_user = self.validate_registration(form, lang).await?;
        let audit = AuditRecord::new(None, "user.register", "");
        let user = self
            .store
            .create_user(&new_user, now(), &audit)
            .await
            .map_err(email_conflict)?;
        tracing::info!(user_id = user.id, "learner registered");
        if let Err(e) = self.send_email_verification(&user, lang).await {
            tracing::warn!(user_id = user.id, error = %e, "verification e-mail not queued");
        }
        self.start_session(user).await
    }

    /// Sends (again) the link that proves the address is the person's: welcome text and link
    /// in one message, valid [`VERIFY_LINK_HOURS`]; at most three per hour.
    ///
    /// # Errors
    /// [`AppError::RateLimited`] after three links in an hour; a store error.
    async fn send_email_verification(&self, user: &User, lang: Lang) -> Result<()> {
        if user.email_verified_at.is_some() {
            return Ok(());
        }
        let now = now();
        if self
            .store
            .count_email_verifications(user.id, now - Duration::hours(1))
            .await?
            >= 3
        {
            return Err(AppError::RateLimited {
                retry_after_secs: 3600,
            });
        }
        let token = random_token();
        let link = format!("{}/verify-email/{token}", self.settings.public_url());
        let mail = Self::new_mail(
            Some(format!("verify:{}", token_hash(&token))),
            &user.email,
            Lang::parse(&user.locale).unwrap_or(lang),
            &Mail::Welcome {
                name: &user.display_name,
                link: &link,
            },
            None,
        );
        self.store
            .create_email_verification(
                &token_hash(&token),
                user.id,
                now,
                now + Duration::hours(VERIFY_LINK_HOURS),
                &mail,
            )
            .await?;
        self.mail_wake.notify_one();
        Ok(())
    }

    /// Sends the signed-in person a new verification link (the first may be lost or expired).
    ///
    /// # Errors
    /// [`AppError::RateLimited`] after three links in an hour; a refusal.
    pub async fn resend_email_verification(&self, caller: &Caller, lang: Lang) -> Result<()> {
        self.authorize(&caller.actor, Action::ManageOwnAccount)
            .await?;
        self.send_email_verification(&caller.user, lang).await
    }

    /// Marks the address of the link's account verified.
    ///
    /// # Errors
    /// [`AppError::LinkInvalid`] for an unknown, used or expired link.
    pub async fn verify_email(&self, token: &str) -> Result<()> {
        match self
            .store
            .use_email_verification(&token_hash(token), now())
            .await?
        {
            Some(user_id) => {
                tracing::info!(user_id, "e-mail address verified");
                Ok(())
            }
            None => Err(AppError::LinkInvalid),
        }
    }

    /// Applying, registering for a programme, and the result e-mails that follow, need an
    /// address the person has shown is theirs: otherwise anyone could apply in someone else's
    /// name and have the results sent to them.
    ///
    /// # Errors
    /// `email_unverified` for a learner who has not followed the link yet.
    pub(crate) fn require_verified(actor: &Actor) -> Result<()> {
        if actor.email_unverified {
            Err(AppError::Conflict {
                code: "email_unverified",
                message_key: "account.verify_first",
            })
        } else {
            Ok(())
        }
    }

    /// Validates a registration form into a new account (hashing the password).
    pub(crate) async fn validate_registration(
        &self,
        form: &Registration,
        lang: Lang,
    ) -> Result<NewUser> {
        let mut checks = Checks::new();
        let display_name = check_name(&mut checks, "display_name", &form.display_name);
        let email = checks.check("email", "field.email_invalid", Email::parse(&form.email));
        check_new_password(&mut checks, &form.password, &form.password_confirm);
        checks.finish()?;
        let email = email.expect("checked");
        if self
            .store
            .find_user_by_email(email.as_str())
            .await?
            .is_some()
        {
            return Err(email_taken());
        }
        Ok(NewUser {
            email: email.to_string(),
            display_name,
            password_hash: Some(hash_blocking(form.password.clone()).await?),
            platform_admin: false,
            locale: lang.code().to_string(),
            email_verified: false,
        })
    }

    /// Signs in with e-mail and password. `client` identifies the caller's address for rate
    /// limiting; it is stored only as a hash and never logged.
    ///
    /// # Errors
    /// [`AppError::RateLimited`] after too many failures for the account or the address,
    /// [`AppError::InvalidCredentials`] for a wrong address or password (indistinguishable).
    pub async fn login(&self, email: &str, password: &str, client: &str) -> Result<Login> {
        let sec = &self.settings.security;
        let window_start = now() - Duration::minutes(sec.login_window_minutes);
        let email_norm = email.trim().to_lowercase();
        // Throttling stops the guessing client, never the account's owner: failures count per
        // (account, client) pair — the owner on their own device is not locked out by someone
        // guessing elsewhere — and per client across all accounts (spraying one password over
        // many accounts), where one address may be a whole office behind NAT.
        let pair_key = token_hash(&format!("login:pair:{email_norm}:{client}"));
        let client_key = token_hash(&format!("login:client:{client}"));
        if self
            .store
            .count_login_failures(&pair_key, window_start)
            .await?
            >= sec.max_login_failures
            || self
                .store
                .count_login_failures(&client_key, window_start)
                .await?
                >= sec.max_login_failures * 4
        {
            return Err(AppError::RateLimited {
                retry_after_secs: sec.login_window_minutes * 60,
            });
        }
        let user = self.store.find_user_by_email(&email_norm).await?;
        let hash = user
            .as_ref()
            .and_then(|u| u.password_hash.clone())
            .unwrap_or_else(|| dummy_hash().to_string());
        let ok = verify_blocking(password.to_string(), hash).await?;
        match user {
            Some(user) if ok && !user.disabled => {
                self.store.clear_login_failures(&pair_key).await?;
                self.store
                    .audit(
                        &AuditRecord::new(Some(user.id), "user.login", format!("user:{}", user.id)),
                        now(),
                    )
                    .await?;
                self.start_session(user).await
            }
            user => {
                self.store
                    .record_login_failure(&[&pair_key, &client_key], now())
                    .await?;
                if let Some(u) = user {
                    self.store
                        .audit(
                            &AuditRecord::new(None, "user.login_failed", format!("user:{}", u.id)),
                            now(),
                        )
                        .await?;
                }
                Err(AppError::InvalidCredentials)
            }
        }
    }

    /// Ends a session.
    ///
    /// # Errors
    /// A store error.
    pub async fn logout(&self, session_token: &str) -> Result<()> {
        Ok(self
            .store
            .delete_session(&token_hash(session_token))
            .await?)
    }

    /// Sends a reset link if the address has an account. The answer is the same either way, so
    /// the form does not reveal who has an account; at most three links per hour per address
    /// and [`RESETS_PER_CLIENT`] requests per hour per client.
    ///
    /// # Errors
    /// [`AppError::Validation`] for a malformed address; mail failures are logged, not shown.
    pub async fn request_password_reset(
        &self,
        email: &str,
        lang: Lang,
        client: &str,
    ) -> Result<()> {
        let email =
            Email::parse(email).map_err(|_| AppError::invalid("email", "field.email_invalid"))?;
        let key = token_hash(&format!("reset:{email}"));
        // One client asking for links to many addresses (mail bombing others) is capped too;
        // the answer stays the same, so the cap reveals nothing either.
        let client_key = token_hash(&format!("reset:client:{client}"));
        let hour_ago = now() - Duration::hours(1);
        if self.store.count_login_failures(&key, hour_ago).await? >= 3
            || self
                .store
                .count_login_failures(&client_key, hour_ago)
                .await?
                >= RESETS_PER_CLIENT
        {
            return Ok(());
        }
        self.store
            .record_login_failure(&[&key, &client_key], now())
            .await?;
        let Some(user) = self
            .store
            .find_user_by_email(email.as_str())
            .await?
            .filter(|u| !u.disabled)
        else {
            return Ok(());
        };
        let token = random_token();
        let minutes = self.settings.security.reset_link_minutes;
        let now = now();
        let link = format!("{}/password-reset/{token}", self.settings.public_url());
        let lang = Lang::parse(&user.locale).unwrap_or(lang);
        let mail = Self::new_mail(
            Some(format!("reset:{}", token_hash(&token))),
            &user.email,
            lang,
            &Mail::PasswordReset {
                link: &link,
                minutes,
            },
            None,
        );
        // Queued with the link and sent by the worker: the answer takes as long whether or
        // not the address has an account.
        self.store
            .create_password_reset(
                &token_hash(&token),
                user.id,
                now,
                now + Duration::minutes(minutes),
                &mail,
            )
            .await?;
        self.mail_wake.notify_one();
        Ok(())
    }

    /// Whether a reset link can still be used.
    ///
    /// # Errors
    /// A store error.
    pub async fn reset_link_is_valid(&self, token: &str) -> Result<bool> {
        Ok(self
            .store
            .password_reset_is_valid(&token_hash(token), now())
            .await?)
    }

    /// Sets a new password through a reset link; ends every session of the account.
    ///
    /// # Errors
    /// [`AppError::Validation`] for a weak or mismatched password, [`AppError::LinkInvalid`]
    /// for an unknown, used or expired link.
    pub async fn reset_password(&self, token: &str, password: &str, confirm: &str) -> Result<()> {
        let mut checks = Checks::new();
        check_new_password(&mut checks, password, confirm);
        checks.finish()?;
        if !self.reset_link_is_valid(token).await? {
            return Err(AppError::LinkInvalid);
        }
        let hash = hash_blocking(password.to_string()).await?;
        match self
            .store
            .use_password_reset(&token_hash(token), &hash, now())
            .await?
        {
            Some(_) => Ok(()),
            None => Err(AppError::LinkInvalid),
        }
    }

    /// Changes one's own password; other sessions end, the current one (`session_token`) stays.
    ///
    /// # Errors
    /// [`AppError::Validation`] with `current_password` wrong or the new one unacceptable.
    pub async fn change_password(
        &self,
        caller: &Caller,
        current: &str,
        new: &str,
        confirm: &str,
        session_token: Option<&str>,
    ) -> Result<()> {
        self.authorize(&caller.actor, Action::ManageOwnAccount)
            .await?;
        let mut checks = Checks::new();
        let stored = caller
            .user
            .password_hash
            .clone()
            .unwrap_or_else(|| dummy_hash().to_string());
        if !verify_blocking(current.to_string(), stored).await? {
            checks.fail("current_password", "field.current_password_wrong");
        }
        check_new_password(&mut checks, new, confirm);
        checks.finish()?;
        let hash = hash_blocking(new.to_string()).await?;
        let keep = session_token.map(token_hash);
        let audit = AuditRecord::new(
            Some(caller.user.id),
            "user.password_change",
            format!("user:{}", caller.user.id),
        );
        Ok(self
            .store
            .set_password(caller.user.id, &hash, keep.as_deref(), now(), &audit)
            .await?)
    }

    /// Changes one's own name and language; returns the account as it is now.
    ///
    /// # Errors
    /// [`AppError::Validation`].
    pub async fn update_profile(
        &self,
        caller: &Caller,
        display_name: &str,
        locale: &str,
    ) -> Result<User> {
        self.authorize(&caller.actor, Action::ManageOwnAccount)
            .await?;
        let mut checks = Checks::new();
        let name = check_name(&mut checks, "display_name", display_name);
        let lang = checks.check(
            "locale",
            "field.locale_invalid",
            Lang::parse(locale).ok_or(()),
        );
        checks.finish()?;
        let audit = AuditRecord::new(
            Some(caller.user.id),
            "user.profile_update",
            format!("user:{}", caller.user.id),
        );
        let code = lang.expect("checked").code();
        self.store
            .update_user_profile(caller.user.id, &name, code, now(), &audit)
            .await?;
        Ok(self.store.get_user(caller.user.id).await?)
    }

    /// Creates a personal API token; the secret is returned once and stored only as a hash.
    ///
    /// # Errors
    /// [`AppError::Validation`] for a missing name.
    pub async fn create_api_token(
        &self,
        caller: &Caller,
        name: &str,
    ) -> Result<(ApiToken, String)> {
        self.authorize(&caller.actor, Action::ManageOwnAccount)
            .await?;
        let mut checks = Checks::new();
        let name = check_name(&mut checks, "name", name);
        checks.finish()?;
        let secret = format!("lnv_{}", random_token());
        let audit = AuditRecord::new(Some(caller.user.id), "api_token.create", "");
        let token = self
            .store
            .create_api_token(caller.user.id, &name, &token_hash(&secret), now(), &audit)
            .await?;
        Ok((token, secret))
    }

    /// # Errors
    /// A store error.
    pub async fn api_tokens(&self, caller: &Caller) -> Result<Vec<ApiToken>> {
        self.authorize(&caller.actor, Action::ManageOwnAccount)
            .await?;
        Ok(self.store.list_api_tokens(caller.user.id).await?)
    }

    /// # Errors
    /// [`AppError::NotFound`] for a token that is not the caller's or already revoked.
    pub async fn revoke_api_token(&self, caller: &Caller, token_id: i64) -> Result<()> {
        self.authorize(&caller.actor, Action::ManageOwnAccount)
            .await?;
        let audit = AuditRecord::new(
            Some(caller.user.id),
            "api_token.revoke",
            format!("api_token:{token_id}"),
        );
        self.store
            .revoke_api_token(caller.user.id, token_id, now(), &audit)
            .await
            .map_err(not_found)
    }
}

pub(crate) fn email_taken() -> AppError {
    AppError::Conflict {
        code: "email_taken",
        message_key: "error.email_taken",
    }
}

/// A unique violation on the e-mail column (a concurrent registration) reads as `email_taken`.
pub(crate) fn email_conflict(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => email_taken(),
        other => other.into(),
    }
}

pub(crate) fn not_found(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => AppError::NotFound,
        other => other.into(),
    }
}
