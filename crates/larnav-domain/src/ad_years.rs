//! Which years of job ads the Semaforen compares, per area: like with like.
//!
//! Ads arrive as whole-year counts (the shipped 2024 file) and as streamed imports counted per
//! month. An import can be a sample, one region, or part of a year; if the newest year in any
//! import became "the latest year" everywhere, a 1,000-ad sample would make every occupation
//! it does not mention show zero ads and a collapsed trend. So a year counts for an area only
//! when one source covers it *completely there*:
//!
//! - every month of the year (a whole-year count covers all twelve),
//! - every län the area lies in has ads in that source and year,
//! - and, where the year before is complete too, at least half as many ads in the area as
//!   that year (ad volumes move by tens of percent in a crisis, never by half in a year; a
//!   smaller count is a sample or a partial export).
//!
//! The newest complete year is the latest; the year before it, when complete, gives the trend.
//! Newer years that are not complete are reported as partial — shown to the analyst, never
//! scored.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

/// The ads of one source in one period and län. A period is a month (`2025-03`) or a whole
/// year (`2024`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdCoverage {
    pub source: i64,
    pub period: String,
    pub lan: String,
    pub ads: i64,
}

/// One source's ads for one year, as chosen for an area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AdYear {
    pub year: String,
    pub source: i64,
}

/// Why a year with ads is not compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartialReason {
    /// Some months of the year are missing.
    Months,
    /// Some of the area's län have no ads in it.
    Regions,
    /// Less than half the ads of the complete year before: a sample or a partial export.
    Volume,
}

impl PartialReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Months => "months",
            Self::Regions => "regions",
            Self::Volume => "volume",
        }
    }
}

/// A year newer than the compared one whose ads are not complete for the area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PartialYear {
    pub year: String,
    pub source: i64,
    /// The months covered (1–12).
    pub months: Vec<u32>,
    /// Län of the area with ads, and the area's län.
    pub lan_covered: usize,
    pub lan_in_area: usize,
    /// Ads in the area.
    pub ads: i64,
    pub reason: PartialReason,
}

/// The years the ads component compares for one area.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AdYears {
    pub latest: Option<AdYear>,
    /// The year before `latest`, when it is complete too (the trend needs it).
    pub previous: Option<AdYear>,
    /// Newer years that are not complete, newest first.
    pub partial: Vec<PartialYear>,
}

impl AdYears {
    /// Whether the ads of `source` in `year` are compared (latest or previous).
    pub fn uses(&self, source: i64, year: &str) -> bool {
        [&self.latest, &self.previous]
            .into_iter()
            .flatten()
            .any(|y| y.source == source && y.year == year)
    }
}

#[derive(Default)]
struct SourceYear {
    months: BTreeSet<u32>,
    lan: BTreeSet<String>,
    ads: i64,
}

