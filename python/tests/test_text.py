"""The text layer: text to trees and back, extraction, the knowledge graph, analogies."""

from __future__ import annotations

import json
import pickle
import struct
import threading
from pathlib import Path
from typing import Any, List, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sigmalang_rs as sigma
from sigmalang_rs import (
    DecodeError,
    Entity,
    Extraction,
    KnowledgeGraph,
    Relation,
    SigmaError,
    TextError,
    Tree,
    WordVectors,
)

# ---------------------------------------------------------------------------------------------
# Text <-> tree


ODD_TEXTS = [
    "",
    "Hello.",
    "  leading and trailing spaces  ",
    "line one\r\nline two\rline three\n\n\n",
    "tab\tand NUL\x00 and DEL\x7f and bell\x07",
    "Zoë Ångström was born in Málaga. Ça marche?",
    "combining: e\u0301 a\u0308 \u0915\u094d\u0937",
    "emoji 😀👩‍👩‍👧‍👦 flags 🇯🇵🇫🇷 skin 👍🏽",
    "RTL: \u202eשלום עולם\u202c and عربي",
    "CJK ラブライブ 2013。東京は日本の首都です。",
    "separators\u2028\u2029\u0085 zero-width\u200b\ufeff",
    "private use \ue000 and max \U0010ffff",
    "Tim Cook is the CEO of Apple. Apple is headquartered in Cupertino!",
    "Is Ottawa the capital of Canada?",
    "...?!...",
]


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_text_round_trips_byte_for_byte(text: str) -> None:
    tree = sigma.text_to_tree(text)
    assert isinstance(tree, Tree)
    back = sigma.tree_to_text(tree)
    assert back == text
    assert back.encode("utf-8") == text.encode("utf-8")


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_text_trees_survive_the_codec(text: str) -> None:
    tree = sigma.text_to_tree(text)
    assert sigma.tree_to_text(sigma.decode(sigma.encode(tree))) == text
    assert sigma.tree_to_text(sigma.decode(tree.encode(compact=True))) == text


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_round_trips(text: str) -> None:
    assert sigma.tree_to_text(sigma.text_to_tree(text)) == text


def test_text_tree_shape() -> None:
    tree = sigma.text_to_tree("Tim Cook is the CEO of Apple. Is it?")
    root = tree.root
    assert root.name == "BLOCK" and root.value is None
    assert [s.name for s in root.children] == ["STATEMENT", "QUERY"]
    first = root.children[0]
    assert [(n.name, n.value) for n in first.children] == [
        ("AGENT", "Tim Cook"),
        ("STRING", " is the CEO of "),
        ("GROUP", "Apple"),
        ("STRING", ". "),
        ("RELATION", "WORKS_FOR 0 1"),
        ("RELATION", "CEO_OF 0 1"),
    ]


def test_a_tree_that_is_not_a_text_tree_is_a_text_error() -> None:
    with pytest.raises(TextError) as info:
        sigma.tree_to_text(Tree.from_value({"a": 1}))
    assert "node 0" in str(info.value)
    assert isinstance(info.value, SigmaError) and isinstance(info.value, ValueError)
    assert info.value.offset is None
    bad = Tree.from_dict({"p": "BLOCK", "c": [{"p": "STATEMENT", "c": [{"p": "STRING"}]}]})
    with pytest.raises(TextError, match="node 2"):
        sigma.tree_to_text(bad)
    with pytest.raises(TextError):
        sigma.read_text_tree(bad)


# ---------------------------------------------------------------------------------------------
# Extraction


def spans(found: Extraction) -> List[Tuple[str, str, int, int]]:
    return [(e.text, e.type, e.start, e.end) for e in found.entities]


def facts(found: Extraction) -> List[Tuple[str, str, str, int, int]]:
    return [(r.subject.text, r.predicate, r.object.text, r.start, r.end) for r in found.relations]


def test_extract_tim_cook() -> None:
    text = "Tim Cook is the CEO of Apple."
    found = sigma.extract(text)
    assert found.text == text
    assert spans(found) == [("Tim Cook", "PERSON", 0, 8), ("Apple", "ORGANIZATION", 23, 28)]
    assert facts(found) == [
        ("Tim Cook", "WORKS_FOR", "Apple", 0, 28),
        ("Tim Cook", "CEO_OF", "Apple", 0, 28),
    ]
    relation = found.relations[1]
    assert relation.subject == found.entities[0] and relation.object == found.entities[1]
    assert (relation.subject_index, relation.object_index) == (0, 1)
    assert relation.text == "Tim Cook is the CEO of Apple"


