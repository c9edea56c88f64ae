"""Session streams and codebooks from Python."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest

import sigmalang_rs as sigma


def messages(n: int) -> List[Dict[str, Any]]:
    return [{"id": i, "user": "ann", "text": f"message {i}", "tags": ["a", "b"]} for i in range(n)]


@pytest.mark.parametrize("coding", ["zstd", "modeled", "plain"])
def test_frames_decode_one_by_one(coding: Any) -> None:
    encoder = sigma.SessionEncoder(coding=coding)
    decoder = sigma.SessionDecoder()
    sent = messages(40)
    frames = [encoder.encode(m) for m in sent]
    assert encoder.messages == 40
    got = []
    for frame in frames:
        trees = decoder.feed(frame)
        assert len(trees) == 1
        got.append(trees[0].to_json_value())
    decoder.close()
    assert got == sent
    # Later messages cost less than the first: the session remembers.
    assert sum(map(len, frames[20:])) / 20 < len(frames[0]) / 2


def test_a_stream_fed_byte_by_byte() -> None:
    stream = sigma.encode_stream(messages(10))
    decoder = sigma.SessionDecoder()
    trees = []
    for i in range(len(stream)):
        trees += decoder.feed(stream[i : i + 1])
    decoder.close()
    assert [t.to_json_value() for t in trees] == messages(10)
    assert decoder.bytes_fed == len(stream)
    assert [t.to_json_value() for t in sigma.decode_stream(stream)] == messages(10)


def test_trees_and_values_mix() -> None:
    tree = sigma.Tree.from_dict({"p": 16, "v": "f", "c": [{"p": 23, "v": "x"}]})
    stream = sigma.encode_stream([tree, {"k": 1}, tree])
    assert sigma.decode_stream(stream) == [tree, sigma.Tree.from_value({"k": 1}), tree]


def test_a_cut_stream_is_an_error_at_close() -> None:
    stream = sigma.encode_stream(messages(3))
    decoder = sigma.SessionDecoder()
    assert len(decoder.feed(stream[:-3])) == 2
    with pytest.raises(sigma.DecodeError) as info:
        decoder.close()
    assert info.value.offset == len(stream) - 3
    with pytest.raises(sigma.DecodeError):
        sigma.decode_stream(stream[:-3])


def test_damaged_and_out_of_order_frames() -> None:
    encoder = sigma.SessionEncoder()
    frames = [encoder.encode(m) for m in messages(3)]
    decoder = sigma.SessionDecoder()
    decoder.feed(frames[0])
    with pytest.raises(sigma.SessionError) as info:
        decoder.feed(frames[2])
    assert info.value.offset == len(frames[0])
    damaged = bytearray(frames[1])
    damaged[len(damaged) // 2] ^= 1
    fresh = sigma.SessionDecoder()
    fresh.feed(frames[0])
    with pytest.raises(sigma.DecodeError) as damage:
        fresh.feed(bytes(damaged))
    assert damage.value.offset is not None and damage.value.offset >= len(frames[0])


def test_a_single_tree_message_is_not_a_stream() -> None:
    with pytest.raises(sigma.SessionError):
        sigma.decode_stream(sigma.dumps([1]))
    with pytest.raises(sigma.DecodeError, match="session"):
        sigma.decode(sigma.encode_stream(messages(1)))


def test_codebook_train_save_load(tmp_path: Path) -> None:
    samples = messages(200)
    codebook = sigma.Codebook.train(samples, max_patterns=16)
    assert 0 < len(codebook) <= 16
    path = tmp_path / "events.codebook"
    codebook.save(path)
    loaded = sigma.Codebook.load(str(path))
    assert loaded.hash == codebook.hash and loaded.to_bytes() == codebook.to_bytes()
    assert sigma.Codebook.from_bytes(codebook.to_bytes()).hash == codebook.hash

    later = [{"id": 1000 + i, "user": "bob", "text": f"message {i}", "tags": ["a", "b"]} for i in range(5)]
    with_book = sigma.SessionEncoder(codebook)
    first = with_book.encode(later[0])
    assert len(first) < len(sigma.SessionEncoder().encode(later[0]))
    stream = first + b"".join(with_book.encode(m) for m in later[1:])
    assert [t.to_json_value() for t in sigma.decode_stream(stream, loaded)] == later
    with pytest.raises(sigma.SessionError, match="codebook"):
        sigma.decode_stream(stream)
    with pytest.raises(sigma.SessionError, match="codebook"):
        sigma.SessionDecoder(sigma.Codebook.train(messages(5))).feed(stream)


def test_bad_codebooks_and_settings(tmp_path: Path) -> None:
    data = bytearray(sigma.Codebook.train(messages(50)).to_bytes())
    data[len(data) // 2] ^= 0xFF
    with pytest.raises(sigma.CodebookError) as info:
        sigma.Codebook.from_bytes(bytes(data))
    assert info.value.offset is not None
    with pytest.raises(FileNotFoundError):
        sigma.Codebook.load(tmp_path / "missing")
    with pytest.raises(sigma.EncodeError, match="window"):
        sigma.SessionEncoder(window=100_000)
    with pytest.raises(ValueError):
        sigma.SessionEncoder(coding="gzip")  # type: ignore[arg-type]
