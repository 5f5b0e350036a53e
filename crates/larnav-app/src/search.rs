//! Catalogue search: this instance's tantivy index (`larnav-search`) kept in step with the
//! store, the national catalogue import, and the search use case.
//!
//! The store's `catalogue_change` log is the one way changes reach an index: a write through
//! this instance applies the log at once (so the writer sees its change immediately), and a
//! background task applies it every `search.sync_interval_ms` (so changes made through other
//! instances on the same PostgreSQL arrive within that interval). The index remembers the
//! database and the last change it applied; an index that does not match its database is
//! rebuilt on start. Each day the index is rebuilt too, because "next start" and "open for
//! applications" depend on the date.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, LazyLock};
use std::time::Instant;

use chrono::NaiveDate;
use larnav_domain::catalogue::{Format, OfferingStatus};
use larnav_domain::score::Light;
use larnav_domain::{Action, Actor};
use larnav_ingest::catalogue::{CatalogueEntry, SOURCE_NATIONAL, SOURCE_YH};
use larnav_search::{Cursor, Facet, OfferingDoc, SearchIndex, SearchRequest, Sort, TextIndex};
use larnav_store::{AuditRecord, ImportedOffering, IndexRows, NewOccasion, OfferingFields};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::catalogue::{month_key, plan_of, today_in_sweden};
use crate::i18n::{Lang, Tr};
use crate::semaforen::AreaInfo;
use crate::{App, AppError, Result, now};

pub use larnav_search::{Hit, SearchResults, Segment};

/// Changes seen within this window are read again on every sync: a transaction that took a
/// change id before another but committed after it is not skipped.
const LOOKBACK_SECS: i64 = 10;
/// How long a computed shortage list is reused by the shortage filter.
const SHORTAGE_TTL_SECS: u64 = 300;
/// Results per page.
pub const PAGE_SIZE: usize = 20;

static OCCUPATION_FIELDS: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| larnav_ingest::signals::occupation_fields().unwrap_or_default());

/// This instance's catalogue index and what keeps it in step.
pub struct CatalogueIndex {
    index: SearchIndex,
    database: String,
    sync: Mutex<SyncState>,
    shortages: std::sync::Mutex<HashMap<String, CachedShortages>>,
}

#[derive(Default)]
struct SyncState {
    /// Change ids applied within the lookback window, so they are not applied again.
    applied: HashMap<i64, chrono::DateTime<chrono::Utc>>,
    built_on: Option<NaiveDate>,
}

impl std::fmt::Debug for CatalogueIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatalogueIndex")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

impl CatalogueIndex {
    pub(crate) fn new(index: SearchIndex, database: String) -> Self {
        Self {
            index,
            database,
            sync: Mutex::new(SyncState::default()),
            shortages: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// The index itself (benchmarks and tests).
    pub fn index(&self) -> &SearchIndex {
        &self.index
    }
}

/// An area's red SSYK codes and when they were computed.
type CachedShortages = (Instant, Arc<Vec<String>>);

/// A search as the catalogue page and the API ask it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[serde(default)]
pub struct CatalogueQuery {
    /// What the person typed.
    pub q: String,
    /// Facet filters by name: `lan`, `kommun`, `kind`, `format`, `seqf`, `field`, `provider`,
    /// `start` (YYYY-MM), `free_seats` (1).
    pub lan: String,
    pub kommun: String,
    pub kind: String,
    pub format: String,
    pub seqf: String,
    pub field: String,
    pub provider: String,
    pub start: String,
    pub free_seats: String,
    /// An area key (`21`, `2184`, `A3`): only offerings for its red shortage occupations.
    pub shortage_area: String,
    /// `relevance` (default) or `start`.
    pub sort: String,
    /// 1-based.
    pub page: String,
}

impl CatalogueQuery {
    /// The facet filters set in this query.
    pub fn filters(&self) -> Vec<(Facet, String)> {
        let values = [
            (Facet::Lan, &self.lan),
            (Facet::Kommun, &self.kommun),
            (Facet::Kind, &self.kind),
            (Facet::Format, &self.format),
            (Facet::Seqf, &self.seqf),
            (Facet::OccupationField, &self.field),
            (Facet::Provider, &self.provider),
            (Facet::StartMonth, &self.start),
            (Facet::FreeSeats, &self.free_seats),
        ];
        values
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(f, v)| (f, v.trim().chars().take(200).collect()))
            .collect()
    }

    pub fn page(&self) -> usize {
        self.page.trim().parse::<usize>().unwrap_or(1).clamp(1, 500)
    }
}

/// What a catalogue search found, with the shortage filter's area when one was used.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CatalogueResults {
    #[schema(value_type = Object)]
    pub results: SearchResults,
    pub page: usize,
    pub pages: usize,
    /// The area whose shortage occupations filtered the results, and how many there are.
    pub shortage_area: Option<(String, usize)>,
}

