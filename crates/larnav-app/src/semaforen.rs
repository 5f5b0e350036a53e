//! Semaforen: the computed shortage list of any area, the explanation of every figure, and the
//! priority lists analysts review, override and publish.
//!
//! Scores are computed from the stored signals (see `larnav_domain::score`), never stored: each
//! instance keeps the lists it computed only while the database's data version stays the same
//! ([`ListCache`]), so a new import or need report shows at once and two instances always
//! agree. Only a published list is stored, as an immutable copy of what was computed and
//! decided.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use chrono::Datelike;
use larnav_domain::ad_years::{AdYears, PartialYear, choose_ad_years};
use larnav_domain::score::{Light, Score, ScoreInputs, SeqfBand, Weights, score_area};
use larnav_domain::semaforen::SignalTable;
use larnav_domain::signals::{AreaKey, JobChances, Outlook, RIKET};
use larnav_domain::text::compare_swedish;
use larnav_domain::{Action, Actor};
use larnav_store::{
    AuditRecord, NeedReport, NewPublication, PriorityList, PriorityOverride, PublishedEntry,
    PublishedList, SignalSource, StoreError,
};
use serde::{Deserialize, Serialize};

use crate::accounts::not_found;
use crate::error::Checks;
use crate::{App, AppError, Result, now};

/// Need reports older than this no longer count in the score.
pub const NEED_MONTHS: i64 = 24;
/// Follow-up answers of participants who completed within this many months count in the
/// outcome component: the 12-month answer of last year's courses, or the 6-month one of
/// courses that ended since.
pub const OUTCOME_MONTHS: i64 = 24;

/// An area resolved to its kommuner.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AreaInfo {
    /// `SE`, a län code, a kommun code, or `A<id>`.
    pub key: String,
    pub name: String,
    /// `riket`, `lan`, `kommun` or `area`.
    pub kind: &'static str,
    /// Four-digit codes of the kommuner in the area.
    pub kommuner: Vec<String>,
    /// Where the area's forecasts come from: its län, or `SE` when it spans several.
    pub forecast_area: String,
    /// The organisation that defined a labour-market area.
    pub organisation_id: Option<i64>,
}

/// One occupation on a computed list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ShortageRow {
    pub ssyk_code: String,
    pub occupation_name: String,
    pub field_name: String,
    /// The band shown: the analyst's choice or the computed one.
    pub band: SeqfBand,
    pub computed_band: SeqfBand,
    /// The light shown: the analyst's choice or the computed one.
    pub light: Light,
    pub score: Score,
    #[schema(value_type = Object)]
    pub inputs: ScoreInputs,
    /// `SE` or the län code whose forecast was used.
    pub forecast_area: Option<String>,
    #[serde(rename = "override")]
    pub override_: Option<PriorityOverride>,
}

/// The computed list of an area: red first, then yellow, then green, by score.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ShortageList {
    pub area: AreaInfo,
    pub weights: Weights,
    /// The year whose ads the list uses.
    pub ads_year: Option<String>,
    /// Newer years of ads that are not complete for the area: not used, shown so that nobody
    /// reads the list as based on them.
    pub ads_partial: Vec<PartialYear>,
    pub rows: Vec<ShortageRow>,
    /// The sources the figures come from.
    pub sources: Vec<SignalSource>,
}

impl ShortageList {
    pub fn count(&self, light: Light) -> usize {
        self.rows.iter().filter(|r| r.light == light).count()
    }

    /// Whether any education supply is linked to occupations (otherwise there are no gaps to
    /// show, only unknown supply).
    pub fn supply_known(&self) -> bool {
        self.rows.iter().any(|r| r.inputs.supply_known)
    }

    /// Occupations with demand (red or yellow) and no education place in the area, confirmed
    /// or suggested (a suggested place is not known to be missing).
    pub fn gaps(&self) -> impl Iterator<Item = &ShortageRow> {
        self.rows.iter().filter(|r| {
            r.light != Light::Green && r.inputs.places == 0 && r.inputs.places_unconfirmed == 0
        })
    }

