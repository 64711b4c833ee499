"""Who may do what, declared as PTB filters on the handlers (as PTB's ``examples/`` do), plus the
one fallback that sends the refusal when no handler took an update addressed to the bot.

* served chats: every chat, or with CONGRESS_BOT_ALLOWED_CHATS those chats, and admins in private;
* admins (CONGRESS_BOT_ADMIN_IDS) use the admin commands and upload documents, in private only;
* in groups the bot hears only ``/ask``, its other commands, messages or captions that mention it,
  and replies to its own messages; everything else there stays unanswered.

Buttons are checked on the message they sit on: its chat says where the button was pressed
(a client cannot press a button on a message in a chat it is not in), and a private chat's id
is its user's id, so admin buttons are those in an admin's private chat.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from telegram import Message, MessageEntity, Update, User
from telegram.ext import CallbackQueryHandler, ContextTypes, filters

from . import texts as T
from .callbacks import ADMIN_PATTERN
from .config import BotConfig


class BotMention(filters.Mention):
    """``filters.Mention``, case-insensitive as Telegram usernames are, and in captions too."""

    @staticmethod
    def _fix_mention_username(mention):  # noqa: ANN001, ANN205 - PTB's signature
        return mention.lstrip("@").lower() if isinstance(mention, str) else mention

    def filter(self, message: Message) -> bool:
        mentioned = message.parse_caption_entities([MessageEntity.MENTION]).values()
        return super().filter(message) or any(self._fix_mention_username(m) in self._mentions for m in mentioned)


class RepliesTo(filters.MessageFilter):
    """Replies to a message of this user (the bot: a follow-up)."""

    def __init__(self, user_id: int) -> None:
        super().__init__(name=f"RepliesTo({user_id})")
        self.user_id = user_id

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return bool(replied and replied.from_user and replied.from_user.id == self.user_id)


def commands(names: Iterable[str] | None, username: str) -> filters.Regex:
    """``/name`` or ``/name@username`` (``names=None``: any command, but only with ``@username``)."""
    if names is None:
        return filters.Regex(re.compile(rf"^/\w+@{re.escape(username)}(?!\w)", re.IGNORECASE))
    alternatives = "|".join(map(re.escape, names))
    return filters.Regex(re.compile(rf"^/(?:{alternatives})(?:@{re.escape(username)})?(?![\w@])", re.IGNORECASE))


class ButtonHandler(CallbackQueryHandler):
    """A ``CallbackQueryHandler(pattern=…)`` with message filters applied to the message the button is on."""

    def __init__(self, callback, pattern: re.Pattern, message_filter: filters.BaseFilter) -> None:  # noqa: ANN001
        super().__init__(callback, pattern=pattern)
        self.message_filter = message_filter

    def check_update(self, update: object):  # noqa: ANN201 - PTB's signature
        result = super().check_update(update)
        message = update.callback_query.message if result else None
        if message is None or not self.message_filter.check_update(Update(update.update_id, message=message)):
            return False
        return result


class Access:
    """The bot's rules as filters; made once the bot knows its own username."""

    def __init__(self, config: BotConfig, me: User, admin_commands: Iterable[str], all_commands: Iterable[str]):
        self.new = filters.UpdateType.MESSAGE  # edits, channel posts and business messages are not questions
        self.private = filters.ChatType.PRIVATE
        self.admins = filters.User(user_id=config.admin_ids)
        admin_chats = self.private & filters.Chat(chat_id=config.admin_ids)  # an admin's private chat
        if config.allowed_chats is None:
            self.served = self.served_button = filters.ALL
        else:
            self.served = filters.Chat(chat_id=config.allowed_chats) | (self.private & self.admins)
            self.served_button = filters.Chat(chat_id=config.allowed_chats) | admin_chats
        self.admin_button = admin_chats
        self.mention = BotMention(me.username)
        self.follow_up = RepliesTo(me.id)
        self.known_command = commands(all_commands, me.username)
        self.command_for_me = commands(None, me.username)
        self.admin_command = commands(admin_commands, me.username)
        self.addressed = self.private | self.mention | self.follow_up | self.known_command | self.command_for_me
        self._refusals = [  # the first that matches is sent
            (~self.served, T.NOT_ALLOWED),
            (self.admin_command & ~self.admins, T.ADMIN_ONLY),
            (self.admin_command, T.PRIVATE_ONLY),
            (self.private & filters.Document.ALL, T.UPLOAD_ADMIN_ONLY),
        ]

    async def refuse(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Fallback for messages addressed to the bot that no handler took: a polite refusal, or silence."""
        text = next((text for rule, text in self._refusals if rule.check_update(update)), None)
        if text:
            await update.effective_message.reply_html(text, do_quote=True)

    async def refuse_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Fallback for buttons no handler took: not served here, an admin's button, or unknown data."""
        query = update.callback_query
        message = query.message
        if message is None or not self.served_button.check_update(Update(update.update_id, message=message)):
            await query.answer(T.NOT_ALLOWED, show_alert=True)
        elif ADMIN_PATTERN.match(query.data or ""):
            await query.answer(T.ADMIN_ONLY, show_alert=True)
        else:
            await query.answer()
