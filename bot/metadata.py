"""Document metadata: extracted automatically, overridable by the admin.

Order of precedence (highest first): a sidecar ``FILE.meta.json`` next to the
document, front matter at the top of a .txt/.md file, hints from the file
format (HTML <title>, PDF info), and finally what is read from the text.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from .clean import DATE_LINE_RE, is_boilerplate_line
from .textnorm import fold, normalize

DOC_TYPES = ("directive", "instruction", "plan", "regulation", "resolution", "decision", "news")

# Folded type word -> document type, and the code used in numbers (35-CT/TW).
_TYPE_WORDS = {
    "chi thi": "directive",
    "huong dan": "instruction",
    "ke hoach": "plan",
    "quy dinh": "regulation",
    "nghi quyet": "resolution",
    "quyet dinh": "decision",
}
_TYPE_CODES = {"ct": "chi thi", "hd": "huong dan", "kh": "ke hoach", "qd": "quy dinh", "nq": "nghi quyet"}
_KIND_LABEL = {
    "chi thi": "Chỉ thị",
    "huong dan": "Hướng dẫn",
    "ke hoach": "Kế hoạch",
    "quy dinh": "Quy định",
    "nghi quyet": "Nghị quyết",
    "quyet dinh": "Quyết định",
    "ket luan": "Kết luận",
    "thong bao": "Thông báo",
}

# "Chỉ thị số 35-CT/TW", "Quy định: 59, 61, 104", "chi thi 35" (folded text).
_KIND_RE = "|".join(sorted(_KIND_LABEL, key=len, reverse=True))
_REF_RE = re.compile(
    rf"\b({_KIND_RE})\s*(?:so\s*|:\s*)?"
    r"(\d{1,4}(?:\s*-\s*[a-z]{1,4}(?:\s*/\s*[a-z0-9]{1,6})*)?"
    r"(?:\s*(?:,|va)\s*\d{1,4}(?![\d/]))*)"
)
# A bare code number: "35-CT/TW", "148-KH/TU".
_CODE_RE = re.compile(r"\b(\d{1,4})\s*-\s*([a-z]{2,4})\s*/\s*([a-z]{1,6})\b")


@dataclass(frozen=True)
class DocRef:
    """A reference to a document by kind and number: ("chi thi", "35")."""

    kind: str
    number: str
    code: str = ""  # "CT/TW" when written in full

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

    def to_dict(self) -> dict:
        return asdict(self)


_PUBLISHED_RE = re.compile(
    r"(ngay dang|ngay xuat ban|ngay ban hanh|cap nhat)\s*:?\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})"
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


def _find_date(raw_lines: list[str]) -> str | None:
    """Prefer an explicit "Ngày đăng:" line, then a dated header line without a
    clock time, then an official "ngày .. tháng .. năm" line, then a crawl timestamp."""
    head = [fold(line).strip() for line in raw_lines[:40] if line.strip()]
    for f in head:
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
        return text.rstrip("."), _type_from_title(text), own_number
    first = next((line.strip() for line in lines if line.strip()), "")
    return first[:120], "news", own_number


def _sentence_case(title: str) -> str:
    return title if not title.isupper() else title[:1] + title[1:].lower()


def _type_from_title(title: str) -> str:
    f = fold(title)
    for word, doc_type in _TYPE_WORDS.items():
        if f.startswith(word + " ") and re.match(rf"{word}\s+(so\s+)?\d", f):
            return doc_type
    return "news"


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
    gaps = {k: v for k, v in (hints or {}).items() if not getattr(meta, _KEY_ALIASES.get(k, k), None)}
    if hints and hints.get("title") and meta.doc_type == "news":
        gaps["title"] = hints["title"]  # an HTML <h1>/og:title beats the first text line
    return apply_overrides(apply_overrides(meta, gaps), overrides or {})


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
