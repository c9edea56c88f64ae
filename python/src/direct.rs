//! `dumps` to format v2 without building a tree: the nodes of a JSON value are written as the
//! value is walked, the bytes `encode(Tree.from_value(value))` gives.
//!
//! A JSON value's tree uses only the seven JSON primitives, all of ids 0x70 and up, so its v2
//! message has a palette as soon as it has more nodes than the palette has bytes (every node
//! would otherwise pay an escape): the palette is exactly the primitives used, ascending. The
//! writer starts with the palette of all seven and notes where each tag is; at the end, if
//! fewer were used, it renumbers the tags' codes and writes the smaller palette in front. A value
//! of so few nodes that no palette is due (a lone number, `[1]`) goes through a tree instead.

use pyo3::prelude::*;
use sigma_glyph::v2::{
    CODE_MASK, FORMAT_BYTE, HAS_CHILDREN, LAST_SIBLING, PALETTE_FLAG, PrimitiveCoding, Writer, choose_coding,
    crc32c, length_len,
};
use sigma_tree::{MAX_NODES, MAX_VALUE_BYTES, Primitive, PrimitiveSet};

use crate::convert::{Sink, walk_value};
use crate::errors;

/// The JSON primitives, ascending by id: code `i` of the full palette is `JSON[i]`.
const JSON: [Primitive; 7] = [
    Primitive::LIST,
    Primitive::DICT,
    Primitive::STRING,
    Primitive::NUMBER,
    Primitive::BOOLEAN,
    Primitive::NULL,
    Primitive::RECORD,
];

/// Bytes of the full palette's header: format byte, count, seven ids.
const FULL_HEADER: usize = 2 + JSON.len();

/// The code of `primitive` in the full palette.
fn full_code(primitive: Primitive) -> u8 {
    match primitive {
        Primitive::LIST => 0,
        Primitive::DICT => 1,
        Primitive::STRING => 2,
        Primitive::NUMBER => 3,
        Primitive::BOOLEAN => 4,
        Primitive::NULL => 5,
        _ => {
            debug_assert_eq!(primitive, Primitive::RECORD, "the walk gives only JSON primitives");
            6
        }
    }
}

/// Writes the v2 message of the JSON value `value` into `buf` (cleared first), using `tags` as
/// scratch, and returns it (a tail of `buf`); `None` if the value is too small for a palette
/// (then the caller encodes its tree).
pub(crate) fn write_v2<'b>(
    value: &Bound<'_, PyAny>,
    buf: &'b mut Vec<u8>,
    tags: &mut Vec<usize>,
) -> PyResult<Option<&'b [u8]>> {
    buf.clear();
    tags.clear();
    let internal = |what: &str| errors::raise(errors::Kind::Encode, format!("internal error: {what}"), None);
    let PrimitiveCoding::Palette(full) = choose_coding(&primitive_set(FULL_PALETTE), u64::MAX) else {
        return Err(internal("seven primitives make no palette"));
    };
    let mut sink = WireSink {
        writer: Writer::new(buf, &PrimitiveCoding::Palette(full)),
        at: FULL_HEADER,
        tags,
        used: 0,
        value_bytes: 0,
        open: Vec::new(),
        last_children: Vec::new(),
        childless: Vec::new(),
    };
    walk_value(value, &mut sink)?;
    let WireSink { used, last_children, childless, open, .. } = sink;
    if !open.is_empty() {
        return Err(internal("nodes left open"));
    }
    // The structure flags as the walk found it to be (see `WireSink::close`).
    for at in last_children {
        if let Some(tag) = buf.get_mut(at) {
            *tag |= LAST_SIBLING;
        }
    }
    for at in childless {
        if let Some(tag) = buf.get_mut(at) {
            *tag &= !HAS_CHILDREN;
        }
    }
    // The format's own rule, on the primitives used: a palette, or none for so few nodes.
    let PrimitiveCoding::Palette(palette) = choose_coding(&primitive_set(used), tags.len() as u64) else {
        return Ok(None);
    };
    let ids = palette.ids();
    if ids.len() < JSON.len() {
        // Renumber: code `c` of the full palette becomes the used primitive's place in `ids`.
        let mut renumber = [0u8; JSON.len()];
        for (new, old) in renumber.iter_mut().zip(JSON) {
            // An unused primitive's code is in no tag; if it were, the escape code it gets here
            // would make the message fail to decode rather than decode wrong.
            *new = ids.iter().position(|&id| id == old.id()).map_or(CODE_MASK, |p| p as u8);
        }
        for &at in tags.iter() {
            // Every offset is a tag this writer wrote, with a code of the full palette.
            if let Some(tag) = buf.get_mut(at) {
                let code = renumber.get(usize::from(*tag & CODE_MASK)).copied();
                debug_assert!(code.is_some(), "a tag outside the full palette");
                *tag = (*tag & !CODE_MASK) | code.unwrap_or(CODE_MASK);
            }
        }
    }
    let start = FULL_HEADER - (2 + ids.len());
    let front = buf.get_mut(start..FULL_HEADER).ok_or_else(|| internal("the message lost its header"))?;
    let (format, palette_bytes) = front.split_at_mut(2);
    format.copy_from_slice(&[FORMAT_BYTE | PALETTE_FLAG, ids.len() as u8]);
    palette_bytes.copy_from_slice(ids);
    let crc = crc32c(buf.get(start..).ok_or_else(|| internal("the message lost its header"))?);
    buf.extend_from_slice(&crc.to_be_bytes());
    Ok(buf.get(start..))
}

