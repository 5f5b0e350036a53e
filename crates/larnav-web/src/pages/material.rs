//! The material library: search with audience filters, the viewer's own material and what
//! waits for their review, a material's page (the version shown, attachments, history and
//! reviews, the submit and review forms), the edit form, and attachments.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use larnav_app::domain::Action;
use larnav_app::domain::material::{
    AUDIENCE_ROLES, CHECKLIST, LANGUAGES, LICENCES, SCHOOL_FORMS, Scope,
};
use larnav_app::material::{
    MaterialForm, MaterialQuery, MaterialSearch, MaterialSummary, MaterialView, ReviewForm,
};
use larnav_app::uploads::Upload;
use larnav_app::{App, AppError};
use serde::Deserialize;

use super::{
    Base, Failed, FormState, PageResult, all, field, fields, is_form_error, read_upload,
    redirect_with, render, shown_again, state, submitted,
};
use crate::ctx::Ctx;

/// Labels shared by the library's templates.
pub trait MaterialLabels {
    fn base(&self) -> &Base<'_>;
    fn label(&self, kind: &str, key: &str) -> String {
        self.base()
            .tr
            .t(&format!("material.{kind}.{key}"))
            .to_string()
    }
    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        self.base().tr.datetime(at)
    }
    fn school_forms(&self) -> Vec<&'static str> {
        SCHOOL_FORMS.to_vec()
    }
    fn audience_roles(&self) -> Vec<&'static str> {
        AUDIENCE_ROLES.to_vec()
    }
    fn languages(&self) -> Vec<&'static str> {
        LANGUAGES.to_vec()
    }
}

macro_rules! labels {
    ($($page:ident),+) => {$(
        impl MaterialLabels for $page<'_> {
            fn base(&self) -> &Base<'_> {
                &self.base
            }
        }
    )+};
}

#[derive(Template)]
#[template(path = "materials.html")]
struct MaterialsPage<'a> {
    base: Base<'a>,
    query: MaterialQuery,
    found: MaterialSearch,
    mine: Vec<MaterialSummary>,
    to_review: Vec<MaterialSummary>,
    can_write: bool,
}

#[derive(Template)]
#[template(path = "material_form.html")]
struct MaterialFormPage<'a> {
    base: Base<'a>,
    /// `None` when writing a new material.
    material_id: Option<i64>,
    /// What saving does: "" (new), "in_place" or "new_version".
    mode: &'static str,
    organisations: Vec<(i64, String)>,
    form: MaterialForm,
    state: FormState,
}

impl MaterialFormPage<'_> {
    fn has(&self, list: &[String], key: &str) -> bool {
        list.iter().any(|v| v == key)
    }
    fn licences(&self) -> Vec<&'static str> {
        LICENCES.to_vec()
    }
    fn scopes(&self) -> Vec<&'static str> {
        Scope::ALL.iter().map(|s| s.as_str()).collect()
    }
}

#[derive(Template)]
#[template(path = "material.html")]
struct MaterialPage<'a> {
    base: Base<'a>,
    view: MaterialView,
    review: FormState,
    attachment: FormState,
    submit: FormState,
    rating: FormState,
    comment: FormState,
}

impl MaterialPage<'_> {
    fn checklist(&self) -> Vec<&'static str> {
        CHECKLIST.to_vec()
    }
    fn size(&self, bytes: &i64) -> String {
        let kb = (*bytes + 1023) / 1024;
        format!("{} kB", self.base.tr.number(kb))
    }
    fn is_image(&self, content_type: &str) -> bool {
        content_type.starts_with("image/")
    }
    fn version_of(&self, number: &i64) -> String {
        self.base
            .tr
            .fmt("material.version_n", &[("n", &number.to_string())])
    }
    fn latest_status(&self) -> &str {
        self.view.latest.as_ref().map_or("", |l| l.status.as_str())
    }
    /// An attachment added to the current draft (removable).
    fn removable(&self, version_id: &i64) -> bool {
        self.view
            .latest
            .as_ref()
            .is_some_and(|l| l.status == "draft" && l.id == *version_id)
    }
    fn rating_text(&self, average: &f64, count: &usize) -> String {
        self.base.tr.count(
            "development.rating_text",
            *count as i64,
            &[("avg", &self.base.tr.decimal(*average, 1))],
        )
    }
    fn stars_label(&self, n: &i32) -> String {
        self.base
            .tr
            .fmt("development.stars_n", &[("n", &n.to_string())])
    }
    /// The star shown chosen: what was typed in a failed form, else the viewer's rating.
    fn rated(&self, n: &i32) -> bool {
        match self.rating.value("stars") {
            "" => self.view.community.mine == Some(i64::from(*n)),
            typed => typed == n.to_string(),
        }
    }
    fn checked(&self, key: &str) -> bool {
        self.review.value(&format!("check_{key}")) == "1"
    }
    /// The published version, when another one is shown.
    fn other_published(&self) -> Option<i64> {
        self.view.published.filter(|p| *p != self.view.shown.number)
    }
    /// The latest version differs from the one shown (the viewer works on the material).
    fn newer(&self) -> Option<&larnav_app::material::MaterialVersion> {
        self.view
            .latest
            .as_ref()
            .filter(|l| l.number != self.view.shown.number)
    }
}

