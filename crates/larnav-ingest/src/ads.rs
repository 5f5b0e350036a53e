//! Streaming import of JobTech historical ads: JSON lines (plain or gzip), one ad per line,
//! aggregated into ads and vacancies per SSYK-4 × kommun × month.
//!
//! Memory stays flat whatever the file size: a reader thread hands fixed-size blocks of whole
//! lines to one parser thread per core, and the caller receives each block's ads as a batch
//! (to store, or to aggregate). Nothing holds the file or its lines.
//!
//! Each line is read by a small JSON tokenizer instead of a full JSON parser: it walks the line
//! once, jumping through string values with `memchr` (most of an ad is its description text),
//! tracks nesting, and keeps only the five values it needs — `id`, `publication_date`,
//! `number_of_vacancies` at the top level, `occupation_group.legacy_ams_taxonomy_id` and
//! `workplace_address.municipality_code`. It still checks the line's structure (balanced
//! brackets, terminated strings, one object, nothing after it), so a broken line is reported,
//! not half-read. This is what makes 1 GB/s per core possible (see docs/benchmarks.md).

use std::io::{self, Read};
use std::sync::mpsc;

use memchr::{memchr, memchr2};

/// Bytes handed to a parser at a time (whole lines; a longer line is reported as too long).
pub const BLOCK: usize = 4 * 1024 * 1024;

/// The codes the import accepts, as bitmaps over 0..10000.
#[derive(Debug, Clone)]
pub struct Known {
    ssyk: Vec<bool>,
    kommun: Vec<bool>,
}

impl Known {
    pub fn new<'a>(
        ssyk: impl IntoIterator<Item = &'a str>,
        kommuner: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let bitmap = |codes: &mut dyn Iterator<Item = &'a str>| {
            let mut b = vec![false; 10_000];
            for c in codes {
                if let Some(n) = four_digits(c.as_bytes()) {
                    b[n as usize] = true;
                }
            }
            b
        };
        Self {
            ssyk: bitmap(&mut ssyk.into_iter()),
            kommun: bitmap(&mut kommuner.into_iter()),
        }
    }
}

fn four_digits(s: &[u8]) -> Option<u16> {
    if s.len() != 4 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0u16, |n, d| n * 10 + (d - b'0') as u16))
}

/// One accepted ad.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ad {
    pub id: String,
    pub ssyk: u16,
    pub kommun: u16,
    /// `yyyy * 100 + mm`.
    pub month: u32,
    pub vacancies: i64,
}

impl Ad {
    pub fn ssyk_code(&self) -> String {
        format!("{:04}", self.ssyk)
    }
    pub fn kommun_code(&self) -> String {
        format!("{:04}", self.kommun)
    }
    pub fn period(&self) -> String {
        format!("{}-{:02}", self.month / 100, self.month % 100)
    }
}

/// Why a line was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// Not one well-formed JSON object (the reason says where it broke).
    Broken(&'static str),
    TooLong,
    Missing(&'static str),
    Invalid {
        field: &'static str,
        value: String,
    },
    UnknownSsyk(String),
    UnknownKommun(String),
}

impl Rejection {
    /// The field and the value the rejection concerns (either may be empty); for a broken
    /// line, where it broke (`not an object` …).
    pub fn detail(&self) -> (&'static str, String) {
        match self {
            Self::Broken(why) => ("", (*why).to_string()),
            Self::TooLong => ("", String::new()),
            Self::Missing(field) => (field, String::new()),
            Self::Invalid { field, value } => (field, value.clone()),
            Self::UnknownSsyk(v) => ("occupation_group.legacy_ams_taxonomy_id", v.clone()),
            Self::UnknownKommun(v) => ("workplace_address.municipality_code", v.clone()),
        }
    }

    /// A short key for the summary ("how many lines for each reason").
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Broken(_) => "broken",
            Self::TooLong => "too_long",
            Self::Missing(_) => "missing",
            Self::Invalid { .. } => "invalid",
            Self::UnknownSsyk(_) => "unknown_ssyk",
            Self::UnknownKommun(_) => "unknown_kommun",
        }
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Broken(why) => write!(f, "not a complete JSON object ({why})"),
            Self::TooLong => write!(f, "line longer than {} MB", BLOCK / 1024 / 1024),
            Self::Missing(field) => write!(f, "{field} is missing or null"),
            Self::Invalid { field, value } => write!(f, "{field}: {value:?} is not valid"),
            Self::UnknownSsyk(v) => write!(
                f,
                "occupation_group.legacy_ams_taxonomy_id: {v:?} is not an SSYK-4 code"
            ),
            Self::UnknownKommun(v) => {
                write!(
                    f,
                    "workplace_address.municipality_code: {v:?} is not a kommun code"
                )
            }
        }
    }
}

