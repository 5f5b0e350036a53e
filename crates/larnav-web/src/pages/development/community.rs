//! A material's community (completion, rating, comments) and usage statistics per school.

use crate::charts::{Bar, bars};
use crate::ctx::Ctx;
use crate::pages::{Base, PageResult, field, fields, is_form_error, redirect_with, render};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use larnav_app::development::UsageStats;
use larnav_app::domain::Action;
use larnav_app::{App, AppError};

use super::*;

pub async fn complete_material(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let done = field(&fields(&body), "done") == "1";
    app.complete_material(&ctx.actor, id, done).await?;
    Ok(redirect_with(
        &app,
        &format!("/materials/{id}#community"),
        if done {
            "development.marked_done"
        } else {
            "development.marked_not_done"
        },
    ))
}

pub async fn rate_material(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    match app
        .rate_material(&ctx.actor, id, field(&values, "stars"))
        .await
    {
        Ok(()) => Ok(redirect_with(
            &app,
            &format!("/materials/{id}#community"),
            "development.rated",
        )),
        Err(e) if is_form_error(&e) => {
            crate::pages::material::again_with(&app, &ctx, id, "rating", &e, &values).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn comment_material(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    match app
        .comment_material(&ctx.actor, id, field(&values, "body"))
        .await
    {
        Ok(_) => Ok(redirect_with(
            &app,
            &format!("/materials/{id}#comments"),
            "development.commented",
        )),
        Err(e) if is_form_error(&e) => {
            crate::pages::material::again_with(&app, &ctx, id, "comment", &e, &values).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_comment(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let material = app.delete_material_comment(&ctx.actor, id).await?;
    Ok(redirect_with(
        &app,
        &format!("/materials/{material}#comments"),
        "development.comment_deleted",
    ))
}

// ---- Usage statistics ----

#[derive(Template)]
#[template(path = "material_usage.html")]
pub(super) struct UsagePage<'a> {
    pub(super) base: Base<'a>,
    organisations: Vec<(i64, String)>,
    stats: UsageStats,
    chart: String,
}

/// The organisation a page is for: the one asked for, else the first the viewer runs.
pub(super) async fn chosen(
    app: &App,
    ctx: &Ctx,
    asked: Option<i64>,
) -> Result<(i64, Vec<(i64, String)>), AppError> {
    let organisations = app
        .organisations_where(&ctx.actor, Action::ManageMaterial)
        .await?;
    match asked.or_else(|| organisations.first().map(|o| o.0)) {
        Some(id) => Ok((id, organisations)),
        None => {
            app.authorize(&ctx.actor, larnav_app::domain::Action::TakePart)
                .await?;
            Err(AppError::Forbidden)
        }
    }
}

pub async fn usage(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<OrganisationQuery>,
) -> PageResult {
    let (org, organisations) = chosen(&app, &ctx, q.organisation).await?;
    let stats = app.usage_stats(&ctx.actor, org, None).await?;
    let tr = &ctx.tr;
    let rows: Vec<Bar> = stats
        .by_organisation
        .iter()
        .map(|(name, u)| Bar {
            label: name.clone(),
            values: vec![u.views as f64, u.completions as f64],
            value_text: format!("{} / {}", tr.number(u.views), tr.number(u.completions)),
        })
        .collect();
    let chart = bars(
        tr.t("development.usage_chart"),
        tr.t("development.usage_chart_desc"),
        &rows,
        &[tr.t("development.views"), tr.t("development.completions")],
    );
    render(&UsagePage {
        base: Base::new(&ctx, tr.t("development.usage")),
        organisations,
        stats,
        chart,
    })
}

// ---- Staff groups ----

impl UsagePage<'_> {
    fn is_current(&self, id: &i64) -> bool {
        self.stats.organisation_id == *id
    }
    fn since_text(&self) -> String {
        self.base.tr.fmt(
            "development.usage_since",
            &[("date", &self.base.tr.naive_date(&self.stats.since))],
        )
    }
}
