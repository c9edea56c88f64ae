//! Writing v2 messages into a caller's buffer.

use sigma_primitives::Primitive;

use super::{
    CODE_MASK, CRC_LEN, CodeUsage, ESCAPE, FORMAT_BYTE, HAS_CHILDREN, HAS_VALUE, LAST_SIBLING,
    LONG_LENGTH_PREFIX, MAX_VALUE_LEN, MEDIUM_LENGTH_LIMIT, PALETTE_FLAG, PrimitiveCoding,
    SHORT_LENGTH_LIMIT, append_crc32c, crc32c_append,
};
use crate::Error;

/// Appends one v2 message to a `Vec<u8>` the caller owns and may reuse.
///
/// [`Writer::new`] writes the format byte and palette, [`Writer::node`] appends nodes in
/// pre-order, [`Writer::finish`] appends the CRC. Structure (which node is last, that the tree is
/// complete) is the caller's to get right; the reader checks it.
#[derive(Debug)]
pub struct Writer<'b> {
    buf: &'b mut Vec<u8>,
    start: usize,
    /// Code of each primitive id; `ESCAPE` for ids written in full.
    codes: [u8; 256],
}

impl<'b> Writer<'b> {
    /// Starts a message with this primitive coding.
    pub fn new(buf: &'b mut Vec<u8>, coding: &PrimitiveCoding) -> Writer<'b> {
        let start = buf.len();
        let mut codes = [ESCAPE; 256];
        match coding {
            PrimitiveCoding::Identity => {
                buf.push(FORMAT_BYTE);
                for (id, code) in codes.iter_mut().enumerate().take(usize::from(ESCAPE)) {
                    *code = id as u8;
                }
            }
            PrimitiveCoding::Palette(palette) => {
                let ids = palette.ids();
                buf.push(FORMAT_BYTE | PALETTE_FLAG);
                buf.push(ids.len() as u8);
                buf.extend_from_slice(ids);
                for (code, &id) in ids.iter().enumerate() {
                    if let Some(slot) = codes.get_mut(usize::from(id)) {
                        *slot = code as u8;
                    }
                }
            }
        }
        Writer { buf, start, codes }
    }

    /// Where in the buffer this message starts.
    pub fn start(&self) -> usize {
        self.start
    }

    /// Appends a node: tag, escaped id if needed, and the value with its length if there is one.
    #[inline]
    pub fn node(
        &mut self,
        primitive: Primitive,
        value: Option<&[u8]>,
        has_children: bool,
        last_sibling: bool,
    ) -> Result<(), Error> {
        let id = primitive.id();
        let code = self.codes.get(usize::from(id)).copied().unwrap_or(ESCAPE);
        let mut tag = code;
        if has_children {
            tag |= HAS_CHILDREN;
        }
        if value.is_some() {
            tag |= HAS_VALUE;
        }
        if last_sibling {
            tag |= LAST_SIBLING;
        }
        if code == ESCAPE {
            self.buf.extend_from_slice(&[tag, id]);
        } else {
            self.buf.push(tag);
        }
        if let Some(value) = value {
            write_length(self.buf, value.len())?;
            self.buf.extend_from_slice(value);
        }
        Ok(())
    }

    /// Appends the CRC; returns the message's length in bytes.
    pub fn finish(self) -> usize {
        append_crc32c(self.buf, self.start);
        self.buf.len() - self.start
    }
}

/// A value to write: `bytes[..len]`. `bytes` may run on past the value (to the end of the
/// caller's value buffer): [`SizedWriter`] then copies short values in fixed-size chunks, which
/// is much cheaper than a `memcpy` call per value.
#[derive(Clone, Copy, Debug)]
pub struct ValueRef<'a> {
    /// The value's bytes, and perhaps bytes after them.
    pub bytes: &'a [u8],
    /// The value's length.
    pub len: usize,
}

