//! `sigma analogy`: *A is to B as C is to ?*, answered from the evidence a knowledge graph holds,
//! from word vectors the user gives, or, for three trees, by making to C the edit that turns A
//! into B.

use std::path::PathBuf;

use std::path::Path;

use sigma_codec::Tree;
use sigma_text::{AnalogyMethod, VectorFormat, WordVectors};

use crate::args::{Limits, Output};
use crate::io::{Failure, name, read_input, write_output};
use crate::sniff::{Input, sniff};

/// How a structural analogy prints its answer.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub(crate) enum Shown {
    /// The JSON document (when the answer is one).
    Json,
    /// The tree JSON form.
    Tree,
}

#[derive(clap::Args, Debug)]
#[command(group = clap::ArgGroup::new("source").args(["graph", "vectors"]))]
pub(crate) struct Args {
    #[command(flatten)]
    limits: Limits,
    #[command(flatten)]
    to: Output,
    /// A knowledge graph written by `sigma kg build`: A, B and C are names of its entities, and
    /// the answer follows the relations that join A and B.
    #[arg(long = "kg", value_name = "KG")]
    graph: Option<PathBuf>,
    /// Word vectors (word2vec binary or text, GloVe, fastText `.vec`): A, B and C are words, and
    /// the answer is the word the method scores highest, the three excluded.
    #[arg(long, value_name = "FILE")]
    vectors: Option<PathBuf>,
    /// The vectors' format, if not the one their first bytes show.
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    vectors_format: Option<VectorFormat>,
    /// How vector analogies are scored: 3cosadd or 3cosmul.
    #[arg(long, value_name = "METHOD", default_value = "3cosadd", value_parser = parse_method)]
    method: AnalogyMethod,
    /// How many candidates vector analogies list (the answer included).
    #[arg(short = 'k', value_name = "N", default_value_t = 10)]
    k: usize,
    /// Three trees (without --kg or --vectors): how to print D, the answer.
    #[arg(long, value_name = "FORM", default_value = "json")]
    output: Shown,
    /// Print `{"answer", "score", "path", "candidates": [[answer, score], …]}` (with
    /// `--explain`, also every path from A to B and the statements the answer rests on), or for
    /// vectors `{"answer", "score", "method", "candidates"}`.
    #[arg(long)]
    json: bool,
    /// Print the evidence: the path followed, the statements it follows from A to B and from C
    /// to the answer (documents and byte spans), every path from A to B, the runners-up; for
    /// vectors the method and the runners-up; for trees the edit, one change per line, before D.
    #[arg(long)]
    explain: bool,
    /// A: a name (--kg), a word (--vectors), or a file (three trees: a JSON document, a tree in
    /// tree JSON form, or ΣLANG bytes).
    #[arg(value_name = "A")]
    a: String,
    /// B, as A.
    #[arg(value_name = "B")]
    b: String,
    /// C, as A.
    #[arg(value_name = "C")]
    c: String,
}

fn parse_format(name: &str) -> Result<VectorFormat, String> {
    VectorFormat::from_name(name)
        .ok_or_else(|| format!("{name:?} is not word2vec, word2vec-text, fasttext or glove"))
}

fn parse_method(name: &str) -> Result<AnalogyMethod, String> {
    AnalogyMethod::from_name(name).ok_or_else(|| format!("{name:?} is not 3cosadd or 3cosmul"))
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    if let Some(path) = &args.vectors {
        let file = name(Some(path));
        let bytes = read_input(Some(path))?;
        let vectors = WordVectors::from_bytes(&bytes, args.vectors_format)
            .map_err(|e| Failure(format!("{file}: {e}")))?;
        let found = vectors
            .analogy(&args.a, &args.b, &args.c, args.method, args.k)
            .map_err(|e| Failure(format!("{file}: {e}")))?;
        let text = if args.json {
            found.to_json().to_string() + "\n"
        } else if args.explain {
            found.explain(&args.a, &args.b, &args.c).join("\n") + "\n"
        } else {
            format!("{}\n", found.answer.word)
        };
        return write_output(args.to.output_file.as_deref(), text.as_bytes());
    }
    let Some(path) = &args.graph else { return structural(&args) };
    let file = name(Some(path));
    let graph = super::kg::load(path, args.limits)?;
    let found = graph.analogy(&args.a, &args.b, &args.c).map_err(|e| Failure(format!("{file}: {e}")))?;
    let text = if args.json {
        found.to_json(&graph, args.explain).to_string() + "\n"
    } else if args.explain {
        found.explain(&graph).join("\n") + "\n"
    } else {
        format!("{}\n", found.answer.name)
    };
    write_output(args.to.output_file.as_deref(), text.as_bytes())
}

/// A tree from a file: ΣLANG bytes (read under `limits`), a tree in tree JSON form, or a JSON
/// document.
fn read_tree(path: &Path, limits: &Limits) -> Result<Tree, Failure> {
    let file = name(Some(path));
    match sniff(&file, read_input(Some(path))?)? {
        Input::Sigma(_, bytes) => {
            sigma_codec::decode_with_limits(&bytes, &(*limits).into()).map_err(Failure::during(&file))
        }
        Input::Json(json) => {
            Tree::from_tree_json(json.text()).or_else(|_| Tree::from_json_document(json.text())).map_err(
                |e| Failure(format!("{file}: neither a tree in tree JSON form nor a JSON document: {e}")),
            )
        }
    }
}

/// Three trees: the edit that turns A into B, made to C.
fn structural(args: &Args) -> Result<(), Failure> {
    let [a, b, c] = [&args.a, &args.b, &args.c].map(|f| read_tree(Path::new(f), &args.limits));
    let (a, b, c) = (a?, b?, c?);
    let transform = sigma_delta::learn(&a, &b).map_err(|e| Failure(e.to_string()))?;
    let d = transform.apply(&c).map_err(|e| Failure(e.to_string()))?;
    let mut text = String::new();
    if args.explain {
        for line in transform.explain() {
            text.push_str(&line);
            text.push('\n');
        }
    }
    match args.output {
        Shown::Json => text.push_str(&d.to_json_document().map_err(|e| {
            Failure(format!("the answer is no JSON document ({e}); print it with --output tree"))
        })?),
        Shown::Tree => text.push_str(&d.to_tree_json()),
    }
    text.push('\n');
    write_output(args.to.output_file.as_deref(), text.as_bytes())
}
