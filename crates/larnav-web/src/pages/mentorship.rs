//! Mentorship rounds: the list of rounds with the network's themes (opening a round, adding a
//! theme), a round's page (volunteering as a model, applying, and for the organiser proposing,
//! adjusting, publishing and the evaluation summary) and a pair's shared space.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use larnav_app::domain::Action;
use larnav_app::meetings::EvaluationForm;
use larnav_app::mentorship::{MentorshipPairView, QUESTIONS, RoundView, public_line};
use larnav_app::records::{DocumentOwner, MentorshipPair, MentorshipRound, NetworkTheme};
use larnav_app::uploads::Upload;
use larnav_app::{App, AppError};

use super::meetings::Evaluated;
use super::{
    Base, Failed, FormState, PageResult, all, field, fields, is_form_error, redirect_with, render,
    shown_again, state, submitted,
};
use crate::ctx::Ctx;

/// Status labels for the templates.
pub trait Labels {
    fn base(&self) -> &Base<'_>;
    fn status_label(&self, status: &str) -> String {
        self.base()
            .tr
            .t(&format!("mentorship.status.{status}"))
            .to_string()
    }
    fn day(&self, d: &chrono::NaiveDate) -> String {
        self.base().tr.naive_date(d)
    }
}

#[derive(Template)]
#[template(path = "mentorship.html")]
struct ListPage<'a> {
    base: Base<'a>,
    rounds: Vec<MentorshipRound>,
    themes: Vec<NetworkTheme>,
    organisations: Vec<(i64, String)>,
    /// Themes ticked in a round form shown again.
    ticked: Vec<String>,
    round: FormState,
    theme: FormState,
}

#[derive(Template)]
#[template(path = "mentorship_round.html")]
struct RoundPage<'a> {
    base: Base<'a>,
    view: RoundView,
    offer: FormState,
    application: FormState,
    /// Ranked models of an application shown again.
    ranked: Vec<String>,
    action: FormState,
    close: FormState,
}

#[derive(Template)]
#[template(path = "mentorship_pair.html")]
struct PairPage<'a> {
    base: Base<'a>,
    view: MentorshipPairView,
    space: FormState,
    log: FormState,
    evaluation: FormState,
    document: FormState,
    documents: Vec<larnav_app::records::NetworkDocument>,
    questions: Vec<(usize, String)>,
}

impl Labels for ListPage<'_> {
    fn base(&self) -> &Base<'_> {
        &self.base
    }
}
impl Labels for RoundPage<'_> {
    fn base(&self) -> &Base<'_> {
        &self.base
    }
}
impl Labels for PairPage<'_> {
    fn base(&self) -> &Base<'_> {
        &self.base
    }
}

impl Evaluated for RoundPage<'_> {
    const ANSWERED: &'static str = "mentorship.answered";
    fn tr(&self) -> &larnav_app::i18n::Tr {
        &self.base.tr
    }
    fn summary(&self) -> Option<&larnav_app::meetings::EvaluationSummary> {
        self.view.evaluation.as_ref()
    }
}

impl Evaluated for PairPage<'_> {
    const ANSWERED: &'static str = "mentorship.answered";
    fn tr(&self) -> &larnav_app::i18n::Tr {
        &self.base.tr
    }
    fn summary(&self) -> Option<&larnav_app::meetings::EvaluationSummary> {
        None
    }
}

impl ListPage<'_> {
    fn is_ticked(&self, id: &i64) -> bool {
        self.ticked.iter().any(|t| *t == id.to_string())
    }
}

impl RoundPage<'_> {
    fn closed_early(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        let tr = &self.base.tr;
        tr.fmt(
            "mentorship.closed_early",
            &[
                ("date", &tr.date(at)),
                ("reason", &self.view.round.closed_early_reason),
            ],
        )
    }
    fn publish_from(&self) -> String {
        let day = self.view.round.applications_close + chrono::Duration::days(1);
        self.base.tr.fmt(
            "mentorship.publish_from",
            &[("date", &self.base.tr.naive_date(&day))],
        )
    }
    fn line(&self, p: &MentorshipPair) -> String {
        public_line(&self.base.tr, p)
    }
    fn is_ranked(&self, rank: &usize, offer: &i64) -> bool {
        self.ranked
            .get(*rank)
            .is_some_and(|r| *r == offer.to_string())
    }
    fn manages(&self, organisation: &i64) -> bool {
        self.view
            .my_organisations
            .iter()
            .any(|o| o.0 == *organisation)
    }
    fn ranks(&self) -> Vec<usize> {
        (0..larnav_app::mentorship::MAX_PREFERENCES).collect()
    }
    fn theme_offers(&self, theme: &i64) -> Vec<&larnav_app::records::MentorshipOffer> {
        self.view
            .offers
            .iter()
            .filter(|o| o.theme_id == *theme)
            .collect()
    }
}

impl PairPage<'_> {
    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        self.base.tr.datetime(at)
    }
}

pub async fn index(State(app): State<App>, ctx: Ctx) -> PageResult {
    list_page(&app, &ctx, None).await
}

