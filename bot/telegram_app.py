"""The Telegram front end: python-telegram-bot v22 handlers around :class:`bot.engine.Engine`.

``build_application(engine, config)`` wires everything; ``run(...)`` serves it by
long polling (default) or behind a reverse proxy by webhook.  Engine calls
(answering, indexing) run in worker threads so one slow question never stalls
the others.  Everything users see is Vietnamese Telegram HTML made by
:mod:`bot.render`; the bot token is never logged.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import io
import logging
import math
import os
import re
import tempfile
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from . import render
from .config import Settings
from .engine import MAX_QUESTION_CHARS, Engine, QuestionError, safe_filename
from .feedback import FeedbackStore
from .loaders import SUPPORTED_SUFFIXES
from .runtime import configure_process, configure_thread

log = logging.getLogger(__name__)

MB = 1024 * 1024
CLOUD_UPLOAD_LIMIT = 20 * MB  # getFile refuses bigger files on api.telegram.org
SELF_HOSTED_UPLOAD_LIMIT = 2000 * MB  # a local Bot API server (--local) has no download limit
ALLOWED_UPDATES = ["message", "callback_query"]
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")

# -- user-facing text (Vietnamese) ------------------------------------------------------------------------------
T_NOT_ALLOWED = (
    "Xin lỗi, bot chưa được bật cho cuộc trò chuyện này. Vui lòng liên hệ quản trị viên nếu bạn cần sử dụng."
)
T_ADMIN_ONLY = "Xin lỗi, lệnh này chỉ dành cho quản trị viên."
T_PRIVATE_ONLY = "Lệnh quản trị chỉ dùng trong tin nhắn riêng với bot."
T_UPLOAD_ADMIN_ONLY = (
    "Xin lỗi, chỉ quản trị viên mới có thể thêm tài liệu vào kho. Bạn có thể gõ câu hỏi để tra cứu tài liệu hiện có."
)
T_ASK_USAGE = "Cú pháp: /ask &lt;câu hỏi&gt;\nVí dụ: /ask Quy trình nhân sự đại hội gồm mấy bước?"
T_NON_TEXT = (
    "Tôi chỉ đọc được câu hỏi bằng chữ (chưa đọc được ảnh, nhãn dán hay tin nhắn thoại). "
    "Hãy gõ câu hỏi, ví dụ: “Quy trình nhân sự đại hội gồm mấy bước?”"
)
T_UNKNOWN_COMMAND = "Không có lệnh này. Gõ /help để xem hướng dẫn và các lệnh."
T_EMPTY_MENTION = (
    "Bạn muốn hỏi gì? Hãy viết câu hỏi ngay sau tên bot, ví dụ: {mention} Quy trình nhân sự đại hội gồm mấy bước?"
)
T_RATE_LIMITED = "Bạn đang hỏi hơi nhanh. Vui lòng đợi khoảng {seconds} giây rồi hỏi tiếp nhé."
T_ERROR = (
    "Đã có lỗi xảy ra (mã lỗi: {error_id}). Vui lòng thử lại sau; "
    "nếu lỗi lặp lại, hãy báo mã lỗi này cho quản trị viên."
)
T_FEEDBACK_THANKS = {1: "Cảm ơn bạn đã góp ý! 👍", 0: "Cảm ơn bạn đã góp ý, chúng tôi sẽ cải thiện câu trả lời."}

PUBLIC_COMMANDS = [
    BotCommand("ask", "Đặt câu hỏi về công tác đại hội"),
    BotCommand("help", "Hướng dẫn sử dụng"),
    BotCommand("start", "Giới thiệu bot"),
]
ADMIN_COMMANDS = PUBLIC_COMMANDS + [
    BotCommand("docs", "Danh sách tài liệu"),
    BotCommand("remove", "Xóa một tài liệu: /remove MÃ_TÀI_LIỆU"),
    BotCommand("reindex", "Lập lại toàn bộ chỉ mục"),
    BotCommand("stats", "Thống kê sử dụng"),
    BotCommand("feedback", "Tải về các góp ý (CSV hoặc JSONL)"),
]


# -- configuration -------------------------------------------------------------------------------------------------
class ConfigError(Exception):
    """A missing or malformed setting; the message says which variable and how to fix it."""


@dataclass
class BotConfig:
    token: str = field(repr=False)
    settings: Settings = field(default_factory=Settings)
    base_url: str | None = None
    base_file_url: str | None = None
    local_mode: bool = False
    admin_ids: set[int] = field(default_factory=set)
    allowed_chats: set[int] | None = None
    max_upload_bytes: int = CLOUD_UPLOAD_LIMIT
    # per-user questions in a sliding window
    questions_per_window: int = 6
    window_seconds: float = 60.0
    # Telegram flood control (AIORateLimiter): overall and per-group rates, retries on RetryAfter
    messages_per_second: float = 30.0
    group_messages_per_minute: float = 20.0
    flood_retries: int = 3
    docs_page_size: int = 10
    progress_interval: float = 2.0
    db_path: Path | None = None  # default: <index_dir>/bot.sqlite

    @property
    def database(self) -> Path:
        return Path(self.db_path) if self.db_path else Path(self.settings.index_dir) / "bot.sqlite"

    @classmethod
    def from_env(cls, settings: Settings, env: dict[str, str] | None = None) -> BotConfig:
        env = dict(os.environ if env is None else env)
        token = (env.get("TELEGRAM_BOT_TOKEN") or "").strip()
        if not token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and run "
                "`export TELEGRAM_BOT_TOKEN=<the token it gives you>`"
            )
        if not _TOKEN_RE.match(token):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token (expected digits, ':' and a secret, "
                "as given by @BotFather; the value is not shown): set it again without quotes or spaces"
            )
        base_url = _url(env, "TELEGRAM_BASE_URL")
        base_file_url = _url(env, "TELEGRAM_BASE_FILE_URL")
        if base_url and "{token}" not in base_url and not base_url.endswith("/bot"):
            base_url += "/bot"  # http://localhost:8081 -> http://localhost:8081/bot
        if base_url and not base_file_url and base_url.endswith("/bot"):
            base_file_url = base_url[: -len("/bot")] + "/file/bot"
        local_mode = _flag(env, "TELEGRAM_LOCAL_MODE")
        max_upload = SELF_HOSTED_UPLOAD_LIMIT if base_url else CLOUD_UPLOAD_LIMIT
        if env.get("CONGRESS_BOT_MAX_UPLOAD_MB", "").strip():
            max_upload = _positive_int(env, "CONGRESS_BOT_MAX_UPLOAD_MB", "e.g. 20") * MB
        per_window, window = 6, 60.0
        if env.get("CONGRESS_BOT_RATE_LIMIT", "").strip():
            m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", env["CONGRESS_BOT_RATE_LIMIT"])
            if not m or int(m.group(1)) < 1 or int(m.group(2)) < 1:
                raise ConfigError(
                    "CONGRESS_BOT_RATE_LIMIT must be QUESTIONS/SECONDS per user, e.g. 6/60 (6 questions a minute)"
                )
            per_window, window = int(m.group(1)), float(m.group(2))
        return cls(
            token=token,
            settings=settings,
            base_url=base_url,
            base_file_url=base_file_url,
            local_mode=local_mode,
            admin_ids=_id_set(env, "CONGRESS_BOT_ADMIN_IDS", "user ids, e.g. 123456789,987654321") or set(),
            allowed_chats=_id_set(env, "CONGRESS_BOT_ALLOWED_CHATS", "chat ids, e.g. -1001234567890,123456789"),
            max_upload_bytes=max_upload,
            questions_per_window=per_window,
            window_seconds=window,
            db_path=Path(env["CONGRESS_BOT_DB"]) if env.get("CONGRESS_BOT_DB", "").strip() else None,
        )


def _url(env: dict[str, str], name: str) -> str | None:
    value = (env.get(name) or "").strip().rstrip("/")
    if not value:
        return None
    if not re.match(r"https?://[^/\s]+", value):
        raise ConfigError(f"{name} must be an http(s) URL, e.g. http://localhost:8081/bot for a local Bot API server")
    return value


def _flag(env: dict[str, str], name: str) -> bool:
    value = (env.get(name) or "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be 1/true or 0/false, not {value!r}")


def _positive_int(env: dict[str, str], name: str, example: str) -> int:
    value = env[name].strip()
    if not value.isdigit() or int(value) < 1:
        raise ConfigError(f"{name} must be a positive whole number ({example}), not {value!r}")
    return int(value)


def _id_set(env: dict[str, str], name: str, what: str) -> set[int] | None:
    value = (env.get(name) or "").strip()
    if not value:
        return None
    ids: set[int] = set()
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        if not re.fullmatch(r"-?\d+", part):
            raise ConfigError(f"{name} must be comma-separated numeric Telegram {what}; {part!r} is not a number")
        ids.add(int(part))
    if not ids:
        raise ConfigError(f"{name} is set but lists no ids; give comma-separated numeric Telegram {what}")
    return ids


# -- small in-memory helpers --------------------------------------------------------------------------------------
class LRU(OrderedDict):
    """A bounded mapping that forgets the least recently used entries."""

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.maxsize = maxsize

    def get(self, key, default=None):
        if key in self:
            self.move_to_end(key)
            return self[key]
        return default

    def put(self, key, value) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.maxsize:
            self.popitem(last=False)


class RateLimiter:
    """Per-key sliding window: at most ``limit`` hits in ``window`` seconds."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._hits: dict[int, deque[float]] = {}
        self._warned_until: dict[int, float] = {}

    def hit(self, key: int) -> tuple[bool, float, bool]:
        """(allowed, seconds to wait, whether to tell the user: once per blocked stretch)."""
        now = self.clock()
        if len(self._hits) > 10_000:
            self._forget(now)
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            return True, 0.0, False
        free_at = hits[0] + self.window
        notify = now >= self._warned_until.get(key, 0.0)
        if notify:
            self._warned_until[key] = free_at
        return False, free_at - now, notify

    def _forget(self, now: float) -> None:
        for key in [k for k, h in self._hits.items() if not h or h[-1] <= now - self.window]:
            self._hits.pop(key, None)
            self._warned_until.pop(key, None)


