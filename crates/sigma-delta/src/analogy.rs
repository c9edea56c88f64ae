//! Structural analogies: transformation by example. *A is to B as C is to ?*: [`learn`] works
//! out the edit that turns tree A into tree B, in terms that carry over to another tree, and
//! [`Transform::apply`] makes that edit to C; [`analogy`] does both.
//!
//! The edit is learned node by node, from the roots down:
//!
//! - **Objects** (`DICT` of `RECORD`s, as JSON documents map): members are matched by key. A key
//!   of B that A lacks is a *rename* when A lost a key holding the same value (or, the only one
//!   lost and the only one gained, a value of the same kind, edited further), a *move* when its
//!   value is found elsewhere in the same object of A (`user.name` → `author`), else an *added*
//!   constant; a key of A that B lacks is *removed*. Members C has and A had not are kept where
//!   they stand.
//! - **Lists and other nodes with children** are matched by position: the same change to every
//!   element is made to *each* element of C (however many it has); different changes are made
//!   by index; elements added or dropped at either end are added or dropped in C.
//! - **Leaves**: a changed primitive (`"42"` → `42`) is made to C's node whatever its value; a
//!   changed value (`"en"` → `"english"`) only where C holds the same value in the same place:
//!   elsewhere the example says nothing, and C's own value stays.
//! - **Wrapping**: B holding all of A inside new structure (`x` → `{"value": x, "unit": "cm"}`)
//!   wraps C the same way; A holding all of B inside it *unwraps* C.
//! - Anything else is a *replacement*: made where C holds what A held; elsewhere, in one place,
//!   an error (the new value is not made from the old, so it does not carry over), and across
//!   every element of a list, the elements that differ are kept.
//!
//! When C lacks what the edit touches (a member to rename, an element to change, an object
//! where the edit needs one), [`TreeAnalogyError::DoesNotFit`] names the place, as a path
//! (`.user.name`, `.items[2]`). [`Transform::explain`] gives the edit in words.
//!
//! ```
//! use sigma_delta::analogy;
//! use sigma_tree::Tree;
//!
//! let json = |text: &str| Tree::from_json_document(text).unwrap();
//! let a = json(r#"{"user_name":"ada","age":"36"}"#);
//! let b = json(r#"{"username":"ada","age":36,"active":true}"#);
//! let c = json(r#"{"user_name":"alan","age":"41"}"#);
//! let d = analogy(&a, &b, &c)?;
//! assert_eq!(d.to_json_document()?, r#"{"username":"alan","age":41,"active":true}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Trees deeper than [`MAX_DEPTH`] levels are refused ([`TreeAnalogyError::TooDeep`]): the
//! learning and applying walk one level per call.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::fmt;

use sigma_tree::{NodeRef, Primitive, Tree, TreeBuilder};
use thiserror::Error;

use crate::hash::subtree_eq;

/// The deepest tree (in levels) an analogy takes.
pub const MAX_DEPTH: usize = 256;

/// Which tree of *A is to B as C is to ?* an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// The first.
    A,
    /// The second.
    B,
    /// The third.
    C,
}

impl fmt::Display for Which {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Which::A => "A",
            Which::B => "B",
            Which::C => "C",
        })
    }
}

/// Why a structural analogy has no answer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TreeAnalogyError {
    /// A tree without nodes.
    #[error("{which} is an empty tree")]
    Empty {
        /// Which tree.
        which: Which,
    },
    /// A tree deeper than [`MAX_DEPTH`].
    #[error("{which} is {depth} levels deep; structural analogies take at most {MAX_DEPTH}")]
    TooDeep {
        /// Which tree.
        which: Which,
        /// Its depth.
        depth: usize,
    },
    /// C lacks what the edit touches.
    #[error("the edit does not fit C at {path}: {reason}")]
    DoesNotFit {
        /// Where in C, as `.key` and `[index]` steps from the root (`.` for the root).
        path: String,
        /// What is missing there.
        reason: String,
    },
    /// The answer could not be built (it would exceed a tree's limits).
    #[error("the answer does not fit in a tree: {0}")]
    Tree(#[from] sigma_tree::Error),
}

/// A member of an object: its key, and which of the members with that key (an object may
/// repeat a key; the first is 0).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    name: String,
    nth: usize,
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nth == 0 { write!(f, "{}", self.name) } else { write!(f, "{}#{}", self.name, self.nth) }
    }
}

/// A step from a node to one of its descendants.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    /// The value of a member (an object's `RECORD` child, then its child).
    Key(Key),
    /// The child at this position.
    Index(usize),
}

/// How a node's own primitive and value change.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
struct Label {
    /// A primitive changed: made whatever the value.
    primitive: Option<(Primitive, Primitive)>,
    /// A value changed: made only where C holds the first.
    value: Option<(Option<String>, Option<String>)>,
}

