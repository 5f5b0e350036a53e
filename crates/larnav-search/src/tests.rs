use chrono::NaiveDate;

use super::*;
use crate::query::levenshtein;

fn doc(id: i64, title: &str, summary: &str) -> OfferingDoc {
    OfferingDoc {
        id,
        title: title.into(),
        summary: summary.into(),
        provider: "Hudiksvalls lärcentrum".into(),
        kind: "course".into(),
        format: "distance".into(),
        lan: Some("21".into()),
        kommun: Some("2184".into()),
        place: "Hudiksvall".into(),
        seqf: Some(4),
        ..OfferingDoc::default()
    }
}

fn cursor(change: i64) -> Cursor {
    Cursor {
        database: "db".into(),
        change,
    }
}

fn index(docs: Vec<OfferingDoc>) -> SearchIndex {
    let index = SearchIndex::in_memory().unwrap();
    index.rebuild(docs, &cursor(1)).unwrap();
    index
}

fn sample() -> SearchIndex {
    let mut far = doc(3, "Far och barn", "Föräldrautbildning för pappor");
    far.format = "on_site".into();
    far.kommun = Some("2180".into());
    far.place = "Gävle".into();
    let mut internal = doc(6, "Ledarskap för Sandvik", "Uppdragsutbildning");
    internal.visible_to = Some(vec![42, 7]);
    internal.kind = "contract_education".into();
    index(vec![
        doc(1, "Undersköterska", "Vård och omsorg på distans"),
        doc(2, "Rektorer i samverkan", "Skolledarskap för rektorer"),
        far,
        doc(4, "Får och lamm", "Fårskötsel i praktiken"),
        doc(5, "Sjuksköterskor i kommunal vård", "Vidareutbildning"),
        internal,
    ])
}

fn ids(index: &SearchIndex, text: &str) -> Vec<i64> {
    let mut ids: Vec<i64> = index
        .search(&SearchRequest {
            text: text.into(),
            limit: 50,
            ..SearchRequest::default()
        })
        .unwrap()
        .hits
        .iter()
        .map(|h| h.id)
        .collect();
    ids.sort_unstable();
    ids
}

#[test]
fn swedish_inflections_find_each_other() {
    let index = sample();
    assert_eq!(ids(&index, "sjuksköterska"), vec![5]);
    assert_eq!(
        ids(&index, "rektor"),
        vec![2],
        "rektor finds rektorer by prefix"
    );
    assert_eq!(
        ids(&index, "rektorerna"),
        vec![2],
        "and rektorerna by the stem"
    );
}

#[test]
fn far_does_not_find_far_with_a_ring() {
    let index = sample();
    assert_eq!(ids(&index, "far"), vec![3]);
    assert_eq!(ids(&index, "får"), vec![4]);
    assert_eq!(ids(&index, "FÅR"), vec![4], "case does not matter");
}

#[test]
fn a_typo_and_a_missing_diacritic_still_find_the_word() {
    let index = sample();
    assert_eq!(ids(&index, "underskoterska"), vec![1]);
    assert_eq!(ids(&index, "undersköterksa"), vec![1], "a transposition");
    assert_eq!(ids(&index, "undersk"), vec![1], "a prefix while typing");
}

#[test]
fn abbreviations_expand_to_what_they_mean() {
    let index = sample();
    assert_eq!(ids(&index, "usk"), vec![1]);
    assert_eq!(ids(&index, "usk distans"), vec![1]);
}

#[test]
fn every_word_must_match_but_stop_words_need_not() {
    let index = sample();
    assert_eq!(ids(&index, "undersköterska gävle"), Vec::<i64>::new());
    assert_eq!(
        ids(&index, "undersköterska på distans nära hudiksvall"),
        vec![1]
    );
}

#[test]
fn quoted_phrases_match_words_in_order() {
    let index = sample();
    assert_eq!(ids(&index, "\"vård och omsorg\""), vec![1]);
    assert_eq!(ids(&index, "\"omsorg och vård\""), Vec::<i64>::new());
}

#[test]
fn operators_quotes_emoji_and_huge_input_never_fail() {
    let index = sample();
    let long = "undersköterska ".repeat(700);
    for text in [
        "AND OR NOT",
        "title:får",
        "\"",
        "\"\"\"",
        "(((",
        "-får +far",
        "*",
        "🙂🙂",
        "🙂 får 🙂",
        "\u{0}",
        "a\u{301}",
        "ø¨ˆ∂",
        &long,
    ] {
        let results = index
            .search(&SearchRequest {
                text: text.to_string(),
                limit: 10,
                ..SearchRequest::default()
            })
            .unwrap();
        assert!(results.total <= 6, "{text:?}");
    }
    let parsed = index.parse(&long);
    assert!(parsed.truncated);
    assert!(parsed.words.len() <= query::MAX_WORDS);
    assert_eq!(ids(&index, "🙂 får 🙂"), vec![4]);
}