/// What the national catalogue import stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CatalogueImport {
    pub national: usize,
    pub yh: usize,
}

impl App {
    /// Opens this instance's index under the data directory and makes it match the database.
    pub(crate) async fn open_catalogue_index(
        store: &larnav_store::Store,
        data_dir: &std::path::Path,
    ) -> Result<Arc<CatalogueIndex>> {
        let database = store
            .meta_get_or_insert("database_id", &crate::security::random_token())
            .await?;
        let dir = data_dir.join("search").join("catalogue");
        let index = tokio::task::spawn_blocking(move || SearchIndex::open(&dir))
            .await
            .map_err(|e| AppError::internal("open catalogue index", e))?
            .map_err(|e| AppError::internal("open catalogue index", e))?;
        Ok(Arc::new(CatalogueIndex::new(index, database)))
    }

    /// Rebuilds the index if it follows another database or is ahead of this one, then applies
    /// pending changes.
    pub(crate) async fn ensure_catalogue_index(&self) -> Result<()> {
        let latest = self.store.latest_catalogue_change().await?;
        let matches = self
            .catalogue_index
            .index
            .cursor()
            .is_some_and(|c| c.database == self.catalogue_index.database && c.change <= latest);
        if matches {
            self.sync_search().await?;
        } else {
            self.rebuild_search().await?;
        }
        Ok(())
    }

    /// The background task's tick: applies other instances' changes, and rebuilds once a day
    /// (and once after start) because what an offering shows depends on the date (open
    /// applications, start months, past occasions).
    ///
    /// # Errors
    /// A store or index error; the index then stays at its last good commit.
    pub async fn refresh_search(&self) -> Result<usize> {
        let built_on = self.catalogue_index.sync.lock().await.built_on;
        if built_on == Some(today_in_sweden()) {
            self.sync_search().await
        } else {
            self.rebuild_search().await.map(|n| n as usize)
        }
    }

