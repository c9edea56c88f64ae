//! Many independent trees at once, across threads: [`BatchEncoder`] and [`BatchDecoder`].
//!
//! The trees are cut into one contiguous run per thread (scoped threads from the standard
//! library, no runtime), each thread encodes or decodes its run with its own v2 encoder or
//! decoder, and the results come back in input order: the same bytes as encoding the trees one by
//! one, whatever the thread count.
//!
//! Encoded messages go into one [`EncodedBatch`] (one byte buffer and the end of each message),
//! not a `Vec` per message; decoded trees go into a caller's `Vec<Tree>`, reused tree by tree. Both
//! ends keep their buffers, so with one thread a warm batch encoder or decoder allocates nothing
//! per call (more threads allocate what spawning a thread takes).
//!
//! ```
//! use std::num::NonZeroUsize;
//! use sigma_codec::batch::{BatchDecoder, BatchEncoder, EncodedBatch};
//! use sigma_codec::{DecodeLimits, Tree};
//! use sigma_tree::samples;
//!
//! let trees = vec![samples::simple(), samples::medium(), samples::deep(), samples::wide()];
//! let threads = NonZeroUsize::new(2).unwrap();
//! let mut encoded = EncodedBatch::default();
//! BatchEncoder::new(threads).encode(&trees, &mut encoded)?;
//! assert_eq!(encoded.len(), 4);
//! assert_eq!(encoded.get(1), Some(&sigma_codec::v2::encode(&samples::medium())?[..]));
//!
//! let mut decoded: Vec<Tree> = Vec::new();
//! BatchDecoder::new(DecodeLimits::DEFAULT, threads).decode_batch(&encoded, &mut decoded)?;
//! assert_eq!(decoded, trees);
//! # Ok::<(), sigma_codec::Error>(())
//! ```

use std::num::NonZeroUsize;

use crate::{DecodeLimits, Error, Tree, v2};

/// Many v2 messages in one buffer: message `i` is `bytes[ends[i - 1]..ends[i]]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EncodedBatch {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl EncodedBatch {
    /// The number of messages.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are no messages.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Message `index`, if there is one.
    pub fn get(&self, index: usize) -> Option<&[u8]> {
        let end = *self.ends.get(index)?;
        let start = match index.checked_sub(1) {
            Some(previous) => *self.ends.get(previous)?,
            None => 0,
        };
        self.bytes.get(start..end)
    }

    /// Every message, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[u8]> + Clone + '_ {
        (0..self.len()).map(|i| {
            let message = self.get(i);
            debug_assert!(message.is_some(), "message {i} of {}", self.len());
            message.unwrap_or_default()
        })
    }

    /// All the messages' bytes, back to back.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Removes every message, keeping the allocations.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }

    /// Appends `other`'s messages.
    fn append(&mut self, other: &EncodedBatch) {
        let base = self.bytes.len();
        self.bytes.extend_from_slice(&other.bytes);
        self.ends.extend(other.ends.iter().map(|end| base + end));
    }
}

/// One thread's share: `len` items from `start`, for `count` items split `parts` ways as evenly as
/// counts allow (the first `count % parts` parts take one more).
fn share(count: usize, parts: usize, part: usize) -> (usize, usize) {
    let (base, extra) = (count / parts, count % parts);
    let start = part * base + part.min(extra);
    (start, base + usize::from(part < extra))
}

/// Share `part` of `items` split `parts` ways ([`share`]), and where it starts.
fn share_of<T>(items: &[T], parts: usize, part: usize) -> (usize, &[T]) {
    let (start, len) = share(items.len(), parts, part);
    let run = items.get(start..start + len);
    debug_assert!(run.is_some(), "shares lie within the items");
    (start, run.unwrap_or_default())
}

/// Encodes many trees as v2 messages across threads, keeping its buffers between calls.
#[derive(Debug)]
pub struct BatchEncoder {
    threads: NonZeroUsize,
    /// One encoder and one part buffer per thread after the first.
    workers: Vec<(v2::Encoder, EncodedBatch)>,
    encoder: v2::Encoder,
}

impl BatchEncoder {
    /// An encoder that uses up to `threads` threads (the calling one included).
    pub fn new(threads: NonZeroUsize) -> BatchEncoder {
        BatchEncoder { threads, workers: Vec::new(), encoder: v2::Encoder::new() }
    }

    /// Replaces `out`'s messages with the v2 encodings of `trees`, in order. The first tree that
    /// cannot be encoded stops the batch: the error names its index, and `out` is left empty.
    pub fn encode(&mut self, trees: &[Tree], out: &mut EncodedBatch) -> Result<(), Error> {
        out.clear();
        let parts = self.threads.get().min(trees.len()).max(1);
        let result = if parts == 1 {
            encode_run(&mut self.encoder, trees, 0, out)
        } else {
            self.encode_parallel(trees, parts, out)
        };
        if result.is_err() {
            out.clear();
        }
        result
    }

