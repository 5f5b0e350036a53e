//! Staff development pages: collections (learning paths) with each learner's completion,
//! a material's community (completion, rating, comments), usage statistics, staff groups,
//! development plans with progress and reflections, and the learner's own record.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use larnav_app::development::{
    COLLECTION_KINDS, CollectionForm, CollectionHit, CollectionView, OfferingChoice, PLAN_KINDS,
    PROGRESS, PlanForm, PlanView, ProgressForm, StaffGroups, StepChange, StepForm, StepTexts,
    StepView, UsageStats,
};
use larnav_app::domain::material::Scope;
use larnav_app::material::MaterialQuery;
use larnav_app::record::{ERASURE_KEEPS, LearnerRecord};
use larnav_app::store::{PlanRow, StaffGroup, Steps};
use larnav_app::{App, AppError};
use serde::Deserialize;

use super::{
    Base, Failed, FormState, PageResult, field, fields, is_form_error, redirect_with, render,
    shown_again, state,
};
use crate::charts::{Bar, bars};
use crate::ctx::Ctx;

/// Labels and formatting shared by these pages.
pub trait DevelopmentLabels {
    fn base(&self) -> &Base<'_>;
    fn label(&self, kind: &str, key: &str) -> String {
        self.base()
            .tr
            .t(&format!("development.{kind}.{key}"))
            .to_string()
    }
    fn scope_label(&self, key: &str) -> String {
        self.base()
            .tr
            .t(&format!("material.scope.{key}"))
            .to_string()
    }
    fn scopes(&self) -> Vec<&'static str> {
        Scope::ALL.iter().map(|s| s.as_str()).collect()
    }
    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        self.base().tr.datetime(at)
    }
    fn day(&self, d: &chrono::NaiveDate) -> String {
        self.base().tr.naive_date(d)
    }
    fn number(&self, n: &i64) -> String {
        self.base().tr.number(*n)
    }
    /// The changes a curator makes to a step.
    fn changes(&self) -> Vec<&'static str> {
        vec!["up", "down", "remove"]
    }
}

macro_rules! labels {
    ($($page:ident),+) => {$(
        impl DevelopmentLabels for $page<'_> {
            fn base(&self) -> &Base<'_> {
                &self.base
            }
        }
    )+};
}

/// What a step form may link to: the viewer's readable published material and collections,
/// and — when the form `form` came back with words for a course — the offerings they match.
async fn step_choices(
    app: &App,
    ctx: &Ctx,
    failed: Option<&Failed<'_>>,
    form: &str,
) -> Result<StepChoices, AppError> {
    let offerings = match failed {
        Some(f) if f.form == form && field(f.values, "kind") == "offering" => {
            app.offering_choices(field(f.values, "target_offering"))?
        }
        _ => Vec::new(),
    };
    let materials = app
        .search_materials(&ctx.actor, &MaterialQuery::default())
        .await?
        .hits
        .into_iter()
        .filter(|h| h.material.scope != "private")
        .map(|h| (h.material.id, h.material.title))
        .collect();
    let collections = app
        .search_collections(&ctx.actor, "")
        .await?
        .into_iter()
        .map(|h| (h.collection.id, h.collection.title))
        .collect();
    Ok(StepChoices {
        materials,
        collections,
        offerings,
    })
}

#[derive(Default)]
struct StepChoices {
    materials: Vec<(i64, String)>,
    collections: Vec<(i64, String)>,
    offerings: Vec<OfferingChoice>,
}

fn step_form(values: &[(String, String)]) -> StepForm {
    // One select per kind, so the chosen kind says which target field counts.
    let kind = field(values, "kind");
    // A course picked among the matches of what was typed wins over the typed words.
    let target = match field(values, "offering_pick") {
        pick if kind == "offering" && !pick.is_empty() => pick,
        _ => field(values, &format!("target_{kind}")),
    };
    StepForm {
        kind: kind.into(),
        target_id: target.into(),
        title: field(values, "title").into(),
        description: field(values, "description").into(),
        due_on: field(values, "due_on").into(),
    }
}

// ---- Collections ----

