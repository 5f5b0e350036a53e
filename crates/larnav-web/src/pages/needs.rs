//! Employer need reports: an organisation's reports with the form and the file import, the
//! template downloads, and every report for analysts.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use larnav_app::domain::Action;
use larnav_app::needs::{NeedForm, NeedImport, RepeatedRows, need_template};
use larnav_app::records::{NeedReport, Organisation};
use larnav_app::uploads::Upload;
use larnav_app::{App, AppError, ImportProblem};

use super::table_download;
use super::{
    Base, FormState, KommunGroups, PageResult, field, kommun_groups, read_upload_with,
    redirect_with, render, shown_again, submitted,
};
use crate::ctx::Ctx;
use crate::error::{ProblemLine, problem_lines};

#[derive(Template)]
#[template(path = "needs.html")]
struct NeedsPage<'a> {
    base: Base<'a>,
    org: Organisation,
    reports: Vec<NeedReport>,
    can_report: bool,
    form: FormState,
    occupations: Vec<String>,
    kommun_groups: KommunGroups,
    lines: Vec<ProblemLine>,
    import_summary: Option<String>,
    /// The file repeated earlier reports: why it was not imported, with the choice shown.
    repeated: Option<String>,
}

impl NeedsPage<'_> {
    fn is_employer(&self) -> bool {
        self.org.kind == larnav_app::domain::OrganisationKind::Employer
    }
    fn selected(&self, code: &str) -> bool {
        self.form.value("kommun_code") == code
    }
    fn difficulty_selected(&self, d: &u8) -> bool {
        self.form.value("difficulty") == d.to_string()
    }
}

