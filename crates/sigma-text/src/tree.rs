//! Text as a ΣLANG tree, and back. The mapping (also in `docs/TEXT.md`):
//!
//! ```text
//! BLOCK                                  the document (no value)
//!   STATEMENT | QUERY                    a sentence; QUERY if it ends in `?` (no value)
//!     STRING "text"                      text that names nothing, exactly as written
//!     AGENT | GROUP | LOCATION | TEMPORAL | QUANTITY | REFERENCE "text"
//!                                        an entity, its text exactly as written:
//!                                        person, organisation, place, date or time, amount,
//!                                        address
//!       CATEGORY "TIME" | "MONEY" | "PERCENT" | "EMAIL"
//!                                        which of its primitive's kinds, when not the first
//!                                        (TEMPORAL: DATE, TIME; QUANTITY: QUANTITY, MONEY,
//!                                        PERCENT; REFERENCE: URL, EMAIL)
//!       ATTRIBUTE "normal form"          when it differs from the one its text gives by rule
//!                                        (see `normal_form`: dates, times, money and
//!                                        percentages by their patterns, places' short forms)
//!     RELATION "PREDICATE s o [start end]"
//!                                        a relation between the sentence's s-th and o-th
//!                                        entities; its evidence from byte `start` to `end` of
//!                                        the sentence, given only when it is not the span from
//!                                        one entity to the other
//! ```
//!
//! The text is the concatenation of the values of a sentence's STRING and entity nodes, in
//! order, sentence after sentence: nothing is dropped, so every UTF-8 string comes back exactly.
//! A node per sentence, run, entity, detail and relation: the count grows linearly with the text.

use sigma_primitives::Primitive;
use sigma_tree::{NodeRef, Tree, TreeBuilder};

use crate::types::{Entity, EntityType, Extraction, Predicate, Relation};
use crate::{TextError, TreeFault, extract_sentences};
use crate::{patterns, segment};

/// A text read back from its tree: the text and what its tree says was found in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    /// The text, exactly.
    pub text: String,
    /// Its entities and relations, as the tree holds them.
    pub extraction: Extraction,
}

/// The primitive of an entity type and the category that tells it from the others of that
/// primitive (`None` for the first of them).
pub(crate) fn primitive_of(kind: EntityType) -> (Primitive, Option<&'static str>) {
    match kind {
        EntityType::Person => (Primitive::AGENT, None),
        EntityType::Organization => (Primitive::GROUP, None),
        EntityType::Location => (Primitive::LOCATION, None),
        EntityType::Date => (Primitive::TEMPORAL, None),
        EntityType::Time => (Primitive::TEMPORAL, Some("TIME")),
        EntityType::Quantity => (Primitive::QUANTITY, None),
        EntityType::Money => (Primitive::QUANTITY, Some("MONEY")),
        EntityType::Percent => (Primitive::QUANTITY, Some("PERCENT")),
        EntityType::Url => (Primitive::REFERENCE, None),
        EntityType::Email => (Primitive::REFERENCE, Some("EMAIL")),
    }
}

/// The entity type of a primitive and category, if they name one.
fn kind_of(primitive: Primitive, category: Option<&str>) -> Option<EntityType> {
    EntityType::ALL.into_iter().find(|&kind| primitive_of(kind) == (primitive, category))
}

/// `text` as a tree: its sentences, entities and relations (see the module documentation).
///
/// # Errors
/// [`TextError::TooLarge`] when the text is beyond what one tree holds (4 GiB of values, 2^32
/// nodes).
pub fn parse(text: &str) -> Result<Tree, TextError> {
    let mut builder = TreeBuilder::with_capacity(text.len() / 16 + 2, text.len() + text.len() / 8);
    builder.open(Primitive::BLOCK, None)?;
    for sentence in extract_sentences(text) {
        let body = text.get(sentence.range.clone()).unwrap_or_default();
        let primitive = if segment::is_question(body) { Primitive::QUERY } else { Primitive::STATEMENT };
        builder.open(primitive, None)?;
        let mut at = sentence.range.start;
        for entity in &sentence.entities {
            if entity.start > at {
                builder.leaf(Primitive::STRING, text.get(at..entity.start))?;
            }
            let surface = entity.text(text);
            let (primitive, category) = primitive_of(entity.kind);
            let normalized = (entity.normalized != patterns::normal_form(entity.kind, surface))
                .then_some(entity.normalized.as_str());
            if category.is_none() && normalized.is_none() {
                builder.leaf(primitive, Some(surface))?;
            } else {
                builder.open(primitive, Some(surface))?;
                if let Some(category) = category {
                    builder.leaf(Primitive::CATEGORY, Some(category))?;
                }
                if let Some(normalized) = normalized {
                    builder.leaf(Primitive::ATTRIBUTE, Some(normalized))?;
                }
                builder.close()?;
            }
            at = entity.end;
        }
        if sentence.range.end > at {
            builder.leaf(Primitive::STRING, text.get(at..sentence.range.end))?;
        }
        for r in &sentence.relations {
            let (Some(s), Some(o)) = (sentence.entities.get(r.subject), sentence.entities.get(r.object))
            else {
                debug_assert!(false, "a relation's ends are entities of its sentence");
                continue;
            };
            // The evidence is written only when it is not the span from one end to the other.
            let mut value = format!("{} {} {}", r.predicate.name(), r.subject, r.object);
            if (r.start, r.end) != (s.start.min(o.start), s.end.max(o.end)) {
                value.push_str(&format!(
                    " {} {}",
                    r.start - sentence.range.start,
                    r.end - sentence.range.start
                ));
            }
            builder.leaf(Primitive::RELATION, Some(&value))?;
        }
        builder.close()?;
    }
    builder.close()?;
    Ok(builder.finish()?)
}

