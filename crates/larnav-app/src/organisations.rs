//! Organisations, their members and invitations.

use chrono::Duration;
use larnav_domain::{Action, Actor, Email, KommunCode, OrganisationKind, OrganisationNumber, Role};
use larnav_store::{
    AuditRecord, Invitation, Member, MembershipRecord, Organisation, OrganisationInput, StoreError,
};

use crate::accounts::{Caller, Login, Registration, check_name, email_conflict, not_found};
use crate::error::Checks;
use crate::i18n::{Lang, Tr};
use crate::mail::Mail;
use crate::security::{random_token, token_hash};
use crate::{App, AppError, Result, now};

/// The fields of an organisation as a form or API request sends them.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct OrganisationForm {
    pub name: String,
    /// One of the organisation kinds' keys, e.g. `learning_centre`.
    #[schema(value_type = larnav_domain::OrganisationKind, required)]
    pub kind: String,
    /// `NNNNNN-NNNN`; empty if none.
    #[serde(default)]
    pub organisation_number: String,
    /// A four-digit kommun code; empty if none.
    #[serde(default)]
    pub kommun_code: String,
    /// The school organiser (huvudman) this school belongs to: its id; empty if none. Set by
    /// platform administrators and by the organiser's administrators.
    #[serde(default)]
    pub parent_id: String,
}

/// The result of sending an invitation: created always; the e-mail may have failed.
#[derive(Debug, Clone)]
pub struct InvitationSent {
    pub id: i64,
    pub mail_sent: bool,
}

/// How a visitor may accept an invitation.
#[derive(Debug, Clone)]
pub enum Acceptance {
    /// As the signed-in person (whose address must be the invited one).
    SignedIn(Caller),
    /// By creating an account for the invited address.
    NewAccount(Registration),
}

impl App {
    async fn validate_organisation(
        &self,
        actor: &Actor,
        form: &OrganisationForm,
        existing: Option<&Organisation>,
    ) -> Result<OrganisationInput> {
        let mut checks = Checks::new();
        let parent = self
            .checked_parent(actor, &mut checks, &form.parent_id, existing)
            .await?;
        let name = check_name(&mut checks, "name", &form.name);
        let kind = checks.check(
            "kind",
            "field.kind_invalid",
            OrganisationKind::parse(&form.kind).ok_or(()),
        );
        let number = if form.organisation_number.trim().is_empty() {
            None
        } else {
            match OrganisationNumber::parse(&form.organisation_number) {
                Ok(n) => Some(n),
                Err(larnav_domain::CodeError::OrganisationNumberChecksum) => {
                    checks.fail("organisation_number", "field.orgnr_checksum");
                    None
                }
                Err(larnav_domain::CodeError::OrganisationNumberPersonal) => {
                    checks.fail("organisation_number", "field.orgnr_personal");
                    None
                }
                Err(_) => {
                    checks.fail("organisation_number", "field.orgnr_format");
                    None
                }
            }
        };
        let kommun = if form.kommun_code.trim().is_empty() {
            None
        } else {
            match KommunCode::parse(&form.kommun_code) {
                Ok(code) => match self.store.get_kommun(code.as_str()).await {
                    Ok(_) => Some(code),
                    Err(StoreError::NotFound) => {
                        checks.fail("kommun_code", "field.kommun_unknown");
                        None
                    }
                    Err(e) => return Err(e.into()),
                },
                Err(_) => {
                    checks.fail("kommun_code", "field.kommun_format");
                    None
                }
            }
        };
        if let Some(n) = &number
            && let Some(other) = self.store.find_organisation_by_number(n.digits()).await?
            && Some(other.id) != existing.map(|o| o.id)
        {
            checks.fail("organisation_number", "field.orgnr_taken");
        }
        checks.finish()?;
        Ok(OrganisationInput {
            name,
            kind: kind.expect("checked"),
            organisation_number: number.map(|n| n.digits().to_string()),
            kommun_code: kommun.map(|k| k.to_string()),
            parent_id: parent,
        })
    }

