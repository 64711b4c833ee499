"""Whole-clause answers from official documents.

In a Quy định or a Hướng dẫn the answer to a question is a numbered clause: its
lead-in ("Người vào Đảng phải:") and all of its items.  A sentence picked out of
it alone is a wrong answer ("… trong các trường hợp sau:" with no cases).  This
module finds, in a passage, the smallest numbered section that holds the best
matching sentence and quotes it whole — or, past a length budget, its lead-in and
the items that match, with "…" where items were left out.  Every character shown
is copied from the passage.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .chunking import introduces_list
from .params import DEFAULT_ANSWER, AnswerParams
from .retrieve import Hit
from .textnorm import folded_words

# Budgets and shares are in bot/params.py (AnswerParams: clause_budget_chars, item_keep_share, ...).
OMITTED = "…"
# ": a; b; c": a list written in one paragraph, its items separated by semicolons.
_INLINE_LIST_RE = re.compile(r":\s(?=[^:;]{3,};[^;]{3,};)")
_BULLET_RE = re.compile(r"^\s*[-–+•]\s")
_ITEM_RE = re.compile(r"^\s*(?:[-–+•]|[a-zđ]\)|\d{1,3}(?:\.\d{1,2}){0,4}[.)]|\(\d{1,2}\))\s")


@dataclass(frozen=True)
class Clause:
    """A quoted clause: where it is in the passage and what is shown of it."""

    label: str
    page: int | None
    start: int  # offsets in the passage
    end: int
    text: str  # what the answer shows (may hold "…" lines where items were left out)
    complete: bool  # the whole clause is shown


def containing_unit(hit: Hit, start: int, end: int) -> tuple[str, int, int, int | None] | None:
    """The smallest numbered section of the passage that holds the span [start, end)."""
    best = None
    for unit in hit.units:
        label, u_start, u_end, page = unit
        if u_start <= start and end <= u_end and (best is None or u_end - u_start < best[2] - best[1]):
            best = (label, u_start, u_end, page)
    return best


def lines_of(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Paragraph spans (one per line) of text[start:end], whitespace trimmed."""
    spans = []
    for m in re.finditer(r"[^\n]+", text[start:end]):
        s, e = start + m.start(), start + m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            spans.append((s, e))
    return spans


