"""Which guidance is in force: relations between documents, their status, same-number documents.

A Party document says what it does to earlier ones: "Hướng dẫn này có hiệu lực thi hành kể từ
ngày ký và thay thế Hướng dẫn số 01-HD/TW, ngày 28/9/2021", "các quy định trước đây trái với nội
dung Quy định này đều bãi bỏ", "điều chỉnh, bổ sung một số nội dung Chỉ thị 35-CT/TW, ngày
14/6/2024". This module reads those statements (:func:`extract_relations`, :func:`effective_date`),
takes the admin's corrections from the sidecar or front matter (:func:`relations_from_overrides`),
and works out for a set of documents which are in force (:func:`resolve_status`).

A document is its type, number, code *and date*: two different directives are both "Chỉ thị
35-CT/TW" (30/5/2019 and 14/6/2024). :func:`find_dated_refs` keeps the date written after a
number, :func:`same_number_groups` and :func:`pick_by_question` deal with the ambiguity.

Everything here is pure. Every regex quantifier is bounded and each match attempt looks at most a
fixed number of characters ahead, so a long token or a run of "1/2/3/…" stays linear.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from difflib import SequenceMatcher
from enum import StrEnum

from .errors import LoadError, SkipReason
from .metadata import _KIND_LABEL, DocRef
from .terms import Term, roman_to_int
from .textnorm import fold, normalize

# ---------------------------------------------------------------------------------------------
# Document references with their dates
# ---------------------------------------------------------------------------------------------

KIND_LABELS: dict[str, str] = {
    **_KIND_LABEL,
    "quy che": "Quy chế",
    "thong tri": "Thông tri",
    "cong van": "Công văn",
    "to trinh": "Tờ trình",
    "bao cao": "Báo cáo",
    "nghi dinh": "Nghị định",
    "thong tu": "Thông tư",
}
_KIND_WORDS = (
    "chi thi",
    "huong dan",
    "ke hoach",
    "quy dinh",
    "quyet dinh",
    "nghi quyet",
    "ket luan",
    "thong bao",
    "thong tri",
    "quy che",
    "cong van",
    "to trinh",
    "bao cao",
    "nghi dinh",
    "thong tu",
)
# Type letters of Party numbers ("35-CT/TW"). "QĐ/TW" numbers both Quy định and Quyết định (one
# counter): when only the code is written, "quy định" is assumed; a written type word always wins.
PARTY_CODE_KINDS = {
    "ct": "chi thi",
    "hd": "huong dan",
    "kh": "ke hoach",
    "qd": "quy dinh",
    "nq": "nghi quyet",
    "kl": "ket luan",
    "tb": "thong bao",
    "tt": "thong tri",
    "qc": "quy che",
    "cv": "cong van",
    "ttr": "to trinh",
    "bc": "bao cao",
}
# Type letters of State numbers ("2437/QĐ-TTg", "26/2023/NĐ-CP"): here QĐ is always a decision.
STATE_CODE_KINDS = {
    "qd": "quyet dinh",
    "nd": "nghi dinh",
    "tt": "thong tu",
    "nq": "nghi quyet",
    "ct": "chi thi",
    "kh": "ke hoach",
    "cv": "cong van",
    "tb": "thong bao",
}
# Kinds that share one numbering: a "QĐ/TW" number is the same document whichever word is used.
_KIND_FAMILY = {"quyet dinh": "quy dinh"}

DOC_TYPE_KINDS = {
    "directive": "chi thi",
    "instruction": "huong dan",
    "plan": "ke hoach",
    "regulation": "quy dinh",
    "resolution": "nghi quyet",
    "decision": "quyet dinh",
    "conclusion": "ket luan",
}


def _ws(phrase: str) -> str:
    """A folded phrase as a regex whose word gaps may be a line break (PDF text breaks lines anywhere)."""
    return phrase.replace(" ", r"\s{1,3}")


_KIND_ALT = "|".join(_ws(w) for w in sorted(_KIND_WORDS, key=len, reverse=True))
_DASH = "[-\u2010\u2011\u2012\u2013\u2014\u2212]"
_REF_RE = re.compile(
    rf"(?:\b(?P<kind>{_KIND_ALT})(?:\s{{1,3}}so)?\s{{0,3}}:?\s{{0,3}})?"
    r"\b(?P<num>\d{1,5})"
    r"(?:"
    # Party: 35-CT/TW, 08 –HD/BTCTU, 163-KH/BTGDVTW
    rf"\s{{0,3}}{_DASH}\s{{0,3}}(?P<c1>[a-z]{{1,6}})\s{{0,2}}/\s{{0,2}}(?P<c2>[a-z][a-z0-9]{{0,11}})(?![a-z0-9])"
    # State: 2437/QĐ-TTg, 26/2023/NĐ-CP
    rf"|(?:/(?P<sy>(?:19|20)\d\d))?/(?P<s1>[a-z]{{1,6}}){_DASH}(?P<s2>[a-z][a-z0-9]{{0,11}})(?![a-z0-9])"
    r"|(?![\d]|[.,/]\d)"
    r")"
)
# What may follow a number to give its date: ", ngày 28/9/2021", " ngày 30-5-2019 của …",
# " của Bộ Chính trị ngày 30/5/2019", " ngày 26 tháng 5 năm 2025", " 2021-09-28", " năm 2024", " (2019)".
_DATE_AFTER_RE = re.compile(
    r"[\s,(]{0,4}(?:ban\s{1,3}hanh\s{1,3})?"
    r"(?:cua(?:\s{1,3}[a-z]{1,12}){1,8}\s{0,3},?\s{0,3}(?=ngay))?"
    r"(?:ngay(?:\s{1,3}ky)?\s{0,3})?"
    r"(?:(?P<d>\d{1,2})\s{0,3}(?:[/.\-]|thang)\s{0,3}(?P<m>\d{1,2})\s{0,3}(?:[/.\-]|nam)\s{0,3}(?P<y>\d{4})(?!\d)"
    r"|(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})(?!\d)"
    r"|nam\s{1,3}(?P<yo>(?:19|20)\d\d)(?!\d)"
    r"|(?P<yp>(?:19|20)\d\d)(?=\s{0,2}\))"
    r"|(?P<yb>(?:19|20)\d\d)(?![\d/.\-]))"  # "Quyết định 2437/QĐ-TTg 2025", as legal news sites write
)
DATE_WINDOW = 90  # characters after a number searched for its date ("của Ban Chấp hành Trung ương ngày …")


def _iso(d: int | str, m: int | str, y: int | str) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def _aligned(text: str) -> tuple[str, str]:
    """(normalised text, folded text of the same length) so positions in one index the other."""
    t = normalize(text)
    f = fold(t)
    if len(f) != len(t):  # combining marks without a precomposed form: fold one character at a time
        f = "".join((fold(c) or " ")[:1] for c in t)
    return t, f


@dataclass(frozen=True)
class RefMatch:
    """A document reference found in a text, with where it was written (its date included)."""

    ref: DocRef
    start: int
    end: int  # after the date when one was written


def _display_code(raw: str) -> str:
    code = re.sub(r"\s+", "", raw)
    code = re.sub(_DASH, "-", code)
    return code.upper() if code == code.lower() else code


def _refs_in(t: str, f: str) -> list[RefMatch]:
    out: list[RefMatch] = []
    for m in _REF_RE.finditer(f):
        word = " ".join(m.group("kind").split()) if m.group("kind") else None
        if m.group("c1"):
            letters = m.group("c1")
            kind = word or PARTY_CODE_KINDS.get(letters, letters)
            code = _display_code(t[m.start("c1") : m.end("c2")])
        elif m.group("s1"):
            letters = m.group("s1")
            kind = word or STATE_CODE_KINDS.get(letters, letters)
            code = _display_code(t[m.start("s1") : m.end("s2")])
        elif word:
            kind, code = word, ""
        else:
            continue  # a bare number is not a reference
        issued, year = None, None
        if m.group("sy"):
            year = int(m.group("sy"))
        end = m.end()
        d = _DATE_AFTER_RE.match(f, end, min(len(f), end + DATE_WINDOW))
        if d:
            if d.group("y"):
                issued = _iso(d.group("d"), d.group("m"), d.group("y"))
                year = int(d.group("y")) if issued else year
            elif d.group("iy"):
                issued = _iso(d.group("id"), d.group("im"), d.group("iy"))
                year = int(d.group("iy")) if issued else year
            else:
                year = int(d.group("yo") or d.group("yp") or d.group("yb"))
            if issued or year:
                end = d.end()
        if issued:
            year = int(issued[:4])
        start = m.start("kind") if word else m.start("num")
        out.append(RefMatch(DocRef(kind, m.group("num"), code, issued, year), start, end))
    return out


def find_dated_refs(text: str) -> list[RefMatch]:
    """Every document reference in the text with its date when one is written right after it.

    "Hướng dẫn số 01-HD/TW, ngày 28/9/2021" -> Hướng dẫn 01-HD/TW, issued 2021-09-28;
    "Chỉ thị số 35-CT/TW ngày 30-5-2019 của Bộ Chính trị" -> Chỉ thị 35-CT/TW, 2019-05-30;
    "Kết luận 118-KL/TW" -> Kết luận 118-KL/TW, no date; "Quyết định 190-QĐ/TW năm 2024" keeps the
    word "quyết định" and the year. Repeats are kept (positions differ).
    """
    t, f = _aligned(text)
    return _refs_in(t, f)


def parse_ref(text: str) -> DocRef | None:
    """The first document reference in a short text ("Hướng dẫn 01-HD/TW 2021-09-28", "01-HD/TW")."""
    found = find_dated_refs(text)
    return found[0].ref if found else None


def kind_family(kind: str) -> str:
    return _KIND_FAMILY.get(kind, kind)


def _code_key(code: str) -> str:
    return fold(code).upper()


def same_series(a: DocRef, b: DocRef) -> bool:
    """Same type, number and code (when both are written): "Chỉ thị 35" and "35-CT/TW" are one series.

    Documents of one series may still differ by date (see :func:`same_document`).
    """
    if kind_family(a.kind) != kind_family(b.kind):
        return False
    try:
        if int(a.number) != int(b.number):
            return False
    except ValueError:
        return a.number == b.number
    return not (a.code and b.code and _code_key(a.code) != _code_key(b.code))


def ref_year(ref: DocRef) -> int | None:
    if ref.issued:
        return int(ref.issued[:4])
    return ref.year


def same_document(a: DocRef, b: DocRef, unknown_date_matches: bool = True) -> bool:
    """Same series and no conflicting date; an unknown date does not conflict unless
    ``unknown_date_matches`` is False (then both must have the same known year)."""
    if not same_series(a, b):
        return False
    if a.issued and b.issued:
        return a.issued == b.issued
    ya, yb = ref_year(a), ref_year(b)
    if ya is None or yb is None:
        return unknown_date_matches
    return ya == yb


def format_date(iso: str | None) -> str:
    """'2025-06-09' -> '09/06/2025'."""
    if not iso:
        return ""
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", iso)
    return f"{m.group(3)}/{m.group(2)}/{m.group(1)}" if m else iso


def ref_label(ref: DocRef, with_date: bool = True) -> str:
    """'Hướng dẫn 06-HD/TW (09/06/2025)'; '(2019)' when only the year is known."""
    base = f"{KIND_LABELS.get(ref.kind, ref.kind)} {ref.number}" + (f"-{ref.code}" if ref.code else "")
    if ref.code and "/" not in ref.code and "-" in ref.code:  # State style: 2437/QĐ-TTg
        base = f"{KIND_LABELS.get(ref.kind, ref.kind)} {ref.number}/{ref.code}"
    if with_date and ref.issued:
        return f"{base} ({format_date(ref.issued)})"
    if with_date and ref.year:
        return f"{base} ({ref.year})"
    return base


def docref_from_meta(doc_type: str, doc_number: str | None, published: str | None) -> DocRef | None:
    """A document's own identity from its metadata (doc_type "instruction", number "06-HD/TW", date)."""
    if not doc_number:
        return None
    ref = parse_ref(doc_number)
    if ref is None:
        m = re.match(r"\s*(\d{1,5})", doc_number)
        kind = DOC_TYPE_KINDS.get(doc_type)
        if not (m and kind):
            return None
        ref = DocRef(kind, m.group(1))
    kind = DOC_TYPE_KINDS.get(doc_type)
    if kind and kind_family(kind) == kind_family(ref.kind):
        ref = replace(ref, kind=kind)  # "decision" keeps "quyết định" for a QĐ/TW number
    if published and re.match(r"\d{4}-\d{2}-\d{2}$", published):
        ref = replace(ref, issued=published, year=int(published[:4]))
    return ref


