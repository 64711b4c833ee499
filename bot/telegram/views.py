"""What the bot shows, as Telegram HTML: answers, passages, keyboards and the admin views.

Pure functions over the engine's results; the words come from :mod:`bot.telegram.texts`,
the layout and escaping from :mod:`bot.telegram.html`, the button data from
:mod:`bot.telegram.callbacks`.  Skip reasons are turned into Vietnamese through
:data:`bot.errors.SKIP_REASON_VI`, never by matching message text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from ..answer import Answer, Citation, format_date, place_of
from ..errors import SKIP_REASON_VI, DuplicateFile, LoadError, Skipped
from . import texts as T
from .callbacks import Cite, DocsPage, Removal, Vote, passage_digest
from .html import Line, esc, first, pack

MB = 1_000_000  # Telegram's file limits are decimal megabytes (FileSizeLimit.FILESIZE_DOWNLOAD = 20e6)
CITATIONS_PER_ROW = 4  # 📄 buttons per keyboard row: fits a phone screen
TITLE_CHARS = 150  # titles and ids in the /docs list are cut here


def doc_type_label(doc_type: str | None) -> str:
    return T.DOC_TYPES.get(doc_type or "", doc_type or T.UNKNOWN)


def _date(iso: str | None) -> str:
    return format_date(iso) or T.UNKNOWN


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


# -- answers --------------------------------------------------------------------------------------------------
def _source_line(group: list[Citation]) -> Line:
    """[1][2] title — source, date · [1] Điều 4, tr. 3; [2] mục 11.4: one line per document."""
    c = group[0]
    details = ", ".join(x for x in (c.source, format_date(c.published)) if x)
    text = f" {c.title}" + (f" — {details}" if details else "")
    places = [(x.n, place_of(x)) for x in group if place_of(x)]
    if places:
        text += " · " + (places[0][1] if len(group) == 1 else "; ".join(f"[{n}] {p}" for n, p in places))
    return Line([("".join(f"[{x.n}]" for x in group), "b"), (text, None)])


def render_answer(answer: Answer) -> list[str]:
    """The answer with its [n] markers, then its sources; or the engine's refusal plus a hint."""
    lines: list[Line | str] = list(answer.answer.splitlines() or [""])
    if answer.found and answer.citations:
        groups: dict[str, list[Citation]] = {}
        for c in answer.citations:
            groups.setdefault(c.doc_id, []).append(c)
        lines += ["", Line.of(T.SOURCES, "b", keep_with_next=True), *map(_source_line, groups.values())]
    elif not answer.found and answer.reason != "small_talk":
        lines += ["", Line.of(T.NOT_FOUND_HINT, "i")]
    return pack(lines)


def _keyboard(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    rows = [r for r in rows if r]
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in row] for row in rows])


def answer_keyboard(answer: Answer, key: int) -> InlineKeyboardMarkup:
    """One 📄 button per citation (four to a row), then 👍 / 👎."""
    cites = [
        (T.BUTTON_CITE.format(n=c.n), Cite(c.n, c.passage_id, passage_digest(c.passage)).encode())
        for c in answer.citations
    ]
    rows = [cites[i : i + CITATIONS_PER_ROW] for i in range(0, len(cites), CITATIONS_PER_ROW)]
    rows.append([(T.BUTTON_UP, Vote(key, True).encode()), (T.BUTTON_DOWN, Vote(key, False).encode())])
    return _keyboard(rows)


def render_passage(n: int | None, p: Mapping, cited: Citation | None = None) -> list[str]:
    """A cited passage in full with its document's details; ``p`` is :meth:`Engine.passage`, and the
    citation (when the answer is still known) fills in the section path and page the index lacks."""

    def get(key: str):
        return p.get(key) if p.get(key) is not None else getattr(cited, key, None)

    lines: list[Line | str] = [
        Line.of(T.PASSAGE_HEAD.format(n=n) if n else T.PASSAGE_HEAD_PLAIN, "b"),
        Line.of(p.get("title") or T.NO_TITLE, "b"),
    ]
    if p.get("source"):
        lines.append(Line([(T.LABEL_SOURCE, None), (p["source"], None)]))
    lines.append(T.LABEL_DATE + _date(p.get("published")))
    lines.append(T.LABEL_TYPE + doc_type_label(p.get("doc_type")))
    if get("path") or get("section"):
        lines.append(Line([(T.LABEL_PATH, None), (get("path") or get("section"), None)]))
    if get("page"):
        lines.append(f"{T.LABEL_PAGE}{get('page')}")
    lines.append(Line([(T.LABEL_DOC_ID, None), (p.get("doc_id") or "", "code")]))
    lines.append("")
    lines.extend((p.get("text") or "").splitlines())
    return pack(lines)


# -- help and admin views ---------------------------------------------------------------------------------------
def render_help(bot_username: str | None, is_admin: bool = False) -> str:
    examples = "\n".join(f"• {esc(q)}" for q in T.EXAMPLE_QUESTIONS)
    text = T.HELP.format(examples=examples, mention=esc(f"@{bot_username}" if bot_username else "@bot"))
    return text + (T.HELP_ADMIN if is_admin else "")