#[derive(Clone, Debug, PartialEq)]
enum Plan {
    /// C's subtree as it is.
    Same,
    /// The node's label and children change.
    Node { label: Label, children: Children },
    /// Where C holds `from`, `to`; elsewhere C's own.
    Replace { from: Tree, to: Tree },
    /// `template` (from B) with C's subtree, edited by `inner`, at the child positions `hole`.
    Wrap { template: Tree, hole: Vec<usize>, inner: Box<Plan> },
    /// C's descendant at `path`, edited by `inner`.
    Unwrap { path: Vec<Step>, inner: Box<Plan> },
}

#[derive(Clone, Debug, PartialEq)]
enum Children {
    Same,
    /// An object's members, in B's order (removed ones anywhere).
    Members(Vec<Member>),
    /// The same plan for every child.
    Each(Box<Plan>),
    /// A plan per position (children past the end kept as they are).
    ByIndex(Vec<Plan>),
    Append(Vec<Tree>),
    Prepend(Vec<Tree>),
    DropFirst(usize),
    DropLast(usize),
}

#[derive(Clone, Debug, PartialEq)]
enum Member {
    Kept { from: Key, to: String, plan: Plan },
    Removed(Key),
    Added { key: String, source: Source },
}

#[derive(Clone, Debug, PartialEq)]
enum Source {
    Constant(Tree),
    /// A descendant of the same object, by path from it.
    Moved(Vec<Step>),
}

/// The edit that turns one tree into another, in terms that carry over to a third.
#[derive(Clone, Debug, PartialEq)]
pub struct Transform {
    plan: Plan,
}

/// The edit that turns `a` into `b` (see the module's documentation).
///
/// # Errors
/// [`TreeAnalogyError::Empty`] or [`TreeAnalogyError::TooDeep`] for a tree it does not take.
pub fn learn(a: &Tree, b: &Tree) -> Result<Transform, TreeAnalogyError> {
    let a_root = check(a, Which::A)?;
    let b_root = check(b, Which::B)?;
    Ok(Transform { plan: plan(a_root, b_root) })
}

/// *`a` is to `b` as `c` is to ?*: the edit from `a` to `b`, made to `c`.
///
/// # Errors
/// As [`learn`] and [`Transform::apply`].
pub fn analogy(a: &Tree, b: &Tree, c: &Tree) -> Result<Tree, TreeAnalogyError> {
    learn(a, b)?.apply(c)
}

fn check(tree: &Tree, which: Which) -> Result<NodeRef<'_>, TreeAnalogyError> {
    let root = tree.root().ok_or(TreeAnalogyError::Empty { which })?;
    let depth = tree.depth();
    if depth > MAX_DEPTH {
        return Err(TreeAnalogyError::TooDeep { which, depth });
    }
    Ok(root)
}

/// A copy of the subtree at `node`, as a tree of its own.
fn copy(node: NodeRef<'_>) -> Tree {
    let mut builder = TreeBuilder::with_capacity(node.subtree_size(), 0);
    let copied = copy_into(node, &mut builder).and_then(|()| builder.finish());
    debug_assert!(copied.is_ok(), "a subtree of a tree is a tree");
    copied.unwrap_or_default()
}

/// Adds the subtree at `node` to `builder`.
fn copy_into(node: NodeRef<'_>, builder: &mut TreeBuilder) -> Result<(), sigma_tree::Error> {
    for n in node.tree().subtree(node.index()) {
        builder.sized(n.primitive(), n.value(), n.subtree_size())?;
    }
    Ok(())
}

/// A copy of the subtree at `node` with the subtree at `hole` (inside it) a `NULL` leaf: a
/// template that is the same for every value it wraps.
fn copy_with_hole(node: NodeRef<'_>, hole: usize) -> Tree {
    let tree = node.tree();
    let removed = tree.node(hole).map_or(0, |h| h.subtree_size() - 1);
    let mut builder = TreeBuilder::with_capacity(node.subtree_size(), 0);
    let mut result = Ok(());
    let mut skip_until = 0;
    for n in tree.subtree(node.index()) {
        if n.index() < skip_until || result.is_err() {
            continue;
        }
        let end = n.index() + n.subtree_size();
        result = if n.index() == hole {
            skip_until = end;
            builder.sized(Primitive::NULL, None, 1).map(drop)
        } else if n.index() < hole && hole < end {
            builder.sized(n.primitive(), n.value(), n.subtree_size() - removed).map(drop)
        } else {
            builder.sized(n.primitive(), n.value(), n.subtree_size()).map(drop)
        };
    }
    let built = result.and_then(|()| builder.finish());
    debug_assert!(built.is_ok(), "a subtree with a leaf in place of one of its subtrees is a tree");
    built.unwrap_or_default()
}

fn same(a: NodeRef<'_>, b: NodeRef<'_>) -> bool {
    subtree_eq(a.tree(), a.index(), b.tree(), b.index())
}

fn is_object(node: NodeRef<'_>) -> bool {
    node.primitive() == Primitive::DICT
}

