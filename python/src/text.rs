//! The text layer (`sigma-text`) for Python: text to trees and back, byte for byte; entities and
//! relations extracted with their spans; the knowledge graph and its relational analogies; word
//! vectors and their analogies.
//!
//! Offsets are given both ways: `start`/`end` are byte offsets into the text's UTF-8 (as the
//! crate gives them), `char_start`/`char_end` are offsets in code points, so that
//! `text[e.char_start:e.char_end] == e.text` in Python.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyTuple};
use sigma_text::{
    AnalogyError, AnalogyMethod, Candidate, EntityId, EntityType, Extraction, GraphRelation, KnowledgeGraph,
    Position, Predicate, RelationalAnalogy, Term, TextError, VectorAnalogy, VectorError, VectorFormat,
    WordCandidate, WordVectors,
};
use sigma_tree::Tree;

use crate::errors::{self, Kind, Side};
use crate::{PyLimits, PyTree};

/// Texts at least this long are extracted with the GIL released (below it, releasing and taking
/// the GIL back costs more than it frees).
const RELEASE_GIL_BYTES: usize = 16 * 1024;

/// A `sigma_text::TextError` as a `TextError`.
fn text_error(error: TextError) -> PyErr {
    errors::raise(Kind::Text, error.to_string(), None)
}

/// A `sigma_text::VectorError` as a `TextError`; a byte position in a binary file is its `offset`
/// (a line of a text file is named in the message).
fn vector_error(error: VectorError) -> PyErr {
    let offset = match error.at {
        Some(Position::Byte(at)) => Some(at),
        _ => None,
    };
    errors::raise(Kind::Text, error.to_string(), offset)
}

/// Runs `f` with the GIL released when `len` is large enough to pay for it.
fn maybe_detached<T: Send>(py: Python<'_>, len: usize, f: impl FnOnce() -> T + Send) -> T {
    crate::detached_if(py, len >= RELEASE_GIL_BYTES, f)
}

/// The code-point offsets of the byte offsets `bytes` of `text`: for each, how many characters
/// start before it (so a byte offset on a character boundary gives that character's index).
fn char_offsets(text: &str, bytes: &[usize]) -> Vec<usize> {
    let mut order: Vec<(usize, usize)> = bytes.iter().copied().zip(0..).collect();
    order.sort_unstable();
    let mut out = vec![0; bytes.len()];
    let mut starts = text.char_indices().map(|(at, _)| at).peekable();
    let mut chars = 0;
    for (byte, slot) in order {
        while starts.next_if(|&at| at < byte).is_some() {
            chars += 1;
        }
        if let Some(place) = out.get_mut(slot) {
            *place = chars;
        }
    }
    out
}

/// An entity found in a text: its text, type, normal form and span. `start` and `end` are byte
/// offsets into the text's UTF-8 (end exclusive); `char_start` and `char_end` the same span in
/// code points (Python `str` indexes).
#[pyclass(module = "sigmalang_rs", name = "Entity", frozen, eq, hash)]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PyEntity {
    /// The entity's text, exactly as written.
    #[pyo3(get)]
    text: String,
    kind: EntityType,
    /// Its normal form: a name with its spaces collapsed; a date as `YYYY-MM-DD`, `YYYY-MM` or
    /// `YYYY`; a time as `HH:MM`; money as `USD 13700000000`; a percentage as `3.5%`; otherwise
    /// the text itself.
    #[pyo3(get)]
    normalized: String,
    /// Byte offset of its first byte.
    #[pyo3(get)]
    start: usize,
    /// Byte offset just past its last byte.
    #[pyo3(get)]
    end: usize,
    /// Code-point offset of its first character.
    #[pyo3(get)]
    char_start: usize,
    /// Code-point offset just past its last character.
    #[pyo3(get)]
    char_end: usize,
}

#[pymethods]
impl PyEntity {
    /// The type: `PERSON`, `ORGANIZATION`, `LOCATION`, `DATE`, `TIME`, `MONEY`, `PERCENT`,
    /// `QUANTITY`, `EMAIL` or `URL`.
    #[getter]
    fn r#type(&self) -> &'static str {
        self.kind.name()
    }

    fn __repr__(&self) -> String {
        format!("Entity({:?}, {}, {}..{})", self.text, self.kind.name(), self.start, self.end)
    }
}