    /// Applies the catalogue changes this index has not seen; returns how many offerings were
    /// updated.
    ///
    /// # Errors
    /// A store or index error; the index then stays at its last good commit.
    pub async fn sync_search(&self) -> Result<usize> {
        let ci = &self.catalogue_index;
        let mut state = ci.sync.lock().await;
        let today = today_in_sweden();
        let cursor = ci.index.cursor().map_or(0, |c| c.change);
        let now = now();
        let horizon = now - chrono::Duration::seconds(LOOKBACK_SECS);
        state.applied.retain(|_, at| *at >= horizon);
        let changes: Vec<(i64, i64)> = self
            .store
            .catalogue_changes(cursor, horizon)
            .await?
            .into_iter()
            .filter(|(id, _)| !state.applied.contains_key(id))
            .collect();
        if changes.is_empty() {
            return Ok(0);
        }
        let last = changes
            .iter()
            .map(|c| c.0)
            .max()
            .unwrap_or(cursor)
            .max(cursor);
        let mut ids: Vec<i64> = changes.iter().map(|c| c.1).collect();
        ids.sort_unstable();
        ids.dedup();
        let rows = self.store.index_rows(Some(&ids)).await?;
        let (docs, _) = build_docs(rows, today);
        let kept: HashSet<i64> = docs.iter().map(|d| d.id).collect();
        let removed: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !kept.contains(id))
            .collect();
        let cursor = Cursor {
            database: ci.database.clone(),
            change: last,
        };
        let app = self.clone();
        let n = docs.len();
        tokio::task::spawn_blocking(move || {
            app.catalogue_index.index.apply(&docs, &removed, &cursor)
        })
        .await
        .map_err(|e| AppError::internal("sync search", e))?
        .map_err(|e| AppError::internal("sync search", e))?;
        for (id, _) in changes {
            state.applied.insert(id, now);
        }
        Ok(n.max(ids.len()))
    }

    /// Updates the index after a write through this instance. A failure is logged, not
    /// returned: the write is stored, and the background sync retries.
    pub(crate) async fn after_catalogue_write(&self) {
        if let Err(e) = self.sync_search().await {
            tracing::error!(error = %e, "search index update failed; the background sync retries");
        }
    }

    /// Rebuilds the whole index from the store; returns the number of offerings indexed.
    ///
    /// # Errors
    /// A store or index error; the previous index stays in use.
    pub async fn rebuild_search(&self) -> Result<u64> {
        let ci = &self.catalogue_index;
        let mut state = ci.sync.lock().await;
        let latest = self.store.latest_catalogue_change().await?;
        let today = today_in_sweden();
        let rows = self.store.index_rows(None).await?;
        let (docs, _) = build_docs(rows, today);
        let cursor = Cursor {
            database: ci.database.clone(),
            change: latest,
        };
        let app = self.clone();
        let n = docs.len() as u64;
        tokio::task::spawn_blocking(move || app.catalogue_index.index.rebuild(docs, &cursor))
            .await
            .map_err(|e| AppError::internal("rebuild search", e))?
            .map_err(|e| AppError::internal("rebuild search", e))?;
        state.applied.clear();
        state.built_on = Some(today);
        Ok(n)
    }

    /// `larnav reindex` and the administrators' button: rebuilds this instance's index.
    ///
    /// # Errors
    /// A refusal; a store or index error.
    pub async fn reindex(&self, actor: &Actor) -> Result<u64> {
        self.authorize(actor, Action::ImportCatalogue).await?;
        self.rebuild_search().await
    }

    /// Searches the catalogue as `actor` sees it (internal offerings of their organisations
    /// included). Never fails on what was typed.
    ///
    /// # Errors
    /// An unknown shortage area; an index error.
    pub async fn search_catalogue(
        &self,
        actor: &Actor,
        query: &CatalogueQuery,
    ) -> Result<CatalogueResults> {
        self.authorize(actor, Action::ViewReferenceData).await?;
        let page = query.page();
        // "Courses for shortage occupations near me": linked to a red occupation of the area,
        // and given in one of its kommuner or reachable from anywhere (distance, online).
        let (ssyk_any, any_of, shortage_area) = match query.shortage_area.trim() {
            "" => (None, None, None),
            area => {
                let (info, codes) = self.shortage_codes(area).await?;
                let n = codes.len();
                let near = (info.kind != "riket").then(|| {
                    info.kommuner
                        .iter()
                        .map(|k| (Facet::Kommun, k.clone()))
                        .chain(
                            [Format::Distance, Format::OnlineSessions]
                                .map(|f| (Facet::Format, f.as_str().to_string())),
                        )
                        .collect()
                });
                (Some(codes.as_ref().clone()), near, Some((info.name, n)))
            }
        };
        let request = SearchRequest {
            text: query.q.clone(),
            filters: query.filters(),
            ssyk_any,
            any_of,
            organisations: actor
                .memberships
                .iter()
                .map(|m| m.organisation_id)
                .collect(),
            sort: if query.sort == "start" {
                Sort::Start
            } else {
                Sort::Relevance
            },
            offset: (page - 1) * PAGE_SIZE,
            limit: PAGE_SIZE,
        };
        let results = self.search_index(&request)?;
        let pages = results.total.div_ceil(PAGE_SIZE).max(1);
        Ok(CatalogueResults {
            results,
            page,
            pages,
            shortage_area,
        })
    }

    /// Runs a search on the catalogue's index (the caller decides what the searcher may see).
    pub(crate) fn search_index(&self, request: &SearchRequest) -> Result<SearchResults> {
        self.catalogue_index
            .index
            .search(request)
            .map_err(|e| AppError::internal("search index", e))
    }

    /// The red occupations of an area's computed shortage list (cached for a few minutes:
    /// computing a list takes a tenth of a second).
    async fn shortage_codes(&self, area: &str) -> Result<(AreaInfo, Arc<Vec<String>>)> {
        let info = self.resolve_area(area).await?;
        let cached = {
            let cache = self
                .catalogue_index
                .shortages
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            cache
                .get(&info.key)
                .filter(|(at, _)| at.elapsed().as_secs() < SHORTAGE_TTL_SECS)
                .map(|(_, codes)| codes.clone())
        };
        if let Some(codes) = cached {
            return Ok((info, codes));
        }
        let list = self.shortage_list(&Actor::system(), &info.key).await?;
        let codes: Arc<Vec<String>> = Arc::new(
            list.rows
                .iter()
                .filter(|r| r.light == Light::Red)
                .map(|r| r.ssyk_code.clone())
                .collect(),
        );
        self.catalogue_index
            .shortages
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(info.key.clone(), (Instant::now(), codes.clone()));
        Ok((info, codes))
    }

    /// Loads the national catalogue shipped with Lärnav: the offerings of
    /// `data/catalogue/utbildningsdata.json` and the YH educations granted in 2024 (linked to
    /// the occupation an analyst confirmed, or else the one Lärnav suggests). Re-running
    /// replaces them; each source is replaced all or nothing.
    ///
    /// # Errors
    /// A refusal; a store error (nothing of that source changed).
    pub async fn import_national_catalogue(&self, actor: &Actor) -> Result<CatalogueImport> {
        self.authorize(actor, Action::ImportCatalogue).await?;
        let kommuner = self.store.list_kommuner(None).await?;
        let by_name: HashMap<String, String> = kommuner
            .iter()
            .map(|k| (k.name.clone(), k.code.clone()))
            .collect();
        let names: HashMap<String, String> = kommuner
            .iter()
            .map(|k| (k.code.clone(), k.name.clone()))
            .collect();
        let places = larnav_ingest::catalogue::places(&by_name)
            .map_err(|e| AppError::internal("import national catalogue", e))?;
        let national = larnav_ingest::catalogue::read_national(&places)
            .map_err(|e| AppError::internal("import national catalogue", e))?;
        let links: HashMap<String, String> = self
            .store
            .list_supply(None, false)
            .await?
            .into_iter()
            .filter_map(|s| {
                let code = s.ssyk_code.or(s.suggested_ssyk)?;
                Some((s.reference, code))
            })
            .collect();
        let rows = larnav_ingest::supply::read_yh_round(&by_name)
            .map_err(|e| AppError::internal("import national catalogue", e))?;
        let yh = larnav_ingest::catalogue::yh_entries(&rows, &names, |r| {
            links.get(&r.reference).cloned()
        });
        let mut counts = Vec::new();
        for (source, entries) in [(SOURCE_NATIONAL, &national), (SOURCE_YH, &yh)] {
            let offerings: Vec<ImportedOffering> = entries.iter().map(imported).collect();
            let audit = AuditRecord::new(actor.user_id, "catalogue.import", source)
                .with_detail(format!("{} offerings", offerings.len()));
            counts.push(
                self.store
                    .replace_imported_offerings(source, &offerings, now(), &audit)
                    .await?,
            );
        }
        self.after_catalogue_write().await;
        Ok(CatalogueImport {
            national: counts[0],
            yh: counts[1],
        })
    }
}

