//! The signal table: every signal Lärnav holds, indexed so that the score inputs of any area
//! (riket, a län, a kommun, or a set of kommuner) are summed in one pass over its kommuner.
//!
//! Ads, needs and supply are kept per kommun, so any area is the sum of its kommuner; forecasts
//! are published per län and for riket, so an area uses its län's forecast when all its
//! kommuner lie in one län, and riket's otherwise (or when the län has none for an occupation).

use std::collections::HashMap;

use crate::score::{ScoreInputs, weighted_need};
use crate::signals::{JobChances, Outlook, RIKET};

/// What one kommun holds for one occupation group.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Cell {
    ads: i64,
    ads_previous: i64,
    needs_weighted: f64,
    needs_people: i64,
    need_reports: i64,
    places: i64,
    places_unconfirmed: i64,
    ended: i64,
    completed: i64,
    respondents: i64,
    in_occupation: i64,
}

/// The signals of every occupation group in every kommun, and the forecasts per län.
#[derive(Debug, Clone, Default)]
pub struct SignalTable {
    groups: Vec<String>,
    group_index: HashMap<String, u32>,
    cells: HashMap<String, Vec<(u32, Cell)>>,
    forecasts: HashMap<String, HashMap<u32, Vec<(JobChances, Outlook)>>>,
    /// Whether any ads exist for the year before the latest: the trend needs two years.
    has_previous_year: bool,
    /// Whether any education places are known anywhere: otherwise supply is unknown, not zero.
    has_supply: bool,
}

/// The inputs of one occupation group in one area, and where its forecast came from.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaRow {
    pub ssyk_code: String,
    pub inputs: ScoreInputs,
    /// `SE` or the län code whose forecast was used; `None` without a forecast.
    pub forecast_area: Option<String>,
}

impl SignalTable {
    pub fn new() -> Self {
        Self::default()
    }

    fn group(&mut self, ssyk: &str) -> u32 {
        if let Some(&i) = self.group_index.get(ssyk) {
            return i;
        }
        let i = self.groups.len() as u32;
        self.groups.push(ssyk.to_string());
        self.group_index.insert(ssyk.to_string(), i);
        i
    }

    fn cell(&mut self, ssyk: &str, kommun: &str) -> &mut Cell {
        let g = self.group(ssyk);
        let cells = self.cells.entry(kommun.to_string()).or_default();
        let at = match cells.iter().position(|(x, _)| *x == g) {
            Some(at) => at,
            None => {
                cells.push((g, Cell::default()));
                cells.len() - 1
            }
        };
        &mut cells[at].1
    }

    /// Ads in the latest year (`previous == false`) or the year before.
    pub fn add_ads(&mut self, ssyk: &str, kommun: &str, ads: i64, previous: bool) {
        let cell = self.cell(ssyk, kommun);
        if previous {
            cell.ads_previous += ads;
        } else {
            cell.ads += ads;
        }
        self.has_previous_year |= previous && ads > 0;
    }

    pub fn add_need(
        &mut self,
        ssyk: &str,
        kommun: &str,
        now: i64,
        within_1y: i64,
        within_3y: i64,
        difficulty: i64,
    ) {
        let cell = self.cell(ssyk, kommun);
        cell.needs_weighted += weighted_need(now, within_1y, within_3y, difficulty);
        cell.needs_people += now + within_1y;
        cell.need_reports += 1;
    }

    pub fn add_places(&mut self, ssyk: &str, kommun: &str, places: i64) {
        self.cell(ssyk, kommun).places += places;
        self.has_supply = true;
    }

    /// Places suggested for `ssyk` that no analyst has confirmed: unconfirmed supply, which
    /// leaves the supply gap unknown rather than full.
    pub fn add_unconfirmed_places(&mut self, ssyk: &str, kommun: &str, places: i64) {
        self.cell(ssyk, kommun).places_unconfirmed += places;
    }

    /// Participants of courses for `ssyk` given in `kommun` who ended in the last year, and of
    /// them those who completed: the delivered supply.
    pub fn add_delivered(&mut self, ssyk: &str, kommun: &str, ended: i64, completed: i64) {
        let cell = self.cell(ssyk, kommun);
        cell.ended += ended;
        cell.completed += completed;
    }

    /// Completed participants who answered a follow-up, and of them those working in the
    /// occupation at their latest answer.
    pub fn add_outcome(&mut self, ssyk: &str, kommun: &str, respondents: i64, in_occupation: i64) {
        let cell = self.cell(ssyk, kommun);
        cell.respondents += respondents;
        cell.in_occupation += in_occupation;
    }

    /// A forecast for `area` (`SE` or a län code).
    pub fn add_forecast(&mut self, ssyk: &str, area: &str, chances: JobChances, outlook: Outlook) {
        let g = self.group(ssyk);
        self.forecasts
            .entry(area.to_string())
            .or_default()
            .entry(g)
            .or_default()
            .push((chances, outlook));
    }

