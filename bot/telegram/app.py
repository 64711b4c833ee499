"""Wiring: the PTB application, its handlers and access rules, and serving it.

``build_application(engine, config)`` builds it; ``run(...)`` serves it by long polling
(default) or behind a reverse proxy by webhook.  Handlers are registered in ``post_init``,
once ``getMe`` has told the bot its username (the mention and command filters need it).
In each group the first handler whose filters match takes the update; the last one,
:meth:`Access.refuse`, answers what is addressed to the bot but not allowed.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from ..engine import Engine
from ..runtime import configure_process, configure_thread
from . import texts as T
from .access import Access, ButtonHandler
from .admin import AdminCommands
from .bot import CongressBot
from .callbacks import Cite, DocsPage, Removal, Vote
from .config import BotConfig, ConfigError
from .feedback import FeedbackStore
from .indexing import IndexWorker
from .logs import configure_logging, install_redaction

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
PUBLIC_COMMANDS = [BotCommand(name, text) for name, text in T.PUBLIC_COMMANDS.items()]
ADMIN_COMMANDS = PUBLIC_COMMANDS + [BotCommand(name, text) for name, text in T.ADMIN_COMMANDS.items()]


def build_application(engine: Engine, config: BotConfig, request: BaseRequest | None = None) -> Application:
    """The PTB application; ``app.bot_data["congress"]`` is the :class:`CongressBot` and ``["admin"]`` the
    :class:`AdminCommands`.  ``request`` replaces the HTTP client (tests pass an in-process Bot API)."""
    store = FeedbackStore(config.database)
    worker = IndexWorker(config.indexing_threads)
    bot = CongressBot(engine, config, store)
    admin = AdminCommands(engine, config, store, worker)
    commands = [*T.PUBLIC_COMMANDS, *T.ADMIN_COMMANDS]

    async def post_init(app: Application) -> None:
        # Questions run in the event loop's default executor (asyncio.to_thread); FAISS's thread
        # setting is per thread, so every thread of that pool makes it when it starts.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(thread_name_prefix="congress-bot", initializer=configure_thread)
        )
        register_handlers(app, bot, admin, Access(config, app.bot.bot, T.ADMIN_COMMANDS, commands))
        await set_command_menus(app, config)

    async def post_shutdown(app: Application) -> None:
        worker.shutdown()
        store.close()

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
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if config.base_url:
        builder = builder.base_url(config.base_url)
    if config.base_file_url:
        builder = builder.base_file_url(config.base_file_url)
    if config.local_mode:
        builder = builder.local_mode(True)
    app = builder.build()
    app.bot_data.update(congress=bot, admin=admin)
    app.add_error_handler(bot.on_error)
    return app


def register_handlers(app: Application, bot: CongressBot, admin: AdminCommands, access: Access) -> None:
    """Every handler with its access rule; order matters: the first match in the group wins."""
    a = access
    ask_here = a.new & a.served
    by_admin = a.new & a.private & a.admins
    app.add_handlers(
        [
            CommandHandler(["start", "help"], bot.help_admin, filters=by_admin),
            CommandHandler(["start", "help"], bot.help, filters=ask_here),
            CommandHandler("ask", bot.ask_command, filters=ask_here),
            CommandHandler("docs", admin.docs, filters=by_admin),
            CommandHandler("remove", admin.remove, filters=by_admin),
            CommandHandler("reindex", admin.reindex, filters=by_admin),
            CommandHandler("stats", admin.stats, filters=by_admin),
            CommandHandler("feedback", admin.feedback, filters=by_admin),
            MessageHandler(by_admin & filters.Document.ALL, admin.upload),
            MessageHandler(
                ask_here & filters.TEXT & ~filters.COMMAND & (a.private | a.mention | a.follow_up), bot.question
            ),
            MessageHandler(ask_here & ~a.private & ~filters.TEXT & a.mention, bot.question),  # a caption
            MessageHandler(
                ask_here & a.private & ~filters.TEXT & ~filters.Document.ALL & ~filters.StatusUpdate.ALL, bot.hint
            ),
            MessageHandler(
                ask_here & filters.COMMAND & ~a.known_command & (a.private | a.command_for_me), bot.unknown_command
            ),
            MessageHandler(a.new & a.addressed, a.refuse),
            ButtonHandler(bot.show_citation, Cite.PATTERN, a.served_button),
            ButtonHandler(bot.vote, Vote.PATTERN, a.served_button),
            ButtonHandler(admin.docs_page, DocsPage.PATTERN, a.admin_button),
            ButtonHandler(admin.confirm_removal, Removal.PATTERN, a.admin_button),
            CallbackQueryHandler(a.refuse_button),
        ]
    )


async def set_command_menus(app: Application, config: BotConfig) -> None:
    """The command menu is a convenience: a Bot API server that refuses it must not stop the bot."""
    try:
        await app.bot.set_my_commands(PUBLIC_COMMANDS)
    except TelegramError as exc:
        log.warning("could not set the command menu: %s", exc)
    for admin in sorted(config.admin_ids):
        try:
            await app.bot.set_my_commands(ADMIN_COMMANDS, scope=BotCommandScopeChat(admin))
        except TelegramError as exc:  # the admin has not started a chat with the bot yet
            log.warning("could not set the admin commands for %s: %s", admin, exc)


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
    if webhook_url:
        if not webhook_url.startswith("https://"):
            raise ConfigError(
                f"--webhook-url must be a public https:// URL (Telegram only calls HTTPS), not {webhook_url!r}"
            )
        if importlib.util.find_spec("tornado") is None:
            raise ConfigError("webhook mode needs the webhooks extra: pip install 'python-telegram-bot[webhooks]'")
    configure_process()
    install_redaction(config.token, [config.base_url, config.base_file_url])
    configure_logging(config.log_level)
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
    except Exception:  # whatever stopped the bot is logged (redacted), not printed raw by the interpreter
        log.critical("the bot stopped on an unexpected error", exc_info=True)
        sys.exit(1)
