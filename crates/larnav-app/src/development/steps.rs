//! Steps of a collection and activities of a plan are one feature stored in two tables
//! (`larnav_store::Steps`): one form, one check, one view, one way to move or remove them.

use crate::accounts::not_found;
use crate::error::Checks;
use crate::registry::too_long;
use crate::{App, Result, now};
use chrono::NaiveDate;
use larnav_domain::Actor;
use larnav_domain::material::Scope;
use larnav_search::SearchRequest;
use larnav_store::{AuditRecord, NewStep, Shown, StepRow, Steps};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Steps a collection or plan holds at most.
pub const MAX_STEPS: usize = 100;

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

/// A step's own texts, checked: the title (required for activities and meetings, else an
/// optional heading), the description and the date.
pub(super) fn step_texts<'f>(
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

pub(super) fn id_of(value: &str) -> Option<i64> {
    value.trim().parse().ok()
}

/// How a curator named a catalogue offering for a step.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum OfferingRef<'a> {
    /// Its number, or the address of its page (`…/catalogue/123`, as copied from the browser).
    Id(i64),
    /// Words from its name, provider or place, searched as in the catalogue.
    Words(&'a str),
    Nothing,
}

pub(super) fn offering_ref(text: &str) -> OfferingRef<'_> {
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

    pub(super) fn action(self, what: &str) -> &'static str {
        match (what, self) {
            ("collection", Self::Remove) => "collection.remove_step",
            ("collection", _) => "collection.move_step",
            (_, Self::Remove) => "plan.remove_activity",
            _ => "plan.move_activity",
        }
    }
}

impl App {
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
    pub(super) async fn step_readable(&self, actor: &Actor, s: &StepRow) -> Result<bool> {
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
    pub(super) async fn step_view(&self, actor: &Actor, s: &StepRow) -> Result<StepView> {
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
    pub(super) async fn completions(
        &self,
        user: Option<i64>,
    ) -> Result<(HashSet<i64>, HashSet<i64>)> {
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
    pub(super) async fn checked_step(
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

    pub(super) async fn apply_step_change(
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
}