    /// The inputs of every occupation group with any signal in the area made of `kommuner`,
    /// using the forecasts of `forecast_area` (a län code or `SE`), falling back to riket's.
    /// Ordered by SSYK code.
    pub fn area_rows<'a>(
        &self,
        kommuner: impl IntoIterator<Item = &'a str>,
        forecast_area: &str,
    ) -> Vec<AreaRow> {
        let mut sums: Vec<Option<Cell>> = vec![None; self.groups.len()];
        for k in kommuner {
            for (g, c) in self.cells.get(k).map(Vec::as_slice).unwrap_or_default() {
                let s = sums[*g as usize].get_or_insert_with(Cell::default);
                s.ads += c.ads;
                s.ads_previous += c.ads_previous;
                s.needs_weighted += c.needs_weighted;
                s.needs_people += c.needs_people;
                s.need_reports += c.need_reports;
                s.places += c.places;
                s.places_unconfirmed += c.places_unconfirmed;
                s.ended += c.ended;
                s.completed += c.completed;
                s.respondents += c.respondents;
                s.in_occupation += c.in_occupation;
            }
        }
        let local = self.forecasts.get(forecast_area);
        let riket = self.forecasts.get(RIKET);
        let mut rows: Vec<AreaRow> = (0..self.groups.len())
            .filter_map(|g| {
                let forecast = local
                    .and_then(|f| f.get(&(g as u32)))
                    .map(|f| (forecast_area, f))
                    .or_else(|| riket.and_then(|f| f.get(&(g as u32))).map(|f| (RIKET, f)));
                let cell = sums[g];
                if cell.is_none() && forecast.is_none() {
                    return None;
                }
                let c = cell.unwrap_or_default();
                Some(AreaRow {
                    ssyk_code: self.groups[g].clone(),
                    forecast_area: forecast.map(|(a, _)| a.to_string()),
                    inputs: ScoreInputs {
                        forecasts: forecast.map(|(_, f)| f.clone()).unwrap_or_default(),
                        ads: c.ads,
                        ads_previous: self.has_previous_year.then_some(c.ads_previous),
                        needs_weighted: c.needs_weighted,
                        needs_people: c.needs_people,
                        need_reports: c.need_reports,
                        places: c.places,
                        places_unconfirmed: c.places_unconfirmed,
                        supply_known: self.has_supply,
                        ended: c.ended,
                        completed: c.completed,
                        respondents: c.respondents,
                        in_occupation: c.in_occupation,
                    },
                })
            })
            .collect();
        rows.sort_by(|a, b| a.ssyk_code.cmp(&b.ssyk_code));
        rows
    }
}

/// Suggests the occupation an education leads to, by the words their names share: "Undersköterska
/// med inriktning äldreomsorg" shares "undersköterska" with the occupation name "Undersköterska,
/// hemtjänst" (5321). Words match when they share a prefix of at least six letters covering three
/// quarters of the shorter word (so Swedish inflections meet: sköterska/sköterskor). Only a
/// suggestion: an analyst confirms it.
#[derive(Debug, Clone)]
pub struct OccupationMatcher {
    codes: Vec<String>,
    /// Words of every name, indexed by their first four letters.
    by_prefix: HashMap<String, Vec<(usize, String)>>,
    /// How many words each name has, to prefer the most specific of equal matches.
    lengths: Vec<usize>,
}

fn words(s: &str) -> Vec<String> {
    crate::text::fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_string)
        .collect()
}

fn prefix(w: &str, n: usize) -> String {
    w.chars().take(n).collect()
}

fn same_word(a: &str, b: &str) -> bool {
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let shorter = a.chars().count().min(b.chars().count());
    common >= shorter.min(6) && common * 4 >= shorter * 3
}

impl OccupationMatcher {
    /// `occupations`: (SSYK-4 code, name) for the groups and the occupation names.
    pub fn new(occupations: &[(String, String)]) -> Self {
        let mut by_prefix: HashMap<String, Vec<(usize, String)>> = HashMap::new();
        let mut lengths = Vec::with_capacity(occupations.len());
        for (i, (_, name)) in occupations.iter().enumerate() {
            let ws = words(name);
            lengths.push(ws.len());
            for w in ws {
                by_prefix.entry(prefix(&w, 4)).or_default().push((i, w));
            }
        }
        Self {
            codes: occupations.iter().map(|(c, _)| c.clone()).collect(),
            by_prefix,
            lengths,
        }
    }

