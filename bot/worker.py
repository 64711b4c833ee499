"""Read one untrusted file in a separate process, under a deadline and a memory ceiling.

Parsing a document is the step where hostile bytes meet third-party parsers (pypdf,
python-docx/lxml, BeautifulSoup) and our own regular expressions.  Size checks and
linear algorithms handle the known cases; this module is the last line of defence
for the unknown ones: :class:`FileReader` runs :func:`read_document` in a child
process whose address space is capped (:data:`bot.limits.FILE_MEMORY_BYTES`), and
kills it when the per-file time budget is spent.  A thread could not be stopped,
and the bot must not die with the parser, so a process it is.

The reader is started once per indexing run (``python -m bot.worker``, about
0.3 s: it imports the loaders, not the model) and replaced after a timeout or a
crash.  It is a plain subprocess rather than a multiprocessing child, so it never
re-imports the caller's ``__main__``.  Requests and replies are JSON (no pickle).
Where a process cannot be started, files are read in-process without the hard limits.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import limits
from .clean import clean_text
from .errors import LoadError, SkipReason
from .header import parse_header
from .layout import take_page_marks
from .loaders import load
from .metadata import DocMeta, extract_metadata
from .runtime import quiet_parsers
from .tables import label_table_rows

log = logging.getLogger(__name__)
# A document needs at least this many words of two letters or more after cleaning: a file of
# digits and punctuation ("1/2/3/…") or a single endless token has nothing to answer from.
MIN_WORDS = 3
_WORD_RE = re.compile(r"[^\W\d_]{2,}")


@dataclass
class ReadDocument:
    """What reading one file gives: the cleaned text, its metadata, where each PDF page starts in the
    text, and the admin's overrides (the relations among them are read by the indexer)."""

    text: str
    meta: DocMeta
    page_starts: list[tuple[int, int]] = field(default_factory=list)
    overrides: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "meta": asdict(self.meta),
            "page_starts": self.page_starts,
            "overrides": self.overrides,
        }

    @classmethod
    def from_json(cls, data: dict) -> ReadDocument:
        pages = [(int(a), int(b)) for a, b in data.get("page_starts") or []]
        return cls(data["text"], DocMeta(**data["meta"]), pages, dict(data.get("overrides") or {}))


def read_document(path: Path) -> ReadDocument:
    """Load, clean and describe one file (see :class:`ReadDocument`)."""
    loaded = load(path)
    raw, _ = take_page_marks(loaded.text)
    # An official document (a Party header block) keeps its forms and appendices: no web-page tail to cut.
    official = parse_header(raw.splitlines()) is not None
    # A table's rows name their columns, so that a row read alone says what its numbers count.
    text, page_starts = take_page_marks(label_table_rows(clean_text(loaded.text, official=official)))
    words = 0
    for _ in _WORD_RE.finditer(text):
        words += 1
        if words >= MIN_WORDS:
            break
    else:
        raise LoadError(SkipReason.TOO_LITTLE_TEXT)
    meta = extract_metadata(raw, text, loaded.hints, loaded.overrides)
    return ReadDocument(text, meta, page_starts, loaded.overrides)


def _cap_memory(limit: int) -> None:
    try:
        import resource
    except ImportError:  # not on Windows
        return
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError) as exc:
        log.warning("could not cap the reader's memory: %s", exc)


def _cap_cpu(seconds: float) -> None:
    """A CPU-time ceiling for the next file: should the bot die while a parse runs away, the reader
    still stops (SIGXCPU) instead of running on unattended."""
    try:
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        soft = int(usage.ru_utime + usage.ru_stime + 2 * seconds + 10)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, resource.getrlimit(resource.RLIMIT_CPU)[1]))
    except (ImportError, ValueError, OSError):
        pass


def _answer(path: Path) -> bytes:
    """One request: the file's text and metadata, or why it is skipped, as JSON."""
    try:
        return json.dumps(read_document(path).to_json()).encode()
    except LoadError as exc:
        reply = {"skip": exc.reason.value, "detail": exc.detail}
    except MemoryError:
        reply = {"skip": SkipReason.TOO_LARGE.value, "detail": _out_of_memory()}
    except Exception as exc:  # whatever happens, the bot hears about it
        reply = {"skip": SkipReason.INTERNAL.value, "detail": f"{exc.__class__.__name__}: {str(exc)[:300]}"}
    return json.dumps(reply).encode()


