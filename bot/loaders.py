"""Load a document file into raw text plus format hints.

One function per format, each built on a well-kept library (pypdf,
python-docx, BeautifulSoup).  A loader raises :class:`LoadError` with a
reason a person can act on; the indexer skips that file and goes on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .docx_numbering import Numbering
from .layout import reflow_pages
from .metadata import read_sidecar, split_front_matter

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
# Files in knowledge/ that are data for the bot, not documents to index.
RESERVED_NAMES = {"glossary.tsv", "readme.md"}


# A one-row table with this many cells or fewer, whose cells hold several lines, is page layout
# (the letterhead's two columns, the signature block), not data.
LAYOUT_TABLE_MAX_CELLS = 3


class LoadError(Exception):
    """A document that cannot be read; the message says why."""


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


def load(path: Path) -> Loaded:
    """Read any supported file; admin sidecar overrides win over format hints."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"unsupported file type {suffix or '(none)'}; use one of {', '.join(SUPPORTED_SUFFIXES)}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}") from exc
    if not data.strip():
        raise LoadError("file is empty")
    reader = {".pdf": _load_pdf, ".docx": _load_docx, ".html": _load_html, ".htm": _load_html}.get(suffix, _load_text)
    loaded = reader(data)
    if not re.search(r"\w{2,}", loaded.text):
        raise LoadError("no readable text found (a scanned PDF or an image needs OCR first)")
    try:
        loaded.overrides.update(read_sidecar(path))
    except ValueError as exc:
        raise LoadError(str(exc)) from exc
    return loaded


def decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        raise LoadError("binary data, not a text file")
    try:
        # Older Vietnamese files are often Windows-1258.
        return data.decode("cp1258")
    except UnicodeDecodeError as exc:
        raise LoadError("text is neither UTF-8 nor Windows-1258") from exc


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
    blocks = []
    for el in root.find_all(["h1", "h2", "h3", "h4", "p", "li", "figcaption", "td", "blockquote", "pre"]):
        if el.find(["p", "li", "td"]):  # a container; its children are visited
            continue
        text = el.get_text(" ", strip=True)
        if text:
            blocks.append(text)
    if not blocks:
        blocks = [root.get_text("\n", strip=True)]
    return Loaded("\n\n".join(blocks), hints)


def _load_pdf(data: bytes) -> Loaded:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as exc:  # pypdf raises several types here
                raise LoadError("PDF is password-protected") from exc
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(f"corrupt or unreadable PDF ({exc.__class__.__name__}: {exc})") from exc
    hints = {}
    if info.get("/Title"):
        hints["title"] = str(info["/Title"]).strip()
    if not any(re.search(r"\w{2,}", page) for page in pages):
        # No text layer: a scan.  OCR it when Tesseract is installed; else skip with how to enable it.
        from .errors import LoadError as TypedLoadError
        from .ocr import ocr_pdf

        try:
            pages = ocr_pdf(data)
        except TypedLoadError as exc:
            raise LoadError(str(exc)) from exc
    # pypdf returns printed lines: re-join them into paragraphs, drop page furniture, mark page starts.
    return Loaded(reflow_pages(pages), hints)


def _load_docx(data: bytes) -> Loaded:
    import io
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError(f"corrupt or unreadable DOCX ({exc.__class__.__name__})") from exc
    except Exception as exc:  # python-docx raises its own PackageNotFoundError etc.
        raise LoadError(f"corrupt or unreadable DOCX ({exc.__class__.__name__}: {exc})") from exc
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
