//! Labour-market areas: an organisation (typically a region) defines its own areas as sets of
//! kommuner, e.g. four areas inside one län. Riket, län and kommuner are areas without that.

use std::collections::HashSet;

use larnav_domain::{Action, Actor, KommunCode};
use larnav_store::{Area, AuditRecord, StoreError};

use crate::accounts::{check_name, not_found};
use crate::error::Checks;
use crate::{App, AppError, Result, now};

/// An area as a form or API request sends it.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AreaForm {
    pub name: String,
    /// Four-digit kommun codes.
    pub kommuner: Vec<String>,
}

impl App {
    async fn validate_area(&self, form: &AreaForm) -> Result<(String, Vec<String>)> {
        let mut checks = Checks::new();
        let name = check_name(&mut checks, "name", &form.name);
        let known: HashSet<String> = self
            .store
            .list_kommuner(None)
            .await?
            .into_iter()
            .map(|k| k.code)
            .collect();
        let mut codes: Vec<String> = Vec::new();
        for code in &form.kommuner {
            match KommunCode::parse(code) {
                Ok(c) if known.contains(c.as_str()) => codes.push(c.to_string()),
                Ok(_) => checks.fail("kommuner", "field.kommun_unknown"),
                Err(_) => checks.fail("kommuner", "field.kommun_format"),
            }
        }
        codes.sort();
        codes.dedup();
        if form.kommuner.is_empty() {
            checks.fail("kommuner", "field.area_kommuner_required");
        }
        checks.finish()?;
        Ok((name, codes))
    }

    /// Defines a new area for the organisation.
    ///
    /// # Errors
    /// [`AppError::Validation`] (no name, no or unknown kommuner), [`AppError::Conflict`]
    /// (`area_name_taken`), or a refusal.
    pub async fn create_area(
        &self,
        actor: &Actor,
        organisation_id: i64,
        form: &AreaForm,
    ) -> Result<Area> {
        self.authorize(actor, Action::ManageAreas(organisation_id))
            .await?;
        self.store
            .get_organisation(organisation_id)
            .await
            .map_err(not_found)?;
        let (name, codes) = self.validate_area(form).await?;
        let audit = AuditRecord::new(actor.user_id, "area.create", "")
            .in_organisation(organisation_id)
            .with_detail(format!("{name}: {}", codes.join(", ")));
        let id = self
            .store
            .create_area(organisation_id, &name, &codes, now(), &audit)
            .await
            .map_err(name_taken)?;
        Ok(self.store.get_area(id).await?)
    }

    /// Renames an area and replaces its kommuner.
    ///
    /// # Errors
    /// As [`App::create_area`], and [`AppError::NotFound`].
    pub async fn update_area(&self, actor: &Actor, id: i64, form: &AreaForm) -> Result<Area> {
        let area = self.store.get_area(id).await.map_err(not_found)?;
        self.authorize(actor, Action::ManageAreas(area.organisation_id))
            .await?;
        let (name, codes) = self.validate_area(form).await?;
        let audit = AuditRecord::new(actor.user_id, "area.update", format!("area:{id}"))
            .in_organisation(area.organisation_id)
            .with_detail(format!("{name}: {}", codes.join(", ")));
        self.store
            .update_area(id, &name, &codes, now(), &audit)
            .await
            .map_err(name_taken)?;
        Ok(self.store.get_area(id).await?)
    }

    /// # Errors
    /// [`AppError::NotFound`] or a refusal.
    pub async fn delete_area(&self, actor: &Actor, id: i64) -> Result<i64> {
        let area = self.store.get_area(id).await.map_err(not_found)?;
        self.authorize(actor, Action::ManageAreas(area.organisation_id))
            .await?;
        let audit = AuditRecord::new(actor.user_id, "area.delete", format!("area:{id}"))
            .in_organisation(area.organisation_id)
            .with_detail(&area.name);
        self.store
            .delete_area(id, now(), &audit)
            .await
            .map_err(not_found)?;
        Ok(area.organisation_id)
    }

    /// Areas, of one organisation or all. Public: published lists will be per area.
    ///
    /// # Errors
    /// A store error.
    pub async fn areas(&self, actor: &Actor, organisation_id: Option<i64>) -> Result<Vec<Area>> {
        self.authorize(actor, Action::ViewReferenceData).await?;
        Ok(self.store.list_areas(organisation_id).await?)
    }

    /// # Errors
    /// [`AppError::NotFound`].
    pub async fn area(&self, actor: &Actor, id: i64) -> Result<Area> {
        self.authorize(actor, Action::ViewReferenceData).await?;
        self.store.get_area(id).await.map_err(not_found)
    }
}

fn name_taken(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => AppError::Conflict {
            code: "area_name_taken",
            message_key: "error.area_name_taken",
        },
        other => other.into(),
    }
}
