//! Relational analogies over a knowledge graph: *A is to B as C is to ?*, answered from the
//! relations the graph holds, never guessed.
//!
//! The engine finds every typed relation path from A to B of one or two steps, each step a
//! relation followed either way (`CAPITAL_OF`, `^FOUNDED_BY/LOCATED_IN`), follows the same paths
//! from C, and ranks the entities they reach. A candidate's **score** is the share of A's paths
//! to B that also lead from C to it: 1.0 means C relates to it in every way A relates to B, 0.5
//! in half of them. Candidates are ranked by that share, then by their shortest agreeing path,
//! then by how many statements (evidence) stand behind the agreeing paths, then by name, so the
//! same graph always gives the same answer. An answer has the type of B.
//!
//! When a name is unknown, when no path of one or two steps joins A and B, or when none of those
//! paths leads anywhere from C, the answer is an [`AnalogyError`] saying which: the engine has no
//! evidence then, and says so instead of answering.
//!
//! ```
//! let mut graph = sigma_text::KnowledgeGraph::new();
//! graph.add_text("a.txt", "Ottawa is the capital of Canada. Canberra is the capital of Australia.");
//! let found = graph.analogy("Ottawa", "Canada", "Canberra")?;
//! assert_eq!(found.answer.name, "Australia");
//! assert_eq!(found.path.to_string(), "CAPITAL_OF");
//! assert_eq!(found.answer.score, 1.0);
//! assert!(graph.analogy("Ottawa", "Canada", "Atlantis").is_err());
//! # Ok::<(), sigma_text::AnalogyError>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Value, json};

use crate::error::{AnalogyError, Term};
use crate::graph::{EntityId, GraphRelation, KnowledgeGraph};
use crate::types::Predicate;

/// One step of a relation path: a predicate followed from its subject to its object
/// (`forward`), or back from its object to its subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Step {
    /// The relation.
    pub predicate: Predicate,
    /// Subject to object (`true`) or object to subject. Always `true` for a symmetric relation
    /// (`MARRIED_TO`).
    pub forward: bool,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.forward {
            f.write_str("^")?;
        }
        f.write_str(self.predicate.name())
    }
}

/// A chain of one or two steps, written as in SPARQL property paths: steps joined by `/`, a step
/// followed backwards marked `^` (`^FOUNDED_BY/LOCATED_IN`: from a founder to the company they
/// founded, then to where it is).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelationPath {
    steps: Vec<Step>,
}

impl RelationPath {
    /// Its steps, in order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }
}

impl fmt::Display for RelationPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, step) in self.steps.iter().enumerate() {
            if k > 0 {
                f.write_str("/")?;
            }
            write!(f, "{step}")?;
        }
        Ok(())
    }
}

/// An entity the paths from C reach.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// The entity.
    pub entity: EntityId,
    /// Its name.
    pub name: String,
    /// The share of A's paths to B that lead from C to it, in (0, 1].
    pub score: f64,
    /// Those paths, best first (shortest, then made of the rarer relations).
    pub paths: Vec<RelationPath>,
    /// The entities the first of them passes from C to this candidate, both ends included.
    pub route: Vec<EntityId>,
    /// How many statements stand behind the agreeing paths (a path counts the evidence of its
    /// weakest step).
    pub evidence: usize,
}

/// The answer to *A is to B as C is to ?*, with the evidence for it.
#[derive(Clone, Debug, PartialEq)]
pub struct RelationalAnalogy {
    /// The best candidate.
    pub answer: Candidate,
    /// The path the answer was reached by: the best of its agreeing paths.
    pub path: RelationPath,
    /// The entities that path passes from A to B, both ends included: the example it follows.
    pub example: Vec<EntityId>,
    /// Every path from A to B, best first.
    pub paths: Vec<RelationPath>,
    /// The other candidates, best first.
    pub runners_up: Vec<Candidate>,
}

/// A place a path can go from a node: the step, the node it reaches, and the statements behind it.
type Move = (Step, EntityId, usize);

impl KnowledgeGraph {
    /// Every step from `node`: along its relations either way.
    fn moves(&self, node: EntityId) -> Vec<Move> {
        self.neighbours(node)
            .into_iter()
            .map(|(subject, relation, object)| {
                let forward = subject == node || relation.predicate == Predicate::MarriedTo;
                let other = if subject == node { object } else { subject };
                (Step { predicate: relation.predicate, forward }, other, relation.evidence.len())
            })
            .collect()
    }

    /// The entities `name` names, or the error naming it as `term`.
    fn resolve(&self, term: Term, name: &str) -> Result<Vec<EntityId>, AnalogyError> {
        let found = self.find(name);
        if found.is_empty() {
            return Err(AnalogyError::UnknownName { term, name: name.to_owned() });
        }
        Ok(found)
    }

