//! Session streams as Python objects: `SessionEncoder` (one frame of bytes per message),
//! `SessionDecoder` (fed bytes as they come, gives back the trees of every complete frame),
//! `encode_stream`/`decode_stream` for whole streams, and `Codebook` (train, save, load).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::PyBytes;
use sigma_codec::session::codebook::Codebook;
use sigma_codec::session::{BodyCoding, ContextConfig, SessionConfig};
use sigma_codec::{DecodeLimits, Error};
use sigma_tree::Tree;

use crate::errors::{self, Kind, Side};
use crate::{PyLimits, PyTree, RELEASE_GIL_BYTES, build_tree, convert, detached_if, large_tree, limits_of};

/// A learned codebook: the subtree patterns, byte sample and zstd dictionary that make a
/// session's first messages as small as its later ones. Both ends of a session must use the same
/// one (a stream names it by `hash`).
#[pyclass(module = "sigmalang_rs", name = "Codebook", frozen)]
pub(crate) struct PyCodebook {
    codebook: Arc<Codebook>,
}

#[pymethods]
impl PyCodebook {
    /// Learns up to `max_patterns` patterns (at most 256) from sample messages (`Tree`s or JSON
    /// values), deterministically.
    #[staticmethod]
    #[pyo3(signature = (samples, max_patterns = 128))]
    fn train(py: Python<'_>, samples: &Bound<'_, PyAny>, max_patterns: usize) -> PyResult<PyCodebook> {
        let trees = samples.try_iter()?.map(|item| message_tree(&item?)).collect::<PyResult<Vec<Tree>>>()?;
        let codebook = py
            .detach(|| Codebook::train(&trees, max_patterns))
            .map_err(|e| errors::codec(e, Side::Encode))?;
        Ok(PyCodebook { codebook: Arc::new(codebook) })
    }

    /// Reads a codebook from the bytes `to_bytes` gave (checked: a damaged one is a
    /// `CodebookError` with the offset).
    #[staticmethod]
    fn from_bytes(data: PyBackedBytes) -> PyResult<PyCodebook> {
        let codebook = Codebook::from_bytes(&data).map_err(codebook_error)?;
        Ok(PyCodebook { codebook: Arc::new(codebook) })
    }

    /// Reads a codebook file written by `save` (or `sigma codebook train`). A file that cannot
    /// be read is an `OSError`.
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<PyCodebook> {
        let bytes = std::fs::read(&path)?;
        let codebook = Codebook::from_bytes(&bytes).map_err(codebook_error)?;
        Ok(PyCodebook { codebook: Arc::new(codebook) })
    }

    /// The codebook's bytes.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.codebook.to_bytes())
    }

    /// Writes the codebook to `path`.
    fn save(&self, path: PathBuf) -> PyResult<()> {
        std::fs::write(path, self.codebook.to_bytes())?;
        Ok(())
    }

    /// The hash a session stream names its codebook by.
    #[getter]
    fn hash(&self) -> u64 {
        self.codebook.hash()
    }

    /// Number of patterns.
    fn __len__(&self) -> usize {
        self.codebook.patterns().len()
    }

    fn __repr__(&self) -> String {
        format!("Codebook({} patterns, hash={:#018x})", self.codebook.patterns().len(), self.codebook.hash())
    }
}

/// Any error reading a codebook's bytes (its checksum included) is a `CodebookError`.
fn codebook_error(error: Error) -> PyErr {
    errors::raise(Kind::Codebook, error.to_string(), error.offset())
}

/// A message as a tree: a `Tree` as it is, anything else as a JSON value.
fn message_tree(message: &Bound<'_, PyAny>) -> PyResult<Tree> {
    match message.cast::<PyTree>() {
        Ok(tree) => Ok(tree.get().tree.clone()),
        Err(_) => build_tree(|b| convert::value_into(message, b)),
    }
}

