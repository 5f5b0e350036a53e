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

mod applications; // a learner's side: open rounds, applying, documents
mod input; // the round and decision forms, checked
mod replies; // replies to offers, seats added, overdue offers, the replayed state
mod review; // staff decide eligibility
mod rounds; // creating, editing and viewing a round; its export
mod run; // running the engine, what-if, publishing and the result e-mails
mod texts; // statistics and the sentences shown per choice
mod types; // the views pages and the API show

pub use input::*;
use run::{Built, StoredCutoff};
pub use texts::*;
pub use types::*;

use crate::accounts::not_found;
use crate::i18n::Lang;
use crate::mail::Mail;
use crate::{App, AppError};
use larnav_domain::Actor;
use larnav_domain::admission::round::SelectionGroup;
use larnav_store::{AdmissionRound, AuditRecord, Conflict, RoundOccasion, StoreError};

fn conflict(code: &'static str, message_key: &'static str) -> AppError {
    AppError::Conflict { code, message_key }
}

fn store_conflict(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(Conflict::RoundPublished) => {
            conflict("round_published", "admission.round_published")
        }
        StoreError::Conflict(Conflict::RoundChanged) => {
            conflict("round_changed", "admission.round_changed")
        }
        other => not_found(other),
    }
}

/// Whether applications to the round have closed: after its last day (late window included),
/// or earlier when staff closed them explicitly. The engine runs only then, so that nobody who
/// was told they could still apply or change their choices is left out of the result.
fn applications_closed(round: &AdmissionRound, today: chrono::NaiveDate) -> bool {
    round.closed_early_at.is_some() || today > round.late_until
}

/// Refuses to run or publish a round whose applications are still open.
fn require_applications_closed(round: &AdmissionRound) -> Result<(), AppError> {
    if applications_closed(round, crate::catalogue::today_in_sweden()) {
        Ok(())
    } else {
        Err(conflict("applications_open", "admission.applications_open"))
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

impl App {
    /// The selection-group names of the occasion a choice is for, in order.
    async fn choice_groups(&self, round_id: i64, choice_id: i64) -> crate::Result<Vec<String>> {
        let (_, choice) = self.store.choice(choice_id).await.map_err(not_found)?;
        Ok(occasion_views(self.store.round_occasions(round_id).await?)
            .into_iter()
            .find(|o| o.occasion.occasion_id == choice.occasion_id)
            .map(|o| o.selection_groups.into_iter().map(|g| g.name).collect())
            .unwrap_or_default())
    }
}

/// Merits as stored: `[]` (merit 0 everywhere) or one value per group, `null` where not in it.
fn stored_merits(json: &str) -> Vec<Option<f64>> {
    serde_json::from_str(json).unwrap_or_default()
}

impl App {
    fn audit(actor: &Actor, action: &str, round: &AdmissionRound) -> AuditRecord {
        AuditRecord::new(
            actor.user_id,
            action,
            format!("admission_round:{}", round.id),
        )
        .in_organisation(round.provider_id)
    }

    /// Queues one admission e-mail (a receipt): sent by the outbox worker.
    async fn send_admission_mail(&self, to: &str, lang: Lang, step: &str, args: &[(&str, &str)]) {
        let mail = Self::new_mail(None, to, lang, &Mail::Admission { step, args }, None);
        if let Err(e) = self.queue_mails(&[mail]).await {
            tracing::warn!(step, error = %e, "admission e-mail not queued");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::input::parse_merits;
    use super::*;
    use crate::i18n::Tr;

    #[test]
    fn merits_are_read_as_staff_type_them() {
        let groups = ["Betyg".to_string(), "Prov".into(), "Arbete".into()];
        let parse = |t: &str| parse_merits(t, &groups);
        assert_eq!(parse(""), Ok(vec![]));
        assert_eq!(parse("19,5; -; 12"), Ok(vec![Some(19.5), None, Some(12.0)]));
        assert_eq!(parse("19,5;"), Ok(vec![Some(19.5), None]));
        assert!(parse("nitton").is_err());
        // Issue 31: staff wrote the group's name, as the hint shows it.
        assert_eq!(parse("Betyg: 17,5"), Ok(vec![Some(17.5), None, None]));
        assert_eq!(
            parse("prov: 1,2; Betyg: 17,5"),
            Ok(vec![Some(17.5), Some(1.2), None])
        );
        assert!(parse("Intervju: 3").is_err(), "not a group");
        assert!(parse("Betyg: sjutton").is_err());
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
