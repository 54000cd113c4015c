//! `zhiliang import organizations|products FILE`: CSV or JSON Lines, checked row by row, written in
//! batches of one transaction each. Every rejected row goes to `FILE.rejects.csv` with its line and reason;
//! a crash leaves the database as of the last committed batch.

use product_catalogue::Catalogue;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};
use service::input::{
    self, INJURY_FIELDS, ORGANIZATION_FIELDS, PRODUCT_FIELDS, REQUIRED_INJURY_FIELDS, REQUIRED_SAMPLE_FIELDS,
    SAMPLE_FIELDS,
};
use store::injuries::{Hospital, InjuryCase};
use store::inspections::NewSample;
use store::{Indexed, NewOrganization, NewProduct, Store};
use tokio::sync::mpsc;

/// Rows per transaction by default: large enough that the full-text index is built in few segments, small
/// enough that a batch holds the write lock for well under a second.
pub const DEFAULT_BATCH_SIZE: usize = 50_000;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// Market entities: required `uscc,name`.
    Organizations,
    /// Products: required `gtin,name,uscc` (the producer must be registered).
    Products,
    /// Supervision sampling results, one row per sample: required `sample_id, campaign_id, campaign_level,
    /// sampled_on, product_category, uscc, region_code, channel, verdict`.
    Inspections,
    /// Injury cases from sentinel hospitals: required `case_id, treated_on, hospital_id, stratum, weight, age, sex,
    /// product_code, body_part, diagnosis, disposition`; optional `product_code_2, location, intent, hazard_code,
    /// narrative, hospital_name`.
    Injuries,
    /// Historical complaints, reports and enquiries: required `respondent_name, facts, received_on` (and the
    /// complainant's name and phone for a complaint); optional every other API field, `tracking_number` (kept, so a
    /// file imported twice is refused row by row), `outcome` and `closed_on` for closed cases.
    Complaints,
}

/// Columns a complaint file adds to the API's fields.
const COMPLAINT_IMPORT_FIELDS: &[&str] = &["tracking_number", "outcome", "closed_on"];

/// Outcomes a closed historical case may have.
const IMPORTED_OUTCOMES: &[&str] = &[
    "mediated_settlement",
    "enterprise_settlement",
    "terminated",
    "not_accepted",
    "withdrawn",
    "case_opened",
    "no_case",
    "answered",
];

impl Kind {
    fn fields(self) -> &'static [&'static str] {
        match self {
            Kind::Organizations => ORGANIZATION_FIELDS,
            Kind::Products => PRODUCT_FIELDS,
            Kind::Inspections => SAMPLE_FIELDS,
            Kind::Injuries => INJURY_FIELDS,
            Kind::Complaints => ALL_COMPLAINT_FIELDS
                .get_or_init(|| input::COMPLAINT_FIELDS.iter().chain(COMPLAINT_IMPORT_FIELDS).copied().collect()),
        }
    }

    fn required(self) -> &'static [&'static str] {
        match self {
            Kind::Organizations => &["uscc", "name"],
            Kind::Products => &["gtin", "name", "uscc"],
            Kind::Inspections => &SAMPLE_FIELDS[..REQUIRED_SAMPLE_FIELDS],
            Kind::Injuries => &INJURY_FIELDS[..REQUIRED_INJURY_FIELDS],
            Kind::Complaints => &["respondent_name", "facts", "received_on"],
        }
    }
}

static ALL_COMPLAINT_FIELDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();

/// A historical filing: the API's fields, checked once on the reader thread, and what the file adds.
#[derive(Debug, Clone)]
struct ImportedComplaint {
    fields: input::ComplaintFields,
    tracking_number: Option<String>,
    outcome: Option<String>,
    closed_on: Option<String>,
    /// Stands in for the key when the file gives no tracking number.
    line_key: String,
}

/// A rejected row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub line: u64,
    pub field: String,
    pub code: String,
    pub reason: String,
    pub record: String,
}

