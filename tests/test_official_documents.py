"""Official documents through the whole pipeline: the three generated fixtures (a Quy định PDF
as published, a Hướng dẫn DOCX with Word numbering and a table, a scanned page) and the
fictional guideline pairs of tests/fixtures/relations.

The ingestion tests use the model-free ``hash`` embedder (fast, real SQLite and FAISS); the
answer tests at the end use the bundled model.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.embeddings import HashEmbeddings
from bot.engine import Engine
from bot.indexer import Indexer
from bot.ocr import ocr_available
from bot.textnorm import fold

RELATIONS = Path(__file__).resolve().parent / "fixtures" / "relations"


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", fold(text)).strip()


@pytest.fixture(scope="module")
def prepare():
    indexer = Indexer(None, HashEmbeddings(), None, Path("."))
    return lambda path: indexer.prepare(path, path.stem)


# -- the Quy định PDF as published -----------------------------------------------------------------------


def test_regulation_pdf_header_is_read_not_invented(regulation_pdf, prepare):
    path, truth = regulation_pdf
    meta = prepare(path).meta
    assert meta.doc_type == "regulation" and meta.official
    assert meta.doc_number == truth["number"] == "999-QĐ/TU"
    assert meta.published == truth["date"]
    assert meta.title == f"Quy định 999-QĐ/TU {truth['subject']}"  # not the PDF's "Microsoft Word - …" title
    assert fold(meta.issuer) == fold("Ban Chấp hành Đảng bộ tỉnh Hưng Nam (giả định)")
    assert meta.place == "Hưng Nam"
    assert truth["signer"]["name"] in meta.signer and "T/M BAN THƯỜNG VỤ" in meta.signer
    assert meta.basis and meta.basis[0].startswith("Căn cứ Điều lệ Đảng")


def test_regulation_pdf_lines_are_rejoined_and_page_furniture_dropped(regulation_pdf, prepare):
    path, truth = regulation_pdf
    doc = prepare(path)
    lines = [squash(line) for line in doc.text.splitlines()]
    for number, clause in truth["clauses"].items():
        first = squash(clause["text"].split("\n")[0])
        assert any(line.startswith(f"{number}. {first}") or line == f"{number}. {first}" for line in lines), number
    assert fold(truth["running_header"]) not in fold(doc.text)
    assert not re.search(r"trang \d/4", fold(doc.text))
    for left, right, _ in truth["split_pairs"]:  # word pairs the printer split at a line end
        assert f"{fold(left)} {fold(right)}" in fold(doc.text)
    assert "noi nhan" not in " ".join(fold(c.text) for c in doc.chunks)  # the distribution list is not content


def test_a_bold_heading_as_wide_as_the_text_is_its_own_line_not_wrapped_into_its_body(tmp_path, prepare):
    """Hướng dẫn 06-HD/TW prints "4.3. Bản nhận xét … được phân công giúp đỡ" in bold across the whole line,
    its body in plain type below: the fonts, not the line's length (the longest here), say where the
    heading ends.  A bold
    line that goes on in lower case is still one sentence."""
    from fixtures import make_docs
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    if not make_docs.font_available():
        pytest.skip(make_docs.FONT_MISSING)
    make_docs._register_fonts()
    lines = [
        (make_docs.BOLD, "4.3. Bản nhận xét về người vào Đảng của đảng viên chính thức được phân công giúp đỡ"),
        (make_docs.REGULAR, "Đảng viên được phân công giúp đỡ viết bản nhận xét nêu rõ ưu điểm, khuyết điểm,"),
        (make_docs.REGULAR, "lập trường tư tưởng và mức độ hoàn thành nhiệm vụ được giao; báo cáo chi bộ."),
        (make_docs.BOLD, "4.4. Bản nhận xét của đoàn thể chính trị - xã hội nơi làm việc và chi ủy nơi"),
        (make_docs.REGULAR, "cư trú được gửi kèm hồ sơ (Hưng Nam, giả định)."),
    ]
    path = tmp_path / "huong-dan-998-hd-tu.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for i, (font, text) in enumerate(lines):
        pdf.setFont(font, 10.0)
        pdf.drawString(60, 780 - 16 * i, text)
    pdf.save()
    paragraphs = [squash(line) for line in prepare(path).text.splitlines()]
    assert squash(lines[0][1]) in paragraphs
    assert any(p.startswith(squash(lines[1][1] + " " + lines[2][1])) for p in paragraphs)
    assert any(p.startswith(squash(lines[3][1] + " " + lines[4][1])) for p in paragraphs)


def test_regulation_pdf_passages_know_their_section_and_page(regulation_pdf, prepare):
    path, truth = regulation_pdf
    doc = prepare(path)
    from bot.layout import page_at

    units = {u.label: u for c in doc.chunks for u in c.units}
    for number, clause in truth["clauses"].items():
        unit = units[f"mục {number}"]
        assert page_at(doc.page_starts, unit.start) == clause["page"], number
    # A clause printed across a page break is one passage, whole.
    crossing = [n for n, c in truth["clauses"].items() if c["end_page"] > c["page"] and "." in n]
    assert crossing
    for number in crossing:
        text = squash(truth["clauses"][number]["text"])
        assert any(text in squash(c.text) for c in doc.chunks), number


def test_a_list_stays_with_its_lead_in(regulation_pdf, prepare):
    path, truth = regulation_pdf
    doc = prepare(path)
    holding = [c for c in doc.chunks if "trong cac truong hop sau" in fold(c.text) or "… " in c.context]
    lead = next(c for c in doc.chunks if "trong cac truong hop sau" in fold(c.text))
    for item in truth["items"]["3.2"]:
        assert squash(item) in squash(lead.text), item
    assert holding


# -- the Hướng dẫn DOCX ----------------------------------------------------------------------------------


def test_instruction_docx_numbering_headings_and_table(instruction_docx, prepare):
    path, truth = instruction_docx
    doc = prepare(path)
    meta = doc.meta
    assert meta.doc_type == "instruction" and meta.doc_number == "88-HD/BTCTU" and meta.published == truth["date"]
    assert meta.title == f"Hướng dẫn 88-HD/BTCTU {truth['subject']}"
    assert fold(meta.issuer) == fold("Ban Tổ chức Tỉnh ủy Hưng Nam (giả định)")
    lines = doc.text.splitlines()
    # Word's automatic numbers are drawn: "1. …", "a) …".
    for block in truth["blocks"]:
        if block["kind"] in ("num", "letter"):
            assert f"{block['label']} {block['text']}" in lines, block
    table = truth["table"]
    assert " | ".join(table["header"]) in lines
    for row in table["rows"]:
        # Each cell but the row's first is written after its column's name (bot/tables.py).
        named = [f"{name}: {cell}" for name, cell in zip(table["header"][1:], row[1:], strict=True)]
        assert " | ".join([row[0], *named]) in lines
    labels = {u.label for c in doc.chunks for u in c.units}
    assert "mục II, điểm 2, điểm b" in labels or "mục II, điểm 2" in labels


# -- the scanned page --------------------------------------------------------------------------------------


@pytest.mark.skipif(not ocr_available(), reason="OCR not installed: apt-get install tesseract-ocr tesseract-ocr-vie")
def test_a_scan_is_read_by_ocr(scanned_pdf, prepare):
    path, truth = scanned_pdf
    doc = prepare(path)
    text = fold(doc.text)
    words = [fold(w) for w in truth["keywords"]]
    assert sum(w in text for w in words) >= 0.8 * len(words)
    assert doc.meta.doc_type == "notice"


def test_a_scan_without_ocr_is_skipped_with_how_to_enable_it(tmp_path, scanned_pdf):
    """Tesseract absent (an empty PATH in a real subprocess): the scan is skipped, the rest indexed."""
    path, _ = scanned_pdf
    kb = tmp_path / "knowledge"
    kb.mkdir()
    shutil.copy(path, kb / path.name)
    (kb / "note.txt").write_text("Chi bộ thôn Đồng Giả (giả định) họp thường lệ mỗi tháng một lần.\n", encoding="utf-8")
    env = {
        **os.environ,
        "PATH": str(tmp_path / "no-bin"),
        "CONGRESS_BOT_EMBEDDER": "hash",
        "CONGRESS_BOT_KNOWLEDGE_DIR": str(kb),
        "CONGRESS_BOT_INDEX_DIR": str(tmp_path / "index"),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "index"], capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path
    )
    out = proc.stdout + proc.stderr
    assert "1 added" in out and "1 skipped" in out, out
    assert "tesseract-ocr-vie" in out, out


# -- versions of a guideline ---------------------------------------------------------------------------------


@pytest.fixture
def hash_engine(tmp_path):
    kb = tmp_path / "knowledge"
    kb.mkdir()
    settings = Settings(kb, tmp_path / "index", "hash")
    return Engine(settings)


def test_adding_a_new_version_lists_the_sections_that_changed(hash_engine):
    shutil.copy(RELATIONS / "huong-dan-05-hd-tu-2020-cu.txt", hash_engine.settings.knowledge_dir)
    hash_engine.index()
    report = hash_engine.add_files([RELATIONS / "huong-dan-09-hd-tu-2025-moi.txt"])
    (doc,) = report.documents
    (change,) = doc["changes"]
    assert change["kind"] == "replaces" and change["doc_id"] == "huong-dan-05-hd-tu-2020-cu"
    assert change["added"] == ["mục 4 Ứng dụng công nghệ thông tin"]
    assert change["removed"] == ["mục 3 Chuẩn bị văn kiện"]
    assert "mục 1 Thời gian tổ chức đại hội" in change["changed"]
    docs = {d["doc_id"]: d for d in hash_engine.documents()}
    old = docs["huong-dan-05-hd-tu-2020-cu"]
    assert old["status"] == "replaced" and old["replaced_by"]["doc_id"] == "huong-dan-09-hd-tu-2025-moi"
    assert docs["huong-dan-09-hd-tu-2025-moi"]["status"] == "in_force"


def test_same_number_documents_are_told_apart_by_year(hash_engine):
    for name in ("chi-thi-12-ct-tu-2019.txt", "chi-thi-12-ct-tu-2024.txt"):
        shutil.copy(RELATIONS / name, hash_engine.settings.knowledge_dir)
    hash_engine.index()
    from bot.query import analyze

    with hash_engine.lease() as searcher:

        def named(question: str) -> set[str]:
            return searcher.docs_named(analyze(question, hash_engine.glossary))

        assert named("Chỉ thị 12 năm 2019 nói gì?") == {"chi-thi-12-ct-tu-2019"}
        assert named("Chỉ thị 12 năm 2024 nói gì?") == {"chi-thi-12-ct-tu-2024"}
        assert named("chi thi 12 nhiem ky 2020 - 2025") == {"chi-thi-12-ct-tu-2019"}
        assert named("Chỉ thị 12-CT/TU quy định gì?") == {"chi-thi-12-ct-tu-2024"}  # the one in force
        note = searcher.same_number_note(
            analyze("Chỉ thị 12-CT/TU quy định gì?", hash_engine.glossary), "chi-thi-12-ct-tu-2024"
        )
    assert note and "20/05/2019" in note


# -- answers with the real model -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def official_engine(tmp_path_factory, embedder, regulation_pdf, instruction_docx):
    root = tmp_path_factory.mktemp("official")
    kb = root / "knowledge"
    kb.mkdir()
    for path, _ in (regulation_pdf, instruction_docx):
        shutil.copy(path, kb / path.name)
    for name in ("huong-dan-05-hd-tu-2020-cu.txt", "huong-dan-09-hd-tu-2025-moi.txt"):
        shutil.copy(RELATIONS / name, kb / name)
    engine = Engine(Settings(kb, root / "index"), embedder=embedder)
    engine.index()
    return engine


def test_a_list_question_gets_the_whole_clause_with_section_and_page(official_engine, regulation_pdf):
    _, truth = regulation_pdf
    answer = official_engine.ask("Đảng viên không được giới thiệu vào chi ủy trong những trường hợp nào?")
    assert answer.found, answer.answer
    assert answer.answer.startswith("Quy định 999-QĐ/TU, mục 3.2")
    for item in truth["items"]["3.2"]:
        assert squash(item) in squash(answer.answer), item
    cite = answer.citations[0]
    assert cite.section == "mục 3.2" and cite.page == truth["clauses"]["3.2"]["page"]
    assert f"mục 3.2, tr. {cite.page}" in answer.sources_text()
    # Every line of the answer is copied from the cited passage.
    body = answer.answer.split("\n", 1)[1]
    for line in body.splitlines():
        assert line in cite.passage or line == "…", line


def test_a_number_in_words_and_a_docx_clause(official_engine):
    answer = official_engine.ask("Theo Hướng dẫn 88, lấy ý kiến đảng viên bằng phiếu kín khi nào?")
    assert answer.found, answer.answer
    assert "phiếu kín" in answer.answer and answer.citations[0].doc_id == "huong-dan-88-hd-btctu"


def test_an_answer_from_a_replaced_guideline_carries_the_warning(official_engine):
    answer = official_engine.ask("Theo Hướng dẫn 05-HD/TU, chi ủy chuẩn bị văn kiện gì?")
    assert answer.found, answer.answer
    assert any(c.doc_id == "huong-dan-05-hd-tu-2020-cu" for c in answer.citations)
    assert "⚠ Hướng dẫn 05-HD/TU đã được thay thế bởi Hướng dẫn 09-HD/TU (15/04/2025)" in answer.answer
    cite = next(c for c in answer.citations if c.doc_id == "huong-dan-05-hd-tu-2020-cu")
    assert cite.status == "replaced" and cite.replaced_by.startswith("Hướng dẫn 09-HD/TU")


def test_a_question_restating_a_lists_lead_in_gets_every_item(official_engine, regulation_pdf):
    """No list word ("những", "gồm"), but the question is the list's lead-in: the items are the answer."""
    _, truth = regulation_pdf
    answer = official_engine.ask("Đảng viên thuộc trường hợp nào thì không được giới thiệu vào chi ủy?")
    assert answer.found, answer.answer
    for item in truth["items"]["3.2"]:
        assert squash(item) in squash(answer.answer), item


