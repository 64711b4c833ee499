"""Document metadata: extracted automatically, overridable by the admin.

Order of precedence (highest first): a sidecar ``FILE.meta.json`` next to the
document, front matter at the top of a .txt/.md file, hints from the file
format (HTML <title>, PDF info), and finally what is read from the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .clean import DATE_LINE_RE, is_boilerplate_line
from .doctypes import DocType
from .header import Header, parse_header, recase
from .textnorm import fold, normalize

DOC_TYPES = tuple(t.value for t in DocType)
# Local guidance ranks one step below the same kind of document from the Central Committee.
LOCAL_RANK_PENALTY = 1

# Folded type word -> document type, and the code used in numbers (35-CT/TW).
_TYPE_WORDS = {t.word: t.value for t in DocType if t.word}
_TYPE_CODES = {
    "ct": "chi thi",
    "hd": "huong dan",
    "kh": "ke hoach",
    "qd": "quy dinh",  # QĐ/TW numbers both Quy định and Quyết định; "quy định" unless the word is written
    "nq": "nghi quyet",
    "kl": "ket luan",
}
_KIND_LABEL = {t.word: t.label for t in DocType if t.word}

# "Chỉ thị số 35-CT/TW", "Quy định: 59, 61, 104", "chi thi 35" (folded text).
# Kinds that are cited by number ("Chỉ thị 35", "Kết luận số 118").
_CITED_KINDS = ("chi thi", "huong dan", "ke hoach", "quy dinh", "nghi quyet", "quyet dinh", "ket luan", "thong bao")
_KIND_RE = "|".join(sorted(_CITED_KINDS, key=len, reverse=True))
# "Đại hội quyết định 15 ủy viên", "quy định 3 ngày": a number that counts something after the verb is no
# document number ("Chỉ thị 35 năm 2019" and "Kết luận 118 ngày 6/1/2025" still are: a date follows).
_COUNTED = (
    r"(?!\d)(?!\s*(?:uy vien|dang vien|dai bieu|dong chi|nguoi|can bo|thanh vien|chi bo|lan|thang|tuan|gio|phut"
    r"|phan tram|%|(?:ngay|nam)(?!\s*\d)))"
)
_REF_RE = re.compile(
    rf"\b({_KIND_RE})\s*(?:so\s*|:\s*)?"
    r"(\d{1,4}(?:\s*-\s*[a-z]{1,4}(?:\s*/\s*[a-z0-9]{1,6})*)?"
    r"(?:\s*(?:,|va)\s*\d{1,4}(?![\d/]))*)" + _COUNTED
)
# A bare code number: "35-CT/TW", "148-KH/TU".
_CODE_RE = re.compile(r"\b(\d{1,4})\s*-\s*([a-z]{2,4})\s*/\s*([a-z]{1,6})\b")
# The short forms officers type: "QĐ 294", "HD 06", "CT số 35", "KL118".
_SHORT_REF_RE = re.compile(r"\b(ct|hd|kh|qd|nq|kl)\s*(?:so\s*)?(\d{1,4})\b(?!\s*[-/.]\s*\d)" + _COUNTED)


@dataclass(frozen=True)
class DocRef:
    """A reference to a document by kind and number: ("chi thi", "35").

    Two different documents can share kind, number and code (Chỉ thị 35-CT/TW of 2019 and of
    2024): ``issued``/``year`` tell them apart when the text gives a date (see bot.relations).
    """

    kind: str
    number: str
    code: str = ""  # "CT/TW" when written in full
    issued: str | None = None  # ISO date of signature ("2024-06-14") when written
    year: int | None = None  # year of signature (also set when only "năm 2024" is written)

    @property
    def key(self) -> tuple[str, int]:
        """Comparable identity: "Chỉ thị 05" and "chi thi 5" are the same document."""
        return (self.kind, int(self.number))

    def label(self) -> str:
        base = f"{_KIND_LABEL.get(self.kind, self.kind)} {self.number}"
        return f"{base}-{self.code}" if self.code else base


def find_refs(text: str) -> list[DocRef]:
    """Document numbers cited in text, in order of appearance, without duplicates."""
    f = fold(text)
    refs: list[DocRef] = []
    for m in _REF_RE.finditer(f):
        kind, nums = m.group(1), m.group(2)
        first = _CODE_RE.match(nums)
        if first:
            refs.append(DocRef(kind, first.group(1), f"{first.group(2)}/{first.group(3)}".upper()))
            continue
        for num in re.findall(r"\d{1,4}(?:\s*-\s*[a-z]{1,4})?", nums):
            refs.append(DocRef(kind, re.match(r"\d+", num).group(0)))
    for m in _CODE_RE.finditer(f):
        kind = _TYPE_CODES.get(m.group(2), m.group(2))
        refs.append(DocRef(kind, m.group(1), f"{m.group(2)}/{m.group(3)}".upper()))
    for m in _SHORT_REF_RE.finditer(f):
        refs.append(DocRef(_TYPE_CODES[m.group(1)], m.group(2)))
    out: list[DocRef] = []
    seen: set[tuple[str, int]] = set()
    for r in refs:
        key = r.key
        if key in seen:
            if r.code:  # prefer the fuller form
                out = [r if o.key == key and not o.code else o for o in out]
            continue
        seen.add(key)
        out.append(r)
    return out


@dataclass
class DocMeta:
    title: str = ""
    published: str | None = None  # ISO date
    source: str | None = None
    author: str | None = None
    doc_type: str = "news"
    doc_number: str | None = None
    cited: list[str] = field(default_factory=list)
    issuer: str | None = None  # official documents: the issuing body
    place: str | None = None
    signer: str | None = None  # "T/M BAN BÍ THƯ — Trần Cẩm Tú"
    basis: list[str] = field(default_factory=list)  # the "Căn cứ …" preamble
    official: bool = False  # read from an official header (not a news item about a document)


# "Ngày đăng: 17/03/2020", "Ngày giờ đăng bài viết gốc: 13/10/2025 6:54 AM", "Ngày đăng bài viết gốc: 15:04
# 6/10/2025", "Giờ đăng bài viết gốc: 14/04/2025 23:02".
_PUBLISHED_RE = re.compile(
    r"(ngay (?:gio )?dang(?: bai(?: viet)?(?: goc)?)?|gio dang bai(?: viet)? goc|ngay xuat ban|ngay ban hanh|cap nhat)"
    r"\s*:?\s*"
    r"(?:\d{1,2}:\d{2}\s+)?(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})"
)
_NUMERIC_DATE_RE = re.compile(r"(\d{1,2})\s*(?:thang|[/.\-])\s*(\d{1,2})\s*(?:nam|[/.\-])\s*(\d{4})")
_OFFICIAL_DATE_RE = re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})")
_SOURCE_RE = re.compile(r"^\(?([A-ZĐ][A-Za-zĐ0-9]{1,9}(?: online)?)\)?\s*[–—-]\s+\S")
_TIME_RE = re.compile(r"\d{1,2}:\d{2}")


def _iso(d: str, m: str, y: str) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


# The last lines of a long text looked at for its posting line.
PUBLISHED_FOOT_LINES = 15


def _find_date(raw_lines: list[str]) -> str | None:
    """Prefer an explicit "Ngày đăng:" line (at the head or the foot), then a dated header line without a
    clock time, then an official "ngày .. tháng .. năm" line, then a crawl timestamp."""
    head = [fold(line).strip() for line in raw_lines[:40] if line.strip()]
    # A crawled item may give its posting line at the foot ("Giờ đăng bài viết gốc: …").
    foot = [fold(line).strip() for line in raw_lines[40:][-PUBLISHED_FOOT_LINES:] if line.strip()]
    for f in head + foot:
        m = _PUBLISHED_RE.search(f)
        if m and (iso := _iso(*m.group(2, 3, 4))):
            return iso
    stamped = None
    for f in head:
        if DATE_LINE_RE.match(f):
            m = _NUMERIC_DATE_RE.search(f)
            if m and (iso := _iso(*m.groups())):
                if not _TIME_RE.search(f):
                    return iso
                stamped = stamped or iso
    for f in head:
        m = _OFFICIAL_DATE_RE.search(f)
        if m and len(f) < 80 and (iso := _iso(*m.groups())):
            return iso
    return stamped


def _find_title_and_type(lines: list[str]) -> tuple[str, str, str | None]:
    """Title, document type and the document's own number from the first lines."""
    own_number = None
    for line in lines[:12]:
        m = re.match(r"^s[oố]\s*[:.]?\s*(\d{1,4}\s*-\s*[A-ZĐa-zđ]{1,4}(?:/[A-ZĐa-zđ0-9]{1,6})*)", line.strip(), re.I)
        if m:
            own_number = re.sub(r"\s+", "", m.group(1)).upper()
            break
    for i, line in enumerate(lines[:15]):
        f = fold(line).strip().rstrip(".:")
        if f in _TYPE_WORDS and line.strip().isupper():
            # An official document: "CHỈ THỊ" / "về ..." on the next lines.
            doc_type = _TYPE_WORDS[f]
            rest = []
            # The subject follows on the next one or two lines ("về …", "tổ chức đại hội …");
            # DOCX and PDF often put blank lines between them.
            for nxt in [line for line in lines[i + 1 : i + 7] if line.strip()][:2]:
                if len(nxt) > 200 or nxt.rstrip().endswith((".", ";")) or (rest and not nxt.strip()[:1].islower()):
                    break
                rest.append(nxt.strip())
            label = _KIND_LABEL[f] + (f" {own_number}" if own_number else "")
            title = " ".join([label, *rest]).strip()
            return _sentence_case(title), doc_type, own_number
    for line in lines[:8]:
        text = line.strip()
        if not text or is_boilerplate_line(text) or len(text.split()) < 4:
            continue
        if len(text) > 300:  # a paragraph, not a title
            break
        # A text without an official header is an article, even one titled "Kết luận 118 điều chỉnh …"
        # (news about a document): it is not the document and does not rank as one.
        return text.rstrip("."), "news", own_number
    first = next((line.strip() for line in lines if line.strip()), "")
    return first[:120], "news", own_number