    /// *`a` is to `b` as `c` is to ?*, answered from the graph's relations (see the module's
    /// documentation for the method and the score).
    ///
    /// # Errors
    /// [`AnalogyError::UnknownName`] if the graph knows no entity of one of the names,
    /// [`AnalogyError::NoPath`] if no path of one or two relations joins A and B, and
    /// [`AnalogyError::NoAnswer`] if none of those paths leads anywhere from C.
    pub fn analogy(&self, a: &str, b: &str, c: &str) -> Result<RelationalAnalogy, AnalogyError> {
        let (a_ids, b_ids, c_ids) =
            (self.resolve(Term::A, a)?, self.resolve(Term::B, b)?, self.resolve(Term::C, c)?);
        // The paths from A to B, each with the first route that shows it and B's type.
        let mut paths: BTreeMap<RelationPath, (Vec<EntityId>, crate::EntityType)> = BTreeMap::new();
        for &from in &a_ids {
            for &to in &b_ids {
                let Some(kind) = self.entity(to).map(|e| e.kind) else { continue };
                for (first, middle, _) in self.moves(from) {
                    if middle == to {
                        paths.entry(RelationPath { steps: vec![first] }).or_insert((vec![from, to], kind));
                        continue;
                    }
                    if middle == from {
                        continue;
                    }
                    for (second, end, _) in self.moves(middle) {
                        if end == to {
                            paths
                                .entry(RelationPath { steps: vec![first, second] })
                                .or_insert((vec![from, middle, to], kind));
                        }
                    }
                }
            }
        }
        if paths.is_empty() {
            return Err(AnalogyError::NoPath { a: a.to_owned(), b: b.to_owned() });
        }
        // Shortest first; among paths of one length, the more telling first: the one whose
        // relations are rarer in the graph (`CEO_OF` before the `WORKS_FOR` every chief executive
        // also has).
        let mut ordered: Vec<&RelationPath> = paths.keys().collect();
        ordered.sort_by_cached_key(|p| {
            let commonness: usize = p.steps.iter().map(|s| self.predicate_count(s.predicate)).sum();
            (p.steps.len(), commonness, (*p).clone())
        });

        // Follow each path from C.
        struct Reached {
            /// The agreeing paths, by their place in `ordered`.
            paths: BTreeSet<usize>,
            route: Vec<EntityId>,
            evidence: usize,
        }
        let mut reached: BTreeMap<EntityId, Reached> = BTreeMap::new();
        for (rank, path) in ordered.iter().enumerate() {
            let Some((_, kind)) = paths.get(*path) else { continue };
            for &start in &c_ids {
                // Every walk of this path from `start`: the nodes it passes and its evidence.
                let mut walks: Vec<(Vec<EntityId>, usize)> = vec![(vec![start], usize::MAX)];
                for step in &path.steps {
                    let mut next = Vec::new();
                    for (route, evidence) in &walks {
                        let Some(&at) = route.last() else { continue };
                        for (taken, to, count) in self.moves(at) {
                            if taken == *step && !route.contains(&to) {
                                let mut longer = route.clone();
                                longer.push(to);
                                next.push((longer, (*evidence).min(count)));
                            }
                        }
                    }
                    walks = next;
                }
                for (route, evidence) in walks {
                    let Some(&end) = route.last() else { continue };
                    if self.entity(end).is_none_or(|e| e.kind != *kind) {
                        continue;
                    }
                    let entry = reached.entry(end).or_insert_with(|| Reached {
                        paths: BTreeSet::new(),
                        route: route.clone(),
                        evidence: 0,
                    });
                    entry.paths.insert(rank);
                    entry.evidence += evidence;
                }
            }
        }
        let total = paths.len();
        let mut ranked: Vec<(Reached, Candidate)> = reached
            .into_iter()
            .filter_map(|(entity, r)| {
                let name = self.entity(entity)?.name.clone();
                let agreeing: Vec<RelationPath> =
                    r.paths.iter().filter_map(|&rank| ordered.get(rank).map(|p| (*p).clone())).collect();
                let candidate = Candidate {
                    entity,
                    name,
                    score: agreeing.len() as f64 / total as f64,
                    paths: agreeing,
                    route: r.route.clone(),
                    evidence: r.evidence,
                };
                Some((r, candidate))
            })
            .collect();
        // More agreeing paths first, then the better first path, more evidence, then by name.
        ranked.sort_by(|(rx, x), (ry, y)| {
            ry.paths
                .len()
                .cmp(&rx.paths.len())
                .then_with(|| rx.paths.first().cmp(&ry.paths.first()))
                .then_with(|| y.evidence.cmp(&x.evidence))
                .then_with(|| x.name.cmp(&y.name))
                .then_with(|| x.entity.cmp(&y.entity))
        });
        let mut candidates = ranked.into_iter().map(|(_, c)| c);
        let Some(answer) = candidates.next() else {
            return Err(AnalogyError::NoAnswer {
                c: c.to_owned(),
                paths: ordered.iter().map(|p| p.to_string()).collect(),
            });
        };
        let path = answer.paths.first().cloned().ok_or_else(|| AnalogyError::NoAnswer {
            c: c.to_owned(),
            paths: ordered.iter().map(|p| p.to_string()).collect(),
        })?;
        let example = paths.get(&path).map(|(route, _)| route.clone()).unwrap_or_default();
        debug_assert!(!example.is_empty(), "every agreeing path is one of A's paths");
        let paths = ordered.into_iter().cloned().collect();
        Ok(RelationalAnalogy { answer, path, example, paths, runners_up: candidates.collect() })
    }
}