/// A checked row ready to write.
#[derive(Debug, Clone)]
enum Row {
    Organization(Indexed<NewOrganization>),
    Product(Indexed<NewProduct>),
    Sample(Box<NewSample>),
    Injury(Box<(InjuryCase, Hospital)>),
    Complaint(Box<ImportedComplaint>),
}

impl Row {
    fn key(&self) -> &str {
        match self {
            Row::Organization(o) => o.record.uscc.as_str(),
            Row::Product(p) => p.record.gtin.as_str(),
            Row::Sample(s) => &s.sample_id,
            Row::Injury(injury) => &injury.0.case_id,
            Row::Complaint(c) => c.tracking_number.as_deref().unwrap_or(&c.line_key),
        }
    }
}

/// What the reader thread sends: rows for one transaction, and the rows it rejected on the way.
#[derive(Debug, Default)]
struct Batch {
    rows: Vec<(u64, String, Row)>,
    rejects: Vec<Reject>,
    /// Bytes of the file read so far, for the progress bar.
    position: u64,
}

/// Totals of a run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub inserted: u64,
    pub updated: u64,
    pub rejected: u64,
}

/// The path rejects are written to: `FILE.rejects.csv`.
pub fn rejects_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".rejects.csv");
    PathBuf::from(name)
}

enum Format {
    Csv,
    JsonLines,
}

fn format_of(file: &Path) -> anyhow::Result<Format> {
    match file.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("csv") => return Ok(Format::Csv),
        Some("jsonl" | "ndjson" | "json") => return Ok(Format::JsonLines),
        _ => {}
    }
    let mut first = String::new();
    BufReader::new(File::open(file)?).read_line(&mut first)?;
    Ok(if first.trim_start().starts_with('{') { Format::JsonLines } else { Format::Csv })
}

/// Checks one record's fields and builds the row, or says which field is wrong.
fn check(kind: Kind, fields: BTreeMap<String, String>, catalogue: &Catalogue) -> Result<Row, (String, String, String)> {
    if let Some(unknown) = fields.keys().find(|k| !kind.fields().contains(&k.as_str())) {
        return Err((unknown.clone(), "invalid_request".into(), format!("unknown field '{unknown}'")));
    }
    // Every value is a string and every name known, so the field structs always deserialise.
    let value = serde_json::Value::Object(fields.into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect());
    let internal = |e: serde_json::Error| ("".to_owned(), "invalid_row".to_owned(), e.to_string());
    let result = match kind {
        // Segmenting the name here, on the reader thread, overlaps it with the database writes.
        Kind::Organizations => input::organization(serde_json::from_value(value).map_err(internal)?, None)
            .map(|o| Row::Organization(o.into())),
        Kind::Products => input::product(serde_json::from_value(value).map_err(internal)?, None, catalogue)
            .map(|p| Row::Product(p.into())),
        Kind::Inspections => input::sample(serde_json::from_value(value).map_err(internal)?, catalogue)
            .map(|sample| Row::Sample(Box::new(sample))),
        Kind::Injuries => input::injury(serde_json::from_value(value).map_err(internal)?, catalogue)
            .map(|pair| Row::Injury(Box::new(pair))),
        Kind::Complaints => return imported_complaint(value, catalogue),
    };
    result.map_err(|e| (e.field.to_owned(), e.code.as_str().to_owned(), e.message))
}

