//! Sets of document numbers. [`Bitset`]: fixed size, 64 per word, AND, OR and counting over whole
//! words; what facet values and large candidate sets use. [`DocSet`]: what a query carries, a
//! sorted list while it is small (a rare word, one organisation, a few grid cells) and a bitset
//! once it is large, so a 25-hit query never pays for 100,000 bits.
//!
//! Why not the `roaring` crate: tried (issue 11) and measured at 100k services, it made rare-word
//! queries 4.7× faster but common words, prefixes and facet-only queries 2.5–3× slower, because
//! those queries iterate and test dense sets in their hot loops, where a flat bitset is cheapest.

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Bitset {
    words: Vec<u64>,
    len: usize,
}

impl Bitset {
    pub fn empty(len: usize) -> Self {
        Bitset {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    pub fn full(len: usize) -> Self {
        let mut b = Bitset {
            words: vec![u64::MAX; len.div_ceil(64)],
            len,
        };
        if !len.is_multiple_of(64)
            && let Some(last) = b.words.last_mut()
        {
            *last = (1u64 << (len % 64)) - 1;
        }
        b
    }

    pub fn insert(&mut self, i: u32) {
        self.words[i as usize / 64] |= 1 << (i % 64);
    }

    pub fn remove(&mut self, i: u32) {
        self.words[i as usize / 64] &= !(1 << (i % 64));
    }

    pub fn contains(&self, i: u32) -> bool {
        self.words[i as usize / 64] & (1 << (i % 64)) != 0
    }

    pub fn and_with(&mut self, other: &Bitset) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    pub fn or_with(&mut self, other: &Bitset) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Size of the intersection, without building it.
    pub fn and_count(&self, other: &Bitset) -> usize {
        self.words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| (a & b).count_ones() as usize)
            .sum()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    /// Calls `f` for each member in increasing order (a tighter loop than `iter`).
    #[inline]
    pub fn for_each(&self, mut f: impl FnMut(u32)) {
        for (wi, &word) in self.words.iter().enumerate() {
            let mut w = word;
            while w != 0 {
                f(wi as u32 * 64 + w.trailing_zeros());
                w &= w - 1;
            }
        }
    }

    /// The members in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(wi, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let bit = w.trailing_zeros();
                w &= w - 1;
                Some(wi as u32 * 64 + bit)
            })
        })
    }
}

/// A set stays a sorted list below one member per this many documents.
const SPARSE_SHARE: usize = 32;

#[derive(Debug, Clone)]
pub enum DocSet {
    /// Sorted, without duplicates.
    Sparse(Vec<u32>),
    Dense(Bitset),
}

impl DocSet {
    /// All `n` documents.
    pub fn full(n: usize) -> Self {
        DocSet::Dense(Bitset::full(n))
    }

    /// From documents sorted in increasing order without duplicates, out of `n`.
    pub fn from_sorted(docs: Vec<u32>, n: usize) -> Self {
        if docs.len() * SPARSE_SHARE < n {
            DocSet::Sparse(docs)
        } else {
            let mut bits = Bitset::empty(n);
            for d in docs {
                bits.insert(d);
            }
            DocSet::Dense(bits)
        }
    }

    /// From documents in any order, duplicates allowed, out of `n`.
    pub fn from_unsorted(mut docs: Vec<u32>, n: usize) -> Self {
        docs.sort_unstable();
        docs.dedup();
        Self::from_sorted(docs, n)
    }

