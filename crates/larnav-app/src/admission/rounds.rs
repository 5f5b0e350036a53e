//! A provider's rounds: create, edit, attach occasions with their selection groups, view and export.

use crate::accounts::not_found;
use crate::catalogue::{number, optional, today_in_sweden};
use crate::error::Checks;
use crate::i18n::Tr;
use crate::{App, AppError, Result, now};
use larnav_domain::admission::round::{Eligibility, RoundStatus, parse_groups};
use larnav_domain::{Action, Actor};
use larnav_store::{AdmissionRound, AuditRecord};

use super::*;

impl App {
    /// The round, if `actor` runs admission for its provider.
    pub(super) async fn round_for_staff(
        &self,
        actor: &Actor,
        round_id: i64,
    ) -> Result<AdmissionRound> {
        self.authorize(actor, Action::Apply).await?;
        let round = self.store.round(round_id).await.map_err(not_found)?;
        self.authorize(actor, Action::ManageAdmission(round.provider_id))
            .await?;
        Ok(round)
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
            return Err(AppError::bug("checked above"));
        };
        let json = serde_json::to_string(&groups)
            .map_err(|e| AppError::internal("set round occasion", e))?;
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
            applications_closed: applications_closed(&round, today_in_sweden()),
            round,
            available,
            pending,
            choices: choices.len() as i64,
            applications: applications.len() as i64,
            occasions,
            stats,
        })
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
