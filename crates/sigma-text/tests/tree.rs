//! Text trees: every string comes back exactly, the tree records what extraction found, node
//! counts grow linearly, and trees that are not text trees are refused with the node at fault.

use proptest::prelude::*;
use sigma_primitives::Primitive;
use sigma_text::{Document, TextError, TreeFault, extract, parse, read, to_text};
use sigma_tree::{Tree, TreeBuilder};

fn round_trip(text: &str) {
    let tree = parse(text).expect("parse");
    let document = read(&tree).expect("read");
    assert_eq!(document, Document { text: text.to_owned(), extraction: extract(text) }, "{text:?}");
    assert_eq!(to_text(&tree).expect("to_text"), text);
    // Linear: a node per sentence, run, entity, detail and relation, each at least a byte of
    // text apart from the details (at most two per entity) and relations.
    assert!(
        tree.node_count() <= 1 + 4 * text.len().max(1),
        "{} nodes for {} bytes",
        tree.node_count(),
        text.len()
    );
    assert_eq!(parse(text).expect("parse"), tree, "deterministic");
}

#[test]
fn awkward_texts_come_back_exactly() {
    for text in [
        "",
        " ",
        "\n\n\r\n\t",
        "Dr. Jane Smith joined Acme Inc. in 2019.  She paid $13.7 billion!\r\nWhy?",
        "שלום עולם. مرحبا بالعالم؟ Hello 👋🏽 world… «Zürich» — São Paulo.",
        "\u{0}\u{1}\u{7f}\u{200b}\u{feff}a\u{301}",
        "no capitals at all: jeff bezos founded amazon in bellevue, washington, in 1994",
        "Amazon bought Whole Foods for $13.7 billion in 2017. Whole Foods was founded in Austin, Texas, by John Mackey and Renee Lawson.",
        "Ends without a stop and with trailing spaces   ",
        "?!.",
    ] {
        round_trip(text);
    }
}

#[test]
fn a_normal_form_no_rule_gives_is_recorded() {
    // In text without capitals a name's normal form is capitalised: no rule on its text gives it.
    let text = "jeff bezos lives in seattle";
    let tree = parse(text).expect("parse");
    assert_eq!(
        tree.to_string(),
        "BLOCK [STATEMENT [AGENT \"jeff bezos\" [ATTRIBUTE \"Jeff Bezos\"], STRING \" lives in \", LOCATION \"seattle\" [ATTRIBUTE \"Seattle\"]]]"
    );
    let found = read(&tree).expect("read").extraction;
    assert_eq!(found.entities[0].normalized, "Jeff Bezos");
}

#[test]
fn the_tree_of_a_sentence() {
    let text = "Mary Barra, chief executive of General Motors, spoke at 3:30 p.m. Did she?";
    let tree = parse(text).expect("parse");
    assert_eq!(
        tree.to_string(),
        "BLOCK [STATEMENT [AGENT \"Mary Barra\", STRING \", chief executive of \", GROUP \"General Motors\", \
         STRING \", spoke at \", TEMPORAL \"3:30 p.m.\" [CATEGORY \"TIME\"], STRING \" \", \
         RELATION \"WORKS_FOR 0 1\", RELATION \"CEO_OF 0 1\"], QUERY [STRING \"Did she?\"]]"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_string_round_trips(text in any::<String>()) {
        round_trip(&text);
    }

    #[test]
    fn prose_like_strings_round_trip(text in r"([A-Z][a-z]{0,8}|[a-z]{1,8}|[0-9]{1,4}|[ .,;:?!'\-$%€\n]|Dr\.|Inc\.|U\.S\.){0,60}") {
        round_trip(&text);
    }
}

fn tree(build: impl FnOnce(&mut TreeBuilder)) -> Tree {
    let mut builder = TreeBuilder::new();
    build(&mut builder);
    builder.finish().expect("tree")
}

fn fault(tree: &Tree) -> (usize, TreeFault) {
    match to_text(tree) {
        Err(TextError::NotATextTree { node, fault }) => (node, fault),
        other => panic!("expected a fault, got {other:?}"),
    }
}

#[test]
fn trees_that_are_not_text_trees_are_refused_at_the_node() {
    let root_only = tree(|b| {
        b.leaf(Primitive::STRING, Some("x")).unwrap();
    });
    assert_eq!(fault(&root_only), (0, TreeFault::Root { found: Primitive::STRING }));

    let bad_piece = tree(|b| {
        b.open(Primitive::BLOCK, None).unwrap();
        b.open(Primitive::STATEMENT, None).unwrap();
        b.leaf(Primitive::STRING, Some("a ")).unwrap();
        b.leaf(Primitive::FUNCTION, Some("f")).unwrap();
        b.close().unwrap();
        b.close().unwrap();
    });
    assert_eq!(fault(&bad_piece), (3, TreeFault::Piece { found: Primitive::FUNCTION }));

    let no_value = tree(|b| {
        b.open(Primitive::BLOCK, None).unwrap();
        b.open(Primitive::QUERY, None).unwrap();
        b.leaf(Primitive::AGENT, None).unwrap();
        b.close().unwrap();
        b.close().unwrap();
    });
    assert_eq!(fault(&no_value), (2, TreeFault::MissingValue { found: Primitive::AGENT }));

    let unknown_category = tree(|b| {
        b.open(Primitive::BLOCK, None).unwrap();
        b.open(Primitive::STATEMENT, None).unwrap();
        b.open(Primitive::QUANTITY, Some("5 km")).unwrap();
        b.leaf(Primitive::CATEGORY, Some("WEIGHT")).unwrap();
        b.close().unwrap();
        b.close().unwrap();
        b.close().unwrap();
    });
    assert_eq!(fault(&unknown_category), (2, TreeFault::Piece { found: Primitive::QUANTITY }));

    for bad in [
        "CEO_OF 0 1 0 5",
        "WORKS_FOR 0 0 0 3",
        "WORKS_FOR 1 0 0 3",
        "WORKS_FOR 0 1 0 999",
        "WORKS_FOR 0 1",
        "OWNS 0 1 0 3",
        "WORKS_FOR 0 1 0 3 9",
        "WORKS_FOR 0 18446744073709551615 0 3",
    ] {
        let relation = tree(|b| {
            b.open(Primitive::BLOCK, None).unwrap();
            b.open(Primitive::STATEMENT, None).unwrap();
            b.leaf(Primitive::AGENT, Some("Ann")).unwrap();
            b.leaf(Primitive::STRING, Some(" at ")).unwrap();
            b.leaf(Primitive::LOCATION, Some("Rome")).unwrap();
            b.leaf(Primitive::RELATION, Some(bad)).unwrap();
            b.close().unwrap();
            b.close().unwrap();
        });
        assert_eq!(fault(&relation), (5, TreeFault::Relation), "{bad}");
    }
}
