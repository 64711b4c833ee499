"""question → normalise → the parts retrieval and answering need.

Everything here is specific to Vietnamese and to the field: syllable
tokens and their bigrams (Vietnamese words are mostly two syllables, so a
bigram phrase stands in for word segmentation), abbreviations, document
numbers and place names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from importlib import resources

from .glossary import Glossary
from .metadata import DocRef, find_refs
from .params import DEFAULT_SEARCH
from .terms import find_terms, roman_to_int, to_roman
from .textnorm import UPPER, fold, folded_words, has_diacritics, is_syllable, normalize

# Question and function words (folded).  They carry no topic, so they are left
# out of the lexical query and of the coverage measure.  Bigrams are still built
# over them, so "trong sạch" or "chỉ thị" are not lost.
STOPWORDS = frozenset(
    """
    a ah ai anh ay bao bay bi boi cac cai can chi cho chua co con cua cung da dang_ de den di do du duoc
    gi gom ha hay hoac hoi kia khi khong la lai lam len luc ma may minh mot nao nay neu nhe nhi nhieu nhu
    nhung noi o oi ong ra rang roi sao se sau tai the theo thi thuoc toi trong tu tung va vao van vay ve
    voi vi xin xem hon lau
    """.split()
)
# Words that ask what a document says rather than name a topic ("Hướng dẫn 99 quy định gì?").
ASKING_WORDS = frozenset("noi dung quy dinh de cap ve viec yeu cau huong dan chi dao gi".split())
# Topic words that occur in nearly every passage of this corpus; matching them
# says little about whether a passage answers the question.
DOMAIN_COMMON = frozenset("dai hoi dang bo chi cap uy".split())


class Wants(StrEnum):
    """The kind of answer a question asks for (a question may ask for several)."""

    COUNT = "count"  # a number: "bao nhiêu", "mấy"
    DATE = "date"  # a time: "ngày nào", "bao giờ", "năm nào"
    DAY = "day"  # a day of a month: "ngày nào", "ngày mấy"
    WHO = "who"  # a person: "ai", "đồng chí nào"
    PERSON = "person"  # a person by name: "ai được bầu làm …", "Chủ tịch … là ai"; a body or a role will not do
    AUTHOR = "author"  # who wrote the article: answered from the document's author line
    LIST = "list"  # every item of a list: "gồm những gì", "các trường hợp nào"
    COMPARE = "compare"  # several units at once: each answered from its own document
    SINCE = "since"  # where a period starts: "tuổi đảng tính từ ngày nào?" (a date, or the event it starts at)
    MONEY = "money"  # an amount of money: "lệ phí bao nhiêu", "phụ cấp bao nhiêu", "bao nhiêu tiền"


# Words that tell what kind of answer is wanted.
CUES: dict[Wants, re.Pattern[str]] = {
    Wants.COUNT: re.compile(r"\b(bao nhieu|so luong|ty le|bao lau)\b"),
    # "Khi nào" asks for a time or for a condition ("có giá trị khi nào?"): it is not a date cue.
    # "Những (khoảng) thời gian nào" asks which kinds of period (a list), not when.
    Wants.DATE: re.compile(
        r"\b(ngay nao|bao gio|nam nao|(?<!nhung )(?<!cac )(?<!nhung khoang )(?<!cac khoang )thoi gian nao"
        r"|thang nao|thoi diem nao|thang may|nam may(?!\s+\w)|may gio)\b"
    ),
    Wants.WHO: re.compile(r"\b(ai|nguoi nao|dong chi nao|tac gia|nguoi viet|do ai)\b"),
    # Asks for a person by name ("Ai được bầu làm Bí thư?", "Chủ tịch là ai?"), not for a body or a role
    # ("Ai có thẩm quyền quyết định?"): the answer must name someone.
    Wants.PERSON: re.compile(
        r"\b(ai (?:duoc bau|duoc bo nhiem|trung cu|dang la|giu chuc|dam nhiem)"
        r"|(?:bi thu|chu tich|chinh uy|chi huy truong|truong ban|giam doc|chu nhiem)(?: \w+){0,8} (?:la|lam) ai"
        # An election's outcome or who holds an office now: "bầu đồng chí nào làm …", "hiện do ai làm …".
        r"|bau (?:dong chi|nguoi) nao|hien (?:nay )?do (?:dong chi nao|ai)"
        r"|(?:dong chi nao|ai) hien (?:nay )?(?:dang )?(?:lam|giu|la))\b"
    ),
    # Who wrote the article: answered from the document's author line.
    Wants.AUTHOR: re.compile(r"\b(tac gia|ai viet|nguoi viet|but danh|viet boi|cua tac gia)\b"),
    Wants.DAY: re.compile(r"\b(ngay nao|ngay bao nhieu|ngay may)\b"),
    # A question whose answer is a list: every item is wanted ("gồm những gì", "trường hợp nào", "những ai",
    # and the duties, rights, criteria, conditions and papers asked with "gì": "có nhiệm vụ gì", "cần giấy tờ gì";
    # not "là loại tài liệu gì", which asks what kind).
    Wants.LIST: re.compile(
        r"\b(nhung gi|gom gi|bao gom|gom nhung|gom cac|(?:nhung|cac) (?:\w+ ){0,3}(?:nao|gi)"
        r"|nhung ai|nhung truong hop|cac truong hop|cac buoc|nhung buoc|nhung dieu kien|cac dieu kien|nhung noi dung"
        r"|(?<!loai )(?:nhiem vu|quyen han|quyen loi|trach nhiem|tieu chuan|dieu kien|giay to|tai lieu|thu tuc) (?:\w+ ){0,2}gi)\b"
    ),
    # A question about several units at once: answer each from its own document.
    Wants.COMPARE: re.compile(r"\b(so sanh|khac nhau|giong nhau|moi noi|moi don vi|ca hai|lan luot)\b"),
    # Where a period starts ("tuổi đảng tính từ / tính theo / lấy ngày nào?", "có hiệu lực từ ngày nào?"):
    # rules answer with a date or with the event it starts at ("kể từ ngày ký", "ngày ghi trong quyết định
    # kết nạp", "lấy ngày vào Đảng ghi trong thẻ đảng viên").
    # "Tính tại / tính đến thời điểm nào" asks the same of the moment a period is counted at.
    Wants.SINCE: re.compile(r"\b(?:tu|tinh(?: theo| tai| vao| den)?|lay) (ngay|thoi diem|luc) nao\b"),
}


# "Những loại hình doanh nghiệp nào", "những tiêu chí thi đua nào": a plural asked of a longer noun phrase is a
# list too.  Read with its marks where the question has them: folded, "những" is also "nhưng" (but), and "nhưng
# nhà không có bệnh án gì" asks for no list.
_LONG_PLURAL_RE = re.compile(r"\bnhững (?:\w+,? ){4,7}(?:nào|gì)\b")
_LONG_PLURAL_FOLDED_RE = re.compile(r"\bnhung (?:\w+,? ){4,7}(?:nao|gi)\b")


# Without diacritics "may" is both "mấy" (how many) and "máy" (machine): "bộ máy", "máy tính",
# "may mắn" are not questions.  These are the words that make it "máy"/"may" around it.
_MAY_BEFORE_NOT_COUNT = frozenset("bo dong cai chiec".split())
_MAY_AFTER_NOT_COUNT = frozenset(
    "tinh moc in chieu bay anh chu quet photo fax ghi phat xuc cay man ra mac vi thu nen lanh bom do".split()
)


# "Tháng mấy", "năm mấy" (not "một năm mấy lần"), "mấy giờ" ask for a time, not for a number.
_WHEN_MAY_RE = re.compile(r"\b(?:th[aá]ng m[aấ]y|n[aă]m m[aấ]y(?!\s+\w)|m[aấ]y gi[oờ])\b")


def asks_how_many(text: str) -> bool:
    """Does the question ask for a number, judged from the whole question, not one folded word?"""
    folded = fold(text)
    if CUES[Wants.COUNT].search(folded):
        return True
    lowered = normalize(text).lower()
    if re.search(r"\bmấy\b", _WHEN_MAY_RE.sub(" ", lowered)):
        return True
    if has_diacritics(text):
        return False  # "máy", "may" written with their marks are not "mấy"
    words = folded_words(_WHEN_MAY_RE.sub(" ", folded))
    for i, w in enumerate(words):
        if w != "may":
            continue
        before = words[i - 1] if i > 0 else ""
        after = words[i + 1] if i + 1 < len(words) else ""
        if before not in _MAY_BEFORE_NOT_COUNT and after not in _MAY_AFTER_NOT_COUNT:
            return True
    return False


@dataclass(frozen=True)
class Place:
    name: str  # as written in the gazetteer
    folded: str
    needs_prefix: bool  # also an ordinary phrase ("hòa bình"): a place only after "tỉnh", "TP"...
    ambiguous_folded: bool  # without diacritics it is an ordinary phrase ("dien bien" / diễn biến)


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    text = resources.files("bot").joinpath("data/places.txt").read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        starred, tilde = line.startswith("*"), line.startswith("~")
        name = line.lstrip("*~").strip()
        out.append(Place(normalize(name), fold(name), starred, tilde))
    # Longest first so "Bà Rịa - Vũng Tàu" wins over "Vũng Tàu".
    return tuple(sorted(out, key=lambda p: -len(p.folded)))


_PLACE_PREFIX = r"(?:tinh|thanh pho|tp\.?|dang bo|thi xa|huyen)\s+"
_PLACE_PREFIX_ACCENTED = r"(?:tỉnh|thành phố|tp\.?|đảng bộ|thị xã|huyện)\s+"


@lru_cache(maxsize=2)
def _place_patterns(accented: bool) -> tuple[tuple[Place, re.Pattern[str]], ...]:
    """Each place with the pattern that finds it: in lower-cased text as written (``accented``) or folded."""
    out = []
    for place in places():
        if accented:
            name, prefix = place.name.lower(), _PLACE_PREFIX_ACCENTED if place.needs_prefix else ""
        else:
            name = place.folded
            prefix = _PLACE_PREFIX if place.needs_prefix or place.ambiguous_folded else ""
        pattern = prefix + r"(?<!\w)(" + re.escape(re.sub(r"\s*-\s*", " - ", name)) + r")(?!\w)"
        out.append((place, re.compile(pattern)))
    return tuple(out)


def find_places(text: str) -> list[Place]:
    """Provinces/cities named in ``text``.

    With diacritics the names are matched as written (Điện Biên is not "diễn
    biến"); without, on the folded form, where ambiguous names need a prefix.
    """
    accented = has_diacritics(text)
    source = normalize(text).lower() if accented else fold(text)
    hay = re.sub(r"\s*-\s*", " - ", source)
    matches: list[tuple[int, int, Place]] = []
    for place, pattern in _place_patterns(accented):
        for m in pattern.finditer(hay):
            matches.append((m.start(1), m.end(1), place))
    # Overlapping names ("lang son la ai": Lạng Sơn, not Sơn La): earliest, then longest wins.
    found: list[Place] = []
    taken: list[tuple[int, int]] = []
    for start, end, place in sorted(matches, key=lambda m: (m[0], -(m[1] - m[0]))):
        if any(start < e and s < end for s, e in taken) or place in found:
            continue
        taken.append((start, end))
        found.append(place)
    return found


_UNIT_RE = re.compile(r"\b(?:quan khu|qk)\s*(\d{1,2})\b")


def find_numbered_units(text: str) -> list[str]:
    """Military regions named by number ("Quân khu 7", "QK7"), folded as "qk7"."""
    return [f"qk{int(n)}" for n in _UNIT_RE.findall(fold(text))]


# A name the question puts in quotes: a title, an award, a movement ("danh hiệu “Đoàn viên xuất sắc”").
# One quoted word is usually a word the asker stresses ("cứng"), and a long quotation may be a sentence
# recalled loosely, so only quotations of QUOTED_NAME_WORDS words count as names.
QUOTED_NAME_WORDS = (2, 6)
_QUOTED_RE = re.compile(r'"([^"\n]+)"|“([^”\n]+)”|«([^»\n]+)»')
# A law named by its title ("Bộ luật Hình sự", "Luật Viên chức"): capital "Luật" and a capital next word,
# not after "kỷ" or "pháp" ("Kỷ Luật Đảng", "Pháp Luật Nhà nước" in a title-case question).  Its first
# LAW_NAME_WORDS words after "Luật" are what any text citing it writes ("Luật Cán bộ, công chức" is also
# cited as "Luật Cán bộ công chức").
LAW_NAME_WORDS = 2
_LAW_RE = re.compile(
    rf"(?<!\w)(?<![Kk][ỷỉ] )(?<![Pp]háp )(?:Bộ luật|Luật)((?: [{UPPER}]\w*)(?: \w+){{0,{LAW_NAME_WORDS - 1}}})"
)


# A plenum of the Central Committee named by its number: "Hội nghị Trung ương 15", "Hội nghị TW lần thứ mười
# lăm", "Hội nghị lần thứ 11 Ban Chấp hành Trung ương" (read on the folded question; "năm 2025" is a year).
_DIGIT_WORDS = ("mot", "hai", "ba", "bon", "nam", "sau", "bay", "tam", "chin")
_PLENUM_NUMBER = (
    r"(\d{1,2}|(?:(?:hai |ba )?muoi)(?: (?:mot|hai|ba|bon|tu|lam|nam|sau|bay|tam|chin))?|nhat|tu|"
    + ("|".join(_DIGIT_WORDS))
    + r")\b(?! \d)"
)
_PLENUM_RES = (
    re.compile(rf"\bhoi nghi (?:ban chap hanh |bch )?(?:trung uong|tw) (?:lan thu |thu )?{_PLENUM_NUMBER}"),
    re.compile(rf"\bhoi nghi (?:lan )?thu {_PLENUM_NUMBER} (?:cua )?(?:ban chap hanh |bch )?(?:trung uong|tw)\b"),
)


def _small_number(words: str) -> int | None:
    """ "11" → 11, "muoi lam" → 15, "nhat" → 1, "tu" → 4 (folded words of a number below a hundred)."""
    if words.isdigit():
        return int(words)
    value = {"nhat": 1, "tu": 4}.get(words)
    if value is not None:
        return value
    *tens, last = words.split()
    units = {w: i + 1 for i, w in enumerate(_DIGIT_WORDS)} | {"tu": 4, "lam": 5}
    if last == "muoi":  # "muoi", "hai muoi"
        return 10 * (units.get(tens[0], 1) if tens else 1)
    if tens:  # "muoi lam", "hai muoi mot"
        return 10 * (1 if tens[0] == "muoi" else units.get(tens[0], 1)) + units.get(last, 0)
    return units.get(last)


def find_plenums(folded: str) -> list[int]:
    """The numbers of the Central Committee's plenums a (folded) question names."""
    found = (_small_number(m.group(1)) for regex in _PLENUM_RES for m in regex.finditer(folded))
    return list(dict.fromkeys(n for n in found if n))


def plenum_forms(n: int) -> list[str]:
    """The folded ways a text names plenum ``n``: "hoi nghi trung uong 11", "hoi nghi lan thu muoi mot", …"""
    digit = ("",) + _DIGIT_WORDS
    if n < 10:
        words = {digit[n]} | ({"nhat"} if n == 1 else set()) | ({"tu"} if n == 4 else set())
    else:
        tens = "muoi" if n < 20 else f"{digit[n // 10]} muoi"
        last = {4: ("bon", "tu"), 5: ("lam",)}.get(n % 10, (digit[n % 10],))
        words = {tens} if n % 10 == 0 else {f"{tens} {w}" for w in last}
    return [
        f"hoi nghi {head}{w}"
        for w in sorted(words | {str(n)})
        for head in ("trung uong ", "trung uong lan thu ", "lan thu ", "ban chap hanh trung uong lan thu ")
    ]


def find_names(text: str) -> list[str]:
    """The names the question gives as written: its short quotations and the laws it names by title."""
    low, high = QUOTED_NAME_WORDS
    quoted = [q.strip(" .,;:?!") for groups in _QUOTED_RE.findall(text) for q in groups if q]
    names = [q for q in quoted if low <= len(q.split()) <= high]
    names += [m.group(0) for m in _LAW_RE.finditer(text)]
    return list(dict.fromkeys(names))


# "theo Điều lệ", "Điều 4 Điều lệ Đảng" name the Party's charter (it has no number); "Quy định thi hành Điều lệ"
# names the regulation that implements it.
CHARTER_RE = re.compile(r"(?<!thi hanh )\bdieu le\b")


@dataclass
class Query:
    raw: str
    text: str  # normalised
    folded: str
    accented: bool
    terms: list[str]  # folded content syllables, in order, no duplicates
    bigrams: list[str]  # folded syllable pairs
    expansions: list[str]  # full forms of abbreviations used in the question
    refs: list[DocRef]
    places: list[Place]
    units: list[str]
    dense_text: str  # what the embedding model reads
    wants: set[Wants] = field(default_factory=set)
    # The other forms of the question's words, folded → folded phrases: the full forms of abbreviations
    # in play (typed, or standing for a full form typed) and the documents' words for what officers say
    # otherwise (SYNONYMS).  A passage that writes the other form still holds the word.
    other_forms: dict[str, list[str]] = field(default_factory=dict)
    # A question of several sentences ("Tôi mới được kết nạp. … tôi có được bỏ phiếu không?"): its last
    # sentence, the one that asks, analysed alone; None for a question of one sentence.
    asked_part: Query | None = None
    # The documents' wordings of the question's phrases (SYNONYMS), folded: searched for too.
    synonyms: list[str] = field(default_factory=list)
    # The bodies and offices outside the Party's rules the question names (NAMED_SUBJECTS), folded → the
    # folded forms a text may name each by.
    subjects: dict[str, list[str]] = field(default_factory=dict)
    # The local congress terms the question names ("nhiệm kỳ 2025-2030" → (2025, 2030)).
    congress_terms: tuple[tuple[int, int], ...] = ()
    # The names it quotes or the laws it names by title, as written (find_names).
    names: list[str] = field(default_factory=list)
    # The numbers of the Central Committee's plenums it names (find_plenums).
    plenums: list[int] = field(default_factory=list)
    # The questions a message asks when it asks several (question_parts), folded.
    parts: tuple[str, ...] = ()

    @property
    def charter_abbreviations(self) -> frozenset[str]:
        """The abbreviations the question writes for "Điều lệ" ("ĐL")."""
        return frozenset(t for t in self.terms if t != "dieu le" and "dieu le" in self.other_forms.get(t, ()))

    @property
    def names_charter(self) -> bool:
        """Does the question name the Điều lệ, in full or by an abbreviation ("theo ĐL", not "QĐ thi hành ĐL")?"""
        folded = self.folded
        for abbr in self.charter_abbreviations:
            folded = re.sub(rf"\b{abbr}\b", "dieu le", folded)
        return bool(CHARTER_RE.search(folded))

    @property
    def charter_name_terms(self) -> frozenset[str]:
        """The abbreviations that name the Điều lệ when the question cites it ("Theo ĐL Đảng, …"): they say
        which document, not what is asked (an article never writes "ĐL"), so the refusal gates and the clause
        scores do not look for them.  "Điều lệ" written in full stays a word of the question: articles say it
        ("Chỉ Đại hội đại biểu toàn quốc mới có quyền sửa đổi Điều lệ Đảng")."""
        return self.charter_abbreviations if self.names_charter else frozenset()

    def holds(self, term: str, words: set[str], folded_text: str) -> bool:
        """Is the question's ``term`` in a text (given as its folded words and folded text)?"""
        return self.held_weight({term: 1.0}, words, folded_text) > 0

    def held_weight(self, weights: dict[str, float], words: set[str], folded_text: str) -> float:
        """The summed weight of the question's terms (``weights``: term → weight) a text holds, given as its
        folded words and folded text: a term is held as itself or as one of its other forms."""
        held = 0.0
        padded = None
        for term, weight in weights.items():
            if term in words:
                held += weight
                continue
            forms = self.other_forms.get(term)
            if not forms:
                continue
            padded = padded or f" {folded_text} "
            # ``words`` may hold phrases too: the full forms a clause's headings name (answer._heading_words).
            if any(full in words or f" {full} " in padded for full in forms):
                held += weight
        return held


# How officers talk about their own case ("bọn tôi", "em", "giờ", "sắp tới"): words no clause answers with.
# Written with their marks, because folded most of them are also content words ("bon" is "bốn", "vua" is
# "vua", "gio" is "gió"), so they are dropped only where the question writes them this way.
CHATTER = frozenset("bọn chúng em tớ giờ vừa sắp ạ nhé nhỉ ấy nữa luôn rồi thế à ơi phải xong muốn".split())


# Phone shorthand ("có đc ko", "đ/c ấy", "làm ntn"): read as the words it stands for before the question is
# analysed, so "ko" is the stopword "không", not a rare topic word that no clause holds. Lower case only
# (upper case is an abbreviation of the glossary), and only forms with one reading in a question: "đk"
# (được / điều kiện), "hs" (hồ sơ / học sinh), "bn" (bao nhiêu / bạn) and "tg" (thời gian / tác giả) are
# left alone; "k" is "không" except as a list item ("điểm k").
SHORTHAND: dict[str, str] = {
    "ko": "không",
    "khg": "không",
    "hok": "không",
    "k": "không",
    "dc": "được",
    "đc": "được",
    "j": "gì",
    "ntn": "như thế nào",
    "vs": "với",
    "ng": "người",
    "cx": "cũng",
    "cg": "cũng",
    "trc": "trước",
    "mk": "mình",
    "lm": "làm",
}
_SHORTHAND_RE = re.compile(r"(?<![\w/])(?<!điểm )(?<!diem )(" + "|".join(SHORTHAND) + r")(?![\w/])")
# "đ/c", "Đ/c", "d/c": đồng chí.
_COMRADE_RE = re.compile(r"(?<!\w)[đĐdD]\s*/\s*[cC](?!\w)")
# Words that frame the question rather than name its topic, however they are typed (folded; the group is
# dropped from the question's words): a greeting first ("Chào bạn, …") or thanks; "bây giờ"; "xử lý (đồng
# chí này) thế nào", "giải quyết ra sao" and "(việc này) thực hiện thế nào" ask what the rules do with the
# case told; "trường hợp này" points back at it; "theo (bài) Wikipedia", "trên Wikipedia", "theo bài báo"
# say where the officer read it, not what it is about (a text rarely names its own medium).
FRAME_RE = re.compile(
    r"^(?:xin chao|chao (?:ban|anh|chi|em|ad|moi nguoi))(?: (?:ban|anh|chi|em|ad))?\b"
    r"|\b(?:bai (?:viet )?)?(?:tren |tu )?wikipedia\b|(?:(?<=theo )|(?<=trong )|(?<=tren ))bai (?:bao(?! cao)|viet)\b"
    r"|\b(?:xin )?cam on(?: ban| anh| chi| em| ad| nhieu)?\b"
    r"|\b(?:bay gio|hien gio|truong hop nay"
    r"|(xu ly|giai quyet)(?= (?:\w+ ){0,3}?(?:the nao|ra sao|sao|gi)\b)|thuc hien(?= (?:nhu )?(?:the nao|ra sao)\b))\b"
)


# A message that is only a greeting, thanks, goodbye or an acknowledgement (folded, with the words that
# address the bot or soften the tone): small talk, answered as such, never searched ("xin chào" is not
# "Chào cờ").
_POLITE = (
    r"(?:\s+(?:ban|bot|ad|admin|anh|chi|em|a|nhe|nha|nhieu|rat nhieu|moi nguoi|ca nha|buoi sang|buoi chieu|buoi toi))*"
)
SMALL_TALK: dict[str, re.Pattern[str]] = {
    "greeting": re.compile(r"^(?:xin chao|chao|hello|hi|alo|hey)" + _POLITE + "$"),
    "thanks": re.compile(r"^(?:xin )?(?:cam on|thanks|thank you|thank|tks|thx)" + _POLITE + "$"),
    "bye": re.compile(r"^(?:tam biet|bye|goodbye|hen gap lai)" + _POLITE + "$"),
    "ack": re.compile(r"^(?:ok|oke|okay|vang|da|duoc roi|ro roi|hieu roi|uh|u)" + _POLITE + "$"),
}


def small_talk(text: str) -> str | None:
    """The kind of small talk a message is ("greeting", "thanks", "bye", "ack"), or None for a question."""
    folded = " ".join(re.findall(r"\w+", fold(normalize(text))))
    return next((kind for kind, pattern in SMALL_TALK.items() if pattern.match(folded)), None)


def _frame_words(tokens: list[str]) -> set[int]:
    """The positions of the question's words that frame it (FRAME_RE)."""
    joined, starts, at = " ".join(tokens), [], 0
    for t in tokens:
        starts.append(at)
        at += len(t) + 1
    out: set[int] = set()
    for m in FRAME_RE.finditer(joined):
        out.update(i for i, st in enumerate(starts) if m.start() <= st < m.end())
    return out


def expand_shorthand(text: str) -> str:
    """A question with its phone shorthand written out ("có đc ko" → "có được không"), without marks in a
    question typed without them."""
    marks = has_diacritics(text)
    text = _COMRADE_RE.sub("đồng chí" if marks else "dong chi", text)
    return _SHORTHAND_RE.sub(lambda m: SHORTHAND[m.group(1)] if marks else fold(SHORTHAND[m.group(1)]), text)


def _chatter(text: str) -> set[str]:
    """The folded words that, everywhere the question uses them, are chatter (see CHATTER)."""
    forms: dict[str, set[str]] = {}
    for word in re.findall(r"\w+", text.lower()):
        forms.setdefault(fold(word), set()).add(word)
    return {f for f, written in forms.items() if written <= CHATTER}


# What officers type and what the documents write for the same thing ("tối thiểu" / "ít nhất"): a clause
# that writes the documents' form holds the question's words.  Only wordings with one meaning in these
# documents: quantity bounds and how a vote or a meeting is attended.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "tối thiểu": ("ít nhất",),
    "tối đa": ("không quá", "nhiều nhất"),
    "có mặt": ("tham dự",),
    "bỏ phiếu": ("biểu quyết",),
}
# Topics whose syllables alone are function words or in nearly every passage ("cán" folds to "can" = "cần",
# "bộ" is in DOMAIN_COMMON): the pair is the question's word.  Without diacritics the pair is read so unless
# the next syllable makes it another phrase ("can bo sung" = "cần bổ sung").
TOPIC_COMPOUNDS: dict[str, frozenset[str]] = {
    "cán bộ": frozenset({"sung", "nhiem", "tri", "cuc"}),
    "thẻ đảng": frozenset(),
}


