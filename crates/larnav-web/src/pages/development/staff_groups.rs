//! An organiser's staff groups and their members.

use crate::ctx::Ctx;
use crate::pages::{
    Base, Failed, FormState, PageResult, field, fields, redirect_with, render, state, submitted,
};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use larnav_app::development::StaffGroups;
use larnav_app::{App, AppError};

use super::*;

#[derive(Template)]
#[template(path = "staff_groups.html")]
pub(super) struct StaffGroupsPage<'a> {
    pub(super) base: Base<'a>,
    organisations: Vec<(i64, String)>,
    view: StaffGroups,
    create: FormState,
    member: FormState,
    /// The group whose add-member form failed.
    failed_group: i64,
}

async fn staff_groups_page(
    app: &App,
    ctx: &Ctx,
    asked: Option<i64>,
    failed: Option<&Failed<'_>>,
) -> PageResult {
    let (org, organisations) = chosen(app, ctx, asked).await?;
    let member = state(ctx, failed, "member");
    render(&StaffGroupsPage {
        base: Base::new(ctx, ctx.tr.t("development.staff_groups")),
        view: app.staff_groups(&ctx.actor, org).await?,
        organisations,
        create: state(ctx, failed, "group"),
        failed_group: member.value("group_id").parse().unwrap_or(0),
        member,
    })
}

pub async fn staff_groups(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<OrganisationQuery>,
) -> PageResult {
    staff_groups_page(&app, &ctx, q.organisation, None).await
}

pub async fn create_staff_group(State(app): State<App>, ctx: Ctx, body: Bytes) -> PageResult {
    let values = fields(&body);
    let org = field(&values, "organisation_id").parse().ok();
    let result = match org {
        Some(o) => {
            app.create_staff_group(&ctx.actor, o, field(&values, "name"))
                .await
        }
        None => Err(AppError::invalid("organisation_id", "field.choice_invalid")),
    };
    submitted(
        result,
        |_| {
            redirect_with(
                &app,
                &format!("/staff-groups?organisation={}", org.unwrap_or_default()),
                "development.group_saved",
            )
        },
        async |e| {
            let failed = Failed::new("group", e, &values);
            staff_groups_page(&app, &ctx, org, Some(&failed)).await
        },
    )
    .await
}

pub async fn set_staff_member(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let mut values = fields(&body);
    let member = field(&values, "member") != "0";
    submitted(
        app.set_staff_member(&ctx.actor, id, field(&values, "user_id"), member)
            .await,
        |org| {
            redirect_with(
                &app,
                &format!("/staff-groups?organisation={org}#group-{id}"),
                "development.group_saved",
            )
        },
        async |e| {
            values.push(("group_id".into(), id.to_string()));
            let failed = Failed::new("member", e, &values);
            let org = app.staff_group_organisation(id).await;
            staff_groups_page(&app, &ctx, org, Some(&failed)).await
        },
    )
    .await
}

// ---- Plans ----

impl StaffGroupsPage<'_> {
    /// Already in the group (not offered again).
    fn in_group(&self, group: &larnav_app::development::StaffGroupView, user: &i64) -> bool {
        group.members.iter().any(|m| m.user_id == *user)
    }
    fn is_current(&self, id: &i64) -> bool {
        self.view.organisation_id == *id
    }
    fn failed_here(&self, group: &i64) -> bool {
        self.failed_group == *group
    }
}