    fn encode_parallel(&mut self, trees: &[Tree], parts: usize, out: &mut EncodedBatch) -> Result<(), Error> {
        if self.workers.len() < parts - 1 {
            self.workers.resize_with(parts - 1, Default::default);
        }
        let encoder = &mut self.encoder;
        let results = std::thread::scope(|scope| {
            let handles: Vec<_> = self
                .workers
                .iter_mut()
                .take(parts - 1)
                .enumerate()
                .map(|(i, (encoder, part))| {
                    let (start, run) = share_of(trees, parts, i + 1);
                    scope.spawn(move || {
                        part.clear();
                        encode_run(encoder, run, start, part)
                    })
                })
                .collect();
            // The calling thread takes the first share.
            let (first_start, run) = share_of(trees, parts, 0);
            let first = encode_run(encoder, run, first_start, out);
            let rest: Vec<Result<(), Error>> = handles.into_iter().map(join).collect();
            (first, rest)
        });
        results.0?;
        for (result, (_, part)) in results.1.into_iter().zip(&self.workers) {
            result?;
            out.append(part);
        }
        Ok(())
    }
}

/// Encodes `trees` (starting at batch index `first`) onto the end of `out`.
fn encode_run(
    encoder: &mut v2::Encoder,
    trees: &[Tree],
    first: usize,
    out: &mut EncodedBatch,
) -> Result<(), Error> {
    for (i, tree) in trees.iter().enumerate() {
        encoder.encode_into(tree, &mut out.bytes).map_err(|e| in_batch(first + i, e))?;
        out.ends.push(out.bytes.len());
    }
    Ok(())
}

fn in_batch(index: usize, error: Error) -> Error {
    Error::InBatch { index, source: Box::new(error) }
}

/// A worker thread's result; a worker that panicked (a bug: encoding and decoding do not panic)
/// is reported as an error rather than taking the caller down.
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, Result<T, Error>>) -> Result<T, Error> {
    handle.join().unwrap_or(Err(Error::WorkerPanicked))
}

/// Decodes many v2 messages across threads, into trees it reuses between calls.
#[derive(Debug)]
pub struct BatchDecoder {
    threads: NonZeroUsize,
    limits: DecodeLimits,
    decoders: Vec<v2::Decoder>,
}

impl BatchDecoder {
    /// A decoder with these limits (for each message) that uses up to `threads` threads.
    pub fn new(limits: DecodeLimits, threads: NonZeroUsize) -> BatchDecoder {
        BatchDecoder { threads, limits, decoders: Vec::new() }
    }

    /// Decodes every message into `out` (resized to one tree per message, reusing the trees it
    /// holds). The first message that fails stops the batch: the error names its index, and
    /// `out` is left empty.
    pub fn decode<M: AsRef<[u8]> + Sync>(
        &mut self,
        messages: &[M],
        out: &mut Vec<Tree>,
    ) -> Result<(), Error> {
        self.decode_with(messages.len(), |i| messages.get(i).map(AsRef::as_ref), out)
    }

    /// [`BatchDecoder::decode`] for the messages of an [`EncodedBatch`].
    pub fn decode_batch(&mut self, batch: &EncodedBatch, out: &mut Vec<Tree>) -> Result<(), Error> {
        self.decode_with(batch.len(), |i| batch.get(i), out)
    }

    fn decode_with<'m, F>(&mut self, count: usize, message: F, out: &mut Vec<Tree>) -> Result<(), Error>
    where
        F: Fn(usize) -> Option<&'m [u8]> + Sync,
    {
        out.resize_with(count, Tree::new);
        let parts = self.threads.get().min(count).max(1);
        if self.decoders.len() < parts {
            let limits = self.limits;
            self.decoders.resize_with(parts, || v2::Decoder::new(limits));
        }
        let result = if parts == 1 {
            match self.decoders.first_mut() {
                Some(decoder) => decode_run(decoder, &message, 0, out),
                None => Ok(()),
            }
        } else {
            let message = &message;
            let results: Vec<Result<(), Error>> = std::thread::scope(|scope| {
                let mut rest: &mut [Tree] = out;
                let mut handles = Vec::with_capacity(parts);
                for (part, decoder) in self.decoders.iter_mut().enumerate().take(parts) {
                    let (start, len) = share(count, parts, part);
                    let (trees, tail) = std::mem::take(&mut rest).split_at_mut(len);
                    rest = tail;
                    handles.push(
                        scope.spawn(move || decode_run(decoder, &|i| message(start + i), start, trees)),
                    );
                }
                handles.into_iter().map(join).collect()
            });
            results.into_iter().collect()
        };
        if result.is_err() {
            out.clear();
        }
        result
    }
}

/// Decodes message `first + i` into `trees[i]` for every tree of `trees`.
fn decode_run<'m>(
    decoder: &mut v2::Decoder,
    message: &dyn Fn(usize) -> Option<&'m [u8]>,
    first: usize,
    trees: &mut [Tree],
) -> Result<(), Error> {
    for (i, tree) in trees.iter_mut().enumerate() {
        let bytes = message(i).ok_or_else(|| in_batch(first + i, Error::EmptyInput))?;
        decoder.decode_into(bytes, tree).map_err(|e| in_batch(first + i, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_cover_everything_once_in_order() {
        for count in 0..40 {
            for parts in 1..6 {
                let mut next = 0;
                for part in 0..parts {
                    let (start, len) = share(count, parts, part);
                    assert_eq!(start, next);
                    assert!(len == count / parts || len == count / parts + 1);
                    next = start + len;
                }
                assert_eq!(next, count);
            }
        }
    }
}
