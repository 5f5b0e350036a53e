//! Employer need reports: filed one at a time on a form, or many at once from a CSV/XLSX file
//! (all or nothing), by an employer's contact or by a competence broker on its behalf.

use std::collections::HashMap;

use larnav_domain::text::fold;
use larnav_domain::{Action, Actor, OrganisationKind, Role};
use larnav_store::{AuditRecord, NeedReport, NewNeedReport, Organisation};
use serde::{Deserialize, Deserializer};

use crate::accounts::not_found;
use crate::error::Checks;
use crate::import_table::{ImportTable, problem};
use crate::{App, AppError, Result, now};

/// The most rows one import may have.
pub const MAX_IMPORT_ROWS: usize = 10_000;
/// The most people one report may name in one column.
pub const MAX_PEOPLE: i64 = 100_000;

/// The columns of the import template, in order, with what each holds.
pub const TEMPLATE_COLUMNS: [(&str, &str); 8] = [
    ("arbetsgivare", "employer_name"),
    ("ssyk", "ssyk_code"),
    ("kommun", "kommun_code"),
    ("behov_nu", "needed_now"),
    ("behov_inom_1_ar", "needed_1y"),
    ("behov_inom_3_ar", "needed_3y"),
    ("svarighet", "difficulty"),
    ("kommentar", "comment"),
];

/// A need report as a form or API request sends it. Numbers may come as text or numbers.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NeedForm {
    /// The employer: required when a broker files; defaults to the filing employer's name.
    pub employer_name: String,
    /// An SSYK-4 code, or text that starts with one ("5321 Undersköterskor …").
    pub ssyk_code: String,
    /// A kommun code or name.
    pub kommun_code: String,
    #[serde(deserialize_with = "text")]
    #[schema(value_type = String)]
    pub needed_now: String,
    #[serde(deserialize_with = "text")]
    #[schema(value_type = String)]
    pub needed_1y: String,
    #[serde(deserialize_with = "text")]
    #[schema(value_type = String)]
    pub needed_3y: String,
    /// 1 (easy) to 5 (very hard).
    #[serde(deserialize_with = "text")]
    #[schema(value_type = String)]
    pub difficulty: String,
    pub comment: String,
}

fn text<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        S(String),
        I(i64),
        F(f64),
    }
    Ok(match Text::deserialize(d)? {
        Text::S(s) => s,
        Text::I(i) => i.to_string(),
        Text::F(f) => f.to_string(),
    })
}

/// What the import did.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct NeedImport {
    pub reports: usize,
    pub people_now: i64,
    /// Reports filed before that the file's rows replaced (with [`RepeatedRows::Replace`]).
    pub replaced: usize,
}

/// What an import does with rows equal to reports the organisation filed before (same
/// employer, occupation, kommun, numbers, difficulty and comment) — a file uploaded twice, or
/// an updated file that repeats most of the last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RepeatedRows {
    /// Refuse the file (409 `import_repeated`) so that the person decides.
    #[default]
    Ask,
    /// Remove the earlier equal reports, then add every row: the file replaces them.
    Replace,
    /// Add every row although some repeat earlier reports.
    Add,
}

impl RepeatedRows {
    /// The choice as a form sends it: `replace`, `add`, anything else asks.
    pub fn parse(s: &str) -> Self {
        match s {
            "replace" => Self::Replace,
            "add" => Self::Add,
            _ => Self::Ask,
        }
    }
}

/// The fields that make two need reports the same report: employer, occupation, kommun, the
/// numbers with the difficulty, and the comment.
type ReportKey = (String, String, String, [i64; 4], String);

fn report_key(
    employer: &str,
    ssyk: &str,
    kommun: &str,
    numbers: [i64; 4],
    comment: &str,
) -> ReportKey {
    (
        employer.to_string(),
        ssyk.to_string(),
        kommun.to_string(),
        numbers,
        comment.to_string(),
    )
}

/// Codes and names the checks look values up in.
struct Lookups {
    groups: HashMap<String, String>,
    group_names: HashMap<String, String>,
    kommuner: HashMap<String, String>,
    kommun_names: HashMap<String, String>,
}

/// One value's problem: the field and the expected-text key.
type Problem = (&'static str, &'static str);

impl Lookups {
    fn ssyk(&self, value: &str) -> std::result::Result<String, Problem> {
        let v = value.trim();
        let code: String = v.chars().take_while(char::is_ascii_digit).collect();
        if code.len() == 4 && self.groups.contains_key(&code) {
            return Ok(code);
        }
        if let Some(code) = self.group_names.get(&fold(v)) {
            return Ok(code.clone());
        }
        Err((
            "ssyk_code",
            if v.is_empty() {
                "field.required"
            } else {
                "field.ssyk_unknown"
            },
        ))
    }