def test_extract_as_the_crate_tests_it() -> None:
    # crates/sigma-text/tests/extract.rs: relations_stop_at_their_entities
    found = sigma.extract("Marie Curie was born in Warsaw and worked at the University of Paris.")
    assert spans(found) == [
        ("Marie Curie", "PERSON", 0, 11),
        ("Warsaw", "LOCATION", 24, 30),
        ("University of Paris", "ORGANIZATION", 49, 68),
    ]
    assert facts(found) == [
        ("Marie Curie", "BORN_IN", "Warsaw", 0, 30),
        ("Marie Curie", "WORKS_FOR", "University of Paris", 0, 68),
    ]
    # a_capitalised_word_before_a_name_is_not_part_of_it: entities, and no relation.
    found = sigma.extract("Yesterday John Mackey said Whole Foods would open a store in Austin.")
    assert spans(found) == [
        ("John Mackey", "PERSON", 10, 21),
        ("Whole Foods", "ORGANIZATION", 27, 38),
        ("Austin", "LOCATION", 61, 67),
    ]
    assert found.relations == []
    # an_ordinary_word_or_a_known_place_is_not_made_a_company
    assert sigma.extract("Yesterday the company was founded by two students.").entities == []
    # phrasings_of_capitals_appositions_and_chief_executives
    found = sigma.extract("The capital of Japan is Tokyo.")
    assert [(r.subject.text, r.predicate, r.object.text) for r in found.relations] == [
        ("Tokyo", "CAPITAL_OF", "Japan")
    ]


def test_normal_forms_and_json() -> None:
    text = "Tim Cook has been chief executive of Apple since August 2011."
    found = sigma.extract(text)
    date = found.entities[-1]
    assert (date.text, date.type, date.normalized) == ("August 2011", "DATE", "2011-08")
    as_json = json.loads(found.to_json())
    assert as_json["entities"][2] == {
        "text": "August 2011",
        "type": "DATE",
        "start": 49,
        "end": 60,
        "normalized": "2011-08",
    }
    assert as_json["relations"] == [
        {"subject": 0, "predicate": "WORKS_FOR", "object": 1, "start": 0, "end": 42},
        {"subject": 0, "predicate": "CEO_OF", "object": 1, "start": 0, "end": 42},
    ]


def test_byte_and_char_offsets() -> None:
    text = "Zoë Ångström was born in Málaga. Tim Cook is the CEO of Apple 😀."
    found = sigma.extract(text)
    data = text.encode("utf-8")
    assert found.entities, "the sentence names someone"
    assert any(e.start != e.char_start for e in found.entities), "non-ASCII before an entity"
    for e in found.entities:
        assert text[e.char_start : e.char_end] == e.text
        assert data[e.start : e.end].decode("utf-8") == e.text
    for r in found.relations:
        assert text[r.char_start : r.char_end] == r.text
        assert data[r.start : r.end].decode("utf-8") == r.text
    apple = next(e for e in found.entities if e.text == "Apple")
    assert apple.end - apple.start == apple.char_end - apple.char_start == 5
    assert apple.start - apple.char_start == len("ëÅöá".encode("utf-8")) - 4


def test_read_text_tree_gives_what_extract_gives() -> None:
    text = "Satya Nadella, chief executive of Microsoft, was born in Hyderabad. Microsoft is based in Redmond."
    tree = sigma.text_to_tree(text)
    read = sigma.read_text_tree(tree)
    assert read.text == text
    assert read == sigma.extract(text)
    assert read.relations and read.entities


def test_extraction_values_are_frozen_comparable_and_hashable() -> None:
    a = sigma.extract("Tim Cook is the CEO of Apple.")
    b = sigma.extract("Tim Cook is the CEO of Apple.")
    assert a == b and a is not b
    assert a != sigma.extract("Tim Cook is the CEO of Apple!")
    e = a.entities[0]
    assert isinstance(e, Entity) and isinstance(a.relations[0], Relation)
    assert e == b.entities[0] and hash(e) == hash(b.entities[0])
    assert len({*a.entities, *b.entities}) == 2
    assert len(set(a.relations) | set(b.relations)) == 2
    with pytest.raises(AttributeError):
        e.text = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        hash(a)
    assert repr(e) == 'Entity("Tim Cook", PERSON, 0..8)'
    assert repr(a.relations[1]) == 'Relation("Tim Cook" CEO_OF "Apple", 0..28)'
    assert repr(a) == "Extraction(2 entities, 2 relations)"


