//! Semaforen pages: the computed list of any area with its charts, the explanation of one
//! occupation's score, the gap view, the published lists, and CSV/XLSX exports of each.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use larnav_app::answers::EntryAnswer;
use larnav_app::domain::ad_years::PartialYear;
use larnav_app::domain::enrolment::protect_chain;
use larnav_app::domain::score::{Component, ComponentKind, Light, SeqfBand};
use larnav_app::i18n::Tr;
use larnav_app::records::{PublishedEntry, PublishedList};
use larnav_app::semaforen::{Explanation, OUTCOME_MONTHS, ShortageList, ShortageRow};
use larnav_app::{App, AppError};
use serde::Deserialize;

use super::{Base, FragmentBase, PageResult, render, table_download};
use crate::charts::{self, Bar};
use crate::ctx::Ctx;
use crate::shared_lists::SharedLists;

/// How many occupations the charts show.
pub const CHART_ROWS: usize = 10;

/// The translated light name.
pub fn light_label(tr: Tr, light: Light) -> &'static str {
    tr.t(match light {
        Light::Red => "light.red",
        Light::Yellow => "light.yellow",
        Light::Green => "light.green",
    })
}

pub fn component_label(tr: Tr, kind: ComponentKind) -> &'static str {
    tr.t(match kind {
        ComponentKind::Forecast => "component.forecast",
        ComponentKind::Outlook => "component.outlook",
        ComponentKind::Ads => "component.ads",
        ComponentKind::Trend => "component.trend",
        ComponentKind::Needs => "component.needs",
        ComponentKind::Outcome => "component.outcome",
        ComponentKind::Supply => "component.supply",
        ComponentKind::Delivered => "component.delivered",
    })
}

/// A 0–1 value as a percentage with one decimal ("87,5 %"), or "–" when missing.
pub fn percent(tr: Tr, v: Option<f64>) -> String {
    match v {
        Some(v) => format!("{}\u{a0}%", tr.decimal(v * 100.0, 1)),
        None => "–".into(),
    }
}

/// The "top shortages" chart: the highest scores among red and yellow occupations.
pub fn top_chart(tr: Tr, area: &str, rows: &[ShortageRow]) -> String {
    let bars: Vec<Bar> = rows
        .iter()
        .filter(|r| r.light != Light::Green)
        .take(CHART_ROWS)
        .map(|r| Bar {
            label: r.occupation_name.clone(),
            values: vec![r.score.score],
            value_text: tr.decimal(r.score.score, 1),
        })
        .collect();
    charts::bars(
        &tr.fmt("chart.top_title", &[("area", area)]),
        tr.t("chart.top_desc"),
        &bars,
        &[],
    )
}

/// The "supply against demand" chart: yearly demand (ads and people needed) against places.
pub fn supply_chart(tr: Tr, area: &str, rows: &[ShortageRow]) -> String {
    let bars: Vec<Bar> = rows
        .iter()
        .filter(|r| r.light != Light::Green)
        .take(CHART_ROWS)
        .map(|r| {
            let demand = r.inputs.ads + r.inputs.needs_people;
            Bar {
                label: r.occupation_name.clone(),
                values: vec![demand as f64, r.inputs.places as f64],
                value_text: format!("{} / {}", tr.number(demand), tr.number(r.inputs.places)),
            }
        })
        .collect();
    charts::bars(
        &tr.fmt("chart.supply_title", &[("area", area)]),
        tr.t("chart.supply_desc"),
        &bars,
        &[tr.t("chart.demand"), tr.t("chart.places")],
    )
}

#[derive(Deserialize)]
pub struct AreaQuery {
    #[serde(default)]
    area: String,
}

#[derive(Template)]
#[template(path = "semaforen_index.html")]
struct IndexPage<'a> {
    base: Base<'a>,
    choices: Vec<(&'static str, Vec<(String, String)>)>,
    published: Vec<PublishedList>,
    /// Analysts also follow up what courses led to (`/outcomes`).
    follows_up: bool,
}

