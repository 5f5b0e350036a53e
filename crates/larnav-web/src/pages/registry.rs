//! The network's shared knowledge: learning-centre profiles (the list by län with filters, a
//! profile, its form) and the working-model registry (search with filters, a model's page with
//! its adoption history and documents, the model form). Network documents are downloaded here
//! too, a pair's as well as a model's.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use larnav_app::domain::Action;
use larnav_app::domain::network::CentreService;
use larnav_app::records::{DocumentOwner, LanRecord, NetworkTheme};
use larnav_app::registry::{
    ADOPTION_STATUSES, AdoptionForm, CentreFilter, CentreProfile, DAYS, KeyFigure, LanCentres,
    Link, MAX_KEY_FIGURES, MAX_LINKS, ModelForm, ModelQuery, ModelSearch, ModelView, ProfileForm,
};
use larnav_app::uploads::Upload;
use larnav_app::{App, AppError};

use super::{
    Base, Failed, FormState, PageResult, all, field, fields, read_upload, redirect_with, render,
    state, submitted,
};
use crate::ctx::Ctx;

/// Labels shared by the registry's templates.
pub trait RegistryLabels {
    fn base(&self) -> &Base<'_>;
    fn service_label(&self, key: &str) -> String {
        self.base()
            .tr
            .t(&format!("registry.service.{key}"))
            .to_string()
    }
    fn day_label(&self, day: &u8) -> String {
        let key = DAYS.get(usize::from(*day).saturating_sub(1)).unwrap_or(&"");
        self.base().tr.t(&format!("registry.{key}")).to_string()
    }
    fn status_label(&self, status: &str) -> String {
        self.base()
            .tr
            .t(&format!("registry.adoption.{status}"))
            .to_string()
    }
    fn services(&self) -> Vec<&'static str> {
        CentreService::ALL.iter().map(|s| s.as_str()).collect()
    }
}

macro_rules! labels {
    ($($page:ident),+) => {$(
        impl RegistryLabels for $page<'_> {
            fn base(&self) -> &Base<'_> {
                &self.base
            }
        }
    )+};
}

#[derive(Template)]
#[template(path = "centres.html")]
struct CentresPage<'a> {
    base: Base<'a>,
    groups: Vec<LanCentres>,
    filter: CentreFilter,
    lan: Vec<LanRecord>,
    themes: Vec<NetworkTheme>,
    /// Organisations whose profile the viewer may edit.
    mine: Vec<(i64, String)>,
}

#[derive(Template)]
#[template(path = "centre.html")]
struct CentrePage<'a> {
    base: Base<'a>,
    profile: CentreProfile,
    can_edit: bool,
}

#[derive(Template)]
#[template(path = "centre_form.html")]
struct CentreFormPage<'a> {
    base: Base<'a>,
    organisation_id: i64,
    form: ProfileForm,
    state: FormState,
    themes: Vec<NetworkTheme>,
}

#[derive(Template)]
#[template(path = "models.html")]
struct ModelsPage<'a> {
    base: Base<'a>,
    query: ModelQuery,
    found: ModelSearch,
    lan: Vec<LanRecord>,
    themes: Vec<NetworkTheme>,
    can_register: bool,
}

#[derive(Template)]
#[template(path = "model_form.html")]
struct ModelFormPage<'a> {
    base: Base<'a>,
    /// `None` when registering.
    model_id: Option<i64>,
    organisations: Vec<(i64, String)>,
    form: ModelForm,
    state: FormState,
    themes: Vec<NetworkTheme>,
}

#[derive(Template)]
#[template(path = "model.html")]
struct ModelPage<'a> {
    base: Base<'a>,
    view: ModelView,
    adoption: FormState,
    document: FormState,
}

labels!(CentresPage, CentrePage, CentreFormPage, ModelPage);

impl CentresPage<'_> {
    fn edit_label(&self, name: &str) -> String {
        self.base
            .tr
            .fmt("registry.edit_profile_of", &[("name", name)])
    }
}

