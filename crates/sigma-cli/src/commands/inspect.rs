//! `sigma inspect`: the annotated listing of a stream (`sigma_codec::inspect`).

use crate::args::{CodebookFile, Input, Limits};
use crate::io::{Failure, load_codebook, read_input, write_output};

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    #[command(flatten)]
    codebook: CodebookFile,
    #[command(flatten)]
    limits: Limits,
    #[command(flatten)]
    from: Input,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let codebook = load_codebook(args.codebook.codebook.as_deref())?;
    let bytes = read_input(args.from.input_file.as_deref())?;
    let inspection = sigma_codec::inspect::inspect_with(&bytes, &args.limits.into(), codebook);
    // The listing goes out even when the stream is damaged: it shows what precedes the damage.
    write_output(None, inspection.listing.as_bytes())?;
    match inspection.error {
        None => Ok(()),
        Some(e) => Err(Failure(format!("inspect: {e}"))),
    }
}
