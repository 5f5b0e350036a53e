//! Fresh databases for tests: one per test, on every backend the environment offers.
//!
//! SQLite always; PostgreSQL when `LARNAV_TEST_DATABASE_URL` names a server database that the
//! tests may use to create and drop their own databases (`.ci/run` always sets it).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::{Backend, Pool, Store};

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

/// The backends to run each conformance test on.
pub fn backends() -> Vec<Backend> {
    let mut b = vec![Backend::Sqlite];
    if std::env::var(TEST_DATABASE_ENV).is_ok_and(|v| !v.is_empty()) {
        b.push(Backend::Postgres);
    }
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
