"""Hostile and careless input: one file never stops the run, nothing hangs or exhausts memory,
nothing outside knowledge/ is read.

Every repro of the issue is generated here (no committed binaries); each test's docstring names
the item it covers.  The documents are fictional (xã Hư Cấu, nhiệm kỳ 2099 – 2104).
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import hostile_files as H
import pytest
from click.testing import CliRunner

from bot import limits
from bot.chunking import chunk_text, split_sentences
from bot.clean import clean_text
from bot.cli import cli
from bot.config import Settings
from bot.engine import Engine
from bot.errors import LoadError, Skipped, SkipReason
from bot.indexer import Indexer, IndexReport, skip_line
from bot.loaders import SUPPORTED_SUFFIXES, _load_html, load
from bot.metadata import extract_metadata, find_refs
from bot.store import IndexStore
from bot.worker import FileReader

ROOT = Path(__file__).resolve().parent.parent
GOOD_DOC = """Đảng bộ xã Hư Cấu tổ chức đại hội điểm nhiệm kỳ 2099 - 2104

Ngày đăng: 12/05/2099

Đảng bộ xã Hư Cấu đã tổ chức thành công đại hội điểm nhiệm kỳ 2099 - 2104. Đại hội bầu Ban Chấp hành gồm 11 đồng chí.

