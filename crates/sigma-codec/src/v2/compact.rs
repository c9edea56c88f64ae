//! Compact v2: trees to compact messages and back (docs/FORMAT.md, "Compact v2").
//!
//! The encoder and the decoder keep the same 4,096 slots of text values ([`Slots`]): a text value
//! equal to the one in its slot is a reference, any other takes the slot. Numbers are packed and
//! skip the slots. The decoder also checks that each value is in its one canonical form, so
//! compact messages are as canonical as plain ones; a hostile message can make slots collide,
//! which costs it bytes and costs the decoder nothing.

use sigma_glyph::v2::compact::{
    self, CompactNode, CompactReader, CompactSpec, CompactValue, CompactWriter, MAX_SHARED, MIN_SHARED,
    SLOTS, ValueKind, ValueSpec,
};
use sigma_glyph::v2::{self as wire, CodeUsage, PrimitiveCoding};
use sigma_tree::Tree;
use sigma_tree::raw::{RawBuilder, ValueBytes};

use super::check_coding;
use crate::{DecodeLimits, Error, Limit};

/// The slots of one message, each a span in the buffer that holds the values (the tree being
/// encoded or decoded), valid when stamped with the current message's generation: starting a
/// message is one increment, not a clear.
#[derive(Debug, Default)]
pub(crate) struct Slots {
    /// `(generation, start, len)` per slot; empty until first used.
    slots: Vec<(u32, u32, u32)>,
    generation: u32,
    /// The previous text value's span.
    previous: (u32, u32),
}

impl Slots {
    /// Empties every slot for a new message.
    fn start(&mut self) {
        if self.slots.is_empty() {
            self.slots.resize(SLOTS, (0, 0, 0));
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.slots.fill((0, 0, 0));
            self.generation = 1;
        }
        self.previous = (0, 0);
    }

    /// The span slot `slot` holds this message, if any.
    #[inline]
    fn get(&self, slot: usize) -> Option<(u32, u32)> {
        match self.slots.get(slot) {
            Some(&(generation, start, len)) if generation == self.generation => Some((start, len)),
            _ => None,
        }
    }

    /// Puts the text value at `span` in `slot` and makes it the previous text value.
    #[inline]
    fn put(&mut self, slot: usize, span: (u32, u32)) {
        if let Some(entry) = self.slots.get_mut(slot) {
            *entry = (self.generation, span.0, span.1);
        }
        self.previous = span;
    }

    /// Makes the text value at `span` (a prefix value) the previous text value.
    #[inline]
    fn set_previous(&mut self, span: (u32, u32)) {
        self.previous = span;
    }
}

/// The bytes of `span` in `buffer` (never outside it; empty if it were).
#[inline]
fn span_bytes(buffer: &[u8], (start, len): (u32, u32)) -> &[u8] {
    let bytes = buffer.get(start as usize..start as usize + len as usize);
    debug_assert!(bytes.is_some(), "a slot's span lies in its buffer");
    bytes.unwrap_or_default()
}

/// Whether `a` and `b` are the same bytes: short ones compared as two overlapping words, with no
/// call to `memcmp`.
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| {
        s.get(at..at + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()).map(u64::from_le_bytes)
    };
    let half = |s: &[u8], at: usize| {
        s.get(at..at + 4).and_then(|w| <[u8; 4]>::try_from(w).ok()).map(u32::from_le_bytes)
    };
    match n {
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        _ => a == b,
    }
}

/// Encodes `tree` as a compact message appended to `buf`; returns its length. On error `buf` is
/// left as it was.
pub(crate) fn encode_into(
    tree: &Tree,
    buf: &mut Vec<u8>,
    slots: &mut Slots,
    last_coding: &mut PrimitiveCoding,
) -> Result<usize, Error> {
    if tree.is_empty() {
        return Err(Error::EmptyTree);
    }
    let start = buf.len();
    if tree.node_count() <= super::SMALL_TREE_NODES
        && let Some(written) = write_small(tree, buf, slots)
    {
        *last_coding = PrimitiveCoding::Identity;
        return written.inspect_err(|_| buf.truncate(start)).map_err(Error::from);
    }
    // Written with the last tree's coding while gathering this one's; if they differ, written
    // again with the right one (as plain messages are).
    let guess = *last_coding;
    let (written, coding) = write(tree, buf, slots, &guess);
    *last_coding = coding;
    let written = if coding == guess {
        written
    } else {
        buf.truncate(start);
        write(tree, buf, slots, &coding).0
    };
    written.inspect_err(|_| buf.truncate(start)).map_err(Error::from)
}

