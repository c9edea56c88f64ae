//! Arguments several commands share, flattened into each: the input file, `-o`, decode limits,
//! a codebook, the session context options, and the value enums.

use std::path::PathBuf;

use clap::ValueEnum;
use sigma_codec::DecodeLimits;
use sigma_codec::session::{BodyCoding, ContextConfig};

/// One input: a file, or standard input.
#[derive(clap::Args, Debug)]
pub(crate) struct Input {
    /// Read from this file instead of standard input.
    #[arg(value_name = "IN")]
    pub(crate) input_file: Option<PathBuf>,
}

/// Several inputs: files, or standard input if none.
#[derive(clap::Args, Debug)]
pub(crate) struct Inputs {
    /// Files to read (standard input if none).
    #[arg(value_name = "IN")]
    pub(crate) input_files: Vec<PathBuf>,
}

impl Inputs {
    /// Each input: the files, or standard input (`None`) if there are none.
    pub(crate) fn each(&self) -> Vec<Option<&std::path::Path>> {
        if self.input_files.is_empty() {
            vec![None]
        } else {
            self.input_files.iter().map(|f| Some(f.as_path())).collect()
        }
    }
}

/// Where the output goes.
#[derive(clap::Args, Debug)]
pub(crate) struct Output {
    /// Write here instead of standard output.
    #[arg(short = 'o', long = "output-file", value_name = "OUT")]
    pub(crate) output_file: Option<PathBuf>,
}

/// The codebook a session stream was (or will be) encoded with.
#[derive(clap::Args, Debug)]
pub(crate) struct CodebookFile {
    /// A codebook learned by `sigma train` (decoding needs the one the stream was encoded with).
    #[arg(long, value_name = "F")]
    pub(crate) codebook: Option<PathBuf>,
}

/// Decode limits (defaults in `sigma_codec::DecodeLimits`).
#[derive(clap::Args, Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Refuse inputs longer than this many bytes.
    #[arg(long, value_name = "N", default_value_t = DecodeLimits::DEFAULT.max_bytes)]
    max_bytes: u64,
    /// Refuse trees with more nodes than this.
    #[arg(long, value_name = "N", default_value_t = DecodeLimits::DEFAULT.max_nodes)]
    max_nodes: u64,
    /// Refuse trees deeper than this many levels.
    #[arg(long, value_name = "N", default_value_t = DecodeLimits::DEFAULT.max_depth)]
    max_depth: u64,
    /// Refuse values longer than this many bytes.
    #[arg(long, value_name = "N", default_value_t = DecodeLimits::DEFAULT.max_value_bytes)]
    max_value_bytes: u64,
    /// Refuse trees whose values come to more than this many bytes in all (compact v2 only: its
    /// values may repeat earlier ones).
    #[arg(long, value_name = "N", default_value_t = DecodeLimits::DEFAULT.max_total_value_bytes)]
    max_total_value_bytes: u64,
    /// Refuse session streams whose body coding would hold more memory than this many bytes.
    #[arg(long, value_name = "N", default_value_t = DecodeLimits::DEFAULT.max_session_memory)]
    max_session_memory: u64,
}

impl From<Limits> for DecodeLimits {
    fn from(args: Limits) -> DecodeLimits {
        DecodeLimits {
            max_bytes: args.max_bytes,
            max_nodes: args.max_nodes,
            max_depth: args.max_depth,
            max_value_bytes: args.max_value_bytes,
            max_total_value_bytes: args.max_total_value_bytes,
            max_session_memory: args.max_session_memory,
        }
    }
}

/// The session context a stream's header records.
#[derive(clap::Args, Debug, Clone, Copy)]
pub(crate) struct Context {
    /// Messages kept as context (both ends keep them; at most 65,536).
    #[arg(long, value_name = "N", default_value_t = ContextConfig::default().window)]
    window: usize,
    /// Distinct values remembered for back-references (at most 16,777,216).
    #[arg(long, value_name = "N", default_value_t = ContextConfig::default().values)]
    values: usize,
    /// Smallest subtree (in nodes) sent as a reference.
    #[arg(long, value_name = "N", default_value_t = ContextConfig::default().min_subtree)]
    min_subtree: usize,
}

impl From<Context> for ContextConfig {
    fn from(args: Context) -> ContextConfig {
        ContextConfig { window: args.window, values: args.values, min_subtree: args.min_subtree }
    }
}

/// A single-tree wire format.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum FormatArg {
    /// The reference's format (at most 4,095 glyphs, values of at most 32,767 bytes).
    V1,
    /// Ours: no such limits, and smaller.
    V2,
}

impl From<FormatArg> for sigma_codec::Format {
    fn from(arg: FormatArg) -> sigma_codec::Format {
        match arg {
            FormatArg::V1 => sigma_codec::Format::V1,
            FormatArg::V2 => sigma_codec::Format::V2,
        }
    }
}

/// What a tree is read from or written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum TreeText {
    /// `{"p": 16, "v": "calculate", "c": [...]}`.
    Tree,
    /// Any JSON document, mapped losslessly (objects to DICT, arrays to LIST, …).
    Json,
}

/// What a single tree is read from or written as: a tree form, or plain text as a text tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Form {
    /// `{"p": 16, "v": "calculate", "c": [...]}`.
    Tree,
    /// Any JSON document, mapped losslessly (objects to DICT, arrays to LIST, …).
    Json,
    /// UTF-8 text as a text tree (sentences, entities, relations), exactly.
    Text,
}

/// How a session sends its frames' bodies.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum CodingArg {
    /// Through one zstd stream per end, the codebook's sample its dictionary (the default).
    Zstd,
    /// Through the byte model both ends keep, primed from the codebook: the fewest bytes, the
    /// most time.
    #[value(alias = "max")]
    Modeled,
    /// As they are: repeat, delta or full v2, whichever is smallest.
    Plain,
}

impl From<CodingArg> for BodyCoding {
    fn from(arg: CodingArg) -> BodyCoding {
        match arg {
            CodingArg::Zstd => BodyCoding::Zstd,
            CodingArg::Modeled => BodyCoding::Modeled,
            CodingArg::Plain => BodyCoding::Plain,
        }
    }
}
