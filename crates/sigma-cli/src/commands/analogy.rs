//! `sigma analogy`: *A is to B as C is to ?*, answered from the evidence a knowledge graph holds.

use std::path::PathBuf;

use crate::args::{Limits, Output};
use crate::io::{Failure, name, write_output};

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    #[command(flatten)]
    limits: Limits,
    #[command(flatten)]
    to: Output,
    /// A knowledge graph written by `sigma kg build`: A, B and C are names of its entities, and
    /// the answer follows the relations that join A and B.
    #[arg(long = "kg", value_name = "KG", required = true)]
    graph: PathBuf,
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

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let file = name(Some(&args.graph));
    let graph = super::kg::load(&args.graph, args.limits)?;
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
