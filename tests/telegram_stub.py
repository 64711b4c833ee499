"""A Telegram Bot API stand-in for tests, reached two ways by the *real* python-telegram-bot stack.

* In process, the way PTB's own tests work offline: :meth:`FakeTelegram.request` is a
  ``telegram.request.BaseRequest`` that answers the Bot API calls directly (pass it to
  ``ApplicationBuilder().request(...)``).  Updates are handed to :attr:`FakeTelegram.deliver`,
  which a harness points at ``Application.process_update``, so a test can wait until the bot has
  *finished* with an update instead of sleeping to prove silence.
* Over HTTP on 127.0.0.1 (``FakeTelegram(http=True)``), only for what must cross a socket: the
  ``serve`` subprocess, webhook mode and file downloads through httpx (whose request lines carry
  the token).  Updates then wait in a queue for ``getUpdates``.

It models the Bot API methods the bot uses, and checks what the bot sends the way Telegram
does: Telegram HTML (:func:`parse_telegram_html`, with ``strict`` also refusing a bare ``&``
or ``>`` that Telegram would keep), the text, caption, button-data and alert limits of
``telegram.constants``.  Every error answer that a test did not ask for with
:meth:`FakeTelegram.fail_next` is appended to :attr:`FakeTelegram.violations`.
"""

from __future__ import annotations

import copy
import email.parser
import email.policy
import json
import mimetypes
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from telegram.constants import (
    CallbackQueryLimit,
    FileSizeLimit,
    InlineKeyboardButtonLimit,
    MessageLimit,
)
from telegram.request import BaseRequest, RequestData

__all__ = ["FakeTelegram", "HtmlParseError", "parse_telegram_html"]

TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH
CAPTION_LIMIT = MessageLimit.CAPTION_LENGTH
CALLBACK_DATA_LIMIT = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
CALLBACK_ANSWER_LIMIT = CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH
GET_FILE_LIMIT = FileSizeLimit.FILESIZE_DOWNLOAD
DEFAULT_TOKEN = "5550001234:AAHtestSecretTokenValue_0123456789abc"
DEFAULT_USER = {"id": 1001, "is_bot": False, "first_name": "Alice", "username": "alice_tester"}
_STRING_PARAMS = {"text", "caption", "parse_mode", "callback_query_id", "url", "action", "secret_token", "file_id"}


# -- Telegram HTML ------------------------------------------------------------------------------------------------
class HtmlParseError(ValueError):
    """Text Telegram would refuse with "can't parse entities"."""


