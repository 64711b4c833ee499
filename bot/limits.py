"""Bounds on what one file may cost to index, in one place.

Every limit protects the run from one hostile or careless file: a file that
exceeds one is skipped with a typed reason (:class:`bot.errors.SkipReason`)
and the rest is indexed.  The ones an admin may need to raise are read from
the environment once, at import; code reads them as ``limits.NAME`` at call
time, so tests can lower them and the reader process gets the values of the
process that started it (:func:`current` / :func:`apply`).
"""

from __future__ import annotations

import math
import os

from .errors import CongressBotError

MB = 1024 * 1024


class LimitSettingError(CongressBotError):
    """An environment variable that sets a limit holds something other than a positive number."""


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not (value > 0 and math.isfinite(value)):
        raise LimitSettingError(f"{name} must be a positive number, got {raw!r}")
    return value


# A file larger than this is not read at all (content hash included); real guidance PDFs are under 5 MB.
MAX_FILE_BYTES = int(_env_number("CONGRESS_BOT_MAX_FILE_MB", 100) * MB)
# HTML is parsed into a tree of about ten times its size, at about 15 s a MB of dense tags;
# real article pages are under 2 MB.
MAX_HTML_BYTES = min(MAX_FILE_BYTES, 5 * MB)
# The declared uncompressed size of any one DOCX member (document.xml, an image): a zip bomb is refused
# before anything is inflated; python-docx holds every member in memory and document.xml as a tree.
MAX_DOCX_MEMBER_BYTES = int(_env_number("CONGRESS_BOT_MAX_DOCX_MEMBER_MB", 50) * MB)
# The declared uncompressed size of all DOCX members together (python-docx loads them all).
MAX_DOCX_TOTAL_BYTES = 4 * MAX_DOCX_MEMBER_BYTES
# Text extracted from one document: 5 M characters is about 2,000 pages, far beyond any guidance document,
# and keeps cleaning, chunking and the stored copy of the text bounded.
MAX_TEXT_CHARS = int(_env_number("CONGRESS_BOT_MAX_TEXT_CHARS", 5_000_000))
# A FILE.meta.json sidecar holds a handful of short fields.
MAX_SIDECAR_BYTES = 64 * 1024
# Nesting of a sidecar's JSON: an object holding a list ("cited") is depth 2.
MAX_SIDECAR_DEPTH = 4
# Wall-clock seconds to read, clean, describe and chunk one file (embedding is not counted): real
# guidance PDFs take under 5 s; a file past the budget is skipped instead of blocking the run.
FILE_TIME_BUDGET_S = _env_number("CONGRESS_BOT_FILE_TIME_BUDGET_S", 120)
# Address space of the process that parses one file (Linux/macOS): a parser that would exceed it fails
# with "out of memory" in that process, never in the bot.  A 45 MB document.xml peaks at about 430 MB.
FILE_MEMORY_BYTES = int(_env_number("CONGRESS_BOT_FILE_MEMORY_MB", 768) * MB)

_NAMES = (
    "MAX_FILE_BYTES",
    "MAX_HTML_BYTES",
    "MAX_DOCX_MEMBER_BYTES",
    "MAX_DOCX_TOTAL_BYTES",
    "MAX_TEXT_CHARS",
    "MAX_SIDECAR_BYTES",
    "MAX_SIDECAR_DEPTH",
    "FILE_TIME_BUDGET_S",
    "FILE_MEMORY_BYTES",
)


def current() -> dict[str, float]:
    """The limits in force in this process (to hand to a reader process)."""
    return {name: globals()[name] for name in _NAMES}


def apply(values: dict[str, float]) -> None:
    """Adopt limits handed over by :func:`current` in another process."""
    for name, value in values.items():
        if name in _NAMES:
            globals()[name] = value


def megabytes(n: float) -> str:
    return f"{n / MB:,.0f} MB" if n >= MB else f"{n / 1024:,.0f} KB"
