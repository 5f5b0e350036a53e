//! Education supply: the YH educations Lärnav imported, which analysts link to the occupation
//! they lead to (Lärnav suggests one; the analyst confirms or chooses another). Only confirmed
//! links count as supply in the score.

use larnav_domain::{Action, Actor};
use larnav_store::{AuditRecord, SupplyPlace};

use crate::accounts::not_found;
use crate::{App, AppError, Result, now};

impl App {
    /// Supply rows with places: all, linked, or waiting for an analyst. Analysts only (the
    /// review is their work; the linked places show in every public list).
    ///
    /// # Errors
    /// A refusal or a store error.
    pub async fn supply(&self, actor: &Actor, linked: Option<bool>) -> Result<Vec<SupplyPlace>> {
        self.authorize(actor, Action::AnalyseSignals).await?;
        Ok(self.store.list_supply(linked, true).await?)
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
