"""Loading files of every supported format, cleaning web boilerplate, reading metadata."""

from __future__ import annotations

import io
import json
import os
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest

from bot.clean import clean_text
from bot.errors import SkipReason
from bot.loaders import LoadError, load
from bot.metadata import extract_metadata

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


def seed(prefix: str) -> Path:
    (path,) = KNOWLEDGE.glob(f"{prefix}_*.txt")
    return path


def cleaned(path: Path) -> str:
    return clean_text(load(path).text)


def metadata(path: Path):
    loaded = load(path)
    return extract_metadata(loaded.text, clean_text(loaded.text), loaded.hints, loaded.overrides)


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# -- cleaning the seed articles -------------------------------------------------------------


def test_clean_003_removes_page_junk_and_keeps_caption_and_author():
    raw = load(seed("003")).text
    for junk in ("0985.456.616", "74nn22t12", "cctvnnnbnnvakknfjcn11", "Home Tin tức"):
        assert junk in raw  # the seed really carries it
    text = cleaned(seed("003"))
    assert "0985.456.616" not in text
    assert "74nn22t12" not in text
    assert "cctvnnnbnnvakknfjcn" not in text  # both the "...11" and the "...1" variant
    assert "Home" not in text
    assert not any(line.startswith("Home") for line in lines_of(text))
    assert "Toàn cảnh hội nghị" in lines_of(text)
    assert "Thanh Sang, Đức Việt" in lines_of(text)
    # The sentence the junk token was glued to survives.
    assert "Chính ủy Quân khu dự và chỉ đạo." in text
    # The crumb repeated the headline; the headline is kept exactly once.
    assert text.count("Tăng cường phối hợp công tác xây dựng đảng và công tác cán bộ") == 1


def test_clean_002_removes_comment_form_and_tags_and_keeps_author():
    raw = load(seed("002")).text
    assert "Ý kiến của bạn" in raw and "TAG:" in raw
    text = cleaned(seed("002"))
    for junk in ("TAG:", "Ý kiến của bạn", "Họ tên:", "Email:", "Tin tức Mới"):
        assert junk not in text
    assert "Thời Sự" not in lines_of(text)  # category label above the headline
    assert "Bình Duyên" in lines_of(text)
    assert lines_of(text)[-1] == "Bình Duyên"


def test_a_sentence_a_page_broke_into_two_paragraphs_is_one_paragraph_again():
    raw = (
        "Đại hội đại biểu toàn quốc lần thứ XIV là dấu mốc đặc biệt trên\n\n"
        "con đường phát triển, mở ra kỷ nguyên mới.\n\n"
        "Ban chấp hành có nhiệm vụ\n\n"
        "a) lãnh đạo thực hiện nghị quyết;\n\n"
        "Nhiệm kỳ 2025\n\n"
        "đại hội được tổ chức theo kế hoạch.\n"
    )
    paragraphs = clean_text(raw).strip().split("\n\n")
    assert paragraphs[0] == (
        "Đại hội đại biểu toàn quốc lần thứ XIV là dấu mốc đặc biệt trên con đường phát triển, mở ra kỷ nguyên mới."
    )
    # An item that opens in lower case stays an item; a paragraph ending on a number or a heading in capitals
    # is left as it is.
    assert "a) lãnh đạo thực hiện nghị quyết;" in paragraphs
    assert "đại hội được tổ chức theo kế hoạch." in paragraphs


def test_clean_000_removes_reply_form_and_keeps_author_line():
    text = cleaned(seed("000"))
    assert "Trả lời" not in text
    assert "Thư điện tử của bạn sẽ không được hiển thị công khai" not in text
    assert "Các trường bắt buộc" not in text
    assert "Đại tá ĐỖ THANH LÃNG, Chính ủy Bộ CHQS tỉnh" in lines_of(text)
    # Date and publication lines above the headline are metadata, not content.
    assert "Ngày đăng" not in text
    assert lines_of(text)[0].startswith("Đảng bộ Quân sự tỉnh Lào Cai")


