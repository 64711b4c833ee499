"""Telegram rendering: answers, passages, admin summaries as Telegram HTML.

Pure functions, no Telegram library needed.  Everything that comes from a
document or a user is escaped with :func:`html.escape`; the only markup is
added here.  No message is longer than Telegram's 4096 characters: text is
split between lines, then sentences, then words (a single giant word is cut
by characters), always on the plain text *before* escaping, so an entity or
a tag is never cut and every part is valid HTML on its own.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .answer import Answer, Citation, format_date, source_groups, source_line
from .errors import Skipped

TELEGRAM_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64

DOC_TYPE_LABELS = {
    "directive": "Chỉ thị",
    "instruction": "Hướng dẫn",
    "plan": "Kế hoạch",
    "regulation": "Quy định",
    "resolution": "Nghị quyết",
    "decision": "Quyết định",
    "news": "Tin bài",
}

EXAMPLE_QUESTIONS = (
    "Quy trình nhân sự đại hội gồm mấy bước?",
    "Đại hội điểm là gì?",
    "Lào Cai chuẩn bị đại hội thế nào?",
)

NOT_FOUND_HINT = (
    "💡 Gợi ý: hãy hỏi cụ thể hơn, nêu rõ đơn vị, địa phương hoặc số văn bản, và dùng từ ngữ như trong tài liệu. "
    "Ví dụ: “Quy trình nhân sự đại hội gồm mấy bước?”"
)


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text))


def tg_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def doc_type_label(doc_type: str | None) -> str:
    return DOC_TYPE_LABELS.get(doc_type or "", doc_type or "không rõ")


# -- splitting --------------------------------------------------------------------------------------------

Segment = tuple[str, str | None]  # (plain text, tag or None)


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


def pack(lines: Sequence[Line | str], limit: int = TELEGRAM_LIMIT) -> list[str]:
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


# -- answers ---------------------------------------------------------------------------------------------


def render_answer(answer: Answer, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """The answer with its [n] markers, then the sources; or the engine's refusal plus a hint."""
    lines: list[Line | str] = list(answer.answer.splitlines() or [""])
    if answer.found and answer.citations:
        lines.append("")
        lines.append(Line.of("Nguồn", "b", keep_with_next=True))
        for numbers, c in source_groups(answer.citations):
            lines.append(_source(c, numbers))
    elif not answer.found:
        lines.append("")
        lines.append(Line.of(NOT_FOUND_HINT, "i"))
    return pack(lines, limit)


def _source(c: Citation, numbers: list[int] | None = None) -> Line:
    line = source_line(c, numbers)
    marker = "".join(f"[{n}]" for n in (numbers or [c.n]))
    if line.startswith(marker):
        return Line([(marker, "b"), (line[len(marker) :], None)])
    return Line.of(line)


