//! The national catalogue shipped with Lärnav: real offerings from public sources, read into
//! [`CatalogueEntry`]s the app stores as published offerings.
//!
//! - `data/catalogue/utbildningsdata.json`: labour-market training, folkhögskola, komvux and
//!   national vocational training, keyed by the SSYK-4 group they lead to. The same offering is
//!   listed under several groups and sometimes twice under one; entries with the same kind,
//!   name, link and place are one offering with every group. Descriptions carry HTML entities
//!   and stray markup, which are cleaned here.
//! - the YH round of 2024 (`data/supply/`): each granted education in each kommun.
//!
//! Places are locality names (Bromma, Vårby); `data/catalogue/places.csv` maps them to kommuner.

use std::collections::{BTreeMap, HashMap};

use larnav_domain::catalogue::{CreditKind, Format, OfferingKind};
use serde::Deserialize;

use crate::IngestError;
use crate::supply::YhRow;

const OFFERINGS: (&str, &str) = (
    "data/catalogue/utbildningsdata.json",
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/catalogue/utbildningsdata.json"
    )),
);

const PLACES: (&str, &str) = (
    "data/catalogue/places.csv",
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/catalogue/places.csv"
    )),
);

/// The source keys offerings are stored under (re-importing a source replaces its offerings).
pub const SOURCE_NATIONAL: &str = "utbildningsdata";
pub const SOURCE_YH: &str = "yh-2024";

/// One offering of the national catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogueEntry {
    /// Stable within its source: re-importing keeps the offering's id.
    pub source_ref: String,
    pub kind: OfferingKind,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub provider: String,
    pub ssyk_codes: Vec<String>,
    pub sun_field: Option<String>,
    pub seqf_level: Option<i64>,
    pub credits: Option<f64>,
    pub credit_kind: CreditKind,
    pub pace_percent: i64,
    pub format: Format,
    pub kommun_code: Option<String>,
    pub place: String,
    pub url: String,
    /// Places per intake, where the source says.
    pub seats: Option<i64>,
}

#[derive(Deserialize)]
struct Raw {
    utbildningstyp: String,
    utbildningsnamn: String,
    #[serde(default)]
    beskrivning: Option<String>,
    url: String,
    ort: String,
}

/// Locality and kommun names (as written) → kommun code.
///
/// # Errors
/// [`IngestError::Csv`] if the vendored file is malformed (a build defect).
pub fn places(
    kommun_by_name: &HashMap<String, String>,
) -> Result<HashMap<String, String>, IngestError> {
    let mut map = HashMap::new();
    let mut reader = csv::Reader::from_reader(PLACES.1.as_bytes());
    for record in reader.records() {
        let record = record.map_err(|e| IngestError::Csv {
            file: PLACES.0,
            line: e.position().map_or(0, |p| p.line()),
            source: e,
        })?;
        map.insert(record[0].to_string(), record[1].to_string());
    }
    // A kommun's own name wins over a locality of the same name elsewhere.
    map.extend(kommun_by_name.iter().map(|(k, v)| (k.clone(), v.clone())));
    Ok(map)
}

/// Reads `utbildningsdata.json`.
///
/// # Errors
/// [`IngestError`] naming the file for malformed JSON, or the place that has no kommun.
pub fn read_national(places: &HashMap<String, String>) -> Result<Vec<CatalogueEntry>, IngestError> {
    let by_group: BTreeMap<String, Vec<Raw>> =
        serde_json::from_str(OFFERINGS.1).map_err(|e| IngestError::Invalid {
            file: OFFERINGS.0,
            line: e.line() as u64,
            field: "json",
            value: String::new(),
            expected: e.to_string(),
        })?;
    let mut entries: BTreeMap<(String, String, String, String), CatalogueEntry> = BTreeMap::new();
    for (key, raws) in by_group {
        // Keys are SSYK-4 codes, two with the group's name after them ("5321 - Undersköterskor…").
        let group: String = key.chars().take_while(char::is_ascii_digit).collect();
        if group.len() != 4 {
            return Err(IngestError::Invalid {
                file: OFFERINGS.0,
                line: 0,
                field: "SSYK key",
                value: key,
                expected: "an SSYK-4 code".into(),
            });
        }
        for raw in raws {
            let key = (
                raw.utbildningstyp.clone(),
                raw.utbildningsnamn.trim().to_string(),
                raw.url.trim().to_string(),
                raw.ort.trim().to_string(),
            );
            if let Some(entry) = entries.get_mut(&key) {
                if !entry.ssyk_codes.contains(&group) {
                    entry.ssyk_codes.push(group.clone());
                }
                continue;
            }
            let kommun = places.get(raw.ort.trim()).cloned();
            if kommun.is_none() {
                return Err(IngestError::Invalid {
                    file: OFFERINGS.0,
                    line: 0,
                    field: "ort",
                    value: raw.ort,
                    expected: "a place listed in data/catalogue/places.csv".into(),
                });
            }
            let entry = national_entry(&raw, group.clone(), kommun);
            entries.insert(key, entry);
        }
    }
    Ok(entries
        .into_iter()
        .map(|((kind, name, url, place), mut e)| {
            e.ssyk_codes.sort();
            // The file has no ids: what makes an entry one offering is its reference.
            e.source_ref = format!("{kind}|{name}|{url}|{place}");
            e
        })
        .collect())
}

