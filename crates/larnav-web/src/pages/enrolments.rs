//! Following an occasion's group up: the group page (who is enrolled, how it ended, enrol
//! one person, end one or many at once) and a session's roll call.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use larnav_app::domain::reporting::{Attribute, DECLINED, Given};
use larnav_app::enrolments::{EndingForm, Group, RollCall};
use larnav_app::records::EnrolmentRow;
use larnav_app::reporting::AttributeField;
use larnav_app::uploads::Upload;
use larnav_app::{App, AppError};

use super::{Base, FormState, PageResult, redirect_with, redirect_with_counts, render, submitted};
use crate::ctx::Ctx;
use crate::error::{ProblemLine, problem_lines};

/// An enrolment's status as people read it, with the day it ended: "Fullföljd 2026-06-05".
pub(crate) fn status_text(
    tr: larnav_app::i18n::Tr,
    status: &str,
    ended_on: Option<chrono::NaiveDate>,
) -> String {
    let status = tr.t(&format!("enrolment.status.{status}")).to_string();
    match ended_on {
        Some(d) => format!("{status} {}", tr.naive_date(&d)),
        None => status,
    }
}

#[derive(Template)]
#[template(path = "enrolments.html")]
struct GroupPage<'a> {
    base: Base<'a>,
    group: Group,
    enrol: FormState,
    ending: FormState,
    /// The enrolments ticked when the ending form failed (kept ticked).
    chosen: Vec<i64>,
    /// A rejected file's problems, and which import it was (`enrolments` or `attendance`).
    lines: Vec<ProblemLine>,
    rejected: &'static str,
}

impl GroupPage<'_> {
    fn date(&self, d: &chrono::NaiveDate) -> String {
        self.base.tr.naive_date(d)
    }
    fn status(&self, e: &EnrolmentRow) -> String {
        let mut text = status_text(self.base.tr, &e.status, e.ended_on);
        if let Some(r) = &e.reason {
            text.push_str(&format!(
                " ({})",
                self.base.tr.t(&format!("enrolment.reason.{r}"))
            ));
        }
        text
    }
    fn attendance(&self, e: &EnrolmentRow) -> String {
        self.base.tr.fmt(
            "enrolment.attended_of",
            &[
                ("present", &e.present.to_string()),
                ("marked", &e.marked.to_string()),
            ],
        )
    }
    fn credits(&self, e: &EnrolmentRow) -> String {
        let mut parts = Vec::new();
        if let Some(c) = e.credits {
            parts.push(self.base.tr.decimal(c, 1));
        }
        if let Some(g) = &e.grade {
            parts.push(g.clone());
        }
        parts.join(", ")
    }
    fn reasons(&self) -> Vec<(&'static str, String)> {
        larnav_app::domain::enrolment::InterruptionReason::ALL
            .iter()
            .map(|r| {
                let key = r.as_str();
                let label = self
                    .base
                    .tr
                    .t(&format!("enrolment.reason.{key}"))
                    .to_string();
                (key, label)
            })
            .collect()
    }
    /// Whether the ending form's `name` holds `value` (a ticked radio, a selected option).
    fn picked(&self, name: &str, value: &str) -> bool {
        self.ending.value(name) == value
    }
    fn open_count(&self) -> usize {
        self.group
            .enrolments
            .iter()
            .filter(|e| e.status == "enrolled")
            .count()
    }
}

/// The values of the ending form, as typed.
fn ending_values(f: &EndingForm) -> Vec<(&'static str, &str)> {
    vec![
        ("outcome", f.outcome.as_str()),
        ("on", f.on.as_str()),
        ("reason", f.reason.as_str()),
        ("note", f.note.as_str()),
        ("credits", f.credits.as_str()),
        ("grade", f.grade.as_str()),
        ("correction", f.correction.as_str()),
    ]
}

async fn group_page(
    app: &App,
    ctx: &Ctx,
    occasion: i64,
    enrol: FormState,
    ending: FormState,
    chosen: Vec<i64>,
) -> PageResult {
    group_page_with(
        app,
        ctx,
        occasion,
        (enrol, ending, chosen),
        ("", Vec::new()),
    )
    .await
}

