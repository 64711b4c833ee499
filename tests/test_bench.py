"""docs/benchmarks.md is what scripts/bench.py renders from docs/benchmarks.json (no hand edits, no stale page)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("jinja2", reason="install the test extra: pip install -e '.[test]'")
pytest.importorskip("psutil", reason="install the test extra: pip install -e '.[test]'")


def load_bench():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmarks_page_is_rendered_from_the_results_file():
    bench = load_bench()
    results = json.loads((ROOT / "docs" / "benchmarks.json").read_text(encoding="utf-8"))
    assert set(results) <= set(bench.PHASES) and results
    page = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert bench.render(results) == page, (
        "docs/benchmarks.md is stale: run python scripts/bench.py --render-only --write-md"
    )


HEADINGS = {
    "index": "\n## Indexing: ",
    "latency": "\n## Question latency\n",
    "contention": "\n## Question latency while the index is rebuilt\n",
    "large": "-passage index\n",
}


def test_a_missing_phase_leaves_its_section_out():
    bench = load_bench()
    results = json.loads((ROOT / "docs" / "benchmarks.json").read_text(encoding="utf-8"))
    full = bench.render(results)
    for phase in results:
        assert HEADINGS[phase] in full
        page = bench.render({k: v for k, v in results.items() if k != phase})
        assert HEADINGS[phase] not in page
        assert page.startswith("# Benchmarks") and "## Caveats" in page
    empty = bench.render({})
    assert "## Targets" in empty and not any(h in empty for h in HEADINGS.values())
