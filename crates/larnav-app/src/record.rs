//! The learner's record: one place that remembers everything a person did in Lärnav —
//! courses applied and admitted to (and completed: an accepted place whose occasion is over),
//! materials and collections completed, development plans with their progress and
//! reflections, learning meetings, material written and comments — exportable by the person
//! (JSON, printable page) and erasable on request, with what must be kept for others said
//! plainly ([`ERASURE_KEEPS`]).

use chrono::{DateTime, NaiveDate, Utc};
use larnav_domain::Action;
use larnav_store::{AuditRecord, RecordChoice, RecordMeetings, Shown};
use serde::Serialize;

use crate::accounts::{Caller, verify_blocking};
use crate::error::Checks;
use crate::security::dummy_hash;
use crate::{App, AppError, Result, now};

/// What erasure keeps, as locale keys (each explained on the account page and in the API).
pub const ERASURE_KEEPS: [&str; 5] = [
    "record.keeps_admission",
    "record.keeps_enrolments",
    "record.keeps_meetings",
    "record.keeps_material",
    "record.keeps_audit",
];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordPerson {
    pub name: String,
    pub email: String,
    pub member_since: DateTime<Utc>,
    /// Organisations and roles.
    pub memberships: Vec<String>,
}

/// A course the person applied for, with how it went.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordCourse {
    #[serde(flatten)]
    pub choice: RecordChoice,
    /// An accepted place whose occasion is over.
    pub completed: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordItem {
    pub id: i64,
    pub title: String,
    pub at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordCollection {
    pub id: i64,
    pub title: String,
    pub done: usize,
    pub steps: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordActivity {
    pub title: String,
    /// started, done or "".
    pub status: String,
    pub reflection: String,
    pub due_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordPlan {
    pub id: i64,
    pub year: i64,
    pub title: String,
    pub organisation_name: String,
    pub activities: Vec<RecordActivity>,
}

/// One reporting attribute the person gave on an enrolment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordAttribute {
    pub enrolment_id: i64,
    pub name: String,
    /// None: asked and declined.
    pub value: Option<String>,
}

/// Everything one person did in Lärnav.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LearnerRecord {
    pub exported_at: DateTime<Utc>,
    pub person: RecordPerson,
    pub courses: Vec<RecordCourse>,
    /// Places taken (accepted or enrolled directly): how each ended, attendance, credits.
    pub enrolments: Vec<larnav_store::LearnerEnrolment>,
    /// Outcome follow-ups sent after courses, with the answers given.
    pub follow_ups: Vec<larnav_store::FollowUp>,
    /// What the person gave for the funder reports, per enrolment (`value` null: declined).
    pub reporting_attributes: Vec<RecordAttribute>,
    pub materials_completed: Vec<RecordItem>,
    pub collections: Vec<RecordCollection>,
    pub plans: Vec<RecordPlan>,
    pub meetings: Vec<RecordMeetings>,
    pub materials_written: Vec<RecordItem>,
    pub comments: usize,
}

impl App {
    /// The caller's own record.
    ///
    /// # Errors
    /// A refusal (anonymous callers).
    pub async fn learner_record(&self, caller: &Caller) -> Result<LearnerRecord> {
        self.authorize(&caller.actor, Action::ManageOwnAccount)
            .await?;
        let user = caller.user.id;
        let actor = &caller.actor;
        let enrolments = self.my_enrolments(actor).await?;
        let courses = self
            .store
            .record_choices(user)
            .await?
            .into_iter()
            .map(|choice| RecordCourse {
                // Completed is what the provider recorded, not a guess from the dates.
                completed: enrolments.iter().any(|e| {
                    e.offering_id == choice.offering_id
                        && e.status == larnav_domain::enrolment::EnrolmentStatus::Completed.as_str()
                }),
                choice,
            })
            .collect();
        let mut materials_completed = Vec::new();
        for (id, at) in self.store.material_completions(user).await? {
            if let Ok(m) = self.store.material(id, Shown::Published).await {
                materials_completed.push(RecordItem {
                    id,
                    title: m.title,
                    at: Some(at),
                });
            }
        }
        let completed: std::collections::HashSet<i64> =
            materials_completed.iter().map(|m| m.id).collect();
        let items: std::collections::HashSet<i64> = self
            .store
            .items_done(user)
            .await?
            .into_iter()
            .map(|i| i.0)
            .collect();
        let mut collections = Vec::new();
        for c in self.store.collections().await? {
            let steps = self.store.collection_items(c.id).await?;
            let done = steps
                .iter()
                .filter(|s| Self::step_done(s, &completed, &items))
                .count();
            if done > 0 {
                collections.push(RecordCollection {
                    id: c.id,
                    title: c.title,
                    done,
                    steps: steps.len(),
                });
            }
        }
        let mut plans = Vec::new();
        for p in self.store.plans(&[], Some(user)).await? {
            let view = self.plan_view(actor, p.id).await?;
            plans.push(RecordPlan {
                id: p.id,
                year: p.year,
                title: p.title,
                organisation_name: p.organisation_name,
                activities: view
                    .activities
                    .into_iter()
                    .map(|a| RecordActivity {
                        title: a.title,
                        status: a.status,
                        reflection: a.reflection,
                        due_on: a.due_on,
                    })
                    .collect(),
            });
        }
        let (own, _) = self.my_materials(actor).await?;
        let memberships = self
            .store
            .memberships_of(user)
            .await?
            .into_iter()
            .map(|m| format!("{} ({})", m.organisation_name, m.role.as_str()))
            .collect();
        Ok(LearnerRecord {
            exported_at: now(),
            person: RecordPerson {
                name: caller.user.display_name.clone(),
                email: caller.user.email.clone(),
                member_since: caller.user.created_at,
                memberships,
            },
            courses,
            enrolments,
            follow_ups: self.store.learner_follow_ups(user).await?,
            reporting_attributes: self
                .store
                .learner_attributes(user)
                .await?
                .into_iter()
                .map(|a| RecordAttribute {
                    enrolment_id: a.enrolment_id,
                    name: a.name,
                    value: a.value,
                })
                .collect(),
            materials_completed,
            collections,
            plans,
            meetings: self.store.record_meetings(user).await?,
            materials_written: own
                .into_iter()
                .map(|m| RecordItem {
                    id: m.id,
                    title: m.title,
                    at: Some(m.updated_at),
                })
                .collect(),
            comments: self.store.comments_by(user).await?,
        })
    }

    /// Erases the caller's personal data (GDPR): their password confirms it. What others
    /// depend on is kept without their name ([`ERASURE_KEEPS`]). Every session ends.
    ///
    /// # Errors
    /// [`AppError::Validation`] (`password` wrong, `confirm` not ticked, the last platform
    /// administrator).
    pub async fn erase_account(
        &self,
        caller: &Caller,
        password: &str,
        confirmed: bool,
    ) -> Result<()> {
        self.authorize(&caller.actor, Action::ManageOwnAccount)
            .await?;
        let mut checks = Checks::new();
        let stored = caller
            .user
            .password_hash
            .clone()
            .unwrap_or_else(|| dummy_hash().to_string());
        if !verify_blocking(password.to_string(), stored).await? {
            checks.fail("password", "field.current_password_wrong");
        }
        if !confirmed {
            checks.fail("confirm", "record.confirm_required");
        }
        if caller.user.platform_admin && self.store.count_platform_admins().await? <= 1 {
            checks.fail("confirm", "record.last_admin");
        }
        checks.finish()?;
        // The audit names the account by id only: the name is what is being erased.
        let audit = AuditRecord::new(
            Some(caller.user.id),
            "user.erase",
            format!("user:{}", caller.user.id),
        );
        self.store
            .erase_user(caller.user.id, now(), &audit)
            .await
            .map_err(|_| AppError::NotFound)?;
        self.material_index.clear();
        Ok(())
    }
}
