//! The start page.

use askama::Template;
use axum::extract::State;
use larnav_app::App;
use larnav_app::domain::Role;
use larnav_app::records::ReferenceCounts;
use larnav_app::reviews::{ReviewInbox, ReviewItem};

use super::{Base, PageResult, render};
use crate::ctx::Ctx;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    base: Base<'a>,
    counts: ReferenceCounts,
    memberships: Vec<(i64, String, Vec<Role>)>,
    reviews: ReviewInbox,
    query: String,
}

impl HomePage<'_> {
    /// The review inbox under its headings: courses, then material.
    fn review_groups(&self) -> [(&str, &[ReviewItem]); 2] {
        [
            (
                self.base.tr.t("home.review_offerings"),
                &self.reviews.offerings,
            ),
            (
                self.base.tr.t("home.review_materials"),
                &self.reviews.materials,
            ),
        ]
    }

    fn counts_text(&self) -> String {
        super::reference_counts_text(self.base.tr, &self.counts)
    }
}

pub async fn home(State(app): State<App>, ctx: Ctx) -> PageResult {
    let counts = app.reference_counts().await?;
    let memberships = match &ctx.caller {
        Some(c) => super::organisations::group_memberships(app.my_memberships(c).await?),
        None => Vec::new(),
    };
    render(&HomePage {
        base: Base::new(&ctx, ctx.tr.t("home.title")),
        counts,
        memberships,
        reviews: app.review_inbox(&ctx.actor).await?,
        query: String::new(),
    })
}
