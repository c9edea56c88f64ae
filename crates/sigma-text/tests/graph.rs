//! The knowledge graph: merging across documents, lookups, paths, and its tree and JSON forms.

use sigma_primitives::Primitive;
use sigma_text::{EntityType, GraphFault, KnowledgeGraph, Predicate, TextError};
use sigma_tree::TreeBuilder;

fn sample() -> KnowledgeGraph {
    let mut graph = KnowledgeGraph::new();
    graph.add_text("a.txt", "Microsoft Corp. bought GitHub in 2018. Satya Nadella, chief executive of Microsoft, spoke in Redmond.");
    graph.add_text("b.txt", "Satya Nadella was born in Hyderabad. Nadella said Microsoft would grow. Microsoft is based in Redmond, Washington.");
    graph
}

fn id(graph: &KnowledgeGraph, name: &str) -> sigma_text::EntityId {
    let found = graph.find(name);
    assert_eq!(found.len(), 1, "{name}: {found:?}");
    found[0]
}

#[test]
fn entities_merge_by_type_and_key_across_documents() {
    let graph = sample();
    let microsoft = id(&graph, "Microsoft");
    assert_eq!(id(&graph, "microsoft corp."), microsoft);
    let entity = graph.entity(microsoft).unwrap();
    assert_eq!((entity.kind, entity.name.as_str()), (EntityType::Organization, "Microsoft Corp."));
    assert!(entity.aliases.contains("Microsoft"));
    assert_eq!(entity.mentions, 4);
    // `Nadella` after `Satya Nadella` in the same document is that person.
    let nadella = id(&graph, "Satya Nadella");
    assert_eq!(graph.entity(nadella).unwrap().mentions, 3);
    assert!(graph.find("Nadella").is_empty(), "no separate one-word person");
    let people: Vec<&str> = graph.entities_of(EntityType::Person).map(|(_, e)| e.name.as_str()).collect();
    assert_eq!(people, ["Satya Nadella"]);
}

#[test]
fn relations_carry_their_evidence_and_connect_entities() {
    let graph = sample();
    let (microsoft, nadella, hyderabad) =
        (id(&graph, "Microsoft"), id(&graph, "Satya Nadella"), id(&graph, "Hyderabad"));
    let neighbours = graph.neighbours(nadella);
    let kinds: Vec<(Predicate, &str)> =
        neighbours.iter().map(|(_, r, o)| (r.predicate, graph.entity(*o).unwrap().name.as_str())).collect();
    assert!(kinds.contains(&(Predicate::CeoOf, "Microsoft Corp.")), "{kinds:?}");
    assert!(kinds.contains(&(Predicate::BornIn, "Hyderabad")), "{kinds:?}");
    let (_, born, _) = neighbours.iter().find(|(_, r, _)| r.predicate == Predicate::BornIn).unwrap();
    assert_eq!(born.evidence.len(), 1);
    assert_eq!(born.evidence[0].document, 1);
    let path = graph.path(hyderabad, id(&graph, "GitHub")).expect("connected");
    assert_eq!(path.first(), Some(&hyderabad));
    assert_eq!(path.len(), 4, "Hyderabad - Nadella - Microsoft - GitHub");
    assert_eq!(path[2], microsoft);
}

#[test]
fn the_tree_form_round_trips_and_is_checked() {
    let graph = sample();
    let tree = graph.to_tree().unwrap();
    let back = KnowledgeGraph::from_tree(&tree).unwrap();
    assert_eq!(back.to_json(), graph.to_json());
    assert_eq!(back.to_tree().unwrap(), tree);

    let mut b = TreeBuilder::new();
    b.open(Primitive::GRAPH, Some("sigma-kg 1")).unwrap();
    b.open(Primitive::LIST, Some("documents")).unwrap();
    b.leaf(Primitive::STRING, Some("d")).unwrap();
    b.close().unwrap();
    b.open(Primitive::LIST, Some("entities")).unwrap();
    b.open(Primitive::AGENT, Some("Ann")).unwrap();
    b.leaf(Primitive::NUMBER, Some("1")).unwrap();
    b.close().unwrap();
    b.open(Primitive::LOCATION, Some("Rome")).unwrap();
    b.leaf(Primitive::NUMBER, Some("1")).unwrap();
    b.close().unwrap();
    b.close().unwrap();
    b.open(Primitive::LIST, Some("relations")).unwrap();
    b.open(Primitive::RELATION, Some("BORN_IN 0 1")).unwrap();
    b.leaf(Primitive::REFERENCE, Some("1 0 4")).unwrap();
    b.close().unwrap();
    b.close().unwrap();
    b.close().unwrap();
    let bad_document = b.finish().unwrap();
    assert_eq!(
        KnowledgeGraph::from_tree(&bad_document).unwrap_err(),
        TextError::NotAGraph { node: 10, fault: GraphFault::Evidence }
    );
    let not_a_graph = sigma_text::parse("Hello.").unwrap();
    assert_eq!(
        KnowledgeGraph::from_tree(&not_a_graph).unwrap_err(),
        TextError::NotAGraph { node: 0, fault: GraphFault::Root }
    );
}

#[test]
fn the_json_form() {
    let mut graph = KnowledgeGraph::new();
    graph.add_text("doc", "Tim Cook has been chief executive of Apple since August 2011.");
    assert_eq!(
        graph.to_json().to_string(),
        r#"{"documents":["doc"],"entities":[{"id":0,"name":"Tim Cook","type":"PERSON","aliases":[],"mentions":1},{"id":1,"name":"Apple","type":"ORGANIZATION","aliases":[],"mentions":1}],"relations":[{"subject":0,"predicate":"WORKS_FOR","object":1,"count":1,"evidence":[{"document":"doc","start":0,"end":42}]},{"subject":0,"predicate":"CEO_OF","object":1,"count":1,"evidence":[{"document":"doc","start":0,"end":42}]}]}"#
    );
}
