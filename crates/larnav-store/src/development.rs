//! Staff development around the material library: collections and their steps, what each
//! learner completed, ratings, comments and usage counts of material, staff groups and the
//! development plans assigned to them, and each person's progress and reflections.
//!
//! Every write is one statement plus its audit record in one transaction ([`audited`]); the
//! rules (who may, what is valid) are the app layer's.

use crate::Conflict;
use crate::{audited, audited_insert};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::{AuditRecord, BeginWrite, Result, Store, StoreError, id_list, on_pool, write_audit};

fn found(rows: u64) -> Result<()> {
    if rows == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct CollectionRow {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    /// The school organiser the collection's organisation belongs to.
    pub organiser_id: Option<i64>,
    pub title: String,
    pub summary: String,
    /// private, organisation, organiser or everyone.
    pub scope: String,
    pub created_by: Option<i64>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub item_count: i64,
}

/// A step of a collection or an activity of a plan, with the title of what it links to.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct StepRow {
    pub id: i64,
    /// The collection or plan.
    pub parent_id: i64,
    pub position: i64,
    /// material, offering, activity (collections); material, collection, offering, meeting
    /// (plans).
    pub kind: String,
    pub material_id: Option<i64>,
    pub collection_id: Option<i64>,
    pub offering_id: Option<i64>,
    pub title: String,
    pub description: String,
    pub due_on: Option<NaiveDate>,
    /// The published title of the linked material, collection or offering.
    pub linked_title: Option<String>,
}

