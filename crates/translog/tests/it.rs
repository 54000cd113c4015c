//! The Certificate Transparency reference vectors, and properties over random logs: planned proofs assembled from
//! the nodes appends produce equal a direct recursive computation and verify; any changed hash fails.

use std::collections::HashMap;

use proptest::prelude::*;
use serde_json::Value;
use translog::{
    consistency_plan, inclusion_plan, leaf_hash, node_hash, root_plan, verify_consistency, verify_inclusion, Frontier,
    Hash, NodeId,
};

fn hash(text: &str) -> Hash {
    hex::decode(text).unwrap().try_into().unwrap()
}

fn hashes(value: &Value) -> Vec<Hash> {
    value.as_array().unwrap().iter().map(|h| hash(h.as_str().unwrap())).collect()
}

/// RFC 6962's MTH, straight from the definition.
fn mth(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => translog::empty_root(),
        1 => leaves[0],
        n => {
            let k = 1 << (63 - (n as u64 - 1).leading_zeros());
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

/// A log built by appends: its leaves, every stored node, and the frontier.
fn build(entries: usize) -> (Vec<Hash>, HashMap<NodeId, Hash>, Frontier) {
    let mut frontier = Frontier::default();
    let mut nodes = HashMap::new();
    let leaves: Vec<Hash> = (0..entries).map(|i| leaf_hash(format!("entry {i}").as_bytes())).collect();
    for leaf in &leaves {
        nodes.extend(frontier.append(*leaf));
    }
    (leaves, nodes, frontier)
}

#[test]
fn the_certificate_transparency_vectors_reproduce() {
    let vectors: Value = serde_json::from_str(include_str!("data/ct_vectors.json")).unwrap();
    let leaves: Vec<Hash> = vectors["leaves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| leaf_hash(&hex::decode(l.as_str().unwrap()).unwrap()))
        .collect();
    let mut nodes = HashMap::new();
    let mut frontier = Frontier::default();
    let mut roots = Vec::new();
    for leaf in &leaves {
        nodes.extend(frontier.append(*leaf));
        roots.push(frontier.root());
    }
    assert_eq!(roots, hashes(&vectors["roots"]));
    for case in vectors["inclusion"].as_array().unwrap() {
        let (index, size) = (case["index"].as_u64().unwrap(), case["size"].as_u64().unwrap());
        let path = inclusion_plan(index, size).unwrap().assemble(|n| nodes.get(&n).copied()).unwrap();
        assert_eq!(path, hashes(&case["path"]), "inclusion {index} in {size}");
        verify_inclusion(&leaves[index as usize], index, size, &path, &roots[size as usize - 1]).unwrap();
    }
    for case in vectors["consistency"].as_array().unwrap() {
        let (first, second) = (case["first"].as_u64().unwrap(), case["second"].as_u64().unwrap());
        let proof = consistency_plan(first, second).unwrap().assemble(|n| nodes.get(&n).copied()).unwrap();
        assert_eq!(proof, hashes(&case["proof"]), "consistency {first} → {second}");
        verify_consistency(first, second, &roots[first as usize - 1], &roots[second as usize - 1], &proof).unwrap();
    }
}

#[test]
fn a_frontier_rebuilt_from_stored_nodes_goes_on_as_before() {
    let (_, nodes, frontier) = build(1000);
    let mut rebuilt = Frontier::from_nodes(1000, |n| nodes.get(&n).copied()).unwrap();
    assert_eq!(rebuilt, frontier);
    let mut original = frontier.clone();
    let leaf = leaf_hash(b"one more");
    assert_eq!(rebuilt.append(leaf), original.append(leaf));
    assert_eq!(Frontier::needs(1000).len(), 1000u64.count_ones() as usize);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn proofs_from_stored_nodes_verify_and_changed_ones_do_not(entries in 1usize..300, pick in any::<u64>(), flip in any::<u8>()) {
        let (leaves, nodes, frontier) = build(entries);
        let lookup = |n: NodeId| nodes.get(&n).copied();
        prop_assert_eq!(frontier.root(), mth(&leaves));
        let size = 1 + pick % entries as u64;
        let root = root_plan(size).assemble(lookup).unwrap()[0];
        prop_assert_eq!(root, mth(&leaves[..size as usize]));
        let index = (pick >> 20) % size;
        let mut path = inclusion_plan(index, size).unwrap().assemble(lookup).unwrap();
        prop_assert!(verify_inclusion(&leaves[index as usize], index, size, &path, &root).is_ok());
        if !path.is_empty() {
            let at = flip as usize % path.len();
            path[at][0] ^= 1;
            prop_assert!(verify_inclusion(&leaves[index as usize], index, size, &path, &root).is_err());
        }
        let first = 1 + (pick >> 40) % size;
        let first_root = mth(&leaves[..first as usize]);
        let mut proof = consistency_plan(first, size).unwrap().assemble(lookup).unwrap();
        prop_assert!(verify_consistency(first, size, &first_root, &root, &proof).is_ok());
        if !proof.is_empty() {
            let at = flip as usize % proof.len();
            proof[at][31] ^= 0x80;
            prop_assert!(verify_consistency(first, size, &first_root, &root, &proof).is_err());
        }
    }
}

/// The signed-note example of Go's `golang.org/x/mod/sumdb/note` documentation (BSD-3-Clause), the reference
/// implementation of C2SP signed notes: the same key signs the same text to the same line, and it verifies.
#[test]
fn notes_match_the_reference_implementation() {
    use base64::Engine;
    let skey = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    let vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    let text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    let line = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    let seed: [u8; 32] = base64::engine::general_purpose::STANDARD.decode(skey).unwrap()[1..].try_into().unwrap();
    let signer = translog::LogSigner::new("PeterNeumann", ed25519_dalek::SigningKey::from_bytes(&seed)).unwrap();
    assert_eq!(signer.verifier_key(), vkey);
    let verifier = translog::NoteVerifier::parse(vkey).unwrap();
    assert_eq!(verifier.encode(), vkey);
    let mut note = signed_note::Note::new(text.as_bytes(), &[]).unwrap();
    note.add_sigs(&[&signer]).unwrap();
    assert_eq!(String::from_utf8(note.to_bytes()).unwrap(), format!("{text}\n{line}"));
    let parsed = signed_note::Note::from_bytes(format!("{text}\n{line}").as_bytes()).unwrap();
    let known = signed_note::VerifierList::new(vec![Box::new(verifier)]);
    assert_eq!(parsed.verify(&known).unwrap().0.len(), 1);
}