def test_names_of_types_and_predicates() -> None:
    assert sigma.ENTITY_TYPES[:3] == ("PERSON", "ORGANIZATION", "LOCATION")
    assert len(sigma.ENTITY_TYPES) == 10
    assert "CEO_OF" in sigma.PREDICATES and len(sigma.PREDICATES) == 9


def test_long_texts_extract_in_threads() -> None:
    text = "Tim Cook is the CEO of Apple. Marie Curie was born in Warsaw. " * 800
    expected = sigma.extract(text)
    results: List[Any] = [None] * 4

    def work(i: int) -> None:
        results[i] = (sigma.extract(text), sigma.tree_to_text(sigma.text_to_tree(text)))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for found, back in results:
        assert found == expected and back == text
    assert len(expected.entities) == 3200 and len(expected.relations) == 2400


# ---------------------------------------------------------------------------------------------
# Knowledge graph


def sample_graph() -> KnowledgeGraph:
    # crates/sigma-text/tests/graph.rs: sample
    graph = KnowledgeGraph()
    assert graph.add_text(
        "Microsoft Corp. bought GitHub in 2018. Satya Nadella, chief executive of Microsoft, spoke in Redmond.",
        "a.txt",
    ) == 0
    assert graph.add_text(
        "Satya Nadella was born in Hyderabad. Nadella said Microsoft would grow. "
        "Microsoft is based in Redmond, Washington.",
        name="b.txt",
    ) == 1
    return graph


def test_entities_merge_by_type_and_key_across_documents() -> None:
    graph = sample_graph()
    assert graph.documents == ["a.txt", "b.txt"]
    (microsoft,) = graph.find("Microsoft")
    assert graph.find("microsoft corp.") == [microsoft]
    assert (microsoft.type, microsoft.name, microsoft.mentions) == ("ORGANIZATION", "Microsoft Corp.", 4)
    assert "Microsoft" in microsoft.aliases
    (nadella,) = graph.find("Satya Nadella")
    assert nadella.mentions == 3
    assert graph.find("Nadella") == []
    assert [e.name for e in graph.entities("PERSON")] == ["Satya Nadella"]
    assert graph.entity(microsoft.id) == microsoft
    assert graph.entity(10_000) is None
    assert graph.entity_count == len(graph.entities())
    with pytest.raises(ValueError):
        graph.entities("ANIMAL")


def test_relations_carry_their_evidence() -> None:
    graph = sample_graph()
    (nadella,) = graph.find("Satya Nadella")
    around = graph.neighbours(nadella)
    kinds = [(r.predicate, r.object.name) for r in around if r.subject == nadella]
    assert ("CEO_OF", "Microsoft Corp.") in kinds
    assert ("BORN_IN", "Hyderabad") in kinds
    born = next(r for r in around if r.predicate == "BORN_IN")
    assert born.count == 1
    (evidence,) = born.evidence
    assert (evidence.document, evidence.document_index) == ("b.txt", 1)
    text_b = "Satya Nadella was born in Hyderabad."
    assert (evidence.start, evidence.end) == (0, len("Satya Nadella was born in Hyderabad"))
    assert text_b.startswith(text_b[evidence.start : evidence.end])
    assert graph.neighbours(nadella.id) == around
    (hyderabad,) = graph.find("Hyderabad")
    (github,) = graph.find("GitHub")
    path = graph.path(hyderabad, github)
    assert path is not None and len(path) == 4
    assert path[0] == hyderabad and path[-1] == github
    assert path[2].name == "Microsoft Corp."
    assert len(graph.relations()) == graph.relation_count
    with pytest.raises(TextError):
        graph.neighbours(10_000)


def test_the_json_form_is_the_crates() -> None:
    # crates/sigma-text/tests/graph.rs: the_json_form
    graph = KnowledgeGraph()
    graph.add_text("Tim Cook has been chief executive of Apple since August 2011.", "doc")
    assert graph.to_json() == (
        '{"documents":["doc"],"entities":[{"id":0,"name":"Tim Cook","type":"PERSON","aliases":[],"mentions":1},'
        '{"id":1,"name":"Apple","type":"ORGANIZATION","aliases":[],"mentions":1}],"relations":[{"subject":0,'
        '"predicate":"WORKS_FOR","object":1,"count":1,"evidence":[{"document":"doc","start":0,"end":42}]},'
        '{"subject":0,"predicate":"CEO_OF","object":1,"count":1,"evidence":[{"document":"doc","start":0,"end":42}]}]}'
    )


