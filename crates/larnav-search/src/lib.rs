//! Lärnav's catalogue search: a tantivy index of the published offerings.
//!
//! The index is *derived data*. The store is the truth; this crate only knows [`OfferingDoc`]s
//! that the app layer builds from it, and can always be thrown away and rebuilt
//! (`larnav reindex`). Each commit carries a [`Cursor`] (tantivy's commit payload): which
//! database it follows and the last change it applied, so an index on disk knows exactly where
//! to resume and can never claim changes it does not hold.
//!
//! Swedish search needs four views of the same text, because no single analysis is good enough:
//!
//! - **stemmed** (Snowball Swedish): *sjuksköterskor* finds *sjuksköterska*;
//! - **plain words** (lower-cased, unstemmed): prefixes for search-as-you-type and for pairs the
//!   stemmer misses (*rektor*/*rektorer*), and typo tolerance by Levenshtein automata
//!   (*underskoterska* finds *undersköterska*) — but never for short words, so *far* does not
//!   find *får*;
//! - **synonyms** from `data/catalogue/synonyms.csv` (*usk* → *undersköterska*);
//! - **roots** of compounds and derivations ([`Lexicon`]): *svetsning* finds *svets* and
//!   *rörsvetsning*, *undersköterska* finds *undersköterskeutbildning*; a search that finds
//!   almost nothing offers its spelling correction ("menade du …").
//!
//! The user's text is never handed to tantivy's query parser: [`query`] reads words and quoted
//! phrases itself, so operators, quotes, emoji or 10,000 characters cannot make a search fail.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term};

mod facets;
mod highlight;
mod lexicon;
pub mod query;
mod schema;
mod text_index;

pub use facets::Facet;
pub use highlight::Segment;
pub use lexicon::Lexicon;
pub use query::{Highlighter, ParsedQuery, Synonyms};
use schema::Fields;
pub use text_index::{TextDoc, TextHit, TextIndex, TextResults};

/// Errors of the index. Each is an operational fault (disk, corrupt files), never a user's
/// query: queries cannot fail.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory {path}: {message}")]
    Directory { path: String, message: String },
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

/// One offering as the index sees it: text to search, facet values, and what a hit shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OfferingDoc {
    pub id: i64,
    pub title: String,
    pub summary: String,
    /// Description, eligibility and other long text: searched, not shown.
    pub body: String,
    /// Names of linked occupations, the SUN field, kind and format labels, place names: searched.
    pub keywords: String,
    pub provider: String,
    pub kind: String,
    pub format: String,
    pub lan: Option<String>,
    pub kommun: Option<String>,
    /// The place shown on a hit ("Hudiksvall", "Distans").
    pub place: String,
    pub seqf: Option<u8>,
    pub ssyk: Vec<String>,
    pub occupation_fields: Vec<String>,
    /// Months (`YYYY-MM`) in which an occasion starts.
    pub start_months: Vec<String>,
    /// The next start date, for date sorting and for display.
    pub next_start: Option<chrono::NaiveDate>,
    pub free_seats: bool,
    /// `None` for public offerings; for internal ones the organisations that may see them
    /// (the provider and the employer).
    pub visible_to: Option<Vec<i64>>,
}

/// How hits are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Relevance,
    /// The next start date, soonest first; offerings without dates last.
    Start,
}

/// A search as the app layer asks it.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub text: String,
    /// Facet filters: each must match (one value per facet).
    pub filters: Vec<(Facet, String)>,
    /// Only offerings linked to one of these SSYK-4 codes (the shortage filter); `None` = any.
    pub ssyk_any: Option<Vec<String>>,
    /// Only offerings matching at least one of these facet values (e.g. "given in one of the
    /// area's kommuner, or at a distance"); `None` = anywhere.
    pub any_of: Option<Vec<(Facet, String)>>,
    /// Organisations the searcher belongs to: their internal offerings are visible too.
    pub organisations: Vec<i64>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
}

/// One hit, ready to show: text segments carry the highlighting, not HTML.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    pub id: i64,
    pub score: f32,
    pub title: Vec<Segment>,
    pub summary: Vec<Segment>,
    pub provider: String,
    pub place: String,
    pub kind: String,
    pub format: String,
    pub next_start: Option<chrono::NaiveDate>,
}

/// What a search found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Per facet, each value with the number of matching offerings, most first.
    pub facets: BTreeMap<Facet, Vec<(String, u64)>>,
    /// The query as understood (words, phrases, what was dropped).
    pub query: ParsedQuery,
    /// A corrected text that finds more, offered when this search found almost nothing.
    pub did_you_mean: Option<String>,
}

/// Fewer hits than this count as "almost nothing": then a spelling correction is offered.
const NEAR_EMPTY: usize = 3;