    /// Places in the area that Lärnav suggests for an occupation but no analyst has confirmed.
    pub fn places_unconfirmed(&self) -> i64 {
        self.rows.iter().map(|r| r.inputs.places_unconfirmed).sum()
    }
}

/// Everything behind one occupation's figures in one area.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Explanation {
    pub area: AreaInfo,
    pub row: ShortageRow,
    pub weights: Weights,
    pub ads_year: Option<String>,
    /// Ads in the area per period, oldest first.
    pub ads_by_period: Vec<(String, i64)>,
    /// The need reports about the occupation from the area's kommuner, newest first.
    pub need_reports: Vec<NeedReport>,
    pub sources: Vec<SignalSource>,
}

/// What an analyst sends to start a list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewListForm {
    pub area: String,
    pub year: String,
    /// Defaults to "Prioriterade bristyrken i {area} {year}".
    #[schema(required)]
    pub title: String,
}

/// An analyst's change of one occupation on a list. An empty light and band removes the
/// override.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OverrideForm {
    pub ssyk_code: String,
    /// `red`, `yellow`, `green` or empty for the computed light.
    pub light: String,
    /// `4`, `5-6`, `6-8` or empty for the computed band.
    pub band: String,
    pub reason: String,
}

/// A priority list with what is decided on it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PriorityListView {
    pub list: PriorityList,
    pub weights: Weights,
    pub computed: ShortageList,
    pub published: Vec<PublishedList>,
}

/// Occupation names and fields, read once per process.
pub(crate) fn fields() -> &'static HashMap<String, String> {
    static FIELDS: OnceLock<HashMap<String, String>> = OnceLock::new();
    FIELDS.get_or_init(|| larnav_ingest::signals::occupation_fields().unwrap_or_default())
}

impl App {
    /// Resolves an area key to its name and kommuner.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for an unknown key.
    pub async fn resolve_area(&self, key: &str) -> Result<AreaInfo> {
        let parsed = AreaKey::parse(key).ok_or(AppError::NotFound)?;
        // The country, a län or a kommun from memory: reference data changes only with a
        // release, and a list request reads nothing else from the database once the list is
        // cached (besides the data version).
        let places = self.places().await?;
        let info = |name: String, kind, codes: Vec<String>, forecast_area: String| AreaInfo {
            key: parsed.key(),
            name,
            kind,
            kommuner: codes,
            forecast_area,
            organisation_id: None,
        };
        Ok(match &parsed {
            AreaKey::Riket => info(
                "Riket".into(),
                "riket",
                places.kommun_codes(None),
                RIKET.into(),
            ),
            AreaKey::Lan(code) => {
                let name = places.name(code).ok_or(AppError::NotFound)?;
                info(
                    name.to_string(),
                    "lan",
                    places.kommun_codes(Some(code)),
                    code.clone(),
                )
            }
            AreaKey::Kommun(code) => {
                let (Some(name), Some(lan)) = (places.name(code), places.lan_of(code)) else {
                    return Err(AppError::NotFound);
                };
                info(
                    name.to_string(),
                    "kommun",
                    vec![code.clone()],
                    lan.to_string(),
                )
            }
            AreaKey::Area(id) => {
                let a = self.store.get_area(*id).await.map_err(not_found)?;
                let lans: HashSet<&str> = a.kommuner.iter().map(|k| k.lan_code.as_str()).collect();
                let forecast = match lans.iter().next() {
                    Some(l) if lans.len() == 1 => l.to_string(),
                    _ => RIKET.into(),
                };
                let mut out = info(
                    a.name.clone(),
                    "area",
                    a.kommuner.iter().map(|k| k.code.clone()).collect(),
                    forecast,
                );
                out.organisation_id = Some(a.organisation_id);
                out
            }
        })
    }

