"""Questions about which guidance is in force: what a document replaces, amends or repeals, and
from when it takes effect ("Hướng dẫn 06-HD/TW thay thế hướng dẫn nào?", "Quy định 294 có hiệu
lực từ khi nào?").

The answer is the document's own sentence that states it (recorded as the relation's evidence at
indexing time), quoted from the passage that holds it and cited with its section — never a
sentence made up from the relation.
"""

from __future__ import annotations

import json
import re

from .answer import Answer, Citation, notices_of, quote_block
from .chunking import split_sentences
from .clause import containing_unit
from .query import Query
from .relations import RelationKind, relations_from_json
from .retrieve import Hit, HybridSearcher
from .textnorm import fold

# What the question asks about, and which relations answer it.
_ASKS = [
    (re.compile(r"\bthay (?:the|cho)\b"), {RelationKind.REPLACES}),
    (re.compile(r"\b(?:bai bo|het hieu luc)\b"), {RelationKind.REPEALS}),
    (re.compile(r"\b(?:dieu chinh|sua doi|bo sung)\b"), {RelationKind.AMENDS}),
]
_EFFECTIVE_RE = re.compile(r"\bhieu luc\b")
# A change asked of no named document must be asked of a document ("thay thế những văn bản nào?"): "báo cáo
# nội dung gì thay thế?" asks what stands in for a report, not which document was replaced.
_OF_A_DOCUMENT_RE = re.compile(
    r"\b(?:thay (?:the|cho)|bai bo|dieu chinh|sua doi|bo sung) (?:\w+ ){0,2}"
    r"(?:van ban|huong dan|quy dinh|chi thi|ket luan|nghi quyet|quyet dinh|quy che|ke hoach|thong bao|dieu le)\b"
)
# A question word: the question asks which document or when, rather than mentioning a change.
_QUESTION_RE = re.compile(r"\b(?:nao|gi|khi nao|bao gio|tu ngay|ngay nao|tu khi)\b")
_SELF_EFFECT_RE = re.compile(
    r"\b(?:quy dinh|huong dan|chi thi|ket luan|nghi quyet|quyet dinh|quy che|ke hoach|thong bao|van ban|dieu le) nay\b"
    r".{0,120}\bco hieu luc\b"
)
# "… được ban hành căn cứ vào những văn bản nào?", "dựa trên văn bản nào?": what the document is issued on
# the basis of, which its preamble's "Căn cứ …" lines say.  Asked at the end of the question: "căn cứ vào
# đâu để xử lý …" asks the basis of a step, not of the document.
_BASIS_ASKED_RE = re.compile(
    r"\b(?:can cu|dua (?:tren|vao)) (?:vao )?(?:nhung |cac )?(?:van ban|dau|gi)(?: \w+){0,2}\W*$"
)
# How many characters of a relation's evidence are looked up in the passages.
EVIDENCE_PROBE_CHARS = 48
# An answer quotes at most this many of the document's statements (a replacement and an amendment, say).
MAX_STATEMENTS = 2


