//! Records as the store returns them.

use chrono::{DateTime, Utc};
use larnav_domain::{OrganisationKind, Role};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub platform_admin: bool,
    pub locale: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    /// When the person proved the address is theirs (`None` until a learner who registered
    /// follows the link).
    pub email_verified_at: Option<DateTime<Utc>>,
}

/// A new account. The e-mail must already be normalised (see `larnav_domain::Email`).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub platform_admin: bool,
    pub locale: String,
    /// Whether the address is known to be the person's (an invitation link or an
    /// administrator); a learner's own registration starts unverified.
    pub email_verified: bool,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: OrganisationKind,
    pub organisation_number: Option<String>,
    pub kommun_code: Option<String>,
    pub kommun_name: Option<String>,
    /// The school organiser (huvudman) a school belongs to.
    pub parent_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// A new organisation or the new values of an existing one.
#[derive(Debug, Clone)]
pub struct OrganisationInput {
    pub name: String,
    pub kind: OrganisationKind,
    /// Ten digits, already validated.
    pub organisation_number: Option<String>,
    pub kommun_code: Option<String>,
    pub parent_id: Option<i64>,
}

/// One role one person holds in one organisation.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct MembershipRecord {
    pub user_id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
}

/// A member of an organisation with all roles they hold there.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Member {
    pub user_id: i64,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<Role>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Invitation {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub invited_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct AuditEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub actor_email: Option<String>,
    pub organisation_id: Option<i64>,
    pub organisation_name: Option<String>,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// Which audit events to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub organisation_id: Option<i64>,
    /// Only events with an id below this (for paging backwards in time).
    pub before_id: Option<i64>,
    pub limit: i64,
    /// Part of the acting person's e-mail address (lower case).
    pub actor_email: Option<String>,
    /// One action code (`offering.published`).
    pub action: Option<String>,
    /// From this moment (inclusive) to that (exclusive).
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct LanRecord {
    pub code: String,
    pub name: String,
    pub jobtech_id: String,
    pub nuts3: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct KommunRecord {
    pub code: String,
    pub name: String,
    pub lan_code: String,
    pub lan_name: String,
    pub jobtech_id: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct OccupationGroupRecord {
    pub code: String,
    pub level: i64,
    pub name: String,
    pub definition: String,
    pub parent_code: Option<String>,
    pub jobtech_id: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct OccupationNameRecord {
    pub jobtech_id: String,
    pub name: String,
    pub group_code: String,
    pub group_name: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct SkillRecord {
    pub jobtech_id: String,
    pub name: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct SunRecord {
    pub code: String,
    pub level: i64,
    pub name: String,
    pub parent_code: Option<String>,
}

/// Counts of the loaded reference data, for the reference-data overview and start-up log.
#[derive(Debug, Clone, Copy, Default, Serialize, utoipa::ToSchema)]
pub struct ReferenceCounts {
    pub lan: i64,
    pub kommuner: i64,
    pub occupation_groups: i64,
    pub occupation_names: i64,
    pub skills: i64,
    pub sun_fields: i64,
    pub sun_levels: i64,
}

/// An imported set of signal figures: what, whose, which period, when and by whom.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct SignalSource {
    pub id: i64,
    /// `forecast` or `ads`.
    pub kind: String,
    pub name: String,
    pub publisher: String,
    /// The period the figures describe, e.g. `2024` or `2025-10`.
    pub period: String,
    pub row_count: i64,
    pub imported_at: DateTime<Utc>,
    pub imported_by: Option<i64>,
}

/// The description of a source being imported.
#[derive(Debug, Clone)]
pub struct NewSignalSource {
    pub kind: String,
    pub name: String,
    pub publisher: String,
    pub period: String,
    pub imported_by: Option<i64>,
}

/// A forecast to store (job chances and outlook are the domain enums' stored keys).
#[derive(Debug, Clone)]
pub struct NewForecast {
    pub barometer_id: String,
    pub barometer_name: String,
    pub ssyk_code: String,
    pub area_code: String,
    pub job_chances: String,
    pub outlook: String,
}

/// An ad count to store.
#[derive(Debug, Clone)]
pub struct NewAdCount {
    pub ssyk_code: String,
    pub kommun_code: String,
    pub period: String,
    pub ads: i64,
}

/// A forecast for one occupation group in one area, with the area's name and its source.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ForecastRecord {
    pub area_code: String,
    /// `Riket` for the whole country, otherwise the län's name.
    pub area_name: String,
    pub barometer_name: String,
    pub job_chances: String,
    pub outlook: String,
    pub source_id: i64,
}

/// Ads for one occupation group summed over a län (or the whole country).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct AdsByArea {
    pub area_code: String,
    pub area_name: String,
    pub period: String,
    pub ads: i64,
    pub source_id: i64,
}

/// A labour-market area an organisation defined, with its kommuner.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Area {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub name: String,
    /// The kommuner of the area, in Swedish order.
    pub kommuner: Vec<KommunRecord>,
    pub created_at: DateTime<Utc>,
}

/// A need an employer reported, with the names of its codes.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct NeedReport {
    pub id: i64,
    /// The organisation that filed it (the employer itself, or the broker's organisation).
    pub organisation_id: i64,
    pub organisation_name: String,
    pub employer_name: String,
    /// Filed by a competence broker on behalf of the employer.
    pub on_behalf: bool,
    pub ssyk_code: String,
    pub occupation_name: String,
    pub kommun_code: String,
    pub kommun_name: String,
    pub needed_now: i64,
    pub needed_1y: i64,
    pub needed_3y: i64,
    /// Recruitment difficulty, 1 (easy) to 5 (very hard).
    pub difficulty: i64,
    pub comment: String,
    pub reported_at: DateTime<Utc>,
}

/// A validated need report to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNeedReport {
    pub employer_name: String,
    pub on_behalf: bool,
    pub ssyk_code: String,
    pub kommun_code: String,
    pub needed_now: i64,
    pub needed_1y: i64,
    pub needed_3y: i64,
    pub difficulty: i64,
    pub comment: String,
}

