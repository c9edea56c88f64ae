//! `sigma bank add|search|get|remove|stats`: a persistent bank of trees (the `sigma-bank` crate),
//! searched by words and by shape.

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use sigma_bank::{Bank, BankError, BankOptions, Hit, Item, ItemKind, Query};
use sigma_codec::Tree;

use crate::args::{Form, Limits, Output};
use crate::io::{Failure, Progress, into_text, name, note, read_input, write_output};

#[derive(clap::Subcommand, Debug)]
pub(crate) enum Action {
    /// Add items to a bank (created if the directory is new or empty), all in one commit: an add
    /// that is interrupted leaves the bank as it was. Prints the ids given.
    Add {
        /// The bank's directory.
        #[arg(value_name = "BANK")]
        bank: PathBuf,
        /// Files to add (`-` for standard input): JSON documents, JSON lines (one item per
        /// line), trees in tree JSON form, or text.
        #[arg(value_name = "IN", required = true)]
        input_files: Vec<PathBuf>,
        /// What the inputs hold: `auto` goes by the extension (`.jsonl`, `.ndjson`: JSON lines;
        /// `.txt`, `.md`: text), then by the content (a tree in tree JSON form, one JSON
        /// document, JSON lines, else text).
        #[arg(long = "as", value_enum, default_value_t = As::Auto)]
        kind: As,
    },
    /// Find items by words (BM25), by shape (like a tree), or both (fused by reciprocal rank).
    /// Prints one line per hit, best first: id, score, the words' BM25 and the shape's Jaccard
    /// similarity (`-` where not computed), and the item's start.
    Search {
        /// The bank's directory.
        #[arg(value_name = "BANK")]
        bank: PathBuf,
        /// Words to find.
        #[arg(long, value_name = "QUERY")]
        text: Option<String>,
        /// A file with the tree to be like (JSON document, tree JSON or text, as `add` reads).
        #[arg(long, value_name = "FILE")]
        like: Option<PathBuf>,
        /// Hits wanted.
        #[arg(short = 'k', value_name = "N", default_value_t = 10)]
        k: usize,
        /// One JSON object per line: `id`, `score`, `words`, `shape`.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        limits: Limits,
    },
    /// Print an item exactly as it was added (or in another form).
    Get {
        /// The bank's directory.
        #[arg(value_name = "BANK")]
        bank: PathBuf,
        /// The item's id.
        #[arg(value_name = "ID")]
        id: u64,
        /// The form: the JSON document, the tree JSON form, or the text of a text tree (default:
        /// the form it was added in).
        #[arg(long, value_enum)]
        output: Option<Form>,
        #[command(flatten)]
        limits: Limits,
        #[command(flatten)]
        to: Output,
    },
    /// Remove an item; no other item's id changes, and its id is never given again.
    Remove {
        /// The bank's directory.
        #[arg(value_name = "BANK")]
        bank: PathBuf,
        /// The item's id.
        #[arg(value_name = "ID")]
        id: u64,
    },
    /// Items, next id, segments and bytes on disk; `--check` also checks every file's checksum
    /// and decodes every item.
    Stats {
        /// The bank's directory.
        #[arg(value_name = "BANK")]
        bank: PathBuf,
        /// Check every store file and item.
        #[arg(long)]
        check: bool,
        /// As one JSON object.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        limits: Limits,
    },
}

/// What an input holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum As {
    /// By extension, then by content.
    Auto,
    /// One JSON document.
    Json,
    /// JSON lines: one document per non-blank line.
    Lines,
    /// A tree in tree JSON form.
    Tree,
    /// Text.
    Text,
}

/// Items parsed and added per batch (each batch parsed across threads, then added).
const BATCH: usize = 8192;

