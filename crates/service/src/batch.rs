//! Batches of rows sent as JSON (`{"<list>": [{…}, …]}`) or CSV (a header row naming the columns): read into
//! each row's fields with its number, every row that does not read named, so an all-or-nothing import can list
//! every rejected row at once.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::ErrorCode;

/// A rejected row of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RejectedRow {
    /// JSON: the record's 1-based position (0: the batch did not read); CSV: the line.
    pub row: usize,
    /// The field at fault, or empty when the row did not read.
    pub field: String,
    pub code: ErrorCode,
    pub message: String,
}

/// Rows of a batch that were rejected, so that nothing of it was stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    /// Rows read (0 when the batch did not read at all).
    pub received: usize,
    /// Each rejected row: `{row, field, code, message}`.
    pub rows: Vec<RejectedRow>,
}

/// A rejected row: its number (JSON: 1-based position; CSV: line), field, code and what is wrong.
pub fn rejected(row: usize, field: &str, code: ErrorCode, message: impl ToString) -> RejectedRow {
    RejectedRow { row, field: field.to_owned(), code, message: message.to_string() }
}

/// How a batch is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    /// CSV for a `text/csv` content type, JSON otherwise.
    pub fn from_content_type(content_type: Option<&str>) -> Format {
        if content_type.is_some_and(|v| v.trim_start().starts_with("text/csv")) {
            Format::Csv
        } else {
            Format::Json
        }
    }
}

