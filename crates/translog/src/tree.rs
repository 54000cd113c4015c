//! The tree's shape: which complete subtrees make up a range, what a proof needs, how to fold it, how to check it.

use crate::{empty_root, node_hash, Hash};

/// A complete subtree: the `2^level` leaves from `index · 2^level`. Level 0 is a leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId {
    pub level: u8,
    pub index: u64,
}

impl NodeId {
    fn leaves(self) -> u64 {
        1 << self.level
    }

    fn start(self) -> u64 {
        self.index << self.level
    }
}

/// The largest power of two below `n` (`n` ≥ 2): where RFC 6962 splits a tree of `n` leaves.
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// The complete subtrees whose fold is the Merkle tree hash of leaves `[start, end)`, left to right. Every range
/// that RFC 6962's recursion produces starts on a boundary of its own left part, so the parts are complete.
fn range_nodes(start: u64, end: u64) -> Vec<NodeId> {
    let mut nodes = Vec::new();
    let mut at = start;
    while at < end {
        let size = end - at;
        let part = if size.is_power_of_two() { size } else { split(size) };
        let level = part.trailing_zeros() as u8;
        nodes.push(NodeId { level, index: at >> level });
        at += part;
    }
    nodes
}

/// What a root or proof needs: for each hash, the complete subtrees it is folded from (usually one).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    pub parts: Vec<Vec<NodeId>>,
}

impl Plan {
    /// Every node to fetch, each once, sorted.
    pub fn nodes(&self) -> Vec<NodeId> {
        let mut all: Vec<NodeId> = self.parts.iter().flatten().copied().collect();
        all.sort();
        all.dedup();
        all
    }

    /// Folds the fetched hashes into the plan's hashes; `None` if a needed node is missing.
    pub fn assemble(&self, lookup: impl Fn(NodeId) -> Option<Hash>) -> Option<Vec<Hash>> {
        self.parts
            .iter()
            .map(|nodes| {
                let mut hashes = nodes.iter().rev().map(|node| lookup(*node));
                let mut acc = hashes.next()??;
                for left in hashes {
                    acc = node_hash(&left?, &acc);
                }
                Some(acc)
            })
            .collect()
    }
}

/// The plan of the root of the first `size` leaves: one part (the empty tree has no nodes; its root is
/// [`crate::empty_root`]).
pub fn root_plan(size: u64) -> Plan {
    Plan { parts: if size == 0 { Vec::new() } else { vec![range_nodes(0, size)] } }
}

/// The audit path of leaf `index` in the tree of the first `size` leaves (RFC 6962 §2.1.1), leaf side first.
pub fn inclusion_plan(index: u64, size: u64) -> Result<Plan, ProofError> {
    if index >= size {
        return Err(ProofError::IndexBeyondSize { index, size });
    }
    let mut parts = Vec::new();
    let (mut start, mut end, mut m) = (0, size, index);
    let mut siblings = Vec::new();
    while end - start > 1 {
        let k = split(end - start);
        if m < k {
            siblings.push(range_nodes(start + k, end));
            end = start + k;
        } else {
            siblings.push(range_nodes(start, start + k));
            start += k;
            m -= k;
        }
    }
    parts.extend(siblings.into_iter().rev());
    Ok(Plan { parts })
}

/// The consistency proof between the trees of the first `first` and `second` leaves (RFC 6962 §2.1.2).
pub fn consistency_plan(first: u64, second: u64) -> Result<Plan, ProofError> {
    if first > second {
        return Err(ProofError::FirstBeyondSecond { first, second });
    }
    if first == 0 || first == second {
        return Ok(Plan::default());
    }
    let mut parts = Vec::new();
    let (mut start, mut end, mut m, mut complete) = (0, second, first, true);
    loop {
        if m == end - start {
            if !complete {
                parts.push(range_nodes(start, end));
            }
            break;
        }
        let k = split(end - start);
        if m <= k {
            parts.push(range_nodes(start + k, end));
            end = start + k;
        } else {
            parts.push(range_nodes(start, start + k));
            start += k;
            m -= k;
            complete = false;
        }
    }
    parts.reverse();
    Ok(Plan { parts })
}