/// An object's members: key and value.
fn members(node: NodeRef<'_>) -> Vec<(Key, Option<NodeRef<'_>>)> {
    let mut out: Vec<(Key, Option<NodeRef<'_>>)> = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for r in node.children().filter(|r| r.primitive() == Primitive::RECORD) {
        let name = r.value().unwrap_or_default();
        let count = seen.entry(name).or_insert(0);
        out.push((Key { name: name.to_owned(), nth: *count }, r.children().next()));
        *count += 1;
    }
    out
}

fn member<'t>(node: NodeRef<'t>, key: &Key) -> Option<NodeRef<'t>> {
    node.children()
        .filter(|r| r.primitive() == Primitive::RECORD && r.value().unwrap_or_default() == key.name)
        .nth(key.nth)
        .and_then(|r| r.children().next())
}

/// The node at `path` from `node`.
fn follow<'t>(node: NodeRef<'t>, path: &[Step]) -> Option<NodeRef<'t>> {
    let mut at = node;
    for step in path {
        at = match step {
            Step::Key(key) if is_object(at) => member(at, key)?,
            Step::Key(_) => return None,
            Step::Index(i) => at.children().nth(*i)?,
        };
    }
    Some(at)
}

/// The child of `at` whose subtree holds node `target`, with its position.
fn child_towards(at: NodeRef<'_>, target: usize) -> Option<(usize, NodeRef<'_>)> {
    at.children().enumerate().find(|(_, c)| c.index() <= target && target < c.index() + c.subtree_size())
}

/// The path from `root` to its descendant `target` (by index), as steps.
fn path_to(root: NodeRef<'_>, target: usize) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    let mut at = root;
    while at.index() != target {
        let (position, child) = child_towards(at, target)?;
        if is_object(at) && child.primitive() == Primitive::RECORD {
            let value = child.children().next()?;
            if child.index() == target {
                return None; // a RECORD itself is no value
            }
            let name = child.value().unwrap_or_default();
            let nth = at
                .children()
                .take(position)
                .filter(|r| r.primitive() == Primitive::RECORD && r.value().unwrap_or_default() == name)
                .count();
            steps.push(Step::Key(Key { name: name.to_owned(), nth }));
            at = value;
        } else {
            steps.push(Step::Index(position));
            at = child;
        }
    }
    Some(steps)
}

/// The shallowest proper descendant of `within` equal to `target` (any tree), by index.
fn find_inside(within: NodeRef<'_>, target: NodeRef<'_>) -> Option<usize> {
    let size = target.subtree_size();
    let tree = within.tree();
    let mut best: Option<(usize, usize)> = None; // (depth, index)
    // Depth of each node below `within`, from the pre-order sizes, without recursion.
    let mut open: Vec<usize> = Vec::new(); // ends of the subtrees we are inside
    for n in tree.subtree(within.index()).skip(1) {
        while open.last().is_some_and(|&end| n.index() >= end) {
            open.pop();
        }
        let depth = open.len();
        if n.subtree_size() == size
            && n.primitive() == target.primitive()
            && n.primitive() != Primitive::RECORD
            && same(n, target)
            && best.is_none_or(|(d, _)| depth < d)
        {
            best = Some((depth, n.index()));
        }
        open.push(n.index() + n.subtree_size());
    }
    best.map(|(_, index)| index)
}

/// A node's label and size: equal subtrees have equal ones, so they sort candidates cheaply.
type Label3<'t> = (Primitive, Option<&'t str>, usize);

fn label3(node: NodeRef<'_>) -> Label3<'_> {
    (node.primitive(), node.value(), node.subtree_size())
}

/// The proper descendants of a node (`RECORD`s aside) by label, shallowest first: what
/// [`find_inside`] finds, for many targets in one node at the cost of one pass.
struct Inside<'t> {
    by_label: HashMap<Label3<'t>, Vec<(usize, NodeRef<'t>)>>,
}

impl<'t> Inside<'t> {
    fn new(within: NodeRef<'t>) -> Inside<'t> {
        let mut by_label: HashMap<Label3<'t>, Vec<(usize, NodeRef<'t>)>> = HashMap::new();
        let mut open: Vec<usize> = Vec::new();
        for n in within.tree().subtree(within.index()).skip(1) {
            while open.last().is_some_and(|&end| n.index() >= end) {
                open.pop();
            }
            if n.primitive() != Primitive::RECORD {
                by_label.entry(label3(n)).or_default().push((open.len(), n));
            }
            open.push(n.index() + n.subtree_size());
        }
        for candidates in by_label.values_mut() {
            candidates.sort_by_key(|(depth, n)| (*depth, n.index()));
        }
        Inside { by_label }
    }

    /// The shallowest (then first) descendant equal to `target`, by index.
    fn find(&self, target: NodeRef<'_>) -> Option<usize> {
        self.by_label.get(&label3(target))?.iter().find(|(_, n)| same(*n, target)).map(|(_, n)| n.index())
    }
}