async fn list_page(app: &App, ctx: &Ctx, failed: Option<&Failed<'_>>) -> PageResult {
    let ticked = match failed {
        Some(f) if f.form == "round" => all(f.values, "theme"),
        _ => Vec::new(),
    };
    render(&ListPage {
        base: Base::new(ctx, ctx.tr.t("mentorship.title")),
        rounds: app.mentorship_rounds().await?,
        themes: app.network_themes().await?,
        organisations: app
            .organisations_where(&ctx.actor, Action::ManageNetwork)
            .await?,
        ticked,
        round: state(ctx, failed, "round"),
        theme: state(ctx, failed, "theme"),
    })
}

pub async fn create(State(app): State<App>, ctx: Ctx, body: Bytes) -> PageResult {
    let values = fields(&body);
    let form = larnav_app::mentorship::RoundForm {
        name: field(&values, "name").into(),
        description: field(&values, "description").into(),
        themes: all(&values, "theme"),
        applications_close: field(&values, "applications_close").into(),
        starts_on: field(&values, "starts_on").into(),
        ends_on: field(&values, "ends_on").into(),
    };
    let result = match field(&values, "organisation_id").parse::<i64>() {
        Ok(o) => app.open_mentorship_round(&ctx.actor, o, &form).await,
        Err(_) => Err(AppError::invalid("organisation_id", "field.choice_invalid")),
    };
    submitted(
        result,
        |id| redirect_with(&app, &format!("/mentorship/{id}"), "mentorship.opened"),
        async |e| {
            let failed = Failed::new("round", e, &values);
            list_page(&app, &ctx, Some(&failed)).await
        },
    )
    .await
}

pub async fn add_theme(State(app): State<App>, ctx: Ctx, body: Bytes) -> PageResult {
    let values = fields(&body);
    submitted(
        app.add_network_theme(&ctx.actor, field(&values, "name"))
            .await,
        |_| redirect_with(&app, "/mentorship#themes", "mentorship.theme_added"),
        async |e| {
            let failed = Failed::new("theme", e, &values);
            list_page(&app, &ctx, Some(&failed)).await
        },
    )
    .await
}

async fn round_page(app: &App, ctx: &Ctx, id: i64, failed: Option<&Failed<'_>>) -> PageResult {
    let view = app.mentorship_round_view(&ctx.actor, id, &ctx.tr).await?;
    let ranked = match failed {
        Some(f) if f.form == "application" => all(f.values, "preference"),
        _ => Vec::new(),
    };
    render(&RoundPage {
        base: Base::new(ctx, &view.round.name),
        offer: state(ctx, failed, "offer"),
        application: state(ctx, failed, "application"),
        action: state(ctx, failed, "action"),
        close: state(ctx, failed, "close"),
        ranked,
        view,
    })
}

pub async fn show(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    round_page(&app, &ctx, id, None).await
}

/// Which page a form is on: a round's or a pair's.
#[derive(Clone, Copy)]
enum On {
    Round(i64),
    Pair(i64),
}

