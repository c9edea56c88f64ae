//! `PrimitiveSet`: a set of primitives as 256 bits.

use std::fmt;

use crate::Primitive;

/// A set of primitives, stored as four 64-bit words.
///
/// Every operation is constant time: insert, remove, contains, union, intersection, difference
/// and `len` (four popcounts). Iteration yields primitives in ascending id order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PrimitiveSet {
    words: [u64; 4],
}

impl PrimitiveSet {
    /// The empty set.
    pub const fn new() -> PrimitiveSet {
        PrimitiveSet { words: [0; 4] }
    }

    /// The set of all 256 primitives.
    pub const fn full() -> PrimitiveSet {
        PrimitiveSet { words: [u64::MAX; 4] }
    }

    const fn split(primitive: Primitive) -> (usize, u64) {
        let id = primitive.id();
        ((id >> 6) as usize, 1u64 << (id & 63))
    }

    /// Adds `primitive`; returns whether it was absent before.
    pub fn insert(&mut self, primitive: Primitive) -> bool {
        let (word, bit) = Self::split(primitive);
        let was_absent = self.words[word] & bit == 0;
        self.words[word] |= bit;
        was_absent
    }

    /// Removes `primitive`; returns whether it was present.
    pub fn remove(&mut self, primitive: Primitive) -> bool {
        let (word, bit) = Self::split(primitive);
        let was_present = self.words[word] & bit != 0;
        self.words[word] &= !bit;
        was_present
    }

    /// Whether `primitive` is in the set.
    pub const fn contains(&self, primitive: Primitive) -> bool {
        let (word, bit) = Self::split(primitive);
        self.words[word] & bit != 0
    }

    /// The number of primitives in the set.
    pub const fn len(&self) -> usize {
        (self.words[0].count_ones()
            + self.words[1].count_ones()
            + self.words[2].count_ones()
            + self.words[3].count_ones()) as usize
    }

    /// Whether the set is empty.
    pub const fn is_empty(&self) -> bool {
        self.words[0] | self.words[1] | self.words[2] | self.words[3] == 0
    }

    /// Primitives in `self` or `other`.
    pub const fn union(&self, other: &PrimitiveSet) -> PrimitiveSet {
        let (a, b) = (&self.words, &other.words);
        PrimitiveSet { words: [a[0] | b[0], a[1] | b[1], a[2] | b[2], a[3] | b[3]] }
    }

    /// Primitives in both `self` and `other`.
    pub const fn intersection(&self, other: &PrimitiveSet) -> PrimitiveSet {
        let (a, b) = (&self.words, &other.words);
        PrimitiveSet { words: [a[0] & b[0], a[1] & b[1], a[2] & b[2], a[3] & b[3]] }
    }

    /// Primitives in `self` but not in `other`.
    pub const fn difference(&self, other: &PrimitiveSet) -> PrimitiveSet {
        let (a, b) = (&self.words, &other.words);
        PrimitiveSet { words: [a[0] & !b[0], a[1] & !b[1], a[2] & !b[2], a[3] & !b[3]] }
    }

    /// Whether every primitive of `self` is in `other`.
    pub const fn is_subset(&self, other: &PrimitiveSet) -> bool {
        self.difference(other).is_empty()
    }

    /// The set as four little-endian-ordered words: bit `i % 64` of word `i / 64` is primitive `i`.
    pub const fn to_words(&self) -> [u64; 4] {
        self.words
    }

    /// The set with exactly the bits of `words` (see [`PrimitiveSet::to_words`]).
    pub const fn from_words(words: [u64; 4]) -> PrimitiveSet {
        PrimitiveSet { words }
    }

    /// The primitives in ascending id order.
    pub fn iter(&self) -> PrimitiveSetIter {
        PrimitiveSetIter { words: self.words, word: 0 }
    }
}

/// Iterator over a [`PrimitiveSet`] in ascending id order.
#[derive(Clone, Debug)]
pub struct PrimitiveSetIter {
    words: [u64; 4],
    word: usize,
}

impl Iterator for PrimitiveSetIter {
    type Item = Primitive;

    fn next(&mut self) -> Option<Primitive> {
        while let Some(bits) = self.words.get_mut(self.word) {
            if *bits != 0 {
                let low = bits.trailing_zeros();
                *bits &= *bits - 1;
                return Some(Primitive::new((self.word as u32 * 64 + low) as u8));
            }
            self.word += 1;
        }
        None
    }
}

impl IntoIterator for &PrimitiveSet {
    type Item = Primitive;
    type IntoIter = PrimitiveSetIter;

    fn into_iter(self) -> PrimitiveSetIter {
        self.iter()
    }
}

impl FromIterator<Primitive> for PrimitiveSet {
    fn from_iter<I: IntoIterator<Item = Primitive>>(iter: I) -> PrimitiveSet {
        let mut set = PrimitiveSet::new();
        set.extend(iter);
        set
    }
}

impl Extend<Primitive> for PrimitiveSet {
    fn extend<I: IntoIterator<Item = Primitive>>(&mut self, iter: I) {
        for primitive in iter {
            self.insert(primitive);
        }
    }
}

impl fmt::Debug for PrimitiveSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn model(ids: &[u8]) -> BTreeSet<u8> {
        ids.iter().copied().collect()
    }

    fn set(ids: &[u8]) -> PrimitiveSet {
        ids.iter().copied().map(Primitive::new).collect()
    }

    fn ids(set: &PrimitiveSet) -> Vec<u8> {
        set.iter().map(Primitive::id).collect()
    }

    proptest! {
        #[test]
        fn set_operations_match_a_btreeset(a in proptest::collection::vec(any::<u8>(), 0..64),
                                            b in proptest::collection::vec(any::<u8>(), 0..64)) {
            let (ma, mb) = (model(&a), model(&b));
            let (sa, sb) = (set(&a), set(&b));
            prop_assert_eq!(sa.len(), ma.len());
            prop_assert_eq!(ids(&sa.union(&sb)), ma.union(&mb).copied().collect::<Vec<_>>());
            prop_assert_eq!(ids(&sa.intersection(&sb)), ma.intersection(&mb).copied().collect::<Vec<_>>());
            prop_assert_eq!(ids(&sa.difference(&sb)), ma.difference(&mb).copied().collect::<Vec<_>>());
            prop_assert_eq!(sa.is_subset(&sb), ma.is_subset(&mb));
            for id in 0..=255u8 {
                prop_assert_eq!(sa.contains(Primitive::new(id)), ma.contains(&id));
            }
        }
    }

    #[test]
    fn insert_and_remove_report_change() {
        let mut s = PrimitiveSet::new();
        assert!(s.is_empty());
        assert!(s.insert(Primitive::new(255)));
        assert!(!s.insert(Primitive::new(255)));
        assert!(s.insert(Primitive::new(0)));
        assert_eq!(ids(&s), vec![0, 255]);
        assert!(s.remove(Primitive::new(255)));
        assert!(!s.remove(Primitive::new(255)));
        assert_eq!(s.len(), 1);
        assert_eq!(PrimitiveSet::full().len(), 256);
        assert_eq!(format!("{s:?}"), "{ENTITY(0x00)}");
    }
}
