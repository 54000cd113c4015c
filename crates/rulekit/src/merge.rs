//! Loading a batch of keyed records over the stored ones, as reference catalogues (standards, the key-product
//! catalogue) are loaded: each incoming record adds one or replaces the stored one with its key, and what it
//! replaced is kept for the history.

use std::collections::BTreeMap;

/// What loading a record over the stored ones does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change<T> {
    /// A new record.
    Added,
    /// A stored record with other fields; the stored version, kept in the history.
    Changed(Box<T>),
    /// The same as stored.
    Unchanged,
}

/// The stored records with `incoming` over them: every record of the result (incoming first, in their order,
/// then the stored ones no incoming record replaced) and, for each incoming record, what it does.
pub fn merge_keyed<T: PartialEq, K: Ord>(
    stored: Vec<T>,
    incoming: Vec<T>,
    key: impl Fn(&T) -> K,
) -> (Vec<T>, Vec<Change<T>>) {
    let mut kept: BTreeMap<K, T> = stored.into_iter().map(|record| (key(&record), record)).collect();
    let changes: Vec<Change<T>> = incoming
        .iter()
        .map(|record| match kept.remove(&key(record)) {
            None => Change::Added,
            Some(old) if old == *record => Change::Unchanged,
            Some(old) => Change::Changed(Box::new(old)),
        })
        .collect();
    let mut all = incoming;
    all.extend(kept.into_values());
    (all, changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incoming_records_add_replace_or_leave_the_stored_ones() {
        let stored = vec![("a", 1), ("b", 2), ("c", 3)];
        let (all, changes) = merge_keyed(stored, vec![("b", 2), ("c", 30), ("d", 4)], |r| r.0);
        assert_eq!(all, vec![("b", 2), ("c", 30), ("d", 4), ("a", 1)]);
        assert_eq!(changes, vec![Change::Unchanged, Change::Changed(Box::new(("c", 3))), Change::Added]);
    }
}
