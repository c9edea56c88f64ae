//! A knowledge graph: the entities and relations extracted from many documents, merged.
//!
//! Entities are nodes, merged by type and *key*: the normal form in lower case, white space
//! collapsed, without a leading `the`, a possessive, or (for organisations) a legal suffix, so
//! `Microsoft Corp.`, `Microsoft` and `microsoft` are one node whose other spellings are its
//! aliases. Within one document a person named by one word that ends (or starts) a full name the
//! document gave before is that person (`Mackey` after `John Mackey`). Relations are typed edges,
//! one per (subject, predicate, object), each with its evidence: the document and byte span of
//! every sentence that states it.
//!
//! The graph is a [`petgraph::Graph`]; [`KnowledgeGraph::to_tree`] and
//! [`KnowledgeGraph::from_tree`] give it as a ΣLANG tree (which `sigma-codec` encodes as v2, with
//! its checksum, and decodes under `DecodeLimits`), and [`KnowledgeGraph::to_json`] as JSON.

use std::collections::{BTreeSet, HashMap, VecDeque};

use petgraph::Direction;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use serde_json::{Value, json};
use sigma_primitives::Primitive;
use sigma_tree::{NodeRef, Tree, TreeBuilder};

use crate::error::{GraphFault, TextError};
use crate::tree::primitive_of;
use crate::types::{EntityType, Extraction, Predicate};

/// The value of the root of a graph's tree: what it is and its version.
const GRAPH_TAG: &str = "sigma-kg 1";

/// An entity of the graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphEntity {
    /// Its type.
    pub kind: EntityType,
    /// Its name: the first normal form the graph met for it.
    pub name: String,
    /// Every other normal form it was met under, in order.
    pub aliases: BTreeSet<String>,
    /// How many mentions of it the documents make.
    pub mentions: u64,
}

/// Where a relation is stated: a document (an index into [`KnowledgeGraph::documents`]) and a
/// byte span of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Evidence {
    /// Index of the document.
    pub document: usize,
    /// Byte offset of the evidence's first byte.
    pub start: usize,
    /// Byte offset just past it.
    pub end: usize,
}

/// A relation of the graph, with every place that states it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphRelation {
    /// What holds.
    pub predicate: Predicate,
    /// Where it is stated, in the order the documents were added.
    pub evidence: Vec<Evidence>,
}

/// An entity's identity in a graph.
pub type EntityId = NodeIndex;

/// Entities and relations merged from many documents.
#[derive(Clone, Debug, Default)]
pub struct KnowledgeGraph {
    graph: DiGraph<GraphEntity, GraphRelation>,
    /// Entities by type and key.
    keys: HashMap<(EntityType, String), NodeIndex>,
    /// Edges by subject, predicate and object.
    edges: HashMap<(NodeIndex, Predicate, NodeIndex), EdgeIndex>,
    /// How many edges each predicate has.
    per_predicate: HashMap<Predicate, usize>,
    documents: Vec<String>,
}

/// The key entities merge under: the name in lower case, white space collapsed, without a
/// leading `the`, a trailing possessive, or, for an organisation, a legal suffix.
pub fn entity_key(kind: EntityType, name: &str) -> String {
    let lower = name.to_lowercase().replace(['’', '`'], "'");
    let mut words: Vec<&str> = lower.split_whitespace().collect();
    if words.len() > 1 && words.first() == Some(&"the") {
        words.remove(0);
    }
    if let Some(last) = words.last_mut() {
        *last = last.strip_suffix("'s").filter(|_| kind != EntityType::Organization).unwrap_or(last);
    }
    if kind == EntityType::Organization {
        while words.len() > 1
            && words.last().is_some_and(|w| {
                matches!(
                    w.trim_end_matches('.').trim_end_matches(','),
                    "inc"
                        | "corp"
                        | "corporation"
                        | "co"
                        | "company"
                        | "ltd"
                        | "limited"
                        | "plc"
                        | "llc"
                        | "ag"
                        | "se"
                        | "sa"
                        | "s.a"
                        | "nv"
                        | "n.v"
                        | "gmbh"
                        | "spa"
                        | "s.p.a"
                        | "ab"
                        | "asa"
                        | "oyj"
                        | "group"
                        | "holdings"
                )
            })
        {
            words.pop();
        }
        if let Some(last) = words.last_mut() {
            *last = last.trim_end_matches(',');
        }
    }
    words.join(" ")
}

