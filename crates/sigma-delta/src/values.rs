//! `ValueTable`: the distinct values a session has seen, numbered in order of first sight and
//! evicted oldest first, so both ends of a session agree on every number.

use std::collections::VecDeque;

use hashbrown::HashTable;

use crate::hash::hash_bytes;

/// Where a value lives in the table's text, and its hash.
#[derive(Clone, Copy, Debug)]
struct Span {
    /// Offset of its first byte, counted from the first byte the table ever held.
    start: u64,
    len: u32,
    hash: u64,
}

/// Distinct values, at most `capacity`, each with a serial number. A back-reference names a value
/// by its distance from the newest serial, which keeps references to recent values small.
///
/// The values live one after another in one buffer (evicted ones are cut from its front now and
/// then), and the index holds serial numbers under each value's hash: remembering a value
/// allocates nothing once the buffers have grown, and each value is hashed once, by the caller
/// ([`hash_bytes`], the hash [`crate::hash`] uses everywhere).
#[derive(Clone, Debug)]
pub struct ValueTable {
    capacity: usize,
    /// Serial numbers, under their value's hash.
    index: HashTable<u64>,
    /// The values in serial order, oldest first.
    spans: VecDeque<Span>,
    /// Serial number of `spans`' first entry.
    first_serial: u64,
    /// The values' text, from offset `cut` on.
    text: String,
    /// Bytes cut from the front of `text` so far.
    cut: u64,
}

impl ValueTable {
    /// An empty table that remembers at most `capacity` values.
    pub fn new(capacity: usize) -> ValueTable {
        ValueTable {
            capacity,
            index: HashTable::new(),
            spans: VecDeque::new(),
            first_serial: 0,
            text: String::new(),
            cut: 0,
        }
    }

    /// Values held.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether no value is held.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The serial number the next new value gets.
    pub fn next_serial(&self) -> u64 {
        self.first_serial + self.spans.len() as u64
    }

    /// The text of `span`.
    fn text_of(&self, span: &Span) -> Option<&str> {
        let start = usize::try_from(span.start.checked_sub(self.cut)?).ok()?;
        self.text.get(start..start.checked_add(span.len as usize)?)
    }

    /// The serial number of `value` (whose [`hash_bytes`] is `hash`), if held.
    fn serial(&self, value: &str, hash: u64) -> Option<u64> {
        let found = self.index.find(hash, |&serial| {
            let span = self.span(serial);
            span.is_some_and(|s| s.hash == hash && self.text_of(s) == Some(value))
        });
        found.copied()
    }

    fn span(&self, serial: u64) -> Option<&Span> {
        self.spans.get(usize::try_from(serial.checked_sub(self.first_serial)?).ok()?)
    }

    /// Remembers `value` if new (evicting the oldest beyond capacity). Returns whether it was new.
    pub fn insert(&mut self, value: &str) -> bool {
        self.insert_hashed(value, hash_bytes(value.as_bytes()))
    }

    /// As [`ValueTable::insert`], given the value's [`hash_bytes`].
    pub fn insert_hashed(&mut self, value: &str, hash: u64) -> bool {
        debug_assert_eq!(hash, hash_bytes(value.as_bytes()), "the caller's hash is the value's");
        if self.capacity == 0 || self.serial(value, hash).is_some() {
            return false;
        }
        // A value too long for a span's length is never remembered (no session value is: a
        // tree's values total less than 4 GiB); both ends agree on that too.
        let Ok(len) = u32::try_from(value.len()) else { return false };
        if self.spans.len() == self.capacity {
            self.evict_oldest();
        }
        let serial = self.next_serial();
        let start = self.cut + self.text.len() as u64;
        self.text.push_str(value);
        self.spans.push_back(Span { start, len, hash });
        // Growing the index rehashes its entries: each one's hash is its span's.
        let (spans, first) = (&self.spans, self.first_serial);
        self.index.insert_unique(hash, serial, |&s| {
            let span = s.checked_sub(first).and_then(|i| spans.get(usize::try_from(i).ok()?));
            debug_assert!(span.is_some(), "every indexed serial is held");
            span.map_or(0, |span| span.hash)
        });
        true
    }

    fn evict_oldest(&mut self) {
        let Some(old) = self.spans.pop_front() else { return };
        let serial = self.first_serial;
        self.first_serial += 1;
        if let Ok(entry) = self.index.find_entry(old.hash, |&s| s == serial) {
            entry.remove();
        } else {
            debug_assert!(false, "every held value is indexed");
        }
        // Cut the evicted text once it is most of the buffer (amortized: each byte moves once
        // per halving).
        let live_from = self.spans.front().map_or(self.cut + self.text.len() as u64, |s| s.start);
        let dead = usize::try_from(live_from - self.cut).unwrap_or(usize::MAX);
        if dead >= 4096 && dead.saturating_mul(2) >= self.text.len() {
            self.text.drain(..dead);
            self.cut = live_from;
        }
    }

    /// The distance of `value` from the newest serial (0 = the newest), if held.
    pub fn distance(&self, value: &str) -> Option<u64> {
        self.distance_hashed(value, hash_bytes(value.as_bytes()))
    }

    /// As [`ValueTable::distance`], given the value's [`hash_bytes`].
    pub fn distance_hashed(&self, value: &str, hash: u64) -> Option<u64> {
        let serial = self.serial(value, hash)?;
        Some(self.next_serial() - 1 - serial)
    }

    /// The value at `distance` from the newest, if held.
    pub fn at_distance(&self, distance: u64) -> Option<&str> {
        let newest = self.next_serial().checked_sub(1)?;
        let serial = newest.checked_sub(distance)?;
        self.text_of(self.span(serial)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_eviction() {
        let mut t = ValueTable::new(3);
        assert!(t.insert("a"));
        assert!(t.insert("b"));
        assert!(!t.insert("a"), "seen");
        assert_eq!(t.distance("a"), Some(1));
        assert_eq!(t.distance("b"), Some(0));
        assert_eq!(t.at_distance(1), Some("a"));
        t.insert("c");
        t.insert("d");
        assert_eq!(t.len(), 3);
        assert_eq!(t.distance("a"), None, "evicted");
        assert_eq!(t.at_distance(2), Some("b"));
        assert_eq!(t.at_distance(3), None);
        assert_eq!(t.next_serial(), 4);
        assert!(ValueTable::new(0).is_empty());
    }

    #[test]
    fn the_text_buffer_is_cut_and_stays_bounded() {
        let mut t = ValueTable::new(100);
        for i in 0..100_000 {
            let value = format!("value number {i} ünïcödé");
            assert!(t.insert(&value));
            assert_eq!(t.distance(&value), Some(0));
            if i >= 99 {
                let oldest = format!("value number {} ünïcödé", i - 99);
                assert_eq!(t.at_distance(99), Some(oldest.as_str()));
                assert_eq!(t.distance(&format!("value number {} ünïcödé", i - 100)), None);
            }
        }
        assert_eq!(t.len(), 100);
        // 100 values of about 30 bytes, with at most as much again evicted but not yet cut.
        assert!(t.text.len() < 16_384, "{}", t.text.len());
    }
}
