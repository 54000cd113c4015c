//! Fuzz the row checks of `zhiliang import`: a CSV file's records, as the importer turns them into string
//! fields, go through the same field checks as the API without a panic; each refusal names a field.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(data);
    let Ok(headers) = reader.headers().cloned() else { return };
    for record in reader.records().take(64) {
        let Ok(record) = record else { continue };
        let fields: serde_json::Map<String, serde_json::Value> = headers
            .iter()
            .zip(record.iter())
            .map(|(name, value)| (name.to_owned(), serde_json::Value::String(value.to_owned())))
            .collect();
        let value = serde_json::Value::Object(fields);
        if let Ok(fields) = serde_json::from_value(value.clone()) {
            if let Err(error) = server::input::organization(fields, None) {
                assert!(!error.code.is_empty());
            }
        }
        if let Ok(fields) = serde_json::from_value(value.clone()) {
            let _ = server::input::product(fields, None);
        }
        if let Ok(fields) = serde_json::from_value(value) {
            let _ = server::input::sample(fields);
        }
    }
});
