"""One normaliser for corpus and queries.

Vietnamese text arrives in many shapes: NFD from some keyboards, old or new
tone placement (hòa/hoà, thủy/thuỷ), zero-width characters pasted from the
web, and, very often, no diacritics at all.  Everything that is stored or
compared goes through :func:`normalize`; lexical matching also uses the
diacritic-folded form from :func:`fold`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Combining tone marks (the five Vietnamese tones besides "ngang").
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u3000\t\x0b\x0c"), " ")


def _tone_table() -> dict[str, str]:
    """Map new-style placements (hoà, khoẻ, thuỷ) to the traditional one (hòa, khỏe, thủy).

    Only open syllables ending in oa/oe/uy differ between the conventions; with a
    final consonant (hoàng, quyết) both styles agree, so the regex below only
    rewrites the pair when no letter follows it.
    """
    table = {}
    for first, seconds in (("o", "ae"), ("u", "y")):
        for second in seconds:
            for tone in _TONES:
                for f, s in ((first, second), (first.upper(), second.upper()), (first.upper(), second)):
                    new = f + unicodedata.normalize("NFC", s + tone)
                    old = unicodedata.normalize("NFC", f + tone) + s
                    table[new] = old
    return table


_TONE_MAP = _tone_table()
# "qu" is an onset (quý, quỳ keep the tone on y), hence the look-behind.
_TONE_RE = re.compile("(?<![qQ])(" + "|".join(map(re.escape, sorted(_TONE_MAP, key=len, reverse=True))) + r")(?!\w)")


def _letters(upper: bool) -> str:
    """Vietnamese letters of one case, for regex classes: "[A-ZĐÀ-Ỹ]" is wrong, since the range À-Ỹ holds
    the lower-case letters too ("đ", "ư", "ạ")."""
    chars = [chr(c) for c in [*range(0x41, 0x5B), *range(0x61, 0x7B), *range(0xC0, 0x250), *range(0x1EA0, 0x1EFA)]]
    keep = [c for c in chars if unicodedata.normalize("NFD", c)[0].isascii() or c in "Đđ"]
    return "".join(c for c in keep if c.isupper() == upper and c.isalpha())


UPPER = _letters(upper=True)  # regex class contents: f"[{UPPER}]"
LOWER = _letters(upper=False)


def normalize(text: str) -> str:
    """NFC, one tone-placement convention, no zero-width characters, plain spaces."""
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH).translate(_SPACES)
    return _TONE_RE.sub(lambda m: _TONE_MAP[m.group(1)], text)


def _fold_table() -> dict[int, str | None]:
    """Every precomposed Latin letter -> its base letter, combining marks -> nothing."""
    table: dict[int, str | None] = {ord("đ"): "d", ord("Đ"): "d", **_ZERO_WIDTH, **_SPACES}
    for cp in range(0x00C0, 0x1F00):
        ch = chr(cp)
        if unicodedata.combining(ch):
            table[cp] = None
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if base != ch and base.isascii():
            table[cp] = base.lower()
    return table


_FOLD = _fold_table()


# Sentences and lines of passages are folded again question after question: the short ones are kept.
FOLD_CACHE_MAX_CHARS = 1000
FOLD_CACHE_TEXTS = 50_000


def fold(text: str) -> str:
    """Lower-case, diacritic-free form used for lexical matching (đ→d too).

    Folding drops the tone marks, so tone placement and NFC/NFD do not matter
    here: one translate() does it (combining marks of NFD input map to nothing).
    """
    return _fold_short(text) if len(text) <= FOLD_CACHE_MAX_CHARS else text.lower().translate(_FOLD)


@lru_cache(maxsize=FOLD_CACHE_TEXTS)
def _fold_short(text: str) -> str:
    return text.lower().translate(_FOLD)


def has_diacritics(text: str) -> bool:
    """True when the text carries any Vietnamese diacritic (so the user typed them)."""
    return fold(text) != normalize(text).lower()


_WORD_RE = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """Lower-cased word tokens (syllables, for Vietnamese) of normalised text."""
    return _WORD_RE.findall(normalize(text).lower())


def folded_words(text: str) -> list[str]:
    return _WORD_RE.findall(fold(text))


# A Vietnamese syllable, folded: optional onset, a vowel nucleus, optional coda.
_SYLLABLE_RE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(uye|uya|uyu|oai|oay|oao|oeo|uay|uoi|uou|ieu|yeu|ua|uo|ie|ye|ia|oa|oe|uy|ue|ui|uu|"
    r"ai|ao|au|ay|eo|eu|iu|oi|ou|ui|ua|[aeiouy])"
    r"(ch|ng|nh|[cmnpt]|[iyou])?$"
)


def is_syllable(token: str) -> bool:
    """Is this (folded) token a possible Vietnamese syllable?"""
    return bool(_SYLLABLE_RE.match(fold(token)))


def looks_vietnamese(text: str, ignore: frozenset[str] | set[str] = frozenset()) -> bool:
    """Heuristic: are most alphabetic tokens valid Vietnamese syllables?

    Used to tell a question typed without diacritics ("quy trinh nhan su")
    from one in another language ("what is the procedure").  Text in a
    non-Latin script is never Vietnamese.  ``ignore`` holds folded tokens that
    say nothing about the language (the field's abbreviations: tsvm, llvt...).
    """
    if has_diacritics(text):
        return True
    tokens = [t for t in folded_words(text) if t.isalpha() and t not in ignore]
    if not tokens:
        return bool(folded_words(text))
    if any(not t.isascii() for t in tokens):
        return False
    valid = sum(1 for t in tokens if _SYLLABLE_RE.match(t) or len(t) <= 1)
    return valid / len(tokens) >= 0.75


def is_caps(text: str, min_letters: int = 2) -> bool:
    """Written in capitals: at least ``min_letters`` letters, all upper-case (headings, letterheads)."""
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= min_letters and all(ch.isupper() for ch in letters)
