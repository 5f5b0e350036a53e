//! The catalogue: the public search page and offering pages, and the provider workspace
//! (offerings, the offering form, occasions, sessions, teachers and their load).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect};
use larnav_app::catalogue::{
    LoadRow, OccasionForm, OfferingForm, OfferingView, SessionForm, TeacherForm,
};
use larnav_app::catalogue_files::OFFERING_COLUMNS;
use larnav_app::domain::Action;
use larnav_app::domain::catalogue::{
    CreditKind, Format, OfferingKind, OfferingStatus, Payer, TEMPLATES,
};
use larnav_app::records::Facet;
use larnav_app::records::{Offering, OfferingSummary, Organisation, Teacher};
use larnav_app::search::{CatalogueQuery, CatalogueResults};
use larnav_app::uploads::Upload;
use larnav_app::{App, AppError};
use serde::de::DeserializeOwned;

use super::{
    Base, FormState, KommunGroups, PageResult, is_form_error, kommun_groups, redirect_with, render,
    shown_again, submitted,
};
use crate::ctx::Ctx;

/// Reads a URL-encoded form body into a struct of text fields (unknown fields are ignored).
pub fn parse_form<T: DeserializeOwned + Default>(body: &[u8]) -> T {
    let map: serde_json::Map<String, serde_json::Value> = form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), serde_json::Value::String(v.into_owned())))
        .collect();
    serde_json::from_value(serde_json::Value::Object(map)).unwrap_or_default()
}

/// The fields of a form as (name, value) pairs, for showing it again.
fn pairs<T: serde::Serialize>(form: &T) -> Vec<(String, String)> {
    match serde_json::to_value(form) {
        Ok(serde_json::Value::Object(map)) => map
            .into_iter()
            .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string()))
            .collect(),
        _ => Vec::new(),
    }
}

fn form_state<T: serde::Serialize>(ctx: &Ctx, error: Option<&AppError>, form: &T) -> FormState {
    let pairs = pairs(form);
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    FormState::after(ctx, error, &refs)
}

/// A number as people write it: whole numbers without decimals, others with one ("7,5").
fn amount(tr: &larnav_app::i18n::Tr, x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e12 {
        tr.number(x as i64)
    } else {
        tr.decimal(x, 1)
    }
}

/// One facet's values as links that add or remove the filter.
pub struct FacetView {
    pub name: &'static str,
    pub label: String,
    pub values: Vec<FacetValue>,
}

pub struct FacetValue {
    pub label: String,
    pub count: u64,
    pub href: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage<'a> {
    base: Base<'a>,
    query: CatalogueQuery,
    found: CatalogueResults,
    facets: Vec<FacetView>,
    active: Vec<FacetValue>,
    areas: Vec<(&'static str, Vec<(String, String)>)>,
    sort_start_href: String,
    sort_relevance_href: String,
    prev_href: Option<String>,
    next_href: Option<String>,
    truncated: bool,
    /// A spelling correction that finds more: (text, link keeping the filters).
    did_you_mean: Option<(String, String)>,
}

impl CataloguePage<'_> {
    fn kind_label(&self, kind: &str) -> String {
        self.base.tr.t(&format!("offering_kind.{kind}")).to_string()
    }
    fn format_label(&self, format: &str) -> String {
        self.base.tr.t(&format!("format.{format}")).to_string()
    }
    fn area_selected(&self, key: &str) -> bool {
        self.query.shortage_area == key
    }
    fn found_text(&self) -> String {
        let n = self.found.results.total as i64;
        self.base.tr.count("catalogue.found", n, &[])
    }
    fn shortage_text(&self, name: &str, n: &usize) -> String {
        self.base
            .tr
            .count("catalogue.shortage_active", *n as i64, &[("area", name)])
    }
    fn page_text(&self) -> String {
        self.base.tr.fmt(
            "common.page_of",
            &[
                ("page", &self.found.page.to_string()),
                ("pages", &self.found.pages.to_string()),
            ],
        )
    }
}

