"""The bank: items added as JSON, JSON lines, trees and text come back exactly, are found by
words and by shape, are removed, and persist."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import List, Tuple

import pytest

import sigmalang_rs as sigma
from sigmalang_rs import Bank, BankError, BankItem, DecodeError, Hit, Tree, TreeError

DOCUMENT = '{"user":"ann","text":"Graphs are made of nodes and edges","score":1.50,"big":12345678901234567890}'
TEXT = "Marie Curie was born in Warsaw.\r\nラブライブ 2013 😀 — e\u0301\x00 end\n"


@pytest.fixture
def bank(tmp_path: Path) -> Bank:
    return Bank(tmp_path / "bank")


def test_every_kind_comes_back_exactly_and_persists(tmp_path: Path) -> None:
    path = tmp_path / "bank"
    bank = Bank(path)
    assert len(bank) == 0 and bank.path == path
    tree = Tree.from_dict({"p": "FUNCTION", "v": "calculate", "c": [{"p": "NUMBER", "v": "1"}, {"p": "NUMBER", "v": "2"}]})
    ids = [
        bank.add_json(DOCUMENT),
        bank.add_json({"user": "bob", "text": "Delete the old files", "tags": ["x", None, True, 2.5]}),
        bank.add_text(TEXT),
        bank.add_tree(tree),
    ]
    assert ids == [0, 1, 2, 3]
    assert len(bank) == 4

    def check(bank: Bank) -> None:
        first = bank.get(0)
        assert isinstance(first, BankItem)
        assert (first.id, first.kind) == (0, "json")
        assert first.render() == DOCUMENT
        assert first.tree == Tree.from_json(DOCUMENT)
        assert first.value() == {
            "user": "ann",
            "text": "Graphs are made of nodes and edges",
            "score": 1.5,
            "big": 12345678901234567890,
        }
        second = bank.get(1)
        assert second is not None
        assert second.value() == {"user": "bob", "text": "Delete the old files", "tags": ["x", None, True, 2.5]}
        assert second.render() == '{"user":"bob","text":"Delete the old files","tags":["x",null,true,2.5]}'
        text = bank.get(2)
        assert text is not None and text.kind == "text"
        assert text.render() == TEXT
        assert sigma.tree_to_text(text.tree) == TEXT
        assert text.tree == sigma.text_to_tree(TEXT)
        stored = bank.get(3)
        assert stored is not None and stored.kind == "tree"
        assert stored.tree == tree
        assert stored.render() == tree.to_tree_json()
        assert stored == bank.get(3)

    check(bank)
    del bank
    check(Bank.open(path))
    check(Bank(path))


def test_search_by_words_shape_and_both(bank: Bank) -> None:
    bank.add_json_many(
        [
            '{"user":"ann","text":"Graphs are made of nodes and edges"}',
            {"user": "bob", "text": "Delete the old files"},
            {"id": 7, "tags": ["a", "b"], "nested": {"deep": [1, 2, 3]}},
        ]
    )
    bank.add_text("Marie Curie was born in Warsaw. ラブライブ 2013")

    hits = bank.search("graph of nodes")
    assert [h.id for h in hits] == [0]
    assert isinstance(hits[0], Hit)
    assert hits[0].words == hits[0].score and hits[0].shape is None and hits[0].score > 0

    assert [h.id for h in bank.search("ラブライブ")] == [3]
    assert [h.id for h in bank.search("warsaw")] == [3]
    assert bank.search("zebra") == []

    like = {"id": 9, "tags": ["c"], "nested": {"deep": [4]}}
    hits = bank.search(like=like)
    assert hits[0].id == 2 and hits[0].shape == hits[0].score and 0 < hits[0].score <= 1
    assert hits[0].words is None
    assert bank.search(like=Tree.from_value(like)) == hits
    exact = bank.search(like=bank.get(2).tree, limit=1)  # type: ignore[union-attr]
    assert [(h.id, h.score) for h in exact] == [(2, 1.0)]

    both = bank.search("Delete old files", like=like, limit=2)
    assert len(both) == 2 and {h.id for h in both} == {1, 2}
    assert all(h.shape is not None for h in both)
    assert bank.search("nodes", limit=0) == []
    # The same query gives the same hits in the same order.
    assert bank.search("Delete old files", like=like) == bank.search("Delete old files", like=like)


def test_remove_and_ids_never_repeat(tmp_path: Path) -> None:
    path = tmp_path / "bank"
    bank = Bank(path)
    assert bank.add_texts(["One.", "Two.", "Three."]) == [0, 1, 2]
    assert 1 in bank and 3 not in bank and -1 not in bank and "1" not in bank
    assert bank.remove(1) is True
    assert bank.remove(1) is False
    assert bank.remove(99) is False
    assert bank.get(1) is None and 1 not in bank
    assert len(bank) == 2
    assert bank.search("two") == []
    assert bank.add_text("Four.") == 3
    stats = bank.stats()
    assert (stats.items, stats.next_id) == (3, 4)
    assert stats.bytes_on_disk > 0 and stats.segments >= 1
    del bank
    reopened = Bank.open(path)
    assert reopened.get(1) is None
    assert [reopened.get(i).render() for i in (0, 2, 3)] == ["One.", "Three.", "Four."]  # type: ignore[union-attr]
    assert reopened.add_text("Five.") == 4
    assert reopened.verify() == 4


def test_json_lines(bank: Bank) -> None:
    ids = bank.add_json_lines('{"a":1}\n\n   \n{"b":[2.50,"x"]}\r\n[true]')
    assert ids == [0, 1, 2]
    assert [bank.get(i).render() for i in ids] == ['{"a":1}', '{"b":[2.50,"x"]}', "[true]"]  # type: ignore[union-attr]
    assert bank.add_json_lines("\n\n") == []
    text = '{"a":1}\n{"b":\n{"c":3}\n'
    with pytest.raises(DecodeError) as info:
        bank.add_json_lines(text)
    assert "line 2" in str(info.value)
    assert info.value.offset == len('{"a":1}\n{"b":')
    assert len(bank) == 3, "nothing of a failed add is added"


def test_batches(bank: Bank) -> None:
    trees = [Tree.from_value([i, {"k": str(i)}]) for i in range(5)]
    assert bank.add_trees(trees) == [0, 1, 2, 3, 4]
    assert [bank.get(i).tree for i in range(5)] == trees  # type: ignore[union-attr]
    assert bank.add_json_many(iter([{"a": 1}, "[1, 2]"])) == [5, 6]
    assert bank.get(6).render() == "[1,2]"  # type: ignore[union-attr]
    with pytest.raises(TypeError):
        bank.add_trees([trees[0], "not a tree"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        bank.add_texts(["fine", 3])  # type: ignore[list-item]
    assert len(bank) == 7


def test_input_errors(bank: Bank) -> None:
    with pytest.raises(DecodeError) as info:
        bank.add_json('{"a": ')
    assert info.value.offset == 6
    with pytest.raises(sigma.UnsupportedType):
        bank.add_json({"a": {1, 2}})
    with pytest.raises(sigma.UnsupportedType):
        bank.add_json({1: "key that is no str"})
    with pytest.raises(sigma.EncodeError):
        bank.add_json({"x": float("nan")})
    with pytest.raises(TypeError):
        bank.add_tree({"p": 1})  # type: ignore[arg-type]
    assert len(bank) == 0
    bank.add_text("Just text.")
    item = bank.get(0)
    assert item is not None
    with pytest.raises(TreeError):
        item.value()


def test_bank_errors(tmp_path: Path) -> None:
    with pytest.raises(BankError, match="no bank here") as info:
        Bank.open(tmp_path / "missing")
    assert info.value.offset is None
    Bank.create(tmp_path / "made")
    with pytest.raises(BankError, match="not empty"):
        Bank.create(tmp_path / "made")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("not a bank")
    with pytest.raises(BankError):
        Bank(tmp_path / "other")
    bank = Bank.open(tmp_path / "made", check_files=False)
    with pytest.raises(BankError, match="needs words"):
        bank.search()
    with pytest.raises(BankError, match="no word"):
        bank.search("  ... ")
    assert isinstance(BankError("x"), sigma.SigmaError)


def test_items_are_read_within_the_limits(tmp_path: Path) -> None:
    path = tmp_path / "bank"
    Bank(path).add_json({"list": list(range(100))})
    tight = Bank.open(path, limits=sigma.Limits(max_nodes=10))
    with pytest.raises(BankError, match="item 0"):
        tight.get(0)
    assert Bank.open(path).get(0).value() == {"list": list(range(100))}  # type: ignore[union-attr]


def test_readers_in_threads(bank: Bank) -> None:
    bank.add_texts([f"Document {i} is about topic{i % 3}." for i in range(30)])
    expected = bank.search("topic1", limit=20)
    assert len(expected) == 10
    results: List[Tuple[List[Hit], str]] = []

    def work() -> None:
        for _ in range(5):
            results.append((bank.search("topic1", limit=20), bank.get(4).render()))  # type: ignore[union-attr]

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [(expected, "Document 4 is about topic1.")] * 20


def test_reprs(bank: Bank) -> None:
    bank.add_json({"a": 1})
    assert repr(bank).startswith("Bank(") and str(bank.path) in repr(bank)
    assert repr(bank.get(0)) == 'BankItem(id=0, kind="json", 3 nodes)'
    assert repr(bank.stats()).startswith("BankStats(items=1, next_id=1")
    with pytest.raises(AttributeError):
        bank.get(0).id = 3  # type: ignore[misc, union-attr]


def test_any_text_is_an_item(bank: Bank) -> None:
    texts = ["", "\x00", "😀" * 1000, "a\r\n\r\nb", "Tim Cook is the CEO of Apple. " * 200]
    assert bank.add_texts(texts) == list(range(len(texts)))
    assert [bank.get(i).render() for i in range(len(texts))] == texts  # type: ignore[union-attr]