/// The raw values of one line, borrowed from it.
#[derive(Debug, Default, PartialEq, Eq)]
struct Raw<'a> {
    id: Option<&'a [u8]>,
    date: Option<&'a [u8]>,
    vacancies: Option<&'a [u8]>,
    ssyk: Option<&'a [u8]>,
    kommun: Option<&'a [u8]>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Object {
    Top,
    Group,
    Address,
    Other,
}

/// Where in the tokenizer a value lands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    None,
    Id,
    Date,
    Vacancies,
    Ssyk,
    Kommun,
    GroupObject,
    AddressObject,
}

fn slot(object: Object, key: &[u8]) -> Slot {
    match (object, key) {
        (Object::Top, b"id") => Slot::Id,
        (Object::Top, b"publication_date") => Slot::Date,
        (Object::Top, b"number_of_vacancies") => Slot::Vacancies,
        (Object::Top, b"occupation_group") => Slot::GroupObject,
        (Object::Top, b"workplace_address") => Slot::AddressObject,
        (Object::Group, b"legacy_ams_taxonomy_id") => Slot::Ssyk,
        (Object::Address, b"municipality_code") => Slot::Kommun,
        _ => Slot::None,
    }
}

/// Nesting deeper than this is not an ad.
const MAX_DEPTH: usize = 64;

/// Walks one line, checking its structure and keeping the wanted values.
fn scan(line: &[u8]) -> Result<Raw<'_>, Rejection> {
    let mut raw = Raw::default();
    let mut stack: [Object; MAX_DEPTH] = [Object::Other; MAX_DEPTH];
    let mut depth = 0usize;
    let mut pending = Slot::None;
    let mut done = false;
    let mut i = 0;
    let n = line.len();
    while i < n {
        let b = line[i];
        match b {
            b' ' | b'\t' | b'\r' => i += 1,
            _ if done => return Err(Rejection::Broken("text after the object")),
            b'{' | b'[' => {
                if depth == 0 && b != b'{' {
                    return Err(Rejection::Broken("not an object"));
                }
                if depth == MAX_DEPTH {
                    return Err(Rejection::Broken("nested too deep"));
                }
                stack[depth] = match (depth, b, pending) {
                    (0, _, _) => Object::Top,
                    (_, b'{', Slot::GroupObject) => Object::Group,
                    (_, b'{', Slot::AddressObject) => Object::Address,
                    _ => Object::Other,
                };
                depth += 1;
                pending = Slot::None;
                i += 1;
            }
            b'}' | b']' => {
                if depth == 0 {
                    return Err(Rejection::Broken("unbalanced brackets"));
                }
                depth -= 1;
                done = depth == 0;
                pending = Slot::None;
                i += 1;
            }
            b'"' => {
                if depth == 0 {
                    return Err(Rejection::Broken("not an object"));
                }
                let start = i + 1;
                let mut j = start;
                let end = loop {
                    if j >= n {
                        return Err(Rejection::Broken("unterminated string"));
                    }
                    match memchr2(b'"', b'\\', &line[j..]) {
                        Some(k) if line[j + k] == b'"' => break j + k,
                        // A backslash escapes the next byte, whatever it is.
                        Some(k) => j += k + 2,
                        None => return Err(Rejection::Broken("unterminated string")),
                    }
                };
                let text = &line[start..end];
                i = end + 1;
                while i < n && matches!(line[i], b' ' | b'\t' | b'\r') {
                    i += 1;
                }
                if i < n && line[i] == b':' {
                    pending = slot(stack[depth - 1], text);
                    i += 1;
                } else {
                    store(&mut raw, pending, text);
                    pending = Slot::None;
                }
            }
            b',' => {
                pending = Slot::None;
                i += 1;
            }
            b':' => return Err(Rejection::Broken("misplaced colon")),
            _ => {
                if depth == 0 {
                    return Err(Rejection::Broken("not an object"));
                }
                // A number, true, false or null: up to the next delimiter.
                let start = i;
                while i < n && !matches!(line[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\r') {
                    i += 1;
                }
                let text = &line[start..i];
                if text != b"null" {
                    store(&mut raw, pending, text);
                }
                pending = Slot::None;
            }
        }
    }
    if !done {
        return Err(Rejection::Broken(if depth > 0 {
            "ends inside an object (truncated?)"
        } else {
            "empty line"
        }));
    }
    Ok(raw)
}

