"""Load a document file into raw text plus format hints.

One function per format, each built on a well-kept library (pypdf,
python-docx, BeautifulSoup).  A loader raises :class:`~bot.errors.LoadError`
with a typed reason a person can act on; the indexer skips that file and goes on.

:func:`load` guards every reader: sizes are checked before anything is parsed
(the file, a DOCX archive's declared member sizes), any exception a parsing
library raises on hostile bytes becomes a typed skip reason, and the extracted
text is capped (see :mod:`bot.limits`).
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from . import limits
from .docx_numbering import Numbering
from .errors import LoadError, SkipReason, UnsupportedFile
from .layout import reflow_pages
from .limits import megabytes
from .metadata import read_sidecar, split_front_matter

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
# Files in knowledge/ that are data for the bot, not documents to index.
RESERVED_NAMES = {"glossary.tsv", "readme.md"}

__all__ = ["SUPPORTED_SUFFIXES", "LoadError", "Loaded", "check_file", "is_document", "load"]

# A one-row table with this many cells or fewer, whose cells hold several lines, is page layout
# (the letterhead's two columns, the signature block), not data.
LAYOUT_TABLE_MAX_CELLS = 3


@dataclass
class Loaded:
    text: str
    hints: dict = field(default_factory=dict)  # weak: from the file format, fills gaps only
    overrides: dict = field(default_factory=dict)  # strong: the admin's front matter or sidecar


def is_document(path: Path) -> bool:
    return (
        path.is_file()
        and path.suffix.lower() in SUPPORTED_SUFFIXES
        and path.name.lower() not in RESERVED_NAMES
        and not path.name.startswith((".", "_"))
    )


_KIND = {".pdf": "PDF", ".docx": "DOCX", ".html": "HTML", ".htm": "HTML", ".txt": "text", ".md": "Markdown"}
# Characters no stored text may hold: lone surrogates (SQLite rejects them) and NUL.
_UNSTORABLE_RE = re.compile(r"[\ud800-\udfff\x00]")


def check_file(path: Path) -> int:
    """The checks made before a file is read at all: a regular file within the size limit.
    Returns its size."""
    try:
        st = path.stat()
    except OSError as exc:
        raise LoadError(SkipReason.UNREADABLE, exc.strerror or str(exc)) from exc
    if not stat.S_ISREG(st.st_mode):
        raise LoadError(SkipReason.UNREADABLE, "not a regular file")
    if st.st_size > limits.MAX_FILE_BYTES:
        raise LoadError(
            SkipReason.TOO_LARGE,
            f"{megabytes(st.st_size)}, over the limit of {megabytes(limits.MAX_FILE_BYTES)} (CONGRESS_BOT_MAX_FILE_MB)",
        )
    return st.st_size


def load(path: Path) -> Loaded:
    """Read any supported file; admin sidecar overrides win over format hints."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFile(f"{suffix or '(no suffix)'}; use one of {', '.join(SUPPORTED_SUFFIXES)}")
    check_file(path)
    try:
        with path.open("rb") as f:
            data = f.read(limits.MAX_FILE_BYTES + 1)  # the file may have grown since it was checked
    except OSError as exc:
        raise LoadError(SkipReason.UNREADABLE, exc.strerror or str(exc)) from exc
    if not data or data.isspace():
        raise LoadError(SkipReason.EMPTY)
    kind = _KIND[suffix]
    _check_size(suffix, data)
    reader = {".pdf": _load_pdf, ".docx": _load_docx, ".html": _load_html, ".htm": _load_html}.get(suffix, _load_text)
    try:
        loaded = reader(data)
    except LoadError as exc:
        if isinstance(exc.__cause__, MemoryError):  # a reader's catch-all met a memory error
            raise LoadError(SkipReason.TOO_LARGE, f"{kind}: ran out of memory while reading it") from exc
        raise
    except MemoryError as exc:
        raise LoadError(SkipReason.TOO_LARGE, f"{kind}: ran out of memory while reading it") from exc
    except RecursionError as exc:
        raise LoadError(SkipReason.CORRUPT, f"{kind}: structure nested too deeply") from exc
    except Exception as exc:  # any library's error on hostile bytes is this file's problem, not the run's
        raise LoadError(SkipReason.CORRUPT, f"{kind} ({exc.__class__.__name__}: {_short(exc)})") from exc
    del data
    if len(loaded.text) > limits.MAX_TEXT_CHARS:
        raise LoadError(
            SkipReason.TOO_LARGE,
            f"{len(loaded.text):,} characters of text, over the limit of {limits.MAX_TEXT_CHARS:,}"
            " (CONGRESS_BOT_MAX_TEXT_CHARS)",
        )
    if not re.search(r"\w{2,}", loaded.text):
        raise LoadError(SkipReason.NO_TEXT, "a scanned PDF or an image needs OCR first")
    loaded.overrides.update(read_sidecar(path))
    return _storable(loaded)


def _short(exc: BaseException, n: int = 200) -> str:
    text = str(exc)
    return text if len(text) <= n else text[:n] + "…"


