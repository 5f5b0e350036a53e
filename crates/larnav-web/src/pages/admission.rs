//! Admission: the provider's rounds (rules, eligibility review, run, what-if, publish,
//! statistics, exports, replies) and the applicant's pages (apply and rank, documents, status,
//! reply).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use larnav_app::admission::{
    ApplicationView, DecisionForm, OccasionView, RoundForm, RoundOccasionForm, RoundView, WhatIf,
    merits_text,
};
use larnav_app::domain::admission::round::Eligibility;
use larnav_app::records::{AdmissionRound, ChoiceRow};
use larnav_app::uploads::Upload;
use larnav_app::{App, AppError};
use std::collections::HashMap;

use super::catalogue::parse_form;
use super::{Base, FormState, PageResult, is_form_error, redirect_with, render, submitted};
use crate::ctx::Ctx;

/// Text helpers shared by the admission templates.
pub trait Texts {
    fn base(&self) -> &Base<'_>;

    fn status_label(&self, status: &str) -> String {
        self.base()
            .tr
            .t(&format!("admission.status.{status}"))
            .to_string()
    }
    fn eligibility_label(&self, e: &str) -> String {
        self.base()
            .tr
            .t(&format!("admission.eligibility.{e}"))
            .to_string()
    }
    fn outcome_label(&self, o: &Option<String>) -> String {
        o.as_ref()
            .map(|o| {
                self.base()
                    .tr
                    .t(&format!("admission.outcome.{o}"))
                    .to_string()
            })
            .unwrap_or_default()
    }
    fn offer_label(&self, o: &Option<String>) -> String {
        o.as_ref()
            .map(|o| {
                self.base()
                    .tr
                    .t(&format!("admission.offer.{o}"))
                    .to_string()
            })
            .unwrap_or_default()
    }
    fn date(&self, d: &chrono::NaiveDate) -> String {
        self.base().tr.naive_date(d)
    }
    fn window(&self, r: &AdmissionRound) -> String {
        let tr = &self.base().tr;
        if let Some(at) = r.closed_early_at {
            return tr.fmt(
                "admission.window_closed_early",
                &[
                    ("opens", &tr.naive_date(&r.opens_on)),
                    ("closed", &tr.date(&at)),
                    ("reason", &r.closed_early_reason),
                ],
            );
        }
        tr.fmt(
            "admission.window",
            &[
                ("opens", &tr.naive_date(&r.opens_on)),
                ("closes", &tr.naive_date(&r.closes_on)),
                ("late", &tr.naive_date(&r.late_until)),
            ],
        )
    }
}

macro_rules! texts {
    ($($t:ident),+) => {$(
        impl Texts for $t<'_> {
            fn base(&self) -> &Base<'_> {
                &self.base
            }
        }
    )+};
}

#[derive(Template)]
#[template(path = "rounds.html")]
struct RoundsPage<'a> {
    base: Base<'a>,
    org: i64,
    org_name: String,
    rounds: Vec<AdmissionRound>,
    form: FormState,
}

#[derive(Template)]
#[template(path = "round.html")]
struct RoundPage<'a> {
    base: Base<'a>,
    view: RoundView,
    settings: FormState,
    occasion_form: FormState,
    close_form: FormState,
    notice: Option<String>,
}

impl RoundPage<'_> {
    fn runs_from(&self, r: &AdmissionRound) -> String {
        let day = r.late_until + chrono::Duration::days(1);
        self.base.tr.fmt(
            "admission.run_from",
            &[("date", &self.base.tr.naive_date(&day))],
        )
    }
    fn per_seat(&self, x: &Option<f64>) -> String {
        x.map(|x| self.base.tr.decimal(x, 1)).unwrap_or_default()
    }
    fn published(&self) -> bool {
        self.view.round.status == "published"
    }
    fn step_applications(&self) -> String {
        self.base.tr.fmt(
            "admission.step_applications",
            &[
                ("n", &self.base.tr.number(self.view.applications)),
                ("choices", &self.base.tr.number(self.view.choices)),
            ],
        )
    }
    fn step_review(&self) -> String {
        self.base
            .tr
            .count("admission.step_review", self.view.pending, &[])
    }
    fn credits(&self, o: &OccasionView) -> String {
        self.base.tr.decimal(o.occasion.credits, 1)
    }
}

