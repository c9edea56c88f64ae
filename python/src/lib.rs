//! `sigmalang_rs._native`: the Python extension module over the workspace's public crates
//! (PyO3, the stable ABI from CPython 3.9). The package `sigmalang_rs` re-exports it; its stub
//! `sigmalang_rs/_native.pyi` is the typed API, checked against this module in CI.
//!
//! | file | holds |
//! |---|---|
//! | `lib.rs` | the module, `Tree`, `Node`, `Limits`, `encode`/`decode`/`dumps`/`loads` |
//! | `convert.rs` | JSON values and tree dicts to trees and back, without recursion |
//! | `session.rs` | `SessionEncoder`, `SessionDecoder`, `Codebook` |
//! | `text.rs` | text to trees, extraction, the knowledge graph, analogies |
//! | `bank.rs` | the bank |
//! | `errors.rs` | Rust errors as the exceptions of `sigmalang_rs/_errors.py` |

mod bank;
mod convert;
mod direct;
mod errors;
mod session;
mod text;
mod utf8;

use std::cell::RefCell;

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyTuple};
use sigma_codec::{DecodeLimits, Format};
use sigma_tree::raw::RawBuilder;
use sigma_tree::{BuilderStack, Primitive, Tree};

use crate::errors::{Kind, Side};

/// Inputs at least this large are encoded or decoded with the GIL released, so other threads
/// run meanwhile (below it, releasing and taking the GIL back costs more than it frees).
pub(crate) const RELEASE_GIL_BYTES: usize = 64 * 1024;

/// A semantic tree: nodes with a primitive (0–255), an optional str value and ordered children.
/// Immutable; build one with `Tree.from_value`, `Tree.from_dict`, `Tree.from_json`,
/// `Tree.from_tree_json` or `decode`.
#[pyclass(module = "sigmalang_rs", name = "Tree", frozen, eq)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PyTree {
    pub(crate) tree: Tree,
}

impl PyTree {
    pub(crate) fn new(tree: Tree) -> PyTree {
        PyTree { tree }
    }
}

/// Runs `work` with the GIL released if `large` (below that, releasing and taking the GIL back
/// costs more than it frees).
pub(crate) fn detached_if<T: Send>(py: Python<'_>, large: bool, work: impl FnOnce() -> T + Send) -> T {
    if large { py.detach(work) } else { work() }
}

/// Whether encoding `tree` is worth releasing the GIL for.
pub(crate) fn large_tree(tree: &Tree) -> bool {
    tree.value_bytes() + tree.node_count() * 4 >= RELEASE_GIL_BYTES
}

/// Builds a tree with `fill`.
pub(crate) fn build_tree(fill: impl FnOnce(&mut RawBuilder) -> PyResult<()>) -> PyResult<Tree> {
    let mut builder = RawBuilder::default();
    fill(&mut builder)?;
    builder.finish().map_err(errors::tree)
}

#[pymethods]
impl PyTree {
    /// The tree of a JSON value: dict, list, tuple, str, int, float (finite), bool, None, nested
    /// to any depth (the JSON-document mapping: `DICT` of `RECORD`s, `LIST`, `STRING`,
    /// `NUMBER` with `json.dumps`'s text, `BOOLEAN`, `NULL`).
    #[staticmethod]
    fn from_value(value: &Bound<'_, PyAny>) -> PyResult<PyTree> {
        build_tree(|b| convert::value_into(value, b)).map(PyTree::new)
    }

    /// The tree of a tree dict: `{"p": 16 or "FUNCTION", "v": "calculate" or None, "c": [...]}`
    /// (`v` and `c` may be left out).
    #[staticmethod]
    fn from_dict(node: &Bound<'_, PyAny>) -> PyResult<PyTree> {
        build_tree(|b| convert::tree_dict_into(node, b)).map(PyTree::new)
    }

    /// The tree of a JSON document's text (numbers keep their exact text).
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<PyTree> {
        detached_if(py, text.len() >= RELEASE_GIL_BYTES, || Tree::from_json_document(text))
            .map(PyTree::new)
            .map_err(errors::tree)
    }

    /// The tree of its tree JSON text (`{"p":16,"v":"calculate","c":[...]}`).
    #[staticmethod]
    fn from_tree_json(text: &str) -> PyResult<PyTree> {
        Tree::from_tree_json(text).map(PyTree::new).map_err(errors::tree)
    }

