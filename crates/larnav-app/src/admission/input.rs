//! The forms staff fill in for a round, its occasions and eligibility decisions, and their checks.

use crate::catalogue::{date, number, optional, text};
use crate::error::Checks;
use crate::{App, AppError, Result};
use larnav_domain::admission::round::GroupsError;
use larnav_store::RoundFields;
use serde::{Deserialize, Serialize};

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

pub(super) fn groups_error(e: GroupsError) -> &'static str {
    match e {
        GroupsError::None | GroupsError::NoName => "admission.groups_invalid",
        GroupsError::TooMany => "admission.groups_too_many",
        GroupsError::Duplicate => "admission.groups_duplicate",
        GroupsError::QuotaAboveSeats => "admission.quota_above_seats",
    }
}

/// Reads merits as staff type them, in the order of the occasion's selection `groups`: bare
/// numbers in group order ("19,5; -; 12", `-` where the applicant is not in a group), or named
/// ("Betyg: 17,5; Prov: 1,2", any order, groups left out are `-`). `Err` for a value that is
/// not a number or a name that is not one of the groups.
pub(super) fn parse_merits(
    text: &str,
    groups: &[String],
) -> std::result::Result<Vec<Option<f64>>, ()> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let value = |v: &str| match v.trim() {
        "" | "-" => Ok(None),
        v => number(v).map(Some).ok_or(()),
    };
    let parts: Vec<&str> = text.split(';').collect();
    if !parts.iter().any(|p| p.contains(':')) {
        return parts.into_iter().map(value).collect();
    }
    let mut merits = vec![None; groups.len()];
    for part in parts.iter().filter(|p| !p.trim().is_empty()) {
        let (name, v) = part.split_once(':').ok_or(())?;
        let name = larnav_domain::text::fold(name.trim());
        let i = groups
            .iter()
            .position(|g| larnav_domain::text::fold(g) == name)
            .ok_or(())?;
        merits[i] = value(v)?;
    }
    Ok(merits)
}

impl App {
    pub(super) fn check_round(form: &RoundForm) -> Result<RoundFields> {
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
        let missing = || AppError::bug("checked above");
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
}
