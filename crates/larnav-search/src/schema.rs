//! The index schema: which fields exist, how their text is analysed, and how an
//! [`OfferingDoc`] becomes a tantivy document.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, SchemaBuilder,
    TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};
use tantivy::{Index, TantivyDocument};

use crate::facets::Facet;
use crate::{Lexicon, OfferingDoc};

/// Analyser names registered on the index.
pub(crate) const STEMMED: &str = "sv_stem";
pub(crate) const PLAIN: &str = "sv_plain";

/// The audience value of public offerings; internal ones carry `org:<id>` values instead.
pub(crate) const PUBLIC: &str = "public";

pub(crate) fn org(id: i64) -> String {
    format!("org:{id}")
}

/// The lower-cased, unstemmed analysis of one word, exactly as the plain field indexes it.
pub(crate) fn plain_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .build()
}

pub(crate) fn stemmed_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::Swedish))
        .build()
}

/// Every word's roots, separated by spaces (roots are letters only, so the plain analyser
/// reads them back one by one).
fn roots_text(text: &str) -> String {
    let lexicon = Lexicon::embedded();
    let mut plain = plain_analyzer();
    let mut stream = plain.token_stream(text);
    let mut out = String::with_capacity(text.len());
    while stream.advance() {
        for root in lexicon.roots_cached(&stream.token().text) {
            out.push_str(&root);
            out.push(' ');
        }
    }
    out
}

pub(crate) fn register_tokenizers(index: &Index) {
    index.tokenizers().register(STEMMED, stemmed_analyzer());
    index.tokenizers().register(PLAIN, plain_analyzer());
}

/// The four analysed views of a document's words that [`crate::ParsedQuery`] searches: every
/// index with Swedish search (the catalogue's and [`crate::TextIndex`]) has them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WordFields {
    /// Title alone, stemmed: a word in the title weighs more.
    pub title_stem: Field,
    /// Title alone, unstemmed: prefixes and typos in the title weigh more.
    pub title_plain: Field,
    /// All searchable text, stemmed, with positions for phrases.
    pub text_stem: Field,
    /// All searchable text, unstemmed: prefixes and typos.
    pub text_plain: Field,
    /// The roots of every word and of its compound parts ([`crate::Lexicon::roots`]):
    /// *rörsvetsning* holds *rör* and *svet*, so a search for *svetsning* finds it.
    pub text_root: Field,
}

impl WordFields {
    pub fn add(b: &mut SchemaBuilder) -> Self {
        let text = |analyzer: &str, record: IndexRecordOption| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(analyzer)
                    .set_index_option(record),
            )
        };
        Self {
            title_stem: b.add_text_field(
                "title_stem",
                text(STEMMED, IndexRecordOption::WithFreqsAndPositions),
            ),
            text_stem: b.add_text_field(
                "text_stem",
                text(STEMMED, IndexRecordOption::WithFreqsAndPositions),
            ),
            title_plain: b.add_text_field("title_plain", text(PLAIN, IndexRecordOption::Basic)),
            text_plain: b.add_text_field("text_plain", text(PLAIN, IndexRecordOption::WithFreqs)),
            text_root: b.add_text_field("text_root", text(PLAIN, IndexRecordOption::WithFreqs)),
        }
    }

    /// Adds the title and all searchable text (title included) to `doc`.
    pub fn fill(&self, doc: &mut TantivyDocument, title: &str, all: &str) {
        doc.add_text(self.title_stem, title);
        doc.add_text(self.title_plain, title);
        doc.add_text(self.text_stem, all);
        doc.add_text(self.text_plain, all);
        doc.add_text(self.text_root, roots_text(all));
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Fields {
    pub id: Field,
    pub title: Field,
    pub summary: Field,
    pub provider: Field,
    pub place: Field,
    pub kind: Field,
    pub format: Field,
    pub next_start: Field,
    pub start_key: Field,
    pub words: WordFields,
    schema: Schema,
}

impl Fields {
    pub fn facet(&self, name: &str) -> Field {
        // Facet names are this crate's constants; a missing one is a programming error caught
        // by the first test that searches with it.
        self.schema
            .get_field(name)
            .unwrap_or_else(|_| panic!("facet field {name} is in the schema"))
    }

    pub fn document(&self, d: &OfferingDoc) -> TantivyDocument {
        let mut doc = TantivyDocument::new();
        doc.add_i64(self.id, d.id);
        doc.add_text(self.title, &d.title);
        doc.add_text(self.summary, &d.summary);
        doc.add_text(self.provider, &d.provider);
        doc.add_text(self.place, &d.place);
        doc.add_text(self.kind, &d.kind);
        doc.add_text(self.format, &d.format);
        if let Some(start) = d.next_start {
            doc.add_text(self.next_start, start.to_string());
        }
        // Days since 1970 sort ascending; no date sorts last.
        let key = d
            .next_start
            .map(|s| (s - chrono::NaiveDate::default()).num_days().max(0) as u64)
            .unwrap_or(u64::MAX);
        doc.add_u64(self.start_key, key);
        let all = [
            d.title.as_str(),
            &d.summary,
            &d.body,
            &d.keywords,
            &d.provider,
            &d.place,
        ]
        .join("\n");
        self.words.fill(&mut doc, &d.title, &all);

        let mut facet = |f: Facet, v: &str| {
            if !v.is_empty() {
                doc.add_text(self.facet(f.field_name()), v);
            }
        };
        facet(Facet::Kind, &d.kind);
        facet(Facet::Format, &d.format);
        facet(Facet::Provider, &d.provider);
        facet(Facet::Lan, d.lan.as_deref().unwrap_or_default());
        facet(Facet::Kommun, d.kommun.as_deref().unwrap_or_default());
        if let Some(level) = d.seqf {
            facet(Facet::Seqf, &level.to_string());
        }
        for field in &d.occupation_fields {
            facet(Facet::OccupationField, field);
        }
        for month in &d.start_months {
            facet(Facet::StartMonth, month);
        }
        facet(Facet::FreeSeats, if d.free_seats { "1" } else { "0" });
        for code in &d.ssyk {
            doc.add_text(self.facet("ssyk"), code);
        }
        let audience = self.facet("audience");
        match &d.visible_to {
            None => doc.add_text(audience, PUBLIC),
            Some(orgs) => {
                for o in orgs {
                    doc.add_text(audience, org(*o));
                }
            }
        }
        doc
    }
}

pub(crate) fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let id = b.add_i64_field("id", INDEXED | STORED | FAST);
    let title = b.add_text_field("title", STORED);
    let summary = b.add_text_field("summary", STORED);
    let provider = b.add_text_field("provider", STORED);
    let place = b.add_text_field("place", STORED);
    let kind = b.add_text_field("kind", STORED);
    let format = b.add_text_field("format", STORED);
    let next_start = b.add_text_field("next_start", STORED);
    let start_key = b.add_u64_field("start_key", FAST);
    let words = WordFields::add(&mut b);
    for facet in Facet::ALL {
        b.add_text_field(facet.field_name(), STRING | FAST);
    }
    b.add_text_field("ssyk", STRING);
    b.add_text_field("audience", STRING);
    let schema = b.build();
    let fields = Fields {
        id,
        title,
        summary,
        provider,
        place,
        kind,
        format,
        next_start,
        start_key,
        words,
        schema: schema.clone(),
    };
    (schema, fields)
}
