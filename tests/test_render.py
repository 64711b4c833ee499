"""Telegram rendering (bot/render.py): escaping, the 4096 limit, buttons, admin views."""

from __future__ import annotations

import re

import pytest
from telegram_stub import parse_telegram_html

from bot import render
from bot.answer import Answer, Citation
from bot.errors import Skipped, SkipReason
from bot.render import TELEGRAM_LIMIT, Line, pack, tg_len


def plain(part: str) -> str:
    """The text Telegram shows for an HTML part (raises if Telegram would refuse it)."""
    return parse_telegram_html(part, strict=True)[0]


def check_parts(parts: list[str], limit: int = TELEGRAM_LIMIT) -> None:
    assert parts
    for part in parts:
        assert tg_len(part) <= limit
        assert plain(part).strip()


def citation(n: int, title: str = "Hướng dẫn 99-HD/ĐU", **kw) -> Citation:
    values = {
        "doc_id": f"doc{n}",
        "source": "QK2",
        "published": "2025-03-15",
        "passage": "Đại hội chi bộ hoàn thành trước ngày 30/6/2025.",
        "score": 0.9,
        "passage_id": 100 + n,
        "doc_type": "instruction",
    }
    values.update(kw)
    return Citation(n, values.pop("doc_id"), title, **values)


def test_answer_with_sources_section():
    answer = Answer("q", True, "Theo quy trình 5 bước. [1]\nỞ Lạng Sơn theo 6 bước. [2]", [citation(1), citation(2)])
    (part,) = render.render_answer(answer)
    text = plain(part)
    assert text.startswith("Theo quy trình 5 bước. [1]\nỞ Lạng Sơn theo 6 bước. [2]")
    assert "\n\nNguồn\n[1] Hướng dẫn 99-HD/ĐU — QK2, 15/03/2025\n[2] " in text
    assert "<b>Nguồn</b>" in part and "<b>[1]</b>" in part


def test_everything_from_documents_and_users_is_escaped():
    evil = '<script>alert("x")</script> & <b>đậm</b> &amp; a>b'
    answer = Answer(evil, True, f"{evil} [1]", [citation(1, title=evil, source="A&B <i>", passage=evil)])
    (part,) = render.render_answer(answer)
    assert "<script>" not in part and "<i>" not in part.replace("<i>Gợi", "")
    text = plain(part)
    assert text.count(evil) == 2  # the answer and the source line, shown literally
    assert "A&B <i>" in text
    passage = render.render_passage(
        1, {"title": evil, "source": evil, "text": evil, "doc_id": "<x>", "doc_type": "news"}
    )
    assert all(evil in plain(p) for p in passage[:1])
    assert "<x>" in plain(passage[0])


def test_not_found_shows_engine_message_and_a_hint():
    answer = Answer("q", False, "Không tìm thấy nội dung này.\nCác tài liệu hiện có nói về:\n• A < B", [])
    (part,) = render.render_answer(answer)
    text = plain(part)
    assert text.startswith("Không tìm thấy nội dung này.\nCác tài liệu hiện có nói về:\n• A < B")
    assert "Gợi ý" in text and "Nguồn" not in text


def test_long_answer_is_split_between_lines_and_every_part_is_valid():
    sentences = [f"Câu số {i} nói về đại hội & nhân sự <bước {i % 7}>. [{i % 3 + 1}]" for i in range(400)]
    cites = [citation(n, title=f"Tài liệu {n} " + "rất dài " * 40) for n in range(1, 4)]
    parts = render.render_answer(Answer("q", True, "\n".join(sentences), cites))
    assert len(parts) > 1
    check_parts(parts)
    shown = "\n".join(plain(p) for p in parts)
    positions = [shown.index(s) for s in sentences]
    assert positions == sorted(positions)  # nothing lost, order kept
    for p in parts:  # the sources heading is never left alone at the end of a part
        assert not plain(p).rstrip().endswith("Nguồn")
        assert re.search(r"<b>Nguồn</b>\n", p) or "Nguồn" not in p


def test_a_single_huge_line_is_cut_between_sentences_then_words_then_characters():
    sentences = " ".join(f"Câu {i} có ký tự & và <thẻ>." for i in range(600))
    parts = pack([sentences])
    check_parts(parts)
    assert "".join(plain(p) for p in parts).replace(" ", "") == sentences.replace(" ", "")
    assert all(plain(p).rstrip().endswith(".") for p in parts)  # cut at sentence ends

    blob = "&<>" * 3000  # no spaces at all: cut between characters, never inside an entity
    parts = pack([Line.of(blob, "b")])
    check_parts(parts)
    assert "".join(plain(p) for p in parts) == blob
    assert all(p.startswith("<b>") and p.endswith("</b>") for p in parts)


def test_length_is_counted_in_utf16_units():
    emoji = "🇻🇳" * 1500  # 4 UTF-16 units each: 6000 units
    parts = pack([emoji])
    check_parts(parts)
    assert len(parts) == 2
    assert "".join(plain(p) for p in parts) == emoji