def _sentence_case(title: str) -> str:
    return title if not title.isupper() else title[:1] + title[1:].lower()


def _find_source(lines: list[str]) -> str | None:
    for line in lines[:10]:
        m = _SOURCE_RE.match(line.strip())
        if m:
            return m.group(1)
    return None


def _find_author(lines: list[str]) -> str | None:
    """The author line closes a news article: short, no final full stop."""
    tail = [line.strip() for line in lines if line.strip()][-3:]
    for line in reversed(tail):
        words = line.split()
        if 1 <= len(words) <= 12 and not line.endswith((".", "…", ":", ";")) and len(line) < 90 and "|" not in line:
            first = line.split(",")[0]
            if any(w[:1].isupper() for w in first.split()) and not re.search(r"\d{3,}", line):
                return line
        break
    return None


def extract_metadata(raw_text: str, clean: str, hints: dict | None = None, overrides: dict | None = None) -> DocMeta:
    """Metadata from the raw text (dates above the title) and the cleaned body.

    ``hints`` (from the file format) only fill what the text did not give;
    ``overrides`` (the admin's) always win.
    """
    raw_lines = [normalize(line) for line in raw_text.splitlines()]
    lines = clean.splitlines()
    header = parse_header(lines)
    if header is not None:
        meta = official_metadata(header, clean)
        return apply_overrides(apply_overrides(meta, _gaps(meta, hints)), overrides or {})
    title, doc_type, own_number = _find_title_and_type(lines)
    meta = DocMeta(
        title=title,
        published=_find_date(raw_lines),
        source=_find_source(lines),
        author=_find_author(lines) if doc_type == "news" else None,
        doc_type=doc_type,
        doc_number=own_number,
        cited=[r.label() for r in find_refs(clean)],
    )
    gaps = _gaps(meta, hints)
    if hints and hints.get("title") and meta.doc_type == "news":
        gaps["title"] = hints["title"]  # an HTML <h1>/og:title beats the first text line
    return apply_overrides(apply_overrides(meta, gaps), overrides or {})


