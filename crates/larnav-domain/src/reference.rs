//! Reference data as the domain sees it: SSYK occupations, SUN, SeQF, län and kommuner.

use serde::Serialize;

/// One of the eight SeQF levels with its Swedish and English description.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SeqfLevelInfo {
    pub level: u8,
    pub sv: &'static str,
    pub en: &'static str,
}

/// SeQF levels 1–8 (förordning 2015:545), described by the qualifications that typically
/// sit on each level.
pub const SEQF_LEVELS: [SeqfLevelInfo; 8] = [
    SeqfLevelInfo {
        level: 1,
        sv: "Grundläggande kunskaper, t.ex. grundskolans tidigare årskurser",
        en: "Basic knowledge, e.g. the early years of compulsory school",
    },
    SeqfLevelInfo {
        level: 2,
        sv: "Grundskoleexamen, grundläggande vuxenutbildning",
        en: "Compulsory school leaving qualification, basic adult education",
    },
    SeqfLevelInfo {
        level: 3,
        sv: "Gymnasiesärskola, vissa yrkesbevis",
        en: "Upper secondary special school, some vocational certificates",
    },
    SeqfLevelInfo {
        level: 4,
        sv: "Gymnasieexamen (yrkes- eller högskoleförberedande), komvux",
        en: "Upper secondary diploma (vocational or preparatory), municipal adult education",
    },
    SeqfLevelInfo {
        level: 5,
        sv: "Yrkeshögskoleexamen, högskoleutbildning kortare än 2 år",
        en: "Higher vocational education diploma, higher education under 2 years",
    },
    SeqfLevelInfo {
        level: 6,
        sv: "Kvalificerad yrkeshögskoleexamen, kandidatexamen, högskoleexamen",
        en: "Advanced higher vocational diploma, bachelor's degree",
    },
    SeqfLevelInfo {
        level: 7,
        sv: "Magister- och masterexamen, många yrkesexamina",
        en: "Master's degrees and many professional degrees",
    },
    SeqfLevelInfo {
        level: 8,
        sv: "Licentiat- och doktorsexamen",
        en: "Licentiate and doctoral degrees",
    },
];

/// A län (county) with its official code and JobTech concept id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lan {
    pub code: String,
    pub name: String,
    pub jobtech_id: String,
    pub nuts3: String,
}

/// A kommun (municipality) with its official code, its län and JobTech concept id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kommun {
    pub code: String,
    pub name: String,
    pub lan_code: String,
    pub jobtech_id: String,
}

/// A group in SSYK 2012 at level 1–4. `parent_code` is empty at level 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OccupationGroup {
    pub code: String,
    pub level: u8,
    pub name: String,
    pub definition: String,
    pub parent_code: Option<String>,
    pub jobtech_id: String,
}

/// An occupation name (yrkesbenämning) under an SSYK-4 group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OccupationName {
    pub jobtech_id: String,
    pub name: String,
    pub group_code: String,
}

/// A skill (kompetens) from the JobTech taxonomy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skill {
    pub jobtech_id: String,
    pub name: String,
}

/// A node in one of the SUN 2020 hierarchies (fields or levels).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SunCode {
    pub code: String,
    pub level: u8,
    pub name: String,
    pub parent_code: Option<String>,
}

/// Everything the reference-data loader puts in the store.
#[derive(Debug, Clone, Default)]
pub struct ReferenceData {
    pub lan: Vec<Lan>,
    pub kommuner: Vec<Kommun>,
    pub occupation_groups: Vec<OccupationGroup>,
    pub occupation_names: Vec<OccupationName>,
    pub skills: Vec<Skill>,
    /// (SSYK-4 code, skill JobTech id)
    pub group_skills: Vec<(String, String)>,
    pub sun_fields: Vec<SunCode>,
    pub sun_levels: Vec<SunCode>,
}
