//! `sigma`: encode, decode and inspect ΣLANG streams from the command line (DESIGN §7).
//!
//! **Layer 5.** Uses `sigma-codec` (and `sigma-tree` for the tree JSON form); it is the only crate
//! that touches files, standard streams and exit codes.
//!
//! Conventions: `IN` defaults to standard input and `-o OUT` to standard output. On any error
//! `sigma` prints one line to standard error (with the byte offset for decode errors), exits with
//! code 1, and leaves `OUT` untouched: output goes to a temporary file beside it that is renamed
//! into place only on success.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use sigma_codec::session::ContextConfig;
use sigma_codec::{DecodeLimits, Format, Tree, inspect};
use sigma_metrics::report::{Cell, Report};

#[derive(Parser, Debug)]
#[command(name = "sigma", version, about = "Encode, decode and inspect ΣLANG glyph streams.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Encode one tree to bytes.
    Encode {
        /// Wire format to write.
        #[arg(long, value_enum, default_value_t = FormatArg::V2)]
        format: FormatArg,
        /// What the input is: a tree in tree JSON form, or any JSON document.
        #[arg(long, value_enum, default_value_t = InputArg::Tree)]
        input: InputArg,
        /// Write here instead of standard output.
        #[arg(short = 'o', long = "output-file", value_name = "OUT")]
        out: Option<PathBuf>,
        /// Read from this file instead of standard input.
        #[arg(value_name = "IN")]
        input_file: Option<PathBuf>,
    },
    /// Decode bytes (format detected from the first byte) to a tree.
    Decode {
        /// What to print: the tree JSON form, or the JSON document the tree maps to.
        #[arg(long, value_enum, default_value_t = OutputArg::Tree)]
        output: OutputArg,
        #[command(flatten)]
        limits: LimitArgs,
        /// Write here instead of standard output.
        #[arg(short = 'o', long = "output-file", value_name = "OUT")]
        out: Option<PathBuf>,
        /// Read from this file instead of standard input.
        #[arg(value_name = "IN")]
        input_file: Option<PathBuf>,
    },
    /// Print an annotated listing: header fields, each glyph with offset, type, primitive, value
    /// (for a session stream, each frame).
    Inspect {
        /// The codebook a session stream was encoded with.
        #[arg(long, value_name = "F")]
        codebook: Option<PathBuf>,
        #[command(flatten)]
        limits: LimitArgs,
        /// Read from this file instead of standard input.
        #[arg(value_name = "IN")]
        input_file: Option<PathBuf>,
    },
    /// Encode JSON lines (one document per line) as one session stream, or decode one back.
    Stream {
        #[command(subcommand)]
        direction: StreamCommand,
    },
    /// Learn a codebook from sample trees: JSON lines, JSON documents or tree JSON files.
    Train {
        /// The most patterns to learn (at most 128).
        #[arg(long, value_name = "N", default_value_t = 128)]
        max_patterns: usize,
        /// Write the codebook here instead of standard output.
        #[arg(short = 'o', long = "output-file", value_name = "CODEBOOK")]
        out: Option<PathBuf>,
        /// Sample files (standard input if none).
        #[arg(value_name = "IN")]
        inputs: Vec<PathBuf>,
    },
    /// Sizes and ratios: for JSON (one document, or JSON lines) what v1, v2 and a session stream
    /// would take; for ΣLANG bytes (v1, v2, session) what they hold.
    Stats {
        /// The codebook session streams were (or would be) encoded with.
        #[arg(long, value_name = "F")]
        codebook: Option<PathBuf>,
        /// Files to examine (standard input if none).
        #[arg(value_name = "IN")]
        inputs: Vec<PathBuf>,
    },
}

/// Decode limits (defaults in `sigma_codec::DecodeLimits`).
#[derive(Args, Debug, Clone, Copy)]
struct LimitArgs {
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
}

impl From<LimitArgs> for DecodeLimits {
    fn from(args: LimitArgs) -> DecodeLimits {
        DecodeLimits {
            max_bytes: args.max_bytes,
            max_nodes: args.max_nodes,
            max_depth: args.max_depth,
            max_value_bytes: args.max_value_bytes,
        }
    }
}

