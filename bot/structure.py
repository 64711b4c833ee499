"""The section tree of an official document: PHẦN / Chương / Mục / Điều / khoản / điểm.

Party documents number their content in a few known ways, often mixed in one
document: "PHẦN THỨ NHẤT", "Chương I", "Mục 2", "Điều 5.", Roman sections
("II. PHÁT TRIỂN ĐẢNG VIÊN"), decimal numbering ("1.", "1.1.", "1.1.1."),
lettered points ("a)", "b)") and "-" / "+" items.  Which kind nests inside which
is read from the order they appear in (as Markdown heading levels are): a kind
seen again closes everything opened after it.  "-" and "+" items are the body of
the smallest numbered unit above them, so a list never leaves its lead-in.

The input is the cleaned text, one paragraph per line; every section knows its
character span, so passages and citations can point at the exact place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .textnorm import is_caps

# Kinds, in the order they usually nest (used only to name the section in a citation).
PART, CHAPTER, CHAPTER_SECTION, ARTICLE, LETTER, ROMAN, DECIMAL, POINT = (
    "part",
    "chapter",
    "chapter_section",
    "article",
    "letter",
    "roman",
    "decimal",
    "point",
)
PREAMBLE = "preamble"
HEADER = "header"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (PART, re.compile(r"^phần\s+(thứ\s+[^\s.:]+|[IVXLC]+\b|\d+\b)[.:]?\s*", re.I)),
    (CHAPTER, re.compile(r"^chương\s+([IVXLC]+|\d+)\b[.:]?\s*", re.I)),
    (CHAPTER_SECTION, re.compile(r"^mục\s+([IVXLC]+|\d+)\b[.:]?\s*", re.I)),
    (ARTICLE, re.compile(r"^điều\s+(\d{1,3})\s*(?:[.:]\s*|$)", re.I)),
    # Roman sections go no further than XXXIX in practice; "C." and "D." are lettered parts.
    (ROMAN, re.compile(r"^([IVX]{1,6})[.)]\s+")),
    (LETTER, re.compile(r"^([A-ZĐ])[.)]\s+")),
    (DECIMAL, re.compile(r"^(\d{1,3}(?:\.\d{1,2}){1,4})\.?\s+|^(\d{1,3})[.)]\s+")),
    (POINT, re.compile(r"^([a-zđ])\)\s+")),
]
# A heading is cut to this many characters in a section path.
PATH_HEADING_CHARS = 60


@dataclass
class Section:
    kind: str
    number: str  # "11.4.4", "4", "II", "a", "thứ nhất"
    heading: str  # the section's first line, as written
    start: int
    end: int = 0
    depth: int = 0
    parent: Section | None = field(default=None, repr=False)
    children: list[Section] = field(default_factory=list, repr=False)
    closed_at: int | None = None  # where a closing line of its parent ends it (see CLOSING_RE)

    @property
    def key(self) -> tuple[str, int]:
        """What makes two sections siblings: the same kind (and for decimals, the same depth)."""
        return (self.kind, self.number.count(".") if self.kind == DECIMAL else 0)

    def ancestors(self) -> list[Section]:
        """From the top of the tree down to this section."""
        chain: list[Section] = []
        node: Section | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    @property
    def label(self) -> str:
        """How an officer cites it: "Điều 4, khoản 1", "mục 11.4.4, điểm a", "Phần thứ nhất, mục I"."""
        return section_label(self.ancestors())

    @property
    def path(self) -> str:
        """Breadcrumb of headings: "11. Điều 11 (…) › 11.4. … › 11.4.4. …"."""
        return " › ".join(_short(s.heading) for s in self.ancestors() if s.kind not in (PREAMBLE, HEADER))

    def head_end(self) -> int:
        """End of the section's own text, before its first subsection."""
        return self.children[0].start if self.children else self.end


def _short(text: str) -> str:
    text = text.strip()
    return text if len(text) <= PATH_HEADING_CHARS else text[: PATH_HEADING_CHARS - 1].rstrip() + "…"


def section_label(chain: list[Section]) -> str:
    parts: list[str] = []
    in_article = any(s.kind == ARTICLE for s in chain)
    in_roman = any(s.kind == ROMAN for s in chain)
    decimals = [s for s in chain if s.kind == DECIMAL]
    for s in chain:
        if s.kind == PART:
            parts.append(f"Phần {s.number.lower() if s.number.lower().startswith('thứ') else s.number}")
        elif s.kind == LETTER:
            parts.append(f"phần {s.number}")
        elif s.kind == CHAPTER and not in_article:
            parts.append(f"Chương {s.number}")
        elif s.kind == CHAPTER_SECTION and not in_article:
            parts.append(f"Mục {s.number}")
        elif s.kind == ARTICLE:
            parts.append(f"Điều {s.number}")
        elif s.kind == ROMAN:
            parts.append(f"mục {s.number}")
        elif s.kind == DECIMAL and s is decimals[-1]:
            if in_article and "." not in s.number:
                parts.append(f"khoản {s.number}")
            else:  # under a Roman section the decimals are points: "mục I, điểm 1.2"
                parts.append(f"{'điểm' if in_roman else 'mục'} {s.number}")
        elif s.kind == POINT:
            parts.append(f"điểm {s.number}")
        elif s.kind == PREAMBLE:
            parts.append("phần mở đầu")
        elif s.kind == HEADER:
            parts.append("phần đầu văn bản")
    return ", ".join(parts)


