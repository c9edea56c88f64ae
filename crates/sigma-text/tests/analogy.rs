//! Relational analogies on the gold set (`fixtures/text/analogy/relational.tsv`, written for this
//! project) over the knowledge graph of the text fixtures (the texts beside it and the Factbook
//! prose). Prints accuracy per kind (an
//! answerable analogy is right when the answer is one of the listed ones) and refusal accuracy
//! (an analogy without evidence must be refused); fails below the floors.
//!
//! `cargo test -p sigma-text --test analogy -- --nocapture`

use std::collections::BTreeMap;

use sigma_text::{AnalogyError, KnowledgeGraph, Term};

/// Accuracy on the answerable analogies and on the refusals that the set must reach.
const ACCURACY_FLOOR: f64 = 0.9;
const REFUSAL_FLOOR: f64 = 0.9;

/// The graph `sigma kg build` makes of the text fixtures: one document per file, by name.
fn graph() -> KnowledgeGraph {
    let mut files: Vec<_> = ["text/factbook", "text/analogy"]
        .into_iter()
        .flat_map(|dir| std::fs::read_dir(sigma_testkit::fixtures().join(dir)).expect("fixtures/text"))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut graph = KnowledgeGraph::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("utf-8 text");
        graph.add_text(&file.file_name().expect("name").to_string_lossy(), &text);
    }
    graph
}

#[test]
fn relational_analogies_on_the_gold_set() {
    let graph = graph();
    let gold = sigma_testkit::fixture_text("text/analogy/relational.tsv");
    // kind → (right, total)
    let mut by_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let (mut right, mut answerable, mut refused, mut refusals) = (0, 0, 0, 0);
    let mut wrong = Vec::new();
    for line in gold.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [kind, a, b, c, expected] = fields.as_slice() else { panic!("five columns: {line}") };
        let found = graph.analogy(a, b, c);
        let ok = match (*expected, &found) {
            ("-", Err(_)) => true,
            ("-", Ok(_)) => false,
            (answers, Ok(found)) => answers.split('|').any(|x| x == found.answer.name),
            (_, Err(_)) => false,
        };
        if *expected == "-" {
            refusals += 1;
            refused += usize::from(ok);
        } else {
            answerable += 1;
            right += usize::from(ok);
        }
        let entry = by_kind.entry((*kind).to_owned()).or_default();
        entry.0 += usize::from(ok);
        entry.1 += 1;
        if !ok {
            let got = match &found {
                Ok(f) => format!("{} via {} ({:.2})", f.answer.name, f.path, f.answer.score),
                Err(e) => format!("refused: {e}"),
            };
            wrong.push(format!("{a} : {b} :: {c} : ? expected {expected}, got {got}"));
        }
    }
    println!(
        "{} documents, {} entities, {} relations",
        graph.documents().len(),
        graph.entity_count(),
        graph.relation_count()
    );
    println!("| kind | right | of | accuracy |\n|---|---:|---:|---:|");
    for (kind, (ok, total)) in &by_kind {
        println!("| {kind} | {ok} | {total} | {:.3} |", *ok as f64 / *total as f64);
    }
    let accuracy = right as f64 / answerable as f64;
    let refusal = refused as f64 / refusals as f64;
    println!("| answerable | {right} | {answerable} | {accuracy:.3} |");
    println!("| refusals | {refused} | {refusals} | {refusal:.3} |");
    for w in &wrong {
        println!("wrong: {w}");
    }
    assert!(answerable >= 60 && refusals >= 10, "the set holds at least 60 analogies and 10 refusals");
    assert!(accuracy >= ACCURACY_FLOOR, "accuracy {accuracy:.3} below {ACCURACY_FLOOR}");
    assert!(refusal >= REFUSAL_FLOOR, "refusal accuracy {refusal:.3} below {REFUSAL_FLOOR}");
}

#[test]
fn answers_carry_their_path_score_and_runners_up() {
    let mut graph = KnowledgeGraph::new();
    graph.add_text(
        "n.txt",
        "Nvidia was founded by Jensen Huang in 1993. Jensen Huang is the chief executive of Nvidia. \
         Mary Barra is the chief executive of General Motors. Oracle was founded by Larry Ellison. \
         Ada Smith works for Oracle.",
    );
    let found = graph.analogy("Nvidia", "Jensen Huang", "General Motors").expect("an answer");
    assert_eq!(found.answer.name, "Mary Barra");
    let paths: Vec<String> = found.paths.iter().map(ToString::to_string).collect();
    // Rarer relations first: CEO_OF and FOUNDED_BY have two edges each, WORKS_FOR three.
    assert_eq!(paths, ["^CEO_OF", "FOUNDED_BY", "^WORKS_FOR"]);
    // Two of Nvidia's three ways to Jensen Huang lead from General Motors to Mary Barra.
    assert!((found.answer.score - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(found.path.to_string(), "^CEO_OF");
    assert_eq!(found.example.len(), 2);
    assert!(found.runners_up.is_empty());

    // Oracle has someone who works for it, but no chief executive the graph knows of: half the
    // evidence, and the score says so.
    let found = graph.analogy("General Motors", "Mary Barra", "Oracle").expect("an answer");
    assert_eq!((found.answer.name.as_str(), found.answer.score), ("Ada Smith", 0.5));
    assert_eq!(found.path.to_string(), "^WORKS_FOR");

    let found = graph.analogy("General Motors", "Mary Barra", "Larry Ellison");
    assert_eq!(
        found,
        Err(AnalogyError::NoAnswer {
            c: "Larry Ellison".into(),
            paths: vec!["^CEO_OF".into(), "^WORKS_FOR".into()]
        })
    );
}

#[test]
fn two_step_paths_and_errors_that_say_which() {
    let mut graph = KnowledgeGraph::new();
    graph.add_text(
        "c.txt",
        "Microsoft was founded by Bill Gates. Microsoft is headquartered in Redmond. \
         Amazon was founded by Jeff Bezos. Amazon is headquartered in Seattle. Jeff Bezos was born in Albuquerque.",
    );
    let found = graph.analogy("Bill Gates", "Redmond", "Jeff Bezos").expect("an answer");
    assert_eq!(found.answer.name, "Seattle");
    assert_eq!(found.path.to_string(), "^FOUNDED_BY/LOCATED_IN");
    let names = |route: &[sigma_text::EntityId]| -> Vec<String> {
        route.iter().map(|&id| graph.entity(id).expect("entity").name.clone()).collect()
    };
    assert_eq!(names(&found.example), ["Bill Gates", "Microsoft", "Redmond"]);
    assert_eq!(names(&found.answer.route), ["Jeff Bezos", "Amazon", "Seattle"]);

    assert_eq!(
        graph.analogy("Bill Gates", "Redmond", "Atlantis"),
        Err(AnalogyError::UnknownName { term: Term::C, name: "Atlantis".into() })
    );
    assert_eq!(
        graph.analogy("Bill Gates", "Albuquerque", "Jeff Bezos"),
        Err(AnalogyError::NoPath { a: "Bill Gates".into(), b: "Albuquerque".into() })
    );
}
