//! Reference data: loaded in one transaction, then read by code or searched by folded name.

use larnav_domain::reference::ReferenceData;
use larnav_domain::text::{escape_like, fold, swedish_sort_key};
use sqlx::AssertSqlSafe;

use crate::bulk_insert;

use crate::model::*;
use crate::{BeginWrite, Result, Store, on_pool};

impl Store {
    /// Replaces all reference data with `data` in one transaction, so a reader sees either the
    /// old set or the new one. Organisations keep their kommun codes: the kommun table is
    /// upserted, never emptied.
    ///
    /// Instances starting together take turns: the first write of the transaction locks a meta
    /// row (on SQLite, the whole database), and the version is read again under that lock, so
    /// the second instance finds the data loaded and returns `false` without touching it.
    ///
    /// # Errors
    /// A database error; nothing is changed then.
    pub async fn replace_reference_data(
        &self,
        data: &ReferenceData,
        version: &str,
    ) -> Result<bool> {
        self.meta_get_or_insert("reference_data_lock", "").await?;
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            sqlx::query("UPDATE meta SET value = '' WHERE key = 'reference_data_lock'").execute(&mut *tx).await?;
            let current: Option<(String,)> = sqlx::query_as("SELECT value FROM meta WHERE key = 'reference_data_version'")
                .fetch_optional(&mut *tx).await?;
            if current.is_some_and(|(v,)| v == version) {
                tx.commit().await?;
                return Ok(false);
            }
            for table in ["occupation_group_skill", "skill", "occupation_name", "sun_field", "sun_level"] {
                sqlx::query(AssertSqlSafe(format!("DELETE FROM {table}"))).execute(&mut *tx).await?;
            }
            // Groups reference their parents: delete children first.
            for level in [4_i64, 3, 2, 1] {
                sqlx::query("DELETE FROM occupation_group WHERE level = $1").bind(level).execute(&mut *tx).await?;
            }
            for l in &data.lan {
                sqlx::query(
                    "INSERT INTO lan (code, name, name_fold, sort_key, jobtech_id, nuts3) VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_fold = excluded.name_fold,
                     sort_key = excluded.sort_key, jobtech_id = excluded.jobtech_id, nuts3 = excluded.nuts3")
                    .bind(&l.code).bind(&l.name).bind(fold(&l.name)).bind(swedish_sort_key(&l.name))
                    .bind(&l.jobtech_id).bind(&l.nuts3)
                    .execute(&mut *tx).await?;
            }
            for k in &data.kommuner {
                sqlx::query(
                    "INSERT INTO kommun (code, name, name_fold, sort_key, lan_code, jobtech_id) VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_fold = excluded.name_fold,
                     sort_key = excluded.sort_key, lan_code = excluded.lan_code, jobtech_id = excluded.jobtech_id")
                    .bind(&k.code).bind(&k.name).bind(fold(&k.name)).bind(swedish_sort_key(&k.name))
                    .bind(&k.lan_code).bind(&k.jobtech_id)
                    .execute(&mut *tx).await?;
            }
            // Parents before children: the loader yields groups in hierarchy order, sort to be sure.
            let mut groups: Vec<_> = data.occupation_groups.iter().collect();
            groups.sort_by_key(|g| g.level);
            bulk_insert!(tx, "occupation_group",
                ["code", "level", "name", "name_fold", "definition", "parent_code", "jobtech_id"],
                groups, |q, g| q.bind(&g.code).bind(i64::from(g.level)).bind(&g.name).bind(fold(&g.name))
                    .bind(&g.definition).bind(&g.parent_code).bind(&g.jobtech_id));
            bulk_insert!(tx, "occupation_name", ["jobtech_id", "name", "name_fold", "group_code"],
                data.occupation_names, |q, n| q.bind(&n.jobtech_id).bind(&n.name).bind(fold(&n.name)).bind(&n.group_code));
            bulk_insert!(tx, "skill", ["jobtech_id", "name"], data.skills, |q, s| q.bind(&s.jobtech_id).bind(&s.name));
            bulk_insert!(tx, "occupation_group_skill", ["group_code", "skill_id"], data.group_skills,
                |q, l| q.bind(&l.0).bind(&l.1));
            bulk_insert!(tx, "sun_field", ["code", "level", "name", "parent_code"], data.sun_fields,
                |q, s| q.bind(&s.code).bind(i64::from(s.level)).bind(&s.name).bind(&s.parent_code));
            bulk_insert!(tx, "sun_level", ["code", "level", "name", "parent_code"], data.sun_levels,
                |q, s| q.bind(&s.code).bind(i64::from(s.level)).bind(&s.name).bind(&s.parent_code));
            sqlx::query("INSERT INTO meta (key, value) VALUES ('reference_data_version', $1)
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                .bind(version).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok::<_, crate::StoreError>(true)
        })
    }

    /// # Errors
    /// A database error.
    pub async fn reference_counts(&self) -> Result<ReferenceCounts> {
        let row: (i64, i64, i64, i64, i64, i64, i64) = on_pool!(self, p => sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM lan), (SELECT COUNT(*) FROM kommun), (SELECT COUNT(*) FROM occupation_group),
                    (SELECT COUNT(*) FROM occupation_name), (SELECT COUNT(*) FROM skill),
                    (SELECT COUNT(*) FROM sun_field), (SELECT COUNT(*) FROM sun_level)")
            .fetch_one(p).await)?;
        Ok(ReferenceCounts {
            lan: row.0,
            kommuner: row.1,
            occupation_groups: row.2,
            occupation_names: row.3,
            skills: row.4,
            sun_fields: row.5,
            sun_levels: row.6,
        })
    }

