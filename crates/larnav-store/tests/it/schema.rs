use larnav_store::testing::{TestDatabase, all_backends};
use larnav_store::{Backend, Store, StoreError};

#[tokio::test]
async fn both_backends_have_the_same_tables_and_columns() {
    let mut schemas = Vec::new();
    for backend in all_backends() {
        let db = TestDatabase::create(backend).await;
        let store = db.store().await;
        schemas.push(store.schema_columns().await.unwrap());
        store.close().await;
        db.cleanup().await;
    }
    assert!(schemas[0].len() > 50, "the schema has its tables");
    if let [sqlite, postgres] = &schemas[..] {
        assert_eq!(sqlite, postgres);
    }
}

#[tokio::test]
async fn migrating_twice_changes_nothing() {
    crate::each_backend(|store, _| async move {
        store.migrate().await.unwrap();
        store.ping().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn an_unknown_database_scheme_is_a_clear_error() {
    let err = Store::connect("mysql://localhost/larnav", 1)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownScheme(ref s) if s == "mysql"),
        "{err}"
    );
    assert!(err.to_string().contains("sqlite://"));
    let err = Store::connect("larnav.db", 1).await.unwrap_err();
    assert!(matches!(err, StoreError::UnknownScheme(_)));
}

#[tokio::test]
async fn a_sqlite_database_and_its_directory_are_created_on_first_start_in_wal_mode() {
    let db = TestDatabase::create(Backend::Sqlite).await;
    let nested = db.url.replace("/larnav.db", "/nested/dir/larnav.db");
    let store = Store::connect(&nested, 1).await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    let path = nested.trim_start_matches("sqlite://");
    assert!(std::path::Path::new(path).exists());
    assert!(
        std::path::Path::new(&format!("{path}-wal")).exists(),
        "WAL mode leaves a -wal file"
    );
    store.close().await;
    db.cleanup().await;
}

#[tokio::test]
async fn meta_values_are_set_once_by_whoever_comes_first() {
    crate::each_backend(|store, _| async move {
        assert_eq!(store.meta_get("k").await.unwrap(), None);
        assert_eq!(
            store.meta_get_or_insert("k", "first").await.unwrap(),
            "first"
        );
        assert_eq!(
            store.meta_get_or_insert("k", "second").await.unwrap(),
            "first"
        );
        store.meta_set("k", "third").await.unwrap();
        assert_eq!(store.meta_get("k").await.unwrap().as_deref(), Some("third"));
    })
    .await;
}

/// SQLite reads the planner's statistics when a connection opens; an ANALYZE in one connection
/// does not reach the others. After `refresh_statistics` every connection the pool hands out
/// must plan with the new figures (a stale one made the follow-up view several times slower).
#[tokio::test]
async fn every_pooled_sqlite_connection_plans_with_the_statistics_of_the_last_refresh() {
    let db = TestDatabase::create(Backend::Sqlite).await;
    let store = Store::connect(&db.url, 2).await.unwrap();
    let fill = |rows: u32, a: &str, b: &str| {
        format!(
            "INSERT INTO t WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
             WHERE i < {rows}) SELECT {a}, {b} FROM n"
        )
    };
    for sql in [
        "CREATE TABLE t (a INTEGER, b INTEGER)",
        "CREATE INDEX t_a ON t (a)",
        "CREATE INDEX t_b ON t (b)",
        &fill(1000, "i", "i % 2"),
    ] {
        store.execute_unchecked(sql).await.unwrap();
    }
    store.refresh_statistics().await.unwrap();
    let query = "SELECT * FROM t WHERE a = 5 AND b = 1";
    for plan in store.query_plans(query, 2).await.unwrap() {
        assert!(plan.contains("t_a"), "a is the selective column: {plan}");
    }
    // The data turns around: now b tells rows apart, a does not.
    store.execute_unchecked("DELETE FROM t").await.unwrap();
    store
        .execute_unchecked(&fill(50_000, "i % 2", "i"))
        .await
        .unwrap();
    store.refresh_statistics().await.unwrap();
    for plan in store.query_plans(query, 2).await.unwrap() {
        assert!(
            plan.contains("t_b"),
            "b is the selective column now: {plan}"
        );
    }
    store.close().await;
    db.cleanup().await;
}