_OWN_NUMBER_RE = re.compile(
    r"^\s{0,10}so\s{0,3}[:.]?\s{0,3}(\d{1,5}\s{0,3}" + _DASH + r"\s{0,3}[a-z]{1,6}/[a-z0-9]{1,12})"
)
_OFFICIAL_DATE_RE = re.compile(r"ngay\s{1,3}(\d{1,2})\s{1,3}thang\s{1,3}(\d{1,2})\s{1,3}nam\s{1,3}(\d{4})")
HEADER_LINES = 20  # the header block of an official document (issuer, number, place and date, type)


def document_ref(text: str) -> DocRef | None:
    """An official document's own identity from its header block.

    Reads "Số 09-HD/TU", "…, ngày 15 tháng 4 năm 2025" and the type word on its own line
    ("HƯỚNG DẪN") from the first lines; None when there is no "Số …" line with a code.
    """
    lines = normalize(text).splitlines()[:HEADER_LINES]
    number = issued = kind = None
    for line in lines:
        t, f = _aligned(line)
        if number is None and (m := _OWN_NUMBER_RE.match(f)):
            number = t[m.start(1) : m.end(1)]
        if issued is None and len(f) < 100 and (m := _OFFICIAL_DATE_RE.search(f)):
            issued = _iso(*m.groups())
        word = f.strip().rstrip(".:")
        if kind is None and word in _KIND_WORDS and line.strip().isupper():
            kind = word
    if number is None:
        return None
    ref = parse_ref(number)
    if ref is None:
        return None
    if kind and kind_family(kind) == kind_family(ref.kind):
        ref = replace(ref, kind=kind)
    if issued:
        ref = replace(ref, issued=issued, year=int(issued[:4]))
    return ref


# ---------------------------------------------------------------------------------------------
# Relations stated in a text
# ---------------------------------------------------------------------------------------------


