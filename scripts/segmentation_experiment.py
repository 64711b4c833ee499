"""Does Vietnamese word segmentation help lexical retrieval?  Measured, not assumed.

Compares FTS5 BM25 document ranking on the in-scope questions of an eval file:

  syllables          folded syllables, OR query
  syllables+bigrams  folded syllables plus syllable-bigram phrases (what bot/query.py does)
  words              underthesea word segmentation (folded, "nhân_sự"), OR query
  words+syllables    both token kinds

Usage: pip install underthesea && python scripts/segmentation_experiment.py [--index-dir index] [tests/eval/qa.jsonl]
Reads passages from the built index (run `congress-bot index` first).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from pathlib import Path

from bot.query import STOPWORDS
from bot.textnorm import fold, folded_words


def quote(t: str) -> str:
    return '"' + t.replace('"', '""') + '"'


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("eval_file", nargs="?", default="tests/eval/qa.jsonl")
    ap.add_argument("--index-dir", default="index")
    args = ap.parse_args()
    from underthesea import word_tokenize

    index = Path(args.index_dir)
    version = (index / "CURRENT").read_text().strip()
    src = sqlite3.connect(index / version / "index.sqlite")
    rows = src.execute(
        "SELECT p.id, p.doc_id, d.title || ' ' || p.text FROM passages p JOIN documents d USING (doc_id)"
    ).fetchall()

    def words(text: str) -> list[str]:
        return [fold(w).replace(" ", "_") for w in word_tokenize(text) if any(ch.isalnum() for ch in w)]

    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE syl USING fts5(body, doc UNINDEXED)")
    db.execute("CREATE VIRTUAL TABLE wrd USING fts5(body, doc UNINDEXED, tokenize=\"unicode61 tokenchars '_'\")")
    db.execute("CREATE VIRTUAL TABLE mix USING fts5(body, doc UNINDEXED, tokenize=\"unicode61 tokenchars '_'\")")
    for _, doc, text in rows:
        syl = " ".join(folded_words(text))
        wrd = " ".join(words(text))
        db.execute("INSERT INTO syl VALUES (?, ?)", (syl, doc))
        db.execute("INSERT INTO wrd VALUES (?, ?)", (wrd, doc))
        db.execute("INSERT INTO mix VALUES (?, ?)", (syl + " " + wrd, doc))

    cases = [json.loads(line) for line in Path(args.eval_file).read_text(encoding="utf-8").splitlines() if line.strip()]
    cases = [c for c in cases if c.get("expected_doc")]

    def query_variants(question: str) -> dict[str, tuple[str, str]]:
        toks = folded_words(question)
        syl = [t for t in toks if t not in STOPWORDS]
        big = [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False) if not (a in STOPWORDS and b in STOPWORDS)]
        wrd = [w for w in words(question) if w not in STOPWORDS]
        return {
            "syllables": ("syl", " OR ".join(map(quote, syl))),
            "syllables+bigrams": ("syl", " OR ".join(map(quote, syl + big))),
            "words": ("wrd", " OR ".join(map(quote, wrd))),
            "words+syllables": ("mix", " OR ".join(map(quote, wrd + syl))),
        }

    stats: dict[str, list[float]] = {}
    for c in cases:
        expected = c["expected_doc"] if isinstance(c["expected_doc"], list) else [c["expected_doc"]]
        for name, (table, expr) in query_variants(c["question"]).items():
            ranked: list[str] = []
            if expr:
                for (doc,) in db.execute(
                    f"SELECT doc FROM {table} WHERE {table} MATCH ? ORDER BY bm25({table}) LIMIT 50", (expr,)
                ):
                    if doc not in ranked:
                        ranked.append(doc)
            rank = next((i for i, d in enumerate(ranked) if d in expected), None)
            s = stats.setdefault(name, [0.0, 0.0])
            s[0] += rank == 0
            s[1] += 1 / (rank + 1) if rank is not None and rank < 10 else 0
    print(f"{len(cases)} in-scope questions from {args.eval_file}, lexical (FTS5 BM25) document ranking only")
    print(f"{'variant':20} {'Recall@1':>9} {'MRR@10':>8}")
    for name, (r1, mrr) in stats.items():
        print(f"{name:20} {r1 / len(cases):9.3f} {mrr / len(cases):8.3f}")


if __name__ == "__main__":
    main()
