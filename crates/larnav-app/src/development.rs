//! Staff development around the material library (PRODUCT.md, seed 2):
//!
//! - **Collections** (learning paths): ordered steps — published material, catalogue
//!   offerings, activities — curated by an organisation's coordinators and shared with the
//!   material scopes; each learner's completion is kept per step (a material step is done when
//!   the material is completed, wherever that happened).
//! - **Community**: ratings (1–5) and comments on published material, and usage counts
//!   (views per day and organisation, a person's looks on one day counted once, never stored
//!   per person; completions) shown per school.
//! - **Staff-development plans**: a school organiser's plan for a year (goals and activities:
//!   material, collections, catalogue courses, learning meetings) assigned to staff groups;
//!   staff mark progress and write reflections; coordinators see progress per school.
//!
//! Everything here is decided by [`Action::ManageMaterial`] on the organisation (or its school
//! organiser) for curating, and by what the person may read for taking part.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use larnav_domain::material::{Scope, may_read};
use larnav_domain::{Action, Actor};
use larnav_search::{SearchRequest, Segment, TextDoc, TextIndex};
use larnav_store::{
    AuditRecord, CollectionRow, MaterialComment, NewStep, PlanRow, Shown, StaffGroup, StaffMember,
    StepRow, Steps, UsageCount,
};
use serde::{Deserialize, Serialize};

use crate::accounts::not_found;
use crate::catalogue::today_in_sweden;
use crate::error::Checks;
use crate::registry::too_long;
use crate::{App, AppError, Result, now};

/// Steps a collection or plan holds at most.
pub const MAX_STEPS: usize = 100;
/// Collection step kinds.
pub const COLLECTION_KINDS: [&str; 3] = ["material", "offering", "activity"];
/// Plan activity kinds.
pub const PLAN_KINDS: [&str; 4] = ["material", "collection", "offering", "meeting"];
/// Progress statuses a staff member sets on an activity ("" clears it).
pub const PROGRESS: [&str; 2] = ["started", "done"];

/// A step's own texts, changed in place (collection steps have no date).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StepTexts {
    /// The activity's or meeting's title (required for them), else an optional heading.
    pub title: String,
    pub description: String,
    /// YYYY-MM-DD, or empty.
    pub due_on: String,
}

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

/// A step to add to a collection or an activity to add to a plan.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StepForm {
    /// See [`COLLECTION_KINDS`] and [`PLAN_KINDS`].
    pub kind: String,
    /// The material or collection by id (for those kinds); a catalogue offering by id, by the
    /// address of its page, or by words from its name that match exactly one published open
    /// offering (several matches are refused: choose by id).
    pub target_id: String,
    /// The activity's or meeting's title (required for them), else an optional heading.
    pub title: String,
    pub description: String,
    /// A plan activity's date (YYYY-MM-DD), optional.
    pub due_on: String,
}

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

/// A step as one person sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepView {
    pub id: i64,
    pub kind: String,
    /// What the step is called: the linked item's title, else its own.
    pub title: String,
    /// The curator's note or the activity's description.
    pub description: String,
    /// The curator's own heading when a linked item has one too.
    pub heading: String,
    /// The step's own title or heading as the curator wrote it (what an edit starts from).
    pub own_title: String,
    /// Where the linked item is (`/materials/4` …); none for activities and for items the
    /// viewer may not open.
    pub href: Option<String>,
    pub due_on: Option<NaiveDate>,
    /// The viewer completed it.
    pub done: bool,
    /// The viewer's progress (plans): started or done, and their reflection.
    pub status: String,
    pub reflection: String,
    /// Plans: how many of the assigned staff completed it (for those who run the plan).
    pub done_by: Option<usize>,
    /// Plans: how many of the assigned staff cannot open the linked material or learning path
    /// because it is shared more narrowly than the plan reaches (for those who run the plan).
    pub locked_for: Option<usize>,
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

/// A step's own texts, checked: the title (required for activities and meetings, else an
/// optional heading), the description and the date.
fn step_texts<'f>(
    checks: &mut Checks,
    kind: &str,
    form: &'f StepTexts,
) -> (&'f str, &'f str, Option<NaiveDate>) {
    let (title, description) = (form.title.trim(), form.description.trim());
    too_long(checks, "title", title, 200);
    too_long(checks, "description", description, 2000);
    if matches!(kind, "activity" | "meeting") && title.is_empty() {
        checks.fail("title", "field.required");
    }
    let due_on = match form.due_on.trim() {
        "" => None,
        d => NaiveDate::parse_from_str(d, "%Y-%m-%d").ok().or_else(|| {
            checks.fail("due_on", "field.date_invalid");
            None
        }),
    };
    (title, description, due_on)
}