class RelationKind(StrEnum):
    """What a document does to another."""

    REPLACES = "replaces"  # thay thế
    REPEALS = "repeals"  # bãi bỏ, hết hiệu lực
    AMENDS = "amends"  # sửa đổi, bổ sung; điều chỉnh, bổ sung; điều chỉnh
    IMPLEMENTS = "implements"  # hướng dẫn thi hành, thi hành, hướng dẫn thực hiện
    BASED_ON = "based_on"  # căn cứ

    @property
    def vi(self) -> str:
        return RELATION_VI[self]


RELATION_VI = {
    RelationKind.REPLACES: "thay thế",
    RelationKind.REPEALS: "bãi bỏ",
    RelationKind.AMENDS: "sửa đổi, bổ sung",
    RelationKind.IMPLEMENTS: "hướng dẫn thi hành",
    RelationKind.BASED_ON: "căn cứ",
}
# Relations that change whether the target is in force.
STATUS_RELATIONS = frozenset({RelationKind.REPLACES, RelationKind.REPEALS, RelationKind.AMENDS})


@dataclass(frozen=True)
class Relation:
    """One statement of a document about another.

    ``target`` is None for a generic repeal ("các quy định trước đây trái với nội dung Quy định
    này đều bãi bỏ"); ``scope`` is what part is concerned when written ("một số nội dung", the
    generic phrase); ``evidence`` is the sentence quoted; ``stated_by`` is "text" or "admin".
    ``subject`` is set when the sentence names another document as the one acting ("Hướng dẫn số
    41-HD/BTCTW … hướng dẫn thực hiện Quy định số 127-QĐ/TW"): a third party's relation, reported.
    """

    kind: RelationKind
    target: DocRef | None
    scope: str | None = None
    evidence: str = ""
    stated_by: str = "text"
    # Another document named as the one acting ("Kết luận 118 điều chỉnh …"); None: this document.
    subject: DocRef | None = None


_VERB_RE = re.compile(
    r"\b(?:"
    r"(?P<amends>(?:sua\s{1,3}doi|dieu\s{1,3}chinh)(?:\s{0,2},?\s{1,3}(?:va\s{1,3})?bo\s{1,3}sung)?"
    r"|bo\s{1,3}sung(?:\s{0,2},?\s{1,3}(?:va\s{1,3})?sua\s{1,3}doi)?)"
    r"|(?P<replaces>thay\s{1,3}the)"
    r"|(?P<repeals>bai\s{1,3}bo|het\s{1,3}hieu\s{1,3}luc)"
    r"|(?P<implements>huong\s{1,3}dan\s{1,3}thi\s{1,3}hanh|huong\s{1,3}dan\s{1,3}thuc\s{1,3}hien|thi\s{1,3}hanh|thuc\s{1,3}hien)"
    r"|(?P<based_on>can\s{1,3}cu(?:\s{1,3}vao)?)"
    r")\b"
)
_VERB_KIND = {
    "amends": RelationKind.AMENDS,
    "replaces": RelationKind.REPLACES,
    "repeals": RelationKind.REPEALS,
    "implements": RelationKind.IMPLEMENTS,
    "based_on": RelationKind.BASED_ON,
}
# Sentence and clause ends: a blank line, a line break after punctuation or before a list item or
# numbered heading, and ". " (official texts end paragraphs with a full stop). Single line breaks
# inside a sentence (text from PDF) do not end it.
_BOUNDARY_RE = re.compile(
    r"\n[ \t]{0,50}\n"
    r"|(?<=[.!?;:])[ \t]{0,50}\n"
    r"|\n(?=[ \t]{0,20}(?:[-+\u2022*]\s|\d{1,3}(?:\.\d{1,3}){0,4}\.\s|[a-zđ]\)\s))"
    r"|[.!?\u2026](?=[ \t\n]{1,50}\S)"
)
# Words between a verb and a document number that show the number is not the verb's object
# ("thay thế đại biểu dự khuyết theo Quy định 294", "bổ sung cấp ủy viên khi …").
_BLOCKER_RE = re.compile(
    r"\b(?:ve|theo|nhu|de|khi|neu|trong|"
    + "|".join(_ws(w) for w in ("ke tu", "tu ngay", "hieu luc", "doi voi"))
    + r")\b"
)
FIRST_TARGET_GAP = 60  # folded characters allowed between the verb and its first document number
NEXT_TARGET_GAP = 200  # … between one target (and its date, issuer, subject) and the next one in a list
AFTER_SEMICOLON_GAP = 15  # … after the last ";" of a list before the next target
SUBJECT_GAP = 60  # "… của Ban Tổ chức Trung ương, hướng dẫn thực hiện": a named acting document this far before
LOOKBACK_GAP = 160  # "Quyết định số 05-QĐ/TU … hết hiệu lực": subject number this far before the verb
EVIDENCE_MAX = 400  # characters of the quoted sentence
QUOTE_WINDOW = 300  # characters before a verb searched for an open quotation (a cited title)
REPEAL_WINDOW = 200  # characters before "bãi bỏ" searched for "các quy định trước đây trái với …"
SCOPE_MAX = 60  # a longer text between verb and target is not a scope
_LIST_END_RE = re.compile(r"(?:[,;]|\bva(?:\s{1,3}cac)?)\s{0,3}[\"\u201d']?\s{0,3}$")
_SUBJECT_BEFORE_RE = re.compile(r"(?:\bve\s{1,3}viec|\bve|\bviec|\bnham)\s{1,3}$")
_PASSIVE_BEFORE_RE = re.compile(r"(?:\bduoc|\bbi|\bdeu)\s{1,3}$")
_CLAUSE_START_RE = re.compile(r"(?:^|[-+\u2022*;:(]|\d\.)\s{0,3}$")
_GENERIC_REPEAL_RE = re.compile(
    r"\b(?:cac|nhung|moi)\s{1,3}"
    + "(?:"
    + "|".join(_ws(w) for w in ("quy dinh", "van ban", "huong dan", "quyet dinh", "chi thi", "noi dung"))
    + r")\b"
)
_GENERIC_CUE_RE = re.compile(r"\btrai\s{1,3}voi\b|\btruoc\s{1,3}day\b")
_SELF_RE = re.compile(rf"\b(?:{_KIND_ALT}|van\s{{1,3}}ban)\s{{1,3}}nay\b")


# A list item inside a line (text from PDF, whitespace collapsed): " - Căn cứ …", "; + Đợt 3/2".
_INLINE_ITEM_RE = re.compile(r"\s(?=[-+\u2022]\s{1,3}\w)")


def _sentence_starts(t: str) -> list[int]:
    cuts = [m.end() for m in _BOUNDARY_RE.finditer(t)]
    cuts += [m.end() for m in _INLINE_ITEM_RE.finditer(t) if t[m.end() + 1 : m.end() + 6].lstrip()[:1].isupper()]
    starts = [0]
    for c in sorted(cuts):
        if c > starts[-1]:
            starts.append(c)
    return starts


