"""Quality floors: the metrics of `congress-bot eval` on tests/eval/qa.jsonl must not drop.

The recorded floors live in tests/eval/thresholds.json (the main developer fills them in from a
measured run); this test fails as soon as any metric falls below its floor.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.evaluate import evaluate, load_cases

EVAL_DIR = Path(__file__).resolve().parent / "eval"
METRICS = ("recall@1", "recall@5", "mrr@10", "answer_hit", "refusal_accuracy")


def scope_split(path: Path) -> tuple[set[str], set[str]]:
    """Ids of the in-scope and out-of-scope questions, each read from the file by its own criterion:
    in scope = names an expected document; out of scope = category "out_of_scope"."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    in_scope = {r["id"] for r in rows if r.get("expected_doc")}
    out_of_scope = {r["id"] for r in rows if r.get("category") == "out_of_scope"}
    assert in_scope and out_of_scope, "the eval set needs both in-scope and out-of-scope questions"
    assert not in_scope & out_of_scope, f"both in and out of scope: {sorted(in_scope & out_of_scope)}"
    assert in_scope | out_of_scope == {r["id"] for r in rows}, "every question is either in or out of scope"
    return in_scope, out_of_scope


@pytest.fixture(scope="module")
def thresholds() -> dict[str, float]:
    data = json.loads((EVAL_DIR / "thresholds.json").read_text(encoding="utf-8"))
    assert set(data) == set(METRICS), "thresholds.json must hold exactly the tracked metrics"
    for name, value in data.items():
        assert isinstance(value, int | float) and 0.0 <= value <= 1.0, name
    return data


def test_eval_set_is_well_formed():
    cases = load_cases(EVAL_DIR / "qa.jsonl")
    assert len(cases) >= 50
    assert len({c.id for c in cases}) == len(cases)
    in_scope, out_of_scope = scope_split(EVAL_DIR / "qa.jsonl")
    assert {c.id for c in cases if c.in_scope} == in_scope
    assert {c.id for c in cases if not c.in_scope} == out_of_scope
    seeds = {p.stem for p in (Path(__file__).resolve().parent.parent / "knowledge").glob("0*.txt")}
    for c in cases:
        assert c.question.strip(), c.id
        assert set(c.expected_docs) <= seeds, c.id


def test_metrics_stay_at_or_above_recorded_floors(engine, thresholds):
    result = evaluate(engine, load_cases(EVAL_DIR / "qa.jsonl"))
    metrics = result.metrics
    print()
    print(result.table())
    for line in result.failures:
        print(line)
    in_scope, out_of_scope = scope_split(EVAL_DIR / "qa.jsonl")
    assert (metrics["in_scope"], metrics["out_of_scope"]) == (len(in_scope), len(out_of_scope))
    assert metrics["questions"] == len(in_scope) + len(out_of_scope)
    below = {
        name: (round(metrics[name], 4), thresholds[name])
        for name in METRICS
        if not metrics[name] >= thresholds[name] - 1e-9
    }
    assert not below, f"metrics below their recorded floors (value, floor): {below}"
