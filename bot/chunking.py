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
_END_RE = re.compile(r"[.!?…]+[\"”’)\]]*(?=\s+[\"“‘(\[]?[A-ZĐÀ-Ỹ0-9])|\n+")


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
        if m.group(0).strip() and _NO_BREAK_BEFORE.search(text[start : m.start()]):
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
            span, n = Span(carry[0].start, span.end), n + carry[1]
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


def _split_long(text: str, span: Span, count_tokens: Callable[[str], int], max_tokens: int) -> list[tuple[Span, int]]:
    """Cut one overlong sentence at clause boundaries (";", ","), or between words
    where a clause alone is too long, into pieces of at most ``max_tokens``."""
    bounds = [
        span.start,
        *(span.start + m.end() for m in re.finditer(r"[;,]\s+", text[span.start : span.end])),
        span.end,
    ]
    pieces: list[tuple[int, int]] = []
    for s, e in zip(bounds, bounds[1:], strict=False):
        if s >= e:
            continue
        if count_tokens(text[s:e]) <= max_tokens:
            pieces.append((s, e))
            continue
        ws = s
        for m in re.finditer(r"\S+\s*", text[s:e]):
            we = s + m.end()
            if we > ws and count_tokens(text[ws:we]) > max_tokens and s + m.start() > ws:
                pieces.append((ws, s + m.start()))
                ws = s + m.start()
        pieces.append((ws, e))
    out: list[tuple[Span, int]] = []
    cur_start, cur_end = pieces[0]
    for s, e in pieces[1:]:
        if count_tokens(text[cur_start:e]) <= max_tokens:
            cur_end = e
        else:
            out.append((cur_start, cur_end))
            cur_start, cur_end = s, e
    out.append((cur_start, cur_end))
    result = []
    for s, e in out:
        e = s + len(text[s:e].rstrip())
        result.append((Span(s, e), count_tokens(text[s:e])))
    return result