/// What a step links to, checked by the app layer.
#[derive(Debug, Clone, Default)]
pub struct NewStep {
    pub kind: String,
    pub material_id: Option<i64>,
    pub collection_id: Option<i64>,
    pub offering_id: Option<i64>,
    pub title: String,
    pub description: String,
    pub due_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct MaterialComment {
    pub id: i64,
    pub material_id: i64,
    #[serde(skip)]
    pub user_id: Option<i64>,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Views and completions of material, counted for one organisation or one material.
#[derive(Debug, Clone, Default, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct UsageCount {
    /// The organisation or material counted.
    pub id: i64,
    pub views: i64,
    pub completions: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct StaffGroup {
    pub id: i64,
    pub organisation_id: i64,
    pub name: String,
    pub member_count: i64,
}

/// A member of a staff group.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct StaffMember {
    pub group_id: i64,
    pub user_id: i64,
    pub display_name: String,
    pub email: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct PlanRow {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub year: i64,
    pub title: String,
    pub goals: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One person's progress on one activity.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ProgressRow {
    pub activity_id: i64,
    #[serde(skip)]
    pub user_id: i64,
    /// started or done.
    pub status: String,
    pub reflection: String,
    pub updated_at: DateTime<Utc>,
}

const COLLECTION: &str = "SELECT c.id, c.organisation_id, o.name AS organisation_name,
        o.parent_id AS organiser_id, c.title, c.summary, c.scope, c.created_by,
        u.display_name AS created_by_name, c.created_at, c.updated_at,
        (SELECT COUNT(*) FROM collection_item i WHERE i.collection_id = c.id) AS item_count
     FROM collection c
     JOIN organisation o ON o.id = c.organisation_id
     LEFT JOIN app_user u ON u.id = c.created_by";

const COLLECTION_ITEM: &str = "SELECT i.id, i.collection_id AS parent_id, i.position, i.kind,
        i.material_id, CAST(NULL AS BIGINT) AS collection_id, i.offering_id, i.title,
        i.description, CAST(NULL AS DATE) AS due_on, COALESCE(v.title, f.title) AS linked_title
     FROM collection_item i
     LEFT JOIN material m ON m.id = i.material_id
     LEFT JOIN material_version v ON v.id = m.published_version_id
     LEFT JOIN offering f ON f.id = i.offering_id";

const PLAN_ACTIVITY: &str = "SELECT a.id, a.plan_id AS parent_id, a.position, a.kind,
        a.material_id, a.collection_id, a.offering_id, a.title, a.description, a.due_on,
        COALESCE(v.title, c.title, f.title) AS linked_title
     FROM plan_activity a
     LEFT JOIN material m ON m.id = a.material_id
     LEFT JOIN material_version v ON v.id = m.published_version_id
     LEFT JOIN collection c ON c.id = a.collection_id
     LEFT JOIN offering f ON f.id = a.offering_id";

const PLAN: &str = "SELECT p.id, p.organisation_id, o.name AS organisation_name, p.year,
        p.title, p.goals, p.created_at, p.updated_at
     FROM development_plan p JOIN organisation o ON o.id = p.organisation_id";

impl Store {
    // ---- Collections ----

    /// # Errors
    /// A database error.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_collection(
        &self,
        organisation_id: i64,
        title: &str,
        summary: &str,
        scope: &str,
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        Ok(audited_insert!(
            self,
            audit,
            now,
            sqlx::query_as(
                "INSERT INTO collection (organisation_id, title, summary, scope, created_by,
                created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id"
            )
            .bind(organisation_id)
            .bind(title)
            .bind(summary)
            .bind(scope)
            .bind(by)
            .bind(now)
        ))
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    #[allow(clippy::too_many_arguments)]
    pub async fn update_collection(
        &self,
        id: i64,
        title: &str,
        summary: &str,
        scope: &str,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        found(audited!(
            self,
            audit,
            now,
            sqlx::query(
                "UPDATE collection SET title = $2, summary = $3, scope = $4, updated_at = $5
             WHERE id = $1"
            )
            .bind(id)
            .bind(title)
            .bind(summary)
            .bind(scope)
            .bind(now)
        ))
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn collection(&self, id: i64) -> Result<CollectionRow> {
        let sql = format!("{COLLECTION} WHERE c.id = $1");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(p).await?))
    }

    /// Every collection, newest change first.
    ///
    /// # Errors
    /// A database error.
    pub async fn collections(&self) -> Result<Vec<CollectionRow>> {
        let sql = format!("{COLLECTION} ORDER BY c.updated_at DESC, c.id DESC");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?))
    }

    /// The collections' search stamp: their number and last change.
    ///
    /// # Errors
    /// A database error.
    pub async fn collection_stamp(&self) -> Result<String> {
        let row: (i64, Option<DateTime<Utc>>) = on_pool!(self, p => sqlx::query_as(
            "SELECT COUNT(*), MAX(updated_at) FROM collection").fetch_one(p).await?);
        Ok(format!("{}/{:?}", row.0, row.1))
    }

    /// A collection's steps in order.
    ///
    /// # Errors
    /// A database error.
    pub async fn collection_items(&self, collection_id: i64) -> Result<Vec<StepRow>> {
        let sql = format!("{COLLECTION_ITEM} WHERE i.collection_id = $1 ORDER BY i.position, i.id");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(collection_id).fetch_all(p).await?))
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn collection_item(&self, id: i64) -> Result<StepRow> {
        let sql = format!("{COLLECTION_ITEM} WHERE i.id = $1");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(p).await?))
    }

    /// Adds a step at the end of a collection.
    ///
    /// # Errors
    /// A database error.
    pub async fn add_collection_item(
        &self,
        collection_id: i64,
        step: &NewStep,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        let id = audited_insert!(
            self,
            audit,
            now,
            sqlx::query_as(
                "INSERT INTO collection_item (collection_id, position, kind, material_id,
                offering_id, title, description)
             VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM collection_item
                          WHERE collection_id = $1), $2, $3, $4, $5, $6) RETURNING id"
            )
            .bind(collection_id)
            .bind(&step.kind)
            .bind(step.material_id)
            .bind(step.offering_id)
            .bind(&step.title)
            .bind(&step.description)
        );
        self.touch("collection", collection_id, now).await?;
        Ok(id)
    }

    async fn touch(&self, table: &str, id: i64, now: DateTime<Utc>) -> Result<()> {
        // Only a fixed table name is interpolated: safe.
        let sql = format!("UPDATE {table} SET updated_at = $2 WHERE id = $1");
        on_pool!(self, p => sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).bind(now).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Changes a step's title, description and (plan activities only) date in place; what it
    /// links to stays.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    #[allow(clippy::too_many_arguments)]
    pub async fn edit_step(
        &self,
        table: Steps,
        parent_id: i64,
        id: i64,
        texts: (&str, &str, Option<NaiveDate>),
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        let (title, description, due_on) = texts;
        // The query is written out inside the macro so that each backend gets its own.
        found(audited!(
            self,
            audit,
            now,
            match table {
                Steps::CollectionItems => sqlx::query(
                    "UPDATE collection_item SET title = $2, description = $3 WHERE id = $1",
                )
                .bind(id)
                .bind(title)
                .bind(description),
                Steps::PlanActivities => sqlx::query(
                    "UPDATE plan_activity SET title = $2, description = $3, due_on = $4
                     WHERE id = $1",
                )
                .bind(id)
                .bind(title)
                .bind(description)
                .bind(due_on),
            }
        ))?;
        self.touch(table.parent_table(), parent_id, now).await
    }

    /// Removes a step of a collection (`table` collection_item) or a plan (plan_activity).
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn remove_step(
        &self,
        table: Steps,
        id: i64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        let sql = format!("DELETE FROM {} WHERE id = $1", table.table());
        found(audited!(
            self,
            audit,
            now,
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id)
        ))
    }

    /// Moves a step one place up or down within its collection or plan (a no-op at either
    /// end).
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn move_step(
        &self,
        table: Steps,
        id: i64,
        up: bool,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        let (t, parent) = (table.table(), table.parent());
        // Only fixed identifiers are interpolated: safe.
        let neighbour =
            format!(
            "SELECT n.id, n.position, s.position FROM {t} s JOIN {t} n ON n.{parent} = s.{parent}
             WHERE s.id = $1 AND {}
             ORDER BY n.position {} LIMIT 1",
            if up { "n.position < s.position" } else { "n.position > s.position" },
            if up { "DESC" } else { "ASC" }
        );
        let set = format!("UPDATE {t} SET position = $2 WHERE id = $1");
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let exists: Option<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(
                format!("SELECT id FROM {t} WHERE id = $1")))
                .bind(id).fetch_optional(&mut *tx).await?;
            if exists.is_none() {
                return Err(StoreError::NotFound);
            }
            let row: Option<(i64, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(neighbour))
                .bind(id).fetch_optional(&mut *tx).await?;
            if let Some((other, other_pos, pos)) = row {
                sqlx::query(sqlx::AssertSqlSafe(set.clone()))
                    .bind(id).bind(other_pos).execute(&mut *tx).await?;
                sqlx::query(sqlx::AssertSqlSafe(set))
                    .bind(other).bind(pos).execute(&mut *tx).await?;
                write_audit!(&mut *tx, audit, now)?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    // ---- Completion ----

    /// Records that a learner completed a material (again: kept as first completed).
    ///
    /// # Errors
    /// A database error.
    pub async fn complete_material(
        &self,
        user_id: i64,
        material_id: i64,
        organisation_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, p => sqlx::query(
            "INSERT INTO material_completion (user_id, material_id, organisation_id, completed_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, material_id) DO NOTHING")
            .bind(user_id).bind(material_id).bind(organisation_id).bind(now)
            .execute(p).await?.rows_affected());
        Ok(())
    }

    /// # Errors
    /// A database error.
    pub async fn uncomplete_material(&self, user_id: i64, material_id: i64) -> Result<()> {
        on_pool!(self, p => sqlx::query(
            "DELETE FROM material_completion WHERE user_id = $1 AND material_id = $2")
            .bind(user_id).bind(material_id).execute(p).await?.rows_affected());
        Ok(())
    }

    /// The materials a learner completed, with when.
    ///
    /// # Errors
    /// A database error.
    pub async fn material_completions(&self, user_id: i64) -> Result<Vec<(i64, DateTime<Utc>)>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT material_id, completed_at FROM material_completion WHERE user_id = $1
             ORDER BY completed_at")
            .bind(user_id).fetch_all(p).await?))
    }

    /// Marks a collection's offering or activity step done or not done for a learner.
    ///
    /// # Errors
    /// A database error.
    pub async fn set_item_done(
        &self,
        user_id: i64,
        item_id: i64,
        done: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, p => {
            if done {
                sqlx::query(
                    "INSERT INTO collection_item_done (user_id, item_id, done_at) VALUES ($1, $2, $3)
                     ON CONFLICT (user_id, item_id) DO NOTHING")
                    .bind(user_id).bind(item_id).bind(now).execute(p).await?;
            } else {
                sqlx::query("DELETE FROM collection_item_done WHERE user_id = $1 AND item_id = $2")
                    .bind(user_id).bind(item_id).execute(p).await?;
            }
        });
        Ok(())
    }

    /// The collection steps a learner marked done, with when.
    ///
    /// # Errors
    /// A database error.
    pub async fn items_done(&self, user_id: i64) -> Result<Vec<(i64, DateTime<Utc>)>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT item_id, done_at FROM collection_item_done WHERE user_id = $1")
            .bind(user_id).fetch_all(p).await?))
    }

    // ---- Community ----

    /// Sets a learner's rating (1–5) of a material, replacing an earlier one.
    ///
    /// # Errors
    /// A database error.
    pub async fn rate_material(
        &self,
        material_id: i64,
        user_id: i64,
        stars: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, p => sqlx::query(
            "INSERT INTO material_rating (material_id, user_id, stars, rated_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (material_id, user_id) DO UPDATE SET stars = $3, rated_at = $4")
            .bind(material_id).bind(user_id).bind(stars).bind(now).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Every rating of a material: (user, stars).
    ///
    /// # Errors
    /// A database error.
    pub async fn material_ratings(&self, material_id: i64) -> Result<Vec<(i64, i64)>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT user_id, stars FROM material_rating WHERE material_id = $1")
            .bind(material_id).fetch_all(p).await?))
    }

    /// # Errors
    /// A database error.
    pub async fn add_material_comment(
        &self,
        material_id: i64,
        user_id: i64,
        body: &str,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        Ok(audited_insert!(
            self,
            audit,
            now,
            sqlx::query_as(
                "INSERT INTO material_comment (material_id, user_id, body, created_at)
             VALUES ($1, $2, $3, $4) RETURNING id"
            )
            .bind(material_id)
            .bind(user_id)
            .bind(body)
            .bind(now)
        ))
    }

    const COMMENT: &str = "SELECT c.id, c.material_id, c.user_id,
            u.display_name AS author_name, c.body, c.created_at
         FROM material_comment c LEFT JOIN app_user u ON u.id = c.user_id";

    /// A material's comments, oldest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn material_comments(&self, material_id: i64) -> Result<Vec<MaterialComment>> {
        let sql = format!(
            "{} WHERE c.material_id = $1 ORDER BY c.created_at, c.id",
            Self::COMMENT
        );
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(material_id).fetch_all(p).await?))
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn material_comment(&self, id: i64) -> Result<MaterialComment> {
        let sql = format!("{} WHERE c.id = $1", Self::COMMENT);
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(p).await?))
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn delete_material_comment(
        &self,
        id: i64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        found(audited!(
            self,
            audit,
            now,
            sqlx::query("DELETE FROM material_comment WHERE id = $1").bind(id)
        ))
    }

    /// How many comments a person wrote.
    ///
    /// # Errors
    /// A database error.
    pub async fn comments_by(&self, user_id: i64) -> Result<usize> {
        let (n,): (i64,) = on_pool!(self, p => sqlx::query_as(
            "SELECT COUNT(*) FROM material_comment WHERE user_id = $1")
            .bind(user_id).fetch_one(p).await?);
        Ok(n as usize)
    }

    /// Counts one view of a material by someone of `organisation_id` (0: none) on `day`.
    ///
    /// # Errors
    /// A database error.
    pub async fn count_material_view(
        &self,
        material_id: i64,
        organisation_id: i64,
        day: NaiveDate,
    ) -> Result<()> {
        on_pool!(self, p => sqlx::query(
            "INSERT INTO material_usage (material_id, organisation_id, day, views)
             VALUES ($1, $2, $3, 1)
             ON CONFLICT (material_id, organisation_id, day)
             DO UPDATE SET views = material_usage.views + 1")
            .bind(material_id).bind(organisation_id).bind(day).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Views and completions of any material by people of each of `organisations`, since
    /// `since`.
    ///
    /// # Errors
    /// A database error.
    pub async fn usage_by_organisation(
        &self,
        organisations: &[i64],
        since: NaiveDate,
    ) -> Result<Vec<UsageCount>> {
        let ids = id_list(organisations);
        // Only integers are interpolated: safe.
        let sql = format!(
            "SELECT o.id,
                CAST(COALESCE((SELECT SUM(u.views) FROM material_usage u
                    WHERE u.organisation_id = o.id AND u.day >= $1), 0) AS BIGINT) AS views,
                (SELECT COUNT(*) FROM material_completion c
                 WHERE c.organisation_id = o.id AND c.completed_at >= $2) AS completions
             FROM organisation o WHERE o.id IN ({ids}) ORDER BY o.sort_key"
        );
        let since_at = since.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(since).bind(since_at).fetch_all(p).await?))
    }

    /// Views (by anyone) and completions of each material of `organisations`, since `since`.
    ///
    /// # Errors
    /// A database error.
    pub async fn usage_by_material(
        &self,
        organisations: &[i64],
        since: NaiveDate,
    ) -> Result<Vec<UsageCount>> {
        let ids = id_list(organisations);
        // Only integers are interpolated: safe.
        let sql = format!(
            "SELECT m.id,
                CAST(COALESCE((SELECT SUM(u.views) FROM material_usage u
                    WHERE u.material_id = m.id AND u.day >= $1), 0) AS BIGINT) AS views,
                (SELECT COUNT(*) FROM material_completion c
                 WHERE c.material_id = m.id AND c.completed_at >= $2) AS completions
             FROM material m
             WHERE m.organisation_id IN ({ids}) AND m.published_version_id IS NOT NULL
             ORDER BY m.id"
        );
        let since_at = since.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(since).bind(since_at).fetch_all(p).await?))
    }

    // ---- Staff groups ----

    /// # Errors
    /// [`StoreError::Conflict`] (`staff_group_exists`) for a name the organisation already uses.
    pub async fn create_staff_group(
        &self,
        organisation_id: i64,
        name: &str,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        let exists: Option<(i64,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT id FROM staff_group WHERE organisation_id = $1 AND name = $2")
            .bind(organisation_id).bind(name).fetch_optional(p).await?);
        if exists.is_some() {
            return Err(StoreError::Conflict(Conflict::StaffGroupExists));
        }
        Ok(audited_insert!(
            self,
            audit,
            now,
            sqlx::query_as(
                "INSERT INTO staff_group (organisation_id, name, created_at) VALUES ($1, $2, $3)
             RETURNING id"
            )
            .bind(organisation_id)
            .bind(name)
            .bind(now)
        ))
    }

    /// The staff groups of `organisations`, by name.
    ///
    /// # Errors
    /// A database error.
    pub async fn staff_groups(&self, organisations: &[i64]) -> Result<Vec<StaffGroup>> {
        let sql = format!(
            "SELECT g.id, g.organisation_id, g.name,
                (SELECT COUNT(*) FROM staff_group_member m WHERE m.group_id = g.id) AS member_count
             FROM staff_group g WHERE g.organisation_id IN ({}) ORDER BY g.name, g.id",
            id_list(organisations)
        );
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?))
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn staff_group(&self, id: i64) -> Result<StaffGroup> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT g.id, g.organisation_id, g.name,
                (SELECT COUNT(*) FROM staff_group_member m WHERE m.group_id = g.id) AS member_count
             FROM staff_group g WHERE g.id = $1").bind(id).fetch_one(p).await?))
    }

    /// The members of `groups`, by name.
    ///
    /// # Errors
    /// A database error.
    pub async fn staff_members(&self, groups: &[i64]) -> Result<Vec<StaffMember>> {
        let sql = format!(
            "SELECT m.group_id, u.id AS user_id, u.display_name, u.email
             FROM staff_group_member m JOIN app_user u ON u.id = m.user_id
             WHERE m.group_id IN ({}) ORDER BY u.sort_key, u.id",
            id_list(groups)
        );
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?))
    }

    /// Adds or removes a member of a staff group.
    ///
    /// # Errors
    /// A database error.
    pub async fn set_staff_member(
        &self,
        group_id: i64,
        user_id: i64,
        member: bool,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        if member {
            audited!(
                self,
                audit,
                now,
                sqlx::query(
                    "INSERT INTO staff_group_member (group_id, user_id) VALUES ($1, $2)
                 ON CONFLICT (group_id, user_id) DO NOTHING"
                )
                .bind(group_id)
                .bind(user_id)
            );
        } else {
            audited!(
                self,
                audit,
                now,
                sqlx::query("DELETE FROM staff_group_member WHERE group_id = $1 AND user_id = $2")
                    .bind(group_id)
                    .bind(user_id)
            );
        }
        Ok(())
    }

    // ---- Development plans ----

    /// # Errors
    /// A database error.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_plan(
        &self,
        organisation_id: i64,
        year: i64,
        title: &str,
        goals: &str,
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        Ok(audited_insert!(
            self,
            audit,
            now,
            sqlx::query_as(
                "INSERT INTO development_plan (organisation_id, year, title, goals, created_by,
                created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id"
            )
            .bind(organisation_id)
            .bind(year)
            .bind(title)
            .bind(goals)
            .bind(by)
            .bind(now)
        ))
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    #[allow(clippy::too_many_arguments)]
    pub async fn update_plan(
        &self,
        id: i64,
        year: i64,
        title: &str,
        goals: &str,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        found(audited!(
            self,
            audit,
            now,
            sqlx::query(
                "UPDATE development_plan SET year = $2, title = $3, goals = $4, updated_at = $5
             WHERE id = $1"
            )
            .bind(id)
            .bind(year)
            .bind(title)
            .bind(goals)
            .bind(now)
        ))
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn plan(&self, id: i64) -> Result<PlanRow> {
        let sql = format!("{PLAN} WHERE p.id = $1");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(p).await?))
    }

    /// The plans of `organisations`, and those assigned to a group `user` is in; newest year
    /// first.
    ///
    /// # Errors
    /// A database error.
    pub async fn plans(&self, organisations: &[i64], user: Option<i64>) -> Result<Vec<PlanRow>> {
        let sql = format!(
            "{PLAN} WHERE p.organisation_id IN ({}) OR p.id IN (
                SELECT a.plan_id FROM plan_assignment a
                JOIN staff_group_member m ON m.group_id = a.group_id WHERE m.user_id = $1)
             ORDER BY p.year DESC, p.title, p.id",
            id_list(organisations)
        );
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(user.unwrap_or(0)).fetch_all(p).await?))
    }

    /// A plan's activities in order.
    ///
    /// # Errors
    /// A database error.
    pub async fn plan_activities(&self, plan_id: i64) -> Result<Vec<StepRow>> {
        let sql = format!("{PLAN_ACTIVITY} WHERE a.plan_id = $1 ORDER BY a.position, a.id");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(plan_id).fetch_all(p).await?))
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn plan_activity(&self, id: i64) -> Result<StepRow> {
        let sql = format!("{PLAN_ACTIVITY} WHERE a.id = $1");
        on_pool!(self, p => Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(p).await?))
    }

    /// Adds an activity at the end of a plan.
    ///
    /// # Errors
    /// A database error.
    pub async fn add_plan_activity(
        &self,
        plan_id: i64,
        step: &NewStep,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        let id =
            audited_insert!(self, audit, now, sqlx::query_as(
            "INSERT INTO plan_activity (plan_id, position, kind, material_id, collection_id,
                offering_id, title, description, due_on)
             VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM plan_activity
                          WHERE plan_id = $1), $2, $3, $4, $5, $6, $7, $8) RETURNING id")
            .bind(plan_id).bind(&step.kind).bind(step.material_id).bind(step.collection_id)
            .bind(step.offering_id).bind(&step.title).bind(&step.description).bind(step.due_on));
        self.touch("development_plan", plan_id, now).await?;
        Ok(id)
    }

    /// Assigns a plan to a staff group, or takes the assignment back.
    ///
    /// # Errors
    /// A database error.
    pub async fn set_plan_assignment(
        &self,
        plan_id: i64,
        group_id: i64,
        assigned: bool,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        if assigned {
            audited!(self, audit, now, sqlx::query(
                "INSERT INTO plan_assignment (plan_id, group_id, assigned_at) VALUES ($1, $2, $3)
                 ON CONFLICT (plan_id, group_id) DO NOTHING")
                .bind(plan_id).bind(group_id).bind(now));
        } else {
            audited!(
                self,
                audit,
                now,
                sqlx::query("DELETE FROM plan_assignment WHERE plan_id = $1 AND group_id = $2")
                    .bind(plan_id)
                    .bind(group_id)
            );
        }
        Ok(())
    }

    /// The staff groups a plan is assigned to.
    ///
    /// # Errors
    /// A database error.
    pub async fn plan_groups(&self, plan_id: i64) -> Result<Vec<StaffGroup>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT g.id, g.organisation_id, g.name,
                (SELECT COUNT(*) FROM staff_group_member m WHERE m.group_id = g.id) AS member_count
             FROM staff_group g JOIN plan_assignment a ON a.group_id = g.id
             WHERE a.plan_id = $1 ORDER BY g.name").bind(plan_id).fetch_all(p).await?))
    }

    /// Records a person's progress on an activity, with their reflection; `None` clears it.
    ///
    /// # Errors
    /// A database error.
    pub async fn set_plan_progress(
        &self,
        activity_id: i64,
        user_id: i64,
        status: Option<&str>,
        reflection: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, p => match status {
            Some(status) => sqlx::query(
                "INSERT INTO plan_progress (activity_id, user_id, status, reflection, updated_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (activity_id, user_id)
                 DO UPDATE SET status = $3, reflection = $4, updated_at = $5")
                .bind(activity_id).bind(user_id).bind(status).bind(reflection).bind(now)
                .execute(p).await?.rows_affected(),
            None => sqlx::query("DELETE FROM plan_progress WHERE activity_id = $1 AND user_id = $2")
                .bind(activity_id).bind(user_id).execute(p).await?.rows_affected(),
        });
        Ok(())
    }

    /// Everyone's progress on a plan's activities.
    ///
    /// # Errors
    /// A database error.
    pub async fn plan_progress(&self, plan_id: i64) -> Result<Vec<ProgressRow>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT r.activity_id, r.user_id, r.status, r.reflection, r.updated_at
             FROM plan_progress r JOIN plan_activity a ON a.id = r.activity_id
             WHERE a.plan_id = $1").bind(plan_id).fetch_all(p).await?))
    }

    /// One person's progress on every activity.
    ///
    /// # Errors
    /// A database error.
    pub async fn progress_of(&self, user_id: i64) -> Result<Vec<ProgressRow>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT activity_id, user_id, status, reflection, updated_at FROM plan_progress
             WHERE user_id = $1").bind(user_id).fetch_all(p).await?))
    }
}

/// Which kind of ordered steps [`Store::move_step`] and [`Store::remove_step`] work on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Steps {
    CollectionItems,
    PlanActivities,
}

impl Steps {
    fn table(self) -> &'static str {
        match self {
            Self::CollectionItems => "collection_item",
            Self::PlanActivities => "plan_activity",
        }
    }

    fn parent_table(self) -> &'static str {
        match self {
            Self::CollectionItems => "collection",
            Self::PlanActivities => "development_plan",
        }
    }

    fn parent(self) -> &'static str {
        match self {
            Self::CollectionItems => "collection_id",
            Self::PlanActivities => "plan_id",
        }
    }
}
