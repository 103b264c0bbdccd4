//! The public services as the API hands them out, held compactly: each record the cleaned HSDS
//! JSON of one service, LZ4-compressed against a dictionary cut from the first records (keys,
//! taxonomy term ids and stock phrases repeat from record to record). A detail page or an API
//! answer decompresses its records (a microsecond or two each) instead of querying the database.
//!
//! Why lz4_flex: pure Rust, maintained, decompresses at gigabytes per second, and takes an
//! external dictionary, which small records need to compress at all.

use kapstok_domain::model::{Service, ServiceId};
use serde_json::value::RawValue;
use std::collections::HashMap;

/// Dictionary size: LZ4 looks back at most 64 KiB.
const DICT_BYTES: usize = 64 * 1024;
/// Records that feed the dictionary before the first one is compressed.
const DICT_RECORDS: usize = 64;

#[derive(Default)]
pub struct Records {
    dict: Vec<u8>,
    by_id: HashMap<ServiceId, Box<[u8]>>,
    /// Records waiting until the dictionary is cut.
    pending: Vec<(ServiceId, String)>,
    raw_bytes: usize,
    compressed_bytes: usize,
}

impl Records {
    /// Adds a service (already cleaned for the public).
    pub fn insert(&mut self, service: &Service) {
        let json = serde_json::to_string(service).expect("domain types always serialize");
        self.raw_bytes += json.len();
        if self.dict.is_empty() {
            self.pending.push((service.id.clone(), json));
            if self.pending.len() >= DICT_RECORDS {
                self.cut_dictionary();
            }
        } else {
            self.store(service.id.clone(), &json);
        }
    }

    /// Call once every record is in.
    pub fn finish(&mut self) {
        if self.dict.is_empty() {
            self.cut_dictionary();
        }
        self.by_id.shrink_to_fit();
    }

    fn cut_dictionary(&mut self) {
        let mut dict = Vec::with_capacity(DICT_BYTES);
        for (_, json) in &self.pending {
            dict.extend_from_slice(json.as_bytes());
        }
        // The most recent bytes are the cheapest to refer to; keep the tail.
        let start = dict.len().saturating_sub(DICT_BYTES);
        self.dict = dict.split_off(start);
        if self.dict.is_empty() {
            self.dict.push(b'{');
        }
        for (id, json) in std::mem::take(&mut self.pending) {
            self.store(id, &json);
        }
    }

    fn store(&mut self, id: ServiceId, json: &str) {
        let packed = lz4_flex::block::compress_prepend_size_with_dict(json.as_bytes(), &self.dict)
            .into_boxed_slice();
        self.compressed_bytes += packed.len();
        self.by_id.insert(id, packed);
    }

    pub fn len(&self) -> usize {
        self.by_id.len() + self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The record's JSON text.
    pub fn json(&self, id: &str) -> Option<String> {
        let packed = self.by_id.get(id)?;
        let bytes =
            lz4_flex::block::decompress_size_prepended_with_dict(packed, &self.dict).ok()?;
        String::from_utf8(bytes).ok()
    }

    /// The record as raw JSON, to embed in an answer without parsing it.
    pub fn raw(&self, id: &str) -> Option<Box<RawValue>> {
        RawValue::from_string(self.json(id)?).ok()
    }

    pub fn service(&self, id: &str) -> Option<Service> {
        serde_json::from_str(&self.json(id)?).ok()
    }

    /// (uncompressed JSON bytes, bytes held: compressed records, dictionary, map)
    pub fn sizes(&self) -> (usize, usize) {
        let map = self.by_id.capacity()
            * (std::mem::size_of::<ServiceId>() + std::mem::size_of::<Box<[u8]>>() + 8)
            + self.by_id.keys().map(|k| k.len()).sum::<usize>();
        (
            self.raw_bytes,
            self.compressed_bytes + self.dict.len() + map,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_back_as_they_went_in_before_and_after_the_dictionary() {
        let mut records = Records::default();
        let services: Vec<Service> = (0..100)
            .map(|i| {
                serde_json::from_value(serde_json::json!({
                    "id": format!("s{i}"),
                    "organization_id": "o",
                    "name": format!("Dienst {i} voor mantelzorgers"),
                    "status": "active",
                    "description": "Een huiselijke plek met vrijwilligers. ".repeat(i % 5 + 1),
                }))
                .unwrap()
            })
            .collect();
        for s in &services {
            records.insert(s);
        }
        records.finish();
        assert_eq!(records.len(), 100);
        for s in &services {
            assert_eq!(records.service(&s.id).as_ref(), Some(s));
            assert_eq!(
                records.raw(&s.id).unwrap().get(),
                serde_json::to_string(s).unwrap()
            );
        }
        assert!(records.service("nope").is_none());
        let (raw, held) = records.sizes();
        assert!(held < raw, "compressed: {held} of {raw}");
    }
}