fn store<'a>(raw: &mut Raw<'a>, slot: Slot, value: &'a [u8]) {
    match slot {
        Slot::Id => raw.id = Some(value),
        Slot::Date => raw.date = Some(value),
        Slot::Vacancies => raw.vacancies = Some(value),
        Slot::Ssyk => raw.ssyk = Some(value),
        Slot::Kommun => raw.kommun = Some(value),
        _ => {}
    }
}

fn text(v: &[u8]) -> String {
    String::from_utf8_lossy(&v[..v.len().min(40)]).into_owned()
}

/// Reads one line into an ad, or says why not.
///
/// # Errors
/// The [`Rejection`] of the line.
pub fn parse_ad(line: &[u8], known: &Known) -> Result<Ad, Rejection> {
    let raw = scan(line)?;
    let id = raw.id.ok_or(Rejection::Missing("id"))?;
    if id.is_empty() || id.len() > 64 || !id.iter().all(|b| b.is_ascii_graphic()) {
        return Err(Rejection::Invalid {
            field: "id",
            value: text(id),
        });
    }
    let ssyk_raw = raw.ssyk.ok_or(Rejection::Missing(
        "occupation_group.legacy_ams_taxonomy_id",
    ))?;
    let ssyk = four_digits(ssyk_raw)
        .filter(|s| known.ssyk[*s as usize])
        .ok_or_else(|| Rejection::UnknownSsyk(text(ssyk_raw)))?;
    let kommun_raw = raw
        .kommun
        .ok_or(Rejection::Missing("workplace_address.municipality_code"))?;
    let kommun = four_digits(kommun_raw)
        .filter(|k| known.kommun[*k as usize])
        .ok_or_else(|| Rejection::UnknownKommun(text(kommun_raw)))?;
    let date = raw.date.ok_or(Rejection::Missing("publication_date"))?;
    let month = month(date).ok_or_else(|| Rejection::Invalid {
        field: "publication_date",
        value: text(date),
    })?;
    let vacancies = match raw.vacancies {
        None => 1,
        Some(v) => std::str::from_utf8(v)
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
            .filter(|n| (0..=10_000).contains(n))
            .ok_or_else(|| Rejection::Invalid {
                field: "number_of_vacancies",
                value: text(v),
            })?,
    };
    Ok(Ad {
        // The id was checked to be printable ASCII.
        id: String::from_utf8_lossy(id).into_owned(),
        ssyk,
        kommun,
        month,
        vacancies,
    })
}

/// `yyyy-mm` from an ISO date or date-time.
fn month(d: &[u8]) -> Option<u32> {
    if d.len() < 7 || d[4] != b'-' || !d[..4].iter().chain(&d[5..7]).all(u8::is_ascii_digit) {
        return None;
    }
    let num = |s: &[u8]| s.iter().fold(0u32, |n, c| n * 10 + (c - b'0') as u32);
    let (y, m) = (num(&d[..4]), num(&d[5..7]));
    ((1990..=2100).contains(&y) && (1..=12).contains(&m)).then_some(y * 100 + m)
}

/// The ads and rejected lines of one block of lines.
#[derive(Debug, Default)]
pub struct Batch {
    pub ads: Vec<Ad>,
    /// (line number, why).
    pub rejected: Vec<(u64, Rejection)>,
    /// Lines in the block and the bytes they took.
    pub lines: u64,
    pub bytes: u64,
}

/// How the stream ended.
#[derive(Debug, Default)]
pub struct StreamEnd {
    pub lines: u64,
    pub bytes: u64,
    /// The file could not be read to the end (a truncated gzip, a read error): what was read
    /// before it was processed; this says why the rest was not.
    pub truncated: Option<String>,
}

