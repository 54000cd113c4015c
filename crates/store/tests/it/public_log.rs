//! The transparency log on both backends: concurrent appends get distinct, contiguous indexes; the stored nodes
//! give the same root and proofs as the entries recomputed from scratch; checkpoints and the key are kept once.

use store::public_log::{NewEntry, StoredCheckpoint};
use translog::{inclusion_plan, leaf_hash, verify_inclusion, Frontier};

use crate::stores;

fn entry(i: usize) -> NewEntry {
    NewEntry { kind: "test".into(), subject: format!("S{}", i % 3), data: format!("{{\"n\":{i}}}") }
}

#[tokio::test]
async fn appends_are_contiguous_and_the_stored_tree_proves_every_entry() {
    for (store, _dir) in stores().await {
        assert_eq!(store.log_root(0).await.unwrap(), translog::empty_root());
        let mut tasks = Vec::new();
        for t in 0..8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let batch: Vec<NewEntry> = (0..13).map(|i| entry(t * 100 + i)).collect();
                store.append_log(&batch).await.unwrap()
            }));
        }
        let mut indexes: Vec<i64> = Vec::new();
        for task in tasks {
            indexes.extend(task.await.unwrap());
        }
        indexes.sort();
        assert_eq!(indexes, (0..104).collect::<Vec<i64>>());
        assert_eq!(store.log_size().await.unwrap(), 104);

        let stored = store.log_entries(0, 104).await.unwrap();
        let mut frontier = Frontier::default();
        for e in &stored {
            assert_eq!(e.leaf_hash, hex::encode(leaf_hash(e.data.as_bytes())));
            frontier.append(leaf_hash(e.data.as_bytes()));
        }
        let root = store.log_root(104).await.unwrap();
        assert_eq!(root, frontier.root());
        for index in [0u64, 1, 63, 64, 103] {
            let plan = inclusion_plan(index, 104).unwrap();
            let nodes = store.log_nodes(&plan.nodes()).await.unwrap();
            let path = plan.assemble(|n| nodes.get(&n).copied()).unwrap();
            verify_inclusion(&leaf_hash(stored[index as usize].data.as_bytes()), index, 104, &path, &root).unwrap();
        }
        assert_eq!(store.log_entries_about("S1", 100).await.unwrap().len(), 35);

        let checkpoint = StoredCheckpoint {
            tree_size: 104,
            root_hash: hex::encode(root),
            note: "log\n104\nAAAA\n\n\u{2014} log c2ln\n".into(),
            key_id: "k".into(),
            signed_at: "2026-11-29T00:00:00Z".into(),
        };
        store.save_checkpoint(&checkpoint).await.unwrap();
        store.save_checkpoint(&StoredCheckpoint { note: "other".into(), ..checkpoint.clone() }).await.unwrap();
        assert_eq!(store.latest_checkpoint().await.unwrap(), Some(checkpoint.clone()));
        assert_eq!(store.checkpoint_at(104).await.unwrap(), Some(checkpoint));
        // The database keeps only the public half of the signing key, and the first one registered stays.
        assert_eq!(store.log_public_key().await.unwrap(), None);
        assert_eq!(store.register_log_public_key("a", "00ff").await.unwrap(), "00ff");
        assert_eq!(store.register_log_public_key("c", "ee11").await.unwrap(), "00ff", "the first key stays");
        assert_eq!(store.legacy_log_seed().await.unwrap(), None);
        // Cosignatures of a registered witness, one line per witness and checkpoint, the newest kept.
        store.set_log_witness("w.example", "w.example+00000000+BA==", None).await.unwrap();
        store.save_cosignature(104, "w.example", "line 2", 2).await.unwrap();
        store.save_cosignature(104, "w.example", "line 1", 1).await.unwrap();
        assert_eq!(store.cosignatures(104).await.unwrap(), ["line 2"]);
        assert_eq!(store.log_witnesses().await.unwrap().len(), 1);
    }
}
