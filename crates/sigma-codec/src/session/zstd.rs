//! The zstd coding of session bodies ([`BodyCoding::Zstd`](super::BodyCoding::Zstd)): each end
//! keeps one zstd stream (RFC 8878) for the whole session. The encoder compresses each frame's
//! plain body and flushes, so the frame's bytes decode to exactly that body; the decoder feeds
//! them to its stream. The codebook's sample is the stream's dictionary (raw content), and the
//! session's own earlier bodies are its window, so text seen in training or in an earlier
//! message costs a back-reference.

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
    let mut dctx = DCtx::create();
    dctx.load_dictionary(dictionary).map_err(get_error_name)?;
    let mut cctx = CCtx::create();
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
    /// zstd left bytes unread from this offset in the body on (a cut-short block).
    Unread { at: usize },
    /// The bytes ended zstd's frame, which a session never does.
    FrameEnded,
    /// The first coded body does not start a zstd frame.
    NotAFrame,
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
        if !self.started {
            // The session's zstd frame starts with the first coded body: nothing else (a
            // skippable frame, a legacy format) may stand there.
            if !coded.starts_with(&FRAME_MAGIC) {
                return Err(Fault::NotAFrame);
            }
            self.started = true;
        }
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
