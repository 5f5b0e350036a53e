//! Priority lists: an organisation's lists with the form to start one, and the working list
//! where analysts set weights, override occupations with a reason, and publish.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use larnav_app::domain::Action;
use larnav_app::domain::score::{Light, SeqfBand, Weights};
use larnav_app::records::{Organisation, PriorityList};
use larnav_app::semaforen::{NewListForm, OverrideForm, PriorityListView, ShortageRow};
use larnav_app::{App, AppError};

use super::semaforen::{LIST_COLUMNS, light_label, list_rows, supply_chart, top_chart};
use super::table_download;
use super::{Base, FormState, PageResult, field, fields, redirect_with, render, submitted};
use crate::ctx::Ctx;

#[derive(Template)]
#[template(path = "lists.html")]
struct ListsPage<'a> {
    base: Base<'a>,
    org: Organisation,
    lists: Vec<PriorityList>,
    can_manage: bool,
    form: FormState,
    choices: Vec<(&'static str, Vec<(String, String)>)>,
}

impl ListsPage<'_> {
    fn group_label(&self, kind: &str) -> &str {
        super::semaforen::area_group_label(self.base.tr, kind)
    }
    fn selected(&self, key: &str) -> bool {
        self.form.value("area") == key
    }
}

async fn lists_page(
    app: &App,
    ctx: &Ctx,
    org_id: i64,
    failed: Option<(&AppError, &NewListForm)>,
) -> PageResult {
    let lists = app.priority_lists(&ctx.actor, org_id).await?;
    let org = app.organisation(&ctx.actor, org_id).await?;
    let this_year = chrono::Datelike::year(&larnav_app::now());
    let form = match failed {
        Some((e, f)) => FormState::failed(
            ctx,
            e,
            &[("area", &f.area), ("year", &f.year), ("title", &f.title)],
        ),
        None => FormState::with_values(&[("year", &this_year.to_string())]),
    };
    render(&ListsPage {
        base: Base::new(ctx, ctx.tr.t("lists.title")),
        can_manage: app.may(&ctx.actor, Action::ManagePriorityLists(org_id)),
        choices: app.area_choices().await?,
        org,
        lists,
        form,
    })
}

pub async fn list(State(app): State<App>, ctx: Ctx, Path(org): Path<i64>) -> PageResult {
    lists_page(&app, &ctx, org, None).await
}

pub async fn create(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
    body: Bytes,
) -> PageResult {
    let f = fields(&body);
    let form = NewListForm {
        area: field(&f, "area").into(),
        year: field(&f, "year").into(),
        title: field(&f, "title").into(),
    };
    submitted(
        app.create_priority_list(&ctx.actor, org, &form).await,
        |list| redirect_with(&app, &format!("/lists/{}", list.id), "lists.created"),
        async |e| lists_page(&app, &ctx, org, Some((e, &form))).await,
    )
    .await
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage<'a> {
    base: Base<'a>,
    view: PriorityListView,
    can_manage: bool,
    weights_form: FormState,
    override_form: FormState,
    explain_base: String,
}

impl ListPage<'_> {
    fn light(&self, l: &Light) -> &str {
        light_label(self.base.tr, *l)
    }
    fn top_chart(&self) -> String {
        top_chart(
            self.base.tr,
            &self.view.computed.area.name,
            &self.view.computed.rows,
        )
    }
    fn supply_chart(&self) -> String {
        supply_chart(
            self.base.tr,
            &self.view.computed.area.name,
            &self.view.computed.rows,
        )
    }
    fn chart_rows(&self) -> Vec<&ShortageRow> {
        self.view
            .computed
            .rows
            .iter()
            .filter(|r| r.light != Light::Green)
            .take(super::semaforen::CHART_ROWS)
            .collect()
    }
    fn weight_fields(&self) -> Vec<(&'static str, String)> {
        let w = &self.view.weights;
        w.named()
            .iter()
            .map(|(n, v)| (*n, v.to_string()))
            .chain([("supply_target", w.supply_target.to_string())])
            .map(|(n, v)| {
                let shown = self.weights_form.value(n);
                (
                    n,
                    if shown.is_empty() {
                        v
                    } else {
                        shown.to_string()
                    },
                )
            })
            .collect()
    }
    fn weight_label(&self, name: &str) -> &str {
        self.base.tr.t(match name {
            "forecast" => "component.forecast",
            "outlook" => "component.outlook",
            "ads" => "component.ads",
            "trend" => "component.trend",
            "needs" => "component.needs",
            "outcome" => "component.outcome",
            "supply" => "component.supply",
            "delivered" => "component.delivered",
            _ => "lists.supply_target",
        })
    }
    fn overrides(&self) -> Vec<&ShortageRow> {
        self.view
            .computed
            .rows
            .iter()
            .filter(|r| r.override_.is_some())
            .collect()
    }
    /// The list's occupations to search among, in Swedish order of their names:
    /// "5321 Undersköterskor, hemtjänst … (Rött)".
    fn override_choices(&self) -> Vec<String> {
        let mut rows: Vec<_> = self.view.computed.rows.iter().collect();
        larnav_app::domain::text::sort_swedish_by(&mut rows, |r| &r.occupation_name);
        rows.iter()
            .map(|r| {
                format!(
                    "{} {} ({})",
                    r.ssyk_code,
                    r.occupation_name,
                    self.light(&r.light)
                )
            })
            .collect()
    }
    fn light_selected(&self, l: &str) -> bool {
        self.override_form.value("light") == l
    }
    fn band_selected(&self, b: &str) -> bool {
        self.override_form.value("band") == b
    }
}

