//! `SimilarityIndex`: the trees most similar to a query, found in sub-linear time.
//!
//! A tree's *features* are the hashes of its nodes (primitive and value) and of its parent–child
//! pairs; two trees' similarity is the Jaccard index of their feature sets. The index keeps a
//! MinHash signature per tree ([`SIGNATURE_LEN`] minima) split into [`BANDS`] bands; trees that
//! agree on a whole band share a bucket. A query looks only at the trees sharing a bucket with it
//! and ranks the few that share the most bands by exact Jaccard, so its cost follows the number of
//! near neighbours, not the number of trees stored. [`SimilarityIndex::similar_exhaustive`] is
//! the brute-force answer, for comparison (`tests/similarity.rs` measures recall@10 against it).

use hashbrown::HashMap;
use sigma_tree::Tree;

use crate::hash::hash_bytes;

/// MinHash values per signature.
pub const SIGNATURE_LEN: usize = 64;
/// Bands the signature is cut into (each of `SIGNATURE_LEN / BANDS` rows): trees agreeing on any
/// band become candidates. With 16 bands of 4 rows, a pair at Jaccard 0.7 is a candidate with
/// probability 1 − (1 − 0.7⁴)¹⁶ ≈ 0.9996; at 0.3, about 0.12.
pub const BANDS: usize = 16;
const ROWS: usize = SIGNATURE_LEN / BANDS;
/// A query scores exactly at most this many candidates per result wanted, those sharing the most
/// bands with it (the share of bands estimates the similarity).
pub const CANDIDATES_PER_RESULT: usize = 4;

fn mix(a: u64, b: u64) -> u64 {
    let m = u128::from(a ^ 0x9E37_79B9_7F4A_7C15).wrapping_mul(u128::from(b ^ 0xC2B2_AE3D_27D4_EB4F));
    (m as u64) ^ ((m >> 64) as u64)
}