/// A relation between two entities of an `Extraction`, with its evidence: the span of text that
/// states it (bytes `start`..`end`, code points `char_start`..`char_end`).
#[pyclass(module = "sigmalang_rs", name = "Relation", frozen, eq, hash)]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PyRelation {
    /// The subject.
    #[pyo3(get)]
    subject: PyEntity,
    predicate: Predicate,
    /// The object.
    #[pyo3(get)]
    object: PyEntity,
    /// Index of the subject in the extraction's `entities`.
    #[pyo3(get)]
    subject_index: usize,
    /// Index of the object in the extraction's `entities`.
    #[pyo3(get)]
    object_index: usize,
    /// The text of the evidence.
    #[pyo3(get)]
    text: String,
    /// Byte offset of the evidence's first byte.
    #[pyo3(get)]
    start: usize,
    /// Byte offset just past the evidence.
    #[pyo3(get)]
    end: usize,
    /// Code-point offset of the evidence's first character.
    #[pyo3(get)]
    char_start: usize,
    /// Code-point offset just past the evidence.
    #[pyo3(get)]
    char_end: usize,
}

#[pymethods]
impl PyRelation {
    /// What holds: `WORKS_FOR`, `CEO_OF`, `FOUNDED_BY`, `BORN_IN`, `LOCATED_IN`, `CAPITAL_OF`,
    /// `MARRIED_TO`, `PART_OF` or `ACQUIRED`.
    #[getter]
    fn predicate(&self) -> &'static str {
        self.predicate.name()
    }

    fn __repr__(&self) -> String {
        format!(
            "Relation({:?} {} {:?}, {}..{})",
            self.subject.text,
            self.predicate.name(),
            self.object.text,
            self.start,
            self.end
        )
    }
}

/// Everything extracted from one text: the text, its entities in text order (never
/// overlapping) and the relations between them.
#[pyclass(module = "sigmalang_rs", name = "Extraction", frozen, eq)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PyExtraction {
    text: String,
    inner: Extraction,
    entities: Vec<PyEntity>,
    relations: Vec<PyRelation>,
}

impl PyExtraction {
    fn new(text: String, inner: Extraction) -> PyExtraction {
        let mut bytes = Vec::with_capacity(2 * (inner.entities.len() + inner.relations.len()));
        bytes.extend(inner.entities.iter().flat_map(|e| [e.start, e.end]));
        bytes.extend(inner.relations.iter().flat_map(|r| [r.start, r.end]));
        let chars = char_offsets(&text, &bytes);
        let mut chars = chars.chunks_exact(2).map(|pair| match pair {
            [start, end] => (*start, *end),
            _ => (0, 0),
        });
        let entities: Vec<PyEntity> = inner
            .entities
            .iter()
            .zip(chars.by_ref())
            .map(|(e, (char_start, char_end))| PyEntity {
                text: e.text(&text).to_owned(),
                kind: e.kind,
                normalized: e.normalized.clone(),
                start: e.start,
                end: e.end,
                char_start,
                char_end,
            })
            .collect();
        let relations = inner
            .relations
            .iter()
            .zip(chars)
            .filter_map(|(r, (char_start, char_end))| {
                // The extraction's invariants: a relation's span lies in its text and names two
                // of its entities.
                debug_assert!(
                    text.get(r.start..r.end).is_some()
                        && r.subject < entities.len()
                        && r.object < entities.len(),
                    "a relation outside its extraction"
                );
                Some(PyRelation {
                    subject: entities.get(r.subject)?.clone(),
                    predicate: r.predicate,
                    object: entities.get(r.object)?.clone(),
                    subject_index: r.subject,
                    object_index: r.object,
                    text: text.get(r.start..r.end).unwrap_or_default().to_owned(),
                    start: r.start,
                    end: r.end,
                    char_start,
                    char_end,
                })
            })
            .collect();
        PyExtraction { text, inner, entities, relations }
    }
}

#[pymethods]
impl PyExtraction {
    /// The text it was extracted from.
    #[getter]
    fn text(&self) -> &str {
        &self.text
    }

    /// The entities, in text order.
    #[getter]
    fn entities(&self) -> Vec<PyEntity> {
        self.entities.clone()
    }

    /// The relations, each between two of `entities`.
    #[getter]
    fn relations(&self) -> Vec<PyRelation> {
        self.relations.clone()
    }

    /// As JSON text: `{"entities": [{"text", "type", "start", "end", "normalized"}],
    /// "relations": [{"subject", "predicate", "object", "start", "end"}]}`, offsets in bytes,
    /// `subject` and `object` indexes into `entities` (the `sigma extract` output).
    fn to_json(&self) -> String {
        self.inner.to_json(&self.text).to_string()
    }

    fn __repr__(&self) -> String {
        format!("Extraction({} entities, {} relations)", self.entities.len(), self.relations.len())
    }
}

/// The text tree of `text`: its sentences, the runs between entities, the entities and the
/// relations found (see docs/TEXT.md). `tree_to_text` gives the text back byte for byte.
#[pyfunction]
fn text_to_tree(py: Python<'_>, text: &str) -> PyResult<PyTree> {
    maybe_detached(py, text.len(), || sigma_text::parse(text)).map(PyTree::new).map_err(text_error)
}

