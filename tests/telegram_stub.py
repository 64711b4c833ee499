"""A Telegram Bot API stand-in for tests.

``FakeTelegram`` runs a small HTTP server on 127.0.0.1 that speaks the Bot API the way
python-telegram-bot (PTB) calls it, so tests can drive the *real* PTB ``Bot`` /
``Application`` against it via ``base_url`` / ``base_file_url``::

    with FakeTelegram() as tg:
        app = (
            ApplicationBuilder()
            .token(tg.token)
            .base_url(tg.base_url)
            .base_file_url(tg.base_file_url)
            .build()
        )
        ...
        tg.send_text(42, "/start")
        reply = tg.wait_for_message(42)  # or: await tg.wait_for_message_async(42)
        assert tg.violations == []

How PTB 22.x sends requests (telegram/request/_httpxrequest.py, _requestdata.py): always
``POST <base_url><token>/<method>`` through httpx with ``data=RequestData.json_parameters``
and ``files=RequestData.multipart_data``. Without files httpx sends
``application/x-www-form-urlencoded``; with files ``multipart/form-data`` (plain fields are
form parts, each upload is a part named after the parameter, e.g. ``document``, or after an
``attach://<name>`` reference). In both cases every value is a *string*: str values as-is,
everything else (ints, bools, dicts, lists) JSON-encoded. This server also accepts
``application/json`` bodies and GET query strings, like Telegram does.

Validation deliberately follows the Bot API documentation and is, where Telegram itself is
lenient, a bit stricter (with ``strict_html=True``, bare ``&`` and ``>`` in HTML text are
rejected; real Telegram keeps them literally). Every error answer that the test did not ask
for with ``fail_next`` is also appended to ``violations``.

Only the standard library is used.
"""

from __future__ import annotations

import asyncio
import copy
import json
import mimetypes
import re
import threading
import time
import traceback
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = ["FakeTelegram", "HtmlParseError", "parse_telegram_html"]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
CALLBACK_ANSWER_LIMIT = 200
GET_FILE_LIMIT = 20 * 1024 * 1024  # getFile refuses files bigger than 20 MB
MAX_BODY = 64 * 1024 * 1024
POLL_STEP = 0.05

DEFAULT_USER: dict[str, Any] = {
    "id": 1001,
    "is_bot": False,
    "first_name": "Alice",
    "last_name": "Tester",
    "username": "alice_tester",
    "language_code": "en",
}

_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}

# Parameters that are plain strings and must never be JSON-decoded (e.g. text "123").
_STRING_PARAMS = {
    "text",
    "caption",
    "parse_mode",
    "callback_query_id",
    "url",
    "action",
    "language_code",
    "inline_message_id",
    "secret_token",
    "file_id",
    "document",
    "thumbnail",
    "emoji",
    "ip_address",
    "business_connection_id",
    "message_effect_id",
}

_UPDATE_TYPES_DEFAULT_EXCLUDED = {"chat_member", "message_reaction", "message_reaction_count"}


# --------------------------------------------------------------------------- helpers


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


class _ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def _bad(description: str) -> _ApiError:
    return _ApiError(400, "Bad Request: " + description)


class HtmlParseError(ValueError):
    """Raised by :func:`parse_telegram_html` for text Telegram would refuse."""


# ------------------------------------------------------------------ Telegram HTML parser

_ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
_SIMPLE_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _decode_entity(src: str, i: int, strict: bool) -> tuple[str | None, int]:
    """Decode an HTML entity at ``src[i] == '&'``; return (char or None, next index)."""
    n = len(src)
    j = i + 1
    if j < n and src[j] == "#":
        j += 1
        hexa = j < n and src[j] in "xX"
        if hexa:
            j += 1
        start = j
        digits = "0123456789abcdefABCDEF" if hexa else "0123456789"
        while j < n and src[j] in digits and j - start < 10:
            j += 1
        if j == start:
            return None, i
        code = int(src[start:j], 16 if hexa else 10)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None, i
        char = chr(code)
    else:
        start = j
        while j < n and src[j].isascii() and src[j].isalpha():
            j += 1
        char = _NAMED_ENTITIES.get(src[start:j])
        if char is None:
            return None, i
    if j < n and src[j] == ";":
        return char, j + 1
    if strict:
        return None, i
    return char, j


def _decode_attr_value(value: str) -> str:
    out = []
    i = 0
    while i < len(value):
        if value[i] == "&":
            char, j = _decode_entity(value, i, strict=False)
            if char is not None:
                out.append(char)
                i = j
                continue
        out.append(value[i])
        i += 1
    return "".join(out)