impl KnowledgeGraph {
    /// An empty graph.
    pub fn new() -> KnowledgeGraph {
        KnowledgeGraph::default()
    }

    /// Extracts `text` and adds what it names, as the document `name`. Returns the document's
    /// index.
    pub fn add_text(&mut self, name: &str, text: &str) -> usize {
        self.add_extraction(name, &crate::extract(text))
    }

    /// Adds an extraction (of a text whose evidence spans it gives) as the document `name`.
    /// Returns the document's index.
    pub fn add_extraction(&mut self, name: &str, extraction: &Extraction) -> usize {
        let document = self.documents.len();
        self.documents.push(name.to_owned());
        // Full names of people in this document, by their first and last words.
        let mut people: HashMap<String, NodeIndex> = HashMap::new();
        let mut nodes: Vec<Option<NodeIndex>> = Vec::with_capacity(extraction.entities.len());
        for entity in &extraction.entities {
            if !entity.kind.is_name() {
                nodes.push(None);
                continue;
            }
            let key = entity_key(entity.kind, &entity.normalized);
            let one_word = !key.contains(' ');
            let node = match people.get(&key).filter(|_| entity.kind == EntityType::Person && one_word) {
                Some(&node) => node,
                None => self.entity_node(entity.kind, &key, &entity.normalized),
            };
            if let Some(found) = self.graph.node_weight_mut(node) {
                found.mentions += 1;
                if found.name != entity.normalized {
                    found.aliases.insert(entity.normalized.clone());
                }
            }
            if entity.kind == EntityType::Person && !one_word {
                let words: Vec<&str> = key.split(' ').collect();
                for word in [words.first(), words.last()].into_iter().flatten() {
                    people.entry((*word).to_owned()).or_insert(node);
                }
            }
            nodes.push(Some(node));
        }
        for r in &extraction.relations {
            let (Some(Some(subject)), Some(Some(object))) = (nodes.get(r.subject), nodes.get(r.object))
            else {
                continue;
            };
            if subject == object {
                continue;
            }
            let evidence = Evidence { document, start: r.start, end: r.end };
            self.relate(*subject, r.predicate, *object, evidence);
        }
        document
    }

    /// The node of the entity of `kind` and `key`, made (named `name`) if there is none.
    fn entity_node(&mut self, kind: EntityType, key: &str, name: &str) -> NodeIndex {
        if let Some(&node) = self.keys.get(&(kind, key.to_owned())) {
            return node;
        }
        let node = self.graph.add_node(GraphEntity {
            kind,
            name: name.to_owned(),
            aliases: BTreeSet::new(),
            mentions: 0,
        });
        self.keys.insert((kind, key.to_owned()), node);
        node
    }

    /// Records `evidence` for the edge `subject → object`, made if there is none.
    fn relate(&mut self, subject: NodeIndex, predicate: Predicate, object: NodeIndex, evidence: Evidence) {
        let edge = match self.edges.get(&(subject, predicate, object)) {
            Some(&edge) => edge,
            None => self.new_edge(subject, predicate, object),
        };
        if let Some(relation) = self.graph.edge_weight_mut(edge)
            && !relation.evidence.contains(&evidence)
        {
            relation.evidence.push(evidence);
        }
    }

    /// A new edge `subject → object`, without evidence yet.
    fn new_edge(&mut self, subject: NodeIndex, predicate: Predicate, object: NodeIndex) -> EdgeIndex {
        let edge = self.graph.add_edge(subject, object, GraphRelation { predicate, evidence: Vec::new() });
        self.edges.insert((subject, predicate, object), edge);
        *self.per_predicate.entry(predicate).or_default() += 1;
        edge
    }

    /// How many relations of one predicate the graph holds.
    pub fn predicate_count(&self, predicate: Predicate) -> usize {
        self.per_predicate.get(&predicate).copied().unwrap_or(0)
    }

    /// The relation `subject —predicate→ object`, if the graph holds it.
    pub fn relation(
        &self,
        subject: EntityId,
        predicate: Predicate,
        object: EntityId,
    ) -> Option<&GraphRelation> {
        self.edges.get(&(subject, predicate, object)).and_then(|&edge| self.graph.edge_weight(edge))
    }

