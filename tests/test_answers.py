"""Answers from the seed corpus: extractive, cited, refusing what the documents do not say."""

from __future__ import annotations

import json
import re
import time
import unicodedata

import pytest
from conftest import CITATION_CONTRACT
from langchain_core.documents import Document

from bot.answer import Answer
from bot.engine import QuestionError
from bot.retrieve import HybridRetriever

DOC_002 = "002_fd0c63c6688327c6"
DOC_004 = "004_9c1ef96de0d69b01"
DOC_001 = "001_85dd6bf00c311268"
STEPS = "Quy trình nhân sự đại hội gồm mấy bước?"
MARKER_RE = re.compile(r"\s*\[(\d+)\]")


def quoted_lines(answer: Answer) -> list[tuple[str, list[int]]]:
    """(sentence, citation numbers) for each answer line that carries [n] markers.

    Strips the markers and the "• label:" prefix that names the unit in a multi-document answer.
    """
    out = []
    for line in answer.answer.splitlines():
        numbers = [int(n) for n in MARKER_RE.findall(line)]
        if not numbers:
            continue  # a heading such as "Các tài liệu nêu khác nhau tùy đơn vị:"
        sentence = MARKER_RE.sub("", line).strip()
        if sentence.startswith("•"):
            sentence = re.sub(r"^•\s*[^:]+:\s*", "", sentence)
        out.append((sentence, numbers))
    return out


def assert_extractive(answer: Answer) -> None:
    """Every quoted sentence is copied verbatim from the passage it cites; markers point at real citations."""
    by_number = {c.n: c for c in answer.citations}
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    lines = quoted_lines(answer)
    assert lines, answer.answer
    for sentence, numbers in lines:
        assert sentence
        for n in numbers:
            assert n in by_number, (n, answer.answer)
        assert any(sentence in by_number[n].passage for n in numbers), (sentence, numbers)
    # Every citation is used by some line.
    assert {n for _, numbers in lines for n in numbers} == set(by_number)


def marker_doc(answer: Answer, phrase: str) -> str:
    """The document cited by the [n] marker that follows ``phrase`` on its line."""
    m = re.search(re.escape(phrase) + r"[^\n]*?\[(\d+)\]", answer.answer)
    assert m, (phrase, answer.answer)
    return {c.n: c for c in answer.citations}[int(m.group(1))].doc_id


def test_procedure_steps_cites_both_units_with_their_own_counts(engine):
    answer = engine.ask(STEPS)
    assert answer.found
    assert {c.doc_id for c in answer.citations} >= {DOC_002, DOC_004}
    assert marker_doc(answer, "5 bước") == DOC_002
    assert marker_doc(answer, "6 bước") == DOC_004
    assert_extractive(answer)
    for c in answer.citations:
        assert c.title and c.published and re.fullmatch(r"\d{4}-\d{2}-\d{2}", c.published)


@pytest.mark.parametrize(
    "question",
    [
        "quy trinh nhan su dai hoi gom may buoc?",
        unicodedata.normalize("NFD", STEPS),
        "Quy trình nhân sự đại hội gồm mấy bước\u200b?",
    ],
    ids=["no-diacritics", "nfd", "zero-width"],
)
def test_procedure_steps_question_in_other_shapes(engine, question):
    answer = engine.ask(question)
    assert answer.found
    assert "bước" in answer.answer
    assert {c.doc_id for c in answer.citations} & {DOC_002, DOC_004}
    assert_extractive(answer)


def test_nfd_question_gets_the_same_answer_as_nfc(engine):
    assert engine.ask(unicodedata.normalize("NFD", STEPS)).answer == engine.ask(STEPS).answer


@pytest.mark.parametrize(
    "question",
    ["Chỉ thị 35-CT/TW được quán triệt thế nào?", "Chỉ thị số 35-CT/TW của Bộ Chính trị được triển khai ra sao?"],
)
def test_directive_number_question_cites_002(engine, question):
    answer = engine.ask(question)
    assert answer.found
    assert answer.citations[0].doc_id == DOC_002
    assert "35-CT/TW" in answer.answer
    assert_extractive(answer)


def test_abbreviation_tsvm_finds_lai_chau_figure(engine):
    answer = engine.ask("Tỷ lệ tổ chức đảng đạt TSVM ở Lai Châu là bao nhiêu?")
    assert answer.found
    assert "94% tổ chức đảng đạt TSVM" in answer.answer
    assert marker_doc(answer, "94% tổ chức đảng đạt TSVM") == DOC_001
    assert_extractive(answer)


@pytest.mark.parametrize(
    "question",
    [
        "Đại hội Đảng bộ tỉnh Cà Mau thành lập mấy tiểu ban?",
        "Chỉ thị 99-CT/TW nói gì?",
        "Quân khu 9 chuẩn bị đại hội đảng bộ như thế nào?",
        "Thủ tục cấp hộ chiếu gồm mấy bước?",
    ],
)
def test_out_of_scope_questions_are_refused(engine, question):
    answer = engine.ask(question)
    assert answer.found is False
    assert answer.citations == []
    assert "Không tìm thấy" in answer.answer
    assert not MARKER_RE.search(answer.answer)
    data = answer.to_dict()
    assert data["found"] is False and data["citations"] == []


def test_refusal_names_what_is_missing(engine):
    assert "Cà Mau" in engine.ask("Đại hội Đảng bộ tỉnh Cà Mau thành lập mấy tiểu ban?").answer
    assert "99" in engine.ask("Chỉ thị 99-CT/TW nói gì?").answer
    assert "Quân khu 9" in engine.ask("Quân khu 9 chuẩn bị đại hội đảng bộ như thế nào?").answer


