//! The byte model and binary arithmetic coder that session streams use for their delta bodies.
//!
//! A context-mixing model in the manner of PAQ and lpaq, kept small: five predictions per bit,
//! from the byte so far (order 0) and from the last one to four whole bytes (orders 1–4, hashed
//! into tables of 12-bit probabilities with a 4-bit count each, so that a new context learns
//! fast), are combined by a logistic mixer whose weights are chosen by the byte so far and learn
//! online. A carry-less 32-bit binary arithmetic coder turns the
//! mixed probability and the bit into output bytes. Everything is integer arithmetic, so both
//! ends compute exactly the same probabilities on every machine: the model is part of the
//! session's shared state, primed from the codebook and taught by every delta frame.
//!
//! Decoding never panics on any input: past the end of its input the decoder reads `0xFF`
//! bytes (which is also what lets the encoder flush a single byte), and the caller bounds how
//! many bytes it asks for.

/// log2 of the entries in each hashed table (orders 1–4): 2^18 16-bit entries, 512 KiB each, 2 MiB
/// in all (2^20 each gave 7% fewer bytes on the twitter stream, at 4 times the memory and half
/// again the time).
const TABLE_BITS: u32 = 18;
const TABLE_MASK: usize = (1 << TABLE_BITS) - 1;
/// The count at which a hashed context's learning rate stops falling.
const COUNT_LIMIT: usize = 14;
/// 65536 / (n + 1.5): the learning rate of a context that has seen `n` bits.
const RECIPROCALS: [i32; 16] = reciprocals();

// Evaluated at compile time, where an index out of bounds is a build error.
#[allow(clippy::indexing_slicing)]
const fn reciprocals() -> [i32; 16] {
    let mut table = [0i32; 16];
    let mut n = 0;
    while n < 16 {
        table[n] = 65536 * 2 / (2 * n as i32 + 3);
        n += 1;
    }
    table
}
/// How fast the mixer learns (its weights move by input × error × this / 2^10).
const MIXER_RATE: i32 = 2;
/// Hashed orders (previous bytes in the context): 1, 2, 3, 4.
const ORDERS: usize = 4;
/// Mixer inputs: order 0, the hashed orders and a bias.
const INPUTS: usize = ORDERS + 2;
/// A probability of one half, as stored (`stored ^ HALF` is the probability of a 1 in 16 bits, so
/// a zeroed table starts every context at one half).
const HALF: u16 = 0x8000;

/// The interpolation points of `squash` (PAQ8's table): 1/(1+e^-x) at x = -8..8 in 33 steps,
/// scaled to 12 bits.
const SQUASH_POINTS: [i32; 33] = [
    1, 2, 3, 6, 10, 16, 27, 45, 73, 120, 194, 310, 488, 747, 1101, 1546, 2047, 2549, 2994, 3348, 3607, 3785,
    3901, 3975, 4024, 4050, 4068, 4079, 4085, 4089, 4092, 4093, 4094,
];

/// The logistic function on the model's fixed-point scale: `d` in 1/256ths, result in 1/4096ths
/// (1..=4095).
// `i` is 0..=31 once `d` is within ±2047, so both indexes are in bounds.
#[allow(clippy::indexing_slicing)]
const fn squash(d: i32) -> i32 {
    if d > 2047 {
        return 4095;
    }
    if d < -2047 {
        return 1;
    }
    let w = d & 127;
    let i = ((d >> 7) + 16) as usize;
    (SQUASH_POINTS[i] * (128 - w) + SQUASH_POINTS[i + 1] * w + 64) >> 7
}

/// The inverse of `squash`: for each 12-bit probability, the smallest `d` that squashes to it
/// or more.
const STRETCH: [i16; 4096] = stretch_table();

// Evaluated at compile time, where an index out of bounds is a build error.
#[allow(clippy::indexing_slicing)]
const fn stretch_table() -> [i16; 4096] {
    let mut table = [0i16; 4096];
    let mut pi = 0usize;
    let mut x = -2047i32;
    while x <= 2047 {
        let v = squash(x) as usize;
        while pi <= v {
            table[pi] = x as i16;
            pi += 1;
        }
        x += 1;
    }
    while pi < 4096 {
        table[pi] = 2047;
        pi += 1;
    }
    table
}

