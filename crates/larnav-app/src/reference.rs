//! Reference data: loading the embedded set and reading it.

use larnav_domain::text::sort_swedish_by;
use larnav_domain::{Action, Actor};
use larnav_ingest::reference::{REFERENCE_DATA_VERSION, load_embedded};
use larnav_store::{
    KommunRecord, LanRecord, OccupationGroupRecord, OccupationNameRecord, SkillRecord, Store,
    SunRecord,
};
use serde::Serialize;

use crate::accounts::not_found;
use crate::{App, AppError, Result};

/// Loads the embedded reference data unless this version is already in the database.
/// Returns whether it loaded. Several instances starting together may both load; the load is
/// one transaction that replaces the set, so the result is the same.
pub(crate) async fn ensure_loaded(store: &Store) -> Result<bool> {
    if store.meta_get("reference_data_version").await?.as_deref() == Some(REFERENCE_DATA_VERSION) {
        return Ok(false);
    }
    let data = load_embedded().map_err(|e| AppError::internal("embedded reference data", e))?;
    store
        .replace_reference_data(&data, REFERENCE_DATA_VERSION)
        .await?;
    tracing::info!(version = REFERENCE_DATA_VERSION, "reference data loaded");
    Ok(true)
}

/// The län and kommuner with their names, kommuner in Swedish order. Read once per process:
/// reference data changes only with a release, which `App::open` loads before anything reads.
#[derive(Debug, Default)]
pub struct Places {
    pub lan: Vec<(String, String)>,
    pub kommuner: Vec<(String, String)>,
    names: std::collections::HashMap<String, String>,
    /// Each kommun's code with its län's, in kommun code order.
    kommun_lan: Vec<(String, String)>,
}

impl Places {
    /// The name of a län (two digits) or kommun (four digits).
    pub fn name(&self, code: &str) -> Option<&str> {
        self.names.get(code).map(String::as_str)
    }

    /// The län a kommun belongs to.
    pub fn lan_of(&self, kommun: &str) -> Option<&str> {
        self.kommun_lan
            .binary_search_by(|(k, _)| k.as_str().cmp(kommun))
            .ok()
            .map(|i| self.kommun_lan[i].1.as_str())
    }

    /// The kommun codes of a län, or of the whole country, in code order.
    pub fn kommun_codes(&self, lan: Option<&str>) -> Vec<String> {
        self.kommun_lan
            .iter()
            .filter(|(_, l)| lan.is_none_or(|lan| lan == l))
            .map(|(k, _)| k.clone())
            .collect()
    }
}

/// An occupation group with everything its page shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OccupationGroupView {
    pub group: OccupationGroupRecord,
    /// From level 1 down to the parent.
    pub ancestors: Vec<OccupationGroupRecord>,
    pub children: Vec<OccupationGroupRecord>,
    pub names: Vec<OccupationNameRecord>,
    pub skills: Vec<SkillRecord>,
}

/// Search-as-you-type hits over occupations and places.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ReferenceHits {
    pub occupation_groups: Vec<OccupationGroupRecord>,
    pub occupation_names: Vec<OccupationNameRecord>,
    pub lan: Vec<LanRecord>,
    pub kommuner: Vec<KommunRecord>,
}

/// Longest query the reference search accepts; longer input is cut, never an error.
const MAX_QUERY_CHARS: usize = 100;

impl App {
    /// How much reference data is loaded (public, like the data itself).
    ///
    /// # Errors
    /// A store error.
    pub async fn reference_counts(&self) -> Result<larnav_store::ReferenceCounts> {
        Ok(self.store.reference_counts().await?)
    }

