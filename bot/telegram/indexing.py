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
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from threadpoolctl import threadpool_limits

from ..engine import Engine
from ..errors import Skipped
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
    """The report's skipped files."""
    return list(report.skipped)


def _store(engine: Engine, name: str, data: bytes) -> Path:
    return engine.store_file(name, data)
