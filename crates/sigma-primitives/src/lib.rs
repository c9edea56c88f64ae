//! The 256 ΣLANG primitives and sets of them.
//!
//! Every node of a semantic tree carries one *primitive*, a meaning atom Σ0–Σ255. This crate is
//! the table of all 256: their names (`FUNCTION`, `DICT`, `LEARNED_7`, …), tiers, families and
//! meanings, with constant-time lookups both ways from tables built at compile time, and
//! [`PrimitiveSet`], a 256-bit set with constant-time union, difference and count.
//!
//! **Layer 0.** It depends on nothing in the workspace and knows nothing of trees, glyphs or bytes.
//!
//! ```
//! use sigma_primitives::{Family, Primitive, PrimitiveSet, Tier};
//!
//! let function = Primitive::from_name("function").unwrap();
//! assert_eq!(function, Primitive::FUNCTION);
//! assert_eq!(function.id(), 0x10);
//! assert_eq!(function.name(), "FUNCTION");
//! assert_eq!(function.family(), Family::Code);
//! assert_eq!(Primitive::new(200).tier(), Tier::Learned);
//!
//! let mut set = PrimitiveSet::new();
//! set.insert(function);
//! set.insert(Primitive::VARIABLE);
//! assert_eq!(set.len(), 2);
//! ```

// A library does not unwrap, panic or print (unit tests are exempt via clippy.toml).
#![warn(clippy::unwrap_used, clippy::panic, clippy::print_stdout, clippy::print_stderr)]

mod set;
mod table;

use std::fmt;

pub use set::{PrimitiveSet, PrimitiveSetIter};

/// One of the 256 primitives Σ0–Σ255.
///
/// Every `u8` is a valid primitive, so this is a plain newtype; all lookups are table reads.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Primitive(u8);

/// The three tiers of the table: universal concepts, domain encodings, learned slots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tier {
    /// Σ0–Σ15: universal concepts (`ENTITY`, `ACTION`, …).
    Existential,
    /// Σ16–Σ127: specialised encodings for code, maths, logic, entities, actions,
    /// communication and data structures.
    Domain,
    /// Σ128–Σ255: slots a learned codebook fills with frequent subtree patterns.
    Learned,
}

/// The family a primitive belongs to: sixteen primitives each, except `Learned` (128).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// Σ0–Σ15.
    Existential,
    /// Σ16–Σ31: programs (`FUNCTION`, `VARIABLE`, …).
    Code,
    /// Σ32–Σ47: mathematical operations.
    Math,
    /// Σ48–Σ63: logical relations.
    Logic,
    /// Σ64–Σ79: physical and abstract entities.
    Entity,
    /// Σ80–Σ95: actions and processes.
    Action,
    /// Σ96–Σ111: communication and information.
    Communication,
    /// Σ112–Σ127: data structures (`LIST`, `DICT`, `STRING`, …).
    Structure,
    /// Σ128–Σ255: learned slots.
    Learned,
}

impl Family {
    /// The family's name as the primitive table spells it (`"code"`, `"structure"`, …).
    pub const fn name(self) -> &'static str {
        match self {
            Family::Existential => "existential",
            Family::Code => "code",
            Family::Math => "math",
            Family::Logic => "logic",
            Family::Entity => "entity",
            Family::Action => "action",
            Family::Communication => "communication",
            Family::Structure => "structure",
            Family::Learned => "learned",
        }
    }

    /// The tier the family sits in.
    pub const fn tier(self) -> Tier {
        match self {
            Family::Existential => Tier::Existential,
            Family::Learned => Tier::Learned,
            _ => Tier::Domain,
        }
    }
}

impl Tier {
    /// The tier's name as the primitive table spells it (`"existential"`, `"domain"`, `"learned"`).
    pub const fn name(self) -> &'static str {
        match self {
            Tier::Existential => "existential",
            Tier::Domain => "domain",
            Tier::Learned => "learned",
        }
    }
}

impl Primitive {
    /// The primitive with this id.
    pub const fn new(id: u8) -> Primitive {
        Primitive(id)
    }

    /// The id, 0–255.
    pub const fn id(self) -> u8 {
        self.0
    }