#[derive(Template)]
#[template(path = "round_queue.html")]
struct QueuePage<'a> {
    base: Base<'a>,
    round: AdmissionRound,
    occasions: Vec<OccasionView>,
    choices: Vec<ChoiceRow>,
    filter: String,
    editing: Option<(ChoiceRow, FormState)>,
    bulk_error: Option<String>,
}

impl QueuePage<'_> {
    fn merits(&self, c: &ChoiceRow) -> String {
        merits_text(&self.base.tr, &c.merits)
    }
    fn groups_of(&self, c: &ChoiceRow) -> String {
        self.occasions
            .iter()
            .find(|o| o.occasion.occasion_id == c.occasion_id)
            .map(|o| {
                o.selection_groups
                    .iter()
                    .map(|g| g.name.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default()
    }
    fn decide_title(&self, c: &ChoiceRow) -> String {
        self.base.tr.fmt(
            "admission.decide_for",
            &[("name", &c.applicant_name), ("offering", &c.offering_title)],
        )
    }
    fn queue_count(&self) -> String {
        self.base
            .tr
            .count("admission.queue_count", self.choices.len() as i64, &[])
    }
    fn eligibilities(&self) -> &'static [Eligibility] {
        Eligibility::ALL
    }
}

#[derive(Template)]
#[template(path = "round_results.html")]
struct ResultsPage<'a> {
    base: Base<'a>,
    view: RoundView,
    choices: Vec<ChoiceRow>,
    what_if: Option<WhatIf>,
    seats_form: FormState,
}

impl ResultsPage<'_> {
    fn in_occasion(&self, occasion: &i64, outcome: &str) -> Vec<&ChoiceRow> {
        let mut v: Vec<&ChoiceRow> = self
            .choices
            .iter()
            .filter(|c| c.occasion_id == *occasion && c.outcome.as_deref() == Some(outcome))
            .collect();
        v.sort_by_key(|c| c.reserve_position.unwrap_or(0));
        v
    }
    fn group_name(&self, c: &ChoiceRow) -> String {
        let Some(g) = c.selection_group else {
            return String::new();
        };
        self.view
            .occasions
            .iter()
            .find(|o| o.occasion.occasion_id == c.occasion_id)
            .and_then(|o| o.selection_groups.get(g as usize))
            .map(|g| g.name.clone())
            .unwrap_or_default()
    }
    fn published(&self) -> bool {
        self.view.round.status == "published"
    }
    fn seats_value(&self, o: &OccasionView) -> String {
        let v = self
            .seats_form
            .value(&format!("seats_{}", o.occasion.occasion_id));
        if v.is_empty() {
            o.occasion.seats.to_string()
        } else {
            v.to_string()
        }
    }
}

#[derive(Template)]
#[template(path = "admission.html")]
struct AdmissionPage<'a> {
    base: Base<'a>,
    open: Vec<AdmissionRound>,
    mine: Vec<AdmissionRound>,
}

#[derive(Template)]
#[template(path = "application.html")]
struct ApplicationPage<'a> {
    base: Base<'a>,
    view: ApplicationView,
    form: FormState,
    document_error: Option<String>,
}

impl ApplicationPage<'_> {
    fn slots(&self) -> Vec<usize> {
        (1..=self.view.round.max_choices as usize).collect()
    }
    fn chosen(&self, slot: &usize, occasion: &i64) -> bool {
        let key = format!("choice_{slot}");
        let v = self.form.value(&key);
        if !v.is_empty() || self.form.has_errors() {
            return v == occasion.to_string();
        }
        self.view
            .lines
            .iter()
            .any(|l| l.choice.rank == *slot as i64 && l.choice.occasion_id == *occasion)
    }
    fn size(&self, bytes: &i64) -> String {
        self.base.tr.decimal(*bytes as f64 / 1024.0, 0) + " kB"
    }
    fn limit_text(&self) -> String {
        self.base.tr.fmt(
            "admission.document_hint",
            &[(
                "mb",
                &(Upload::ApplicationDocument.limit() / 1024 / 1024).to_string(),
            )],
        )
    }
}

