//! Lärnav's persistence: one SQL code path on SQLite and PostgreSQL.
//!
//! The backend is chosen at run time by the database URL's scheme. [`Store`] wraps an enum of
//! the two concrete sqlx pools, and every repository method runs the *same SQL text* on either
//! (both accept `$1…$N` placeholders and `RETURNING`), written once and expanded for each pool
//! by [`on_pool!`]. sqlx's `Any` driver is not used: it cannot carry booleans, timestamps and
//! numeric aggregates across both databases. Where the SQL must differ, both variants sit side
//! by side in one function.
//!
//! Changes that must be audited take an [`AuditRecord`] and write it in the same transaction,
//! so the audit log can never miss a change that happened or record one that did not.

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

mod accounts;
mod admission;
pub use admission::*;
mod ads;
pub use ads::{KEPT_REJECTIONS, STREAM_KIND};
mod areas;
mod catalogue;
pub use catalogue::*;
mod development;
pub use development::*;
mod audit;
mod enrolment;
pub use enrolment::*;
mod meetings;
mod mentorship;
pub use meetings::*;
pub use mentorship::*;
mod material;
mod meta;
pub use material::*;
mod registry;
pub use registry::*;
pub mod model;
mod organisations;
mod outbox;
pub use outbox::{NewMail, OutboxCounts, OutboxMail, ReplyClock};
mod record;
pub use record::*;
mod reference;
mod reporting;
pub use reporting::StoredAttribute;
mod semaforen;
pub use semaforen::AnswerCounts;
mod signals;
pub mod testing;

pub use model::*;

/// Integers joined for an `IN (…)` list (`NULL` when empty, which matches nothing).
pub(crate) fn id_list(ids: &[i64]) -> String {
    if ids.is_empty() {
        "NULL".into()
    } else {
        ids.iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Expands `$body` once for each concrete pool, binding the pool to `$pool`.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Starts a write transaction. On SQLite it is `BEGIN IMMEDIATE`: a deferred transaction that
/// reads first and then writes must upgrade its lock, and SQLite answers a contended upgrade
/// with SQLITE_BUSY at once (the busy timeout does not apply, since waiting could deadlock), so
/// two people saving at the same moment would see "database is locked". Taking the write lock
/// at the start makes the second writer wait its turn within the busy timeout instead.
/// PostgreSQL's row locks need nothing of the kind.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = sqlx::Result<sqlx::Transaction<'static, Self::Db>>> + Send;
}

impl BeginWrite for SqlitePool {
    type Db = sqlx::Sqlite;
    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl BeginWrite for PgPool {
    type Db = sqlx::Postgres;
    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        self.begin().await
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Errors of the storage layer. The app layer turns them into its own errors; nothing above it
/// sees sqlx.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL scheme {0:?}: use sqlite://PATH or postgres://…")]
    UnknownScheme(String),
    #[error("cannot open the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot create the database directory {path}: {source}")]
    CreateDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("not found")]
    NotFound,
    #[error("conflicts with what is stored ({0})")]
    Conflict(Conflict),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
}

/// Why a write was refused because of what is stored. The app layer turns each into the
/// conflict people see (its code and message), by matching on the variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    /// A unique constraint: such a row exists already (the constraint, for the log).
    #[error("duplicate: {0}")]
    Duplicate(String),
    /// The admission round is published: its data is frozen.
    #[error("the round is published")]
    RoundPublished,
    /// The admission round changed (or was published) since the caller read it.
    #[error("the round changed")]
    RoundChanged,
    /// The offering was saved by someone else since the edit began.
    #[error("the offering was edited since")]
    OfferingVersion,
    /// The offering's status changed since it was read.
    #[error("the offering's status changed")]
    OfferingStatus,
    /// The ad import is running or already withdrawn.
    #[error("the import cannot be withdrawn")]
    NotWithdrawable,
    /// The organisation has a staff group of that name.
    #[error("the staff group exists")]
    StaffGroupExists,
    /// The material was saved since the edit began.
    #[error("the material was saved since")]
    MaterialStale,
    /// The material's latest version is not a draft.
    #[error("the material is not a draft")]
    MaterialNotDraft,
    /// The material's latest version is not in review.
    #[error("the material is not in review")]
    MaterialNotInReview,
    /// The meeting programme or mentorship round is not open: registrations, offers,
    /// applications and pairs change only then.
    #[error("not open")]
    NotOpen,
    /// A status change found the programme or round in another status than expected.
    #[error("the status changed")]
    StatusChanged,
    /// The enrolment was saved by someone else since it was read.
    #[error("the enrolment changed")]
    EnrolmentChanged,
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::Database(ref db) if db.is_unique_violation() => {
                let what = db
                    .constraint()
                    .map(str::to_string)
                    .unwrap_or_else(|| db.message().to_string());
                Self::Conflict(Conflict::Duplicate(what))
            }
            other => Self::Database(other),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A handle to the database; cheap to clone (the pools are reference-counted).
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    /// When [`Store::refresh_statistics`] last ran (SQLite): connections opened before it are
    /// closed instead of reused (see `connect`).
    statistics_at: Arc<Mutex<Option<Instant>>>,
}

