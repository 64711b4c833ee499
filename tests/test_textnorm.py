"""Text normalisation: one form for corpus and questions, whatever the keyboard produced."""

from __future__ import annotations

import unicodedata

import pytest

from bot.textnorm import fold, looks_vietnamese, normalize

SAMPLES = [
    "Quy trình nhân sự đại hội gồm mấy bước?",
    "Đảng ủy Quân sự tỉnh Lào Cai",
    "Xây dựng tổ chức đảng trong sạch vững mạnh",
    "Thường vụ Đảng ủy – Bộ Tư lệnh Quân khu",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_nfc_and_nfd_input_normalise_to_the_same_text(text):
    nfc = unicodedata.normalize("NFC", text)
    nfd = unicodedata.normalize("NFD", text)
    assert nfc != nfd  # the sample really has two encodings
    assert normalize(nfd) == normalize(nfc)
    assert unicodedata.is_normalized("NFC", normalize(nfd))
    assert fold(nfd) == fold(nfc)


@pytest.mark.parametrize(
    ("new_style", "traditional"),
    [
        ("hoà", "hòa"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("Hoà bình", "Hòa bình"),
        ("HOÀ", "HÒA"),
        ("tuỳ thuộc", "tùy thuộc"),
        ("sức khoẻ của đảng viên", "sức khỏe của đảng viên"),
    ],
)
def test_new_tone_placement_becomes_traditional(new_style, traditional):
    assert normalize(new_style) == traditional
    assert normalize(unicodedata.normalize("NFD", new_style)) == traditional
    assert normalize(traditional) == traditional  # idempotent


@pytest.mark.parametrize("word", ["quý", "quỳ", "hoàng", "quyết", "thuyền", "Quý IV", "Hoàng Văn Thụ"])
def test_words_where_both_conventions_agree_are_unchanged(word):
    assert normalize(word) == word


def test_zero_width_and_odd_spaces_are_removed():
    dirty = "Đảng\u200b ủy\u200c Quân\u200d sự\u2060 tỉnh\ufeff Lào\u00adCai\u00a0nhiệm kỳ"
    assert normalize(dirty) == "Đảng ủy Quân sự tỉnh LàoCai nhiệm kỳ"
    assert not any(ch in normalize(dirty) for ch in "\u200b\u200c\u200d\u2060\ufeff\u00ad\u00a0")


def test_fold_removes_diacritics_and_d_stroke():
    assert fold("Đảng ủy") == "dang uy"
    assert fold("ĐẢNG ỦY") == "dang uy"
    assert fold(unicodedata.normalize("NFD", "Đảng ủy")) == "dang uy"
    assert fold("Hoà bình") == fold("Hòa bình") == "hoa binh"


def test_looks_vietnamese_accepts_vietnamese_typed_without_diacritics():
    assert looks_vietnamese("quy trinh nhan su co may buoc")
    assert looks_vietnamese("Quy trình nhân sự đại hội gồm mấy bước?")


@pytest.mark.parametrize(
    "text",
    [
        "What is the personnel procedure for the congress?",
        "How many steps does the procedure have",
    ],
)
def test_looks_vietnamese_rejects_english(text):
    assert not looks_vietnamese(text)


@pytest.mark.parametrize("text", ["党代会的人事程序有几个步骤？", "人事程序"])
def test_looks_vietnamese_rejects_chinese(text):
    assert not looks_vietnamese(text)