/// Every code of the full palette.
const FULL_PALETTE: u32 = (1 << JSON.len()) - 1;

/// The primitives whose full-palette codes are the bits of `codes`.
fn primitive_set(codes: u32) -> PrimitiveSet {
    let mut set = PrimitiveSet::new();
    for (code, primitive) in JSON.into_iter().enumerate() {
        if codes & (1 << code) != 0 {
            set.insert(primitive);
        }
    }
    set
}

/// The sink that writes nodes as v2 bytes.
struct WireSink<'b, 't> {
    writer: Writer<'b>,
    /// Offset in the buffer of the next node's tag.
    at: usize,
    /// Offset of every node's tag.
    tags: &'t mut Vec<usize>,
    /// Bit `c`: code `c` of the full palette was used.
    used: u32,
    /// Value bytes written so far (the tree path's bound, kept here too).
    value_bytes: u64,
    /// Each open node with children: its tag's offset and its latest child's.
    open: Vec<(usize, Option<usize>)>,
    /// Tags to mark as their parent's last child, and tags whose children never came.
    last_children: Vec<usize>,
    childless: Vec<usize>,
}

impl Sink for WireSink<'_, '_> {
    #[inline]
    fn node(&mut self, primitive: Primitive, value: Option<&str>, has_children: bool) -> PyResult<()> {
        if self.tags.len() as u64 >= MAX_NODES {
            return Err(errors::tree(sigma_tree::Error::TooManyNodes { limit: MAX_NODES }));
        }
        self.used |= 1 << full_code(primitive);
        let tag = self.at;
        self.tags.push(tag);
        self.at += 1;
        if let Some((_, latest)) = self.open.last_mut() {
            *latest = Some(tag);
        }
        if has_children {
            self.open.push((tag, None));
        }
        if let Some(value) = value {
            self.value_bytes += value.len() as u64;
            if self.value_bytes > MAX_VALUE_BYTES {
                return Err(errors::tree(sigma_tree::Error::ValuesTooLarge { limit: MAX_VALUE_BYTES }));
            }
            self.at += length_len(value.len()) + value.len();
        }
        // The last-sibling bit is set when the parent closes, when which child was last is
        // certain (a container's length, read before, could be changed by Python code that a
        // garbage collection inside the walk runs).
        self.writer
            .node(primitive, value.map(str::as_bytes), has_children, false)
            .map_err(|e| errors::codec(e.into(), errors::Side::Encode))
    }

    #[inline]
    fn close(&mut self) -> PyResult<()> {
        match self.open.pop() {
            Some((_, Some(last_child))) => self.last_children.push(last_child),
            // A container found empty by the time it was walked.
            Some((parent, None)) => self.childless.push(parent),
            None => {
                return Err(errors::raise(
                    errors::Kind::Encode,
                    "internal error: close without a node",
                    None,
                ));
            }
        }
        Ok(())
    }
}