fn parse_block(block: &[u8], first_line: u64, known: &Known) -> Batch {
    let mut batch = Batch {
        ads: Vec::with_capacity(block.len() / 2048 + 1),
        bytes: block.len() as u64,
        ..Batch::default()
    };
    let mut line_no = first_line;
    let mut rest = block;
    while !rest.is_empty() {
        let end = memchr(b'\n', rest).unwrap_or(rest.len());
        let line = &rest[..end];
        rest = &rest[(end + 1).min(rest.len())..];
        batch.lines += 1;
        if !line.iter().all(|b| b.is_ascii_whitespace()) {
            match parse_ad(line, known) {
                Ok(ad) => batch.ads.push(ad),
                Err(r) => batch.rejected.push((line_no, r)),
            }
        }
        line_no += 1;
    }
    batch
}

/// Reads plain or gzip input (told apart by the gzip magic bytes).
///
/// # Errors
/// An I/O error reading the first bytes.
pub fn open(mut input: impl Read + Send + 'static) -> io::Result<Box<dyn Read + Send>> {
    let mut head = [0u8; 2];
    let mut got = 0;
    while got < 2 {
        match input.read(&mut head[got..])? {
            0 => break,
            n => got += n,
        }
    }
    let chained = io::Cursor::new(head[..got].to_vec()).chain(input);
    Ok(if head[..got] == [0x1f, 0x8b] {
        Box::new(flate2::read::MultiGzDecoder::new(chained))
    } else {
        Box::new(chained)
    })
}

/// Message from the reader thread: a block of whole lines in `data[..len]`.
enum Block {
    Lines {
        data: Vec<u8>,
        len: usize,
        first_line: u64,
    },
    TooLong {
        line: u64,
        bytes: u64,
    },
}

/// Streams `input` through `threads` parsers, calling `on_batch` (on the calling thread) with
/// each block's result as soon as it is ready, in no particular order. Stops early, returning
/// the error, if `on_batch` fails.
///
/// Block buffers go back to the reader once parsed, so memory is a fixed handful of blocks and
/// no time goes to allocating and clearing new ones.
///
/// # Errors
/// Whatever `on_batch` returns.
pub fn stream<E>(
    input: Box<dyn Read + Send>,
    known: &Known,
    threads: usize,
    mut on_batch: impl FnMut(Batch) -> Result<(), E>,
) -> Result<StreamEnd, E> {
    let threads = threads.max(1);
    std::thread::scope(|scope| {
        let (block_tx, block_rx) = mpsc::sync_channel::<Block>(threads);
        let block_rx = std::sync::Arc::new(std::sync::Mutex::new(block_rx));
        let (batch_tx, batch_rx) = mpsc::sync_channel::<Batch>(threads + 1);
        let (free_tx, free_rx) = mpsc::channel::<Vec<u8>>();
        let reader = scope.spawn(move || read_blocks(input, &block_tx, &free_rx));
        for _ in 0..threads {
            let rx = block_rx.clone();
            let tx = batch_tx.clone();
            let free = free_tx.clone();
            scope.spawn(move || {
                loop {
                    // The lock is held only while taking the next block.
                    let next = rx.lock().map(|r| r.recv());
                    let batch = match next {
                        Ok(Ok(Block::Lines {
                            data,
                            len,
                            first_line,
                        })) => {
                            let batch = parse_block(&data[..len], first_line, known);
                            let _ = free.send(data);
                            batch
                        }
                        Ok(Ok(Block::TooLong { line, bytes })) => Batch {
                            rejected: vec![(line, Rejection::TooLong)],
                            lines: 1,
                            bytes,
                            ..Batch::default()
                        },
                        _ => break,
                    };
                    if tx.send(batch).is_err() {
                        break;
                    }
                }
            });
        }
        drop(batch_tx);
        drop(free_tx);
        let mut failed = None;
        for batch in batch_rx.iter() {
            if failed.is_none()
                && let Err(e) = on_batch(batch)
            {
                failed = Some(e);
            }
            // After a failure the remaining batches are drained so the threads can finish.
        }
        let end = reader.join().unwrap_or_else(|_| StreamEnd {
            truncated: Some("the reader stopped unexpectedly".into()),
            ..StreamEnd::default()
        });
        match failed {
            Some(e) => Err(e),
            None => Ok(end),
        }
    })
}

/// Fills `buf[from..]` from `input`; returns how far it is filled and whether the input ended
/// (or failed, noted in `end`).
fn fill(input: &mut dyn Read, buf: &mut [u8], from: usize, end: &mut StreamEnd) -> (usize, bool) {
    let mut filled = from;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => return (filled, true),
            Ok(k) => filled += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                end.truncated = Some(format!(
                    "the file could not be read after line {}: {e}",
                    end.lines
                ));
                return (filled, true);
            }
        }
    }
    (filled, false)
}