/// The heading of a group of areas in an area choice.
pub fn area_group_label(tr: Tr, kind: &str) -> &'static str {
    tr.t(match kind {
        "riket" => "semaforen.area_riket",
        "lan" => "semaforen.area_lan",
        "area" => "semaforen.area_areas",
        _ => "semaforen.area_kommun",
    })
}

impl IndexPage<'_> {
    fn group_label(&self, kind: &str) -> &str {
        area_group_label(self.base.tr, kind)
    }
}

/// The area chooser; with `?area=` it goes straight to that area's list.
pub async fn index(State(app): State<App>, ctx: Ctx, Query(q): Query<AreaQuery>) -> PageResult {
    if !q.area.is_empty() {
        let area = app.resolve_area(q.area.trim()).await?;
        return Ok(Redirect::to(&format!("/semaforen/{}", area.key)).into_response());
    }
    render(&IndexPage {
        base: Base::new(&ctx, ctx.tr.t("semaforen.title")),
        choices: app.area_choices().await?,
        published: app.published_lists(&ctx.actor).await?,
        follows_up: app.may(&ctx.actor, larnav_app::domain::Action::AnalyseSignals),
    })
}

#[derive(Template)]
#[template(path = "semaforen_list.html")]
struct ListPage<'a> {
    base: Base<'a>,
    /// The rendered [`ListBody`], shared by every request for this list and language.
    body: Arc<str>,
}

/// The body of the list page. It is kept and served to everyone (see `shared_lists.rs`), so it
/// is given only what is the same for every visitor: the language and the title.
#[derive(Template)]
#[template(path = "semaforen_list_body.html")]
struct ListBody<'a> {
    base: FragmentBase,
    list: &'a ShortageList,
    /// Where each occupation's explanation lives (`/semaforen/21`).
    explain_base: String,
}

impl ListBody<'_> {
    fn light(&self, l: &Light) -> &str {
        light_label(self.base.tr, *l)
    }
    fn count(&self, l: &Light) -> String {
        self.base.tr.number(self.list.count(*l) as i64)
    }
    fn top_chart(&self) -> String {
        top_chart(self.base.tr, &self.list.area.name, &self.list.rows)
    }
    fn supply_chart(&self) -> String {
        supply_chart(self.base.tr, &self.list.area.name, &self.list.rows)
    }
    fn chart_rows(&self) -> Vec<&ShortageRow> {
        self.list
            .rows
            .iter()
            .filter(|r| r.light != Light::Green)
            .take(CHART_ROWS)
            .collect()
    }
}

pub async fn list(
    State(app): State<App>,
    Extension(shared): Extension<Arc<SharedLists>>,
    ctx: Ctx,
    Path(area): Path<String>,
) -> PageResult {
    let list = app.shortage_list(&ctx.actor, &area).await?;
    let title = ctx
        .tr
        .fmt("semaforen.list_title", &[("area", &list.area.name)]);
    let key = format!("{}|{}", ctx.tr.lang.code(), list.area.key);
    let body = shared
        .html
        .get_or_make(key, &list, |list| {
            ListBody {
                base: FragmentBase {
                    tr: ctx.tr,
                    title: title.clone(),
                },
                list,
                explain_base: format!("/semaforen/{}", list.area.key),
            }
            .render()
            .map(Arc::from)
        })
        .map_err(|e| AppError::internal("template", e))?;
    render(&ListPage {
        base: Base::new(&ctx, &title),
        body,
    })
}

#[derive(Template)]
#[template(path = "semaforen_gaps.html")]
struct GapsPage<'a> {
    base: Base<'a>,
    list: Arc<ShortageList>,
}

impl GapsPage<'_> {
    fn light(&self, l: &Light) -> &str {
        light_label(self.base.tr, *l)
    }
}

