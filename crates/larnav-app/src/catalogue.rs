//! The catalogue: providers create offerings (from a template, a copy or a shortage
//! occupation), add occasions, sessions and teachers, and move them through the workflow;
//! everyone reads what is published. Every write updates this instance's search index at once
//! (`search.rs`); other instances follow the change log.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use larnav_domain::catalogue::{
    self, ApplicationMode, Assignment, CreditKind, Format, OccasionPlan, OfferingKind,
    OfferingStatus, Payer, PublicationCheck, TeacherLoad,
};
use larnav_domain::{Action, Actor, Email};
use larnav_store::{
    AuditRecord, Conflict, NewOccasion, NewSession, Occasion, Offering, OfferingEvent,
    OfferingFields, OfferingOccupation, OfferingSession, OfferingSummary, Staffing, StoreError,
    Teacher,
};
use serde::{Deserialize, Serialize};

use crate::accounts::not_found;
use crate::error::Checks;
use crate::{App, AppError, Result, now};

/// Limits that keep one offering readable and the index small.
pub const MAX_TITLE: usize = 200;
pub const MAX_SUMMARY: usize = 600;
pub const MAX_TEXT: usize = 20_000;
pub const MAX_OCCUPATIONS: usize = 10;
/// The most sessions one request may add (a weekly series for two years).
pub const MAX_SESSIONS: i64 = 104;

/// An offering as a form or API request sends it. Everything is text: the checks say what is
/// wrong with each field, all at once.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OfferingForm {
    #[schema(required)]
    pub title: String,
    pub summary: String,
    pub description: String,
    /// An [`OfferingKind`] key.
    pub kind: String,
    /// SSYK-4 codes separated by commas, spaces or lines ("5321, 5322").
    pub ssyk_codes: String,
    /// A SUN 2020 field code.
    pub sun_field: String,
    /// 1–8, or empty.
    pub seqf_level: String,
    /// A number ("7,5" or "7.5"), or empty.
    pub credits: String,
    pub credit_kind: String,
    /// 1–100.
    pub pace_percent: String,
    pub format: String,
    pub kommun_code: String,
    pub address: String,
    /// `sv`, `en` or another ISO 639-1 code.
    pub language: String,
    /// Whole kronor, or empty for no fee.
    pub price_sek: String,
    pub payer: String,
    pub eligibility: String,
    /// The employer organisation of contract education.
    pub employer_id: String,
    /// `on`/`true`: visible only to the employer and the provider.
    pub internal: String,
    pub url: String,
    /// The version the edit was based on (edits only).
    pub version: String,
    /// New offerings only: the area of the shortage list the offering answers ("answer a
    /// need"); it is linked to that area's newest published entry for each of its occupations.
    pub answers_area: String,
}

/// An occasion as a form sends it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OccasionForm {
    /// `YYYY-MM-DD`.
    pub starts_on: String,
    pub ends_on: String,
    /// `rolling` or `fixed`.
    pub application_mode: String,
    pub opens_on: String,
    pub closes_on: String,
    pub seats: String,
    pub place: String,
}

/// One session, or a weekly series of `repeat` sessions, as a form sends it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SessionForm {
    /// The first session's date, `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM`.
    pub start_time: String,
    pub end_time: String,
    pub title: String,
    pub link: String,
    /// How many weekly sessions to add (1 = just this one).
    pub repeat: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TeacherForm {
    #[schema(required)]
    pub name: String,
    pub email: String,
    /// Planned teaching hours a year.
    pub capacity_hours: String,
}

/// An occasion with its sessions and staffing.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OccasionView {
    pub occasion: Occasion,
    pub sessions: Vec<OfferingSession>,
    pub staffing: Vec<Staffing>,
    pub open_for_applications: bool,
}

/// Everything an offering's page shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfferingView {
    pub offering: Offering,
    pub occupations: Vec<OfferingOccupation>,
    pub occasions: Vec<OccasionView>,
    pub events: Vec<OfferingEvent>,
    /// The viewer may edit content, occasions, sessions and staffing.
    pub can_edit: bool,
    /// The viewer may publish, close and complete.
    pub can_publish: bool,
    /// The viewer follows the occasions' groups up: enrolments, attendance, completion.
    pub can_follow_up: bool,
    /// Fields to fill before publication (translation keys by field).
    pub missing_for_publication: Vec<crate::FieldError>,
    /// The viewer sent the offering to review: someone else publishes it.
    pub own_review: bool,
    /// …unless the viewer may publish without review (and says so).
    pub may_publish_without_review: bool,
}

/// A staffing change that would take a teacher over their yearly capacity: shown before it
/// is saved ("Åsa Ågren: 150 % av årskapaciteten 2030").
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OverCapacity {
    pub teacher_name: String,
    pub year: i32,
    /// The planned hours of that year as a share of the capacity, in percent.
    pub percent: i64,
}

impl OverCapacity {
    /// The refusal for a caller that cannot be asked (the API): 409 `over_capacity`.
    pub fn refusal(&self) -> AppError {
        AppError::Conflict {
            code: "over_capacity",
            message_key: "catalogue.over_capacity",
        }
    }
}

/// A teacher's planned load in one year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LoadRow {
    pub teacher: Teacher,
    pub year: i32,
    pub planned_hours: f64,
    pub occasions: usize,
    pub over_capacity: bool,
    /// Planned hours as a percentage of capacity, rounded.
    pub percent: i64,
}

fn conflict(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(Conflict::OfferingVersion) => AppError::Conflict {
            code: "offering_edited_elsewhere",
            message_key: "catalogue.edited_elsewhere",
        },
        StoreError::Conflict(Conflict::OfferingStatus) => AppError::Conflict {
            code: "offering_status_changed",
            message_key: "catalogue.status_changed",
        },
        other => not_found(other),
    }
}