def _sentence_span(starts: list[int], pos: int, n: int) -> tuple[int, int]:
    i = bisect.bisect_right(starts, pos) - 1
    return starts[i], starts[i + 1] if i + 1 < len(starts) else n


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _evidence(t: str, s: int, e: int, at: int) -> str:
    if e - s > EVIDENCE_MAX:
        lo = max(s, at - EVIDENCE_MAX // 3)
        hi = min(e, lo + EVIDENCE_MAX)
        return ("…" if lo > s else "") + _collapse(t[lo:hi]) + ("…" if hi < e else "")
    return _collapse(t[s:e])


def _inside_quotes(t: str, s: int, pos: int) -> bool:
    before = t[max(s, pos - QUOTE_WINDOW) : pos]
    if before.count("\u201c") > before.count("\u201d"):
        return True
    return before.count('"') % 2 == 1


# Words that may stand between a verb and its document: what part of it ("một số nội dung",
# "khoản 2 Điều 5 của", "tại Mục III", "điểm 3.8", "toàn văn").
_SCOPE_WORDS = frozenset(
    "tai mot so noi dung cac diem khoan dieu muc tieu phan chuong phu luc cua toan bo van ban va quy dinh".split()
)


def _scope_like(gap: str) -> bool:
    for word in re.findall(r"[a-z0-9]+", gap):
        if word not in _SCOPE_WORDS and not word.isdigit() and len(word) > 1 and roman_to_int(word) is None:
            return False
    return True


def _scope(t: str, f: str, lo: int, hi: int) -> str | None:
    gap = f[lo:hi].strip(" ,:-")
    if not gap or len(gap) > SCOPE_MAX:
        return None
    raw = t[lo:hi].strip(" ,:-")
    raw = re.sub(r"\s+(?:của|tại|trong|ở)$", "", raw, flags=re.I)
    return _collapse(raw) or None


def extract_relations(text: str, own: DocRef | None = None) -> list[Relation]:
    """Relations the text states about other documents, in order, one per kind and target.

    Reads "thay thế" (REPLACES), "bãi bỏ"/"hết hiệu lực" (REPEALS, also the generic "các quy định
    trước đây trái với … đều bãi bỏ" with target None), "sửa đổi, bổ sung"/"điều chỉnh, bổ sung"/
    "điều chỉnh" (AMENDS), "hướng dẫn thi hành"/"thi hành"/"hướng dẫn thực hiện"/a clause opening
    "Thực hiện" (IMPLEMENTS) and "căn cứ" (BASED_ON). A verb counts only with a document number
    right after it (or, for a repeal, right before it); verbs inside quotes or after "về việc" name
    a cited document's subject, not this document's act, and are skipped. For news the relations
    are those the article reports; whether they apply is the caller's decision (by doc type).
    ``own`` (this document's identity) drops statements about itself.
    """
    t, f = _aligned(text)
    n = len(t)
    refs = _refs_in(t, f)
    ref_starts = [r.start for r in refs]
    starts = _sentence_starts(t)
    # Verbs inside a quoted title or a cited document's subject ("… về việc điều chỉnh …") are
    # not acts; the others are, and one of them ends the list of the verb before it.
    verbs = []
    for v in _VERB_RE.finditer(f):
        s, e = _sentence_span(starts, v.start(), n)
        before = f[max(s, v.start() - 20) : v.start()]
        if not (_inside_quotes(t, s, v.start()) or _SUBJECT_BEFORE_RE.search(before)):
            verbs.append((v, s, e, before))
    verb_starts = [v.start() for v, _, _, _ in verbs]
    found: list[Relation] = []

    def verb_between(lo: int, hi: int) -> bool:
        i = bisect.bisect_left(verb_starts, lo)
        return i < len(verb_starts) and verb_starts[i] < hi

    for vi, (v, s, e, before) in enumerate(verbs):
        kind = _VERB_KIND[v.lastgroup or ""]
        word = " ".join(v.group(0).split())
        if word == "thuc hien" and not _CLAUSE_START_RE.search(f[max(s, v.start() - 10) : v.start()]):
            continue  # "thực hiện" alone is any action; only a clause opening "Thực hiện Quy định …" counts
        if word == "thi hanh" and re.search(r"(?:hieu\s{1,3}luc|trach\s{1,3}nhiem)\s{1,3}$", before):
            continue  # "có hiệu lực thi hành", "có trách nhiệm thi hành"
        passive = bool(_PASSIVE_BEFORE_RE.search(before))
        targets: list[tuple[RefMatch, str | None]] = []
        if not passive and word != "het hieu luc":
            targets = _forward_targets(t, f, refs, ref_starts, v.end(), e, verb_between)
        subject = _subject(f, refs, ref_starts, verb_starts, s, v.start()) if targets else None
        if kind is RelationKind.REPEALS and not targets:
            window = max(s, v.start() - REPEAL_WINDOW)
            if _generic_repeal(f, window, v.start()):
                m = _GENERIC_REPEAL_RE.search(f, window, v.start())
                lo = m.start() if m else window
                scope = re.sub(r"\s+(?:đều|bị|được|sẽ)\s*$", "", _collapse(t[lo : v.start()]), flags=re.I)
                found.append(Relation(kind, None, scope or None, _evidence(t, s, e, v.start())))
                continue
            prev_verb_end = verbs[vi - 1][0].end() if vi > 0 and verbs[vi - 1][0].end() > s else s
            targets = _backward_targets(f, refs, ref_starts, max(s, prev_verb_end), v.start())
        elif kind is RelationKind.REPLACES and passive:
            continue  # "được thay thế bởi …": the subject is replaced, not by this document
        if targets:
            evidence = _evidence(t, s, e, v.start())
        for ref_match, scope in targets:
            found.append(Relation(kind, ref_match.ref, scope, evidence, subject=subject))
    return _dedupe(found, own)


def _subject(f: str, refs, ref_starts, verb_starts, s: int, verb: int) -> DocRef | None:
    """Another document named just before the verb as the one acting, or None (this document acts).

    "Kết luận 118 điều chỉnh Chỉ thị 35", "Hướng dẫn số 41-HD/BTCTW ngày 13/4/2005 của Ban Tổ chức
    Trung ương, hướng dẫn thực hiện Quy định số 127-QĐ/TW". A number that is itself the object of
    an earlier verb ("Căn cứ Quy định số 294-QĐ/TW …, Ban Bí thư hướng dẫn …") is not a subject.
    """
    i = bisect.bisect_left(ref_starts, verb) - 1
    if i < 0 or refs[i].start < s:
        return None
    r = refs[i]
    if verb - r.end > SUBJECT_GAP:
        return None
    gap = f[r.end : verb]
    if re.search(r"[();:]|\bnay\b", gap) or _BLOCKER_RE.search(gap):
        return None
    k = bisect.bisect_left(verb_starts, max(s, r.start - FIRST_TARGET_GAP))
    if k < len(verb_starts) and verb_starts[k] < r.start:
        return None  # the number is an earlier verb's object
    return r.ref


def _forward_targets(t, f, refs, ref_starts, lo: int, hi: int, verb_between) -> list[tuple[RefMatch, str | None]]:
    """Document numbers that are the object of a verb ending at ``lo``, up to the sentence end ``hi``."""
    i = bisect.bisect_left(ref_starts, lo)
    out: list[tuple[RefMatch, str | None]] = []
    prev_end = lo
    while i < len(refs) and refs[i].start < hi:
        r = refs[i]
        if r.start - prev_end > max(FIRST_TARGET_GAP, NEXT_TARGET_GAP):
            break
        gap = f[prev_end : r.start]
        if not out:
            if len(gap) > FIRST_TARGET_GAP or _BLOCKER_RE.search(gap) or verb_between(prev_end, r.start):
                break
            # "Căn cứ Điều lệ Đảng, Quy định số 294…": an unnumbered list item before it is not a scope.
            listed = bool(_LIST_END_RE.search(gap))
            if not listed and not _scope_like(gap):
                break  # "thực hiện nghiêm túc các nghị quyết, nhất là các Quy định 59": not its object
            out.append((r, None if listed else _scope(t, f, prev_end, r.start)))
        else:
            # The next item of a list: after a separator, possibly past the previous item's issuer and
            # subject ("…, ngày 14/6/2024 của Bộ Chính trị về đại hội …; Kết luận số 118-KL/TW").
            # "… về việc điều chỉnh một số nội dung Chỉ thị số 35" is inside a subject: no separator.
            if ";" in gap:
                tail = gap[gap.rfind(";") + 1 :]
                if len(tail) > AFTER_SEMICOLON_GAP or _BLOCKER_RE.search(tail):
                    break
            elif len(gap) > NEXT_TARGET_GAP or not _LIST_END_RE.search(gap):
                break
            if verb_between(prev_end, r.start):
                break
            out.append((r, None))
        prev_end = max(prev_end, r.end)
        i += 1
    return out


def _backward_targets(f, refs, ref_starts, lo: int, hi: int) -> list[tuple[RefMatch, str | None]]:
    """Numbers just before a repeal verb: "Quyết định số 05-QĐ/TU … hết hiệu lực"."""
    i = bisect.bisect_left(ref_starts, max(lo, hi - LOOKBACK_GAP - DATE_WINDOW - 120))
    out = []
    while i < len(refs) and refs[i].start < hi:
        r = refs[i]
        if hi - r.end <= LOOKBACK_GAP and not _SELF_RE.search(f[r.end : hi]):
            out.append((r, None))
        i += 1
    return out


def _generic_repeal(f: str, s: int, verb: int) -> bool:
    before = f[s:verb]
    return bool(_GENERIC_CUE_RE.search(before))


def _better(a: DocRef, b: DocRef) -> DocRef:
    """The fuller of two references to the same document."""
    score = lambda r: (bool(r.issued), bool(r.year), bool(r.code))  # noqa: E731
    return b if score(b) > score(a) else a


def _dedupe(found: list[Relation], own: DocRef | None) -> list[Relation]:
    """One relation per kind, subject and target document; the fullest reference (with date) wins."""
    out: list[Relation] = []
    index: dict[tuple, list[int]] = {}  # (kind, subject series, target series) -> positions in out
    for rel in found:
        if rel.target is not None and own is not None and same_document(rel.target, own, unknown_date_matches=False):
            continue
        key = (
            rel.kind,
            _series_key(rel.subject) if rel.subject else None,
            _series_key(rel.target) if rel.target else None,
        )
        for k in index.get(key, []):
            prev = out[k]
            if not _same_subject(prev.subject, rel.subject):
                continue
            if prev.target is None and rel.target is None:
                break
            if prev.target is not None and rel.target is not None and same_document(prev.target, rel.target):
                if _better(prev.target, rel.target) is rel.target and rel.target != prev.target:
                    out[k] = rel  # the fuller form ("35-CT/TW, ngày 14/6/2024") wins with its sentence
                break
        else:
            index.setdefault(key, []).append(len(out))
            out.append(rel)
    return out


def _same_subject(a: DocRef | None, b: DocRef | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and same_document(a, b))


# ---------------------------------------------------------------------------------------------
# Effective date
# ---------------------------------------------------------------------------------------------

_DATE = (
    r"(?P<d>\d{1,2})\s{0,3}(?:[/.\-]|thang)\s{0,3}(?P<m>\d{1,2})\s{0,3}(?:[/.\-]|nam)\s{0,3}(?P<y>\d{4})(?!\d)"
    r"|(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})"
)
_EFFECTIVE_RE = re.compile(
    r"\bco\s{1,3}hieu\s{1,3}luc(?:\s{1,3}thi\s{1,3}hanh)?\s{1,3}(?:(?:ke\s{1,3})?tu\s{1,3})?"
    r"(?:(?P<sign>ngay\s{1,3}(?:ky|ban\s{1,3}hanh))\b|(?:ngay\s{0,3})?(?:" + _DATE + r"))"
)
SELF_WINDOW = 120  # characters before "có hiệu lực" searched for "Quy định này", "Hướng dẫn này"


def effective_date(text: str, issued: str | None) -> str | None:
    """When the document takes effect (ISO), from its own text.

    "có hiệu lực (thi hành) kể từ ngày ký" -> ``issued``; "có hiệu lực (thi hành) từ ngày
    01/7/2025" or "… kể từ ngày 01 tháng 7 năm 2025" -> that date. A statement about the
    document itself ("Quy định này …", "Hướng dẫn này …") wins over other dates; otherwise the
    last one (the effect clause closes official documents). None when nothing is written.
    """
    t, f = _aligned(text)
    best: tuple[bool, int, str | None] | None = None
    for m in _EFFECTIVE_RE.finditer(f):
        if m.group("sign"):
            value = issued
        elif m.group("y"):
            value = _iso(m.group("d"), m.group("m"), m.group("y"))
        else:
            value = _iso(m.group("id"), m.group("im"), m.group("iy"))
        if m.group("sign") is None and value is None:
            continue
        lo = max(0, m.start() - SELF_WINDOW)
        cut = max(f.rfind(". ", lo, m.start()), f.rfind("\n", lo, m.start()))
        about_self = bool(_SELF_RE.search(f, max(lo, cut + 1), m.start()))  # in the same sentence
        candidate = (about_self, m.start(), value)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else None


# ---------------------------------------------------------------------------------------------
# The admin's statements: sidecar / front matter
# ---------------------------------------------------------------------------------------------


class Status(StrEnum):
    IN_FORCE = "in_force"
    REPLACED = "replaced"
    AMENDED = "amended"  # in force, with some parts changed by a later document
    EXPIRED = "expired"  # repealed or out of date
    UNKNOWN = "unknown"  # news and other texts that are not guidance


ADMIN_STATUSES = (Status.IN_FORCE, Status.REPLACED, Status.EXPIRED)
OVERRIDE_RELATION_KEYS = {"replaces": RelationKind.REPLACES, "amends": RelationKind.AMENDS}


def _date_value(value: object, key: str) -> str:
    if isinstance(value, date):  # a YAML front matter reader may give date objects
        return value.isoformat()[:10]
    if not isinstance(value, str):
        raise LoadError(
            SkipReason.BAD_METADATA, f"'{key}' must be a date such as 2025-07-01, not {type(value).__name__}"
        )
    v = value.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", v)
    iso = _iso(m.group(3), m.group(2), m.group(1)) if m else None
    if iso is None:
        m2 = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", v)
        iso = _iso(*m2.groups()) if m2 else None
    if iso is None:
        raise LoadError(SkipReason.BAD_METADATA, f"'{key}' is not a valid date (use YYYY-MM-DD): {value!r}")
    return iso


def relations_from_overrides(overrides: dict) -> tuple[list[Relation], Status | None, str | None]:
    """The admin's relations, status and effective date from a sidecar or front matter.

    Keys: ``replaces`` and ``amends`` (a string or a list of strings, each naming one or more
    documents: "Hướng dẫn 01-HD/TW 2021-09-28", "01-HD/TW", "Chỉ thị 35-CT/TW, ngày 14/6/2024"),
    ``status`` (in_force | replaced | expired) and ``effective`` (a date). Other keys are left to
    the metadata reader. A wrong type or an unreadable value raises
    ``LoadError(SkipReason.BAD_METADATA, …)`` naming the key.
    """
    if not isinstance(overrides, dict):
        raise LoadError(SkipReason.BAD_METADATA, "metadata must be a JSON object / key: value lines")
    relations: list[Relation] = []
    for key, kind in OVERRIDE_RELATION_KEYS.items():
        value = overrides.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, str):
            items = [value]
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            items = value
        else:
            raise LoadError(SkipReason.BAD_METADATA, f"'{key}' must be a string or a list of strings")
        for item in items:
            refs = [r.ref for r in find_dated_refs(item)]
            if not refs:
                raise LoadError(
                    SkipReason.BAD_METADATA,
                    f"'{key}': no document number in {item!r} (write e.g. '01-HD/TW 2021-09-28')",
                )
            relations.extend(Relation(kind, ref, None, f"{key}: {item}", "admin") for ref in refs)
    status = None
    raw_status = overrides.get("status")
    if raw_status not in (None, ""):
        if not isinstance(raw_status, str) or raw_status.strip() not in {s.value for s in ADMIN_STATUSES}:
            allowed = " | ".join(s.value for s in ADMIN_STATUSES)
            raise LoadError(SkipReason.BAD_METADATA, f"'status' must be one of {allowed}, not {raw_status!r}")
        status = Status(raw_status.strip())
    effective = None
    raw_effective = overrides.get("effective")
    if raw_effective not in (None, ""):
        effective = _date_value(raw_effective, "effective")
    return relations, status, effective


