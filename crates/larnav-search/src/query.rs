//! Reading what a person typed: words, quoted phrases, stop words and synonyms — and turning
//! them into a tantivy query and into highlights.
//!
//! Every word must match (the hits narrow as one types), in any of its forms: its stem (title
//! weighs three times the rest), as a prefix of a word (from three letters), within one typo
//! (from five letters; two from nine), as one of its synonyms, or by its root — a word that is
//! a compound of it or shares its derivation (*svetsning* finds *svets* and *rörsvetsning*; a
//! misspelt word also by its correction's root, see [`crate::Lexicon`]). Stop words (*på*,
//! *nära* …) only add to the score. Whatever the input, parsing yields a valid query: characters that
//! are not letters or digits separate words, and the text is cut at [`MAX_CHARS`].

use std::collections::HashMap;
use std::sync::LazyLock;

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;

use crate::Lexicon;
use crate::highlight::Segment;
use crate::schema::{WordFields, plain_analyzer, stemmed_analyzer};

/// Longer input is cut here (and the searcher told): nobody types more, and it bounds the work.
pub const MAX_CHARS: usize = 200;
/// At most this many words count; the rest are ignored (and the searcher told).
pub const MAX_WORDS: usize = 12;

/// Words that carry no meaning on their own in a course search.
const STOP_WORDS: &[&str] = &[
    "och",
    "i",
    "på",
    "för",
    "med",
    "av",
    "till",
    "en",
    "ett",
    "som",
    "att",
    "det",
    "den",
    "om",
    "vid",
    "hos",
    "från",
    "nära",
    "kurs",
    "kurser",
    "utbildning",
    "utbildningar",
    "inom",
    "the",
    "and",
    "in",
    "of",
    "near",
];

/// The synonym and abbreviation list shipped in `data/catalogue/synonyms.csv`.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    map: HashMap<String, Vec<Vec<String>>>,
}

static EMBEDDED: LazyLock<Synonyms> = LazyLock::new(|| {
    Synonyms::parse(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/catalogue/synonyms.csv"
    )))
});

impl Synonyms {
    pub fn embedded() -> Self {
        EMBEDDED.clone()
    }

    /// Reads `word,meaning` lines; `#` starts a comment line.
    pub fn parse(text: &str) -> Self {
        let mut plain = plain_analyzer();
        let mut map: HashMap<String, Vec<Vec<String>>> = HashMap::new();
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((word, meaning)) = line.split_once(',') else {
                continue;
            };
            let meaning = tokens(&mut plain, meaning);
            if !meaning.is_empty() {
                map.entry(word.trim().to_lowercase())
                    .or_default()
                    .push(meaning);
            }
        }
        Self { map }
    }

    /// What `word` also means, each meaning as its words.
    pub fn meanings(&self, word: &str) -> &[Vec<String>] {
        self.map.get(word).map_or(&[], Vec::as_slice)
    }
}

fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// One word of the query, in every form it is searched by.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Word {
    /// Lower-cased, as typed.
    pub text: String,
    pub stem: String,
    /// A stop word: adds to the score, need not match.
    pub optional: bool,
    /// Synonyms, each as (plain, stem) word pairs.
    pub synonyms: Vec<Vec<(String, String)>>,
    /// Roots that also find the word, as alternatives of roots that must all match: the
    /// word's own root, its compound parts' roots, and the same for its spelling correction
    /// ([`Lexicon::roots`]).
    pub roots: Vec<Vec<String>>,
    /// The lexicon word this one is probably a misspelling of.
    pub corrected: Option<String>,
}

/// What the searcher's text was read as.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ParsedQuery {
    pub words: Vec<Word>,
    /// Quoted phrases, each as (plain, stem) word pairs.
    pub phrases: Vec<Vec<(String, String)>>,
    /// The text was longer than [`MAX_CHARS`] or had more than [`MAX_WORDS`] words.
    pub truncated: bool,
    /// The text with misspelt words corrected, when some were ("menade du …").
    pub suggestion: Option<String>,
}

