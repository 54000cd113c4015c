//! The catalogue of editions: each checked against the others when it is loaded, and asked whether a cited
//! edition was in force on a day — what a sampling result's test items and a lab's scope rows are checked by.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Force, StandardNumber, Status};

/// One edition of a standard as the catalogue holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edition {
    pub number: StandardNumber,
    pub title: String,
    pub status: Status,
    /// The day it took (or takes) effect (实施日期).
    pub effective_on: NaiveDate,
    /// The last day it applied, for a superseded or withdrawn edition.
    pub ended_on: Option<NaiveDate>,
    /// The edition that replaces it, for a superseded one.
    pub replaced_by: Option<StandardNumber>,
}

impl Edition {
    /// Mandatory, recommended or guidance, as its code says.
    pub fn force(&self) -> Force {
        self.number.force()
    }
}

/// An edition that does not fit the catalogue: which one (its position, 1-based, in what was loaded), which field,
/// and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("edition {row} ({number}), {field}: {reason}")]
pub struct CatalogueError {
    pub row: usize,
    pub number: String,
    pub field: &'static str,
    pub reason: String,
}

/// What loading an edition over the stored catalogue does to it.
pub type Change = rulekit::Change<Edition>;

/// What a citation of an edition amounts to on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Citation<'a> {
    /// The catalogue does not hold this edition.
    Unknown,
    /// In force on the day.
    InForce(&'a Edition),
    /// Not yet in force on the day.
    NotYetInForce(&'a Edition),
    /// Replaced before the day; `current` is the edition in force now, following every replacement.
    Superseded { edition: &'a Edition, current: Option<&'a Edition> },
    /// Withdrawn before the day, with no replacement.
    Withdrawn(&'a Edition),
}

impl Citation<'_> {
    /// Its standing, as a value pages and answers carry.
    pub fn standing(&self) -> crate::Standing {
        use crate::Standing;
        match self {
            Citation::Unknown => Standing::Unknown,
            Citation::InForce(_) => Standing::InForce,
            Citation::NotYetInForce(_) => Standing::NotYetInForce,
            Citation::Superseded { .. } => Standing::Superseded,
            Citation::Withdrawn(_) => Standing::Withdrawn,
        }
    }

    /// The edition cited, when the catalogue holds it.
    pub fn edition(&self) -> Option<&Edition> {
        match *self {
            Citation::Unknown => None,
            Citation::InForce(e) | Citation::NotYetInForce(e) | Citation::Withdrawn(e) => Some(e),
            Citation::Superseded { edition, .. } => Some(edition),
        }
    }

    /// The edition in force now in its place, for a superseded one.
    pub fn current(&self) -> Option<&Edition> {
        match *self {
            Citation::Superseded { current, .. } => current,
            _ => None,
        }
    }

    /// Whether a use on that day should be flagged.
    pub fn flagged(&self) -> bool {
        !matches!(self, Citation::InForce(_))
    }
}

/// The editions, checked together.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    editions: BTreeMap<StandardNumber, Edition>,
}