impl CentreFormPage<'_> {
    fn offers(&self, service: &str) -> bool {
        self.form.services.iter().any(|s| s == service)
    }
    fn works_on(&self, theme: &i64) -> bool {
        self.form.themes.iter().any(|t| *t == theme.to_string())
    }
    /// (index, field name, opens, closes) for each day.
    fn days(&self) -> Vec<(usize, &'static str, String, String)> {
        DAYS.iter()
            .enumerate()
            .map(|(i, name)| {
                let at = |v: &[String]| v.get(i).cloned().unwrap_or_default();
                (i, *name, at(&self.form.opens), at(&self.form.closes))
            })
            .collect()
    }
    fn day_name(&self, i: &usize) -> String {
        self.day_label(&(*i as u8 + 1))
    }
    /// The key figures typed plus empty rows up to the maximum.
    fn figures(&self) -> Vec<(usize, KeyFigure)> {
        let mut f = self.form.key_figures.clone();
        f.resize(MAX_KEY_FIGURES.max(f.len()), KeyFigure::default());
        f.into_iter().enumerate().collect()
    }
}

impl ModelFormPage<'_> {
    fn about(&self, theme: &i64) -> bool {
        self.form.themes.iter().any(|t| *t == theme.to_string())
    }
    fn links(&self) -> Vec<(usize, Link)> {
        let mut l = self.form.links.clone();
        l.resize(MAX_LINKS.min(l.len() + 2).max(3), Link::default());
        l.into_iter().enumerate().collect()
    }
}

impl ModelsPage<'_> {
    fn count_text(&self) -> String {
        self.base
            .tr
            .count("registry.models_found", self.found.total as i64, &[])
    }
    fn adoptions_text(&self, n: &i64) -> String {
        self.base.tr.fmt(
            "registry.adoptions_count",
            &[("n", &self.base.tr.number(*n))],
        )
    }
    fn since(&self, year: &i64) -> String {
        self.base
            .tr
            .fmt("registry.since", &[("year", &year.to_string())])
    }
}

impl ModelPage<'_> {
    fn since(&self, year: &i64) -> String {
        self.base
            .tr
            .fmt("registry.since", &[("year", &year.to_string())])
    }
    fn month(&self, d: &chrono::NaiveDate) -> String {
        self.base.tr.month(d)
    }
    fn statuses(&self) -> Vec<&'static str> {
        ADOPTION_STATUSES.to_vec()
    }
    fn size(&self, bytes: &i64) -> String {
        let kb = (*bytes + 1023) / 1024;
        format!("{} kB", self.base.tr.number(kb))
    }
    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        self.base.tr.date(at)
    }
}

pub async fn centres(
    State(app): State<App>,
    ctx: Ctx,
    Query(filter): Query<CentreFilter>,
) -> PageResult {
    render(&CentresPage {
        base: Base::new(&ctx, ctx.tr.t("registry.centres_title")),
        groups: app.centre_profiles(&filter).await?,
        lan: app.lan(&ctx.actor).await?,
        themes: app.network_themes().await?,
        mine: app
            .organisations_where(&ctx.actor, Action::ManageNetwork)
            .await?,
        filter,
    })
}

pub async fn centre(State(app): State<App>, ctx: Ctx, Path(org): Path<i64>) -> PageResult {
    let profile = app.centre_profile(org).await?;
    render(&CentrePage {
        base: Base::new(&ctx, &profile.organisation_name),
        can_edit: app.may(&ctx.actor, Action::ManageNetwork(org)),
        profile,
    })
}

fn profile_form(values: &[(String, String)]) -> ProfileForm {
    ProfileForm {
        description: field(values, "description").into(),
        services: all(values, "service"),
        opens: all(values, "opens"),
        closes: all(values, "closes"),
        hours_note: field(values, "hours_note").into(),
        address: field(values, "address").into(),
        email: field(values, "email").into(),
        phone: field(values, "phone").into(),
        website: field(values, "website").into(),
        themes: all(values, "theme"),
        key_figures: all(values, "figure_label")
            .into_iter()
            .zip(all(values, "figure_value"))
            .map(|(label, value)| KeyFigure { label, value })
            .collect(),
    }
}

