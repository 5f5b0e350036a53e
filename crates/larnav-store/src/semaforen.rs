//! Semaforen: employer need reports, the rows the score is computed from, and the priority
//! lists with their overrides and immutable published versions.

use chrono::{DateTime, Utc};

use crate::model::*;
use crate::{
    AuditRecord, BeginWrite, Result, Store, StoreError, bulk_insert, id_list, on_pool, write_audit,
};

const NEED_SELECT: &str =
    "SELECT n.id, n.organisation_id, o.name AS organisation_name, n.employer_name, n.on_behalf,
        n.ssyk_code, g.name AS occupation_name, n.kommun_code, k.name AS kommun_name,
        n.needed_now, n.needed_1y, n.needed_3y, n.difficulty, n.comment, n.reported_at
     FROM need_report n JOIN organisation o ON o.id = n.organisation_id
     JOIN occupation_group g ON g.code = n.ssyk_code JOIN kommun k ON k.code = n.kommun_code";

const LIST_SELECT: &str =
    "SELECT l.id, l.organisation_id, o.name AS organisation_name, l.area_key, l.year, l.title,
        l.weights, l.created_at, l.updated_at
     FROM priority_list l JOIN organisation o ON o.id = l.organisation_id";

const PUBLISHED_SELECT: &str =
    "SELECT p.id, p.list_id, p.version, p.organisation_id, o.name AS organisation_name,
        p.title, p.area_key, p.area_name, p.year, p.weights, p.sources, p.published_at
     FROM published_list p JOIN organisation o ON o.id = p.organisation_id";