/// The sorted, deduplicated feature hashes of `tree`.
pub fn features(tree: &Tree) -> Vec<u64> {
    let mut out = Vec::with_capacity(tree.node_count() * 2);
    // Each open node's key and the index past its subtree.
    let mut parents: Vec<(u64, usize)> = Vec::new();
    for node in tree.nodes() {
        let index = node.index();
        while parents.last().is_some_and(|&(_, end)| end <= index) {
            parents.pop();
        }
        let value = node.value().map_or(0, |v| hash_bytes(v.as_bytes()) | 1);
        let key = mix(u64::from(node.primitive().id()), value);
        out.push(key);
        if let Some(&(parent_key, _)) = parents.last() {
            out.push(mix(parent_key, key.rotate_left(29)));
        }
        if node.has_children() {
            parents.push((key, index + node.subtree_size()));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The Jaccard index of two sorted feature sets.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - common;
    if union == 0 { 1.0 } else { common as f64 / union as f64 }
}

/// The MinHash signature of a sorted feature set: one-permutation MinHash, where each feature's
/// hash picks one of the `SIGNATURE_LEN` bins by its top bits and each bin keeps its smallest
/// remaining bits. One hash per feature instead of one per feature and bin; an empty bin keeps
/// `u64::MAX` (rare with the hundreds of features of a tree). The share of bins two signatures
/// agree on estimates the Jaccard index of their feature sets.
pub fn signature(features: &[u64]) -> [u64; SIGNATURE_LEN] {
    const BIN_BITS: u32 = SIGNATURE_LEN.trailing_zeros();
    let mut sig = [u64::MAX; SIGNATURE_LEN];
    for &f in features {
        let h = mix(f, 0x5EED);
        let bin = (h >> (64 - BIN_BITS)) as usize;
        if let Some(slot) = sig.get_mut(bin) {
            *slot = (*slot).min(h << BIN_BITS >> BIN_BITS);
        }
    }
    sig
}

/// One answer: the id the tree was added under, and its similarity to the query (0 to 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Match {
    /// The id given to [`SimilarityIndex::add`].
    pub id: u64,
    /// Jaccard similarity of the feature sets.
    pub score: f64,
}

/// Trees by id, indexed for [`SimilarityIndex::similar`].
#[derive(Clone, Debug, Default)]
pub struct SimilarityIndex {
    /// Feature sets by id.
    stored: HashMap<u64, Vec<u64>>,
    /// Band key ([`band_keys`]) → ids.
    buckets: HashMap<u64, Vec<u64>>,
}

impl SimilarityIndex {
    /// An empty index.
    pub fn new() -> SimilarityIndex {
        SimilarityIndex::default()
    }

    /// Trees stored.
    pub fn len(&self) -> usize {
        self.stored.len()
    }

    /// Whether no tree is stored.
    pub fn is_empty(&self) -> bool {
        self.stored.is_empty()
    }

    /// Stores `tree` under `id` (replacing what `id` held).
    pub fn add(&mut self, id: u64, tree: &Tree) {
        self.remove(id);
        let feats = features(tree);
        for key in band_keys(&feats) {
            self.buckets.entry(key).or_default().push(id);
        }
        self.stored.insert(id, feats);
    }

    /// Forgets `id`.
    pub fn remove(&mut self, id: u64) {
        let Some(feats) = self.stored.remove(&id) else { return };
        for key in band_keys(&feats) {
            if let Some(ids) = self.buckets.get_mut(&key) {
                ids.retain(|&other| other != id);
                if ids.is_empty() {
                    self.buckets.remove(&key);
                }
            }
        }
    }

    /// The `k` stored trees most similar to `tree`, best first (ties by id): the trees sharing the
    /// most MinHash bands with it (at most [`CANDIDATES_PER_RESULT`] × `k` of them) ranked by
    /// exact Jaccard.
    pub fn similar(&self, tree: &Tree, k: usize) -> Vec<Match> {
        let feats = features(tree);
        let mut shared: HashMap<u64, u32> = HashMap::new();
        for key in band_keys(&feats) {
            for &id in self.buckets.get(&key).into_iter().flatten() {
                *shared.entry(id).or_default() += 1;
            }
        }
        let mut candidates: Vec<(u32, u64)> = shared.into_iter().map(|(id, bands)| (bands, id)).collect();
        candidates.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        candidates.truncate(k.saturating_mul(CANDIDATES_PER_RESULT));
        self.rank(&feats, candidates.into_iter().map(|(_, id)| id), k)
    }

    /// The exact answer: every stored tree scored. Linear in the trees stored.
    pub fn similar_exhaustive(&self, tree: &Tree, k: usize) -> Vec<Match> {
        let feats = features(tree);
        self.rank(&feats, self.stored.keys().copied(), k)
    }

    fn rank(&self, feats: &[u64], ids: impl Iterator<Item = u64>, k: usize) -> Vec<Match> {
        let mut scored: Vec<Match> = ids
            .filter_map(|id| self.stored.get(&id).map(|f| Match { id, score: jaccard(feats, f) }))
            .collect();
        scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        scored.truncate(k);
        scored
    }
}

/// The MinHash band keys of a sorted feature set ([`features`]): one per band that holds a
/// feature, the hash of the band's number and rows. Two trees share a key exactly when their
/// signatures agree on that band (up to hash collisions), so a store that indexes the keys as
/// terms finds a tree's candidates with one term lookup per band. A band whose bins are all
/// empty (a tree of few features) gives no key: agreeing on nothing is no evidence.
pub fn band_keys(features: &[u64]) -> impl Iterator<Item = u64> {
    let sig = signature(features);
    let keys: Vec<u64> = sig
        .chunks(ROWS)
        .zip(0u64..)
        .filter(|(rows, _)| rows.iter().any(|&r| r != u64::MAX))
        .map(|(rows, band)| rows.iter().fold(band, |h, &r| mix(h, r)))
        .collect();
    keys.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(json: &str) -> Tree {
        Tree::from_json_document(json).unwrap()
    }

    #[test]
    fn finds_the_near_duplicate_first() {
        let mut index = SimilarityIndex::new();
        index.add(1, &doc(r#"{"user":"ann","lang":"ja","text":"hello there","n":1}"#));
        index.add(2, &doc(r#"{"user":"bob","lang":"en","text":"something else entirely","n":2}"#));
        index.add(3, &doc(r#"[1,2,3,4,5]"#));
        let found = index.similar(&doc(r#"{"user":"ann","lang":"ja","text":"hello there","n":2}"#), 2);
        assert_eq!(found.first().map(|m| m.id), Some(1));
        assert!(found[0].score > 0.6 && found[0].score < 1.0, "{found:?}");
        assert_eq!(index.similar_exhaustive(&doc(r#"[1,2,3,4,5]"#), 1)[0], Match { id: 3, score: 1.0 });
        index.remove(1);
        assert_eq!(index.len(), 2);
        assert!(
            index
                .similar(&doc(r#"{"user":"ann","lang":"ja","text":"hello there","n":2}"#), 3)
                .iter()
                .all(|m| m.id != 1)
        );
    }

    #[test]
    fn jaccard_of_sets() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[], &[]), 1.0);
        assert_eq!(jaccard(&[1], &[2]), 0.0);
    }
}
