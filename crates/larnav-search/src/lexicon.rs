//! Swedish compounds, derivations and spelling corrections, from a lexicon of the words in
//! Lärnav's vendored reference data.
//!
//! Swedish writes compounds as one word (*rörsvetsning*, *undersköterskeutbildning*) and
//! derives nouns from verbs (*svetsning* from *svets*), so neither stemming nor prefixes connect
//! a course about *specialsvetsning* with a search for *svets*. This module splits a word into
//! the lexicon words it is made of — the way Lucene's dictionary compound filter does — with
//! the linking forms Swedish uses between them (*arbet-s-marknad*, *underskötersk-e-utbildning*,
//! *skol-sköterska*), and reduces each part to a **root**: its stem, after a derivational suffix
//! (*-ning*, *-are*, *-ande*) is taken off when what remains is a word. The index keeps every
//! word's roots in one field; a query word matches a document that holds its own root, or all
//! roots of its parts.
//!
//! The lexicon is not a maintained word list: it is every word that occurs at least twice in
//! the SSYK occupations and skills, the SUN fields and the national catalogue's course texts
//! (all vendored under `data/`), so it speaks the vocabulary of occupations and education.
//! The same lexicon corrects typos for "menade du …" (within one or two edits, by a Levenshtein
//! automaton over a finite-state set of the words, as tantivy does for fuzzy terms).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use frostem::{Algorithm, Stemmer};
use levenshtein_automata::{DFA, Distance, LevenshteinAutomatonBuilder, SINK_STATE};
use tantivy_fst::{Automaton, IntoStreamer, Map, Streamer};

/// The texts the lexicon is read from (see the module comment).
const SOURCES: &[&str] = &[
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/reference/ssyk-level-4-groups-with-related-skills.json"
    )),
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/reference/the-ssyk-hierarchy-with-occupations.json"
    )),
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/reference/sun-field-hierarchy.json"
    )),
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/catalogue/utbildningsdata.json"
    )),
];

/// Bumped when the analysis changes in a way the sources' sizes do not show.
const ANALYSIS: u32 = 1;

static EMBEDDED: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::from_texts(SOURCES));

/// Words that never stand as the head (last part) of a compound: suffixes that also occur
/// alone in the texts (*svets-ning* is a derivation, not a compound of *ning*).
const NOT_HEADS: &[&str] = &[
    "ning", "ande", "ende", "else", "skap", "itet", "tion", "ering", "ling", "eri",
];
/// Function words that never start a compound (*för-skollärare* is *förskol(a)-lärare*).
const NOT_MODIFIERS: &[&str] = &[
    "och", "för", "att", "som", "med", "den", "det", "till", "från", "inte", "eller", "har", "kan",
    "ska", "ett", "men", "hos", "vid", "utan", "över", "hur", "var", "vad",
];
/// Derivational suffixes: *svetsning*, *svetsare*, *svetsande* all have the root *svets*.
const DERIVATIONS: &[&str] = &["ning", "are", "ande"];
/// Only words this long are split: shorter ones are rarely compounds and often split wrongly.
const SPLIT_FROM: usize = 7;
/// A three-letter part must be this common, since junk three-letter "words" are many.
const SHORT_PART_MIN_COUNT: u32 = 10;
/// More than three parts are almost always a wrong split; a word of the lexicon is split in
/// two at most (*sjuksköterskor* is not *sjuka-sköter-skor*, whatever the texts lack).
const MAX_PARTS: usize = 3;

/// The lexicon: each word with how often it occurs.
pub struct Lexicon {
    words: HashMap<String, u32>,
    /// The words' stems: an inflected head (*sjuksköterskor*) is found by its stem.
    stems: HashMap<String, u32>,
    /// The same words as a finite-state map, for spelling corrections.
    fst: Map<Vec<u8>>,
    stemmer: Stemmer,
    /// Roots of words already seen while indexing: documents share most of their words.
    cache: Mutex<HashMap<String, Vec<String>>>,
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon")
            .field("words", &self.words.len())
            .finish_non_exhaustive()
    }
}