fn read_blocks(
    mut input: Box<dyn Read + Send>,
    tx: &mpsc::SyncSender<Block>,
    free: &mpsc::Receiver<Vec<u8>>,
) -> StreamEnd {
    let mut end = StreamEnd::default();
    // The start of a line that did not fit in the previous block.
    let mut carry: Vec<u8> = Vec::new();
    // Skipping the rest of a line that was too long.
    let mut skipping = false;
    loop {
        let mut buf = free.try_recv().unwrap_or_else(|_| vec![0u8; BLOCK]);
        buf[..carry.len()].copy_from_slice(&carry);
        let (filled, eof) = fill(&mut *input, &mut buf, carry.len(), &mut end);
        carry.clear();
        let mut start = 0;
        if skipping {
            match memchr(b'\n', &buf[..filled]) {
                Some(at) => {
                    start = at + 1;
                    skipping = false;
                }
                None if eof => return end,
                None => continue,
            }
        }
        let data = &buf[start..filled];
        let cut = if eof {
            data.len()
        } else {
            match memchr::memrchr(b'\n', data) {
                Some(at) => at + 1,
                None => {
                    // One line fills the whole block: report it and skip to its end.
                    end.lines += 1;
                    end.bytes += data.len() as u64;
                    let too_long = Block::TooLong {
                        line: end.lines,
                        bytes: data.len() as u64,
                    };
                    if tx.send(too_long).is_err() {
                        return end;
                    }
                    skipping = true;
                    continue;
                }
            }
        };
        carry.extend_from_slice(&data[cut..]);
        let lines = &data[..cut];
        if !lines.is_empty() {
            let first_line = end.lines + 1;
            end.lines += memchr::memchr_iter(b'\n', lines).count() as u64;
            if !lines.ends_with(b"\n") {
                end.lines += 1;
            }
            end.bytes += lines.len() as u64;
            if start > 0 {
                buf.copy_within(start..start + cut, 0);
            }
            let block = Block::Lines {
                data: buf,
                len: cut,
                first_line,
            };
            if tx.send(block).is_err() {
                return end;
            }
        }
        if eof {
            return end;
        }
    }
}

/// A fast, non-cryptographic hasher for the aggregation's integer keys and ad ids (the
/// multiply-rotate scheme of rustc's FxHash). The inputs are the importer's own, so hash
/// flooding is not a concern; SipHash would cost a third of the aggregation.
#[derive(Debug, Default, Clone, Copy)]
pub struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(n.into());
    }
    fn write_u16(&mut self, n: u16) {
        self.write_u64(n.into());
    }
    /// Ends with a full avalanche (MurmurHash3's fmix64): FxHash alone leaves the low bits
    /// equal for ids that differ only in their last digits, and hash tables index by low bits.
    fn finish(&self) -> u64 {
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^ (x >> 33)
    }
}

type Fast = std::hash::BuildHasherDefault<FastHasher>;

/// Totals per (SSYK-4, kommun, month): (ads, vacancies).
pub type Cells = std::collections::HashMap<(u16, u16, u32), (i64, i64), Fast>;

/// What [`aggregate`] found.
#[derive(Debug, Default)]
pub struct Aggregate {
    pub cells: Cells,
    pub accepted: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub end: StreamEnd,
}

/// Aggregates a whole input in memory, counting each ad id once (ids are kept as 64-bit
/// hashes: 8 bytes per ad). What `larnav bench ads` measures against DuckDB; the import into
/// the database dedupes against stored ids instead.
pub fn aggregate(input: Box<dyn Read + Send>, known: &Known, threads: usize) -> Aggregate {
    use std::hash::BuildHasher;
    let hasher = Fast::default();
    let mut seen = std::collections::HashSet::<u64, Fast>::default();
    let mut agg = Aggregate::default();
    let end = stream(input, known, threads, |batch| {
        agg.rejected += batch.rejected.len() as u64;
        for ad in batch.ads {
            if !seen.insert(hasher.hash_one(&ad.id)) {
                agg.duplicates += 1;
                continue;
            }
            agg.accepted += 1;
            let cell = agg.cells.entry((ad.ssyk, ad.kommun, ad.month)).or_default();
            cell.0 += 1;
            cell.1 += ad.vacancies;
        }
        Ok::<_, std::convert::Infallible>(())
    });
    agg.end = match end {
        Ok(end) => end,
        Err(never) => match never {},
    };
    agg
}