    /// The JSON value this tree is the image of; `TreeError` if it is none.
    fn to_json_value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::tree_to_value(py, &self.tree)
    }

    /// The tree as a tree dict (`{"p": int, "v": str or None, "c": [...]}`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::tree_to_dict(py, &self.tree)
    }

    /// The JSON document this tree is the image of, compact; `TreeError` if it is none.
    fn to_json(&self) -> PyResult<String> {
        self.tree.to_json_document().map_err(errors::tree)
    }

    /// The tree in tree JSON form, compact.
    fn to_tree_json(&self) -> String {
        self.tree.to_tree_json()
    }

    /// The tree as bytes (see `encode`).
    #[pyo3(signature = (format = "v2", compact = false))]
    fn encode<'py>(&self, py: Python<'py>, format: &str, compact: bool) -> PyResult<Bound<'py, PyBytes>> {
        encode_tree(py, &self.tree, format, compact)
    }

    /// Number of nodes.
    #[getter]
    fn node_count(&self) -> usize {
        self.tree.node_count()
    }

    /// Levels (a lone root has 1).
    #[getter]
    fn depth(&self) -> usize {
        self.tree.depth()
    }

    /// The root node.
    #[getter]
    fn root(slf: &Bound<'_, Self>) -> PyNode {
        PyNode { tree: slf.clone().unbind(), index: 0 }
    }

    /// Every node, in pre-order.
    fn nodes(slf: &Bound<'_, Self>) -> Vec<PyNode> {
        (0..slf.get().tree.node_count()).map(|index| PyNode { tree: slf.clone().unbind(), index }).collect()
    }

    fn __len__(&self) -> usize {
        self.tree.node_count()
    }

    /// The text notation: `FUNCTION "calculate" [NUMBER "1", NUMBER "2"]`.
    fn __str__(&self) -> String {
        self.tree.to_string()
    }

    fn __repr__(&self) -> String {
        const SHOWN: usize = 200;
        let text = self.tree.to_string();
        match text.char_indices().nth(SHOWN) {
            Some((cut, _)) => format!("Tree({}…, {} nodes)", &text[..cut], self.tree.node_count()),
            None => format!("Tree({text})"),
        }
    }

    /// Pickles as its v2 bytes.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let decode = py.import("sigmalang_rs")?.getattr("decode")?;
        let bytes = encode_tree(py, &self.tree, "v2", false)?;
        Ok((decode, PyTuple::new(py, [bytes])?))
    }
}

/// One node of a `Tree` (it keeps its tree alive).
#[pyclass(module = "sigmalang_rs", name = "Node", frozen)]
pub(crate) struct PyNode {
    tree: Py<PyTree>,
    index: usize,
}

impl PyNode {
    fn with<T>(&self, f: impl FnOnce(sigma_tree::NodeRef<'_>) -> T) -> PyResult<T> {
        match self.tree.get().tree.node(self.index) {
            Some(node) => Ok(f(node)),
            None => Err(errors::raise(Kind::Tree, format!("no node {} in this tree", self.index), None)),
        }
    }
}

#[pymethods]
impl PyNode {
    /// Pre-order index in the tree (the root is 0).
    #[getter]
    fn index(&self) -> usize {
        self.index
    }

    /// The primitive's id, 0–255.
    #[getter]
    fn primitive(&self) -> PyResult<u8> {
        self.with(|n| n.primitive().id())
    }

    /// The primitive's name (`"FUNCTION"`).
    #[getter]
    fn name(&self) -> PyResult<&'static str> {
        self.with(|n| n.primitive().name())
    }

    /// The value, or None (absent and empty differ).
    #[getter]
    fn value(&self) -> PyResult<Option<String>> {
        self.with(|n| n.value().map(str::to_owned))
    }

    /// The children, in order.
    #[getter]
    fn children(&self, py: Python<'_>) -> PyResult<Vec<PyNode>> {
        self.with(|n| {
            n.children().map(|c| PyNode { tree: self.tree.clone_ref(py), index: c.index() }).collect()
        })
    }

    /// Nodes in this node's subtree, itself included.
    #[getter]
    fn subtree_size(&self) -> PyResult<usize> {
        self.with(|n| n.subtree_size())
    }

    fn __len__(&self) -> PyResult<usize> {
        self.with(|n| n.child_count())
    }

    fn __repr__(&self) -> PyResult<String> {
        self.with(|n| match n.value() {
            Some(v) => format!("Node({} {v:?})", n.primitive().name()),
            None => format!("Node({})", n.primitive().name()),
        })
    }
}

