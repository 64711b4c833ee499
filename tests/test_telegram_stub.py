"""The Bot API stand-in (tests/telegram_stub.py) checked against the real python-telegram-bot client:
its Telegram-HTML check, its limits, and both transports (in process and HTTP)."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter
from telegram_stub import FakeTelegram, HtmlParseError, parse_telegram_html

CHAT = 4242


def run(bot: Bot, scenario):
    async def main():
        async with bot:
            return await scenario(bot)

    return asyncio.run(main())


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
        ("line<br/>break", 'Unsupported start tag "br/"'),
    ],
)
def test_html_that_telegram_refuses(html, fragment):
    with pytest.raises(HtmlParseError, match="(?i)" + fragment.replace("(", r"\(")):
        parse_telegram_html(html)


def test_html_entities_in_utf16_units():
    text, entities = parse_telegram_html(
        '😀 <b>Bold</b> &amp; <i>it</i> &lt;3 &#x1F600; <a href="https://x.org?a=1&amp;b=2">link</a>'
        '<pre><code class="language-python">x = 1</code></pre><blockquote expandable>q</blockquote>'
    )
    assert text == "😀 Bold & it <3 \N{GRINNING FACE} linkx = 1q"
    assert entities == [
        {"offset": 3, "length": 4, "type": "bold"},
        {"offset": 10, "length": 2, "type": "italic"},  # the emoji before counts twice
        {"offset": 19, "length": 4, "type": "text_link", "url": "https://x.org?a=1&b=2"},
        {"offset": 23, "length": 5, "type": "pre", "language": "python"},
        {"offset": 28, "length": 1, "type": "expandable_blockquote"},
    ]
    assert parse_telegram_html("Tom & Jerry", strict=False)[0] == "Tom & Jerry"


def test_in_process_request_checks_what_telegram_checks():
    with FakeTelegram() as tg:
        tg.send_text(CHAT, "hi")
        bot = Bot(tg.token, request=tg.request())

        async def scenario(bot):
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="x" * 64)]])
            sent = await bot.send_message(CHAT, "<b>đậm</b> " + "x" * 4000, parse_mode="HTML", reply_markup=keyboard)
            for call, error in [
                (bot.send_message(CHAT, "x" * 4097), "message text is too long"),
                (bot.send_message(CHAT, "<b> </b>", parse_mode="HTML"), "message text is empty"),
                (bot.send_message(CHAT, "a<b", parse_mode="HTML"), "can't parse entities"),
                (
                    bot.send_message(
                        CHAT,
                        "hi",
                        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="x" * 65)]]),
                    ),
                    "button_data_invalid",
                ),
                (
                    bot.edit_message_text(
                        "<b>đậm</b> " + "x" * 4000, CHAT, sent.message_id, parse_mode="HTML", reply_markup=keyboard
                    ),
                    "not modified",
                ),
            ]:
                with pytest.raises(BadRequest, match=f"(?i){error}"):
                    await call
            return sent

        sent = run(bot, scenario)
        assert sent.text.startswith("đậm x") and sent.entities[0].type == "bold"
        query = tg.press_button(CHAT, sent.message_id, "x" * 64)
        with pytest.raises(ValueError, match="no button"):
            tg.press_button(CHAT, sent.message_id, "forged")
        tg.press_button(CHAT, sent.message_id, "forged", strict=False)  # what a modified client can do

        async def answer(bot):
            with pytest.raises(BadRequest, match="(?i)message_too_long"):
                await bot.answer_callback_query(query["id"], text="y" * 201)
            assert await bot.answer_callback_query(query["id"], text="y" * 200)

        run(bot, answer)
        assert tg.answered(query)
        assert len(tg.violations) == 6 and tg.sent_messages(CHAT)[0]["text"] == sent.text


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own int retry_after
def test_http_transport_long_poll_upload_download_and_failures():
    with FakeTelegram(http=True) as tg:
        document = tg.send_document(CHAT, "agenda.pdf", b"%PDF-1.4 fake")
        big = tg.send_document(CHAT, "huge.pdf", b"x", file_size=50 * 1024 * 1024)
        bot = Bot(tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url)

        async def scenario(bot):
            assert (await bot.get_me()).username == "CongressTestBot"
            updates = await bot.get_updates(timeout=0)
            assert [u.message.document.file_name for u in updates] == ["agenda.pdf", "huge.pdf"]
            loop = asyncio.get_running_loop()
            started = loop.time()
            assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=30) == ()
            assert loop.time() - started < 3  # long polls are cut to max_poll_wait
            file = await bot.get_file(document["document"]["file_id"])
            assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4 fake"  # the token is URL-encoded here
            with pytest.raises(BadRequest, match="(?i)file is too big"):
                await bot.get_file(big["document"]["file_id"])
            sent = await bot.send_document(
                CHAT, b"a,b\n1,2\n", filename="góp ý.csv", caption="<i>csv</i>", parse_mode="HTML"
            )
            assert sent.caption == "csv"
            tg.fail_next("sendMessage", 429, retry_after=3)
            with pytest.raises(RetryAfter):
                await bot.send_message(CHAT, "hello")
            tg.outage(1)
            with pytest.raises(NetworkError):
                await bot.send_message(CHAT, "hello")
            return await bot.send_message(CHAT, "hello")

        assert run(bot, scenario).text == "hello"
        (uploaded,) = tg.sent_documents(CHAT)
        assert (uploaded["filename"], uploaded["data"]) == ("góp ý.csv", b"a,b\n1,2\n")
        assert tg.violations == [next(v for v in tg.violations if "too big" in v["description"])]
        with pytest.raises(InvalidToken):
            run(Bot("999:WRONG", base_url=tg.base_url), lambda bot: bot.get_me())


def test_wait_for_times_out_with_a_report():
    with FakeTelegram() as tg, pytest.raises(AssertionError, match="timed out"):
        tg.wait_for(lambda s: s.sent_messages(CHAT)[0], timeout=0.2)