fn imported_complaint(mut value: serde_json::Value, catalogue: &Catalogue) -> Result<Row, (String, String, String)> {
    let object = value.as_object_mut().expect("built as an object");
    let mut take = |name: &str| {
        object.remove(name).and_then(|v| v.as_str().map(str::trim).map(str::to_owned)).filter(|v| !v.is_empty())
    };
    let (tracking_number, outcome, closed_on) = (take("tracking_number"), take("outcome"), take("closed_on"));
    let anonymous = take("anonymous");
    let reject = |field: &str, reason: String| (field.to_owned(), "invalid_request".to_owned(), reason);
    if let Some(number) = &tracking_number {
        if !(6..=32).contains(&number.len()) || !number.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(reject("tracking_number", format!("'{number}' is not 6 to 32 letters, digits or '-'")));
        }
    }
    if let Some(outcome) = &outcome {
        if !IMPORTED_OUTCOMES.contains(&outcome.as_str()) {
            return Err(reject("outcome", format!("'{outcome}' is not one of {}", IMPORTED_OUTCOMES.join(", "))));
        }
    }
    let mut fields: input::ComplaintFields =
        serde_json::from_value(value).map_err(|e| ("".to_owned(), "invalid_row".to_owned(), e.to_string()))?;
    fields.anonymous = match anonymous.as_deref() {
        None | Some("false" | "0" | "否") => false,
        Some("true" | "1" | "是") => true,
        Some(other) => return Err(reject("anonymous", format!("'{other}' is not true or false"))),
    };
    let today = service::today();
    let checked = input::complaint(fields.clone(), today, true, catalogue)
        .map_err(|e| (e.field.to_owned(), e.code.as_str().to_owned(), e.message))?;
    if let Some(closed) = &closed_on {
        let day = input::date("closed_on", closed)
            .map_err(|e| (e.field.to_owned(), e.code.as_str().to_owned(), e.message))?;
        if day < checked.received_on || day > today {
            return Err(reject("closed_on", format!("{day} is not between the receipt and today")));
        }
        if outcome.is_none() {
            return Err(reject("outcome", "a closed case needs its outcome".into()));
        }
    }
    let line_key = format!("\u{0}{}", rand::random::<u64>());
    Ok(Row::Complaint(Box::new(ImportedComplaint { fields, tracking_number, outcome, closed_on, line_key })))
}

/// Facts that rows of one file must agree on: a campaign's level and a stratum's population.
#[derive(Debug, Default)]
struct FileConsistency {
    campaign_levels: HashMap<String, String>,
    stratum_populations: HashMap<(String, String), i64>,
}

impl FileConsistency {
    fn check(&mut self, row: Row) -> Result<Row, (String, String, String)> {
        let Row::Sample(sample) = &row else { return Ok(row) };
        let level =
            self.campaign_levels.entry(sample.campaign_id.clone()).or_insert_with(|| sample.campaign_level.clone());
        if *level != sample.campaign_level {
            let reason = format!("campaign {} is {} in an earlier row", sample.campaign_id, level);
            return Err(("campaign_level".into(), "invalid_request".into(), reason));
        }
        if let (Some(stratum), Some(population)) = (&sample.stratum, sample.stratum_population) {
            let key = (sample.campaign_id.clone(), stratum.clone());
            let first = *self.stratum_populations.entry(key).or_insert(population);
            if first != population {
                let reason = format!("stratum population {population} differs from {first} in an earlier row");
                return Err(("stratum_population".into(), "invalid_request".into(), reason));
            }
        }
        Ok(row)
    }
}

