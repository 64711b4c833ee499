"""Compose an extractive answer with citations from retrieved passages.

Every sentence of an answer is copied from a cited passage; nothing is
generated.  Where the passages give different figures for the same thing
(one unit's personnel procedure has 5 steps, another's 6), each is shown with
its source.  Where nothing relevant was found, the answer says so and lists
the nearest topics the documents do cover.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache
from itertools import groupby
from typing import Protocol, TypeVar

from .cases import DAY_OF_YEAR, case_amounts, case_fit
from .chunking import FRAGMENT_WORDS, ITEM_LINE_RE, glue_fragments, introduces_list, item_kind, split_sentences
from .clause import OMITTED, Clause, is_short_heading, items_counted, list_lead, quote_clause
from .doctypes import DocType
from .metadata import find_refs
from .params import DEFAULT_ANSWER, AnswerParams
from .query import ASKING_WORDS, CHARTER_RE, DOMAIN_COMMON, STEP_NOUNS, STOPWORDS, Query, Wants, find_places
from .retrieve import Hit, title_name_words, topic_weights
from .tables import CELL_SEP, MIN_COLUMNS
from .textnorm import LOWER, UPPER, fold, folded_words

# The tunables (relevance gate, scoring weights, budgets) are in bot/params.py (AnswerParams).
# Statuses of a document that no longer applies: it still answers, marked, ranked after the text in force.
OUT_OF_FORCE = frozenset({"replaced", "expired"})
# Scores shown in citations (and the JSON output) are rounded to this many decimals.
SCORE_DIGITS = 4
# A unit's name (the title before ":") and a document's title in an answer are cut to these many characters.
SCOPE_LABEL_CHARS = 80
SHORT_NAME_CHARS = 70
NOT_FOUND = "Không tìm thấy nội dung này trong các tài liệu hiện có, nên tôi không trả lời để tránh suy đoán."
# Replies to small talk (query.small_talk), by kind.
SMALL_TALK_REPLIES = {
    "greeting": (
        "Xin chào! Tôi trả lời câu hỏi về hướng dẫn đại hội đảng bộ, chi bộ và công tác đảng viên, trích nguyên văn "
        "từ các tài liệu hiện có, kèm nguồn. Ví dụ: “Quy trình nhân sự đại hội gồm mấy bước?”"
    ),
    "thanks": "Rất vui được giúp đồng chí. Đồng chí cứ hỏi tiếp khi cần.",
    "bye": "Chào đồng chí. Khi cần, đồng chí cứ hỏi tiếp.",
    "ack": "Vâng. Đồng chí cứ hỏi tiếp khi cần, ví dụ: “Quy trình nhân sự đại hội gồm mấy bước?”",
}
# The first line of an answer whose documents give different figures for the same count.
DISAGREE_HEADING = "Các tài liệu nêu khác nhau tùy đơn vị:"


@dataclass
class Citation:
    n: int
    doc_id: str
    title: str
    source: str | None
    published: str | None
    passage: str
    score: float
    passage_id: int = 0
    doc_type: str = "news"
    section: str | None = None  # where in the document: "Điều 4, khoản 1", "mục 11.4.4"
    page: int | None = None  # page of a PDF where the passage starts
    path: str | None = None  # the section path: "Quy định 294-QĐ/TW › 11. Điều 11 › 11.4.4"
    status: str = "in_force"  # in_force | amended | replaced | expired | unknown
    replaced_by: str | None = None  # "Hướng dẫn 06-HD/TW (09/06/2025)"

    @classmethod
    def from_hit(cls, n: int, hit: Hit, score: float) -> Citation:
        return cls(
            n,
            hit.doc_id,
            hit.title,
            hit.source,
            hit.published,
            hit.text,
            score,
            hit.passage_id,
            hit.doc_type,
            hit.section,
            hit.page,
            hit.path,
            hit.status,
            hit.replaced_by,
        )

    def to_dict(self) -> dict:
        keys = ("n", "doc_id", "title", "source", "published", "passage", "score", "section", "page", "status")
        keys += ("replaced_by",)
        return {k: getattr(self, k) for k in keys}


class BlockKind(StrEnum):
    SENTENCE = "sentence"  # a sentence (with a list's items) copied from a passage: "text [n]", one per line
    QUOTE = "quote"  # a clause or statement quoted under its source: "source [n]:" then the text; a blank line between


@dataclass(frozen=True)
class AnswerBlock:
    """One part of an answer: text copied from the cited passage, the numbers of the citations it comes
    from and, for a quote or a sentence from one of several documents, what it is from."""

    text: str
    cites: tuple[int, ...]
    kind: BlockKind = BlockKind.SENTENCE
    # A quote's source: "Quy định 294-QĐ/TW, Điều 4, khoản 1"; a sentence's unit when the answer draws on
    # several documents: "Thành phố Lạng Sơn chuẩn bị …, nhiệm kỳ 2020–2025".
    source: str | None = None

    def markers(self) -> str:
        return "".join(f"[{n}]" for n in self.cites)


def render_text(blocks: Sequence[AnswerBlock], heading: str | None = None, notices: Iterable[str] = ()) -> str:
    """An answer as plain text with [n] markers (what the CLI prints and the bot sends): the heading, the
    blocks (sentences one per line, quotes a blank line apart), then the warnings, a blank line apart."""
    lines = ([heading] if heading else []) + [_block_text(b) for b in blocks]
    body = ("\n\n" if any(b.kind is BlockKind.QUOTE for b in blocks) else "\n").join(lines)
    notices = list(notices)
    return "\n\n".join([body, *notices]) if notices else body


def _block_text(block: AnswerBlock) -> str:
    if block.kind is BlockKind.QUOTE:
        return f"{block.source} {block.markers()}:\n{block.text}"
    if block.source is not None:
        return f"• {block.source}: {block.text} {block.markers()}"
    return f"{block.text} {block.markers()}"


def render_refusal(why: str | None, nearest: list[str]) -> str:
    """A refusal as plain text: why (when known), that nothing is answered, and the nearest topics."""
    parts = [NOT_FOUND]
    if why:
        parts.insert(0, why)
    if nearest:
        parts.append("Các tài liệu hiện có nói về:\n" + "\n".join(f"• {t}" for t in nearest))
    return "\n".join(parts)


@dataclass
class Answer:
    """An answer or a refusal: ``answer`` is its text as rendered by :func:`render_text` (or
    :func:`render_refusal`); ``blocks``, ``heading``, ``notices`` and ``why`` are its parts, for a view that
    renders it otherwise."""

    question: str
    found: bool
    answer: str
    citations: list[Citation] = field(default_factory=list)
    latency_ms: float = 0.0
    nearest: list[str] = field(default_factory=list)  # titles of the nearest documents, when not found
    reason: str = "ok"
    ranked_docs: list[str] = field(default_factory=list)  # hybrid-search document ranking (for eval)
    blocks: list[AnswerBlock] = field(default_factory=list)
    heading: str | None = None  # DISAGREE_HEADING, or the unit and older term the sentences come from
    notices: list[str] = field(default_factory=list)  # "⚠ Hướng dẫn 01-HD/TW đã được thay thế bởi …"
    why: str | None = None  # a refusal's reason in words ("Các tài liệu hiện có không nói về …")

    @classmethod
    def of(
        cls,
        question: str,
        blocks: list[AnswerBlock],
        citations: list[Citation],
        heading: str | None = None,
        notices: list[str] | None = None,
    ) -> Answer:
        """A found answer, its text rendered from its parts."""
        notices = notices or []
        text = render_text(blocks, heading, notices)
        return cls(question, True, text, citations, blocks=blocks, heading=heading, notices=notices)

    def add_notices(self, notices: list[str]) -> None:
        """Warnings added after the answer was composed (the same number shared by several documents): last,
        each a blank line apart."""
        if notices:
            self.notices = [*self.notices, *notices]
            self.answer = "\n\n".join([self.answer, *notices])

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "found": self.found,
            "answer": self.answer,
            "citations": [c.to_dict() for c in self.citations],
            "latency_ms": round(self.latency_ms, 1),
        }

    def sources_text(self) -> str:
        return "\n".join(source_line(c, numbers, group) for numbers, c, group in source_groups(self.citations))


def source_groups(citations: list[Citation]) -> list[tuple[list[int], Citation, list[Citation]]]:
    """One sources line per document: passages of the same document share it ("[1][2] title")."""
    groups: dict[str, tuple[list[int], Citation, list[Citation]]] = {}
    for c in citations:
        numbers, _, group = groups.setdefault(c.doc_id, ([], c, []))
        numbers.append(c.n)
        group.append(c)
    return list(groups.values())


def place_of(c: Citation) -> str:
    """Where in its document a passage is: "Điều 4, khoản 1, tr. 3" (empty when unknown)."""
    return ", ".join(x for x in (c.section, f"tr. {c.page}" if c.page else None) if x)


def source_line(c: Citation, numbers: list[int] | None = None, group: list[Citation] | None = None) -> str:
    """ "[1] Quy định 294-QĐ/TW thi hành Điều lệ Đảng (26/05/2025), mục 11.4.4, tr. 12"; several places of one
    document: "[1][2] … (09/06/2025): [1] mục 4, tr. 8; [2] mục 4, tr. 9"; news: "[2] title — LSO, 27/01/2021"."""
    when = format_date(c.published)
    markers = "".join(f"[{n}]" for n in (numbers or [c.n]))
    places = {x.n: place_of(x) for x in group or [c] if place_of(x)}
    if len(set(places.values())) > 1:
        listed = "; ".join(f"[{n}] {place}" for n, place in places.items())
        return f"{markers} {c.title}" + (f" ({when})" if when else "") + f": {listed}"
    if c.section or c.page:
        return f"{markers} {c.title}" + (f" ({when})" if when else "") + f", {place_of(c)}"
    details = ", ".join(x for x in (c.source, when) if x)
    return f"{markers} {c.title}" + (f" — {details}" if details else "")


def format_date(iso: str | None) -> str | None:
    if not iso:
        return None
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


def scope_label(title: str) -> str:
    """Short name of the unit a document is about: the part of the title before ':'."""
    head = title.split(":")[0].strip()
    return head if len(head) <= SCOPE_LABEL_CHARS else head[: SCOPE_LABEL_CHARS - 3] + "…"


def source_scope(hit: Hit) -> str:
    """ "Thành phố Lạng Sơn chuẩn bị …, nhiệm kỳ 2020–2025": the unit, and the term of an older news item."""
    label = scope_label(hit.title)
    return f"{label}, {hit.term_note}" if hit.term_note else label


def not_found(question: str, why: str | None, nearest: list[str], reason: str) -> Answer:
    return Answer(question, False, render_refusal(why, nearest), [], nearest=nearest, reason=reason, why=why)


def is_relevant(q: Query, hit: Hit, p: AnswerParams = DEFAULT_ANSWER, scale: float = 1.0) -> bool:
    """Does the best passage really answer this question?  Both signals must agree:
    most of the question's distinctive words are in the passage, and the
    embedding model finds it close; a very close passage needs less word overlap
    (paraphrases).  ``scale`` lowers the word share asked (a long question's)."""
    share = p.min_coverage * scale
    if hit.cosine >= p.strong_cosine and hit.coverage >= share * p.strong_cosine_coverage_share:
        return True
    return hit.coverage >= share and hit.cosine >= p.min_cosine


@dataclass
class _Sentence:
    hit_index: int
    start: int  # offset in the passage
    text: str
    score: float
    coverage: float


@dataclass
class Composition:
    blocks: list[AnswerBlock]
    citations: list[Citation]
    coverage: float  # share of the question's distinctive words in the best sentence
    type_ok: bool  # the kind of answer asked for (a number, a date, a name) is there
    clause: bool = False  # quoted whole clauses of official documents
    line_coverage: float = 0.0
    heading: str | None = None
    notices: list[str] = field(default_factory=list)
    # The first quoted clause and the folded words of its headings (what the refusal gate reads).
    clause_text: str = ""
    clause_head: frozenset[str] = frozenset()
    # What is quoted for the message's other questions (Query.parts): shown, never read by the refusal gates,
    # so a line quoted for one question cannot pass the gates for another.
    asides: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return render_text(self.blocks, self.heading, self.notices)

    @property
    def gate_text(self) -> str:
        """The answer as the refusal gates read it: without its asides."""
        text = self.text
        for aside in self.asides:
            text = text.replace(aside, "")
        return text

    def answer(self, question: str) -> Answer:
        return Answer.of(question, self.blocks, self.citations, self.heading, self.notices)


# Numbers written in words count as numbers: "mười hai tháng", "quá nửa", "hai phần ba", "rưỡi".
_NUMBER_WORDS = "mot hai ba bon nam sau bay tam chin muoi tram nghin ngan trieu ruoi".split()
# Fractions: "một nửa", "quá nửa", "hơn một nửa", "hai phần ba", "ba phần tư".
_FRACTION = r"(?:mot|qua|hon)\s+nua|phan\s+(?:hai|ba|tu|nam|muoi|tram)"
# A numeral in folded text: digits, a Roman number or a number word ("bước 4", "khóa XIV", "đợt hai").
_NUMERAL = r"(?:\d|[ivxl]+\b|(?:" + "|".join(_NUMBER_WORDS) + r")\b)"
_NUMBER_RE = re.compile(r"\d|\b(?:" + "|".join(_NUMBER_WORDS) + r"|" + _FRACTION + r")\b|\b[IVXL]{1,5}\b")
# "bao nhiêu người / ủy viên / đồng chí": any of these counts people.
_PERSON_NOUNS = {
    "nguoi",
    "dong chi",
    "uy vien",
    "thanh vien",
    "can bo",
    "dang vien",
    "dai bieu",
    "nhan su",
    "dang uy vien",
    "chi uy vien",
    "cap uy vien",
}
# Who counts for "bao nhiêu người / đồng chí / cán bộ": anyone.
_GENERIC_PERSONS = {"nguoi", "dong chi", "can bo"}
# The members of a committee, however named.
_MEMBER_NOUNS = {"uy vien", "thanh vien", "dang uy vien", "chi uy vien", "cap uy vien"}
# The (up to three) words after a question's asking words: the noun it counts or lists.
_ASKED_NOUN = r"\s+(\w+)(?:\s+(\w+)(?:\s+(\w+))?)?"
_COUNT_NOUN_RE = re.compile(r"\b(?:bao nhieu|may)" + _ASKED_NOUN)
# Classifiers count kinds of the noun after them, which the documents may count without the classifier:
# "mấy lớp độ tuổi" is answered by "cơ cấu ba độ tuổi", "bao nhiêu loại hồ sơ" by "hai hồ sơ".
_CLASSIFIERS = frozenset({"lop", "loai", "nhom", "kieu", "hang", "khoi", "tang"})


def _classified(m: re.Match[str]) -> str | None:
    """The noun a classifier counts (``m`` matched _ASKED_NOUN after asking words): its first syllable, or two
    when that one alone is a stopword ("mấy lớp độ tuổi" → "do tuoi"); None after any other word."""
    if m.group(1) not in _CLASSIFIERS or not m.group(2):
        return None
    counted = m.group(2) if m.group(2) not in STOPWORDS else " ".join(filter(None, m.group(2, 3)))
    return None if counted in STOPWORDS else counted


# The first syllables of offices and titles written in capitals after "đồng chí".
_OFFICE_WORDS = "(?:Tổng|Bí|Chủ|Ủy|Phó|Trưởng|Thủ|Giám|Chánh|Bộ|Thường|Đại|Chính)"
# "đồng chí Tô Lâm", "ông Nguyễn Văn A": a person named after a form of address.
_TITLED_NAME_RE = re.compile(
    rf"(?:đồng chí|Đồng chí|ông|Ông|bà|Bà)\s+(?!{_OFFICE_WORDS}\b)[{UPPER}][{LOWER}]+(?:\s+[{UPPER}][{LOWER}]+)+"
)
_NAME_RE = re.compile(
    rf"\b[{UPPER}][{LOWER}]*(?:\s+[{UPPER}][{LOWER}]*){{2,}}"  # Nguyễn Mạnh Hùng
    rf"|\b[{UPPER}]{{2,}}(?:\s+[{UPPER}]+){{1,3}}\b"  # ĐỖ THANH LÃNG
    # "đồng chí Tô Lâm", not "đồng chí Tổng Bí thư": an office is not a name.
    rf"|\b(?:[Đđ]ồng chí|[Đđ]ại tá|[Tt]hiếu tướng|[Tt]rung tướng|[Tt]hượng tá)\s+(?!{_OFFICE_WORDS}\b)"
    rf"[{UPPER}][{LOWER}]*\s+[{UPPER}]"
)
_DAY_RE = re.compile(r"\b\d{1,2}\s*[/\-]\s*\d{1,2}\b|\bngày\s+\d")
# A month or a year, but not a term of office ("nhiệm kỳ 2020 - 2025").
_DATE_RE = re.compile(
    r"\b\d{1,2}\s*[/\-]\s*\d{1,2}\b|\b(?:ngày|tháng)\s+\d|(?<!kỳ )(?<!\d[-–])(?<!\d[-–] )(?<!\d [-–] )\b(?:19|20)\d{2}\b(?!\s*[-–])"
)
# A question that asks for a span of years ("từ năm nào đến năm nào", "giai đoạn nào") is answered by a
# range ("giai đoạn 2025 - 2030"), which alone is no date for "năm nào".
_SPAN_ASKED_RE = re.compile(r"\btu (?:nam|thang) nao\b|\bden (?:nam|thang) nao\b|\b(?:giai doan|nhiem ky) nao\b")
_YEAR_SPAN_RE = re.compile(r"\b(?:19|20)\d{2}\s*[-–]\s*(?:19|20)\d{2}\b")


# "Bao giờ phải …", "thời điểm nào" ask when a thing is done, which a rule tells by the event or the time
# limit it is done within ("ngay khi đảng viên được tiếp nhận đến", "trong thời hạn 7 ngày", "chậm nhất …");
# "ngày nào", "năm nào" ask for a date.
_WHEN_DONE_ASKED_RE = re.compile(r"\bbao gio\b|\bthoi diem nao\b")
_WHEN_DONE_RE = re.compile(
    r"\bngay (?:sau )?khi\b|\bcham nhat\b|\btrong (?:thoi han|vong) (?:\w+ )?(?:ngay|tuan|thang|nam)\b"
)


def _says_when(q: Query, text: str) -> bool:
    """Does a sentence give the date asked for: a day, month or year, the span of years a span asks, or the
    event or time limit a "bao giờ" asks?"""
    if _DATE_RE.search(text):
        return True
    if _SPAN_ASKED_RE.search(q.folded) and _YEAR_SPAN_RE.search(text):
        return True
    return bool(_WHEN_DONE_ASKED_RE.search(q.folded) and _WHEN_DONE_RE.search(fold(text)))


# Where a period starts, said as an event: "kể từ ngày ký", "tính từ ngày …", "ngày ghi trong quyết định",
# "đúng thời điểm hết 12 tháng dự bị".
_STARTS_AT_RE = re.compile(r"\b(?:tinh|ke) tu\b|\btu ngay\b|\bthoi diem\b|\bngay ghi\b|\blay ngay\b")
# "Bao lâu" asks for a length of time: a number of days, weeks, months, years or hours.
_HOW_LONG_RE = re.compile(r"\bbao lau\b")
_DURATION_RE = re.compile(
    r"(?:\d[\d.,]*|\b(?:" + "|".join(_NUMBER_WORDS) + r"))\s+(?:\w+\s+)?(?:ngay|tuan|thang|nam|gio)\b"
)
# "Bao lâu một lần", "mấy lần một năm" ask how often: "hằng năm", "định kỳ", "mỗi tháng một lần" answer it.
_HOW_OFTEN_RE = re.compile(
    r"\b(?:bao lau|may (?:ngay|tuan|thang|nam)) (?:thi )?(?:mot|1) lan\b"
    r"|\b(?:may|bao nhieu) lan (?:mot|moi|trong(?: mot)?) (?:tuan|thang|quy|nam|nhiem ky)\b"
)
_FREQUENCY_RE = re.compile(
    r"\b(?:hang|moi) (?:ngay|tuan|thang|quy|nam|nhiem ky)\b|\bdinh ky\b"
    r"|\b(?:ngay|tuan|thang|quy|nam|nhiem ky) (?:mot|hai|ba|\d+) lan\b"
)
# "Quý mấy", "tháng mấy", "lần thứ mấy", "khóa mấy", "đợt mấy": which one of a numbered series is asked,
# answered by the same word and its number ("quý 3", "thứ XIV") or by "đầu tiên", whatever noun follows.
_ORDINAL_ASKED_RE = re.compile(r"\b(?:(\w+)\s+)?(quy|thang|thu|khoa|dot)\s+may\b")
# Nouns that label the items of a procedure: "Bước 1: …, Bước 5: …" answers "qua mấy bước?" and "họp tổ là
# bước thứ mấy?" as surely as "năm bước" would.
_ITEM_LABEL_NOUNS = STEP_NOUNS | {"vong"}  # and the rounds of a vote: "vòng 2"
# The kinds of answer a line can be seen to hold.
TYPED_WANTS = frozenset({Wants.COUNT, Wants.DATE, Wants.DAY, Wants.SINCE, Wants.PERSON, Wants.MONEY})
# An amount of money as the documents write one: "500.000 đồng", "2 triệu đồng", "1% tiền lương", "1,5 lần
# mức lương cơ sở".
_MONEY_RE = re.compile(
    # "500.000 đồng", not "15 đồng chí".
    r"\d[\d.,]*\s*(?:triệu|nghìn|ngàn|tỷ)?\s*(?:đồng(?!\s+(?:chí|bào|thời|ý)\b)|vnđ|vnd)\b"
    r"|\b(?:triệu|nghìn|ngàn|tỷ) đồng\b"
    # A share of a pay, not of anything ("doanh nghiệp 100% vốn nước ngoài").
    r"|(?:\d\s*%|\bphần trăm)\s*(?:\w+\s+){0,3}?(?:tiền|lương|thu nhập|phụ cấp|mức)"
    r"|\blương cơ sở\b|\blương tối thiểu\b",
    re.I,
)


def _says_when_it_starts(text: str, folded: str) -> bool:
    """Does a sentence (as written, and folded) give where a period starts: a date or the event?"""
    return bool(_DATE_RE.search(text) or _STARTS_AT_RE.search(folded))


def type_satisfied(q: Query, text: str) -> bool:
    """Does this sentence hold the kind of answer the question asks for?"""
    folded = fold(text)
    if Wants.DAY in q.wants and not _DAY_RE.search(text):
        return False
    if Wants.DATE in q.wants and not _says_when(q, text):
        return False
    if Wants.SINCE in q.wants and not _says_when_it_starts(text, folded):
        return False
    if Wants.PERSON in q.wants and not (_NAME_RE.search(text) or _TITLED_NAME_RE.search(text)):
        return False
    if Wants.MONEY in q.wants:
        return bool(_MONEY_RE.search(text))  # any other number ("Huy hiệu 50 năm") is not the amount asked
    if Wants.COUNT in q.wants and _SPAN_ASKED_RE.search(q.folded) and _YEAR_SPAN_RE.search(text):
        return True  # "giai đoạn mấy năm, từ năm nào đến năm nào?": the span says both
    if Wants.COUNT in q.wants and _HOW_OFTEN_RE.search(q.folded):
        return bool(_FREQUENCY_RE.search(folded))
    ordinal = _ORDINAL_ASKED_RE.search(q.folded) if Wants.COUNT in q.wants else None
    if ordinal:
        # "quý mấy năm 2025" asks which quarter: "quý 3/2025", not a number of years.
        before, said = ordinal.group(1, 2)
        return bool(
            re.search(rf"\b{said}\s+{_NUMERAL}", folded)
            or re.search(r"\bdau tien\b|\bthu nhat\b", folded)  # "nhiệm kỳ đầu tiên", "lần thứ nhất"
            or (said == "thang" and _DAY_RE.search(text))
            or (said == "thu" and before in _ITEM_LABEL_NOUNS and re.search(rf"\b{before}\s+{_NUMERAL}", folded))
        )
    if Wants.COUNT in q.wants:
        if not _NUMBER_RE.search(text if re.search(r"\d", text) else folded):
            return False
        m = _COUNT_NOUN_RE.search(q.folded)
        if not m and _HOW_LONG_RE.search(q.folded):
            return bool(_DURATION_RE.search(folded))
        noun = m.group(1) if m else None
        if noun == "phan":
            # "bao nhiêu phần trăm" wants a percentage; "mấy phần (số thành viên)" a share, however written.
            percent = re.search(r"\d\s*%|phan tram", folded)
            return bool(percent or (m.group(2) != "tram" and re.search(_FRACTION + r"|\d+\s*/\s*\d+", folded)))
        # Two-syllable nouns first: a syllable of "đồng chí" or "cán bộ" alone is a stopword ("chỉ", "cần").
        if m and f"{noun} {m.group(2)}" in _PERSON_NOUNS:
            noun = f"{noun} {m.group(2)}"
        if noun and (noun in _PERSON_NOUNS or noun not in STOPWORDS) and noun.replace(" ", "").isalpha():
            # "bao nhiêu ĐV": the documents write the full form ("đảng viên").
            forms = {noun, *q.other_forms.get(noun, ()), *filter(None, [_classified(m)])}
            if forms & _GENERIC_PERSONS:
                nouns = _PERSON_NOUNS | forms  # "bao nhiêu người": members, delegates, officials all count
            elif forms & _PERSON_NOUNS:
                # "bao nhiêu ủy viên": not delegates ("550 đại biểu"); its kinds ("đảng ủy viên") and "người" do.
                kinds = {
                    n
                    for n in _PERSON_NOUNS
                    for f in forms
                    if n.endswith(f) or f in _MEMBER_NOUNS and n in _MEMBER_NOUNS
                }
                nouns = forms | kinds | _GENERIC_PERSONS
            else:
                nouns = forms
            number = r"(?:\d[\d.,]*|" + "|".join(_NUMBER_WORDS) + "|" + _FRACTION + r")"
            counted = "(?:" + "|".join(nouns) + ")"
            # "1.587 đại biểu", or a table's cell labelled with its column: "Số đại biểu: 1587".
            if not re.search(
                number + r"\s+(?:\w+\s+){0,2}" + counted + r"\b|\bso\s+" + counted + r"\s*:\s*" + number, folded
            ) and not (nouns & _ITEM_LABEL_NOUNS and re.search(rf"\b{counted}\s+{_NUMERAL}", folded)):
                return False
    return True


def _score_sentence(
    q: Query,
    text: str,
    weights: dict[str, float],
    total: float,
    prior: float,
    given: set[str] = frozenset(),
    p: AnswerParams = DEFAULT_ANSWER,
) -> tuple[float, float]:
    """Score and coverage of one sentence; ``given`` words count as present (see compose)."""
    tokens = _folded_words(text)
    folded = " ".join(tokens)
    coverage = _coverage(q, weights, total, set(tokens) | given, folded)
    phrase = _phrase_share(_topic_bigrams(q), folded)
    expansions = sum(1 for e in q.expansions if fold(e) in folded) / max(len(q.expansions), 1) if q.expansions else 0
    bonus = 0.0
    if Wants.COUNT in q.wants and _NUMBER_RE.search(text):
        bonus += p.count_bonus
    if Wants.DATE in q.wants and _says_when(q, text):
        bonus += p.date_bonus
    if Wants.SINCE in q.wants and _says_when_it_starts(text, folded):
        bonus += p.date_bonus
    if Wants.WHO in q.wants and _NAME_RE.search(text):
        bonus += p.name_bonus
    length_penalty = p.short_sentence_penalty if len(tokens) < p.short_sentence_words else 0.0
    if negation_clash(q.folded, folded):
        length_penalty += p.negation_penalty
    bonus += p.case_fit_weight * case_fit(case_amounts(q.folded), folded)
    score = coverage + p.phrase_weight * phrase + p.expansion_weight * expansions + bonus + p.prior_weight * prior
    return score - length_penalty, coverage


# "có tổ chức đảng" / "chưa có tổ chức đảng": the same words, the opposite case.
_NEGATED_RE = re.compile(r"\b(chua|khong)? ?\bco ((?:\w+ ){1,2}\w+)")


def _has_state(folded: str) -> dict[str, bool]:
    """What a folded text says is there or is not ("có X" → X: True, "chưa/không có X" → X: False), each X
    as its first two words."""
    out: dict[str, bool] = {}
    for m in _NEGATED_RE.finditer(folded):
        what = " ".join(m.group(2).split()[:2])
        out.setdefault(what, m.group(1) is None)
    return out


@lru_cache(maxsize=256)
def _asked_state(q_folded: str) -> dict[str, bool]:
    """What the question says is there or is not (see _has_state), once per question."""
    return _has_state(" ".join(_folded_words(q_folded)))


def negation_clash(q_folded: str, folded: str) -> bool:
    """Does a text say the opposite of the question's case ("chưa có tổ chức đảng" to "… có tổ chức đảng")?"""
    asked = _asked_state(q_folded)
    if not asked:
        return False
    said = _has_state(folded)
    return any(what in said and said[what] != there for what, there in asked.items())


def _coverage(q: Query, weights: dict[str, float], total: float, words: set[str], folded: str) -> float:
    """The share of the question's weighted words that a text (its folded words and folded text) holds."""
    return q.held_weight(weights, words, folded) / total


def _topic_bigrams(q: Query) -> list[str]:
    """The question's word pairs but those of the words of nearly every passage ("đại hội")."""
    return [b for b in q.bigrams if not set(b.split()) <= DOMAIN_COMMON]


def _phrase_share(bigrams: list[str], folded: str) -> float:
    """The share of the word pairs found in a folded text."""
    return sum(1 for b in bigrams if f" {b} " in f" {folded} ") / max(len(bigrams), 1)


_LETTERHEAD_RE = re.compile(r"^(số\s*[:.]?\s*\d|[^,]{2,40},\s*ngày\s+\d{1,2}\s+tháng)", re.I)


# A list clause is read on over at most this many following passages (a list longer than the budget is
# cut before that anyway).
MAX_CONTINUED_PASSAGES = 3


# Passages and their sentences come back question after question: their folded words are kept.
FOLD_CACHE_TEXTS = 20_000


@lru_cache(maxsize=FOLD_CACHE_TEXTS)
def _folded_words(text: str) -> tuple[str, ...]:
    return tuple(folded_words(text))


@lru_cache(maxsize=4096)
def _folded_title(title: str) -> str:
    return fold(title).rstrip(". ")


@lru_cache(maxsize=FOLD_CACHE_TEXTS)
def _is_heading(text: str, title: str) -> bool:
    """The document's headline, an all-capitals letterhead line, "Số 99-HD/ĐU" or "Hà Nội, ngày …"."""
    folded = fold(text).rstrip(". ")
    if folded == _folded_title(title) or folded in _folded_title(title):
        return True
    letters = [ch for ch in text if ch.isalpha()]
    return (bool(letters) and all(ch.isupper() for ch in letters)) or bool(_LETTERHEAD_RE.match(text.strip()))


def _is_question_line(text: str, start: int, end: int) -> bool:
    """Is text[start:end] a question that is a whole line (a sub-heading of a question-and-answer article)?"""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : len(text) if line_end < 0 else line_end].strip()
    return line.endswith("?") and line == text[start:end].strip()