def _check_size(suffix: str, data: bytes) -> None:
    """Format-specific bounds that can be checked before parsing."""
    if len(data) > limits.MAX_FILE_BYTES:  # grew after check_file
        raise LoadError(SkipReason.TOO_LARGE, f"over the limit of {megabytes(limits.MAX_FILE_BYTES)}")
    if suffix in (".html", ".htm") and len(data) > limits.MAX_HTML_BYTES:
        raise LoadError(
            SkipReason.TOO_LARGE,
            f"HTML of {megabytes(len(data))}, over the limit of {megabytes(limits.MAX_HTML_BYTES)}",
        )
    if suffix in (".txt", ".md") and len(data) > 4 * limits.MAX_TEXT_CHARS:  # UTF-8 takes at most 4 bytes a character
        raise LoadError(
            SkipReason.TOO_LARGE,
            f"{megabytes(len(data))} of text, over the limit of {limits.MAX_TEXT_CHARS:,} characters",
        )
    if suffix == ".docx":
        _check_zip(data)


def _check_zip(data: bytes) -> None:
    """Refuse a DOCX whose members declare more uncompressed bytes than the limits, before anything is
    inflated.  (A member that inflates past its declared size is cut there by zipfile and fails its CRC.)"""
    import io
    import zipfile

    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except Exception as exc:  # BadZipFile, and whatever else a damaged central directory provokes
        raise LoadError(
            SkipReason.CORRUPT, f"DOCX is not a zip archive ({exc.__class__.__name__}: {_short(exc)})"
        ) from exc
    total = 0
    for m in members:
        if m.file_size > limits.MAX_DOCX_MEMBER_BYTES:
            raise LoadError(
                SkipReason.TOO_LARGE,
                f"DOCX member {m.filename} inflates to {megabytes(m.file_size)}, over the limit of "
                f"{megabytes(limits.MAX_DOCX_MEMBER_BYTES)} (CONGRESS_BOT_MAX_DOCX_MEMBER_MB)",
            )
        total += m.file_size
    if total > limits.MAX_DOCX_TOTAL_BYTES:
        raise LoadError(
            SkipReason.TOO_LARGE,
            f"DOCX inflates to {megabytes(total)}, over the limit of {megabytes(limits.MAX_DOCX_TOTAL_BYTES)}",
        )


def _clean_str(value: str) -> str:
    return _UNSTORABLE_RE.sub("\ufffd", value) if _UNSTORABLE_RE.search(value) else value


def _storable(loaded: Loaded) -> Loaded:
    """Text and hints that SQLite can store: no lone surrogates (from broken PDF font maps or
    ``\\ud800`` escapes), no NUL; hints that are not text are dropped."""
    loaded.text = _clean_str(loaded.text)
    loaded.hints = {k: _clean_str(v) for k, v in loaded.hints.items() if isinstance(v, str)}
    loaded.overrides = {
        k: _clean_str(v) if isinstance(v, str) else [_clean_str(x) for x in v] if isinstance(v, list) else v
        for k, v in loaded.overrides.items()
    }
    return loaded


def decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise LoadError(SkipReason.NOT_TEXT, "broken UTF-16") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        raise LoadError(SkipReason.NOT_TEXT, "binary data")
    try:
        # Older Vietnamese files are often Windows-1258.
        return data.decode("cp1258")
    except UnicodeDecodeError as exc:
        raise LoadError(SkipReason.NOT_TEXT, "text is neither UTF-8 nor Windows-1258") from exc


def _load_text(data: bytes) -> Loaded:
    overrides, text = split_front_matter(decode_text(data))
    # Markdown markup that would otherwise end up in passages.
    text = re.sub(r"^#{1,6}\s+", "", text, flags=re.M)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    return Loaded(text, overrides=overrides)


def _load_html(data: bytes) -> Loaded:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "html.parser")
    hints: dict = {}
    for prop, key in (
        ("og:title", "title"),
        ("article:published_time", "published"),
        ("og:site_name", "source"),
        ("author", "author"),
    ):
        tag = soup.find("meta", attrs={"property": prop}) or soup.find("meta", attrs={"name": prop})
        if tag and tag.get("content"):
            hints[key] = tag["content"].strip()
    h1 = soup.find("h1")
    if h1 and h1.get_text(strip=True):
        hints.setdefault("title", h1.get_text(" ", strip=True))
    elif soup.title and soup.title.get_text(strip=True):
        hints.setdefault("title", soup.title.get_text(" ", strip=True))
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe"]):
        tag.decompose()
    root = soup.find("article") or soup.body or soup
    blocks = _html_blocks(root)
    if not blocks:
        blocks = [root.get_text("\n", strip=True)]
    return Loaded("\n\n".join(blocks), hints)


_HTML_BLOCKS = ["h1", "h2", "h3", "h4", "p", "li", "figcaption", "td", "blockquote", "pre"]
_HTML_CONTAINED = ["p", "li", "td"]


