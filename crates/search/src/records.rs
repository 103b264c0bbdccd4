//! Records held compactly, the public services (and the organisations) as the API hands them
//! out: each record the cleaned HSDS
//! JSON of one service, LZ4-compressed against a dictionary cut from the first records (keys,
//! taxonomy term ids and stock phrases repeat from record to record). A detail page or an API
//! answer decompresses its records (a microsecond or two each) instead of querying the database.
//!
//! Why lz4_flex: pure Rust, maintained, decompresses at gigabytes per second, and takes an
//! external dictionary, which small records need to compress at all.

use kapstok_domain::model::{Service, ServiceId};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::HashMap;

/// Dictionary size: LZ4 looks back at most 64 KiB (16 KiB was tried: 16 % larger records).
const DICT_BYTES: usize = 64 * 1024;
/// Records that feed the dictionary before the first one is compressed.
const DICT_RECORDS: usize = 64;

#[derive(Default, Serialize, Deserialize)]
pub struct Records {
    #[serde(with = "serde_bytes")]
    dict: Vec<u8>,
    /// Every compressed record, one after the other: one allocation instead of one per record.
    #[serde(with = "serde_bytes")]
    data: Vec<u8>,
    /// Where each record lies in `data`: (start, length), by record number.
    spans: Vec<(u32, u32)>,
    /// Record numbers by service id.
    by_id: HashMap<ServiceId, u32>,
    /// Records waiting until the dictionary is cut.
    #[serde(skip)]
    pending: Vec<(ServiceId, String)>,
    raw_bytes: usize,
}

impl Records {
    /// Adds a service (already cleaned for the public).
    pub fn insert(&mut self, service: &Service) {
        self.insert_record(&service.id, service);
    }

    /// Adds any record under `id`; record numbers follow the order of insertion.
    pub fn insert_record<T: Serialize>(&mut self, id: &str, record: &T) {
        let json = serde_json::to_string(record).expect("domain types always serialize");
        self.raw_bytes += json.len();
        let id = ServiceId::from(id);
        if self.dict.is_empty() {
            self.pending.push((id, json));
            if self.pending.len() >= DICT_RECORDS {
                self.cut_dictionary();
            }
        } else {
            self.store(id, &json);
        }
    }

    /// Call once every record is in.
    pub fn finish(&mut self) {
        if self.dict.is_empty() {
            self.cut_dictionary();
        }
        self.by_id.shrink_to_fit();
        self.spans.shrink_to_fit();
        self.data.shrink_to_fit();
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
        let packed = lz4_flex::block::compress_prepend_size_with_dict(json.as_bytes(), &self.dict);
        let start = u32::try_from(self.data.len()).expect("records stay below 4 GB");
        self.data.extend_from_slice(&packed);
        self.by_id.insert(id, self.spans.len() as u32);
        self.spans.push((start, packed.len() as u32));
    }

    pub fn len(&self) -> usize {
        self.by_id.len() + self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The record's number (call after `finish`).
    pub fn number_of(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    /// The record's JSON text.
    pub fn json(&self, id: &str) -> Option<String> {
        self.json_at(*self.by_id.get(id)?)
    }

    /// The JSON text of record number `n`.
    pub fn json_at(&self, n: u32) -> Option<String> {
        let &(start, len) = self.spans.get(n as usize)?;
        let packed = self.data.get(start as usize..(start + len) as usize)?;
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

    pub fn service_at(&self, n: u32) -> Option<Service> {
        self.get_at(n)
    }

    /// Record number `n`, read as `T`.
    pub fn get_at<T: serde::de::DeserializeOwned>(&self, n: u32) -> Option<T> {
        serde_json::from_str(&self.json_at(n)?).ok()
    }

    pub fn get<T: serde::de::DeserializeOwned>(&self, id: &str) -> Option<T> {
        self.get_at(self.number_of(id)?)
    }

    /// (uncompressed JSON bytes, bytes held: compressed records, dictionary, map)
    pub fn sizes(&self) -> (usize, usize) {
        let map = self.by_id.capacity() * (std::mem::size_of::<ServiceId>() + 4 + 1)
            + self.by_id.keys().map(|k| k.len()).sum::<usize>()
            + self.spans.len() * 8;
        (self.raw_bytes, self.data.len() + self.dict.len() + map)
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

/// The service-at-location records of the public services, held as numbers: their order by id
/// (the API's list) and a lookup by a hash of the id; the records themselves are in the
/// services' records. 24 bytes each instead of two id strings.
#[derive(Default, Serialize, Deserialize)]
pub struct SalIndex {
    /// (record number, position in the service's list), in id order.
    order: Vec<(u32, u32)>,
    /// (hash of the id, place in `order`), sorted.
    lookup: Vec<(u64, u32)>,
}

fn id_hash(id: &str) -> u64 {
    crate::text::fnv1a64(id.as_bytes())
}

impl SalIndex {
    /// From (id, record number, position) of every service-at-location record.
    pub fn build(mut entries: Vec<(String, u32, u32)>) -> Self {
        entries.sort_unstable();
        let mut lookup: Vec<(u64, u32)> = entries
            .iter()
            .enumerate()
            .map(|(i, (id, _, _))| (id_hash(id), i as u32))
            .collect();
        lookup.sort_unstable();
        SalIndex {
            order: entries.into_iter().map(|(_, n, p)| (n, p)).collect(),
            lookup,
        }
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// (record number, position) of the records `start..end` in id order.
    pub fn slice(&self, start: usize, end: usize) -> &[(u32, u32)] {
        let end = end.min(self.order.len());
        &self.order[start.min(end)..end]
    }

    /// Where the record with this id may be: (record number, position) candidates to check.
    pub fn candidates(&self, id: &str) -> impl Iterator<Item = (u32, u32)> + '_ {
        let h = id_hash(id);
        let from = self.lookup.partition_point(|&(x, _)| x < h);
        self.lookup[from..]
            .iter()
            .take_while(move |&&(x, _)| x == h)
            .map(|&(_, i)| self.order[i as usize])
    }

    pub fn bytes(&self) -> usize {
        self.order.len() * 8 + self.lookup.len() * 16
    }
}
