//! Learning-meeting programmes: the list and opening a programme, a programme's page
//! (registration for participants; participants, pairs, publication and the evaluation
//! summary for its organiser) and a pair's space (meetings, iCal, notes).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use larnav_app::domain::Action;
use larnav_app::meetings::{
    EvaluationForm, MeetingPlanForm, PairView, ProgrammeForm, ProgrammeView, QUESTIONS,
    RegistrationForm,
};
use larnav_app::records::MeetingProgramme;
use larnav_app::{App, AppError};

use super::catalogue::parse_form;
use super::{Base, FormState, PageResult, redirect_with, render, submitted};
use crate::ctx::Ctx;

/// Status and sector labels shared by the templates.
pub trait Labels {
    fn base(&self) -> &Base<'_>;

    fn status_label(&self, status: &str) -> String {
        self.base()
            .tr
            .t(&format!("meetings.status.{status}"))
            .to_string()
    }
    fn sector_label(&self, sector: &str) -> String {
        self.base()
            .tr
            .t(&format!("meetings.sector.{sector}"))
            .to_string()
    }
}

macro_rules! labels {
    ($($t:ident),+) => {$(
        impl Labels for $t<'_> {
            fn base(&self) -> &Base<'_> {
                &self.base
            }
        }
    )+};
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct ListPage<'a> {
    base: Base<'a>,
    programmes: Vec<MeetingProgramme>,
    organisations: Vec<(i64, String)>,
    form: FormState,
}

#[derive(Template)]
#[template(path = "meeting_programme.html")]
struct ProgrammePage<'a> {
    base: Base<'a>,
    view: ProgrammeView,
    registration: FormState,
    /// Topics and times ticked in a registration shown again.
    ticked: Vec<String>,
    pairing: FormState,
    action: FormState,
    evaluation: FormState,
    questions: Vec<(usize, String)>,
}

#[derive(Template)]
#[template(path = "meeting_pair.html")]
struct PairPage<'a> {
    base: Base<'a>,
    view: PairView,
    plan: FormState,
    note: FormState,
}

labels!(ListPage, ProgrammePage, PairPage);

/// Week slots for the registration form: (value, label) per day, three parts each.
pub fn week_slots(base: &Base<'_>) -> Vec<(String, Vec<(String, String)>)> {
    (0..5)
        .map(|d| {
            let day = base.tr.t(&format!("meetings.day.{d}")).to_string();
            let parts = (0..3)
                .map(|p| {
                    (
                        format!("{d}-{p}"),
                        base.tr.t(&format!("meetings.part.{p}")).to_string(),
                    )
                })
                .collect();
            (day, parts)
        })
        .collect()
}

impl ProgrammePage<'_> {
    fn is_ticked(&self, value: &str) -> bool {
        self.ticked.iter().any(|t| t == value)
    }
    fn slots(&self) -> Vec<(String, Vec<(String, String)>)> {
        week_slots(&self.base)
    }
}

/// What the evaluation partials (`_evaluation_form.html`, `_evaluation_summary.html`) call on
/// the page that includes them.
pub trait Evaluated {
    /// The text "{n} of {of} have answered".
    const ANSWERED: &'static str;
    fn tr(&self) -> &larnav_app::i18n::Tr;
    fn summary(&self) -> Option<&larnav_app::meetings::EvaluationSummary>;

    fn mean(&self, x: &Option<f64>) -> String {
        x.map(|x| self.tr().decimal(x, 1))
            .unwrap_or_else(|| "–".into())
    }
    fn scale(&self) -> Vec<i64> {
        larnav_app::domain::network::SCALE.map(i64::from).collect()
    }
    fn answered(&self) -> String {
        let e = self.summary();
        self.tr().count(
            Self::ANSWERED,
            e.map_or(0, |e| e.answered),
            &[("of", &self.tr().number(e.map_or(0, |e| e.participants)))],
        )
    }
}

impl Evaluated for ProgrammePage<'_> {
    const ANSWERED: &'static str = "meetings.answered";
    fn tr(&self) -> &larnav_app::i18n::Tr {
        &self.base.tr
    }
    fn summary(&self) -> Option<&larnav_app::meetings::EvaluationSummary> {
        self.view.evaluation.as_ref()
    }
}

impl PairPage<'_> {
    fn members(&self) -> [&larnav_app::meetings::ParticipantView; 2] {
        [&self.view.first, &self.view.second]
    }
    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        self.base.tr.datetime(at)
    }
}

pub async fn index(State(app): State<App>, ctx: Ctx) -> PageResult {
    list_page(&app, &ctx, None).await
}