/// Reads a batch into (row number, fields). CSV cells become the fields of the same name (an empty cell is an
/// absent field; a column not in `columns` is refused); JSON is an object whose `list` holds the rows. Rows that
/// do not read are all named.
pub fn read_rows<T: DeserializeOwned>(
    format: Format,
    body: &str,
    columns: &[&str],
    list: &str,
) -> Result<Vec<(usize, T)>, Vec<RejectedRow>> {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    match format {
        Format::Csv => {
            let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(body.as_bytes());
            let header: Vec<String> = match reader.headers() {
                Ok(h) => h.iter().map(|c| c.trim().trim_start_matches('\u{feff}').to_owned()).collect(),
                Err(e) => return Err(vec![rejected(1, "", ErrorCode::InvalidRequest, e)]),
            };
            if let Some(unknown) = header.iter().find(|c| !columns.contains(&c.as_str())) {
                return Err(vec![rejected(
                    1,
                    unknown,
                    ErrorCode::InvalidRequest,
                    format!("unknown column '{unknown}'"),
                )]);
            }
            // Cells deserialize straight into the row's fields (an empty cell is an absent field): no map per row.
            let names = csv::StringRecord::from(header.clone());
            for record in reader.records() {
                match record {
                    Ok(record) => {
                        let line = record.position().map_or(0, |p| p.line() as usize);
                        match record.deserialize::<T>(Some(&names)) {
                            Ok(fields) => rows.push((line, fields)),
                            Err(e) => errors.push(rejected(line, "", ErrorCode::InvalidRequest, e)),
                        }
                    }
                    Err(e) => {
                        let line = e.position().map_or(0, |p| p.line() as usize);
                        errors.push(rejected(line, "", ErrorCode::InvalidRequest, e));
                    }
                }
            }
        }
        Format::Json => {
            let mut batch: Map<String, Value> = serde_json::from_str(body).map_err(|e| {
                vec![rejected(0, list, ErrorCode::InvalidRequest, format!("not a JSON batch {{\"{list}\": […]}}: {e}"))]
            })?;
            let Some(Value::Array(items)) = batch.remove(list) else {
                return Err(vec![rejected(
                    0,
                    list,
                    ErrorCode::InvalidRequest,
                    format!("a batch is {{\"{list}\": […]}}"),
                )]);
            };
            if let Some(other) = batch.keys().next() {
                return Err(vec![rejected(0, other, ErrorCode::InvalidRequest, format!("unknown field '{other}'"))]);
            }
            for (i, value) in items.into_iter().enumerate() {
                match serde_json::from_value::<T>(value) {
                    Ok(fields) => rows.push((i + 1, fields)),
                    Err(e) => errors.push(rejected(i + 1, "", ErrorCode::InvalidRequest, e)),
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Row {
        a: Option<String>,
        b: Option<String>,
    }

    #[test]
    fn csv_and_json_rows_read_alike_and_every_bad_row_is_named() {
        let csv = "\u{feff}a,b\n1,\n2,x\n";
        let rows: Vec<(usize, Row)> = read_rows(Format::Csv, csv, &["a", "b"], "rows").unwrap();
        assert_eq!(rows[0], (2, Row { a: Some("1".into()), b: None }));
        assert_eq!(rows[1].0, 3);
        let json = r#"{"rows": [{"a": "1"}, {"c": 1}, {"a": 2}]}"#;
        let errors = read_rows::<Row>(Format::Json, json, &["a", "b"], "rows").unwrap_err();
        assert_eq!(errors.iter().map(|e| e.row).collect::<Vec<_>>(), [2, 3]);
        let unknown = read_rows::<Row>(Format::Csv, "a,c\n1,2\n", &["a", "b"], "rows").unwrap_err();
        assert_eq!((unknown[0].row, unknown[0].field.as_str()), (1, "c"));
        let wrong = read_rows::<Row>(Format::Json, r#"{"records": []}"#, &["a"], "rows").unwrap_err();
        assert_eq!((wrong[0].row, wrong[0].field.as_str()), (0, "rows"));
        let ragged = read_rows::<Row>(Format::Csv, "a,b\n1\n", &["a", "b"], "rows").unwrap_err();
        assert_eq!(ragged[0].row, 2);
    }

    /// A large batch's checks split across threads keep the row order and every rejection's row.
    #[test]
    fn a_large_batch_is_checked_in_row_order_with_every_rejection_named() {
        let mut text = String::from("a,b\n");
        for i in 0..(3 * PARALLEL_CHECKS_FROM + 7) {
            text.push_str(&format!("{i},{}\n", if i % 1000 == 999 { "bad" } else { "ok" }));
        }
        let check = |row: Row| match row.b.as_deref() {
            Some("ok") => Ok(row.a.unwrap_or_default()),
            _ => Err(("b", ErrorCode::InvalidRequest, "not ok".to_owned())),
        };
        let rejected = checked_rows(Format::Csv, &text, &["a", "b"], "rows", 100_000, check).unwrap().unwrap_err();
        let rows: Vec<usize> = rejected.rows.iter().map(|r| r.row).collect();
        assert_eq!(rows, (0..12).map(|k| 1000 * k + 1001).collect::<Vec<_>>());
        let good = text.replace("bad", "ok");
        let (values, lines) = checked_rows(Format::Csv, &good, &["a", "b"], "rows", 100_000, check).unwrap().unwrap();
        assert_eq!(values.len(), 3 * PARALLEL_CHECKS_FROM + 7);
        assert!(values.iter().enumerate().all(|(i, v)| *v == i.to_string()));
        assert!(lines.iter().enumerate().all(|(i, line)| *line == i + 2));
    }
}

/// A load's note, checked: at most 500 characters, without control characters.
pub fn checked_note(note: &str) -> Result<&str, crate::ApiError> {
    let note = note.trim();
    if note.chars().count() > 500 || note.chars().any(char::is_control) {
        return Err(crate::ApiError::new(
            ErrorCode::InvalidText,
            "the note is at most 500 characters, without control characters",
        ));
    }
    Ok(note)
}

/// The checked values of a batch with the row number of each, or every rejected row.
pub type CheckedRows<T> = Result<(Vec<T>, Vec<usize>), Rejected>;

/// Reads a batch of at most `max` rows and checks each row's fields with `check`: the checked values with
/// their row numbers, or every rejected row. A batch over `max` is refused whole.
pub fn checked_rows<F: DeserializeOwned + Send, T: Send>(
    format: Format,
    body: &str,
    columns: &[&str],
    list: &str,
    max: usize,
    check: impl Fn(F) -> Result<T, (&'static str, ErrorCode, String)> + Sync,
) -> Result<CheckedRows<T>, crate::ApiError> {
    let rows = match read_rows::<F>(format, body, columns, list) {
        Ok(rows) => rows,
        Err(rows) => return Ok(Err(Rejected { received: 0, rows })),
    };
    let received = rows.len();
    if received > max {
        return Err(crate::ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("{received} rows; load at most {max} at a time"),
        ));
    }
    let mut values = Vec::with_capacity(received);
    let mut lines = Vec::with_capacity(received);
    let mut errors = Vec::new();
    for (row, checked) in check_in_parallel(rows, &check) {
        match checked {
            Ok(value) => {
                values.push(value);
                lines.push(row);
            }
            Err((field, code, reason)) => errors.push(rejected(row, field, code, reason)),
        }
    }
    if errors.is_empty() {
        Ok(Ok((values, lines)))
    } else {
        Ok(Err(Rejected { received, rows: errors }))
    }
}

/// Rows from which a batch's checks are split across threads: below it a thread costs more than it saves.
const PARALLEL_CHECKS_FROM: usize = 4_096;

/// Each row's check, in row order, on as many threads as the machine has cores: the checks are pure, and a
/// large upload waits for all of them before its first write.
fn check_in_parallel<F: Send, T: Send, E: Send>(
    rows: Vec<(usize, F)>,
    check: &(impl Fn(F) -> Result<T, E> + Sync),
) -> Vec<(usize, Result<T, E>)> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    if threads < 2 || rows.len() < PARALLEL_CHECKS_FROM {
        return rows.into_iter().map(|(row, fields)| (row, check(fields))).collect();
    }
    let share = rows.len().div_ceil(threads);
    let mut parts = Vec::with_capacity(threads);
    let mut rest = rows;
    while rest.len() > share {
        let tail = rest.split_off(share);
        parts.push(std::mem::replace(&mut rest, tail));
    }
    parts.push(rest);
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(move || part.into_iter().map(|(row, f)| (row, check(f))).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a row check panicked")).collect()
    })
}

/// What a load of a reference catalogue stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LoadReceipt {
    pub import_id: i64,
    /// Rows in the load.
    pub received: usize,
    /// New to the catalogue.
    pub added: usize,
    /// Stored rows the load changed; their earlier version is kept.
    pub changed: usize,
    /// The same as stored.
    pub unchanged: usize,
}

impl LoadReceipt {
    /// The receipt of a load whose rows did `changes`.
    pub fn new<T>(import_id: i64, changes: &[&rulekit::Change<T>]) -> Self {
        let count = |f: fn(&rulekit::Change<T>) -> bool| changes.iter().filter(|c| f(c)).count();
        LoadReceipt {
            import_id,
            received: changes.len(),
            added: count(|c| matches!(c, rulekit::Change::Added)),
            changed: count(|c| matches!(c, rulekit::Change::Changed(_))),
            unchanged: count(|c| matches!(c, rulekit::Change::Unchanged)),
        }
    }
}

/// An upload of certificates in JSON (documents the body; rows are read one by one, so each rejected one is named).
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = CertificateUpload)]
pub struct CertificatesBody {
    #[schema(value_type = Vec<certification::CertificateFields>)]
    pub certificates: Vec<Value>,
}

/// An upload of certificate status changes in JSON.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = CertificateStatusUpload)]
pub struct ChangesBody {
    #[schema(value_type = Vec<certification::ChangeFields>)]
    pub changes: Vec<Value>,
}

/// A registration of licences in JSON.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = LicenceUpload)]
pub struct LicencesBody {
    #[schema(value_type = Vec<licensing::LicenceFields>)]
    pub licences: Vec<Value>,
}

/// A registration of labs in JSON.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = LabUpload)]
pub struct LabsBody {
    #[schema(value_type = Vec<labs::LabFields>)]
    pub labs: Vec<Value>,
}

/// An upload of lab scope rows in JSON.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = LabScopeUpload)]
pub struct ScopesBody {
    #[schema(value_type = Vec<labs::ScopeFields>)]
    pub scopes: Vec<Value>,
}