pub(crate) fn run(action: Action) -> Result<(), Failure> {
    match action {
        Action::Add { bank, input_files, kind } => add(&bank, &input_files, kind),
        Action::Search { bank, text, like, k, json, limits } => {
            let bank = open(&bank, limits)?;
            let like_tree = match &like {
                Some(file) => {
                    let mut items = read_items(file, As::Auto)?;
                    if items.len() != 1 {
                        return Err(Failure(format!(
                            "--like {}: holds {} items; give one",
                            name(Some(file)),
                            items.len()
                        )));
                    }
                    items.pop().map(Item::into_tree)
                }
                None => None,
            };
            let query = Query { text: text.as_deref(), like: like_tree.as_ref(), k };
            let hits = bank.search(&query).map_err(failure)?;
            let mut out = String::new();
            for hit in &hits {
                if json {
                    out.push_str(&hit_json(hit).to_string());
                } else {
                    out.push_str(&hit_line(&bank, hit)?);
                }
                out.push('\n');
            }
            write_output(None, out.as_bytes())
        }
        Action::Get { bank, id, output, limits, to } => {
            let bank = open(&bank, limits)?;
            let item = bank.get(id).map_err(failure)?.ok_or_else(|| no_item(&bank, id))?;
            let text = match output {
                None => item.render().map_err(|e| Failure(format!("item {id}: {e}")))? + newline(item.kind()),
                Some(Form::Tree) => item.tree().to_tree_json() + "\n",
                Some(Form::Json) => {
                    item.tree().to_json_document().map_err(|e| Failure(format!("--output json: {e}")))? + "\n"
                }
                Some(Form::Text) => {
                    sigma_text::to_text(item.tree()).map_err(|e| Failure(format!("--output text: {e}")))?
                }
            };
            write_output(to.output_file.as_deref(), text.as_bytes())
        }
        Action::Remove { bank, id } => {
            let bank = Bank::open(&bank).map_err(failure)?;
            if !bank.remove(id).map_err(failure)? {
                return Err(no_item(&bank, id));
            }
            note(&format!("removed item {id}"));
            Ok(())
        }
        Action::Stats { bank, check, json, limits } => {
            let bank = open(&bank, limits)?;
            let checked = if check { Some(bank.verify().map_err(failure)?) } else { None };
            let s = bank.stats().map_err(failure)?;
            let text = if json {
                serde_json::json!({
                    "items": s.items,
                    "next_id": s.next_id,
                    "segments": s.segments,
                    "removed_pending": s.removed_pending,
                    "bytes_on_disk": s.bytes_on_disk,
                    "checked": checked,
                })
                .to_string()
                    + "\n"
            } else {
                let mut text = format!(
                    "items: {}\nnext id: {}\nsegments: {}\nremoved, not yet reclaimed: {}\nbytes on disk: {}\n",
                    s.items, s.next_id, s.segments, s.removed_pending, s.bytes_on_disk
                );
                if let Some(n) = checked {
                    text.push_str(&format!("checked: every file's checksum and {n} items\n"));
                }
                text
            };
            write_output(None, text.as_bytes())
        }
    }
}

/// The bank in `path`, its items read within `limits`.
fn open(path: &Path, limits: Limits) -> Result<Bank, Failure> {
    Bank::open_with(path, BankOptions { limits: limits.into(), ..BankOptions::default() }).map_err(failure)
}

fn failure(e: BankError) -> Failure {
    Failure(e.to_string())
}

fn no_item(bank: &Bank, id: u64) -> Failure {
    Failure(format!("{}: no item {id}", bank.path().display()))
}

/// Text items come back byte for byte; the others end with a newline.
fn newline(kind: ItemKind) -> &'static str {
    if kind == ItemKind::Text { "" } else { "\n" }
}

fn add(path: &Path, input_files: &[PathBuf], kind: As) -> Result<(), Failure> {
    let bank = Bank::open_or_create(path).map_err(failure)?;
    let mut writer = bank.writer().map_err(failure)?;
    let mut first = None;
    let mut last = None;
    for file in input_files {
        let file_name = name(Some(file));
        let text = into_text(&file_name, read_input(stdin_or(file))?)?;
        let kind = resolve(file, &text, kind);
        if kind != As::Lines {
            let item = parse_whole(&file_name, &text, kind)?;
            let id = writer.add(&item).map_err(failure)?;
            first.get_or_insert(id);
            last = Some(id);
            continue;
        }
        let lines: Vec<(usize, &str)> =
            text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).map(|(i, l)| (i + 1, l)).collect();
        let mut progress = Progress::new("adding item", lines.len());
        for (done, batch) in lines.chunks(BATCH).enumerate() {
            let items = parse_lines(&file_name, batch)?;
            let ids = writer.add_batch(&items).map_err(failure)?;
            first.get_or_insert(ids.start);
            last = ids.end.checked_sub(1).or(last);
            progress.update(done * BATCH + batch.len());
        }
        progress.finish();
    }
    writer.commit().map_err(failure)?;
    match (first, last) {
        (Some(first), Some(last)) => {
            let count = last - first + 1;
            write_output(None, format!("added {count} items: ids {first} to {last}\n").as_bytes())
        }
        _ => write_output(None, b"added 0 items\n"),
    }
}