/// The group page with its two forms' states and the ticked rows, and a rejected file's
/// problems under the form of `which` import (`enrolments` or `attendance`).
async fn group_page_with(
    app: &App,
    ctx: &Ctx,
    occasion: i64,
    (enrol, ending, chosen): (FormState, FormState, Vec<i64>),
    (rejected, lines): (&'static str, Vec<ProblemLine>),
) -> PageResult {
    let group = app.group(&ctx.actor, occasion).await?;
    let title = ctx
        .tr
        .fmt("enrolment.title", &[("title", &group.offering.title)]);
    render(&GroupPage {
        base: Base::new(ctx, &title),
        group,
        enrol,
        ending,
        chosen,
        lines,
        rejected,
    })
}

pub async fn group(State(app): State<App>, ctx: Ctx, Path(occasion): Path<i64>) -> PageResult {
    let ending = FormState::with_values(&[("outcome", "completed")]);
    group_page(
        &app,
        &ctx,
        occasion,
        FormState::default(),
        ending,
        Vec::new(),
    )
    .await
}

pub async fn enrol(
    State(app): State<App>,
    ctx: Ctx,
    Path(occasion): Path<i64>,
    body: Bytes,
) -> PageResult {
    let email = super::field(&super::fields(&body), "email").to_string();
    submitted(
        app.enrol(&ctx.actor, occasion, &email).await,
        |_| {
            redirect_with(
                &app,
                &format!("/occasions/{occasion}/group"),
                "enrolment.enrolled",
            )
        },
        async |e: &AppError| {
            let enrol = FormState::failed(&ctx, e, &[("email", &email)]);
            let ending = FormState::with_values(&[("outcome", "completed")]);
            group_page(&app, &ctx, occasion, enrol, ending, Vec::new()).await
        },
    )
    .await
}

pub async fn end(
    State(app): State<App>,
    ctx: Ctx,
    Path(occasion): Path<i64>,
    body: Bytes,
) -> PageResult {
    let fields = super::fields(&body);
    let value = |name| super::field(&fields, name).to_string();
    let form = EndingForm {
        outcome: value("outcome"),
        on: value("on"),
        reason: value("reason"),
        note: value("note"),
        credits: value("credits"),
        grade: value("grade"),
        correction: value("correction"),
    };
    // Each ticked row is "id:version", so a row saved by someone else meanwhile is refused.
    let chosen: Vec<(i64, i64)> = super::all(&fields, "enrolment")
        .iter()
        .filter_map(|v| {
            let (id, version) = v.split_once(':')?;
            Some((id.parse().ok()?, version.parse().ok()?))
        })
        .collect();
    submitted(
        app.end_enrolments(&ctx.actor, occasion, &chosen, &form)
            .await,
        |n| {
            redirect_with_counts(
                &app,
                &format!("/occasions/{occasion}/group"),
                "enrolment.ended",
                &[("n", n as i64)],
            )
        },
        async |e: &AppError| {
            let ending = FormState::failed(&ctx, e, &ending_values(&form));
            let ids = chosen.iter().map(|(id, _)| *id).collect();
            group_page(&app, &ctx, occasion, FormState::default(), ending, ids).await
        },
    )
    .await
}

/// The group page again with a rejected file's problems listed under its form.
async fn rejected_page(
    app: &App,
    ctx: &Ctx,
    occasion: i64,
    which: &'static str,
    e: &AppError,
) -> PageResult {
    let forms = (
        FormState::default(),
        FormState::with_values(&[("outcome", "completed")]),
        Vec::new(),
    );
    let lines = problem_lines(ctx.tr, &crate::error::import_problems(e));
    group_page_with(app, ctx, occasion, forms, (which, lines)).await
}

/// A group file uploaded (`which`: `enrolments`, a list of people to enrol, or `attendance`,
/// a filled-in attendance sheet), all or nothing.
pub async fn import_group_file(
    State(app): State<App>,
    ctx: Ctx,
    Path((occasion, which)): Path<(i64, String)>,
    mut multipart: axum::extract::Multipart,
) -> PageResult {
    let which = match which.as_str() {
        "enrolments" => "enrolments",
        "attendance" => "attendance",
        _ => return Err(AppError::NotFound.into()),
    };
    let result = match super::read_upload(&mut multipart, Upload::GroupFile).await {
        Err(e) => Err(e),
        Ok((_, bytes)) if which == "enrolments" => app
            .import_enrolments(&ctx.actor, occasion, &bytes)
            .await
            .map(|n| ("enrolment.imported", n)),
        Ok((_, bytes)) => app
            .import_attendance(&ctx.actor, occasion, &bytes)
            .await
            .map(|i| ("enrolment.attendance_imported", i.marks)),
    };
    submitted(
        result,
        |(message, n)| {
            redirect_with_counts(
                &app,
                &format!("/occasions/{occasion}/group"),
                message,
                &[("n", n as i64)],
            )
        },
        async |e: &AppError| rejected_page(&app, &ctx, occasion, which, e).await,
    )
    .await
}

/// The attendance sheet to fill in, as CSV or XLSX.
pub async fn attendance_sheet(
    State(app): State<App>,
    ctx: Ctx,
    Path((occasion, format)): Path<(i64, String)>,
) -> PageResult {
    let sheet = app.attendance_sheet(&ctx.actor, occasion).await?;
    crate::pages::table_download(&sheet.name, &format, sheet.headers, &sheet.rows)
}

#[derive(Template)]
#[template(path = "roll_call.html")]
struct RollCallPage<'a> {
    base: Base<'a>,
    call: RollCall,
    form: FormState,
}