impl ParsedQuery {
    pub fn parse(text: &str, synonyms: &Synonyms) -> Self {
        let mut plain = plain_analyzer();
        let mut stemmed = stemmed_analyzer();
        let mut stem = |w: &str| {
            tokens(&mut stemmed, w)
                .pop()
                .unwrap_or_else(|| w.to_string())
        };
        let mut truncated = text.chars().count() > MAX_CHARS;
        let text: String = text.chars().take(MAX_CHARS).collect();
        let mut out = Self::default();
        let mut count = 0;
        // Straight and typographic quotes both delimit phrases; odd pieces are quoted.
        let quote = |c: char| matches!(c, '"' | '“' | '”' | '„' | '«' | '»');
        for (i, piece) in text.split(quote).enumerate() {
            let words = tokens(&mut plain, piece);
            if words.is_empty() {
                continue;
            }
            // People used to search engines type AND, OR and NOT: they are not required words.
            let operators: Vec<String> = piece
                .split_whitespace()
                .filter(|w| ["AND", "OR", "NOT", "OCH", "ELLER", "INTE"].contains(w))
                .map(str::to_lowercase)
                .collect();
            if count + words.len() > MAX_WORDS {
                truncated = true;
            }
            let words: Vec<String> = words.into_iter().take(MAX_WORDS - count).collect();
            count += words.len();
            if i % 2 == 1 && words.len() > 1 {
                out.phrases
                    .push(words.iter().map(|w| (w.clone(), stem(w))).collect());
                continue;
            }
            for w in words {
                let synonyms = synonyms
                    .meanings(&w)
                    .iter()
                    .map(|m| m.iter().map(|s| (s.clone(), stem(s))).collect())
                    .collect();
                let optional = STOP_WORDS.contains(&w.as_str()) || operators.contains(&w);
                let (roots, corrected) = if optional {
                    (Vec::new(), None)
                } else {
                    roots(&w)
                };
                out.words.push(Word {
                    stem: stem(&w),
                    optional,
                    text: w,
                    synonyms,
                    roots,
                    corrected,
                });
            }
        }
        // A query of nothing but stop words means them.
        if out.phrases.is_empty() && out.words.iter().all(|w| w.optional) {
            for w in &mut out.words {
                w.optional = false;
            }
        }
        out.truncated = truncated;
        if out.phrases.is_empty() && out.words.iter().any(|w| w.corrected.is_some()) {
            let words: Vec<&str> = out
                .words
                .iter()
                .map(|w| w.corrected.as_deref().unwrap_or(&w.text))
                .collect();
            out.suggestion = Some(words.join(" "));
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phrases.is_empty()
    }

    /// The text part of the search, or `None` when nothing was typed (then all match).
    pub(crate) fn to_query(&self, f: &WordFields) -> Option<Box<dyn Query>> {
        if self.is_empty() {
            return None;
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for w in &self.words {
            let occur = if w.optional {
                Occur::Should
            } else {
                Occur::Must
            };
            clauses.push((occur, word_query(f, w)));
        }
        for phrase in &self.phrases {
            let terms = phrase
                .iter()
                .map(|(_, stem)| Term::from_field_text(f.text_stem, stem))
                .collect();
            clauses.push((Occur::Must, Box::new(PhraseQuery::new(terms))));
        }
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    /// Splits `text` into segments, marking the words this query matches.
    pub fn highlight(&self, text: &str) -> Vec<Segment> {
        self.highlighter().mark(text)
    }

    /// A highlighter for many texts: it remembers each word's verdict, since the hits of one
    /// page share most of their words.
    pub fn highlighter(&self) -> Highlighter<'_> {
        Highlighter {
            query: self,
            analyzer: stemmed_analyzer(),
            seen: std::collections::HashMap::new(),
        }
    }
}

/// Marks the words of texts that a query matches (see [`ParsedQuery::highlighter`]).
pub struct Highlighter<'q> {
    query: &'q ParsedQuery,
    analyzer: TextAnalyzer,
    seen: std::collections::HashMap<String, bool>,
}

impl Highlighter<'_> {
    pub fn mark(&mut self, text: &str) -> Vec<Segment> {
        let Self {
            query,
            analyzer,
            seen,
        } = self;
        crate::highlight::mark(text, |word| {
            let lower = word.to_lowercase();
            if let Some(hit) = seen.get(&lower) {
                return *hit;
            }
            let stem = tokens(analyzer, &lower).pop().unwrap_or_default();
            let hit = query.words.iter().any(|w| w.matches(&lower, &stem))
                || query
                    .phrases
                    .iter()
                    .flatten()
                    .any(|(_, s)| *s == stem && !stem.is_empty());
            seen.insert(lower, hit);
            hit
        })
    }
}

