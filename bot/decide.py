"""What to answer a question with, given the passages the search found.

In order: a refusal that names what the documents do not cover (a document number, a place, a military
region, a congress term); the document's own statement of what it replaces or when it takes effect
(bot/inforce.py); the author line for "who wrote it"; a refusal when nothing found answers; else the
extractive answer composed from the passages (bot/answer.py), or a refusal saying the kind of answer asked
for (a day, a time, a number, a person's name) is not in them.  An answer from a document whose number other
documents share says so.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np

from .answer import (
    Answer,
    AnswerBlock,
    Citation,
    Composition,
    clause_coverage,
    compose,
    is_relevant,
    not_found,
    unnamed_subject_words,
    window_coverage,
)
from .inforce import relation_answer
from .params import DEFAULT_ANSWER, AnswerParams
from .query import NAMED_SUBJECTS, Place, Query, Wants, plenum_forms
from .retrieve import Hit, HybridSearcher, topic_weights
from .textnorm import fold

# The kinds of answer a refusal can say are missing, most specific first.
TYPE_MISSING = {
    Wants.DAY: "Các tài liệu có nói về nội dung này nhưng không nêu ngày cụ thể.",
    Wants.DATE: "Các tài liệu có nói về nội dung này nhưng không nêu thời gian cụ thể.",
    Wants.SINCE: "Các tài liệu có nói về nội dung này nhưng không nêu thời điểm bắt đầu tính.",
    Wants.MONEY: "Các tài liệu có nói về nội dung này nhưng không nêu số tiền cụ thể.",
    Wants.COUNT: "Các tài liệu có nói về nội dung này nhưng không nêu con số cụ thể.",
    Wants.PERSON: "Các tài liệu có nói về nội dung này nhưng không nêu tên người cụ thể.",
}


def decide(
    question: str,
    q: Query,
    searcher: HybridSearcher,
    all_hits: list[Hit],
    p: AnswerParams = DEFAULT_ANSWER,
    vector: np.ndarray | None = None,
) -> Answer:
    """The answer to ``question`` (analysed as ``q``, embedded as ``vector``, computed when needed) from
    ``all_hits``, the search's hits, best first."""
    answer = _decide(question, q, searcher, all_hits, p, vector)
    if answer.found and q.refs:
        # The question's number is shared by several documents: say which one answered.
        notes = {searcher.same_number_note(q, c.doc_id) for c in answer.citations} - {None}
        answer.add_notices(sorted(notes))
    return answer


def _decide(
    question: str, q: Query, searcher: HybridSearcher, all_hits: list[Hit], p: AnswerParams, vector: np.ndarray | None
) -> Answer:
    setting = _unknown_setting(q, searcher)
    if setting:
        # "Bố tôi vào Đảng năm 1958 ở Thanh Hóa. Nay … có phải điều chỉnh ngày vào Đảng không?": a place no
        # document mentions, named only in the case told before the question, is where the case happened;
        # the rule asked for is the whole Party's, so it is answered from central documents and news.
        q = dataclasses.replace(q, places=[place for place in q.places if place not in setting])
        all_hits = [h for h in all_hits if not h.local]
    hits = all_hits[: p.compare_hits if Wants.COMPARE in q.wants else p.answer_hits]
    nearest = _nearest_titles(searcher, hits, p)
    refused = _unknown_subject(question, q, searcher, nearest)
    if refused:
        return refused
    if q.places and Wants.COMPARE not in q.wants:
        # Never answer about one province or unit from another's documents.
        allowed = set().union(*(searcher.docs_mentioning(place.folded) for place in q.places))
        hits = [h for h in all_hits if h.doc_id in allowed][: p.answer_hits]
    # "nhiệm kỳ 2025–2030" names the congress term asked about; "khóa XII" usually names the
    # Central Committee that issued a document ("Nghị quyết 26 khóa XII"), so it does not filter.
    asked_terms = {"{}-{}".format(*years) for years in q.congress_terms}
    if asked_terms and hits:
        # A question about one congress term is not answered from news of another.
        same = [h for h in hits if h.term is None or h.term in asked_terms]
        if not same:
            asked = ", ".join(sorted(t.replace("-", "–") for t in asked_terms))
            found = ", ".join(sorted({h.term.replace("-", "–") for h in hits if h.term}))
            why = f"Các tài liệu tìm được nói về nhiệm kỳ {found}, không phải nhiệm kỳ {asked}."
            return not_found(question, why, nearest, "other_term")
        hits = same
    if hits:
        stated = relation_answer(question, q, searcher, hits)
        if stated:
            return stated
    if Wants.AUTHOR in q.wants and hits:
        authored = author_answer(question, searcher, hits)
        if authored:
            return authored
    if not hits:
        return not_found(question, None, nearest, "no_match")
    idf = searcher.idf_weights(q)
    scale = gate_scale(topic_weights(idf, q.charter_name_terms), p) ** p.relevance_scale_power
    if not is_relevant(q, hits[0], p, scale):
        return not_found(question, None, nearest, "no_match")
    answer = _composed(question, q, searcher, hits, nearest, p, idf)
    if answer.found and not _means_the_question(q, searcher, answer, hits, p, vector):
        return not_found(question, None, nearest, "other_meaning")
    return answer


