//! Search: by words (BM25), by shape (MinHash candidates, exact Jaccard), or both (reciprocal
//! rank fusion). Every ranking breaks ties by id, so the same query on the same bank gives the
//! same hits in the same order.

use std::cmp::Ordering;

use hashbrown::HashMap;
use sigma_codec::v2::Decoder;
use sigma_delta::similar::{band_keys, features, jaccard};
use sigma_tree::Tree;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query as StoreQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader, Term};

use crate::bank::{Bank, SKETCH_COLUMNS, sketch, sketch_field};
use crate::error::BankError;
use crate::item::Item;
use crate::words::terms;

/// The rank constant of reciprocal rank fusion: an item at rank r of a list earns 1/(60 + r)
/// (the value of Cormack, Clarke and Büttcher's paper, and of Elasticsearch and OpenSearch).
pub const FUSION_K: f64 = 60.0;
/// A shape query looks at up to this many items sharing MinHash bands with it (those sharing
/// the most), through their signature sketches.
pub const BAND_CANDIDATES: usize = 400;
/// Of those, it scores exactly this many per hit wanted (at least [`MIN_SHAPE_CANDIDATES`]):
/// the ones whose sketches agree with the query's on the most bins.
pub const SHAPE_CANDIDATES_PER_HIT: usize = 4;
/// The fewest candidates a shape query scores exactly.
pub const MIN_SHAPE_CANDIDATES: usize = 40;
/// Threads a shape query scores its candidates on, at most (one per core up to this).
const MAX_QUERY_THREADS: usize = 4;
/// Candidates below which another thread does not pay.
const MIN_CANDIDATES_PER_THREAD: usize = 8;
/// How deep each list goes before fusion, per hit wanted (at least [`MIN_FUSION_DEPTH`]).
pub const FUSION_DEPTH_PER_HIT: usize = 2;
/// The shallowest list fused.
pub const MIN_FUSION_DEPTH: usize = 20;

/// What to search for. At least one of `text` and `like` is given.
#[derive(Clone, Copy, Debug)]
pub struct Query<'q> {
    /// Words: items are ranked by BM25 over their values ([`crate::words`] makes the terms; any
    /// query word may match).
    pub text: Option<&'q str>,
    /// A tree: items are ranked by the Jaccard similarity of their node and edge features to
    /// this tree's.
    pub like: Option<&'q Tree>,
    /// Hits wanted.
    pub k: usize,
}

/// One hit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    /// The item's id.
    pub id: u64,
    /// The score the hits are ranked by: BM25 for words alone, Jaccard (0 to 1) for a shape
    /// alone, the reciprocal-rank-fusion sum for both.
    pub score: f64,
    /// The item's BM25 score for the words, when the query has words and the item is among the
    /// words' best hits (fusion depth).
    pub words: Option<f64>,
    /// The exact Jaccard similarity to the `like` tree, when the query has one.
    pub shape: Option<f64>,
}

impl Bank {
    /// The best `query.k` items for `query`, best first, ties by id.
    pub fn search(&self, query: &Query<'_>) -> Result<Vec<Hit>, BankError> {
        crate::bank::guarded(self.path(), || self.search_unguarded(query))
    }

    fn search_unguarded(&self, query: &Query<'_>) -> Result<Vec<Hit>, BankError> {
        let searcher = self.searcher();
        match (query.text, query.like) {
            (None, None) => Err(BankError::Query("a search needs words, a tree to be like, or both")),
            (Some(text), None) => Ok(self
                .by_words(&searcher, text, query.k)?
                .into_iter()
                .map(|(bm25, id, _)| Hit { id, score: bm25, words: Some(bm25), shape: None })
                .collect()),
            (None, Some(tree)) => Ok(self
                .by_shape(&searcher, &features(tree), query.k, query.k)?
                .into_iter()
                .map(|(id, j)| Hit { id, score: j, words: None, shape: Some(j) })
                .collect()),
            (Some(text), Some(tree)) => self.fused(&searcher, text, tree, query.k),
        }
    }

