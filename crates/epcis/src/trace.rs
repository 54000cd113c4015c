//! The trace (the standard has none): which items, lots, parties and locations an identifier reaches, forward
//! (where did it go, what was made from it) or backward (what went into it, where did it come from).
//!
//! An event yields [`Edge`]s that a repository stores beside it, so a trace reads edges, never documents. The
//! [`Tracer`] is a state machine without IO: ask it which identifiers it needs edges for, hand it those edges,
//! and repeat until it needs none; each round is one indexed query, and rounds equal the depth of the chain.
//!
//! Containment is time-bound: a child travels with its parent from the `ADD` until a `DELETE` of that child
//! (or of all children). A shipment of the parent reaches the child only inside that window.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::{Action, Event, EventType, Role};

/// What an edge says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// `from` (a parent) holds `to` (a child or class) from the edge's time.
    Contains,
    /// `from` lets go of `to`; an empty `to` means every child.
    Releases,
    /// `from` (an input) went into `to` (an output).
    Transforms,
    /// `from` was sent to party or location `to`.
    ShipsTo,
    /// `from` came from party or location `to`.
    ComesFrom,
    /// `from` arrived at, was made at, or was sold at location `to`.
    LocatedAt,
}

impl EdgeKind {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Contains => "contains",
            EdgeKind::Releases => "releases",
            EdgeKind::Transforms => "transforms",
            EdgeKind::ShipsTo => "ships_to",
            EdgeKind::ComesFrom => "comes_from",
            EdgeKind::LocatedAt => "located_at",
        }
    }

    /// Reads a stored name.
    pub fn parse(value: &str) -> Option<Self> {
        use EdgeKind::*;
        [Contains, Releases, Transforms, ShipsTo, ComesFrom, LocatedAt].into_iter().find(|k| k.as_str() == value)
    }

    fn reaches_party(self) -> bool {
        matches!(self, EdgeKind::ShipsTo | EdgeKind::ComesFrom | EdgeKind::LocatedAt)
    }
}

/// One fact of the supply chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// What it says.
    pub kind: EdgeKind,
    /// Canonical identifier it starts from.
    pub from: String,
    /// Canonical identifier it points to (empty for "every child").
    pub to: String,
    /// For parties: `owning_party`, `possessing_party`, `location`, or the business step for `LocatedAt`.
    pub label: Option<String>,
    /// Quantity of a class.
    pub quantity: Option<f64>,
    /// Unit of the quantity.
    pub uom: Option<String>,
}

/// An edge as stored: with the event that stated it and the event's time.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEdge {
    /// The fact.
    pub edge: Edge,
    /// The event's row (or any stable key of it).
    pub event: i64,
    /// Event time, UTC milliseconds.
    pub time: i64,
}

/// Business steps at which an item is where its event's business location says.
const ARRIVAL_STEPS: &[&str] =
    &["commissioning", "receiving", "accepting", "arriving", "stocking", "storing", "retail_selling", "dispensing"];