def test_a_case_told_in_the_officers_words_is_answered_by_the_rule(official_engine, regulation_pdf):
    """The first sentence tells the case in words no clause uses; the last one asks what the rule decides."""
    _, truth = regulation_pdf
    answer = official_engine.ask(
        "Chi bộ em có một đồng chí mới đi khám, bác sĩ bảo phải nằm viện chữa bệnh nửa năm, bọn em sắp "
        "đại hội. Đồng chí ấy có được giới thiệu vào chi ủy không?"
    )
    assert answer.found, answer.answer
    assert answer.citations[0].section == "mục 3.2"
    assert squash("Đang điều trị bệnh dài ngày từ 06 tháng trở lên") in squash(answer.answer)


def test_a_question_about_another_body_is_not_answered_from_a_party_clause(official_engine):
    """Mục 4.3 shares "Đoàn chủ tịch", "bầu" and "ban kiểm phiếu" with a question about the National
    Assembly; without the words of the body it names, it no longer answers."""
    answer = official_engine.ask("Khi Quốc hội bầu Chủ tịch nước thì ban kiểm phiếu gồm bao nhiêu người?")
    assert not answer.found and answer.reason == "other_subject", answer.answer
    assert "Quốc hội" in answer.answer
    # The same question about the congress the clause is about is answered from it.
    answer = official_engine.ask("Khi đại hội chi bộ bầu chi ủy thì ban kiểm phiếu gồm bao nhiêu người?")
    assert answer.found and answer.citations[0].section == "mục 4.3", answer.answer


