//! The network's shared knowledge: learning-centre profiles, the working-model registry with
//! its adoptions, and documents uploaded to a model or a mentorship pair. JSON columns hold
//! what the app layer checked (service keys, hours, theme ids, key figures, links).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::{AuditRecord, BeginWrite, Result, Store, StoreError, on_pool, write_audit};
use crate::{audited, audited_insert};

/// A profile as checked by the app layer, JSON columns already encoded.
#[derive(Debug, Clone, Default)]
pub struct CentreProfileFields {
    pub description: String,
    pub services: String,
    pub opening_hours: String,
    pub hours_note: String,
    pub address: String,
    pub email: String,
    pub phone: String,
    pub website: String,
    pub themes: String,
    pub key_figures: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CentreProfileRow {
    pub organisation_id: i64,
    pub organisation_name: String,
    pub kind: String,
    pub kommun_code: Option<String>,
    pub kommun_name: Option<String>,
    pub lan_code: Option<String>,
    pub lan_name: Option<String>,
    pub description: String,
    pub services: String,
    pub opening_hours: String,
    pub hours_note: String,
    pub address: String,
    pub email: String,
    pub phone: String,
    pub website: String,
    pub themes: String,
    pub key_figures: String,
    pub updated_at: DateTime<Utc>,
}

/// A working model as checked by the app layer.
#[derive(Debug, Clone, Default)]
pub struct WorkingModelFields {
    pub title: String,
    pub title_fold: String,
    pub summary: String,
    pub description: String,
    pub results: String,
    pub start_year: i64,
    pub themes: String,
    pub links: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WorkingModelRow {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub lan_code: Option<String>,
    pub lan_name: Option<String>,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub results: String,
    pub start_year: i64,
    pub themes: String,
    pub links: String,
    pub adoptions: i64,
    pub updated_at: DateTime<Utc>,
}

/// An adoption as typed (checked by the app layer).
#[derive(Debug, Clone)]
pub struct AdoptionFields {
    pub adopted_on: NaiveDate,
    pub status: String,
    pub experience: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Adoption {
    pub id: i64,
    pub model_id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub lan_code: Option<String>,
    pub lan_name: Option<String>,
    /// The first day of the month it was taken up.
    pub adopted_on: NaiveDate,
    /// trying, established or ended.
    pub status: String,
    /// How it went.
    pub experience: String,
    pub updated_at: DateTime<Utc>,
}

/// What a document belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentOwner {
    Model(i64),
    Pair(i64),
}

impl DocumentOwner {
    fn ids(self) -> (Option<i64>, Option<i64>) {
        match self {
            Self::Model(id) => (Some(id), None),
            Self::Pair(id) => (None, Some(id)),
        }
    }
}

/// A file as stored under the data directory.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub storage_key: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct NetworkDocument {
    pub id: i64,
    pub model_id: Option<i64>,
    pub pair_id: Option<i64>,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    #[serde(skip)]
    pub storage_key: String,
    pub uploaded_by_name: Option<String>,
    pub uploaded_at: DateTime<Utc>,
}

const PROFILE: &str = "SELECT p.organisation_id, o.name AS organisation_name, o.kind,
        o.kommun_code, k.name AS kommun_name, k.lan_code, l.name AS lan_name,
        p.description, p.services, p.opening_hours, p.hours_note, p.address, p.email, p.phone,
        p.website, p.themes, p.key_figures, p.updated_at
     FROM centre_profile p
     JOIN organisation o ON o.id = p.organisation_id
     LEFT JOIN kommun k ON k.code = o.kommun_code
     LEFT JOIN lan l ON l.code = k.lan_code";

const MODEL: &str = "SELECT m.id, m.organisation_id, o.name AS organisation_name,
        k.lan_code, l.name AS lan_name, m.title, m.summary, m.description, m.results,
        m.start_year, m.themes, m.links,
        (SELECT COUNT(*) FROM model_adoption a WHERE a.model_id = m.id) AS adoptions,
        m.updated_at
     FROM working_model m
     JOIN organisation o ON o.id = m.organisation_id
     LEFT JOIN kommun k ON k.code = o.kommun_code
     LEFT JOIN lan l ON l.code = k.lan_code";

const ADOPTION: &str = "SELECT a.id, a.model_id, a.organisation_id,
        o.name AS organisation_name, k.lan_code, l.name AS lan_name, a.adopted_on, a.status,
        a.experience, a.updated_at
     FROM model_adoption a
     JOIN organisation o ON o.id = a.organisation_id
     LEFT JOIN kommun k ON k.code = o.kommun_code
     LEFT JOIN lan l ON l.code = k.lan_code";

const DOCUMENT: &str = "SELECT d.id, d.model_id, d.pair_id, d.file_name, d.content_type,
        d.size_bytes, d.storage_key, u.display_name AS uploaded_by_name, d.uploaded_at
     FROM network_document d LEFT JOIN app_user u ON u.id = d.uploaded_by";

impl Store {
    /// Every profile, by organisation name (Swedish order).
    ///
    /// # Errors
    /// A database error.
    pub async fn centre_profiles(&self) -> Result<Vec<CentreProfileRow>> {
        let sql = format!("{PROFILE} ORDER BY o.sort_key");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?))
    }

    /// # Errors
    /// A database error.
    pub async fn centre_profile(&self, organisation_id: i64) -> Result<Option<CentreProfileRow>> {
        let sql = format!("{PROFILE} WHERE p.organisation_id = $1");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organisation_id).fetch_optional(p).await?))
    }

    /// Creates or replaces an organisation's profile.
    ///
    /// # Errors
    /// A database error.
    pub async fn save_centre_profile(
        &self,
        organisation_id: i64,
        f: &CentreProfileFields,
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        audited!(
            self,
            audit,
            now,
            sqlx::query(
                "INSERT INTO centre_profile (organisation_id, description, services,
                    opening_hours, hours_note, address, email, phone, website, themes,
                    key_figures, updated_by, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                 ON CONFLICT (organisation_id) DO UPDATE SET description = excluded.description,
                    services = excluded.services, opening_hours = excluded.opening_hours,
                    hours_note = excluded.hours_note, address = excluded.address,
                    email = excluded.email, phone = excluded.phone, website = excluded.website,
                    themes = excluded.themes, key_figures = excluded.key_figures,
                    updated_by = excluded.updated_by, updated_at = excluded.updated_at"
            )
            .bind(organisation_id)
            .bind(&f.description)
            .bind(&f.services)
            .bind(&f.opening_hours)
            .bind(&f.hours_note)
            .bind(&f.address)
            .bind(&f.email)
            .bind(&f.phone)
            .bind(&f.website)
            .bind(&f.themes)
            .bind(&f.key_figures)
            .bind(by)
            .bind(now)
        );
        Ok(())
    }

    /// Every working model, by title (Swedish order, then newest first).
    ///
    /// # Errors
    /// A database error.
    pub async fn working_models(&self) -> Result<Vec<WorkingModelRow>> {
        let sql = format!("{MODEL} ORDER BY m.title_fold, m.id DESC");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?))
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn working_model(&self, id: i64) -> Result<WorkingModelRow> {
        let sql = format!("{MODEL} WHERE m.id = $1");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(p).await?))
    }

    /// What the registry's search index was built from: the number of models and adoptions and
    /// their last change. Any edit, addition or removal changes it.
    ///
    /// # Errors
    /// A database error.
    pub async fn registry_version(&self) -> Result<String> {
        let row: (i64, Option<DateTime<Utc>>, i64, Option<DateTime<Utc>>) = on_pool!(self, p =>
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM working_model),
                        (SELECT MAX(updated_at) FROM working_model),
                        (SELECT COUNT(*) FROM model_adoption),
                        (SELECT MAX(updated_at) FROM model_adoption)")
            .fetch_one(p).await?);
        Ok(format!("{}/{:?}/{}/{:?}", row.0, row.1, row.2, row.3))
    }

    /// # Errors
    /// [`StoreError::Conflict`] when the owner already has a model of that (folded) title.
    pub async fn create_working_model(
        &self,
        organisation_id: i64,
        f: &WorkingModelFields,
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        Ok(audited_insert!(
            self,
            audit,
            now,
            target = "working_model",
            sqlx::query_as(
                "INSERT INTO working_model (organisation_id, title, title_fold, summary,
                    description, results, start_year, themes, links, created_by, created_at,
                    updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id"
            )
            .bind(organisation_id)
            .bind(&f.title)
            .bind(&f.title_fold)
            .bind(&f.summary)
            .bind(&f.description)
            .bind(&f.results)
            .bind(f.start_year)
            .bind(&f.themes)
            .bind(&f.links)
            .bind(by)
            .bind(now)
        ))
    }

    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Conflict`] (title taken).
    pub async fn update_working_model(
        &self,
        id: i64,
        f: &WorkingModelFields,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let done = sqlx::query(
                "UPDATE working_model SET title = $2, title_fold = $3, summary = $4,
                    description = $5, results = $6, start_year = $7, themes = $8, links = $9,
                    updated_at = $10
                 WHERE id = $1")
                .bind(id).bind(&f.title).bind(&f.title_fold).bind(&f.summary)
                .bind(&f.description).bind(&f.results).bind(f.start_year).bind(&f.themes)
                .bind(&f.links).bind(now)
                .execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// A model's adoptions, most recent first.
    ///
    /// # Errors
    /// A database error.
    pub async fn model_adoptions(&self, model_id: i64) -> Result<Vec<Adoption>> {
        let sql = format!("{ADOPTION} WHERE a.model_id = $1 ORDER BY a.adopted_on DESC, a.id");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(model_id).fetch_all(p).await?))
    }

    /// Every adoption (for the registry's län filter: a model counts in the län of each
    /// organisation that took it up).
    ///
    /// # Errors
    /// A database error.
    pub async fn all_adoptions(&self) -> Result<Vec<Adoption>> {
        let sql = format!("{ADOPTION} ORDER BY a.model_id, a.id");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?))
    }

    /// Records, or updates, that an organisation adopted a model.
    ///
    /// # Errors
    /// A database error.
    pub async fn save_adoption(
        &self,
        model_id: i64,
        organisation_id: i64,
        f: &AdoptionFields,
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        Ok(audited_insert!(
            self,
            audit,
            now,
            sqlx::query_as(
                "INSERT INTO model_adoption (model_id, organisation_id, adopted_on, status,
                    experience, created_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
                 ON CONFLICT (model_id, organisation_id) DO UPDATE SET
                    adopted_on = excluded.adopted_on, status = excluded.status,
                    experience = excluded.experience, updated_at = excluded.updated_at
                 RETURNING id"
            )
            .bind(model_id)
            .bind(organisation_id)
            .bind(f.adopted_on)
            .bind(&f.status)
            .bind(&f.experience)
            .bind(by)
            .bind(now)
        ))
    }

    /// Removes an organisation's adoption record.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is none.
    pub async fn remove_adoption(
        &self,
        model_id: i64,
        organisation_id: i64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let done = sqlx::query(
                "DELETE FROM model_adoption WHERE model_id = $1 AND organisation_id = $2")
                .bind(model_id).bind(organisation_id).execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            // The registry's version counts adoptions, so a removal is seen by the index.
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// # Errors
    /// A database error.
    pub async fn add_network_document(
        &self,
        owner: DocumentOwner,
        file: &StoredFile,
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        let (model, pair) = owner.ids();
        Ok(audited_insert!(
            self,
            audit,
            now,
            sqlx::query_as(
                "INSERT INTO network_document (model_id, pair_id, file_name, content_type,
                    size_bytes, storage_key, uploaded_by, uploaded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
            )
            .bind(model)
            .bind(pair)
            .bind(&file.file_name)
            .bind(&file.content_type)
            .bind(file.size_bytes)
            .bind(&file.storage_key)
            .bind(by)
            .bind(now)
        ))
    }

    /// A model's or a pair's documents, newest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn network_documents(&self, owner: DocumentOwner) -> Result<Vec<NetworkDocument>> {
        let column = match owner {
            DocumentOwner::Model(_) => "model_id",
            DocumentOwner::Pair(_) => "pair_id",
        };
        let id = match owner {
            DocumentOwner::Model(id) | DocumentOwner::Pair(id) => id,
        };
        // `column` is one of two fixed names: safe to interpolate.
        let sql =
            format!("{DOCUMENT} WHERE d.{column} = $1 ORDER BY d.uploaded_at DESC, d.id DESC");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(p).await?))
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn network_document(&self, id: i64) -> Result<NetworkDocument> {
        let sql = format!("{DOCUMENT} WHERE d.id = $1");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(p).await?))
    }

    /// Removes a document's row (the caller removes the file).
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn delete_network_document(
        &self,
        id: i64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let done = sqlx::query("DELETE FROM network_document WHERE id = $1")
                .bind(id).execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }
}