/// Reads and checks the file on this (blocking) thread, sending batches whose keys are distinct.
fn read(
    kind: Kind,
    file: &Path,
    batch_size: usize,
    catalogue: &Catalogue,
    tx: mpsc::Sender<Batch>,
) -> anyhow::Result<()> {
    let mut batch = Batch::default();
    let mut keys = HashSet::new();
    let mut consistency = FileConsistency::default();
    let mut emit =
        |line: u64, raw: String, checked: Result<Row, (String, String, String)>, position: u64| -> anyhow::Result<()> {
            match checked.and_then(|row| consistency.check(row)) {
                Ok(row) => {
                    // A key repeated within a batch is applied in file order: the batch is sent first.
                    if keys.contains(row.key()) || batch.rows.len() >= batch_size {
                        batch.position = position;
                        tx.blocking_send(std::mem::take(&mut batch)).context("writer stopped")?;
                        keys.clear();
                    }
                    keys.insert(row.key().to_owned());
                    batch.rows.push((line, raw, row));
                }
                Err((field, code, reason)) => batch.rejects.push(Reject { line, field, code, reason, record: raw }),
            }
            Ok(())
        };
    let mut position = 0;
    match format_of(file)? {
        Format::Csv => {
            let mut reader = csv::ReaderBuilder::new().flexible(false).from_path(file)?;
            let headers: Vec<String> =
                reader.headers()?.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_owned()).collect();
            if let Some(unknown) = headers.iter().find(|h| !kind.fields().contains(&h.as_str())) {
                bail!("line 1: unknown column '{unknown}'; the columns are {}", kind.fields().join(", "));
            }
            if let Some(missing) = kind.required().iter().find(|r| !headers.iter().any(|h| h == *r)) {
                bail!("line 1: required column '{missing}' is missing");
            }
            let fields_of = |record: &csv::StringRecord| -> BTreeMap<String, String> {
                headers
                    .iter()
                    .zip(record.iter())
                    .filter(|(_, v)| !v.trim().is_empty())
                    .map(|(h, v)| (h.clone(), v.to_owned()))
                    .collect()
            };
            for record in reader.records() {
                match record {
                    // A quote left open swallows the lines after it into one record: each of those physical
                    // lines is taken on its own instead, so one damaged line costs one row, never a silent merge.
                    Ok(record) if record.iter().any(|f| f.contains('\n')) => {
                        let start = record.position().map_or(0, |p| p.line());
                        position = record.position().map_or(position, |p| p.byte());
                        let spanned = record.iter().map(|f| f.matches('\n').count()).sum::<usize>() + 1;
                        for (offset, text) in physical_lines(file, position, spanned)?.into_iter().enumerate() {
                            let line = start + offset as u64;
                            let checked = single_line_record(&text, headers.len()).map(|r| fields_of(&r));
                            emit(line, text, checked.and_then(|fields| check(kind, fields, catalogue)), position)?;
                        }
                    }
                    Ok(record) => {
                        let line = record.position().map_or(0, |p| p.line());
                        position = record.position().map_or(position, |p| p.byte());
                        let raw = record.iter().collect::<Vec<_>>().join(",");
                        emit(line, raw, check(kind, fields_of(&record), catalogue), position)?;
                    }
                    Err(error) => {
                        let line = error.position().map_or(0, |p| p.line());
                        let reason = match error.kind() {
                            csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                                format!("row has {len} fields, the header has {expected_len}")
                            }
                            _ => error.to_string(),
                        };
                        emit(line, String::new(), Err(("".into(), "invalid_row".into(), reason)), position)?;
                    }
                }
            }
        }
        Format::JsonLines => {
            let reader = BufReader::new(File::open(file)?);
            for (index, text) in reader.lines().enumerate() {
                let text = text.with_context(|| format!("line {}: could not read", index + 1))?;
                position += text.len() as u64 + 1;
                if text.trim().is_empty() {
                    continue;
                }
                let checked = json_fields(&text).and_then(|fields| check(kind, fields, catalogue));
                emit(index as u64 + 1, text, checked, position)?;
            }
        }
    }
    batch.position = position;
    tx.blocking_send(batch).context("writer stopped")?;
    Ok(())
}

/// `count` physical lines of a file from byte `start`, without their line ends.
fn physical_lines(file: &Path, start: u64, count: usize) -> anyhow::Result<Vec<String>> {
    use std::io::{Seek, SeekFrom};
    let mut reader = BufReader::new(File::open(file)?);
    reader.seek(SeekFrom::Start(start))?;
    let mut lines = Vec::with_capacity(count);
    for _ in 0..count {
        let mut bytes = Vec::new();
        if reader.read_until(b'\n', &mut bytes)? == 0 {
            break;
        }
        let text = String::from_utf8_lossy(&bytes);
        lines.push(text.trim_end_matches(['\n', '\r']).to_owned());
    }
    Ok(lines)
}

