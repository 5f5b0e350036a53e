//! The network's shared knowledge: learning-centre profiles (services, opening hours, contact,
//! themes, the key figures a centre chooses to show; listed by län with filters) and the
//! registry of proven working models (owner, themes, start year, description, results and
//! evidence, links and documents), with the organisations that adopted each model, when and how
//! it went. The registry is searched with the catalogue's Swedish search
//! ([`larnav_search::TextIndex`]), rebuilt in memory whenever the registry changed.
//!
//! Profiles and models are public: the network grows by copying what works elsewhere. Each is
//! changed by the coordinators and administrators of the organisation it belongs to
//! (`ManageNetwork`), checked here before anything else.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate, NaiveTime};
use larnav_domain::network::CentreService;
use larnav_domain::text::fold;
use larnav_domain::{Action, Actor, Email};
use larnav_search::{Segment, TextDoc, TextIndex};
use larnav_store::{
    Adoption, AdoptionFields, AuditRecord, CentreProfileFields, CentreProfileRow, DocumentOwner,
    NetworkDocument, NetworkTheme, StoreError, StoredFile, WorkingModelFields, WorkingModelRow,
};
use serde::{Deserialize, Serialize};

use crate::accounts::not_found;
use crate::catalogue::today_in_sweden;
use crate::error::Checks;
use crate::{App, AppError, Result, now};

/// The week as profiles show it, Monday first: the field names of each day's hours.
pub const DAYS: [&str; 7] = [
    "hours_mon",
    "hours_tue",
    "hours_wed",
    "hours_thu",
    "hours_fri",
    "hours_sat",
    "hours_sun",
];

/// Key figures a profile shows at most.
pub const MAX_KEY_FIGURES: usize = 6;

/// Links a working model lists at most.
pub const MAX_LINKS: usize = 8;

/// How far an adoption got.
pub const ADOPTION_STATUSES: [&str; 3] = ["trying", "established", "ended"];

