"""Tables written as text rows ("Lần thứ VI | 15 - 18/12/1986 | 1129 | …"): each cell labelled with its column.

A crawled page or a DOCX table reaches us as one line per row, cells separated by " | ", the header
row first.  A row read alone (the passage holding it may not hold the header) says "1129" but not
that it counts delegates; so each cell but the row's first is written after its column's name:
"Lần thứ VI | Thời gian: 15 - 18/12/1986 | Số đại biểu: 1129 | …".

Tables flattened from merged cells lose cells: a place written once for ten rows is missing from
nine of them.  Such a row is labelled only when its cells fit the columns one way, by what kind of
value each column holds (a number, a date, words) in the rows that are whole; else it is left as is.
"""

from __future__ import annotations

import re
from itertools import combinations

CELL_SEP = " | "
# A header row: at least this many cells, each a short name (not a value, not a sentence).
MIN_COLUMNS = 3
MAX_HEADER_CELL_CHARS = 40
# Rows of one table: pipe rows with at most this many other non-empty lines between them (a cell's text
# that ran onto lines of its own).
MAX_LINES_BETWEEN_ROWS = 2
# A row missing more cells than this is not aligned (too many ways to place what is left).
MAX_MISSING_CELLS = 3

_NUMBER_RE = re.compile(r"^(?:~|≈|>|<|hơn|khoảng|gần|trên|dưới|chừng)?\s*\d[\d.,]*(?:\s*(?:triệu|nghìn|ngàn|vạn|%))?\b")
_DATE_RE = re.compile(r"\b\d{1,2}\s*/\s*\d{1,2}\b|\b\d{1,2}\s*/\s*(?:19|20)\d{2}\b")
_NOTE_RE = re.compile(r"\s*(?:\[\d+\]|\([^)]*\))")
_RULE_RE = re.compile(r"^[\s|:-]+$")  # a markdown table's rule under its header ("---|---|---")
_JOINED = "\0joined"  # a line read into the row above it


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split(CELL_SEP)]


def _kind(cell: str) -> str:
    """What a cell holds: "date", "number" or "words" (notes such as "[1]" and "(53 dự khuyết)" aside)."""
    bare = _NOTE_RE.sub("", cell).strip().lower()
    if _DATE_RE.search(bare):
        return "date"
    if _NUMBER_RE.match(bare):
        return "number"
    return "words"


def _is_header(cells: list[str]) -> bool:
    return (
        len(cells) >= MIN_COLUMNS
        and all(0 < len(c) <= MAX_HEADER_CELL_CHARS and not c.endswith(":") for c in cells)
        and all(_kind(c) == "words" for c in cells)
    )


def _placement(kinds: list[str], columns: list[str | None]) -> list[int] | None:
    """The one way to place a short row's cells (by ``kinds``) in order under columns of those kinds
    (``columns``: each column's kind in the whole rows); None when there is none or more than one.
    The first cell stays in the first column: it names the row."""
    n, m = len(kinds), len(columns)
    if m - n > MAX_MISSING_CELLS or n < 2 or kinds[0] != columns[0]:
        return None
    fits = [
        (0, *rest)
        for rest in combinations(range(1, m), n - 1)
        if all(columns[j] == kinds[i] for i, j in enumerate(rest, 1))
    ]
    return list(fits[0]) if len(fits) == 1 else None


def _label(cells: list[str], header: list[str], where: list[int]) -> str:
    out = [cells[0]]
    for cell, j in zip(cells[1:], where[1:], strict=True):
        name = header[j]
        out.append(cell if not cell or cell.lower().startswith(name.lower()) else f"{name}: {cell}")
    return CELL_SEP.join(out)


def label_table_rows(text: str) -> str:
    """The text with the cells of each table's rows labelled with their column names (see the module)."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        header = _cells(lines[i]) if CELL_SEP in lines[i] else []
        if not _is_header(header):
            i += 1
            continue
        rows, gap, j = [], 0, i + 1
        while j < len(lines) and gap <= MAX_LINES_BETWEEN_ROWS:
            if CELL_SEP in lines[j]:
                if _is_header(_cells(lines[j])):
                    break  # the next table
                rows.append(j)
                gap = 0
            elif lines[j].strip():
                gap += 1
            j += 1
        cells_of = {r: _cells(lines[r]) for r in rows}
        for r, after in zip(rows, rows[1:], strict=False):
            between = lines[r + 1 : after]
            if between and all(line.strip() and not _RULE_RE.match(line) for line in between):
                # The rest of the row's last cell, on lines of its own up to the next row: read with its row.
                cells_of[r][-1] = " ".join([cells_of[r][-1], *(line.strip() for line in between)])
                lines[r + 1 : after] = [_JOINED] * len(between)
        whole = [cells for cells in cells_of.values() if len(cells) == len(header)]
        columns: list[str | None] = []
        for c in range(len(header)):
            seen = {_kind(row[c]) for row in whole if row[c]}
            columns.append(seen.pop() if len(seen) == 1 else None)
        for r, cells in cells_of.items():
            if len(cells) == len(header):
                where: list[int] | None = list(range(len(header)))
            elif len(cells) < len(header) and whole:
                where = _placement([_kind(c) for c in cells], columns)
            else:
                where = None
            if where is not None:
                lines[r] = _label(cells, header, where)
            elif lines[r + 1 : r + 2] == [_JOINED]:
                lines[r] = CELL_SEP.join(cells)
        i = max(j, i + 1)
    return "\n".join(line for line in lines if line is not _JOINED)
