"""The codec from Python: trees, JSON values, v1/v2/compact bytes, limits and errors."""

from __future__ import annotations

import json
import pickle
from typing import Any, Dict, List, Literal, Tuple

import pytest

import sigmalang_rs as sigma

MEDIUM = {
    "p": 16,
    "v": "calculate",
    "c": [{"p": 23, "v": "x", "c": [{"p": 17, "v": "result", "c": []}]}, {"p": 23, "v": "y", "c": []}],
}


def test_v1_output_is_the_reference_bytes(v1_cases: List[Dict[str, Any]]) -> None:
    assert len(v1_cases) == 10
    for case in v1_cases:
        tree = sigma.Tree.from_dict(case["tree"])
        assert sigma.encode(tree, format="v1").hex() == case["hex"], case["name"]
        decoded = sigma.decode(bytes.fromhex(case["hex"]))
        assert decoded == tree, case["name"]
        assert decoded.to_dict() == normalised(case["tree"]), case["name"]


def normalised(node: Dict[str, Any]) -> Dict[str, Any]:
    """A tree dict with every member spelled out, as `Tree.to_dict` writes it."""
    return {"p": node["p"], "v": node.get("v"), "c": [normalised(c) for c in node.get("c", [])]}


def test_medium_tree_bytes_and_shape() -> None:
    tree = sigma.Tree.from_dict(MEDIUM)
    assert tree.node_count == len(tree) == 4
    assert tree.depth == 3
    assert str(tree) == 'FUNCTION "calculate" [PARAMETER "x" [VARIABLE "result"], PARAMETER "y"]'
    assert tree.root.name == "FUNCTION" and tree.root.value == "calculate"
    assert [c.value for c in tree.root.children] == ["x", "y"]
    assert [n.primitive for n in tree.nodes()] == [16, 23, 17, 23]
    v2 = sigma.encode(tree)
    assert v2[0] & 0xF0 == 0xA0 and sigma.detect(v2) == "v2"
    assert sigma.decode(v2) == tree
    assert sigma.decode(bytearray(v2)) == tree
    assert sigma.decode(sigma.encode(tree, compact=True)) == tree
    assert sigma.detect(sigma.encode(tree, format="v1")) == "v1"
    assert pickle.loads(pickle.dumps(tree)) == tree
    assert sigma.Tree.from_tree_json(tree.to_tree_json()) == tree


def test_primitive_names_both_ways() -> None:
    assert sigma.primitive_name(16) == "FUNCTION"
    assert sigma.primitive_id("function") == 16
    tree = sigma.Tree.from_dict({"p": "FUNCTION", "c": [{"p": "parameter", "v": "x"}]})
    assert tree.to_dict() == {"p": 16, "v": None, "c": [{"p": 23, "v": "x", "c": []}]}
    with pytest.raises(KeyError):
        sigma.primitive_id("NO_SUCH_PRIMITIVE")


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        -1,
        2**63,
        -(2**80),
        1.5,
        -0.0,
        1e16,
        5e-324,
        "",
        "héllo ✓ 𝄞",
        [],
        {},
        [1, [2, [3, []]]],
        {"a": {"b": {"c": None}}, "": [True, 1.25]},
        {"dup": 1, "order": 2, "kept": 3},
    ],
)
def test_json_values_round_trip(value: Any) -> None:
    formats: List[Tuple[Literal["v1", "v2"], bool]] = [("v2", False), ("v2", True), ("v1", False)]
    for fmt, compact in formats:
        data = sigma.dumps(value, format=fmt, compact=compact)
        back = sigma.loads(data)
        assert back == value and type(back) is type(value)
        assert json.dumps(back) == json.dumps(value)


def test_json_values_match_the_json_text_mapping() -> None:
    value = {"n": [1, -2.5, 1e22, 1e-7, 100.0, 12345678901234567890], "s": "x\u00e9", "t": (1, 2)}
    tree = sigma.Tree.from_value(value)
    assert tree == sigma.Tree.from_json(json.dumps(value))
    assert tree.to_json() == json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    assert tree.to_json_value() == json.loads(json.dumps(value))


def test_corpus_documents_round_trip(document: Any) -> None:
    for compact in (False, True):
        assert sigma.loads(sigma.dumps(document, compact=compact)) == document
    tree = sigma.Tree.from_value(document)
    assert tree == sigma.Tree.from_json(json.dumps(document))
    assert sigma.dumps(document) == tree.encode()