/// Hits a registry search returns at most.
const MAX_HITS: usize = 500;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProfileForm {
    pub description: String,
    /// Service keys (`study_places`, `exam_invigilation`, `study_guidance`, `video_rooms`,
    /// `evening_access`).
    pub services: Vec<String>,
    /// Seven opening times `HH:MM`, Monday first; blank (with a blank closing time) = closed.
    pub opens: Vec<String>,
    pub closes: Vec<String>,
    /// Anything the times do not say ("Kvällsöppet med passerkort till 22").
    pub hours_note: String,
    pub address: String,
    pub email: String,
    pub phone: String,
    /// https://…
    pub website: String,
    /// Theme ids.
    pub themes: Vec<String>,
    pub key_figures: Vec<KeyFigure>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct KeyFigure {
    pub label: String,
    pub value: String,
}

/// A day's opening hours (`day` 1 = Monday).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
pub struct OpeningHours {
    pub day: u8,
    pub opens: String,
    pub closes: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Link {
    pub title: String,
    pub url: String,
}

/// A learning-centre profile as shown and as the API returns it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CentreProfile {
    pub organisation_id: i64,
    pub organisation_name: String,
    pub kind: String,
    pub kommun_name: Option<String>,
    pub lan_code: Option<String>,
    pub lan_name: Option<String>,
    pub description: String,
    pub services: Vec<String>,
    /// Open days only.
    pub opening_hours: Vec<OpeningHours>,
    pub hours_note: String,
    pub address: String,
    pub email: String,
    pub phone: String,
    pub website: String,
    pub themes: Vec<NetworkTheme>,
    pub key_figures: Vec<KeyFigure>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// Filters of the profile list; empty values filter nothing.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct CentreFilter {
    /// Län code (`21`).
    pub lan: String,
    /// A service key.
    pub service: String,
    /// A theme id.
    pub theme: String,
}

/// Profiles of one län (or of organisations without a kommun, last).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LanCentres {
    pub lan_code: Option<String>,
    pub lan_name: Option<String>,
    pub centres: Vec<CentreProfile>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ModelForm {
    /// The owner organisation (when registering; a model keeps its owner).
    pub organisation_id: String,
    #[schema(required)]
    pub title: String,
    #[schema(required)]
    pub summary: String,
    #[schema(required)]
    pub description: String,
    /// Results and evidence: what changed, how it was measured.
    pub results: String,
    pub start_year: String,
    /// Theme ids.
    pub themes: Vec<String>,
    pub links: Vec<Link>,
}

/// A working model as shown and as the API returns it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WorkingModel {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub lan_code: Option<String>,
    pub lan_name: Option<String>,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub results: String,
    pub start_year: i64,
    pub themes: Vec<NetworkTheme>,
    pub links: Vec<Link>,
    pub adoptions: i64,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A registry search: words (the catalogue's Swedish search), a theme id, a län code.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ModelQuery {
    pub q: String,
    pub theme: String,
    pub lan: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ModelHit {
    pub model: WorkingModel,
    /// Title and summary split into segments, `hit` where the search matched.
    #[schema(value_type = Vec<Object>)]
    pub title: Vec<Segment>,
    #[schema(value_type = Vec<Object>)]
    pub summary: Vec<Segment>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ModelSearch {
    pub total: usize,
    pub hits: Vec<ModelHit>,
}

/// A model's page: the model, its adoption history and documents, and what the viewer may do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ModelView {
    pub model: WorkingModel,
    pub adoptions: Vec<Adoption>,
    pub documents: Vec<NetworkDocument>,
    /// The viewer manages the owner: may edit and upload.
    pub can_edit: bool,
    /// Organisations the viewer may record an adoption for (the owner excluded).
    pub adopters: Vec<(i64, String)>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AdoptionForm {
    /// The organisation that adopted the model.
    pub organisation_id: String,
    /// The month it was taken up, `YYYY-MM`.
    pub adopted_on: String,
    /// trying, established or ended.
    pub status: String,
    /// How it went.
    pub experience: String,
}

pub(crate) fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| AppError::internal("json", e))
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned + Default>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_default()
}

/// An address people may follow: http(s), no spaces, not absurdly long.
pub(crate) fn web_address_ok(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > "https://".len()
        && url.len() <= 2000
        && !url.chars().any(char::is_whitespace)
}

/// Theme ids from a form: each must be a known theme; duplicates dropped.
fn checked_themes(
    checks: &mut Checks,
    values: &[String],
    known: &[NetworkTheme],
    required: bool,
) -> Vec<i64> {
    let mut themes = Vec::new();
    for v in values.iter().filter(|v| !v.trim().is_empty()) {
        match v.trim().parse::<i64>() {
            Ok(id) if known.iter().any(|t| t.id == id) => {
                if !themes.contains(&id) {
                    themes.push(id);
                }
            }
            _ => checks.fail("themes", "field.choice_invalid"),
        }
    }
    if required && themes.is_empty() {
        checks.fail("themes", "registry.themes_choose");
    }
    themes
}

fn themes_of(ids: &str, known: &[NetworkTheme]) -> Vec<NetworkTheme> {
    let ids: Vec<i64> = from_json(ids);
    known
        .iter()
        .filter(|t| ids.contains(&t.id))
        .cloned()
        .collect()
}

pub(crate) fn too_long(checks: &mut Checks, field: &'static str, text: &str, max: usize) {
    if text.chars().count() > max {
        checks.fail(field, "registry.text_too_long");
    }
}

fn profile_of(row: CentreProfileRow, known: &[NetworkTheme]) -> CentreProfile {
    CentreProfile {
        themes: themes_of(&row.themes, known),
        services: from_json(&row.services),
        opening_hours: from_json(&row.opening_hours),
        key_figures: from_json(&row.key_figures),
        organisation_id: row.organisation_id,
        organisation_name: row.organisation_name,
        kind: row.kind,
        kommun_name: row.kommun_name,
        lan_code: row.lan_code,
        lan_name: row.lan_name,
        description: row.description,
        hours_note: row.hours_note,
        address: row.address,
        email: row.email,
        phone: row.phone,
        website: row.website,
        updated_at: row.updated_at,
    }
}

fn model_of(row: WorkingModelRow, known: &[NetworkTheme]) -> WorkingModel {
    WorkingModel {
        themes: themes_of(&row.themes, known),
        links: from_json(&row.links),
        id: row.id,
        organisation_id: row.organisation_id,
        organisation_name: row.organisation_name,
        lan_code: row.lan_code,
        lan_name: row.lan_name,
        title: row.title,
        summary: row.summary,
        description: row.description,
        results: row.results,
        start_year: row.start_year,
        adoptions: row.adoptions,
        updated_at: row.updated_at,
    }
}

/// Checks a day's opening and closing times; `None` for a closed day.
fn checked_hours(
    checks: &mut Checks,
    day: usize,
    opens: &str,
    closes: &str,
) -> Option<OpeningHours> {
    let field = DAYS[day];
    let (opens, closes) = (opens.trim(), closes.trim());
    if opens.is_empty() && closes.is_empty() {
        return None;
    }
    let time = |t: &str| NaiveTime::parse_from_str(t, "%H:%M").ok();
    match (time(opens), time(closes)) {
        (Some(o), Some(c)) if c > o => Some(OpeningHours {
            day: day as u8 + 1,
            opens: o.format("%H:%M").to_string(),
            closes: c.format("%H:%M").to_string(),
        }),
        (Some(_), Some(_)) => {
            checks.fail(field, "registry.closes_before_opens");
            None
        }
        _ => {
            checks.fail(field, "registry.hours_invalid");
            None
        }
    }
}

impl App {
    async fn managed_organisation(&self, actor: &Actor, value: &str) -> Result<i64> {
        let org = value
            .trim()
            .parse::<i64>()
            .map_err(|_| AppError::invalid("organisation_id", "field.choice_invalid"))?;
        self.authorize(actor, Action::ManageNetwork(org)).await?;
        Ok(org)
    }

    /// Profiles by län (Swedish order of län names; organisations without a kommun last),
    /// filtered by län, service and theme. Public.
    ///
    /// # Errors
    /// A storage failure.
    pub async fn centre_profiles(&self, filter: &CentreFilter) -> Result<Vec<LanCentres>> {
        let known = self.store.themes().await?;
        let theme = filter.theme.trim().parse::<i64>().ok();
        let mut groups: Vec<LanCentres> = Vec::new();
        for row in self.store.centre_profiles().await? {
            let p = profile_of(row, &known);
            let wanted = (filter.lan.is_empty() || p.lan_code.as_deref() == Some(&filter.lan))
                && (filter.service.is_empty() || p.services.contains(&filter.service))
                && theme.is_none_or(|t| p.themes.iter().any(|x| x.id == t));
            if !wanted {
                continue;
            }
            match groups.iter_mut().find(|g| g.lan_code == p.lan_code) {
                Some(g) => g.centres.push(p),
                None => groups.push(LanCentres {
                    lan_code: p.lan_code.clone(),
                    lan_name: p.lan_name.clone(),
                    centres: vec![p],
                }),
            }
        }
        groups.sort_by_cached_key(|g| {
            (
                g.lan_name.is_none(),
                g.lan_name
                    .as_deref()
                    .map(larnav_domain::text::swedish_sort_key)
                    .unwrap_or_default(),
            )
        });
        Ok(groups)
    }

    /// One organisation's profile. Public.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when it has none.
    pub async fn centre_profile(&self, organisation_id: i64) -> Result<CentreProfile> {
        let row = self
            .store
            .centre_profile(organisation_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(profile_of(row, &self.store.themes().await?))
    }

    /// Creates or replaces the profile of `organisation_id`.
    ///
    /// # Errors
    /// [`AppError::Validation`] with every problem, a refusal.
    pub async fn save_centre_profile(
        &self,
        actor: &Actor,
        organisation_id: i64,
        form: &ProfileForm,
    ) -> Result<()> {
        self.authorize(actor, Action::ManageNetwork(organisation_id))
            .await?;
        // A platform admin may act on any id: an unknown organisation is 404, not a 500.
        self.store
            .get_organisation(organisation_id)
            .await
            .map_err(crate::accounts::not_found)?;
        let known = self.store.themes().await?;
        let mut checks = Checks::new();
        too_long(&mut checks, "description", form.description.trim(), 4000);
        let mut services = Vec::new();
        for s in &form.services {
            match CentreService::parse(s.trim()) {
                Some(s) if !services.contains(&s.as_str()) => services.push(s.as_str()),
                Some(_) => {}
                None => checks.fail("services", "field.choice_invalid"),
            }
        }
        let hours: Vec<OpeningHours> = (0..DAYS.len())
            .filter_map(|d| {
                let at = |v: &[String]| v.get(d).cloned().unwrap_or_default();
                checked_hours(&mut checks, d, &at(&form.opens), &at(&form.closes))
            })
            .collect();
        too_long(&mut checks, "hours_note", form.hours_note.trim(), 500);
        too_long(&mut checks, "address", form.address.trim(), 300);
        let email = form.email.trim();
        if !email.is_empty() && Email::parse(email).is_err() {
            checks.fail("email", "field.email_invalid");
        }
        too_long(&mut checks, "phone", form.phone.trim(), 40);
        let website = form.website.trim();
        if !website.is_empty() && !web_address_ok(website) {
            checks.fail("website", "mentorship.url_invalid");
        }
        let themes = checked_themes(&mut checks, &form.themes, &known, false);
        let figures: Vec<KeyFigure> = form
            .key_figures
            .iter()
            .map(|f| KeyFigure {
                label: f.label.trim().to_string(),
                value: f.value.trim().to_string(),
            })
            .filter(|f| !(f.label.is_empty() && f.value.is_empty()))
            .collect();
        if figures.len() > MAX_KEY_FIGURES {
            checks.fail("key_figures", "registry.too_many_figures");
        }
        if figures.iter().any(|f| {
            f.label.is_empty()
                || f.value.is_empty()
                || f.label.chars().count() > 80
                || f.value.chars().count() > 40
        }) {
            checks.fail("key_figures", "registry.figure_invalid");
        }
        checks.finish()?;
        let fields = CentreProfileFields {
            description: form.description.trim().to_string(),
            services: json(&services)?,
            opening_hours: json(&hours)?,
            hours_note: form.hours_note.trim().to_string(),
            address: form.address.trim().to_string(),
            email: email.to_string(),
            phone: form.phone.trim().to_string(),
            website: website.to_string(),
            themes: json(&themes)?,
            key_figures: json(&figures)?,
        };
        let audit = AuditRecord::new(
            actor.user_id,
            "centre_profile.save",
            format!("organisation:{organisation_id}"),
        )
        .in_organisation(organisation_id);
        Ok(self
            .store
            .save_centre_profile(organisation_id, &fields, actor.user_id, now(), &audit)
            .await?)
    }

    /// Checks a model form into the fields the store keeps.
    fn checked_model(
        &self,
        form: &ModelForm,
        known: &[NetworkTheme],
    ) -> Result<WorkingModelFields> {
        let mut checks = Checks::new();
        let title = form.title.split_whitespace().collect::<Vec<_>>().join(" ");
        if title.is_empty() {
            checks.fail("title", "field.required");
        }
        too_long(&mut checks, "title", &title, 200);
        let summary = form.summary.trim();
        if summary.is_empty() {
            checks.fail("summary", "field.required");
        }
        too_long(&mut checks, "summary", summary, 500);
        let description = form.description.trim();
        if description.is_empty() {
            checks.fail("description", "field.required");
        }
        too_long(&mut checks, "description", description, 20_000);
        too_long(&mut checks, "results", form.results.trim(), 20_000);
        let this_year = i64::from(today_in_sweden().year());
        let start_year = match form.start_year.trim().parse::<i64>() {
            Ok(y) if (1900..=this_year).contains(&y) => y,
            Ok(y) if y > this_year => {
                checks.fail("start_year", "registry.year_in_future");
                0
            }
            _ => {
                checks.fail("start_year", "registry.year_invalid");
                0
            }
        };
        let themes = checked_themes(&mut checks, &form.themes, known, true);
        let links: Vec<Link> = form
            .links
            .iter()
            .filter(|l| !(l.title.trim().is_empty() && l.url.trim().is_empty()))
            .map(|l| Link {
                title: l.title.trim().to_string(),
                url: l.url.trim().to_string(),
            })
            .collect();
        if links.len() > MAX_LINKS {
            checks.fail("links", "registry.too_many_links");
        }
        if links
            .iter()
            .any(|l| !web_address_ok(&l.url) || l.title.chars().count() > 200)
        {
            checks.fail("links", "mentorship.url_invalid");
        }
        checks.finish()?;
        let links: Vec<Link> = links
            .into_iter()
            .map(|l| Link {
                title: if l.title.is_empty() {
                    l.url.clone()
                } else {
                    l.title
                },
                url: l.url,
            })
            .collect();
        Ok(WorkingModelFields {
            title_fold: fold(&title),
            title,
            summary: summary.to_string(),
            description: description.to_string(),
            results: form.results.trim().to_string(),
            start_year,
            themes: json(&themes)?,
            links: json(&links)?,
        })
    }

    /// Registers a working model owned by `form.organisation_id`.
    ///
    /// # Errors
    /// [`AppError::Validation`], `model_exists` (the owner has one of that title), a refusal.
    pub async fn register_working_model(&self, actor: &Actor, form: &ModelForm) -> Result<i64> {
        let owner = self
            .managed_organisation(actor, &form.organisation_id)
            .await?;
        let known = self.store.themes().await?;
        let fields = self.checked_model(form, &known)?;
        let audit = AuditRecord::new(actor.user_id, "working_model.create", "")
            .in_organisation(owner)
            .with_detail(fields.title.clone());
        let id = self
            .store
            .create_working_model(owner, &fields, actor.user_id, now(), &audit)
            .await
            .map_err(model_exists)?;
        self.registry_index.clear();
        Ok(id)
    }

    /// Changes a model (its owner's coordinators and administrators).
    ///
    /// # Errors
    /// [`AppError::Validation`], `model_exists`, a refusal, [`AppError::NotFound`].
    pub async fn update_working_model(
        &self,
        actor: &Actor,
        id: i64,
        form: &ModelForm,
    ) -> Result<()> {
        let model = self.store.working_model(id).await.map_err(not_found)?;
        self.authorize(actor, Action::ManageNetwork(model.organisation_id))
            .await?;
        let known = self.store.themes().await?;
        let fields = self.checked_model(form, &known)?;
        let audit = AuditRecord::new(
            actor.user_id,
            "working_model.update",
            format!("working_model:{id}"),
        )
        .in_organisation(model.organisation_id)
        .with_detail(fields.title.clone());
        self.store
            .update_working_model(id, &fields, now(), &audit)
            .await
            .map_err(model_exists)?;
        self.registry_index.clear();
        Ok(())
    }

    /// One model with its adoption history and documents. Public.
    ///
    /// # Errors
    /// [`AppError::NotFound`].
    pub async fn working_model_view(&self, actor: &Actor, id: i64) -> Result<ModelView> {
        let row = self.store.working_model(id).await.map_err(not_found)?;
        let model = model_of(row, &self.store.themes().await?);
        let adopters = self
            .organisations_where(actor, Action::ManageNetwork)
            .await?
            .into_iter()
            .filter(|(o, _)| *o != model.organisation_id)
            .collect();
        Ok(ModelView {
            can_edit: actor.may(Action::ManageNetwork(model.organisation_id)),
            adoptions: self.store.model_adoptions(id).await?,
            documents: self
                .store
                .network_documents(DocumentOwner::Model(id))
                .await?,
            adopters,
            model,
        })
    }

    /// Searches the registry (the catalogue's Swedish search), filtered by theme and by län
    /// (where the owner or an adopter is). Public. Without words, models come in title order.
    ///
    /// # Errors
    /// A storage or index failure.
    pub async fn search_working_models(&self, query: &ModelQuery) -> Result<ModelSearch> {
        let known = self.store.themes().await?;
        let mut rows = self.store.working_models().await?;
        larnav_domain::text::sort_swedish_by(&mut rows, |r| &r.title);
        let index = self.registry_index(&rows).await?;
        let mut tags = Vec::new();
        if let Ok(t) = query.theme.trim().parse::<i64>() {
            tags.push(format!("theme:{t}"));
        }
        if !query.lan.trim().is_empty() {
            tags.push(format!("lan:{}", query.lan.trim()));
        }
        let found = index
            .search(&query.q, &tags, MAX_HITS)
            .map_err(|e| AppError::internal("search working models", e))?;
        let mut by_id: std::collections::HashMap<i64, WorkingModelRow> =
            rows.into_iter().map(|r| (r.id, r)).collect();
        let hits = found
            .hits
            .into_iter()
            .filter_map(|h| {
                // A model removed since the index was built is left out.
                let row = by_id.remove(&h.id)?;
                Some(ModelHit {
                    model: model_of(row, &known),
                    title: h.title,
                    summary: h.summary,
                })
            })
            .collect();
        Ok(ModelSearch {
            total: found.total,
            hits,
        })
    }

    /// The registry's index, rebuilt when the registry changed since it was built: checked on
    /// every search with one cheap query, so other instances see a change too (one made in the
    /// same second as the previous change, with no model or adoption added or removed, only
    /// with the next change); this instance forgets its index after each of its own writes.
    async fn registry_index(&self, rows: &[WorkingModelRow]) -> Result<Arc<TextIndex>> {
        let version = self.store.registry_version().await?;
        if let Some(index) = self.registry_index.get(&version) {
            return Ok(index);
        }
        let known = self.store.themes().await?;
        let adoptions = self.store.all_adoptions().await?;
        let docs = rows.iter().map(|m| {
            let themes = themes_of(&m.themes, &known);
            let mut tags: Vec<String> = themes.iter().map(|t| format!("theme:{}", t.id)).collect();
            let adopters: Vec<&Adoption> =
                adoptions.iter().filter(|a| a.model_id == m.id).collect();
            for lan in m
                .lan_code
                .iter()
                .chain(adopters.iter().filter_map(|a| a.lan_code.as_ref()))
            {
                tags.push(format!("lan:{lan}"));
            }
            let names: Vec<&str> = themes
                .iter()
                .map(|t| t.name.as_str())
                .chain([m.organisation_name.as_str()])
                .chain(m.lan_name.as_deref())
                .chain(adopters.iter().map(|a| a.organisation_name.as_str()))
                .collect();
            TextDoc {
                id: m.id,
                title: m.title.clone(),
                summary: m.summary.clone(),
                body: [m.description.as_str(), &m.results, &names.join("\n")].join("\n"),
                tags,
            }
        });
        let index = Arc::new(
            TextIndex::build(docs.collect::<Vec<_>>())
                .map_err(|e| AppError::internal("registry index", e))?,
        );
        self.registry_index.put(version, index.clone());
        Ok(index)
    }

    /// Records (or updates) that `form.organisation_id` adopted model `id`.
    ///
    /// # Errors
    /// [`AppError::Validation`] (one's own model, a month in the future or before the model
    /// started), a refusal, [`AppError::NotFound`].
    pub async fn record_adoption(&self, actor: &Actor, id: i64, form: &AdoptionForm) -> Result<()> {
        let org = self
            .managed_organisation(actor, &form.organisation_id)
            .await?;
        let model = self.store.working_model(id).await.map_err(not_found)?;
        let mut checks = Checks::new();
        if org == model.organisation_id {
            checks.fail("organisation_id", "registry.own_model");
        }
        let month =
            NaiveDate::parse_from_str(&format!("{}-01", form.adopted_on.trim()), "%Y-%m-%d");
        match month {
            Ok(m) if m > today_in_sweden() => {
                checks.fail("adopted_on", "registry.adopted_in_future")
            }
            Ok(m) if i64::from(m.year()) < model.start_year => {
                checks.fail("adopted_on", "registry.adopted_before_start");
            }
            Ok(_) => {}
            Err(_) => checks.fail("adopted_on", "registry.month_invalid"),
        }
        let status = form.status.trim();
        if !ADOPTION_STATUSES.contains(&status) {
            checks.fail("status", "field.choice_invalid");
        }
        too_long(&mut checks, "experience", form.experience.trim(), 5000);
        checks.finish()?;
        let adopted_on = month.map_err(|e| AppError::internal("record adoption", e))?;
        let fields = AdoptionFields {
            adopted_on,
            status: status.to_string(),
            experience: form.experience.trim().to_string(),
        };
        let audit = AuditRecord::new(
            actor.user_id,
            "working_model.adopt",
            format!("working_model:{id}"),
        )
        .in_organisation(org)
        .with_detail(status);
        self.store
            .save_adoption(id, org, &fields, actor.user_id, now(), &audit)
            .await?;
        self.registry_index.clear();
        Ok(())
    }

    /// Removes an organisation's adoption record of model `id`.
    ///
    /// # Errors
    /// A refusal, [`AppError::NotFound`].
    pub async fn remove_adoption(
        &self,
        actor: &Actor,
        id: i64,
        organisation_id: &str,
    ) -> Result<()> {
        let org = self.managed_organisation(actor, organisation_id).await?;
        let audit = AuditRecord::new(
            actor.user_id,
            "working_model.adoption_removed",
            format!("working_model:{id}"),
        )
        .in_organisation(org);
        self.store
            .remove_adoption(id, org, now(), &audit)
            .await
            .map_err(not_found)?;
        self.registry_index.clear();
        Ok(())
    }

    /// Who may add documents to `owner` and see them: a model's documents are public and
    /// added by the owner's managers; a pair's are the pair's own (and its organiser's to read).
    async fn document_access(
        &self,
        actor: &Actor,
        owner: DocumentOwner,
        write: bool,
    ) -> Result<i64> {
        match owner {
            DocumentOwner::Model(id) => {
                let model = self.store.working_model(id).await.map_err(not_found)?;
                if write {
                    self.authorize(actor, Action::ManageNetwork(model.organisation_id))
                        .await?;
                }
                Ok(model.organisation_id)
            }
            DocumentOwner::Pair(id) => {
                let view = if write {
                    self.pair_for_side(actor, id).await?
                } else {
                    self.mentorship_pair_view(actor, id).await?
                };
                Ok(view.side.unwrap_or(view.round.organisation_id))
            }
        }
    }

    /// Uploads a document to a working model or a mentorship pair: PDF, PNG, JPEG or an office
    /// document (judged by content, with an extension that agrees), at most
    /// [`Upload::SharedDocument`](crate::uploads::Upload)'s limit.
    ///
    /// # Errors
    /// [`AppError::Validation`] (`document`), a refusal, [`AppError::NotFound`].
    pub async fn upload_network_document(
        &self,
        actor: &Actor,
        owner: DocumentOwner,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<i64> {
        let org = self.document_access(actor, owner, true).await?;
        let (file_name, content_type) =
            crate::uploads::Upload::SharedDocument.judge_document(file_name, bytes)?;
        let key = self.write_file(bytes).await?;
        let target = match owner {
            DocumentOwner::Model(id) => format!("working_model:{id}"),
            DocumentOwner::Pair(id) => format!("mentorship_pair:{id}"),
        };
        let audit = AuditRecord::new(actor.user_id, "network_document.upload", target)
            .in_organisation(org)
            .with_detail(content_type);
        let file = StoredFile {
            file_name,
            content_type: content_type.to_string(),
            size_bytes: bytes.len() as i64,
            storage_key: key.clone(),
        };
        let stored = self
            .store
            .add_network_document(owner, &file, actor.user_id, now(), &audit)
            .await;
        if stored.is_err() {
            self.discard_file(&key).await;
        }
        Ok(stored?)
    }

    /// Removes a document uploaded by mistake: whoever may upload to its model or pair.
    ///
    /// # Errors
    /// A refusal, [`AppError::NotFound`].
    pub async fn delete_network_document(&self, actor: &Actor, id: i64) -> Result<()> {
        self.authorize(actor, Action::TakePart).await?;
        let doc = self.store.network_document(id).await.map_err(not_found)?;
        let owner = document_owner(&doc)?;
        let org = self.document_access(actor, owner, true).await?;
        let audit = AuditRecord::new(
            actor.user_id,
            "network_document.delete",
            format!("network_document:{id}"),
        )
        .in_organisation(org)
        .with_detail(doc.file_name.clone());
        self.store
            .delete_network_document(id, now(), &audit)
            .await
            .map_err(not_found)?;
        self.discard_file(&doc.storage_key).await;
        Ok(())
    }

    /// A pair's documents (for its space).
    ///
    /// # Errors
    /// A refusal, [`AppError::NotFound`].
    pub async fn pair_documents(
        &self,
        actor: &Actor,
        pair_id: i64,
    ) -> Result<Vec<NetworkDocument>> {
        self.document_access(actor, DocumentOwner::Pair(pair_id), false)
            .await?;
        Ok(self
            .store
            .network_documents(DocumentOwner::Pair(pair_id))
            .await?)
    }

    /// A document and its content for whoever may see its model or pair.
    ///
    /// # Errors
    /// [`AppError::NotFound`] (also for a pair's document shown to outsiders).
    pub async fn network_document(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(NetworkDocument, Vec<u8>)> {
        let doc = self.store.network_document(id).await.map_err(not_found)?;
        let owner = document_owner(&doc)?;
        self.document_access(actor, owner, false)
            .await
            .map_err(|_| AppError::NotFound)?;
        let bytes = self.read_file(&doc.storage_key).await?;
        Ok((doc, bytes))
    }
}

fn document_owner(doc: &NetworkDocument) -> Result<DocumentOwner> {
    match (doc.model_id, doc.pair_id) {
        (Some(m), _) => Ok(DocumentOwner::Model(m)),
        (_, Some(p)) => Ok(DocumentOwner::Pair(p)),
        _ => Err(AppError::NotFound),
    }
}

fn model_exists(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => AppError::Conflict {
            code: "model_exists",
            message_key: "registry.model_exists",
        },
        other => not_found(other),
    }
}