@lru_cache(maxsize=FOLD_CACHE_TEXTS)
def _answer_units(text: str) -> tuple[tuple[int, int], ...]:
    """Sentences, with a fragment of a few words ("Từ tháng 8/2019.") joined to the next one on its line; a
    table row is one unit."""
    units = glue_fragments(
        [(s.start, s.end) for s in split_sentences(text)],
        lambda u: len(text[u[0] : u[1]].split()) < FRAGMENT_WORDS and "\n" not in text[u[1] : u[1] + 2],
        lambda a, b: (a[0], b[1]),
    )
    # A sentence of a row's last cell ("Mở rộng quan hệ đối ngoại …" in "Lần thứ VII | Thời gian: 24 -
    # 27/6/1991 | … | Nội dung: Đề ra Cương lĩnh …. Mở rộng …") does not say which row it is of.
    return tuple(glue_fragments(units, lambda u: _in_table_row(text, u), lambda a, b: (a[0], b[1])))


def _in_table_row(text: str, unit: tuple[int, int]) -> bool:
    """Does the unit end inside a table row ("… | … | …") that goes on after it on its line?"""
    line_end = text.find("\n", unit[1])
    line_end = len(text) if line_end < 0 else line_end
    if not text[unit[1] : line_end].strip():
        return False
    line = text[text.rfind("\n", 0, unit[0]) + 1 : line_end]
    return line.count(CELL_SEP) >= MIN_COLUMNS - 1


