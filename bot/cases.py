"""The officer's own case told with numbers, against the conditions a rule sets on the same quantity.

"Bố tôi năm nay 78 tuổi, … có phải nộp bệnh án không?" is decided by the item "đảng viên có tuổi đời dưới 80
tuổi", not by its neighbour "từ 80 tuổi trở lên"; "chi bộ thôn có hơn 40 đảng viên" by "có từ 30 đảng viên trở
lên".  The question's amounts (a number and what it counts) are read from its folded text; each line of a
clause is read for the cases it is for, as bounds on an amount of the same kind ("từ … trở lên", "dưới …",
"trên …", "từ … đến …"); a requirement to meet ("phải còn ít nhất …", "không được quá …") is not a case.  A line
whose bounds admit the case fits it; a line whose bounds all exclude it is about another case.  All of it works
on folded text (no diacritics), as officers often type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# What the documents count, folded, and the one name each is compared under ("ngày làm việc" is days).
UNITS = {
    "dang vien chinh thuc": "dang vien",
    "dang vien": "dang vien",
    "uy vien": "uy vien",
    "dai bieu": "dai bieu",
    "thanh vien": "thanh vien",
    "tuoi": "tuoi",
    "thang": "thang",
    "nam": "nam",
    "ngay lam viec": "ngay",
    "ngay": "ngay",
    "nguoi": "nguoi",
}

# Numbers written in words, folded.  "tư" (4) and "lăm" (5) fold to "tu" and "lam", which are also "từ"
# (from) and "làm" (do): they count only after "mươi" ("hai mươi tư", "mười lăm").
_DIGIT_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9}
_AFTER_TENS = {**_DIGIT_WORDS, "tu": 4, "lam": 5}
_WORD_NUMBER = (
    r"(?:(?:mot|hai|ba|bon|nam|sau|bay|tam|chin)\s+tram(?:\s+(?:linh|le)\s+\w+)?"
    r"|(?:(?:hai|ba|bon|nam|sau|bay|tam|chin)\s+)?muoi(?:\s+(?:mot|hai|ba|bon|tu|nam|lam|sau|bay|tam|chin))?"
    r"|mot|hai|ba|bon|nam|sau|bay|tam|chin)"
)
# Not a part of a date ("15/10 năm 2025") or of a longer number.
_NUMBER = rf"(?<![\w/.,-])(\d+(?:[.,]\d+)*|{_WORD_NUMBER})(?![/.,-]?\d)"
# A unit followed by a number is a date's ("năm 2025", "tháng 6"), not what is counted.
_UNIT = "(" + "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True)) + r")\b(?!\s+\d)"

# How the question tells its amount: "hơn 40 đảng viên" is a little over 40.
_MORE = r"hon|tren|qua|nhieu hon|ngoai"
_LESS = r"duoi|gan|chua du|chua den|chua toi|khong den|khong du|it hon"
_AMOUNT_RE = re.compile(rf"(?<!\w)(?:({_MORE}|{_LESS})\s+)?{_NUMBER}\s+{_UNIT}")

# How a rule tells the cases it is for, folded: (pattern, bound kind).  Tried in order; a span read by one is
# not read again by the next.  A requirement ("phải còn ít nhất 48 tháng", "tối đa 15 ủy viên") is not a case:
# the question may well ask whether its case meets it (see _REQUIRED_RE).
_BOUND_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # "từ 18 tuổi đến (dưới) 60 tuổi", "đủ 18 tuổi đến đủ 60 tuổi"
    (
        re.compile(rf"(?:tu|du)\s+{_NUMBER}(?:\s+{_UNIT})?\s+(?:den|toi)\s+(duoi|du|het)?\s*{_NUMBER}\s+{_UNIT}"),
        "range",
    ),
    # "từ 30 đảng viên trở lên", "có 100 đảng viên trở lên", "từ 80 tuổi trở lên"
    (re.compile(rf"(?:tu\s+)?{_NUMBER}\s+{_UNIT}\s+tro\s+len"), "at_least"),
    (re.compile(rf"{_NUMBER}\s+{_UNIT}\s+tro\s+xuong"), "at_most"),
    (re.compile(rf"(?:duoi|it hon|chua du|khong du)\s+{_NUMBER}\s+{_UNIT}"), "below"),
    (re.compile(rf"(?:tren|hon|nhieu hon|qua)\s+{_NUMBER}\s+{_UNIT}"), "above"),
]

# Words just before a bound that make it a requirement to meet, not the case a rule is for.
_REQUIRED_RE = re.compile(
    r"\b(?:phai|it nhat|toi thieu|can co|yeu cau|bao dam|dam bao)(?:\s+\w+){0,3}\s*$|\bkhong(?:\s+duoc)?\s*$"
)
# "một đảng viên trong chi bộ tôi" is somebody, not a count: one person tells no case.
_PEOPLE = frozenset({"dang vien", "uy vien", "dai bieu", "thanh vien", "nguoi"})

# "hơn 40" counts as 40 and a half: more than 40, and never equal to it.
_NUDGE = 0.5


@dataclass(frozen=True)
class Amount:
    """A number the question tells and what it counts (a key of UNITS' values: "dang vien", "tuoi")."""

    value: float
    unit: str


@dataclass(frozen=True)
class Bound:
    """The amounts a rule's line speaks of: from ``low`` to ``high`` (None: unbounded), each end included
    or not."""

    unit: str
    low: float | None = None
    high: float | None = None
    low_in: bool = True
    high_in: bool = True

    def admits(self, value: float) -> bool:
        if self.low is not None and (value < self.low or (value == self.low and not self.low_in)):
            return False
        return not (self.high is not None and (value > self.high or (value == self.high and not self.high_in)))


def number_value(written: str) -> float | None:
    """ "40" → 40, "1.500" → 1500, "2,5" → 2.5; in folded words "hai muoi lam" → 25, "muoi" → 10, "mot tram" →
    100; None if it is not a number."""
    if written[0].isdigit():
        # "1.500" is fifteen hundred (dots group thousands), "2,5" two and a half.
        plain = written.replace(".", "") if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", written) else written
        try:
            return float(plain.replace(",", "."))
        except ValueError:
            return None
    total, current, after_tens = 0, 0, False
    for word in written.split():
        if word == "tram":
            total += (current or 1) * 100
            current, after_tens = 0, False
        elif word == "muoi":
            current = (current or 1) * 10
            after_tens = True
        elif word in ("linh", "le"):
            continue
        elif word in (_AFTER_TENS if after_tens else _DIGIT_WORDS):
            current += (_AFTER_TENS if after_tens else _DIGIT_WORDS)[word]
        else:
            return None
    return float(total + current)


# A day of the year the question tells: "ngày 20/10/2025" (day and month), or "tháng 4" alone (a month's
# middle).  Compared as month × 100 + day under DAY_OF_YEAR.  "12 tháng" (a number before it) is a length.
DAY_OF_YEAR = "ngay trong nam"
_MID_MONTH = 15
_QUESTION_DATE_RE = re.compile(
    r"(?<!\d )\b(?:ngay\s+(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*\d{4})?(?!\s*/?\d)|thang\s+(\d{1,2})(?![\d.,]))"
)
# A rule's period of the year: "từ ngày 01/3 đến hết tháng 5", "từ ngày 01/12 của năm trước đến hết tháng 02",
# "từ ngày 01/01 đến ngày 30/6"; read on a line's folded words too, where "01/3" is "01 3".
_DAY_MONTH = r"(\d{1,2})(?:\s*/\s*|\s+)(\d{1,2})"
_PERIOD_RE = re.compile(
    rf"tu\s+ngay\s+{_DAY_MONTH}(?:\s+cua\s+nam\s+truoc)?\s+den\s+(?:het\s+)?"
    rf"(?:thang\s+(\d{{1,2}})(?!\s*/?\d)|ngay\s+{_DAY_MONTH})"
)


def _day_of_year(day: int, month: int) -> float | None:
    return float(month * 100 + day) if 1 <= month <= 12 and 1 <= day <= 31 else None


def _question_days(folded_question: str) -> list[Amount]:
    out = []
    for m in _QUESTION_DATE_RE.finditer(folded_question):
        day, month, alone = m.groups()
        value = _day_of_year(int(day), int(month)) if day else _day_of_year(_MID_MONTH, int(alone))
        if value is not None:
            out.append(Amount(value, DAY_OF_YEAR))
    return out


def _periods(folded_line: str) -> list[Bound]:
    """The periods of the year a line sets; one that runs over the new year is two bounds."""
    out = []
    for m in _PERIOD_RE.finditer(folded_line):
        day, month, to_month, to_day, to_day_month = m.groups()
        low = _day_of_year(int(day), int(month))
        high = _day_of_year(31, int(to_month)) if to_month else _day_of_year(int(to_day), int(to_day_month))
        if low is None or high is None:
            continue
        if low <= high:
            out.append(Bound(DAY_OF_YEAR, low, high))
        else:
            out += [Bound(DAY_OF_YEAR, low=low), Bound(DAY_OF_YEAR, high=high)]
    return out


@lru_cache(maxsize=1024)
def case_amounts(folded_question: str) -> tuple[Amount, ...]:
    """The amounts a (folded) question tells: "chi bo co hon 40 dang vien" → 40.5 đảng viên; "ngay
    20/10/2025" → the 20th of October."""
    out = _question_days(folded_question)
    for m in _AMOUNT_RE.finditer(folded_question):
        how, written, unit = m.groups()
        value = number_value(written)
        if value is None or (value == 1 and UNITS[unit] in _PEOPLE):
            continue
        if how:
            value += _NUDGE if re.fullmatch(_MORE, how) else -_NUDGE
        out.append(Amount(value, UNITS[unit]))
    return tuple(dict.fromkeys(out))


@lru_cache(maxsize=20_000)
def bounds_in(folded_line: str) -> tuple[Bound, ...]:
    """The bounds one (folded) line of a rule puts on amounts: "tu 30 dang vien tro len" → at least 30."""
    out: list[Bound] = _periods(folded_line)
    taken: list[tuple[int, int]] = []
    for pattern, kind in _BOUND_PATTERNS:
        for m in pattern.finditer(folded_line):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append(m.span())
            if _REQUIRED_RE.search(folded_line, 0, m.start()):
                continue
            bound = _bound(kind, m.groups())
            if bound is not None:
                out.append(bound)
    return tuple(out)


def _bound(kind: str, groups: tuple[str | None, ...]) -> Bound | None:
    if kind == "range":
        low_w, _, how, high_w, unit = groups
        low, high = number_value(low_w or ""), number_value(high_w or "")
        if low is None or high is None:
            return None
        return Bound(UNITS[unit], low, high, True, how != "duoi")
    written, unit = groups
    value = number_value(written or "")
    if value is None:
        return None
    unit = UNITS[unit]
    return {
        "at_least": Bound(unit, low=value),
        "at_most": Bound(unit, high=value),
        "below": Bound(unit, high=value, high_in=False),
        "above": Bound(unit, low=value, low_in=False),
    }[kind]


def case_fit(amounts: tuple[Amount, ...], folded_text: str) -> int:
    """Does a (folded) text speak of the question's case: 1 when one of its bounds admits one of the case's
    amounts, -1 when it bounds the same kinds of amount and none of its bounds admits them (it is about
    another case), 0 when it bounds none of them."""
    if not amounts:
        return 0
    units = {a.unit for a in amounts}
    bounds = [b for b in bounds_in(folded_text) if b.unit in units]
    if not bounds:
        return 0
    fits = any(b.admits(a.value) for b in bounds for a in amounts if a.unit == b.unit)
    return 1 if fits else -1
