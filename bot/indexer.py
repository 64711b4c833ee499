"""document → load → clean → chunk → embed → store, incrementally.

Each document is identified by its file (doc_id = file name without the
suffix) and fingerprinted by a content hash over the file and its metadata
sidecar.  Unchanged documents are skipped, changed ones replaced, removed
ones deleted; only new passages are embedded.  All changes land in one new
index version (see :mod:`bot.store`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .chunking import Chunk, SectionChunk, chunk_sections, chunk_text
from .clean import clean_text
from .embeddings import VectorEmbedder
from .errors import LoadError as TypedLoadError
from .glossary import Glossary
from .header import Header, parse_header
from .layout import page_at, take_page_marks
from .loaders import LoadError, is_document, load
from .metadata import DocMeta, extract_metadata, sidecar_path
from .relations import (
    Relation,
    docref_from_meta,
    effective_date,
    extract_relations,
    merge_relations,
    relations_from_overrides,
    relations_to_json,
)
from .store import IndexStore, Writer
from .structure import HEADER, Section, parse_sections
from .terms import document_term
from .textnorm import fold

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
EMBED_BATCH = 16


@dataclass
class PreparedDoc:
    doc_id: str
    path: Path
    content_hash: str
    meta: DocMeta
    text: str
    chunks: list[Chunk]
    page_starts: list[tuple[int, int]] = field(default_factory=list)  # (offset, page) of a PDF's pages
    relations: list[Relation] = field(default_factory=list)  # replaces, amends, implements … (text and admin)
    admin_status: str | None = None
    effective: str | None = None
    term: str | None = None  # "2020-2025"


@dataclass(frozen=True)
class PendingPassage:
    """A passage written to SQLite whose vector is still to be added."""

    passage_id: int
    text: str  # what the embedding model reads
    doc: PreparedDoc
    position: int


@dataclass
class IndexReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    documents: list[dict] = field(default_factory=list)  # what was understood of each new document
    passages_added: int = 0
    tokens_embedded: int = 0
    embed_seconds: float = 0.0
    total_seconds: float = 0.0
    version: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{len(self.removed)} removed",
            f"{self.unchanged} unchanged",
            f"{len(self.skipped)} skipped",
            f"{self.passages_added} passages embedded in {self.embed_seconds:.1f}s",
            f"total {self.total_seconds:.1f}s",
        ]
        return ", ".join(parts)


# Bump when loading, cleaning, metadata or chunking changes what a file turns into:
# every document is then re-processed on the next `congress-bot index`.
PIPELINE_VERSION = "4"
# Passages of news: sentences grouped to about this many tokens (e5-small reads at most 512).
NEWS_TARGET_TOKENS = 200
# Passages of official documents: a whole section up to this many tokens, else its subsections.
SECTION_MAX_TOKENS = 300
# Room left in the model's window for the title, path and context prepended to a passage.
EMBED_PREFIX_TOKENS = 64
# Upper bound of any passage, whatever the model's window.
PASSAGE_MAX_TOKENS = 400


def content_hash(path: Path) -> str:
    """Fingerprint of what a document will become: file bytes, sidecar and pipeline version."""
    h = hashlib.sha256(path.read_bytes())
    h.update(b"\0pipeline\0" + PIPELINE_VERSION.encode())
    side = sidecar_path(path)
    if side.exists():
        h.update(b"\0sidecar\0" + side.read_bytes())
    return h.hexdigest()


def doc_id_for(path: Path, root: Path) -> str:
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        rel = Path(path.name)
    stem = str(rel.with_suffix("")).replace("/", "__")
    return re.sub(r"[^\w.\-]+", "-", stem).strip("-") or "document"


def embedding_text(title: str, passage: str, context: str = "") -> str:
    """What the model reads for a passage: its document's title (and section path) give the
    context (which province, which unit, which article) that a passage in the middle of a
    document lacks; ``context`` is the lead-in of a list whose items the passage holds."""
    head = title if title and not passage.startswith(title) else ""
    return "\n".join(x for x in (head, context, passage) if x)


class Indexer:
    def __init__(self, store: IndexStore, embedder: VectorEmbedder, glossary: Glossary, knowledge_dir: Path) -> None:
        self.store = store
        self.embedder = embedder
        self.glossary = glossary
        self.knowledge_dir = Path(knowledge_dir)

    # -- preparing documents -------------------------------------------------
    def prepare(self, path: Path, doc_id: str, digest: str | None = None) -> PreparedDoc:
        """load → clean → metadata → structure → chunk one file."""
        loaded = load(path)
        raw, _ = take_page_marks(loaded.text)
        official = parse_header(raw.splitlines()) is not None
        text, page_starts = take_page_marks(clean_text(loaded.text, official=official))
        if len(re.findall(r"\w+", text)) < 3:
            raise LoadError("too little text after cleaning")
        lines = text.splitlines()
        header = parse_header(lines) if official else None
        meta = extract_metadata(raw, text, loaded.hints, loaded.overrides)
        budget = min(PASSAGE_MAX_TOKENS, self.embedder.max_tokens - EMBED_PREFIX_TOKENS)
        if header is not None:
            chunks: list[Chunk] = list(self._official_chunks(text, lines, header, min(SECTION_MAX_TOKENS, budget)))
        else:
            chunks = chunk_text(
                text, self.embedder.count_tokens, target_tokens=min(NEWS_TARGET_TOKENS, budget), max_tokens=budget
            )
        doc = PreparedDoc(doc_id, path, digest or content_hash(path), meta, text, chunks, page_starts)
        self._relations(doc, loaded.overrides)
        return doc

    @staticmethod
    def _relations(doc: PreparedDoc, overrides: dict) -> None:
        """What the document says of other documents, when it takes effect, which term it speaks of;
        the admin's sidecar or front matter (replaces, amends, status, effective) wins."""
        m = doc.meta
        own = docref_from_meta(m.doc_type, m.doc_number, m.published) if m.official else None
        try:
            admin, status, effective = relations_from_overrides(overrides)
        except TypedLoadError as exc:
            raise LoadError(str(exc)) from exc
        doc.relations = merge_relations(extract_relations(doc.text, own), admin)
        doc.admin_status = status.value if status else None
        doc.effective = effective or effective_date(doc.text, m.published)
        term = document_term(doc.text, m.published) if not m.official else None
        doc.term = "{}-{}".format(*term.local_years) if term else None

    def _official_chunks(self, text: str, lines: list[str], header: Header, budget: int) -> list[SectionChunk]:
        """The letterhead as one passage (it holds the number and date), then one per section;
        the distribution list and signature block are not content."""
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line) + 1)
        body_start = offsets[min(header.body_start, len(lines))]
        body_end = offsets[header.tail_start] if header.tail_start is not None else len(text)
        roots = parse_sections(text, body_start, body_end)
        if body_start > 0:
            roots.insert(0, Section(HEADER, "", "", 0, body_start))
        return chunk_sections(text, roots, self.embedder.count_tokens, budget)

    def scan(self) -> dict[str, Path]:
        """doc_id -> path for every document file in the knowledge directory."""
        files = sorted(p for p in self.knowledge_dir.rglob("*") if is_document(p))
        ids: dict[str, Path] = {}
        for p in files:
            doc_id = doc_id_for(p, self.knowledge_dir)
            if doc_id in ids:  # report.pdf beside report.docx
                doc_id = f"{doc_id}-{p.suffix.lstrip('.').lower()}"
            ids[doc_id] = p
        return ids

    def stored_path(self, path: Path) -> str:
        """Path kept in the index: relative to the knowledge directory, so the
        folders can be moved or restored together."""
        try:
            return str(path.resolve().relative_to(self.knowledge_dir.resolve()))
        except ValueError:
            return str(path.resolve())

    def file_of(self, stored: str) -> Path:
        p = Path(stored)
        return p if p.is_absolute() else self.knowledge_dir / p

    # -- operations ------------------------------------------------------------
    def sync(self, rebuild: bool = False, progress: Progress | None = None) -> IndexReport:
        """Bring the index up to date with the knowledge directory."""
        started = time.perf_counter()
        report = IndexReport()
        with self.store.writer(self.embedder.model_id, self.embedder.dim, rebuild=rebuild) as w:
            known = {
                r["doc_id"]: r["content_hash"] for r in w.conn.execute("SELECT doc_id, content_hash FROM documents")
            }
            on_disk = self.scan()
            todo: list[PreparedDoc] = []
            for doc_id, path in on_disk.items():
                try:
                    digest = content_hash(path)
                    if known.get(doc_id) == digest:
                        report.unchanged += 1
                        continue
                    todo.append(self.prepare(path, doc_id, digest))
                except (LoadError, OSError) as exc:
                    self._skip(report, path, exc)
            for doc_id in known.keys() - on_disk.keys():
                self._delete(w, doc_id)
                report.removed.append(doc_id)
            self._write(w, todo, known, report, progress)
            if report.changed:
                report.version = w.commit()
        report.total_seconds = time.perf_counter() - started
        return report

    def index_paths(self, paths: list[Path], progress: Progress | None = None) -> IndexReport:
        """Index just these files (already inside the knowledge directory)."""
        started = time.perf_counter()
        report = IndexReport()
        with self.store.writer(self.embedder.model_id, self.embedder.dim) as w:
            known = {
                r["doc_id"]: (r["content_hash"], r["path"])
                for r in w.conn.execute("SELECT doc_id, content_hash, path FROM documents")
            }
            todo = []
            for path in paths:
                doc_id = doc_id_for(path, self.knowledge_dir)
                if doc_id in known and Path(known[doc_id][1]).name != path.name:
                    doc_id = f"{doc_id}-{path.suffix.lstrip('.').lower()}"
                try:
                    digest = content_hash(path)
                    if known.get(doc_id, ("", ""))[0] == digest:
                        report.unchanged += 1
                        continue
                    todo.append(self.prepare(path, doc_id, digest))
                except (LoadError, OSError) as exc:
                    self._skip(report, path, exc)
            self._write(w, todo, {k: v[0] for k, v in known.items()}, report, progress)
            if report.changed:
                report.version = w.commit()
        report.total_seconds = time.perf_counter() - started
        return report

    def remove(self, doc_id: str) -> bool:
        with self.store.writer(self.embedder.model_id, self.embedder.dim) as w:
            if not w.conn.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone():
                return False
            self._delete(w, doc_id)
            w.commit()
        return True

    # -- internals ---------------------------------------------------------------
    @staticmethod
    def _skip(report: IndexReport, path: Path, exc: Exception) -> None:
        reason = str(exc) if isinstance(exc, LoadError) else f"cannot read file: {exc}"
        log.info("skipped %s: %s", path.name, reason)
        report.skipped.append((path.name, reason))

    @staticmethod
    def _delete(w: Writer, doc_id: str) -> None:
        ids = [r[0] for r in w.conn.execute("SELECT id FROM passages WHERE doc_id = ?", (doc_id,))]
        w.remove_passages(ids)
        w.conn.executemany("DELETE FROM passages_fts WHERE rowid = ?", [(i,) for i in ids])
        w.conn.execute("DELETE FROM passages WHERE doc_id = ?", (doc_id,))
        w.conn.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    def _write(
        self, w: Writer, docs: list[PreparedDoc], known: dict[str, str], report: IndexReport, progress: Progress | None
    ) -> None:
        for doc in docs:
            if doc.doc_id in known:
                self._delete(w, doc.doc_id)
                report.updated.append(doc.doc_id)
            else:
                report.added.append(doc.doc_id)
        pending = self.write_rows(w, docs)
        for doc in docs:
            m = doc.meta
            report.documents.append(
                {
                    "doc_id": doc.doc_id,
                    "title": m.title,
                    "published": m.published,
                    "doc_type": m.doc_type,
                    "source": m.source,
                    "passages": len(doc.chunks),
                }
            )
            report.tokens_embedded += sum(c.tokens for c in doc.chunks)
        started = time.perf_counter()
        for i in range(0, len(pending), EMBED_BATCH):
            batch = pending[i : i + EMBED_BATCH]
            vectors = self.embedder.embed_passages([p.text for p in batch])
            w.add_vectors([p.passage_id for p in batch], np.asarray(vectors, dtype=np.float32))
            if progress:
                progress(min(i + EMBED_BATCH, len(pending)), len(pending))
        report.embed_seconds = time.perf_counter() - started
        report.passages_added = len(pending)

    def write_rows(self, w: Writer, docs: Iterable[PreparedDoc]) -> list[PendingPassage]:
        """Insert documents, passages and their lexical rows; return the passages
        that still need a vector."""
        pending: list[PendingPassage] = []
        now = time.strftime("%Y-%m-%dT%H:%M:%S")
        for doc in docs:
            m = doc.meta
            w.conn.execute(
                "INSERT INTO documents (doc_id, path, content_hash, title, published, source, author, doc_type,"
                " doc_number, cited, text, n_passages, indexed_at, issuer, place, signer, basis, official, relations,"
                " admin_status, effective, term) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    doc.doc_id,
                    self.stored_path(doc.path),
                    doc.content_hash,
                    m.title,
                    m.published,
                    m.source,
                    m.author,
                    m.doc_type,
                    m.doc_number,
                    json.dumps(m.cited, ensure_ascii=False),
                    doc.text,
                    len(doc.chunks),
                    now,
                    m.issuer,
                    m.place,
                    m.signer,
                    json.dumps(m.basis, ensure_ascii=False),
                    int(m.official),
                    json.dumps(relations_to_json(doc.relations), ensure_ascii=False),
                    doc.admin_status,
                    doc.effective,
                    doc.term,
                ),
            )
            title_f = fold(m.title)
            for position, chunk in enumerate(doc.chunks):
                label = path = None
                context, units = "", []
                if isinstance(chunk, SectionChunk):
                    label, path, context = chunk.label or None, chunk.path or None, chunk.context
                    units = [
                        [u.label, u.start - chunk.start, u.end - chunk.start, page_at(doc.page_starts, u.start)]
                        for u in chunk.units
                    ]
                cur = w.conn.execute(
                    "INSERT INTO passages (doc_id, position, start, end, text, tokens, section, path, page, context,"
                    " units) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        doc.doc_id,
                        position,
                        chunk.start,
                        chunk.end,
                        chunk.text,
                        chunk.tokens,
                        label,
                        path,
                        page_at(doc.page_starts, chunk.start),
                        context,
                        json.dumps(units, ensure_ascii=False),
                    ),
                )
                pid = int(cur.lastrowid)
                extra = " ".join(self.glossary.expansions_in(chunk.text) + self.glossary.abbreviations_in(chunk.text))
                # The section path is part of what is searched: its headings name the topic of the clauses.
                title = f"{m.title}\n{path}" if path else m.title
                w.conn.execute(
                    "INSERT INTO passages_fts (rowid, title, body, title_f, body_f, extra) VALUES (?,?,?,?,?,?)",
                    (pid, title, chunk.text, fold(title) if path else title_f, fold(chunk.text), fold(extra)),
                )
                pending.append(PendingPassage(pid, embedding_text(title, chunk.text, context), doc, position))
        return pending