def merge_relations(from_text: Sequence[Relation], from_admin: Sequence[Relation]) -> list[Relation]:
    """The admin's relations replace the text's relations of the same kind; other kinds are kept."""
    admin_kinds = {r.kind for r in from_admin}
    return [r for r in from_text if r.kind not in admin_kinds] + list(from_admin)


# ---------------------------------------------------------------------------------------------
# Status of each document in a knowledge base
# ---------------------------------------------------------------------------------------------


@dataclass
class DocInfo:
    """What status resolution needs to know about one document."""

    doc_id: str
    ref: DocRef | None  # its own identity (type, number, code, issued), None for news
    doc_type: str = "news"
    relations: list[Relation] = field(default_factory=list)
    status: Status | None = None  # the admin's override
    effective: str | None = None  # ISO date it takes effect (text or admin)
    title: str = ""

    def label(self) -> str:
        return ref_label(self.ref, with_date=False) if self.ref else (self.title or self.doc_id)

    @property
    def since(self) -> str | None:
        """When its statements about other documents take effect."""
        return self.effective or (self.ref.issued if self.ref else None)


@dataclass(frozen=True)
class DocLink:
    """Another document of the knowledge base that acts on this one."""

    doc_id: str
    label: str  # "Hướng dẫn 06-HD/TW"
    date: str | None  # when it takes effect (or was signed), ISO
    pending: bool = False  # signed but not yet in effect on the day of resolution