impl Store {
    /// Opens the database that `url` names. For SQLite the file and its directory are created if
    /// missing, WAL mode and foreign keys are switched on.
    ///
    /// # Errors
    /// [`StoreError::UnknownScheme`] for anything but `sqlite:` and `postgres:`/`postgresql:`;
    /// [`StoreError::Connect`] when the database cannot be reached.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("");
        let statistics_at: Arc<Mutex<Option<Instant>>> = Arc::default();
        let pool = match scheme {
            "sqlite" => {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(StoreError::Connect)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // FULL: a commit is on disk when it returns. With NORMAL a power loss may
                    // undo the last commits after their e-mails went out (a published result
                    // the database then forgets). Cost measured: 0.2–0.8 ms per commit
                    // (docs/benchmarks.md), invisible beside a page's work.
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10));
                if let Some(dir) = options
                    .get_filename()
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                {
                    std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                        path: dir.display().to_string(),
                        source,
                    })?;
                }
                let refreshed = Arc::clone(&statistics_at);
                let pool = SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    // A SQLite connection reads the planner's statistics when it opens, and an
                    // ANALYZE in one connection does not reach the others: a connection older
                    // than the last refresh would keep planning with the old figures (measured:
                    // the follow-up view took 1.5 s on such connections, 0.4 s on new ones).
                    // It is closed instead, and the pool opens a fresh one.
                    .before_acquire(move |_, meta| {
                        let current = refreshed
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .is_none_or(|at| at.elapsed() >= meta.age);
                        Box::pin(async move { Ok(current) })
                    })
                    .connect_with(options)
                    .await
                    .map_err(StoreError::Connect)?;
                Pool::Sqlite(pool)
            }
            "postgres" | "postgresql" => {
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await
                    .map_err(StoreError::Connect)?;
                Pool::Postgres(pool)
            }
            other => return Err(StoreError::UnknownScheme(other.to_string())),
        };
        Ok(Self {
            pool,
            statistics_at,
        })
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies every pending migration for this backend. Safe to run from several processes at
    /// once: sqlx takes a lock (an advisory lock on PostgreSQL).
    ///
    /// # Errors
    /// [`StoreError::Migrate`] when a migration fails or the database has migrations this
    /// version does not know.
    pub async fn migrate(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Pool::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// Whether the database answers; for `/readyz`.
    ///
    /// # Errors
    /// The database error when it does not.
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, p => sqlx::query("SELECT 1").execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Refreshes the query planner's statistics where they are out of date. On SQLite this is
    /// `PRAGMA optimize` over every table (sampled ANALYZE of those whose size changed much),
    /// which SQLite recommends running periodically: without statistics the planner guesses,
    /// and on a large database it may then scan 1.2 million follow-ups for one län's 20,000.
    /// PostgreSQL's autovacuum keeps its statistics itself. The pool's other SQLite
    /// connections still hold the figures they read when they opened: each is closed at its
    /// next use and replaced by one that reads the new ones.
    ///
    /// # Errors
    /// A database error.
    pub async fn refresh_statistics(&self) -> Result<()> {
        if let Pool::Sqlite(p) = &self.pool {
            let mut tx = p.begin_write().await?;
            sqlx::raw_sql("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;")
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            *self
                .statistics_at
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Instant::now());
        }
        Ok(())
    }

    /// The tables and their columns, for the test that both backends' migrations agree.
    ///
    /// # Errors
    /// A database error.
    pub async fn schema_columns(&self) -> Result<Vec<(String, String)>> {
        let rows: Vec<(String, String)> = match &self.pool {
            Pool::Sqlite(p) => {
                sqlx::query_as(
                    "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'
                     ORDER BY m.name, p.name",
                )
                .fetch_all(p)
                .await?
            }
            Pool::Postgres(p) => {
                sqlx::query_as(
                    "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'
                     ORDER BY table_name, column_name",
                )
                .fetch_all(p)
                .await?
            }
        };
        Ok(rows)
    }

    /// Closes every connection (used before deleting a test database).
    pub async fn close(&self) {
        on_pool!(self, p => p.close().await);
    }
}