async fn centre_form_page(
    app: &App,
    ctx: &Ctx,
    org: i64,
    typed: Option<(ProfileForm, &AppError)>,
) -> PageResult {
    // The form is only for those who may save it.
    app.authorize(&ctx.actor, Action::ManageNetwork(org))
        .await?;
    let organisation = app.organisation(&ctx.actor, org).await?;
    let (form, state) = match typed {
        Some((form, e)) => (form, FormState::failed(ctx, e, &[])),
        None => {
            let form = match app.centre_profile(org).await {
                Ok(p) => ProfileForm {
                    description: p.description,
                    services: p.services,
                    opens: (1..=7)
                        .map(|d| hours_of(&p.opening_hours, d, |h| &h.opens))
                        .collect(),
                    closes: (1..=7)
                        .map(|d| hours_of(&p.opening_hours, d, |h| &h.closes))
                        .collect(),
                    hours_note: p.hours_note,
                    address: p.address,
                    email: p.email,
                    phone: p.phone,
                    website: p.website,
                    themes: p.themes.iter().map(|t| t.id.to_string()).collect(),
                    key_figures: p.key_figures,
                },
                Err(AppError::NotFound) => ProfileForm::default(),
                Err(e) => return Err(e.into()),
            };
            (form, FormState::default())
        }
    };
    render(&CentreFormPage {
        base: Base::new(
            ctx,
            &ctx.tr
                .fmt("registry.edit_profile_of", &[("name", &organisation.name)]),
        ),
        organisation_id: org,
        form,
        state,
        themes: app.network_themes().await?,
    })
}

fn hours_of(
    hours: &[larnav_app::registry::OpeningHours],
    day: u8,
    part: impl Fn(&larnav_app::registry::OpeningHours) -> &String,
) -> String {
    hours
        .iter()
        .find(|h| h.day == day)
        .map(part)
        .cloned()
        .unwrap_or_default()
}

pub async fn edit_centre(State(app): State<App>, ctx: Ctx, Path(org): Path<i64>) -> PageResult {
    centre_form_page(&app, &ctx, org, None).await
}

pub async fn save_centre(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
    body: Bytes,
) -> PageResult {
    let form = profile_form(&fields(&body));
    submitted(
        app.save_centre_profile(&ctx.actor, org, &form).await,
        |()| redirect_with(&app, &format!("/centres/{org}"), "registry.profile_saved"),
        async |e| centre_form_page(&app, &ctx, org, Some((form, e))).await,
    )
    .await
}

pub async fn models(
    State(app): State<App>,
    ctx: Ctx,
    Query(query): Query<ModelQuery>,
) -> PageResult {
    render(&ModelsPage {
        base: Base::new(&ctx, ctx.tr.t("registry.models_title")),
        found: app.search_working_models(&query).await?,
        lan: app.lan(&ctx.actor).await?,
        themes: app.network_themes().await?,
        can_register: !app
            .organisations_where(&ctx.actor, Action::ManageNetwork)
            .await?
            .is_empty(),
        query,
    })
}

fn model_form(values: &[(String, String)]) -> ModelForm {
    ModelForm {
        organisation_id: field(values, "organisation_id").into(),
        title: field(values, "title").into(),
        summary: field(values, "summary").into(),
        description: field(values, "description").into(),
        results: field(values, "results").into(),
        start_year: field(values, "start_year").into(),
        themes: all(values, "theme"),
        links: all(values, "link_title")
            .into_iter()
            .zip(all(values, "link_url"))
            .map(|(title, url)| Link { title, url })
            .collect(),
    }
}

async fn model_form_page(
    app: &App,
    ctx: &Ctx,
    model_id: Option<i64>,
    typed: Option<(ModelForm, &AppError)>,
) -> PageResult {
    let organisations = app
        .organisations_where(&ctx.actor, Action::ManageNetwork)
        .await?;
    let (form, state) = match (typed, model_id) {
        (Some((form, e)), _) => (form, FormState::failed(ctx, e, &[])),
        (None, Some(id)) => {
            let m = app.working_model_view(&ctx.actor, id).await?.model;
            // The form is only for those who may save it (401 or 403 for the others).
            app.authorize(&ctx.actor, Action::ManageNetwork(m.organisation_id))
                .await?;
            let form = ModelForm {
                organisation_id: m.organisation_id.to_string(),
                title: m.title,
                summary: m.summary,
                description: m.description,
                results: m.results,
                start_year: m.start_year.to_string(),
                themes: m.themes.iter().map(|t| t.id.to_string()).collect(),
                links: m.links,
            };
            (form, FormState::default())
        }
        (None, None) => {
            if organisations.is_empty() {
                app.authorize(&ctx.actor, Action::TakePart).await?;
                return Err(AppError::Forbidden.into());
            }
            (ModelForm::default(), FormState::default())
        }
    };
    let title = match model_id {
        Some(_) => ctx.tr.t("registry.edit_model"),
        None => ctx.tr.t("registry.new_model"),
    };
    render(&ModelFormPage {
        base: Base::new(ctx, title),
        model_id,
        organisations,
        form,
        state,
        themes: app.network_themes().await?,
    })
}