def _match(line: str) -> tuple[str, str, str] | None:
    """(kind, number, rest of the line) when the line opens a numbered section."""
    for kind, pattern in _PATTERNS:
        m = pattern.match(line)
        if m:
            number = next(g for g in m.groups() if g is not None)
            return kind, number.strip(), line[m.end() :].strip()
    return None


def parse_sections(text: str, body_start: int = 0, body_end: int | None = None) -> list[Section]:
    """Top-level sections of ``text[body_start:body_end]`` (their subsections hang below).

    Text before the first numbered line becomes a preamble section.
    """
    body_end = len(text) if body_end is None else body_end
    roots: list[Section] = []
    stack: list[Section] = []
    preamble: Section | None = None
    last_heading: Section | None = None
    for m in re.finditer(r"[^\n]+", text[body_start:body_end]):
        line = m.group(0).strip()
        start = body_start + m.start()
        found = _match(line)
        if found is None:
            # A title line in capitals right under "Chương I" / "PHẦN THỨ NHẤT" / "Điều 5." is its heading.
            if last_heading is not None and is_caps(line, CAPS_MIN_LETTERS):
                last_heading.heading = f"{last_heading.heading} {line}".strip()
                continue
            last_heading = None
            if len(stack) > 1 and stack[-1].kind in _ITEM_KINDS and CLOSING_RE.match(line):
                # "Đảng viên dự bị có các quyền trên đây, trừ …": said of the whole list, not of its last item.
                stack.pop().closed_at = start
                continue
            if not stack and preamble is None and not roots:
                preamble = Section(PREAMBLE, "", "", start)
                roots.append(preamble)
            continue
        kind, number, rest = found
        section = Section(kind, number, line, start)
        keys = [s.key for s in stack]
        if section.key in keys:
            del stack[keys.index(section.key) :]
        elif kind == DECIMAL and stack:
            # "2.1" after "1.3.2": close the deeper decimals too.
            depth = section.number.count(".")
            while stack and stack[-1].kind == DECIMAL and stack[-1].number.count(".") > depth:
                stack.pop()
        if stack:
            section.parent = stack[-1]
            section.depth = len(stack)
            stack[-1].children.append(section)
        else:
            roots.append(section)
        stack.append(section)
        heading_only = not rest or (kind in (PART, CHAPTER, CHAPTER_SECTION, ARTICLE) and len(rest) < 4)
        last_heading = section if heading_only and kind in (PART, CHAPTER, CHAPTER_SECTION, ARTICLE) else None
    _close(roots, body_end)
    return roots


def _close(nodes: list[Section], end: int) -> None:
    for i, node in enumerate(nodes):
        node.end = nodes[i + 1].start if i + 1 < len(nodes) else end
        if node.closed_at is not None:
            node.end = min(node.end, node.closed_at)
        _close(node.children, node.end)


# Items of a list, which a closing line of their parent ends; and that line: it speaks of the items above
# as a whole ("các quyền trên đây", "các trường hợp nêu trên", "những nội dung kể trên"; not "thời hạn
# nêu trên", which may be the item's own, nor a "-" item's words).
_ITEM_KINDS = frozenset({DECIMAL, POINT})
CLOSING_RE = re.compile(
    r"^(?![-+•*]).*?\b(?:các|những|cả)\s+(?:\w+\s+){0,3}(?:trên đây|nêu trên|kể trên|nói trên)\b", re.I
)


# A title line in capitals under "Chương I" has four letters at least (not a stray "II").
CAPS_MIN_LETTERS = 4


def walk(nodes: list[Section]) -> list[Section]:
    """Every section, depth first, in document order."""
    out: list[Section] = []
    for node in nodes:
        out.append(node)
        out.extend(walk(node.children))
    return out


def section_outline(text: str) -> list[tuple[str, str, str]]:
    """(label, heading, own text) of every numbered section of an official document's text:
    what two versions of a guideline are compared by ("What changed")."""
    from .header import parse_header  # the header module reads the letterhead; only needed here

    header = parse_header(text.split("\n"))
    if header is None:
        return []
    start, end = header.body_span(text)
    out = []
    for s in walk(parse_sections(text, start, end)):
        if s.kind in (PREAMBLE, HEADER):
            continue
        found = _match(s.heading.split("\n")[0])
        heading = found[2] if found else s.heading
        out.append((s.label, heading, text[s.start : s.head_end()].strip()))
    return out