/// The text a text tree holds, exactly as it was given to `text_to_tree`; `TextError` naming the
/// first node that does not fit if `tree` is not a text tree.
#[pyfunction]
fn tree_to_text(tree: PyRef<'_, PyTree>) -> PyResult<String> {
    sigma_text::to_text(&tree.tree).map_err(text_error)
}

/// The text a text tree holds with the entities and relations the tree records (without
/// extracting them again); `TextError` if `tree` is not a text tree.
#[pyfunction]
fn read_text_tree(tree: PyRef<'_, PyTree>) -> PyResult<PyExtraction> {
    let document = sigma_text::read(&tree.tree).map_err(text_error)?;
    Ok(PyExtraction::new(document.text, document.extraction))
}

/// The entities (people, organisations, places, dates, times, money, percentages, quantities,
/// e-mail addresses, URLs) and relations found in `text`, by rules and lists: deterministic,
/// and what it cannot support with evidence it leaves out.
#[pyfunction]
fn extract(py: Python<'_>, text: &str) -> PyExtraction {
    let found = maybe_detached(py, text.len(), || sigma_text::extract(text));
    PyExtraction::new(text.to_owned(), found)
}

/// An entity of a `KnowledgeGraph` (a snapshot: it does not change when the graph does).
#[pyclass(module = "sigmalang_rs", name = "GraphEntity", frozen, eq, hash)]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PyGraphEntity {
    /// Its id in the graph (stable while the graph lives, and kept by `to_bytes`/`from_bytes`).
    #[pyo3(get)]
    id: usize,
    /// Its name: the first normal form the graph met for it.
    #[pyo3(get)]
    name: String,
    kind: EntityType,
    /// Every other normal form it was met under, sorted.
    #[pyo3(get)]
    aliases: Vec<String>,
    /// How many mentions of it the documents make.
    #[pyo3(get)]
    mentions: u64,
}

#[pymethods]
impl PyGraphEntity {
    /// The type: `PERSON`, `ORGANIZATION` or `LOCATION`.
    #[getter]
    fn r#type(&self) -> &'static str {
        self.kind.name()
    }

    fn __repr__(&self) -> String {
        format!("GraphEntity({}, {:?}, {})", self.id, self.name, self.kind.name())
    }
}

/// One place a relation of a `KnowledgeGraph` is stated: a document and a byte span of its text.
#[pyclass(module = "sigmalang_rs", name = "Evidence", frozen, eq, hash)]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PyEvidence {
    /// The document's name.
    #[pyo3(get)]
    document: String,
    /// The document's index in the graph's `documents`.
    #[pyo3(get)]
    document_index: usize,
    /// Byte offset of the evidence's first byte in the document's text.
    #[pyo3(get)]
    start: usize,
    /// Byte offset just past it.
    #[pyo3(get)]
    end: usize,
}

#[pymethods]
impl PyEvidence {
    fn __repr__(&self) -> String {
        format!("Evidence({:?}, {}..{})", self.document, self.start, self.end)
    }
}

/// A relation of a `KnowledgeGraph`: subject, predicate, object and every place that states it.
#[pyclass(module = "sigmalang_rs", name = "GraphRelation", frozen, eq, hash)]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PyGraphRelation {
    /// The subject.
    #[pyo3(get)]
    subject: PyGraphEntity,
    predicate: Predicate,
    /// The object.
    #[pyo3(get)]
    object: PyGraphEntity,
    /// Where it is stated, in the order the documents were added.
    #[pyo3(get)]
    evidence: Vec<PyEvidence>,
}

#[pymethods]
impl PyGraphRelation {
    /// What holds (`CEO_OF`, ...).
    #[getter]
    fn predicate(&self) -> &'static str {
        self.predicate.name()
    }

    /// How many statements of it the documents make.
    #[getter]
    fn count(&self) -> usize {
        self.evidence.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "GraphRelation({:?} {} {:?}, {} statements)",
            self.subject.name,
            self.predicate.name(),
            self.object.name,
            self.evidence.len()
        )
    }
}

/// A candidate answer of a relational analogy.
#[pyclass(module = "sigmalang_rs", name = "AnalogyCandidate", frozen, eq)]
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PyAnalogyCandidate {
    /// The entity.
    #[pyo3(get)]
    entity: PyGraphEntity,
    /// The share of A's paths to B that lead from C to it, in (0, 1].
    #[pyo3(get)]
    score: f64,
    /// Those paths, best first, as property paths (`CAPITAL_OF`, `^FOUNDED_BY/LOCATED_IN`).
    #[pyo3(get)]
    paths: Vec<String>,
    /// The entities the first of them passes from C to it, both ends included.
    #[pyo3(get)]
    route: Vec<PyGraphEntity>,
    /// How many statements stand behind the agreeing paths.
    #[pyo3(get)]
    evidence: usize,
}