impl Store {
    /// Stores need reports filed by one organisation, all or none.
    ///
    /// # Errors
    /// A database error (an unknown code, a negative number); nothing is stored.
    pub async fn create_need_reports(
        &self,
        organisation_id: i64,
        reports: &[NewNeedReport],
        replacing: &[i64],
        reported_by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            // The reports a re-imported file replaces go in the same transaction.
            for id in replacing {
                sqlx::query("DELETE FROM need_report WHERE id = $1 AND organisation_id = $2")
                    .bind(id).bind(organisation_id).execute(&mut *tx).await?;
            }
            bulk_insert!(tx, "need_report",
                ["organisation_id", "employer_name", "on_behalf", "ssyk_code", "kommun_code", "needed_now",
                 "needed_1y", "needed_3y", "difficulty", "comment", "reported_by", "reported_at"],
                reports,
                |q, r| q.bind(organisation_id).bind(&r.employer_name).bind(r.on_behalf).bind(&r.ssyk_code)
                    .bind(&r.kommun_code).bind(r.needed_now).bind(r.needed_1y).bind(r.needed_3y)
                    .bind(r.difficulty).bind(&r.comment).bind(reported_by).bind(now));
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Need reports, newest first: of one filing organisation, or all.
    ///
    /// # Errors
    /// A database error.
    pub async fn list_need_reports(&self, organisation_id: Option<i64>) -> Result<Vec<NeedReport>> {
        let sql = format!(
            "{NEED_SELECT} WHERE $1 IS NULL OR n.organisation_id = $1 ORDER BY n.reported_at DESC, n.id DESC"
        );
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(organisation_id).fetch_all(p).await)?,
        )
    }

    /// Need reports about one occupation group in the given kommuner, newest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn need_reports_for(&self, ssyk_code: &str) -> Result<Vec<NeedReport>> {
        let sql =
            format!("{NEED_SELECT} WHERE n.ssyk_code = $1 ORDER BY n.reported_at DESC, n.id DESC");
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(ssyk_code).fetch_all(p).await)?,
        )
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn get_need_report(&self, id: i64) -> Result<NeedReport> {
        let sql = format!("{NEED_SELECT} WHERE n.id = $1");
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id).fetch_one(p).await)?,
        )
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn delete_need_report(
        &self,
        id: i64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let r = sqlx::query("DELETE FROM need_report WHERE id = $1").bind(id).execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Need reports since `since`, as the score uses them.
    ///
    /// # Errors
    /// A database error.
    pub async fn need_rows(&self, since: DateTime<Utc>) -> Result<Vec<NeedRow>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT ssyk_code, kommun_code, needed_now, needed_1y, needed_3y, difficulty
             FROM need_report WHERE reported_at >= $1")
            .bind(since).fetch_all(p).await)?)
    }

    /// Ads per source, group, kommun and year (the first four characters of the period).
    ///
    /// # Errors
    /// A database error.
    pub async fn ad_year_rows(&self) -> Result<Vec<AdYearRow>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT source_id, ssyk_code, kommun_code, SUBSTR(period, 1, 4) AS year, CAST(SUM(ads) AS BIGINT) AS ads
             FROM ad_count GROUP BY source_id, ssyk_code, kommun_code, SUBSTR(period, 1, 4)")
            .fetch_all(p).await)?)
    }

    /// Ads per source, period (month or whole year) and län: what each import covers. A kommun
    /// code's first two digits are its län.
    ///
    /// # Errors
    /// A database error.
    pub async fn ad_coverage(&self) -> Result<Vec<larnav_domain::ad_years::AdCoverage>> {
        let rows: Vec<(i64, String, String, i64)> = on_pool!(self, p => sqlx::query_as(
            "SELECT source_id, period, SUBSTR(kommun_code, 1, 2) AS lan,
                    CAST(SUM(ads) AS BIGINT) AS ads
             FROM ad_count GROUP BY source_id, period, SUBSTR(kommun_code, 1, 2)")
            .fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(
                |(source, period, lan, ads)| larnav_domain::ad_years::AdCoverage {
                    source,
                    period,
                    lan,
                    ads,
                },
            )
            .collect())
    }

    /// The data version: it changes (within the writing transaction) whenever an input of a
    /// Semaforen list changes, on every instance alike (see migration 0021).
    ///
    /// # Errors
    /// A database error.
    pub async fn data_version(&self) -> Result<i64> {
        let (v,): (i64,) = on_pool!(self, p => sqlx::query_as(
            "SELECT version FROM data_version WHERE id = 1").fetch_one(p).await)?;
        Ok(v)
    }

    /// The forecasts of the newest forecast source: group, area, chances, outlook.
    ///
    /// # Errors
    /// A database error.
    pub async fn latest_forecast_rows(&self) -> Result<Vec<(String, String, String, String)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT ssyk_code, area_code, job_chances, outlook FROM forecast
             WHERE source_id = (SELECT id FROM signal_source WHERE kind = 'forecast'
                                ORDER BY period DESC, imported_at DESC LIMIT 1)")
            .fetch_all(p).await)?)
    }

    /// Education places whose occupation link an analyst confirmed: group, kommun, places.
    ///
    /// # Errors
    /// A database error.
    pub async fn confirmed_places(&self) -> Result<Vec<(String, String, i64)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT ssyk_code, kommun_code, CAST(SUM(places) AS BIGINT) FROM supply_place
             WHERE ssyk_code IS NOT NULL GROUP BY ssyk_code, kommun_code")
            .fetch_all(p).await)?)
    }

    /// Education places Lärnav suggests for an occupation that no analyst has confirmed yet:
    /// suggested group, kommun, places.
    ///
    /// # Errors
    /// A database error.
    pub async fn unconfirmed_places(&self) -> Result<Vec<(String, String, i64)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT suggested_ssyk, kommun_code, CAST(SUM(places) AS BIGINT) FROM supply_place
             WHERE ssyk_code IS NULL AND suggested_ssyk IS NOT NULL AND places > 0
             GROUP BY suggested_ssyk, kommun_code")
            .fetch_all(p).await)?)
    }

    /// Creates an organisation's list for an area and year.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the organisation already has a list for that area and year.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_priority_list(
        &self,
        organisation_id: i64,
        area_key: &str,
        year: i64,
        title: &str,
        weights: &str,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO priority_list (organisation_id, area_key, year, title, weights, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id")
                .bind(organisation_id).bind(area_key).bind(year).bind(title).bind(weights).bind(now)
                .fetch_one(&mut *tx).await?;
            let audit = AuditRecord { target: format!("priority_list:{id}"), ..audit.clone() };
            write_audit!(&mut *tx, &audit, now)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn get_priority_list(&self, id: i64) -> Result<PriorityList> {
        let sql = format!("{LIST_SELECT} WHERE l.id = $1");
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id).fetch_one(p).await)?,
        )
    }

    /// Lists of one organisation or all, newest year first.
    ///
    /// # Errors
    /// A database error.
    pub async fn list_priority_lists(
        &self,
        organisation_id: Option<i64>,
    ) -> Result<Vec<PriorityList>> {
        let sql = format!(
            "{LIST_SELECT} WHERE $1 IS NULL OR l.organisation_id = $1 ORDER BY l.year DESC, l.title"
        );
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(organisation_id).fetch_all(p).await)?,
        )
    }

    /// Changes a list's title and weights.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn update_priority_list(
        &self,
        id: i64,
        title: &str,
        weights: &str,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let r = sqlx::query("UPDATE priority_list SET title = $1, weights = $2, updated_at = $3 WHERE id = $4")
                .bind(title).bind(weights).bind(now).bind(id).execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Sets (or with `None`, removes) the override of one occupation on a list.
    ///
    /// # Errors
    /// A database error (an unknown SSYK code).
    pub async fn set_priority_override(
        &self,
        list_id: i64,
        ssyk_code: &str,
        value: Option<(Option<&str>, Option<&str>, &str)>,
        changed_by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            sqlx::query("UPDATE priority_list SET updated_at = $1 WHERE id = $2")
                .bind(now).bind(list_id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM priority_override WHERE list_id = $1 AND ssyk_code = $2")
                .bind(list_id).bind(ssyk_code).execute(&mut *tx).await?;
            if let Some((light, band, reason)) = value {
                sqlx::query(
                    "INSERT INTO priority_override (list_id, ssyk_code, light, band, reason, changed_by, changed_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(list_id).bind(ssyk_code).bind(light).bind(band).bind(reason).bind(changed_by).bind(now)
                    .execute(&mut *tx).await?;
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// # Errors
    /// A database error.
    pub async fn priority_overrides(&self, list_id: i64) -> Result<Vec<PriorityOverride>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT v.ssyk_code, v.light, v.band, v.reason, u.display_name AS changed_by_name, v.changed_at
             FROM priority_override v LEFT JOIN app_user u ON u.id = v.changed_by
             WHERE v.list_id = $1 ORDER BY v.ssyk_code")
            .bind(list_id).fetch_all(p).await)?)
    }

    /// Publishes the next version of a list with its entries; returns the published id.
    ///
    /// # Errors
    /// A database error; nothing is published.
    pub async fn publish_priority_list(
        &self,
        list: &PriorityList,
        publication: &NewPublication,
        entries: &[PublishedEntry],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            // Writing first takes SQLite's write lock, so two publishers cannot pick one version.
            sqlx::query("UPDATE priority_list SET updated_at = $1 WHERE id = $2")
                .bind(now).bind(list.id).execute(&mut *tx).await?;
            let (version,): (i64,) = sqlx::query_as(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM published_list WHERE list_id = $1")
                .bind(list.id).fetch_one(&mut *tx).await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO published_list (list_id, version, organisation_id, title, area_key, area_name, year,
                                             weights, sources, published_at, published_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id")
                .bind(list.id).bind(version).bind(list.organisation_id).bind(&publication.title)
                .bind(&list.area_key).bind(&publication.area_name).bind(list.year).bind(&publication.weights)
                .bind(&publication.sources).bind(now).bind(publication.published_by)
                .fetch_one(&mut *tx).await?;
            bulk_insert!(tx, "published_entry",
                ["published_id", "position", "ssyk_code", "occupation_name", "field_name",
                 "band", "light", "computed_light", "score", "reason"],
                entries,
                |q, e| q.bind(id).bind(e.position).bind(&e.ssyk_code).bind(&e.occupation_name)
                    .bind(&e.field_name).bind(&e.band).bind(&e.light)
                    .bind(&e.computed_light).bind(e.score).bind(&e.reason));
            let audit = AuditRecord {
                target: format!("published_list:{id}"),
                detail: format!("{} v{version}", publication.title),
                ..audit.clone()
            };
            write_audit!(&mut *tx, &audit, now)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Published lists, newest first: of one working list, or all.
    ///
    /// # Errors
    /// A database error.
    pub async fn list_published(&self, list_id: Option<i64>) -> Result<Vec<PublishedList>> {
        let sql = format!(
            "{PUBLISHED_SELECT} WHERE $1 IS NULL OR p.list_id = $1 ORDER BY p.published_at DESC, p.id DESC"
        );
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(list_id).fetch_all(p).await)?,
        )
    }

    /// A published list and its entries in list order.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn get_published(&self, id: i64) -> Result<(PublishedList, Vec<PublishedEntry>)> {
        let sql = format!("{PUBLISHED_SELECT} WHERE p.id = $1");
        on_pool!(self, p => {
            let list: PublishedList = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_one(p).await?;
            let entries = sqlx::query_as(
                "SELECT position, ssyk_code, occupation_name, field_name, band, light, computed_light,
                        score, reason
                 FROM published_entry WHERE published_id = $1 ORDER BY position")
                .bind(id).fetch_all(p).await?;
            Ok((list, entries))
        })
    }
}

/// What answered one entry of a published list, counted in the database: the courses and their
/// seats, and the people at each step. People counts are raw; the app protects them.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AnswerCounts {
    pub ssyk_code: String,
    pub courses: i64,
    pub occasions: i64,
    pub seats: i64,
    pub applicants: i64,
    pub admitted: i64,
    pub started: i64,
    pub completed: i64,
    /// Completed participants who answered a follow-up, and of them those in work in the
    /// occupation at their latest answer.
    pub respondents: i64,
    pub in_occupation: i64,
}

