"""Process-wide settings, made once at start-up rather than as a side effect of an import or a constructor.

Called by the command line entry point (``congress-bot``), by the Telegram bot's start-up and by the
test session; a program that uses the package as a library calls :func:`configure_process` itself.
"""

from __future__ import annotations

import logging
import warnings

# One vector search at a time is memory-bound: a second OpenMP thread only adds synchronisation
# (measured 7 ms with one thread vs 24 ms with two at 100k passages, see docs/benchmarks.md).
FAISS_SEARCH_THREADS = 1


def configure_thread() -> None:
    """Settings that OpenMP keeps per thread: run in every thread that searches the index.

    ``omp_set_num_threads`` only changes the calling thread's setting (libgomp), so a pool whose
    threads answer questions runs this as its initializer.
    """
    import faiss  # here, not at import: the reader process (bot.worker) quiets parsers without loading FAISS

    faiss.omp_set_num_threads(FAISS_SEARCH_THREADS)


def configure_process() -> None:
    """Everything the process sets once: the calling thread's FAISS threads and library log levels."""
    configure_thread()
    quiet_parsers()


def quiet_parsers() -> None:
    """pypdf logs recoverable damage as warnings, BeautifulSoup warns about undecodable bytes: the reason
    a file is skipped is reported by the indexer (also run by the reader process, bot.worker)."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    logging.getLogger("bs4.dammit").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module=r"bs4(\..*)?$")
