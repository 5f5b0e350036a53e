//! The audit log: the whole platform's for its administrators, one organisation's for its
//! administrators; filtered by who, what and when, and exported as CSV or XLSX.

use askama::Template;
use axum::extract::{Path, Query, State};
use larnav_app::App;
use larnav_app::admin::{AUDIT_EVENTS, AUDIT_EXPORT_LIMIT, AuditSearch};
use larnav_app::i18n::Tr;
use larnav_app::records::AuditEvent;
use serde::Deserialize;

use super::{Base, FormState, PageResult, is_form_error, render, shown_again, table_download};
use crate::ctx::Ctx;

const AUDIT_PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    base: Base<'a>,
    heading: String,
    /// `/admin/audit` or `/organisations/{id}/audit`.
    path: String,
    search: AuditSearch,
    /// The search as a query string, for the export links and the next page.
    query: String,
    form: FormState,
    events: Vec<AuditEvent>,
    older: Option<String>,
}

impl AuditPage<'_> {
    fn event(&self, action: &str) -> String {
        event_name(self.base.tr, action)
    }

    /// Every event to filter by, in Swedish order of its name: (code, name, chosen).
    fn events_to_choose(&self) -> Vec<(&'static str, String, bool)> {
        let mut all: Vec<_> = AUDIT_EVENTS
            .iter()
            .map(|a| (*a, event_name(self.base.tr, a), self.search.what == *a))
            .collect();
        larnav_app::domain::text::sort_swedish_by(&mut all, |e| &e.1);
        all
    }
}

/// The event's name in the page's language; the code itself for an event Lärnav no longer
/// writes.
fn event_name(tr: Tr, action: &str) -> String {
    tr.get(&format!("audit.event.{action}"))
        .unwrap_or(action)
        .to_string()
}

#[derive(Deserialize)]
pub struct Before {
    before: Option<i64>,
}

fn query_string(s: &AuditSearch) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("who", &s.who)
        .append_pair("what", &s.what)
        .append_pair("from", &s.from)
        .append_pair("to", &s.to)
        .finish()
}

async fn audit_page(
    app: &App,
    ctx: &Ctx,
    organisation: Option<i64>,
    search: AuditSearch,
    before: Option<i64>,
) -> PageResult {
    let (path, heading) = match organisation {
        Some(id) => {
            let org = app.organisation(&ctx.actor, id).await?;
            (
                format!("/organisations/{id}/audit"),
                format!("{} – {}", ctx.tr.t("org.audit"), org.name),
            )
        }
        None => (
            "/admin/audit".to_string(),
            ctx.tr.t("admin.audit").to_string(),
        ),
    };
    let query = query_string(&search);
    let page = |events: Vec<AuditEvent>, form: FormState| {
        let older = (events.len() as i64 == AUDIT_PAGE)
            .then(|| {
                events
                    .last()
                    .map(|e| format!("{path}?{query}&before={}", e.id))
            })
            .flatten();
        render(&AuditPage {
            base: Base::new(ctx, &heading),
            heading: heading.clone(),
            path: path.clone(),
            search: search.clone(),
            query: query.clone(),
            form,
            events,
            older,
        })
    };
    let values = [
        ("who", search.who.as_str()),
        ("what", search.what.as_str()),
        ("from", search.from.as_str()),
        ("to", search.to.as_str()),
    ];
    match app
        .audit_log(&ctx.actor, organisation, &search, before, AUDIT_PAGE)
        .await
    {
        Ok(events) => page(events, FormState::with_values(&values)),
        Err(e) if is_form_error(&e) => {
            shown_again(&e, page(Vec::new(), FormState::failed(ctx, &e, &values)))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn platform(
    State(app): State<App>,
    ctx: Ctx,
    Query(b): Query<Before>,
    Query(search): Query<AuditSearch>,
) -> PageResult {
    audit_page(&app, &ctx, None, search, b.before).await
}

pub async fn organisation(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(b): Query<Before>,
    Query(search): Query<AuditSearch>,
) -> PageResult {
    audit_page(&app, &ctx, Some(id), search, b.before).await
}

/// The filtered log as a table, newest first, at most [`AUDIT_EXPORT_LIMIT`] events.
async fn export(
    app: &App,
    ctx: &Ctx,
    organisation: Option<i64>,
    search: &AuditSearch,
    format: &str,
) -> PageResult {
    let events = app
        .audit_log(&ctx.actor, organisation, search, None, AUDIT_EXPORT_LIMIT)
        .await?;
    let tr = ctx.tr;
    let headers = [
        tr.t("audit.when"),
        tr.t("audit.who"),
        tr.t("audit.action"),
        tr.t("audit.code"),
        tr.t("audit.target"),
        tr.t("audit.organisation"),
        tr.t("audit.detail"),
    ];
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            vec![
                tr.datetime(&e.at),
                e.actor_email
                    .clone()
                    .unwrap_or_else(|| tr.t("audit.system").into()),
                event_name(tr, &e.action),
                e.action.clone(),
                e.target.clone(),
                e.organisation_name.clone().unwrap_or_default(),
                e.detail.clone(),
            ]
        })
        .collect();
    let name = match organisation {
        Some(id) => format!("granskningslogg-{id}"),
        None => "granskningslogg".to_string(),
    };
    table_download(&name, format, &headers, &rows)
}

pub async fn platform_export(
    State(app): State<App>,
    ctx: Ctx,
    Path(format): Path<String>,
    Query(search): Query<AuditSearch>,
) -> PageResult {
    export(&app, &ctx, None, &search, &format).await
}

pub async fn organisation_export(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, format)): Path<(i64, String)>,
    Query(search): Query<AuditSearch>,
) -> PageResult {
    export(&app, &ctx, Some(id), &search, &format).await
}