/// One need report as the score uses it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NeedRow {
    pub ssyk_code: String,
    pub kommun_code: String,
    pub needed_now: i64,
    pub needed_1y: i64,
    pub needed_3y: i64,
    pub difficulty: i64,
}

/// Ads of one source for one group in one kommun in one year.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AdYearRow {
    pub source_id: i64,
    pub ssyk_code: String,
    pub kommun_code: String,
    pub year: String,
    pub ads: i64,
}

/// An organisation's working priority list for one area and year.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct PriorityList {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    /// `SE`, a län code, a kommun code, or `A<id>` for a labour-market area.
    pub area_key: String,
    pub year: i64,
    pub title: String,
    /// The score weights as JSON.
    #[serde(skip)]
    pub weights: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An analyst's decision about one occupation on a list.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct PriorityOverride {
    pub ssyk_code: String,
    /// The light the analyst chose, if it differs from the computed one.
    pub light: Option<String>,
    /// The SeQF band the analyst chose (`4`, `5-6`, `6-8`).
    pub band: Option<String>,
    pub reason: String,
    pub changed_by_name: Option<String>,
    pub changed_at: DateTime<Utc>,
}

/// A published, immutable version of a priority list.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct PublishedList {
    pub id: i64,
    pub list_id: i64,
    pub version: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub title: String,
    pub area_key: String,
    pub area_name: String,
    pub year: i64,
    /// The weights used, as JSON.
    pub weights: String,
    /// The signal sources the scores came from, as text.
    pub sources: String,
    pub published_at: DateTime<Utc>,
}

/// One occupation on a published list, in list order.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct PublishedEntry {
    pub position: i64,
    pub ssyk_code: String,
    pub occupation_name: String,
    /// The occupation field (yrkesområde, Arbetsförmedlingen's 21 fields) the list is grouped by.
    pub field_name: String,
    pub band: String,
    pub light: String,
    pub computed_light: String,
    pub score: f64,
    /// The analyst's written reason, when they overrode the computed light or band.
    pub reason: Option<String>,
}

/// What publishing stores besides the entries.
#[derive(Debug, Clone)]
pub struct NewPublication {
    pub title: String,
    pub area_name: String,
    pub weights: String,
    pub sources: String,
    pub published_by: Option<i64>,
}

/// An education's places in one kommun from a supply source, with its occupation link.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct SupplyPlace {
    pub id: i64,
    pub source_id: i64,
    pub reference: String,
    pub education_name: String,
    pub provider: String,
    pub sun_code: String,
    pub seqf_level: Option<i64>,
    pub kommun_code: String,
    pub kommun_name: String,
    pub applied_places: i64,
    pub granted_places: i64,
    /// Places per year.
    pub places: i64,
    pub suggested_ssyk: Option<String>,
    pub suggested_name: Option<String>,
    /// 0–100: how sure the suggestion is (`None` without one).
    pub suggestion_confidence: Option<i64>,
    /// The occupation an analyst confirmed.
    pub ssyk_code: Option<String>,
    pub ssyk_name: Option<String>,
    pub linked_at: Option<DateTime<Utc>>,
}

/// A supply row to store.
#[derive(Debug, Clone)]
pub struct NewSupplyPlace {
    pub reference: String,
    pub education_name: String,
    pub provider: String,
    pub sun_code: String,
    pub seqf_level: Option<i64>,
    pub kommun_code: String,
    pub applied_places: i64,
    pub granted_places: i64,
    pub places: i64,
    pub suggested_ssyk: Option<String>,
    pub suggestion_confidence: Option<i64>,
}

/// One run of the streamed job-ad import.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct AdImport {
    pub id: i64,
    pub file_name: String,
    pub file_bytes: i64,
    /// `running`, `done`, `failed`.
    pub status: String,
    pub lines_done: i64,
    pub bytes_done: i64,
    pub accepted: i64,
    pub duplicates: i64,
    pub rejected: i64,
    /// Why the run stopped early, or how the file ended (a truncated gzip).
    pub message: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// When the run last stored a block (its start before the first).
    pub progress_at: DateTime<Utc>,
    /// Its contribution is kept per import, so it can be withdrawn (imports from before
    /// Lärnav kept that cannot).
    pub tracked: bool,
    /// When the import was withdrawn: its ads no longer count.
    pub withdrawn_at: Option<DateTime<Utc>>,
}

impl AdImport {
    /// Marked running but without progress for `quiet`: the process that ran it stopped.
    pub fn stalled(&self, now: DateTime<Utc>, quiet: chrono::Duration) -> bool {
        self.status == "running" && now - self.progress_at > quiet
    }
}

/// One ad of a batch, as the store keeps it.
#[derive(Debug, Clone)]
pub struct NewAd {
    pub id: String,
    pub ssyk_code: String,
    pub kommun_code: String,
    /// `yyyy-mm`.
    pub period: String,
    pub vacancies: i64,
}

/// What one stored batch changed.
#[derive(Debug, Clone, Copy, Default)]
pub struct AdBatchResult {
    pub accepted: i64,
    pub duplicates: i64,
}