def test_a_clause_that_shares_the_words_but_not_the_meaning_is_refused(official_engine):
    """Mục 2.3.2 holds "kinh phí tổ chức đại hội" but says how it is spent, not when it is settled: the words
    gates pass it, the model finds what would be shown far from the question.  A right answer from a
    passage the model finds no closer passes the same check."""
    question = "Kinh phí đại hội được quyết toán khi nào?"
    answer = official_engine.ask(question)
    assert not answer.found and answer.reason == "other_meaning", answer.answer
    unchecked = Engine(
        official_engine.settings,
        embedder=official_engine.embedder,
        answer=dataclasses.replace(official_engine.answer_params, min_meaning_cosine=0.0),
    )
    assert unchecked.ask(question).citations[0].section == "mục 2.3.2"
    answer = official_engine.ask("Biên bản kiểm phiếu được lập thành mấy bản?")
    assert answer.found and answer.citations[0].section == "mục 4.4", answer.answer
    assert "ba bản" in answer.answer


def test_a_list_cut_across_passages_is_read_on_to_its_last_item(tmp_path, embedder):
    """A long list is chunked into two passages (the second carries the lead-in as context); the answer
    quotes its items from both, each passage cited, and marks with "…" what the budget leaves out."""
    items = [
        f"4.{i}. {name}\nTài liệu này do chi bộ lập và lưu giữ theo mẫu của Ban Tổ chức Tỉnh ủy Bắc Vân (giả định); "
        "bản chính có chữ ký của bí thư chi bộ, được gửi kèm danh sách, có xác nhận của cấp ủy cơ sở nơi "
        "đảng viên sinh hoạt và được kiểm tra trước khi trình cấp ủy có thẩm quyền xem xét, quyết định."
        for i, name in enumerate(
            [
                "Đơn đề nghị",
                "Bản lý lịch",
                "Giấy chứng nhận bồi dưỡng",
                "Bản tự kiểm điểm",
                "Bản nhận xét",
                "Nghị quyết",
            ],
            1,
        )
    ]
    text = (
        "TỈNH ỦY BẮC VÂN (giả định)\nĐẢNG CỘNG SẢN VIỆT NAM\n*\nSố 31-HD/TU\nBắc Vân, ngày 15 tháng 4 năm 2025\n\n"
        "HƯỚNG DẪN\nvề hồ sơ đảng viên (giả định)\n\n"
        "1. Phạm vi\nHướng dẫn này áp dụng cho các chi bộ trực thuộc đảng bộ cơ sở (giả định).\n\n"
        "4. Hồ sơ đề nghị công nhận đảng viên chính thức gồm có:\n" + "\n".join(items) + "\n\n"
        "5. Tổ chức thực hiện\nCác đảng ủy cơ sở tổ chức thực hiện hướng dẫn này.\n"
    )
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "huong-dan-31-hd-tu-2025.txt").write_text(text, encoding="utf-8")
    engine = Engine(Settings(knowledge, tmp_path / "index"), embedder=embedder)
    engine.index()
    passages = engine.searcher().snapshot.query("SELECT section, text FROM passages ORDER BY position")
    assert [r["section"] for r in passages].count("mục 4") >= 2  # the list is cut across passages
    answer = engine.ask("Hồ sơ đề nghị công nhận đảng viên chính thức gồm có những gì?")
    assert answer.found, answer.answer
    second = [r["text"] for r in passages if r["section"] == "mục 4"][1]
    shown = answer.blocks[0].text.split("\n")
    assert shown[0] == "4. Hồ sơ đề nghị công nhận đảng viên chính thức gồm có:" and shown[-1] == "…"
    assert shown[1].startswith("4.1.") and any(line.startswith("4.") and line in second for line in shown)
    assert len(answer.blocks) == 1 and len(answer.blocks[0].cites) == 2
    assert {c.section for c in answer.citations} == {"mục 4"}
    for c in answer.citations:  # each part is quoted from its own cited passage
        assert any(line in c.passage for line in answer.blocks[0].text.split("\n") if len(line) > 20)