/// Writes `count` ads in the JobTech historical-ads shape (about 4 KB each, with a 1.5 KB
/// description and its formatted copy, like the real files), drawing the SSYK and kommun codes
/// from the given lists. Deterministic for a seed. Every 1,000th ad repeats an earlier id, as
/// re-published ads do.
///
/// # Errors
/// An I/O error from `out`.
pub fn write_sample_ads(
    out: &mut impl io::Write,
    count: u64,
    seed: u64,
    ssyk: &[&str],
    kommuner: &[&str],
) -> io::Result<()> {
    let mut state = seed | 1;
    let mut next = move || {
        // xorshift64*: good enough to spread codes and dates, no dependency.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let words = [
        "vi",
        "söker",
        "en",
        "engagerad",
        "undersköterska",
        "till",
        "vår",
        "verksamhet",
        "i",
        "Hudiksvall",
        "du",
        "har",
        "erfarenhet",
        "av",
        "arbete",
        "med",
        "äldre",
        "och",
        "trivs",
        "tillsammans",
        "kollegor",
        "tjänsten",
        "är",
        "på",
        "heltid",
        "körkort",
        "krävs",
        "välkommen",
        "med",
        "din",
        "ansökan",
        "ö",
        "å",
        "ä",
        "\\\"citat\\\"",
    ];
    let mut text = String::with_capacity(1600);
    for i in 0..count {
        let id = if i > 0 && i % 1000 == 0 {
            10_000_000 + i - 1
        } else {
            10_000_000 + i
        };
        let g = ssyk[(next() % ssyk.len() as u64) as usize];
        let k = kommuner[(next() % kommuner.len() as u64) as usize];
        let month = next() % 12 + 1;
        let day = next() % 28 + 1;
        text.clear();
        while text.len() < 900 {
            text.push_str(words[(next() % words.len() as u64) as usize]);
            text.push(' ');
        }
        writeln!(
            out,
            r#"{{"id":"{id}","external_id":"ext-{id}","original_id":null,"label":null,"webpage_url":"https://arbetsformedlingen.se/platsbanken/annonser/{id}","logo_url":null,"headline":"Undersköterska till hemtjänsten","application_deadline":"2024-{month:02}-28T23:59:59","number_of_vacancies":{vac},"description":{{"text":"{text}","text_formatted":"<p>{text}</p><ul><li>Heltid</li></ul>","company_information":null,"needs":null,"requirements":null,"conditions":"Heltid, tillsvidare"}},"employment_type":{{"concept_id":"PFZr_Syz_cUq","label":"Vanlig anställning","legacy_ams_taxonomy_id":"1"}},"salary_type":{{"concept_id":"oG8G_9cW_nRf","label":"Fast månads- vecko- eller timlön","legacy_ams_taxonomy_id":"1"}},"salary_description":null,"duration":{{"concept_id":"a7uU_j21_mkL","label":"Tills vidare","legacy_ams_taxonomy_id":"1"}},"working_hours_type":{{"concept_id":"6YE1_gAC_R2G","label":"Heltid","legacy_ams_taxonomy_id":"1"}},"scope_of_work":{{"min":100,"max":100}},"access":null,"employer":{{"phone_number":null,"email":null,"url":null,"organization_number":"2120000000","name":"Exempelkommunen","workplace":"Hemtjänsten"}},"application_details":{{"information":null,"reference":"2024/{id}","email":null,"via_af":false,"url":"https://example.invalid/apply/{id}","other":null}},"experience_required":true,"access_to_own_car":false,"driving_license_required":true,"driving_license":[{{"concept_id":"VTK8_WRx_GcM","label":"B","legacy_ams_taxonomy_id":"3"}}],"occupation":{{"concept_id":"ghs4_JXU_BYt","label":"Undersköterska, hemtjänst","legacy_ams_taxonomy_id":"7633"}},"occupation_group":{{"concept_id":"Z8ci_bBE_tmx","label":"Undersköterskor","legacy_ams_taxonomy_id":"{g}"}},"occupation_field":{{"concept_id":"NYW6_mP6_vwf","label":"Hälso- och sjukvård","legacy_ams_taxonomy_id":"8"}},"workplace_address":{{"municipality":"Exempel","municipality_code":"{k}","municipality_concept_id":"x","region":"Exempel län","region_code":"{r}","region_concept_id":"y","country":"Sverige","country_code":"199","country_concept_id":"i46j_HmG_v64","street_address":"Storgatan 1","postcode":"82430","city":"Exempel","coordinates":[17.1,61.7]}},"must_have":{{"skills":[],"languages":[],"work_experiences":[]}},"nice_to_have":{{"skills":[],"languages":[],"work_experiences":[]}},"publication_date":"2024-{month:02}-{day:02}T08:00:00","last_publication_date":"2024-{month:02}-28T23:59:59","removed":false,"removed_date":null,"source_type":"VIA_AF","timestamp":1700000000000}}"#,
            vac = next() % 3 + 1,
            r = &k[..2],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn known() -> Known {
        Known::new(["5321", "2221", "0110"], ["2184", "0180", "1280"])
    }

    pub(crate) fn ad_line(
        id: &str,
        ssyk: &str,
        kommun: &str,
        date: &str,
        vacancies: &str,
    ) -> String {
        format!(
            r#"{{"id":"{id}","external_id":null,"headline":"Undersköterska till {{hemtjänst}} \"Björken\"","number_of_vacancies":{vacancies},"description":{{"text":"Vi söker dig. Ring 070-123 45 67, \\\\ eller skriv \"hej\": [inte] {{ett}} id","company_information":null}},"publication_date":"{date}","occupation":{{"concept_id":"abc","label":"Undersköterska","legacy_ams_taxonomy_id":"9999"}},"occupation_group":{{"concept_id":"def","label":"Undersköterskor","legacy_ams_taxonomy_id":"{ssyk}"}},"occupation_field":{{"concept_id":"x","legacy_ams_taxonomy_id":"8"}},"workplace_address":{{"municipality":"Hudiksvall","municipality_code":"{kommun}","region_code":"21","coordinates":[17.1,61.7]}},"must_have":{{"skills":[],"languages":[{{"concept_id":"s","legacy_ams_taxonomy_id":"1"}}]}},"id_nested":{{"id":"not-this"}}}}"#
        )
    }

    #[test]
    fn an_ad_line_yields_its_five_values_and_ignores_nested_lookalikes() {
        let line = ad_line("24591234", "5321", "2184", "2024-03-05T10:00:00", "3");
        let ad = parse_ad(line.as_bytes(), &known()).unwrap();
        assert_eq!(
            ad,
            Ad {
                id: "24591234".into(),
                ssyk: 5321,
                kommun: 2184,
                month: 202403,
                vacancies: 3
            }
        );
        assert_eq!(
            (ad.ssyk_code(), ad.kommun_code(), ad.period()),
            ("5321".into(), "2184".into(), "2024-03".into())
        );
        let stockholm = ad_line("1", "0110", "0180", "2024-12-31", "null");
        let ad = parse_ad(stockholm.as_bytes(), &known()).unwrap();
        assert_eq!(
            (ad.ssyk, ad.kommun, ad.vacancies),
            (110, 180, 1),
            "leading zeros, null vacancies count as one"
        );
    }

    #[test]
    fn broken_and_unknown_lines_say_why() {
        let k = known();
        let good = ad_line("1", "5321", "2184", "2024-03-05", "1");
        let truncated = &good[..good.len() / 2];
        assert!(matches!(
            parse_ad(truncated.as_bytes(), &k),
            Err(Rejection::Broken(_))
        ));
        assert!(matches!(
            parse_ad(b"{\"id\":\"1\"} trailing", &k),
            Err(Rejection::Broken(_))
        ));
        assert!(matches!(parse_ad(b"[1,2]", &k), Err(Rejection::Broken(_))));
        assert!(matches!(
            parse_ad(b"{\"id\":\"1\"}}", &k),
            Err(Rejection::Broken(_))
        ));
        assert_eq!(
            parse_ad(
                ad_line("1", "9999", "2184", "2024-03-05", "1").as_bytes(),
                &k
            ),
            Err(Rejection::UnknownSsyk("9999".into()))
        );
        assert_eq!(
            parse_ad(
                ad_line("1", "5321", "9999", "2024-03-05", "1").as_bytes(),
                &k
            ),
            Err(Rejection::UnknownKommun("9999".into()))
        );
        assert_eq!(
            parse_ad(
                ad_line("1", "5321", "2184", "yesterday", "1").as_bytes(),
                &k
            ),
            Err(Rejection::Invalid {
                field: "publication_date",
                value: "yesterday".into()
            })
        );
        assert_eq!(
            parse_ad(
                ad_line("1", "5321", "2184", "2024-03-05", "-2").as_bytes(),
                &k
            ),
            Err(Rejection::Invalid {
                field: "number_of_vacancies",
                value: "-2".into()
            })
        );
        let no_place = good.replace(
            r#""municipality_code":"2184""#,
            r#""municipality_code":null"#,
        );
        assert_eq!(
            parse_ad(no_place.as_bytes(), &k),
            Err(Rejection::Missing("workplace_address.municipality_code"))
        );
    }

    fn run(input: Vec<u8>) -> (Vec<Ad>, Vec<(u64, Rejection)>, StreamEnd) {
        let mut ads = Vec::new();
        let mut rejected = Vec::new();
        let end = stream(open(io::Cursor::new(input)).unwrap(), &known(), 2, |b| {
            ads.extend(b.ads);
            rejected.extend(b.rejected);
            Ok::<_, ()>(())
        })
        .unwrap();
        rejected.sort_by_key(|r| r.0);
        (ads, rejected, end)
    }

    #[test]
    fn a_stream_reports_rejected_lines_by_number_and_reads_gzip_alike() {
        let mut text = String::new();
        for i in 0..1000 {
            let line = if i % 100 == 7 {
                "{\"id\": \"broken".to_string()
            } else {
                ad_line(&i.to_string(), "5321", "2184", "2024-01-02", "1")
            };
            text.push_str(&line);
            text.push('\n');
        }
        text.push_str("\n   \n");
        let (ads, rejected, end) = run(text.clone().into_bytes());
        assert_eq!(ads.len(), 990);
        assert_eq!(
            rejected.iter().map(|r| r.0).collect::<Vec<_>>(),
            (0..10).map(|i| i * 100 + 8).collect::<Vec<u64>>()
        );
        assert_eq!(end.lines, 1002);
        assert!(end.truncated.is_none());

        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let (gz_ads, gz_rejected, _) = run(gz.clone());
        assert_eq!((gz_ads.len(), gz_rejected.len()), (990, 10));

        // A truncated gzip file: the lines before the cut are kept, the cut is reported.
        let (cut_ads, _, cut_end) = run(gz[..gz.len() / 2].to_vec());
        assert!(cut_ads.len() < 990);
        assert!(cut_end.truncated.is_some(), "{cut_end:?}");
    }

    #[test]
    fn a_line_longer_than_a_block_is_reported_and_skipped() {
        let mut text = ad_line("1", "5321", "2184", "2024-01-02", "1");
        text.push('\n');
        text.push_str(&format!(
            "{{\"id\":\"2\",\"x\":\"{}\"}}\n",
            "a".repeat(2 * BLOCK + 10)
        ));
        text.push_str(&ad_line("3", "5321", "2184", "2024-01-02", "1"));
        let (ads, rejected, _) = run(text.into_bytes());
        assert_eq!(
            ads.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
            ["1", "3"]
        );
        assert_eq!(rejected, [(2, Rejection::TooLong)]);
    }

    #[test]
    fn generated_sample_ads_parse_as_json_and_aggregate_with_duplicates_counted_once() {
        let mut out = Vec::new();
        write_sample_ads(&mut out, 2500, 7, &["5321", "2221"], &["2184", "0180"]).unwrap();
        for line in out.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            serde_json::from_slice::<serde_json::Value>(line).expect("valid JSON");
        }
        let avg = out.len() / 2500;
        assert!((3000..5000).contains(&avg), "about 4 KB per ad: {avg}");
        let agg = aggregate(open(io::Cursor::new(out)).unwrap(), &known(), 2);
        assert_eq!((agg.accepted, agg.duplicates, agg.rejected), (2498, 2, 0));
        assert_eq!(agg.cells.values().map(|c| c.0).sum::<i64>(), 2498);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Whatever bytes a line holds, the scanner never panics.
        #[test]
        fn arbitrary_lines_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse_ad(&bytes, &known());
        }

        #[test]
        fn cutting_a_good_line_anywhere_rejects_it(cut in 1usize..600) {
            let line = ad_line("42", "5321", "2184", "2024-05-06", "2");
            let cut = cut.min(line.len() - 1);
            prop_assert!(parse_ad(&line.as_bytes()[..cut], &known()).is_err());
        }
    }
}