impl<'a> ValueRef<'a> {
    /// Exactly `value`, nothing after it.
    pub fn exact(value: &'a [u8]) -> ValueRef<'a> {
        ValueRef { bytes: value, len: value.len() }
    }
}

/// One node for [`SizedWriter::nodes`].
#[derive(Clone, Copy, Debug)]
pub struct NodeSpec<'v> {
    /// The primitive.
    pub primitive: Primitive,
    /// The value, if any.
    pub value: Option<ValueRef<'v>>,
    /// Whether the node's children follow it.
    pub has_children: bool,
    /// Whether the node is its parent's last child.
    pub last_sibling: bool,
}

/// Writes one v2 message whose length (or a bound on it) is known in advance into a caller's
/// reusable buffer.
///
/// The fast path of encoding: the buffer is sized once, then nodes go into a plain slice (no
/// capacity check per byte), short values are copied in 32-byte chunks, and the CRC is folded in
/// while the bytes are still in cache. Structure is the caller's to get right, as with
/// [`Writer`]; nodes that need more room than given are a [`Error::SizeMismatch`], never a
/// panic.
#[derive(Debug)]
pub struct SizedWriter<'b> {
    /// The caller's buffer; the message starts at `start`.
    buf: &'b mut Vec<u8>,
    start: usize,
    /// Next byte to write, from `start`.
    pos: usize,
    /// How primitives are written.
    coding: PrimitiveCoding,
    /// CRC of the message's bytes before `crc_pos`: computed block by block while they are still
    /// in cache.
    crc: u32,
    crc_pos: usize,
    /// The primitives written so far.
    usage: CodeUsage,
}

/// Bytes of output between CRC updates.
const CRC_BLOCK: usize = 8 * 1024;

