//! Every text a person can see goes through the translation layer, in Swedish and English:
//! each translation key the templates and the code name exists in both languages, and each
//! audit event the code writes has a name there (`audit.event.<action>`), so the audit log never
//! shows a bare code or an English word on a Swedish page.

use std::collections::BTreeSet;
use std::path::Path;

use larnav_app::admin::AUDIT_EVENTS;
use larnav_app::i18n::{Lang, keys};

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs" || e == "html") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path.display().to_string(), text));
        }
    }
}

/// Double-quoted literals shaped like a key: `part.part`, lower case.
fn key_like(text: &str) -> impl Iterator<Item = &str> {
    text.split('"').skip(1).step_by(2).filter(|s| {
        s.contains('.')
            && !s.starts_with('.')
            && !s.ends_with('.')
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
    })
}

#[test]
fn every_key_and_audit_event_is_translated_in_both_languages() {
    let sv: BTreeSet<&str> = keys(Lang::Sv).into_iter().collect();
    assert_eq!(
        sv,
        keys(Lang::En).into_iter().collect(),
        "same keys in both"
    );
    let mut missing: Vec<String> = AUDIT_EVENTS
        .iter()
        .filter(|a| !sv.contains(format!("audit.event.{a}").as_str()))
        .map(|a| format!("audit.event.{a}"))
        .collect();
    // A literal shaped like a key whose first part is a key's or an audit event's must be a
    // key (or a key's prefix, or a file name) or a listed audit event.
    let namespaces: BTreeSet<&str> = sv
        .iter()
        .chain(AUDIT_EVENTS)
        .filter_map(|k| k.split('.').next())
        .collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in [
        "larnav-web/src",
        "larnav-web/templates",
        "larnav-app/src",
        "larnav-store/src",
        "larnav-cli/src",
    ] {
        sources(&root.join(dir), &mut files);
    }
    let mut seen = 0;
    for (file, text) in &files {
        for k in key_like(text) {
            let is_file = [".html", ".rs", ".toml", ".json", ".csv", ".xlsx", ".sql"]
                .iter()
                .any(|e| k.ends_with(e));
            let is_prefix = sv
                .iter()
                .any(|s| s.starts_with(k) && s[k.len()..].starts_with('.'));
            if sv.contains(k) || AUDIT_EVENTS.contains(&k) {
                seen += 1;
            } else if namespaces.contains(k.split('.').next().unwrap()) && !is_file && !is_prefix {
                missing.push(format!("{k} ({file})"));
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "untranslated: {missing:#?}");
    assert!(seen > 1000, "the keys are found ({seen})");
}
