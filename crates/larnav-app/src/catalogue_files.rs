//! A provider's own offerings as files: a CSV/XLSX list imported as drafts (all or nothing,
//! every problem by line and column), and the provider's offerings exported as CSV, XLSX or
//! the documented JSON format (`docs/catalogue-export.md`).

use chrono::{DateTime, Utc};
use larnav_domain::catalogue::{CreditKind, Format, OfferingKind, Payer};
use larnav_domain::text::fold;
use larnav_domain::{Action, Actor};
use larnav_store::{AuditRecord, Occasion, Offering, OfferingOccupation, OfferingSession};
use serde::Serialize;

use crate::catalogue::{OccasionForm, OfferingForm};
use crate::i18n::{Lang, Tr};
use crate::import_table::{ImportTable, problem};
use crate::{App, AppError, ImportProblem, Result, now};

/// The file's columns: the Swedish header people see, the form field it fills.
pub const OFFERING_COLUMNS: [(&str, &str); 21] = [
    ("titel", "title"),
    ("kort_beskrivning", "summary"),
    ("beskrivning", "description"),
    ("utbildningsform", "kind"),
    ("yrken_ssyk", "ssyk_codes"),
    ("sun", "sun_field"),
    ("seqf", "seqf_level"),
    ("poang", "credits"),
    ("poangsystem", "credit_kind"),
    ("studietakt", "pace_percent"),
    ("studieform", "format"),
    ("kommun", "kommun_code"),
    ("adress", "address"),
    ("sprak", "language"),
    ("pris", "price_sek"),
    ("betalare", "payer"),
    ("behorighet", "eligibility"),
    ("lank", "url"),
    ("start", "starts_on"),
    ("slut", "ends_on"),
    ("platser", "seats"),
];

/// Columns a file must have.
const REQUIRED: [&str; 3] = ["title", "kind", "format"];

/// The most rows one file may hold.
pub const MAX_OFFERING_ROWS: usize = 2_000;

/// What an import created.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfferingImport {
    /// Drafts created, in the file's order.
    pub created: Vec<i64>,
    /// How many of them got an occasion from the file.
    pub with_occasion: usize,
}

/// The JSON export (`docs/catalogue-export.md`): format name and version, when, whose.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CatalogueExport {
    /// Always `larnav.catalogue`; `version` changes only with incompatible changes.
    pub format: &'static str,
    pub version: u32,
    pub exported_at: DateTime<Utc>,
    pub provider_id: i64,
    pub offerings: Vec<ExportedOffering>,
}

/// One offering with its occupations and occasions (teachers are not exported: they are
/// people's data and stay in Lärnav).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportedOffering {
    #[serde(flatten)]
    pub offering: Offering,
    pub occupations: Vec<OfferingOccupation>,
    pub occasions: Vec<ExportedOccasion>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportedOccasion {
    #[serde(flatten)]
    pub occasion: Occasion,
    pub sessions: Vec<OfferingSession>,
}

/// A choice cell: the key (`contract_education`) or its Swedish or English label
/// (`Uppdragsutbildning`), in any case; empty stays empty (the form check reports it).
fn choice<T: Copy>(value: &str, all: &[T], key: fn(T) -> &'static str, prefix: &str) -> String {
    let v = fold(value.trim());
    if v.is_empty() {
        return String::new();
    }
    let label = |lang, k: &str| fold(Tr::new(lang).t(&format!("{prefix}.{k}")));
    all.iter()
        .map(|t| key(*t))
        .find(|k| fold(k) == v || label(Lang::Sv, k) == v || label(Lang::En, k) == v)
        .map_or_else(|| value.trim().to_string(), str::to_string)
}

