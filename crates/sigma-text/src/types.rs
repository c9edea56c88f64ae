//! What extraction finds: entities with their byte spans, relations between them, and the
//! evidence each carries.

use std::fmt;

/// The kinds of entity the extractor recognises (see `fixtures/text/gold/GUIDE.md` for what each
/// span covers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityType {
    /// A person's name, without titles.
    Person,
    /// A company, institution, agency, university, team, party or other organisation.
    Organization,
    /// A country, city, state, region, continent, geographic feature or named building.
    Location,
    /// A calendar date, day, month, year, decade, century or relative date.
    Date,
    /// A clock time or part of the day.
    Time,
    /// An amount of money with its currency.
    Money,
    /// A percentage.
    Percent,
    /// A number with a unit of measure.
    Quantity,
    /// An e-mail address.
    Email,
    /// A web address.
    Url,
}

impl EntityType {
    /// Every type, in order.
    pub const ALL: [EntityType; 10] = [
        EntityType::Person,
        EntityType::Organization,
        EntityType::Location,
        EntityType::Date,
        EntityType::Time,
        EntityType::Money,
        EntityType::Percent,
        EntityType::Quantity,
        EntityType::Email,
        EntityType::Url,
    ];

    /// The upper-case name (`PERSON`).
    pub const fn name(self) -> &'static str {
        match self {
            EntityType::Person => "PERSON",
            EntityType::Organization => "ORGANIZATION",
            EntityType::Location => "LOCATION",
            EntityType::Date => "DATE",
            EntityType::Time => "TIME",
            EntityType::Money => "MONEY",
            EntityType::Percent => "PERCENT",
            EntityType::Quantity => "QUANTITY",
            EntityType::Email => "EMAIL",
            EntityType::Url => "URL",
        }
    }

    /// The type an upper-case name names.
    pub fn from_name(name: &str) -> Option<EntityType> {
        EntityType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Whether it names something that relations connect (a person, organisation or place).
    pub const fn is_name(self) -> bool {
        matches!(self, EntityType::Person | EntityType::Organization | EntityType::Location)
    }
}

impl fmt::Display for EntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An entity found in a text: where it is, what it is, and its normalised form.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Entity {
    /// Byte offset of its first byte in the text.
    pub start: usize,
    /// Byte offset just past its last byte.
    pub end: usize,
    /// Its type.
    pub kind: EntityType,
    /// Its normalised form: a name with its spaces collapsed and its canonical capitals; a date
    /// as `YYYY-MM-DD`, `YYYY-MM` or `YYYY` where it says one; a time as `HH:MM`; money as
    /// `USD 13700000000`; a percentage as `3.5%`; otherwise the text itself.
    pub normalized: String,
}

impl Entity {
    /// The entity's text in `text` (the text it was found in).
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.start..self.end).unwrap_or_default()
    }
}

/// The relations the extractor recognises, each between entities of given types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Predicate {
    /// A person works for an organisation.
    WorksFor,
    /// A person leads an organisation as its chief executive.
    CeoOf,
    /// An organisation was founded by a person.
    FoundedBy,
    /// A person was born in a place.
    BornIn,
    /// An organisation or place is in a place.
    LocatedIn,
    /// A city is the capital of a country or state.
    CapitalOf,
    /// Two people are married.
    MarriedTo,
    /// An organisation is part of another.
    PartOf,
    /// An organisation acquired another.
    Acquired,
}

impl Predicate {
    /// Every predicate, in order.
    pub const ALL: [Predicate; 9] = [
        Predicate::WorksFor,
        Predicate::CeoOf,
        Predicate::FoundedBy,
        Predicate::BornIn,
        Predicate::LocatedIn,
        Predicate::CapitalOf,
        Predicate::MarriedTo,
        Predicate::PartOf,
        Predicate::Acquired,
    ];

    /// The upper-case name (`WORKS_FOR`).
    pub const fn name(self) -> &'static str {
        match self {
            Predicate::WorksFor => "WORKS_FOR",
            Predicate::CeoOf => "CEO_OF",
            Predicate::FoundedBy => "FOUNDED_BY",
            Predicate::BornIn => "BORN_IN",
            Predicate::LocatedIn => "LOCATED_IN",
            Predicate::CapitalOf => "CAPITAL_OF",
            Predicate::MarriedTo => "MARRIED_TO",
            Predicate::PartOf => "PART_OF",
            Predicate::Acquired => "ACQUIRED",
        }
    }

    /// The predicate an upper-case name names.
    pub fn from_name(name: &str) -> Option<Predicate> {
        Predicate::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Whether a relation may go from an entity of type `subject` to one of type `object`.
    pub const fn allows(self, subject: EntityType, object: EntityType) -> bool {
        use EntityType::{Location, Organization, Person};
        match self {
            Predicate::WorksFor | Predicate::CeoOf => {
                matches!((subject, object), (Person, Organization))
            }
            Predicate::FoundedBy => matches!((subject, object), (Organization, Person)),
            Predicate::BornIn => matches!((subject, object), (Person, Location)),
            Predicate::LocatedIn => matches!((subject, object), (Organization | Location, Location)),
            Predicate::CapitalOf => matches!((subject, object), (Location, Location)),
            Predicate::MarriedTo => matches!((subject, object), (Person, Person)),
            Predicate::PartOf | Predicate::Acquired => {
                matches!((subject, object), (Organization, Organization))
            }
        }
    }
}

impl fmt::Display for Predicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A relation between two entities of an [`Extraction`], with its evidence: the span of text
/// that states it (from the start of the first entity to the end of the last).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Relation {
    /// Index of the subject in [`Extraction::entities`].
    pub subject: usize,
    /// What holds between them.
    pub predicate: Predicate,
    /// Index of the object in [`Extraction::entities`].
    pub object: usize,
    /// Byte offset of the evidence's first byte.
    pub start: usize,
    /// Byte offset just past the evidence.
    pub end: usize,
}

/// Everything extracted from one text: entities in text order, and relations between them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extraction {
    /// The entities, in text order, never overlapping.
    pub entities: Vec<Entity>,
    /// The relations, each anchored on two entities of `entities`.
    pub relations: Vec<Relation>,
}

impl Extraction {
    /// As JSON, for the text it was extracted from:
    /// `{"entities": [{"text", "type", "start", "end", "normalized"}], "relations": [{"subject",
    /// "predicate", "object", "start", "end"}]}`, offsets in bytes (end exclusive), `subject` and
    /// `object` indexes into `entities`.
    pub fn to_json(&self, text: &str) -> serde_json::Value {
        serde_json::json!({
            "entities": self.entities.iter().map(|e| serde_json::json!({
                "text": e.text(text),
                "type": e.kind.name(),
                "start": e.start,
                "end": e.end,
                "normalized": e.normalized,
            })).collect::<Vec<_>>(),
            "relations": self.relations.iter().map(|r| serde_json::json!({
                "subject": r.subject,
                "predicate": r.predicate.name(),
                "object": r.object,
                "start": r.start,
                "end": r.end,
            })).collect::<Vec<_>>(),
        })
    }
}
