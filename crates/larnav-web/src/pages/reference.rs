//! Reference data pages: SSYK occupations, län and kommuner, SUN, SeQF, and search.

use askama::Template;
use axum::extract::{Path, Query, State};
use larnav_app::App;
use larnav_app::domain::reference::{SEQF_LEVELS, SeqfLevelInfo};
use larnav_app::records::{
    KommunRecord, LanRecord, OccupationGroupRecord, ReferenceCounts, SignalSource, SunRecord,
};
use larnav_app::reference::{OccupationGroupView, ReferenceHits};
use larnav_app::signals::OccupationSignals;
use serde::Deserialize;

use super::{Base, PageResult, render};
use crate::ctx::Ctx;

#[derive(Template)]
#[template(path = "reference.html")]
struct OverviewPage<'a> {
    base: Base<'a>,
    counts: ReferenceCounts,
    query: String,
}

impl OverviewPage<'_> {
    fn counts_text(&self) -> String {
        super::reference_counts_text(self.base.tr, &self.counts)
    }
}

pub async fn overview(State(app): State<App>, ctx: Ctx) -> PageResult {
    let counts = app.reference_counts().await?;
    render(&OverviewPage {
        base: Base::new(&ctx, ctx.tr.t("ref.title")),
        counts,
        query: String::new(),
    })
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "reference_search.html")]
struct SearchPage<'a> {
    base: Base<'a>,
    query: String,
    hits: ReferenceHits,
}

impl SearchPage<'_> {
    fn empty(&self) -> bool {
        let h = &self.hits;
        h.occupation_groups.is_empty()
            && h.occupation_names.is_empty()
            && h.lan.is_empty()
            && h.kommuner.is_empty()
    }
}

pub async fn search(State(app): State<App>, ctx: Ctx, Query(q): Query<SearchQuery>) -> PageResult {
    let hits = app.search_reference(&ctx.actor, &q.q, 25).await?;
    render(&SearchPage {
        base: Base::new(&ctx, ctx.tr.t("common.results")),
        query: q.q,
        hits,
    })
}

#[derive(Template)]
#[template(path = "occupations.html")]
struct OccupationsPage<'a> {
    base: Base<'a>,
    groups: Vec<OccupationGroupRecord>,
}

pub async fn occupations(State(app): State<App>, ctx: Ctx) -> PageResult {
    let groups = app.occupation_roots(&ctx.actor).await?;
    render(&OccupationsPage {
        base: Base::new(&ctx, ctx.tr.t("ref.occupations")),
        groups,
    })
}

#[derive(Template)]
#[template(path = "occupation.html")]
struct OccupationPage<'a> {
    base: Base<'a>,
    view: OccupationGroupView,
    signals: Option<OccupationSignals>,
}

impl OccupationPage<'_> {
    fn chances(&self, key: &str) -> &str {
        self.base.tr.t(match key {
            "small" => "chances.small",
            "medium" => "chances.medium",
            _ => "chances.large",
        })
    }

    fn outlook(&self, key: &str) -> &str {
        self.base.tr.t(match key {
            "decrease" => "outlook.decrease",
            "unchanged" => "outlook.unchanged",
            _ => "outlook.increase",
        })
    }

    fn source_line(&self, s: &SignalSource) -> String {
        let tr = self.base.tr;
        tr.fmt(
            "signals.source_line",
            &[
                ("name", &s.name),
                ("publisher", &s.publisher),
                ("period", &s.period),
                ("date", &tr.date(&s.imported_at)),
            ],
        )
    }

    fn level_text(&self) -> String {
        self.base.tr.fmt(
            "ref.group_level",
            &[("level", &self.view.group.level.to_string())],
        )
    }
}

pub async fn occupation(State(app): State<App>, ctx: Ctx, Path(code): Path<String>) -> PageResult {
    let view = app.occupation_group(&ctx.actor, &code).await?;
    let signals = if view.group.level == 4 {
        Some(app.occupation_signals(&ctx.actor, &code).await?)
    } else {
        None
    };
    let title = format!("{} {}", view.group.code, view.group.name);
    render(&OccupationPage {
        base: Base::new(&ctx, &title),
        view,
        signals,
    })
}

#[derive(Template)]
#[template(path = "places.html")]
struct PlacesPage<'a> {
    base: Base<'a>,
    lan: Vec<LanRecord>,
}

pub async fn places(State(app): State<App>, ctx: Ctx) -> PageResult {
    let lan = app.lan(&ctx.actor).await?;
    render(&PlacesPage {
        base: Base::new(&ctx, ctx.tr.t("ref.places")),
        lan,
    })
}

#[derive(Template)]
#[template(path = "lan.html")]
struct LanPage<'a> {
    base: Base<'a>,
    lan: LanRecord,
    kommuner: Vec<KommunRecord>,
}

pub async fn lan(State(app): State<App>, ctx: Ctx, Path(code): Path<String>) -> PageResult {
    let lan = app
        .lan(&ctx.actor)
        .await?
        .into_iter()
        .find(|l| l.code == code)
        .ok_or(larnav_app::AppError::NotFound)?;
    let kommuner = app.kommuner(&ctx.actor, Some(&code)).await?;
    render(&LanPage {
        base: Base::new(&ctx, &lan.name.clone()),
        lan,
        kommuner,
    })
}

#[derive(Template)]
#[template(path = "sun.html")]
struct SunPage<'a> {
    base: Base<'a>,
    fields: Vec<SunRecord>,
    levels: Vec<SunRecord>,
}

pub async fn sun(State(app): State<App>, ctx: Ctx) -> PageResult {
    let fields = app.sun(&ctx.actor, false).await?;
    let levels = app.sun(&ctx.actor, true).await?;
    render(&SunPage {
        base: Base::new(&ctx, ctx.tr.t("ref.sun")),
        fields,
        levels,
    })
}

#[derive(Template)]
#[template(path = "seqf.html")]
struct SeqfPage<'a> {
    base: Base<'a>,
    levels: &'static [SeqfLevelInfo],
}

impl SeqfPage<'_> {
    fn describe(&self, l: &SeqfLevelInfo) -> &'static str {
        if self.base.lang() == "sv" { l.sv } else { l.en }
    }
}

pub async fn seqf(ctx: Ctx) -> PageResult {
    render(&SeqfPage {
        base: Base::new(&ctx, ctx.tr.t("ref.seqf")),
        levels: &SEQF_LEVELS,
    })
}
