//! Batch encoding and decoding: the same bytes and trees as one by one, at any thread count;
//! errors name the item. (That a warm batch allocates nothing is in `tests/allocations.rs`.)

use std::num::NonZeroUsize;

use sigma_codec::batch::{BatchDecoder, BatchEncoder, EncodedBatch};
use sigma_codec::{DecodeLimits, Error, Tree, v2};
use sigma_tree::samples;

fn threads(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap()
}

fn trees() -> Vec<Tree> {
    let mut trees = vec![samples::simple(), samples::medium(), samples::deep(), samples::wide()];
    trees.extend((1..40).map(|n| samples::balanced(n * 7)));
    trees.push(Tree::from_json_document(r#"{"a":[1,2,{"b":"c"}],"d":null}"#).unwrap());
    trees
}

#[test]
fn any_thread_count_gives_the_bytes_and_trees_of_one_by_one() {
    let trees = trees();
    let expected: Vec<Vec<u8>> = trees.iter().map(|t| v2::encode(t).unwrap()).collect();
    let mut encoded = EncodedBatch::default();
    let mut decoded = Vec::new();
    for n in [1, 2, 3, 4, 7, 64] {
        BatchEncoder::new(threads(n)).encode(&trees, &mut encoded).unwrap();
        assert_eq!(encoded.len(), trees.len());
        assert!(encoded.iter().eq(expected.iter().map(Vec::as_slice)), "{n} threads");
        assert_eq!(encoded.bytes(), expected.concat());
        BatchDecoder::new(DecodeLimits::DEFAULT, threads(n)).decode_batch(&encoded, &mut decoded).unwrap();
        assert_eq!(decoded, trees, "{n} threads");
        // From separate buffers, into trees left over from a bigger batch.
        decoded.extend(trees.iter().cloned());
        BatchDecoder::new(DecodeLimits::DEFAULT, threads(n)).decode(&expected, &mut decoded).unwrap();
        assert_eq!(decoded, trees, "{n} threads");
    }
    // Empty batches.
    BatchEncoder::new(threads(2)).encode(&[], &mut encoded).unwrap();
    assert!(encoded.is_empty());
    BatchDecoder::new(DecodeLimits::DEFAULT, threads(2)).decode_batch(&encoded, &mut decoded).unwrap();
    assert!(decoded.is_empty());
}

#[test]
fn the_first_bad_item_is_named() {
    let trees = trees();
    let mut messages: Vec<Vec<u8>> = trees.iter().map(|t| v2::encode(t).unwrap()).collect();
    messages[17][3] ^= 0x10;
    messages[30].truncate(2);
    for n in [1, 2, 4] {
        let mut decoded = vec![Tree::new(); 3];
        let error =
            BatchDecoder::new(DecodeLimits::DEFAULT, threads(n)).decode(&messages, &mut decoded).unwrap_err();
        let Error::InBatch { index, source } = &error else { panic!("{error:?}") };
        assert_eq!(*index, 17, "{n} threads");
        assert!(matches!(**source, Error::Glyph(sigma_glyph::Error::ChecksumMismatch { .. })), "{source:?}");
        assert!(error.to_string().starts_with("batch item 17: "), "{error}");
        assert!(decoded.is_empty());
    }
    let mut with_empty = trees.clone();
    with_empty.insert(5, Tree::new());
    let mut encoded = EncodedBatch::default();
    let error = BatchEncoder::new(threads(2)).encode(&with_empty, &mut encoded).unwrap_err();
    assert!(
        matches!(&error, Error::InBatch { index: 5, source } if **source == Error::EmptyTree),
        "{error:?}"
    );
    assert!(encoded.is_empty());
}
