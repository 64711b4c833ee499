"""Compose an extractive answer with citations from retrieved passages.

Every sentence of an answer is copied from a cited passage; nothing is
generated.  Where the passages give different figures for the same thing
(one unit's personnel procedure has 5 steps, another's 6), each is shown with
its source.  Where nothing relevant was found, the answer says so and lists
the nearest topics the documents do cover.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from .chunking import split_sentences
from .query import DOMAIN_COMMON, Query
from .retrieve import Hit
from .textnorm import fold, folded_words

# Relevance gate, measured on tests/eval/qa.jsonl (see README "Quality").
MIN_COVERAGE = 0.5
MIN_COSINE = 0.80
STRONG_COSINE = 0.86
MAX_SENTENCES = 3
MAX_PASSAGES = 4

NOT_FOUND = "Không tìm thấy nội dung này trong các tài liệu hiện có, nên tôi không trả lời để tránh suy đoán."


@dataclass
class Citation:
    n: int
    doc_id: str
    title: str
    source: str | None
    published: str | None
    passage: str
    score: float
    passage_id: int = 0
    doc_type: str = "news"

    def to_dict(self) -> dict:
        keys = ("n", "doc_id", "title", "source", "published", "passage", "score")
        return {k: getattr(self, k) for k in keys}


@dataclass
class Answer:
    question: str
    found: bool
    answer: str
    citations: list[Citation] = field(default_factory=list)
    latency_ms: float = 0.0
    nearest: list[str] = field(default_factory=list)  # titles of the nearest documents, when not found
    reason: str = "ok"

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "found": self.found,
            "answer": self.answer,
            "citations": [c.to_dict() for c in self.citations],
            "latency_ms": round(self.latency_ms, 1),
        }

    def sources_text(self) -> str:
        return "\n".join(source_line(c) for c in self.citations)


def source_line(c: Citation) -> str:
    when = format_date(c.published)
    details = ", ".join(x for x in (c.source, when) if x)
    return f"[{c.n}] {c.title}" + (f" — {details}" if details else "")


def format_date(iso: str | None) -> str | None:
    if not iso:
        return None
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


def scope_label(title: str) -> str:
    """Short name of the unit a document is about: the part of the title before ':'."""
    head = title.split(":")[0].strip()
    return head if len(head) <= 80 else head[:77] + "…"


def not_found(question: str, why: str | None, nearest: list[str], reason: str) -> Answer:
    parts = [NOT_FOUND]
    if why:
        parts.insert(0, why)
    if nearest:
        parts.append("Các tài liệu hiện có nói về:\n" + "\n".join(f"• {t}" for t in nearest))
    return Answer(question, False, "\n".join(parts), [], nearest=nearest, reason=reason)


def is_relevant(q: Query, hit: Hit) -> bool:
    """Does the best passage really answer this question?  Both signals must agree:
    most of the question's distinctive words are in the passage, and the
    embedding model finds it close; a very close passage needs less word overlap
    (paraphrases)."""
    if hit.cosine >= STRONG_COSINE and hit.coverage >= MIN_COVERAGE * 0.6:
        return True
    return hit.coverage >= MIN_COVERAGE and hit.cosine >= MIN_COSINE


_NUM_RE = re.compile(r"\d")
_DATE_RE = re.compile(r"\d{1,2}/\d{1,2}(/\d{2,4})?|\bngày\s+\d|\btháng\s+\d|\bnăm\s+\d{4}")
_NAME_RE = re.compile(r"\b[A-ZĐÀ-Ỹ][\wÀ-ỹ]+\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]+\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]+")


@dataclass
class _Sentence:
    hit_index: int
    start: int  # offset in the passage
    text: str
    score: float


def _score_sentence(q: Query, text: str, weights: dict[str, float], total: float, prior: float) -> float:
    tokens = folded_words(text)
    token_set = set(tokens)
    coverage = sum(w for t, w in weights.items() if t in token_set) / total
    folded = " ".join(tokens)
    bigrams = [b for b in q.bigrams if not set(b.split()) <= DOMAIN_COMMON]
    phrase = sum(1 for b in bigrams if f" {b} " in f" {folded} ") / max(len(bigrams), 1)
    expansions = sum(1 for e in q.expansions if fold(e) in folded) / max(len(q.expansions), 1) if q.expansions else 0
    bonus = 0.0
    if "count" in q.wants and _NUM_RE.search(text):
        bonus += 0.15
    if "date" in q.wants and _DATE_RE.search(text):
        bonus += 0.15
    if "who" in q.wants and _NAME_RE.search(text):
        bonus += 0.1
    length_penalty = 0.1 if len(tokens) < 5 else 0.0
    return coverage + 0.5 * phrase + 0.3 * expansions + bonus + 0.3 * prior - length_penalty


def compose(q: Query, hits: list[Hit], idf: dict[str, float]) -> tuple[str, list[Citation]]:
    """Pick the answering sentences and number the passages they come from."""
    best = hits[0].score
    pool = [h for h in hits[:MAX_PASSAGES] if h.score >= 0.6 * best and h.coverage >= MIN_COVERAGE * 0.5] or hits[:1]
    weights = {t: w for t, w in idf.items() if t not in DOMAIN_COMMON} or idf
    total = sum(weights.values()) or 1.0
    sentences: list[_Sentence] = []
    for i, h in enumerate(pool):
        prior = h.score / best
        for span in split_sentences(h.text):
            text = h.text[span.start : span.end]
            sentences.append(_Sentence(i, span.start, text, _score_sentence(q, text, weights, total, prior)))
    sentences.sort(key=lambda s: -s.score)
    top = sentences[0].score
    chosen: list[_Sentence] = []
    per_doc: dict[str, int] = {}
    for s in sentences:
        if len(chosen) >= MAX_SENTENCES or s.score < 0.7 * top:
            break
        doc = pool[s.hit_index].doc_id
        if per_doc.get(doc, 0) >= 2 or any(fold(s.text) == fold(c.text) for c in chosen):
            continue
        chosen.append(s)
        per_doc[doc] = per_doc.get(doc, 0) + 1
    # Read in document order within each passage, passages in rank order.
    chosen.sort(key=lambda s: (s.hit_index, s.start))

    citations: list[Citation] = []
    number: dict[int, int] = {}
    for s in chosen:
        h = pool[s.hit_index]
        if h.passage_id not in number:
            number[h.passage_id] = len(citations) + 1
            citations.append(
                Citation(number[h.passage_id], h.doc_id, h.title, h.source, h.published, h.text, round(h.score, 4),
                         h.passage_id, h.doc_type)
            )
    docs = {pool[s.hit_index].doc_id for s in chosen}
    lines = [f"{s.text} [{number[pool[s.hit_index].passage_id]}]" for s in chosen]
    if len(docs) > 1 and _disagree(q, [s.text for s in chosen], [pool[s.hit_index].doc_id for s in chosen]):
        lines = ["Các tài liệu nêu khác nhau tùy đơn vị:"] + [
            f"• {scope_label(pool[s.hit_index].title)}: {line}" for s, line in zip(chosen, lines, strict=True)
        ]
    elif len(docs) > 1:
        lines = [f"• {scope_label(pool[s.hit_index].title)}: {line}" for s, line in zip(chosen, lines, strict=True)]
    return "\n".join(lines), citations


def _disagree(q: Query, texts: list[str], docs: list[str]) -> bool:
    """Different numbers for the same counted thing ("5 bước" vs "6 bước") across documents."""
    counted = {}
    for text, doc in zip(texts, docs, strict=True):
        for num, unit in re.findall(r"(\d+)\s+(\w+)", fold(text)):
            if unit in q.terms:
                counted.setdefault(unit, {}).setdefault(num, set()).add(doc)
    return any(len(nums) > 1 for nums in counted.values())


def to_dict(answer: Answer) -> dict:
    return asdict(answer)
