"""The header and footer of an official Party document (thể thức văn bản của Đảng).

An official document opens with a block of short lines: the issuing body at the
top left ("BAN CHẤP HÀNH TRUNG ƯƠNG", "THÀNH ỦY HÀ NỘI / BAN TỔ CHỨC"), the motto
"ĐẢNG CỘNG SẢN VIỆT NAM", "Số 294-QĐ/TW", "Hà Nội, ngày 26 tháng 5 năm 2025",
the type word in capitals ("QUY ĐỊNH") and the subject line (trích yếu), then
the "Căn cứ …" preamble.  It closes with the distribution list ("Nơi nhận:") and
the signer block ("T/M BAN BÍ THƯ", the office, the name).  Each is read where
present and left empty where absent or left blank ("Số     -HD/BTCTU") — never
invented.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from .doctypes import DocType
from .textnorm import fold, has_diacritics, is_caps

# The type word is within the first lines of the header block.
HEADER_LINES = 20
# The subject line runs over at most this many lines after the type word.
SUBJECT_MAX_LINES = 3
# The distribution list and the signer block are in the last part of the document.
TAIL_SHARE = 0.3

_MOTTO = "dang cong san viet nam"
_SEPARATOR_RE = re.compile(r"^[\s*\-–—_=.~]+$")
_NUMBER_LINE_RE = re.compile(r"^s[oố]\s*[:.]?\s*(\d{1,4})?\s*[-–]?\s*([A-ZĐ]{1,6}(?:\s*/\s*[A-ZĐ0-9]{1,10})+)?", re.I)
_PLACE_DATE_RE = re.compile(
    r"(?:^|\s)([A-ZĐÀ-Ỹ][^\d,;:]{1,40}),\s*ngày\s*(\d{1,2})?\s*tháng\s*(\d{1,2})?\s*năm\s*(\d{4})", re.I
)
_BASIS_RE = re.compile(r"^[-–+]?\s*(căn cứ|thực hiện|xét)\b", re.I)


def is_basis(text: str) -> bool:
    """Does a preamble cite what the document implements ("Căn cứ Điều lệ Đảng; …", "Thực hiện …") rather
    than say something of its own (the Điều lệ's "Đảng Cộng sản Việt Nam là đội tiên phong …")?"""
    first = next((line for line in text.split("\n") if line.strip()), "")
    return bool(_BASIS_RE.match(first.strip()))


_SIGN_RE = re.compile(r"^(t/m|k/t|tm\.|kt\.|t\.m\.|k\.t\.|q\.|thừa lệnh|tl\.)\s", re.I)
_RECIPIENTS_RE = re.compile(r"^nơi nhận\s*:?", re.I)
# Issuing bodies written as "parent / organ": the organ comes first in the name ("Ban Tổ chức Thành ủy Hà Nội").
_ORGAN_RE = re.compile(r"^(ban|văn phòng|ủy ban|uỷ ban|đảng ủy|đảng uỷ|chi bộ|đảng đoàn|ban cán sự)\b", re.I)
_ROMAN_RE = re.compile(r"^[IVXLC]+$")


@dataclass
class Header:
    doc_type: DocType
    issuer: str | None = None
    number: str | None = None  # "294-QĐ/TW"
    place: str | None = None
    issued: str | None = None  # ISO date; None when the day or month is left blank
    subject: str = ""  # the trích yếu, in the document's own casing where it can be recovered
    signer: str | None = None
    signer_role: str | None = None  # "T/M BAN BÍ THƯ", "K/T TRƯỞNG BAN, PHÓ TRƯỞNG BAN"
    basis: list[str] = field(default_factory=list)  # "Căn cứ …" lines
    body_start: int = 0  # line index where the content starts (after the header block)
    tail_start: int | None = None  # line index where the distribution list / signer block starts

    def body_span(self, text: str) -> tuple[int, int]:
        """Character offsets of the content in ``text`` (the lines the header was read from): after the
        header block, before the distribution list and signature (when those come after the content)."""
        lines = text.split("\n")
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line) + 1)
        start = offsets[min(self.body_start, len(lines))]
        tail = self.tail_start
        end = min(offsets[tail], len(text)) if tail is not None and tail > self.body_start else len(text)
        return start, end

    @property
    def title(self) -> str:
        label = self.doc_type.label + (f" {self.number}" if self.number else "")
        return f"{label} {self.subject}".strip()


