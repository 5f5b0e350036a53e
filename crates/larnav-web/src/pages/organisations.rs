//! Organisation pages: profile, members and roles, invitations, the organisation's audit log,
//! and accepting an invitation.

use askama::Template;
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, State};
use larnav_app::accounts::Registration;
use larnav_app::domain::{Action, OrganisationKind, Role};
use larnav_app::organisations::{Acceptance, OrganisationForm};
use larnav_app::records::{Invitation, Member, MembershipRecord, Organisation};
use larnav_app::{App, AppError};
use serde::Deserialize;

use super::auth::with_session;
use super::{
    Base, FormState, PageResult, is_form_error, redirect_with, render, shown_again, submitted,
};
use crate::ctx::Ctx;

#[derive(Template)]
#[template(path = "organisations.html")]
struct MyOrganisationsPage<'a> {
    base: Base<'a>,
    memberships: Vec<(i64, String, Vec<Role>)>,
}

pub async fn mine(State(app): State<App>, ctx: Ctx) -> PageResult {
    let records = app.my_memberships(ctx.caller()?).await?;
    let mut memberships: Vec<(i64, String, Vec<Role>)> = Vec::new();
    for MembershipRecord {
        organisation_id,
        organisation_name,
        role,
        ..
    } in records
    {
        match memberships.last_mut() {
            Some(last) if last.0 == organisation_id => last.2.push(role),
            _ => memberships.push((organisation_id, organisation_name, vec![role])),
        }
    }
    render(&MyOrganisationsPage {
        base: Base::new(&ctx, ctx.tr.t("org.mine_title")),
        memberships,
    })
}

#[derive(Template)]
#[template(path = "organisation.html")]
struct OrganisationPage<'a> {
    base: Base<'a>,
    org: Organisation,
    members: Vec<Member>,
    invitations: Vec<Invitation>,
    can_manage: bool,
    can_see_members: bool,
    /// Provider staff, reviewers, coordinators and admins see the offerings workspace link.
    can_offer: bool,
    invite: FormState,
    edit: FormState,
    roles: [Role; 7],
    kinds: [OrganisationKind; 12],
    member_error: Option<String>,
    invitation_days: i64,
    kommun_groups: super::KommunGroups,
    /// Organisations a school may belong to (id, name), itself left out.
    parents: Vec<(i64, String)>,
}

impl OrganisationPage<'_> {
    fn role_label(&self, role: &Role) -> &str {
        self.base.tr.t(role_key(*role))
    }

    fn kind_label(&self, kind: &OrganisationKind) -> &str {
        self.base.tr.t(kind_key(*kind))
    }

    fn invite_intro(&self, days: &i64) -> String {
        self.base
            .tr
            .fmt("org.invite_intro", &[("days", &days.to_string())])
    }

    fn number(&self) -> String {
        self.org
            .organisation_number
            .as_deref()
            .and_then(|n| larnav_app::domain::OrganisationNumber::parse(n).ok())
            .map(|n| n.to_string())
            .unwrap_or_default()
    }
}

/// One entry per organisation with all roles held there (the records come sorted by organisation).
pub fn group_memberships(records: Vec<MembershipRecord>) -> Vec<(i64, String, Vec<Role>)> {
    let mut grouped: Vec<(i64, String, Vec<Role>)> = Vec::new();
    for MembershipRecord {
        organisation_id,
        organisation_name,
        role,
        ..
    } in records
    {
        match grouped.last_mut() {
            Some(last) if last.0 == organisation_id => last.2.push(role),
            _ => grouped.push((organisation_id, organisation_name, vec![role])),
        }
    }
    grouped
}

pub fn role_key(role: Role) -> &'static str {
    match role {
        Role::OrganisationAdmin => "role.organisation_admin",
        Role::Coordinator => "role.coordinator",
        Role::ProviderStaff => "role.provider_staff",
        Role::EmployerContact => "role.employer_contact",
        Role::Reviewer => "role.reviewer",
        Role::Analyst => "role.analyst",
        Role::Learner => "role.learner",
    }
}

