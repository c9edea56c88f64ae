//! The zstd coding of session bodies ([`BodyCoding::Zstd`](super::BodyCoding::Zstd)): each end
//! keeps one zstd stream (RFC 8878) for the whole session. The encoder compresses each frame's
//! plain body and flushes, so the frame's bytes decode to exactly that body; the decoder feeds
//! them to its stream. The codebook's zstd dictionary (or, without one, its sample as raw
//! content) is the stream's dictionary, and the session's own earlier bodies are its window, so
//! text seen in training or in an earlier message costs a back-reference. docs/FORMAT.md
//! ("zstd (coding 2)") specifies it.

use zstd::zstd_safe::zstd_sys::ZSTD_EndDirective;
use zstd::zstd_safe::{CCtx, CParameter, DCtx, DParameter, InBuffer, OutBuffer, get_error_name};

/// The window: zstd's back-references reach 2^16 bytes (64 KiB) of earlier bodies and the
/// dictionary. A stream whose zstd frame header asks for more is refused.
pub(crate) const WINDOW_LOG: u32 = 16;
/// Bodies this short or shorter go uncoded, as delta or full frames (the encoder's choice: a
/// zstd block costs three bytes of header and a few of literal and sequence headers, so it
/// seldom shortens them; measured on the corpus and acceptance streams, 24 took the fewest bytes
/// of 8, 12, 16, 24, 32 and 48).
pub(crate) const MAX_PLAIN_BODY: usize = 24;
/// The compression level the encoder uses (the bytes a decoder reads do not depend on it).
const LEVEL: i32 = 3;
/// The encoder's match-finder tables, log2 of their entries (zstd's level-3 defaults for a
/// 64 KiB window would be 2^16 and 2^16; these keep an encoder near 0.7 MiB, 1 MiB with a
/// codebook's dictionary).
const HASH_LOG: u32 = 15;
const CHAIN_LOG: u32 = 15;
/// The most memory a decoding end's zstd stream holds (its window, block buffer, entropy
/// tables and a copy of the dictionary), as zstd reports it, rounded up: what
/// [`DecodeLimits::max_session_memory`](crate::DecodeLimits::max_session_memory) is checked
/// against. A test checks zstd's own figure stays under it.
pub(crate) const DECODER_MEMORY: u64 = 448 << 10;
/// The first bytes of a zstd frame (little-endian 0xFD2FB528).
const FRAME_MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];
/// zstd's dictionary magic (little-endian 0xEC30A437): a dictionary starting with it would be
/// read as a structured zstd dictionary rather than raw content.
const DICTIONARY_MAGIC: [u8; 4] = [0x37, 0xA4, 0x30, 0xEC];

/// Whether `dictionary` (from a codebook file) is empty, or a zstd dictionary (its magic first)
/// that both ends of a stream can load; else why not.
pub(crate) fn check_dictionary(dictionary: &[u8]) -> Result<(), &'static str> {
    if dictionary.is_empty() {
        return Ok(());
    }
    if !dictionary.starts_with(&DICTIONARY_MAGIC) {
        return Err("it does not start with zstd's dictionary magic");
    }
    let mut dctx = DCtx::try_create().ok_or("out of memory")?;
    dctx.load_dictionary(dictionary).map_err(get_error_name)?;
    let mut cctx = CCtx::try_create().ok_or("out of memory")?;
    cctx.set_parameter(CParameter::CompressionLevel(LEVEL)).map_err(get_error_name)?;
    cctx.load_dictionary(dictionary).map_err(get_error_name)?;
    // Loading is lazy on the compressing end: compress nothing to make it read the tables.
    let mut out = Vec::with_capacity(64);
    let mut output = OutBuffer::around(&mut out);
    cctx.compress_stream2(&mut output, &mut InBuffer::around(&[]), ZSTD_EndDirective::ZSTD_e_end)
        .map_err(get_error_name)?;
    Ok(())
}

/// Trains a zstd dictionary of at most `max` bytes on `bodies`; empty if zstd cannot (too few
/// or too small bodies).
pub(crate) fn train_dictionary(bodies: &[&[u8]], max: usize) -> Vec<u8> {
    match zstd::dict::from_samples(bodies, max) {
        Ok(dictionary) if check_dictionary(&dictionary).is_ok() => dictionary,
        _ => Vec::new(),
    }
}