pub async fn gaps(State(app): State<App>, ctx: Ctx, Path(area): Path<String>) -> PageResult {
    let list = app.shortage_list(&ctx.actor, &area).await?;
    let title = ctx
        .tr
        .fmt("semaforen.gaps_title", &[("area", &list.area.name)]);
    render(&GapsPage {
        base: Base::new(&ctx, &title),
        list,
    })
}

#[derive(Template)]
#[template(path = "semaforen_explain.html")]
struct ExplainPage<'a> {
    base: Base<'a>,
    e: Explanation,
    back: String,
    /// Whether the visitor may create offerings somewhere ("answer the need").
    can_offer: bool,
}

impl ExplainPage<'_> {
    fn find_courses(&self) -> String {
        self.base
            .tr
            .fmt("explain.find_courses", &[("area", &self.e.area.name)])
    }
    fn light(&self, l: &Light) -> &str {
        light_label(self.base.tr, *l)
    }
    fn component(&self, c: &Component) -> &str {
        component_label(self.base.tr, c.kind)
    }
    fn pct(&self, v: &Option<f64>) -> String {
        percent(self.base.tr, *v)
    }
    fn demand(&self) -> String {
        percent(self.base.tr, Some(self.e.row.score.demand))
    }
    fn gap(&self) -> String {
        percent(self.base.tr, self.e.row.score.supply_gap)
    }
    fn points(&self, c: &Component) -> String {
        self.base.tr.decimal(c.contribution * 100.0, 1)
    }
    fn weight(&self, w: &f64) -> String {
        self.base.tr.decimal(*w, 1)
    }
    /// What went into the component, in words.
    fn input(&self, c: &Component) -> String {
        let tr = self.base.tr;
        let i = &self.e.row.inputs;
        let n = |v: i64| tr.number(v);
        match c.kind {
            ComponentKind::Forecast | ComponentKind::Outlook => match &self.e.row.forecast_area {
                Some(a) => tr.count(
                    "explain.input_forecast",
                    i.forecasts.len() as i64,
                    &[("area", a)],
                ),
                None => tr.t("explain.input_none").to_string(),
            },
            ComponentKind::Ads => tr.fmt(
                "explain.input_ads",
                &[
                    ("ads", &n(i.ads)),
                    ("year", self.e.ads_year.as_deref().unwrap_or("–")),
                ],
            ),
            ComponentKind::Trend => match i.ads_previous {
                Some(p) => tr.fmt(
                    "explain.input_trend",
                    &[("ads", &n(i.ads)), ("previous", &n(p))],
                ),
                None => tr.t("explain.input_no_trend").to_string(),
            },
            ComponentKind::Needs => tr.fmt(
                "explain.input_needs",
                &[
                    ("reports", &tr.count("explain.reports", i.need_reports, &[])),
                    ("people", &tr.count("explain.people", i.needs_people, &[])),
                    ("weighted", &tr.decimal(i.needs_weighted, 1)),
                ],
            ),
            ComponentKind::Outcome if c.value.is_some() => tr.fmt(
                "explain.input_outcome",
                &[("months", &OUTCOME_MONTHS.to_string())],
            ),
            ComponentKind::Outcome => tr.t("explain.input_no_outcome").to_string(),
            ComponentKind::Delivered if c.value.is_some() => {
                let demand = n(i.ads + i.needs_people);
                let target = tr.decimal(self.e.weights.supply_target, 2);
                match protect_chain(&[i.ended, i.completed])[..] {
                    [Some(ended), Some(completed)] => tr.fmt(
                        "explain.input_delivered",
                        &[
                            ("completed", &n(completed)),
                            ("ended", &n(ended)),
                            ("demand", &demand),
                            ("target", &target),
                        ],
                    ),
                    _ => tr.fmt(
                        "explain.input_delivered_protected",
                        &[("demand", &demand), ("target", &target)],
                    ),
                }
            }
            ComponentKind::Delivered => tr.t("explain.input_no_delivered").to_string(),
            ComponentKind::Supply => {
                let confirmed = tr.fmt(
                    "explain.input_supply",
                    &[
                        ("places", &n(i.places)),
                        ("demand", &n(i.ads + i.needs_people)),
                        ("target", &tr.decimal(self.e.weights.supply_target, 2)),
                    ],
                );
                if i.places_unconfirmed > 0 {
                    let waiting = tr.fmt(
                        "explain.input_supply_unconfirmed",
                        &[("places", &n(i.places_unconfirmed))],
                    );
                    format!("{confirmed}. {waiting}")
                } else {
                    confirmed
                }
            }
        }
    }
    fn trend_chart(&self) -> String {
        let tr = self.base.tr;
        let bars: Vec<Bar> = self
            .e
            .ads_by_period
            .iter()
            .map(|(p, ads)| Bar {
                label: p.clone(),
                values: vec![*ads as f64],
                value_text: tr.number(*ads),
            })
            .collect();
        charts::bars(
            &tr.fmt(
                "chart.trend_title",
                &[
                    ("occupation", &self.e.row.occupation_name),
                    ("area", &self.e.area.name),
                ],
            ),
            tr.t("chart.trend_desc"),
            &bars,
            &[],
        )
    }
}