async fn list_page(
    app: &App,
    ctx: &Ctx,
    failed: Option<(&AppError, &ProgrammeForm, &str)>,
) -> PageResult {
    let programmes = app.programmes(&ctx.actor).await?;
    let organisations = app
        .organisations_where(&ctx.actor, Action::ManageNetwork)
        .await?;
    let form = match failed {
        Some((e, f, org)) => FormState::failed(
            ctx,
            e,
            &[
                ("organisation_id", org),
                ("name", &f.name),
                ("description", &f.description),
                ("topics", &f.topics),
            ],
        ),
        None => FormState::with_values(&[(
            "topics",
            &larnav_app::domain::network::MEETING_TOPICS.join("\n"),
        )]),
    };
    render(&ListPage {
        base: Base::new(ctx, ctx.tr.t("meetings.title")),
        programmes,
        organisations,
        form,
    })
}

pub async fn create(State(app): State<App>, ctx: Ctx, body: Bytes) -> PageResult {
    let form: ProgrammeForm = parse_form(&body);
    let org = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "organisation_id")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let result = match org.parse::<i64>() {
        Ok(o) => app.open_programme(&ctx.actor, o, &form).await,
        Err(_) => Err(AppError::invalid("organisation_id", "field.choice_invalid")),
    };
    submitted(
        result,
        |id| redirect_with(&app, &format!("/meetings/{id}"), "meetings.opened"),
        async |e| list_page(&app, &ctx, Some((e, &form, &org))).await,
    )
    .await
}

enum Failed<'a> {
    None,
    Registration(&'a AppError, &'a RegistrationForm),
    Pairing(&'a AppError),
    Action(&'a AppError),
    Evaluation(&'a AppError, &'a EvaluationForm),
}

async fn programme_page(app: &App, ctx: &Ctx, id: i64, failed: Failed<'_>) -> PageResult {
    let view = app.programme_view(&ctx.actor, id, &ctx.tr).await?;
    let mut ticked = Vec::new();
    let registration = match &failed {
        Failed::Registration(e, f) => {
            ticked.extend(f.topics.iter().cloned());
            ticked.extend(f.times.iter().cloned());
            FormState::failed(
                ctx,
                e,
                &[
                    ("sector", &f.sector),
                    ("role", &f.role),
                    ("organisation_name", &f.organisation_name),
                ],
            )
        }
        _ => FormState::default(),
    };
    let evaluation = match &failed {
        Failed::Evaluation(e, f) => {
            let mut s = FormState::failed(ctx, e, &[("comment", &f.comment)]);
            for (i, a) in f.answers.iter().enumerate() {
                s.set(&format!("q{i}"), a.to_string());
            }
            s
        }
        _ => FormState::default(),
    };
    let pick = |f: &Failed<'_>, pairing: bool| match (f, pairing) {
        (Failed::Pairing(e), true) | (Failed::Action(e), false) => FormState::failed(ctx, e, &[]),
        _ => FormState::default(),
    };
    render(&ProgrammePage {
        base: Base::new(ctx, &view.programme.name),
        pairing: pick(&failed, true),
        action: pick(&failed, false),
        questions: QUESTIONS
            .iter()
            .enumerate()
            .map(|(i, q)| (i, ctx.tr.t(q).to_string()))
            .collect(),
        view,
        registration,
        ticked,
        evaluation,
    })
}

pub async fn show(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    programme_page(&app, &ctx, id, Failed::None).await
}

pub async fn register(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let mut form = RegistrationForm::default();
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "sector" => form.sector = v.into_owned(),
            "role" => form.role = v.into_owned(),
            "organisation_name" => form.organisation_name = v.into_owned(),
            "topic" => form.topics.push(v.into_owned()),
            "time" => form.times.push(v.into_owned()),
            _ => {}
        }
    }
    submitted(
        app.register_for_meetings(&ctx.actor, id, &form).await,
        |_| redirect_with(&app, &format!("/meetings/{id}"), "meetings.registered"),
        async |e| programme_page(&app, &ctx, id, Failed::Registration(e, &form)).await,
    )
    .await
}

/// Runs an organiser's action and comes back to the programme with a message, or shows the
/// programme again with the error.
async fn organiser_action(
    app: &App,
    ctx: &Ctx,
    id: i64,
    done_key: &str,
    pairing: bool,
    result: Result<(), AppError>,
) -> PageResult {
    submitted(
        result,
        |()| redirect_with(app, &format!("/meetings/{id}#pairs"), done_key),
        async |e| {
            let failed = if pairing {
                Failed::Pairing(e)
            } else {
                Failed::Action(e)
            };
            programme_page(app, ctx, id, failed).await
        },
    )
    .await
}

