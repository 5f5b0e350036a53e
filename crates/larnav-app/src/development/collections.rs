//! Collections (learning paths): ordered steps curated by coordinators, read and completed by
//! staff, found by Swedish search.

use crate::accounts::not_found;
use crate::error::Checks;
use crate::registry::too_long;
use crate::{App, AppError, Result, now};
use larnav_domain::material::{Scope, may_read};
use larnav_domain::{Action, Actor};
use larnav_search::{Segment, TextDoc, TextIndex};
use larnav_store::{AuditRecord, CollectionRow, Steps};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

use super::*;

/// Collection step kinds.
pub const COLLECTION_KINDS: [&str; 3] = ["material", "offering", "activity"];

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CollectionForm {
    /// The curating organisation (when creating).
    pub organisation_id: String,
    #[schema(required)]
    pub title: String,
    pub summary: String,
    /// private, organisation, organiser or everyone; organiser when empty.
    pub scope: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CollectionView {
    pub collection: CollectionRow,
    pub steps: Vec<StepView>,
    /// Steps the viewer completed.
    pub done: usize,
    /// The viewer may curate it.
    pub can_manage: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CollectionHit {
    pub collection: CollectionRow,
    #[schema(value_type = Vec<Object>)]
    pub title: Vec<Segment>,
    #[schema(value_type = Vec<Object>)]
    pub summary: Vec<Segment>,
}

fn scope_of(checks: &mut Checks, value: &str) -> Scope {
    match value.trim() {
        "" => Scope::Organisation,
        s => Scope::parse(s).unwrap_or_else(|| {
            checks.fail("scope", "field.choice_invalid");
            Scope::Organisation
        }),
    }
}

impl App {
    fn checked_collection(form: &CollectionForm) -> Result<(String, String, Scope)> {
        let mut checks = Checks::new();
        let (title, summary) = (form.title.trim(), form.summary.trim());
        if title.is_empty() {
            checks.fail("title", "field.required");
        }
        too_long(&mut checks, "title", title, 200);
        too_long(&mut checks, "summary", summary, 2000);
        // A path is usually curated for staff across the organiser's schools.
        let scope = match form.scope.trim() {
            "" => Scope::Organiser,
            s => scope_of(&mut checks, s),
        };
        checks.finish()?;
        Ok((title.into(), summary.into(), scope))
    }

    // ---- Collections ----

    /// # Errors
    /// [`AppError::Validation`], a refusal.
    pub async fn create_collection(&self, actor: &Actor, form: &CollectionForm) -> Result<i64> {
        self.authorize(actor, Action::TakePart).await?;
        let org = id_of(&form.organisation_id)
            .ok_or_else(|| AppError::invalid("organisation_id", "field.choice_invalid"))?;
        self.authorize(actor, Action::ManageMaterial(org)).await?;
        let (title, summary, scope) = Self::checked_collection(form)?;
        let audit = AuditRecord::new(actor.user_id, "collection.create", "")
            .in_organisation(org)
            .with_detail(title.clone());
        let id = self
            .store
            .create_collection(
                org,
                &title,
                &summary,
                scope.as_str(),
                actor.user_id,
                now(),
                &audit,
            )
            .await?;
        self.collection_index.clear();
        Ok(id)
    }

    /// # Errors
    /// [`AppError::Validation`], a refusal, [`AppError::NotFound`].
    pub async fn update_collection(
        &self,
        actor: &Actor,
        id: i64,
        form: &CollectionForm,
    ) -> Result<()> {
        let c = self.managed_collection(actor, id).await?;
        let (title, summary, scope) = Self::checked_collection(form)?;
        let audit = AuditRecord::new(
            actor.user_id,
            "collection.update",
            format!("collection:{id}"),
        )
        .in_organisation(c.organisation_id)
        .with_detail(title.clone());
        self.store
            .update_collection(id, &title, &summary, scope.as_str(), now(), &audit)
            .await
            .map_err(not_found)?;
        self.collection_index.clear();
        Ok(())
    }

    async fn managed_collection(&self, actor: &Actor, id: i64) -> Result<CollectionRow> {
        self.authorize(actor, Action::TakePart).await?;
        let c = self.store.collection(id).await.map_err(not_found)?;
        if !self.may_read_collection(actor, &c).await? {
            return Err(AppError::NotFound);
        }
        self.require_manage(actor, c.organisation_id, c.organiser_id)
            .await?;
        Ok(c)
    }

    pub(super) async fn may_read_collection(
        &self,
        actor: &Actor,
        c: &CollectionRow,
    ) -> Result<bool> {
        if Self::may_manage(actor, c.organisation_id, c.organiser_id) {
            return Ok(true);
        }
        let relation = self
            .relation_to(actor, c.organisation_id, c.created_by)
            .await?;
        Ok(may_read(
            Scope::parse(&c.scope).unwrap_or(Scope::Private),
            relation,
        ))
    }

    /// A collection with its steps and the viewer's completion.
    ///
    /// # Errors
    /// [`AppError::NotFound`] (also for collections the viewer may not see).
    pub async fn collection_view(&self, actor: &Actor, id: i64) -> Result<CollectionView> {
        let collection = self.store.collection(id).await.map_err(not_found)?;
        if !self.may_read_collection(actor, &collection).await? {
            return Err(AppError::NotFound);
        }
        let (materials, items) = self.completions(actor.user_id).await?;
        let mut steps = Vec::new();
        for s in self.store.collection_items(id).await? {
            let mut view = self.step_view(actor, &s).await?;
            view.done = Self::step_done(&s, &materials, &items);
            steps.push(view);
        }
        Ok(CollectionView {
            done: steps.iter().filter(|s| s.done).count(),
            can_manage: Self::may_manage(
                actor,
                collection.organisation_id,
                collection.organiser_id,
            ),
            collection,
            steps,
        })
    }

    /// Adds a step at the end of a collection.
    ///
    /// # Errors
    /// [`AppError::Validation`] (`kind`, `target_id`, `title`), a refusal.
    pub async fn add_collection_step(
        &self,
        actor: &Actor,
        id: i64,
        form: &StepForm,
    ) -> Result<i64> {
        let c = self.managed_collection(actor, id).await?;
        if c.item_count as usize >= MAX_STEPS {
            return Err(AppError::invalid("kind", "development.too_many_steps"));
        }
        let step = self.checked_step(actor, form, &COLLECTION_KINDS).await?;
        let audit = AuditRecord::new(
            actor.user_id,
            "collection.add_step",
            format!("collection:{id}"),
        )
        .in_organisation(c.organisation_id)
        .with_detail(step.kind.clone());
        let item = self
            .store
            .add_collection_item(id, &step, now(), &audit)
            .await?;
        self.collection_index.clear();
        Ok(item)
    }

    /// Moves a collection step up or down, or removes it. Returns the collection's id.
    ///
    /// # Errors
    /// A refusal, [`AppError::NotFound`].
    pub async fn change_collection_step(
        &self,
        actor: &Actor,
        item: i64,
        change: StepChange,
    ) -> Result<i64> {
        self.authorize(actor, Action::TakePart).await?;
        let step = self.store.collection_item(item).await.map_err(not_found)?;
        let c = self.managed_collection(actor, step.parent_id).await?;
        let audit = AuditRecord::new(
            actor.user_id,
            change.action("collection"),
            format!("collection:{}", c.id),
        )
        .in_organisation(c.organisation_id);
        self.apply_step_change(Steps::CollectionItems, item, change, &audit)
            .await?;
        self.collection_index.clear();
        Ok(c.id)
    }

    /// Changes a collection step's heading (an activity's title) and description in place;
    /// what it links to and learners' completion stay. Returns the collection's id.
    ///
    /// # Errors
    /// [`AppError::Validation`] (`title`, `description`), a refusal, [`AppError::NotFound`].
    pub async fn edit_collection_step(
        &self,
        actor: &Actor,
        item: i64,
        form: &StepTexts,
    ) -> Result<i64> {
        self.authorize(actor, Action::TakePart).await?;
        let step = self.store.collection_item(item).await.map_err(not_found)?;
        let c = self.managed_collection(actor, step.parent_id).await?;
        let mut checks = Checks::new();
        // Collection steps have no date.
        let texts = StepTexts {
            due_on: String::new(),
            ..form.clone()
        };
        let (title, description, _) = step_texts(&mut checks, &step.kind, &texts);
        checks.finish()?;
        let audit = AuditRecord::new(
            actor.user_id,
            "collection.edit_step",
            format!("collection:{}", c.id),
        )
        .in_organisation(c.organisation_id)
        .with_detail(item.to_string());
        self.store
            .edit_step(
                Steps::CollectionItems,
                c.id,
                item,
                (title, description, None),
                now(),
                &audit,
            )
            .await
            .map_err(not_found)?;
        self.collection_index.clear();
        Ok(c.id)
    }

    /// Marks a collection step done or not done for the viewer: a material step completes the
    /// material itself.
    ///
    /// # Errors
    /// [`AppError::NotFound`] (a step of a collection the viewer may not see), a refusal.
    pub async fn mark_step(&self, actor: &Actor, item: i64, done: bool) -> Result<i64> {
        self.authorize(actor, Action::TakePart).await?;
        let step = self.store.collection_item(item).await.map_err(not_found)?;
        let c = self
            .store
            .collection(step.parent_id)
            .await
            .map_err(not_found)?;
        if !self.may_read_collection(actor, &c).await? {
            return Err(AppError::NotFound);
        }
        match step.material_id {
            Some(m) => self.complete_material(actor, m, done).await?,
            None => {
                let user = actor.user_id.ok_or(AppError::Unauthenticated)?;
                self.store.set_item_done(user, item, done, now()).await?;
            }
        }
        Ok(c.id)
    }

    /// Collections the actor may read, searched with the catalogue's Swedish search (titles,
    /// summaries and the steps' titles); without words, newest first.
    ///
    /// # Errors
    /// A storage or index failure.
    pub async fn search_collections(&self, actor: &Actor, q: &str) -> Result<Vec<CollectionHit>> {
        let rows = self.store.collections().await?;
        let index = self.collection_index(&rows).await?;
        let found = index
            .search(q, &[], 500)
            .map_err(|e| AppError::internal("search collections", e))?;
        let mut by_id: HashMap<i64, CollectionRow> = rows.into_iter().map(|r| (r.id, r)).collect();
        let mut hits = Vec::new();
        for h in found.hits {
            let Some(row) = by_id.remove(&h.id) else {
                continue;
            };
            if self.may_read_collection(actor, &row).await? {
                hits.push(CollectionHit {
                    collection: row,
                    title: h.title,
                    summary: h.summary,
                });
            }
        }
        Ok(hits)
    }

    async fn collection_index(&self, rows: &[CollectionRow]) -> Result<Arc<TextIndex>> {
        let version = self.store.collection_stamp().await?;
        if let Some(index) = self.collection_index.get(&version) {
            return Ok(index);
        }
        let mut docs = Vec::new();
        for r in rows {
            let steps = self.store.collection_items(r.id).await?;
            let body: Vec<String> = steps
                .iter()
                .flat_map(|s| {
                    [
                        s.linked_title.clone().unwrap_or_default(),
                        s.title.clone(),
                        s.description.clone(),
                    ]
                })
                .chain([r.organisation_name.clone()])
                .collect();
            docs.push(TextDoc {
                id: r.id,
                title: r.title.clone(),
                summary: r.summary.clone(),
                body: body.join("\n"),
                tags: Vec::new(),
            });
        }
        let index = Arc::new(
            TextIndex::build(docs).map_err(|e| AppError::internal("collection index", e))?,
        );
        self.collection_index.put(version, index.clone());
        Ok(index)
    }

    // ---- Community ----
}