    /// All län in Swedish order.
    ///
    /// # Errors
    /// A database error.
    pub async fn list_lan(&self) -> Result<Vec<LanRecord>> {
        Ok(
            on_pool!(self, p => sqlx::query_as("SELECT code, name, jobtech_id, nuts3 FROM lan ORDER BY sort_key")
            .fetch_all(p).await)?,
        )
    }

    /// The kommuner of one län (or all, for `None`) in Swedish order.
    ///
    /// # Errors
    /// A database error.
    pub async fn list_kommuner(&self, lan_code: Option<&str>) -> Result<Vec<KommunRecord>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT k.code, k.name, k.lan_code, l.name AS lan_name, k.jobtech_id
             FROM kommun k JOIN lan l ON l.code = k.lan_code
             WHERE $1 IS NULL OR k.lan_code = $1 ORDER BY k.sort_key")
            .bind(lan_code).fetch_all(p).await)?)
    }

    /// Whether `code` is a SUN 2020 field.
    ///
    /// # Errors
    /// A database error.
    pub async fn sun_field_exists(&self, code: &str) -> Result<bool> {
        let row: Option<(String,)> = on_pool!(self, p => sqlx::query_as("SELECT code FROM sun_field WHERE code = $1")
            .bind(code).fetch_optional(p).await)?;
        Ok(row.is_some())
    }

    /// # Errors
    /// [`crate::StoreError::NotFound`] for an unknown code.
    pub async fn get_kommun(&self, code: &str) -> Result<KommunRecord> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT k.code, k.name, k.lan_code, l.name AS lan_name, k.jobtech_id
             FROM kommun k JOIN lan l ON l.code = k.lan_code WHERE k.code = $1")
            .bind(code).fetch_one(p).await)?)
    }

    /// # Errors
    /// [`crate::StoreError::NotFound`] for an unknown code.
    pub async fn get_occupation_group(&self, code: &str) -> Result<OccupationGroupRecord> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT code, level, name, definition, parent_code, jobtech_id FROM occupation_group WHERE code = $1")
            .bind(code).fetch_one(p).await)?)
    }

    /// The groups directly under `parent` (level 1 groups for `None`), by code.
    ///
    /// # Errors
    /// A database error.
    pub async fn list_occupation_groups(
        &self,
        parent: Option<&str>,
    ) -> Result<Vec<OccupationGroupRecord>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT code, level, name, definition, parent_code, jobtech_id FROM occupation_group
             WHERE ($1 IS NULL AND parent_code IS NULL) OR parent_code = $1 ORDER BY code")
            .bind(parent).fetch_all(p).await)?)
    }

    /// Every group at one SSYK level, by code.
    ///
    /// # Errors
    /// A database error.
    pub async fn list_occupation_groups_at_level(
        &self,
        level: i64,
    ) -> Result<Vec<OccupationGroupRecord>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT code, level, name, definition, parent_code, jobtech_id FROM occupation_group WHERE level = $1 ORDER BY code")
            .bind(level).fetch_all(p).await)?)
    }

    /// The occupation names under an SSYK-4 group, unordered (the caller sorts in Swedish).
    ///
    /// # Errors
    /// A database error.
    pub async fn list_occupation_names(
        &self,
        group_code: &str,
    ) -> Result<Vec<OccupationNameRecord>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT n.jobtech_id, n.name, n.group_code, g.name AS group_name
             FROM occupation_name n JOIN occupation_group g ON g.code = n.group_code WHERE n.group_code = $1")
            .bind(group_code).fetch_all(p).await)?)
    }

    /// Every occupation name with its SSYK-4 group, unordered.
    ///
    /// # Errors
    /// A database error.
    pub async fn all_occupation_names(&self) -> Result<Vec<OccupationNameRecord>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT n.jobtech_id, n.name, n.group_code, g.name AS group_name
             FROM occupation_name n JOIN occupation_group g ON g.code = n.group_code")
            .fetch_all(p).await)?)
    }

    /// The skills linked to an SSYK-4 group, unordered.
    ///
    /// # Errors
    /// A database error.
    pub async fn list_group_skills(&self, group_code: &str) -> Result<Vec<SkillRecord>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT s.jobtech_id, s.name FROM occupation_group_skill l JOIN skill s ON s.jobtech_id = l.skill_id
             WHERE l.group_code = $1")
            .bind(group_code).fetch_all(p).await)?)
    }

    /// SUN fields (`levels == false`) or SUN levels, ordered by code.
    ///
    /// # Errors
    /// A database error.
    pub async fn list_sun(&self, levels: bool) -> Result<Vec<SunRecord>> {
        Ok(if levels {
            on_pool!(self, p => sqlx::query_as("SELECT code, level, name, parent_code FROM sun_level ORDER BY code")
                .fetch_all(p).await)?
        } else {
            on_pool!(self, p => sqlx::query_as("SELECT code, level, name, parent_code FROM sun_field ORDER BY code")
                .fetch_all(p).await)?
        })
    }

    /// Occupation groups (any level) and occupation names whose folded name contains the folded
    /// query, at most `limit` of each. Names that start with the query come first.
    ///
    /// # Errors
    /// A database error.
    pub async fn search_occupations(
        &self,
        query: &str,
        limit: i64,
    ) -> Result<(Vec<OccupationGroupRecord>, Vec<OccupationNameRecord>)> {
        let q = fold(query);
        let contains = format!("%{}%", escape_like(&q));
        let prefix = format!("{}%", escape_like(&q));
        let groups = on_pool!(self, p => sqlx::query_as(
            "SELECT code, level, name, definition, parent_code, jobtech_id FROM occupation_group
             WHERE name_fold LIKE $1 ESCAPE '\\' OR code LIKE $2 ESCAPE '\\'
             ORDER BY CASE WHEN name_fold LIKE $2 ESCAPE '\\' OR code LIKE $2 ESCAPE '\\' THEN 0 ELSE 1 END, level DESC, code
             LIMIT $3")
            .bind(&contains).bind(&prefix).bind(limit).fetch_all(p).await)?;
        let names = on_pool!(self, p => sqlx::query_as(
            "SELECT n.jobtech_id, n.name, n.group_code, g.name AS group_name
             FROM occupation_name n JOIN occupation_group g ON g.code = n.group_code
             WHERE n.name_fold LIKE $1 ESCAPE '\\'
             ORDER BY CASE WHEN n.name_fold LIKE $2 ESCAPE '\\' THEN 0 ELSE 1 END, length(n.name), n.name_fold
             LIMIT $3")
            .bind(&contains).bind(&prefix).bind(limit).fetch_all(p).await)?;
        Ok((groups, names))
    }

    /// Län and kommuner whose folded name contains the folded query (or whose code starts with it).
    ///
    /// # Errors
    /// A database error.
    pub async fn search_places(
        &self,
        query: &str,
        limit: i64,
    ) -> Result<(Vec<LanRecord>, Vec<KommunRecord>)> {
        let q = fold(query);
        let contains = format!("%{}%", escape_like(&q));
        let prefix = format!("{}%", escape_like(&q));
        let lan = on_pool!(self, p => sqlx::query_as(
            "SELECT code, name, jobtech_id, nuts3 FROM lan WHERE name_fold LIKE $1 ESCAPE '\\' OR code LIKE $2 ESCAPE '\\'
             ORDER BY CASE WHEN name_fold LIKE $2 ESCAPE '\\' THEN 0 ELSE 1 END, sort_key LIMIT $3")
            .bind(&contains).bind(&prefix).bind(limit).fetch_all(p).await)?;
        let kommuner = on_pool!(self, p => sqlx::query_as(
            "SELECT k.code, k.name, k.lan_code, l.name AS lan_name, k.jobtech_id
             FROM kommun k JOIN lan l ON l.code = k.lan_code
             WHERE k.name_fold LIKE $1 ESCAPE '\\' OR k.code LIKE $2 ESCAPE '\\'
             ORDER BY CASE WHEN k.name_fold LIKE $2 ESCAPE '\\' THEN 0 ELSE 1 END, k.sort_key LIMIT $3")
            .bind(&contains).bind(&prefix).bind(limit).fetch_all(p).await)?;
        Ok((lan, kommuner))
    }
}