#[pymethods]
impl PyAnalogyCandidate {
    /// The entity's name.
    #[getter]
    fn name(&self) -> &str {
        &self.entity.name
    }

    fn __repr__(&self) -> String {
        format!("AnalogyCandidate({:?}, score={:?})", self.entity.name, self.score)
    }
}

/// The answer to *A is to B as C is to ?* from a knowledge graph, with its evidence.
#[pyclass(module = "sigmalang_rs", name = "RelationalAnalogy", frozen, eq)]
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PyRelationalAnalogy {
    /// The best candidate.
    #[pyo3(get)]
    answer: PyAnalogyCandidate,
    /// The path the answer was reached by (`CAPITAL_OF`, `^FOUNDED_BY/LOCATED_IN`).
    #[pyo3(get)]
    path: String,
    /// The entities that path passes from A to B, both ends included.
    #[pyo3(get)]
    example: Vec<PyGraphEntity>,
    /// Every path from A to B, best first.
    #[pyo3(get)]
    paths: Vec<String>,
    /// The other candidates, best first.
    #[pyo3(get)]
    runners_up: Vec<PyAnalogyCandidate>,
    /// The answer and its evidence in words, one line each (the statements followed, with their
    /// documents and byte spans).
    #[pyo3(get)]
    explanation: Vec<String>,
    json: String,
}

#[pymethods]
impl PyRelationalAnalogy {
    /// The answer's score (see `AnalogyCandidate.score`).
    #[getter]
    fn score(&self) -> f64 {
        self.answer.score
    }

    /// Every candidate, the answer first.
    #[getter]
    fn candidates(&self) -> Vec<PyAnalogyCandidate> {
        std::iter::once(&self.answer).chain(&self.runners_up).cloned().collect()
    }

    /// As JSON text: `{"answer", "score", "path", "candidates", "paths", "evidence"}`, the
    /// statements behind the answer with their documents and byte spans.
    fn to_json(&self) -> String {
        self.json.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "RelationalAnalogy({:?}, score={:?}, path={:?})",
            self.answer.entity.name, self.answer.score, self.path
        )
    }
}

/// Entities and relations merged from many documents. Entities merge by type and key (the
/// normal form in lower case, without a leading `the`, a possessive or an organisation's legal
/// suffix); each relation keeps its evidence, the document and byte span of every statement.
/// Safe to share between threads.
#[pyclass(module = "sigmalang_rs", name = "KnowledgeGraph", frozen)]
pub(crate) struct PyKnowledgeGraph {
    graph: Mutex<KnowledgeGraph>,
}

