//! The material library: materials, their versions and reviews, and attachments. A version's
//! life (draft → in review → changes requested or published → superseded) is guarded here too,
//! inside each transaction, so that two people acting at once cannot both win: a save based on
//! an older revision, a second decision on the same version, a new version started from one
//! that is no longer the latest — each is a [`StoreError::Conflict`] with a code the app layer
//! explains.

use crate::Conflict;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{AuditRecord, BeginWrite, Result, Store, StoreError, StoredFile, on_pool, write_audit};

/// A version's content as checked by the app layer, JSON columns already encoded.
#[derive(Debug, Clone, Default)]
pub struct MaterialFields {
    pub title: String,
    pub summary: String,
    pub body: String,
    pub school_forms: String,
    pub subjects: String,
    pub roles: String,
    pub tags: String,
    pub licence: String,
    pub language: String,
}

/// A material with the version a list shows (the published one, or the latest).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MaterialRow {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    /// The school organiser the material's organisation belongs to.
    pub organiser_id: Option<i64>,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub scope: String,
    pub published_version_id: Option<i64>,
    pub version_id: i64,
    pub number: i64,
    pub status: String,
    pub revision: i64,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub school_forms: String,
    pub subjects: String,
    pub roles: String,
    pub tags: String,
    pub licence: String,
    pub language: String,
    pub created_by: Option<i64>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// A reviewer's decision.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct MaterialReview {
    pub id: i64,
    pub version_id: i64,
    /// The version's number.
    pub number: i64,
    pub reviewer_id: Option<i64>,
    pub reviewer_name: Option<String>,
    /// changes_requested or approved.
    pub decision: String,
    /// The checklist points that held (JSON list of keys).
    #[serde(skip)]
    pub checklist: String,
    pub comment: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct MaterialAttachment {
    pub id: i64,
    pub material_id: i64,
    /// The version it was added to: part of that version and every later one.
    pub version_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    #[serde(skip)]
    pub storage_key: String,
    pub uploaded_at: DateTime<Utc>,
}

/// Which version of each material a query shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Published,
    Latest,
}

fn select(shown: Shown) -> String {
    let join = match shown {
        Shown::Published => "v.id = m.published_version_id",
        Shown::Latest => {
            "v.material_id = m.id AND v.number =
                (SELECT MAX(number) FROM material_version WHERE material_id = m.id)"
        }
    };
    format!(
        "SELECT m.id, m.organisation_id, o.name AS organisation_name, o.parent_id AS organiser_id,
            m.author_id, a.display_name AS author_name, m.scope, m.published_version_id,
            v.id AS version_id, v.number, v.status, v.revision, v.title, v.summary, v.body,
            v.school_forms, v.subjects, v.roles, v.tags, v.licence, v.language, v.created_by,
            c.display_name AS created_by_name, v.created_at, v.updated_at, v.submitted_at,
            v.decided_at
         FROM material m
         JOIN organisation o ON o.id = m.organisation_id
         JOIN material_version v ON {join}
         LEFT JOIN app_user a ON a.id = m.author_id
         LEFT JOIN app_user c ON c.id = v.created_by"
    )
}

const VERSION: &str = "SELECT m.id, m.organisation_id, o.name AS organisation_name,
        o.parent_id AS organiser_id, m.author_id, a.display_name AS author_name, m.scope,
        m.published_version_id, v.id AS version_id, v.number, v.status, v.revision, v.title,
        v.summary, v.body, v.school_forms, v.subjects, v.roles, v.tags, v.licence, v.language,
        v.created_by, c.display_name AS created_by_name, v.created_at, v.updated_at,
        v.submitted_at, v.decided_at
     FROM material_version v
     JOIN material m ON m.id = v.material_id
     JOIN organisation o ON o.id = m.organisation_id
     LEFT JOIN app_user a ON a.id = m.author_id
     LEFT JOIN app_user c ON c.id = v.created_by";

const ATTACHMENT: &str = "SELECT id, material_id, version_id, file_name, content_type,
        size_bytes, storage_key, uploaded_at FROM material_attachment";

