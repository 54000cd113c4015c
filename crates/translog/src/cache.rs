//! Every complete subtree's hash at the levels a memory budget allows, held densely by level. A complete subtree
//! never changes, so what is held stays true as the log grows; an inclusion proof then reads from the store only
//! the levels below the cache. Which nodes are held depends on the log's size alone, never on which proofs were
//! asked for, so a proof costs the same whichever entry it is for.

use crate::{Hash, NodeId};

/// A tree's complete subtrees at levels `lowest` and up, each level's hashes in index order from 0.
#[derive(Debug, Clone)]
pub struct SubtreeCache {
    budget: usize,
    lowest: u8,
    /// The size whose subtrees were last asked for, and the largest size whose subtrees are all held.
    target: u64,
    covered: u64,
    /// `levels[k]` holds the hashes of level `lowest + k`.
    levels: Vec<Vec<Hash>>,
}

/// The nodes of one level a cache still needs: indexes `from..to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelRange {
    pub level: u8,
    pub from: u64,
    pub to: u64,
}

/// Complete subtrees at `level` in a tree of `size` leaves.
fn complete_at(size: u64, level: u8) -> u64 {
    size.checked_shr(u32::from(level)).unwrap_or(0)
}

impl SubtreeCache {
    /// An empty cache that will hold at most `budget` hashes.
    pub fn new(budget: usize) -> Self {
        SubtreeCache { budget, lowest: 64, target: 0, covered: 0, levels: Vec::new() }
    }

    /// The lowest level whose complete subtrees, with all those above, fit in `budget` hashes for `size` leaves.
    pub fn lowest_level(size: u64, budget: usize) -> u8 {
        (0..64u8)
            .find(|&lowest| {
                let held = (lowest..64).fold(0u64, |sum, level| sum.saturating_add(complete_at(size, level)));
                held <= budget as u64
            })
            .unwrap_or(64)
    }

    /// The lowest level held.
    pub fn lowest(&self) -> u8 {
        self.lowest
    }