    /// The areas a list can be made for: riket, the län, the labour-market areas, the kommuner
    /// — each group in Swedish order, as (key, name).
    ///
    /// # Errors
    /// A store error.
    pub async fn area_choices(&self) -> Result<Vec<(&'static str, Vec<(String, String)>)>> {
        let places = self.places().await?;
        let areas = self.store.list_areas(None).await?;
        Ok(vec![
            ("riket", vec![(RIKET.to_string(), "Riket".to_string())]),
            ("lan", places.lan.clone()),
            (
                "area",
                areas
                    .into_iter()
                    .map(|a| {
                        (
                            format!("A{}", a.id),
                            format!("{} ({})", a.name, a.organisation_name),
                        )
                    })
                    .collect(),
            ),
            ("kommun", places.kommuner.clone()),
        ])
    }

    /// Loads the stored signals an area's list uses into a [`SignalTable`]. Ads compare like
    /// with like ([`choose_ad_years`]): the newest year one source covers completely in the
    /// area (every month, every län of the area, not a fraction of the year before), and the
    /// year before it; newer partial years are returned to be shown, never scored. Of several
    /// complete sources for a year, the newest counts (a streamed import of 2024 replaces the
    /// shipped 2024 counts rather than adding to them).
    ///
    /// # Errors
    /// A store error.
    pub async fn signal_table(
        &self,
        area: &AreaInfo,
    ) -> Result<(SignalTable, AdYears, Vec<SignalSource>)> {
        let sources = self.store.list_signal_sources().await?;
        // Sources are listed newest first.
        let newest: HashMap<i64, usize> =
            sources.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        // A kommun code's first two digits are its län.
        let area_lan: BTreeSet<String> = area
            .kommuner
            .iter()
            .filter_map(|k| k.get(..2))
            .map(str::to_string)
            .collect();
        let years = choose_ad_years(&self.store.ad_coverage().await?, &newest, &area_lan);
        let mut table = SignalTable::new();
        let mut used: HashSet<i64> = HashSet::new();
        for r in &self.store.ad_year_rows().await? {
            if years.uses(r.source_id, &r.year) {
                let is_latest = years.latest.as_ref().is_some_and(|l| l.year == r.year);
                table.add_ads(&r.ssyk_code, &r.kommun_code, r.ads, !is_latest);
                used.insert(r.source_id);
            }
        }
        for (ssyk, area, chances, outlook) in self.store.latest_forecast_rows().await? {
            if let (Some(c), Some(o)) = (JobChances::parse(&chances), Outlook::parse(&outlook)) {
                table.add_forecast(&ssyk, &area, c, o);
            }
        }
        if let Some(s) = sources.iter().find(|s| s.kind == "forecast") {
            used.insert(s.id);
        }
        let since = now() - chrono::Duration::days(NEED_MONTHS * 365 / 12);
        for n in self.store.need_rows(since).await? {
            table.add_need(
                &n.ssyk_code,
                &n.kommun_code,
                n.needed_now,
                n.needed_1y,
                n.needed_3y,
                n.difficulty,
            );
        }
        let places = self.store.confirmed_places().await?;
        for (ssyk, kommun, n) in &places {
            table.add_places(ssyk, kommun, *n);
        }
        for (ssyk, kommun, n) in self.store.unconfirmed_places().await? {
            table.add_unconfirmed_places(&ssyk, &kommun, n);
        }
        // The loop back: planned seats of the catalogue's occasions in the coming year, last
        // year's completions, and where completed participants work.
        let today = crate::catalogue::today_in_sweden();
        let year = chrono::Duration::days(365);
        for (ssyk, kommun, n) in self.store.catalogue_places(today, today + year).await? {
            table.add_places(&ssyk, &kommun, n);
        }
        for (ssyk, kommun, ended, completed) in self.store.delivered_rows(today - year).await? {
            table.add_delivered(&ssyk, &kommun, ended, completed);
        }
        let outcome_since = today - chrono::Duration::days(OUTCOME_MONTHS * 365 / 12);
        for (ssyk, kommun, answered, working) in self.store.outcome_rows(outcome_since).await? {
            table.add_outcome(&ssyk, &kommun, answered, working);
        }
        if !places.is_empty()
            && let Some(s) = sources.iter().find(|s| s.kind == "supply")
        {
            used.insert(s.id);
        }
        let sources = sources
            .into_iter()
            .filter(|s| used.contains(&s.id))
            .collect();
        Ok((table, years, sources))
    }

