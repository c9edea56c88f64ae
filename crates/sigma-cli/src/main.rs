//! `sigma`: encode, decode and inspect ΣLANG streams from the command line.
//!
//! **Layer 6.** Uses `sigma-codec` (and `sigma-tree` for the tree JSON form) and `sigma-text`; it
//! is the only crate that touches files, standard streams and exit codes.
//!
//! Conventions: `IN` defaults to standard input and `-o OUT` to standard output. On any error
//! `sigma` prints one line to standard error (with the byte offset for decode errors), exits with
//! code 1, and leaves `OUT` untouched: output goes to a temporary file beside it that is renamed
//! into place only on success.
//!
//! This file parses the command line and dispatches; `args.rs` holds the argument structs the
//! commands share, `io.rs` reading, writing and progress, `sniff.rs` the one place that tells
//! what an input holds, and `commands/` one module per command.

mod args;
mod commands;
mod io;
mod sniff;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::io::Failure;

#[derive(Parser, Debug)]
#[command(
    name = "sigma",
    version,
    about = "Encode, decode and inspect ΣLANG glyph streams; extract entities and relations from text; build knowledge graphs."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Encode one tree to bytes.
    Encode(commands::encode::Args),
    /// Decode bytes (format detected from the first byte) to a tree.
    Decode(commands::decode::Args),
    /// Print an annotated listing: header fields, each glyph with offset, type, primitive, value
    /// (for a session stream, each frame).
    Inspect(commands::inspect::Args),
    /// Encode JSON lines (one document per line) as one session stream, or decode one back.
    Stream {
        #[command(subcommand)]
        direction: commands::stream::Direction,
    },
    /// Learn a codebook from sample trees: JSON lines, JSON documents or tree JSON files.
    Train(commands::train::Args),
    /// Sizes and ratios: for JSON (one document, or JSON lines) what v1, v2 and a session stream
    /// would take; for ΣLANG bytes (v1, v2, session) what they hold.
    Stats(commands::stats::Args),
    /// Print the entities and relations of a text as one JSON object.
    Extract(commands::extract::Args),
    /// Build a knowledge graph from text files, or show one.
    Kg {
        #[command(subcommand)]
        action: commands::kg::Action,
    },
    /// A is to B as C is to ?: answered from the relations of a knowledge graph (`--kg`) or from
    /// word vectors (`--vectors`), with the evidence on request; refused, with the reason, where
    /// there is none.
    Analogy(commands::analogy::Args),
    /// A persistent bank of trees: add JSON documents, JSON lines, trees or text; search them by
    /// words and by shape; get them back exactly; remove them (ids never change).
    Bank {
        #[command(subcommand)]
        action: commands::bank::Action,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            return match e.print() {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::FAILURE,
            };
        }
        Err(e) => {
            let text = e.to_string();
            let mut lines = text.lines();
            let first = lines.next().unwrap_or("invalid arguments");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            // A line that ends in a colon announces what the next one lists.
            let first = match lines.next().map(str::trim) {
                Some(next) if first.ends_with(':') && !next.is_empty() => format!("{first} {next}"),
                _ => first.to_owned(),
            };
            return Failure(format!("{first} (see 'sigma --help')")).report();
        }
    };
    let result = match cli.command {
        Command::Encode(args) => commands::encode::run(args),
        Command::Decode(args) => commands::decode::run(args),
        Command::Inspect(args) => commands::inspect::run(args),
        Command::Stream { direction } => commands::stream::run(direction),
        Command::Train(args) => commands::train::run(args),
        Command::Stats(args) => commands::stats::run(args),
        Command::Extract(args) => commands::extract::run(args),
        Command::Kg { action } => commands::kg::run(action),
        Command::Analogy(args) => commands::analogy::run(args),
        Command::Bank { action } => commands::bank::run(action),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
