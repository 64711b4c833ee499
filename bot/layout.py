"""PDF pages as published → reading text: page furniture dropped, wrapped lines re-joined.

pypdf returns a PDF's visual lines: a sentence breaks wherever the printed line
ended, page numbers and running headers sit between the halves of a clause that
continues on the next page.  This module turns the pages into one paragraph per
line and remembers where every page starts, so a passage can cite its page.

Page starts travel through cleaning as inline marks (``PAGE_MARK`` + number +
``PAGE_END``): cleaning changes offsets, the marks move with the text, and
:func:`take_page_marks` removes them once the text is final.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter

from .textnorm import fold, is_caps, is_syllable

PAGE_MARK = "\ue000"
PAGE_END = "\ue001"
_MARK_RE = re.compile(PAGE_MARK + r"(\d+)" + PAGE_END)

# A line repeated at the top or bottom of at least this share of pages is a running header/footer.
FURNITURE_SHARE = 0.3
# ...and it must repeat on at least this many pages (a two-page letter has no running header).
FURNITURE_MIN_PAGES = 3
# How many lines at each edge of a page can hold furniture.
FURNITURE_EDGE_LINES = 2
# A line at least this share of the document's usual full line length was wrapped by the printer.
FULL_LINE_SHARE = 0.78

_PAGE_NUMBER_RE = re.compile(r"^(?:-\s*)?(?:trang\s+)?\d{1,4}(?:\s*/\s*\d{1,4})?(?:\s*-)?$", re.I)
# Lines that open a new paragraph whatever the line before looked like.
STRUCTURE_START_RE = re.compile(
    r"^(?:"
    r"(?:phần|chương|mục|điều|phụ lục)\s+[\dIVXLC]+\b"  # Chương I, Điều 5, Mục 2
    r"|phần\s+thứ\s+\w+"  # PHẦN THỨ NHẤT
    r"|[IVXLC]{1,6}[.)]\s"  # I. II.
    r"|\d{1,3}(?:\.\d{1,3}){0,4}[.)]\s"  # 1. 1.1. 1.1.1. 2)
    r"|[a-zđ][)]\s"  # a) b)
    r"|[-–+•*]\s"  # - items, + items
    r"|\(\d{1,2}\)\s"  # (1) items
    r"|nơi nhận\s*:"
    r"|(?:t/m|k/t|tm\.|kt\.|t\.m\.|k\.t\.)\s"
    r")",
    re.I,
)
_SENTENCE_END = (".", ":", "!", "?", "…", '."', ".”")


def _shape(line: str) -> str:
    """A line with its digits hidden: "Trang 3/35" and "Trang 4/35" have one shape."""
    return re.sub(r"\d+", "#", fold(line).strip())


def _furniture(pages: list[list[str]]) -> set[str]:
    """Shapes of the lines that repeat at the top or bottom of many pages."""
    if len(pages) < FURNITURE_MIN_PAGES:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        content = [line for line in lines if line.strip()]
        edges = content[:FURNITURE_EDGE_LINES] + content[-FURNITURE_EDGE_LINES:]
        counts.update({_shape(line) for line in edges})
    need = max(FURNITURE_MIN_PAGES, int(len(pages) * FURNITURE_SHARE))
    return {shape for shape, n in counts.items() if n >= need and shape}


def _strip_furniture(lines: list[tuple[str, bool]], repeated: set[str]) -> list[tuple[str, bool]]:
    """Drop page numbers and running headers/footers at the page's edges (lines as (text, bold))."""
    content = [line for line in lines if line[0].strip()]

    def is_furniture(line: tuple[str, bool]) -> bool:
        text = line[0].strip()
        return bool(_PAGE_NUMBER_RE.match(text)) or _shape(text) in repeated

    # Only the edges: "2" in the middle of a page is content (a table cell, a list number).
    for _ in range(FURNITURE_EDGE_LINES):
        if content and is_furniture(content[0]):
            content = content[1:]
        if content and is_furniture(content[-1]):
            content = content[:-1]
    return content