    /// The upper-case name, e.g. `"FUNCTION"` or `"LEARNED_0"`.
    pub const fn name(self) -> &'static str {
        table::TABLE[self.0 as usize].0
    }

    /// The family.
    pub const fn family(self) -> Family {
        table::TABLE[self.0 as usize].1
    }

    /// The tier.
    pub const fn tier(self) -> Tier {
        self.family().tier()
    }

    /// A short description of what the primitive means.
    pub const fn meaning(self) -> &'static str {
        table::TABLE[self.0 as usize].2
    }

    /// The primitive named `name`, compared without regard to ASCII case; `None` if no primitive
    /// has that name. Constant time: one hash and a bounded probe of a table built at compile time.
    pub fn from_name(name: &str) -> Option<Primitive> {
        names::lookup(name.as_bytes()).map(Primitive)
    }

    /// All 256 primitives in id order.
    pub fn all() -> impl ExactSizeIterator<Item = Primitive> + DoubleEndedIterator {
        (0..=u8::MAX).map(Primitive)
    }
}

impl From<u8> for Primitive {
    fn from(id: u8) -> Primitive {
        Primitive(id)
    }
}

impl From<Primitive> for u8 {
    fn from(primitive: Primitive) -> u8 {
        primitive.0
    }
}

impl fmt::Debug for Primitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(0x{:02X})", self.name(), self.0)
    }
}

impl fmt::Display for Primitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Named constants for the primitives the codec and the text layer give a meaning to.
impl Primitive {
    /// Σ0, `ENTITY`.
    pub const ENTITY: Primitive = Primitive(0x00);
    /// Σ1, `ACTION`.
    pub const ACTION: Primitive = Primitive(0x01);
    /// Σ2, `RELATION`: a relation between entities of a text.
    pub const RELATION: Primitive = Primitive(0x02);
    /// Σ3, `ATTRIBUTE`.
    pub const ATTRIBUTE: Primitive = Primitive(0x03);
    /// Σ4, `QUANTITY`: an amount in a text (money, a percentage, a measure).
    pub const QUANTITY: Primitive = Primitive(0x04);
    /// Σ5, `TEMPORAL`: a date or time in a text.
    pub const TEMPORAL: Primitive = Primitive(0x05);
    /// Σ10, `REFERENCE`: the primitive of the reference's REFERENCE message glyph.
    pub const REFERENCE: Primitive = Primitive(0x0A);
    /// Σ11, `COMPOSITE`: format v1 writes its bare glyph as the end-of-children marker.
    pub const COMPOSITE: Primitive = Primitive(0x0B);
    /// Σ12, `TRANSFORM`: the primitive of the reference's DELTA message glyph.
    pub const TRANSFORM: Primitive = Primitive(0x0C);
    /// Σ16, `FUNCTION`.
    pub const FUNCTION: Primitive = Primitive(0x10);
    /// Σ17, `VARIABLE`.
    pub const VARIABLE: Primitive = Primitive(0x11);
    /// Σ18, `CLASS`.
    pub const CLASS: Primitive = Primitive(0x12);
    /// Σ28, `STATEMENT`: a sentence that states.
    pub const STATEMENT: Primitive = Primitive(0x1C);
    /// Σ29, `BLOCK`: a text document.
    pub const BLOCK: Primitive = Primitive(0x1D);
    /// Σ65, `AGENT`: a person named in a text.
    pub const AGENT: Primitive = Primitive(0x41);
    /// Σ66, `LOCATION`: a place named in a text.
    pub const LOCATION: Primitive = Primitive(0x42);
    /// Σ72, `GROUP`: an organisation named in a text.
    pub const GROUP: Primitive = Primitive(0x48);
    /// Σ76, `CATEGORY`: the kind of an entity, where its primitive holds several.
    pub const CATEGORY: Primitive = Primitive(0x4C);
    /// Σ96, `QUERY`: a sentence that asks.
    pub const QUERY: Primitive = Primitive(0x60);
    /// Σ23, `PARAMETER`.
    pub const PARAMETER: Primitive = Primitive(0x17);
    /// Σ112, `LIST`: a JSON array.
    pub const LIST: Primitive = Primitive(0x70);
    /// Σ113, `DICT`: a JSON object.
    pub const DICT: Primitive = Primitive(0x71);
    /// Σ115, `GRAPH`: a knowledge graph.
    pub const GRAPH: Primitive = Primitive(0x73);
    /// Σ120, `STRING`: a JSON string.
    pub const STRING: Primitive = Primitive(0x78);
    /// Σ121, `NUMBER`: a JSON number, its source text as value.
    pub const NUMBER: Primitive = Primitive(0x79);
    /// Σ122, `BOOLEAN`: a JSON `true` or `false`.
    pub const BOOLEAN: Primitive = Primitive(0x7A);
    /// Σ123, `NULL`: a JSON `null`.
    pub const NULL: Primitive = Primitive(0x7B);
    /// Σ127, `RECORD`: one member of a JSON object, its key as value.
    pub const RECORD: Primitive = Primitive(0x7F);
    /// Σ128, `LEARNED_0`: the first learned slot.
    pub const FIRST_LEARNED: Primitive = Primitive(0x80);
}

