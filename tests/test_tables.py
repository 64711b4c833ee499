"""Tables written as text rows: each cell labelled with its column (bot/tables.py); model-free."""

from pathlib import Path

from bot.answer import type_satisfied
from bot.glossary import Glossary
from bot.query import analyze
from bot.tables import label_table_rows

GLOSSARY_TSV = Path(__file__).resolve().parent.parent / "knowledge" / "glossary.tsv"

# A made-up table in the shape of one flattened from a web page: the place is written once for the rows
# that share it (merged cells), so those rows have a cell fewer; a cell's text ran onto a line of its own.
TABLE = """Các kỳ đại hội Minh Họa

Kỳ đại hội | Thời gian | Địa điểm | Số đại biểu | Nội dung
Lần thứ I | 2-5/3/1901 | Xã Minh Họa | 13 | Thành lập.
Lần thứ II | 1 - 4/2/1911 | Huyện Minh Họa | 158 (53 dự khuyết) | Đổi tên.
Bầu ban chấp hành mới.
Lần thứ III | 9 - 12/6/1921 | 1.008 | Mở rộng.
Lần thứ IV | 9 - 12/6/1931
Lần thứ V | Tỉnh Minh Họa

Ghi chú cuối bảng."""


def test_each_cell_of_a_whole_row_is_written_after_its_column():
    lines = label_table_rows(TABLE).split("\n")
    assert "Kỳ đại hội | Thời gian | Địa điểm | Số đại biểu | Nội dung" in lines
    assert "Lần thứ I | Thời gian: 2-5/3/1901 | Địa điểm: Xã Minh Họa | Số đại biểu: 13 | Nội dung: Thành lập." in lines
    assert "Ghi chú cuối bảng." in lines


def test_the_rest_of_a_cell_on_a_line_of_its_own_is_read_with_its_row():
    """A cell's text that ran onto a line of its own before the next row is the rest of the row's last cell:
    a question about it is answered with the row that says which congress it was."""
    lines = label_table_rows(TABLE).split("\n")
    assert (
        "Lần thứ II | Thời gian: 1 - 4/2/1911 | Địa điểm: Huyện Minh Họa | Số đại biểu: 158 (53 dự khuyết)"
        " | Nội dung: Đổi tên. Bầu ban chấp hành mới."
    ) in lines
    assert "Bầu ban chấp hành mới." not in lines
    # A markdown rule under the header is no cell's text.
    ruled = label_table_rows("A | B | C\n---|---|---\nx | 1 | y\ntiếp.\nz | 2 | w")
    assert ruled.split("\n") == ["A | B | C", "---|---|---", "x | B: 1 | C: y tiếp.", "z | B: 2 | C: w"]


def test_a_row_missing_a_merged_cell_is_labelled_only_where_its_cells_fit_one_way():
    lines = label_table_rows(TABLE).split("\n")
    # A date, a number, words: only the place is missing.
    assert "Lần thứ III | Thời gian: 9 - 12/6/1921 | Số đại biểu: 1.008 | Nội dung: Mở rộng." in lines
    assert "Lần thứ IV | Thời gian: 9 - 12/6/1931" in lines
    # Words fit the place and the contents alike: two ways, left as it is.
    assert "Lần thứ V | Tỉnh Minh Họa" in lines


def test_text_without_a_header_row_is_left_as_it_is():
    text = "Nơi nhận:\n- Như trên | Lưu VP.\n1 | 2 | 3\n4 | 5 | 6"
    assert label_table_rows(text) == text


def test_a_labelled_cell_answers_how_many_it_counts():
    q = analyze("Đại hội lần thứ III của Đảng bộ Minh Họa có bao nhiêu đại biểu?", Glossary.load(GLOSSARY_TSV))
    assert type_satisfied(q, "Lần thứ III | Thời gian: 9 - 12/6/1921 | Số đại biểu: 1.008 | Nội dung: Mở rộng.")
    assert not type_satisfied(q, "Lần thứ III | 9 - 12/6/1921 | Số đảng viên: 1.008")