async fn explain_page(
    app: &App,
    ctx: &Ctx,
    area: &str,
    ssyk: &str,
    list_id: Option<i64>,
) -> PageResult {
    let e = app.explain(&ctx.actor, area, ssyk, list_id).await?;
    let back = match list_id {
        Some(id) => format!("/lists/{id}"),
        None => format!("/semaforen/{}", e.area.key),
    };
    let title = format!("{} – {}", e.row.occupation_name, e.area.name);
    let can_offer = app.may_in_any(&ctx.actor, larnav_app::domain::Action::ManageOfferings);
    render(&ExplainPage {
        base: Base::new(ctx, &title),
        e,
        back,
        can_offer,
    })
}

pub async fn explain(
    State(app): State<App>,
    ctx: Ctx,
    Path((area, ssyk)): Path<(String, String)>,
) -> PageResult {
    explain_page(&app, &ctx, &area, &ssyk, None).await
}

pub async fn explain_in_list(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, ssyk)): Path<(i64, String)>,
) -> PageResult {
    explain_page(&app, &ctx, "", &ssyk, Some(id)).await
}

/// The columns of a computed list's export.
pub const LIST_COLUMNS: [&str; 13] = [
    "ssyk",
    "yrke",
    "yrkesomrade",
    "seqf",
    "ljus",
    "berakat_ljus",
    "poang",
    "efterfragan",
    "annonser",
    "annonser_foregaende_ar",
    "behov_personer",
    "utbildningsplatser",
    "motivering",
];

/// A computed list as export rows in the reader's language: lights as words ("Rött"),
/// decimals with a decimal comma in Swedish (the CSV separator is `;`, and XLSX gets numbers).
pub fn list_rows(list: &ShortageList, tr: Tr) -> Vec<Vec<String>> {
    list.rows
        .iter()
        .map(|r| {
            vec![
                r.ssyk_code.clone(),
                r.occupation_name.clone(),
                r.field_name.clone(),
                r.band.as_str().to_string(),
                light_word(tr, r.light.as_str()),
                light_word(tr, r.score.light.as_str()),
                tr.decimal(r.score.score, 1),
                tr.decimal(r.score.demand, 3),
                r.inputs.ads.to_string(),
                r.inputs
                    .ads_previous
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
                r.inputs.needs_people.to_string(),
                r.inputs.places.to_string(),
                r.override_
                    .as_ref()
                    .map(|o| o.reason.clone())
                    .unwrap_or_default(),
            ]
        })
        .collect()
}