def test_clean_keeps_an_early_sentence_that_starts_like_a_comment_form():
    body = "\n\n".join(f"Đoạn {i}: Đảng bộ tổ chức học tập nghị quyết cho cán bộ, đảng viên." for i in range(8))
    raw = "Trả lời phỏng vấn báo chí, Bí thư Đảng ủy nêu rõ ba nhiệm vụ trọng tâm.\n\n" + body + "\n\nTrả lời\n\nGửi"
    text = clean_text(raw)
    assert text.startswith("Trả lời phỏng vấn báo chí")
    assert "Đoạn 7" in text
    assert lines_of(text)[-1].startswith("Đoạn 7")


def test_clean_drops_the_page_address_lines_of_a_news_item():
    raw = (
        "Đại hội Đảng bộ tỉnh Minh Họa tiến hành phiên trù bị\n\n"
        "Tại phiên trù bị, Đại hội bầu Đoàn Chủ tịch, Đoàn Thư ký.\n\n"
        "Theo Cổng thông tin điện tử tỉnh\n\n"
        "Link bài viết gốc https://minhhoa.example.vn/dai-hoi-dang-bo-tinh-minh-hoa-tien-hanh-phien-tru-bi.htm\n\n"
        "Ngày giờ đăng bài viết gốc: 13/10/2025 6:54 AM\n\n"
        "https://minhhoa.example.vn/khac\n"
    )
    text = clean_text(raw)
    assert "http" not in text and "Ngày giờ đăng" not in text
    assert "Đoàn Thư ký" in text and "Theo Cổng thông tin điện tử tỉnh" in text
    # The posting line is the item's date (read from the raw text).
    assert extract_metadata(raw, text).published == "2025-10-13"
    raw2 = raw.replace("Ngày giờ đăng bài viết gốc: 13/10/2025 6:54 AM", "Ngày đăng bài viết gốc: 15:04 6/10/2025")
    assert extract_metadata(raw2, clean_text(raw2)).published == "2025-10-06"
    raw3 = raw.replace("Ngày giờ đăng bài viết gốc: 13/10/2025 6:54 AM", "Giờ đăng bài viết gốc: 14/04/2025 23:02")
    assert "Giờ đăng" not in clean_text(raw3) and extract_metadata(raw3, clean_text(raw3)).published == "2025-04-14"
    # At the foot of a long item too.
    long = raw3.replace("Tại phiên trù bị", "\n\n".join(["Đoạn nội dung của bài."] * 60) + "\n\nTại phiên trù bị")
    assert extract_metadata(long, clean_text(long)).published == "2025-04-14"


# -- metadata of the seed articles ------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "title_start"),
    [
        ("000", "Đảng bộ Quân sự tỉnh Lào Cai: Tích cực chuẩn bị kỹ lưỡng"),
        ("001", "Xây dựng tổ chức cơ sở Đảng và đội ngũ cán bộ, đảng viên ở Đảng bộ Quân sự tỉnh Lai Châu"),
        ("002", "Đảng bộ Khối Các cơ quan tỉnh: Cẩn trọng từng khâu"),
        ("003", "Cục Chính trị và Ban Tổ chức các tỉnh, thành ủy trên địa bàn Quân khu: Tăng cường phối hợp"),
        ("004", "Thành phố Lạng Sơn chuẩn bị tốt nhất cho đại hội đảng bộ"),
    ],
)
def test_seed_titles_are_the_headline_not_date_or_phone(prefix, title_start):
    meta = metadata(seed(prefix))
    assert meta.title.startswith(title_start)
    assert not any(ch.isdigit() for ch in meta.title[:4])  # not "0985...", "Thứ 3, 18/12/2018"
    assert "Ngày đăng" not in meta.title and "Home" not in meta.title
    assert meta.doc_type == "news"


