"""The Telegram front end (python-telegram-bot v22) around :class:`bot.engine.Engine`.

=================  ====================================================================
``config``         settings from the environment (:class:`BotConfig`)
``logs``           log level and token redaction in every log record
``access``         who may do what, as PTB filters, and the one refusal fallback
``app``            the application: handlers, defaults, rate limits, polling or webhook
``bot``            question handlers, follow-ups, citation and vote buttons, errors
``admin``          uploads, /docs, /remove, /reindex, /stats, /feedback
``indexing``       index changes on one worker thread (fewer embedding threads)
``callbacks``      the callback-data codec of every button kind
``views``          answers, passages and admin views as Telegram HTML
``texts``          every Vietnamese text the bot shows
``html``           the generic Telegram-HTML packer (escaping, 4096-unit parts)
``feedback``       👍/👎 and the question log in SQLite
``ratelimit``      per-user sliding-window question limit
=================  ====================================================================
"""

from __future__ import annotations

from importlib import import_module

_EXPORTS = {
    "ALLOWED_UPDATES": "app",
    "build_application": "app",
    "run": "app",
    "BotConfig": "config",
    "ConfigError": "config",
    "SELF_HOSTED_UPLOAD_LIMIT": "config",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:  # lazy: `import bot.telegram.callbacks` does not load the engine
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