impl Word {
    /// Whether a word of a text (lower-cased, and its stem) is one this query word finds.
    fn matches(&self, lower: &str, stem: &str) -> bool {
        let chars = self.text.chars().count();
        stem == self.stem
            || (chars >= PREFIX_FROM && lower.starts_with(&self.text))
            || typos(chars).is_some_and(|d| prefix_within(lower, &self.text, usize::from(d)))
            || self.synonyms.iter().flatten().any(|(_, s)| s == stem)
            || self.root_matches(lower)
    }

    /// Whether a text word shares a root with this word. Only words that contain the start of
    /// one of the roots are split (splitting costs more than the rest of highlighting).
    fn root_matches(&self, lower: &str) -> bool {
        let mut roots = self.roots.iter().flatten();
        let start = |r: &String| r.chars().take(3).collect::<String>();
        if !roots.clone().any(|r| lower.contains(&start(r))) {
            return false;
        }
        let found = Lexicon::embedded().roots_cached(lower);
        roots.any(|r| found.contains(r))
    }
}

/// The root alternatives of a query word (see [`Word::roots`]) and its spelling correction.
/// The correction may be one edit further than the typos a search tolerates (it is only
/// offered, "menade du …"); its roots join the word's only within that tolerance. Words
/// shorter than [`PREFIX_FROM`] get no roots: they would match half the index.
fn roots(word: &str) -> (Vec<Vec<String>>, Option<String>) {
    let lexicon = Lexicon::embedded();
    let chars = word.chars().count();
    if chars < PREFIX_FROM {
        return (Vec::new(), None);
    }
    let tolerated = typos(chars).unwrap_or(0);
    let corrected = (chars > PREFIX_FROM)
        .then(|| lexicon.correct(word, (tolerated + 1).min(2)))
        .flatten();
    let searched = corrected
        .as_ref()
        .filter(|(_, d)| *d <= tolerated)
        .map(|(w, _)| w.as_str());
    let mut out: Vec<Vec<String>> = Vec::new();
    for w in std::iter::once(word).chain(searched) {
        let all = lexicon.roots(w);
        // A compound matches by all its parts, except those that are stop words
        // (*undersköterskeutbildning* needs *undersköterska*, not *utbildning*), or by its
        // head alone: *rörsvetsning* is a kind of *svetsning*, so it also finds welding
        // courses (after those about pipes, which match more).
        let parts: Vec<String> = all[1..]
            .iter()
            .filter(|r| !STOP_WORDS.iter().any(|s| lexicon.root(s) == **r))
            .cloned()
            .collect();
        // Only a known word's split is trusted that far.
        let head: Vec<String> = parts
            .last()
            .filter(|_| parts.len() > 1 && lexicon.contains(w))
            .cloned()
            .into_iter()
            .collect();
        for alternative in [vec![all[0].clone()], parts, head] {
            // A root alone must say something: *förare* stems to *för*, which every text has.
            let meaningful = alternative.iter().any(|r| r.chars().count() >= MIN_ROOT);
            if meaningful && !out.contains(&alternative) {
                out.push(alternative);
            }
        }
    }
    (out, corrected.map(|(w, _)| w))
}

