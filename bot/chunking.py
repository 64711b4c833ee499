"""Split cleaned text into sentences and passages, keeping character offsets.

Passages are whole sentences grouped up to a token budget that suits the
embedding model (e5-small reads at most 512 tokens), so every citation can
point at the exact span of the document it came from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Abbreviations after which a full stop does not end a sentence.
_NO_BREAK_BEFORE = re.compile(
    r"(?:\b(?:TP|Tp|tp|Q|P|TT|TS|ThS|PGS|GS|BS|KS|Th\.S|St|Mr|Ms|Dr|v\.v|tr|Tr|Đ/c|đ/c|số|No)|\b[A-ZĐ])$"
)
# A sentence ends at . ! ? … (with closing quotes/brackets) followed by space and
# a capital letter, an opening quote or a digit; or at a line break.
# The run of marks is matched whole and only from its first mark, so a long run costs linear time.
_END_RE = re.compile(r"(?<![.!?…])[.!?…]++[\"”’)\]]*(?=\s+[\"“‘(\[]?[A-ZĐÀ-Ỹ0-9])|\n+")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


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
    target_tokens: int = 200,
    max_tokens: int = 400,
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

    # A fragment of a few words ("Từ tháng 8/2019.") belongs with the sentence after it.
    glued: list[tuple[Span, int, bool]] = []
    carry: tuple[Span, int, bool] | None = None
    for span, n, ends in units:
        if carry is not None:
            if n + carry[1] <= max_tokens:
                span, n = Span(carry[0].start, span.end), n + carry[1]
            else:  # a piece of an overlong sentence: gluing would exceed the budget
                glued.append(carry)
            carry = None
        if not ends and len(text[span.start : span.end].split()) < 6 and n < max_tokens // 2:
            carry = (span, n, ends)
            continue
        glued.append((span, n, ends))
    if carry is not None:
        glued.append(carry)
    units = glued

    chunks: list[Chunk] = []
    cur: list[tuple[Span, int, bool]] = []

    def flush() -> None:
        if cur:
            s, e = cur[0][0].start, cur[-1][0].end
            chunks.append(Chunk(s, e, text[s:e], sum(u[1] for u in cur)))
            cur.clear()

    for unit in units:
        size = sum(u[1] for u in cur)
        if cur and size + unit[1] > target_tokens and (size + unit[1] > max_tokens or size >= target_tokens * 0.4):
            flush()
        cur.append(unit)
        if unit[2] and sum(u[1] for u in cur) >= target_tokens * 0.6:
            flush()
    flush()
    return chunks


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
