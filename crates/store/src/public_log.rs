//! The public transparency log's storage: entries appended with the complete subtrees they finish, in the same
//! transaction as the record they publish; node reads for roots and proofs; checkpoints; the signing key.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::{FromRow, QueryBuilder, Row};
use translog::{Hash, NodeId};

use crate::on_pool;
use crate::store::{now, Store};
use crate::StoreError;

/// An entry to publish: what kind of record, whose (a USCC, a recall or warning number), and its canonical bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub kind: String,
    pub subject: String,
    /// Canonical JSON (sorted keys, no spaces): the bytes the leaf hashes.
    pub data: String,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct LogEntry {
    pub idx: i64,
    pub kind: String,
    pub subject: String,
    pub data: String,
    pub leaf_hash: String,
    pub created_at: String,
}

/// A stored checkpoint: the C2SP signed note of the log at a size, with its root in hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct StoredCheckpoint {
    pub tree_size: i64,
    pub root_hash: String,
    /// The signed note (body, blank line, the log's signature line).
    pub note: String,
    pub key_id: String,
    /// When the server signed it (RFC 3339 UTC); not part of the signed text.
    pub signed_at: String,
}

fn decode(text: &str) -> Result<Hash, StoreError> {
    hex::decode(text)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| StoreError::Integrity(format!("stored hash '{text}' is not 32 bytes of hex")))
}

/// Appends entries inside an open transaction `$tx` (either backend): bumps the size (which locks out other
/// appenders until commit), rebuilds the right edge from stored nodes, and writes each entry and the complete
/// subtrees it finishes. Evaluates to the entries' indexes.
macro_rules! append_in {
    ($tx:expr, $entries:expr) => {{
        let entries: &[$crate::public_log::NewEntry] = $entries;
        let count = entries.len() as i64;
        let size: i64 =
            sqlx::query_scalar("UPDATE log_state SET tree_size = tree_size + $1 WHERE id = 1 RETURNING tree_size")
                .bind(count)
                .fetch_one(&mut *$tx)
                .await?;
        let old = (size - count) as u64;
        let needed = translog::Frontier::needs(old);
        let mut known = std::collections::HashMap::new();
        if !needed.is_empty() {
            let mut builder = sqlx::QueryBuilder::new("SELECT level, idx, hash FROM log_nodes WHERE ");
            for (i, node) in needed.iter().enumerate() {
                if i > 0 {
                    builder.push(" OR ");
                }
                builder
                    .push("(level = ")
                    .push_bind(i64::from(node.level))
                    .push(" AND idx = ")
                    .push_bind(node.index as i64)
                    .push(")");
            }
            for row in builder.build().fetch_all(&mut *$tx).await? {
                use sqlx::Row;
                let node = translog::NodeId {
                    level: row.try_get::<i64, _>(0)? as u8,
                    index: row.try_get::<i64, _>(1)? as u64,
                };
                known.insert(node, $crate::public_log::decode_hash(&row.try_get::<String, _>(2)?)?);
            }
        }
        let mut frontier = translog::Frontier::from_nodes(old, |n| known.get(&n).copied())
            .ok_or_else(|| $crate::StoreError::Integrity("the log's right edge is incomplete".into()))?;
        let at = $crate::store::now();
        let mut nodes = Vec::new();
        let mut indexes = Vec::with_capacity(entries.len());
        for chunk in entries.chunks(500) {
            let mut builder =
                sqlx::QueryBuilder::new("INSERT INTO log_entries (idx, kind, subject, data, leaf_hash, created_at) ");
            let first = frontier.size();
            let mut leaves = Vec::with_capacity(chunk.len());
            for entry in chunk {
                let leaf = translog::leaf_hash(entry.data.as_bytes());
                leaves.push(leaf);
                nodes.extend(frontier.append(leaf));
            }
            builder.push_values(chunk.iter().enumerate(), |mut b, (i, entry)| {
                b.push_bind(first as i64 + i as i64)
                    .push_bind(entry.kind.as_str())
                    .push_bind(entry.subject.as_str())
                    .push_bind(entry.data.as_str())
                    .push_bind(hex::encode(leaves[i]))
                    .push_bind(at.as_str());
            });
            builder.build().execute(&mut *$tx).await?;
            indexes.extend((first..frontier.size()).map(|i| i as i64));
        }
        for chunk in nodes.chunks(1000) {
            let mut builder = sqlx::QueryBuilder::new("INSERT INTO log_nodes (level, idx, hash) ");
            builder.push_values(chunk, |mut b, (node, hash)| {
                b.push_bind(i64::from(node.level)).push_bind(node.index as i64).push_bind(hex::encode(hash));
            });
            builder.build().execute(&mut *$tx).await?;
        }
        indexes
    }};
}
pub(crate) use append_in;