impl Store {
    /// The newest published list of `area_key` with an entry for `ssyk_code`.
    ///
    /// # Errors
    /// A database error.
    pub async fn newest_published_entry(
        &self,
        area_key: &str,
        ssyk_code: &str,
    ) -> Result<Option<i64>> {
        Ok(on_pool!(self, p => sqlx::query_scalar(
            "SELECT p.id FROM published_list p
             JOIN published_entry e ON e.published_id = p.id AND e.ssyk_code = $2
             WHERE p.area_key = $1 ORDER BY p.published_at DESC, p.id DESC LIMIT 1")
            .bind(area_key).bind(ssyk_code).fetch_optional(p).await)?)
    }

    /// For each entry of published list `published_id`, in list order: what answered it. An
    /// offering answers an entry when it was created for it ("answer a need"), or when it is
    /// linked to the entry's occupation and given in one of `kommuner` (`None`: anywhere);
    /// its occasions count when they start in `from..to`. Started counts enrolments of
    /// occasions that had started by `today`.
    ///
    /// # Errors
    /// A database error.
    pub async fn answer_counts(
        &self,
        published_id: i64,
        kommuner: Option<&[String]>,
        (from, to): (chrono::NaiveDate, chrono::NaiveDate),
        today: chrono::NaiveDate,
    ) -> Result<Vec<AnswerCounts>> {
        let in_area = match kommuner {
            None => "TRUE".to_string(),
            Some(k) => format!(
                "f.kommun_code IN {}",
                crate::catalogue::placeholders(5, k.len().max(1))
            ),
        };
        // One CTE per step; each step's people are counted once however many occasions
        // of the entry they chose.
        let sql = format!(
            "WITH answering AS (
                 SELECT x.ssyk_code, f.id AS offering_id FROM offering f
                 JOIN offering_occupation x ON x.offering_id = f.id
                 JOIN published_entry pe ON pe.published_id = $1 AND pe.ssyk_code = x.ssyk_code
                 WHERE {in_area}
                 UNION
                 SELECT a.ssyk_code, a.offering_id FROM offering_answer a WHERE a.published_id = $1
             ),
             occ AS (
                 SELECT a.ssyk_code, a.offering_id, c.id AS occasion_id, c.seats, c.starts_on
                 FROM answering a JOIN occasion c ON c.offering_id = a.offering_id
                 WHERE c.starts_on >= $2 AND c.starts_on < $3
             ),
             chosen AS (
                 SELECT DISTINCT occ.ssyk_code, ap.user_id,
                     CASE WHEN o.status IN ('offered', 'accepted') THEN 1 ELSE 0 END AS admitted
                 FROM occ JOIN application_choice ch ON ch.occasion_id = occ.occasion_id
                 JOIN application ap ON ap.id = ch.application_id
                 LEFT JOIN admission_offer o ON o.choice_id = ch.id
             ),
             enrolled AS (
                 SELECT occ.ssyk_code, n.id, n.status,
                     (SELECT u.in_occupation FROM follow_up u
                      WHERE u.enrolment_id = n.id AND u.answered_at IS NOT NULL
                      ORDER BY u.months DESC LIMIT 1) AS in_occupation,
                     (SELECT COUNT(*) FROM follow_up u
                      WHERE u.enrolment_id = n.id AND u.answered_at IS NOT NULL) AS answers
                 FROM occ JOIN enrolment n ON n.occasion_id = occ.occasion_id
                 WHERE occ.starts_on <= $4
             )
             SELECT e.ssyk_code,
                 (SELECT COUNT(DISTINCT offering_id) FROM occ WHERE occ.ssyk_code = e.ssyk_code) AS courses,
                 (SELECT COUNT(*) FROM occ WHERE occ.ssyk_code = e.ssyk_code) AS occasions,
                 (SELECT CAST(COALESCE(SUM(seats), 0) AS BIGINT) FROM occ WHERE occ.ssyk_code = e.ssyk_code) AS seats,
                 (SELECT COUNT(DISTINCT user_id) FROM chosen WHERE chosen.ssyk_code = e.ssyk_code) AS applicants,
                 (SELECT COUNT(DISTINCT user_id) FROM chosen
                  WHERE chosen.ssyk_code = e.ssyk_code AND chosen.admitted = 1) AS admitted,
                 (SELECT COUNT(*) FROM enrolled WHERE enrolled.ssyk_code = e.ssyk_code) AS started,
                 (SELECT COUNT(*) FROM enrolled
                  WHERE enrolled.ssyk_code = e.ssyk_code AND enrolled.status = 'completed') AS completed,
                 (SELECT COUNT(*) FROM enrolled WHERE enrolled.ssyk_code = e.ssyk_code
                  AND enrolled.status = 'completed' AND enrolled.answers > 0) AS respondents,
                 (SELECT COUNT(*) FROM enrolled WHERE enrolled.ssyk_code = e.ssyk_code
                  AND enrolled.status = 'completed' AND enrolled.in_occupation) AS in_occupation
             FROM published_entry e WHERE e.published_id = $1 ORDER BY e.position"
        );
        on_pool!(self, p => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(published_id).bind(from).bind(to).bind(today);
            match kommuner {
                Some([]) => q = q.bind(""),
                Some(k) => for code in k { q = q.bind(code.clone()) },
                None => {}
            }
            Ok(q.fetch_all(p).await?)
        })
    }
}

