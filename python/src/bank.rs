//! The bank (`sigma-bank`) for Python: a directory of trees added as JSON documents, JSON lines,
//! trees or text, each given back exactly as it was added, found by words (BM25), by shape (like
//! a tree) or both. Every call that reads or writes the bank releases the GIL.
//!
//! Errors: a bank that cannot be opened, read or written (no bank there, a directory that is not
//! empty, another writer, damage, a search with nothing to search by) is a `BankError`; input
//! that does not parse is what the same input gives elsewhere in the package (`DecodeError` with
//! the byte `offset` for JSON text, `TextError` for text, `EncodeError` for a tree too large).

use std::ops::Range;
use std::path::{Path, PathBuf};

use pyo3::prelude::*;
use pyo3::types::PyString;
use sigma_bank::{Bank, BankError, BankOptions, InputError, Item, ItemKind, Query, RenderError, Stats};
use sigma_tree::Tree;

use crate::errors::{self, Kind, Side};
use crate::{PyLimits, PyTree};

/// A `sigma_bank::BankError` as its exception (see the module docs).
fn bank_error(error: BankError) -> PyErr {
    match error {
        BankError::Input(input) => input_error(input, None),
        other => errors::raise(Kind::Bank, other.to_string(), None),
    }
}

/// An input that could not be made an item; `line` names the line (and its first byte) of JSON
/// lines.
fn input_error(error: InputError, line: Option<(usize, usize)>) -> PyErr {
    let message = match line {
        Some((number, _)) => format!("line {number}: {error}"),
        None => error.to_string(),
    };
    match error {
        InputError::Json { source, .. } => match source.offset() {
            Some(offset) => {
                let base = line.map_or(0, |(_, start)| start);
                errors::raise(Kind::Decode, message, Some(base + offset))
            }
            None => errors::tree(source),
        },
        InputError::Text(_) => errors::raise(Kind::Text, message, None),
        InputError::Render(RenderError::Json(_)) => errors::raise(Kind::Tree, message, None),
        InputError::Render(_) => errors::raise(Kind::Text, message, None),
        InputError::Encode(source) => errors::codec(source, Side::Encode),
        _ => errors::raise(Kind::Encode, message, None),
    }
}

/// A render failure of a stored item (which a bank's own items never have).
fn render_error(error: RenderError) -> PyErr {
    match error {
        RenderError::Json(_) => errors::raise(Kind::Tree, error.to_string(), None),
        _ => errors::raise(Kind::Text, error.to_string(), None),
    }
}

/// The tree of a JSON value (as `Tree.from_value` makes it).
fn value_tree(value: &Bound<'_, PyAny>) -> PyResult<Tree> {
    crate::build_tree(|builder| crate::convert::value_into(value, builder))
}

/// The item of a JSON document: its text (a `str`, numbers kept as written) or a JSON value.
fn json_item(value: &Bound<'_, PyAny>) -> PyResult<Item> {
    if let Ok(text) = value.cast::<PyString>() {
        return Item::json(&text.to_cow()?).map_err(|e| input_error(e, None));
    }
    Item::from_json_tree(value_tree(value)?).map_err(|e| input_error(e, None))
}

/// The items of JSON lines: one per line that is not blank.
fn json_line_items(text: &str) -> PyResult<Vec<Item>> {
    let mut items = Vec::new();
    let mut start = 0;
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if !line.trim().is_empty() {
            items.push(Item::json(line).map_err(|e| input_error(e, Some((index + 1, start))))?);
        }
        start += raw.len();
    }
    Ok(items)
}

/// The options of a bank opened or created from Python.
fn options(limits: Option<&PyLimits>, check_files: bool, writer_threads: Option<usize>) -> BankOptions {
    let mut options = BankOptions { limits: crate::limits_of(limits), check_files, ..BankOptions::default() };
    if let Some(threads) = writer_threads {
        options.writer_threads = threads.max(1);
    }
    options
}

/// The ids of a range, as a list.
fn ids(range: Range<u64>) -> Vec<u64> {
    range.collect()
}

/// One item of a bank: its id, what it was added as, and its tree.
#[pyclass(module = "sigmalang_rs", name = "BankItem", frozen, eq)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PyBankItem {
    /// The item's id.
    #[pyo3(get)]
    id: u64,
    item: Item,
}