#[test]
fn an_empty_query_lists_every_public_offering() {
    let index = sample();
    assert_eq!(ids(&index, ""), vec![1, 2, 3, 4, 5]);
}

#[test]
fn internal_offerings_are_visible_only_to_their_organisations() {
    let index = sample();
    let search = |orgs: Vec<i64>| {
        index
            .search(&SearchRequest {
                text: "ledarskap sandvik".into(),
                organisations: orgs,
                limit: 10,
                ..SearchRequest::default()
            })
            .unwrap()
            .total
    };
    assert_eq!(search(vec![]), 0);
    assert_eq!(search(vec![1]), 0);
    assert_eq!(search(vec![7]), 1);
    assert_eq!(search(vec![42]), 1);
}

#[test]
fn facets_count_matches_and_filter_them() {
    let index = sample();
    let results = index
        .search(&SearchRequest {
            limit: 10,
            ..SearchRequest::default()
        })
        .unwrap();
    let kommuner = &results.facets[&Facet::Kommun];
    assert_eq!(kommuner[0], ("2184".to_string(), 4));
    assert!(kommuner.contains(&("2180".to_string(), 1)));
    let filtered = index
        .search(&SearchRequest {
            filters: vec![(Facet::Kommun, "2180".into())],
            limit: 10,
            ..SearchRequest::default()
        })
        .unwrap();
    assert_eq!(filtered.total, 1);
    assert_eq!(filtered.hits[0].id, 3);
    assert_eq!(filtered.facets[&Facet::Format], vec![("on_site".into(), 1)]);
}

#[test]
fn the_shortage_filter_keeps_offerings_for_the_listed_occupations() {
    let mut a = doc(1, "Undersköterska", "");
    a.ssyk = vec!["5321".into()];
    let mut b = doc(2, "Svetsare", "");
    b.ssyk = vec!["7212".into()];
    let index = index(vec![a, b]);
    let search = |codes: Vec<&str>| {
        index
            .search(&SearchRequest {
                ssyk_any: Some(codes.into_iter().map(String::from).collect()),
                limit: 10,
                ..SearchRequest::default()
            })
            .unwrap()
            .hits
            .iter()
            .map(|h| h.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(search(vec!["7212"]), vec![2]);
    assert_eq!(search(vec![]), Vec::<i64>::new());
}

#[test]
fn date_sorting_puts_the_soonest_start_first_and_undated_last() {
    let mut a = doc(1, "A", "");
    a.next_start = NaiveDate::from_ymd_opt(2027, 3, 1);
    let b = doc(2, "B", "");
    let mut c = doc(3, "C", "");
    c.next_start = NaiveDate::from_ymd_opt(2027, 1, 15);
    let index = index(vec![a, b, c]);
    let results = index
        .search(&SearchRequest {
            sort: Sort::Start,
            limit: 10,
            ..SearchRequest::default()
        })
        .unwrap();
    let order: Vec<i64> = results.hits.iter().map(|h| h.id).collect();
    assert_eq!(order, vec![3, 1, 2]);
    assert_eq!(
        results.hits[0].next_start,
        NaiveDate::from_ymd_opt(2027, 1, 15)
    );
}

#[test]
fn hits_mark_the_matched_words() {
    let index = sample();
    let results = index
        .search(&SearchRequest {
            text: "usk omsorg".into(),
            limit: 10,
            ..SearchRequest::default()
        })
        .unwrap();
    let hit = &results.hits[0];
    assert_eq!(
        hit.title,
        vec![Segment {
            text: "Undersköterska".into(),
            hit: true
        }]
    );
    let marked: Vec<&str> = hit
        .summary
        .iter()
        .filter(|s| s.hit)
        .map(|s| s.text.as_str())
        .collect();
    assert_eq!(marked, vec!["omsorg"]);
    let plain: String = hit.summary.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(plain, "Vård och omsorg på distans");
}

#[test]
fn applying_changes_replaces_and_removes_offerings() {
    let index = sample();
    let renamed = doc(1, "Barnskötare", "");
    index.apply(&[renamed], &[4], &cursor(9)).unwrap();
    assert_eq!(ids(&index, "undersköterska"), Vec::<i64>::new());
    assert_eq!(ids(&index, "barnskötare"), vec![1]);
    assert_eq!(ids(&index, "får"), Vec::<i64>::new());
    assert_eq!(index.cursor(), Some(cursor(9)));
    assert_eq!(index.len(), 5);
}

#[test]
fn an_index_on_disk_remembers_the_last_change_it_applied() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        assert_eq!(index.cursor(), None);
        index
            .rebuild(vec![doc(1, "Svetsare", "")], &cursor(17))
            .unwrap();
    }
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(index.cursor(), Some(cursor(17)));
    assert_eq!(ids(&index, "svetsare"), vec![1]);
}

