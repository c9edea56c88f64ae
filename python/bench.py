"""Times sigmalang_rs beside json, orjson and pickle, from and to Python objects.

    python python/bench.py [--quick]

For each corpus document (fixtures/corpus) the object is the document as `json.loads` gives it;
for each of the reference's seed trees (fixtures/trees) it is the tree dict
(`{"p": 16, "v": "calculate", "c": [...]}`), which sigmalang_rs encodes as the tree itself
(`Tree.from_dict(d).encode()`, `decode(b).to_dict()`) and the others as a JSON value. Each cell
is the median of repeated runs in microseconds (the minimum is printed with it); sizes are
bytes. The reference's own figures (the Python implementation, measured on machines like this
one) are printed for the seed trees. Ratios are taken within one run: compare them, not the
absolute times, across machines.
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import orjson

import sigmalang_rs as sigma

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ["twitter.json", "citm_catalog.json", "canada.json"]
SEEDS = ["simple", "medium", "deep", "wide"]

# The reference implementation on these trees (µs, min/median), from its own benchmark run on
# machines like this one: encode, then decode.
REFERENCE_US: Dict[str, Tuple[Tuple[float, float], Tuple[float, float]]] = {
    "simple": ((288, 782), (25, 60)),
    "medium": ((380, 749), (62, 105)),
    "deep": ((520, 1161), (172, 302)),
    "wide": ((655, 1053), (245, 325)),
}


def timed(fn: Callable[[], Any], budget: float) -> Tuple[float, float]:
    """(min, median) microseconds per call of `fn`, calling it for about `budget` seconds."""
    start = time.perf_counter()
    fn()
    once = time.perf_counter() - start
    inner = max(1, int(0.01 / max(once, 1e-9)))
    samples: List[float] = []
    deadline = time.perf_counter() + budget
    while time.perf_counter() < deadline or len(samples) < 5:
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - t0) / inner * 1e6)
    return min(samples), statistics.median(samples)


Codec = Tuple[str, Callable[[Any], bytes], Callable[[bytes], Any]]


def codecs(tree_form: bool) -> List[Codec]:
    if tree_form:
        sigma_pair: List[Codec] = [
            ("sigmalang_rs v2", lambda o: sigma.Tree.from_dict(o).encode(), lambda b: sigma.decode(b).to_dict()),
            (
                "sigmalang_rs v2 compact",
                lambda o: sigma.Tree.from_dict(o).encode(compact=True),
                lambda b: sigma.decode(b).to_dict(),
            ),
            ("sigmalang_rs v1", lambda o: sigma.Tree.from_dict(o).encode(format="v1"), lambda b: sigma.decode(b).to_dict()),
        ]
    else:
        sigma_pair = [
            ("sigmalang_rs v2", sigma.dumps, sigma.loads),
            ("sigmalang_rs v2 compact", lambda o: sigma.dumps(o, compact=True), sigma.loads),
        ]
    return sigma_pair + [
        ("json", lambda o: json.dumps(o, ensure_ascii=False, separators=(",", ":")).encode(), json.loads),
        ("orjson", orjson.dumps, orjson.loads),
        ("pickle", lambda o: pickle.dumps(o, protocol=pickle.HIGHEST_PROTOCOL), pickle.loads),
    ]


def measure(name: str, obj: Any, tree_form: bool, budget: float) -> List[Dict[str, Any]]:
    rows = []
    for codec, dump, load in codecs(tree_form):
        data = dump(obj)
        assert load(data) == obj, f"{codec} does not round-trip {name}"
        enc = timed(lambda: dump(obj), budget)
        dec = timed(lambda: load(data), budget)
        rows.append({"workload": name, "codec": codec, "bytes": len(data), "encode": enc, "decode": dec})
    return rows


def table(rows: List[Dict[str, Any]], reference: Optional[Tuple[Tuple[float, float], Tuple[float, float]]]) -> str:
    by = {r["codec"]: r for r in rows}
    json_row, orjson_row = by["json"], by["orjson"]
    lines = [
        f"**{rows[0]['workload']}**",
        "",
        "| codec | bytes | encode µs (min/median) | decode µs (min/median) | enc / json | dec / json | enc / orjson | dec / orjson |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        e, d = r["encode"], r["decode"]
        lines.append(
            f"| {r['codec']} | {r['bytes']:,} | {e[0]:,.2f} / {e[1]:,.2f} | {d[0]:,.2f} / {d[1]:,.2f} "
            f"| {e[1] / json_row['encode'][1]:.3f} | {d[1] / json_row['decode'][1]:.3f} "
            f"| {e[1] / orjson_row['encode'][1]:.3f} | {d[1] / orjson_row['decode'][1]:.3f} |"
        )
    if reference:
        (emin, emed), (dmin, dmed) = reference
        lines.append(f"| reference (Python) | | {emin:,.0f} / {emed:,.0f} | {dmin:,.0f} / {dmed:,.0f} | | | | |")
    return "\n".join(lines)


def goals(rows: List[Dict[str, Any]]) -> str:
    by = {r["codec"]: r for r in rows}
    s, j, o, p = by["sigmalang_rs v2"], by["json"], by["orjson"], by["pickle"]
    smallest = min(r["bytes"] for r in rows if r["codec"].startswith("sigmalang_rs"))
    checks = [
        ("encode faster than json", s["encode"][1] < j["encode"][1]),
        ("decode faster than json", s["decode"][1] < j["decode"][1]),
        ("encode within 2x orjson", s["encode"][1] <= 2 * o["encode"][1]),
        ("decode within 2x orjson", s["decode"][1] <= 2 * o["decode"][1]),
        ("smaller than json, orjson, pickle", smallest < min(j["bytes"], o["bytes"], p["bytes"])),
    ]
    return "goals: " + ", ".join(f"{name} {'✓' if ok else '✗'}" for name, ok in checks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="0.2 s per cell instead of 1 s")
    args = parser.parse_args()
    budget = 0.2 if args.quick else 1.0
    print(f"sigmalang_rs beside json, orjson {orjson.__version__} and pickle; µs per call, {budget} s per cell\n")
    for doc in DOCUMENTS:
        obj = json.loads((ROOT / "fixtures" / "corpus" / doc).read_text())
        rows = measure(doc, obj, tree_form=False, budget=budget)
        print(table(rows, None))
        print()
        print(goals(rows))
        print()
    for seed in SEEDS:
        obj = json.loads((ROOT / "fixtures" / "trees" / f"{seed}.json").read_text())
        rows = measure(f"seed/{seed}", obj, tree_form=True, budget=budget)
        print(table(rows, REFERENCE_US[seed]))
        print()
        print(goals(rows))
        print()


if __name__ == "__main__":
    main()