def parse_telegram_html(src: str, *, strict: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram-flavoured HTML like the Bot API does (parse_mode=HTML).

    Returns ``(plain_text, entities)`` with entity offsets/lengths in UTF-16 code units.
    Raises :class:`HtmlParseError` with a Telegram-like description on invalid markup.
    """
    out: list[str] = []
    pos16 = 0
    stack: list[dict[str, Any]] = []
    entities: list[dict[str, Any]] = []
    n = len(src)
    i = 0

    def emit(char: str) -> None:
        nonlocal pos16
        out.append(char)
        pos16 += 2 if ord(char) > 0xFFFF else 1

    while i < n:
        c = src[i]
        if c == "&":
            char, j = _decode_entity(src, i, strict)
            if char is None:
                if strict:
                    raise HtmlParseError(
                        f"Unsupported HTML entity or unescaped '&' at byte offset {_byte_offset(src, i)}"
                    )
                char, j = "&", i + 1
            emit(char)
            i = j
            continue
        if c == ">" and strict:
            raise HtmlParseError(f"Unescaped '>' at byte offset {_byte_offset(src, i)}")
        if c != "<":
            emit(c)
            i += 1
            continue

        begin = i
        if i + 1 < n and src[i + 1] == "/":  # end tag
            j = i + 2
            while j < n and not src[j].isspace() and src[j] != ">":
                j += 1
            name = src[i + 2 : j].lower()
            while j < n and src[j].isspace():
                j += 1
            if j >= n or src[j] != ">":
                raise HtmlParseError(f"Unclosed end tag at byte offset {_byte_offset(src, begin)}")
            if not stack:
                raise HtmlParseError(f'Unexpected end tag "{name}" at byte offset {_byte_offset(src, begin)}')
            item = stack.pop()
            if item["tag"] != name:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(src, begin)}, "
                    f'expected "</{item["tag"]}>", found "</{name}>"'
                )
            entity = _close_tag(item, stack, pos16, "".join(out))
            if entity is not None:
                entities.append(entity)
            i = j + 1
            continue

        # start tag
        j = i + 1
        while j < n and not src[j].isspace() and src[j] != ">":
            j += 1
        if j >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
        name = src[i + 1 : j].lower()
        if name not in _ALLOWED_TAGS:
            raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, begin)}')
        attrs: dict[str, str] = {}
        while True:
            while j < n and src[j].isspace():
                j += 1
            if j >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
            if src[j] == ">":
                j += 1
                break
            k = j
            while k < n and not src[k].isspace() and src[k] not in "=>":
                k += 1
            attr_name = src[j:k].lower()
            if not attr_name:
                raise HtmlParseError(f'Empty attribute name in the tag "{name}" at byte offset {_byte_offset(src, j)}')
            j = k
            while j < n and src[j].isspace():
                j += 1
            if j >= n or src[j] != "=":
                attrs[attr_name] = ""
                continue
            j += 1
            while j < n and src[j].isspace():
                j += 1
            if j >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
            if src[j] in "\"'":
                end = src.find(src[j], j + 1)
                if end == -1:
                    raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
                value = src[j + 1 : end]
                j = end + 1
            else:
                k = j
                while k < n and not src[k].isspace() and src[k] != ">":
                    k += 1
                value = src[j:k]
                j = k
            attrs[attr_name] = _decode_attr_value(value)

        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError('Tag "span" must have class "tg-spoiler"')
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise HtmlParseError('Tag "tg-emoji" must have attribute "emoji-id"')
        stack.append({"tag": name, "attrs": attrs, "start": pos16, "language": None, "seq": len(stack)})
        i = j

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1]["tag"]}"')
    # Telegram order: by offset, longer (outer) first; ties keep the nesting order
    entities.sort(key=lambda e: (e["offset"], -e["length"], e.pop("_depth")))
    return "".join(out), entities


def _close_tag(
    item: dict[str, Any], stack: list[dict[str, Any]], pos16: int, text_so_far: str
) -> dict[str, Any] | None:
    tag, attrs, start = item["tag"], item["attrs"], item["start"]
    parent = stack[-1] if stack else None
    if tag == "code" and parent is not None and parent["tag"] == "pre":
        cls = attrs.get("class", "")
        if cls.startswith("language-") and len(cls) > len("language-"):
            parent["language"] = cls[len("language-") :]
        return None
    if any(s["tag"] in ("code", "pre") for s in stack):
        return None  # Telegram drops entities nested inside code/pre
    length = pos16 - start
    if length <= 0:
        return None
    entity: dict[str, Any] = {"offset": start, "length": length, "_depth": item["seq"]}
    if tag in _SIMPLE_ENTITY:
        entity["type"] = _SIMPLE_ENTITY[tag]
    elif tag == "a":
        url = attrs.get("href") or _utf16_slice(text_so_far, start, pos16)
        entity["type"] = "text_link"
        entity["url"] = url
    elif tag == "pre":
        entity["type"] = "pre"
        if item["language"]:
            entity["language"] = item["language"]
    elif tag == "blockquote":
        entity["type"] = "expandable_blockquote" if "expandable" in attrs else "blockquote"
    elif tag == "tg-emoji":
        entity["type"] = "custom_emoji"
        entity["custom_emoji_id"] = attrs["emoji-id"]
    else:  # pragma: no cover - all allowed tags handled above
        return None
    return entity


def _utf16_slice(text: str, start: int, end: int) -> str:
    raw = text.encode("utf-16-le")
    return raw[start * 2 : end * 2].decode("utf-16-le", errors="replace")


def _strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace like Telegram does, shifting/clipping entities."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = _utf16_len(text[: len(text) - len(text.lstrip())])
    total = _utf16_len(stripped)
    result = []
    for ent in entities:
        begin = max(ent["offset"] - shift, 0)
        end = min(ent["offset"] + ent["length"] - shift, total)
        if end > begin:
            result.append({**ent, "offset": begin, "length": end - begin})
    return stripped, result


# ------------------------------------------------------------------ multipart parsing

_PARAM_RE = re.compile(r';\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def _header_param(value: str, name: str) -> str | None:
    for key, raw in _PARAM_RE.findall(";" + value.split(";", 1)[1] if ";" in value else ""):
        if key.lower() == name:
            raw = raw.strip()
            if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
                raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
                # httpx escapes '"' and control characters HTML5-style
                raw = re.sub(r"%(22|[01][0-9A-Fa-f])", lambda m: chr(int(m.group(1), 16)), raw)
            return raw
        if key.lower() == name + "*":
            _, _, encoded = raw.strip().partition("''")
            return unquote(encoded)
    return None


def _parse_multipart(body: bytes, content_type: str) -> tuple[dict[str, str], dict[str, dict]]:
    boundary = _header_param(content_type, "boundary")
    if not boundary:
        raise _bad("multipart boundary is missing")
    delimiter = b"--" + boundary.encode("latin-1")
    fields: dict[str, str] = {}
    files: dict[str, dict] = {}
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        if part.startswith(b"\r\n"):
            part = part[2:]
        if part.endswith(b"\r\n"):
            part = part[:-2]
        head, sep, content = part.partition(b"\r\n\r\n")
        if not sep:
            continue
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, val = line.partition(":")
            headers[key.strip().lower()] = val.strip()
        disposition = headers.get("content-disposition", "")
        name = _header_param(disposition, "name")
        if name is None:
            continue
        filename = _header_param(disposition, "filename")
        if filename is None and "content-type" not in headers:
            fields[name] = content.decode("utf-8")
        else:
            files[name] = {
                "filename": filename or name,
                "mime_type": headers.get("content-type"),
                "data": bytes(content),
            }
    return fields, files


def _normalize_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Turn form values (all strings) into the typed values Telegram would see."""
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and key not in _STRING_PARAMS:
            try:
                value = json.loads(value)
            except ValueError:
                pass
        params[key] = value
    return params


# ------------------------------------------------------------------ HTTP plumbing


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: simple, clean shutdown
    server_version = "FakeTelegram/1.0"
    stub: FakeTelegram

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            total = 0
            while total <= MAX_BODY:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
                total += size
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(length, MAX_BODY)) if length > 0 else b""

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
            status, content_type, payload = self.stub._handle_http(
                self.command, self.path, self.headers.get("Content-Type", ""), body
            )
        except Exception:  # pragma: no cover - stub bug, reported to the client
            status, content_type = 500, "application/json"
            payload = json.dumps({"ok": False, "error_code": 500, "description": traceback.format_exc()}).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # client went away (e.g. cancelled)
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


