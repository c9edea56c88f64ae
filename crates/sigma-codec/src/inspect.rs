//! An annotated listing of a stream: header fields, then each glyph with its offset, bytes,
//! type, primitive and value, indented by nesting, then the checksum and the decoded tree.
//!
//! v2 nodes show their tag's flags as three letters: `C` has children, `V` has a value, `L` is
//! its parent's last child (`-` where a flag is clear).
//!
//! A session stream is listed frame by frame: its header, then each frame's offset, sequence
//! number, kind, body length (and a coded frame's plain length), and the tree it decodes to
//! (cut to one line).
//!
//! The listing shows as much as it can: on a damaged stream it lists what precedes the damage,
//! then names the error (which the caller also gets, to set its exit code).

use std::fmt::Write;
use std::sync::Arc;

use sigma_glyph::v1::{self as wire, GlyphKind, Header, Payload, Reader};
use sigma_glyph::v2;

use crate::codebook::Codebook;
use crate::session::SessionDecoder;
use crate::{DecodeLimits, Error, Format, detect, v1};

/// The longest tree text shown for a session frame; longer ones are cut with `…`.
const MAX_SHOWN_TREE_CHARS: usize = 96;

/// The longest value shown in full; longer ones are cut with `…` and their length given.
const MAX_SHOWN_VALUE_CHARS: usize = 48;
/// The most bytes shown per line in the bytes column.
const MAX_SHOWN_BYTES: usize = 8;

/// A listing and, if the stream is damaged, the error that stopped it.
#[derive(Clone, Debug)]
pub struct Inspection {
    /// The listing, one line per field or glyph, ending in a newline.
    pub listing: String,
    /// What is wrong with the stream, if anything.
    pub error: Option<Error>,
}

/// Lists `bytes` (any format [`detect`] knows), decoding within the default limits.
pub fn inspect(bytes: &[u8]) -> Inspection {
    inspect_with(bytes, &DecodeLimits::DEFAULT, None)
}

/// Lists `bytes`, decoding within `limits`; a session stream made with a codebook needs it.
pub fn inspect_with(bytes: &[u8], limits: &DecodeLimits, codebook: Option<Arc<Codebook>>) -> Inspection {
    let mut listing = String::new();
    let checked = limits.check(crate::Limit::Bytes, bytes.len() as u64, 0).and_then(|()| detect(bytes));
    let error = match checked {
        Ok(Format::V1) => inspect_v1(bytes, limits, &mut listing).err(),
        Ok(Format::V2) => inspect_v2(bytes, limits, &mut listing).err(),
        Ok(Format::Session) => inspect_session(bytes, limits, codebook, &mut listing).err(),
        Err(e) => Some(e),
    };
    if let Some(e) = &error {
        say(&mut listing, format_args!("error   {e}\n"));
    }
    Inspection { listing, error }
}

/// The bytes of `range`, which a reader has read already (so they are there).
fn span(bytes: &[u8], range: std::ops::Range<usize>) -> &[u8] {
    let span = bytes.get(range.clone());
    debug_assert!(span.is_some(), "{range:?} was read from {} bytes", bytes.len());
    span.unwrap_or_default()
}

/// Appends to a listing (writing into a `String` cannot fail).
fn say(listing: &mut String, text: std::fmt::Arguments<'_>) {
    let written = listing.write_fmt(text);
    debug_assert!(written.is_ok());
}

fn hex_bytes(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (i, byte) in bytes.iter().take(MAX_SHOWN_BYTES).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        say(&mut out, format_args!("{byte:02x}"));
    }
    if bytes.len() > MAX_SHOWN_BYTES {
        out.push_str(" …");
    }
    out
}

fn line(listing: &mut String, offset: usize, bytes: &[u8], text: &str) {
    say(listing, format_args!("{offset:06x}  {:<26}  {text}\n", hex_bytes(bytes)));
}

