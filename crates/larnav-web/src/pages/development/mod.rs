//! Staff development pages: collections (learning paths) with each learner's completion,
//! a material's community (completion, rating, comments), usage statistics, staff groups,
//! development plans with progress and reflections, and the learner's own record.

mod collections; // learning paths and their steps
mod community; // a material's completion, rating, comments and usage statistics
mod plans; // staff-development plans, activities, assignment and progress
mod record; // the learner's own record, its JSON export and erasure
mod staff_groups; // an organiser's staff groups
mod steps; // what collection steps and plan activities share

pub use collections::*;
pub use community::*;
pub use plans::*;
pub use record::*;
pub use staff_groups::*;
use steps::*;

use super::Base;
use larnav_app::domain::material::Scope;
use serde::Deserialize;

/// Labels and formatting shared by these pages.
pub trait DevelopmentLabels {
    fn base(&self) -> &Base<'_>;
    fn label(&self, kind: &str, key: &str) -> String {
        self.base()
            .tr
            .t(&format!("development.{kind}.{key}"))
            .to_string()
    }
    /// The kind shown before a step's title ("Lärmöte:"), or nothing when the title already
    /// starts with it ("Lärmöte: vad hände?" is not shown as "Lärmöte: Lärmöte: …").
    fn kind_prefix(&self, kind: &str, title: &str) -> Option<String> {
        let label = self.label("kind", kind);
        let starts = title.to_lowercase().starts_with(&label.to_lowercase());
        (!starts).then_some(label)
    }
    fn scope_label(&self, key: &str) -> String {
        self.base()
            .tr
            .t(&format!("material.scope.{key}"))
            .to_string()
    }
    fn scopes(&self) -> Vec<&'static str> {
        Scope::ALL.iter().map(|s| s.as_str()).collect()
    }
    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        self.base().tr.datetime(at)
    }
    fn day(&self, d: &chrono::NaiveDate) -> String {
        self.base().tr.naive_date(d)
    }
    fn number(&self, n: &i64) -> String {
        self.base().tr.number(*n)
    }
    /// The changes a curator makes to a step.
    fn changes(&self) -> Vec<&'static str> {
        vec!["up", "down", "remove"]
    }
}

macro_rules! labels {
    ($($page:ident),+) => {$(
        impl DevelopmentLabels for $page<'_> {
            fn base(&self) -> &Base<'_> {
                &self.base
            }
        }
    )+};
}

labels!(
    CollectionsPage,
    CollectionPage,
    UsagePage,
    StaffGroupsPage,
    PlansPage,
    PlanPage,
    RecordPage
);

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OrganisationQuery {
    pub organisation: Option<i64>,
}
