//! Platform administration pages: organisations, users, the audit log.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use larnav_app::domain::{Action, OrganisationKind};
use larnav_app::organisations::OrganisationForm;
use larnav_app::records::{Organisation, User};
use larnav_app::{App, AppError};
use serde::Deserialize;

use super::organisations::kind_key;
use super::{Base, FormState, PageResult, redirect_with, render, submitted};
use crate::ctx::Ctx;

const PAGE: i64 = 50;

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: i64,
}

pub async fn index(State(app): State<App>, ctx: Ctx) -> PageResult {
    app.authorize(&ctx.actor, Action::AdministerPlatform)
        .await?;
    Ok(Redirect::to("/admin/organisations").into_response())
}

#[derive(Template)]
#[template(path = "admin_organisations.html")]
struct OrganisationsPage<'a> {
    base: Base<'a>,
    organisations: Vec<Organisation>,
    query: String,
    page: i64,
    has_next: bool,
    edit: FormState,
    kinds: [OrganisationKind; 12],
    kommun_groups: super::KommunGroups,
    parents: Vec<(i64, String)>,
}

impl OrganisationsPage<'_> {
    fn kind_label(&self, kind: &OrganisationKind) -> &str {
        self.base.tr.t(kind_key(*kind))
    }
}

async fn organisations_page(app: &App, ctx: &Ctx, q: &ListQuery, edit: FormState) -> PageResult {
    let page = q.page.max(0);
    let organisations = app
        .list_organisations(&ctx.actor, Some(&q.q), PAGE + 1, page * PAGE)
        .await?;
    let has_next = organisations.len() as i64 > PAGE;
    render(&OrganisationsPage {
        base: Base::new(ctx, ctx.tr.t("admin.organisations")),
        organisations: organisations.into_iter().take(PAGE as usize).collect(),
        query: q.q.clone(),
        page,
        has_next,
        edit,
        kinds: OrganisationKind::ALL,
        kommun_groups: super::kommun_groups(app, ctx).await?,
        parents: app.organiser_choices().await?,
    })
}

pub async fn organisations(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> PageResult {
    organisations_page(
        &app,
        &ctx,
        &q,
        FormState::with_values(&[("kind", "learning_centre")]),
    )
    .await
}

pub async fn create_organisation(
    State(app): State<App>,
    ctx: Ctx,
    Form(f): Form<OrganisationForm>,
) -> PageResult {
    submitted(
        app.create_organisation(&ctx.actor, &f).await,
        |org| {
            redirect_with(
                &app,
                &format!("/organisations/{}", org.id),
                "admin.organisation_created",
            )
        },
        async |e| {
            let values = [
                ("name", f.name.as_str()),
                ("kind", f.kind.as_str()),
                ("organisation_number", f.organisation_number.as_str()),
                ("kommun_code", f.kommun_code.as_str()),
            ];
            let form = FormState::failed(&ctx, e, &values);
            let q = ListQuery {
                q: String::new(),
                page: 0,
            };
            organisations_page(&app, &ctx, &q, form).await
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage<'a> {
    base: Base<'a>,
    users: Vec<User>,
    query: String,
    page: i64,
    has_next: bool,
    error: Option<String>,
}

async fn users_page(app: &App, ctx: &Ctx, q: &ListQuery, error: Option<&AppError>) -> PageResult {
    let page = q.page.max(0);
    let users = app
        .list_users(&ctx.actor, Some(&q.q), PAGE + 1, page * PAGE)
        .await?;
    let has_next = users.len() as i64 > PAGE;
    render(&UsersPage {
        base: Base::new(ctx, ctx.tr.t("admin.users")),
        users: users.into_iter().take(PAGE as usize).collect(),
        query: q.q.clone(),
        page,
        has_next,
        error: error.map(|e| ctx.tr.t(e.message_key()).to_string()),
    })
}

pub async fn users(State(app): State<App>, ctx: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    users_page(&app, &ctx, &q, None).await
}

#[derive(Deserialize)]
pub struct FlagsForm {
    platform_admin: Option<String>,
    disabled: Option<String>,
}

pub async fn set_flags(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<FlagsForm>,
) -> PageResult {
    submitted(
        app.set_user_flags(
            ctx.caller()?,
            id,
            f.platform_admin.is_some(),
            f.disabled.is_some(),
        )
        .await,
        |()| redirect_with(&app, "/admin/users", "admin.flags_saved"),
        async |e| {
            let q = ListQuery {
                q: String::new(),
                page: 0,
            };
            users_page(&app, &ctx, &q, Some(e)).await
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "admin_mail.html")]
struct MailPage<'a> {
    base: Base<'a>,
    mails: Vec<larnav_app::records::OutboxMail>,
    counts: larnav_app::records::OutboxCounts,
}

/// The e-mail outbox: what waits to be sent, what was given up (dead-lettered) and why.
pub async fn mail(State(app): State<App>, ctx: Ctx) -> PageResult {
    let (mails, counts) = app.unsent_mails(&ctx.actor).await?;
    render(&MailPage {
        base: Base::new(&ctx, ctx.tr.t("admin.mail")),
        mails,
        counts,
    })
}

/// Tries every waiting message now (after the mail server is back).
pub async fn retry_mail(State(app): State<App>, ctx: Ctx) -> PageResult {
    app.retry_mail_now(&ctx.actor).await?;
    Ok(redirect_with(&app, "/admin/mail", "admin.mail_retried"))
}

/// Sends one dead-lettered message again.
pub async fn resend_mail(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    app.resend_mail(&ctx.actor, id).await?;
    Ok(redirect_with(&app, "/admin/mail", "admin.mail_resent"))
}