# A lead-in that says how many items follow ("… gồm 2 nội dung:", "… qua 02 hình thức:", "… ba bước sau:"),
# read in its last words; "2 năm nay", "5 năm qua" count time, not items.
_COUNT_WORDS = {"hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9}
_COUNTED_LEAD_RE = re.compile(
    r"\b(0?[2-9]|hai|ba|bon|nam|sau|bay|tam|chin) (?!\d|(?:nay|qua|toi|truoc|hoc|sau)\b)\w+(?: \w+){0,3}$"
)
COUNTED_LEAD_WORDS = 8


def items_counted(lead: str) -> int:
    """How many items a list's lead-in says follow, 0 when it does not say."""
    if not introduces_list(lead):
        return 0
    m = _COUNTED_LEAD_RE.search(" ".join(folded_words(lead)[-COUNTED_LEAD_WORDS:]))
    if not m:
        return 0
    said = m.group(1)
    return int(said) if said.isdigit() else _COUNT_WORDS[said]


def quote_clause(
    hit: Hit,
    unit: tuple[str, int, int, int | None],
    line_score: dict[int, float],
    budget: int | None = None,
    p: AnswerParams = DEFAULT_ANSWER,
    adds: Callable[[str, str], float] | None = None,
) -> Clause:
    """The clause whole if it fits the budget (default: ``p.clause_budget_chars``); else its lead-in and
    best items, "…" for the rest.

    ``line_score`` maps the start offset of a line (in the passage) to how well it answers; ``adds`` gives
    the share of the question a line holds that the text shown so far does not (a question asking two
    things is answered by the item that says each).
    """
    budget = p.clause_budget_chars if budget is None else budget
    label, start, end, page = unit
    text = hit.text
    spans = lines_of(text, start, end)
    whole = text[start:end].strip()
    if len(whole) <= budget or len(spans) <= 1:
        if len(whole) <= budget * p.clause_overflow or len(spans) <= 1:
            shown = whole
            if len(whole) > budget * p.clause_overflow:
                shown = _cut_sentences(whole, budget, adds, p.second_part_share, int(budget * p.clause_overflow))
            return Clause(label, page, start, end, shown, shown == whole)
    # The lead-in: the lines before the first item (at least the first line).
    lead = [spans[0]]
    for span in spans[1:]:
        if _ITEM_RE.match(text[span[0] : span[1]]):
            break
        lead.append(span)
    items = spans[len(lead) :]
    scores = [line_score.get(s, 0.0) for s, _ in items]
    top = max(scores, default=0.0)
    keep: set[int] = {i for i, sc in enumerate(scores) if top > 0 and sc >= p.item_keep_share * top}
    used = sum(e - s for s, e in lead)
    # Fill the budget with the best items first, then the rest in order.
    order = sorted(range(len(items)), key=lambda i: (i not in keep, -scores[i], i))
    chosen: set[int] = set()
    for i in order:
        size = items[i][1] - items[i][0]
        if used + size > budget and chosen:
            # Past the budget an item near the best is still shown, within the overflow: a better item is
            # not left out for a few characters while worse ones fill the room.  Other kept items give way.
            near_best = scores[i] >= p.item_overflow_share * top and used + size <= budget * p.clause_overflow
            if not near_best:
                if i in keep:
                    continue
                break
        chosen.add(i)
        used += size
    if adds is not None:
        # An item saying a part of the question no chosen line says joins them, within the overflow.
        for i in order:
            size = items[i][1] - items[i][0]
            if i in chosen or used + size > budget * p.clause_overflow:
                continue
            shown = "\n".join(text[s:e] for s, e in lead + [items[j] for j in sorted(chosen)])
            if adds(text[items[i][0] : items[i][1]], shown) >= p.second_part_share:
                chosen.add(i)
                used += size
    for lead_at, n in _counted_groups(text, items):
        # A lead-in that counts its items says them all: one of them shown shows the lead-in and the rest.
        group = range(lead_at, min(lead_at + n + 1, len(items)))
        if chosen.intersection(group):
            chosen.update(group)
    for i in sorted(chosen):
        # An item is never shown without the lines that belong to it: the sub-items it leads in ("- Đảng viên
        # … như sau:" then "+ …" lines), or the unmarked paragraphs that go on with it ("Trường hợp …"). The
        # best of them joins it, past the budget if need be.
        subs = _sub_items(text, items, i)
        if subs and not chosen.intersection(subs):
            chosen.add(max(subs, key=lambda j: (scores[j], -j)))
    parts = [text[s:e] for s, e in lead]
    gap = False
    for i, (s, e) in enumerate(items):
        if i in chosen:
            parts.append(text[s:e])
            gap = False
        elif not gap:
            parts.append(OMITTED)
            gap = True
    return Clause(label, page, start, end, "\n".join(parts), len(chosen) == len(items))


def _counted_groups(text: str, items: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(index, count) of each item that leads in a counted list of items marked like it ("- … qua 02 hình
    thức:" then "- Gửi file mềm …", "- Gửi văn bản …"), which no marker tells apart from the items after."""
    out = []
    for i, (s, e) in enumerate(items[:-1]):
        n = items_counted(text[s:e])
        if n and _marker(text[s:e]) == _marker(text[items[i + 1][0] : items[i + 1][1]]):
            out.append((i, n))
    return out


def _marker(line: str) -> str:
    """The kind of an item's marker: "-", "+", "a)", "1." ... (the sub-items of an item have another kind)."""
    m = _ITEM_RE.match(line)
    if not m:
        return ""
    mark = m.group(0).strip()
    if mark[0].isdigit():
        return f"{mark.count('.')}." if mark[-1] == "." else "1)"
    if mark[0] == "(":
        return "(1)"
    return "a)" if mark[-1] == ")" else mark.replace("–", "-")


def _sub_items(text: str, items: list[tuple[int, int]], i: int) -> list[int]:
    """The lines right after item ``i`` that belong to it, up to the next item marked like it: the sub-items
    it leads in (it ends in ":"), or the unmarked paragraphs that go on with it."""
    s, e = items[i]
    own = _marker(text[s:e])
    if not own or i + 1 == len(items):
        return []
    leads = introduces_list(text[s:e]) or _is_numbered_heading(text[s:e])
    if not leads and _marker(text[items[i + 1][0] : items[i + 1][1]]):
        return []
    out = []
    for j in range(i + 1, len(items)):
        mark = _marker(text[items[j][0] : items[j][1]])
        if mark == own:
            break
        out.append(j)
    return out


# A line of at most this many words with no closing mark is a heading ("1.3. Đảng ủy cơ sở", "Đối với các
# doanh nghiệp"), not a sentence that says something: what it says is in the lines under it.
HEADING_MAX_WORDS = 12


def is_short_heading(line: str) -> bool:
    """Is a line (without its number) short and without a closing mark, as a heading is?"""
    text = line.strip()
    return bool(text) and text[-1] not in ".;:,?!…" and len(text.split()) <= HEADING_MAX_WORDS


def _is_numbered_heading(line: str) -> bool:
    """Is an item line a numbered sub-heading, which leads the lines under it as a lead-in does?"""
    m = _ITEM_RE.match(line)
    return bool(m) and m.group(0).strip()[0].isdigit() and is_short_heading(line[m.end() :])


def list_lead(text: str) -> str | None:
    """The line that introduces a list: the line right before the clause's first item line, when it ends
    in ":" ("… trong các trường hợp sau:") or is the clause's heading ("1. Hồ sơ xét tặng Huy hiệu Đảng");
    or, for a list written in one paragraph ("… các trường hợp sau: a; b; c."), the words before its ":";
    None when the clause holds no list."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    for i, line in enumerate(lines[1:], 1):
        if _ITEM_RE.match(line):
            before = lines[i - 1]
            if introduces_list(before) or (i == 1 and not _BULLET_RE.match(before)):
                return before
            return None  # items after prose, or a run of "-" items cut from a longer list
    for line in lines:
        m = _INLINE_LIST_RE.search(line)
        if m:
            return line[: m.start() + 1]
    return None


_WORD_RE = re.compile(r"[^\W\d_]+")
# Fewer words than this before a full stop are a label ("3.2.2.", "Điều 24."), not a sentence.
_MIN_SENTENCE_WORDS = 3


def _cut_sentences(
    text: str,
    budget: int,
    adds: Callable[[str, str], float] | None = None,
    share: float = 0.0,
    limit: int = 0,
) -> str:
    """A long single paragraph: whole sentences up to the budget (at least one: a label such as "3.2.2."
    ends in a full stop but is not a sentence), then "…".  With ``adds``, a later sentence saying a part of the
    question (``share`` of it or more) that those do not joins them, up to ``limit`` characters in all: "… thì
    trong thời hạn 15 ngày … gửi hồ sơ … Trong thời hạn 30 ngày làm việc kể từ khi nhận … ra quyết định"."""
    pieces = [m.group(0) for m in re.finditer(r".+?(?:[.;:!?](?=\s)|$)", text, re.S)]
    shown = 0
    for i, piece in enumerate(pieces):
        head = "".join(pieces[:i])
        if len(_WORD_RE.findall(head)) >= _MIN_SENTENCE_WORDS and len(head) + len(piece) > budget:
            break
        shown = i + 1
    if shown == len(pieces):
        return text
    chosen = set(range(shown))
    used = sum(len(pieces[i]) for i in chosen)
    while adds is not None:
        said = "".join(pieces[i] for i in sorted(chosen))
        fits = [i for i in range(shown, len(pieces)) if i not in chosen and used + len(pieces[i]) <= limit]
        gains = {i: adds(pieces[i], said) for i in fits}
        best = max(gains, key=lambda i: (gains[i], -i), default=None)
        if best is None or gains[best] < share:
            break
        chosen.add(best)
        used += len(pieces[best])
    out, gap = "", False
    for i, piece in enumerate(pieces):
        if i in chosen:
            out += (" " if gap else "") + (piece.strip() if gap else piece)
            gap = False
        elif not gap:
            out = out.rstrip() + " " + OMITTED
            gap = True
    return out.rstrip()