/// The child positions from `root` to its descendant `target`.
fn positions_to(root: NodeRef<'_>, target: usize) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    let mut at = root;
    while at.index() != target {
        let (position, child) = child_towards(at, target)?;
        out.push(position);
        at = child;
    }
    Some(out)
}

fn shares_a_key(a: NodeRef<'_>, b: NodeRef<'_>) -> bool {
    let b_members = members(b);
    members(a).iter().any(|(k, _)| b_members.iter().any(|(kb, _)| kb.name == k.name))
}

/// The plan that turns `a` into `b`.
fn plan(a: NodeRef<'_>, b: NodeRef<'_>) -> Plan {
    if same(a, b) {
        return Plan::Same;
    }
    let both_objects = is_object(a) && is_object(b);
    // All of A inside new structure: wrapped.
    if b.subtree_size() > a.subtree_size()
        && !(both_objects && shares_a_key(a, b))
        && let Some(inside) = find_inside(b, a)
        && let Some(hole) = positions_to(b, inside)
    {
        return Plan::Wrap { template: copy_with_hole(b, inside), hole, inner: Box::new(Plan::Same) };
    }
    // All of B inside A: unwrapped.
    if a.subtree_size() > b.subtree_size()
        && !(both_objects && shares_a_key(a, b))
        && let Some(inside) = find_inside(a, b)
        && let Some(path) = path_to(a, inside)
    {
        return Plan::Unwrap { path, inner: Box::new(Plan::Same) };
    }
    let label = label(a, b);
    if both_objects {
        return Plan::Node { label, children: Children::Members(plan_members(a, b)) };
    }
    let (a_kids, b_kids) = (a.child_count(), b.child_count());
    if a_kids == 0 && b_kids == 0 {
        return Plan::Node { label, children: Children::Same };
    }
    if a.primitive() == b.primitive()
        && !is_object(a)
        && !is_object(b)
        && let Some(children) = plan_positions(a, b)
    {
        return Plan::Node { label, children };
    }
    Plan::Replace { from: copy(a), to: copy(b) }
}

fn label(a: NodeRef<'_>, b: NodeRef<'_>) -> Label {
    Label {
        primitive: (a.primitive() != b.primitive()).then(|| (a.primitive(), b.primitive())),
        value: (a.value() != b.value()).then(|| (a.value().map(str::to_owned), b.value().map(str::to_owned))),
    }
}

/// Whether a plan changes C only where C holds what A held (so it may be tried everywhere).
fn conditional(plan: &Plan) -> bool {
    match plan {
        Plan::Replace { .. } => true,
        Plan::Node { label, children: Children::Same } => label.primitive.is_none() && label.value.is_some(),
        _ => false,
    }
}

/// Whether a conditional plan would change `node`.
fn would_change(plan: &Plan, node: NodeRef<'_>) -> bool {
    match plan {
        Plan::Replace { from, .. } => from.root().is_some_and(|f| same(f, node)),
        Plan::Node { label, .. } => {
            label.value.as_ref().is_some_and(|(from, _)| node.value() == from.as_deref())
                || label.primitive.is_some_and(|(from, _)| node.primitive() == from)
        }
        _ => true,
    }
}

fn plan_positions(a: NodeRef<'_>, b: NodeRef<'_>) -> Option<Children> {
    let a_kids: Vec<NodeRef<'_>> = a.children().collect();
    let b_kids: Vec<NodeRef<'_>> = b.children().collect();
    let all_same = |x: &[NodeRef<'_>], y: &[NodeRef<'_>]| {
        x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(*p, *q))
    };
    if a_kids.len() == b_kids.len() {
        let plans: Vec<Plan> = a_kids.iter().zip(&b_kids).map(|(x, y)| plan(*x, *y)).collect();
        let changed: Vec<&Plan> = plans.iter().filter(|p| **p != Plan::Same).collect();
        let Some(first) = changed.first() else { return Some(Children::Same) };
        let uniform = changed.iter().all(|p| p == first);
        // A change made only where C holds what A held may be tried on every element, unless
        // an element A left alone holds that too.
        let spares_the_rest =
            || a_kids.iter().zip(&plans).all(|(kid, p)| *p != Plan::Same || !would_change(first, *kid));
        if uniform && (changed.len() == plans.len() || (conditional(first) && spares_the_rest())) {
            return Some(Children::Each(Box::new((*first).clone())));
        }
        return Some(Children::ByIndex(plans));
    }
    if b_kids.len() > a_kids.len() {
        let extra = b_kids.len() - a_kids.len();
        if all_same(&a_kids, b_kids.get(..a_kids.len())?) {
            return Some(Children::Append(b_kids.get(a_kids.len()..)?.iter().map(|n| copy(*n)).collect()));
        }
        if all_same(&a_kids, b_kids.get(extra..)?) {
            return Some(Children::Prepend(b_kids.get(..extra)?.iter().map(|n| copy(*n)).collect()));
        }
        return None;
    }
    let fewer = a_kids.len() - b_kids.len();
    if all_same(a_kids.get(..b_kids.len())?, &b_kids) {
        return Some(Children::DropLast(fewer));
    }
    if all_same(a_kids.get(fewer..)?, &b_kids) {
        return Some(Children::DropFirst(fewer));
    }
    None
}

