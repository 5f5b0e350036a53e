//! Staff-development plans: the list, one plan with its activities, assignment and progress.

use crate::charts::{Bar, bars};
use crate::ctx::Ctx;
use crate::pages::{
    Base, Failed, FormState, PageResult, field, fields, redirect_with, render, shown_again, state,
    submitted,
};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use larnav_app::App;
use larnav_app::development::{PLAN_KINDS, PROGRESS, PlanForm, PlanView, ProgressForm, StepView};
use larnav_app::domain::Action;
use larnav_app::records::{PlanRow, StaffGroup, Steps};

use super::*;

#[derive(Template)]
#[template(path = "plans.html")]
pub(super) struct PlansPage<'a> {
    pub(super) base: Base<'a>,
    plans: Vec<PlanRow>,
    organisations: Vec<(i64, String)>,
    form: FormState,
    next_year: i32,
}

async fn plans_page(app: &App, ctx: &Ctx, failed: Option<&Failed<'_>>) -> PageResult {
    app.authorize(&ctx.actor, Action::TakePart).await?;
    use chrono::Datelike;
    render(&PlansPage {
        base: Base::new(ctx, ctx.tr.t("development.plans")),
        plans: app.plans(&ctx.actor).await?,
        organisations: app
            .organisations_where(&ctx.actor, Action::ManageMaterial)
            .await?,
        form: state(ctx, failed, "plan"),
        next_year: larnav_app::catalogue::today_in_sweden().year(),
    })
}

pub async fn plans(State(app): State<App>, ctx: Ctx) -> PageResult {
    plans_page(&app, &ctx, None).await
}

fn plan_form(values: &[(String, String)]) -> PlanForm {
    PlanForm {
        organisation_id: field(values, "organisation_id").into(),
        year: field(values, "year").into(),
        title: field(values, "title").into(),
        goals: field(values, "goals").into(),
    }
}

pub async fn create_plan(State(app): State<App>, ctx: Ctx, body: Bytes) -> PageResult {
    let values = fields(&body);
    submitted(
        app.create_plan(&ctx.actor, &plan_form(&values)).await,
        |id| redirect_with(&app, &format!("/plans/{id}"), "development.plan_saved"),
        async |e| {
            let failed = Failed::new("plan", e, &values);
            plans_page(&app, &ctx, Some(&failed)).await
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "plan.html")]
pub(super) struct PlanPage<'a> {
    pub(super) base: Base<'a>,
    view: PlanView,
    edit: FormState,
    activity: FormState,
    assign: FormState,
    progress: FormState,
    /// The activity whose progress form failed.
    failed_activity: i64,
    step_edit: StepEdit,
    choices: StepChoices,
    /// The organiser's staff groups (to assign the plan to).
    all_groups: Vec<StaffGroup>,
    chart: String,
}

impl PlanPage<'_> {
    /// A warning when some of the plan's staff cannot open the activity's material or path.
    fn locked_text(&self, a: &StepView) -> Option<String> {
        let staff = self.view.staff as i64;
        a.locked_for.filter(|n| *n > 0).map(|n| {
            let key = if a.kind == "collection" {
                "development.locked_collection"
            } else {
                "development.locked_material"
            };
            self.base
                .tr
                .count(key, n as i64, &[("staff", &self.base.tr.number(staff))])
        })
    }
    fn failed_here(&self, activity: &i64) -> bool {
        self.failed_activity == *activity
    }
    fn kinds(&self) -> Vec<&'static str> {
        PLAN_KINDS.to_vec()
    }
    fn links_collections(&self) -> bool {
        true
    }
    fn statuses(&self) -> Vec<&'static str> {
        PROGRESS.to_vec()
    }
    fn goals(&self) -> Vec<&str> {
        self.view
            .plan
            .goals
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    }
    fn edit_value<'s>(&'s self, name: &str, saved: &'s str) -> &'s str {
        if self.edit.has_errors() {
            self.edit.value(name)
        } else {
            saved
        }
    }
    fn done_by_text(&self, n: &usize) -> String {
        let staff = self.view.staff as i64;
        self.base.tr.count(
            "development.done_by",
            *n as i64,
            &[("staff", &self.base.tr.number(staff))],
        )
    }
    fn assigned_to(&self, id: &i64) -> bool {
        self.view.groups.iter().any(|g| g.id == *id)
    }
}