/// The columns of a published list's export.
pub const PUBLISHED_COLUMNS: [&str; 8] = [
    "plats",
    "ssyk",
    "yrke",
    "yrkesomrade",
    "seqf",
    "ljus",
    "poang",
    "motivering",
];

/// A light as a word of the reader's language ("Rött"); the code for one Lärnav does not know.
fn light_word(tr: Tr, light: &str) -> String {
    tr.get(&format!("light.{light}"))
        .unwrap_or(light)
        .to_string()
}

pub fn published_rows(entries: &[PublishedEntry], tr: Tr) -> Vec<Vec<String>> {
    entries
        .iter()
        .map(|e| {
            vec![
                e.position.to_string(),
                e.ssyk_code.clone(),
                e.occupation_name.clone(),
                e.field_name.clone(),
                e.band.clone(),
                light_word(tr, &e.light),
                tr.decimal(e.score, 1),
                e.reason.clone().unwrap_or_default(),
            ]
        })
        .collect()
}

pub async fn export(
    State(app): State<App>,
    ctx: Ctx,
    Path((area, format)): Path<(String, String)>,
) -> PageResult {
    let list = app.shortage_list(&ctx.actor, &area).await?;
    table_download(
        &format!("semaforen-{}", list.area.key),
        &format,
        &LIST_COLUMNS,
        &list_rows(&list, ctx.tr),
    )
}

/// The gap view's occupations, in the list's columns.
pub async fn export_gaps(
    State(app): State<App>,
    ctx: Ctx,
    Path((area, format)): Path<(String, String)>,
) -> PageResult {
    let mut list = Arc::unwrap_or_clone(app.shortage_list(&ctx.actor, &area).await?);
    let gaps: std::collections::HashSet<String> =
        list.gaps().map(|r| r.ssyk_code.clone()).collect();
    list.rows.retain(|r| gaps.contains(&r.ssyk_code));
    table_download(
        &format!("semaforen-luckor-{}", list.area.key),
        &format,
        &LIST_COLUMNS,
        &list_rows(&list, ctx.tr),
    )
}

#[derive(Template)]
#[template(path = "published_index.html")]
struct PublishedIndexPage<'a> {
    base: Base<'a>,
    published: Vec<PublishedList>,
}

pub async fn published_index(State(app): State<App>, ctx: Ctx) -> PageResult {
    render(&PublishedIndexPage {
        base: Base::new(&ctx, ctx.tr.t("published.title")),
        published: app.published_lists(&ctx.actor).await?,
    })
}

/// Entries of a published list grouped by SeQF band, then occupation field.
type Groups<'e> = Vec<(String, Vec<(String, Vec<&'e PublishedEntry>)>)>;

#[derive(Template)]
#[template(path = "published.html")]
struct PublishedPage<'a> {
    base: Base<'a>,
    list: PublishedList,
    entries: Vec<PublishedEntry>,
    versions: Vec<PublishedList>,
    /// What answered each entry, in entry order.
    answers: Vec<EntryAnswer>,
}

