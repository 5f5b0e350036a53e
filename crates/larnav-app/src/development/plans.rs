//! Staff-development plans: a school organiser's goals and activities for a year, assigned to
//! staff groups, with each person's progress and reflections and progress per school.

use crate::accounts::not_found;
use crate::error::Checks;
use crate::registry::too_long;
use crate::{App, AppError, Result, now};
use larnav_domain::{Action, Actor};
use larnav_store::{AuditRecord, PlanRow, StaffGroup, StepRow, Steps};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

use super::*;

/// Plan activity kinds.
pub const PLAN_KINDS: [&str; 4] = ["material", "collection", "offering", "meeting"];

/// Progress statuses a staff member sets on an activity ("" clears it).
pub const PROGRESS: [&str; 2] = ["started", "done"];

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PlanForm {
    /// The school organiser (when creating).
    pub organisation_id: String,
    pub year: String,
    #[schema(required)]
    pub title: String,
    /// The plan's goals, one per line.
    pub goals: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProgressForm {
    /// started, done, or "" (not started).
    pub status: String,
    /// What the person learnt or wants to try (optional).
    pub reflection: String,
}

/// Progress on a plan in one school: its assigned staff and the activities they completed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SchoolProgress {
    pub organisation_id: i64,
    pub name: String,
    pub staff: usize,
    /// Activities done, summed over the staff.
    pub done: usize,
    /// `done` of `staff` × activities, in whole percent.
    pub percent: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanView {
    pub plan: PlanRow,
    pub activities: Vec<StepView>,
    pub groups: Vec<StaffGroup>,
    /// The viewer is in a group the plan is assigned to.
    pub assigned: bool,
    /// The viewer runs the plan (coordinators of the organiser).
    pub can_manage: bool,
    /// Per school, for those who run the plan.
    pub schools: Vec<SchoolProgress>,
    /// How many people the assigned groups hold (for those who run the plan; else 0).
    pub staff: usize,
}

impl App {
    fn checked_plan(form: &PlanForm) -> Result<(i64, String, String)> {
        let mut checks = Checks::new();
        let year = id_of(&form.year).filter(|y| (2000..=2100).contains(y));
        if year.is_none() {
            checks.fail("year", "development.year_invalid");
        }
        let (title, goals) = (form.title.trim(), form.goals.trim());
        if title.is_empty() {
            checks.fail("title", "field.required");
        }
        too_long(&mut checks, "title", title, 200);
        too_long(&mut checks, "goals", goals, 5000);
        checks.finish()?;
        Ok((year.unwrap_or_default(), title.into(), goals.into()))
    }

    /// # Errors
    /// [`AppError::Validation`], a refusal.
    pub async fn create_plan(&self, actor: &Actor, form: &PlanForm) -> Result<i64> {
        self.authorize(actor, Action::TakePart).await?;
        let org = id_of(&form.organisation_id)
            .ok_or_else(|| AppError::invalid("organisation_id", "field.choice_invalid"))?;
        self.authorize(actor, Action::ManageMaterial(org)).await?;
        let (year, title, goals) = Self::checked_plan(form)?;
        let audit = AuditRecord::new(actor.user_id, "plan.create", "")
            .in_organisation(org)
            .with_detail(title.clone());
        Ok(self
            .store
            .create_plan(org, year, &title, &goals, actor.user_id, now(), &audit)
            .await?)
    }

    async fn managed_plan(&self, actor: &Actor, id: i64) -> Result<PlanRow> {
        self.authorize(actor, Action::TakePart).await?;
        let plan = self.store.plan(id).await.map_err(not_found)?;
        if !actor.may(Action::ManageMaterial(plan.organisation_id)) {
            return Err(if self.assigned(actor, id).await? {
                AppError::Forbidden
            } else {
                AppError::NotFound
            });
        }
        Ok(plan)
    }

    async fn assigned(&self, actor: &Actor, plan_id: i64) -> Result<bool> {
        let Some(user) = actor.user_id else {
            return Ok(false);
        };
        let groups: Vec<i64> = self
            .store
            .plan_groups(plan_id)
            .await?
            .iter()
            .map(|g| g.id)
            .collect();
        Ok(self
            .store
            .staff_members(&groups)
            .await?
            .iter()
            .any(|m| m.user_id == user))
    }

    /// # Errors
    /// [`AppError::Validation`], a refusal.
    pub async fn update_plan(&self, actor: &Actor, id: i64, form: &PlanForm) -> Result<()> {
        let plan = self.managed_plan(actor, id).await?;
        let (year, title, goals) = Self::checked_plan(form)?;
        let audit = AuditRecord::new(actor.user_id, "plan.update", format!("plan:{id}"))
            .in_organisation(plan.organisation_id)
            .with_detail(title.clone());
        self.store
            .update_plan(id, year, &title, &goals, now(), &audit)
            .await
            .map_err(not_found)
    }

    /// The plans the actor runs and those assigned to them.
    ///
    /// # Errors
    /// A store error.
    pub async fn plans(&self, actor: &Actor) -> Result<Vec<PlanRow>> {
        let managed: Vec<i64> = self
            .organisations_where(actor, Action::ManageMaterial)
            .await?
            .into_iter()
            .map(|o| o.0)
            .collect();
        Ok(self.store.plans(&managed, actor.user_id).await?)
    }

    /// A plan as the viewer sees it: their own progress if assigned; progress per school and
    /// per activity if they run it.
    ///
    /// # Errors
    /// [`AppError::NotFound`] (also for plans neither run by nor assigned to the viewer).
    pub async fn plan_view(&self, actor: &Actor, id: i64) -> Result<PlanView> {
        self.authorize(actor, Action::TakePart).await?;
        let plan = self.store.plan(id).await.map_err(not_found)?;
        let can_manage = actor.may(Action::ManageMaterial(plan.organisation_id));
        let assigned = self.assigned(actor, id).await?;
        if !can_manage && !assigned {
            return Err(AppError::NotFound);
        }
        let rows = self.store.plan_activities(id).await?;
        let groups = self.store.plan_groups(id).await?;
        let progress = self.store.plan_progress(id).await?;
        // Who counts as having done each activity: their own mark, or the material (or every
        // step of the collection) completed.
        let mut staff: Vec<i64> = self
            .store
            .staff_members(&groups.iter().map(|g| g.id).collect::<Vec<_>>())
            .await?
            .into_iter()
            .map(|m| m.user_id)
            .collect();
        staff.sort_unstable();
        staff.dedup();
        let people: Vec<i64> = if can_manage {
            staff.clone()
        } else {
            actor.user_id.into_iter().collect()
        };
        let mut done: HashSet<(i64, i64)> = progress
            .iter()
            .filter(|p| p.status == "done")
            .map(|p| (p.activity_id, p.user_id))
            .collect();
        let mut collection_steps = HashMap::new();
        for r in rows.iter().filter(|r| r.collection_id.is_some()) {
            let c = r.collection_id.unwrap_or_default();
            collection_steps.insert(c, self.store.collection_items(c).await?);
        }
        for person in &people {
            let (materials, items) = self.completions(Some(*person)).await?;
            for r in &rows {
                let complete = match (r.material_id, r.collection_id) {
                    (Some(m), _) => materials.contains(&m),
                    (_, Some(c)) => collection_steps.get(&c).is_some_and(|steps| {
                        !steps.is_empty()
                            && steps.iter().all(|s| Self::step_done(s, &materials, &items))
                    }),
                    _ => false,
                };
                if complete {
                    done.insert((r.id, *person));
                }
            }
        }
        // Those who run the plan are told when an activity's material or learning path is
        // shared more narrowly than the staff who get the plan: those people would see its
        // name but could not open it.
        let mut staff_actors = Vec::new();
        if can_manage {
            for u in &staff {
                let user = self.store.get_user(*u).await?;
                staff_actors.push(self.actor_for(&user).await?);
            }
        }
        let mut activities = Vec::new();
        for r in &rows {
            let mut view = self.step_view(actor, r).await?;
            if can_manage && (r.material_id.is_some() || r.collection_id.is_some()) {
                let mut locked = 0;
                for staff_actor in &staff_actors {
                    if !self.step_readable(staff_actor, r).await? {
                        locked += 1;
                    }
                }
                view.locked_for = Some(locked);
            }
            if let Some(me) = actor.user_id {
                view.done = done.contains(&(r.id, me));
                if let Some(p) = progress
                    .iter()
                    .find(|p| p.activity_id == r.id && p.user_id == me)
                {
                    view.status = p.status.clone();
                    view.reflection = p.reflection.clone();
                }
                if view.done {
                    view.status = "done".into();
                }
            }
            if can_manage {
                view.done_by = Some(staff.iter().filter(|u| done.contains(&(r.id, **u))).count());
            }
            activities.push(view);
        }
        let schools = if can_manage {
            self.school_progress(&plan, &staff, &rows, &done).await?
        } else {
            Vec::new()
        };
        Ok(PlanView {
            plan,
            activities,
            groups,
            assigned,
            can_manage,
            schools,
            staff: if can_manage { staff.len() } else { 0 },
        })
    }

    /// Progress per school of the organiser: each assigned staff member counts in every
    /// organisation of the family they belong to.
    async fn school_progress(
        &self,
        plan: &PlanRow,
        staff: &[i64],
        rows: &[StepRow],
        done: &HashSet<(i64, i64)>,
    ) -> Result<Vec<SchoolProgress>> {
        let family = self.family_of(plan.organisation_id).await?;
        let mut out = Vec::new();
        for org in family {
            let members: HashSet<i64> = self
                .store
                .list_members(org)
                .await?
                .into_iter()
                .map(|m| m.user_id)
                .collect();
            let here: Vec<i64> = staff
                .iter()
                .copied()
                .filter(|u| members.contains(u))
                .collect();
            if here.is_empty() {
                continue;
            }
            let count = here
                .iter()
                .map(|u| rows.iter().filter(|r| done.contains(&(r.id, *u))).count())
                .sum::<usize>();
            let possible = (here.len() * rows.len()).max(1);
            out.push(SchoolProgress {
                organisation_id: org,
                name: self.store.get_organisation(org).await?.name,
                staff: here.len(),
                done: count,
                percent: (count * 100 / possible) as i64,
            });
        }
        Ok(out)
    }

    /// Adds an activity at the end of a plan.
    ///
    /// # Errors
    /// [`AppError::Validation`] (`kind`, `target_id`, `title`, `due_on`), a refusal.
    pub async fn add_plan_activity(&self, actor: &Actor, id: i64, form: &StepForm) -> Result<i64> {
        let plan = self.managed_plan(actor, id).await?;
        if self.store.plan_activities(id).await?.len() >= MAX_STEPS {
            return Err(AppError::invalid("kind", "development.too_many_steps"));
        }
        let step = self.checked_step(actor, form, &PLAN_KINDS).await?;
        let audit = AuditRecord::new(actor.user_id, "plan.add_activity", format!("plan:{id}"))
            .in_organisation(plan.organisation_id)
            .with_detail(step.kind.clone());
        Ok(self
            .store
            .add_plan_activity(id, &step, now(), &audit)
            .await?)
    }

    /// An activity and its plan, for someone who runs the plan.
    async fn managed_activity(&self, actor: &Actor, activity: i64) -> Result<(StepRow, PlanRow)> {
        self.authorize(actor, Action::TakePart).await?;
        let step = self
            .store
            .plan_activity(activity)
            .await
            .map_err(not_found)?;
        let plan = self.managed_plan(actor, step.parent_id).await?;
        Ok((step, plan))
    }

    /// Moves a plan activity up or down, or removes it. Returns the plan's id.
    ///
    /// # Errors
    /// A refusal, [`AppError::NotFound`].
    pub async fn change_plan_activity(
        &self,
        actor: &Actor,
        activity: i64,
        change: StepChange,
    ) -> Result<i64> {
        let (_, plan) = self.managed_activity(actor, activity).await?;
        let audit = AuditRecord::new(
            actor.user_id,
            change.action("plan"),
            format!("plan:{}", plan.id),
        )
        .in_organisation(plan.organisation_id);
        self.apply_step_change(Steps::PlanActivities, activity, change, &audit)
            .await?;
        Ok(plan.id)
    }

    /// Changes an activity's title (or heading), description and date in place; what it links
    /// to stays (remove the activity and add another to link elsewhere). Staff's progress and
    /// reflections on it are kept. Returns the plan's id.
    ///
    /// # Errors
    /// [`AppError::Validation`] (`title`, `description`, `due_on`), a refusal,
    /// [`AppError::NotFound`].
    pub async fn edit_plan_activity(
        &self,
        actor: &Actor,
        activity: i64,
        form: &StepTexts,
    ) -> Result<i64> {
        let (step, plan) = self.managed_activity(actor, activity).await?;
        let mut checks = Checks::new();
        let (title, description, due_on) = step_texts(&mut checks, &step.kind, form);
        checks.finish()?;
        let audit = AuditRecord::new(
            actor.user_id,
            "plan.edit_activity",
            format!("plan:{}", plan.id),
        )
        .in_organisation(plan.organisation_id)
        .with_detail(activity.to_string());
        self.store
            .edit_step(
                Steps::PlanActivities,
                plan.id,
                activity,
                (title, description, due_on),
                now(),
                &audit,
            )
            .await
            .map_err(not_found)?;
        Ok(plan.id)
    }

    /// Assigns a plan to one of the organiser's staff groups, or takes it back.
    ///
    /// # Errors
    /// [`AppError::Validation`] (`group_id`), a refusal.
    pub async fn assign_plan(
        &self,
        actor: &Actor,
        id: i64,
        group_id: &str,
        assigned: bool,
    ) -> Result<()> {
        let plan = self.managed_plan(actor, id).await?;
        let group = match id_of(group_id) {
            Some(g) => self.store.staff_group(g).await.ok(),
            None => None,
        }
        .filter(|g| g.organisation_id == plan.organisation_id)
        .ok_or_else(|| AppError::invalid("group_id", "field.choice_invalid"))?;
        let audit = AuditRecord::new(
            actor.user_id,
            if assigned {
                "plan.assign"
            } else {
                "plan.unassign"
            },
            format!("plan:{id}"),
        )
        .in_organisation(plan.organisation_id)
        .with_detail(group.name.clone());
        Ok(self
            .store
            .set_plan_assignment(id, group.id, assigned, now(), &audit)
            .await?)
    }

    /// A staff member's progress and reflection on an activity of a plan assigned to them.
    /// Returns the plan's id.
    ///
    /// # Errors
    /// [`AppError::Validation`] (`status`, `reflection`), [`AppError::NotFound`] (not
    /// assigned), a refusal.
    pub async fn set_progress(
        &self,
        actor: &Actor,
        activity: i64,
        form: &ProgressForm,
    ) -> Result<i64> {
        self.authorize(actor, Action::TakePart).await?;
        let user = actor.user_id.ok_or(AppError::Unauthenticated)?;
        let step = self
            .store
            .plan_activity(activity)
            .await
            .map_err(not_found)?;
        if !self.assigned(actor, step.parent_id).await? {
            let plan = self.store.plan(step.parent_id).await.map_err(not_found)?;
            return Err(if actor.may(Action::ManageMaterial(plan.organisation_id)) {
                AppError::Forbidden
            } else {
                AppError::NotFound
            });
        }
        let mut checks = Checks::new();
        let status = form.status.trim();
        if !status.is_empty() && !PROGRESS.contains(&status) {
            checks.fail("status", "field.choice_invalid");
        }
        let reflection = form.reflection.trim();
        too_long(&mut checks, "reflection", reflection, 5000);
        checks.finish()?;
        // A reflection alone means the activity has started.
        let status = match (status, reflection.is_empty()) {
            ("", true) => None,
            ("", false) => Some("started"),
            (s, _) => Some(s),
        };
        self.store
            .set_plan_progress(activity, user, status, reflection, now())
            .await?;
        Ok(step.parent_id)
    }
}