impl RollCallPage<'_> {
    fn status(&self, e: &EnrolmentRow) -> String {
        status_text(self.base.tr, &e.status, None)
    }
}

async fn roll_call_page(
    app: &App,
    ctx: &Ctx,
    occasion: i64,
    session: i64,
    form: FormState,
) -> PageResult {
    let call = app.roll_call(&ctx.actor, occasion, session).await?;
    let title = ctx.tr.fmt(
        "enrolment.roll_call_title",
        &[("session", &call.session.title)],
    );
    render(&RollCallPage {
        base: Base::new(ctx, &title),
        call,
        form,
    })
}

pub async fn roll_call(
    State(app): State<App>,
    ctx: Ctx,
    Path((occasion, session)): Path<(i64, i64)>,
) -> PageResult {
    roll_call_page(&app, &ctx, occasion, session, FormState::default()).await
}

pub async fn mark(
    State(app): State<App>,
    ctx: Ctx,
    Path((occasion, session)): Path<(i64, i64)>,
    body: Bytes,
) -> PageResult {
    let present: Vec<i64> = super::all(&super::fields(&body), "present")
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    submitted(
        app.mark_attendance(&ctx.actor, occasion, session, &present)
            .await,
        |n| {
            redirect_with_counts(
                &app,
                &format!("/occasions/{occasion}/group"),
                "enrolment.marked",
                &[("n", n as i64)],
            )
        },
        async |e: &AppError| {
            let form = FormState::failed(&ctx, e, &[]);
            roll_call_page(&app, &ctx, occasion, session, form).await
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "follow_up.html")]
struct FollowUpPage<'a> {
    base: Base<'a>,
    token: String,
    follow_up: larnav_app::records::FollowUp,
    kommuner: Vec<(String, String)>,
    form: FormState,
}

impl FollowUpPage<'_> {
    /// The yes/no questions in order: (question, its text, the answer so far).
    fn questions(&self) -> Vec<(&'static str, String, Option<bool>)> {
        let f = &self.follow_up;
        let tr = &self.base.tr;
        let mut out = vec![(
            "in_work",
            tr.t("follow_up.q.in_work").to_string(),
            f.in_work,
        )];
        if let Some(o) = &f.occupation {
            out.push((
                "in_occupation",
                tr.fmt("follow_up.q.in_occupation", &[("occupation", o)]),
                f.in_occupation,
            ));
        }
        if let Some(e) = &f.employer {
            out.push((
                "with_employer",
                tr.fmt("follow_up.q.with_employer", &[("employer", e)]),
                f.with_employer,
            ));
        }
        out.push((
            "further_studies",
            tr.t("follow_up.q.further_studies").to_string(),
            f.further_studies,
        ));
        out
    }
    fn chosen_kommun(&self, code: &str) -> bool {
        self.follow_up.kommun_code.as_deref() == Some(code)
    }
}

async fn follow_up_page(app: &App, ctx: &Ctx, token: &str, form: FormState) -> PageResult {
    let follow_up = app.follow_up(token).await?;
    let places = app.places().await?;
    let period = ctx.tr.count("follow_up.period", follow_up.months, &[]);
    let title = ctx.tr.fmt("follow_up.title", &[("period", &period)]);
    render(&FollowUpPage {
        base: Base::new(ctx, &title),
        token: token.to_string(),
        follow_up,
        kommuner: places.kommuner.clone(),
        form,
    })
}

/// The follow-up questions a mailed link opens (no sign-in).
pub async fn follow_up(State(app): State<App>, ctx: Ctx, Path(token): Path<String>) -> PageResult {
    follow_up_page(&app, &ctx, &token, FormState::default()).await
}

