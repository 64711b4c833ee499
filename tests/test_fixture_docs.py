"""The generated fixture documents are what they claim (tests/fixtures/make_docs.py).

These describe the fixtures themselves – layout, text layer, numbering, ground truth – with the
same libraries the loaders use (pypdf, python-docx), so a pipeline test built on them starts from
known facts.
"""

from __future__ import annotations

import re

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader


def _pages(path) -> list[list[str]]:
    """Each page's extracted lines, stripped, without empty ones."""
    return [
        [line.strip() for line in (page.extract_text() or "").splitlines() if line.strip()]
        for page in PdfReader(path).pages
    ]


def _body(pages: list[list[str]], truth: dict) -> list[list[str]]:
    """Each page's lines without the running header and the footer (checked to be there)."""
    body = []
    for number, lines in enumerate(pages, start=1):
        if number > 1:
            assert lines[0] == truth["running_header"], f"page {number} starts with {lines[0]!r}"
            assert lines[-1] == truth["footers"][str(number)], f"page {number} ends with {lines[-1]!r}"
            lines = lines[1:-1]
        body.append(lines)
    return body


def _paragraphs(truth: dict) -> list[str]:
    """Every clause paragraph as printed: the first one with its number."""
    out = []
    for number, clause in truth["clauses"].items():
        first, *rest = clause["text"].split("\n")
        out += [f"{number}. {first}", *rest]
    return out


# ---------------------------------------------------------------------------------- Quy định PDF


def test_regulation_pdf_pages_and_text_layer(regulation_pdf):
    path, truth = regulation_pdf
    reader = PdfReader(path)
    assert 3 <= len(reader.pages) == truth["pages"] <= 4
    pages = _pages(path)
    for number, (lines, drawn) in enumerate(zip(pages, truth["page_lines"], strict=True), start=1):
        text = "\n".join(lines)
        for line in drawn:
            assert line.strip() in text, f"page {number}: {line!r} not extracted"
    # The glyphs are an embedded TrueType subset, so the Vietnamese text comes back exactly.
    fonts = reader.pages[0]["/Resources"]["/Font"]
    descriptors = [fonts[name].get_object()["/FontDescriptor"].get_object() for name in fonts]
    assert all("/FontFile2" in d for d in descriptors)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in pages[0]
    assert reader.metadata.title == truth["pdf_title"]  # a word processor's /Title, not the document's


def test_regulation_pdf_header_block(regulation_pdf):
    path, truth = regulation_pdf
    first = _pages(path)[0]
    head = first[:12]
    for expected in (
        truth["issuer"],
        "*",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        f"Số {truth['number']}",
        truth["date_line"],
        truth["type_word"],
        truth["subject"],
    ):
        assert expected in head, f"{expected!r} not in the header: {head}"
    assert head.index(truth["issuer"]) < head.index(truth["type_word"]) < head.index(truth["subject"])
    assert truth["number"] == "999-QĐ/TU" and truth["date"] == "2025-03-15"
    joined = " ".join(first)
    assert "- Căn cứ Điều lệ Đảng;" in first
    assert "- Căn cứ Quy định số 294-QĐ/TW" in joined
    for item in truth["preamble"]:
        assert item in joined
    # The preamble comes before the first clause.
    assert joined.index(truth["preamble"][-1]) < joined.index("1. Phạm vi điều chỉnh")


def test_regulation_pdf_running_header_and_footer_on_every_later_page(regulation_pdf):
    path, truth = regulation_pdf
    pages = _pages(path)
    assert truth["running_header"] not in pages[0]
    assert not any(line.startswith("Trang ") for line in pages[0])
    _body(pages, truth)  # asserts header and footer on pages 2..n
    assert truth["footers"] == {str(n): f"Trang {n}/{len(pages)}" for n in range(2, len(pages) + 1)}


def test_regulation_pdf_clauses_wrap_and_match_the_ground_truth(regulation_pdf):
    path, truth = regulation_pdf
    body = _body(_pages(path), truth)
    flowing = " ".join(line for lines in body for line in lines)
    for paragraph in _paragraphs(truth):
        assert paragraph in flowing, f"{paragraph[:60]!r}… not in the PDF"
    # Sentences wrap mid-sentence: most clause paragraphs take more than one line.
    lines = {line for lines in body for line in lines}
    wrapped = [p for p in _paragraphs(truth) if p not in lines]
    assert len(wrapped) >= 15
    # Decimal numbering at three depths, each clause starting a line on the page the truth says.
    assert {n.count(".") for n in truth["clauses"]} == {0, 1, 2}
    for number, clause in truth["clauses"].items():
        page_lines = body[clause["page"] - 1]
        assert any(line.startswith(f"{number}. ") for line in page_lines), (
            f"clause {number} not on page {clause['page']}"
        )


