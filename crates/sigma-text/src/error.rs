//! What can go wrong turning text into a tree and a tree back into text.

use sigma_primitives::Primitive;
use thiserror::Error;

/// The error of the text layer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TextError {
    /// The text is larger than one tree holds (4 GiB of values or 2^32 nodes).
    #[error("the text does not fit in a tree: {0}")]
    TooLarge(#[from] sigma_tree::Error),
    /// A tree that is not a text tree (see the crate's tree mapping).
    #[error("node {node} does not fit a text tree: {fault}")]
    NotATextTree {
        /// Pre-order index of the first node that does not fit.
        node: usize,
        /// What is wrong with it.
        fault: TreeFault,
    },
    /// A tree that is not a knowledge graph's (see `KnowledgeGraph::to_tree`).
    #[error("node {node} does not fit a knowledge graph's tree: {fault}")]
    NotAGraph {
        /// Pre-order index of the first node that does not fit.
        node: usize,
        /// What is wrong with it.
        fault: GraphFault,
    },
}

/// How a node fails to fit a knowledge graph's tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum GraphFault {
    /// The root is not `GRAPH "sigma-kg 1"`.
    #[error("the root must be GRAPH \"sigma-kg 1\"")]
    Root,
    /// The root's children are not the three lists `documents`, `entities`, `relations`.
    #[error("the root holds exactly LIST \"documents\", LIST \"entities\", LIST \"relations\"")]
    Section,
    /// A document that is not a STRING leaf.
    #[error("a document is a STRING leaf with its name")]
    Document,
    /// An entity that is not a person, organisation or place with a name, its mention count and
    /// distinct aliases.
    #[error(
        "an entity is AGENT, GROUP or LOCATION with its name, a NUMBER of mentions, then distinct ATTRIBUTE aliases"
    )]
    Entity,
    /// A second entity of one type and key, or a second relation between the same entities.
    #[error("a second entity or relation where the graph holds one")]
    Duplicate,
    /// A relation that does not read `PREDICATE subject object` between entities the predicate
    /// allows.
    #[error("a relation is RELATION \"PREDICATE subject object\" between entities that the predicate allows")]
    Relation,
    /// Evidence that does not read `document start end` with a known document.
    #[error("evidence is a REFERENCE leaf \"document start end\" with a known document and start <= end")]
    Evidence,
}

/// How a node fails to fit the text-tree mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TreeFault {
    /// The tree has no nodes.
    #[error("the tree is empty")]
    Empty,
    /// The root is not a BLOCK without a value.
    #[error("the root must be BLOCK without a value, not {found}")]
    Root {
        /// The root's primitive.
        found: Primitive,
    },
    /// A child of the root is not a STATEMENT or QUERY without a value.
    #[error("a sentence must be STATEMENT or QUERY without a value, not {found}")]
    Sentence {
        /// Its primitive.
        found: Primitive,
    },
    /// A primitive (or primitive and category) that names no piece of a sentence.
    #[error("{found} (with that category) is not a piece of a sentence")]
    Piece {
        /// Its primitive.
        found: Primitive,
    },
    /// A run, entity or detail without a value.
    #[error("{found} needs a value here")]
    MissingValue {
        /// Its primitive.
        found: Primitive,
    },
    /// A run or detail with children.
    #[error("{found} cannot have children here")]
    Children {
        /// Its primitive.
        found: Primitive,
    },
    /// A child of an entity that is not one CATEGORY then one ATTRIBUTE.
    #[error("{found} is not a detail of an entity here (CATEGORY, then ATTRIBUTE, each at most once)")]
    Detail {
        /// Its primitive.
        found: Primitive,
    },
    /// A RELATION whose value is not `PREDICATE s o start end` between entities of its sentence
    /// of the types the predicate allows, with its evidence inside the text read so far.
    #[error(
        "a relation must read `PREDICATE s o start end` with entities of its own sentence that the predicate allows"
    )]
    Relation,
}

/// Which term of an analogy *A is to B as C is to ?* an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    /// The first term.
    A,
    /// The second term.
    B,
    /// The third term.
    C,
}