/// The edges an event states.
pub fn edges(event: &Event) -> Vec<Edge> {
    let mut out = Vec::new();
    let edge = |kind, from: &str, to: &str, label: Option<String>, quantity, uom: Option<String>| Edge {
        kind,
        from: from.to_owned(),
        to: to.to_owned(),
        label,
        quantity,
        uom,
    };
    let with_role = |roles: &'static [Role]| event.ids.iter().filter(move |q| roles.contains(&q.role));
    match event.event_type {
        EventType::Aggregation | EventType::Association => {
            if let Some(parent) = with_role(&[Role::Parent]).next() {
                let children: Vec<_> = with_role(&[Role::Child, Role::ChildQuantity]).collect();
                match event.action {
                    Some(Action::Delete) if children.is_empty() => {
                        out.push(edge(EdgeKind::Releases, &parent.id, "", None, None, None));
                    }
                    Some(action) => {
                        let kind = if action == Action::Delete { EdgeKind::Releases } else { EdgeKind::Contains };
                        for child in children {
                            out.push(edge(kind, &parent.id, &child.id, None, child.quantity, child.uom.clone()));
                        }
                    }
                    None => {}
                }
            }
        }
        EventType::Transformation => {
            let inputs: Vec<_> = with_role(&[Role::Input, Role::InputQuantity]).collect();
            for output in with_role(&[Role::Output, Role::OutputQuantity]) {
                for input in &inputs {
                    out.push(edge(
                        EdgeKind::Transforms,
                        &input.id,
                        &output.id,
                        None,
                        output.quantity,
                        output.uom.clone(),
                    ));
                }
            }
        }
        EventType::Object | EventType::Transaction => {}
    }
    // What moved: for aggregations the parent carries the children, so the parent is what is shipped.
    let moved: Vec<_> = match event.event_type {
        EventType::Aggregation | EventType::Association => with_role(&[Role::Parent]).collect(),
        EventType::Transformation => with_role(&[Role::Output, Role::OutputQuantity]).collect(),
        _ => with_role(&[Role::Epc, Role::Quantity, Role::Parent]).collect(),
    };
    for item in &moved {
        for party in &event.parties {
            let kind = if party.direction == "destination" { EdgeKind::ShipsTo } else { EdgeKind::ComesFrom };
            out.push(edge(kind, &item.id, &party.id, Some(party.kind.clone()), item.quantity, item.uom.clone()));
        }
        let arrived = event.biz_step.as_deref().is_some_and(|step| ARRIVAL_STEPS.contains(&step));
        if let (true, Some(location)) = (arrived, &event.biz_location) {
            out.push(edge(
                EdgeKind::LocatedAt,
                &item.id,
                location,
                event.biz_step.clone(),
                item.quantity,
                item.uom.clone(),
            ));
        }
    }
    out
}

/// Which way a trace goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// What was made from it and where it went.
    Forward,
    /// What went into it and where it came from.
    Backward,
}

/// One step of the path that reached an item: the event and the identifier it came through.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Step {
    /// Event row.
    pub event: i64,
    /// Identifier reached at this step.
    pub id: String,
    /// How: `transforms`, `contains`, `carried_by`.
    pub how: &'static str,
}

/// An item or class the trace reached.
#[derive(Debug, Clone, PartialEq)]
pub struct ReachedItem {
    /// Canonical identifier.
    pub id: String,
    /// Steps from the start; empty for a start identifier.
    pub path: Vec<Step>,
    /// Quantity stated where it was reached (classes).
    pub quantity: Option<f64>,
    /// Its unit.
    pub uom: Option<String>,
    /// True when it (or a container carrying it) was shipped to a party or location, within the window.
    pub shipped: bool,
}

/// A party or location the trace reached.
#[derive(Debug, Clone, PartialEq)]
pub struct ReachedParty {
    /// Canonical identifier (PGLN / SGLN link, usually).
    pub id: String,
    /// `owning_party`, `possessing_party`, `location`, or the business step where an item was located.
    pub label: String,
    /// `ShipsTo`, `ComesFrom` or `LocatedAt`.
    pub how: EdgeKind,
    /// First time it was reached.
    pub time: i64,
    /// The event that reached it first.
    pub event: i64,
    /// The item (or container carrying it) that reached it.
    pub via: String,
    /// Sum of class quantities sent to it (units where no uom), if any were stated.
    pub quantity: Option<f64>,
}

/// A shipment of a reached class (lot) with a stated quantity: one per event and class, however many
/// destinations (an owning party and a location, often both) the event names.
#[derive(Debug, Clone, PartialEq)]
pub struct Shipment {
    pub event: i64,
    pub time: i64,
    /// The class shipped.
    pub item: String,
    pub quantity: f64,
    /// Its unit (`None`: units, as EPCIS says when no uom is given).
    pub uom: Option<String>,
    /// Where it went (destination list).
    pub destinations: Vec<String>,
    /// Where it came from (source list), when the event says.
    pub sources: Vec<String>,
}

/// A finished trace.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// Items and classes reached, start identifiers first.
    pub items: Vec<ReachedItem>,
    /// Containers that carried reached items, with the windows they did.
    pub containers: Vec<String>,
    /// Parties and locations reached.
    pub parties: Vec<ReachedParty>,
    /// Quantities of reached classes shipped, event by event, earliest first.
    pub shipments: Vec<Shipment>,
}

/// A window `[from, to)` in which a holder carried an item.
#[derive(Debug, Clone, Copy)]
struct Window {
    from: i64,
    to: i64,
}