/// The query string of `q` with `changes` applied (empty value removes), page reset.
fn href(q: &CatalogueQuery, changes: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(String, String)> = pairs(q)
        .into_iter()
        .filter(|(k, v)| !v.is_empty() && k != "page")
        .collect();
    for (k, v) in changes {
        pairs.retain(|(pk, _)| pk != k);
        if !v.is_empty() {
            pairs.push(((*k).to_string(), (*v).to_string()));
        }
    }
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &pairs {
        s.append_pair(k, v);
    }
    format!("/catalogue?{}", s.finish())
}

async fn facet_label(app: &App, ctx: &Ctx, facet: Facet, value: &str) -> String {
    match facet {
        Facet::Kind => ctx.tr.t(&format!("offering_kind.{value}")).to_string(),
        Facet::Format => ctx.tr.t(&format!("format.{value}")).to_string(),
        Facet::FreeSeats => ctx
            .tr
            .t(if value == "1" {
                "catalogue.has_free_seats"
            } else {
                "catalogue.no_free_seats"
            })
            .to_string(),
        Facet::Seqf => format!("SeQF {value}"),
        Facet::Lan | Facet::Kommun => app
            .places()
            .await
            .ok()
            .and_then(|p| p.name(value).map(str::to_string))
            .unwrap_or_else(|| value.to_string()),
        Facet::StartMonth => month_label(ctx, value),
        _ => value.to_string(),
    }
}

fn month_label(ctx: &Ctx, ym: &str) -> String {
    let month = ym
        .get(5..7)
        .and_then(|m| m.parse::<usize>().ok())
        .unwrap_or(0);
    match month {
        1..=12 => format!("{} {}", ctx.tr.t(&format!("month.{month}")), &ym[..4]),
        _ => ym.to_string(),
    }
}

pub async fn search(
    State(app): State<App>,
    ctx: Ctx,
    Query(query): Query<CatalogueQuery>,
) -> PageResult {
    let found = app.search_catalogue(&ctx.actor, &query).await?;
    let filters = query.filters();
    let mut facets = Vec::new();
    let mut active = Vec::new();
    for facet in Facet::ALL {
        let current = filters
            .iter()
            .find(|(f, _)| *f == facet)
            .map(|(_, v)| v.clone());
        if let Some(v) = &current {
            active.push(FacetValue {
                label: facet_label(&app, &ctx, facet, v).await,
                count: 0,
                href: href(&query, &[(facet.as_str(), "")]),
                active: true,
            });
        }
        let Some(values) = found.results.facets.get(&facet) else {
            continue;
        };
        let mut shown = Vec::new();
        let mut values = values.clone();
        if facet == Facet::StartMonth || facet == Facet::Seqf {
            values.sort();
        }
        for (value, count) in values.into_iter().take(12) {
            shown.push(FacetValue {
                label: facet_label(&app, &ctx, facet, &value).await,
                count,
                active: current.as_deref() == Some(value.as_str()),
                href: href(&query, &[(facet.as_str(), &value)]),
            });
        }
        if !shown.is_empty() {
            facets.push(FacetView {
                name: facet.as_str(),
                label: ctx.tr.t(&format!("facet.{}", facet.as_str())).to_string(),
                values: shown,
            });
        }
    }
    let page = found.page;
    let page_href = |p: usize| {
        let mut h = href(&query, &[]);
        h.push_str(&format!("&page={p}"));
        h
    };
    render(&CataloguePage {
        base: Base::new(&ctx, ctx.tr.t("catalogue.title")),
        sort_start_href: href(&query, &[("sort", "start")]),
        sort_relevance_href: href(&query, &[("sort", "")]),
        prev_href: (page > 1).then(|| page_href(page - 1)),
        next_href: (page < found.pages).then(|| page_href(page + 1)),
        truncated: found.results.query.truncated,
        did_you_mean: found.results.did_you_mean.clone().map(|text| {
            let link = href(&query, &[("q", &text)]);
            (text, link)
        }),
        areas: app.area_choices().await?,
        query,
        found,
        facets,
        active,
    })
}

#[derive(Template)]
#[template(path = "offering.html")]
struct OfferingPage<'a> {
    base: Base<'a>,
    view: OfferingView,
    teachers: Vec<Teacher>,
    occasion_form: FormState,
    session_form: FormState,
    session_occasion: i64,
    transitions: Vec<OfferingStatus>,
    capacity_warning: Option<CapacityWarning>,
}

