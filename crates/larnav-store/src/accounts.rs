//! People's accounts: users, sessions, password resets, login failures and API tokens.
//!
//! Secrets (session ids, reset and invitation tokens, API tokens) are never stored: only their
//! SHA-256 hashes, which the app layer computes. A stolen database copy opens no session.

use chrono::{DateTime, Utc};
use larnav_domain::text::{escape_like, fold, swedish_sort_key};

use crate::model::*;
use crate::{AuditRecord, BeginWrite, Result, Store, on_pool, write_audit};

impl Store {
    /// Creates an account, auditing it in the same transaction.
    ///
    /// # Errors
    /// [`crate::StoreError::Conflict`] when the e-mail address already has an account.
    pub async fn create_user(
        &self,
        user: &NewUser,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<User> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let created: User = sqlx::query_as(
                "INSERT INTO app_user (email, display_name, name_fold, sort_key, password_hash, platform_admin, locale, created_at, email_verified_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 RETURNING id, email, display_name, password_hash, platform_admin, locale, disabled, created_at, email_verified_at")
                .bind(&user.email).bind(&user.display_name).bind(fold(&user.display_name)).bind(swedish_sort_key(&user.display_name))
                .bind(&user.password_hash).bind(user.platform_admin).bind(&user.locale).bind(now)
                .bind(user.email_verified.then_some(now))
                .fetch_one(&mut *tx).await?;
            let audit = AuditRecord { target: format!("user:{}", created.id), ..audit.clone() };
            write_audit!(&mut *tx, &audit, now)?;
            tx.commit().await?;
            Ok(created)
        })
    }

    /// # Errors
    /// [`crate::StoreError::NotFound`] when there is no such user.
    pub async fn get_user(&self, id: i64) -> Result<User> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT id, email, display_name, password_hash, platform_admin, locale, disabled, created_at, email_verified_at
             FROM app_user WHERE id = $1")
            .bind(id).fetch_one(p).await)?)
    }

    /// # Errors
    /// A database error.
    pub async fn find_user_by_email(&self, email: &str) -> Result<Option<User>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT id, email, display_name, password_hash, platform_admin, locale, disabled, created_at, email_verified_at
             FROM app_user WHERE email = $1")
            .bind(email).fetch_optional(p).await)?)
    }

    /// Users in Swedish order of their names, `limit` from `offset`; `query` filters by a folded
    /// substring of name or e-mail.
    ///
    /// # Errors
    /// A database error.
    pub async fn list_users(
        &self,
        query: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<User>> {
        let pattern = query.map(|q| format!("%{}%", escape_like(&fold(q))));
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT id, email, display_name, password_hash, platform_admin, locale, disabled, created_at, email_verified_at FROM app_user
             WHERE $1 IS NULL OR name_fold LIKE $1 ESCAPE '\\' OR email LIKE $1 ESCAPE '\\'
             ORDER BY sort_key, id LIMIT $2 OFFSET $3")
            .bind(pattern).bind(limit).bind(offset).fetch_all(p).await)?)
    }

    /// Changes name and language.
    ///
    /// # Errors
    /// A database error.
    pub async fn update_user_profile(
        &self,
        id: i64,
        display_name: &str,
        locale: &str,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let r = sqlx::query("UPDATE app_user SET display_name = $1, name_fold = $2, sort_key = $3, locale = $4 WHERE id = $5")
                .bind(display_name).bind(fold(display_name)).bind(swedish_sort_key(display_name)).bind(locale).bind(id)
                .execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                return Err(crate::StoreError::NotFound);
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Sets a new password hash, ends every session of the user except `keep_session` (the one
    /// that made the change, if any) and revokes every API token.
    ///
    /// # Errors
    /// A database error.
    pub async fn set_password(
        &self,
        id: i64,
        hash: &str,
        keep_session: Option<&str>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            sqlx::query("UPDATE app_user SET password_hash = $1 WHERE id = $2").bind(hash).bind(id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM user_session WHERE user_id = $1 AND ($2 IS NULL OR token_hash <> $2)")
                .bind(id).bind(keep_session).execute(&mut *tx).await?;
            // A token made with the old password must not outlive it.
            sqlx::query("UPDATE api_token SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                .bind(now).bind(id).execute(&mut *tx).await?;
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Grants or withdraws platform administration, or disables/enables the account.
    /// Disabling ends every session and revokes every API token.
    ///
    /// # Errors
    /// [`crate::StoreError::NotFound`] when there is no such user.
    pub async fn set_user_flags(
        &self,
        id: i64,
        platform_admin: bool,
        disabled: bool,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let r = sqlx::query("UPDATE app_user SET platform_admin = $1, disabled = $2 WHERE id = $3")
                .bind(platform_admin).bind(disabled).bind(id).execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                return Err(crate::StoreError::NotFound);
            }
            if disabled {
                sqlx::query("DELETE FROM user_session WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
                sqlx::query("UPDATE api_token SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                    .bind(now).bind(id).execute(&mut *tx).await?;
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// How many platform administrators have active accounts (the last one may not be removed).
    ///
    /// # Errors
    /// A database error.
    pub async fn count_platform_admins(&self) -> Result<i64> {
        let (n,): (i64,) = on_pool!(self, p => sqlx::query_as(
            "SELECT COUNT(*) FROM app_user WHERE platform_admin = TRUE AND disabled = FALSE").fetch_one(p).await)?;
        Ok(n)
    }

    // --- sessions -------------------------------------------------------------------------

    /// # Errors
    /// A database error.
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, p => sqlx::query(
            "INSERT INTO user_session (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash).bind(user_id).bind(now).bind(expires_at).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// The user of a live session on an enabled account.
    ///
    /// # Errors
    /// A database error.
    pub async fn session_user(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<User>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT u.id, u.email, u.display_name, u.password_hash, u.platform_admin, u.locale, u.disabled, u.created_at, u.email_verified_at
             FROM user_session s JOIN app_user u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = FALSE")
            .bind(token_hash).bind(now).fetch_optional(p).await)?)
    }

    /// # Errors
    /// A database error.
    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        on_pool!(self, p => sqlx::query("DELETE FROM user_session WHERE token_hash = $1").bind(token_hash).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Removes expired sessions, reset tokens and old login failures.
    ///
    /// # Errors
    /// A database error.
    pub async fn purge_expired(
        &self,
        now: DateTime<Utc>,
        failures_before: DateTime<Utc>,
    ) -> Result<u64> {
        on_pool!(self, p => {
            let a = sqlx::query("DELETE FROM user_session WHERE expires_at <= $1").bind(now).execute(p).await?;
            let b = sqlx::query("DELETE FROM password_reset WHERE expires_at <= $1").bind(now).execute(p).await?;
            let c = sqlx::query("DELETE FROM login_failure WHERE at < $1").bind(failures_before).execute(p).await?;
            Ok(a.rows_affected() + b.rows_affected() + c.rows_affected())
        })
    }

    // --- login rate limiting ---------------------------------------------------------------

    /// Records a failed login for each key (hashed e-mail, hashed client address).
    ///
    /// # Errors
    /// A database error.
    pub async fn record_login_failure(
        &self,
        key_hashes: &[&str],
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, p => {
            for key in key_hashes {
                sqlx::query("INSERT INTO login_failure (key_hash, at) VALUES ($1, $2)")
                    .bind(*key).bind(now).execute(p).await?;
            }
            Ok::<_, crate::StoreError>(())
        })
    }

    /// Failed logins for `key_hash` since `since`.
    ///
    /// # Errors
    /// A database error.
    pub async fn count_login_failures(&self, key_hash: &str, since: DateTime<Utc>) -> Result<i64> {
        let (n,): (i64,) = on_pool!(self, p => sqlx::query_as(
            "SELECT COUNT(*) FROM login_failure WHERE key_hash = $1 AND at > $2")
            .bind(key_hash).bind(since).fetch_one(p).await)?;
        Ok(n)
    }

    /// Forgets the failures of a key after a successful login.
    ///
    /// # Errors
    /// A database error.
    pub async fn clear_login_failures(&self, key_hash: &str) -> Result<()> {
        on_pool!(self, p => sqlx::query("DELETE FROM login_failure WHERE key_hash = $1").bind(key_hash).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    // --- password reset ---------------------------------------------------------------------

    /// # Errors
    /// A database error.
    pub async fn create_password_reset(
        &self,
        token_hash: &str,
        user_id: i64,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        mail: &crate::NewMail,
    ) -> Result<()> {
        self.create_mailed_link(
            "password_reset",
            token_hash,
            user_id,
            (now, expires_at),
            mail,
        )
        .await
    }

    /// Stores a single-use link's hash in `table` (`password_reset` or `email_verification`,
    /// which have the same columns) and queues the mail that carries the link, in one
    /// transaction.
    async fn create_mailed_link(
        &self,
        table: &'static str,
        token_hash: &str,
        user_id: i64,
        (now, expires_at): (DateTime<Utc>, DateTime<Utc>),
        mail: &crate::NewMail,
    ) -> Result<()> {
        let sql = format!(
            "INSERT INTO {table} (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
        );
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(token_hash).bind(user_id).bind(now).bind(expires_at).execute(&mut *tx).await?;
            crate::outbox::enqueue_mails!(tx, std::slice::from_ref(mail), now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Stores an e-mail verification link's hash and queues the mail that carries it.
    ///
    /// # Errors
    /// A database error; nothing is stored or queued.
    pub async fn create_email_verification(
        &self,
        token_hash: &str,
        user_id: i64,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        mail: &crate::NewMail,
    ) -> Result<()> {
        self.create_mailed_link(
            "email_verification",
            token_hash,
            user_id,
            (now, expires_at),
            mail,
        )
        .await
    }

    /// Verification links sent to `user_id` since `since` (to limit how often one is resent).
    ///
    /// # Errors
    /// A database error.
    pub async fn count_email_verifications(
        &self,
        user_id: i64,
        since: DateTime<Utc>,
    ) -> Result<i64> {
        let (n,): (i64,) = on_pool!(self, p => sqlx::query_as(
            "SELECT COUNT(*) FROM email_verification WHERE user_id = $1 AND created_at > $2")
            .bind(user_id).bind(since).fetch_one(p).await)?;
        Ok(n)
    }

    /// Uses a verification link: if it is unused and unexpired, marks the address verified and
    /// every link of the user used, audited, in one transaction. Returns the user id, or `None`
    /// for an unknown, used or expired link.
    ///
    /// # Errors
    /// A database error.
    pub async fn use_email_verification(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let row: Option<(i64,)> = sqlx::query_as(
                "UPDATE email_verification SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
                 RETURNING user_id")
                .bind(now).bind(token_hash).fetch_optional(&mut *tx).await?;
            let Some((user_id,)) = row else { return Ok(None) };
            sqlx::query("UPDATE app_user SET email_verified_at = $1 WHERE id = $2 AND email_verified_at IS NULL")
                .bind(now).bind(user_id).execute(&mut *tx).await?;
            sqlx::query("UPDATE email_verification SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
                .bind(now).bind(user_id).execute(&mut *tx).await?;
            let audit = AuditRecord::new(Some(user_id), "user.email_verified", format!("user:{user_id}"));
            write_audit!(&mut *tx, &audit, now)?;
            tx.commit().await?;
            Ok(Some(user_id))
        })
    }

    /// Uses a reset token: if it is unused and unexpired, marks it used, sets the new password,
    /// ends every session of the user and revokes their other reset tokens, all in one
    /// transaction. Returns the user id, or `None` for an unknown, used or expired token.
    ///
    /// # Errors
    /// A database error.
    pub async fn use_password_reset(
        &self,
        token_hash: &str,
        new_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let row: Option<(i64,)> = sqlx::query_as(
                "UPDATE password_reset SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
                 RETURNING user_id")
                .bind(now).bind(token_hash).fetch_optional(&mut *tx).await?;
            let Some((user_id,)) = row else { return Ok(None) };
            // The link reached the address, so it is verified as well.
            sqlx::query("UPDATE app_user SET password_hash = $1, email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $3")
                .bind(new_hash).bind(now).bind(user_id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM user_session WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            sqlx::query("UPDATE api_token SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                .bind(now).bind(user_id).execute(&mut *tx).await?;
            sqlx::query("UPDATE password_reset SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
                .bind(now).bind(user_id).execute(&mut *tx).await?;
            let audit = AuditRecord::new(Some(user_id), "user.password_reset", format!("user:{user_id}"));
            write_audit!(&mut *tx, &audit, now)?;
            tx.commit().await?;
            Ok(Some(user_id))
        })
    }

    /// Whether a reset token is currently usable (for showing the form or an error page).
    ///
    /// # Errors
    /// A database error.
    pub async fn password_reset_is_valid(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let row: Option<(i64,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT user_id FROM password_reset WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
            .bind(token_hash).bind(now).fetch_optional(p).await)?;
        Ok(row.is_some())
    }

    // --- API tokens ---------------------------------------------------------------------------

    /// # Errors
    /// A database error.
    pub async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<ApiToken> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let t: ApiToken = sqlx::query_as(
                "INSERT INTO api_token (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)
                 RETURNING id, user_id, name, created_at, last_used_at, revoked_at")
                .bind(user_id).bind(name).bind(token_hash).bind(now).fetch_one(&mut *tx).await?;
            let audit = AuditRecord { target: format!("api_token:{}", t.id), ..audit.clone() };
            write_audit!(&mut *tx, &audit, now)?;
            tx.commit().await?;
            Ok(t)
        })
    }

    /// # Errors
    /// A database error.
    pub async fn list_api_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_token WHERE user_id = $1 ORDER BY id DESC")
            .bind(user_id).fetch_all(p).await)?)
    }

    /// Revokes one of the user's own tokens.
    ///
    /// # Errors
    /// [`crate::StoreError::NotFound`] when the user has no such live token.
    pub async fn revoke_api_token(
        &self,
        user_id: i64,
        token_id: i64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let r = sqlx::query("UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
                .bind(now).bind(token_id).bind(user_id).execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                return Err(crate::StoreError::NotFound);
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The user behind a live API token on an enabled account; records the use.
    ///
    /// # Errors
    /// A database error.
    pub async fn api_token_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>> {
        let user: Option<User> = on_pool!(self, p => sqlx::query_as(
            "SELECT u.id, u.email, u.display_name, u.password_hash, u.platform_admin, u.locale, u.disabled, u.created_at, u.email_verified_at
             FROM api_token t JOIN app_user u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = FALSE")
            .bind(token_hash).fetch_optional(p).await)?;
        if user.is_some() {
            on_pool!(self, p => sqlx::query("UPDATE api_token SET last_used_at = $1 WHERE token_hash = $2")
                .bind(now).bind(token_hash).execute(p).await.map(|_| ()))?;
        }
        Ok(user)
    }
}