fn plan_members(a: NodeRef<'_>, b: NodeRef<'_>) -> Vec<Member> {
    let a_members = members(a);
    let b_members = members(b);
    // A's members already matched, by position.
    let mut used: BTreeSet<usize> = BTreeSet::new();
    // B's members in order; None where not yet decided.
    let mut planned: Vec<Option<Member>> = Vec::with_capacity(b_members.len());
    // A's members by key, in order, so each of B's takes the next of its key.
    let mut by_name: HashMap<&str, VecDeque<usize>> = HashMap::new();
    for (i, (k, _)) in a_members.iter().enumerate() {
        by_name.entry(k.name.as_str()).or_default().push_back(i);
    }
    for (key, value) in &b_members {
        let found = by_name
            .get_mut(key.name.as_str())
            .and_then(VecDeque::pop_front)
            .and_then(|i| Some((i, a_members.get(i)?)));
        match (found, value) {
            (Some((i, (from, Some(av)))), Some(bv)) => {
                used.insert(i);
                planned.push(Some(Member::Kept {
                    from: from.clone(),
                    to: key.name.clone(),
                    plan: plan(*av, *bv),
                }));
            }
            _ => planned.push(None),
        }
    }
    // A's lost members by the label of their value, for renames; A's object's nodes by label,
    // for moves (built on first need).
    let mut lost_by_label: HashMap<Label3<'_>, BTreeSet<usize>> = HashMap::new();
    for (i, (_, av)) in a_members.iter().enumerate() {
        if let Some(av) = av
            && !used.contains(&i)
        {
            lost_by_label.entry(label3(*av)).or_default().insert(i);
        }
    }
    let mut inside: Option<Inside<'_>> = None;
    // Keys B gained: renamed (A lost one with the same value), moved (the value is elsewhere in
    // this object of A), or added.
    for (j, (slot, (key, value))) in planned.iter_mut().zip(&b_members).enumerate() {
        if slot.is_some() {
            continue;
        }
        let Some(bv) = value else {
            *slot = Some(Member::Added { key: key.name.clone(), source: Source::Constant(Tree::new()) });
            continue;
        };
        // Of the lost keys holding the same value, the nearest in place.
        let renamed = lost_by_label.get_mut(&label3(*bv)).and_then(|bucket| {
            let holds =
                |i: &usize| a_members.get(*i).is_some_and(|(_, av)| av.is_some_and(|av| same(av, *bv)));
            let after = bucket.range(j..).find(|i| holds(i)).copied();
            let before = bucket.range(..j).rev().find(|i| holds(i)).copied();
            let nearest = match (before, after) {
                (Some(x), Some(y)) => Some(if j - x <= y - j { x } else { y }),
                (x, y) => x.or(y),
            }?;
            bucket.remove(&nearest);
            Some(nearest)
        });
        if let Some((i, (from, _))) = renamed.and_then(|i| Some((i, a_members.get(i)?))) {
            used.insert(i);
            *slot = Some(Member::Kept { from: from.clone(), to: key.name.clone(), plan: Plan::Same });
            continue;
        }
        let moved = inside.get_or_insert_with(|| Inside::new(a)).find(*bv).and_then(|inside| {
            let path = path_to(a, inside)?;
            // A value that left its place moved. One that stayed was copied, unless it is a
            // short leaf (`2`, `true`, `"en"`), more likely a new constant that equals it.
            let origin_kept = follow(b, &path).is_some_and(|there| same(there, *bv));
            let telling = bv.subtree_size() > 1 || bv.value().is_some_and(|v| v.chars().count() >= 4);
            (!origin_kept || telling).then_some(path)
        });
        *slot = Some(match moved {
            Some(path) => Member::Added { key: key.name.clone(), source: Source::Moved(path) },
            None => Member::Added { key: key.name.clone(), source: Source::Constant(copy(*bv)) },
        });
    }
    // One key lost and one gained, the values of one kind: a rename with an edit inside.
    let lost: Vec<usize> = (0..a_members.len()).filter(|i| !used.contains(i)).collect();
    let gained: Vec<usize> = planned
        .iter()
        .enumerate()
        .filter(|(_, m)| matches!(m, Some(Member::Added { source: Source::Constant(_), .. })))
        .map(|(i, _)| i)
        .collect();
    if let ([i], [j]) = (lost.as_slice(), gained.as_slice())
        && let (Some((from, Some(av))), Some((to, Some(bv)))) = (a_members.get(*i), b_members.get(*j))
        && av.primitive() == bv.primitive()
        && av.has_children()
        && let Some(slot) = planned.get_mut(*j)
    {
        *slot = Some(Member::Kept { from: from.clone(), to: to.name.clone(), plan: plan(*av, *bv) });
        used.insert(*i);
    }
    let mut out: Vec<Member> = planned.into_iter().flatten().collect();
    for (i, (key, _)) in a_members.iter().enumerate() {
        if !used.contains(&i) {
            out.push(Member::Removed(key.clone()));
        }
    }
    out
}