/// The canonical bytes of an entry: JSON with keys sorted (serde_json's map is ordered) and no spaces, so anyone
/// re-serialising the decoded entry the same way gets the same leaf hash.
pub fn canonical(value: &serde_json::Value) -> String {
    value.to_string()
}

/// A stored hash as bytes.
pub(crate) fn decode_hash(text: &str) -> Result<Hash, StoreError> {
    decode(text)
}

impl Store {
    /// Appends entries in their own transaction; returns their indexes.
    pub async fn append_log(&self, entries: &[NewEntry]) -> Result<Vec<i64>, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let indexes = append_in!(tx, entries);
            tx.commit().await?;
            Ok(indexes)
        })
    }

    /// Leaves in the log.
    pub async fn log_size(&self) -> Result<u64, StoreError> {
        let size: i64 = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT tree_size FROM log_state WHERE id = 1").fetch_one(pool).await?
        });
        Ok(size as u64)
    }

    /// The log's size and its newest checkpoint, read together: inline on SQLite, since every signed statement
    /// starts here.
    pub async fn log_head(&self) -> Result<(u64, Option<StoredCheckpoint>), StoreError> {
        if let Some(reader) = &self.direct {
            return reader.read(|connection| {
                use rusqlite::OptionalExtension;
                let size: i64 = connection
                    .prepare_cached("SELECT tree_size FROM log_state WHERE id = 1")?
                    .query_row([], |r| r.get(0))?;
                let latest = connection
                    .prepare_cached(
                        "SELECT tree_size, root_hash, note, key_id, signed_at FROM log_checkpoints \
                         ORDER BY tree_size DESC LIMIT 1",
                    )?
                    .query_row([], |r| {
                        Ok(StoredCheckpoint {
                            tree_size: r.get(0)?,
                            root_hash: r.get(1)?,
                            note: r.get(2)?,
                            key_id: r.get(3)?,
                            signed_at: r.get(4)?,
                        })
                    })
                    .optional()?;
                Ok((size as u64, latest))
            });
        }
        Ok((self.log_size().await?, self.latest_checkpoint().await?))
    }

    /// One entry and the hashes of these complete subtrees (those missing are left out): an inclusion proof's
    /// material, read together, inline on SQLite.
    pub async fn log_entry_and_nodes(
        &self,
        index: i64,
        nodes: &[NodeId],
    ) -> Result<(Option<LogEntry>, HashMap<NodeId, Hash>), StoreError> {
        let Some(reader) = &self.direct else {
            let entry = self.log_entries(index, index + 1).await?.pop();
            return Ok((entry, self.log_nodes(nodes).await?));
        };
        let (entry, hashes) = reader.read_snapshot(|connection| {
            use rusqlite::OptionalExtension;
            let entry = connection
                .prepare_cached(
                    "SELECT idx, kind, subject, data, leaf_hash, created_at FROM log_entries WHERE idx = ?1",
                )?
                .query_row([index], |r| {
                    Ok(LogEntry {
                        idx: r.get(0)?,
                        kind: r.get(1)?,
                        subject: r.get(2)?,
                        data: r.get(3)?,
                        leaf_hash: r.get(4)?,
                        created_at: r.get(5)?,
                    })
                })
                .optional()?;
            let mut node = connection.prepare_cached("SELECT hash FROM log_nodes WHERE level = ?1 AND idx = ?2")?;
            let mut hashes = Vec::with_capacity(nodes.len());
            for id in nodes {
                let hash: Option<String> =
                    node.query_row((i64::from(id.level), id.index as i64), |r| r.get(0)).optional()?;
                hashes.extend(hash.map(|h| (*id, h)));
            }
            Ok((entry, hashes))
        })?;
        let hashes = hashes.into_iter().map(|(id, h)| Ok((id, decode(&h)?))).collect::<Result<_, StoreError>>()?;
        Ok((entry, hashes))
    }

    /// The hashes of these complete subtrees (those missing are left out).
    pub async fn log_nodes(&self, nodes: &[NodeId]) -> Result<HashMap<NodeId, Hash>, StoreError> {
        let mut found = HashMap::new();
        for chunk in nodes.chunks(200) {
            on_pool!(self, pool => {
                let mut builder = QueryBuilder::new("SELECT level, idx, hash FROM log_nodes WHERE ");
                for (i, node) in chunk.iter().enumerate() {
                    if i > 0 {
                        builder.push(" OR ");
                    }
                    builder.push("(level = ").push_bind(i64::from(node.level)).push(" AND idx = ").push_bind(node.index as i64).push(")");
                }
                for row in builder.build().fetch_all(pool).await? {
                    let node = NodeId { level: row.try_get::<i64, _>(0)? as u8, index: row.try_get::<i64, _>(1)? as u64 };
                    found.insert(node, decode(&row.try_get::<String, _>(2)?)?);
                }
            });
        }
        Ok(found)
    }

    /// The stored hashes of level `level`'s subtrees with indexes `[from, to)`, in index order.
    pub async fn log_level_range(&self, level: u8, from: u64, to: u64) -> Result<Vec<(u64, Hash)>, StoreError> {
        let sql = "SELECT idx, hash FROM log_nodes WHERE level = $1 AND idx >= $2 AND idx < $3 ORDER BY idx";
        let rows: Vec<(i64, String)> = match &self.direct {
            Some(reader) => reader.read(|connection| {
                let mut statement = connection.prepare_cached(sql)?;
                let rows =
                    statement.query_map((i64::from(level), from as i64, to as i64), |r| Ok((r.get(0)?, r.get(1)?)))?;
                rows.collect()
            })?,
            None => on_pool!(self, pool => {
                sqlx::query_as(sql).bind(i64::from(level)).bind(from as i64).bind(to as i64).fetch_all(pool).await?
            }),
        };
        rows.into_iter().map(|(index, hash)| Ok((index as u64, decode(&hash)?))).collect()
    }

    /// Entries `[start, end)`, in order.
    pub async fn log_entries(&self, start: i64, end: i64) -> Result<Vec<LogEntry>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT idx, kind, subject, data, leaf_hash, created_at FROM log_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx",
            )
            .bind(start)
            .bind(end)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Entries about one subject (an organization's USCC, a recall's number), newest first.
    pub async fn log_entries_about(&self, subject: &str, limit: i64) -> Result<Vec<LogEntry>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT idx, kind, subject, data, leaf_hash, created_at FROM log_entries WHERE subject = $1 ORDER BY idx DESC LIMIT $2",
            )
            .bind(subject)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    /// The newest checkpoint.
    pub async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT tree_size, root_hash, note, key_id, signed_at FROM log_checkpoints ORDER BY tree_size DESC LIMIT 1",
            )
            .fetch_optional(pool)
            .await?)
        })
    }

    /// The checkpoint of one size, if it was signed.
    pub async fn checkpoint_at(&self, tree_size: i64) -> Result<Option<StoredCheckpoint>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT tree_size, root_hash, note, key_id, signed_at FROM log_checkpoints WHERE tree_size = $1",
            )
            .bind(tree_size)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Keeps a checkpoint (once per size).
    pub async fn save_checkpoint(&self, checkpoint: &StoredCheckpoint) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO log_checkpoints (tree_size, root_hash, note, key_id, signed_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (tree_size) DO NOTHING",
            )
            .bind(checkpoint.tree_size)
            .bind(&checkpoint.root_hash)
            .bind(&checkpoint.note)
            .bind(&checkpoint.key_id)
            .bind(&checkpoint.signed_at)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// The public half of the log's signing key, hex, as first registered: the database keeps only this.
    pub async fn log_public_key(&self) -> Result<Option<String>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT public_key FROM log_keys ORDER BY created_at LIMIT 1")
                .fetch_optional(pool)
                .await?)
        })
    }

    /// Registers the public half of the log's signing key when none is registered; returns the registered one.
    pub async fn register_log_public_key(&self, key_id: &str, public_key: &str) -> Result<String, StoreError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO log_keys (key_id, public_key, seed, created_at) SELECT $1, $2, '', $3 \
                 WHERE NOT EXISTS (SELECT 1 FROM log_keys)",
            )
            .bind(key_id)
            .bind(public_key)
            .bind(now())
            .execute(pool)
            .await?;
            Ok(sqlx::query_scalar("SELECT public_key FROM log_keys ORDER BY created_at LIMIT 1").fetch_one(pool).await?)
        })
    }

    /// A signing seed that an earlier version kept in the database, if one is still there.
    pub async fn legacy_log_seed(&self) -> Result<Option<String>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT seed FROM log_keys WHERE seed <> '' ORDER BY created_at LIMIT 1")
                .fetch_optional(pool)
                .await?)
        })
    }

    /// Erases every signing seed from the database, once the seed lives in its key file.
    pub async fn erase_legacy_log_seed(&self) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE log_keys SET seed = '' WHERE seed <> ''").execute(pool).await?;
            Ok(())
        })
    }

    /// Records a witness the log accepts cosignatures from (its `cosignature/v1` verifier key). Audited.
    pub async fn set_log_witness(&self, name: &str, vkey: &str, user_id: Option<i64>) -> Result<(), StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO log_witnesses (name, vkey, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO UPDATE SET vkey = excluded.vkey",
            )
            .bind(name)
            .bind(vkey)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            let after = serde_json::json!({"name": name, "vkey": vkey}).to_string();
            crate::store::write_audit!(&mut *tx, at, user_id, "log_witness", name.to_owned(), ("register", None::<String>, Some(after)));
            tx.commit().await?;
            Ok(())
        })
    }

    /// The witnesses: (name, verifier key).
    pub async fn log_witnesses(&self) -> Result<Vec<(String, String)>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query("SELECT name, vkey FROM log_witnesses ORDER BY name").fetch_all(pool).await?;
            rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
        })
    }

    /// Keeps a witness's cosignature line of the checkpoint of `tree_size` (the caller has verified it); a newer
    /// line of the same witness replaces an older one.
    pub async fn save_cosignature(
        &self,
        tree_size: i64,
        witness: &str,
        line: &str,
        cosigned_at: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO log_cosignatures (tree_size, witness, line, cosigned_at, created_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (tree_size, witness) DO UPDATE SET line = excluded.line, cosigned_at = excluded.cosigned_at \
                 WHERE excluded.cosigned_at > log_cosignatures.cosigned_at",
            )
            .bind(tree_size)
            .bind(witness)
            .bind(line)
            .bind(cosigned_at)
            .bind(now())
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// The cosignature lines of the checkpoint of `tree_size`, by witness name.
    pub async fn cosignatures(&self, tree_size: i64) -> Result<Vec<String>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT line FROM log_cosignatures WHERE tree_size = $1 ORDER BY witness")
                .bind(tree_size)
                .fetch_all(pool)
                .await?)
        })
    }

    /// Rebuilds the root of the first `size` leaves from stored nodes.
    pub async fn log_root(&self, size: u64) -> Result<Hash, StoreError> {
        if size == 0 {
            return Ok(translog::empty_root());
        }
        let plan = translog::root_plan(size);
        let nodes = self.log_nodes(&plan.nodes()).await?;
        plan.assemble(|n| nodes.get(&n).copied())
            .and_then(|roots| roots.into_iter().next())
            .ok_or_else(|| StoreError::Integrity(format!("the log is missing nodes of its first {size} leaves")))
    }
}