def compose(
    q: Query,
    hits: list[Hit],
    idf: dict[str, float],
    named: set[str] = frozenset(),
    p: AnswerParams = DEFAULT_ANSWER,
    following: Callable[[Hit], Hit | None] | None = None,
    linked: Callable[[Hit, tuple], list[tuple[Hit, tuple]]] | None = None,
    sections: Callable[[Hit, str], list[Hit]] | None = None,
) -> Composition:
    """Pick the answering sentences, or whole clauses of official documents, and number the passages they
    come from: choose the passages to read, score and rank their sentences, then either quote the clause
    that answers (compose_clauses) or choose sentences, cite their passages and lay them out.
    ``following`` gives the passage after a hit's (a list cut across passages is read on); ``linked`` the
    charter's clauses a section implements, or the sections implementing a charter clause; ``sections`` the
    passages of a hit's document that open in a section or its parts."""
    pool, n_main = _choose_pool(q, hits, p)
    weights = _topic_weights(q, idf)
    ref_words = _ref_words(q)
    sentences, others = _score_sentences(q, pool, n_main, hits[0].score, weights, ref_words, named, p)
    if not sentences:
        return Composition([], [], 0.0, False)
    sentences, type_ok = _rank_sentences(q, sentences, p)
    if pool[sentences[0].hit_index].units and Wants.COMPARE not in q.wants:
        # Clauses are scored whole, so more passages can be read than for sentence picking: the kind of
        # answer asked for may be in a passage read only for other figures ("định kỳ hàng tháng").
        type_ok = type_ok or bool(others) and _rank_sentences(q, sentences + others, p)[1]
        min_coverage = p.min_coverage * p.pool_coverage_share
        wide = [h for h in hits[: p.clause_hits] if h.units and (h in pool or h.coverage >= min_coverage)]
        line_scores = _line_scores(q, sentences, pool, p)
        return compose_clauses(q, wide, line_scores, type_ok, weights, ref_words, named, p, following, linked, sections)
    chosen = _choose_sentences(q, sentences, pool, p)
    read_on: list[tuple[Hit, list[str]]] = []
    asides: list[_Sentence] = []
    group = None
    if (
        chosen
        and (Wants.LIST in q.wants or counts_its_items(chosen[0].text))
        and _leads_list(pool[chosen[0].hit_index].text, chosen[0].start, chosen[0].text)
    ):
        # The list asked for, or the items a lead-in counts ("… với 2 nội dung:"), whole, is the answer.
        chosen = chosen[:1]
        h = pool[chosen[0].hit_index]
        group = _asked_group(q, weights, h, chosen[0].start, chosen[0].text, following, p.list_budget_chars, p)
        if group is not None:
            own_lines, read_on = group
        elif following is not None:
            lines, to_end = _list_lines(h.text, chosen[0].start, chosen[0].text, p.list_budget_chars)
            if to_end:
                used = len(chosen[0].text) + sum(map(len, lines))
                kind = item_kind(lines[-1]) if lines else None
                read_on = _items_read_on(h, kind, following, p.list_budget_chars - used)
    if Wants.LIST in q.wants and chosen and not read_on:
        chosen += [s for s in _enumeration_after(chosen[0], sentences, pool, p) if s not in chosen]
    elif Wants.LIST not in q.wants:
        asides = _part_sentences(q, chosen, sentences, weights, p)
        chosen += asides
    lead_coverage = chosen[0].coverage if chosen else 0.0
    top = sentences[0].score
    chosen += _other_figures(q, chosen, sentences + others, pool, p.other_figure_share * top, p)
    # Read in document order within each passage, passages in rank order.
    chosen.sort(key=lambda s: (s.hit_index, s.start))
    citations, numbers = _cite(chosen, pool)
    blocks, heading = _sentence_blocks(q, chosen, pool, numbers, p)
    if group is not None:
        blocks[0] = replace(blocks[0], text="\n".join([chosen[0].text, *own_lines]))
    if read_on:
        # The list goes on in the passages after its own: their items, each passage cited.
        lines, cites = [blocks[0].text], list(blocks[0].cites)
        for h, items in read_on:
            if items != [OMITTED]:
                citations.append(Citation.from_hit(len(citations) + 1, h, round(h.score, SCORE_DIGITS)))
                cites.append(len(citations))
            lines += items
        blocks[0] = replace(blocks[0], text="\n".join(lines), cites=tuple(cites))
    notices = notices_of([pool[s.hit_index] for s in chosen])
    return Composition(
        blocks,
        citations,
        lead_coverage,
        type_ok,
        heading=heading,
        notices=notices,
        asides=tuple(s.text for s in asides),
    )