/// One relation of a route, for showing: subject, relation, object.
pub type Statement<'g> = (EntityId, &'g GraphRelation, EntityId);

impl KnowledgeGraph {
    /// The relations `route` (entities, as in [`RelationalAnalogy::example`] and
    /// [`Candidate::route`]) follows along `path`, one per step.
    pub fn along(&self, route: &[EntityId], path: &RelationPath) -> Vec<Statement<'_>> {
        path.steps
            .iter()
            .zip(route.windows(2))
            .filter_map(|(step, pair)| {
                let [from, to] = pair else { return None };
                let (s, o) = if step.forward { (*from, *to) } else { (*to, *from) };
                let stated =
                    |s: EntityId, o: EntityId| self.relation(s, step.predicate, o).map(|r| (s, r, o));
                // A symmetric relation is stored the way the text said it.
                stated(s, o)
                    .or_else(|| (step.predicate == Predicate::MarriedTo).then(|| stated(o, s)).flatten())
            })
            .collect()
    }

    /// A statement as JSON: `{"subject", "predicate", "object", "evidence": [{"document",
    /// "start", "end"}]}`, entities by name.
    fn statement_json(&self, (subject, relation, object): Statement<'_>) -> Value {
        let name = |id: EntityId| self.entity(id).map(|e| e.name.clone());
        json!({
            "subject": name(subject),
            "predicate": relation.predicate.name(),
            "object": name(object),
            "evidence": relation.evidence.iter().map(|e| json!({
                "document": self.documents().get(e.document),
                "start": e.start,
                "end": e.end,
            })).collect::<Vec<_>>(),
        })
    }

    /// A statement in words: `Ottawa CAPITAL_OF Canada (capitals.txt, bytes 0..32; …)`.
    fn statement_text(&self, (subject, relation, object): Statement<'_>) -> String {
        let name = |id: EntityId| self.entity(id).map_or("?", |e| e.name.as_str());
        let evidence: Vec<String> = relation
            .evidence
            .iter()
            .map(|e| {
                let document = self.documents().get(e.document).map_or("?", String::as_str);
                format!("{document}, bytes {}..{}", e.start, e.end)
            })
            .collect();
        format!("{} {} {} ({})", name(subject), relation.predicate, name(object), evidence.join("; "))
    }
}

impl RelationalAnalogy {
    /// Every candidate, the answer first.
    pub fn candidates(&self) -> impl Iterator<Item = &Candidate> {
        std::iter::once(&self.answer).chain(&self.runners_up)
    }

    /// As JSON: `{"answer", "score", "path", "candidates": [[name, score], …]}` (the answer
    /// first among the candidates); with `explain`, also `"paths"` (every path from A to B) and
    /// `"evidence": {"example": [statement…], "answer": [statement…]}`, the statements the path
    /// follows from A to B and from C to the answer, each with the documents and byte spans
    /// that state it.
    pub fn to_json(&self, graph: &KnowledgeGraph, explain: bool) -> Value {
        let mut out = json!({
            "answer": self.answer.name,
            "score": self.answer.score,
            "path": self.path.to_string(),
            "candidates": self.candidates().map(|c| json!([c.name, c.score])).collect::<Vec<_>>(),
        });
        if explain && let Some(object) = out.as_object_mut() {
            let statements = |route: &[EntityId]| -> Vec<Value> {
                graph.along(route, &self.path).into_iter().map(|s| graph.statement_json(s)).collect()
            };
            object.insert("paths".into(), self.paths.iter().map(ToString::to_string).collect());
            object.insert(
                "evidence".into(),
                json!({"example": statements(&self.example), "answer": statements(&self.answer.route)}),
            );
        }
        out
    }

    /// The answer and its evidence in words, one line each: the answer and its score, the path,
    /// the statements it follows from A to B and from C to the answer, every path from A to B,
    /// and the runners-up.
    pub fn explain(&self, graph: &KnowledgeGraph) -> Vec<String> {
        let agreeing = self.answer.paths.len();
        let mut lines = vec![
            format!(
                "{} (score {:.2}: {agreeing} of the {} paths from A to B lead there from C)",
                self.answer.name,
                self.answer.score,
                self.paths.len()
            ),
            format!("path: {}", self.path),
        ];
        for s in graph.along(&self.example, &self.path) {
            lines.push(format!("A to B: {}", graph.statement_text(s)));
        }
        for s in graph.along(&self.answer.route, &self.path) {
            lines.push(format!("C to D: {}", graph.statement_text(s)));
        }
        let paths: Vec<String> = self.paths.iter().map(ToString::to_string).collect();
        lines.push(format!("paths from A to B: {}", paths.join(", ")));
        if !self.runners_up.is_empty() {
            let others: Vec<String> =
                self.runners_up.iter().map(|c| format!("{} ({:.2})", c.name, c.score)).collect();
            lines.push(format!("runners-up: {}", others.join(", ")));
        }
        lines
    }
}
