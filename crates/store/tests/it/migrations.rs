//! Migrations when several servers start at once on one PostgreSQL database.

use sqlx::Connection;

/// Four stores opened together on a new database all start, and each migration is applied once: the advisory lock
/// lets one server migrate while the others wait, and they find the work done.
#[tokio::test]
async fn servers_starting_together_on_postgres_migrate_one_after_the_other() {
    let Ok(admin_url) = std::env::var("ZHILIANG_TEST_POSTGRES_URL") else { return };
    let name = format!("zl_race_{}", crate::rand_suffix());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.expect("connect to test cluster");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create database");
    let url = format!("{}/{name}", admin_url.rsplit_once('/').expect("URL has a database").0);
    let opened = futures::future::join_all((0..4).map(|_| store::Store::open(&url))).await;
    for store in &opened {
        assert!(store.is_ok(), "{:?}", store.as_ref().err());
    }
    let mut database = sqlx::PgConnection::connect(&url).await.unwrap();
    let (applied, versions): (i64, i64) =
        sqlx::query_as("SELECT count(*), max(version) FROM schema_migrations").fetch_one(&mut database).await.unwrap();
    assert_eq!(applied, versions, "each migration once");
    assert!(versions >= 13);
}

/// A schema as the catalog describes it: columns, primary keys, and indexes by their columns and uniqueness.
#[derive(Debug, PartialEq, Eq, Default)]
struct Schema {
    columns: std::collections::BTreeSet<(String, String)>,
    primary_keys: std::collections::BTreeMap<String, Vec<String>>,
    indexes: std::collections::BTreeSet<(String, Vec<String>, bool)>,
}

async fn sqlite_schema(url: &str) -> Schema {
    let mut db = sqlx::SqliteConnection::connect(url).await.unwrap();
    let mut schema = Schema::default();
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            .fetch_all(&mut db)
            .await
            .unwrap();
    // Full-text search is the dialect seam: FTS5 tables here, expression indexes on PostgreSQL.
    for table in tables.into_iter().filter(|t| !t.contains("_fts")) {
        let columns: Vec<(String, i64)> = sqlx::query_as("SELECT name, pk FROM pragma_table_info($1) ORDER BY pk, cid")
            .bind(&table)
            .fetch_all(&mut db)
            .await
            .unwrap();
        let key: Vec<String> = columns.iter().filter(|c| c.1 > 0).map(|c| c.0.clone()).collect();
        if !key.is_empty() {
            schema.primary_keys.insert(table.clone(), key);
        }
        schema.columns.extend(columns.into_iter().map(|c| (table.clone(), c.0)));
        let indexes: Vec<(String, bool, String)> =
            sqlx::query_as("SELECT name, \"unique\", origin FROM pragma_index_list($1)")
                .bind(&table)
                .fetch_all(&mut db)
                .await
                .unwrap();
        // The primary key's own index is compared as the key.
        for (index, unique, _) in indexes.into_iter().filter(|(_, _, origin)| origin != "pk") {
            let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                .bind(&index)
                .fetch_all(&mut db)
                .await
                .unwrap();
            schema.indexes.insert((table.clone(), columns, unique));
        }
    }
    schema
}

/// The schema on PostgreSQL, and the tables whose expression indexes (full-text search) were left out.
async fn postgres_schema(url: &str) -> (Schema, std::collections::BTreeSet<String>) {
    let mut db = sqlx::PgConnection::connect(url).await.unwrap();
    let mut schema = Schema::default();
    let columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    schema.columns.extend(columns);
    let indexes: Vec<(String, Vec<Option<String>>, bool, bool)> = sqlx::query_as(
        "SELECT c.relname::text, array_agg(a.attname::text ORDER BY k.ord), i.indisunique, i.indisprimary \
         FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' \
         CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) \
         LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum \
         GROUP BY i.indexrelid, c.relname, i.indisunique, i.indisprimary",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    let mut searched = std::collections::BTreeSet::new();
    for (table, columns, unique, primary) in indexes {
        let Some(columns) = columns.into_iter().collect::<Option<Vec<String>>>() else {
            searched.insert(table);
            continue;
        };
        if primary {
            schema.primary_keys.insert(table, columns);
        } else {
            schema.indexes.insert((table, columns, unique));
        }
    }
    (schema, searched)
}

/// Both backends' migrations give the same tables, columns, keys and indexes; only full-text search differs, as
/// the dialect seam says (FTS5 tables in SQLite, expression indexes in PostgreSQL, on the same four tables).
#[tokio::test]
async fn both_backends_migrate_to_the_same_schema() {
    let Ok(admin_url) = std::env::var("ZHILIANG_TEST_POSTGRES_URL") else { return };
    let dir = tempfile::tempdir().unwrap();
    let sqlite_url = format!("sqlite://{}", dir.path().join("parity.db").display());
    store::Store::open(&sqlite_url).await.unwrap();
    let name = format!("zl_parity_{}", crate::rand_suffix());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
    let postgres_url = format!("{}/{name}", admin_url.rsplit_once('/').unwrap().0);
    store::Store::open(&postgres_url).await.unwrap();

    let sqlite = sqlite_schema(&sqlite_url).await;
    let (postgres, searched) = postgres_schema(&postgres_url).await;
    assert!(sqlite.columns.len() > 200, "{} columns", sqlite.columns.len());
    let difference = |a: &std::collections::BTreeSet<(String, String)>, b| a.difference(b).cloned().collect::<Vec<_>>();
    assert_eq!(difference(&sqlite.columns, &postgres.columns), [], "columns only in SQLite");
    assert_eq!(difference(&postgres.columns, &sqlite.columns), [], "columns only in PostgreSQL");
    assert_eq!(sqlite.primary_keys, postgres.primary_keys);
    assert_eq!(sqlite.indexes, postgres.indexes);
    assert_eq!(searched.into_iter().collect::<Vec<_>>(), ["organizations", "products", "recalls", "warnings"]);
}