#[inline]
#[allow(clippy::indexing_slicing)] // masked to the table's 4096 entries
fn stretch(p12: u32) -> i32 {
    i32::from(STRETCH[p12 as usize & 4095])
}

/// `squash(d - 2048)` for `d` in 0..4096, by table.
const SQUASH: [u16; 4096] = squash_table();

// Evaluated at compile time, where an index out of bounds is a build error.
#[allow(clippy::indexing_slicing)]
const fn squash_table() -> [u16; 4096] {
    let mut table = [0u16; 4096];
    let mut d = 0;
    while d < 4096 {
        table[d] = squash(d as i32 - 2048) as u16;
        d += 1;
    }
    table
}

/// Entries in all hashed tables together.
const TABLES_LEN: usize = ORDERS << TABLE_BITS;

/// Hash multipliers, one per hashed order (odd, with well-spread bits).
const ORDER_SALT: [u32; ORDERS] = [0x9E37_79B1, 0x85EB_CA77, 0xC2B2_AE3D, 0x27D4_EB2F];

/// The model: what both ends of a session know about the bytes sent so far.
#[derive(Clone)]
pub(crate) struct Model {
    /// Order 0: one probability per partial byte.
    order0: [u16; 256],
    /// Orders 1–4: hashed tables, one after another. (Fixed-size, so that masked indexes need
    /// no bounds checks.)
    tables: Box<[u16; TABLES_LEN]>,
    /// Mixer weights (16.16 fixed point), `INPUTS` per partial byte.
    weights: [[i32; INPUTS]; 256],
    /// The last four bytes, newest in the low byte.
    history: u32,
    /// Per hashed order: the slot of the current nibble's 16 entries.
    slots: [usize; ORDERS],
    /// Per hashed order: the hash of its context bytes for the current byte.
    hashes: [u32; ORDERS],
}

/// A heap-allocated table of `TABLES_LEN` zeroes (a calloc: pages are only touched when a
/// context is first seen), never built on the stack as `Box::new([0; N])` is without
/// optimisation. (`Box`'s `Clone` copies straight into the new allocation.)
fn zeroed_tables() -> Box<[u16; TABLES_LEN]> {
    let converted: Result<Box<[u16; TABLES_LEN]>, _> = vec![0; TABLES_LEN].into_boxed_slice().try_into();
    debug_assert!(converted.is_ok(), "a slice of TABLES_LEN entries converts to the array");
    converted.unwrap_or_else(|_| Box::new([0; TABLES_LEN]))
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model").field("history", &self.history).finish_non_exhaustive()
    }
}

impl Default for Model {
    fn default() -> Model {
        Model::new()
    }
}

/// What `Model::predict` computed for one bit, for `Model::update`.
struct Prediction {
    /// Slot in `order0`, and in `tables` per hashed order.
    order0: usize,
    slots: [usize; ORDERS],
    /// Stretched inputs of the mixer.
    inputs: [i32; INPUTS],
    /// The mixed probability of a 1, 12 bits (1..=4095).
    p: u32,
}

impl Model {
    /// The memory a model holds: its hashed tables and itself.
    pub(crate) const MEMORY: usize = TABLES_LEN * 2 + std::mem::size_of::<Model>();

    /// A model that knows nothing yet: every probability one half.
    pub(crate) fn new() -> Model {
        let tables = zeroed_tables();
        // Every order starts with the same say; the bias with none.
        let mut start = [1 << 14; INPUTS];
        start[INPUTS - 1] = 0;
        let mut model = Model {
            order0: [0; 256],
            tables,
            weights: [start; 256],
            history: 0,
            slots: [0; ORDERS],
            hashes: [0; ORDERS],
        };
        model.start_byte();
        model
    }

    /// Sets up the contexts of the next byte from `history`.
    #[inline]
    fn start_byte(&mut self) {
        for (order, (hash, salt)) in self.hashes.iter_mut().zip(ORDER_SALT).enumerate() {
            let mask = if order == ORDERS - 1 { u32::MAX } else { (1u32 << (8 * (order + 1))) - 1 };
            *hash = ((self.history & mask).wrapping_add(order as u32 + 1)).wrapping_mul(salt);
        }
        self.start_nibble(1);
    }

