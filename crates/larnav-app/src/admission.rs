//! Admission rounds as people run them: a provider opens a round with occasions and their
//! rules, learners apply with ranked choices and documents, staff decide eligibility, the
//! engine (`larnav_domain::admission`) runs the round, staff compare what-if seat numbers and
//! publish, and replies move seats to reserves (`admission::after`) — with an e-mail at every
//! step.
//!
//! After publication the database keeps the published run's seed, its inputs (frozen) and every
//! reply in order. The seats of today are the published run replayed with those replies, so
//! the state can never drift from what the engine and the replies say; a reply is stored only
//! if no other reply came in between (the round's version), so no seat is given twice.

use chrono::{Duration, NaiveDate};
use larnav_domain::admission::after::{AfterRound, Event};
use larnav_domain::admission::round::{
    DOCUMENT_LIMIT, Eligibility, GroupsError, OfferStatus, Outcome, RoundStatus, SelectionGroup,
    document_type, extension_matches, group_rules, groups_text, parse_groups,
};
use larnav_domain::admission::{
    Admission, Cap, ChoiceInput, ChoiceOutcome, Cutoff, Instance, OccasionRules, admit, compare,
};
use larnav_domain::{Action, Actor};
use larnav_store::{
    AdmissionRound, Application, ApplicationDocument, AuditRecord, ChoiceDecision, ChoiceRow,
    EngineChoice, NewMail, ReplyChange, ReplyClock, ResultRow, RoundFields, RoundOccasion,
    StoreError,
};
use serde::{Deserialize, Serialize};

use crate::accounts::not_found;
use crate::catalogue::{date, is_true, number, optional, text, today_in_sweden};
use crate::error::Checks;
use crate::i18n::{Lang, Tr};
use crate::mail::Mail;
use crate::{App, AppError, Result, now};

/// A round's settings as typed in a form.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(as = AdmissionRoundForm)]
pub struct RoundForm {
    #[schema(required)]
    pub name: String,
    /// `YYYY-MM-DD`
    pub opens_on: String,
    pub closes_on: String,
    /// Late applications are taken until this date (ranked after those on time).
    pub late_until: String,
    pub max_choices: String,
    /// Credits one applicant may hold at once, e.g. "45"; empty: one place each.
    pub credit_cap: String,
    pub reply_days: String,
}

/// An occasion's rules in a round.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RoundOccasionForm {
    pub occasion_id: String,
    pub seats: String,
    /// Credits of one place (for credit caps); empty: the offering's.
    pub credits: String,
    /// Selection groups, one per line: "Betyg: 7", "Nominerade: 6 (nominerade)".
    pub groups: String,
}

/// Staff's decision on one choice.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DecisionForm {
    /// pending, eligible, not_eligible, needs_completion
    #[schema(value_type = larnav_domain::admission::round::Eligibility, required)]
    pub eligibility: String,
    pub note: String,
    /// Komvux priority class, 0 first.
    pub priority_class: String,
    /// "on" when an employer nominated the applicant for reserved seats.
    pub nominated: String,
    /// Merit per selection group, separated by ";" ("19,5; 12"); "-" where the applicant is
    /// not in the group; empty: merit 0 in every group (the lottery decides).
    pub merits: String,
}

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

/// A round built for the engine: the instance and the database ids behind its indices.
struct Built {
    instance: Instance,
    choice_ids: Vec<i64>,
    occasion_ids: Vec<i64>,
}

/// How long a run lock is honoured: a run takes seconds, so an older lock belongs to a process
/// that died.
const RUN_LOCK_MINUTES: i64 = 2;

/// Attempts at storing a reply when other replies keep coming in between.
const REPLY_ATTEMPTS: usize = 5;

fn conflict(code: &'static str, message_key: &'static str) -> AppError {
    AppError::Conflict { code, message_key }
}

fn store_conflict(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(c) if c == "round_published" => {
            conflict("round_published", "admission.round_published")
        }
        StoreError::Conflict(c) if c == "round_changed" => {
            conflict("round_changed", "admission.round_changed")
        }
        other => not_found(other),
    }
}

fn groups_error(e: GroupsError) -> &'static str {
    match e {
        GroupsError::None | GroupsError::NoName => "admission.groups_invalid",
        GroupsError::TooMany => "admission.groups_too_many",
        GroupsError::Duplicate => "admission.groups_duplicate",
        GroupsError::QuotaAboveSeats => "admission.quota_above_seats",
    }
}

/// A round's stored groups (JSON written by this module).
fn stored_groups(json: &str) -> Vec<SelectionGroup> {
    serde_json::from_str(json).unwrap_or_default()
}

fn occasion_views(occasions: Vec<RoundOccasion>) -> Vec<OccasionView> {
    occasions
        .into_iter()
        .map(|o| OccasionView {
            selection_groups: stored_groups(&o.groups),
            occasion: o,
        })
        .collect()
}

/// Merits as stored: `[]` (merit 0 everywhere) or one value per group, `null` where not in it.
fn stored_merits(json: &str) -> Vec<Option<f64>> {
    serde_json::from_str(json).unwrap_or_default()
}

/// Reads "19,5; 12; -" into merits; `Err` for a value that is not a number.
fn parse_merits(text: &str) -> std::result::Result<Vec<Option<f64>>, ()> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    text.split(';')
        .map(|v| match v.trim() {
            "" | "-" => Ok(None),
            v => number(v).map(Some).ok_or(()),
        })
        .collect()
}

