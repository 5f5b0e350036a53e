//! Labour-market areas: an organisation's list with the create form, and one area's page.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use larnav_app::areas::AreaForm;
use larnav_app::domain::Action;
use larnav_app::records::{Area, KommunRecord, Organisation};
use larnav_app::{App, AppError};

use super::{
    Base, FormState, KommunGroups, PageResult, kommun_groups, redirect_with, render, submitted,
};
use crate::ctx::Ctx;

/// Reads the area form: `name` and repeated `kommuner` checkboxes.
fn read_form(body: &Bytes) -> AreaForm {
    let mut form = AreaForm::default();
    for (k, v) in form_urlencoded::parse(body) {
        match k.as_ref() {
            "name" => form.name = v.into_owned(),
            "kommuner" => form.kommuner.push(v.into_owned()),
            _ => {}
        }
    }
    form
}

#[derive(Template)]
#[template(path = "areas.html")]
struct AreasPage<'a> {
    base: Base<'a>,
    org: Organisation,
    areas: Vec<Area>,
    can_manage: bool,
    edit: FormState,
    chosen: Vec<String>,
    kommun_groups: KommunGroups,
}

/// Which kommuner the area form shows as chosen.
fn any_chosen(chosen: &[String], kommuner: &[KommunRecord]) -> bool {
    kommuner.iter().any(|k| chosen.contains(&k.code))
}

impl AreasPage<'_> {
    fn any_chosen(&self, kommuner: &[KommunRecord]) -> bool {
        any_chosen(&self.chosen, kommuner)
    }

    fn is_chosen(&self, code: &str) -> bool {
        self.chosen.iter().any(|c| c == code)
    }

    fn count(&self, area: &Area) -> String {
        self.base
            .tr
            .count("areas.count", area.kommuner.len() as i64, &[])
    }
}

async fn areas_page(
    app: &App,
    ctx: &Ctx,
    org_id: i64,
    failed: Option<(&AppError, &AreaForm)>,
) -> PageResult {
    let org = app.public_organisation(org_id).await?;
    let (edit, chosen) = match failed {
        Some((e, f)) => (
            FormState::failed(ctx, e, &[("name", &f.name)]),
            f.kommuner.clone(),
        ),
        None => (FormState::default(), Vec::new()),
    };
    render(&AreasPage {
        base: Base::new(ctx, ctx.tr.t("areas.title")),
        areas: app.areas(&ctx.actor, Some(org_id)).await?,
        can_manage: app.may(&ctx.actor, Action::ManageAreas(org_id)),
        org,
        edit,
        chosen,
        kommun_groups: kommun_groups(app, ctx).await?,
    })
}

pub async fn list(State(app): State<App>, ctx: Ctx, Path(org): Path<i64>) -> PageResult {
    areas_page(&app, &ctx, org, None).await
}

pub async fn create(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
    body: Bytes,
) -> PageResult {
    let form = read_form(&body);
    submitted(
        app.create_area(&ctx.actor, org, &form).await,
        |area| redirect_with(&app, &format!("/areas/{}", area.id), "areas.created"),
        async |e| areas_page(&app, &ctx, org, Some((e, &form))).await,
    )
    .await
}

#[derive(Template)]
#[template(path = "area.html")]
struct AreaPage<'a> {
    base: Base<'a>,
    area: Area,
    can_manage: bool,
    edit: FormState,
    chosen: Vec<String>,
    kommun_groups: KommunGroups,
}

impl AreaPage<'_> {
    fn any_chosen(&self, kommuner: &[KommunRecord]) -> bool {
        any_chosen(&self.chosen, kommuner)
    }

    fn is_chosen(&self, code: &str) -> bool {
        self.chosen.iter().any(|c| c == code)
    }
}

async fn area_page(
    app: &App,
    ctx: &Ctx,
    id: i64,
    failed: Option<(&AppError, &AreaForm)>,
) -> PageResult {
    let area = app.area(&ctx.actor, id).await?;
    let (edit, chosen) = match failed {
        Some((e, f)) => (
            FormState::failed(ctx, e, &[("name", &f.name)]),
            f.kommuner.clone(),
        ),
        None => (
            FormState::with_values(&[("name", &area.name)]),
            area.kommuner.iter().map(|k| k.code.clone()).collect(),
        ),
    };
    render(&AreaPage {
        base: Base::new(ctx, &area.name.clone()),
        can_manage: app.may(&ctx.actor, Action::ManageAreas(area.organisation_id)),
        area,
        edit,
        chosen,
        kommun_groups: kommun_groups(app, ctx).await?,
    })
}

pub async fn show(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    area_page(&app, &ctx, id, None).await
}

pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let form = read_form(&body);
    submitted(
        app.update_area(&ctx.actor, id, &form).await,
        |_| redirect_with(&app, &format!("/areas/{id}"), "areas.updated"),
        async |e| area_page(&app, &ctx, id, Some((e, &form))).await,
    )
    .await
}

pub async fn delete(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let org = app.delete_area(&ctx.actor, id).await?;
    Ok(redirect_with(
        &app,
        &format!("/organisations/{org}/areas"),
        "areas.deleted",
    ))
}