def relation_answer(question: str, q: Query, searcher: HybridSearcher, hits: list[Hit]) -> Answer | None:
    """Answer from the document's own statement of what it replaces, amends, repeals or when it
    takes effect; None when the question is not of that kind or the document says nothing of it."""
    if _BASIS_ASKED_RE.search(q.folded):
        based = _basis_answer(question, q, searcher, hits)
        if based is not None:
            return based
    if not _QUESTION_RE.search(q.folded):
        return None
    kinds = set().union(*(k for pattern, k in _ASKS if pattern.search(q.folded)))
    effective = bool(_EFFECTIVE_RE.search(q.folded)) and not kinds
    if not kinds and not effective:
        return None
    named = searcher.docs_named(q)
    if kinds and not named and not q.refs and not _OF_A_DOCUMENT_RE.search(q.folded):
        return None
    docs = [d for d in dict.fromkeys(h.doc_id for h in hits) if d in named] or [h.doc_id for h in hits[:1]]
    for doc_id in docs:
        sentences = _effective_sentences(searcher, doc_id) if effective else _evidence(searcher, doc_id, kinds)
        found = [c for c in (_locate(searcher, doc_id, s) for s in sentences) if c]
        if found:
            blocks, citations = [], []
            for n, (hit, sentence, start) in enumerate(found[:MAX_STATEMENTS], 1):
                cite = Citation.from_hit(n, hit, 1.0)
                unit = containing_unit(hit, start, start + len(sentence))
                if unit:
                    cite.section, cite.page = unit[0], unit[3] if unit[3] is not None else hit.page
                citations.append(cite)
                blocks.append(quote_block(sentence, (n,), hit, cite.section))
            notices = notices_of([hit for hit, _, _ in found[:MAX_STATEMENTS]])
            return Answer.of(question, blocks, citations, notices=notices)
    return None


def _evidence(searcher: HybridSearcher, doc_id: str, kinds: set[RelationKind]) -> list[str]:
    stored = searcher.snapshot.relations_json(doc_id)
    if stored is None:
        return []
    relations = relations_from_json(json.loads(stored or "[]"))
    return list(dict.fromkeys(r.evidence for r in relations if r.kind in kinds and r.evidence and r.subject is None))


def _effective_sentences(searcher: HybridSearcher, doc_id: str) -> list[str]:
    out = []
    for text in searcher.snapshot.passage_texts_mentioning(doc_id, "hiệu lực"):
        for span in split_sentences(text):
            sentence = text[span.start : span.end]
            # The document speaking of itself: "Quy định này … có hiệu lực thi hành từ ngày 01/7/2025".
            if _SELF_EFFECT_RE.search(fold(sentence)):
                out.append(sentence)
    return out


def _find(searcher: HybridSearcher, doc_id: str, text: str) -> tuple[Hit, int] | None:
    """The passage of the document that holds a text (its first EVIDENCE_PROBE_CHARS, spaces as written
    aside), and where the text starts in it."""
    probe = re.sub(r"\s+", " ", text).strip()[:EVIDENCE_PROBE_CHARS]
    hit = searcher.passage_hit(doc_id, probe) if probe else None
    return (hit, hit.text.find(probe)) if hit is not None else None


def _locate(searcher: HybridSearcher, doc_id: str, sentence: str) -> tuple[Hit, str, int] | None:
    """The passage that holds the sentence, the sentence as that passage writes it, and where."""
    found = _find(searcher, doc_id, sentence)
    if found is None:
        return None
    hit, start = found
    for span in split_sentences(hit.text):
        if span.start <= start < span.end:
            return hit, hit.text[span.start : span.end], span.start
    return None


def _basis_answer(question: str, q: Query, searcher: HybridSearcher, hits: list[Hit]) -> Answer | None:
    """The "Căn cứ …" lines of the named document's preamble, quoted from its passage; None when the question
    names no document or the document states no basis."""
    named = searcher.docs_named(q)
    for doc_id in [d for d in dict.fromkeys(h.doc_id for h in hits) if d in named] or sorted(named):
        hit, lines = None, []
        for basis in searcher.snapshot.basis(doc_id):
            found = _find(searcher, doc_id, basis)
            if found is None or (hit is not None and found[0].passage_id != hit.passage_id):
                continue
            hit, start = found
            line_start = hit.text.rfind("\n", 0, start) + 1
            line_end = hit.text.find("\n", start)
            line = hit.text[line_start : len(hit.text) if line_end < 0 else line_end].strip()
            if line not in lines:
                lines.append(line)
        if hit is not None and lines:
            cite = Citation.from_hit(1, hit, 1.0)
            block = quote_block("\n".join(lines), (1,), hit, cite.section)
            return Answer.of(question, [block], [cite], notices=notices_of([hit]))
    return None
