//! Education supply: analysts confirm or change the occupation each YH education leads to,
//! one by one or in bulk, a page of 50 at a time.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use larnav_app::App;
use larnav_app::supply::{SupplyFilter, SupplyList};
use serde::Deserialize;

use super::{Base, PageResult, redirect_with, render};
use crate::ctx::Ctx;

/// The filter as the page's query string and its bulk forms' hidden fields carry it.
#[derive(Deserialize, Default)]
pub struct SupplyQuery {
    /// `waiting` (default), `linked` or `all`.
    #[serde(default)]
    show: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    field: String,
    /// Lowest confidence of a suggestion, 0–100; empty for any.
    #[serde(default)]
    min: String,
    #[serde(default)]
    page: Option<usize>,
}

impl SupplyQuery {
    fn show(&self) -> &'static str {
        match self.show.as_str() {
            "linked" => "linked",
            "all" => "all",
            _ => "waiting",
        }
    }

    fn filter(&self) -> SupplyFilter {
        SupplyFilter {
            linked: match self.show() {
                "linked" => Some(true),
                "all" => None,
                _ => Some(false),
            },
            text: self.q.trim().to_string(),
            field: self
                .field
                .chars()
                .filter(char::is_ascii_digit)
                .take(2)
                .collect(),
            min_confidence: self.min.trim().parse::<i64>().ok().map(|m| m.clamp(0, 100)),
        }
    }

    /// The query string without the page, to link pages and return after a form.
    fn query(&self) -> String {
        let f = self.filter();
        form_urlencoded::Serializer::new(String::new())
            .append_pair("show", self.show())
            .append_pair("q", &f.text)
            .append_pair("field", &f.field)
            .append_pair(
                "min",
                &f.min_confidence.map(|m| m.to_string()).unwrap_or_default(),
            )
            .finish()
    }

    /// The filter, the marked rows (`None` when the whole selection is meant) and an SSYK code.
    fn from_form(body: &[u8]) -> (Self, Option<Vec<i64>>, Option<String>) {
        let mut q = Self::default();
        let (mut ids, mut code, mut marked) = (Vec::new(), None, false);
        for (k, v) in form_urlencoded::parse(body) {
            match k.as_ref() {
                "show" => q.show = v.into_owned(),
                "q" => q.q = v.into_owned(),
                "field" => q.field = v.into_owned(),
                "min" => q.min = v.into_owned(),
                "page" => q.page = v.parse().ok(),
                "row" => ids.extend(v.parse::<i64>()),
                "ssyk_code" => code = Some(v.into_owned()),
                "scope" => marked = v == "marked",
                _ => {}
            }
        }
        (q, marked.then_some(ids), code)
    }

    /// Back to the page the form was on.
    fn back(&self, anchor: &str) -> String {
        format!(
            "/supply?{}&page={}{anchor}",
            self.query(),
            self.page.unwrap_or(1)
        )
    }
}

#[derive(Template)]
#[template(path = "supply.html")]
struct SupplyPage<'a> {
    base: Base<'a>,
    list: SupplyList,
    filter: SupplyFilter,
    show: &'static str,
    query: String,
    occupations: Vec<String>,
}

impl SupplyPage<'_> {
    /// The confidence levels to filter by, and whether each is the one chosen.
    fn confidence_levels(&self) -> [(i64, bool); 3] {
        [50, 75, 100].map(|l| (l, self.filter.min_confidence == Some(l)))
    }
}

pub async fn list(State(app): State<App>, ctx: Ctx, Query(q): Query<SupplyQuery>) -> PageResult {
    let filter = q.filter();
    let list = app.supply(&ctx.actor, &filter, q.page.unwrap_or(1)).await?;
    render(&SupplyPage {
        base: Base::new(&ctx, ctx.tr.t("supply.title")),
        list,
        filter,
        show: q.show(),
        query: q.query(),
        occupations: app.occupation_choices().await?,
    })
}

pub async fn link(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let (q, _, code) = SupplyQuery::from_form(&body);
    let code = code.unwrap_or_default();
    let ssyk = Some(code.trim()).filter(|c| !c.is_empty());
    app.link_supply(&ctx.actor, id, ssyk).await?;
    Ok(redirect_with(
        &app,
        &q.back(&format!("#s{id}")),
        if ssyk.is_some() {
            "supply.linked"
        } else {
            "supply.unlinked"
        },
    ))
}

/// Confirms the suggestions of the marked rows, or of the whole selection.
pub async fn confirm(State(app): State<App>, ctx: Ctx, body: Bytes) -> PageResult {
    let (q, marked, _) = SupplyQuery::from_form(&body);
    if marked.as_ref().is_some_and(Vec::is_empty) {
        return Ok(redirect_with(&app, &q.back(""), "supply.none_marked"));
    }
    let n = app
        .confirm_supply_suggestions(&ctx.actor, &q.filter(), marked.as_deref().unwrap_or(&[]))
        .await?;
    Ok(redirect_with(
        &app,
        &q.back(""),
        if n > 0 {
            "supply.confirmed_bulk"
        } else {
            "supply.confirmed_none"
        },
    ))
}
