"""The index on disk: SQLite (documents, passages, FTS5) + FAISS (vectors).

Layout of ``index/``::

    CURRENT            name of the live version, replaced atomically
    v000007/           one complete version
        index.sqlite   documents, passages, FTS5 lexical index, manifest
        vectors.faiss  passage embeddings keyed by passage id
    .lock              held by the one writer

A writer copies the live version into a temporary directory, changes the
copy, renames it into place and only then swaps ``CURRENT``.  Readers keep
whatever version they opened; a crash or kill mid-write leaves the previous
version serving.  Nothing on disk is pickled: SQLite and FAISS's own format.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from .errors import CongressBotError

# 2: official documents (issuer, place, signer, basis) and passages that know their section and page.
SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS manifest (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    published TEXT,
    source TEXT,
    author TEXT,
    doc_type TEXT NOT NULL,
    doc_number TEXT,
    cited TEXT NOT NULL DEFAULT '[]',
    text TEXT NOT NULL,
    n_passages INTEGER NOT NULL DEFAULT 0,
    indexed_at TEXT NOT NULL,
    issuer TEXT,
    place TEXT,
    signer TEXT,
    basis TEXT NOT NULL DEFAULT '[]',
    official INTEGER NOT NULL DEFAULT 0,
    relations TEXT NOT NULL DEFAULT '[]',  -- what this document says it replaces, amends, implements (JSON)
    admin_status TEXT,     -- in_force | replaced | expired, when the admin states it
    effective TEXT,        -- ISO date it takes effect
    term TEXT              -- the congress term it speaks of: "2020-2025"
);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL,
    tokens INTEGER NOT NULL,
    section TEXT,          -- "Điều 4, khoản 1", "mục 11.4.4" (official documents)
    path TEXT,             -- headings from the top of the document down to the passage
    page INTEGER,          -- page of a PDF where the passage starts
    context TEXT NOT NULL DEFAULT '',  -- the parent's lead-in when the passage holds only some items
    units TEXT NOT NULL DEFAULT '[]'   -- [[label, start, end, page], ...] sections inside, offsets in the passage
);
CREATE INDEX IF NOT EXISTS passages_by_doc ON passages(doc_id, position);
-- Lexical index: original text and its diacritic-folded form, plus expansions
-- of the abbreviations a passage uses.  rowid = passages.id.
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
    title, body, title_f, body_f, extra, tokenize = 'unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts_vocab USING fts5vocab(passages_fts, 'col');
"""


def new_vector_index(dim: int) -> faiss.Index:
    """Exact inner-product search over float16 copies of the (normalised) vectors.

    float16 halves the memory read per query (the scan is memory-bound: 77 MB
    instead of 154 MB at 100k passages) at a cost of ~1e-3 in cosine; no training
    is needed and passages can still be removed by id.
    """
    flat = faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
    return faiss.IndexIDMap2(flat)


class IndexMismatchError(CongressBotError, RuntimeError):
    """The index was built with another embedding model or dimension."""


class IndexMissingError(CongressBotError, RuntimeError):
    """No index has been built yet."""


@dataclass
class Manifest:
    model_id: str
    dim: int
    created: str
    schema: int = SCHEMA_VERSION


def _read_manifest(conn: sqlite3.Connection) -> Manifest:
    rows = dict(conn.execute("SELECT key, value FROM manifest").fetchall())
    return Manifest(rows["model_id"], int(rows["dim"]), rows["created"], int(rows.get("schema", 0)))


def check_model(manifest: Manifest, model_id: str, dim: int) -> None:
    if manifest.schema != SCHEMA_VERSION:
        raise IndexMismatchError(
            f"the index was built by another version of congress-bot (schema {manifest.schema}, "
            f"this version reads {SCHEMA_VERSION}); rebuild it: congress-bot index --rebuild"
        )
    if manifest.model_id != model_id or manifest.dim != dim:
        raise IndexMismatchError(
            f"the index was built with {manifest.model_id} (dim {manifest.dim}) but the configured "
            f"embedder is {model_id} (dim {dim}); rebuild it: congress-bot index --rebuild"
        )


