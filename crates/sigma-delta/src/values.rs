//! `ValueTable`: the distinct values a session has seen, numbered in order of first sight and
//! evicted oldest first, so both ends of a session agree on every number.

use std::collections::VecDeque;

use hashbrown::HashMap;

/// Distinct values, at most `capacity`, each with a serial number. A back-reference names a value
/// by its distance from the newest serial, which keeps references to recent values small.
#[derive(Clone, Debug)]
pub struct ValueTable {
    capacity: usize,
    /// Value → serial number.
    by_value: HashMap<Box<str>, u64>,
    /// Values in serial order, oldest first.
    order: VecDeque<Box<str>>,
    /// Serial number of `order`'s first entry.
    first_serial: u64,
}

impl ValueTable {
    /// An empty table that remembers at most `capacity` values.
    pub fn new(capacity: usize) -> ValueTable {
        ValueTable { capacity, by_value: HashMap::new(), order: VecDeque::new(), first_serial: 0 }
    }

    /// Values held.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether no value is held.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The serial number the next new value gets.
    pub fn next_serial(&self) -> u64 {
        self.first_serial + self.order.len() as u64
    }

    /// Remembers `value` if new (evicting the oldest beyond capacity). Returns whether it was new.
    pub fn insert(&mut self, value: &str) -> bool {
        if self.capacity == 0 || self.by_value.contains_key(value) {
            return false;
        }
        if self.order.len() == self.capacity
            && let Some(old) = self.order.pop_front()
        {
            self.by_value.remove(&old);
            self.first_serial += 1;
        }
        let serial = self.next_serial();
        let boxed: Box<str> = value.into();
        self.by_value.insert(boxed.clone(), serial);
        self.order.push_back(boxed);
        true
    }

    /// The distance of `value` from the newest serial (0 = the newest), if held.
    pub fn distance(&self, value: &str) -> Option<u64> {
        let serial = *self.by_value.get(value)?;
        Some(self.next_serial() - 1 - serial)
    }

    /// The value at `distance` from the newest, if held.
    pub fn at_distance(&self, distance: u64) -> Option<&str> {
        let newest = self.next_serial().checked_sub(1)?;
        let serial = newest.checked_sub(distance)?;
        let offset = usize::try_from(serial.checked_sub(self.first_serial)?).ok()?;
        self.order.get(offset).map(|v| &**v)
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
}
