"""Index changes made from Telegram (uploads, removals, /reindex), off the event loop.

All of them run one at a time on one worker thread, so answering never waits for them:
questions run on the event loop's other worker threads against the live index version
while a new one is built (see :mod:`bot.store`).  Embedding in that thread is limited to
``threads`` OpenMP threads (threadpoolctl; the limit is per thread, so questions keep
their own), which on a small machine leaves a core for the questions.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from threadpoolctl import threadpool_limits

from ..engine import Engine
from ..errors import DuplicateFile, LoadError, Skipped, SkipReason, UnsupportedFile
from ..indexer import IndexReport, Progress

R = TypeVar("R")


class IndexWorker:
    """One thread for everything that changes the index; ``lock`` tells whether a job is running."""

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self.lock = asyncio.Lock()  # held by the job that is running; others wait their turn
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="indexing")

    async def run(
        self, fn: Callable[..., R], *args, started: Callable[[], Awaitable[None]] | None = None, **kwargs
    ) -> R:
        """``fn(*args, **kwargs)`` on the worker thread once earlier jobs are done (``started`` runs first)."""
        async with self.lock:
            if started is not None:
                await started()
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pool, functools.partial(self._limited, fn, *args, **kwargs))

    def _limited(self, fn: Callable[..., R], *args, **kwargs) -> R:
        with threadpool_limits(limits=self.threads, user_api="openmp"):
            return fn(*args, **kwargs)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def add_upload(engine: Engine, name: str, data: bytes, progress: Progress | None = None) -> IndexReport:
    """Store an uploaded file in knowledge/ and index just it.  A file that cannot be indexed (or an
    error while indexing) leaves nothing behind; a refused file raises :class:`LoadError`."""
    path = _store(engine, name, data)
    report = None
    try:
        report = engine.indexer.index_paths([path], progress=progress)
    finally:
        if report is None or report.skipped:
            path.unlink(missing_ok=True)
    if report.documents:
        engine.describe_changes(report)  # a new version of a guideline: which sections differ
    return report


def skipped(report: IndexReport) -> list[Skipped]:
    """The report's skipped files as :class:`Skipped` records."""
    return [s if isinstance(s, Skipped) else _legacy_skip(*s) for s in report.skipped]


# -- until the engine reports typed reasons everywhere (another branch): read its older English messages. --------
# TODO(merge): delete _store's except clause and _legacy_skip once engine.store_file raises UnsupportedFile /
# DuplicateFile and IndexReport.skipped is list[Skipped].
_LEGACY_REASONS = {
    "unsupported file type": SkipReason.UNSUPPORTED_TYPE,
    "file is empty": SkipReason.EMPTY,
    "cannot read file": SkipReason.UNREADABLE,
    "binary data": SkipReason.NOT_TEXT,
    "text is neither": SkipReason.NOT_TEXT,
    "corrupt or unreadable": SkipReason.CORRUPT,
    "pdf is password-protected": SkipReason.ENCRYPTED,
    "no readable text": SkipReason.NO_TEXT,
    "too little text": SkipReason.TOO_LITTLE_TEXT,
    "duplicate": SkipReason.DUPLICATE,
}


def _legacy_skip(file: str, reason: str) -> Skipped:
    kind = next((v for k, v in _LEGACY_REASONS.items() if reason.lower().startswith(k)), SkipReason.INTERNAL)
    return Skipped(file, kind, reason)


def _store(engine: Engine, name: str, data: bytes) -> Path:
    try:
        return engine.store_file(name, data)
    except LoadError:
        raise
    except ValueError as exc:
        duplicate = re.search(r"^duplicate\b.* as (.+)$", str(exc))
        raise (DuplicateFile(duplicate.group(1)) if duplicate else UnsupportedFile(str(exc))) from exc