    /// The organiser a school is placed under: one that exists, is not the school itself, does
    /// not belong to another (two levels, no cycles), and — when it changes — one the actor
    /// administers, so that nobody joins an organiser's shared material uninvited.
    async fn checked_parent(
        &self,
        actor: &Actor,
        checks: &mut Checks,
        value: &str,
        existing: Option<&Organisation>,
    ) -> Result<Option<i64>> {
        if value.trim().is_empty() {
            return Ok(None);
        }
        let Ok(id) = value.trim().parse::<i64>() else {
            checks.fail("parent_id", "org.parent_unknown");
            return Ok(None);
        };
        let parent = match self.store.get_organisation(id).await {
            Ok(p) => p,
            Err(StoreError::NotFound) => {
                checks.fail("parent_id", "org.parent_unknown");
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        };
        let unchanged = existing.is_some_and(|o| o.parent_id == Some(id));
        if existing.is_some_and(|o| o.id == id) {
            checks.fail("parent_id", "org.parent_self");
        } else if parent.parent_id.is_some() {
            checks.fail("parent_id", "org.parent_nested");
        } else if let Some(o) = existing
            && self.store.has_member_organisations(o.id).await?
        {
            checks.fail("parent_id", "org.parent_nested");
        } else if !unchanged && !actor.may(Action::EditOrganisation(id)) {
            checks.fail("parent_id", "org.parent_not_yours");
        }
        Ok(Some(id))
    }

    /// Organisations a school may be placed under (for the organisation form).
    ///
    /// # Errors
    /// A store error.
    pub async fn organiser_choices(&self) -> Result<Vec<(i64, String)>> {
        Ok(self.store.organiser_choices().await?)
    }

    /// Registers an organisation (platform administrators and the CLI).
    ///
    /// # Errors
    /// [`AppError::Validation`] naming each bad field.
    pub async fn create_organisation(
        &self,
        actor: &Actor,
        form: &OrganisationForm,
    ) -> Result<Organisation> {
        self.authorize(actor, Action::AdministerPlatform).await?;
        let input = self.validate_organisation(actor, form, None).await?;
        let audit =
            AuditRecord::new(actor.user_id, "organisation.create", "").with_detail(&input.name);
        let id = self
            .store
            .create_organisation(&input, now(), &audit)
            .await
            .map_err(orgnr_conflict)?;
        Ok(self.store.get_organisation(id).await?)
    }

    /// # Errors
    /// [`AppError::Validation`], [`AppError::Forbidden`], [`AppError::NotFound`].
    pub async fn update_organisation(
        &self,
        actor: &Actor,
        id: i64,
        form: &OrganisationForm,
    ) -> Result<Organisation> {
        self.authorize(actor, Action::EditOrganisation(id)).await?;
        let before = self.store.get_organisation(id).await.map_err(not_found)?;
        let input = self
            .validate_organisation(actor, form, Some(&before))
            .await?;
        let audit = AuditRecord::new(
            actor.user_id,
            "organisation.update",
            format!("organisation:{id}"),
        )
        .in_organisation(id)
        .with_detail(format!("name: {} → {}", before.name, input.name));
        self.store
            .update_organisation(id, &input, now(), &audit)
            .await
            .map_err(orgnr_conflict)?;
        Ok(self.store.get_organisation(id).await?)
    }

    /// # Errors
    /// [`AppError::NotFound`] or a refusal.
    pub async fn organisation(&self, actor: &Actor, id: i64) -> Result<Organisation> {
        self.authorize(actor, Action::ViewOrganisation(id)).await?;
        self.store.get_organisation(id).await.map_err(not_found)
    }

    /// An organisation as anyone may see it named (its areas page, the catalogue's providers).
    ///
    /// # Errors
    /// [`AppError::NotFound`].
    pub async fn public_organisation(&self, id: i64) -> Result<Organisation> {
        self.store.get_organisation(id).await.map_err(not_found)
    }

    /// All organisations (platform administrators).
    ///
    /// # Errors
    /// A refusal or a store error.
    pub async fn list_organisations(
        &self,
        actor: &Actor,
        query: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Organisation>> {
        self.authorize(actor, Action::AdministerPlatform).await?;
        Ok(self
            .store
            .list_organisations(query.filter(|q| !q.trim().is_empty()), limit, offset)
            .await?)
    }

    /// The roles the caller holds, grouped by organisation in Swedish order.
    ///
    /// # Errors
    /// A store error.
    pub async fn my_memberships(&self, caller: &Caller) -> Result<Vec<MembershipRecord>> {
        self.authorize(&caller.actor, Action::ManageOwnAccount)
            .await?;
        Ok(self.store.memberships_of(caller.user.id).await?)
    }

    /// # Errors
    /// A refusal or a store error.
    pub async fn members(&self, actor: &Actor, organisation_id: i64) -> Result<Vec<Member>> {
        self.authorize(actor, Action::ViewMembers(organisation_id))
            .await?;
        self.store
            .get_organisation(organisation_id)
            .await
            .map_err(not_found)?;
        Ok(self.store.list_members(organisation_id).await?)
    }

    /// # Errors
    /// A refusal or a store error.
    pub async fn open_invitations(
        &self,
        actor: &Actor,
        organisation_id: i64,
    ) -> Result<Vec<Invitation>> {
        self.authorize(actor, Action::ManageMembers(organisation_id))
            .await?;
        Ok(self.store.list_open_invitations(organisation_id).await?)
    }

    /// Invites `email` to hold `role` in the organisation and e-mails them a link.
    ///
    /// # Errors
    /// [`AppError::Validation`] for a bad address or role, [`AppError::Conflict`]
    /// (`already_member`) when the person already holds that role.
    pub async fn invite(
        &self,
        caller: &Caller,
        organisation_id: i64,
        email: &str,
        role: &str,
    ) -> Result<InvitationSent> {
        self.authorize(&caller.actor, Action::ManageMembers(organisation_id))
            .await?;
        let organisation = self
            .store
            .get_organisation(organisation_id)
            .await
            .map_err(not_found)?;
        let mut checks = Checks::new();
        let email = checks.check("email", "field.email_invalid", Email::parse(email));
        let role = checks.check("role", "field.role_invalid", Role::parse(role).ok_or(()));
        checks.finish()?;
        let (email, role) = (email.expect("checked"), role.expect("checked"));
        self.check_grantable(&caller.actor, "role", [role]).await?;
        let already = self.store.list_members(organisation_id).await?;
        if already
            .iter()
            .any(|m| m.email == email.as_str() && m.roles.contains(&role))
        {
            return Err(AppError::Conflict {
                code: "already_member",
                message_key: "error.already_member",
            });
        }
        let token = random_token();
        let days = self.settings.security.invitation_days;
        let now = now();
        let audit = AuditRecord::new(Some(caller.user.id), "invitation.create", "")
            .in_organisation(organisation_id)
            .with_detail(format!("role={}", role.as_str()));
        // The invitee's language is unknown: use the inviter's.
        let lang = Lang::parse(&caller.user.locale).unwrap_or_default();
        let tr = Tr::new(lang);
        let link = format!("{}/invitations/{token}", self.settings.public_url());
        let role_label = tr.t(&format!("role.{}", role.as_str())).to_string();
        let mail = Self::new_mail(
            Some(format!("invitation:{}", token_hash(&token))),
            email.as_str(),
            lang,
            &Mail::Invitation {
                organisation: &organisation.name,
                role: &role_label,
                inviter: &caller.user.display_name,
                link: &link,
                days,
            },
            None,
        );
        let id = self
            .store
            .create_invitation(
                organisation_id,
                email.as_str(),
                role,
                &token_hash(&token),
                Some(caller.user.id),
                now,
                now + Duration::days(days),
                &mail,
                &audit,
            )
            .await?;
        // Staff wait for the answer: send now; a failure stays queued and is retried.
        let mail_sent = match self.deliver_mail().await {
            Ok(d) => d.failed == 0,
            Err(e) => {
                tracing::error!(invitation_id = id, error = %e, "invitation e-mail not sent");
                false
            }
        };
        Ok(InvitationSent { id, mail_sent })
    }

    /// An open invitation by its link token.
    ///
    /// # Errors
    /// [`AppError::LinkInvalid`] for an unknown, accepted, revoked or expired invitation.
    pub async fn invitation(&self, token: &str) -> Result<Invitation> {
        match self.store.find_invitation(&token_hash(token)).await? {
            Some(i)
                if i.accepted_at.is_none() && i.revoked_at.is_none() && i.expires_at > now() =>
            {
                Ok(i)
            }
            _ => Err(AppError::LinkInvalid),
        }
    }

    /// Whether an account exists for an address (to offer login instead of registration on an
    /// invitation page; the invitee already knows their own address).
    ///
    /// # Errors
    /// A store error.
    pub async fn account_exists(&self, email: &str) -> Result<bool> {
        Ok(self.store.find_user_by_email(email).await?.is_some())
    }

    /// Accepts an invitation, as the signed-in invitee or by creating their account. Returns a
    /// new login when an account was created.
    ///
    /// # Errors
    /// [`AppError::LinkInvalid`], [`AppError::Conflict`] (`invitation_other_address`,
    /// `email_taken`), [`AppError::Validation`].
    pub async fn accept_invitation(
        &self,
        token: &str,
        how: &Acceptance,
        lang: Lang,
    ) -> Result<Option<Login>> {
        let invitation = self.invitation(token).await?;
        match how {
            Acceptance::SignedIn(caller) => {
                if caller.user.email != invitation.email {
                    return Err(AppError::Conflict {
                        code: "invitation_other_address",
                        message_key: "error.invitation_other_address",
                    });
                }
                self.store
                    .accept_invitation(invitation.id, Some(caller.user.id), None, now())
                    .await?
                    .ok_or(AppError::LinkInvalid)?;
                Ok(None)
            }
            Acceptance::NewAccount(form) => {
                // The address is the invited one, whatever the form says.
                let form = Registration {
                    email: invitation.email.clone(),
                    ..form.clone()
                };
                let new_user = self.validate_registration(&form, lang).await?;
                let user_id = self
                    .store
                    .accept_invitation(invitation.id, None, Some(&new_user), now())
                    .await
                    .map_err(email_conflict)?
                    .ok_or(AppError::LinkInvalid)?;
                let user = self.store.get_user(user_id).await?;
                Ok(Some(self.login_new_account(user).await?))
            }
        }
    }

    async fn login_new_account(&self, user: larnav_store::User) -> Result<Login> {
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

    /// Gives an account one more role in an organisation, making it a member if it is not
    /// one (the CLI's `user create --organisation`).
    ///
    /// # Errors
    /// A refusal (a wide role from anyone but the platform), a store error.
    pub async fn add_member_role(
        &self,
        actor: &Actor,
        organisation_id: i64,
        user_id: i64,
        role: Role,
    ) -> Result<()> {
        self.authorize(actor, Action::ManageMembers(organisation_id))
            .await?;
        self.check_grantable(actor, "roles", [role]).await?;
        let mut roles: Vec<Role> = self
            .store
            .list_members(organisation_id)
            .await?
            .into_iter()
            .find(|m| m.user_id == user_id)
            .map(|m| m.roles)
            .unwrap_or_default();
        let before = roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        if !roles.contains(&role) {
            roles.push(role);
        }
        let audit = AuditRecord::new(
            actor.user_id,
            "member.roles_change",
            format!("user:{user_id}"),
        )
        .in_organisation(organisation_id)
        .with_detail(format!("roles: [{before}] → [{}]", {
            roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }));
        Ok(self
            .store
            .set_member_roles(organisation_id, user_id, &roles, now(), &audit)
            .await?)
    }

    /// Replaces the roles a member holds (an empty list removes them). The last organisation
    /// administrator cannot lose that role, so an organisation is never left unmanaged.
    ///
    /// # Errors
    /// [`AppError::Validation`] for unknown roles, [`AppError::Conflict`]
    /// (`last_organisation_admin`), [`AppError::NotFound`] for someone who is not a member.
    pub async fn set_member_roles(
        &self,
        caller: &Caller,
        organisation_id: i64,
        user_id: i64,
        roles: &[String],
    ) -> Result<()> {
        self.authorize(&caller.actor, Action::ManageMembers(organisation_id))
            .await?;
        let mut parsed = Vec::new();
        for r in roles {
            parsed.push(
                Role::parse(r).ok_or_else(|| AppError::invalid("roles", "field.role_invalid"))?,
            );
        }
        parsed.sort();
        parsed.dedup();
        let members = self.store.list_members(organisation_id).await?;
        let member = members
            .iter()
            .find(|m| m.user_id == user_id)
            .ok_or(AppError::NotFound)?;
        let added = parsed.iter().filter(|r| !member.roles.contains(r)).copied();
        self.check_grantable(&caller.actor, "roles", added).await?;
        let was_admin = member.roles.contains(&Role::OrganisationAdmin);
        if was_admin
            && !parsed.contains(&Role::OrganisationAdmin)
            && self
                .store
                .count_role_holders(organisation_id, Role::OrganisationAdmin)
                .await?
                <= 1
        {
            return Err(AppError::Conflict {
                code: "last_organisation_admin",
                message_key: "error.last_organisation_admin",
            });
        }
        let detail = format!(
            "roles: [{}] → [{}]",
            member
                .roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            parsed
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let action = if parsed.is_empty() {
            "member.remove"
        } else {
            "member.roles_change"
        };
        let audit = AuditRecord::new(Some(caller.user.id), action, format!("user:{user_id}"))
            .in_organisation(organisation_id)
            .with_detail(detail);
        Ok(self
            .store
            .set_member_roles(organisation_id, user_id, &parsed, now(), &audit)
            .await?)
    }

    /// Refuses (audited, with the field's reason) to grant a role that reaches beyond the
    /// organisation unless the actor is a platform administrator. Removing one is allowed.
    async fn check_grantable(
        &self,
        actor: &Actor,
        field: &'static str,
        granted: impl IntoIterator<Item = Role>,
    ) -> Result<()> {
        if granted.into_iter().any(Role::reaches_beyond_organisation) {
            // `authorize` writes the refusal to the audit log; the person is told why.
            if self.authorize(actor, Action::GrantWideRole).await.is_err() {
                return Err(AppError::invalid(field, "field.role_platform_only"));
            }
        }
        Ok(())
    }

    /// # Errors
    /// [`AppError::NotFound`] for an invitation that is not open.
    pub async fn revoke_invitation(
        &self,
        caller: &Caller,
        organisation_id: i64,
        invitation_id: i64,
    ) -> Result<()> {
        self.authorize(&caller.actor, Action::ManageMembers(organisation_id))
            .await?;
        let audit = AuditRecord::new(
            Some(caller.user.id),
            "invitation.revoke",
            format!("invitation:{invitation_id}"),
        )
        .in_organisation(organisation_id);
        self.store
            .revoke_invitation(organisation_id, invitation_id, now(), &audit)
            .await
            .map_err(not_found)
    }
}

fn orgnr_conflict(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => AppError::Conflict {
            code: "organisation_number_taken",
            message_key: "field.orgnr_taken",
        },
        other => other.into(),
    }
}