def _html_blocks(root) -> list[str]:
    """The text of each block element in document order.  A block that holds a paragraph, list item or
    cell is a container: those are visited themselves.  A block inside a block already taken is part of
    its text.  Linear in the size of the page, however deeply it nests (html.parser nests unclosed
    ``<p>`` tags, so 30,000 of them are 30,000 levels deep)."""
    containers: set[int] = set()  # id() of the elements that hold a p/li/td
    for inner in root.find_all(_HTML_CONTAINED):
        for parent in inner.parents:
            if id(parent) in containers:
                break
            containers.add(id(parent))
    taken: set[int] = set()  # id() of the elements inside a block already taken
    blocks = []
    for el in root.find_all(_HTML_BLOCKS):
        if id(el) in containers or id(el) in taken:
            continue
        taken.update(id(d) for d in el.descendants)
        text = el.get_text(" ", strip=True)
        if text:
            blocks.append(text)
    return blocks


def open_pdf(data: bytes):
    """pypdf's reader for these bytes, decrypted with the empty password when it is encrypted;
    a typed :class:`LoadError` (ENCRYPTED, CORRUPT) when it cannot be opened.  Shared with bot.ocr."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as exc:  # pypdf raises several types here
                raise LoadError(SkipReason.ENCRYPTED, "PDF") from exc
        return reader
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(SkipReason.CORRUPT, f"PDF ({exc.__class__.__name__}: {_short(exc)})") from exc


def _load_pdf(data: bytes) -> Loaded:
    from pypdf.errors import PdfReadError

    reader = open_pdf(data)
    try:
        read = [_page_text(page) for page in reader.pages]
        pages = [text for text, _ in read]
        bold: list[list[bool]] | None = [lines for _, lines in read]
        info = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(SkipReason.CORRUPT, f"PDF ({exc.__class__.__name__}: {_short(exc)})") from exc
    hints = {}
    if info.get("/Title"):
        hints["title"] = str(info["/Title"]).strip()
    if not any(re.search(r"\w{2,}", page) for page in pages):
        # No text layer: a scan.  OCR it when Tesseract is installed; else skip with how to enable it.
        from .ocr import ocr_pdf

        pages, bold = ocr_pdf(data), None
    # pypdf returns printed lines: re-join them into paragraphs, drop page furniture, mark page starts.
    return Loaded(reflow_pages(pages, bold), hints)


# A printed line is bold (a heading) when at least this share of its letters are set in a bold font;
# a plain paragraph with one word in bold stays plain.
BOLD_LINE_SHARE = 0.9


def _page_text(page) -> tuple[str, list[bool]]:
    """A page's text as pypdf extracts it, and which of its lines (``splitlines()``) are printed in bold.
    pypdf hands each text run to the visitor in output order, with its font."""
    runs: list[tuple[str, bool]] = []

    def visit(text: str, cm, tm, font: dict | None, size) -> None:
        runs.append((text, "bold" in str((font or {}).get("/BaseFont", "")).lower()))

    text = page.extract_text(visitor_text=visit) or ""
    # The runs' letters as B (bold) or p (plain), every space and line break kept, so the mask's lines
    # are the text's lines.
    mask = "".join(ch if ch.isspace() else "Bp"[not heavy] for run, heavy in runs for ch in run)
    if len(mask) != len(text):
        return text, []  # the runs do not add up to the text: no font evidence
    lines = []
    for line in mask.splitlines():
        heavy, letters = line.count("B"), line.count("B") + line.count("p")
        lines.append(letters > 0 and heavy >= BOLD_LINE_SHARE * letters)
    return text, lines


def _load_docx(data: bytes) -> Loaded:
    import io
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError(SkipReason.CORRUPT, f"DOCX ({exc.__class__.__name__})") from exc
    except Exception as exc:  # python-docx raises its own PackageNotFoundError etc.
        raise LoadError(SkipReason.CORRUPT, f"DOCX ({exc.__class__.__name__}: {_short(exc)})") from exc
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    # Paragraphs and tables in document order (a table stays where it was written); list paragraphs
    # get the number Word draws before them; a one-row layout table (the letterhead's two columns)
    # is read column by column, a data table row by row ("STT | Nội dung | Thời gian").
    numbering = Numbering(document)
    blocks = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            label = numbering.label(block)
            text = block.text
            blocks.append(f"{label} {text}" if label and text.strip() else text)
        elif isinstance(block, Table):
            rows = block.rows
            cells = rows[0].cells if len(rows) == 1 else []
            stacked = any(sum(1 for p in c.paragraphs if p.text.strip()) > 1 for c in cells)
            if stacked and len(cells) <= LAYOUT_TABLE_MAX_CELLS:
                for cell in dict.fromkeys(rows[0].cells):
                    blocks.append("\n".join(p.text for p in cell.paragraphs if p.text.strip()))
                continue
            for row in rows:
                cells = [" ".join(c.text.split()) for c in row.cells if c.text.strip()]
                if cells:
                    blocks.append(" | ".join(dict.fromkeys(cells)))
    hints = {}
    props = document.core_properties
    if props.title:
        hints["title"] = props.title
    return Loaded("\n\n".join(blocks), hints)
