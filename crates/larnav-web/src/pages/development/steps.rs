//! What the step forms of collections and the activity forms of plans share: the choices of
//! material, collections and courses, the form read back, and the page shown after a step form.

use crate::ctx::Ctx;
use crate::pages::{Failed, FormState, PageResult, field, is_form_error, redirect_with, state};
use larnav_app::development::{OfferingChoice, StepChange, StepForm, StepTexts, StepView};
use larnav_app::material::MaterialQuery;
use larnav_app::records::Steps;
use larnav_app::{App, AppError};

use super::*;

/// What a step form may link to: the viewer's readable published material and collections,
/// and — when the form `form` came back with words for a course — the offerings they match.
pub(super) async fn step_choices(
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
pub(super) struct StepChoices {
    pub(super) materials: Vec<(i64, String)>,
    pub(super) collections: Vec<(i64, String)>,
    pub(super) offerings: Vec<OfferingChoice>,
}

pub(super) fn step_form(values: &[(String, String)]) -> StepForm {
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

/// The in-place edit form under each step of a learning path or plan: open, with what was typed
/// and what is wrong, for the step whose edit failed.
pub(super) struct StepEdit {
    pub(super) form: FormState,
    pub(super) failed: i64,
    /// Where the forms post: `{path}/{id}/edit`.
    pub(super) path: &'static str,
}

impl StepEdit {
    pub(super) fn new(ctx: &Ctx, failed: Option<&Failed<'_>>, path: &'static str) -> Self {
        let form = state(ctx, failed, "step_edit");
        Self {
            failed: form.value("step_id").parse().unwrap_or(0),
            form,
            path,
        }
    }
    pub(super) fn open(&self, step: &i64) -> bool {
        self.failed == *step
    }
    fn in_plan(&self) -> bool {
        self.path == "/plan-activities"
    }
    pub(super) fn summary(&self) -> &'static str {
        if self.in_plan() {
            "development.edit_activity"
        } else {
            "development.edit_step"
        }
    }
    /// The form's fields: a title for activities and meetings, else the curator's heading; a
    /// date for plan activities.
    pub(super) fn fields(&self, step: &StepView) -> Vec<(&'static str, &'static str)> {
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
    pub(super) fn value(&self, step: &StepView, name: &str) -> String {
        if self.open(&step.id) {
            return self.form.value(name).to_string();
        }
        match name {
            "title" => step.own_title.clone(),
            "description" => step.description.clone(),
            _ => step.due_on.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
    pub(super) fn error(&self, step: &i64, name: &str) -> Option<String> {
        self.open(step)
            .then(|| self.form.error(name).map(str::to_string))
            .flatten()
    }
}

pub(super) fn change_of(values: &[(String, String)]) -> Result<StepChange, AppError> {
    StepChange::parse(field(values, "change"))
        .ok_or_else(|| AppError::invalid("change", "field.choice_invalid"))
}

pub(super) fn step_texts(values: &[(String, String)]) -> StepTexts {
    StepTexts {
        title: field(values, "title").into(),
        description: field(values, "description").into(),
        due_on: field(values, "due_on").into(),
    }
}

/// After a form on one step of a learning path or plan (`form`, named as [`state`] knows it):
/// back to the step with the `saved` message, or the page again with that step's form showing
/// what was typed and what is wrong.
pub(super) async fn after_step_form(
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
            parent_again(app, ctx, steps, parent, Failed::new(form, &e, &values)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// After a form on a learning path or plan itself (`parent`): on to `to` with the `saved`
/// message, or the page again with form `form` showing what was typed and what is wrong.
pub(super) async fn after_parent_form<T>(
    app: &App,
    ctx: &Ctx,
    (steps, parent): (Steps, i64),
    result: Result<T, AppError>,
    (form, to, saved): (&'static str, String, &str),
    values: &[(String, String)],
) -> PageResult {
    match result {
        Ok(_) => Ok(redirect_with(app, &to, saved)),
        Err(e) if is_form_error(&e) => {
            parent_again(app, ctx, steps, parent, Failed::new(form, &e, values)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The learning path's or plan's page again after `failed`, with its status.
async fn parent_again(
    app: &App,
    ctx: &Ctx,
    steps: Steps,
    parent: i64,
    failed: Failed<'_>,
) -> PageResult {
    match steps {
        Steps::CollectionItems => collection_again(app, ctx, parent, failed).await,
        Steps::PlanActivities => plan_again(app, ctx, parent, failed).await,
    }
}

// ---- The learner's record ----