impl PyKnowledgeGraph {
    fn lock(&self) -> MutexGuard<'_, KnowledgeGraph> {
        self.graph.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The entity `id` of `graph` for Python, if there is one.
fn graph_entity(graph: &KnowledgeGraph, id: EntityId) -> Option<PyGraphEntity> {
    let e = graph.entity(id)?;
    Some(PyGraphEntity {
        id: id.index(),
        name: e.name.clone(),
        kind: e.kind,
        aliases: e.aliases.iter().cloned().collect(),
        mentions: e.mentions,
    })
}

/// The entities `ids` of `graph` for Python, in order.
fn graph_entities(graph: &KnowledgeGraph, ids: &[EntityId]) -> Vec<PyGraphEntity> {
    ids.iter().filter_map(|&id| graph_entity(graph, id)).collect()
}

/// A relation of `graph` for Python, with its evidence.
fn graph_relation(
    graph: &KnowledgeGraph,
    (subject, relation, object): (EntityId, &GraphRelation, EntityId),
) -> Option<PyGraphRelation> {
    let evidence = relation
        .evidence
        .iter()
        .map(|e| PyEvidence {
            // The graph's invariant: evidence names one of its documents.
            document: {
                debug_assert!(e.document < graph.documents().len(), "evidence of an unknown document");
                graph.documents().get(e.document).cloned().unwrap_or_default()
            },
            document_index: e.document,
            start: e.start,
            end: e.end,
        })
        .collect();
    Some(PyGraphRelation {
        subject: graph_entity(graph, subject)?,
        predicate: relation.predicate,
        object: graph_entity(graph, object)?,
        evidence,
    })
}

/// A candidate of a relational analogy for Python.
fn candidate(graph: &KnowledgeGraph, c: &Candidate) -> Option<PyAnalogyCandidate> {
    Some(PyAnalogyCandidate {
        entity: graph_entity(graph, c.entity)?,
        score: c.score,
        paths: c.paths.iter().map(ToString::to_string).collect(),
        route: graph_entities(graph, &c.route),
        evidence: c.evidence,
    })
}

/// The analogy's answer for Python (`None` only if its answer is no entity of `graph`, which the
/// graph's own answers never are).
fn relational_analogy(graph: &KnowledgeGraph, found: &RelationalAnalogy) -> Option<PyRelationalAnalogy> {
    let answer = candidate(graph, &found.answer)?;
    Some(PyRelationalAnalogy {
        answer,
        path: found.path.to_string(),
        example: graph_entities(graph, &found.example),
        paths: found.paths.iter().map(ToString::to_string).collect(),
        runners_up: found.runners_up.iter().filter_map(|c| candidate(graph, c)).collect(),
        explanation: found.explain(graph),
        json: found.to_json(graph, true).to_string(),
    })
}

/// A refusal of a relational analogy as a `TextError` with `reason` (`"unknown_name"`,
/// `"no_path"` or `"no_answer"`), and `term` (`"A"`, `"B"`, `"C"`) for an unknown name or
/// `paths` (the paths from A to B that C lacks) for no answer.
fn analogy_error(py: Python<'_>, error: AnalogyError) -> PyErr {
    let err = errors::raise(Kind::Text, error.to_string(), None);
    let value = err.value(py);
    let set = || -> PyResult<()> {
        match &error {
            AnalogyError::UnknownName { term, .. } => {
                value.setattr("reason", "unknown_name")?;
                value.setattr(
                    "term",
                    match term {
                        Term::A => "A",
                        Term::B => "B",
                        Term::C => "C",
                    },
                )
            }
            AnalogyError::NoPath { .. } => value.setattr("reason", "no_path"),
            AnalogyError::NoAnswer { paths, .. } => {
                value.setattr("reason", "no_answer")?;
                value.setattr("paths", paths.clone())
            }
            _ => value.setattr("reason", "other"),
        }
    };
    match set() {
        Ok(()) => err,
        Err(e) => e,
    }
}

/// The entity id of `entity`: a `GraphEntity` or its `id`.
fn entity_id(entity: &Bound<'_, PyAny>) -> PyResult<EntityId> {
    if let Ok(e) = entity.cast::<PyGraphEntity>() {
        return Ok(EntityId::new(e.get().id));
    }
    let id: usize = entity.extract()?;
    Ok(EntityId::new(id))
}

/// Why bytes are no graph: they do not decode, or their tree is not a graph's.
enum GraphLoadError {
    Codec(sigma_codec::Error),
    Text(TextError),
}

impl From<GraphLoadError> for PyErr {
    fn from(error: GraphLoadError) -> PyErr {
        match error {
            GraphLoadError::Codec(e) => errors::codec(e, Side::Decode),
            GraphLoadError::Text(e) => text_error(e),
        }
    }
}

/// Decodes the bytes of a graph's tree (without the GIL: it touches no Python object).
fn decode_graph(data: &[u8], limits: &sigma_codec::DecodeLimits) -> Result<KnowledgeGraph, GraphLoadError> {
    let mut tree = Tree::new();
    sigma_codec::decode_into(data, &mut tree, limits).map_err(GraphLoadError::Codec)?;
    KnowledgeGraph::from_tree(&tree).map_err(GraphLoadError::Text)
}

#[pymethods]
impl PyKnowledgeGraph {
    /// An empty graph.
    #[new]
    fn new() -> PyKnowledgeGraph {
        PyKnowledgeGraph { graph: Mutex::new(KnowledgeGraph::new()) }
    }

    /// Extracts `text` and adds what it names as a document called `name` (by default its index,
    /// `"0"`, `"1"`, ...). Returns the document's index. Evidence spans are byte offsets into
    /// `text`.
    #[pyo3(signature = (text, name = None))]
    fn add_text(&self, py: Python<'_>, text: &str, name: Option<&str>) -> usize {
        let found = maybe_detached(py, text.len(), || sigma_text::extract(text));
        self.add(name, &found)
    }

    /// Adds an extraction (from `extract` or `read_text_tree`) as a document called `name` (by
    /// default its index). Returns the document's index.
    #[pyo3(signature = (extraction, name = None))]
    fn add_extraction(&self, extraction: PyRef<'_, PyExtraction>, name: Option<&str>) -> usize {
        self.add(name, &extraction.inner)
    }

    /// The documents' names, by index, in the order they were added.
    #[getter]
    fn documents(&self) -> Vec<String> {
        self.lock().documents().to_vec()
    }

    /// How many entities the graph holds.
    #[getter]
    fn entity_count(&self) -> usize {
        self.lock().entity_count()
    }

    /// How many relations (distinct subject, predicate, object) the graph holds.
    #[getter]
    fn relation_count(&self) -> usize {
        self.lock().relation_count()
    }

    /// Every entity in the order the graph met them, or those of one type (`"PERSON"`,
    /// `"ORGANIZATION"`, `"LOCATION"`).
    #[pyo3(signature = (r#type = None))]
    fn entities(&self, r#type: Option<&str>) -> PyResult<Vec<PyGraphEntity>> {
        let kind = r#type
            .map(|name| {
                EntityType::from_name(name)
                    .ok_or_else(|| PyValueError::new_err(format!("unknown entity type {name:?}")))
            })
            .transpose()?;
        let graph = self.lock();
        Ok(graph
            .entities()
            .filter(|(_, e)| kind.is_none_or(|k| e.kind == k))
            .filter_map(|(id, _)| graph_entity(&graph, id))
            .collect())
    }