texts!(
    RoundsPage,
    RoundPage,
    QueuePage,
    ResultsPage,
    AdmissionPage,
    ApplicationPage
);

async fn rounds_page(
    app: &App,
    ctx: &Ctx,
    org: i64,
    failed: Option<(&AppError, &RoundForm)>,
) -> PageResult {
    let rounds = app.provider_rounds(&ctx.actor, org).await?;
    let org_name = app.organisation(&ctx.actor, org).await?.name;
    let form = match failed {
        Some((e, f)) => FormState::failed(ctx, e, &round_pairs(f)),
        None => FormState::with_values(&[("max_choices", "6"), ("reply_days", "7")]),
    };
    render(&RoundsPage {
        base: Base::new(ctx, ctx.tr.t("admission.rounds")),
        org,
        org_name,
        rounds,
        form,
    })
}

fn round_pairs(f: &RoundForm) -> Vec<(&str, &str)> {
    vec![
        ("name", f.name.as_str()),
        ("opens_on", &f.opens_on),
        ("closes_on", &f.closes_on),
        ("late_until", &f.late_until),
        ("max_choices", &f.max_choices),
        ("credit_cap", &f.credit_cap),
        ("reply_days", &f.reply_days),
    ]
}

pub async fn rounds(State(app): State<App>, ctx: Ctx, Path(org): Path<i64>) -> PageResult {
    rounds_page(&app, &ctx, org, None).await
}

pub async fn create_round(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
    body: Bytes,
) -> PageResult {
    let form: RoundForm = parse_form(&body);
    submitted(
        app.create_round(&ctx.actor, org, &form).await,
        |id| redirect_with(&app, &format!("/rounds/{id}"), "admission.round_created"),
        async |e| rounds_page(&app, &ctx, org, Some((e, &form))).await,
    )
    .await
}

enum Failed<'a> {
    None,
    Settings(&'a AppError, &'a RoundForm),
    Occasion(&'a AppError, &'a RoundOccasionForm),
    Close(&'a AppError, &'a str),
    Action(&'a AppError),
}

async fn round_page(app: &App, ctx: &Ctx, id: i64, failed: Failed<'_>) -> PageResult {
    let view = app.round_view(&ctx.actor, id, &ctx.tr).await?;
    let r = &view.round;
    let current = RoundForm {
        name: r.name.clone(),
        opens_on: r.opens_on.to_string(),
        closes_on: r.closes_on.to_string(),
        late_until: r.late_until.to_string(),
        max_choices: r.max_choices.to_string(),
        credit_cap: r.credit_cap.map(|c| c.to_string()).unwrap_or_default(),
        reply_days: r.reply_days.to_string(),
    };
    let settings = match &failed {
        Failed::Settings(e, f) => FormState::failed(ctx, e, &round_pairs(f)),
        _ => FormState::with_values(&round_pairs(&current)),
    };
    let occasion_form = match &failed {
        Failed::Occasion(e, f) => FormState::failed(
            ctx,
            e,
            &[
                ("occasion_id", f.occasion_id.as_str()),
                ("seats", &f.seats),
                ("credits", &f.credits),
                ("groups", &f.groups),
            ],
        ),
        _ => FormState::default(),
    };
    let close_form = match &failed {
        Failed::Close(e, reason) => FormState::failed(ctx, e, &[("reason", reason)]),
        _ => FormState::default(),
    };
    // A conflict (e.g. the round was published meanwhile) is shown at the top: the form it
    // came from may no longer be on the page.
    let notice = match failed {
        Failed::Action(e)
        | Failed::Settings(e, _)
        | Failed::Occasion(e, _)
        | Failed::Close(e, _)
            if !matches!(e, AppError::Validation(_)) =>
        {
            Some(ctx.tr.t(e.message_key()).to_string())
        }
        _ => None,
    };
    let title = view.round.name.clone();
    render(&RoundPage {
        base: Base::new(ctx, &title),
        view,
        settings,
        occasion_form,
        close_form,
        notice,
    })
}

