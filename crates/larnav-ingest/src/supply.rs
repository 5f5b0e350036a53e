//! The 2024 YH application round (Myndigheten för yrkeshögskolan): each application with its
//! kommuner and places, as education supply.

use std::collections::HashMap;

use serde::Deserialize;

use crate::IngestError;

const ROUND: (&str, &str) = (
    "myh_yh_ansokningsomgang_2024_tabell3.csv",
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/supply/myh_yh_ansokningsomgang_2024_tabell3.csv"
    )),
);
const SEVERAL_KOMMUNER: (&str, &str) = (
    "myh_yh_ansokningsomgang_2024_tabell4_flera_kommuner.csv",
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/supply/myh_yh_ansokningsomgang_2024_tabell4_flera_kommuner.csv"
    )),
);

/// One application in one kommun.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YhRow {
    /// The application's diarienummer, e.g. `MYH 2024/3852`.
    pub reference: String,
    pub education_name: String,
    pub provider: String,
    pub sun_code: String,
    pub seqf_level: Option<i64>,
    pub kommun_code: String,
    pub granted: bool,
    /// This kommun's share of the places applied for and granted over all intakes.
    pub applied_places: i64,
    pub granted_places: i64,
    /// This kommun's share of one intake's granted places: the places per year.
    pub places: i64,
    /// The education area (Utbildningsområde), e.g. `Data/IT`.
    pub area: String,
    pub yh_points: Option<i64>,
    /// `Bunden` (on site) or `Distans`.
    pub study_form: String,
    pub pace_percent: Option<i64>,
    /// Intakes granted.
    pub intakes: i64,
}

#[derive(Deserialize)]
struct Application {
    #[serde(rename = "Utbildningsnamn")]
    name: String,
    #[serde(rename = "Beslut")]
    decision: String,
    #[serde(rename = "Diarienummer")]
    reference: String,
    #[serde(rename = "SUN5 inriktning")]
    sun: String,
    #[serde(rename = "Kommun")]
    kommun: String,
    #[serde(rename = "SeQF nivå")]
    seqf: String,
    #[serde(rename = "Utbildningsanordnare administrativ enhet")]
    provider: String,
    #[serde(rename = "Sökta platser totalt")]
    applied: i64,
    #[serde(rename = "Beviljade platser utbildningsomgång 1")]
    first_intake: i64,
    #[serde(rename = "Beviljade platser totalt")]
    granted: i64,
    #[serde(rename = "Utbildningsområde")]
    area: String,
    #[serde(rename = "YH-poäng")]
    points: String,
    #[serde(rename = "Studieform")]
    study_form: String,
    #[serde(rename = "Studietakt %")]
    pace: String,
    #[serde(rename = "Beviljade utbildningsomgångar")]
    intakes: i64,
}

#[derive(Deserialize)]
struct Place {
    #[serde(rename = "Diarienummer")]
    reference: String,
    #[serde(rename = "Kommun")]
    kommun: String,
}

fn csv_error(file: &'static str, e: csv::Error) -> IngestError {
    IngestError::Csv {
        file,
        line: e.position().map_or(0, |p| p.line()),
        source: e,
    }
}

/// `n` split into `parts` whole shares, the remainder to the first.
fn share(n: i64, parts: usize, index: usize) -> i64 {
    let parts = parts.max(1) as i64;
    n / parts + if index == 0 { n % parts } else { 0 }
}

/// Reads the round. `kommun_by_name` maps kommun names (as written in the file) to codes.
///
/// # Errors
/// [`IngestError`] naming the file, line and value for a malformed row or unknown kommun.
pub fn read_yh_round(kommun_by_name: &HashMap<String, String>) -> Result<Vec<YhRow>, IngestError> {
    let mut several: HashMap<String, Vec<String>> = HashMap::new();
    let mut reader = csv::Reader::from_reader(SEVERAL_KOMMUNER.1.as_bytes());
    for (i, place) in reader.deserialize::<Place>().enumerate() {
        let place = place.map_err(|e| csv_error(SEVERAL_KOMMUNER.0, e))?;
        let code = kommun_code(
            kommun_by_name,
            &place.kommun,
            SEVERAL_KOMMUNER.0,
            i as u64 + 2,
        )?;
        several.entry(place.reference).or_default().push(code);
    }
    let mut rows = Vec::new();
    let mut reader = csv::Reader::from_reader(ROUND.1.as_bytes());
    for (i, app) in reader.deserialize::<Application>().enumerate() {
        let app = app.map_err(|e| csv_error(ROUND.0, e))?;
        let line = i as u64 + 2;
        let kommuner = match several.get(&app.reference) {
            Some(list) => list.clone(),
            None => vec![kommun_code(kommun_by_name, &app.kommun, ROUND.0, line)?],
        };
        for (k, kommun_code) in kommuner.iter().enumerate() {
            rows.push(YhRow {
                reference: app.reference.trim().to_string(),
                education_name: app.name.trim().to_string(),
                provider: app.provider.trim().to_string(),
                sun_code: app.sun.trim().to_string(),
                seqf_level: app.seqf.trim().parse().ok(),
                kommun_code: kommun_code.clone(),
                granted: app.decision == "Beviljad",
                applied_places: share(app.applied, kommuner.len(), k),
                granted_places: share(app.granted, kommuner.len(), k),
                places: share(app.first_intake, kommuner.len(), k),
                area: app.area.trim().to_string(),
                yh_points: app.points.trim().parse().ok(),
                study_form: app.study_form.trim().to_string(),
                pace_percent: app.pace.trim().parse().ok(),
                intakes: app.intakes,
            });
        }
    }
    Ok(rows)
}

fn kommun_code(
    by_name: &HashMap<String, String>,
    name: &str,
    file: &'static str,
    line: u64,
) -> Result<String, IngestError> {
    by_name
        .get(name.trim())
        .cloned()
        .ok_or_else(|| IngestError::Invalid {
            file,
            line,
            field: "Kommun",
            value: name.to_string(),
            expected: "a kommun name from the reference data".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kommuner() -> HashMap<String, String> {
        let text = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/reference/kommuner_lan_jobtech.csv"
        ));
        csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(|rec| {
                let rec = rec.unwrap();
                (rec[1].to_string(), rec[0].to_string())
            })
            .collect()
    }

    #[test]
    fn the_real_round_keeps_every_granted_place_and_finds_every_kommun() {
        let rows = read_yh_round(&kommuner()).unwrap();
        let granted: i64 = rows.iter().map(|r| r.granted_places).sum();
        assert_eq!(granted, 29_358, "the published total");
        let applications: std::collections::HashSet<&str> =
            rows.iter().map(|r| r.reference.as_str()).collect();
        assert_eq!(applications.len(), 1_272);
        let granted_applications: std::collections::HashSet<&str> = rows
            .iter()
            .filter(|r| r.granted)
            .map(|r| r.reference.as_str())
            .collect();
        assert_eq!(granted_applications.len(), 344);
        assert!(rows.iter().all(|r| r.kommun_code.len() == 4));
    }

    #[test]
    fn places_split_evenly_with_the_remainder_first() {
        assert_eq!(
            (0..3).map(|i| share(10, 3, i)).collect::<Vec<_>>(),
            [4, 3, 3]
        );
        assert_eq!(share(7, 1, 0), 7);
    }
}
