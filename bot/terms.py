"""Congress terms: which term (nhiệm kỳ) a question or a source speaks of.

Party congresses run in cycles. Local congresses (đại hội đảng bộ các cấp) meet first and prepare
the national congress (Đại hội đại biểu toàn quốc), which meets the year after and elects the
Central Committee of the next "khóa". So "nhiệm kỳ 2025–2030" (local), "Đại hội XIV" and "khóa XIV"
(national, 2026–2031) all name the same cycle. A :class:`Term` keeps the years as written and the
national congress number of its cycle when it is known, so the two can be compared.

Everything here is pure and linear-time: every regex quantifier is bounded, so a long token or a
long run of "1/2/3/…" costs at most a constant per character.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass

from .textnorm import fold, normalize

# National congress number -> (years of the national term it opens, years of the local term whose
# congresses prepare it). The national congress meets in the first year of its term and elects the
# Central Committee "khóa N" for five years (khóa XIII = 2021–2026, khóa XIV = 2026–2031); the
# local congresses of the cycle meet the year before (term 2020–2025 prepared Đại hội XIII,
# 2025–2030 prepares Đại hội XIV). Only cycles with this regular pattern are listed.
CONGRESS_CYCLES: dict[int, tuple[tuple[int, int], tuple[int, int]]] = {
    9: ((2001, 2006), (2000, 2005)),
    10: ((2006, 2011), (2005, 2010)),
    11: ((2011, 2016), (2010, 2015)),
    12: ((2016, 2021), (2015, 2020)),
    13: ((2021, 2026), (2020, 2025)),
    14: ((2026, 2031), (2025, 2030)),
}

# When local congresses of a cycle are reported on: from mid-year before the term starts (branch
# congresses open the season) to the end of the term's first year. Used only when a news item
# names no term itself.
SEASON_START_MONTH = 6  # chi bộ congresses usually start around June of the year before

MAX_TERM_YEARS = 5  # a term is at most five years; "2020 - 2025" yes, "2017 - 2030" is not a term

_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50}


def roman_to_int(text: str) -> int | None:
    """'xiv' -> 14; None for anything that is not a plain Roman numeral up to L."""
    total = 0
    prev = 0
    for ch in reversed(text.lower()):
        value = _ROMAN.get(ch)
        if value is None:
            return None
        total = total - value if value < prev else total + value
        prev = max(prev, value)
    return total or None


def to_roman(n: int) -> str:
    out = []
    for value, letters in ((50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


@dataclass(frozen=True)
class Term:
    """A congress term: the years as written and, when known, the national congress of its cycle.

    ``level`` is "local" for terms of đảng bộ các cấp ("nhiệm kỳ 2020–2025") and "national" for the
    Central Committee's ("khóa XIV", "Đại hội XIV", "nhiệm kỳ 2026–2031").
    """

    start: int
    end: int
    congress: int | None = None  # 14 = Đại hội XIV's cycle
    level: str = "local"

    @property
    def local_years(self) -> tuple[int, int]:
        """The local term of this cycle (2025–2030 for Đại hội XIV)."""
        if self.congress in CONGRESS_CYCLES:
            return CONGRESS_CYCLES[self.congress][1]
        return (self.start, self.end)

    @property
    def key(self) -> tuple:
        """Equal for two mentions of the same cycle ("nhiệm kỳ 2025–2030" and "Đại hội XIV")."""
        return ("cycle", self.congress) if self.congress is not None else ("years", self.start, self.end)

    def same_cycle(self, other: Term) -> bool:
        return self.key == other.key

    def label(self) -> str:
        """Vietnamese label: "nhiệm kỳ 2020–2025", "khóa XIV (2026–2031)"."""
        if self.level == "national" and self.congress is not None:
            return f"khóa {to_roman(self.congress)} ({self.start}–{self.end})"
        return f"nhiệm kỳ {self.start}–{self.end}"


def term_of_years(start: int, end: int) -> Term:
    """The Term for a written year range: matched to a cycle when it is a known local or national term."""
    for number, (national, local) in CONGRESS_CYCLES.items():
        if (start, end) == local:
            return Term(start, end, number, "local")
        if (start, end) == national:
            return Term(start, end, number, "national")
    return Term(start, end, None, "local")


def term_of_congress(number: int) -> Term | None:
    """The national term of congress ``number`` (14 -> 2026–2031), None when not in the table."""
    if number not in CONGRESS_CYCLES:
        return None
    start, end = CONGRESS_CYCLES[number][0]
    return Term(start, end, number, "national")


_DASH = "[-\u2010\u2011\u2012\u2013\u2014\u2212]"
_YEARS_RE = re.compile(
    rf"\bnhiem\s{{1,3}}ky\s{{1,3}}(?:(?:khoa|tu|nam)\s{{1,3}})?((?:19|20)\d\d)\s{{0,3}}(?:{_DASH}|den|\s)\s{{0,3}}((?:19|20)\d\d)\b"
)
_NUMERAL = r"([ivxl]{1,7}|\d{1,2})"
_CONGRESS_RE = re.compile(
    r"\bdai\s{1,3}hoi\s{1,3}(?:(dai\s{1,3}bieu\s{1,3}toan\s{1,3}quoc"
    r"|dang(?:\s{1,3}cong\s{1,3}san\s{1,3}viet\s{1,3}nam)?\s{1,3}toan\s{1,3}quoc|toan\s{1,3}quoc)\s{1,3})?"
    rf"(?:lan\s{{1,3}}thu\s{{1,3}})?{_NUMERAL}\b(\s{{1,3}}cua\s{{1,3}}dang\b)?"
)
_KHOA_RE = re.compile(rf"\bkhoa\s{{1,3}}{_NUMERAL}\b")
# Words before "khóa N" that make it the Central Committee's term, or a local committee's.
_NATIONAL_CUE_RE = re.compile(
    r"trung\s{1,3}uong|bo\s{1,3}chinh\s{1,3}tri|ban\s{1,3}bi\s{1,3}thu|tong\s{1,3}bi\s{1,3}thu"
)
_LOCAL_CUE_RE = re.compile(
    r"dang\s{1,3}bo|tinh\s{1,3}uy|thanh\s{1,3}uy|huyen\s{1,3}uy|quan\s{1,3}uy|thi\s{1,3}uy|dang\s{1,3}uy|cap\s{1,3}uy"
    r"|\btinh\b|\bhuyen\b|\bxa\b|\bphuong\b|chi\s{1,3}bo"
)
CUE_WINDOW = 60  # characters before "khóa N" / "Đại hội N" searched for whose term it is


def _last_before(positions: list[int], lo: int, hi: int) -> int:
    """The last of the sorted ``positions`` in [lo, hi), -1 when there is none."""
    i = bisect.bisect_left(positions, hi) - 1
    return positions[i] if i >= 0 and positions[i] >= lo else -1


def _numeral(text: str) -> int | None:
    return int(text) if text.isdigit() else roman_to_int(text)


def _find_terms_with_spans(text: str) -> list[tuple[int, int, Term]]:
    f = fold(normalize(text))
    found: list[tuple[int, int, Term]] = []
    # Cue positions found once, looked up by bisection: linear however many mentions there are.
    national_cues = [m.start() for m in _NATIONAL_CUE_RE.finditer(f)]
    local_cues = [m.start() for m in _LOCAL_CUE_RE.finditer(f)]
    for m in _YEARS_RE.finditer(f):
        start, end = int(m.group(1)), int(m.group(2))
        if 0 < end - start <= MAX_TERM_YEARS:
            found.append((m.start(), m.end(), term_of_years(start, end)))
    for m in _CONGRESS_RE.finditer(f):
        number = _numeral(m.group(2))
        term = term_of_congress(number) if number else None
        if term is None:
            continue
        if not (m.group(1) or m.group(3)):
            # "Đại hội lần thứ VII" of a provincial Party committee is not the national congress:
            # a bare number counts only when no local unit is named just before it.
            if _last_before(local_cues, m.start() - CUE_WINDOW, m.start()) >= 0:
                continue
        found.append((m.start(), m.end(), term))
    for m in _KHOA_RE.finditer(f):
        number = _numeral(m.group(1))
        term = term_of_congress(number) if number else None
        if term is None:
            continue
        national = _last_before(national_cues, m.start() - CUE_WINDOW, m.start())
        local = _last_before(local_cues, m.start() - CUE_WINDOW, m.start())
        if local >= 0 and national < local:
            continue  # "Ban Chấp hành Đảng bộ tỉnh khóa XVII": a local committee's numbering
        found.append((m.start(), m.end(), term))
    found.sort(key=lambda item: item[0])
    return found


def find_terms(text: str) -> list[Term]:
    """Terms named in the text, in order of appearance (repeats kept, so they can be counted).

    Recognises "nhiệm kỳ 2020 - 2025", "nhiệm kỳ 2025–2030", "khóa XIII"/"khóa 14" (of the
    Central Committee), "Đại hội XIV", "Đại hội lần thứ XIV", "Đại hội đại biểu toàn quốc lần
    thứ XIII". Local numbering ("Đại hội Đảng bộ tỉnh lần thứ XVII") is not a national term.
    """
    return [term for _, _, term in _find_terms_with_spans(text)]


_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def find_years(text: str) -> list[int]:
    """Years written in a question ("năm 2019", "chỉ thị 35 2024"), outside term ranges, in order."""
    f = fold(normalize(text))
    spans = [(s, e) for s, e, _ in _find_terms_with_spans(text)]
    years: list[int] = []
    for m in _YEAR_RE.finditer(f):
        if any(s <= m.start() < e for s, e in spans):
            continue
        year = int(m.group(1))
        if year not in years:
            years.append(year)
    return years


def _season_term(published: str) -> Term | None:
    """The local term whose congresses are held around ``published`` (ISO date)."""
    m = re.match(r"(\d{4})-(\d{2})", published or "")
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    for number, (_, (start, end)) in CONGRESS_CYCLES.items():
        # From June of the year before the term to December of its first year.
        if (year == start - 1 and month >= SEASON_START_MONTH) or year == start:
            return Term(start, end, number, "local")
    return None


def document_term(text: str, published: str | None) -> Term | None:
    """The term a document speaks of.

    The most frequent explicit term wins (mentions of one cycle count together: "nhiệm kỳ
    2025–2030" and "Đại hội XIV"); a tie goes to the one named first (titles come first). Without
    an explicit term, a news item about congresses is dated by its publication: one published
    from June 2019 to December 2020 speaks of the 2020–2025 term. Otherwise None.
    """
    terms = find_terms(text)
    if terms:
        counts = Counter(t.key for t in terms)
        first: dict[tuple, int] = {}
        for i, t in enumerate(terms):
            first.setdefault(t.key, i)
        best = max(counts, key=lambda k: (counts[k], -first[k]))
        candidates = [t for t in terms if t.key == best]
        # Report the local form when the document names it (the officer's own term), else what was written.
        return next((t for t in candidates if t.level == "local"), candidates[0])
    if published and re.search(r"dai\s{1,3}hoi", fold(text)):
        return _season_term(published)
    return None