/// Why a proof does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("leaf {index} is not in a tree of {size} leaves")]
    IndexBeyondSize { index: u64, size: u64 },
    #[error("the first tree ({first} leaves) is larger than the second ({second})")]
    FirstBeyondSecond { first: u64, second: u64 },
    #[error("the proof has {found} hashes, {expected} expected")]
    WrongLength { found: usize, expected: usize },
    #[error("the proof leads to root {computed}, not {expected}")]
    RootMismatch { computed: String, expected: String },
    #[error("the proof leads to first root {computed}, not {expected}")]
    FirstRootMismatch { computed: String, expected: String },
}

/// Checks an audit path (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(leaf: &Hash, index: u64, size: u64, path: &[Hash], root: &Hash) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexBeyondSize { index, size });
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in path {
        if sn == 0 {
            return Err(ProofError::WrongLength { found: path.len(), expected: inclusion_length(index, size) });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongLength { found: path.len(), expected: inclusion_length(index, size) });
    }
    if r != *root {
        return Err(ProofError::RootMismatch { computed: hex::encode(r), expected: hex::encode(root) });
    }
    Ok(())
}

fn inclusion_length(index: u64, size: u64) -> usize {
    inclusion_plan(index, size).map_or(0, |p| p.parts.len())
}

/// Checks a consistency proof (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    first: u64,
    second: u64,
    first_root: &Hash,
    second_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if first > second {
        return Err(ProofError::FirstBeyondSecond { first, second });
    }
    let expected = consistency_plan(first, second)?.parts.len();
    if first == second || first == 0 {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength { found: proof.len(), expected: 0 });
        }
        if first == second && first_root != second_root {
            return Err(ProofError::RootMismatch {
                computed: hex::encode(first_root),
                expected: hex::encode(second_root),
            });
        }
        if first == 0 && *first_root != empty_root() {
            return Err(ProofError::FirstRootMismatch {
                computed: hex::encode(first_root),
                expected: hex::encode(empty_root()),
            });
        }
        return Ok(());
    }
    if proof.len() != expected {
        return Err(ProofError::WrongLength { found: proof.len(), expected });
    }
    let mut path: Vec<Hash> = proof.to_vec();
    if first.is_power_of_two() {
        path.insert(0, *first_root);
    }
    let (mut fn_, mut sn) = (first - 1, second - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if sn == 0 {
            return Err(ProofError::WrongLength { found: proof.len(), expected });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongLength { found: proof.len(), expected });
    }
    if fr != *first_root {
        return Err(ProofError::FirstRootMismatch { computed: hex::encode(fr), expected: hex::encode(first_root) });
    }
    if sr != *second_root {
        return Err(ProofError::RootMismatch { computed: hex::encode(sr), expected: hex::encode(second_root) });
    }
    Ok(())
}

/// The right edge of a log: the complete subtrees of its decomposition, largest first. Appending a leaf gives the
/// complete subtrees it finishes, which are all a store must keep to answer every proof.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    edge: Vec<(NodeId, Hash)>,
}

impl Frontier {
    /// The edge of a stored log of `size` leaves, from its nodes ([`Frontier::needs`] lists them).
    pub fn from_nodes(size: u64, lookup: impl Fn(NodeId) -> Option<Hash>) -> Option<Frontier> {
        let edge = range_nodes(0, size).into_iter().map(|node| Some((node, lookup(node)?))).collect::<Option<_>>()?;
        Some(Frontier { size, edge })
    }

    /// The nodes [`Frontier::from_nodes`] needs for a log of `size` leaves.
    pub fn needs(size: u64) -> Vec<NodeId> {
        range_nodes(0, size)
    }

    /// Leaves in the log.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash; returns every complete subtree it finishes, the leaf itself first.
    pub fn append(&mut self, leaf: Hash) -> Vec<(NodeId, Hash)> {
        let mut node = (NodeId { level: 0, index: self.size }, leaf);
        let mut finished = vec![node];
        while let Some(&(last, hash)) = self.edge.last() {
            if last.level != node.0.level {
                break;
            }
            self.edge.pop();
            node = (NodeId { level: last.level + 1, index: last.index >> 1 }, node_hash(&hash, &node.1));
            finished.push(node);
        }
        self.edge.push(node);
        self.size += 1;
        debug_assert_eq!(node.0.start() + node.0.leaves(), self.size);
        finished
    }

    /// The root of the log as it stands.
    pub fn root(&self) -> Hash {
        let mut hashes = self.edge.iter().rev().map(|(_, h)| *h);
        let Some(mut acc) = hashes.next() else { return empty_root() };
        for left in hashes {
            acc = node_hash(&left, &acc);
        }
        acc
    }
}
