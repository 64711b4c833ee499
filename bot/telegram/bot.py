"""The question-and-answer handlers: questions, follow-ups, citation and vote buttons, errors.

Who may call each handler is declared in :mod:`bot.telegram.app` with the filters of
:mod:`bot.telegram.access`; the handlers themselves only do their job.  Engine calls run in
worker threads, so one slow question never stalls the others.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import uuid
from dataclasses import dataclass, field, replace

from cachetools import LRUCache
from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from ..answer import Citation
from ..engine import MAX_QUESTION_CHARS, Engine, QuestionError
from . import texts as T
from . import views
from .callbacks import Cite, Vote, passage_digest
from .config import BotConfig
from .feedback import FeedbackStore
from .html import esc
from .ratelimit import RateLimiter

log = logging.getLogger(__name__)

ANSWERS_KEPT = 5000  # answers remembered for follow-ups, votes and passage details (a few hundred bytes each)
MESSAGES_KEPT = 20_000  # bot messages mapped to the answer they belong to


@dataclass
class Answered:
    """What the bot remembers of an answer it sent."""

    question: str
    answer: str
    topic: str  # the question a reply to it follows up on
    cited: dict[int, Citation] = field(default_factory=dict)  # n -> citation without its passage text


class CongressBot:
    """State and the question handlers; :func:`bot.telegram.app.build_application` registers them."""

    def __init__(self, engine: Engine, config: BotConfig, store: FeedbackStore) -> None:
        self.engine = engine
        self.config = config
        self.store = store
        self.limiter = RateLimiter(config.questions_per_window, config.window_seconds)
        self.answers: LRUCache[int, Answered] = LRUCache(ANSWERS_KEPT)  # answer key -> what was answered
        self.messages: LRUCache[tuple[int, int], int] = LRUCache(MESSAGES_KEPT)  # (chat, message) -> answer key
        self.sending: dict[int, asyncio.Event] = {}  # answers being sent, set once bound to their message

    # -- commands and messages ---------------------------------------------------------------------------------------
    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_html(views.render_help(context.bot.username), do_quote=True)

    async def help_admin(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_html(views.render_help(context.bot.username, True), do_quote=True)

    async def ask_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        question = (update.effective_message.text or "").split(None, 1)[1:]
        if not question or not question[0].strip():
            await update.effective_message.reply_html(T.ASK_USAGE, do_quote=True)
            return
        await self.answer(update, context, question[0].strip())

    async def question(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Text in private; in groups text or a caption that mentions the bot, or a reply to it."""
        message = update.effective_message
        mention = re.compile(rf"(?<![\w@])@{re.escape(context.bot.username)}(?!\w)", re.IGNORECASE)
        text = re.sub(r"\s+", " ", mention.sub(" ", message.text or message.caption or "")).strip()
        if not text:
            await message.reply_html(esc(T.EMPTY_MENTION.format(mention=f"@{context.bot.username}")), do_quote=True)
            return
        await self.answer(update, context, text)

    async def hint(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice… in private: the bot reads only text."""
        await update.effective_message.reply_html(T.NON_TEXT, do_quote=True)

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_html(T.UNKNOWN_COMMAND, do_quote=True)

    # -- answering ---------------------------------------------------------------------------------------------------
    async def answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
        message, chat, user = update.effective_message, update.effective_chat, update.effective_user
        user_id = user.id if user else chat.id
        allowed, wait, notify = self.limiter.hit(user_id)
        if not allowed:
            if notify:
                await message.reply_html(T.RATE_LIMITED.format(seconds=max(1, math.ceil(wait))), do_quote=True)
            return
        replied = message.reply_to_message
        earlier = self.answers.get(self.messages.get((chat.id, replied.message_id))) if replied else None
        previous = earlier.topic if earlier else None
        try:
            await message.reply_chat_action(ChatAction.TYPING)
        except TelegramError as exc:  # only a courtesy
            log.debug("chat action failed: %s", exc)
        try:
            result = await asyncio.to_thread(self.engine.ask, question, previous)
        except QuestionError as exc:
            await message.reply_html(esc(str(exc)), do_quote=True)
            return
        key = await asyncio.to_thread(self.store.log_question, chat.id, user_id, result.found, result.latency_ms)
        self.sending[key] = asyncio.Event()  # a vote that arrives before the answer is bound waits for it
        try:
            sent = await self.reply_parts(message, views.render_answer(result), views.answer_keyboard(result, key))
            topic = f"{previous} {question}" if previous else question
            if len(topic) > MAX_QUESTION_CHARS:
                topic = previous or question[:MAX_QUESTION_CHARS]
            cited = {c.n: replace(c, passage="") for c in result.citations}
            self.answers[key] = Answered(question, result.answer, topic, cited)
            for m in sent:  # remembered at once: a reply to it is a follow-up
                self.messages[(chat.id, m.message_id)] = key
            await asyncio.to_thread(self.store.bind_answer, key, sent[-1].message_id)  # the one with the votes
        finally:
            self.sending.pop(key).set()

    @staticmethod
    async def reply_parts(message: Message, parts: list[str], markup: InlineKeyboardMarkup | None) -> list[Message]:
        """Several parts: the first quotes ``message``, the keyboard goes under the last; all in its topic."""
        sent = []
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            sent.append(await message.reply_html(part, do_quote=i == 0, reply_markup=markup if last else None))
        return sent

    # -- buttons -----------------------------------------------------------------------------------------------------
    async def show_citation(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        cite = Cite.decode(query.data)
        passage = await asyncio.to_thread(self.engine.passage, cite.passage_id)
        if not passage or passage_digest(passage["text"]) != cite.digest:
            await query.answer(T.PASSAGE_GONE, show_alert=True)
            return
        await query.answer(T.PASSAGE_SHOWN.format(n=cite.n))
        message = query.message
        key = self.messages.get((message.chat.id, message.message_id))
        answered = self.answers.get(key)
        parts = views.render_passage(cite.n, passage, answered.cited.get(cite.n) if answered else None)
        if isinstance(message, Message):
            for m in await self.reply_parts(message, parts, None):
                if key is not None:  # a reply to the passage follows up on the same question
                    self.messages[(m.chat.id, m.message_id)] = key
        else:  # too old to reply to
            for part in parts:
                await context.bot.send_message(message.chat.id, part)

    async def vote(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """👍/👎: stored only when pressed on the answer's own message (a forged key is refused)."""
        query, vote = update.callback_query, Vote.decode(update.callback_query.data)
        if vote.key in self.sending:
            await self.sending[vote.key].wait()
        answered = self.answers.get(vote.key)
        question, answer = (answered.question, answered.answer) if answered else _texts_of(query.message)
        user = update.effective_user
        stored = await asyncio.to_thread(
            self.store.add_feedback,
            vote.key,
            question,
            answer,
            query.message.chat.id,
            user.id if user else None,
            1 if vote.up else -1,
            query.message.message_id,
        )
        await query.answer(T.VOTE_THANKS[vote.up] if stored else T.VOTE_REFUSED, show_alert=not stored)

    # -- errors ------------------------------------------------------------------------------------------------------
    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        where = (
            f"update {update.update_id}, chat {chat.id if chat else '-'}"
            if isinstance(update, Update)
            else "background"
        )
        error_id = log_error(context.error, where)
        message = update.effective_message if chat else None
        try:
            if isinstance(message, Message):
                await message.reply_html(T.ERROR.format(error_id=error_id), do_quote=False)  # in its topic
            elif chat:
                await context.bot.send_message(chat.id, T.ERROR.format(error_id=error_id))
        except TelegramError as exc:
            log.warning("could not report error %s to the chat: %s", error_id, exc)


def log_error(exc: BaseException | None, what: str) -> str:
    """Log with a traceback under a short id that the user is shown."""
    error_id = uuid.uuid4().hex[:8]
    log.error("error %s in %s: %s", error_id, what, type(exc).__name__, exc_info=exc)
    return error_id


def _texts_of(message: object) -> tuple[str, str]:
    """After a restart: the answer shown and the question it quotes, from the (verified) message itself."""
    if not isinstance(message, Message):
        return "", ""
    replied = message.reply_to_message
    question = (replied.text or replied.caption or "") if replied else ""
    if question.startswith("/"):
        question = question.split(None, 1)[1] if " " in question else ""
    return question, message.text or ""