    /// Chooses each hashed order's 16 slots for the nibble starting with partial byte `c0`.
    #[inline]
    fn start_nibble(&mut self, c0: u32) {
        for (order, (slot, &hash)) in self.slots.iter_mut().zip(&self.hashes).enumerate() {
            let h = (hash ^ c0.wrapping_mul(0x2F0F_3C45)).wrapping_mul(0x9E37_79B1);
            *slot = ((h >> (32 - TABLE_BITS)) as usize & TABLE_MASK & !15) | (order << TABLE_BITS);
        }
    }

    /// The probability that the next bit is 1, given the partial byte `c0` (1..=255: the bits
    /// so far after a leading 1) and, within the nibble, `nibble` (1..=15, the same idea).
    #[inline]
    #[allow(clippy::indexing_slicing)] // every index is masked to its array's length
    fn predict(&self, c0: u32, nibble: u32) -> Prediction {
        let order0 = c0 as usize & 255;
        let mut inputs = [0i32; INPUTS];
        let mut slots = [0usize; ORDERS];
        inputs[0] = stretch(u32::from(self.order0[order0] ^ HALF) >> 4);
        for ((slot, input), &nibble_slots) in slots.iter_mut().zip(&mut inputs[1..]).zip(&self.slots) {
            // `nibble_slots` is a multiple of 16 and `nibble` below 16: the mask changes nothing.
            *slot = (nibble_slots + nibble as usize) & (TABLES_LEN - 1);
            // A 12-bit probability above a 4-bit count of what the context has seen.
            *input = stretch(u32::from(self.tables[*slot] ^ HALF) >> 4);
        }
        inputs[INPUTS - 1] = 256;
        let weights = &self.weights[order0];
        let dot: i64 = weights.iter().zip(&inputs).map(|(&w, &x)| i64::from(w) * i64::from(x)).sum();
        let d = ((dot >> 16).clamp(-2047, 2047) + 2048) as usize;
        let p = u32::from(SQUASH[d & 4095]).clamp(1, 4095);
        Prediction { order0, slots, inputs, p }
    }

    /// Learns `bit` after `prediction`.
    #[inline]
    #[allow(clippy::indexing_slicing)] // every index is masked to its array's length
    fn update(&mut self, prediction: &Prediction, bit: u32) {
        let target: i32 = if bit == 1 { 65535 } else { 0 };
        let adapt = |stored: &mut u16, shift: u32| {
            let p = i32::from(*stored ^ HALF);
            let p = p + ((target - p) >> shift);
            *stored = (p.clamp(32, 65503) as u16) ^ HALF;
        };
        adapt(&mut self.order0[prediction.order0 & 255], 5);
        // Hashed contexts learn fast while they are new (rate 1 / (n + 1.5) after n bits), then
        // settle at 1 / (COUNT_LIMIT + 1.5).
        let target12: i32 = if bit == 1 { 4095 } else { 0 };
        for &slot in &prediction.slots {
            let stored = &mut self.tables[slot & (TABLES_LEN - 1)];
            let v = *stored ^ HALF;
            let n = usize::from(v & 15);
            let p = i32::from(v >> 4);
            let p = (p + (((target12 - p) * RECIPROCALS[n]) >> 16)).clamp(1, 4095);
            let n = (n + 1).min(COUNT_LIMIT) as u16;
            *stored = ((p as u16) << 4 | n) ^ HALF;
        }
        let err = ((bit as i32) << 12) - prediction.p as i32;
        for (w, &x) in self.weights[prediction.order0 & 255].iter_mut().zip(&prediction.inputs) {
            *w = w.wrapping_add((x * err * MIXER_RATE) >> 10);
        }
    }

    /// Runs `visit(c0, nibble)` → bit over the 8 bits of one byte, predicting and learning each;
    /// returns the byte.
    #[inline]
    fn byte(&mut self, mut code_bit: impl FnMut(u32, u32) -> u32) -> u8 {
        let mut c0 = 1u32;
        let mut nibble = 1u32;
        for bit_index in 0..8 {
            if bit_index == 4 {
                self.start_nibble(c0);
                nibble = 1;
            }
            let prediction = self.predict(c0, nibble);
            let bit = code_bit(prediction.p, bit_index) & 1;
            self.update(&prediction, bit);
            c0 = (c0 << 1) | bit;
            nibble = (nibble << 1) | bit;
        }
        let byte = c0 as u8;
        self.history = (self.history << 8) | u32::from(byte);
        self.start_byte();
        byte
    }

