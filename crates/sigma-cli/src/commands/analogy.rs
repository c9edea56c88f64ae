//! `sigma analogy`: *A is to B as C is to ?*, answered from the evidence a knowledge graph holds,
//! or from word vectors the user gives.

use std::path::PathBuf;

use sigma_text::{AnalogyMethod, VectorFormat, WordVectors};

use crate::args::{Limits, Output};
use crate::io::{Failure, name, read_input, write_output};

#[derive(clap::Args, Debug)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["graph", "vectors"]))]
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
    /// Print `{"answer", "score", "path", "candidates": [[answer, score], …]}` (with
    /// `--explain`, also every path from A to B and the statements the answer rests on).
    #[arg(long)]
    json: bool,
    /// Print the evidence: the path followed, the statements it follows from A to B and from C
    /// to the answer (documents and byte spans), every path from A to B, the runners-up.
    #[arg(long)]
    explain: bool,
    /// A.
    #[arg(value_name = "A")]
    a: String,
    /// B.
    #[arg(value_name = "B")]
    b: String,
    /// C.
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
    let Some(path) = &args.graph else {
        return Err(Failure("give --kg KG or --vectors FILE".to_owned()));
    };
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