/// One physical line read as a CSV record of `width` fields; a line whose quotes do not pair, or whose field
/// count differs from the header's, is a damaged record.
fn single_line_record(text: &str, width: usize) -> Result<csv::StringRecord, (String, String, String)> {
    let damaged = |reason: String| ("".to_owned(), "invalid_row".to_owned(), reason);
    if text.matches('"').count() % 2 == 1 {
        return Err(damaged("a quote opened on this line is not closed on it; a field may not span lines".into()));
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let record = match reader.records().next() {
        Some(Ok(record)) => record,
        Some(Err(error)) => return Err(damaged(error.to_string())),
        None => return Err(damaged("the line is empty".into())),
    };
    if record.len() != width {
        return Err(damaged(format!("row has {} fields, the header has {width}", record.len())));
    }
    Ok(record)
}

/// The fields of one JSON Lines record: an object whose values are strings, numbers, booleans or null.
fn json_fields(text: &str) -> Result<BTreeMap<String, String>, (String, String, String)> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ("".into(), "invalid_json".into(), format!("not valid JSON: {e}")))?;
    let serde_json::Value::Object(map) = value else {
        return Err(("".into(), "invalid_json".into(), "a line must be a JSON object".into()));
    };
    let mut fields = BTreeMap::new();
    for (key, value) in map {
        let text = match value {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            _ => return Err((key.clone(), "invalid_request".into(), format!("field '{key}' must be a string"))),
        };
        fields.insert(key, text);
    }
    Ok(fields)
}

/// Writes rejects as CSV: line, field, code, reason, record.
struct RejectsFile {
    path: PathBuf,
    writer: Option<csv::Writer<File>>,
}

impl RejectsFile {
    fn write(&mut self, reject: &Reject) -> anyhow::Result<()> {
        if self.writer.is_none() {
            let mut writer = csv::Writer::from_path(&self.path)
                .with_context(|| format!("could not create {}", self.path.display()))?;
            writer.write_record(["line", "field", "code", "reason", "record"])?;
            self.writer = Some(writer);
        }
        let writer = self.writer.as_mut().expect("opened above");
        writer.write_record([&reject.line.to_string(), &reject.field, &reject.code, &reject.reason, &reject.record])?;
        Ok(())
    }
}

/// Imports a file and returns the totals; rejects are written beside it.
pub async fn import(
    store: &Store,
    kind: Kind,
    file: &Path,
    batch_size: usize,
    progress: &ProgressBar,
    user_id: Option<i64>,
) -> anyhow::Result<Summary> {
    if !file.is_file() {
        bail!("{} is not a file", file.display());
    }
    let rejects_path = rejects_path(file);
    if rejects_path.exists() {
        std::fs::remove_file(&rejects_path)
            .with_context(|| format!("could not remove old {}", rejects_path.display()))?;
    }
    let mut rejects = RejectsFile { path: rejects_path, writer: None };
    let (tx, mut rx) = mpsc::channel::<Batch>(2);
    let path = file.to_owned();
    let catalogue = service::catalogue::stored_catalogue(store).await.map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let reader = std::thread::spawn(move || read(kind, &path, batch_size, &catalogue, tx));
    let mut summary = Summary::default();
    while let Some(batch) = rx.recv().await {
        for reject in &batch.rejects {
            rejects.write(reject)?;
            summary.rejected += 1;
        }
        let outcome = write_batch(store, kind, batch.rows, &mut rejects, &mut summary, user_id).await?;
        summary.inserted += outcome.inserted;
        summary.updated += outcome.updated;
        progress.set_position(batch.position);
    }
    reader.join().map_err(|_| anyhow::anyhow!("the reader thread panicked"))??;
    if let Some(writer) = rejects.writer.as_mut() {
        writer.flush()?;
    }
    Ok(summary)
}