fn quoted(value: &str) -> String {
    let mut shown: String = value.chars().take(MAX_SHOWN_VALUE_CHARS).collect();
    let cut = shown.len() < value.len();
    let mut out = String::new();
    if cut {
        shown.push('…');
    }
    sigma_tree::json::write_json_string(&mut out, &shown);
    if cut {
        say(&mut out, format_args!(" ({} bytes)", value.len()));
    }
    out
}

fn inspect_v1(bytes: &[u8], limits: &DecodeLimits, listing: &mut String) -> Result<(), Error> {
    say(listing, format_args!("format  v1, {} bytes\n", bytes.len()));
    if let Some(&[a, b, c, d]) = bytes.get(..wire::HEADER_LEN) {
        let header = Header::from_u32(u32::from_be_bytes([a, b, c, d]));
        let text = format!(
            "header: version {}, flags {:#04x}, context id {}, {} glyphs",
            header.version, header.flags, header.context_id, header.glyph_count
        );
        line(listing, 0, &[a, b, c, d], &text);
    }
    let reader = Reader::new(bytes)?;
    let mut depth = 0usize;
    let mut end = wire::HEADER_LEN;
    for glyph in reader {
        let glyph = glyph?;
        let glyph_bytes = glyph_bytes(bytes, glyph.offset, &glyph.payload, glyph.primitive.id());
        end = glyph.offset + glyph_bytes.len();
        if glyph.is_end_marker() && depth > 0 {
            depth -= 1;
            line(listing, glyph.offset, glyph_bytes, &format!("{}END", "  ".repeat(depth)));
            continue;
        }
        let mut text = format!(
            "{}{} {}({:#04x})",
            "  ".repeat(depth),
            glyph.kind.name(),
            glyph.primitive.name(),
            glyph.primitive.id()
        );
        match glyph.payload {
            Payload::None => {}
            Payload::Text(value) => {
                text.push(' ');
                text.push_str(&quoted(value));
            }
            Payload::Bytes(raw) => {
                text.push_str(" payload ");
                for byte in raw {
                    say(&mut text, format_args!("{byte:02x}"));
                }
            }
        }
        line(listing, glyph.offset, glyph_bytes, &text);
        if glyph.kind == GlyphKind::Composite {
            depth += 1;
        }
    }
    let crc = span(bytes, end..bytes.len());
    let stored = crc.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b));
    line(listing, end, crc, &format!("crc16 {stored:#06x} (ok)"));
    let message = v1::decode_message_with_limits(bytes, limits)?;
    if let v1::MessageKind::Delta { base_context, new_primitives } = &message.kind {
        let names: Vec<&str> = new_primitives.iter().map(|p| p.name()).collect();
        say(
            listing,
            format_args!(
                "delta   base context {base_context:#010x}, new primitives [{}]\n",
                names.join(", ")
            ),
        );
    }
    say(listing, format_args!("tree    {}\n", message.tree));
    Ok(())
}

/// The bytes of the glyph at `offset`: first byte, escape, length prefix and payload.
fn glyph_bytes<'a>(bytes: &'a [u8], offset: usize, payload: &Payload<'_>, id: u8) -> &'a [u8] {
    let mut len = 1 + usize::from(id > wire::MAX_INLINE_PRIMITIVE);
    if let Some(payload) = payload.bytes() {
        len += if payload.len() < wire::SHORT_LENGTH_LIMIT { 1 } else { 2 } + payload.len();
    }
    span(bytes, offset..offset + len)
}

