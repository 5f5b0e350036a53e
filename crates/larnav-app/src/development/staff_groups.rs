//! An organiser's staff groups (who a plan is assigned to) and their members.

use crate::accounts::not_found;
use crate::error::Checks;
use crate::registry::too_long;
use crate::{App, AppError, Result, now};
use larnav_domain::{Action, Actor};
use larnav_store::{AuditRecord, StaffGroup, StaffMember};
use serde::Serialize;
use std::collections::BTreeMap;

use super::*;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaffGroupView {
    pub group: StaffGroup,
    pub members: Vec<StaffMember>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaffGroups {
    pub organisation_id: i64,
    pub groups: Vec<StaffGroupView>,
    /// People who may be added: members of the organiser and its schools (id, name, e-mail).
    pub candidates: Vec<(i64, String, String)>,
}

impl App {
    /// The organisation a staff group belongs to, if the group exists.
    pub async fn staff_group_organisation(&self, id: i64) -> Option<i64> {
        self.store
            .staff_group(id)
            .await
            .ok()
            .map(|g| g.organisation_id)
    }

    /// An organiser's staff groups with their members, and who may be added.
    ///
    /// # Errors
    /// A refusal.
    pub async fn staff_groups(&self, actor: &Actor, organisation_id: i64) -> Result<StaffGroups> {
        self.authorize(actor, Action::ManageMaterial(organisation_id))
            .await?;
        let groups = self.store.staff_groups(&[organisation_id]).await?;
        let ids: Vec<i64> = groups.iter().map(|g| g.id).collect();
        let members = self.store.staff_members(&ids).await?;
        let mut candidates = BTreeMap::new();
        for org in self.family_of(organisation_id).await? {
            for m in self.store.list_members(org).await? {
                candidates
                    .entry(larnav_domain::text::swedish_sort_key(&m.display_name))
                    .or_insert((m.user_id, m.display_name, m.email));
            }
        }
        Ok(StaffGroups {
            organisation_id,
            groups: groups
                .into_iter()
                .map(|group| StaffGroupView {
                    members: members
                        .iter()
                        .filter(|m| m.group_id == group.id)
                        .cloned()
                        .collect(),
                    group,
                })
                .collect(),
            candidates: candidates.into_values().collect(),
        })
    }

    /// An organisation and, for a school organiser, its schools.
    pub(super) async fn family_of(&self, organisation_id: i64) -> Result<Vec<i64>> {
        let mut family = vec![organisation_id];
        for o in self.store.organisation_family(organisation_id).await? {
            if !family.contains(&o) {
                family.push(o);
            }
        }
        Ok(family)
    }

    /// # Errors
    /// [`AppError::Validation`] (`name`: empty, too long or already used), a refusal.
    pub async fn create_staff_group(
        &self,
        actor: &Actor,
        organisation_id: i64,
        name: &str,
    ) -> Result<i64> {
        self.authorize(actor, Action::ManageMaterial(organisation_id))
            .await?;
        // A platform admin may act on any id: an unknown organisation is 404, not a 500.
        self.store
            .get_organisation(organisation_id)
            .await
            .map_err(crate::accounts::not_found)?;
        let name = name.trim();
        let mut checks = Checks::new();
        if name.is_empty() {
            checks.fail("name", "field.required");
        }
        too_long(&mut checks, "name", name, 120);
        checks.finish()?;
        let audit = AuditRecord::new(actor.user_id, "staff_group.create", "")
            .in_organisation(organisation_id)
            .with_detail(name);
        self.store
            .create_staff_group(organisation_id, name, now(), &audit)
            .await
            .map_err(|e| match e {
                larnav_store::StoreError::Conflict(_) => {
                    AppError::invalid("name", "development.group_exists")
                }
                other => other.into(),
            })
    }

    /// Adds (a member of the organiser or one of its schools) to a staff group, or removes
    /// them. Returns the group's organisation.
    ///
    /// # Errors
    /// [`AppError::Validation`] (`user_id`: not staff of the organiser), a refusal.
    pub async fn set_staff_member(
        &self,
        actor: &Actor,
        group_id: i64,
        user_id: &str,
        member: bool,
    ) -> Result<i64> {
        self.authorize(actor, Action::TakePart).await?;
        let group = self.store.staff_group(group_id).await.map_err(not_found)?;
        self.authorize(actor, Action::ManageMaterial(group.organisation_id))
            .await?;
        let user =
            id_of(user_id).ok_or_else(|| AppError::invalid("user_id", "development.not_staff"))?;
        if member {
            let mut staff = false;
            for org in self.family_of(group.organisation_id).await? {
                staff |= self
                    .store
                    .list_members(org)
                    .await?
                    .iter()
                    .any(|m| m.user_id == user);
            }
            if !staff {
                return Err(AppError::invalid("user_id", "development.not_staff"));
            }
        }
        let audit = AuditRecord::new(
            actor.user_id,
            if member {
                "staff_group.add"
            } else {
                "staff_group.remove"
            },
            format!("staff_group:{group_id}"),
        )
        .in_organisation(group.organisation_id)
        .with_detail(format!("user:{user}"));
        self.store
            .set_staff_member(group_id, user, member, now(), &audit)
            .await?;
        Ok(group.organisation_id)
    }

    // ---- Plans ----
}
