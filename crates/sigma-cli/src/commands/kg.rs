//! `sigma kg build` and `sigma kg show`: a knowledge graph from text files (one document each),
//! kept as v2 bytes, and shown as JSON.

use std::path::{Path, PathBuf};

use sigma_codec::Format;
use sigma_text::KnowledgeGraph;

use crate::args::{Limits, Output};
use crate::io::{Failure, name, note, read_input, read_text, write_output};

#[derive(clap::Subcommand, Debug)]
pub(crate) enum Action {
    /// Extract every text file (one document each) and merge what they name into one graph,
    /// written as v2 bytes.
    Build {
        #[command(flatten)]
        to: Output,
        /// Text files, one document each.
        #[arg(value_name = "IN", required = true)]
        input_files: Vec<PathBuf>,
    },
    /// Print a graph as JSON: the whole graph, or the entity NAME (any of its spellings) with its
    /// relations and the entities at their other ends (a JSON array if NAME names several, one
    /// of each type).
    Show {
        #[command(flatten)]
        limits: Limits,
        #[command(flatten)]
        to: Output,
        /// A graph written by `sigma kg build`.
        #[arg(value_name = "KG")]
        graph: PathBuf,
        /// The entity to show.
        #[arg(value_name = "NAME")]
        name: Option<String>,
    },
}

pub(crate) fn run(action: Action) -> Result<(), Failure> {
    match action {
        Action::Build { to, input_files } => {
            let mut graph = KnowledgeGraph::new();
            for file in &input_files {
                let text = read_text(Some(file))?;
                graph.add_text(&name(Some(file)), &text);
            }
            let tree = graph.to_tree().map_err(|e| Failure(format!("graph: {e}")))?;
            let bytes = sigma_codec::encode(&tree, Format::V2).map_err(Failure::during("encode"))?;
            write_output(to.output_file.as_deref(), &bytes)?;
            if to.output_file.is_some() {
                note(&format!(
                    "{} documents: {} entities, {} relations",
                    graph.documents().len(),
                    graph.entity_count(),
                    graph.relation_count()
                ));
            }
            Ok(())
        }
        Action::Show { limits, to, graph, name: entity } => {
            let file = name(Some(&graph));
            let graph = load(&graph, limits)?;
            let json = match entity {
                None => graph.to_json(),
                Some(entity) => {
                    let found = graph.find(&entity);
                    match found.as_slice() {
                        [] => return Err(Failure(format!("{file}: no entity named {entity:?}"))),
                        [one] => graph.entity_to_json(*one),
                        several => several.iter().map(|id| graph.entity_to_json(*id)).collect(),
                    }
                }
            };
            write_output(to.output_file.as_deref(), (json.to_string() + "\n").as_bytes())
        }
    }
}

/// A graph written by `sigma kg build`, read under `limits`.
pub(crate) fn load(path: &Path, limits: Limits) -> Result<KnowledgeGraph, Failure> {
    let file = name(Some(path));
    let bytes = read_input(Some(path))?;
    let format = sigma_codec::detect(&bytes).map_err(Failure::during(&file))?;
    if format != Format::V2 {
        return Err(Failure(format!("{file}: {} bytes, not a graph (v2)", format.name())));
    }
    let tree = sigma_codec::decode_with_limits(&bytes, &limits.into()).map_err(Failure::during(&file))?;
    KnowledgeGraph::from_tree(&tree).map_err(|e| Failure(format!("{file}: {e}")))
}
