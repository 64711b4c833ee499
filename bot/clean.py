"""Strip web boilerplate from raw article text, keep the content.

News pages crawled as text carry navigation crumbs, date and phone lines
above the title, comment forms and tag lists below the article, and junk
tokens from the site's ad markup.  Captions and the author line are content
and stay.
"""

from __future__ import annotations

import re

from .textnorm import LOWER, fold, normalize

# Lines that start the comment form / related-links tail of a news page.
# Everything from the first of them to the end is dropped.
_TAIL_MARKERS = (
    "tra loi",
    "thu dien tu cua ban se khong duoc hien thi",
    "y kien cua ban",
    "gui binh luan",
    "binh luan",
    "viet binh luan",
    "tag:",
    "tags:",
    "tu khoa:",
    "tin tuc moi",
    "tin lien quan",
    "bai viet lien quan",
    "tin cung chuyen muc",
    "cac tin khac",
    "ho ten:",
    "email:",
)
# Single lines that are boilerplate wherever they appear.
_LINE_PATTERNS = [
    re.compile(p)
    for p in (
        r"^(home|trang chu)\b",  # navigation crumbs
        r"^(thoi su|tin tuc|chinh tri|xa hoi|trang chu|tin tuc - su kien)$",  # category labels
        r"^[\d\s.()+\-]{8,}$",  # bare phone numbers
        r"^(chia se|share|in bai|print|facebook|twitter|zalo)\b.{0,20}$",
        r"^cac truong bat buoc duoc danh dau",
        r"^(ngay dang|cap nhat|ngay cap nhat)\s*:",  # publication line (kept in metadata)
        r"^(ngay )?(gio )?dang bai( viet)? goc\b",  # "Ngày giờ đăng bài viết gốc: …", "Giờ đăng bài viết gốc: …"
        # The page's own address ("Link bài viết gốc https://…", a bare URL): its words are the headline's
        # again, and a question about the headline must not be answered with a link.
        r"^(link|duong dan|nguon)( bai( viet)?( goc)?)?\s*:?\s*https?://\S+$",
        r"^link bai( viet)? goc\b",
        r"^https?://\S+$",
    )
]
# Weekday/date lines such as "Thứ Ba, 17/03/2020" or "Thứ sáu Ngày 14 Tháng 08 Năm 2020, 03:20:06".
DATE_LINE_RE = re.compile(
    r"^(thu\s+\w+|chu nhat)?[,\s]*(ngay\s+)?\d{1,2}(\s*thang\s*|[/.\-])\d{1,2}(\s*nam\s*|[/.\-])\d{4}"
    r"([,\s]+\d{1,2}:\d{2}(:\d{2})?)?\s*(\(gmt[^)]*\))?$"
)
# Junk tokens from ad markup ("cctvnnnbnnvakknfjcn11", "74nn22t12"): long ASCII
# tokens with a run of consonants no Vietnamese word has, or digits and letters
# interleaved several times.  Document numbers (35-CT/TW, QK2) never match.
_JUNK_TOKEN_RE = re.compile(
    r"(?<![\w/-])(?=[a-z0-9]*[a-z])(?=[a-z0-9]{8,}(?![\w/-]))"
    r"(?:[a-z0-9]*[bcdfghjklmnpqrstvwxz]{5,}[a-z0-9]*|(?:[a-z]*\d+[a-z]+){2,}\d*)(?![\w/-])"
)


def is_boilerplate_line(line: str) -> bool:
    f = fold(line).strip()
    if not f:
        return False
    if DATE_LINE_RE.match(f):
        return True
    return any(p.search(f) for p in _LINE_PATTERNS)


def _is_tail_marker(line: str) -> bool:
    f = fold(line).strip().rstrip(".:*").strip()
    return any(f == m.rstrip(":") or f.startswith(m) for m in _TAIL_MARKERS)


def strip_junk_tokens(text: str) -> str:
    return _JUNK_TOKEN_RE.sub("", text)


def clean_text(raw: str, official: bool = False) -> str:
    """Return the article body: paragraphs separated by blank lines, boilerplate removed.

    An ``official`` document (one with a Party document header) has no comment form to cut:
    its forms and appendices ("Họ tên: …") are content.
    """
    lines = [strip_junk_tokens(normalize(line)).strip() for line in raw.splitlines()]
    # Cut the comment form / tag list tail, but only in the last part of the
    # page, so that a sentence starting with "Trả lời" early on survives.
    content_lines = [i for i, line in enumerate(lines) if line]
    if content_lines and not official:
        start_tail = content_lines[len(content_lines) // 2]
        for i in range(start_tail, len(lines)):
            if lines[i] and _is_tail_marker(lines[i]):
                lines = lines[:i]
                break
    kept: list[str] = []
    for line in lines:
        line = re.sub(r"[ \t]{2,}", " ", line)
        if not line:
            if kept and kept[-1]:
                kept.append("")
            continue
        if is_boilerplate_line(line):
            continue
        # Lines that are nothing but leftover junk or punctuation.
        if not re.search(r"\w", line):
            continue
        kept.append(line)
    # Drop duplicate consecutive lines (a crumb repeating the title, etc.).
    out: list[str] = []
    for line in kept:
        if line and out and fold(line) == fold(out[-1] if out[-1] else (out[-2] if len(out) > 1 else "")):
            continue
        out.append(line)
    return "\n".join(_join_broken_paragraphs(out)).strip() + "\n"


# A paragraph that stops mid-sentence (on a word in lower case, no punctuation) and a next one that goes on in
# lower case: one sentence a web page broke in two ("… là dấu mốc đặc biệt trên" / "con đường phát triển, …").
# Not a heading in capitals ("KẾ HOẠCH" / "tổ chức đại hội …" is a title and its subject line), nor a next
# paragraph that opens an item ("a) …", "- …", "1. …"): a lead-in's items may start in lower case.
_STOPS_MID_SENTENCE_RE = re.compile(rf"[{LOWER}]$")
_GOES_ON_RE = re.compile(rf"^[{LOWER}](?![\w]?[).])")


def _join_broken_paragraphs(lines: list[str]) -> list[str]:
    """Join each paragraph broken off mid-sentence by a blank line to the paragraph that ends it."""
    out: list[str] = []
    for line in lines:
        if (
            line
            and len(out) >= 2
            and not out[-1]
            and _STOPS_MID_SENTENCE_RE.search(out[-2])
            and _GOES_ON_RE.match(line)
        ):
            out.pop()
            out[-1] = f"{out[-1]} {line}"
            continue
        out.append(line)
    return out