impl App {
    /// Imports a provider's list of offerings as drafts, each with an occasion where the row
    /// has dates. All or nothing: any problem rejects the file, listing every problem by line,
    /// column and value.
    ///
    /// # Errors
    /// [`AppError::ImportRejected`]; a refusal.
    pub async fn import_offerings(
        &self,
        actor: &Actor,
        provider_id: i64,
        file: &[u8],
    ) -> Result<OfferingImport> {
        self.authorize(actor, Action::ManageOfferings(provider_id))
            .await?;
        crate::uploads::Upload::OfferingFile.check_size(file)?;
        let table = ImportTable::read(file, &OFFERING_COLUMNS, &REQUIRED, MAX_OFFERING_ROWS)?;
        let mut drafts = Vec::with_capacity(table.rows.len());
        let mut problems = Vec::new();
        for (line, cells) in &table.rows {
            let cell = |field: &str| table.cell(cells, field);
            let or = |v: String, default: &str| if v.is_empty() { default.to_string() } else { v };
            let form = OfferingForm {
                title: cell("title"),
                summary: cell("summary"),
                description: cell("description"),
                kind: choice(
                    &cell("kind"),
                    OfferingKind::ALL,
                    OfferingKind::as_str,
                    "offering_kind",
                ),
                ssyk_codes: cell("ssyk_codes"),
                sun_field: cell("sun_field"),
                seqf_level: cell("seqf_level"),
                credits: cell("credits"),
                credit_kind: or(
                    choice(
                        &cell("credit_kind"),
                        CreditKind::ALL,
                        CreditKind::as_str,
                        "credit_kind",
                    ),
                    "none",
                ),
                pace_percent: or(cell("pace_percent"), "100"),
                format: choice(&cell("format"), Format::ALL, Format::as_str, "format"),
                kommun_code: cell("kommun_code"),
                address: cell("address"),
                language: or(cell("language"), "sv"),
                price_sek: cell("price_sek"),
                payer: or(
                    choice(&cell("payer"), Payer::ALL, Payer::as_str, "payer"),
                    "free",
                ),
                eligibility: cell("eligibility"),
                url: cell("url"),
                ..OfferingForm::default()
            };
            let report =
                |problems: &mut Vec<ImportProblem>, e: AppError| match e {
                    AppError::Validation(fields) => problems.extend(fields.into_iter().map(|f| {
                        problem(*line, table.column(f.field), &cell(f.field), f.message_key)
                    })),
                    other => problems.push(problem(*line, "file", "", other.message_key())),
                };
            let fields = match self.check_offering(&form, provider_id).await {
                Ok(f) => Some(f),
                Err(e) => {
                    report(&mut problems, e);
                    None
                }
            };
            let dated = !cell("starts_on").is_empty() || !cell("ends_on").is_empty();
            let occasion = if dated {
                let o = OccasionForm {
                    starts_on: cell("starts_on"),
                    ends_on: cell("ends_on"),
                    application_mode: "rolling".into(),
                    seats: or(cell("seats"), "0"),
                    ..OccasionForm::default()
                };
                match Self::check_occasion(&o) {
                    Ok(o) => Some(o),
                    Err(e) => {
                        report(&mut problems, e);
                        None
                    }
                }
            } else {
                None
            };
            if let Some(f) = fields {
                drafts.push((f, occasion));
            }
        }
        if !problems.is_empty() {
            return Err(AppError::ImportRejected(problems));
        }
        let with_occasion = drafts.iter().filter(|(_, o)| o.is_some()).count();
        let audit = AuditRecord::new(
            actor.user_id,
            "offering.import",
            format!("organisation:{provider_id}"),
        )
        .in_organisation(provider_id)
        .with_detail(format!("{} drafts", drafts.len()));
        let created = self
            .store
            .create_offerings(&drafts, actor.user_id, now(), &audit)
            .await?;
        self.after_catalogue_write().await;
        Ok(OfferingImport {
            created,
            with_occasion,
        })
    }

    /// A provider's offerings with occupations, occasions and sessions, for export.
    ///
    /// # Errors
    /// A refusal.
    pub async fn export_offerings(
        &self,
        actor: &Actor,
        provider_id: i64,
    ) -> Result<CatalogueExport> {
        let summaries = self.provider_offerings(actor, provider_id).await?;
        let mut offerings = Vec::with_capacity(summaries.len());
        for s in summaries {
            let offering = self.store.offering(s.id).await?;
            let occupations = self.store.offering_occupations(s.id).await?;
            let mut occasions = Vec::new();
            for occasion in self.store.occasions(s.id).await? {
                let sessions = self.store.offering_sessions(occasion.id).await?;
                occasions.push(ExportedOccasion { occasion, sessions });
            }
            offerings.push(ExportedOffering {
                offering,
                occupations,
                occasions,
            });
        }
        Ok(CatalogueExport {
            format: "larnav.catalogue",
            version: 1,
            exported_at: now(),
            provider_id,
            offerings,
        })
    }
}

impl CatalogueExport {
    /// The export as table rows with the import's columns (plus `id` and `status` first), one
    /// row per offering with its first occasion: a file exported can be edited and imported.
    pub fn table(&self) -> (Vec<&'static str>, Vec<Vec<String>>) {
        let mut headers = vec!["id", "status"];
        headers.extend(OFFERING_COLUMNS.iter().map(|(c, _)| *c));
        let opt = |v: Option<String>| v.unwrap_or_default();
        let rows = self
            .offerings
            .iter()
            .map(|e| {
                let o = &e.offering;
                let first = e.occasions.first().map(|c| &c.occasion);
                let codes: Vec<&str> = e.occupations.iter().map(|c| c.ssyk_code.as_str()).collect();
                vec![
                    o.id.to_string(),
                    o.status.as_str().to_string(),
                    o.title.clone(),
                    o.summary.clone(),
                    o.description.clone(),
                    o.kind.as_str().to_string(),
                    codes.join(" "),
                    opt(o.sun_field.clone()),
                    opt(o.seqf_level.map(|l| l.to_string())),
                    opt(o.credits.map(|c| c.to_string())),
                    o.credit_kind.as_str().to_string(),
                    o.pace_percent.to_string(),
                    o.format.as_str().to_string(),
                    opt(o.kommun_code.clone()),
                    o.address.clone(),
                    o.language.clone(),
                    opt(o.price_sek.map(|p| p.to_string())),
                    o.payer.clone(),
                    o.eligibility.clone(),
                    o.url.clone(),
                    opt(first.map(|c| c.starts_on.to_string())),
                    opt(first.map(|c| c.ends_on.to_string())),
                    opt(first.map(|c| c.seats.to_string())),
                ]
            })
            .collect();
        (headers, rows)
    }
}