fn id_of(value: &str) -> Option<i64> {
    value.trim().parse().ok()
}

/// How a curator named a catalogue offering for a step.
#[derive(Debug, PartialEq, Eq)]
enum OfferingRef<'a> {
    /// Its number, or the address of its page (`…/catalogue/123`, as copied from the browser).
    Id(i64),
    /// Words from its name, provider or place, searched as in the catalogue.
    Words(&'a str),
    Nothing,
}

fn offering_ref(text: &str) -> OfferingRef<'_> {
    let text = text.trim();
    if let Some(id) = id_of(text) {
        return OfferingRef::Id(id);
    }
    if let Some((_, after)) = text.rsplit_once("/catalogue/") {
        let digits = after.split(|c: char| !c.is_ascii_digit()).next();
        if let Some(id) = digits.and_then(id_of) {
            return OfferingRef::Id(id);
        }
    }
    if text.is_empty() {
        OfferingRef::Nothing
    } else {
        OfferingRef::Words(text)
    }
}

/// A catalogue offering a step could link to, as the curator chooses among several.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfferingChoice {
    pub id: i64,
    pub title: String,
    pub provider: String,
    pub place: String,
    pub next_start: Option<NaiveDate>,
}

/// At most this many offerings are offered to choose from; more words narrow them.
const OFFERING_CHOICES: usize = 8;

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
    /// The organisation an actor curates for: theirs or their school organiser's.
    fn may_manage(actor: &Actor, organisation_id: i64, organiser_id: Option<i64>) -> bool {
        actor.may(Action::ManageMaterial(organisation_id))
            || organiser_id.is_some_and(|o| actor.may(Action::ManageMaterial(o)))
    }

    /// Organisations the actor curates collections and runs plans for (id, name).
    ///
    /// # Errors
    /// A store error.
    pub async fn managed_organisations(&self, actor: &Actor) -> Result<Vec<(i64, String)>> {
        let Some(user) = actor.user_id else {
            return Ok(Vec::new());
        };
        let mut orgs: Vec<(i64, String)> = self
            .store
            .memberships_of(user)
            .await?
            .into_iter()
            .filter(|m| actor.may(Action::ManageMaterial(m.organisation_id)))
            .map(|m| (m.organisation_id, m.organisation_name))
            .collect();
        orgs.dedup_by_key(|o| o.0);
        Ok(orgs)
    }

    async fn require_manage(&self, actor: &Actor, org: i64, organiser: Option<i64>) -> Result<()> {
        if Self::may_manage(actor, org, organiser) {
            Ok(())
        } else {
            self.authorize(actor, Action::ManageMaterial(org)).await
        }
    }

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

    async fn may_read_collection(&self, actor: &Actor, c: &CollectionRow) -> Result<bool> {
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

    /// Whether the viewer may open the material a step links to (published and shared with
    /// them).
    async fn material_readable(&self, actor: &Actor, material_id: i64) -> Result<bool> {
        match self.store.material(material_id, Shown::Latest).await {
            Ok(row) => Ok(row.published_version_id.is_some() && self.may_open(actor, &row).await?),
            Err(larnav_store::StoreError::NotFound) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether the viewer may open what a step links to (activities link nowhere).
    async fn step_readable(&self, actor: &Actor, s: &StepRow) -> Result<bool> {
        Ok(match (s.material_id, s.collection_id, s.offering_id) {
            (Some(m), _, _) => self.material_readable(actor, m).await?,
            (_, Some(c), _) => match self.store.collection(c).await {
                Ok(row) => self.may_read_collection(actor, &row).await?,
                Err(_) => false,
            },
            (_, _, Some(_)) => true,
            _ => false,
        })
    }

    /// A step's link and title for the viewer.
    async fn step_view(&self, actor: &Actor, s: &StepRow) -> Result<StepView> {
        let href = match (s.material_id, s.collection_id, s.offering_id) {
            (Some(m), _, _) => format!("/materials/{m}"),
            (_, Some(c), _) => format!("/collections/{c}"),
            (_, _, Some(o)) => format!("/catalogue/{o}"),
            _ => String::new(),
        };
        let readable = self.step_readable(actor, s).await?;
        let linked = readable.then(|| s.linked_title.clone()).flatten();
        let title = match (&linked, s.kind.as_str()) {
            (Some(t), _) => t.clone(),
            (None, "activity" | "meeting") => s.title.clone(),
            // A material the viewer may not open is named by the curator's heading at most.
            (None, _) if !s.title.is_empty() => s.title.clone(),
            (None, _) => String::new(),
        };
        Ok(StepView {
            id: s.id,
            kind: s.kind.clone(),
            heading: if linked.is_some() {
                s.title.clone()
            } else {
                String::new()
            },
            title,
            own_title: s.title.clone(),
            description: s.description.clone(),
            href: readable.then_some(href),
            due_on: s.due_on,
            done: false,
            status: String::new(),
            reflection: String::new(),
            done_by: None,
            locked_for: None,
        })
    }

    /// What one person completed: materials and collection steps.
    async fn completions(&self, user: Option<i64>) -> Result<(HashSet<i64>, HashSet<i64>)> {
        let Some(user) = user else {
            return Ok(Default::default());
        };
        let materials = self.store.material_completions(user).await?;
        let items = self.store.items_done(user).await?;
        Ok((
            materials.into_iter().map(|m| m.0).collect(),
            items.into_iter().map(|i| i.0).collect(),
        ))
    }

    pub(crate) fn step_done(s: &StepRow, materials: &HashSet<i64>, items: &HashSet<i64>) -> bool {
        match s.material_id {
            Some(m) => materials.contains(&m),
            None => items.contains(&s.id),
        }
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

    /// The offerings to choose among when what a curator typed for a course step is words
    /// rather than a number or a catalogue address (then none: it names one offering).
    ///
    /// # Errors
    /// An index error.
    pub fn offering_choices(&self, typed: &str) -> Result<Vec<OfferingChoice>> {
        match offering_ref(typed) {
            OfferingRef::Words(words) => self.search_offerings(words),
            OfferingRef::Id(_) | OfferingRef::Nothing => Ok(Vec::new()),
        }
    }

    /// The published public offerings best matching `words`, searched as in the catalogue.
    /// Internal offerings are left out: a plan or path reaches people outside the provider.
    fn search_offerings(&self, words: &str) -> Result<Vec<OfferingChoice>> {
        // No organisations in the request: only public offerings are searched.
        let request = SearchRequest {
            text: words.to_string(),
            limit: OFFERING_CHOICES,
            ..SearchRequest::default()
        };
        Ok(self
            .search_index(&request)?
            .hits
            .into_iter()
            .map(|h| OfferingChoice {
                id: h.id,
                title: h.title.into_iter().map(|s| s.text).collect(),
                provider: h.provider,
                place: h.place,
                next_start: h.next_start,
            })
            .collect())
    }

    /// Checks a step form into what the store keeps: the linked item must exist and be one
    /// the curator may point others to (published material shared beyond its author, a
    /// published public offering, a collection they may read).
    async fn checked_step(
        &self,
        actor: &Actor,
        form: &StepForm,
        kinds: &[&str],
    ) -> Result<NewStep> {
        let mut checks = Checks::new();
        let kind = form.kind.trim();
        if !kinds.contains(&kind) {
            checks.fail("kind", "field.choice_invalid");
        }
        let texts = StepTexts {
            title: form.title.clone(),
            description: form.description.clone(),
            due_on: form.due_on.clone(),
        };
        let (title, description, due_on) = step_texts(&mut checks, kind, &texts);
        let target = id_of(&form.target_id);
        let mut step = NewStep {
            kind: kind.into(),
            title: title.into(),
            description: description.into(),
            due_on,
            ..NewStep::default()
        };
        match kind {
            "material" => match target {
                Some(m) if self.material_readable(actor, m).await? => {
                    let row = self.store.material(m, Shown::Latest).await?;
                    if row.scope == Scope::Private.as_str() {
                        checks.fail("target_id", "development.material_private");
                    }
                    step.material_id = Some(m);
                }
                _ => checks.fail("target_id", "development.material_unknown"),
            },
            "collection" => match target {
                Some(c) => match self.store.collection(c).await {
                    Ok(row) if self.may_read_collection(actor, &row).await? => {
                        step.collection_id = Some(c);
                    }
                    _ => checks.fail("target_id", "development.collection_unknown"),
                },
                None => checks.fail("target_id", "development.collection_unknown"),
            },
            "offering" => match offering_ref(&form.target_id) {
                OfferingRef::Id(o) => match self.store.offering(o).await {
                    Ok(off)
                        if off.status == larnav_domain::catalogue::OfferingStatus::Published
                            && !off.internal =>
                    {
                        step.offering_id = Some(o);
                    }
                    _ => checks.fail("target_id", "development.offering_unknown"),
                },
                OfferingRef::Words(words) => match self.search_offerings(words)?.as_slice() {
                    [only] => step.offering_id = Some(only.id),
                    [] => checks.fail("target_id", "development.offering_none_found"),
                    _ => checks.fail("target_id", "development.offering_choose"),
                },
                OfferingRef::Nothing => checks.fail("target_id", "development.offering_missing"),
            },
            _ => {}
        }
        checks.finish()?;
        Ok(step)
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

    /// The collection or plan a step belongs to (to show that page again with a step form's
    /// errors; the page itself checks who may see it).
    ///
    /// # Errors
    /// [`AppError::NotFound`].
    pub async fn step_parent(&self, steps: Steps, id: i64) -> Result<i64> {
        let step = match steps {
            Steps::CollectionItems => self.store.collection_item(id).await,
            Steps::PlanActivities => self.store.plan_activity(id).await,
        };
        Ok(step.map_err(not_found)?.parent_id)
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

    async fn apply_step_change(
        &self,
        steps: Steps,
        id: i64,
        change: StepChange,
        audit: &AuditRecord,
    ) -> Result<()> {
        match change {
            StepChange::Up | StepChange::Down => self
                .store
                .move_step(steps, id, change == StepChange::Up, now(), audit)
                .await
                .map_err(not_found),
            StepChange::Remove => self
                .store
                .remove_step(steps, id, now(), audit)
                .await
                .map_err(not_found),
        }
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
            .map_err(|e| AppError::Internal(e.to_string()))?;
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
        let index =
            Arc::new(TextIndex::build(docs).map_err(|e| AppError::Internal(e.to_string()))?);
        self.collection_index.put(version, index.clone());
        Ok(index)
    }

    // ---- Community ----

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
    async fn family_of(&self, organisation_id: i64) -> Result<Vec<i64>> {
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
            .managed_organisations(actor)
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

/// A change to a collection's steps or a plan's activities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepChange {
    Up,
    Down,
    Remove,
}

impl StepChange {
    /// `up`, `down` or `remove`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "up" => Some(Self::Up),
            "down" => Some(Self::Down),
            "remove" => Some(Self::Remove),
            _ => None,
        }
    }

    fn action(self, what: &str) -> &'static str {
        match (what, self) {
            ("collection", Self::Remove) => "collection.remove_step",
            ("collection", _) => "collection.move_step",
            (_, Self::Remove) => "plan.remove_activity",
            _ => "plan.move_activity",
        }
    }
}

/// The (material, person) pairs counted as views on `day`.
#[derive(Debug, Default)]
pub(crate) struct LooksToday {
    day: NaiveDate,
    seen: HashSet<(i64, i64)>,
}

#[cfg(test)]
mod tests {
    use super::{OfferingRef, offering_ref};

    #[test]
    fn a_course_is_named_by_number_address_or_words() {
        assert_eq!(offering_ref(" 123 "), OfferingRef::Id(123));
        assert_eq!(
            offering_ref("https://larnav.example/catalogue/45?q=usk#om"),
            OfferingRef::Id(45)
        );
        assert_eq!(offering_ref("/catalogue/7/"), OfferingRef::Id(7));
        assert_eq!(
            offering_ref("undersköterska Gävle"),
            OfferingRef::Words("undersköterska Gävle")
        );
        // An address without a number is searched like any words (and will not match).
        assert_eq!(
            offering_ref("/catalogue/"),
            OfferingRef::Words("/catalogue/")
        );
        assert_eq!(offering_ref("  "), OfferingRef::Nothing);
    }
}