#[test]
fn a_damaged_index_is_recreated_empty_for_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        index
            .rebuild(vec![doc(1, "Svetsare", "")], &cursor(17))
            .unwrap();
    }
    std::fs::write(dir.path().join("meta.json"), "{ not json").unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(index.cursor(), None);
    assert!(index.is_empty());
}

/// The welding courses of the catalogue, named the ways providers name them.
fn welding() -> SearchIndex {
    index(vec![
        doc(1, "Svets", "Grundläggande svets MIG/MAG"),
        doc(2, "Rörsvetsning", "Svetsa rör enligt standard"),
        doc(3, "Specialsvetsning TIG", "För dig som kan svetsa"),
        doc(4, "Svetsare, arbetsmarknadsutbildning", "Bli svetsare"),
        doc(5, "Undersköterskeutbildning", "Vård och omsorg"),
        doc(6, "Fordonstekniker", "Lastbil och buss"),
        doc(7, "Kock", "Restaurang och storkök"),
    ])
}

#[test]
fn compounds_and_derivations_find_each_other() {
    let index = welding();
    // Every word about welding finds every welding course, whatever its form.
    for text in [
        "svetsning",
        "svets",
        "svetsare",
        "rörsvetsning",
        "svettsning",
    ] {
        let found = ids(&index, text);
        assert!(
            [1, 2, 3, 4].iter().all(|id| found.contains(id)),
            "{text} found {found:?}"
        );
        assert!(
            !found.contains(&5) && !found.contains(&6),
            "{text} found {found:?}"
        );
    }
    assert_eq!(ids(&index, "undersköterska"), vec![5]);
    assert_eq!(ids(&index, "undersköterskeutbildning"), vec![5]);
    assert_eq!(
        ids(&index, "tekniker"),
        vec![6],
        "a compound's head finds it"
    );
}

#[test]
fn a_course_named_for_the_word_ranks_above_one_sharing_its_root() {
    let index = welding();
    let found = index
        .search(&SearchRequest {
            text: "rörsvetsning".into(),
            limit: 10,
            ..SearchRequest::default()
        })
        .unwrap();
    assert_eq!(found.hits[0].id, 2);
    // The root match is highlighted too: "Svetsa rör" on a search for rörsvetsning.
    let marked: Vec<&str> = found.hits[0]
        .summary
        .iter()
        .filter(|s| s.hit)
        .map(|s| s.text.as_str())
        .collect();
    assert!(marked.contains(&"rör"), "{marked:?}");
}

#[test]
fn a_search_that_finds_almost_nothing_offers_its_correction() {
    let index = welding();
    let search = |text: &str| {
        index
            .search(&SearchRequest {
                text: text.into(),
                limit: 10,
                ..SearchRequest::default()
            })
            .unwrap()
    };
    // "fordonsteknikr grus": nothing has both words, and the correction has no more hits
    // either, so nothing is offered.
    assert_eq!(search("fordonsteknikr grus").did_you_mean, None);
    // A misspelt word that finds nothing by itself: offered when the correction finds more.
    let found = search("omsorgg vård");
    assert_eq!(found.query.suggestion.as_deref(), Some("omsorg vård"));
    assert_eq!(found.total, 1, "the typo itself is tolerated");
    assert_eq!(found.did_you_mean, None, "nothing more to find");
    // A typo in a four-letter word is more than a search tolerates: nothing is found, and the
    // correction that finds the course is offered.
    let found = search("kovk");
    assert_eq!(found.total, 0);
    assert_eq!(found.did_you_mean.as_deref(), Some("kock"));
    let found = search("fordonsteknikr xyzzy");
    assert_eq!(found.total, 0);
    assert_eq!(
        found.did_you_mean, None,
        "the correction finds nothing either"
    );
    // Correct words are never "corrected".
    assert_eq!(search("svets").query.suggestion, None);
}

#[test]
fn edit_distance_counts_a_transposition_as_one() {
    assert_eq!(levenshtein("får", "far"), 1);
    assert_eq!(levenshtein("ab", "ba"), 1);
    assert_eq!(levenshtein("undersköterska", "underskoterska"), 1);
    assert_eq!(levenshtein("", "abc"), 3);
}

proptest::proptest! {
    #[test]
    fn any_text_parses_into_a_query_that_runs(text in "\\PC{0,300}") {
        let index = sample();
        let results = index.search(&SearchRequest { text, limit: 5, ..SearchRequest::default() });
        proptest::prop_assert!(results.is_ok());
    }
}