fn imported(e: &CatalogueEntry) -> ImportedOffering {
    ImportedOffering {
        source_ref: e.source_ref.clone(),
        fields: OfferingFields {
            provider_id: None,
            provider_name: e.provider.clone(),
            employer_id: None,
            internal: false,
            kind: e.kind.as_str().into(),
            title: e.title.clone(),
            summary: e.summary.clone(),
            description: e.description.clone(),
            sun_field: e.sun_field.clone(),
            seqf_level: e.seqf_level,
            credits: e.credits,
            credit_kind: e.credit_kind.as_str().into(),
            pace_percent: e.pace_percent,
            format: e.format.as_str().into(),
            kommun_code: e.kommun_code.clone(),
            address: e.place.clone(),
            language: "sv".into(),
            price_sek: None,
            payer: "free".into(),
            eligibility: String::new(),
            url: e.url.clone(),
            ssyk_codes: e.ssyk_codes.clone(),
        },
        // The sources give no dates: the offerings are listed without occasions.
        occasions: Vec::<NewOccasion>::new(),
    }
}

/// Turns store rows into index documents; only published offerings are searchable. Returns the
/// documents and the ids left out.
pub(crate) fn build_docs(rows: IndexRows, today: NaiveDate) -> (Vec<OfferingDoc>, Vec<i64>) {
    let tr = Tr::new(Lang::Sv);
    let mut occupations: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for o in rows.occupations {
        occupations
            .entry(o.offering_id)
            .or_default()
            .push((o.ssyk_code, o.name));
    }
    let mut occasions: HashMap<i64, Vec<larnav_store::Occasion>> = HashMap::new();
    for o in rows.occasions {
        occasions.entry(o.offering_id).or_default().push(o);
    }
    let mut docs = Vec::new();
    let mut hidden = Vec::new();
    for o in rows.offerings {
        if o.status != OfferingStatus::Published {
            hidden.push(o.id);
            continue;
        }
        let occ = occasions.remove(&o.id).unwrap_or_default();
        let upcoming: Vec<&larnav_store::Occasion> =
            occ.iter().filter(|c| c.ends_on >= today).collect();
        let months: BTreeMap<String, ()> = upcoming
            .iter()
            .filter(|c| c.starts_on >= today)
            .map(|c| (month_key(c.starts_on), ()))
            .collect();
        let groups = occupations.remove(&o.id).unwrap_or_default();
        let fields: Vec<String> = groups
            .iter()
            .filter_map(|(code, _)| OCCUPATION_FIELDS.get(code).cloned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let kind_label = tr
            .t(&format!("offering_kind.{}", o.kind.as_str()))
            .to_string();
        let format_label = tr.t(&format!("format.{}", o.format.as_str())).to_string();
        let mut keywords: Vec<String> = groups.iter().map(|(_, n)| n.clone()).collect();
        keywords.extend(fields.iter().cloned());
        keywords.extend([kind_label, format_label.clone()]);
        keywords.extend(o.sun_field_name.clone());
        keywords.extend(o.kommun_name.clone());
        keywords.extend(o.lan_name.clone());
        let place = match (&o.kommun_name, o.format.needs_place()) {
            (Some(k), _) => k.clone(),
            (None, _) => format_label,
        };
        docs.push(OfferingDoc {
            id: o.id,
            summary: o.summary.chars().take(300).collect(),
            body: [o.description.as_str(), &o.eligibility, &o.address].join("\n"),
            keywords: keywords.join("\n"),
            provider: o.provider_name.clone(),
            kind: o.kind.as_str().into(),
            format: o.format.as_str().into(),
            lan: o.lan_code.clone(),
            kommun: o.kommun_code.clone(),
            place,
            seqf: o.seqf_level.and_then(|l| u8::try_from(l).ok()),
            ssyk: groups.iter().map(|(c, _)| c.clone()).collect(),
            occupation_fields: fields,
            start_months: months.into_keys().collect(),
            next_start: upcoming
                .iter()
                .map(|c| c.starts_on)
                .filter(|d| *d >= today)
                .min(),
            free_seats: upcoming
                .iter()
                .any(|c| c.seats > 0 && plan_of(c).is_open(today)),
            visible_to: o
                .internal
                .then(|| o.provider_id.into_iter().chain(o.employer_id).collect()),
            title: o.title,
        });
    }
    (docs, hidden)
}

/// A small search index held in memory (the working-model registry's, the material library's)
/// with the version of the data it was built from, rebuilt when that version moved.
#[derive(Debug, Default)]
pub struct MemoryIndex(std::sync::Mutex<Option<(String, Arc<TextIndex>)>>);

impl MemoryIndex {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(String, Arc<TextIndex>)>> {
        // The value is replaced whole, so a panic elsewhere cannot leave it half-written.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Forgets the index after a change made here, so that this instance's next search sees it
    /// even when the version (whole seconds) did not move.
    pub(crate) fn clear(&self) {
        *self.lock() = None;
    }

    pub(crate) fn get(&self, version: &str) -> Option<Arc<TextIndex>> {
        self.lock()
            .as_ref()
            .filter(|(v, _)| v == version)
            .map(|(_, i)| i.clone())
    }

    pub(crate) fn put(&self, version: String, index: Arc<TextIndex>) {
        *self.lock() = Some((version, index));
    }
}