async fn plan_page(app: &App, ctx: &Ctx, id: i64, failed: Option<&Failed<'_>>) -> PageResult {
    let view = app.plan_view(&ctx.actor, id).await?;
    let (choices, all_groups) = if view.can_manage {
        (
            step_choices(app, ctx, failed, "activity").await?,
            app.staff_groups(&ctx.actor, view.plan.organisation_id)
                .await?
                .groups
                .into_iter()
                .map(|g| g.group)
                .collect(),
        )
    } else {
        (StepChoices::default(), Vec::new())
    };
    let tr = &ctx.tr;
    let chart = if view.schools.is_empty() {
        String::new()
    } else {
        let rows: Vec<Bar> = view
            .schools
            .iter()
            .map(|s| Bar {
                label: s.name.clone(),
                values: vec![s.percent as f64],
                value_text: format!("{} %", s.percent),
            })
            .collect();
        bars(
            tr.t("development.progress_chart"),
            tr.t("development.progress_chart_desc"),
            &rows,
            &[tr.t("development.percent_done")],
        )
    };
    let progress = state(ctx, failed, "progress");
    render(&PlanPage {
        base: Base::new(ctx, &view.plan.title),
        edit: state(ctx, failed, "edit"),
        activity: state(ctx, failed, "activity"),
        assign: state(ctx, failed, "assign"),
        failed_activity: progress.value("step_id").parse().unwrap_or(0),
        progress,
        step_edit: StepEdit::new(ctx, failed, "/plan-activities"),
        choices,
        all_groups,
        chart,
        view,
    })
}

pub async fn plan(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    plan_page(&app, &ctx, id, None).await
}

pub(super) async fn plan_again(app: &App, ctx: &Ctx, id: i64, failed: Failed<'_>) -> PageResult {
    shown_again(failed.error, plan_page(app, ctx, id, Some(&failed)).await)
}

pub async fn update_plan(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    let result = app.update_plan(&ctx.actor, id, &plan_form(&values)).await;
    let saved = ("edit", format!("/plans/{id}"), "development.plan_saved");
    after_parent_form(
        &app,
        &ctx,
        (Steps::PlanActivities, id),
        result,
        saved,
        &values,
    )
    .await
}

pub async fn add_plan_activity(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    let result = app
        .add_plan_activity(&ctx.actor, id, &step_form(&values))
        .await;
    let saved = (
        "activity",
        format!("/plans/{id}#activities"),
        "development.step_added",
    );
    after_parent_form(
        &app,
        &ctx,
        (Steps::PlanActivities, id),
        result,
        saved,
        &values,
    )
    .await
}

pub async fn change_plan_activity(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let change = change_of(&fields(&body))?;
    let plan = app.change_plan_activity(&ctx.actor, id, change).await?;
    Ok(redirect_with(
        &app,
        &format!("/plans/{plan}#activities"),
        "development.steps_changed",
    ))
}

pub async fn assign_plan(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    let assigned = field(&values, "assigned") != "0";
    let result = app
        .assign_plan(&ctx.actor, id, field(&values, "group_id"), assigned)
        .await;
    let saved = (
        "assign",
        format!("/plans/{id}#groups"),
        "development.plan_assigned",
    );
    after_parent_form(
        &app,
        &ctx,
        (Steps::PlanActivities, id),
        result,
        saved,
        &values,
    )
    .await
}

pub async fn edit_plan_activity(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    let form = step_texts(&values);
    let result = app.edit_plan_activity(&ctx.actor, id, &form).await;
    let saved = ("step_edit", "development.activity_saved");
    after_step_form(&app, &ctx, Steps::PlanActivities, id, result, saved, values).await
}

pub async fn set_progress(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    let form = ProgressForm {
        status: field(&values, "status").into(),
        reflection: field(&values, "reflection").into(),
    };
    let result = app.set_progress(&ctx.actor, id, &form).await;
    let saved = ("progress", "development.progress_saved");
    after_step_form(&app, &ctx, Steps::PlanActivities, id, result, saved, values).await
}
