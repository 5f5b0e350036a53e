//! Demand signals (Semaforen): importing the labour-market figures and reading them per
//! occupation, always with their sources.

use std::collections::{HashMap, HashSet};

use larnav_domain::signals::RIKET;
use larnav_domain::text::compare_swedish;
use larnav_domain::{Action, Actor};
use larnav_ingest::signals::{read_ad_counts_2024, read_forecasts};
use larnav_store::{
    AdsByArea, AuditRecord, ForecastRecord, NewAdCount, NewForecast, NewSignalSource,
    NewSupplyPlace, SignalSource,
};
use serde::Serialize;

use crate::{App, AppError, Result, now};

/// What an import did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignalImport {
    pub forecasts: usize,
    pub ad_counts: usize,
    /// Education places from the YH round (rows per education and kommun).
    pub supply_rows: usize,
    /// What the files contained that could not be used, each with the reason.
    pub skipped: Vec<String>,
}

/// Everything Lärnav knows about the demand for one occupation group.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OccupationSignals {
    /// Riket first, then the län in Swedish order.
    pub forecasts: Vec<ForecastRecord>,
    /// Riket first, then the län in Swedish order.
    pub ads: Vec<AdsByArea>,
    /// The sources the figures above come from.
    pub sources: Vec<SignalSource>,
}

/// The edition of the vendored Yrkesbarometer: the file carries no date; its companion file in
/// the same source is named for 2025 (see `data/signals/SOURCES.md`).
const BAROMETER_PERIOD: &str = "2025";

fn riket_first<T>(items: &mut [T], code: impl Fn(&T) -> &str, name: impl Fn(&T) -> &str) {
    items.sort_by(|a, b| {
        (code(a) != RIKET)
            .cmp(&(code(b) != RIKET))
            .then_with(|| compare_swedish(name(a), name(b)))
    });
}

impl App {
    /// Imports the labour-market figures shipped with Lärnav: Yrkesbarometer forecasts mapped
    /// to SSYK-4 and the job ads published in 2024 per SSYK-4 × kommun. Each replaces the
    /// earlier import of its period in one transaction.
    ///
    /// # Errors
    /// A refusal, or [`AppError::Internal`] naming the file and value that could not be read.
    pub async fn import_signals(&self, actor: &Actor) -> Result<SignalImport> {
        self.authorize(actor, Action::ImportSignals).await?;
        let lan: HashMap<String, String> = self
            .store
            .list_lan()
            .await?
            .into_iter()
            .map(|l| (l.jobtech_id, l.code))
            .collect();
        let kommuner: HashMap<String, String> = self
            .store
            .list_kommuner(None)
            .await?
            .into_iter()
            .map(|k| (k.jobtech_id, k.code))
            .collect();
        let groups = self.store.list_occupation_groups_at_level(4).await?;
        let known: HashSet<String> = groups.iter().map(|g| g.code.clone()).collect();
        let ssyk: HashMap<String, String> =
            groups.into_iter().map(|g| (g.jobtech_id, g.code)).collect();
        let bad = |e: larnav_ingest::IngestError| AppError::internal("signal data", e);
        let forecasts = read_forecasts(&lan, &known).map_err(bad)?;
        let ads = read_ad_counts_2024(&ssyk, &kommuner).map_err(bad)?;

        let forecast_rows: Vec<NewForecast> = forecasts
            .rows
            .iter()
            .map(|r| NewForecast {
                barometer_id: r.barometer_id.clone(),
                barometer_name: r.barometer_name.clone(),
                ssyk_code: r.ssyk_code.clone(),
                area_code: r.area_code.clone(),
                job_chances: r.job_chances.as_str().into(),
                outlook: r.outlook.as_str().into(),
            })
            .collect();
        let ad_rows: Vec<NewAdCount> = ads
            .rows
            .iter()
            .map(|r| NewAdCount {
                ssyk_code: r.ssyk_code.clone(),
                kommun_code: r.kommun_code.clone(),
                period: "2024".into(),
                ads: r.ads,
            })
            .collect();
        let audit = AuditRecord::new(actor.user_id, "signals.import", "");
        let source = |kind: &str, name: &str, period: &str| NewSignalSource {
            kind: kind.into(),
            name: name.into(),
            publisher: "Arbetsförmedlingen".into(),
            period: period.into(),
            imported_by: actor.user_id,
        };
        self.store
            .replace_forecasts(
                &source("forecast", "Yrkesbarometer", BAROMETER_PERIOD),
                &forecast_rows,
                now(),
                &audit,
            )
            .await?;
        self.store
            .replace_ad_counts(
                &source("ads", "Platsannonser per yrkesgrupp och kommun", "2024"),
                &ad_rows,
                now(),
                &audit,
            )
            .await?;
        let supply_rows = self.import_yh_round(actor).await?;
        let mut skipped = forecasts.skipped;
        skipped.extend(ads.skipped);
        tracing::info!(
            forecasts = forecast_rows.len(),
            ad_counts = ad_rows.len(),
            skipped = skipped.len(),
            "signals imported"
        );
        Ok(SignalImport {
            forecasts: forecast_rows.len(),
            ad_counts: ad_rows.len(),
            supply_rows,
            skipped,
        })
    }