/// Where in C: `.key` and `[index]` steps.
fn show(path: &str) -> String {
    if path.is_empty() { ".".to_owned() } else { path.to_owned() }
}

fn does_not_fit(path: &str, reason: impl Into<String>) -> TreeAnalogyError {
    TreeAnalogyError::DoesNotFit { path: show(path), reason: reason.into() }
}

fn step_text(steps: &[Step]) -> String {
    steps
        .iter()
        .map(|s| match s {
            Step::Key(k) => format!(".{k}"),
            Step::Index(i) => format!("[{i}]"),
        })
        .collect()
}

impl Transform {
    /// Whether the edit changes nothing (A and B are equal).
    pub fn is_identity(&self) -> bool {
        self.plan == Plan::Same
    }

    /// Makes the edit to `c`.
    ///
    /// # Errors
    /// [`TreeAnalogyError::DoesNotFit`] naming the place where C lacks what the edit touches;
    /// [`TreeAnalogyError::Empty`] or [`TreeAnalogyError::TooDeep`] for a C it does not take.
    pub fn apply(&self, c: &Tree) -> Result<Tree, TreeAnalogyError> {
        let root = check(c, Which::C)?;
        let mut builder = TreeBuilder::with_capacity(c.node_count() + 16, c.value_bytes() + 64);
        apply(&self.plan, root, &mut builder, &mut String::new())?;
        Ok(builder.finish()?)
    }

    /// The edit in words, one change per line, each at its path (`.` the root, `.key` a
    /// member, `[2]` an element, `[*]` every element).
    pub fn explain(&self) -> Vec<String> {
        let mut lines = Vec::new();
        explain(&self.plan, "", &mut lines);
        if lines.is_empty() {
            lines.push("no change: A and B are equal".to_owned());
        }
        lines
    }
}

fn apply(
    plan: &Plan,
    c: NodeRef<'_>,
    out: &mut TreeBuilder,
    path: &mut String,
) -> Result<(), TreeAnalogyError> {
    match plan {
        Plan::Same => copy_into(c, out)?,
        Plan::Replace { from, to } => {
            // In one place, a replacement whose result is not made from what was there: it
            // carries over only to the same value.
            if !from.root().is_some_and(|f| same(f, c)) {
                return Err(does_not_fit(
                    path,
                    format!(
                        "the edit replaces {} with {}, and C holds something else",
                        render(from),
                        render(to)
                    ),
                ));
            }
            if let Some(to) = to.root() {
                copy_into(to, out)?;
            }
        }
        Plan::Wrap { template, hole, inner } => {
            let Some(root) = template.root() else { return Ok(copy_into(c, out)?) };
            let hole_index = hole.iter().try_fold(root, |at, &p| at.children().nth(p)).map(|n| n.index());
            // Copy the template in pre-order, C (edited) in place of the hole's subtree: the
            // nodes above the hole are opened, and closed once the copy passes their end.
            let mut open_ends: Vec<usize> = Vec::new();
            let mut skip_until = 0;
            for n in template.nodes() {
                while open_ends.last().is_some_and(|&end| n.index() >= end) {
                    open_ends.pop();
                    out.close()?;
                }
                if n.index() < skip_until {
                    continue;
                }
                let end = n.index() + n.subtree_size();
                if Some(n.index()) == hole_index {
                    apply(inner, c, out, path)?;
                    skip_until = end;
                } else if hole_index.is_some_and(|h| n.index() < h && h < end) {
                    out.open(n.primitive(), n.value())?;
                    open_ends.push(end);
                } else {
                    copy_into(n, out)?;
                    skip_until = end;
                }
            }
            while open_ends.pop().is_some() {
                out.close()?;
            }
        }
        Plan::Unwrap { path: steps, inner } => {
            let target = follow(c, steps).ok_or_else(|| {
                does_not_fit(path, format!("C has nothing at {} to unwrap", show(&step_text(steps))))
            })?;
            apply(inner, target, out, path)?;
        }
        Plan::Node { label, children } => {
            let primitive = match label.primitive {
                Some((from, to)) if c.primitive() == from => to,
                _ => c.primitive(),
            };
            let value = match &label.value {
                Some((from, to)) if c.value() == from.as_deref() => to.as_deref(),
                _ => c.value(),
            };
            match children {
                Children::Same => {
                    if c.has_children() {
                        out.open(primitive, value)?;
                        for child in c.children() {
                            copy_into(child, out)?;
                        }
                        out.close()?;
                    } else {
                        out.leaf(primitive, value)?;
                    }
                }
                Children::Members(members) => {
                    if !is_object(c) {
                        return Err(does_not_fit(
                            path,
                            "the edit changes an object's members; C has no object here",
                        ));
                    }
                    out.open(primitive, value)?;
                    apply_members(members, c, out, path)?;
                    out.close()?;
                }
                other => {
                    out.open(primitive, value)?;
                    apply_positions(other, c, out, path)?;
                    out.close()?;
                }
            }
        }
    }
    Ok(())
}