pub async fn show_round(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    round_page(&app, &ctx, id, Failed::None).await
}

pub async fn update_round(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let form: RoundForm = parse_form(&body);
    submitted(
        app.update_round(&ctx.actor, id, &form).await,
        |()| redirect_with(&app, &format!("/rounds/{id}"), "admission.round_saved"),
        async |e| round_page(&app, &ctx, id, Failed::Settings(e, &form)).await,
    )
    .await
}

pub async fn set_occasion(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let form: RoundOccasionForm = parse_form(&body);
    submitted(
        app.set_round_occasion(&ctx.actor, id, &form).await,
        |()| {
            redirect_with(
                &app,
                &format!("/rounds/{id}#occasions"),
                "admission.occasion_saved",
            )
        },
        async |e| round_page(&app, &ctx, id, Failed::Occasion(e, &form)).await,
    )
    .await
}

pub async fn run(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> PageResult {
    let seed: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let seed = seed.get("seed").and_then(|s| s.trim().parse::<u64>().ok());
    submitted(
        app.run_round(&ctx.actor, id, seed).await,
        |_| {
            redirect_with(
                &app,
                &format!("/rounds/{id}/results"),
                "admission.round_ran",
            )
        },
        async |e| round_page(&app, &ctx, id, Failed::Action(e)).await,
    )
    .await
}

pub async fn close_applications(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let form: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let reason = form.get("reason").map_or("", String::as_str);
    submitted(
        app.close_applications(&ctx.actor, id, reason).await,
        |()| redirect_with(&app, &format!("/rounds/{id}"), "admission.closed_early_ok"),
        async |e| round_page(&app, &ctx, id, Failed::Close(e, reason)).await,
    )
    .await
}

pub async fn publish(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    submitted(
        app.publish_round(&ctx.actor, id).await,
        |()| {
            redirect_with(
                &app,
                &format!("/rounds/{id}/results"),
                "admission.round_published_ok",
            )
        },
        async |e| round_page(&app, &ctx, id, Failed::Action(e)).await,
    )
    .await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct QueueQuery {
    eligibility: String,
    choice: Option<i64>,
}

async fn queue_page(
    app: &App,
    ctx: &Ctx,
    id: i64,
    q: &QueueQuery,
    failed: Option<(&AppError, &DecisionForm)>,
    bulk_error: Option<&AppError>,
) -> PageResult {
    let filter = Eligibility::parse(&q.eligibility);
    let (round, occasions, choices) = app.review_queue(&ctx.actor, id, filter).await?;
    let editing = match q.choice {
        Some(c) => {
            let (_, _, all) = app.review_queue(&ctx.actor, id, None).await?;
            let row = all
                .into_iter()
                .find(|r| r.id == c)
                .ok_or(AppError::NotFound)?;
            let form = match failed {
                Some((e, f)) => FormState::failed(
                    ctx,
                    e,
                    &[
                        ("eligibility", f.eligibility.as_str()),
                        ("note", &f.note),
                        ("priority_class", &f.priority_class),
                        ("nominated", &f.nominated),
                        ("merits", &f.merits),
                    ],
                ),
                None => {
                    let merits = merits_text(&ctx.tr, &row.merits);
                    let class = row.priority_class.to_string();
                    FormState::with_values(&[
                        ("eligibility", row.eligibility.as_str()),
                        ("note", &row.eligibility_note),
                        ("priority_class", &class),
                        ("nominated", if row.nominated { "on" } else { "" }),
                        ("merits", &merits),
                    ])
                }
            };
            Some((row, form))
        }
        None => None,
    };
    render(&QueuePage {
        base: Base::new(ctx, ctx.tr.t("admission.queue")),
        round,
        occasions,
        choices,
        filter: filter.map(|f| f.as_str().to_string()).unwrap_or_default(),
        editing,
        bulk_error: bulk_error.map(|e| ctx.tr.t(e.message_key()).to_string()),
    })
}

pub async fn queue(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<QueueQuery>,
) -> PageResult {
    queue_page(&app, &ctx, id, &q, None, None).await
}

pub async fn decide(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, choice)): Path<(i64, i64)>,
    body: Bytes,
) -> PageResult {
    let form: DecisionForm = parse_form(&body);
    submitted(
        app.decide_choice(&ctx.actor, id, choice, &form).await,
        |()| {
            redirect_with(
                &app,
                &format!("/rounds/{id}/queue#choice-{choice}"),
                "admission.decided",
            )
        },
        async |e| {
            let q = QueueQuery {
                eligibility: String::new(),
                choice: Some(choice),
            };
            queue_page(&app, &ctx, id, &q, Some((e, &form)), None).await
        },
    )
    .await
}