    /// The entity with this id, or None.
    fn entity(&self, id: usize) -> Option<PyGraphEntity> {
        graph_entity(&self.lock(), EntityId::new(id))
    }

    /// The entities a name or alias names (any spelling that has their key), of any type.
    fn find(&self, name: &str) -> Vec<PyGraphEntity> {
        let graph = self.lock();
        graph_entities(&graph, &graph.find(name))
    }

    /// Every relation, with its evidence.
    fn relations(&self) -> Vec<PyGraphRelation> {
        let graph = self.lock();
        graph.relations().filter_map(|r| graph_relation(&graph, r)).collect()
    }

    /// The relations an entity (a `GraphEntity` or its id) takes part in, either way.
    fn neighbours(&self, entity: &Bound<'_, PyAny>) -> PyResult<Vec<PyGraphRelation>> {
        let id = entity_id(entity)?;
        let graph = self.lock();
        if graph.entity(id).is_none() {
            return Err(errors::raise(Kind::Text, format!("no entity {} in this graph", id.index()), None));
        }
        Ok(graph.neighbours(id).into_iter().filter_map(|r| graph_relation(&graph, r)).collect())
    }

    /// A shortest chain of relations (either way along each) between two entities, as the
    /// entities it passes, both ends included; None if they are not connected.
    fn path(&self, start: &Bound<'_, PyAny>, end: &Bound<'_, PyAny>) -> PyResult<Option<Vec<PyGraphEntity>>> {
        let (from, to) = (entity_id(start)?, entity_id(end)?);
        let graph = self.lock();
        Ok(graph.path(from, to).map(|ids| graph_entities(&graph, &ids)))
    }

    /// *`a` is to `b` as `c` is to ?*, answered from the relations the graph holds and only from
    /// them. When the graph holds no evidence for an answer (a name it does not know, no path of
    /// one or two relations from A to B, or none of those paths leading anywhere from C), it
    /// raises `TextError` saying which, with `reason` set to `"unknown_name"` (and `term` to
    /// `"A"`, `"B"` or `"C"`), `"no_path"` or `"no_answer"` (and `paths` to the paths C lacks).
    fn analogy(&self, py: Python<'_>, a: &str, b: &str, c: &str) -> PyResult<PyRelationalAnalogy> {
        let found = py.detach(|| {
            let graph = self.lock();
            graph.analogy(a, b, c).map(|found| relational_analogy(&graph, &found))
        });
        match found {
            Ok(Some(answer)) => Ok(answer),
            Ok(None) => {
                Err(errors::raise(Kind::Text, "the analogy's answer is not an entity of the graph", None))
            }
            Err(e) => Err(analogy_error(py, e)),
        }
    }

    /// The graph as a tree (`GRAPH "sigma-kg 1"` with its documents, entities and relations).
    fn to_tree(&self) -> PyResult<PyTree> {
        self.lock().to_tree().map(PyTree::new).map_err(text_error)
    }

    /// The graph from its tree (`to_tree`), checked throughout; `TextError` naming the first
    /// node that does not fit.
    #[staticmethod]
    fn from_tree(tree: PyRef<'_, PyTree>) -> PyResult<PyKnowledgeGraph> {
        let graph = KnowledgeGraph::from_tree(&tree.tree).map_err(text_error)?;
        Ok(PyKnowledgeGraph { graph: Mutex::new(graph) })
    }

    /// The graph as ΣLANG v2 bytes (its tree, checksummed).
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let tree = self.lock().to_tree().map_err(text_error)?;
        let bytes = sigma_codec::v2::encode(&tree).map_err(|e| errors::codec(e, Side::Encode))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// The graph from the bytes `to_bytes` made, decoded within `limits` (`Limits()`'s defaults if
    /// None): `DecodeError` for bytes that do not decode, `TextError` for a tree that is not a
    /// graph's.
    #[staticmethod]
    #[pyo3(signature = (data, limits = None))]
    fn from_bytes(
        py: Python<'_>,
        data: PyBackedBytes,
        limits: Option<PyRef<'_, PyLimits>>,
    ) -> PyResult<PyKnowledgeGraph> {
        let limits = crate::limits_of(limits.as_deref());
        let graph = maybe_detached(py, data.len(), || decode_graph(&data, &limits))?;
        Ok(PyKnowledgeGraph { graph: Mutex::new(graph) })
    }

