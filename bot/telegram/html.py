"""A generic Telegram-HTML packer: plain lines in, valid HTML messages out.

Everything that comes from a document or a user is escaped with :func:`html.escape`;
the only markup is the one tag a :class:`Line` segment asks for.  No message is longer
than Telegram's limit (:attr:`telegram.constants.MessageLimit.MAX_TEXT_LENGTH`, counted
in UTF-16 units as Telegram does): text is split between lines, then sentences, then
words (a single giant word is cut between characters), always on the plain text
*before* escaping, so an entity or a tag is never cut and every part is valid on its own.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from telegram.constants import MessageLimit

TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH

Segment = tuple[str, str | None]  # (plain text, tag or None)


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text))


def tg_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Line:
    """One line of a message: plain-text segments, each optionally wrapped in one tag (b, i, code)."""

    segments: list[Segment] = field(default_factory=list)
    keep_with_next: bool = False  # a heading: never the last line of a part

    @classmethod
    def of(cls, text: str = "", tag: str | None = None, keep_with_next: bool = False) -> Line:
        return cls([(text, tag)], keep_with_next)


def _wrap(text: str, tag: str | None) -> str:
    return f"<{tag}>{esc(text)}</{tag}>" if tag else esc(text)


def _tag_overhead(tag: str | None) -> int:
    return 2 * len(tag) + 5 if tag else 0


_SEPARATORS = (
    re.compile(r"(?<=\n)"),  # lines
    re.compile(r"(?<=[.!?…;])(?=\s)"),  # sentences (the space starts the next piece)
    re.compile(r"(?=\s)"),  # words
)


def split_plain(text: str, limit: int, level: int = 0) -> list[str]:
    """Cut plain text into pieces whose *escaped* form fits ``limit``; pieces concatenate back to ``text``."""
    if tg_len(esc(text)) <= limit:
        return [text]
    if level < len(_SEPARATORS):
        pieces = [p for p in _SEPARATORS[level].split(text) if p]
        if len(pieces) > 1:
            out: list[str] = []
            current = ""
            for piece in pieces:
                if tg_len(esc(current + piece)) <= limit:
                    current += piece
                    continue
                if current:
                    out.append(current)
                if tg_len(esc(piece)) <= limit:
                    current = piece
                else:
                    *head, current = split_plain(piece, limit, level + 1)
                    out.extend(head)
            if current:
                out.append(current)
            return out
        return split_plain(text, limit, level + 1)
    out, current = [], ""
    for ch in text:  # one enormous word: cut between characters
        if current and tg_len(esc(current + ch)) > limit:
            out.append(current)
            current = ""
        current += ch
    return out + ([current] if current else [])


@dataclass
class _Unit:
    html: str
    sep: str  # "\n" before the first piece of a line, "" before a continuation
    keep: bool = False


def _units(lines: Iterable[Line | str], limit: int) -> list[_Unit]:
    units: list[_Unit] = []
    for line in lines:
        if isinstance(line, str):
            line = Line.of(line)
        rendered = "".join(_wrap(t, tag) for t, tag in line.segments)
        if tg_len(rendered) <= limit:
            units.append(_Unit(rendered, "\n", line.keep_with_next))
            continue
        sep = "\n"
        for text, tag in line.segments:
            for piece in split_plain(text, limit - _tag_overhead(tag)):
                units.append(_Unit(_wrap(piece, tag), sep))
                sep = ""
    return units


def pack(lines: Sequence[Line | str], limit: int = TEXT_LIMIT) -> list[str]:
    """Lay lines out into as few messages as possible, each at most ``limit`` long."""
    parts: list[str] = []
    current: list[_Unit] = []

    def size(units: list[_Unit]) -> int:
        return sum(tg_len(u.sep) + tg_len(u.html) for u in units[1:]) + (tg_len(units[0].html) if units else 0)

    def flush(units: list[_Unit]) -> None:
        text = units[0].html + "".join(u.sep + u.html for u in units[1:]) if units else ""
        text = text.strip("\n")
        if text.strip():
            parts.append(text)

    for unit in _units(lines, limit):
        if not current and not unit.html.strip():
            continue  # no blank line at the top of a part
        if current and size(current + [unit]) > limit:
            carry: list[_Unit] = []
            while len(current) > 1 and current[-1].keep:
                carry.insert(0, current.pop())
            flush(current)
            current = carry
            if current and size(current + [unit]) > limit:
                flush(current)
                current = []
            if not current and not unit.html.strip():
                continue
        current.append(unit)
    flush(current)
    return parts or ["…"]


def first(lines: Sequence[Line | str], limit: int = TEXT_LIMIT) -> str:
    """One message: the first part of :func:`pack` (for short admin reports)."""
    return pack(lines, limit)[0]