def test_regulation_pdf_a_clause_continues_across_a_page_break(regulation_pdf):
    path, truth = regulation_pdf
    body = _body(_pages(path), truth)
    paragraphs = _paragraphs(truth)
    crossing = [n for n, c in truth["clauses"].items() if c["end_page"] > c["page"]]
    assert crossing
    for number in crossing:
        page = truth["clauses"][number]["page"]
        tail, head = body[page - 1][-1], body[page][0]
        assert not re.search(r"[.;:]$", tail), f"clause {number} ends at the page break: {tail!r}"
        assert any(f"{tail} {head}" in p for p in paragraphs), f"{tail!r} / {head!r}: not one sentence"


def _last_word(line: str) -> str:
    return line.split()[-1].strip(",.;:()")


def _first_word(line: str) -> str:
    return line.split()[0].strip(",.;:()")


def test_regulation_pdf_line_breaks_inside_word_pairs(regulation_pdf):
    path, truth = regulation_pdf
    body = _body(_pages(path), truth)
    assert truth["split_pairs"], "no two-syllable word is broken across a line end"
    within_page = 0
    for first, second, page in truth["split_pairs"]:
        lines = body[page - 1]
        pairs = list(zip(lines, lines[1:], strict=False))
        if any(_last_word(a) == first and _first_word(b) == second for a, b in pairs):
            within_page += 1
        else:  # broken across the page break: the pair ends the previous page
            assert _last_word(body[page - 2][-1]) == first and _first_word(lines[0]) == second
    assert within_page >= 1


def test_regulation_pdf_lettered_and_dashed_items(regulation_pdf):
    path, truth = regulation_pdf
    clause = truth["clauses"]["3.2"]
    lead, *items = clause["text"].split("\n")
    assert lead.endswith("trong các trường hợp sau:")
    assert [item.split()[0] for item in items] == ["a)", "b)", "c)", "-", "-"]
    assert items == truth["items"]["3.2"]
    body = _body(_pages(path), truth)
    starts = [line.split()[0] for line in body[clause["page"] - 1] if line.split()[0] in ("a)", "b)", "c)", "-")]
    assert starts == ["a)", "b)", "c)", "-", "-"]
    flowing = " ".join(line for lines in body for line in lines)
    assert f"3.2. {lead} a)" in flowing


def test_regulation_pdf_signer_and_recipients_on_the_last_page(regulation_pdf):
    path, truth = regulation_pdf
    last = _pages(path)[-1]
    for line in ["Nơi nhận:", *truth["recipients"], "T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Nguyễn Văn Giả Định"]:
        assert line in last
    assert truth["signer"] == {"on_behalf": "T/M BAN THƯỜNG VỤ", "title": "BÍ THƯ", "name": "Nguyễn Văn Giả Định"}
    # The last clause shares the page with the signature.
    assert truth["clauses"]["6.3"]["end_page"] == truth["pages"]


# ---------------------------------------------------------------------------------- Hướng dẫn DOCX


def _num_id(paragraph, document) -> int | None:
    """The paragraph's Word list (numId): its own w:numPr, else its style's (following basedOn)."""
    p_pr = paragraph._p.pPr
    if p_pr is not None and p_pr.numPr is not None and p_pr.numPr.numId is not None:
        return p_pr.numPr.numId.val
    style = paragraph.style
    while style is not None:
        s_pr = style.element.pPr
        if s_pr is not None and s_pr.numPr is not None and s_pr.numPr.numId is not None:
            return s_pr.numPr.numId.val
        style = style.base_style
    return None


def _word_labels(document) -> list[tuple[str, str]]:
    """(label Word draws, paragraph text) for every numbered body paragraph, e.g. ("a)", "Báo cáo…")."""
    numbering = document.part.numbering_part.element
    abstracts = {}
    for abstract in numbering.findall(qn("w:abstractNum")):
        lvl = abstract.find(qn("w:lvl"))
        start = lvl.find(qn("w:start"))
        abstracts[abstract.get(qn("w:abstractNumId"))] = (
            lvl.find(qn("w:numFmt")).get(qn("w:val")),
            lvl.find(qn("w:lvlText")).get(qn("w:val")),
            int(start.get(qn("w:val"))) if start is not None else 1,
        )
    nums = {}
    for num in numbering.findall(qn("w:num")):
        override = num.find(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}")
        fmt, text, start = abstracts[num.find(qn("w:abstractNumId")).get(qn("w:val"))]
        nums[int(num.get(qn("w:numId")))] = (
            fmt,
            text,
            int(override.get(qn("w:val"))) if override is not None else start,
        )
    counters: dict[int, int] = {}
    out = []
    for paragraph in document.paragraphs:
        num_id = _num_id(paragraph, document)
        if num_id is None:
            continue
        fmt, text, start = nums[num_id]
        counters[num_id] = counters.get(num_id, start - 1) + 1
        value = {"decimal": str, "lowerLetter": lambda n: "abcdefghijklmnopqrstuvwxyz"[n - 1]}[fmt](counters[num_id])
        out.append((text.replace("%1", value), paragraph.text))
    return out