def test_steps_each_in_passages_of_their_own_are_answered_with_their_headings(tmp_path, embedder):
    """ "2. Quy trình và các bước thực hiện:" then a step too long to share a passage: a question asking
    the steps gets the lead-in and each step's heading, each cited with its own section, not step 1 whole."""
    duty = (
        "- Việc thứ {} của bước: ban tổ chức huyện ủy Bắc Vân (giả định) tham mưu, thẩm định hồ sơ, dự thảo văn "
        "bản và báo cáo ban thường vụ huyện ủy xem xét, cho ý kiến trước khi trình cấp có thẩm quyền quyết định.\n"
    )
    steps = ["Tham mưu xây dựng đề án", "Bàn giao hồ sơ đảng viên", "Tổ chức lễ ra mắt chi bộ mới"]
    text = (
        "HUYỆN ỦY BẮC VÂN (giả định)\nĐẢNG CỘNG SẢN VIỆT NAM\n*\nSố 12-HD/HU\nBắc Vân, ngày 2 tháng 5 năm 2025\n\n"
        "HƯỚNG DẪN\nvề thành lập chi bộ (giả định)\n\n"
        "1. Phạm vi\nHướng dẫn này áp dụng cho các đảng bộ xã (giả định).\n\n"
        "2. Quy trình và các bước thực hiện:\n"
        + "".join(
            f"2.{i}. Bước {i}: {name}\n" + "".join(duty.format(f"{j} ({name.lower()})") for j in range(1, 7))
            for i, name in enumerate(steps, 1)
        )
        + "\n3. Tổ chức thực hiện\nCác đảng ủy xã tổ chức thực hiện hướng dẫn này.\n"
    )
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "huong-dan-12-hd-hu-2025.txt").write_text(text, encoding="utf-8")
    engine = Engine(Settings(knowledge, tmp_path / "index"), embedder=embedder)
    engine.index()
    snap = engine.searcher().snapshot
    in_two = snap.passages_in_section("huong-dan-12-hd-hu-2025", "mục 2")
    sections = {snap.passage(i)["section"] for i in in_two}
    assert sections == {"mục 2", "mục 2.1", "mục 2.2", "mục 2.3"}, sections  # not "mục 1", nor "mục 20"
    answer = engine.ask("Thành lập chi bộ mới thực hiện theo mấy bước, cụ thể là những bước nào?")
    assert answer.found, answer.answer
    shown = answer.blocks[0].text.split("\n")
    assert shown[0] == "2. Quy trình và các bước thực hiện:"
    assert [line for line in shown[1:] if line.startswith("2.")] == [
        f"2.{i}. Bước {i}: {s}" for i, s in enumerate(steps, 1)
    ]
    assert "…" in shown and "- Việc thứ" not in answer.blocks[0].text
    assert {c.section for c in answer.citations} >= {"mục 2.1", "mục 2.2", "mục 2.3"}
    for c in answer.citations:  # each heading is quoted from its own cited passage
        assert any(line in c.passage for line in shown if line.startswith("2."))
