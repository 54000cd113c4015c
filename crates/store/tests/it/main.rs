//! One storage story, run on SQLite and, when `ZHILIANG_TEST_POSTGRES_URL` is set, on PostgreSQL.

mod complaints;
mod credit;
mod credit_file;
mod injuries;
mod inspections;
mod migrations;
mod public_log;
mod story;
mod traceability;
mod warnings;

use store::Store;

/// A fresh store on every backend available: a temporary SQLite file, and a new PostgreSQL database.
pub async fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let mut out = vec![(Store::open(&url).await.expect("open sqlite"), Some(dir))];
    if let Ok(admin_url) = std::env::var("ZHILIANG_TEST_POSTGRES_URL") {
        out.push((fresh_postgres(&admin_url).await, None));
    }
    out
}

/// Creates an empty database on the test cluster and opens a store on it.
pub async fn fresh_postgres(admin_url: &str) -> Store {
    use sqlx::Connection;
    let name = format!("zl_{}", rand_suffix());
    let mut admin = sqlx::PgConnection::connect(admin_url).await.expect("connect to test cluster");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create database");
    let base = admin_url.rsplit_once('/').expect("URL has a database").0;
    Store::open(&format!("{base}/{name}")).await.expect("open postgres")
}

fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    format!("{}_{}", std::process::id(), nanos)
}