async fn write_batch(
    store: &Store,
    kind: Kind,
    rows: Vec<(u64, String, Row)>,
    rejects: &mut RejectsFile,
    summary: &mut Summary,
    user_id: Option<i64>,
) -> anyhow::Result<store::BatchOutcome> {
    let first_line = rows.first().map_or(0, |(line, ..)| *line);
    let outcome = match kind {
        Kind::Organizations => {
            let batch: Vec<Indexed<NewOrganization>> = rows
                .into_iter()
                .filter_map(|(_, _, row)| match row {
                    Row::Organization(o) => Some(o),
                    _ => None,
                })
                .collect();
            if batch.is_empty() {
                return Ok(Default::default());
            }
            store.import_organizations(batch, user_id).await
        }
        Kind::Products => {
            // A product whose producer is not registered is rejected, not the whole batch.
            let producers: Vec<String> = rows
                .iter()
                .filter_map(|(_, _, row)| match row {
                    Row::Product(p) => Some(p.record.uscc.to_string()),
                    _ => None,
                })
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            let known = store.existing_organizations(&producers).await?;
            let mut batch = Vec::with_capacity(rows.len());
            for (line, raw, row) in rows {
                let Row::Product(product) = row else { continue };
                if known.contains(product.record.uscc.as_str()) {
                    batch.push(product);
                } else {
                    rejects.write(&Reject {
                        line,
                        field: "uscc".into(),
                        code: "unknown_organization".into(),
                        reason: format!("producer {} is not registered", product.record.uscc),
                        record: raw,
                    })?;
                    summary.rejected += 1;
                }
            }
            if batch.is_empty() {
                return Ok(Default::default());
            }
            store.import_products(batch, user_id).await
        }
        Kind::Inspections => {
            // A stratum's population is fixed by the first file that gave it; a row that disagrees is rejected.
            let keys: Vec<(String, String)> = rows
                .iter()
                .filter_map(|(_, _, row)| match row {
                    Row::Sample(s) => s.stratum.clone().map(|stratum| (s.campaign_id.clone(), stratum)),
                    _ => None,
                })
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            let known = store.stratum_populations(&keys).await?;
            let mut batch = Vec::with_capacity(rows.len());
            for (line, raw, row) in rows {
                let Row::Sample(sample) = row else { continue };
                let stored = sample.stratum.as_ref().and_then(|s| known.get(&(sample.campaign_id.clone(), s.clone())));
                match (stored, sample.stratum_population) {
                    (Some(stored), Some(given)) if *stored != given => {
                        rejects.write(&Reject {
                            line,
                            field: "stratum_population".into(),
                            code: "invalid_request".into(),
                            reason: format!("stratum population {given} differs from the recorded {stored}"),
                            record: raw,
                        })?;
                        summary.rejected += 1;
                    }
                    _ => batch.push(*sample),
                }
            }
            if batch.is_empty() {
                return Ok(Default::default());
            }
            store.import_samples(&batch, user_id).await
        }
        Kind::Injuries => {
            let ids: Vec<String> = rows
                .iter()
                .filter_map(|(_, _, row)| match row {
                    Row::Injury(pair) => Some(pair.0.case_id.clone()),
                    _ => None,
                })
                .collect();
            let owners = store.injury_case_owners(&ids).await?;
            let mut hospitals: Vec<Hospital> = Vec::new();
            let mut cases = Vec::with_capacity(rows.len());
            for (line, raw, row) in rows {
                let Row::Injury(pair) = row else { continue };
                let (case, hospital) = *pair;
                if let Some(owner) = owners.get(&case.case_id).filter(|owner| **owner != case.hospital_id) {
                    rejects.write(&Reject {
                        line,
                        field: "case_id".into(),
                        code: "conflict".into(),
                        reason: format!("case {} belongs to hospital {owner}", case.case_id),
                        record: raw,
                    })?;
                    summary.rejected += 1;
                    continue;
                }
                // The last row of a hospital in the batch gives its current stratum and weight.
                match hospitals.iter_mut().find(|h| h.id == hospital.id) {
                    Some(existing) => *existing = hospital,
                    None => hospitals.push(hospital),
                }
                cases.push(case);
            }
            if cases.is_empty() {
                return Ok(Default::default());
            }
            store
                .import_injuries(&hospitals, &cases, user_id)
                .await
                .map(|(inserted, updated)| store::BatchOutcome { inserted, updated })
        }
        Kind::Complaints => {
            let mut prepared = Vec::with_capacity(rows.len());
            let taken: Vec<String> = rows
                .iter()
                .filter_map(|(_, _, row)| match row {
                    Row::Complaint(c) => c.tracking_number.clone(),
                    _ => None,
                })
                .collect();
            let taken = store.existing_tracking_numbers(&taken).await?;
            let calendar =
                service::deadlines::stored_calendar(store).await.map_err(|e| anyhow::anyhow!("{}", e.message))?;
            let catalogue =
                service::catalogue::stored_catalogue(store).await.map_err(|e| anyhow::anyhow!("{}", e.message))?;
            for (line, raw, row) in rows {
                let Row::Complaint(imported) = row else { continue };
                let mut reject = |field: &str, code: &str, reason: String| {
                    summary.rejected += 1;
                    rejects.write(&Reject { line, field: field.into(), code: code.into(), reason, record: raw.clone() })
                };
                if let Some(number) = imported.tracking_number.as_ref().filter(|n| taken.contains(*n)) {
                    reject("tracking_number", "conflict", format!("{number} is already on file"))?;
                    continue;
                }
                let ready = service::complaints::prepare(
                    store,
                    imported.fields,
                    "import",
                    service::today(),
                    true,
                    &calendar,
                    &catalogue,
                )
                .await?;
                let mut ready = match ready {
                    Ok(ready) => ready,
                    Err(error) => {
                        reject(error.field, error.code.as_str(), error.message)?;
                        continue;
                    }
                };
                if let Some(number) = imported.tracking_number {
                    ready.complaint.tracking_number = number;
                }
                if let (Some(closed), Some(outcome)) = (imported.closed_on, imported.outcome) {
                    ready.complaint.status = "closed".into();
                    ready.complaint.closed_on = Some(closed);
                    ready.complaint.outcome = Some(outcome);
                    (ready.complaint.due_kind, ready.complaint.due_on) = (None, None);
                }
                prepared.push(ready);
            }
            if prepared.is_empty() {
                return Ok(Default::default());
            }
            let complaints: Vec<_> = prepared.iter().map(|p| p.complaint.clone()).collect();
            let secrets: Vec<String> = prepared.iter().map(|p| p.secret.clone()).collect();
            let step = store::complaints::ComplaintStep { stage: "imported".into(), note: None, data: None };
            store
                .file_complaints(&complaints, &secrets, &[step], user_id)
                .await
                .map(|ids| store::BatchOutcome { inserted: ids.len() as u64, updated: 0 })
        }
    };
    outcome.with_context(|| {
        format!(
            "the batch from line {first_line} failed and none of it was written; {} rows before it were committed",
            summary.inserted + summary.updated
        )
    })
}