def render_docs_page(docs: list[dict], page: int, page_size: int = 10) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of the document list (``page`` is clamped) and its ◀ ▶ buttons."""
    if not docs:
        return T.DOCS_EMPTY, None
    pages = -(-len(docs) // page_size)
    page = min(max(page, 0), pages - 1)
    lines = [T.DOCS_HEAD.format(count=len(docs), page=page + 1, pages=pages)]
    start = page * page_size
    for i, d in enumerate(docs[start : start + page_size], start + 1):
        details = " · ".join(
            [
                format_date(d.get("published")) or T.DOCS_NO_DATE,
                doc_type_label(d.get("doc_type")),
                T.DOCS_PASSAGES.format(n=d.get("n_passages", 0)),
            ]
        )
        title, doc_id = _short(d.get("title") or "", TITLE_CHARS), _short(d.get("doc_id") or "", TITLE_CHARS)
        lines.append(T.DOCS_ITEM.format(i=i, title=esc(title), details=esc(details), doc_id=esc(doc_id)))
    lines += ["", T.DOCS_FOOTER]
    buttons = [(T.BUTTON_PREV, DocsPage(page - 1).encode())] if page > 0 else []
    if page < pages - 1:
        buttons.append((T.BUTTON_NEXT, DocsPage(page + 1).encode()))
    return "\n".join(lines), _keyboard([buttons])


def render_removal_prompt(doc: dict, token: str) -> tuple[str, InlineKeyboardMarkup | None]:
    text = T.REMOVE_CONFIRM.format(title=esc(doc.get("title")), doc_id=esc(doc["doc_id"]))
    buttons = [(T.BUTTON_REMOVE, Removal(token, True).encode()), (T.BUTTON_CANCEL, Removal(token, False).encode())]
    return text, _keyboard([buttons])


def reason_text(error: Skipped | LoadError) -> str:
    """Why a file was not added, in Vietnamese (a duplicate also names the file it duplicates)."""
    text = SKIP_REASON_VI[error.reason]
    if isinstance(error, DuplicateFile) and error.existing:
        return T.DUPLICATE_OF.format(reason=text, existing=error.existing)
    return text


def render_refused(name: str, error: LoadError) -> str:
    """A file refused before it was downloaded."""
    return T.UPLOAD_REFUSED.format(name=esc(name), reason=esc(reason_text(error)))


def render_too_large(name: str, size: int, limit: int) -> str:
    return T.UPLOAD_TOO_LARGE.format(name=esc(name), size=size / MB, limit=limit // MB)


def render_upload_report(
    filename: str, documents: list[dict], skipped: Sequence[Skipped | LoadError], seconds: float
) -> str:
    lines: list[Line | str] = []
    for d in documents:
        lines += [
            Line.of(T.UPLOAD_ADDED, "b"),
            Line([(T.UPLOAD_TITLE, None), (d.get("title") or T.NO_TITLE, "b")]),
            T.LABEL_DATE + _date(d.get("published")),
            T.LABEL_TYPE + doc_type_label(d.get("doc_type")),
            T.UPLOAD_PASSAGES.format(n=d.get("passages", 0)),
            Line([(T.LABEL_DOC_ID, None), (d.get("doc_id") or "", "code")]),
            T.UPLOAD_SECONDS.format(seconds=seconds),
        ]
        for change in d.get("changes", []):
            lines.append(Line.of(T.UPLOAD_CHANGE[change["kind"]].format(label=change["label"]), "b"))
            counts = {k: len(change[k]) for k in ("added", "removed", "changed")}
            lines.append(T.UPLOAD_CHANGE_COUNTS.format(**counts))
            shown = change["lines"][: T.UPLOAD_CHANGE_LINES]
            lines += [f"• {line}" for line in shown]
            if len(change["lines"]) > len(shown):
                lines.append(T.UPLOAD_CHANGE_MORE.format(n=len(change["lines"]) - len(shown)))
    for s in skipped:
        lines += [
            Line([(T.UPLOAD_NOT_ADDED, "b"), (getattr(s, "file", filename), "b")]),
            T.UPLOAD_REASON.format(reason=reason_text(s)),
            T.UPLOAD_UNCHANGED,
        ]
    if not documents and not skipped:
        lines.append(Line([(T.UPLOAD_ALREADY[0], None), (filename, "b"), (T.UPLOAD_ALREADY[1], None)]))
    return first(lines)


def render_progress(done: int, total: int, seconds: float) -> str:
    if total <= 0:
        return T.REINDEX_READING.format(seconds=seconds)
    return T.REINDEX_PROGRESS.format(done=done, total=total, pct=100 * done // total, seconds=seconds)


def render_reindex_report(report, skipped: Sequence[Skipped]) -> str:
    lines: list[Line | str] = [
        Line.of(T.REINDEX_DONE, "b"),
        T.REINDEX_DOCS.format(n=len(report.added) + len(report.updated) + report.unchanged),
        T.REINDEX_PASSAGES.format(n=report.passages_added),
        T.REINDEX_SECONDS.format(seconds=report.total_seconds),
    ]
    if report.version:
        lines.append(Line([(T.REINDEX_VERSION, None), (report.version, "code")]))
    for s in skipped:
        head, tail = T.REINDEX_SKIPPED
        lines.append(Line([(head, None), (s.file, "code"), (tail.format(reason=reason_text(s)), None)]))
    return first(lines)


def render_stats(index_stats: dict, usage: dict) -> str:
    def pct(part: int, whole: int) -> str:
        return f"{100 * part / whole:.0f}%" if whole else T.NONE

    median = usage.get("median_latency_ms")
    return T.STATS.format(
        documents=index_stats.get("documents", 0),
        passages=index_stats.get("passages", 0),
        version=esc(index_stats.get("version") or T.NONE),
        today=usage.get("today", 0),
        today_not_found=pct(usage.get("today_not_found", 0), usage.get("today", 0)),
        median=f"{median:.0f} ms" if median is not None else T.NONE,
        total=usage.get("total", 0),
        total_not_found=pct(usage.get("total_not_found", 0), usage.get("total", 0)),
        up=usage.get("up", 0),
        down=usage.get("down", 0),
    )