@dataclass
class DocStatus:
    status: Status
    replaced_by: DocLink | None = None
    amended_by: list[DocLink] = field(default_factory=list)
    repealed_by: DocLink | None = None
    missing_targets: list[Relation] = field(default_factory=list)  # this document's relations to absent documents
    same_number: list[str] = field(default_factory=list)  # other doc_ids with the same type, number and code
    repeals_conflicting: bool = False  # says "các quy định trước đây trái với … đều bãi bỏ"
    stated_by_admin: bool = False  # the status comes from the admin's override


def _link(source: DocInfo, today: str) -> DocLink:
    since = source.since
    return DocLink(source.doc_id, source.label(), since, pending=bool(since and since > today))


def _match_target(target: DocRef, source: DocInfo, docs: Sequence[DocInfo]) -> DocInfo | None:
    """The document of the knowledge base a relation points to, or None (absent or ambiguous).

    Type, number and code must agree. A written date must agree too; without one, a single
    candidate matches, and among several the newest one older than the source document does.
    """
    candidates = [d for d in docs if d.ref is not None and d.doc_id != source.doc_id and same_series(target, d.ref)]
    if not candidates:
        return None
    if target.issued:
        exact = [d for d in candidates if d.ref.issued == target.issued]
        if exact:
            return exact[0]
        undated = [d for d in candidates if not d.ref.issued and ref_year(d.ref) in (None, int(target.issued[:4]))]
        return undated[0] if len(undated) == 1 else None
    if target.year:
        candidates = [d for d in candidates if ref_year(d.ref) in (None, target.year)]
    if len(candidates) == 1:
        return candidates[0]
    src = source.ref.issued if source.ref else None
    if not src:
        return None
    older = [d for d in candidates if d.ref.issued and d.ref.issued < src]
    return max(older, key=lambda d: d.ref.issued) if older else None


def resolve_status(docs: Sequence[DocInfo], today: str | None = None, trust_news: bool = False) -> dict[str, DocStatus]:
    """Whether each document is in force, and which documents replace, amend or repeal it.

    Relations read from news are not applied unless ``trust_news`` (an article reports other
    documents' acts); the admin's relations always are, and replace the text's relations of the
    same kind. A change takes effect on the source's effective date (else its signing date); one
    later than ``today`` (default: the real today) is recorded as pending and changes nothing yet.
    The admin's ``status`` wins over everything.
    """
    today = today or date.today().isoformat()
    result: dict[str, DocStatus] = {}
    for d in docs:
        base = Status.UNKNOWN if d.doc_type == "news" or d.ref is None else Status.IN_FORCE
        result[d.doc_id] = DocStatus(base)
    for group in same_number_groups(docs):
        for doc_id in group:
            result[doc_id].same_number = [other for other in group if other != doc_id]

    for source in docs:
        text_rels = [r for r in source.relations if r.stated_by != "admin"]
        admin_rels = [r for r in source.relations if r.stated_by == "admin"]
        if source.doc_type == "news" and not trust_news:
            text_rels = []
        src_status = result[source.doc_id]
        for rel in merge_relations(text_rels, admin_rels):
            if rel.subject is not None and not (source.ref and same_document(rel.subject, source.ref)):
                continue  # another document's act, reported here
            if rel.target is None:
                if rel.kind is RelationKind.REPEALS:
                    src_status.repeals_conflicting = True
                continue
            target = _match_target(rel.target, source, docs)
            if target is None:
                src_status.missing_targets.append(rel)
                continue
            link = _link(source, today)
            st = result[target.doc_id]
            if rel.kind is RelationKind.REPLACES:
                if st.replaced_by is None or (link.date or "") > (st.replaced_by.date or ""):
                    st.replaced_by = link
            elif rel.kind is RelationKind.REPEALS:
                st.repealed_by = link
            elif rel.kind is RelationKind.AMENDS:
                st.amended_by.append(link)

    for d in docs:
        st = result[d.doc_id]
        if st.replaced_by and not st.replaced_by.pending:
            st.status = Status.REPLACED
        elif st.repealed_by and not st.repealed_by.pending:
            st.status = Status.EXPIRED
        elif any(not link.pending for link in st.amended_by):
            st.status = Status.AMENDED
        if d.status is not None:
            st.status = d.status
            st.stated_by_admin = True
    return result


# ---------------------------------------------------------------------------------------------
# Same-number documents
# ---------------------------------------------------------------------------------------------


def _series_key(ref: DocRef) -> tuple[str, int | str]:
    try:
        number: int | str = int(ref.number)
    except ValueError:
        number = ref.number
    return (kind_family(ref.kind), number)