def test_documents_are_named_by_index_unless_named() -> None:
    graph = KnowledgeGraph()
    assert graph.add_text("Ottawa is the capital of Canada.") == 0
    assert graph.add_extraction(sigma.extract("Canberra is the capital of Australia.")) == 1
    assert graph.add_extraction(sigma.extract("Paris is the capital of France."), "france.txt") == 2
    assert graph.documents == ["0", "1", "france.txt"]
    assert repr(graph) == "KnowledgeGraph(3 documents, 6 entities, 3 relations)"


def test_the_graph_saves_as_sigma_bytes(tmp_path: Path) -> None:
    graph = sample_graph()
    data = graph.to_bytes()
    assert sigma.detect(data) == "v2"
    back = KnowledgeGraph.from_bytes(data)
    assert back.to_json() == graph.to_json()
    assert back.to_bytes() == data
    assert KnowledgeGraph.from_tree(graph.to_tree()).to_json() == graph.to_json()
    assert graph.to_tree().root.value == "sigma-kg 1"
    assert pickle.loads(pickle.dumps(graph)).to_json() == graph.to_json()
    graph.save(tmp_path / "graph.kg")
    assert (tmp_path / "graph.kg").read_bytes() == data
    assert KnowledgeGraph.load(tmp_path / "graph.kg").to_json() == graph.to_json()
    assert KnowledgeGraph.load(str(tmp_path / "graph.kg"), sigma.Limits()).to_json() == graph.to_json()
    with pytest.raises(FileNotFoundError):
        KnowledgeGraph.load(tmp_path / "missing.kg")
    with pytest.raises(DecodeError):
        KnowledgeGraph.from_bytes(data[:-3])
    with pytest.raises(TextError, match="node 0"):
        KnowledgeGraph.from_tree(sigma.text_to_tree("Hello."))
    with pytest.raises(TextError):
        KnowledgeGraph.from_bytes(sigma.encode(sigma.text_to_tree("Hello.")))
    with pytest.raises(sigma.LimitExceeded):
        KnowledgeGraph.from_bytes(data, sigma.Limits(max_nodes=3))


def test_relational_analogy_one_step() -> None:
    # The crate's analogy doc example.
    graph = KnowledgeGraph()
    graph.add_text("Ottawa is the capital of Canada. Canberra is the capital of Australia.", "a.txt")
    found = graph.analogy("Ottawa", "Canada", "Canberra")
    assert found.answer.name == "Australia"
    assert found.path == "CAPITAL_OF" and found.score == 1.0
    assert [e.name for e in found.example] == ["Ottawa", "Canada"]
    assert [e.name for e in found.answer.route] == ["Canberra", "Australia"]
    assert found.runners_up == [] and found.candidates == [found.answer]
    assert found.explanation[0].startswith("Australia (score 1.00")
    assert "A to B: Ottawa CAPITAL_OF Canada (a.txt, bytes 0..31)" in found.explanation
    assert json.loads(found.to_json())["answer"] == "Australia"
    with pytest.raises(TextError) as info:
        graph.analogy("Ottawa", "Canada", "Atlantis")
    assert info.value.reason == "unknown_name"
    assert info.value.term == "C"
    assert "Atlantis" in str(info.value)


def test_relational_analogy_scores_and_refusals() -> None:
    # crates/sigma-text/tests/analogy.rs: answers_carry_their_path_score_and_runners_up
    graph = KnowledgeGraph()
    graph.add_text(
        "Nvidia was founded by Jensen Huang in 1993. Jensen Huang is the chief executive of Nvidia. "
        "Mary Barra is the chief executive of General Motors. Oracle was founded by Larry Ellison. "
        "Ada Smith works for Oracle.",
        "n.txt",
    )
    found = graph.analogy("Nvidia", "Jensen Huang", "General Motors")
    assert found.answer.name == "Mary Barra"
    assert found.paths == ["^CEO_OF", "FOUNDED_BY", "^WORKS_FOR"]
    assert found.score == pytest.approx(2 / 3, abs=1e-12)
    assert found.path == "^CEO_OF" and len(found.example) == 2 and found.runners_up == []

    found = graph.analogy("General Motors", "Mary Barra", "Oracle")
    assert (found.answer.name, found.score, found.path) == ("Ada Smith", 0.5, "^WORKS_FOR")

    with pytest.raises(TextError) as info:
        graph.analogy("General Motors", "Mary Barra", "Larry Ellison")
    assert info.value.reason == "no_answer"
    assert info.value.paths == ["^CEO_OF", "^WORKS_FOR"]