/// Bounds on what one decode may build; each is checked before the allocation it guards.
/// Defaults: 256 MiB input, 16,777,216 nodes, depth 1,048,576, 64 MiB per value, 256 MiB of
/// values in all, 8 MiB of session coder memory. `max_total_value_bytes` is checked by compact
/// v2 alone: only there can values outgrow the bytes that hold them (elsewhere `max_bytes`
/// bounds them).
#[pyclass(module = "sigmalang_rs", name = "Limits", frozen, eq)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PyLimits {
    pub(crate) limits: DecodeLimits,
}

#[pymethods]
impl PyLimits {
    #[new]
    #[pyo3(signature = (*, max_bytes = None, max_nodes = None, max_depth = None, max_value_bytes = None, max_total_value_bytes = None, max_session_memory = None))]
    fn new(
        max_bytes: Option<u64>,
        max_nodes: Option<u64>,
        max_depth: Option<u64>,
        max_value_bytes: Option<u64>,
        max_total_value_bytes: Option<u64>,
        max_session_memory: Option<u64>,
    ) -> PyLimits {
        let d = DecodeLimits::DEFAULT;
        PyLimits {
            limits: DecodeLimits {
                max_bytes: max_bytes.unwrap_or(d.max_bytes),
                max_nodes: max_nodes.unwrap_or(d.max_nodes),
                max_depth: max_depth.unwrap_or(d.max_depth),
                max_value_bytes: max_value_bytes.unwrap_or(d.max_value_bytes),
                max_total_value_bytes: max_total_value_bytes.unwrap_or(d.max_total_value_bytes),
                max_session_memory: max_session_memory.unwrap_or(d.max_session_memory),
            },
        }
    }

    /// No limits beyond what the formats and the tree can hold.
    #[staticmethod]
    fn unlimited() -> PyLimits {
        PyLimits { limits: DecodeLimits::UNLIMITED }
    }

    #[getter]
    fn max_bytes(&self) -> u64 {
        self.limits.max_bytes
    }
    #[getter]
    fn max_nodes(&self) -> u64 {
        self.limits.max_nodes
    }
    #[getter]
    fn max_depth(&self) -> u64 {
        self.limits.max_depth
    }
    #[getter]
    fn max_value_bytes(&self) -> u64 {
        self.limits.max_value_bytes
    }
    #[getter]
    fn max_total_value_bytes(&self) -> u64 {
        self.limits.max_total_value_bytes
    }
    #[getter]
    fn max_session_memory(&self) -> u64 {
        self.limits.max_session_memory
    }

    fn __repr__(&self) -> String {
        let l = &self.limits;
        format!(
            "Limits(max_bytes={}, max_nodes={}, max_depth={}, max_value_bytes={}, max_total_value_bytes={}, max_session_memory={})",
            l.max_bytes,
            l.max_nodes,
            l.max_depth,
            l.max_value_bytes,
            l.max_total_value_bytes,
            l.max_session_memory
        )
    }
}

pub(crate) fn limits_of(limits: Option<&PyLimits>) -> DecodeLimits {
    limits.map_or(DecodeLimits::DEFAULT, |l| l.limits)
}

/// What each thread keeps between calls: a tree, its builder stack and an output buffer, so
/// that encoding and decoding small messages allocates nothing but the result.
#[derive(Default)]
struct Scratch {
    tree: Tree,
    stack: BuilderStack,
    out: Vec<u8>,
    /// Where each node's tag is, for `direct`.
    tags: Vec<usize>,
    /// The encoders keep their state (compact v2's slot table) from one message to the next.
    plain: sigma_codec::v2::Encoder,
    compact: Option<sigma_codec::v2::Encoder>,
    /// The v2 decoder, with the limits it was made for.
    decoder: Option<(DecodeLimits, sigma_codec::v2::Decoder)>,
}

impl Scratch {
    /// The most bytes of output buffer, and of values, kept between calls.
    const KEEP_BYTES: usize = 1 << 20;
    /// The most nodes kept between calls.
    const KEEP_NODES: usize = 1 << 16;