/// The trace state machine.
#[derive(Debug)]
pub struct Tracer {
    direction: Direction,
    as_of: i64,
    start: Vec<String>,
    fetched: BTreeSet<String>,
    by_from: HashMap<String, Vec<StoredEdge>>,
    by_to: HashMap<String, Vec<StoredEdge>>,
    /// Guards against unbounded traces: at most this many identifiers are expanded.
    limit: usize,
    truncated: bool,
}

impl Tracer {
    /// A trace from `start` (canonical identifiers), ignoring events after `as_of` (UTC milliseconds).
    pub fn new(start: Vec<String>, direction: Direction, as_of: Option<i64>, limit: usize) -> Self {
        Tracer {
            direction,
            as_of: as_of.unwrap_or(i64::MAX),
            start,
            fetched: BTreeSet::new(),
            by_from: HashMap::new(),
            by_to: HashMap::new(),
            limit,
            truncated: false,
        }
    }

    /// True when the limit cut the trace short.
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// Identifiers whose edges (as `from` or `to`) are needed next; empty when the trace is complete.
    pub fn wanted(&mut self) -> Vec<String> {
        let (trace, holders) = self.walk();
        let mut wanted: Vec<String> =
            trace.items.iter().map(|i| i.id.clone()).chain(holders).filter(|id| !self.fetched.contains(id)).collect();
        wanted.sort();
        wanted.dedup();
        if self.fetched.len() + wanted.len() > self.limit {
            self.truncated = true;
            wanted.truncate(self.limit.saturating_sub(self.fetched.len()));
        }
        wanted
    }

    /// Takes the edges touching identifiers returned by [`Tracer::wanted`].
    pub fn absorb(&mut self, asked: &[String], edges: Vec<StoredEdge>) {
        self.fetched.extend(asked.iter().cloned());
        for edge in edges {
            if edge.time > self.as_of {
                continue;
            }
            let (from, to) = (edge.edge.from.clone(), edge.edge.to.clone());
            let list = self.by_from.entry(from).or_default();
            if !list.contains(&edge) {
                list.push(edge.clone());
                self.by_to.entry(to).or_default().push(edge);
            }
        }
    }

    /// The trace over the edges absorbed so far.
    pub fn finish(&self) -> Trace {
        self.walk().0
    }

    fn edges_out(&self, id: &str, kind: EdgeKind) -> impl Iterator<Item = &StoredEdge> {
        self.by_from.get(id).into_iter().flatten().filter(move |e| e.edge.kind == kind)
    }

    fn edges_in(&self, id: &str, kind: EdgeKind) -> impl Iterator<Item = &StoredEdge> {
        self.by_to.get(id).into_iter().flatten().filter(move |e| e.edge.kind == kind)
    }

    /// Holders of `id` and the windows in which they held it, nested holders included.
    fn holders(&self, id: &str, window: Window, depth: usize, out: &mut Vec<(String, Window, i64)>) {
        if depth > 16 {
            return;
        }
        for added in self.edges_in(id, EdgeKind::Contains) {
            let parent = &added.edge.from;
            let released = self
                .edges_out(parent, EdgeKind::Releases)
                .filter(|r| (r.edge.to == id || r.edge.to.is_empty()) && r.time > added.time)
                .map(|r| r.time)
                .min()
                .unwrap_or(i64::MAX);
            let held = Window { from: added.time.max(window.from), to: released.min(window.to) };
            if held.from < held.to {
                out.push((parent.clone(), held, added.event));
                self.holders(parent, held, depth + 1, out);
            }
        }
    }