#[derive(Subcommand, Debug)]
enum StreamCommand {
    /// JSON lines → one session stream.
    Encode {
        /// A codebook learned by `sigma train` (decoding needs the same one).
        #[arg(long, value_name = "F")]
        codebook: Option<PathBuf>,
        /// How delta frames are sent: through the session's byte model (smallest), or plain
        /// (up to twelve times faster, two to three times larger). The stream header records it.
        #[arg(long, value_enum, default_value_t = CodingArg::Modeled)]
        coding: CodingArg,
        /// Messages kept as context (both ends keep them; at most 65,536).
        #[arg(long, value_name = "N", default_value_t = ContextConfig::default().window)]
        window: usize,
        /// Distinct values remembered for back-references (at most 16,777,216).
        #[arg(long, value_name = "N", default_value_t = ContextConfig::default().values)]
        values: usize,
        /// Smallest subtree (in nodes) sent as a reference.
        #[arg(long, value_name = "N", default_value_t = ContextConfig::default().min_subtree)]
        min_subtree: usize,
        /// Write here instead of standard output.
        #[arg(short = 'o', long = "output-file", value_name = "OUT")]
        out: Option<PathBuf>,
        /// Read from this file instead of standard input.
        #[arg(value_name = "IN")]
        input_file: Option<PathBuf>,
    },
    /// One session stream → JSON lines.
    Decode {
        /// A codebook learned by `sigma train` (decoding needs the same one).
        #[arg(long, value_name = "F")]
        codebook: Option<PathBuf>,
        /// What to print per message: the JSON document, or the tree JSON form.
        #[arg(long, value_enum, default_value_t = OutputArg::Json)]
        output: OutputArg,
        #[command(flatten)]
        limits: LimitArgs,
        /// Write here instead of standard output.
        #[arg(short = 'o', long = "output-file", value_name = "OUT")]
        out: Option<PathBuf>,
        /// Read from this file instead of standard input.
        #[arg(value_name = "IN")]
        input_file: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FormatArg {
    /// The reference's format (at most 4,095 glyphs, values of at most 32,767 bytes).
    V1,
    /// Ours: no such limits, and smaller.
    V2,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum InputArg {
    /// `{"p": 16, "v": "calculate", "c": [...]}`.
    Tree,
    /// Any JSON document, mapped losslessly (objects to DICT, arrays to LIST, …).
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum CodingArg {
    /// Coded by the byte model both ends keep, primed from the codebook.
    Modeled,
    /// As they are: repeat, delta or full v2, whichever is smallest.
    Plain,
}

impl From<CodingArg> for sigma_codec::session::BodyCoding {
    fn from(arg: CodingArg) -> Self {
        match arg {
            CodingArg::Modeled => sigma_codec::session::BodyCoding::Modeled,
            CodingArg::Plain => sigma_codec::session::BodyCoding::Plain,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum OutputArg {
    /// `{"p": 16, "v": "calculate", "c": [...]}`.
    Tree,
    /// The JSON document the tree maps to, compact.
    Json,
}

/// A failure, as the one line `sigma` prints.
struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            return fail(&format!("{first} (see 'sigma --help')"));
        }
    };
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => fail(&message),
    }
}

fn fail(message: &str) -> ExitCode {
    let one_line = message.replace('\n', " ");
    let _ = writeln!(io::stderr(), "sigma: error: {one_line}");
    ExitCode::FAILURE
}

fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Encode { format, input, out, input_file } => {
            let text = read_text(input_file.as_deref())?;
            let tree = match input {
                InputArg::Tree => {
                    Tree::from_tree_json(&text).map_err(|e| Failure(format!("tree JSON: {e}")))?
                }
                InputArg::Json => {
                    Tree::from_json_document(&text).map_err(|e| Failure(format!("JSON: {e}")))?
                }
            };
            let format = match format {
                FormatArg::V1 => Format::V1,
                FormatArg::V2 => Format::V2,
            };
            let bytes = sigma_codec::encode(&tree, format).map_err(|e| Failure(format!("encode: {e}")))?;
            write_output(out.as_deref(), &bytes)
        }
        Command::Decode { output, limits, out, input_file } => {
            let bytes = read_input(input_file.as_deref())?;
            let tree = sigma_codec::decode_with_limits(&bytes, &limits.into())
                .map_err(|e| Failure(format!("decode: {e}")))?;
            let mut text = match output {
                OutputArg::Tree => tree.to_tree_json(),
                OutputArg::Json => {
                    tree.to_json_document().map_err(|e| Failure(format!("--output json: {e}")))?
                }
            };
            text.push('\n');
            write_output(out.as_deref(), text.as_bytes())
        }
        Command::Inspect { codebook, limits, input_file } => {
            let codebook = load_codebook(codebook.as_deref())?;
            let bytes = read_input(input_file.as_deref())?;
            let inspection = inspect::inspect_with(&bytes, &limits.into(), codebook);
            write_output(None, inspection.listing.as_bytes())?;
            match inspection.error {
                None => Ok(()),
                Some(e) => Err(Failure(format!("inspect: {e}"))),
            }
        }
        Command::Stream { direction } => stream(direction),
        Command::Train { max_patterns, out, inputs } => train(max_patterns, out.as_deref(), &inputs),
        Command::Stats { codebook, inputs } => stats(codebook.as_deref(), &inputs),
    }
}

fn read_input(path: Option<&Path>) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    match path {
        Some(path) => {
            bytes =
                std::fs::read(path).map_err(|e| Failure(format!("cannot read {}: {e}", path.display())))?;
        }
        None => {
            io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .map_err(|e| Failure(format!("cannot read standard input: {e}")))?;
        }
    }
    Ok(bytes)
}