/// Hours that would take a teacher over their yearly capacity, waiting for "save anyway".
struct CapacityWarning {
    occasion: i64,
    teacher: i64,
    hours: String,
    text: String,
}

impl OfferingPage<'_> {
    fn o(&self) -> &Offering {
        &self.view.offering
    }
    fn kind_label(&self) -> String {
        self.base
            .tr
            .t(&format!("offering_kind.{}", self.o().kind.as_str()))
            .to_string()
    }
    fn format_label(&self) -> String {
        self.base
            .tr
            .t(&format!("format.{}", self.o().format.as_str()))
            .to_string()
    }
    fn status_label(&self, s: &OfferingStatus) -> String {
        self.base
            .tr
            .t(&format!("offering_status.{}", s.as_str()))
            .to_string()
    }
    fn move_label(&self, s: &OfferingStatus) -> String {
        self.base
            .tr
            .t(&format!("catalogue.move_to.{}", s.as_str()))
            .to_string()
    }
    fn credits(&self) -> String {
        match self.o().credits {
            Some(c) if self.o().credit_kind != CreditKind::None => format!(
                "{} {}",
                amount(&self.base.tr, c),
                self.base
                    .tr
                    .t(&format!("credit_kind.{}", self.o().credit_kind.as_str()))
            ),
            _ => String::new(),
        }
    }
    fn price(&self) -> String {
        match self.o().price_sek {
            Some(p) if p > 0 => format!("{} kr", self.base.tr.number(p)),
            _ => self.base.tr.t("catalogue.free_of_charge").to_string(),
        }
    }
    fn date(&self, d: &chrono::NaiveDate) -> String {
        self.base.tr.naive_date(d)
    }
    fn time(&self, t: &chrono::NaiveDateTime) -> String {
        format!(
            "{} {}",
            self.base.tr.weekday_date(&t.date()),
            t.format("%H:%M")
        )
    }
    fn end_time(&self, t: &chrono::NaiveDateTime) -> String {
        t.format("%H:%M").to_string()
    }
    fn hours(&self, h: &f64) -> String {
        amount(&self.base.tr, *h)
    }
    fn seats_text(&self, n: &i64) -> String {
        self.base.tr.count("catalogue.seats_n", *n, &[])
    }
    fn sessions_text(&self, n: usize) -> String {
        self.base.tr.count("catalogue.sessions_n", n as i64, &[])
    }
    fn mode_checked(&self, mode: &str) -> bool {
        self.occasion_form.value("application_mode") == mode
    }
    fn missing(&self) -> Vec<String> {
        self.view
            .missing_for_publication
            .iter()
            .map(|f| self.base.tr.t(f.message_key).to_string())
            .collect()
    }
}

/// A refused change shown again on the offering page: the error, and the occasion form or the
/// session form (with its occasion) that caused it.
type FailedChange<'a> = (
    &'a AppError,
    Option<&'a OccasionForm>,
    Option<(i64, &'a SessionForm)>,
);

async fn offering_page(
    app: &App,
    ctx: &Ctx,
    id: i64,
    failed: Option<FailedChange<'_>>,
) -> PageResult {
    offering_page_with(app, ctx, id, failed, None).await
}