    /// Learns `bytes` without coding them (priming from a codebook's sample).
    pub(crate) fn learn(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.byte(|_, i| u32::from(byte >> (7 - i)));
        }
    }

    /// Codes `bytes` into `out`, learning them.
    pub(crate) fn encode(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        let mut coder = ArithmeticEncoder::new(out);
        for &byte in bytes {
            self.byte(|p, i| {
                let bit = u32::from(byte >> (7 - i)) & 1;
                coder.encode(bit, p);
                bit
            });
        }
        coder.flush();
    }

    /// Decodes `len` bytes from `coded` into `out` (appended), learning them. Returns how many
    /// bytes of `coded` the coder read (at most `coded.len()`; reads past the end are 0xFF).
    ///
    /// `coded` must be exactly what the encoder wrote for `len` bytes: the decoder reads as many
    /// bytes as the encoder wrote, plus the three it reads ahead, so a coded body that runs out
    /// first is refused as soon as it does (a few coded bytes cannot make the decoder produce
    /// megabytes), and one with bytes left over is refused at the end. The error is the number
    /// of coded bytes the decoder read (beyond the end, if it ran out).
    pub(crate) fn decode(&mut self, coded: &[u8], len: usize, out: &mut Vec<u8>) -> Result<(), usize> {
        let mut coder = ArithmeticDecoder::new(coded);
        for _ in 0..len {
            if coder.overran() {
                return Err(coder.read());
            }
            let byte = self.byte(|p, _| coder.decode(p));
            out.push(byte);
        }
        if coder.overran() || coder.read() != coded.len() { Err(coder.read()) } else { Ok(()) }
    }
}

/// Carry-less binary arithmetic coder (as in PAQ): the interval `[x1, x2]` narrows by each bit's
/// probability; leading bytes on which both ends agree are written out.
struct ArithmeticEncoder<'o> {
    x1: u32,
    x2: u32,
    out: &'o mut Vec<u8>,
}

impl<'o> ArithmeticEncoder<'o> {
    fn new(out: &'o mut Vec<u8>) -> ArithmeticEncoder<'o> {
        ArithmeticEncoder { x1: 0, x2: u32::MAX, out }
    }

    /// Codes `bit` whose probability of being 1 is `p` / 4096 (1..=4095).
    #[inline]
    fn encode(&mut self, bit: u32, p: u32) {
        let xmid = self.x1 + ((self.x2 - self.x1) >> 12) * p;
        if bit == 1 {
            self.x2 = xmid;
        } else {
            self.x1 = xmid + 1;
        }
        while (self.x1 ^ self.x2) & 0xFF00_0000 == 0 {
            self.out.push((self.x2 >> 24) as u8);
            self.x1 <<= 8;
            self.x2 = (self.x2 << 8) | 0xFF;
        }
    }

    /// Writes the first byte of `x1`: followed by the decoder's 0xFF padding, it lies in
    /// `[x1, x2]` (their first bytes differ).
    fn flush(self) {
        self.out.push((self.x1 >> 24) as u8);
    }
}

struct ArithmeticDecoder<'c> {
    x1: u32,
    x2: u32,
    x: u32,
    coded: &'c [u8],
    pos: usize,
}

