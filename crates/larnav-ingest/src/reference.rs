//! The vendored reference data, embedded in the binary so that Lärnav needs no files beside it.

use std::collections::BTreeMap;

use larnav_domain::reference::{
    Kommun, Lan, OccupationGroup, OccupationName, ReferenceData, Skill, SunCode,
};
use larnav_domain::{KommunCode, LanCode, SsykCode};
use serde::Deserialize;

use crate::IngestError;

macro_rules! vendored {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../data/reference/",
                $name
            )),
        )
    };
}

const SSYK_HIERARCHY: (&str, &str) = vendored!("the-ssyk-hierarchy-with-occupations.json");
const SSYK_SKILLS: (&str, &str) = vendored!("ssyk-level-4-groups-with-related-skills.json");
const SUN_FIELDS: (&str, &str) = vendored!("sun-field-hierarchy.json");
const SUN_LEVELS: (&str, &str) = vendored!("sun-level-hierarchy.json");
const KOMMUNER: (&str, &str) = vendored!("kommuner_lan_jobtech.csv");

/// A version tag for the embedded data set. The app stores it after loading, and loads again
/// when a new release ships different data.
pub const REFERENCE_DATA_VERSION: &str = "2025-ssyk2012-sun2020-kommuner290-v1";

/// A concept in the JobTech taxonomy exports: the same shape serves every file.
#[derive(Deserialize)]
struct Concept {
    id: String,
    #[serde(default)]
    preferred_label: String,
    #[serde(default)]
    definition: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    ssyk_code_2012: Option<String>,
    #[serde(default)]
    sun_education_field_code_2020: Option<String>,
    #[serde(default)]
    sun_education_level_code_2020: Option<String>,
    #[serde(default)]
    narrower: Vec<Concept>,
    #[serde(default)]
    related: Vec<Concept>,
}

#[derive(Deserialize)]
struct Export {
    data: ExportData,
}

#[derive(Deserialize)]
struct ExportData {
    concepts: Vec<Concept>,
}

