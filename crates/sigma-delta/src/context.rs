//! `Context`: the last N trees of a session, with everything a new tree is described against.

use std::collections::VecDeque;

use hashbrown::HashTable;
use sigma_tree::Tree;

use crate::hash::{subtree_eq, subtree_hashes};

/// Sizes of a context's bounded state. Both ends of a session must use the same configuration:
/// they evict identically, so they hold the same state after the same messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ContextConfig {
    /// Trees kept (the window): the most recent `window` messages.
    pub window: usize,
    /// Distinct values remembered for back-references (a session's [`crate::ValueTable`]).
    pub values: usize,
    /// Subtrees smaller than this many nodes are not indexed (a reference would not pay).
    pub min_subtree: usize,
}

impl Default for ContextConfig {
    fn default() -> ContextConfig {
        ContextConfig { window: 16, values: 65_536, min_subtree: 2 }
    }
}

/// One tree in the context.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The message's sequence number in the session (0 for the first).
    pub seq: u64,
    /// The tree.
    pub tree: Tree,
    /// Its subtree hashes, by pre-order index.
    hashes: Vec<u64>,
}

/// Where a subtree seen in context lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SubtreeLocation {
    /// Sequence number of the message holding it.
    pub seq: u64,
    /// Its root's pre-order index in that message's tree.
    pub node: usize,
}

/// The context stack (the last `window` trees) and an index of their subtrees. Everything is
/// deterministic: the same trees pushed in the same order give the same state on any machine.
#[derive(Clone, Debug)]
pub struct Context {
    config: ContextConfig,
    entries: VecDeque<Entry>,
    next_seq: u64,
    /// Subtree hash → the most recent place a subtree with that hash starts (a subtree whose
    /// hash collides with a newer one's is forgotten: a missed reference, never a wrong one).
    /// Keyed by the hash itself, which is already a hash.
    subtrees: HashTable<(u64, SubtreeLocation)>,
    /// Whether subtrees are indexed (an encoder's context) or not (a decoder's: it is told
    /// where references point, and needs only the trees).
    indexed: bool,
    scratch: Vec<(usize, u64)>,
    /// Trees pushed since the index last let go of the evicted trees' entries (which lookups
    /// skip until then).
    since_sweep: usize,
}

impl Context {
    /// An empty context, indexing subtrees (what an encoder needs).
    pub fn new(config: ContextConfig) -> Context {
        Context::with_index(config, true)
    }

    /// An empty context that keeps trees but no subtree index: what a decoder needs,
    /// at a fraction of the cost per message. [`Context::find_subtree`] and [`Context::find_tree`]
    /// find nothing in it.
    pub fn without_index(config: ContextConfig) -> Context {
        Context::with_index(config, false)
    }