pub async fn decide_many(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let mut ids = Vec::new();
    let mut eligibility = String::new();
    let mut filter = String::new();
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "choice" => ids.extend(v.parse::<i64>().ok()),
            "eligibility" => eligibility = v.into_owned(),
            "filter" => filter = v.into_owned(),
            _ => {}
        }
    }
    let result = match Eligibility::parse(&eligibility) {
        Some(e) => app.decide_choices(&ctx.actor, id, &ids, e).await,
        None => Err(AppError::invalid("eligibility", "field.choice_invalid")),
    };
    submitted(
        result,
        |_| {
            redirect_with(
                &app,
                &format!("/rounds/{id}/queue?eligibility={filter}"),
                "admission.decided",
            )
        },
        async |e| {
            let q = QueueQuery {
                eligibility: filter.clone(),
                choice: None,
            };
            queue_page(&app, &ctx, id, &q, None, Some(e)).await
        },
    )
    .await
}

async fn results_page(
    app: &App,
    ctx: &Ctx,
    id: i64,
    seats: &HashMap<String, String>,
    error: Option<&AppError>,
) -> PageResult {
    let view = app.round_view(&ctx.actor, id, &ctx.tr).await?;
    let (_, _, choices) = app.review_queue(&ctx.actor, id, None).await?;
    let pairs: Vec<(&str, &str)> = seats
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut seats_form = FormState::after(ctx, error, &pairs);
    let changes: Vec<(i64, i64)> = seats
        .iter()
        .filter_map(|(k, v)| {
            let o = k.strip_prefix("seats_")?.parse::<i64>().ok()?;
            let n = v.trim().parse::<i64>().ok()?;
            let current = view
                .occasions
                .iter()
                .find(|x| x.occasion.occasion_id == o)?;
            (current.occasion.seats != n).then_some((o, n))
        })
        .collect();
    let what_if = if !changes.is_empty() && error.is_none() && view.round.seed.is_some() {
        match app.what_if(&ctx.actor, id, &changes).await {
            Ok(w) => Some(w),
            Err(e) if is_form_error(&e) => {
                seats_form = FormState::failed(ctx, &e, &pairs);
                None
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        None
    };
    let title = ctx
        .tr
        .fmt("admission.results_title", &[("round", &view.round.name)]);
    render(&ResultsPage {
        base: Base::new(ctx, &title),
        view,
        choices,
        what_if,
        seats_form,
    })
}

pub async fn results(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(seats): Query<HashMap<String, String>>,
) -> PageResult {
    results_page(&app, &ctx, id, &seats, None).await
}

pub async fn reply_for(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, choice)): Path<(i64, i64)>,
    body: Bytes,
) -> PageResult {
    let answer: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let accept = answer.get("answer").map(String::as_str) == Some("accept");
    submitted(
        app.reply_for(&ctx.actor, id, choice, accept).await,
        |()| {
            redirect_with(
                &app,
                &format!("/rounds/{id}/results"),
                "admission.reply_recorded",
            )
        },
        async |e| results_page(&app, &ctx, id, &HashMap::new(), Some(e)).await,
    )
    .await
}