fn inspect_v2(bytes: &[u8], limits: &DecodeLimits, listing: &mut String) -> Result<(), Error> {
    if crate::v2::is_compact(bytes) {
        return inspect_compact(bytes, limits, listing);
    }
    let mut tree = sigma_tree::Tree::new();
    say(listing, format_args!("format  v2, {} bytes\n", bytes.len()));
    if let Some(&first) = bytes.first() {
        let palette = if first & v2::PALETTE_FLAG != 0 { "palette" } else { "no palette" };
        line(listing, 0, &[first], &format!("format byte: v2, {palette}"));
    }
    let mut reader = v2::Reader::new(bytes)?;
    palette_line(listing, bytes, reader.palette());
    // For each open node with children, whether it is its parent's last child.
    let mut open_last: Vec<bool> = Vec::new();
    let mut complete = false;
    while !reader.at_end() && !complete {
        let node = reader.next_node()?;
        let node_bytes = span(bytes, node.offset..reader.offset());
        let mut text = node_text(
            open_last.len(),
            node.has_children,
            node.value.is_some(),
            node.last_sibling,
            node.primitive,
        );
        if let Some(value) = node.value {
            text.push(' ');
            text.push_str(&quoted(value));
        }
        line(listing, node.offset, node_bytes, &text);
        complete = step(&mut open_last, node.has_children, node.last_sibling);
    }
    let end = reader.offset();
    let crc = span(bytes, end..bytes.len());
    if crc.len() == v2::CRC_LEN {
        let stored = crc.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b));
        line(listing, end, crc, &format!("crc32c {stored:#010x} (ok)"));
    }
    crate::v2::Decoder::new(*limits).decode_into(bytes, &mut tree)?;
    say(listing, format_args!("tree    {tree}\n"));
    Ok(())
}

/// Lists a v2 palette (if there is one) after the format byte.
fn palette_line(listing: &mut String, bytes: &[u8], palette: &[u8]) {
    if !palette.is_empty() {
        let names: Vec<String> = palette
            .iter()
            .enumerate()
            .map(|(code, &id)| format!("{code}={}", sigma_primitives::Primitive::new(id).name()))
            .collect();
        line(listing, 1, span(bytes, 1..2 + palette.len()), &format!("palette: {}", names.join(" ")));
    }
}

/// A v2 node's line, before its value: indentation, flags, primitive.
fn node_text(
    depth: usize,
    children: bool,
    value: bool,
    last: bool,
    primitive: sigma_primitives::Primitive,
) -> String {
    format!(
        "{}{}{}{} {}({:#04x})",
        "  ".repeat(depth),
        if children { 'C' } else { '-' },
        if value { 'V' } else { '-' },
        if last { 'L' } else { '-' },
        primitive.name(),
        primitive.id()
    )
}

/// Follows a v2 node's structure bits on the stack of open nodes (each one's last-sibling bit);
/// returns whether the tree is complete.
fn step(open_last: &mut Vec<bool>, has_children: bool, last_sibling: bool) -> bool {
    if has_children {
        open_last.push(last_sibling);
        return false;
    }
    let mut closes_parent = last_sibling;
    while closes_parent {
        closes_parent = open_last.pop().unwrap_or(false);
    }
    open_last.is_empty()
}