@pytest.mark.parametrize(
    "value, palette",
    [
        (1, None),  # too few nodes for a palette: escaped ids
        ([1], None),
        ([1, 2], None),  # 3 nodes: a palette of 2 would cost what it saves
        ([1, 2, 3, 4], [0x70, 0x79]),
        ({"a": [True, None], "b": [True, None]}, [0x70, 0x71, 0x7A, 0x7B, 0x7F]),
        ({"k": "v", "n": [1.5, False, None, []]}, [0x70, 0x71, 0x78, 0x79, 0x7A, 0x7B, 0x7F]),
    ],
)
def test_the_palette_is_exactly_the_primitives_used(value: Any, palette: Any) -> None:
    data = sigma.dumps(value)
    if palette is None:
        assert data[0] == 0xA0
    else:
        assert data[0] == 0xA1 and list(data[2 : 2 + data[1]]) == palette
    assert data == sigma.Tree.from_value(value).encode()


def test_deep_nesting_needs_no_recursion() -> None:
    value: Any = "leaf"
    for _ in range(200_000):
        value = [value]
    data = sigma.dumps(value)
    assert sigma.decode(data).depth == 200_001
    back = sigma.loads(data)
    for _ in range(200_000):
        back = back[0]
    assert back == "leaf"


def test_unsupported_values_raise() -> None:
    with pytest.raises(sigma.UnsupportedType) as info:
        sigma.dumps({"when": object()})
    assert isinstance(info.value, TypeError) and isinstance(info.value, sigma.SigmaError)
    with pytest.raises(sigma.UnsupportedType):
        sigma.dumps({1: "int key"})
    for bad in (float("nan"), float("inf"), -float("inf")):
        with pytest.raises(sigma.EncodeError):
            sigma.dumps([bad])
    with pytest.raises(sigma.EncodeError):
        sigma.dumps("\ud800")  # a lone surrogate has no UTF-8
    cycle: List[Any] = []
    cycle.append(cycle)
    with pytest.raises(sigma.EncodeError, match="circular"):
        sigma.dumps(cycle)
    loop: Dict[str, Any] = {}
    loop["self"] = [loop]
    with pytest.raises(sigma.EncodeError, match="circular"):
        sigma.dumps(loop)
    with pytest.raises(ValueError):
        sigma.dumps(1, format="v3")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        sigma.dumps(1, format="v1", compact=True)


def test_v1_refusals_are_encode_errors() -> None:
    long_value = sigma.Tree.from_value("x" * 40_000)
    with pytest.raises(sigma.EncodeError, match="v1"):
        long_value.encode(format="v1")
    assert sigma.decode(long_value.encode()) == long_value


def test_decode_errors_carry_the_offset() -> None:
    data = sigma.dumps({"a": [1, 2, 3]})
    with pytest.raises(sigma.DecodeError) as info:
        sigma.decode(data[:-1])
    assert info.value.offset is not None and 0 <= info.value.offset <= len(data)
    assert info.value.limit is None
    damaged = bytearray(data)
    damaged[5] ^= 0x40
    with pytest.raises(sigma.DecodeError) as info:
        sigma.decode(bytes(damaged))
    assert isinstance(info.value.offset, int)
    with pytest.raises(sigma.DecodeError) as info:
        sigma.decode(b"")
    assert info.value.offset == 0
    with pytest.raises(sigma.DecodeError) as info:
        sigma.decode(b"\x00\x01")
    assert info.value.offset == 0 and "unknown format" in str(info.value)


def test_limits_are_named() -> None:
    data = sigma.dumps(list(range(100)))
    with pytest.raises(sigma.LimitExceeded) as info:
        sigma.decode(data, limits=sigma.Limits(max_nodes=50))
    error = info.value
    assert error.limit == "max_nodes" and error.maximum == 50 and error.found == 51
    assert isinstance(error, sigma.DecodeError) and error.offset is not None
    with pytest.raises(sigma.LimitExceeded) as info:
        sigma.loads(sigma.dumps([[[[1]]]]), limits=sigma.Limits(max_depth=3))
    assert info.value.limit == "max_depth"
    with pytest.raises(sigma.LimitExceeded) as info:
        sigma.decode(data, limits=sigma.Limits(max_bytes=10))
    assert info.value.limit == "max_bytes" and info.value.found == len(data)
    assert sigma.Limits() == sigma.Limits(max_nodes=16_777_216)
    assert sigma.Limits(max_depth=7).max_depth == 7
    assert sigma.decode(data, limits=sigma.Limits.unlimited()).node_count == 101