_ENTITY_TYPES = {
    **dict.fromkeys(("b", "strong"), "bold"),
    **dict.fromkeys(("i", "em"), "italic"),
    **dict.fromkeys(("u", "ins"), "underline"),
    **dict.fromkeys(("s", "strike", "del"), "strikethrough"),
    **dict.fromkeys(("span", "tg-spoiler"), "spoiler"),
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "blockquote": "blockquote",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _TelegramHtml(HTMLParser):
    def __init__(self, strict: bool) -> None:
        super().__init__(convert_charrefs=False)
        self.strict, self.text, self.pos = strict, [], 0
        self.stack: list[dict[str, Any]] = []
        self.entities: list[dict[str, Any]] = []

    def emit(self, text: str) -> None:
        self.text.append(text)
        self.pos += _utf16_len(text)

    def handle_data(self, data: str) -> None:
        if "<" in data:
            raise HtmlParseError('Unsupported start tag ""')
        if self.strict and ">" in data:
            raise HtmlParseError("Unescaped '>'")
        if self.strict and "&" in data:
            raise HtmlParseError("Unsupported HTML entity or unescaped '&'")
        self.emit(data)

    def handle_entityref(self, name: str) -> None:
        if name not in _NAMED:
            raise HtmlParseError(f"Unsupported HTML entity &{name};")
        self.emit(_NAMED[name])

    def handle_charref(self, name: str) -> None:
        code = int(name[1:], 16) if name[:1] in "xX" else int(name)
        if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise HtmlParseError(f"Unsupported HTML entity &#{name};")
        self.emit(chr(code))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ENTITY_TYPES:
            raise HtmlParseError(f'Unsupported start tag "{tag}"')
        attributes = dict(attrs)
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise HtmlParseError('Tag "span" must have class "tg-spoiler"')
        self.stack.append({"tag": tag, "attrs": attributes, "start": self.pos, "depth": len(self.stack)})

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        raise HtmlParseError(f'Unsupported start tag "{tag}/"')

    def handle_endtag(self, tag: str) -> None:
        if not self.stack:
            raise HtmlParseError(f'Unexpected end tag "{tag}"')
        item = self.stack.pop()
        if item["tag"] != tag:
            raise HtmlParseError(f'Unmatched end tag, expected "</{item["tag"]}>", found "</{tag}>"')
        attrs, length = item["attrs"], self.pos - item["start"]
        parent = self.stack[-1]["tag"] if self.stack else None
        if tag == "code" and parent == "pre":
            self.stack[-1]["language"] = (attrs.get("class") or "").removeprefix("language-") or None
            return
        if length <= 0 or any(s["tag"] in ("code", "pre") for s in self.stack):
            return  # Telegram drops empty entities and entities inside code/pre
        entity = {"offset": item["start"], "length": length, "type": _ENTITY_TYPES[tag], "_depth": item["depth"]}
        if tag == "a":
            entity["url"] = attrs.get("href") or ""
        elif tag == "pre" and item.get("language"):
            entity["language"] = item["language"]
        elif tag == "blockquote" and "expandable" in attrs:
            entity["type"] = "expandable_blockquote"
        self.entities.append(entity)

    def handle_comment(self, data: str) -> None:
        raise HtmlParseError('Unsupported start tag "!--"')


def parse_telegram_html(src: str, *, strict: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """``(plain text, entities)`` as Telegram reads ``parse_mode=HTML`` (offsets in UTF-16 units);
    raises :class:`HtmlParseError` where Telegram would refuse the text."""
    parser = _TelegramHtml(strict)
    parser.feed(src)
    parser.close()
    if parser.stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]["tag"]}"')
    entities = sorted(parser.entities, key=lambda e: (e["offset"], -e["length"], e["_depth"]))
    return "".join(parser.text), [{k: v for k, v in e.items() if k != "_depth"} for e in entities]


def _strip(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims surrounding whitespace, shifting and clipping the entities."""
    stripped = text.strip()
    shift, total = _utf16_len(text[: len(text) - len(text.lstrip())]), _utf16_len(stripped)
    clipped = []
    for e in entities:
        begin, end = max(e["offset"] - shift, 0), min(e["offset"] + e["length"] - shift, total)
        if end > begin:
            clipped.append({**e, "offset": begin, "length": end - begin})
    return stripped, clipped


# -- errors and transports ---------------------------------------------------------------------------------------
class _ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


def _bad(description: str) -> _ApiError:
    return _ApiError(400, "Bad Request: " + description)


class _InProcessRequest(BaseRequest):
    """PTB's offline-testing seam (a ``BaseRequest``): every call is answered by the stand-in directly."""

    def __init__(self, stub: FakeTelegram) -> None:
        self.stub = stub

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float:
        return 1.0

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **_
    ) -> tuple[int, bytes]:
        params = request_data.parameters if request_data else {}
        files = {
            name: {"filename": upload[0], "data": bytes(upload[1]), "mime_type": upload[2]}
            for name, upload in (request_data.multipart_data if request_data else {}).items()
        }
        status, _, body = self.stub._handle(unquote(urlsplit(url).path), params, files)
        return status, body


class _HttpHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: simple, clean shutdown
    stub: FakeTelegram

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self.do_POST()

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        if self.stub._take_outage():
            self.close_connection = True  # the server vanishes mid-request: no answer at all
            return
        split = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        content_type = self.headers.get("Content-Type", "")
        raw: dict[str, Any] = dict(parse_qsl(split.query))
        files: dict[str, dict] = {}
        if content_type.startswith("application/json") and body:
            raw.update(json.loads(body))
        elif content_type.startswith("application/x-www-form-urlencoded"):
            raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        elif content_type.startswith("multipart/form-data"):
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                f"Content-Type: {content_type}\r\n\r\n".encode() + body
            )
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if part.get_filename() is None:
                    raw[name] = part.get_content()
                else:
                    data = part.get_payload(decode=True)
                    files[name] = {"filename": part.get_filename(), "data": data, "mime_type": part.get_content_type()}
        params = {k: v if k in _STRING_PARAMS or not isinstance(v, str) else _json_or_str(v) for k, v in raw.items()}
        status, content_type, payload = self.stub._handle(unquote(split.path), params, files)
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a long poll at shutdown)
            pass