def passage_digest(text: str) -> str:
    """A short fingerprint of a passage, so a button never shows a different text after a re-index."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def answer_buttons(answer: Answer, key: int | str) -> list[list[tuple[str, str]]]:
    """Inline keyboard rows as (label, callback_data): one button per citation, then 👍 / 👎."""
    rows: list[list[tuple[str, str]]] = []
    row: list[tuple[str, str]] = []
    for c in answer.citations:
        row.append((f"📄 [{c.n}]", f"c:{c.n}:{c.passage_id}:{passage_digest(c.passage)}"))
        if len(row) == 4:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    rows.append([("👍", f"f:{key}:1"), ("👎", f"f:{key}:0")])
    for r in rows:
        for _, data in r:
            assert len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT, data
    return rows


def parse_citation_data(data: str) -> tuple[int, int, str] | None:
    m = re.fullmatch(r"c:(\d{1,4}):(\d{1,18}):([0-9a-f]{8})", data)
    return (int(m.group(1)), int(m.group(2)), m.group(3)) if m else None


def parse_feedback_data(data: str) -> tuple[int, int] | None:
    m = re.fullmatch(r"f:(\d{1,18}):([01])", data)
    return (int(m.group(1)), int(m.group(2))) if m else None


def render_passage(n: int | None, p: dict, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """The full cited passage with its document's details (``p``: title, source, published, doc_type,
    doc_id, text)."""
    head = f"📄 Trích dẫn [{n}]" if n else "📄 Trích dẫn"
    lines: list[Line | str] = [
        Line.of(head, "b"),
        Line.of(p.get("title") or "(không có tiêu đề)", "b"),
    ]
    if p.get("source"):
        lines.append(Line([("Nguồn: ", None), (p["source"], None)]))
    lines.append(f"Ngày: {format_date(p.get('published')) or 'không rõ'}")
    lines.append(f"Loại văn bản: {doc_type_label(p.get('doc_type'))}")
    lines.append(Line([("Mã tài liệu: ", None), (p.get("doc_id") or "", "code")]))
    lines.append("")
    lines.extend((p.get("text") or "").splitlines())
    return pack(lines, limit)


# -- help and admin views ----------------------------------------------------------------------------------


def render_help(bot_username: str | None = None, is_admin: bool = False) -> str:
    mention = f"@{bot_username}" if bot_username else "@bot"
    lines = [
        "<b>Trợ lý hỏi đáp về công tác đại hội Đảng</b>",
        "Tôi trả lời câu hỏi bằng tiếng Việt dựa trên các văn bản hướng dẫn và bài viết đã được nạp vào kho "
        "tài liệu, kèm nguồn trích dẫn [1], [2]… Nếu tài liệu không nói đến, tôi sẽ nói là không tìm thấy "
        "thay vì suy đoán.",
        "",
        "<b>Ví dụ câu hỏi</b>",
        *(f"• {esc(q)}" for q in EXAMPLE_QUESTIONS),
        "",
        "<b>Cách hỏi</b>",
        "• Tin nhắn riêng: gõ câu hỏi bất kỳ.",
        f"• Trong nhóm: dùng /ask &lt;câu hỏi&gt;, nhắc tên {esc(mention)} hoặc trả lời (reply) tin nhắn của tôi.",
        "• Trả lời (reply) một câu trả lời của tôi để hỏi tiếp, ví dụ: “còn ở Lạng Sơn thì sao?”",
        "• Bấm 📄 [n] để xem nguyên văn đoạn trích, 👍 / 👎 để góp ý.",
        "",
        "<b>Lệnh</b>",
        "/ask – đặt câu hỏi",
        "/help – hướng dẫn sử dụng",
    ]
    if is_admin:
        lines += [
            "",
            "<b>Lệnh quản trị</b> (chỉ trong tin nhắn riêng)",
            "• Gửi tệp PDF, DOCX, TXT, MD hoặc HTML để thêm vào kho tài liệu",
            "/docs – danh sách tài liệu",
            "/remove &lt;mã tài liệu&gt; – xóa một tài liệu",
            "/reindex – lập lại toàn bộ chỉ mục",
            "/stats – thống kê",
            "/feedback – tải về các góp ý (CSV; /feedback jsonl cho JSONL)",
        ]
    return "\n".join(lines)


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def render_docs_page(docs: list[dict], page: int, page_size: int = 10) -> tuple[str, int, int]:
    """One page of the document list; returns (html, page, pages) with ``page`` clamped."""
    pages = max(1, -(-len(docs) // page_size))
    page = min(max(page, 0), pages - 1)
    if not docs:
        return "Kho tài liệu đang trống. Gửi tệp PDF, DOCX, TXT, MD hoặc HTML để thêm tài liệu.", 0, 1
    lines = [f"<b>Tài liệu ({len(docs)})</b> · trang {page + 1}/{pages}"]
    start = page * page_size
    for i, d in enumerate(docs[start : start + page_size], start + 1):
        details = " · ".join(
            [
                format_date(d.get("published")) or "không rõ ngày",
                doc_type_label(d.get("doc_type")),
                f"{d.get('n_passages', 0)} đoạn",
            ]
        )
        lines.append(f"{i}. <b>{esc(_short(d.get('title') or '', 150))}</b>")
        lines.append(f"    {esc(details)} · <code>{esc(_short(d.get('doc_id') or '', 150))}</code>")
    lines.append("")
    lines.append("Xóa tài liệu: /remove &lt;mã tài liệu&gt;")
    return "\n".join(lines), page, pages


def docs_buttons(page: int, pages: int) -> list[tuple[str, str]]:
    buttons = []
    if page > 0:
        buttons.append(("◀", f"d:{page - 1}"))
    if page < pages - 1:
        buttons.append(("▶", f"d:{page + 1}"))
    return buttons


_REASONS = (
    ("unsupported file type", "định dạng tệp không được hỗ trợ (chỉ nhận PDF, DOCX, TXT, MD, HTML)"),
    ("duplicate", "nội dung này đã có trong kho tài liệu"),
    ("file is empty", "tệp rỗng"),
    ("too little text", "tệp có quá ít nội dung chữ"),
    ("no readable text", "không đọc được chữ trong tệp (PDF quét/ảnh cần nhận dạng chữ – OCR – trước)"),
    ("password-protected", "tệp PDF có mật khẩu"),
    ("binary data", "tệp không phải văn bản chữ"),
    ("neither UTF-8", "không đọc được bảng mã của tệp văn bản (cần UTF-8)"),
    ("corrupt or unreadable", "tệp bị hỏng hoặc không đọc được"),
    ("cannot read file", "không đọc được tệp"),
)


def reason_vi(reason: str) -> str:
    """The engine's (English) reason for refusing a file, in Vietnamese, with the original detail."""
    for key, text in _REASONS:
        if key.lower() in reason.lower():
            if key == "duplicate" and " as " in reason:
                return f"{text} (tệp {reason.rsplit(' as ', 1)[1]})"
            if key in ("corrupt or unreadable", "cannot read file"):
                return f"{text} (chi tiết: {reason})"
            return text
    return f"không xử lý được tệp (chi tiết: {reason})"