def _part_weights(q: Query, weights: dict[str, float], p: AnswerParams) -> list[dict[str, float]]:
    """The words of each question a message asks (``q.parts``) that no other of its questions has, with their
    weights: only for the questions whose own words weigh ``part_min_share`` of the words they all ask."""
    held = [{t for t in weights if f" {t} " in f" {part} " and not t.isdigit()} for part in q.parts]
    total = sum(weights[t] for t in set().union(*held)) or 1.0
    out = []
    for i, words in enumerate(held):
        own = words - set().union(*(w for j, w in enumerate(held) if j != i))
        seg = {t: weights[t] for t in own}
        if sum(seg.values()) >= p.part_min_share * total:
            out.append(seg)
    return out


class _Scored(Protocol):
    score: float


_S = TypeVar("_S", bound=_Scored)


def _part_answer(held: Callable[[_S], float], already: float, others: Iterable[_S], p: AnswerParams) -> _S | None:
    """What answers one of a message's questions (``held``: the share of its own words a clause or sentence
    holds): nothing when what is shown already holds ``part_held_share`` of them (``already``), else the one of
    ``others`` holding most of them (then the best scored, then the first), when it holds that share."""
    if already >= p.part_held_share:
        return None
    best = max(((held(x), x.score, -i, x) for i, x in enumerate(others)), key=lambda t: t[:3], default=None)
    return best[3] if best is not None and best[0] >= p.part_held_share else None


def _part_sentences(
    q: Query, chosen: list[_Sentence], sentences: list[_Sentence], weights: dict[str, float], p: AnswerParams
) -> list[_Sentence]:
    """For a message asking several questions (``q.parts``), the sentence answering each one the chosen
    sentences leave unanswered: the best scored of those holding most of its words."""
    if not chosen:
        return []
    added: list[_Sentence] = []
    floor = p.part_score_share * sentences[0].score
    for seg in _part_weights(q, weights, p):
        total = sum(seg.values())

        def held(s: _Sentence, seg: dict[str, float] = seg, total: float = total) -> float:
            words = _folded_words(s.text)
            return _coverage(q, seg, total, set(words), " ".join(words))

        shown = chosen + added
        others = (s for s in sentences if s.score >= floor and s not in shown)
        top = _part_answer(held, max(map(held, shown)), others, p)
        if top is not None:
            added.append(top)
    return added


def _enumeration_after(
    first: _Sentence, sentences: list[_Sentence], pool: list[Hit], p: AnswerParams
) -> list[_Sentence]:
    """ "… có nhiều thuận lợi và khó khăn, thách thức đan xen. Cuộc Cách mạng công nghiệp lần thứ tư …, đại dịch
    COVID-19 …, nhiều vướng mắc …": a list question's best sentence announces what the next sentence of its
    paragraph lists.  That sentence, when it enumerates (more comma- or semicolon-separated parts than the
    first, at least ``enumeration_min_parts``)."""
    text = pool[first.hit_index].text
    end = first.start + len(first.text)
    after = [s for s in sentences if s.hit_index == first.hit_index and s.start >= end]
    nxt = min(after, key=lambda s: s.start, default=None)
    if nxt is None or "\n\n" in text[end : nxt.start]:
        return []
    parts = len(re.split(r"[,;]", nxt.text))
    return [nxt] if parts >= p.enumeration_min_parts and parts > len(re.split(r"[,;]", first.text)) else []


def _choose_pool(q: Query, hits: list[Hit], p: AnswerParams) -> tuple[list[Hit], int]:
    """The passages whose sentences are scored, and how many of them may answer: the rest (for "how many"
    questions) are read only to find other documents' figures for the same count."""
    best = hits[0].score
    min_coverage = p.min_coverage * p.pool_coverage_share
    if Wants.COMPARE in q.wants:
        # Several units asked about: up to two passages from each of several documents.
        pool, seen = [], {}
        for h in hits[: p.compare_hits]:
            if (
                h.coverage >= min_coverage
                and seen.get(h.doc_id, 0) < p.compare_passages_per_doc
                and len(pool) < p.compare_passages
            ):
                pool.append(h)
                seen[h.doc_id] = seen.get(h.doc_id, 0) + 1
    else:
        pool = [
            h for h in hits[: p.max_passages] if h.score >= p.pool_score_share * best and h.coverage >= min_coverage
        ]
    pool = pool or hits[:1]
    n_main = len(pool)
    if Wants.COUNT in q.wants:
        pool = pool + [h for h in hits[: p.count_hits] if h not in pool and h.coverage >= min_coverage]
    return pool, n_main


def _topic_weights(q: Query, idf: dict[str, float]) -> dict[str, float]:
    """The question's topic words with their IDF, less the place it names (the place filter has already
    chosen the documents) and the Điều lệ's name when it cites it."""
    return topic_weights(idf, {w for place in q.places for w in place.folded.split()} | q.charter_name_terms)


def _ref_words(q: Query) -> set[str]:
    """ "Hướng dẫn 99-HD/ĐU quy định gì?": inside the document that *is* Hướng dẫn 99 (its title names it),
    the number and the generic asking words are satisfied by every sentence."""
    return {w for r in q.refs for w in re.findall(r"\w+", fold(r.label()))} | (ASKING_WORDS if q.refs else set())


def _given_words(q: Query, h: Hit, ref_words: set[str]) -> set[str]:
    """The words every sentence of a document the question names holds: its number and the asking words
    (_ref_words), or the words of its title the question names it by ("Quy định thi hành Điều lệ": the
    clause of Quy định 294 that says "quy định của Điều lệ" is not the more on the question for it)."""
    return ref_words | set(title_name_words(q.folded, h.doc_type, h.title, h.doc_number))


def _score_sentences(
    q: Query,
    pool: list[Hit],
    n_main: int,
    best: float,
    weights: dict[str, float],
    ref_words: set[str],
    named: set[str],
    p: AnswerParams,
) -> tuple[list[_Sentence], list[_Sentence]]:
    """Every sentence of the pool but headings, scored: those of the first ``n_main`` passages, with their
    document's rank and whether it is in force, and those of the passages read for other figures (plain)."""
    query_refs = {r.key for r in q.refs}
    total = sum(weights.values()) or 1.0
    wants_list = Wants.LIST in q.wants
    sentences: list[_Sentence] = []
    for i, h in enumerate(pool):
        prior = h.score / best
        is_ref_doc = h.doc_id in named or (bool(query_refs) and bool(query_refs & {r.key for r in find_refs(h.title)}))
        given = _given_words(q, h, ref_words) if is_ref_doc else set()
        for start, end in _answer_units(h.text):
            text = h.text[start:end]
            if _is_heading(text, h.title):
                continue  # headlines and letterheads are shown in the sources already
            if _is_question_line(h.text, start, end):
                continue  # a news item's sub-heading asks ("… ra sao?"); the paragraphs after it answer
            score, coverage = _score_sentence(q, text, weights, total, prior, given, p)
            if wants_list and _leads_list(h.text, start, text):
                # A list's lead-in is shown with its items: it is scored with them, and ahead of an item
                # alone by how much of the question the lead-in itself holds.
                listed = _with_items(h.text, start, text, p.list_budget_chars)
                score, whole = _score_sentence(q, listed, weights, total, prior, given, p)
                score += p.list_lead_bonus * coverage
                coverage = whole
            sentences.append(_Sentence(i, start, text, score, coverage))
    others = [s for s in sentences if s.hit_index >= n_main]
    sentences = [s for s in sentences if s.hit_index < n_main]
    for sent in sentences:
        # The Điều lệ above its Quy định above the Hướng dẫn above local guidance and news.
        sent.score += p.authority_weight * pool[sent.hit_index].authority / p.max_authority
        if pool[sent.hit_index].status in OUT_OF_FORCE:
            sent.score -= p.out_of_force_penalty
    return sentences, others


def _rank_sentences(q: Query, sentences: list[_Sentence], p: AnswerParams) -> tuple[list[_Sentence], bool]:
    """Best first, those that hold the kind of answer asked for (a number, a date, a name) ahead when the
    best of them scores near the best; and whether they do."""
    sentences = sorted(sentences, key=lambda s: -s.score)
    typed = [s for s in sentences if type_satisfied(q, s.text)]
    type_ok = bool(typed) and typed[0].score >= p.typed_share * sentences[0].score
    if type_ok:
        sentences = typed + [s for s in sentences if s not in typed]
    return sentences, type_ok


def _line_scores(
    q: Query, sentences: list[_Sentence], pool: list[Hit], p: AnswerParams
) -> dict[tuple[int, int], float]:
    """(passage id, offset of a line) → the best score of a sentence on that line: which items of a long
    clause to keep.  A line holding the kind of answer asked for (the number of "bao lâu") counts more."""
    lines: dict[tuple[int, int], float] = {}
    for sent in sentences:
        h = pool[sent.hit_index]
        line = h.text.rfind("\n", 0, sent.start) + 1
        score = sent.score + _typed_line_bonus(q, sent.text, p)
        lines[(h.passage_id, line)] = max(lines.get((h.passage_id, line), 0.0), score)
    return lines


def _adds(q: Query, weights: dict[str, float]) -> Callable[[str, str], float]:
    """The share of the question's words (by weight) a line holds that a text shown before it does not."""
    total = sum(weights.values()) or 1.0

    def adds(line: str, shown: str) -> float:
        said = _folded_words(shown)
        unsaid = {t: w for t, w in weights.items() if not q.holds(t, set(said), " ".join(said))}
        words = _folded_words(line)
        return q.held_weight(unsaid, set(words), " ".join(words)) / total

    return adds


def _typed_line_bonus(q: Query, text: str, p: AnswerParams) -> float:
    """What a line gains for holding the kind of answer asked for (a number, a date, a name)."""
    return p.typed_line_bonus if q.wants & TYPED_WANTS and type_satisfied(q, text) else 0.0


def _passage_line_scores(q: Query, h: Hit, weights: dict[str, float], p: AnswerParams) -> dict[int, float]:
    """Offset of a line of one passage → the best score of a sentence on it (see _line_scores)."""
    total = sum(weights.values()) or 1.0
    sentences = []
    for start, end in _answer_units(h.text):
        text = h.text[start:end]
        score, coverage = _score_sentence(q, text, weights, total, 0.0, set(), p)
        sentences.append(_Sentence(0, start, text, score, coverage))
    return {line: score for (_, line), score in _line_scores(q, sentences, [h], p).items()}


def _choose_sentences(q: Query, sentences: list[_Sentence], pool: list[Hit], p: AnswerParams) -> list[_Sentence]:
    """The best sentences near the best score, a few per document, no repeats; for a comparison first the
    best sentence of each document, so every unit is heard."""
    top = sentences[0].score
    chosen: list[_Sentence] = []
    per_doc: dict[str, int] = {}
    if Wants.COMPARE in q.wants:
        for s in sentences:
            doc = pool[s.hit_index].doc_id
            if doc not in per_doc and s.score >= p.compare_share * top and len(chosen) < p.max_sentences:
                chosen.append(s)
                per_doc[doc] = 1
    for s in sentences:
        if len(chosen) >= p.max_sentences or s.score < p.sentence_share * top:
            break
        if s in chosen:
            continue
        doc = pool[s.hit_index].doc_id
        if per_doc.get(doc, 0) >= p.sentences_per_doc or any(fold(s.text) == fold(c.text) for c in chosen):
            continue
        chosen.append(s)
        per_doc[doc] = per_doc.get(doc, 0) + 1
    return chosen


def _cite(chosen: list[_Sentence], pool: list[Hit]) -> tuple[list[Citation], dict[int, int]]:
    """One citation per passage, numbered in the order the answer first uses them; passage id → number."""
    citations: list[Citation] = []
    numbers: dict[int, int] = {}
    for s in chosen:
        h = pool[s.hit_index]
        if h.passage_id not in numbers:
            numbers[h.passage_id] = len(citations) + 1
            citations.append(Citation.from_hit(numbers[h.passage_id], h, round(h.score, SCORE_DIGITS)))
    return citations, numbers


