//! Labour-market areas: named sets of kommuner that an organisation defines.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use larnav_domain::text::{compare_swedish, swedish_sort_key};

use crate::model::*;
use crate::{AuditRecord, BeginWrite, Result, Store, StoreError, on_pool, write_audit};

type AreaRow = (i64, i64, String, String, DateTime<Utc>);

impl Store {
    /// Creates an area with its kommuner.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the organisation already has an area of that name.
    pub async fn create_area(
        &self,
        organisation_id: i64,
        name: &str,
        kommuner: &[String],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO area (organisation_id, name, sort_key, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(organisation_id).bind(name).bind(swedish_sort_key(name)).bind(now).fetch_one(&mut *tx).await?;
            for k in kommuner {
                sqlx::query("INSERT INTO area_kommun (area_id, kommun_code) VALUES ($1, $2)")
                    .bind(id).bind(k).execute(&mut *tx).await?;
            }
            let audit = AuditRecord { target: format!("area:{id}"), ..audit.clone() };
            write_audit!(&mut *tx, &audit, now)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Renames an area and replaces its kommuner.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], or [`StoreError::Conflict`] for a name already in use.
    pub async fn update_area(
        &self,
        id: i64,
        name: &str,
        kommuner: &[String],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let r = sqlx::query("UPDATE area SET name = $1, sort_key = $2 WHERE id = $3")
                .bind(name).bind(swedish_sort_key(name)).bind(id).execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            sqlx::query("DELETE FROM area_kommun WHERE area_id = $1").bind(id).execute(&mut *tx).await?;
            for k in kommuner {
                sqlx::query("INSERT INTO area_kommun (area_id, kommun_code) VALUES ($1, $2)")
                    .bind(id).bind(k).execute(&mut *tx).await?;
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// # Errors
    /// [`StoreError::NotFound`] when there is no such area.
    pub async fn delete_area(
        &self,
        id: i64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let r = sqlx::query("DELETE FROM area WHERE id = $1").bind(id).execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Areas, of one organisation or all, in Swedish order of organisation and area name.
    ///
    /// # Errors
    /// A database error.
    pub async fn list_areas(&self, organisation_id: Option<i64>) -> Result<Vec<Area>> {
        let rows: Vec<AreaRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT a.id, a.organisation_id, o.name, a.name, a.created_at FROM area a
             JOIN organisation o ON o.id = a.organisation_id
             WHERE $1 IS NULL OR a.organisation_id = $1 ORDER BY o.sort_key, a.sort_key")
            .bind(organisation_id).fetch_all(p).await)?;
        self.with_kommuner(rows, None, organisation_id).await
    }

    /// # Errors
    /// [`StoreError::NotFound`] when there is no such area.
    pub async fn get_area(&self, id: i64) -> Result<Area> {
        let row: AreaRow = on_pool!(self, p => sqlx::query_as(
            "SELECT a.id, a.organisation_id, o.name, a.name, a.created_at FROM area a
             JOIN organisation o ON o.id = a.organisation_id WHERE a.id = $1")
            .bind(id).fetch_one(p).await)?;
        Ok(self
            .with_kommuner(vec![row], Some(id), None)
            .await?
            .remove(0))
    }

    /// Attaches their kommuner to `rows` (the areas selected by `area_id` or `organisation_id`).
    async fn with_kommuner(
        &self,
        rows: Vec<AreaRow>,
        area_id: Option<i64>,
        organisation_id: Option<i64>,
    ) -> Result<Vec<Area>> {
        let members: Vec<(i64, String, String, String, String, String)> = on_pool!(self, p => sqlx::query_as(
            "SELECT ak.area_id, k.code, k.name, k.lan_code, l.name, k.jobtech_id
             FROM area_kommun ak JOIN area a ON a.id = ak.area_id
             JOIN kommun k ON k.code = ak.kommun_code JOIN lan l ON l.code = k.lan_code
             WHERE ($1 IS NULL OR ak.area_id = $1) AND ($2 IS NULL OR a.organisation_id = $2)")
            .bind(area_id).bind(organisation_id).fetch_all(p).await)?;
        let mut by_area: BTreeMap<i64, Vec<KommunRecord>> = BTreeMap::new();
        for (area_id, code, name, lan_code, lan_name, jobtech_id) in members {
            by_area.entry(area_id).or_default().push(KommunRecord {
                code,
                name,
                lan_code,
                lan_name,
                jobtech_id,
            });
        }
        Ok(rows
            .into_iter()
            .map(
                |(id, organisation_id, organisation_name, name, created_at)| {
                    let mut kommuner = by_area.remove(&id).unwrap_or_default();
                    kommuner.sort_by(|a, b| compare_swedish(&a.name, &b.name));
                    Area {
                        id,
                        organisation_id,
                        organisation_name,
                        name,
                        kommuner,
                        created_at,
                    }
                },
            )
            .collect())
    }
}
