//! Readers for the vendored labour-market signals (`data/signals/`): Yrkesbarometer forecasts
//! mapped to SSYK-4, and the 2024 job-ad counts per SSYK-4 × kommun.
//!
//! The sources identify occupations and places by JobTech concept ids; the caller passes the
//! lookups from the loaded reference data, and every id that does not resolve is reported,
//! never silently dropped.

use std::collections::{BTreeMap, HashMap};

use larnav_domain::signals::{JobChances, Outlook, RIKET};
use serde::Deserialize;

use crate::IngestError;

const BAROMETER: (&str, &str) = (
    "barometer_regional.json",
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/signals/barometer_regional.json"
    )),
);
const BAROMETER_SSYK: (&str, &str) = (
    "barometer_ssyk4.csv",
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/signals/barometer_ssyk4.csv"
    )),
);
const ADS_2024: (&str, &str) = (
    "ssyk_kommun_annonser_2024.json",
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/signals/ssyk_kommun_annonser_2024.json"
    )),
);

const FIELDS: (&str, &str) = (
    "occupation_fields.csv",
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/signals/occupation_fields.csv"
    )),
);

/// Each SSYK-4 group's occupation field (yrkesområde), from the vendored derived table.
///
/// # Errors
/// [`IngestError::Csv`] if the vendored file is malformed.
pub fn occupation_fields() -> Result<HashMap<String, String>, IngestError> {
    #[derive(Deserialize)]
    struct Row {
        ssyk4: String,
        occupation_field: String,
    }
    let mut reader = csv::Reader::from_reader(FIELDS.1.as_bytes());
    let mut fields = HashMap::new();
    for (i, row) in reader.deserialize::<Row>().enumerate() {
        let row = row.map_err(|source| IngestError::Csv {
            file: FIELDS.0,
            line: i as u64 + 2,
            source,
        })?;
        fields.insert(row.ssyk4, row.occupation_field);
    }
    Ok(fields)
}

/// The JobTech concept id of Sweden as a whole in the sources.
pub const RIKET_JOBTECH_ID: &str = "i46j_HmG_v64";

/// One forecast: a barometer occupation in an area, for one SSYK-4 group it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForecastRow {
    pub barometer_id: String,
    pub barometer_name: String,
    pub ssyk_code: String,
    /// `SE` for riket or a two-digit län code.
    pub area_code: String,
    pub job_chances: JobChances,
    pub outlook: Outlook,
}

/// Job ads in one SSYK-4 group and kommun over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdCountRow {
    pub ssyk_code: String,
    pub kommun_code: String,
    pub ads: i64,
}

/// What a reader produced, and what it had to leave out (each with the reason).
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    pub rows: Vec<T>,
    pub skipped: Vec<String>,
}

#[derive(Deserialize)]
struct MappingRow {
    barometer_id: String,
    barometer_name: String,
    ssyk4: String,
}

/// Reads the Yrkesbarometer file and its SSYK-4 mapping.
///
/// `lan_by_jobtech` maps JobTech län ids to län codes; `known_ssyk4` holds the SSYK-4 codes of
/// the reference data.
///
/// # Errors
/// [`IngestError`] for malformed files or unknown values (file, field and value named).
pub fn read_forecasts(
    lan_by_jobtech: &HashMap<String, String>,
    known_ssyk4: &std::collections::HashSet<String>,
) -> Result<Parsed<ForecastRow>, IngestError> {
    read_forecasts_from(BAROMETER, BAROMETER_SSYK, lan_by_jobtech, known_ssyk4)
}