impl Store {
    /// Creates a material with its first version, a draft.
    ///
    /// # Errors
    /// A database error.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_material(
        &self,
        organisation_id: i64,
        scope: &str,
        f: &MaterialFields,
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO material (organisation_id, author_id, scope, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $4) RETURNING id")
                .bind(organisation_id).bind(by).bind(scope).bind(now)
                .fetch_one(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO material_version (material_id, number, title, summary, body,
                    school_forms, subjects, roles, tags, licence, language, status, created_by,
                    created_at, updated_at)
                 VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'draft', $11, $12, $12)")
                .bind(id).bind(&f.title).bind(&f.summary).bind(&f.body).bind(&f.school_forms)
                .bind(&f.subjects).bind(&f.roles).bind(&f.tags).bind(&f.licence)
                .bind(&f.language).bind(by).bind(now)
                .execute(&mut *tx).await?;
            let mut audit = audit.clone();
            audit.target = format!("material:{id}");
            write_audit!(&mut *tx, &audit, now)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// A material with its published or latest version.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (also when it has no published version and that was asked).
    pub async fn material(&self, id: i64, shown: Shown) -> Result<MaterialRow> {
        let sql = format!("{} WHERE m.id = $1", select(shown));
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(p).await?))
    }

    /// Every material with its published version (those without one are left out), newest
    /// first.
    ///
    /// # Errors
    /// A database error.
    pub async fn published_materials(&self) -> Result<Vec<MaterialRow>> {
        let sql = format!(
            "{} ORDER BY v.decided_at DESC, m.id DESC",
            select(Shown::Published)
        );
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?))
    }

    /// Materials with their latest version: an author's own, or those in any of `organisations`
    /// whose latest version is in review.
    ///
    /// # Errors
    /// A database error.
    pub async fn latest_materials(
        &self,
        author: Option<i64>,
        in_review_of: &[i64],
    ) -> Result<Vec<MaterialRow>> {
        let ids = in_review_of
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        // Only integers are interpolated: safe.
        let sql = format!(
            "{} WHERE m.author_id = $1 OR (v.status = 'in_review' AND m.organisation_id IN ({}))
             ORDER BY v.updated_at DESC, m.id DESC",
            select(Shown::Latest),
            if ids.is_empty() { "NULL".into() } else { ids }
        );
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(author.unwrap_or(0)).fetch_all(p).await?))
    }

    /// Every version of a material, oldest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn material_versions(&self, material_id: i64) -> Result<Vec<MaterialRow>> {
        let sql = format!("{VERSION} WHERE v.material_id = $1 ORDER BY v.number");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(material_id).fetch_all(p).await?))
    }

    /// What the library's search index was built from: the number of materials and the last
    /// change to any of them.
    ///
    /// # Errors
    /// A database error.
    pub async fn material_stamp(&self) -> Result<String> {
        let row: (i64, Option<DateTime<Utc>>) = on_pool!(self, p => sqlx::query_as(
            "SELECT COUNT(*), MAX(updated_at) FROM material").fetch_one(p).await?);
        Ok(format!("{}/{:?}", row.0, row.1))
    }

    /// Saves a draft in place, if it is still the draft at `revision`.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] ([`MATERIAL_STALE`]: saved meanwhile; [`MATERIAL_NOT_DRAFT`]: submitted
    /// meanwhile), [`StoreError::NotFound`].
    pub async fn save_material_draft(
        &self,
        version_id: i64,
        revision: i64,
        scope: &str,
        f: &MaterialFields,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let row: Option<(i64, String, i64)> = sqlx::query_as(
                "SELECT material_id, status, revision FROM material_version WHERE id = $1")
                .bind(version_id).fetch_optional(&mut *tx).await?;
            let Some((material_id, status, current)) = row else {
                return Err(StoreError::NotFound);
            };
            if current != revision {
                return Err(StoreError::Conflict(Conflict::MaterialStale));
            }
            if status != "draft" {
                return Err(StoreError::Conflict(Conflict::MaterialNotDraft));
            }
            sqlx::query(
                "UPDATE material_version SET title = $2, summary = $3, body = $4,
                    school_forms = $5, subjects = $6, roles = $7, tags = $8, licence = $9,
                    language = $10, revision = revision + 1, updated_at = $11
                 WHERE id = $1")
                .bind(version_id).bind(&f.title).bind(&f.summary).bind(&f.body)
                .bind(&f.school_forms).bind(&f.subjects).bind(&f.roles).bind(&f.tags)
                .bind(&f.licence).bind(&f.language).bind(now)
                .execute(&mut *tx).await?;
            sqlx::query("UPDATE material SET scope = $2, updated_at = $3 WHERE id = $1")
                .bind(material_id).bind(scope).bind(now).execute(&mut *tx).await?;
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Starts a new draft version from `based_on`, which must still be the latest version and
    /// not a draft or in review.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] ([`MATERIAL_STALE`]), [`StoreError::NotFound`].
    #[allow(clippy::too_many_arguments)]
    pub async fn start_material_version(
        &self,
        material_id: i64,
        based_on: i64,
        scope: &str,
        f: &MaterialFields,
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let latest: Option<(i64, i64, String)> = sqlx::query_as(
                "SELECT id, number, status FROM material_version WHERE material_id = $1
                 ORDER BY number DESC LIMIT 1")
                .bind(material_id).fetch_optional(&mut *tx).await?;
            let Some((latest_id, number, status)) = latest else {
                return Err(StoreError::NotFound);
            };
            if latest_id != based_on || status == "draft" || status == "in_review" {
                return Err(StoreError::Conflict(Conflict::MaterialStale));
            }
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO material_version (material_id, number, title, summary, body,
                    school_forms, subjects, roles, tags, licence, language, status, created_by,
                    created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'draft', $12, $13, $13)
                 RETURNING id")
                .bind(material_id).bind(number + 1).bind(&f.title).bind(&f.summary)
                .bind(&f.body).bind(&f.school_forms).bind(&f.subjects).bind(&f.roles)
                .bind(&f.tags).bind(&f.licence).bind(&f.language).bind(by).bind(now)
                .fetch_one(&mut *tx).await?;
            sqlx::query("UPDATE material SET scope = $2, updated_at = $3 WHERE id = $1")
                .bind(material_id).bind(scope).bind(now).execute(&mut *tx).await?;
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Sends a draft (as seen at `revision`) to review.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] ([`MATERIAL_STALE`], [`MATERIAL_NOT_DRAFT`]), [`StoreError::NotFound`].
    pub async fn submit_material_version(
        &self,
        version_id: i64,
        revision: i64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let row: Option<(i64, String, i64)> = sqlx::query_as(
                "SELECT material_id, status, revision FROM material_version WHERE id = $1")
                .bind(version_id).fetch_optional(&mut *tx).await?;
            let Some((material_id, status, current)) = row else {
                return Err(StoreError::NotFound);
            };
            if status != "draft" {
                return Err(StoreError::Conflict(Conflict::MaterialNotDraft));
            }
            if current != revision {
                return Err(StoreError::Conflict(Conflict::MaterialStale));
            }
            sqlx::query(
                "UPDATE material_version SET status = 'in_review', submitted_at = $2,
                    updated_at = $2 WHERE id = $1")
                .bind(version_id).bind(now).execute(&mut *tx).await?;
            sqlx::query("UPDATE material SET updated_at = $2 WHERE id = $1")
                .bind(material_id).bind(now).execute(&mut *tx).await?;
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Records a reviewer's decision on a version in review. Approval publishes it: the
    /// version published before becomes superseded.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] ([`MATERIAL_NOT_IN_REVIEW`]: decided or withdrawn meanwhile),
    /// [`StoreError::NotFound`].
    #[allow(clippy::too_many_arguments)]
    pub async fn decide_material_version(
        &self,
        version_id: i64,
        reviewer: Option<i64>,
        approve: bool,
        checklist: &str,
        comment: &str,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let row: Option<(i64, String)> = sqlx::query_as(
                "SELECT material_id, status FROM material_version WHERE id = $1")
                .bind(version_id).fetch_optional(&mut *tx).await?;
            let Some((material_id, status)) = row else {
                return Err(StoreError::NotFound);
            };
            if status != "in_review" {
                return Err(StoreError::Conflict(Conflict::MaterialNotInReview));
            }
            let decision = if approve { "approved" } else { "changes_requested" };
            sqlx::query(
                "INSERT INTO material_review (version_id, reviewer_id, decision, checklist,
                    comment, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(version_id).bind(reviewer).bind(decision).bind(checklist).bind(comment)
                .bind(now).execute(&mut *tx).await?;
            if approve {
                sqlx::query(
                    "UPDATE material_version SET status = 'superseded', updated_at = $2
                     WHERE material_id = $1 AND status = 'published'")
                    .bind(material_id).bind(now).execute(&mut *tx).await?;
                sqlx::query(
                    "UPDATE material SET published_version_id = $2, updated_at = $3
                     WHERE id = $1")
                    .bind(material_id).bind(version_id).bind(now).execute(&mut *tx).await?;
            } else {
                sqlx::query("UPDATE material SET updated_at = $2 WHERE id = $1")
                    .bind(material_id).bind(now).execute(&mut *tx).await?;
            }
            sqlx::query(
                "UPDATE material_version SET status = $2, decided_at = $3, updated_at = $3
                 WHERE id = $1")
                .bind(version_id)
                .bind(if approve { "published" } else { "changes_requested" })
                .bind(now).execute(&mut *tx).await?;
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Every review of a material's versions, oldest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn material_reviews(&self, material_id: i64) -> Result<Vec<MaterialReview>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT r.id, r.version_id, v.number, r.reviewer_id, u.display_name AS reviewer_name,
                r.decision, r.checklist, r.comment, r.created_at
             FROM material_review r
             JOIN material_version v ON v.id = r.version_id
             LEFT JOIN app_user u ON u.id = r.reviewer_id
             WHERE v.material_id = $1 ORDER BY r.created_at, r.id")
            .bind(material_id).fetch_all(p).await?))
    }

    /// Adds a file to a material's draft version.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] ([`MATERIAL_NOT_DRAFT`]), [`StoreError::NotFound`].
    pub async fn add_material_attachment(
        &self,
        version_id: i64,
        file: &StoredFile,
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let row: Option<(i64, String)> = sqlx::query_as(
                "SELECT material_id, status FROM material_version WHERE id = $1")
                .bind(version_id).fetch_optional(&mut *tx).await?;
            let Some((material_id, status)) = row else {
                return Err(StoreError::NotFound);
            };
            if status != "draft" {
                return Err(StoreError::Conflict(Conflict::MaterialNotDraft));
            }
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO material_attachment (material_id, version_id, file_name,
                    content_type, size_bytes, storage_key, uploaded_by, uploaded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
                .bind(material_id).bind(version_id).bind(&file.file_name)
                .bind(&file.content_type).bind(file.size_bytes).bind(&file.storage_key)
                .bind(by).bind(now)
                .fetch_one(&mut *tx).await?;
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// A material's attachments, oldest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn material_attachments(&self, material_id: i64) -> Result<Vec<MaterialAttachment>> {
        let sql = format!("{ATTACHMENT} WHERE material_id = $1 ORDER BY id");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(material_id).fetch_all(p).await?))
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn material_attachment(&self, id: i64) -> Result<MaterialAttachment> {
        let sql = format!("{ATTACHMENT} WHERE id = $1");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(p).await?))
    }

    /// Removes an attachment while the version it was added to is still a draft.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] ([`MATERIAL_NOT_DRAFT`]), [`StoreError::NotFound`].
    pub async fn delete_material_attachment(
        &self,
        id: i64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let status: Option<(String,)> = sqlx::query_as(
                "SELECT v.status FROM material_attachment a
                 JOIN material_version v ON v.id = a.version_id WHERE a.id = $1")
                .bind(id).fetch_optional(&mut *tx).await?;
            match status {
                None => return Err(StoreError::NotFound),
                Some((s,)) if s != "draft" => return Err(StoreError::Conflict(Conflict::MaterialNotDraft)),
                Some(_) => {}
            }
            sqlx::query("DELETE FROM material_attachment WHERE id = $1")
                .bind(id).execute(&mut *tx).await?;
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }
}
