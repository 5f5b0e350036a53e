//! After publication: replies to offers (by the learner or staff for them), seats added, offers
//! that expired — each replayed on the published run so the seats never drift.

use crate::accounts::not_found;
use crate::catalogue::today_in_sweden;
use crate::i18n::{Lang, Tr};
use crate::mail::Mail;
use crate::{App, AppError, Result, now};
use chrono::{Duration, NaiveDate};
use larnav_domain::admission::after::{AfterRound, Event};
use larnav_domain::admission::round::{OfferStatus, Outcome, RoundStatus};
use larnav_domain::admission::{ChoiceOutcome, admit};
use larnav_domain::{Action, Actor};
use larnav_store::{
    AdmissionRound, AuditRecord, Conflict, EngineChoice, NewMail, ReplyChange, ReplyClock,
    StoreError,
};

use super::*;

/// Attempts at storing a reply when other replies keep coming in between.
const REPLY_ATTEMPTS: usize = 5;

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
            return Err(AppError::bug(format!(
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
            .map_err(|()| AppError::bug(format!("reply {} cannot be replayed", r.id)))?;
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

impl App {
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
            .map_err(|e| AppError::internal("change after round", e))??;
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
                Err(StoreError::Conflict(Conflict::RoundChanged)) => continue,
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
}
