"""The Telegram front end end to end: the real PTB Application with the real engine, model and index,
against FakeTelegram (tests/telegram_stub.py).

Most tests run in process, the way PTB's own tests work offline: the Bot API is a ``BaseRequest``
that FakeTelegram answers, and every injected update goes straight to ``Application.process_update``
on the bot's event loop, so ``tg.settle()`` waits until the bot has finished with it (silence is
proven, not slept for).  The ``serve`` subprocess, webhook mode and the logging test go over HTTP on
127.0.0.1.  Every message the bot sends is checked by FakeTelegram (Telegram HTML, the limits of
``telegram.constants``, valid buttons); each test ends by asserting there were no violations.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import io
import json
import logging
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import Future
from pathlib import Path
from urllib.parse import quote

import docx
import pytest
from telegram import Update
from telegram.constants import FileSizeLimit, InlineKeyboardButtonLimit
from telegram.ext import CommandHandler
from telegram_stub import FakeTelegram

from bot.config import Settings
from bot.engine import Engine
from bot.errors import SKIP_REASON_VI, SkipReason
from bot.telegram import SELF_HOSTED_UPLOAD_LIMIT, BotConfig, ConfigError, build_application
from bot.telegram.feedback import FeedbackStore
from bot.telegram.logs import REDACTED, install_redaction
from bot.telegram.ratelimit import RateLimiter
from bot.telegram.views import render_answer

ADMIN = 777001
BOT = "CongressTestBot"
STEPS_Q = "Quy trình nhân sự đại hội gồm mấy bước?"
HD99_Q = "Chi bộ dưới 9 đảng viên bầu những chức danh nào?"  # only the uploaded guidance answers it
HD99_A = "chi bộ dưới 9 đảng viên chỉ bầu bí thư và phó bí thư"
KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
WAIT = 20.0  # seconds: the upper bound of every wait (answers take well under a second)

HD99 = [
    "ĐẢNG ỦY QUÂN SỰ TỈNH HÀ GIANG",
    "Số 99-HD/ĐU",
    "Hà Giang, ngày 15 tháng 3 năm 2025",
    "HƯỚNG DẪN",
    "về đại hội chi bộ trực thuộc nhiệm kỳ 2025 - 2027",
    "Thực hiện Chỉ thị của Ban Thường vụ Đảng ủy, Đảng ủy Quân sự tỉnh hướng dẫn tổ chức đại hội chi bộ "
    "trực thuộc như sau.",
    "1. Thời gian tổ chức đại hội chi bộ",
    "Các chi bộ trực thuộc tổ chức đại hội xong trước ngày 30 tháng 6 năm 2025. Đại hội chi bộ tiến hành "
    "trong một buổi, không tổ chức đại hội điểm ở cấp chi bộ.",
    "2. Số lượng chi ủy viên",
    "Chi bộ có từ 9 đảng viên trở lên bầu chi ủy gồm 3 đồng chí; chi bộ dưới 9 đảng viên chỉ bầu bí thư và phó bí thư.",
]


KH12 = [
    "ĐẢNG ỦY QUÂN SỰ TỈNH HÀ GIANG",
    "Số 12-KH/ĐU",
    "Hà Giang, ngày 2 tháng 4 năm 2025",
    "KẾ HOẠCH",
    "tuyên truyền đại hội đảng bộ các cấp",
    "Các cơ quan, đơn vị treo băng rôn, khẩu hiệu chào mừng đại hội trước ngày khai mạc 10 ngày.",
]


def hd99_docx() -> bytes:
    document = docx.Document()
    for paragraph in HD99:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# -- harness -----------------------------------------------------------------------------------------------------
class RunningBot:
    """build_application(...) on its own event loop in a background thread, fed in process by FakeTelegram."""

    def __init__(self, engine: Engine, tg: FakeTelegram, **overrides) -> None:
        values = {"token": tg.token, "settings": engine.settings, "admin_ids": {ADMIN}, "progress_interval": 0.2}
        values.update(overrides)
        self.config = BotConfig(**values)
        self.engine, self.tg = engine, tg
        self.app = build_application(engine, self.config, request=tg.request())
        self.bot, self.admin = self.app.bot_data["congress"], self.app.bot_data["admin"]
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="bot-loop", daemon=True)

    def call(self, coro, timeout: float = WAIT):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def deliver(self, update: dict) -> Future:
        async def process() -> None:
            await self.app.process_update(Update.de_json(update, self.app.bot))

        return asyncio.run_coroutine_threadsafe(process(), self.loop)

    async def _start(self) -> None:
        await self.app.initialize()
        await self.app.post_init(self.app)  # run_polling would call it; start() does not
        await self.app.start()

    async def _stop(self) -> None:
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        await self.app.post_shutdown(self.app)

    def __enter__(self) -> RunningBot:
        self.thread.start()
        try:
            self.call(self._start())
        except BaseException:
            self._close()
            raise
        self.tg.deliver = self.deliver
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.tg.settle()
            self.call(self._stop(), timeout=30)
        finally:
            self.tg.deliver = None
            self._close()

    def _close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        if not self.thread.is_alive():
            self.loop.close()


def user(uid: int, name: str = "Người dùng") -> dict:
    return {"id": uid, "first_name": name, "username": f"user{uid}"}


def replies_to(tg: FakeTelegram, chat_id: int, message: dict) -> list[dict]:
    return [
        m for m in tg.sent_messages(chat_id) if m.get("reply_to_message", {}).get("message_id") == message["message_id"]
    ]


def wait_reply(tg: FakeTelegram, chat_id: int, message: dict, contains: str | None = None, timeout=WAIT) -> dict:
    """The bot's reply to ``message`` (its current text containing ``contains``, if given)."""

    def found(stub):
        return next((m for m in replies_to(stub, chat_id, message) if (contains or "") in m.get("text", "")), None)

    return tg.wait_for(found, timeout, message=f"a reply to message {message['message_id']} ({contains!r})")


def ask(tg: FakeTelegram, chat_id: int, text: str, **kw) -> tuple[dict, dict]:
    """Send a question and return it with the bot's reply, once the bot has finished with it (in process)."""
    question = tg.send_text(chat_id, text, **kw)
    reply = wait_reply(tg, chat_id, question)
    tg.settle()
    return question, reply