def test_small_limit_keeps_heading_with_next_line():
    lines = ["a" * 30, "", Line.of("Nguồn", "b", keep_with_next=True), "[1] nguồn một"]
    parts = pack(lines, limit=45)
    check_parts(parts, limit=45)
    assert parts[-1].startswith("<b>Nguồn</b>\n[1]")


def test_passage_view_has_document_details_and_is_split():
    p = {
        "title": "Hướng dẫn 99-HD/ĐU",
        "source": "Đảng ủy",
        "published": "2025-03-15",
        "doc_type": "instruction",
        "doc_id": "huong_dan_99",
        "text": "Đoạn văn dài. " * 700,
    }
    parts = render.render_passage(2, p)
    check_parts(parts)
    assert len(parts) >= 3
    first = plain(parts[0])
    for expected in ("Trích dẫn [2]", "Hướng dẫn 99-HD/ĐU", "Đảng ủy", "15/03/2025", "Hướng dẫn", "huong_dan_99"):
        assert expected in first
    assert "<code>huong_dan_99</code>" in parts[0]


def test_answer_buttons_fit_telegram_limits_and_parse_back():
    cites = [citation(n, passage_id=10**15 + n) for n in range(1, 10)]
    rows = render.answer_buttons(Answer("q", True, "x", cites), key=10**15)
    datas = [d for row in rows for _, d in row]
    assert all(len(d.encode()) <= 64 for d in datas)
    assert all(len(row) <= 4 for row in rows)
    assert rows[-1] == [("👍", f"f:{10**15}:1"), ("👎", f"f:{10**15}:0")]
    n, pid, digest = render.parse_citation_data(rows[0][0][1])
    assert (n, pid) == (1, 10**15 + 1) and digest == render.passage_digest(cites[0].passage)
    assert render.parse_feedback_data(f"f:{10**15}:0") == (10**15, 0)
    assert render.parse_citation_data("c:1:2:nothex!!") is None
    assert render.parse_feedback_data("f:1:7") is None


def test_docs_pages_and_buttons():
    docs = [
        {"doc_id": f"d{i}", "title": f"Tài liệu <{i}>", "published": None, "doc_type": "plan", "n_passages": i}
        for i in range(25)
    ]
    text, page, pages = render.render_docs_page(docs, 0, 10)
    assert (page, pages) == (0, 3)
    assert "Tài liệu &lt;0&gt;" in text and "d9" in text and "d10" not in text
    assert render.docs_buttons(page, pages) == [("▶", "d:1")]
    text, page, pages = render.render_docs_page(docs, 99, 10)
    assert page == 2 and "d24" in text and "d19" not in text
    assert render.docs_buttons(1, 3) == [("◀", "d:0"), ("▶", "d:2")]
    plain(text)
    assert "trống" in render.render_docs_page([], 0)[0]


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("unsupported file type; send one of .txt", "không được hỗ trợ"),
        (
            "duplicate: the same content is already in the knowledge base as a.txt",
            "đã có trong kho tài liệu (tệp a.txt)",
        ),
        ("corrupt or unreadable PDF (PdfStreamError: x)", "bị hỏng"),
        ("no readable text found (a scanned PDF)", "OCR"),
        ("something new", "chi tiết: something new"),
    ],
)
def test_engine_reasons_are_translated(reason, expected):
    assert expected in render.reason_vi(reason)


def test_upload_report():
    doc = {
        "doc_id": "hd99",
        "title": "Hướng dẫn <99>",
        "published": "2025-03-15",
        "doc_type": "instruction",
        "passages": 2,
    }
    text = plain(render.render_upload_report("hd99.txt", [doc], [], 1.25))
    for expected in ("Đã thêm", "Hướng dẫn <99>", "15/03/2025", "Hướng dẫn", "2", "hd99", "1.2 giây"):
        assert expected in text
    skipped = [Skipped("x<b>.pdf", SkipReason.CORRUPT, "PDF (E: <b>)")]
    text = plain(render.render_upload_report("x<b>.pdf", [], skipped, 0.1))
    assert "Không thêm được tệp x<b>.pdf" in text and "hỏng" in text and "không thay đổi" in text
    assert "đã có trong chỉ mục" in plain(render.render_upload_report("x.txt", [], [], 0.1))


def test_help_and_stats_are_valid_html():
    assert "/ask" in plain(render.render_help("Bot_Name"))
    admin = plain(render.render_help("Bot_Name", is_admin=True))
    assert "/reindex" in admin and "/remove <mã tài liệu>" in admin
    stats = plain(
        render.render_stats(
            {"documents": 5, "passages": 45, "version": "v1"},
            {"today": 4, "today_not_found": 1, "median_latency_ms": 52.4, "total": 9, "total_not_found": 2},
        )
    )
    assert "Câu hỏi hôm nay: 4" in stats and "25%" in stats and "52 ms" in stats
