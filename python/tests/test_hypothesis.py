"""Property tests: round trips of arbitrary values and trees, and no crash on any bytes."""

from __future__ import annotations

import json
import math
from typing import Any, Dict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sigmalang_rs as sigma

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=8), inner, max_size=6),
    max_leaves=40,
)

tree_dicts = st.recursive(
    st.fixed_dictionaries({"p": st.integers(0, 255), "v": st.none() | st.text(max_size=20)}),
    lambda inner: st.fixed_dictionaries(
        {"p": st.integers(0, 255), "v": st.none() | st.text(max_size=20), "c": st.lists(inner, min_size=1, max_size=5)}
    ),
    max_leaves=30,
)


def spelled_out(node: Dict[str, Any]) -> Dict[str, Any]:
    return {"p": node["p"], "v": node["v"], "c": [spelled_out(c) for c in node.get("c", [])]}


@SETTINGS
@given(json_values)
def test_values_round_trip_in_every_format(value: Any) -> None:
    for compact in (False, True):
        assert sigma.loads(sigma.dumps(value, compact=compact)) == value
    # The tree is the one the JSON text maps to (floats written as `repr`, as json.dumps does).
    tree = sigma.Tree.from_value(value)
    assert tree == sigma.Tree.from_json(json.dumps(value))
    # `dumps` writes v2 as it walks the value, without a tree: the very bytes of the tree's.
    assert sigma.dumps(value) == tree.encode() == sigma.encode(value)


@SETTINGS
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_are_written_as_repr(x: float) -> None:
    node = sigma.Tree.from_value(x).to_dict()
    assert node["v"] == repr(x)
    back = sigma.loads(sigma.dumps(x))
    assert back == x and math.copysign(1.0, back) == math.copysign(1.0, x)


@SETTINGS
@given(tree_dicts)
def test_trees_round_trip(node: Dict[str, Any]) -> None:
    tree = sigma.Tree.from_dict(node)
    assert tree.to_dict() == spelled_out(node)
    for compact in (False, True):
        assert sigma.decode(tree.encode(compact=compact)) == tree
    try:
        v1 = tree.encode(format="v1")
    except sigma.EncodeError:
        return  # v1 cannot hold every tree (it says why)
    assert sigma.decode(v1) == tree


@SETTINGS
@given(st.binary(max_size=200))
def test_no_crash_on_random_bytes(data: bytes) -> None:
    decoders = (
        sigma.decode,
        sigma.loads,
        sigma.decode_stream,
        sigma.Codebook.from_bytes,
        sigma.detect,
        sigma.KnowledgeGraph.from_bytes,
        sigma.WordVectors.from_bytes,
    )
    for decoder in decoders:
        try:
            decoder(data)
        except sigma.SigmaError as error:
            assert error.offset is None or 0 <= error.offset <= len(data)
    session = sigma.SessionDecoder()
    try:
        session.feed(data)
        session.close()
    except sigma.SigmaError:
        pass


@SETTINGS
@given(tree_dicts, st.data())
def test_no_crash_on_damaged_messages(node: Dict[str, Any], data: st.DataObject) -> None:
    tree = sigma.Tree.from_dict(node)
    for compact in (False, True):
        encoded = bytearray(tree.encode(compact=compact))
        position = data.draw(st.integers(0, len(encoded) - 1))
        encoded[position] ^= data.draw(st.integers(1, 255))
        cut = data.draw(st.integers(0, len(encoded)))
        for damaged in (bytes(encoded), bytes(encoded[:cut])):
            try:
                decoded = sigma.decode(damaged)
            except sigma.DecodeError as error:
                assert error.offset is not None and 0 <= error.offset <= len(damaged)
            else:
                # Whatever decodes is canonical: it encodes back to the same bytes.
                assert decoded.encode(compact=damaged[0] & 0x02 == 0x02) == damaged


@SETTINGS
@given(st.lists(json_values, min_size=1, max_size=8), st.data())
def test_session_streams_round_trip_in_any_pieces(values: Any, data: st.DataObject) -> None:
    stream = sigma.encode_stream(values)
    decoder = sigma.SessionDecoder()
    trees = []
    at = 0
    while at < len(stream):
        step = data.draw(st.integers(1, max(1, len(stream) - at)))
        trees += decoder.feed(stream[at : at + step])
        at += step
    decoder.close()
    assert [t.to_json_value() for t in trees] == values