const ALL_LIGHTS: [Light; 3] = Light::ALL;
const ALL_BANDS: [SeqfBand; 3] = SeqfBand::ALL;

async fn list_page(
    app: &App,
    ctx: &Ctx,
    id: i64,
    weights_form: FormState,
    override_form: FormState,
) -> PageResult {
    let view = app.priority_list(&ctx.actor, id).await?;
    let title = view.list.title.clone();
    render(&ListPage {
        base: Base::new(ctx, &title),
        can_manage: app.may(
            &ctx.actor,
            Action::ManagePriorityLists(view.list.organisation_id),
        ),
        explain_base: format!("/lists/{id}"),
        view,
        weights_form,
        override_form,
    })
}

pub async fn show(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    list_page(&app, &ctx, id, FormState::default(), FormState::default()).await
}

/// Reads a weight; text that is not a number becomes NaN, which the checks refuse by name.
fn weight(f: &[(String, String)], name: &str) -> f64 {
    field(f, name)
        .trim()
        .replace(',', ".")
        .parse()
        .unwrap_or(f64::NAN)
}

pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let f = fields(&body);
    let weights = Weights {
        forecast: weight(&f, "forecast"),
        outlook: weight(&f, "outlook"),
        ads: weight(&f, "ads"),
        trend: weight(&f, "trend"),
        needs: weight(&f, "needs"),
        outcome: weight(&f, "outcome"),
        supply: weight(&f, "supply"),
        delivered: weight(&f, "delivered"),
        supply_target: weight(&f, "supply_target"),
    };
    submitted(
        app.update_priority_list(&ctx.actor, id, field(&f, "title"), &weights)
            .await,
        |()| redirect_with(&app, &format!("/lists/{id}"), "lists.saved"),
        async |e| {
            let values: Vec<(&str, &str)> =
                f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let form = FormState::failed(&ctx, e, &values);
            list_page(&app, &ctx, id, form, FormState::default()).await
        },
    )
    .await
}

pub async fn set_override(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let f = fields(&body);
    let form = OverrideForm {
        ssyk_code: field(&f, "ssyk_code").into(),
        light: field(&f, "light").into(),
        band: field(&f, "band").into(),
        reason: field(&f, "reason").into(),
    };
    submitted(
        app.set_priority_override(&ctx.actor, id, &form).await,
        |()| redirect_with(&app, &format!("/lists/{id}"), "lists.override_saved"),
        async |e| {
            let values: Vec<(&str, &str)> =
                f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let form = FormState::failed(&ctx, e, &values);
            list_page(&app, &ctx, id, FormState::default(), form).await
        },
    )
    .await
}

pub async fn publish(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let published = app.publish_priority_list(&ctx.actor, id).await?;
    Ok(redirect_with(
        &app,
        &format!("/published/{published}"),
        "lists.published",
    ))
}

pub async fn export(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, format)): Path<(i64, String)>,
) -> PageResult {
    let view = app.priority_list(&ctx.actor, id).await?;
    table_download(
        &format!("lista-{id}"),
        &format,
        &LIST_COLUMNS,
        &list_rows(&view.computed, ctx.tr),
    )
}
