//! Who hears about a review step. A course or material submitted for review reaches those who
//! may review it, by e-mail and on their start page (`review_inbox`); the decision — published,
//! approved, or sent back with changes requested — reaches the person who submitted it. The
//! mails are queued after the step is stored; a mail that cannot be queued is logged, and the
//! start page still shows the work.

use larnav_domain::catalogue::OfferingStatus;
use larnav_domain::{Action, Actor, Role};
use serde::Serialize;

use crate::i18n::Lang;
use crate::mail::Mail;
use crate::{App, Result, now};

/// Something waiting for the signed-in person's review.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewItem {
    pub title: String,
    pub organisation_name: String,
    /// The page where it is reviewed.
    pub link: String,
}

/// What waits for the signed-in person's review: courses and material.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ReviewInbox {
    pub offerings: Vec<ReviewItem>,
    pub materials: Vec<ReviewItem>,
}

impl ReviewInbox {
    pub fn is_empty(&self) -> bool {
        self.offerings.is_empty() && self.materials.is_empty()
    }
}

/// The roles that publish an organisation's offerings (see `Action::PublishOfferings`).
const OFFERING_REVIEWERS: [Role; 3] = [Role::Coordinator, Role::Reviewer, Role::OrganisationAdmin];

impl App {
    /// Courses submitted for review that the actor may publish (not their own submissions),
    /// and material waiting for their review. Empty for anonymous visitors.
    ///
    /// # Errors
    /// A store error.
    pub async fn review_inbox(&self, actor: &Actor) -> Result<ReviewInbox> {
        let mut inbox = ReviewInbox::default();
        if actor.user_id.is_none() {
            return Ok(inbox);
        }
        let mut orgs: Vec<i64> = actor
            .memberships
            .iter()
            .map(|m| m.organisation_id)
            .collect();
        orgs.dedup();
        for org in orgs {
            if !actor.may(Action::PublishOfferings(org)) {
                continue;
            }
            let name = self.store.get_organisation(org).await?.name;
            for o in self.store.offerings_of(org).await? {
                if o.status == OfferingStatus::Review
                    && self.store.offering_submitter(o.id).await? != actor.user_id
                {
                    inbox.offerings.push(ReviewItem {
                        title: o.title,
                        organisation_name: name.clone(),
                        link: format!("/catalogue/{}/edit", o.id),
                    });
                }
            }
        }
        // The start page is visited often: material is read only for those who review it.
        if !actor
            .memberships
            .iter()
            .any(|m| actor.may(Action::ReviewMaterial(m.organisation_id)))
        {
            return Ok(inbox);
        }
        let (_, waiting) = self.my_materials(actor).await?;
        inbox.materials = waiting
            .into_iter()
            .filter(|m| m.status == "in_review")
            .map(|m| ReviewItem {
                title: m.title,
                organisation_name: m.organisation_name,
                link: format!("/materials/{}", m.id),
            })
            .collect();
        Ok(inbox)
    }

    /// The people in `organisation` holding any of `roles`.
    pub(crate) async fn holders_of(&self, organisation: i64, roles: &[Role]) -> Result<Vec<i64>> {
        Ok(self
            .store
            .list_members(organisation)
            .await?
            .into_iter()
            .filter(|m| m.roles.iter().any(|r| roles.contains(r)))
            .map(|m| m.user_id)
            .collect())
    }

    /// E-mails a review step to each of `to` but the actor, in each person's language.
    pub(crate) async fn notify_review(
        &self,
        actor: &Actor,
        to: &[i64],
        step: &str,
        args: &[(&str, &str)],
    ) {
        let mut mails = Vec::new();
        let mut seen = Vec::new();
        for &id in to {
            if Some(id) == actor.user_id || seen.contains(&id) {
                continue;
            }
            seen.push(id);
            let Ok(user) = self.store.get_user(id).await else {
                continue;
            };
            if user.disabled {
                continue;
            }
            mails.push(Self::new_mail(
                // One per step and moment: a course sent back and submitted again is news.
                Some(format!("review:{step}:{id}:{}", now().timestamp_micros())),
                &user.email,
                Lang::parse(&user.locale).unwrap_or(Lang::Sv),
                &Mail::Review { step, args },
                None,
            ));
        }
        if let Err(e) = self.queue_mails(&mails).await {
            tracing::warn!(step, error = %e, "review e-mails not queued");
        }
    }

    /// After an offering moved: tell the reviewers about a submission, the submitter about the
    /// decision.
    pub(crate) async fn notify_offering_moved(
        &self,
        actor: &Actor,
        provider: i64,
        offering: (i64, &str),
        moved: (OfferingStatus, OfferingStatus),
        submitter: Option<i64>,
        note: &str,
    ) -> Result<()> {
        let (id, title) = offering;
        let base = self.settings.public_url();
        let link = format!("{base}/catalogue/{id}/edit");
        let args = [("title", title), ("link", link.as_str()), ("note", note)];
        match moved {
            (_, OfferingStatus::Review) => {
                let reviewers = self.holders_of(provider, &OFFERING_REVIEWERS).await?;
                self.notify_review(actor, &reviewers, "offering_submitted", &args)
                    .await;
            }
            (OfferingStatus::Review, OfferingStatus::Published) => {
                let public = format!("{base}/catalogue/{id}");
                let args = [("title", title), ("link", public.as_str())];
                self.notify_review(actor, submitter.as_slice(), "offering_published", &args)
                    .await;
            }
            (OfferingStatus::Review, OfferingStatus::Draft) => {
                self.notify_review(actor, submitter.as_slice(), "offering_returned", &args)
                    .await;
            }
            _ => {}
        }
        Ok(())
    }
}