    /// Every län and kommun with its name, from memory after the first call (the catalogue's
    /// facets and area choices would otherwise read them on every view).
    ///
    /// # Errors
    /// A store error on the first call.
    pub async fn places(&self) -> Result<std::sync::Arc<Places>> {
        self.places
            .get_or_try_init(|| async {
                let lan: Vec<(String, String)> = self
                    .store
                    .list_lan()
                    .await?
                    .into_iter()
                    .map(|l| (l.code, l.name))
                    .collect();
                let records = self.store.list_kommuner(None).await?;
                let mut kommun_lan: Vec<(String, String)> = records
                    .iter()
                    .map(|k| (k.code.clone(), k.lan_code.clone()))
                    .collect();
                kommun_lan.sort();
                let mut kommuner: Vec<(String, String)> =
                    records.into_iter().map(|k| (k.code, k.name)).collect();
                sort_swedish_by(&mut kommuner, |k| k.1.as_str());
                let names = lan.iter().chain(&kommuner).cloned().collect();
                Ok(std::sync::Arc::new(Places {
                    lan,
                    kommuner,
                    names,
                    kommun_lan,
                }))
            })
            .await
            .cloned()
    }

    /// # Errors
    /// [`AppError::NotFound`] for an unknown SSYK code.
    pub async fn occupation_group(&self, actor: &Actor, code: &str) -> Result<OccupationGroupView> {
        self.authorize(actor, Action::ViewReferenceData).await?;
        let group = self
            .store
            .get_occupation_group(code)
            .await
            .map_err(not_found)?;
        let mut ancestors = Vec::new();
        let mut parent = group.parent_code.clone();
        while let Some(code) = parent {
            let g = self.store.get_occupation_group(&code).await?;
            parent = g.parent_code.clone();
            ancestors.insert(0, g);
        }
        let children = self.store.list_occupation_groups(Some(code)).await?;
        let mut names = self.store.list_occupation_names(code).await?;
        sort_swedish_by(&mut names, |n| &n.name);
        let mut skills = self.store.list_group_skills(code).await?;
        sort_swedish_by(&mut skills, |s| &s.name);
        Ok(OccupationGroupView {
            group,
            ancestors,
            children,
            names,
            skills,
        })
    }

    /// The ten SSYK major groups.
    ///
    /// # Errors
    /// A store error.
    pub async fn occupation_roots(&self, actor: &Actor) -> Result<Vec<OccupationGroupRecord>> {
        self.authorize(actor, Action::ViewReferenceData).await?;
        Ok(self.store.list_occupation_groups(None).await?)
    }

    /// # Errors
    /// A store error.
    pub async fn lan(&self, actor: &Actor) -> Result<Vec<LanRecord>> {
        self.authorize(actor, Action::ViewReferenceData).await?;
        Ok(self.store.list_lan().await?)
    }

    /// # Errors
    /// A store error.
    pub async fn kommuner(
        &self,
        actor: &Actor,
        lan_code: Option<&str>,
    ) -> Result<Vec<KommunRecord>> {
        self.authorize(actor, Action::ViewReferenceData).await?;
        Ok(self.store.list_kommuner(lan_code).await?)
    }

    /// SUN 2020 fields (`levels == false`) or levels.
    ///
    /// # Errors
    /// A store error.
    pub async fn sun(&self, actor: &Actor, levels: bool) -> Result<Vec<SunRecord>> {
        self.authorize(actor, Action::ViewReferenceData).await?;
        Ok(self.store.list_sun(levels).await?)
    }

    /// Search-as-you-type over occupations (groups and names) and places (län and kommuner).
    /// Case is folded the Swedish way (Å = å, but a ≠ å); an empty query finds nothing.
    ///
    /// # Errors
    /// A store error.
    pub async fn search_reference(
        &self,
        actor: &Actor,
        query: &str,
        limit: i64,
    ) -> Result<ReferenceHits> {
        self.authorize(actor, Action::ViewReferenceData).await?;
        let query: String = query.trim().chars().take(MAX_QUERY_CHARS).collect();
        if query.is_empty() {
            return Ok(ReferenceHits::default());
        }
        let limit = limit.clamp(1, 50);
        let (occupation_groups, occupation_names) =
            self.store.search_occupations(&query, limit).await?;
        let (lan, kommuner) = self.store.search_places(&query, limit).await?;
        Ok(ReferenceHits {
            occupation_groups,
            occupation_names,
            lan,
            kommuner,
        })
    }
}
