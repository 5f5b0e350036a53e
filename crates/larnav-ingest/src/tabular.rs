//! Tables people bring from Excel: CSV (UTF-8 or Windows-1252, `,` or `;` separated) and XLSX,
//! read into rows of text with their line numbers; and the same tables written back as CSV or
//! XLSX for export. Reading and writing share one shape, so every export can be imported again.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

/// A table: a header row and data rows, each with the line (CSV) or row (XLSX) number a person
/// sees in their program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Why a file could not be read as a table at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("the file is empty")]
    Empty,
    #[error("the workbook cannot be read: {0}")]
    Workbook(String),
    #[error("line {line}: {problem}")]
    Csv { line: u64, problem: String },
}

/// Reads CSV or XLSX, told apart by content (an XLSX file is a zip archive), not by name.
///
/// # Errors
/// [`TableError`] when the file is empty or not a readable table.
pub fn read_table(bytes: &[u8]) -> Result<Table, TableError> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)
    } else {
        read_csv(&decode_text(bytes))
    }
}

/// UTF-8 (with or without a byte-order mark) as is; anything else is taken as Windows-1252,
/// which is what Excel writes for "CSV" on Swedish Windows.
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| windows_1252(b)).collect(),
    }
}

/// Windows-1252 differs from Latin-1 (whose bytes are the first 256 code points) only in
/// 0x80–0x9F; å, ä, ö, Å, Ä, Ö, é are Latin-1.
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

/// The separator of the header line: `;` when it has more of them than `,`.
fn separator(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    }
}

fn read_csv(text: &str) -> Result<Table, TableError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // The csv crate's own line count skips blank lines: count newlines before each record.
    let newlines: Vec<usize> = memchr::memchr_iter(b'\n', text.as_bytes()).collect();
    // A record's position may point at the line ends before it: skip them first.
    let bytes = text.as_bytes();
    let line_at = |byte: u64| {
        let mut at = byte as usize;
        while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        newlines.partition_point(|&n| n < at) as u64 + 1
    };
    let mut headers = None;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| TableError::Csv {
            line: e.position().map_or(0, |p| line_at(p.byte())),
            problem: e.to_string(),
        })?;
        let line = record.position().map_or(0, |p| line_at(p.byte()));
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        match headers {
            None => headers = Some(cells),
            Some(_) => rows.push((line, cells)),
        }
    }
    Ok(Table {
        headers: headers.ok_or(TableError::Empty)?,
        rows,
    })
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, TableError> {
    let bad = |e: calamine::XlsxError| TableError::Workbook(e.to_string());
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(bad)?;
    let sheet = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or(TableError::Empty)?;
    let range = book.worksheet_range(&sheet).map_err(bad)?;
    let first_row = range.start().map_or(0, |(r, _)| r as u64);
    let mut headers = None;
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let cells: Vec<String> = row.iter().map(cell_text).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let line = first_row + i as u64 + 1;
        match headers {
            None => headers = Some(cells),
            Some(_) => rows.push((line, cells)),
        }
    }
    Ok(Table {
        headers: headers.ok_or(TableError::Empty)?,
        rows,
    })
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        // Whole numbers typed in Excel arrive as floats: 12.0 is the text "12".
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::String(s) => s.trim().to_string(),
        other => other.to_string().trim().to_string(),
    }
}

/// A table as CSV: UTF-8 with a byte-order mark (so Excel shows å, ä, ö) and `;` separators
/// (Excel's default with Swedish settings, where `,` is the decimal sign).
///
/// # Errors
/// Never in practice (writing to memory); a csv error otherwise.
pub fn write_csv(headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, csv::Error> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(&mut out);
        w.write_record(headers)?;
        for row in rows {
            w.write_record(row)?;
        }
        w.flush()?;
    }
    Ok(out)
}

/// A table as an XLSX workbook with one sheet, a bold header row and a frozen header; cells
/// that are whole numbers are written as numbers so Excel can sum them.
///
/// # Errors
/// A workbook error from rust_xlsxwriter.
pub fn write_xlsx(
    sheet_name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name)?;
    let bold = Format::new().set_bold();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match v.parse::<i64>() {
                Ok(n) if !v.starts_with('0') || v == "0" => sheet.write_number(r, c, n as f64)?,
                _ => sheet.write_string(r, c, v)?,
            };
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn semicolon_and_comma_csv_read_alike_with_line_numbers() {
        let a = read_table(b"ssyk;kommun\n5321;2184\n\n2221;2180\n").unwrap();
        let b = read_table(b"ssyk,kommun\r\n5321,2184\r\n\r\n2221,2180\r\n").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.rows[1], (4, vec!["2221".into(), "2180".into()]));
    }

    #[test]
    fn windows_1252_from_excel_is_decoded() {
        // "Gävle;Örebro – ok" in Windows-1252 (ä = E4, Ö = D6, – = 96).
        let bytes = b"kommun;namn\nG\xE4vle;\xD6rebro \x96 ok\n";
        let t = read_table(bytes).unwrap();
        assert_eq!(t.rows[0].1, ["Gävle", "Örebro – ok"]);
        let bom = read_table("\u{feff}kommun\nHärnösand\n".as_bytes()).unwrap();
        assert_eq!(bom.headers, ["kommun"]);
    }

    #[test]
    fn an_empty_file_or_a_broken_workbook_is_an_error() {
        assert_eq!(read_table(b""), Err(TableError::Empty));
        assert!(matches!(
            read_table(b"PK\x03\x04 not really a zip"),
            Err(TableError::Workbook(_))
        ));
    }

    fn arb_cell() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-ZåäöÅÄÖé ,;\"-]{1,12}".prop_map(|s| s.trim().to_string()),
            (0i64..100_000).prop_map(|n| n.to_string()),
            Just("0123".to_string()),
        ]
        .prop_filter("non-empty", |s| !s.is_empty())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn csv_and_xlsx_exports_read_back_unchanged(
            rows in proptest::collection::vec(proptest::collection::vec(arb_cell(), 3), 1..12),
        ) {
            let headers = ["yrke", "kommun", "antal"];
            let csv = write_csv(&headers, &rows).unwrap();
            let xlsx = write_xlsx("Lista", &headers, &rows).unwrap();
            for bytes in [csv, xlsx] {
                let t = read_table(&bytes).unwrap();
                prop_assert_eq!(&t.headers, &headers.map(String::from).to_vec());
                let back: Vec<Vec<String>> = t.rows.into_iter().map(|(_, r)| r).collect();
                prop_assert_eq!(&back, &rows);
            }
        }
    }
}
