//! A recall's scope (召回范围) from a forward trace: the lots it reached, the units made and distributed, and the
//! organizations that received them. Pure: the caller fetches the trace and the quantities events stated, and
//! says which party belongs to which organization.

use std::collections::BTreeMap;

use epcis::trace::{EdgeKind, ReachedParty, Trace};
use serde::Serialize;

/// EPCIS units of measure (UN/ECE Rec 20) that count pieces; no unit also means pieces.
const PIECE_UOMS: &[&str] = &["EA", "H87", "C62"];

/// The unit pieces are counted in.
pub const PIECES: &str = "EA";

/// What the scope needs to know of the recall and of who is who.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The recalled GTINs; empty: every product the trace reached.
    pub gtins: &'a [String],
    /// The producer's USCC: shipments between its own sites are not distribution.
    pub producer: &'a str,
    /// The USCC of the organization each registered party or location belongs to.
    pub owners: &'a BTreeMap<String, String>,
}

/// Units made and sent in one unit of measure.
#[derive(Debug, Default, Clone, Copy, PartialEq, Serialize)]
pub struct Count {
    pub produced: f64,
    pub distributed: f64,
}

/// Units of the recalled product reached by a trace.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Units {
    /// Pieces: serialised items plus lot quantities stated without a unit or in pieces.
    pub pieces: Count,
    /// Every unit of measure (`EA` for pieces).
    pub by_uom: BTreeMap<String, Count>,
}

/// An organization (or an unregistered party) that received the product: the parties and locations of one
/// organization count once.
#[derive(Debug, Clone, PartialEq)]
pub struct Receiver {
    /// The organization's USCC, or the party's identifier when it is not registered.
    pub key: String,
    /// The first party of it the trace reached (index into the trace's parties).
    pub first: usize,
    /// Every party and location of it, by index.
    pub parties: Vec<usize>,
    /// When it was first reached (milliseconds).
    pub first_reached: i64,
}

impl Context<'_> {
    fn owner(&self, party: &str) -> Option<&str> {
        self.owners.get(party).map(String::as_str)
    }

    fn in_scope(&self, id: &str) -> bool {
        self.gtins.is_empty() || epcis::gtin_of(id).is_some_and(|g| self.gtins.contains(&g))
    }
}

fn unit(uom: Option<&str>) -> String {
    match uom {
        None => PIECES.to_owned(),
        Some(u) if PIECE_UOMS.contains(&u) => PIECES.to_owned(),
        Some(u) => u.to_owned(),
    }
}

/// The lots and classes (not serialised items, not containers) of the recalled product the trace reached: the
/// identifiers whose stated quantities [`units`] needs.
pub fn classes(trace: &Trace, context: &Context) -> Vec<String> {
    trace
        .items
        .iter()
        .filter(|i| !epcis::is_serialised_item(&i.id) && !epcis::is_container(&i.id) && context.in_scope(&i.id))
        .map(|i| i.id.clone())
        .collect()
}

/// Counts units from serials and from lot quantities. A serialised item is produced when the trace reaches it
/// and distributed when it (or its container) was shipped. A lot's production is the largest quantity any event
/// states for it (`stated`: class, unit, quantity); its distribution is what shipping events sent from the
/// producer to another organization: a shipment whose source list names other organizations only is a later hop
/// and not counted again, and a lot never counts as more distributed than produced.
pub fn units(trace: &Trace, context: &Context, stated: &[(String, Option<String>, f64)]) -> Units {
    let classes = classes(trace, context);
    let serials: Vec<_> =
        trace.items.iter().filter(|i| epcis::is_serialised_item(&i.id) && context.in_scope(&i.id)).collect();
    let mut produced: BTreeMap<(String, String), f64> = BTreeMap::new();
    let mut most = |id: &str, uom: Option<&str>, quantity: f64| {
        let entry = produced.entry((id.to_owned(), unit(uom))).or_default();
        *entry = entry.max(quantity);
    };
    for (id, uom, quantity) in stated.iter().filter(|(id, ..)| classes.contains(id)) {
        most(id, uom.as_deref(), *quantity);
    }
    for item in trace.items.iter().filter(|i| classes.contains(&i.id)) {
        if let Some(quantity) = item.quantity {
            most(&item.id, item.uom.as_deref(), quantity);
        }
    }
    let producer = Some(context.producer);
    let mut distributed: BTreeMap<(String, String), f64> = BTreeMap::new();
    for shipment in trace.shipments.iter().filter(|s| classes.contains(&s.item)) {
        let later_hop = !shipment.sources.is_empty()
            && shipment.sources.iter().all(|s| context.owner(s).is_some_and(|o| Some(o) != producer));
        let leaves = shipment.destinations.iter().any(|d| context.owner(d) != producer);
        if leaves && !later_hop {
            *distributed.entry((shipment.item.clone(), unit(shipment.uom.as_deref()))).or_default() +=
                shipment.quantity;
        }
    }
    for (key, sent) in distributed.iter_mut() {
        if let Some(made) = produced.get(key) {
            *sent = sent.min(*made);
        }
    }
    let mut by_uom: BTreeMap<String, Count> = BTreeMap::new();
    let pieces = by_uom.entry(PIECES.to_owned()).or_default();
    pieces.produced += serials.len() as f64;
    pieces.distributed += serials.iter().filter(|i| i.shipped).count() as f64;
    for ((_, uom), quantity) in &produced {
        by_uom.entry(uom.clone()).or_default().produced += quantity;
    }
    for ((_, uom), quantity) in &distributed {
        by_uom.entry(uom.clone()).or_default().distributed += quantity;
    }
    Units { pieces: by_uom.get(PIECES).copied().unwrap_or_default(), by_uom }
}