class Snapshot:
    """A read-only view of one index version, safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.version = path.name
        uri = f"file:{path / 'index.sqlite'}?mode=ro"
        self.conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.manifest = _read_manifest(self.conn)
        self.vectors = faiss.read_index(str(path / "vectors.faiss"))
        self._lock = threading.Lock()

    def query(self, sql: str, params: Iterable = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.conn.execute(sql, tuple(params)).fetchall()

    # -- the read paths of searching and answering, by name ---------------------------------------
    def passage_count(self) -> int:
        return int(self.query("SELECT count(*) FROM passages")[0][0])

    def document_count(self) -> int:
        return int(self.query("SELECT count(*) FROM documents")[0][0])

    def body_vocabulary(self) -> list[tuple[str, int]]:
        """Every word of the passages as written (with diacritics) and how often it occurs."""
        return [(r[0], int(r[1])) for r in self.query("SELECT term, cnt FROM fts_vocab WHERE col = 'body'")]

    def folded_df(self, term: str) -> int:
        """How many passages hold the (diacritic-folded) word."""
        rows = self.query("SELECT doc FROM fts_vocab WHERE col = 'body_f' AND term = ?", (term,))
        return int(rows[0][0]) if rows else 0

    def column_dfs(self, term: str) -> dict[str, int]:
        """How many passages hold the word (as indexed: folded or as written), per FTS5 column."""
        return {r[0]: int(r[1]) for r in self.query("SELECT col, doc FROM fts_vocab WHERE term = ?", (term,))}

    def count_matches(self, expr: str, cap: int) -> int:
        """How many passages match an FTS5 expression, counted up to ``cap``."""
        rows = self.query(
            "SELECT count(*) FROM (SELECT 1 FROM passages_fts WHERE passages_fts MATCH ? LIMIT ?)", (expr, cap)
        )
        return int(rows[0][0])

    def any_match(self, expr: str) -> bool:
        """Does any passage match an FTS5 expression?"""
        return bool(self.query("SELECT 1 FROM passages_fts WHERE passages_fts MATCH ? LIMIT 1", (expr,)))

    def docs_matching(self, expr: str) -> set[str]:
        """The documents with a passage that matches an FTS5 expression."""
        rows = self.query(
            "SELECT DISTINCT p.doc_id FROM passages_fts f JOIN passages p ON p.id = f.rowid WHERE passages_fts MATCH ?",
            (expr,),
        )
        return {r[0] for r in rows}

    def lexical_search(
        self, expr: str, bm25_weights: tuple[float, ...], limit: int, doc_id: str | None = None
    ) -> list[int]:
        """Passage ids matching an FTS5 expression, best BM25 first (one weight per FTS5 column); within one
        document's passages when ``doc_id`` is given."""
        weights = ", ".join(map(str, bm25_weights))
        # Within one document, the MATCH drives the join (CROSS JOIN keeps that order): given "rowid IN (…)",
        # SQLite would instead run the MATCH once per passage of the document, some 40 times slower.
        within = " CROSS JOIN passages p ON p.id = f.rowid WHERE p.doc_id = ? AND" if doc_id is not None else " WHERE"
        rows = self.query(
            f"SELECT f.rowid FROM passages_fts f{within} passages_fts MATCH ?"
            f" ORDER BY bm25(passages_fts, {weights}) LIMIT ?",
            (*([doc_id] if doc_id is not None else []), expr, limit),
        )
        return [int(r[0]) for r in rows]

    def hit_rows(self, ids: list[int]) -> list[sqlite3.Row]:
        """Passages with their documents' details and their folded forms (from the FTS table), by id."""
        marks = ",".join("?" * len(ids))
        return self.query(
            "SELECT p.id, p.doc_id, p.position, p.start, p.end, p.text, d.title, d.published, d.source, d.doc_type,"
            " f.extra, f.title_f, f.body_f, p.section, p.path, p.page, p.context, p.units, d.official, d.doc_number,"
            " d.issuer, d.term FROM passages p JOIN documents d USING (doc_id) JOIN passages_fts f ON f.rowid = p.id"
            f" WHERE p.id IN ({marks})",
            ids,
        )

    def passage(self, passage_id: int) -> dict | None:
        """One passage with its document's details (to show a citation in full)."""
        rows = self.query(
            "SELECT p.id AS passage_id, p.text, p.section, p.page, p.path, d.doc_id, d.title, d.source,"
            " d.published, d.doc_type, d.issuer, d.doc_number"
            " FROM passages p JOIN documents d ON d.doc_id = p.doc_id WHERE p.id = ?",
            (passage_id,),
        )
        return dict(rows[0]) if rows else None

    def passage_ids(self, doc_id: str) -> list[int]:
        """Every passage of one document, in order."""
        return [int(r[0]) for r in self.query("SELECT id FROM passages WHERE doc_id = ? ORDER BY position", (doc_id,))]

    def passages_mentioning(self, doc_ids: Collection[str], text: str) -> list[int]:
        """The passages of some documents whose text or section path holds ``text`` as written."""
        if not doc_ids:
            return []
        marks = ",".join("?" * len(doc_ids))
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.query(
            f"SELECT id FROM passages WHERE doc_id IN ({marks}) AND (text LIKE ? ESCAPE '\\' OR path LIKE ? ESCAPE '\\')"
            " ORDER BY doc_id, position",
            (*doc_ids, pattern, pattern),
        )
        return [int(r[0]) for r in rows]

    def passage_with(self, doc_id: str, text: str, last: bool = False) -> int | None:
        """The id of the first (or last) passage of a document that contains ``text`` as written."""
        order = "position DESC" if last else "position"
        rows = self.query(
            f"SELECT id FROM passages WHERE doc_id = ? AND instr(text, ?) > 0 ORDER BY {order} LIMIT 1", (doc_id, text)
        )
        return int(rows[0]["id"]) if rows else None

    def passage_after(self, doc_id: str, position: int) -> int | None:
        """The id of the passage that follows ``position`` in a document."""
        rows = self.query("SELECT id FROM passages WHERE doc_id = ? AND position = ?", (doc_id, position + 1))
        return int(rows[0]["id"]) if rows else None

    def passages_in_section(self, doc_id: str, label: str) -> list[int]:
        """The ids of a document's passages that open in the section ``label`` or in one of its parts ("mục 2",
        "mục 2.1", "mục 2, điểm a"), in order."""
        rows = self.query(
            "SELECT id FROM passages WHERE doc_id = ? AND (section = ? OR substr(section, 1, ?) IN (?, ?))"
            " ORDER BY position",
            (doc_id, label, len(label) + 1, label + ".", label + ","),
        )
        return [int(r["id"]) for r in rows]

    def passage_texts_mentioning(self, doc_id: str, phrase: str) -> list[str]:
        """The texts of a document's passages whose (ASCII-)lower-cased text contains ``phrase``, in order."""
        rows = self.query(
            "SELECT text FROM passages WHERE doc_id = ? AND instr(lower(text), ?) > 0 ORDER BY position",
            (doc_id, phrase),
        )
        return [r["text"] for r in rows]

    def content_hashes(self) -> dict[str, str]:
        """doc_id → the fingerprint of the file it was made from (bot.indexer.content_hash)."""
        return {r["doc_id"]: r["content_hash"] for r in self.query("SELECT doc_id, content_hash FROM documents")}

    def documents(self) -> list[sqlite3.Row]:
        """Every document's details (not its text), the newest first."""
        return self.query(
            "SELECT doc_id, title, published, source, author, doc_type, doc_number, issuer, place, signer, cited,"
            " n_passages, path, official, relations, admin_status, effective, term"
            " FROM documents ORDER BY published DESC, doc_id"
        )

    def document_texts(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """doc_id → the document's whole text, for those of ``doc_ids`` that are indexed."""
        ids = list(dict.fromkeys(doc_ids))
        marks = ",".join("?" * len(ids))
        rows = self.query(f"SELECT doc_id, text FROM documents WHERE doc_id IN ({marks})", ids) if ids else []
        return {r["doc_id"]: r["text"] for r in rows}

    def newest_titles(self, n: int) -> list[str]:
        """The titles of the ``n`` newest documents (in the order of :meth:`documents`)."""
        return [
            r["title"] for r in self.query("SELECT title FROM documents ORDER BY published DESC, doc_id LIMIT ?", (n,))
        ]

    def document_path(self, doc_id: str) -> str | None:
        """Where the document's file is (as stored: relative to the knowledge directory); None when not indexed."""
        rows = self.query("SELECT path FROM documents WHERE doc_id = ?", (doc_id,))
        return rows[0]["path"] if rows else None

    def author(self, doc_id: str) -> str | None:
        rows = self.query("SELECT author FROM documents WHERE doc_id = ?", (doc_id,))
        return rows[0]["author"] if rows else None

    def relations_json(self, doc_id: str) -> str | None:
        """What the document says of other documents (JSON, see relations.relations_from_json)."""
        rows = self.query("SELECT relations FROM documents WHERE doc_id = ?", (doc_id,))
        return rows[0]["relations"] if rows else None

    def basis(self, doc_id: str) -> list[str]:
        """The "Căn cứ …" lines of the document's preamble: what it is issued on the basis of."""
        rows = self.query("SELECT basis FROM documents WHERE doc_id = ?", (doc_id,))
        return json.loads(rows[0]["basis"] or "[]") if rows else []

    def document_numbers(self) -> list[sqlite3.Row]:
        """Each document's id, title, number, type, whether it is official, and the numbers it cites."""
        return self.query("SELECT doc_id, title, doc_number, doc_type, official, cited FROM documents")

    def document_relations(self) -> list[sqlite3.Row]:
        """What each document says of other documents and when it takes effect, with what names it."""
        return self.query(
            "SELECT doc_id, title, doc_type, doc_number, published, official, relations, admin_status, effective"
            " FROM documents"
        )

    def newest_term(self) -> str | None:
        """The latest congress term any document speaks of ("2025-2030")."""
        rows = self.query("SELECT max(term) FROM documents WHERE term IS NOT NULL")
        return rows[0][0] if rows else None

    def search_vectors(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        if self.vectors.ntotal == 0:
            return []
        scores, ids = self.vectors.search(vector.reshape(1, -1).astype(np.float32), min(k, self.vectors.ntotal))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def close(self) -> None:
        """Close the database and free the vectors (the index can be large); the snapshot is unusable after."""
        self.conn.close()
        self.vectors.reset()


class Writer:
    """Changes to a private copy of the index; ``commit`` publishes it atomically."""

    def __init__(self, store: IndexStore, tmp: Path, final: Path) -> None:
        self.store, self.tmp, self.final = store, tmp, final
        self.conn = sqlite3.connect(tmp / "index.sqlite")
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA journal_mode = OFF")  # a private copy: the version swap is the journal
        self.conn.execute("PRAGMA synchronous = OFF")
        self.manifest = _read_manifest(self.conn)
        self.vectors = faiss.read_index(str(tmp / "vectors.faiss"))

    def remove_passages(self, ids: list[int]) -> None:
        if ids:
            self.vectors.remove_ids(np.asarray(ids, dtype=np.int64))

    def add_vectors(self, ids: list[int], vectors: np.ndarray) -> None:
        if ids:
            self.vectors.add_with_ids(vectors.astype(np.float32), np.asarray(ids, dtype=np.int64))

    def commit(self) -> str:
        self.conn.commit()
        self.conn.execute("PRAGMA optimize")
        self.conn.close()
        faiss.write_index(self.vectors, str(self.tmp / "vectors.faiss"))
        for name in ("index.sqlite", "vectors.faiss"):
            with open(self.tmp / name, "rb") as fh:
                os.fsync(fh.fileno())
        os.rename(self.tmp, self.final)
        self.store._publish(self.final.name)
        return self.final.name

    def abort(self) -> None:
        try:
            self.conn.close()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)


class IndexStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # -- reading ---------------------------------------------------------
    def current_version(self) -> str | None:
        try:
            name = (self.root / "CURRENT").read_text().strip()
        except FileNotFoundError:
            return None
        return name if name and (self.root / name).is_dir() else None

    def is_current_schema(self, version: str | None = None) -> bool:
        """Was this version (default: the live one) written with this program's schema?"""
        version = version or self.current_version()
        if version is None:
            return False
        conn = sqlite3.connect(f"file:{self.root / version / 'index.sqlite'}?mode=ro", uri=True)
        try:
            return _read_manifest(conn).schema == SCHEMA_VERSION
        except (sqlite3.Error, KeyError, ValueError):
            return False
        finally:
            conn.close()

    def open_snapshot(self) -> Snapshot:
        version = self.current_version()
        if version is None:
            raise IndexMissingError(f"no index in {self.root}; build it with: congress-bot index")
        return Snapshot(self.root / version)

    # -- writing ---------------------------------------------------------
    @contextmanager
    def writer(self, model_id: str, dim: int, rebuild: bool = False) -> Iterator[Writer]:
        """Exclusive writer on a copy of the live version (or an empty index)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._remove_stale_tmp()
            current = None if rebuild else self.current_version()
            if current and not self.is_current_schema(current):
                current = None  # an index from an older version is rebuilt, never patched
            number = max([int(p.name[1:]) for p in self._versions()] + [0]) + 1
            final = self.root / f"v{number:06d}"
            tmp = self.root / f".tmp-{final.name}-{os.getpid()}"
            tmp.mkdir()
            try:
                if current:
                    src = sqlite3.connect(f"file:{self.root / current / 'index.sqlite'}?mode=ro", uri=True)
                    dst = sqlite3.connect(tmp / "index.sqlite")
                    src.backup(dst)
                    src.close()
                    dst.close()
                    shutil.copyfile(self.root / current / "vectors.faiss", tmp / "vectors.faiss")
                    check_model(_read_manifest(sqlite3.connect(tmp / "index.sqlite")), model_id, dim)
                else:
                    self._create_empty(tmp, model_id, dim)
                w = Writer(self, tmp, final)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            try:
                yield w
            except BaseException:
                w.abort()
                raise
            if w.tmp.exists():  # neither committed nor aborted: nothing changed
                w.abort()

    def _create_empty(self, tmp: Path, model_id: str, dim: int) -> None:
        conn = sqlite3.connect(tmp / "index.sqlite")
        conn.executescript(_SCHEMA)
        created = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        conn.executemany(
            "INSERT INTO manifest(key, value) VALUES (?, ?)",
            [("model_id", model_id), ("dim", str(dim)), ("created", created), ("schema", str(SCHEMA_VERSION))],
        )
        conn.commit()
        conn.close()
        faiss.write_index(new_vector_index(dim), str(tmp / "vectors.faiss"))

    def _versions(self) -> list[Path]:
        if not self.root.exists():
            return []
        return sorted(p for p in self.root.iterdir() if p.is_dir() and p.name.startswith("v") and p.name[1:].isdigit())

    def _remove_stale_tmp(self) -> None:
        for p in self.root.glob(".tmp-*"):
            shutil.rmtree(p, ignore_errors=True)

    def _publish(self, version: str) -> None:
        tmp = self.root / "CURRENT.tmp"
        with open(tmp, "w") as fh:
            fh.write(version + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.root / "CURRENT")
        dirfd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)
        # Keep the previous version for readers that still have it open.
        for old in self._versions()[:-2]:
            shutil.rmtree(old, ignore_errors=True)