impl MaterialsPage<'_> {
    fn count_text(&self) -> String {
        self.base
            .tr
            .count("material.hits", self.found.total as i64, &[])
    }
}

labels!(MaterialsPage, MaterialFormPage, MaterialPage);

pub async fn materials(
    State(app): State<App>,
    ctx: Ctx,
    Query(query): Query<MaterialQuery>,
) -> PageResult {
    let (mine, to_review) = app.my_materials(&ctx.actor).await?;
    render(&MaterialsPage {
        base: Base::new(&ctx, ctx.tr.t("material.library")),
        found: app.search_materials(&ctx.actor, &query).await?,
        mine,
        to_review,
        can_write: !app
            .organisations_where(&ctx.actor, Action::WriteMaterial)
            .await?
            .is_empty(),
        query,
    })
}

fn material_form(values: &[(String, String)]) -> MaterialForm {
    MaterialForm {
        organisation_id: field(values, "organisation_id").into(),
        title: field(values, "title").into(),
        summary: field(values, "summary").into(),
        body: field(values, "body").into(),
        school_forms: all(values, "school_form"),
        roles: all(values, "role"),
        subjects: field(values, "subjects").into(),
        tags: field(values, "tags").into(),
        licence: field(values, "licence").into(),
        language: field(values, "language").into(),
        scope: field(values, "scope").into(),
        version_id: field(values, "version_id").into(),
        revision: field(values, "revision").into(),
    }
}

async fn form_page(
    app: &App,
    ctx: &Ctx,
    material_id: Option<i64>,
    typed: Option<(MaterialForm, &AppError)>,
) -> PageResult {
    let organisations = app
        .organisations_where(&ctx.actor, Action::WriteMaterial)
        .await?;
    let mut mode = "";
    let stale = matches!(
        typed,
        Some((
            _,
            AppError::Conflict {
                code: "material_stale",
                ..
            }
        ))
    );
    let (mut form, state) = match typed {
        Some((form, e)) => (form, FormState::failed(ctx, e, &[])),
        None => (MaterialForm::default(), FormState::default()),
    };
    if let Some(id) = material_id {
        let view = app.material_view(&ctx.actor, id, None).await?;
        let latest = match (&view.latest, view.can_edit) {
            (Some(l), true) => l.clone(),
            _ => {
                // The form is only for those who may save it (401 or 403 for the others).
                app.authorize(&ctx.actor, Action::TakePart).await?;
                return Err(AppError::Forbidden.into());
            }
        };
        if latest.status == "in_review" && !state.has_errors() {
            // Locked while a reviewer looks at it: the material's page says so.
            return Ok(redirect_with(
                app,
                &format!("/materials/{id}"),
                "material.locked_in_review",
            ));
        }
        mode = if latest.status == "draft" {
            "in_place"
        } else {
            "new_version"
        };
        if state.summary.is_none() && !state.has_errors() {
            form = MaterialForm {
                organisation_id: view.organisation_id.to_string(),
                title: latest.title,
                summary: latest.summary,
                body: latest.body,
                school_forms: latest.school_forms,
                roles: latest.roles,
                subjects: latest.subjects.join(", "),
                tags: latest.tags.join(", "),
                licence: latest.licence,
                language: latest.language,
                scope: view.scope,
                version_id: latest.id.to_string(),
                revision: latest.revision.to_string(),
            };
        } else if stale {
            // The typed text stays; saving it again (after comparing) replaces what was saved
            // meanwhile, so the form now names the version as it is.
            form.version_id = latest.id.to_string();
            form.revision = latest.revision.to_string();
        }
    } else if organisations.is_empty() && state.summary.is_none() && !state.has_errors() {
        // (A platform administrator's failed form is shown again, though they have none.)
        app.authorize(&ctx.actor, Action::TakePart).await?;
        return Err(AppError::Forbidden.into());
    }
    let title = match material_id {
        Some(_) => ctx.tr.t("material.edit"),
        None => ctx.tr.t("material.new"),
    };
    render(&MaterialFormPage {
        base: Base::new(ctx, title),
        material_id,
        mode,
        organisations,
        form,
        state,
    })
}

pub async fn new_material(State(app): State<App>, ctx: Ctx) -> PageResult {
    form_page(&app, &ctx, None, None).await
}