def serve() -> None:
    """The reader process (``python -m bot.worker``): reads the limits, then one path at a time from
    stdin, and answers on what was stdout (stdout itself goes to stderr: libraries may print)."""
    from multiprocessing.connection import Connection

    quiet_parsers()
    replies = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)
    requests = Connection(0, writable=False)
    first = True
    while True:
        try:
            message = json.loads(requests.recv_bytes())
        except (EOFError, OSError):
            return
        if first:  # the limits in force in the bot
            limits.apply(message)
            _cap_memory(int(limits.FILE_MEMORY_BYTES))
            first = False
            continue
        path = message
        _cap_cpu(float(limits.FILE_TIME_BUDGET_S))
        try:
            reply = _answer(Path(path))
        except MemoryError:
            reply = json.dumps({"skip": SkipReason.TOO_LARGE.value, "detail": _out_of_memory()}).encode()
        try:
            replies.send_bytes(reply)
        except OSError:  # the bot is gone
            return


def _out_of_memory() -> str:
    return f"needed more than {limits.megabytes(limits.FILE_MEMORY_BYTES)} of memory (CONGRESS_BOT_FILE_MEMORY_MB)"


class FileReader:
    """Reads files through one reader process; use as a context manager around an indexing run."""

    def __init__(self, isolate: bool = True) -> None:
        self.isolate = isolate
        self._proc: subprocess.Popen | None = None
        self._requests = None
        self._replies = None

    def __enter__(self) -> FileReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def read(self, path: Path, timeout: float) -> ReadDocument:
        """Text and metadata of ``path``, or LoadError (TIMEOUT when ``timeout`` seconds pass)."""
        if not self.isolate or not self._ensure_started():
            return read_document(path)
        try:
            self._requests.send_bytes(json.dumps(str(path)).encode())
            ready = self._replies.poll(max(timeout, 0.0))
        except OSError:
            ready = True  # the reader is gone: recv_bytes() below says so
        if not ready:
            self._stop(kill=True)
            raise LoadError(
                SkipReason.TIMEOUT,
                f"not read within {timeout:.0f} s (CONGRESS_BOT_FILE_TIME_BUDGET_S); the reader was stopped",
            )
        try:
            reply = json.loads(self._replies.recv_bytes())
        except (EOFError, OSError):
            code = self._stop(kill=False)
            if code == -signal.SIGKILL:  # the kernel's out-of-memory killer, as a rule
                raise LoadError(SkipReason.TOO_LARGE, "the reader was killed (out of memory?)") from None
            raise LoadError(SkipReason.INTERNAL, f"the reader process stopped (exit code {code})") from None
        if "skip" in reply:
            raise LoadError(SkipReason(reply["skip"]), reply["detail"])
        return ReadDocument.from_json(reply)

    def _ensure_started(self) -> bool:
        if self._proc is not None and self._proc.poll() is None:
            return True
        self._stop(kill=True)
        from multiprocessing.connection import Connection

        # The reader imports this very package, wherever this process found it.
        package_parent = str(Path(__file__).resolve().parent.parent)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")])),
        }
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "bot.worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
            )
        except (OSError, ValueError, TypeError) as exc:  # TypeError: no sys.executable (embedded Python)
            log.warning("cannot start a reader process (%s): reading files without time and memory limits", exc)
            self.isolate = False
            return False
        # The connections own duplicates of the pipe ends; the file objects are closed at once.
        self._proc = proc
        self._requests = Connection(os.dup(proc.stdin.fileno()), readable=False)
        self._replies = Connection(os.dup(proc.stdout.fileno()), writable=False)
        proc.stdin.close()
        proc.stdout.close()
        self._requests.send_bytes(json.dumps(limits.current()).encode())
        return True

    def _stop(self, kill: bool = False) -> int | None:
        """Stop the reader (kill it, or close its input and let it finish); return its exit code."""
        proc, requests, replies = self._proc, self._requests, self._replies
        self._proc = self._requests = self._replies = None
        if proc is None:
            return None
        if kill:
            proc.kill()
        requests.close()  # EOF: the reader's loop ends
        try:
            code = proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        replies.close()
        return code

    def close(self) -> None:
        self._stop(kill=False)


if __name__ == "__main__":
    serve()