fn read_text(path: Option<&Path>) -> Result<String, Failure> {
    let bytes = read_input(path)?;
    String::from_utf8(bytes)
        .map_err(|e| Failure(format!("input is not UTF-8 at byte {}", e.utf8_error().valid_up_to())))
}

/// Writes `bytes` to `path` through a temporary file renamed into place, or to standard output.
fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<(), Failure> {
    let Some(path) = path else {
        let mut stdout = io::stdout().lock();
        return match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
            Ok(()) => Ok(()),
            // A reader that stopped early (`sigma decode | head`) is not our failure.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(Failure(format!("cannot write standard output: {e}"))),
        };
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let cannot = |e: &dyn std::fmt::Display| Failure(format!("cannot write {}: {e}", path.display()));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|e| cannot(&e))?;
    file.write_all(bytes).map_err(|e| cannot(&e))?;
    // The temporary file is private (0600); give the result the permissions a plain write would:
    // those of the file it replaces, or read-write for the owner and readable by others.
    let permissions = match std::fs::metadata(path) {
        Ok(existing) => Some(existing.permissions()),
        Err(_) => default_permissions(),
    };
    if let Some(permissions) = permissions {
        file.as_file().set_permissions(permissions).map_err(|e| cannot(&e))?;
    }
    file.persist(path).map_err(|e| cannot(&e.error))?;
    Ok(())
}

fn stream(direction: StreamCommand) -> Result<(), Failure> {
    use sigma_codec::session::{SessionConfig, SessionDecoder, SessionEncoder};
    match direction {
        StreamCommand::Encode { codebook, coding, window, values, min_subtree, out, input_file } => {
            let context = ContextConfig { window, values, min_subtree };
            let config = SessionConfig { context, coding: coding.into() };
            config.check().map_err(|e| Failure(format!("stream: {e}")))?;
            let codebook = load_codebook(codebook.as_deref())?;
            let text = read_text(input_file.as_deref())?;
            let mut encoder = SessionEncoder::with_codebook(config, codebook.clone());
            let mut bytes = Vec::new();
            let mut progress = Progress::new("encoding message", text.lines().count());
            for (number, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                progress.update(number + 1);
                let tree = Tree::from_json_document(line)
                    .map_err(|e| Failure(format!("line {}: JSON: {e}", number + 1)))?;
                encoder
                    .encode_into(&tree, &mut bytes)
                    .map_err(|e| Failure(format!("line {}: {e}", number + 1)))?;
            }
            progress.finish();
            if bytes.is_empty() {
                bytes = sigma_codec::session::encode_stream_with(std::iter::empty(), config, codebook)
                    .map_err(|e| Failure(e.to_string()))?;
            }
            write_output(out.as_deref(), &bytes)
        }
        StreamCommand::Decode { codebook, output, limits, out, input_file } => {
            let codebook = load_codebook(codebook.as_deref())?;
            let bytes = read_input(input_file.as_deref())?;
            let (mut decoder, mut at) =
                SessionDecoder::from_header_with_codebook(&bytes, limits.into(), codebook)
                    .map_err(|e| Failure(format!("stream: {e}")))?;
            let mut text = String::new();
            while at < bytes.len() {
                let frame = decoder
                    .decode_frame(bytes.get(at..).unwrap_or_default())
                    .map_err(|e| Failure(format!("stream: {e}")))?;
                at += frame.len;
                match output {
                    OutputArg::Json => frame
                        .tree
                        .write_json_document(&mut text)
                        .map_err(|e| Failure(format!("message {}: --output json: {e}", frame.seq)))?,
                    OutputArg::Tree => frame.tree.write_tree_json(&mut text),
                }
                text.push('\n');
            }
            write_output(out.as_deref(), text.as_bytes())
        }
    }
}

