//! Word vectors: analogies on vectors of a known geometry, written in every format the reader
//! takes, and files that must be refused with the place at fault.

use proptest::prelude::*;
use sigma_text::{AnalogyMethod, Position, Term, VectorError, VectorFault, VectorFormat, WordVectors};

/// Axes of the geometry: each word is a sum of some of them, so the analogies below hold exactly
/// as translations (`queen − king + man = woman`).
const AXES: [&str; 16] = [
    "royal",
    "person",
    "male",
    "female",
    "young",
    "capital",
    "country",
    "france",
    "japan",
    "italy",
    "adjective",
    "size",
    "temperature",
    "positive",
    "canine",
    "feline",
];

/// The words and the axes they sum.
const WORDS: [(&str, &[&str]); 22] = [
    ("king", &["royal", "male"]),
    ("queen", &["royal", "female"]),
    ("prince", &["royal", "male", "young"]),
    ("princess", &["royal", "female", "young"]),
    ("man", &["person", "male"]),
    ("woman", &["person", "female"]),
    ("boy", &["person", "male", "young"]),
    ("girl", &["person", "female", "young"]),
    ("Paris", &["capital", "france"]),
    ("France", &["country", "france"]),
    ("Tokyo", &["capital", "japan"]),
    ("Japan", &["country", "japan"]),
    ("Rome", &["capital", "italy"]),
    ("Italy", &["country", "italy"]),
    ("big", &["adjective", "size", "positive"]),
    ("small", &["adjective", "size"]),
    ("hot", &["adjective", "temperature", "positive"]),
    ("cold", &["adjective", "temperature"]),
    ("dog", &["canine"]),
    ("puppy", &["canine", "young"]),
    ("cat", &["feline"]),
    ("kitten", &["feline", "young"]),
];

/// Each word's vector: its axes, scaled by 2 (norms must not matter), plus a small deterministic
/// wobble so no two scores tie; then distractors that point anywhere.
fn vectors() -> Vec<(String, Vec<f32>)> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 1000) as f32 / 1000.0 - 0.5
    };
    let mut out: Vec<(String, Vec<f32>)> = WORDS
        .iter()
        .map(|(word, axes)| {
            let v = AXES
                .iter()
                .map(|axis| if axes.contains(axis) { 2.0 } else { 0.0 } + 0.01 * noise())
                .collect();
            ((*word).to_owned(), v)
        })
        .collect();
    for k in 0..40 {
        out.push((format!("distractor{k}"), AXES.iter().map(|_| noise()).collect()));
    }
    out
}

fn word2vec_binary(rows: &[(String, Vec<f32>)]) -> Vec<u8> {
    let mut out = format!("{} {}\n", rows.len(), AXES.len()).into_bytes();
    for (word, v) in rows {
        out.extend_from_slice(word.as_bytes());
        out.push(b' ');
        for x in v {
            out.extend_from_slice(&x.to_le_bytes());
        }
        out.push(b'\n');
    }
    out
}

fn text(rows: &[(String, Vec<f32>)], header: bool, trailing_space: bool) -> Vec<u8> {
    let mut out = if header { format!("{} {}\n", rows.len(), AXES.len()) } else { String::new() };
    for (word, v) in rows {
        out.push_str(word);
        for x in v {
            out.push_str(&format!(" {x}"));
        }
        out.push_str(if trailing_space { " \n" } else { "\n" });
    }
    out.into_bytes()
}

/// The four analogies of the geometry, and what each must answer.
const ANALOGIES: [(&str, &str, &str, &str); 6] = [
    ("king", "queen", "man", "woman"),
    ("Paris", "France", "Tokyo", "Japan"),
    ("big", "small", "hot", "cold"),
    ("dog", "puppy", "cat", "kitten"),
    ("man", "boy", "woman", "girl"),
    ("France", "Paris", "Italy", "Rome"),
];