def _compounds_in(text: str, padded: str) -> list[str]:
    """The TOPIC_COMPOUNDS a question names, folded (``padded``: its folded words, see _padded_words)."""
    lowered = normalize(text).lower()
    accented = has_diacritics(text)
    out = []
    for compound, not_after in TOPIC_COMPOUNDS.items():
        key = fold(compound)
        if accented:
            if re.search(rf"\b{compound}\b", lowered):
                out.append(key)
        elif re.search(rf" {key} (?!(?:{'|'.join(not_after) or '$^'}) )", padded):
            out.append(key)
    return out


_SYNONYMS_FOLDED = {fold(k): tuple(fold(v) for v in vs) for k, vs in SYNONYMS.items()}


def _padded_words(folded: str) -> str:
    """A folded text's words, one space apart and around: " quoc hoi bau " (phrases are found as " a b ")."""
    return " " + " ".join(re.findall(r"\w+", folded)) + " "


def _synonyms_in(text: str, padded: str) -> dict[str, tuple[str, ...]]:
    """The SYNONYMS phrases a question uses, folded, with the documents' forms; and its ordinals
    (``padded``: its folded words, see _padded_words)."""
    found = {k: v for k, v in _SYNONYMS_FOLDED.items() if f" {k} " in padded}
    return found | _ordinal_forms(padded, {m.lower() for m in re.findall(r"\b[IVXL]{1,7}\b", text)})


