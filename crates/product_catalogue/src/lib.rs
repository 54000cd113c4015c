//! The key-product catalogue (全国重点工业产品质量安全监管目录) as data: classes (大类) and products, each product
//! with the regimes (监管方式) that apply to it — supervision sampling, production licence, compulsory
//! certification, risk monitoring, defect recall — versioned by the edition year of the catalogue it belongs to.
//! zhiliang's earlier sampling categories (codes `01`, `0101`, …) stay as entries without an edition and map onto
//! the catalogue product they mean, so records that carry them keep their meaning. No IO: the store keeps the
//! entries; this room checks them together and answers which regimes apply.

mod catalogue;
mod fields;

pub use catalogue::{Catalogue, CatalogueError, Change, Entry};
pub use fields::{regimes_text, EntryFields, FieldError, COLUMNS, MAX_CODE_CHARS, MAX_NAME_CHARS};

rulekit::text_enum! {
    /// A regulatory regime a catalogue product is under.
    pub enum Regime ("regulatory regime") {
        Sampling = "sampling" ("监督抽查", "supervision sampling"),
        Licence = "licence" ("生产许可", "production licence"),
        Ccc = "ccc" ("强制性产品认证", "compulsory certification (CCC)"),
        Monitoring = "monitoring" ("风险监测", "risk monitoring"),
        Recall = "recall" ("缺陷产品召回", "defect recall"),
    }
}

rulekit::text_enum! {
    /// The level of an entry: a class groups products; records name products.
    pub enum Level ("catalogue level") {
        Class = "class" ("大类", "class"),
        Product = "product" ("产品", "product"),
    }
}

rulekit::text_enum! {
    /// Whether an entry is offered for new records; a retired one stays so older records still read.
    pub enum Listing ("catalogue listing") {
        Listed = "listed" ("在列", "listed"),
        Retired = "retired" ("已停用", "retired"),
    }
}

/// The shipped entries (`data/catalogue.csv`, sources in `data/README.md`): what a new database starts with.
pub const SHIPPED_CATALOGUE_CSV: &str = include_str!("../data/catalogue.csv");

/// The shipped entries, read and checked as a catalogue; a misfit names its line.
pub fn shipped() -> Result<Vec<Entry>, String> {
    let mut reader = csv::Reader::from_reader(SHIPPED_CATALOGUE_CSV.as_bytes());
    let mut entries = Vec::new();
    for record in reader.deserialize::<EntryFields>() {
        let line = entries.len() + 2;
        let fields = record.map_err(|e| format!("shipped catalogue, line {line}: {e}"))?;
        entries.push(fields.check().map_err(|e| format!("shipped catalogue, line {line}: {e}"))?);
    }
    Catalogue::new(entries.clone()).map_err(|e| format!("shipped catalogue: {e:?}"))?;
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalogue_reads_and_the_older_categories_keep_their_meaning() {
        let catalogue = Catalogue::new(shipped().unwrap()).unwrap();
        let classes_2023 = catalogue.entries().filter(|e| e.edition == Some(2023) && e.level == Level::Class).count();
        assert_eq!(classes_2023, 13, "the thirteen classes the 2023 announcement names");
        // Toys (玩具) of the older categories are the catalogue's toys: CCC and recall apply.
        let toys = catalogue.entry("0401").unwrap();
        assert_eq!(toys.maps_to.as_deref(), Some("K23-06-01"));
        assert!(catalogue.regimes("0401").contains(&Regime::Ccc));
        assert!(catalogue.regimes("0401").contains(&Regime::Recall));
        // Wires and cables need a licence as well as CCC.
        assert!(catalogue.regimes("0502").is_superset(&[Regime::Licence, Regime::Ccc].into()));
        // Every older category that the sampling, complaint and injury records carry is still there.
        for code in ["01", "0101", "0201", "0301", "0401", "0501", "0504", "0601", "0701", "0801", "0902"] {
            assert!(catalogue.accepts(code), "{code}");
        }
        assert!(catalogue.regimes("01").is_empty(), "a class carries no regimes of its own");
    }
}