fn national_entry(raw: &Raw, group: String, kommun: Option<String>) -> CatalogueEntry {
    let (kind, label) = match raw.utbildningstyp.as_str() {
        "aub" => (
            OfferingKind::LabourMarketTraining,
            "arbetsmarknadsutbildning",
        ),
        "folkhögskola" => (OfferingKind::FolkHighSchool, "folkhögskola"),
        "gymnasial vuxenutbildning" => (
            OfferingKind::MunicipalAdultEducation,
            "komvux gymnasial vuxenutbildning",
        ),
        _ => (OfferingKind::HigherVocational, "nationell yrkesutbildning"),
    };
    let title = clean_text(&raw.utbildningsnamn);
    let description = raw
        .beskrivning
        .as_deref()
        .map(clean_text)
        .unwrap_or_default();
    let lower = title.to_lowercase();
    let format = if lower.contains("delvis distans") {
        Format::Blended
    } else if lower.contains("distans") {
        Format::Distance
    } else {
        Format::OnSite
    };
    let provider = match kind {
        OfferingKind::LabourMarketTraining => "Arbetsförmedlingen".to_string(),
        _ => host(&raw.url),
    };
    CatalogueEntry {
        source_ref: String::new(),
        kind,
        summary: summary_of(&description, label),
        description,
        title,
        provider,
        ssyk_codes: vec![group],
        sun_field: None,
        seqf_level: None,
        credits: None,
        credit_kind: CreditKind::None,
        pace_percent: 100,
        format,
        kommun_code: kommun,
        place: raw.ort.trim().to_string(),
        url: raw.url.trim().to_string(),
        seats: None,
    }
}

/// The granted educations of the YH round, one offering per education and kommun.
/// `ssyk_for` gives the occupation an education leads to (a confirmed or suggested link).
pub fn yh_entries(
    rows: &[YhRow],
    kommun_names: &HashMap<String, String>,
    ssyk_for: impl Fn(&YhRow) -> Option<String>,
) -> Vec<CatalogueEntry> {
    rows.iter()
        .filter(|r| r.granted && r.granted_places > 0)
        .map(|r| {
            let place = kommun_names
                .get(&r.kommun_code)
                .cloned()
                .unwrap_or_default();
            let distance = r.study_form.eq_ignore_ascii_case("distans");
            let summary = format!(
                "Yrkeshögskoleutbildning inom {}, {} YH-poäng, {} platser per omgång{}.",
                r.area,
                r.yh_points.map_or("–".into(), |p| p.to_string()),
                r.places,
                if distance { ", på distans" } else { "" },
            );
            let description = format!(
                "{} hos {}. Beviljad i Myndigheten för yrkeshögskolans ansökningsomgång 2024 \
                 ({}) med {} utbildningsomgångar och {} platser totalt i {}.",
                r.education_name, r.provider, r.reference, r.intakes, r.granted_places, place
            );
            CatalogueEntry {
                source_ref: format!("{}:{}", r.reference, r.kommun_code),
                kind: OfferingKind::HigherVocational,
                title: r.education_name.clone(),
                summary,
                description,
                provider: r.provider.clone(),
                ssyk_codes: ssyk_for(r).into_iter().collect(),
                sun_field: Some(r.sun_code.clone()).filter(|c| !c.is_empty()),
                seqf_level: r.seqf_level,
                credits: r.yh_points.map(|p| p as f64),
                credit_kind: CreditKind::YhPoints,
                pace_percent: r.pace_percent.unwrap_or(100).clamp(1, 100),
                format: if distance {
                    Format::Distance
                } else {
                    Format::OnSite
                },
                kommun_code: Some(r.kommun_code.clone()),
                place,
                url: "https://www.yrkeshogskolan.se/".into(),
                seats: Some(r.places),
            }
        })
        .collect()
}