def _json_or_str(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


# -- the stand-in -----------------------------------------------------------------------------------------------
class FakeTelegram:
    """One bot's Telegram: chats, messages, files, button presses; see the module docstring."""

    def __init__(self, *, token: str = DEFAULT_TOKEN, bot_username: str = "CongressTestBot", http: bool = False):
        self.token = token
        self.bot_user = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "Congress Test Bot"}
        self.bot_user |= {"username": bot_username, "can_join_groups": True, "can_read_all_group_messages": False}
        self.http = http
        # In process: where updates go (else they wait for getUpdates); returns a future that is done
        # when the bot has finished with the update.
        self.deliver: Callable[[dict], Future] | None = None
        self._handling: list[Future] = []
        self.violations: list[dict[str, Any]] = []
        self.max_poll_wait = 1.0  # getUpdates long polls are cut to this (seconds), so shutdown is quick
        self._cond = threading.Condition(threading.RLock())
        self._server: ThreadingHTTPServer | None = None
        self._stopping = False
        self._calls: list[tuple[str, dict[str, Any]]] = []
        self._failures: dict[str, list[_ApiError]] = {}
        self._outages = 0
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1000
        self._chats: dict[int, dict[str, Any]] = {}
        self._messages: dict[int, dict[int, dict[str, Any]]] = {}
        self._sent: list[tuple[int, int]] = []  # (chat, message) sent by the bot, in order
        self._files: dict[str, dict[str, Any]] = {}
        self._documents: list[dict[str, Any]] = []
        self._queries: dict[str, bool] = {}  # callback query id -> answered
        self._webhook: dict[str, Any] | None = None
        self._commands: dict[str, list[dict[str, str]]] = {}

    # -- lifecycle and transports ----------------------------------------------------------------------------------
    def __enter__(self) -> FakeTelegram:
        if self.http:
            handler = type("Handler", (_HttpHandler,), {"stub": self})
            self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            self._server.daemon_threads = True
            threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()  # wakes long-polling getUpdates
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def request(self) -> BaseRequest:
        """An in-process ``BaseRequest`` for ``ApplicationBuilder().request(...)``."""
        return _InProcessRequest(self)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/file/bot"

    # -- test side: what users do --------------------------------------------------------------------------------
    def send_text(self, chat_id: int, text: str, **kw: Any) -> dict[str, Any]:
        """A text message (``user=``, ``chat_type=``, ``reply_to=``, ``message_thread_id=``, ``chat_title=``);
        ``bot_command`` and ``mention`` entities are added as Telegram does."""
        fields: dict[str, Any] = {"text": text}
        if entities := self._entities(text):
            fields["entities"] = entities
        return self._inject(chat_id, fields, **kw)

    def send_document(
        self,
        chat_id: int,
        filename: str,
        data: bytes,
        *,
        caption: str | None = None,
        file_size: int | None = None,
        **kw,
    ) -> dict[str, Any]:
        """A document; ``file_size`` overrides the announced size (getFile refuses more than 20 MB)."""
        mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        info = self._register_file("documents", data, filename, mime, file_size)
        document = {k: info[k] for k in ("file_id", "file_unique_id", "file_size")}
        fields = {"document": {**document, "file_name": filename, "mime_type": mime}}
        return self._inject(chat_id, self._captioned(fields, caption), **kw)

    def send_photo(self, chat_id: int, *, caption: str | None = None, **kw: Any) -> dict[str, Any]:
        info = self._register_file("photos", b"\xff\xd8\xff\xe0fake-jpeg", "photo.jpg", None)
        photo = [{k: info[k] for k in ("file_id", "file_unique_id", "file_size")} | {"width": 640, "height": 480}]
        return self._inject(chat_id, self._captioned({"photo": photo}, caption), **kw)

    def send_sticker(self, chat_id: int, **kw: Any) -> dict[str, Any]:
        info = self._register_file("stickers", b"RIFF0000WEBP", "sticker.webp", "image/webp")
        sticker = {k: info[k] for k in ("file_id", "file_unique_id")} | {"type": "regular", "emoji": "👍"}
        sticker |= {"width": 512, "height": 512, "is_animated": False, "is_video": False}
        return self._inject(chat_id, {"sticker": sticker}, **kw)

    def send_voice(self, chat_id: int, **kw: Any) -> dict[str, Any]:
        info = self._register_file("voice", b"OggS\x00fake-voice", "voice.oga", "audio/ogg")
        voice = {k: info[k] for k in ("file_id", "file_unique_id")} | {"duration": 2, "mime_type": "audio/ogg"}
        return self._inject(chat_id, {"voice": voice}, **kw)

    def press_button(
        self, chat_id: int, message: dict | int, data: str, *, user: dict | None = None, strict: bool = True
    ) -> dict[str, Any]:
        """A button press on a bot message.  ``strict``: the message must show that button (a real client
        cannot press anything else); ``strict=False`` sends forged data, as a modified client can."""
        with self._cond:
            stored = self._message(chat_id, message)
            if stored is None:
                raise ValueError(f"no message {message!r} in chat {chat_id}")
            shown = [b.get("callback_data") for row in self._keyboard(stored) for b in row]
            if strict and data not in shown:
                raise ValueError(f"message {stored['message_id']} has no button {data!r}; buttons: {shown!r}")
            query_id = f"{self.bot_user['id']}{len(self._queries) + 1:08d}"
            self._queries[query_id] = False
            sender = self._sender(chat_id, user, self._chats[chat_id]["type"])
            query = {"id": query_id, "from": sender, "message": copy.deepcopy(stored), "data": data}
            query["chat_instance"] = f"instance-{chat_id}"
            self._push({"callback_query": query})
            return copy.deepcopy(query)

    # -- test side: what the bot did ----------------------------------------------------------------------------------
    def calls(self, method: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """Requests as (method, params), uploads as dicts with ``data``."""
        with self._cond:
            return copy.deepcopy([c for c in self._calls if method is None or c[0] == method])

    def sent_messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Messages the bot sent (edits applied), oldest first."""
        with self._cond:
            return copy.deepcopy([self._messages[c][m] for c, m in self._sent if chat_id in (None, c)])

    def sent_documents(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Documents the bot sent: chat_id, message_id, filename, data, caption."""
        with self._cond:
            return copy.deepcopy([d for d in self._documents if chat_id in (None, d["chat_id"])])

    def answered(self, query: dict) -> bool:
        with self._cond:
            return self._queries.get(query["id"], False)

    def get_commands(self, scope: dict | None = None) -> list[dict[str, str]]:
        with self._cond:
            return copy.deepcopy(self._commands.get(json.dumps(scope or {"type": "default"}, sort_keys=True), []))

    @property
    def webhook(self) -> dict[str, Any] | None:
        with self._cond:
            return copy.deepcopy(self._webhook)

    def fail_next(self, method: str, error_code: int = 429, retry_after: int = 1) -> None:
        """The next call of ``method`` fails (429 with ``retry_after``: PTB raises RetryAfter); not a violation."""
        if error_code == 429:
            error = _ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})
        else:
            error = _ApiError(error_code, "Bad Gateway" if error_code == 502 else f"Error {error_code}")
        with self._cond:
            self._failures.setdefault(method, []).append(error)

    def outage(self, requests: int) -> None:
        """Over HTTP: the next ``requests`` connections are closed without an answer."""
        with self._cond:
            self._outages += requests

    def settle(self, timeout: float = 30.0) -> None:
        """Wait until the bot has finished with every update delivered in process so far (handlers, error
        handler and all): after this, what it has not sent it will not send."""
        while True:
            with self._cond:
                pending = [f for f in self._handling if not f.done()]
                self._handling = pending
            if not pending:
                return
            for future in pending:
                future.result(timeout)

    def wait_for(self, predicate: Callable[[FakeTelegram], Any], timeout: float = 10.0, *, message: str = "") -> Any:
        """Wait until ``predicate(self)`` is truthy (returned), re-checked whenever the bot calls the API or a
        test injects something; AssertionError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                try:
                    result = predicate(self)
                except (LookupError, TypeError, AttributeError):
                    result = None
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    recent = [f"  {m}: {str(p.get('text', ''))[:80]!r}" for m, p in self._calls[-10:]]
                    lines = [f"FakeTelegram: timed out after {timeout:.1f}s waiting for {message or predicate}"]
                    raise AssertionError("\n".join([*lines, f"violations: {self.violations!r}", *recent]))
                self._cond.wait(remaining)

    # -- the Bot API -----------------------------------------------------------------------------------------------
    def _handle(self, path: str, params: dict[str, Any], files: dict[str, dict]) -> tuple[int, str, bytes]:
        """One request, from either transport: ``/bot<token>/<method>`` or ``/file/bot<token>/<file path>``."""
        if path.startswith("/file/bot"):
            token, _, file_path = path[len("/file/bot") :].partition("/")
            with self._cond:
                info = next((f for f in self._files.values() if f["file_path"] == file_path), None)
            if token == self.token and info is not None:
                return 200, "application/octet-stream", info["data"]
            return 404 if token == self.token else 401, "text/plain", b"Not Found"
        token, _, method = path.removeprefix("/bot").partition("/")
        with self._cond:
            self._calls.append((method, copy.deepcopy({**params, **files})))
            try:
                if token != self.token:
                    raise _ApiError(401, "Unauthorized")
                if self._failures.get(method):
                    error = self._failures[method].pop(0)
                    return self._answer(error.code, error.description, parameters=error.parameters)
                api = getattr(self, "_api_" + re.sub(r"(?<!^)(?=[A-Z])", "_", method).lower(), None)
                if api is None:
                    raise _ApiError(404, "Not Found")
                result = api(params, files)
            except _ApiError as error:
                self.violations.append({"method": method, "description": error.description, "params": params})
                return self._answer(error.code, error.description)
            finally:
                self._cond.notify_all()  # wakes wait_for: the state changed
        if result is _POLL:
            result = self._poll(params)
        return self._answer(200, result=result)

    @staticmethod
    def _answer(code: int, description: str = "", result: Any = None, parameters: dict | None = None):
        payload: dict[str, Any] = {"ok": True, "result": result} if code == 200 else {"ok": False}
        if code != 200:
            payload |= {"error_code": code, "description": description}
            if parameters:
                payload["parameters"] = parameters
        return code, "application/json", json.dumps(payload).encode()

    def _api_get_me(self, params: dict, files: dict) -> Any:
        return self.bot_user

    def _api_get_updates(self, params: dict, files: dict) -> Any:
        if self._webhook is not None:
            raise _ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        return _POLL

    def _poll(self, params: dict) -> list[dict[str, Any]]:
        """Confirm updates below ``offset``, then wait (at most ``max_poll_wait``) for new ones."""
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), self.max_poll_wait)
        with self._cond:
            self._updates = [u for u in self._updates if u["update_id"] >= int(params.get("offset") or 0)]
            while not self._updates and not self._stopping and time.monotonic() < deadline:
                self._cond.wait(deadline - time.monotonic())
            return copy.deepcopy(self._updates[: int(params.get("limit") or 100)])

    def _api_set_webhook(self, params: dict, files: dict) -> Any:
        if not str(params.get("url", "")).startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self._webhook = dict(params)
        return True

    def _api_delete_webhook(self, params: dict, files: dict) -> Any:
        self._webhook = None
        return True

    def _api_set_my_commands(self, params: dict, files: dict) -> Any:
        for command in params.get("commands") or []:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")) or not command.get("description"):
                raise _bad("BOT_COMMAND_INVALID")
        self._commands[json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)] = params["commands"]
        return True

    def _api_send_message(self, params: dict, files: dict) -> Any:
        fields = self._formatted(params, "text", TEXT_LIMIT)
        return self._bot_message(params, fields)

    def _api_edit_message_text(self, params: dict, files: dict) -> Any:
        message = self._message(params.get("chat_id"), params.get("message_id") or 0)
        if message is None or message["from"]["id"] != self.bot_user["id"] or "text" not in message:
            raise _bad("message to edit not found")
        fields = self._formatted(params, "text", TEXT_LIMIT)
        if all(message.get(k) == fields.get(k) for k in ("text", "entities", "reply_markup")):
            raise _bad("message is not modified: specified new message content and reply markup are exactly the same")
        for key in ("entities", "reply_markup"):
            message.pop(key, None)
        message.update(fields, edit_date=int(time.time()))
        return message

    def _api_answer_callback_query(self, params: dict, files: dict) -> Any:
        query_id = str(params.get("callback_query_id"))
        if self._queries.get(query_id, True):
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text") or "")) > CALLBACK_ANSWER_LIMIT:
            raise _bad("MESSAGE_TOO_LONG")
        self._queries[query_id] = True
        return True

    def _api_send_chat_action(self, params: dict, files: dict) -> Any:
        if params.get("action") not in ("typing", "upload_document"):
            raise _bad("wrong parameter action in request")
        return True

    def _api_send_document(self, params: dict, files: dict) -> Any:
        name = str(params.get("document") or "attach://document").removeprefix("attach://")
        upload = files.get(name)
        if upload is None or not upload["data"]:
            raise _bad("there is no document in the request")
        info = self._register_file("documents", upload["data"], upload["filename"], upload["mime_type"])
        document = {k: info[k] for k in ("file_id", "file_unique_id", "file_size")} | {"file_name": info["filename"]}
        message = self._bot_message(params, {"document": document, **self._formatted(params, "caption", CAPTION_LIMIT)})
        self._documents.append(
            {"chat_id": message["chat"]["id"], "message_id": message["message_id"], "filename": info["filename"]}
            | {"data": info["data"], "caption": message.get("caption")}
        )
        return message

    def _api_get_file(self, params: dict, files: dict) -> Any:
        info = self._files.get(str(params.get("file_id")))
        if info is None:
            raise _bad("invalid file_id")
        if info["file_size"] > GET_FILE_LIMIT:
            raise _bad("file is too big")
        return {k: info[k] for k in ("file_id", "file_unique_id", "file_size", "file_path")}

    # -- checks of what the bot sends ------------------------------------------------------------------------------
    def _formatted(self, params: dict, key: str, limit: int) -> dict[str, Any]:
        text = str(params.get(key) or "")
        if params.get("parse_mode") == "HTML":
            try:
                text, entities = parse_telegram_html(text)
            except HtmlParseError as exc:
                raise _bad(f"can't parse entities: {exc}") from None
        elif params.get("parse_mode"):
            raise _bad(f"the stand-in models only parse_mode HTML, not {params['parse_mode']!r}")
        else:
            entities = []
        text, entities = _strip(text, entities)
        if len(text) > limit:
            raise _bad(f"message {'caption' if key == 'caption' else 'text'} is too long")
        if not text and key == "text":
            raise _bad("message text is empty")
        fields: dict[str, Any] = {key: text} if text else {}
        if entities:
            fields["entities" if key == "text" else "caption_entities"] = entities
        if params.get("reply_markup") is not None:
            fields["reply_markup"] = self._checked_keyboard(params["reply_markup"])
        return fields

    @staticmethod
    def _checked_keyboard(markup: Any) -> dict[str, Any]:
        rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _bad("the stand-in models inline keyboards only")
        for button in (b for row in rows for b in row):
            if not str(button.get("text", "")).strip():
                raise _bad("can't parse inline keyboard button: Text must be non-empty")
            data = button.get("callback_data")
            if not isinstance(data, str) or not data or len(data.encode()) > CALLBACK_DATA_LIMIT:
                raise _bad("BUTTON_DATA_INVALID")
        return markup

    # -- state -----------------------------------------------------------------------------------------------------
    def _bot_message(self, params: dict, fields: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int) or chat_id not in self._chats:
            raise _bad("chat not found")
        reply = params.get("reply_parameters") or {}
        if reply:
            replied = self._message(chat_id, reply.get("message_id") or 0)
            if replied is None and not reply.get("allow_sending_without_reply"):
                raise _bad("message to be replied not found")
            if replied is not None:
                fields["reply_to_message"] = {k: v for k, v in replied.items() if k != "reply_to_message"}
        if params.get("message_thread_id") is not None:
            fields["message_thread_id"] = params["message_thread_id"]
            fields["is_topic_message"] = bool(self._chats[chat_id].get("is_forum"))
        message = self._new_message(chat_id, self.bot_user, fields)
        self._sent.append((chat_id, message["message_id"]))
        return message

    def _inject(
        self,
        chat_id: int,
        fields: dict[str, Any],
        *,
        user: dict | None = None,
        chat_type: str = "private",
        chat_title: str | None = None,
        reply_to: dict | int | None = None,
        message_thread_id: int | None = None,
    ) -> dict[str, Any]:
        with self._cond:
            sender = self._sender(chat_id, user, chat_type)
            if chat_type == "private":
                chat = {"id": chat_id, "type": "private", "first_name": sender["first_name"]}
            else:
                chat = {"id": chat_id, "type": chat_type, "title": chat_title or "Test Group"}
                chat |= {"is_forum": True} if message_thread_id is not None else {}
            self._chats[chat_id] = chat
            if message_thread_id is not None:
                fields |= {"message_thread_id": message_thread_id, "is_topic_message": chat.get("is_forum", False)}
            if reply_to is not None:
                replied = self._message(chat_id, reply_to)
                if replied is None:
                    raise ValueError(f"reply_to: no message {reply_to!r} in chat {chat_id}")
                fields["reply_to_message"] = {k: v for k, v in replied.items() if k != "reply_to_message"}
            message = self._new_message(chat_id, sender, fields)
            self._push({"message": message})
            return copy.deepcopy(message)

    def _push(self, payload: dict[str, Any]) -> None:
        update = {"update_id": self._next_update_id, **copy.deepcopy(payload)}
        self._next_update_id += 1
        if self.deliver is not None:
            self._handling.append(self.deliver(update))
        else:
            self._updates.append(update)
        self._cond.notify_all()

    def _new_message(self, chat_id: int, sender: dict, fields: dict[str, Any]) -> dict[str, Any]:
        messages = self._messages.setdefault(chat_id, {})
        message = {"message_id": len(messages) + 1, "from": dict(sender), "date": int(time.time())}
        message |= {"chat": dict(self._chats[chat_id]), **copy.deepcopy(fields)}
        messages[message["message_id"]] = message
        return message

    def _message(self, chat_id: Any, message: dict | int) -> dict[str, Any] | None:
        message_id = message["message_id"] if isinstance(message, dict) else message
        return self._messages.get(chat_id, {}).get(message_id)

    @staticmethod
    def _keyboard(message: dict) -> list[list[dict]]:
        return (message.get("reply_markup") or {}).get("inline_keyboard", [])

    @staticmethod
    def _sender(chat_id: int, user: dict | None, chat_type: str) -> dict[str, Any]:
        if user is not None:
            return {"is_bot": False, "first_name": "User", **user}
        return {**DEFAULT_USER, "id": chat_id} if chat_type == "private" else dict(DEFAULT_USER)

    def _register_file(
        self, folder: str, data: bytes, filename: str, mime_type: str | None, file_size: int | None = None
    ) -> dict[str, Any]:
        with self._cond:
            number = len(self._files) + 1
            suffix = "." + filename.rsplit(".", 1)[1].lower() if re.search(r"\.[A-Za-z0-9]{1,8}$", filename) else ""
            info = {"file_id": f"FAKE{folder[:3].upper()}FILE{number:06d}", "file_unique_id": f"UQ{number:06d}"}
            info |= {"file_size": len(data) if file_size is None else file_size, "data": bytes(data)}
            info |= {"file_path": f"{folder}/file_{number}{suffix}", "filename": filename, "mime_type": mime_type}
            self._files[info["file_id"]] = info
            return info

    def _captioned(self, fields: dict[str, Any], caption: str | None) -> dict[str, Any]:
        if caption is not None:
            fields["caption"] = caption
            if entities := self._entities(caption):
                fields["caption_entities"] = entities
        return fields

    def _entities(self, text: str) -> list[dict[str, Any]]:
        """``bot_command`` at the start and ``mention`` of the bot (any case), as Telegram clients make them."""
        found = []
        command = re.match(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]+)?(?![\w/@])", text)
        if command:
            found.append({"type": "bot_command", "offset": 0, "length": _utf16_len(command.group())})
        for m in re.finditer(rf"@{re.escape(self.bot_user['username'])}(?!\w)", text, re.IGNORECASE):
            if not command or m.start() >= command.end():
                found.append({"type": "mention", "offset": _utf16_len(text[: m.start()]), "length": _utf16_len(m[0])})
        return found

    @property
    def outages_left(self) -> int:
        with self._cond:
            return self._outages

    def failures_left(self, method: str) -> int:
        with self._cond:
            return len(self._failures.get(method, []))

    def _take_outage(self) -> bool:
        with self._cond:
            if self._outages <= 0:
                return False
            self._outages -= 1
            self._cond.notify_all()
            return True


_POLL = object()  # getUpdates answers after waiting, outside the lock
