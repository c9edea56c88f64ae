//! Reading codebook files.

use super::{
    CRC_LEN, KIND_HAS_CHILDREN, KIND_RESERVED, KIND_VALUE_FIXED, KIND_VALUE_HOLE, KIND_VALUE_NONE,
    KIND_VALUE_SHIFT, MAGIC, MAX_DICTIONARY, MAX_PATTERN_NODES, MAX_PATTERNS, MAX_SAMPLE, NodeValue,
    PatternNode, VERSION, VERSION_WITHOUT_DICTIONARY,
};
use crate::Error;
use crate::cursor::Cursor;
use crate::v2::crc32c;

/// The smallest node: kind, primitive and a one-byte size.
const MIN_NODE_LEN: usize = 3;

/// A codebook file, read: its patterns' nodes (values borrowed from the file) and its sample.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File<'a> {
    /// Each pattern's nodes, in pre-order.
    pub patterns: Vec<Vec<PatternNode<'a>>>,
    /// The bytes that prime the byte model.
    pub sample: &'a [u8],
    /// The zstd dictionary of zstd-coded sessions (empty in a version 2 file); its content is
    /// checked by whoever loads it.
    pub dictionary: &'a [u8],
}

/// Reads a codebook file: magic, version and CRC first, then every field against its bound.
pub fn read(bytes: &[u8]) -> Result<File<'_>, Error> {
    if bytes.get(..MAGIC.len()) != Some(&MAGIC[..]) {
        return Err(Error::BadMagic { offset: 0, expected: "a ΣLANG codebook" });
    }
    let version_at = MAGIC.len();
    let version = bytes.get(version_at).copied();
    match version {
        Some(VERSION | VERSION_WITHOUT_DICTIONARY) => {}
        Some(1) => {
            return Err(Error::RetiredCodebookVersion { offset: version_at, version: 1, expected: VERSION });
        }
        Some(version) => {
            return Err(Error::UnsupportedVersion { offset: version_at, version, expected: VERSION });
        }
        None => return Err(Error::UnexpectedEnd { offset: version_at, needed: 1, available: 0 }),
    }
    // Magic, version, count, an empty sample's length, the CRC.
    let min_len = MAGIC.len() + 3 + CRC_LEN;
    if bytes.len() < min_len {
        return Err(Error::TooShort { len: bytes.len(), min: min_len });
    }
    let body_len = bytes.len() - CRC_LEN;
    let (body, stored) = bytes.split_at(body_len);
    let stored = u32::from_be_bytes(
        stored.try_into().map_err(|_| Error::TooShort { len: bytes.len(), min: min_len })?,
    );
    let computed = crc32c(body);
    if stored != computed {
        return Err(Error::ChecksumMismatch { offset: body_len, stored, computed });
    }
    let mut cursor = Cursor::new(body, 0);
    cursor.take(version_at + 1)?;
    let count_at = cursor.offset();
    let count = usize::from(cursor.byte()?);
    if count > MAX_PATTERNS {
        return Err(Error::FieldOutOfRange {
            offset: count_at,
            field: "pattern count",
            found: count as u64,
            min: 0,
            max: MAX_PATTERNS as u64,
        });
    }
    let mut patterns = Vec::with_capacity(count);
    for _ in 0..count {
        let nodes = cursor.varint_in("pattern node count", 1, MAX_PATTERN_NODES)?;
        // Every node takes at least three bytes: more than are left is a cut-short file, found
        // before the allocation.
        if nodes.saturating_mul(MIN_NODE_LEN) > cursor.remaining() {
            return Err(Error::UnexpectedEnd {
                offset: cursor.offset(),
                needed: nodes * MIN_NODE_LEN,
                available: cursor.remaining(),
            });
        }
        let mut pattern = Vec::with_capacity(nodes);
        for _ in 0..nodes {
            pattern.push(read_node(&mut cursor)?);
        }
        patterns.push(pattern);
    }
    let sample_len = cursor.varint_in("sample length", 0, MAX_SAMPLE)?;
    let sample = cursor.take(sample_len)?;
    let dictionary = if version == Some(VERSION) {
        let len = cursor.varint_in("dictionary length", 0, MAX_DICTIONARY)?;
        let dictionary = cursor.take(len)?;
        cursor.finish("codebook dictionary")?;
        dictionary
    } else {
        cursor.finish("codebook sample")?;
        &[]
    };
    Ok(File { patterns, sample, dictionary })
}

fn read_node<'a>(cursor: &mut Cursor<'a>) -> Result<PatternNode<'a>, Error> {
    let offset = cursor.offset();
    let kind = cursor.byte()?;
    let unknown = Error::UnknownKind {
        offset,
        field: "pattern node kind",
        found: kind,
        expected: "bit 0 has children, bits 2-1 a value kind of 0-2",
    };
    if kind & KIND_RESERVED != 0 {
        return Err(unknown);
    }
    let primitive = cursor.byte()?;
    let size = cursor.varint_in("pattern subtree size", 1, MAX_PATTERN_NODES)?;
    let value = match kind >> KIND_VALUE_SHIFT {
        KIND_VALUE_NONE => NodeValue::None,
        KIND_VALUE_FIXED => {
            let len = cursor.varint_in("fixed value length", 0, usize::MAX)?;
            NodeValue::Fixed(cursor.text(len)?)
        }
        KIND_VALUE_HOLE => NodeValue::Hole,
        _ => return Err(unknown),
    };
    Ok(PatternNode { offset, has_children: kind & KIND_HAS_CHILDREN != 0, primitive, size, value })
}
