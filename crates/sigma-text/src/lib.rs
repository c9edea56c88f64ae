//! Text as ΣLANG trees, losslessly, with the entities and relations found in it.
//!
//! - [`parse`] turns any UTF-8 text into a tree of sentences, plain runs and entities, with the
//!   relations found between them; [`to_text`] gives the exact text back and [`read`] the text
//!   with what was found, from the tree alone.
//! - [`extract`] finds entities (people, organisations, places, dates, times, amounts of money,
//!   percentages, quantities, e-mail addresses and URLs) with their byte spans and normal forms,
//!   and relations between them (who works for, leads or founded what, who was born where, what
//!   lies where, …), each with the span of text that states it.
//!
//! Extraction is rules and lists, not a statistical model: names are found by evidence (the
//! gazetteers compiled in from `data/`, words of the name such as `Inc.` or `University`, titles,
//! the words around a name, and what the same text said before), relations by patterns over a
//! sentence whose entities stand in as markers. It is deterministic, and what it cannot support
//! with evidence it leaves out. Its quality on a gold set written for the project is printed by
//! `cargo test -p sigma-text --test gold -- --nocapture`.
//!
//! ```
//! let text = "Marie Curie was born in Warsaw and later worked at the University of Paris.";
//! let found = sigma_text::extract(text);
//! let names: Vec<_> = found.entities.iter().map(|e| (e.text(text), e.kind.name())).collect();
//! assert_eq!(names, [("Marie Curie", "PERSON"), ("Warsaw", "LOCATION"), ("University of Paris", "ORGANIZATION")]);
//! let relations: Vec<_> = found.relations.iter().map(|r| r.predicate.name()).collect();
//! assert_eq!(relations, ["BORN_IN", "WORKS_FOR"]);
//!
//! let tree = sigma_text::parse(text)?;
//! assert_eq!(sigma_text::to_text(&tree)?, text);
//! # Ok::<(), sigma_text::TextError>(())
//! ```

#![warn(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod analogy;
mod entities;
mod error;
mod gazetteer;
mod graph;
mod patterns;
mod relations;
mod segment;
mod tree;
mod types;
mod vectors;

use std::ops::Range;

pub use analogy::{Candidate, RelationPath, RelationalAnalogy, Statement, Step};
pub use error::{AnalogyError, GraphFault, Position, Term, TextError, TreeFault, VectorError, VectorFault};
pub use graph::{EntityId, Evidence, GraphEntity, GraphRelation, KnowledgeGraph, entity_key};
pub use tree::{Document, parse, read, to_text};
pub use types::{Entity, EntityType, Extraction, Predicate, Relation};
pub use vectors::{AnalogyMethod, VectorAnalogy, VectorFormat, WordCandidate, WordVectors};

/// What one sentence holds: its byte range in the text, its entities (offsets into the whole
/// text) and its relations (subject and object index its own entities; evidence offsets into the
/// whole text).
pub(crate) struct SentenceExtraction {
    pub(crate) range: Range<usize>,
    pub(crate) entities: Vec<Entity>,
    pub(crate) relations: Vec<Relation>,
}

/// Each sentence of `text` with what it names, in order; the ranges cover the text exactly.
pub(crate) fn extract_sentences(text: &str) -> Vec<SentenceExtraction> {
    let mut memory = entities::Memory::default();
    // Patterns and places are found in one pass over the whole text; each sentence takes those
    // that lie inside it.
    let mut found = patterns::find(text).into_iter().peekable();
    let places = gazetteer::gazetteers().places_in(text);
    let mut place_at = 0;
    segment::sentences(text)
        .into_iter()
        .map(|range| {
            let mut inside = Vec::new();
            while let Some(f) = found.next_if(|f| f.start < range.end) {
                if f.end <= range.end {
                    inside.push(f);
                }
            }
            let first_place = place_at;
            while places.get(place_at).is_some_and(|p| p.start < range.end) {
                place_at += 1;
            }
            let sentence_places: Vec<_> = places
                .get(first_place..place_at)
                .unwrap_or_default()
                .iter()
                .filter(|p| p.end <= range.end)
                .copied()
                .collect();
            let entities =
                entities::sentence_entities(text, range.clone(), inside, &sentence_places, &mut memory);
            let relations = relations::sentence_relations(text, range.clone(), &entities);
            SentenceExtraction { range, entities, relations }
        })
        .collect()
}

/// Finds the entities and relations of `text`.
pub fn extract(text: &str) -> Extraction {
    let mut extraction = Extraction::default();
    for sentence in extract_sentences(text) {
        let offset = extraction.entities.len();
        extraction.relations.extend(sentence.relations.into_iter().map(|mut r| {
            r.subject += offset;
            r.object += offset;
            r
        }));
        extraction.entities.extend(sentence.entities);
    }
    extraction
}
