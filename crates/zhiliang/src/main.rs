//! The `zhiliang` binary: serve the platform, load demo data, import files, manage accounts, benchmark.

mod bench;
mod bench_certificates;
mod bench_complaints;
mod bench_credit;
mod bench_inspections;
mod bench_labs;
mod bench_log;
mod bench_signals;
mod bench_traceability;
mod load;
mod verify;

use cli::{demo, import};

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use store::{NewUser, Role, Store, DEFAULT_DATABASE_URL};
use tracing_subscriber::EnvFilter;

/// mimalloc: imports and request handling allocate many small strings, where glibc's allocator spends a
/// quarter of the import's time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// zhiliang (质量): national product-quality supervision platform.
#[derive(Debug, Parser)]
#[command(name = "zhiliang", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the data lives.
#[derive(Debug, Args)]
struct Database {
    /// Database URL: sqlite://FILE (embedded, the default) or postgres://USER@HOST/DB.
    #[arg(long, env = "ZHILIANG_DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    database_url: String,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server (JSON API and pages).
    Serve {
        /// A TOML configuration file (default: `zhiliang.toml` in the working directory, when there is one).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Database URL: sqlite://FILE or postgres://USER@HOST/DB (default: the configuration's
        /// `server.database_url`, else sqlite://zhiliang.db).
        #[arg(long, env = "ZHILIANG_DATABASE_URL")]
        database_url: Option<String>,
        /// Address to listen on (default: the configuration's `server.listen`, else 127.0.0.1:8080).
        #[arg(long, env = "ZHILIANG_LISTEN")]
        listen: Option<SocketAddr>,
        /// Load the small demo dataset first when the database has no organizations.
        #[arg(long)]
        demo: bool,
    },
    /// Load a deterministic demo dataset: organizations in every province, products, categories.
    Demo {
        #[command(flatten)]
        database: Database,
        /// How much data: small (1,000 organizations), medium (100,000), large (1,000,000).
        #[arg(long, value_enum, default_value_t = demo::Scale::Small)]
        scale: demo::Scale,
        /// Random seed; the same seed gives the same data.
        #[arg(long, default_value_t = 2011)]
        seed: u64,
    },
    /// Import organizations, products, inspection results, injury cases or complaints from CSV or JSON Lines.
    /// Rejected rows go to FILE.rejects.csv;
    /// exit 0 when none was rejected, 2 when some were, 1 when nothing could be imported.
    Import {
        #[command(flatten)]
        database: Database,
        /// What the file holds.
        #[arg(value_enum)]
        kind: import::Kind,
        /// The file: `.csv` with a header row, or `.jsonl` with one object a line (field names as in the API).
        file: PathBuf,
        /// Rows per transaction; a crash loses at most the batch in progress.
        #[arg(long, default_value_t = import::DEFAULT_BATCH_SIZE)]
        batch_size: usize,
        /// The account (login name) the import acts as: its audit rows carry it.
        #[arg(long = "as", env = "ZHILIANG_IMPORT_AS")]
        account: Option<String>,
    },
    /// The working-day calendar: load a year's holiday notice (放假安排) and move the deadlines it changes.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// The standards catalogue (标准目录): load editions from a CSV or JSON file, list them.
    Standards {
        #[command(subcommand)]
        command: StandardsCommand,
    },
    /// The key-product catalogue (重点产品目录): load classes and products from a CSV or JSON file, list them.
    Catalogue {
        #[command(subcommand)]
        command: CatalogueCommand,
    },
    /// Check a certificate's signed status statement offline (what `GET /api/v1/certificates/{number}?statement=true`
    /// answers, saved to a file), with the log's verifier key: exit 0 and where the certificate stands, or exit 1
    /// and what does not hold.
    CheckStatement {
        /// The saved answer, or its `statement` alone.
        file: PathBuf,
        /// The log's verifier key (`name+id+base64`, from /api/v1/log/public-key or the operator).
        #[arg(long)]
        key: String,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Rebuild the derived Chinese full-text search index from the stored names.
    Reindex {
        #[command(flatten)]
        database: Database,
    },
    /// Verify a zhiliang public log from outside: the checkpoint's signature, every entry's bytes against the
    /// signed root, every inclusion proof and consistency with earlier sizes. Exit 1 names what does not hold.
    Verify {
        /// The server, e.g. http://127.0.0.1:8080 or https://zhiliang.example.gov.cn.
        #[arg(long)]
        url: String,
        /// The log's verifier key to trust (`name+id+base64`, from /api/v1/log/public-key or the operator);
        /// without it, the key met on the first run is remembered and must not change.
        #[arg(long = "key")]
        trusted_key: Option<String>,
        /// Where accepted checkpoints are remembered, per log; the default is under $XDG_STATE_HOME or
        /// ~/.local/state.
        #[arg(long)]
        state: Option<std::path::PathBuf>,
        /// A witness (`cosignature/v1` verifier key) whose cosignature the checkpoint must carry; repeatable.
        #[arg(long = "witness")]
        witnesses: Vec<String>,
        /// Extra root certificates (PEM) for HTTPS.
        #[arg(long)]
        ca_file: Option<std::path::PathBuf>,
    },
    /// Bring every credit file up to date (records from inspections, recalls and complaints) and score every
    /// organization with the bundled credit model; class changes go to the public log. Run it daily.
    CreditRecompute {
        #[command(flatten)]
        database: Database,
        /// The day to score for (YYYY-MM-DD); today (UTC+8) by default.
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
    },
    /// Apply database migrations and load reference data, then exit.
    Migrate {
        #[command(flatten)]
        database: Database,
    },
    /// Measure import and lookup speed on generated data and print a table with the baselines.
    Bench(bench::BenchArgs),
}

#[derive(Debug, Subcommand)]
enum CalendarCommand {
    /// Load a year's notice from a holiday-cn JSON file (`{"year", "papers", "days": [{"name", "date",
    /// "isOffDay"}]}`); every running deadline counted provisionally over that year is recounted and recorded in
    /// its case's history. A running server takes the new calendar within a minute.
    Import {
        #[command(flatten)]
        database: Database,
        /// The notice file.
        file: PathBuf,
    },
    /// List the loaded years and where each came from.
    List {
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Debug, Subcommand)]
enum StandardsCommand {
    /// Load editions: CSV with the header number,title,status,effective_on,ended_on,replaced_by (or JSON
    /// `{"editions": [...]}`), checked with the stored catalogue as a whole; with any rejected row nothing is stored
    /// and every rejected row is printed with its line, field and code.
    Import {
        #[command(flatten)]
        database: Database,
        /// The file: `.json` is read as JSON, anything else as CSV.
        file: PathBuf,
        /// Where the editions come from; kept with the load.
        #[arg(long)]
        note: Option<String>,
    },
    /// List the editions whose number starts with (or whose title holds) the text, tab-separated.
    List {
        #[command(flatten)]
        database: Database,
        /// The start of a number (`GB 4806`) or a word of the title; all editions when absent.
        query: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum CatalogueCommand {
    /// Load entries: CSV with the header code,name_zh,name_en,level,parent,edition,regimes,maps_to,listing (or
    /// JSON `{"entries": [...]}`), checked with the stored catalogue as a whole; with any rejected row nothing is
    /// stored and every rejected row is printed with its line, field and code. A running server sees the new
    /// entries within seconds.
    Import {
        #[command(flatten)]
        database: Database,
        /// The file: `.json` is read as JSON, anything else as CSV.
        file: PathBuf,
        /// Where the entries come from; kept with the load.
        #[arg(long)]
        note: Option<String>,
    },
    /// List the listed entries with their regimes, tab-separated: code, level, edition, regimes, maps_to, name.
    List {
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account and print its API token (shown only once).
    Add {
        #[command(flatten)]
        database: Database,
        /// The account's role.
        #[arg(long, value_parser = role_parser())]
        role: Role,
        /// Jurisdiction of a regulator: GB/T 2260 code or 2/4-digit prefix, e.g. 3301.
        #[arg(long)]
        region: Option<String>,
        /// An enterprise account's own unified social credit code.
        #[arg(long)]
        uscc: Option<String>,
        /// Display name (a laboratory's name is how samples name it).
        #[arg(long)]
        name: Option<String>,
        /// Login name for signing in to the pages; the password is read from standard input.
        #[arg(long, requires = "password_stdin")]
        login: Option<String>,
        /// Read the password for `--login` from the first line of standard input.
        #[arg(long, requires = "login")]
        password_stdin: bool,
    },
}

/// Parses a role by its stable name, listing the names in `--help`.
fn role_parser() -> impl clap::builder::TypedValueParser<Value = Role> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Role::ALL.map(Role::as_str))
        .map(|name: String| Role::from_name(&name).expect("only listed names get here"))
}

async fn open(database: &Database) -> anyhow::Result<Store> {
    Store::open(&database.database_url)
        .await
        .with_context(|| format!("could not open database {}", server::config::redacted_url(&database.database_url)))
}

fn main() -> ExitCode {
    // Lines go to stderr from a background thread, so a request never waits on the write; under a flood the
    // writer drops lines rather than slow the service (the audit log, not this one, is the record of writes).
    let (writer, _flush_on_exit) = tracing_appender::non_blocking(std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("ZHILIANG_LOG").unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(writer)
        // Colour codes only for a terminal: a log file or journal gets plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve { config, database_url, listen, demo } => {
            let mut config = server::config::Config::load(config.as_deref())?;
            // Flags come last.
            if let Some(url) = database_url {
                config.server.database_url = url;
            }
            if let Some(listen) = listen {
                config.server.listen = listen;
            }
            tracing::debug!(?config, "configuration");
            let store = open(&Database { database_url: config.server.database_url.clone() }).await?;
            if demo && store.count_organizations().await? == 0 {
                tracing::info!("empty database: loading the small demo dataset");
                demo::load(&store, demo::Scale::Small, 2011).await?;
            }
            serve(store, &config).await?;
        }
        Command::Demo { database, scale, seed } => {
            let store = open(&database).await?;
            let (organizations, products) = demo::load(&store, scale, seed).await?;
            println!("loaded {organizations} organizations and {products} products");
        }
        Command::Import { database, kind, file, batch_size, account } => {
            let store = open(&database).await?;
            return import::run(&store, kind, &file, batch_size.max(1), account.as_deref()).await;
        }
        Command::Calendar { command: CalendarCommand::Import { database, file } } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("could not read {}", file.display()))?;
            let schedule =
                calendar::YearSchedule::parse_json(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let store = open(&database).await?;
            let (_, report) = service::deadlines::load_year(&store, &schedule, None, service::today())
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            let verb = if report.replaced { "replaced" } else { "loaded" };
            println!("{verb} the notice of {}; {} deadlines moved", report.year, report.moved.len());
            for moved in &report.moved {
                println!(
                    "  {} {} {}: {} -> {}",
                    moved.subject_kind, moved.subject_id, moved.deadline, moved.from, moved.to
                );
            }
            for skipped in &report.skipped {
                eprintln!("  {skipped} changed during the load; its deadline is recounted at its next step");
            }
        }
        Command::Standards { command: StandardsCommand::Import { database, file, note } } => {
            let (text, format, note) = load_file(&file, note)?;
            let store = open(&database).await?;
            let loaded = service::standards::load_as(&store, None, format, &text, &note).await;
            report_load(&file, "editions", loaded)?;
        }
        Command::Catalogue { command: CatalogueCommand::Import { database, file, note } } => {
            let (text, format, note) = load_file(&file, note)?;
            let store = open(&database).await?;
            let loaded = service::catalogue::load_as(&store, None, format, &text, &note).await;
            report_load(&file, "entries", loaded)?;
        }
        Command::CheckStatement { file, key } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("could not read {}", file.display()))?;
            let value: serde_json::Value = serde_json::from_str(&text).context("the file is not JSON")?;
            let statement = value.get("statement").cloned().unwrap_or(value);
            let statement: service::certification::StatusStatement =
                serde_json::from_value(statement).context("the file holds no status statement")?;
            let checked = service::certification::check_statement(&statement, &key)?;
            println!(
                "certificate {}: {} ({}) since {}, expires {}; entry {} of {} in log {}, signature and proof hold",
                checked.number,
                checked.status,
                checked.reason,
                checked.on,
                checked.expires_on,
                statement.log_index,
                checked.tree_size,
                checked.log_origin
            );
        }
        Command::Catalogue { command: CatalogueCommand::List { database } } => {
            let store = open(&database).await?;
            let entries = service::catalogue::list(&store, Default::default())
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            for e in &entries {
                let regimes: Vec<&str> = e.regimes.iter().map(|r| r.as_str()).collect();
                let edition = e.edition.map(|y| y.to_string()).unwrap_or_default();
                let maps_to = e.maps_to.as_deref().unwrap_or_default();
                println!("{}\t{}\t{edition}\t{}\t{maps_to}\t{}", e.code, e.level, regimes.join(";"), e.name_zh);
            }
        }
        Command::Standards { command: StandardsCommand::List { database, query } } => {
            let store = open(&database).await?;
            let mut after = None;
            loop {
                let query = service::standards::EditionQuery {
                    q: query.clone(),
                    after,
                    limit: Some(500),
                    ..Default::default()
                };
                let page =
                    service::standards::page(&store, query).await.map_err(|e| anyhow::anyhow!("{}", e.message))?;
                for e in &page.editions {
                    let ended = e.ended_on.map(|d| d.to_string()).unwrap_or_default();
                    let by = e.replaced_by.as_deref().unwrap_or_default();
                    println!("{}\t{}\t{}\t{}\t{ended}\t{by}", e.number, e.status, e.effective_on, e.title);
                }
                match page.next_after {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
        }
        Command::Calendar { command: CalendarCommand::List { database } } => {
            let store = open(&database).await?;
            service::deadlines::stored_calendar(&store).await.map_err(|e| anyhow::anyhow!("{}", e.message))?;
            for year in store.calendar_years().await? {
                println!("{}\t{}\t{}", year.year, year.source, year.loaded_at);
            }
        }
        Command::User { command: UserCommand::Add { database, role, region, uscc, name, login, password_stdin } } => {
            let region = region.map(|r| codes::RegionCode::parse(&r).map(|c| c.to_string())).transpose()?;
            let uscc = uscc.map(|u| codes::Uscc::parse(&u).map(|c| c.to_string())).transpose()?;
            match role {
                Role::Regulator if region.is_none() => bail!("a regulator needs --region"),
                Role::Enterprise if uscc.is_none() => bail!("an enterprise needs --uscc"),
                Role::Lab if uscc.is_none() => bail!("a laboratory needs --uscc: samples name their laboratory by it"),
                _ => {}
            }
            let store = open(&database).await?;
            let name = name.unwrap_or_else(|| role.as_str().to_owned());
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line).context("could not read the password")?;
                let password = line.trim_end_matches(['\r', '\n']).to_owned();
                if password.chars().count() < 8 {
                    bail!("the password must have at least 8 characters");
                }
                Some(password)
            } else {
                None
            };
            let (user, token) =
                store.add_user(&NewUser { name, role, region_code: region, uscc, login, password }).await?;
            eprintln!("created account {} ({}); the token is shown only once:", user.id, role.as_str());
            println!("{token}");
        }
        Command::Reindex { database } => {
            let store = open(&database).await?;
            let rows = store.rebuild_search_index().await?;
            println!("reindexed {rows} rows");
        }
        Command::CreditRecompute { database, as_of } => {
            let store = open(&database).await?;
            let model = credit::Model::bundled();
            let batch = server::config::Config::load(None)?.settings()?.scoring_batch;
            let collected = service::credit_scoring::collect(&store, model, None).await?;
            let summary =
                service::credit_scoring::rescore_all(&store, model, as_of.unwrap_or_else(service::today), batch)
                    .await?;
            println!("collected {collected} new records; {}", serde_json::to_string(&summary)?);
        }
        Command::Migrate { database } => {
            open(&database).await?;
            println!("database is up to date");
        }
        Command::Bench(args) => bench::run(args).await?,
        Command::Verify { url, trusted_key, state, witnesses, ca_file } => {
            let options = verify::Options {
                url: url.clone(),
                trusted_key,
                state_file: state.unwrap_or_else(verify::default_state_file),
                witnesses,
                ca_file,
            };
            let report = tokio::task::spawn_blocking(move || verify::verify(&options)).await??;
            println!(
                "log {} at {url}: {} entries, root {}, key {}",
                report.origin, report.tree_size, report.root, report.key_id
            );
            match report.previously_accepted {
                Some(size) => println!("extends the checkpoint of {size} entries accepted before"),
                None => println!("first checkpoint accepted from this log"),
            }
            for (witness, time) in &report.cosigned_by {
                println!("cosigned by {witness} at {time}");
            }
            if !report.problems.is_empty() {
                for problem in &report.problems {
                    eprintln!("MISMATCH {problem}");
                }
                eprintln!("{} problems: the log does not verify", report.problems.len());
                return Ok(ExitCode::from(1));
            }
            println!(
                "verified: signature, every entry, every inclusion proof, consistency with earlier sizes and with \
                 the checkpoint accepted before"
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve(store: Store, config: &server::config::Config) -> anyhow::Result<()> {
    let listen = config.server.listen;
    service::check_rules().map_err(anyhow::Error::msg).context("the shipped rules")?;
    let listener =
        tokio::net::TcpListener::bind(listen).await.with_context(|| format!("could not listen on {listen}"))?;
    tracing::info!(backend = store.backend_name(), "zhiliang listening on http://{}", listener.local_addr()?);
    let state = server::AppState::new(store.clone())
        .with_web(config.web()?)
        .with_log(config.log(&store))
        .with_settings(config.settings()?)
        .with_submission_limit(Some(config.limits.submissions_per_minute));
    // A key that is not the log's, or a key file others may read, stops the server here, not at first signing.
    let signer = service::log_signing::load_signer(&state.log.config, &store).await.context("the public log's key")?;
    tracing::info!(verifier_key = %signer.verifier_key(), "public log signing key");
    state.log.signer.set(signer).ok();
    state.reload_calendar().await.map_err(|e| anyhow::anyhow!("the working-day calendar: {}", e.message))?;
    // A notice loaded by `zhiliang calendar import` (another process) comes into force here within a minute.
    let reloading = state.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        every.tick().await;
        loop {
            every.tick().await;
            if let Err(error) = reloading.reload_calendar().await {
                tracing::error!(error = %error.message, "could not reload the working-day calendar");
            }
        }
    });
    // The log's subtree hashes are read into memory beside serving: proofs meanwhile read them from the store.
    let filling = state.clone();
    tokio::spawn(async move {
        let filled = match filling.store.log_size().await {
            Ok(size) => service::log::fill_subtrees(&filling.services, size).await.map_err(|e| e.message),
            Err(e) => Err(e.to_string()),
        };
        if let Err(error) = filled {
            tracing::error!(%error, "could not read the log's subtrees into memory");
        }
    });
    let app = server::app(state);
    axum::serve(listener, app.into_make_service_with_connect_info())
        .with_graceful_shutdown(async {
            tokio::signal::ctrl_c().await.ok();
            tracing::info!("shutting down");
        })
        .await
        .context("server failed")?;
    store.close().await;
    Ok(())
}