/// One click: one question's answer (`question`, `value`), then the page again.
pub async fn answer(
    State(app): State<App>,
    ctx: Ctx,
    Path(token): Path<String>,
    body: Bytes,
) -> PageResult {
    let fields = super::fields(&body);
    let question = super::field(&fields, "question").to_string();
    let value = super::field(&fields, "value").to_string();
    submitted(
        app.answer_follow_up(&token, &question, &value).await,
        |()| redirect_with(&app, &format!("/follow-up/{token}"), "follow_up.saved"),
        async |e: &AppError| {
            let form = FormState::failed(&ctx, e, &[]);
            follow_up_page(&app, &ctx, &token, form).await
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage<'a> {
    base: Base<'a>,
    name: String,
    e: larnav_app::records::LearnerEnrolment,
    issued: chrono::NaiveDate,
}

/// A printable certificate of completion for one of the learner's completed courses.
pub async fn certificate(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let (name, e) = app.certificate(&ctx.actor, id).await?;
    render(&CertificatePage {
        base: Base::new(&ctx, ctx.tr.t("certificate.title")),
        name,
        e,
        issued: larnav_app::catalogue::today_in_sweden(),
    })
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct OutcomeQuery {
    area: String,
    year: String,
}

impl OutcomeQuery {
    /// The year asked for; this year when none is.
    fn year(&self) -> Result<i32, AppError> {
        match self.year.trim() {
            "" => Ok(chrono::Datelike::year(
                &larnav_app::catalogue::today_in_sweden(),
            )),
            y => y
                .parse()
                .map_err(|_| AppError::invalid("year", "outcomes.year_invalid")),
        }
    }
}

#[derive(Template)]
#[template(path = "outcomes.html")]
struct OutcomesPage<'a> {
    base: Base<'a>,
    view: larnav_app::enrolments::OutcomeView,
    lan: Vec<(String, String)>,
    years: Vec<i32>,
}

impl OutcomesPage<'_> {
    fn n(&self, n: &Option<i64>) -> String {
        match n {
            Some(n) => self.base.tr.number(*n),
            None => "–".into(),
        }
    }
    fn pct(&self, p: &Option<f64>) -> String {
        match p {
            Some(p) => format!("{} %", self.base.tr.decimal(*p, 0)),
            None => "–".into(),
        }
    }
    fn query(&self) -> String {
        format!("area={}&year={}", self.view.area, self.view.year)
    }
}

/// The region's follow-up per area and year (analysts).
pub async fn outcomes(
    State(app): State<App>,
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<OutcomeQuery>,
) -> PageResult {
    let view = app.outcome_view(&ctx.actor, &q.area, q.year()?).await?;
    let places = app.places().await?;
    let this_year = chrono::Datelike::year(&larnav_app::catalogue::today_in_sweden());
    let title = ctx.tr.t("outcomes.title").to_string();
    render(&OutcomesPage {
        base: Base::new(&ctx, &title),
        view,
        lan: places.lan.clone(),
        years: (this_year - 4..=this_year).rev().collect(),
    })
}

/// The regional vocational adult education report for a län and year (analysts).
pub async fn vocational_report(
    State(app): State<App>,
    ctx: Ctx,
    Path(format): Path<String>,
    axum::extract::Query(q): axum::extract::Query<OutcomeQuery>,
) -> PageResult {
    let report = app
        .vocational_report(&ctx.actor, q.area.trim(), q.year()?)
        .await?;
    crate::pages::table_download(&report.name, &format, report.headers, &report.rows)
}

/// A provider's ESF-style monthly participant file for a year (provider staff).
pub async fn esf_report(
    State(app): State<App>,
    ctx: Ctx,
    Path((org, format)): Path<(i64, String)>,
    axum::extract::Query(q): axum::extract::Query<OutcomeQuery>,
) -> PageResult {
    let report = app.esf_report(&ctx.actor, org, q.year()?).await?;
    crate::pages::table_download(&report.name, &format, report.headers, &report.rows)
}

/// The same tables as CSV or XLSX, suppressed the same way.
pub async fn outcomes_download(
    State(app): State<App>,
    ctx: Ctx,
    Path(format): Path<String>,
    axum::extract::Query(q): axum::extract::Query<OutcomeQuery>,
) -> PageResult {
    let v = app.outcome_view(&ctx.actor, &q.area, q.year()?).await?;
    let tr = &ctx.tr;
    let n = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_else(|| "–".into());
    let pct = |p: Option<f64>| p.map(|p| tr.decimal(p, 1)).unwrap_or_else(|| "–".into());
    let headers = [
        tr.t("outcomes.col.table"),
        tr.t("outcomes.col.group"),
        tr.t("outcomes.col.participants_or_asked"),
        tr.t("outcomes.col.completed_or_answered"),
        tr.t("outcomes.col.interrupted_or_in_work"),
        tr.t("outcomes.col.not_passed_or_in_occupation"),
        tr.t("outcomes.col.ongoing"),
        tr.t("outcomes.col.rate"),
    ];
    let status_cells = |r: &larnav_app::enrolments::StatusRow| {
        vec![
            n(r.participants),
            n(r.completed),
            n(r.interrupted),
            n(r.not_passed),
            n(r.ongoing),
            pct(r.completion_rate),
        ]
    };
    let mut rows: Vec<Vec<String>> = v
        .kommuner
        .iter()
        .map(|k| {
            let name = if k.kommun_name.is_empty() {
                tr.t("outcomes.no_kommun").to_string()
            } else {
                k.kommun_name.clone()
            };
            [
                vec![tr.t("outcomes.kommuner").to_string(), name],
                status_cells(&k.row),
            ]
            .concat()
        })
        .collect();
    rows.extend(v.kinds.iter().map(|k| {
        let kind = tr.t(&format!("offering_kind.{}", k.kind)).to_string();
        let group = match k.seqf_level {
            Some(l) => format!("{kind}, SeQF {l}"),
            None => kind,
        };
        [
            vec![tr.t("outcomes.kinds").to_string(), group],
            status_cells(&k.row),
        ]
        .concat()
    }));
    rows.extend(v.occupations.iter().map(|o| {
        vec![
            tr.t("outcomes.occupations").to_string(),
            format!("{} {}", o.ssyk_code, o.occupation)
                .trim()
                .to_string(),
            n(o.asked),
            n(o.answered),
            n(o.in_work),
            n(o.in_occupation),
            String::new(),
            pct(o.work_rate),
        ]
    }));
    let headers: Vec<&str> = headers.to_vec();
    super::table_download(
        &format!(
            "uppfoljning-{}-{}",
            if v.area.is_empty() { "riket" } else { &v.area },
            v.year
        ),
        &format,
        &headers,
        &rows,
    )
}

#[derive(Template)]
#[template(path = "reporting_attributes.html")]
struct ReportingPage<'a> {
    base: Base<'a>,
    r: larnav_app::reporting::ReportingForm,
    kommuner: Vec<(String, String)>,
    form: FormState,
}

