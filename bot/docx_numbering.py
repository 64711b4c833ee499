"""The numbers Word draws in front of list paragraphs ("1.", "a)", "II."), which python-docx
does not give: they live in the numbering part, not in the paragraph's text.

A Hướng dẫn typed in Word with automatic numbering would otherwise lose every clause number,
and with them the section structure and the citations ("mục 2, điểm b").  Supported: decimal,
lower/upper letters, lower/upper Roman numerals and bullets (drawn as "-"), ``%1…%9`` level
texts, start values and start overrides, numbering given on the paragraph or by its style.
"""

from __future__ import annotations

from dataclasses import dataclass

from docx.oxml.ns import qn

# Word allows nine list levels (0-8).
LEVELS = 9


@dataclass(frozen=True)
class _Level:
    fmt: str
    text: str
    start: int


def _roman(n: int) -> str:
    out = []
    for value, letters in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    # Vietnamese lists use a) b) c) d) đ) e): Word's own sequence has no đ, and the document shows Word's.
    return "abcdefghijklmnopqrstuvwxyz"[(n - 1) % 26] * ((n - 1) // 26 + 1)


def _format(fmt: str, n: int) -> str:
    if fmt == "decimal" or fmt == "decimalZero":
        return f"{n:02d}" if fmt == "decimalZero" else str(n)
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    return str(n)


class Numbering:
    """Draws the list labels of a document's paragraphs, in document order."""

    def __init__(self, document) -> None:  # a docx.Document
        self.document = document
        self.levels: dict[int, dict[int, _Level]] = {}
        self.counters: dict[int, list[int | None]] = {}
        try:
            part = document.part.numbering_part
        except (KeyError, NotImplementedError, AttributeError):
            return
        root = part.element
        abstract: dict[str, dict[int, _Level]] = {}
        for node in root.findall(qn("w:abstractNum")):
            abstract[node.get(qn("w:abstractNumId"))] = {
                int(lvl.get(qn("w:ilvl"), "0")): self._level(lvl) for lvl in node.findall(qn("w:lvl"))
            }
        for num in root.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is None:
                continue
            levels = dict(abstract.get(ref.get(qn("w:val")), {}))
            for override in num.findall(qn("w:lvlOverride")):
                ilvl = int(override.get(qn("w:ilvl"), "0"))
                start = override.find(qn("w:startOverride"))
                if start is not None and ilvl in levels:
                    old = levels[ilvl]
                    levels[ilvl] = _Level(old.fmt, old.text, int(start.get(qn("w:val"))))
            self.levels[int(num.get(qn("w:numId")))] = levels

    @staticmethod
    def _level(lvl) -> _Level:
        def val(tag: str, default: str) -> str:
            node = lvl.find(qn(tag))
            return node.get(qn("w:val")) if node is not None and node.get(qn("w:val")) is not None else default

        return _Level(val("w:numFmt", "decimal"), val("w:lvlText", "%1."), int(val("w:start", "1")))

    def _num_pr(self, paragraph) -> tuple[int, int] | None:
        """(numId, ilvl) from the paragraph, else from its style chain."""
        p_pr = paragraph._p.pPr
        if p_pr is not None and p_pr.numPr is not None and p_pr.numPr.numId is not None:
            ilvl = p_pr.numPr.ilvl.val if p_pr.numPr.ilvl is not None else 0
            return int(p_pr.numPr.numId.val), int(ilvl)
        style = paragraph.style
        while style is not None:
            s_pr = style.element.pPr
            if s_pr is not None and s_pr.numPr is not None and s_pr.numPr.numId is not None:
                ilvl = s_pr.numPr.ilvl.val if s_pr.numPr.ilvl is not None else 0
                return int(s_pr.numPr.numId.val), int(ilvl)
            style = style.base_style
        return None

    def label(self, paragraph) -> str:
        """The label Word draws before this paragraph ("" when it is not a list item).

        Call it for the paragraphs in document order: the counters advance as Word's do.
        """
        found = self._num_pr(paragraph)
        if found is None:
            return ""
        num_id, ilvl = found
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels or num_id == 0:
            return ""
        counters = self.counters.setdefault(num_id, [None] * LEVELS)
        level = levels[ilvl]
        counters[ilvl] = level.start if counters[ilvl] is None else counters[ilvl] + 1
        for deeper in range(ilvl + 1, LEVELS):
            counters[deeper] = None  # a new item restarts the levels below it
        if level.fmt == "bullet":
            return "-"
        if level.fmt == "none":
            return ""
        text = level.text
        for k in range(LEVELS):
            if f"%{k + 1}" in text:
                lvl = levels.get(k)
                n = counters[k] if counters[k] is not None else (lvl.start if lvl else 1)
                text = text.replace(f"%{k + 1}", _format(lvl.fmt if lvl else "decimal", n))
        return text.strip()