# Letterhead lines in capitals: two letters are enough ("BAN TỔ CHỨC", even a short "TW").
CAPS_MIN_LETTERS = 2


def _type_of(line: str) -> DocType | None:
    """The document type when this line is a type word in capitals ("QUY ĐỊNH", "ĐIỀU LỆ")."""
    text = line.strip().rstrip(".:")
    if not is_caps(text, CAPS_MIN_LETTERS):
        return None
    t = DocType.parse(text)
    return t if t is not None and t is not DocType.NEWS else None


def parse_header(lines: list[str]) -> Header | None:
    """Read the official header of a document given as lines (one paragraph each).

    Returns None for a text that does not open like an official document (news).
    """
    head = [(i, line.strip()) for i, line in enumerate(lines[: HEADER_LINES * 2]) if line.strip()][:HEADER_LINES]
    type_at = next(((n, i, t) for n, (i, line) in enumerate(head) if (t := _type_of(line))), None)
    if type_at is None:
        return None
    n_type, i_type, doc_type = type_at
    before = [line for _, line in head[:n_type]]
    # An official document has its letterhead above the type word: the motto, a number or a dated place.
    if not any(fold(b).strip(" .") == _MOTTO or _NUMBER_LINE_RE.match(b) or _PLACE_DATE_RE.search(b) for b in before):
        return None
    h = Header(doc_type)
    h.issuer = _issuer(before)
    for b in before:
        m = _NUMBER_LINE_RE.match(b)
        if m and h.number is None and m.group(1):
            code = re.sub(r"\s+", "", m.group(2) or "").upper()
            h.number = f"{int(m.group(1)):02d}-{code}" if code else m.group(1)
        d = _PLACE_DATE_RE.search(b)
        if d and h.place is None:
            h.place = d.group(1).strip()
            h.issued = _iso(d.group(2), d.group(3), d.group(4))
    subject, body_start = _subject(lines, i_type)
    h.subject = subject
    h.body_start = body_start
    for line in lines[body_start : body_start + 12]:
        if _BASIS_RE.match(line.strip()):
            h.basis.append(line.strip().lstrip("-–+ ").strip())
    h.tail_start, h.signer_role, h.signer = _tail(lines)
    return h


def _issuer(before: list[str]) -> str | None:
    """The capitalised lines at the top left, above the motto / number / date."""
    parts: list[str] = []
    for line in before:
        f = fold(line).strip(" .")
        if f == _MOTTO or _SEPARATOR_RE.match(line) or _NUMBER_LINE_RE.match(line) or _PLACE_DATE_RE.search(line):
            if parts:
                break
            continue
        if not is_caps(line, CAPS_MIN_LETTERS):
            break
        parts.append(line.strip())
    if not parts:
        return None
    if len(parts) == 2 and _ORGAN_RE.match(parts[1]):
        parts = [parts[1], parts[0]]  # "THÀNH ỦY HÀ NỘI / BAN TỔ CHỨC" → Ban Tổ chức Thành ủy Hà Nội
    return " ".join(parts)


def _subject(lines: list[str], i_type: int) -> tuple[str, int]:
    """The subject line(s) after the type word; and where the content starts."""
    parts: list[str] = []
    i = i_type + 1
    while i < len(lines) and len(parts) < SUBJECT_MAX_LINES:
        line = lines[i].strip()
        if not line:
            i += 1
            continue
        if (
            _SEPARATOR_RE.match(line)
            or (_BASIS_RE.match(line) and (parts or not fold(line).startswith("thuc hien")))
            or line.startswith(("(", "-", "–", "+"))
            or re.match(r"^(\d+\.|[IVX]+\.|điều\s+\d|chương\s|phần\s)", line, re.I)
            or len(line) > 250
            or line.endswith((".", ";"))
            or (parts and is_caps(parts[-1], CAPS_MIN_LETTERS) != is_caps(line, CAPS_MIN_LETTERS))
        ):
            break
        parts.append(line)
        i += 1
    while i < len(lines) and (not lines[i].strip() or _SEPARATOR_RE.match(lines[i].strip())):
        i += 1
    return " ".join(parts), i