def _sentence_blocks(
    q: Query, chosen: list[_Sentence], pool: list[Hit], numbers: dict[int, int], p: AnswerParams
) -> tuple[list[AnswerBlock], str | None]:
    """The chosen sentences, each with its citation number, a lead-in with its list's items; from several
    documents each labelled with its unit (and, under a heading, different figures for the same count said
    to be so); news of an earlier term under a heading that says which."""
    budget = p.list_budget_chars if Wants.LIST in q.wants else p.clause_budget_chars
    hits = [pool[s.hit_index] for s in chosen]
    texts = [
        _with_items(h.text, s.start, s.text, p.list_budget_chars if counts_its_items(s.text) else budget)
        if _leads_list(h.text, s.start, s.text)
        else s.text
        for s, h in zip(chosen, hits, strict=True)
    ]
    # A sentence already shown as an item of an earlier lead-in from its passage is not shown twice.
    shown = [
        i
        for i, (s, h) in enumerate(zip(chosen, hits, strict=True))
        if not any(hits[j].passage_id == h.passage_id and s.text in texts[j] for j in range(i))
    ]
    hits, texts = [hits[i] for i in shown], [texts[i] for i in shown]
    cites = [(numbers[h.passage_id],) for h in hits]
    if len({h.doc_id for h in hits}) > 1:
        heading = DISAGREE_HEADING if _disagree(q, texts) else None
        blocks = [AnswerBlock(t, c, source=source_scope(h)) for t, c, h in zip(texts, cites, hits, strict=True)]
        return blocks, heading
    # News of an earlier congress term: say which term this practice comes from.
    heading = f"{scope_label(hits[0].title)}, {hits[0].term_note}:" if hits and hits[0].term_note else None
    return [AnswerBlock(t, c) for t, c in zip(texts, cites, strict=True)], heading


@dataclass
class _Candidate:
    """A numbered section of a retrieved passage, scored as a whole answer."""

    hit_index: int
    unit: tuple[str, int, int, int | None]  # (label, start, end, page) in the passage
    score: float
    coverage: float
    typed: bool  # holds the kind of answer asked for
    head: frozenset[str] = frozenset()  # the folded words of its title, path and context
    list_intro: float = 0.0  # the share of the question its list's lead-in holds (0 when not a list)


_PLACE_IN_DOC_RE = re.compile(r"\b(điều|khoản|mục|điểm)\s+(\d{1,3}(?:\.\d{1,2}){0,4}|[a-zđ](?=\W|$))", re.I)
# The part before the first article or section ("phần mở đầu Điều lệ", "lời nói đầu"), folded: its label.
_PREAMBLE_NAMED_RE = re.compile(r"\b(?:phan mo dau|loi noi dau|loi mo dau)\b")


def named_places(question: str) -> list[str]:
    """Places in a document the question names: "Điều 4", "mục 3.2", "khoản 2", "phần mở đầu" (as section
    labels write them)."""
    out = []
    for word, number in _PLACE_IN_DOC_RE.findall(question):
        word = word.lower()
        out.append(f"Điều {number}" if word == "điều" else f"{word} {number}")
    if _PREAMBLE_NAMED_RE.search(fold(question)):
        out.append("phần mở đầu")
    return out


def _is_named_place(label: str, places: list[str]) -> bool:
    """Is the section labelled ``label`` ("Điều 30, khoản 2") a place the question names?  Its own number
    must be named: not one that begins the same ("Điều 3" is not "Điều 30", "mục 3.2" not "mục 3.2.1"), nor
    only the section holding it (asked "Điều 30", its "khoản 2" is a part of the answer, not the answer)."""
    parts = label.split(", ")
    return parts[-1] in places


# A blank to fill in: dots or an ellipsis ("ĐẢNG ỦY….", "ngày… tháng…", "Đồng chí: …………").
_BLANK_RE = re.compile(r"…|\.{3,}")
# A form is asked about: "mẫu", "maket", "biểu mẫu", "phiếu" (a ballot is a form too).
_FORM_WORDS_RE = re.compile(r"\b(mau|maket|bieu mau|phieu)\b")
# A text is a form when at least this many of its lines, and this share of them, hold a blank.
BLANK_FORM_LINES = 3
BLANK_FORM_SHARE = 0.3


def is_blank_form(text: str) -> bool:
    """Is this text a form to fill in (a template, not a statement)?"""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    blanks = sum(1 for ln in lines if _BLANK_RE.search(ln))
    return blanks >= BLANK_FORM_LINES and blanks >= BLANK_FORM_SHARE * len(lines)


@lru_cache(maxsize=256)
def _issuer_places(issuer: str) -> str:
    """The provinces an issuing body names ("Ban Tổ chức Thành ủy Hà Nội": "Hà Nội")."""
    return " ".join(place.name for place in find_places(issuer))


def _heading_words(q: Query, h: Hit) -> set[str]:
    """The folded words of a passage's headings (title, section path, list lead-in) and of the place of
    its issuer, held by each of its clauses: "ở Hà Nội" (or "ở HN") is held by every clause of the Hà Nội
    guidance."""
    place = _issuer_places(h.issuer or "")
    words = set(_folded_words(f"{h.title} {place} {h.path or ''} {h.context}"))
    if place:
        padded = " " + " ".join(_folded_words(place)) + " "
        words |= {full for forms in q.other_forms.values() for full in forms if f" {full} " in padded}
    return words


# What a question says beside its statement: an aside in brackets, and the source it asks after ("Theo Điều
# lệ Đảng, …").
_ASIDE_RE = re.compile(r"\([^()]*\)|^\s*theo [^,]{1,60},", re.I)
# The words that make a statement a question about a list ("có những nhiệm vụ gì", "gồm các bước nào").
_LIST_ASKING_WORDS = frozenset("nhung cac gi nao ai bao gom gom".split())


def _stated_bigrams(q: Query) -> frozenset[str]:
    """The word pairs of a list question read as the statement that leads its list: "Đảng viên có những
    nhiệm vụ gì?" is "đảng viên có nhiệm vụ", the lead-in of the charter's list of duties."""
    text = _ASIDE_RE.sub(" ", q.asked_part.text if q.asked_part else q.text)
    words = [w for w in folded_words(text) if w not in _LIST_ASKING_WORDS]
    return frozenset(f"{a} {b}" for a, b in zip(words, words[1:], strict=False) if not {a, b} <= STOPWORDS)


# "<holder> có những nhiệm vụ gì?": the body or person whose duties, rights or responsibilities are asked.
# Read on the question as typed (lower case): folded, "có" is also the "cơ" of "cơ sở".
_HOLDER_RE = re.compile(
    r"(?:^|.*(?:[,;:.?] |\b(?:thì|thi) ))(?P<holder>(?:\w+ ){0,9}?\w+) (?:phải có|phai co|có|co) "
    r"(?:(?:những|nhung|các|cac) (?:nhiệm vụ|nhiem vu|quyền|quyen|trách nhiệm|trach nhiem|chức năng|chuc nang"
    r"|phẩm chất|pham chat)|(?:nhiệm vụ|nhiem vu|quyền hạn|quyen han|trách nhiệm|trach nhiem|chức năng|chuc nang)"
    r" (?:gì|gi|nào|nao))"
)


def _holder_bigrams(q: Query) -> list[str]:
    """The word pairs of the holder a question about duties or rights names ("ban cán sự đảng")."""
    text = _ASIDE_RE.sub(" ", (q.asked_part or q).text).lower()
    m = _HOLDER_RE.search(" ".join(text.split()))
    if not m:
        return []
    # An abbreviation is read as its full form ("UBKT" → "ủy ban kiểm tra"): a clause writes it in full.
    words = [w for t in folded_words(m.group("holder")) for w in (q.other_forms.get(t) or [t])[0].split()]
    pairs = [f"{a} {b}" for a, b in zip(words, words[1:], strict=False) if not {a, b} <= STOPWORDS]
    return pairs or words[-1:]


def _is_bare_title(text: str) -> bool:
    """A section that is only its title ("5. Xử lý trường hợp kết nạp đảng viên sai tiêu chuẩn, điều kiện",
    its items in the passages after it): quoted alone it answers nothing."""
    return "\n" not in text.strip() and not text.rstrip().endswith((".", ";", "?", "!"))


def _clause_candidates(
    q: Query, pool: list[Hit], weights: dict[str, float], ref_words: set[str], named: set[str], p: AnswerParams
) -> list[_Candidate]:
    """Every section of every official passage in the pool, scored as an answer: how much of
    the question it covers with its headings, how much of it one line says within a sentence's length,
    how many of the question's word pairs it holds, the passage's retrieval rank, the document's
    authority; a section longer than the answer budget loses a little (it will be cut); the section the
    question names by its place ("Điều 4 Điều lệ") in a document it names gains."""
    best = max((h.score for h in pool), default=1.0) or 1.0
    weights = {t: w for t, w in weights.items() if not t.isdigit()}  # a number is the answer, not the topic
    total = sum(weights.values()) or 1.0
    places_named = named_places(q.text)
    # "Theo Quy định 294-QĐ/TW, …": the words of the document's number say which document, not which clause.
    label_words = {w for r in q.refs for w in folded_words(r.label())}
    bigrams = [b for b in _topic_bigrams(q) if not set(b.split()) & label_words]
    budget = p.list_budget_chars if Wants.LIST in q.wants else p.clause_budget_chars
    asks_form = bool(_FORM_WORDS_RE.search(q.folded))
    # The officer's case, told with numbers; the day of the year it happens on is weighed apart.
    told = case_amounts(q.folded)
    amounts = tuple(a for a in told if a.unit != DAY_OF_YEAR)
    days = tuple(a for a in told if a.unit == DAY_OF_YEAR)
    stated = _stated_bigrams(q) if Wants.LIST in q.wants else frozenset()
    holder = _holder_bigrams(q)
    reads_on = Wants.LIST in q.wants  # a list's title is quoted with the items read on after it
    out: list[_Candidate] = []
    intros: list[tuple[str, frozenset[str]]] = []
    lines_seen: dict[str, dict[str, float]] = {}  # per document: the ``given`` words differ between documents
    for i, h in enumerate(pool):
        if not h.units:
            continue
        head = _heading_words(q, h)
        # Inside the document the question names, its number or title and the asking words hold for every clause.
        given = _given_words(q, h, ref_words) if h.doc_id in named else set()
        head |= given
        context = " ".join(_folded_words(h.context))  # where a holder the clause does not name may be named
        for unit in h.units:
            _, start, end, _ = unit
            text = h.text[start:end]
            if not reads_on and _is_bare_title(text):
                continue
            folded = " ".join(_folded_words(text))
            words = set(folded.split())
            coverage = _coverage(q, weights, total, head | words, folded)
            # For ranking, a word found only in the headings counts for less than one in the clause.
            own = _coverage(q, weights, total, words | given, folded)
            ranked = own + p.heading_word_share * (coverage - own)
            # The clause's own heading or lead-in naming the question's topic marks the exact clause.
            lead = next((ln for ln in text.split("\n") if len(ln.split()) > p.lead_line_min_words), "")
            lead_folded = " ".join(_folded_words(lead))
            ranked += p.lead_line_weight * _coverage(q, weights, total, set(lead_folded.split()) | given, lead_folded)
            phrase = _phrase_share(bigrams, folded)
            over = max(0, len(text) - budget) / budget
            # The list that answers is introduced by a line about what the question asks.
            intro = list_lead(text)
            intro_cov = 0.0
            if intro:
                intro_folded = " ".join(_folded_words(intro))
                intro_cov = _coverage(q, weights, total, set(intro_folded.split()), intro_folded)
            coverage_bonus = p.list_lead_bonus * intro_cov if Wants.LIST in q.wants else 0.0
            if intro and stated:
                padded = f" {intro_folded} "
                if all(f" {b} " in padded for b in stated):
                    coverage_bonus += p.stated_lead_bonus
            if places_named and h.doc_id in named and _is_named_place(unit[0], places_named):
                coverage_bonus += p.place_named_bonus
            # The question's words close together in one line (the window the refusal gate reads).
            near = window_coverage(q, weights, text, frozenset(given), p, seen=lines_seen.setdefault(h.doc_id, {}))
            score = (
                ranked
                + p.clause_window_weight * near
                + coverage_bonus
                + p.clause_phrase_weight * phrase
                + p.clause_prior_weight * h.score / best
                + p.authority_weight * h.authority / p.max_authority
                - p.clause_length_penalty * min(over, p.clause_overrun_cap)
                - (p.out_of_force_penalty if h.status in OUT_OF_FORCE else 0.0)
            )
            if not asks_form and is_blank_form(text):
                score -= p.blank_form_penalty
            score += p.case_clause_weight * case_fit(amounts, folded) + p.period_clause_weight * case_fit(days, folded)
            if holder:
                score -= p.holder_missing_penalty * (1 - _phrase_share(holder, f"{context} {folded}"))
            typed = type_satisfied(q, text)
            out.append(_Candidate(i, unit, score, coverage, typed, head=frozenset(head), list_intro=intro_cov))
            intros.append((h.doc_id, _intro_words(intro or "")))
    _mark_special_cases(q, out, intros, p)
    _mark_parallel_sections(q, out, pool, weights, total, p)
    return out


