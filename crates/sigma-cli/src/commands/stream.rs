//! `sigma stream encode|decode`: JSON lines to one session stream and back.

use sigma_codec::session::{SessionConfig, SessionDecoder, SessionEncoder};

use crate::args::{CodebookFile, CodingArg, Context, Input, Limits, Output, TreeText};
use crate::io::{Failure, Progress, load_codebook, name, read_input, read_text, write_output};
use crate::sniff::JsonText;

#[derive(clap::Subcommand, Debug)]
pub(crate) enum Direction {
    /// JSON lines → one session stream.
    Encode(EncodeArgs),
    /// One session stream → JSON lines.
    Decode(DecodeArgs),
}

#[derive(clap::Args, Debug)]
pub(crate) struct EncodeArgs {
    #[command(flatten)]
    codebook: CodebookFile,
    /// How frame bodies are sent: through the session's zstd stream (fast and small), its byte
    /// model (`modeled` or `max`: smallest, 1.5 to 19 times slower), or plain (largest). The
    /// stream header records it.
    #[arg(long, value_enum, default_value_t = CodingArg::Zstd)]
    coding: CodingArg,
    #[command(flatten)]
    context: Context,
    #[command(flatten)]
    to: Output,
    #[command(flatten)]
    from: Input,
}

#[derive(clap::Args, Debug)]
pub(crate) struct DecodeArgs {
    #[command(flatten)]
    codebook: CodebookFile,
    /// What to print per message: the JSON document, or the tree JSON form.
    #[arg(long, value_enum, default_value_t = TreeText::Json)]
    output: TreeText,
    #[command(flatten)]
    limits: Limits,
    #[command(flatten)]
    to: Output,
    #[command(flatten)]
    from: Input,
}

pub(crate) fn run(direction: Direction) -> Result<(), Failure> {
    match direction {
        Direction::Encode(args) => encode(args),
        Direction::Decode(args) => decode(args),
    }
}

fn encode(args: EncodeArgs) -> Result<(), Failure> {
    let config = SessionConfig { context: args.context.into(), coding: args.coding.into() };
    let codebook = load_codebook(args.codebook.codebook.as_deref())?;
    let input = args.from.input_file.as_deref();
    let text = JsonText::new(&name(input), read_text(input)?);
    let mut encoder = SessionEncoder::with_codebook(config, codebook);
    let mut bytes = Vec::new();
    encoder.write_header(&mut bytes).map_err(Failure::during("stream"))?;
    let mut progress = Progress::new("encoding message", text.text().lines().count());
    for (number, tree) in text.lines() {
        progress.update(number);
        encoder.encode_into(&tree?, &mut bytes).map_err(Failure::during(format!("line {number}")))?;
    }
    progress.finish();
    write_output(args.to.output_file.as_deref(), &bytes)
}

fn decode(args: DecodeArgs) -> Result<(), Failure> {
    let codebook = load_codebook(args.codebook.codebook.as_deref())?;
    let bytes = read_input(args.from.input_file.as_deref())?;
    let mut decoder =
        SessionDecoder::new(&bytes, args.limits.into(), codebook).map_err(Failure::during("stream"))?;
    let mut text = String::new();
    for frame in decoder.frames(&bytes) {
        let frame = frame.map_err(Failure::during("stream"))?;
        match args.output {
            TreeText::Json => frame
                .tree
                .write_json_document(&mut text)
                .map_err(|e| Failure(format!("message {}: --output json: {e}", frame.seq)))?,
            TreeText::Tree => frame.tree.write_tree_json(&mut text),
        }
        text.push('\n');
    }
    write_output(args.to.output_file.as_deref(), text.as_bytes())
}