/// Where an index stands: the database it was built from (an id the app keeps in that
/// database) and the last change it applied.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cursor {
    pub database: String,
    pub change: i64,
}

impl Cursor {
    /// The payload starts with the analysis version: an index whose words were analysed
    /// differently (another lexicon) has no cursor, so the app rebuilds it.
    fn to_payload(&self) -> String {
        format!("{}/{}:{}", Lexicon::version(), self.change, self.database)
    }

    fn from_payload(p: &str) -> Option<Self> {
        let p = p.strip_prefix(&Lexicon::version())?.strip_prefix('/')?;
        let (change, database) = p.split_once(':')?;
        Some(Self {
            database: database.to_string(),
            change: change.parse().ok()?,
        })
    }
}

/// Writer heap: tantivy's minimum per thread is 15 MB; 64 MB in all keeps memory modest.
const WRITER_HEAP: usize = 64 * 1024 * 1024;

/// The catalogue index: one writer, a reader that is reloaded after every commit.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    synonyms: Synonyms,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("docs", &self.reader.searcher().num_docs())
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// An index held in memory (tests, benchmarks).
    ///
    /// # Errors
    /// [`SearchError::Index`] if tantivy cannot start a writer.
    pub fn in_memory() -> Result<Self> {
        let (schema, fields) = schema::build();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    /// Opens the index in `dir`, creating it when missing. An index written with another schema
    /// (an older release) or that cannot be read is deleted and created empty: it is derived
    /// data, and the new one has no [`SearchIndex::cursor`], so the caller rebuilds it.
    ///
    /// # Errors
    /// [`SearchError::Directory`] when the directory cannot be created or cleared.
    pub fn open(dir: &Path) -> Result<Self> {
        let (schema, fields) = schema::build();
        let fail = |e: &dyn std::fmt::Display| SearchError::Directory {
            path: dir.display().to_string(),
            message: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
        let opened = MmapDirectory::open(dir)
            .map_err(|e| fail(&e))
            .and_then(|d| Index::open_or_create(d, schema.clone()).map_err(SearchError::from));
        let index = match opened {
            Ok(index) => index,
            Err(e) => {
                tracing::warn!(error = %e, "search index unreadable: recreating it empty");
                std::fs::remove_dir_all(dir).map_err(|e| fail(&e))?;
                std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
                let d = MmapDirectory::open(dir).map_err(|e| fail(&e))?;
                Index::create(d, schema, tantivy::IndexSettings::default())?
            }
        };
        Self::with_index(index, fields)
    }

    fn with_index(index: Index, fields: Fields) -> Result<Self> {
        schema::register_tokenizers(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = index.writer(WRITER_HEAP)?;
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            synonyms: Synonyms::embedded(),
        })
    }

    /// Where this index stands; `None` for a new (or recreated) index.
    pub fn cursor(&self) -> Option<Cursor> {
        self.index
            .load_metas()
            .ok()
            .and_then(|m| m.payload)
            .and_then(|p| Cursor::from_payload(&p))
    }

    /// The number of offerings in the index.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Replaces the whole index with `docs` in one commit; searches see the old index until
    /// the new one is complete.
    ///
    /// # Errors
    /// [`SearchError::Index`] if writing fails; the previous commit stays intact.
    pub fn rebuild(
        &self,
        docs: impl IntoIterator<Item = OfferingDoc>,
        cursor: &Cursor,
    ) -> Result<()> {
        let mut writer = self.lock_writer();
        writer.delete_all_documents()?;
        for doc in docs {
            writer.add_document(self.fields.document(&doc))?;
        }
        self.commit(&mut writer, cursor)?;
        // A search pays per segment (each opens its facet columns and runs each typo automaton
        // over its term dictionary), so a rebuilt index is merged into one segment.
        let segments = self.index.searchable_segment_ids()?;
        if segments.len() > 1 {
            writer.merge(&segments).wait()?;
            self.reader.reload()?;
        }
        Ok(())
    }

    /// How many segments searches currently read (benchmarks and tests).
    pub fn segments(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// Applies changes: `upserts` replace or add offerings, `removed` ids disappear (an id in
    /// both is replaced). Committed with `cursor` as where the index now stands.
    ///
    /// # Errors
    /// [`SearchError::Index`] if writing fails; nothing of this call is then visible.
    pub fn apply(&self, upserts: &[OfferingDoc], removed: &[i64], cursor: &Cursor) -> Result<()> {
        let mut writer = self.lock_writer();
        for id in removed.iter().chain(upserts.iter().map(|d| &d.id)) {
            writer.delete_term(Term::from_field_i64(self.fields.id, *id));
        }
        for doc in upserts {
            writer.add_document(self.fields.document(doc))?;
        }
        self.commit(&mut writer, cursor)
    }

    fn lock_writer(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        // A panic while holding the writer leaves nothing half-applied that a later commit
        // would publish: uncommitted operations are rolled back below on error.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn commit(&self, writer: &mut IndexWriter, cursor: &Cursor) -> Result<()> {
        let result = (|| {
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&cursor.to_payload());
            prepared.commit()?;
            self.reader.reload()
        })();
        if let Err(e) = result {
            writer.rollback()?;
            return Err(e.into());
        }
        Ok(())
    }

    /// Parses `req.text` the way [`SearchIndex::search`] will (for showing what was searched).
    pub fn parse(&self, text: &str) -> ParsedQuery {
        ParsedQuery::parse(text, &self.synonyms)
    }

    /// Runs a search. User text cannot make this fail; only a broken index can.
    ///
    /// # Errors
    /// [`SearchError::Index`] when the index cannot be read.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let parsed = ParsedQuery::parse(&req.text, &self.synonyms);
        let searcher = self.reader.searcher();
        let query = self.query(req, &parsed);
        let limit = req.limit.clamp(1, 100);
        let top = TopDocs::with_limit(limit).and_offset(req.offset.min(10_000));
        let facet_counter = facets::FacetCounter::new(Facet::ALL.to_vec());
        let (docs, total, counts) = match req.sort {
            Sort::Relevance => {
                searcher.search(&query, &(top.order_by_score(), Count, facet_counter))?
            }
            Sort::Start => {
                let by_start = top.order_by_u64_field("start_key", Order::Asc);
                let (docs, total, counts) =
                    searcher.search(&query, &(by_start, Count, facet_counter))?;
                let docs = docs.into_iter().map(|(_, a)| (0.0, a)).collect();
                (docs, total, counts)
            }
        };
        let mut results = self.results(&searcher, &parsed, docs, total, counts)?;
        // "Menade du …" only when the correction finds more, with the same filters.
        if total < NEAR_EMPTY
            && let Some(suggestion) = &parsed.suggestion
        {
            let corrected = ParsedQuery::parse(suggestion, &self.synonyms);
            if searcher.search(&self.query(req, &corrected), &Count)? > total {
                results.did_you_mean = Some(suggestion.clone());
            }
        }
        Ok(results)
    }

    /// The text, filters and audience of a search as one tantivy query.
    fn query(&self, req: &SearchRequest, parsed: &ParsedQuery) -> BooleanQuery {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(text) = parsed.to_query(&self.fields.words) {
            clauses.push((Occur::Must, text));
        }
        for (facet, value) in &req.filters {
            clauses.push((Occur::Must, self.term(facet.field_name(), value)));
        }
        if let Some(codes) = &req.ssyk_any {
            let any: Vec<_> = codes
                .iter()
                .map(|c| (Occur::Should, self.term("ssyk", c)))
                .collect();
            // An empty set matches nothing, as it should: no shortage occupations, no hits.
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        if let Some(values) = &req.any_of {
            let any: Vec<_> = values
                .iter()
                .map(|(facet, v)| (Occur::Should, self.term(facet.field_name(), v)))
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        let mut audiences = vec![(Occur::Should, self.term("audience", schema::PUBLIC))];
        for org in &req.organisations {
            audiences.push((Occur::Should, self.term("audience", &schema::org(*org))));
        }
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(audiences))));
        // The audience clause is always there, so the query is never empty.
        BooleanQuery::new(clauses)
    }

    fn term(&self, field: &str, value: &str) -> Box<dyn Query> {
        let field = self.fields.facet(field);
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    }

    fn results(
        &self,
        searcher: &tantivy::Searcher,
        parsed: &ParsedQuery,
        docs: Vec<(f32, tantivy::DocAddress)>,
        total: usize,
        facets: BTreeMap<Facet, Vec<(String, u64)>>,
    ) -> Result<SearchResults> {
        let f = &self.fields;
        let mut hits = Vec::with_capacity(docs.len());
        let mut highlighter = parsed.highlighter();
        for (score, address) in docs {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let next_start = doc
                .get_first(f.next_start)
                .and_then(|v| v.as_str())
                .and_then(|s| s.parse().ok());
            hits.push(Hit {
                id: doc
                    .get_first(f.id)
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default(),
                score,
                title: highlighter.mark(&text(f.title)),
                summary: highlighter.mark(&text(f.summary)),
                provider: text(f.provider),
                place: text(f.place),
                kind: text(f.kind),
                format: text(f.format),
                next_start,
            });
        }
        Ok(SearchResults {
            total,
            hits,
            facets,
            query: parsed.clone(),
            did_you_mean: None,
        })
    }
}

#[cfg(test)]
mod tests;
