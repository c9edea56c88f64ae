//! `sigma stats`: for JSON (one document, or JSON lines) what v1, v2 and a session stream take;
//! for ΣLANG bytes what they hold.

use std::sync::Arc;

use sigma_codec::codebook::Codebook;
use sigma_codec::session::{FrameKind, SessionConfig, SessionDecoder, encode_stream_with};
use sigma_codec::{DecodeLimits, Format};
use sigma_metrics::report::{Cell, Report};

use crate::args::{CodebookFile, Inputs};
use crate::io::{Failure, load_codebook, name, read_input, write_output};
use crate::sniff::{Input, JsonKind, JsonText, sniff};

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    #[command(flatten)]
    codebook: CodebookFile,
    #[command(flatten)]
    from: Inputs,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let codebook = load_codebook(args.codebook.codebook.as_deref())?;
    let mut table =
        Report::new("", &["input", "kind", "messages", "bytes", "JSON bytes", "bytes / JSON", "detail"]);
    for file in args.from.each() {
        let name = name(file);
        let row = match sniff(&name, read_input(file)?)? {
            Input::Sigma(Format::Session, bytes) => stream_row(&bytes, codebook.clone()),
            Input::Sigma(format, bytes) => message_row(format, &bytes),
            Input::Json(text) => json_row(&text, codebook.clone()),
        };
        let mut cells = vec![Cell::Text(name.clone())];
        cells.extend(row.map_err(|Failure(e)| Failure(format!("{name}: {e}")))?);
        table.row(cells);
    }
    write_output(None, table.to_text().as_bytes())
}

fn int(n: usize) -> Cell {
    Cell::Int(n as u64)
}

fn ratio(a: usize, b: usize) -> Cell {
    if b == 0 { Cell::Empty } else { Cell::Float(a as f64 / b as f64, 3) }
}

/// How many frames of each kind, as the detail column lists them.
fn kinds(frames: impl Iterator<Item = FrameKind>) -> String {
    let mut counts = [0usize; FrameKind::ALL.len()];
    for kind in frames {
        counts[kind as usize] += 1;
    }
    let [full, repeat, delta, coded] = counts;
    format!("full {full}, repeat {repeat}, delta {delta}, coded {coded}")
}

/// A session stream: its frames, and the JSON its messages map to.
fn stream_row(bytes: &[u8], codebook: Option<Arc<Codebook>>) -> Result<Vec<Cell>, Failure> {
    let mut decoder = SessionDecoder::new(bytes, DecodeLimits::DEFAULT, codebook)?;
    let (mut messages, mut json) = (0, 0);
    let mut frame_kinds = Vec::new();
    for frame in decoder.frames(bytes) {
        let frame = frame?;
        messages += 1;
        json += frame.tree.to_json_document().map_or(0, |t| t.len() + 1);
        frame_kinds.push(frame.kind);
    }
    Ok(vec![
        Cell::Text("session stream".to_owned()),
        int(messages),
        int(bytes.len()),
        int(json),
        ratio(bytes.len(), json),
        Cell::Text(kinds(frame_kinds.into_iter())),
    ])
}

/// One v1 or v2 message.
fn message_row(format: Format, bytes: &[u8]) -> Result<Vec<Cell>, Failure> {
    let tree = sigma_codec::decode(bytes)?;
    let json = tree.to_json_document().map_or(0, |t| t.len());
    Ok(vec![
        Cell::Text(format!("{} message", format.name())),
        int(1),
        int(bytes.len()),
        int(json),
        ratio(bytes.len(), json),
        Cell::Text(format!("{} nodes", tree.node_count())),
    ])
}

/// JSON: what v1, v2 and a session stream would take.
fn json_row(text: &JsonText, codebook: Option<Arc<Codebook>>) -> Result<Vec<Cell>, Failure> {
    let (kind, trees) = text.documents()?;
    let size = text.text().len();
    let v2 =
        trees.iter().map(sigma_codec::v2::encode).map(|b| b.map(|b| b.len())).sum::<Result<usize, _>>()?;
    let v1: Option<usize> = trees.iter().map(|t| sigma_codec::v1::encode(t).ok().map(|b| b.len())).sum();
    let session = encode_stream_with(&trees, SessionConfig::default(), codebook.clone())?;
    let mut decoder = SessionDecoder::new(&session, DecodeLimits::UNLIMITED, codebook)?;
    let frame_kinds = decoder.frames(&session).map(|f| f.map(|f| f.kind)).collect::<Result<Vec<_>, _>>()?;
    Ok(vec![
        Cell::Text(if kind == JsonKind::Document { "JSON document" } else { "JSON lines" }.to_owned()),
        int(trees.len()),
        int(size),
        int(size),
        Cell::Float(1.0, 3),
        Cell::Text(format!(
            "v1 {}, v2 {v2} ({:.3}), session {} ({:.3}; {})",
            v1.map_or("refused".to_owned(), |n| n.to_string()),
            v2 as f64 / size.max(1) as f64,
            session.len(),
            session.len() as f64 / size.max(1) as f64,
            kinds(frame_kinds.into_iter()),
        )),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigma_codec::Tree;

    #[test]
    fn frame_kinds_are_counted_in_order() {
        let frames = [FrameKind::Coded, FrameKind::Repeat, FrameKind::Coded, FrameKind::Full];
        assert_eq!(kinds(frames.into_iter()), "full 1, repeat 1, delta 0, coded 2");
    }

    #[test]
    fn one_tree_of_json_lines_is_a_document() {
        let text = JsonText::new("x", "{\"a\":1}\n{\"a\":2}\n".to_owned());
        assert_eq!(text.documents().unwrap().0, JsonKind::Lines);
        let tree = Tree::from_json_document("{\"a\":1}").unwrap();
        assert_eq!(
            JsonText::new("x", "{\"a\":1}".to_owned()).documents().unwrap(),
            (JsonKind::Document, vec![tree])
        );
    }
}
