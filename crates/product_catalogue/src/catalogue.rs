//! The entries checked together, and the questions records ask of them: is this code one a new record may
//! name, and which regimes apply to it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::{Level, Listing, Regime};

/// One entry of the catalogue: a class or a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The code records carry: `K23-06-01` for a 2023 catalogue product, `0401` for an older category.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub level: Level,
    /// The class a product belongs to; a class has none.
    pub parent: Option<String>,
    /// The year of the catalogue edition the entry belongs to; none for zhiliang's earlier sampling categories.
    pub edition: Option<i32>,
    /// The regimes that apply to a product; one that maps onto a catalogue product takes that product's.
    pub regimes: BTreeSet<Regime>,
    /// For an earlier category: the catalogue product it means.
    pub maps_to: Option<String>,
    pub listing: Listing,
}

/// An entry that does not fit the catalogue: its 1-based position in what was loaded (0 for a stored entry an
/// incoming one broke), its code, the field and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("entry {row} ({code}), {field}: {reason}")]
pub struct CatalogueError {
    pub row: usize,
    pub code: String,
    pub field: &'static str,
    pub reason: String,
}

/// What loading an entry over the stored catalogue does to it.
pub type Change = rulekit::Change<Entry>;

/// The entries, checked together.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    entries: BTreeMap<String, Entry>,
}

impl Catalogue {
    /// Checks the entries and builds the catalogue, or names every entry that does not fit.
    pub fn new(entries: Vec<Entry>) -> Result<Catalogue, Vec<CatalogueError>> {
        let mut errors = Vec::new();
        let mut held: BTreeMap<&str, usize> = BTreeMap::new();
        for (index, entry) in entries.iter().enumerate() {
            // The first of two entries with one code is the one the others are checked against.
            if held.contains_key(entry.code.as_str()) {
                errors.push(fault(index, entry, "code", "the code is listed twice".into()));
            } else {
                held.insert(&entry.code, index);
            }
        }
        for (index, entry) in entries.iter().enumerate() {
            let mut fail = |field, reason: String| errors.push(fault(index, entry, field, reason));
            let find = |code: &str| held.get(code).map(|&i| &entries[i]);
            match (entry.level, &entry.parent) {
                (Level::Class, Some(_)) => fail("parent", "a class belongs to no other entry".into()),
                (Level::Product, None) => fail("parent", "a product names the class it belongs to".into()),
                (Level::Class, None) => {}
                (Level::Product, Some(parent)) => match find(parent) {
                    None => fail("parent", format!("{parent} is not in the catalogue")),
                    Some(class) if class.level != Level::Class => fail("parent", format!("{parent} is not a class")),
                    Some(class) if class.edition != entry.edition => {
                        fail("parent", format!("{parent} belongs to another edition"))
                    }
                    Some(_) => {}
                },
            }
            match (entry.level, &entry.maps_to) {
                (Level::Class, Some(_)) => fail("maps_to", "only a product maps onto a catalogue product".into()),
                (_, Some(target)) => match find(target) {
                    None => fail("maps_to", format!("{target} is not in the catalogue")),
                    Some(product) if product.edition.is_none() || product.maps_to.is_some() => {
                        fail("maps_to", format!("{target} is not a product of a catalogue edition"))
                    }
                    Some(product) if product.level != Level::Product => {
                        fail("maps_to", format!("{target} is not a product"))
                    }
                    Some(_) if entry.edition.is_some() => {
                        fail("maps_to", "an entry of a catalogue edition is itself the product it names".into())
                    }
                    Some(_) if !entry.regimes.is_empty() => {
                        fail("regimes", format!("it takes the regimes of {target}; it lists none of its own"))
                    }
                    Some(_) => {}
                },
                (Level::Class, None) if !entry.regimes.is_empty() => {
                    fail("regimes", "regimes apply to products, not to a class".into())
                }
                (Level::Product, None) if entry.regimes.is_empty() => {
                    fail("regimes", "a product is under at least one regime".into())
                }
                _ => {}
            }
            if entry.level == Level::Class && entry.listing == Listing::Retired {
                let listed = entries
                    .iter()
                    .find(|e| e.parent.as_deref() == Some(entry.code.as_str()) && e.listing == Listing::Listed);
                if let Some(product) = listed {
                    fail("listing", format!("{} is still listed under it", product.code));
                }
            }
        }
        if errors.is_empty() {
            Ok(Catalogue::stored(entries))
        } else {
            Err(errors)
        }
    }