def _mark_parallel_sections(
    q: Query, candidates: list[_Candidate], pool: list[Hit], weights: dict[str, float], total: float, p: AnswerParams
) -> None:
    """Sections of one document with the same title under different parents ("2.2. Bước 2: Tham mưu công tác
    bàn giao hồ sơ …" of "I. THÀNH LẬP", "II. SÁP NHẬP …", "III. GIẢI THỂ …") say nearly the same words: the
    words of their parents that only one of them has tell them apart, and the one whose parents name what
    the question asks about ("sau khi có quyết định thành lập") gains."""
    groups: dict[tuple[str, frozenset[str]], list[_Candidate]] = {}
    for c in candidates:
        h = pool[c.hit_index]
        title = _intro_words(h.text[c.unit[1] : c.unit[2]].lstrip().split("\n", 1)[0])
        if len(title) >= p.parallel_title_min_words:
            groups.setdefault((h.doc_id, title), []).append(c)
    for group in groups.values():
        if len({c.unit[0] for c in group}) < 2:
            continue
        common = frozenset.intersection(*(c.head for c in group))
        for c in group:
            own = c.head - common
            c.score += p.parallel_heading_weight * _coverage(q, weights, total, set(own), " ".join(sorted(own)))


def _intro_words(intro: str) -> frozenset[str]:
    """The folded words of a lead-in or heading, without its label ("2.", "b)")."""
    return frozenset(w for w in _folded_words(intro) if not w.isdigit() and len(w) > 1)


_SPECIAL_CASE_WORDS = frozenset({"truong", "hop"})


def _mark_special_cases(
    q: Query, candidates: list[_Candidate], intros: list[tuple[str, frozenset[str]]], p: AnswerParams
) -> None:
    """A section headed like another of its document plus words the question does not say ("Hồ sơ xét
    tặng … sớm, muộn" beside "Hồ sơ xét tặng …") is a special case of it: it gives way to the general one."""
    asked = set(q.folded.split())
    heads = [(doc, words) for doc, words in intros if len(words) >= p.special_case_min_words]
    # A section headed "Trường hợp …" ("5.2. Trường hợp đề nghị tặng … không đúng tiêu chuẩn") is a special
    # case too, when the question tells no case of its own and does not ask about cases.
    cases_asked = q.asked_part is not None or " truong hop " in f" {' '.join(folded_words(q.folded))} "
    for c, (doc, words) in zip(candidates, intros, strict=True):
        if any(d == doc and general < words and not (words - general) & asked for d, general in heads) or (
            not cases_asked and _SPECIAL_CASE_WORDS <= words and len(words) >= p.special_case_min_words
        ):
            c.score -= p.special_case_penalty


def clause_coverage(
    q: Query, weights: dict[str, float], text: str, head: frozenset[str], absent: frozenset[str] = frozenset()
) -> float:
    """The share of the question's (IDF-weighted, non-number) words a clause holds with its headings;
    ``absent`` words count as not held (see unnamed_subject_words)."""
    weights = {t: w for t, w in weights.items() if not t.isdigit()}
    folded = " ".join(_folded_words(text))
    return _coverage(q, weights, sum(weights.values()) or 1.0, (head | set(folded.split())) - absent, folded)


def window_coverage(
    q: Query,
    weights: dict[str, float],
    text: str,
    head: frozenset[str],
    p: AnswerParams,
    absent: frozenset[str] = frozenset(),
    seen: dict[str, float] | None = None,
) -> float:
    """The best coverage of the question's words (with the headings) within a window of a sentence's
    length of one line: the question's words close together, not a whole paragraph listing five
    unrelated cases.  ``seen`` keeps each line's figure for the same question, headings and ``absent``
    (nested sections share their lines)."""
    weights = {t: w for t, w in weights.items() if not t.isdigit()}
    total = sum(weights.values()) or 1.0
    best = 0.0
    for line in text.split("\n"):
        if seen is not None and line in seen:
            best = max(best, seen[line])
            continue
        toks = _folded_words(line)
        last = max(len(toks) - p.line_window_words, 0)
        exact = _coverage(q, weights, total, (head | set(toks)) - absent, " ".join(toks))
        if last:
            if exact <= best:
                continue  # no window holds more than its whole line: this one cannot beat the best
            # Every step along the line, and the window that ends it (the step may overshoot it).
            exact = max(
                _coverage(q, weights, total, (head | set(window)) - absent, " ".join(window))
                for at in sorted({*range(0, last + 1, p.line_window_step), last})
                for window in [toks[at : at + p.line_window_words]]
            )
        if seen is not None:
            seen[line] = exact
        best = max(best, exact)
    return best


def unnamed_subject_words(q: Query, text: str) -> frozenset[str]:
    """The words of the bodies and offices the question names (Query.subjects: "Quốc hội", "công đoàn")
    that ``text`` does not name: a clause holding "Quốc ca" does not hold the "quốc" of "Quốc hội"."""
    padded = " " + " ".join(_folded_words(text)) + " "
    out: set[str] = set()
    for subject, forms in q.subjects.items():
        if not any(f" {form} " in padded for form in forms):
            out.update(subject.split())
    return frozenset(out)


def notices_of(hits: list[Hit]) -> list[str]:
    """A warning for each cited document that was replaced or amended, once each, in the order cited."""
    return list(dict.fromkeys(h.notice for h in hits if h.notice))


def _heads_items(passage: str, start: int, line: str) -> bool:
    """Is ``line`` (at ``start`` of the passage, a whole line) a short heading whose next line is an item?  It
    heads them as a lead-in ending with ":" does: "Đối với các doanh nghiệp" / "- Sản xuất kinh doanh hiệu quả …"
    (news has no numbering)."""
    if not is_short_heading(line):
        return False
    end = start + len(line)
    if (start > 0 and passage[start - 1] != "\n") or passage[end : end + 1] != "\n":
        return False  # not a line of its own
    return bool(ITEM_LINE_RE.match(passage[end:].lstrip()))


def _leads_list(passage: str, start: int, text: str) -> bool:
    """Does the sentence at ``start`` introduce the lines after it: a lead-in ("… như sau:") or an item
    heading (_heads_items)?"""
    return introduces_list(text) or _heads_items(passage, start, text)


def counts_its_items(lead: str) -> bool:
    """Does a list's lead-in say how many items follow ("… với 2 nội dung:", "gồm ba bước sau:"; see
    clause.items_counted)?  Then each of them is part of the sentence's meaning, and they are shown whole
    however long the lead-in was."""
    return items_counted(lead) > 0


def _item_lines(
    lines: Iterable[str], kind: str | None, budget: int, first_whole: bool = False
) -> tuple[list[str], bool]:
    """The non-blank ``lines`` (stripped) while each is an item of ``kind`` (any line when None) and the
    budget lasts (``OMITTED`` marks a cut), and whether all of them were taken.  With ``first_whole`` the
    first is taken whatever its length: a lead-in is never shown with no item at all."""
    out: list[str] = []
    rest = [ln for ln in (ln.strip() for ln in lines) if ln]
    for i, line in enumerate(rest):
        if kind is not None and item_kind(line) != kind:
            return out, False
        if len(line) > budget and (out or not first_whole):
            return [*out, OMITTED], False
        out.append(line)
        budget -= len(line)
        if budget < 0 and i + 1 < len(rest) and (kind is None or item_kind(rest[i + 1]) == kind):
            return [*out, OMITTED], False
    return out, True


def _list_lines(passage: str, start: int, lead: str, budget: int) -> tuple[list[str], bool]:
    """The lines of a list after its lead-in, up to the budget (``OMITTED`` marks a cut), and whether the
    list runs on to the passage's end (it may go on in the next passage).  Under an item heading, its items
    only: the next heading starts another list."""
    rest = passage[start + len(lead) :].split("\n")
    kind = None
    if not introduces_list(lead):
        kind = item_kind(next((ln.strip() for ln in rest if ln.strip()), ""))
        if kind is None:
            return [], False
    return _item_lines(rest, kind, budget - len(lead.rstrip()), first_whole=True)


def _with_items(passage: str, start: int, lead: str, budget: int) -> str:
    """A lead-in sentence ("… gồm các bước sau:") with the lines that follow it in the passage,
    up to the budget — a list is never shown without its items."""
    return "\n".join([lead.rstrip(), *_list_lines(passage, start, lead, budget)[0]])


def _rest_of_item(lines: list[str], kind: str | None) -> str:
    """The first line of a passage when it is the rest of the list's last item, cut at a sentence where the
    passage before ended ("Quyết định số lượng Ủy viên Bộ Chính trị …" then "- Triệu tập Đại hội …"): a
    sentence (ending as one: a heading such as "Đối với cá nhân" starts another list), not an item, not a
    lead-in, and followed by an item of the list's ``kind``; else ""."""
    first = lines[0].strip() if lines else ""
    after = next((ln.strip() for ln in lines[1:] if ln.strip()), "")
    if not first.endswith((".", ";")) or item_kind(first) is not None or (after and item_kind(after) != kind):
        return ""
    return first


def _items_read_on(
    hit: Hit, kind: str | None, following: Callable[[Hit], Hit | None], budget: int
) -> list[tuple[Hit, list[str]]]:
    """The items of a list that runs past its passage's end (news is cut by length, not by its lists): the
    lines that open the passages after it, while each is an item of the list's ``kind`` and the budget lasts."""
    out: list[tuple[Hit, list[str]]] = []
    at: Hit | None = hit
    for _ in range(MAX_CONTINUED_PASSAGES if kind else 0):
        at = following(at)
        if at is None or at.doc_id != hit.doc_id:
            break
        rest = at.text.split("\n")
        opening = _rest_of_item(rest, kind)
        lines, complete = _item_lines(rest[1:] if opening else rest, kind, budget - len(opening))
        if opening and not lines and complete:
            # The passage is the rest of the item alone: it is one when the list goes on after it.
            after = following(at)
            first = next((ln.strip() for ln in after.text.split("\n") if ln.strip()), "") if after else ""
            lines = [opening] if after and after.doc_id == hit.doc_id and item_kind(first) == kind else []
        else:
            lines = [opening, *lines] if opening and lines else lines
        if lines:
            out.append((at, lines))
        if not complete or not lines:
            break
        budget -= sum(map(len, lines))
    return out


def _is_group_heading(line: str) -> bool:
    """Is a line a sub-heading of a list ("Đối với cá nhân", "(2) Yêu cầu"; its items follow it), not an item
    or a sentence?"""
    return item_kind(line) in (None, "(1)") and is_short_heading(line)