pub(crate) fn text(
    checks: &mut Checks,
    field: &'static str,
    value: &str,
    max: usize,
    required: bool,
) -> String {
    let v = value.trim();
    if required && v.is_empty() {
        checks.fail(field, "field.required");
    } else if v.chars().count() > max {
        checks.fail(field, "field.too_long");
    }
    v.to_string()
}

pub(crate) fn optional<T>(
    value: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<Option<T>, ()> {
    match value.trim() {
        "" => Ok(None),
        v => parse(v).map(Some).ok_or(()),
    }
}

pub(crate) fn number(v: &str) -> Option<f64> {
    v.replace(',', ".")
        .replace([' ', '\u{a0}'], "")
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
}

pub(crate) fn date(v: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok()
}

fn keyed<T: Copy>(
    checks: &mut Checks,
    field: &'static str,
    v: &str,
    parse: fn(&str) -> Option<T>,
) -> Option<T> {
    let parsed = parse(v.trim());
    if parsed.is_none() {
        checks.fail(
            field,
            if v.trim().is_empty() {
                "field.required"
            } else {
                "field.choice_invalid"
            },
        );
    }
    parsed
}

pub(crate) fn is_true(v: &str) -> bool {
    matches!(v.trim(), "on" | "true" | "1" | "yes")
}

impl App {
    /// Refuses unless `actor` may see `o`: published offerings are public (internal ones only
    /// to their provider's and employer's members); drafts only to the provider's staff.
    async fn authorize_view(&self, actor: &Actor, o: &Offering) -> Result<()> {
        let member = |org: Option<i64>| org.is_some_and(|id| actor.is_member_of(id));
        let staff = o.provider_id.is_some_and(|p| {
            actor.may(Action::ManageOfferings(p)) || actor.may(Action::PublishOfferings(p))
        });
        let visible = if o.status.is_visible() {
            !o.internal || member(o.provider_id) || member(o.employer_id) || actor.platform_admin
        } else {
            staff
        };
        if visible || actor.system {
            return Ok(());
        }
        // Whether a hidden offering exists is itself not shown.
        Err(AppError::NotFound)
    }

    /// Checks an offering form into the fields to store.
    pub(crate) async fn check_offering(
        &self,
        form: &OfferingForm,
        provider_id: i64,
    ) -> Result<OfferingFields> {
        let mut checks = Checks::new();
        let title = text(&mut checks, "title", &form.title, MAX_TITLE, true);
        let summary = text(&mut checks, "summary", &form.summary, MAX_SUMMARY, false);
        let description = text(
            &mut checks,
            "description",
            &form.description,
            MAX_TEXT,
            false,
        );
        let eligibility = text(
            &mut checks,
            "eligibility",
            &form.eligibility,
            MAX_TEXT,
            false,
        );
        let address = text(&mut checks, "address", &form.address, 300, false);
        let url = text(&mut checks, "url", &form.url, 500, false);
        if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
            checks.fail("url", "field.url_invalid");
        }
        let kind = keyed(&mut checks, "kind", &form.kind, OfferingKind::parse);
        let credit_kind = keyed(
            &mut checks,
            "credit_kind",
            &form.credit_kind,
            CreditKind::parse,
        );
        let format = keyed(&mut checks, "format", &form.format, Format::parse);
        let payer = keyed(&mut checks, "payer", &form.payer, Payer::parse);
        let seqf_level = optional(&form.seqf_level, |v| {
            v.parse::<i64>().ok().filter(|l| (1..=8).contains(l))
        })
        .unwrap_or_else(|()| {
            checks.fail("seqf_level", "field.seqf_invalid");
            None
        });
        let credits = optional(&form.credits, |v| {
            number(v).filter(|n| (0.0..=5000.0).contains(n))
        })
        .unwrap_or_else(|()| {
            checks.fail("credits", "catalogue.credits_invalid");
            None
        });
        let pace_percent = match form.pace_percent.trim() {
            "" => 100,
            v => v
                .parse::<i64>()
                .ok()
                .filter(|p| (1..=100).contains(p))
                .unwrap_or_else(|| {
                    checks.fail("pace_percent", "catalogue.pace_invalid");
                    100
                }),
        };
        let price_sek = optional(&form.price_sek, |v| {
            number(v)
                .filter(|n| *n >= 0.0 && *n < 1e9)
                .map(|n| n.round() as i64)
        })
        .unwrap_or_else(|()| {
            checks.fail("price_sek", "catalogue.price_invalid");
            None
        });
        let language = match form.language.trim() {
            "" => "sv".to_string(),
            l if l.len() == 2 && l.bytes().all(|b| b.is_ascii_lowercase()) => l.to_string(),
            _ => {
                checks.fail("language", "catalogue.language_invalid");
                "sv".to_string()
            }
        };
        let kommun_code = match form.kommun_code.trim() {
            "" => None,
            v => {
                let code = if v.len() == 3 {
                    format!("0{v}")
                } else {
                    v.to_string()
                };
                match self.store.get_kommun(&code).await {
                    Ok(_) => Some(code),
                    Err(_) => {
                        checks.fail("kommun_code", "field.kommun_unknown");
                        None
                    }
                }
            }
        };
        let sun_field = match form.sun_field.trim() {
            "" => None,
            v if self.store.sun_field_exists(v).await? => Some(v.to_string()),
            _ => {
                checks.fail("sun_field", "catalogue.sun_unknown");
                None
            }
        };
        let mut ssyk_codes: Vec<String> = Vec::new();
        for token in form
            .ssyk_codes
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        {
            let code: String = token.chars().filter(char::is_ascii_digit).collect();
            if code.len() != 4 || token.chars().any(|c| c.is_alphabetic()) {
                continue;
            }
            match self.store.get_occupation_group(&code).await {
                Ok(g) if g.level == 4 => {
                    if !ssyk_codes.contains(&code) {
                        ssyk_codes.push(code);
                    }
                }
                _ => checks.fail("ssyk_codes", "field.ssyk_unknown"),
            }
        }
        if ssyk_codes.len() > MAX_OCCUPATIONS {
            checks.fail("ssyk_codes", "catalogue.too_many_occupations");
        }
        let employer_id = match form.employer_id.trim() {
            "" => None,
            v => match v.parse::<i64>().ok() {
                Some(id) => match self.store.get_organisation(id).await {
                    Ok(_) => Some(id),
                    Err(_) => {
                        checks.fail("employer_id", "catalogue.employer_unknown");
                        None
                    }
                },
                None => {
                    checks.fail("employer_id", "catalogue.employer_unknown");
                    None
                }
            },
        };
        let internal = is_true(&form.internal);
        if internal && employer_id.is_none() {
            checks.fail("employer_id", "catalogue.internal_needs_employer");
        }
        checks.finish()?;
        let provider = self
            .store
            .get_organisation(provider_id)
            .await
            .map_err(not_found)?;
        let (Some(kind), Some(credit_kind), Some(format), Some(payer)) =
            (kind, credit_kind, format, payer)
        else {
            return Err(AppError::bug("checked fields missing"));
        };
        Ok(OfferingFields {
            provider_id: Some(provider_id),
            provider_name: provider.name,
            employer_id,
            internal,
            kind: kind.as_str().into(),
            title,
            summary,
            description,
            sun_field,
            seqf_level,
            credits,
            credit_kind: credit_kind.as_str().into(),
            pace_percent,
            format: format.as_str().into(),
            kommun_code,
            address,
            language,
            price_sek,
            payer: payer.as_str().into(),
            eligibility,
            url,
            ssyk_codes,
        })
    }

    /// A new offering's form, prefilled from a template, a copy of an earlier offering, or a
    /// shortage occupation ("answer a need": occupation, area and level).
    ///
    /// # Errors
    /// A refusal; [`AppError::NotFound`] for an unknown template or offering to copy.
    pub async fn new_offering_form(
        &self,
        actor: &Actor,
        provider_id: i64,
        template: Option<&str>,
        copy_of: Option<i64>,
        need: Option<(&str, &str)>,
    ) -> Result<OfferingForm> {
        self.authorize(actor, Action::ManageOfferings(provider_id))
            .await?;
        let provider = self
            .store
            .get_organisation(provider_id)
            .await
            .map_err(not_found)?;
        let mut form = OfferingForm {
            kind: OfferingKind::Course.as_str().into(),
            credit_kind: CreditKind::None.as_str().into(),
            format: Format::OnSite.as_str().into(),
            payer: Payer::Free.as_str().into(),
            pace_percent: "100".into(),
            language: "sv".into(),
            kommun_code: provider.kommun_code.clone().unwrap_or_default(),
            ..OfferingForm::default()
        };
        if let Some(key) = template.filter(|k| !k.is_empty()) {
            let t = catalogue::template(key).ok_or(AppError::NotFound)?;
            form.kind = t.kind.as_str().into();
            form.format = t.format.as_str().into();
            form.credit_kind = t.credit_kind.as_str().into();
            form.payer = t.payer.as_str().into();
            form.pace_percent = t.pace_percent.to_string();
            let tr = crate::i18n::Tr::new(crate::i18n::Lang::Sv);
            form.title = tr.t(&format!("template.{key}.title")).to_string();
            form.summary = tr.t(&format!("template.{key}.summary")).to_string();
            form.description = tr.t(&format!("template.{key}.description")).to_string();
            form.eligibility = tr.t(&format!("template.{key}.eligibility")).to_string();
        }
        if let Some(id) = copy_of {
            let view = self.offering_view(actor, id).await?;
            let o = view.offering;
            form = OfferingForm {
                title: format!("{} (kopia)", o.title),
                summary: o.summary,
                description: o.description,
                kind: o.kind.as_str().into(),
                ssyk_codes: view
                    .occupations
                    .iter()
                    .map(|c| c.ssyk_code.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
                sun_field: o.sun_field.unwrap_or_default(),
                seqf_level: o.seqf_level.map(|l| l.to_string()).unwrap_or_default(),
                credits: o.credits.map(|c| c.to_string()).unwrap_or_default(),
                credit_kind: o.credit_kind.as_str().into(),
                pace_percent: o.pace_percent.to_string(),
                format: o.format.as_str().into(),
                kommun_code: o.kommun_code.unwrap_or_default(),
                address: o.address,
                language: o.language,
                price_sek: o.price_sek.map(|p| p.to_string()).unwrap_or_default(),
                payer: o.payer,
                eligibility: o.eligibility,
                employer_id: o.employer_id.map(|e| e.to_string()).unwrap_or_default(),
                internal: if o.internal {
                    "on".into()
                } else {
                    String::new()
                },
                url: o.url,
                version: String::new(),
                answers_area: String::new(),
            };
        }
        if let Some((ssyk, area)) = need {
            let group = self
                .store
                .get_occupation_group(ssyk)
                .await
                .map_err(not_found)?;
            form.ssyk_codes = group.code.clone();
            if form.title.is_empty() {
                form.title = group.name.clone();
            }
            let band = larnav_domain::score::SeqfBand::for_ssyk(&group.code);
            form.seqf_level = band.lowest_level().to_string();
            if area.len() == 4 && area.bytes().all(|b| b.is_ascii_digit()) {
                form.kommun_code = area.to_string();
            }
            form.answers_area = area.to_string();
        }
        Ok(form)
    }

    /// Creates a draft offering for `provider_id`; returns its id.
    ///
    /// # Errors
    /// [`AppError::Validation`] listing every problem; a refusal.
    pub async fn create_offering(
        &self,
        actor: &Actor,
        provider_id: i64,
        form: &OfferingForm,
        copied_from: Option<i64>,
    ) -> Result<i64> {
        self.authorize(actor, Action::ManageOfferings(provider_id))
            .await?;
        let fields = self.check_offering(form, provider_id).await?;
        let audit = AuditRecord::new(actor.user_id, "offering.create", "")
            .in_organisation(provider_id)
            .with_detail(fields.title.clone());
        let answers = self
            .answered_entries(form.answers_area.trim(), &fields.ssyk_codes)
            .await?;
        let id = self
            .store
            .create_offering(&fields, copied_from, &answers, actor.user_id, now(), &audit)
            .await?;
        self.after_catalogue_write().await;
        Ok(id)
    }

    /// The provider of an offering (0 for an imported one), to show its form again.
    ///
    /// # Errors
    /// [`AppError::NotFound`].
    pub async fn offering_provider(&self, id: i64) -> Result<i64> {
        let o = self.store.offering(id).await.map_err(not_found)?;
        Ok(o.provider_id.unwrap_or(0))
    }

    async fn offering_for_edit(&self, actor: &Actor, id: i64) -> Result<Offering> {
        let o = self.store.offering(id).await.map_err(not_found)?;
        let Some(provider) = o.provider_id else {
            // Imported offerings change only by re-import.
            self.authorize(actor, Action::ImportCatalogue).await?;
            return Err(AppError::Conflict {
                code: "offering_imported",
                message_key: "catalogue.imported_read_only",
            });
        };
        self.authorize(actor, Action::ManageOfferings(provider))
            .await?;
        if !o.status.is_editable() {
            return Err(AppError::Conflict {
                code: "offering_completed",
                message_key: "catalogue.completed_read_only",
            });
        }
        Ok(o)
    }

    /// The edit form of an offering with its stored values and version, and its provider.
    ///
    /// # Errors
    /// A refusal; [`AppError::NotFound`]; a conflict for an imported or completed offering.
    pub async fn edit_offering_form(&self, actor: &Actor, id: i64) -> Result<(i64, OfferingForm)> {
        let o = self.offering_for_edit(actor, id).await?;
        let provider = o.provider_id.unwrap_or_default();
        let mut form = self
            .new_offering_form(actor, provider, None, Some(id), None)
            .await?;
        // The copy form adds "(kopia)"; editing keeps the title as it is.
        form.title = o.title;
        form.version = o.version.to_string();
        Ok((provider, form))
    }

    /// Saves an edit made from `form.version`; a save based on an older version is refused
    /// (somebody else saved in between) and nothing is overwritten.
    ///
    /// # Errors
    /// [`AppError::Validation`], a conflict, a refusal.
    pub async fn update_offering(&self, actor: &Actor, id: i64, form: &OfferingForm) -> Result<()> {
        let o = self.offering_for_edit(actor, id).await?;
        let provider = o.provider_id.unwrap_or_default();
        let version = form
            .version
            .trim()
            .parse::<i64>()
            .map_err(|_| AppError::invalid("version", "field.required"))?;
        let fields = self.check_offering(form, provider).await?;
        if o.status != OfferingStatus::Draft && o.status != OfferingStatus::Review {
            // A published offering must stay publishable after the edit.
            self.publication_problems(&fields, id).await?.finish()?;
        }
        let audit = AuditRecord::new(actor.user_id, "offering.update", format!("offering:{id}"))
            .in_organisation(provider)
            .with_detail(fields.title.clone());
        self.store
            .update_offering(id, version, &fields, actor.user_id, now(), &audit)
            .await
            .map_err(conflict)?;
        self.after_catalogue_write().await;
        Ok(())
    }

    async fn publication_problems(&self, f: &OfferingFields, id: i64) -> Result<Checks> {
        let occasions = self.store.occasions(id).await?.len();
        let check = PublicationCheck {
            title: &f.title,
            summary: &f.summary,
            description: &f.description,
            kind: OfferingKind::parse(&f.kind),
            format: Format::parse(&f.format),
            kommun: f.kommun_code.as_deref(),
            credit_kind: CreditKind::parse(&f.credit_kind),
            credits: f.credits,
            occupations: f.ssyk_codes.len(),
            sun_field: f.sun_field.as_deref(),
            employer: f.employer_id,
            occasions,
        };
        let mut checks = Checks::new();
        for (field, key) in check.problems() {
            checks.fail(field, key);
        }
        Ok(checks)
    }

    /// Moves an offering in the workflow. Provider staff submit drafts for review; reviewers,
    /// coordinators and administrators publish (if nothing required is missing), send back,
    /// close, reopen and complete. Review is done by someone else: whoever sent the offering
    /// to review cannot publish it, unless they may publish without review (administrators)
    /// and say so with `without_review` — audited as `offering.published_without_review`.
    ///
    /// # Errors
    /// A conflict for a move the workflow does not allow, a status that changed meanwhile or
    /// one's own submission (`own_review`); [`AppError::Validation`] listing what publication
    /// still needs; a refusal.
    pub async fn move_offering(
        &self,
        actor: &Actor,
        id: i64,
        to: OfferingStatus,
        note: &str,
        without_review: bool,
    ) -> Result<()> {
        let o = self.store.offering(id).await.map_err(not_found)?;
        let provider = o.provider_id.ok_or(AppError::NotFound)?;
        let action = if to == OfferingStatus::Review {
            Action::ManageOfferings(provider)
        } else {
            Action::PublishOfferings(provider)
        };
        self.authorize(actor, action).await?;
        if !o.status.can_move_to(to) {
            return Err(AppError::Conflict {
                code: "offering_transition",
                message_key: "catalogue.transition_invalid",
            });
        }
        let submitter = if o.status == OfferingStatus::Review {
            self.store.offering_submitter(id).await?
        } else {
            None
        };
        let own_review = o.status == OfferingStatus::Review
            && to == OfferingStatus::Published
            && actor.user_id.is_some()
            && submitter == actor.user_id;
        if to == OfferingStatus::Published {
            let fields = self.fields_of(&o).await?;
            self.publication_problems(&fields, id).await?.finish()?;
        }
        if own_review && !(without_review && actor.may(Action::PublishWithoutReview(provider))) {
            return Err(AppError::Conflict {
                code: "own_review",
                message_key: "catalogue.own_review",
            });
        }
        let note = note.trim();
        if note.chars().count() > 2000 {
            return Err(AppError::invalid("note", "field.too_long"));
        }
        let event = if own_review {
            "offering.published_without_review".to_string()
        } else {
            format!("offering.{}", to.as_str())
        };
        let audit = AuditRecord::new(actor.user_id, &event, format!("offering:{id}"))
            .in_organisation(provider)
            .with_detail(o.title.clone());
        self.store
            .set_offering_status(id, (o.status, to), note, now(), &audit)
            .await
            .map_err(conflict)?;
        self.after_catalogue_write().await;
        let moved = (o.status, to);
        if let Err(e) = self
            .notify_offering_moved(actor, provider, (id, &o.title), moved, submitter, note)
            .await
        {
            tracing::warn!(offering = id, error = %e, "review e-mails not queued");
        }
        Ok(())
    }

    async fn fields_of(&self, o: &Offering) -> Result<OfferingFields> {
        let occupations = self.store.offering_occupations(o.id).await?;
        Ok(OfferingFields {
            provider_id: o.provider_id,
            provider_name: o.provider_name.clone(),
            employer_id: o.employer_id,
            internal: o.internal,
            kind: o.kind.as_str().into(),
            title: o.title.clone(),
            summary: o.summary.clone(),
            description: o.description.clone(),
            sun_field: o.sun_field.clone(),
            seqf_level: o.seqf_level,
            credits: o.credits,
            credit_kind: o.credit_kind.as_str().into(),
            pace_percent: o.pace_percent,
            format: o.format.as_str().into(),
            kommun_code: o.kommun_code.clone(),
            address: o.address.clone(),
            language: o.language.clone(),
            price_sek: o.price_sek,
            payer: o.payer.clone(),
            eligibility: o.eligibility.clone(),
            url: o.url.clone(),
            ssyk_codes: occupations.into_iter().map(|c| c.ssyk_code).collect(),
        })
    }

    /// An offering with its occasions, sessions, staffing and history, if the actor may see it.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for unknown offerings and those the actor may not see.
    pub async fn offering_view(&self, actor: &Actor, id: i64) -> Result<OfferingView> {
        let offering = self.store.offering(id).await.map_err(not_found)?;
        self.authorize_view(actor, &offering).await?;
        let today = today_in_sweden();
        let mut occasions = Vec::new();
        for occasion in self.store.occasions(id).await? {
            let sessions = self.store.offering_sessions(occasion.id).await?;
            let plan = plan_of(&occasion);
            occasions.push(OccasionView {
                open_for_applications: offering.status == OfferingStatus::Published
                    && plan.is_open(today),
                staffing: Vec::new(),
                sessions,
                occasion,
            });
        }
        let (can_edit, can_publish) = match offering.provider_id {
            Some(p) => (
                actor.may(Action::ManageOfferings(p)) && offering.status.is_editable(),
                actor.may(Action::PublishOfferings(p)),
            ),
            None => (false, false),
        };
        if can_edit || can_publish {
            let staffing = self.store.staffing(Some(id), None).await?;
            for o in &mut occasions {
                o.staffing = staffing
                    .iter()
                    .filter(|s| s.occasion_id == o.occasion.id)
                    .cloned()
                    .collect();
            }
        }
        let missing_for_publication = if can_edit || can_publish {
            let fields = self.fields_of(&offering).await?;
            match self.publication_problems(&fields, id).await?.finish() {
                Err(AppError::Validation(v)) => v,
                _ => Vec::new(),
            }
        } else {
            Vec::new()
        };
        Ok(OfferingView {
            occupations: self.store.offering_occupations(id).await?,
            events: if can_edit || can_publish {
                self.store.offering_events(id).await?
            } else {
                Vec::new()
            },
            own_review: offering.status == OfferingStatus::Review
                && actor.user_id.is_some()
                && self.store.offering_submitter(id).await? == actor.user_id,
            may_publish_without_review: offering
                .provider_id
                .is_some_and(|p| actor.may(Action::PublishWithoutReview(p))),
            can_follow_up: offering
                .provider_id
                .is_some_and(|p| actor.may(Action::ManageEnrolments(p))),
            offering,
            occasions,
            can_edit,
            can_publish,
            missing_for_publication,
        })
    }

    /// An organisation's offerings for its workspace (drafts included).
    ///
    /// # Errors
    /// A refusal.
    pub async fn provider_offerings(
        &self,
        actor: &Actor,
        provider_id: i64,
    ) -> Result<Vec<OfferingSummary>> {
        if !actor.may(Action::PublishOfferings(provider_id)) {
            self.authorize(actor, Action::ManageOfferings(provider_id))
                .await?;
        }
        Ok(self.store.offerings_of(provider_id).await?)
    }

    pub(crate) fn check_occasion(form: &OccasionForm) -> Result<NewOccasion> {
        let mut checks = Checks::new();
        let req_date = |checks: &mut Checks, field, v: &str| {
            let d = date(v);
            if d.is_none() {
                checks.fail(
                    field,
                    if v.trim().is_empty() {
                        "field.required"
                    } else {
                        "field.date_invalid"
                    },
                );
            }
            d
        };
        let starts_on = req_date(&mut checks, "starts_on", &form.starts_on);
        let ends_on = req_date(&mut checks, "ends_on", &form.ends_on);
        let mode = keyed(
            &mut checks,
            "application_mode",
            &form.application_mode,
            ApplicationMode::parse,
        );
        let opt_date = |checks: &mut Checks, field, v: &str| {
            optional(v, date).unwrap_or_else(|()| {
                checks.fail(field, "field.date_invalid");
                None
            })
        };
        let opens_on = opt_date(&mut checks, "opens_on", &form.opens_on);
        let closes_on = opt_date(&mut checks, "closes_on", &form.closes_on);
        let seats = match form.seats.trim().parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                checks.fail(
                    "seats",
                    if form.seats.trim().is_empty() {
                        "field.required"
                    } else {
                        "catalogue.seats_range"
                    },
                );
                None
            }
        };
        let place = text(&mut checks, "place", &form.place, 300, false);
        if let (Some(starts_on), Some(ends_on), Some(mode), Some(seats)) =
            (starts_on, ends_on, mode, seats)
        {
            let plan = OccasionPlan {
                starts_on,
                ends_on,
                mode,
                opens_on,
                closes_on,
                seats,
            };
            for (field, key) in plan.problems() {
                checks.fail(field, key);
            }
            checks.finish()?;
            return Ok(NewOccasion {
                starts_on,
                ends_on,
                application_mode: mode,
                opens_on,
                closes_on,
                seats,
                place,
            });
        }
        checks.finish()?;
        Err(AppError::bug("occasion checks incomplete"))
    }

    /// Adds an occasion to an offering (`occasion_id` `None`) or changes one. Sessions must stay
    /// within the occasion's dates.
    ///
    /// # Errors
    /// [`AppError::Validation`], a refusal, [`AppError::NotFound`].
    pub async fn save_occasion(
        &self,
        actor: &Actor,
        offering_id: i64,
        occasion_id: Option<i64>,
        form: &OccasionForm,
    ) -> Result<i64> {
        let o = self.offering_for_edit(actor, offering_id).await?;
        let occasion = Self::check_occasion(form)?;
        if let Some(id) = occasion_id {
            let outside = self.store.offering_sessions(id).await?.iter().any(|s| {
                s.starts_at.date() < occasion.starts_on || s.ends_at.date() > occasion.ends_on
            });
            if outside {
                return Err(AppError::invalid(
                    "starts_on",
                    "catalogue.sessions_outside_dates",
                ));
            }
        }
        let audit = AuditRecord::new(
            actor.user_id,
            "occasion.save",
            format!("offering:{offering_id}"),
        )
        .in_organisation(o.provider_id.unwrap_or_default())
        .with_detail(format!("{} – {}", occasion.starts_on, occasion.ends_on));
        let id = self
            .store
            .save_occasion(offering_id, occasion_id, &occasion, now(), &audit)
            .await
            .map_err(not_found)?;
        self.after_catalogue_write().await;
        Ok(id)
    }

    /// # Errors
    /// A refusal, [`AppError::NotFound`]; a published offering keeps at least one occasion.
    pub async fn delete_occasion(
        &self,
        actor: &Actor,
        offering_id: i64,
        occasion_id: i64,
    ) -> Result<()> {
        let o = self.offering_for_edit(actor, offering_id).await?;
        if o.status == OfferingStatus::Published
            && self.store.occasions(offering_id).await?.len() <= 1
        {
            return Err(AppError::invalid(
                "occasions",
                "catalogue.publish_needs_occasion",
            ));
        }
        // Enrolments are the follow-up's record of who took part: never deleted with a date.
        if !self.store.enrolments(occasion_id).await?.is_empty() {
            return Err(AppError::Conflict {
                code: "occasion_has_enrolments",
                message_key: "enrolment.occasion_has_enrolments",
            });
        }
        let audit = AuditRecord::new(
            actor.user_id,
            "occasion.delete",
            format!("offering:{offering_id}"),
        )
        .in_organisation(o.provider_id.unwrap_or_default())
        .with_detail(format!("occasion:{occasion_id}"));
        self.store
            .delete_occasion(offering_id, occasion_id, now(), &audit)
            .await
            .map_err(not_found)?;
        self.after_catalogue_write().await;
        Ok(())
    }

    /// The occasion and its offering, for an editor.
    async fn occasion_for_edit(
        &self,
        actor: &Actor,
        occasion_id: i64,
    ) -> Result<(Offering, Occasion)> {
        let occasion = self.store.occasion(occasion_id).await.map_err(not_found)?;
        let o = self.offering_for_edit(actor, occasion.offering_id).await?;
        Ok((o, occasion))
    }

    /// Adds one session, or `repeat` weekly sessions from the given date (13 online meetings
    /// in one go). All must fall within the occasion, or none is added.
    ///
    /// # Errors
    /// [`AppError::Validation`], a refusal, [`AppError::NotFound`].
    pub async fn add_sessions(
        &self,
        actor: &Actor,
        occasion_id: i64,
        form: &SessionForm,
    ) -> Result<usize> {
        let (o, occasion) = self.occasion_for_edit(actor, occasion_id).await?;
        let mut checks = Checks::new();
        let day = date(&form.date);
        if day.is_none() {
            checks.fail(
                "date",
                if form.date.trim().is_empty() {
                    "field.required"
                } else {
                    "field.date_invalid"
                },
            );
        }
        let time = |checks: &mut Checks, field, v: &str| {
            let t = NaiveTime::parse_from_str(v.trim(), "%H:%M").ok();
            if t.is_none() {
                checks.fail(
                    field,
                    if v.trim().is_empty() {
                        "field.required"
                    } else {
                        "catalogue.time_invalid"
                    },
                );
            }
            t
        };
        let start = time(&mut checks, "start_time", &form.start_time);
        let end = time(&mut checks, "end_time", &form.end_time);
        let title = text(&mut checks, "title", &form.title, 200, false);
        let link = text(&mut checks, "link", &form.link, 500, false);
        if !link.is_empty() && !link.starts_with("https://") {
            checks.fail("link", "catalogue.link_https");
        }
        let repeat = match form.repeat.trim() {
            "" => 1,
            v => v
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=MAX_SESSIONS).contains(n))
                .unwrap_or_else(|| {
                    checks.fail("repeat", "catalogue.repeat_range");
                    1
                }),
        };
        checks.finish()?;
        let (Some(day), Some(start), Some(end)) = (day, start, end) else {
            return Err(AppError::bug("session checks incomplete"));
        };
        let mut sessions = Vec::new();
        for week in 0..repeat {
            let d = day + Duration::weeks(week);
            let (starts_at, ends_at) = (NaiveDateTime::new(d, start), NaiveDateTime::new(d, end));
            let problems = catalogue::session_problems(
                occasion.starts_on,
                occasion.ends_on,
                starts_at,
                ends_at,
            );
            if let Some((field, key)) = problems.first() {
                let field = if *field == "starts_at" {
                    "date"
                } else {
                    "end_time"
                };
                return Err(AppError::invalid(field, key));
            }
            let title = if title.is_empty() {
                format!("Träff {}", week + 1)
            } else if repeat > 1 {
                format!("{title} {}", week + 1)
            } else {
                title.clone()
            };
            sessions.push(NewSession {
                starts_at,
                ends_at,
                title,
                link: link.clone(),
            });
        }
        let audit = AuditRecord::new(actor.user_id, "session.add", format!("offering:{}", o.id))
            .in_organisation(o.provider_id.unwrap_or_default())
            .with_detail(format!("{} sessions from {day}", sessions.len()));
        self.store
            .add_offering_sessions(occasion_id, &sessions, now(), &audit)
            .await?;
        Ok(sessions.len())
    }

    /// # Errors
    /// A refusal, [`AppError::NotFound`].
    pub async fn delete_session(
        &self,
        actor: &Actor,
        occasion_id: i64,
        session_id: i64,
    ) -> Result<()> {
        let (o, _) = self.occasion_for_edit(actor, occasion_id).await?;
        let audit = AuditRecord::new(
            actor.user_id,
            "session.delete",
            format!("offering:{}", o.id),
        )
        .in_organisation(o.provider_id.unwrap_or_default());
        self.store
            .delete_offering_session(occasion_id, session_id, now(), &audit)
            .await
            .map_err(not_found)
    }

    /// The occasion's sessions as an iCalendar file, for anyone who may see the offering.
    ///
    /// # Errors
    /// [`AppError::NotFound`].
    pub async fn occasion_calendar(
        &self,
        actor: &Actor,
        occasion_id: i64,
    ) -> Result<(String, String)> {
        let occasion = self.store.occasion(occasion_id).await.map_err(not_found)?;
        let offering = self
            .store
            .offering(occasion.offering_id)
            .await
            .map_err(not_found)?;
        self.authorize_view(actor, &offering).await?;
        let sessions = self.store.offering_sessions(occasion_id).await?;
        let events: Vec<larnav_ingest::ical::Event> = sessions
            .iter()
            .map(|s| larnav_ingest::ical::Event {
                uid: format!("session-{}@larnav", s.id),
                starts_at: s.starts_at,
                ends_at: s.ends_at,
                summary: format!("{} – {}", offering.title, s.title),
                location: if s.link.is_empty() {
                    occasion.place.clone()
                } else {
                    s.link.clone()
                },
                url: s.link.clone(),
            })
            .collect();
        let file = format!("tillfalle-{occasion_id}.ics");
        Ok((
            file,
            larnav_ingest::ical::calendar(&offering.title, &events, now()),
        ))
    }

    /// An organisation's teachers.
    ///
    /// # Errors
    /// A refusal.
    pub async fn teachers(&self, actor: &Actor, organisation_id: i64) -> Result<Vec<Teacher>> {
        self.authorize(actor, Action::ManageOfferings(organisation_id))
            .await?;
        Ok(self.store.teachers(organisation_id).await?)
    }

    /// # Errors
    /// [`AppError::Validation`], a refusal.
    pub async fn create_teacher(
        &self,
        actor: &Actor,
        organisation_id: i64,
        form: &TeacherForm,
    ) -> Result<i64> {
        self.authorize(actor, Action::ManageOfferings(organisation_id))
            .await?;
        let mut checks = Checks::new();
        let name = text(&mut checks, "name", &form.name, 200, true);
        let email = match form.email.trim() {
            "" => String::new(),
            v => match Email::parse(v) {
                Ok(e) => String::from(e),
                Err(_) => {
                    checks.fail("email", "field.email_invalid");
                    String::new()
                }
            },
        };
        let capacity = number(&form.capacity_hours).filter(|h| (0.0..=3000.0).contains(h));
        if capacity.is_none() {
            checks.fail("capacity_hours", "catalogue.hours_invalid");
        }
        checks.finish()?;
        let audit = AuditRecord::new(actor.user_id, "teacher.create", "")
            .in_organisation(organisation_id)
            .with_detail(name.clone());
        Ok(self
            .store
            .create_teacher(
                organisation_id,
                &name,
                &email,
                capacity.unwrap_or_default(),
                now(),
                &audit,
            )
            .await?)
    }

    /// Sets a teacher's hours on an occasion (0 removes the teacher from it). When more hours
    /// would take the teacher over their yearly capacity, nothing is saved and the warning is
    /// returned — unless `over_capacity_ok` says the person saw it and saves anyway.
    ///
    /// # Errors
    /// [`AppError::Validation`] for hours out of range or a teacher of another organisation.
    pub async fn set_staffing(
        &self,
        actor: &Actor,
        occasion_id: i64,
        teacher_id: i64,
        hours: &str,
        over_capacity_ok: bool,
    ) -> Result<Option<OverCapacity>> {
        let (o, occasion) = self.occasion_for_edit(actor, occasion_id).await?;
        let provider = o.provider_id.unwrap_or_default();
        let teachers = self.store.teachers(provider).await?;
        let Some(teacher) = teachers.iter().find(|t| t.id == teacher_id) else {
            return Err(AppError::invalid("teacher_id", "catalogue.teacher_unknown"));
        };
        let hours = number(hours)
            .filter(|h| (0.0..=2000.0).contains(h))
            .ok_or_else(|| AppError::invalid("hours", "catalogue.hours_invalid"))?;
        if !over_capacity_ok {
            // The teacher's years with this change, against their capacity: warn when more
            // hours take a year over it.
            let mut before = 0.0;
            let mut assignments: Vec<Assignment> = Vec::new();
            for s in self.store.staffing(None, Some(provider)).await? {
                if s.teacher_id != teacher_id {
                    continue;
                }
                if s.occasion_id == occasion_id {
                    before = s.hours;
                    continue;
                }
                assignments.push(Assignment {
                    teacher_id,
                    starts_on: s.starts_on,
                    ends_on: s.ends_on,
                    hours: s.hours,
                });
            }
            assignments.push(Assignment {
                teacher_id,
                starts_on: occasion.starts_on,
                ends_on: occasion.ends_on,
                hours,
            });
            let worst = catalogue::teacher_loads(&assignments, |_| teacher.capacity_hours)
                .into_iter()
                .filter(|l| l.is_over())
                .max_by(|a, b| a.share().total_cmp(&b.share()));
            if let Some(l) = worst.filter(|_| hours > before) {
                return Ok(Some(OverCapacity {
                    teacher_name: teacher.name.clone(),
                    year: l.year,
                    percent: if l.share().is_finite() {
                        (l.share() * 100.0).round() as i64
                    } else {
                        999
                    },
                }));
            }
        }
        let audit = AuditRecord::new(actor.user_id, "staffing.set", format!("offering:{}", o.id))
            .in_organisation(provider)
            .with_detail(format!("teacher:{teacher_id} {hours} h"));
        self.store
            .set_staffing(occasion_id, teacher_id, hours, now(), &audit)
            .await?;
        Ok(None)
    }

    /// Each teacher's planned hours per year against their capacity, over all occasions.
    ///
    /// # Errors
    /// A refusal.
    pub async fn teacher_load(&self, actor: &Actor, organisation_id: i64) -> Result<Vec<LoadRow>> {
        let teachers = self.teachers(actor, organisation_id).await?;
        let staffing = self.store.staffing(None, Some(organisation_id)).await?;
        let assignments: Vec<Assignment> = staffing
            .iter()
            .map(|s| Assignment {
                teacher_id: s.teacher_id,
                starts_on: s.starts_on,
                ends_on: s.ends_on,
                hours: s.hours,
            })
            .collect();
        let capacity = |id: i64| {
            teachers
                .iter()
                .find(|t| t.id == id)
                .map_or(0.0, |t| t.capacity_hours)
        };
        let loads: Vec<TeacherLoad> = catalogue::teacher_loads(&assignments, capacity);
        Ok(loads
            .into_iter()
            .filter_map(|l| {
                let teacher = teachers.iter().find(|t| t.id == l.teacher_id)?.clone();
                Some(LoadRow {
                    over_capacity: l.is_over(),
                    percent: if l.share().is_finite() {
                        (l.share() * 100.0).round() as i64
                    } else {
                        999
                    },
                    year: l.year,
                    planned_hours: l.planned_hours,
                    occasions: l.occasions,
                    teacher,
                })
            })
            .collect())
    }

    /// Organisations an offering can be contract education for (employers), by name.
    ///
    /// # Errors
    /// A store error.
    pub async fn employer_choices(&self) -> Result<Vec<(i64, String)>> {
        let mut orgs: Vec<(i64, String)> = self
            .store
            .list_organisations(None, 10_000, 0)
            .await?
            .into_iter()
            .filter(|o| o.kind == larnav_domain::OrganisationKind::Employer)
            .map(|o| (o.id, o.name))
            .collect();
        larnav_domain::text::sort_swedish_by(&mut orgs, |o| &o.1);
        Ok(orgs)
    }
}

/// Today's date in Sweden (the catalogue's dates are Swedish calendar dates).
pub fn today_in_sweden() -> NaiveDate {
    crate::i18n::swedish_date(chrono::Utc::now())
}

pub(crate) fn plan_of(o: &Occasion) -> OccasionPlan {
    OccasionPlan {
        starts_on: o.starts_on,
        ends_on: o.ends_on,
        mode: o.application_mode,
        opens_on: o.opens_on,
        closes_on: o.closes_on,
        seats: o.seats,
    }
}

/// `YYYY-MM` of a date, the start-month facet's value.
pub fn month_key(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}