/// The dictionary a stream with this codebook `dictionary` and `sample` loads: the dictionary
/// if there is one, else the sample as raw content.
pub(crate) fn stream_dictionary<'a>(dictionary: &'a [u8], sample: &'a [u8]) -> &'a [u8] {
    if dictionary.is_empty() { raw_dictionary(sample) } else { dictionary }
}

/// The raw-content dictionary a codebook's sample gives: the sample, less its first byte if it
/// starts with zstd's dictionary magic; none if 8 bytes or fewer (zstd ignores those).
fn raw_dictionary(sample: &[u8]) -> &[u8] {
    let dictionary =
        if sample.starts_with(&DICTIONARY_MAGIC) { sample.get(1..).unwrap_or_default() } else { sample };
    if dictionary.len() <= 8 { &[] } else { dictionary }
}

/// What went wrong in the zstd stream of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// zstd refused the bytes (its error name).
    Zstd(&'static str),
    /// The bytes decode to more than the limit allows.
    TooLong,
    /// The body is not whole blocks: the block (or frame header) at this offset in the body is
    /// cut short, or zstd left bytes unread from here on.
    Unread { at: usize },
    /// The bytes ended zstd's frame, which a session never does.
    FrameEnded,
    /// The first coded body does not start a zstd frame.
    NotAFrame,
}

/// Checks that `coded` is whole zstd blocks (RFC 8878 §3.1.1.2), none marked last, preceded by
/// a zstd frame header (§3.1.1.1) if it is the session's `first` coded body.
fn whole_blocks(coded: &[u8], first: bool) -> Result<(), Fault> {
    let mut at = 0;
    if first {
        if !coded.starts_with(&FRAME_MAGIC) {
            return Err(Fault::NotAFrame);
        }
        let descriptor = *coded.get(FRAME_MAGIC.len()).ok_or(Fault::Unread { at: coded.len() })?;
        let single_segment = descriptor & 0x20 != 0;
        let dictionary_id = match descriptor & 3 {
            0 => 0,
            1 => 1,
            2 => 2,
            _ => 4,
        };
        let content_size = match (descriptor >> 6, single_segment) {
            (0, false) => 0,
            (0, true) => 1,
            (1, _) => 2,
            (2, _) => 4,
            _ => 8,
        };
        at = FRAME_MAGIC.len() + 1 + usize::from(!single_segment) + dictionary_id + content_size;
    }
    while at < coded.len() {
        let Some(&[b0, b1, b2]) = coded.get(at..at + 3) else {
            return Err(Fault::Unread { at });
        };
        let header = u32::from(b0) | u32::from(b1) << 8 | u32::from(b2) << 16;
        if header & 1 == 1 {
            return Err(Fault::FrameEnded);
        }
        let content = match (header >> 1) & 3 {
            // Raw and compressed blocks hold their size in bytes, RLE blocks one byte.
            0 | 2 => (header >> 3) as usize,
            1 => 1,
            _ => return Err(Fault::Zstd("reserved block type")),
        };
        let end = at + 3 + content;
        if end > coded.len() {
            return Err(Fault::Unread { at });
        }
        at = end;
    }
    if at != coded.len() {
        return Err(Fault::Unread { at: coded.len() });
    }
    Ok(())
}

/// An encoding end's zstd stream.
pub(crate) struct Encoder {
    cctx: CCtx<'static>,
    /// zstd's error, once one broke the stream.
    failed: Option<&'static str>,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("zstd::Encoder").finish_non_exhaustive()
    }
}