    /// The entries as they were stored: checked when they were loaded, so taken as they are.
    pub fn stored(entries: Vec<Entry>) -> Catalogue {
        Catalogue { entries: entries.into_iter().map(|e| (e.code.clone(), e)).collect() }
    }

    /// The stored catalogue with `incoming` loaded over it, checked as a whole: each incoming entry adds one or
    /// replaces the stored one with its code.
    pub fn merged(stored: Vec<Entry>, incoming: Vec<Entry>) -> Result<(Catalogue, Vec<Change>), Vec<CatalogueError>> {
        let loaded = incoming.len();
        let (all, changes) = rulekit::merge_keyed(stored, incoming, |e| e.code.clone());
        Catalogue::new(all).map(|catalogue| (catalogue, changes)).map_err(|mut errors| {
            for error in errors.iter_mut().filter(|e| e.row > loaded) {
                error.row = 0;
            }
            errors
        })
    }

    /// Every entry, by code.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    /// The entry with this code.
    pub fn entry(&self, code: &str) -> Option<&Entry> {
        self.entries.get(code)
    }

    /// Whether a new record may name this code: it is in the catalogue and listed.
    pub fn accepts(&self, code: &str) -> bool {
        self.entries.get(code).is_some_and(|e| e.listing == Listing::Listed)
    }

    /// The regimes that apply to a code: its own, or those of the catalogue product it maps onto; none for a
    /// class or an unknown code.
    pub fn regimes(&self, code: &str) -> BTreeSet<Regime> {
        let Some(entry) = self.entries.get(code) else { return BTreeSet::new() };
        match &entry.maps_to {
            Some(target) => self.entries.get(target).map(|t| t.regimes.clone()).unwrap_or_default(),
            None => entry.regimes.clone(),
        }
    }

    /// The codes that mean the same product as `code`: itself, the catalogue product it maps onto, and the
    /// earlier categories mapped onto that product — what a licence or certificate naming any of them covers.
    pub fn same_product(&self, code: &str) -> Vec<String> {
        let target = self.entries.get(code).and_then(|e| e.maps_to.as_deref()).unwrap_or(code);
        let mut codes: Vec<String> = self
            .entries
            .values()
            .filter(|e| e.code == target || e.maps_to.as_deref() == Some(target))
            .map(|e| e.code.clone())
            .collect();
        if !codes.iter().any(|c| c == code) {
            codes.push(code.to_owned());
        }
        codes
    }

