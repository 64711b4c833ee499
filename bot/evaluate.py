"""`congress-bot eval`: retrieval and answer quality on a JSONL question set.

Each line: {"id", "question", "expected_doc": id | [ids] | null,
"key_phrase": str | [str | [str]] | null, "category"}, optionally "all_phrases": [str]
for list questions (one short phrase per item, every one of which the answer
must carry).  The answer must carry every key phrase; a key phrase given as a
list is one fact in any of its wordings (["năm năm một lần", "5 năm một lần"]).
expected_doc null means the documents do not answer it and the bot must refuse
(found=false).
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
    key_phrases: list[tuple[str, ...]]  # every one must be in the answer, in any of its wordings
    category: str
    all_phrases: list[str] = field(default_factory=list)  # list questions: every item must be in the answer

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
                key_phrases=[
                    (p,) if isinstance(p, str) else tuple(p)
                    for p in ([phrases] if isinstance(phrases, str) else phrases or [])
                ],
                category=row.get("category", ""),
                all_phrases=list(row.get("all_phrases") or []),
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
            ("doc cited", f"{m['doc_cited']:.3f}"),
            ("answer carries fact", f"{m['answer_carries_fact']:.3f}"),
            ("median answer chars", f"{m['median_answer_chars']:.0f}"),
        ]
        if m.get("list_questions"):
            rows.append(("list complete", f"{m['list_complete']:.3f} ({m['list_questions']} list questions)"))
        width = max(len(k) for k, _ in rows)
        return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def evaluate(engine: Engine, cases: list[Case]) -> EvalResult:
    """Retrieval metrics use the ranked documents of the hybrid search (each
    document counted at its best passage); answer-hit and refusal use the
    composed answer.

    Answer metrics beyond the original set:
    - doc_cited: of the in-scope questions answered (found), the share whose
      citations include an expected document (what the user sees as sources,
      unlike Recall@k, which looks at the search ranking);
    - answer_carries_fact: answer_hit under a plainer name (found, and every
      key phrase is in the answer text);
    - list_complete: of the in-scope questions with all_phrases, the share whose
      answer (found) carries every one of them (null when the set has none);
    - median_answer_chars: median length of the answer text of in-scope found
      answers (to watch answers growing into whole pages).
    """
    r1 = r5 = mrr = hits = refusals_ok = false_refusals = 0
    cited = answered = lists = lists_complete = 0
    answer_chars: list[int] = []
    latencies: list[float] = []
    failures: list[str] = []
    in_scope = [c for c in cases if c.in_scope]
    out_scope = [c for c in cases if not c.in_scope]
    for c in cases:
        ranked: list[str] = []
        cited_docs: set[str] = set()
        try:
            answer = engine.ask(c.question)
            found, text, ranked = answer.found, answer.answer, answer.ranked_docs
            cited_docs = {cit.doc_id for cit in answer.citations}
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
        hit = found and all(any(phrase_in(p, text) for p in alts) for alts in c.key_phrases)
        hits += hit
        false_refusals += not found
        if found:
            answered += 1
            cited += bool(cited_docs & set(c.expected_docs))
            answer_chars.append(len(text))
        if c.all_phrases:
            lists += 1
            missing_items = [p for p in c.all_phrases if not phrase_in(p, text)] if found else list(c.all_phrases)
            lists_complete += found and not missing_items
            if found and missing_items:
                failures.append(f"{c.id} [{c.category}] list incomplete, missing {missing_items}: {c.question!r}")
        if not hit:
            missing = [" | ".join(alts) for alts in c.key_phrases if not any(phrase_in(p, text) for p in alts)]
            why = "refused" if not found else f"missing {missing}"
            failures.append(f"{c.id} [{c.category}] {why}: {c.question!r} (doc rank {rank}) -> {text[:160]!r}")
    n_in, n_out = max(len(in_scope), 1), max(len(out_scope), 1)
    latencies.sort()
    answer_chars.sort()
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
        "doc_cited": cited / max(answered, 1),
        "answer_carries_fact": hits / n_in,
        "median_answer_chars": float(answer_chars[len(answer_chars) // 2]) if answer_chars else 0.0,
        "list_questions": lists,
        "list_complete": lists_complete / lists if lists else None,
    }
    return EvalResult(metrics, failures)
