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
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
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