@pytest.mark.parametrize(
    ("question", "hint"),
    [
        ("", "trống"),
        ("   \n\t ", "trống"),
        ("???", "chữ"),
        ("🙂🙂", "chữ"),
        ("đại hội " * 1250, "quá dài"),  # 10,000 characters of otherwise valid Vietnamese
        ("What is the personnel procedure for the Party congress?", "tiếng Việt"),
    ],
    ids=["empty", "whitespace", "punctuation", "emoji", "10000-chars", "english"],
)
def test_bad_input_raises_question_error_in_vietnamese(engine, question, hint):
    with pytest.raises(QuestionError) as err:
        engine.ask(question)
    message = str(err.value)
    assert hint in message
    assert re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", message.lower())
    assert "Traceback" not in message


def test_answer_json_contract(engine):
    for question in (STEPS, "Thủ tục cấp hộ chiếu gồm mấy bước?"):
        started = time.perf_counter()
        answer = engine.ask(question)
        wall_ms = (time.perf_counter() - started) * 1000
        data = json.loads(json.dumps(answer.to_dict(), ensure_ascii=False))
        assert set(data) == {"question", "found", "answer", "citations", "latency_ms"}
        assert data["question"] == question
        assert isinstance(data["found"], bool) and isinstance(data["answer"], str) and data["answer"]
        # The engine's own timing of the question: positive (an embedding was computed) and within the
        # wall time of the call (plus the 0.05 ms of rounding to one decimal).
        assert isinstance(data["latency_ms"], int | float) and 0 < data["latency_ms"] <= wall_ms + 0.05
        assert isinstance(data["citations"], list)
        assert bool(data["citations"]) == data["found"]
        for i, c in enumerate(data["citations"], 1):
            assert set(c) == CITATION_CONTRACT
            assert c["n"] == i
            assert isinstance(c["doc_id"], str) and c["doc_id"]
            assert isinstance(c["title"], str) and c["title"]
            assert c["source"] is None or isinstance(c["source"], str)
            assert c["published"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", c["published"])
            assert isinstance(c["passage"], str) and c["passage"]
            assert isinstance(c["score"], int | float)


def test_citations_point_at_indexed_passages(engine):
    answer = engine.ask(STEPS)
    snap = engine.searcher().snapshot
    for c in answer.citations:
        rows = snap.query("SELECT text FROM passages WHERE doc_id = ?", (c.doc_id,))
        assert c.passage in [r[0] for r in rows]
        assert c.title == snap.query("SELECT title FROM documents WHERE doc_id = ?", (c.doc_id,))[0][0]


def test_langchain_hybrid_retriever(engine):
    retriever = HybridRetriever(searcher=engine.searcher(), k=3)
    docs = retriever.invoke("Quy trình nhân sự đại hội gồm mấy bước?")
    assert 1 <= len(docs) <= 3
    assert all(isinstance(d, Document) for d in docs)
    ids = {r[0] for r in engine.searcher().snapshot.query("SELECT doc_id FROM documents")}
    for d in docs:
        assert d.metadata["doc_id"] in ids
        assert d.page_content and d.metadata["title"]
    assert {d.metadata["doc_id"] for d in docs} & {DOC_002, DOC_004}
    scores = [d.metadata["score"] for d in docs]
    assert scores == sorted(scores, reverse=True)


def test_an_added_directive_is_answered_when_asked_by_its_number(work_engine, tmp_path):
    doc = tmp_path / "hd99.txt"
    doc.write_text(
        "ĐẢNG ỦY KHỐI CƠ QUAN\nSố 99-HD/ĐU\nHà Nội, ngày 12 tháng 3 năm 2025\n\nHƯỚNG DẪN\n"
        "về tổ chức đại hội chi bộ trực thuộc nhiệm kỳ 2025 - 2030\n\n"
        "Chi bộ có dưới 9 đảng viên thì đại hội bầu trực tiếp bí thư và phó bí thư chi bộ, không bầu chi ủy.\n"
        "Thời gian tổ chức đại hội chi bộ hoàn thành trước ngày 30/6/2025.\n",
        encoding="utf-8",
    )
    report = work_engine.add_files([doc])
    assert report.documents and report.documents[0]["doc_type"] == "instruction"
    assert report.documents[0]["published"] == "2025-03-12"
    for question in ("Hướng dẫn 99-HD/ĐU quy định gì?", "huong dan 99 noi ve gi"):
        answer = work_engine.ask(question)
        assert answer.found, question
        assert answer.citations[0].doc_id == "hd99"
        # Letterhead lines are not answers.
        assert "ĐẢNG ỦY KHỐI CƠ QUAN" not in answer.answer and "Số 99-HD/ĐU" not in answer.answer
    deadline = work_engine.ask("Theo Hướng dẫn 99, đại hội chi bộ phải hoàn thành trước ngày nào?")
    assert deadline.found and "30/6/2025" in deadline.answer


def test_author_question_quotes_the_author_line(engine):
    answer = engine.ask("Ai là tác giả bài viết về Đảng bộ Quân sự tỉnh Lào Cai?")
    assert answer.found
    assert "ĐỖ THANH LÃNG" in answer.answer
    assert answer.citations[0].doc_id == "000_85e855406dea6269"
    assert "ĐỖ THANH LÃNG" in answer.citations[0].passage


def test_count_question_without_diacritics_shows_every_sources_figure(engine):
    """The issue's own example: "quy trinh nhan su co may buoc" must show both units' figures."""
    answer = engine.ask("quy trinh nhan su co may buoc")
    assert answer.found
    assert "5 bước" in answer.answer and "6 bước" in answer.answer
    assert {c.doc_id[:3] for c in answer.citations} == {"002", "004"}
