"""Shared fixtures: the repository's fixture files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def load(path: str) -> Any:
    return json.loads((FIXTURES / path).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def v1_cases() -> List[Dict[str, Any]]:
    cases: List[Dict[str, Any]] = load("v1_examples.json")["cases"]
    return cases


@pytest.fixture(scope="session", params=["twitter.json", "citm_catalog.json", "canada.json"])
def document(request: pytest.FixtureRequest) -> Any:
    return load(f"corpus/{request.param}")