    /// Reachability over the known edges: the trace, and every holder whose edges matter.
    fn walk(&self) -> (Trace, Vec<String>) {
        let mut items: BTreeMap<String, ReachedItem> = BTreeMap::new();
        let mut order: Vec<String> = Vec::new();
        let mut queue: Vec<(String, i64)> = Vec::new();
        for id in &self.start {
            if !items.contains_key(id) {
                items.insert(
                    id.clone(),
                    ReachedItem { id: id.clone(), path: Vec::new(), quantity: None, uom: None, shipped: false },
                );
                order.push(id.clone());
                queue.push((id.clone(), i64::MIN));
            }
        }
        let mut parties: BTreeMap<(String, String), ReachedParty> = BTreeMap::new();
        let mut shipments: BTreeMap<(i64, String), Shipment> = BTreeMap::new();
        let mut holder_ids: Vec<String> = Vec::new();
        let mut next = 0;
        while next < queue.len() {
            let (id, since) = queue[next].clone();
            next += 1;
            let path = items[&id].path.clone();
            let mut reach = |target: &str, edge: &StoredEdge, how: &'static str, queue: &mut Vec<(String, i64)>| {
                if target.is_empty() || items.contains_key(target) {
                    return;
                }
                let mut steps = path.clone();
                steps.push(Step { event: edge.event, id: target.to_owned(), how });
                items.insert(
                    target.to_owned(),
                    ReachedItem {
                        id: target.to_owned(),
                        path: steps,
                        quantity: edge.edge.quantity,
                        uom: edge.edge.uom.clone(),
                        shipped: false,
                    },
                );
                order.push(target.to_owned());
                let since = if self.direction == Direction::Forward { edge.time } else { i64::MIN };
                queue.push((target.to_owned(), since));
            };
            match self.direction {
                Direction::Forward => {
                    for edge in self.edges_out(&id, EdgeKind::Transforms) {
                        reach(&edge.edge.to.clone(), edge, "transforms", &mut queue);
                    }
                }
                Direction::Backward => {
                    for edge in self.edges_in(&id, EdgeKind::Transforms) {
                        reach(&edge.edge.from.clone(), edge, "transforms", &mut queue);
                    }
                    for edge in self.edges_out(&id, EdgeKind::Contains) {
                        reach(&edge.edge.to.clone(), edge, "contains", &mut queue);
                    }
                }
            }
            // Parties reached by the item itself and by whatever carried it at the time.
            let mut carriers = vec![(id.clone(), Window { from: since, to: i64::MAX }, None)];
            let mut held = Vec::new();
            self.holders(&id, Window { from: since, to: i64::MAX }, 0, &mut held);
            for (holder, window, _) in &held {
                holder_ids.push(holder.clone());
                carriers.push((holder.clone(), *window, Some(())));
            }
            let mut shipped = false;
            for (carrier, window, _) in carriers {
                for edge in self.by_from.get(&carrier).into_iter().flatten() {
                    if !edge.edge.kind.reaches_party() || edge.time < window.from || edge.time >= window.to {
                        continue;
                    }
                    if edge.edge.kind == EdgeKind::ShipsTo {
                        shipped = true;
                    }
                    let how = edge.edge.kind.as_str();
                    let key = (edge.edge.to.clone(), how.to_owned());
                    let entry = parties.entry(key).or_insert_with(|| ReachedParty {
                        id: edge.edge.to.clone(),
                        label: edge.edge.label.clone().unwrap_or_default(),
                        how: edge.edge.kind,
                        time: edge.time,
                        event: edge.event,
                        via: carrier.clone(),
                        quantity: None,
                    });
                    if edge.time < entry.time {
                        entry.time = edge.time;
                        entry.event = edge.event;
                        entry.via = carrier.clone();
                    }
                    if carrier == id {
                        if let Some(quantity) = edge.edge.quantity {
                            *entry.quantity.get_or_insert(0.0) += quantity;
                            let shipment = shipments.entry((edge.event, id.clone())).or_insert_with(|| Shipment {
                                event: edge.event,
                                time: edge.time,
                                item: id.clone(),
                                quantity,
                                uom: edge.edge.uom.clone(),
                                destinations: Vec::new(),
                                sources: Vec::new(),
                            });
                            match edge.edge.kind {
                                EdgeKind::ShipsTo => shipment.destinations.push(edge.edge.to.clone()),
                                EdgeKind::ComesFrom => shipment.sources.push(edge.edge.to.clone()),
                                _ => {}
                            }
                        }
                    }
                }
            }
            if let Some(item) = items.get_mut(&id) {
                item.shipped = shipped;
            }
        }
        holder_ids.sort();
        holder_ids.dedup();
        let trace = Trace {
            items: order.into_iter().filter_map(|id| items.remove(&id)).collect(),
            containers: holder_ids.clone(),
            parties: parties.into_values().collect(),
            shipments: {
                let mut list: Vec<Shipment> = shipments.into_values().filter(|s| !s.destinations.is_empty()).collect();
                list.sort_by_key(|s| (s.time, s.event));
                list
            },
        };
        (trace, holder_ids)
    }
}
