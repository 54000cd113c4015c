//! Signing the public transparency log (公开记录): a checkpoint is signed only over a stored tree that extends the
//! one this server last signed (remembered outside the database) and whose new entries hash to their leaves, so a
//! database writer without the key cannot make the server sign a rewritten history.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use store::public_log::StoredCheckpoint;
use utoipa::ToSchema;

use translog::{
    check_cosignature, consistency_plan, key_id, leaf_hash, verify_consistency, Checkpoint, Hash, LogSigner, NodeId,
    NoteVerifier,
};

use crate::log_signing::{load_signer, read_state, write_state, LogKeyError, Remembered};
use crate::ownership::{self, Record};
use crate::{ApiError, ErrorCode, Services};

/// The log cannot be signed: the key is missing, unreadable or not the registered one. Details go to the
/// server's log only, since they name files.
fn unavailable(error: LogKeyError) -> ApiError {
    tracing::error!(%error, "the public log cannot be signed");
    ApiError::new(ErrorCode::LogUnavailable, "the public log cannot be signed now; the operator has been told")
}

/// The stored log is not what this server signed: it refuses to sign it.
pub fn inconsistent(message: String) -> ApiError {
    tracing::error!(%message, "the public log's storage was rewritten");
    ApiError::new(ErrorCode::LogInconsistent, message)
}

/// The log's signer, loaded once: the key from the environment or the key file, never from the database.
pub async fn signer(state: &Services) -> Result<&LogSigner, ApiError> {
    state.log.signer.get_or_try_init(|| load_signer(&state.log.config, &state.store)).await.map_err(unavailable)
}

/// Refuses a stored tree of `size` leaves and `root` that does not extend the checkpoint this server last
/// signed: fewer entries, another root at the same size, or no consistency proof from the stored nodes.
async fn check_extension(state: &Services, remembered: &Remembered, size: u64, root: &Hash) -> Result<(), ApiError> {
    let signed = remembered.tree_size;
    let signed_root: Hash = hex::decode(&remembered.root_hash)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| unavailable(LogKeyError::State(state.log.config.state_file.display().to_string())))?;
    let refused = |why: &str| {
        inconsistent(format!(
            "the stored log ({size} entries) is not an extension of the checkpoint this server signed at {signed} \
             entries: {why}; it refuses to sign"
        ))
    };
    if size < signed {
        return Err(refused("entries were removed"));
    }
    if size == signed {
        return if *root == signed_root { Ok(()) } else { Err(refused("the root differs")) };
    }
    if signed == 0 {
        return Ok(());
    }
    let plan = consistency_plan(signed, size).map_err(|e| refused(&e.to_string()))?;
    let nodes = state.store.log_nodes(&plan.nodes()).await?;
    let proof = plan.assemble(|n| nodes.get(&n).copied()).ok_or_else(|| refused("nodes are missing"))?;
    verify_consistency(signed, size, &signed_root, root, &proof).map_err(|_| refused("no consistency proof holds"))
}

/// Refuses entries in `from..to` whose bytes do not hash to their stored leaf: they are about to be signed.
async fn check_new_leaves(state: &Services, from: u64, to: u64) -> Result<(), ApiError> {
    let mut start = from as i64;
    while start < to as i64 {
        let end = (start + state.settings.log_page_size).min(to as i64);
        let entries = state.store.log_entries(start, end).await?;
        let ids: Vec<NodeId> = (start..end).map(|i| NodeId { level: 0, index: i as u64 }).collect();
        let nodes = state.store.log_nodes(&ids).await?;
        for entry in &entries {
            let leaf = leaf_hash(entry.data.as_bytes());
            let stored = nodes.get(&NodeId { level: 0, index: entry.idx as u64 });
            if hex::encode(leaf) != entry.leaf_hash || stored != Some(&leaf) {
                return Err(inconsistent(format!(
                    "entry {}: its bytes do not hash to its stored leaf; the server refuses to sign",
                    entry.idx
                )));
            }
        }
        if entries.len() as i64 != end - start {
            return Err(inconsistent(format!("entries {start} to {end} are missing; the server refuses to sign")));
        }
        start = end;
    }
    Ok(())
}