    /// Lets go of what a large call grew, so that a thread keeps about a megabyte between calls
    /// rather than the largest document it ever encoded.
    fn trim(&mut self) {
        if self.out.capacity() > Self::KEEP_BYTES {
            self.out = Vec::new();
        }
        if self.tags.capacity() > Self::KEEP_NODES {
            self.tags = Vec::new();
        }
        if self.tree.node_count() > Self::KEEP_NODES || self.tree.value_bytes() > Self::KEEP_BYTES {
            self.tree = Tree::new();
            self.stack = BuilderStack::default();
            self.plain = sigma_codec::v2::Encoder::new();
            self.compact = None;
            self.decoder = None;
        }
    }

    /// The v2 decoder for `limits`, made again only when they change.
    fn decoder(&mut self, limits: &DecodeLimits) -> &mut sigma_codec::v2::Decoder {
        if self.decoder.as_ref().is_some_and(|(made_for, _)| made_for != limits) {
            self.decoder = None;
        }
        let (_, decoder) =
            self.decoder.get_or_insert_with(|| (*limits, sigma_codec::v2::Decoder::new(*limits)));
        decoder
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's scratch, or with a fresh one if it is in use (a finaliser that
/// encodes while an encode is running).
fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => {
            let result = f(&mut scratch);
            scratch.trim();
            result
        }
        Err(_) => f(&mut Scratch::default()),
    })
}

#[derive(Clone, Copy)]
enum Wire {
    V1,
    V2,
    V2Compact,
}

fn wire(format: &str, compact: bool) -> PyResult<Wire> {
    match (format, compact) {
        ("v2", false) => Ok(Wire::V2),
        ("v2", true) => Ok(Wire::V2Compact),
        ("v1", false) => Ok(Wire::V1),
        ("v1", true) => {
            Err(pyo3::exceptions::PyValueError::new_err("compact=True is a variant of format v2, not of v1"))
        }
        (other, _) => Err(pyo3::exceptions::PyValueError::new_err(format!(
            "unknown format {other:?}: \"v2\" (the default) or \"v1\" (the reference's)"
        ))),
    }
}

/// Encodes `tree` into `out` (cleared first) with the scratch's encoders.
fn encode_wire(
    tree: &Tree,
    wire: Wire,
    out: &mut Vec<u8>,
    plain: &mut sigma_codec::v2::Encoder,
    compact: &mut Option<sigma_codec::v2::Encoder>,
) -> Result<(), sigma_codec::Error> {
    out.clear();
    match wire {
        Wire::V1 => sigma_codec::v1::encode_into(tree, out).map(drop),
        Wire::V2 => plain.encode_into(tree, out).map(drop),
        Wire::V2Compact => {
            compact.get_or_insert_with(sigma_codec::v2::Encoder::compact).encode_into(tree, out).map(drop)
        }
    }
}

fn encode_tree<'py>(
    py: Python<'py>,
    tree: &Tree,
    format: &str,
    compact: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let wire = wire(format, compact)?;
    with_scratch(|scratch| write_tree(py, tree, wire, scratch))
}

/// `tree`'s bytes in `wire`, written with the scratch's encoders and buffer.
fn write_tree<'py>(
    py: Python<'py>,
    tree: &Tree,
    wire: Wire,
    scratch: &mut Scratch,
) -> PyResult<Bound<'py, PyBytes>> {
    let Scratch { out, plain, compact, .. } = scratch;
    detached_if(py, large_tree(tree), || encode_wire(tree, wire, out, plain, compact))
        .map_err(|e| errors::codec(e, Side::Encode))?;
    Ok(PyBytes::new(py, out))
}

/// Encodes a `Tree`, or the tree of any JSON value, as format v2 (the default), compact v2
/// (`compact=True`: repeated values by slot, shared prefixes, packed numbers) or v1 (the
/// reference's bytes).
#[pyfunction]
#[pyo3(signature = (tree_or_value, format = "v2", compact = false))]
fn encode<'py>(
    py: Python<'py>,
    tree_or_value: &Bound<'py, PyAny>,
    format: &str,
    compact: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    if let Ok(tree) = tree_or_value.cast::<PyTree>() {
        return encode_tree(py, &tree.get().tree, format, compact);
    }
    dumps(py, tree_or_value, format, compact)
}