/// The roots cache is cleared when it grows past this (bounded memory on any input).
const CACHE_LIMIT: usize = 200_000;

impl Lexicon {
    /// The lexicon of the vendored reference data (built once, on first use).
    pub fn embedded() -> &'static Lexicon {
        &EMBEDDED
    }

    /// Which analysis an index was built with: the rules' version and the sources' sizes (a
    /// new edition of the data changes them), without building the lexicon.
    pub fn version() -> String {
        let bytes: usize = SOURCES.iter().map(|s| s.len()).sum();
        format!("a{ANALYSIS}.{bytes}")
    }

    /// Reads every word that occurs at least twice in `texts` (HTML tags and entities left out).
    pub fn from_texts(texts: &[&str]) -> Self {
        let mut counts: HashMap<String, u32> = HashMap::new();
        for text in texts {
            for word in words(text) {
                *counts.entry(word).or_default() += 1;
            }
        }
        counts.retain(|w, n| *n >= 2 && w.chars().count() >= 3);
        let stemmer = Stemmer::new(Algorithm::Swedish);
        let mut stems: HashMap<String, u32> = HashMap::new();
        for (w, n) in &counts {
            *stems.entry(stemmer.stem(w).into_owned()).or_default() += n;
        }
        let mut sorted: Vec<(&String, &u32)> = counts.iter().collect();
        sorted.sort_unstable();
        let fst = Map::from_iter(
            sorted
                .into_iter()
                .map(|(w, n)| (w.as_bytes(), u64::from(*n))),
        )
        .expect("sorted, unique keys build a map");
        Self {
            words: counts,
            stems,
            fst,
            stemmer,
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub fn contains(&self, word: &str) -> bool {
        self.words.contains_key(word) || self.stems.contains_key(self.stem(word).as_ref())
    }

    fn count(&self, word: &str) -> u32 {
        self.words.get(word).copied().unwrap_or(0)
    }

    fn stem<'a>(&self, word: &'a str) -> Cow<'a, str> {
        self.stemmer.stem(word)
    }

    /// The root of one word: its stem, without a derivational suffix when what remains is a
    /// word, stemmed again until it no longer changes (*svetsare* → *svets* → *svet*, as
    /// *svets* → *svet*).
    pub fn root(&self, word: &str) -> String {
        let mut root = self.stem(word).into_owned();
        for suffix in DERIVATIONS {
            if let Some(base) = root.strip_suffix(suffix)
                && base.chars().count() >= 4
                && self.words.contains_key(base)
            {
                root = base.to_string();
                break;
            }
        }
        for _ in 0..3 {
            let next = self.stem(&root);
            if next == root {
                break;
            }
            root = next.into_owned();
        }
        root
    }

    /// A word's roots: its own first, then those of its parts if it is a compound. `word` is
    /// lower-cased.
    pub fn roots(&self, word: &str) -> Vec<String> {
        let mut roots = vec![self.root(word)];
        if let Some(parts) = self.split(word) {
            for part in parts {
                let root = self.root(&part);
                if !roots.contains(&root) {
                    roots.push(root);
                }
            }
        }
        roots
    }

    /// [`Lexicon::roots`], remembered (for indexing, where the same words come back).
    pub fn roots_cached(&self, word: &str) -> Vec<String> {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(roots) = cache.get(word) {
            return roots.clone();
        }
        let roots = self.roots(word);
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(word.to_string(), roots.clone());
        roots
    }

    /// The lexicon words `word` is made of (each in its lexicon form: *undersköterske* →
    /// *undersköterska*), or `None` when it is not a compound of them. The split with the
    /// fewest parts wins; among those, the one whose shortest part is longest.
    pub fn split(&self, word: &str) -> Option<Vec<String>> {
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        if chars.len() < SPLIT_FROM {
            return None;
        }
        let max_parts = if self.words.contains_key(word) {
            2
        } else {
            MAX_PARTS
        };
        let at = |i: usize| chars.get(i).map_or(word.len(), |(b, _)| *b);
        // best[i]: the best split of the word's tail from char i into modifiers and a head.
        let n = chars.len();
        let mut best: Vec<Option<Vec<String>>> = vec![None; n + 1];
        for i in (0..n).rev() {
            let mut candidates: Vec<Vec<String>> = Vec::new();
            let tail = &word[at(i)..];
            if i > 0 && self.is_head(tail) {
                candidates.push(vec![tail.to_string()]);
            }
            for j in i + 3..n.saturating_sub(3) {
                let Some(modifier) = self.modifier(&word[at(i)..at(j)]) else {
                    continue;
                };
                if let Some(rest) = &best[j]
                    && rest.len() < max_parts
                {
                    let mut parts = vec![modifier];
                    parts.extend(rest.iter().cloned());
                    // Three short words fit almost anything (*sjuk-sköter-skor*): a split in
                    // three needs longer parts.
                    if parts.len() < 3 || parts.iter().all(|p| p.chars().count() >= 4) {
                        candidates.push(parts);
                    }
                }
            }
            best[i] = candidates.into_iter().min_by_key(|p| {
                let shortest = p.iter().map(|s| s.chars().count()).min().unwrap_or(0);
                (p.len(), std::cmp::Reverse(shortest))
            });
        }
        best[0].take().filter(|p| p.len() > 1)
    }

    fn is_head(&self, s: &str) -> bool {
        let len = s.chars().count();
        len >= 4
            && !NOT_HEADS.contains(&s)
            && (self.words.contains_key(s) || self.stems.contains_key(self.stem(s).as_ref()))
    }

    /// The lexicon word a compound's non-final part stands for, in the linking forms Swedish
    /// uses: as is (*rör*-), with a linking *s* (*fordons*-, *arbets*- from *arbete*), *a* →
    /// *e* (*undersköterske*-), or without its final *a*/*e* (*skol*- from *skola*).
    fn modifier(&self, s: &str) -> Option<String> {
        if NOT_MODIFIERS.contains(&s) {
            return None;
        }
        let known = |w: &str| {
            let n = self.count(w);
            n > 0 && (w.chars().count() > 3 || n >= SHORT_PART_MIN_COUNT)
        };
        if known(s) {
            return Some(s.to_string());
        }
        let mut forms = Vec::new();
        // A linking s after the word, or after the word without its final e (arbet(e)-s-).
        if let Some(base) = s.strip_suffix('s')
            && base.chars().count() >= 3
        {
            forms.extend([base.to_string(), format!("{base}e"), format!("{base}a")]);
        }
        if let Some(base) = s.strip_suffix('e') {
            forms.push(format!("{base}a"));
        }
        forms.extend([format!("{s}a"), format!("{s}e")]);
        forms.into_iter().find(|w| known(w))
    }

    /// The most common lexicon word within `max` edits of `word` (the closest first) and its
    /// distance, unless `word` is itself a word.
    pub fn correct(&self, word: &str, max: u8) -> Option<(String, u8)> {
        if max == 0 || self.contains(word) {
            return None;
        }
        let dfa = builder(max).build_dfa(word);
        let mut stream = self.fst.search(Dfa(&dfa)).into_stream();
        // The closest, then the most common: (distance, -count, word).
        let mut best: Option<(u8, std::cmp::Reverse<u64>, String)> = None;
        while let Some((candidate, count)) = stream.next() {
            if let Distance::Exact(d) = dfa.eval(candidate) {
                let key = (d, std::cmp::Reverse(count));
                if best.as_ref().is_none_or(|b| key < (b.0, b.1)) {
                    best = Some((d, key.1, String::from_utf8_lossy(candidate).into_owned()));
                }
            }
        }
        best.map(|(d, _, w)| (w, d))
    }
}

