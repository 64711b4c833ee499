"""Bot settings from the environment; a missing or malformed one stops start-up with a message naming it."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from telegram.constants import FileSizeLimit

from ..config import Settings

MB = 1_000_000  # Telegram counts file limits in decimal megabytes
CLOUD_UPLOAD_LIMIT = FileSizeLimit.FILESIZE_DOWNLOAD  # getFile refuses bigger files on api.telegram.org
# A local Bot API server (--local) downloads anything; uploads are held in memory, so stop where a
# Telegram client stops sending (2000 MB).
SELF_HOSTED_UPLOAD_LIMIT = FileSizeLimit.FILESIZE_UPLOAD_LOCAL_MODE
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")


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
    allowed_chats: set[int] | None = None  # None: every chat is served
    max_upload_bytes: int = CLOUD_UPLOAD_LIMIT
    # per-user questions in a sliding window
    questions_per_window: int = 6
    window_seconds: float = 60.0
    # Telegram flood control (AIORateLimiter): overall and per-group rates, retries on RetryAfter
    messages_per_second: float = 30.0
    group_messages_per_minute: float = 20.0
    flood_retries: int = 3
    docs_page_size: int = 10
    progress_interval: float = 2.0  # seconds between edits of a /reindex progress message
    # OpenMP threads for embedding during uploads and /reindex: one leaves the other core to questions
    indexing_threads: int = 1
    db_path: Path | None = None  # default: <index_dir>/bot.sqlite
    log_level: int | None = None  # None: as the command line set it

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
            local_mode=_flag(env, "TELEGRAM_LOCAL_MODE"),
            admin_ids=_id_set(env, "CONGRESS_BOT_ADMIN_IDS", "user ids, e.g. 123456789,987654321") or set(),
            allowed_chats=_id_set(env, "CONGRESS_BOT_ALLOWED_CHATS", "chat ids, e.g. -1001234567890,123456789"),
            max_upload_bytes=max_upload,
            questions_per_window=per_window,
            window_seconds=window,
            db_path=Path(env["CONGRESS_BOT_DB"]) if env.get("CONGRESS_BOT_DB", "").strip() else None,
            log_level=_log_level(env),
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


def _log_level(env: dict[str, str]) -> int | None:
    value = (env.get("CONGRESS_BOT_LOG_LEVEL") or "").strip().upper()
    if not value:
        return None
    if value not in LOG_LEVELS:
        raise ConfigError(f"CONGRESS_BOT_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {value!r}")
    return logging.getLevelName(value)