    fn kommun(&self, value: &str) -> std::result::Result<String, Problem> {
        let v = value.trim();
        // Excel drops the leading zero of 0180 (Stockholm): accept three digits too.
        let padded = if v.len() == 3 && v.bytes().all(|b| b.is_ascii_digit()) {
            format!("0{v}")
        } else {
            v.to_string()
        };
        if self.kommuner.contains_key(&padded) {
            return Ok(padded);
        }
        if let Some(code) = self.kommun_names.get(&fold(v)) {
            return Ok(code.clone());
        }
        Err((
            "kommun_code",
            if v.is_empty() {
                "field.required"
            } else {
                "field.kommun_unknown"
            },
        ))
    }
}

fn count(field: &'static str, value: &str, max: i64) -> std::result::Result<i64, Problem> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(0);
    }
    match v.parse::<i64>() {
        Ok(n) if (0..=max).contains(&n) => Ok(n),
        _ if field == "difficulty" => Err((field, "field.difficulty")),
        _ => Err((field, "field.people")),
    }
}

fn take<T>(problems: &mut Vec<Problem>, r: std::result::Result<T, Problem>) -> Option<T> {
    r.map_err(|p| problems.push(p)).ok()
}

/// Checks one report: every problem, or the report to store.
fn check_report(
    form: &NeedForm,
    org: &Organisation,
    lookups: &Lookups,
) -> std::result::Result<NewNeedReport, Vec<Problem>> {
    let mut problems = Vec::new();
    let is_employer = org.kind == OrganisationKind::Employer;
    let employer = form.employer_name.trim();
    let employer_name = match (employer.is_empty(), is_employer) {
        (true, true) => Some(org.name.clone()),
        (true, false) => take(
            &mut problems,
            Err(("employer_name", "field.employer_required")),
        ),
        (false, _) if employer.chars().count() > 200 => {
            take(&mut problems, Err(("employer_name", "field.name_invalid")))
        }
        (false, _) => Some(employer.to_string()),
    };
    let ssyk = take(&mut problems, lookups.ssyk(&form.ssyk_code));
    let kommun = take(&mut problems, lookups.kommun(&form.kommun_code));
    let now = take(
        &mut problems,
        count("needed_now", &form.needed_now, MAX_PEOPLE),
    );
    let y1 = take(
        &mut problems,
        count("needed_1y", &form.needed_1y, MAX_PEOPLE),
    );
    let y3 = take(
        &mut problems,
        count("needed_3y", &form.needed_3y, MAX_PEOPLE),
    );
    let difficulty = match form.difficulty.trim() {
        "" => take(&mut problems, Err(("difficulty", "field.difficulty"))),
        d => take(
            &mut problems,
            count("difficulty", d, 5).and_then(|d| {
                if d >= 1 {
                    Ok(d)
                } else {
                    Err(("difficulty", "field.difficulty"))
                }
            }),
        ),
    };
    let comment = form.comment.trim();
    if comment.chars().count() > 2000 {
        problems.push(("comment", "field.too_long"));
    }
    if let (Some(n), Some(a), Some(b)) = (now, y1, y3)
        && n + a + b == 0
    {
        problems.push(("needed_now", "field.people_none"));
    }
    match (employer_name, ssyk, kommun, now, y1, y3, difficulty) {
        (Some(e), Some(s), Some(k), Some(n), Some(a), Some(b), Some(d)) if problems.is_empty() => {
            Ok(NewNeedReport {
                on_behalf: !is_employer,
                employer_name: e,
                ssyk_code: s,
                kommun_code: k,
                needed_now: n,
                needed_1y: a,
                needed_3y: b,
                difficulty: d,
                comment: comment.to_string(),
            })
        }
        _ => Err(problems),
    }
}

impl App {
    async fn need_lookups(&self) -> Result<Lookups> {
        let groups = self.store.list_occupation_groups_at_level(4).await?;
        let kommuner = self.store.list_kommuner(None).await?;
        Ok(Lookups {
            group_names: groups
                .iter()
                .map(|g| (fold(&g.name), g.code.clone()))
                .collect(),
            groups: groups.into_iter().map(|g| (g.code, g.name)).collect(),
            kommun_names: kommuner
                .iter()
                .map(|k| (fold(&k.name), k.code.clone()))
                .collect(),
            kommuner: kommuner.into_iter().map(|k| (k.code, k.name)).collect(),
        })
    }

