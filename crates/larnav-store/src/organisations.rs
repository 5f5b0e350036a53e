//! Organisations, memberships and invitations.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use larnav_domain::Role;
use larnav_domain::text::{escape_like, fold, swedish_sort_key};

use crate::model::*;
use crate::{AuditRecord, BeginWrite, Result, Store, StoreError, on_pool, write_audit};

impl Store {
    /// # Errors
    /// [`StoreError::Conflict`] when the organisation number is already registered.
    pub async fn create_organisation(
        &self,
        input: &OrganisationInput,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO organisation (name, name_fold, sort_key, kind, organisation_number, kommun_code, created_at, parent_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
                .bind(&input.name).bind(fold(&input.name)).bind(swedish_sort_key(&input.name))
                .bind(input.kind.as_str()).bind(&input.organisation_number).bind(&input.kommun_code).bind(now)
                .bind(input.parent_id)
                .fetch_one(&mut *tx).await?;
            let audit = AuditRecord { target: format!("organisation:{id}"), organisation_id: Some(id), ..audit.clone() };
            write_audit!(&mut *tx, &audit, now)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// # Errors
    /// [`StoreError::NotFound`] or [`StoreError::Conflict`] (organisation number taken).
    pub async fn update_organisation(
        &self,
        id: i64,
        input: &OrganisationInput,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let r = sqlx::query(
                "UPDATE organisation SET name = $1, name_fold = $2, sort_key = $3, kind = $4, organisation_number = $5,
                 kommun_code = $6, parent_id = $8 WHERE id = $7")
                .bind(&input.name).bind(fold(&input.name)).bind(swedish_sort_key(&input.name))
                .bind(input.kind.as_str()).bind(&input.organisation_number).bind(&input.kommun_code).bind(id).bind(input.parent_id)
                .execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// # Errors
    /// [`StoreError::NotFound`] when there is no such organisation.
    pub async fn get_organisation(&self, id: i64) -> Result<Organisation> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT o.id, o.name, o.kind, o.organisation_number, o.kommun_code, k.name AS kommun_name, o.parent_id, o.created_at
             FROM organisation o LEFT JOIN kommun k ON k.code = o.kommun_code WHERE o.id = $1")
            .bind(id).fetch_one(p).await)?)
    }

    /// Organisations a school may belong to: school organisers and municipalities that do not
    /// belong to another organisation themselves, in Swedish order.
    ///
    /// # Errors
    /// A database error.
    pub async fn organiser_choices(&self) -> Result<Vec<(i64, String)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT id, name FROM organisation
             WHERE parent_id IS NULL AND kind IN ('school_organiser', 'municipality')
             ORDER BY sort_key, id")
            .fetch_all(p).await)?)
    }

    /// The school organiser's family `id` is part of: the organiser (its parent, or itself) and
    /// every organisation under it.
    ///
    /// # Errors
    /// A database error.
    pub async fn organisation_family(&self, id: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT o.id FROM organisation o, organisation me
             WHERE me.id = $1 AND (o.id = COALESCE(me.parent_id, me.id)
                OR o.parent_id = COALESCE(me.parent_id, me.id))
             ORDER BY o.id")
            .bind(id).fetch_all(p).await)?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Whether any organisation belongs to `id`.
    ///
    /// # Errors
    /// A database error.
    pub async fn has_member_organisations(&self, id: i64) -> Result<bool> {
        let (n,): (i64,) = on_pool!(self, p => sqlx::query_as(
            "SELECT COUNT(*) FROM organisation WHERE parent_id = $1")
            .bind(id).fetch_one(p).await)?;
        Ok(n > 0)
    }

    /// # Errors
    /// A database error.
    pub async fn find_organisation_by_number(&self, digits: &str) -> Result<Option<Organisation>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT o.id, o.name, o.kind, o.organisation_number, o.kommun_code, k.name AS kommun_name, o.parent_id, o.created_at
             FROM organisation o LEFT JOIN kommun k ON k.code = o.kommun_code WHERE o.organisation_number = $1")
            .bind(digits).fetch_optional(p).await)?)
    }

    /// Organisations in Swedish order, optionally filtered by a folded name substring.
    ///
    /// # Errors
    /// A database error.
    pub async fn list_organisations(
        &self,
        query: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Organisation>> {
        let pattern = query.map(|q| format!("%{}%", escape_like(&fold(q))));
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT o.id, o.name, o.kind, o.organisation_number, o.kommun_code, k.name AS kommun_name, o.parent_id, o.created_at
             FROM organisation o LEFT JOIN kommun k ON k.code = o.kommun_code
             WHERE $1 IS NULL OR o.name_fold LIKE $1 ESCAPE '\\'
             ORDER BY o.sort_key, o.id LIMIT $2 OFFSET $3")
            .bind(pattern).bind(limit).bind(offset).fetch_all(p).await)?)
    }

    /// Every role the user holds, in every organisation.
    ///
    /// # Errors
    /// A database error.
    pub async fn memberships_of(&self, user_id: i64) -> Result<Vec<MembershipRecord>> {
        let mut rows: Vec<MembershipRecord> = on_pool!(self, p => sqlx::query_as(
            "SELECT m.user_id, m.organisation_id, o.name AS organisation_name, m.role
             FROM membership m JOIN organisation o ON o.id = m.organisation_id WHERE m.user_id = $1")
            .bind(user_id).fetch_all(p).await)?;
        rows.sort_by(|a, b| {
            larnav_domain::text::compare_swedish(&a.organisation_name, &b.organisation_name)
                .then(a.role.cmp(&b.role))
        });
        Ok(rows)
    }

    /// The members of an organisation with their roles, in Swedish order of their names.
    ///
    /// # Errors
    /// A database error.
    pub async fn list_members(&self, organisation_id: i64) -> Result<Vec<Member>> {
        let rows: Vec<(i64, String, String, String)> = on_pool!(self, p => sqlx::query_as(
            "SELECT u.id, u.email, u.display_name, m.role FROM membership m JOIN app_user u ON u.id = m.user_id
             WHERE m.organisation_id = $1 ORDER BY u.sort_key, u.id")
            .bind(organisation_id).fetch_all(p).await)?;
        let mut members: Vec<Member> = Vec::new();
        let mut index = BTreeMap::new();
        for (user_id, email, display_name, role) in rows {
            let Some(role) = Role::parse(&role) else {
                continue;
            };
            let i = *index.entry(user_id).or_insert_with(|| {
                members.push(Member {
                    user_id,
                    email,
                    display_name,
                    roles: Vec::new(),
                });
                members.len() - 1
            });
            members[i].roles.push(role);
        }
        for m in &mut members {
            m.roles.sort();
        }
        Ok(members)
    }

    /// Replaces the roles a user holds in an organisation (an empty set removes the member).
    ///
    /// # Errors
    /// A database error.
    pub async fn set_member_roles(
        &self,
        organisation_id: i64,
        user_id: i64,
        roles: &[Role],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            sqlx::query("DELETE FROM membership WHERE organisation_id = $1 AND user_id = $2")
                .bind(organisation_id).bind(user_id).execute(&mut *tx).await?;
            for role in roles {
                sqlx::query("INSERT INTO membership (user_id, organisation_id, role, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(user_id).bind(organisation_id).bind(role.as_str()).bind(now).execute(&mut *tx).await?;
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// How many people hold `role` in the organisation.
    ///
    /// # Errors
    /// A database error.
    pub async fn count_role_holders(&self, organisation_id: i64, role: Role) -> Result<i64> {
        let (n,): (i64,) = on_pool!(self, p => sqlx::query_as(
            "SELECT COUNT(*) FROM membership m JOIN app_user u ON u.id = m.user_id
             WHERE m.organisation_id = $1 AND m.role = $2 AND u.disabled = FALSE")
            .bind(organisation_id).bind(role.as_str()).fetch_one(p).await)?;
        Ok(n)
    }

    // --- invitations --------------------------------------------------------------------------

    /// # Errors
    /// A database error.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_invitation(
        &self,
        organisation_id: i64,
        email: &str,
        role: Role,
        token_hash: &str,
        invited_by: Option<i64>,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        mail: &crate::NewMail,
        audit: &AuditRecord,
    ) -> Result<i64> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO invitation (organisation_id, email, role, token_hash, invited_by, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
                .bind(organisation_id).bind(email).bind(role.as_str()).bind(token_hash).bind(invited_by)
                .bind(now).bind(expires_at).fetch_one(&mut *tx).await?;
            let audit = AuditRecord { target: format!("invitation:{id}"), ..audit.clone() };
            write_audit!(&mut *tx, &audit, now)?;
            crate::outbox::enqueue_mails!(tx, std::slice::from_ref(mail), now)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Invitations of an organisation that are neither accepted nor revoked, newest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn list_open_invitations(&self, organisation_id: i64) -> Result<Vec<Invitation>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT i.id, i.organisation_id, o.name AS organisation_name, i.email, i.role, i.invited_by, i.created_at,
                    i.expires_at, i.accepted_at, i.revoked_at
             FROM invitation i JOIN organisation o ON o.id = i.organisation_id
             WHERE i.organisation_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL ORDER BY i.id DESC")
            .bind(organisation_id).fetch_all(p).await)?)
    }

    /// # Errors
    /// A database error.
    pub async fn find_invitation(&self, token_hash: &str) -> Result<Option<Invitation>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT i.id, i.organisation_id, o.name AS organisation_name, i.email, i.role, i.invited_by, i.created_at,
                    i.expires_at, i.accepted_at, i.revoked_at
             FROM invitation i JOIN organisation o ON o.id = i.organisation_id WHERE i.token_hash = $1")
            .bind(token_hash).fetch_optional(p).await)?)
    }

    /// Accepts an open invitation for `user_id` (an existing account, or one `new_user` creates
    /// in the same transaction): grants the role and marks the invitation accepted. Returns the
    /// user id, or `None` if the invitation was accepted, revoked or expired meanwhile.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when `new_user`'s e-mail already has an account.
    pub async fn accept_invitation(
        &self,
        invitation_id: i64,
        user_id: Option<i64>,
        new_user: Option<&NewUser>,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let row: Option<(i64, String)> = sqlx::query_as(
                "UPDATE invitation SET accepted_at = $1
                 WHERE id = $2 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1
                 RETURNING organisation_id, role")
                .bind(now).bind(invitation_id).fetch_optional(&mut *tx).await?;
            let Some((organisation_id, role)) = row else { return Ok(None) };
            let user_id = match (user_id, new_user) {
                (Some(id), _) => id,
                (None, Some(u)) => {
                    let (id,): (i64,) = sqlx::query_as(
                        // The invitation link reached the address: it is verified.
                        "INSERT INTO app_user (email, display_name, name_fold, sort_key, password_hash, platform_admin, locale, created_at, email_verified_at)
                         VALUES ($1, $2, $3, $4, $5, FALSE, $6, $7, $7) RETURNING id")
                        .bind(&u.email).bind(&u.display_name).bind(fold(&u.display_name)).bind(swedish_sort_key(&u.display_name))
                        .bind(&u.password_hash).bind(&u.locale).bind(now).fetch_one(&mut *tx).await?;
                    let audit = AuditRecord::new(Some(id), "user.register", format!("user:{id}"))
                        .in_organisation(organisation_id).with_detail("via invitation");
                    write_audit!(&mut *tx, &audit, now)?;
                    id
                }
                (None, None) => return Err(StoreError::NotFound),
            };
            sqlx::query("INSERT INTO membership (user_id, organisation_id, role, created_at) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (user_id, organisation_id, role) DO NOTHING")
                .bind(user_id).bind(organisation_id).bind(&role).bind(now).execute(&mut *tx).await?;
            let audit = AuditRecord::new(Some(user_id), "invitation.accept", format!("invitation:{invitation_id}"))
                .in_organisation(organisation_id).with_detail(format!("role={role}"));
            write_audit!(&mut *tx, &audit, now)?;
            tx.commit().await?;
            Ok(Some(user_id))
        })
    }

    /// # Errors
    /// [`StoreError::NotFound`] when the organisation has no such open invitation.
    pub async fn revoke_invitation(
        &self,
        organisation_id: i64,
        invitation_id: i64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let r = sqlx::query(
                "UPDATE invitation SET revoked_at = $1
                 WHERE id = $2 AND organisation_id = $3 AND accepted_at IS NULL AND revoked_at IS NULL")
                .bind(now).bind(invitation_id).bind(organisation_id).execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }
}