    pub fn len(&self) -> usize {
        match self {
            DocSet::Sparse(docs) => docs.len(),
            DocSet::Dense(bits) => bits.count(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            DocSet::Sparse(docs) => docs.is_empty(),
            DocSet::Dense(bits) => bits.is_empty(),
        }
    }

    pub fn contains(&self, d: u32) -> bool {
        match self {
            DocSet::Sparse(docs) => docs.binary_search(&d).is_ok(),
            DocSet::Dense(bits) => bits.contains(d),
        }
    }

    /// Keeps the documents also in `other`; a list stays a list.
    pub fn and_with(&mut self, other: &DocSet) {
        match (&mut *self, other) {
            (DocSet::Sparse(docs), other) => docs.retain(|&d| other.contains(d)),
            (DocSet::Dense(bits), DocSet::Sparse(list)) => {
                *self = DocSet::Sparse(list.iter().copied().filter(|&d| bits.contains(d)).collect())
            }
            (DocSet::Dense(a), DocSet::Dense(b)) => a.and_with(b),
        }
    }

    /// Keeps the documents also in `bits`.
    pub fn and_bits(&mut self, bits: &Bitset) {
        match self {
            DocSet::Sparse(docs) => docs.retain(|&d| bits.contains(d)),
            DocSet::Dense(own) => own.and_with(bits),
        }
    }

    /// Size of the intersection with `bits`, without building it.
    pub fn and_count(&self, bits: &Bitset) -> usize {
        match self {
            DocSet::Sparse(docs) => docs.iter().filter(|&&d| bits.contains(d)).count(),
            DocSet::Dense(own) => own.and_count(bits),
        }
    }

    /// Keeps the documents for which `keep` holds.
    pub fn retain(&mut self, mut keep: impl FnMut(u32) -> bool) {
        match self {
            DocSet::Sparse(docs) => docs.retain(|&d| keep(d)),
            DocSet::Dense(bits) => {
                let drop: Vec<u32> = bits.iter().filter(|&d| !keep(d)).collect();
                for d in drop {
                    bits.remove(d);
                }
            }
        }
    }

    /// Calls `f` for each member in increasing order.
    #[inline]
    pub fn for_each(&self, mut f: impl FnMut(u32)) {
        match self {
            DocSet::Sparse(docs) => docs.iter().for_each(|&d| f(d)),
            DocSet::Dense(bits) => bits.for_each(f),
        }
    }

    /// The members in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let (list, bits) = match self {
            DocSet::Sparse(docs) => (Some(docs.iter().copied()), None),
            DocSet::Dense(bits) => (None, Some(bits.iter())),
        };
        list.into_iter().flatten().chain(bits.into_iter().flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_sets_keep_the_cheaper_form_and_agree_with_bitsets() {
        let n = 1000;
        let small = DocSet::from_unsorted(vec![900, 3, 3, 40], n);
        assert!(matches!(small, DocSet::Sparse(_)));
        assert_eq!(small.iter().collect::<Vec<_>>(), vec![3, 40, 900]);
        let big = DocSet::from_sorted((0..n as u32).step_by(2).collect(), n);
        assert!(matches!(big, DocSet::Dense(_)));
        assert_eq!(big.len(), 500);
        // A list AND a bitset is a list; both orders give the same members.
        let mut a = small.clone();
        a.and_with(&big);
        let mut b = big.clone();
        b.and_with(&small);
        assert!(matches!(b, DocSet::Sparse(_)));
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![40, 900]);
        assert_eq!(b.iter().collect::<Vec<_>>(), vec![40, 900]);
        let mut evens = Bitset::empty(n);
        (0..n as u32).step_by(2).for_each(|d| evens.insert(d));
        assert_eq!(small.and_count(&evens), 2);
        assert_eq!(big.and_count(&evens), 500);
        let mut c = big.clone();
        c.retain(|d| d < 10);
        assert_eq!(c.iter().collect::<Vec<_>>(), vec![0, 2, 4, 6, 8]);
        let mut full = DocSet::full(n);
        full.and_bits(&evens);
        assert_eq!(full.len(), 500);
        assert!(full.contains(998) && !full.contains(999));
        let mut none = small.clone();
        none.and_with(&DocSet::Sparse(vec![]));
        assert!(none.is_empty());
    }

    #[test]
    fn set_operations_and_iteration() {
        let mut a = Bitset::empty(130);
        for i in [0, 63, 64, 129] {
            a.insert(i);
        }
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![0, 63, 64, 129]);
        let full = Bitset::full(130);
        assert_eq!(full.count(), 130);
        assert_eq!(a.and_count(&full), 4);
        let mut b = Bitset::empty(130);
        b.insert(64);
        b.insert(5);
        let mut c = a.clone();
        c.and_with(&b);
        assert_eq!(c.iter().collect::<Vec<_>>(), vec![64]);
        c.or_with(&b);
        assert_eq!(c.count(), 2);
        c.remove(64);
        assert!(c.contains(5) && !c.contains(64));
        assert!(!c.is_empty());
    }
}