#[derive(Template)]
#[template(path = "collections.html")]
struct CollectionsPage<'a> {
    base: Base<'a>,
    q: String,
    hits: Vec<CollectionHit>,
    organisations: Vec<(i64, String)>,
    form: FormState,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchQuery {
    pub q: String,
}

async fn collections_page(
    app: &App,
    ctx: &Ctx,
    q: String,
    failed: Option<&Failed<'_>>,
) -> PageResult {
    render(&CollectionsPage {
        base: Base::new(ctx, ctx.tr.t("development.collections")),
        hits: app.search_collections(&ctx.actor, &q).await?,
        organisations: app.managed_organisations(&ctx.actor).await?,
        form: state(ctx, failed, "collection"),
        q,
    })
}

pub async fn collections(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<SearchQuery>,
) -> PageResult {
    collections_page(&app, &ctx, q.q, None).await
}

fn collection_form(values: &[(String, String)]) -> CollectionForm {
    CollectionForm {
        organisation_id: field(values, "organisation_id").into(),
        title: field(values, "title").into(),
        summary: field(values, "summary").into(),
        scope: field(values, "scope").into(),
    }
}

pub async fn create_collection(State(app): State<App>, ctx: Ctx, body: Bytes) -> PageResult {
    let values = fields(&body);
    match app
        .create_collection(&ctx.actor, &collection_form(&values))
        .await
    {
        Ok(id) => Ok(redirect_with(
            &app,
            &format!("/collections/{id}"),
            "development.collection_saved",
        )),
        Err(e) if is_form_error(&e) => {
            let failed = Failed {
                form: "collection",
                error: &e,
                values: &values,
            };
            shown_again(
                &e,
                collections_page(&app, &ctx, String::new(), Some(&failed)).await,
            )
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "collection.html")]
struct CollectionPage<'a> {
    base: Base<'a>,
    view: CollectionView,
    edit: FormState,
    step: FormState,
    step_edit: StepEdit,
    choices: StepChoices,
}

/// The in-place edit form under each step of a learning path or plan: open, with what was typed
/// and what is wrong, for the step whose edit failed.
struct StepEdit {
    form: FormState,
    failed: i64,
    /// Where the forms post: `{path}/{id}/edit`.
    path: &'static str,
}

impl StepEdit {
    fn new(ctx: &Ctx, failed: Option<&Failed<'_>>, path: &'static str) -> Self {
        let form = state(ctx, failed, "step_edit");
        Self {
            failed: form.value("step_id").parse().unwrap_or(0),
            form,
            path,
        }
    }
    fn open(&self, step: &i64) -> bool {
        self.failed == *step
    }
    fn in_plan(&self) -> bool {
        self.path == "/plan-activities"
    }
    fn summary(&self) -> &'static str {
        if self.in_plan() {
            "development.edit_activity"
        } else {
            "development.edit_step"
        }
    }
    /// The form's fields: a title for activities and meetings, else the curator's heading; a
    /// date for plan activities.
    fn fields(&self, step: &StepView) -> Vec<(&'static str, &'static str)> {
        let title = if matches!(step.kind.as_str(), "activity" | "meeting") {
            "development.meeting_title"
        } else {
            "development.step_title"
        };
        let mut fields = vec![
            ("title", title),
            ("description", "development.step_description"),
        ];
        if self.in_plan() {
            fields.push(("due_on", "development.due_on"));
        }
        fields
    }
    /// What a field shows: what was typed in a failed edit, else what is saved.
    fn value(&self, step: &StepView, name: &str) -> String {
        if self.open(&step.id) {
            return self.form.value(name).to_string();
        }
        match name {
            "title" => step.own_title.clone(),
            "description" => step.description.clone(),
            _ => step.due_on.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
    fn error(&self, step: &i64, name: &str) -> Option<String> {
        self.open(step)
            .then(|| self.form.error(name).map(str::to_string))
            .flatten()
    }
}

impl CollectionsPage<'_> {
    fn steps_text(&self, n: &i64) -> String {
        self.base.tr.count("development.steps_n", *n, &[])
    }
}