fn read_forecasts_from(
    (file, text): (&'static str, &str),
    (map_file, map_text): (&'static str, &str),
    lan_by_jobtech: &HashMap<String, String>,
    known_ssyk4: &std::collections::HashSet<String>,
) -> Result<Parsed<ForecastRow>, IngestError> {
    let mut mapping: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut reader = csv::Reader::from_reader(map_text.as_bytes());
    let mut skipped = Vec::new();
    for (i, row) in reader.deserialize::<MappingRow>().enumerate() {
        let line = i as u64 + 2;
        let row = row.map_err(|source| IngestError::Csv {
            file: map_file,
            line,
            source,
        })?;
        if !known_ssyk4.contains(&row.ssyk4) {
            skipped.push(format!(
                "{map_file}, line {line}: SSYK-4 {} is not in SSYK 2012",
                row.ssyk4
            ));
            continue;
        }
        mapping
            .entry(row.barometer_id)
            .or_default()
            .push((row.barometer_name, row.ssyk4));
    }
    let data: BTreeMap<String, BTreeMap<String, Vec<String>>> =
        serde_json::from_str(text).map_err(|source| IngestError::Json { file, source })?;
    let mut rows = Vec::new();
    for (barometer_id, areas) in data {
        if areas.is_empty() {
            skipped.push(format!(
                "{file}: barometer occupation {barometer_id} has no forecasts"
            ));
            continue;
        }
        let Some(groups) = mapping.get(&barometer_id) else {
            skipped.push(format!(
                "{file}: barometer occupation {barometer_id} has no SSYK-4 group"
            ));
            continue;
        };
        for (area_id, values) in areas {
            let area_code = if area_id == RIKET_JOBTECH_ID {
                RIKET.to_string()
            } else {
                lan_by_jobtech
                    .get(&area_id)
                    .cloned()
                    .ok_or_else(|| IngestError::Invalid {
                        file,
                        line: 0,
                        field: "area",
                        value: area_id.clone(),
                        expected: "a JobTech id of riket or a län".into(),
                    })?
            };
            let invalid = |field: &'static str, value: &str, expected: &str| IngestError::Invalid {
                file,
                line: 0,
                field,
                value: value.to_string(),
                expected: expected.to_string(),
            };
            let [chances, outlook] = values.as_slice() else {
                return Err(invalid(
                    "values",
                    &values.join(", "),
                    "[job chances, outlook]",
                ));
            };
            let job_chances = JobChances::parse_sv(chances)
                .ok_or_else(|| invalid("job_chances", chances, "små, medelstora or stora"))?;
            let outlook = Outlook::parse_sv(outlook)
                .ok_or_else(|| invalid("outlook", outlook, "minska, vara oförändrad or öka"))?;
            for (name, ssyk) in groups {
                rows.push(ForecastRow {
                    barometer_id: barometer_id.clone(),
                    barometer_name: name.clone(),
                    ssyk_code: ssyk.clone(),
                    area_code: area_code.clone(),
                    job_chances,
                    outlook,
                });
            }
        }
    }
    Ok(Parsed { rows, skipped })
}

/// Reads the 2024 job-ad counts per SSYK-4 × kommun.
///
/// # Errors
/// [`IngestError`] for a malformed file or negative counts.
pub fn read_ad_counts_2024(
    ssyk_by_jobtech: &HashMap<String, String>,
    kommun_by_jobtech: &HashMap<String, String>,
) -> Result<Parsed<AdCountRow>, IngestError> {
    read_ad_counts_from(ADS_2024, ssyk_by_jobtech, kommun_by_jobtech)
}

fn read_ad_counts_from(
    (file, text): (&'static str, &str),
    ssyk_by_jobtech: &HashMap<String, String>,
    kommun_by_jobtech: &HashMap<String, String>,
) -> Result<Parsed<AdCountRow>, IngestError> {
    let data: BTreeMap<String, BTreeMap<String, i64>> =
        serde_json::from_str(text).map_err(|source| IngestError::Json { file, source })?;
    let mut parsed = Parsed {
        rows: Vec::new(),
        skipped: Vec::new(),
    };
    for (group_id, kommuner) in data {
        let Some(ssyk_code) = ssyk_by_jobtech.get(&group_id) else {
            parsed.skipped.push(format!(
                "{file}: occupation group {group_id} is not an SSYK-4 group"
            ));
            continue;
        };
        for (kommun_id, ads) in kommuner {
            if ads < 0 {
                return Err(IngestError::Invalid {
                    file,
                    line: 0,
                    field: "ads",
                    value: ads.to_string(),
                    expected: "a count of zero or more".into(),
                });
            }
            match kommun_by_jobtech.get(&kommun_id) {
                Some(kommun_code) => parsed.rows.push(AdCountRow {
                    ssyk_code: ssyk_code.clone(),
                    kommun_code: kommun_code.clone(),
                    ads,
                }),
                None => parsed.skipped.push(format!(
                    "{file}: {ads} ads in {ssyk_code} for unknown kommun id {kommun_id}"
                )),
            }
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::reference::load_embedded;

    type Ids = HashMap<String, String>;

    /// (län, kommun and SSYK-4 ids → codes; the SSYK-4 codes.)
    fn lookups() -> (Ids, Ids, Ids, HashSet<String>) {
        let r = load_embedded().unwrap();
        let lan = r
            .lan
            .iter()
            .map(|l| (l.jobtech_id.clone(), l.code.clone()))
            .collect();
        let kommun = r
            .kommuner
            .iter()
            .map(|k| (k.jobtech_id.clone(), k.code.clone()))
            .collect();
        let groups4: Vec<_> = r
            .occupation_groups
            .iter()
            .filter(|g| g.level == 4)
            .collect();
        let ssyk = groups4
            .iter()
            .map(|g| (g.jobtech_id.clone(), g.code.clone()))
            .collect();
        let known = groups4.iter().map(|g| g.code.clone()).collect();
        (lan, kommun, ssyk, known)
    }

    #[test]
    fn the_real_barometer_maps_to_ssyk4_for_riket_and_every_lan() {
        let (lan, _, _, known) = lookups();
        let parsed = read_forecasts(&lan, &known).unwrap();
        let areas: HashSet<_> = parsed.rows.iter().map(|r| r.area_code.as_str()).collect();
        assert_eq!(areas.len(), 22, "riket and 21 län");
        assert!(areas.contains("SE") && areas.contains("21"));
        assert!(
            parsed.rows.iter().any(|r| r.ssyk_code == "5321"),
            "undersköterskor are in the barometer"
        );
        // 219 barometer occupations: each is either imported or its absence explained (the file
        // has no forecasts for 53 of them, and 4 have no SSYK-4 group in the source).
        let imported: HashSet<_> = parsed
            .rows
            .iter()
            .map(|r| r.barometer_id.as_str())
            .collect();
        assert_eq!(
            imported.len() + parsed.skipped.len(),
            219,
            "{:?}",
            parsed.skipped
        );
        assert!(imported.len() >= 160, "{}", imported.len());
    }

    #[test]
    fn the_real_2024_ad_counts_add_up_to_the_published_total() {
        let (_, kommun, ssyk, _) = lookups();
        let parsed = read_ad_counts_2024(&ssyk, &kommun).unwrap();
        let total: i64 = parsed.rows.iter().map(|r| r.ads).sum();
        let skipped_total: usize = parsed.skipped.len();
        assert_eq!(skipped_total, 0, "{:?}", parsed.skipped.first());
        assert_eq!(total, 697_030);
    }

    #[test]
    fn every_ssyk4_group_has_one_of_the_21_occupation_fields() {
        let fields = occupation_fields().unwrap();
        assert_eq!(fields.len(), 400);
        let distinct: HashSet<&String> = fields.values().collect();
        assert_eq!(distinct.len(), 21);
        assert_eq!(fields["5321"], "Hälso- och sjukvård");
    }

    #[test]
    fn an_unknown_value_or_area_is_a_clear_error() {
        let (lan, _, _, known) = lookups();
        let map = ("m.csv", "barometer_id,barometer_name,ssyk4\nB1,Test,5321\n");
        let bad = ("b.json", r#"{"B1": {"i46j_HmG_v64": ["enorma", "öka"]}}"#);
        let err = read_forecasts_from(bad, map, &lan, &known)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("job_chances") && err.contains("enorma"),
            "{err}"
        );
        let bad = ("b.json", r#"{"B1": {"nowhere": ["stora", "öka"]}}"#);
        let err = read_forecasts_from(bad, map, &lan, &known)
            .unwrap_err()
            .to_string();
        assert!(err.contains("area") && err.contains("nowhere"), "{err}");
        let neg = ("a.json", r#"{"g": {"k": -1}}"#);
        let ssyk = HashMap::from([("g".to_string(), "5321".to_string())]);
        let kommun = HashMap::from([("k".to_string(), "2184".to_string())]);
        assert!(
            read_ad_counts_from(neg, &ssyk, &kommun)
                .unwrap_err()
                .to_string()
                .contains("zero or more")
        );
    }
}
