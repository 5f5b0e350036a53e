//! The learner's side of a round: open rounds, applying with ranked choices, documents.

use crate::accounts::not_found;
use crate::catalogue::today_in_sweden;
use crate::i18n::{Lang, Tr};
use crate::{App, AppError, Result, now};
use chrono::NaiveDate;
use larnav_domain::admission::round::RoundStatus;
use larnav_domain::{Action, Actor};
use larnav_store::{AdmissionRound, Application, ApplicationDocument, AuditRecord};

use super::*;

/// Whether a person may apply (or change their choices) today, and whether it is late.
fn application_window(
    round: &AdmissionRound,
    existing: Option<&Application>,
    today: NaiveDate,
) -> (bool, bool) {
    if round.status == RoundStatus::Published.as_str()
        || round.closed_early_at.is_some()
        || today < round.opens_on
    {
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

impl App {
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
            email_unverified: actor.email_unverified,
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
        Self::require_verified(actor)?;
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
    /// content, within [`Upload::ApplicationDocument`](crate::uploads::Upload)'s limit, with an extension that agrees.
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
        Self::require_verified(actor)?;
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
        let (file_name, content_type) =
            crate::uploads::Upload::ApplicationDocument.judge_document(file_name, bytes)?;
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
}
