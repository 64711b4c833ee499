"""Sentence splitting and passage chunking, measured with the real model's tokenizer."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from bot.chunking import chunk_sections, chunk_text, glue_fragments, split_sentences
from bot.clean import clean_text
from bot.loaders import load
from bot.structure import parse_sections

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
SEEDS = sorted(KNOWLEDGE.glob("0*.txt"))


def sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


@pytest.fixture(scope="module")
def seed_texts() -> dict[str, str]:
    return {p.name: clean_text(load(p).text) for p in SEEDS}


def test_glue_fragments_joins_a_fragment_to_the_next_item_when_it_fits():
    """A fragment joins the item after it (and goes on joining while the result is a fragment), stays alone
    at the end, and stays alone where ``fits`` says the two together would be too much."""
    short = lambda s: len(s) < 15  # noqa: E731
    join = lambda a, b: f"{a} {b}"  # noqa: E731
    items = ["2019.", "Ngày 5.", "Đại hội bầu chi ủy.", "Xong.", "Một câu rất dài ở đây.", "Hết."]
    assert glue_fragments(items, short, join) == [
        "2019. Ngày 5. Đại hội bầu chi ủy.",
        "Xong. Một câu rất dài ở đây.",
        "Hết.",
    ]
    fits = lambda a, b: len(a) + len(b) < 25  # noqa: E731
    assert glue_fragments(items, short, join, fits) == [
        "2019. Ngày 5.",
        "Đại hội bầu chi ủy.",
        "Xong.",
        "Một câu rất dài ở đây.",
        "Hết.",
    ]


def test_abbreviation_tp_does_not_end_a_sentence():
    text = "Đoàn công tác đã đến TP. Hồ Chí Minh vào tháng 5. Đại hội diễn ra thành công."
    assert sentences(text) == ["Đoàn công tác đã đến TP. Hồ Chí Minh vào tháng 5.", "Đại hội diễn ra thành công."]


def test_thousands_separator_does_not_end_a_sentence():
    text = "Đảng bộ Khối có 56 chi, đảng bộ cơ sở với gần 3.900 đảng viên. Đại hội bầu 11 đồng chí."
    assert sentences(text) == [
        "Đảng bộ Khối có 56 chi, đảng bộ cơ sở với gần 3.900 đảng viên.",
        "Đại hội bầu 11 đồng chí.",
    ]


def test_sentence_ends_before_a_digit_or_quote_and_at_line_breaks():
    text = (
        "Kết quả rất tốt. 100% đảng viên tham gia. “Trung thành” là truyền thống.\nDòng mới không dấu chấm\nDòng cuối"
    )
    assert sentences(text) == [
        "Kết quả rất tốt.",
        "100% đảng viên tham gia.",
        "“Trung thành” là truyền thống.",
        "Dòng mới không dấu chấm",
        "Dòng cuối",
    ]


def test_a_full_stop_before_a_lower_case_letter_with_a_mark_ends_no_sentence():
    """ "đ", "ư", "ạ" are lower case though they sort between "À" and "Ỹ": "mục 3. đối với" goes on one
    sentence, "như sau. Đại hội" starts a new one."""
    text = "Thực hiện theo mục 3. đối với chi bộ cơ sở thì làm như sau. Đại hội bầu 11 đồng chí."
    assert sentences(text) == [
        "Thực hiện theo mục 3. đối với chi bộ cơ sở thì làm như sau.",
        "Đại hội bầu 11 đồng chí.",
    ]


def test_sentence_spans_are_trimmed_and_shifted_by_offset():
    text = "  Câu một.   Câu hai.  "
    spans = split_sentences(text, offset=100)
    assert [(s.start, s.end) for s in spans] == [(102, 110), (113, 121)]
    assert [text[s.start - 100 : s.end - 100] for s in spans] == ["Câu một.", "Câu hai."]


def test_seed_sentences_keep_hcm_city_and_numbers_whole(seed_texts):
    text = seed_texts[next(n for n in seed_texts if n.startswith("002"))]
    found = [s for s in sentences(text) if "3.900" in s]
    assert found == ["Đảng bộ Khối Các cơ quan tỉnh có 56 chi, đảng bộ cơ sở với gần 3.900 đảng viên."]


@pytest.mark.parametrize(("target", "max_tokens"), [(200, 400), (60, 120), (30, 60)])
def test_chunk_offsets_point_at_their_text(seed_texts, embedder, target, max_tokens):
    for name, text in seed_texts.items():
        chunks = chunk_text(text, embedder.count_tokens, target_tokens=target, max_tokens=max_tokens)
        assert chunks, name
        for c in chunks:
            assert text[c.start : c.end] == c.text, name
            assert c.text == c.text.strip() and c.text
        # In order and without overlap.
        for a, b in zip(chunks, chunks[1:], strict=False):
            assert a.end <= b.start, name


@pytest.mark.parametrize(("target", "max_tokens"), [(200, 400), (60, 120), (30, 60)])
def test_no_chunk_exceeds_max_tokens_on_seed_texts(seed_texts, embedder, target, max_tokens):
    for name, text in seed_texts.items():
        for c in chunk_text(text, embedder.count_tokens, target_tokens=target, max_tokens=max_tokens):
            assert embedder.count_tokens(c.text) <= max_tokens, (name, c.text[:80])
            assert c.tokens <= max_tokens, name


def test_every_sentence_is_inside_one_chunk_with_the_indexer_budget(seed_texts, embedder):
    for name, text in seed_texts.items():
        chunks = chunk_text(text, embedder.count_tokens, target_tokens=200, max_tokens=400)
        for s in split_sentences(text):
            assert any(c.start <= s.start and s.end <= c.end for c in chunks), (name, text[s.start : s.end][:80])


@pytest.mark.parametrize(("target", "max_tokens"), [(60, 120), (30, 60)])
def test_small_budgets_lose_no_text(seed_texts, embedder, target, max_tokens):
    """Sentences longer than the budget are cut, but every character of every sentence is in a chunk."""
    for name, text in seed_texts.items():
        chunks = chunk_text(text, embedder.count_tokens, target_tokens=target, max_tokens=max_tokens)
        covered = [False] * len(text)
        for c in chunks:
            covered[c.start : c.end] = [True] * (c.end - c.start)
        missing = [i for i, ch in enumerate(text) if not ch.isspace() and not covered[i]]
        assert not missing, (name, text[missing[0] : missing[0] + 60] if missing else "")


def test_long_sentence_is_cut_at_clauses_without_losing_text(embedder):
    clause = "các cấp ủy tập trung lãnh đạo công tác chuẩn bị văn kiện và nhân sự đại hội"
    sentence = ", ".join([clause] * 12) + "."
    assert embedder.count_tokens(sentence) > 120
    chunks = chunk_text(sentence, embedder.count_tokens, target_tokens=60, max_tokens=120)
    assert len(chunks) >= 2
    assert all(embedder.count_tokens(c.text) <= 120 for c in chunks)
    assert " ".join(c.text for c in chunks) == sentence


def test_no_chunk_exceeds_max_tokens_when_one_clause_is_too_long(embedder):
    long_clause = " ".join(["cán bộ đảng viên học tập quán triệt nghị quyết đại hội"] * 45)
    sentence = f"Đảng bộ đã triển khai nhiều việc, {long_clause}, phần tiếp theo của câu, phần cuối của câu."
    assert embedder.count_tokens(sentence) > 512
    chunks = chunk_text(sentence, embedder.count_tokens, target_tokens=200, max_tokens=400)
    assert " ".join(c.text for c in chunks) == sentence
    assert max(embedder.count_tokens(c.text) for c in chunks) <= 400


@pytest.mark.parametrize("budget", [300, 20, 8])
def test_a_closing_line_after_the_items_belongs_to_the_article_and_is_never_lost(budget):
    text = (
        "Điều 3.\nĐảng viên có quyền:\n1. "
        + "Được thông tin và thảo luận. " * 3
        + "\n2. "
        + "Ứng cử và bầu cử. " * 3
        + "\nĐảng viên dự bị có các quyền trên đây, trừ quyền biểu quyết.\nĐiều 4.\nĐiều khác.\n"
    )
    roots = parse_sections(text)
    article, item = roots[0], roots[0].children[-1]
    closing = text.index("Đảng viên dự bị")
    assert item.end <= closing < article.end  # said of the whole list, not of khoản 2
    chunks = chunk_sections(text, roots, lambda t: len(t.split()), budget)
    kept = [c for c in chunks if c.start <= closing < c.end]
    assert kept and all("khoản" not in c.label for c in kept)
    # A closing line between two items is kept too.
    between = text.replace("\nĐảng viên dự bị có các quyền trên đây, trừ quyền biểu quyết.", "").replace(
        "\n2. ", "\nCác quyền nêu trên áp dụng cho mọi đảng viên.\n2. "
    )
    middle = between.index("Các quyền nêu trên")
    roots2 = parse_sections(between)
    assert any(c.start <= middle < c.end for c in chunk_sections(between, roots2, lambda t: len(t.split()), budget))
    # A closing line is one that speaks of the items as a whole; "thời hạn nêu trên" may be the item's own.
    other = text.replace("Đảng viên dự bị có các quyền trên đây", "Quá thời hạn nêu trên")
    assert parse_sections(other)[0].children[-1].end > other.index("Quá thời hạn")


def test_a_passage_never_ends_on_the_lead_in_or_heading_of_the_lines_after_it():
    """ "… với các nội dung chủ yếu sau:" introduces what follows it: a passage boundary there moves before
    it, so it is read (and quoted) beside its items.  A short line without a full stop stays where it is."""
    words = lambda t: len(t.split())  # noqa: E731
    opening = "Đợt thi đua của tỉnh Minh Họa diễn ra trong năm nay với nhiều hoạt động. " * 3
    lead = "Ủy ban tỉnh Minh Họa đề ra các nội dung chủ yếu sau:"
    items = "- Hoàn thành chỉ tiêu kinh tế của tỉnh Minh Họa.\n- Xây dựng chính quyền trong sạch."
    text = f"{opening}\n\n{lead}\n\n{items}"
    chunks = chunk_text(text, words, target_tokens=40, max_tokens=60)
    assert not any(c.text.rstrip().endswith(":") for c in chunks)
    assert any(c.text.startswith(lead) and "- Hoàn thành" in c.text for c in chunks)
    assert all(a.end <= b.start for a, b in pairwise(chunks))  # in order, nothing read twice
    assert all(text[c.start : c.end] == c.text for c in chunks)
    caption = "Ảnh: Đại biểu tỉnh Minh Họa dự hội nghị"
    text = f"{opening}\n\n{caption}\n\n{items}"
    assert any(c.text.endswith(caption) for c in chunk_text(text, words, target_tokens=40, max_tokens=60))


def test_a_long_lead_in_or_a_chain_of_lead_ins_waits_for_its_first_item():
    """A lead-in long enough to close a paragraph ("…, Bộ Chính trị kết luận như sau:") and a lead-in whose
    first item is itself a lead-in ("- … với 2 nội dung:") are never a passage of their own."""
    words = lambda t: len(t.split())  # noqa: E731
    opening = "Hội nghị tỉnh Minh Họa diễn ra trong hai ngày với nhiều hoạt động. " * 2  # a passage of its own
    long_lead = (
        "Sau khi xem xét báo cáo của Ban Tổ chức tỉnh Minh Họa về tình hình thực hiện, " * 2 + "kết luận như sau:"
    )
    follow = "Theo đó, các cấp ủy tỉnh Minh Họa tiếp tục làm tốt công tác tư tưởng."
    for text in (
        f"{opening}\n\n{long_lead}\n\n{follow}",
        f"{opening}\n\nViệc tổ chức đại hội điều chỉnh như sau:\n\n- Các đảng bộ mới thành lập, hợp nhất, sáp "
        f"nhập của tỉnh Minh Họa trong năm nay tổ chức đại hội nhiệm kỳ mới với 2 nội dung:\n\n(i) Tổng kết nhiệm kỳ cũ.\n\n(ii) Góp ý văn kiện.",
    ):
        chunks = chunk_text(text, words, target_tokens=40, max_tokens=80)
        assert not any(c.text.rstrip().endswith(":") for c in chunks), [c.text for c in chunks]
        assert all(text[c.start : c.end] == c.text for c in chunks)


def test_a_preamble_that_says_something_is_quotable_and_one_that_cites_its_basis_is_not():
    """The Điều lệ opens with what the Party is and its aim, before Chương I: officers ask about it, so that
    preamble is a section an answer may quote ("phần mở đầu").  "Căn cứ Điều lệ Đảng; …" before Quy định 294
    only names what the document implements."""
    words = lambda t: len(t.split())  # noqa: E731
    charter = (
        "ĐẢNG VÀ NHỮNG VẤN ĐỀ CƠ BẢN\nMục đích của Đảng Minh Họa là xây dựng đất nước giàu mạnh.\n"
        "Chương I\nĐẢNG VIÊN\nĐiều 1.\nĐảng viên là người tiên phong.\n"
    )
    basis = "- Căn cứ Điều lệ Đảng;\n- Căn cứ Quy chế làm việc,\nQUY ĐỊNH\n1. Điều 1: Đảng viên.\nNội dung.\n"
    for text, quotable in ((charter, True), (basis, False)):
        chunks = chunk_sections(text, parse_sections(text), words, 300)
        opening = next(c for c in chunks if c.start == 0)
        labels = {u.label for c in chunks for u in c.units if u.start == 0}
        assert (labels == {"phần mở đầu"}) is quotable, (opening.text, labels)
    # Each paragraph of a quotable preamble is a unit too: "Mục đích của Đảng là …" is quoted alone.
    chunks = chunk_sections(charter, parse_sections(charter), words, 300)
    aim = charter.index("Mục đích")
    assert any(u.start == aim and charter[u.start : u.end].endswith("giàu mạnh.") for c in chunks for u in c.units)


def test_a_list_goes_on_beside_its_lead_in_past_a_paragraph_break_up_to_the_maximum():
    """A news item's procedure ("… quy trình như sau:" then "Bước 1: …" … "Bước 5: …", one paragraph each) was
    cut after "Bước 3" at a paragraph break once the passage was full enough: "which steps?" got three of them.
    The items go on beside their lead-in up to the passage's maximum; what follows the list starts anew."""
    words = lambda t: len(t.split())  # noqa: E731
    steps = [f"Bước {n}: Ban tổ chức tỉnh Minh Họa thực hiện công việc thứ {n} theo quy chế." for n in range(1, 6)]
    after = "Tiêu chuẩn của chức danh do tỉnh Minh Họa quy định riêng, theo hướng dẫn của cấp trên trực tiếp."
    text = "Quy trình bầu chức danh tại hội nghị tỉnh Minh Họa như sau:\n\n" + "\n\n".join(steps) + f"\n\n{after}"
    chunks = chunk_text(text, words, target_tokens=40, max_tokens=120)  # 98 words up to "Bước 5"
    first = chunks[0].text
    assert all(step in first for step in steps), [c.text for c in chunks]
    assert after not in first
    # Past the maximum, the list is cut as before: never a passage over it.
    many = "Quy trình như sau:\n\n" + "\n\n".join(steps * 3)
    assert all(c.tokens <= 120 for c in chunk_text(many, words, target_tokens=40, max_tokens=120))
