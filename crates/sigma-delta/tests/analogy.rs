//! Structural analogies on the gold set (`fixtures/analogy/structural.jsonl`: quadruples over
//! real records of the corpus, B made from A and D from C by edits written for this project, in
//! `make_structural.py`). Prints accuracy per kind of edit (the answer must equal D exactly, key
//! order included) and fails below the floor.
//!
//! `cargo test -p sigma-delta --test analogy -- --nocapture`

use std::collections::BTreeMap;

use sigma_delta::analogy::{TreeAnalogyError, analogy, learn};
use sigma_tree::Tree;

const ACCURACY_FLOOR: f64 = 0.9;

fn tree(value: &serde_json::Value) -> Tree {
    Tree::from_json_document(&value.to_string()).expect("a JSON document")
}

/// A tree's document, through serde_json (key order kept), so number and string spellings
/// compare as values.
fn canonical(tree: &Tree) -> String {
    let text = tree.to_json_document().expect("a document");
    serde_json::from_str::<serde_json::Value>(&text).expect("JSON").to_string()
}

#[test]
fn structural_analogies_on_the_gold_set() {
    let gold = sigma_testkit::fixture_text("analogy/structural.jsonl");
    let mut by_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let (mut right, mut total) = (0, 0);
    let mut wrong = Vec::new();
    for line in gold.lines().filter(|l| !l.trim().is_empty()) {
        let q: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let kind = q["kind"].as_str().expect("kind").to_owned();
        let (a, b, c) = (tree(&q["a"]), tree(&q["b"]), tree(&q["c"]));
        let expected = q["d"].to_string();
        let found = analogy(&a, &b, &c);
        let ok = found.as_ref().is_ok_and(|d| canonical(d) == expected);
        total += 1;
        right += usize::from(ok);
        let entry = by_kind.entry(kind.clone()).or_default();
        entry.0 += usize::from(ok);
        entry.1 += 1;
        if !ok && wrong.len() < 12 {
            let edit = learn(&a, &b).map(|t| t.explain().join("; ")).unwrap_or_else(|e| e.to_string());
            let got = match &found {
                Ok(d) => {
                    let d = canonical(d);
                    let at = d
                        .bytes()
                        .zip(expected.bytes())
                        .position(|(x, y)| x != y)
                        .unwrap_or(d.len().min(expected.len()));
                    format!(
                        "differs at byte {at}: …{}…",
                        d.get(at.saturating_sub(40)..(at + 40).min(d.len())).unwrap_or("")
                    )
                }
                Err(e) => e.to_string(),
            };
            wrong.push(format!("{kind}: {got}\n    edit: {edit}"));
        }
    }
    println!("| edit | right | of | accuracy |\n|---|---:|---:|---:|");
    for (kind, (ok, n)) in &by_kind {
        println!("| {kind} | {ok} | {n} | {:.3} |", *ok as f64 / *n as f64);
    }
    let accuracy = right as f64 / total as f64;
    println!("| all | {right} | {total} | {accuracy:.3} |");
    for w in &wrong {
        println!("wrong: {w}");
    }
    assert!(total >= 100, "the set holds at least 100 quadruples");
    assert!(accuracy >= ACCURACY_FLOOR, "accuracy {accuracy:.3} below {ACCURACY_FLOOR}");
}

fn json(text: &str) -> Tree {
    Tree::from_json_document(text).expect("JSON")
}

