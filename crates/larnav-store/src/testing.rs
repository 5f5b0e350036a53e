//! Fresh databases for tests: one per test, on every backend the environment offers.
//!
//! SQLite always; PostgreSQL when `LARNAV_TEST_DATABASE_URL` names a server database that the
//! tests may use to create and drop their own databases (`.ci/run` always sets it).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::{Backend, BeginWrite, Pool, Store};

/// The environment variable naming the PostgreSQL maintenance database for tests.
pub const TEST_DATABASE_ENV: &str = "LARNAV_TEST_DATABASE_URL";

/// A database created for one test. Call [`TestDatabase::cleanup`] at the end of the test.
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    pub backend: Backend,
    dir: Option<std::path::PathBuf>,
    pg_name: Option<String>,
}

/// Every backend the environment offers, whatever [`TEST_BACKENDS_ENV`] says: for the tests
/// that compare the two.
pub fn all_backends() -> Vec<Backend> {
    let mut b = vec![Backend::Sqlite];
    if std::env::var(TEST_DATABASE_ENV).is_ok_and(|v| !v.is_empty()) {
        b.push(Backend::Postgres);
    }
    b
}

/// Narrows the backends to the ones named (`sqlite`, `postgres`, comma-separated). CI's
/// PostgreSQL step sets `postgres`: the SQLite runs were the step before.
pub const TEST_BACKENDS_ENV: &str = "LARNAV_TEST_BACKENDS";

/// The backends to run each conformance test on: SQLite, and PostgreSQL when
/// [`TEST_DATABASE_ENV`] is set — narrowed by [`TEST_BACKENDS_ENV`] when that is set.
///
/// # Panics
/// When [`TEST_BACKENDS_ENV`] names PostgreSQL but no test database is configured, or names
/// nothing known: a test run that would test nothing must not pass.
pub fn backends() -> Vec<Backend> {
    let Ok(only) = std::env::var(TEST_BACKENDS_ENV) else {
        return all_backends();
    };
    let postgres = all_backends().contains(&Backend::Postgres);
    let mut b = Vec::new();
    for name in only.split(',').map(str::trim) {
        match name {
            "sqlite" => b.push(Backend::Sqlite),
            "postgres" if postgres => b.push(Backend::Postgres),
            "postgres" => {
                panic!("{TEST_BACKENDS_ENV} names postgres but {TEST_DATABASE_ENV} is not set")
            }
            other => panic!("{TEST_BACKENDS_ENV}: unknown backend {other:?}"),
        }
    }
    assert!(!b.is_empty(), "{TEST_BACKENDS_ENV} names no backend");
    b
}

fn unique_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "larnav_t_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

