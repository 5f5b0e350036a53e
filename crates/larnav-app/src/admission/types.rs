//! The views of rounds, occasions and applications that pages and the API show.

use chrono::NaiveDate;
use larnav_domain::admission::round::{SelectionGroup, groups_text};
use larnav_store::{AdmissionRound, Application, ApplicationDocument, ChoiceRow, RoundOccasion};
use serde::Serialize;

/// An occasion of a round with its selection groups read.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = AdmissionOccasionView)]
pub struct OccasionView {
    #[serde(flatten)]
    pub occasion: RoundOccasion,
    pub selection_groups: Vec<SelectionGroup>,
}

impl OccasionView {
    pub fn groups_text(&self) -> String {
        groups_text(&self.selection_groups)
    }
}

/// Per occasion: the figures staff and the public statistics show.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OccasionStats {
    pub occasion_id: i64,
    pub title: String,
    pub starts_on: NaiveDate,
    pub seats: i64,
    pub applicants: i64,
    pub first_choice: i64,
    pub eligible: i64,
    /// Applicants per seat (150 for 20: 7.5); `None` without seats.
    pub per_seat: Option<f64>,
    pub admitted: i64,
    pub reserves: i64,
    pub accepted: i64,
    pub declined: i64,
    /// Per group: its name and the last admitted merit as text ("19,5"), if anyone was admitted.
    pub cutoffs: Vec<(String, Option<String>)>,
}

/// A round for its staff: rules, occasions, decisions and (after a run) statistics.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = AdmissionRoundView)]
pub struct RoundView {
    pub round: AdmissionRound,
    pub occasions: Vec<OccasionView>,
    /// The provider's occasions not yet in the round: (id, label).
    pub available: Vec<(i64, String)>,
    pub pending: i64,
    pub choices: i64,
    pub applications: i64,
    pub stats: Vec<OccasionStats>,
    /// Whether applications have closed (the last day passed, or closed early): only then may
    /// the round be run.
    pub applications_closed: bool,
}

/// What an applicant sees of one choice.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChoiceLine {
    #[serde(flatten)]
    pub choice: ChoiceRow,
    /// Where the choice stands, in words.
    pub status: String,
    /// Why (eligibility note, cut-off, reserve place), in words; may be empty.
    pub explanation: String,
    /// Whether the applicant may accept or decline now.
    pub can_reply: bool,
}

/// A round as an applicant sees it: the occasions to choose from and their own application.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApplicationView {
    pub round: AdmissionRound,
    pub occasions: Vec<OccasionView>,
    pub application: Option<Application>,
    pub lines: Vec<ChoiceLine>,
    pub documents: Vec<ApplicationDocument>,
    /// The result in one sentence once published ("admitted to your 2nd choice; …").
    pub summary: Option<String>,
    /// Whether choices may be changed now (and whether that counts as late).
    pub can_apply: bool,
    pub late_now: bool,
    /// The person must verify their e-mail address before they can apply.
    pub email_unverified: bool,
}

/// A what-if run beside the stored run.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WhatIf {
    pub rows: Vec<WhatIfRow>,
    pub changed: Vec<WhatIfChange>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WhatIfRow {
    pub occasion_id: i64,
    pub title: String,
    pub seats_before: u32,
    pub seats_after: u32,
    pub admitted_before: usize,
    pub admitted_after: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WhatIfChange {
    pub applicant: String,
    pub before: String,
    pub after: String,
}

/// What a run gave.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RunSummary {
    pub seed: u64,
    pub admitted: usize,
    pub reserves: usize,
}