#[test]
fn an_edit_that_does_not_fit_names_the_place() {
    let a = json(r#"{"user":{"name":"ada","id":1}}"#);
    let b = json(r#"{"user":{"login":"ada","id":1}}"#);
    let err = analogy(&a, &b, &json(r#"{"user":{"id":2}}"#)).unwrap_err();
    assert_eq!(
        err,
        TreeAnalogyError::DoesNotFit { path: ".user".into(), reason: "C has no member \"name\"".into() }
    );
    let err = analogy(&a, &b, &json(r#"{"user":[1,2]}"#)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the edit does not fit C at .user: the edit changes an object's members; C has no object here"
    );
    let list_a = json("[1,2,3]");
    let list_b = json("[1,2]");
    assert_eq!(
        analogy(&list_a, &list_b, &json("[7,8,9,10]")).unwrap().to_json_document().unwrap(),
        "[7,8,9]"
    );
    // A change not made from what was there does not carry over to another value.
    let err =
        analogy(&json(r#"{"p":{"x":1,"y":2}}"#), &json(r#"{"p":[1,2]}"#), &json(r#"{"p":{"x":5,"y":6}}"#))
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"the edit does not fit C at .p: the edit replaces {"x":1,"y":2} with [1,2], and C holds something else"#
    );
    let err = analogy(&json("[1,2,3]"), &json("[2,3]"), &json("{}")).unwrap_err();
    assert!(matches!(err, TreeAnalogyError::DoesNotFit { .. }), "{err}");
}

#[test]
fn explains_the_edit_in_words() {
    let a = json(r#"{"id":"7","user":{"name":"ada"},"tags":["x","y"],"lang":"en"}"#);
    let b =
        json(r#"{"id":7,"author":"ada","user":{},"tags":[{"tag":"x"},{"tag":"y"}],"lang":"english","v":2}"#);
    let t = learn(&a, &b).unwrap();
    assert_eq!(
        t.explain(),
        [
            "makes .id a NUMBER instead of a STRING",
            "puts .user.name at .author",
            "removes .user.name",
            "wraps .tags[*] in {\"tag\":null} (the hole is where it goes)",
            "replaces the value \"en\" at .lang with \"english\" (where C holds the same)",
            "adds .v = 2",
        ]
    );
    let c = json(r#"{"id":"9","user":{"name":"alan","age":41},"tags":["z"],"lang":"fr"}"#);
    assert_eq!(
        t.apply(&c).unwrap().to_json_document().unwrap(),
        r#"{"id":9,"author":"alan","user":{"age":41},"tags":[{"tag":"z"}],"lang":"fr","v":2}"#
    );
}

#[test]
fn any_tree_not_only_json() {
    use sigma_tree::{Primitive, TreeBuilder};
    let build = |label: &str, kids: &[&str]| {
        let mut t = TreeBuilder::new();
        t.open(Primitive::ENTITY, Some(label)).unwrap();
        for k in kids {
            t.leaf(Primitive::ATTRIBUTE, Some(k)).unwrap();
        }
        t.close().unwrap();
        t.finish().unwrap()
    };
    let d = analogy(&build("a", &["x", "y"]), &build("a", &["x", "y", "z"]), &build("b", &["p"])).unwrap();
    assert_eq!(d, build("b", &["p", "z"]));
    assert!(learn(&Tree::new(), &build("a", &[])).is_err());
}

mod properties {
    use proptest::prelude::*;
    use sigma_delta::analogy::learn;
    use sigma_tree::arbitrary::{TreeConfig, trees};

    /// Random JSON documents of a few shapes, so objects share keys often.
    fn document() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("null".to_owned()),
            Just("true".to_owned()),
            (0..5i32).prop_map(|n| n.to_string()),
            "[a-c]{0,2}".prop_map(|s| format!("{s:?}")),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
                proptest::collection::vec(("[a-d]", inner), 0..4).prop_map(|m| {
                    let members: Vec<String> = m.into_iter().map(|(k, v)| format!("{k:?}:{v}")).collect();
                    format!("{{{}}}", members.join(","))
                }),
            ]
        })
    }

    proptest! {
        /// The edit learned from A to B, made to A, gives B: whatever it learned accounts for
        /// every difference.
        #[test]
        fn the_edit_from_a_to_b_turns_a_into_b(a in document(), b in document()) {
            let (a, b) = (sigma_tree::Tree::from_json_document(&a).unwrap(), sigma_tree::Tree::from_json_document(&b).unwrap());
            let transform = learn(&a, &b).unwrap();
            prop_assert_eq!(transform.apply(&a).unwrap(), b);
        }

        #[test]
        fn on_any_trees_too(a in trees(TreeConfig { max_steps: 30, v1_safe: false }), b in trees(TreeConfig { max_steps: 30, v1_safe: false })) {
            let transform = learn(&a, &b).unwrap();
            prop_assert_eq!(transform.apply(&a).unwrap(), b);
        }

        /// A to A is no edit, and makes C itself.
        #[test]
        fn no_edit_leaves_c_as_it_is(a in document(), c in trees(TreeConfig { max_steps: 30, v1_safe: false })) {
            let a = sigma_tree::Tree::from_json_document(&a).unwrap();
            let transform = learn(&a, &a).unwrap();
            prop_assert!(transform.is_identity());
            prop_assert_eq!(transform.apply(&c).unwrap(), c);
        }
    }
}