pub fn kind_key(kind: OrganisationKind) -> &'static str {
    match kind {
        OrganisationKind::Region => "kind.region",
        OrganisationKind::Municipality => "kind.municipality",
        OrganisationKind::LearningCentre => "kind.learning_centre",
        OrganisationKind::University => "kind.university",
        OrganisationKind::HigherVocationalProvider => "kind.higher_vocational_provider",
        OrganisationKind::MunicipalAdultEducation => "kind.municipal_adult_education",
        OrganisationKind::FolkHighSchool => "kind.folk_high_school",
        OrganisationKind::TrainingCompany => "kind.training_company",
        OrganisationKind::Employer => "kind.employer",
        OrganisationKind::NetworkAssociation => "kind.network_association",
        OrganisationKind::SchoolOrganiser => "kind.school_organiser",
        OrganisationKind::School => "kind.school",
    }
}

/// Which form on the organisation page failed.
enum Failed<'e> {
    None,
    Invite(&'e AppError, &'e InviteForm),
    Edit(&'e AppError, &'e OrganisationForm),
    Member(&'e AppError),
}

async fn organisation_page(app: &App, ctx: &Ctx, id: i64, failed: Failed<'_>) -> PageResult {
    let org = app.organisation(&ctx.actor, id).await?;
    let can_manage = app.may(&ctx.actor, Action::ManageMembers(id));
    let can_see_members = app.may(&ctx.actor, Action::ViewMembers(id));
    let members = if can_see_members {
        app.members(&ctx.actor, id).await?
    } else {
        Vec::new()
    };
    let invitations = if can_manage {
        app.open_invitations(&ctx.actor, id).await?
    } else {
        Vec::new()
    };
    let edit_values = OrganisationForm {
        name: org.name.clone(),
        kind: org.kind.as_str().to_string(),
        organisation_number: org
            .organisation_number
            .as_deref()
            .and_then(|n| larnav_app::domain::OrganisationNumber::parse(n).ok())
            .map(|n| n.to_string())
            .unwrap_or_default(),
        kommun_code: org.kommun_code.clone().unwrap_or_default(),
        parent_id: org.parent_id.map(|p| p.to_string()).unwrap_or_default(),
    };
    let form_values = |f: &OrganisationForm| {
        vec![
            ("name".to_string(), f.name.clone()),
            ("kind".to_string(), f.kind.clone()),
            (
                "organisation_number".to_string(),
                f.organisation_number.clone(),
            ),
            ("kommun_code".to_string(), f.kommun_code.clone()),
            ("parent_id".to_string(), f.parent_id.clone()),
        ]
    };
    fn as_refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
        v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
    }
    let mut edit = FormState::with_values(&as_refs(&form_values(&edit_values)));
    let mut invite = FormState::with_values(&[("role", "coordinator")]);
    let mut member_error = None;
    match failed {
        Failed::None => {}
        Failed::Invite(e, f) => {
            invite = FormState::failed(ctx, e, &[("email", &f.email), ("role", &f.role)])
        }
        Failed::Edit(e, f) => edit = FormState::failed(ctx, e, &as_refs(&form_values(f))),
        Failed::Member(e) => {
            // A refused role names its reason (only a platform admin grants it).
            let key = match e {
                AppError::Validation(fields) if !fields.is_empty() => fields[0].message_key,
                _ => e.message_key(),
            };
            member_error = Some(ctx.tr.t(key).to_string());
        }
    }
    let can_offer = app.may(&ctx.actor, Action::ManageOfferings(org.id))
        || app.may(&ctx.actor, Action::PublishOfferings(org.id));
    render(&OrganisationPage {
        base: Base::new(ctx, &org.name),
        org,
        members,
        invitations,
        can_manage,
        can_see_members,
        can_offer,
        invite,
        edit,
        roles: Role::ALL,
        kinds: OrganisationKind::ALL,
        member_error,
        invitation_days: app.settings.security.invitation_days,
        kommun_groups: super::kommun_groups(app, ctx).await?,
        parents: app
            .organiser_choices()
            .await?
            .into_iter()
            .filter(|(o, _)| *o != id)
            .collect(),
    })
}

pub async fn show(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    organisation_page(&app, &ctx, id, Failed::None).await
}

pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<OrganisationForm>,
) -> PageResult {
    submitted(
        app.update_organisation(&ctx.actor, id, &f).await,
        |_| redirect_with(&app, &format!("/organisations/{id}"), "org.updated"),
        async |e| organisation_page(&app, &ctx, id, Failed::Edit(e, &f)).await,
    )
    .await
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

pub async fn invite(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<InviteForm>,
) -> PageResult {
    match app.invite(ctx.caller()?, id, &f.email, &f.role).await {
        Ok(sent) => {
            let key = if sent.mail_sent {
                "org.invited"
            } else {
                "org.invited_mail_failed"
            };
            Ok(redirect_with(&app, &format!("/organisations/{id}"), key))
        }
        Err(e) if is_form_error(&e) => shown_again(
            &e,
            organisation_page(&app, &ctx, id, Failed::Invite(&e, &f)).await,
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_invitation(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, invitation)): Path<(i64, i64)>,
) -> PageResult {
    app.revoke_invitation(ctx.caller()?, id, invitation).await?;
    Ok(redirect_with(
        &app,
        &format!("/organisations/{id}"),
        "org.revoked",
    ))
}

/// Sets a member's roles from the checkboxes (`roles` repeated), or removes the member when
/// the `remove` button was pressed.
pub async fn set_roles(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, user_id)): Path<(i64, i64)>,
    body: Bytes,
) -> PageResult {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let remove = pairs.iter().any(|(k, _)| k == "remove");
    let roles: Vec<String> = if remove {
        Vec::new()
    } else {
        pairs
            .into_iter()
            .filter(|(k, _)| k == "roles")
            .map(|(_, v)| v)
            .collect()
    };
    let flash = if roles.is_empty() {
        "org.member_removed"
    } else {
        "org.roles_saved"
    };
    submitted(
        app.set_member_roles(ctx.caller()?, id, user_id, &roles)
            .await,
        |()| redirect_with(&app, &format!("/organisations/{id}"), flash),
        async |e| organisation_page(&app, &ctx, id, Failed::Member(e)).await,
    )
    .await
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage<'a> {
    base: Base<'a>,
    invitation: Invitation,
    token: String,
    account_exists: bool,
    form: FormState,
    wrong_address: bool,
}

impl InvitationPage<'_> {
    fn intro(&self) -> String {
        let tr = self.base.tr;
        tr.fmt(
            "invitation.intro",
            &[
                ("organisation", &self.invitation.organisation_name),
                ("role", tr.t(role_key(self.invitation.role))),
            ],
        )
    }

    fn for_address(&self) -> String {
        self.base
            .tr
            .fmt("invitation.for", &[("email", &self.invitation.email)])
    }

    fn login_first(&self) -> String {
        self.base.tr.fmt(
            "invitation.login_first",
            &[("email", &self.invitation.email)],
        )
    }
}

async fn invitation_page(app: &App, ctx: &Ctx, token: String, form: FormState) -> PageResult {
    let invitation = app.invitation(&token).await?;
    let account_exists = app.account_exists(&invitation.email).await?;
    let wrong_address = ctx
        .caller
        .as_ref()
        .is_some_and(|c| c.user.email != invitation.email);
    render(&InvitationPage {
        base: Base::new(ctx, ctx.tr.t("invitation.title")),
        invitation,
        token,
        account_exists,
        form,
        wrong_address,
    })
}

pub async fn invitation(State(app): State<App>, ctx: Ctx, Path(token): Path<String>) -> PageResult {
    invitation_page(&app, &ctx, token, FormState::default()).await
}

pub async fn accept(
    State(app): State<App>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<Registration>,
) -> PageResult {
    let how = match &ctx.caller {
        Some(c) => Acceptance::SignedIn(c.clone()),
        None => Acceptance::NewAccount(f.clone()),
    };
    let invitation = app.invitation(&token).await?;
    match app.accept_invitation(&token, &how, ctx.tr.lang).await {
        Ok(login) => {
            let to = format!("/organisations/{}", invitation.organisation_id);
            let response = redirect_with(&app, &to, "invitation.accepted_short");
            Ok(match login {
                Some(l) => with_session(&app, response, l.session_token),
                None => response,
            })
        }
        Err(e) if is_form_error(&e) => {
            let form = FormState::failed(&ctx, &e, &[("display_name", &f.display_name)]);
            shown_again(&e, invitation_page(&app, &ctx, token, form).await)
        }
        Err(e) => Err(e.into()),
    }
}
