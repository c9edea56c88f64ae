//! `sigma encode`: one tree (tree JSON form, or any JSON document) to v1 or v2 bytes.

use sigma_codec::Tree;

use crate::args::{FormatArg, Input, Output, TreeText};
use crate::io::{Failure, read_text, write_output};

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Wire format to write.
    #[arg(long, value_enum, default_value_t = FormatArg::V2)]
    format: FormatArg,
    /// What the input is: a tree in tree JSON form, or any JSON document.
    #[arg(long, value_enum, default_value_t = TreeText::Tree)]
    input: TreeText,
    #[command(flatten)]
    output: Output,
    #[command(flatten)]
    from: Input,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let text = read_text(args.from.input_file.as_deref())?;
    let tree = match args.input {
        TreeText::Tree => Tree::from_tree_json(&text).map_err(|e| Failure(format!("tree JSON: {e}")))?,
        TreeText::Json => Tree::from_json_document(&text).map_err(|e| Failure(format!("JSON: {e}")))?,
    };
    let bytes = sigma_codec::encode(&tree, args.format.into()).map_err(Failure::during("encode"))?;
    write_output(args.output.output_file.as_deref(), &bytes)
}