def same_number_groups(docs: Sequence[DocInfo]) -> list[list[str]]:
    """Groups (of two or more doc_ids) of distinct documents sharing type, number and code, oldest first.

    A document whose number is written without a code joins the group of its type and number
    when there is only one such code. Copies of the same dated document are grouped too.
    """
    by_series: dict[tuple, dict[str, list[DocInfo]]] = {}
    for d in docs:
        if d.ref is None:
            continue
        codes = by_series.setdefault(_series_key(d.ref), {})
        codes.setdefault(_code_key(d.ref.code), []).append(d)
    groups: list[list[str]] = []
    for codes in by_series.values():
        uncoded = codes.pop("", [])
        if uncoded and len(codes) == 1:
            next(iter(codes.values())).extend(uncoded)
        elif uncoded:
            codes[""] = uncoded
        for members in codes.values():
            if len(members) > 1:
                members.sort(key=lambda d: (d.ref.issued or f"{ref_year(d.ref) or 9999}", d.doc_id))
                groups.append([d.doc_id for d in members])
    return groups


def pick_by_question(
    refs_in_question: Sequence[DocRef],
    years_or_terms: Iterable[int | Term],
    candidates: Sequence[DocInfo],
    statuses: dict[str, DocStatus] | None = None,
) -> str | None:
    """Which of several same-number documents a question means.

    A date or year written with the number ("Chỉ thị 35 năm 2019") or elsewhere in the question
    ("2024") picks the document of that year; a term ("nhiệm kỳ 2020–2025", "Đại hội XIII") picks
    the newest document issued no later than the first year of that cycle's local term (Chỉ thị
    35/2019 prepares the 2020–2025 congresses). Otherwise, or when the hint fits none: the one in
    force, else the newest. None when no candidate has the number asked about.
    """
    pool = [c for c in candidates if c.ref is not None]
    if refs_in_question:
        pool = [c for c in pool if any(same_series(r, c.ref) for r in refs_in_question)]
    if not pool:
        return None

    def newest(items: Sequence[DocInfo]) -> DocInfo:
        return max(items, key=lambda c: (c.ref.issued or str(ref_year(c.ref) or ""), c.doc_id))

    for r in refs_in_question:
        if r.issued or r.year:
            dated = [c for c in pool if same_document(r, c.ref) and ref_year(c.ref) is not None]
            if dated:
                return newest(dated).doc_id
    hints = list(years_or_terms)
    years = [h for h in hints if isinstance(h, int)]
    terms = [h for h in hints if isinstance(h, Term)]
    if years:
        by_year = [c for c in pool if ref_year(c.ref) in years]
        if by_year:
            return newest(by_year).doc_id
    for term in terms:
        first_year = term.local_years[0]
        before = [c for c in pool if ref_year(c.ref) is not None and ref_year(c.ref) <= first_year]
        if before:
            return newest(before).doc_id
    if statuses:
        current = [
            c for c in pool if c.doc_id in statuses and statuses[c.doc_id].status in (Status.IN_FORCE, Status.AMENDED)
        ]
        if current:
            return newest(current).doc_id
    return newest(pool).doc_id


# ---------------------------------------------------------------------------------------------
# Notices for answers
# ---------------------------------------------------------------------------------------------


def status_notice(label: str, status: DocStatus) -> str | None:
    """'⚠ Hướng dẫn 01-HD/TW đã được thay thế bởi Hướng dẫn 06-HD/TW (09/06/2025)', or None when in force."""
    if status.status is Status.REPLACED:
        by = status.replaced_by
        if by is None:
            return f"⚠ {label} đã được thay thế."
        when = f" ({format_date(by.date)})" if by.date else ""
        return f"⚠ {label} đã được thay thế bởi {by.label}{when}"
    if status.status is Status.EXPIRED:
        by = status.repealed_by
        if by is None:
            return f"⚠ {label} đã hết hiệu lực."
        when = f" ({format_date(by.date)})" if by.date else ""
        return f"⚠ {label} đã bị bãi bỏ bởi {by.label}{when}"
    if status.status is Status.AMENDED and status.amended_by:
        by = ", ".join(link.label + (f" ({format_date(link.date)})" if link.date else "") for link in status.amended_by)
        return f"ℹ {label} đã được điều chỉnh, bổ sung bởi {by}"
    if status.replaced_by and status.replaced_by.pending:
        return (
            f"ℹ {label} sẽ được thay thế bởi {status.replaced_by.label} từ ngày {format_date(status.replaced_by.date)}"
        )
    return None


def missing_notice(source_label: str, relation: Relation) -> str | None:
    """'Hướng dẫn 06-HD/TW thay thế Hướng dẫn 01-HD/TW (28/09/2021); văn bản này không có trong kho tài liệu.'"""
    if relation.target is None or relation.kind not in STATUS_RELATIONS:
        return None
    return f"{source_label} {relation.kind.vi} {ref_label(relation.target)}; văn bản này không có trong kho tài liệu."


def same_number_notice(chosen: DocInfo, others: Sequence[DocInfo]) -> str | None:
    """'Lưu ý: Chỉ thị 35-CT/TW (30/05/2019) là văn bản khác cùng số.' for the documents not chosen."""
    labels = [ref_label(o.ref) for o in others if o.ref is not None and o.doc_id != chosen.doc_id]
    if not labels:
        return None
    verb = "là văn bản khác cùng số" if len(labels) == 1 else "là các văn bản khác cùng số"
    return f"Lưu ý: {', '.join(labels)} {verb}; câu trả lời dùng {ref_label(chosen.ref) if chosen.ref else chosen.label()}."


# ---------------------------------------------------------------------------------------------
# What changed between two versions
# ---------------------------------------------------------------------------------------------

HEADING_SAME = 0.6  # same number and headings at least this similar: the same section
HEADING_MOVED = 0.8  # different numbers: headings must be this similar to be one section renumbered
TEXT_MOVED = 0.85  # sections without headings: texts this similar are one section renumbered
DIFF_TEXT_CHARS = 3000  # text compared for similarity (long sections: the start is enough)


@dataclass(frozen=True)
class Section:
    number: str  # "1.2", "Điều 4"
    heading: str
    text: str


@dataclass(frozen=True)
class SectionChange:
    old: Section
    new: Section
    renumbered: bool
    heading_changed: bool
    text_changed: bool


@dataclass
class SectionDiff:
    added: list[Section] = field(default_factory=list)
    removed: list[Section] = field(default_factory=list)
    changed: list[SectionChange] = field(default_factory=list)
    unchanged: list[SectionChange] = field(default_factory=list)  # renumbered sections with the same text are here

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def describe_vi(self) -> list[str]:
        """Lines for the admin: 'Thêm: 4. …', 'Bỏ: 3. …', 'Sửa: 2. … (trước là 2.)'."""

        def name(s: Section) -> str:
            return f"{s.number} {s.heading}".strip()

        lines = [f"Thêm: {name(s)}" for s in self.added]
        lines += [f"Bỏ: {name(s)}" for s in self.removed]
        for c in self.changed:
            moved = f" (trước là {c.old.number})" if c.renumbered else ""
            lines.append(f"Sửa: {name(c.new)}{moved}")
        return lines


def _number_key(number: str) -> str:
    return re.sub(r"[\s.:]+$", "", re.sub(r"\s+", " ", fold(normalize(number)))).strip()


def _norm_text(text: str) -> str:
    return re.sub(r"\s+", " ", normalize(text)).strip()


