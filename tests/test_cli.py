"""The `congress-bot` command line, through click's CliRunner and as a real process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CITATION_CONTRACT

from bot.cli import cli
from bot.config import Settings
from bot.store import IndexStore

CONTRACT = {"question", "found", "answer", "citations", "latency_ms"}
CITATION = CITATION_CONTRACT
STEPS = "Quy trình nhân sự đại hội gồm mấy bước?"
COMMANDS = ["ask", "index", "add", "remove", "docs", "eval", "serve"]

NEW_DOC = """Đảng bộ phường Hoàng Văn Thụ tổ chức đại hội điểm nhiệm kỳ 2020 - 2025

Ngày đăng: 12/05/2020

Đảng bộ phường Hoàng Văn Thụ đã tổ chức thành công đại hội điểm nhiệm kỳ 2020 - 2025. Đại hội bầu Ban Chấp hành gồm 9 đồng chí.

Đại hội thông qua nghị quyết với ba khâu đột phá về chuyển đổi số, chỉnh trang đô thị và xây dựng tổ chức đảng trong sạch vững mạnh.

Minh Anh
"""


def env_for(settings: Settings) -> dict[str, str]:
    return {
        "CONGRESS_BOT_KNOWLEDGE_DIR": str(settings.knowledge_dir),
        "CONGRESS_BOT_INDEX_DIR": str(settings.index_dir),
    }


def run(settings: Settings, *args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), env=env_for(settings), input=input)


def assert_contract(data: dict) -> None:
    assert CONTRACT <= set(data)
    assert isinstance(data["found"], bool) and isinstance(data["answer"], str)
    for c in data["citations"]:
        assert set(c) == CITATION


def doc_lines(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.strip()]


def test_ask_json_prints_one_contract_object(workdir):
    result = run(workdir, "ask", "--json", STEPS)
    assert result.exit_code == 0, result.output
    lines = doc_lines(result)
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert_contract(data)
    assert set(data) == CONTRACT
    assert data["question"] == STEPS and data["found"] is True
    assert {c["doc_id"] for c in data["citations"]} >= {"002_fd0c63c6688327c6", "004_9c1ef96de0d69b01"}


def test_ask_plain_prints_answer_and_sources(workdir):
    result = run(workdir, "ask", STEPS)
    assert result.exit_code == 0, result.output
    assert "5 bước" in result.stdout and "6 bước" in result.stdout
    assert "[1]" in result.stdout and "[2]" in result.stdout
    assert "Nguồn:" in result.stdout
    assert "[1] Đảng bộ Khối Các cơ quan tỉnh" in result.stdout
    assert "17/03/2020" in result.stdout


def test_ask_json_without_question_reads_stdin_lines(workdir):
    questions = [STEPS, "", "quy trinh nhan su dai hoi gom may buoc", "???", "Thủ tục cấp hộ chiếu gồm mấy bước?"]
    result = run(workdir, "ask", "--json", input="\n".join(questions) + "\n")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in doc_lines(result)]
    assert [r["question"] for r in rows] == [q for q in questions if q]  # blank lines are skipped
    for r in rows:
        assert_contract(r)
    assert [r["found"] for r in rows] == [True, True, False, False]
    assert "error" in rows[2] and "chữ" in rows[2]["error"]
    assert "error" not in rows[3] and rows[3]["citations"] == []


@pytest.mark.parametrize("args", [["ask", ""], ["ask", "--json", ""], ["ask", "🙂🙂"]])
def test_ask_bad_question_exits_non_zero_with_message(workdir, args):
    result = run(workdir, *args)
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)  # not an uncaught error
    assert "Traceback" not in result.output
    assert "Câu hỏi" in result.output
    if "--json" in args:
        data = json.loads(result.stdout)
        assert data["found"] is False and data["error"]


def test_ask_without_question_or_json_is_a_usage_error(workdir):
    result = run(workdir, "ask")
    assert result.exit_code == 2
    assert "give a question" in result.output


def test_docs_lists_the_five_seed_documents(workdir):
    result = run(workdir, "docs")
    assert result.exit_code == 0, result.output
    lines = doc_lines(result)
    assert len(lines) == 5
    assert {line.split("\t")[0] for line in lines} == {p.stem for p in workdir.knowledge_dir.glob("0*.txt")}
    as_json = [json.loads(line) for line in doc_lines(run(workdir, "docs", "--json"))]
    assert len(as_json) == 5 and all(d["title"] for d in as_json)


def test_index_reports_up_to_date(workdir):
    before = IndexStore(workdir.index_dir).current_version()
    result = run(workdir, "index")
    assert result.exit_code == 0, result.output
    assert "5 unchanged" in result.stdout
    assert "index already up to date" in result.stdout
    assert IndexStore(workdir.index_dir).current_version() == before


def test_add_then_remove(workdir, tmp_path):
    src = tmp_path / "upload" / "phuong-htv.txt"
    src.parent.mkdir()
    src.write_text(NEW_DOC, encoding="utf-8")
    result = run(workdir, "add", str(src))
    assert result.exit_code == 0, result.output
    assert "added phuong-htv: Đảng bộ phường Hoàng Văn Thụ" in result.stdout
    assert "1 added" in result.stdout
    assert (workdir.knowledge_dir / "phuong-htv.txt").exists()
    assert len(doc_lines(run(workdir, "docs"))) == 6

    answer = json.loads(run(workdir, "ask", "--json", "Đảng bộ phường Hoàng Văn Thụ bầu bao nhiêu đồng chí?").stdout)
    assert answer["found"] and answer["citations"][0]["doc_id"] == "phuong-htv"

    # The same bytes again: refused, nothing added.
    again = run(workdir, "add", str(src))
    assert again.exit_code == 1
    assert "already in the knowledge base (as " in again.output
    assert len(doc_lines(run(workdir, "docs"))) == 6

    result = run(workdir, "remove", "phuong-htv")
    assert result.exit_code == 0, result.output
    assert "removed phuong-htv" in result.stdout
    assert not (workdir.knowledge_dir / "phuong-htv.txt").exists()
    assert len(doc_lines(run(workdir, "docs"))) == 5


def test_add_unsupported_or_corrupt_file_fails_with_reason(workdir, tmp_path):
    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"%PDF-1.4\n" + b"\x00\xffrac" * 500)
    result = run(workdir, "add", str(bad))
    assert result.exit_code == 1
    assert "skipped hong.pdf" in result.output and "PDF" in result.output
    sheet = tmp_path / "bang.xlsx"
    sheet.write_bytes(b"not a document")
    result = run(workdir, "add", str(sheet))
    assert result.exit_code == 1 and "unsupported file type" in result.output
    assert len(doc_lines(run(workdir, "docs"))) == 5


def test_remove_unknown_document_fails_with_message(workdir):
    result = run(workdir, "remove", "khong-co")
    assert result.exit_code == 1
    assert "no document with id 'khong-co'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_help_for_every_command(command):
    result = CliRunner().invoke(cli, [command, "--help"], prog_name="congress-bot")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: congress-bot {command} ")
    assert "Options:" in result.output and "--help" in result.output
    assert "Traceback" not in result.output


def test_top_level_help_lists_every_command():
    result = CliRunner().invoke(cli, ["--help"], prog_name="congress-bot")
    assert result.exit_code == 0
    commands = result.output.split("Commands:")[1]
    for command in COMMANDS:
        assert f"\n  {command} " in commands


def test_fresh_index_dir_is_built_on_first_ask(tmp_path, embedder):
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "phuong-htv.txt").write_text(NEW_DOC, encoding="utf-8")
    shutil.copyfile(Path(__file__).resolve().parent.parent / "knowledge" / "glossary.tsv", knowledge / "glossary.tsv")
    settings = Settings(knowledge_dir=knowledge, index_dir=tmp_path / "index-moi")
    assert not settings.index_dir.exists()
    result = run(settings, "ask", "--json", "Đảng bộ phường Hoàng Văn Thụ bầu Ban Chấp hành gồm bao nhiêu đồng chí?")
    assert result.exit_code == 0, result.output
    assert "No index yet" in result.stderr
    data = json.loads(doc_lines(result)[-1])
    assert_contract(data)
    assert data["found"] is True and "9 đồng chí" in data["answer"]
    store = IndexStore(settings.index_dir)
    assert store.current_version() is not None
    assert store.open_snapshot().manifest.model_id == embedder.model_id
    # The second run uses the index it built.
    again = run(settings, "ask", "--json", "Đảng bộ phường Hoàng Văn Thụ bầu Ban Chấp hành gồm bao nhiêu đồng chí?")
    assert "No index yet" not in again.stderr and again.exit_code == 0
    assert "note:" not in again.stderr


def test_ask_rebuilds_an_index_whose_format_an_older_version_wrote(workdir):
    import sqlite3

    store = IndexStore(workdir.index_dir)
    old = store.current_version()
    with sqlite3.connect(workdir.index_dir / old / "index.sqlite") as conn:
        conn.execute("UPDATE manifest SET value = '0' WHERE key = 'schema'")
    result = run(workdir, "ask", STEPS)
    assert result.exit_code == 0, result.output
    assert "older congress-bot: rebuilding it" in result.stderr and "bước" in result.stdout
    assert store.current_version() != old and store.is_current_schema()


def test_ask_says_when_the_knowledge_directory_changed_since_the_index_was_built(workdir):
    """A file added or edited after the last `index` (or indexed by an older congress-bot) is not in the
    index: `ask` still answers from it, and says on stderr how many documents `index` would process."""
    assert "note:" not in run(workdir, "ask", STEPS).stderr
    (workdir.knowledge_dir / "phuong-htv.txt").write_text(NEW_DOC, encoding="utf-8")
    first = next(p for p in sorted(workdir.knowledge_dir.glob("*.txt")) if p.name != "phuong-htv.txt")
    original = first.read_bytes()
    first.write_bytes(original + "\nMột dòng mới.\n".encode())
    result = run(workdir, "ask", STEPS)
    assert result.exit_code == 0 and "bước" in result.stdout
    assert "note: 2 document(s)" in result.stderr and "congress-bot index" in result.stderr
    # Put back as indexed, the edited file is no longer pending; after `index` neither is the new one.
    first.write_bytes(original)
    assert "note: 1 document(s)" in run(workdir, "ask", STEPS).stderr
    assert run(workdir, "index").exit_code == 0
    assert "note:" not in run(workdir, "ask", STEPS).stderr


@pytest.fixture
def mismatched(tmp_path, workdir, embedder) -> Settings:
    """The seed knowledge with an index made by another embedding model."""
    index_dir = tmp_path / "other-index"
    with IndexStore(index_dir).writer("st:another-model", embedder.dim) as w:
        w.commit()
    return Settings(knowledge_dir=workdir.knowledge_dir, index_dir=index_dir)


def test_index_command_refuses_another_models_index_with_rebuild_hint(mismatched):
    result = run(mismatched, "index")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "congress-bot index --rebuild" in result.output


@pytest.mark.parametrize("args", [["ask", STEPS], ["docs"], ["remove", "002_fd0c63c6688327c6"]])
def test_query_commands_refuse_another_models_index_with_rebuild_hint(mismatched, args):
    result = run(mismatched, *args)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1
    assert "congress-bot index --rebuild" in result.output


def test_real_process_answers_stdin_lines_as_json(workdir):
    env = {**os.environ, **env_for(workdir), "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json"],
        input=f"{STEPS}\n\nThủ tục cấp hộ chiếu gồm mấy bước?\n\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=workdir.knowledge_dir.parent,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert len(rows) == 2
    for r in rows:
        assert set(r) == CONTRACT
        assert_contract(r)
    assert rows[0]["found"] is True and "bước" in rows[0]["answer"]
    assert rows[1]["found"] is False and rows[1]["citations"] == []
