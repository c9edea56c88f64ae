"""The exceptions of sigmalang_rs: every error the package raises is a SigmaError."""

from __future__ import annotations

from typing import Any, List, Optional


class SigmaError(Exception):
    """Base of every error this package raises.

    ``offset`` is the byte offset in the input where the problem was found (decoding), or None
    where no byte is to blame (encoding a value, a file that cannot be read). ``limit`` names the
    decode limit that was exceeded (as the ``Limits`` field, for example ``"max_nodes"``), else
    None.
    """

    offset: Optional[int]
    limit: Optional[str]

    def __init__(
        self, message: str, *, offset: Optional[int] = None, limit: Optional[str] = None
    ) -> None:
        super().__init__(message)
        self.offset = offset
        self.limit = limit


class DecodeError(SigmaError, ValueError):
    """Bytes that are not a valid ΣLANG message or stream (cut short, damaged, not canonical)."""


class LimitExceeded(DecodeError):
    """Decoding stopped at a limit (see ``Limits``): ``limit`` names it, ``found`` is the value
    found (or the first past the limit) and ``maximum`` the limit's setting."""

    found: int
    maximum: int

    def __init__(
        self,
        message: str,
        *,
        offset: Optional[int] = None,
        limit: Optional[str] = None,
        found: int = 0,
        maximum: int = 0,
    ) -> None:
        super().__init__(message, offset=offset, limit=limit)
        self.found = found
        self.maximum = maximum


class EncodeError(SigmaError, ValueError):
    """A tree or value that cannot be encoded as asked (too large for format v1, a float that is
    not finite, a dict key that is not a string, too deep, ...)."""


class UnsupportedType(EncodeError, TypeError):
    """A Python object with no JSON meaning (only dict, list, tuple, str, int, float, bool and
    None have one)."""


class TreeError(SigmaError, ValueError):
    """A tree that is not what was asked for: a tree dict of the wrong shape, or a tree that is
    not the image of a JSON value when one is wanted."""


class SessionError(DecodeError):
    """A session stream that cannot go on: a frame out of order, the wrong codebook, a frame
    whose body failed."""


class CodebookError(SigmaError, ValueError):
    """A codebook that cannot be read or trained."""


class TextError(SigmaError, ValueError):
    """Text-layer input that cannot be used (a tree that is not a text tree, a damaged graph or
    vector file), or an analogy refused: then ``reason`` says why (``"unknown_name"``, with
    ``term`` naming which of A, B, C; ``"no_path"``; ``"no_answer"``, with ``paths`` from A to B
    that C lacks)."""

    reason: Optional[str] = None
    term: Optional[str] = None
    paths: Optional[List[Any]] = None


class BankError(SigmaError):
    """A bank that cannot be opened, read or written (its path, its files, an id not in it)."""


__all__ = [
    "BankError",
    "CodebookError",
    "DecodeError",
    "EncodeError",
    "LimitExceeded",
    "SessionError",
    "SigmaError",
    "TextError",
    "TreeError",
    "UnsupportedType",
]