def buttons(message: dict) -> list[tuple[str, str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


def press(tg: FakeTelegram, chat_id: int, message: dict, data: str, **kw) -> dict:
    """Press a button and wait until the bot has finished with it; returns what the bot answered the press."""
    query = tg.press_button(chat_id, message, data, **kw)
    tg.settle()
    (answer,) = [p for _, p in tg.calls("answerCallbackQuery") if p["callback_query_id"] == query["id"]]
    return answer


def snapshot(knowledge: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(knowledge.iterdir()) if p.is_file()}


def boom_handler():
    async def boom(update, context):
        raise RuntimeError("a handler broke on purpose")

    return CommandHandler("boom", boom)


@pytest.fixture(scope="module")
def tg():
    with FakeTelegram() as stub:
        yield stub


@pytest.fixture(scope="module")
def running(tg, engine, tmp_path_factory):
    """One bot over the read-only seed corpus for the question/answer tests (each uses its own chats/users)."""
    db = tmp_path_factory.mktemp("botdb") / "bot.sqlite"
    bot = RunningBot(engine, tg, db_path=db)
    bot.app.add_handler(boom_handler(), group=-1)  # test-only: a handler that raises
    with bot:
        yield bot


@pytest.fixture
def admin_env(work_engine):
    """A private bot + FakeTelegram over a changeable copy of the indexed corpus."""
    with FakeTelegram() as stub, RunningBot(work_engine, stub, docs_page_size=3) as bot:
        yield stub, bot


# -- asking --------------------------------------------------------------------------------------------------------
def test_private_question_answered_with_sources_and_buttons(tg, running, engine):
    chat = 2001
    question, reply = ask(tg, chat, STEPS_Q)
    text = reply["text"]
    assert "5 bước" in text or "6 bước" in text
    assert "\nNguồn\n[1] " in text
    expected = engine.ask(STEPS_Q)
    assert text.startswith(expected.answer.splitlines()[0])
    assert reply["reply_to_message"]["message_id"] == question["message_id"]
    assert any(e["type"] == "bold" for e in reply.get("entities", []))
    labels = [t for t, _ in buttons(reply)]
    assert labels == [f"📄 [{c.n}]" for c in expected.citations] + ["👍", "👎"]
    assert all(len(d.encode()) <= InlineKeyboardButtonLimit.MAX_CALLBACK_DATA for _, d in buttons(reply))
    actions = [p for _, p in tg.calls("sendChatAction") if p["chat_id"] == chat]
    assert actions and actions[0]["action"] == "typing"
    # the commands menu was set at start-up, in Vietnamese, with admin commands for admins
    assert {c["command"] for c in tg.get_commands()} == {"ask", "help", "start"}
    admin_commands = {c["command"] for c in tg.get_commands({"type": "chat", "chat_id": ADMIN})}
    assert {"docs", "remove", "reindex", "stats", "feedback"} <= admin_commands
    assert tg.violations == []


def test_start_help_ask_usage_and_unknown_command(tg, running):
    chat = 2002
    _, reply = ask(tg, chat, "/start")
    assert "Quy trình nhân sự đại hội gồm mấy bước?" in reply["text"] and "/ask" in reply["text"]
    assert "/reindex" not in reply["text"]  # admin commands only for admins
    _, reply = ask(tg, ADMIN, "/help")
    assert "/reindex" in reply["text"] and "/remove" in reply["text"]
    _, reply = ask(tg, chat, "/ask")
    assert "Cú pháp: /ask <câu hỏi>" in reply["text"]
    _, reply = ask(tg, chat, "/ask   Đại hội điểm là gì?")
    assert "Nguồn" in reply["text"]
    _, reply = ask(tg, chat, "/khonglenh")
    assert "/help" in reply["text"]
    assert tg.violations == []


def test_group_answers_only_when_addressed(tg, running):
    group, topic = -100200300, 77
    kw = {"chat_type": "supergroup", "chat_title": "Chi bộ thử nghiệm"}
    ignored = [
        tg.send_text(group, STEPS_Q, user=user(3001), message_thread_id=topic, **kw),
        tg.send_text(group, f"/ask@OtherBot {STEPS_Q}", user=user(3001), **kw),
        tg.send_text(group, "Đại hội điểm là gì? @CongressTestBotX", user=user(3001), **kw),
        tg.send_text(group, "/khonglenh", user=user(3001), **kw),  # a command for whichever bot knows it
    ]
    ignored.append(tg.send_text(group, "đồng ý với ý kiến trên", reply_to=ignored[0], user=user(3002), **kw))
    ignored.append(tg.send_sticker(group, user=user(3001), **kw))
    ignored.append(tg.send_photo(group, user=user(3001), caption="ảnh hội nghị", **kw))
    ignored.append(tg.send_document(group, "tai-lieu.txt", b"abc", user=user(ADMIN), **kw))

    # /ask@BotName in a forum topic: answered as a reply, in the same topic
    question = tg.send_text(group, f"/ask@{BOT} {STEPS_Q}", user=user(3003), message_thread_id=topic, **kw)
    answer = wait_reply(tg, group, question)
    assert "bước" in answer["text"] and "Nguồn" in answer["text"]
    assert answer["message_thread_id"] == topic
    # a mention, any case, anywhere in the text
    _, reply = ask(tg, group, "Đại hội điểm là gì, @congresstestbot?", user=user(3004), **kw)
    assert "đại hội điểm" in reply["text"].lower() and "@congresstestbot" not in reply["text"].lower()
    # a mention in a photo caption
    photo = tg.send_photo(group, user=user(3005), caption=f"@{BOT} Đại hội điểm là gì?", **kw)
    assert "Nguồn" in wait_reply(tg, group, photo)["text"]
    # a reply to one of the bot's messages (in the topic)
    _, reply = ask(tg, group, "Đại hội điểm là gì?", reply_to=answer, message_thread_id=topic, user=user(3006), **kw)
    assert reply["message_thread_id"] == topic and "Nguồn" in reply["text"]
    # a bare mention gets a hint, not an answer
    _, reply = ask(tg, group, f"@{BOT}", user=user(3007), **kw)
    assert "Bạn muốn hỏi gì?" in reply["text"]

    tg.settle()  # the bot has finished with every message above
    for message in ignored:
        assert replies_to(tg, group, message) == [], message
    assert len(tg.sent_messages(group)) == 5
    assert tg.violations == []


def test_follow_up_by_reply_uses_the_earlier_question(tg, running, engine):
    chat = 2004
    _, first = ask(tg, chat, STEPS_Q)
    follow_up = tg.send_text(chat, "còn ở Lạng Sơn thì sao?", reply_to=first)
    reply = wait_reply(tg, chat, follow_up)
    assert "6 bước" in reply["text"]
    assert "Lạng Sơn" in reply["text"].split("Nguồn")[1]
    expected = engine.ask("còn ở Lạng Sơn thì sao?", context=STEPS_Q)
    assert reply["text"].startswith(expected.answer.splitlines()[0])
    # the same question without the reply is not a follow-up
    _, alone = ask(tg, chat, "còn ở Lạng Sơn thì sao?")
    assert alone["text"] != reply["text"]
    assert tg.violations == []


def test_citation_button_shows_the_full_passage(tg, running, engine):
    chat = 2005
    _, answer = ask(tg, chat, STEPS_Q)
    citation = engine.ask(STEPS_Q).citations[0]
    data = buttons(answer)[0][1]
    assert data.startswith(f"c:1:{citation.passage_id}:")
    assert press(tg, chat, answer, data)["text"] == "Đoạn trích [1]"
    shown = wait_reply(tg, chat, answer)
    text = shown["text"]
    assert text.startswith("📄 Trích dẫn [1]\n" + citation.title)
    assert citation.doc_id in text and "Ngày: " in text
    assert " ".join(citation.passage.split()) in " ".join(text.split())
    # a reply to the passage follows up on the same question
    follow_up = tg.send_text(chat, "còn ở Lạng Sơn thì sao?", reply_to=shown)
    assert "6 bước" in wait_reply(tg, chat, follow_up)["text"]
    # a stale button (the passage changed after a re-index) is answered with an alert, not crashed on
    stale = press(tg, chat, answer, f"c:1:{citation.passage_id}:00000000", strict=False)
    assert stale["show_alert"] and "không còn trong kho" in stale["text"]
    assert tg.violations == []


def test_feedback_buttons_store_rows_and_admin_exports_them(tg, running):
    chat = 2006
    question, answer = ask(tg, chat, STEPS_Q)
    up, down = (d for t, d in buttons(answer) if t in ("👍", "👎"))
    assert "Cảm ơn" in press(tg, chat, answer, up)["text"]
    rows = FeedbackStore(running.config.database).feedback()
    assert [(r["question"], r["vote"], r["user_id"], r["chat_id"]) for r in rows] == [(STEPS_Q, 1, chat, chat)]
    assert rows[0]["answer"] and "[1]" in rows[0]["answer"]
    press(tg, chat, answer, down)  # changing one's mind replaces the vote
    assert [r["vote"] for r in FeedbackStore(running.config.database).feedback()] == [-1]

    group = -100200301
    _, group_answer = ask(tg, group, f"/ask@{BOT} Đại hội điểm là gì?", chat_type="supergroup", user=user(3101))
    press(tg, group, group_answer, buttons(group_answer)[-2][1], user=user(3102))  # another member votes
    assert len(FeedbackStore(running.config.database).feedback()) == 2

    request = tg.send_text(ADMIN, "/feedback")
    tg.settle()
    (document,) = tg.sent_documents(ADMIN)
    assert document["filename"].endswith(".csv")
    csv_text = document["data"].decode("utf-8-sig")
    assert csv_text.startswith("created_at,vote,question,answer")
    assert STEPS_Q in csv_text and "Đại hội điểm là gì?" in csv_text
    assert document["message_id"] > request["message_id"]
    tg.send_text(ADMIN, "/feedback jsonl")
    tg.settle()
    jsonl = tg.sent_documents(ADMIN)[1]
    assert jsonl["filename"].endswith(".jsonl")
    records = [json.loads(line) for line in jsonl["data"].decode("utf-8").splitlines()]
    assert [(r["question"], r["vote"]) for r in records] == [(STEPS_Q, -1), ("Đại hội điểm là gì?", 1)]

    _, stats = ask(tg, ADMIN, "/stats")
    text = stats["text"]
    assert "Tài liệu: 5" in text and re.search(r"Câu hỏi hôm nay: \d+", text) and "Góp ý: 👍 1 · 👎 1" in text
    assert tg.violations == []


def test_forged_vote_for_another_users_answer_is_refused_and_not_stored(tg, running):
    victim, forger = 2301, 2302
    secret_question = "Đại hội điểm là gì? (câu hỏi riêng của người khác)"
    _, victim_answer = ask(tg, victim, secret_question)
    victim_vote = next(d for t, d in buttons(victim_answer) if t == "👍")
    _, forger_answer = ask(tg, forger, STEPS_Q)
    before = FeedbackStore(running.config.database).feedback()

    # the victim's vote data, pressed on the forger's own answer (a modified client can send any data)
    refused = press(tg, forger, forger_answer, victim_vote, strict=False)
    assert refused["show_alert"] and "Không ghi nhận" in refused["text"]
    # and the forger's own vote pressed on another message of the same chat (the help text)
    _, help_message = ask(tg, forger, "/help")
    forger_vote = next(d for t, d in buttons(forger_answer) if t == "👍")
    assert "Không ghi nhận" in press(tg, forger, help_message, forger_vote, strict=False)["text"]
    after = FeedbackStore(running.config.database).feedback()
    assert after == before  # nothing stored, the victim's question copied nowhere
    assert all(secret_question not in r["question"] for r in after)
    # the genuine buttons still work
    assert "Cảm ơn" in press(tg, forger, forger_answer, forger_vote)["text"]
    assert "Cảm ơn" in press(tg, victim, victim_answer, victim_vote)["text"]
    rows = FeedbackStore(running.config.database).feedback()[len(before) :]
    assert [(r["question"], r["chat_id"]) for r in rows] == [(STEPS_Q, forger), (secret_question, victim)]
    assert tg.violations == []


def test_overlong_non_vietnamese_and_non_text_messages(tg, running):
    chat = 2007
    _, reply = ask(tg, chat, "Quy trình nhân sự đại hội " * 50)
    assert "Câu hỏi quá dài" in reply["text"] and "1000" in reply["text"]
    _, reply = ask(tg, chat, "What is the weather like today in London?")
    assert "tiếng Việt" in reply["text"]
    sticker = tg.send_sticker(chat)
    assert "bằng chữ" in wait_reply(tg, chat, sticker)["text"]
    voice = tg.send_voice(chat)
    assert "bằng chữ" in wait_reply(tg, chat, voice)["text"]
    group_sticker = tg.send_sticker(-100200302, chat_type="supergroup", user=user(3201))
    _, reply = ask(tg, -100200302, f"/ask@{BOT} Đại hội điểm là gì?", chat_type="supergroup", user=user(3201))
    tg.settle()
    assert replies_to(tg, -100200302, group_sticker) == []
    assert tg.violations == []


def test_per_user_rate_limit(tg, running):
    chat = 2008
    for i in range(8):
        tg.send_text(chat, f"Đại hội điểm là gì? ({i})")
    tg.settle()
    sent = tg.sent_messages(chat)
    assert len(sent) == 7  # 6 answers, one polite notice, then silence
    notices = [m for m in sent if "hỏi hơi nhanh" in m["text"]]
    assert len(notices) == 1 and re.search(r"đợi khoảng \d+ giây", notices[0]["text"])
    # another user is not affected
    _, reply = ask(tg, 2009, "Đại hội điểm là gì?")
    assert "Nguồn" in reply["text"]
    assert tg.violations == []


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own RetryAfter internals
def test_concurrent_questions_and_flood_control_retry(tg, running):
    tg.fail_next("sendMessage", 429, retry_after=1)  # Telegram flood control: PTB must wait and retry
    chats = [2101, 2102, 2103, 2104]
    questions = [tg.send_text(c, STEPS_Q if c % 2 else "Đại hội điểm là gì?") for c in chats]
    for chat, question in zip(chats, questions, strict=True):
        assert "Nguồn" in wait_reply(tg, chat, question)["text"]
    assert len(tg.calls("sendMessage")) >= len(chats) + 1  # the refused one was sent again
    assert tg.violations == []


def test_error_in_a_handler_is_reported_with_an_id_and_the_bot_keeps_running(tg, running, caplog):
    caplog.set_level(logging.DEBUG)
    chat = 2201
    request = tg.send_text(chat, "/boom")
    tg.settle()
    (notice,) = [m for m in tg.sent_messages(chat) if "mã lỗi" in m["text"]]
    error_id = re.search(r"Đã có lỗi xảy ra \(mã lỗi: ([0-9a-f]{8})\)", notice["text"]).group(1)
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)
    assert notice["message_id"] > request["message_id"]
    for m in tg.sent_messages():
        shown = m.get("text", "") + m.get("caption", "")
        assert "Traceback" not in shown and "RuntimeError" not in shown and tg.token not in shown
    _, reply = ask(tg, chat, STEPS_Q)
    assert "Nguồn" in reply["text"]
    assert tg.token not in caplog.text
    assert tg.violations == []


def test_allowed_chats(engine, tmp_path):
    allowed_group, other_group = -100300, -100301
    with FakeTelegram() as tg, RunningBot(engine, tg, allowed_chats={allowed_group}, db_path=tmp_path / "b.db"):
        kw = {"chat_type": "supergroup"}
        _, reply = ask(tg, 4001, STEPS_Q)
        assert "chưa được bật" in reply["text"]
        _, reply = ask(tg, ADMIN, STEPS_Q)  # admins are always served in private
        assert "Nguồn" in reply["text"]
        _, reply = ask(tg, allowed_group, f"/ask@{BOT} {STEPS_Q}", user=user(4002), **kw)
        assert "Nguồn" in reply["text"]
        ignored = [
            tg.send_text(other_group, STEPS_Q, user=user(4003), **kw),
            tg.send_text(other_group, f"/ask@OtherBot {STEPS_Q}", user=user(4003), **kw),
        ]
        _, refusal = ask(tg, other_group, f"@{BOT} {STEPS_Q}", user=user(4003), **kw)
        assert "chưa được bật" in refusal["text"]
        _, reply = ask(tg, 4001, "/docs")
        assert "chưa được bật" in reply["text"]  # not served comes before "admins only"
        # a forged button in a chat that is not served: refused with an alert, nothing shown
        alert = press(tg, other_group, refusal, "f:1:1", user=user(4003), strict=False)
        assert alert["show_alert"] and "chưa được bật" in alert["text"]
        tg.settle()
        assert all(replies_to(tg, other_group, m) == [] for m in ignored)
        assert len(tg.sent_messages(other_group)) == 1
        assert tg.violations == []


# -- documents (admins) ----------------------------------------------------------------------------------------
def test_admin_upload_is_indexed_and_cited(admin_env):
    tg, bot = admin_env
    engine = bot.engine
    _, before = ask(tg, ADMIN, HD99_Q)
    assert HD99_A not in before["text"]

    data = hd99_docx()
    upload = tg.send_document(ADMIN, "Hướng dẫn 99 đại hội chi bộ.docx", data)
    report = wait_reply(tg, ADMIN, upload, contains="Đã thêm")["text"]
    assert "Hướng dẫn 99-HD/ĐU" in report and "15/03/2025" in report and "Loại văn bản: Hướng dẫn" in report
    assert re.search(r"Số đoạn đã thêm: [1-9]", report) and re.search(r"Thời gian xử lý: [\d.]+ giây", report)
    doc_id = re.search(r"Mã tài liệu: (\S+)", report).group(1)
    stored = engine.settings.knowledge_dir / f"{doc_id}.docx"
    assert stored.read_bytes() == data

    _, answer = ask(tg, ADMIN, HD99_Q)
    text = answer["text"]
    assert HD99_A in text
    assert re.search(r"\[1\] Hướng dẫn 99-HD/ĐU", text.split("Nguồn")[1])
    press(tg, ADMIN, answer, buttons(answer)[0][1])
    assert doc_id in wait_reply(tg, ADMIN, answer)["text"]

    # the same content again is refused as a duplicate, naming the file it duplicates; nothing changes
    version, files = engine.store.current_version(), snapshot(engine.settings.knowledge_dir)
    again = tg.send_document(ADMIN, "ban-sao.docx", data)
    refusal = wait_reply(tg, ADMIN, again, contains="Không thêm được")["text"]
    assert SKIP_REASON_VI[SkipReason.DUPLICATE] in refusal and stored.name in refusal
    assert engine.store.current_version() == version and snapshot(engine.settings.knowledge_dir) == files

    # /docs lists it, paged with ◀ ▶ (3 per page here)
    _, page = ask(tg, ADMIN, "/docs")
    assert "Tài liệu (6)" in page["text"] and "trang 1/2" in page["text"] and doc_id in page["text"]
    assert buttons(page) == [("▶", "d:1")]
    press(tg, ADMIN, page, "d:1")
    assert "trang 2/2" in tg.sent_messages(ADMIN)[-1]["text"]
    assert buttons(tg.sent_messages(ADMIN)[-1]) == [("◀", "d:0")]
    assert tg.violations == []


def test_upload_with_a_long_vietnamese_name_keeps_its_type(admin_env):
    tg, bot = admin_env
    name = (
        "Hướng dẫn số 99 của Đảng ủy Quân sự tỉnh Hà Giang về việc tổ chức đại hội chi bộ trực thuộc "
        "nhiệm kỳ 2025 - 2027 và công tác chuẩn bị nhân sự.docx"
    )
    assert len(name) > 120
    upload = tg.send_document(ADMIN, name, hd99_docx())
    report = wait_reply(tg, ADMIN, upload, contains="Đã thêm")["text"]
    doc_id = re.search(r"Mã tài liệu: (\S+)", report).group(1)
    (stored,) = [p for p in bot.engine.settings.knowledge_dir.iterdir() if p.stem == doc_id]
    assert stored.suffix == ".docx" and stored.name.startswith("Hướng_dẫn_số_99") and len(stored.name) <= 120
    assert HD99_A in ask(tg, ADMIN, HD99_Q)[1]["text"]
    assert tg.violations == []


def test_uploading_a_new_version_lists_what_changed(admin_env):
    tg, bot = admin_env
    fixtures = Path(__file__).resolve().parent / "fixtures" / "relations"
    old = tg.send_document(ADMIN, "hd05.txt", (fixtures / "huong-dan-05-hd-tu-2020-cu.txt").read_bytes())
    wait_reply(tg, ADMIN, old, contains="Đã thêm")
    new = tg.send_document(ADMIN, "hd09.txt", (fixtures / "huong-dan-09-hd-tu-2025-moi.txt").read_bytes())
    report = wait_reply(tg, ADMIN, new, contains="Đã thêm")["text"]
    assert "Văn bản này thay thế Hướng dẫn 05-HD/TU" in report
    assert "thêm 1, bỏ 1, sửa 3" in report
    assert "Thêm: mục 4 Ứng dụng công nghệ thông tin" in report and "Bỏ: mục 3 Chuẩn bị văn kiện" in report
    assert tg.violations == []


def test_refused_and_corrupt_uploads_change_nothing(admin_env):
    tg, bot = admin_env
    engine = bot.engine
    knowledge = engine.settings.knowledge_dir
    version, files = engine.store.current_version(), snapshot(knowledge)

    # a non-admin: polite refusals, no download, nothing changes
    stranger = 5001
    upload = tg.send_document(stranger, "huong-dan.docx", hd99_docx())
    assert "chỉ quản trị viên" in wait_reply(tg, stranger, upload)["text"]
    for command in ("/docs", "/reindex", "/stats", "/feedback", "/remove 004_9c1ef96de0d69b01"):
        _, reply = ask(tg, stranger, command)
        assert "chỉ dành cho quản trị viên" in reply["text"], command
    # an admin in a group: admin commands only in private
    _, reply = ask(tg, -100500, f"/docs@{BOT}", chat_type="supergroup", user=user(ADMIN))
    assert "tin nhắn riêng" in reply["text"]
    assert not tg.calls("getFile")

    # corrupt files from the admin: the engine's reason, in Vietnamese
    for name, data in [
        ("bao-cao.pdf", b"\x00garbage bytes, not a PDF" * 40),
        ("ke-hoach.docx", b"PK\x03\x04junk" * 50),
    ]:
        upload = tg.send_document(ADMIN, name, data)
        text = wait_reply(tg, ADMIN, upload, contains="Không thêm được")["text"]
        assert SKIP_REASON_VI[SkipReason.CORRUPT] in text and "không thay đổi" in text
    # unsupported type and too large: refused before downloading
    downloads = len(tg.calls("getFile"))
    upload = tg.send_document(ADMIN, "virus.exe", b"MZ\x90\x00")
    assert SKIP_REASON_VI[SkipReason.UNSUPPORTED_TYPE] in wait_reply(tg, ADMIN, upload)["text"]
    upload = tg.send_document(ADMIN, "lon.pdf", b"%PDF-1.4", file_size=30 * 1024 * 1024)
    assert "quá lớn" in wait_reply(tg, ADMIN, upload)["text"]
    assert len(tg.calls("getFile")) == downloads

    assert engine.store.current_version() == version
    assert snapshot(knowledge) == files
    assert tg.violations == []


def test_remove_asks_for_confirmation(admin_env):
    tg, bot = admin_env
    engine = bot.engine
    upload = tg.send_document(ADMIN, "hd99.docx", hd99_docx())
    report = wait_reply(tg, ADMIN, upload, contains="Đã thêm")["text"]
    doc_id = re.search(r"Mã tài liệu: (\S+)", report).group(1)
    assert HD99_A in ask(tg, ADMIN, HD99_Q)[1]["text"]
    version = engine.store.current_version()

    _, reply = ask(tg, ADMIN, "/remove khong-co-tai-lieu-nay")
    assert "Không có tài liệu mã" in reply["text"]
    _, confirm = ask(tg, ADMIN, f"/remove {doc_id}")
    assert "Hướng dẫn 99-HD/ĐU" in confirm["text"] and doc_id in confirm["text"]
    assert [t for t, _ in buttons(confirm)] == ["🗑 Xóa", "Hủy"]
    press(tg, ADMIN, confirm, buttons(confirm)[1][1])
    assert "Đã hủy" in tg.sent_messages(ADMIN)[-1]["text"]
    assert engine.store.current_version() == version

    _, confirm = ask(tg, ADMIN, f"/remove {doc_id}")
    press(tg, ADMIN, confirm, buttons(confirm)[0][1])
    assert "Đã xóa" in tg.sent_messages(ADMIN)[-1]["text"]
    assert all(d["doc_id"] != doc_id for d in engine.documents())
    assert not (engine.settings.knowledge_dir / f"{doc_id}.docx").exists()
    assert engine.store.current_version() != version
    assert HD99_A not in ask(tg, ADMIN, HD99_Q)[1]["text"]
    # an old confirmation button does nothing but say so
    assert "hết hạn" in press(tg, ADMIN, confirm, buttons(confirm)[0][1], strict=False)["text"]
    # and admin buttons pressed in someone else's chat are refused
    _, other = ask(tg, 5002, STEPS_Q)
    assert "quản trị viên" in press(tg, 5002, other, "d:1", strict=False)["text"]
    assert tg.violations == []


class HeldEmbedder:
    """The real embedder, except that once ``hold()`` is called, the bot's indexing worker waits
    before its second batch of passages until ``release()``: the test decides the order of events
    instead of hoping embedding is slow enough (on a fast runner it was not)."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self.model_id, self.dim, self.max_tokens = inner.model_id, inner.dim, inner.max_tokens
        self._held = False
        self.batches = 0
        self._released = threading.Event()

    def hold(self) -> None:
        self._held = True

    def release(self) -> None:
        self._released.set()

    def embed_passages(self, texts):
        if self._held and threading.current_thread().name.startswith("indexing"):
            self.batches += 1
            if self.batches > 1:
                assert self._released.wait(WAIT), "the test never released the re-index"
        return self._inner.embed_passages(texts)

    def embed_question(self, text):
        return self._inner.embed_question(text)

    def count_tokens(self, text):
        return self._inner.count_tokens(text)


def test_reindex_in_background_with_progress_while_questions_are_answered(tmp_path, embedder):
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    shutil.copy(KNOWLEDGE / "glossary.tsv", knowledge / "glossary.tsv")
    (knowledge / "hd99.txt").write_text("\n\n".join(HD99), encoding="utf-8")
    (knowledge / "kh12.txt").write_text("\n\n".join(KH12), encoding="utf-8")
    held = HeldEmbedder(embedder)
    engine = Engine(Settings(knowledge, tmp_path / "index"), embedder=held)
    engine.ensure_index()
    version = engine.store.current_version()
    for i in range(1, 3):  # added before /reindex: more passages than one embedding batch
        lines = [f"Số {i}-TB/ĐU", f"Thông báo số {i} về công tác chuẩn bị đại hội đảng bộ các cấp"]
        lines += [f"Mục {j}. Chi bộ số {i}{j} rà soát hồ sơ đảng viên và danh sách nhân sự dự kiến." for j in range(40)]
        (knowledge / f"tb{i}.txt").write_text("\n\n".join(lines), encoding="utf-8")
    held.hold()
    with FakeTelegram() as tg, RunningBot(engine, tg) as bot:
        try:
            _, status = ask(tg, ADMIN, "/reindex")
            _, refused = ask(tg, ADMIN, "/reindex")
            assert "Đang lập lại chỉ mục, vui lòng đợi" in refused["text"]  # one re-index at a time

            def edits(stub) -> list[str]:
                return [p["text"] for _, p in stub.calls("editMessageText") if p["message_id"] == status["message_id"]]

            tg.wait_for(lambda stub: any(re.search(r"\d+/\d+ đoạn", t) for t in edits(stub)), WAIT)  # embedding now
            question, answer = ask(tg, 6001, HD99_Q)  # answered while the re-index waits between batches
            assert HD99_A in answer["text"]
            assert bot.admin.reindexing
            assert not any("Đã lập lại chỉ mục" in m["text"] for m in tg.sent_messages(ADMIN))
        finally:
            held.release()
        done = tg.wait_for(
            lambda stub: next((m for m in stub.sent_messages(ADMIN) if "Đã lập lại chỉ mục" in m["text"]), None), 120
        )
        assert done["message_id"] == status["message_id"]  # the progress message, edited
        assert "Tài liệu: 4" in done["text"]
        assert edits(tg)[-1].startswith("<b>✅ Đã lập lại chỉ mục</b>")
        assert all(t.startswith("⏳ Đang") for t in edits(tg)[:-1])  # progress while it ran
        assert engine.store.current_version() != version
        assert held.batches > 1  # the re-index did wait between its batches
        assert bot.config.database.is_file()  # bot.sqlite in the index dir survives a rebuild
        assert not bot.admin.reindexing
        assert tg.violations == []


# -- configuration and logging -----------------------------------------------------------------------------------
def test_config_from_env(tmp_path):
    settings = Settings(tmp_path / "k", tmp_path / "i")
    token = "123456789:AAH-secret_Value"
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN is not set"):
        BotConfig.from_env(settings, {})
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN does not look like") as info:
        BotConfig.from_env(settings, {"TELEGRAM_BOT_TOKEN": "oops NOT-A-TOKEN"})
    assert "NOT-A-TOKEN" not in str(info.value)
    with pytest.raises(ConfigError, match="CONGRESS_BOT_ADMIN_IDS.*'abc'"):
        BotConfig.from_env(settings, {"TELEGRAM_BOT_TOKEN": token, "CONGRESS_BOT_ADMIN_IDS": "1,abc"})
    with pytest.raises(ConfigError, match="TELEGRAM_BASE_URL"):
        BotConfig.from_env(settings, {"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_BASE_URL": "localhost:8081"})
    with pytest.raises(ConfigError, match="CONGRESS_BOT_RATE_LIMIT"):
        BotConfig.from_env(settings, {"TELEGRAM_BOT_TOKEN": token, "CONGRESS_BOT_RATE_LIMIT": "fast"})
    with pytest.raises(ConfigError, match="CONGRESS_BOT_LOG_LEVEL.*'LOUD'"):
        BotConfig.from_env(settings, {"TELEGRAM_BOT_TOKEN": token, "CONGRESS_BOT_LOG_LEVEL": "loud"})

    config = BotConfig.from_env(
        settings,
        {
            "TELEGRAM_BOT_TOKEN": token,
            "CONGRESS_BOT_ADMIN_IDS": " 11, 22 ",
            "CONGRESS_BOT_ALLOWED_CHATS": "-1001234,55",
            "CONGRESS_BOT_RATE_LIMIT": "3/30",
            "CONGRESS_BOT_LOG_LEVEL": "debug",
        },
    )
    assert config.admin_ids == {11, 22} and config.allowed_chats == {-1001234, 55}
    assert config.max_upload_bytes == FileSizeLimit.FILESIZE_DOWNLOAD and config.base_url is None
    assert (config.questions_per_window, config.window_seconds) == (3, 30.0)
    assert config.database == settings.index_dir / "bot.sqlite"
    assert config.log_level == logging.DEBUG
    assert token not in repr(config)

    local = BotConfig.from_env(settings, {"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_BASE_URL": "http://127.0.0.1:8081/"})
    assert local.base_url == "http://127.0.0.1:8081/bot"
    assert local.base_file_url == "http://127.0.0.1:8081/file/bot"
    assert local.max_upload_bytes == SELF_HOSTED_UPLOAD_LIMIT and local.allowed_chats is None
    assert local.log_level is None


def test_token_is_redacted_in_every_form_from_every_logger_and_traceback(capsys):
    token = "5550001234:AAH-secret_Value0123456789abcdefghij"
    encoded = quote(token, safe="")  # how PTB's file-download URL carries it
    stream = io.StringIO()
    root_handler = logging.StreamHandler(stream)
    logging.getLogger().addHandler(root_handler)
    own = logging.getLogger("test.own_handler")  # a logger with its own handler on stdout, not propagating
    own.addHandler(logging.StreamHandler(sys.stdout))
    own.propagate = False
    uninstall = install_redaction(token, ["http://admin:hunter2pass@127.0.0.1:8081/bot"])
    try:
        logger = logging.getLogger("test.redact")
        logger.warning("calling https://api.telegram.org/bot%s/getMe", token)
        logger.warning('HTTP Request: GET http://127.0.0.1/file/bot%s/documents/file_1.docx "200 OK"', encoded)
        logger.warning("lower-case escape: /file/bot%s/x", encoded.replace("%3A", "%3a"))
        logger.warning("base URL password: http://admin:hunter2pass@127.0.0.1:8081/bot")
        own.warning("to stdout: %s", token)
        try:
            raise RuntimeError(f"The token `{token}` was rejected by the server.")
        except RuntimeError:
            logger.exception("failed")
    finally:
        uninstall()
        logging.getLogger().removeHandler(root_handler)
        own.handlers.clear()
    output = stream.getvalue() + capsys.readouterr().out
    secret = token.partition(":")[2]
    assert secret not in output and "hunter2pass" not in output and "%3A" + secret[:5] not in output
    assert output.count(REDACTED) == 6 and "Traceback" in output and "to stdout: <TOKEN>" in output
    assert logging.getLogRecordFactory() is logging.LogRecord  # uninstalled


def test_rate_limiter_window():
    now = [0.0]
    limiter = RateLimiter(2, 60, clock=lambda: now[0])
    assert limiter.hit(1)[0] and limiter.hit(1)[0]
    allowed, wait, notify = limiter.hit(1)
    assert not allowed and wait == pytest.approx(60) and notify
    assert limiter.hit(1)[2] is False  # told once per blocked stretch
    assert limiter.hit(2)[0]
    now[0] = 60.5
    assert limiter.hit(1)[0]


def test_feedback_db_is_plain_sqlite_and_votes_only_on_the_answer_message(tmp_path):
    store = FeedbackStore(tmp_path / "bot.sqlite")
    key = store.log_question(1, 2, True, 12.5)
    assert not store.add_feedback(key, "câu hỏi", "trả lời", 1, 2, 1, 40)  # not sent yet: nothing to vote on
    store.bind_answer(key, 41)
    assert not store.add_feedback(key, "câu hỏi", "trả lời", 1, 2, 1, 40)  # another message of that chat
    assert not store.add_feedback(key, "câu hỏi", "trả lời", 9, 2, 1, 41)  # the same message id elsewhere
    assert store.add_feedback(key, "câu hỏi", "trả lời", 1, 2, 1, 41)
    store.close()
    with sqlite3.connect(tmp_path / "bot.sqlite") as conn:
        assert conn.execute("SELECT question, answer, chat_id, user_id, vote FROM feedback").fetchall() == [
            ("câu hỏi", "trả lời", 1, 2, 1)
        ]
        assert conn.execute("SELECT chat_id, user_id, found, latency_ms, message_id FROM questions").fetchall() == [
            (1, 2, 1, 12.5, 41)
        ]


def test_feedback_db_from_before_message_binding_is_upgraded(tmp_path):
    with sqlite3.connect(tmp_path / "bot.sqlite") as conn:
        conn.execute(
            "CREATE TABLE questions (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,"
            " chat_id INTEGER NOT NULL, user_id INTEGER, found INTEGER NOT NULL, latency_ms REAL NOT NULL)"
        )
        conn.execute("INSERT INTO questions VALUES (1, '2025-01-01T00:00:00', 5, 5, 1, 10.0)")
    store = FeedbackStore(tmp_path / "bot.sqlite")
    assert not store.add_feedback(1, "q", "a", 5, 5, 1, 2)  # an old answer was never bound: refused
    store.bind_answer(store.log_question(5, 5, True, 1.0), 3)
    assert store.stats()["total"] == 2
    store.close()


def test_render_answer_matches_engine_for_a_real_answer(engine):
    answer = engine.ask(STEPS_Q)
    parts = render_answer(answer)
    assert len(parts) == 1 and "<b>Nguồn</b>" in parts[0]
    assert parts[0].startswith(html.escape(answer.answer.splitlines()[0]))
    sources = parts[0].split("<b>Nguồn</b>")[1]
    assert all(f"[{c.n}]" in sources and html.escape(c.title) in sources for c in answer.citations)


# -- `congress-bot serve`: the real entry point, in a subprocess, over HTTP ------------------------------------------
def serve(tg: FakeTelegram, built_corpus, tmp_path: Path, *args: str, **env: str) -> tuple[subprocess.Popen, Path]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": tg.token,
        "TELEGRAM_BASE_URL": tg.base_url,  # base_file_url is derived from it
        "CONGRESS_BOT_KNOWLEDGE_DIR": str(built_corpus.knowledge_dir),
        "CONGRESS_BOT_INDEX_DIR": str(built_corpus.index_dir),
        "CONGRESS_BOT_DB": str(tmp_path / "bot.sqlite"),
        "CONGRESS_BOT_ADMIN_IDS": str(ADMIN),
        **env,
    }
    out, err = tmp_path / "serve.out", tmp_path / "serve.err"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "-v", "serve", *args], env=env, stdout=stdout, stderr=stderr
        )
    return proc, tmp_path


def stop(proc: subprocess.Popen, where: Path) -> str:
    """Stop the bot; everything it wrote, stdout then stderr."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    return (where / "serve.out").read_text(errors="replace") + (where / "serve.err").read_text(errors="replace")


def until(probe, timeout: float):
    """Poll ``probe()`` (a socket that is not listening yet) until it gives something truthy."""
    deadline = time.monotonic() + timeout
    while not (result := probe()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return result


def output_of(where: Path) -> str:
    return (where / "serve.out").read_text(errors="replace") + (where / "serve.err").read_text(errors="replace")


def test_serve_by_long_polling(built_corpus, tmp_path):
    with FakeTelegram(http=True) as tg:
        proc, where = serve(tg, built_corpus, tmp_path)
        try:
            tg.wait_for(lambda stub: stub.calls("getUpdates") or proc.poll() is not None, 60)
            assert proc.poll() is None, output_of(where)
            _, reply = ask(tg, 8001, STEPS_Q)
            assert "Nguồn" in reply["text"]
        finally:
            output = stop(proc, where)
        assert proc.returncode == 0, output
        assert tg.token not in output and "HTTP Request" not in output  # httpx's request lines only at DEBUG
        assert {c["command"] for c in tg.get_commands()} == {"ask", "help", "start"}
        assert tg.violations == []


def test_serve_by_webhook(built_corpus, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    secret = "s3cret-Token_1"
    url = "https://bot.example.org/congress/hook"
    with FakeTelegram(http=True) as tg:
        proc, where = serve(
            tg, built_corpus, tmp_path, "--webhook-url", url, "--port", str(port), "--secret-token", secret
        )
        try:
            tg.wait_for(lambda stub: stub.webhook or proc.poll() is not None, 60)
            assert proc.poll() is None, output_of(where)
            assert tg.webhook["url"] == url and tg.webhook["secret_token"] == secret
            message = tg.send_text(8002, STEPS_Q)

            def post(token: str) -> int:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/congress/hook",
                    data=json.dumps({"update_id": 1, "message": message}).encode(),
                    headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": token},
                )
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        return response.status
                except urllib.error.HTTPError as exc:
                    return exc.code
                except OSError:
                    return 0  # not listening yet

            assert until(lambda: post("wrong"), 30) == 403  # once the webhook server listens
            assert post(secret) == 200
            assert "Nguồn" in wait_reply(tg, 8002, message)["text"]
        finally:
            output = stop(proc, where)
        assert tg.token not in output
        assert tg.violations == []


def test_serve_at_debug_never_writes_the_token(workdir, tmp_path):
    """The real bot at DEBUG through an outage of the Bot API, an upload (the bot downloads the file: the
    URL carries the token URL-encoded) and a feedback export (the bot uploads a file): nothing it writes, on
    stdout or stderr, holds the token in any form."""
    with FakeTelegram(http=True) as tg:
        proc, where = serve(tg, workdir, tmp_path, CONGRESS_BOT_LOG_LEVEL="DEBUG")
        try:
            tg.wait_for(lambda stub: stub.calls("getUpdates") or proc.poll() is not None, 60)
            assert proc.poll() is None, output_of(where)
            tg.outage(1)  # the next connection is dropped without an answer
            tg.fail_next("getUpdates", 502)  # then Telegram answers Bad Gateway
            tg.wait_for(lambda stub: stub.outages_left == 0 and not stub.failures_left("getUpdates"), WAIT)
            upload = tg.send_document(ADMIN, "hd99.docx", hd99_docx())
            assert "Đã thêm" in wait_reply(tg, ADMIN, upload, contains="Đã thêm", timeout=60)["text"]
            _, answer = ask(tg, ADMIN, HD99_Q)
            query = tg.press_button(ADMIN, answer, next(d for t, d in buttons(answer) if t == "👍"))
            tg.wait_for(lambda stub: stub.answered(query), WAIT)  # at once: the press may beat the bot's own
            # reading of its sendMessage answer; the vote still counts
            tg.send_text(ADMIN, "/feedback")
            tg.wait_for(lambda stub: stub.sent_documents(ADMIN), WAIT)
        finally:
            output = stop(proc, where)
        secret = tg.token.partition(":")[2]
        for form in (tg.token, quote(tg.token, safe=""), secret):
            assert form not in output
        assert re.search(rf"/file/bot{re.escape(REDACTED)}/documents/", output)  # the download URL, redacted
        assert f"/bot{REDACTED}/getUpdates" in output and "HTTP Request" in output  # httpx at DEBUG
        assert "Bad Gateway" in output and re.search(r"RemoteProtocolError|disconnected", output)  # the outage
        assert tg.violations == []