# The highest congress, term or plenum number read as an ordinal.
MAX_ORDINAL = 30
# "Đại hội lần 2", "khóa 14", "Hội nghị lần thứ hai": the documents number congresses, terms and plenums in
# Roman numerals ("Lần thứ II", "khóa XIV"), sometimes in words.  Words only after "lần thứ" ("đại hội năm"
# is "the congress of the year").
_ORDINAL_WORDS = ("nhat", "hai", "ba", "tu", "nam", "sau", "bay", "tam", "chin", "muoi")
_ORDINAL_RE = re.compile(
    r" (lan thu|lan|khoa|dai hoi|hoi nghi) (\d{1,2}|[ivxl]{1,7})(?= )| (lan thu) ("
    + "|".join(_ORDINAL_WORDS)
    + ")(?= )"
)


def _ordinal_forms(padded: str, roman: set[str]) -> dict[str, tuple[str, ...]]:
    """The other ways the documents write each ordinal the question names (``padded``: see _padded_words).
    Roman numerals count only as written, in capitals (``roman``, folded): "vi" is also "vì"."""
    out: dict[str, tuple[str, ...]] = {}
    for m in _ORDINAL_RE.finditer(padded):
        prefix, number = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if number.isdigit():
            n = int(number)
        elif number in _ORDINAL_WORDS:
            n = _ORDINAL_WORDS.index(number) + 1
        else:
            n = (roman_to_int(number) or 0) if number in roman else 0
        if not 0 < n <= MAX_ORDINAL:
            continue
        stem = "lan thu" if prefix == "lan" else prefix
        forms = [f"{stem} {to_roman(n).lower()}", f"{stem} {n}"]
        if stem == "lan thu" and n <= len(_ORDINAL_WORDS):
            forms.append(f"lan thu {_ORDINAL_WORDS[n - 1]}")
        phrase = f"{prefix} {number}"
        out[phrase] = tuple(f for f in dict.fromkeys(forms) if f != phrase)
    return out


