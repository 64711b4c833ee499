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
import os
import re
import stat
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import limits
from .chunking import Chunk, SectionChunk, chunk_sections, chunk_text
from .embeddings import VectorEmbedder
from .errors import LoadError, Skipped, SkipReason
from .glossary import Glossary
from .header import Header, parse_header
from .layout import page_at
from .loaders import RESERVED_NAMES, SUPPORTED_SUFFIXES, check_file
from .metadata import DocMeta, sidecar_path
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
from .worker import FileReader, read_document

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
    skipped: list[Skipped] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)  # what was understood of each new document
    passages_added: int = 0
    tokens_embedded: int = 0
    embed_seconds: float = 0.0
    total_seconds: float = 0.0
    version: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def skipped_lines(self) -> list[str]:
        """One line per skipped file: ``file: English reason (detail) / Vietnamese reason``."""
        return [skip_line(s) for s in self.skipped]

    def summary(self, with_skipped: bool = True) -> str:
        """The counts, then (unless ``with_skipped`` is false) one line per skipped file."""
        parts = [
            f"{len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{len(self.removed)} removed",
            f"{self.unchanged} unchanged",
            f"{len(self.skipped)} skipped",
            f"{self.passages_added} passages embedded in {self.embed_seconds:.1f}s",
            f"total {self.total_seconds:.1f}s",
        ]
        lines = [", ".join(parts)]
        if with_skipped:
            lines += [f"skipped {line}" for line in self.skipped_lines()]
        return "\n".join(lines)


def skip_line(s: Skipped) -> str:
    return f"{s.file}: {s.reason.describe}" + (f" ({s.detail})" if s.detail else "") + f" / {s.reason.vi}"


def display_name(path: Path | str) -> str:
    """A file name as valid UTF-8 text (bytes that are not UTF-8 become U+FFFD)."""
    return os.fsencode(path).decode("utf-8", "replace")


# Bump when loading, cleaning, metadata or chunking changes what a file turns into:
# every document is then re-processed on the next `congress-bot index`.
PIPELINE_VERSION = "10"
# Passages of news: sentences grouped to about this many tokens (e5-small reads at most 512).
NEWS_TARGET_TOKENS = 200
# Passages of official documents: a whole section up to this many tokens, else its subsections.
SECTION_MAX_TOKENS = 300
# Room left in the model's window for the title, path and context prepended to a passage.
EMBED_PREFIX_TOKENS = 64
# Upper bound of any passage, whatever the model's window.
PASSAGE_MAX_TOKENS = 400


def content_hash(path: Path) -> str:
    """Fingerprint of what a document will become: file bytes, sidecar and pipeline version.
    Read in blocks; a sidecar that is not a small regular file is fingerprinted by its size
    (loading refuses it anyway)."""
    with path.open("rb") as f:
        h = hashlib.file_digest(f, "sha256")
    h.update(b"\0pipeline\0" + PIPELINE_VERSION.encode())
    side = sidecar_path(path)
    try:
        st = side.lstat()
    except OSError:
        return h.hexdigest()
    if stat.S_ISREG(st.st_mode) and st.st_size <= limits.MAX_SIDECAR_BYTES:
        h.update(b"\0sidecar\0" + side.read_bytes())
    else:
        h.update(b"\0sidecar-refused\0%d\0%d" % (st.st_mode, st.st_size))
    return h.hexdigest()


def _located(path: Path) -> Path:
    """The absolute path of a file without following a link in its last component (a link inside the
    knowledge directory is a document of its own, at its own place)."""
    return path.parent.resolve() / path.name