def _gaps(meta: DocMeta, hints: dict | None) -> dict:
    """Format hints for the fields the text did not give."""
    return {k: v for k, v in (hints or {}).items() if not getattr(meta, _KEY_ALIASES.get(k, k), None)}


def official_metadata(header: Header, clean: str) -> DocMeta:
    """Metadata of an official document from its header block."""
    body = "\n".join(clean.splitlines()[header.body_start :])
    subject = recase(header.subject, body)
    label = header.doc_type.label + (f" {header.number}" if header.number else "")
    issuer = recase(header.issuer, body) if header.issuer else None
    if issuer:
        issuer = issuer[:1].upper() + issuer[1:]
    signer = " — ".join(x for x in (header.signer_role, header.signer) if x) or None
    return DocMeta(
        title=f"{label} {subject}".strip(),
        published=header.issued,
        source=None,
        author=None,
        doc_type=header.doc_type.value,
        doc_number=header.number,
        cited=[r.label() for r in find_refs(clean)],
        issuer=issuer,
        place=header.place,
        signer=signer,
        basis=header.basis,
        official=True,
    )


_KEY_ALIASES = {"date": "published", "type": "doc_type", "number": "doc_number", "outlet": "source"}


def apply_overrides(meta: DocMeta, overrides: dict) -> DocMeta:
    for key, value in overrides.items():
        key = _KEY_ALIASES.get(key, key)
        if key not in DocMeta.__dataclass_fields__ or value in (None, ""):
            continue
        if key == "cited" and isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if key == "published":
            value = _normalize_date(str(value))
        if key == "doc_type" and value not in DOC_TYPES:
            continue
        setattr(meta, key, value)
    return meta


def _normalize_date(value: str) -> str | None:
    value = value.strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}", value):
        return value[:10]
    m = _NUMERIC_DATE_RE.search(fold(value))
    return _iso(*m.groups()) if m else None


def split_front_matter(text: str) -> tuple[dict, str]:
    """``---`` delimited ``key: value`` lines at the top of a .txt/.md file."""
    m = re.match(r"^\ufeff?---\s*\n(.*?)\n---\s*\n", text, re.S)
    if not m:
        return {}, text
    fields = {}
    for line in m.group(1).splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            fields[key.strip().lower()] = value.strip().strip("\"'")
    return fields, text[m.end() :]


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".meta.json")


def read_sidecar(path: Path) -> dict:
    """Admin overrides next to the document (``report.pdf.meta.json``); JSON, never pickle.
    Checked against :class:`bot.sidecar.Sidecar`; a bad one raises ``LoadError(BAD_METADATA)``."""
    side = sidecar_path(path)
    if not side.exists() and not side.is_symlink():
        return {}
    from .sidecar import read_sidecar_file

    return read_sidecar_file(side)
