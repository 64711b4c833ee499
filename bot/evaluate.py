"""`congress-bot eval`: retrieval and answer quality on a JSONL question set.

Each line: {"id", "question", "expected_doc": id | [ids] | null,
"key_phrase": str | [str] | null, "category"}.  expected_doc null means the
documents do not answer it and the bot must refuse (found=false).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .engine import Engine, QuestionError
from .textnorm import fold


@dataclass
class Case:
    id: str
    question: str
    expected_docs: list[str]
    key_phrases: list[str]
    category: str

    @property
    def in_scope(self) -> bool:
        return bool(self.expected_docs)


def load_cases(path: Path) -> list[Case]:
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"{path}:{n}: not JSON ({exc})") from exc
        docs, phrases = row.get("expected_doc"), row.get("key_phrase")
        cases.append(
            Case(
                id=str(row.get("id", n)),
                question=row["question"],
                expected_docs=[docs] if isinstance(docs, str) else list(docs or []),
                key_phrases=[phrases] if isinstance(phrases, str) else list(phrases or []),
                category=row.get("category", ""),
            )
        )
    return cases


def phrase_in(phrase: str, text: str) -> bool:
    """Key phrase match that ignores case, diacritics and spacing around dashes."""

    def squash(s: str) -> str:
        return re.sub(r"\s+", " ", re.sub(r"\s*[-–—]\s*", "-", fold(s))).strip()

    return squash(phrase) in squash(text)


@dataclass
class EvalResult:
    metrics: dict
    failures: list[str] = field(default_factory=list)

    def table(self) -> str:
        m = self.metrics
        rows = [
            ("questions", f"{m['questions']} ({m['in_scope']} in scope, {m['out_of_scope']} out of scope)"),
            ("Recall@1", f"{m['recall@1']:.3f}"),
            ("Recall@5", f"{m['recall@5']:.3f}"),
            ("MRR@10", f"{m['mrr@10']:.3f}"),
            ("answer-hit", f"{m['answer_hit']:.3f}"),
            ("refusal accuracy", f"{m['refusal_accuracy']:.3f}"),
            ("false refusals", f"{m['false_refusals']}"),
            ("median latency", f"{m['median_latency_ms']:.1f} ms"),
        ]
        width = max(len(k) for k, _ in rows)
        return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def evaluate(engine: Engine, cases: list[Case]) -> EvalResult:
    """Retrieval metrics use the ranked documents of the hybrid search (each
    document counted at its best passage); answer-hit and refusal use the
    composed answer."""
    r1 = r5 = mrr = hits = refusals_ok = false_refusals = 0
    latencies: list[float] = []
    failures: list[str] = []
    in_scope = [c for c in cases if c.in_scope]
    out_scope = [c for c in cases if not c.in_scope]
    for c in cases:
        ranked: list[str] = []
        try:
            answer = engine.ask(c.question)
            found, text, ranked = answer.found, answer.answer, answer.ranked_docs
            latencies.append(answer.latency_ms)
        except QuestionError as exc:
            found, text = False, str(exc)
        if not c.in_scope:
            if not found:
                refusals_ok += 1
            else:
                failures.append(
                    f"{c.id} [{c.category}] answered an out-of-scope question: {c.question!r} -> {text[:120]!r}"
                )
            continue
        rank = next((i for i, d in enumerate(ranked) if d in c.expected_docs), None)
        r1 += rank == 0
        r5 += rank is not None and rank < 5
        mrr += 1.0 / (rank + 1) if rank is not None and rank < 10 else 0.0
        hit = found and all(phrase_in(p, text) for p in c.key_phrases)
        hits += hit
        false_refusals += not found
        if not hit:
            why = "refused" if not found else f"missing {[p for p in c.key_phrases if not phrase_in(p, text)]}"
            failures.append(f"{c.id} [{c.category}] {why}: {c.question!r} (doc rank {rank}) -> {text[:160]!r}")
    n_in, n_out = max(len(in_scope), 1), max(len(out_scope), 1)
    latencies.sort()
    metrics = {
        "questions": len(cases),
        "in_scope": len(in_scope),
        "out_of_scope": len(out_scope),
        "recall@1": r1 / n_in,
        "recall@5": r5 / n_in,
        "mrr@10": mrr / n_in,
        "answer_hit": hits / n_in,
        "refusal_accuracy": refusals_ok / n_out,
        "false_refusals": false_refusals,
        "median_latency_ms": latencies[len(latencies) // 2] if latencies else 0.0,
    }
    return EvalResult(metrics, failures)