    /// The computed list of an area with default weights. Public: it is made of published data
    /// and aggregated employer needs.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for an unknown area; a store error.
    ///
    /// While the data version stays, every call for the same area hands out the same shared
    /// list (the same `Arc`), so a caller may keep what it derives from it — a serialised
    /// answer, a rendered table — for as long as [`Arc::ptr_eq`] holds.
    pub async fn shortage_list(&self, actor: &Actor, area_key: &str) -> Result<Arc<ShortageList>> {
        self.authorize(actor, Action::ViewReferenceData).await?;
        self.compute_list(area_key, Weights::default(), &[]).await
    }

    async fn compute_list(
        &self,
        area_key: &str,
        weights: Weights,
        overrides: &[PriorityOverride],
    ) -> Result<Arc<ShortageList>> {
        let area = self.resolve_area(area_key).await?;
        let scored = self.scored_list(area, weights).await?;
        if overrides.is_empty() {
            return Ok(scored);
        }
        let mut list = ShortageList::clone(&scored);
        let by_code: HashMap<&str, &PriorityOverride> = overrides
            .iter()
            .map(|o| (o.ssyk_code.as_str(), o))
            .collect();
        for row in &mut list.rows {
            let Some(o) = by_code.get(row.ssyk_code.as_str()) else {
                continue;
            };
            if let Some(band) = o.band.as_deref().and_then(SeqfBand::parse) {
                row.band = band;
            }
            if let Some(light) = o.light.as_deref().and_then(Light::parse) {
                row.light = light;
            }
            row.override_ = Some((*o).clone());
        }
        sort_rows(&mut list.rows);
        Ok(Arc::new(list))
    }

    /// The scored list of an area before any analyst's override: from the cache while the
    /// data version and the day are the same, computed and cached otherwise. The version is
    /// read before the inputs, so a list computed from newer data than its version is only
    /// recomputed once more, never kept stale.
    async fn scored_list(&self, area: AreaInfo, weights: Weights) -> Result<Arc<ShortageList>> {
        let version = self.store.data_version().await?;
        let today = crate::catalogue::today_in_sweden();
        // The whole area is in the key (its name too, which may change without the version
        // moving), so a hit can be handed out as it is.
        let key = format!("{today}|{weights:?}|{area:?}");
        if let Some(list) = self.lists.get(version, &key) {
            return Ok(list);
        }
        let (table, ad_years, sources) = self.signal_table(&area).await?;
        let names: HashMap<String, String> = self
            .store
            .list_occupation_groups_at_level(4)
            .await?
            .into_iter()
            .map(|g| (g.code, g.name))
            .collect();
        let rows = table.area_rows(
            area.kommuner.iter().map(String::as_str),
            &area.forecast_area,
        );
        let inputs: Vec<ScoreInputs> = rows.iter().map(|r| r.inputs.clone()).collect();
        let scores = score_area(&inputs, &weights);
        let mut out: Vec<ShortageRow> = rows
            .into_iter()
            .zip(scores)
            .map(|(r, score)| {
                let band = SeqfBand::for_ssyk(&r.ssyk_code);
                ShortageRow {
                    occupation_name: names.get(&r.ssyk_code).cloned().unwrap_or_default(),
                    field_name: fields().get(&r.ssyk_code).cloned().unwrap_or_default(),
                    band,
                    computed_band: band,
                    light: score.light,
                    score,
                    inputs: r.inputs,
                    forecast_area: r.forecast_area,
                    override_: None,
                    ssyk_code: r.ssyk_code,
                }
            })
            .collect();
        sort_rows(&mut out);
        let list = ShortageList {
            area,
            weights,
            ads_year: ad_years.latest.as_ref().map(|y| y.year.clone()),
            ads_partial: ad_years.partial,
            rows: out,
            sources,
        };
        let list = Arc::new(list);
        self.lists.put(version, key, Arc::clone(&list));
        Ok(list)
    }

