//! `sigma encode`: one tree (tree JSON form, any JSON document, or text as a text tree) to v1 or
//! v2 bytes (plain or compact).

use sigma_codec::Tree;

use crate::args::{Form, FormatArg, Input, Output};
use crate::io::{Failure, read_text, write_output};

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Wire format to write.
    #[arg(long, value_enum, default_value_t = FormatArg::V2)]
    format: FormatArg,
    /// Write v2's compact variant: values that repeat name an earlier one, text shares the
    /// previous text value's start, numbers take half a byte a character.
    #[arg(long)]
    compact: bool,
    /// What the input is: a tree in tree JSON form, any JSON document, or text.
    #[arg(long, value_enum, default_value_t = Form::Tree)]
    input: Form,
    #[command(flatten)]
    output: Output,
    #[command(flatten)]
    from: Input,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let text = read_text(args.from.input_file.as_deref())?;
    let tree = match args.input {
        Form::Tree => Tree::from_tree_json(&text).map_err(|e| Failure(format!("tree JSON: {e}")))?,
        Form::Json => Tree::from_json_document(&text).map_err(|e| Failure(format!("JSON: {e}")))?,
        Form::Text => sigma_text::parse(&text).map_err(|e| Failure(format!("text: {e}")))?,
    };
    let bytes = match (args.format, args.compact) {
        (FormatArg::V2, true) => sigma_codec::v2::encode_compact(&tree),
        (FormatArg::V1, true) => {
            return Err(Failure("--compact is a variant of v2 (add --format v2)".to_owned()));
        }
        (format, false) => sigma_codec::encode(&tree, format.into()),
    }
    .map_err(Failure::during("encode"))?;
    write_output(args.output.output_file.as_deref(), &bytes)
}
