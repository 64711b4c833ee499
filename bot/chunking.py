"""Split cleaned text into sentences and passages, keeping character offsets.

Passages are whole sentences grouped up to a token budget that suits the
embedding model (e5-small reads at most 512 tokens), so every citation can
point at the exact span of the document it came from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from .header import is_basis
from .structure import HEADER, PREAMBLE, Section, walk
from .textnorm import UPPER

# Abbreviations after which a full stop does not end a sentence.
_NO_BREAK_BEFORE = re.compile(
    r"(?:\b(?:TP|Tp|tp|Q|P|TT|TS|ThS|PGS|GS|BS|KS|Th\.S|St|Mr|Ms|Dr|v\.v|tr|Tr|Đ/c|đ/c|số|No)|\b[A-ZĐ])$"
)
# A sentence ends at . ! ? … (with closing quotes/brackets) followed by space and
# a capital letter, an opening quote or a digit; or at a line break.
# The run of marks is matched whole and only from its first mark, so a long run costs linear time.
_END_RE = re.compile(rf"(?<![.!?…])[.!?…]++[\"”’)\]]*(?=\s+[\"“‘(\[]?[{UPPER}0-9])|\n+")


# A sentence of fewer words than this ("Từ tháng 8/2019.") is a fragment: it belongs with the sentence after it.
FRAGMENT_WORDS = 6
# Passages of news and plain text (the indexer passes its own budget): about this many tokens...
TARGET_TOKENS = 200
# ...never more than this (a sentence longer is cut at clause boundaries).
MAX_TOKENS = 400
# A passage ends before a sentence that would take it past the target once it is this share of the target full
# (so a passage is not left with a sentence or two)...
CLOSE_SHARE = 0.4
# ...and at a paragraph break once it is this share full.
PARAGRAPH_CLOSE_SHARE = 0.6
# A fragment of more tokens than this share of a passage's maximum (a long cell, a formula) stays on its own.
FRAGMENT_MAX_SHARE = 0.5
# A passage never ends on a list's lead-in ("… với các nội dung chủ yếu sau:"): it starts the next passage
# instead, beside the items it introduces, when the lead-ins carried are at most this share of the passage's
# target (they come in chains: "Thủ tướng có nêu:" then "…, tập trung thi đua với các nội dung chủ yếu sau:").
# A short line without a full stop ("Đối với các doanh nghiệp") may be a heading, but in news it is as often a
# photo's caption, which belongs where it is: it is not carried.
LEAD_CARRY_SHARE = 1.0
# A list whose lead-in is in a passage goes on there past the target, up to this share of the maximum ("Bước 1"
# … "Bước 7" of a news item's procedure were cut after "Bước 3" at a paragraph break).  On the 1559 development
# questions: +4 −2, 85 answers changed (719 → 713 passages); the seed tier is unchanged.
LIST_MAX_SHARE = 1.0

T = TypeVar("T")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def glue_fragments(
    items: Iterable[T],
    is_fragment: Callable[[T], bool],
    join: Callable[[T, T], T],
    fits: Callable[[T, T], bool] | None = None,
) -> list[T]:
    """The items with each fragment joined to the item after it (``join(fragment, next)``, which may be a
    fragment again and is then joined on); a fragment at the end, or one that ``fits(fragment, next)`` says
    may not join the next item, stays on its own."""
    out: list[T] = []
    carry: T | None = None
    for item in items:
        if carry is not None:
            if fits is None or fits(carry, item):
                item = join(carry, item)
            else:
                out.append(carry)
            carry = None
        if is_fragment(item):
            carry = item
            continue
        out.append(item)
    if carry is not None:
        out.append(carry)
    return out


def split_sentences(text: str, offset: int = 0) -> list[Span]:
    """Sentence spans of ``text`` (shifted by ``offset``), whitespace trimmed."""
    spans: list[Span] = []
    start = 0
    for m in _END_RE.finditer(text):
        end = m.end() if m.group(0).strip() else m.start()
        # Only the last characters can hold the abbreviation (a window keeps this linear).
        if m.group(0).strip() and _NO_BREAK_BEFORE.search(text[max(start, m.start() - 16) : m.start()]):
            continue
        spans.extend(_trim(text, start, end, offset))
        start = m.end()
    spans.extend(_trim(text, start, len(text), offset))
    return spans


def _trim(text: str, start: int, end: int, offset: int) -> list[Span]:
    piece = text[start:end]
    if not piece.strip():
        return []
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece) - len(piece.rstrip())
    return [Span(offset + start + lead, offset + end - trail)]


@dataclass(frozen=True)
class Chunk:
    start: int
    end: int
    text: str
    tokens: int


def chunk_text(
    text: str,
    count_tokens: Callable[[str], int],
    target_tokens: int = TARGET_TOKENS,
    max_tokens: int = MAX_TOKENS,
) -> list[Chunk]:
    """Group whole sentences into passages of about ``target_tokens``.

    A passage prefers to end at a paragraph break once it is reasonably full;
    a single sentence longer than ``max_tokens`` is cut at clause boundaries
    (";" or ",") so that nothing is silently truncated by the model.
    """
    units: list[tuple[Span, int, bool]] = []  # (span, tokens, ends paragraph)
    for para in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text):
        sentences = split_sentences(para.group(0), para.start())
        for i, span in enumerate(sentences):
            last = i == len(sentences) - 1
            n = count_tokens(text[span.start : span.end])
            if n <= max_tokens:
                units.append((span, n, last))
                continue
            pieces = _split_long(text, span, count_tokens, max_tokens)
            for j, (piece, k) in enumerate(pieces):
                units.append((piece, k, last and j == len(pieces) - 1))

    # A fragment of a few words belongs with the sentence after it, within its paragraph.
    units = glue_fragments(
        units,
        lambda u: (
            not u[2]
            and len(text[u[0].start : u[0].end].split()) < FRAGMENT_WORDS
            and u[1] < int(max_tokens * FRAGMENT_MAX_SHARE)
        ),
        lambda a, b: (Span(a[0].start, b[0].end), b[1] + a[1], b[2]),
        # A piece of an overlong sentence stays on its own where gluing would exceed the budget.
        fits=lambda a, b: a[1] + b[1] <= max_tokens,
    )

    chunks: list[Chunk] = []
    cur: list[tuple[Span, int, bool]] = []

    def flush(last: bool = False) -> None:
        carry: list[tuple[Span, int, bool]] = []
        while (
            not last
            and len(cur) > 1
            and _introduces(text, cur[-1])
            and sum(u[1] for u in carry) + cur[-1][1] <= target_tokens * LEAD_CARRY_SHARE
            # Lead-ins in a chain ("… như sau:" then "- … với 2 nội dung:") go on together or not at all.
            and not all(_introduces(text, u) for u in cur[:-1])
        ):
            carry.insert(0, cur.pop())
        if cur:
            s, e = cur[0][0].start, cur[-1][0].end
            chunks.append(Chunk(s, e, text[s:e], sum(u[1] for u in cur)))
        cur[:] = carry

    def continues_list(unit: tuple[Span, int, bool]) -> bool:
        """Is ``unit`` the next item of a list whose lead-in is in the passage being filled ("Bước 4: …" after
        "… như sau:" / "Bước 1: …" … "Bước 3: …")?"""
        kind = item_kind(text[unit[0].start : unit[0].end], _ITEM_OR_STEP_RE)
        items = 0
        while (
            items < len(cur)
            and item_kind(text[cur[-1 - items][0].start : cur[-1 - items][0].end], _ITEM_OR_STEP_RE) == kind
        ):
            items += 1
        return kind is not None and 0 < items < len(cur) and _introduces(text, cur[-1 - items])

    for i, unit in enumerate(units):
        size = sum(u[1] for u in cur)
        if (
            cur
            and size + unit[1] > target_tokens
            and (size + unit[1] > max_tokens or size >= target_tokens * CLOSE_SHARE)
            # A lead-in carried over waits for its first item.
            and (size + unit[1] > max_tokens or not all(_introduces(text, u) for u in cur))
            # A list goes on beside its lead-in up to the passage's maximum.
            and (size + unit[1] > max_tokens * LIST_MAX_SHARE or not continues_list(unit))
        ):
            flush()
        cur.append(unit)
        if (
            unit[2]
            and sum(u[1] for u in cur) >= target_tokens * PARAGRAPH_CLOSE_SHARE
            # A passage of lead-ins alone would part them from their items: it waits for the first one.
            and not all(_introduces(text, u) for u in cur)
            and (i + 1 == len(units) or not continues_list(units[i + 1]))
        ):
            flush()
    flush(last=True)
    return chunks


# The marker of a list's item: "- ", "+ ", "a) ", "1. ", "(1) "...
_ITEM_MARKER = r"(?:[-+•–]|[a-zđ]\)|\d{1,2}[.)]|\(\d{1,2}\))"
# ...and, in an answer, "(i) ", "(ii) " too (a list read on past its passage, or shown with its lead-in).  The
# chunker does not keep these beside their lead-in: re-chunking the one document that uses them (pipeline 10)
# gained no answer and lost two through the changed passages' ranks.
_ROMAN_ITEM = r"\((?:i{1,3}|iv|vi{0,3}|ix|x)\)"
ITEM_LINE_RE = re.compile(rf"(?:{_ITEM_MARKER}|{_ROMAN_ITEM})\s")
# ...and, where passages are cut, the steps of a news item's procedure: "Bước 1:".
_ITEM_OR_STEP_RE = re.compile(rf"(?:{_ITEM_MARKER}|Bước \d{{1,2}}[:.])\s")


def item_kind(line: str, marker: re.Pattern[str] = ITEM_LINE_RE) -> str | None:
    """The kind of an item's marker ("-", "a)", "1.", "(1)", "(i)"; numbers and letters made alike), None for a line
    that is not an item: the items of one list share it, so "(2) Yêu cầu" after the "-" items of "(1) Mục
    đích" starts another list."""
    m = marker.match(line)
    if m is None:
        return None
    if re.fullmatch(_ROMAN_ITEM, m.group(0).strip()):
        return "(i)"  # "(i)", "(ii)", "(iv)": one kind, not letters
    return re.sub(r"[a-zđ]", "a", re.sub(r"\d+", "1", m.group(0).strip()))