/// A reference-catalogue file's text, its format (`.json` is JSON, anything else CSV) and the load's note.
fn load_file(file: &Path, note: Option<String>) -> anyhow::Result<(String, service::batch::Format, String)> {
    let text = std::fs::read_to_string(file).with_context(|| format!("could not read {}", file.display()))?;
    let format = if file.extension().is_some_and(|e| e == "json") {
        service::batch::Format::Json
    } else {
        service::batch::Format::Csv
    };
    Ok((text, format, note.unwrap_or_else(|| file.display().to_string())))
}

/// Prints what a load stored, or every rejected row as `file:line: field [code] message` and fails.
fn report_load(
    file: &Path,
    what: &str,
    loaded: Result<Result<service::batch::LoadReceipt, service::batch::Rejected>, service::ApiError>,
) -> anyhow::Result<()> {
    match loaded.map_err(|e| anyhow::anyhow!("{}", e.message))? {
        Ok(receipt) => {
            println!(
                "load {}: {} {what}, {} added, {} changed, {} unchanged",
                receipt.import_id, receipt.received, receipt.added, receipt.changed, receipt.unchanged
            );
            Ok(())
        }
        Err(rejected) => {
            for row in &rejected.rows {
                eprintln!("{}:{}: {} [{}] {}", file.display(), row.row, row.field, row.code.as_str(), row.message);
            }
            bail!("{} rows rejected; nothing was stored", rejected.rows.len())
        }
    }
}

#[cfg(test)]
mod tests {
    use server::config::redacted_url as redacted;

    #[test]
    fn passwords_never_reach_the_log() {
        assert_eq!(redacted("postgres://zl:s3cret@db:5432/zhiliang"), "postgres://zl:***@db:5432/zhiliang");
        assert_eq!(redacted("postgres://zl@db/zhiliang"), "postgres://zl@db/zhiliang");
        assert_eq!(redacted("sqlite://zhiliang.db"), "sqlite://zhiliang.db");
    }
}