def _asked_group(
    q: Query,
    weights: dict[str, float],
    hit: Hit,
    start: int,
    lead: str,
    following: Callable[[Hit], Hit | None] | None,
    budget: int,
    p: AnswerParams,
) -> tuple[list[str], list[tuple[Hit, list[str]]]] | None:
    """For a lead-in whose list is split by sub-headings, each over its own items ("Đối với các bộ, …" then
    "- …" lines, "Đối với các tỉnh, …" then "- …" lines), the group the question asks about: the one whose
    heading holds words of the question that no other heading holds ("yêu cầu" of "(1) Mục đích", "(2) Yêu
    cầu", though the lead-in names both).  Returns the lines shown after the lead-in in its passage and the
    (passage, lines) read on after it, "…" for the groups left out; None when the list has no such groups or
    the question asks for none of them."""
    lines = [(hit, ln.strip()) for ln in hit.text[start + len(lead) :].split("\n") if ln.strip()]
    if lines and not _is_group_heading(lines[0][1]):
        return None  # no sub-heading opens the list: the passages after it are not read
    # The passage a line opens when it goes on with the item cut where the passage before ended.
    rests: set[int] = set()
    at: Hit | None = hit
    for _ in range(MAX_CONTINUED_PASSAGES if following is not None else 0):
        at = following(at)
        if at is None or at.doc_id != hit.doc_id:
            break
        more = [(at, ln.strip()) for ln in at.text.split("\n") if ln.strip()]
        if more and lines and item_kind(lines[-1][1]) and not item_kind(more[0][1]):
            if not _is_group_heading(more[0][1]):
                rests.add(len(lines))
        lines += more
    # ... and the list goes on after it (not a closing paragraph: "Xem chi tiết tại …").
    rests = {
        r for r in rests if r + 1 < len(lines) and (item_kind(lines[r + 1][1]) or _is_group_heading(lines[r + 1][1]))
    }
    groups: list[tuple[int, int]] = []  # (index of the heading, index past its last item)
    i = 0
    while i < len(lines) and _is_group_heading(lines[i][1]):
        kind = item_kind(lines[i + 1][1]) if i + 1 < len(lines) else None
        if kind is None or kind == item_kind(lines[i][1]):
            break
        j = i + 1
        while j < len(lines) and (item_kind(lines[j][1]) == kind or j in rests):
            j += 1
        groups.append((i, j))
        i = j
    if len(groups) < 2:
        return None
    heads = [set(_folded_words(lines[g][1])) for g, _ in groups]
    total = sum(weights.values()) or 1.0
    held = [
        sum(w for t, w in weights.items() if set(t.split()) <= words and not any(set(t.split()) <= o for o in others))
        for words, others in ((h, [o for o in heads if o is not h]) for h in heads)
    ]
    best = max(range(len(groups)), key=lambda k: held[k])
    if held[best] < p.group_heading_share * total or sorted(held)[-2] == held[best]:
        return None
    first, end = groups[best]
    shown, used = [], len(lead)
    for k in range(first, end):
        size = len(lines[k][1])
        if used + size > budget and k > first + 1:
            shown.append((lines[k][0], OMITTED))
            break
        shown.append(lines[k])
        used += size
    if best > 0:
        shown.insert(0, (lines[first][0], OMITTED))
    if best + 1 < len(groups) and shown[-1][1] != OMITTED:
        shown.append((shown[-1][0], OMITTED))
    own = [ln for h, ln in shown if h is hit]
    runs = groupby((x for x in shown if x[0] is not hit), key=lambda x: x[0].passage_id)
    after = [(run[0][0], [ln for _, ln in run]) for run in (list(g) for _, g in runs)]
    return own, after


def compose_clauses(
    q: Query,
    pool: list[Hit],
    line_scores: dict[tuple[int, int], float],
    type_ok: bool,
    weights: dict[str, float],
    ref_words: set[str],
    named: set[str],
    p: AnswerParams = DEFAULT_ANSWER,
    following: Callable[[Hit], Hit | None] | None = None,
    linked: Callable[[Hit, tuple], list[tuple[Hit, tuple]]] | None = None,
    sections: Callable[[Hit, str], list[Hit]] | None = None,
) -> Composition:
    """Answer from official documents with whole clauses: the section that answers best, and,
    when a document of another rank also answers (the rule and its detailed implementation),
    its section too — the higher-ranked document first.  A list the passage cuts off is read on into
    the passages that continue its section (``following``)."""
    candidates = _clause_candidates(q, pool, weights, ref_words, named, p)
    if not candidates:
        return Composition([], [], 0.0, False, clause=True)
    picks = _pick_clauses(q, candidates, pool, named, p, weights, following)
    first = picks[0][0]
    first_hit = pool[first.hit_index]
    line_coverage = window_coverage(q, weights, first_hit.text[first.unit[1] : first.unit[2]], first.head, p)
    link = _linked_clause(q, first_hit, first.unit, picks, named, weights, p, linked)
    extra = []
    if picks[0][1] != p.list_budget_chars:
        extra = _part_clauses(q, candidates, picks, pool, weights, p, [link[1].text] if link else [])
    quoted: list[tuple[Hit, Clause, list[tuple[Hit, Clause]]]] = []
    asides: list[str] = []
    aside_quotes: list[tuple[Hit, Clause, list[tuple[Hit, Clause]]]] = []
    for i, (c, budget) in enumerate(picks + extra):
        h = pool[c.hit_index]
        line_score = {line: sc for (pid, line), sc in line_scores.items() if pid == h.passage_id}
        if not line_score:
            # A passage read for its clauses only (not among those whose sentences were ranked): its lines
            # are scored now, so a long clause keeps the items that answer, not its first ones.
            line_score = _passage_line_scores(q, h, weights, p)
        parts = _outline(q, h, c.unit, sections, budget) if i == 0 and budget == p.list_budget_chars else None
        if parts:
            quoted.append(parts)
            continue
        clause = quote_clause(h, c.unit, line_score, budget, p, adds=_adds(q, weights))
        rest = _read_on(h, clause, budget, following, p) if i == 0 and budget == p.list_budget_chars else []
        if i >= len(picks):
            aside_quotes.append((h, clause, rest))
            asides.append(clause.text)
        else:
            quoted.append((h, clause, rest))
    if link:
        quoted.append(link)
    quoted.sort(key=lambda x: -x[0].authority)
    # What answers the message's other questions comes after the answer and its linked detail.
    quoted += sorted(aside_quotes, key=lambda x: -x[0].authority)
    citations: list[Citation] = []
    blocks: list[AnswerBlock] = []
    for h, clause, rest in quoted:
        numbers = []
        for part_hit, part in [(h, clause), *rest]:
            if part.text == OMITTED:  # the rest of the list, past the budget: not quoted, not cited
                continue
            cite = Citation.from_hit(len(citations) + 1, part_hit, round(h.score, SCORE_DIGITS))
            cite.section = part.label or part_hit.section
            cite.page = part.page if part.page is not None else part_hit.page
            citations.append(cite)
            numbers.append(cite.n)
        text = "\n".join([clause.text, *(part.text for _, part in rest)])
        blocks.append(quote_block(text, tuple(numbers), h, citations[numbers[0] - 1].section))
    return Composition(
        blocks,
        citations,
        first.coverage,
        type_ok and first.typed,
        clause=True,
        line_coverage=line_coverage,
        notices=notices_of([h for h, _, _ in quoted]),
        clause_text=first_hit.text[first.unit[1] : first.unit[2]],
        clause_head=first.head,
        asides=tuple(asides),
    )


def _linked_clause(
    q: Query,
    hit: Hit,
    unit: tuple,
    picks: list[tuple[_Candidate, int]],
    named: set[str],
    weights: dict[str, float],
    p: AnswerParams,
    linked: Callable[[Hit, tuple], list[tuple[Hit, tuple]]] | None,
) -> tuple[Hit, Clause, list] | None:
    """The rule a chosen section implements, or the section implementing the chosen rule (``linked``), quoted
    within the second clause's budget: "show the rule and then its detail". Not when another clause is shown
    already, a list is asked for, or the question asks about one document only: "Điều lệ nói … theo quy định
    của Trung ương. Vậy … cấp nào quyết định?" names the Điều lệ only in what it tells first, and asks for
    the detail."""
    if linked is None or len(picks) > 1 or picks[0][1] == p.list_budget_chars:
        return None
    if named == {hit.doc_id} and _names_a_document(q.asked_part or q):
        return None
    # Both sides scored alike (_passage_line_scores: no retrieval prior), each passage once.
    scored: dict[int, dict[int, float]] = {}

    def best_line(h: Hit, u: tuple) -> float:
        if h.passage_id not in scored:
            scored[h.passage_id] = _passage_line_scores(q, h, weights, p)
        scores = scored[h.passage_id]
        return max((sc for at, sc in scores.items() if u[1] <= at < u[2]), default=0.0)

    best, best_score = None, 0.0
    for h, u in linked(hit, unit):
        if h.doc_id != hit.doc_id and (score := best_line(h, u)) > best_score:
            best, best_score = (h, u), score
    if best is None or best_score < p.linked_clause_share * best_line(hit, unit):
        return None
    h, u = best
    return h, quote_clause(h, u, scored[h.passage_id], p.second_clause_budget_chars, p), []


def _names_a_document(q: Query) -> bool:
    """Does the question (or its asked sentence) name a document, by number or as the Điều lệ?"""
    return bool(q.refs) or q.names_charter


def _pick_clauses(
    q: Query,
    candidates: list[_Candidate],
    pool: list[Hit],
    named: set[str],
    p: AnswerParams,
    weights: dict[str, float] | None = None,
    following: Callable[[Hit], Hit | None] | None = None,
) -> list[tuple[_Candidate, int]]:
    """The clauses to quote, each with its budget: the best (those holding the kind of answer asked for
    first, then by score, then the larger); then the best of each other document the question names; else
    a near one from a document of another rank unless a list is asked for."""
    candidates = sorted(
        candidates, key=lambda c: (not c.typed, -round(c.score, p.clause_score_digits), -(c.unit[2] - c.unit[1]))
    )
    first = _narrowest(q, candidates[0], candidates, pool, p, following)
    # "Điều kiện để lập … là gì?" restates the lead-in of a list: every item is the answer.
    asks_list = Wants.LIST in q.wants or first.list_intro >= p.intro_asks_list
    picks = [(first, p.list_budget_chars if asks_list else p.clause_budget_chars)]
    h0 = pool[first.hit_index]
    # A question naming several documents ("Điều lệ và Quy định 294 …") hears each of them.
    for doc in sorted(named - {h0.doc_id}):
        own = [c for c in candidates if pool[c.hit_index].doc_id == doc]
        asked = _asked_of(q, pool[own[0].hit_index], [h for h in pool if h.doc_id in named]) if own else set()
        if asked and weights:
            # What the question asks of this document, in the words after it names it.
            seg = {t: w for t, w in weights.items() if t in asked}
            own.sort(key=lambda c: -(c.score + p.named_segment_weight * _held(q, seg, pool[c.hit_index], c)))
        if own and len(picks) < p.max_named_clauses:
            picks.append((own[0], p.second_clause_budget_chars))
    for c in [] if asks_list or len(picks) > 1 else candidates[1:]:
        h = pool[c.hit_index]
        if c.score < p.related_clause_share * first.score:
            continue
        if h.doc_id != h0.doc_id and h.authority != h0.authority and (c.typed or not first.typed):
            picks.append((c, p.second_clause_budget_chars))
            break
    return picks


def _part_clauses(
    q: Query,
    candidates: list[_Candidate],
    picks: list[tuple[_Candidate, int]],
    pool: list[Hit],
    weights: dict[str, float],
    p: AnswerParams,
    shown: list[str],
) -> list[tuple[_Candidate, int]]:
    """For a message asking several questions (``q.parts``), the clause answering each one the chosen
    clauses (and the ``shown`` texts quoted beside them) leave unanswered: the one with a line holding most
    of that question's words."""
    added: list[tuple[_Candidate, int]] = []
    best = picks[0][0].score
    for seg in _part_weights(q, weights, p):
        if len(picks) + len(added) + len(shown) >= p.max_named_clauses:
            break

        def held(c: _Candidate, seg: dict[str, float] = seg) -> float:
            return window_coverage(q, seg, pool[c.hit_index].text[c.unit[1] : c.unit[2]], c.head, p)

        chosen = [c for c, _ in picks + added]
        already = max([held(c) for c in chosen] + [window_coverage(q, seg, t, frozenset(), p) for t in shown])
        others = (c for c in candidates if c not in chosen and c.score >= p.part_score_share * best)
        top = _part_answer(held, already, others, p)
        if top is not None:
            added.append((top, p.second_clause_budget_chars))
    return added


def _held(q: Query, weights: dict[str, float], hit: Hit, c: _Candidate) -> float:
    """The share of ``weights`` a candidate clause holds, with its headings."""
    text = " ".join(_folded_words(hit.text[c.unit[1] : c.unit[2]]))
    return _coverage(q, weights, sum(weights.values()) or 1.0, set(text.split()) | c.head, text)


def _mention_at(folded: str, hit: Hit) -> int | None:
    """Where a folded question names the hit's document: its number ("294"), or "Điều lệ" for the charter."""
    if hit.doc_type == "charter":
        m = CHARTER_RE.search(folded)
    elif hit.doc_number and (number := re.match(r"\d+", hit.doc_number)):
        m = re.search(rf"\b{number.group(0)}\b", folded)
    else:
        m = None
    return m.end() if m else None


def _asked_of(q: Query, hit: Hit, named_hits: list[Hit]) -> set[str]:
    """The question's words after it names the hit's document, up to where it names another one."""
    folded = " ".join(folded_words(q.folded))
    at = _mention_at(folded, hit)
    if at is None:
        return set()
    ends = [m for h in named_hits if h.doc_id != hit.doc_id and (m := _mention_at(folded, h)) and m > at]
    words = set(folded[at : min(ends, default=len(folded))].split())
    return {t for t in q.terms if set(t.split()) <= words}


