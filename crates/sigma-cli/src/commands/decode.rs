//! `sigma decode`: bytes (v1 or v2, detected) to the tree JSON form, the JSON document, or the
//! text of a text tree.

use crate::args::{Form, Input, Limits, Output};
use crate::io::{Failure, read_input, write_output};

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// What to print: the tree JSON form, the JSON document the tree maps to, or the text of a
    /// text tree (exactly, with no newline added).
    #[arg(long, value_enum, default_value_t = Form::Tree)]
    output: Form,
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
    let text = match args.output {
        Form::Tree => tree.to_tree_json() + "\n",
        Form::Json => tree.to_json_document().map_err(|e| Failure(format!("--output json: {e}")))? + "\n",
        Form::Text => sigma_text::to_text(&tree).map_err(|e| Failure(format!("--output text: {e}")))?,
    };
    write_output(args.to.output_file.as_deref(), text.as_bytes())
}