/// Encodes the tree of a JSON value (see `encode`); the inverse of `loads`.
#[pyfunction]
#[pyo3(signature = (value, format = "v2", compact = false))]
fn dumps<'py>(
    py: Python<'py>,
    value: &Bound<'py, PyAny>,
    format: &str,
    compact: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let wire = wire(format, compact)?;
    with_scratch(|scratch| {
        if let Wire::V2 = wire
            && let Some(message) = direct::write_v2(value, &mut scratch.out, &mut scratch.tags)?
        {
            return Ok(PyBytes::new(py, message));
        }
        let mut builder =
            RawBuilder::reuse(std::mem::take(&mut scratch.tree), std::mem::take(&mut scratch.stack));
        let filled = convert::value_into(value, &mut builder);
        if let Err(e) = filled {
            (scratch.tree, scratch.stack) = builder.into_parts();
            return Err(e);
        }
        builder.finish_into(&mut scratch.tree, &mut scratch.stack).map_err(errors::tree)?;
        let tree = std::mem::take(&mut scratch.tree);
        let bytes = write_tree(py, &tree, wire, scratch);
        scratch.tree = tree;
        bytes
    })
}

/// Decodes `data` (bytes or bytearray) into `tree` with `decoder` for v2 (any other format by
/// `sigma_codec::decode_into`), with the GIL released for large inputs.
fn decode_bytes(
    py: Python<'_>,
    data: &[u8],
    tree: &mut Tree,
    limits: &DecodeLimits,
    decoder: &mut sigma_codec::v2::Decoder,
) -> PyResult<()> {
    detached_if(py, data.len() >= RELEASE_GIL_BYTES, || match sigma_codec::detect(data)? {
        Format::V2 => decoder.decode_into(data, tree),
        _ => sigma_codec::decode_into(data, tree, limits),
    })
    .map_err(|e| errors::codec(e, Side::Decode))
}

/// Decodes one tree from v1, v2 or compact v2 bytes (told apart by the first byte), within
/// `limits` (`Limits()`'s defaults if None). Errors are `DecodeError`s carrying the byte
/// `offset`; a limit is `LimitExceeded` naming it.
#[pyfunction]
#[pyo3(signature = (data, limits = None))]
fn decode(py: Python<'_>, data: PyBackedBytes, limits: Option<PyRef<'_, PyLimits>>) -> PyResult<PyTree> {
    let limits = limits_of(limits.as_deref());
    let mut tree = Tree::new();
    with_scratch(|scratch| decode_bytes(py, &data, &mut tree, &limits, scratch.decoder(&limits)))?;
    Ok(PyTree::new(tree))
}

/// Decodes bytes made by `dumps` (or any message whose tree is a JSON value's) back to the
/// value: dict, list, str, int, float, bool, None.
#[pyfunction]
#[pyo3(signature = (data, limits = None))]
fn loads<'py>(
    py: Python<'py>,
    data: PyBackedBytes,
    limits: Option<PyRef<'py, PyLimits>>,
) -> PyResult<Bound<'py, PyAny>> {
    let limits = limits_of(limits.as_deref());
    with_scratch(|scratch| {
        let mut tree = std::mem::take(&mut scratch.tree);
        let decoded = decode_bytes(py, &data, &mut tree, &limits, scratch.decoder(&limits))
            .and_then(|()| convert::tree_to_value(py, &tree));
        scratch.tree = tree;
        decoded
    })
}

/// The format of `data` from its first byte: "v1", "v2" or "session".
#[pyfunction]
fn detect(data: PyBackedBytes) -> PyResult<&'static str> {
    sigma_codec::detect(&data).map(Format::name).map_err(|e| errors::codec(e, Side::Decode))
}

/// The name of primitive `id` (0–255).
#[pyfunction]
fn primitive_name(id: u8) -> &'static str {
    Primitive::new(id).name()
}

/// The id of the primitive called `name` (any case); `KeyError` if there is none.
#[pyfunction]
fn primitive_id(name: &str) -> PyResult<u8> {
    Primitive::from_name(name)
        .map(Primitive::id)
        .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(format!("no primitive is called {name:?}")))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTree>()?;
    m.add_class::<PyNode>()?;
    m.add_class::<PyLimits>()?;
    m.add_function(wrap_pyfunction!(encode, m)?)?;
    m.add_function(wrap_pyfunction!(decode, m)?)?;
    m.add_function(wrap_pyfunction!(dumps, m)?)?;
    m.add_function(wrap_pyfunction!(loads, m)?)?;
    m.add_function(wrap_pyfunction!(detect, m)?)?;
    m.add_function(wrap_pyfunction!(primitive_name, m)?)?;
    m.add_function(wrap_pyfunction!(primitive_id, m)?)?;
    session::register(m)?;
    text::register(m)?;
    bank::register(m)?;
    Ok(())
}
