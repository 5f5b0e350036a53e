//! The learner's own record: the page, the JSON export and erasing the account.

use crate::ctx::Ctx;
use crate::pages::{
    Base, Failed, FormState, PageResult, field, fields, is_form_error, render, shown_again, state,
};
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use larnav_app::record::{ERASURE_KEEPS, LearnerRecord};
use larnav_app::{App, AppError};

use super::*;

#[derive(Template)]
#[template(path = "record.html")]
pub(super) struct RecordPage<'a> {
    pub(super) base: Base<'a>,
    record: LearnerRecord,
    erase: FormState,
}

impl RecordPage<'_> {
    fn keeps(&self) -> Vec<&'static str> {
        ERASURE_KEEPS.to_vec()
    }
    fn steps_done(&self, done: &usize, total: &usize) -> String {
        self.base.tr.fmt(
            "development.done_of",
            &[("done", &done.to_string()), ("total", &total.to_string())],
        )
    }
    fn enrolment_status(&self, e: &larnav_app::records::LearnerEnrolment) -> String {
        crate::pages::enrolments::status_text(self.base.tr, &e.status, e.ended_on)
    }
    fn attended(&self, e: &larnav_app::records::LearnerEnrolment) -> String {
        self.base.tr.fmt(
            "record.enrolment_attended",
            &[
                ("present", &e.present.to_string()),
                ("held", &e.sessions_held.to_string()),
            ],
        )
    }
    /// "Kurs X, efter 6 månader: Har du ett arbete nu? Ja · …" (or "inte besvarad").
    fn follow_up_line(&self, f: &larnav_app::records::FollowUp) -> String {
        let tr = &self.base.tr;
        let period = tr.count("follow_up.period", f.months, &[]);
        let head = tr.fmt(
            "record.follow_up_line",
            &[("title", &f.title), ("period", &period)],
        );
        let yes_no = |b: bool| tr.t(if b { "follow_up.yes" } else { "follow_up.no" });
        let mut answers = Vec::new();
        for (key, answer) in [
            ("follow_up.q.in_work", f.in_work),
            ("follow_up.q.further_studies", f.further_studies),
        ] {
            if let Some(a) = answer {
                answers.push(format!("{} {}", tr.t(key), yes_no(a)));
            }
        }
        if f.in_occupation == Some(true) {
            answers.push(tr.t("record.follow_up_in_occupation").to_string());
        }
        if f.answered_at.is_none() {
            answers.push(tr.t("record.follow_up_unanswered").to_string());
        }
        format!("{head}: {}", answers.join(" · "))
    }
    fn meetings_text(&self, n: &i64) -> String {
        self.base.tr.count("record.meetings_n", *n, &[])
    }
}

async fn record_page(app: &App, ctx: &Ctx, failed: Option<&Failed<'_>>) -> PageResult {
    let record = app.learner_record(ctx.caller()?).await?;
    render(&RecordPage {
        base: Base::new(ctx, ctx.tr.t("record.title")),
        record,
        erase: state(ctx, failed, "erase"),
    })
}

pub async fn record(State(app): State<App>, ctx: Ctx) -> PageResult {
    record_page(&app, &ctx, None).await
}

/// The record as a JSON file to keep (GDPR art. 15 and 20).
pub async fn record_json(State(app): State<App>, ctx: Ctx) -> PageResult {
    let record = app.learner_record(ctx.caller()?).await?;
    let bytes =
        serde_json::to_vec_pretty(&record).map_err(|e| AppError::internal("record json", e))?;
    Ok(crate::pages::download(
        &format!(
            "larnav-larlogg-{}.json",
            record.exported_at.format("%Y-%m-%d")
        ),
        "application/json",
        bytes,
    ))
}

pub async fn erase_account(State(app): State<App>, ctx: Ctx, body: Bytes) -> PageResult {
    let values = fields(&body);
    let caller = ctx.caller()?;
    match app
        .erase_account(
            caller,
            field(&values, "password"),
            field(&values, "confirm") == "1",
        )
        .await
    {
        Ok(()) => Ok(crate::pages::auth::signed_out(&app, "record.erased")),
        Err(e) if is_form_error(&e) => {
            // The password is never shown again.
            let kept: Vec<(String, String)> = values
                .into_iter()
                .filter(|(k, _)| k != "password")
                .collect();
            let failed = Failed::new("erase", &e, &kept);
            shown_again(&e, record_page(&app, &ctx, Some(&failed)).await)
        }
        Err(e) => Err(e.into()),
    }
}
