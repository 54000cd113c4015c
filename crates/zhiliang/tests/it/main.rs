//! The `zhiliang` binary as a user runs it: help, imports with rejects and exit codes, accounts, crash safety.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod browser;
mod crash;
mod demo;
mod import;

/// A scratch folder with a database URL in it.
#[derive(Debug)]
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch { dir: tempfile::tempdir().unwrap() }
    }

    pub fn url(&self) -> String {
        format!("sqlite://{}", self.dir.path().join("zl.db").display())
    }

    pub fn file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// Runs `zhiliang ARGS --database-url URL`.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_zhiliang"))
            .args(args)
            .env("ZHILIANG_DATABASE_URL", self.url())
            .env("ZHILIANG_LOG", "warn")
            .output()
            .unwrap()
    }

    pub async fn store(&self) -> store::Store {
        store::Store::open(&self.url()).await.unwrap()
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch::new()
    }
}

/// A fresh database on the PostgreSQL test cluster, when `ZHILIANG_TEST_POSTGRES_URL` names one.
pub fn fresh_postgres_url(label: &str) -> Option<String> {
    let admin_url = std::env::var("ZHILIANG_TEST_POSTGRES_URL").ok()?;
    let name = format!("zl_{label}_{}", std::process::id());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async { store::bench::fresh_postgres(&admin_url, &name).await.unwrap().close().await });
    let base = admin_url.rsplit_once('/').expect("URL has a database").0;
    Some(format!("{base}/{name}"))
}

/// A loopback port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Waits until `url` answers at all (a server or driver started), for up to three minutes.
pub fn wait_for(url: &str, what: &str) {
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(180) {
        if agent.get(url).call().is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{what} did not start");
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The rows of a rejects file as `line,field,code,reason`, checking its header.
pub fn rejects(path: &Path) -> Vec<String> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    assert_eq!(reader.headers().unwrap(), vec!["line", "field", "code", "reason", "record"]);
    reader.records().map(|r| r.unwrap().iter().take(4).collect::<Vec<_>>().join(",")).collect()
}

#[test]
fn every_command_has_help_and_takes_a_database_url() {
    let scratch = Scratch::new();
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["import", "--help"],
        vec!["user", "add", "--help"],
        vec!["reindex", "--help"],
        vec!["migrate", "--help"],
        vec!["calendar", "import", "--help"],
        vec!["calendar", "list", "--help"],
        vec!["bench", "--help"],
    ] {
        let output = scratch.run(&args);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        if args.len() > 1 && args[0] != "bench" {
            assert!(stdout(&output).contains("--database-url"), "{args:?} lacks --database-url");
        }
    }
}

#[tokio::test]
async fn user_add_prints_a_working_token_once() {
    let scratch = Scratch::new();
    let output = scratch.run(&["user", "add", "--role", "regulator", "--region", "3301"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let token = stdout(&output).trim().to_owned();
    let user = scratch.store().await.user_by_token(&token).await.unwrap().expect("token works");
    assert_eq!(user.region_code.as_deref(), Some("330100"));

    let output = scratch.run(&["user", "add", "--role", "regulator"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("a regulator needs --region"));
    let output = scratch.run(&["user", "add", "--role", "enterprise", "--uscc", "91350100M000100Y44"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("check character"), "{}", stderr(&output));
}

#[tokio::test]
async fn user_add_takes_a_password_from_standard_input() {
    use std::io::Write;
    let scratch = Scratch::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhiliang"))
        .args([
            "user",
            "add",
            "--role",
            "lab",
            "--uscc",
            "12100000400000624D",
            "--name",
            "浙江省质检院",
            "--login",
            "zj-lab",
        ])
        .arg("--password-stdin")
        .env("ZHILIANG_DATABASE_URL", scratch.url())
        .env("ZHILIANG_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"long enough secret\n").unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    let user = scratch.store().await.user_by_password("zj-lab", "long enough secret").await.unwrap().expect("signs in");
    assert_eq!((user.name.as_str(), user.uscc.as_deref()), ("浙江省质检院", Some("12100000400000624D")));
    let nameless = Command::new(env!("CARGO_BIN_EXE_zhiliang"))
        .args(["user", "add", "--role", "lab", "--name", "某检验所"])
        .env("ZHILIANG_DATABASE_URL", scratch.url())
        .output()
        .unwrap();
    assert!(stderr(&nameless).contains("a laboratory needs --uscc"), "labs are told apart by USCC, not by name");
    let short = Command::new(env!("CARGO_BIN_EXE_zhiliang"))
        .args(["user", "add", "--role", "lab", "--uscc", "12100000400000624D", "--login", "x", "--password-stdin"])
        .env("ZHILIANG_DATABASE_URL", scratch.url())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(short.status.code(), Some(1));
    assert!(stderr(&short).contains("at least 8 characters"), "{}", stderr(&short));
}

#[tokio::test]
async fn demo_is_deterministic_and_loads_every_province() {
    let scratch = Scratch::new();
    let output = scratch.run(&["demo", "--scale", "small", "--seed", "5"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("loaded 1000 organizations"));
    let store = scratch.store().await;
    // The generated organizations and the eleven parties of the demo supply chain.
    assert_eq!(store.count_organizations().await.unwrap(), 1011);
    let recalls = store.recalls(&store::recalls::RecallFilter::default(), 10).await.unwrap();
    assert_eq!(recalls.len(), 1);
    assert_eq!(recalls[0].status, "notice_published");
    assert!(store.count_products().await.unwrap() > 500);
    let in_xinjiang = store.search_organizations("", Some("65"), None, 100).await.unwrap();
    assert!(!in_xinjiang.items.is_empty());
}

#[test]
fn calendar_import_loads_a_year_and_names_a_fault() {
    let scratch = Scratch::new();
    let bad = scratch.file("2027-bad.json", r#"{"year": 2027, "days": [{"date": "2027-13-01", "isOffDay": true}]}"#);
    let output = scratch.run(&["calendar", "import", bad.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("days[0].date: '2027-13-01' is not a date"), "{}", stderr(&output));
    let good = scratch.file(
        "2027.json",
        r#"{"year": 2027, "papers": [], "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}"#,
    );
    let output = scratch.run(&["calendar", "import", good.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output).trim(), "loaded the notice of 2027; 0 deadlines moved");
    let listed = stdout(&scratch.run(&["calendar", "list"]));
    assert!(listed.contains("2026\tshipped") && listed.contains("2027\tloaded"), "{listed}");
}