def doc_id_for(path: Path, root: Path) -> str:
    try:
        rel = _located(path).relative_to(root.resolve())
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
    def prepare(
        self, path: Path, doc_id: str, digest: str | None = None, reader: FileReader | None = None
    ) -> PreparedDoc:
        """load → clean → metadata → structure → chunk one file, within the per-file time budget.
        With a ``reader``, the reading happens in its child process (hard time and memory limits);
        chunking checks the same deadline each time it counts tokens."""
        budget_s = limits.FILE_TIME_BUDGET_S
        deadline = time.monotonic() + budget_s
        read = reader.read(path, budget_s) if reader is not None else read_document(path)
        count_tokens = self.embedder.count_tokens

        def counted(piece: str) -> int:
            if time.monotonic() > deadline:
                raise LoadError(
                    SkipReason.TIMEOUT, f"not chunked within {budget_s:.0f} s (CONGRESS_BOT_FILE_TIME_BUDGET_S)"
                )
            return count_tokens(piece)

        text, meta = read.text, read.meta
        budget = min(PASSAGE_MAX_TOKENS, self.embedder.max_tokens - EMBED_PREFIX_TOKENS)
        header = parse_header(text.split("\n")) if meta.official else None
        if header is not None:
            chunks: list[Chunk] = list(self._official_chunks(text, header, counted, min(SECTION_MAX_TOKENS, budget)))
        else:
            chunks = chunk_text(text, counted, target_tokens=min(NEWS_TARGET_TOKENS, budget), max_tokens=budget)
        doc = PreparedDoc(doc_id, path, digest or content_hash(path), meta, text, chunks, read.page_starts)
        self._relations(doc, read.overrides)
        return doc

    @staticmethod
    def _relations(doc: PreparedDoc, overrides: dict) -> None:
        """What the document says of other documents, when it takes effect, which term it speaks of;
        the admin's sidecar or front matter (replaces, amends, status, effective) wins."""
        m = doc.meta
        own = docref_from_meta(m.doc_type, m.doc_number, m.published) if m.official else None
        admin, status, effective = relations_from_overrides(overrides)
        doc.relations = merge_relations(extract_relations(doc.text, own), admin)
        doc.admin_status = status.value if status else None
        doc.effective = effective or effective_date(doc.text, m.published)
        term = document_term(doc.text, m.published) if not m.official else None
        doc.term = "{}-{}".format(*term.local_years) if term else None

    @staticmethod
    def _official_chunks(
        text: str, header: Header, count_tokens: Callable[[str], int], budget: int
    ) -> list[SectionChunk]:
        """The letterhead as one passage (it holds the number and date), then one per section;
        the distribution list and signature block are not content."""
        body_start, body_end = header.body_span(text)
        roots = parse_sections(text, body_start, body_end)
        if body_start > 0:
            roots.insert(0, Section(HEADER, "", "", 0, body_start))
        return chunk_sections(text, roots, count_tokens, budget)

    def scan(self, skipped: list[Skipped] | None = None) -> dict[str, Path]:
        """doc_id -> path for every document file in the knowledge directory.

        Symbolic links are followed only to regular files inside the knowledge directory; links that
        leave it, dangle, loop or point to a folder, and files whose names are not UTF-8, are not
        documents and are appended to ``skipped`` with their reason."""
        root = self.knowledge_dir.resolve()
        ids: dict[str, Path] = {}
        for p in sorted(self.knowledge_dir.rglob("*")):
            if p.name.startswith((".", "_")) or p.name.lower() in RESERVED_NAMES:
                continue
            supported = p.suffix.lower() in SUPPORTED_SUFFIXES
            if p.is_symlink():
                problem = _link_problem(p, root)
                if problem is not None:
                    if supported or problem.reason == SkipReason.BROKEN_LINK:
                        self._record(skipped, p, problem.reason, problem.detail)
                    continue
            elif not p.is_file():
                continue
            if not supported:
                continue
            rel = p.relative_to(self.knowledge_dir)
            if display_name(rel) != str(rel):
                self._record(skipped, p, SkipReason.BAD_NAME, "the name is not valid UTF-8; rename the file")
                continue
            base = doc_id = doc_id_for(p, self.knowledge_dir)
            n = 1
            while doc_id in ids:  # report.pdf beside report.docx
                doc_id = f"{base}-{p.suffix.lstrip('.').lower()}" + (f"-{n}" if n > 1 else "")
                n += 1
            ids[doc_id] = p
        return ids

    def stored_path(self, path: Path) -> str:
        """Path kept in the index: relative to the knowledge directory, so the
        folders can be moved or restored together."""
        try:
            return str(_located(path).relative_to(self.knowledge_dir.resolve()))
        except ValueError:
            return str(_located(path))

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
            on_disk = self.scan(report.skipped)
            todo: list[PreparedDoc] = []
            with FileReader() as reader:
                for doc_id, path in on_disk.items():
                    doc = self._prepare_one(path, doc_id, known.get(doc_id), report, reader)
                    if doc is not None:
                        todo.append(doc)
            for doc_id in known.keys() - on_disk.keys():
                self._delete(w, doc_id)
                report.removed.append(doc_id)
            self._write(w, todo, known, report, progress)
            if report.changed:
                report.version = w.commit()
        report.total_seconds = time.perf_counter() - started
        return report

    def pending(self, known: dict[str, str]) -> int:
        """How many documents ``index`` would add, update or remove, given the indexed ones' fingerprints
        (doc_id → content hash): new files, changed files, files indexed by an older pipeline version
        (the fingerprint includes it) and removed files.  Nothing is loaded; a file that cannot be read
        counts as pending."""
        on_disk = self.scan()
        changed = 0
        for doc_id, path in on_disk.items():
            try:
                changed += known.get(doc_id) != content_hash(path)
            except OSError:
                changed += 1
        return changed + len(known.keys() - on_disk.keys())

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
            with FileReader() as reader:
                for path in paths:
                    if display_name(path.name) != path.name:
                        self._record(report.skipped, path, SkipReason.BAD_NAME, "the name is not valid UTF-8")
                        continue
                    doc_id = doc_id_for(path, self.knowledge_dir)
                    if doc_id in known and Path(known[doc_id][1]).name != path.name:
                        doc_id = f"{doc_id}-{path.suffix.lstrip('.').lower()}"
                    doc = self._prepare_one(path, doc_id, known.get(doc_id, ("", ""))[0], report, reader)
                    if doc is not None:
                        todo.append(doc)
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
    def _prepare_one(
        self, path: Path, doc_id: str, known_hash: str | None, report: IndexReport, reader: FileReader
    ) -> PreparedDoc | None:
        """The file boundary: whatever goes wrong with this one file is recorded as its skip reason
        and the run goes on.  None when the file is unchanged or skipped."""
        try:
            real = path.resolve()
            root = self.knowledge_dir.resolve()
            if root not in real.parents:  # checked again: the file may have become a link since scan()
                raise LoadError(SkipReason.LINK_OUTSIDE, f"points to {display_name(real)}")
            check_file(path)
            digest = content_hash(path)
            if known_hash == digest:
                report.unchanged += 1
                return None
            return self.prepare(path, doc_id, digest, reader)
        except LoadError as exc:
            self._record(report.skipped, path, exc.reason, exc.detail)
        except OSError as exc:
            self._record(report.skipped, path, SkipReason.UNREADABLE, exc.strerror or str(exc))
        except MemoryError:
            self._record(report.skipped, path, SkipReason.TOO_LARGE, "ran out of memory")
        except Exception as exc:  # a bug or a library's surprise: this file's problem, not the run's
            log.debug("unexpected error on %s", display_name(path), exc_info=True)
            self._record(report.skipped, path, SkipReason.INTERNAL, f"{exc.__class__.__name__}: {str(exc)[:300]}")
        return None

    @staticmethod
    def _record(skipped: list[Skipped] | None, path: Path, reason: SkipReason, detail: str = "") -> None:
        item = Skipped(display_name(path.name), reason, detail)
        log.info("skipped %s", skip_line(item))
        if skipped is not None:
            skipped.append(item)

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


def _link_problem(link: Path, root: Path) -> Skipped | None:
    """Why a symbolic link in the knowledge directory is not followed, or None when it may be
    (it ends at a regular file inside the directory)."""
    try:
        target = link.resolve(strict=True)
    except FileNotFoundError:
        return Skipped(link.name, SkipReason.BROKEN_LINK, "points to nothing (dangling link)")
    except (OSError, RuntimeError):  # RuntimeError: a loop (Python < 3.13)
        return Skipped(link.name, SkipReason.BROKEN_LINK, "a loop of links")
    if target.is_dir():
        return Skipped(link.name, SkipReason.BROKEN_LINK, "a link to a folder; folders are not followed")
    if target != root and root not in target.parents:
        return Skipped(link.name, SkipReason.LINK_OUTSIDE, f"points to {display_name(target)}")
    if not target.is_file():
        return Skipped(link.name, SkipReason.UNREADABLE, "points to something other than a regular file")
    return None