/// One input's row in `sigma stats`.
fn stats_row(
    name: &str,
    bytes: &[u8],
    codebook: Option<&Codebook>,
    table: &mut Report,
) -> Result<(), Failure> {
    use sigma_codec::session::{FrameKind, SessionConfig, decode_stream_with, encode_stream_with};
    let text_cell = |s: &str| Cell::Text(s.to_owned());
    let ratio = |a: usize, b: usize| if b == 0 { Cell::Empty } else { Cell::Float(a as f64 / b as f64, 3) };
    let int = |n: usize| Cell::Int(n as u64);
    match bytes.first() {
        Some(&sigma_codec::session::STREAM_BYTE) => {
            let frames = decode_stream_with(bytes, DecodeLimits::DEFAULT, codebook.cloned())
                .map_err(|e| Failure(format!("{name}: {e}")))?;
            let count = |kind: FrameKind| frames.iter().filter(|f| f.kind == kind).count();
            let json: usize =
                frames.iter().map(|f| f.tree.to_json_document().map_or(0, |t| t.len() + 1)).sum();
            table.row(vec![
                text_cell(name),
                text_cell("session stream"),
                int(frames.len()),
                int(bytes.len()),
                int(json),
                ratio(bytes.len(), json),
                text_cell(&format!(
                    "full {}, repeat {}, delta {}, coded {}",
                    count(FrameKind::Full),
                    count(FrameKind::Repeat),
                    count(FrameKind::Delta),
                    count(FrameKind::Coded)
                )),
            ]);
        }
        // JSON text starts with `{` (0x7B) or `[` (0x5B), inside v1's range: a v1 message is
        // one only if it decodes as one.
        Some(0x40..=0x7F | 0xA0..=0xAF)
            if sigma_codec::decode(bytes).is_ok() || bytes.first() >= Some(&0xA0) =>
        {
            let tree = sigma_codec::decode(bytes).map_err(|e| Failure(format!("{name}: {e}")))?;
            let format = sigma_codec::detect(bytes).map(|f| f.name()).unwrap_or("?");
            let json = tree.to_json_document().map_or(0, |t| t.len());
            table.row(vec![
                text_cell(name),
                text_cell(&format!("{format} message")),
                int(1),
                int(bytes.len()),
                int(json),
                ratio(bytes.len(), json),
                text_cell(&format!("{} nodes", tree.node_count())),
            ]);
        }
        _ => {
            let text = std::str::from_utf8(bytes)
                .map_err(|e| Failure(format!("{name}: not UTF-8 at byte {}", e.valid_up_to())))?;
            let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            let trees = match Tree::from_json_document(text) {
                Ok(tree) => vec![tree],
                Err(whole) => lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        Tree::from_json_document(l).map_err(|e| {
                            Failure(format!("{name}: line {}: {e} (as one document: {whole})", i + 1))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            };
            let v2: usize = trees.iter().map(|t| sigma_codec::v2::encode(t).map_or(0, |b| b.len())).sum();
            let v1: Option<usize> =
                trees.iter().map(|t| sigma_codec::v1::encode(t).ok().map(|b| b.len())).sum();
            let session = encode_stream_with(&trees, SessionConfig::default(), codebook.cloned())
                .map_err(|e| Failure(format!("{name}: {e}")))?;
            let frames = decode_stream_with(&session, DecodeLimits::UNLIMITED, codebook.cloned())
                .map_err(|e| Failure(format!("{name}: {e}")))?;
            let count = |kind: FrameKind| frames.iter().filter(|f| f.kind == kind).count();
            table.row(vec![
                text_cell(name),
                text_cell(if trees.len() == 1 { "JSON document" } else { "JSON lines" }),
                int(trees.len()),
                int(bytes.len()),
                int(bytes.len()),
                Cell::Float(1.0, 3),
                text_cell(&format!(
                    "v1 {}, v2 {v2} ({:.3}), session {} ({:.3}; full {}, repeat {}, delta {}, coded {})",
                    v1.map_or("refused".to_owned(), |n| n.to_string()),
                    v2 as f64 / bytes.len().max(1) as f64,
                    session.len(),
                    session.len() as f64 / bytes.len().max(1) as f64,
                    count(FrameKind::Full),
                    count(FrameKind::Repeat),
                    count(FrameKind::Delta),
                    count(FrameKind::Coded)
                )),
            ]);
        }
    }
    Ok(())
}

fn stats(codebook: Option<&Path>, inputs: &[PathBuf]) -> Result<(), Failure> {
    let codebook = load_codebook(codebook)?;
    let codebook = codebook.as_ref();
    let mut table =
        Report::new("", &["input", "kind", "messages", "bytes", "JSON bytes", "bytes / JSON", "detail"]);
    if inputs.is_empty() {
        stats_row("(stdin)", &read_input(None)?, codebook, &mut table)?;
    }
    for path in inputs {
        stats_row(&path.display().to_string(), &read_input(Some(path))?, codebook, &mut table)?;
    }
    write_output(None, table.to_text().as_bytes())
}

/// A shared codebook.
type Codebook = std::sync::Arc<sigma_codec::codebook::Codebook>;

fn load_codebook(path: Option<&Path>) -> Result<Option<Codebook>, Failure> {
    let Some(path) = path else { return Ok(None) };
    let bytes = read_input(Some(path))?;
    let codebook = sigma_codec::codebook::Codebook::from_bytes(&bytes)
        .map_err(|e| Failure(format!("codebook {}: {e}", path.display())))?;
    Ok(Some(std::sync::Arc::new(codebook)))
}

/// The sample trees in one input: a tree JSON file, a JSON document, or JSON lines.
fn samples(name: &str, text: &str) -> Result<Vec<Tree>, Failure> {
    if let Ok(tree) = Tree::from_tree_json(text) {
        return Ok(vec![tree]);
    }
    if let Ok(tree) = Tree::from_json_document(text) {
        return Ok(vec![tree]);
    }
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            Tree::from_json_document(l).map_err(|e| Failure(format!("{name}: line {}: {e}", i + 1)))
        })
        .collect()
}