pub async fn add_seats(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let f: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let occasion = f
        .get("occasion_id")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    let seats = f
        .get("add")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(0);
    submitted(
        app.add_seats(&ctx.actor, id, occasion, seats).await,
        |()| {
            redirect_with(
                &app,
                &format!("/rounds/{id}/results"),
                "admission.seats_added",
            )
        },
        async |e| results_page(&app, &ctx, id, &HashMap::new(), Some(e)).await,
    )
    .await
}

pub async fn export(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, format)): Path<(i64, String)>,
) -> PageResult {
    let (headers, rows) = app.export_round(&ctx.actor, id, &ctx.tr).await?;
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    super::table_download(&format!("antagning-{id}"), &format, &headers, &rows)
}

pub async fn index(State(app): State<App>, ctx: Ctx) -> PageResult {
    let open = app.open_rounds().await?;
    let mine = if ctx.actor.is_signed_in() {
        app.my_rounds(&ctx.actor).await?
    } else {
        Vec::new()
    };
    render(&AdmissionPage {
        base: Base::new(&ctx, ctx.tr.t("admission.title")),
        open,
        mine,
    })
}

async fn application_page(
    app: &App,
    ctx: &Ctx,
    id: i64,
    failed: Option<(&AppError, &[(String, String)])>,
    document_error: Option<&AppError>,
) -> PageResult {
    let view = app.application_view(&ctx.actor, id, &ctx.tr).await?;
    let form = match failed {
        Some((e, pairs)) => {
            let refs: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            FormState::failed(ctx, e, &refs)
        }
        None => FormState::default(),
    };
    let title = view.round.name.clone();
    render(&ApplicationPage {
        base: Base::new(ctx, &title),
        view,
        form,
        document_error: document_error.map(|e| match e {
            AppError::Validation(f) => f
                .iter()
                .map(|f| ctx.tr.t(f.message_key).to_string())
                .collect::<Vec<_>>()
                .join(" "),
            other => ctx.tr.t(other.message_key()).to_string(),
        }),
    })
}

pub async fn application(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    application_page(&app, &ctx, id, None, None).await
}

pub async fn apply(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(&body)
        .into_owned()
        .filter(|(k, _)| k.starts_with("choice_"))
        .collect();
    pairs.sort_by_key(|(k, _)| {
        k.trim_start_matches("choice_")
            .parse::<usize>()
            .unwrap_or(99)
    });
    let occasions: Vec<i64> = pairs
        .iter()
        .filter_map(|(_, v)| v.parse::<i64>().ok())
        .collect();
    submitted(
        app.apply(&ctx.actor, id, &occasions).await,
        |_| redirect_with(&app, &format!("/admission/{id}"), "admission.applied"),
        async |e| application_page(&app, &ctx, id, Some((e, &pairs)), None).await,
    )
    .await
}

pub async fn upload(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> PageResult {
    let result = match super::read_upload(&mut multipart, Upload::ApplicationDocument).await {
        Ok((name, bytes)) => app.upload_document(&ctx.actor, id, &name, &bytes).await,
        Err(e) => Err(e),
    };
    submitted(
        result,
        |_| {
            redirect_with(
                &app,
                &format!("/admission/{id}#documents"),
                "admission.document_saved",
            )
        },
        async |e| application_page(&app, &ctx, id, None, Some(e)).await,
    )
    .await
}

pub async fn document(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let (doc, bytes) = app.document(&ctx.actor, id).await?;
    Ok(super::download(&doc.file_name, &doc.content_type, bytes))
}

pub async fn reply(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, choice)): Path<(i64, i64)>,
    body: Bytes,
) -> PageResult {
    let answer: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let accept = answer.get("answer").map(String::as_str) == Some("accept");
    submitted(
        app.reply(&ctx.actor, choice, accept).await,
        |()| {
            redirect_with(
                &app,
                &format!("/admission/{id}"),
                if accept {
                    "admission.accepted"
                } else {
                    "admission.declined"
                },
            )
        },
        async |e| application_page(&app, &ctx, id, Some((e, &[])), None).await,
    )
    .await
}