def _unknown_setting(q: Query, searcher: HybridSearcher) -> list[Place]:
    """The places no document mentions that the question names only in the case it tells first, not in
    the sentence that asks."""
    if q.asked_part is None:
        return []
    asked = {place.folded for place in q.asked_part.places}
    return [pl for pl in q.places if pl.folded not in asked and not searcher.corpus_has(pl.folded)]


def _nearest_titles(searcher: HybridSearcher, hits: list[Hit], p: AnswerParams) -> list[str]:
    """What a refusal lists as the nearest topics: the titles of the hits, else the newest documents."""
    titles = list(dict.fromkeys(h.title for h in hits))[: p.nearest_titles]
    return titles or searcher.snapshot.newest_titles(p.nearest_titles)


def _unknown_subject(question: str, q: Query, searcher: HybridSearcher, nearest: list[str]) -> Answer | None:
    """A refusal naming the document numbers, places, military regions or names (quoted, or laws) the
    question gives and no document mentions; None when the documents know them all."""
    unknown_refs = [r for r in q.refs if r.key not in searcher.corpus_refs()]
    if unknown_refs:
        labels = ", ".join(r.label() for r in unknown_refs)
        return not_found(question, f"Các tài liệu hiện có không nhắc đến {labels}.", nearest, "unknown_ref")
    missing = [place.name for place in q.places if not searcher.corpus_has(place.folded)]
    if missing:
        return not_found(question, f"Các tài liệu hiện có không nói về {', '.join(missing)}.", nearest, "unknown_place")
    units = [u for u in q.units if not (searcher.corpus_has(u) or searcher.corpus_has(f"quan khu {u[2:]}"))]
    if units:
        names = ", ".join(f"Quân khu {u[2:]}" for u in units)
        return not_found(question, f"Các tài liệu hiện có không nói về {names}.", nearest, "unknown_unit")
    # "… danh hiệu “Đoàn viên xuất sắc” mấy năm liền …", "… theo Bộ luật Hình sự …": a name the question
    # gives that no document writes is something the documents do not regulate.
    unnamed = [name for name in q.names if not searcher.corpus_has(fold(name))]
    unnamed += [
        f"Hội nghị Trung ương lần thứ {n}"
        for n in q.plenums
        if not any(searcher.corpus_has(form) for form in plenum_forms(n))
    ]
    if unnamed:
        names = ", ".join(f"“{name}”" for name in unnamed)
        return not_found(question, f"Các tài liệu hiện có không nhắc đến {names}.", nearest, "unknown_name")
    return None


def _composed(
    question: str,
    q: Query,
    searcher: HybridSearcher,
    hits: list[Hit],
    nearest: list[str],
    p: AnswerParams,
    idf: dict[str, float],
) -> Answer:
    """The extractive answer, or a refusal when its best sentence or clause covers too little of the
    question or lacks the kind of answer asked for (``idf``: the question's words' IDF)."""
    comp = compose(
        q,
        hits,
        idf,
        searcher.docs_named(q),
        p,
        following=searcher.next_hit,
        linked=searcher.linked_clauses,
        sections=searcher.section_hits,
    )
    weights = topic_weights(idf, q.charter_name_terms)  # what the refusal gates weigh
    scale = gate_scale(weights, p)
    floor = p.min_clause_coverage * scale if comp.clause else p.min_sentence_coverage
    if not comp.citations:
        return not_found(question, None, nearest, "no_match")
    if comp.coverage < floor or (comp.clause and comp.line_coverage < p.min_line_coverage * scale):
        if not (comp.clause and _answers_the_asked_part(q, searcher, comp, p)):
            return not_found(question, None, nearest, "no_match")
    unnamed = _unnamed_subjects(q, weights, comp, p)
    if unnamed:
        return not_found(question, f"Các đoạn tìm được không nói về {unnamed}.", nearest, "other_subject")
    if not comp.type_ok:
        why = next((TYPE_MISSING[w] for w in TYPE_MISSING if w in q.wants), None)
        return not_found(question, why, nearest, "no_answer_type")
    return comp.answer(question)


def _means_the_question(
    q: Query, searcher: HybridSearcher, answer: Answer, hits: list[Hit], p: AnswerParams, vector: np.ndarray | None
) -> bool:
    """Does the model find an answer from official documents close to the question in meaning?  Yes when a
    passage it quotes is close (``meaning_check_below``); else the text shown is embedded, as a passage, and
    compared.

    Answers that quote news are not checked: the type gates judge them ("… là ai?" wants a name), and the
    model finds a news sentence that names the person asked for no closer than a neighbouring clause (0.81
    to 0.87 on the seed questions' right answers).  Nor are answers from the documents the question names."""
    if any(c.doc_type == "news" for c in answer.citations):
        return True
    named = searcher.docs_named(q)
    if named and all(c.doc_id in named for c in answer.citations):
        # "Hướng dẫn 99-HD/ĐU quy định gì?": what the document says is whatever it says.
        return True
    cosines = {h.passage_id: h.cosine for h in hits}
    if vector is None:
        vector = searcher.embed(q)
    quoted = [cosines.get(c.passage_id) or searcher.cosine(c.passage_id, vector) for c in answer.citations]
    if max(quoted, default=0.0) >= p.meaning_check_below:
        return True
    shown = _MARKER_RE.sub("", answer.answer)[: p.meaning_check_chars]
    return searcher.passage_cosine(shown, vector) >= p.min_meaning_cosine


