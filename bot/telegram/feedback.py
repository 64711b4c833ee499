"""The bot's own small database: 👍/👎 feedback and a log of questions for /stats.

One SQLite file (by default ``<index_dir>/bot.sqlite``: the index keeps its
versions in subfolders and never deletes other files there).  The question
log keeps no text, only who/when/whether an answer was found and how fast;
the text of a question and its answer is stored only when someone gives
feedback on it.  Each logged question remembers the message that carries its
👍/👎 buttons: a vote counts only when it comes from that very message, so a
forged button naming another user's answer is refused and nothing is stored.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import statistics
import threading
import time
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    chat_id INTEGER NOT NULL,
    user_id INTEGER,
    found INTEGER NOT NULL,
    latency_ms REAL NOT NULL,
    message_id INTEGER  -- the answer message with the vote buttons (NULL until it is sent)
);
CREATE INDEX IF NOT EXISTS questions_by_time ON questions(created_at);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    question_id INTEGER,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    chat_id INTEGER NOT NULL,
    user_id INTEGER,
    vote INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (question_id, user_id)
);
"""

EXPORT_FIELDS = ("created_at", "vote", "question", "answer", "chat_id", "user_id", "question_id")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")


class FeedbackStore:
    """Thread-safe; every call is one short transaction."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock, self._conn:
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.executescript(_SCHEMA)
            columns = {r["name"] for r in self._conn.execute("PRAGMA table_info(questions)")}
            if "message_id" not in columns:  # a database from before votes were bound to messages
                self._conn.execute("ALTER TABLE questions ADD COLUMN message_id INTEGER")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- writing --------------------------------------------------------------------------------------
    def log_question(self, chat_id: int, user_id: int | None, found: bool, latency_ms: float) -> int:
        """Record one answered question; the id is the key of its feedback buttons."""
        with self._lock, self._conn:
            cur = self._conn.execute(
                "INSERT INTO questions (created_at, chat_id, user_id, found, latency_ms) VALUES (?,?,?,?,?)",
                (_now(), chat_id, user_id, int(found), round(latency_ms, 1)),
            )
            return int(cur.lastrowid)

    def bind_answer(self, question_id: int, message_id: int) -> None:
        """The answer to ``question_id`` was sent as ``message_id`` (in the question's chat)."""
        with self._lock, self._conn:
            self._conn.execute("UPDATE questions SET message_id = ? WHERE id = ?", (message_id, question_id))

    def add_feedback(
        self,
        question_id: int,
        question: str,
        answer: str,
        chat_id: int,
        user_id: int | None,
        vote: int,
        message_id: int,
    ) -> bool:
        """Store a vote if it was cast on the answer's own message (``chat_id``, ``message_id``);
        anything else is refused (False) and nothing is written.  One vote per user and answer:
        voting again replaces the earlier vote."""
        with self._lock, self._conn:
            bound = self._conn.execute(
                "SELECT 1 FROM questions WHERE id = ? AND chat_id = ? AND message_id = ?",
                (question_id, chat_id, message_id),
            ).fetchone()
            if not bound:
                return False
            self._conn.execute(
                "INSERT INTO feedback (question_id, question, answer, chat_id, user_id, vote, created_at)"
                " VALUES (?,?,?,?,?,?,?)"
                " ON CONFLICT (question_id, user_id) DO UPDATE SET vote = excluded.vote,"
                " created_at = excluded.created_at",
                (question_id, question, answer, chat_id, user_id, 1 if vote > 0 else -1, _now()),
            )
            return True

    # -- reading --------------------------------------------------------------------------------------
    def feedback(self) -> list[dict]:
        with self._lock:
            rows = self._conn.execute(f"SELECT {', '.join(EXPORT_FIELDS)} FROM feedback ORDER BY id").fetchall()
        return [dict(r) for r in rows]

    def export(self, fmt: str = "csv") -> bytes:
        rows = self.feedback()
        if fmt == "jsonl":
            return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=EXPORT_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
        return buf.getvalue().encode("utf-8-sig")  # the BOM makes Excel read Vietnamese correctly

    def stats(self, day: str | None = None) -> dict:
        """Usage numbers for /stats; ``day`` is YYYY-MM-DD (default: today, local time)."""
        day = day or time.strftime("%Y-%m-%d")
        with self._lock:
            total, total_nf = self._conn.execute(
                "SELECT count(*), coalesce(sum(1 - found), 0) FROM questions"
            ).fetchone()
            latencies = [
                r[0]
                for r in self._conn.execute(
                    "SELECT latency_ms FROM questions WHERE created_at >= ? AND created_at < ?",
                    (day, day + "T99"),
                )
            ]
            today_nf = self._conn.execute(
                "SELECT count(*) FROM questions WHERE found = 0 AND created_at >= ? AND created_at < ?",
                (day, day + "T99"),
            ).fetchone()[0]
            up, down = self._conn.execute(
                "SELECT coalesce(sum(vote > 0), 0), coalesce(sum(vote < 0), 0) FROM feedback"
            ).fetchone()
        return {
            "today": len(latencies),
            "today_not_found": today_nf,
            "median_latency_ms": statistics.median(latencies) if latencies else None,
            "total": total,
            "total_not_found": total_nf,
            "up": up,
            "down": down,
        }
