//! JSON documents map to trees and back losslessly: the corpus documents, arbitrary documents,
//! and the cases that usually go wrong (number text, escapes, duplicate keys, key order).

use proptest::prelude::*;
use sigma_tree::Tree;
use sigma_tree::json::{JsonEvent, JsonReader};

/// The document as a list of events: keys and strings decoded, numbers as written. Two texts
/// with the same events are the same document, whatever their whitespace and escapes.
fn events(text: &str) -> Vec<JsonEvent<'_>> {
    let mut reader = JsonReader::new(text);
    let mut out = Vec::new();
    while let Some(event) = reader.next_event().unwrap() {
        out.push(event);
    }
    out
}

fn check_round_trip(text: &str) -> String {
    let tree = Tree::from_json_document(text).unwrap();
    let back = tree.to_json_document().unwrap();
    assert_eq!(events(&back), events(text));
    // Compact output is a fixed point.
    assert_eq!(Tree::from_json_document(&back).unwrap().to_json_document().unwrap(), back);
    assert_eq!(Tree::from_json_document(&back).unwrap(), tree);
    back
}

#[test]
fn corpus_documents_round_trip() {
    for name in sigma_testkit::CORPUS {
        let text = sigma_testkit::fixture_text(&format!("corpus/{name}"));
        let back = check_round_trip(&text);
        // serde_json agrees it is the same document (as values; it normalises numbers, so
        // compare after its own parse of both).
        let a: serde_json::Value = serde_json::from_str(&text).unwrap();
        let b: serde_json::Value = serde_json::from_str(&back).unwrap();
        assert_eq!(a, b, "{name}");
    }
}

#[test]
fn number_text_escapes_duplicates_and_order_survive() {
    let text = r#"{"z":1.0,"a":1e5,"m":-0,"big":123456789012345678901,"z":"dup","esc":"\"\\\/\b\f\n\r\t\u0001\u00e9\ud83d\ude00","":[]}"#;
    let back = check_round_trip(text);
    assert_eq!(
        back,
        "{\"z\":1.0,\"a\":1e5,\"m\":-0,\"big\":123456789012345678901,\"z\":\"dup\",\"esc\":\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001é😀\",\"\":[]}"
    );
}

/// Arbitrary JSON text, generated as a value and printed with random spacing.
fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        any::<bool>().prop_map(|b| b.to_string()),
        "-?(0|[1-9][0-9]{0,25})(\\.[0-9]{1,10})?([eE][+-]?[0-9]{1,3})?",
        ".{0,10}".prop_map(|s| serde_json::to_string(&s).unwrap()),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6)
                .prop_map(|items| format!("[{}]", items.join(" , "))),
            proptest::collection::vec((".{0,6}", inner), 0..6).prop_map(|members| {
                let members: Vec<String> = members
                    .into_iter()
                    .map(|(k, v)| format!("{}:{v}", serde_json::to_string(&k).unwrap()))
                    .collect();
                format!("{{ {} }}", members.join(","))
            }),
        ]
    })
}

proptest! {
    #[test]
    fn arbitrary_documents_round_trip(text in json_text()) {
        check_round_trip(&text);
    }
}