/// Comes back to the page with a message, or shows it again with form `form` failed.
async fn after(
    app: &App,
    ctx: &Ctx,
    on: On,
    (form, values): (&'static str, &[(String, String)]),
    done: (&str, &str),
    result: Result<(), AppError>,
) -> PageResult {
    let e = match result {
        Ok(()) => {
            let path = match on {
                On::Round(id) => format!("/mentorship/{id}{}", done.0),
                On::Pair(id) => format!("/mentorship/pairs/{id}{}", done.0),
            };
            return Ok(redirect_with(app, &path, done.1));
        }
        Err(e) if is_form_error(&e) => e,
        Err(e) => return Err(e.into()),
    };
    let failed = Failed::new(form, &e, values);
    let page = match on {
        On::Round(id) => round_page(app, ctx, id, Some(&failed)).await,
        On::Pair(id) => pair_page(app, ctx, id, Some(&failed)).await,
    };
    shown_again(&e, page)
}

pub async fn offer(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    let form = larnav_app::mentorship::OfferForm {
        organisation_id: field(&values, "organisation_id").into(),
        theme_id: field(&values, "theme_id").into(),
        capacity: field(&values, "capacity").into(),
    };
    let result = app.offer_mentorship(&ctx.actor, id, &form).await;
    let done = ("#models", "mentorship.offered");
    after(&app, &ctx, On::Round(id), ("offer", &values), done, result).await
}

pub async fn apply(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    let form = larnav_app::mentorship::ApplicationForm {
        organisation_id: field(&values, "organisation_id").into(),
        theme_id: field(&values, "theme_id").into(),
        preferences: all(&values, "preference"),
        motivation: field(&values, "motivation").into(),
    };
    let result = app.apply_for_mentorship(&ctx.actor, id, &form).await;
    let done = ("#applications", "mentorship.applied");
    after(
        &app,
        &ctx,
        On::Round(id),
        ("application", &values),
        done,
        result.map(|_| ()),
    )
    .await
}

pub async fn withdraw(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    let result = match field(&values, "organisation_id").parse::<i64>() {
        Ok(o) => app.withdraw_mentorship_application(&ctx.actor, id, o).await,
        Err(_) => Err(AppError::NotFound),
    };
    let done = ("#applications", "mentorship.withdrawn");
    after(&app, &ctx, On::Round(id), ("action", &values), done, result).await
}

pub async fn propose(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let result = app
        .propose_mentorship_pairs(&ctx.actor, id)
        .await
        .map(|_| ());
    let done = ("#pairs", "mentorship.proposed");
    after(&app, &ctx, On::Round(id), ("action", &[]), done, result).await
}

pub async fn set_pair(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    let result = match field(&values, "application_id").parse::<i64>() {
        Ok(a) => {
            let offer = field(&values, "offer_id").parse::<i64>().ok();
            app.set_mentorship_pair(&ctx.actor, id, a, offer).await
        }
        Err(_) => Err(AppError::NotFound),
    };
    let done = ("#applications", "mentorship.pair_set");
    after(&app, &ctx, On::Round(id), ("action", &values), done, result).await
}

pub async fn publish(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let result = app.publish_mentorship_round(&ctx.actor, id).await;
    let done = ("#pairs", "mentorship.published");
    after(&app, &ctx, On::Round(id), ("action", &[]), done, result).await
}

pub async fn close_applications(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    let result = app
        .close_mentorship_applications(&ctx.actor, id, field(&values, "reason"))
        .await;
    let done = ("#applications", "mentorship.closed_early_ok");
    after(&app, &ctx, On::Round(id), ("close", &values), done, result).await
}

pub async fn reopen(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let result = app.reopen_mentorship_round(&ctx.actor, id).await;
    let done = ("#pairs", "mentorship.reopened");
    after(&app, &ctx, On::Round(id), ("action", &[]), done, result).await
}

pub async fn close(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let result = app.close_mentorship_round(&ctx.actor, id).await;
    let done = ("#pairs", "mentorship.closed");
    after(&app, &ctx, On::Round(id), ("action", &[]), done, result).await
}

async fn pair_page(app: &App, ctx: &Ctx, id: i64, failed: Option<&Failed<'_>>) -> PageResult {
    let view = app.mentorship_pair_view(&ctx.actor, id).await?;
    let mut space = state(ctx, failed, "space");
    if !matches!(failed, Some(f) if f.form == "space") {
        space.set("goals", view.pair.goals.clone());
        space.set("plan", view.pair.plan.clone());
    }
    let mut log = state(ctx, failed, "log");
    if log.value("kind").is_empty() {
        log.set("kind", "meeting");
    }
    let title = ctx.tr.fmt(
        "mentorship.pair_title",
        &[
            ("member", &view.pair.member_name),
            ("model", &view.pair.model_name),
        ],
    );
    render(&PairPage {
        base: Base::new(ctx, &title),
        space,
        log,
        evaluation: state(ctx, failed, "evaluation"),
        document: state(ctx, failed, "document"),
        documents: app.pair_documents(&ctx.actor, id).await?,
        questions: QUESTIONS
            .iter()
            .enumerate()
            .map(|(i, q)| (i, ctx.tr.t(q).to_string()))
            .collect(),
        view,
    })
}

pub async fn upload_document(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> PageResult {
    let result = match super::read_upload(&mut multipart, Upload::SharedDocument).await {
        Ok((name, bytes)) => app
            .upload_network_document(&ctx.actor, DocumentOwner::Pair(id), &name, &bytes)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    let done = ("#documents", "registry.document_saved");
    after(&app, &ctx, On::Pair(id), ("document", &[]), done, result).await
}

pub async fn show_pair(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    pair_page(&app, &ctx, id, None).await
}

pub async fn save_space(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    let form = larnav_app::mentorship::PairSpaceForm {
        goals: field(&values, "goals").into(),
        plan: field(&values, "plan").into(),
    };
    let result = app.save_mentorship_space(&ctx.actor, id, &form).await;
    let done = ("#space", "mentorship.space_saved");
    after(&app, &ctx, On::Pair(id), ("space", &values), done, result).await
}

pub async fn add_log(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    let form = larnav_app::mentorship::LogForm {
        kind: field(&values, "kind").into(),
        met_on: field(&values, "met_on").into(),
        body: field(&values, "body").into(),
        url: field(&values, "url").into(),
    };
    let result = app.log_mentorship(&ctx.actor, id, &form).await;
    let done = ("#log", "mentorship.logged");
    after(&app, &ctx, On::Pair(id), ("log", &values), done, result).await
}

pub async fn evaluate(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let values = fields(&body);
    let answers = (0..QUESTIONS.len())
        .map(|i| field(&values, &format!("q{i}")).parse().unwrap_or(0))
        .collect();
    let form = EvaluationForm {
        answers,
        comment: field(&values, "comment").into(),
    };
    let result = app.evaluate_mentorship(&ctx.actor, id, &form).await;
    let done = ("", "mentorship.evaluated");
    after(
        &app,
        &ctx,
        On::Pair(id),
        ("evaluation", &values),
        done,
        result,
    )
    .await
}