@pytest.mark.parametrize(
    ("prefix", "published"),
    [
        # "Ngày đăng: 09/06/2020" wins over the crawl timestamp "Thứ sáu Ngày 14 Tháng 08 Năm 2020, 03:20:06".
        ("000", "2020-06-09"),
        ("001", "2022-02-28"),
        ("002", "2020-03-17"),
        ("003", "2018-12-18"),
        ("004", "2021-01-27"),
    ],
)
def test_seed_published_dates(prefix, published):
    assert metadata(seed(prefix)).published == published


@pytest.mark.parametrize(("prefix", "source"), [("000", "QK2"), ("001", "QK2"), ("003", "QK3 online"), ("004", "LSO")])
def test_seed_sources(prefix, source):
    assert metadata(seed(prefix)).source == source


def test_seed_cited_document_numbers():
    assert {"Chỉ thị 35-CT/TW", "Kế hoạch 148-KH/TU"} <= set(metadata(seed("002")).cited)
    assert {"Quy định 59", "Quy định 61", "Quy định 104"} <= set(metadata(seed("003")).cited)


def test_seed_authors():
    assert metadata(seed("002")).author == "Bình Duyên"
    assert metadata(seed("003")).author == "Thanh Sang, Đức Việt"


# -- admin overrides ---------------------------------------------------------------------------


def test_sidecar_overrides_title_date_and_type(tmp_path):
    doc = tmp_path / "002.txt"
    doc.write_bytes(seed("002").read_bytes())
    before = metadata(doc)
    assert before.doc_type == "news" and before.published == "2020-03-17"
    (tmp_path / "002.txt.meta.json").write_text(
        json.dumps({"title": "Kế hoạch chuẩn bị đại hội (bản quản trị)", "date": "05/04/2020", "type": "plan"}),
        encoding="utf-8",
    )
    meta = metadata(doc)
    assert meta.title == "Kế hoạch chuẩn bị đại hội (bản quản trị)"
    assert meta.published == "2020-04-05"
    assert meta.doc_type == "plan"
    assert meta.cited == before.cited  # what was not overridden stays


def test_front_matter_overrides_title_date_and_type(tmp_path):
    body = seed("004").read_text(encoding="utf-8")
    doc = tmp_path / "004.md"
    doc.write_text(
        "---\ntitle: Hướng dẫn đại hội thành phố\ndate: 2021-02-01\ntype: instruction\n---\n" + body, encoding="utf-8"
    )
    loaded = load(doc)
    assert "title:" not in loaded.text and not loaded.text.startswith("---")
    meta = metadata(doc)
    assert meta.title == "Hướng dẫn đại hội thành phố"
    assert meta.published == "2021-02-01"
    assert meta.doc_type == "instruction"
    assert meta.source == "LSO"


def test_sidecar_wins_over_front_matter(tmp_path):
    doc = tmp_path / "a.md"
    doc.write_text("---\ntitle: Tiêu đề trong tệp\n---\nĐảng bộ phường tổ chức đại hội điểm thành công.\n", "utf-8")
    (tmp_path / "a.md.meta.json").write_text(json.dumps({"title": "Tiêu đề của quản trị viên"}), "utf-8")
    assert metadata(doc).title == "Tiêu đề của quản trị viên"