    /// Every input behind one occupation's score in one area, with sources. With a list, its
    /// area, weights and override apply (and its organisation's members may see it);
    /// `area_key` is then not used.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when the area is unknown or the occupation has no signals there.
    pub async fn explain(
        &self,
        actor: &Actor,
        area_key: &str,
        ssyk_code: &str,
        list_id: Option<i64>,
    ) -> Result<Explanation> {
        let list = match list_id {
            Some(id) => Some(self.priority_list(actor, id).await?),
            None => {
                self.authorize(actor, Action::ViewReferenceData).await?;
                None
            }
        };
        let computed = match list {
            Some(v) => Arc::new(v.computed),
            None => self.compute_list(area_key, Weights::default(), &[]).await?,
        };
        let row = computed
            .rows
            .iter()
            .find(|r| r.ssyk_code == ssyk_code)
            .cloned()
            .ok_or(AppError::NotFound)?;
        let kommuner: HashSet<&str> = computed.area.kommuner.iter().map(String::as_str).collect();
        let used: HashSet<i64> = computed.sources.iter().map(|s| s.id).collect();
        let mut by_period: HashMap<String, i64> = HashMap::new();
        for (source, kommun, period, ads) in self.store.ad_periods_for(ssyk_code).await? {
            if used.contains(&source) && kommuner.contains(kommun.as_str()) {
                *by_period.entry(period).or_default() += ads;
            }
        }
        let mut ads_by_period: Vec<(String, i64)> = by_period.into_iter().collect();
        ads_by_period.sort();
        // The explanation is public; a report's free-text comment is for its own organisation
        // and the analysts whose areas cover its kommun only.
        let analyst_scope = if actor.may(Action::AnalyseSignals) {
            Some(self.analyst_kommuner(actor).await?)
        } else {
            None
        };
        let need_reports = self
            .store
            .need_reports_for(ssyk_code)
            .await?
            .into_iter()
            .filter(|n| kommuner.contains(n.kommun_code.as_str()))
            .map(|mut n| {
                let analyst = match &analyst_scope {
                    Some(None) => true,
                    Some(Some(scope)) => scope.contains(&n.kommun_code),
                    None => false,
                };
                if !analyst && !actor.is_member_of(n.organisation_id) {
                    n.comment.clear();
                }
                n
            })
            .collect();
        Ok(Explanation {
            area: computed.area.clone(),
            weights: computed.weights,
            ads_year: computed.ads_year.clone(),
            sources: computed.sources.clone(),
            row,
            ads_by_period,
            need_reports,
        })
    }

