//! The community around published material: completions, ratings, comments and usage counts
//! (a person's looks on one day counted once, never stored per person).

use crate::accounts::not_found;
use crate::catalogue::today_in_sweden;
use crate::error::Checks;
use crate::registry::too_long;
use crate::{App, AppError, Result, now};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use larnav_domain::{Action, Actor};
use larnav_store::{AuditRecord, MaterialComment, Shown, UsageCount};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

use super::*;

/// A material's community: ratings, comments and whether the viewer completed it.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Community {
    /// The average rating, one decimal; none before the first.
    pub average: Option<f64>,
    pub ratings: usize,
    /// The viewer's own rating.
    pub mine: Option<i64>,
    pub comments: Vec<CommentView>,
    /// When the viewer completed it.
    pub completed_at: Option<DateTime<Utc>>,
    /// The viewer may rate, comment and complete it (signed in, the published version).
    pub can_take_part: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommentView {
    #[serde(flatten)]
    pub comment: MaterialComment,
    /// The viewer may remove it (its author, the material's coordinators).
    pub can_delete: bool,
}

/// Views and completions per organisation of a school organiser's family and per material.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UsageStats {
    pub organisation_id: i64,
    pub since: NaiveDate,
    /// (name, counts) per organisation: the organiser first, then its schools.
    pub by_organisation: Vec<(String, UsageCount)>,
    /// (title, counts) per published material of the family, most viewed first.
    pub by_material: Vec<(String, UsageCount)>,
}

/// The (material, person) pairs counted as views on `day`.
#[derive(Debug, Default)]
pub(crate) struct LooksToday {
    day: NaiveDate,
    seen: HashSet<(i64, i64)>,
}

impl App {
    /// A published material the actor may read, for taking part in it.
    async fn readable_material(&self, actor: &Actor, id: i64) -> Result<larnav_store::MaterialRow> {
        self.authorize(actor, Action::TakePart).await?;
        let row = self
            .store
            .material(id, Shown::Latest)
            .await
            .map_err(not_found)?;
        if row.published_version_id.is_none() || !self.may_open(actor, &row).await? {
            return Err(AppError::NotFound);
        }
        Ok(row)
    }

    /// Whether this is the person's first look at the material today: a reload, or the page
    /// shown again after rating or commenting, is not another view. Kept in memory only —
    /// the database holds counts per organisation and day, never who read what — so a restart
    /// or a second server instance may count a person's look once more. Visitors who are not
    /// signed in cannot be told apart and count every time.
    fn first_look_today(&self, material: i64, user: Option<i64>) -> bool {
        let Some(user) = user else { return true };
        let today = today_in_sweden();
        let mut looks = self
            .looked_today
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if looks.day != today {
            looks.day = today;
            looks.seen.clear();
        }
        looks.seen.insert((material, user))
    }

    /// The actor's organisation as counted in usage statistics: the first they belong to.
    fn counted_organisation(actor: &Actor) -> Option<i64> {
        actor.memberships.first().map(|m| m.organisation_id)
    }

    /// Marks a material completed (or not) by the actor.
    ///
    /// # Errors
    /// [`AppError::NotFound`] (unpublished or not shared with them), a refusal.
    pub async fn complete_material(&self, actor: &Actor, id: i64, done: bool) -> Result<()> {
        self.readable_material(actor, id).await?;
        let user = actor.user_id.ok_or(AppError::Unauthenticated)?;
        if done {
            self.store
                .complete_material(user, id, Self::counted_organisation(actor), now())
                .await?;
        } else {
            self.store.uncomplete_material(user, id).await?;
        }
        Ok(())
    }

    /// Rates a material 1–5 (again: replaces the rating). Authors do not rate their own.
    ///
    /// # Errors
    /// [`AppError::Validation`] (`stars`), a refusal.
    pub async fn rate_material(&self, actor: &Actor, id: i64, stars: &str) -> Result<()> {
        let row = self.readable_material(actor, id).await?;
        let user = actor.user_id.ok_or(AppError::Unauthenticated)?;
        if row.author_id == Some(user) {
            return Err(AppError::invalid("stars", "development.rate_own"));
        }
        let stars = id_of(stars)
            .filter(|s| (1..=5).contains(s))
            .ok_or_else(|| AppError::invalid("stars", "development.stars_invalid"))?;
        Ok(self.store.rate_material(id, user, stars, now()).await?)
    }

    /// # Errors
    /// [`AppError::Validation`] (`body`: empty or over 2 000 characters), a refusal.
    pub async fn comment_material(&self, actor: &Actor, id: i64, body: &str) -> Result<i64> {
        let row = self.readable_material(actor, id).await?;
        let user = actor.user_id.ok_or(AppError::Unauthenticated)?;
        let body = body.trim();
        let mut checks = Checks::new();
        if body.is_empty() {
            checks.fail("body", "field.required");
        }
        too_long(&mut checks, "body", body, 2000);
        checks.finish()?;
        let audit = AuditRecord::new(actor.user_id, "material.comment", format!("material:{id}"))
            .in_organisation(row.organisation_id);
        Ok(self
            .store
            .add_material_comment(id, user, body, now(), &audit)
            .await?)
    }