def test_unreadable_sidecar_is_a_load_error(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("Đảng bộ phường tổ chức đại hội điểm thành công.\n", "utf-8")
    (tmp_path / "a.txt.meta.json").write_text("{not json", "utf-8")
    with pytest.raises(LoadError, match="sidecar") as err:
        load(doc)
    assert err.value.reason == SkipReason.BAD_METADATA


# -- loaders for each format ---------------------------------------------------------------------


def test_docx_loader_reads_paragraphs_tables_and_title(tmp_path):
    document = docx.Document()
    document.core_properties.title = "Hướng dẫn tổ chức đại hội chi bộ"
    document.add_heading("Hướng dẫn tổ chức đại hội chi bộ nhiệm kỳ 2022-2025", level=1)
    document.add_paragraph("Đại hội chi bộ được tiến hành theo quy trình 5 bước.")
    document.add_paragraph("Chi bộ chuẩn bị văn kiện và nhân sự trước đại hội.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Bước", "Nội dung"
    table.cell(1, 0).text, table.cell(1, 1).text = "1", "Chuẩn bị văn kiện"
    path = tmp_path / "huong-dan.docx"
    document.save(path)

    loaded = load(path)
    assert "Đại hội chi bộ được tiến hành theo quy trình 5 bước." in loaded.text
    assert "Chi bộ chuẩn bị văn kiện và nhân sự trước đại hội." in loaded.text
    assert "Chuẩn bị văn kiện" in loaded.text.replace("Chi bộ chuẩn bị văn kiện", "")  # the table cell
    assert loaded.hints["title"] == "Hướng dẫn tổ chức đại hội chi bộ"
    assert metadata(path).title == "Hướng dẫn tổ chức đại hội chi bộ"


def test_docx_table_row_is_not_taken_as_author(tmp_path):
    document = docx.Document()
    document.add_paragraph("Hướng dẫn tổ chức đại hội chi bộ nhiệm kỳ 2022-2025")
    document.add_paragraph("Đại hội chi bộ được tiến hành theo quy trình 5 bước.")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "1", "Chuẩn bị văn kiện"
    path = tmp_path / "huong-dan.docx"
    document.save(path)
    author = metadata(path).author
    assert author is None or "Chuẩn bị văn kiện" not in author


HTML_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Báo Tin Tức - Trang chủ</title>
<script>var tracking = "ma-theo-doi-quang-cao";</script></head>
<body>
<nav><a href="/">Trang chủ</a> <a href="/thoi-su">Thời sự</a> Menu điều hướng chính</nav>
<header>Đầu trang báo điện tử</header>
<article>
<h1>Đảng bộ xã Tân Lập tổ chức đại hội điểm</h1>
<p>Đảng bộ xã Tân Lập đã tổ chức thành công đại hội điểm nhiệm kỳ 2020-2025.</p>
<p>Đại hội bầu Ban Chấp hành gồm 13 đồng chí.</p>
</article>
<script>console.log("quảng cáo chạy chữ");</script>
<footer>Bản quyền thuộc về Báo Tin Tức. Liên hệ quảng cáo.</footer>
</body></html>
"""


def test_html_loader_drops_boilerplate_and_takes_h1_title(tmp_path):
    path = tmp_path / "bai-viet.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    loaded = load(path)
    assert "Đảng bộ xã Tân Lập đã tổ chức thành công đại hội điểm nhiệm kỳ 2020-2025." in loaded.text
    assert "Đại hội bầu Ban Chấp hành gồm 13 đồng chí." in loaded.text
    for boilerplate in ("Menu điều hướng", "tracking", "console.log", "quảng cáo", "Bản quyền", "Đầu trang"):
        assert boilerplate not in loaded.text
    assert loaded.hints["title"] == "Đảng bộ xã Tân Lập tổ chức đại hội điểm"
    assert metadata(path).title == "Đảng bộ xã Tân Lập tổ chức đại hội điểm"


def make_pdf(lines: list[str], title: str) -> bytes:
    """A minimal valid one-page PDF (Helvetica, WinAnsi text), written by hand with a correct xref."""
    ops = ["BT", "/F1 12 Tf", "14 TL", "50 800 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    content = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>"
        b" /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Title (" + title.encode("latin-1") + b") >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_loader_reads_text_and_info_title(tmp_path):
    path = tmp_path / "huong-dan.pdf"
    path.write_bytes(
        make_pdf(
            ["Huong dan to chuc dai hoi chi bo nhiem ky 2020-2025.", "Quy trinh nhan su gom 5 buoc (theo huong dan)."],
            title="Huong dan to chuc dai hoi chi bo",
        )
    )
    loaded = load(path)
    assert "Huong dan to chuc dai hoi chi bo nhiem ky 2020-2025." in loaded.text
    assert "Quy trinh nhan su gom 5 buoc (theo huong dan)." in loaded.text
    assert loaded.hints["title"] == "Huong dan to chuc dai hoi chi bo"


def test_pdf_without_text_is_a_load_error(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_pdf([], title="Ban scan"))
    with pytest.raises(LoadError, match="no readable text") as err:
        load(path)
    assert err.value.reason == SkipReason.NO_TEXT


@pytest.mark.parametrize(
    "data",
    [os.urandom(4096), b"%PDF-1.4\n" + b"\x00\xffgarbage" * 200],
    ids=["random-bytes", "pdf-header-then-garbage"],
)
def test_corrupt_pdf_is_a_load_error_with_reason(tmp_path, data):
    path = tmp_path / "hong.pdf"
    path.write_bytes(data)
    with pytest.raises(LoadError, match="corrupt or unreadable") as err:
        load(path)
    assert err.value.reason == SkipReason.CORRUPT and "PDF" in err.value.detail


def test_truncated_pdf_is_a_load_error(tmp_path):
    whole = make_pdf(["Huong dan to chuc dai hoi chi bo."], title="Huong dan")
    path = tmp_path / "cut.pdf"
    path.write_bytes(whole[: len(whole) // 3])
    with pytest.raises(LoadError, match="PDF"):
        load(path)


def test_corrupt_docx_is_a_load_error_with_reason(tmp_path):
    path = tmp_path / "hong.docx"
    path.write_bytes(os.urandom(4096))
    with pytest.raises(LoadError, match="corrupt or unreadable") as err:
        load(path)
    assert err.value.reason == SkipReason.CORRUPT and "DOCX" in err.value.detail


def test_zip_that_is_not_a_docx_is_a_load_error(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    path = tmp_path / "not-word.docx"
    path.write_bytes(buf.getvalue())
    with pytest.raises(LoadError, match="DOCX"):
        load(path)


@pytest.mark.parametrize("name", ["bang-tinh.xlsx", "anh.jpg", "khong-duoi"])
def test_unsupported_suffix_is_a_load_error(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"Dang bo to chuc dai hoi")
    with pytest.raises(LoadError, match="unsupported file type") as err:
        load(path)
    assert err.value.reason == SkipReason.UNSUPPORTED_TYPE


@pytest.mark.parametrize(("name", "data"), [("rong.txt", b""), ("trang.md", b" \n\n\t\n"), ("rong.pdf", b"")])
def test_empty_file_is_a_load_error(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(LoadError, match="empty") as err:
        load(path)
    assert err.value.reason == SkipReason.EMPTY


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 as old Vietnamese files use it: base letters (ô, ư, ă, đ) plus a combining tone mark."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in decomposed if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
            out += (base + tones).encode("cp1258")
    return out


def test_windows_1258_text_is_decoded(tmp_path):
    path = tmp_path / "cu.txt"
    data = encode_cp1258("Đại hội chi bộ nhiệm kỳ mới")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    path.write_bytes(data)
    assert clean_text(load(path).text).strip() == "Đại hội chi bộ nhiệm kỳ mới"


def test_official_docx_title_takes_the_subject_line(tmp_path):
    import docx

    from bot.clean import clean_text
    from bot.loaders import load
    from bot.metadata import extract_metadata

    d = docx.Document()
    for text in (
        "ĐẢNG BỘ TỈNH Y",
        "Số 12-KH/TU",
        "KẾ HOẠCH",
        "tổ chức đại hội đảng bộ cơ sở nhiệm kỳ 2025 - 2030",
        "Đại hội đảng bộ cơ sở hoàn thành trước ngày 31/5/2025.",
    ):
        d.add_paragraph(text)
    path = tmp_path / "kh12.docx"
    d.save(path)
    loaded = load(path)
    meta = extract_metadata(loaded.text, clean_text(loaded.text), loaded.hints, loaded.overrides)
    assert meta.title == "Kế hoạch 12-KH/TU tổ chức đại hội đảng bộ cơ sở nhiệm kỳ 2025 - 2030"
    assert meta.doc_type == "plan" and meta.doc_number == "12-KH/TU"