async fn offering_page_with(
    app: &App,
    ctx: &Ctx,
    id: i64,
    failed: Option<FailedChange<'_>>,
    capacity_warning: Option<CapacityWarning>,
) -> PageResult {
    let view = app.offering_view(&ctx.actor, id).await?;
    let teachers = match (view.can_edit, view.offering.provider_id) {
        (true, Some(p)) => app.teachers(&ctx.actor, p).await?,
        _ => Vec::new(),
    };
    let transitions = if view.can_edit || view.can_publish {
        OfferingStatus::ALL
            .iter()
            .copied()
            .filter(|s| view.offering.status.can_move_to(*s))
            .filter(|s| *s == OfferingStatus::Review || view.can_publish)
            // Whoever sent it to review does not publish it, unless they have the right to.
            .filter(|s| {
                *s != OfferingStatus::Published
                    || !view.own_review
                    || view.may_publish_without_review
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut occasion_form =
        FormState::with_values(&[("application_mode", "fixed"), ("seats", "20")]);
    let mut session_form = FormState::with_values(&[
        ("repeat", "1"),
        ("start_time", "13:00"),
        ("end_time", "15:00"),
    ]);
    let mut session_occasion = 0;
    if let Some((e, occasion, session)) = failed {
        if let Some(f) = occasion {
            occasion_form = form_state(ctx, Some(e), f);
        }
        if let Some((occ, f)) = session {
            session_form = form_state(ctx, Some(e), f);
            session_occasion = occ;
        }
        if occasion.is_none() && session.is_none() {
            occasion_form = FormState::failed(ctx, e, &[]);
        }
    }
    render(&OfferingPage {
        base: Base::new(ctx, &view.offering.title),
        view,
        teachers,
        occasion_form,
        session_form,
        session_occasion,
        transitions,
        capacity_warning,
    })
}

pub async fn show(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    offering_page(&app, &ctx, id, None).await
}

pub async fn calendar(
    State(app): State<App>,
    ctx: Ctx,
    Path((_id, occasion)): Path<(i64, i64)>,
) -> PageResult {
    let (file, body) = app.occasion_calendar(&ctx.actor, occasion).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        body,
    )
        .into_response())
}

pub async fn add_occasion(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let form: OccasionForm = parse_form(&body);
    submitted(
        app.save_occasion(&ctx.actor, id, None, &form).await,
        |_| {
            redirect_with(
                &app,
                &format!("/catalogue/{id}#occasions"),
                "catalogue.occasion_saved",
            )
        },
        async |e| offering_page(&app, &ctx, id, Some((e, Some(&form), None))).await,
    )
    .await
}

pub async fn delete_occasion(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, occasion)): Path<(i64, i64)>,
) -> PageResult {
    submitted(
        app.delete_occasion(&ctx.actor, id, occasion).await,
        |()| {
            redirect_with(
                &app,
                &format!("/catalogue/{id}#occasions"),
                "catalogue.occasion_deleted",
            )
        },
        async |e| offering_page(&app, &ctx, id, Some((e, None, None))).await,
    )
    .await
}

pub async fn add_sessions(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, occasion)): Path<(i64, i64)>,
    body: Bytes,
) -> PageResult {
    let form: SessionForm = parse_form(&body);
    submitted(
        app.add_sessions(&ctx.actor, occasion, &form).await,
        |_| {
            redirect_with(
                &app,
                &format!("/catalogue/{id}#occasion-{occasion}"),
                "catalogue.sessions_added",
            )
        },
        async |e| offering_page(&app, &ctx, id, Some((e, None, Some((occasion, &form))))).await,
    )
    .await
}

pub async fn delete_session(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, occasion, session)): Path<(i64, i64, i64)>,
) -> PageResult {
    app.delete_session(&ctx.actor, occasion, session).await?;
    Ok(redirect_with(
        &app,
        &format!("/catalogue/{id}#occasion-{occasion}"),
        "catalogue.session_deleted",
    ))
}

pub async fn set_staffing(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, occasion)): Path<(i64, i64)>,
    body: Bytes,
) -> PageResult {
    let mut teacher = String::new();
    let mut hours = String::new();
    let mut over_capacity_ok = false;
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "teacher_id" => teacher = v.into_owned(),
            "hours" => hours = v.into_owned(),
            "over_capacity_ok" => over_capacity_ok = v == "yes",
            _ => {}
        }
    }
    let teacher = teacher
        .parse::<i64>()
        .map_err(|_| AppError::invalid("teacher_id", "field.required"));
    let result = match teacher {
        Ok(t) => app
            .set_staffing(&ctx.actor, occasion, t, &hours, over_capacity_ok)
            .await
            .map(|warning| warning.map(|w| (t, w))),
        Err(e) => Err(e),
    };
    // Over capacity: nothing saved; the page asks before saving.
    if let Ok(Some((teacher, w))) = &result {
        let text = ctx.tr.fmt(
            "catalogue.over_capacity_warning",
            &[
                ("teacher", &w.teacher_name),
                ("percent", &w.percent.to_string()),
                ("year", &w.year.to_string()),
            ],
        );
        let warning = CapacityWarning {
            occasion,
            teacher: *teacher,
            hours,
            text,
        };
        return offering_page_with(&app, &ctx, id, None, Some(warning)).await;
    }
    submitted(
        result.map(|_| ()),
        |()| {
            redirect_with(
                &app,
                &format!("/catalogue/{id}#occasion-{occasion}"),
                "catalogue.staffing_saved",
            )
        },
        async |e| offering_page(&app, &ctx, id, Some((e, None, None))).await,
    )
    .await
}