# Bodies, offices and State matters outside the Party's own rules.  A clause that shares one of their words
# ("Quốc ca" for "Quốc hội", "đoàn viên" for "công đoàn", "chức vụ" for "công chức") does not answer a
# question naming them: their words count for a text only where it names the whole (or its abbreviation).
NAMED_SUBJECTS = (
    "Quốc hội",
    "đại biểu Quốc hội",
    "Chủ tịch nước",
    "Chính phủ",
    "Thủ tướng",
    "bộ trưởng",
    "Hội đồng nhân dân",
    "Ủy ban nhân dân",
    "Mặt trận Tổ quốc",
    "công đoàn",
    "đoàn viên",
    "Đoàn thanh niên",
    "Hội Liên hiệp Phụ nữ",
    "Hội Nông dân",
    "Hội Cựu chiến binh",
    "Hội Chữ thập đỏ",
    "Hội Khuyến học",
    "Hội Người cao tuổi",
    "Hội Luật gia",
    "Hội Nhà báo",
    "Liên đoàn Lao động",
    "Hội Sinh viên",
    "công chức",
    "viên chức",
    "phụ cấp",
    "tiền lương",
    "bảo hiểm xã hội",
    "tuyển dụng",
    "hợp đồng lao động",
    "lương hưu",
    "trưởng thôn",
    "tổ trưởng tổ dân phố",
)
# Longest first, so "đại biểu Quốc hội" is read before "Quốc hội".
_SUBJECTS_FOLDED = sorted({fold(s) for s in NAMED_SUBJECTS}, key=lambda s: -len(s.split()))