    /// BM25 scores, ids and addresses of the best `k` items for `text`.
    fn by_words(
        &self,
        searcher: &Searcher,
        text: &str,
        k: usize,
    ) -> Result<Vec<(f64, u64, DocAddress)>, BankError> {
        let mut words: Vec<String> = Vec::new();
        terms(text, |t| words.push(t.to_owned()));
        words.sort_unstable();
        words.dedup();
        if words.is_empty() {
            return Err(BankError::Query("the query's text holds no word"));
        }
        if k == 0 {
            return Ok(Vec::new());
        }
        let clauses: Vec<(Occur, Box<dyn StoreQuery>)> = words
            .iter()
            .map(|w| {
                let term = Term::from_field_text(self.fields.words, w);
                (
                    Occur::Should,
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)) as Box<dyn StoreQuery>,
                )
            })
            .collect();
        let top = searcher
            .search(&BooleanQuery::new(clauses), &TopById { k, id: self.fields.id })
            .map_err(|e| self.store_error(e))?;
        Ok(top.into_iter().map(|(score, id, address)| (f64::from(score), id, address)).collect())
    }

    /// Ids and exact Jaccard similarities of the best `keep` items like the tree whose sorted
    /// features are `wanted` ([`Bank::shape_candidates`] picks as many candidates as `k` hits
    /// call for, or `keep` if more).
    fn by_shape(
        &self,
        searcher: &Searcher,
        wanted: &[u64],
        k: usize,
        keep: usize,
    ) -> Result<Vec<(u64, f64)>, BankError> {
        let limit = k.saturating_mul(SHAPE_CANDIDATES_PER_HIT).max(MIN_SHAPE_CANDIDATES).max(keep);
        let candidates = self.shape_candidates(searcher, wanted, limit)?;
        // Reading, decoding and scoring a candidate dominates a shape query; the candidates are
        // shared out across threads (each with its own decoder), the scores gathered in order.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_QUERY_THREADS);
        let chunk = candidates.len().div_ceil(threads).max(MIN_CANDIDATES_PER_THREAD);
        let score = |part: &[(Score, u64, DocAddress)]| -> Result<Vec<(u64, f64)>, BankError> {
            let mut decoder = Decoder::new(*self.limits());
            let mut item = Item::scratch();
            part.iter()
                .map(|&(_, id, address)| {
                    self.read(searcher, address, &mut decoder, &mut item)?;
                    Ok((id, jaccard(wanted, &features(&item.tree))))
                })
                .collect()
        };
        let mut parts = candidates.chunks(chunk);
        let first = parts.next().unwrap_or_default();
        let mut scored = std::thread::scope(|scope| -> Result<Vec<(u64, f64)>, BankError> {
            let rest: Vec<_> = parts.map(|part| scope.spawn(move || score(part))).collect();
            let mut scored = score(first)?;
            for handle in rest {
                scored.extend(handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?);
            }
            Ok(scored)
        })?;
        // An item with no feature in common is not like the tree at all.
        scored.retain(|&(_, j)| j > 0.0);
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(keep);
        Ok(scored)
    }

    /// The items to score exactly for a shape query: those sharing MinHash bands with it (the
    /// [`BAND_CANDIDATES`] sharing the most), ranked by the share of signature bins they agree
    /// on (read from the sketch columns, without touching the stored trees), the best `limit`
    /// kept. Ties go to the lower id throughout, so the cut
    /// does not depend on how the items lie in segments.
    fn shape_candidates(
        &self,
        searcher: &Searcher,
        wanted: &[u64],
        limit: usize,
    ) -> Result<Vec<(Score, u64, DocAddress)>, BankError> {
        let mut keys: Vec<u64> = band_keys(wanted).collect();
        keys.sort_unstable();
        keys.dedup();
        let clauses: Vec<(Occur, Box<dyn StoreQuery>)> = keys
            .into_iter()
            .map(|key| {
                let term =
                    TermQuery::new(Term::from_field_u64(self.fields.shape, key), IndexRecordOption::Basic);
                (Occur::Should, Box::new(ConstScoreQuery::new(Box::new(term), 1.0)) as Box<dyn StoreQuery>)
            })
            .collect();
        let banded = searcher
            .search(
                &BooleanQuery::new(clauses),
                &TopById { k: BAND_CANDIDATES.max(limit), id: self.fields.id },
            )
            .map_err(|e| self.store_error(e))?;
        let query = sketch(wanted);
        let mut columns: HashMap<SegmentOrdinal, Vec<Column<u64>>> = HashMap::new();
        let mut estimated = Vec::with_capacity(banded.len());
        for (bands, id, address) in banded {
            let segment = address.segment_ord;
            let cols = match columns.entry(segment) {
                hashbrown::hash_map::Entry::Occupied(e) => e.into_mut(),
                hashbrown::hash_map::Entry::Vacant(e) => {
                    let fast = searcher.segment_reader(segment).fast_fields();
                    let cols = (0..SKETCH_COLUMNS)
                        .map(|c| fast.u64(&sketch_field(c)))
                        .collect::<tantivy::Result<Vec<_>>>()
                        .map_err(|e| self.store_error(e))?;
                    e.insert(cols)
                }
            };
            let mut agree = 0;
            for (col, &want) in cols.iter().zip(&query) {
                let have = col.first(address.doc_id).ok_or_else(|| BankError::Damaged {
                    path: self.path().to_owned(),
                    reason: format!("item {id} has no shape sketch"),
                })?;
                // Bytes equal in both words: zero bytes of their XOR.
                let x = have ^ want;
                agree += (0..8).filter(|b| (x >> (8 * b)) & 0xFF == 0).count();
            }
            estimated.push((agree as Score + bands / 64.0, id, address));
        }
        estimated.sort_by(better);
        estimated.truncate(limit);
        Ok(estimated)
    }

    /// Words and shape, fused by reciprocal rank: each list taken to the fusion depth (the
    /// shape list from the candidates `k` hits call for), each item scored Σ 1/(60 + rank)
    /// over the lists it is in.
    fn fused(&self, searcher: &Searcher, text: &str, tree: &Tree, k: usize) -> Result<Vec<Hit>, BankError> {
        let depth = k.saturating_mul(FUSION_DEPTH_PER_HIT).max(MIN_FUSION_DEPTH);
        let wanted = features(tree);
        let by_words = self.by_words(searcher, text, depth)?;
        let by_shape = self.by_shape(searcher, &wanted, k, depth)?;
        let mut hits: HashMap<u64, Hit> = HashMap::new();
        let rrf = |rank: usize| 1.0 / (FUSION_K + rank as f64 + 1.0);
        for (rank, &(bm25, id, _)) in by_words.iter().enumerate() {
            let hit = hits.entry(id).or_insert(Hit { id, score: 0.0, words: None, shape: None });
            hit.score += rrf(rank);
            hit.words = Some(bm25);
        }
        for (rank, &(id, j)) in by_shape.iter().enumerate() {
            let hit = hits.entry(id).or_insert(Hit { id, score: 0.0, words: None, shape: None });
            hit.score += rrf(rank);
            hit.shape = Some(j);
        }
        // Hits from the words alone get their exact shape score too.
        let mut decoder = Decoder::new(*self.limits());
        let mut item = Item::scratch();
        let mut hits: Vec<Hit> = hits.into_values().collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        hits.truncate(k);
        for hit in hits.iter_mut().filter(|h| h.shape.is_none()) {
            // Such a hit came from the words' list, which has its address.
            let found = by_words.iter().find(|w| w.1 == hit.id);
            debug_assert!(found.is_some(), "hit {} is in neither list", hit.id);
            if let Some(&(_, _, address)) = found {
                self.read(searcher, address, &mut decoder, &mut item)?;
                hit.shape = Some(jaccard(&wanted, &features(&item.tree)));
            }
        }
        Ok(hits)
    }
}