impl Store {
    /// Ads for one group per source, kommun and period.
    ///
    /// # Errors
    /// A database error.
    pub async fn ad_periods_for(&self, ssyk_code: &str) -> Result<Vec<(i64, String, String, i64)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT source_id, kommun_code, period, ads FROM ad_count WHERE ssyk_code = $1")
            .bind(ssyk_code).fetch_all(p).await)?)
    }
}

/// A confirmed link to carry over a re-import: reference, kommun, SSYK code, by, when.
type SupplyLinkRow = (String, String, String, Option<i64>, Option<DateTime<Utc>>);

const SUPPLY_SELECT: &str =
    "SELECT s.id, s.source_id, s.reference, s.education_name, s.provider, s.sun_code, s.seqf_level,
        s.kommun_code, k.name AS kommun_name, s.applied_places, s.granted_places, s.places,
        s.suggested_ssyk, sg.name AS suggested_name, s.suggestion_confidence, s.ssyk_code, lg.name AS ssyk_name, s.linked_at
     FROM supply_place s JOIN kommun k ON k.code = s.kommun_code
     LEFT JOIN occupation_group sg ON sg.code = s.suggested_ssyk
     LEFT JOIN occupation_group lg ON lg.code = s.ssyk_code";

impl Store {
    /// Stores a supply source and its rows, replacing the earlier import of the same period but
    /// keeping the occupation links analysts confirmed (matched by reference and kommun).
    ///
    /// # Errors
    /// A database error; nothing changes.
    pub async fn replace_supply(
        &self,
        source: &NewSignalSource,
        rows: &[NewSupplyPlace],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<i64> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            // Write first: SQLite takes its write lock here, not on the later insert.
            sqlx::query("UPDATE signal_source SET row_count = row_count WHERE kind = $1")
                .bind(&source.kind).execute(&mut *tx).await?;
            let links: Vec<SupplyLinkRow> = sqlx::query_as(
                "SELECT s.reference, s.kommun_code, s.ssyk_code, s.linked_by, s.linked_at FROM supply_place s
                 JOIN signal_source src ON src.id = s.source_id
                 WHERE src.kind = $1 AND src.period = $2 AND s.ssyk_code IS NOT NULL")
                .bind(&source.kind).bind(&source.period).fetch_all(&mut *tx).await?;
            sqlx::query("DELETE FROM signal_source WHERE kind = $1 AND period = $2")
                .bind(&source.kind).bind(&source.period).execute(&mut *tx).await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO signal_source (kind, name, publisher, period, row_count, imported_at, imported_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
                .bind(&source.kind).bind(&source.name).bind(&source.publisher).bind(&source.period)
                .bind(rows.len() as i64).bind(now).bind(source.imported_by)
                .fetch_one(&mut *tx).await?;
            bulk_insert!(tx, "supply_place",
                ["source_id", "reference", "education_name", "provider", "sun_code", "seqf_level", "kommun_code",
                 "applied_places", "granted_places", "places", "suggested_ssyk", "suggestion_confidence"],
                rows,
                |q, r| q.bind(id).bind(&r.reference).bind(&r.education_name).bind(&r.provider).bind(&r.sun_code)
                    .bind(r.seqf_level).bind(&r.kommun_code).bind(r.applied_places).bind(r.granted_places)
                    .bind(r.places).bind(&r.suggested_ssyk).bind(r.suggestion_confidence));
            for (reference, kommun, ssyk, by, at) in &links {
                sqlx::query("UPDATE supply_place SET ssyk_code = $1, linked_by = $2, linked_at = $3
                             WHERE source_id = $4 AND reference = $5 AND kommun_code = $6")
                    .bind(ssyk).bind(by).bind(at).bind(id).bind(reference).bind(kommun).execute(&mut *tx).await?;
            }
            let audit = AuditRecord { target: format!("signal_source:{id}"), ..audit.clone() };
            write_audit!(&mut *tx, &audit, now)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Supply rows in education-name order: `linked` None for all, Some(true) for linked ones,
    /// Some(false) for those waiting for an analyst; only rows with places when `with_places`.
    ///
    /// # Errors
    /// A database error.
    pub async fn list_supply(
        &self,
        linked: Option<bool>,
        with_places: bool,
    ) -> Result<Vec<SupplyPlace>> {
        let sql = format!(
            "{SUPPLY_SELECT} WHERE ($1 IS NULL OR ($1 = (s.ssyk_code IS NOT NULL))) AND ($2 = FALSE OR s.places > 0)
             ORDER BY s.education_name, k.name, s.id"
        );
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(linked).bind(with_places).fetch_all(p).await)?,
        )
    }

    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn get_supply(&self, id: i64) -> Result<SupplyPlace> {
        let sql = format!("{SUPPLY_SELECT} WHERE s.id = $1");
        Ok(
            on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id).fetch_one(p).await)?,
        )
    }