fn apply_positions(
    children: &Children,
    c: NodeRef<'_>,
    out: &mut TreeBuilder,
    path: &mut String,
) -> Result<(), TreeAnalogyError> {
    let kids: Vec<NodeRef<'_>> = c.children().collect();
    let at = path.len();
    match children {
        Children::Each(plan) => {
            for (i, kid) in kids.iter().enumerate() {
                path.push_str(&format!("[{i}]"));
                match &**plan {
                    // Tried on every element: made where it fits, the others kept.
                    Plan::Replace { from, .. } if !from.root().is_some_and(|f| same(f, *kid)) => {
                        copy_into(*kid, out)?;
                    }
                    plan => apply(plan, *kid, out, path)?,
                }
                path.truncate(at);
            }
        }
        Children::ByIndex(plans) => {
            if let Some(last) = plans.iter().rposition(|p| *p != Plan::Same)
                && kids.len() <= last
            {
                return Err(does_not_fit(
                    path,
                    format!("the edit changes element {last}; C has {} elements", kids.len()),
                ));
            }
            for (i, kid) in kids.iter().enumerate() {
                path.push_str(&format!("[{i}]"));
                apply(plans.get(i).unwrap_or(&Plan::Same), *kid, out, path)?;
                path.truncate(at);
            }
        }
        Children::Append(extra) => {
            for kid in &kids {
                copy_into(*kid, out)?;
            }
            for tree in extra {
                if let Some(root) = tree.root() {
                    copy_into(root, out)?;
                }
            }
        }
        Children::Prepend(extra) => {
            for tree in extra {
                if let Some(root) = tree.root() {
                    copy_into(root, out)?;
                }
            }
            for kid in &kids {
                copy_into(*kid, out)?;
            }
        }
        Children::DropFirst(n) | Children::DropLast(n) => {
            if kids.len() < *n {
                return Err(does_not_fit(path, format!("the edit drops {n} elements; C has {}", kids.len())));
            }
            let keep = if matches!(children, Children::DropFirst(_)) {
                kids.get(*n..).unwrap_or_default()
            } else {
                kids.get(..kids.len() - n).unwrap_or_default()
            };
            for kid in keep {
                copy_into(*kid, out)?;
            }
        }
        Children::Same | Children::Members(_) => {
            for kid in &kids {
                copy_into(*kid, out)?;
            }
        }
    }
    Ok(())
}

