//! A small in-memory index with the catalogue's Swedish search, for collections that are
//! hundreds or thousands of records rather than the catalogue's hundred thousand: the network's
//! working models today. It is built in one go from the store whenever the collection changed
//! (the app layer decides when), so it needs no cursor and keeps nothing on disk.
//!
//! Records carry opaque `tags` (`theme:3`, `lan:21`): a search keeps the records that have every
//! tag asked for, the way the catalogue's facets filter.

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, Value};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

use crate::query::{ParsedQuery, Synonyms};
use crate::schema::{WordFields, register_tokenizers};
use crate::{Result, Segment};

/// One record as a [`TextIndex`] sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextDoc {
    pub id: i64,
    pub title: String,
    /// Shown (highlighted) on a hit and searched.
    pub summary: String,
    /// Searched, not shown: descriptions, owner and place names, theme names.
    pub body: String,
    pub tags: Vec<String>,
}

/// One hit; text segments carry the highlighting.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TextHit {
    pub id: i64,
    pub score: f32,
    pub title: Vec<Segment>,
    pub summary: Vec<Segment>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TextResults {
    pub total: usize,
    /// Best first; in the order the records were given when nothing was typed.
    pub hits: Vec<TextHit>,
    pub query: ParsedQuery,
}

#[derive(Debug, Clone, Copy)]
struct TextFields {
    id: Field,
    order: Field,
    title: Field,
    summary: Field,
    words: WordFields,
    tags: Field,
}

/// Writer heap: tantivy's minimum.
const WRITER_HEAP: usize = 15 * 1024 * 1024;

pub struct TextIndex {
    reader: IndexReader,
    fields: TextFields,
    synonyms: Synonyms,
    len: usize,
}

impl std::fmt::Debug for TextIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextIndex")
            .field("docs", &self.len)
            .finish_non_exhaustive()
    }
}

impl TextIndex {
    /// Indexes `docs` in memory, in one commit.
    ///
    /// # Errors
    /// [`crate::SearchError::Index`] if tantivy cannot write (out of memory).
    pub fn build(docs: impl IntoIterator<Item = TextDoc>) -> Result<Self> {
        let mut b = Schema::builder();
        let fields = TextFields {
            id: b.add_i64_field("id", INDEXED | STORED),
            order: b.add_u64_field("order", FAST),
            title: b.add_text_field("title", STORED),
            summary: b.add_text_field("summary", STORED),
            words: WordFields::add(&mut b),
            tags: b.add_text_field("tags", STRING),
        };
        let index = Index::create_in_ram(b.build());
        register_tokenizers(&index);
        let mut writer = index.writer::<TantivyDocument>(WRITER_HEAP)?;
        let mut len = 0;
        for (i, d) in docs.into_iter().enumerate() {
            let mut doc = TantivyDocument::new();
            doc.add_i64(fields.id, d.id);
            doc.add_u64(fields.order, i as u64);
            doc.add_text(fields.title, &d.title);
            doc.add_text(fields.summary, &d.summary);
            let all = [d.title.as_str(), &d.summary, &d.body].join("\n");
            fields.words.fill(&mut doc, &d.title, &all);
            for tag in &d.tags {
                doc.add_text(fields.tags, tag);
            }
            writer.add_document(doc)?;
            len += 1;
        }
        writer.commit()?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            reader,
            fields,
            synonyms: Synonyms::embedded(),
            len,
        })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The records matching `text` (read as the catalogue reads it: stems, prefixes, typos,
    /// synonyms, quoted phrases) that carry every tag in `tags`, at most `limit` of them.
    ///
    /// # Errors
    /// [`crate::SearchError::Index`] when the index cannot be read.
    pub fn search(&self, text: &str, tags: &[String], limit: usize) -> Result<TextResults> {
        let parsed = ParsedQuery::parse(text, &self.synonyms);
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(AllQuery))];
        if let Some(q) = parsed.to_query(&f.words) {
            clauses.push((Occur::Must, q));
        }
        for tag in tags {
            let term = Term::from_field_text(f.tags, tag);
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            ));
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let top = TopDocs::with_limit(limit.max(1));
        let (docs, total) = if parsed.is_empty() {
            let (docs, total) = searcher.search(
                &query,
                &(top.order_by_u64_field("order", tantivy::Order::Asc), Count),
            )?;
            (docs.into_iter().map(|(_, a)| (0.0, a)).collect(), total)
        } else {
            searcher.search(&query, &(top.order_by_score(), Count))?
        };
        let mut highlighter = parsed.highlighter();
        let mut hits = Vec::with_capacity(docs.len());
        for (score, address) in docs {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            hits.push(TextHit {
                id: doc
                    .get_first(f.id)
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default(),
                score,
                title: highlighter.mark(&text(f.title)),
                summary: highlighter.mark(&text(f.summary)),
            });
        }
        Ok(TextResults {
            total,
            hits,
            query: parsed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: i64, title: &str, summary: &str, tags: &[&str]) -> TextDoc {
        TextDoc {
            id,
            title: title.into(),
            summary: summary.into(),
            body: String::new(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
        }
    }

    fn index() -> TextIndex {
        TextIndex::build([
            doc(
                1,
                "Uppsökande turné",
                "Vi besöker arbetsplatser med en buss",
                &["theme:1", "lan:21"],
            ),
            doc(
                2,
                "Behovsinventering med företag",
                "Rutin för kompetensbehov i småföretag",
                &["theme:2", "lan:21"],
            ),
            doc(
                3,
                "Korta kurser för permitterade",
                "Paket med undersköterskekurser",
                &["theme:4", "lan:13"],
            ),
        ])
        .unwrap()
    }

    fn ids(r: &TextResults) -> Vec<i64> {
        r.hits.iter().map(|h| h.id).collect()
    }

    #[test]
    fn searches_swedish_words_with_stems_prefixes_and_typos() {
        let i = index();
        assert_eq!(ids(&i.search("turnéer", &[], 10).unwrap()), [1]);
        assert_eq!(ids(&i.search("behovsinv", &[], 10).unwrap()), [2]);
        assert_eq!(ids(&i.search("permiterade", &[], 10).unwrap()), [3]);
        assert_eq!(i.search("ingenting här", &[], 10).unwrap().total, 0);
    }

    #[test]
    fn tags_filter_and_empty_text_lists_everything_in_given_order() {
        let i = index();
        assert_eq!(ids(&i.search("", &[], 10).unwrap()), [1, 2, 3]);
        assert_eq!(ids(&i.search("", &["lan:21".into()], 10).unwrap()), [1, 2]);
        let both = ["lan:21".to_string(), "theme:2".to_string()];
        assert_eq!(ids(&i.search("", &both, 10).unwrap()), [2]);
        assert_eq!(
            ids(&i.search("turné", &both, 10).unwrap()),
            Vec::<i64>::new()
        );
    }

    #[test]
    fn hits_are_highlighted() {
        let r = index().search("buss", &[], 10).unwrap();
        assert!(r.hits[0].summary.iter().any(|s| s.hit && s.text == "buss"));
    }
}
