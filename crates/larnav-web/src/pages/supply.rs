//! Education supply: analysts confirm or change the occupation each YH education leads to.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use larnav_app::App;
use larnav_app::records::SupplyPlace;
use serde::Deserialize;

use super::{Base, PageResult, redirect_with, render};
use crate::ctx::Ctx;

#[derive(Deserialize)]
pub struct SupplyQuery {
    /// `waiting` (default), `linked` or `all`.
    #[serde(default)]
    show: String,
}

#[derive(Template)]
#[template(path = "supply.html")]
struct SupplyPage<'a> {
    base: Base<'a>,
    rows: Vec<SupplyPlace>,
    show: &'static str,
    occupations: Vec<String>,
}

pub async fn list(State(app): State<App>, ctx: Ctx, Query(q): Query<SupplyQuery>) -> PageResult {
    let (show, linked) = match q.show.as_str() {
        "linked" => ("linked", Some(true)),
        "all" => ("all", None),
        _ => ("waiting", Some(false)),
    };
    let rows = app.supply(&ctx.actor, linked).await?;
    render(&SupplyPage {
        base: Base::new(&ctx, ctx.tr.t("supply.title")),
        rows,
        show,
        occupations: app.occupation_choices().await?,
    })
}

pub async fn link(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let mut code = String::new();
    let mut back = String::from("waiting");
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "ssyk_code" => code = v.into_owned(),
            "show" if matches!(v.as_ref(), "linked" | "all") => back = v.into_owned(),
            _ => {}
        }
    }
    let code = code.trim();
    let ssyk = (!code.is_empty()).then_some(code);
    app.link_supply(&ctx.actor, id, ssyk).await?;
    Ok(redirect_with(
        &app,
        &format!("/supply?show={back}#s{id}"),
        if ssyk.is_some() {
            "supply.linked"
        } else {
            "supply.unlinked"
        },
    ))
}