    async fn filing_organisation(
        &self,
        actor: &Actor,
        organisation_id: i64,
    ) -> Result<Organisation> {
        self.authorize(actor, Action::ReportNeeds(organisation_id))
            .await?;
        self.store
            .get_organisation(organisation_id)
            .await
            .map_err(not_found)
    }

    /// Files one need report for the organisation.
    ///
    /// # Errors
    /// [`AppError::Validation`] naming every invalid field, or a refusal.
    pub async fn report_need(
        &self,
        actor: &Actor,
        organisation_id: i64,
        form: &NeedForm,
    ) -> Result<()> {
        let org = self.filing_organisation(actor, organisation_id).await?;
        let lookups = self.need_lookups().await?;
        let report = check_report(form, &org, &lookups).map_err(|problems| {
            let mut checks = Checks::new();
            for (field, key) in problems {
                checks.fail(field, key);
            }
            checks.finish().err().unwrap_or(AppError::NotFound)
        })?;
        let audit = AuditRecord::new(
            actor.user_id,
            "need.report",
            format!("organisation:{organisation_id}"),
        )
        .in_organisation(organisation_id)
        .with_detail(format!("{} {}", report.ssyk_code, report.kommun_code));
        self.store
            .create_need_reports(
                organisation_id,
                &[report],
                &[],
                actor.user_id,
                now(),
                &audit,
            )
            .await?;
        Ok(())
    }

    /// Imports need reports from a CSV or XLSX file laid out like the template. All or nothing:
    /// any problem rejects the file, listing every problem by line and field. Rows equal to
    /// reports the organisation filed before are handled as `repeated` says: by default the
    /// file is refused so that the person chooses to replace them or add the rows anyway.
    ///
    /// # Errors
    /// [`AppError::ImportRejected`], `import_repeated`, or a refusal.
    pub async fn import_needs(
        &self,
        actor: &Actor,
        organisation_id: i64,
        file: &[u8],
        repeated: RepeatedRows,
    ) -> Result<NeedImport> {
        let org = self.filing_organisation(actor, organisation_id).await?;
        crate::uploads::Upload::NeedFile.check_size(file)?;
        let table = ImportTable::read(
            file,
            &TEMPLATE_COLUMNS,
            &["ssyk_code", "kommun_code", "difficulty"],
            MAX_IMPORT_ROWS,
        )?;
        let lookups = self.need_lookups().await?;
        let mut reports = Vec::with_capacity(table.rows.len());
        let mut problems = Vec::new();
        for (line, cells) in &table.rows {
            let cell = |name: &str| table.cell(cells, name);
            let form = NeedForm {
                employer_name: cell("employer_name"),
                ssyk_code: cell("ssyk_code"),
                kommun_code: cell("kommun_code"),
                needed_now: cell("needed_now"),
                needed_1y: cell("needed_1y"),
                needed_3y: cell("needed_3y"),
                difficulty: cell("difficulty"),
                comment: cell("comment"),
            };
            match check_report(&form, &org, &lookups) {
                Ok(r) => reports.push(r),
                Err(found) => problems.extend(
                    found
                        .into_iter()
                        .map(|(field, key)| problem(*line, table.column(field), &cell(field), key)),
                ),
            }
        }
        if !problems.is_empty() {
            return Err(AppError::ImportRejected(problems));
        }
        let rows: std::collections::HashSet<ReportKey> = reports
            .iter()
            .map(|r| {
                let numbers = [r.needed_now, r.needed_1y, r.needed_3y, r.difficulty];
                report_key(
                    &r.employer_name,
                    &r.ssyk_code,
                    &r.kommun_code,
                    numbers,
                    &r.comment,
                )
            })
            .collect();
        let earlier: Vec<i64> = self
            .store
            .list_need_reports(Some(organisation_id))
            .await?
            .into_iter()
            .filter(|e| {
                let numbers = [e.needed_now, e.needed_1y, e.needed_3y, e.difficulty];
                rows.contains(&report_key(
                    &e.employer_name,
                    &e.ssyk_code,
                    &e.kommun_code,
                    numbers,
                    &e.comment,
                ))
            })
            .map(|e| e.id)
            .collect();
        let replacing: &[i64] = match repeated {
            _ if earlier.is_empty() => &[],
            RepeatedRows::Ask => {
                return Err(AppError::Conflict {
                    code: "import_repeated",
                    message_key: "needs.import_repeated",
                });
            }
            RepeatedRows::Replace => &earlier,
            RepeatedRows::Add => &[],
        };
        let people_now = reports.iter().map(|r| r.needed_now).sum();
        let audit = AuditRecord::new(
            actor.user_id,
            "need.import",
            format!("organisation:{organisation_id}"),
        )
        .in_organisation(organisation_id)
        .with_detail(format!(
            "{} reports, {} earlier replaced",
            reports.len(),
            replacing.len()
        ));
        self.store
            .create_need_reports(
                organisation_id,
                &reports,
                replacing,
                actor.user_id,
                now(),
                &audit,
            )
            .await?;
        tracing::info!(reports = reports.len(), "need reports imported");
        Ok(NeedImport {
            reports: reports.len(),
            people_now,
            replaced: replacing.len(),
        })
    }