impl<'b> SizedWriter<'b> {
    /// Grows `buf` by `max_len` bytes and writes the format byte and palette there. `max_len` is
    /// the whole message's length, CRC included, or a bound on it: [`SizedWriter::finish`] cuts
    /// `buf` back to the message's end.
    pub fn new(buf: &'b mut Vec<u8>, coding: &PrimitiveCoding, max_len: usize) -> SizedWriter<'b> {
        let start = buf.len();
        buf.resize(start + max_len, 0);
        let mut writer =
            SizedWriter { buf, start, pos: 0, coding: *coding, crc: 0, crc_pos: 0, usage: CodeUsage::new() };
        match coding {
            PrimitiveCoding::Identity => writer.put(FORMAT_BYTE),
            PrimitiveCoding::Palette(palette) => {
                let ids = palette.ids();
                writer.put(FORMAT_BYTE | PALETTE_FLAG);
                writer.put(ids.len() as u8);
                for &id in ids {
                    writer.put(id);
                }
            }
        }
        writer
    }

    /// The message's room in the buffer.
    #[inline]
    fn out(&mut self) -> &mut [u8] {
        let out = self.buf.get_mut(self.start..);
        debug_assert!(out.is_some(), "the message starts inside the buffer");
        out.unwrap_or_default()
    }

    #[inline]
    fn put(&mut self, byte: u8) {
        let pos = self.pos;
        if let Some(slot) = self.out().get_mut(pos) {
            *slot = byte;
        }
        self.pos += 1;
    }

    fn overflow(&self) -> Error {
        Error::SizeMismatch { planned: self.buf.len() - self.start, needed: self.pos }
    }

    /// Appends a node: tag, escaped id if needed, and the value with its length if there is one.
    #[inline]
    pub fn node(
        &mut self,
        primitive: Primitive,
        value: Option<ValueRef<'_>>,
        has_children: bool,
        last_sibling: bool,
    ) -> Result<(), Error> {
        self.nodes(std::iter::once(NodeSpec { primitive, value, has_children, last_sibling }))
    }

    /// Appends nodes, in pre-order: [`SizedWriter::node`] for each, in one tight loop (the
    /// cursor stays in a register).
    #[inline]
    pub fn nodes<'v>(&mut self, nodes: impl Iterator<Item = NodeSpec<'v>>) -> Result<(), Error> {
        let codes = codes(&self.coding);
        let mut pos = self.pos;
        let start = self.start;
        // What the nodes use, in registers (escaped ids, rare, go straight to `self.usage`).
        let mut codes_used = 0u32;
        let mut high_ids = 0u64;
        // Escaped ids, marked by plain stores (no read, no branch: escaped and plain ids mix
        // unpredictably); unescaped nodes mark the spare last slot.
        let mut escaped_seen = [false; 257];
        for node in nodes {
            let id = node.primitive.id();
            let code = codes.get(usize::from(id)).copied().unwrap_or(ESCAPE);
            codes_used |= 1 << (code & CODE_MASK);
            high_ids += u64::from(id >= ESCAPE);
            let mark = if code == ESCAPE { usize::from(id) } else { 256 };
            if let Some(slot) = escaped_seen.get_mut(mark) {
                *slot = true;
            }
            let tag = code
                | if node.has_children { HAS_CHILDREN } else { 0 }
                | if node.value.is_some() { HAS_VALUE } else { 0 }
                | if node.last_sibling { LAST_SIBLING } else { 0 };
            let escaped = usize::from(code == ESCAPE);
            // The common case in one bounds check: a short value (or none) and room for a
            // window of tag, id, length and a whole chunk. The id is always stored and kept
            // only when escaped (otherwise the next byte lands on it): escaped and plain ids
            // mix unpredictably, so no branch on it.
            let window: Option<&mut [u8; WINDOW]> =
                self.buf.get_mut(start + pos..start + pos + WINDOW).and_then(|w| w.try_into().ok());
            let fast = match (window, node.value) {
                (Some(window), None) => {
                    window[0] = tag;
                    window[1] = id;
                    pos += 1 + escaped;
                    true
                }
                (Some(window), Some(value)) if value.len <= CHUNK => {
                    match value.bytes.get(..CHUNK).and_then(|c| <&[u8; CHUNK]>::try_from(c).ok()) {
                        Some(chunk) => {
                            window[0] = tag;
                            window[1] = id;
                            // `value.len <= CHUNK < 128`: a one-byte length, then the chunk.
                            if let Some(len_byte) = window.get_mut(1 + escaped) {
                                *len_byte = value.len as u8;
                            }
                            if let Some(dst) = window.get_mut(2 + escaped..2 + escaped + CHUNK) {
                                dst.copy_from_slice(chunk);
                            }
                            pos += 2 + escaped + value.len;
                            true
                        }
                        None => false,
                    }
                }
                _ => false,
            };
            if !fast {
                self.pos = pos;
                let slow = self.node_slow(tag, id, node.value);
                if slow.is_err() {
                    self.merge_usage(codes_used, high_ids, &escaped_seen);
                    return slow;
                }
                pos = self.pos;
            }
            if pos - self.crc_pos >= CRC_BLOCK {
                self.pos = pos;
                self.update_crc();
            }
        }
        self.pos = pos;
        self.merge_usage(codes_used, high_ids, &escaped_seen);
        Ok(())
    }

    /// Adds a `nodes` loop's findings to the usage.
    fn merge_usage(&mut self, codes_used: u32, high_ids: u64, escaped_seen: &[bool; 257]) {
        merge_usage(&mut self.usage, codes_used, high_ids, escaped_seen);
    }

    /// The canonical coding of the nodes written so far: when it is not the one this writer
    /// writes with, the message is not canonical and must be written again with it.
    pub fn canonical_coding(&self) -> PrimitiveCoding {
        canonical_coding(&self.usage, &self.coding)
    }

    /// [`SizedWriter::node`] for long values and the last bytes of the message.
    #[inline(never)]
    fn node_slow(&mut self, tag: u8, id: u8, value: Option<ValueRef<'_>>) -> Result<(), Error> {
        self.put(tag);
        if tag & CODE_MASK == ESCAPE {
            self.put(id);
        }
        let Some(value) = value else { return Ok(()) };
        let len = value.len;
        if len < SHORT_LENGTH_LIMIT {
            self.put(len as u8);
        } else if len < MEDIUM_LENGTH_LIMIT {
            self.put(0x80 | (len >> 8) as u8);
            self.put(len as u8);
        } else {
            let long = u32::try_from(len)
                .map_err(|_| Error::PayloadTooLong { length: len, limit: MAX_VALUE_LEN as usize })?;
            let [a, b, c, d] = long.to_be_bytes();
            for byte in [LONG_LENGTH_PREFIX[0], LONG_LENGTH_PREFIX[1], a, b, c, d] {
                self.put(byte);
            }
        }
        let pos = self.pos;
        let (Some(dst), Some(src)) = (self.out().get_mut(pos..pos + len), value.bytes.get(..len)) else {
            self.pos += len;
            return Err(self.overflow());
        };
        dst.copy_from_slice(src);
        self.pos += len;
        Ok(())
    }