# Six letters at least: "XIII," wrapped onto its own line is not a heading.
CAPS_MIN_LETTERS = 6


def _joins(prev: str, nxt: str, full: int) -> bool:
    """Was the break between these two printed lines made by the printer, not the author?"""
    if STRUCTURE_START_RE.match(nxt) or is_caps(prev, CAPS_MIN_LETTERS) != is_caps(nxt, CAPS_MIN_LETTERS):
        return False  # a numbered item, or a heading in capitals, starts here
    if prev.endswith(_SENTENCE_END):
        return False
    is_full = len(prev) >= full * FULL_LINE_SHARE
    if prev.endswith(";"):
        # List items end with ";"; only a full line followed by a lower-case word was wrapped there.
        return is_full and nxt[:1].islower()
    # A full line was wrapped by the printer; a short one only when the next line goes on in lower case.
    return is_full or nxt[:1].islower()


def _join(prev: str, nxt: str, mark: str = "") -> str:
    m = re.search(r"(\w+)-$", prev)
    if m and nxt[:1].islower() and not is_syllable(m.group(1)):
        return prev[:-1] + mark + nxt  # a syllable cut in two by a hyphen
    return f"{prev} {mark}{nxt}"


def reflow_pages(pages: list[str], bold: list[list[bool]] | None = None) -> str:
    """One paragraph per line, with page marks where each page's text starts.

    ``bold``, when the PDF's fonts are known, says which of each page's lines (``splitlines()``) are
    printed in bold: a bold line next to a plain one that starts with a capital is a heading and its
    body, never one wrapped line ("4.3. Bản nhận xét … được phân công giúp đỡ" over "Đảng viên được phân
    công …"); one that goes on in lower case is still the same sentence ("… các hội quần" over "chúng")."""
    split = [
        [
            (re.sub(r"\s+", " ", line).strip(), bool(bold and i < len(bold) and j < len(bold[i]) and bold[i][j]))
            for j, line in enumerate((page or "").splitlines())
        ]
        for i, page in enumerate(pages)
    ]
    repeated = _furniture([[text for text, _ in lines] for lines in split])
    kept = [_strip_furniture(lines, repeated) for lines in split]
    lengths = sorted(len(line) for lines in kept for line, _ in lines if line)
    # The usual full line: long lines are full lines; the 90th percentile ignores the odd overlong one.
    full = lengths[int(len(lengths) * 0.9)] if lengths else 80
    paragraphs: list[str] = []
    last_bold = False
    for number, lines in enumerate(kept, 1):
        first = True
        for line, heavy in lines:
            if not line:
                continue
            mark = f"{PAGE_MARK}{number}{PAGE_END}" if first else ""
            restyled = heavy != last_bold and line[:1].isupper()
            if paragraphs and not restyled and _joins(_unmarked(paragraphs[-1]), line, full):
                paragraphs[-1] = _join(paragraphs[-1], line, mark)
            else:
                paragraphs.append(mark + line)
            first = False
            last_bold = heavy
    return "\n".join(paragraphs)


def _unmarked(text: str) -> str:
    return _MARK_RE.sub("", text)


def take_page_marks(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Remove the page marks; return the text and (offset, page) for each page start."""
    starts: list[tuple[int, int]] = []
    out: list[str] = []
    pos = 0
    length = 0
    for m in _MARK_RE.finditer(text):
        out.append(text[pos : m.start()])
        length += m.start() - pos
        starts.append((length, int(m.group(1))))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), starts


def page_at(page_starts: list[tuple[int, int]], offset: int) -> int | None:
    """The page on which the character at ``offset`` is printed."""
    if not page_starts:
        return None
    i = bisect_right([s for s, _ in page_starts], offset) - 1
    return page_starts[max(i, 0)][1]