/// The form of the value at `at..at + len` of `values` (the tree's value buffer), by the rules of
/// compact v2, updating the slots as a decoder will.
#[inline(always)]
fn choose<'v>(values: &'v [u8], at: usize, len: usize, slots: &mut Slots) -> ValueSpec<'v> {
    // The value and what follows it in the tree's buffer, for chunked copies.
    let tail = values.get(at..);
    debug_assert!(tail.is_some_and(|t| t.len() >= len), "a value span lies in the tree's buffer");
    let tail = tail.unwrap_or_default();
    let value = tail.get(..len).unwrap_or_default();
    if !value.first().is_some_and(|&b| compact::is_number_char(b)) {
        // Text (or the empty value, text too).
    } else if len <= compact::MAX_PACKED_CHARS {
        let mut packed = [0; compact::CHUNK];
        if compact::pack_if_number(value, &mut packed).is_some() {
            return if len >= 2 {
                ValueSpec::Packed { packed, len: len as u8 }
            } else {
                ValueSpec::Literal { bytes: tail, len }
            };
        }
    } else if compact::is_number(value) {
        return ValueSpec::Number(value);
    }
    let shared = shared_in(values, slots.previous, (at as u32, len as u32));
    if shared >= MIN_SHARED {
        slots.set_previous((at as u32, len as u32));
        let suffix = tail.get(shared..).unwrap_or_default();
        return ValueSpec::Prefix { shared: shared as u8, suffix, len: len - shared };
    }
    let slot = compact::slot(value);
    if let Some(held) = slots.get(slot)
        && same_bytes(span_bytes(values, held), value)
    {
        return ValueSpec::Reference(slot as u32);
    }
    slots.put(slot, (at as u32, len as u32));
    ValueSpec::Literal { bytes: tail, len }
}