class _RedactToken(logging.Filter):
    """Replaces the bot token in every log line (message and traceback)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.token:
            return True
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "<TOKEN>"), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, "<TOKEN>")
        return True


def _quiet_http_logs() -> None:
    """httpx logs every request URL, and PTB's Bot logs its API URL at DEBUG: both contain the token."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in ("telegram.Bot", "telegram.ext.ExtBot"):
        logging.getLogger(name).setLevel(logging.INFO)


# -- the bot ---------------------------------------------------------------------------------------------------------
def _thread_id(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


def _markup(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    rows = [r for r in rows if r]
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in row] for row in rows])


def _admin_command(func):
    """Admin commands: only admins, only in private chat; everyone else gets a polite refusal."""

    @functools.wraps(func)
    async def wrapper(self: CongressBot, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, chat = update.effective_message, update.effective_chat
        if not self.allowed(update):
            await self.reply(message, T_NOT_ALLOWED)
        elif not self.is_admin(update):
            await self.reply(message, T_ADMIN_ONLY)
        elif chat.type != ChatType.PRIVATE:
            await self.reply(message, T_PRIVATE_ONLY)
        else:
            await func(self, update, context)

    return wrapper


class CongressBot:
    """State and handlers; :func:`build_application` registers them."""

    def __init__(self, engine: Engine, config: BotConfig) -> None:
        self.engine = engine
        self.config = config
        self.store = FeedbackStore(config.database)
        self.limiter = RateLimiter(config.questions_per_window, config.window_seconds)
        self.followups: LRU = LRU(1000)  # chat id -> LRU(bot message id -> the question it answers)
        self.answers: LRU = LRU(5000)  # answer key -> (question, answer text), for feedback
        self.removals: LRU = LRU(200)  # confirmation token -> doc_id
        self.index_lock = asyncio.Lock()  # uploads, removals and re-indexing change the index one at a time
        self.reindexing = False

    # -- helpers -----------------------------------------------------------------------------------------------
    def is_admin(self, update: Update) -> bool:
        return update.effective_user is not None and update.effective_user.id in self.config.admin_ids

    def allowed(self, update: Update) -> bool:
        allowed = self.config.allowed_chats
        chat = update.effective_chat
        if allowed is None or chat is None or chat.id in allowed:
            return True
        return chat.type == ChatType.PRIVATE and self.is_admin(update)

    @staticmethod
    def _mention_re(username: str) -> re.Pattern:
        return re.compile(rf"(?<![\w@])@{re.escape(username)}(?!\w)", re.IGNORECASE)

    def mentions_bot(self, text: str | None, username: str) -> bool:
        return bool(text and username and self._mention_re(username).search(text))

    def strip_mention(self, text: str, username: str) -> str:
        return re.sub(r"\s+", " ", self._mention_re(username).sub(" ", text)).strip() if username else text.strip()

    @staticmethod
    def replies_to_bot(message: Message, bot_id: int) -> bool:
        replied = message.reply_to_message
        return bool(replied and replied.from_user and replied.from_user.id == bot_id)

    def remember(self, chat_id: int, message_id: int, question: str) -> None:
        chat = self.followups.get(chat_id)
        if chat is None:
            chat = LRU(1000)
            self.followups.put(chat_id, chat)
        chat.put(message_id, question)

    def recall(self, chat_id: int, message_id: int) -> str | None:
        chat = self.followups.get(chat_id)
        return chat.get(message_id) if chat is not None else None

    async def reply(self, message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
        """Send HTML ``text`` as a reply to ``message``, in its forum topic."""
        return await message.get_bot().send_message(
            message.chat_id,
            text,
            parse_mode=ParseMode.HTML,
            message_thread_id=_thread_id(message),
            reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True),
            reply_markup=markup,
        )

    async def reply_parts(
        self, message: Message, parts: list[str], markup: InlineKeyboardMarkup | None = None
    ) -> list[Message]:
        """Several parts: the first replies to ``message``, the keyboard goes under the last."""
        sent = []
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if i == 0:
                sent.append(await self.reply(message, part, markup if last else None))
            else:
                sent.append(
                    await message.get_bot().send_message(
                        message.chat_id,
                        part,
                        parse_mode=ParseMode.HTML,
                        message_thread_id=_thread_id(message),
                        reply_markup=markup if last else None,
                    )
                )
        return sent

    @staticmethod
    async def edit(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Edit a status message; an edit that fails (unchanged, network) is not worth failing for."""
        try:
            await message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        except TelegramError as exc:
            log.warning("could not edit message %s: %s", message.message_id, exc)

    @staticmethod
    async def typing(message: Message) -> None:
        try:
            await message.get_bot().send_chat_action(
                message.chat_id, ChatAction.TYPING, message_thread_id=_thread_id(message)
            )
        except TelegramError as exc:
            log.debug("chat action failed: %s", exc)

    @staticmethod
    def log_error(exc: BaseException, what: str) -> str:
        error_id = uuid.uuid4().hex[:8]
        log.error("error %s in %s: %s", error_id, what, type(exc).__name__, exc_info=exc)
        return error_id

    # -- lifecycle --------------------------------------------------------------------------------------------------
    async def post_init(self, app: Application) -> None:
        # Questions run in the event loop's default executor (asyncio.to_thread); FAISS's thread
        # setting is per thread, so every thread of that pool makes it when it starts.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(thread_name_prefix="congress-bot", initializer=configure_thread)
        )
        # The command menu is a convenience: a Bot API server that refuses it must not stop the bot.
        try:
            await app.bot.set_my_commands(PUBLIC_COMMANDS)
        except TelegramError as exc:
            log.warning("could not set the command menu: %s", exc)
        for admin in sorted(self.config.admin_ids):
            try:
                await app.bot.set_my_commands(ADMIN_COMMANDS, scope=BotCommandScopeChat(admin))
            except TelegramError as exc:  # the admin has not started a chat with the bot yet
                log.warning("could not set the admin commands for %s: %s", admin, exc)

    async def post_shutdown(self, app: Application) -> None:
        self.store.close()

    # -- asking -----------------------------------------------------------------------------------------------------
    async def cmd_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if not self.allowed(update):
            await self.reply(message, T_NOT_ALLOWED)
            return
        admin = self.is_admin(update) and update.effective_chat.type == ChatType.PRIVATE
        await self.reply(message, render.render_help(context.bot.username, admin))

    async def cmd_ask(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if not self.allowed(update):
            await self.reply(message, T_NOT_ALLOWED)
            return
        parts = (message.text or "").split(None, 1)
        question = parts[1].strip() if len(parts) > 1 else ""
        if not question:
            await self.reply(message, T_ASK_USAGE)
            return
        await self.answer(update, context, question)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, chat = update.effective_message, update.effective_chat
        text = message.text or ""
        username = context.bot.username
        if chat.type != ChatType.PRIVATE:
            if not (self.mentions_bot(text, username) or self.replies_to_bot(message, context.bot.id)):
                return  # not addressed to the bot: stay silent in groups
            text = self.strip_mention(text, username)
        if not self.allowed(update):
            await self.reply(message, T_NOT_ALLOWED)
            return
        if not text.strip():
            await self.reply(message, render.esc(T_EMPTY_MENTION.format(mention=f"@{username}")))
            return
        await self.answer(update, context, text)

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice…: a hint in private; in groups only a caption that mentions the bot counts."""
        message, chat = update.effective_message, update.effective_chat
        if chat.type == ChatType.PRIVATE:
            await self.reply(message, T_NON_TEXT if self.allowed(update) else T_NOT_ALLOWED)
            return
        caption, username = message.caption or "", context.bot.username
        if not self.mentions_bot(caption, username):
            return
        if not self.allowed(update):
            await self.reply(message, T_NOT_ALLOWED)
            return
        question = self.strip_mention(caption, username)
        if question:
            await self.answer(update, context, question)
        else:
            await self.reply(message, render.esc(T_EMPTY_MENTION.format(mention=f"@{username}")))

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, chat = update.effective_message, update.effective_chat
        command = (message.text or "").split(None, 1)[0]
        if chat.type != ChatType.PRIVATE and not command.lower().endswith(f"@{(context.bot.username or '').lower()}"):
            return  # a command for another bot
        await self.reply(message, T_UNKNOWN_COMMAND if self.allowed(update) else T_NOT_ALLOWED)

    async def answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
        message, chat, user = update.effective_message, update.effective_chat, update.effective_user
        user_id = user.id if user else chat.id
        ok, wait, notify = self.limiter.hit(user_id)
        if not ok:
            if notify:
                await self.reply(message, T_RATE_LIMITED.format(seconds=max(1, math.ceil(wait))))
            return
        previous = None
        if self.replies_to_bot(message, context.bot.id):
            previous = self.recall(chat.id, message.reply_to_message.message_id)
        await self.typing(message)
        try:
            result, key = await asyncio.to_thread(self._ask, question, previous, chat.id, user_id)
        except QuestionError as exc:
            await self.reply(message, render.esc(str(exc)))
            return
        markup = _markup(render.answer_buttons(result, key))
        sent = await self.reply_parts(message, render.render_answer(result), markup)
        topic = f"{previous} {question}" if previous else question
        if len(topic) > MAX_QUESTION_CHARS:
            topic = previous or question[:MAX_QUESTION_CHARS]
        for m in sent:
            self.remember(chat.id, m.message_id, topic)
        self.answers.put(key, (question, result.answer))

    def _ask(self, question: str, previous: str | None, chat_id: int, user_id: int):
        result = self.engine.ask(question, context=previous)
        key = self.store.log_question(chat_id, user_id, result.found, result.latency_ms)
        return result, key

    # -- buttons -----------------------------------------------------------------------------------------------------
    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        data = query.data or ""
        if not self.allowed(update):
            await query.answer(T_NOT_ALLOWED[:200], show_alert=True)
        elif data.startswith("c:"):
            await self._show_citation(update, context)
        elif data.startswith("f:"):
            await self._feedback(update)
        elif data[:2] in ("d:", "r:", "x:"):
            if not self.is_admin(update) or update.effective_chat.type != ChatType.PRIVATE:
                await query.answer(T_ADMIN_ONLY, show_alert=True)
            elif data.startswith("d:"):
                await self._docs_page(update)
            else:
                await self._confirm_remove(update)
        else:
            await query.answer()

    async def _show_citation(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        parsed = render.parse_citation_data(query.data)
        passage = await asyncio.to_thread(self.engine.passage, parsed[1]) if parsed else None
        if not passage or render.passage_digest(passage["text"]) != parsed[2]:
            await query.answer(
                "Đoạn trích này không còn trong kho (tài liệu đã được cập nhật). Hãy hỏi lại.", show_alert=True
            )
            return
        await query.answer(f"Đoạn trích [{parsed[0]}]")
        message = query.message
        parts = render.render_passage(parsed[0], passage)
        if isinstance(message, Message):
            sent = await self.reply_parts(message, parts)
            topic = self.recall(message.chat_id, message.message_id)
            if topic:  # a reply to the passage is a follow-up of the same question
                for m in sent:
                    self.remember(message.chat_id, m.message_id, topic)
        else:  # too old to reply to
            for part in parts:
                await context.bot.send_message(update.effective_chat.id, part, parse_mode=ParseMode.HTML)

    async def _feedback(self, update: Update) -> None:
        query = update.callback_query
        parsed = render.parse_feedback_data(query.data)
        if not parsed:
            await query.answer()
            return
        key, vote = parsed
        question, answer = self.answers.get(key) or self._texts_of(query.message)
        user = update.effective_user
        await asyncio.to_thread(
            self.store.add_feedback, key, question, answer, update.effective_chat.id, user.id if user else None, vote
        )
        await query.answer(T_FEEDBACK_THANKS[vote])

    @staticmethod
    def _texts_of(message) -> tuple[str, str]:
        """After a restart: the answer shown and the question it replies to, from the message itself."""
        if not isinstance(message, Message):
            return "", ""
        replied = message.reply_to_message
        question = (replied.text or replied.caption or "") if replied else ""
        if question.startswith("/"):
            question = question.split(None, 1)[1] if " " in question else ""
        return question, message.text or ""

    # -- documents (admins) --------------------------------------------------------------------------------------
    async def on_document(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, chat = update.effective_message, update.effective_chat
        if chat.type != ChatType.PRIVATE:
            await self.on_other(update, context)
        elif not self.allowed(update):
            await self.reply(message, T_NOT_ALLOWED)
        elif not self.is_admin(update):
            await self.reply(message, T_UPLOAD_ADMIN_ONLY)
        else:
            await self._upload(message)

    async def _upload(self, message: Message) -> None:
        document = message.document
        name = document.file_name or "tai-lieu"
        limit = self.config.max_upload_bytes
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            await self.reply(
                message,
                f"❌ Không nhận tệp <b>{render.esc(name)}</b>: {render.reason_vi('unsupported file type')}. "
                "Kho tài liệu không thay đổi.",
            )
            return
        if document.file_size and document.file_size > limit:
            await self.reply(message, _too_large(name, document.file_size, limit))
            return
        started = time.perf_counter()
        status = await self.reply(message, f"⏳ Đang nhận tệp <b>{render.esc(name)}</b>…")
        try:
            tg_file = await document.get_file()
            buffer = io.BytesIO()
            await tg_file.download_to_memory(buffer, read_timeout=120)
        except BadRequest as exc:  # e.g. "file is too big" when the size was not announced
            log.warning("could not download %s: %s", name, exc)
            await self.edit(
                status,
                f"❌ Không tải được tệp <b>{render.esc(name)}</b> từ Telegram (có thể tệp lớn hơn "
                f"{limit // MB} MB). Kho tài liệu không thay đổi.",
            )
            return
        data = buffer.getvalue()
        if len(data) > limit:
            await self.edit(status, _too_large(name, len(data), limit))
            return
        if self.index_lock.locked():
            await self.edit(status, "⏳ Đang chờ thao tác lập chỉ mục khác hoàn tất…")
        try:
            async with self.index_lock:
                await self.edit(status, f"⏳ Đang đọc và lập chỉ mục tệp <b>{render.esc(name)}</b>…")
                report = await asyncio.to_thread(self._add_upload, name, data)
        except Exception as exc:
            error_id = self.log_error(exc, f"upload of {name!r}")
            await self.edit(status, f"❌ Đã có lỗi xảy ra (mã lỗi: {error_id}). Kho tài liệu không thay đổi.")
            return
        seconds = time.perf_counter() - started
        await self.edit(status, render.render_upload_report(name, report.documents, report.skipped, seconds))

    def _add_upload(self, name: str, data: bytes):
        """Write the upload under its safe name and let the engine copy, dedupe and index it; whatever
        goes wrong, nothing new stays in knowledge/ (the index only changes on success)."""
        knowledge = Path(self.engine.settings.knowledge_dir)
        before = set(knowledge.iterdir())
        with tempfile.TemporaryDirectory(prefix="congress-upload-") as tmp:
            path = Path(tmp) / safe_filename(name)
            path.write_bytes(data)
            try:
                return self.engine.add_files([path])
            except BaseException:
                for p in set(knowledge.iterdir()) - before:
                    if p.is_file():
                        p.unlink(missing_ok=True)
                raise

    @_admin_command
    async def cmd_docs(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        docs = await asyncio.to_thread(self.engine.documents)
        text, page, pages = render.render_docs_page(docs, 0, self.config.docs_page_size)
        await self.reply(update.effective_message, text, _markup([render.docs_buttons(page, pages)]))

    async def _docs_page(self, update: Update) -> None:
        query = update.callback_query
        page = int(query.data[2:]) if query.data[2:].isdigit() else 0
        docs = await asyncio.to_thread(self.engine.documents)
        text, page, pages = render.render_docs_page(docs, page, self.config.docs_page_size)
        await query.answer()
        if isinstance(query.message, Message):
            await self.edit(query.message, text, _markup([render.docs_buttons(page, pages)]))

    @_admin_command
    async def cmd_remove(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        parts = (message.text or "").split()
        if len(parts) != 2:
            await self.reply(message, "Cú pháp: /remove &lt;mã tài liệu&gt;\nXem mã tài liệu bằng lệnh /docs.")
            return
        doc_id = parts[1]
        docs = await asyncio.to_thread(self.engine.documents)
        doc = next((d for d in docs if d["doc_id"] == doc_id), None)
        if doc is None:
            await self.reply(
                message, f"Không có tài liệu mã <code>{render.esc(doc_id)}</code>. Xem danh sách bằng lệnh /docs."
            )
            return
        token = uuid.uuid4().hex[:12]
        self.removals.put(token, doc_id)
        await self.reply(
            message,
            f"Xóa tài liệu <b>{render.esc(doc['title'])}</b> (<code>{render.esc(doc_id)}</code>) khỏi kho và "
            "khỏi chỉ mục?",
            _markup([[("🗑 Xóa", f"r:{token}"), ("Hủy", f"x:{token}")]]),
        )

    async def _confirm_remove(self, update: Update) -> None:
        query = update.callback_query
        action, token = query.data.split(":", 1)
        doc_id = self.removals.pop(token, None)
        message = query.message if isinstance(query.message, Message) else None
        if doc_id is None:
            await query.answer("Yêu cầu đã hết hạn. Hãy gửi lại lệnh /remove.", show_alert=True)
            return
        await query.answer()
        if action == "x":
            if message:
                await self.edit(message, "Đã hủy, không xóa tài liệu nào.")
            return
        async with self.index_lock:
            removed = await asyncio.to_thread(self.engine.remove, doc_id)
        text = (
            f"✅ Đã xóa tài liệu <code>{render.esc(doc_id)}</code> khỏi kho và chỉ mục."
            if removed
            else f"Tài liệu <code>{render.esc(doc_id)}</code> không còn trong chỉ mục."
        )
        if message:
            await self.edit(message, text)

    @_admin_command
    async def cmd_reindex(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if self.reindexing:
            await self.reply(message, "⏳ Đang lập lại chỉ mục, vui lòng đợi lần này xong rồi thử lại.")
            return
        self.reindexing = True
        try:
            status = await self.reply(message, "⏳ Bắt đầu lập lại chỉ mục…")
        except BaseException:
            self.reindexing = False
            raise
        context.application.create_task(self._reindex(status), update=update)

    async def _reindex(self, status: Message) -> None:
        started = time.perf_counter()
        progress = [0, 0]

        def on_progress(done: int, total: int) -> None:  # called from the indexing thread
            progress[:] = [done, total]

        try:
            async with self.index_lock:
                job = asyncio.ensure_future(asyncio.to_thread(self.engine.index, rebuild=True, progress=on_progress))
                shown = None
                while True:
                    done, _ = await asyncio.wait({job}, timeout=self.config.progress_interval)
                    if done:
                        break
                    text = render.render_progress(progress[0], progress[1], time.perf_counter() - started)
                    if text != shown:
                        await self.edit(status, text)
                        shown = text
                report = job.result()
            await self.edit(status, render.render_reindex_report(report))
        except Exception as exc:
            error_id = self.log_error(exc, "reindex")
            await self.edit(
                status, f"❌ Lập chỉ mục thất bại (mã lỗi: {error_id}). Chỉ mục cũ vẫn đang được dùng để trả lời."
            )
        finally:
            self.reindexing = False

    @_admin_command
    async def cmd_stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        index_stats = await asyncio.to_thread(self.engine.stats)
        usage = await asyncio.to_thread(self.store.stats)
        await self.reply(update.effective_message, render.render_stats(index_stats, usage))

    @_admin_command
    async def cmd_feedback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        args = (message.text or "").split()[1:]
        fmt = "jsonl" if args and args[0].lower() in ("jsonl", "json") else "csv"
        rows = await asyncio.to_thread(self.store.feedback)
        if not rows:
            await self.reply(message, "Chưa có góp ý nào.")
            return
        data = await asyncio.to_thread(self.store.export, fmt)
        await context.bot.send_document(
            message.chat_id,
            InputFile(data, filename=f"feedback-{time.strftime('%Y%m%d-%H%M')}.{fmt}"),
            caption=f"Góp ý: {len(rows)} dòng ({fmt.upper()}).",
            parse_mode=ParseMode.HTML,
            reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True),
        )

    # -- errors ------------------------------------------------------------------------------------------------------
    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        where = "background"
        if isinstance(update, Update):
            chat = update.effective_chat
            where = f"update {update.update_id}, chat {chat.id if chat else '-'}"
        error_id = self.log_error(context.error, where)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        message = update.effective_message
        try:
            await context.bot.send_message(
                update.effective_chat.id,
                T_ERROR.format(error_id=error_id),
                parse_mode=ParseMode.HTML,
                message_thread_id=_thread_id(message) if message else None,
            )
        except TelegramError as exc:
            log.warning("could not report error %s to the chat: %s", error_id, exc)


def _too_large(name: str, size: int, limit: int) -> str:
    return (
        f"❌ Tệp <b>{render.esc(name)}</b> quá lớn ({size / MB:.1f} MB); giới hạn là {limit // MB} MB. "
        "Hãy tách nhỏ hoặc nén tệp rồi gửi lại. Kho tài liệu không thay đổi."
    )


def build_application(engine: Engine, config: BotConfig) -> Application:
    """The PTB application with every handler wired; ``app.bot_data["congress"]`` is the :class:`CongressBot`."""
    _quiet_http_logs()
    bot = CongressBot(engine, config)
    builder = (
        ApplicationBuilder()
        .token(config.token)
        .concurrent_updates(True)
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=config.messages_per_second,
                group_max_rate=config.group_messages_per_minute,
                max_retries=config.flood_retries,
            )
        )
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .post_init(bot.post_init)
        .post_shutdown(bot.post_shutdown)
    )
    if config.base_url:
        builder = builder.base_url(config.base_url)
    if config.base_file_url:
        builder = builder.base_file_url(config.base_file_url)
    if config.local_mode:
        builder = builder.local_mode(True)
    app = builder.build()
    app.bot_data["congress"] = bot

    new = filters.UpdateType.MESSAGE  # edits, channel posts and business messages are not questions
    app.add_handler(CommandHandler(["start", "help"], bot.cmd_help, filters=new))
    app.add_handler(CommandHandler("ask", bot.cmd_ask, filters=new))
    app.add_handler(CommandHandler("docs", bot.cmd_docs, filters=new))
    app.add_handler(CommandHandler("remove", bot.cmd_remove, filters=new))
    app.add_handler(CommandHandler("reindex", bot.cmd_reindex, filters=new))
    app.add_handler(CommandHandler("stats", bot.cmd_stats, filters=new))
    app.add_handler(CommandHandler("feedback", bot.cmd_feedback, filters=new))
    app.add_handler(MessageHandler(new & filters.Document.ALL, bot.on_document))
    app.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, bot.on_text))
    app.add_handler(MessageHandler(new & filters.COMMAND, bot.on_unknown_command))
    app.add_handler(MessageHandler(new & ~filters.StatusUpdate.ALL & ~filters.TEXT, bot.on_other))
    app.add_handler(CallbackQueryHandler(bot.on_callback))
    app.add_error_handler(bot.on_error)
    return app


def run(
    engine: Engine,
    config: BotConfig,
    webhook_url: str | None = None,
    listen: str = "127.0.0.1",
    port: int = 8443,
    secret_token: str | None = None,
) -> None:
    """Serve until stopped: long polling, or a webhook (``webhook_url``) behind a reverse proxy that
    forwards ``https://…/<path>`` to ``http://listen:port/<path>``."""
    configure_process()
    if webhook_url:
        if not webhook_url.startswith("https://"):
            raise ConfigError(
                f"--webhook-url must be a public https:// URL (Telegram only calls HTTPS), not {webhook_url!r}"
            )
        if importlib.util.find_spec("tornado") is None:
            raise ConfigError("webhook mode needs the webhooks extra: pip install 'python-telegram-bot[webhooks]'")
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    redact = _RedactToken(config.token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    app = build_application(engine, config)
    try:
        if webhook_url:
            app.run_webhook(
                listen=listen,
                port=port,
                url_path=urlsplit(webhook_url).path.strip("/"),
                webhook_url=webhook_url,
                secret_token=secret_token,
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            app.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        raise ConfigError(
            "Telegram rejected TELEGRAM_BOT_TOKEN (the value is not shown): check it with @BotFather, "
            "and TELEGRAM_BASE_URL if you use a self-hosted Bot API server"
        ) from None