#[pymethods]
impl PyBankItem {
    /// What it was added as: `"json"` (a JSON document), `"tree"` or `"text"`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.item.kind().name()
    }

    /// Its tree.
    #[getter]
    fn tree(&self) -> PyTree {
        PyTree::new(self.item.tree().clone())
    }

    /// The item exactly as it was added: compact JSON (keys in order, numbers as written) for a
    /// JSON document, tree JSON for a tree, the text byte for byte for text.
    fn render(&self) -> PyResult<String> {
        self.item.render().map_err(render_error)
    }

    /// The JSON value of a JSON document item (dict, list, str, int, float, bool, None);
    /// `TreeError` for a tree or text item.
    fn value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        if self.item.kind() != ItemKind::Json {
            return Err(errors::raise(
                Kind::Tree,
                format!("item {} is a {} item, not a JSON document", self.id, self.item.kind().name()),
                None,
            ));
        }
        crate::convert::tree_to_value(py, self.item.tree())
    }

    fn __repr__(&self) -> String {
        format!(
            "BankItem(id={}, kind={:?}, {} nodes)",
            self.id,
            self.item.kind().name(),
            self.item.tree().node_count()
        )
    }
}

/// One search hit.
#[pyclass(module = "sigmalang_rs", name = "Hit", frozen, eq)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct PyHit {
    /// The item's id.
    #[pyo3(get)]
    id: u64,
    /// The score hits are ranked by: BM25 for words alone, Jaccard (0 to 1) for a shape alone,
    /// the reciprocal-rank-fusion sum for both.
    #[pyo3(get)]
    score: f64,
    /// The item's BM25 score for the words, when the query has words and the item is among
    /// their best hits.
    #[pyo3(get)]
    words: Option<f64>,
    /// The exact Jaccard similarity to the `like` tree, when the query has one.
    #[pyo3(get)]
    shape: Option<f64>,
}

#[pymethods]
impl PyHit {
    fn __repr__(&self) -> String {
        format!("Hit(id={}, score={:?})", self.id, self.score)
    }
}

/// Figures about a bank.
#[pyclass(module = "sigmalang_rs", name = "BankStats", frozen, eq)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PyBankStats {
    /// Items held.
    #[pyo3(get)]
    items: u64,
    /// The id the next item added will get.
    #[pyo3(get)]
    next_id: u64,
    /// Store segments.
    #[pyo3(get)]
    segments: usize,
    /// Removed items whose space a merge has not reclaimed yet.
    #[pyo3(get)]
    removed_pending: u64,
    /// Bytes of the files in the bank's directory.
    #[pyo3(get)]
    bytes_on_disk: u64,
}

impl From<Stats> for PyBankStats {
    fn from(s: Stats) -> PyBankStats {
        PyBankStats {
            items: s.items,
            next_id: s.next_id,
            segments: s.segments,
            removed_pending: s.removed_pending,
            bytes_on_disk: s.bytes_on_disk,
        }
    }
}

#[pymethods]
impl PyBankStats {
    fn __repr__(&self) -> String {
        format!(
            "BankStats(items={}, next_id={}, segments={}, removed_pending={}, bytes_on_disk={})",
            self.items, self.next_id, self.segments, self.removed_pending, self.bytes_on_disk
        )
    }
}

/// A persistent bank of trees in a directory. `Bank(path)` opens the bank there, or creates one
/// if the directory does not exist or is empty; `Bank.open` and `Bank.create` do only one of
/// them. Each item gets an id that never changes and is never given again, and comes back
/// exactly as it was added. Each add or remove is one durable commit, made while the bank's
/// writer lock is held: an add that finds it held (another add at the same moment, here or in
/// another process) is a `BankError`. Safe to share between threads.
#[pyclass(module = "sigmalang_rs", name = "Bank", frozen)]
pub(crate) struct PyBank {
    bank: Bank,
}

impl PyBank {
    fn add_items(&self, py: Python<'_>, items: &[Item]) -> PyResult<Vec<u64>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        py.detach(|| self.bank.add(items)).map(ids).map_err(bank_error)
    }

    fn add_one(&self, py: Python<'_>, item: &Item) -> PyResult<u64> {
        let added = self.add_items(py, std::slice::from_ref(item))?;
        added.first().copied().ok_or_else(|| errors::raise(Kind::Bank, "the bank gave the item no id", None))
    }

    fn stats_of(&self, py: Python<'_>) -> PyResult<Stats> {
        py.detach(|| self.bank.stats()).map_err(bank_error)
    }
}