def _similar(a: str, b: str) -> float:
    fa, fb = fold(_norm_text(a)), fold(_norm_text(b))
    if fa == fb:
        return 1.0
    if not fa or not fb:
        return 0.0
    matcher = SequenceMatcher(None, fa[:DIFF_TEXT_CHARS], fb[:DIFF_TEXT_CHARS], autojunk=False)
    return matcher.ratio() if matcher.quick_ratio() > 0 else 0.0


def diff_sections(old: Sequence[tuple[str, str, str]], new: Sequence[tuple[str, str, str]]) -> SectionDiff:
    """Sections added, removed, changed and unchanged between two versions of a document.

    Sections are matched by number when their headings are similar (or both empty), then, for
    numbering that shifted, by heading similarity, then (sections without headings) by text.
    A matched pair is changed when its heading or text differs (whitespace and Unicode forms do
    not count).
    """
    olds = [Section(*s) for s in old]
    news = [Section(*s) for s in new]
    pairs: list[tuple[int, int]] = []
    free_old = set(range(len(olds)))
    free_new = set(range(len(news)))

    new_by_number: dict[str, list[int]] = {}
    for j, s in enumerate(news):
        new_by_number.setdefault(_number_key(s.number), []).append(j)
    for i, s in enumerate(olds):
        for j in new_by_number.get(_number_key(s.number), []):
            if j not in free_new:
                continue
            both_empty = not s.heading.strip() and not news[j].heading.strip()
            if both_empty or _similar(s.heading, news[j].heading) >= HEADING_SAME:
                pairs.append((i, j))
                free_old.discard(i)
                free_new.discard(j)
                break

    def greedy(score, threshold: float) -> None:
        scored = []
        for i in sorted(free_old):
            for j in sorted(free_new):
                value = score(olds[i], news[j])
                if value >= threshold:
                    scored.append((value, -i, -j))
        for _value, mi, mj in sorted(scored, reverse=True):
            i, j = -mi, -mj
            if i in free_old and j in free_new:
                pairs.append((i, j))
                free_old.discard(i)
                free_new.discard(j)

    greedy(
        lambda a, b: _similar(a.heading, b.heading) if a.heading.strip() and b.heading.strip() else 0.0, HEADING_MOVED
    )
    greedy(lambda a, b: _similar(a.text, b.text) if not a.heading.strip() or not b.heading.strip() else 0.0, TEXT_MOVED)

    diff = SectionDiff()
    for i, j in sorted(pairs, key=lambda p: p[1]):
        a, b = olds[i], news[j]
        change = SectionChange(
            old=a,
            new=b,
            renumbered=_number_key(a.number) != _number_key(b.number),
            heading_changed=_norm_text(a.heading) != _norm_text(b.heading),
            text_changed=_norm_text(a.text) != _norm_text(b.text),
        )
        (diff.changed if change.heading_changed or change.text_changed else diff.unchanged).append(change)
    diff.added = [news[j] for j in sorted(free_new)]
    diff.removed = [olds[i] for i in sorted(free_old)]
    return diff


# ---------------------------------------------------------------------------------------------
# Storage: relations as JSON in the index (never pickle)
# ---------------------------------------------------------------------------------------------


def _ref_to_json(ref: DocRef | None) -> dict | None:
    if ref is None:
        return None
    return {"kind": ref.kind, "number": ref.number, "code": ref.code, "issued": ref.issued, "year": ref.year}


def _ref_from_json(data: dict | None) -> DocRef | None:
    if not isinstance(data, dict):
        return None
    return DocRef(
        str(data["kind"]), str(data["number"]), str(data.get("code") or ""), data.get("issued"), data.get("year")
    )


def relations_to_json(relations: Sequence[Relation]) -> list[dict]:
    return [
        {
            "kind": r.kind.value,
            "target": _ref_to_json(r.target),
            "scope": r.scope,
            "evidence": r.evidence,
            "stated_by": r.stated_by,
            "subject": _ref_to_json(r.subject),
        }
        for r in relations
    ]


def relations_from_json(data: object) -> list[Relation]:
    out: list[Relation] = []
    for item in data if isinstance(data, list) else []:
        try:
            out.append(
                Relation(
                    RelationKind(item["kind"]),
                    _ref_from_json(item.get("target")),
                    item.get("scope"),
                    item.get("evidence") or "",
                    item.get("stated_by") or "text",
                    _ref_from_json(item.get("subject")),
                )
            )
        except (KeyError, ValueError, TypeError):
            continue  # an entry written by another version: skipped, never fatal
    return out


# A section of a regulation implementing the charter names the articles it implements in its heading, before
# its title: "23. Điều 24 (Khoản 3, Khoản 4): Nhiệm kỳ chi bộ …", "10.5. (Khoản 3, Điều 10): Việc giải thể …",
# "12. Điều 11, Điều 12: Các tổ chức …", or several, wrapped over two lines: "10.4. (Khoản 2, Điều 10); (Khoản
# 5, Điều 13); (Khoản 3, 4, 5, Điều 21); …: Việc lập tổ chức đảng …". A heading naming another document
# ("… Quy định số 02-QĐ/TU") does not.
_HEAD_LABEL_RE = re.compile(r"^\s*\d{1,3}(?:\.\d{1,3}){0,4}\.?\s*")
_ARTICLE_RE = re.compile(r"\bĐiều\s+(\d{1,3})\b")
# "Khoản 3", "Khoản 3, 4, 5" (a number after a comma is a clause unless "Điều" follows it).
_CLAUSE_NO_RE = re.compile(r"\bKhoản\s+(\d{1,2}(?:\s*,\s*\d{1,2}\b)*)")
_OTHER_DOC_RE = re.compile(r"\b(?:Quy định|Hướng dẫn|Nghị quyết|Chỉ thị|Kết luận|Quyết định)\b|\bsố\s+\d|\d+-[A-ZĐ]")
# Each citation of the heading ("(Khoản 2, Điều 10)") is at most this long, and all of them before the title
# at most CITING_HEAD_MAX_CHARS: longer, the line is prose that happens to start with "Điều".
CITING_HEAD_CHARS = 60
CITING_HEAD_MAX_CHARS = 300


def cited_charter_clauses(heading: str) -> list[str]:
    """The charter's clauses a section's heading says it implements, as unit labels ("Điều 24, khoản 3");
    the whole article ("Điều 5") when a citation names no clause or several articles; [] when it names none."""
    text = _HEAD_LABEL_RE.sub("", heading.strip(), count=1)
    first_line = text.split("\n", 1)[0]
    colon = text.find(":", 0, CITING_HEAD_MAX_CHARS)
    head = " ".join(text[:colon].split()) if colon >= 0 else first_line
    citations = [c.strip() for c in head.split(";") if c.strip()]
    if (
        not citations
        or any(len(c) > CITING_HEAD_CHARS for c in citations)
        or _OTHER_DOC_RE.search(head)
        or not head.lstrip("( ").startswith(("Điều", "Khoản"))
    ):
        return []
    out: list[str] = []
    for citation in citations:
        articles = _ARTICLE_RE.findall(citation)
        clauses = [k for group in _CLAUSE_NO_RE.findall(citation) for k in re.findall(r"\d+", group)]
        if len(articles) == 1 and clauses:
            out += [f"Điều {articles[0]}, khoản {k}" for k in clauses]
        else:
            out += [f"Điều {a}" for a in articles]
    return list(dict.fromkeys(out))