def _introduces(text: str, unit: tuple[Span, int, bool]) -> bool:
    """Does a unit of ``text`` introduce what follows it (introduces_list)?"""
    return introduces_list(text[unit[0].start : unit[0].end])


def introduces_list(sentence: str) -> bool:
    """Is a sentence a list's lead-in ("… gồm các bước sau:"), read and shown with the lines that follow it?"""
    return sentence.rstrip().endswith(":")


# A piece of text longer than this many characters per allowed token is never counted whole: it is cut
# first (a token covers well under 32 characters, and the tokenizer is slow on huge single words).
_CHARS_PER_TOKEN_CEILING = 32


def _split_long(text: str, span: Span, count_tokens: Callable[[str], int], max_tokens: int) -> list[tuple[Span, int]]:
    """Cut one overlong sentence at clause boundaries (";", ","), or between words
    where a clause alone is too long, or inside a word longer than ``max_tokens`` itself,
    into pieces of at most ``max_tokens``.

    Linear in the length of the sentence: every clause, word or word slice is counted once on its own,
    neighbours are joined while the sum of their counts fits, and each joined piece is counted once more
    to verify it (a piece the sum underestimated is halved)."""
    base = count_tokens("")  # what the tokenizer adds to any text (special tokens)
    too_long = max_tokens * _CHARS_PER_TOKEN_CEILING

    def tokens(s: int, e: int) -> int:
        return count_tokens(text[s:e])

    units: list[tuple[int, int, int]] = []  # (start, end, tokens): the smallest pieces, each counted alone

    def add_word(s: int, e: int) -> None:
        n = tokens(s, e) if e - s <= too_long else max_tokens + 1
        if n <= max_tokens:
            units.append((s, e, n))
            return
        # Slices of a word longer than the budget: start at one character a token (rarely more), then
        # size each slice from the characters per token seen so far, so most slices fill the budget.
        step = max(1, max_tokens - base)
        while s < e:
            cut = min(e, s + step)
            n = tokens(s, cut)
            if n > max_tokens and cut - s > 1:
                step = max(1, (cut - s) // 2)
                continue
            units.append((s, cut, n))
            step = max(1, int((cut - s) * (max_tokens - base) * 0.9 / max(n - base, 1)))
            s = cut

    def add_clause(s: int, e: int) -> None:
        n = tokens(s, e) if e - s <= too_long else max_tokens + 1
        if n <= max_tokens:
            units.append((s, e, n))
            return
        for m in re.finditer(r"\S+\s*", text[s:e]):
            add_word(s + m.start(), s + m.end())

    bounds = [
        span.start,
        *(span.start + m.end() for m in re.finditer(r"[;,]\s+", text[span.start : span.end])),
        span.end,
    ]
    for s, e in zip(bounds, bounds[1:], strict=False):
        if s < e:
            add_clause(s, e)

    result: list[tuple[Span, int]] = []

    def emit(group: list[tuple[int, int, int]]) -> None:
        s = group[0][0]
        e = s + len(text[s : group[-1][1]].rstrip())
        n = group[0][2] if len(group) == 1 and e == group[0][1] else tokens(s, e)
        if n > max_tokens and len(group) > 1:  # the sum was an underestimate: halve and verify again
            half = len(group) // 2
            emit(group[:half])
            emit(group[half:])
            return
        result.append((Span(s, e), n))

    group: list[tuple[int, int, int]] = []
    size = base
    for unit in units:
        extra = max(unit[2] - base, 1)  # a piece's tokens are about the sum of its units' own
        if group and size + extra > max_tokens:
            emit(group)
            group, size = [], base
        group.append(unit)
        size += extra
    if group:
        emit(group)
    return [(span, n) for span, n in result if span.end > span.start]


# -- official documents: one passage per section ------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A numbered section inside a passage: what an answer can quote whole and cite by name."""

    label: str  # "Điều 4, khoản 1"
    path: str  # "Chương I … › Điều 4. › 1. Người vào Đảng phải :"
    start: int  # absolute offsets in the document text
    end: int


@dataclass(frozen=True)
class SectionChunk(Chunk):
    """A passage of an official document: a whole section, or siblings grouped within the budget."""

    label: str = ""
    path: str = ""
    context: str = ""  # the parent's lead-in when the passage does not include it ("… trong các trường hợp sau:")
    units: tuple[Unit, ...] = ()


# A lead-in longer than this is a passage of its own rather than a prefix of its items.
LEAD_IN_MAX_TOKENS = 120
# The parent's lead-in repeated as context of a passage that holds only some of its items.
CONTEXT_MAX_CHARS = 300


def chunk_sections(
    text: str, roots: list[Section], count_tokens: Callable[[str], int], max_tokens: int = 300
) -> list[SectionChunk]:
    """Passages of an official document: each section whole when it fits ``max_tokens``;
    a larger one is split into groups of its subsections, each passage keeping the
    parent's lead-in as context, so a list is never read without the sentence that
    introduces it."""
    out: list[SectionChunk] = []
    for root in roots:
        _emit(text, root, count_tokens, max_tokens, "", out)
    return out


def _tokens(text: str, start: int, end: int, count_tokens: Callable[[str], int]) -> int:
    return count_tokens(text[start:end])


def _make(text: str, start: int, end: int, node: Section, tokens: int, context: str) -> SectionChunk:
    while end > start and text[end - 1].isspace():
        end -= 1
    units = tuple(
        unit
        for s in [node, *walk(node.children)]
        if s.start < end and s.end > start and _answers(s, text)
        for unit in _units_of(s, text, max(s.start, start), min(s.end, end))
    )
    return SectionChunk(start, end, text[start:end], tokens, node.label, node.path, context, units)


def _answers(section: Section, text: str) -> bool:
    """Can the section be quoted as an answer?  Not the letterhead, nor a preamble that only cites what the
    document implements; the Điều lệ's preamble ("Mục đích của Đảng là …") is content like any article."""
    if section.kind == HEADER:
        return False
    return section.kind != PREAMBLE or not is_basis(text[section.start : section.end])


def _units_of(section: Section, text: str, start: int, end: int) -> list[Unit]:
    """The section within [start, end) as a unit; a preamble's paragraphs are units too.  The Điều lệ's
    preamble numbers nothing, and each paragraph says one thing ("Mục đích của Đảng là …", "Đảng lấy chủ nghĩa
    Mác - Lênin …"): like a clause, the paragraph that answers is quoted, not the whole preamble."""
    whole = Unit(section.label, section.path, start, end)
    if section.kind != PREAMBLE:
        return [whole]
    lines = [
        Unit(section.label, section.path, start + m.start(), start + m.end())
        for m in re.finditer(r"[^\n]*\S[^\n]*", text[start:end])
    ]
    return [whole, *lines] if len(lines) > 1 else [whole]


def _emit(
    text: str, node: Section, count_tokens: Callable[[str], int], budget: int, context: str, out: list[SectionChunk]
) -> None:
    n = _tokens(text, node.start, node.end, count_tokens)
    if n <= budget:
        out.append(_make(text, node.start, node.end, node, n, context))
        return
    if not node.children:
        # One long clause: whole sentences up to the budget, each piece keeps the clause's name,
        # and the pieces after the first keep its lead-in (up to its first "-" item) as context.
        body = text[node.start : node.end]
        first_item = re.search(r"\n\s*[-–+•]\s", body)
        lead = body[: first_item.start()] if first_item else body[: body.find("\n") if "\n" in body else len(body)]
        later = _context(context, lead.strip())
        for piece in chunk_text(body, count_tokens, target_tokens=budget, max_tokens=budget):
            s, e = node.start + piece.start, node.start + piece.end
            out.append(_make(text, s, e, node, piece.tokens, context if s == node.start else later))
        return
    lead_end = node.head_end()
    lead = text[node.start : lead_end].strip()
    lead_tokens = _tokens(text, node.start, lead_end, count_tokens)
    group_start: int | None = None
    group: list[Section] = []
    size = 0
    own_context = _context(context, lead)
    real = {id(child) for child in node.children}
    if lead and lead_tokens > LEAD_IN_MAX_TOKENS:
        for piece in chunk_text(text[node.start : lead_end], count_tokens, target_tokens=budget, max_tokens=budget):
            out.append(_make(text, node.start + piece.start, node.start + piece.end, node, piece.tokens, context))
    elif lead:
        group_start, size = node.start, lead_tokens

    def flush() -> None:
        nonlocal group_start, group, size
        if group_start is not None and group:
            alone = len(group) == 1 and group_start == group[0].start and id(group[0]) in real
            owner = group[0] if alone else node
            ctx = context if group_start == node.start else own_context
            out.append(_make(text, group_start, group[-1].end, owner, size, ctx))
        elif group_start is not None:  # a lead-in whose first item did not fit beside it
            out.append(_make(text, group_start, lead_end, node, size, context))
        group_start, group, size = None, [], 0

    for child in _with_tail(node):
        k = _tokens(text, child.start, child.end, count_tokens)
        if k > budget:
            flush()
            if id(child) in real:
                _emit(text, child, count_tokens, budget, own_context, out)
            else:  # the parent's closing lines, longer than a passage
                body = text[child.start : child.end]
                for piece in chunk_text(body, count_tokens, target_tokens=budget, max_tokens=budget):
                    s, e = child.start + piece.start, child.start + piece.end
                    out.append(_make(text, s, e, node, piece.tokens, own_context))
            continue
        if group_start is not None and size + k > budget:
            flush()
        if group_start is None:
            group_start = child.start
        group.append(child)
        size += k
    flush()


def _with_tail(node: Section) -> list[Section]:
    """The children of a section, with the lines between or after them that belong to the section itself
    ("Đảng viên dự bị có các quyền trên đây, trừ …", see structure.CLOSING_RE) as spans of their own."""
    out: list[Section] = []
    for i, child in enumerate(node.children):
        out.append(child)
        until = node.children[i + 1].start if i + 1 < len(node.children) else node.end
        if child.end < until:
            out.append(Section(node.kind, node.number, "", child.end, until, parent=node))
    return out


def _context(parent_context: str, lead: str) -> str:
    """The lead-in a passage of items needs to be understood, cut at a word."""
    text = " … ".join(x for x in (parent_context, lead) if x)
    if len(text) <= CONTEXT_MAX_CHARS:
        return text
    return "… " + text[-CONTEXT_MAX_CHARS:].split(" ", 1)[-1]