    /// The documents, by index, as they were added.
    pub fn documents(&self) -> &[String] {
        &self.documents
    }

    /// How many entities the graph holds.
    pub fn entity_count(&self) -> usize {
        self.graph.node_count()
    }

    /// How many relations (distinct subject, predicate, object) the graph holds.
    pub fn relation_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// An entity.
    pub fn entity(&self, id: EntityId) -> Option<&GraphEntity> {
        self.graph.node_weight(id)
    }

    /// Every entity, in the order the graph met them.
    pub fn entities(&self) -> impl Iterator<Item = (EntityId, &GraphEntity)> + '_ {
        self.graph.node_indices().filter_map(|id| Some((id, self.graph.node_weight(id)?)))
    }

    /// The entities of one type.
    pub fn entities_of(&self, kind: EntityType) -> impl Iterator<Item = (EntityId, &GraphEntity)> + '_ {
        self.entities().filter(move |(_, e)| e.kind == kind)
    }

    /// The entities a name (or alias) names, of any type: those whose key it has.
    pub fn find(&self, name: &str) -> Vec<EntityId> {
        let mut found: Vec<EntityId> = EntityType::ALL
            .into_iter()
            .filter(|kind| kind.is_name())
            .filter_map(|kind| self.keys.get(&(kind, entity_key(kind, name))).copied())
            .collect();
        found.sort();
        found
    }

    /// Every relation: subject, relation, object.
    pub fn relations(&self) -> impl Iterator<Item = (EntityId, &GraphRelation, EntityId)> + '_ {
        self.graph.edge_references().map(|e| (e.source(), e.weight(), e.target()))
    }

    /// The relations an entity takes part in, either way: (subject, relation, object).
    pub fn neighbours(&self, id: EntityId) -> Vec<(EntityId, &GraphRelation, EntityId)> {
        let mut out: Vec<(EntityId, &GraphRelation, EntityId)> = self
            .graph
            .edges_directed(id, Direction::Outgoing)
            .chain(self.graph.edges_directed(id, Direction::Incoming))
            .map(|e| (e.source(), e.weight(), e.target()))
            .collect();
        out.sort_by_key(|(s, r, o)| (*s, r.predicate, *o));
        out
    }

    /// A shortest chain of relations between two entities (either way along each), as the
    /// entities it passes, both ends included; `None` if they are not connected.
    pub fn path(&self, from: EntityId, to: EntityId) -> Option<Vec<EntityId>> {
        if self.graph.node_weight(from).is_none() || self.graph.node_weight(to).is_none() {
            return None;
        }
        let mut previous: HashMap<NodeIndex, NodeIndex> = HashMap::new();
        let mut queue = VecDeque::from([from]);
        previous.insert(from, from);
        while let Some(node) = queue.pop_front() {
            if node == to {
                let mut path = vec![to];
                let mut at = to;
                while at != from {
                    at = *previous.get(&at)?;
                    path.push(at);
                }
                path.reverse();
                return Some(path);
            }
            for next in self.graph.neighbors_undirected(node) {
                if let std::collections::hash_map::Entry::Vacant(slot) = previous.entry(next) {
                    slot.insert(node);
                    queue.push_back(next);
                }
            }
        }
        None
    }

    /// An entity as JSON: `{"id", "name", "type", "aliases", "mentions"}`.
    fn entity_json(&self, id: EntityId) -> Value {
        match self.graph.node_weight(id) {
            Some(e) => json!({
                "id": id.index(),
                "name": e.name,
                "type": e.kind.name(),
                "aliases": e.aliases.iter().collect::<Vec<_>>(),
                "mentions": e.mentions,
            }),
            None => Value::Null,
        }
    }

    /// A relation as JSON: `{"subject", "predicate", "object", "count", "evidence"}` with each
    /// evidence as `{"document", "start", "end"}` (the document by name).
    pub(crate) fn relation_json(
        &self,
        subject: EntityId,
        relation: &GraphRelation,
        object: EntityId,
    ) -> Value {
        json!({
            "subject": subject.index(),
            "predicate": relation.predicate.name(),
            "object": object.index(),
            "count": relation.evidence.len(),
            "evidence": relation.evidence.iter().map(|e| json!({
                "document": self.documents.get(e.document),
                "start": e.start,
                "end": e.end,
            })).collect::<Vec<_>>(),
        })
    }

    /// The whole graph as JSON: `{"documents": [...], "entities": [...], "relations": [...]}`.
    pub fn to_json(&self) -> Value {
        json!({
            "documents": self.documents,
            "entities": self.graph.node_indices().map(|id| self.entity_json(id)).collect::<Vec<_>>(),
            "relations": self.relations().map(|(s, r, o)| self.relation_json(s, r, o)).collect::<Vec<_>>(),
        })
    }

    /// One entity with its relations as JSON: `{"entity": {...}, "relations": [...], "entities":
    /// [...]}` (`entities` holds the other end of each relation).
    pub fn entity_to_json(&self, id: EntityId) -> Value {
        let neighbours = self.neighbours(id);
        let mut others: Vec<EntityId> =
            neighbours.iter().map(|(s, _, o)| if *s == id { *o } else { *s }).collect();
        others.sort();
        others.dedup();
        json!({
            "entity": self.entity_json(id),
            "relations": neighbours.iter().map(|(s, r, o)| self.relation_json(*s, r, *o)).collect::<Vec<_>>(),
            "entities": others.into_iter().map(|o| self.entity_json(o)).collect::<Vec<_>>(),
        })
    }

    /// The graph as a tree:
    ///
    /// ```text
    /// GRAPH "sigma-kg 1"
    ///   LIST "documents"  [STRING "name", …]
    ///   LIST "entities"   [AGENT | GROUP | LOCATION "name" [NUMBER "mentions", ATTRIBUTE "alias", …], …]
    ///   LIST "relations"  [RELATION "PREDICATE subject object" [REFERENCE "document start end", …], …]
    /// ```
    ///
    /// # Errors
    /// [`TextError::TooLarge`] when it is beyond what one tree holds.
    pub fn to_tree(&self) -> Result<Tree, TextError> {
        let mut b = TreeBuilder::new();
        b.open(Primitive::GRAPH, Some(GRAPH_TAG))?;
        b.open(Primitive::LIST, Some("documents"))?;
        for name in &self.documents {
            b.leaf(Primitive::STRING, Some(name))?;
        }
        b.close()?;
        b.open(Primitive::LIST, Some("entities"))?;
        for id in self.graph.node_indices() {
            let Some(e) = self.graph.node_weight(id) else { continue };
            b.open(primitive_of(e.kind).0, Some(&e.name))?;
            b.leaf(Primitive::NUMBER, Some(&e.mentions.to_string()))?;
            for alias in &e.aliases {
                b.leaf(Primitive::ATTRIBUTE, Some(alias))?;
            }
            b.close()?;
        }
        b.close()?;
        b.open(Primitive::LIST, Some("relations"))?;
        for (s, r, o) in self.relations() {
            let value = format!("{} {} {}", r.predicate.name(), s.index(), o.index());
            if r.evidence.is_empty() {
                b.leaf(Primitive::RELATION, Some(&value))?;
                continue;
            }
            b.open(Primitive::RELATION, Some(&value))?;
            for e in &r.evidence {
                b.leaf(Primitive::REFERENCE, Some(&format!("{} {} {}", e.document, e.start, e.end)))?;
            }
            b.close()?;
        }
        b.close()?;
        b.close()?;
        Ok(b.finish()?)
    }

    /// A graph from its tree ([`KnowledgeGraph::to_tree`]), checked throughout.
    ///
    /// # Errors
    /// [`TextError::NotAGraph`] naming the first node that does not fit.
    pub fn from_tree(tree: &Tree) -> Result<KnowledgeGraph, TextError> {
        let fault =
            |node: &NodeRef<'_>, fault: GraphFault| TextError::NotAGraph { node: node.index(), fault };
        let root = tree.root().ok_or(TextError::NotAGraph { node: 0, fault: GraphFault::Root })?;
        if root.primitive() != Primitive::GRAPH || root.value() != Some(GRAPH_TAG) {
            return Err(fault(&root, GraphFault::Root));
        }
        let mut sections = root.children();
        let mut section = |name: &str| match sections.next() {
            Some(list) if list.primitive() == Primitive::LIST && list.value() == Some(name) => Ok(list),
            Some(other) => Err(fault(&other, GraphFault::Section)),
            None => Err(fault(&root, GraphFault::Section)),
        };
        let (documents, entities, relations) =
            (section("documents")?, section("entities")?, section("relations")?);
        if let Some(extra) = root.children().nth(3) {
            return Err(fault(&extra, GraphFault::Section));
        }
        let mut graph = KnowledgeGraph::new();
        for document in documents.children() {
            match (document.primitive(), document.value(), document.has_children()) {
                (Primitive::STRING, Some(name), false) => graph.documents.push(name.to_owned()),
                _ => return Err(fault(&document, GraphFault::Document)),
            }
        }
        for entity in entities.children() {
            let kind = EntityType::ALL
                .into_iter()
                .find(|k| k.is_name() && primitive_of(*k).0 == entity.primitive())
                .ok_or_else(|| fault(&entity, GraphFault::Entity))?;
            let name = entity.value().ok_or_else(|| fault(&entity, GraphFault::Entity))?;
            let mut details = entity.children();
            let mentions = details
                .next()
                .filter(|n| n.primitive() == Primitive::NUMBER && !n.has_children())
                .and_then(|n| n.value()?.parse::<u64>().ok())
                .ok_or_else(|| fault(&entity, GraphFault::Entity))?;
            let mut aliases = BTreeSet::new();
            for alias in details {
                match (alias.primitive(), alias.value(), alias.has_children()) {
                    (Primitive::ATTRIBUTE, Some(a), false) if aliases.insert(a.to_owned()) => {}
                    _ => return Err(fault(&alias, GraphFault::Entity)),
                }
            }
            let key = entity_key(kind, name);
            if graph.keys.contains_key(&(kind, key.clone())) {
                return Err(fault(&entity, GraphFault::Duplicate));
            }
            let node = graph.graph.add_node(GraphEntity { kind, name: name.to_owned(), aliases, mentions });
            graph.keys.insert((kind, key), node);
        }
        for relation in relations.children() {
            let parsed = (relation.primitive() == Primitive::RELATION)
                .then(|| parse_relation(relation.value()?, &graph))
                .flatten()
                .ok_or_else(|| fault(&relation, GraphFault::Relation))?;
            let (subject, predicate, object) = parsed;
            if graph.edges.contains_key(&(subject, predicate, object)) {
                return Err(fault(&relation, GraphFault::Duplicate));
            }
            let edge = graph.new_edge(subject, predicate, object);
            for evidence in relation.children() {
                let parsed = (evidence.primitive() == Primitive::REFERENCE && !evidence.has_children())
                    .then(|| parse_evidence(evidence.value()?, graph.documents.len()))
                    .flatten()
                    .ok_or_else(|| fault(&evidence, GraphFault::Evidence))?;
                if let Some(r) = graph.graph.edge_weight_mut(edge) {
                    r.evidence.push(parsed);
                }
            }
        }
        Ok(graph)
    }
}

/// `PREDICATE subject object` between entities of `graph` that the predicate allows.
fn parse_relation(value: &str, graph: &KnowledgeGraph) -> Option<(NodeIndex, Predicate, NodeIndex)> {
    let mut parts = value.split(' ');
    let predicate = Predicate::from_name(parts.next()?)?;
    let subject = NodeIndex::new(parts.next()?.parse().ok()?);
    let object = NodeIndex::new(parts.next()?.parse().ok()?);
    let (s, o) = (graph.graph.node_weight(subject)?, graph.graph.node_weight(object)?);
    let fits = parts.next().is_none() && subject != object && predicate.allows(s.kind, o.kind);
    fits.then_some((subject, predicate, object))
}

/// `document start end` with a document below `documents` and `start <= end`.
fn parse_evidence(value: &str, documents: usize) -> Option<Evidence> {
    let mut parts = value.split(' ');
    let mut number = || parts.next()?.parse::<usize>().ok();
    let (document, start, end) = (number()?, number()?, number()?);
    (parts.next().is_none() && document < documents && start <= end).then_some(Evidence {
        document,
        start,
        end,
    })
}
