//! Swedish text: case folding for look-ups and a Swedish collator for sorting.
//!
//! Neither database does this right on its own: SQLite's `lower()` and `LIKE` fold only ASCII,
//! and both databases sort Ä before Å by default. So Lärnav folds in Rust (the store keeps a
//! `*_fold` column for case-insensitive look-ups) and sorts with ICU's Swedish collation
//! (in Rust for lists it already holds, by a stored sort key where the database must page).

use std::cmp::Ordering;
use std::sync::LazyLock;

use icu_collator::options::CollatorOptions;
use icu_collator::{Collator, CollatorBorrowed};
use icu_locale_core::locale;

static SWEDISH: LazyLock<CollatorBorrowed<'static>> = LazyLock::new(|| {
    // The baked data always contains Swedish; failing here would be a build defect.
    Collator::try_new(locale!("sv").into(), CollatorOptions::default())
        .expect("ICU's compiled data includes Swedish collation")
});

/// Folds text for case-insensitive matching: lower case (Å → å, not → a: `far` and `får` stay
/// different words), whitespace collapsed to single spaces.
pub fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Compares two strings as a Swedish reader expects: a–z, then å, ä, ö; case and accents
/// only break ties.
pub fn compare_swedish(a: &str, b: &str) -> Ordering {
    SWEDISH.compare(a, b)
}

/// Sorts `items` by the Swedish order of the text `key` picks out.
pub fn sort_swedish_by<T>(items: &mut [T], key: impl Fn(&T) -> &str) {
    items.sort_by(|a, b| compare_swedish(key(a), key(b)));
}

/// A byte string whose bytewise order is the Swedish order of `s`, for a database column
/// that lists are sorted by when the database must do the paging.
pub fn swedish_sort_key(s: &str) -> Vec<u8> {
    let mut key = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = SWEDISH.write_sort_key_to(s, &mut key);
    key
}

/// Escapes `%`, `_` and `\` so that user input is matched literally by `LIKE … ESCAPE '\'`.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn swedish_letters_sort_after_z_in_the_order_a_ring_a_umlaut_o_umlaut() {
        let mut names = vec![
            "Örebro",
            "Ängelholm",
            "Åre",
            "Zinkgruvan",
            "Alingsås",
            "Östhammar",
            "Ale",
        ];
        sort_swedish_by(&mut names, |s| s);
        assert_eq!(
            names,
            [
                "Ale",
                "Alingsås",
                "Zinkgruvan",
                "Åre",
                "Ängelholm",
                "Örebro",
                "Östhammar"
            ]
        );
    }

    #[test]
    fn folding_keeps_far_and_far_with_ring_apart() {
        assert_eq!(fold("  Får  Gård "), "får gård");
        assert_ne!(fold("far"), fold("får"));
        assert_eq!(fold("ÅÄÖ"), "åäö");
    }

    #[test]
    fn like_wildcards_in_user_input_are_escaped() {
        assert_eq!(escape_like(r"50%_a\b"), r"50\%\_a\\b");
    }

    proptest! {
        #[test]
        fn sort_keys_order_like_the_collator(a in "[a-zåäöA-ZÅÄÖ ]{0,12}", b in "[a-zåäöA-ZÅÄÖ ]{0,12}") {
            let by_key = swedish_sort_key(&a).cmp(&swedish_sort_key(&b));
            prop_assert_eq!(by_key, compare_swedish(&a, &b));
        }
    }
}
