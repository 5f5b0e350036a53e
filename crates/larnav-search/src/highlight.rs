//! Highlighting without HTML: a text becomes segments, each marked as a hit or not, and the
//! page template escapes and wraps them (`<mark>`). Building HTML here would invite injection.

/// A run of text, `hit` when a query word matched it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Segment {
    pub text: String,
    pub hit: bool,
}

/// Splits `text` into words and the text between them, marks the words `is_hit` accepts, and
/// joins neighbours of the same kind.
pub(crate) fn mark(text: &str, mut is_hit: impl FnMut(&str) -> bool) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    let mut push = |piece: &str, hit: bool| match out.last_mut() {
        Some(last) if last.hit == hit => last.text.push_str(piece),
        _ => out.push(Segment {
            text: piece.to_string(),
            hit,
        }),
    };
    let mut start = 0;
    let mut in_word = None;
    for (i, c) in text.char_indices() {
        let word = c.is_alphanumeric();
        match in_word {
            Some(w) if w == word => {}
            Some(w) => {
                let piece = &text[start..i];
                push(piece, w && is_hit(piece));
                start = i;
            }
            None => {}
        }
        in_word = Some(word);
    }
    if let Some(w) = in_word {
        let piece = &text[start..];
        push(piece, w && is_hit(piece));
    }
    out
}
