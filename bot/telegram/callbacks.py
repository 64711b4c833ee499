"""The callback data of every inline button: one codec, one small class per button kind.

Data is ``<kind letter>:<fields>`` so it survives a restart (no server-side state is
needed to read it).  Each kind has a ``PATTERN`` for its ``CallbackQueryHandler`` and
a strict :meth:`decode`; :meth:`encode` refuses data over Telegram's limit
(:attr:`telegram.constants.InlineKeyboardButtonLimit.MAX_CALLBACK_DATA` bytes) with an
exception, not an ``assert``, so the check also holds under ``python -O``.  Anything
the data claims is checked again when the button is pressed: a client can send any
data it likes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import ClassVar

from telegram.constants import InlineKeyboardButtonLimit

DATA_LIMIT = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
DIGEST_CHARS = 8  # enough to notice that a passage changed; short enough for the 64-byte limit


class CallbackDataTooLong(ValueError):
    """Button data that Telegram would refuse (BUTTON_DATA_INVALID)."""


def _checked(data: str) -> str:
    if len(data.encode("utf-8")) > DATA_LIMIT:
        raise CallbackDataTooLong(f"callback data {data!r} is over {DATA_LIMIT} bytes")
    return data


def passage_digest(text: str) -> str:
    """A short fingerprint of a passage, so a button never shows a different text after a re-index."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:DIGEST_CHARS]


@dataclass(frozen=True)
class Cite:
    """📄 [n]: show cited passage ``passage_id`` (as it was when the answer was given)."""

    n: int
    passage_id: int
    digest: str
    PATTERN: ClassVar[re.Pattern] = re.compile(rf"^c:(\d{{1,4}}):(\d{{1,18}}):([0-9a-f]{{{DIGEST_CHARS}}})$")

    def encode(self) -> str:
        return _checked(f"c:{self.n}:{self.passage_id}:{self.digest}")

    @classmethod
    def decode(cls, data: str | None) -> Cite | None:
        m = cls.PATTERN.match(data or "")
        return cls(int(m.group(1)), int(m.group(2)), m.group(3)) if m else None


@dataclass(frozen=True)
class Vote:
    """👍 / 👎 on answer ``key`` (its row in the question log)."""

    key: int
    up: bool
    PATTERN: ClassVar[re.Pattern] = re.compile(r"^f:(\d{1,18}):([01])$")

    def encode(self) -> str:
        return _checked(f"f:{self.key}:{int(self.up)}")

    @classmethod
    def decode(cls, data: str | None) -> Vote | None:
        m = cls.PATTERN.match(data or "")
        return cls(int(m.group(1)), m.group(2) == "1") if m else None


@dataclass(frozen=True)
class DocsPage:
    """◀ / ▶ in the /docs list."""

    page: int
    PATTERN: ClassVar[re.Pattern] = re.compile(r"^d:(\d{1,6})$")

    def encode(self) -> str:
        return _checked(f"d:{self.page}")

    @classmethod
    def decode(cls, data: str | None) -> DocsPage | None:
        m = cls.PATTERN.match(data or "")
        return cls(int(m.group(1))) if m else None


@dataclass(frozen=True)
class Removal:
    """🗑 Xóa / Hủy under a /remove confirmation; ``token`` names the pending removal."""

    token: str
    confirm: bool
    PATTERN: ClassVar[re.Pattern] = re.compile(r"^([rx]):([0-9a-f]{12})$")

    def encode(self) -> str:
        return _checked(f"{'r' if self.confirm else 'x'}:{self.token}")

    @classmethod
    def decode(cls, data: str | None) -> Removal | None:
        m = cls.PATTERN.match(data or "")
        return cls(m.group(2), m.group(1) == "r") if m else None


ADMIN_PATTERN = re.compile(f"{DocsPage.PATTERN.pattern}|{Removal.PATTERN.pattern}")