impl ReportingPage<'_> {
    fn text(&self, attribute: &Attribute, what: &str) -> String {
        self.base
            .tr
            .t(&format!("reporting.{}.{what}", attribute.key()))
            .to_string()
    }
    /// The reports that use it, named.
    fn used_by(&self, attribute: &Attribute) -> String {
        attribute
            .used_by()
            .iter()
            .map(|r| self.base.tr.t(&format!("reporting.report.{r}")).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
    fn kept(&self, months: &u32) -> String {
        self.base
            .tr
            .fmt("reporting.kept", &[("months", &months.to_string())])
    }
    /// A choice's text: a birth-year band as years, the others from the translations.
    fn choice(&self, attribute: &Attribute, value: &str) -> String {
        match attribute {
            Attribute::BirthYearBand => value
                .parse::<i32>()
                .map_or_else(|_| value.to_string(), |y| format!("{y}–{}", y + 4)),
            _ => self.text(attribute, &format!("value.{value}")),
        }
    }
    /// What the field shows chosen: the value typed in a failed submit, else what was given.
    fn chosen(&self, field: &AttributeField) -> String {
        let typed = self.form.value(field.attribute.key());
        if !typed.is_empty() || self.form.has_errors() {
            return typed.to_string();
        }
        match &field.given {
            Some(Given::Value(v)) => v.clone(),
            Some(Given::Declined) => DECLINED.to_string(),
            None => String::new(),
        }
    }
}

async fn reporting_page(app: &App, ctx: &Ctx, id: i64, form: FormState) -> PageResult {
    let r = app.reporting_attributes(&ctx.actor, id).await?;
    let places = app.places().await?;
    render(&ReportingPage {
        base: Base::new(ctx, ctx.tr.t("reporting.title")),
        r,
        kommuner: places.kommuner.clone(),
        form,
    })
}

/// The learner's reporting attributes on one of their enrolments: why each is asked, which
/// report uses it, how long it is kept, and a choice to decline.
pub async fn reporting(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    reporting_page(&app, &ctx, id, FormState::default()).await
}

pub async fn give_reporting(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> PageResult {
    submitted(
        app.give_reporting_attributes(&ctx.actor, id, &f).await,
        |()| redirect_with(&app, "/account/record#rec-enrolments", "reporting.saved"),
        async |e| {
            let values: Vec<(&str, &str)> =
                f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            reporting_page(&app, &ctx, id, FormState::failed(&ctx, e, &values)).await
        },
    )
    .await
}