/// A bank opened or created by `open`, with the GIL released.
fn opened(py: Python<'_>, open: impl FnOnce() -> Result<Bank, BankError> + Send) -> PyResult<PyBank> {
    py.detach(open).map(|bank| PyBank { bank }).map_err(bank_error)
}

/// Whether `path` is a directory that does not exist or holds nothing.
fn empty_directory(path: &Path) -> bool {
    std::fs::read_dir(path).map_or(true, |mut entries| entries.next().is_none())
}

#[pymethods]
impl PyBank {
    /// Opens the bank in `path`, creating it if the directory does not exist or is empty.
    /// `limits` bound every item read back (`Limits()`'s defaults if None); `check_files` checks
    /// every store file against its checksum when opening; `writer_threads` is the indexing
    /// threads of a writer (by default one per core, up to 4).
    #[new]
    #[pyo3(signature = (path, *, limits = None, check_files = true, writer_threads = None))]
    fn new(
        py: Python<'_>,
        path: PathBuf,
        limits: Option<PyRef<'_, PyLimits>>,
        check_files: bool,
        writer_threads: Option<usize>,
    ) -> PyResult<PyBank> {
        let options = options(limits.as_deref(), check_files, writer_threads);
        opened(py, || {
            if empty_directory(&path) {
                Bank::create_with(&path, options)
            } else {
                Bank::open_with(&path, options)
            }
        })
    }

    /// Opens the bank in `path`; `BankError` if there is none (see `Bank()` for the options).
    #[staticmethod]
    #[pyo3(signature = (path, *, limits = None, check_files = true, writer_threads = None))]
    fn open(
        py: Python<'_>,
        path: PathBuf,
        limits: Option<PyRef<'_, PyLimits>>,
        check_files: bool,
        writer_threads: Option<usize>,
    ) -> PyResult<PyBank> {
        let options = options(limits.as_deref(), check_files, writer_threads);
        opened(py, || Bank::open_with(&path, options))
    }

    /// Creates a bank in `path`, a new or empty directory; `BankError` if it holds files (see
    /// `Bank()` for the options).
    #[staticmethod]
    #[pyo3(signature = (path, *, limits = None, writer_threads = None))]
    fn create(
        py: Python<'_>,
        path: PathBuf,
        limits: Option<PyRef<'_, PyLimits>>,
        writer_threads: Option<usize>,
    ) -> PyResult<PyBank> {
        let options = options(limits.as_deref(), true, writer_threads);
        opened(py, || Bank::create_with(&path, options))
    }

    /// The bank's directory.
    #[getter]
    fn path(&self) -> PathBuf {
        self.bank.path().to_owned()
    }

    /// Adds a JSON document and returns its id: JSON text (a `str`, its numbers kept exactly as
    /// written) or a JSON value (dict, list, int, float, bool, None; to add a JSON string, pass
    /// its JSON text, `json.dumps(s)`). `get` gives it back as compact JSON.
    fn add_json(&self, py: Python<'_>, document: &Bound<'_, PyAny>) -> PyResult<u64> {
        let item = json_item(document)?;
        self.add_one(py, &item)
    }

    /// Adds each JSON document of an iterable (JSON text or values, as `add_json`) in one commit
    /// and returns their ids, in order. If one fails, none is added.
    fn add_json_many(&self, py: Python<'_>, documents: &Bound<'_, PyAny>) -> PyResult<Vec<u64>> {
        let items = documents.try_iter()?.map(|d| json_item(&d?)).collect::<PyResult<Vec<_>>>()?;
        self.add_items(py, &items)
    }

    /// Adds JSON lines, one document per line that is not blank, in one commit, and returns
    /// their ids. A line that is no JSON is a `DecodeError` naming it (its `offset` is the byte
    /// in `text`), and nothing is added.
    fn add_json_lines(&self, py: Python<'_>, text: &str) -> PyResult<Vec<u64>> {
        let items = json_line_items(text)?;
        self.add_items(py, &items)
    }

    /// Adds a tree and returns its id; `get` gives it back as the same tree.
    fn add_tree(&self, py: Python<'_>, tree: PyRef<'_, PyTree>) -> PyResult<u64> {
        let item = Item::from_tree(tree.tree.clone());
        drop(tree);
        self.add_one(py, &item)
    }

    /// Adds each tree of an iterable in one commit and returns their ids, in order.
    fn add_trees(&self, py: Python<'_>, trees: &Bound<'_, PyAny>) -> PyResult<Vec<u64>> {
        let items = trees
            .try_iter()?
            .map(|t| Ok(Item::from_tree(t?.cast::<PyTree>()?.get().tree.clone())))
            .collect::<PyResult<Vec<_>>>()?;
        self.add_items(py, &items)
    }