def _narrowest(
    q: Query,
    first: _Candidate,
    candidates: list[_Candidate],
    pool: list[Hit],
    p: AnswerParams,
    following: Callable[[Hit], Hit | None] | None = None,
) -> _Candidate:
    """The best subsection of the chosen section that answers as well (see narrower_clause_margin); the
    section itself when it fits the answer budget, when a list is asked for, or when no subsection answers
    or two apart do (each may hold a part of the answer: "a) Quá 12 tháng …", "b) Quá 60 tháng …")."""
    if Wants.LIST in q.wants:
        # Every item is wanted, unless the question names one part by its title.
        return _titled_part(q, first, candidates, pool, p) or first
    label, start, end, _ = first.unit
    hit = pool[first.hit_index]
    if end - start <= p.clause_budget_chars and not _runs_on(hit, label, end, following):
        return first  # a section that fits is shown whole
    near = [c for c in _parts_of(first, candidates) if c.score >= first.score - p.narrower_clause_margin]
    inside = [c for c in near if c.coverage >= first.coverage]
    apart = any(a.unit[2] <= b.unit[1] or b.unit[2] <= a.unit[1] for a in near for b in near)
    return max(inside, key=lambda c: c.score) if inside and not apart else first


def _parts_of(first: _Candidate, candidates: list[_Candidate]) -> list[_Candidate]:
    """The candidates that are smaller sections inside the chosen one, in its passage, holding the kind of
    answer asked for as well as it does."""
    _, start, end, _ = first.unit
    return [
        c
        for c in candidates
        if c.hit_index == first.hit_index
        and start <= c.unit[1]
        and c.unit[2] <= end
        and c.unit[2] - c.unit[1] < end - start
        and c.typed >= first.typed
    ]


# The numbering before a section's title: "4.2.", "b)", "Điều 5.".
_TITLE_LABEL_RE = re.compile(r"^\s*(?:điều\s+\d+[.:]?|\d{1,3}(?:\.\d{1,3}){0,4}[.)]?|[a-zđ]\))\s*", re.I)


# "ngoài X thì còn …", "ngoài X còn …": X is what the asker has, not what is asked (folded text).
_BESIDES_RE = re.compile(r"\bngoai\b.*?\b(?:thi|con)\b")


def _title_words(text: str) -> frozenset[str]:
    """The folded words of a section's first line, its numbering left out, that say what it is about."""
    first_line = text.strip().split("\n", 1)[0]
    # "12.3. (Khoản 7, Điều 11): Đoàn thư ký đại hội.": the charter clause it implements is not its topic.
    title = re.sub(r"\([^()]*\)", " ", _TITLE_LABEL_RE.sub("", first_line, count=1))
    return frozenset(_folded_words(title)) - STOPWORDS


def _titled_part(
    q: Query, first: _Candidate, candidates: list[_Candidate], pool: list[Hit], p: AnswerParams
) -> _Candidate | None:
    """The part of a chosen list section that the question names by its own title, when it does not name the
    section's: "Bản tự kiểm điểm của đảng viên dự bị phải nêu những nội dung gì?" is answered by "4.2. Bản tự
    kiểm điểm của đảng viên dự bị", not by every paper of "4. Hồ sơ … gồm có:"."""
    # "Ngoài nghị quyết, bản tự kiểm điểm … thì còn phải kèm những giấy tờ nào?" names what it does not ask.
    asked = set(_BESIDES_RE.sub(" ", " ".join(folded_words(q.folded))).split())
    asked |= {w for forms in q.other_forms.values() for form in forms for w in form.split()}
    hit = pool[first.hit_index]
    _, start, end, _ = first.unit
    if _title_words(hit.text[start:end]) <= asked:
        return None
    named = [
        c
        for c in _parts_of(first, candidates)
        if len(words := _title_words(hit.text[c.unit[1] : c.unit[2]])) >= p.titled_part_min_words and words <= asked
    ]
    if not named:
        return None
    # The part is judged by the refusal gates as the section was: it holds what the question asks of it.
    part = max(named, key=lambda c: c.score)
    return replace(part, coverage=max(part.coverage, first.coverage))


def quote_block(text: str, cites: tuple[int, ...], hit: Hit, section: str | None) -> AnswerBlock:
    """A clause or statement quoted under its document's short name and section, with its citations (one,
    or those of the passages a clause runs over)."""
    where = ", ".join(x for x in (short_name(hit), section) if x)
    return AnswerBlock(text, cites, BlockKind.QUOTE, where)


def _read_on(
    hit: Hit, clause: Clause, budget: int, following: Callable[[Hit], Hit | None] | None, p: AnswerParams
) -> list[tuple[Hit, Clause]]:
    """The rest of a list clause that ends where its passage ends: the passages after it that continue
    the same section ("mục 4" again, or its "mục 4.6"), quoted like a clause (whole, or its first items and
    "…") while the budget lasts."""
    if following is None or not clause.complete or hit.text[clause.end :].strip():
        return []
    used, out, at = len(clause.text), [], hit
    for _ in range(MAX_CONTINUED_PASSAGES):
        at = following(at)
        if at is None or not at.units or not _continues(clause.label, at.units[0][0]):
            break
        end = max(u[2] for u in at.units if _continues(clause.label, u[0]))
        if budget - used < p.min_read_on_chars:
            out.append((at, Clause(at.units[0][0], at.units[0][3], 0, end, OMITTED, False)))
            break
        part = quote_clause(at, (at.units[0][0], 0, end, at.units[0][3]), {}, budget - used, p)
        out.append((at, part))
        used += len(part.text)
        if not part.complete or at.text[end:].strip():
            break
    return out


def _parent_label(label: str) -> str | None:
    """The section holding section ``label``: "mục 2" for "mục 2.1", "Điều 9" for "Điều 9, khoản 1"."""
    m = re.match(r"^(.*\d)\.\d+$", label)
    if m:
        return m.group(1)
    return label.rsplit(", ", 1)[0] if ", " in label else None


def _is_part_of(label: str, parent: str) -> bool:
    """Is section ``label`` one of the parts right under section ``parent`` ("mục 2.1", "mục 2, điểm a")?"""
    rest = label[len(parent) :] if label.startswith(parent) else ""
    return bool(re.fullmatch(r"\.\d+|, [^,]+", rest))


# "những bước gì", "mấy bước", "các nguyên tắc nào": the word after these names what a list question lists.
_LISTED_RE = re.compile(r"\b(?:nhung|cac|may|bao nhieu)" + _ASKED_NOUN)


def _listed_words(q: Query) -> set[str]:
    """The words naming what a question asks a list or a count of ("bước"; after a classifier, the noun it
    counts too: "những loại hình …")."""
    return {w for m in _LISTED_RE.finditer(q.folded) for w in (m.group(1), _classified(m)) if w} - STOPWORDS


def _outline(
    q: Query, hit: Hit, unit: tuple, sections: Callable[[Hit, str], list[Hit]] | None, budget: int
) -> tuple[Hit, Clause, list[tuple[Hit, Clause]]] | None:
    """A list whose items are sections too long to quote together, each opening a passage of its own ("2. Quy
    trình và các bước thực hiện:" then "2.1. Bước 1: …", "2.2. Bước 2: …"): the list's lead-in and the
    heading of each of its parts, "…" for their text, each part cited.  The chosen section is the lead-in, or
    one of its parts when the lead-in names what the question lists ("… thực hiện theo những bước gì?"; not
    "Lễ ra mắt gồm những phần nào?", answered inside "Bước 3").  None when there is no such list (the clause
    is quoted as usual)."""
    if sections is None:
        return None
    for label in (unit[0], _parent_label(unit[0])):
        if not label:
            continue
        hits = sorted(sections(hit, label), key=lambda h: h.position)
        own = [(h, u) for h in hits for u in h.units if u[0] == label]
        parts: dict[str, tuple[Hit, tuple]] = {}
        for h in hits:
            for u in h.units:
                if _is_part_of(u[0], label) and u[0] not in parts:
                    parts[u[0]] = (h, u)
        if not own or len(parts) < 2 or len({h.passage_id for h, _ in parts.values()}) < 2:
            continue
        lead_hit, lead_unit = own[0]
        lead = _first_line(lead_hit.text, lead_unit)
        if not introduces_list(lead) or sum(u[2] - u[1] for _, u in parts.values()) <= budget:
            continue
        if label != unit[0] and not _listed_words(q) & set(_folded_words(lead)):
            continue
        # One quote per passage, each cited once: the lead-in with the headings in its passage, then the others.
        groups: dict[int, tuple[Hit, list[tuple[str, tuple]]]] = {lead_hit.passage_id: (lead_hit, [])}
        for part_label, (h, u) in parts.items():
            groups.setdefault(h.passage_id, (h, []))[1].append((part_label, u))
        quoted = []
        for h, in_passage in groups.values():
            lines = [lead] if h is lead_hit else []
            for _, u in in_passage:
                heading = _first_line(h.text, u)
                more = bool(h.text[u[1] : u[2]].strip()[len(heading) :].strip())
                lines += [heading, OMITTED] if more else [heading]
            first_label, first_unit = in_passage[0] if in_passage else (label, lead_unit)
            page = lead_unit[3] if h is lead_hit else first_unit[3]
            end = max((u[2] for _, u in in_passage), default=lead_unit[1] + len(lead))
            start = lead_unit[1] if h is lead_hit else first_unit[1]
            where = label if h is lead_hit else h.section or first_label
            quoted.append((h, Clause(where, page, start, end, "\n".join(lines), False)))
        (_, first), *rest = quoted
        return lead_hit, first, rest
    return None


def _first_line(text: str, unit: tuple) -> str:
    """The first line of a section (its heading)."""
    return text[unit[1] : unit[2]].strip().split("\n", 1)[0].strip()


def _runs_on(hit: Hit, label: str, end: int, following: Callable[[Hit], Hit | None] | None) -> bool:
    """May the section ``label`` (ending at ``end`` in the passage) run on into the next passage: it ends where
    its passage ends and the next passage opens with it or one of its parts (unknown: it may)."""
    if hit.text[end:].strip():
        return False
    if following is None:
        return True
    after = following(hit)
    if after is None or after.doc_id != hit.doc_id:
        return False  # the document ends with it
    return not after.units or _continues(label, after.units[0][0])


def _continues(label: str, other: str) -> bool:
    """Is section ``other`` the section ``label`` or inside it ("mục 4" → "mục 4", "mục 4.6", "mục 4.6, điểm a")?"""
    return other == label or other.startswith(label + ".") or other.startswith(label + ",")


def short_name(hit: Hit) -> str:
    """How an answer names a document: "Quy định 294-QĐ/TW", or its title when it has no number."""
    if hit.doc_number:
        kind = (DocType.parse(hit.doc_type) or DocType.NEWS).label
        return f"{kind} {hit.doc_number}"
    return hit.title if len(hit.title) <= SHORT_NAME_CHARS else hit.title[: SHORT_NAME_CHARS - 1].rstrip() + "…"


def _counted(q: Query, text: str) -> set[tuple[str, str]]:
    """("5", "buoc") pairs: a number followed by one of the question's words."""
    return {(num, unit) for num, unit in re.findall(r"(\d+)\s+(\w+)", fold(text)) if unit in q.terms}


def _other_figures(
    q: Query, chosen: list[_Sentence], sentences: list[_Sentence], pool: list[Hit], floor: float, p: AnswerParams
) -> list[_Sentence]:
    """For "how many" questions: the best sentence of each other document that gives a
    different figure for the same thing, so a disagreement between sources is shown."""
    if Wants.COUNT not in q.wants or not chosen:
        return []
    seen = set().union(*(_counted(q, c.text) for c in chosen))
    units = {unit for _, unit in seen}
    docs = {pool[c.hit_index].doc_id for c in chosen}
    extra: list[_Sentence] = []
    for s in sorted(sentences, key=lambda s: -s.score):
        doc = pool[s.hit_index].doc_id
        figures = {f for f in _counted(q, s.text) if f[1] in units}
        if doc in docs or s.score < floor or not figures or figures <= seen:
            continue
        extra.append(s)
        docs.add(doc)
        seen |= figures
        if len(chosen) + len(extra) >= p.max_sentences + p.other_figure_sentences:
            break
    return extra


def _disagree(q: Query, texts: list[str]) -> bool:
    """Different numbers for the same counted thing ("5 bước" vs "6 bước") in the texts."""
    figures: dict[str, set[str]] = {}
    for text in texts:
        for num, unit in _counted(q, text):
            figures.setdefault(unit, set()).add(num)
    return any(len(nums) > 1 for nums in figures.values())