/// Name → id: an open-addressing hash table filled by a `const fn` at compile time.
mod names {
    use crate::table::TABLE;

    /// Slots in the table: a power of two, four times the entries, so probes stay short.
    const SLOTS: usize = 1024;
    /// Slot value for "empty"; occupied slots hold `id + 1`.
    const EMPTY: u16 = 0;
    /// The longest name in the table; longer input cannot match and is rejected before hashing.
    const MAX_NAME_LEN: usize = max_name_len();

    static INDEX: [u16; SLOTS] = build();

    const fn max_name_len() -> usize {
        let mut max = 0;
        let mut i = 0;
        while i < TABLE.len() {
            if TABLE[i].0.len() > max {
                max = TABLE[i].0.len();
            }
            i += 1;
        }
        max
    }

    /// FNV-1a over the ASCII-upper-cased bytes.
    const fn hash(bytes: &[u8]) -> usize {
        let mut h: u32 = 0x811c_9dc5;
        let mut i = 0;
        while i < bytes.len() {
            h ^= bytes[i].to_ascii_uppercase() as u32;
            h = h.wrapping_mul(0x0100_0193);
            i += 1;
        }
        h as usize & (SLOTS - 1)
    }

    const fn build() -> [u16; SLOTS] {
        let mut index = [EMPTY; SLOTS];
        let mut id = 0;
        while id < TABLE.len() {
            let mut slot = hash(TABLE[id].0.as_bytes());
            while index[slot] != EMPTY {
                slot = (slot + 1) & (SLOTS - 1);
            }
            index[slot] = id as u16 + 1;
            id += 1;
        }
        index
    }

    pub(crate) fn lookup(name: &[u8]) -> Option<u8> {
        if name.is_empty() || name.len() > MAX_NAME_LEN {
            return None;
        }
        let mut slot = hash(name);
        loop {
            let entry = *INDEX.get(slot)?;
            if entry == EMPTY {
                return None;
            }
            let id = (entry - 1) as u8;
            let (candidate, _, _) = TABLE.get(usize::from(id))?;
            if candidate.as_bytes().eq_ignore_ascii_case(name) {
                return Some(id);
            }
            slot = (slot + 1) & (SLOTS - 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_maps_back_to_its_id_in_any_case() {
        for primitive in Primitive::all() {
            let name = primitive.name();
            assert_eq!(Primitive::from_name(name), Some(primitive));
            assert_eq!(Primitive::from_name(&name.to_ascii_lowercase()), Some(primitive));
        }
    }

    #[test]
    fn unknown_names_are_none() {
        for name in ["", "FUNCTIO", "FUNCTIONS", "LEARNED_128", "ΣFUNCTION", "a_very_long_name_indeed"] {
            assert_eq!(Primitive::from_name(name), None, "{name:?}");
        }
    }

    #[test]
    fn tiers_follow_the_ranges() {
        for primitive in Primitive::all() {
            let expected = match primitive.id() {
                0..=15 => Tier::Existential,
                16..=127 => Tier::Domain,
                _ => Tier::Learned,
            };
            assert_eq!(primitive.tier(), expected, "{primitive:?}");
        }
        assert_eq!(Primitive::new(0x80).name(), "LEARNED_0");
        assert_eq!(Primitive::new(0xFF).name(), "LEARNED_127");
    }

    #[test]
    fn debug_and_display() {
        assert_eq!(format!("{:?}", Primitive::DICT), "DICT(0x71)");
        assert_eq!(Primitive::RECORD.to_string(), "RECORD");
        for (constant, name) in [
            (Primitive::RELATION, "RELATION"),
            (Primitive::QUANTITY, "QUANTITY"),
            (Primitive::TEMPORAL, "TEMPORAL"),
            (Primitive::STATEMENT, "STATEMENT"),
            (Primitive::BLOCK, "BLOCK"),
            (Primitive::AGENT, "AGENT"),
            (Primitive::LOCATION, "LOCATION"),
            (Primitive::GROUP, "GROUP"),
            (Primitive::CATEGORY, "CATEGORY"),
            (Primitive::QUERY, "QUERY"),
            (Primitive::GRAPH, "GRAPH"),
        ] {
            assert_eq!(constant.name(), name);
        }
    }
}