fn coding(name: &str) -> PyResult<BodyCoding> {
    match name {
        "zstd" => Ok(BodyCoding::Zstd),
        "modeled" => Ok(BodyCoding::Modeled),
        "plain" => Ok(BodyCoding::Plain),
        other => Err(pyo3::exceptions::PyValueError::new_err(format!(
            "unknown coding {other:?}: \"zstd\" (the default), \"modeled\" or \"plain\""
        ))),
    }
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while the lock was held left nothing half-written that a later call relies on:
    // every method writes its output only after the session accepted the message.
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The encoding end of a session stream: each `encode(message)` returns that message's frame
/// (the first also carries the stream header), and the frames joined in order are the stream.
/// Messages seen recently make later ones small (repeats, subtrees, predicted values).
#[pyclass(module = "sigmalang_rs", name = "SessionEncoder", frozen)]
pub(crate) struct PySessionEncoder {
    inner: Mutex<EncoderState>,
}

struct EncoderState {
    encoder: sigma_codec::session::SessionEncoder,
    messages: u64,
}

#[pymethods]
impl PySessionEncoder {
    /// A session using `codebook` (or none), coding frame bodies with `coding` ("zstd", the
    /// default; "modeled", smaller and slower; "plain"), remembering the last `window` messages
    /// (at most 255) and `values` distinct values.
    #[new]
    #[pyo3(signature = (codebook = None, *, coding = "zstd", window = 16, values = 65536))]
    fn new(
        codebook: Option<PyRef<'_, PyCodebook>>,
        coding: &str,
        window: usize,
        values: usize,
    ) -> PyResult<Self> {
        let defaults = ContextConfig::default();
        let config = SessionConfig {
            context: ContextConfig { window, values, min_subtree: defaults.min_subtree },
            coding: self::coding(coding)?,
        };
        config.check().map_err(|e| errors::codec(e, Side::Encode))?;
        let codebook = codebook.map(|c| Arc::clone(&c.codebook));
        let encoder = sigma_codec::session::SessionEncoder::with_codebook(config, codebook);
        Ok(PySessionEncoder { inner: Mutex::new(EncoderState { encoder, messages: 0 }) })
    }

    /// The next frame: `message` (a `Tree` or a JSON value) as bytes.
    fn encode<'py>(&self, py: Python<'py>, message: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
        // A `Tree` is encoded where it is; a JSON value's tree is built first.
        let built;
        let tree = match message.cast::<PyTree>() {
            Ok(tree) => &tree.get().tree,
            Err(_) => {
                built = build_tree(|b| convert::value_into(message, b))?;
                &built
            }
        };
        let mut out = Vec::new();
        detached_if(py, large_tree(tree), || {
            let mut state = locked(&self.inner);
            state.encoder.encode_into(tree, &mut out)?;
            state.messages += 1;
            Ok::<(), Error>(())
        })
        .map_err(|e| errors::codec(e, Side::Encode))?;
        Ok(PyBytes::new(py, &out))
    }

    /// Messages encoded so far.
    #[getter]
    fn messages(&self) -> u64 {
        locked(&self.inner).messages
    }
}

/// The decoding end of a session stream. `feed(data)` takes the stream's bytes in pieces of any
/// size and returns the trees of the frames they complete; `close()` says the stream has ended
/// (an error if a frame was cut short). It keeps the bytes it has been given.
#[pyclass(module = "sigmalang_rs", name = "SessionDecoder", frozen)]
pub(crate) struct PySessionDecoder {
    inner: Mutex<DecoderState>,
}

struct DecoderState {
    codebook: Option<Arc<Codebook>>,
    limits: DecodeLimits,
    stream: Vec<u8>,
    /// The decoder, once the stream header has arrived.
    decoder: Option<sigma_codec::session::SessionDecoder>,
}

impl DecoderState {
    /// Decodes every complete frame of `stream` past the decoder's offset.
    fn decode_available(&mut self) -> Result<Vec<Tree>, Error> {
        let decoder = match &mut self.decoder {
            Some(decoder) => decoder,
            None => match sigma_glyph::session::read_header(&self.stream) {
                // The rest of the header is still to come.
                Err(e) if cut_short(&e) => return Ok(Vec::new()),
                _ => self.decoder.insert(sigma_codec::session::SessionDecoder::new(
                    &self.stream,
                    self.limits,
                    self.codebook.clone(),
                )?),
            },
        };
        let mut trees = Vec::new();
        while decoder.offset() < self.stream.len() {
            // Whether the next frame has all arrived is the frame reader's to say: any error
            // from decoding a whole frame is an error, even one about bytes running out.
            if let Err(e) = sigma_glyph::session::read_frame(&self.stream, decoder.offset())
                && cut_short(&e)
            {
                break;
            }
            match decoder.next_frame(&self.stream) {
                Some(Ok(frame)) => trees.push(frame.tree),
                Some(Err(e)) => return Err(e),
                None => break,
            }
        }
        Ok(trees)
    }
}

