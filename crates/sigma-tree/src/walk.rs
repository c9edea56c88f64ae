//! Iterative walkers: depth-first with depth, enter/leave events, breadth-first with depth.
//!
//! None of them recurses: depth-first walks keep a stack of open subtrees in a `Vec`, which they
//! can take from and give back to the caller for reuse; breadth-first keeps a queue.

use std::collections::VecDeque;

use crate::tree::{NodeRef, Tree};

impl Tree {
    /// Every node in pre-order with its depth (the root has depth 0).
    pub fn depth_first(&self) -> DepthFirst<'_> {
        DepthFirst { tree: self, next: 0, ends: Vec::new() }
    }

    /// Every node in level order with its depth (the root has depth 0).
    pub fn breadth_first(&self) -> BreadthFirst<'_> {
        let mut queue = VecDeque::new();
        if !self.is_empty() {
            queue.push_back((0, 0));
        }
        BreadthFirst { tree: self, queue }
    }

    /// Enter and leave events in document order: `Enter(n)`, then the events of `n`'s children,
    /// then `Leave(n)`, for every node (a leaf's `Leave` follows its `Enter` at once).
    pub fn events(&self) -> Events<'_> {
        Events { tree: self, next: 0, open: Vec::new(), pending_leaf: None }
    }
}

/// Pre-order walk with depths (see [`Tree::depth_first`]).
#[derive(Clone, Debug)]
pub struct DepthFirst<'t> {
    tree: &'t Tree,
    next: usize,
    /// End index of each open subtree, outermost first.
    ends: Vec<usize>,
}

impl<'t> Iterator for DepthFirst<'t> {
    type Item = (NodeRef<'t>, usize);

    fn next(&mut self) -> Option<(NodeRef<'t>, usize)> {
        let node = self.tree.node(self.next)?;
        while self.ends.last().is_some_and(|&end| end <= self.next) {
            self.ends.pop();
        }
        let depth = self.ends.len();
        if node.has_children() {
            self.ends.push(self.next + node.subtree_size());
        }
        self.next += 1;
        Some((node, depth))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.tree.node_count().saturating_sub(self.next);
        (left, Some(left))
    }
}

/// Level-order walk with depths (see [`Tree::breadth_first`]).
#[derive(Clone, Debug)]
pub struct BreadthFirst<'t> {
    tree: &'t Tree,
    queue: VecDeque<(usize, usize)>,
}

impl<'t> Iterator for BreadthFirst<'t> {
    type Item = (NodeRef<'t>, usize);

    fn next(&mut self) -> Option<(NodeRef<'t>, usize)> {
        let (index, depth) = self.queue.pop_front()?;
        let node = self.tree.node(index)?;
        self.queue.extend(node.children().map(|child| (child.index(), depth + 1)));
        Some((node, depth))
    }
}

/// An event of [`Tree::events`].
#[derive(Clone, Copy, Debug)]
pub enum Event<'t> {
    /// The walk reaches a node; its children's events follow.
    Enter(NodeRef<'t>),
    /// The walk is done with a node and all its children.
    Leave(NodeRef<'t>),
}

/// Enter/leave walk (see [`Tree::events`]).
#[derive(Clone, Debug)]
pub struct Events<'t> {
    tree: &'t Tree,
    next: usize,
    /// Open nodes with children, outermost first.
    open: Vec<u32>,
    /// A leaf whose `Leave` is due.
    pending_leaf: Option<usize>,
}

impl<'t> Events<'t> {
    /// How many nodes are open (entered, not yet left) now.
    pub fn depth(&self) -> usize {
        self.open.len() + usize::from(self.pending_leaf.is_some())
    }
}

impl<'t> Iterator for Events<'t> {
    type Item = Event<'t>;

    fn next(&mut self) -> Option<Event<'t>> {
        if let Some(leaf) = self.pending_leaf.take() {
            return self.tree.node(leaf).map(Event::Leave);
        }
        if let Some(&top) = self.open.last() {
            let top = top as usize;
            let node = self.tree.node(top);
            debug_assert!(node.is_some(), "open nodes are nodes of the tree");
            let end = node.map_or(0, |node| top + node.subtree_size());
            if self.next >= end {
                self.open.pop();
                return self.tree.node(top).map(Event::Leave);
            }
        }
        let node = self.tree.node(self.next)?;
        if node.has_children() {
            self.open.push(self.next as u32);
        } else {
            self.pending_leaf = Some(self.next);
        }
        self.next += 1;
        Some(Event::Enter(node))
    }
}