/// A root alternative needs a root at least this long (see [`roots`]).
const MIN_ROOT: usize = 4;

/// Prefix matching starts at this many letters: shorter prefixes match half the dictionary.
const PREFIX_FROM: usize = 3;

/// How many typos a word of `chars` letters may have: none below five letters (so *far* never
/// finds *får*), one up to eight, two from nine.
fn typos(chars: usize) -> Option<u8> {
    match chars {
        0..=4 => None,
        5..=8 => Some(1),
        _ => Some(2),
    }
}

fn term_query(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
}

fn boost(q: Box<dyn Query>, by: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, by))
}

fn word_query(f: &WordFields, w: &Word) -> Box<dyn Query> {
    let chars = w.text.chars().count();
    let plain = Term::from_field_text(f.text_plain, &w.text);
    let mut any: Vec<(Occur, Box<dyn Query>)> = vec![
        (
            Occur::Should,
            boost(
                term_query(Term::from_field_text(f.title_stem, &w.stem)),
                3.0,
            ),
        ),
        (
            Occur::Should,
            term_query(Term::from_field_text(f.text_stem, &w.stem)),
        ),
    ];
    // Prefix and typo matches score a constant per field, so the title gets its own clause:
    // a course named for the word ranks above one that mentions it.
    let in_title = Term::from_field_text(f.title_plain, &w.text);
    if chars >= PREFIX_FROM {
        for (term, weight) in [(plain.clone(), 0.5), (in_title.clone(), 1.0)] {
            let prefix = FuzzyTermQuery::new_prefix(term, 0, false);
            any.push((Occur::Should, boost(Box::new(prefix), weight)));
        }
    }
    if let Some(d) = typos(chars) {
        // A prefix within `d` typos: also finds longer words while they are being typed
        // (*underskoterske* → *undersköterskeutbildning*).
        for (term, weight) in [(plain, 0.3), (in_title, 0.6)] {
            let fuzzy = FuzzyTermQuery::new_prefix(term, d, true);
            any.push((Occur::Should, boost(Box::new(fuzzy), weight)));
        }
    }
    // Roots score below every direct form: a course that names the word ranks above one that
    // only shares its root (*svetsning* above *rörsvetsare*).
    for alternative in &w.roots {
        let all: Vec<(Occur, Box<dyn Query>)> = alternative
            .iter()
            .map(|r| {
                (
                    Occur::Must,
                    term_query(Term::from_field_text(f.text_root, r)),
                )
            })
            .collect();
        any.push((Occur::Should, boost(Box::new(BooleanQuery::new(all)), 0.4)));
    }
    for meaning in &w.synonyms {
        let all: Vec<(Occur, Box<dyn Query>)> = meaning
            .iter()
            .map(|(_, stem)| {
                (
                    Occur::Must,
                    term_query(Term::from_field_text(f.text_stem, stem)),
                )
            })
            .collect();
        any.push((Occur::Should, boost(Box::new(BooleanQuery::new(all)), 0.8)));
    }
    Box::new(BooleanQuery::new(any))
}

/// Whether some prefix of `word` is within `d` edits of `query`.
fn prefix_within(word: &str, query: &str, d: usize) -> bool {
    let n = query.chars().count();
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    (n.saturating_sub(d)..=n + d).any(|k| {
        let end = chars.get(k).map_or(word.len(), |(i, _)| *i);
        k <= chars.len() && levenshtein(&word[..end], query) <= d
    })
}

/// Edit distance with transpositions counted as one edit (optimal string alignment), by chars.
pub(crate) fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 2 {
        return 3;
    }
    let mut prev2 = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}