def _tail(lines: list[str]) -> tuple[int | None, str | None, str | None]:
    """Where "Nơi nhận:" / the signer block start, the signer's role and name."""
    first = int(len(lines) * (1 - TAIL_SHARE))
    start = None
    for i in range(len(lines) - 1, first - 1, -1):
        line = lines[i].strip()
        if _RECIPIENTS_RE.match(line) or _SIGN_RE.match(line):
            start = i
    if start is None:
        return None, None, None
    tail = [line.strip() for line in lines[start:] if line.strip()]
    role_lines: list[str] = []
    for n, line in enumerate(tail):
        if _SIGN_RE.match(line):
            role_lines = [line]
            for nxt in tail[n + 1 : n + 3]:
                if is_caps(nxt, CAPS_MIN_LETTERS) and not nxt.startswith("-"):
                    role_lines.append(nxt)
                else:
                    break
            break
    role = ", ".join(role_lines) or None
    name = None
    for line in reversed(tail):
        words = line.split()
        if (
            2 <= len(words) <= 5
            and all(w[:1].isupper() for w in words)
            and not is_caps(line, CAPS_MIN_LETTERS)
            and not line.startswith(("-", "–"))
            and not line.endswith((",", ".", ";", ":"))
        ):
            name = line
            break
        if line.startswith("-"):
            break
    return start, role, name


def _iso(d: str | None, m: str | None, y: str | None) -> str | None:
    if not (d and m and y):
        return None
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def recase(text: str, body: str) -> str:
    """Give a heading the casing its words have in the document's body.

    "THI HÀNH ĐIỀU LỆ ĐẢNG" → "thi hành Điều lệ Đảng": each word takes the casing it has
    inside sentences of the body in the same company — next to both of its neighbours if
    that occurs, else next to one of them, else alone — so "Điều lệ Đảng" keeps its capitals
    while "điều" and "đảng" alone do not.  Roman numerals stay in capitals.  A heading that
    is not in capitals keeps its casing, but for its first word.
    """
    words = text.split()
    if not words:
        return text
    caps = is_caps(text, CAPS_MIN_LETTERS)
    tokens = re.findall(r"\w+|[.!?:;]", body)
    # Match as written when the heading has diacritics: "ĐẢNG CỘNG" is not "đảng công".
    key = str.lower if has_diacritics(text) else fold
    folded_tokens = [key(t) for t in tokens]
    where: dict[str, list[int]] = {}
    for k, ft in enumerate(folded_tokens):
        if k > 0 and tokens[k][0].isalpha() and tokens[k - 1] not in ".!?:;":
            where.setdefault(ft, []).append(k)  # sentence-initial capitals say nothing
    folded = [key(re.sub(r"\W", "", w)) for w in words]

    def shape_votes(n: int) -> Counter[bool]:
        positions = where.get(folded[n], [])
        prev = folded[n - 1] if n > 0 else None
        nxt = folded[n + 1] if n + 1 < len(words) else None
        tests = [
            lambda k: (
                (prev is None or folded_tokens[k - 1] == prev)
                and (nxt is None or k + 1 < len(tokens) and folded_tokens[k + 1] == nxt)
            ),
            lambda k: prev is not None and folded_tokens[k - 1] == prev,
            lambda k: nxt is not None and k + 1 < len(tokens) and folded_tokens[k + 1] == nxt,
            lambda k: True,
        ]
        for test in tests:
            votes = Counter(tokens[k][0].isupper() for k in positions if test(k))
            if votes:
                return votes
        return Counter()

    out = []
    for n, word in enumerate(words):
        bare = re.sub(r"\W", "", word)
        if _ROMAN_RE.match(bare) or re.search(r"\d", word) or (not caps and n > 0):
            out.append(word)
            continue
        votes = shape_votes(n)
        lower = word.lower()
        out.append(lower[:1].upper() + lower[1:] if votes[True] > votes[False] else lower)
    return " ".join(out)