def test_trees_that_are_not_json_values() -> None:
    tree = sigma.Tree.from_dict(MEDIUM)
    with pytest.raises(sigma.TreeError, match="node 0"):
        tree.to_json_value()
    with pytest.raises(sigma.TreeError):
        sigma.loads(tree.encode())
    with pytest.raises(sigma.TreeError):
        tree.to_json()


def test_bad_tree_dicts() -> None:
    cases: List[Tuple[Dict[str, Any], str]] = [
        ({"v": "x"}, "needs \"p\""),
        ({"p": 300}, "primitive"),
        ({"p": "NOPE"}, "unknown primitive"),
        ({"p": 1, "x": 2}, "unknown node key"),
        ({"p": 1, "v": 5}, "str or None"),
        ({"p": 1, "c": [{"p": 1, "c": ["leaf"]}]}, "root.c\\[0\\].c\\[0\\]"),
    ]
    for bad, message in cases:
        with pytest.raises(sigma.TreeError, match=message):
            sigma.Tree.from_dict(bad)
    with pytest.raises(sigma.DecodeError) as info:
        sigma.Tree.from_json('{"a": [1, 2,, 3]}')
    assert info.value.offset == 12


def test_threads_decode_in_parallel() -> None:
    from concurrent.futures import ThreadPoolExecutor

    big = {"rows": [{"id": i, "name": f"row {i}", "tags": ["a", "b"]} for i in range(20_000)]}
    data = sigma.dumps(big)
    with ThreadPoolExecutor(4) as pool:
        trees = list(pool.map(sigma.decode, [data] * 8))
    assert all(t == trees[0] for t in trees)
    assert trees[0].to_json_value() == big


def test_hostile_tree_dicts() -> None:
    d: Dict[str, Any] = {"p": 1, "c": []}
    d["c"].append(d)
    with pytest.raises(sigma.TreeError, match="inside itself"):
        sigma.Tree.from_dict(d)

    class Index:
        """An id whose `__index__` changes the node being read."""

        def __index__(self) -> int:
            node["zz"] = 1
            return 5

    node: Dict[str, Any] = {"p": Index()}
    with pytest.raises(sigma.TreeError, match="primitive id"):
        sigma.Tree.from_dict(node)
    with pytest.raises(sigma.TreeError, match="primitive id"):
        sigma.Tree.from_dict({"p": True})


def test_ints_python_will_not_write_or_read() -> None:
    with pytest.raises(sigma.EncodeError, match="decimal text"):
        sigma.dumps(10**5000)
    huge = sigma.Tree.from_json("1" * 5000)
    with pytest.raises(sigma.TreeError, match="5000 digits"):
        huge.to_json_value()
    with pytest.raises(sigma.TreeError):
        sigma.loads(huge.encode())
    assert huge.to_json() == "1" * 5000


def test_containers_changed_by_a_collection_during_dumps() -> None:
    """Only a garbage collection inside `dumps` (the text of an int past 64 bits allocates) can
    run Python code during the walk; whatever that code does to the value, `dumps` gives valid
    bytes or an EncodeError, never a panic."""
    import gc

    threshold = gc.get_threshold()
    target = {f"k{i}": 2**70 + i for i in range(50)}
    items = [2**70] * 10 + [[1]]

    class GrowsTheDict:
        def __del__(self) -> None:
            target[f"new{id(self)}"] = 1

    class CutsTheList:
        def __del__(self) -> None:
            del items[5:]

    def arm(kind: Any) -> None:
        bomb = kind()
        bomb.cycle = bomb  # freed only by the collector

    try:
        gc.set_threshold(1)
        for value, kind in ((target, GrowsTheDict), (items, CutsTheList)):
            arm(kind)
            try:
                data = sigma.dumps(value)
            except sigma.EncodeError as error:
                assert "changed" in str(error)
            else:
                assert isinstance(sigma.loads(data), (dict, list))
    finally:
        gc.set_threshold(*threshold)
        gc.collect()