#[test]
fn every_format_gives_the_answers_the_geometry_holds() {
    let rows = vectors();
    let files = [
        ("word2vec binary", word2vec_binary(&rows), VectorFormat::Word2VecBinary),
        ("word2vec text", text(&rows, true, false), VectorFormat::Word2VecText),
        ("fastText .vec", text(&rows, true, true), VectorFormat::Word2VecText),
        ("GloVe", text(&rows, false, false), VectorFormat::Glove),
    ];
    for (name, bytes, format) in files {
        assert_eq!(VectorFormat::detect(&bytes), format, "{name}");
        let vectors = WordVectors::from_bytes(&bytes, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((vectors.len(), vectors.dims()), (62, 16), "{name}");
        for method in [AnalogyMethod::CosAdd, AnalogyMethod::CosMul] {
            for (a, b, c, d) in ANALOGIES {
                let found = vectors.analogy(a, b, c, method, 5).unwrap();
                assert_eq!(found.answer.word, d, "{name} {method:?}: {a} : {b} :: {c} : ?");
                assert_eq!(found.runners_up.len(), 4);
                assert!(found.runners_up.iter().all(|r| r.score <= found.answer.score));
                assert!(![a, b, c].contains(&found.answer.word.as_str()), "query words are excluded");
            }
        }
    }
}

#[test]
fn a_huge_k_asks_for_no_more_than_every_word() {
    let vectors = WordVectors::from_bytes(&word2vec_binary(&vectors()), None).unwrap();
    let (a, b, c, d) = ANALOGIES[0];
    for k in [usize::MAX, 1 << 40, 1_000] {
        let found = vectors.analogy(a, b, c, AnalogyMethod::CosAdd, k).unwrap();
        assert_eq!(found.answer.word, d);
        // Every word but the three asked about (62 in all).
        assert_eq!(found.runners_up.len(), 62 - 3 - 1, "k = {k}");
    }
}

#[test]
fn words_are_found_as_given_or_in_lower_case_and_unknown_ones_are_named() {
    let vectors = WordVectors::from_bytes(&text(&vectors(), false, false), None).unwrap();
    assert!(vectors.vector("KING").is_some());
    assert!(vectors.vector("paris").is_none(), "lower case is tried, not other spellings");
    let err = vectors.analogy("king", "queen", "unicorn", AnalogyMethod::CosAdd, 3).unwrap_err();
    assert_eq!(err.fault, VectorFault::UnknownWord { term: Term::C, word: "unicorn".into() });
    assert_eq!(err.to_string(), "C (\"unicorn\") has no vector");
    let zero = WordVectors::from_bytes(b"a 1 0\nb 0 1\nnothing 0 0\n", None).unwrap();
    let err = zero.analogy("a", "nothing", "b", AnalogyMethod::CosMul, 3).unwrap_err();
    assert_eq!(err.fault, VectorFault::ZeroVector { term: Term::B, word: "nothing".into() });
    let three = WordVectors::from_bytes(b"a 1 0\nb 0 1\nc 1 1\n", None).unwrap();
    assert_eq!(
        three.analogy("a", "b", "c", AnalogyMethod::CosAdd, 3).unwrap_err().fault,
        VectorFault::NoCandidate
    );
}

fn refused(bytes: &[u8], format: Option<VectorFormat>) -> VectorError {
    WordVectors::from_bytes(bytes, format).expect_err("refused")
}

#[test]
fn files_that_lie_are_refused_with_the_place() {
    // What an embedding library was seen to panic on, or to read wrongly.
    assert_eq!(refused(b"2 2\na 1 2\na 3 4\n", None).to_string(), "line 3: \"a\" is given twice");
    assert_eq!(refused(b"0 2\n", None).fault, VectorFault::Shape { rows: 0, dims: 2, bytes: 0 });
    assert_eq!(refused(b"", None).fault, VectorFault::Empty);
    let huge = refused(b"100000000000 100000000000\nrest", None);
    assert_eq!(huge.at, Some(Position::Line(1)));
    assert!(matches!(huge.fault, VectorFault::Shape { .. }));
    assert_eq!(refused(b"a 1 2 3\nb 4\n", None).to_string(), "line 2: 1 components where 3 are expected");
    // And the rest.
    assert_eq!(refused(b"a 1 x\n", None).to_string(), "line 1: component 1 is not a number");
    assert_eq!(refused(b"a 1 NaN\n", None).to_string(), "line 1: component 1 is not finite");
    assert_eq!(refused(b"2 2\na 1 2\n", None).fault, VectorFault::Shape { rows: 2, dims: 2, bytes: 6 });
    assert_eq!(refused(b"1 2\na 1 2\nb 3 4\n", None).to_string(), "line 3: 2 rows where the header says 1");
    assert_eq!(refused(b"a 1\n\xff 2\n", None).to_string(), "line 2: not UTF-8");
    let mut binary = word2vec_binary(&vectors());
    binary.truncate(binary.len() - 3);
    let err = refused(&binary, Some(VectorFormat::Word2VecBinary));
    assert_eq!(err.fault, VectorFault::Truncated);
    assert!(matches!(err.at, Some(Position::Byte(_))));
    let mut no_space = b"1 1\n".to_vec();
    no_space.extend(std::iter::repeat_n(b'w', 5000));
    assert_eq!(refused(&no_space, Some(VectorFormat::Word2VecBinary)).fault, VectorFault::LongWord);
    assert_eq!(refused(b"a b c\n", Some(VectorFormat::Word2VecText)).fault, VectorFault::Header);
}

proptest! {
    #[test]
    fn any_bytes_read_or_are_refused_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300), which in 0..4usize) {
        let format = [None, Some(VectorFormat::Word2VecBinary), Some(VectorFormat::Word2VecText), Some(VectorFormat::Glove)][which];
        if let Ok(vectors) = WordVectors::from_bytes(&bytes, format) {
            prop_assert!(!vectors.is_empty() && vectors.dims() > 0);
        }
    }

    #[test]
    fn damaged_files_never_panic(cut in 0..2000usize, flip in 0..2000usize, bit in 0..8u8) {
        let mut bytes = word2vec_binary(&vectors());
        if let Some(b) = bytes.get_mut(flip) {
            *b ^= 1 << bit;
        }
        bytes.truncate(cut.min(bytes.len()));
        let _ = WordVectors::from_bytes(&bytes, None);
    }
}