    /// Links (or with `None`, unlinks) every row of one education (same source and reference)
    /// to an occupation.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], or a database error for an unknown code.
    pub async fn link_supply(
        &self,
        id: i64,
        ssyk_code: Option<&str>,
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let r = sqlx::query(
                "UPDATE supply_place SET ssyk_code = $1, linked_by = $2, linked_at = $3
                 WHERE (source_id, reference) IN (SELECT source_id, reference FROM supply_place WHERE id = $4)")
                .bind(ssyk_code).bind(by).bind(ssyk_code.map(|_| now)).bind(id).execute(&mut *tx).await?;
            if r.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            write_audit!(&mut *tx, audit, now)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Confirms Lärnav's suggestion for every education (all its kommuner) that one of `ids`
    /// belongs to and that no analyst has linked yet, in one transaction with one audit row.
    /// Returns the number of educations confirmed (0 writes nothing, not even the audit row).
    ///
    /// # Errors
    /// A database error; nothing changes.
    pub async fn confirm_supply_suggestions(
        &self,
        ids: &[i64],
        by: Option<i64>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> Result<usize> {
        let educations = format!(
            "FROM supply_place WHERE id IN ({}) AND ssyk_code IS NULL AND suggested_ssyk IS NOT NULL",
            id_list(ids)
        );
        let count =
            format!("SELECT COUNT(*) FROM (SELECT DISTINCT source_id, reference {educations}) e");
        let update = format!(
            "UPDATE supply_place SET ssyk_code = suggested_ssyk, linked_by = $1, linked_at = $2
             WHERE ssyk_code IS NULL AND suggested_ssyk IS NOT NULL
               AND (source_id, reference) IN (SELECT source_id, reference {educations})"
        );
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(count.clone()))
                .fetch_one(&mut *tx).await?;
            if n > 0 {
                sqlx::query(sqlx::AssertSqlSafe(update.clone()))
                    .bind(by).bind(now).execute(&mut *tx).await?;
                let audit = AuditRecord { detail: format!("{n}; {}", audit.detail), ..audit.clone() };
                write_audit!(&mut *tx, &audit, now)?;
            }
            tx.commit().await?;
            Ok(n as usize)
        })
    }
}