/// What an audited change writes to the audit log, in the same transaction as the change.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub actor_user_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub action: String,
    pub target: String,
    pub detail: String,
}

impl AuditRecord {
    pub fn new(actor_user_id: Option<i64>, action: &str, target: impl Into<String>) -> Self {
        Self {
            actor_user_id,
            organisation_id: None,
            action: action.to_string(),
            target: target.into(),
            detail: String::new(),
        }
    }

    pub fn in_organisation(mut self, organisation_id: i64) -> Self {
        self.organisation_id = Some(organisation_id);
        self
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}

/// Writes `$audit` (an [`AuditRecord`]) with the executor `$ex`, stamped `$at`.
macro_rules! write_audit {
    ($ex:expr, $audit:expr, $at:expr) => {{
        let a: &$crate::AuditRecord = $audit;
        sqlx::query(
            "INSERT INTO audit_event (at, actor_user_id, organisation_id, action, target, detail)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind($at)
        .bind(a.actor_user_id)
        .bind(a.organisation_id)
        .bind(&a.action)
        .bind(&a.target)
        .bind(&a.detail)
        .execute($ex)
        .await
    }};
}
pub(crate) use write_audit;

/// Runs one statement and writes its audit record in the same transaction: the audit log can
/// neither miss the change nor record one that was rolled back. Yields the rows changed.
macro_rules! audited {
    ($store:expr, $audit:expr, $now:expr, $query:expr) => {
        on_pool!($store, p => {
            let mut tx = p.begin_write().await?;
            let done = $query.execute(&mut *tx).await?;
            write_audit!(&mut *tx, $audit, $now)?;
            tx.commit().await?;
            done.rows_affected()
        })
    };
}
pub(crate) use audited;

/// Like [`audited`] for an INSERT … RETURNING id: yields the new id. With `target = "kind"` the
/// audit record names the new row (`kind:<id>`), which the caller could not know beforehand.
macro_rules! audited_insert {
    ($store:expr, $audit:expr, $now:expr, $query:expr) => {
        on_pool!($store, p => {
            let mut tx = p.begin_write().await?;
            let (id,): (i64,) = $query.fetch_one(&mut *tx).await?;
            write_audit!(&mut *tx, $audit, $now)?;
            tx.commit().await?;
            id
        })
    };
    ($store:expr, $audit:expr, $now:expr, target = $kind:literal, $query:expr) => {
        on_pool!($store, p => {
            let mut tx = p.begin_write().await?;
            let (id,): (i64,) = $query.fetch_one(&mut *tx).await?;
            let audit = crate::AuditRecord {
                target: format!(concat!($kind, ":{}"), id),
                ..$audit.clone()
            };
            write_audit!(&mut *tx, &audit, $now)?;
            tx.commit().await?;
            id
        })
    };
}
pub(crate) use audited_insert;

/// Rows per multi-row INSERT: well below both databases' bind-parameter limits.
pub(crate) const CHUNK: usize = 400;

/// Inserts `$rows` into `$table` with multi-row `VALUES` lists, binding each row with `$bind`.
macro_rules! bulk_insert {
    ($tx:expr, $table:literal, [$($col:literal),+], $rows:expr, |$q:ident, $r:ident| $bind:expr) => {{
        let cols: &[&str] = &[$($col),+];
        for chunk in $rows.chunks($crate::CHUNK) {
            let mut sql = format!("INSERT INTO {} ({}) VALUES ", $table, cols.join(", "));
            let mut n = 0;
            for i in 0..chunk.len() {
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for c in 0..cols.len() {
                    n += 1;
                    if c > 0 {
                        sql.push_str(", ");
                    }
                    sql.push_str(&format!("${n}"));
                }
                sql.push(')');
            }
            // Only placeholders and fixed identifiers are interpolated: safe.
            let mut $q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for $r in chunk {
                $q = $bind;
            }
            $q.execute(&mut *$tx).await?;
        }
    }};
}
pub(crate) use bulk_insert;

/// Refuses, inside a transaction, unless the row `id` of `table` (a programme or a round) is
/// open: registrations, offers, applications and pairs change only then.
macro_rules! require_open {
    ($tx:expr, $table:literal, $id:expr) => {
        let status: Option<(String,)> =
            sqlx::query_as(concat!("SELECT status FROM ", $table, " WHERE id = $1"))
                .bind($id)
                .fetch_optional(&mut *$tx)
                .await?;
        match status {
            None => return Err(StoreError::NotFound),
            Some((s,)) if s != "open" => {
                return Err(StoreError::Conflict(crate::Conflict::NotOpen));
            }
            Some(_) => {}
        }
    };
}
pub(crate) use require_open;