impl PublishedPage<'_> {
    fn groups(&self) -> Groups<'_> {
        let mut out: Groups<'_> = Vec::new();
        for e in &self.entries {
            if out.last().is_none_or(|(b, _)| *b != e.band) {
                out.push((e.band.clone(), Vec::new()));
            }
            let fields = &mut out.last_mut().expect("pushed above").1;
            if fields.last().is_none_or(|(f, _)| *f != e.field_name) {
                fields.push((e.field_name.clone(), Vec::new()));
            }
            fields.last_mut().expect("pushed above").1.push(e);
        }
        out
    }
    fn band_title(&self, band: &str) -> String {
        let label = SeqfBand::parse(band).map_or(band.to_string(), |b| b.label().to_string());
        self.base.tr.fmt("published.band", &[("band", &label)])
    }
    fn light<'s>(&self, l: &'s str) -> &'s str {
        Light::parse(l).map_or(l, |l| light_label(self.base.tr, l))
    }
    fn answer(&self, e: &PublishedEntry) -> Option<&EntryAnswer> {
        self.answers
            .iter()
            .find(|a| a.ssyk_code == e.ssyk_code && a.answered())
    }
    fn answered(&self) -> Vec<(&PublishedEntry, &EntryAnswer)> {
        self.entries
            .iter()
            .filter_map(|e| self.answer(e).map(|a| (e, a)))
            .collect()
    }
    /// "Prioriterad 2026 → 1 utbildning → 40 platser → 20 började → 12 i arbete inom yrket":
    /// the steps with a count that may be shown and is not zero (a course without an
    /// admission round has no applicants; nobody is in work before anyone answered).
    fn chain(&self, a: &EntryAnswer) -> String {
        let tr = self.base.tr;
        let year = self.list.year.to_string();
        let steps = [
            ("courses", Some(a.courses)),
            ("seats", Some(a.seats)),
            ("applicants", a.applicants),
            ("admitted", a.admitted),
            ("started", a.started),
            ("completed", a.completed),
            ("in_occupation", a.in_occupation),
        ];
        let shown = steps.into_iter().filter_map(|(step, n)| {
            n.filter(|n| *n > 0)
                .map(|n| tr.count(&format!("published.chain.{step}"), n, &[]))
        });
        [tr.fmt("published.chain.listed", &[("year", &year)])]
            .into_iter()
            .chain(shown)
            .collect::<Vec<_>>()
            .join(" → ")
    }
    fn count(&self, n: &Option<i64>) -> String {
        n.map_or("–".into(), |n| self.base.tr.number(n))
    }
    fn period(&self) -> String {
        format!("{}–{}", self.list.year, self.list.year + 1)
    }
}

pub async fn published(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let (list, entries) = app.published_list(&ctx.actor, id).await?;
    let versions = app.published_versions(&ctx.actor, list.list_id).await?;
    let answers = app.published_answers(&ctx.actor, id).await?;
    render(&PublishedPage {
        base: Base::new(&ctx, &list.title.clone()),
        list,
        entries,
        versions,
        answers,
    })
}

pub async fn published_export(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, format)): Path<(i64, String)>,
) -> PageResult {
    let (list, entries) = app.published_list(&ctx.actor, id).await?;
    table_download(
        &format!(
            "prioriterade-bristyrken-{}-{}-v{}",
            list.area_key, list.year, list.version
        ),
        &format,
        &PUBLISHED_COLUMNS,
        &published_rows(&entries, ctx.tr),
    )
}

#[derive(Template)]
#[template(path = "semaforen_method.html")]
struct MethodPage<'a> {
    base: Base<'a>,
    weights: larnav_app::domain::score::Weights,
}

/// How the score and the lights are computed, in words, with the default weights.
pub async fn method(ctx: Ctx) -> PageResult {
    render(&MethodPage {
        base: Base::new(&ctx, ctx.tr.t("method.title")),
        weights: larnav_app::domain::score::Weights::default(),
    })
}

/// What a list's ads are based on (`year`: the compared year), and the newer years of ads it
/// leaves out because they are not complete for the area (a partial period, some län, a
/// sample), each with the reason.
pub fn ad_basis(tr: &Tr, year: Option<&str>, partial: &[PartialYear]) -> (String, Vec<String>) {
    let basis = match year {
        Some(year) => tr.fmt("semaforen.ads_basis", &[("year", year)]),
        None => tr.t("semaforen.ads_basis_none").to_string(),
    };
    let partial = partial
        .iter()
        .map(|p| {
            tr.fmt(
                &format!("semaforen.partial.{}", p.reason.as_str()),
                &[
                    ("year", &p.year),
                    ("months", &p.months.len().to_string()),
                    ("covered", &p.lan_covered.to_string()),
                    ("lan", &p.lan_in_area.to_string()),
                    ("ads", &tr.number(p.ads)),
                ],
            )
        })
        .collect();
    (basis, partial)
}