    /// The need reports an organisation filed (its members), or, for analysts, every report
    /// about a kommun in their organisations' areas (platform administrators: all of them).
    ///
    /// # Errors
    /// A refusal or a store error.
    pub async fn need_reports(
        &self,
        actor: &Actor,
        organisation_id: Option<i64>,
    ) -> Result<Vec<NeedReport>> {
        if let Some(org) = organisation_id {
            self.authorize(actor, Action::ViewNeedReports(org)).await?;
            return Ok(self.store.list_need_reports(Some(org)).await?);
        }
        self.authorize(actor, Action::AnalyseSignals).await?;
        let mut reports = self.store.list_need_reports(None).await?;
        if let Some(scope) = self.analyst_kommuner(actor).await? {
            reports.retain(|r| scope.contains(&r.kommun_code));
        }
        Ok(reports)
    }

    /// The kommuner an analyst's rights cover: for each organisation in which the actor is an
    /// analyst, the kommuner of its own areas and of the län it sits in. `None`: no limit
    /// (platform administrators and the system).
    pub(crate) async fn analyst_kommuner(
        &self,
        actor: &Actor,
    ) -> Result<Option<std::collections::HashSet<String>>> {
        if actor.platform_admin || actor.system {
            return Ok(None);
        }
        let mut scope = std::collections::HashSet::new();
        for m in actor.memberships.iter().filter(|m| m.role == Role::Analyst) {
            for area in self.store.list_areas(Some(m.organisation_id)).await? {
                scope.extend(area.kommuner.into_iter().map(|k| k.code));
            }
            let org = self.store.get_organisation(m.organisation_id).await?;
            if let Some(kommun) = org.kommun_code {
                let lan = self.store.get_kommun(&kommun).await?.lan_code;
                let kommuner = self.store.list_kommuner(Some(&lan)).await?;
                scope.extend(kommuner.into_iter().map(|k| k.code));
            }
        }
        Ok(Some(scope))
    }

    /// The choices for the occupation field: each SSYK-4 group and each occupation name, as
    /// "5321 Undersköterskor, hemtjänst, …" and "5321 Undersköterska, hemtjänst", in Swedish
    /// order of the name. The form reads the leading code.
    ///
    /// # Errors
    /// A store error.
    pub async fn occupation_choices(&self) -> Result<Vec<String>> {
        let mut named = self.occupation_names().await?;
        named.sort_by(|a, b| larnav_domain::text::compare_swedish(&a.1, &b.1));
        named.dedup();
        Ok(named
            .into_iter()
            .map(|(code, name)| format!("{code} {name}"))
            .collect())
    }

    /// Withdraws a report: whoever may file for its organisation.
    ///
    /// # Errors
    /// [`AppError::NotFound`] or a refusal.
    pub async fn delete_need_report(&self, actor: &Actor, id: i64) -> Result<i64> {
        let report = self.store.get_need_report(id).await.map_err(not_found)?;
        self.authorize(actor, Action::ReportNeeds(report.organisation_id))
            .await?;
        let audit = AuditRecord::new(actor.user_id, "need.delete", format!("need_report:{id}"))
            .in_organisation(report.organisation_id)
            .with_detail(format!("{} {}", report.ssyk_code, report.kommun_code));
        self.store
            .delete_need_report(id, now(), &audit)
            .await
            .map_err(not_found)?;
        Ok(report.organisation_id)
    }
}

/// Why a file could not be read at all, as (value, message key) of an import problem: a
/// workbook over the size limits names what is too large.
/// The import template: the column names, one example row and nothing else.
pub fn need_template() -> (Vec<&'static str>, Vec<Vec<String>>) {
    (
        TEMPLATE_COLUMNS.iter().map(|(sv, _)| *sv).collect(),
        vec![
            [
                "Hälsinge Vård & Omsorg AB",
                "5321",
                "2184",
                "4",
                "6",
                "10",
                "4",
                "Nattpersonal till äldreboende",
            ]
            .map(String::from)
            .to_vec(),
        ],
    )
}