/// Automaton builders are costly to make (tables for every edit pattern) and cheap to use.
fn builder(max: u8) -> &'static LevenshteinAutomatonBuilder {
    static ONE: LazyLock<LevenshteinAutomatonBuilder> =
        LazyLock::new(|| LevenshteinAutomatonBuilder::new(1, true));
    static TWO: LazyLock<LevenshteinAutomatonBuilder> =
        LazyLock::new(|| LevenshteinAutomatonBuilder::new(2, true));
    if max <= 1 { &ONE } else { &TWO }
}

/// A Levenshtein DFA as an automaton over the lexicon's finite-state map.
struct Dfa<'a>(&'a DFA);

impl Automaton for Dfa<'_> {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}

/// The lower-cased words of a text: runs of letters, with HTML tags (`<p>`), entities
/// (`&nbsp;`) and JSON escapes (`\\n`) left out.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut skip = Skip::None;
    for c in text.chars() {
        skip = match (skip, c) {
            (Skip::Tag, '>') | (Skip::Escape, _) => Skip::Separator,
            (Skip::Tag, _) => Skip::Tag,
            (Skip::Entity, c) if c.is_alphanumeric() || c == '#' => Skip::Entity,
            (_, '<') => Skip::Tag,
            (_, '&') => Skip::Entity,
            (_, '\\') => Skip::Escape,
            (_, c) if c.is_alphabetic() => Skip::None,
            _ => Skip::Separator,
        };
        if skip == Skip::None {
            word.extend(c.to_lowercase());
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// What [`words`] is reading.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Skip {
    /// A word's letters.
    None,
    Separator,
    Tag,
    Entity,
    /// The character after a backslash.
    Escape,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon() -> &'static Lexicon {
        Lexicon::embedded()
    }

    #[test]
    fn compounds_split_into_their_words_with_linking_forms() {
        let l = lexicon();
        let split = |w: &str| l.split(w);
        assert_eq!(split("rörsvetsning").unwrap(), ["rör", "svetsning"]);
        assert_eq!(split("specialsvetsning").unwrap(), ["special", "svetsning"]);
        assert_eq!(
            split("undersköterskeutbildning").unwrap(),
            ["undersköterska", "utbildning"]
        );
        assert_eq!(
            split("arbetsmarknadsutbildning").unwrap(),
            ["arbetsmarknad", "utbildning"]
        );
        assert_eq!(split("barnskötare").unwrap(), ["barn", "skötare"]);
        let arbete = lexicon().root("arbete");
        assert!(lexicon().roots("arbetsledare").contains(&arbete));
        // Not compounds: a derivation, and words whose "parts" are not words.
        assert_eq!(split("svetsning"), None);
        assert_eq!(split("kommunikation"), None);
        assert_eq!(split("svets"), None);
    }

    #[test]
    fn derivations_and_inflections_share_a_root() {
        let l = lexicon();
        let svets = l.root("svets");
        for w in ["svetsning", "svetsare", "svetsningar", "svetsarna"] {
            assert_eq!(l.root(w), svets, "{w}");
        }
        assert_eq!(l.root("sköterskor"), l.root("sköterska"));
        // A compound's roots include its parts' roots.
        let roots = l.roots("rörsvetsning");
        assert!(
            roots.contains(&svets) && roots.contains(&l.root("rör")),
            "{roots:?}"
        );
        assert!(
            l.roots("undersköterskeutbildning")
                .contains(&l.root("undersköterska"))
        );
    }

    #[test]
    fn typos_are_corrected_to_the_most_common_close_word() {
        let l = lexicon();
        let correct = |w: &str, max| l.correct(w, max).map(|(w, _)| w);
        assert_eq!(correct("svettsning", 2).as_deref(), Some("svetsning"));
        assert_eq!(
            correct("undersköterka", 1).as_deref(),
            Some("undersköterska")
        );
        assert_eq!(l.correct("kovk", 1), Some(("kock".into(), 1)));
        // A word is not corrected into another.
        assert_eq!(l.correct("svetsning", 2), None);
        assert_eq!(l.correct("xqzvwk", 1), None);
    }

    #[test]
    fn html_is_not_read_as_words() {
        let l = Lexicon::from_texts(&[r"<p>svets&nbsp;svets</p> <strong>svets</strong>\nrör\nrör"]);
        assert!(l.contains("svets") && l.contains("rör"));
        assert!(!l.contains("strong") && !l.contains("nbsp") && !l.contains("nrör"));
    }
}
