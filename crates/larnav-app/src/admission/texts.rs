//! The numbers and sentences pages show: statistics per occasion, cut-offs, each choice's line
//! and the summary for the applicant.

use crate::i18n::Tr;
use chrono::NaiveDate;
use larnav_domain::admission::round::{Eligibility, OfferStatus, Outcome, RoundStatus};
use larnav_store::{AdmissionRound, ChoiceRow};

use super::*;

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

/// What became of a choice after a run: stored for admitted and reserve choices; the others
/// were not eligible (staff's decision) or not tried (a better choice was obtained).
pub(super) fn shown_outcome<'a>(stored: Option<&'a str>, eligibility: &str) -> &'a str {
    match stored {
        Some(o) => o,
        None if eligibility == Eligibility::Eligible.as_str() => Outcome::NotTried.as_str(),
        None => Outcome::NotEligible.as_str(),
    }
}

pub(super) fn ordinal(tr: &Tr, n: i64) -> String {
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

/// Per occasion: applicants, seats, first choices, eligibility, outcome and replies.
pub(super) fn statistics(
    tr: &Tr,
    occasions: &[OccasionView],
    choices: &[ChoiceRow],
) -> Vec<OccasionStats> {
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
pub(super) fn line(
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
/// Betyg was 19,5." — or the reserve places when nothing was admitted. Once offers exist they
/// decide where the applicant stands: a promoted reserve holds an offer, a declined or expired
/// place is no longer theirs (the stored run alone would still say "admitted" or "reserve").
pub(super) fn summary(tr: &Tr, occasions: &[OccasionView], mine: &[ChoiceRow]) -> String {
    let offer = |c: &ChoiceRow| c.offer_status.as_deref().and_then(OfferStatus::parse);
    let holds =
        |c: &&ChoiceRow| matches!(offer(c), Some(OfferStatus::Offered | OfferStatus::Accepted));
    let any_offer = mine.iter().any(|c| c.offer_status.is_some());
    let admitted = if any_offer {
        mine.iter().find(holds)
    } else {
        mine.iter()
            .find(|c| c.outcome.as_deref() == Some(Outcome::Admitted.as_str()))
    };
    let let_go = mine
        .iter()
        .find(|c| matches!(offer(c), Some(OfferStatus::Declined | OfferStatus::Expired)));
    let better: Vec<String> = mine
        .iter()
        .take_while(|c| admitted.is_none_or(|a| c.rank < a.rank))
        .filter(|c| {
            c.outcome.as_deref() == Some(Outcome::Reserve.as_str()) && c.offer_status.is_none()
        })
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
    let choice = |key: &str, c: &ChoiceRow| {
        tr.fmt(
            key,
            &[
                ("rank", &ordinal(tr, c.rank)),
                ("offering", &c.offering_title),
            ],
        )
    };
    let head = match (admitted, let_go) {
        (Some(a), _) if offer(a) == Some(OfferStatus::Accepted) => {
            choice("admission.summary_accepted", a)
        }
        (Some(a), _) => choice("admission.summary_admitted", a),
        (None, Some(c)) if offer(c) == Some(OfferStatus::Declined) => {
            choice("admission.summary_declined", c)
        }
        (None, Some(c)) => choice("admission.summary_expired", c),
        (None, None) => tr.t("admission.summary_not_admitted").to_string(),
    };
    if better.is_empty() {
        format!("{head}.")
    } else {
        format!("{head}; {}.", better.join("; "))
    }
}