# The [n] citation markers of a rendered answer.
_MARKER_RE = re.compile(r"\s*\[\d+\]")


def gate_scale(weights: dict[str, float], p: AnswerParams) -> float:
    """How much of the refusal gate's shares a question is asked: all of them up to
    ``p.gate_reference_words`` topic words (numbers aside), then less in proportion."""
    words = sum(1 for t in weights if not t.isdigit())
    return min(1.0, p.gate_reference_words / words) if words else 1.0


def _answers_the_asked_part(q: Query, searcher: HybridSearcher, comp: Composition, p: AnswerParams) -> bool:
    """ "Tôi mới được kết nạp, đang là đảng viên dự bị. Đại hội chi bộ sắp tới tôi có được bỏ phiếu không?":
    the first sentences tell the officer's case in their own words, the last one asks.  The case found the
    clause; the clause must answer what is asked, so the refusal gate reads the asked sentence alone."""
    asked = q.asked_part
    if not asked:
        return False
    weights = topic_weights(searcher.idf_weights(asked), asked.charter_name_terms)
    return _holds_enough(asked, weights, comp.clause_text, comp.clause_head, p, gate_scale(weights, p))


def _holds_enough(
    q: Query,
    weights: dict[str, float],
    text: str,
    head: frozenset[str],
    p: AnswerParams,
    scale: float = 1.0,
    absent: frozenset[str] = frozenset(),
) -> bool:
    """Does a clause (with its headings) hold enough of the question, in all and within one line's window
    (the refusal gate's two shares, times ``scale``; ``absent`` words count as not held)?"""
    return (
        clause_coverage(q, weights, text, head, absent) >= p.min_clause_coverage * scale
        and window_coverage(q, weights, text, head, p, absent) >= p.min_line_coverage * scale
    )


def _unnamed_subjects(q: Query, weights: dict[str, float], comp: Composition, p: AnswerParams) -> str | None:
    """ "Quy trình Quốc hội bầu Chủ tịch nước gồm mấy bước?" answered with "Các bước tiến hành đại hội:
    Chào cờ (hát Quốc ca)…": the question names a body the answer does not.  Without that body's words
    the answer must still pass the refusal gate; else the bodies it does not name (for the refusal), or None."""
    if not q.subjects:
        return None
    text = f"{comp.clause_text}\n{comp.gate_text}"
    absent = unnamed_subject_words(q, text)
    if not absent:
        return None
    unnamed = sorted((s for s in q.subjects if set(s.split()) <= absent), key=lambda s: f" {q.folded} ".find(s))
    # A body the asked sentence names is what the question is about ("Quy trình Quốc hội bầu Chủ tịch nước gồm
    # mấy bước?"): an answer that never names it is about something else.  A body named only in the case told
    # before ("Em là giáo viên hợp đồng…") may be beside the point, so then the gate below decides.
    asked = (q.asked_part or q).subjects
    # Not scaled by the question's length (gate_scale): a question naming another body is asked the whole share.
    if not any(s in asked for s in unnamed) and _holds_enough(q, weights, text, comp.clause_head, p, absent=absent):
        return None
    return ", ".join(_written_as(q, s) for s in unnamed) or None


def _written_as(q: Query, folded_phrase: str) -> str:
    """How the question wrote a folded phrase ("quoc hoi" → "Quốc hội"); when it wrote an abbreviation
    ("UBND"), the body's name in full ("Ủy ban nhân dân"), never the folded form."""
    words = q.text.split()
    n = len(folded_phrase.split())
    for i in range(len(words) - n + 1):
        span = " ".join(words[i : i + n])
        if fold(re.sub(r"[^\w\s]", "", span)) == folded_phrase:
            return re.sub(r"[^\w\s]", "", span)
    return next((name for name in NAMED_SUBJECTS if fold(name) == folded_phrase), folded_phrase)


def author_answer(question: str, searcher: HybridSearcher, hits: list[Hit]) -> Answer | None:
    """ "Ai là tác giả bài viết về …?": the author line of the best matching
    document, quoted from the passage that holds it."""
    doc_id = hits[0].doc_id
    author = searcher.snapshot.author(doc_id)
    if not author:
        return None
    hit = searcher.passage_hit(doc_id, author, last=True)
    if hit is None:
        return None
    return Answer.of(question, [AnswerBlock(author, (1,))], [Citation.from_hit(1, hit, 1.0)])
