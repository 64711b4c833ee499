"""What the bot shows, model-free: the Telegram-HTML packer (bot/telegram/html.py), the views
(bot/telegram/views.py) and the callback-data codec (bot/telegram/callbacks.py)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from telegram import InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit
from telegram_stub import parse_telegram_html

from bot.answer import SMALL_TALK_REPLIES, Answer, Citation
from bot.errors import SKIP_REASON_VI, DuplicateFile, Skipped, SkipReason, UnsupportedFile
from bot.telegram import texts, views
from bot.telegram.callbacks import CallbackDataTooLong, Cite, DocsPage, Removal, Vote, passage_digest
from bot.telegram.html import TEXT_LIMIT, Line, pack, tg_len


def plain(part: str) -> str:
    """The text Telegram shows for an HTML part (raises if Telegram would refuse it)."""
    return parse_telegram_html(part, strict=True)[0]


def check_parts(parts: list[str], limit: int = TEXT_LIMIT) -> None:
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


def data_of(markup: InlineKeyboardMarkup | None) -> list[list[tuple[str, str]]]:
    return [[(b.text, b.callback_data) for b in row] for row in (markup.inline_keyboard if markup else ())]


def test_limits_come_from_telegram_constants():
    assert TEXT_LIMIT == MessageLimit.MAX_TEXT_LENGTH == 4096


# -- answers ----------------------------------------------------------------------------------------------------
def test_answer_with_sources_section():
    answer = Answer("q", True, "Theo quy trình 5 bước. [1]\nỞ Lạng Sơn theo 6 bước. [2]", [citation(1), citation(2)])
    (part,) = views.render_answer(answer)
    text = plain(part)
    assert text.startswith("Theo quy trình 5 bước. [1]\nỞ Lạng Sơn theo 6 bước. [2]")
    assert "\n\nNguồn\n[1] Hướng dẫn 99-HD/ĐU — QK2, 15/03/2025\n[2] " in text
    assert "<b>Nguồn</b>" in part and "<b>[1]</b>" in part


def test_sources_show_section_and_page_when_known():
    cites = [
        citation(1, section="Điều 4, khoản 1", page=3),
        citation(2, doc_id="doc1", section="mục 11.4.4"),  # the same document: one line, both places
        citation(3, doc_id="doc3", title="Kế hoạch 12-KH/ĐU", source=None, published=None, page=7),
    ]
    (part,) = views.render_answer(Answer("q", True, "a [1] b [2] c [3]", cites))
    lines = plain(part).split("Nguồn\n")[1].splitlines()
    assert lines == [
        "[1][2] Hướng dẫn 99-HD/ĐU — QK2, 15/03/2025 · [1] Điều 4, khoản 1, tr. 3; [2] mục 11.4.4",
        "[3] Kế hoạch 12-KH/ĐU · tr. 7",
    ]


def test_plain_sources_name_every_place_of_a_document():
    """The CLI's sources: one line per document, each of its places when they differ (a list read on over two
    passages is "mục 4" on two pages)."""
    cites = [
        citation(1, section="mục 4", page=8),
        citation(2, doc_id="doc1", section="mục 4", page=9),
        citation(3, doc_id="doc3", title="Kế hoạch 12-KH/ĐU", source=None, published=None, section="mục 2"),
        citation(4, doc_id="doc3", title="Kế hoạch 12-KH/ĐU", source=None, published=None, section="mục 2"),
    ]
    lines = Answer("q", True, "a [1][2] b [3][4]", cites).sources_text().splitlines()
    assert lines == [
        "[1][2] Hướng dẫn 99-HD/ĐU (15/03/2025): [1] mục 4, tr. 8; [2] mục 4, tr. 9",
        "[3][4] Kế hoạch 12-KH/ĐU, mục 2",
    ]


def test_everything_from_documents_and_users_is_escaped():
    evil = '<script>alert("x")</script> & <b>đậm</b> &amp; a>b'
    answer = Answer(evil, True, f"{evil} [1]", [citation(1, title=evil, source="A&B <i>", passage=evil)])
    (part,) = views.render_answer(answer)
    assert "<script>" not in part and "<i>" not in part.replace("<i>Gợi", "")
    text = plain(part)
    assert text.count(evil) == 2  # the answer and the source line, shown literally
    assert "A&B <i>" in text
    passage = views.render_passage(1, {"title": evil, "source": evil, "text": evil, "doc_id": "<x>", "path": evil})
    shown = plain(passage[0])
    assert shown.count(evil) == 4  # title, source, path and text
    assert "<x>" in shown


def test_not_found_shows_engine_message_and_a_hint():
    answer = Answer("q", False, "Không tìm thấy nội dung này.\nCác tài liệu hiện có nói về:\n• A < B", [])
    (part,) = views.render_answer(answer)
    text = plain(part)
    assert text.startswith("Không tìm thấy nội dung này.\nCác tài liệu hiện có nói về:\n• A < B")
    assert texts.NOT_FOUND_HINT in text and "Nguồn" not in text


def test_small_talk_is_shown_without_the_not_found_hint():
    answer = Answer("xin chào", False, SMALL_TALK_REPLIES["greeting"], [], reason="small_talk")
    (part,) = views.render_answer(answer)
    assert plain(part) == SMALL_TALK_REPLIES["greeting"]


def test_long_answer_is_split_between_lines_and_every_part_is_valid():
    sentences = [f"Câu số {i} nói về đại hội & nhân sự <bước {i % 7}>. [{i % 3 + 1}]" for i in range(400)]
    cites = [citation(n, doc_id=f"d{n}", title=f"Tài liệu {n} " + "rất dài " * 40) for n in range(1, 4)]
    parts = views.render_answer(Answer("q", True, "\n".join(sentences), cites))
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


# -- passages ---------------------------------------------------------------------------------------------------
PASSAGE = {
    "title": "Hướng dẫn 99-HD/ĐU",
    "source": "Đảng ủy",
    "published": "2025-03-15",
    "doc_type": "instruction",
    "doc_id": "huong_dan_99",
    "text": "Đoạn văn dài. " * 700,
}


def test_passage_view_has_document_details_and_is_split():
    parts = views.render_passage(2, PASSAGE)
    check_parts(parts)
    assert len(parts) >= 3
    head = plain(parts[0]).splitlines()
    assert head[:6] == [
        "📄 Trích dẫn [2]",
        "Hướng dẫn 99-HD/ĐU",
        "Nguồn: Đảng ủy",
        "Ngày: 15/03/2025",
        "Loại văn bản: Hướng dẫn",
        "Mã tài liệu: huong_dan_99",
    ]
    assert "<code>huong_dan_99</code>" in parts[0]
    assert "Vị trí" not in plain(parts[0]) and "Trang" not in plain(parts[0])  # not known here


def test_passage_view_shows_path_and_page():
    path = "Quy định 294-QĐ/TW › 11. Điều 11 › 11.4.4"
    from_index = plain(views.render_passage(1, {**PASSAGE, "path": path, "page": 12})[0]).splitlines()
    assert f"Vị trí: {path}" in from_index and "Trang: 12" in from_index
    # when the index does not have them, the citation of the answer still does
    cited = citation(1, path=path, section="mục 11.4.4", page=12)
    from_answer = plain(views.render_passage(1, PASSAGE, cited)[0]).splitlines()
    assert f"Vị trí: {path}" in from_answer and "Trang: 12" in from_answer
    only_section = plain(views.render_passage(1, PASSAGE, citation(1, section="Điều 4, khoản 1"))[0])
    assert "Vị trí: Điều 4, khoản 1" in only_section.splitlines()


# -- buttons ----------------------------------------------------------------------------------------------------
def test_answer_keyboard_fits_telegram_limits_and_parses_back():
    cites = [citation(n, passage_id=10**15 + n) for n in range(1, 10)]
    rows = data_of(views.answer_keyboard(Answer("q", True, "x", cites), key=10**15))
    datas = [d for row in rows for _, d in row]
    assert all(len(d.encode()) <= InlineKeyboardButtonLimit.MAX_CALLBACK_DATA for d in datas)
    assert [len(r) for r in rows] == [4, 4, 1, 2]
    assert rows[-1] == [("👍", f"f:{10**15}:1"), ("👎", f"f:{10**15}:0")]
    assert Cite.decode(rows[0][0][1]) == Cite(1, 10**15 + 1, passage_digest(cites[0].passage))
    assert Vote.decode(f"f:{10**15}:0") == Vote(10**15, False)
    assert all(re.match(Cite.PATTERN, d) for d in datas[:9]) and not re.match(Cite.PATTERN, datas[-1])


@pytest.mark.parametrize(
    "data", ["c:1:2:nothex!!", "f:1:7", "f:-1:1", "d:x", "r:short", "c:1:2:0000000000", "f:1:1 ", "zz"]
)
def test_malformed_callback_data_is_refused(data):
    assert all(kind.decode(data) is None for kind in (Cite, Vote, DocsPage, Removal))


def test_every_kind_round_trips():
    for value in (Cite(3, 42, "0123abcd"), Vote(7, True), DocsPage(2), Removal("0123456789ab", False)):
        assert type(value).decode(value.encode()) == value


def test_oversized_callback_data_raises_even_under_python_O():
    assert len(Cite(9999, 10**18 - 1, "0123abcd").encode()) <= InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
    with pytest.raises(CallbackDataTooLong):
        Removal("0" * 70, True).encode()
    code = (
        "from bot.telegram.callbacks import Removal, CallbackDataTooLong\n"
        "try:\n    Removal('0' * 70, True).encode()\nexcept CallbackDataTooLong:\n    print('refused')\n"
    )
    result = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "refused", result.stderr


# -- admin views ------------------------------------------------------------------------------------------------
def test_docs_pages_and_buttons():
    docs = [
        {"doc_id": f"d{i}", "title": f"Tài liệu <{i}>", "published": None, "doc_type": "plan", "n_passages": i}
        for i in range(25)
    ]
    text, markup = views.render_docs_page(docs, 0, 10)
    assert "trang 1/3" in text and "Tài liệu &lt;0&gt;" in text and "d9" in text and "d10" not in text
    assert data_of(markup) == [[("▶", "d:1")]]
    text, markup = views.render_docs_page(docs, 99, 10)
    assert "trang 3/3" in text and "d24" in text and "d19" not in text
    assert data_of(markup) == [[("◀", "d:1")]]
    assert data_of(views.render_docs_page(docs, 1, 10)[1]) == [[("◀", "d:0"), ("▶", "d:2")]]
    plain(text)
    assert views.render_docs_page([], 0) == (texts.DOCS_EMPTY, None)


def test_every_skip_reason_has_vietnamese_words():
    for reason in SkipReason:
        assert views.reason_text(Skipped("x.pdf", reason, "English detail")) == SKIP_REASON_VI[reason]
    assert views.reason_text(DuplicateFile("hd99.docx")).endswith("(trùng nội dung với tệp hd99.docx)")
    refused = plain(views.render_refused("virus.exe", UnsupportedFile("virus.exe")))
    assert refused == f"❌ Không nhận tệp virus.exe: {SKIP_REASON_VI[SkipReason.UNSUPPORTED_TYPE]}. " + (
        "Kho tài liệu không thay đổi."
    )


def test_upload_report():
    doc = {
        "doc_id": "hd99",
        "title": "Hướng dẫn <99>",
        "published": "2025-03-15",
        "doc_type": "instruction",
        "passages": 2,
    }
    lines = plain(views.render_upload_report("hd99.txt", [doc], [], 1.25)).splitlines()
    assert lines == [
        "✅ Đã thêm tài liệu vào kho",
        "Tiêu đề: Hướng dẫn <99>",
        "Ngày: 15/03/2025",
        "Loại văn bản: Hướng dẫn",
        "Số đoạn đã thêm: 2",
        "Mã tài liệu: hd99",
        "Thời gian xử lý: 1.2 giây",
    ]
    corrupt = Skipped("x <b>.pdf", SkipReason.CORRUPT, "PdfStreamError: <b>")
    text = plain(views.render_upload_report("x.pdf", [], [corrupt], 0.1))
    assert text.splitlines() == [
        "❌ Không thêm được tệp x <b>.pdf",
        f"Lý do: {SKIP_REASON_VI[SkipReason.CORRUPT]}.",
        "Kho tài liệu và chỉ mục không thay đổi.",
    ]
    assert "PdfStreamError" not in text  # the admin detail is logged, not shown
    assert "đã có trong chỉ mục" in plain(views.render_upload_report("x.txt", [], [], 0.1))


def test_help_and_stats_are_valid_html():
    user_help = plain(views.render_help("Bot_Name"))
    assert "/ask" in user_help and "@Bot_Name" in user_help and "/reindex" not in user_help
    admin = plain(views.render_help("Bot_Name", is_admin=True))
    assert "/reindex" in admin and "/remove <mã tài liệu>" in admin
    stats = plain(
        views.render_stats(
            {"documents": 5, "passages": 45, "version": "v<1>"},
            {"today": 4, "today_not_found": 1, "median_latency_ms": 52.4, "total": 9, "total_not_found": 2},
        )
    ).splitlines()
    for line in ("Câu hỏi hôm nay: 4", "Tỷ lệ không tìm thấy câu trả lời (hôm nay): 25%", "Phiên bản chỉ mục: v<1>"):
        assert line in stats
    assert (
        "Thời gian trả lời trung vị (hôm nay): 52 ms" in stats and "Tổng số câu hỏi: 9 (không tìm thấy: 22%)" in stats
    )
