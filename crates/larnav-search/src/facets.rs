//! Facets: the values a search can be narrowed by, counted over all matching offerings in one
//! pass (one collector for every facet, reading term ordinals from fast fields).

use std::collections::{BTreeMap, HashMap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// A facet of the catalogue.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Facet {
    Lan,
    Kommun,
    Kind,
    Format,
    Seqf,
    OccupationField,
    Provider,
    StartMonth,
    FreeSeats,
}

impl Facet {
    pub const ALL: [Self; 9] = [
        Self::Lan,
        Self::Kommun,
        Self::Kind,
        Self::Format,
        Self::Seqf,
        Self::OccupationField,
        Self::Provider,
        Self::StartMonth,
        Self::FreeSeats,
    ];

    /// The name in URLs and the API (`?kind=…`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lan => "lan",
            Self::Kommun => "kommun",
            Self::Kind => "kind",
            Self::Format => "format",
            Self::Seqf => "seqf",
            Self::OccupationField => "field",
            Self::Provider => "provider",
            Self::StartMonth => "start",
            Self::FreeSeats => "free_seats",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub(crate) fn field_name(self) -> &'static str {
        match self {
            Self::Lan => "facet_lan",
            Self::Kommun => "facet_kommun",
            Self::Kind => "facet_kind",
            Self::Format => "facet_format",
            Self::Seqf => "facet_seqf",
            Self::OccupationField => "facet_field",
            Self::Provider => "facet_provider",
            Self::StartMonth => "facet_start",
            Self::FreeSeats => "facet_free_seats",
        }
    }
}

/// Counts every facet's values over the matching documents.
pub(crate) struct FacetCounter {
    facets: Vec<Facet>,
}

impl FacetCounter {
    pub fn new(facets: Vec<Facet>) -> Self {
        Self { facets }
    }
}

pub(crate) struct SegmentFacetCounter {
    columns: Vec<(Facet, Option<StrColumn>, Vec<u32>)>,
}

type Counts = BTreeMap<Facet, Vec<(String, u64)>>;

impl Collector for FacetCounter {
    type Fruit = Counts;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        let mut columns = Vec::with_capacity(self.facets.len());
        for facet in &self.facets {
            let column = reader.fast_fields().str(facet.field_name())?;
            let n = column.as_ref().map_or(0, |c| c.dictionary().num_terms());
            columns.push((*facet, column, vec![0; n]));
        }
        Ok(SegmentFacetCounter { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut merged: BTreeMap<Facet, HashMap<String, u64>> = BTreeMap::new();
        for fruit in fruits {
            for (facet, values) in fruit {
                let into = merged.entry(facet).or_default();
                for (value, n) in values {
                    *into.entry(value).or_default() += n;
                }
            }
        }
        Ok(merged
            .into_iter()
            .map(|(facet, values)| {
                let mut values: Vec<_> = values.into_iter().collect();
                values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                (facet, values)
            })
            .collect())
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (_, column, counts) in &mut self.columns {
            if let Some(column) = column {
                for ord in column.ords().values_for_doc(doc) {
                    counts[ord as usize] += 1;
                }
            }
        }
    }

    fn harvest(self) -> Counts {
        let mut out = Counts::new();
        for (facet, column, counts) in self.columns {
            let Some(column) = column else { continue };
            // Resolve the counted ordinals in one ordered pass over the dictionary: one lookup
            // per value would decode a dictionary block each time (2,000 providers ≈ 10 ms).
            let (ords, counts): (Vec<u64>, Vec<u64>) = counts
                .into_iter()
                .enumerate()
                .filter(|(_, n)| *n > 0)
                .map(|(ord, n)| (ord as u64, u64::from(n)))
                .unzip();
            let mut values = Vec::with_capacity(ords.len());
            let mut counts = counts.into_iter();
            let resolved = column.dictionary().sorted_ords_to_term_cb(&ords, |term| {
                if let Some(n) = counts.next() {
                    values.push((String::from_utf8_lossy(term).into_owned(), n));
                }
            });
            if resolved.is_err() {
                // A damaged dictionary loses this facet's counts, not the search.
                values.clear();
            }
            out.insert(facet, values);
        }
        out
    }
}
