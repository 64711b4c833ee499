"""Admin handlers: add documents by sending them, /docs, /remove, /reindex, /stats, /feedback.

Only admins in private reach them (see :mod:`bot.telegram.access`).  Every change to the index
runs on the :class:`~bot.telegram.indexing.IndexWorker` thread, one at a time, while questions
keep being answered from the live index version.
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
import uuid
from pathlib import Path

from cachetools import LRUCache
from telegram import InputFile, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from ..engine import Engine
from ..errors import LoadError, UnsupportedFile
from ..loaders import SUPPORTED_SUFFIXES
from . import texts as T
from . import views
from .bot import log_error
from .callbacks import DocsPage, Removal
from .config import BotConfig
from .feedback import FeedbackStore
from .html import esc
from .indexing import IndexWorker, add_upload, skipped

log = logging.getLogger(__name__)

PENDING_REMOVALS = 200  # /remove confirmations waiting for a button press
DOWNLOAD_TIMEOUT = 120  # seconds to fetch an upload from Telegram (large files over slow links)


class AdminCommands:
    def __init__(self, engine: Engine, config: BotConfig, store: FeedbackStore, worker: IndexWorker) -> None:
        self.engine, self.config, self.store, self.worker = engine, config, store, worker
        self.removals: LRUCache[str, str] = LRUCache(PENDING_REMOVALS)  # confirmation token -> doc_id
        self.reindexing = False

    @staticmethod
    async def edit(message: Message, text: str, markup=None) -> None:  # noqa: ANN001
        """Edit a status message; an edit that fails (unchanged, network) is not worth failing for."""
        try:
            await message.edit_text(text, reply_markup=markup)
        except TelegramError as exc:
            log.warning("could not edit message %s: %s", message.message_id, exc)

    # -- uploads -----------------------------------------------------------------------------------------------------
    async def upload(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        document, limit = message.document, self.config.max_upload_bytes
        name = document.file_name or T.UNNAMED_FILE
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            await message.reply_html(views.render_refused(name, UnsupportedFile(name)), do_quote=True)
            return
        if document.file_size and document.file_size > limit:
            await message.reply_html(views.render_too_large(name, document.file_size, limit), do_quote=True)
            return
        started = time.perf_counter()
        status = await message.reply_html(T.UPLOAD_RECEIVING.format(name=esc(name)), do_quote=True)
        buffer = io.BytesIO()
        try:
            await (await document.get_file()).download_to_memory(buffer, read_timeout=DOWNLOAD_TIMEOUT)
        except BadRequest as exc:  # e.g. "file is too big" when the size was not announced
            log.warning("could not download %s: %s", name, exc)
            await self.edit(status, T.UPLOAD_DOWNLOAD_FAILED.format(name=esc(name), limit=limit // views.MB))
            return
        if buffer.getbuffer().nbytes > limit:
            await self.edit(status, views.render_too_large(name, buffer.getbuffer().nbytes, limit))
            return
        if self.worker.lock.locked():
            await self.edit(status, T.UPLOAD_WAITING)
        try:
            indexing = T.UPLOAD_INDEXING.format(name=esc(name))
            report = await self.worker.run(
                add_upload, self.engine, name, buffer.getvalue(), started=lambda: self.edit(status, indexing)
            )
        except LoadError as exc:  # refused before indexing: unsupported, duplicate
            await self.edit(status, views.render_upload_report(name, [], [exc], time.perf_counter() - started))
            return
        except Exception as exc:
            await self.edit(status, T.UPLOAD_FAILED.format(error_id=log_error(exc, f"upload of {name!r}")))
            return
        seconds = time.perf_counter() - started
        await self.edit(status, views.render_upload_report(name, report.documents, skipped(report), seconds))

    # -- documents -----------------------------------------------------------------------------------------------
    async def docs(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        documents = await asyncio.to_thread(self.engine.documents)
        text, markup = views.render_docs_page(documents, 0, self.config.docs_page_size)
        await update.effective_message.reply_html(text, do_quote=True, reply_markup=markup)

    async def docs_page(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        documents = await asyncio.to_thread(self.engine.documents)
        text, markup = views.render_docs_page(documents, DocsPage.decode(query.data).page, self.config.docs_page_size)
        await query.answer()
        if isinstance(query.message, Message):
            await self.edit(query.message, text, markup)

    async def remove(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if len(context.args or []) != 1:
            await message.reply_html(T.REMOVE_USAGE, do_quote=True)
            return
        doc_id = context.args[0]
        documents = await asyncio.to_thread(self.engine.documents)
        doc = next((d for d in documents if d["doc_id"] == doc_id), None)
        if doc is None:
            await message.reply_html(T.REMOVE_UNKNOWN.format(doc_id=esc(doc_id)), do_quote=True)
            return
        token = uuid.uuid4().hex[:12]
        self.removals[token] = doc_id
        text, markup = views.render_removal_prompt(doc, token)
        await message.reply_html(text, do_quote=True, reply_markup=markup)

    async def confirm_removal(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, removal = update.callback_query, Removal.decode(update.callback_query.data)
        doc_id = self.removals.pop(removal.token, None)
        if doc_id is None:
            await query.answer(T.REMOVAL_EXPIRED, show_alert=True)
            return
        await query.answer()
        message = query.message if isinstance(query.message, Message) else None
        if not removal.confirm:
            if message:
                await self.edit(message, T.REMOVE_CANCELLED)
            return
        removed = await self.worker.run(self.engine.remove, doc_id)
        if message:
            await self.edit(message, (T.REMOVED if removed else T.REMOVE_GONE).format(doc_id=esc(doc_id)))

    # -- re-indexing ---------------------------------------------------------------------------------------------
    async def reindex(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if self.reindexing:
            await message.reply_html(T.REINDEX_BUSY, do_quote=True)
            return
        self.reindexing = True
        try:
            status = await message.reply_html(T.REINDEX_START, do_quote=True)
        except BaseException:
            self.reindexing = False
            raise
        context.application.create_task(self._reindex(status), update=update)

    async def _reindex(self, status: Message) -> None:
        started, progress = time.perf_counter(), [0, 0]

        def on_progress(done: int, total: int) -> None:  # called from the indexing thread
            progress[:] = [done, total]

        try:
            job = asyncio.ensure_future(self.worker.run(self.engine.index, rebuild=True, progress=on_progress))
            shown = None
            while not (await asyncio.wait({job}, timeout=self.config.progress_interval))[0]:
                text = views.render_progress(progress[0], progress[1], time.perf_counter() - started)
                if text != shown:
                    await self.edit(status, text)
                    shown = text
            report = job.result()
            await self.edit(status, views.render_reindex_report(report, skipped(report)))
        except Exception as exc:
            await self.edit(status, T.REINDEX_FAILED.format(error_id=log_error(exc, "reindex")))
        finally:
            self.reindexing = False

    # -- reports -----------------------------------------------------------------------------------------------------
    async def stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        index_stats = await asyncio.to_thread(self.engine.stats)
        usage = await asyncio.to_thread(self.store.stats)
        await update.effective_message.reply_html(views.render_stats(index_stats, usage), do_quote=True)

    async def feedback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        fmt = "jsonl" if context.args and context.args[0].lower() in ("jsonl", "json") else "csv"
        rows = await asyncio.to_thread(self.store.feedback)
        if not rows:
            await message.reply_html(T.FEEDBACK_NONE, do_quote=True)
            return
        data = await asyncio.to_thread(self.store.export, fmt)
        await message.reply_document(
            InputFile(data, filename=f"feedback-{time.strftime('%Y%m%d-%H%M')}.{fmt}"),
            caption=T.FEEDBACK_CAPTION.format(n=len(rows), fmt=fmt.upper()),
            do_quote=True,
        )