    /// Imports the 2024 YH round as education supply, suggesting an occupation for each
    /// education; links analysts confirmed earlier are kept.
    async fn import_yh_round(&self, actor: &Actor) -> Result<usize> {
        let kommuner: HashMap<String, String> = self
            .store
            .list_kommuner(None)
            .await?
            .into_iter()
            .map(|k| (k.name, k.code))
            .collect();
        let rows = larnav_ingest::supply::read_yh_round(&kommuner)
            .map_err(|e| AppError::internal("supply data", e))?;
        let matcher =
            larnav_domain::semaforen::OccupationMatcher::new(&self.occupation_names().await?);
        let mut suggestions: HashMap<String, Option<(String, i64)>> = HashMap::new();
        let rows: Vec<NewSupplyPlace> = rows
            .into_iter()
            .map(|r| {
                let suggested = suggestions
                    .entry(r.education_name.clone())
                    .or_insert_with(|| {
                        matcher
                            .suggest(&r.education_name)
                            .map(|s| (s.code.to_string(), i64::from(s.confidence)))
                    })
                    .clone();
                NewSupplyPlace {
                    reference: r.reference,
                    education_name: r.education_name,
                    provider: r.provider,
                    sun_code: r.sun_code,
                    seqf_level: r.seqf_level,
                    kommun_code: r.kommun_code,
                    applied_places: r.applied_places,
                    granted_places: r.granted_places,
                    places: r.places,
                    suggestion_confidence: suggested.as_ref().map(|s| s.1),
                    suggested_ssyk: suggested.map(|s| s.0),
                }
            })
            .collect();
        let source = NewSignalSource {
            kind: "supply".into(),
            name: "Yrkeshögskolans ansökningsomgång".into(),
            publisher: "Myndigheten för yrkeshögskolan".into(),
            period: "2024".into(),
            imported_by: actor.user_id,
        };
        let audit = AuditRecord::new(actor.user_id, "signals.import", "");
        self.store
            .replace_supply(&source, &rows, now(), &audit)
            .await?;
        Ok(rows.len())
    }

    /// (SSYK-4 code, name) of every group and occupation name.
    pub(crate) async fn occupation_names(&self) -> Result<Vec<(String, String)>> {
        Ok(self
            .store
            .list_occupation_groups_at_level(4)
            .await?
            .into_iter()
            .map(|g| (g.code, g.name))
            .chain(
                self.store
                    .all_occupation_names()
                    .await?
                    .into_iter()
                    .map(|n| (n.group_code, n.name)),
            )
            .collect())
    }

    /// The imported sources, newest first.
    ///
    /// # Errors
    /// A store error.
    pub async fn signal_sources(&self, actor: &Actor) -> Result<Vec<SignalSource>> {
        self.authorize(actor, Action::ViewReferenceData).await?;
        Ok(self.store.list_signal_sources().await?)
    }

    /// The forecasts and ad counts for one SSYK-4 group, with their sources. Public: the
    /// figures are published data.
    ///
    /// # Errors
    /// A store error.
    pub async fn occupation_signals(
        &self,
        actor: &Actor,
        ssyk_code: &str,
    ) -> Result<OccupationSignals> {
        self.authorize(actor, Action::ViewReferenceData).await?;
        let mut forecasts = self.store.forecasts_for(ssyk_code).await?;
        riket_first(&mut forecasts, |f| &f.area_code, |f| &f.area_name);
        let mut ads = self.store.ads_by_area_for(ssyk_code).await?;
        riket_first(&mut ads, |a| &a.area_code, |a| &a.area_name);
        let used: HashSet<i64> = forecasts
            .iter()
            .map(|f| f.source_id)
            .chain(ads.iter().map(|a| a.source_id))
            .collect();
        let sources = self
            .store
            .list_signal_sources()
            .await?
            .into_iter()
            .filter(|s| used.contains(&s.id))
            .collect();
        Ok(OccupationSignals {
            forecasts,
            ads,
            sources,
        })
    }

    /// Whether any signals have been imported (the demo imports them once).
    ///
    /// # Errors
    /// A store error.
    pub async fn has_signals(&self) -> Result<bool> {
        Ok(!self.store.list_signal_sources().await?.is_empty())
    }
}