    /// Hashes held.
    pub fn len(&self) -> usize {
        self.levels.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A complete subtree's hash, if held.
    pub fn get(&self, node: NodeId) -> Option<Hash> {
        let level = node.level.checked_sub(self.lowest)?;
        self.levels.get(usize::from(level))?.get(usize::try_from(node.index).ok()?).copied()
    }

    /// Whether every complete subtree of a tree of `size` leaves at the held levels is held.
    pub fn covers(&self, size: u64) -> bool {
        size <= self.covered
    }

    fn held(&self, level: u8) -> u64 {
        level.checked_sub(self.lowest).and_then(|k| self.levels.get(usize::from(k))).map_or(0, |l| l.len() as u64)
    }

    /// Moves the cache to the levels that fit for `size` leaves (dropping levels that no longer fit) and names
    /// the nodes to read so that it covers them, lowest level first.
    pub fn missing(&mut self, size: u64) -> Vec<LevelRange> {
        let lowest = Self::lowest_level(size, self.budget);
        if lowest > self.lowest {
            let dropped = usize::from(lowest - self.lowest).min(self.levels.len());
            self.levels.drain(..dropped);
        } else if lowest < self.lowest {
            // Only a fresh cache starts above its level: nothing held to keep.
            self.levels.clear();
        }
        self.lowest = lowest;
        self.target = size;
        let top = (lowest..64).take_while(|&level| complete_at(size, level) > 0).last();
        if let Some(top) = top {
            self.levels.resize(usize::from(top - lowest) + 1, Vec::new());
        }
        let ranges: Vec<LevelRange> = top
            .map(|top| {
                (lowest..=top).map(|level| LevelRange { level, from: self.held(level), to: complete_at(size, level) })
            })
            .into_iter()
            .flatten()
            .filter(|range| range.from < range.to)
            .collect();
        if ranges.is_empty() {
            self.covered = self.covered.max(size);
        }
        ranges
    }

    /// Takes in a level's hashes read from index `from` on, in index order: kept only where they continue what
    /// is held, so a gap in what the store gave leaves the rest to be read at proof time.
    pub fn extend(&mut self, level: u8, from: u64, hashes: impl IntoIterator<Item = (u64, Hash)>) {
        let Some(held) = level.checked_sub(self.lowest).and_then(|k| self.levels.get_mut(usize::from(k))) else {
            return;
        };
        if held.len() as u64 != from {
            return;
        }
        for (index, hash) in hashes {
            if index != held.len() as u64 {
                break;
            }
            held.push(hash);
        }
        if (self.lowest..64).all(|level| self.held(level) >= complete_at(self.target, level)) {
            self.covered = self.covered.max(self.target);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(level: u8, index: u64) -> Hash {
        let mut h = [0u8; 32];
        h[0] = level;
        h[1..9].copy_from_slice(&index.to_be_bytes());
        h
    }

    fn fill(cache: &mut SubtreeCache, size: u64) {
        for range in cache.missing(size) {
            cache.extend(range.level, range.from, (range.from..range.to).map(|i| (i, hash(range.level, i))));
        }
    }

    #[test]
    fn the_lowest_level_is_the_lowest_that_fits_the_budget() {
        // 1,000 leaves: levels 3 and up hold 125+62+31+15+7+3+1 = 244 nodes; level 2 adds 250.
        assert_eq!(SubtreeCache::lowest_level(1_000, 244), 3);
        assert_eq!(SubtreeCache::lowest_level(1_000, 243), 4);
        assert_eq!(SubtreeCache::lowest_level(1_000, 10_000), 0);
        assert_eq!(SubtreeCache::lowest_level(0, 0), 0);
        assert_eq!(SubtreeCache::lowest_level(u64::MAX, 0), 64);
    }

    #[test]
    fn a_filled_cache_holds_every_complete_subtree_and_grows_with_the_log() {
        let mut cache = SubtreeCache::new(300);
        assert!(!cache.covers(1_000));
        fill(&mut cache, 1_000);
        assert!(cache.covers(1_000) && cache.covers(999) && !cache.covers(1_001));
        assert!(cache.missing(1_000).is_empty());
        assert_eq!(cache.lowest(), 3);
        assert_eq!(cache.len(), 244);
        assert_eq!(cache.get(NodeId { level: 3, index: 124 }), Some(hash(3, 124)));
        assert_eq!(cache.get(NodeId { level: 3, index: 125 }), None, "not complete at 1,000 leaves");
        assert_eq!(cache.get(NodeId { level: 2, index: 0 }), None, "below the cache");
        assert_eq!(cache.get(NodeId { level: 9, index: 0 }), Some(hash(9, 0)));
        // More leaves: only the new subtrees are read; past the budget the lowest level is dropped.
        let more = cache.missing(1_100);
        assert_eq!(more.first(), Some(&LevelRange { level: 3, from: 125, to: 137 }));
        fill(&mut cache, 1_100);
        assert!(cache.covers(1_100));
        // 2,000 leaves: level 3 and up would be 494 nodes, level 4 and up 244.
        fill(&mut cache, 2_000);
        assert_eq!(cache.lowest(), 4);
        assert!(cache.covers(2_000));
        assert_eq!(cache.len(), 244);
        assert_eq!(cache.get(NodeId { level: 4, index: 124 }), Some(hash(4, 124)));
        assert_eq!(cache.get(NodeId { level: 3, index: 0 }), None);
    }

    #[test]
    fn hashes_after_a_gap_are_not_kept() {
        let mut cache = SubtreeCache::new(1_000);
        let ranges = cache.missing(16);
        assert_eq!(ranges[0], LevelRange { level: 0, from: 0, to: 16 });
        cache.extend(0, 0, [(0, hash(0, 0)), (1, hash(0, 1)), (3, hash(0, 3)), (4, hash(0, 4))]);
        assert_eq!(cache.get(NodeId { level: 0, index: 1 }), Some(hash(0, 1)));
        assert_eq!(cache.get(NodeId { level: 0, index: 3 }), None);
        cache.extend(0, 5, [(5, hash(0, 5))]);
        assert_eq!(cache.get(NodeId { level: 0, index: 5 }), None, "not where the level stands");
        assert!(!cache.covers(16));
        assert_eq!(cache.missing(16)[0], LevelRange { level: 0, from: 2, to: 16 });
        fill(&mut cache, 16);
        assert!(cache.covers(16));
        assert_eq!(cache.get(NodeId { level: 0, index: 3 }), Some(hash(0, 3)));
    }
}