    /// Folds the bytes written since the last update into the CRC (bytes before `pos` are final:
    /// later writes only land at or after it).
    #[inline(never)]
    fn update_crc(&mut self) {
        let (from, to) = (self.start + self.crc_pos, self.start + self.pos);
        let written = self.buf.get(from..to);
        debug_assert!(written.is_some(), "bytes {from}..{to} of a buffer of {}", self.buf.len());
        self.crc = crc32c_append(self.crc, written.unwrap_or_default());
        self.crc_pos = self.pos;
    }

    /// Writes the CRC after the last node and cuts the buffer there; returns the message's
    /// length in bytes.
    pub fn finish(&mut self) -> Result<usize, Error> {
        if self.pos + CRC_LEN > self.buf.len() - self.start {
            return Err(self.overflow());
        }
        self.update_crc();
        for byte in self.crc.to_be_bytes() {
            self.put(byte);
        }
        self.buf.truncate(self.start + self.pos);
        Ok(self.pos)
    }
}

/// Adds what a writer's `nodes` loop gathered in registers to `usage`: the codes used, the nodes
/// with ids of 31 or more, and which ids were escaped.
pub(crate) fn merge_usage(usage: &mut CodeUsage, codes_used: u32, high_ids: u64, escaped_seen: &[bool; 257]) {
    usage.merge(codes_used, high_ids);
    if codes_used & (1 << ESCAPE) != 0 {
        for (id, _) in escaped_seen.iter().enumerate().take(256).filter(|(_, seen)| **seen) {
            usage.add_escaped(id as u8);
        }
    }
}

/// The canonical coding of nodes that used `usage`, written with `coding`.
pub(crate) fn canonical_coding(usage: &CodeUsage, coding: &PrimitiveCoding) -> PrimitiveCoding {
    let palette = match coding {
        PrimitiveCoding::Identity => &[][..],
        PrimitiveCoding::Palette(palette) => palette.ids(),
    };
    usage.coding(palette)
}

/// The code of each primitive id under `coding`; `ESCAPE` for ids written in full.
pub(crate) fn codes(coding: &PrimitiveCoding) -> [u8; 256] {
    let mut codes = [ESCAPE; 256];
    match coding {
        PrimitiveCoding::Identity => {
            for (id, code) in codes.iter_mut().enumerate().take(usize::from(ESCAPE)) {
                *code = id as u8;
            }
        }
        PrimitiveCoding::Palette(palette) => {
            for (code, &id) in palette.ids().iter().enumerate() {
                if let Some(slot) = codes.get_mut(usize::from(id)) {
                    *slot = code as u8;
                }
            }
        }
    }
    codes
}

/// Short values are copied as one chunk of this many bytes.
const CHUNK: usize = 32;
/// The bytes a node with a short value can touch: tag, escaped id, length, chunk.
const WINDOW: usize = 3 + CHUNK;

