"""Checks the Telegram Bot API stand-in against the real python-telegram-bot client."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, RetryAfter
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram_stub import FakeTelegram, parse_telegram_html

CHAT = 4242


@pytest.fixture
def tg():
    with FakeTelegram() as stub:
        yield stub


def make_bot(tg: FakeTelegram, token: str | None = None) -> Bot:
    return Bot(token or tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url)


def run_with_bot(tg: FakeTelegram, scenario, token: str | None = None):
    async def main():
        async with make_bot(tg, token) as bot:
            return await scenario(bot)

    return asyncio.run(main())


def test_get_me(tg):
    me = run_with_bot(tg, lambda bot: bot.get_me())
    assert me.username == "CongressTestBot"
    assert me.is_bot
    assert me.id == tg.bot_user["id"]
    assert tg.calls("getMe")
    assert tg.violations == []


def test_wrong_token_is_unauthorized(tg):
    with pytest.raises(InvalidToken):
        run_with_bot(tg, lambda bot: bot.get_me(), token="999:WRONG")


def test_send_message_html_is_parsed(tg):
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="vote:yes")]])

    async def scenario(bot):
        return await bot.send_message(
            CHAT,
            "<b>Bold</b> &amp; <i>it</i> &lt;3 &#x1F600; <a href='https://x.org'>link</a>",
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )

    msg = run_with_bot(tg, scenario)
    assert msg.text == "Bold & it <3 \N{GRINNING FACE} link"
    assert msg.from_user.username == "CongressTestBot"
    assert msg.chat.id == CHAT
    assert msg.reply_markup == markup
    assert [e.type for e in msg.entities] == ["bold", "italic", "text_link"]
    # offsets are UTF-16 based: the emoji counts twice
    assert msg.parse_entity(msg.entities[2]) == "link"
    assert msg.text_html.startswith("<b>Bold</b> &amp; <i>it</i>")
    stored = tg.sent_messages(CHAT)
    assert [m["text"] for m in stored] == [msg.text]
    assert tg.calls("sendMessage")[0][1]["parse_mode"] == "HTML"
    assert tg.violations == []


@pytest.mark.parametrize(
    ("html", "fragment"),
    [
        ("a < b", 'Unsupported start tag ""'),
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<script>x</script>", 'Unsupported start tag "script"'),
        ("<b><i>x</b></i>", "Unmatched end tag"),
        ("Tom & Jerry", "unescaped '&'"),
        ("&nbsp;", "Unsupported HTML entity"),
        ("x > y", "Unescaped '>'"),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
    ],
)
def test_invalid_html_is_rejected(tg, html, fragment):
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        run_with_bot(tg, lambda bot: bot.send_message(CHAT, html, parse_mode=ParseMode.HTML))
    # PTB strips "Bad Request: " and str.capitalize()s the rest, so look at the raw text
    assert len(tg.violations) == 1
    assert fragment in tg.violations[0]["description"]
    assert tg.violations[0]["method"] == "sendMessage"
    assert tg.sent_messages(CHAT) == []


def test_html_parser_details():
    text, entities = parse_telegram_html(
        '<pre><code class="language-python">x = 1</code></pre>'
        '<span class="tg-spoiler">s</span><blockquote expandable>q</blockquote>'
    )
    assert text == "x = 1sq"
    assert entities == [
        {"offset": 0, "length": 5, "type": "pre", "language": "python"},
        {"offset": 5, "length": 1, "type": "spoiler"},
        {"offset": 6, "length": 1, "type": "expandable_blockquote"},
    ]
    assert parse_telegram_html("Tom & Jerry", strict=False)[0] == "Tom & Jerry"


def test_text_length_limits(tg):
    async def scenario(bot):
        ok = await bot.send_message(CHAT, "x" * 4096)
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await bot.send_message(CHAT, "x" * 4097)
        # the limit applies after entity parsing: 4096 visible characters are fine
        await bot.send_message(CHAT, "<b>" + "&amp;" * 4096 + "</b>", parse_mode="HTML")
        with pytest.raises(BadRequest, match="(?i)message text is empty"):
            await bot.send_message(CHAT, "<b> </b>", parse_mode="HTML")
        return ok

    msg = run_with_bot(tg, scenario)
    assert len(msg.text) == 4096
    assert [v["description"] for v in tg.violations] == [
        "Bad Request: message is too long",
        "Bad Request: message text is empty",
    ]


def test_keyboard_and_callback_rules(tg):
    async def scenario(bot):
        too_long = InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="x" * 65)]])
        with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
            await bot.send_message(CHAT, "hi", reply_markup=too_long)
        empty = InlineKeyboardMarkup([[InlineKeyboardButton("", callback_data="x")]])
        with pytest.raises(BadRequest, match="non-empty"):
            await bot.send_message(CHAT, "hi", reply_markup=empty)
        good = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="x" * 64)]])
        return await bot.send_message(CHAT, "hi", reply_markup=good)

    msg = run_with_bot(tg, scenario)
    assert len(tg.violations) == 2
    query = tg.press_button(CHAT, msg.message_id, "x" * 64)
    with pytest.raises(ValueError, match="no button"):
        tg.press_button(CHAT, msg.message_id, "not-a-button")

    async def answer(bot):
        with pytest.raises(BadRequest, match="(?i)message_too_long"):
            await bot.answer_callback_query(query["id"], text="y" * 201)
        assert await bot.answer_callback_query(query["id"], text="y" * 200)

    run_with_bot(tg, answer)


def test_edit_delete_and_reply(tg):
    user_msg = tg.send_text(CHAT, "question")

    async def scenario(bot):
        sent = await bot.send_message(CHAT, "draft", reply_to_message_id=user_msg["message_id"])
        edited = await bot.edit_message_text("<b>final</b>", CHAT, sent.message_id, parse_mode="HTML")
        with pytest.raises(BadRequest, match="(?i)not modified"):
            await bot.edit_message_text("<b>final</b>", CHAT, sent.message_id, parse_mode="HTML")
        other = await bot.send_message(CHAT, "temp")
        assert await bot.delete_message(CHAT, other.message_id)
        return sent, edited

    sent, edited = run_with_bot(tg, scenario)
    assert sent.reply_to_message.text == "question"
    assert edited.text == "final"
    assert edited.edit_date is not None
    assert [m["text"] for m in tg.sent_messages(CHAT)] == ["final"]
    assert len(tg.sent_messages(CHAT, include_deleted=True)) == 2
    assert user_msg["message_id"] < sent.message_id

    reply = tg.send_text(CHAT, "answer", reply_to=tg.sent_messages(CHAT)[0])
    assert reply["reply_to_message"]["from"]["id"] == tg.bot_user["id"]
    assert reply["reply_to_message"]["text"] == "final"


def test_get_updates_and_offset(tg):
    first = tg.send_text(CHAT, "/start@congresstestbot hello")
    tg.send_text(-100, "hi @CongressTestBot", chat_type="supergroup", chat_title="Congress")
    assert [e["type"] for e in first["entities"]] == ["bot_command"]

    async def scenario(bot):
        updates = await bot.get_updates(timeout=0)
        assert len(updates) == 2
        assert updates[0].message.text.startswith("/start")
        assert updates[1].message.chat.type == "supergroup"
        assert updates[1].message.entities[0].type == "mention"
        # the same updates come again until confirmed
        again = await bot.get_updates(timeout=0)
        assert [u.update_id for u in again] == [u.update_id for u in updates]
        rest = await bot.get_updates(offset=updates[0].update_id + 1, timeout=0)
        assert [u.update_id for u in rest] == [updates[1].update_id]
        loop = asyncio.get_running_loop()
        start = loop.time()
        empty = await bot.get_updates(offset=updates[1].update_id + 1, timeout=5)
        waited = loop.time() - start
        assert empty == ()
        assert 0.8 <= waited < 3  # long poll is capped at 1 s
        return updates

    run_with_bot(tg, scenario)
    assert tg.pending_updates() == []
    assert tg.violations == []


def test_file_download(tg):
    doc = tg.send_document(CHAT, "agenda.pdf", b"%PDF-1.4 fake", caption="see /help")
    big = tg.send_document(CHAT, "huge.bin", b"x", file_size=50 * 1024 * 1024)
    assert doc["document"]["mime_type"] == "application/pdf"
    assert doc["caption_entities"][0]["type"] == "bot_command"

    async def scenario(bot):
        file = await bot.get_file(doc["document"]["file_id"])
        assert file.file_size == len(b"%PDF-1.4 fake")
        data = await file.download_as_bytearray()
        with pytest.raises(BadRequest, match="(?i)file is too big"):
            await bot.get_file(big["document"]["file_id"])
        return bytes(data)

    assert run_with_bot(tg, scenario) == b"%PDF-1.4 fake"


def test_send_document_upload_roundtrip(tg):
    async def scenario(bot):
        msg = await bot.send_document(
            CHAT,
            document=b"col1,col2\n1,2\n",
            filename='r\u00e9sum\u00e9 "q".csv',
            caption="<i>report</i>",
            parse_mode="HTML",
        )
        file = await bot.get_file(msg.document.file_id)
        return msg, bytes(await file.download_as_bytearray())

    msg, data = run_with_bot(tg, scenario)
    assert data == b"col1,col2\n1,2\n"
    assert msg.caption == "report"
    assert msg.document.file_name == 'r\u00e9sum\u00e9 "q".csv'
    (uploaded,) = tg.sent_documents(CHAT)
    assert uploaded["filename"] == 'r\u00e9sum\u00e9 "q".csv'
    assert uploaded["data"] == b"col1,col2\n1,2\n"
    params = tg.calls("sendDocument")[0][1]
    assert params["document"]["data"] == b"col1,col2\n1,2\n"
    assert params["chat_id"] == CHAT  # form values are decoded back to their JSON types
    assert tg.violations == []


def test_commands_webhook_and_chat_action(tg):
    async def scenario(bot):
        assert await bot.set_my_commands([("start", "Start"), ("help", "Help")])
        commands = await bot.get_my_commands()
        assert [c.command for c in commands] == ["start", "help"]
        with pytest.raises(BadRequest):
            await bot.set_my_commands([("Bad-Name", "x")])
        assert await bot.send_chat_action(CHAT, "typing")
        assert await bot.set_webhook("https://example.org/hook")
        info = await bot.get_webhook_info()
        assert info.url == "https://example.org/hook"
        assert await bot.delete_webhook()
        assert await bot.delete_my_commands()
        assert await bot.get_my_commands() == ()

    run_with_bot(tg, scenario)
    assert len(tg.violations) == 1


# PTB 22.x itself warns about int retry_after inside RetryAfter.__init__ (unless
# PTB_TIMEDELTA=1 is set); that is not something the stand-in can avoid.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_fail_next_raises_retry_after(tg):
    tg.fail_next("sendMessage", error_code=429, retry_after=3)

    async def scenario(bot):
        with pytest.raises(RetryAfter) as info:
            await bot.send_message(CHAT, "hello")
        # (reading .retry_after would emit a PTBDeprecationWarning in 22.x)
        assert "retry in 3 seconds" in str(info.value).lower()
        return await bot.send_message(CHAT, "hello")

    msg = run_with_bot(tg, scenario)
    assert msg.text == "hello"
    assert len(tg.calls("sendMessage")) == 2
    assert tg.violations == []


def test_wait_for_times_out_with_report(tg):
    with pytest.raises(AssertionError, match="timed out"):
        tg.wait_for(lambda s: s.sent_messages(CHAT)[0], timeout=0.2)


def test_application_polling_round_trip(tg):
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(f"echo: <b>{update.message.text}</b>", parse_mode="HTML")

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer("noted")
        await update.callback_query.edit_message_text(f"chose {update.callback_query.data}")

    async def main():
        app = ApplicationBuilder().token(tg.token).base_url(tg.base_url).base_file_url(tg.base_file_url).build()
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        app.add_handler(CallbackQueryHandler(on_button))
        await app.initialize()
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            tg.send_text(CHAT, "hello bot")
            reply = await tg.wait_for_message_async(CHAT, timeout=5)
            assert reply["text"] == "echo: hello bot"
            assert reply["entities"][0]["type"] == "bold"

            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
            sent = await app.bot.send_message(CHAT, "pick", reply_markup=keyboard)
            tg.press_button(CHAT, sent.message_id, "a")
            await tg.wait_for_async(lambda s: s.sent_messages(CHAT)[-1]["text"] == "chose a", timeout=5)
            assert tg.calls("answerCallbackQuery")[0][1]["text"] == "noted"
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()

    asyncio.run(main())
    assert tg.pending_updates() == []  # the final getUpdates confirmed everything
    assert tg.violations == []


def test_raw_http_encodings_and_errors(tg):
    import httpx

    api = f"{tg.base_url}{tg.token}"
    with httpx.Client() as client:
        as_json = client.post(f"{api}/sendMessage", json={"chat_id": CHAT, "text": "json"})
        assert as_json.json()["result"]["text"] == "json"
        as_get = client.get(f"{api}/sendMessage", params={"chat_id": CHAT, "text": "123"})
        assert as_get.json()["result"]["text"] == "123"  # text is never JSON-decoded
        unknown = client.post(f"{api}/sendTelepathy", data={"chat_id": CHAT})
        assert unknown.status_code == 404
        assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        wrong = client.post(f"{tg.base_url}1:nope/getMe")
        assert wrong.status_code == 401
        missing = client.get(f"{tg.base_file_url}{tg.token}/documents/nothing.txt")
        assert missing.status_code == 404
    assert [v["error_code"] for v in tg.violations] == [404, 401]


def test_stop_interrupts_long_poll():
    import threading
    import time

    import httpx

    tg = FakeTelegram().start()
    url = f"{tg.base_url}{tg.token}/getUpdates"
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("r", httpx.post(url, data={"timeout": "30"}).json()))
    thread.start()
    time.sleep(0.2)
    started = time.monotonic()
    tg.stop()
    thread.join(timeout=5)
    assert time.monotonic() - started < 2
    assert result["r"] == {"ok": True, "result": []}