    fn with_index(config: ContextConfig, indexed: bool) -> Context {
        Context {
            indexed,
            config,
            // A window read from a stream header is untrusted: grow as trees arrive.
            entries: VecDeque::with_capacity(config.window.min(64)),
            next_seq: 0,
            subtrees: HashTable::new(),
            scratch: Vec::new(),
            since_sweep: 0,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ContextConfig {
        &self.config
    }

    /// Trees held now (at most the window).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no tree has been pushed (or all were evicted, with a window of 0).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Sequence number the next pushed tree gets.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// The entry with sequence number `seq`, if still in the window.
    pub fn get(&self, seq: u64) -> Option<&Entry> {
        let oldest = self.entries.front()?.seq;
        let offset = usize::try_from(seq.checked_sub(oldest)?).ok()?;
        self.entries.get(offset)
    }

    /// The newest entry, if the window keeps any.
    pub fn newest(&self) -> Option<&Entry> {
        self.entries.back()
    }

    /// Adds `tree` as the newest message, evicting the oldest beyond the window, and indexes its
    /// subtrees. Returns its sequence number.
    pub fn push(&mut self, tree: Tree) -> u64 {
        let mut hashes = Vec::new();
        if self.indexed && self.config.window > 0 {
            subtree_hashes(&tree, &mut hashes, &mut self.scratch);
        }
        self.push_hashed(tree, hashes)
    }

    /// As [`Context::push`], with the tree's subtree hashes already computed
    /// ([`subtree_hashes`], as [`crate::describe`] leaves them in [`crate::Edit::hashes`]).
    pub fn push_hashed(&mut self, tree: Tree, hashes: Vec<u64>) -> u64 {
        self.push_recycling(tree, hashes).0
    }

    /// As [`Context::push_hashed`], giving back the buffers of the entry it evicts (its tree
    /// and hashes, to be refilled by the next message without allocating), or, with a window of
    /// 0, the ones it was given.
    pub fn push_recycling(&mut self, tree: Tree, hashes: Vec<u64>) -> (u64, Option<(Tree, Vec<u64>)>) {
        let seq = self.next_seq;
        self.next_seq += 1;
        if self.config.window == 0 {
            return (seq, Some((tree, hashes)));
        }
        let mut evicted = None;
        while self.entries.len() >= self.config.window {
            if let Some(old) = self.entries.pop_front() {
                evicted = Some((old.tree, old.hashes));
            }
        }
        // An evicted tree's entries stay in the index, skipped by lookups (their tree is gone),
        // until a sweep every `window` trees: one pass over the index then, instead of a removal
        // per subtree now.
        self.since_sweep += 1;
        if self.since_sweep >= self.config.window {
            self.since_sweep = 0;
            let oldest = self.entries.front().map_or(seq, |e| e.seq);
            self.subtrees.retain(|&mut (_, location)| location.seq >= oldest);
        }
        debug_assert!(
            !self.indexed || hashes.len() == tree.node_count(),
            "an indexed context is given every node's hash"
        );
        let entry = Entry { seq, tree, hashes };
        if self.indexed && entry.hashes.len() == entry.tree.node_count() {
            for (node, &hash) in entry.tree.nodes().zip(&entry.hashes) {
                if node.subtree_size() >= self.config.min_subtree {
                    let location = SubtreeLocation { seq, node: node.index() };
                    match self.subtrees.entry(hash, |&(h, _)| h == hash, |&(h, _)| h) {
                        hashbrown::hash_table::Entry::Occupied(mut slot) => slot.get_mut().1 = location,
                        hashbrown::hash_table::Entry::Vacant(slot) => {
                            slot.insert((hash, location));
                        }
                    }
                }
            }
        }
        self.entries.push_back(entry);
        (seq, evicted)
    }

    /// The most recent place in context where a subtree equal to `tree`'s subtree at `node`
    /// (whose hash is `hash`) occurs, confirmed node by node.
    pub fn find_subtree(&self, hash: u64, tree: &Tree, node: usize) -> Option<SubtreeLocation> {
        // An entry left by an evicted tree names no tree in the window: `get` finds none.
        let &(_, location) = self.subtrees.find(hash, |&(h, _)| h == hash)?;
        let entry = self.get(location.seq)?;
        subtree_eq(&entry.tree, location.node, tree, node).then_some(location)
    }

    /// The entry whose whole tree equals `tree`, most recent first.
    pub fn find_tree(&self, hash: u64, tree: &Tree) -> Option<u64> {
        self.entries.iter().rev().find(|e| e.hashes.first() == Some(&hash) && e.tree == *tree).map(|e| e.seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::subtree_hashes;

    fn tree(json: &str) -> Tree {
        Tree::from_json_document(json).unwrap()
    }

    fn hashes(t: &Tree) -> Vec<u64> {
        let mut out = Vec::new();
        subtree_hashes(t, &mut out, &mut Vec::new());
        out
    }

    #[test]
    fn window_evicts_oldest_and_its_index() {
        let mut context = Context::new(ContextConfig { window: 2, ..ContextConfig::default() });
        let a = tree(r#"{"user":{"id":1}}"#);
        let b = tree(r#"{"user":{"id":2}}"#);
        let c = tree(r#"[3]"#);
        assert_eq!(context.push(a.clone()), 0);
        assert_eq!(context.push(b), 1);
        let probe = tree(r#"[{"user":{"id":1}}]"#);
        let h = hashes(&probe);
        // The DICT of `a` is node 0 of message 0; in `probe` it is node 1.
        assert_eq!(context.find_subtree(h[1], &probe, 1), Some(SubtreeLocation { seq: 0, node: 0 }));
        assert_eq!(context.find_tree(hashes(&a)[0], &a), Some(0));
        context.push(c);
        assert_eq!(context.len(), 2);
        assert!(context.get(0).is_none());
        assert_eq!(context.find_subtree(h[1], &probe, 1), None, "evicted with message 0");
        assert_eq!(context.get(2).map(|e| e.seq), Some(2));
    }

    #[test]
    fn a_hash_match_that_is_not_equal_is_no_match() {
        let mut context = Context::new(ContextConfig::default());
        let a = tree(r#"{"k":[1,2]}"#);
        context.push(a);
        let other = tree(r#"{"k":[1,3]}"#);
        let h = hashes(&other);
        // Ask with the hash of the stored tree but a different subtree: equality says no.
        let stored_hash = hashes(&tree(r#"{"k":[1,2]}"#))[0];
        assert_eq!(context.find_subtree(stored_hash, &other, 0), None);
        assert_eq!(context.find_subtree(h[0], &other, 0), None);
    }

    #[test]
    fn a_context_without_index_keeps_trees_only() {
        let mut indexed = Context::new(ContextConfig::default());
        let mut bare = Context::without_index(ContextConfig::default());
        let a = tree(r#"{"user":{"id":1,"name":"ann"}}"#);
        indexed.push(a.clone());
        bare.push(a.clone());
        let h = hashes(&a);
        assert!(indexed.find_subtree(h[1], &a, 1).is_some());
        assert_eq!(bare.find_subtree(h[1], &a, 1), None);
        assert_eq!(bare.find_tree(h[0], &a), None);
        // Both hold the same trees: a decoder follows an encoder.
        assert_eq!(bare.get(0).map(|e| &e.tree), Some(&a));
        assert_eq!(bare.newest().map(|e| e.seq), indexed.newest().map(|e| e.seq));
    }

    #[test]
    fn pushing_gives_back_the_evicted_buffers() {
        let mut context = Context::new(ContextConfig { window: 2, ..ContextConfig::default() });
        let (a, b, c) = (tree("[1,2]"), tree("[3,4]"), tree("[5,6]"));
        assert!(context.push_recycling(a.clone(), hashes(&a)).1.is_none());
        assert!(context.push_recycling(b.clone(), hashes(&b)).1.is_none());
        let (seq, evicted) = context.push_recycling(c.clone(), hashes(&c));
        assert_eq!(seq, 2);
        assert_eq!(evicted, Some((a.clone(), hashes(&a))), "the oldest, whole");
        assert_eq!(context.find_subtree(hashes(&a)[0], &a, 0), None, "and unindexed");
        assert!(context.find_subtree(hashes(&c)[0], &c, 0).is_some());
        let mut none = Context::new(ContextConfig { window: 0, ..ContextConfig::default() });
        assert_eq!(none.push_recycling(a.clone(), Vec::new()), (0, Some((a, Vec::new()))), "kept nothing");
    }
}