/// Chooses the compared years for an area lying in `area_lan`. `newest_first` ranks sources
/// (0 = the newest import): of the sources that cover a year completely, the newest counts
/// unless it has less than half the ads of another complete source of that year or of the
/// complete year before (then it is a sample, reported and left out).
pub fn choose_ad_years(
    coverage: &[AdCoverage],
    newest_first: &HashMap<i64, usize>,
    area_lan: &BTreeSet<String>,
) -> AdYears {
    let mut by_year: BTreeMap<&str, HashMap<i64, SourceYear>> = BTreeMap::new();
    for c in coverage {
        if c.ads <= 0 || c.period.len() < 4 || !area_lan.contains(&c.lan) {
            continue;
        }
        let (year, month) = c.period.split_at(4);
        let s = by_year
            .entry(year)
            .or_default()
            .entry(c.source)
            .or_default();
        match month.trim_start_matches('-').parse::<u32>() {
            Ok(m) if (1..=12).contains(&m) => {
                s.months.insert(m);
            }
            // A whole-year count.
            _ if month.is_empty() => s.months.extend(1..=12),
            _ => continue,
        }
        s.lan.insert(c.lan.clone());
        s.ads += c.ads;
    }
    let rank = |source: i64| newest_first.get(&source).copied().unwrap_or(usize::MAX);
    let partial = |year: &str, source: i64, s: &SourceYear, reason| PartialYear {
        year: year.to_string(),
        source,
        months: s.months.iter().copied().collect(),
        lan_covered: s.lan.len(),
        lan_in_area: area_lan.len(),
        ads: s.ads,
        reason,
    };
    // Oldest year first, so that each year is weighed against the complete year before it.
    // Per year: the chosen source, if any, and the newer sources passed over (with why).
    let mut years: Vec<(&str, Option<i64>, Vec<PartialYear>)> = Vec::new();
    let mut year_before: Option<i64> = None;
    for (year, sources) in &by_year {
        let mut ranked: Vec<(i64, &SourceYear)> = sources.iter().map(|(id, s)| (*id, s)).collect();
        ranked.sort_by_key(|(id, _)| rank(*id));
        let is_complete = |s: &SourceYear| s.months.len() == 12 && s.lan.len() == area_lan.len();
        let reference = ranked
            .iter()
            .filter(|(_, s)| is_complete(s))
            .map(|(_, s)| s.ads)
            .chain(year_before)
            .max()
            .unwrap_or(0);
        let mut passed = Vec::new();
        let mut chosen = None;
        for (id, s) in &ranked {
            let reason = if s.months.len() < 12 {
                PartialReason::Months
            } else if s.lan.len() < area_lan.len() {
                PartialReason::Regions
            } else if s.ads * 2 < reference {
                PartialReason::Volume
            } else {
                chosen = Some(*id);
                year_before = Some(s.ads);
                break;
            };
            passed.push(partial(year, *id, s, reason));
        }
        years.push((year, chosen, passed));
    }
    // Newest year first: the first complete one is the latest; newer years are partial.
    let mut out = AdYears::default();
    for (year, chosen, passed) in years.into_iter().rev() {
        match (chosen, &out.latest) {
            (Some(source), None) => {
                out.latest = Some(AdYear {
                    year: year.to_string(),
                    source,
                });
                out.partial.extend(passed);
            }
            (Some(source), Some(latest)) => {
                let before = latest.year.parse::<i32>().ok().map(|y| (y - 1).to_string());
                if before.as_deref() == Some(year) {
                    out.previous = Some(AdYear {
                        year: year.to_string(),
                        source,
                    });
                }
                break;
            }
            (None, None) => out.partial.extend(passed.into_iter().take(1)),
            // An incomplete year just before the latest: no trend.
            (None, Some(_)) => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cov(source: i64, period: &str, lan: &str, ads: i64) -> AdCoverage {
        AdCoverage {
            source,
            period: period.into(),
            lan: lan.into(),
            ads,
        }
    }

    fn lan(codes: &[&str]) -> BTreeSet<String> {
        codes.iter().map(|c| c.to_string()).collect()
    }

    fn months(source: i64, year: &str, lan: &str, n: u32, ads: i64) -> Vec<AdCoverage> {
        (1..=n)
            .map(|m| cov(source, &format!("{year}-{m:02}"), lan, ads))
            .collect()
    }

    /// Source 1 (older) is the shipped 2024 count for two län; source 2 (newer) an import.
    fn ranks() -> HashMap<i64, usize> {
        HashMap::from([(2, 0), (1, 1)])
    }

    #[test]
    fn a_small_sample_of_one_lan_in_a_new_year_does_not_become_the_latest_year() {
        let mut coverage = vec![cov(1, "2024", "21", 50_000), cov(1, "2024", "01", 400_000)];
        // 1,000 ads from January to March 2025, in Gävleborg only.
        coverage.extend(months(2, "2025", "21", 3, 333));
        let riket = choose_ad_years(&coverage, &ranks(), &lan(&["01", "21"]));
        assert_eq!(riket.latest.as_ref().map(|y| y.year.as_str()), Some("2024"));
        assert_eq!(riket.partial.len(), 1);
        let p = &riket.partial[0];
        assert_eq!((p.year.as_str(), p.reason), ("2025", PartialReason::Months));
        assert_eq!((p.months.len(), p.lan_covered, p.lan_in_area), (3, 1, 2));
        let gavleborg = choose_ad_years(&coverage, &ranks(), &lan(&["21"]));
        assert_eq!(gavleborg.latest.unwrap().year, "2024");
        assert!(!riket.uses(2, "2025"));
        assert!(riket.uses(1, "2024"));
    }

    #[test]
    fn a_whole_year_in_one_lan_is_complete_there_but_not_for_riket() {
        let mut coverage = vec![cov(1, "2024", "21", 50_000), cov(1, "2024", "01", 400_000)];
        coverage.extend(months(2, "2025", "21", 12, 4_000));
        let gavleborg = choose_ad_years(&coverage, &ranks(), &lan(&["21"]));
        assert_eq!(
            gavleborg.latest,
            Some(AdYear {
                year: "2025".into(),
                source: 2
            })
        );
        assert_eq!(
            gavleborg.previous,
            Some(AdYear {
                year: "2024".into(),
                source: 1
            })
        );
        assert!(gavleborg.partial.is_empty());
        let riket = choose_ad_years(&coverage, &ranks(), &lan(&["01", "21"]));
        assert_eq!(riket.latest.unwrap().year, "2024");
        assert_eq!(riket.partial[0].reason, PartialReason::Regions);
    }

    #[test]
    fn a_year_with_all_months_but_a_fraction_of_the_ads_is_a_sample() {
        let mut coverage = vec![cov(1, "2024", "21", 50_000)];
        coverage.extend(months(2, "2025", "21", 12, 80));
        let years = choose_ad_years(&coverage, &ranks(), &lan(&["21"]));
        assert_eq!(years.latest.unwrap().year, "2024");
        assert_eq!(years.partial[0].reason, PartialReason::Volume);
        assert_eq!(years.partial[0].ads, 960);
    }

    #[test]
    fn a_sample_of_the_same_year_does_not_replace_the_whole_year_count() {
        // 1,000 sample ads spread over all of 2024 in Gävleborg, newer than the shipped count.
        let mut coverage = vec![cov(1, "2024", "21", 50_000)];
        coverage.extend(months(2, "2024", "21", 12, 83));
        let years = choose_ad_years(&coverage, &ranks(), &lan(&["21"]));
        assert_eq!(
            years.latest,
            Some(AdYear {
                year: "2024".into(),
                source: 1
            })
        );
        assert_eq!(years.partial.len(), 1, "the sample is reported");
        assert_eq!(
            (years.partial[0].source, years.partial[0].reason),
            (2, PartialReason::Volume)
        );
    }

    #[test]
    fn the_newest_complete_source_of_a_year_wins_and_the_year_before_gives_the_trend() {
        let mut coverage = vec![cov(1, "2024", "21", 50_000)];
        // A full-year import of 2024 (newer) replaces the shipped count; 2023 from it too.
        coverage.extend(months(2, "2024", "21", 12, 4_500));
        coverage.extend(months(2, "2023", "21", 12, 4_000));
        let years = choose_ad_years(&coverage, &ranks(), &lan(&["21"]));
        assert_eq!(
            years.latest,
            Some(AdYear {
                year: "2024".into(),
                source: 2
            })
        );
        assert_eq!(
            years.previous,
            Some(AdYear {
                year: "2023".into(),
                source: 2
            })
        );
    }

    #[test]
    fn no_previous_year_when_the_year_before_is_missing_or_incomplete() {
        let mut coverage = months(2, "2025", "21", 12, 4_000);
        coverage.extend(months(2, "2024", "21", 6, 4_000));
        let years = choose_ad_years(&coverage, &ranks(), &lan(&["21"]));
        assert_eq!(years.latest.unwrap().year, "2025");
        assert_eq!(years.previous, None);
        let gap = choose_ad_years(
            &[cov(1, "2022", "21", 1), cov(1, "2024", "21", 1)],
            &ranks(),
            &lan(&["21"]),
        );
        assert_eq!(
            (gap.latest.unwrap().year.as_str(), gap.previous),
            ("2024", None)
        );
    }

    #[test]
    fn nothing_to_compare_without_ads() {
        assert_eq!(
            choose_ad_years(&[], &ranks(), &lan(&["21"])),
            AdYears::default()
        );
    }
}
