//! `sigma decode`: bytes (v1 or v2, detected) to the tree JSON form or the JSON document.

use crate::args::{Input, Limits, Output, TreeText};
use crate::io::{Failure, read_input, write_output};

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// What to print: the tree JSON form, or the JSON document the tree maps to.
    #[arg(long, value_enum, default_value_t = TreeText::Tree)]
    output: TreeText,
    #[command(flatten)]
    limits: Limits,
    #[command(flatten)]
    to: Output,
    #[command(flatten)]
    from: Input,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let bytes = read_input(args.from.input_file.as_deref())?;
    let tree =
        sigma_codec::decode_with_limits(&bytes, &args.limits.into()).map_err(Failure::during("decode"))?;
    let mut text = match args.output {
        TreeText::Tree => tree.to_tree_json(),
        TreeText::Json => tree.to_json_document().map_err(|e| Failure(format!("--output json: {e}")))?,
    };
    text.push('\n');
    write_output(args.to.output_file.as_deref(), text.as_bytes())
}