/// Merits as staff type them ("19,5; -").
pub fn merits_text(tr: &Tr, json: &str) -> String {
    stored_merits(json)
        .iter()
        .map(|m| m.map_or_else(|| "-".to_string(), |v| decimal(tr, v)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A merit as people write it: "19,5", "12".
fn decimal(tr: &Tr, v: f64) -> String {
    if v.fract() == 0.0 {
        tr.number(v as i64)
    } else {
        tr.decimal(v, 2)
            .trim_end_matches('0')
            .trim_end_matches([',', '.'])
            .to_string()
    }
}

/// Builds the engine's instance from a round's occasions and choices (in application, rank
/// order). A choice without merits competes with merit 0 in every group of its occasion.
fn build(
    round: &AdmissionRound,
    occasions: &[RoundOccasion],
    choices: &[EngineChoice],
) -> Result<Built> {
    let mut instance = Instance::new();
    let mut occasion_ids = Vec::with_capacity(occasions.len());
    let mut groups = Vec::with_capacity(occasions.len());
    for o in occasions {
        let g = stored_groups(&o.groups);
        instance
            .add_occasion(OccasionRules {
                seats: u32::try_from(o.seats).unwrap_or(0),
                credit_tenths: (o.credits * 10.0).round() as u32,
                groups: group_rules(&g),
            })
            .map_err(|e| AppError::Internal(format!("round {}: {e}", round.id)))?;
        occasion_ids.push(o.occasion_id);
        groups.push(g.len());
    }
    let index: std::collections::HashMap<i64, usize> = occasion_ids
        .iter()
        .enumerate()
        .map(|(i, &id)| (id, i))
        .collect();
    let cap = match round.credit_cap {
        Some(c) => Cap::CreditTenths((c * 10.0).round() as u32),
        None => Cap::OnePlace,
    };
    let mut choice_ids = Vec::with_capacity(choices.len());
    let mut start = 0;
    while start < choices.len() {
        let application = choices[start].application_id;
        let end = choices[start..]
            .iter()
            .position(|c| c.application_id != application)
            .map_or(choices.len(), |n| start + n);
        let mut inputs = Vec::with_capacity(end - start);
        for c in &choices[start..end] {
            let o = *index
                .get(&c.occasion_id)
                .ok_or_else(|| AppError::Internal(format!("choice {} outside round", c.id)))?;
            let mut merits = stored_merits(&c.merits);
            if merits.is_empty() {
                merits = vec![Some(0.0); groups[o]];
            }
            merits.resize(groups[o], None);
            inputs.push(ChoiceInput {
                occasion: o as u32,
                eligible: c.eligibility == Eligibility::Eligible.as_str(),
                priority_class: u8::try_from(c.priority_class).unwrap_or(0),
                nominated: c.nominated,
                merits,
            });
            choice_ids.push(c.id);
        }
        instance
            .add_applicant(cap, choices[start].late, &inputs)
            .map_err(|e| AppError::Internal(format!("round {}: {e}", round.id)))?;
        start = end;
    }
    Ok(Built {
        instance,
        choice_ids,
        occasion_ids,
    })
}

/// What became of a choice after a run: stored for admitted and reserve choices; the others
/// were not eligible (staff's decision) or not tried (a better choice was obtained).
fn shown_outcome<'a>(stored: Option<&'a str>, eligibility: &str) -> &'a str {
    match stored {
        Some(o) => o,
        None if eligibility == Eligibility::Eligible.as_str() => Outcome::NotTried.as_str(),
        None => Outcome::NotEligible.as_str(),
    }
}

/// The stored form of one choice's outcome.
fn result_row(choice_id: i64, outcome: ChoiceOutcome, reserve_position: u32) -> ResultRow {
    let (outcome, group, shared) = match outcome {
        ChoiceOutcome::Admitted { group, overflow } => {
            (Outcome::Admitted, Some(i64::from(group)), overflow)
        }
        ChoiceOutcome::Reserve => (Outcome::Reserve, None, false),
        ChoiceOutcome::NotTried => (Outcome::NotTried, None, false),
        ChoiceOutcome::NotEligible => (Outcome::NotEligible, None, false),
    };
    ResultRow {
        choice_id,
        outcome: outcome.as_str(),
        selection_group: group,
        shared,
        reserve_position: (reserve_position > 0).then_some(i64::from(reserve_position)),
    }
}

#[derive(Serialize, Deserialize)]
struct StoredCutoff {
    merit: f32,
    priority_class: u8,
    late: bool,
}

fn ordinal(tr: &Tr, n: i64) -> String {
    let suffix = match tr.code() {
        "en" => match (n % 10, n % 100) {
            (1, r) if r != 11 => "st",
            (2, r) if r != 12 => "nd",
            (3, r) if r != 13 => "rd",
            _ => "th",
        },
        _ if matches!(n % 10, 1 | 2) && !matches!(n % 100, 11 | 12) => ":a",
        _ => ":e",
    };
    format!("{n}{suffix}")
}

impl App {
    /// The round, if `actor` runs admission for its provider.
    async fn round_for_staff(&self, actor: &Actor, round_id: i64) -> Result<AdmissionRound> {
        self.authorize(actor, Action::Apply).await?;
        let round = self.store.round(round_id).await.map_err(not_found)?;
        self.authorize(actor, Action::ManageAdmission(round.provider_id))
            .await?;
        Ok(round)
    }

    fn audit(actor: &Actor, action: &str, round: &AdmissionRound) -> AuditRecord {
        AuditRecord::new(
            actor.user_id,
            action,
            format!("admission_round:{}", round.id),
        )
        .in_organisation(round.provider_id)
    }

    fn check_round(form: &RoundForm) -> Result<RoundFields> {
        let mut checks = Checks::new();
        let name = text(&mut checks, "name", &form.name, 200, true);
        let mut req_date = |field, v: &str| {
            let d = date(v);
            if d.is_none() {
                checks.fail(
                    field,
                    if v.trim().is_empty() {
                        "field.required"
                    } else {
                        "field.date_invalid"
                    },
                );
            }
            d
        };
        let opens_on = req_date("opens_on", &form.opens_on);
        let closes_on = req_date("closes_on", &form.closes_on);
        let late_until = match optional(&form.late_until, date) {
            Ok(d) => d.or(closes_on),
            Err(()) => {
                checks.fail("late_until", "field.date_invalid");
                None
            }
        };
        if let (Some(o), Some(c)) = (opens_on, closes_on)
            && c < o
        {
            checks.fail("closes_on", "admission.closes_before_opens");
        }
        if let (Some(c), Some(l)) = (closes_on, late_until)
            && l < c
        {
            checks.fail("late_until", "admission.late_before_close");
        }
        let max_choices = match form.max_choices.trim() {
            "" => Some(6),
            v => v.parse::<i64>().ok().filter(|n| (1..=12).contains(n)),
        };
        if max_choices.is_none() {
            checks.fail("max_choices", "admission.max_choices_range");
        }
        let credit_cap = optional(&form.credit_cap, number)
            .ok()
            .and_then(|c| match c {
                None => Some(None),
                Some(c) if c > 0.0 && c <= 200.0 => Some(Some(c)),
                Some(_) => None,
            });
        if credit_cap.is_none() {
            checks.fail("credit_cap", "admission.credit_cap_range");
        }
        let reply_days = match form.reply_days.trim() {
            "" => Some(7),
            v => v.parse::<i64>().ok().filter(|n| (1..=60).contains(n)),
        };
        if reply_days.is_none() {
            checks.fail("reply_days", "admission.reply_days_range");
        }
        checks.finish()?;
        let missing = || AppError::Internal("checked above".into());
        Ok(RoundFields {
            name,
            opens_on: opens_on.ok_or_else(missing)?,
            closes_on: closes_on.ok_or_else(missing)?,
            late_until: late_until.ok_or_else(missing)?,
            max_choices: max_choices.ok_or_else(missing)?,
            credit_cap: credit_cap.ok_or_else(missing)?,
            reply_days: reply_days.ok_or_else(missing)?,
        })
    }

    /// A provider's rounds.
    ///
    /// # Errors
    /// A refusal.
    pub async fn provider_rounds(
        &self,
        actor: &Actor,
        provider_id: i64,
    ) -> Result<Vec<AdmissionRound>> {
        self.authorize(actor, Action::ManageAdmission(provider_id))
            .await?;
        Ok(self.store.provider_rounds(provider_id).await?)
    }

    /// Opens a round for the provider's occasions.
    ///
    /// # Errors
    /// [`AppError::Validation`], a refusal.
    pub async fn create_round(
        &self,
        actor: &Actor,
        provider_id: i64,
        form: &RoundForm,
    ) -> Result<i64> {
        self.authorize(actor, Action::ManageAdmission(provider_id))
            .await?;
        let fields = Self::check_round(form)?;
        let audit = AuditRecord::new(actor.user_id, "admission_round.create", "")
            .in_organisation(provider_id)
            .with_detail(&fields.name);
        Ok(self
            .store
            .create_round(provider_id, &fields, actor.user_id, now(), &audit)
            .await?)
    }

    /// A round's settings, for its provider's staff.
    ///
    /// # Errors
    /// A refusal, [`AppError::NotFound`].
    pub async fn admission_round(&self, actor: &Actor, round_id: i64) -> Result<AdmissionRound> {
        self.round_for_staff(actor, round_id).await
    }

    /// Changes a round's settings (until it is published).
    ///
    /// # Errors
    /// [`AppError::Validation`], `round_published`, a refusal.
    pub async fn update_round(&self, actor: &Actor, round_id: i64, form: &RoundForm) -> Result<()> {
        let round = self.round_for_staff(actor, round_id).await?;
        let fields = Self::check_round(form)?;
        let audit = Self::audit(actor, "admission_round.update", &round);
        self.store
            .update_round(round_id, &fields, now(), &audit)
            .await
            .map_err(store_conflict)
    }

    /// Adds one of the provider's occasions to a round, or changes its seats, credits and
    /// selection groups. Refused once the round is published (seats then change only by
    /// [`App::add_seats`], which moves reserves up).
    ///
    /// # Errors
    /// [`AppError::Validation`], `round_published`, a refusal, [`AppError::NotFound`].
    pub async fn set_round_occasion(
        &self,
        actor: &Actor,
        round_id: i64,
        form: &RoundOccasionForm,
    ) -> Result<()> {
        let round = self.round_for_staff(actor, round_id).await?;
        if round.status == RoundStatus::Published.as_str() {
            return Err(conflict("round_published", "admission.round_published"));
        }
        let mut checks = Checks::new();
        let occasion = form.occasion_id.trim().parse::<i64>().ok();
        let available = self
            .store
            .provider_occasions(round.provider_id, today_in_sweden())
            .await?;
        let found = occasion.and_then(|id| available.iter().find(|o| o.0 == id));
        if found.is_none() {
            checks.fail("occasion_id", "field.choice_invalid");
        }
        let seats = match form.seats.trim() {
            "" => found.map(|o| o.3),
            v => v.parse::<i64>().ok().filter(|n| (0..=100_000).contains(n)),
        };
        if seats.is_none() {
            checks.fail("seats", "catalogue.seats_range");
        }
        let credits = match optional(&form.credits, number) {
            Ok(Some(c)) if (0.0..=400.0).contains(&c) => Some(c),
            Ok(None) => Some(found.and_then(|o| o.4).unwrap_or(0.0)),
            _ => None,
        };
        if credits.is_none() {
            checks.fail("credits", "admission.credits_range");
        }
        let groups = seats.map(|s| parse_groups(&form.groups, s as u32));
        if let Some(Err(e)) = &groups {
            checks.fail("groups", groups_error(*e));
        }
        checks.finish()?;
        let (Some(occasion), Some(seats), Some(credits), Some(Ok(groups))) =
            (occasion, seats, credits, groups)
        else {
            return Err(AppError::Internal("checked above".into()));
        };
        let json = serde_json::to_string(&groups).map_err(|e| AppError::Internal(e.to_string()))?;
        let audit = Self::audit(actor, "admission_round.occasion", &round)
            .with_detail(format!("occasion {occasion}: {seats} seats"));
        self.store
            .set_round_occasion(round_id, occasion, seats, credits, &json, now(), &audit)
            .await
            .map_err(store_conflict)
    }

    /// A round for its staff, with statistics once it has run.
    ///
    /// # Errors
    /// A refusal, [`AppError::NotFound`].
    pub async fn round_view(&self, actor: &Actor, round_id: i64, tr: &Tr) -> Result<RoundView> {
        let round = self.round_for_staff(actor, round_id).await?;
        let occasions = occasion_views(self.store.round_occasions(round_id).await?);
        let available = self
            .store
            .provider_occasions(round.provider_id, today_in_sweden())
            .await?
            .into_iter()
            .filter(|o| !occasions.iter().any(|r| r.occasion.occasion_id == o.0))
            .map(|(id, title, starts, _, _)| (id, format!("{title} ({})", tr.naive_date(&starts))))
            .collect();
        let choices = self.store.round_choices(round_id, None, None).await?;
        let pending = choices
            .iter()
            .filter(|c| c.eligibility == Eligibility::Pending.as_str())
            .count() as i64;
        let mut applications: Vec<i64> = choices.iter().map(|c| c.application_id).collect();
        applications.dedup();
        let stats = if round.seed.is_some() {
            statistics(tr, &occasions, &choices)
        } else {
            Vec::new()
        };
        Ok(RoundView {
            round,
            available,
            pending,
            choices: choices.len() as i64,
            applications: applications.len() as i64,
            occasions,
            stats,
        })
    }

    /// A round's choices for review (optionally one eligibility decision only), and the
    /// round's occasions (for the groups' names).
    ///
    /// # Errors
    /// A refusal, [`AppError::NotFound`].
    pub async fn review_queue(
        &self,
        actor: &Actor,
        round_id: i64,
        eligibility: Option<Eligibility>,
    ) -> Result<(AdmissionRound, Vec<OccasionView>, Vec<ChoiceRow>)> {
        let round = self.round_for_staff(actor, round_id).await?;
        let occasions = occasion_views(self.store.round_occasions(round_id).await?);
        let choices = self
            .store
            .round_choices(round_id, None, eligibility.map(Eligibility::as_str))
            .await?;
        Ok((round, occasions, choices))
    }

    /// Records staff's decision on one choice: eligibility with a note, priority class,
    /// nominee mark and merits per selection group.
    ///
    /// # Errors
    /// [`AppError::Validation`], `round_published`, a refusal, [`AppError::NotFound`].
    pub async fn decide_choice(
        &self,
        actor: &Actor,
        round_id: i64,
        choice_id: i64,
        form: &DecisionForm,
    ) -> Result<()> {
        let round = self.round_for_staff(actor, round_id).await?;
        let mut checks = Checks::new();
        let eligibility = Eligibility::parse(form.eligibility.trim());
        if eligibility.is_none() {
            checks.fail("eligibility", "field.choice_invalid");
        }
        let note = text(&mut checks, "note", &form.note, 1000, false);
        let priority_class = match form.priority_class.trim() {
            "" => Some(0),
            v => v.parse::<i64>().ok().filter(|n| (0..=9).contains(n)),
        };
        if priority_class.is_none() {
            checks.fail("priority_class", "admission.class_range");
        }
        let merits = parse_merits(&form.merits);
        if merits.is_err() {
            checks.fail("merits", "admission.merits_invalid");
        }
        checks.finish()?;
        let (Some(eligibility), Some(priority_class), Ok(merits)) =
            (eligibility, priority_class, merits)
        else {
            return Err(AppError::Internal("checked above".into()));
        };
        let decision = ChoiceDecision {
            eligibility: eligibility.as_str().to_string(),
            note,
            priority_class,
            nominated: is_true(&form.nominated),
            merits: serde_json::to_string(&merits)
                .map_err(|e| AppError::Internal(e.to_string()))?,
        };
        let audit = Self::audit(actor, "admission.decide", &round)
            .with_detail(format!("choice {choice_id}: {}", eligibility.as_str()));
        self.store
            .decide_choices(
                round_id,
                &[choice_id],
                eligibility.as_str(),
                Some(&decision),
                actor.user_id,
                now(),
                &audit,
            )
            .await
            .map_err(store_conflict)?;
        Ok(())
    }

    /// The same eligibility decision for several choices (all or none).
    ///
    /// # Errors
    /// `round_published`, a refusal, [`AppError::NotFound`] when a choice is not in the round.
    pub async fn decide_choices(
        &self,
        actor: &Actor,
        round_id: i64,
        choice_ids: &[i64],
        eligibility: Eligibility,
    ) -> Result<u64> {
        let round = self.round_for_staff(actor, round_id).await?;
        if choice_ids.is_empty() {
            return Err(AppError::invalid("choice", "admission.none_selected"));
        }
        let audit = Self::audit(actor, "admission.decide", &round).with_detail(format!(
            "{} choices: {}",
            choice_ids.len(),
            eligibility.as_str()
        ));
        self.store
            .decide_choices(
                round_id,
                choice_ids,
                eligibility.as_str(),
                None,
                actor.user_id,
                now(),
                &audit,
            )
            .await
            .map_err(store_conflict)
    }

    /// Loads a round and builds the engine's instance.
    async fn built(
        &self,
        round: &AdmissionRound,
    ) -> Result<(Built, Vec<RoundOccasion>, Vec<EngineChoice>)> {
        let occasions = self.store.round_occasions(round.id).await?;
        let choices = self.store.round_engine_input(round.id).await?;
        let built = build(round, &occasions, &choices)?;
        Ok((built, occasions, choices))
    }

    /// Runs the round with `seed` (a fresh random one when `None`) and stores the result; the
    /// round can then be compared, run again and published. Refused while another run of the
    /// round is under way (that run is not disturbed), while choices wait for an eligibility
    /// decision, and once published.
    ///
    /// # Errors
    /// `round_running`, `eligibility_pending`, `round_published`, `round_changed`, a refusal.
    pub async fn run_round(
        &self,
        actor: &Actor,
        round_id: i64,
        seed: Option<u64>,
    ) -> Result<RunSummary> {
        let round = self.round_for_staff(actor, round_id).await?;
        if round.status == RoundStatus::Published.as_str() {
            return Err(conflict("round_published", "admission.round_published"));
        }
        let started = now();
        let locked = self
            .store
            .lock_run(
                round_id,
                started,
                started - Duration::minutes(RUN_LOCK_MINUTES),
            )
            .await
            .map_err(store_conflict)?;
        if !locked {
            return Err(conflict("round_running", "admission.round_running"));
        }
        let result = self.run_locked(actor, &round, seed).await;
        if result.is_err()
            && let Err(e) = self.store.unlock_run(round_id).await
        {
            tracing::error!(round_id, error = %e, "could not release a run lock");
        }
        result
    }

    async fn run_locked(
        &self,
        actor: &Actor,
        round: &AdmissionRound,
        seed: Option<u64>,
    ) -> Result<RunSummary> {
        let (built, _, choices) = self.built(round).await?;
        if choices
            .iter()
            .any(|c| c.eligibility == Eligibility::Pending.as_str())
        {
            return Err(conflict(
                "eligibility_pending",
                "admission.eligibility_pending",
            ));
        }
        let seed = seed.unwrap_or_else(|| {
            let mut b = [0u8; 8];
            getrandom::fill(&mut b).expect("the operating system's random source works");
            u64::from_le_bytes(b) >> 1
        });
        // A national round takes about a second: off the async workers.
        let (built, admission) = tokio::task::spawn_blocking(move || {
            let admission = admit(&built.instance, seed);
            (built, admission)
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
        // Only admitted and reserve choices are stored: the others follow from the decision
        // (not eligible) or not (not tried), and a national round writes a quarter of the rows.
        let results: Vec<ResultRow> = built
            .choice_ids
            .iter()
            .enumerate()
            .filter(|&(i, _)| {
                matches!(
                    admission.outcomes[i],
                    ChoiceOutcome::Admitted { .. } | ChoiceOutcome::Reserve
                )
            })
            .map(|(i, &id)| result_row(id, admission.outcomes[i], admission.reserve_position[i]))
            .collect();
        let cutoffs = stored_cutoffs(&built, &admission)?;
        let admitted = results.iter().filter(|r| r.outcome == "admitted").count();
        let reserves = results.iter().filter(|r| r.outcome == "reserve").count();
        let audit = Self::audit(actor, "admission_round.run", round).with_detail(format!(
            "seed {seed}: {admitted} admitted, {reserves} reserves"
        ));
        self.store
            .save_run(
                round.id,
                round.version,
                seed as i64,
                &results,
                &cutoffs,
                now(),
                &audit,
            )
            .await
            .map_err(store_conflict)?;
        Ok(RunSummary {
            seed,
            admitted,
            reserves,
        })
    }

    /// Runs the round again with changed seats, without storing anything, beside the stored
    /// run (same seed): per occasion the admitted before and after, and every applicant whose
    /// places change.
    ///
    /// # Errors
    /// [`AppError::Validation`] (`seats`: quotas above the new seats), `round_not_run`, a
    /// refusal.
    pub async fn what_if(
        &self,
        actor: &Actor,
        round_id: i64,
        seats: &[(i64, i64)],
    ) -> Result<WhatIf> {
        let round = self.round_for_staff(actor, round_id).await?;
        let seed = round
            .seed
            .ok_or_else(|| conflict("round_not_run", "admission.round_not_run"))?
            as u64;
        let (built, occasions, choices) = self.built(&round).await?;
        let mut changed = built.instance.clone();
        for &(occasion, n) in seats {
            let Some(o) = built.occasion_ids.iter().position(|&id| id == occasion) else {
                return Err(AppError::invalid("seats", "field.choice_invalid"));
            };
            let n = u32::try_from(n)
                .map_err(|_| AppError::invalid("seats", "catalogue.seats_range"))?;
            changed
                .set_seats(o as u32, n)
                .map_err(|_| AppError::invalid("seats", "admission.quota_above_seats"))?;
        }
        let (before, after) = tokio::task::spawn_blocking({
            let base = built.instance.clone();
            move || (admit(&base, seed), admit(&changed, seed))
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
        let rows = occasions
            .iter()
            .enumerate()
            .map(|(i, o)| WhatIfRow {
                occasion_id: o.occasion_id,
                title: o.offering_title.clone(),
                seats_before: u32::try_from(o.seats).unwrap_or(0),
                seats_after: seats
                    .iter()
                    .find(|s| s.0 == o.occasion_id)
                    .map_or(u32::try_from(o.seats).unwrap_or(0), |s| s.1 as u32),
                admitted_before: before.occasions[i].admitted.len(),
                admitted_after: after.occasions[i].admitted.len(),
            })
            .collect();
        // Names and titles for the changed applicants (the same order as the engine's input).
        let named = self.store.round_choices(round.id, None, None).await?;
        debug_assert_eq!(named.len(), choices.len());
        let title = |c: usize| named[c].offering_title.clone();
        let list = |cs: &[usize]| cs.iter().map(|&c| title(c)).collect::<Vec<_>>().join(", ");
        let changed = compare(&built.instance, &before, &after)
            .into_iter()
            .map(|d| {
                let first = built.instance.choices_of(d.applicant).start;
                WhatIfChange {
                    applicant: named[first].applicant_name.clone(),
                    before: list(&d.before),
                    after: list(&d.after),
                }
            })
            .collect();
        Ok(WhatIf { rows, changed })
    }

    /// Publishes the stored run: every admitted applicant gets an offer to reply to within the
    /// round's reply days, everyone an e-mail with their result. From now on results, rules
    /// and applications are frozen.
    ///
    /// # Errors
    /// `round_not_run` (not run since the last change), `round_published`, `round_changed`,
    /// a refusal.
    pub async fn publish_round(&self, actor: &Actor, round_id: i64) -> Result<()> {
        let round = self.round_for_staff(actor, round_id).await?;
        match RoundStatus::parse(&round.status) {
            Some(RoundStatus::Run) => {}
            Some(RoundStatus::Published) => {
                return Err(conflict("round_published", "admission.round_published"));
            }
            _ => return Err(conflict("round_not_run", "admission.round_not_run")),
        }
        let reply_by = today_in_sweden() + Duration::days(round.reply_days);
        let audit = Self::audit(actor, "admission_round.publish", &round);
        // The result e-mails are written to the outbox in the publishing transaction: a crash
        // right after publishing sends them all the same, and each applicant gets one.
        let mails = self.result_mails(&round).await?;
        self.store
            .publish_round(round_id, round.version, reply_by, &mails, now(), &audit)
            .await
            .map_err(store_conflict)?;
        self.mail_wake.notify_one();
        Ok(())
    }

    /// One e-mail per applicant with their result; an admitted applicant's is an offer that
    /// starts the reply-by clock when it is sent.
    async fn result_mails(&self, round: &AdmissionRound) -> Result<Vec<NewMail>> {
        let occasions = occasion_views(self.store.round_occasions(round.id).await?);
        let choices = self.store.round_choices(round.id, None, None).await?;
        let link = format!("{}/admission/{}", self.settings.public_url(), round.id);
        let mut mails = Vec::new();
        for mine in choices.chunk_by(|a, b| a.application_id == b.application_id) {
            let lang = Lang::parse(&mine[0].applicant_locale).unwrap_or(Lang::Sv);
            let tr = Tr::new(lang);
            let summary = summary(&tr, &occasions, mine);
            let admitted = mine
                .iter()
                .any(|c| c.outcome.as_deref() == Some("admitted"));
            let args = [
                ("name", mine[0].applicant_name.as_str()),
                ("round", round.name.as_str()),
                ("summary", summary.as_str()),
                ("link", link.as_str()),
            ];
            let step = if admitted { "offer" } else { "result" };
            let clock = admitted.then_some(ReplyClock {
                round_id: round.id,
                application_id: mine[0].application_id,
                days: round.reply_days,
            });
            mails.push(Self::new_mail(
                Some(format!(
                    "admission_result:{}:{}",
                    round.id, mine[0].application_id
                )),
                &mine[0].applicant_email,
                lang,
                &Mail::Admission { step, args: &args },
                clock,
            ));
        }
        Ok(mails)
    }

    /// Queues one admission e-mail (a receipt): sent by the outbox worker.
    async fn send_admission_mail(&self, to: &str, lang: Lang, step: &str, args: &[(&str, &str)]) {
        let mail = Self::new_mail(None, to, lang, &Mail::Admission { step, args }, None);
        if let Err(e) = self.queue_mails(&[mail]).await {
            tracing::warn!(step, error = %e, "admission e-mail not queued");
        }
    }

    /// Rounds a person may apply in today.
    ///
    /// # Errors
    /// A refusal (anonymous visitors may look: the list is public).
    pub async fn open_rounds(&self) -> Result<Vec<AdmissionRound>> {
        Ok(self.store.open_rounds(today_in_sweden()).await?)
    }

    /// The rounds the signed-in person applied in.
    ///
    /// # Errors
    /// A refusal.
    pub async fn my_rounds(&self, actor: &Actor) -> Result<Vec<AdmissionRound>> {
        self.authorize(actor, Action::Apply).await?;
        let user = actor.user_id.ok_or(AppError::Unauthenticated)?;
        Ok(self.store.rounds_applied(user).await?)
    }

    /// A round as the signed-in person sees it: what they may choose and where their
    /// application stands, with explanations.
    ///
    /// # Errors
    /// A refusal, [`AppError::NotFound`].
    pub async fn application_view(
        &self,
        actor: &Actor,
        round_id: i64,
        tr: &Tr,
    ) -> Result<ApplicationView> {
        self.authorize(actor, Action::Apply).await?;
        let user = actor.user_id.ok_or(AppError::Unauthenticated)?;
        let round = self.store.round(round_id).await.map_err(not_found)?;
        let occasions = occasion_views(self.store.round_occasions(round_id).await?);
        let application = self.store.application_of(round_id, user).await?;
        let choices = self.store.round_choices(round_id, Some(user), None).await?;
        let documents = match &application {
            Some(a) => self.store.documents(a.id).await?,
            None => Vec::new(),
        };
        let today = today_in_sweden();
        let published = round.status == RoundStatus::Published.as_str();
        let (can_apply, late_now) = application_window(&round, application.as_ref(), today);
        let lines = choices
            .iter()
            .map(|c| line(tr, &round, &occasions, c, today))
            .collect();
        let summary = (published && !choices.is_empty()).then(|| summary(tr, &occasions, &choices));
        Ok(ApplicationView {
            round,
            occasions,
            application,
            lines,
            documents,
            summary,
            can_apply,
            late_now,
        })
    }

    /// Saves the signed-in person's ranked choices (occasion ids, best first). An application
    /// after the closing date is late (ranked after all on time) until the late date; after
    /// closing, an application on time can no longer be changed.
    ///
    /// # Errors
    /// [`AppError::Validation`] (no choice, duplicates, more than allowed), `occasion_closed`,
    /// `round_closed`, `round_not_open`, a refusal.
    pub async fn apply(&self, actor: &Actor, round_id: i64, occasion_ids: &[i64]) -> Result<i64> {
        self.authorize(actor, Action::Apply).await?;
        let user = actor.user_id.ok_or(AppError::Unauthenticated)?;
        let round = self.store.round(round_id).await.map_err(not_found)?;
        let today = today_in_sweden();
        if today < round.opens_on {
            return Err(conflict("round_not_open", "admission.round_not_open"));
        }
        let existing = self.store.application_of(round_id, user).await?;
        let (can_apply, late) = application_window(&round, existing.as_ref(), today);
        if !can_apply {
            return Err(conflict("round_closed", "admission.round_closed"));
        }
        if occasion_ids.is_empty() {
            return Err(AppError::invalid("choice_1", "admission.no_choices"));
        }
        if occasion_ids.len() as i64 > round.max_choices {
            return Err(AppError::invalid("choice_1", "admission.too_many_choices"));
        }
        for (i, o) in occasion_ids.iter().enumerate() {
            if occasion_ids[..i].contains(o) {
                return Err(AppError::invalid("choice_1", "admission.duplicate_choice"));
            }
        }
        let occasions = self.store.round_occasions(round_id).await?;
        for id in occasion_ids {
            let open = occasions.iter().any(|o| {
                o.occasion_id == *id && o.offering_status == "published" && o.ends_on >= today
            });
            if !open {
                return Err(conflict("occasion_closed", "admission.occasion_closed"));
            }
        }
        let audit = AuditRecord::new(actor.user_id, "application.save", "")
            .in_organisation(round.provider_id)
            .with_detail(format!("round {round_id}: {} choices", occasion_ids.len()));
        let id = self
            .store
            .save_application(round_id, user, late, occasion_ids, now(), &audit)
            .await
            .map_err(store_conflict)?;
        let me = self.store.get_user(user).await?;
        let lang = Lang::parse(&me.locale).unwrap_or(Lang::Sv);
        let titles: Vec<String> = occasion_ids
            .iter()
            .enumerate()
            .filter_map(|(i, id)| {
                let o = occasions.iter().find(|o| o.occasion_id == *id)?;
                Some(format!("{}. {}", i + 1, o.offering_title))
            })
            .collect();
        let link = format!("{}/admission/{round_id}", self.settings.public_url());
        let choices = titles.join("\n");
        self.send_admission_mail(
            &me.email,
            lang,
            "received",
            &[
                ("name", &me.display_name),
                ("round", &round.name),
                ("choices", &choices),
                ("link", &link),
            ],
        )
        .await;
        Ok(id)
    }

    /// Stores a document for the signed-in person's application: PDF, PNG or JPEG judged by
    /// content, at most [`DOCUMENT_LIMIT`] bytes, with an extension that agrees.
    ///
    /// # Errors
    /// [`AppError::Validation`] (`document`), `apply_first`, a refusal.
    pub async fn upload_document(
        &self,
        actor: &Actor,
        round_id: i64,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<i64> {
        self.authorize(actor, Action::Apply).await?;
        let user = actor.user_id.ok_or(AppError::Unauthenticated)?;
        let round = self.store.round(round_id).await.map_err(not_found)?;
        let application = self
            .store
            .application_of(round_id, user)
            .await?
            .ok_or_else(|| conflict("apply_first", "admission.apply_first"))?;
        if round.status == RoundStatus::Published.as_str() {
            return Err(conflict("round_closed", "admission.round_closed"));
        }
        let file_name = crate::files::clean_file_name(file_name);
        if bytes.is_empty() || file_name.is_empty() {
            return Err(AppError::invalid("document", "admission.document_empty"));
        }
        if bytes.len() > DOCUMENT_LIMIT {
            return Err(AppError::invalid(
                "document",
                "admission.document_too_large",
            ));
        }
        let Some(content_type) = document_type(bytes) else {
            return Err(AppError::invalid("document", "admission.document_type"));
        };
        if !extension_matches(&file_name, content_type) {
            return Err(AppError::invalid("document", "admission.document_mismatch"));
        }
        let key = self.write_file(bytes).await?;
        let audit = AuditRecord::new(actor.user_id, "application.document", "")
            .in_organisation(round.provider_id)
            .with_detail(format!("application {}: {content_type}", application.id));
        let stored = self
            .store
            .add_document(
                application.id,
                &file_name,
                content_type,
                bytes.len() as i64,
                &key,
                now(),
                &audit,
            )
            .await;
        if stored.is_err() {
            self.discard_file(&key).await;
        }
        Ok(stored?)
    }

    /// A document and its content, for its owner and the round's staff.
    ///
    /// # Errors
    /// A refusal, [`AppError::NotFound`].
    pub async fn document(&self, actor: &Actor, id: i64) -> Result<(ApplicationDocument, Vec<u8>)> {
        self.authorize(actor, Action::Apply).await?;
        let (doc, round_id, owner) = self.store.document(id).await.map_err(not_found)?;
        if actor.user_id != Some(owner) {
            self.round_for_staff(actor, round_id).await?;
        }
        let bytes = self.read_file(&doc.storage_key).await?;
        Ok((doc, bytes))
    }

    /// The signed-in person accepts or declines an offered place (until its reply-by date).
    ///
    /// # Errors
    /// `offer_not_open`, `reply_too_late`, a refusal, [`AppError::NotFound`] (also for another
    /// person's choice).
    pub async fn reply(&self, actor: &Actor, choice_id: i64, accept: bool) -> Result<()> {
        self.authorize(actor, Action::Apply).await?;
        let (round_id, choice) = self.store.choice(choice_id).await.map_err(not_found)?;
        if actor.user_id != Some(choice.user_id) {
            return Err(AppError::NotFound);
        }
        if choice.offer_status.as_deref() != Some(OfferStatus::Offered.as_str()) {
            return Err(conflict("offer_not_open", "admission.offer_not_open"));
        }
        if choice.reply_by.is_some_and(|d| d < today_in_sweden()) {
            return Err(conflict("reply_too_late", "admission.reply_too_late"));
        }
        let kind = if accept { "accept" } else { "decline" };
        self.change_after_round(round_id, kind, Some(choice_id), None, actor.user_id)
            .await
    }

    /// Staff record a reply given another way (by phone, at the desk), audited as theirs.
    ///
    /// # Errors
    /// `offer_not_open`, a refusal, [`AppError::NotFound`].
    pub async fn reply_for(
        &self,
        actor: &Actor,
        round_id: i64,
        choice_id: i64,
        accept: bool,
    ) -> Result<()> {
        self.round_for_staff(actor, round_id).await?;
        let (in_round, choice) = self.store.choice(choice_id).await.map_err(not_found)?;
        if in_round != round_id {
            return Err(AppError::NotFound);
        }
        if choice.offer_status.as_deref() != Some(OfferStatus::Offered.as_str()) {
            return Err(conflict("offer_not_open", "admission.offer_not_open"));
        }
        let kind = if accept { "accept" } else { "decline" };
        self.change_after_round(round_id, kind, Some(choice_id), None, actor.user_id)
            .await
    }

    /// Adds seats to an occasion of a published round (late admission): they go to the first
    /// reserves at once.
    ///
    /// # Errors
    /// [`AppError::Validation`], `round_not_published`, a refusal.
    pub async fn add_seats(
        &self,
        actor: &Actor,
        round_id: i64,
        occasion_id: i64,
        seats: i64,
    ) -> Result<()> {
        let round = self.round_for_staff(actor, round_id).await?;
        if round.status != RoundStatus::Published.as_str() {
            return Err(conflict(
                "round_not_published",
                "admission.round_not_published",
            ));
        }
        if !(1..=1000).contains(&seats) {
            return Err(AppError::invalid("seats", "admission.add_seats_range"));
        }
        self.change_after_round(
            round_id,
            "seats",
            None,
            Some((occasion_id, seats)),
            actor.user_id,
        )
        .await
    }

    /// Declines, as expired, every offer whose reply-by date is before `today` (Swedish date):
    /// run by the background tick of `larnav serve`. Returns how many expired.
    ///
    /// # Errors
    /// A store error.
    pub async fn expire_overdue_offers(&self, today: NaiveDate) -> Result<usize> {
        let overdue = self.store.overdue_offers(today).await?;
        let mut n = 0;
        for (round_id, choice_id) in overdue {
            match self
                .change_after_round(round_id, "expire", Some(choice_id), None, None)
                .await
            {
                Ok(()) => n += 1,
                Err(e) => tracing::warn!(round_id, choice_id, error = %e, "offer not expired"),
            }
        }
        Ok(n)
    }

    /// Replays the published round with its replies, applies one more change, and stores it
    /// with what it caused (offers to reserves, places given up) if no other change came in
    /// between; then sends the e-mails.
    async fn change_after_round(
        &self,
        round_id: i64,
        kind: &'static str,
        choice_id: Option<i64>,
        seats: Option<(i64, i64)>,
        by: Option<i64>,
    ) -> Result<()> {
        for _ in 0..REPLY_ATTEMPTS {
            let round = self.store.round(round_id).await.map_err(not_found)?;
            let seed = round
                .seed
                .filter(|_| round.status == RoundStatus::Published.as_str())
                .ok_or_else(|| conflict("round_not_published", "admission.round_not_published"))?
                as u64;
            let (built, _, choices) = self.built(&round).await?;
            let replies = self.store.replies(round_id).await?;
            let reply_no = replies.len() + 1;
            let (mut change, mails) = tokio::task::spawn_blocking(move || {
                replay_and_apply(&built, seed, &replies, &choices, kind, choice_id, seats)
            })
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??;
            let reply_by = today_in_sweden() + Duration::days(round.reply_days);
            for o in &mut change.offers {
                o.1 = reply_by;
            }
            let audit = AuditRecord::new(
                by,
                &format!("admission.{kind}"),
                format!("admission_round:{round_id}"),
            )
            .in_organisation(round.provider_id)
            .with_detail(match (choice_id, seats) {
                (Some(c), _) => format!("choice {c}; {} offered to reserves", change.offers.len()),
                (_, Some((o, n))) => format!("occasion {o}: {n} seats added"),
                _ => String::new(),
            });
            change.mails = self.reply_mails(&round, reply_no, mails).await?;
            match self
                .store
                .record_reply(round_id, round.version, &change, by, now(), &audit)
                .await
            {
                Ok(()) => {
                    self.mail_wake.notify_one();
                    return Ok(());
                }
                Err(StoreError::Conflict(c)) if c == "round_changed" => continue,
                Err(e) => return Err(store_conflict(e)),
            }
        }
        Err(conflict("round_changed", "admission.round_changed"))
    }

    /// The e-mails a reply causes, queued with it: an offer to a promoted reserve starts its
    /// reply-by clock when sent. `reply` numbers the reply, so that the same step for the same
    /// choice later in the round (offered again after a release) is a new message.
    async fn reply_mails(
        &self,
        round: &AdmissionRound,
        reply: usize,
        mails: Vec<(i64, &'static str)>,
    ) -> Result<Vec<NewMail>> {
        let link = format!("{}/admission/{}", self.settings.public_url(), round.id);
        let mut out = Vec::with_capacity(mails.len());
        for (choice, step) in mails {
            let (_, c) = self.store.choice(choice).await?;
            let lang = Lang::parse(&c.applicant_locale).unwrap_or(Lang::Sv);
            let reply_by = today_in_sweden() + Duration::days(round.reply_days);
            let date = Tr::new(lang).naive_date(&reply_by);
            let clock = (step == "promoted").then_some(ReplyClock {
                round_id: round.id,
                application_id: c.application_id,
                days: round.reply_days,
            });
            let args = [
                ("name", c.applicant_name.as_str()),
                ("round", round.name.as_str()),
                ("offering", c.offering_title.as_str()),
                ("reply_by", date.as_str()),
                ("link", link.as_str()),
            ];
            out.push(Self::new_mail(
                Some(format!("admission_{step}:{}:{choice}:{reply}", round.id)),
                &c.applicant_email,
                lang,
                &Mail::Admission { step, args: &args },
                clock,
            ));
        }
        Ok(out)
    }

    /// A round's result per choice as a table (for CSV/XLSX export): staff only.
    ///
    /// # Errors
    /// A refusal.
    pub async fn export_round(
        &self,
        actor: &Actor,
        round_id: i64,
        tr: &Tr,
    ) -> Result<(Vec<String>, Vec<Vec<String>>)> {
        let ran = self.round_for_staff(actor, round_id).await?.seed.is_some();
        let occasions = occasion_views(self.store.round_occasions(round_id).await?);
        let choices = self.store.round_choices(round_id, None, None).await?;
        let headers = [
            "applicant",
            "email",
            "late",
            "offering",
            "starts",
            "rank",
            "eligibility",
            "priority_class",
            "merits",
            "outcome",
            "group",
            "reserve_position",
            "offer",
            "reply_by",
        ]
        .iter()
        .map(|h| tr.t(&format!("admission.col.{h}")).to_string())
        .collect();
        let rows = choices
            .iter()
            .map(|c| {
                let group = c
                    .selection_group
                    .and_then(|g| {
                        occasions
                            .iter()
                            .find(|o| o.occasion.occasion_id == c.occasion_id)?
                            .selection_groups
                            .get(g as usize)
                            .map(|g| g.name.clone())
                    })
                    .unwrap_or_default();
                vec![
                    c.applicant_name.clone(),
                    c.applicant_email.clone(),
                    if c.late {
                        tr.t("common.yes")
                    } else {
                        tr.t("common.no")
                    }
                    .to_string(),
                    c.offering_title.clone(),
                    c.starts_on.to_string(),
                    c.rank.to_string(),
                    tr.t(&format!("admission.eligibility.{}", c.eligibility))
                        .to_string(),
                    c.priority_class.to_string(),
                    merits_text(tr, &c.merits),
                    if ran {
                        let o = shown_outcome(c.outcome.as_deref(), &c.eligibility);
                        tr.t(&format!("admission.outcome.{o}")).to_string()
                    } else {
                        String::new()
                    },
                    group,
                    c.reserve_position
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                    c.offer_status
                        .as_ref()
                        .map(|o| tr.t(&format!("admission.offer.{o}")).to_string())
                        .unwrap_or_default(),
                    c.reply_by.map(|d| d.to_string()).unwrap_or_default(),
                ]
            })
            .collect();
        Ok((headers, rows))
    }
}

/// Whether a person may apply (or change their choices) today, and whether it is late.
fn application_window(
    round: &AdmissionRound,
    existing: Option<&Application>,
    today: NaiveDate,
) -> (bool, bool) {
    if round.status == RoundStatus::Published.as_str() || today < round.opens_on {
        return (false, false);
    }
    if today <= round.closes_on {
        return (true, existing.is_some_and(|a| a.late));
    }
    let late_open = today <= round.late_until;
    match existing {
        Some(a) if !a.late => (false, false),
        _ => (late_open, late_open),
    }
}

fn stored_cutoffs(built: &Built, admission: &Admission) -> Result<Vec<(i64, String)>> {
    built
        .occasion_ids
        .iter()
        .enumerate()
        .map(|(o, &id)| {
            let cut: Vec<Option<StoredCutoff>> = admission
                .cutoffs(&built.instance, o as u32)
                .into_iter()
                .map(|c| {
                    c.map(
                        |Cutoff {
                             merit,
                             priority_class,
                             late,
                         }| StoredCutoff {
                            merit,
                            priority_class,
                            late,
                        },
                    )
                })
                .collect();
            serde_json::to_string(&cut)
                .map(|s| (id, s))
                .map_err(|e| AppError::Internal(e.to_string()))
        })
        .collect()
}

/// Replays the published run with its replies, then applies one change. Returns what to
/// store and which choices to e-mail (index into `choices`, mail step). The stored published
/// result must be what the engine gives for the seed: anything else is refused, never guessed.
fn replay_and_apply(
    built: &Built,
    seed: u64,
    replies: &[larnav_store::Reply],
    choices: &[EngineChoice],
    kind: &'static str,
    choice_id: Option<i64>,
    seats: Option<(i64, i64)>,
) -> Result<(ReplyChange, Vec<(i64, &'static str)>)> {
    let admission = admit(&built.instance, seed);
    for (i, c) in choices.iter().enumerate() {
        let expected = match admission.outcomes[i] {
            ChoiceOutcome::Admitted { .. } => Some(Outcome::Admitted.as_str()),
            ChoiceOutcome::Reserve => Some(Outcome::Reserve.as_str()),
            ChoiceOutcome::NotTried | ChoiceOutcome::NotEligible => None,
        };
        if c.outcome.as_deref() != expected {
            return Err(AppError::Internal(format!(
                "the published result of choice {} cannot be reproduced",
                c.id
            )));
        }
    }
    let index = |id: i64| built.choice_ids.iter().position(|&c| c == id);
    let occasion_index = |id: i64| built.occasion_ids.iter().position(|&o| o == id);
    let mut after = AfterRound::new(&built.instance, &admission);
    let step = |after: &mut AfterRound<'_>,
                kind: &str,
                choice: Option<usize>,
                seats: Option<(usize, u32)>| {
        match (kind, choice, seats) {
            ("accept", Some(c), _) => after.accept(c).map_err(|_| ()),
            ("decline" | "expire", Some(c), _) => after.decline(c).map_err(|_| ()),
            ("seats", _, Some((o, n))) => Ok(after.add_seats(o as u32, n)),
            _ => Err(()),
        }
    };
    for r in replies {
        let c = r.choice_id.and_then(index);
        let s = r
            .occasion_id
            .and_then(occasion_index)
            .zip(r.seats.map(|n| n as u32));
        step(&mut after, &r.kind, c, s)
            .map_err(|()| AppError::Internal(format!("reply {} cannot be replayed", r.id)))?;
    }
    let c = choice_id.and_then(index);
    let s = match seats {
        Some((o, n)) => Some((
            occasion_index(o).ok_or(AppError::NotFound)?,
            u32::try_from(n)
                .map_err(|_| AppError::invalid("seats", "admission.add_seats_range"))?,
        )),
        None => None,
    };
    let events = step(&mut after, kind, c, s)
        .map_err(|()| conflict("offer_not_open", "admission.offer_not_open"))?;
    let mut change = ReplyChange {
        kind,
        choice_id,
        occasion_id: seats.map(|s| s.0),
        seats: seats.map(|s| s.1),
        statuses: Vec::new(),
        offers: Vec::new(),
        mails: Vec::new(),
    };
    let mut mails = Vec::new();
    if let Some(c) = c {
        let (status, mail) = match kind {
            "accept" => (OfferStatus::Accepted, "accepted"),
            "decline" => (OfferStatus::Declined, "declined"),
            _ => (OfferStatus::Expired, "expired"),
        };
        change.statuses.push((choices[c].id, status.as_str()));
        mails.push((choices[c].id, mail));
    }
    for e in events {
        match e {
            Event::Offered { choice } => {
                change.offers.push((choices[choice].id, NaiveDate::MIN));
                mails.push((choices[choice].id, "promoted"));
            }
            Event::Released { choice } => {
                change
                    .statuses
                    .push((choices[choice].id, OfferStatus::Released.as_str()));
            }
        }
    }
    Ok((change, mails))
}

/// Per occasion: applicants, seats, first choices, eligibility, outcome and replies.
fn statistics(tr: &Tr, occasions: &[OccasionView], choices: &[ChoiceRow]) -> Vec<OccasionStats> {
    occasions
        .iter()
        .map(|o| {
            let id = o.occasion.occasion_id;
            let mine: Vec<&ChoiceRow> = choices.iter().filter(|c| c.occasion_id == id).collect();
            let count =
                |f: &dyn Fn(&ChoiceRow) -> bool| mine.iter().filter(|c| f(c)).count() as i64;
            let applicants = mine.len() as i64;
            let cut: Vec<Option<StoredCutoff>> =
                serde_json::from_str(&o.occasion.cutoffs).unwrap_or_default();
            OccasionStats {
                occasion_id: id,
                title: o.occasion.offering_title.clone(),
                starts_on: o.occasion.starts_on,
                seats: o.occasion.seats,
                applicants,
                first_choice: count(&|c| c.rank == 1),
                eligible: count(&|c| c.eligibility == Eligibility::Eligible.as_str()),
                per_seat: (o.occasion.seats > 0)
                    .then(|| applicants as f64 / o.occasion.seats as f64),
                admitted: count(&|c| c.outcome.as_deref() == Some(Outcome::Admitted.as_str())),
                reserves: count(&|c| c.outcome.as_deref() == Some(Outcome::Reserve.as_str())),
                accepted: count(&|c| c.offer_status.as_deref() == Some("accepted")),
                declined: count(&|c| {
                    matches!(c.offer_status.as_deref(), Some("declined" | "expired"))
                }),
                cutoffs: o
                    .selection_groups
                    .iter()
                    .enumerate()
                    .map(|(g, group)| {
                        let merit = cut
                            .get(g)
                            .and_then(|c| c.as_ref())
                            .map(|c| decimal(tr, f64::from(c.merit)));
                        (group.name.clone(), merit)
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The group names and last admitted merits of an occasion, as "Betyg 19,5".
fn cutoff_text(tr: &Tr, o: &OccasionView) -> Option<String> {
    let cut: Vec<Option<StoredCutoff>> =
        serde_json::from_str(&o.occasion.cutoffs).unwrap_or_default();
    let parts: Vec<String> = o
        .selection_groups
        .iter()
        .zip(cut.iter())
        .filter_map(|(g, c)| {
            let c = c.as_ref()?;
            Some(tr.fmt(
                "admission.cutoff_group",
                &[
                    ("group", &g.name),
                    ("merit", &decimal(tr, f64::from(c.merit))),
                ],
            ))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// One choice as the applicant sees it.
fn line(
    tr: &Tr,
    round: &AdmissionRound,
    occasions: &[OccasionView],
    c: &ChoiceRow,
    today: NaiveDate,
) -> ChoiceLine {
    let published = round.status == RoundStatus::Published.as_str();
    let occasion = occasions
        .iter()
        .find(|o| o.occasion.occasion_id == c.occasion_id);
    let not_eligible = c.eligibility == Eligibility::NotEligible.as_str()
        || c.eligibility == Eligibility::NeedsCompletion.as_str();
    let (status, explanation) = if !published {
        (
            tr.t(&format!("admission.eligibility.{}", c.eligibility))
                .to_string(),
            c.eligibility_note.clone(),
        )
    } else if let Some(offer) = &c.offer_status {
        let reply_by = c.reply_by.map(|d| tr.naive_date(&d)).unwrap_or_default();
        let explanation = if offer == OfferStatus::Offered.as_str() {
            tr.fmt("admission.reply_by", &[("date", &reply_by)])
        } else {
            String::new()
        };
        (
            tr.t(&format!("admission.offer.{offer}")).to_string(),
            explanation,
        )
    } else {
        let outcome = shown_outcome(c.outcome.as_deref(), &c.eligibility);
        let explanation = match outcome {
            "reserve" => {
                let place = c.reserve_position.unwrap_or_default().to_string();
                let mut s = tr.fmt("admission.reserve_place", &[("n", &place)]);
                if let Some(cut) = occasion.and_then(|o| cutoff_text(tr, o)) {
                    s.push(' ');
                    s.push_str(&tr.fmt("admission.last_admitted", &[("cutoffs", &cut)]));
                }
                s
            }
            "not_tried" => tr.t("admission.not_tried_why").to_string(),
            _ if not_eligible => c.eligibility_note.clone(),
            _ => String::new(),
        };
        (
            tr.t(&format!("admission.outcome.{outcome}")).to_string(),
            explanation,
        )
    };
    ChoiceLine {
        can_reply: published
            && c.offer_status.as_deref() == Some(OfferStatus::Offered.as_str())
            && c.reply_by.is_none_or(|d| d >= today),
        choice: c.clone(),
        status,
        explanation,
    }
}

/// "Admitted to your 2nd choice; for your 1st choice the last admitted merit in the group
/// Betyg was 19,5." — or the reserve places when nothing was admitted.
fn summary(tr: &Tr, occasions: &[OccasionView], mine: &[ChoiceRow]) -> String {
    let admitted = mine
        .iter()
        .find(|c| c.outcome.as_deref() == Some(Outcome::Admitted.as_str()));
    let better: Vec<String> = mine
        .iter()
        .take_while(|c| admitted.is_none_or(|a| c.rank < a.rank))
        .filter(|c| c.outcome.as_deref() == Some(Outcome::Reserve.as_str()))
        .map(|c| {
            let cut = occasions
                .iter()
                .find(|o| o.occasion.occasion_id == c.occasion_id)
                .and_then(|o| cutoff_text(tr, o))
                .unwrap_or_else(|| tr.t("admission.no_one_admitted").to_string());
            tr.fmt(
                "admission.summary_better",
                &[
                    ("rank", &ordinal(tr, c.rank)),
                    ("offering", &c.offering_title),
                    ("cutoffs", &cut),
                    ("n", &c.reserve_position.unwrap_or_default().to_string()),
                ],
            )
        })
        .collect();
    let head = match admitted {
        Some(a) => tr.fmt(
            "admission.summary_admitted",
            &[
                ("rank", &ordinal(tr, a.rank)),
                ("offering", &a.offering_title),
            ],
        ),
        None => tr.t("admission.summary_not_admitted").to_string(),
    };
    if better.is_empty() {
        format!("{head}.")
    } else {
        format!("{head}; {}.", better.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merits_are_read_as_staff_type_them() {
        assert_eq!(parse_merits(""), Ok(vec![]));
        assert_eq!(
            parse_merits("19,5; -; 12"),
            Ok(vec![Some(19.5), None, Some(12.0)])
        );
        assert_eq!(parse_merits("19,5;"), Ok(vec![Some(19.5), None]));
        assert!(parse_merits("nitton").is_err());
        let tr = Tr::new(Lang::Sv);
        assert_eq!(merits_text(&tr, "[19.5,null,12.0]"), "19,5; -; 12");
    }

    #[test]
    fn ordinals_in_swedish_and_english() {
        let sv = Tr::new(Lang::Sv);
        let en = Tr::new(Lang::En);
        let sv: Vec<String> = [1, 2, 3, 11, 12, 21]
            .iter()
            .map(|&n| ordinal(&sv, n))
            .collect();
        assert_eq!(sv, ["1:a", "2:a", "3:e", "11:e", "12:e", "21:a"]);
        let en: Vec<String> = [1, 2, 3, 11, 12, 22]
            .iter()
            .map(|&n| ordinal(&en, n))
            .collect();
        assert_eq!(en, ["1st", "2nd", "3rd", "11th", "12th", "22nd"]);
    }
}
