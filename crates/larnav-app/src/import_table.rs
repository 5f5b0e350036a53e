//! The common first half of every all-or-nothing spreadsheet import (need reports, offerings,
//! enrolments, attendance): read a CSV or XLSX upload, find the columns by their Swedish
//! template header or English field name, and turn anything that stops the file as a whole —
//! unreadable, a required column missing, no rows, too many — into line-numbered problems.
//! Each import then checks its rows and lists every problem by line, column and value.

use std::collections::HashMap;

use larnav_domain::text::fold;
use larnav_ingest::tabular::{TableError, read_table};

use crate::{AppError, ImportProblem, Result};

/// One problem of an import: `line` 0 is the file itself, 1 its header row.
pub(crate) fn problem(line: u64, column: &str, value: &str, key: &'static str) -> ImportProblem {
    ImportProblem {
        line,
        field: column.to_string(),
        value: value.chars().take(100).collect(),
        expected_key: key,
    }
}

/// The whole file refused for one reason.
pub(crate) fn rejected(line: u64, column: &str, value: &str, key: &'static str) -> AppError {
    AppError::ImportRejected(vec![problem(line, column, value, key)])
}

/// Why a file could not be read as a table, as a problem's value and message key.
pub(crate) fn unreadable(e: &TableError) -> (String, &'static str) {
    match e {
        TableError::TooLarge(what) => (what.clone(), "import.workbook_too_large"),
        other => (other.to_string(), "import.unreadable"),
    }
}

/// A header as compared: folded case, `_` for spaces and hyphens, å/ä → a and ö → o (so that
/// `Behov nu`, `behov_nu` and `BEHOV-NU` are one column, and `närvaro` matches `narvaro`).
fn header_key(h: &str) -> String {
    fold(h.trim())
        .replace([' ', '-'], "_")
        .replace(['å', 'ä'], "a")
        .replace('ö', "o")
}

/// An uploaded table with its columns found.
pub(crate) struct ImportTable {
    /// (line number in the file, cells) for each data row.
    pub rows: Vec<(u64, Vec<String>)>,
    columns: HashMap<&'static str, usize>,
    /// (Swedish header, field name) of every column the import knows.
    names: &'static [(&'static str, &'static str)],
}

impl ImportTable {
    /// Reads `file` with the columns `names` ((Swedish header, field name)), of which
    /// `required` (field names) must be present, and at most `max_rows` rows.
    ///
    /// # Errors
    /// [`AppError::ImportRejected`] naming the file, the missing columns or the row count.
    pub(crate) fn read(
        file: &[u8],
        names: &'static [(&'static str, &'static str)],
        required: &[&str],
        max_rows: usize,
    ) -> Result<Self> {
        let table = read_table(file).map_err(|e| {
            let (value, key) = unreadable(&e);
            rejected(0, "file", &value, key)
        })?;
        let mut columns = HashMap::new();
        for (i, h) in table.headers.iter().enumerate() {
            let h = header_key(h);
            if let Some((_, field)) = names
                .iter()
                .find(|(sv, en)| header_key(sv) == h || *en == h)
            {
                columns.insert(*field, i);
            }
        }
        let this = Self {
            rows: table.rows,
            columns,
            names,
        };
        let missing: Vec<ImportProblem> = required
            .iter()
            .filter(|f| !this.columns.contains_key(*f))
            .map(|f| problem(1, this.column(f), "", "import.column_missing"))
            .collect();
        if !missing.is_empty() {
            return Err(AppError::ImportRejected(missing));
        }
        if this.rows.is_empty() {
            return Err(rejected(2, "file", "", "import.no_rows"));
        }
        if let Some((line, _)) = this.rows.get(max_rows) {
            return Err(rejected(
                *line,
                "file",
                &this.rows.len().to_string(),
                "import.too_many_rows",
            ));
        }
        Ok(this)
    }

    /// The trimmed value of `field` in a row ("" when the column is absent).
    pub(crate) fn cell(&self, cells: &[String], field: &str) -> String {
        self.columns
            .get(field)
            .and_then(|&i| cells.get(i))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    }

    /// The column a field is named by in problems: its Swedish header.
    pub(crate) fn column(&self, field: &str) -> &'static str {
        self.names
            .iter()
            .find(|(_, f)| *f == field)
            .map_or("file", |(sv, _)| sv)
    }
}