/// The host of a link without `www.`: the best provider name the file offers.
fn host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    host.trim_start_matches("www.").to_string()
}

/// The first sentences of a description, up to about 240 characters; a generic line when there
/// is no description.
fn summary_of(description: &str, label: &str) -> String {
    if description.is_empty() {
        let mut s = label.to_string();
        if let Some(first) = s.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        return format!("{s}.");
    }
    let mut out = String::new();
    for sentence in description.split_inclusive(['.', '!', '?']) {
        if !out.is_empty() && out.chars().count() + sentence.chars().count() > 240 {
            break;
        }
        out.push_str(sentence);
    }
    if out.chars().count() > 280 {
        let cut: String = out.chars().take(277).collect();
        out = format!("{}…", cut.trim_end());
    }
    out.trim().to_string()
}

/// Turns the file's HTML fragments into plain text: comments and tags removed, entities
/// decoded, whitespace collapsed.
pub fn clean_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = if after.starts_with("<!--") {
            after.find("-->").map_or(after.len(), |e| e + 3)
        } else {
            after.find('>').map_or(after.len(), |e| e + 1)
        };
        text.push(' ');
        rest = &after[end..];
    }
    text.push_str(rest);
    let decoded = decode_entities(&text);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let entity = after[1..]
            .find(';')
            .filter(|&e| e <= 10)
            .map(|e| &after[1..=e]);
        match entity.and_then(entity_char) {
            Some(c) => {
                out.push(c);
                rest = &after[entity.map_or(0, str::len) + 2..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity_char(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "aring" => 'å',
        "auml" => 'ä',
        "ouml" => 'ö',
        "Aring" => 'Å',
        "Auml" => 'Ä',
        "Ouml" => 'Ö',
        "eacute" => 'é',
        "Eacute" => 'É',
        "uuml" => 'ü',
        "nbsp" => ' ',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "ndash" => '–',
        "mdash" => '—',
        "rsquo" | "lsquo" => '’',
        "rdquo" | "ldquo" => '”',
        "hellip" => '…',
        _ => return None,
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
    fn html_fragments_become_plain_swedish_text() {
        assert_eq!(
            clean_text("Dr&ouml;mmer du om att skapa spel?&nbsp;<b>Ja</b>"),
            "Drömmer du om att skapa spel? Ja"
        );
        assert_eq!(clean_text("A<!--.tb_button {padding:1px;} B"), "A");
        assert_eq!(clean_text("R&amp;D &#228; &#xE5; & so"), "R&D ä å & so");
        assert_eq!(clean_text("&unknown; text"), "&unknown; text");
    }

    #[test]
    fn every_national_offering_is_read_once_with_all_its_occupations_and_a_kommun() {
        let places = places(&kommuner()).unwrap();
        let entries = read_national(&places).unwrap();
        assert!(
            entries.len() > 700 && entries.len() < 1_185,
            "{}",
            entries.len()
        );
        assert!(entries.iter().all(|e| e.kommun_code.is_some()));
        let refs: std::collections::HashSet<&str> =
            entries.iter().map(|e| e.source_ref.as_str()).collect();
        assert_eq!(refs.len(), entries.len());
        let kinds: std::collections::HashSet<OfferingKind> =
            entries.iter().map(|e| e.kind).collect();
        assert_eq!(kinds.len(), 4);
        assert!(entries.iter().all(|e| !e.description.contains("&ouml;")));
        assert!(entries.iter().any(|e| e.ssyk_codes.len() > 1));
        assert!(
            entries
                .iter()
                .flat_map(|e| &e.ssyk_codes)
                .all(|c| c.len() == 4)
        );
        let usk = entries
            .iter()
            .find(|e| e.title.starts_with("Undersköterska") && e.place == "Gävle")
            .unwrap();
        assert_eq!(usk.kind, OfferingKind::MunicipalAdultEducation);
        assert_eq!(usk.kommun_code.as_deref(), Some("2180"));
    }

    #[test]
    fn providers_are_named_by_their_web_address() {
        assert_eq!(
            host("https://www.hjalmared.se/utbildningar/x"),
            "hjalmared.se"
        );
        assert_eq!(host("http://yh.enkoping.se"), "yh.enkoping.se");
    }
}