    /// Writes the graph's bytes (`to_bytes`) to the file at `path`; a file that cannot be written
    /// is an `OSError`.
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let tree = self.lock().to_tree().map_err(text_error)?;
        let bytes = sigma_codec::v2::encode(&tree).map_err(|e| errors::codec(e, Side::Encode))?;
        py.detach(|| std::fs::write(&path, bytes))?;
        Ok(())
    }

    /// The graph in the file at `path` (see `from_bytes`); a file that cannot be read is an
    /// `OSError`.
    #[staticmethod]
    #[pyo3(signature = (path, limits = None))]
    fn load(
        py: Python<'_>,
        path: PathBuf,
        limits: Option<PyRef<'_, PyLimits>>,
    ) -> PyResult<PyKnowledgeGraph> {
        let limits = crate::limits_of(limits.as_deref());
        let bytes = py.detach(|| std::fs::read(&path))?;
        let graph = py.detach(|| decode_graph(&bytes, &limits))?;
        Ok(PyKnowledgeGraph { graph: Mutex::new(graph) })
    }

    /// The whole graph as JSON text: `{"documents": [...], "entities": [...], "relations": [...]}`.
    fn to_json(&self) -> String {
        self.lock().to_json().to_string()
    }

    /// Pickles as its bytes.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let from_bytes = py.get_type::<PyKnowledgeGraph>().getattr("from_bytes")?;
        let bytes = self.to_bytes(py)?;
        Ok((from_bytes, PyTuple::new(py, [bytes])?))
    }

    fn __repr__(&self) -> String {
        let graph = self.lock();
        format!(
            "KnowledgeGraph({} documents, {} entities, {} relations)",
            graph.documents().len(),
            graph.entity_count(),
            graph.relation_count()
        )
    }
}

impl PyKnowledgeGraph {
    fn add(&self, name: Option<&str>, extraction: &Extraction) -> usize {
        let mut graph = self.lock();
        match name {
            Some(name) => graph.add_extraction(name, extraction),
            None => {
                let name = graph.documents().len().to_string();
                graph.add_extraction(&name, extraction)
            }
        }
    }
}

/// A word an analogy over word vectors reached, with its score.
#[pyclass(module = "sigmalang_rs", name = "WordCandidate", frozen, eq)]
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PyWordCandidate {
    /// The word, as the vectors spell it.
    #[pyo3(get)]
    word: String,
    /// Its score under the method used; higher is better.
    #[pyo3(get)]
    score: f32,
}

impl From<&WordCandidate> for PyWordCandidate {
    fn from(c: &WordCandidate) -> PyWordCandidate {
        PyWordCandidate { word: c.word.clone(), score: c.score }
    }
}

#[pymethods]
impl PyWordCandidate {
    fn __repr__(&self) -> String {
        format!("WordCandidate({:?}, score={:?})", self.word, self.score)
    }
}

/// The answer to *A is to B as C is to ?* over word vectors.
#[pyclass(module = "sigmalang_rs", name = "VectorAnalogy", frozen, eq)]
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PyVectorAnalogy {
    method: AnalogyMethod,
    /// The best word other than A, B and C.
    #[pyo3(get)]
    answer: PyWordCandidate,
    /// The next best, best first.
    #[pyo3(get)]
    runners_up: Vec<PyWordCandidate>,
    /// The answer and how it was scored, in words, one line each.
    #[pyo3(get)]
    explanation: Vec<String>,
    json: String,
}

impl PyVectorAnalogy {
    fn new(found: &VectorAnalogy, a: &str, b: &str, c: &str) -> PyVectorAnalogy {
        PyVectorAnalogy {
            method: found.method,
            answer: (&found.answer).into(),
            runners_up: found.runners_up.iter().map(Into::into).collect(),
            explanation: found.explain(a, b, c),
            json: found.to_json().to_string(),
        }
    }
}

#[pymethods]
impl PyVectorAnalogy {
    /// The method that scored it: `"3cosadd"` or `"3cosmul"`.
    #[getter]
    fn method(&self) -> &'static str {
        self.method.name()
    }

    /// Every candidate, the answer first.
    #[getter]
    fn candidates(&self) -> Vec<PyWordCandidate> {
        std::iter::once(&self.answer).chain(&self.runners_up).cloned().collect()
    }

    /// As JSON text: `{"answer", "score", "method", "candidates": [[word, score], ...]}`, scores
    /// rounded to six decimals.
    fn to_json(&self) -> String {
        self.json.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "VectorAnalogy({:?}, score={:?}, method={:?})",
            self.answer.word,
            self.answer.score,
            self.method.name()
        )
    }
}

/// The vector file format a name names (`None`: detect it); `ValueError` for an unknown name.
fn vector_format(format: Option<&str>) -> PyResult<Option<VectorFormat>> {
    format
        .map(|name| {
            VectorFormat::from_name(name).ok_or_else(|| {
                PyValueError::new_err(format!(
                    "unknown vector format {name:?}: \"word2vec\" (binary), \"word2vec-text\" (or \"fasttext\", \"vec\") or \"glove\""
                ))
            })
        })
        .transpose()
}

