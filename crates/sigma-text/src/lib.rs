//! Text as ΣLANG trees, losslessly, with the entities and relations found in it.
//!
//! WORK IN PROGRESS: the public API is settling.

#![warn(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod entities;
mod gazetteer;
mod patterns;
mod relations;
mod segment;
mod types;

pub use types::{Entity, EntityType, Extraction, Predicate, Relation};

/// Finds the entities and relations of `text`.
pub fn extract(text: &str) -> Extraction {
    let mut memory = entities::Memory::default();
    let mut extraction = Extraction::default();
    for sentence in segment::sentences(text) {
        let found = entities::sentence_entities(text, sentence.clone(), &mut memory);
        let offset = extraction.entities.len();
        let relations = relations::sentence_relations(text, sentence, &found);
        extraction.relations.extend(relations.into_iter().map(|mut r| {
            r.subject += offset;
            r.object += offset;
            r
        }));
        extraction.entities.extend(found);
    }
    extraction
}
