//! `sigma train`: learn a codebook from sample trees.

use sigma_codec::codebook::Codebook;

use crate::args::{Inputs, Output};
use crate::io::{Failure, name, note, read_input, write_output};
use crate::sniff::{Input, sniff};

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The most patterns to learn (at most 128).
    #[arg(long, value_name = "N", default_value_t = 128)]
    max_patterns: usize,
    #[command(flatten)]
    to: Output,
    #[command(flatten)]
    from: Inputs,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let mut trees = Vec::new();
    for file in args.from.each() {
        let name = name(file);
        match sniff(&name, read_input(file)?)? {
            Input::Json(text) => trees.extend(text.samples()?),
            Input::Sigma(format, _) => {
                return Err(Failure(format!("{name}: {} bytes, not sample trees in JSON", format.name())));
            }
        }
    }
    let codebook = Codebook::train(&trees, args.max_patterns).map_err(Failure::during("train"))?;
    write_output(args.to.output_file.as_deref(), &codebook.to_bytes())?;
    if args.to.output_file.is_some() {
        note(&format!(
            "learned {} patterns from {} samples (codebook hash {:016x})",
            codebook.patterns().len(),
            trees.len(),
            codebook.hash()
        ));
    }
    Ok(())
}