/// What went wrong last, for showing the page again.
enum Failed<'f> {
    Form(&'f AppError, &'f NeedForm),
    Import(&'f [ImportProblem]),
    /// The file repeats earlier reports: the person chooses to replace or add them.
    Repeated(&'f AppError),
    Imported(&'f NeedImport),
}

async fn needs_page(app: &App, ctx: &Ctx, org_id: i64, failed: Option<Failed<'_>>) -> PageResult {
    let reports = app.need_reports(&ctx.actor, Some(org_id)).await?;
    let org = app.organisation(&ctx.actor, org_id).await?;
    let can_report = app.may(&ctx.actor, Action::ReportNeeds(org_id));
    let mut form = FormState::with_values(&[("difficulty", "3")]);
    let mut lines = Vec::new();
    let mut import_summary = None;
    let mut repeated = None;
    match failed {
        Some(Failed::Form(e, f)) => {
            form = FormState::failed(
                ctx,
                e,
                &[
                    ("employer_name", &f.employer_name),
                    ("ssyk_code", &f.ssyk_code),
                    ("kommun_code", &f.kommun_code),
                    ("needed_now", &f.needed_now),
                    ("needed_1y", &f.needed_1y),
                    ("needed_3y", &f.needed_3y),
                    ("difficulty", &f.difficulty),
                    ("comment", &f.comment),
                ],
            )
        }
        Some(Failed::Import(problems)) => lines = problem_lines(ctx.tr, problems),
        Some(Failed::Repeated(e)) => repeated = Some(ctx.tr.t(e.message_key()).to_string()),
        Some(Failed::Imported(i)) => {
            let mut summary = ctx.tr.fmt(
                "needs.imported",
                &[
                    ("reports", &ctx.tr.number(i.reports as i64)),
                    ("people", &ctx.tr.number(i.people_now)),
                ],
            );
            if i.replaced > 0 {
                summary.push(' ');
                summary.push_str(&ctx.tr.fmt(
                    "needs.replaced",
                    &[("n", &ctx.tr.number(i.replaced as i64))],
                ));
            }
            import_summary = Some(summary);
        }
        None => {}
    }
    let (occupations, kommun_groups) = if can_report {
        (
            app.occupation_choices().await?,
            kommun_groups(app, ctx).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    render(&NeedsPage {
        base: Base::new(ctx, ctx.tr.t("needs.title")),
        org,
        reports,
        can_report,
        form,
        occupations,
        kommun_groups,
        lines,
        import_summary,
        repeated,
    })
}

/// The result of an import, as its redirect carries it.
#[derive(serde::Deserialize)]
pub struct ImportedQuery {
    imported: Option<usize>,
    people: Option<i64>,
    replaced: Option<usize>,
}

pub async fn list(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
    Query(q): Query<ImportedQuery>,
) -> PageResult {
    let imported = q.imported.map(|reports| NeedImport {
        reports,
        people_now: q.people.unwrap_or_default(),
        replaced: q.replaced.unwrap_or_default(),
    });
    needs_page(&app, &ctx, org, imported.as_ref().map(Failed::Imported)).await
}

pub async fn create(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
    body: Bytes,
) -> PageResult {
    let mut form = NeedForm::default();
    for (k, v) in form_urlencoded::parse(&body) {
        let v = v.into_owned();
        match k.as_ref() {
            "employer_name" => form.employer_name = v,
            "ssyk_code" => form.ssyk_code = v,
            "kommun_code" => form.kommun_code = v,
            "needed_now" => form.needed_now = v,
            "needed_1y" => form.needed_1y = v,
            "needed_3y" => form.needed_3y = v,
            "difficulty" => form.difficulty = v,
            "comment" => form.comment = v,
            _ => {}
        }
    }
    submitted(
        app.report_need(&ctx.actor, org, &form).await,
        |()| {
            redirect_with(
                &app,
                &format!("/organisations/{org}/needs"),
                "needs.reported",
            )
        },
        async |e| needs_page(&app, &ctx, org, Some(Failed::Form(e, &form))).await,
    )
    .await
}

pub async fn import(
    State(app): State<App>,
    ctx: Ctx,
    Path(org): Path<i64>,
    mut multipart: Multipart,
) -> PageResult {
    let mut fields = Vec::new();
    let result = match read_upload_with(&mut multipart, Upload::NeedFile, &mut fields).await {
        Ok((_, bytes)) => {
            let repeated = RepeatedRows::parse(field(&fields, "repeated"));
            app.import_needs(&ctx.actor, org, &bytes, repeated).await
        }
        Err(e) => Err(e),
    };
    match result {
        // Post/redirect/get: reloading the page shows the result again, it does not import
        // the file again. The counts travel in the address (they are not personal data).
        Ok(i) => Ok(Redirect::to(&format!(
            "/organisations/{org}/needs?imported={}&people={}&replaced={}",
            i.reports, i.people_now, i.replaced
        ))
        .into_response()),
        Err(e @ AppError::Conflict { .. }) => shown_again(
            &e,
            needs_page(&app, &ctx, org, Some(Failed::Repeated(&e))).await,
        ),
        Err(e @ (AppError::ImportRejected(_) | AppError::Validation(_))) => {
            let problems = crate::error::import_problems(&e);
            shown_again(
                &e,
                needs_page(&app, &ctx, org, Some(Failed::Import(&problems))).await,
            )
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let org = app.delete_need_report(&ctx.actor, id).await?;
    Ok(redirect_with(
        &app,
        &format!("/organisations/{org}/needs"),
        "needs.deleted",
    ))
}

pub async fn template(Path(format): Path<String>) -> PageResult {
    let (headers, rows) = need_template();
    table_download("behovsrapporter-mall", &format, &headers, &rows)
}

#[derive(Template)]
#[template(path = "needs_all.html")]
struct AllNeedsPage<'a> {
    base: Base<'a>,
    reports: Vec<NeedReport>,
}

pub async fn all(State(app): State<App>, ctx: Ctx) -> PageResult {
    render(&AllNeedsPage {
        base: Base::new(&ctx, ctx.tr.t("needs.all_title")),
        reports: app.need_reports(&ctx.actor, None).await?,
    })
}

/// Every report as CSV/XLSX in the import template's columns (plus who filed it and when), so
/// an export can be edited and imported again.
pub async fn export(State(app): State<App>, ctx: Ctx, Path(format): Path<String>) -> PageResult {
    let reports = app.need_reports(&ctx.actor, None).await?;
    let (mut headers, _) = need_template();
    headers.extend(["organisation", "rapporterad"]);
    let rows: Vec<Vec<String>> = reports
        .into_iter()
        .map(|r| {
            vec![
                r.employer_name,
                r.ssyk_code,
                r.kommun_code,
                r.needed_now.to_string(),
                r.needed_1y.to_string(),
                r.needed_3y.to_string(),
                r.difficulty.to_string(),
                r.comment,
                r.organisation_name,
                r.reported_at.format("%Y-%m-%d").to_string(),
            ]
        })
        .collect();
    table_download("behovsrapporter", &format, &headers, &rows)
}