/// The bytes the values at spans `a` and `b` of `values` start with in common (at most 255): as
/// [`compact::shared_prefix`], but first comparing one word of each read in place (the buffer
/// runs on past a value, but for the last), which settles short values without a loop.
#[inline(always)]
fn shared_in(values: &[u8], a: (u32, u32), b: (u32, u32)) -> usize {
    let word = |at: u32| {
        values
            .get(at as usize..at as usize + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map(u64::from_le_bytes)
    };
    let shortest = a.1.min(b.1) as usize;
    if let (Some(x), Some(y)) = (word(a.0), word(b.0)) {
        let diff = x ^ y;
        if diff != 0 || shortest <= 8 {
            let same = if diff == 0 { 8 } else { (diff.trailing_zeros() / 8) as usize };
            return same.min(shortest);
        }
    }
    compact::shared_prefix(span_bytes(values, a), span_bytes(values, b))
}

/// Writes a small tree with `Vec` pushes, if none of its primitives needs an escape (then no
/// palette can pay): without [`CompactWriter`]'s per-message setup, which dominates on small
/// trees. `None` (and `buf` as it was) otherwise.
fn write_small(
    tree: &Tree,
    buf: &mut Vec<u8>,
    slots: &mut Slots,
) -> Option<Result<usize, sigma_glyph::Error>> {
    if tree.nodes().any(|node| node.primitive().id() >= wire::ESCAPE) {
        return None;
    }
    let start = buf.len();
    let values = tree.value_buffer().as_bytes();
    buf.reserve(1 + 7 * tree.node_count() + values.len() + wire::CRC_LEN);
    buf.push(wire::FORMAT_BYTE | compact::COMPACT_FLAG);
    slots.start();
    for node in tree.nodes() {
        let tag = node.primitive().id()
            | if node.has_children() { wire::HAS_CHILDREN } else { 0 }
            | if node.value_span().is_some() { wire::HAS_VALUE } else { 0 }
            | if node.is_last_sibling() { wire::LAST_SIBLING } else { 0 };
        buf.push(tag);
        if let Some((at, len)) = node.value_span()
            && let Err(e) = compact::push_value(buf, choose(values, at, len, slots))
        {
            return Some(Err(e));
        }
    }
    Some(Ok(compact::push_check(buf, start)))
}

/// Writes `tree` with `coding`; returns the length (or the error) and the canonical coding of the
/// tree (which the bytes are in only if it is `coding`).
fn write(
    tree: &Tree,
    buf: &mut Vec<u8>,
    slots: &mut Slots,
    coding: &PrimitiveCoding,
) -> (Result<usize, sigma_glyph::Error>, PrimitiveCoding) {
    let values = tree.value_buffer().as_bytes();
    // Per node at most a tag, an escaped id, a five-byte header and a shared-prefix byte.
    let bound = 2 + 31 + 8 * tree.node_count() + values.len() + 4;
    let mut writer = CompactWriter::new(buf, coding, bound);
    slots.start();
    let specs = tree.nodes().map(|node| {
        let value = node.value_span().map(|(at, len)| choose(values, at, len, slots));
        CompactSpec {
            primitive: node.primitive(),
            value,
            has_children: node.has_children(),
            last_sibling: node.is_last_sibling(),
        }
    });
    let written = writer.nodes(specs);
    let canonical = writer.canonical_coding();
    (written.and_then(|()| writer.finish()), canonical)
}

/// Decodes the compact message `bytes` into `builder`, checking every value's form against the
/// slots. The values' UTF-8 is the builder's to check when it finishes.
pub(crate) fn decode(
    bytes: &[u8],
    builder: &mut RawBuilder,
    limits: &DecodeLimits,
    slots: &mut Slots,
) -> Result<(), Error> {
    let mut reader = CompactReader::new(bytes)?;
    slots.start();
    let len = bytes.len() as u64;
    // Each node takes at least a byte, so the node and depth limits need checking only when they
    // are below the input's length; values may outgrow the input, so they are always checked.
    let check_each = limits.max_nodes < len || limits.max_depth < len;
    let mut usage = CodeUsage::new();
    let mut nodes = 0u64;
    let mut total = 0u64;
    loop {
        if reader.at_end() {
            if nodes == 0 {
                return Err(Error::NoGlyphs { offset: reader.offset() });
            }
            return Err(Error::UnclosedComposite { offset: reader.offset(), open: builder.open_count() });
        }
        let node = reader.next_node()?;
        nodes += 1;
        if check_each {
            limits.check(Limit::Nodes, nodes, node.offset)?;
            limits.check(Limit::Depth, builder.open_count() as u64 + 1, node.offset)?;
        }
        if nodes == 1 && node.last_sibling {
            return Err(Error::NonCanonicalRoot { offset: node.offset });
        }
        usage.add(node.code, node.primitive.id());
        let complete = match node.value {
            None => builder.preorder_node(node.primitive, None, node.has_children, node.last_sibling)?,
            Some(value) => add_value(bytes, &node, value, builder, limits, slots, &mut total)?,
        };
        if complete {
            break;
        }
    }
    if !reader.at_end() {
        return Err(Error::ExtraTree { offset: reader.offset() });
    }
    check_coding(&usage, reader.palette())
}

/// Adds `node`, whose value is `value`, to the tree: resolved against the slots, within the
/// limits, checked to be canonical. Returns whether the tree is complete.
#[inline]
fn add_value(
    message: &[u8],
    node: &CompactNode<'_>,
    value: CompactValue<'_>,
    builder: &mut RawBuilder,
    limits: &DecodeLimits,
    slots: &mut Slots,
    total: &mut u64,
) -> Result<bool, Error> {
    let at = node.value_offset;
    let (primitive, children, last) = (node.primitive, node.has_children, node.last_sibling);
    // The span a reference repeats, found once.
    let mut held = (0, 0);
    let len = match value {
        CompactValue::Literal(bytes) => bytes.len(),
        CompactValue::Reference(slot) => match slots.get(slot as usize) {
            Some(span) => {
                held = span;
                span.1 as usize
            }
            None => return Err(sigma_glyph::Error::BadReference { offset: at, slot }.into()),
        },
        CompactValue::Number { len, .. } => len as usize,
        CompactValue::Prefix { shared, suffix } => {
            if usize::from(shared) < MIN_SHARED {
                return Err(non_canonical(
                    at,
                    "a value sharing fewer than 4 bytes with the previous text value is no prefix",
                ));
            }
            if u32::from(shared) > slots.previous.1 {
                return Err(non_canonical(
                    at,
                    "a prefix value shares more bytes than the previous text value has",
                ));
            }
            usize::from(shared) + suffix.len()
        }
    };
    limits.check(Limit::ValueBytes, len as u64, at)?;
    *total += len as u64;
    limits.check(Limit::TotalValueBytes, *total, at)?;
    let start = builder.value_bytes().len() as u32;
    let written = value.kind();
    match value {
        CompactValue::Literal(bytes) => {
            let number = compact::is_number(bytes);
            let buffer = builder.value_bytes();
            let shared =
                if number { 0 } else { compact::shared_prefix(span_bytes(buffer, slots.previous), bytes) };
            // The slot matters only to text that is no prefix (`canonical_kind` ignores it else).
            let slot = (!number && shared < MIN_SHARED).then(|| compact::slot(bytes));
            let in_slot = slot.is_some_and(|slot| {
                slots.get(slot).is_some_and(|h| same_bytes(span_bytes(buffer, h), bytes))
            });
            expect(at, written, compact::canonical_kind(len, number, shared, in_slot))?;
            if let Some(slot) = slot {
                slots.put(slot, (start, len as u32));
            }
            // The value and what follows it, for the builder's chunked copy.
            let bytes = message.get(node.payload_offset..).unwrap_or(bytes);
            Ok(builder.preorder_node(primitive, Some(ValueBytes { bytes, len }), children, last)?)
        }
        CompactValue::Reference(_) => {
            // A slot holds only text values that were checked; the reference must not be a prefix.
            let buffer = builder.value_bytes();
            let shared = compact::shared_prefix(span_bytes(buffer, slots.previous), span_bytes(buffer, held));
            expect(at, written, compact::canonical_kind(len, false, shared, true))?;
            let span = held.0 as usize..(held.0 + held.1) as usize;
            Ok(builder.preorder_node_written(
                primitive,
                len,
                |b| b.extend_from_within(span),
                children,
                last,
            )?)
        }
        CompactValue::Number { packed, .. } => {
            expect(at, written, compact::canonical_kind(len, true, 0, false))?;
            let mut bad = None;
            let written = builder.preorder_node_written(
                primitive,
                len,
                |b| bad = compact::unpack_number(packed, len, b).err(),
                children,
                last,
            );
            if let Some(i) = bad {
                return Err(non_canonical(
                    node.payload_offset + i,
                    "a packed number holds a pad (0xF) where a character belongs, or lacks it after an odd count",
                ));
            }
            Ok(written?)
        }
        CompactValue::Prefix { shared, suffix } => {
            let (from, previous_len) = slots.previous;
            let shared = usize::from(shared);
            // Shares all it can (up to 255 bytes): the previous value and the suffix differ at
            // once, unless one of them ends there.
            let buffer = builder.value_bytes();
            let next_previous = buffer.get(from as usize + shared).copied();
            if shared < MAX_SHARED
                && shared < previous_len as usize
                && !suffix.is_empty()
                && suffix.first().copied() == next_previous
            {
                return Err(non_canonical(
                    at,
                    "a prefix value shares all it can with the previous text value (up to 255 bytes)",
                ));
            }
            let from = from as usize;
            let complete = builder.preorder_node_written(
                primitive,
                len,
                |b| {
                    b.extend_from_within(from..from + shared);
                    b.extend_from_slice(suffix);
                },
                children,
                last,
            )?;
            let buffer = builder.value_bytes();
            let number = compact::is_number(span_bytes(buffer, (start, len as u32)));
            expect(at, written, compact::canonical_kind(len, number, shared, false))?;
            slots.set_previous((start, len as u32));
            Ok(complete)
        }
    }
}

/// `Ok` if a value written as `written` has that canonical kind, else why it should have been
/// written as `expected`.
fn expect(at: usize, written: ValueKind, expected: ValueKind) -> Result<(), Error> {
    if written == expected {
        return Ok(());
    }
    Err(non_canonical(
        at,
        match (expected, written) {
            (ValueKind::Number, _) => "a value of number characters is a packed number",
            (ValueKind::Literal, ValueKind::Number) => "a one-character number is a literal",
            (ValueKind::Literal, _) => "this value is a literal",
            (ValueKind::Prefix, _) => {
                "a value sharing 4 bytes or more with the previous text value is a prefix"
            }
            (ValueKind::Reference, _) => "a value its slot holds is a reference to the slot",
        },
    ))
}

fn non_canonical(offset: usize, reason: &'static str) -> Error {
    sigma_glyph::Error::NonCanonicalValue { offset, reason }.into()
}

/// Offset in `bytes` (a compact message that decoded up to its values' UTF-8) of the byte that
/// made node `index`'s value invalid, `valid_up_to` bytes into the value: found again on the
/// error path only. A prefix value's shared bytes came from a valid value, so the fault is in
/// its suffix; a reference repeats a value that was checked before it.
#[cold]
pub(crate) fn value_offset(bytes: &[u8], index: usize, valid_up_to: usize) -> Option<usize> {
    let mut reader = CompactReader::new(bytes).ok()?;
    for _ in 0..index {
        reader.next_node().ok()?;
    }
    let node = reader.next_node().ok()?;
    let skipped = match node.value? {
        CompactValue::Prefix { shared, .. } => usize::from(shared),
        _ => 0,
    };
    Some(node.payload_offset + valid_up_to.saturating_sub(skipped))
}