pub async fn move_status(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let mut to = String::new();
    let mut note = String::new();
    let mut without_review = false;
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "to" => to = v.into_owned(),
            "note" => note = v.into_owned(),
            "without_review" => without_review = v == "yes",
            _ => {}
        }
    }
    let to = OfferingStatus::parse(&to)
        .ok_or_else(|| AppError::invalid("to", "field.choice_invalid"))?;
    match app
        .move_offering(&ctx.actor, id, to, &note, without_review)
        .await
    {
        Ok(()) => Ok(redirect_with(
            &app,
            &format!("/catalogue/{id}"),
            &format!("catalogue.moved.{}", to.as_str()),
        )),
        Err(e) if is_form_error(&e) || matches!(e, AppError::Conflict { .. }) => shown_again(
            &e,
            offering_page(&app, &ctx, id, Some((&e, None, None))).await,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "offering_form.html")]
struct OfferingFormPage<'a> {
    base: Base<'a>,
    org: Organisation,
    /// `None` for a new offering.
    offering_id: Option<i64>,
    form: FormState,
    kommun_groups: KommunGroups,
    employers: Vec<(i64, String)>,
    occupations: Vec<String>,
}

impl OfferingFormPage<'_> {
    fn options(&self, field: &str) -> Vec<(String, String, bool)> {
        let keys: Vec<&'static str> = match field {
            "kind" => OfferingKind::ALL.iter().map(|k| k.as_str()).collect(),
            "format" => Format::ALL.iter().map(|k| k.as_str()).collect(),
            "credit_kind" => CreditKind::ALL.iter().map(|k| k.as_str()).collect(),
            "payer" => Payer::ALL.iter().map(|k| k.as_str()).collect(),
            _ => Vec::new(),
        };
        let prefix = if field == "kind" {
            "offering_kind"
        } else {
            field
        };
        keys.into_iter()
            .map(|k| {
                (
                    k.to_string(),
                    self.base.tr.t(&format!("{prefix}.{k}")).to_string(),
                    self.form.value(field) == k,
                )
            })
            .collect()
    }
    fn kommun_selected(&self, code: &str) -> bool {
        self.form.value("kommun_code") == code
    }
    fn employer_selected(&self, id: &i64) -> bool {
        self.form.value("employer_id") == id.to_string()
    }
    fn action(&self) -> String {
        match self.offering_id {
            Some(id) => format!("/catalogue/{id}/edit"),
            None => format!("/organisations/{}/offerings", self.org.id),
        }
    }
}

async fn form_page(
    app: &App,
    ctx: &Ctx,
    org_id: i64,
    offering_id: Option<i64>,
    form: FormState,
) -> PageResult {
    let org = app.organisation(&ctx.actor, org_id).await?;
    let title = ctx.tr.t(if offering_id.is_some() {
        "catalogue.edit"
    } else {
        "catalogue.new"
    });
    render(&OfferingFormPage {
        base: Base::new(ctx, title),
        org,
        offering_id,
        form,
        kommun_groups: kommun_groups(app, ctx).await?,
        employers: app.employer_choices().await?,
        occupations: app.occupation_choices().await?,
    })
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    template: String,
    copy: Option<i64>,
    ssyk: String,
    area: String,
}