impl TestDatabase {
    /// Creates an empty database on `backend`.
    ///
    /// # Panics
    /// When the database cannot be created: a test environment problem.
    pub async fn create(backend: Backend) -> Self {
        let name = unique_name();
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(&name);
                std::fs::create_dir_all(&dir).expect("create temp dir");
                let url = format!("sqlite://{}/larnav.db", dir.display());
                Self {
                    url,
                    backend,
                    dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let admin_url = std::env::var(TEST_DATABASE_ENV).expect("LARNAV_TEST_DATABASE_URL");
                let admin = Store::connect(&admin_url, 1)
                    .await
                    .expect("connect to the test PostgreSQL server");
                let Pool::Postgres(pool) = &admin.pool else {
                    panic!("{TEST_DATABASE_ENV} must be a postgres:// URL")
                };
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(pool)
                    .await
                    .expect("create test database");
                admin.close().await;
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(b, _)| b)
                    .unwrap_or(&admin_url);
                Self {
                    url: format!("{base}/{name}"),
                    backend,
                    dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }

    /// Opens and migrates the database.
    ///
    /// # Panics
    /// When it cannot.
    pub async fn store(&self) -> Store {
        let store = Store::connect(&self.url, 5).await.expect("connect");
        store.migrate().await.expect("migrate");
        store
    }

    /// Removes the database (after the test closed its pools).
    pub async fn cleanup(self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some(name) = &self.pg_name
            && let Ok(admin_url) = std::env::var(TEST_DATABASE_ENV)
            && let Ok(admin) = Store::connect(&admin_url, 1).await
        {
            if let Pool::Postgres(pool) = &admin.pool {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(pool)
                .await;
            }
            admin.close().await;
        }
    }
}

impl Store {
    /// Runs literal SQL, for tests that check what the database itself refuses (such as the
    /// triggers that keep published lists unchanged). Not for application code.
    ///
    /// # Errors
    /// The database's error.
    pub async fn execute_unchecked(&self, sql: &str) -> crate::Result<u64> {
        let sql = sql.to_string();
        Ok(
            crate::on_pool!(self, p => sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?,
        )
    }
}

impl Store {
    /// The plan SQLite chooses for `sql` on each of `n` of the pool's connections, held at
    /// once (empty on PostgreSQL): for the test that every connection plans with the latest
    /// statistics.
    ///
    /// # Errors
    /// The database's error.
    pub async fn query_plans(&self, sql: &str, n: usize) -> crate::Result<Vec<String>> {
        let Pool::Sqlite(p) = &self.pool else {
            return Ok(Vec::new());
        };
        let mut held = Vec::with_capacity(n);
        for _ in 0..n {
            held.push(p.acquire().await?);
        }
        let mut plans = Vec::with_capacity(n);
        for connection in &mut held {
            let rows: Vec<(i64, i64, i64, String)> =
                sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
                    .fetch_all(&mut **connection)
                    .await?;
            let steps: Vec<String> = rows.into_iter().map(|r| r.3).collect();
            plans.push(steps.join("; "));
        }
        Ok(plans)
    }
}

/// An occasion of a generated admission round: seats, credits, selection groups (JSON).
#[derive(Debug, Clone)]
pub struct FillOccasion {
    pub seats: i64,
    pub credits: f64,
    pub groups: String,
}

/// A choice of a generated application: occasion index, eligibility, priority class,
/// nominated, merits (JSON).
pub type FillChoice = (usize, &'static str, i64, bool, String);

/// A generated application: late or not, its choices in rank order.
#[derive(Debug, Clone)]
pub struct FillApplication {
    pub late: bool,
    pub choices: Vec<FillChoice>,
}

impl Store {
    /// Fills an empty database with a provider, one offering and occasion per generated
    /// occasion, one person and application per generated application, and an open round
    /// holding them: the set-up of `larnav bench publish`, written with multi-row inserts
    /// (creating 400,000 people one by one would take hours). Ids are given explicitly, so the
    /// database must be new. Returns (provider, round).
    ///
    /// # Errors
    /// A database error.
    pub async fn fill_admission_round(
        &self,
        occasions: &[FillOccasion],
        applications: &[FillApplication],
        credit_cap: Option<f64>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<(i64, i64)> {
        use crate::bulk_insert;
        let sort_key = larnav_domain::text::swedish_sort_key("Nationella antagningen");
        let (provider,): (i64,) = crate::on_pool!(self, p => sqlx::query_as(
            "INSERT INTO organisation (name, name_fold, sort_key, kind, created_at)
             VALUES ('Nationella antagningen', 'nationella antagningen', $1, 'university', $2)
             RETURNING id")
            .bind(&sort_key).bind(now).fetch_one(p).await)?;
        // Applications closed (two days back, whatever the time zone): the round may be run.
        let closed = now.date_naive() - chrono::Duration::days(2);
        let fields = crate::RoundFields {
            name: "Nationell omgång".into(),
            opens_on: closed - chrono::Duration::days(30),
            closes_on: closed,
            late_until: closed,
            max_choices: 12,
            credit_cap,
            reply_days: 7,
        };
        let audit = crate::AuditRecord::new(None, "admission_round.create", "");
        let round = self
            .create_round(provider, &fields, None, now, &audit)
            .await?;
        let numbered: Vec<(i64, &FillOccasion)> = (1..).zip(occasions).collect();
        let people: Vec<(i64, &FillApplication)> = (1..).zip(applications).collect();
        let mut choices = Vec::new();
        for (application, a) in &people {
            for (rank, c) in (1..).zip(&a.choices) {
                choices.push((*application, rank, c));
            }
        }
        let choices: Vec<(i64, &(i64, i64, &FillChoice))> = (1..).zip(choices.iter()).collect();
        crate::on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            bulk_insert!(tx, "offering", ["id", "provider_id", "provider_name", "internal", "kind",
                    "title", "summary", "description", "credit_kind", "pace_percent", "format",
                    "address", "language", "payer", "eligibility", "url", "status", "source",
                    "version", "created_at", "updated_at"],
                numbered, |q, o| q.bind(o.0).bind(provider).bind("Nationella antagningen")
                    .bind(false).bind("course").bind(format!("Kurs {}", o.0)).bind("").bind("")
                    .bind("hp").bind(100_i64).bind("distance").bind("").bind("sv").bind("free")
                    .bind("").bind("").bind("draft").bind("lärnav").bind(1_i64).bind(now)
                    .bind(now));
            let start = now.date_naive() + chrono::Duration::days(60);
            bulk_insert!(tx, "occasion", ["id", "offering_id", "starts_on", "ends_on",
                    "application_mode", "seats", "place"],
                numbered, |q, o| q.bind(o.0).bind(o.0).bind(start).bind(start)
                    .bind("fixed").bind(o.1.seats).bind(""));
            bulk_insert!(tx, "round_occasion", ["round_id", "occasion_id", "seats", "credits",
                    "groups", "cutoffs"],
                numbered, |q, o| q.bind(round).bind(o.0).bind(o.1.seats).bind(o.1.credits)
                    .bind(&o.1.groups).bind("[]"));
            bulk_insert!(tx, "app_user", ["id", "email", "display_name", "name_fold", "sort_key",
                    "locale", "created_at"],
                people, |q, a| q.bind(a.0).bind(format!("sokande{}@bench.invalid", a.0))
                    .bind(format!("Sökande {}", a.0)).bind(format!("sökande {}", a.0))
                    .bind(&sort_key).bind("sv").bind(now));
            bulk_insert!(tx, "application", ["id", "round_id", "user_id", "late", "submitted_at",
                    "updated_at"],
                people, |q, a| q.bind(a.0).bind(round).bind(a.0).bind(a.1.late).bind(now)
                    .bind(now));
            bulk_insert!(tx, "application_choice", ["id", "application_id", "round_id",
                    "occasion_id", "rank", "eligibility", "eligibility_note", "priority_class",
                    "nominated", "merits"],
                choices, |q, c| q.bind(c.0).bind(c.1.0).bind(round).bind(c.1.2.0 as i64 + 1)
                    .bind(c.1.1).bind(c.1.2.1).bind("").bind(c.1.2.2).bind(c.1.2.3)
                    .bind(&c.1.2.4));
            tx.commit().await?;
            Ok::<_, crate::StoreError>(())
        })?;
        Ok((provider, round))
    }
}

/// A generated year of follow-up for `larnav bench follow-up`: occasions of offerings spread
/// over `kommuner` and `occupations`, each with `sessions` sessions and `per_occasion`
/// participants who mostly completed, attendance at every session, and follow-up rows at 1, 6
/// and 12 months of which about one and a half per participant are answered.
pub struct FillFollowUp {
    pub kommuner: Vec<String>,
    pub occupations: Vec<String>,
    pub enrolments: usize,
    pub per_occasion: usize,
    pub sessions: usize,
    /// The first day occasions start on; they spread over the following 200 days.
    pub starts: chrono::NaiveDate,
}

/// What [`Store::fill_follow_up`] wrote.
#[derive(Debug, Default)]
pub struct FollowUpCounts {
    /// The provider of each län's courses: (län code, organisation id).
    pub providers: Vec<(String, i64)>,
    pub occasions: usize,
    pub enrolments: usize,
    pub attendance: usize,
    pub follow_ups: usize,
    pub answers: usize,
}

impl Store {
    /// Moves the data version as a change to a Semaforen input would, so that a benchmark can
    /// time the computation behind a cached list.
    ///
    /// # Errors
    /// A database error.
    pub async fn touch_data_version(&self) -> crate::Result<()> {
        crate::on_pool!(self, p => sqlx::query("UPDATE data_version SET version = version + 1 WHERE id = 1")
            .execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Writes a generated year of follow-up (see [`FillFollowUp`]) with multi-row inserts in
    /// one transaction. Deterministic: the same input writes the same rows.
    ///
    /// # Errors
    /// A database error.
    pub async fn fill_follow_up(
        &self,
        f: &FillFollowUp,
        now: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<FollowUpCounts> {
        use crate::bulk_insert;
        use chrono::Duration;
        // One provider per län, so that a provider's report covers one län's courses.
        let mut providers: Vec<(String, i64)> = Vec::new();
        for kommun in &f.kommuner {
            let lan = kommun.get(..2).unwrap_or_default();
            if providers.iter().any(|(l, _)| l == lan) {
                continue;
            }
            let name = format!("Anordnare {lan}");
            let (id,): (i64,) = crate::on_pool!(self, p => sqlx::query_as(
                "INSERT INTO organisation (name, name_fold, sort_key, kind, created_at)
                 VALUES ($1, $2, $3, 'learning_centre', $4) RETURNING id")
                .bind(&name).bind(name.to_lowercase())
                .bind(larnav_domain::text::swedish_sort_key(&name)).bind(now)
                .fetch_one(p).await)?;
            providers.push((lan.to_string(), id));
        }
        let provider_of = |kommun: &str| {
            providers
                .iter()
                .find(|(l, _)| kommun.starts_with(l.as_str()))
                .map_or(0, |(_, id)| *id)
        };
        let sort_key = larnav_domain::text::swedish_sort_key("Deltagare");
        const KINDS: [&str; 4] = [
            "course",
            "municipal_adult_education",
            "folk_high_school",
            "learning_centre_course",
        ];
        let base = |table: &str| format!("SELECT COALESCE(MAX(id), 0) FROM {table}");
        let mut first = Vec::new();
        for table in [
            "offering",
            "occasion",
            "offering_session",
            "app_user",
            "enrolment",
        ] {
            let (id,): (i64,) = crate::on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(base(table))).fetch_one(p).await)?;
            first.push(id + 1);
        }
        let occasions = f.enrolments.div_ceil(f.per_occasion);
        // Two occasions per offering.
        let offerings: Vec<(i64, usize)> = (0..occasions.div_ceil(2))
            .map(|i| (first[0] + i as i64, i))
            .collect();
        let occ: Vec<(i64, i64, chrono::NaiveDate)> = (0..occasions)
            .map(|i| {
                let start = f.starts + Duration::days((i % 200) as i64);
                (first[1] + i as i64, first[0] + (i / 2) as i64, start)
            })
            .collect();
        let sessions: Vec<(i64, i64, chrono::DateTime<chrono::Utc>)> = occ
            .iter()
            .enumerate()
            .flat_map(|(i, (id, _, start))| {
                let at = start.and_hms_opt(13, 0, 0).unwrap_or_default().and_utc();
                let first_session = first[2];
                (0..f.sessions).map(move |s| {
                    (
                        first_session + (i * f.sessions + s) as i64,
                        *id,
                        at + Duration::days(7 * s as i64),
                    )
                })
            })
            .collect();
        // Participant n: occasion n / per_occasion; 80 % completed, 12 % interrupted, 5 % not
        // passed, 3 % still enrolled.
        let status = |n: usize| match n % 100 {
            0..80 => "completed",
            80..92 => "interrupted",
            92..97 => "not_passed",
            _ => "enrolled",
        };
        let ends = |o: usize| occ[o].2 + Duration::days(7 * f.sessions as i64);
        let people: Vec<(i64, usize)> = (0..f.enrolments)
            .map(|n| (first[3] + n as i64, n))
            .collect();
        let enrolments: Vec<(i64, i64, i64, &str, Option<chrono::NaiveDate>)> = people
            .iter()
            .map(|(user, n)| {
                let o = n / f.per_occasion;
                let s = status(*n);
                let ended = (s != "enrolled").then(|| ends(o));
                (first[4] + *n as i64, occ[o].0, *user, s, ended)
            })
            .collect();
        let mut attendance = Vec::with_capacity(f.enrolments * f.sessions);
        for (id, _, _, _, _) in &enrolments {
            let n = (id - first[4]) as usize;
            let o = n / f.per_occasion;
            for s in 0..f.sessions {
                attendance.push((
                    *id,
                    sessions[o * f.sessions + s].0,
                    !(n + s).is_multiple_of(9),
                ));
            }
        }
        // Follow-ups of the ended: answered at 6 months by 80 %, at 12 by half, at 1 by a
        // quarter; in work mostly, in the occupation about two in three of those.
        let mut follow_ups = Vec::new();
        for (id, _, _, s, ended) in &enrolments {
            let Some(ended) = ended else { continue };
            let n = (id - first[4]) as usize;
            for (months, answered) in [
                (1, n.is_multiple_of(4)),
                (6, !n.is_multiple_of(5)),
                (12, n.is_multiple_of(2)),
            ] {
                let in_work = answered.then_some(!n.is_multiple_of(7));
                let in_occupation = answered.then_some(*s == "completed" && !n.is_multiple_of(3));
                follow_ups.push((
                    *id,
                    months,
                    *ended + Duration::days(30 * months),
                    answered,
                    in_work,
                    in_occupation,
                ));
            }
        }
        let counts = FollowUpCounts {
            providers: providers.clone(),
            occasions,
            enrolments: enrolments.len(),
            attendance: attendance.len(),
            follow_ups: follow_ups.len(),
            answers: follow_ups.iter().filter(|u| u.3).count(),
        };
        crate::on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            bulk_insert!(tx, "offering", ["id", "provider_id", "provider_name", "internal", "kind",
                    "title", "summary", "description", "seqf_level", "credit_kind", "pace_percent",
                    "format", "kommun_code", "address", "language", "payer", "eligibility", "url",
                    "status", "source", "version", "created_at", "updated_at"],
                offerings, |q, o| q.bind(o.0).bind(provider_of(&f.kommuner[o.1 % f.kommuner.len()]))
                    .bind("Anordnare").bind(false).bind(KINDS[o.1 % KINDS.len()]).bind(format!("Kurs {}", o.1))
                    .bind("").bind("").bind(2 + (o.1 % 5) as i64).bind("none").bind(100_i64)
                    .bind("on_site").bind(&f.kommuner[o.1 % f.kommuner.len()]).bind("").bind("sv")
                    .bind("free").bind("").bind("").bind("completed").bind("lärnav").bind(1_i64)
                    .bind(now).bind(now));
            bulk_insert!(tx, "offering_occupation", ["offering_id", "ssyk_code"],
                offerings, |q, o| q.bind(o.0).bind(&f.occupations[(o.1 * 7) % f.occupations.len()]));
            bulk_insert!(tx, "occasion", ["id", "offering_id", "starts_on", "ends_on",
                    "application_mode", "seats", "place"],
                occ, |q, o| q.bind(o.0).bind(o.1).bind(o.2)
                    .bind(o.2 + Duration::days(7 * f.sessions as i64)).bind("fixed")
                    .bind(f.per_occasion as i64).bind(""));
            bulk_insert!(tx, "offering_session", ["id", "occasion_id", "starts_at", "ends_at",
                    "title", "link"],
                sessions, |q, s| q.bind(s.0).bind(s.1).bind(s.2).bind(s.2 + Duration::hours(2))
                    .bind("Träff").bind(""));
            bulk_insert!(tx, "app_user", ["id", "email", "display_name", "name_fold", "sort_key",
                    "locale", "created_at"],
                people, |q, a| q.bind(a.0).bind(format!("deltagare{}@bench.invalid", a.1))
                    .bind(format!("Deltagare {}", a.1)).bind(format!("deltagare {}", a.1))
                    .bind(&sort_key).bind("sv").bind(now));
            bulk_insert!(tx, "enrolment", ["id", "occasion_id", "user_id", "source", "status",
                    "ended_on", "reason", "created_at", "updated_at"],
                enrolments, |q, e| q.bind(e.0).bind(e.1).bind(e.2).bind("direct").bind(e.3)
                    .bind(e.4).bind((e.3 == "interrupted").then_some("work")).bind(now).bind(now));
            bulk_insert!(tx, "attendance", ["enrolment_id", "session_id", "present", "marked_at"],
                attendance, |q, a| q.bind(a.0).bind(a.1).bind(a.2).bind(now));
            bulk_insert!(tx, "follow_up", ["enrolment_id", "months", "due_on", "sent_at",
                    "answered_at", "in_work", "in_occupation"],
                follow_ups, |q, u| q.bind(u.0).bind(u.1).bind(u.2).bind(u.3.then_some(now))
                    .bind(u.3.then_some(now)).bind(u.4).bind(u.5));
            tx.commit().await?;
            Ok::<_, crate::StoreError>(())
        })?;
        Ok(counts)
    }
}