/// The text a text tree holds, exactly as it was given to [`parse`].
///
/// # Errors
/// [`TextError::NotATextTree`] naming the first node that does not fit the mapping.
pub fn to_text(tree: &Tree) -> Result<String, TextError> {
    read(tree).map(|document| document.text)
}

/// The text a text tree holds and the entities and relations it records, without extracting
/// them again.
///
/// # Errors
/// [`TextError::NotATextTree`] naming the first node that does not fit the mapping.
pub fn read(tree: &Tree) -> Result<Document, TextError> {
    let fault = |node: &NodeRef<'_>, fault: TreeFault| TextError::NotATextTree { node: node.index(), fault };
    let root = tree.root().ok_or(TextError::NotATextTree { node: 0, fault: TreeFault::Empty })?;
    if root.primitive() != Primitive::BLOCK || root.has_value() {
        return Err(fault(&root, TreeFault::Root { found: root.primitive() }));
    }
    let mut document =
        Document { text: String::with_capacity(tree.value_bytes()), extraction: Extraction::default() };
    for sentence in root.children() {
        if !matches!(sentence.primitive(), Primitive::STATEMENT | Primitive::QUERY) || sentence.has_value() {
            return Err(fault(&sentence, TreeFault::Sentence { found: sentence.primitive() }));
        }
        let sentence_start = document.text.len();
        let first_entity = document.extraction.entities.len();
        for piece in sentence.children() {
            let primitive = piece.primitive();
            if primitive == Primitive::RELATION {
                let relation =
                    relation(piece.value().unwrap_or_default(), sentence_start, first_entity, &document)
                        .ok_or_else(|| fault(&piece, TreeFault::Relation))?;
                document.extraction.relations.push(relation);
                continue;
            }
            let value =
                piece.value().ok_or_else(|| fault(&piece, TreeFault::MissingValue { found: primitive }))?;
            if primitive == Primitive::STRING {
                if piece.has_children() {
                    return Err(fault(&piece, TreeFault::Children { found: primitive }));
                }
                document.text.push_str(value);
                continue;
            }
            let mut category = None;
            let mut normalized = None;
            for detail in piece.children() {
                let slot = match detail.primitive() {
                    Primitive::CATEGORY if category.is_none() && normalized.is_none() => &mut category,
                    Primitive::ATTRIBUTE if normalized.is_none() => &mut normalized,
                    found => return Err(fault(&detail, TreeFault::Detail { found })),
                };
                if detail.has_children() {
                    return Err(fault(&detail, TreeFault::Children { found: detail.primitive() }));
                }
                *slot =
                    Some(detail.value().ok_or_else(|| {
                        fault(&detail, TreeFault::MissingValue { found: detail.primitive() })
                    })?);
            }
            let kind = kind_of(primitive, category)
                .ok_or_else(|| fault(&piece, TreeFault::Piece { found: primitive }))?;
            let start = document.text.len();
            document.text.push_str(value);
            document.extraction.entities.push(Entity {
                start,
                end: document.text.len(),
                kind,
                normalized: normalized.map_or_else(|| patterns::normal_form(kind, value), str::to_owned),
            });
        }
    }
    Ok(document)
}

/// A RELATION node's value, `PREDICATE s o [start end]`, as a relation of the document read so
/// far; `None` unless both ends are entities of this sentence of the types the predicate allows
/// and the evidence (by default the span from one end to the other) lies inside the text read.
fn relation(
    value: &str,
    sentence_start: usize,
    first_entity: usize,
    document: &Document,
) -> Option<Relation> {
    let mut parts = value.split(' ');
    let predicate = Predicate::from_name(parts.next()?)?;
    let numbers: Vec<usize> = parts.map(|p| p.parse::<usize>().ok()).collect::<Option<_>>()?;
    let (s, o, evidence) = match numbers.as_slice() {
        [s, o] => (*s, *o, None),
        [s, o, start, end] => (*s, *o, Some((*start, *end))),
        _ => return None,
    };
    let subject = first_entity.checked_add(s)?;
    let object = first_entity.checked_add(o)?;
    let entities = &document.extraction.entities;
    let (a, b) = (entities.get(subject)?, entities.get(object)?);
    let (start, end) = match evidence {
        Some((start, end)) => (sentence_start.checked_add(start)?, sentence_start.checked_add(end)?),
        None => (a.start.min(b.start), a.end.max(b.end)),
    };
    let fits =
        subject != object && predicate.allows(a.kind, b.kind) && start <= end && end <= document.text.len();
    fits.then_some(Relation { subject, predicate, object, start, end })
}
