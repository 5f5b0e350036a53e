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
    /// The workbook is larger than an import may read: what it declares or holds is named in
    /// neutral terms (a cell address, a count, a size in MB) so any language can show it.
    #[error("the workbook is too large to read: {0}")]
    TooLarge(String),
}

/// What an XLSX upload may hold. A workbook is a zip archive: a few KB can declare a sheet of
/// 16,384 × 1,048,576 cells or inflate to gigabytes, so every limit is checked before or while
/// reading, never after. The largest real import (10,000 need reports) is far below them.
pub mod limits {
    /// Total uncompressed size of the archive's entries, by their declared sizes (the zip
    /// reader refuses an entry that inflates beyond what it declares).
    pub const MAX_UNCOMPRESSED_BYTES: u64 = 64 * 1024 * 1024;
    /// Columns a sheet may declare or use (Excel allows 16,384).
    pub const MAX_COLUMNS: u32 = 256;
    /// Rows a sheet may declare or use.
    pub const MAX_ROWS: u32 = 200_000;
    /// Cells kept in memory, counting each row up to its last used column.
    pub const MAX_CELLS: usize = 4_000_000;
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
        let cells: Vec<String> = record
            .iter()
            .map(|c| restore_formula(c.trim()).to_string())
            .collect();
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
    use limits::{MAX_CELLS, MAX_COLUMNS, MAX_ROWS};
    check_archive(bytes)?;
    let bad = |e: calamine::XlsxError| TableError::Workbook(e.to_string());
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(bad)?;
    let sheet = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or(TableError::Empty)?;
    // Cells are streamed one at a time (`worksheet_range` would allocate the declared
    // rectangle densely): the declared dimensions are checked first, then every cell.
    let mut cells = book.worksheet_cells_reader(&sheet).map_err(bad)?;
    let declared = cells.dimensions();
    if declared.end.0 >= MAX_ROWS || declared.end.1 >= MAX_COLUMNS {
        return Err(TableError::TooLarge(cell_address(declared.end)));
    }
    let mut by_row: std::collections::BTreeMap<u32, Vec<String>> = Default::default();
    let mut kept = 0usize;
    while let Some(cell) = cells.next_cell().map_err(bad)? {
        let (row, column) = cell.get_position();
        if row >= MAX_ROWS || column >= MAX_COLUMNS {
            return Err(TableError::TooLarge(cell_address((row, column))));
        }
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        let cells_of_row = by_row.entry(row).or_default();
        let width = column as usize + 1;
        if cells_of_row.len() < width {
            kept += width - cells_of_row.len();
            if kept > MAX_CELLS {
                return Err(TableError::TooLarge(format!("{kept} cells")));
            }
            cells_of_row.resize(width, String::new());
        }
        cells_of_row[column as usize] = text;
    }
    let mut rows = by_row.into_iter();
    let headers = rows.next().ok_or(TableError::Empty)?.1;
    Ok(Table {
        headers,
        rows: rows.map(|(r, cells)| (u64::from(r) + 1, cells)).collect(),
    })
}

/// Refuses an archive whose entries would inflate beyond [`limits::MAX_UNCOMPRESSED_BYTES`],
/// by the sizes the archive declares, before anything is decompressed.
fn check_archive(bytes: &[u8]) -> Result<(), TableError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| TableError::Workbook(e.to_string()))?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| TableError::Workbook(e.to_string()))?;
        total = total.saturating_add(entry.size());
        if total > limits::MAX_UNCOMPRESSED_BYTES {
            return Err(TableError::TooLarge(format!(
                "> {} MB",
                limits::MAX_UNCOMPRESSED_BYTES / (1024 * 1024)
            )));
        }
    }
    Ok(())
}