/// The checkpoint of the log as it stands: the stored one if the log has not grown since, else a new one. A new
/// one is signed only over a tree that extends the last one this server signed (remembered outside the
/// database), and the memory is updated before the database learns of it.
pub async fn current_checkpoint(state: &Services) -> Result<StoredCheckpoint, ApiError> {
    let signer = signer(state).await?;
    let verifier = signer.verifier();
    let fresh = |latest: &StoredCheckpoint, size: u64| {
        if latest.tree_size as u64 != size {
            return false;
        }
        let same = |c: &StoredCheckpoint| {
            c.note == latest.note && c.root_hash == latest.root_hash && c.tree_size == latest.tree_size
        };
        let mut checked = state.log.checked.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if checked.as_ref().is_some_and(same) {
            return true;
        }
        let good = translog::open(&latest.note, &verifier, &[])
            .is_ok_and(|o| hex::encode(o.checkpoint.root_hash) == latest.root_hash && o.checkpoint.tree_size == size);
        if good {
            *checked = Some(latest.clone());
        }
        good
    };
    let (size, latest) = state.store.log_head().await?;
    if let Some(latest) = latest.filter(|l| fresh(l, size)) {
        return Ok(latest);
    }
    // One signer at a time, so the state file moves forward only.
    let _signing = state.log.signing.lock().await;
    let size = state.store.log_size().await?;
    let remembered = read_state(&state.log.config.state_file).map_err(unavailable)?;
    let root = state.store.log_root(size).await.map_err(|e| inconsistent(e.to_string()))?;
    if let Some(remembered) = &remembered {
        check_extension(state, remembered, size, &root).await?;
    }
    check_new_leaves(state, remembered.as_ref().map_or(0, |r| r.tree_size.min(size)), size).await?;
    let checkpoint = Checkpoint { origin: state.log.config.origin.clone(), tree_size: size, root_hash: root };
    let note = checkpoint.sign(signer);
    write_state(
        &state.log.config.state_file,
        &Remembered { tree_size: size, root_hash: hex::encode(root), note: note.clone() },
    )
    .map_err(unavailable)?;
    let stored = StoredCheckpoint {
        tree_size: size as i64,
        root_hash: hex::encode(root),
        note,
        key_id: key_id(&signer.public()),
        signed_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    state.store.save_checkpoint(&stored).await?;
    // Another server may have signed this size first: Ed25519 is deterministic, so its note is the same.
    Ok(state.store.checkpoint_at(stored.tree_size).await?.unwrap_or(stored))
}

/// The checkpoint's note with the witnesses' cosignature lines after the log's own signature.
pub async fn cosigned_note(state: &Services, checkpoint: &StoredCheckpoint) -> Result<String, ApiError> {
    let mut note = checkpoint.note.clone();
    for line in state.store.cosignatures(checkpoint.tree_size).await? {
        note.push_str(&line);
    }
    Ok(note)
}
/// A witness of the log.
#[derive(Debug, Serialize, ToSchema)]
pub struct Witness {
    pub name: String,
    /// Its cosignature/v1 verifier key.
    pub verifier_key: String,
}

/// A witness to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = WitnessInput)]
pub struct WitnessBody {
    /// Required: a cosignature/v1 verifier key (type 0x04) named as the witness.
    pub verifier_key: Option<String>,
}

/// An administrator registers a witness by its cosignature/v1 verifier key, named as the witness.
pub async fn register_witness(
    services: &Services,
    user: &store::User,
    name: &str,
    body: WitnessBody,
) -> Result<Witness, ApiError> {
    ownership::check(Record::LogWitness, user, &["name", "verifier_key"])?;
    let vkey = body.verifier_key.ok_or_else(|| ApiError::invalid("verifier_key is required"))?;
    let witness = NoteVerifier::parse(&vkey).map_err(ApiError::invalid)?;
    if !witness.is_cosigner() || witness.key_name() != name {
        return Err(ApiError::invalid(format!("verifier_key must be a cosignature/v1 key (type 0x04) named {name}")));
    }
    services.store.set_log_witness(name, &witness.encode(), Some(user.id)).await?;
    Ok(Witness { name: name.to_owned(), verifier_key: witness.encode() })
}

/// A witness's cosignature.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CosignatureInput)]
pub struct CosignatureBody {
    /// The size of the signed checkpoint; the current one by default.
    pub tree_size: Option<i64>,
    /// Required: the witness's signature line, `— name base64(key id ‖ time ‖ signature)`.
    pub line: Option<String>,
}

/// A cosignature accepted.
#[derive(Debug, Serialize, ToSchema)]
pub struct Cosigned {
    pub tree_size: i64,
    pub witness: String,
    /// The cosignature's time (seconds since the Unix epoch).
    pub time: u64,
}

/// A registered witness's cosignature line of a signed checkpoint (the current one unless `tree_size` names
/// another), checked against the witness's key and the checkpoint's body, then kept to be served with the note.
pub async fn add_cosignature(services: &Services, body: CosignatureBody) -> Result<Cosigned, ApiError> {
    let line = body.line.ok_or_else(|| ApiError::invalid("line is required"))?;
    let line = format!("{}\n", line.trim_end_matches('\n'));
    let name = line.strip_prefix("\u{2014} ").and_then(|rest| rest.split(' ').next()).unwrap_or_default().to_owned();
    let witnesses = services.store.log_witnesses().await?;
    let (_, vkey) = witnesses
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| ApiError::forbidden(format!("'{name}' is not a registered witness of this log")))?;
    let witness = NoteVerifier::parse(vkey).map_err(ApiError::invalid)?;
    let checkpoint = match body.tree_size {
        Some(size) => services.store.checkpoint_at(size).await?,
        None => Some(current_checkpoint(services).await?),
    }
    .ok_or_else(|| ApiError::not_found("no checkpoint of that size was signed"))?;
    let opened = translog::open(&checkpoint.note, &signer(services).await?.verifier(), &[])
        .map_err(|e| inconsistent(format!("the stored checkpoint does not open: {e}")))?;
    let time = check_cosignature(&opened.checkpoint.body(), &line, &witness).map_err(ApiError::invalid)?;
    services.store.save_cosignature(checkpoint.tree_size, &name, &line, time as i64).await?;
    Ok(Cosigned { tree_size: checkpoint.tree_size, witness: name, time })
}