/// The organizations the product was shipped to, in the order first reached: a shipment names its owning party
/// and its location, often both, and the two count as one receiver.
pub fn receivers(parties: &[ReachedParty], context: &Context) -> Vec<Receiver> {
    let mut receivers: Vec<Receiver> = Vec::new();
    for (index, party) in parties.iter().enumerate().filter(|(_, p)| p.how == EdgeKind::ShipsTo) {
        let key = context.owner(&party.id).unwrap_or(&party.id).to_owned();
        match receivers.iter_mut().find(|r| r.key == key) {
            Some(existing) => {
                existing.parties.push(index);
                existing.first_reached = existing.first_reached.min(party.time);
            }
            None => receivers.push(Receiver { key, first: index, parties: vec![index], first_reached: party.time }),
        }
    }
    receivers
}

#[cfg(test)]
mod tests {
    use super::*;
    use epcis::trace::{ReachedItem, Shipment};

    const HOST: &str = codes::epc::CANONICAL_HOST;

    fn item(id: &str, quantity: Option<f64>, shipped: bool) -> ReachedItem {
        ReachedItem { id: id.to_owned(), path: vec![], quantity, uom: None, shipped }
    }

    fn shipment(item: &str, quantity: f64, sources: &[&str], destinations: &[&str]) -> Shipment {
        Shipment {
            event: 1,
            time: 0,
            item: item.to_owned(),
            quantity,
            uom: None,
            destinations: destinations.iter().map(|s| s.to_string()).collect(),
            sources: sources.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn party(id: &str, how: EdgeKind, time: i64) -> ReachedParty {
        ReachedParty {
            id: id.to_owned(),
            label: "owning_party".into(),
            how,
            time,
            event: 1,
            via: String::new(),
            quantity: None,
        }
    }

    fn owners() -> BTreeMap<String, String> {
        [
            ("factory", "PRODUCER"),
            ("warehouse", "PRODUCER"),
            ("shop", "SHOP"),
            ("shop-location", "SHOP"),
            ("wholesaler", "WHOLESALER"),
        ]
        .into_iter()
        .map(|(party, uscc)| (party.to_owned(), uscc.to_owned()))
        .collect()
    }

    #[test]
    fn units_count_serials_and_lots_of_the_recalled_gtins_only() {
        let lot = format!("{HOST}/01/06901234567892/10/L1");
        let other_lot = format!("{HOST}/01/06900000000002/10/L9");
        let trace = Trace {
            items: vec![
                item(&lot, Some(100.0), true),
                item(&other_lot, Some(5.0), true),
                item(&format!("{HOST}/01/06901234567892/21/S1"), None, true),
                item(&format!("{HOST}/01/06901234567892/21/S2"), None, false),
                item(&format!("{HOST}/00/369012345000000017"), None, true),
            ],
            containers: vec![],
            parties: vec![],
            shipments: vec![
                // Inside the producer: not distribution.
                shipment(&lot, 100.0, &["factory"], &["warehouse"]),
                shipment(&lot, 60.0, &["warehouse"], &["wholesaler"]),
                // A later hop, from the wholesaler to a shop: counted once, at the first.
                shipment(&lot, 20.0, &["wholesaler"], &["shop"]),
                // More sent than made is capped at what was made.
                shipment(&lot, 80.0, &[], &["shop"]),
                shipment(&other_lot, 5.0, &[], &["shop"]),
            ],
        };
        let gtins = vec!["06901234567892".to_owned()];
        let context = Context { gtins: &gtins, producer: "PRODUCER", owners: &owners() };
        assert_eq!(classes(&trace, &context), vec![lot.clone()]);
        let stated = vec![(lot.clone(), Some("KGM".to_owned()), 40.0), (lot.clone(), None, 120.0)];
        let units = units(&trace, &context, &stated);
        // Two serials reached, one shipped; the lot made 120 (the most any event said) and sent min(140, 120).
        assert_eq!(units.pieces, Count { produced: 122.0, distributed: 121.0 });
        assert_eq!(units.by_uom["KGM"], Count { produced: 40.0, distributed: 0.0 });
    }

    #[test]
    fn no_gtins_means_every_product() {
        let trace = Trace {
            items: vec![item(&format!("{HOST}/01/06900000000002/21/S1"), None, true)],
            containers: vec![],
            parties: vec![],
            shipments: vec![],
        };
        let context = Context { gtins: &[], producer: "P", owners: &owners() };
        assert_eq!(units(&trace, &context, &[]).pieces, Count { produced: 1.0, distributed: 1.0 });
    }

    #[test]
    fn one_receiver_per_organization_first_reached_first() {
        let parties = vec![
            party("shop-location", EdgeKind::ShipsTo, 30),
            party("factory", EdgeKind::ComesFrom, 1),
            party("shop", EdgeKind::ShipsTo, 20),
            party("stranger", EdgeKind::ShipsTo, 40),
        ];
        let context = Context { gtins: &[], producer: "PRODUCER", owners: &owners() };
        let found = receivers(&parties, &context);
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].key.as_str(), found[0].first, found[0].first_reached), ("SHOP", 0, 20));
        assert_eq!(found[0].parties, vec![0, 2]);
        assert_eq!((found[1].key.as_str(), found[1].parties.clone()), ("stranger", vec![3]));
    }
}
