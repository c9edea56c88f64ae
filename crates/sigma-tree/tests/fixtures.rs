//! `fixtures/trees/*.json` hold the sample trees (the reference benchmark's four, two balanced
//! trees) in tree JSON form; they must agree with `sigma_tree::samples`, which builds the same
//! trees in code. `SIGMA_BLESS=1` rewrites them.

use sigma_tree::{Tree, samples};

fn fixture_trees() -> Vec<(&'static str, Tree)> {
    vec![
        ("simple", samples::simple()),
        ("medium", samples::medium()),
        ("deep", samples::deep()),
        ("wide", samples::wide()),
        ("balanced_1000", samples::balanced(1000)),
        ("balanced_4000", samples::balanced(4000)),
    ]
}

#[test]
fn fixture_files_match_the_samples() {
    let dir = sigma_testkit::fixtures().join("trees");
    let bless = std::env::var_os("SIGMA_BLESS").is_some();
    for (name, tree) in fixture_trees() {
        let path = dir.join(format!("{name}.json"));
        let expected = format!("{}\n", tree.to_tree_json());
        if bless {
            std::fs::write(&path, &expected).unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(Tree::from_tree_json(&text).unwrap(), tree, "{name}");
        assert_eq!(text, expected, "{name}: run with SIGMA_BLESS=1 to rewrite");
    }
}

#[test]
fn sample_shapes() {
    assert_eq!(samples::simple().to_string(), r#"ENTITY "user""#);
    assert_eq!(
        samples::medium().to_string(),
        r#"FUNCTION "calculate" [PARAMETER "x" [VARIABLE "result"], PARAMETER "y"]"#
    );
    let deep = samples::deep();
    assert_eq!((deep.node_count(), deep.depth()), (11, 11));
    let wide = samples::wide();
    assert_eq!((wide.node_count(), wide.depth()), (21, 2));
    let balanced = samples::balanced(1000);
    assert_eq!((balanced.node_count(), balanced.depth()), (1000, 6));
    // Level order: node 1 is the root's first child, node 5 the first grandchild.
    let root = balanced.root().unwrap();
    let first = root.children().next().unwrap();
    assert_eq!(first.value(), Some("node_1"));
    assert_eq!(first.children().next().unwrap().value(), Some("node_5"));
    assert_eq!(root.child_count(), 4);
    assert_eq!(samples::balanced(4000).node_count(), 4000);
}