pub async fn new_form(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let need = (!q.ssyk.is_empty()).then_some((q.ssyk.as_str(), q.area.as_str()));
    let form = app
        .new_offering_form(&ctx.actor, org, Some(q.template.as_str()), q.copy, need)
        .await?;
    let mut state = form_state(&ctx, None, &form);
    if let Some(copy) = q.copy {
        state.set("copied_from", copy.to_string());
    }
    form_page(&app, &ctx, org, None, state).await
}

/// "Answer a need" from a shortage occupation: the new-offering form of the first
/// organisation the person writes offerings for.
pub async fn answer_need(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let org = ctx
        .actor
        .memberships
        .iter()
        .map(|m| m.organisation_id)
        .find(|o| app.may(&ctx.actor, Action::ManageOfferings(*o)));
    let Some(org) = org else {
        app.authorize(&ctx.actor, Action::ManageOfferings(0))
            .await?;
        // A platform administrator belongs to no provider: they choose one first.
        return Ok(Redirect::to("/organisations").into_response());
    };
    let mut s = form_urlencoded::Serializer::new(String::new());
    s.append_pair("ssyk", &q.ssyk).append_pair("area", &q.area);
    Ok(Redirect::to(&format!(
        "/organisations/{org}/offerings/new?{}",
        s.finish()
    ))
    .into_response())
}

pub async fn create(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
    body: Bytes,
) -> PageResult {
    let form: OfferingForm = parse_form(&body);
    let copied_from = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "copied_from")
        .and_then(|(_, v)| v.parse::<i64>().ok());
    submitted(
        app.create_offering(&ctx.actor, org, &form, copied_from)
            .await,
        |id| redirect_with(&app, &format!("/catalogue/{id}"), "catalogue.created"),
        async |e| form_page(&app, &ctx, org, None, form_state(&ctx, Some(e), &form)).await,
    )
    .await
}

pub async fn edit_form(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let (provider, form) = app.edit_offering_form(&ctx.actor, id).await?;
    form_page(
        &app,
        &ctx,
        provider,
        Some(id),
        form_state(&ctx, None, &form),
    )
    .await
}

pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let form: OfferingForm = parse_form(&body);
    match app.update_offering(&ctx.actor, id, &form).await {
        Ok(()) => Ok(redirect_with(
            &app,
            &format!("/catalogue/{id}"),
            "catalogue.saved",
        )),
        Err(e) if is_form_error(&e) || matches!(e, AppError::Conflict { .. }) => {
            let provider = app.offering_provider(id).await?;
            shown_again(
                &e,
                form_page(
                    &app,
                    &ctx,
                    provider,
                    Some(id),
                    form_state(&ctx, Some(&e), &form),
                )
                .await,
            )
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "workspace.html")]
struct WorkspacePage<'a> {
    base: Base<'a>,
    org: Organisation,
    offerings: Vec<OfferingSummary>,
    teachers: Vec<Teacher>,
    load: Vec<LoadRow>,
    teacher_form: FormState,
    can_manage: bool,
    /// The rejected import's problems, by line and column.
    lines: Vec<crate::error::ProblemLine>,
}

/// What the workspace shows besides its lists: a teacher form with errors, a rejected import.
enum WorkspaceNotice<'a> {
    None,
    Teacher(&'a AppError, &'a TeacherForm),
    ImportRejected(&'a [larnav_app::ImportProblem]),
}

impl WorkspacePage<'_> {
    fn templates(&self) -> Vec<(&'static str, String)> {
        TEMPLATES
            .iter()
            .map(|t| {
                (
                    t.key,
                    self.base
                        .tr
                        .t(&format!("template.{}.name", t.key))
                        .to_string(),
                )
            })
            .collect()
    }
    fn status_label(&self, s: &OfferingStatus) -> String {
        self.base
            .tr
            .t(&format!("offering_status.{}", s.as_str()))
            .to_string()
    }
    fn kind_label(&self, k: &OfferingKind) -> String {
        self.base
            .tr
            .t(&format!("offering_kind.{}", k.as_str()))
            .to_string()
    }
    fn date(&self, d: &chrono::NaiveDate) -> String {
        self.base.tr.naive_date(d)
    }
    fn hours(&self, h: &f64) -> String {
        amount(&self.base.tr, *h)
    }
}