    /// Removes a comment: its author, or the material's coordinators (moderation). Returns the
    /// material's id.
    ///
    /// # Errors
    /// A refusal, [`AppError::NotFound`].
    pub async fn delete_material_comment(&self, actor: &Actor, id: i64) -> Result<i64> {
        self.authorize(actor, Action::TakePart).await?;
        let comment = self.store.material_comment(id).await.map_err(not_found)?;
        let row = self.readable_material(actor, comment.material_id).await?;
        if !Self::may_delete_comment(actor, &comment, &row) {
            return Err(AppError::Forbidden);
        }
        let audit = AuditRecord::new(
            actor.user_id,
            "material.comment_delete",
            format!("material:{}", row.id),
        )
        .in_organisation(row.organisation_id);
        self.store
            .delete_material_comment(id, now(), &audit)
            .await
            .map_err(not_found)?;
        Ok(row.id)
    }

    fn may_delete_comment(
        actor: &Actor,
        comment: &MaterialComment,
        row: &larnav_store::MaterialRow,
    ) -> bool {
        (actor.user_id.is_some() && actor.user_id == comment.user_id)
            || Self::may_manage(actor, row.organisation_id, row.organiser_id)
    }

    /// The community around a material, for its page; counts the view of a published version
    /// (by day and the viewer's organisation, never who).
    pub(crate) async fn community(
        &self,
        actor: &Actor,
        row: &larnav_store::MaterialRow,
        count_view: bool,
    ) -> Result<Community> {
        if row.published_version_id.is_none() {
            return Ok(Community::default());
        }
        if count_view && self.first_look_today(row.id, actor.user_id) {
            self.store
                .count_material_view(
                    row.id,
                    Self::counted_organisation(actor).unwrap_or(0),
                    today_in_sweden(),
                )
                .await?;
        }
        let ratings = self.store.material_ratings(row.id).await?;
        let average = (!ratings.is_empty()).then(|| {
            let sum: i64 = ratings.iter().map(|r| r.1).sum();
            (sum as f64 / ratings.len() as f64 * 10.0).round() / 10.0
        });
        let completed_at = match actor.user_id {
            Some(u) => self
                .store
                .material_completions(u)
                .await?
                .into_iter()
                .find(|c| c.0 == row.id)
                .map(|c| c.1),
            None => None,
        };
        Ok(Community {
            average,
            ratings: ratings.len(),
            mine: ratings
                .iter()
                .find(|r| Some(r.0) == actor.user_id)
                .map(|r| r.1),
            comments: self
                .store
                .material_comments(row.id)
                .await?
                .into_iter()
                .map(|comment| CommentView {
                    can_delete: Self::may_delete_comment(actor, &comment, row),
                    comment,
                })
                .collect(),
            completed_at,
            can_take_part: actor.user_id.is_some(),
        })
    }

    /// Usage of material by an organisation and its schools since `since` (default: a year
    /// back): views and completions per organisation, and per material of theirs.
    ///
    /// # Errors
    /// A refusal.
    pub async fn usage_stats(
        &self,
        actor: &Actor,
        organisation_id: i64,
        since: Option<NaiveDate>,
    ) -> Result<UsageStats> {
        self.authorize(actor, Action::ManageMaterial(organisation_id))
            .await?;
        let since = since.unwrap_or_else(|| {
            let today = today_in_sweden();
            today.with_year(today.year() - 1).unwrap_or(today)
        });
        let mut family = vec![organisation_id];
        let org = self
            .store
            .get_organisation(organisation_id)
            .await
            .map_err(not_found)?;
        if org.parent_id.is_none() {
            family.extend(
                self.store
                    .organisation_family(organisation_id)
                    .await?
                    .into_iter()
                    .filter(|o| *o != organisation_id),
            );
        }
        let mut names = HashMap::new();
        for o in &family {
            names.insert(*o, self.store.get_organisation(*o).await?.name);
        }
        let mut by_organisation: Vec<(String, UsageCount)> = self
            .store
            .usage_by_organisation(&family, since)
            .await?
            .into_iter()
            .map(|u| (names.get(&u.id).cloned().unwrap_or_default(), u))
            .collect();
        // The organiser first, then its schools in Swedish order (as the store sorted them).
        by_organisation.sort_by_key(|(_, u)| u.id != organisation_id);
        let mut by_material = Vec::new();
        for u in self.store.usage_by_material(&family, since).await? {
            let title = self.store.material(u.id, Shown::Published).await?.title;
            by_material.push((title, u));
        }
        by_material.sort_by(|a, b| {
            b.1.views
                .cmp(&a.1.views)
                .then(b.1.completions.cmp(&a.1.completions))
        });
        Ok(UsageStats {
            organisation_id,
            since,
            by_organisation,
            by_material,
        })
    }

    // ---- Staff groups ----
}