/// The command: import, print the summary line, choose the exit code.
pub async fn run(
    store: &Store,
    kind: Kind,
    file: &Path,
    batch_size: usize,
    login: Option<&str>,
) -> anyhow::Result<ExitCode> {
    // The command acts as a named account when given one, so every audit row of the import carries it.
    let user = match login {
        Some(login) => {
            Some(store.user_by_login(login).await?.with_context(|| format!("no account signs in as '{login}'"))?)
        }
        None => None,
    };
    let user_id = user.as_ref().map(|u| u.id);
    let size = std::fs::metadata(file).with_context(|| format!("could not read {}", file.display()))?.len();
    let progress = ProgressBar::new(size);
    progress.set_style(
        ProgressStyle::with_template("{spinner} {bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
            .expect("valid template"),
    );
    let summary = import(store, kind, file, batch_size, &progress, user_id).await;
    progress.finish_and_clear();
    let summary = summary?;
    let operator = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_default();
    let record = serde_json::json!({"inserted": summary.inserted, "updated": summary.updated,
        "rejected": summary.rejected, "operator": operator, "account": login});
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    store.audit_import(user_id, &format!("{kind:?}").to_lowercase(), &name, &record).await?;
    println!("imported {}, updated {}, rejected {}", summary.inserted, summary.updated, summary.rejected);
    if summary.rejected > 0 {
        eprintln!("rejected rows are in {}", rejects_path(file).display());
    }
    Ok(match (summary.inserted + summary.updated, summary.rejected) {
        (_, 0) => ExitCode::SUCCESS,
        (0, _) => ExitCode::from(1),
        _ => ExitCode::from(2),
    })
}