impl CollectionPage<'_> {
    fn kinds(&self) -> Vec<&'static str> {
        COLLECTION_KINDS.to_vec()
    }
    fn links_collections(&self) -> bool {
        false
    }
    fn progress_text(&self) -> String {
        self.base.tr.fmt(
            "development.done_of",
            &[
                ("done", &self.view.done.to_string()),
                ("total", &self.view.steps.len().to_string()),
            ],
        )
    }
    fn edit_value<'s>(&'s self, name: &str, saved: &'s str) -> &'s str {
        if self.edit.has_errors() {
            self.edit.value(name)
        } else {
            saved
        }
    }
}

async fn collection_page(app: &App, ctx: &Ctx, id: i64, failed: Option<&Failed<'_>>) -> PageResult {
    let view = app.collection_view(&ctx.actor, id).await?;
    let choices = if view.can_manage {
        step_choices(app, ctx, failed, "step").await?
    } else {
        StepChoices::default()
    };
    render(&CollectionPage {
        base: Base::new(ctx, &view.collection.title),
        edit: state(ctx, failed, "edit"),
        step: state(ctx, failed, "step"),
        step_edit: StepEdit::new(ctx, failed, "/collection-steps"),
        choices,
        view,
    })
}

pub async fn collection(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    collection_page(&app, &ctx, id, None).await
}

/// A form on a collection's page failed: the page again with that form's errors.
async fn collection_again(app: &App, ctx: &Ctx, id: i64, failed: Failed<'_>) -> PageResult {
    shown_again(
        failed.error,
        collection_page(app, ctx, id, Some(&failed)).await,
    )
}