Đại hội thông qua nghị quyết với hai khâu đột phá về chuyển đổi số và xây dựng tổ chức đảng trong sạch vững mạnh.
"""
GOOD_QUESTION = "Đảng bộ xã Hư Cấu bầu Ban Chấp hành gồm bao nhiêu đồng chí?"
BAD_NAME = b"bad-\xff\xfe-name.txt"


def skipped_by_file(report: IndexReport) -> dict[str, Skipped]:
    return {s.file: s for s in report.skipped}


def rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KB on Linux


@pytest.fixture
def fresh(tmp_path) -> Settings:
    """An empty knowledge folder (with the glossary) and no index yet."""
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "glossary.tsv").write_bytes((ROOT / "knowledge" / "glossary.tsv").read_bytes())
    return Settings(knowledge_dir=knowledge, index_dir=tmp_path / "index")


@pytest.fixture
def scanner(tmp_path) -> Indexer:
    """An indexer used only to scan and prepare (no store needed)."""
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir(exist_ok=True)
    return Indexer(IndexStore(tmp_path / "index"), None, None, knowledge)


# -- one file never stops the run -------------------------------------------------------------------


def test_one_bad_file_never_stops_the_run(fresh, embedder, tmp_path):
    """Item 1 (sidecars of the wrong types, 100,000-deep sidecar, non-UTF-8 name, self-referencing
    PDF), item 2's text repros (1 MB single token, 1 MB of digits and slashes) and item 3 (links):
    all in one fresh index, which still gets the good documents."""
    k = fresh.knowledge_dir
    (k / "good.txt").write_text(GOOD_DOC, "utf-8")
    (k / "good-sidecar.txt").write_text(GOOD_DOC.replace("11 đồng chí", "13 đồng chí"), "utf-8")
    (k / "good-sidecar.txt.meta.json").write_text(
        json.dumps(
            {"title": "Hướng dẫn 99-HD/HC", "date": "20/05/2099", "type": "instruction", "cited": ["Chỉ thị 99"]}
        ),
        "utf-8",
    )
    for name, sidecar in H.SIDECARS.items():
        (k / f"sidecar-{name}.txt").write_text(GOOD_DOC, "utf-8")
        (k / f"sidecar-{name}.txt.meta.json").write_text(sidecar, "utf-8")
    fd = os.open(os.fsencode(k) + b"/" + BAD_NAME, os.O_WRONLY | os.O_CREAT)
    os.write(fd, GOOD_DOC.encode())
    os.close(fd)
    (k / "loop.pdf").write_bytes(H.pdf_self_loop())
    (k / "one-token.txt").write_bytes(H.one_token())
    (k / "digits.txt").write_bytes(H.digits_and_slashes())
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(GOOD_DOC.replace("Hư Cấu", "Bí Mật"), "utf-8")
    (k / "outside.txt").symlink_to(outside / "secret.txt")
    (k / "dangling.txt").symlink_to(k / "missing.txt")
    (k / "loop.txt").symlink_to(k / "loop.txt")
    (k / "folder").symlink_to(outside, target_is_directory=True)
    (k / "inside-link.txt").symlink_to(k / "good.txt")

    started = time.perf_counter()
    report = Engine(fresh, embedder=embedder).index()
    seconds = time.perf_counter() - started

    assert sorted(report.added) == ["good", "good-sidecar", "inside-link"]
    skipped = skipped_by_file(report)
    for name in H.SIDECARS:
        assert skipped[f"sidecar-{name}.txt"].reason == SkipReason.BAD_METADATA, name
    assert "title" in skipped["sidecar-title-int.txt"].detail
    assert "nested" in skipped["sidecar-nested-30000-under-size-limit.txt"].detail
    assert "tittle" in skipped["sidecar-unknown-field.txt"].detail
    bad_name = os.fsencode(BAD_NAME).decode("utf-8", "replace")
    assert skipped[bad_name].reason == SkipReason.BAD_NAME
    assert skipped["loop.pdf"].reason == SkipReason.CORRUPT and "self reference" in skipped["loop.pdf"].detail
    assert skipped["one-token.txt"].reason == SkipReason.TOO_LITTLE_TEXT
    assert skipped["digits.txt"].reason == SkipReason.TOO_LITTLE_TEXT
    assert skipped["outside.txt"].reason == SkipReason.LINK_OUTSIDE
    assert {skipped[n].reason for n in ("dangling.txt", "loop.txt", "folder")} == {SkipReason.BROKEN_LINK}
    assert len(report.skipped) == len(H.SIDECARS) + 8
    assert seconds < 90, f"indexing took {seconds:.0f} s"

    engine = Engine(fresh, embedder=embedder)
    docs = {d["doc_id"]: d for d in engine.documents()}
    assert docs["good-sidecar"]["title"] == "Hướng dẫn 99-HD/HC" and docs["good-sidecar"]["published"] == "2099-05-20"
    assert docs["inside-link"]["path"] == "inside-link.txt"
    answer = engine.ask(GOOD_QUESTION)
    assert answer.found and "11 đồng chí" in answer.answer
    assert "Bí Mật" not in json.dumps(engine.documents(), ensure_ascii=False)
    for line in report.summary().splitlines()[1:]:  # every skip in English and Vietnamese
        assert line.startswith("skipped ") and " / " in line


@pytest.mark.parametrize("name", list(H.SIDECARS))
def test_sidecar_schema_refuses_each_bad_sidecar(tmp_path, name):
    """Item 1: the sidecar is validated (types, a date for published, size and depth) before use."""
    doc = tmp_path / "a.txt"
    doc.write_text(GOOD_DOC, "utf-8")
    (tmp_path / "a.txt.meta.json").write_text(H.SIDECARS[name], "utf-8")
    with pytest.raises(LoadError) as err:
        load(doc)
    assert err.value.reason == SkipReason.BAD_METADATA
    assert err.value.detail.startswith("a.txt.meta.json: ")


def test_sidecar_limits_and_good_sidecars(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text(GOOD_DOC, "utf-8")
    side = tmp_path / "a.txt.meta.json"
    side.write_text(json.dumps({"title": "x" * (limits.MAX_SIDECAR_BYTES + 1)}), "utf-8")
    with pytest.raises(LoadError, match="over the limit"):
        load(doc)
    side.write_text(json.dumps({"title": "  ", "published": None, "source": "HC", "cited": "Chỉ thị 9, Quy định 7"}))
    assert load(doc).overrides == {"source": "HC", "cited": "Chỉ thị 9, Quy định 7"}
    side.unlink()
    side.symlink_to(Path("/dev/zero"))  # a link: never followed (reading it would never end)
    with pytest.raises(LoadError, match="not a link"):
        load(doc)


def test_scan_reports_links_and_bad_names(scanner, tmp_path):
    """Item 3: links out of knowledge/, dangling, looping and folder links are skipped with a reason;
    a link that stays inside is a document.  Non-UTF-8 names are skipped as BAD_NAME."""
    k = scanner.knowledge_dir
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(H.text_pdf(H.PDF_LINES))
    (k / "a.txt").write_text(GOOD_DOC, "utf-8")
    (k / "sub").mkdir()
    (k / "sub" / "b.md").write_text(GOOD_DOC, "utf-8")
    (k / "link-in.txt").symlink_to(k / "sub" / "b.md")
    (k / "link-out.pdf").symlink_to(secret)
    (k / "dangling.docx").symlink_to(k / "nothing.docx")
    (k / "a-loop.txt").symlink_to(k / "b-loop.txt")
    (k / "b-loop.txt").symlink_to(k / "a-loop.txt")
    (k / "dir-link").symlink_to(k / "sub", target_is_directory=True)
    (k / "image.jpg").symlink_to(secret)  # not a document either way: silent
    (k / "missing.jpg").symlink_to(k / "nowhere")  # a broken link is reported whatever its name
    Path(os.fsdecode(os.fsencode(k) + b"/" + BAD_NAME.replace(b".txt", b".md"))).write_bytes(GOOD_DOC.encode())
    skipped: list[Skipped] = []
    ids = scanner.scan(skipped)
    assert ids == {"a": k / "a.txt", "link-in": k / "link-in.txt", "sub__b": k / "sub" / "b.md"}
    reasons = {s.file: s.reason for s in skipped}
    assert reasons == {
        "link-out.pdf": SkipReason.LINK_OUTSIDE,
        "dangling.docx": SkipReason.BROKEN_LINK,
        "a-loop.txt": SkipReason.BROKEN_LINK,
        "b-loop.txt": SkipReason.BROKEN_LINK,
        "dir-link": SkipReason.BROKEN_LINK,
        "missing.jpg": SkipReason.BROKEN_LINK,
        "bad-\ufffd\ufffd-name.md": SkipReason.BAD_NAME,
    }
    assert scanner.stored_path(ids["link-in"]) == "link-in.txt"


def test_a_file_swapped_for_a_link_after_the_scan_is_not_read(scanner, tmp_path):
    """Item 3: the check is made again at the file boundary, just before reading."""
    k = scanner.knowledge_dir
    (k / "sub").mkdir()
    (k / "sub" / "a.txt").write_text(GOOD_DOC, "utf-8")
    ids = scanner.scan([])
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "a.txt").write_text(GOOD_DOC.replace("Hư Cấu", "Bí Mật"), "utf-8")
    (k / "sub" / "a.txt").unlink()
    (k / "sub").rmdir()
    (k / "sub").symlink_to(secret, target_is_directory=True)  # the folder now leads outside
    report = IndexReport()
    assert scanner._prepare_one(ids["sub__a"], "sub__a", None, report, FileReader(isolate=False)) is None
    assert report.skipped[0].reason == SkipReason.LINK_OUTSIDE


# -- no input may hang indexing -----------------------------------------------------------------------


def test_chunking_long_sentences_is_linear_and_within_budget(embedder):
    """Item 2 (hangs): the old _split_long counted every growing prefix (100 k characters of words
    without a comma took 12 s, 1 MB about 20 minutes); a single word longer than the budget became
    one 60,000-token passage."""
    max_tokens = 400
    cases = {
        "words": H.words_without_punctuation(60_000),  # ~300 k characters, one sentence
        "one-word": "đạihộichibộ" * 20_000,  # 220 k characters, no space
        "hyphenated": H.one_token(200_000, joiner="-").decode(),
        "digits": H.digits_and_slashes(200_000).decode(),
        "dots": "." * 300_000,  # the sentence splitter backtracked over the run
        "abbreviations": "TP. Hà Nội " * 30_000,  # and searched the growing sentence for "TP."
    }
    for name, text in cases.items():
        started = time.perf_counter()
        chunks = chunk_text(text, embedder.count_tokens, target_tokens=200, max_tokens=max_tokens)
        seconds = time.perf_counter() - started
        assert seconds < 30, f"{name}: {seconds:.1f} s"
        assert chunks and max(c.tokens for c in chunks) <= max_tokens, name
        for c in chunks:
            assert c.text == text[c.start : c.end] and embedder.count_tokens(c.text) == c.tokens
        assert "".join(text[c.start : c.end] for c in chunks).replace(" ", "") == text.replace(" ", ""), name


@pytest.mark.parametrize("unit", ["chi thi 1, ", "1/", "a1", "TP. ", ". ", "…", "Chỉ thị 35-CT/TW, ", "bcdfgạ"])
def test_cleaning_and_metadata_regexes_are_linear(unit):
    """Item 2: the document-number regexes (find_refs, _REF_RE, _CODE_RE), the junk-token regex and
    the sentence splitter on 300 k characters of each repeating pattern."""
    text = (unit * (300_000 // len(unit) + 1))[:300_000]
    for step in (clean_text, lambda t: extract_metadata(t, t), find_refs, split_sentences):
        started = time.perf_counter()
        step(text)
        assert time.perf_counter() - started < 15, (unit, step)


def test_deeply_nested_html_is_read_in_linear_time():
    """html.parser nests unclosed <p>: each block used to search and re-read its whole subtree."""
    started = time.perf_counter()
    loaded = _load_html(("<p>Đại hội chi bộ " * 40_000).encode())
    assert time.perf_counter() - started < 30
    assert "Đại hội chi bộ" in loaded.text


def test_time_budget_stops_a_slow_file_and_the_next_file_is_read(scanner, embedder, monkeypatch):
    """Item 2 (last line of defence): a file past FILE_TIME_BUDGET_S is skipped as TIMEOUT; its reader
    process is killed and replaced."""
    scanner.embedder = embedder
    k = scanner.knowledge_dir
    slow = k / "slow.html"
    slow.write_bytes(b"<p>x" * 150_000)  # several seconds of parsing
    good = k / "good.txt"
    good.write_text(GOOD_DOC, "utf-8")
    monkeypatch.setattr(limits, "FILE_TIME_BUDGET_S", 1.0)
    report = IndexReport()
    with FileReader() as reader:
        started = time.perf_counter()
        assert scanner._prepare_one(slow, "slow", None, report, reader) is None
        assert time.perf_counter() - started < 8
        doc = scanner._prepare_one(good, "good", None, report, reader)
    assert [(s.file, s.reason) for s in report.skipped] == [("slow.html", SkipReason.TIMEOUT)]
    assert doc is not None and "11 đồng chí" in doc.text


def test_time_budget_also_covers_chunking(scanner, embedder, monkeypatch):
    """Chunking runs in the bot's process: it checks the deadline each time it counts tokens."""
    scanner.embedder = embedder
    path = scanner.knowledge_dir / "good.txt"
    path.write_text(GOOD_DOC, "utf-8")
    monkeypatch.setattr(limits, "FILE_TIME_BUDGET_S", 0.0)
    with pytest.raises(LoadError) as err:
        scanner.prepare(path, "good")
    assert err.value.reason == SkipReason.TIMEOUT and "chunked" in err.value.detail


