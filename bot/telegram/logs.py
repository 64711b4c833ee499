"""Logging for the bot: a level setting, and the bot token never written anywhere.

The token turns up in more places than the lines this project writes: httpx logs every
request URL (``…/bot<token>/getUpdates``), and PTB quotes the file-download path, so a
download shows the token URL-encoded (``…/file/bot123%3AAAH…/documents/…``).
:func:`install_redaction` therefore rewrites every log record *where it is made*
(``logging.setLogRecordFactory``), whichever logger or handler it goes to (stderr,
stdout, a file, pytest's capture): message, traceback and stack.  It replaces the token
raw and URL-encoded, its secret half alone (which covers any other encoding of the
colon) and a password inside the base URLs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from urllib.parse import quote, urlsplit

REDACTED = "<TOKEN>"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
CHATTY = ("httpx", "httpcore")  # one INFO line per HTTP request (every long poll): kept for DEBUG


def secret_forms(token: str, urls: Iterable[str | None] = ()) -> list[str]:
    """Every string that would give the token away, longest first (so the whole token is replaced at once)."""
    forms = {token, quote(token, safe=""), quote(token, safe="").replace("%3A", "%3a")}
    forms.add(token.partition(":")[2])
    for url in urls:
        password = urlsplit(url).password if url else None
        if password:
            forms |= {password, quote(password, safe="")}
    return sorted((f for f in forms if f), key=len, reverse=True)


def _redact(record: logging.LogRecord, forms: list[str]) -> None:
    def clean(text: str) -> str:
        for form in forms:
            text = text.replace(form, REDACTED)
        return text

    try:
        message = record.getMessage()
    except Exception:  # a malformed logging call: let logging report it as usual
        return
    if clean(message) != message:
        record.msg, record.args = clean(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = clean(record.exc_text)
    if record.stack_info:
        record.stack_info = clean(record.stack_info)


def install_redaction(token: str, urls: Iterable[str | None] = ()) -> Callable[[], None]:
    """From now on every log record in this process is made without the token; returns the undo."""
    forms = secret_forms(token, urls)
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _redact(record, forms)
        return record

    logging.setLogRecordFactory(factory)
    logging.captureWarnings(True)  # warnings go through logging, and so through the redaction

    def uninstall() -> None:
        if logging.getLogRecordFactory() is factory:
            logging.setLogRecordFactory(previous)

    return uninstall


def configure_logging(level: int | None) -> None:
    """Apply CONGRESS_BOT_LOG_LEVEL (``None``: keep the command line's level); HTTP request lines only at DEBUG."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT)
    if level is not None:
        root.setLevel(level)
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.NOTSET if root.level <= logging.DEBUG else logging.WARNING)