fn concepts((file, text): (&'static str, &str)) -> Result<Vec<Concept>, IngestError> {
    serde_json::from_str::<Export>(text)
        .map(|e| e.data.concepts)
        .map_err(|source| IngestError::Json { file, source })
}

/// Reads every embedded reference file.
///
/// # Errors
/// [`IngestError`] if an embedded file is malformed (a build defect that tests catch).
pub fn load_embedded() -> Result<ReferenceData, IngestError> {
    let mut data = ReferenceData::default();
    read_kommuner(KOMMUNER, &mut data)?;
    read_ssyk(SSYK_HIERARCHY, &mut data)?;
    read_skills(SSYK_SKILLS, &mut data)?;
    data.sun_fields = read_sun(SUN_FIELDS, |c| c.sun_education_field_code_2020.as_deref())?;
    data.sun_levels = read_sun(SUN_LEVELS, |c| c.sun_education_level_code_2020.as_deref())?;
    Ok(data)
}

#[derive(Deserialize)]
struct KommunRow {
    kommunkod: String,
    kommun: String,
    lanskod: String,
    lan: String,
    nuts3: String,
    jobtech_kommun_concept_id: String,
    jobtech_lan_concept_id: String,
}

fn read_kommuner(
    (file, text): (&'static str, &str),
    data: &mut ReferenceData,
) -> Result<(), IngestError> {
    let mut lan = BTreeMap::new();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for (i, row) in reader.deserialize::<KommunRow>().enumerate() {
        // Line 1 is the header.
        let line = i as u64 + 2;
        let row = row.map_err(|source| IngestError::Csv { file, line, source })?;
        let invalid = |field, value: &str, expected: &str| IngestError::Invalid {
            file,
            line,
            field,
            value: value.to_string(),
            expected: expected.to_string(),
        };
        KommunCode::parse(&row.kommunkod)
            .map_err(|_| invalid("kommunkod", &row.kommunkod, "a four-digit kommun code"))?;
        LanCode::parse(&row.lanskod)
            .map_err(|_| invalid("lanskod", &row.lanskod, "a two-digit län code"))?;
        if !row.kommunkod.starts_with(&row.lanskod) {
            return Err(invalid(
                "kommunkod",
                &row.kommunkod,
                "a code that starts with its län code",
            ));
        }
        lan.entry(row.lanskod.clone()).or_insert_with(|| Lan {
            code: row.lanskod.clone(),
            name: row.lan.clone(),
            jobtech_id: row.jobtech_lan_concept_id.clone(),
            nuts3: row.nuts3.clone(),
        });
        data.kommuner.push(Kommun {
            code: row.kommunkod,
            name: row.kommun,
            lan_code: row.lanskod,
            jobtech_id: row.jobtech_kommun_concept_id,
        });
    }
    data.lan = lan.into_values().collect();
    Ok(())
}

fn read_ssyk(source: (&'static str, &str), data: &mut ReferenceData) -> Result<(), IngestError> {
    let file = source.0;
    fn walk(
        file: &'static str,
        c: Concept,
        parent: Option<&str>,
        data: &mut ReferenceData,
    ) -> Result<(), IngestError> {
        if c.kind == "occupation-name" {
            let group_code = parent.ok_or_else(|| IngestError::Inconsistent {
                file,
                problem: format!("occupation name {} has no group", c.id),
            })?;
            data.occupation_names.push(OccupationName {
                jobtech_id: c.id,
                name: c.preferred_label,
                group_code: group_code.to_string(),
            });
            return Ok(());
        }
        let code = c.ssyk_code_2012.clone().unwrap_or_default();
        let parsed = SsykCode::parse(&code).map_err(|e| IngestError::Inconsistent {
            file,
            problem: format!("concept {}: SSYK code {code:?}: {e}", c.id),
        })?;
        data.occupation_groups.push(OccupationGroup {
            code: code.clone(),
            level: parsed.level(),
            name: c.preferred_label,
            definition: c.definition.unwrap_or_default(),
            parent_code: parent.map(str::to_string),
            jobtech_id: c.id,
        });
        for child in c.narrower {
            walk(file, child, Some(&code), data)?;
        }
        Ok(())
    }
    for c in concepts(source)? {
        walk(file, c, None, data)?;
    }
    Ok(())
}

fn read_skills(source: (&'static str, &str), data: &mut ReferenceData) -> Result<(), IngestError> {
    let file = source.0;
    let by_id: BTreeMap<&str, &str> = data
        .occupation_groups
        .iter()
        .filter(|g| g.level == 4)
        .map(|g| (g.jobtech_id.as_str(), g.code.as_str()))
        .collect();
    let mut skills = BTreeMap::new();
    let mut links = Vec::new();
    for group in concepts(source)? {
        let code = by_id
            .get(group.id.as_str())
            .ok_or_else(|| IngestError::Inconsistent {
                file,
                problem: format!("SSYK-4 group {} is not in the SSYK hierarchy", group.id),
            })?;
        for skill in group.related.into_iter().filter(|r| r.kind == "skill") {
            links.push((code.to_string(), skill.id.clone()));
            skills.entry(skill.id.clone()).or_insert(Skill {
                jobtech_id: skill.id,
                name: skill.preferred_label,
            });
        }
    }
    links.sort();
    links.dedup();
    data.skills = skills.into_values().collect();
    data.group_skills = links;
    Ok(())
}

fn read_sun(
    source: (&'static str, &str),
    code_of: impl Fn(&Concept) -> Option<&str> + Copy,
) -> Result<Vec<SunCode>, IngestError> {
    let file = source.0;
    fn walk(
        file: &'static str,
        c: &Concept,
        depth: u8,
        parent: Option<&str>,
        code_of: impl Fn(&Concept) -> Option<&str> + Copy,
        out: &mut Vec<SunCode>,
    ) -> Result<(), IngestError> {
        // Level 1 and 2 nodes of the field hierarchy carry no code of their own in this export
        // when they share it with a child; derive the code from the first child's prefix.
        let code = match code_of(c) {
            Some(code) => code.to_string(),
            None => derived_code(c, depth, code_of).ok_or_else(|| IngestError::Inconsistent {
                file,
                problem: format!("SUN concept {} has no code", c.id),
            })?,
        };
        out.push(SunCode {
            code: code.clone(),
            level: depth,
            name: c.preferred_label.clone(),
            parent_code: parent.map(str::to_string),
        });
        for child in &c.narrower {
            walk(file, child, depth + 1, Some(&code), code_of, out)?;
        }
        Ok(())
    }
    let mut out = Vec::new();
    for c in &concepts(source)? {
        walk(file, c, 1, None, code_of, &mut out)?;
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    out.dedup_by(|a, b| a.code == b.code);
    Ok(out)
}

/// The code of a SUN node without one: its depth-many leading characters of a descendant's code.
fn derived_code(
    c: &Concept,
    depth: u8,
    code_of: impl Fn(&Concept) -> Option<&str> + Copy,
) -> Option<String> {
    let mut node = c;
    loop {
        if let Some(code) = code_of(node) {
            return code.get(..usize::from(depth)).map(str::to_string);
        }
        node = node.narrower.first()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_reference_data_is_complete() {
        let d = load_embedded().unwrap();
        assert_eq!(d.lan.len(), 21);
        assert_eq!(d.kommuner.len(), 290);
        let per_level = |l| d.occupation_groups.iter().filter(|g| g.level == l).count();
        assert_eq!(
            (per_level(1), per_level(2), per_level(3), per_level(4)),
            (10, 46, 147, 400)
        );
        assert_eq!(d.occupation_names.len(), 2412);
        assert_eq!(d.group_skills.len(), 17517);
        assert!(d.skills.len() > 1000);
        assert!(d.sun_fields.iter().any(|f| f.code == "210z"));
        assert!(
            d.sun_levels
                .iter()
                .any(|f| f.code == "417" && f.parent_code.as_deref() == Some("41"))
        );
    }

    #[test]
    fn hudiksvall_is_in_gavleborg_with_its_official_code() {
        let d = load_embedded().unwrap();
        let k = d.kommuner.iter().find(|k| k.name == "Hudiksvall").unwrap();
        assert_eq!((k.code.as_str(), k.lan_code.as_str()), ("2184", "21"));
        let l = d.lan.iter().find(|l| l.code == "21").unwrap();
        assert_eq!(l.name, "Gävleborgs län");
    }

    #[test]
    fn every_occupation_name_belongs_to_a_level_four_group() {
        let d = load_embedded().unwrap();
        let groups: std::collections::HashSet<_> = d
            .occupation_groups
            .iter()
            .filter(|g| g.level == 4)
            .map(|g| g.code.as_str())
            .collect();
        assert!(
            d.occupation_names
                .iter()
                .all(|n| groups.contains(n.group_code.as_str()))
        );
    }

    #[test]
    fn a_kommun_file_with_a_bad_code_names_the_line_and_field() {
        let csv = "kommunkod,kommun,lanskod,lan,nuts3,jobtech_kommun_concept_id,jobtech_lan_concept_id\n\
                   0114,Upplands Väsby,01,Stockholms län,SE110,a,b\n\
                   11X,Trasig,01,Stockholms län,SE110,c,b\n";
        let err = read_kommuner(("test.csv", csv), &mut ReferenceData::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "test.csv, line 3, field kommunkod: \"11X\" is not a four-digit kommun code"
        );
    }
}