# -- no input may exhaust memory --------------------------------------------------------------------


def test_bombs_are_skipped_with_bounded_memory(fresh, tmp_path):
    """Item 2 (memory): the DOCX zip bomb (document.xml inflating to 1.1 GB), the same bomb with headers
    that lie about its size (1 KB declared), and the PDF whose content stream inflates to 1 GB, indexed
    by `congress-bot index` in a real process.  Peak RSS of the bot and of its reader process < 1 GB."""
    k = fresh.knowledge_dir
    (k / "good.txt").write_text(GOOD_DOC, "utf-8")
    (k / "bomb.docx").write_bytes(H.docx_bomb())
    (k / "lying.docx").write_bytes(H.docx_bomb(declare=1000))
    (k / "bomb.pdf").write_bytes(H.pdf_bomb())
    code = (
        "import resource, sys\n"
        "from bot.cli import cli\n"
        "try:\n"
        "    cli(['index'], prog_name='congress-bot')\n"
        "finally:\n"
        "    r = resource.getrusage\n"
        "    print('RSS', r(resource.RUSAGE_SELF).ru_maxrss, r(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CONGRESS_BOT_KNOWLEDGE_DIR": str(k),
        "CONGRESS_BOT_INDEX_DIR": str(fresh.index_dir),
        "PYTHONIOENCODING": "utf-8",
    }
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "1 added" in proc.stdout and "3 skipped" in proc.stdout
    lines = {line.split(":")[0]: line for line in proc.stderr.splitlines() if line.startswith("skipped ")}
    assert "too large" in lines["skipped bomb.docx"] and "1,100 MB" in lines["skipped bomb.docx"]
    assert "tệp quá lớn" in lines["skipped lying.docx"]  # ran out of memory in the reader, not in the bot
    assert "LimitReachedError" in lines["skipped bomb.pdf"]
    self_kb, children_kb = (int(x) for x in proc.stderr.rsplit("RSS ", 1)[1].split()[:2])
    print(f"peak RSS: bot {self_kb / 1024:.0f} MB, reader {children_kb / 1024:.0f} MB")
    assert self_kb < 1024 * 1024 and children_kb < 1024 * 1024