async fn workspace_page(
    app: &App,
    ctx: &Ctx,
    org_id: i64,
    notice: WorkspaceNotice<'_>,
) -> PageResult {
    let offerings = app.provider_offerings(&ctx.actor, org_id).await?;
    let org = app.organisation(&ctx.actor, org_id).await?;
    let can_manage = app.may(&ctx.actor, Action::ManageOfferings(org_id));
    let (teachers, load) = if can_manage {
        (
            app.teachers(&ctx.actor, org_id).await?,
            app.teacher_load(&ctx.actor, org_id).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let mut teacher_form = FormState::with_values(&[("capacity_hours", "1000")]);
    let mut lines = Vec::new();
    match notice {
        WorkspaceNotice::None => {}
        WorkspaceNotice::Teacher(e, f) => teacher_form = form_state(ctx, Some(e), f),
        WorkspaceNotice::ImportRejected(problems) => {
            lines = crate::error::problem_lines(ctx.tr, problems)
        }
    }
    render(&WorkspacePage {
        base: Base::new(ctx, ctx.tr.t("workspace.title")),
        org,
        offerings,
        teachers,
        load,
        teacher_form,
        can_manage,
        lines,
    })
}

pub async fn workspace(State(app): State<App>, ctx: Ctx, Path(org): Path<i64>) -> PageResult {
    workspace_page(&app, &ctx, org, WorkspaceNotice::None).await
}

pub async fn import_offerings(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
    mut multipart: Multipart,
) -> PageResult {
    let result = match super::read_upload(&mut multipart, Upload::OfferingFile).await {
        Ok((_, bytes)) => app.import_offerings(&ctx.actor, org, &bytes).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(done) => Ok(super::redirect_with_counts(
            &app,
            &format!("/organisations/{org}/offerings"),
            "workspace.imported",
            &[("n", done.created.len() as i64)],
        )),
        Err(e @ (AppError::ImportRejected(_) | AppError::Validation(_))) => {
            let problems = crate::error::import_problems(&e);
            shown_again(
                &e,
                workspace_page(&app, &ctx, org, WorkspaceNotice::ImportRejected(&problems)).await,
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// The provider's offerings as CSV or XLSX (the import's columns) or the JSON export format.
pub async fn export_offerings(
    State(app): State<App>,
    ctx: Ctx,
    Path((org, format)): Path<(i64, String)>,
) -> PageResult {
    let export = app.export_offerings(&ctx.actor, org).await?;
    if format == "json" {
        let body = serde_json::to_vec_pretty(&export)
            .map_err(|e| AppError::internal("export offerings", e))?;
        return Ok((
            [
                (header::CONTENT_TYPE, "application/json".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"utbildningar-{org}.json\""),
                ),
            ],
            body,
        )
            .into_response());
    }
    let (headers, rows) = export.table();
    super::table_download(&format!("utbildningar-{org}"), &format, &headers, &rows)
}

/// An empty import file with one example row.
pub async fn offering_template(Path(format): Path<String>) -> PageResult {
    let headers: Vec<&str> = OFFERING_COLUMNS.iter().map(|(c, _)| *c).collect();
    let example = [
        "Truckkort A och B",
        "Teori och praktik för truckkort.",
        "",
        "Lärcentrumkurs",
        "8344",
        "",
        "2",
        "",
        "",
        "100",
        "På plats",
        "2184",
        "Lärcentrum, Storgatan 1",
        "sv",
        "0",
        "avgiftsfri",
        "",
        "",
        "2027-03-01",
        "2027-03-26",
        "12",
    ];
    super::table_download(
        "utbildningar-mall",
        &format,
        &headers,
        &[example.iter().map(|s| (*s).to_string()).collect()],
    )
}

pub async fn create_teacher(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
    body: Bytes,
) -> PageResult {
    let form: TeacherForm = parse_form(&body);
    submitted(
        app.create_teacher(&ctx.actor, org, &form).await,
        |_| {
            redirect_with(
                &app,
                &format!("/organisations/{org}/offerings#teachers"),
                "catalogue.teacher_added",
            )
        },
        async |e| workspace_page(&app, &ctx, org, WorkspaceNotice::Teacher(e, &form)).await,
    )
    .await
}
