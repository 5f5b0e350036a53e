//! Answers derived from a computed Semaforen list — the JSON of `/api/v1/semaforen/{area}`, the
//! rendered body of `/semaforen/{area}` — kept while `App` hands out the same list.
//!
//! `App::shortage_list` returns one shared `Arc` per area while the data version stays (see
//! `larnav_app::semaforen`), so [`Arc::ptr_eq`] says exactly when a derived answer is still
//! true: nothing here reads the database, is invalidated or can go stale, and a change on any
//! instance shows at the next request because `App` then hands out a new list. Serialising
//! 350 KB of JSON or rendering 400 table rows per request was what remained of a list
//! request's cost once the list itself was cached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use larnav_app::semaforen::ShortageList;

/// Enough for every län, the country, the kommuner people look at and a region's own areas in
/// both languages; when full it starts again (entries hold their list alive).
const ENTRIES: usize = 128;

/// One kind of derived answer (`V`: the JSON bytes, or a rendered fragment), per key.
pub struct Derived<V>(Mutex<HashMap<String, (Arc<ShortageList>, V)>>);

impl<V> Default for Derived<V> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

impl<V: Clone> Derived<V> {
    /// The answer kept under `key` if it was made from this very `list`, else `make`'s, kept.
    /// `make` runs outside the lock: two first requests may both make it, never wait.
    pub fn get_or_make<E>(
        &self,
        key: String,
        list: &Arc<ShortageList>,
        make: impl FnOnce(&ShortageList) -> Result<V, E>,
    ) -> Result<V, E> {
        if let Some((held, answer)) = self.lock().get(&key)
            && Arc::ptr_eq(held, list)
        {
            return Ok(answer.clone());
        }
        let answer = make(list)?;
        let mut kept = self.lock();
        if kept.len() >= ENTRIES && !kept.contains_key(&key) {
            kept.clear();
        }
        kept.insert(key, (Arc::clone(list), answer.clone()));
        Ok(answer)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Arc<ShortageList>, V)>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The derived answers one router keeps (an axum extension, so each server has its own).
#[derive(Default)]
pub struct SharedLists {
    /// `/api/v1/semaforen/{area}` as JSON, per area.
    pub json: Derived<axum::body::Bytes>,
    /// The body of `/semaforen/{area}`, per language and area.
    pub html: Derived<Arc<str>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> Arc<ShortageList> {
        Arc::new(ShortageList {
            area: larnav_app::semaforen::AreaInfo {
                key: "21".into(),
                name: "Gävleborgs län".into(),
                kind: "lan",
                kommuner: vec!["2180".into()],
                forecast_area: "21".into(),
                organisation_id: None,
            },
            weights: larnav_app::domain::score::Weights::default(),
            ads_year: None,
            ads_partial: Vec::new(),
            rows: Vec::new(),
            sources: Vec::new(),
        })
    }

    #[test]
    fn an_answer_is_made_once_per_list_and_again_for_a_new_one() {
        let kept: Derived<String> = Derived::default();
        let first = list();
        let mut made = 0;
        for _ in 0..3 {
            let answer = kept.get_or_make("21".into(), &first, |l| {
                made += 1;
                Ok::<_, ()>(l.area.name.clone())
            });
            assert_eq!(answer, Ok("Gävleborgs län".to_string()));
        }
        assert_eq!(made, 1);
        // An equal list that App computed again (the data version moved) is made anew.
        let second = list();
        kept.get_or_make("21".into(), &second, |_| {
            made += 1;
            Ok::<_, ()>(String::new())
        })
        .unwrap();
        assert_eq!(made, 2);
        // A failure is not kept.
        assert_eq!(kept.get_or_make("SE".into(), &second, |_| Err(7)), Err(7));
        assert!(!kept.lock().contains_key("SE"));
    }
}