_PARTY_UNIT_RE = re.compile(r"(?<= )(chi|dang) bo(?= )")
# A Party organisation named after the State body it works in ("Đảng bộ Chính phủ", "Đảng đoàn Quốc hội",
# "Ban cán sự đảng Chính phủ") is a Party body: the question does not name the State body itself.
_PARTY_ORG_PREFIXES = ("dang_bo", "dang uy", "dang doan", "ban can su dang")


def _subjects_in(folded: str, glossary: Glossary, in_play: Collection[str] = ()) -> dict[str, list[str]]:
    """The NAMED_SUBJECTS a folded question names (in full, by an abbreviation, or with an abbreviation
    inside: "Đoàn TNCS" is "Đoàn Thanh niên Cộng sản"), each with the folded forms a text may name it by."""
    padded = _padded_words(folded)
    for abbr in sorted(in_play):  # in one order: each expansion reads the ones before it
        for full in glossary.entries.get(abbr, ()):
            padded += _padded_words(padded.replace(f" {abbr} ", f" {fold(full)} "))
    # "chi bộ trường" (the school's Party cell) folds to the words of "bộ trưởng": a Party unit's "bộ" starts
    # no named subject.
    padded = _PARTY_UNIT_RE.sub(r"\1_bo", padded)
    out: dict[str, list[str]] = {}
    for subject in _SUBJECTS_FOLDED:
        for prefix in _PARTY_ORG_PREFIXES:
            padded = padded.replace(f" {prefix} {subject} ", f" {prefix} | ")
        abbrs = glossary.by_full_form.get(subject, [])
        if f" {subject} " in padded or any(f" {a} " in padded for a in abbrs):
            out[subject] = [subject, *abbrs]
            padded = padded.replace(f" {subject} ", " | ")
    return out