    /// Starts an organisation's list for an area and year, with default weights.
    ///
    /// # Errors
    /// [`AppError::Validation`], [`AppError::Conflict`] (`list_exists`), or a refusal.
    pub async fn create_priority_list(
        &self,
        actor: &Actor,
        organisation_id: i64,
        form: &NewListForm,
    ) -> Result<PriorityList> {
        self.authorize(actor, Action::ManagePriorityLists(organisation_id))
            .await?;
        let mut checks = Checks::new();
        let area = match self.resolve_area(form.area.trim()).await {
            Ok(a) => Some(a),
            Err(AppError::NotFound) => {
                checks.fail("area", "field.area_unknown");
                None
            }
            Err(e) => return Err(e),
        };
        let this_year = now().year() as i64;
        let year = checks.check(
            "year",
            "field.year",
            form.year
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|y| (2000..=this_year + 5).contains(y))
                .ok_or(()),
        );
        let title = form.title.trim();
        if title.chars().count() > 200 {
            checks.fail("title", "field.too_long");
        }
        checks.finish()?;
        let (Some(area), Some(year)) = (area, year) else {
            return Err(AppError::bug("checked above"));
        };
        let title = if title.is_empty() {
            // Län names carry their own form ("Gävleborgs län", "Skåne län").
            let place = if area.kind == "riket" {
                "Sverige"
            } else {
                area.name.as_str()
            };
            format!("Prioriterade bristyrken i {place} {year}")
        } else {
            title.to_string()
        };
        let weights = serde_json::to_string(&Weights::default())
            .map_err(|e| AppError::internal("create priority list", e))?;
        let audit = AuditRecord::new(actor.user_id, "priority_list.create", "")
            .in_organisation(organisation_id)
            .with_detail(&title);
        let id = self
            .store
            .create_priority_list(
                organisation_id,
                &area.key,
                year,
                &title,
                &weights,
                now(),
                &audit,
            )
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => AppError::Conflict {
                    code: "list_exists",
                    message_key: "error.list_exists",
                },
                other => other.into(),
            })?;
        Ok(self.store.get_priority_list(id).await?)
    }

    /// An organisation's working list with its computed rows, overrides and published versions.
    ///
    /// # Errors
    /// [`AppError::NotFound`] or a refusal.
    pub async fn priority_list(&self, actor: &Actor, id: i64) -> Result<PriorityListView> {
        let list = self.store.get_priority_list(id).await.map_err(not_found)?;
        self.authorize(actor, Action::ViewPriorityLists(list.organisation_id))
            .await?;
        let weights: Weights = serde_json::from_str(&list.weights).unwrap_or_default();
        let overrides = self.store.priority_overrides(id).await?;
        let computed = Arc::unwrap_or_clone(
            self.compute_list(&list.area_key, weights, &overrides)
                .await?,
        );
        let published = self.store.list_published(Some(id)).await?;
        Ok(PriorityListView {
            list,
            weights,
            computed,
            published,
        })
    }

    /// An organisation's working lists.
    ///
    /// # Errors
    /// A refusal or a store error.
    pub async fn priority_lists(
        &self,
        actor: &Actor,
        organisation_id: i64,
    ) -> Result<Vec<PriorityList>> {
        self.authorize(actor, Action::ViewPriorityLists(organisation_id))
            .await?;
        Ok(self
            .store
            .list_priority_lists(Some(organisation_id))
            .await?)
    }

    /// Changes a list's title and weights.
    ///
    /// # Errors
    /// [`AppError::Validation`] naming each weight out of range, or a refusal.
    pub async fn update_priority_list(
        &self,
        actor: &Actor,
        id: i64,
        title: &str,
        weights: &Weights,
    ) -> Result<()> {
        let list = self.store.get_priority_list(id).await.map_err(not_found)?;
        self.authorize(actor, Action::ManagePriorityLists(list.organisation_id))
            .await?;
        let mut checks = Checks::new();
        for field in weights.invalid_fields() {
            checks.fail(field, "field.weight");
        }
        let title = title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            checks.fail("title", "field.required");
        }
        checks.finish()?;
        let json = serde_json::to_string(weights)
            .map_err(|e| AppError::internal("update priority list", e))?;
        let audit = AuditRecord::new(
            actor.user_id,
            "priority_list.update",
            format!("priority_list:{id}"),
        )
        .in_organisation(list.organisation_id)
        .with_detail(&json);
        Ok(self
            .store
            .update_priority_list(id, title, &json, now(), &audit)
            .await?)
    }

    /// Overrides one occupation's light and/or band on a list, with a written reason; an empty
    /// light and band removes the override.
    ///
    /// # Errors
    /// [`AppError::Validation`] (no reason, unknown light, band or occupation), or a refusal.
    pub async fn set_priority_override(
        &self,
        actor: &Actor,
        list_id: i64,
        form: &OverrideForm,
    ) -> Result<()> {
        let list = self
            .store
            .get_priority_list(list_id)
            .await
            .map_err(not_found)?;
        self.authorize(actor, Action::ManagePriorityLists(list.organisation_id))
            .await?;
        let mut checks = Checks::new();
        // "5321" or "5321 Undersköterskor, hemtjänst …" as the search field fills it in.
        let code: String = form
            .ssyk_code
            .trim()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let code = code.as_str();
        if self.store.get_occupation_group(code).await.is_err() || code.len() != 4 {
            checks.fail("ssyk_code", "field.ssyk_unknown");
        }
        let light = match form.light.trim() {
            "" => None,
            l => checks.check("light", "field.light", Light::parse(l).ok_or(())),
        };
        let band = match form.band.trim() {
            "" => None,
            b => checks.check("band", "field.band", SeqfBand::parse(b).ok_or(())),
        };
        let reason = form.reason.trim();
        let removing = light.is_none() && band.is_none();
        if !removing && reason.is_empty() {
            checks.fail("reason", "field.reason_required");
        }
        if reason.chars().count() > 2000 {
            checks.fail("reason", "field.too_long");
        }
        checks.finish()?;
        let detail = format!(
            "{code}: {} {} {reason}",
            light.map_or("-", Light::as_str),
            band.map_or("-", SeqfBand::as_str)
        );
        let audit = AuditRecord::new(
            actor.user_id,
            "priority_list.override",
            format!("priority_list:{list_id}"),
        )
        .in_organisation(list.organisation_id)
        .with_detail(detail);
        let value =
            (!removing).then(|| (light.map(Light::as_str), band.map(SeqfBand::as_str), reason));
        Ok(self
            .store
            .set_priority_override(list_id, code, value, actor.user_id, now(), &audit)
            .await?)
    }

    /// Publishes the list as it is now: red and yellow occupations, grouped by SeQF band and
    /// occupation field. Each publication is a new version; earlier versions stay as they were.
    ///
    /// # Errors
    /// A refusal, or a store error (nothing is published).
    pub async fn publish_priority_list(&self, actor: &Actor, list_id: i64) -> Result<i64> {
        let view = self.priority_list(actor, list_id).await?;
        self.authorize(
            actor,
            Action::ManagePriorityLists(view.list.organisation_id),
        )
        .await?;
        let mut rows: Vec<&ShortageRow> = view
            .computed
            .rows
            .iter()
            .filter(|r| r.light != Light::Green)
            .collect();
        rows.sort_by(|a, b| {
            a.band
                .cmp(&b.band)
                .then_with(|| compare_swedish(&a.field_name, &b.field_name))
                .then(a.light.cmp(&b.light))
                .then(b.score.score.total_cmp(&a.score.score))
        });
        let entries: Vec<PublishedEntry> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| PublishedEntry {
                position: i as i64 + 1,
                ssyk_code: r.ssyk_code.clone(),
                occupation_name: r.occupation_name.clone(),
                field_name: r.field_name.clone(),
                band: r.band.as_str().into(),
                light: r.light.as_str().into(),
                computed_light: r.score.light.as_str().into(),
                score: r.score.score,
                reason: r.override_.as_ref().map(|o| o.reason.clone()),
            })
            .collect();
        let sources = view
            .computed
            .sources
            .iter()
            .map(|s| format!("{} ({}, {})", s.name, s.publisher, s.period))
            .chain([
                format!("Kompetensbehov anmälda i Lärnav de senaste {NEED_MONTHS} månaderna"),
                format!(
                    "Utbildningstillfällen i Lärnavs katalog, avslutade deltagare det senaste \
                     året och deras svar på uppföljningen de senaste {OUTCOME_MONTHS} månaderna"
                ),
            ])
            .collect::<Vec<_>>()
            .join("; ");
        let publication = NewPublication {
            title: view.list.title.clone(),
            area_name: view.computed.area.name.clone(),
            weights: view.list.weights.clone(),
            sources,
            published_by: actor.user_id,
        };
        let audit = AuditRecord::new(actor.user_id, "priority_list.publish", "")
            .in_organisation(view.list.organisation_id);
        Ok(self
            .store
            .publish_priority_list(&view.list, &publication, &entries, now(), &audit)
            .await?)
    }

    /// Every published list, newest first. Public.
    ///
    /// # Errors
    /// A store error.
    pub async fn published_lists(&self, actor: &Actor) -> Result<Vec<PublishedList>> {
        self.authorize(actor, Action::ViewReferenceData).await?;
        Ok(self.store.list_published(None).await?)
    }

    /// One published list and its entries. Public.
    ///
    /// # Errors
    /// [`AppError::NotFound`].
    pub async fn published_list(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(PublishedList, Vec<PublishedEntry>)> {
        self.authorize(actor, Action::ViewReferenceData).await?;
        self.store.get_published(id).await.map_err(not_found)
    }
}