/// Whether `error` says only that the bytes end too soon.
fn cut_short(error: &sigma_glyph::Error) -> bool {
    matches!(error, sigma_glyph::Error::UnexpectedEnd { .. } | sigma_glyph::Error::TooShort { .. })
}

#[pymethods]
impl PySessionDecoder {
    /// A decoder for a stream encoded with `codebook` (or none), within `limits`.
    #[new]
    #[pyo3(signature = (codebook = None, limits = None))]
    fn new(codebook: Option<PyRef<'_, PyCodebook>>, limits: Option<PyRef<'_, PyLimits>>) -> Self {
        let state = DecoderState {
            codebook: codebook.map(|c| Arc::clone(&c.codebook)),
            limits: limits_of(limits.as_deref()),
            stream: Vec::new(),
            decoder: None,
        };
        PySessionDecoder { inner: Mutex::new(state) }
    }

    /// Takes the next bytes of the stream and returns the trees of every frame now complete,
    /// in order. A damaged or out-of-order frame is a `SessionError` or `DecodeError` naming its
    /// offset in the stream.
    fn feed(&self, py: Python<'_>, data: PyBackedBytes) -> PyResult<Vec<PyTree>> {
        let trees = detached_if(py, data.len() >= RELEASE_GIL_BYTES, || {
            let mut state = locked(&self.inner);
            state.stream.extend_from_slice(&data);
            state.decode_available()
        })
        .map_err(|e| errors::codec(e, Side::Decode))?;
        Ok(trees.into_iter().map(PyTree::new).collect())
    }

    /// Says the stream has ended: a `DecodeError` if bytes of an unfinished header or frame
    /// are left.
    fn close(&self) -> PyResult<()> {
        let state = locked(&self.inner);
        let read = state.decoder.as_ref().map_or(0, sigma_codec::session::SessionDecoder::offset);
        if read < state.stream.len() || state.decoder.is_none() {
            return Err(errors::raise(
                Kind::Decode,
                format!(
                    "the stream ends at byte {} inside a {} ({} bytes of it arrived)",
                    state.stream.len(),
                    if state.decoder.is_none() { "stream header" } else { "frame" },
                    state.stream.len() - read
                ),
                Some(state.stream.len()),
            ));
        }
        Ok(())
    }

    /// Bytes of the stream given so far.
    #[getter]
    fn bytes_fed(&self) -> usize {
        locked(&self.inner).stream.len()
    }
}

/// Encodes `messages` (`Tree`s or JSON values) as one session stream.
#[pyfunction]
#[pyo3(signature = (messages, codebook = None, *, coding = "zstd"))]
fn encode_stream<'py>(
    py: Python<'py>,
    messages: &Bound<'py, PyAny>,
    codebook: Option<PyRef<'py, PyCodebook>>,
    coding: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let trees = messages.try_iter()?.map(|item| message_tree(&item?)).collect::<PyResult<Vec<Tree>>>()?;
    let config = SessionConfig { context: ContextConfig::default(), coding: self::coding(coding)? };
    let codebook = codebook.map(|c| Arc::clone(&c.codebook));
    let stream = py
        .detach(|| sigma_codec::session::encode_stream_with(&trees, config, codebook))
        .map_err(|e| errors::codec(e, Side::Encode))?;
    Ok(PyBytes::new(py, &stream))
}

/// Decodes a whole session stream into its trees (the stream's codebook must be given).
#[pyfunction]
#[pyo3(signature = (data, codebook = None, limits = None))]
fn decode_stream(
    py: Python<'_>,
    data: PyBackedBytes,
    codebook: Option<PyRef<'_, PyCodebook>>,
    limits: Option<PyRef<'_, PyLimits>>,
) -> PyResult<Vec<PyTree>> {
    let limits = limits_of(limits.as_deref());
    let codebook = codebook.map(|c| Arc::clone(&c.codebook));
    let frames = py
        .detach(|| sigma_codec::session::decode_stream_with(&data, limits, codebook))
        .map_err(|e| errors::codec(e, Side::Decode))?;
    Ok(frames.into_iter().map(|frame| PyTree::new(frame.tree)).collect())
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCodebook>()?;
    m.add_class::<PySessionEncoder>()?;
    m.add_class::<PySessionDecoder>()?;
    m.add_function(wrap_pyfunction!(encode_stream, m)?)?;
    m.add_function(wrap_pyfunction!(decode_stream, m)?)?;
    Ok(())
}