# Where one sentence of a question ends and the next begins: ".", "?" or "!" then a capital letter.
_SENTENCE_END_RE = re.compile(rf"(?<=[.?!])\s+(?=[{UPPER}])")
# A last sentence shorter than this ("Có được không?") does not say what is asked on its own.
MIN_ASKED_WORDS = 4


# A question word before "cũng" says "every", not what is asked: "năm nào cũng không họp được" (every year),
# "ai cũng biết", "bao giờ cũng", "mấy lần cũng".
_INDEFINITE_RE = re.compile(r"\b(?:nao|ai|gi|dau|bao gio|bao nhieu|may)(?= cung\b)")
# Inside a yes/no question, "mấy" is "a few", not "how many": "Tôi có được chụp lại mấy trang lý lịch mang về
# … không?" asks whether it is allowed.  "Có mấy …" right after "có" still counts ("chi bộ có mấy đảng viên"),
# and so does a "không" that negates ("có thể bầu mấy người không được …").
_YES_NO_MAY_RE = re.compile(r"(\bco (?:duoc|the|nen|phai|can)\b(?: \w+){0,4}?) may\b(?=[^?.!]*\bkhong\s*(?:[,;?.!]|$))")


# The (folded) nouns that name the steps or stages of a procedure, and a count of them.
STEP_NOUNS = frozenset({"buoc", "giai doan", "khau"})
_STEPS_COUNTED_RE = re.compile(r"\b(?:bao nhieu|may) (?:" + "|".join(sorted(STEP_NOUNS)) + r")\b")