def test_docx_member_limit_is_checked_before_parsing(tmp_path, monkeypatch):
    path = tmp_path / "lon.docx"
    path.write_bytes(H.docx_bomb(3 * H.MB))
    monkeypatch.setattr(limits, "MAX_DOCX_MEMBER_BYTES", 2 * H.MB)
    with pytest.raises(LoadError, match="word/document.xml inflates to 3 MB") as err:
        load(path)
    assert err.value.reason == SkipReason.TOO_LARGE
    monkeypatch.setattr(limits, "MAX_DOCX_MEMBER_BYTES", 4 * H.MB)
    monkeypatch.setattr(limits, "MAX_TEXT_CHARS", 100_000)
    with pytest.raises(LoadError, match="characters of text, over the limit of 100,000") as err:
        load(path)
    assert err.value.reason == SkipReason.TOO_LARGE


def test_file_size_limit_is_checked_before_reading(scanner, monkeypatch):
    path = scanner.knowledge_dir / "lon.txt"
    path.write_text(GOOD_DOC * 100, "utf-8")
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    report = IndexReport()
    assert scanner._prepare_one(path, "lon", None, report, FileReader(isolate=False)) is None
    assert report.skipped[0].reason == SkipReason.TOO_LARGE and "CONGRESS_BOT_MAX_FILE_MB" in report.skipped[0].detail


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("CONGRESS_BOT_X", "2.5")
    assert limits._env_number("CONGRESS_BOT_X", 1) == 2.5
    monkeypatch.delenv("CONGRESS_BOT_X")
    assert limits._env_number("CONGRESS_BOT_X", 7) == 7
    for bad in ("abc", "0", "-3", "nan"):
        monkeypatch.setenv("CONGRESS_BOT_X", bad)
        with pytest.raises(limits.LimitSettingError, match="CONGRESS_BOT_X must be a positive number"):
            limits._env_number("CONGRESS_BOT_X", 1)