pub async fn update_collection(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    match app
        .update_collection(&ctx.actor, id, &collection_form(&values))
        .await
    {
        Ok(()) => Ok(redirect_with(
            &app,
            &format!("/collections/{id}"),
            "development.collection_saved",
        )),
        Err(e) if is_form_error(&e) => {
            let failed = Failed {
                form: "edit",
                error: &e,
                values: &values,
            };
            collection_again(&app, &ctx, id, failed).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn add_collection_step(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    match app
        .add_collection_step(&ctx.actor, id, &step_form(&values))
        .await
    {
        Ok(_) => Ok(redirect_with(
            &app,
            &format!("/collections/{id}#steps"),
            "development.step_added",
        )),
        Err(e) if is_form_error(&e) => {
            let failed = Failed {
                form: "step",
                error: &e,
                values: &values,
            };
            collection_again(&app, &ctx, id, failed).await
        }
        Err(e) => Err(e.into()),
    }
}

fn change_of(values: &[(String, String)]) -> Result<StepChange, AppError> {
    StepChange::parse(field(values, "change"))
        .ok_or_else(|| AppError::invalid("change", "field.choice_invalid"))
}

pub async fn change_collection_step(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let change = change_of(&fields(&body))?;
    let collection = app.change_collection_step(&ctx.actor, id, change).await?;
    Ok(redirect_with(
        &app,
        &format!("/collections/{collection}#steps"),
        "development.steps_changed",
    ))
}

pub async fn edit_collection_step(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    let result = app
        .edit_collection_step(&ctx.actor, id, &step_texts(&values))
        .await;
    let saved = ("step_edit", "development.step_saved");
    after_step_form(
        &app,
        &ctx,
        Steps::CollectionItems,
        id,
        result,
        saved,
        values,
    )
    .await
}

fn step_texts(values: &[(String, String)]) -> StepTexts {
    StepTexts {
        title: field(values, "title").into(),
        description: field(values, "description").into(),
        due_on: field(values, "due_on").into(),
    }
}

pub async fn mark_collection_step(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let done = field(&fields(&body), "done") == "1";
    let collection = app.mark_step(&ctx.actor, id, done).await?;
    Ok(redirect_with(
        &app,
        &format!("/collections/{collection}#step-{id}"),
        if done {
            "development.marked_done"
        } else {
            "development.marked_not_done"
        },
    ))
}

// ---- A material's community (forms on the material's page) ----

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
            super::material::again_with(&app, &ctx, id, "rating", &e, &values).await
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
            super::material::again_with(&app, &ctx, id, "comment", &e, &values).await
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
struct UsagePage<'a> {
    base: Base<'a>,
    organisations: Vec<(i64, String)>,
    stats: UsageStats,
    chart: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OrganisationQuery {
    pub organisation: Option<i64>,
}

/// The organisation a page is for: the one asked for, else the first the viewer runs.
async fn chosen(
    app: &App,
    ctx: &Ctx,
    asked: Option<i64>,
) -> Result<(i64, Vec<(i64, String)>), AppError> {
    let organisations = app.managed_organisations(&ctx.actor).await?;
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

#[derive(Template)]
#[template(path = "staff_groups.html")]
struct StaffGroupsPage<'a> {
    base: Base<'a>,
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
    match result {
        Ok(_) => Ok(redirect_with(
            &app,
            &format!("/staff-groups?organisation={}", org.unwrap_or_default()),
            "development.group_saved",
        )),
        Err(e) if is_form_error(&e) => {
            let failed = Failed {
                form: "group",
                error: &e,
                values: &values,
            };
            shown_again(&e, staff_groups_page(&app, &ctx, org, Some(&failed)).await)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn set_staff_member(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let mut values = fields(&body);
    let member = field(&values, "member") != "0";
    match app
        .set_staff_member(&ctx.actor, id, field(&values, "user_id"), member)
        .await
    {
        Ok(org) => Ok(redirect_with(
            &app,
            &format!("/staff-groups?organisation={org}#group-{id}"),
            "development.group_saved",
        )),
        Err(e) if is_form_error(&e) => {
            values.push(("group_id".into(), id.to_string()));
            let failed = Failed {
                form: "member",
                error: &e,
                values: &values,
            };
            let org = app
                .store
                .staff_group(id)
                .await
                .ok()
                .map(|g| g.organisation_id);
            shown_again(&e, staff_groups_page(&app, &ctx, org, Some(&failed)).await)
        }
        Err(e) => Err(e.into()),
    }
}

// ---- Plans ----

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage<'a> {
    base: Base<'a>,
    plans: Vec<PlanRow>,
    organisations: Vec<(i64, String)>,
    form: FormState,
    next_year: i32,
}

async fn plans_page(app: &App, ctx: &Ctx, failed: Option<&Failed<'_>>) -> PageResult {
    app.authorize(&ctx.actor, larnav_app::domain::Action::TakePart)
        .await?;
    use chrono::Datelike;
    render(&PlansPage {
        base: Base::new(ctx, ctx.tr.t("development.plans")),
        plans: app.plans(&ctx.actor).await?,
        organisations: app.managed_organisations(&ctx.actor).await?,
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
    match app.create_plan(&ctx.actor, &plan_form(&values)).await {
        Ok(id) => Ok(redirect_with(
            &app,
            &format!("/plans/{id}"),
            "development.plan_saved",
        )),
        Err(e) if is_form_error(&e) => {
            let failed = Failed {
                form: "plan",
                error: &e,
                values: &values,
            };
            shown_again(&e, plans_page(&app, &ctx, Some(&failed)).await)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage<'a> {
    base: Base<'a>,
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

async fn plan_again(app: &App, ctx: &Ctx, id: i64, failed: Failed<'_>) -> PageResult {
    shown_again(failed.error, plan_page(app, ctx, id, Some(&failed)).await)
}

pub async fn update_plan(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    match app.update_plan(&ctx.actor, id, &plan_form(&values)).await {
        Ok(()) => Ok(redirect_with(
            &app,
            &format!("/plans/{id}"),
            "development.plan_saved",
        )),
        Err(e) if is_form_error(&e) => {
            let failed = Failed {
                form: "edit",
                error: &e,
                values: &values,
            };
            plan_again(&app, &ctx, id, failed).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn add_plan_activity(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    match app
        .add_plan_activity(&ctx.actor, id, &step_form(&values))
        .await
    {
        Ok(_) => Ok(redirect_with(
            &app,
            &format!("/plans/{id}#activities"),
            "development.step_added",
        )),
        Err(e) if is_form_error(&e) => {
            let failed = Failed {
                form: "activity",
                error: &e,
                values: &values,
            };
            plan_again(&app, &ctx, id, failed).await
        }
        Err(e) => Err(e.into()),
    }
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
    match app
        .assign_plan(&ctx.actor, id, field(&values, "group_id"), assigned)
        .await
    {
        Ok(()) => Ok(redirect_with(
            &app,
            &format!("/plans/{id}#groups"),
            "development.plan_assigned",
        )),
        Err(e) if is_form_error(&e) => {
            let failed = Failed {
                form: "assign",
                error: &e,
                values: &values,
            };
            plan_again(&app, &ctx, id, failed).await
        }
        Err(e) => Err(e.into()),
    }
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

/// After a form on one step of a learning path or plan (`form`, named as [`state`] knows it):
/// back to the step with the `saved` message, or the page again with that step's form showing
/// what was typed and what is wrong.
async fn after_step_form(
    app: &App,
    ctx: &Ctx,
    steps: Steps,
    id: i64,
    result: Result<i64, AppError>,
    (form, saved): (&'static str, &str),
    mut values: Vec<(String, String)>,
) -> PageResult {
    let (page, anchor) = match steps {
        Steps::CollectionItems => ("collections", "step"),
        Steps::PlanActivities => ("plans", "activity"),
    };
    match result {
        Ok(parent) => Ok(redirect_with(
            app,
            &format!("/{page}/{parent}#{anchor}-{id}"),
            saved,
        )),
        Err(e) if is_form_error(&e) => {
            let parent = app.step_parent(steps, id).await?;
            values.push(("step_id".into(), id.to_string()));
            let failed = Failed {
                form,
                error: &e,
                values: &values,
            };
            match steps {
                Steps::CollectionItems => collection_again(app, ctx, parent, failed).await,
                Steps::PlanActivities => plan_again(app, ctx, parent, failed).await,
            }
        }
        Err(e) => Err(e.into()),
    }
}

// ---- The learner's record ----

#[derive(Template)]
#[template(path = "record.html")]
struct RecordPage<'a> {
    base: Base<'a>,
    record: LearnerRecord,
    erase: FormState,
}

impl RecordPage<'_> {
    fn keeps(&self) -> Vec<&'static str> {
        ERASURE_KEEPS.to_vec()
    }
    fn steps_done(&self, done: &usize, total: &usize) -> String {
        self.base.tr.fmt(
            "development.done_of",
            &[("done", &done.to_string()), ("total", &total.to_string())],
        )
    }
    fn meetings_text(&self, n: &i64) -> String {
        self.base.tr.count("record.meetings_n", *n, &[])
    }
}

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

labels!(
    CollectionsPage,
    CollectionPage,
    UsagePage,
    StaffGroupsPage,
    PlansPage,
    PlanPage,
    RecordPage
);

async fn record_page(app: &App, ctx: &Ctx, failed: Option<&Failed<'_>>) -> PageResult {
    let record = app.learner_record(ctx.caller()?).await?;
    render(&RecordPage {
        base: Base::new(ctx, ctx.tr.t("record.title")),
        record,
        erase: state(ctx, failed, "erase"),
    })
}

pub async fn record(State(app): State<App>, ctx: Ctx) -> PageResult {
    record_page(&app, &ctx, None).await
}

/// The record as a JSON file to keep (GDPR art. 15 and 20).
pub async fn record_json(State(app): State<App>, ctx: Ctx) -> PageResult {
    let record = app.learner_record(ctx.caller()?).await?;
    let bytes =
        serde_json::to_vec_pretty(&record).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(super::download(
        &format!(
            "larnav-larlogg-{}.json",
            record.exported_at.format("%Y-%m-%d")
        ),
        "application/json",
        bytes,
    ))
}

pub async fn erase_account(State(app): State<App>, ctx: Ctx, body: Bytes) -> PageResult {
    let values = fields(&body);
    let caller = ctx.caller()?;
    match app
        .erase_account(
            caller,
            field(&values, "password"),
            field(&values, "confirm") == "1",
        )
        .await
    {
        Ok(()) => Ok(super::auth::signed_out(&app, "record.erased")),
        Err(e) if is_form_error(&e) => {
            // The password is never shown again.
            let kept: Vec<(String, String)> = values
                .into_iter()
                .filter(|(k, _)| k != "password")
                .collect();
            let failed = Failed {
                form: "erase",
                error: &e,
                values: &kept,
            };
            shown_again(&e, record_page(&app, &ctx, Some(&failed)).await)
        }
        Err(e) => Err(e.into()),
    }
}