def _cue_text(folded: str) -> str:
    """The folded question with the question words that ask nothing blanked out ("ai cũng", "có được … mấy
    … không")."""
    return _YES_NO_MAY_RE.sub(r"\1 ", _INDEFINITE_RE.sub(" ", folded))


def asking_sentences(text: str) -> str:
    """The question from its first sentence ending with "?" on, when it tells its case in sentences before it
    ("Bác cùng mấy hộ ký đơn tập thể. Chi bộ còn xem xét kỷ luật bác được không?" asks no number: "mấy hộ"
    there is "a few households").  A request after the question asks too ("… Cho tôi danh sách đầy đủ."); a
    question without a question mark is read whole."""
    sentences = _SENTENCE_END_RE.split(text.strip())
    first = next((i for i, s in enumerate(sentences) if s.rstrip().endswith("?")), 0)
    return " ".join(sentences[first:])


# What makes a stretch of a question ask something (folded, its indefinite question words blanked out): a
# question word, a choice ("trước ba mươi hay mười lăm ngày"), or "không" / "chưa" / "chứ" closing it ("… có áp
# dụng cho đảng bộ sáp nhập không").
_ASKS_RE = re.compile(r"\b(?:gi|nao|ai|dau|bao nhieu|bao lau|bao gio|may|sao|hay)\b|\b(?:khong|chua|chu)$")
# The stretches a question is cut into before they are grouped into the questions it asks: at a comma,
# semicolon or sentence end, and before "và" / "còn".
_STRETCH_RE = re.compile(r"\s*[,;:?.!]\s*|\s+(?=(?:va|con) )")


def question_parts(text: str) -> tuple[str, ...]:
    """The questions one message asks, folded, when it asks more than one ("… thông báo trước mấy ngày, và
    sau khi bế mạc thì có mấy ngày để báo cáo?"); () for a message that asks one thing.  A stretch that asks
    nothing (the case, a subject) belongs to the question after it, or, at the end, to the one before."""
    parts: list[str] = []
    pending: list[str] = []
    for stretch in _STRETCH_RE.split(_cue_text(fold(asking_sentences(text)))):
        words = " ".join(re.findall(r"\w+", stretch))
        if not words:
            continue
        pending.append(words)
        if _ASKS_RE.search(words):
            parts.append(" ".join(pending))
            pending = []
    if pending and parts:
        parts[-1] = " ".join([parts[-1], *pending])
    return tuple(parts) if len(parts) > 1 else ()


# An amount of money asked for: "bao nhiêu tiền", or a kind of payment before "bao nhiêu" ("lệ phí … bao
# nhiêu", "phụ cấp hằng tháng là bao nhiêu").  Folded, "tiền" is also "tiến" ("tiến hành … bao nhiêu ngày")
# and "lương" also "lượng" ("số lượng bao nhiêu"): those count only as written with their marks.
_MONEY_NOUNS = r"(?:le phi|hoi phi|hoc phi|cong tac phi|chi phi|kinh phi|dang phi|phu cap|muc chi|muc ho tro)"
_MONEY_FOLDED_RE = re.compile(
    r"\bbao nhieu (?:tien|dong)\b(?! chi)|\b" + _MONEY_NOUNS + r"\b(?: \w+){0,8} (?:la )?bao nhieu\b"
)
_MONEY_MARKED_RE = re.compile(r"\b(?:tiền|lương)\b(?: \w+){0,8} (?:là )?bao nhiêu\b")


def asks_money(text: str) -> bool:
    """Does the question ask for an amount of money?"""
    return bool(_MONEY_FOLDED_RE.search(fold(text)) or _MONEY_MARKED_RE.search(normalize(text).lower()))


def _wants(text: str) -> set[Wants]:
    """The kinds of answer asked for, read from the whole of ``text``, never from one folded word."""
    folded = fold(text)
    cued = _cue_text(folded)
    wants = {kind for kind, cue in CUES.items() if cue.search(cued)}
    plural = _LONG_PLURAL_RE.search(text.lower()) if has_diacritics(text) else _LONG_PLURAL_FOLDED_RE.search(cued)
    if plural:
        wants.add(Wants.LIST)
    if asks_how_many(text) and (cued == folded or asks_how_many(cued)):
        wants.add(Wants.COUNT)
    if Wants.COUNT in wants and _STEPS_COUNTED_RE.search(cued):
        # "Quy trình có mấy bước?" is answered by the steps themselves, every one of them.
        wants.add(Wants.LIST)
    if Wants.COUNT in wants and asks_money(text):
        wants.add(Wants.MONEY)
    if Wants.SINCE in wants:
        wants -= {Wants.DAY, Wants.DATE}
    return wants