pub async fn propose(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let result = app.propose_pairs(&ctx.actor, id).await.map(|_| ());
    organiser_action(&app, &ctx, id, "meetings.proposed", false, result).await
}

pub async fn set_pair(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let field = |name: &str| {
        form_urlencoded::parse(&body)
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.parse::<i64>().ok())
    };
    let result = match (field("first"), field("second")) {
        (Some(a), Some(b)) => app.set_meeting_pair(&ctx.actor, id, a, b).await,
        _ => Err(AppError::invalid("first", "field.choice_invalid")),
    };
    organiser_action(&app, &ctx, id, "meetings.paired", true, result).await
}

pub async fn remove_pair(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, pair)): Path<(i64, i64)>,
) -> PageResult {
    let result = app.remove_meeting_pair(&ctx.actor, id, pair).await;
    organiser_action(&app, &ctx, id, "meetings.unpaired", true, result).await
}

pub async fn publish(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let result = app.publish_programme(&ctx.actor, id).await;
    organiser_action(&app, &ctx, id, "meetings.published", false, result).await
}

pub async fn reopen(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let result = app.reopen_programme(&ctx.actor, id).await;
    organiser_action(&app, &ctx, id, "meetings.reopened", false, result).await
}

pub async fn close(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let result = app.close_programme(&ctx.actor, id).await;
    organiser_action(&app, &ctx, id, "meetings.closed", false, result).await
}

pub async fn evaluate(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let mut form = EvaluationForm::default();
    let mut answers = vec![0i64; QUESTIONS.len()];
    for (k, v) in form_urlencoded::parse(&body) {
        if k == "comment" {
            form.comment = v.into_owned();
        } else if let Some(i) = k.strip_prefix('q').and_then(|i| i.parse::<usize>().ok())
            && i < answers.len()
        {
            answers[i] = v.parse().unwrap_or(0);
        }
    }
    form.answers = answers;
    submitted(
        app.evaluate_meetings(&ctx.actor, id, &form).await,
        |()| redirect_with(&app, &format!("/meetings/{id}"), "meetings.evaluated"),
        async |e| programme_page(&app, &ctx, id, Failed::Evaluation(e, &form)).await,
    )
    .await
}

async fn pair_page(
    app: &App,
    ctx: &Ctx,
    id: i64,
    plan: Option<(&AppError, &MeetingPlanForm)>,
    note: Option<(&AppError, &str)>,
) -> PageResult {
    let view = app.pair_view(&ctx.actor, id).await?;
    let plan = match plan {
        Some((e, f)) => FormState::failed(
            ctx,
            e,
            &[
                ("first_date", &f.first_date),
                ("time", &f.time),
                ("minutes", &f.minutes),
                ("every_weeks", &f.every_weeks),
                ("count", &f.count),
                ("place", &f.place),
            ],
        ),
        None => FormState::with_values(&[
            ("time", "15:00"),
            ("minutes", "60"),
            ("every_weeks", "4"),
            ("count", "6"),
        ]),
    };
    let note = match note {
        Some((e, body)) => FormState::failed(ctx, e, &[("body", body)]),
        None => FormState::default(),
    };
    let title = ctx.tr.fmt(
        "meetings.pair_title",
        &[
            ("first", &view.first.participant.name),
            ("second", &view.second.participant.name),
        ],
    );
    render(&PairPage {
        base: Base::new(ctx, &title),
        view,
        plan,
        note,
    })
}

pub async fn show_pair(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    pair_page(&app, &ctx, id, None, None).await
}

pub async fn plan(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let form: MeetingPlanForm = parse_form(&body);
    submitted(
        app.plan_meetings(&ctx.actor, id, &form).await,
        |_| redirect_with(&app, &format!("/meetings/pairs/{id}"), "meetings.planned"),
        async |e| pair_page(&app, &ctx, id, Some((e, &form)), None).await,
    )
    .await
}

pub async fn add_note(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let text = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "body")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    submitted(
        app.add_meeting_note(&ctx.actor, id, &text).await,
        |()| {
            redirect_with(
                &app,
                &format!("/meetings/pairs/{id}#notes"),
                "meetings.noted",
            )
        },
        async |e| pair_page(&app, &ctx, id, None, Some((e, &text))).await,
    )
    .await
}

pub async fn calendar(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let ics = app.meetings_ical(&ctx.actor, id, &ctx.tr).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"larande-moten-{id}.ics\""),
            ),
        ],
        ics,
    )
        .into_response())
}
