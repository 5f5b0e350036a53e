//! Education supply: the YH educations Lärnav imported, which analysts link to the occupation
//! they lead to (Lärnav suggests one, with how sure it is; the analyst confirms it, one by one
//! or in bulk, or chooses another). Only confirmed links count as supply in the score; places
//! suggested but not confirmed make an occupation's supply "unconfirmed", never zero.

use larnav_domain::text::fold;
use larnav_domain::{Action, Actor};
use larnav_store::{AuditRecord, SupplyPlace};
use serde::Serialize;

use crate::accounts::not_found;
use crate::{App, AppError, Result, now};

/// Rows per page of the supply list.
pub const SUPPLY_PAGE_SIZE: usize = 50;

/// Which supply rows to show, or whose suggestions to confirm.
#[derive(Debug, Clone, Default)]
pub struct SupplyFilter {
    /// `Some(false)`: waiting for an analyst; `Some(true)`: linked; `None`: all.
    pub linked: Option<bool>,
    /// Words of the education's name, provider or MYH reference (case and å/ä/ö as typed).
    pub text: String,
    /// A SUN 2020 education field of two digits (`48` Data), or empty for every field.
    pub field: String,
    /// Only suggestions at least this sure (0–100).
    pub min_confidence: Option<i64>,
}

impl SupplyFilter {
    fn matches(&self, r: &SupplyPlace, words: &[String]) -> bool {
        self.linked.is_none_or(|l| l == r.ssyk_code.is_some())
            && (self.field.is_empty() || r.sun_code.starts_with(&self.field))
            && self
                .min_confidence
                .is_none_or(|m| r.suggestion_confidence.is_some_and(|c| c >= m))
            && (words.is_empty() || {
                let hay = fold(&format!(
                    "{} {} {}",
                    r.education_name, r.provider, r.reference
                ));
                words.iter().all(|w| hay.contains(w.as_str()))
            })
    }
}

/// One page of the supply list and what the whole selection holds.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SupplyList {
    pub rows: Vec<SupplyPlace>,
    /// Rows in the selection (every page).
    pub total: usize,
    /// 1-based.
    pub page: usize,
    pub pages: usize,
    /// Educations in the selection with a suggestion waiting for confirmation.
    pub suggestions_waiting: usize,
    /// Places per year in the selection that wait for an analyst.
    pub places_waiting: i64,
    /// The SUN fields of the rows, to filter by.
    pub fields: Vec<SupplyField>,
}

/// A SUN 2020 education field of two digits.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SupplyField {
    pub code: String,
    pub name: String,
}

impl App {
    /// Supply rows with places, filtered and one page at a time. Analysts only (the review is
    /// their work; the linked places show in every public list).
    ///
    /// # Errors
    /// A refusal or a store error.
    pub async fn supply(
        &self,
        actor: &Actor,
        filter: &SupplyFilter,
        page: usize,
    ) -> Result<SupplyList> {
        self.authorize(actor, Action::AnalyseSignals).await?;
        let all = self.store.list_supply(None, true).await?;
        let names: std::collections::HashMap<String, String> = self
            .store
            .list_sun(false)
            .await?
            .into_iter()
            .filter(|s| s.code.len() == 2)
            .map(|s| (s.code, s.name))
            .collect();
        let mut fields: Vec<SupplyField> = all
            .iter()
            .filter_map(|r| r.sun_code.get(..2))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|c| SupplyField {
                code: c.to_string(),
                name: names.get(c).cloned().unwrap_or_default(),
            })
            .collect();
        larnav_domain::text::sort_swedish_by(&mut fields, |f| &f.name);
        let words = search_words(&filter.text);
        let selected: Vec<SupplyPlace> = all
            .into_iter()
            .filter(|r| filter.matches(r, &words))
            .collect();
        let waiting = selected.iter().filter(|r| r.ssyk_code.is_none());
        let places_waiting = waiting.clone().map(|r| r.places).sum();
        let suggestions_waiting = waiting
            .filter(|r| r.suggested_ssyk.is_some())
            .map(|r| (r.source_id, r.reference.as_str()))
            .collect::<std::collections::HashSet<_>>()
            .len();
        let total = selected.len();
        let pages = total.div_ceil(SUPPLY_PAGE_SIZE).max(1);
        let page = page.clamp(1, pages);
        let rows = selected
            .into_iter()
            .skip((page - 1) * SUPPLY_PAGE_SIZE)
            .take(SUPPLY_PAGE_SIZE)
            .collect();
        Ok(SupplyList {
            rows,
            total,
            page,
            pages,
            suggestions_waiting,
            places_waiting,
            fields,
        })
    }

    /// Confirms Lärnav's suggestion for every education in the selection that waits for an
    /// analyst — or, when `only` names rows, for those of them in the selection. One audited
    /// step; returns how many educations were confirmed.
    ///
    /// # Errors
    /// A refusal or a store error.
    pub async fn confirm_supply_suggestions(
        &self,
        actor: &Actor,
        filter: &SupplyFilter,
        only: &[i64],
    ) -> Result<usize> {
        self.authorize(actor, Action::AnalyseSignals).await?;
        let words = search_words(&filter.text);
        let waiting = SupplyFilter {
            linked: Some(false),
            ..filter.clone()
        };
        let ids: Vec<i64> = self
            .store
            .list_supply(Some(false), true)
            .await?
            .into_iter()
            .filter(|r| waiting.matches(r, &words) && (only.is_empty() || only.contains(&r.id)))
            .map(|r| r.id)
            .collect();
        let detail = format!(
            "text={:?} field={:?} min_confidence={} rows={}",
            filter.text,
            filter.field,
            filter.min_confidence.unwrap_or(0),
            if only.is_empty() {
                "all".to_string()
            } else {
                only.len().to_string()
            }
        );
        let audit = AuditRecord::new(actor.user_id, "supply.confirm", "supply").with_detail(detail);
        Ok(self
            .store
            .confirm_supply_suggestions(&ids, actor.user_id, now(), &audit)
            .await?)
    }

    /// Links an education (all its kommuner) to an occupation, or unlinks it with `None`.
    ///
    /// # Errors
    /// [`AppError::Validation`] for an unknown SSYK-4 code, [`AppError::NotFound`], a refusal.
    pub async fn link_supply(&self, actor: &Actor, id: i64, ssyk_code: Option<&str>) -> Result<()> {
        self.authorize(actor, Action::AnalyseSignals).await?;
        let row = self.store.get_supply(id).await.map_err(not_found)?;
        let code = match ssyk_code.map(str::trim) {
            Some(c) => {
                let code: String = c.chars().take_while(char::is_ascii_digit).collect();
                match self.store.get_occupation_group(&code).await {
                    Ok(g) if g.level == 4 => Some(code),
                    _ => return Err(AppError::invalid("ssyk_code", "field.ssyk_unknown")),
                }
            }
            None => None,
        };
        let audit =
            AuditRecord::new(actor.user_id, "supply.link", format!("supply:{id}")).with_detail(
                format!("{} → {}", row.reference, code.as_deref().unwrap_or("-")),
            );
        Ok(self
            .store
            .link_supply(id, code.as_deref(), actor.user_id, now(), &audit)
            .await?)
    }
}

fn search_words(text: &str) -> Vec<String> {
    fold(text).split_whitespace().map(str::to_string).collect()
}
