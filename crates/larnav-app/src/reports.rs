//! Funder reports, generated from the follow-up data in one click. Their column layouts are
//! fixed and documented in `docs/funder-reports.md`; the headers are stable keys, not
//! translated texts, because funders' systems read them.
//!
//! - **Regional vocational adult education** (analysts): per vocational field (yrkesområde) in
//!   a län and year, komvux places and participants, and how many of them trained for an
//!   occupation on the region's published priority list. Participant counts are protected.
//! - **ESF-style monthly participant file** (provider staff): one row per participant and
//!   month, the status at the month's start and end, and the outcome at 1 and 6 months. It is
//!   generated from the current data each time, so a correction shows in every month it
//!   touches. Participants are identified by their enrolment number only.

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, Months, NaiveDate};
use larnav_domain::enrolment::protect_row;
use larnav_domain::{Action, Actor};
use larnav_store::ReportedEnrolment;

use crate::{App, AppError, Result};

/// A report as a table: stable column keys and rows of text.
#[derive(Debug, Clone)]
pub struct Report {
    /// A file name without extension, e.g. `yrkesvux-21-2026`.
    pub name: String,
    pub headers: &'static [&'static str],
    pub rows: Vec<Vec<String>>,
}

/// Columns of the regional vocational adult education report.
pub const VOCATIONAL_COLUMNS: [&str; 7] = [
    "yrkesomrade",
    "yrken",
    "platser",
    "deltagare",
    "deltagare_prioriterade_yrken",
    "andel_prioriterade_procent",
    "prioriterade_yrken_pa_listan",
];

/// Columns of the ESF-style monthly participant file.
pub const ESF_COLUMNS: [&str; 16] = [
    "deltagar_id",
    "manad",
    "utbildning",
    "kommun",
    "ssyk",
    "status_manadens_borjan",
    "status_manadens_slut",
    "arbete_1_man",
    "inom_yrket_1_man",
    "arbete_6_man",
    "inom_yrket_6_man",
    "hemkommun",
    "fodelsear",
    "kon",
    "utbildningsniva_sun",
    "sysselsattning_vid_start",
];

fn year_span(year: i32) -> Result<(NaiveDate, NaiveDate)> {
    match (
        NaiveDate::from_ymd_opt(year, 1, 1).filter(|_| (2000..=2100).contains(&year)),
        NaiveDate::from_ymd_opt(year + 1, 1, 1),
    ) {
        (Some(from), Some(to)) => Ok((from, to)),
        _ => Err(AppError::invalid("year", "outcomes.year_invalid")),
    }
}

/// One vocational field's row before protection: occupations, seats, participants, those in
/// occupations on the list, and the field's occupations on the list.
#[derive(Debug, Default, Clone, Copy)]
struct FieldCounts {
    occupations: i64,
    seats: i64,
    participants: i64,
    prioritised: i64,
    listed: i64,
}

impl FieldCounts {
    fn add(&mut self, o: &Self) {
        self.occupations += o.occupations;
        self.seats += o.seats;
        self.participants += o.participants;
        self.prioritised += o.prioritised;
        self.listed += o.listed;
    }
}

fn cell(n: Option<i64>) -> String {
    n.map_or_else(|| "–".into(), |n| n.to_string())
}

impl App {
    /// Regional vocational adult education for län `lan` and `year`, against the newest
    /// priority list published for that län and year.
    ///
    /// # Errors
    /// A refusal; [`AppError::Validation`] for an unknown län or year.
    pub async fn vocational_report(&self, actor: &Actor, lan: &str, year: i32) -> Result<Report> {
        self.authorize(actor, Action::AnalyseSignals).await?;
        if self.places().await?.name(lan).is_none() || lan.len() != 2 {
            return Err(AppError::invalid("area", "outcomes.area_unknown"));
        }
        let (from, to) = year_span(year)?;
        let listed: HashSet<String> = match self
            .store
            .list_published(None)
            .await?
            .into_iter()
            .find(|p| p.area_key == lan && p.year == i64::from(year))
        {
            Some(p) => {
                let (_, entries) = self.store.get_published(p.id).await?;
                entries.into_iter().map(|e| e.ssyk_code).collect()
            }
            None => HashSet::new(),
        };
        let fields = crate::semaforen::fields();
        let mut by_field: BTreeMap<String, FieldCounts> = BTreeMap::new();
        for (ssyk, participants, seats) in self.store.vocational_rows(lan, from, to).await? {
            let field = fields
                .get(&ssyk)
                .cloned()
                .unwrap_or_else(|| "Övrigt".into());
            let prioritised = listed.contains(&ssyk);
            by_field.entry(field).or_default().add(&FieldCounts {
                occupations: 1,
                seats,
                participants,
                prioritised: if prioritised { participants } else { 0 },
                listed: i64::from(prioritised),
            });
        }
        let mut rows: Vec<(String, FieldCounts)> = by_field.into_iter().collect();
        larnav_domain::text::sort_swedish_by(&mut rows, |r| &r.0);
        let mut total = FieldCounts::default();
        for (_, r) in &rows {
            total.add(r);
        }
        rows.push(("Totalt".into(), total));
        let rows = rows
            .into_iter()
            .map(|(field, c)| {
                let (shown, parts) = protect_row(
                    c.participants,
                    &[c.prioritised, c.participants - c.prioritised],
                );
                let share = larnav_domain::enrolment::protected_share(parts[0], shown);
                vec![
                    field,
                    c.occupations.to_string(),
                    c.seats.to_string(),
                    cell(shown),
                    cell(parts[0]),
                    share.map_or_else(|| "–".into(), |s| format!("{s:.1}")),
                    c.listed.to_string(),
                ]
            })
            .collect();
        Ok(Report {
            name: format!("yrkesvux-{lan}-{year}"),
            headers: &VOCATIONAL_COLUMNS,
            rows,
        })
    }