/// The `k` best documents by score, ties by id (ascending): a total order, so the same query on
/// the same bank gives the same hits whatever the segments' layout.
struct TopById {
    k: usize,
    id: tantivy::schema::Field,
}

/// Best first: higher score, then lower id.
fn better(a: &(Score, u64, DocAddress), b: &(Score, u64, DocAddress)) -> Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

/// Keeps the best `k` of `hits`.
fn keep_best(hits: &mut Vec<(Score, u64, DocAddress)>, k: usize) {
    if hits.len() > k {
        if k > 0 {
            hits.select_nth_unstable_by(k - 1, better);
        }
        hits.truncate(k);
    }
}

struct TopByIdSegment {
    k: usize,
    segment: SegmentOrdinal,
    ids: Column<u64>,
    hits: Vec<(Score, u64, DocAddress)>,
}

impl Collector for TopById {
    type Fruit = Vec<(Score, u64, DocAddress)>;
    type Child = TopByIdSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<TopByIdSegment> {
        let name = reader.schema().get_field_name(self.id).to_owned();
        let ids = reader.fast_fields().u64(&name)?;
        Ok(TopByIdSegment { k: self.k, segment, ids, hits: Vec::new() })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut all: Vec<_> = fruits.into_iter().flatten().collect();
        keep_best(&mut all, self.k);
        all.sort_by(better);
        Ok(all)
    }
}

impl SegmentCollector for TopByIdSegment {
    type Fruit = Vec<(Score, u64, DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        // Every item has an id (`BankWriter` writes one into each document). A document without
        // one, which only damage makes, sorts last here and is reported when `Bank::read`
        // reads it.
        let id = self.ids.first(doc);
        debug_assert!(id.is_some(), "document {doc} of segment {} has no id", self.segment);
        let id = id.unwrap_or(u64::MAX);
        self.hits.push((score, id, DocAddress::new(self.segment, doc)));
        if self.hits.len() >= self.k.saturating_mul(2).max(1024) {
            keep_best(&mut self.hits, self.k);
        }
    }

    fn harvest(mut self) -> Self::Fruit {
        keep_best(&mut self.hits, self.k);
        self.hits
    }
}
