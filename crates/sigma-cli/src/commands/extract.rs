//! `sigma extract`: the entities and relations of a text, as one JSON object.

use crate::args::{Input, Output};
use crate::io::{Failure, read_text, write_output};

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    #[command(flatten)]
    to: Output,
    #[command(flatten)]
    from: Input,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let text = read_text(args.from.input_file.as_deref())?;
    let json = sigma_text::extract(&text).to_json(&text).to_string() + "\n";
    write_output(args.to.output_file.as_deref(), json.as_bytes())
}