impl Encoder {
    /// A stream that loads `dictionary` ([`stream_dictionary`]); zstd's error name if it cannot
    /// (out of memory: the parameters are fixed and the dictionary checked).
    pub(crate) fn new(dictionary: &[u8]) -> Result<Encoder, &'static str> {
        let mut cctx = CCtx::try_create().ok_or("out of memory")?;
        for parameter in [
            CParameter::CompressionLevel(LEVEL),
            CParameter::WindowLog(WINDOW_LOG),
            CParameter::HashLog(HASH_LOG),
            CParameter::ChainLog(CHAIN_LOG),
            CParameter::ChecksumFlag(false),
            CParameter::ContentSizeFlag(false),
            CParameter::DictIdFlag(false),
        ] {
            cctx.set_parameter(parameter).map_err(get_error_name)?;
        }
        cctx.load_dictionary(dictionary).map_err(get_error_name)?;
        Ok(Encoder { cctx, failed: None })
    }

    /// Appends `plain` compressed and flushed to `out`. After an error the stream is unusable
    /// (the decoder would not follow it), so every later call fails the same way.
    pub(crate) fn encode(&mut self, plain: &[u8], out: &mut Vec<u8>) -> Result<(), &'static str> {
        if let Some(reason) = self.failed {
            return Err(reason);
        }
        let start = out.len();
        let mut input = InBuffer::around(plain);
        // zstd's bound for the body, plus block headers: one call flushes it all.
        out.reserve(zstd::zstd_safe::compress_bound(plain.len()) + 16);
        loop {
            let pos = out.len();
            let mut output = OutBuffer::around_pos(out, pos);
            let left = self.cctx.compress_stream2(&mut output, &mut input, ZSTD_EndDirective::ZSTD_e_flush);
            let left = left.map_err(|code| {
                let reason = get_error_name(code);
                self.failed = Some(reason);
                reason
            });
            let left = match left {
                Ok(left) => left,
                Err(reason) => {
                    out.truncate(start);
                    return Err(reason);
                }
            };
            if left == 0 && input.pos() == plain.len() {
                return Ok(());
            }
            // More to flush than the reserve held (never, by zstd's bound): grow and go on.
            out.reserve(plain.len() + 64);
        }
    }

    /// Memory the stream holds now (zstd's count).
    pub(crate) fn memory(&self) -> usize {
        self.cctx.sizeof()
    }
}

/// A decoding end's zstd stream.
pub(crate) struct Decoder {
    dctx: DCtx<'static>,
    /// Whether the session's zstd frame has begun (with the first coded body).
    started: bool,
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("zstd::Decoder").finish_non_exhaustive()
    }
}

impl Decoder {
    /// A stream that loads `dictionary` ([`stream_dictionary`]); zstd's error name if it cannot
    /// (out of memory: the parameter is fixed and the dictionary checked).
    pub(crate) fn new(dictionary: &[u8]) -> Result<Decoder, &'static str> {
        let mut dctx = DCtx::try_create().ok_or("out of memory")?;
        dctx.set_parameter(DParameter::WindowLogMax(WINDOW_LOG)).map_err(get_error_name)?;
        dctx.load_dictionary(dictionary).map_err(get_error_name)?;
        Ok(Decoder { dctx, started: false })
    }

    /// Decodes a frame's `coded` bytes into `plain` (cleared first), at most `max` bytes of it.
    /// `plain` grows as bytes arrive, so bytes that would decode to more than `max` allocate
    /// no more than `max` and a byte.
    pub(crate) fn decode(&mut self, coded: &[u8], max: usize, plain: &mut Vec<u8>) -> Result<(), Fault> {
        // The session's zstd frame starts with the first coded body: nothing else (a skippable
        // frame, a legacy format) may stand there. Every body is then whole blocks, none the
        // frame's last, checked before zstd sees them (so that zstd never holds part of a block
        // over to the next frame).
        whole_blocks(coded, !self.started)?;
        self.started = true;
        // One byte more than allowed: a body that decodes longer shows itself there.
        let room = max.saturating_add(1);
        plain.clear();
        plain.resize(room.min(coded.len().saturating_mul(8).max(4096)), 0);
        let mut input = InBuffer::around(coded);
        let mut produced = 0;
        loop {
            let before = (input.pos(), produced);
            let mut output = OutBuffer::around_pos(&mut plain[..], produced);
            let hint = self
                .dctx
                .decompress_stream(&mut output, &mut input)
                .map_err(|code| Fault::Zstd(get_error_name(code)))?;
            produced = output.pos();
            if hint == 0 {
                return Err(Fault::FrameEnded);
            }
            if produced > max {
                return Err(Fault::TooLong);
            }
            if produced == plain.len() {
                // Full: room for more, up to the bound.
                let grown = plain.len().saturating_mul(2).min(room);
                plain.resize(grown, 0);
                continue;
            }
            if (input.pos(), produced) == before {
                break;
            }
        }
        if input.pos() != coded.len() {
            return Err(Fault::Unread { at: input.pos() });
        }
        plain.truncate(produced);
        Ok(())
    }

    /// Memory the stream holds now (zstd's count).
    pub(crate) fn memory(&self) -> usize {
        self.dctx.sizeof()
    }
}
