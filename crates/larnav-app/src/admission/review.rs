//! Staff decide eligibility, one choice or many at once.

use crate::catalogue::{is_true, text};
use crate::error::Checks;
use crate::{App, AppError, Result, now};
use larnav_domain::Actor;
use larnav_domain::admission::round::Eligibility;
use larnav_store::{AdmissionRound, ChoiceDecision, ChoiceRow};

use super::*;

impl App {
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
        let groups = self.choice_groups(round_id, choice_id).await?;
        let merits = parse_merits(&form.merits, &groups);
        if merits.is_err() {
            checks.fail("merits", "admission.merits_invalid");
        }
        checks.finish()?;
        let (Some(eligibility), Some(priority_class), Ok(merits)) =
            (eligibility, priority_class, merits)
        else {
            return Err(AppError::bug("checked above"));
        };
        let decision = ChoiceDecision {
            eligibility: eligibility.as_str().to_string(),
            note,
            priority_class,
            nominated: is_true(&form.nominated),
            merits: serde_json::to_string(&merits)
                .map_err(|e| AppError::internal("decide choice", e))?,
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
}