# ------------------------------------------------------------------ the stand-in


class FakeTelegram:
    """Telegram Bot API stand-in. See the module docstring."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "CongressTestBot",
        bot_first_name: str = "Congress Test Bot",
        strict_html: bool = True,
        max_poll_wait: float = 1.0,
    ) -> None:
        self._token = token
        prefix = token.split(":", 1)[0]
        self._bot_user: dict[str, Any] = {
            "id": int(prefix) if prefix.isdigit() else 123456,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.strict_html = strict_html
        self.max_poll_wait = max_poll_wait

        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False

        self._calls: list[tuple[str, dict[str, Any]]] = []
        self.violations: list[dict[str, Any]] = []
        self._failures: dict[str, list[_ApiError]] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1000
        self._allowed_updates: list[str] | None = None
        self._chats: dict[int | str, dict[str, Any]] = {}
        self._messages: dict[int | str, dict[int, dict[str, Any]]] = {}
        self._next_message_id: dict[int | str, int] = {}
        self._deleted: set[tuple[int | str, int]] = set()
        self._sent_order: list[tuple[int | str, int]] = []
        self._last_injected: dict[int | str, int] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._files_by_path: dict[str, str] = {}
        self._file_counter = 0
        self._documents: list[dict[str, Any]] = []
        self._callback_queries: dict[str, dict[str, Any]] = {}
        self._callback_counter = 0
        self._webhook: dict[str, Any] | None = None
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}

        handlers: dict[str, Callable[[dict[str, Any], dict[str, dict]], Any]] = {
            "getMe": self._api_get_me,
            "getUpdates": self._api_get_updates,
            "deleteWebhook": self._api_delete_webhook,
            "setWebhook": self._api_set_webhook,
            "getWebhookInfo": self._api_get_webhook_info,
            "setMyCommands": self._api_set_my_commands,
            "getMyCommands": self._api_get_my_commands,
            "deleteMyCommands": self._api_delete_my_commands,
            "sendMessage": self._api_send_message,
            "editMessageText": self._api_edit_message_text,
            "editMessageReplyMarkup": self._api_edit_message_reply_markup,
            "deleteMessage": self._api_delete_message,
            "answerCallbackQuery": self._api_answer_callback_query,
            "sendChatAction": self._api_send_chat_action,
            "sendDocument": self._api_send_document,
            "getFile": self._api_get_file,
        }
        self._handlers = {name.lower(): (name, fn) for name, fn in handlers.items()}

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> FakeTelegram:
        with self._lock:
            if self._server is not None:
                return self
            self._stopping = False
            handler = type("BoundHandler", (_Handler,), {"stub": self})
            self._server = _Server(("127.0.0.1", 0), handler)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="FakeTelegram",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            server, thread = self._server, self._thread
            self._server = self._thread = None
            self._stopping = True
            self._cond.notify_all()  # wake long-polling getUpdates handlers
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ---------------------------------------------------------------- properties

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeTelegram is not running; call start() first")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def token(self) -> str:
        return self._token

    @property
    def bot_user(self) -> dict[str, Any]:
        return dict(self._bot_user)

    # ---------------------------------------------------------------- test-side API: inject

    def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        user: dict[str, Any] | None = None,
        chat_type: str = "private",
        reply_to: dict[str, Any] | int | None = None,
        message_thread_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
        caption: str | None = None,
        chat_title: str | None = None,
    ) -> dict[str, Any]:
        """Inject a text message from a user; returns the injected Message dict.

        Unless ``entities`` is given, a ``bot_command`` entity is added when the text starts
        with "/" and a ``mention`` entity for every "@<bot username>" (case-insensitive).
        ``caption`` is copied into the message as is (Telegram never sends both).
        """
        fields: dict[str, Any] = {"text": text}
        ents = self._auto_entities(text) if entities is None else list(entities)
        if ents:
            fields["entities"] = ents
        if caption is not None:
            fields["caption"] = caption
        return self._inject_message(
            chat_id,
            fields,
            user=user,
            chat_type=chat_type,
            chat_title=chat_title,
            reply_to=reply_to,
            message_thread_id=message_thread_id,
        )

    def send_document(
        self,
        chat_id: int,
        filename: str,
        data: bytes,
        *,
        user: dict[str, Any] | None = None,
        mime_type: str | None = None,
        caption: str | None = None,
        file_size: int | None = None,
        chat_type: str = "private",
        chat_title: str | None = None,
        reply_to: dict[str, Any] | int | None = None,
        message_thread_id: int | None = None,
    ) -> dict[str, Any]:
        """Inject a message with a ``document``; the bytes are downloadable via getFile.

        ``file_size`` overrides the reported size (e.g. to fake a file > 20 MB, which
        getFile then refuses with "file is too big").
        """
        mime = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        with self._lock:
            info = self._register_file("documents", data, filename=filename, mime_type=mime, file_size=file_size)
        document = {
            "file_id": info["file_id"],
            "file_unique_id": info["file_unique_id"],
            "file_name": filename,
            "mime_type": mime,
            "file_size": info["file_size"],
        }
        fields: dict[str, Any] = {"document": document}
        self._add_caption(fields, caption)
        return self._inject_message(
            chat_id,
            fields,
            user=user,
            chat_type=chat_type,
            chat_title=chat_title,
            reply_to=reply_to,
            message_thread_id=message_thread_id,
        )

    def send_photo(
        self,
        chat_id: int,
        data: bytes = b"\xff\xd8\xff\xe0fake-jpeg",
        *,
        user: dict[str, Any] | None = None,
        caption: str | None = None,
        width: int = 640,
        height: int = 480,
        chat_type: str = "private",
        chat_title: str | None = None,
    ) -> dict[str, Any]:
        """Inject a photo message (one PhotoSize)."""
        with self._lock:
            info = self._register_file("photos", data, filename="photo.jpg", mime_type=None)
        photo = [
            {
                "file_id": info["file_id"],
                "file_unique_id": info["file_unique_id"],
                "width": width,
                "height": height,
                "file_size": info["file_size"],
            }
        ]
        fields: dict[str, Any] = {"photo": photo}
        self._add_caption(fields, caption)
        return self._inject_message(chat_id, fields, user=user, chat_type=chat_type, chat_title=chat_title)

    def send_sticker(
        self,
        chat_id: int,
        *,
        emoji: str = "\N{THUMBS UP SIGN}",
        user: dict[str, Any] | None = None,
        chat_type: str = "private",
        chat_title: str | None = None,
    ) -> dict[str, Any]:
        """Inject a (static) sticker message."""
        with self._lock:
            info = self._register_file("stickers", b"RIFF0000WEBP", filename="sticker.webp", mime_type="image/webp")
        sticker = {
            "file_id": info["file_id"],
            "file_unique_id": info["file_unique_id"],
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": info["file_size"],
        }
        return self._inject_message(
            chat_id, {"sticker": sticker}, user=user, chat_type=chat_type, chat_title=chat_title
        )

    def send_voice(
        self,
        chat_id: int,
        data: bytes = b"OggS\x00fake-voice",
        *,
        duration: int = 2,
        user: dict[str, Any] | None = None,
        chat_type: str = "private",
        chat_title: str | None = None,
    ) -> dict[str, Any]:
        """Inject a voice message."""
        with self._lock:
            info = self._register_file("voice", data, filename="voice.oga", mime_type="audio/ogg")
        voice = {
            "file_id": info["file_id"],
            "file_unique_id": info["file_unique_id"],
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": info["file_size"],
        }
        return self._inject_message(chat_id, {"voice": voice}, user=user, chat_type=chat_type, chat_title=chat_title)

    def press_button(
        self,
        chat_id: int,
        message: dict[str, Any] | int,
        callback_data: str,
        *,
        user: dict[str, Any] | None = None,
        strict: bool = True,
    ) -> dict[str, Any]:
        """Inject a callback_query for a button of a bot message; returns the CallbackQuery.

        With ``strict`` (default) the message must currently show an inline button with that
        ``callback_data`` (a real user cannot press anything else).
        """
        with self._cond:
            stored = self._lookup_message(chat_id, message)
            if stored is None:
                raise ValueError(f"no message {message!r} in chat {chat_id}")
            if strict:
                datas = [
                    button.get("callback_data")
                    for row in (stored.get("reply_markup") or {}).get("inline_keyboard", [])
                    for button in row
                ]
                if callback_data not in datas:
                    raise ValueError(
                        f"message {stored['message_id']} in chat {chat_id} has no button with "
                        f"callback_data={callback_data!r}; buttons: {datas!r}"
                    )
            self._callback_counter += 1
            query_id = f"{self._bot_user['id']}{self._callback_counter:08d}"
            sender = self._user_for(chat_id, user, self._chats.get(chat_id, {}).get("type"))
            query = {
                "id": query_id,
                "from": sender,
                "message": copy.deepcopy(stored),
                "chat_instance": f"instance-{chat_id}",
                "data": callback_data,
            }
            self._callback_queries[query_id] = {"answered": False, "query": query}
            self._push_update({"callback_query": query})
            return copy.deepcopy(query)

    # ---------------------------------------------------------------- test-side API: inspect

    def calls(self, method: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """Recorded requests as (method, params); uploads appear as dicts with ``data``."""
        with self._lock:
            selected = [c for c in self._calls if method is None or c[0] == method]
            return copy.deepcopy(selected)

    def sent_messages(self, chat_id: int | None = None, *, include_deleted: bool = False) -> list[dict[str, Any]]:
        """Messages sent by the bot (current state: edits applied), oldest first."""
        with self._lock:
            result = [
                self._messages[cid][mid]
                for cid, mid in self._sent_order
                if (chat_id is None or cid == chat_id) and (include_deleted or (cid, mid) not in self._deleted)
            ]
            return copy.deepcopy(result)

    def sent_documents(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Documents uploaded by the bot: chat_id, message_id, filename, mime_type, data,
        caption."""
        with self._lock:
            return copy.deepcopy([d for d in self._documents if chat_id is None or d["chat_id"] == chat_id])

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by the bot (via a getUpdates offset)."""
        with self._lock:
            return copy.deepcopy(self._updates)

    def get_commands(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        with self._lock:
            return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    @property
    def webhook(self) -> dict[str, Any] | None:
        """Parameters of the last successful setWebhook (None if none/deleted)."""
        with self._lock:
            return copy.deepcopy(self._webhook)

    def fail_next(
        self,
        method: str,
        error_code: int = 429,
        retry_after: int | None = 1,
        description: str | None = None,
    ) -> None:
        """Make the next call of ``method`` fail (queued: call twice to fail twice).

        429 answers carry ``parameters.retry_after`` (PTB raises ``RetryAfter``).
        Injected failures are recorded in ``calls`` but not in ``violations``.
        """
        canonical = self._handlers.get(method.lower(), (method, None))[0]
        parameters = None
        if error_code == 429:
            retry_after = retry_after or 1
            description = description or f"Too Many Requests: retry after {retry_after}"
            parameters = {"retry_after": retry_after}
        elif description is None:
            try:
                phrase = HTTPStatus(error_code).phrase
            except ValueError:
                phrase = "Error"
            description = f"{phrase}: injected failure"
        with self._lock:
            self._failures.setdefault(canonical, []).append(_ApiError(error_code, description, parameters))

    def wait_for(
        self,
        predicate: Callable[[FakeTelegram], Any],
        timeout: float = 10.0,
        *,
        message: str | None = None,
    ) -> Any:
        """Poll ``predicate(self)`` every 0.05 s until truthy (returned) or AssertionError.

        Blocks the calling thread: from inside a running event loop use ``wait_for_async``.
        Exceptions raised by the predicate count as "not yet" and are shown on timeout.
        """
        deadline = time.monotonic() + timeout
        last_exc: BaseException | None = None
        while True:
            try:
                result = predicate(self)
            except Exception as exc:
                result, last_exc = None, exc
            if result:
                return result
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_report(predicate, timeout, message, last_exc))
            time.sleep(POLL_STEP)

    async def wait_for_async(
        self,
        predicate: Callable[[FakeTelegram], Any],
        timeout: float = 10.0,
        *,
        message: str | None = None,
    ) -> Any:
        """Like :meth:`wait_for` but sleeps with ``asyncio.sleep`` (for use in the PTB loop)."""
        deadline = time.monotonic() + timeout
        last_exc: BaseException | None = None
        while True:
            try:
                result = predicate(self)
            except Exception as exc:
                result, last_exc = None, exc
            if result:
                return result
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_report(predicate, timeout, message, last_exc))
            await asyncio.sleep(POLL_STEP)

    def wait_for_messages(
        self,
        chat_id: int,
        after: dict[str, Any] | int | None = None,
        *,
        count: int = 1,
        timeout: float = 10.0,
    ) -> list[dict[str, Any]]:
        """Wait until the bot has sent ``count`` messages in ``chat_id`` with message_id >
        ``after`` (a message dict or id; default: the last message injected into that chat)
        and return all of them."""
        predicate, message = self._new_messages_predicate(chat_id, after, count)
        return self.wait_for(predicate, timeout, message=message)

    def wait_for_message(
        self, chat_id: int, after: dict[str, Any] | int | None = None, *, timeout: float = 10.0
    ) -> dict[str, Any]:
        """Wait for the first new bot message (see :meth:`wait_for_messages`)."""
        return self.wait_for_messages(chat_id, after, count=1, timeout=timeout)[0]

    async def wait_for_messages_async(
        self,
        chat_id: int,
        after: dict[str, Any] | int | None = None,
        *,
        count: int = 1,
        timeout: float = 10.0,
    ) -> list[dict[str, Any]]:
        predicate, message = self._new_messages_predicate(chat_id, after, count)
        return await self.wait_for_async(predicate, timeout, message=message)

    async def wait_for_message_async(
        self, chat_id: int, after: dict[str, Any] | int | None = None, *, timeout: float = 10.0
    ) -> dict[str, Any]:
        return (await self.wait_for_messages_async(chat_id, after, count=1, timeout=timeout))[0]

    # ---------------------------------------------------------------- internals: test side

    def _new_messages_predicate(
        self, chat_id: int, after: dict[str, Any] | int | None, count: int
    ) -> tuple[Callable[[FakeTelegram], Any], str]:
        if isinstance(after, dict):
            after_id = after["message_id"]
        elif after is None:
            with self._lock:
                after_id = self._last_injected.get(chat_id, 0)
        else:
            after_id = after

        def predicate(stub: FakeTelegram) -> list[dict[str, Any]] | None:
            new = [m for m in stub.sent_messages(chat_id) if m["message_id"] > after_id]
            return new if len(new) >= count else None

        return predicate, f"{count} bot message(s) in chat {chat_id} after message {after_id}"

    def _timeout_report(
        self,
        predicate: Callable[..., Any],
        timeout: float,
        message: str | None,
        last_exc: BaseException | None,
    ) -> str:
        with self._lock:
            recent = [f"  {m}: {str(p.get('text', p.get('caption', '')))[:80]!r}" for m, p in self._calls[-10:]]
            lines = [
                f"FakeTelegram: timed out after {timeout:.1f}s waiting for "
                f"{message or getattr(predicate, '__name__', repr(predicate))}",
                f"last predicate error: {last_exc!r}" if last_exc else "",
                f"pending (unfetched) updates: {len(self._updates)}",
                f"violations: {self.violations!r}",
                "last calls:",
                *recent,
            ]
        return "\n".join(line for line in lines if line)

    def _auto_entities(self, text: str) -> list[dict[str, Any]]:
        """bot_command entities (at the start or after whitespace, like Telegram) and
        mention entities for "@<bot username>" (case-insensitive)."""
        entities: list[dict[str, Any]] = []
        taken: list[tuple[int, int]] = []
        for match in re.finditer(r"(?:^|(?<=\s))/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]+)?", text):
            end = match.end()
            if end < len(text) and (text[end].isalnum() or text[end] in "_/@"):
                continue
            taken.append((match.start(), end))
            entities.append(
                {
                    "type": "bot_command",
                    "offset": _utf16_len(text[: match.start()]),
                    "length": _utf16_len(match.group()),
                }
            )
        mention = "@" + self._bot_user["username"]
        for match in re.finditer(re.escape(mention) + r"(?![A-Za-z0-9_])", text, re.IGNORECASE):
            if any(start <= match.start() < end for start, end in taken):
                continue
            entities.append(
                {
                    "type": "mention",
                    "offset": _utf16_len(text[: match.start()]),
                    "length": _utf16_len(match.group()),
                }
            )
        entities.sort(key=lambda e: e["offset"])
        return entities

    def _add_caption(self, fields: dict[str, Any], caption: str | None) -> None:
        if caption is not None:
            fields["caption"] = caption
            ents = self._auto_entities(caption)
            if ents:
                fields["caption_entities"] = ents

    def _user_for(self, chat_id: int | str, user: dict[str, Any] | None, chat_type: str | None) -> dict[str, Any]:
        if user is None:
            sender = dict(DEFAULT_USER)
            if chat_type in (None, "private") and isinstance(chat_id, int) and chat_id > 0:
                sender["id"] = chat_id  # in private chats chat id == user id
            return sender
        sender = {"is_bot": False, "first_name": "User", **user}
        sender.setdefault("id", DEFAULT_USER["id"])
        return sender

    def _inject_message(
        self,
        chat_id: int,
        fields: dict[str, Any],
        *,
        user: dict[str, Any] | None,
        chat_type: str,
        chat_title: str | None,
        reply_to: dict[str, Any] | int | None = None,
        message_thread_id: int | None = None,
    ) -> dict[str, Any]:
        with self._cond:
            sender = self._user_for(chat_id, user, chat_type)
            if chat_type == "private":
                chat = {"id": chat_id, "type": "private", "first_name": sender["first_name"]}
                for key in ("last_name", "username"):
                    if sender.get(key):
                        chat[key] = sender[key]
            else:
                chat = {"id": chat_id, "type": chat_type, "title": chat_title or "Test Group"}
                if message_thread_id is not None and chat_type == "supergroup":
                    chat["is_forum"] = True
            self._chats[chat_id] = chat
            extra: dict[str, Any] = dict(fields)
            if message_thread_id is not None:
                extra["message_thread_id"] = message_thread_id
                if chat.get("is_forum"):
                    extra["is_topic_message"] = True
            if reply_to is not None:
                replied = self._lookup_message(chat_id, reply_to)
                if replied is None:
                    raise ValueError(f"reply_to: no message {reply_to!r} in chat {chat_id}")
                extra["reply_to_message"] = self._as_reply(replied)
            message = self._new_message(chat_id, sender, extra)
            self._last_injected[chat_id] = message["message_id"]
            self._push_update({"message": message})
            return copy.deepcopy(message)

    # ---------------------------------------------------------------- internals: state

    def _push_update(self, payload: dict[str, Any]) -> None:
        update = {"update_id": self._next_update_id, **copy.deepcopy(payload)}
        self._next_update_id += 1
        self._updates.append(update)
        self._cond.notify_all()

    def _new_message(self, chat_id: int | str, sender: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
        message_id = self._next_message_id.get(chat_id, 0) + 1
        self._next_message_id[chat_id] = message_id
        message = {
            "message_id": message_id,
            "from": dict(sender),
            "date": int(time.time()),
            "chat": dict(self._chats[chat_id]),
            **fields,
        }
        self._messages.setdefault(chat_id, {})[message_id] = message
        if sender.get("id") == self._bot_user["id"]:
            self._sent_order.append((chat_id, message_id))
        return message

    def _lookup_message(self, chat_id: int | str, message: dict[str, Any] | int) -> dict[str, Any] | None:
        message_id = message["message_id"] if isinstance(message, dict) else message
        if (chat_id, message_id) in self._deleted:
            return None
        return self._messages.get(chat_id, {}).get(message_id)

    @staticmethod
    def _as_reply(message: dict[str, Any]) -> dict[str, Any]:
        reply = copy.deepcopy(message)
        reply.pop("reply_to_message", None)  # Telegram nests only one level
        return reply

    def _register_file(
        self,
        folder: str,
        data: bytes,
        *,
        filename: str | None,
        mime_type: str | None,
        file_size: int | None = None,
    ) -> dict[str, Any]:
        self._file_counter += 1
        number = self._file_counter
        suffix = ""
        if filename and "." in filename:
            ext = filename.rsplit(".", 1)[1]
            if re.fullmatch(r"[A-Za-z0-9]{1,8}", ext):
                suffix = "." + ext.lower()
        info = {
            "file_id": f"FAKE{folder[:3].upper()}FILE{number:06d}",
            "file_unique_id": f"UQ{number:06d}",
            "file_size": len(data) if file_size is None else file_size,
            "file_path": f"{folder}/file_{number}{suffix}",
            "filename": filename,
            "mime_type": mime_type,
            "data": bytes(data),
        }
        self._files[info["file_id"]] = info
        self._files_by_path[info["file_path"]] = info["file_id"]
        return info

    @staticmethod
    def _commands_key(scope: dict | None, language_code: str | None) -> tuple[str, str]:
        return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code or ""

    # ---------------------------------------------------------------- internals: HTTP

    def _handle_http(self, verb: str, raw_path: str, content_type: str, body: bytes) -> tuple[int, str, bytes]:
        split = urlsplit(raw_path)
        path = unquote(split.path)
        if path.startswith("/file/bot"):
            token, _, file_path = path[len("/file/bot") :].partition("/")
            with self._lock:
                if token != self._token:
                    return self._json(401, self._error(401, "Unauthorized"))
                file_id = self._files_by_path.get(file_path)
                if file_id is None:
                    return self._json(404, self._error(404, "Not Found"))
                return 200, "application/octet-stream", self._files[file_id]["data"]
        if not path.startswith("/bot"):
            return self._json(404, self._error(404, "Not Found"))
        token, _, method = path[len("/bot") :].partition("/")
        try:
            raw: dict[str, Any] = dict(parse_qsl(split.query, keep_blank_values=True))
            files: dict[str, dict] = {}
            main_type = content_type.split(";", 1)[0].strip().lower()
            if main_type == "application/json" and body.strip():
                decoded = json.loads(body)
                if not isinstance(decoded, dict):
                    raise _bad("request body must be a JSON object")
                raw.update(decoded)
            elif main_type == "application/x-www-form-urlencoded":
                raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            elif main_type == "multipart/form-data":
                fields, files = _parse_multipart(body, content_type)
                raw.update(fields)
            params = _normalize_params(raw)
        except (_ApiError, ValueError) as exc:
            desc = exc.description if isinstance(exc, _ApiError) else f"Bad Request: {exc}"
            return self._json(400, self._error(400, desc))
        status, payload = self._call_api(token, method, params, files)
        return self._json(status, payload)

    @staticmethod
    def _json(status: int, payload: dict[str, Any]) -> tuple[int, str, bytes]:
        return status, "application/json", json.dumps(payload).encode("utf-8")

    @staticmethod
    def _error(code: int, description: str, parameters: dict | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            payload["parameters"] = parameters
        return payload

    def _call_api(
        self, token: str, method: str, params: dict[str, Any], files: dict[str, dict]
    ) -> tuple[int, dict[str, Any]]:
        with self._cond:
            canonical, handler = self._handlers.get(method.lower(), (method, None))
            recorded = dict(params)
            for name, upload in files.items():
                recorded[name] = dict(upload)
            self._calls.append((canonical, copy.deepcopy(recorded)))
            try:
                if token != self._token:
                    raise _ApiError(401, "Unauthorized")
                if handler is None:
                    raise _ApiError(404, "Not Found")
                queued = self._failures.get(canonical)
                if queued:
                    err = queued.pop(0)
                    return err.code, self._error(err.code, err.description, err.parameters)
                result = handler(params, files)
            except _ApiError as err:
                self.violations.append(
                    {
                        "method": canonical,
                        "error_code": err.code,
                        "description": err.description,
                        "params": recorded,
                    }
                )
                return err.code, self._error(err.code, err.description, err.parameters)
            except Exception:  # a bug in the stub: make it loud
                description = "Internal Server Error (FakeTelegram bug): " + traceback.format_exc()
                self.violations.append({"method": canonical, "error_code": 500, "description": description})
                return 500, self._error(500, description)
            return 200, {"ok": True, "result": copy.deepcopy(result)}

    # ---------------------------------------------------------------- internals: validation

    def _chat_for(self, params: dict[str, Any]) -> int | str:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for cid, chat in self._chats.items():
                if chat.get("username", "").lower() == chat_id[1:].lower():
                    return cid
            raise _bad("chat not found")
        if not isinstance(chat_id, int) or isinstance(chat_id, bool):
            raise _bad("chat not found")
        if chat_id not in self._chats:  # be lenient: unknown chats spring into existence
            if chat_id > 0:
                self._chats[chat_id] = {"id": chat_id, "type": "private", "first_name": "User"}
            else:
                self._chats[chat_id] = {"id": chat_id, "type": "supergroup", "title": "Group"}
        return chat_id

    def _formatted(
        self,
        text: Any,
        parse_mode: Any,
        entities: Any,
        *,
        limit: int,
        caption: bool = False,
    ) -> tuple[str, list[dict[str, Any]]]:
        if text is None:
            text = ""
        if not isinstance(text, str):
            text = str(text)
        mode = (parse_mode or "").lower() if isinstance(parse_mode, str) else ""
        if mode == "html":
            try:
                plain, ents = parse_telegram_html(text, strict=self.strict_html)
            except HtmlParseError as exc:
                raise _bad(f"can't parse entities: {exc}") from None
        elif mode in ("markdown", "markdownv2"):
            raise _bad(f"FakeTelegram does not implement parse_mode {parse_mode!r}")
        elif mode:
            raise _bad("unsupported parse_mode")
        else:
            plain = text
            ents = list(entities) if isinstance(entities, list) else []
        plain, ents = _strip_text(plain, ents)
        if len(plain) > limit:
            raise _bad("message caption is too long" if caption else "message is too long")
        if not plain and not caption:
            raise _bad("message text is empty")
        return plain, ents

    def _checked_markup(self, markup: Any) -> dict[str, Any] | None:
        """Validate reply_markup; return it if it is an inline keyboard (Message echoes only
        inline keyboards), else None."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays')
            for row in rows:
                for button in row:
                    self._check_inline_button(button)
            return markup
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad('field "keyboard" of the ReplyKeyboardMarkup should be an Array')
            for row in rows:
                for button in row:
                    text = button.get("text") if isinstance(button, dict) else button
                    if not isinstance(text, str) or not text.strip():
                        raise _bad("keyboard button text must be non-empty")
            return None
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return None
        raise _bad("can't parse reply keyboard markup JSON object")

    @staticmethod
    def _check_inline_button(button: Any) -> None:
        if not isinstance(button, dict):
            raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
        text = button.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad("can't parse inline keyboard button: Text must be non-empty")
        actions = [
            k
            for k in (
                "url",
                "callback_data",
                "web_app",
                "login_url",
                "switch_inline_query",
                "switch_inline_query_current_chat",
                "switch_inline_query_chosen_chat",
                "copy_text",
                "callback_game",
                "pay",
            )
            if k in button
        ]
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or data == "":
                raise _bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
            if len(data.encode("utf-8")) > CALLBACK_DATA_LIMIT:
                raise _bad("BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or not re.match(r"(https?|tg|ton)://\S+$", url):
                raise _bad(f"inline keyboard button URL '{url}' is invalid")
        if len(actions) != 1:
            if not actions:
                raise _bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
            raise _bad("can't parse inline keyboard button: exactly one optional field expected")

    def _reply_target(self, chat_id: int | str, params: dict[str, Any]) -> dict[str, Any] | None:
        reply_params = params.get("reply_parameters")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        message_id = params.get("reply_to_message_id")
        if isinstance(reply_params, dict):
            message_id = reply_params.get("message_id")
            allow_missing = allow_missing or bool(reply_params.get("allow_sending_without_reply"))
            target_chat = reply_params.get("chat_id", chat_id)
            if target_chat != chat_id:
                return None  # cross-chat replies: not modelled
        if message_id is None:
            return None
        replied = self._lookup_message(chat_id, message_id)
        if replied is None:
            if allow_missing:
                return None
            raise _bad("message to be replied not found")
        return self._as_reply(replied)

    def _bot_message(self, chat_id: int | str, params: dict[str, Any], fields: dict[str, Any]):
        reply = self._reply_target(chat_id, params)
        if params.get("message_thread_id") is not None:
            fields["message_thread_id"] = params["message_thread_id"]
            if self._chats[chat_id].get("is_forum"):
                fields["is_topic_message"] = True
        if reply is not None:
            fields["reply_to_message"] = reply
        return self._new_message(chat_id, self._bot_user, fields)

    def _editable(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("inline_message_id"):
            raise _bad("FakeTelegram does not model inline messages (inline_message_id)")
        chat_id = self._chat_for(params)
        message = self._lookup_message(chat_id, params.get("message_id") or 0)
        if message is None:
            raise _bad("message to edit not found")
        if message.get("from", {}).get("id") != self._bot_user["id"]:
            raise _bad("message can't be edited")
        return message

    # ---------------------------------------------------------------- Bot API methods

    def _api_get_me(self, params: dict, files: dict) -> Any:
        return self._bot_user

    def _api_get_updates(self, params: dict, files: dict) -> Any:
        if self._webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        limit = min(max(limit, 1), 100)
        timeout = float(params.get("timeout") or 0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = allowed or None
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

        def deliverable() -> list[dict[str, Any]]:
            keep = []
            for update in self._updates:
                kind = next(k for k in update if k != "update_id")
                if self._allowed_updates is not None:
                    ok = kind in self._allowed_updates
                else:
                    ok = kind not in _UPDATE_TYPES_DEFAULT_EXCLUDED
                if ok:
                    keep.append(update)
            self._updates = keep
            return keep

        deadline = time.monotonic() + min(max(timeout, 0.0), self.max_poll_wait)
        while not deliverable() and not self._stopping:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._cond.wait(remaining)
        return self._updates[:limit]

    def _api_delete_webhook(self, params: dict, files: dict) -> Any:
        self._webhook = None
        if params.get("drop_pending_updates"):
            self._updates = []
        return True

    def _api_set_webhook(self, params: dict, files: dict) -> Any:
        url = params.get("url")
        if not url:
            self._webhook = None
            return True
        if not isinstance(url, str) or not url.startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self._webhook = {k: v for k, v in params.items() if k != "certificate"}
        if params.get("drop_pending_updates"):
            self._updates = []
        return True

    def _api_get_webhook_info(self, params: dict, files: dict) -> Any:
        info: dict[str, Any] = {
            "url": (self._webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook:
            for key in ("max_connections", "allowed_updates", "ip_address"):
                if key in self._webhook:
                    info[key] = self._webhook[key]
        return info

    def _api_set_my_commands(self, params: dict, files: dict) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands")
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand")
            name = command.get("command")
            desc = command.get("description")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(desc, str) or not 1 <= len(desc.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self._commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
        return True

    def _api_get_my_commands(self, params: dict, files: dict) -> Any:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        return self._commands.get(key, [])

    def _api_delete_my_commands(self, params: dict, files: dict) -> Any:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self._commands.pop(key, None)
        return True

    def _api_send_message(self, params: dict, files: dict) -> Any:
        chat_id = self._chat_for(params)
        text, entities = self._formatted(
            params.get("text"), params.get("parse_mode"), params.get("entities"), limit=TEXT_LIMIT
        )
        markup = self._checked_markup(params.get("reply_markup"))
        fields: dict[str, Any] = {"text": text}
        if entities:
            fields["entities"] = entities
        if markup is not None:
            fields["reply_markup"] = markup
        return self._bot_message(chat_id, params, fields)

    def _api_edit_message_text(self, params: dict, files: dict) -> Any:
        message = self._editable(params)
        if "text" not in message:
            raise _bad("there is no text in the message to edit")
        text, entities = self._formatted(
            params.get("text"), params.get("parse_mode"), params.get("entities"), limit=TEXT_LIMIT
        )
        markup = self._checked_markup(params.get("reply_markup"))
        if (
            text == message.get("text")
            and entities == message.get("entities", [])
            and markup == message.get("reply_markup")
        ):
            raise _bad(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message["text"] = text
        if entities:
            message["entities"] = entities
        else:
            message.pop("entities", None)
        if markup is not None:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = int(time.time())
        return message

    def _api_edit_message_reply_markup(self, params: dict, files: dict) -> Any:
        message = self._editable(params)
        markup = self._checked_markup(params.get("reply_markup"))
        if markup == message.get("reply_markup"):
            raise _bad(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        if markup is not None:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = int(time.time())
        return message

    def _api_delete_message(self, params: dict, files: dict) -> Any:
        chat_id = self._chat_for(params)
        message_id = params.get("message_id")
        if self._lookup_message(chat_id, message_id or 0) is None:
            raise _bad("message to delete not found")
        self._deleted.add((chat_id, message_id))
        return True

    def _api_answer_callback_query(self, params: dict, files: dict) -> Any:
        query_id = params.get("callback_query_id")
        entry = self._callback_queries.get(str(query_id))
        if entry is None or entry["answered"]:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text")
        if text is not None and len(str(text)) > CALLBACK_ANSWER_LIMIT:
            raise _bad("MESSAGE_TOO_LONG")
        entry["answered"] = True
        return True

    def _api_send_chat_action(self, params: dict, files: dict) -> Any:
        self._chat_for(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    def _api_send_document(self, params: dict, files: dict) -> Any:
        chat_id = self._chat_for(params)
        ref = params.get("document")
        upload = None
        if isinstance(ref, str) and ref.startswith("attach://"):
            upload = files.get(ref[len("attach://") :])
            if upload is None:
                raise _bad("wrong file identifier/HTTP URL specified")
        elif ref is None:
            upload = files.get("document")
            if upload is None:
                raise _bad("there is no document in the request")
        if upload is not None:
            if not upload["data"]:
                raise _bad("file must be non-empty")
            filename = upload["filename"]
            mime = upload["mime_type"] or mimetypes.guess_type(filename)[0] or "application/octet-stream"
            info = self._register_file("documents", upload["data"], filename=filename, mime_type=mime)
        elif isinstance(ref, str) and ref in self._files:
            info = self._files[ref]
        elif isinstance(ref, str) and re.match(r"https?://", ref):
            name = ref.rstrip("/").rsplit("/", 1)[-1] or "file"
            info = self._register_file("documents", b"", filename=name, mime_type="application/octet-stream")
        else:
            raise _bad("wrong file identifier/HTTP URL specified")

        caption, caption_entities = self._formatted(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            limit=CAPTION_LIMIT,
            caption=True,
        )
        markup = self._checked_markup(params.get("reply_markup"))
        document = {
            "file_id": info["file_id"],
            "file_unique_id": info["file_unique_id"],
            "file_size": info["file_size"],
        }
        if info.get("filename"):
            document["file_name"] = info["filename"]
        if info.get("mime_type"):
            document["mime_type"] = info["mime_type"]
        fields: dict[str, Any] = {"document": document}
        if caption:
            fields["caption"] = caption
        if caption_entities:
            fields["caption_entities"] = caption_entities
        if markup is not None:
            fields["reply_markup"] = markup
        message = self._bot_message(chat_id, params, fields)
        self._documents.append(
            {
                "chat_id": chat_id,
                "message_id": message["message_id"],
                "filename": info.get("filename"),
                "mime_type": info.get("mime_type"),
                "data": info["data"],
                "caption": caption or None,
            }
        )
        return message

    def _api_get_file(self, params: dict, files: dict) -> Any:
        info = self._files.get(str(params.get("file_id")))
        if info is None:
            raise _bad("invalid file_id")
        if info["file_size"] > GET_FILE_LIMIT:
            raise _bad("file is too big")
        return {
            "file_id": info["file_id"],
            "file_unique_id": info["file_unique_id"],
            "file_size": info["file_size"],
            "file_path": info["file_path"],
        }