def test_relational_analogy_two_steps() -> None:
    # crates/sigma-text/tests/analogy.rs: two_step_paths_and_errors_that_say_which
    graph = KnowledgeGraph()
    graph.add_text(
        "Microsoft was founded by Bill Gates. Microsoft is headquartered in Redmond. "
        "Amazon was founded by Jeff Bezos. Amazon is headquartered in Seattle. Jeff Bezos was born in Albuquerque.",
        "c.txt",
    )
    found = graph.analogy("Bill Gates", "Redmond", "Jeff Bezos")
    assert found.answer.name == "Seattle"
    assert found.path == "^FOUNDED_BY/LOCATED_IN"
    assert [e.name for e in found.example] == ["Bill Gates", "Microsoft", "Redmond"]
    assert [e.name for e in found.answer.route] == ["Jeff Bezos", "Amazon", "Seattle"]
    with pytest.raises(TextError) as info:
        graph.analogy("Bill Gates", "Albuquerque", "Jeff Bezos")
    assert info.value.reason == "no_path"


# ---------------------------------------------------------------------------------------------
# Word vectors

GEOMETRY = "king 1 1 0\nqueen 1 -1 0\nman 0 1 1\nwoman 0 -1 1\n"


def test_word_vector_analogies() -> None:
    # The crate's vectors doc example.
    vectors = WordVectors.from_bytes(GEOMETRY.encode())
    assert (len(vectors), vectors.dims) == (4, 3)
    assert "king" in vectors and "KING" in vectors and "dog" not in vectors
    assert vectors.vector("man") == pytest.approx([0.0, 2**-0.5, 2**-0.5])
    assert vectors.vector("dog") is None
    for method in ("3cosadd", "3cosmul"):
        found = vectors.analogy("king", "queen", "man", method=method, k=3)
        assert found.answer.word == "woman" and found.method == method
        assert found.candidates[0] == found.answer
    assert json.loads(vectors.analogy("king", "queen", "man").to_json())["answer"] == "woman"
    with pytest.raises(TextError, match="dog"):
        vectors.analogy("king", "queen", "dog")
    with pytest.raises(ValueError):
        vectors.analogy("king", "queen", "man", method="3cosdiv")  # type: ignore[arg-type]
    # A k beyond the vocabulary asks for no more than every word (not k slots of memory).
    assert vectors.analogy("king", "queen", "man", k=10**10).answer.word == "woman"
    assert len(vectors.analogy("king", "queen", "man", k=2**62).candidates) == 1


def test_word_vector_files(tmp_path: Path) -> None:
    rows = [("king", (1.0, 1.0, 0.0)), ("queen", (1.0, -1.0, 0.0)), ("man", (0.0, 1.0, 1.0)), ("woman", (0.0, -1.0, 1.0))]
    binary = b"4 3\n" + b"".join(w.encode() + b" " + struct.pack("<3f", *v) for w, v in rows)
    text = "4 3\n" + GEOMETRY
    cases: List[Tuple[bytes, Any]] = [(binary, None), (binary, "word2vec"), (text.encode(), None), (GEOMETRY.encode(), "glove")]
    for data, format in cases:
        path = tmp_path / "vectors"
        path.write_bytes(data)
        for vectors in (WordVectors.from_bytes(data, format), WordVectors.load(path, format), WordVectors.load(str(path))):
            assert vectors.analogy("king", "queen", "man").answer.word == "woman"


def test_damaged_vector_files_are_text_errors() -> None:
    with pytest.raises(TextError, match="line 1"):
        WordVectors.from_bytes(b"2 3\nking 1 1\n", "word2vec-text")
    nan = b"2 2\nab " + struct.pack("<2f", 1, 0) + b"cd " + struct.pack("<2f", float("nan"), 0)
    with pytest.raises(TextError, match="not finite") as info:
        WordVectors.from_bytes(nan)
    assert info.value.offset == 15
    with pytest.raises(TextError):
        WordVectors.from_bytes(b"")
    with pytest.raises(FileNotFoundError):
        WordVectors.load("/nonexistent/vectors.bin")
    with pytest.raises(ValueError):
        WordVectors.from_bytes(GEOMETRY.encode(), "pickle")  # type: ignore[arg-type]
