//! Checkpoints: a log's size and root at a moment, signed with Ed25519 so anyone holding the public key can check
//! that the operator stands behind them.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::Hash;

/// A signed statement of the log's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub tree_size: u64,
    pub root_hash: Hash,
    /// RFC 3339 UTC.
    pub timestamp: String,
}

/// Why a checkpoint's signature does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("the signature is {0} bytes, expected 64")]
    SignatureLength(usize),
    #[error("the signature does not match the checkpoint and key")]
    BadSignature,
}

impl Checkpoint {
    /// The bytes that are signed: a versioned line-based text, so any other tool can rebuild them.
    pub fn signed_bytes(&self) -> Vec<u8> {
        format!(
            "zhiliang transparency log v1\n{}\n{}\n{}\n",
            self.tree_size,
            hex::encode(self.root_hash),
            self.timestamp
        )
        .into_bytes()
    }

    /// Signs the checkpoint.
    pub fn sign(&self, key: &SigningKey) -> [u8; 64] {
        key.sign(&self.signed_bytes()).to_bytes()
    }

    /// Checks a signature over the checkpoint.
    pub fn verify(&self, key: &VerifyingKey, signature: &[u8]) -> Result<(), CheckpointError> {
        let bytes: [u8; 64] = signature.try_into().map_err(|_| CheckpointError::SignatureLength(signature.len()))?;
        key.verify(&self.signed_bytes(), &Signature::from_bytes(&bytes)).map_err(|_| CheckpointError::BadSignature)
    }
}

/// A short name of a public key: the first eight bytes of its SHA-256, in hex.
pub fn key_id(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}
