//! Readers for what Lärnav imports.
//!
//! Today: the reference data shipped inside the binary (SSYK 2012 with occupation names and
//! skills, SUN 2020, län and kommuner; see `data/reference/SOURCES.md`). The readers are pure:
//! they turn bytes into domain values or say exactly which file, line and field was wrong.
//! Writing to the store is the app layer's job.

pub mod admission;
pub mod ads;
pub mod catalogue;
pub mod ical;
pub mod reference;
pub mod signals;
pub mod supply;
pub mod tabular;

/// Why an input could not be read. Every variant names the file and, where there is one, the
/// line and field, so that the message can be shown to the person who supplied the file.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{file}: not valid JSON: {source}")]
    Json {
        file: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("{file}, line {line}: {source}")]
    Csv {
        file: &'static str,
        line: u64,
        #[source]
        source: csv::Error,
    },
    #[error("{file}, line {line}, field {field}: {value:?} is not {expected}")]
    Invalid {
        file: &'static str,
        line: u64,
        field: &'static str,
        value: String,
        expected: String,
    },
    #[error("{file}: {problem}")]
    Inconsistent { file: &'static str, problem: String },
}