impl App {
    /// Every published version of one working list, newest first. Public.
    ///
    /// # Errors
    /// A store error.
    pub async fn published_versions(
        &self,
        actor: &Actor,
        list_id: i64,
    ) -> Result<Vec<PublishedList>> {
        self.authorize(actor, Action::ViewReferenceData).await?;
        Ok(self.store.list_published(Some(list_id)).await?)
    }
}

/// Red before yellow before green (the enum's order), then by score, then by code.
fn sort_rows(rows: &mut [ShortageRow]) {
    rows.sort_by(|a, b| {
        a.light
            .cmp(&b.light)
            .then(b.score.score.total_cmp(&a.score.score))
            .then_with(|| a.ssyk_code.cmp(&b.ssyk_code))
    });
}

/// Scored lists of this instance, valid for one data version (see [`larnav_store::Store::data_version`]):
/// a change to any input anywhere — on this instance or another — bumps the version in the
/// database, and the next request finds the cache stale and empties it.
#[derive(Debug, Default)]
pub(crate) struct ListCache(Mutex<(i64, HashMap<String, Arc<ShortageList>>)>);

/// Enough for every län, the country and a region's own areas under a few weightings.
const LIST_CACHE_ENTRIES: usize = 256;

impl ListCache {
    fn get(&self, version: i64, key: &str) -> Option<Arc<ShortageList>> {
        let mut guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        // Versions only grow: a newer one empties the cache; a request that read an older
        // one (it overlapped a change) neither uses nor empties it.
        if guard.0 < version {
            *guard = (version, HashMap::new());
        }
        if guard.0 != version {
            return None;
        }
        guard.1.get(key).cloned()
    }

