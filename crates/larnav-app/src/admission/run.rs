//! Running a round: the engine's instance built from the store, the run under a lock, what-if
//! seat numbers, publishing and the result e-mails.

use crate::catalogue::today_in_sweden;
use crate::i18n::{Lang, Tr};
use crate::mail::Mail;
use crate::{App, AppError, Result, now};
use chrono::Duration;
use larnav_domain::Actor;
use larnav_domain::admission::round::{Eligibility, Outcome, RoundStatus, group_rules};
use larnav_domain::admission::{
    Admission, Cap, ChoiceInput, ChoiceOutcome, Cutoff, Instance, OccasionRules, admit, compare,
};
use larnav_store::{AdmissionRound, EngineChoice, NewMail, ReplyClock, ResultRow, RoundOccasion};
use serde::{Deserialize, Serialize};

use super::*;

/// A round built for the engine: the instance and the database ids behind its indices.
pub(super) struct Built {
    pub(super) instance: Instance,
    pub(super) choice_ids: Vec<i64>,
    pub(super) occasion_ids: Vec<i64>,
}

/// How long a run lock is honoured: a run takes seconds, so an older lock belongs to a process
/// that died.
const RUN_LOCK_MINUTES: i64 = 2;

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
            .map_err(|e| AppError::internal(format!("round {}", round.id), e))?;
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
                .ok_or_else(|| AppError::bug(format!("choice {} outside round", c.id)))?;
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
            .map_err(|e| AppError::internal(format!("round {}", round.id), e))?;
        start = end;
    }
    Ok(Built {
        instance,
        choice_ids,
        occasion_ids,
    })
}

/// The stored form of one choice's outcome: for a reserve, the group is the one whose list gives its best place
/// (what the reserve list and its export show beside the place).
fn result_row(
    choice_id: i64,
    outcome: ChoiceOutcome,
    reserve_position: u32,
    reserve_group: u32,
) -> ResultRow {
    let (outcome, group, shared) = match outcome {
        ChoiceOutcome::Admitted { group, overflow } => {
            (Outcome::Admitted, Some(i64::from(group)), overflow)
        }
        ChoiceOutcome::Reserve => (Outcome::Reserve, Some(i64::from(reserve_group)), false),
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
pub(super) struct StoredCutoff {
    pub(super) merit: f32,
    pub(super) priority_class: u8,
    pub(super) late: bool,
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
                .map_err(|e| AppError::internal("stored cutoffs", e))
        })
        .collect()
}

impl App {
    /// Loads a round and builds the engine's instance.
    pub(super) async fn built(
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
    /// Refused, too, while applications are open (`applications_open`): until the round's last
    /// day, late window included, unless staff closed applications early
    /// ([`App::close_applications`]).
    ///
    /// # Errors
    /// `applications_open`, `round_running`, `eligibility_pending`, `round_published`,
    /// `round_changed`, a refusal.
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
        require_applications_closed(&round)?;
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
        .map_err(|e| AppError::internal("run locked", e))?;
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
            .map(|(i, &id)| {
                result_row(
                    id,
                    admission.outcomes[i],
                    admission.reserve_position[i],
                    admission.reserve_group[i],
                )
            })
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
        .map_err(|e| AppError::internal("what if", e))?;
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
    /// `round_not_run` (not run since the last change), `applications_open`, `round_published`,
    /// `round_changed`, a refusal.
    pub async fn publish_round(&self, actor: &Actor, round_id: i64) -> Result<()> {
        let round = self.round_for_staff(actor, round_id).await?;
        match RoundStatus::parse(&round.status) {
            Some(RoundStatus::Run) => {}
            Some(RoundStatus::Published) => {
                return Err(conflict("round_published", "admission.round_published"));
            }
            _ => return Err(conflict("round_not_run", "admission.round_not_run")),
        }
        // A round run before applications closed (possible before this rule existed) waits.
        require_applications_closed(&round)?;
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

    /// Closes applications today, before the round's last day: an explicit decision with its
    /// reason, audited, that e-mails every applicant and shows on every page of the round
    /// (its closing dates become today). It cannot be undone. After it, the round can be run.
    ///
    /// # Errors
    /// [`AppError::Validation`] (`reason` missing or longer than 500 characters),
    /// `round_published`, `applications_closed` (closed already), `round_not_open` (the round
    /// has not opened: change its dates instead), `round_changed`, a refusal.
    pub async fn close_applications(
        &self,
        actor: &Actor,
        round_id: i64,
        reason: &str,
    ) -> Result<()> {
        let round = self.round_for_staff(actor, round_id).await?;
        if round.status == RoundStatus::Published.as_str() {
            return Err(conflict("round_published", "admission.round_published"));
        }
        let today = today_in_sweden();
        if applications_closed(&round, today) {
            return Err(conflict(
                "applications_closed",
                "admission.applications_closed",
            ));
        }
        if today < round.opens_on {
            return Err(conflict("round_not_open", "admission.round_not_open"));
        }
        let reason = crate::error::reason_text(reason)?;
        let mails = self.closed_early_mails(&round, today, reason).await?;
        let audit = Self::audit(actor, "admission_round.close_early", &round)
            .with_detail(format!("{} applicants told: {reason}", mails.len()));
        self.store
            .close_round_early(
                round.id,
                round.version,
                today,
                reason,
                &mails,
                now(),
                &audit,
            )
            .await
            .map_err(store_conflict)?;
        self.mail_wake.notify_one();
        Ok(())
    }

    /// One e-mail per application: applications closed early, and why.
    async fn closed_early_mails(
        &self,
        round: &AdmissionRound,
        today: chrono::NaiveDate,
        reason: &str,
    ) -> Result<Vec<NewMail>> {
        let choices = self.store.round_choices(round.id, None, None).await?;
        let link = format!("{}/admission/{}", self.settings.public_url(), round.id);
        Ok(choices
            .chunk_by(|a, b| a.application_id == b.application_id)
            .map(|mine| {
                let lang = Lang::parse(&mine[0].applicant_locale).unwrap_or(Lang::Sv);
                let day = Tr::new(lang).naive_date(&today);
                let args = [
                    ("name", mine[0].applicant_name.as_str()),
                    ("round", round.name.as_str()),
                    ("date", day.as_str()),
                    ("reason", reason),
                    ("link", link.as_str()),
                ];
                Self::new_mail(
                    Some(format!(
                        "admission_closed_early:{}:{}",
                        round.id, mine[0].application_id
                    )),
                    &mine[0].applicant_email,
                    lang,
                    &Mail::Admission {
                        step: "closed_early",
                        args: &args,
                    },
                    None,
                )
            })
            .collect())
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
}