/// Lists a compact v2 message: each value with how it is written (a reference names the slot it
/// repeats, a prefix the bytes it shares with the previous text value, a number its packed size).
fn inspect_compact(bytes: &[u8], limits: &DecodeLimits, listing: &mut String) -> Result<(), Error> {
    use v2::compact::{self, CompactValue};
    say(listing, format_args!("format  v2 compact, {} bytes\n", bytes.len()));
    if let Some(&first) = bytes.first() {
        let palette = if first & v2::PALETTE_FLAG != 0 { "palette" } else { "no palette" };
        let check = if first & compact::SHORT_CHECK_FLAG != 0 { "one-byte check" } else { "four-byte check" };
        line(listing, 0, &[first], &format!("format byte: v2 compact, {palette}, {check}"));
    }
    let mut reader = v2::CompactReader::new(bytes)?;
    palette_line(listing, bytes, reader.palette());
    // The slots and the previous text value, kept as the decoder keeps them (without its checks,
    // which the decode below makes).
    let mut slots: std::collections::HashMap<usize, Vec<u8>> = std::collections::HashMap::new();
    let mut previous: Vec<u8> = Vec::new();
    let mut open_last: Vec<bool> = Vec::new();
    let mut complete = false;
    while !reader.at_end() && !complete {
        let node = reader.next_node()?;
        let node_bytes = span(bytes, node.offset..reader.offset());
        let mut text = node_text(
            open_last.len(),
            node.has_children,
            node.value.is_some(),
            node.last_sibling,
            node.primitive,
        );
        if let Some(value) = node.value {
            let (value, how) = match value {
                CompactValue::Literal(value) => {
                    if !compact::is_number(value) {
                        slots.insert(compact::slot(value), value.to_vec());
                        previous = value.to_vec();
                    }
                    (value.to_vec(), String::new())
                }
                CompactValue::Reference(slot) => {
                    let value = slots.get(&(slot as usize)).cloned().unwrap_or_default();
                    (value, format!(" (repeats slot {slot})"))
                }
                CompactValue::Number { packed, len } => {
                    let mut value = Vec::new();
                    let unpacked = compact::unpack_number(packed, len as usize, &mut value);
                    let how = match (unpacked, packed.len()) {
                        (Ok(()), 1) => " (number, 1 byte packed)".to_owned(),
                        (Ok(()), n) => format!(" (number, {n} bytes packed)"),
                        (Err(_), _) => " (number, bad packing)".to_owned(),
                    };
                    (value, how)
                }
                CompactValue::Prefix { shared, suffix } => {
                    let mut value = previous.get(..usize::from(shared)).unwrap_or_default().to_vec();
                    value.extend_from_slice(suffix);
                    previous = value.clone();
                    (value, format!(" (shares {shared} bytes with the previous text value)"))
                }
            };
            text.push(' ');
            text.push_str(&quoted(&String::from_utf8_lossy(&value)));
            text.push_str(&how);
        }
        line(listing, node.offset, node_bytes, &text);
        complete = step(&mut open_last, node.has_children, node.last_sibling);
    }
    let end = reader.offset();
    let check = span(bytes, end..bytes.len());
    match check.len() {
        1 => line(listing, end, check, &format!("crc8 {:#04x} (ok)", check.first().copied().unwrap_or(0))),
        v2::CRC_LEN => {
            let stored = check.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b));
            line(listing, end, check, &format!("crc32c {stored:#010x} (ok)"));
        }
        _ => {}
    }
    let mut tree = sigma_tree::Tree::new();
    crate::v2::Decoder::new(*limits).decode_into(bytes, &mut tree)?;
    say(listing, format_args!("tree    {tree}\n"));
    Ok(())
}

fn inspect_session(
    bytes: &[u8],
    limits: &DecodeLimits,
    codebook: Option<Arc<Codebook>>,
    listing: &mut String,
) -> Result<(), Error> {
    say(listing, format_args!("format  session stream, {} bytes\n", bytes.len()));
    let mut decoder = SessionDecoder::new(bytes, *limits, codebook)?;
    let config = *decoder.config();
    let codebook = decoder.codebook().map_or("none".to_owned(), |c| format!("{:016x}", c.hash()));
    line(
        listing,
        0,
        span(bytes, 0..decoder.header_len()),
        &format!(
            "header: window {}, values {}, min subtree {}, {}, codebook {codebook}",
            config.context.window,
            config.context.values,
            config.context.min_subtree,
            config.coding.name()
        ),
    );
    let mut frames = 0usize;
    for frame in decoder.frames(bytes) {
        let frame = frame?;
        let plain = frame.plain_len.map_or(String::new(), |n| format!(" (plain {n})"));
        let mut tree: String = frame.tree.to_string().chars().take(MAX_SHOWN_TREE_CHARS + 1).collect();
        if tree.chars().count() > MAX_SHOWN_TREE_CHARS {
            tree.pop();
            tree.push('…');
        }
        let text = format!(
            "frame {}: {}, body {}{plain} bytes, {} nodes: {tree}",
            frame.seq,
            frame.kind.name(),
            frame.body_len,
            frame.tree.node_count()
        );
        line(listing, frame.offset, span(bytes, frame.offset..frame.offset + frame.len), &text);
        frames += 1;
    }
    say(listing, format_args!("frames  {frames}\n"));
    Ok(())
}