def analyze(question: str, glossary: Glossary) -> Query:
    text = expand_shorthand(normalize(question).strip())
    folded = fold(text)
    tokens = folded_words(text)
    abbreviations = glossary.abbreviations
    chatter = _chatter(text)
    in_phrase = _frame_words(tokens)
    # An abbreviation that is also a syllable stands for its full form only in capitals: "du bi" is "dự bị",
    # not "đảng ủy bi" (the syllable stays a word of the question).
    written = {
        f for w in re.findall(r"\w+", text) if (f := fold(w)) in abbreviations and (w.isupper() or not is_syllable(f))
    }
    terms: list[str] = []
    for i, t in enumerate(tokens):
        if (t not in STOPWORDS or t in abbreviations) and t not in chatter and i not in in_phrase and t not in terms:
            terms.append(t)
    bigrams = []
    for a, b in zip(tokens, tokens[1:], strict=False):
        if not (a in STOPWORDS and b in STOPWORDS):
            bigram = f"{a} {b}"
            if bigram not in bigrams:
                bigrams.append(bigram)
    expansions = glossary.expansions_in(text)
    for abbr in glossary.abbreviations_in(text):
        if abbr not in terms:
            terms.append(abbr)
    dense = text + (" (" + "; ".join(expansions) + ")" if expansions else "")
    in_play = {t for t in tokens if t in glossary.entries and t in written} | set(glossary.abbreviations_in(text))
    other_forms = {a: [" ".join(folded_words(f)) for f in glossary.entries[a]] for a in in_play}
    padded = _padded_words(folded)
    synonyms = _synonyms_in(text, padded)
    for phrase, forms in synonyms.items():
        content = [word for word in phrase.split() if word in terms]
        for word in content:
            other_forms.setdefault(word, []).extend(forms)
        if not content:
            # "tối đa" is two function words: the phrase itself is the question's word.
            terms.append(phrase)
            other_forms[phrase] = [phrase, *forms]
    for compound in _compounds_in(text, padded):
        if compound not in terms:
            terms.append(compound)
            other_forms[compound] = [compound]
    wants = _wants(asking_sentences(text))
    *told, asked = _SENTENCE_END_RE.split(text.rstrip(" ?!.")) or [text]
    return Query(
        asked_part=analyze(asked, glossary) if told and len(asked.split()) >= MIN_ASKED_WORDS else None,
        raw=question,
        text=text,
        folded=folded,
        accented=has_diacritics(text),
        terms=terms,
        bigrams=bigrams,
        expansions=expansions,
        refs=find_refs(text),
        places=find_places(text),
        units=find_numbered_units(text),
        names=find_names(text),
        plenums=find_plenums(folded),
        dense_text=dense,
        wants=wants,
        other_forms=other_forms,
        synonyms=[form for forms in synonyms.values() for form in forms],
        subjects=_subjects_in(folded, glossary, in_play),
        congress_terms=tuple(dict.fromkeys(t.local_years for t in find_terms(text) if t.level == "local")),
        parts=question_parts(text),
    )


def fts_phrase(text: str) -> str:
    """A double-quoted FTS5 string: user input can never become an operator.

    A NUL character would end the string inside FTS5's parser ("unterminated string"): it becomes a space.
    """
    return '"' + text.replace("\x00", " ").replace('"', '""') + '"'


# The FTS5 columns the lexical query searches for its folded words, and for the words as the user wrote them.
FOLDED_COLUMNS = ("title_f", "body_f", "extra")
WRITTEN_COLUMNS = ("title", "body")


def fts_match(
    q: Query,
    df: Callable[[str], int] | None = None,
    budget: int | None = None,
    min_terms: int = DEFAULT_SEARCH.lexical_min_terms,
    common: Callable[[str, bool], bool] | None = None,
) -> str | None:
    """FTS5 MATCH expression: syllables and syllable bigrams, folded; the
    accented syllables too when the user typed diacritics (exact-accent matches
    rank higher); full forms of abbreviations.

    With ``df`` and ``budget``, the rarest terms (at least ``min_terms``) are kept until the postings
    FTS5 would read (the sum of their document frequencies) reach the budget:
    BM25 gives words found in most passages almost no weight anyway, and on a
    large index reading their posting lists is what makes a query slow.

    With ``common`` (is this phrase, folded or as written, in at least half the passages?), such phrases
    are left out: FTS5's BM25 gives them its floor IDF (1e-6), so they change no passage's rank, yet
    matching them makes it score nearly every passage.  Unless nothing else is left.
    """
    items = [(t, [t]) for t in q.terms] + [(b, b.split()) for b in q.bigrams]
    items += [(fold(e), folded_words(e)) for e in q.expansions]
    items += [(s, s.split()) for s in q.synonyms]
    if df is not None and budget is not None:
        costed = sorted(((sum(df(w) for w in words), text) for text, words in items), key=lambda x: x[0])
        kept, spent = [], 0
        for cost, text in costed:
            if kept and len(kept) >= min_terms and spent + cost > budget:
                break
            kept.append(text)
            spent += cost
        items = [(text, text.split()) for text in dict.fromkeys(kept)]
    if not items:
        return None
    kept_terms = {text for text, _ in items}
    accented: list[str] = []
    if q.accented:
        accented = [w for w in re.findall(r"\w+", q.text.lower()) if fold(w) in kept_terms and fold(w) != w]
        accented = list(dict.fromkeys(accented))
    folded_texts = [text for text, _ in items]
    if common is not None:
        rare_folded = [t for t in folded_texts if not common(t, False)]
        rare_accented = [w for w in accented if not common(w, True)]
        if rare_folded or rare_accented:
            folded_texts, accented = rare_folded, rare_accented
    groups = [(FOLDED_COLUMNS, folded_texts), (WRITTEN_COLUMNS, accented)]
    return " OR ".join(
        "{" + " ".join(cols) + "} : (" + " OR ".join(map(fts_phrase, texts)) + ")" for cols, texts in groups if texts
    )