def render_upload_report(filename: str, documents: list[dict], skipped: list[Skipped], seconds: float) -> str:
    lines: list[Line | str] = []
    for d in documents:
        lines += [
            Line.of("✅ Đã thêm tài liệu vào kho", "b"),
            Line([("Tiêu đề: ", None), (d.get("title") or "(không có tiêu đề)", "b")]),
            f"Ngày: {format_date(d.get('published')) or 'không rõ'}",
            f"Loại văn bản: {doc_type_label(d.get('doc_type'))}",
            f"Số đoạn đã thêm: {d.get('passages', 0)}",
            Line([("Mã tài liệu: ", None), (d.get("doc_id") or "", "code")]),
            f"Thời gian xử lý: {seconds:.1f} giây",
        ]
    for s in skipped:
        lines += [
            Line([("❌ Không thêm được tệp ", "b"), (s.file, "b")]),
            f"Lý do: {s.reason.vi}.",
            "Kho tài liệu và chỉ mục không thay đổi.",
        ]
    if not documents and not skipped:
        lines.append(Line([("Tệp ", None), (filename, "b"), (" đã có trong chỉ mục, không có gì thay đổi.", None)]))
    return pack(lines)[0]


def render_progress(done: int, total: int, seconds: float) -> str:
    if total <= 0:
        return f"⏳ Đang đọc và chia đoạn tài liệu… ({seconds:.0f} giây)"
    pct = 100 * done // total
    return f"⏳ Đang lập lại chỉ mục… {done}/{total} đoạn ({pct}%), {seconds:.0f} giây"


def render_reindex_report(report) -> str:
    docs = len(report.added) + len(report.updated) + report.unchanged
    lines: list[Line | str] = [
        Line.of("✅ Đã lập lại chỉ mục", "b"),
        f"Tài liệu: {docs}",
        f"Đoạn văn đã nhúng: {report.passages_added}",
        f"Thời gian: {report.total_seconds:.1f} giây",
    ]
    if report.version:
        lines.append(Line([("Phiên bản chỉ mục: ", None), (report.version, "code")]))
    for s in report.skipped:
        lines.append(Line([("Bỏ qua ", None), (s.file, "code"), (f": {s.reason.vi}", None)]))
    return pack(lines)[0]


def render_stats(index_stats: dict, usage: dict) -> str:
    def pct(part: int, whole: int) -> str:
        return f"{100 * part / whole:.0f}%" if whole else "–"

    median = usage.get("median_latency_ms")
    lines = [
        "<b>Thống kê</b>",
        f"Tài liệu: {index_stats.get('documents', 0)}",
        f"Đoạn văn: {index_stats.get('passages', 0)}",
        f"Phiên bản chỉ mục: <code>{esc(index_stats.get('version') or '–')}</code>",
        "",
        f"Câu hỏi hôm nay: {usage.get('today', 0)}",
        f"Tỷ lệ không tìm thấy câu trả lời (hôm nay): {pct(usage.get('today_not_found', 0), usage.get('today', 0))}",
        f"Thời gian trả lời trung vị (hôm nay): {f'{median:.0f} ms' if median is not None else '–'}",
        f"Tổng số câu hỏi: {usage.get('total', 0)} "
        f"(không tìm thấy: {pct(usage.get('total_not_found', 0), usage.get('total', 0))})",
        f"Góp ý: 👍 {usage.get('up', 0)} · 👎 {usage.get('down', 0)}",
    ]
    return "\n".join(lines)