fn train(max_patterns: usize, out: Option<&Path>, inputs: &[PathBuf]) -> Result<(), Failure> {
    let mut trees = Vec::new();
    if inputs.is_empty() {
        trees.extend(samples("(stdin)", &read_text(None)?)?);
    }
    for path in inputs {
        trees.extend(samples(&path.display().to_string(), &read_text(Some(path))?)?);
    }
    let codebook = sigma_codec::codebook::Codebook::train(&trees, max_patterns);
    write_output(out, &codebook.to_bytes())?;
    if out.is_some() {
        let _ = writeln!(
            io::stderr(),
            "sigma: learned {} patterns from {} samples (codebook hash {:016x})",
            codebook.patterns().len(),
            trees.len(),
            codebook.hash()
        );
    }
    Ok(())
}

/// A one-line progress report on standard error, only when it is a terminal and the job is long.
struct Progress {
    what: &'static str,
    total: usize,
    shown: Option<std::time::Instant>,
    started: std::time::Instant,
}

impl Progress {
    /// Jobs shorter than this many items stay quiet.
    const MIN_ITEMS: usize = 1000;

    fn new(what: &'static str, total: usize) -> Progress {
        use std::io::IsTerminal;
        let on = total >= Progress::MIN_ITEMS && io::stderr().is_terminal();
        let now = std::time::Instant::now();
        Progress { what, total, shown: on.then_some(now), started: now }
    }

    fn update(&mut self, done: usize) {
        let Some(last) = self.shown else { return };
        if last.elapsed().as_millis() >= 100 || done == self.total {
            let _ = write!(
                io::stderr(),
                "\r{} {done}/{} ({:.1} s)",
                self.what,
                self.total,
                self.started.elapsed().as_secs_f64()
            );
            self.shown = Some(std::time::Instant::now());
        }
    }

    fn finish(self) {
        if self.shown.is_some() {
            let _ = writeln!(io::stderr());
        }
    }
}

#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}
