"""The field's abbreviations (TSVM, LLVT, BCH...), from ``knowledge/glossary.tsv``.

Admins edit the file; the bot uses it both ways: an abbreviation in a
question also looks for its full form, and a full form also finds passages
that only use the abbreviation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .textnorm import fold, is_syllable, normalize

GLOSSARY_FILE = "glossary.tsv"


@dataclass
class Glossary:
    # folded abbreviation -> full forms (normalised, with diacritics)
    entries: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Glossary:
        entries: dict[str, list[str]] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if not line.strip() or line.lstrip().startswith("#") or "\t" not in line:
                    continue
                abbr, full = (part.strip() for part in line.split("\t", 1))
                if abbr and full:
                    entries.setdefault(fold(abbr), []).append(normalize(full))
        return cls(entries)

    @cached_property
    def by_full_form(self) -> dict[str, list[str]]:
        """Folded full form → the folded abbreviations that stand for it ("hoi dong nhan dan" → ["hdnd"])."""
        out: dict[str, list[str]] = {}
        for abbr, fulls in self.entries.items():
            for full in fulls:
                out.setdefault(fold(full), []).append(abbr)
        return out

    @cached_property
    def abbreviations(self) -> frozenset[str]:
        """Folded abbreviations, including the parts of hyphenated ones (qs, qp)."""
        out = set()
        for abbr in self.entries:
            out.add(abbr)
            out.update(re.split(r"[-/]", abbr))
        return frozenset(out)

    @cached_property
    def _abbreviation_patterns(self) -> list[tuple[str, re.Pattern[str], list[str]]]:
        """Each folded abbreviation, the pattern that finds it in folded text ("qs - qp" too), its full forms.
        Not the part of a longer one joined by a dash, spaced or not: the "QP" of "QS - QP" is read with it."""
        return [
            (
                abbr,
                re.compile(r"(?<![\w-])(?<!-\s)" + re.escape(abbr).replace(r"\-", r"\s*-\s*") + r"(?![\w-])(?!\s-)"),
                fulls,
            )
            for abbr, fulls in self.entries.items()
        ]

    @cached_property
    def _full_form_patterns(self) -> list[tuple[str, re.Pattern[str]]]:
        """Each folded abbreviation worth adding for its full form, and the pattern that finds any of its full
        forms in folded text ("ĐH", "CB", "TW" are too short to add for every "đại hội")."""
        return [
            (abbr, re.compile(r"(?<!\w)(?:" + "|".join(re.escape(fold(f)) for f in fulls) + r")(?!\w)"))
            for abbr, fulls in self.entries.items()
            if len(abbr.replace("-", "")) >= 3
        ]

    def expansions_in(self, text: str) -> list[str]:
        """Full forms of the abbreviations that occur in ``text`` (case-sensitive upper-case use).

        An abbreviation that is also a Vietnamese syllable ("TU" / tư, từ) is only
        expanded when written in capitals, so ordinary words are not mistaken for it.
        """
        found: list[str] = []
        folded = fold(text)  # once: folding is the costly part (the indexer calls this for every passage)
        same_offsets = len(folded) == len(text)
        for abbr_f, pattern, fulls in self._abbreviation_patterns:
            for m in pattern.finditer(folded):
                original = text[m.start() : m.end()] if same_offsets else ""
                if is_syllable(abbr_f.replace("-", "")) and not original.isupper():
                    continue
                found.extend(f for f in fulls if f not in found)
                break
        return found

    def abbreviations_in(self, text: str) -> list[str]:
        """Abbreviations whose full form occurs in ``text`` (the reverse direction)."""
        f = fold(text)
        return [abbr for abbr, pattern in self._full_form_patterns if pattern.search(f)]