/// Appends a length in its canonical form.
#[inline]
pub(crate) fn write_length(buf: &mut Vec<u8>, len: usize) -> Result<(), Error> {
    if len < SHORT_LENGTH_LIMIT {
        buf.push(len as u8);
    } else if len < MEDIUM_LENGTH_LIMIT {
        buf.extend_from_slice(&[0x80 | (len >> 8) as u8, len as u8]);
    } else {
        let len = u32::try_from(len)
            .map_err(|_| Error::PayloadTooLong { length: len, limit: MAX_VALUE_LEN as usize })?;
        buf.extend_from_slice(&LONG_LENGTH_PREFIX);
        buf.extend_from_slice(&len.to_be_bytes());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::v2::{choose_coding, length_len};
    use sigma_primitives::PrimitiveSet;

    type Spec = (u8, Option<Vec<u8>>, bool, bool);

    /// The message length for `nodes` under `coding`.
    fn planned(nodes: &[Spec], coding: &PrimitiveCoding) -> usize {
        let header = match coding {
            PrimitiveCoding::Identity => 1,
            PrimitiveCoding::Palette(p) => 2 + p.ids().len(),
        };
        let body: usize = nodes
            .iter()
            .map(|(id, value, _, _)| {
                let escape = usize::from(matches!(coding, PrimitiveCoding::Identity) && *id >= ESCAPE);
                1 + escape + value.as_ref().map_or(0, |v| length_len(v.len()) + v.len())
            })
            .sum();
        header + body + CRC_LEN
    }

    fn coding(nodes: &[Spec]) -> PrimitiveCoding {
        let mut used = PrimitiveSet::new();
        for (id, ..) in nodes {
            used.insert(Primitive::new(*id));
        }
        choose_coding(&used, nodes.iter().filter(|(id, ..)| *id >= ESCAPE).count() as u64)
    }

    fn spec() -> impl Strategy<Value = Spec> {
        let value = prop_oneof![
            Just(None),
            proptest::collection::vec(any::<u8>(), 0..40).prop_map(Some),
            proptest::collection::vec(any::<u8>(), 100..300).prop_map(Some),
        ];
        (prop_oneof![0u8..8, 28u8..40, any::<u8>()], value, any::<bool>(), any::<bool>())
    }

    proptest! {
        /// The sized writer writes exactly what the appending writer does, whatever follows each
        /// value in the buffer it is read from.
        #[test]
        fn sized_writer_matches_writer(nodes in proptest::collection::vec(spec(), 1..60), tail in 0usize..40) {
            let coding = coding(&nodes);
            let mut expected = vec![7u8; 3];
            let mut writer = Writer::new(&mut expected, &coding);
            for (id, value, children, last) in &nodes {
                writer.node(Primitive::new(*id), value.as_deref(), *children, *last).unwrap();
            }
            writer.finish();

            // Values laid out in one buffer with junk after the last, as a tree holds them.
            let mut buffer = Vec::new();
            let mut spans = Vec::new();
            for (_, value, ..) in &nodes {
                spans.push(value.as_ref().map(|v| { buffer.extend_from_slice(v); (buffer.len() - v.len(), v.len()) }));
            }
            buffer.extend(std::iter::repeat_n(0xEE, tail));
            let mut actual = vec![7u8; 3];
            let mut sized = SizedWriter::new(&mut actual, &coding, planned(&nodes, &coding));
            sized.nodes(nodes.iter().zip(&spans).map(|((id, _, children, last), span)| NodeSpec {
                primitive: Primitive::new(*id),
                value: span.map(|(at, len)| ValueRef { bytes: &buffer[at..], len }),
                has_children: *children,
                last_sibling: *last,
            })).unwrap();
            let len = sized.finish().unwrap();
            prop_assert_eq!(len, actual.len() - 3);
            prop_assert_eq!(actual, expected);
        }
    }

    #[test]
    fn too_little_room_is_an_error_not_a_panic() {
        let nodes: Vec<Spec> = vec![(1, Some(b"hello".to_vec()), false, false)];
        let coding = coding(&nodes);
        let right = planned(&nodes, &coding);
        for size in [0, 1, right - 1] {
            let mut buf = Vec::new();
            let mut writer = SizedWriter::new(&mut buf, &coding, size);
            let result = writer
                .node(Primitive::new(1), Some(ValueRef::exact(b"hello")), false, false)
                .and_then(|()| writer.finish());
            assert!(matches!(result, Err(Error::SizeMismatch { .. })), "size {size}: {result:?}");
        }
        // Room to spare is cut off.
        for size in [right, right + 1, right + 40] {
            let mut buf = vec![9];
            let mut writer = SizedWriter::new(&mut buf, &coding, size);
            writer.node(Primitive::new(1), Some(ValueRef::exact(b"hello")), false, false).unwrap();
            assert_eq!(writer.finish(), Ok(right));
            assert_eq!(buf.len(), 1 + right);
        }
    }
}