/// A zero-based (row, column) as Excel names it: (0, 0) is A1, (1048575, 16383) is XFD1048576.
fn cell_address((row, column): (u32, u32)) -> String {
    let mut letters = Vec::new();
    let mut n = column + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        String::from_utf8_lossy(&letters),
        u64::from(row) + 1
    )
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        // Whole numbers typed in Excel arrive as floats: 12.0 is the text "12".
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::String(s) => s.trim().to_string(),
        // A date typed in Excel is a day number with a date format: the ISO date (and the
        // time of day when it has one), as a person would type it in a CSV file.
        Data::DateTime(d) if d.is_datetime() => {
            let (y, mo, da, h, mi, _, _) = d.to_ymd_hms_milli();
            if (h, mi) == (0, 0) {
                format!("{y:04}-{mo:02}-{da:02}")
            } else {
                format!("{y:04}-{mo:02}-{da:02} {h:02}:{mi:02}")
            }
        }
        other => other.to_string().trim().to_string(),
    }
}

/// The characters that make a spreadsheet read a CSV cell as a formula (`=HYPERLINK(…)`,
/// `@SUM(…)`, `+cmd|…`); a tab or carriage return first can hide one.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as it may be written to CSV: one that a spreadsheet would run as a formula gets a
/// leading apostrophe (shown as text, never evaluated). Numbers such as "-12" or "-1,5" stay
/// as they are. [`read_csv`] takes the apostrophe off again, so exports import unchanged.
fn neutralise_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    let numeric = cell.replace(',', ".").parse::<f64>().is_ok();
    if cell.starts_with(FORMULA_STARTS) && !numeric {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// The cell's text with the apostrophe [`neutralise_formula`] added taken off.
fn restore_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
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
        w.write_record(headers.iter().map(|h| neutralise_formula(h).into_owned()))?;
        for row in rows {
            w.write_record(row.iter().map(|c| neutralise_formula(c).into_owned()))?;
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
/// A cell that is a number: an integer without a leading zero (so codes such as `0180` stay
/// text), or a decimal with a comma or a point (`17,5`, `0.512`).
fn number(v: &str) -> Option<f64> {
    if let Ok(n) = v.parse::<i64>() {
        return (!v.starts_with('0') || v == "0").then_some(n as f64);
    }
    let (whole, fraction) = v.split_once([',', '.'])?;
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let whole = whole.strip_prefix('-').unwrap_or(whole);
    (digits(whole) && digits(fraction) && !fraction.contains([',', '.']))
        .then(|| v.replace(',', ".").parse().ok())
        .flatten()
}

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
            match number(v) {
                Some(n) => sheet.write_number(r, c, n)?,
                None => sheet.write_string(r, c, v)?,
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
    fn numbers_become_numbers_in_xlsx_and_codes_stay_text() {
        assert_eq!(number("17,5"), Some(17.5), "a Swedish decimal");
        assert_eq!(number("0.512"), Some(0.512));
        assert_eq!(number("-3,25"), Some(-3.25));
        assert_eq!(number("2184"), Some(2184.0));
        for text in [
            "0180",
            "2027-01-18",
            "1.2.3",
            "7,5 hp",
            ",5",
            "12,",
            "SeQF 5",
        ] {
            assert_eq!(number(text), None, "{text}");
        }
    }

    #[test]
    fn semicolon_and_comma_csv_read_alike_with_line_numbers() {
        let a = read_table(b"ssyk;kommun\n5321;2184\n\n2221;2180\n").unwrap();
        let b = read_table(b"ssyk,kommun\r\n5321,2184\r\n\r\n2221,2180\r\n").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.rows[1], (4, vec!["2221".into(), "2180".into()]));
    }

    #[test]
    fn dates_typed_in_excel_read_as_iso_dates() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let format = Format::new().set_num_format("yyyy-mm-dd hh:mm");
        sheet.write_string(0, 0, "träff").unwrap();
        let day = ExcelDateTime::from_ymd(2026, 3, 4).unwrap();
        let at = day.clone().and_hms(13, 30, 0).unwrap();
        sheet
            .write_datetime_with_format(1, 0, &day, &format)
            .unwrap();
        sheet
            .write_datetime_with_format(2, 0, &at, &format)
            .unwrap();
        let t = read_table(&book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(t.rows[0].1, ["2026-03-04"]);
        assert_eq!(t.rows[1].1, ["2026-03-04 13:30"]);
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

    #[test]
    fn csv_exports_never_hand_a_spreadsheet_a_formula() {
        let rows = vec![vec![
            "=HYPERLINK(\"http://x\",\"y\")".to_string(),
            "@SUM(A1)".into(),
            "+46 70 123".into(),
            "-12".into(),
            "-1,5".into(),
            "\t=1+1".into(),
        ]];
        let csv = write_csv(&["a", "b", "c", "d", "e", "f"], &rows).unwrap();
        let raw: Vec<String> = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(&csv[3..])
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(String::from)
            .collect();
        assert_eq!(
            raw,
            [
                "'=HYPERLINK(\"http://x\",\"y\")",
                "'@SUM(A1)",
                "'+46 70 123",
                "-12",
                "-1,5",
                "'\t=1+1"
            ]
        );
        // Reading the export back gives the values that were exported.
        let back = read_table(&csv).unwrap();
        assert_eq!(back.rows[0].1[..5], rows[0][..5]);
    }

    #[test]
    fn cells_are_named_as_excel_names_them() {
        assert_eq!(cell_address((0, 0)), "A1");
        assert_eq!(cell_address((9, 25)), "Z10");
        assert_eq!(cell_address((0, 26)), "AA1");
        assert_eq!(cell_address((1_048_575, 16_383)), "XFD1048576");
    }

    /// A workbook of a few KB whose one far cell used to make the reader allocate the whole
    /// sheet densely (512 GiB) and abort the process: refused by its declared size.
    #[test]
    fn a_far_cell_is_refused_without_allocating_the_sheet() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "yrke").unwrap();
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        assert!(bytes.len() < 10_000, "{} bytes", bytes.len());
        assert_eq!(
            read_table(&bytes),
            Err(TableError::TooLarge("XFD1048576".into()))
        );
    }

    /// The same far cell without a declared dimension (written by hand, as an attacker
    /// would) is caught while streaming.
    #[test]
    fn a_far_cell_without_a_declared_dimension_is_refused_while_streaming() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "yrke").unwrap();
        sheet.write_string(0, 300, "x").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let err = read_table(&strip_dimension(&bytes)).unwrap_err();
        assert_eq!(err, TableError::TooLarge("KO1".into()));
    }

    /// Rewrites the sheet's `<dimension ref="…"/>` to A1 by re-zipping the workbook.
    fn strip_dimension(xlsx: &[u8]) -> Vec<u8> {
        use std::io::{Read, Write};
        let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).unwrap();
            let name = entry.name().unwrap().to_string();
            let mut content = String::new();
            entry.read_to_string(&mut content).unwrap();
            if name.starts_with("xl/worksheets/") {
                let start = content.find("<dimension").unwrap();
                let end = start + content[start..].find("/>").unwrap() + 2;
                content.replace_range(start..end, r#"<dimension ref="A1"/>"#);
            }
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(content.as_bytes()).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    /// Dense data that inflates far beyond what an import needs is refused by the archive's
    /// declared sizes before anything is inflated.
    #[test]
    fn a_workbook_that_inflates_beyond_the_limit_is_refused() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let long = "a".repeat(32_000);
        for r in 0..2_200 {
            sheet.write_string(r, 0, format!("{r}{long}")).unwrap();
        }
        let bytes = book.save_to_buffer().unwrap();
        assert!(bytes.len() < 2_000_000, "{} bytes", bytes.len());
        assert_eq!(
            read_table(&bytes),
            Err(TableError::TooLarge("> 64 MB".into()))
        );
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