/// `-` is standard input.
fn stdin_or(file: &Path) -> Option<&Path> {
    (file != Path::new("-")).then_some(file)
}

/// What `file`, holding `text`, holds, for `--as auto`.
fn resolve(file: &Path, text: &str, kind: As) -> As {
    if kind != As::Auto {
        return kind;
    }
    match file.extension().and_then(|e| e.to_str()) {
        Some("jsonl" | "ndjson") => return As::Lines,
        Some("txt" | "md" | "text") => return As::Text,
        _ => {}
    }
    let start = text.trim_start();
    if !(start.starts_with('{') || start.starts_with('[')) {
        return As::Text;
    }
    if start.starts_with('{') && Tree::from_tree_json(text).is_ok() {
        return As::Tree;
    }
    if Tree::from_json_document(text).is_ok() { As::Json } else { As::Lines }
}

/// One item from a whole input.
fn parse_whole(file_name: &str, text: &str, kind: As) -> Result<Item, Failure> {
    let item = match kind {
        // `add` reads JSON lines line by line; asked for the whole, they are one document.
        As::Json | As::Auto | As::Lines => Item::json(text),
        As::Tree => Item::tree_json(text),
        As::Text => Item::text(text),
    };
    item.map_err(|e| Failure(format!("{file_name}: {e}")))
}

/// The items of numbered lines, parsed across threads; the first bad line is the failure.
fn parse_lines(file_name: &str, lines: &[(usize, &str)]) -> Result<Vec<Item>, Failure> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let chunk = lines.len().div_ceil(threads).max(256);
    std::thread::scope(|scope| {
        let handles: Vec<_> = lines
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|&(number, line)| {
                            Item::json(line).map_err(|e| Failure(format!("{file_name}: line {number}: {e}")))
                        })
                        .collect::<Result<Vec<Item>, Failure>>()
                })
            })
            .collect();
        let mut items = Vec::with_capacity(lines.len());
        for handle in handles {
            items.extend(handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?);
        }
        Ok(items)
    })
}

/// The items of one input file (for `--like`).
fn read_items(file: &Path, kind: As) -> Result<Vec<Item>, Failure> {
    let file_name = name(Some(file));
    let text = into_text(&file_name, read_input(stdin_or(file))?)?;
    match resolve(file, &text, kind) {
        As::Lines => {
            let lines: Vec<(usize, &str)> = text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(i, l)| (i + 1, l))
                .collect();
            parse_lines(&file_name, &lines)
        }
        kind => Ok(vec![parse_whole(&file_name, &text, kind)?]),
    }
}

fn hit_json(hit: &Hit) -> serde_json::Value {
    serde_json::json!({ "id": hit.id, "score": hit.score, "words": hit.words, "shape": hit.shape })
}

/// `id  score  words  shape  start of the item`, for people.
fn hit_line(bank: &Bank, hit: &Hit) -> Result<String, Failure> {
    let item = bank.get(hit.id).map_err(failure)?.ok_or_else(|| no_item(bank, hit.id))?;
    let shown = item.render().map_err(|e| Failure(format!("item {}: {e}", hit.id)))?;
    let mut start: String = shown.chars().take(72).map(|c| if c.is_control() { ' ' } else { c }).collect();
    if shown.chars().nth(72).is_some() {
        start.push('…');
    }
    let or_dash = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.4}"));
    Ok(format!("{}\t{:.4}\t{}\t{}\t{start}", hit.id, hit.score, or_dash(hit.words), or_dash(hit.shape)))
}