pub async fn create_material(State(app): State<App>, ctx: Ctx, body: Bytes) -> PageResult {
    let form = material_form(&fields(&body));
    submitted(
        app.create_material(&ctx.actor, &form).await,
        |id| redirect_with(&app, &format!("/materials/{id}"), "material.saved"),
        async |e| form_page(&app, &ctx, None, Some((form, e))).await,
    )
    .await
}

pub async fn edit_material(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    form_page(&app, &ctx, Some(id), None).await
}

pub async fn save_material(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let form = material_form(&fields(&body));
    submitted(
        app.save_material(&ctx.actor, id, &form).await,
        |_| redirect_with(&app, &format!("/materials/{id}"), "material.saved"),
        async |e| form_page(&app, &ctx, Some(id), Some((form, e))).await,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VersionQuery {
    pub version: Option<i64>,
}

async fn material_page(
    app: &App,
    ctx: &Ctx,
    id: i64,
    version: Option<i64>,
    failed: Option<&Failed<'_>>,
) -> PageResult {
    let view = app.material_view(&ctx.actor, id, version).await?;
    render(&MaterialPage {
        base: Base::new(ctx, &view.shown.title),
        review: state(ctx, failed, "review"),
        attachment: state(ctx, failed, "attachment"),
        submit: state(ctx, failed, "submit"),
        rating: state(ctx, failed, "rating"),
        comment: state(ctx, failed, "comment"),
        view,
    })
}

pub async fn material(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<VersionQuery>,
) -> PageResult {
    material_page(&app, &ctx, id, q.version, None).await
}

/// Form `form` on the material's page failed with `error`: the page again, that form showing
/// why and what was typed.
pub async fn again_with(
    app: &App,
    ctx: &Ctx,
    id: i64,
    form: &'static str,
    error: &AppError,
    values: &[(String, String)],
) -> PageResult {
    let failed = Failed::new(form, error, values);
    again(app, ctx, id, failed).await
}

/// A form on the material's page failed: the page again, that form showing why.
async fn again(app: &App, ctx: &Ctx, id: i64, failed: Failed<'_>) -> PageResult {
    shown_again(
        failed.error,
        material_page(app, ctx, id, None, Some(&failed)).await,
    )
}

pub async fn submit(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    let result = app
        .submit_material(
            &ctx.actor,
            id,
            field(&values, "version_id"),
            field(&values, "revision"),
        )
        .await;
    match result {
        Ok(()) => Ok(redirect_with(
            &app,
            &format!("/materials/{id}"),
            "material.submitted",
        )),
        Err(e) if is_form_error(&e) => {
            let failed = Failed::new("submit", &e, &values);
            again(&app, &ctx, id, failed).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn review(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    let form = ReviewForm {
        version_id: field(&values, "version_id").into(),
        decision: field(&values, "decision").into(),
        // One checkbox per point (`check_accuracy` …), so that a form shown again keeps them.
        checklist: CHECKLIST
            .iter()
            .filter(|k| field(&values, &format!("check_{k}")) == "1")
            .map(|k| k.to_string())
            .collect(),
        comment: field(&values, "comment").into(),
    };
    match app.review_material(&ctx.actor, id, &form).await {
        Ok(()) => Ok(redirect_with(
            &app,
            &format!("/materials/{id}"),
            if form.decision == "approve" {
                "material.approved"
            } else {
                "material.changes_requested"
            },
        )),
        Err(e) if is_form_error(&e) => {
            let failed = Failed::new("review", &e, &values);
            again(&app, &ctx, id, failed).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn upload_attachment(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> PageResult {
    let result = match read_upload(&mut multipart, Upload::SharedDocument).await {
        Ok((name, bytes)) => {
            app.upload_material_attachment(&ctx.actor, id, &name, &bytes)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(redirect_with(
            &app,
            &format!("/materials/{id}#attachments"),
            "material.attachment_saved",
        )),
        Err(e) if is_form_error(&e) => {
            let failed = Failed::new("attachment", &e, &[]);
            again(&app, &ctx, id, failed).await
        }
        Err(e) => Err(e.into()),
    }
}

/// An attachment: images shown in place (the body links them), other files downloaded.
pub async fn attachment(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let (file, bytes) = app.material_attachment(&ctx.actor, id).await?;
    let mut response = super::download(&file.file_name, &file.content_type, bytes);
    if file.content_type.starts_with("image/") {
        response.headers_mut().insert(
            axum::http::header::CONTENT_DISPOSITION,
            axum::http::HeaderValue::from_static("inline"),
        );
    }
    Ok(response)
}

pub async fn delete_attachment(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> PageResult {
    let material = app.delete_material_attachment(&ctx.actor, id).await?;
    Ok(redirect_with(
        &app,
        &format!("/materials/{material}#attachments"),
        "material.attachment_deleted",
    ))
}