# -- fuzzing the loaders --------------------------------------------------------------------------------

FUZZ_SEED = int(os.environ.get("CONGRESS_BOT_FUZZ_SEED", "20990512"))
FUZZ_PER_SUFFIX = 40


def _valid_sample(suffix: str) -> bytes:
    if suffix == ".pdf":
        return H.text_pdf(H.PDF_LINES)
    if suffix == ".docx":
        return H.docx_bytes(GOOD_DOC.split("\n\n"), title="Hướng dẫn 99")
    if suffix in (".html", ".htm"):
        body = "".join(f"<p>{p}</p>" for p in GOOD_DOC.split("\n\n"))
        return f"<html><head><title>Đại hội</title></head><body><article>{body}</article></body></html>".encode()
    if suffix == ".md":
        return ("---\ntitle: Đại hội xã Hư Cấu\ndate: 12/05/2099\n---\n# Đại hội\n\n**" + GOOD_DOC + "**").encode()
    return GOOD_DOC.encode()


def _mutants(rng: random.Random, valid: bytes) -> list[bytes]:
    out = [rng.randbytes(rng.randint(1, 4096))]
    for _ in range(FUZZ_PER_SUFFIX - 3):
        data = bytearray(valid)
        for _ in range(rng.randint(1, 16)):  # flip a few bits
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
        out.append(bytes(data))
    out.append(valid[: rng.randrange(1, len(valid))])  # truncated
    out.append(valid[: len(valid) // 2] + rng.randbytes(512) + valid[len(valid) // 2 :])  # spliced garbage
    return out


def test_fuzzed_files_of_every_suffix_never_crash_the_run(scanner, embedder, monkeypatch):
    """Item 4: random and bit-flipped bytes in each supported suffix, bounded in count (40 a suffix)
    and time (5 s a file, 120 s in all): each file is prepared or skipped with a typed reason."""
    scanner.embedder = embedder
    monkeypatch.setattr(limits, "FILE_TIME_BUDGET_S", 5.0)
    rng = random.Random(FUZZ_SEED)
    report = IndexReport()
    prepared = 0
    started = time.perf_counter()
    with FileReader() as reader:
        for suffix in SUPPORTED_SUFFIXES:
            for i, data in enumerate(_mutants(rng, _valid_sample(suffix))):
                path = scanner.knowledge_dir / f"fuzz-{i}{suffix}"
                path.write_bytes(data)
                before = len(report.skipped)
                doc = scanner._prepare_one(path, path.stem, None, report, reader)
                if doc is None:
                    assert len(report.skipped) == before + 1, path.name
                    assert isinstance(report.skipped[-1].reason, SkipReason)
                    assert report.skipped[-1].reason != SkipReason.INTERNAL, skip_line(report.skipped[-1])
                else:
                    prepared += 1
                    assert max((c.tokens for c in doc.chunks), default=0) <= 400
                    doc.text.encode("utf-8")  # storable
                    json.dumps(dataclasses.asdict(doc.meta), ensure_ascii=False).encode("utf-8")
    counts = {r.value: n for r in SkipReason if (n := sum(s.reason == r for s in report.skipped))}
    print(f"fuzz seed {FUZZ_SEED}: {prepared} prepared, skipped {counts}")
    assert time.perf_counter() - started < 120
    assert prepared >= len(SUPPORTED_SUFFIXES)  # mild damage is still read (seed FUZZ_SEED)
    assert {s.reason for s in report.skipped} >= {SkipReason.CORRUPT, SkipReason.NOT_TEXT}


# -- typed skip reasons at the front ends -----------------------------------------------------------


def test_summary_and_cli_print_english_detail_and_vietnamese(fresh, embedder):
    (fresh.knowledge_dir / "good.txt").write_text(GOOD_DOC, "utf-8")
    (fresh.knowledge_dir / "hong.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00\xffrac" * 500)
    env = {"CONGRESS_BOT_KNOWLEDGE_DIR": str(fresh.knowledge_dir), "CONGRESS_BOT_INDEX_DIR": str(fresh.index_dir)}
    result = CliRunner().invoke(cli, ["index"], env=env)
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stderr.splitlines() if x.startswith("skipped hong.pdf: "))
    assert line.startswith("skipped hong.pdf: corrupt or unreadable document (PDF (")
    assert line.endswith(" / tệp bị hỏng hoặc không đọc được")
    assert "1 added" in result.stdout and "1 skipped" in result.stdout
    report = IndexReport(skipped=[Skipped("a.docx", SkipReason.TOO_LARGE, "DOCX member x inflates to 1 GB")])
    assert report.summary().splitlines()[1] == (
        "skipped a.docx: too large (DOCX member x inflates to 1 GB) / tệp quá lớn"
    )


def _cli_process(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", **(env or {})},
        cwd=ROOT,
        timeout=300,
    )


def test_cli_unexpected_error_is_one_line_unless_debug(fresh, tmp_path):
    """An error the project did not foresee (here: the index folder is a file) exits 1 with one line;
    ``--debug`` shows the traceback."""
    not_a_dir = tmp_path / "index-file"
    not_a_dir.write_text("x")
    env = {"CONGRESS_BOT_KNOWLEDGE_DIR": str(fresh.knowledge_dir), "CONGRESS_BOT_INDEX_DIR": str(not_a_dir)}
    proc = _cli_process("index", env=env)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "unexpected error: FileExistsError" in errors[0] and "--debug" in errors[0]
    proc = _cli_process("--debug", "index", env=env)
    assert proc.returncode != 0 and "Traceback" in proc.stderr and "FileExistsError" in proc.stderr


def test_cli_bad_limit_setting_names_the_variable(fresh):
    env = {"CONGRESS_BOT_KNOWLEDGE_DIR": str(fresh.knowledge_dir), "CONGRESS_BOT_MAX_FILE_MB": "lots"}
    proc = _cli_process("index", env=env)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "Error: CONGRESS_BOT_MAX_FILE_MB must be a positive number, got 'lots'" in proc.stderr