impl Catalogue {
    /// Checks the editions and builds the catalogue, or names every edition that does not fit.
    pub fn new(editions: Vec<Edition>) -> Result<Catalogue, Vec<CatalogueError>> {
        let mut errors = Vec::new();
        let mut held = BTreeMap::new();
        for (index, edition) in editions.iter().enumerate() {
            let fault = |field: &'static str, reason: &str| CatalogueError {
                row: index + 1,
                number: edition.number.to_string(),
                field,
                reason: reason.to_owned(),
            };
            if edition.title.trim().is_empty() {
                errors.push(fault("title", "an edition needs its title"));
            }
            match (edition.status, edition.ended_on, &edition.replaced_by) {
                (Status::Current, None, None) => {}
                (Status::Current, ..) => {
                    errors.push(fault("status", "a current edition has no end and no replacement"))
                }
                (Status::Superseded, Some(_), Some(_)) => {}
                (Status::Superseded, None, _) => {
                    errors.push(fault("ended_on", "a superseded edition needs its last day"))
                }
                (Status::Superseded, _, None) => {
                    errors.push(fault("replaced_by", "a superseded edition names its replacement"))
                }
                (Status::Withdrawn, Some(_), None) => {}
                (Status::Withdrawn, None, _) => {
                    errors.push(fault("ended_on", "a withdrawn edition needs its last day"))
                }
                (Status::Withdrawn, _, Some(_)) => errors
                    .push(fault("replaced_by", "a withdrawn edition has no replacement; one replaced is superseded")),
            }
            if edition.ended_on.is_some_and(|end| end < edition.effective_on) {
                errors.push(fault("ended_on", "it ends before it took effect"));
            }
            if held.insert(edition.number.clone(), index).is_some() {
                errors.push(fault("number", "the edition is listed twice"));
            }
        }
        for (index, edition) in editions.iter().enumerate() {
            let Some(next) = &edition.replaced_by else { continue };
            let fault = |reason: String| CatalogueError {
                row: index + 1,
                number: edition.number.to_string(),
                field: "replaced_by",
                reason,
            };
            match held.get(next).map(|&i| &editions[i]) {
                None => errors.push(fault(format!("{next} is not in the catalogue"))),
                Some(successor) if successor.number == edition.number => {
                    errors.push(fault("an edition cannot replace itself".into()))
                }
                Some(successor) if successor.effective_on < edition.effective_on => {
                    errors.push(fault(format!("{next} took effect before the edition it replaces")))
                }
                Some(_) => {}
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let catalogue = Catalogue { editions: editions.into_iter().map(|e| (e.number.clone(), e)).collect() };
        // A chain of replacements that comes back to itself never reaches a current edition.
        for edition in catalogue.editions.values() {
            if edition.replaced_by.is_some() && catalogue.follow(edition).is_none() {
                return Err(vec![CatalogueError {
                    row: held[&edition.number] + 1,
                    number: edition.number.to_string(),
                    field: "replaced_by",
                    reason: "its replacements go round in a circle".into(),
                }]);
            }
        }
        Ok(catalogue)
    }

    /// The editions as they were stored: checked when they were loaded, so taken as they are. A subset (the
    /// editions a query needs, with their replacements) is enough to cite them.
    pub fn stored(editions: Vec<Edition>) -> Catalogue {
        Catalogue { editions: editions.into_iter().map(|e| (e.number.clone(), e)).collect() }
    }

    /// The stored catalogue with `incoming` loaded over it: each incoming edition adds a new one or replaces the
    /// stored one with its number, and the result is checked as a whole. A misfit is named by its 1-based
    /// position in `incoming`; one in a stored edition that an incoming one broke has row 0.
    pub fn merged(
        stored: Vec<Edition>,
        incoming: Vec<Edition>,
    ) -> Result<(Catalogue, Vec<Change>), Vec<CatalogueError>> {
        let loaded = incoming.len();
        let (all, changes) = rulekit::merge_keyed(stored, incoming, |e| e.number.clone());
        match Catalogue::new(all) {
            Ok(catalogue) => Ok((catalogue, changes)),
            Err(mut errors) => {
                for error in &mut errors {
                    if error.row > loaded {
                        error.row = 0;
                    }
                }
                Err(errors)
            }
        }
    }

    /// Every edition, by number.
    pub fn editions(&self) -> impl Iterator<Item = &Edition> {
        self.editions.values()
    }

    /// The edition with this number.
    pub fn edition(&self, number: &StandardNumber) -> Option<&Edition> {
        self.editions.get(number)
    }

    /// The number of editions held.
    pub fn len(&self) -> usize {
        self.editions.len()
    }

    /// Whether the catalogue holds no edition.
    pub fn is_empty(&self) -> bool {
        self.editions.is_empty()
    }

    /// The end of an edition's chain of replacements: the edition that replaces it now, if any is current.
    fn follow<'a>(&'a self, edition: &'a Edition) -> Option<&'a Edition> {
        let mut at = edition;
        for _ in 0..=self.editions.len() {
            match &at.replaced_by {
                None => return (at.status == Status::Current).then_some(at),
                Some(next) => at = self.editions.get(next)?,
            }
        }
        None
    }

    /// What citing `number` on `day` amounts to: in force, not yet, superseded (with the edition in force now) or
    /// withdrawn.
    pub fn cite(&self, number: &StandardNumber, day: NaiveDate) -> Citation<'_> {
        let Some(edition) = self.editions.get(number) else { return Citation::Unknown };
        if day < edition.effective_on {
            return Citation::NotYetInForce(edition);
        }
        match edition.ended_on {
            Some(end) if day > end => match edition.status {
                Status::Withdrawn => Citation::Withdrawn(edition),
                _ => Citation::Superseded { edition, current: self.follow(edition) },
            },
            _ => Citation::InForce(edition),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn edition(number: &str, status: Status, effective: &str, ended: Option<&str>, by: Option<&str>) -> Edition {
        Edition {
            number: number.parse().unwrap(),
            title: "纺织品 测试".into(),
            status,
            effective_on: day(effective),
            ended_on: ended.map(day),
            replaced_by: by.map(|b| b.parse().unwrap()),
        }
    }

    fn shipped() -> Catalogue {
        Catalogue::new(vec![
            edition("GB/T 3325-2008", Status::Superseded, "2008-09-01", Some("2017-05-31"), Some("GB/T 3325-2017")),
            edition("GB/T 3325-2017", Status::Superseded, "2017-06-01", Some("2024-12-31"), Some("GB/T 3325-2024")),
            edition("GB/T 3325-2024", Status::Current, "2025-01-01", None, None),
            edition("GB 8410-1994", Status::Withdrawn, "1994-10-01", Some("2006-12-31"), None),
        ])
        .expect("a consistent catalogue")
    }

    #[test]
    fn a_citation_is_in_force_only_between_its_effective_and_last_days() {
        let catalogue = shipped();
        let old: StandardNumber = "GB/T 3325-2017".parse().unwrap();
        assert!(matches!(catalogue.cite(&old, day("2024-12-31")), Citation::InForce(_)));
        match catalogue.cite(&old, day("2025-01-01")) {
            Citation::Superseded { edition, current } => {
                assert_eq!(edition.number, old);
                assert_eq!(current.map(|c| c.number.to_string()), Some("GB/T 3325-2024".into()));
            }
            other => panic!("{other:?}"),
        }
        // Two replacements on, the chain still ends at the edition in force.
        let oldest: StandardNumber = "GB/T 3325-2008".parse().unwrap();
        assert!(matches!(
            catalogue.cite(&oldest, day("2026-01-01")),
            Citation::Superseded { current: Some(e), .. } if e.number.year() == 2024
        ));
        let new: StandardNumber = "GB/T 3325-2024".parse().unwrap();
        assert!(matches!(catalogue.cite(&new, day("2024-06-01")), Citation::NotYetInForce(_)));
        assert!(!catalogue.cite(&new, day("2026-12-03")).flagged());
        let withdrawn: StandardNumber = "GB 8410-94".parse().unwrap();
        assert!(matches!(catalogue.cite(&withdrawn, day("2007-01-01")), Citation::Withdrawn(_)));
        assert_eq!(catalogue.edition(&withdrawn).unwrap().force(), Force::Mandatory);
        let unknown: StandardNumber = "GB/T 3325-1999".parse().unwrap();
        assert_eq!(catalogue.cite(&unknown, day("2026-01-01")), Citation::Unknown);
        assert!(Citation::Unknown.flagged());
    }

    #[test]
    fn an_edition_that_does_not_fit_is_named_with_its_field() {
        let faults = Catalogue::new(vec![
            edition("GB/T 1-2020", Status::Current, "2020-01-01", Some("2021-01-01"), None),
            edition("GB/T 2-2010", Status::Superseded, "2010-01-01", None, Some("GB/T 2-2020")),
            edition("GB/T 3-2010", Status::Superseded, "2010-01-01", Some("2019-12-31"), Some("GB/T 3-2020")),
            edition("GB/T 4-2010", Status::Withdrawn, "2010-01-01", Some("2009-01-01"), None),
            edition("GB/T 4-2010", Status::Current, "2010-01-01", None, None),
            edition("GB/T 5-2010", Status::Superseded, "2010-01-01", Some("2019-12-31"), Some("GB/T 5-2008")),
            edition("GB/T 5-2008", Status::Current, "2008-01-01", None, None),
        ])
        .unwrap_err();
        let named: Vec<(usize, &str)> = faults.iter().map(|f| (f.row, f.field)).collect();
        assert_eq!(
            named,
            [
                (1, "status"),
                (2, "ended_on"),
                (4, "ended_on"),
                (5, "number"),
                (2, "replaced_by"),
                (3, "replaced_by"),
                (6, "replaced_by")
            ]
        );
        assert_eq!(faults[5].reason, "GB/T 3-2020 is not in the catalogue");
        assert_eq!(
            faults[6].to_string(),
            "edition 6 (GB/T 5-2010), replaced_by: GB/T 5-2008 took effect before the edition it replaces"
        );
    }

    #[test]
    fn replacements_in_a_circle_are_refused() {
        let faults = Catalogue::new(vec![
            edition("GB/T 7-2010", Status::Superseded, "2020-01-01", Some("2022-12-31"), Some("GB/T 7-2020")),
            edition("GB/T 7-2020", Status::Superseded, "2020-01-01", Some("2022-12-31"), Some("GB/T 7-2010")),
        ])
        .unwrap_err();
        assert_eq!(faults.len(), 1, "{faults:?}");
        assert_eq!(
            (faults[0].field, faults[0].reason.as_str()),
            ("replaced_by", "its replacements go round in a circle")
        );
    }

    #[test]
    fn loading_over_the_stored_catalogue_says_what_changed_and_names_misfits_by_their_row() {
        let stored: Vec<Edition> = shipped().editions().cloned().collect();
        let incoming = vec![
            edition("GB/T 3325-2024", Status::Current, "2025-01-01", None, None),
            edition("GB/T 1-2020", Status::Current, "2020-01-01", None, None),
            Edition {
                title: "金属家具通用技术条件".into(),
                ..edition("GB 8410-1994", Status::Withdrawn, "1994-10-01", Some("2006-12-31"), None)
            },
        ];
        let (catalogue, changes) = Catalogue::merged(stored.clone(), incoming).unwrap();
        assert_eq!(catalogue.len(), 5);
        assert_eq!(changes[0], Change::Unchanged);
        assert_eq!(changes[1], Change::Added);
        assert!(matches!(&changes[2], Change::Changed(old) if old.title == "纺织品 测试"));
        // Moving the 2024 edition's start before the 2017 one's breaks the stored edition it replaces.
        let early = vec![edition("GB/T 3325-2024", Status::Current, "2016-01-01", None, None)];
        let faults = Catalogue::merged(stored, early).unwrap_err();
        assert_eq!((faults[0].row, faults[0].number.as_str(), faults[0].field), (0, "GB/T 3325-2017", "replaced_by"));
    }
}