    /// Adds text (through `text_to_tree`: sentences, entities, relations) and returns its id;
    /// `get` gives the text back byte for byte, and search finds it by its words.
    fn add_text(&self, py: Python<'_>, text: &str) -> PyResult<u64> {
        let item = py.detach(|| Item::text(text)).map_err(|e| input_error(e, None))?;
        self.add_one(py, &item)
    }

    /// Adds each text of an iterable in one commit and returns their ids, in order.
    fn add_texts(&self, py: Python<'_>, texts: &Bound<'_, PyAny>) -> PyResult<Vec<u64>> {
        let texts = texts
            .try_iter()?
            .map(|t| Ok(t?.cast::<PyString>()?.to_cow()?.into_owned()))
            .collect::<PyResult<Vec<_>>>()?;
        let items = py
            .detach(|| texts.iter().map(|t| Item::text(t)).collect::<Result<Vec<_>, _>>())
            .map_err(|e| input_error(e, None))?;
        self.add_items(py, &items)
    }

    /// The item `id`, decoded within the bank's limits and checked, or None if the bank holds no
    /// such item.
    fn get(&self, py: Python<'_>, id: u64) -> PyResult<Option<PyBankItem>> {
        let item = py.detach(|| self.bank.get(id)).map_err(bank_error)?;
        Ok(item.map(|item| PyBankItem { id, item }))
    }

    /// Removes item `id` in one commit; False if the bank holds no such item.
    fn remove(&self, py: Python<'_>, id: u64) -> PyResult<bool> {
        py.detach(|| self.bank.remove(id)).map_err(bank_error)
    }

    /// The best `limit` items, best first (ties by id): by `words` (BM25 over the items'
    /// values), `like` a tree (a `Tree`, or a JSON value as `Tree.from_value` makes it; by
    /// exact Jaccard similarity of node and edge features), or both (reciprocal rank fusion).
    /// `BankError` if neither is given or the words hold no word.
    #[pyo3(signature = (words = None, like = None, limit = 10))]
    fn search(
        &self,
        py: Python<'_>,
        words: Option<&str>,
        like: Option<&Bound<'_, PyAny>>,
        limit: usize,
    ) -> PyResult<Vec<PyHit>> {
        let like = match like {
            None => None,
            Some(like) => match like.cast::<PyTree>() {
                Ok(tree) => Some(tree.get().tree.clone()),
                Err(_) => Some(value_tree(like)?),
            },
        };
        let query = Query { text: words, like: like.as_ref(), k: limit };
        let hits = py.detach(|| self.bank.search(&query)).map_err(bank_error)?;
        Ok(hits
            .into_iter()
            .map(|h| PyHit { id: h.id, score: h.score, words: h.words, shape: h.shape })
            .collect())
    }

    /// Figures about the bank: items, the next id, segments, removed items not yet reclaimed,
    /// bytes on disk.
    fn stats(&self, py: Python<'_>) -> PyResult<PyBankStats> {
        self.stats_of(py).map(Into::into)
    }

    /// Checks the whole bank: every store file against its checksum, then every item decoded
    /// and rendered. Returns the number of items checked; `BankError` on the first damage.
    fn verify(&self, py: Python<'_>) -> PyResult<u64> {
        py.detach(|| self.bank.verify()).map_err(bank_error)
    }

    /// Sees the last commit now (another process's commits are otherwise seen within about half
    /// a second; this one's at once).
    fn refresh(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.bank.refresh()).map_err(bank_error)
    }

    /// The number of items held.
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        let items = self.stats_of(py)?.items;
        usize::try_from(items)
            .map_err(|_| errors::raise(Kind::Bank, "more items than this platform counts", None))
    }

    /// Whether the bank holds item `id`.
    fn __contains__(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<bool> {
        let Ok(id) = id.extract::<u64>() else { return Ok(false) };
        py.detach(|| self.bank.contains(id)).map_err(bank_error)
    }

    fn __repr__(&self) -> String {
        format!("Bank({:?})", self.bank.path().display().to_string())
    }
}

/// Adds the bank's classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyBank>()?;
    m.add_class::<PyBankItem>()?;
    m.add_class::<PyHit>()?;
    m.add_class::<PyBankStats>()?;
    Ok(())
}