    /// The ESF-style monthly participant file of provider `organisation` for `year`.
    ///
    /// # Errors
    /// A refusal; [`AppError::Validation`] for a year out of range.
    pub async fn esf_report(&self, actor: &Actor, organisation: i64, year: i32) -> Result<Report> {
        self.authorize(actor, Action::ManageEnrolments(organisation))
            .await?;
        let (from, to) = year_span(year)?;
        let rows = self
            .store
            .reported_enrolments(organisation, from, to)
            .await?
            .iter()
            .flat_map(|e| esf_months(e, from, to))
            .collect();
        Ok(Report {
            name: format!("esf-deltagare-{organisation}-{year}"),
            headers: &ESF_COLUMNS,
            rows,
        })
    }
}

/// The status of an enrolment as the file names it on `day` (`None`: not yet started).
fn status_on(e: &ReportedEnrolment, day: NaiveDate) -> Option<&'static str> {
    if day < e.starts_on {
        return None;
    }
    Some(match e.ended_on {
        Some(ended) if ended <= day => match e.status.as_str() {
            "completed" => "fullfoljd",
            "interrupted" => "avbruten",
            "not_passed" => "ej_godkand",
            _ => "inskriven",
        },
        _ => "inskriven",
    })
}

fn yes_no(v: Option<bool>) -> String {
    match v {
        Some(true) => "ja".into(),
        Some(false) => "nej".into(),
        None => String::new(),
    }
}

/// A birth-year band as the file writes it: `1980-1984`.
fn birth_band(first: &str) -> String {
    first
        .parse::<i32>()
        .map_or_else(|_| String::new(), |y| format!("{y}-{}", y + 4))
}

/// A reporting attribute's stored value as the file writes it (Swedish keys, like the
/// statuses); empty when not given or declined.
fn file_value(value: Option<&str>) -> &'static str {
    match value {
        Some("woman") => "kvinna",
        Some("man") => "man",
        Some("other") => "annat",
        Some("employed") => "sysselsatt",
        Some("unemployed") => "arbetslos",
        Some("studying") => "studerande",
        _ => "",
    }
}

/// One row per month of `from..to` in which the participant took part: from the month they
/// started to the month they ended (or the year's end while enrolled).
fn esf_months(e: &ReportedEnrolment, from: NaiveDate, to: NaiveDate) -> Vec<Vec<String>> {
    let first_of = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    let mut month = first_of(e.starts_on.max(from));
    let last = e.ended_on.map_or(to, |d| d.min(to));
    let mut rows = Vec::new();
    while month < to && month <= last {
        let next = month + Months::new(1);
        let month_end = next.pred_opt().unwrap_or(month);
        let start = status_on(e, month).unwrap_or("paborjar");
        let end = status_on(e, month_end).unwrap_or("ej_paborjad");
        rows.push(vec![
            e.id.to_string(),
            format!("{:04}-{:02}", month.year(), month.month()),
            e.offering_title.clone(),
            e.kommun_code.clone().unwrap_or_default(),
            e.ssyk_code.clone().unwrap_or_default(),
            start.into(),
            end.into(),
            yes_no(e.in_work_1),
            yes_no(e.in_occupation_1),
            yes_no(e.in_work_6),
            yes_no(e.in_occupation_6),
            e.home_kommun.clone().unwrap_or_default(),
            e.birth_year_band
                .as_deref()
                .map_or_else(String::new, birth_band),
            file_value(e.gender.as_deref()).into(),
            e.prior_education.clone().unwrap_or_default(),
            file_value(e.employment_at_start.as_deref()).into(),
        ]);
        month = next;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_participant_has_a_row_for_each_month_of_the_year_they_took_part() {
        let e = ReportedEnrolment {
            id: 7,
            offering_title: "Vård".into(),
            kommun_code: Some("2180".into()),
            ssyk_code: Some("5321".into()),
            starts_on: day("2025-11-17"),
            ends_on: day("2026-03-27"),
            status: "interrupted".into(),
            ended_on: Some(day("2026-02-10")),
            in_work_1: Some(true),
            in_occupation_1: Some(false),
            in_work_6: None,
            in_occupation_6: None,
            home_kommun: Some("2182".into()),
            birth_year_band: Some("1980".into()),
            gender: None,
            prior_education: Some("3".into()),
            employment_at_start: Some("unemployed".into()),
        };
        let rows = esf_months(&e, day("2026-01-01"), day("2027-01-01"));
        let months: Vec<(&str, &str, &str)> = rows
            .iter()
            .map(|r| (r[1].as_str(), r[5].as_str(), r[6].as_str()))
            .collect();
        assert_eq!(
            months,
            [
                ("2026-01", "inskriven", "inskriven"),
                ("2026-02", "inskriven", "avbruten")
            ]
        );
        assert_eq!(
            &rows[0][7..],
            [
                "ja",
                "nej",
                "",
                "",
                "2182",
                "1980-1984",
                "",
                "3",
                "arbetslos"
            ]
        );
        // The year it started: from its first month, which it starts during.
        let rows = esf_months(&e, day("2025-01-01"), day("2026-01-01"));
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0][1].as_str(), rows[0][5].as_str()),
            ("2025-11", "paborjar")
        );
        assert_eq!(rows[1][6], "inskriven");
    }
}