    /// The listed products of a class, by code.
    pub fn products_of<'a>(&'a self, class: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries.values().filter(move |e| e.parent.as_deref() == Some(class) && e.listing == Listing::Listed)
    }

    /// The number of entries held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the catalogue holds no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn fault(index: usize, entry: &Entry, field: &'static str, reason: String) -> CatalogueError {
    CatalogueError { row: index + 1, code: entry.code.clone(), field, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(code: &str, edition: Option<i32>) -> Entry {
        Entry {
            code: code.into(),
            name_zh: "儿童用品".into(),
            name_en: "Children's products".into(),
            level: Level::Class,
            parent: None,
            edition,
            regimes: BTreeSet::new(),
            maps_to: None,
            listing: Listing::Listed,
        }
    }

    fn product(code: &str, parent: &str, edition: Option<i32>, regimes: &[Regime]) -> Entry {
        Entry {
            level: Level::Product,
            parent: Some(parent.into()),
            regimes: regimes.iter().copied().collect(),
            ..class(code, edition)
        }
    }

    fn errors(entries: Vec<Entry>) -> Vec<(usize, &'static str, String)> {
        Catalogue::new(entries).unwrap_err().into_iter().map(|e| (e.row, e.field, e.reason)).collect()
    }

    #[test]
    fn an_older_category_takes_the_regimes_of_the_product_it_maps_onto() {
        let catalogue = Catalogue::new(vec![
            class("K23-06", Some(2023)),
            product("K23-06-01", "K23-06", Some(2023), &[Regime::Ccc, Regime::Sampling]),
            class("04", None),
            Entry { maps_to: Some("K23-06-01".into()), ..product("0401", "04", None, &[]) },
        ])
        .unwrap();
        assert_eq!(catalogue.regimes("0401"), [Regime::Ccc, Regime::Sampling].into());
        assert_eq!(catalogue.same_product("0401"), ["0401", "K23-06-01"]);
        assert_eq!(catalogue.same_product("K23-06-01"), ["0401", "K23-06-01"]);
        assert_eq!(catalogue.products_of("04").map(|e| e.code.as_str()).collect::<Vec<_>>(), ["0401"]);
        assert!(catalogue.regimes("9999").is_empty());
    }

    #[test]
    fn entries_that_do_not_fit_are_each_named() {
        let found = errors(vec![
            class("K23-06", Some(2023)),
            product("K23-06-01", "K23-06", Some(2023), &[]),
            product("K23-06-02", "K23-07", Some(2023), &[Regime::Ccc]),
            product("K23-06-03", "K23-06-01", Some(2023), &[Regime::Ccc]),
            product("K23-06-04", "K23-06", Some(2024), &[Regime::Ccc]),
            Entry { maps_to: Some("K23-06".into()), ..product("0401", "K23-06", None, &[]) },
            Entry { parent: Some("K23-06".into()), ..class("K23-99", Some(2023)) },
            product("K23-06", "K23-06", Some(2023), &[Regime::Ccc]),
        ]);
        let expect = [
            (8, "code", "listed twice"),
            (2, "regimes", "at least one regime"),
            (3, "parent", "K23-07 is not in the catalogue"),
            (4, "parent", "K23-06-01 is not a class"),
            (5, "parent", "belongs to another edition"),
            (6, "maps_to", "K23-06 is not a product"),
            (7, "parent", "a class belongs to no other entry"),
        ];
        for (row, field, reason) in expect {
            assert!(
                found.iter().any(|(r, f, why)| *r == row && *f == field && why.contains(reason)),
                "{row} {field} {reason}: {found:?}"
            );
        }
    }

    #[test]
    fn a_class_is_retired_only_once_its_products_are() {
        let mut retired = class("K23-06", Some(2023));
        retired.listing = Listing::Retired;
        let toys = product("K23-06-01", "K23-06", Some(2023), &[Regime::Ccc]);
        let found = errors(vec![retired.clone(), toys.clone()]);
        assert_eq!(found, [(1, "listing", "K23-06-01 is still listed under it".to_owned())]);
        let catalogue = Catalogue::new(vec![retired, Entry { listing: Listing::Retired, ..toys }]).unwrap();
        assert!(!catalogue.accepts("K23-06-01"));
        assert!(catalogue.entry("K23-06-01").is_some(), "older records still read");
    }

    #[test]
    fn a_load_names_its_own_rows_and_row_zero_for_a_stored_entry_it_broke() {
        let stored = vec![class("K23-06", Some(2023)), product("K23-06-01", "K23-06", Some(2023), &[Regime::Ccc])];
        let mut renamed = class("K23-06", Some(2023));
        renamed.name_en = "Products for children".into();
        let (catalogue, changes) = Catalogue::merged(
            stored.clone(),
            vec![renamed.clone(), product("K23-06-02", "K23-06", Some(2023), &[Regime::Recall])],
        )
        .unwrap();
        assert_eq!(catalogue.len(), 3);
        assert_eq!(changes, vec![Change::Changed(Box::new(stored[0].clone())), Change::Added]);
        let moved = Entry { edition: Some(2024), ..renamed };
        let errors = Catalogue::merged(stored, vec![moved]).unwrap_err();
        assert_eq!(errors.iter().map(|e| (e.row, e.field)).collect::<Vec<_>>(), [(0, "parent")]);
    }
}