impl std::fmt::Display for Term {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Term::A => "A",
            Term::B => "B",
            Term::C => "C",
        })
    }
}

/// Why a relational analogy has no answer: the graph holds no evidence for one.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AnalogyError {
    /// The graph knows no entity of this name (nor alias).
    #[error("{term} ({name:?}) is not an entity of the graph")]
    UnknownName {
        /// Which term.
        term: Term,
        /// The name as given.
        name: String,
    },
    /// No path of one or two relations joins A and B, so there is nothing to carry over.
    #[error("no relation (of one or two steps) joins {a:?} and {b:?}")]
    NoPath {
        /// A, as given.
        a: String,
        /// B, as given.
        b: String,
    },
    /// None of the paths from A to B leads anywhere from C.
    #[error("{c:?} has none of the relations that join A and B ({})", paths.join(", "))]
    NoAnswer {
        /// C, as given.
        c: String,
        /// The paths from A to B, written as property paths.
        paths: Vec<String>,
    },
}

/// Where in a vector file an error is: a byte offset (binary files) or a 1-based line (text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// A byte offset from the start of the file.
    Byte(usize),
    /// A line, counted from 1.
    Line(usize),
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Position::Byte(at) => write!(f, "byte {at}"),
            Position::Line(line) => write!(f, "line {line}"),
        }
    }
}

/// An error of word vectors: reading a file, or answering an analogy.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}{fault}", at.map(|at| format!("{at}: ")).unwrap_or_default())]
pub struct VectorError {
    /// Where in the file, for a reading error.
    pub at: Option<Position>,
    /// What is wrong.
    pub fault: VectorFault,
}

/// What is wrong with a vector file, or why an analogy over vectors has no answer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum VectorFault {
    /// A word2vec file whose first line is not `rows dims`.
    #[error("the first line must be `rows dims`")]
    Header,
    /// A header the file's length cannot hold (or with a zero).
    #[error("a header of {rows} rows of {dims} components, which {bytes} bytes cannot hold")]
    Shape {
        /// Rows the header promises.
        rows: usize,
        /// Components per row it promises.
        dims: usize,
        /// Bytes after the header.
        bytes: usize,
    },
    /// Fewer or more rows than the header says.
    #[error("{found} rows where the header says {expected}")]
    Rows {
        /// Rows found (so far).
        found: usize,
        /// Rows the header says.
        expected: usize,
    },
    /// A line with another number of components than the header (or the first line).
    #[error("{found} components where {expected} are expected")]
    Components {
        /// Components on this line.
        found: usize,
        /// Components every line has.
        expected: usize,
    },
    /// A component that does not parse as a number.
    #[error("component {component} is not a number")]
    NotANumber {
        /// Its index on the line.
        component: usize,
    },
    /// A component that is infinite or not a number.
    #[error("component {component} is not finite")]
    NotFinite {
        /// Its index in the vector.
        component: usize,
    },
    /// A word given a second time.
    #[error("{word:?} is given twice")]
    Duplicate {
        /// The word.
        word: String,
    },
    /// Bytes that are not UTF-8 in a word (binary) or a line (text).
    #[error("not UTF-8")]
    NotUtf8,
    /// A word of no characters.
    #[error("a word is empty")]
    EmptyWord,
    /// A word longer than 4,096 bytes in a binary file (no space after it).
    #[error("a word longer than 4096 bytes")]
    LongWord,
    /// The file ends inside a row.
    #[error("the file ends inside a row")]
    Truncated,
    /// A file with no vectors.
    #[error("no vectors")]
    Empty,
    /// A word of an analogy that the vectors do not hold (as given, nor in lower case).
    #[error("{term} ({word:?}) has no vector")]
    UnknownWord {
        /// Which term.
        term: Term,
        /// The word.
        word: String,
    },
    /// A word of an analogy whose vector is all zeros.
    #[error("{term} ({word:?}) has a vector of zeros, which points nowhere")]
    ZeroVector {
        /// Which term.
        term: Term,
        /// The word.
        word: String,
    },
    /// Every word is one of the query's (or has a zero vector).
    #[error("no word other than A, B and C to answer with")]
    NoCandidate,
}
