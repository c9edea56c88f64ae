//! Named counters.

use std::collections::BTreeMap;

/// A set of named counters, reported in name order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    values: BTreeMap<String, u64>,
}

impl Counters {
    /// No counters.
    pub fn new() -> Counters {
        Counters::default()
    }

    /// Adds `n` to counter `name` (created at 0).
    pub fn add(&mut self, name: &str, n: u64) {
        match self.values.get_mut(name) {
            Some(value) => *value = value.saturating_add(n),
            None => {
                self.values.insert(name.to_owned(), n);
            }
        }
    }

    /// Adds one to counter `name`.
    pub fn increment(&mut self, name: &str) {
        self.add(name, 1);
    }

    /// The value of counter `name` (0 if it was never touched).
    pub fn get(&self, name: &str) -> u64 {
        self.values.get(name).copied().unwrap_or(0)
    }

    /// Every counter in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.values.iter().map(|(name, &value)| (name.as_str(), value))
    }

    /// Sets every counter back to zero (keeping their names).
    pub fn reset(&mut self) {
        self.values.values_mut().for_each(|v| *v = 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_name() {
        let mut c = Counters::new();
        c.increment("frames");
        c.add("bytes", 40);
        c.add("frames", 2);
        assert_eq!(c.get("frames"), 3);
        assert_eq!(c.get("missing"), 0);
        assert_eq!(c.iter().collect::<Vec<_>>(), vec![("bytes", 40), ("frames", 3)]);
        c.reset();
        assert_eq!(c.get("bytes"), 0);
    }
}