/// Subtree hashes held in memory at most: 64 MB, every subtree of 16 leaves and up for a log of 16 million
/// entries.
pub const CACHED_HASHES: usize = 1 << 21;

/// Subtree hashes read from the store at a time while filling the cache.
const FILL_PAGE: u64 = 32_768;

/// Reads into the subtree cache every complete subtree of a tree of `size` leaves at the levels it holds. A fill
/// already running is not waited for: proofs meanwhile read what is not held from the store.
pub async fn fill_subtrees(state: &Services, size: u64) -> Result<(), ApiError> {
    let Ok(_filling) = state.log.filling.try_lock() else { return Ok(()) };
    let ranges = state.log.subtrees.write().unwrap_or_else(|poisoned| poisoned.into_inner()).missing(size);
    for range in ranges {
        let mut from = range.from;
        while from < range.to {
            let to = (from + FILL_PAGE).min(range.to);
            let hashes = state.store.log_level_range(range.level, from, to).await?;
            let whole = hashes.len() as u64 == to - from;
            state.log.subtrees.write().unwrap_or_else(|poisoned| poisoned.into_inner()).extend(
                range.level,
                from,
                hashes,
            );
            if !whole {
                // A gap in the store: the proofs that need it say so.
                break;
            }
            from = to;
        }
    }
    Ok(())
}

/// The hashes of `nodes` with the log entry at `index`: the subtrees the cache holds from memory, the rest read
/// together from the store in one snapshot.
pub async fn cached_nodes(
    state: &Services,
    index: i64,
    nodes: &[translog::NodeId],
) -> Result<(Option<store::public_log::LogEntry>, HashMap<translog::NodeId, Hash>), ApiError> {
    let mut found = HashMap::with_capacity(nodes.len());
    let mut missing = Vec::with_capacity(nodes.len());
    {
        let cache = state.log.subtrees.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        for node in nodes {
            match cache.get(*node) {
                Some(hash) => {
                    found.insert(*node, hash);
                }
                None => missing.push(*node),
            }
        }
    }
    let (entry, read) = state.store.log_entry_and_nodes(index, &missing).await?;
    found.extend(read);
    Ok((entry, found))
}

/// The audit path of entry `index` in the tree of `tree_size` entries (RFC 6962 §2.1.1), from the stored nodes.
pub async fn inclusion_path(store: &store::Store, index: u64, tree_size: u64) -> Result<Vec<Hash>, ApiError> {
    let plan = translog::inclusion_plan(index, tree_size).map_err(ApiError::invalid)?;
    let nodes = store.log_nodes(&plan.nodes()).await?;
    plan.assemble(|n| nodes.get(&n).copied())
        .ok_or_else(|| ApiError::from(store::StoreError::Conflict("the log is missing nodes for this proof".into())))
}