    fn put(&self, version: i64, key: String, list: Arc<ShortageList>) {
        let mut guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        // A list computed from an older version than the cache now holds is not kept.
        if guard.0 == version {
            if guard.1.len() >= LIST_CACHE_ENTRIES {
                guard.1.clear();
            }
            guard.1.insert(key, list);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> Arc<ShortageList> {
        Arc::new(ShortageList {
            area: AreaInfo {
                key: "21".into(),
                name: "Gävleborgs län".into(),
                kind: "lan",
                kommuner: vec!["2180".into()],
                forecast_area: "21".into(),
                organisation_id: None,
            },
            weights: Weights::default(),
            ads_year: None,
            ads_partial: Vec::new(),
            rows: Vec::new(),
            sources: Vec::new(),
        })
    }

    #[test]
    fn the_list_cache_holds_one_data_version_and_only_a_newer_one_empties_it() {
        let cache = ListCache::default();
        cache.put(0, "21".into(), list());
        assert!(cache.get(5, "21").is_none(), "version 0 is gone");
        cache.put(5, "21".into(), list());
        assert!(cache.get(5, "21").is_some());
        // A request that read version 4 before a change: no hit, and nothing is lost.
        assert!(cache.get(4, "21").is_none());
        cache.put(4, "SE".into(), list());
        assert!(cache.get(5, "21").is_some());
        assert!(
            cache.get(5, "SE").is_none(),
            "a list of an older version is not kept"
        );
        assert!(cache.get(6, "21").is_none());
        assert!(cache.get(5, "21").is_none(), "version 6 emptied it");
    }
}