impl<'c> ArithmeticDecoder<'c> {
    fn new(coded: &'c [u8]) -> ArithmeticDecoder<'c> {
        let mut decoder = ArithmeticDecoder { x1: 0, x2: u32::MAX, x: 0, coded, pos: 0 };
        for _ in 0..4 {
            decoder.x = (decoder.x << 8) | u32::from(decoder.next_byte());
        }
        decoder
    }

    #[inline]
    fn next_byte(&mut self) -> u8 {
        let byte = self.coded.get(self.pos).copied().unwrap_or(0xFF);
        self.pos += 1;
        byte
    }

    #[inline]
    fn decode(&mut self, p: u32) -> u32 {
        let xmid = self.x1 + ((self.x2 - self.x1) >> 12) * p;
        let bit = u32::from(self.x <= xmid);
        if bit == 1 {
            self.x2 = xmid;
        } else {
            self.x1 = xmid + 1;
        }
        while (self.x1 ^ self.x2) & 0xFF00_0000 == 0 {
            self.x1 <<= 8;
            self.x2 = (self.x2 << 8) | 0xFF;
            self.x = (self.x << 8) | u32::from(self.next_byte());
        }
        bit
    }

    /// Coded bytes read for the bits decoded so far: the encoder's output length, if the input
    /// was that output. (The decoder reads four bytes ahead of the encoder's output, one of
    /// which is the encoder's flush byte.)
    fn read(&self) -> usize {
        self.pos.saturating_sub(3)
    }

    /// Whether more has been read than an encoder wrote: the coded bytes ran out.
    fn overran(&self) -> bool {
        self.read() > self.coded.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip(chunks: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut encoder = Model::new();
        let mut decoder = Model::new();
        let mut coded_all = Vec::new();
        for chunk in chunks {
            let mut coded = Vec::new();
            encoder.encode(chunk, &mut coded);
            let mut out = Vec::new();
            assert_eq!(decoder.decode(&coded, chunk.len(), &mut out), Ok(()), "exactly the encoder's bytes");
            assert_eq!(&out, chunk);
            coded_all.push(coded);
        }
        coded_all
    }

    #[test]
    fn squash_and_stretch_are_inverse_enough() {
        assert_eq!(squash(0), 2047);
        assert_eq!(squash(4000), 4095);
        assert_eq!(squash(-4000), 1);
        for d in (-1200..1200).step_by(37) {
            let back = stretch(squash(d) as u32);
            assert!((back - d).abs() <= 64, "stretch(squash({d})) = {back}");
        }
    }

    #[test]
    fn text_compresses_and_round_trips() {
        let text = "the quick brown fox jumps over the lazy dog; ".repeat(40);
        let coded = round_trip(&[text.as_bytes()]);
        assert!(coded[0].len() * 8 < text.len(), "{} bytes from {}", coded[0].len(), text.len());
    }

    #[test]
    fn empty_and_single_bytes_round_trip() {
        round_trip(&[b"", b"a", b"", &[0], &[255], b"ab"]);
    }

    #[test]
    fn priming_helps() {
        let sample = br#"{"id":1,"name":"alpha","tags":["x","y"]}"#.repeat(20);
        let message = br#"{"id":2,"name":"beta","tags":["x"]}"#;
        let mut cold = Model::new();
        let mut primed = Model::new();
        primed.learn(&sample);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        cold.encode(message, &mut a);
        primed.encode(message, &mut b);
        assert!(b.len() * 2 < a.len(), "primed {} vs cold {}", b.len(), a.len());
    }

    #[test]
    fn decoding_garbage_never_panics_and_stops_when_the_bytes_run_out() {
        let mut model = Model::new();
        let mut out = Vec::new();
        // Three coded bytes cannot stand for 500 bytes of anything the model finds this unlikely.
        assert!(model.decode(&[0x12, 0xFF, 0x00], 500, &mut out).is_err());
        assert!(out.len() < 500, "stopped after {} bytes", out.len());
        out.clear();
        assert_eq!(Model::new().decode(&[], 10, &mut out), Err(1), "an empty body has no flush byte");
        assert!(out.is_empty());
        // The encoder's bytes with one more are refused. (One fewer may decode, to other bytes:
        // the length is a consistency check; the frame's CRC is what catches damage.)
        let mut encoder = Model::new();
        let mut coded = Vec::new();
        encoder.encode(b"some plain bytes", &mut coded);
        let mut longer = coded.clone();
        longer.push(0);
        assert!(Model::new().decode(&longer, 16, &mut Vec::new()).is_err());
        let mut out = Vec::new();
        assert_eq!(Model::new().decode(&coded, 16, &mut out), Ok(()));
        assert_eq!(out, b"some plain bytes");
    }

    /// A hostile frame that claims a huge plain body from a few coded bytes costs a few coded
    /// bytes' worth of work, not the claim's.
    #[test]
    fn a_huge_claim_from_few_bytes_stops_early() {
        let mut out = Vec::new();
        let claim = 256 << 20;
        assert!(Model::new().decode(&[0; 10], claim, &mut out).is_err());
        assert!(out.len() < 100_000, "{} bytes decoded from 10", out.len());
    }

    proptest! {
        #[test]
        fn any_bytes_round_trip(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 1..6)) {
            let refs: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
            round_trip(&refs);
        }

        #[test]
        fn skewed_bytes_round_trip(chunks in proptest::collection::vec(proptest::collection::vec(prop_oneof![Just(0u8), Just(255u8), Just(b'a')], 0..2000), 1..4)) {
            let refs: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
            round_trip(&refs);
        }
    }
}
