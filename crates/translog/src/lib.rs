//! A verifiable append-only log after RFC 6962 (Certificate Transparency): the leaf hash `SHA-256(0x00 ‖ entry)`,
//! the node hash `SHA-256(0x01 ‖ left ‖ right)`, the Merkle tree hash of any prefix of the log, inclusion and
//! consistency proofs, their verification (RFC 9162 §2.1.3.2 and §2.1.4.2), and checkpoints in the C2SP
//! `tlog-checkpoint` / `signed-note` formats, signed with Ed25519 and cosigned by witnesses (`cosignature/v1`).
//!
//! Sans-IO: a log is stored as the hashes of its complete subtrees ([`NodeId`]), which never change once full.
//! Proofs and roots are first *planned* as the nodes they need, the caller fetches those hashes in one read, and
//! the plan is then folded into hashes. Appends go through a [`Frontier`], the right edge of the tree.

mod cache;
mod checkpoint;
mod tree;

pub use cache::{LevelRange, SubtreeCache};
pub use checkpoint::{
    check_cosignature, cosign, key_id, open, verifier_key, Checkpoint, CheckpointError, LogSigner, NoteVerifier, Opened,
};
pub use tree::{
    consistency_plan, inclusion_plan, root_plan, verify_consistency, verify_inclusion, Frontier, NodeId, Plan,
    ProofError,
};

use sha2::{Digest, Sha256};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// The hash of a leaf: `SHA-256(0x00 ‖ entry)`.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0u8]);
    hasher.update(entry);
    hasher.finalize().into()
}

/// The hash of an interior node: `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([1u8]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The root of the empty log: the hash of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}