pub async fn new_model(State(app): State<App>, ctx: Ctx) -> PageResult {
    model_form_page(&app, &ctx, None, None).await
}

pub async fn create_model(State(app): State<App>, ctx: Ctx, body: Bytes) -> PageResult {
    let form = model_form(&fields(&body));
    submitted(
        app.register_working_model(&ctx.actor, &form).await,
        |id| redirect_with(&app, &format!("/models/{id}"), "registry.model_saved"),
        async |e| model_form_page(&app, &ctx, None, Some((form, e))).await,
    )
    .await
}

pub async fn edit_model(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    model_form_page(&app, &ctx, Some(id), None).await
}

pub async fn update_model(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let form = model_form(&fields(&body));
    submitted(
        app.update_working_model(&ctx.actor, id, &form).await,
        |()| redirect_with(&app, &format!("/models/{id}"), "registry.model_saved"),
        async |e| model_form_page(&app, &ctx, Some(id), Some((form, e))).await,
    )
    .await
}

/// A model's page; `failed` is the form (`adoption` or `document`) shown again with its error
/// and what was typed.
async fn model_page(app: &App, ctx: &Ctx, id: i64, failed: Option<&Failed<'_>>) -> PageResult {
    let view = app.working_model_view(&ctx.actor, id).await?;
    render(&ModelPage {
        base: Base::new(ctx, &view.model.title),
        adoption: state(ctx, failed, "adoption"),
        document: state(ctx, failed, "document"),
        view,
    })
}

pub async fn model(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    model_page(&app, &ctx, id, None).await
}

pub async fn adopt(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    let result = if field(&values, "remove") == "1" {
        app.remove_adoption(&ctx.actor, id, field(&values, "organisation_id"))
            .await
            .map(|()| "registry.adoption_removed")
    } else {
        let form = AdoptionForm {
            organisation_id: field(&values, "organisation_id").into(),
            adopted_on: field(&values, "adopted_on").into(),
            status: field(&values, "status").into(),
            experience: field(&values, "experience").into(),
        };
        app.record_adoption(&ctx.actor, id, &form)
            .await
            .map(|()| "registry.adoption_saved")
    };
    submitted(
        result,
        |message| redirect_with(&app, &format!("/models/{id}#adoptions"), message),
        async |e| {
            let failed = Failed::new("adoption", e, &values);
            model_page(&app, &ctx, id, Some(&failed)).await
        },
    )
    .await
}

pub async fn upload_model_document(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> PageResult {
    let result = match read_upload(&mut multipart, Upload::SharedDocument).await {
        Ok((name, bytes)) => {
            app.upload_network_document(&ctx.actor, DocumentOwner::Model(id), &name, &bytes)
                .await
        }
        Err(e) => Err(e),
    };
    submitted(
        result,
        |_| {
            redirect_with(
                &app,
                &format!("/models/{id}#documents"),
                "registry.document_saved",
            )
        },
        async |e| {
            let failed = Failed::new("document", e, &[]);
            model_page(&app, &ctx, id, Some(&failed)).await
        },
    )
    .await
}

pub async fn document(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let (doc, bytes) = app.network_document(&ctx.actor, id).await?;
    Ok(super::download(&doc.file_name, &doc.content_type, bytes))
}

/// Removes a document and goes back to its model's page or pair space.
pub async fn delete_document(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    app.delete_network_document(&ctx.actor, id).await?;
    let back = super::safe_next(Some(field(&values, "back")));
    Ok(redirect_with(&app, &back, "registry.document_deleted"))
}