    /// The SSYK-4 code whose name shares the most words with `education`, if any, with how
    /// sure the suggestion is.
    pub fn suggest(&self, education: &str) -> Option<Suggestion<'_>> {
        let education_words = words(education);
        let mut scores: HashMap<usize, usize> = HashMap::new();
        for w in &education_words {
            let mut hit: Vec<usize> = self
                .by_prefix
                .get(&prefix(w, 4))
                .into_iter()
                .flatten()
                .filter(|(_, ow)| same_word(w, ow))
                .map(|(i, _)| *i)
                .collect();
            hit.sort_unstable();
            hit.dedup();
            for i in hit {
                *scores.entry(i).or_default() += 1;
            }
        }
        let (best, matched) = scores.iter().max_by(|(a, sa), (b, sb)| {
            sa.cmp(sb)
                .then(self.lengths[**b].cmp(&self.lengths[**a]))
                .then(b.cmp(a))
        })?;
        let code = self.codes[*best].as_str();
        let meaningful = education_words
            .iter()
            .filter(|w| !FILLER.contains(&w.as_str()))
            .count()
            .max(1);
        let mut confidence = (100 * matched.min(&meaningful) / meaningful) as u8;
        // Another occupation matching as many words makes the choice a coin toss.
        if scores
            .iter()
            .any(|(i, s)| s == matched && self.codes[*i] != code)
        {
            confidence /= 2;
        }
        Some(Suggestion { code, confidence })
    }
}

/// Words in education names that say nothing about the occupation they lead to.
const FILLER: &[&str] = &["inriktning", "inom", "utbildning", "specialisering", "samt"];

/// An occupation Lärnav suggests for an education.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suggestion<'a> {
    pub code: &'a str,
    /// 0–100: the share of the education name's meaningful words the occupation's name shares,
    /// halved when another occupation shares as many. Analysts confirm in bulk from a level.
    pub confidence: u8,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn educations_are_matched_to_occupations_by_shared_words() {
        let occ: Vec<(String, String)> = [
            (
                "5321",
                "Undersköterskor, hemtjänst, hemsjukvård, äldreboende och habilitering",
            ),
            ("5321", "Undersköterska, hemtjänst"),
            ("8111", "Processoperatör, gruva"),
            ("2512", "Systemutvecklare/Programmerare"),
            ("3113", "Elingenjörer och eltekniker"),
        ]
        .iter()
        .map(|(c, n)| (c.to_string(), n.to_string()))
        .collect();
        let m = OccupationMatcher::new(&occ);
        let code = |e: &str| m.suggest(e).map(|s| s.code);
        assert_eq!(
            code("Undersköterska med inriktning äldreomsorg"),
            Some("5321")
        );
        assert_eq!(
            code("Spelprogrammerare"),
            None,
            "a compound without a shared word"
        );
        assert_eq!(code("Programmerare inom AI"), Some("2512"));
        assert_eq!(code("Eltekniker inom förnybar energi"), Some("3113"));
        assert_eq!(code("Florist"), None);

        let sure = |e: &str| m.suggest(e).map(|s| s.confidence);
        assert_eq!(
            sure("Programmerare inom AI"),
            Some(100),
            "'inom' says nothing"
        );
        assert_eq!(
            sure("Undersköterska med inriktning äldreomsorg"),
            Some(50),
            "one of undersköterska and äldreomsorg"
        );
        assert_eq!(sure("Eltekniker inom förnybar energi"), Some(33));
    }

    #[test]
    fn an_area_sums_its_kommuner_and_falls_back_to_the_riket_forecast() {
        let mut t = SignalTable::new();
        t.add_ads("5321", "2184", 10, false);
        t.add_ads("5321", "2180", 5, false);
        t.add_ads("5321", "0180", 100, false);
        t.add_need("5321", "2184", 2, 0, 0, 3);
        t.add_places("5321", "2180", 7);
        t.add_forecast("5321", "21", JobChances::Large, Outlook::Increase);
        t.add_forecast("2221", RIKET, JobChances::Medium, Outlook::Unchanged);

        let rows = t.area_rows(["2184", "2180"], "21");
        assert_eq!(rows.len(), 2, "2221 has a riket forecast, 5321 signals");
        let usk = rows.iter().find(|r| r.ssyk_code == "5321").unwrap();
        assert_eq!(usk.inputs.ads, 15);
        assert_eq!(usk.inputs.places, 7);
        assert_eq!(usk.inputs.need_reports, 1);
        assert_eq!(usk.inputs.ads_previous, None, "one year only: no trend");
        assert_eq!(usk.forecast_area.as_deref(), Some("21"));
        let nurse = rows.iter().find(|r| r.ssyk_code == "2221").unwrap();
        assert_eq!(nurse.forecast_area.as_deref(), Some(RIKET));
        assert_eq!(nurse.inputs.ads, 0);
    }

    #[test]
    fn the_previous_year_enables_the_trend_everywhere() {
        let mut t = SignalTable::new();
        t.add_ads("5321", "2184", 10, false);
        t.add_ads("2221", "2184", 4, true);
        let rows = t.area_rows(["2184"], "21");
        assert!(rows.iter().all(|r| r.inputs.ads_previous.is_some()));
    }
}
