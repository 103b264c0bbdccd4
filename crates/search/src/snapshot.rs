//! The read model saved beside the database, so a restart answers within a second instead of
//! rebuilding (100k services: ~10 s). A cache, never the truth: a snapshot is used only when it
//! was made from this database (its id), at its current directory version, with the same search
//! configuration, and when its checksum holds; anything else is rebuilt from the database and
//! saved again. Never served when stale or damaged.
//!
//! File: `KAPSTOK-READMODEL` + format number, the postcard-encoded (key, catalog), then the
//! payload's length and CRC-32. Written to a temporary file and renamed, so a crash while saving
//! leaves the old snapshot or none. Why postcard: a compact serde format made for this, with
//! byte strings copied whole (the compressed records go as one block).

use crate::{Catalog, SearchConfig};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::Path;

const MAGIC: &[u8] = b"KAPSTOK-READMODEL-3\n";

/// What a snapshot must match to be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotKey {
    /// The database's own id (meta `database_id`): another database at the same version is
    /// another map.
    pub database: String,
    pub version: i64,
    /// `SearchConfig::fingerprint`.
    pub config: u64,
}

/// What was found on disk.
pub enum Loaded {
    Fresh(Box<Catalog>),
    Missing,
    /// Made from another database, version or configuration.
    Stale,
    /// Unreadable: the reason.
    Damaged(String),
}

/// Loads the snapshot at `path` if it matches `key`.
pub fn load(path: &Path, key: &SnapshotKey, config: &SearchConfig) -> Loaded {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::Missing,
        Err(e) => return Loaded::Damaged(e.to_string()),
    };
    // The key comes first: a stale snapshot is told from its first bytes, without reading
    // (and checking) the hundreds of megabytes behind them.
    let mut bytes = Vec::new();
    if let Err(e) = (&mut file)
        .take((MAGIC.len() + 1024) as u64)
        .read_to_end(&mut bytes)
    {
        return Loaded::Damaged(e.to_string());
    }
    let Some(head) = bytes.strip_prefix(MAGIC) else {
        return Loaded::Damaged("not a Kapstok read-model snapshot of this version".into());
    };
    match postcard::take_from_bytes::<SnapshotKey>(head) {
        Ok((found, _)) if found != *key => return Loaded::Stale,
        Ok(_) => {}
        Err(e) => return Loaded::Damaged(e.to_string()),
    }
    if let Err(e) = file.read_to_end(&mut bytes) {
        return Loaded::Damaged(e.to_string());
    }
    let Some(payload) = bytes
        .strip_prefix(MAGIC)
        .and_then(|rest| rest.len().checked_sub(12).map(|end| rest.split_at(end)))
        .and_then(|(payload, trailer)| {
            let len = u64::from_le_bytes(trailer[..8].try_into().ok()?);
            let crc = u32::from_le_bytes(trailer[8..].try_into().ok()?);
            (len == payload.len() as u64 && crc32fast::hash(payload) == crc).then_some(payload)
        })
    else {
        return Loaded::Damaged("cut short or changed (length or checksum)".into());
    };
    match postcard::from_bytes::<(SnapshotKey, Catalog)>(payload) {
        Ok((_, mut catalog)) => {
            catalog
                .index
                .set_text_config(config.compounds.clone(), config.synonyms.clone());
            Loaded::Fresh(Box::new(catalog))
        }
        Err(e) => Loaded::Damaged(e.to_string()),
    }
}

/// Saves `catalog` under `key` at `path` (atomically: a temporary file, then a rename).
pub fn save(path: &Path, key: &SnapshotKey, catalog: &Catalog) -> std::io::Result<()> {
    let payload =
        postcard::to_allocvec(&(key, catalog)).map_err(|e| std::io::Error::other(e.to_string()))?;
    let tmp = path.with_extension("tmp");
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // On PostgreSQL nothing else is kept in the data folder, so it may not exist yet.
        std::fs::create_dir_all(dir)?;
    }
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        file.write_all(MAGIC)?;
        file.write_all(&payload)?;
        file.write_all(&(payload.len() as u64).to_le_bytes())?;
        file.write_all(&crc32fast::hash(&payload).to_le_bytes())?;
        file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}
