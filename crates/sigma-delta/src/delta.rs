//! Primitive-set deltas: what changed between two trees' primitive sets, in constant time.

use sigma_primitives::PrimitiveSet;

/// The primitives added and removed going from one set to another. Computing it, applying it and
/// undoing it are four word operations each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PrimitiveDelta {
    /// In the new set, not the old.
    pub added: PrimitiveSet,
    /// In the old set, not the new.
    pub removed: PrimitiveSet,
}

impl PrimitiveDelta {
    /// The delta from `old` to `new`.
    pub fn between(old: &PrimitiveSet, new: &PrimitiveSet) -> PrimitiveDelta {
        PrimitiveDelta { added: new.difference(old), removed: old.difference(new) }
    }

    /// `old` with the delta applied: the new set.
    pub fn apply(&self, old: &PrimitiveSet) -> PrimitiveSet {
        old.difference(&self.removed).union(&self.added)
    }

    /// `new` with the delta undone: the old set.
    pub fn undo(&self, new: &PrimitiveSet) -> PrimitiveSet {
        new.difference(&self.added).union(&self.removed)
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use sigma_primitives::Primitive;

    fn set(ids: &[u8]) -> PrimitiveSet {
        ids.iter().map(|&id| Primitive::new(id)).collect()
    }

    proptest! {
        #[test]
        fn apply_and_undo_invert_each_other(a in proptest::collection::vec(any::<u8>(), 0..40),
                                             b in proptest::collection::vec(any::<u8>(), 0..40)) {
            let (old, new) = (set(&a), set(&b));
            let delta = PrimitiveDelta::between(&old, &new);
            prop_assert_eq!(delta.apply(&old), new);
            prop_assert_eq!(delta.undo(&new), old);
            prop_assert_eq!(delta.is_empty(), old == new);
            prop_assert!(delta.added.intersection(&delta.removed).is_empty());
        }
    }
}