def test_instruction_docx_header_table_and_title(instruction_docx):
    path, truth = instruction_docx
    document = docx.Document(path)
    blocks = list(document.iter_inner_content())
    header = blocks[0]
    assert isinstance(header, docx.table.Table)
    assert len(header.rows) == 1 and len(header.columns) == 2
    left, right = (cell.text.split("\n") for cell in header.rows[0].cells)
    assert left == ["TỈNH ỦY HƯNG NAM (GIẢ ĐỊNH)", "BAN TỔ CHỨC", "*", "Số 88-HD/BTCTU"]
    assert right[0] == "ĐẢNG CỘNG SẢN VIỆT NAM" and right[-1] == truth["date_line"]
    texts = [b.text for b in blocks[1:5]]
    assert texts == ["HƯỚNG DẪN", truth["subject"], "-----", truth["intro"]]
    assert truth["number"] == "88-HD/BTCTU" and truth["issuer"] == "TỈNH ỦY HƯNG NAM (GIẢ ĐỊNH) BAN TỔ CHỨC"


def test_instruction_docx_headings(instruction_docx):
    path, truth = instruction_docx
    document = docx.Document(path)
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    expected = [
        ("Heading 1" if b["kind"] == "h1" else "Heading 2", b["text"])
        for b in truth["blocks"]
        if b["kind"] in ("h1", "h2")
    ]
    assert headings == expected
    assert headings[0] == ("Heading 1", "I. MỤC ĐÍCH, YÊU CẦU")
    assert ("Heading 2", "1. Công tác chuẩn bị văn kiện") in headings


def test_instruction_docx_word_numbering(instruction_docx):
    path, truth = instruction_docx
    document = docx.Document(path)
    labels = _word_labels(document)
    expected = [(b["label"], b["text"]) for b in truth["blocks"] if b["kind"] in ("num", "letter")]
    assert labels == expected
    # The numbers are Word's, not in the text: a loader has to draw them itself.
    assert [label for label, _ in labels] == ["1.", "2.", "3.", "a)", "b)", "c)", "1.", "2."]
    assert not any(re.match(r"^(\d+\.|[a-z]\))", text) for _, text in labels)
    list_number = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert len(list_number) == 5
    assert list_number[0]._p.pPr.numPr is None  # numbered through the style alone
    # Typed letters and dashes exist too, as plain paragraphs.
    plain = [p.text for p in document.paragraphs if p.style.name == "Normal"]
    assert any(t.startswith("a) ") for t in plain) and any(t.startswith("- ") for t in plain)


def test_instruction_docx_table(instruction_docx):
    path, truth = instruction_docx
    document = docx.Document(path)
    blocks = list(document.iter_inner_content())
    tables = [i for i, b in enumerate(blocks) if isinstance(b, docx.table.Table)]
    assert len(tables) == 3  # header, Biểu mẫu, signer
    index = tables[1]
    table = blocks[index]
    assert blocks[index - 1].text == truth["table"]["caption"] and blocks[index - 1].text.startswith("Biểu mẫu")
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["STT", "Nội dung", "Thời gian", "Đơn vị thực hiện"]
    assert rows[1:] == truth["table"]["rows"] and len(rows[1:]) == 4
    assert [r[0] for r in rows[1:]] == ["1", "2", "3", "4"]
    signer = blocks[tables[2]]
    left, right = (cell.text for cell in signer.rows[0].cells)
    assert left.startswith("Nơi nhận:") and "Trần Thị Thử Nghiệm" in right and "K/T TRƯỞNG BAN" in right


# ---------------------------------------------------------------------------------- scanned PDF


def test_scanned_pdf_is_one_image_without_text_layer(scanned_pdf):
    path, truth = scanned_pdf
    reader = PdfReader(path)
    assert len(reader.pages) == truth["pages"] == 1
    page = reader.pages[0]
    assert (page.extract_text() or "").strip() == ""
    assert "/Font" not in page["/Resources"]
    assert len(page.images) == 1
    image = page.images[0].image
    # A4 at 300 dpi, filling the page.
    assert abs(image.width - 2480) <= 2 and abs(image.height - 3508) <= 2
    assert abs(float(page.mediabox.width) - 595.3) < 1 and abs(float(page.mediabox.height) - 841.9) < 1
    # Printed, not blank: some ink, mostly paper.
    grey = image.convert("L")
    dark = sum(grey.histogram()[:128]) / (grey.width * grey.height)
    assert 0.005 < dark < 0.15
    assert len(truth["clauses"]) >= 3 and all(c[0].isdigit() for c in truth["clauses"])


@pytest.mark.parametrize("dpi", [150])
def test_scanned_pdf_options(tmp_path, dpi):
    from fixtures import make_docs

    if not make_docs.font_available():
        pytest.skip(make_docs.FONT_MISSING)
    truth = make_docs.make_scanned_pdf(tmp_path / "s.pdf", dpi=dpi, sideways=True)
    page = PdfReader(tmp_path / "s.pdf").pages[0]
    assert page.rotation == 90 and truth["sideways"] and truth["dpi"] == dpi
    image = page.images[0].image
    # Stored turned a quarter: landscape pixels, shown upright as portrait by /Rotate.
    assert image.width > image.height and abs(image.height - 595.3 * dpi / 72) <= 2