/// Word vectors, each scaled to unit length, for analogies (3CosAdd, 3CosMul). Read from
/// word2vec binary, word2vec text (fastText's `.vec`) or GloVe text; every file is checked as
/// hostile, and a fault is a `TextError` naming the line (text) or byte `offset` (binary).
#[pyclass(module = "sigmalang_rs", name = "WordVectors", frozen)]
pub(crate) struct PyWordVectors {
    vectors: WordVectors,
}

#[pymethods]
impl PyWordVectors {
    /// Vectors from the bytes of a file in `format` (`"word2vec"`, `"word2vec-text"`,
    /// `"glove"`), or the format its first bytes show when None.
    #[staticmethod]
    #[pyo3(signature = (data, format = None))]
    fn from_bytes(py: Python<'_>, data: PyBackedBytes, format: Option<&str>) -> PyResult<PyWordVectors> {
        let format = vector_format(format)?;
        let vectors = maybe_detached(py, data.len(), || WordVectors::from_bytes(&data, format));
        vectors.map(|vectors| PyWordVectors { vectors }).map_err(vector_error)
    }

    /// Vectors from the file at `path` (see `from_bytes`); a file that cannot be read is an
    /// `OSError`.
    #[staticmethod]
    #[pyo3(signature = (path, format = None))]
    fn load(py: Python<'_>, path: PathBuf, format: Option<&str>) -> PyResult<PyWordVectors> {
        let format = vector_format(format)?;
        let bytes = py.detach(|| std::fs::read(&path))?;
        let vectors = py.detach(|| WordVectors::from_bytes(&bytes, format));
        vectors.map(|vectors| PyWordVectors { vectors }).map_err(vector_error)
    }

    /// How many components each vector has.
    #[getter]
    fn dims(&self) -> usize {
        self.vectors.dims()
    }

    /// The unit vector of `word` (as given, or else in lower case), or None.
    fn vector(&self, word: &str) -> Option<Vec<f32>> {
        self.vectors.vector(word).map(<[f32]>::to_vec)
    }

    /// *`a` is to `b` as `c` is to ?*: the word other than the three that `method` (`"3cosadd"`
    /// or `"3cosmul"`) scores highest, and the `k` − 1 after it. A word the vectors do not hold
    /// (or whose vector is all zeros) is a `TextError` naming it; no vector is ever made up.
    #[pyo3(signature = (a, b, c, method = "3cosadd", k = 10))]
    fn analogy(
        &self,
        py: Python<'_>,
        a: &str,
        b: &str,
        c: &str,
        method: &str,
        k: usize,
    ) -> PyResult<PyVectorAnalogy> {
        let method = AnalogyMethod::from_name(method).ok_or_else(|| {
            PyValueError::new_err(format!("unknown method {method:?}: \"3cosadd\" or \"3cosmul\""))
        })?;
        let work = self.vectors.len().saturating_mul(self.vectors.dims());
        let found = maybe_detached(py, work, || self.vectors.analogy(a, b, c, method, k));
        found.map(|found| PyVectorAnalogy::new(&found, a, b, c)).map_err(vector_error)
    }

    fn __len__(&self) -> usize {
        self.vectors.len()
    }

    fn __contains__(&self, word: &str) -> bool {
        self.vectors.vector(word).is_some()
    }

    fn __repr__(&self) -> String {
        format!("WordVectors({} words, {} dims)", self.vectors.len(), self.vectors.dims())
    }
}

/// Adds the text layer's functions, classes and constants to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(text_to_tree, m)?)?;
    m.add_function(wrap_pyfunction!(tree_to_text, m)?)?;
    m.add_function(wrap_pyfunction!(read_text_tree, m)?)?;
    m.add_function(wrap_pyfunction!(extract, m)?)?;
    m.add_class::<PyEntity>()?;
    m.add_class::<PyRelation>()?;
    m.add_class::<PyExtraction>()?;
    m.add_class::<PyKnowledgeGraph>()?;
    m.add_class::<PyGraphEntity>()?;
    m.add_class::<PyGraphRelation>()?;
    m.add_class::<PyEvidence>()?;
    m.add_class::<PyRelationalAnalogy>()?;
    m.add_class::<PyAnalogyCandidate>()?;
    m.add_class::<PyWordVectors>()?;
    m.add_class::<PyVectorAnalogy>()?;
    m.add_class::<PyWordCandidate>()?;
    m.add("ENTITY_TYPES", PyTuple::new(m.py(), EntityType::ALL.map(EntityType::name))?)?;
    m.add("PREDICATES", PyTuple::new(m.py(), Predicate::ALL.map(Predicate::name))?)?;
    Ok(())
}
