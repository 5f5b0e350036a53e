//! Collections (learning paths): the list, one collection with its steps, editing and completing steps.

use crate::ctx::Ctx;
use crate::pages::{
    Base, Failed, FormState, PageResult, field, fields, redirect_with, render, shown_again, state,
    submitted,
};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use larnav_app::App;
use larnav_app::development::{COLLECTION_KINDS, CollectionForm, CollectionHit, CollectionView};
use larnav_app::domain::Action;
use larnav_app::records::Steps;
use serde::Deserialize;

use super::*;

#[derive(Template)]
#[template(path = "collections.html")]
pub(super) struct CollectionsPage<'a> {
    pub(super) base: Base<'a>,
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
        organisations: app
            .organisations_where(&ctx.actor, Action::ManageMaterial)
            .await?,
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
    submitted(
        app.create_collection(&ctx.actor, &collection_form(&values))
            .await,
        |id| {
            redirect_with(
                &app,
                &format!("/collections/{id}"),
                "development.collection_saved",
            )
        },
        async |e| {
            let failed = Failed::new("collection", e, &values);
            collections_page(&app, &ctx, String::new(), Some(&failed)).await
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "collection.html")]
pub(super) struct CollectionPage<'a> {
    pub(super) base: Base<'a>,
    view: CollectionView,
    edit: FormState,
    step: FormState,
    step_edit: StepEdit,
    choices: StepChoices,
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
pub(super) async fn collection_again(
    app: &App,
    ctx: &Ctx,
    id: i64,
    failed: Failed<'_>,
) -> PageResult {
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
    let result = app
        .update_collection(&ctx.actor, id, &collection_form(&values))
        .await;
    let saved = (
        "edit",
        format!("/collections/{id}"),
        "development.collection_saved",
    );
    after_parent_form(
        &app,
        &ctx,
        (Steps::CollectionItems, id),
        result,
        saved,
        &values,
    )
    .await
}

pub async fn add_collection_step(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    let result = app
        .add_collection_step(&ctx.actor, id, &step_form(&values))
        .await;
    let saved = (
        "step",
        format!("/collections/{id}#steps"),
        "development.step_added",
    );
    after_parent_form(
        &app,
        &ctx,
        (Steps::CollectionItems, id),
        result,
        saved,
        &values,
    )
    .await
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