fn apply_members(
    members: &[Member],
    c: NodeRef<'_>,
    out: &mut TreeBuilder,
    path: &mut String,
) -> Result<(), TreeAnalogyError> {
    let c_members: Vec<(Key, Option<NodeRef<'_>>)> = self::members(c);
    let c_index: HashMap<&Key, Option<NodeRef<'_>>> = c_members.iter().map(|(k, v)| (k, *v)).collect();
    // The output, in B's order, with C's own members (keys A lacked) after the member of C
    // that precedes them.
    enum Out<'m, 'c> {
        Planned(&'m Member),
        Own(&'c Key, Option<NodeRef<'c>>),
    }
    let planned: Vec<&Member> = members.iter().filter(|m| !matches!(m, Member::Removed(_))).collect();
    // Where the plan puts each of A's keys: its place among `planned` if kept, None if removed.
    let mut place: HashMap<&Key, Option<usize>> = HashMap::new();
    for m in members {
        if let Member::Removed(k) = m {
            place.insert(k, None);
        }
    }
    for (p, m) in planned.iter().enumerate() {
        if let Member::Kept { from, .. } = m {
            place.insert(from, Some(p));
        }
    }
    let mut front: Vec<Out<'_, '_>> = Vec::new();
    let mut after: Vec<Vec<Out<'_, '_>>> = planned.iter().map(|_| Vec::new()).collect();
    let mut last_kept: Option<usize> = None;
    for (key, value) in &c_members {
        match place.get(key) {
            Some(Some(p)) => last_kept = Some(*p),
            Some(None) => {}
            None => match last_kept.and_then(|p| after.get_mut(p)) {
                Some(bucket) => bucket.push(Out::Own(key, *value)),
                None => front.push(Out::Own(key, *value)),
            },
        }
    }
    let mut order: Vec<Out<'_, '_>> = front;
    for (m, own) in planned.into_iter().zip(after) {
        order.push(Out::Planned(m));
        order.extend(own);
    }
    let at = path.len();
    for entry in order {
        match entry {
            Out::Own(key, value) => record(out, &key.name, value)?,
            Out::Planned(Member::Kept { from, to, plan }) => {
                let Some(value) = c_index.get(from).copied().flatten() else {
                    if *plan == Plan::Same && from.name == *to {
                        continue;
                    }
                    return Err(does_not_fit(path, format!("C has no member {:?}", from.to_string())));
                };
                path.push('.');
                path.push_str(&from.to_string());
                out.open(Primitive::RECORD, Some(to))?;
                apply(plan, value, out, path)?;
                out.close()?;
                path.truncate(at);
            }
            Out::Planned(Member::Added { key, source }) => {
                out.open(Primitive::RECORD, Some(key))?;
                match source {
                    Source::Constant(tree) => {
                        if let Some(root) = tree.root() {
                            copy_into(root, out)?;
                        }
                    }
                    Source::Moved(steps) => {
                        let value = follow(c, steps).ok_or_else(|| {
                            does_not_fit(
                                path,
                                format!("C has nothing at {} to put at .{key}", show(&step_text(steps))),
                            )
                        })?;
                        copy_into(value, out)?;
                    }
                }
                out.close()?;
            }
            Out::Planned(Member::Removed(_)) => {}
        }
    }
    Ok(())
}

fn record(out: &mut TreeBuilder, key: &str, value: Option<NodeRef<'_>>) -> Result<(), TreeAnalogyError> {
    match value {
        Some(value) => {
            out.open(Primitive::RECORD, Some(key))?;
            copy_into(value, out)?;
            out.close()?;
        }
        None => {
            out.leaf(Primitive::RECORD, Some(key))?;
        }
    }
    Ok(())
}

/// A subtree for reading: its JSON document text if it is one, else its tree JSON form.
fn render(tree: &Tree) -> String {
    let text = tree.to_json_document().unwrap_or_else(|_| tree.to_tree_json());
    if text.chars().count() > 80 { format!("{}…", text.chars().take(77).collect::<String>()) } else { text }
}

fn render_value(value: &Option<String>) -> String {
    match value {
        Some(v) => format!("{v:?}"),
        None => "no value".to_owned(),
    }
}

fn explain(plan: &Plan, path: &str, lines: &mut Vec<String>) {
    let here = show(path);
    match plan {
        Plan::Same => {}
        Plan::Replace { from, to } => {
            lines.push(format!("replaces {here} with {} where it is {}", render(to), render(from)));
        }
        Plan::Wrap { template, inner, .. } => {
            lines.push(format!("wraps {here} in {} (the hole is where it goes)", render(template)));
            explain(inner, path, lines);
        }
        Plan::Unwrap { path: steps, inner } => {
            lines.push(format!("replaces {here} with its {}", step_text(steps)));
            explain(inner, path, lines);
        }
        Plan::Node { label, children } => {
            if let Some((from, to)) = label.primitive {
                lines.push(format!("makes {here} a {to} instead of a {from}"));
            }
            if let Some((from, to)) = &label.value {
                lines.push(format!(
                    "replaces the value {} at {here} with {} (where C holds the same)",
                    render_value(from),
                    render_value(to)
                ));
            }
            match children {
                Children::Same => {}
                Children::Members(members) => {
                    for m in members {
                        match m {
                            Member::Kept { from, to, plan } => {
                                if from.name != *to || from.nth > 0 {
                                    lines.push(format!("renames {path}.{from} to {path}.{to}"));
                                }
                                explain(plan, &format!("{path}.{to}"), lines);
                            }
                            Member::Removed(key) => lines.push(format!("removes {path}.{key}")),
                            Member::Added { key, source: Source::Constant(tree) } => {
                                lines.push(format!("adds {path}.{key} = {}", render(tree)));
                            }
                            Member::Added { key, source: Source::Moved(steps) } => {
                                lines.push(format!("puts {path}{} at {path}.{key}", step_text(steps)));
                            }
                        }
                    }
                }
                Children::Each(plan) => explain(plan, &format!("{path}[*]"), lines),
                Children::ByIndex(plans) => {
                    for (i, p) in plans.iter().enumerate() {
                        explain(p, &format!("{path}[{i}]"), lines);
                    }
                }
                Children::Append(extra) => {
                    let items: Vec<String> = extra.iter().map(render).collect();
                    lines.push(format!("appends {} to {here}", items.join(", ")));
                }
                Children::Prepend(extra) => {
                    let items: Vec<String> = extra.iter().map(render).collect();
                    lines.push(format!("puts {} before the elements of {here}", items.join(", ")));
                }
                Children::DropFirst(n) => lines.push(format!("drops the first {n} elements of {here}")),
                Children::DropLast(n) => lines.push(format!("drops the last {n} elements of {here}")),
            }
        }
    }
}
